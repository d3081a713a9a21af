"""Saved and fetched web pages: the article's main text and metadata, by trafilatura.

trafilatura (with htmldate for the date) is the maintained standard for news main-text extraction:
navigation, cookie banners, related links, comments, share bars and footers never reach the text, and
we write no HTML boilerplate rules of our own. We walk the tree it returns (``<p>``, ``<head>``,
``<item>``, ``<row>`` ...) so that each paragraph becomes one line, as ``documents`` expects; a
``<br>`` inside a paragraph joins the two halves of a sentence rather than cutting it.

The page's headline is its title (it names the source in the brief), so the first heading that repeats
the title is not repeated in the text; sub-headings are kept.
"""

from __future__ import annotations

import re
from typing import Any

from summarizer.inputs.base import (
    InputError,
    InputKind,
    SourceMeta,
    clean_field,
    normalise_date,
    outlet_from_url,
)

# Below this many words a page holds no article: a paywall or cookie wall stub, or a page whose text
# is written by JavaScript. Real news items, even short wire briefs, are longer.
MIN_WORDS = 30
# htmldate's extensive search guesses from any date on the page (a copyright year became
# '2024-01-01'); only dates the page states as its own are taken.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}
# Where a browser or SingleFile says which URL a saved page came from (first bytes of the file).
_SAVED_FROM = re.compile(
    r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->|Page saved with SingleFile\s+url:\s*(https?://\S+)",
    re.I,
)
# This package's own review page (render_html writes the meta tag): an output, never an article.
_OWN_PAGE = re.compile(r'<meta\s+name="generator"\s+content="summarizer', re.I)
_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")
# Blocks of trafilatura's output tree that hold paragraphs, and containers whose children do.
_CONTAINERS = {"list", "quote", "table", "div", "main", "body", "doc"}


class OwnOutput(InputError):
    """An input that is one of summarizer's own outputs (a review page): skipped, not a failure."""


def read_html(
    data: bytes | str, *, url: str | None = None, kind: InputKind = InputKind.html
) -> tuple[str, SourceMeta]:
    """The main text (one paragraph a line) and metadata of a page; InputError when it has none.
    ``url``: where the page was fetched from (relative canonical links resolve against it)."""
    head = data[:4096] if isinstance(data, str) else data[:4096].decode("latin-1")
    if _OWN_PAGE.search(head):
        raise OwnOutput("a summarizer review page, not an article")
    saved_from = _SAVED_FROM.search(head)
    origin = url or (saved_from and (saved_from.group(1) or saved_from.group(2))) or None
    import trafilatura  # here, not at the top: a run over text files never pays for importing it

    try:
        extracted = trafilatura.bare_extraction(
            data,
            url=origin,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as error:  # trafilatura raises whatever lxml does on broken input
        raise InputError(f"not a readable web page ({type(error).__name__}: {error})") from None
    body = getattr(extracted, "body", None)
    title = clean_field(getattr(extracted, "title", None))
    paragraphs = _paragraphs(body, title) if body is not None else []
    text = "\n".join(paragraphs)
    words = len(text.split())
    if words < MIN_WORDS:
        raise InputError(
            f"no article text on the page ({words} words): a paywall or cookie wall, or a page that "
            "needs JavaScript"
        )
    page_url = clean_field(getattr(extracted, "url", None)) or origin
    meta = SourceMeta(
        kind=kind,
        title=title,
        outlet=clean_field(getattr(extracted, "sitename", None)) or outlet_from_url(page_url),
        author=clean_field(getattr(extracted, "author", None)),
        date=normalise_date(getattr(extracted, "date", None)),
        url=page_url,
    )
    return text, meta


def fragment_text(fragment: str) -> str:
    """The paragraphs of an HTML fragment that is all article (a feed entry's full text)."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            f"<html><body><article>{fragment}</article></body></html>",
            include_comments=False,
            favor_recall=True,
        )
    except Exception:
        return ""
    body = getattr(extracted, "body", None)
    return "\n".join(_paragraphs(body, None)) if body is not None else ""


def _paragraphs(body: Any, title: str | None) -> list[str]:
    """One line per paragraph of trafilatura's tree, the heading that repeats the title left out."""
    lines: list[str] = []
    title_key = " ".join((title or "").lower().split())

    def visit(element: Any) -> None:
        nonlocal title_key
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _CONTAINERS:
            for child in element:
                visit(child)
            return
        if tag == "row":  # a table row on one line, cells apart
            cells = [" ".join(" ".join(c.itertext()).split()) for c in element]
            lines.append(" | ".join(c for c in cells if c))
            return
        block = _block_lines(element)
        if tag == "head" and title_key and " ".join(" ".join(block).lower().split()) == title_key:
            title_key = ""  # the headline, once; a sub-heading that happens to repeat it stays
            return
        lines.extend(block)

    visit(body)
    return [line for line in lines if line]


def _block_lines(element: Any) -> list[str]:
    """A paragraph's text, whitespace collapsed. A line break (``<lb/>``) after the end of a sentence
    starts a new line; inside a sentence it is a space (sites wrap text with ``<br>``)."""
    segments = [""]

    def walk(node: Any) -> None:
        if node.text:
            segments[-1] += node.text
        for child in node:
            if child.tag == "lb":
                segments.append("")
            else:
                walk(child)
            if child.tail:
                segments[-1] += child.tail

    walk(element)
    lines: list[str] = []
    for segment in segments:
        text = " ".join(segment.split())
        if not text:
            continue
        if lines and not _SENTENCE_END.search(lines[-1]):
            lines[-1] += " " + text
        else:
            lines.append(text)
    return lines
