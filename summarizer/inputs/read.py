"""The one dispatch from an input (a file or a URL) to its articles, in the order they were given.

A plain text file is passed through as its path: ``documents`` reads it as it always has (the text is
the file). Every other file goes to the reader of its kind; URLs, and the links of feed entries that do
not carry their full text, are fetched together (bounded concurrency) and read by what the server says
they are. A feed's links are fetched in a second round; a feed reached from a feed is not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from summarizer.inputs.base import (
    Article,
    Failure,
    InputError,
    InputKind,
    Link,
    SourceMeta,
    is_url,
    outlet_from_url,
)
from summarizer.inputs.collections import read_json, read_jsonl
from summarizer.inputs.feeds import read_feed
from summarizer.inputs.fetch import Fetcher, Page
from summarizer.inputs.html import OwnOutput, read_html
from summarizer.inputs.pdf import read_pdf

# Read by ``documents`` itself: the text is the file.
TEXT_SUFFIXES = (".txt", ".md", ".text")
# Read from a folder too. JSON and XML only when named: a folder of articles often holds other JSON
# (a brief written beside its inputs) and XML that is no feed.
FOLDER_SUFFIXES = (".html", ".htm", ".xhtml", ".pdf", ".jsonl", ".ndjson", ".rss", ".atom")
NAMED_SUFFIXES = (*FOLDER_SUFFIXES, ".json", ".xml")
# A saved page with its images inlined, or a long PDF report, is far larger than a text article.
MAX_FILE_BYTES = 50_000_000

Entry = Article | Failure | Path  # a Path: a plain text file for ``documents`` to read


def read_inputs(items: Sequence[Path | str], fetcher: Fetcher | None, notices: list[str]) -> list[Entry]:
    """Every article of the inputs, in order: files (``Path``) and URLs (``str``). Inputs that give
    no article are ``Failure``s; ``notices`` collects what is worth saying but fails nothing."""
    entries: list[Entry | Link] = []
    for item in items:
        if isinstance(item, str):
            entries.append(Link(item))
        elif item.suffix.lower() not in NAMED_SUFFIXES:
            entries.append(item)
        else:
            try:
                entries.extend(read_file(item, notices))
            except OwnOutput as error:
                notices.append(f"{item}: skipped: {error}")
            except InputError as error:
                entries.append(Failure(str(item), str(error)))
    own = fetcher is None and any(isinstance(e, Link) for e in entries)
    if own:  # a library caller that gave URLs but no fetcher: one without a store, closed at the end
        fetcher = Fetcher()
    try:
        entries = _fetch_links(entries, fetcher, notices)
    finally:
        if own and fetcher is not None:
            fetcher.close()
    if fetcher is not None and (fetcher.fetched or fetcher.stored):
        notices.append(f"web pages: {fetcher.fetched} fetched, {fetcher.stored} from the cache")
        notices.extend(fetcher.notices)
    # a Link left is one a fetched feed's entry led to: a feed inside a feed, never followed
    return [
        e if not isinstance(e, Link) else Failure(e.url, "a feed inside a feed: not followed")
        for e in entries
    ]


def _fetch_links(
    entries: list[Entry | Link], fetcher: Fetcher | None, notices: list[str]
) -> list[Entry | Link]:
    """The entries with each link replaced by what its page holds; a fetched feed's links are
    fetched in a second round."""
    for _ in range(2):
        links = [e for e in entries if isinstance(e, Link)]
        if not links or fetcher is None:
            break
        pages = fetcher.fetch_all([link.url for link in links])
        expanded: list[Entry | Link] = []
        for entry in entries:
            if not isinstance(entry, Link):
                expanded.append(entry)
                continue
            page = pages[entry.url]
            if isinstance(page, InputError):
                expanded.append(Failure(entry.url, str(page)))
                continue
            try:
                expanded.extend(read_page(page, entry, notices))
            except InputError as error:
                expanded.append(Failure(entry.url, str(error)))
        entries = expanded
    return entries


def read_file(path: Path, notices: list[str]) -> list[Article | Failure | Link]:
    """The articles of one file that is not plain text, by its suffix."""
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return list(read_jsonl(path, data))
    if suffix == ".json":
        return list(read_json(path, data))
    if suffix in (".rss", ".atom", ".xml"):
        return read_feed(data, str(path), path.name, notices)
    reader: Callable[[bytes], tuple[str, SourceMeta]] = read_pdf if suffix == ".pdf" else read_html
    text, meta = reader(data)
    return [Article(doc_id=path.name, path=str(path), text=text, meta=meta)]


def read_page(page: Page, link: Link, notices: list[str]) -> list[Article | Failure | Link]:
    """The article (or, for a feed, the entries) of a fetched page."""
    kind = page.kind
    if kind == "feed":
        if link.from_feed:
            raise InputError("a feed, not an article page")
        return read_feed(page.body, link.url, link.url, notices)
    if kind == "html":
        charset = page.charset
        data: bytes | str = page.body.decode(charset, errors="replace") if _known(charset) else page.body
        text, meta = read_html(data, url=page.final_url, kind=InputKind.web)
    elif kind == "pdf":
        text, meta = read_pdf(page.body)
        meta = replace(meta, kind=InputKind.web, url=page.final_url, outlet=outlet_from_url(page.final_url))
    elif kind == "text":
        decoded = page.body.decode(page.charset if _known(page.charset) else "utf-8", errors="replace")
        text = decoded.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        meta = SourceMeta(kind=InputKind.web, url=page.final_url, outlet=outlet_from_url(page.final_url))
    else:
        raise InputError(f"not an article page (it is {page.media_type or 'of no declared type'})")
    if link.hint is not None:
        meta = meta.filled_from(link.hint)
    return [Article(doc_id=link.url, path=link.url, text=text, meta=meta)]


def _known(charset: str | None) -> bool:
    if not charset:
        return False
    try:
        "".encode(charset)
    except LookupError:
        return False
    return True


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"larger than the {MAX_FILE_BYTES / 1e6:g} MB limit ({size:,} bytes)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None
    if not data.strip():
        raise InputError("empty file")
    return data


def read_url_list(path: Path) -> list[str]:
    """The URLs of a text file, one a line (``--urls``); blank lines and '#' comments are skipped.
    InputError names the first line that is not a URL."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read ({error})") from None
    urls = []
    for number, line in enumerate(lines, start=1):
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        if not is_url(item):
            raise InputError(f"{path} line {number}: not a URL (http:// or https://): {item[:80]}")
        urls.append(item)
    if not urls:
        raise InputError(f"{path}: no URLs in the file")
    return urls
