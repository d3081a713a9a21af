"""What every reader returns: an article's text with what the input says about itself, or why it
could not be read. Shared by the readers of this package and by ``documents``, which numbers the
sentences of each article."""

from __future__ import annotations

import email.utils
import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


class InputError(Exception):
    """A path, page or record that cannot be used; the message is shown to the user as is."""


class InputKind(StrEnum):
    """How a document's text was read. ``text`` is the file itself (citations index the file);
    every other kind is text extracted from what was read (citations index the extracted text)."""

    text = "text"  # a .txt/.md file, read as it is
    html = "html"  # a saved web page, main text by trafilatura
    pdf = "pdf"  # a PDF report, text by pypdf
    jsonl = "jsonl"  # one line of a JSON-lines collection
    json = "json"  # one item of a JSON list of articles
    feed = "feed"  # an entry of an RSS/Atom feed that carries the full text
    web = "web"  # a page fetched from its URL (HTML, PDF or plain text)


@dataclass(frozen=True)
class SourceMeta:
    """What an input says about itself; every field may be unknown."""

    kind: InputKind
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    url: str | None = None

    def filled_from(self, other: SourceMeta) -> SourceMeta:
        """These fields, with the gaps taken from ``other`` (a feed entry's title for its page)."""
        return SourceMeta(
            kind=self.kind,
            title=self.title or other.title,
            outlet=self.outlet or other.outlet,
            author=self.author or other.author,
            date=self.date or other.date,
            url=self.url or other.url,
        )


@dataclass
class Article:
    """One article's text as read, and where it was read from."""

    doc_id: str  # the name the brief knows it by: a file name, 'file.jsonl#3', a URL
    path: str  # where to read it again: a file path, or the URL it was fetched from
    text: str  # what citations quote, one paragraph a line
    meta: SourceMeta
    part: int | None = None  # line, item or entry number inside a collection or feed
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """How the user finds it: its path or URL, and a record's line, item or entry number."""
        if self.part is None:
            return self.path
        unit = {InputKind.jsonl: "line", InputKind.json: "item"}.get(self.meta.kind, "entry")
        return f"{self.path} {unit} {self.part}"

    @property
    def sha256(self) -> str:
        """The identity of an extracted text: the hash of the text itself, so that the extraction
        cache, the duplicate check and ``render``'s re-check all follow what citations index."""
        return text_sha256(self.text)


@dataclass(frozen=True)
class Failure:
    """An input, or a part of one, that gives no article; listed under "Not included"."""

    path: str  # a file path, 'file.jsonl line 3', a URL
    reason: str


@dataclass(frozen=True)
class Link:
    """A URL still to be fetched (given by the user, or a feed entry's link) and what is known of it."""

    url: str
    hint: SourceMeta | None = None  # a feed entry's title, author, date: the page's own metadata wins
    from_feed: bool = False  # a feed entry's link: never read as a feed itself


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Accepted names of each metadata field, in order of preference: the names of the common exports
# (news-please, NewsAPI, static-site front matter, ...). Collections and front matter read them.
METADATA_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "maintext", "content", "body", "article", "full_text"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "source_domain", "publisher", "site_name", "sitename", "site"),
    "url": ("url", "link", "canonical_url"),
    "date": ("date", "date_publish", "published", "published_at", "publishedAt", "pubDate", "datetime"),
    "author": ("author", "authors", "byline", "creator"),
}
_URL = re.compile(r"^https?://[^\s/]+", re.I)


def is_url(item: object) -> bool:
    """A command-line input that names a web page rather than a file."""
    return isinstance(item, str) and _URL.match(item.strip()) is not None


def outlet_from_url(url: str | None) -> str | None:
    """The site a URL belongs to ('reuters.com'), for a page that does not name its outlet."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def normalise_date(value: object) -> str | None:
    """YYYY-MM-DD from an ISO 8601 date or time, an RFC 2822 date (feeds, e-mail), a ``date``, a
    ``datetime`` or a ``time.struct_time`` (feedparser); None when it is none of these."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, time.struct_time):
        return time.strftime("%Y-%m-%d", value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    match = re.match(r"^(\d{4}-\d{2}-\d{2})\b", text)  # '2024-04-08 10:00 CET'
    return match.group(1) if match else None


def clean_field(value: object) -> str | None:
    """A metadata value as one line of text, or None when empty ('' / whitespace / not a string)."""
    if isinstance(value, list):  # authors
        value = ", ".join(v for v in (clean_field(item) for item in value) if v)
    if isinstance(value, dict):  # NewsAPI's {"id": ..., "name": "Reuters"}
        value = value.get("name")
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def metadata_field(record: dict[str, Any], name: str) -> Any:
    """The first non-empty value of one of the accepted names of a metadata field, or None."""
    return next((record[k] for k in METADATA_FIELDS[name] if record.get(k) not in (None, "", [])), None)
