"""Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio).

The answer is streamed (``stream=True``), so that a slow server is told from a dead one by what it
sends: the first token says the server has started on the request, steady tokens that it is alive.
A request whose tokens keep coming is never abandoned for being slow; one with no first token within
a bound scaled to its own prompt (``throttle.AdaptiveLimit.first_token_bound``: prompt tokens at the
measured prompt-evaluation speed, with margin) or no new token for ``--timeout`` seconds is dead, and
reported so. A server that ignores ``stream`` and answers in one JSON body is read as such.

Two kinds of failure are retried separately:

* content faults (invalid JSON, schema or citation errors) are re-asked on the assembled answer, at
  most ``max_reasks`` times, with the validation error shown to the model, by the one re-ask path of
  every backend (``reask.complete_with_reasks``); when the re-asks are used up, the valid items of
  the last answer are kept (``reask.give_up``);
* transport faults (429, 5xx, connection reset, a dead or stalled server, an interrupted answer) are
  retried by tenacity with exponential backoff and jitter, honouring ``Retry-After``, at most
  ``max_retries`` times and never past ``deadline`` seconds for one document. The deadline counts
  the time a document waits for a server that sends nothing: not the time it waits for a slot, nor
  the time its answer is arriving, nor the wait for a first token up to the time its prompt should
  take at the measured speed.

Every request goes through ``throttle.AdaptiveLimit``, which adapts concurrency to the server's
measured latency and keeps an abandoned request's slot while the server may still compute it, so a
slow single-slot server is neither flooded nor sent the same request twice. instructor prepares the
request for ``--mode`` (the tool or JSON schema); the tool schema lists the request's citable
sentence numbers as an enum (``schema.constrained_schema``), which servers that constrain decoding to
the schema (llama.cpp, vLLM, OpenAI strict mode) enforce.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import random
import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base

from summarizer.backends import throttle
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
from summarizer.backends.reask import Answer, complete_with_reasks
from summarizer.backends.schema import constrained_schema
from summarizer.backends.throttle import AdaptiveLimit, Ticket

# instructor's modes by their --mode names. openai and instructor are imported on the first request,
# not at start-up (1.5-2.5 s): a run answered from the cache never needs them.
MODES = ("tools", "json", "md_json", "json_schema")
# TOOLS is what OpenAI, vLLM, Ollama and llama.cpp's server all accept; JSON_SCHEMA is refused by
# some servers (llama-cpp-python's server answered it with a 500 in a trial here).
DEFAULT_MODE = "tools"
MAX_RETRY_AFTER = 60.0
# A prompt's time to the first token measures the prompt speed only if the server evaluated at least
# this share of it (the rest from its prompt cache).
MIN_EVALUATED_SHARE = 0.5

# instructor logs every failed attempt at ERROR level; with no logging configured Python prints those
# to stderr, on top of our own one-line messages. They stay available to anyone who configures logging.
logging.getLogger("instructor").addHandler(logging.NullHandler())


class TransportError(Exception):
    """A retryable failure to get any answer (429, 5xx, reset, timeout).

    ``kind`` is what it says about the server's load: ``timeout`` (no first token), ``stalled`` (the
    tokens stopped), ``interrupted`` (the answer ended unfinished), ``overloaded`` (429, 503) or
    ``failed`` (nothing: 500, reset, garbled reply)."""

    def __init__(self, message: str, retry_after: float | None = None, kind: str = "failed"):
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind


class MalformedReply(Exception):
    """A 2xx reply whose body is not a usable chat completion (not JSON, or no choices)."""


# When this thread's latest request was handed to the connection: building it in the openai client
# takes seconds on its first call on a loaded machine, which is not the server's time to answer.
_sending = threading.local()


def _mark_sent(request: Any) -> None:
    """httpx request hook (called in the requesting thread, just before sending)."""
    _sending.at = time.monotonic()


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
    """Classify an exception (possibly wrapped) as a retryable transport fault. openai's client
    wraps the errors of sending a request; those of reading a streamed answer come from httpx2."""
    import httpx2
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
        if isinstance(seen, openai.APITimeoutError | httpx.TimeoutException | httpx2.TimeoutException):
            return TransportError("request timed out", kind="timeout")
        if isinstance(seen, openai.APIConnectionError | httpx.TransportError | httpx2.TransportError):
            return TransportError(f"connection failed: {_short(seen)}")
        if isinstance(seen, openai.APIError) and not isinstance(seen, openai.APIStatusError):
            # an error event in the middle of a streamed answer
            return TransportError(f"the server sent an error mid-answer: {_short(seen)}")
    return None


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:160] if str(error) else type(error).__name__


class _Deadline:
    """A document's time budget for waiting on a server that sends nothing. It counts from its first
    request and leaves out every wait for a slot (behind a single-slot server, a document that must be
    sent again waits for the others' answers, which is not time spent on it) and every stretch of
    progress (``exclude``): a document whose answer is arriving is not ended by it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: float | None = None
        self.excluded = 0.0

    def start(self, ticket: Ticket) -> None:
        if self.started is None:
            self.started = ticket.granted
        else:
            self.excluded += ticket.queued

    def exclude(self, seconds: float) -> None:
        """Time that was progress, not waiting for a silent server: an answer arriving, or the
        server answering our other requests while this one waited its turn there."""
        self.excluded += max(0.0, seconds)

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


@dataclass
class _Watch:
    """What one streamed request has received so far, and whether it is dead: no first token within
    ``first_bound`` seconds of when the server could start on it (its clock restarts at every token
    of our other requests to the server: a request queued behind them is waiting, not dead), or no
    new token for ``stall_bound`` seconds."""

    limiter: AdaptiveLimit
    sent: float
    first_bound: float
    stall_bound: float
    first: float | None = None
    last: float | None = None
    tokens: int = 0
    behind: float = 0.0  # seconds it waited while the server answered our other requests
    dead: str | None = None  # the kind of TransportError once it is called dead

    def token(self, now: float) -> None:
        if self.first is None:
            self.behind = max(0.0, (self.limiter.last_token_at or self.sent) - self.sent)
            self.first = now
        self.last = now
        self.tokens += 1
        self.limiter.token(now)

    def waited(self, now: float) -> float:
        """Seconds since the server could have started on it (before the first token)."""
        return now - max(self.sent, self.limiter.last_token_at or self.sent)

    def overdue(self, now: float) -> bool:
        if self.last is None:
            if self.waited(now) > self.first_bound:
                self.dead = "timeout"
        elif now - self.last > self.stall_bound:
            self.dead = "stalled"
        return self.dead is not None


def _watchdog(watch: _Watch, response: Any, stop: threading.Event) -> None:
    """Ends the request once it is dead: a blocked read returns at once when its socket is shut
    down, and so does a stream of keep-alive comments (llama-cpp-python's SSE pings), which are not
    tokens."""
    interval = max(0.01, min(1.0, min(watch.first_bound, watch.stall_bound) / 20))
    while not stop.wait(interval):
        if watch.overdue(time.monotonic()):
            _abort(response)
            return


def _abort(response: Any) -> None:
    network = response.extensions.get("network_stream")
    sock = network.get_extra_info("socket") if network is not None else None
    if sock is not None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    else:
        with suppress(Exception):
            response.close()


@dataclass
class _Streamed:
    text: str = ""
    finish: str | None = None
    prompt_tokens: int | None = None  # as the server reports them (stream_options include_usage)
    completion_tokens: int | None = None
    cached_tokens: int | None = None  # usage.prompt_tokens_details.cached_tokens (OpenAI; vLLM if enabled)
    # llama.cpp's server (llama-server, and Ollama's runner, which is llama-server) ends every answer,
    # streamed or not, with ``timings``: prompt_n tokens evaluated (cache_n more came from its prompt
    # cache) in prompt_ms, then predicted_n tokens generated in predicted_ms
    # (tools/server/server-task.cpp, to_json_oaicompat_chat_stream). Nobody else sends it.
    timings: dict[str, Any] | None = None
    streamed: bool = True  # False: the server answered in one JSON body

    def evaluated_share(self, repeated: bool) -> float | None:
        """The share of the prompt the server evaluated rather than took from its prompt cache, None
        when unknown: llama.cpp, vLLM and OpenAI keep the prompts they saw, so a request that repeats
        an earlier one's start (a re-send, a re-ask) gets its first token after only the new part."""
        timings = self.timings or {}
        evaluated, cached = timings.get("prompt_n"), timings.get("cache_n")
        if isinstance(evaluated, int | float) and evaluated >= 0:
            total = evaluated + (cached if isinstance(cached, int | float) and cached > 0 else 0)
            return evaluated / total if total > 0 else None
        if isinstance(self.cached_tokens, int) and self.prompt_tokens:
            return max(0.0, 1.0 - self.cached_tokens / self.prompt_tokens)
        return None if repeated else 1.0

    def generation(self) -> tuple[int, float] | None:
        """(tokens, seconds) of the answer's generation as the server measured it, if it says."""
        timings = self.timings or {}
        tokens, milliseconds = timings.get("predicted_n"), timings.get("predicted_ms")
        if isinstance(tokens, int) and tokens > 1 and isinstance(milliseconds, int | float):
            return (tokens, milliseconds / 1000) if milliseconds > 0 else None
        return None


def _read_json_body(response: Any) -> _Streamed:
    """A server that ignored ``stream``: one chat completion (``_check_reply`` vetted the body)."""
    body = response.json()
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    text = message.get("content") or ""
    for call in message.get("tool_calls") or []:
        text = (call.get("function") or {}).get("arguments") or text
        break
    read = _Streamed(text, choice.get("finish_reason"), streamed=False)
    _read_usage(read, body)
    return read


def _read_usage(read: _Streamed, chunk: dict[str, Any]) -> None:
    """The usage (asked for with ``stream_options.include_usage``: its own last chunk at llama.cpp,
    vLLM, Ollama and OpenAI; llama-cpp-python sends none) and llama.cpp's ``timings``."""
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        read.prompt_tokens = usage.get("prompt_tokens")
        read.completion_tokens = usage.get("completion_tokens")
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict) and isinstance(details.get("cached_tokens"), int):
            read.cached_tokens = details["cached_tokens"]
    if isinstance(chunk.get("timings"), dict):
        read.timings = chunk["timings"]


