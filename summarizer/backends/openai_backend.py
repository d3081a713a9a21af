"""Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio) via instructor.

Two kinds of failure are retried separately:

* content faults (invalid JSON, schema or citation errors) go through instructor's re-ask, at most
  ``max_reasks`` times, with the validation error shown to the model;
* transport faults (429, 5xx, connection reset, timeout) are retried by tenacity with exponential
  backoff and jitter, honouring ``Retry-After``, at most ``max_retries`` times and never past
  ``deadline`` seconds for one document (counted from its first request, not while it waits for a
  slot).

Every request goes through ``throttle.AdaptiveLimit``, which adapts concurrency and timeouts to the
server's measured latency, so a slow single-slot server is not flooded with requests that time out
while it still computes them. When the re-asks are used up, the valid items of the last answer are
kept (``reask.give_up``, as every backend does). The tool schema lists the request's citable sentence
numbers as an enum (``schema.constrained_schema``), which servers that constrain decoding to the
schema (llama.cpp, vLLM, OpenAI strict mode) enforce.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import random
import threading
import time
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from summarizer.backends.base import (
    BackendError,
    Completion,
    Message,
    ModelT,
    Notify,
    Request,
    Usage,
    estimate_message_tokens,
)
from summarizer.backends.reask import give_up
from summarizer.backends.schema import constrained_schema
from summarizer.backends.throttle import AdaptiveLimit, Ticket

# instructor's modes by their --mode names. openai and instructor are imported on the first request,
# not at start-up (1.5-2.5 s): a run answered from the cache never needs them.
MODES = ("tools", "json", "md_json", "json_schema")
# TOOLS is what OpenAI, vLLM, Ollama and llama.cpp's server all accept; JSON_SCHEMA is refused by
# some servers (llama-cpp-python's server answered it with a 500 in a trial here).
DEFAULT_MODE = "tools"
MAX_RETRY_AFTER = 60.0

# instructor logs every failed attempt at ERROR level; with no logging configured Python prints those
# to stderr, on top of our own one-line messages. They stay available to anyone who configures logging.
logging.getLogger("instructor").addHandler(logging.NullHandler())


class TransportError(Exception):
    """A retryable failure to get any answer (429, 5xx, reset, timeout).

    ``kind`` is what it says about the server's load: ``timeout``, ``overloaded`` (429, 503) or
    ``failed`` (nothing: 500, reset, garbled reply)."""

    def __init__(self, message: str, retry_after: float | None = None, kind: str = "failed"):
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind


class MalformedReply(Exception):
    """A 2xx reply whose body is not a usable chat completion (not JSON, or no choices)."""


def _check_reply(response: httpx.Response) -> None:
    """httpx response hook: a garbled body or an empty ``choices`` list is a transport fault (retried
    with backoff), not a content fault: there is no answer to re-ask about."""
    if not 200 <= response.status_code < 300 or "json" not in response.headers.get("content-type", ""):
        return
    response.read()
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise MalformedReply(f"reply is not valid JSON ({error})") from None
    if isinstance(body, dict) and "choices" in body and not body["choices"]:
        raise MalformedReply("reply has an empty choices list")


def _escape_jinja(text: str) -> str:
    """instructor renders message text as a Jinja template when a validation context is given; an
    article containing '{{' must reach the model verbatim, never be evaluated."""
    return text.replace("{", "{{ '{' }}")


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        return min(float(value), MAX_RETRY_AFTER) if value is not None else None
    except ValueError:
        return None


def _as_transport_error(error: BaseException) -> TransportError | None:
    """Classify an exception (possibly wrapped by instructor) as a retryable transport fault."""
    import openai

    chain: list[BaseException] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 6:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for seen in chain:
        if isinstance(seen, MalformedReply):
            return TransportError(f"malformed reply: {seen}")
    for seen in chain[:4]:
        if isinstance(seen, openai.RateLimitError):
            return TransportError(f"rate limited (429): {_short(seen)}", _retry_after(seen), "overloaded")
        if isinstance(seen, openai.APIStatusError) and seen.status_code >= 500:
            kind = "overloaded" if seen.status_code == 503 else "failed"
            message = f"server error {seen.status_code}: {_short(seen)}"
            return TransportError(message, _retry_after(seen), kind)
        if isinstance(seen, openai.APITimeoutError | httpx.TimeoutException):
            return TransportError("request timed out", kind="timeout")
        if isinstance(seen, openai.APIConnectionError | httpx.TransportError):
            return TransportError(f"connection failed: {_short(seen)}")
    return None


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:160] if str(error) else type(error).__name__


class _Deadline:
    """A document's time budget. It counts from its first request and leaves out every wait for a
    slot: behind a single-slot server, a document that must be sent again waits for the others'
    answers, which is not time spent on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: float | None = None
        self.excluded = 0.0

    def start(self, ticket: Ticket) -> None:
        if self.started is None:
            self.started = ticket.granted
        else:
            self.excluded += ticket.queued

    def remaining(self) -> float:
        if self.started is None:
            return self.seconds
        return self.seconds - (time.monotonic() - self.started - self.excluded)


