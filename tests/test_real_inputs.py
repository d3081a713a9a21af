"""The bars of real inputs, through the whole CLI (fake backend) and a loopback web server:

- the same five articles as .txt files, as saved web pages, as URLs, as an RSS feed (links, and full
  text) and as JSON lines give the same claims, figures, parties and contested questions;
- the brief names each outlet and cites no navigation, banner or related-story text;
- a URL that fails is listed with its reason, the others are briefed, exit 1;
- a rerun with the network gone takes everything from the cache; --no-cache fetches and writes nothing;
- render and eval check a web page's citations against the text that was read (kept in the cache).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_server import Route, WebServer, serve

from summarizer.cli import app
from summarizer.models import Brief, all_citations

runner = CliRunner()
PAGES = Path(__file__).resolve().parent / "data" / "pages"
NAMES = ["levant-monitor", "nile-wire", "harbor-times", "gulf-courier", "daily-meridian"]
OUTLETS = ["Levant Monitor", "Nile Wire", "Harbor Times", "Gulf Courier", "The Daily Meridian"]
TITLES = {
    "levant-monitor": "Egypt says Cairo truce talks see ‘great progress’",
    "nile-wire": "Gaza truce talks make progress in Cairo, says Egyptian TV",
    "harbor-times": "Hamas says 'nothing new' in Cairo talks as Egypt reports progress",
    "gulf-courier": "Hamas says no progress in Cairo ceasefire talks",
    "daily-meridian": "Hamas says Gaza truce talks still deadlocked despite reports of progress",
}
CHROME = re.compile(
    r"cookies|Recent Posts|Most read|Related|Leave a Reply|Share on|All rights reserved|Advertisement|"
    r"Short link|Photo: AFP|Handout via REUTERS|Residents of Rafah brace|Aid trucks wait|I will believe",
    re.I,
)


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def expected(name: str) -> str:
    return (PAGES / "expected" / f"{name}.txt").read_text(encoding="utf-8")


def brief(*args: str | Path) -> tuple[int, str, Brief | None, str]:
    """Run ``brief`` with the fake backend; (exit code, stderr, the JSON brief, the Markdown)."""
    out = Path(str(args[-1]))
    result = runner.invoke(
        app,
        ["brief", *map(str, args[:-1]), "--backend", "fake", "-o", out / "b.md", "--json", out / "b.json"],
    )
    js = out / "b.json"
    parsed = Brief.model_validate_json(js.read_text(encoding="utf-8")) if js.exists() else None
    md = (out / "b.md").read_text(encoding="utf-8") if (out / "b.md").exists() else ""
    return result.exit_code, result.stderr, parsed, md


def quotes(items: list) -> tuple[str, ...]:
    return tuple(sorted(c.text for item in items for c in item.citations))


def essence(result: Brief) -> dict[str, object]:
    """What the brief says, whatever the input's form: sources are named by their place in the input."""
    place = {s.doc_id: str(i) for i, s in enumerate(result.sources)}

    def where(doc_ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(place[d] for d in doc_ids))

    return {
        "claims": sorted(
            (g.statement, tuple(g.speaker_sides), g.negated, where(g.sources), quotes(g.reports))
            for g in result.claims
        ),
        "figures": sorted(
            (f.quantity, f.discrepancy, tuple(sorted((place[v.doc_id], v.text) for v in f.values)))
            for f in result.figures
        ),
        "parties": sorted((p.name, p.role.value, where(p.sources)) for p in result.parties),
        "contested": sorted(
            (q.question, tuple(sorted((p.side, p.negated, where(p.sources)) for p in q.positions)))
            for q in result.contested
        ),
        "republished": [sorted(place[d] for d in g.sources) for g in result.republished],
        "key_points": len(result.key_points),
    }


def site(extra: dict[str, Route] | None = None) -> dict[str, Route]:
    routes = {f"/{name}": Route((PAGES / f"{name}.html").read_bytes()) for name in NAMES}
    return {**routes, **(extra or {})}


