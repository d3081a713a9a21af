"""The review page (--html, render): escaping and self-containment in the HTML, then the behaviour in
a real headless Chromium: every item highlights exactly the sentences it cites, fragments select
items, keyboard and filters work, and a hostile article runs nothing.

The browser tests need /usr/bin/chromium and /usr/bin/chromedriver (``make test`` installs them); when
they are missing the tests fail, they never skip.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from test_render import small_brief
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.models import Brief, Citation, KeyPoint, KeyPointKind, all_citations
from summarizer.render_html import figure_span, load_sources, render_html

runner = CliRunner()

HOSTILE_ARTICLE = (
    "date 2024-04-09\n"
    'Egyptian officials said <script>window.pwned = 1; alert("pwned")</script> the Cairo talks '
    "made progress.\n"
    'A Hamas spokesman said <img src=x onerror="window.pwned = 2; alert(2)"> there was no progress '
    "in Cairo.\n"
    'The health ministry said </textarea><iframe src="http://example.com/"></iframe> 33,000 people were '
    "killed.\n"
    'Qatar said "it\'s" & <style>body{display:none}</style> <a href="javascript:alert(3)">talks</a> will '
    "resume.\n"
    "READ: <svg onload=alert(4)> more news\n"
)
HOSTILE_TITLE = '<script>alert("title")</script></title><img src=x onerror=alert(5)>'


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def make_page(folder: Path, *extra: str) -> tuple[Brief, Path]:
    """Fake-backend brief of a folder with --json and --html; returns the brief and the page."""
    js, html = folder.parent / f"{folder.name}.json", folder.parent / f"{folder.name}.html"
    result = runner.invoke(
        app, ["brief", str(folder), "--backend", "fake", "--no-cache", "-o", str(folder.parent / "b.md"),
              "--json", str(js), "--html", str(html), *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return Brief.model_validate_json(js.read_text(encoding="utf-8")), html


@pytest.fixture(scope="module")
def seeds_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Brief, Path]:
    from conftest import SEEDS

    folder = tmp_path_factory.mktemp("page") / "seeds"
    shutil.copytree(SEEDS, folder)
    return make_page(folder)


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Brief, Path]:
    from conftest import SEEDS

    folder = tmp_path_factory.mktemp("hostile") / "news"
    shutil.copytree(SEEDS, folder)
    (folder / "005_hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    return make_page(folder, "--title", HOSTILE_TITLE)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


# ---------------------------------------------------------------------------------------------------
# The HTML itself
# ---------------------------------------------------------------------------------------------------


def test_page_is_one_self_contained_file(seeds_page: tuple[Brief, Path]) -> None:
    _, path = seeds_page
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 1_500_000
    # nothing is fetched: no src, no stylesheet link, no url(), no @import, no http(s) reference
    assert not re.search(r"\ssrc\s*=|<link\s+rel=\"stylesheet|url\(|@import|https?://", html, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src &#39;none&#39;" in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and html.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"sha256-{digest}" in csp.group(1)  # the CSP allows exactly the page's own script


def test_every_sentence_is_an_element_with_its_line(seeds_page: tuple[Brief, Path]) -> None:
    from summarizer.documents import load_document

    brief, path = seeds_page
    html = path.read_text(encoding="utf-8")
    for index, source in enumerate(brief.sources):
        document = load_document(Path(source.path))
        assert f"sha256 <code>{source.sha256[:12]}</code>" in html
        for sentence in document.sentences:
            kind = f' data-kind="{sentence.boilerplate}"' if sentence.boilerplate else ""
            css = "s bp" if sentence.boilerplate else "s"
            element = (
                f'<span class="{css}" id="d{index}-s{sentence.id}" data-line="{sentence.line}"{kind}>'
                f"{_escape(sentence.text)}</span>"
            )
            assert element in html, (source.doc_id, sentence.id)
    assert '<span class="kind">cookie</span>' in html  # boilerplate is labelled with its kind


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_hostile_text_is_escaped_in_the_html(hostile_page: tuple[Brief, Path]) -> None:
    brief, path = hostile_page
    html = path.read_text(encoding="utf-8")
    # the hostile text reached both the documents and what the "model" extracted from them
    assert brief.title == HOSTILE_TITLE
    assert any("<script>" in c.text for c in all_citations(brief))
    assert html.count("<script") == 1 and html.count("</script") == 1
    for tag in ("<img", "<iframe", "</textarea", "<svg", '<a href="javascript', "</title><"):
        assert tag not in html
    assert "&lt;script&gt;window.pwned = 1;" in html
    assert html.count("<style>") == 1


def test_hostile_model_output_is_escaped_in_every_field() -> None:
    hostile = '"><img src=x onerror=alert(1)></textarea><script>alert(2)</script>'
    brief = small_brief().model_copy(deep=True)
    brief.title = hostile
    brief.parties[0].name = hostile
    brief.parties[0].aliases = [hostile]
    brief.claims[0].id = hostile  # ids land in attributes and in the fragment
    brief.claims[0].statement = hostile
    brief.claims[0].speaker_sides = [hostile, "it's"]
    brief.contested[0].question = hostile
    brief.figures[0].values[0].text = hostile
    brief.coverage[0].item = hostile
    brief.failed[0].reason = hostile
    html = render_html(brief, load_sources(brief))
    assert html.count("<script") == 1 and "<img" not in html and "</textarea" not in html
    assert 'data-item="&#34;&gt;&lt;img' in html
    # the sides travel as JSON in a single-quoted attribute: an apostrophe must not close it
    sides = re.findall(r"data-sides='([^']*)'", html)
    assert json.loads(sides[0]) == [hostile, "it's"]


def brief_with_key_point() -> Brief:
    brief = small_brief()
    claim = brief.claims[0]
    brief.key_points = [
        KeyPoint(
            kind=KeyPointKind.claim,
            ref=claim.id,
            text=claim.statement,
            citations=claim.reports[0].citations,
            sources=claim.sources,
        )
    ]
    return brief


def test_items_without_ids_get_section_ids_and_ids_stay_unique() -> None:
    brief = brief_with_key_point()
    brief.claims[1].id = brief.claims[0].id  # a duplicate id must not make a fragment ambiguous
    for point in brief.contested:
        point.id = ""
    html = render_html(brief, load_sources(brief))
    ids = re.findall(r'data-item="([^"]*)"', html)
    assert len(ids) == len(set(ids))
    assert {"party-1", "party-2", "demand-1", "proposal-1", "question-1", "question-1.1"} <= set(ids)
    assert f"{brief.claims[0].id}~2" in ids
    assert "key-1" in ids and f'class="ref" href="#{brief.claims[0].id}"' in html


def test_missing_files_still_render_the_quoted_sentences() -> None:
    brief = small_brief()  # its sources (news/...) do not exist here
    sources = load_sources(brief)
    assert [s.status for s in sources] == ["missing", "missing"]
    html = render_html(brief, sources)
    assert html.count('class="warn"') >= 2 and "news/001_alpha.txt: not found" in html
    for citation in all_citations(brief):
        assert f'data-line="{citation.line}">{_escape(citation.text)}</span>' in html


@pytest.mark.parametrize(
    ("value", "sentence", "expected"),
    [
        ("33,175", "The toll rose to 33,175, the ministry said.", "33,175"),
        ("More than 33,000", "more than 33,000 people were killed", "more than 33,000"),
        ("some 1,200", "About 1,200 people fled.", "1,200"),
        ("133", "Of the 1330 people, 133 were held.", "133"),
        ("12", "Nothing here.", None),
    ],
)
def test_figure_span(value: str, sentence: str, expected: str | None) -> None:
    span = figure_span(value, sentence)
    assert (sentence[span[0] : span[1]] if span else None) == expected


def test_render_from_saved_json_matches_the_brief_page(
    seeds_page: tuple[Brief, Path], tmp_path: Path
) -> None:
    _, page = seeds_page
    again, markdown = tmp_path / "again.html", tmp_path / "again.md"
    saved = page.with_suffix(".json")
    result = runner.invoke(app, ["render", str(saved), "--html", str(again), "-o", str(markdown)])
    assert result.exit_code == 0, result.output
    assert again.read_text(encoding="utf-8") == page.read_text(encoding="utf-8")
    assert markdown.read_text(encoding="utf-8") == (page.parent / "b.md").read_text(encoding="utf-8")


def test_render_says_when_a_source_changed_or_is_missing(seeds_dir: Path, tmp_path: Path) -> None:
    brief, _ = make_page(seeds_dir)
    js = seeds_dir.parent / f"{seeds_dir.name}.json"
    changed, missing = brief.sources[0], brief.sources[1]
    Path(changed.path).write_text("date 2024-04-08\nSomething else entirely.\n", encoding="utf-8")
    Path(missing.path).unlink()
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["render", str(js), "--html", str(page)])
    assert result.exit_code == 1
    assert "changed since the brief was made" in result.output and "not found" in result.output
    html = page.read_text(encoding="utf-8")
    assert '<section class="doc changed"' in html and '<section class="doc missing"' in html
    assert "Something else entirely" not in html  # a changed file is not trusted
    for citation in all_citations(brief):  # every quote is still on the page, as an element
        if citation.doc_id in (changed.doc_id, missing.doc_id):
            assert f">{_escape(citation.text)}</span>" in html


def test_render_needs_an_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "nothing to write" in result.output


# ---------------------------------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------------------------------


def expected_items(brief: Brief) -> dict[str, list[Citation]]:
    """Item id -> the citations it must highlight: the brief's ids, else section-number (1-based)."""
    items: dict[str, list[Citation]] = {}
    for n, point in enumerate(brief.key_points, 1):
        items[f"key-{n}"] = point.citations
    for n, party in enumerate(brief.parties, 1):
        items[f"party-{n}"] = party.citations
    for n, demand in enumerate(brief.demands, 1):
        items[f"demand-{n}"] = demand.citations
    for n, proposal in enumerate(brief.proposals, 1):
        items[proposal.id or f"proposal-{n}"] = proposal.citations
    for n, question in enumerate(brief.contested, 1):
        qid = question.id or f"question-{n}"
        items[qid] = [c for p in question.positions for c in p.citations]
        for k, position in enumerate(question.positions, 1):
            items[f"{qid}.{k}"] = position.citations
    for n, figure in enumerate(brief.figures, 1):
        fid = figure.id or f"figure-{n}"
        items[fid] = [v.citation for v in figure.values]
        for k, value in enumerate(figure.values, 1):
            items[f"{fid}.{k}"] = [value.citation]
    for n, group in enumerate(brief.claims, 1):
        items[group.id or f"claim-{n}"] = [c for r in group.reports for c in r.citations]
    return items


