"""Hundreds of articles on one story (issue 10): capped Markdown, republished copies counted as one
voice, cached claim vectors, progress figures, and a resumed 200-document run.

The generated corpus is ``bench/scale_corpus.py`` (an invented story; the same generator the
benchmark uses), loaded through the real loader and briefed through the real pipeline.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from summarizer.backends.fake import FakeBackend
from summarizer.cache import ExtractionCache
from summarizer.documents import load_document, load_documents
from summarizer.duplicates import COPY_THRESHOLD, Voices, containment, find_copies, shingles
from summarizer.embeddings import CachedEncoder, default_encoder
from summarizer.models import (
    Brief,
    Citation,
    ClaimGroup,
    ClaimReport,
    ContestedPoint,
    ContestedPosition,
    DemandEntry,
    FigureComparison,
    FigureValue,
    PartyEntry,
    PartyRole,
    SourceDocument,
    all_citations,
)
from summarizer.pipeline import run_brief
from summarizer.progress import ProgressMeter
from summarizer.render import CAPS, MAX_FIGURE_VALUES, MAX_MARKERS, render_json, render_markdown
from summarizer.render_html import load_sources, render_html

ROOT = Path(__file__).resolve().parent.parent


def _corpus_module():
    spec = importlib.util.spec_from_file_location("scale_corpus", ROOT / "bench" / "scale_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale_corpus"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()


# ---------------------------------------------------------------------------------------------------
# Caps
# ---------------------------------------------------------------------------------------------------


def _citation(doc: int, line: int) -> Citation:
    label = f"{doc:03d}"
    return Citation(
        marker=f"{label}:L{line}",
        doc_id=f"{label}_x.txt",
        path=f"news/{label}_x.txt",
        line=line,
        start=0,
        end=4,
        sentence=line,
        text=f"sentence {line} of {label}",
    )


def _big_brief(sources: int = 60, copies: int = 10) -> Brief:
    """A brief with more of everything than the caps show; documents 1..copies republish document 0."""
    ids = [f"{n:03d}_x.txt" for n in range(sources)]
    rng = random.Random(3)

    def cited(count: int, line: int) -> tuple[list[Citation], list[str]]:
        docs = sorted(rng.sample(range(sources), min(count, sources)))
        return [_citation(d, line) for d in docs], [ids[d] for d in docs]

    claims = []
    for number in range(1, 46):
        citations, docs = cited(max(1, 50 - number), number)
        reports = [
            ClaimReport(
                doc_id=c.doc_id,
                speaker=f"speaker {number}",
                speaker_side=f"Side {number % 3}",
                statement=f"claim {number}",
                citations=[c],
                sources=[c.doc_id],
            )
            for c in citations
        ]
        claims.append(
            ClaimGroup(
                id=f"C{number}",
                statement=f"claim {number}",
                speaker_sides=[f"Side {number % 3}"],
                negated=False,
                reports=reports,
                sources=docs,
            )
        )
    parties = []
    for number in range(20):
        citations, docs = cited(max(1, 40 - number), 100 + number)
        parties.append(
            PartyEntry(name=f"Party {number}", role=PartyRole.other, citations=citations, sources=docs)
        )
    demands = []
    for number in range(25):
        citations, docs = cited(1 + number % 5, 200 + number)
        demands.append(
            DemandEntry(
                party=f"Party {number % 4}", demand=f"demand {number}", citations=citations, sources=docs
            )
        )
    contested = [
        ContestedPoint(
            id=f"Q{number}",
            question=f"Whether question {number}",
            positions=[
                ContestedPosition(
                    side=f"Side {side}",
                    claim_ids=[f"C{number}"],
                    statement=f"position {side}",
                    negated=bool(side),
                    citations=cited(3, 300 + number)[0],
                    sources=cited(3, 300 + number)[1],
                )
                for side in range(2)
            ],
        )
        for number in range(1, 15)
    ]
    return Brief(
        title="Big brief",
        backend="fake",
        model="rules",
        complete=True,
        sources=[
            SourceDocument(
                doc_id=doc_id,
                path=f"news/{doc_id}",
                sha256="0" * 64,
                sentences=10,
                copy_of=ids[0] if 1 <= n <= copies else None,
            )
            for n, doc_id in enumerate(ids)
        ],
        parties=parties,
        demands=demands,
        claims=claims,
        contested=contested,
    )


def test_sections_are_capped_with_the_rest_in_the_json() -> None:
    brief = _big_brief()
    markdown = render_markdown(brief)
    assert f"_{45 - CAPS['claims']} more claims in brief.json_" in markdown
    assert f"_{20 - CAPS['parties']} more parties in brief.json_" in markdown
    assert f"_{25 - CAPS['demands']} more demands in brief.json_" in markdown
    assert f"_{14 - CAPS['contested']} more contested points in brief.json_" in markdown
    assert f"_{60 - CAPS['sources']} more sources in brief.json_" in markdown
    assert len(re.findall(r"^- \*\*C\d+\*\*", markdown, re.M)) == CAPS["claims"]
    # the lines name the JSON file written with the Markdown, or say how to get one
    assert f"_{60 - CAPS['sources']} more sources in monday.json_" in render_markdown(brief, "monday.json")
    assert "more claims in the JSON brief (--json)_" in render_markdown(brief, None)
    # the JSON keeps every item
    again = Brief.model_validate_json(render_json(brief))
    assert len(again.claims) == 45 and len(again.parties) == 20 and len(again.demands) == 25
    assert again == brief


def test_capped_items_rank_by_voices_and_cite_one_source_per_voice_first() -> None:
    brief = _big_brief()
    markdown = render_markdown(brief)
    shown = re.findall(r"^- \*\*(C\d+)\*\*", markdown, re.M)
    voices = Voices.of_sources(brief.sources)
    counts = {g.id: voices.count(g.sources) for g in brief.claims}
    assert [counts[c] for c in shown] == sorted((counts[c] for c in shown), reverse=True)
    assert min(counts[c] for c in shown) >= max(v for c, v in counts.items() if c not in shown)
    line = next(line for line in markdown.splitlines() if line.startswith("- **C1** "))
    markers = re.findall(r"\[(\d{3}):L\d+\]", line)
    assert len(markers) == MAX_MARKERS
    assert f"(+{len(brief.claims[0].reports) - MAX_MARKERS} more)" in line
    # documents 001-010 republish 000: at most one of that group is among the first citations
    assert len([m for m in markers if int(m) <= 10]) <= 1


def test_counts_are_voices_and_every_shown_marker_is_footnoted() -> None:
    brief = _big_brief(sources=60, copies=10)
    markdown = render_markdown(brief)
    assert "_60 sources (50 independent: 10 republish another's text" in markdown
    assert re.search(r"reported by \d+ of 50 sources", markdown)
    body, footnotes = markdown.split("## Citations", 1)
    shown = set(re.findall(r"\[(\d{3}:L\d+)\]", body))
    noted = set(re.findall(r"^- \*\*\[(\d{3}:L\d+)\]\*\*", footnotes, re.M))
    assert shown == noted


def test_a_cut_figure_table_shows_every_value_and_independent_sources_first() -> None:
    brief = _big_brief(sources=60, copies=10)  # 001-010 republish 000
    values = [
        FigureValue(
            doc_id=f"{n:03d}_x.txt", value=120 if n == 19 else 100, text="x", citation=_citation(n, 50)
        )
        for n in range(20)
    ]
    brief.figures = [
        FigureComparison(
            quantity="ships waiting", values=values, discrepancy=True, sources=[v.doc_id for v in values]
        )
    ]
    rows = [line for line in render_markdown(brief).splitlines() if line.startswith("| ships waiting")]
    shown = [row.split(" | ")[1] for row in rows[:MAX_FIGURE_VALUES]]
    assert shown[:2] == ["000_x.txt", "019_x.txt"]  # both values, the disagreement
    assert shown[2:] == [f"{n:03d}_x.txt" for n in range(11, 17)]  # then independent sources, not copies
    assert (
        rows[MAX_FIGURE_VALUES]
        == f"| ships waiting | {20 - MAX_FIGURE_VALUES} more values in brief.json | | | | |"
    )


def test_a_small_brief_is_not_capped() -> None:
    brief = _big_brief(sources=5, copies=0)
    brief.claims = brief.claims[:5]
    brief.parties = brief.parties[:5]
    brief.demands = brief.demands[:5]
    brief.contested = brief.contested[:3]
    for group in brief.claims:  # few citations each
        group.reports = group.reports[:3]
    markdown = render_markdown(brief)
    assert "more in brief.json" not in markdown and "more)" not in markdown
    assert "independent" not in markdown


# ---------------------------------------------------------------------------------------------------
# Republished copies
# ---------------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return load_document(folder / name)


def test_copies_with_small_edits_are_one_voice_and_other_articles_are_not(tmp_path: Path) -> None:
    rng = random.Random(5)
    wire = _write(tmp_path, "000_wire.txt", corpus.article(corpus.WIRE, rng, day=3))
    # each kind of edit on its own, and all at once
    lines = wire.text.split("\n")
    headline = _write(tmp_path, "001_a.txt", "\n".join([lines[0], "A different headline", *lines[2:]]))
    added = _write(tmp_path, "002_b.txt", wire.text + "\nThe Daily Example asked the union for comment.\n")
    boiler = _write(
        tmp_path, "003_c.txt", wire.text.replace("READ:", "RELATED:") + "\nSubscribe to our newsletter.\n"
    )
    republished = _write(tmp_path, "004_d.txt", corpus.republish(wire.text, "Harbour Times", rng))
    others = [
        _write(tmp_path, f"1{n:02d}_own.txt", corpus.article(corpus.OUTLETS[n % 12], rng, day=3))
        for n in range(8)
    ]
    voices = find_copies([wire, headline, added, boiler, republished, *others])
    assert voices.voice_of == {d.doc_id: "000_wire.txt" for d in (headline, added, boiler, republished)}
    assert [g.doc_ids for g in voices.groups] == [
        ["000_wire.txt", "001_a.txt", "002_b.txt", "003_c.txt", "004_d.txt"]
    ]
    assert voices.count([d.doc_id for d in (wire, headline, added, boiler, republished, *others)]) == 9
    # different articles on the same story share quotes and phrases, but stay far below the threshold
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            assert containment(shingles(a), shingles(b)) < COPY_THRESHOLD


def test_short_items_quoting_one_statement_are_two_voices(tmp_path: Path) -> None:
    quote = (
        '"The strike will go on until every worker at the terminal is paid what the contract promised '
        'them last spring," the union leader said.'
    )
    first = _write(tmp_path, "001_flash.txt", f"Dock workers marched on Monday.\n\n{quote}\n")
    second = _write(tmp_path, "002_brief.txt", f"{quote}\n\nThe port authority did not comment.\n")
    assert containment(shingles(first), shingles(second)) >= COPY_THRESHOLD  # mostly the quote...
    assert find_copies([first, second]).groups == []  # ...but too little text to be a republication


def test_the_generated_corpus_copies_are_found_exactly(tmp_path: Path) -> None:
    generated = corpus.write_corpus(tmp_path / "c", count=60, seed=4)
    documents = load_documents([tmp_path / "c"]).documents
    assert find_copies(documents).voice_of == generated.copies
    assert len(generated.copies) >= 5


def test_merged_claims_count_voices_and_the_brief_names_the_copies(tmp_path: Path) -> None:
    rng = random.Random(11)
    folder = tmp_path / "news"
    wire = corpus.article(corpus.WIRE, rng, day=2)
    _write(folder, "000_wire.txt", wire)
    _write(folder, "001_copy.txt", corpus.republish(wire, "Capital Post", rng))
    _write(folder, "002_copy.txt", corpus.republish(wire, "Plains Tribune", rng))
    _write(folder, "003_own.txt", corpus.article("Metro Dispatch", rng, day=2))
    brief = run_brief([folder], FakeBackend())
    assert [g.sources for g in brief.republished] == [["000_wire.txt", "001_copy.txt", "002_copy.txt"]]
    assert {s.doc_id: s.copy_of for s in brief.sources} == {
        "000_wire.txt": None,
        "001_copy.txt": "000_wire.txt",
        "002_copy.txt": "000_wire.txt",
        "003_own.txt": None,
    }
    carried_by_copies = [g for g in brief.claims if {"001_copy.txt", "002_copy.txt"} <= set(g.sources)]
    assert carried_by_copies, "the wire's claims are in the brief"
    for group in brief.claims:
        independent = {"000_wire.txt" if s.endswith("_copy.txt") else s for s in group.sources}
        assert group.voices == len(independent)
    markdown = render_markdown(brief)
    assert "_4 sources (2 independent: 2 republish another's text" in markdown
    assert "## Republished text" in markdown and "`000_wire.txt`, `001_copy.txt`, `002_copy.txt`" in markdown
    assert not re.search(r"reported by [3-9] of", markdown)
    assert all(re.search(r"\(\d of 2 sources\)", p.text) for p in brief.key_points if p.kind == "claim")
    page = render_html(brief, load_sources(brief))
    assert page.count("republishes the text of 000_wire.txt (one voice)") == 2


# ---------------------------------------------------------------------------------------------------
# Claim vectors cached by text
# ---------------------------------------------------------------------------------------------------


class CountingEncoder:
    """The real encoder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return default_encoder().encode(texts)


