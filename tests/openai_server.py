"""A fault-injecting, OpenAI-compatible chat-completions server for tests and benchmarks.

It listens on 127.0.0.1 only (an ephemeral port unless told otherwise), answers
``POST /v1/chat/completions`` and decides each reply from, in order:

1. a queue of scripted replies (``server.script("429", "ok", ...)``), consumed one per request;
2. ``server.plan``, a callable ``(request: dict, number: int) -> str | Reply | None``;
3. ``server.fault_rate``: that share of requests (exactly, per 100) gets a fault drawn from
   ``server.fault_kinds`` (seeded random, so the sequence of replies is repeatable);
4. the default responder: a valid extraction that cites real sentence numbers of the article in the
   request, in whatever mode instructor asked for (tools or plain JSON content).

A scripted reply is a kind name (see ``KINDS``), a ``Reply``, or a callable ``(request) -> Reply``.
Every request is recorded (``server.requests``) and every fault counted by kind (``server.faults``).

With ``slots=N`` it behaves like a local model server (llama.cpp, Ollama) instead of answering after
a fixed delay: N requests are computed at a time, the rest wait in a FIFO queue, each takes
``prompt_tokens x seconds_per_prompt_token + completion_tokens x seconds_per_token`` to compute, and
a request whose client gave up is computed all the same (the server does not notice). Each record
says when its computation started and ended and whether the client was still there to get the
answer. Answers of a model (valid or not) go through the slots; HTTP faults (429, 5xx, resets) and
stalls (nothing sent, ever) do not.

A request with ``"stream": true`` is answered as a stream of server-sent events, as real servers do:
the reply's headers at once, the first token once the prompt is evaluated (in slots mode after
``prompt_tokens x seconds_per_prompt_token``, queued behind the other requests; otherwise after the
reply's delay), then one token (four characters of the answer) every ``seconds_per_token``, a last
chunk with the finish reason, the usage when ``stream_options.include_usage`` asks for it, and
``data: [DONE]``. With ``ping=S`` an SSE comment is sent every S seconds while no token is
(llama-cpp-python's server does so every 15 s). An answer whose client has gone stops at its next
token (the connection is closed), but a prompt being evaluated is not cancelled. Faults of a stream
(``STREAM_FAULTS``): ``no_first_token`` (headers, then nothing), ``stall_mid`` (half the answer, then
nothing), ``drop_mid`` (half the answer, then the connection is reset) and ``interrupted`` (half the
answer, then ``[DONE]`` with no finish reason, as llama-cpp-python's server does to a streamed
answer when another request arrives). Asked without streaming, the first three are a stall and a
reset, and ``interrupted`` a whole answer. With ``prompt_cache=True`` (slots mode) the messages a
request shares from the start with the one computed before it are not evaluated again, as llama.cpp
keeps its last prompt; with ``timings=True`` a streamed answer's last chunk carries llama-server's
``timings`` (prompt_n, cache_n, prompt_ms, predicted_n, predicted_ms).

Standalone, to simulate a model that takes one second per answer::

    python tests/openai_server.py --port 8765 --delay 1.0 [--fault-rate 0.3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import random
import re
import select
import signal
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Fault kinds. Transport faults are retried by tenacity; content faults go through instructor's re-ask.
TRANSPORT_FAULTS = ("429", "429_bare", "500", "503", "reset", "slow", "stall")
CONTENT_FAULTS = ("invalid_json", "schema_invalid", "bad_citation", "empty_choices", "garbage_body")
STREAM_FAULTS = ("no_first_token", "stall_mid", "drop_mid", "interrupted")
KINDS = ("ok", *TRANSPORT_FAULTS, *CONTENT_FAULTS, *STREAM_FAULTS)

_SENTENCE_LINE = re.compile(r"^\[(\d+)\](\s*\(skip\))?\s(.*)$", re.M)
_NUMBER = re.compile(r"\d[\d,.]*")


@dataclass
class Reply:
    """One scripted answer: an HTTP status and body, or a dropped connection."""

    status: int = 200
    body: Any = None  # dict/list -> JSON, str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    reset: bool = False  # close the socket without any reply (connection reset)
    stall: bool = False  # send nothing, ever (until the client gives up or the server stops)
    kind: str = "ok"
    stream_fault: str = ""  # one of STREAM_FAULTS, for a streamed answer


@dataclass
class RecordedRequest:
    number: int
    at: float  # time.monotonic() when it arrived
    path: str
    body: dict[str, Any] | None
    raw: bytes
    kind: str = ""  # what the server answered
    computed_from: float | None = None  # slots mode: when the model started on it (monotonic)
    computed_to: float | None = None  # ... and when it had the answer
    abandoned: bool = False  # slots mode: the client had hung up by the time the answer was ready
    streamed: bool = False  # answered as a stream of server-sent events
    first_token_at: float | None = None  # streamed: when its first token was sent
    delivered: bool = False  # the whole answer reached the client
    cached_tokens: int = 0  # slots mode with prompt_cache: prompt tokens taken from the cache
    timings: dict[str, Any] | None = None  # with timings: what the server reported (llama-server's)

    @property
    def messages_key(self) -> str:
        """Identical for a request and its re-sends (not its re-asks, which add messages)."""
        return json.dumps((self.body or {}).get("messages", []), sort_keys=True)

    @property
    def user_text(self) -> str:
        messages = (self.body or {}).get("messages", [])
        return "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")

    @property
    def doc_id(self) -> str | None:
        match = re.search(r"^Article (\S+?)(?: \(dated|\. Sentences)", self.user_text, re.M)
        return match.group(1) if match else None

    @property
    def is_reask(self) -> bool:
        """A re-ask carries the earlier answer and the validation error after the first user turn."""
        return len((self.body or {}).get("messages", [])) > 2


# ---------------------------------------------------------------------------------------------------
# Building replies
# ---------------------------------------------------------------------------------------------------


def article_sentences(request: dict[str, Any]) -> list[tuple[int, bool, str]]:
    """(id, citable, text) for the numbered sentences in the request's first user message."""
    for message in request.get("messages", []):
        if message.get("role") == "user":
            found: dict[int, tuple[int, bool, str]] = {}
            for m in _SENTENCE_LINE.finditer(str(message.get("content", ""))):
                # the hints after the article repeat "[N] ..."; the first occurrence is the sentence
                found.setdefault(int(m.group(1)), (int(m.group(1)), m.group(2) is None, m.group(3).strip()))
            return list(found.values())
    return []


