"""The JSON schema a backend constrains the model's answer by: the response model's, tightened.

One function for every backend, so that what a model may write is decided in one place:

* every citation field (the request names it: ``Request.citation_field``) may only hold the request's
  citable sentence numbers, as an enum: a server that decodes under the schema (llama.cpp, vLLM
  guided decoding, OpenAI strict mode) cannot cite a sentence that does not exist or is boilerplate;
* lists and strings keep their ``maxItems``/``maxLength`` from the pydantic ``max_length``
  constraints: a grammar built from the schema bounds the answer's length too.

For a grammar (the local backend, llama.cpp's json-schema-to-grammar) two more rules help small models:

* every object key is required, so the model cannot close an object early (``{}`` is otherwise the
  most likely answer of a 135M-parameter model) and has to consider each field;
* the citation field is moved to the end of each object: a small model that must cite first tends
  to count ``[1, 2, 3], [4, 5, 6], ...`` before it knows what the item is; stating the item first and
  citing after gives citations that match it (pydantic does not care about key order).

Validation is never loosened: the answer is still validated with the request's context.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from summarizer.backends.base import Request


def constrained_schema(request: Request[Any], *, grammar: bool = False) -> dict[str, Any]:
    """``request.response_model``'s JSON schema with the citable ids as an enum in every citation
    field; with ``grammar``, also every key required and the citation field last (module doc)."""
    schema = copy.deepcopy(request.response_model.model_json_schema())
    cited_field = request.citation_field
    citable = sorted(set(request.citable_ids))
    for node in list(_walk(schema)):
        properties = node.get("properties")
        if not isinstance(properties, dict):
            continue
        if cited_field and cited_field in properties:
            # popped and re-inserted for a grammar, which follows key order: the field goes last
            cited = _resolve(schema, properties.pop(cited_field) if grammar else properties[cited_field])
            # With no citable sentence an empty enum would make the grammar unsatisfiable: leave it
            # to validation, which then re-asks.
            if citable:
                cited["items"] = {"type": "integer", "enum": citable}
            properties[cited_field] = cited
        if grammar:
            node["required"] = list(properties)
    return schema


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON schema, ``$defs`` included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A local ``{"$ref": "#/$defs/X"}`` (also wrapped in a one-item ``allOf``) resolved to a copy."""
    if len(node.get("allOf", [])) == 1:
        node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        node = {**copy.deepcopy(target), **{k: v for k, v in node.items() if k != "$ref"}}
    return node
