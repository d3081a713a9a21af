"""The seeds through a real single-slot llama.cpp server, as a new user would run them (issue 11).

Starts llama-cpp-python's OpenAI-compatible server (``python -m llama_cpp.server``, one request at a
time, the others queued, abandoned requests computed all the same) with the default model, puts a
small forwarding proxy in front of it that logs every request and can inject faults (429 with and
without Retry-After, 500, 503, dropped connections, stalls that send nothing, invalid JSON, and in the
middle of a streamed answer a dropped connection or a stall), and runs ``summarizer brief seeds/``
against the proxy with default options:

    python bench/slow_server.py                            # default model, default options, no faults
    python bench/slow_server.py --fault-rate 0.3           # 30% of requests faulted, stalls included
    python bench/slow_server.py --tiny                     # the 135M test model (minutes, not 10)
    python bench/slow_server.py -- --concurrency 1         # options after -- go to `summarizer brief`

A machine slower than this one (issue 22: one document in 3-12 minutes) is emulated with one server
thread run only part of each second (``bench/duty_cycle.py``, SIGSTOP/SIGCONT; other jobs on the
machine slow it further, so read the per-document server seconds it reports):

    python bench/slow_server.py --n-threads 1 --duty 0.7 [--fault-rate 0.3]

It prints the exit code, documents included, wall time, the server's busy time (the union of the
intervals during which it had a request of ours: on one slot, what ``--concurrency 1`` would need
at best, start-up aside), the server time spent on answers nobody read (wasted_seconds, and its
share of the busy time; of which wasted_by_client_seconds our client abandoned, the rest cut by
injected mid-stream faults), each request's and each document's server seconds, requests and
faults, abandoned requests (the client gave up before the answer) and re-sends while the server was
still computing the same request (must be none). The proxy log, the server's log and the brief are
written to --out. Needs ``pip install 'llama-cpp-python[server]'``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import re
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))  # duty_cycle, when this file is loaded by path (tests)
sys.path.insert(0, str(ROOT))

import duty_cycle  # noqa: E402
from openai_server import reply_for  # noqa: E402

# Faults before any reply (the proxy answers them itself, the server never sees the request) ...
FAULT_KINDS = ("429", "429_bare", "500", "503", "reset", "stall", "invalid_json")
# ... and in the middle of a streamed answer: the request is forwarded, and after MID_STREAM_TOKENS
# tokens the proxy resets the client's connection (drop_mid), or stops sending while keeping it open
# (stall_mid: the client must tell it from a slow server by the time without a token). Either way
# it closes its connection to the server, which stops at its next token, as a hung server computes
# nothing more. An answer shorter than that is relayed whole.
MID_STREAM_FAULTS = ("drop_mid", "stall_mid")
MID_STREAM_TOKENS = 20
FORWARDED = ("ok", *MID_STREAM_FAULTS)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing an idle kept-alive connection is routine, not a traceback in the report;
        anything else is still printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class Logged:
    number: int
    at: float
    key: str  # the request's messages: the same for a request and its re-sends
    kind: str = "ok"
    done: float | None = None  # when the server's answer was complete (forwarded requests)
    abandoned: bool = False  # the client had hung up by then, or a mid-stream fault cut it
    document: str | None = None  # the article's id, from the prompt


class Proxy:
    """Forwards chat completions to ``upstream`` and logs them; ``fault_rate`` of them get a fault."""

    def __init__(self, upstream: int, fault_rate: float, seed: int) -> None:
        self.upstream = upstream
        self.fault_rate = fault_rate
        self.random = random.Random(seed)
        self.deck: list[bool] = []
        self.script: list[str] = []  # kinds for the next requests, before any drawn (tests)
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                status, headers, body = proxy.forward("GET", self.path, b"", dict(self.headers))
                self.reply(status, headers, body)

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = json.loads(raw)
                with proxy.lock:
                    messages = request.get("messages") or []
                    entry = Logged(len(proxy.log) + 1, time.monotonic(), json.dumps(messages))
                    entry.document = document_of(messages)
                    proxy.log.append(entry)
                    entry.kind = proxy.draw()
                if entry.kind == "stall":
                    while not proxy.stopping.wait(0.5) and not self.gone():
                        pass
                    self.close_connection = True
                    return
                if entry.kind not in FORWARDED:
                    fault = reply_for(entry.kind, request, entry.number, retry_after=2.0)
                    if fault.reset:
                        with contextlib.suppress(OSError):
                            linger = b"\1\0\0\0\0\0\0\0"  # RST on close, as a dropped connection
                            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                            self.connection.close()
                        self.close_connection = True
                        return
                    body = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body).encode()
                    self.reply(fault.status, {"Content-Type": "application/json", **fault.headers}, body)
                    return
                entry.abandoned = not proxy.relay(self, raw, entry.kind, self.gone)
                entry.done = time.monotonic()

            def gone(self) -> bool:
                with contextlib.suppress(OSError, ValueError):
                    readable, _, _ = select.select([self.connection], [], [], 0)
                    return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
                return True

            def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
                    for name in ("Retry-After",):
                        if name in headers:
                            self.send_header(name, headers[name])
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def draw(self) -> str:
        if self.script:
            return self.script.pop(0)
        if not self.fault_rate:
            return "ok"
        if not self.deck:  # exactly fault_rate x 100 faults per 100 requests
            faults = round(self.fault_rate * 100)
            self.deck = [True] * faults + [False] * (100 - faults)
            self.random.shuffle(self.deck)
        return self.random.choice(FAULT_KINDS + MID_STREAM_FAULTS) if self.deck.pop() else "ok"

    def relay(self, handler: BaseHTTPRequestHandler, raw: bytes, fault: str = "ok", gone: Any = None) -> bool:
        """Forward a chat completion and relay its reply as it comes (a streamed answer token by
        token); False when the client hung up before the whole answer reached it, or ``fault``
        (drop_mid, stall_mid) cut it. The upstream connection is then closed: llama.cpp stops at its
        next token."""
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=None)
        tokens = 0
        try:
            connection.request("POST", handler.path, body=raw, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            try:
                handler.send_response(response.status)
                handler.send_header("Content-Type", response.getheader("Content-Type", "application/json"))
                handler.send_header("Transfer-Encoding", "chunked")
                handler.end_headers()
                while piece := response.read1(65536):
                    handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    handler.wfile.flush()
                    tokens += piece.count(b"data:")
                    if fault in MID_STREAM_FAULTS and tokens >= MID_STREAM_TOKENS:
                        connection.close()  # the server stops at its next token
                        if fault == "stall_mid":  # nothing more, until the client gives up
                            while not self.stopping.wait(0.5) and not (gone and gone()):
                                pass
                        with contextlib.suppress(OSError):
                            linger = b"\1\0\0\0\0\0\0\0"  # RST on close, as a dropped connection
                            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                            handler.connection.close()
                        handler.close_connection = True
                        return False
                handler.wfile.write(b"0\r\n\r\n")
                handler.wfile.flush()
            except OSError:
                handler.close_connection = True
                return False
            return True
        finally:
            connection.close()

    def forward(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict, bytes]:  # noqa: E501
        # No timeout: the upstream computes every request it gets, whoever waits for it.
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=None)
        try:
            connection.request(method, path, body=body or None, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()

    def resent_while_computing(self) -> list[tuple[int, int]]:
        found = []
        for i, earlier in enumerate(self.log):
            for later in self.log[i + 1 :]:
                same = later.key == earlier.key and earlier.kind in FORWARDED
                if same and (earlier.done is None or later.at < earlier.done):
                    found.append((earlier.number, later.number))
        return found

    def busy_seconds(self) -> float:
        """Union of the forwarded requests' intervals: the time the server had work of ours."""
        spans = sorted((e.at, e.done) for e in self.log if e.kind in FORWARDED and e.done is not None)
        total, end = 0.0, float("-inf")
        for start, stop in spans:
            if stop > end:
                total += stop - max(start, end)
                end = stop
        return total

    def server_seconds(self) -> list[dict[str, Any]]:
        """Each forwarded request's server time (one slot: from when it arrived or the one before
        it ended, to its end), and whether its answer was read."""
        rows, previous = [], float("-inf")
        for entry in sorted(
            (e for e in self.log if e.kind in FORWARDED and e.done is not None), key=lambda e: e.done
        ):
            seconds = entry.done - max(entry.at, previous)
            rows.append({"request": entry.number, "seconds": round(seconds, 1), "read": not entry.abandoned})
            previous = entry.done
        return rows

    def wasted_seconds(self, kinds: tuple[str, ...] = FORWARDED) -> float:
        """Server time spent on answers nobody read: on one slot computing in turn, each forwarded
        request is computed from when it arrived or the one before it ended, to its end; the sum of
        those of ``kinds`` whose client hung up, or whose fault cut them, before the whole answer
        reached the client."""
        wasted, previous = 0.0, float("-inf")
        for entry in sorted(
            (e for e in self.log if e.kind in FORWARDED and e.done is not None), key=lambda e: e.done
        ):
            if entry.abandoned and entry.kind in kinds:
                wasted += entry.done - max(entry.at, previous)
            previous = entry.done
        return wasted

    def per_document(self) -> dict[str, dict[str, Any]]:
        """Each document's requests and server seconds (one slot: see server_seconds)."""
        numbers = {e.number: e for e in self.log}
        found: dict[str, dict[str, Any]] = {}
        for row in self.server_seconds():
            entry = numbers[row["request"]]
            mine = found.setdefault(
                entry.document or "?", {"requests": 0, "seconds": 0.0, "read_seconds": 0.0}
            )
            mine["requests"] += 1
            mine["seconds"] = round(mine["seconds"] + row["seconds"], 1)
            if row["read"]:
                mine["read_seconds"] = round(mine["read_seconds"] + row["seconds"], 1)
        return found


