"""Deterministic backend for tests and offline demos: scripted replies, else the caller's fallback.

Scripted replies are raw strings (or JSON objects) per request key (a document's id), consumed in
order; a reply that does not validate is re-asked, exactly as a real model is (``reask``), and the
next reply is the answer to the re-ask. When the re-asks are used up, the valid items of the last
reply are kept (``salvage``). For a key without (remaining) scripted replies it raises ``NoAnswer``,
and the caller's fallback stands in (``extract`` uses the analysis' rules-only extraction; the
backend never sees it: backends depend on their protocol only). Because of that fallback the backend
declares ``may_not_answer``: the pipeline makes the fallback's code version part of its cache key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.backends.base import (
    Completion,
    Message,
    ModelT,
    NoAnswer,
    Notify,
    Request,
    Usage,
    estimate_message_tokens,
)
from summarizer.backends.reask import Answer, complete_with_reasks


class FakeBackend:
    name = "fake"
    max_concurrency: int | None = None
    may_not_answer = True

    def __init__(
        self,
        replies: dict[str, list[Any]] | None = None,
        max_reasks: int = 2,
        model: str = "rules",
        context_tokens: int | None = None,
        answer_tokens: int = 512,
        strategy: str = "full",
    ):
        self.model = model
        self.strategy = strategy
        # No real limit; a small one declared here lets tests and demos exercise windowing.
        self.context_tokens = context_tokens
        self.answer_tokens = answer_tokens
        self.max_reasks = max_reasks
        self.replies = {key: list(items) for key, items in (replies or {}).items()}
        self.requests: list[list[Message]] = []  # what the pipeline sent, for tests

    @classmethod
    def from_file(cls, path: Path, **settings: Any) -> FakeBackend:
        """Load ``{"doc_id": [reply, ...]}`` from a JSON file."""
        replies = json.loads(path.read_text(encoding="utf-8"))
        return cls(replies, model="scripted", **settings)

    def count_tokens(self, messages: list[Message], response_model: type[BaseModel] | None = None) -> int:
        return estimate_message_tokens(messages)

    def set_max_concurrency(self, maximum: int) -> None:
        pass  # no server to adapt to

    def set_notify(self, notify: Notify | None) -> None:
        pass  # nothing to say

    def cache_key_parts(self) -> tuple[str, ...]:
        return ()  # the replies are named by ``model``; the fallback's code by the pipeline

    def complete(self, messages: list[Message], request: Request[ModelT]) -> Completion[ModelT]:
        self.requests.append(messages)
        queue = self.replies.get(request.key, [])
        usage = Usage()
        prompt_tokens = sum(len(m["content"].split()) for m in messages)

        def ask(_conversation: list[Message]) -> Answer | None:
            if not queue:
                return None
            reply = queue.pop(0)
            text = reply if isinstance(reply, str) else json.dumps(reply)
            usage.calls += 1
            usage.prompt_tokens += prompt_tokens
            usage.completion_tokens += len(text.split())
            return Answer(text)

        completion = complete_with_reasks(messages, request, ask, self.max_reasks, usage)
        if completion is None:
            raise NoAnswer("the fake backend has no scripted reply for this request")
        return completion