def default_extraction(request: dict[str, Any]) -> dict[str, Any]:
    """A deterministic, schema-valid extraction that cites only real, citable sentences."""
    citable = [(sid, text) for sid, ok, text in article_sentences(request) if ok]
    claims = [
        {
            "sentences": [sid],
            "speaker": "the article",
            "speaker_side": "unknown",
            "statement": text[:200],
        }
        for sid, text in citable[:4]
    ]
    figures = []
    for sid, text in citable:
        number = _NUMBER.search(text)
        if number and len(figures) < 3:
            value = number.group(0).rstrip(".,")
            figures.append({"sentences": [sid], "quantity": f"figure in sentence {sid}", "value": value[:40]})
    return {"parties": [], "demands": [], "proposals": [], "claims": claims, "figures": figures}


def _tool_name(request: dict[str, Any]) -> str | None:
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("function", {}).get("name"):
        return choice["function"]["name"]
    tools = request.get("tools") or []
    return tools[0]["function"]["name"] if tools else None


def completion(request: dict[str, Any], arguments: str, number: int = 0) -> dict[str, Any]:
    """A chat completion carrying ``arguments`` as a tool call (tools mode) or as content (JSON modes)."""
    name = _tool_name(request)
    if name:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{number}",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": arguments}
        finish = "stop"
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
    completion_tokens = max(1, len(arguments) // 4)
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "test-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def reply_for(
    kind: str, request: dict[str, Any], number: int = 0, *, retry_after: float = 0.2, slow: float = 5.0
) -> Reply:
    """The reply of one named kind (see ``KINDS``)."""
    error = {"error": {"message": f"injected {kind}", "type": "server_error", "code": kind}}
    if kind == "ok":
        return Reply(body=completion(request, json.dumps(default_extraction(request)), number), kind=kind)
    if kind == "429":
        headers = {"Retry-After": f"{retry_after:g}"}
        return Reply(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, headers, kind=kind)
    if kind == "429_bare":  # no Retry-After: the client's own backoff applies
        return Reply(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, kind=kind)
    if kind == "stall":
        return Reply(stall=True, kind=kind)
    if kind in ("500", "503"):
        return Reply(int(kind), error, kind=kind)
    if kind == "reset":
        return Reply(reset=True, kind=kind)
    if kind == "slow":  # slower than the client's timeout: the client gives up first
        return Reply(
            body=completion(request, json.dumps(default_extraction(request)), number), delay=slow, kind=kind
        )
    if kind == "invalid_json":
        return Reply(
            body=completion(request, '{"claims": [{"sentences": [1], "speaker": ', number), kind=kind
        )
    if kind == "schema_invalid":
        wrong = {"claims": [{"sentences": "one", "speaker": 7}], "parties": "none"}
        return Reply(body=completion(request, json.dumps(wrong), number), kind=kind)
    if kind == "bad_citation":
        ids = [sid for sid, _, _ in article_sentences(request)] or [0]
        fake = {
            "claims": [
                {
                    "sentences": [max(ids) + 100],
                    "speaker": "x",
                    "speaker_side": "unknown",
                    "statement": "invented",
                }
            ]
        }
        return Reply(body=completion(request, json.dumps(fake), number), kind=kind)
    if kind in STREAM_FAULTS:
        body = completion(request, json.dumps(default_extraction(request)), number)
        return Reply(body=body, kind=kind, stream_fault=kind)
    if kind == "empty_choices":
        body = completion(request, "{}", number)
        body["choices"] = []
        return Reply(body=body, kind=kind)
    if kind == "garbage_body":
        return Reply(
            body=b'{"id": "chatcmpl-x", "choices": [ <html>Bad Gateway',
            kind=kind,
            headers={"Content-Type": "application/json"},
        )
    raise ValueError(f"unknown reply kind {kind!r}; choose one of {', '.join(KINDS)}")


