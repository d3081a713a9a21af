"""Long documents: window planning, a window's view, merging the windows' extractions, the cache key,
the CLI with a small context, and the real tiny model on a generated 20,000-word article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from long_article import generate_article
from openai_server import article_sentences, running_server
from typer.testing import CliRunner

from summarizer.analysis import analyse_document, build_party_index
from summarizer.backends.base import BackendError
from summarizer.backends.fake import FakeBackend
from summarizer.cli import app
from summarizer.documents import Document, load_document
from summarizer.extract import (
    _messages_for,
    extract_document,
    extraction_context,
    plan_document_windows,
    prompt_budget,
)
from summarizer.models import (
    Brief,
    DocumentExtraction,
    ExtractedClaim,
    ExtractedFigure,
    ExtractedParty,
    PartyRole,
    all_citations,
)
from summarizer.pipeline import document_cache_key, run_brief
from summarizer.windows import OVERLAP, Window, WindowError, merge_extractions, plan_windows, window_view

# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def _costs(n: int, tokens: int = 10, boilerplate: tuple[int, ...] = ()) -> list[tuple[int, bool, int]]:
    return [(i, i not in boilerplate, tokens) for i in range(1, n + 1)]


def _citable_in(window: Window, costs: list[tuple[int, bool, int]]) -> list[int]:
    return [i for i, citable, _ in costs if citable and i in window]


def assert_cover_once(windows: list[Window], citable: list[int], overlap: int = OVERLAP) -> None:
    """Every citable sentence is in a window, and exactly once when each window's first ``overlap``
    sentences (the ones it shares with the window before) are set aside; windows are in order."""
    seen: list[int] = []
    previous: list[int] = []
    for number, window in enumerate(windows):
        ids = [i for i in citable if i in window]
        assert ids, f"window {window} holds no citable sentence"
        if number:
            shared = [i for i in ids if i in previous]
            assert shared == previous[-len(shared) :] == ids[: len(shared)], "overlap is not a shared edge"
            assert 1 <= len(shared) <= overlap
            ids = ids[len(shared) :]
        seen.extend(ids)
        previous = [i for i in citable if i in window]
    assert seen == citable


@pytest.fixture(scope="module")
def long_document(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("long") / "report.txt"
    path.write_text(generate_article(6_000, seed=3), encoding="utf-8")
    return load_document(path)


@pytest.fixture(scope="module")
def analysed(long_document: Document):
    index = build_party_index([long_document])
    return long_document, analyse_document(long_document, index), index


# ---------------------------------------------------------------------------------------------------
# Planning (pure)
# ---------------------------------------------------------------------------------------------------


def test_a_document_that_fits_is_one_window() -> None:
    assert plan_windows(_costs(30), budget=300) == [Window(1, 30)]
    assert plan_windows(_costs(30, boilerplate=(1, 30)), budget=300) == [Window(1, 30)]


def test_windows_fit_overlap_and_cover_every_citable_sentence_once() -> None:
    costs = [(i, i % 7 != 0, 5 + (i * 37) % 23) for i in range(1, 401)]  # varied lengths, boilerplate
    budget = 200
    windows = plan_windows(costs, budget)
    assert len(windows) > 10
    sizes = [len(_citable_in(w, costs)) for w in windows]
    assert max(sizes) - min(sizes) <= 6  # evenly filled, no stub of a last window
    assert windows[0].first == 1 and windows[-1].last == 400
    for window in windows:
        # What a window's prompt shows costs at most the budget (boilerplate inside it included).
        assert sum(tokens for i, _, tokens in costs if i in window) <= budget
    assert_cover_once(windows, [i for i, citable, _ in costs if citable])
    for before, after in zip(windows, windows[1:], strict=False):
        assert len(set(_citable_in(before, costs)) & set(_citable_in(after, costs))) == OVERLAP


def test_overlap_never_stops_progress() -> None:
    # Windows of two sentences: sharing three would never move on.
    windows = plan_windows(_costs(10, tokens=10), budget=25, overlap=3)
    assert windows[-1].last == 10
    assert_cover_once(windows, list(range(1, 11)), overlap=3)


def test_a_sentence_longer_than_the_budget_is_an_error() -> None:
    with pytest.raises(WindowError, match=r"sentence \[3\] alone needs 500 tokens"):
        plan_windows([(1, True, 10), (2, True, 10), (3, True, 500)], budget=100)


# ---------------------------------------------------------------------------------------------------
# Planning a real document with a backend's token counts
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["full", "focused"])
def test_long_document_windows_fit_the_context_with_global_ids(analysed, strategy: str) -> None:
    document, analysis, index = analysed
    backend = FakeBackend(context_tokens=3000, strategy=strategy)
    windows = plan_document_windows(document, analysis, index, backend)
    assert len(windows) > 3
    assert_cover_once(windows, [s.id for s in document.citable_sentences])
    budget = prompt_budget(backend)
    for window in windows:
        view, view_analysis = window_view(document, analysis, window)
        assert backend.count_tokens(_messages_for(view, view_analysis, index, strategy)) <= budget
        # The view cites the document's own ids, only inside the window.
        context = extraction_context(view)["extraction"]
        assert context.citable_ids == [s.id for s in document.citable_sentences if s.id in window]
        assert not set(context.boilerplate_ids) - {s.id for s in document.sentences if not s.citable}


def test_short_documents_and_unknown_contexts_are_one_window(analysed, seed_paths: list[Path]) -> None:
    document, analysis, index = analysed
    seed_documents = [load_document(p) for p in seed_paths]
    assert plan_document_windows(document, analysis, index, FakeBackend()) == [
        Window(1, len(document.sentences))
    ]
    seeds_index = build_party_index(seed_documents)
    for seed in seed_documents:
        windows = plan_document_windows(
            seed, analyse_document(seed, seeds_index), seeds_index, FakeBackend(context_tokens=8192)
        )
        assert windows == [Window(1, len(seed.sentences))]


def test_a_context_too_small_for_one_sentence_is_a_clear_error(analysed) -> None:
    document, analysis, index = analysed
    with pytest.raises(BackendError, match="context of 1500 tokens is too small"):
        plan_document_windows(document, analysis, index, FakeBackend(context_tokens=1500))


def test_each_window_is_one_call_that_sees_only_its_sentences(analysed) -> None:
    # The full strategy (the fake backend answers with the rules' reading of what it is shown); the
    # focused one is run window by window by the tiny model's test below.
    document, analysis, index = analysed
    backend = FakeBackend(context_tokens=3000)
    windows = plan_document_windows(document, analysis, index, backend)
    completion = extract_document(document, analysis, index, backend, windows)
    assert completion.usage.calls == len(backend.requests) == len(windows)
    for window, messages in zip(windows, backend.requests, strict=True):
        shown = [
            int(line[1 : line.index("]")]) for line in messages[1]["content"].splitlines() if line[:1] == "["
        ]
        shown = [i for i in shown if i <= len(document.sentences)]  # not the worked example's [1]..[3]
        assert shown and set(shown) <= set(range(window.first, window.last + 1))
    # The merged answer is valid for the whole document, and cites sentences from every part of it.
    context = extraction_context(document)
    value = DocumentExtraction.model_validate(completion.value.model_dump(), context=context)
    cited = {i for item in [*value.claims, *value.figures] for i in item.sentences}
    assert min(cited) in windows[0] and max(cited) > 0.8 * len(document.sentences)


# ---------------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------------


def _party(name: str, sentence: int, role: PartyRole = PartyRole.other, aliases=()) -> ExtractedParty:
    return ExtractedParty(name=name, role=role, aliases=list(aliases), sentences=[sentence])


def _claim(speaker: str, side: str, sentence: int) -> ExtractedClaim:
    return ExtractedClaim(speaker=speaker, speaker_side=side, statement=f"s{sentence}", sentences=[sentence])


def test_merge_dedupes_parties_by_name_and_items_citing_the_same_sentences() -> None:
    first = DocumentExtraction(
        parties=[_party("Regional Council", 2, aliases=["the council"]), _party("Union", 3)],
        claims=[_claim("Maria Lindqvist", "unknown", 9), _claim("a witness", "unknown", 4)],
        figures=[ExtractedFigure(quantity="jobs", value="1,200", sentences=[5])],
    )
    second = DocumentExtraction(  # reads the overlap (sentence 9) again, and places its speaker
        parties=[
            _party("regional  council", 12, PartyRole.government, ["the Council"]),
            _party("Ministry", 14),
        ],
        claims=[_claim("Maria Lindqvist", "Regional Council", 9), _claim("Helen Marsh", "Ministry", 15)],
        figures=[ExtractedFigure(quantity="jobs", value="1,200", sentences=[5])],
    )
    merged = merge_extractions([first, second])
    assert [p.name for p in merged.parties] == ["Regional Council", "Union", "Ministry"]
    council = merged.parties[0]
    assert council.role == PartyRole.government and council.sentences == [2, 12]
    assert council.aliases == ["the council", "the Council"]
    assert [(c.speaker, c.speaker_side) for c in merged.claims] == [
        ("a witness", "unknown"),
        ("Maria Lindqvist", "Regional Council"),
        ("Helen Marsh", "Ministry"),
    ]
    assert len(merged.figures) == 1


def test_merge_keeps_the_schema_limits_and_takes_items_from_every_window() -> None:
    parts = [
        DocumentExtraction(claims=[_claim(f"speaker {w}-{i}", "unknown", w * 100 + i) for i in range(1, 17)])
        for w in range(4)
    ]
    merged = merge_extractions(parts)
    assert len(merged.claims) == 16  # DocumentExtraction's max_length: the cached answer must validate
    assert {c.sentences[0] // 100 for c in merged.claims} == {0, 1, 2, 3}
    # More windows than places: one item from windows spread over the whole document.
    many = [DocumentExtraction(claims=[_claim(f"s{w}", "unknown", w * 10 + 1)]) for w in range(40)]
    spread = [c.sentences[0] // 10 for c in merge_extractions(many).claims]
    assert len(spread) == 16 and spread[0] == 0 and spread[-1] >= 36
    assert [c.sentences[0] for c in merged.claims] == sorted(c.sentences[0] for c in merged.claims)
    DocumentExtraction.model_validate(merged.model_dump())


# ---------------------------------------------------------------------------------------------------
# Cache key
# ---------------------------------------------------------------------------------------------------


def test_cache_key_is_unchanged_for_one_window_and_covers_the_windows(analysed) -> None:
    document, analysis, index = analysed
    backend = FakeBackend(context_tokens=3000)
    windows = plan_document_windows(document, analysis, index, backend)
    whole = document_cache_key(backend, document)
    assert document_cache_key(backend, document, [Window(1, len(document.sentences))]) == whole
    windowed = document_cache_key(backend, document, windows)
    assert windowed != whole
    other = plan_document_windows(document, analysis, index, FakeBackend(context_tokens=4000))
    assert other != windows and document_cache_key(backend, document, other) != windowed


# ---------------------------------------------------------------------------------------------------
# Through the CLI
# ---------------------------------------------------------------------------------------------------


def test_cli_briefs_a_long_article_in_windows_and_caches_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "report.txt").write_text(generate_article(20_000), encoding="utf-8")
    cache, out = tmp_path / "cache.sqlite3", tmp_path / "brief.json"
    args = ["brief", str(folder), "--backend", "fake", "--cache", str(cache), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--context-tokens", "4000", "-o", str(tmp_path / "b.md")])
    assert result.exit_code == 0, result.output
    brief = Brief.model_validate_json(out.read_text(encoding="utf-8"))
    assert brief.stats.llm_calls > 5
    text = (folder / "report.txt").read_text(encoding="utf-8")
    citations = all_citations(brief)
    assert citations and all(text[c.start : c.end] == c.text for c in citations)
    lines = {c.line for c in citations}
    assert min(lines) < 20 and max(lines) > len(text.splitlines()) - 60  # both ends are briefed

    again = CliRunner().invoke(app, [*args, "--context-tokens", "4000", "-o", str(tmp_path / "c.md")])
    assert again.exit_code == 0 and json.loads(out.read_text())["stats"]["cache_hits"] == 1
    other = CliRunner().invoke(app, [*args, "--context-tokens", "6000", "-o", str(tmp_path / "d.md")])
    assert other.exit_code == 0 and json.loads(out.read_text())["stats"]["cache_hits"] == 0


def test_cli_reports_a_context_too_small_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(generate_article(3_000), encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "brief",
            str(tmp_path / "report.txt"),
            "--backend",
            "fake",
            "--no-cache",
            "--context-tokens",
            "1400",
        ],
    )
    assert result.exit_code == 2
    assert "context of 1400 tokens is too small" in result.output


def test_openai_server_with_context_tokens_gets_windows_that_fit(analysed, tmp_path: Path) -> None:
    from summarizer.backends.base import estimate_tokens
    from summarizer.backends.openai_backend import OpenAIBackend

    document, analysis, index = analysed
    path = tmp_path / document.doc_id
    path.write_text(document.text, encoding="utf-8")
    with running_server(delay=0.0) as server:
        backend = OpenAIBackend("test-model", base_url=server.url, context_tokens=8192)
        windows = plan_document_windows(document, analysis, index, backend)
        brief = run_brief([path], backend, concurrency=1)
        requests = server.chat_requests
    assert len(windows) > 1 and brief.complete
    assert len(requests) == len(windows)  # one request per window, none re-asked
    for window, request in zip(windows, requests, strict=True):
        body = request.body or {}
        ids = [i for i, _, _ in article_sentences(body)]
        assert ids and set(ids) <= set(range(window.first, window.last + 1))
        # What the server's template gets (messages and the tool schema) leaves room for the answer.
        sent = estimate_tokens(json.dumps(body.get("messages")) + json.dumps(body.get("tools", "")))
        assert body["max_tokens"] == 2048 and sent + body["max_tokens"] <= 8192
    citations = all_citations(brief)
    assert citations and all(document.text[c.start : c.end] == c.text for c in citations)


# ---------------------------------------------------------------------------------------------------
# The real tiny model on a 20,000-word article
# ---------------------------------------------------------------------------------------------------


@pytest.mark.local_model
def test_tiny_model_briefs_a_20000_word_article(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install -e '.[dev]')")
    from summarizer.backends.local import LocalBackend

    try:
        # The focused strategy's answer is bounded (enums, maxLength, maxItems), so 768 tokens hold it.
        backend = LocalBackend.tiny(n_ctx=8192, max_tokens=768)
    except BackendError as exc:
        pytest.skip(f"tiny model unavailable: {exc}")
    path = tmp_path / "report.txt"
    path.write_text(generate_article(20_000, seed=11), encoding="utf-8")
    document = load_document(path)
    index = build_party_index([document])
    windows = plan_document_windows(document, analyse_document(document, index), index, backend)
    assert len(windows) > 2
    assert_cover_once(windows, [s.id for s in document.citable_sentences])

    brief = run_brief([path], backend, concurrency=1)
    assert brief.complete, brief.failed
    assert brief.stats.llm_calls >= len(windows)
    citations = all_citations(brief)
    assert citations and all(document.text[c.start : c.end] == c.text for c in citations)
    assert len({c.sentence for c in citations}) > 20