def rss(server_base: str, full_text: bool) -> Route:
    items = []
    for name in NAMES:
        content = ""
        if full_text:
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in expected(name).strip().split("\n"))
            content = f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
        items.append(
            f"<item><title>{html.escape(TITLES[name])}</title><link>{server_base}/{name}</link>"
            "<description>A teaser.</description><pubDate>Mon, 08 Apr 2024 10:00:00 GMT</pubDate>"
            f"{content}</item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>World news</title>'
        f"<link>{server_base}/</link>{''.join(items)}</channel></rss>"
    )
    return Route(body.encode(), "application/rss+xml; charset=utf-8")


def serve_site(server: WebServer) -> None:
    server.routes["/feed.xml"] = rss(server.base, full_text=False)
    server.routes["/full.xml"] = rss(server.base, full_text=True)


def test_the_same_articles_in_every_form_give_the_same_brief(tmp_path: Path) -> None:
    txt = tmp_path / "txt"
    txt.mkdir()
    for index, name in enumerate(NAMES):
        (txt / f"{index:03d}_{name}.txt").write_text(expected(name), encoding="utf-8")
    saved = tmp_path / "saved"
    saved.mkdir()
    for index, name in enumerate(NAMES):
        (saved / f"{index:03d}_{name}.html").write_bytes((PAGES / f"{name}.html").read_bytes())
    records = tmp_path / "articles.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {"text": expected(name), "title": TITLES[name], "outlet": outlet, "date": "2024-04-08"}
            )
            + "\n"
            for name, outlet in zip(NAMES, OUTLETS, strict=True)
        ),
        encoding="utf-8",
    )
    briefs: dict[str, Brief] = {}
    with serve(site()) as server:
        serve_site(server)
        forms = {
            "txt": [txt],
            "saved html": [saved],
            "urls": [server.url(f"/{name}") for name in NAMES],
            "rss links": [server.url("/feed.xml")],
            "rss full text": [server.url("/full.xml")],
            "jsonl": [records],
        }
        for form, inputs in forms.items():
            out = tmp_path / form.replace(" ", "-")
            code, stderr, result, _ = brief(*inputs, "--no-cache", out)
            assert code == 0 and result is not None, (form, stderr)
            briefs[form] = result
    assert server.hits("/feed.xml") == 1 and server.hits("/levant-monitor") == 2  # URLs, then the feed's link
    reference = essence(briefs["txt"])
    assert len(reference["claims"]) >= 10 and len(reference["figures"]) >= 2 and reference["contested"]
    for form, result in briefs.items():
        assert essence(result) == reference, form
    kinds = {form: {s.kind for s in result.sources} for form, result in briefs.items()}
    assert kinds == {
        "txt": {"text"},
        "saved html": {"html"},
        "urls": {"web"},
        "rss links": {"web"},
        "rss full text": {"feed"},
        "jsonl": {"jsonl"},
    }


