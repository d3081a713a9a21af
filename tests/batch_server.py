"""A loopback stub of OpenAI's Files and Batches APIs, for the ``--batch`` tests.

It listens on 127.0.0.1 (an ephemeral port) and answers what the openai client sends:

* ``POST /v1/files`` (multipart upload, purpose ``batch``), ``GET /v1/files/{id}`` and
  ``GET /v1/files/{id}/content``;
* ``POST /v1/batches``, ``GET /v1/batches/{id}`` and ``POST /v1/batches/{id}/cancel``.

A batch is ``validating`` when created; each ``GET`` moves it on: ``in_progress`` while
``server.hold`` is set, else ``finalizing`` and then its ``fate`` (``completed``, ``failed``,
``expired``, ``cancelled``). On completion each request line is answered like a chat-completions
server would: ``server.answer(body, custom_id, batch_number)`` names a reply kind of
``openai_server.KINDS`` (``"ok"``, ``"schema_invalid"``, ``"bad_citation"``, ``"500"``, ...) or
returns an ``openai_server.Reply``; the default is ``"ok"``, a valid extraction citing real
sentences. Answers with status 200 go to the output file, the others to the error file. An expired
batch answers only its first ``expire_after`` requests; the rest are in the error file as
``batch_expired``, as OpenAI does. ``server.failing_polls = N`` answers the next N status requests
with a 500.

Everything is recorded: ``server.uploads`` (the JSONL lines of each upload), ``server.batches``,
``server.polls`` (batch ids, in the order their status was asked).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openai_server import Reply, reply_for

Answer = Callable[[dict[str, Any], str, int], "str | Reply"]


@dataclass
class StubBatch:
    id: str
    number: int  # 1 for the first batch created, ...
    input_file_id: str
    requests: list[dict[str, Any]]
    status: str = "validating"
    fate: str = "completed"
    created_at: int = field(default_factory=lambda: int(time.time()))
    output_file_id: str | None = None
    error_file_id: str | None = None
    completed: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "created_at": self.created_at,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "request_counts": {
                "total": len(self.requests),
                "completed": self.completed,
                "failed": self.failed,
            },
            "metadata": {},
        }
        if self.status == "failed":
            body["errors"] = {
                "object": "list",
                "data": [{"code": "invalid_request", "message": "injected batch failure", "line": 1}],
            }
        return body


class BatchServer:
    def __init__(self, *, answer: Answer | None = None, fate: str = "completed", expire_after: int = 0):
        self.answer: Answer = answer or (lambda body, custom_id, number: "ok")
        self.fate = fate
        self.expire_after = expire_after
        self.hold = False  # keep every batch in_progress
        self.failing_polls = 0  # answer that many status requests with a 500 first
        self.files: dict[str, bytes] = {}
        self.uploads: list[list[dict[str, Any]]] = []
        self.batches: dict[str, StubBatch] = {}
        self.polls: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> BatchServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- the API ---------------------------------------------------------------------------------------

    def upload(self, content: bytes) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = content
            self.uploads.append([json.loads(line) for line in content.decode().splitlines() if line.strip()])
        return _file_json(file_id, content)

    def create(self, request: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            content = self.files.get(request.get("input_file_id", ""))
            if content is None:
                return None
            lines = [json.loads(line) for line in content.decode().splitlines() if line.strip()]
            number = len(self.batches) + 1
            batch = StubBatch(f"batch_{number:03d}", number, request["input_file_id"], lines, fate=self.fate)
            self.batches[batch.id] = batch
            return batch.as_json()

    def retrieve(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            self.polls.append(batch_id)
            if batch.status in ("validating", "in_progress") and self.hold:
                batch.status = "in_progress"
            elif batch.status in ("validating", "in_progress"):
                batch.status = "finalizing"
            elif batch.status == "finalizing":
                self._finish(batch)
            return batch.as_json()

    def _finish(self, batch: StubBatch) -> None:
        if batch.fate in ("failed", "cancelled"):
            batch.status = batch.fate
            return
        output, errors = [], []
        for n, line in enumerate(batch.requests):
            custom_id = line["custom_id"]
            if batch.fate == "expired" and n >= self.expire_after:
                error = {"code": "batch_expired", "message": "This request could not be executed in time."}
                errors.append(
                    {"id": f"batch_req_{n}", "custom_id": custom_id, "response": None, "error": error}
                )
                continue
            scripted = self.answer(line["body"], custom_id, batch.number)
            reply = scripted if isinstance(scripted, Reply) else reply_for(scripted, line["body"], n + 1)
            response = {"status_code": reply.status, "request_id": f"req_{n}", "body": reply.body}
            record = {"id": f"batch_req_{n}", "custom_id": custom_id, "response": response, "error": None}
            (output if reply.status == 200 else errors).append(record)
        batch.completed, batch.failed = len(output), len(errors)
        for name, records in (("output_file_id", output), ("error_file_id", errors)):
            if records:
                content = "".join(json.dumps(r) + "\n" for r in records).encode()
                file_id = f"file-{len(self.files) + 1}"
                self.files[file_id] = content
                setattr(batch, name, file_id)
        batch.status = batch.fate

    def take_failure(self) -> bool:
        with self._lock:
            if self.failing_polls <= 0:
                return False
            self.failing_polls -= 1
            return True

    def cancel(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            batch.status = "cancelled"
            return batch.as_json()


def _file_json(file_id: str, content: bytes) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "bytes": len(content),
        "created_at": int(time.time()),
        "filename": "input.jsonl",
        "purpose": "batch",
        "status": "processed",
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    @property
    def owner(self) -> BatchServer:
        return self.server.owner

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0].rstrip("/")
        if match := re.fullmatch(r"/v1/files/([\w-]+)/content", path):
            content = self.owner.files.get(match.group(1))
            if content is not None:
                return self._send(200, content, "application/octet-stream")
        elif match := re.fullmatch(r"/v1/files/([\w-]+)", path):
            content = self.owner.files.get(match.group(1))
            if content is not None:
                return self._json(200, _file_json(match.group(1), content))
        elif path.startswith("/v1/batches/") and self.owner.take_failure():
            # retry-after-ms: the openai client retries at once instead of backing off for seconds
            error = json.dumps({"error": {"message": "injected 500", "type": "server_error"}}).encode()
            return self._send(500, error, "application/json", {"retry-after-ms": "1"})
        elif (match := re.fullmatch(r"/v1/batches/([\w-]+)", path)) and (
            batch := self.owner.retrieve(match.group(1))
        ) is not None:
            return self._json(200, batch)
        self._json(404, {"error": {"message": f"no such object: {path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0].rstrip("/")
        if path == "/v1/files":
            parts = _multipart(self.headers.get("Content-Type", ""), raw)
            if parts.get("purpose") != b"batch" or "file" not in parts:
                return self._json(400, {"error": {"message": "expected a file with purpose batch"}})
            return self._json(200, self.owner.upload(parts["file"]))
        if path == "/v1/batches":
            request = json.loads(raw or b"{}")
            if request.get("endpoint") != "/v1/chat/completions" or request.get("completion_window") != "24h":
                return self._json(400, {"error": {"message": "unsupported endpoint or window"}})
            if (batch := self.owner.create(request)) is not None:
                return self._json(200, batch)
        elif (match := re.fullmatch(r"/v1/batches/([\w-]+)/cancel", path)) and (
            batch := self.owner.cancel(match.group(1))
        ) is not None:
            return self._json(200, batch)
        self._json(404, {"error": {"message": f"no such object: {path}", "type": "invalid_request_error"}})

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _multipart(content_type: str, raw: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name (the standard library's MIME parser)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = part.get_payload(decode=True) or b""
    return fields


@contextlib.contextmanager
def running_batch_server(**options: Any) -> Iterator[BatchServer]:
    server = BatchServer(**options).start()
    try:
        yield server
    finally:
        server.stop()
