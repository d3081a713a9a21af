"""Sources named by outlet: the one helper every renderer uses, the wire-copy note, and the news
agency's own copy standing for its republished texts."""

from __future__ import annotations

from pathlib import Path

from summarizer.documents import load_documents
from summarizer.duplicates import find_copies
from summarizer.models import Brief, RunStats, SourceDocument
from summarizer.naming import SourceNames, wire_agency
from summarizer.render import render_markdown
from summarizer.render_html import load_sources, render_html


def source(doc_id: str, **fields: object) -> SourceDocument:
    return SourceDocument(doc_id=doc_id, path=doc_id, sha256="0" * 64, sentences=1, **fields)


def test_names_say_the_outlet_else_the_title_else_the_file() -> None:
    names = SourceNames.of(
        [
            source("https://r.example/a", label="000", outlet="Reuters", title="Hamas says talks deadlocked"),
            source("report.pdf", label="report", title="A very long report title " * 5),
            source("001_c04f.txt"),
        ]
    )
    assert names.name("https://r.example/a") == "Reuters (000)"
    assert names.inline("https://r.example/a") == "Reuters, 000"
    assert names.full("https://r.example/a") == "Reuters, “Hamas says talks deadlocked”"
    assert names.name("report.pdf").startswith("“A very long report title") and names.name(
        "report.pdf"
    ).endswith("…” (report)")
    assert names.short("report.pdf") == "report"  # a narrow column: no outlet, so the label
    assert names.name("001_c04f.txt") == "001_c04f.txt" and names.label("001_c04f.txt") == "001"
    assert names.name("unknown.txt") == "unknown.txt" and names.full("unknown.txt") == ""
    assert names.outlets() == ["Reuters"]


def test_wire_agencies_and_links() -> None:
    assert wire_agency("By The Associated Press") == "AP"
    assert wire_agency(None, "Reuters") == "Reuters"
    assert wire_agency("Levant Monitor", "Abby Smith") is None
    assert SourceNames.is_web("https://x.example/") and not SourceNames.is_web("javascript:alert(1)")


def test_a_news_agency_s_own_copy_stands_for_the_group(tmp_path: Path) -> None:
    story = " ".join(
        f"Sentence {i} of the wire story says the delegations met in Cairo on Sunday and talked."
        for i in range(12)
    )
    (tmp_path / "a.md").write_text(f"---\noutlet: Daily Meridian\nauthor: Reuters\n---\n{story} Extra.\n")
    (tmp_path / "b.md").write_text(f"---\noutlet: Reuters\n---\n{story}\n")
    documents = load_documents([tmp_path / "a.md", tmp_path / "b.md"]).documents
    voices = find_copies(documents)
    assert [g.doc_ids for g in voices.groups] == [["b.md", "a.md"]]
    assert voices.voice_of == {"a.md": "b.md"}


def test_the_markdown_and_the_page_name_sources_and_never_link_a_script_url() -> None:
    brief = Brief(
        title="t",
        backend="fake",
        model="rules",
        complete=True,
        sources=[
            source(
                "x.html", label="x", outlet="Nile <Wire>", title="T", url="javascript:alert(1)", kind="html"
            ),
            source("y.txt", label="y"),
        ],
        stats=RunStats(),
    )
    markdown = render_markdown(brief)
    # metadata is text from the page: no HTML a Markdown viewer would act on (display.markdown_text)
    assert "_2 sources from 1 outlet: Nile &lt;Wire&gt; ·" in markdown
    assert "- Nile &lt;Wire&gt;, “T” (x) — `javascript:alert(1)` — `x.html` — date" in markdown
    assert "- `y.txt` — date not given" in markdown
    page = render_html(brief, load_sources(brief))
    assert "<h2>Nile &lt;Wire&gt; (x)</h2>" in page
    assert 'href="javascript' not in page and "javascript:alert(1)" in page  # shown as text, never a link


def test_disjoint_sets_group_linked_items_under_their_smallest_member() -> None:
    from summarizer.unionfind import DisjointSets

    sets = DisjointSets(6)
    sets.union(4, 1)
    sets.union(5, 4)
    sets.union(3, 2)
    assert sets.groups() == [[0], [1, 4, 5], [2, 3]]
    assert sets.root(5) == 1
