"""The data flow end to end: documents -> analyse -> extract -> ground -> merge (render is the CLI's).

Documents are extracted concurrently with a bound; each finished extraction is cached at once, so an
interrupted run loses nothing it completed. A document whose extraction fails for good is listed in
the brief as not included; the others go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from summarizer import nlp
from summarizer.analysis import (
    DocumentAnalysis,
    PartyIndex,
    analyse_document,
    build_party_index,
    rules_extraction,
)
from summarizer.backends.base import Backend, BackendError, Completion, Usage
from summarizer.cache import ExtractionCache, cache_key
from summarizer.decisions import Decider
from summarizer.documents import Document, LoadResult, load_documents
from summarizer.embeddings import CachedEncoder, DeferredEncoder
from summarizer.extract import (
    extract_document,
    extraction_context,
    plan_document_windows,
    prompt_hash,
    rules_version,
    schema_hash,
)
from summarizer.ground import ground_document
from summarizer.inputs import InputKind
from summarizer.merge import merge_documents
from summarizer.models import (
    Brief,
    DocumentExtraction,
    DroppedItem,
    FailedDocument,
    FileCut,
    RunStats,
    SkippedFile,
)
from summarizer.relatedness import flag_unrelated
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
# Extracts some documents before the per-document calls (``--batch``): their outcomes, by doc_id.
PrepareHook = Callable[[list[Document], dict[str, DocumentAnalysis], PartyIndex], dict[str, DocumentOutcome]]


def document_cache_key(backend: Backend, document: Document, windows: list[Window] | None = None) -> str:
    parts = [backend.name, backend.model, *backend.cache_key_parts()]
    if backend.may_not_answer:  # the rules' answer stands in (extract): the code decides it too
        parts.append(rules_version())
    parts.append(backend.strategy)
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
    key = document_cache_key(backend, document, windows)
    if cache is not None and (hit := cached_outcome(document, analysis, index, backend, cache, key)):
        hit.windows = len(windows)
        return hit
    outcome.windows = len(windows)
    try:
        completion = extract_document(document, analysis, index, backend, windows)
    except BackendError as error:
        outcome.error = str(error)
        return outcome
    outcome.extraction = completion.value
    outcome.usage = completion.usage
    outcome.dropped = completion.dropped
    if cache is not None:
        remember(cache, backend, document, completion, key)
    outcome.seconds = time.perf_counter() - started
    return outcome


def cached_outcome(
    document: Document,
    analysis: DocumentAnalysis,
    index: PartyIndex,
    backend: Backend,
    cache: ExtractionCache,
    key: str | None = None,
) -> DocumentOutcome | None:
    """The document's cached extraction, if there is one that still validates (``key``: the
    document's cache key, when its windows are planned already)."""
    hit = cache.get(key or document_cache_key(backend, document))
    if hit is None:
        return None
    try:
        context = extraction_context(document)
        extraction = DocumentExtraction.model_validate_json(hit[0], context=context)
        dropped = [DroppedItem.model_validate(d) for d in hit[1].get("dropped", [])]
    except ValidationError:
        return None  # written by an older schema: extract again
    return DocumentOutcome(document, extraction, cached=True, dropped=dropped)


def remember(
    cache: ExtractionCache,
    backend: Backend,
    document: Document,
    completion: Completion,
    key: str | None = None,
) -> None:
    """Cache one extraction at once, so an interrupted run keeps it."""
    cache.put(
        key or document_cache_key(backend, document),
        document.doc_id,
        backend.name,
        backend.model,
        completion.value.model_dump_json(),
        {**vars(completion.usage), "dropped": [d.model_dump() for d in completion.dropped]},
    )


def with_rule_parties(extraction: DocumentExtraction, rules: DocumentExtraction) -> DocumentExtraction:
    """Parties the rules found but the model left out are added (merge resolves duplicates)."""
    names = {p.name.lower() for p in extraction.parties}
    missing = [p for p in rules.parties if p.name.lower() not in names]
    return extraction.model_copy(update={"parties": [*extraction.parties, *missing]})


