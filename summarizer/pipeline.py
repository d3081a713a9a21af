"""The data flow end to end: documents -> analyse -> extract -> ground -> merge (render is the CLI's).

Documents are extracted concurrently with a bound; each finished extraction is cached at once, so an
interrupted run loses nothing it completed. A document whose extraction fails for good is listed in
the brief as not included; the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from summarizer.analysis import DocumentAnalysis, PartyIndex, analyse_document, build_party_index
from summarizer.backends.base import Backend, BackendError, Usage
from summarizer.cache import ExtractionCache, cache_key
from summarizer.documents import Document, LoadResult, load_documents
from summarizer.extract import (
    extract_document,
    extraction_context,
    plan_document_windows,
    prompt_hash,
    schema_hash,
)
from summarizer.ground import ground_document
from summarizer.merge import merge_documents
from summarizer.models import Brief, DocumentExtraction, DroppedItem, FailedDocument, RunStats
from summarizer.windows import Window


@dataclass
class DocumentOutcome:
    document: Document
    extraction: DocumentExtraction | None = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    error: str | None = None
    seconds: float = 0.0
    dropped: list[DroppedItem] = field(default_factory=list)  # invalid items left out of the answer
    windows: int = 1  # extraction calls a long document was split into


# Called after each document: (outcome, done, total).
ProgressCallback = Callable[[DocumentOutcome, int, int], None]


def document_cache_key(backend: Backend, document: Document, windows: list[Window] | None = None) -> str:
    parts = [backend.name, backend.model, *backend.cache_key_parts(), backend.strategy]
    # A document sent whole keeps the key it always had; a windowed one is keyed by its windows too.
    if windows and len(windows) > 1:
        parts.append("windows " + ",".join(map(str, windows)))
    return cache_key(*parts, prompt_hash(), schema_hash(), document.sha256)


def extract_with_cache(
    document: Document,
    analysis: DocumentAnalysis,
    index: PartyIndex,
    backend: Backend,
    cache: ExtractionCache | None,
) -> DocumentOutcome:
    started = time.perf_counter()
    outcome = DocumentOutcome(document)
    try:
        windows = plan_document_windows(document, analysis, index, backend)
    except BackendError as error:  # the context cannot hold even one sentence with the prompt
        outcome.error = str(error)
        return outcome
    outcome.windows = len(windows)
    key = document_cache_key(backend, document, windows)
    if cache is not None and (hit := cache.get(key)) is not None:
        try:
            context = extraction_context(document, analysis, index)
            outcome.extraction = DocumentExtraction.model_validate_json(hit[0], context=context)
            outcome.dropped = [DroppedItem.model_validate(d) for d in hit[1].get("dropped", [])]
            outcome.cached = True
            return outcome
        except ValidationError:
            pass  # written by an older schema: extract again
    try:
        completion = extract_document(document, analysis, index, backend, windows)
    except BackendError as error:
        outcome.error = str(error)
        return outcome
    outcome.extraction = completion.value
    outcome.usage = completion.usage
    outcome.dropped = completion.dropped
    if cache is not None:
        cache.put(
            key,
            document.doc_id,
            backend.name,
            backend.model,
            completion.value.model_dump_json(),
            {**vars(completion.usage), "dropped": [d.model_dump() for d in completion.dropped]},
        )
    outcome.seconds = time.perf_counter() - started
    return outcome


def with_rule_parties(extraction: DocumentExtraction, rules: DocumentExtraction) -> DocumentExtraction:
    """Parties the rules found but the model left out are added (merge resolves duplicates)."""
    names = {p.name.lower() for p in extraction.parties}
    missing = [p for p in rules.parties if p.name.lower() not in names]
    return extraction.model_copy(update={"parties": [*extraction.parties, *missing]})


def run_brief(
    inputs: list[Path] | LoadResult,
    backend: Backend,
    *,
    cache: ExtractionCache | None = None,
    concurrency: int = 4,
    title: str | None = None,
    progress: ProgressCallback | None = None,
) -> Brief:
    """Build the brief of the input paths (or of documents already loaded); raises
    documents.InputError when there is nothing to read at all."""
    started = time.perf_counter()
    loaded = inputs if isinstance(inputs, LoadResult) else load_documents(inputs)
    failed = [FailedDocument(path=path, reason=reason) for path, reason in loaded.failed]
    documents = loaded.documents
    index = build_party_index(documents)
    analyses = {d.doc_id: analyse_document(d, index) for d in documents}

    workers = max(1, min(concurrency, backend.max_concurrency or concurrency, len(documents) or 1))
    backend.set_max_concurrency(workers)  # a server backend adapts below this bound to its latency
    outcomes: dict[str, DocumentOutcome] = {}
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {
            pool.submit(extract_with_cache, d, analyses[d.doc_id], index, backend, cache): d
            for d in documents
        }
        for done, future in enumerate(as_completed(futures), start=1):
            document = futures[future]
            try:
                outcome = future.result()
            except Exception as error:  # a bug must not lose the other documents' work
                outcome = DocumentOutcome(document, error=f"internal error: {type(error).__name__}: {error}")
            outcomes[document.doc_id] = outcome
            if progress:
                progress(outcome, done, len(documents))
    except BaseException:
        # Ctrl-C: documents not started are dropped at once (the calls in flight finish and are cached).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    stats = RunStats()
    grounded = []
    included = []
    for document in documents:  # input order, so the brief does not depend on thread timing
        outcome = outcomes[document.doc_id]
        stats.llm_calls += outcome.usage.calls
        stats.retries += outcome.usage.retries
        stats.prompt_tokens += outcome.usage.prompt_tokens
        stats.completion_tokens += outcome.usage.completion_tokens
        stats.cache_hits += int(outcome.cached)
        if outcome.extraction is None:
            failed.append(FailedDocument(path=document.path, reason=f"extraction failed: {outcome.error}"))
            continue
        analysis = analyses[document.doc_id]
        rules = extraction_context(document, analysis, index)["rules"]
        extraction = with_rule_parties(outcome.extraction, rules)
        grounded.append(ground_document(document, extraction, analysis, index))
        included.append(document)
    stats.wall_seconds = round(time.perf_counter() - started, 3)
    brief = merge_documents(
        grounded,
        included,
        index,
        failed=failed,
        stats=stats,
        backend=backend.name,
        model=backend.model,
        title=title,
    )
    for source in brief.sources:  # what the model's answers lost, item by item
        source.dropped = outcomes[source.doc_id].dropped if source.doc_id in outcomes else []
    brief.stats.wall_seconds = round(time.perf_counter() - started, 3)
    return brief
