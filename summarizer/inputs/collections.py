"""Article collections: a JSON-lines file (one article a line) or a JSON list of articles, the way news
datasets and scrapers export them. One record, one document.

A record needs its text; title, outlet, url, date and author are optional. The field names of the
common exports are accepted (news-please's ``maintext``/``source_domain``/``date_publish``, NewsAPI's
``content``/``source.name``/``publishedAt``, ...). A bad record is listed with its line (or item) and
what is wrong with it; the other records go on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.inputs.base import (
    METADATA_FIELDS,
    Article,
    Failure,
    InputError,
    InputKind,
    SourceMeta,
    clean_field,
    metadata_field,
    normalise_date,
    outlet_from_url,
)

# Containers of a JSON file that is an object, not a list.
_LIST_KEYS = ("articles", "items", "data", "documents", "records")


def read_jsonl(path: Path, data: bytes) -> list[Article | Failure]:
    """Every line of a JSON-lines file: an article, or why that line is not one."""
    results: list[Article | Failure] = []
    text = _decode(data)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            results.append(Failure(where, f"not JSON ({error.msg} at column {error.colno})"))
            continue
        results.append(_record(record, path, number, InputKind.jsonl, where))
    if not results:
        raise InputError("no records in the file")
    return results


def read_json(path: Path, data: bytes) -> list[Article | Failure]:
    """Every item of a JSON list of articles (or of the list under "articles", "items", ...)."""
    try:
        value = json.loads(_decode(data))
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    if isinstance(value, dict):
        if {"sources", "claims", "stats"} <= value.keys():
            raise InputError("a summarizer brief, not a collection of articles")
        found = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
        if found is None:
            raise InputError(
                "not a collection of articles: expected a JSON list of objects with a text field "
                f"(or such a list under one of {', '.join(_LIST_KEYS)})"
            )
        value = found
    if not isinstance(value, list):
        raise InputError("not a collection of articles: expected a JSON list of objects with a text field")
    if not value:
        raise InputError("no records in the file")
    return [
        _record(record, path, number, InputKind.json, f"{path} item {number}")
        for number, record in enumerate(value, start=1)
    ]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 (byte {error.start}); JSON files are UTF-8") from None


def _record(record: Any, path: Path, number: int, kind: InputKind, where: str) -> Article | Failure:
    if not isinstance(record, dict):
        return Failure(where, f"not an object with a text field (a JSON {type(record).__name__})")
    text = metadata_field(record, "text")
    if text is None:
        keys = ", ".join(list(record)[:8]) or "none"
        return Failure(
            where, f"no text field ({' / '.join(METADATA_FIELDS['text'][:4])}); its fields: {keys}"
        )
    if not isinstance(text, str) or not text.strip():
        return Failure(where, "the text field is empty or not a string")
    url = clean_field(metadata_field(record, "url"))
    meta = SourceMeta(
        kind=kind,
        title=clean_field(metadata_field(record, "title")),
        outlet=clean_field(metadata_field(record, "outlet")) or outlet_from_url(url),
        author=clean_field(metadata_field(record, "author")),
        date=normalise_date(metadata_field(record, "date")),
        url=url,
    )
    # Newlines as documents reads them: one paragraph a line (blank lines between are kept).
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return Article(doc_id=f"{path.name}#{number}", path=str(path), text=body, meta=meta, part=number)