class _StopAtDeadline(stop_base):
    def __init__(self, deadline: _Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline.remaining() <= 0


def _waiter(backoff: float, deadline: _Deadline):
    """Exponential backoff with jitter (``backoff`` s, doubling, at most 20 s), or the server's
    ``Retry-After``; never sleeping past the document's deadline."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransportError) and error.retry_after is not None:
            seconds = error.retry_after
        else:
            # Written out rather than tenacity's wait_exponential_jitter, whose arguments were renamed
            # in tenacity 9 (a deprecation warning there, an error on older releases).
            doubled = backoff * 2 ** max(0, state.attempt_number - 1)
            seconds = min(doubled, 20.0) + random.uniform(0, backoff)
        return max(0.0, min(seconds, deadline.remaining()))

    return wait


@functools.lru_cache(maxsize=64)
def _schema_tokens(response_model: type[BaseModel]) -> int:
    return estimate_message_tokens([{"content": json.dumps(response_model.model_json_schema())}])


class OpenAIBackend:
    name = "openai"
    may_not_answer = False

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: str = DEFAULT_MODE,
        timeout: float = 120.0,
        max_retries: int = 4,
        max_reasks: int = 2,
        deadline: float = 600.0,
        max_tokens: int = 4096,
        backoff: float = 0.5,
        context_tokens: int | None = None,
        strategy: str = "full",
    ):
        if mode not in MODES:
            raise BackendError(f"unknown --mode {mode!r}; choose one of {', '.join(MODES)}")
        self.model = model
        self.strategy = strategy
        self.mode = mode
        self.max_retries = max_retries
        self.max_reasks = max_reasks
        self.deadline = deadline
        # The server's context window (--context-tokens), unknown by default: documents go whole. With
        # a small window an answer may take at most a quarter of it, so a window holds enough article.
        self.context_tokens = context_tokens
        if context_tokens is not None:
            max_tokens = min(max_tokens, max(1024, context_tokens // 4))
        self.max_tokens = max_tokens
        self.answer_tokens = max_tokens
        self.backoff = backoff
        self.max_concurrency: int | None = None
        hosted = base_url is None or "api.openai.com" in base_url
        # The pipeline sets the maximum (set_max_concurrency) and the CLI the notify callback (set_notify).
        self.limiter = AdaptiveLimit(
            start_at_maximum=hosted,
            floor_timeout=timeout,
            max_tokens=max_tokens,
            deadline=deadline,
            name=base_url or "api.openai.com",
        )
        self._client_settings = {"base_url": base_url, "api_key": api_key or "not-needed", "timeout": timeout}
        self._instructor: Any = None
        self._client_lock = threading.Lock()

    def _client(self) -> Any:
        """The instructor client, built on the first request."""
        with self._client_lock:
            if self._instructor is None:
                import instructor
                import openai

                # The openai client's own retries are off: tenacity below does them, visibly and bounded.
                client = openai.OpenAI(
                    **self._client_settings,
                    max_retries=0,
                    http_client=openai.DefaultHttpxClient(event_hooks={"response": [_check_reply]}),
                )
                self._instructor = instructor.from_openai(
                    client, mode=getattr(instructor.Mode, self.mode.upper())
                )
            return self._instructor

    def count_tokens(self, messages: list[Message], response_model: type[BaseModel] | None = None) -> int:
        # The server's tokenizer is not ours to run: an estimate. Every mode also sends the response
        # model's JSON schema (as the tool, or in the prompt), which the server's template puts in
        # the prompt.
        schema = _schema_tokens(response_model) if response_model is not None else 0
        return estimate_message_tokens(messages) + schema

    def set_max_concurrency(self, maximum: int) -> None:
        self.limiter.set_maximum(maximum)  # it adapts below this bound to the server's latency

    def set_notify(self, notify: Notify | None) -> None:
        self.limiter.notify = notify  # concurrency lowered, timeouts raised for a slow server

    def cache_key_parts(self) -> tuple[str, ...]:
        return (self.mode,)

    def complete(self, messages: list[Message], request: Request[ModelT]) -> Completion[ModelT]:
        import openai
        from instructor.core.exceptions import InstructorRetryException
        from instructor.core.hooks import Hooks

        client = self._client()
        usage = Usage()
        reasks = [0]  # hooks are per call, so plain counters are thread-safe here
        current: dict[str, Any] = {"ticket": None, "sent": 0.0}

        def on_parse_error(*_args: Any, **_kwargs: Any) -> None:
            reasks[0] += 1

        def on_request(*_args: Any, **_kwargs: Any) -> None:
            current["sent"] = time.monotonic()

        def on_response(response: Any, *_args: Any, **_kwargs: Any) -> None:
            usage.calls += 1
            latency = time.monotonic() - current["sent"]
            usage.request_seconds += latency
            tokens = getattr(response, "usage", None)
            prompt = getattr(tokens, "prompt_tokens", 0) or 0
            answer = getattr(tokens, "completion_tokens", 0) or 0
            usage.prompt_tokens += prompt
            usage.completion_tokens += answer
            if current["ticket"] is not None:
                self.limiter.observe(current["ticket"], latency, prompt, answer)

        hooks = Hooks()
        hooks.on("parse:error", on_parse_error)
        hooks.on("completion:kwargs", on_request)
        hooks.on("completion:response", on_response)
        safe_messages = [{**m, "content": _escape_jinja(m["content"])} for m in messages]
        constrained = self._constrained(request)
        prompt_estimate = sum(len(m["content"]) for m in messages) // 4
        deadline = _Deadline(self.deadline)

        def attempt() -> ModelT:
            ticket: Ticket = self.limiter.acquire(prompt_estimate)
            current["ticket"] = ticket
            usage.queue_seconds += ticket.queued
            deadline.start(ticket)
            timeout = min(ticket.timeout, max(deadline.remaining(), 1.0))
            outcome = "ok"
            try:
                # The slot is held across instructor's re-asks: they go to the same server in turn.
                return client.chat.completions.create(
                    model=self.model,
                    messages=safe_messages,
                    response_model=constrained,
                    context=request.context,
                    max_retries=self.max_reasks,  # re-asks after the first attempt
                    max_tokens=self.max_tokens,
                    temperature=0,
                    timeout=timeout,
                    hooks=hooks,
                )
            except Exception as error:  # classify: transport faults are retried below
                transport = _as_transport_error(error)
                if transport is not None:
                    outcome = transport.kind
                    if transport.kind == "timeout":
                        message = self.limiter.stalled_message(ticket, timeout)
                        transport = TransportError(message, kind="timeout")
                    usage.retries += 1
                    raise transport from error
                raise
            finally:
                current["ticket"] = None
                self.limiter.release(ticket, outcome)

        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, TransportError)),
            stop=stop_after_attempt(self.max_retries + 1) | _StopAtDeadline(deadline),
            wait=_waiter(self.backoff, deadline),
            reraise=True,
        )
        try:
            value = retrying(attempt)
        except TransportError as error:
            raise BackendError(f"{error} (gave up after {usage.retries} tries)") from error
        except InstructorRetryException as error:
            asked = max(reasks[0] - 1, 0)  # parse errors counted include the last attempt's
            usage.retries += asked
            last_answer = _answer_text(getattr(error, "last_completion", None))
            return give_up(request, last_answer, error, usage, reasks=asked)
        except (ValidationError, ValueError) as error:
            raise BackendError(f"invalid answer: {_short(error)}") from error
        except openai.APIStatusError as error:
            raise BackendError(
                f"server refused the request ({error.status_code}): {_short(error)}"
            ) from error
        usage.retries += reasks[0]
        return Completion(value, usage)

    def _constrained(self, request: Request[ModelT]) -> type[ModelT]:
        """The request's response model, whose tool schema lists the citable sentence numbers as an
        enum, in the modes that send the schema as a schema (tools, json_schema)."""
        if not request.citable_ids or self.mode not in ("tools", "json_schema"):
            return request.response_model
        citable = tuple(sorted(set(request.citable_ids)))
        return _with_schema(request.response_model, request.citation_field, citable)


def _answer_text(completion: Any) -> str | None:
    """The tool-call arguments or the content of a chat completion (instructor's last answer)."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    for call in getattr(message, "tool_calls", None) or []:
        arguments = getattr(getattr(call, "function", None), "arguments", None)
        if arguments:
            return arguments
    return getattr(message, "content", None)


@functools.lru_cache(maxsize=256)
def _with_schema(
    response_model: type[ModelT], citation_field: str | None, citable: tuple[int, ...]
) -> type[ModelT]:
    """A subclass of ``response_model`` whose JSON schema is the constrained one (the ``citable`` ids
    as an enum in every ``citation_field``); validation and the class name seen by the model are
    unchanged."""
    request = Request(response_model, citable_ids=citable, citation_field=citation_field)
    schema = constrained_schema(request)

    class Constrained(response_model):
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return copy.deepcopy(schema)

    Constrained.__name__ = Constrained.__qualname__ = response_model.__name__
    Constrained.__doc__ = response_model.__doc__
    return Constrained