def test_saved_pages_are_named_by_outlet_and_cite_only_article_text(tmp_path: Path) -> None:
    code, stderr, result, markdown = brief(*sorted(PAGES.glob("*.html")), "--no-cache", tmp_path)
    assert code == 0 and result is not None, stderr
    by_file = ["The Daily Meridian", "Gulf Courier", "Harbor Times", "Levant Monitor", "Nile Wire"]
    assert [s.outlet for s in result.sources] == by_file
    assert all(s.title and s.url and s.kind == "html" for s in result.sources)
    for citation in all_citations(result):
        assert not CHROME.search(citation.text), citation.text
    texts = {s.doc_id: expected(s.doc_id.removesuffix(".html")).rstrip("\n") for s in result.sources}
    for citation in all_citations(result):  # exact against the extracted text, with its line
        text = texts[citation.doc_id]
        assert text[citation.start : citation.end] == citation.text
        assert text.count("\n", 0, citation.start) + 1 == citation.line
    header = markdown.split("\n")[2]
    assert (
        "from 5 outlets: The Daily Meridian, Gulf Courier, Harbor Times, Levant Monitor, Nile Wire" in header
    )
    figures = markdown.split("## Figures", 1)[1].split("## Claims", 1)[0]
    assert "| Nile Wire (nile-wire) | 33,175 |" in figures and ".html" not in figures
    coverage = markdown.split("## Coverage", 1)[1].split("\n")[2]
    assert coverage.startswith("| Item | The Daily Meridian (daily-meridian) | Gulf Courier (gulf-courier) |")
    republished = markdown.split("## Republished text", 1)[1].split("## Sources", 1)[0]
    assert "The Daily Meridian (daily-meridian), Gulf Courier (gulf-courier)" in republished
    assert "wire copy credited to Reuters" in republished  # the Daily Meridian's byline
    sources = markdown.split("## Sources", 1)[1]
    assert (
        "- Nile Wire, “Gaza truce talks make progress in Cairo, says Egyptian TV” (nile-wire) — " in sources
    )
    footnotes = markdown.split("## Citations", 1)[1]
    pattern = (
        r"\*\*\[nile-wire:L1\]\*\* Nile Wire, “Gaza truce talks[^”]*”, "
        r"<https://www\.nilewire\.example/[^>]+>, line 1 of the extracted text: “Negotiations"
    )
    assert re.search(pattern, footnotes)


def test_a_failing_url_is_listed_with_its_reason_and_the_others_go_on(tmp_path: Path) -> None:
    extra = {
        "/gone": Route(b"<html><body>Not here</body></html>", status=404),
        "/picture": Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png"),
        "/stub": Route(b"<html><body><article><p>Subscribe to continue reading.</p></article></body></html>"),
        "/moved": Route(status=301, headers={"Location": "/nile-wire"}),
    }
    with serve(site(extra)) as server:
        links = tmp_path / "links.txt"
        links.write_text(
            "# the day's links\n" + "\n".join(server.url(p) for p in ("/gone", "/picture", "/moved"))
        )
        code, stderr, result, markdown = brief(
            server.url("/levant-monitor"), server.url("/stub"), "--urls", links, "--no-cache", tmp_path
        )
    assert code == 1 and result is not None
    assert [s.outlet for s in result.sources] == ["Levant Monitor", "Nile Wire"]
    failed = {f.path.removeprefix(server.base): f.reason for f in result.failed}
    assert failed == {
        "/stub": "no article text on the page (4 words): a paywall or cookie wall, or a page that needs "
        "JavaScript",
        "/gone": "HTTP 404 Not Found",
        "/picture": "not an article page (it is image/png)",
    }
    assert "INCOMPLETE: 3 input(s) not included" in markdown
    assert f"- `{server.url('/gone')}`: HTTP 404 Not Found" in markdown
    assert "not included:" in stderr


def test_a_rerun_without_the_network_takes_everything_from_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    with serve(site()) as server:
        serve_site(server)
        urls = [server.url(f"/{name}") for name in NAMES]
        code, _, first, first_md = brief(*urls, server.url("/feed.xml"), "--cache", cache, tmp_path / "one")
        assert code == 0 and first is not None
        hits = len(server.requests)
    # the server is gone: the same command works from the cache alone (the feed's stored copy, said)
    code, stderr, again, again_md = brief(*urls, server.url("/feed.xml"), "--cache", cache, tmp_path / "two")
    assert code == 0 and again is not None, stderr
    assert len(server.requests) == hits
    assert "using the copy fetched" in stderr and "from the cache" in stderr
    assert again.model_dump(exclude={"stats"}) == first.model_dump(exclude={"stats"})
    assert again.stats.cache_hits == len(again.sources)
    # without the cache nothing can be read: every URL is listed with why, and nothing is written
    code, stderr, _, _ = brief(*urls, "--no-cache", tmp_path / "three")
    assert code == 2 and "no usable document" in stderr and stderr.count("cannot fetch: ConnectError") == 5
    assert not (tmp_path / "default-cache").exists()