def made_at() -> str:
    """Now, UTC, to the second; SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it so that
    a rerun can give byte-identical files. Recorded in the run's stats, next to its timings: a brief
    says when it was made (``--since`` dates the earlier brief with it) while its content stays a
    function of its input."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_brief(
    inputs: list[Path] | LoadResult,
    backend: Backend,
    *,
    cache: ExtractionCache | None = None,
    concurrency: int = 4,
    title: str | None = None,
    progress: ProgressCallback | None = None,
    prepare: PrepareHook | None = None,
    decider: Decider | None = None,
) -> Brief:
    """Build the brief of the input paths (or of documents already loaded); raises
    documents.InputError when there is nothing to read at all. With a cache, the NLP pipeline's results
    are remembered in it too (sentences and parses: a rerun over the same text does not redo them).
    With a ``decider``, a model makes the decisions it is given between the analysis and the merge
    (``summarizer.decisions``); their calls and tokens count in the run's stats."""
    started = time.perf_counter()
    with nlp.remembering(cache):  # None: nothing read or written
        loaded = inputs if isinstance(inputs, LoadResult) else load_documents(inputs)
        documents = loaded.documents
        if cache is not None:  # what a page, PDF or record was read as: `render` checks against it
            cache.put_texts({d.sha256: d.text for d in documents if d.kind != InputKind.text})
        index = build_party_index(documents)
        analyses = {d.doc_id: analyse_document(d, index) for d in documents}
    failed = [FailedDocument(path=path, reason=reason) for path, reason in loaded.failed]

    workers = max(1, min(concurrency, backend.max_concurrency or concurrency, len(documents) or 1))
    backend.set_max_concurrency(workers)  # a server backend adapts below this bound to its latency
    outcomes = prepare(documents, analyses, index) if prepare else {}
    for done, outcome in enumerate(outcomes.values(), start=1):
        if progress:
            progress(outcome, done, len(documents))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {
            pool.submit(extract_with_cache, d, analyses[d.doc_id], index, backend, cache): d
            for d in documents
            if d.doc_id not in outcomes
        }
        for done, future in enumerate(as_completed(futures), start=len(outcomes) + 1):
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

    usage = Usage.total(outcome.usage for outcome in outcomes.values())
    stats = RunStats(
        made_at=made_at(),
        llm_calls=usage.calls,
        retries=usage.retries,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cache_hits=sum(outcome.cached for outcome in outcomes.values()),
    )
    grounded = []
    included = []
    for document in documents:  # input order, so the brief does not depend on thread timing
        outcome = outcomes[document.doc_id]
        if outcome.extraction is None:
            failed.append(FailedDocument(path=document.path, reason=f"extraction failed: {outcome.error}"))
            continue
        analysis = analyses[document.doc_id]
        rules = rules_extraction(document, analysis, index)
        extraction = with_rule_parties(outcome.extraction, rules)
        grounded.append(ground_document(document, extraction, analysis, index))
        included.append(document)
    decisions = (
        decider.before_merge(grounded, analyses, index, cache, included) if decider is not None else None
    )
    stats.wall_seconds = round(time.perf_counter() - started, 3)
    with nlp.remembering(cache):  # the merge parses claims' statements: a rerun reads them back
        brief = merge_documents(
            grounded,
            included,
            index,
            failed=failed,
            stats=stats,
            backend=backend.name,
            model=backend.model,
            title=title,
            # claim vectors kept with the extractions: a rerun does not encode the same claims again
            encoder=CachedEncoder(DeferredEncoder(), cache) if cache is not None else None,
            analyses=analyses,
            judge=decisions.judge if decisions else None,
            plan_kinds=decisions.plan_kinds if decisions else None,
            demand_owners=decisions.demand_owners if decisions else None,
            party_roles=decisions.roles if decisions else None,
        )
    if decider is not None:  # the decisions' calls are the run's too
        brief.stats.llm_calls += decider.usage.calls
        brief.stats.retries += decider.usage.retries
        brief.stats.prompt_tokens += decider.usage.prompt_tokens
        brief.stats.completion_tokens += decider.usage.completion_tokens
    for source in brief.sources:  # what the model's answers lost, item by item
        source.dropped = outcomes[source.doc_id].dropped if source.doc_id in outcomes else []
    _files_report(brief, loaded)
    flag_unrelated(brief, included)  # two stories in one folder: said at the top of the brief
    brief.stats.wall_seconds = round(time.perf_counter() - started, 3)
    return brief


def _files_report(brief: Brief, loaded: LoadResult) -> None:
    """What was cut or skipped is in the brief: over-long files (how much was read), copies of a file
    (read once), our own briefs found among the inputs. A cut file makes the brief incomplete: part of
    an input is missing from it."""
    documents = {d.doc_id: d for d in loaded.documents}
    for source in brief.sources:
        document = documents.get(source.doc_id)
        if document is None:
            continue
        if document.cut is not None:
            source.cut = FileCut(**vars(document.cut))
        source.identical_copies = list(document.copies)
    brief.skipped_files = [SkippedFile(path=path, reason=reason) for path, reason in loaded.skipped]
    if any(source.cut for source in brief.sources):
        brief.complete = False
