"""Text is made safe where it is shown (issue 18, item 6), tried as a careless or unlucky user would:
articles and file names holding terminal controls, direction overrides, zero-width joiners, HTML and
NUL bytes. Both halves are checked each time: what is shown acts on nothing, and the citations still
quote the file exactly (``text[start:end] == citation.text``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.display import clean_name, html_offset, markdown_code, terminal, visible
from summarizer.models import Brief, all_citations

runner = CliRunner()
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f]")


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def brief(*args: str | Path):
    return runner.invoke(app, ["brief", *map(str, args), "--backend", "fake", "--no-cache"])


def assert_citations_exact(brief_json: Path) -> Brief:
    """Every citation quotes its file exactly, the odd characters included."""
    result = Brief.model_validate_json(brief_json.read_text(encoding="utf-8"))
    texts = {s.doc_id: Path(s.path).read_bytes().decode("utf-8") for s in result.sources}
    citations = all_citations(result)
    assert citations
    for citation in citations:
        assert texts[citation.doc_id][citation.start : citation.end] == citation.text, citation.marker
    return result


def table_widths(markdown: str) -> list[set[int]]:
    """The cell counts of the rows of each Markdown table: one count per table when no row breaks."""
    tables: list[set[int]] = []
    previous = ""
    for line in markdown.split("\n"):
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append(set())
            tables[-1].add(len(re.split(r"(?<!\\)\|", line)))
        previous = line
    return tables


def test_controls_and_html_in_an_article_are_shown_not_obeyed(seeds_dir: Path, tmp_path: Path) -> None:
    article = seeds_dir / "003_fe535af938dae792.txt"
    text = article.read_text(encoding="utf-8")
    first = text.index("A Hamas official said")
    # ESC[2J clears a terminal, BEL rings, BS rubs out; the tags would run in a Markdown viewer.
    poisoned = (
        text[:first]
        + "A Hamas official\x1b[2J said\x07 today\x08 <script>alert(1)</script><img src=x onerror=alert(2)> "
        + text[first + len("A Hamas official said today ") :]
    )
    article.write_text(poisoned, encoding="utf-8")
    md, js, page = tmp_path / "b.md", tmp_path / "b.json", tmp_path / "b.html"
    result = brief(seeds_dir, "-o", md, "--json", js, "--html", page)
    assert result.exit_code == 0, result.output
    markdown, html = md.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")
    for shown in (markdown, html, result.stderr):
        assert not RAW_CONTROLS.search(shown)
    quoted = [line for line in markdown.split("\n") if "said␇" in line]
    assert quoted and "␛[2J" in quoted[0]  # visible, not removed: the quote still shows what is there
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "<script>alert" not in html and "said␇" in html
    # the JSON keeps the text as read, and the citations are exact
    parsed = assert_citations_exact(js)
    assert any("\x1b[2J" in c.text for c in all_citations(parsed))


def test_a_file_name_that_clears_the_screen_or_holds_a_newline(seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / "000_7bb91c76771d32cc.txt").rename(seeds_dir / "000_\x1b[2Jevil.txt")
    (seeds_dir / "001_c04f7732fec0124b.txt").rename(seeds_dir / "001_two\nlines|x.txt")
    (seeds_dir / "009_[bold]broken.txt").write_bytes(b"")  # an error message naming it
    md, js = tmp_path / "b.md", tmp_path / "b.json"
    result = brief(seeds_dir, "-o", md, "--json", js)
    assert result.exit_code == 1, result.output  # the empty file is not included
    assert "\x1b" not in result.stderr and "009_[bold]broken.txt" in result.stderr
    markdown = md.read_text(encoding="utf-8")
    assert not RAW_CONTROLS.search(markdown)
    assert "000_␛[2Jevil.txt" in markdown and "001_two␊lines" in markdown
    widths = table_widths(markdown)
    assert widths and all(len(width) == 1 for width in widths), widths  # no row broken
    assert_citations_exact(js)


def test_invisible_characters_do_not_split_a_party_and_are_flagged_in_quotes(
    seeds_dir: Path, tmp_path: Path
) -> None:
    for path in sorted(seeds_dir.iterdir())[2:]:  # three of five sources spell it with a joiner
        path.write_text(path.read_text(encoding="utf-8").replace("Qatar", "Qatar\u200d"), encoding="utf-8")
    reversed_quote = seeds_dir / "000_7bb91c76771d32cc.txt"
    reversed_quote.write_text(
        reversed_quote.read_text(encoding="utf-8").replace("Hamas", "\u202eHamas\u202c", 1), encoding="utf-8"
    )
    md, js = tmp_path / "b.md", tmp_path / "b.json"
    result = brief(seeds_dir, "-o", md, "--json", js)
    assert result.exit_code == 0, result.output
    parsed = assert_citations_exact(js)
    qatar = [p for p in parsed.parties if "qatar" in p.name.lower()]
    assert [p.name for p in qatar] == ["Qatar"]
    assert len(qatar[0].sources) == 5
    markdown = md.read_text(encoding="utf-8")
    assert not RAW_CONTROLS.search(markdown)
    assert "Qatar⟨U+200D⟩" in markdown  # flagged where quoted
    assert "- **Qatar** (" in markdown  # and the name itself is clean


def test_nul_bytes_anywhere_make_a_file_binary(seeds_dir: Path, tmp_path: Path) -> None:
    late = seeds_dir / "000_7bb91c76771d32cc.txt"
    late.write_bytes(late.read_bytes() + b"\n" + b"x" * 5000 + b"\x00\x01\x02")  # past the first 4 KB
    js = tmp_path / "b.json"
    result = brief(seeds_dir, "--json", js)
    assert result.exit_code == 1
    parsed = Brief.model_validate_json(js.read_text(encoding="utf-8"))
    assert [(Path(f.path).name, f.reason.split(" at byte")[0]) for f in parsed.failed] == [
        (late.name, "not a text article: it contains NUL bytes (binary data)")
    ]


def test_display_helpers() -> None:
    assert visible("a\x1bb\tc\n") == "a␛b\tc\n"
    assert visible("a\tb\nc", one_line=True) == "a␉b␊c"
    assert visible("\u202eabc\x9b") == "⟨U+202E⟩abc⟨U+009B⟩"
    assert clean_name("Qatar\u200d") == "Qatar" and clean_name("Al\u200b \u202eJazeera\n") == "Al Jazeera"
    assert terminal("[red]x\x1b[2J") == "\\[red]x␛\\[2J"
    assert markdown_code("a`b") == "``a`b``" and markdown_code("`x") == "`` `x ``"
    # the review page marks figures by offsets into the text as shown, in UTF-16 units
    assert html_offset("a\u202eb", 2) == len("a⟨U+202E⟩") and html_offset("😀x", 1) == 2
