"""Deterministic backend for tests and offline demos: scripted replies, else the rules' answer.

Scripted replies are raw strings (or JSON objects) per document id, consumed in order; a reply that
does not validate counts as a re-ask, exactly as instructor would re-ask a real model. When the
re-asks are used up, the valid items of the last reply are kept (``salvage``). For a document without
(remaining) scripted replies it raises ``NoAnswer``, and ``extract`` uses the rules-only extraction
of the analysis (the backend never sees it: backends depend on their protocol only).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.backends.base import (
    BackendError,
    Completion,
    Message,
    ModelT,
    NoAnswer,
    Usage,
    estimate_message_tokens,
)
from summarizer.backends.salvage import salvage


@functools.cache
def rules_version() -> str:
    """A hash of the code the rules' answer comes from. It is part of this backend's cache key: a
    cached rules answer is stale as soon as that code changes (a model's answer is not)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    modules = ["documents.py", "nlp.py", "geo.py", "vocabulary.py", "extract.py"]
    modules += sorted(f"analysis/{p.name}" for p in (package / "analysis").glob("*.py"))
    for module in modules:
        digest.update((package / module).read_bytes())
    return digest.hexdigest()[:16]


class FakeBackend:
    name = "fake"
    max_concurrency: int | None = None
    strategy = "full"

    def __init__(
        self,
        replies: dict[str, list[Any]] | None = None,
        max_reasks: int = 2,
        model: str = "rules",
        context_tokens: int | None = None,
        answer_tokens: int = 512,
    ):
        self.model = model
        # No real limit; a small one declared here lets tests and demos exercise windowing.
        self.context_tokens = context_tokens
        self.answer_tokens = answer_tokens
        self.max_reasks = max_reasks
        self.replies = {doc: list(items) for doc, items in (replies or {}).items()}
        self.requests: list[list[Message]] = []  # what the pipeline sent, for tests

    @classmethod
    def from_file(cls, path: Path, max_reasks: int = 2, context_tokens: int | None = None) -> FakeBackend:
        """Load ``{"doc_id": [reply, ...]}`` from a JSON file."""
        replies = json.loads(path.read_text(encoding="utf-8"))
        return cls(replies, max_reasks=max_reasks, model="scripted", context_tokens=context_tokens)

    def count_tokens(self, messages: list[Message]) -> int:
        return estimate_message_tokens(messages)

    def set_max_concurrency(self, maximum: int) -> None:
        pass  # no server to adapt to

    def cache_key_parts(self) -> tuple[str, ...]:
        # The rules' answer is computed by our own code: it is stale as soon as that code changes.
        return (rules_version(),)

    def complete(
        self, messages: list[Message], response_model: type[ModelT], context: dict[str, Any]
    ) -> Completion[ModelT]:
        self.requests.append(messages)
        doc_id = context["extraction"].doc_id if "extraction" in context else ""
        queue = self.replies.get(doc_id, [])
        usage = Usage()
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        last_error: Exception | None = None
        raw = ""
        while queue and usage.calls <= self.max_reasks:
            reply = queue.pop(0)
            raw = reply if isinstance(reply, str) else json.dumps(reply)
            usage.calls += 1
            usage.prompt_tokens += prompt_tokens
            usage.completion_tokens += len(raw.split())
            try:
                return Completion(response_model.model_validate_json(raw, context=context), usage)
            except ValidationError as error:
                last_error = error
                usage.retries += 1
        if last_error is not None:
            if (kept := salvage(raw, response_model, context)) is not None:
                return Completion(kept.value, usage, kept.dropped)
            raise BackendError(f"no valid answer after {usage.calls} tries: {_first_error(last_error)}")
        raise NoAnswer("the fake backend has no scripted reply for this request")


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)[:200]
