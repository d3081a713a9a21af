"""The one protocol every backend implements, and the errors they raise.

Pipeline modules depend on this protocol only, never on ``openai`` or ``llama_cpp`` directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel

from summarizer.errors import BackendError, NoAnswer
from summarizer.models import DroppedItem

__all__ = ["BackendError", "NoAnswer"]  # re-exported: callers of the backends catch them here

ModelT = TypeVar("ModelT", bound=BaseModel)

Message = dict[str, str]


@dataclass
class Usage:
    """What one ``complete`` call cost, re-asks included."""

    calls: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Seconds spent waiting for a free request slot (adaptive concurrency), and inside HTTP requests.
    queue_seconds: float = 0.0
    request_seconds: float = 0.0

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.retries += other.retries
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.queue_seconds += other.queue_seconds
        self.request_seconds += other.request_seconds


@dataclass
class Completion(Generic[ModelT]):
    value: ModelT
    usage: Usage = field(default_factory=Usage)
    # Items of the last answer left out because they stayed invalid after every re-ask (salvage.py).
    dropped: list[DroppedItem] = field(default_factory=list)


def estimate_tokens(text: str) -> int:
    """A conservative token count for a model whose tokenizer we do not have (a server's). English
    BPE vocabularies average about four characters per token; three are counted, and every non-ASCII
    character as a token of its own (CJK text, symbols), so a window planned with it fits."""
    ascii_chars = sum(1 for ch in text if ch < "\x80")
    return math.ceil(ascii_chars / 3) + (len(text) - ascii_chars)


# Chat-template tokens around each message (role markers, separators), counted on top of its content.
MESSAGE_OVERHEAD_TOKENS = 8


def estimate_message_tokens(messages: list[Message]) -> int:
    return sum(estimate_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


class Backend(Protocol):
    """A language model that fills in a pydantic model.

    ``context`` is passed to pydantic validation (``model_validate(..., context=context)``); when the
    answer does not validate, the backend re-asks the model with the validation error, at most
    ``max_reasks`` times. After that it keeps the valid items of the last answer (``salvage``) and
    reports the others in ``Completion.dropped``; it raises ``BackendError`` only when nothing is valid.
    """

    name: str
    model: str
    # Upper bound on concurrent calls this backend can usefully serve (1 for an in-process model).
    max_concurrency: int | None
    # How extraction uses it: 'full' (the model extracts everything) or 'focused' (the rules extract,
    # the model makes the decisions that need language); see extract.py.
    strategy: str
    # Tokens one call can hold, prompt and answer together (the model's context window), or None when
    # unknown: documents are then sent whole. A longer document is split into windows (windows.py).
    context_tokens: int | None
    # The longest answer one call may give; every window leaves room for it (and for a re-ask).
    answer_tokens: int

    def count_tokens(self, messages: list[Message]) -> int:
        """The prompt tokens these messages take: exact where the backend has the tokenizer (local),
        else a conservative estimate (``estimate_message_tokens``)."""
        ...

    def set_max_concurrency(self, maximum: int) -> None:
        """The most calls the pipeline will make at once (``--concurrency``); a backend that adapts
        to a server's capacity stays below it, others need do nothing."""
        ...

    def cache_key_parts(self) -> tuple[str, ...]:
        """What, besides its name and model, decides this backend's answers (instructor mode, the
        version of the rules' code): part of every cached extraction's key."""
        ...

    def complete(
        self,
        messages: list[Message],
        response_model: type[ModelT],
        context: dict[str, Any],
    ) -> Completion[ModelT]: ...


# ---------------------------------------------------------------------------------------------------
# Batch APIs (OpenAI's Batch API): many requests submitted at once, answered within hours, at lower
# cost. The pipeline decides what to ask (messages, schema, validation context) and what to keep; a
# batch backend does the transport (upload, submit, poll, download) and the parsing and validation.
# ---------------------------------------------------------------------------------------------------


@dataclass
class BatchItem:
    """One request of a batch: what ``Backend.complete`` would get, under a caller-chosen id."""

    custom_id: str
    messages: list[Message]
    response_model: type[BaseModel]
    context: dict[str, Any]
    # A re-ask: the backend's own record of the request and of the answer that failed (opaque here).
    reask: Any = None


@dataclass
class BatchStatus:
    batch_id: str
    status: str  # validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled
    total: int = 0
    completed: int = 0
    failed: int = 0
    message: str = ""  # why it failed, expired or was cancelled
    raw: Any = None  # the backend's own batch object

    FINISHED: ClassVar[tuple[str, ...]] = ("completed", "failed", "expired", "cancelled")

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


@dataclass
class BatchResult:
    """What one request of a finished batch gave: a valid answer, a re-ask to send in the next
    batch (the answer was invalid and re-asks are left), or an error (the document is lost)."""

    completion: Completion[Any] | None = None
    retry: BatchItem | None = None
    error: str | None = None
    usage: Usage = field(default_factory=Usage)


class BatchBackend(Protocol):
    """A batch API. ``results`` validates each answer with its item's context, as ``complete`` does;
    with ``final`` an invalid answer is salvaged (``salvage.py``) or reported, never re-asked."""

    poll_interval: float

    def submit(self, items: list[BatchItem]) -> str:
        """Upload the requests and create one batch; its id. Raises BackendError."""
        ...

    def wait(
        self,
        batch_id: str,
        on_status: Callable[[BatchStatus], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> BatchStatus:
        """Poll every ``poll_interval`` seconds until the batch is finished; its last status. A
        status check that fails is said through ``on_error`` and tried again, a few times at most."""
        ...

    def results(self, status: BatchStatus, items: list[BatchItem], final: bool) -> dict[str, BatchResult]:
        """Each item's result, by ``custom_id``, from a finished batch."""
        ...