CLICK_EVERY_ITEM = """
var out = {};
document.querySelectorAll('[data-item]').forEach(function (el) {
  el.click();
  out[el.getAttribute('data-item')] = {
    selected: el.classList.contains('sel') && document.querySelectorAll('.sel').length === 1,
    lit: Array.from(document.querySelectorAll('.s.hl')).map(function (s) {
      var doc = s.closest('.doc').getAttribute('data-file');
      return [doc, Number(s.getAttribute('data-line')), s.textContent];
    }),
    marks: Array.from(document.querySelectorAll('.s.hl mark')).map(function (m) { return m.textContent; }),
    hash: decodeURIComponent(location.hash.slice(1))
  };
});
return out;
"""


def check_every_item(driver: Any, brief: Brief, page: Path) -> dict[str, Any]:
    driver.get(page.as_uri())
    clicked = driver.execute_script(CLICK_EVERY_ITEM)
    expected = expected_items(brief)
    assert set(expected) <= set(clicked), set(expected) - set(clicked)
    for item_id, citations in expected.items():
        seen = clicked[item_id]
        assert seen["selected"] and seen["hash"] == item_id, item_id
        # exactly the cited sentences, each once, and their text is the citation's text
        assert len(seen["lit"]) == len({(c.doc_id, c.start) for c in citations}), item_id
        assert {tuple(x) for x in seen["lit"]} == {(c.doc_id, c.line, c.text) for c in citations}, item_id
    lit_anywhere = {tuple(x) for seen in clicked.values() for x in seen["lit"]}
    for citation in all_citations(brief):  # all of them, not a sample
        assert (citation.doc_id, citation.line, citation.text) in lit_anywhere, citation.marker
    return clicked


