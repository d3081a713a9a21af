"""A loopback web server for the input tests: pages, feeds, redirects, errors, slow and huge pages.

Real HTTP on 127.0.0.1 (a thread per request), so the fetcher's real httpx client, timeouts,
redirects and size limits are what is tested, not a mock. Each route is the exact answer to send;
every request is recorded (path and User-Agent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer starts
    # sent without Content-Length, in pieces (a server streaming a page of unknown size)
    chunked: bool = False
    # claimed Content-Length (a lie is allowed: a size limit must not trust it alone)
    length: int | None = None


@dataclass
class WebServer:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests the server was answering at once
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a size limit, a timeout) is what the tests do: no traceback."""


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[WebServer]:
    """Serve ``routes`` (path -> Route) on a free loopback port until the block ends."""
    state = WebServer("", routes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with state.lock:
                state.requests.append((self.path, self.headers.get("User-Agent", "")))
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            try:
                self._answer()
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _answer(self) -> None:
            route = state.routes.get(self.path)
            if route is None:
                route = Route(b"<html><body>Not found</body></html>", status=404)
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for start in range(0, len(route.body), 65536):
                        piece = route.body[start : start + 65536]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                length = route.length if route.length is not None else len(route.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a limit): fine
                pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
