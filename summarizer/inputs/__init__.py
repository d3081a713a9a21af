"""Readers of real articles: saved web pages, URLs, feeds, article collections and PDF reports.

Each reader turns one input into article text (one paragraph a line, which is what citations quote)
and what the input says about itself (title, outlet, author, date, URL), with a maintained library
doing the parsing: trafilatura for pages, httpx for fetching, feedparser for feeds, pypdf for PDF,
PyYAML for front matter. ``read.read_inputs`` is the one dispatch ``documents`` calls; it sits below
``documents`` in the data flow and knows nothing of sentences.
"""

from summarizer.inputs.base import (
    Article,
    Failure,
    InputError,
    InputKind,
    Link,
    SourceMeta,
    is_url,
    outlet_from_url,
    text_sha256,
)
from summarizer.inputs.fetch import Fetcher
from summarizer.inputs.read import FOLDER_SUFFIXES, NAMED_SUFFIXES, TEXT_SUFFIXES, read_inputs, read_url_list

__all__ = [
    "FOLDER_SUFFIXES",
    "NAMED_SUFFIXES",
    "TEXT_SUFFIXES",
    "Article",
    "Failure",
    "Fetcher",
    "InputError",
    "InputKind",
    "Link",
    "SourceMeta",
    "is_url",
    "outlet_from_url",
    "read_inputs",
    "read_url_list",
    "text_sha256",
]
