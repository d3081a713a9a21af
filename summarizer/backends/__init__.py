"""Backends behind one protocol (see base.py); ``create_backend`` picks and builds one."""

from __future__ import annotations

from typing import Any

from summarizer.backends.base import Backend, BackendError, BatchBackend, Completion, Request, Usage
from summarizer.config import DEFAULT_OPENAI_MODEL, NO_BACKEND_MESSAGE, Settings, choose_backend

__all__ = [
    "Backend",
    "BackendError",
    "BatchBackend",
    "Completion",
    "Request",
    "Usage",
    "create_backend",
    "create_batches",
]


def create_backend(settings: Settings) -> Backend:
    """Build the backend the settings ask for; raise BackendError with a clear message otherwise."""
    if settings.strategy not in ("auto", "full", "focused"):
        raise BackendError(f"unknown --strategy {settings.strategy!r}; choose auto, full or focused")
    # auto: each backend's own default (focused for the local model, full otherwise)
    common: dict[str, Any] = {} if settings.strategy == "auto" else {"strategy": settings.strategy}
    name = choose_backend(settings)
    if name == "openai":
        from summarizer.backends.openai_backend import OpenAIBackend

        if not settings.api_key and not settings.base_url:
            raise BackendError("--backend openai needs OPENAI_API_KEY, or --base-url for a local server")
        return OpenAIBackend(
            settings.model or DEFAULT_OPENAI_MODEL,
            base_url=settings.base_url,
            api_key=settings.api_key,
            mode=settings.mode,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            max_reasks=settings.max_reasks,
            deadline=settings.deadline,
            context_tokens=settings.context_tokens,
            **common,
        )
    if name == "local":
        from summarizer.backends.local import LocalBackend

        if settings.context_tokens is not None:
            common["n_ctx"] = settings.context_tokens
        return LocalBackend(model_path=settings.model_path, max_reasks=settings.max_reasks, **common)
    if name == "fake":
        from summarizer.backends.fake import FakeBackend

        common |= {"max_reasks": settings.max_reasks, "context_tokens": settings.context_tokens}
        if settings.fake_replies:
            return FakeBackend.from_file(settings.fake_replies, **common)
        return FakeBackend(**common)
    if name == "none":
        raise BackendError(NO_BACKEND_MESSAGE)
    raise BackendError(f"unknown backend {name!r}; choose auto, openai, local or fake")


def create_batches(backend: Backend, poll_interval: float = 30.0) -> BatchBackend:
    """The batch API of ``backend`` (``--batch``); BackendError when it has none."""
    from summarizer.backends.openai_backend import OpenAIBackend

    if not isinstance(backend, OpenAIBackend):
        raise BackendError(
            f"--batch uses OpenAI's Batch API, which the {backend.name} backend does not have; "
            "use it with --backend openai (OPENAI_API_KEY, --model), or drop --batch"
        )
    if backend.strategy != "full":
        raise BackendError("--batch sends whole-document extractions only; use it with --strategy full")
    from summarizer.backends.openai_batch import OpenAIBatches

    return OpenAIBatches(backend, poll_interval=poll_interval)