def _chunk_base(body: dict[str, Any]) -> dict[str, Any]:
    return {"id": body.get("id"), "object": "chat.completion.chunk", "created": body.get("created"),
            "model": body.get("model")}  # fmt: skip


def _chunk_json(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
    return json.dumps({**_chunk_base(body), "choices": [choice]})


@dataclass
class _Job:
    """One request computed in a slot: its prompt, then its tokens (stopped by ``cancel``)."""

    record: RecordedRequest
    prompt_seconds: float
    token_seconds: float
    done: threading.Event = field(default_factory=threading.Event)
    first: threading.Event = field(default_factory=threading.Event)  # the prompt is evaluated
    cancel: threading.Event = field(default_factory=threading.Event)
    first_at: float = 0.0
    prompt_tokens: int = 0  # evaluated, the cached ones left out


# ---------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------

Scripted = str | Reply | Callable[[dict[str, Any]], Reply]
Plan = Callable[[dict[str, Any], int], "str | Reply | None"]


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/").endswith("/models"):
            self._send(Reply(body={"object": "list", "data": [{"id": "test-model", "object": "model"}]}))
        else:
            self._send(Reply(404, {"error": {"message": "not found"}}))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        owner = self.server.owner
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        record = owner._record(self.path, body, raw)
        if body is None or not self.path.rstrip("/").endswith("/chat/completions"):
            record.kind = "bad_request"
            self._send(Reply(400, {"error": {"message": "expected a JSON chat completion request"}}))
            return
        reply = owner._decide(body, record.number)
        record.kind = reply.kind
        owner._count(reply.kind)
        streamable = isinstance(reply.body, dict) and bool(reply.body.get("choices"))
        if body.get("stream") and streamable and reply.status == 200 and not (reply.reset or reply.stall):
            self._stream(record, reply, body)
            return
        if reply.stream_fault in ("no_first_token", "stall_mid"):
            reply = Reply(stall=True, kind=reply.kind)
        elif reply.stream_fault == "drop_mid":
            reply = Reply(reset=True, kind=reply.kind)
        if reply.stall:
            owner._stopping.wait(600)  # nothing sent until the client gives up or the server stops
            self._reset()
            return
        if owner.slots and reply.status == 200 and not reply.reset:
            owner._compute(record, reply)
            record.abandoned = self._client_gone()
        elif reply.delay and owner._stopping.wait(reply.delay):
            reply = Reply(reset=True, kind=reply.kind)  # shutting down: do not keep the client waiting
        if owner._stopping.is_set():
            reply = Reply(reset=True, kind=reply.kind)
        if reply.reset:
            self._reset()
            return
        self._send(reply)

    # -- streamed answers ----------------------------------------------------------------------------

    def _stream(self, record: RecordedRequest, reply: Reply, request: dict[str, Any]) -> None:
        owner = self.server.owner
        record.streamed = True
        choice = reply.body["choices"][0]
        message = choice.get("message") or {}
        calls = message.get("tool_calls") or []
        text = calls[0]["function"]["arguments"] if calls else (message.get("content") or "")
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)] or [""]
        fault = reply.stream_fault
        job: _Job | None = None
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            if owner.slots:
                job = owner._submit(record, reply)
                if not self._wait(job.first.is_set):
                    return self._gone(job, record)  # its prompt is evaluated all the same
                start = job.first_at
            else:
                start = time.monotonic() + reply.delay
                if not self._wait(lambda: time.monotonic() >= start):
                    return self._reset()
            if fault == "no_first_token":
                self._wait(lambda: False)
                return self._reset()
            for n, piece in enumerate(pieces):
                due = start + n * owner.seconds_per_token
                if not self._wait(lambda due=due: time.monotonic() >= due):
                    return self._gone(job, record)
                if n == len(pieces) // 2 and fault in ("stall_mid", "drop_mid", "interrupted"):
                    if fault == "stall_mid":
                        self._wait(lambda: False)
                        return self._reset()
                    if fault == "drop_mid":
                        return self._reset()
                    self._event(b"[DONE]")  # interrupted: no finish reason
                    self._chunk(b"")
                    return None
                if n == 0:
                    record.first_token_at = time.monotonic()
                    delta: dict[str, Any] = {"role": "assistant", "content": None if calls else piece}
                    if calls:
                        function = {"name": calls[0]["function"]["name"], "arguments": piece}
                        call = {
                            "index": 0,
                            "id": calls[0].get("id"),
                            "type": "function",
                            "function": function,
                        }
                        delta["tool_calls"] = [call]
                elif calls:
                    delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                else:
                    delta = {"content": piece}
                self._event(_chunk_json(reply.body, delta, None))
            last = json.loads(_chunk_json(reply.body, {}, choice.get("finish_reason") or "stop"))
            if (request.get("stream_options") or {}).get("include_usage"):
                self._event(json.dumps(last))
                last = {**_chunk_base(reply.body), "choices": [], "usage": reply.body.get("usage")}
            if owner.timings and job is not None:
                # as llama-server: its timings on the last chunk (tools/server/server-task.cpp)
                record.timings = last["timings"] = owner.timings_of(job, len(pieces))
            self._event(json.dumps(last))
            self._event(b"[DONE]")
            self._chunk(b"")
            record.delivered = True
            owner._answered()
        except OSError:  # the client gave up
            self._gone(job, record)
        return None

    def _gone(self, job: Any, record: RecordedRequest) -> None:
        """The client hung up mid-answer: the server stops at its next token."""
        record.abandoned = True
        if job is not None:
            job.cancel.set()
        self._reset()

    def _wait(self, ready: Callable[[], bool]) -> bool:
        """Wait until ``ready()``, sending a keep-alive comment every ``ping`` seconds; False when the
        client hung up or the server is stopping."""
        owner = self.server.owner
        pinged = time.monotonic()
        while not ready():
            if owner._stopping.wait(0.005) or self._client_gone():
                return False
            if owner.ping and time.monotonic() - pinged >= owner.ping:
                pinged = time.monotonic()
                try:
                    self._chunk(b": ping\n\n")
                except OSError:
                    return False
        return True

    def _event(self, data: str | bytes) -> None:
        payload = data.encode() if isinstance(data, str) else data
        self._chunk(b"data: " + payload + b"\n\n")

    def _chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _client_gone(self) -> bool:
        """The client closed the connection (it timed out): readable with nothing to read."""
        with contextlib.suppress(OSError, ValueError):
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        return False

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            payload = reply.body
        elif isinstance(reply.body, str):
            payload = reply.body.encode()
        else:
            payload = json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            if reply.status == 200:
                self.server.owner._answered()
        except OSError:  # the client gave up (timeout) before the answer came
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection with a TCP RST and no reply at all."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog of 5 drops connections from 16 concurrent clients
    owner: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-reply is expected here, not news


