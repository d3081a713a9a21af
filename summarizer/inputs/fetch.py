"""Fetching web pages with httpx, politely and within bounds, through a store that keeps what was
fetched (the extraction cache's SQLite file) so that a rerun needs no network.

Polite: a user agent that names this tool, at most ``concurrency`` requests at once and at most
``PER_HOST`` to one site. Bounded: a timeout per request and a deadline per page, at most
``max_redirects`` redirects, at most ``max_bytes`` of body (decompressed; a larger ``Content-Length``
is refused before the body is read), and only the kinds of page that can hold an article (HTML,
RSS/Atom, PDF, plain text) are downloaded at all.

A page in the store is used without asking the network again: an article's URL names its text. A
feed is the exception, since it lists what is new: it is fetched again on every run and its stored
copy is used only when the network fails (said in a notice).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from importlib import metadata
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from summarizer.inputs.base import InputError
from summarizer.inputs.feeds import looks_like_feed

MAX_PAGE_BYTES = 10_000_000  # a news page with inline scripts is 1-3 MB; a PDF report may be more
TIMEOUT = 20.0  # seconds per connect / read
PAGE_DEADLINE = 60.0  # seconds for one page, however slowly its bytes trickle in
MAX_REDIRECTS = 5
CONCURRENCY = 4
PER_HOST = 2
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.1"
)


def user_agent() -> str:
    try:
        version = metadata.version("summarizer")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"summarizer/{version} (news brief tool; fetches only the pages its user gives it)"


@dataclass(frozen=True)
class Page:
    """A fetched page: what the server sent, and where it came from."""

    url: str  # as asked
    final_url: str  # after redirects
    content_type: str  # the Content-Type header as sent ('text/html; charset=utf-8')
    body: bytes
    fetched_at: float  # Unix time
    from_store: bool = False

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        message = Message()
        message["content-type"] = self.content_type
        charset = message.get_param("charset")  # a str, or a (charset, language, value) triple (RFC 2231)
        return charset if isinstance(charset, str) or charset is None else str(charset[2])

    @property
    def kind(self) -> str | None:
        return page_kind(self.media_type, self.body)


_HTML = ("text/html", "application/xhtml+xml")
_FEEDS = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_XML = ("application/xml", "text/xml")
_UNDECLARED = ("", "application/octet-stream", "binary/octet-stream")
READABLE_TYPES = (*_HTML, *_FEEDS, *_XML, "application/pdf", "text/plain")


def page_kind(media_type: str, body: bytes) -> str | None:
    """'html', 'feed', 'pdf' or 'text' for a page that can hold an article, else None. The first
    bytes decide where the header is vague (feeds sent as text/xml or text/html, PDFs as
    octet-stream)."""
    head = body[:1024].lstrip().lower()
    if media_type == "application/pdf" or body.startswith(b"%PDF"):
        return "pdf"
    if media_type in _FEEDS or (media_type in (*_XML, *_HTML, *_UNDECLARED) and looks_like_feed(body)):
        return "feed"
    if media_type in _HTML or (media_type in _UNDECLARED and head.startswith((b"<!doctype html", b"<html"))):
        return "html"
    if media_type == "text/plain":
        return "text"
    return None


class PageStore(Protocol):
    """Where fetched pages are kept (``cache.ExtractionCache``): by the URL as asked."""

    def get_page(self, url: str) -> tuple[str, str, bytes, float] | None:
        """(final_url, content_type, body, fetched_at) of a stored page, or None."""
        ...

    def put_page(
        self, url: str, final_url: str, content_type: str, body: bytes, fetched_at: float
    ) -> None: ...


class Fetcher:
    """Fetches URLs concurrently (bounded), through the store when one is given."""

    def __init__(
        self,
        store: PageStore | None = None,
        *,
        timeout: float = TIMEOUT,
        deadline: float = PAGE_DEADLINE,
        max_bytes: int = MAX_PAGE_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        concurrency: int = CONCURRENCY,
        per_host: int = PER_HOST,
        transport: httpx.BaseTransport | None = None,
    ):
        self.store = store
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.concurrency = max(1, concurrency)
        self.notices: list[str] = []
        self.fetched = 0  # pages read from the network
        self.stored = 0  # pages taken from the store
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(per_host))
        self._client = httpx.Client(
            headers={"User-Agent": user_agent(), "Accept": ACCEPT},
            follow_redirects=True,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=self.concurrency),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def fetch_all(
        self, urls: list[str], on_page: Callable[[str], None] | None = None
    ) -> dict[str, Page | InputError]:
        """Each URL's page or the reason it could not be had, whatever the order they finish in."""
        unique = list(dict.fromkeys(urls))
        if not unique:
            return {}
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(unique))) as pool:
            results = list(pool.map(self.fetch, unique))
        return dict(zip(unique, results, strict=True))

    def fetch(self, url: str) -> Page | InputError:
        """One URL: from the store if it holds the page (a feed only when the network fails)."""
        stored = self._stored(url)
        if stored is not None and stored.kind != "feed":
            with self._lock:
                self.stored += 1
            return stored
        try:
            page = self._download(url)
        except InputError as error:
            if stored is None:
                return error
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stored.fetched_at))
            with self._lock:
                self.notices.append(f"{url}: {error}; using the copy fetched {when}")
                self.stored += 1
            return stored
        with self._lock:
            self.fetched += 1
        if self.store is not None:
            self.store.put_page(page.url, page.final_url, page.content_type, page.body, page.fetched_at)
        return page

    def _stored(self, url: str) -> Page | None:
        if self.store is None:
            return None
        row = self.store.get_page(url)
        if row is None:
            return None
        final_url, content_type, body, fetched_at = row
        return Page(url, final_url, content_type, body, fetched_at, from_store=True)

    def _download(self, url: str) -> Page:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError as error:  # '[::1' and the like
            raise InputError(f"not a valid URL ({error})") from None
        started = time.monotonic()
        with self._hosts[host]:
            try:
                with self._client.stream("GET", url) as response:
                    if response.status_code >= 400:
                        raise InputError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                    content_type = response.headers.get("content-type", "")
                    media_type = content_type.split(";")[0].strip().lower()
                    if media_type not in (*READABLE_TYPES, *_UNDECLARED):  # an image, a video: not read
                        raise InputError(f"not an article page (it is {media_type})")
                    length = response.headers.get("content-length", "")
                    if length.isdigit() and int(length) > self.max_bytes:
                        raise InputError(
                            f"larger than the {self.max_bytes / 1e6:g} MB limit ({int(length):,} bytes)"
                        )
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise InputError(f"larger than the {self.max_bytes / 1e6:g} MB limit")
                        if time.monotonic() - started > self.deadline:
                            raise InputError(f"too slow: not read within {self.deadline:g}s")
                    final_url = str(response.url)
            except httpx.TimeoutException:
                raise InputError(f"timed out (no answer within {self.timeout:g}s)") from None
            except httpx.TooManyRedirects:
                raise InputError(f"more than {self.max_redirects} redirects") from None
            except httpx.InvalidURL as error:
                raise InputError(f"not a valid URL ({error})") from None
            except httpx.HTTPError as error:  # connection refused, DNS failure, reset, bad TLS ...
                raise InputError(f"cannot fetch: {type(error).__name__}: {error}") from None
        page = Page(url, final_url, content_type, bytes(body), time.time())
        if page.kind is None:
            raise InputError(f"not an article page (it is {media_type or 'of no declared type'})")
        return page