def console_errors(driver: Any) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def test_browser_every_citation_of_the_seeds_highlights_its_sentence(
    browser: Any, seeds_page: tuple[Brief, Path]
) -> None:
    brief, page = seeds_page
    clicked = check_every_item(browser, brief, page)
    assert console_errors(browser) == []
    # a figure row marks its number inside the cited sentence
    for n, figure in enumerate(brief.figures, 1):
        fid = figure.id or f"figure-{n}"
        for k, value in enumerate(figure.values, 1):
            marks = clicked[f"{fid}.{k}"]["marks"]
            span = figure_span(value.text, value.citation.text)
            assert span is not None, value
            assert marks == [value.citation.text[span[0] : span[1]]]


def test_browser_click_highlights_and_scrolls(browser: Any, seeds_page: tuple[Brief, Path]) -> None:
    from selenium.webdriver.common.by import By

    brief, page = seeds_page
    browser.get(page.as_uri())
    assert browser.execute_script("return document.querySelectorAll('.s.hl').length") == 0
    claim = brief.claims[-1]
    element = browser.find_element(By.CSS_SELECTOR, f'[data-item="{claim.id}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()
    lit = browser.find_elements(By.CSS_SELECTOR, ".s.hl")
    assert sorted(e.text for e in lit) == sorted({c.text for r in claim.reports for c in r.citations})
    # the first cited sentence is scrolled into the documents pane
    visible = browser.execute_script(
        "var first = document.querySelector('.sel').getAttribute('data-cites').split(' ')[0];"
        "var r = document.getElementById(first).getBoundingClientRect();"
        "var p = document.getElementById('docs').getBoundingClientRect();"
        "return r.top >= p.top && r.bottom <= p.bottom;"
    )
    assert visible
    assert browser.current_url.endswith(f"#{claim.id}")


def test_browser_fragment_selects_the_item(browser: Any, seeds_page: tuple[Brief, Path]) -> None:
    brief, page = seeds_page
    claim = brief.claims[len(brief.claims) // 2]
    for item_id, citations in [
        (claim.id, [c for r in claim.reports for c in r.citations]),
        ("party-2", brief.parties[1].citations),
    ]:
        browser.get("about:blank")
        browser.get(f"{page.as_uri()}#{item_id}")
        state = browser.execute_script(
            "var el = document.querySelector('.sel');"
            "return [el && el.getAttribute('data-item'), el && el.getAttribute('aria-pressed'),"
            " Array.from(document.querySelectorAll('.s.hl')).map(function (s) { return s.textContent; })];"
        )
        assert state[0] == item_id and state[1] == "true"
        assert sorted(state[2]) == sorted({c.text for c in citations})


def test_browser_key_point_links_to_its_item(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    brief = brief_with_key_point()  # its files do not exist: the page shows the quoted sentences
    page = tmp_path / "small.html"
    page.write_text(render_html(brief, load_sources(brief)), encoding="utf-8")
    check_every_item(browser, brief, page)
    browser.get(page.as_uri())
    browser.find_element(By.CSS_SELECTOR, '[data-item="key-1"] a.ref').click()
    selected = browser.execute_script("return document.querySelector('.sel').getAttribute('data-item')")
    assert selected == brief.claims[0].id
    assert console_errors(browser) == []


def test_browser_keyboard_tab_and_enter(browser: Any, seeds_page: tuple[Brief, Path]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    brief, page = seeds_page
    browser.get(page.as_uri())
    for _ in range(40):  # past the section links to the first item
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.hasAttribute('data-item')"):
            break
    focused = browser.execute_script("return document.activeElement.getAttribute('data-item')")
    assert focused == ("lead-1" if brief.lead else "key-1" if brief.key_points else "party-1")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert (
        browser.execute_script("return document.querySelector('.sel').getAttribute('data-item')") == focused
    )
    assert browser.execute_script("return document.querySelectorAll('.s.hl').length") > 0


def test_browser_claim_filters(browser: Any, seeds_page: tuple[Brief, Path]) -> None:
    from selenium.webdriver.support.ui import Select

    brief, page = seeds_page
    browser.get(page.as_uri())
    source = brief.sources[2].doc_id
    Select(browser.find_element("id", "f-src")).select_by_visible_text(source)
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('.claims > li')).filter(function (li) {"
        " return !li.hidden && li.offsetParent !== null; }).map(function (li) {"
        " return li.getAttribute('data-item'); });"
    )
    assert shown == [g.id for g in brief.claims if source in g.sources]
    side = "Hamas"
    Select(browser.find_element("id", "f-side")).select_by_visible_text(side)
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('.claims > li')).filter(function (li) {"
        " return !li.hidden; }).map(function (li) { return li.getAttribute('data-item'); });"
    )
    assert shown == [g.id for g in brief.claims if source in g.sources and side in g.speaker_sides]
    assert shown and len(shown) < len(brief.claims)


def test_browser_hostile_article_runs_nothing(browser: Any, hostile_page: tuple[Brief, Path]) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    brief, page = hostile_page
    check_every_item(browser, brief, page)  # clicking every item runs nothing either
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert
    state = browser.execute_script(
        "var box = document.querySelector('.doc[data-file=\"005_hostile.txt\"] .text');"
        "return {pwned: typeof window.pwned, requests: performance.getEntriesByType('resource').length,"
        " scripts: document.scripts.length,"
        " injected: document.querySelectorAll('img, iframe, textarea, svg, a[href^=\"javascript\"]').length,"
        " styles: document.querySelectorAll('style').length,"
        " foreign: Array.from(box.querySelectorAll('*')).filter(function (e) {"
        "   return e.tagName !== 'SPAN' && !(e.tagName === 'DIV' && e.className === 'l'); }).length,"
        " text: box.textContent, title: document.title,"
        " bodyShown: getComputedStyle(document.body).display !== 'none'};"
    )
    assert state["pwned"] == "undefined" and state["requests"] == 0
    assert state["scripts"] == 1 and state["injected"] == 0 and state["styles"] == 1
    assert state["foreign"] == 0 and state["bodyShown"]
    assert '<script>window.pwned = 1; alert("pwned")</script>' in state["text"]
    assert "</textarea><iframe" in state["text"]
    assert state["title"] == HOSTILE_TITLE
    assert console_errors(browser) == []


def test_browser_page_with_a_missing_source(browser: Any, seeds_dir: Path, tmp_path: Path) -> None:
    brief, _ = make_page(seeds_dir)
    Path(brief.sources[0].path).unlink()
    page = tmp_path / "page.html"
    result = runner.invoke(app, ["render", str(seeds_dir.parent / "seeds.json"), "--html", str(page)])
    assert result.exit_code == 1
    check_every_item(browser, brief, page)
    assert console_errors(browser) == []


def test_json_in_attributes_round_trips(seeds_page: tuple[Brief, Path]) -> None:
    brief, page = seeds_page
    html = page.read_text(encoding="utf-8")
    sides = [json.loads(s) for s in re.findall(r"data-sides='([^']*)'", html)]
    assert sides == [g.speaker_sides for g in brief.claims]