def test_claim_vectors_are_cached_by_text(tmp_path: Path) -> None:
    texts = ["the talks made progress", "no deal was reached on pay", "the talks made progress"]
    expected = default_encoder().encode(texts)
    first = CountingEncoder()
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    vectors = CachedEncoder(first, cache).encode(texts)
    assert first.texts == texts[:2]  # each distinct text encoded once
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    cache.close()

    second = CountingEncoder()
    cache = ExtractionCache(tmp_path / "cache.sqlite3")  # a new run on the same file
    cached = CachedEncoder(second, cache)
    again = cached.encode([*texts, "ministers were ready to step in"])
    assert second.texts == ["ministers were ready to step in"]
    assert (cached.hits, cached.misses) == (3, 1)
    np.testing.assert_array_equal(again[:3], vectors)  # the stored bytes, exactly
    np.testing.assert_allclose(
        again[3], default_encoder().encode(["ministers were ready to step in"])[0], atol=1e-6
    )
    cache.close()


def test_a_rerun_encodes_no_claim_again(tmp_path: Path, seeds_dir: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    first = run_brief([seeds_dir], FakeBackend(), cache=cache)
    stored = cache._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    # every claim's statement, and the lead's candidate sentences (merge/lead.py) too
    assert stored >= len({r.statement.strip() for g in first.claims for r in g.reports})
    second = run_brief([seeds_dir], FakeBackend(), cache=cache)
    assert cache._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == stored
    assert [(g.statement, g.sources) for g in second.claims] == [
        (g.statement, g.sources) for g in first.claims
    ]
    assert second.lead == first.lead
    cache.close()


# ---------------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------------


def test_progress_shows_documents_tokens_per_second_and_eta() -> None:
    now = [100.0]
    meter = ProgressMeter(clock=lambda: now[0])
    now[0] = 101.0  # analysis before the first extraction does not count
    snapshot = meter.update(1, 10, cached=True)
    assert (snapshot.done, snapshot.total, snapshot.cached) == (1, 10, 1)
    assert snapshot.tokens_per_second is None and snapshot.eta_seconds is None
    assert snapshot.describe() == "- tokens/s · ETA -"
    now[0] = 105.0
    snapshot = meter.update(2, 10, cached=False, completion_tokens=200, seconds=4.0)
    assert snapshot.tokens_per_second == pytest.approx(50.0)  # 200 tokens in the 4 s since it started
    assert snapshot.eta_seconds == pytest.approx(8 * 4.0)  # 8 left, 4 s per extracted document
    now[0] = 109.0
    snapshot = meter.update(3, 10, cached=False, failed=True, completion_tokens=100, seconds=4.0)
    assert snapshot.failed == 1 and snapshot.completion_tokens == 300
    assert snapshot.tokens_per_second == pytest.approx(300 / 8)
    assert snapshot.eta_seconds == pytest.approx(7 * 8 / 2)
    assert snapshot.describe() == "37.5 tokens/s · ETA 0m28s"
    assert meter.update(10, 10, cached=False, seconds=1.0).eta_seconds == 0


# ---------------------------------------------------------------------------------------------------
# An interrupted 200-document run resumes from the cache
# ---------------------------------------------------------------------------------------------------


def test_an_interrupted_200_document_run_resumes_from_the_cache(tmp_path: Path) -> None:
    generated = corpus.write_corpus(tmp_path / "news", count=200, seed=2)
    loaded = load_documents([tmp_path / "news"])
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    seen: list[tuple[int, int]] = []

    def interrupt(outcome, done: int, total: int) -> None:
        seen.append((done, total))
        if done == 120:
            raise KeyboardInterrupt  # what Ctrl-C raises in the CLI's main thread

    with pytest.raises(KeyboardInterrupt):
        run_brief(loaded, FakeBackend(), cache=cache, concurrency=4, progress=interrupt)
    assert seen == [(n, 200) for n in range(1, 121)]
    finished = cache._db.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
    assert 120 <= finished < 200  # workers may run ahead of the callbacks, not to the end

    progress: list[tuple[int, bool]] = []
    brief = run_brief(
        loaded,
        FakeBackend(),
        cache=cache,
        concurrency=4,
        progress=lambda o, d, t: progress.append((d, o.cached)),
    )
    cache.close()
    assert brief.complete and len(brief.sources) == 200
    # the calls in flight at the interrupt finish (and are cached) in the background: at most 4 more
    assert finished <= brief.stats.cache_hits <= finished + 4
    assert brief.stats.llm_calls == 200 - brief.stats.cache_hits
    assert [d for d, _ in progress] == list(range(1, 201))
    assert sum(cached for _, cached in progress) == brief.stats.cache_hits
    assert {s.doc_id: s.copy_of for s in brief.sources if s.copy_of} == generated.copies
    texts = {d.doc_id: d.text for d in loaded.documents}
    assert all(texts[c.doc_id][c.start : c.end] == c.text for c in all_citations(brief))
    assert len(render_markdown(brief).splitlines()) < 2000