def document_of(messages: list[dict[str, Any]]) -> str | None:
    """The article's id as the extraction prompt names it ("Article 000_... (dated" / ". Sentences")."""
    text = "\n".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    match = re.search(r"^Article (\S+?)(?: \(dated|\. Sentences)", text, re.M)
    return match.group(1) if match else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    model: Path, port: int, n_threads: int | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--n_ctx", "8192",
               "--port", str(port)]  # fmt: skip
    if n_threads:
        command += ["--n_threads", str(n_threads), "--n_threads_batch", str(n_threads)]
    # The server's log keeps llama.cpp's own timings per request (prompt eval / eval time).
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited with {server.returncode}: {' '.join(command)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/v1/models")
            if connection.getresponse().status == 200:
                return server
        time.sleep(1)
    server.kill()
    raise SystemExit("llama_cpp.server did not start within 600 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="the 135M test model instead of the default")
    parser.add_argument("--model-path", type=Path, help="any GGUF file")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--n-threads", type=int, help="the server's threads (default: llama.cpp's)")
    parser.add_argument(
        "--duty", type=float, default=1.0, help="emulate a slower machine: the share of each second it runs"
    )
    parser.add_argument("--inputs", type=Path, default=ROOT / "seeds")
    parser.add_argument("--out", type=Path, default=Path("/tmp/summarizer-slow-server"))
    parser.add_argument("brief_options", nargs="*", help="after --: options for `summarizer brief`")
    args = parser.parse_args()

    from summarizer.model_assets import assembled_model_path, tiny_model_path

    model = args.model_path or (tiny_model_path() if args.tiny else assembled_model_path())
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    started = time.monotonic()
    server = start_server(model, port, args.n_threads, args.out / "server.log")
    print(f"llama_cpp.server with {model.name} on port {port}: up in {time.monotonic() - started:.1f} s")
    throttled = duty_cycle.start(server.pid, args.duty)  # after start-up: only requests are slowed
    proxy = Proxy(port, args.fault_rate, args.seed)
    command = [sys.executable, "-m", "summarizer.cli", "brief", str(args.inputs), "--backend", "openai",
               "--base-url", proxy.url, "--model", "qwen", "--no-cache", "-o", str(args.out / "brief.md"),
               "--json", str(args.out / "brief.json"), *args.brief_options]  # fmt: skip
    print("$", " ".join(command[1:]))
    try:
        began = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - began
    finally:
        proxy.stop()
        throttled.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # uvicorn waits for a request in progress to end
            server.kill()
            server.wait()
    brief = json.loads((args.out / "brief.json").read_text()) if (args.out / "brief.json").exists() else {}
    kinds: dict[str, int] = {}
    for entry in proxy.log:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    result = {
        "model": model.name,
        "options": args.brief_options,
        "n_threads": args.n_threads,
        "duty": args.duty,
        "fault_rate": args.fault_rate,
        "exit_code": done.returncode,
        "included": len(brief.get("sources", [])),
        "failed": [f["reason"] for f in brief.get("failed", [])],
        "dropped_items": sum(len(s.get("dropped", [])) for s in brief.get("sources", [])),
        "wall_seconds": round(wall, 1),
        "server_busy_seconds": round(proxy.busy_seconds(), 1),
        # the bar of issue 22: under 10% of the busy time
        "wasted_seconds": round(proxy.wasted_seconds(), 1),
        "wasted_share": round(proxy.wasted_seconds() / max(proxy.busy_seconds(), 1e-9), 3),
        # of which: answers our client abandoned (the rest were cut by injected mid-stream faults)
        "wasted_by_client_seconds": round(proxy.wasted_seconds(("ok",)), 1),
        "per_document": proxy.per_document(),
        "server_seconds_per_request": proxy.server_seconds(),
        "requests": len(proxy.log),
        "requests_by_kind": kinds,
        "abandoned": [e.number for e in proxy.log if e.abandoned],
        "resent_while_computing": proxy.resent_while_computing(),
    }
    (args.out / "proxy_log.json").write_text(json.dumps([asdict(e) for e in proxy.log], indent=1))
    (args.out / "stderr.txt").write_text(done.stderr)
    (args.out / "result.json").write_text(json.dumps(result, indent=2))
    print(done.stderr)
    print(json.dumps(result, indent=2))
    return 0 if done.returncode == 0 and not result["resent_while_computing"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
