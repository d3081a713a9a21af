"""Lose items, not documents: the valid part of an answer that never fully validated.

Every backend re-asks the model with the validation errors a bounded number of times. When the last
answer still fails, ``salvage`` keeps what is valid in it: list items (parties, claims, figures, ...)
that fail validation, typically because they cite a boilerplate or non-existent sentence, are dropped
one by one and reported, and the rest is validated again with the same context. A document is lost
only when nothing in its answer is valid (not JSON, an error outside any list item, or no item left).
paper-qa strips invalid citation keys from an answer the same way instead of discarding the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic

from pydantic import ValidationError

from summarizer.backends.base import ModelT
from summarizer.models import DroppedItem

# Fields that say what an item is, in the order they are tried, for the report.
_LABEL_FIELDS = ("name", "statement", "demand", "summary", "quantity", "party", "speaker", "sentence")
# Enough passes for errors revealed only once others are gone; each pass removes at least one item.
_MAX_PASSES = 50


@dataclass
class Salvaged(Generic[ModelT]):
    value: ModelT
    dropped: list[DroppedItem]


def parse_answer(raw: str | bytes | dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON object in a model's answer: plain JSON, or the outermost ``{...}`` of text around it
    (markdown fences, a sentence before it); None when there is none."""
    if isinstance(raw, dict):
        return raw
    if not raw:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    candidates = [text]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _label(item: Any) -> str:
    if isinstance(item, dict):
        for key in _LABEL_FIELDS:
            value = item.get(key)
            if isinstance(value, str | int) and str(value).strip():
                return str(value)[:120]
    return json.dumps(item, ensure_ascii=False)[:120]


def _reason(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"][2:])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"[:300] if where else message[:300]


def _has_items(data: dict[str, Any]) -> bool:
    return any(isinstance(v, list) and v for v in data.values())


def salvage(
    raw: str | bytes | dict[str, Any] | None, response_model: type[ModelT], context: dict[str, Any]
) -> Salvaged[ModelT] | None:
    """``response_model`` validated from ``raw`` without its invalid list items, and those items; None
    when nothing valid is left. An answer that validates as is comes back with nothing dropped."""
    parsed = parse_answer(raw)
    if parsed is None:
        return None
    data = json.loads(json.dumps(parsed))  # a copy to cut items from
    dropped: list[DroppedItem] = []
    for _ in range(_MAX_PASSES):
        try:
            value = response_model.model_validate(data, context=context)
        except ValidationError as error:
            bad: dict[str, dict[int, dict[str, Any]]] = {}
            for item in error.errors():
                loc = item["loc"]
                field = loc[0] if loc else None
                items = data.get(field) if isinstance(field, str) else None
                if len(loc) == 1 and isinstance(items, list) and item["type"] == "too_long":
                    limit = int(item.get("ctx", {}).get("max_length", len(items)))
                    bad.setdefault(field, {}).update(
                        {i: {**item, "msg": f"more than {limit} items"} for i in range(limit, len(items))}
                    )
                elif len(loc) < 2 or not isinstance(items, list) or not isinstance(loc[1], int):
                    return None  # not an item's fault: nothing can be kept safely
                elif loc[1] < len(items):
                    bad.setdefault(field, {}).setdefault(loc[1], item)
            if not bad:
                return None
            for field, errors in bad.items():
                removed = [(i, data[field].pop(i)) for i in sorted(errors, reverse=True)]
                dropped += [
                    DroppedItem(kind=field, item=_label(item), reason=_reason(errors[i]))
                    for i, item in reversed(removed)
                ]
            continue
        if dropped and not _has_items(data):
            return None  # every item was invalid: the document has nothing to give
        return Salvaged(value, dropped)
    return None