def test_no_cache_fetches_and_writes_nothing(tmp_path: Path) -> None:
    with serve(site()) as server:
        code, _, result, _ = brief(server.url("/nile-wire"), "--no-cache", tmp_path)
    assert code == 0 and result is not None and result.sources[0].outlet == "Nile Wire"
    assert server.hits("/nile-wire") == 1
    assert not (tmp_path / "default-cache").exists()


def test_render_and_eval_check_a_web_page_against_the_text_that_was_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    with serve(site()) as server:
        code, _, result, _ = brief(
            server.url("/nile-wire"),
            PAGES / "gulf-courier.html",
            "--cache",
            cache,
            "--html",
            tmp_path / "first.html",
            tmp_path,
        )
    assert code == 0 and result is not None
    page = (tmp_path / "first.html").read_text(encoding="utf-8")
    assert "Negotiations to reach a truce in the Gaza Strip" in page  # the fetched page's text is shown
    assert '<meta name="generator" content="summarizer">' in page
    # render reads the page's text back from the cache, by its sha256: trusted, exit 0
    rendered = runner.invoke(
        app,
        ["render", str(tmp_path / "b.json"), "--html", str(tmp_path / "again.html"), "--cache", str(cache)],
    )
    assert rendered.exit_code == 0, rendered.output
    again = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert "Negotiations to reach a truce in the Gaza Strip" in again and "not in the cache" not in again
    assert "<h2>Nile Wire (000)</h2>" in again and "text extracted from the fetched page" in again
    assert (
        'href="https://www.nilewire.example/news/world/2024/04/08/gaza-truce-talks-progress-cairo-egyptian-tv"'
        in again
    )
    # eval's citation validity reads the same texts
    gold = tmp_path / "g.gold.json"
    documents = [{"doc_id": s.doc_id, "path": s.path} for s in result.sources]
    gold.write_text(json.dumps({"title": "t", "annotator": "test", "documents": documents}), encoding="utf-8")
    scored = runner.invoke(
        app,
        [
            "eval",
            str(tmp_path / "b.json"),
            str(gold),
            "--cache",
            str(cache),
            "--json",
            str(tmp_path / "e.json"),
        ],
    )
    assert scored.exit_code == 0, scored.output
    validity = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["citation_validity"]
    assert validity["citations"] > 10 and validity["share"] == 1.0 and validity["invalid"] == []
    # with another cache the page's text is not there: the page says so and render exits 1; the saved
    # page file is extracted again and still trusted
    other = runner.invoke(
        app,
        [
            "render",
            str(tmp_path / "b.json"),
            "--html",
            str(tmp_path / "other.html"),
            "--cache",
            str(tmp_path / "empty.sqlite3"),
        ],
    )
    assert other.exit_code == 1
    missing = (tmp_path / "other.html").read_text(encoding="utf-8")
    assert "the text read from this page is not in the cache" in missing
    assert "Hamas official said today no progress" in missing  # gulf-courier.html, re-extracted


def test_no_input_or_a_bad_url_list_exits_2_before_any_work(tmp_path: Path) -> None:
    result = runner.invoke(app, ["brief", "--backend", "fake", "--no-cache"])
    assert result.exit_code == 2 and "no input: give article files, folders or URLs" in result.stderr
    links = tmp_path / "links.txt"
    links.write_text("https://a.example/1\nwww.b.example/2\n", encoding="utf-8")
    result = runner.invoke(app, ["brief", "--urls", str(links), "--backend", "fake", "--no-cache"])
    assert result.exit_code == 2 and "links.txt line 2: not a URL (http:// or https://)" in result.stderr
