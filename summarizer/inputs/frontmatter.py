"""YAML front matter of a text article, as blogs and static-site generators write it:

    ---
    title: Hamas says Gaza truce talks still deadlocked
    outlet: Reuters
    url: https://www.reuters.com/...
    date: 2024-04-08
    author: Nidal al-Mughrabi
    ---

The block stays in the document's text (citations and line numbers are those of the file) and is
never read as sentences; ``documents`` starts the article after it.
"""

from __future__ import annotations

import re

import yaml

from summarizer.inputs.base import clean_field, metadata_field, normalise_date, outlet_from_url

# The block: '---' on the first line, up to a line of '---' or '...'.
_BLOCK = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], int, str | None]:
    """(metadata, offset where the article starts, warning). No front matter: ({}, 0, None)."""
    block = _BLOCK.match(text)
    if block is None:
        return {}, 0, None
    try:
        data = yaml.safe_load(block.group(1) or "")
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0]
        return {}, 0, f"front matter is not valid YAML ({first}); read as article text"
    if not isinstance(data, dict):
        return {}, 0, None  # a '---' rule that happens to open the file, not metadata
    url = clean_field(metadata_field(data, "url"))
    found = {
        "title": clean_field(metadata_field(data, "title")),
        "outlet": clean_field(metadata_field(data, "outlet")) or outlet_from_url(url),
        "url": url,
        "date": normalise_date(metadata_field(data, "date")),
        "author": clean_field(metadata_field(data, "author")),
    }
    return {k: v for k, v in found.items() if v}, block.end(), None
