"""One short, constrained model call for one decision: a prompt file, a small response model, the
boundary's validation and re-asks; the rules' answer stands when the model gives none.

Every decision goes through ``ask``: the prompt ``prompts/decide_<name>.md`` is rendered with the
decision's inputs (Jinja, undefined names fail), sent as one user message with a ``Request`` whose
response model is the decision's and whose validation context carries what the answer is checked
against (the two claims of a contest, the parties a demand may belong to). The backend constrains the
answer by the model's schema (enums, lengths), validates it and re-asks with the errors (``reask``).
A backend error, or no answer of its own (the fake backend without a scripted reply), is no decision:
the caller keeps what the rules decided. With a cache, a valid answer is remembered under the backend,
the model, the prompt and the response schema: a rerun asks nothing it asked before.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from typing import Any

import jinja2
from pydantic import ValidationError

from summarizer.backends.base import Backend, BackendError, ModelT, Request, Usage
from summarizer.cache import ExtractionCache, cache_key
from summarizer.extract import prompts_dir


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.from_string((prompts_dir() / name).read_text(encoding="utf-8"))


def render(name: str, **values: Any) -> str:
    return _template(f"decide_{name}.md").render(**values)


class Asker:
    """Makes decision calls on one backend and counts what they cost (calls, tokens, failures)."""

    def __init__(self, backend: Backend, cache: ExtractionCache | None = None) -> None:
        self.backend = backend
        # Not for a backend whose answers are scripted per run (fake): a script is no model's answer.
        self.cache = cache if not backend.may_not_answer else None
        self.usage = Usage()
        self.failed = 0  # calls that gave no valid answer: the rules' answer stood
        self.asked: list[tuple[str, str]] = []  # (key, answer JSON or the error), for benchmarks
        self._lock = threading.Lock()  # decisions may be asked from several threads (a server)

    def ask(self, name: str, key: str, request: Request[ModelT], **values: Any) -> ModelT | None:
        """The validated answer to the decision ``name`` about ``values``, or None (no decision)."""
        messages = [{"role": "user", "content": render(name, **values)}]
        remembered = self._key(messages, request) if self.cache is not None else None
        if self.cache is not None and remembered is not None and (hit := self.cache.get(remembered)):
            try:
                value = request.response_model.model_validate_json(hit[0], context=request.context)
            except ValidationError:
                pass  # written under other checks: ask again
            else:
                with self._lock:
                    self.asked.append((key, f"cached: {hit[0]}"))
                return value
        try:
            completion = self.backend.complete(messages, request)
        except BackendError as error:  # NoAnswer included: the rules' answer stands
            with self._lock:
                self.failed += 1
                self.asked.append((key, f"error: {error}"))
            return None
        answer = completion.value.model_dump_json()
        with self._lock:
            self.usage.add(completion.usage)
            self.asked.append((key, answer))
        if self.cache is not None and remembered is not None:
            backend = self.backend
            self.cache.put(
                remembered, f"decision {name}", backend.name, backend.model, answer, vars(completion.usage)
            )
        return completion.value

    def _key(self, messages: list[dict[str, str]], request: Request[Any]) -> str:
        backend = self.backend
        schema = json.dumps(request.response_model.model_json_schema(), sort_keys=True)
        return cache_key(
            "decision", backend.name, backend.model, *backend.cache_key_parts(), json.dumps(messages), schema
        )
