"""cache: keys, persistence, concurrent writers, and how the pipeline uses it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from summarizer import nlp, pipeline
from summarizer.analysis import analyse_document, build_party_index
from summarizer.backends.fake import FakeBackend
from summarizer.cache import ExtractionCache, cache_key, default_cache_path
from summarizer.documents import load_document
from summarizer.pipeline import document_cache_key, extract_with_cache, run_brief


def test_cache_key_depends_on_every_part_and_their_order() -> None:
    base = cache_key("openai", "gpt", "tools", "p1", "s1", "sha")
    assert base == cache_key("openai", "gpt", "tools", "p1", "s1", "sha")
    assert len(base) == 64
    variants = [
        cache_key("local", "gpt", "tools", "p1", "s1", "sha"),
        cache_key("openai", "gpt2", "tools", "p1", "s1", "sha"),
        cache_key("openai", "gpt", "json", "p1", "s1", "sha"),
        cache_key("openai", "gpt", "tools", "p2", "s1", "sha"),
        cache_key("openai", "gpt", "tools", "p1", "s2", "sha"),
        cache_key("openai", "gpt", "tools", "p1", "s1", "sha2"),
        cache_key("openaig", "pt", "tools", "p1", "s1", "sha"),  # no ambiguity from joining
    ]
    assert len({base, *variants}) == len(variants) + 1


def test_put_get_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "cache.sqlite"
    cache = ExtractionCache(path)
    assert cache.get("k") is None
    cache.put("k", "001.txt", "fake", "rules", '{"parties": []}', {"calls": 1, "prompt_tokens": 9})
    assert cache.get("k") == ('{"parties": []}', {"calls": 1, "prompt_tokens": 9})
    cache.put("k", "001.txt", "fake", "rules", '{"claims": []}', {"calls": 2})  # replace
    cache.close()
    reopened = ExtractionCache(path)
    assert reopened.get("k") == ('{"claims": []}', {"calls": 2})
    reopened.close()
    rows = sqlite3.connect(path).execute("SELECT key, doc_id, backend, model FROM extractions").fetchall()
    assert rows == [("k", "001.txt", "fake", "rules")]


def test_concurrent_writers_from_threads(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite")

    def write(worker: int) -> None:
        for number in range(50):
            cache.put(f"{worker}-{number}", "d", "b", "m", "{}", {})
            assert cache.get(f"{worker}-{number}") == ("{}", {})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = cache._db.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
    assert count == 400
    cache.close()


def test_default_cache_path_honours_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_path() == tmp_path / "c" / "extractions.sqlite3"


def test_extract_with_cache_hit_skips_the_backend(seed_paths: list[Path], tmp_path: Path) -> None:
    document = load_document(seed_paths[2])
    index = build_party_index([document])
    analysis = analyse_document(document, index)
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    backend = FakeBackend()
    first = extract_with_cache(document, analysis, index, backend, cache)
    assert not first.cached and first.usage.calls == 1 and len(backend.requests) == 1
    second = extract_with_cache(document, analysis, index, backend, cache)
    assert second.cached and second.usage.calls == 0 and len(backend.requests) == 1
    assert second.extraction == first.extraction
    # another model is another key
    other = FakeBackend(model="other")
    assert document_cache_key(other, document) != document_cache_key(backend, document)
    assert not extract_with_cache(document, analysis, index, other, cache).cached
    cache.close()


def test_unreadable_cache_entry_is_extracted_again(seed_paths: list[Path], tmp_path: Path) -> None:
    document = load_document(seed_paths[2])
    index = build_party_index([document])
    analysis = analyse_document(document, index)
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    backend = FakeBackend()
    key = document_cache_key(backend, document)
    # an entry from an older schema, or one citing a sentence that is boilerplate now
    cache.put(key, document.doc_id, "fake", "rules", '{"parties": [{"name": 1}]}', {})
    outcome = extract_with_cache(document, analysis, index, backend, cache)
    assert not outcome.cached and outcome.extraction is not None and len(backend.requests) == 1
    assert extract_with_cache(document, analysis, index, backend, cache).cached  # and replaced
    cache.close()


def test_run_brief_counts_cache_hits(seed_paths: list[Path], tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite")
    first = run_brief([seed_paths[0].parent], FakeBackend(), cache=cache)
    second = run_brief([seed_paths[0].parent], FakeBackend(), cache=cache)
    cache.close()
    assert (first.stats.llm_calls, first.stats.cache_hits) == (5, 0)
    assert (second.stats.llm_calls, second.stats.cache_hits) == (0, 5)
    assert second.model_dump(exclude={"stats"}) == first.model_dump(exclude={"stats"})


def test_a_rules_answer_is_not_reused_once_the_rules_change(
    seed_paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = load_document(seed_paths[0])
    before = document_cache_key(FakeBackend(), document)
    assert document_cache_key(FakeBackend(), document) == before  # same code: same key, cached
    monkeypatch.setattr(pipeline, "rules_version", lambda: "edited")
    assert document_cache_key(FakeBackend(), document) != before


# ---------------------------------------------------------------------------------------------------
# The NLP pipeline's results (nlp.remembering)
# ---------------------------------------------------------------------------------------------------


def nlp_rows(cache: ExtractionCache) -> dict[str, bytes]:
    return dict(cache._db.execute("SELECT key, value FROM nlp_results").fetchall())


def test_nlp_results_are_read_back_without_loading_the_pipeline(tmp_path: Path) -> None:
    paragraphs = ["He said no. The delegation left.", "The U.S. envoy landed at 5 p.m. on Jan. 5. He left."]
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    with nlp.remembering(cache):
        spans = nlp.split(paragraphs)
        docs = nlp.parse(paragraphs)
    assert len(nlp_rows(cache)) == 4  # two views of two texts
    nlp.pipeline.cache_clear()
    with nlp.remembering(cache):
        assert nlp.split(paragraphs) == spans
        again = nlp.parse([paragraphs[1], paragraphs[0], paragraphs[1]])
    assert nlp.pipeline.cache_info().currsize == 0  # read back: the pipeline was never loaded
    for fresh, stored in zip([docs[1], docs[0], docs[1]], again, strict=True):
        assert [(t.text, t.lemma_, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in stored] == [
            (t.text, t.lemma_, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in fresh
        ]
        assert [s.text for s in stored.sents] == [s.text for s in fresh.sents]
    assert cache.errors == []
    cache.close()


def test_remembering_is_restored_and_off_by_default(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    nlp.split(["Nothing is remembered here."])
    with nlp.remembering(cache):
        with nlp.remembering(None):
            nlp.split(["Nor here."])
        nlp.split(["But here."])
    nlp.parse(["Nor after the block."])
    assert list(nlp_rows(cache)) == [nlp.result_key("senter", "But here.")]
    cache.close()


def test_a_cached_rerun_reads_sentences_and_parses_and_gives_the_same_brief(
    seeds_dir: Path, tmp_path: Path
) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    first = run_brief([seeds_dir], FakeBackend(), cache=cache)
    stored = nlp_rows(cache)
    assert stored
    nlp.pipeline.cache_clear()
    second = run_brief([seeds_dir], FakeBackend(), cache=cache)
    assert nlp.pipeline.cache_info().currsize == 0  # neither split nor parsed: the pipeline never loaded
    assert second.stats.cache_hits == 5 and nlp_rows(cache) == stored and cache.errors == []
    assert second.model_dump(exclude={"stats"}) == first.model_dump(exclude={"stats"})
    cache.close()


def test_damaged_nlp_results_are_computed_again(seeds_dir: Path, tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    first = run_brief([seeds_dir], FakeBackend(), cache=cache)
    stored = nlp_rows(cache)
    # a quarter of the rows each: cut short, text instead of a blob, garbage, and a parse of another text
    other_parse = max(stored.values(), key=len)
    damages = ["substr(value, 1, length(value) / 2)", "'not a blob'", "x'00ff7b5b'", "?"]
    keys = sorted(stored)
    for number, damage in enumerate(damages):
        for key in keys[number::4]:
            values = (other_parse, key) if damage == "?" else (key,)
            cache._db.execute(f"UPDATE nlp_results SET value = {damage} WHERE key = ?", values)
    assert nlp_rows(cache) != stored
    second = run_brief([seeds_dir], FakeBackend(), cache=cache)
    assert second.model_dump(exclude={"stats"}) == first.model_dump(exclude={"stats"})
    assert nlp_rows(cache) == stored  # computed again and stored again
    assert cache.errors == []
    cache.close()


def test_an_unreadable_or_read_only_cache_does_not_fail_the_run(seeds_dir: Path, tmp_path: Path) -> None:
    expected = run_brief([seeds_dir], FakeBackend()).model_dump(exclude={"stats"})
    unreadable = ExtractionCache(tmp_path / "unreadable.sqlite3")
    unreadable._db.execute("DROP TABLE nlp_results")  # every read and write of it fails
    assert run_brief([seeds_dir], FakeBackend(), cache=unreadable).model_dump(exclude={"stats"}) == expected
    assert any("nlp_results" in error for error in unreadable.errors)
    unreadable.close()

    read_only = ExtractionCache(tmp_path / "read-only.sqlite3")
    read_only._db.execute("PRAGMA query_only = ON")  # SQLite refuses every write, as on a read-only file
    assert run_brief([seeds_dir], FakeBackend(), cache=read_only).model_dump(exclude={"stats"}) == expected
    assert any("readonly" in error for error in read_only.errors)
    assert nlp_rows(read_only) == {}
    read_only.close()