def _read_stream(response: Any, watch: _Watch) -> _Streamed:
    """The answer's text (the first tool call's arguments, or the content), assembled from the
    server-sent events; every event that adds text is a token for ``watch``. The events are read as
    plain JSON: building openai's chunk models cost ~0.15 s of CPU per answer, which at concurrency
    16 made a fast server's run slower."""
    read = _Streamed()
    parts: list[str] = []
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # comments (keep-alive pings), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            chunk = json.loads(data)
        except ValueError as error:
            raise MalformedReply(f"a streamed chunk is not valid JSON ({error})") from None
        if not isinstance(chunk, dict):
            raise MalformedReply("a streamed chunk is not a JSON object")
        if chunk.get("error"):
            error = chunk["error"]
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise TransportError(f"the server sent an error mid-answer: {str(message)[:160]}")
        _read_usage(read, chunk)
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            piece = delta.get("content") or ""
            for call in delta.get("tool_calls") or []:
                if call.get("index", 0) == 0:
                    piece += (call.get("function") or {}).get("arguments") or ""
            if piece:
                parts.append(piece)
                watch.token(time.monotonic())
            if choice.get("finish_reason"):
                read.finish = choice["finish_reason"]
    read.text = "".join(parts)
    return read


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
        self._openai: Any = None
        self._client_lock = threading.Lock()

    def _client(self) -> Any:
        """The openai client, built on the first request."""
        with self._client_lock:
            if self._openai is None:
                import instructor.processing.response  # noqa: F401 - imported here, used per request
                import openai

                # The openai client's own retries are off: tenacity below does them, visibly and bounded.
                self._openai = openai.OpenAI(
                    **self._client_settings,
                    max_retries=0,
                    http_client=openai.DefaultHttpxClient(
                        event_hooks={"request": [_mark_sent], "response": [_check_reply]}
                    ),
                )
            return self._openai

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
        self._client()  # openai and instructor imported (seconds) before a slot is taken
        usage = Usage()
        constrained = self._constrained(request)
        prompt_estimate = sum(len(m["content"]) for m in messages) // 4
        deadline = _Deadline(self.deadline)
        sent = [0]  # requests sent for this document: a later one repeats the start of the first

        def attempt() -> Completion[ModelT]:
            ticket: Ticket = self.limiter.acquire(prompt_estimate)
            usage.queue_seconds += ticket.queued
            deadline.start(ticket)
            outcome = "ok"
            try:
                # The slot is held across the re-asks: they go to the same server in turn.
                def ask(conversation: list[Message]) -> Answer:
                    sent[0] += 1
                    return self._ask(conversation, constrained, ticket, deadline, usage, sent[0] > 1)

                completion = complete_with_reasks(messages, request, ask, self.max_reasks, usage)
            except TransportError as error:
                outcome = error.kind
                usage.retries += 1
                raise
            finally:
                self.limiter.release(ticket, outcome)
            if completion is None:  # ask always answers or raises
                raise BackendError("no answer")
            return completion

        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, TransportError)),
            stop=stop_after_attempt(self.max_retries + 1) | _StopAtDeadline(deadline),
            wait=_waiter(self.backoff, deadline),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except TransportError as error:
            raise BackendError(f"{error} (gave up after {usage.retries} tries)") from error

    def _ask(
        self,
        conversation: list[Message],
        constrained: type[BaseModel],
        ticket: Ticket,
        deadline: _Deadline,
        usage: Usage,
        repeated: bool = False,
    ) -> Answer:
        """One streamed request: the assembled answer, or a TransportError (the server refused it,
        sent no first token in time, stopped sending tokens, or ended the answer unfinished).
        ``repeated``: an earlier request of the same document was sent (the server may have its
        prompt's start in its prompt cache)."""
        import httpx2
        import instructor
        import openai
        from instructor.processing.response import handle_response_model

        _, prepared = handle_response_model(
            constrained, mode=getattr(instructor.Mode, self.mode.upper()), messages=conversation
        )
        prompt_tokens = self.count_tokens(conversation, constrained)
        # The deadline bounds waiting for a server that sends nothing; a stall is --timeout. Waiting
        # for the first token as long as the prompt should take at the measured speed is the server
        # working, not silence: only the wait beyond that counts, so a request that never answers
        # (a stall before any token) still leaves a later try the time its prompt needs.
        expected = self.limiter.predicted_first_token(prompt_tokens)
        if expected is None:
            expected = prompt_tokens / throttle.UNMEASURED_PROMPT_SPEED
        first_bound = min(
            self.limiter.first_token_bound(prompt_tokens), max(deadline.remaining() + expected, 1.0)
        )
        watch = _Watch(self.limiter, time.monotonic(), first_bound, self.limiter.stall_bound())
        ticket.sent, ticket.timeout = watch.sent, first_bound
        stop = threading.Event()
        try:
            try:
                # Before the reply's headers, the read timeout is the bound (some servers send them
                # with the first token); after them, the watchdog is (others send them at once).
                with self._client().chat.completions.with_streaming_response.create(
                    model=self.model,
                    max_tokens=self.max_tokens,
                    temperature=0,
                    stream=True,
                    stream_options={"include_usage": True},
                    timeout=httpx2.Timeout(first_bound, connect=min(first_bound, 30.0)),
                    **prepared,
                ) as raw:
                    response = raw.http_response
                    # the bound counts from when the request left, not from when we began building it
                    watch.sent = ticket.sent = max(watch.sent, getattr(_sending, "at", watch.sent))
                    if "json" in response.headers.get("content-type", ""):
                        read = _read_json_body(response)
                    else:
                        network = response.extensions.get("network_stream")
                        if network is not None and network.get_extra_info("socket") is not None:
                            timeouts = response.request.extensions.get("timeout")
                            if isinstance(timeouts, dict):
                                timeouts["read"] = None  # the body's reads: the watchdog ends them
                        threading.Thread(target=_watchdog, args=(watch, response, stop), daemon=True).start()
                        read = _read_stream(response, watch)
            except Exception as error:
                if watch.dead is None and watch.last is None and isinstance(error, openai.APITimeoutError):
                    watch.dead = "timeout"  # no reply headers within the bound
                if watch.dead is not None:
                    raise self._dead(watch, prompt_tokens) from error
                transport = _as_transport_error(error)
                if transport is not None:
                    if transport.kind == "timeout":
                        raise self._dead(_dead_watch(watch), prompt_tokens) from error
                    raise transport from error
                if isinstance(error, openai.APIStatusError):
                    raise BackendError(
                        f"server refused the request ({error.status_code}): {_short(error)}"
                    ) from error
                raise
        finally:
            stop.set()
            # Progress is left out of --deadline, whether or not the request then failed: the wait
            # for the first token up to the time its prompt should take, then the tokens as they came.
            # (Past the bound, until the watchdog or the read timeout noticed, the wait was ours.)
            ended = time.monotonic()
            first_wait = (watch.first if watch.first is not None else ended) - watch.sent - watch.behind
            deadline.exclude(min(first_wait, expected) + max(0.0, first_wait - first_bound))
            if watch.first is not None and watch.last is not None:
                deadline.exclude(watch.behind + (watch.last - watch.first))
        now = time.monotonic()
        if read.streamed and read.finish is None:
            raise TransportError(
                f"the server ended the answer unfinished after {watch.tokens} tokens (no finish "
                "reason: an interrupted answer)",
                kind="interrupted",
            )
        latency = now - watch.sent
        answer_tokens = read.completion_tokens or watch.tokens or max(1, len(read.text) // 4)
        reported_prompt = read.prompt_tokens or prompt_tokens
        usage.calls += 1
        usage.request_seconds += latency
        usage.prompt_tokens += reported_prompt
        usage.completion_tokens += answer_tokens
        if watch.first is not None and watch.last is not None:
            first_token_seconds = watch.first - watch.sent - watch.behind
            # The prompt speed is what the server evaluated over the wait for the first token (not
            # llama.cpp's prompt_ms, which leaves out a wait behind other clients' work): a prompt
            # mostly taken from the server's cache, or possibly so, says little about it and is
            # not counted, else a re-sent first answer would set a bound too short for the next.
            share = read.evaluated_share(repeated)
            measured = share is not None and share >= MIN_EVALUATED_SHARE
            evaluated = round(prompt_tokens * share) if measured and share is not None else 0
            tokens, seconds = read.generation() or (watch.tokens, watch.last - watch.first)
            self.limiter.observe_stream(evaluated, first_token_seconds, tokens, seconds)
        self.limiter.observe(ticket, latency, reported_prompt, answer_tokens)
        text = read.text
        if self.mode == "md_json" and "```" in text:
            from instructor.utils import extract_json_from_codeblock

            with suppress(ValueError):
                text = extract_json_from_codeblock(text)
        return Answer(text, self.max_tokens if read.finish == "length" else None)

    def _dead(self, watch: _Watch, prompt_tokens: int) -> TransportError:
        if watch.dead == "stalled":
            message = (f"the answer stopped after {watch.tokens} tokens: no new token in "
                       f"{watch.stall_bound:.3g}s (--timeout): the server looks stalled")  # fmt: skip
            return TransportError(message, kind="stalled")
        message = self.limiter.no_first_token_message(prompt_tokens, watch.first_bound)
        return TransportError(message, kind="timeout")

    def _constrained(self, request: Request[ModelT]) -> type[ModelT]:
        """The request's response model, whose tool schema lists the citable sentence numbers as an
        enum, in the modes that send the schema as a schema (tools, json_schema)."""
        if not request.citable_ids or self.mode not in ("tools", "json_schema"):
            return request.response_model
        citable = tuple(sorted(set(request.citable_ids)))
        return _with_schema(request.response_model, request.citation_field, citable)


def _dead_watch(watch: _Watch) -> _Watch:
    """A read that timed out: before the first token it is a dead request, after it a stall."""
    watch.dead = "timeout" if watch.last is None else "stalled"
    return watch


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