class FaultServer:
    """OpenAI-compatible server with scripted faults; use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        port: int = 0,
        delay: float = 0.0,
        fault_rate: float = 0.0,
        fault_kinds: tuple[str, ...] = ("429", "500", "503", "reset", "invalid_json", "schema_invalid"),
        retry_after: float = 0.2,
        slow: float = 5.0,
        seed: int = 0,
        plan: Plan | None = None,
        slots: int = 0,
        seconds_per_prompt_token: float = 0.0,
        seconds_per_token: float = 0.0,
        ping: float = 0.0,
        prompt_cache: bool = False,
        timings: bool = False,
    ):
        self.slots = slots
        # As llama.cpp: the messages a request shares from the start with the one computed before it
        # are not evaluated again (a re-send's or a re-ask's prompt is mostly cached).
        self.prompt_cache = prompt_cache
        self._cached: list[Any] = []
        # As llama-server: a streamed answer's last chunk carries ``timings`` (slots mode).
        self.timings = timings
        self.seconds_per_prompt_token = seconds_per_prompt_token
        self.seconds_per_token = seconds_per_token
        self.ping = ping
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._workers = [threading.Thread(target=self._work, daemon=True) for _ in range(slots)]
        self.delay = delay
        self.fault_rate = fault_rate
        self.fault_kinds = fault_kinds
        self.retry_after = retry_after
        self.slow = slow
        self.plan = plan
        self.requests: list[RecordedRequest] = []
        self.faults: Counter[str] = Counter()
        self.answered = 0  # 200 replies fully sent
        self._queue: deque[Scripted] = deque()
        self._random = random.Random(seed)
        self._deck: list[bool] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The base URL to give the client (``--base-url``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FaultServer:
        for worker in self._workers:
            worker.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for _ in self._workers:
            self._jobs.put(None)
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------------------

    def script(self, *replies: Scripted) -> None:
        """Queue replies for the next requests, in order; afterwards the plan/fault rate/default apply."""
        with self._lock:
            self._queue.extend(replies)

    def reset_records(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.kind != "bad_request"]

    def _record(self, path: str, body: dict[str, Any] | None, raw: bytes) -> RecordedRequest:
        with self._lock:
            record = RecordedRequest(len(self.requests) + 1, time.monotonic(), path, body, raw)
            self.requests.append(record)
            return record

    def _next_is_fault(self) -> bool:
        """Draw from shuffled decks of 100 with exactly ``fault_rate`` x 100 faults each, so the share
        of faulted requests is the rate asked for, not just its expectation."""
        if not self._deck:
            faults = round(self.fault_rate * 100)
            self._deck = [True] * faults + [False] * (100 - faults)
            self._random.shuffle(self._deck)
        return self._deck.pop()

    def _answered(self) -> None:
        with self._lock:
            self.answered += 1

    def _count(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def _decide(self, request: dict[str, Any], number: int) -> Reply:
        scripted: Scripted | None = None
        with self._lock:
            if self._queue:
                scripted = self._queue.popleft()
            elif self.fault_rate and self._next_is_fault():
                scripted = self._random.choice(self.fault_kinds)
        if scripted is None and self.plan is not None:
            scripted = self.plan(request, number)
        if scripted is None:
            scripted = "ok"
        if callable(scripted) and not isinstance(scripted, str):
            reply = scripted(request)
        elif isinstance(scripted, Reply):
            reply = scripted
        else:
            reply = reply_for(scripted, request, number, retry_after=self.retry_after, slow=self.slow)
        if self.delay and not reply.delay and not reply.reset:
            reply.delay = self.delay
        return reply

    # -- slots mode: a model server that computes N requests at a time ------------------------------

    def compute_seconds(self, reply: Reply) -> tuple[float, float]:
        """Seconds to evaluate the prompt, and to generate the answer."""
        usage = reply.body.get("usage", {}) if isinstance(reply.body, dict) else {}
        return (
            usage.get("prompt_tokens", 0) * self.seconds_per_prompt_token,
            usage.get("completion_tokens", 0) * self.seconds_per_token,
        )

    def _submit(self, record: RecordedRequest, reply: Reply) -> _Job:
        prompt, tokens = self.compute_seconds(reply)
        usage = reply.body.get("usage", {}) if isinstance(reply.body, dict) else {}
        total = usage.get("prompt_tokens", 0)
        if self.prompt_cache:
            messages = (record.body or {}).get("messages", [])
            with self._lock:
                shared = 0
                for mine, before in zip(messages, self._cached, strict=False):
                    if mine != before:
                        break
                    shared += 1
                self._cached = list(messages)
            words = sum(len(str(m.get("content", "")).split()) for m in messages[:shared])
            record.cached_tokens = min(words, max(0, total - 1))  # the last token is always evaluated
            prompt = (total - record.cached_tokens) * self.seconds_per_prompt_token
        job = _Job(record, prompt + reply.delay, tokens, prompt_tokens=total - record.cached_tokens)
        self._jobs.put(job)
        return job

    def timings_of(self, job: _Job, tokens: int) -> dict[str, Any]:
        """llama-server's ``timings`` for a computed answer of ``tokens`` tokens."""
        record = job.record
        prompt_ms = ((job.first_at - (record.computed_from or job.first_at)) or 1e-6) * 1000
        predicted_ms = max(1e-6, time.monotonic() - job.first_at) * 1000
        per_second = {"prompt_per_second": job.prompt_tokens / prompt_ms * 1000,
                      "predicted_per_second": tokens / predicted_ms * 1000}  # fmt: skip
        return {"cache_n": record.cached_tokens, "prompt_n": job.prompt_tokens, "prompt_ms": prompt_ms,
                "predicted_n": tokens, "predicted_ms": predicted_ms, **per_second}  # fmt: skip

    def _compute(self, record: RecordedRequest, reply: Reply) -> None:
        """Queue the request for a slot and wait until its answer is computed."""
        job = self._submit(record, reply)
        while not job.done.wait(0.05) and not self._stopping.is_set():
            pass

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            job.record.computed_from = time.monotonic()
            self._stopping.wait(job.prompt_seconds)
            job.first_at = time.monotonic()
            job.first.set()
            job.cancel.wait(job.token_seconds)  # a stream whose client hung up stops at its next token
            job.record.computed_to = time.monotonic()
            job.done.set()

    def busy_seconds(self) -> float:
        """Seconds the slots spent computing (slots mode)."""
        with self._lock:
            return sum(
                r.computed_to - r.computed_from for r in self.requests if r.computed_to and r.computed_from
            )

    def wasted_seconds(self) -> float:
        """Seconds the slots spent on answers nobody read: the client hung up before the answer was
        complete (slots mode)."""
        with self._lock:
            return sum(r.computed_to - r.computed_from for r in self.requests
                       if r.computed_to and r.computed_from and r.abandoned)  # fmt: skip

    def resent_while_computing(self) -> list[tuple[int, int]]:
        """(earlier, later) request numbers where the same request was sent again before the server
        had finished computing the earlier one: the amplification a slow server must never see."""
        found = []
        with self._lock:
            records = list(self.requests)
        for i, earlier in enumerate(records):
            for later in records[i + 1 :]:
                if later.messages_key != earlier.messages_key or earlier.computed_from is None:
                    continue
                if earlier.computed_to is None or later.at < earlier.computed_to:
                    found.append((earlier.number, later.number))
        return found

    def max_queued(self) -> int:
        """The most requests that were waiting for or in a slot at once."""
        with self._lock:
            spans = [(r.at, r.computed_to) for r in self.requests if r.computed_to is not None]
        return max((sum(1 for a, b in spans if a <= at < b) for at, _ in spans), default=0)

    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, by kind ("ok" left out)."""
        with self._lock:
            return {kind: n for kind, n in sorted(self.faults.items()) if kind != "ok"}


@contextlib.contextmanager
def running_server(**options: Any) -> Iterator[FaultServer]:
    server = FaultServer(**options).start()
    try:
        yield server
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests faulted")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=float, default=3600.0, help="stop after this many seconds")
    parser.add_argument("--slots", type=int, default=0, help="model-server mode: requests computed at once")
    parser.add_argument("--seconds-per-token", type=float, default=0.0, help="slots: per completion token")
    parser.add_argument("--seconds-per-prompt-token", type=float, default=0.0, help="slots: per prompt token")
    parser.add_argument("--ping", type=float, default=0.0, help="streams: seconds between SSE comments")
    args = parser.parse_args(argv)
    server = FaultServer(port=args.port, delay=args.delay, fault_rate=args.fault_rate, seed=args.seed,
                         slots=args.slots, seconds_per_token=args.seconds_per_token,
                         seconds_per_prompt_token=args.seconds_per_prompt_token, ping=args.ping)  # fmt: skip
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server._stopping.set())  # stop cleanly on kill
    print(f"listening on {server.url}", flush=True)
    try:
        server._stopping.wait(args.duration)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(f"{len(server.requests)} requests; faults {server.fault_counts()}", flush=True)


if __name__ == "__main__":
    main()
