"""``--batch``: the documents not in the extraction cache, extracted through a batch API.

The pipeline's ``prepare`` hook (``run_brief(..., prepare=BatchExtraction(...))``). Round 1 asks for
every uncached document in one batch, with the messages, schema and validation context of the
per-document path; each valid answer is cached at once under the same key, so a later run without
``--batch`` reuses it. The invalid answers are re-asked, with their validation error, in a second
batch (round 2); a document still without a valid answer after that is a failed document, listed in
the brief, and the others go on.

Each submitted batch is recorded in the cache (per document and round) before the wait starts: a run
killed while it waits finds the batch there and polls it again, and never pays for it twice. The
records of the documents that are done are dropped at the end; those of a batch that failed or
expired too, so that running again submits their requests anew.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from summarizer.analysis import DocumentAnalysis, PartyIndex
from summarizer.backends.base import Backend, BatchBackend, BatchItem, BatchResult, BatchStatus, Usage
from summarizer.cache import ExtractionCache
from summarizer.documents import Document
from summarizer.extract import build_messages, extraction_request
from summarizer.models import DocumentExtraction
from summarizer.pipeline import DocumentOutcome, cached_outcome, document_cache_key, remember


class BatchExtraction:
    """Extract the uncached documents in at most ``1 + reasks`` batches (``reasks`` is 0 or 1)."""

    def __init__(
        self,
        backend: Backend,
        batches: BatchBackend,
        cache: ExtractionCache,
        *,
        reasks: int = 1,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.backend = backend
        self.batches = batches
        self.cache = cache
        # One re-ask batch at most: each batch may take up to a day, and a second re-ask rarely fixes
        # what the first did not (the per-document path's default is two, at seconds each).
        self.rounds = 1 + min(max(reasks, 0), 1)
        self.notify = notify or (lambda message: None)

    def __call__(
        self, documents: list[Document], analyses: dict[str, DocumentAnalysis], index: PartyIndex
    ) -> dict[str, DocumentOutcome]:
        todo: dict[str, Document] = {}  # by cache key, which is each request's custom_id
        for document in documents:
            analysis = analyses[document.doc_id]
            if cached_outcome(document, analysis, index, self.backend, self.cache) is None:
                todo.setdefault(document_cache_key(self.backend, document), document)
        if not todo:
            return {}
        items = [
            BatchItem(
                custom_id=key,
                messages=build_messages(document, analyses[document.doc_id], index),
                request=extraction_request(document, DocumentExtraction),
            )
            for key, document in todo.items()
        ]
        usage = {key: Usage() for key in todo}
        done: dict[str, DocumentOutcome] = {}
        for round_ in range(1, self.rounds + 1):
            final = round_ == self.rounds
            results = self._round(items, round_, final)
            retries = []
            for item in items:
                result = results[item.custom_id]
                usage[item.custom_id].add(result.usage)
                if result.retry is not None and not final:
                    usage[item.custom_id].retries += 1  # a re-ask, as the per-document path counts it
                    retries.append(result.retry)
                    continue
                done[item.custom_id] = self._outcome(todo[item.custom_id], result, usage[item.custom_id])
            items = retries
            if not items:
                break
        self.cache.forget_batches(list(todo))
        return {document.doc_id: done[key] for key, document in todo.items()}

    def _outcome(self, document: Document, result: BatchResult, usage: Usage) -> DocumentOutcome:
        outcome = DocumentOutcome(document, usage=usage)
        if result.completion is None:
            outcome.error = result.error or "no answer in the batch"
            return outcome
        # Validated against this document's context by the batch backend, as ``complete`` does.
        outcome.extraction = result.completion.value
        outcome.dropped = result.completion.dropped
        result.completion.usage = usage
        remember(self.cache, self.backend, document, result.completion)  # at once: a later run reuses it
        return outcome

    def _round(self, items: list[BatchItem], round_: int, final: bool) -> dict[str, BatchResult]:
        """Submit the items no earlier run submitted, wait for every batch that holds one, and
        read each item's result."""
        groups: dict[str, list[BatchItem]] = {}
        new: list[BatchItem] = []
        for item in items:
            batch_id = self.cache.batch_of(item.custom_id, round_)
            if batch_id is None:
                new.append(item)
            else:
                groups.setdefault(batch_id, []).append(item)
        what = "requests" if round_ == 1 else "re-asks"
        for batch_id, group in groups.items():
            self.notify(f"resuming batch {batch_id} ({len(group)} {what}), submitted by an earlier run")
        if new:
            batch_id = self.batches.submit(new)
            if not self.cache.remember_batch([item.custom_id for item in new], round_, batch_id):
                self.notify(
                    f"could not record batch {batch_id} in the cache: an interrupted run cannot resume it"
                )
            self.notify(
                f"submitted batch {batch_id} ({len(new)} {what}); if this run is interrupted, the same "
                "command resumes waiting for it"
            )
            groups[batch_id] = new
        results: dict[str, BatchResult] = {}
        for batch_id, group in groups.items():
            status = self.batches.wait(batch_id, self._reporter(), on_error=self.notify)
            if status.status != "completed":
                self.notify(f"batch {batch_id}: {status.message or status.status}")
            results.update(self.batches.results(status, group, final))
        return results

    def _reporter(self) -> Callable[[BatchStatus], None]:
        """One progress line whenever the batch's status or counts change."""
        started = time.monotonic()
        last: list[tuple[str, int, int]] = []

        def report(status: BatchStatus) -> None:
            seen = (status.status, status.completed, status.failed)
            if last and last[-1] == seen:
                return
            last.append(seen)
            waited = time.monotonic() - started
            self.notify(
                f"batch {status.batch_id}: {status.status}, {status.completed}/{status.total} done, "
                f"{status.failed} failed ({waited:.0f}s)"
            )

        return report
