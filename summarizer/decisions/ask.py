"""One short, constrained model call for one decision: a prompt file, a small response model, the
boundary's validation and re-asks; the rules' answer stands when the model gives none.

Every decision goes through ``ask``: the prompt ``prompts/decide_<name>.md`` is rendered with the
decision's inputs (Jinja, undefined names fail), sent as one user message with a ``Request`` whose
response model is the decision's and whose validation context carries what the answer is checked
against (the two claims of a contest, the parties a demand may belong to). The backend constrains the
answer by the model's schema (enums, lengths), validates it and re-asks with the errors (``reask``).
A backend error, or no answer of its own (the fake backend without a scripted reply), is no decision:
the caller keeps what the rules decided.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cache
from typing import Any

import jinja2

from summarizer.backends.base import Backend, BackendError, ModelT, Request, Usage
from summarizer.extract import prompts_dir

# The prompt files of the decisions, part of a decision's cache key.
PROMPT_FILES = ("decide_contest.md", "decide_proposal.md", "decide_demand.md")


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.from_string((prompts_dir() / name).read_text(encoding="utf-8"))


def render(name: str, **values: Any) -> str:
    return _template(f"decide_{name}.md").render(**values)


@cache
def decisions_hash() -> str:
    digest = hashlib.sha256()
    for name in PROMPT_FILES:
        digest.update((prompts_dir() / name).read_bytes())
    return digest.hexdigest()[:16]


class Asker:
    """Makes decision calls on one backend and counts what they cost (calls, tokens, failures)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.usage = Usage()
        self.failed = 0  # calls that gave no valid answer: the rules' answer stood
        self.asked: list[tuple[str, str]] = []  # (key, answer JSON or the error), for benchmarks
        self._lock = threading.Lock()  # decisions may be asked from several threads (a server)

    def ask(self, name: str, key: str, request: Request[ModelT], **values: Any) -> ModelT | None:
        """The validated answer to the decision ``name`` about ``values``, or None (no decision)."""
        messages = [{"role": "user", "content": render(name, **values)}]
        try:
            completion = self.backend.complete(messages, request)
        except BackendError as error:  # NoAnswer included: the rules' answer stands
            with self._lock:
                self.failed += 1
                self.asked.append((key, f"error: {error}"))
            return None
        with self._lock:
            self.usage.add(completion.usage)
            self.asked.append((key, completion.value.model_dump_json()))
        return completion.value
