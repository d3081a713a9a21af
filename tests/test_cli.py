"""The whole CLI with the fake backend under CliRunner: files written, citations exact, exit codes,
scripted re-asks and the cache."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import nlp
from summarizer.cli import app
from summarizer.embeddings import default_encoder
from summarizer.models import Brief, DocumentExtraction, all_citations

runner = CliRunner()

# Lines of the seed files that are boilerplate, recognised here independently of documents.py.
BOILERPLATE_LINE = re.compile(r"cookies|^\s*READ:|^\s*Short link:|Photo: AFP|/Handout via REUTERS")


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def run_brief(*args: str | Path):
    return runner.invoke(app, ["brief", *map(str, args), "--backend", "fake"])


def _brief(path: Path) -> Brief:
    return Brief.model_validate_json(path.read_text(encoding="utf-8"))


def test_brief_of_the_seeds(seeds_dir: Path, tmp_path: Path) -> None:
    md, js = tmp_path / "out" / "brief.md", tmp_path / "out" / "brief.json"
    result = run_brief(seeds_dir, "--no-cache", "-o", md, "--json", js)
    assert result.exit_code == 0, result.output
    assert md.exists() and js.exists()
    brief = _brief(js)
    assert brief.complete and brief.failed == []
    assert [s.doc_id for s in brief.sources] == sorted(p.name for p in seeds_dir.iterdir())
    assert brief.stats.llm_calls == 5 and brief.stats.cache_hits == 0
    markdown = md.read_text(encoding="utf-8")
    assert markdown.startswith(f"# {brief.title}\n")
    parties = {p.name for p in brief.parties}
    assert {"Israel", "Hamas", "Egypt", "Qatar", "United States"} <= parties
    for place_or_outlet in ("Cairo", "Gaza", "Reuters", "Al Qahera News"):
        assert place_or_outlet not in parties
    for name in ("Israel", "Hamas", "Egypt", "Qatar", "United States"):
        assert f"**{name}**" in markdown
    # the headline discrepancy of the running example
    killed = [f for f in brief.figures if {v.value for v in f.values} >= {33175, 33207}]
    assert killed and killed[0].discrepancy
    # progress in the talks is contested between Egypt's sources and Hamas
    assert any({p.side for p in point.positions} >= {"Egypt", "Hamas"} for point in brief.contested)


def test_every_citation_resolves_against_the_file_bytes(seeds_dir: Path, tmp_path: Path) -> None:
    js = tmp_path / "brief.json"
    result = run_brief(seeds_dir, "--no-cache", "-o", tmp_path / "brief.md", "--json", js)
    assert result.exit_code == 0, result.output
    brief = _brief(js)
    citations = all_citations(brief)
    assert len(citations) > 50
    files = {p.name: p.read_bytes().decode("utf-8") for p in seeds_dir.iterdir()}
    for citation in citations:
        text = files[citation.doc_id]
        assert Path(citation.path).name == citation.doc_id
        assert text[citation.start : citation.end] == citation.text, citation.marker
        line = text.split("\n")[citation.line - 1]
        assert citation.text in line
        assert not BOILERPLATE_LINE.search(line), f"{citation.marker} cites boilerplate: {line[:60]}"
        assert citation.marker.startswith(f"{citation.doc_id[:3]}:L{citation.line}")
    # and every marker used in the Markdown is footnoted
    markdown = (tmp_path / "brief.md").read_text(encoding="utf-8")
    body, footnotes = markdown.split("\n## Citations\n", 1)
    for marker in set(re.findall(r"\[(\d{3}:L\d+(?:\.\d+)?)\]", body)):
        assert f"**[{marker}]**" in footnotes


def test_brief_to_stdout(seeds_dir: Path) -> None:
    result = run_brief(seeds_dir, "--no-cache")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Brief of 5 articles")
    assert "## Citations" in result.stdout


def test_unusable_files_are_listed_and_exit_1(seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / "010_empty.txt").write_bytes(b"")
    (seeds_dir / "011_scan.txt").write_bytes(b"%PDF-1.5\n%\xd0\xd4\xc5\xd8\n1 0 obj\n")
    md, js = tmp_path / "brief.md", tmp_path / "brief.json"
    result = run_brief(seeds_dir, "--no-cache", "-o", md, "--json", js)
    assert result.exit_code == 1, result.output
    brief = _brief(js)
    assert brief.complete is False
    assert {Path(f.path).name: f.reason for f in brief.failed} == {
        "010_empty.txt": "empty file",
        "011_scan.txt": "not a text article: it is a PDF file",
    }
    assert len(brief.sources) == 5
    markdown = md.read_text(encoding="utf-8")
    assert "INCOMPLETE: 2 input(s) not included" in markdown
    not_included = markdown.split("**Not included:**", 1)[1]
    assert "010_empty.txt`: empty file" in not_included
    assert "011_scan.txt`: not a text article" in not_included
    assert "not included" in result.stderr


def test_missing_path_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    result = run_brief(tmp_path / "no-such-folder", "--no-cache")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught exception


def test_folder_without_articles_exits_2(tmp_path: Path) -> None:
    result = run_brief(tmp_path, "--no-cache")
    assert result.exit_code == 2
    assert "no .txt or .md articles" in result.stderr


def test_only_bad_files_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    result = run_brief(tmp_path, "--no-cache")
    assert result.exit_code == 2
    assert "no usable document" in result.stderr


def test_extract_prints_a_document_extraction(seeds_dir: Path) -> None:
    path = next(seeds_dir.glob("004_*.txt"))
    result = runner.invoke(app, ["extract", str(path), "--backend", "fake", "--no-cache"])
    assert result.exit_code == 0, result.output
    extraction = DocumentExtraction.model_validate_json(result.stdout)
    assert extraction.claims and extraction.figures and extraction.parties
    assert {"Hamas", "Israel"} <= {p.name for p in extraction.parties}


def test_scripted_invalid_citation_is_re_asked(seeds_dir: Path, tmp_path: Path) -> None:
    doc_id = next(seeds_dir.glob("003_*.txt")).name
    valid = {
        "parties": [{"name": "Hamas", "role": "belligerent", "aliases": [], "sentences": [1]}],
        "claims": [
            {
                "speaker": "A Hamas official",
                "speaker_side": "Hamas",
                "statement": "No progress was made at the Cairo talks.",
                "sentences": [1],
            }
        ],
    }
    invalid = json.loads(json.dumps(valid))
    invalid["claims"][0]["sentences"] = [999]
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({doc_id: [invalid, valid]}), encoding="utf-8")
    js = tmp_path / "brief.json"
    result = runner.invoke(
        app,
        [
            "brief",
            str(seeds_dir),
            "--backend",
            "fake",
            "--fake-replies",
            str(replies),
            "--no-cache",
            "-o",
            str(tmp_path / "b.md"),
            "--json",
            str(js),
        ],
    )
    assert result.exit_code == 0, result.output
    brief = _brief(js)
    assert brief.stats.retries == 1
    assert brief.stats.llm_calls == 4 + 2  # four rules answers, two scripted tries for 003
    assert brief.model == "scripted"
    claim = next(r for g in brief.claims for r in g.reports if r.statement == valid["claims"][0]["statement"])
    assert claim.doc_id == doc_id and claim.citations[0].line == 1


def test_scripted_always_invalid_fails_that_document_only(seeds_dir: Path, tmp_path: Path) -> None:
    doc_id = next(seeds_dir.glob("002_*.txt")).name
    boilerplate_citation = {"parties": [{"name": "X", "role": "other", "sentences": [1]}]}  # 1 is a caption
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({doc_id: ["not json", boilerplate_citation, boilerplate_citation]}))
    js = tmp_path / "brief.json"
    result = runner.invoke(
        app,
        [
            "brief",
            str(seeds_dir),
            "--backend",
            "fake",
            "--fake-replies",
            str(replies),
            "--no-cache",
            "-o",
            str(tmp_path / "b.md"),
            "--json",
            str(js),
        ],
    )
    assert result.exit_code == 1, result.output
    brief = _brief(js)
    (failed,) = brief.failed
    assert Path(failed.path).name == doc_id
    assert "extraction failed" in failed.reason and "boilerplate" in failed.reason
    assert len(brief.sources) == 4


def test_cache_second_run_makes_no_calls_and_a_change_re_extracts_one(
    seeds_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "cache.sqlite"
    js = tmp_path / "brief.json"

    def run() -> Brief:
        result = run_brief(seeds_dir, "--cache", cache, "-o", tmp_path / "b.md", "--json", js)
        assert result.exit_code == 0, result.output
        return _brief(js)

    def nlp_results() -> int:
        with sqlite3.connect(cache) as db:
            return db.execute("SELECT COUNT(*) FROM nlp_results").fetchone()[0]

    first = run()
    assert (first.stats.llm_calls, first.stats.cache_hits) == (5, 0)
    stored = nlp_results()
    assert stored > 0  # sentence spans and parses
    nlp.pipeline.cache_clear()
    default_encoder.cache_clear()
    second = run()
    assert (second.stats.llm_calls, second.stats.cache_hits) == (0, 5)
    assert second.model_dump(exclude={"stats"}) == first.model_dump(exclude={"stats"})
    assert nlp.pipeline.cache_info().currsize == 0  # all read from the cache: spaCy's pipeline not loaded
    assert default_encoder.cache_info().currsize == 0  # nor the sentence model: every vector is cached
    assert nlp_results() == stored
    changed = next(seeds_dir.glob("001_*.txt"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nThe talks will resume on Tuesday.\n")
    third = run()
    assert (third.stats.llm_calls, third.stats.cache_hits) == (1, 4)
    assert nlp_results() == stored + 2  # the new paragraph's sentences and its sentence's parse
    for citation in all_citations(third):
        text = (seeds_dir / citation.doc_id).read_bytes().decode("utf-8")
        assert text[citation.start : citation.end] == citation.text


def test_no_cache_writes_nothing(seeds_dir: Path, tmp_path: Path) -> None:
    result = run_brief(seeds_dir, "--no-cache", "-o", tmp_path / "b.md")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "default-cache").exists()  # SUMMARIZER_CACHE_DIR, see _no_env_backend


def test_help_runs() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("brief", "extract", "schemas"):
        assert command in result.output


def test_brief_is_deterministic_whatever_the_concurrency(seeds_dir: Path, tmp_path: Path) -> None:
    briefs = []
    for concurrency in ("1", "4"):
        js = tmp_path / f"brief-{concurrency}.json"
        result = run_brief(
            seeds_dir, "--no-cache", "--concurrency", concurrency, "-o", tmp_path / "b.md", "--json", js
        )
        assert result.exit_code == 0, result.output
        briefs.append(_brief(js).model_dump(exclude={"stats"}))
    assert briefs[0] == briefs[1]


def test_markdown_files_and_a_title(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("Greece and Turkey met in Vienna. Turkey said talks went well.\n")
    (tmp_path / "b.md").write_text("Greek officials said the Vienna talks failed.\n")
    js = tmp_path / "out.json"
    result = run_brief(
        tmp_path / "a.md",
        tmp_path / "b.md",
        "--no-cache",
        "--title",
        "Vienna talks",
        "-o",
        tmp_path / "out.md",
        "--json",
        js,
    )
    assert result.exit_code == 0, result.output
    brief = _brief(js)
    assert brief.title == "Vienna talks"
    assert [s.doc_id for s in brief.sources] == ["a.md", "b.md"]
    assert (tmp_path / "out.md").read_text(encoding="utf-8").startswith("# Vienna talks\n")


def test_a_missing_sentence_model_is_one_clear_line_and_exit_2(seeds_dir: Path, monkeypatch) -> None:
    from summarizer import embeddings

    embeddings.default_encoder.cache_clear()
    monkeypatch.setattr(embeddings, "MODEL_DISTRIBUTION", "no-such-embedding-package")
    try:
        result = run_brief(seeds_dir, "--no-cache")
    finally:
        embeddings.default_encoder.cache_clear()
    assert result.exit_code == 2
    assert "no-such-embedding-package is not installed" in result.output
    assert "pip install --no-deps" in result.output
    assert "Traceback" not in result.output
