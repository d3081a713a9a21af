"""OpenAI's Batch API for the openai backend: one JSONL of requests, uploaded and run as one batch.

Each request is the very body the synchronous path sends: instructor builds it
(``handle_response_model``: the same tool or JSON-schema format for the backend's ``--mode``, with the
citable sentence numbers as an enum) from the same messages, model, ``max_tokens`` and temperature.
Each answer is parsed and validated by instructor's own parser for that mode with the caller's
validation context, and an invalid one becomes the re-ask instructor would send
(``handle_reask_kwargs``: the answer and the validation error appended), for the next batch.

instructor's own batch helper (``instructor.batch.BatchProcessor``) is not used: it builds a client
from the environment only (no ``--base-url``), validates without a context (our citation validators
need one), always asks in strict ``json_schema`` mode whatever ``--mode`` says, and prints to stdout.
Transport faults (429, 5xx, resets) are retried by the openai client itself, with backoff.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.backends.base import (
    BackendError,
    BatchItem,
    BatchResult,
    BatchStatus,
    Completion,
    Usage,
)
from summarizer.backends.openai_backend import OpenAIBackend, _answer_text, _short
from summarizer.backends.reask import first_error
from summarizer.backends.salvage import salvage

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"  # the only window OpenAI offers
POLL_FAILURES = 5  # status checks in a row that may fail (after the client's own retries) before giving up


class OpenAIBatches:
    """The Batch API of the endpoint an ``OpenAIBackend`` talks to (its key, base URL and model)."""

    def __init__(self, backend: OpenAIBackend, poll_interval: float = 30.0) -> None:
        self.backend = backend
        self.poll_interval = poll_interval
        self._client: Any = None

    def _openai(self) -> Any:
        if self._client is None:
            import openai

            settings = self.backend._client_settings
            self._client = openai.OpenAI(
                base_url=settings["base_url"],
                api_key=settings["api_key"],
                timeout=max(settings["timeout"], 300.0),  # an upload of thousands of documents
                max_retries=self.backend.max_retries,
            )
        return self._client

    def _mode(self) -> Any:
        import instructor

        return getattr(instructor.Mode, self.backend.mode.upper())

    def _response_model(self, item: BatchItem) -> type[BaseModel]:
        return self.backend._constrained(item.request)  # the enum of citable ids

    def request_body(self, item: BatchItem) -> dict[str, Any]:
        """The chat-completion request of one item, as the synchronous path would send it."""
        if item.reask is not None:
            return item.reask
        from instructor.processing.response import handle_response_model

        # The messages go verbatim, as the per-document path sends them (instructor prepares the tool
        # or JSON schema for the mode; no template is rendered), so the prompts are byte for byte
        # the same.
        _, body = handle_response_model(
            self._response_model(item),
            mode=self._mode(),
            messages=item.messages,
            model=self.backend.model,
            max_tokens=self.backend.max_tokens,
            temperature=0,
        )
        return _plain(body)

    def jsonl(self, items: list[BatchItem]) -> bytes:
        lines = (
            {"custom_id": item.custom_id, "method": "POST", "url": ENDPOINT, "body": self.request_body(item)}
            for item in items
        )
        return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")

    def submit(self, items: list[BatchItem]) -> str:
        client = self._openai()
        try:
            upload = client.files.create(
                file=("summarizer-batch.jsonl", self.jsonl(items), "application/jsonl"), purpose="batch"
            )
            batch = client.batches.create(
                input_file_id=upload.id,
                endpoint=ENDPOINT,
                completion_window=COMPLETION_WINDOW,
                metadata={"tool": "summarizer", "requests": str(len(items))},
            )
        except Exception as error:
            raise BackendError(f"could not submit the batch: {self._explain(error)}") from error
        return batch.id

    def wait(
        self,
        batch_id: str,
        on_status: Callable[[BatchStatus], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> BatchStatus:
        import openai

        client = self._openai()
        failures = 0
        while True:
            try:
                batch = client.batches.retrieve(batch_id)
                failures = 0
            except openai.NotFoundError:  # deleted, or another account's
                return BatchStatus(batch_id, "failed", message="the server no longer knows this batch")
            except Exception as error:
                # A wait may last hours: a network fault that outlasts the client's own retries is
                # waited out for a few more polls before the run gives up (the batch is not lost).
                failures += 1
                reason = f"could not check batch {batch_id}: {self._explain(error)}"
                if failures >= POLL_FAILURES:
                    raise BackendError(
                        f"{reason} ({failures} times in a row); run the same command again to resume "
                        "waiting for it"
                    ) from error
                if on_error is not None:
                    on_error(f"{reason}; trying again in {self.poll_interval:g}s")
                time.sleep(self.poll_interval)
                continue
            status = _status(batch)
            if on_status is not None:
                on_status(status)
            if status.finished:
                return status
            time.sleep(self.poll_interval)

    def results(self, status: BatchStatus, items: list[BatchItem], final: bool) -> dict[str, BatchResult]:
        import openai

        lines: dict[str, dict[str, Any]] = {}
        batch = status.raw
        for file_id in (getattr(batch, "error_file_id", None), getattr(batch, "output_file_id", None)):
            if not file_id:
                continue
            try:
                text = self._openai().files.content(file_id).text
            except openai.NotFoundError:
                # Deleted since (OpenAI keeps files for a limited time): its requests are submitted anew
                # by the next run, rather than fetched again and again.
                status.message = f"its result file {file_id} is no longer on the server"
                continue
            except Exception as error:
                raise BackendError(
                    f"could not download the results of batch {status.batch_id}: {self._explain(error)}; "
                    "run the same command again to fetch them"
                ) from error
            for raw in text.splitlines():
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue  # a garbled line: its request is reported missing below
                if isinstance(line, dict) and isinstance(line.get("custom_id"), str):
                    lines[line["custom_id"]] = line  # the output file wins over the error file
        missing = BatchResult(error=_missing_reason(status))
        results = {}
        for item in items:
            line = lines.get(item.custom_id)
            # A request a failed or expired batch left unanswered is reported with the batch's reason.
            unanswered = line is None or (
                status.status != "completed" and (line.get("response") or {}).get("status_code") != 200
            )
            results[item.custom_id] = missing if unanswered else self._result(item, line, final)
        return results

    def _result(self, item: BatchItem, line: dict[str, Any], final: bool) -> BatchResult:
        from instructor.core.exceptions import IncompleteOutputException, InstructorError
        from instructor.processing.response import handle_reask_kwargs, process_response
        from openai.types.chat import ChatCompletion

        response = line.get("response") or {}
        code = response.get("status_code")
        body = response.get("body")
        if line.get("error") or code != 200 or not isinstance(body, dict):
            why = f"the batch request failed ({code or 'no answer'}): {_error_text(line)}"
            return BatchResult(error=f"{why}; run again to submit it in a new batch")
        try:
            completion = ChatCompletion.model_validate(body)
        except ValidationError as error:
            return BatchResult(error=f"the batch answer is not a chat completion: {first_error(error)}")
        usage = Usage(calls=1)
        if completion.usage is not None:
            usage.prompt_tokens = completion.usage.prompt_tokens or 0
            usage.completion_tokens = completion.usage.completion_tokens or 0
        try:
            value = process_response(
                completion,
                response_model=self._response_model(item),
                stream=False,
                validation_context=item.request.context,
                mode=self._mode(),
            )
            return BatchResult(Completion(value, usage), usage=usage)
        except (ValidationError, ValueError, InstructorError) as error:
            if not final and not isinstance(error, IncompleteOutputException):
                sent = self.request_body(item)
                reask = handle_reask_kwargs(
                    {**sent, "messages": list(sent["messages"])}, self._mode(), completion, error
                )
                retry = BatchItem(item.custom_id, item.messages, item.request, _plain(reask))
                return BatchResult(retry=retry, usage=usage)
            kept = salvage(_answer_text(completion), item.request.response_model, item.request.context)
            if kept is not None:
                return BatchResult(Completion(kept.value, usage, kept.dropped), usage=usage)
            asked = "after a re-ask " if item.reask is not None else ""
            reason = f"no valid answer {asked}in the batch: {first_error(error)}"
            return BatchResult(error=reason, usage=usage)

    def _explain(self, error: Exception) -> str:
        import openai

        if isinstance(error, openai.NotFoundError):
            where = self.backend._client_settings["base_url"] or "api.openai.com"
            return f"{where} has no Batch API (404 on /files or /batches); run without --batch"
        if isinstance(error, openai.APIStatusError):
            return f"server answered {error.status_code}: {_short(error)}"
        return _short(error)


def _plain(value: Any) -> Any:
    """JSON types only: instructor's re-ask appends the answer's message as an SDK object."""

    def dump(obj: Any) -> Any:
        if hasattr(obj, "model_dump"):
            return obj.model_dump(exclude_none=True)
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")

    return json.loads(json.dumps(value, default=dump))


def _status(batch: Any) -> BatchStatus:
    counts = getattr(batch, "request_counts", None)
    status = BatchStatus(
        batch.id,
        batch.status,
        total=getattr(counts, "total", 0) or 0,
        completed=getattr(counts, "completed", 0) or 0,
        failed=getattr(counts, "failed", 0) or 0,
        raw=batch,
    )
    if batch.status == "failed":
        errors = getattr(getattr(batch, "errors", None), "data", None) or []
        reasons = "; ".join(f"{e.code}: {e.message}" if e.code else str(e.message) for e in errors[:3])
        status.message = f"the batch failed ({reasons or 'no reason given'})"
    elif batch.status == "expired":
        status.message = f"the batch expired (not done within its {COMPLETION_WINDOW} window)"
    elif batch.status == "cancelled":
        status.message = "the batch was cancelled"
    return status


def _missing_reason(status: BatchStatus) -> str:
    why = status.message or f"batch {status.batch_id} has no result for this request"
    return f"batch {status.batch_id}: {why}; run again to submit it in a new batch"


def _error_text(line: dict[str, Any]) -> str:
    error = line.get("error") or ((line.get("response") or {}).get("body") or {}).get("error") or {}
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message") or "no message"
        return f"{code}: {message}" if code else str(message)
    return str(error)[:240]
