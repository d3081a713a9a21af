"""RSS and Atom feeds, read with feedparser: each entry is an article.

An entry that carries the article's full text (``content:encoded``, Atom ``content``) is read from the
feed; the others are links, fetched as pages (their page's own title, outlet, author and date win over
the entry's). Most feeds carry a teaser of a few sentences, which is not the article, hence the
threshold.
"""

from __future__ import annotations

from typing import Any

from summarizer.inputs.base import (
    Article,
    Failure,
    InputError,
    InputKind,
    Link,
    SourceMeta,
    clean_field,
    is_url,
    normalise_date,
    outlet_from_url,
)
from summarizer.inputs.html import fragment_text

# An entry's own text is the article when it is at least this long; shorter, it is a teaser and the
# entry's link is fetched instead.
FULL_TEXT_WORDS = 120
# At most this many entries of one feed are read (a feed is a list of recent items, not an archive).
MAX_ENTRIES = 200


def looks_like_feed(data: bytes) -> bool:
    """A cheap test on the first bytes: an RSS, RDF or Atom document."""
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) and any(
        tag in data[:4096].lower() for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")
    )


def read_feed(data: bytes, source: str, name: str, notices: list[str]) -> list[Article | Link | Failure]:
    """The entries of a feed read from ``source`` (a path or a URL), in feed order. ``name``: how the
    feed is known (file name or URL), for the names of entries without a link."""
    import feedparser  # here, not at the top: a run without feeds never pays for importing it

    # Relative entry links are resolved against the feed's own URL (a feed file's links must be whole).
    headers = {"content-location": source} if is_url(source) else None
    parsed = feedparser.parse(data, response_headers=headers)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            raise InputError(f"not a readable RSS or Atom feed ({parsed.get('bozo_exception')})")
        raise InputError("the feed has no entries")
    channel = parsed.get("feed", {})
    outlet = clean_field(channel.get("title")) or outlet_from_url(channel.get("link"))
    if len(entries) > MAX_ENTRIES:
        notices.append(f"{source}: {len(entries)} entries; only the first {MAX_ENTRIES} are read")
    results: list[Article | Link | Failure] = []
    for number, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        link = clean_field(entry.get("link"))
        hint = SourceMeta(
            kind=InputKind.feed,
            title=clean_field(entry.get("title")),
            outlet=outlet,
            author=clean_field(entry.get("author")),
            date=normalise_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            url=link,
        )
        text = full_text(entry)
        if text:
            results.append(
                Article(doc_id=link or f"{name}#{number}", path=source, text=text, meta=hint, part=number)
            )
        elif link:
            results.append(Link(link, hint, from_feed=True))
        else:
            results.append(Failure(f"{source} entry {number}", "neither a link nor the article's text"))
    return results


def full_text(entry: Any) -> str:
    """The entry's article text when the feed carries it whole, else ''."""
    best = ""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        kind = (content.get("type") or "").lower()
        if "html" in kind:
            text = fragment_text(value)
        else:
            text = "\n".join(line for line in (" ".join(p.split()) for p in value.splitlines()) if line)
        if len(text.split()) > len(best.split()):
            best = text.strip()
    return best if len(best.split()) >= FULL_TEXT_WORDS else ""
