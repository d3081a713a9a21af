"""The one protocol every backend implements, and what crosses it.

Pipeline modules depend on this protocol only, never on ``openai`` or ``llama_cpp`` directly. Backends
depend only on it, on ``schema`` (the constrained JSON schema) and on ``reask`` (validation, re-asks
and salvage); never on the extraction's models. A call is one line for the pipeline::

    verdict = backend.complete(messages, Request(Verdict, key="C3/C7")).value

which is a validated ``Verdict``, or raises ``BackendError`` (``NoAnswer``: no answer of its own).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel

from summarizer.errors import BackendError, NoAnswer
from summarizer.models import DroppedItem

__all__ = [  # BackendError and NoAnswer are re-exported: the backends' callers catch them from here
    "MESSAGE_OVERHEAD_TOKENS",
    "Backend",
    "BackendError",
    "BatchBackend",
    "BatchItem",
    "BatchResult",
    "BatchStatus",
    "Completion",
    "Message",
    "ModelT",
    "NoAnswer",
    "Notify",
    "Request",
    "Usage",
    "estimate_message_tokens",
    "estimate_tokens",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

Message = dict[str, str]
# Where a backend says what it learns about its server (concurrency lowered, timeouts raised).
Notify = Callable[[str], None]


@dataclass(frozen=True)
class Request(Generic[ModelT]):
    """What a backend needs to constrain and validate one answer, and nothing about the domain.

    * ``response_model``: the pydantic model the answer must validate as;
    * ``key``: what scripted replies and logs are keyed by (a document's id for an extraction);
    * ``context``: the pydantic validation context, handed to the validators untouched;
    * ``citable_ids`` and ``citation_field``: the sentence numbers the answer may cite, and the name of
      the fields that hold them, declared by the side that defines the response model
      (``models.CITATION_FIELD``). The schema the model is constrained by lists the ids as an enum
      in those fields (``schema.constrained_schema``).
    """

    response_model: type[ModelT]
    key: str = ""
    context: Any = None
    citable_ids: tuple[int, ...] = ()
    citation_field: str | None = None

    def __post_init__(self) -> None:
        if self.citable_ids and not self.citation_field:
            raise ValueError("citable_ids need the citation_field that holds them")


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
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))

    @classmethod
    def total(cls, usages: Iterable[Usage]) -> Usage:
        total = cls()
        for usage in usages:
            total.add(usage)
        return total


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

    ``complete`` validates the answer with ``request.context``; when it does not validate, the backend
    re-asks the model with the validation error, at most ``max_reasks`` times. After that it keeps the
    valid items of the last answer (``salvage``) and reports the others in ``Completion.dropped``; it
    raises ``BackendError`` only when nothing is valid. What the pipeline needs to know about a
    backend is declared here; it never probes a backend for anything else.
    """

    name: str
    model: str
    # Upper bound on concurrent calls this backend can usefully serve (1 for an in-process model).
    max_concurrency: int | None
    # How extraction uses it: 'full' (the model extracts everything) or 'focused' (the rules extract,
    # the model makes the decisions that need language); see extract.py. Set by the constructor.
    strategy: str
    # Tokens one call can hold, prompt and answer together (the model's context window), or None when
    # unknown: documents are then sent whole. A longer document is split into windows (windows.py).
    context_tokens: int | None
    # The longest answer one call may give; every window leaves room for it (and for a re-ask).
    answer_tokens: int
    # True when ``complete`` may raise NoAnswer so that the caller's fallback stands in (the fake
    # backend without a scripted reply): the fallback's code then decides answers too, and the
    # pipeline makes its version part of every cached extraction's key.
    may_not_answer: bool

    def count_tokens(self, messages: list[Message], response_model: type[BaseModel] | None = None) -> int:
        """The prompt tokens these messages take: exact where the backend has the tokenizer (local),
        else a conservative estimate (``estimate_message_tokens``); with the response model's schema
        where the backend sends it in the prompt (a server's tool or JSON schema)."""
        ...

    def set_max_concurrency(self, maximum: int) -> None:
        """The most calls the pipeline will make at once (``--concurrency``); a backend that adapts
        to a server's capacity stays below it, others need do nothing."""
        ...

    def set_notify(self, notify: Notify | None) -> None:
        """Where to say, one line each and once, what the backend learns about its server while it
        runs (a slow server: timeouts raised, concurrency lowered); backends without one say nothing."""
        ...

    def cache_key_parts(self) -> tuple[str, ...]:
        """What, besides its name, model and strategy, decides this backend's answers (instructor
        mode): part of every cached extraction's key."""
        ...

    def complete(self, messages: list[Message], request: Request[ModelT]) -> Completion[ModelT]: ...


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
    request: Request[Any]
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
    """A batch API. ``results`` validates each answer with its item's request, as ``complete`` does;
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
