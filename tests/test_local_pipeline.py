"""The whole brief through the real local backend: llama.cpp in-process with the tiny SmolLM2 GGUF.

The tiny model is far too small to write a good brief; this proves the real path works end to end
(grammar-constrained decoding, validation, grounding, merge, render) and that whatever the model
answers, every citation resolves and nothing is cited from boilerplate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.models import Brief, all_citations

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
pytestmark = pytest.mark.local_model


@pytest.fixture(scope="module")
def tiny_model() -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install -e '.[dev]')")
    from summarizer.backends.base import BackendError
    from summarizer.model_assets import tiny_model_path

    try:
        return tiny_model_path()
    except BackendError as error:
        pytest.skip(f"tiny model unavailable: {error}")


def test_brief_of_one_seed_with_the_real_local_backend(tiny_model: Path, tmp_path: Path) -> None:
    """The local backend's default strategy (focused); the full schema through the same backend is
    covered in test_local_backend.py."""
    source = tmp_path / "in"
    source.mkdir()
    # The seed with a cookie banner and READ: links, so boilerplate must be kept out of citations.
    seed = shutil.copy(SEEDS / "004_4f99d01e388c12ef.txt", source)
    out = tmp_path / "brief.json"
    result = CliRunner().invoke(
        app,
        [
            "brief",
            str(source),
            "--backend",
            "local",
            "--model-path",
            str(tiny_model),
            "--strategy",
            "focused",
            "--no-cache",
            "--max-reasks",
            "1",
            "-o",
            str(tmp_path / "brief.md"),
            "--json",
            str(out),
        ],
    )
    assert "Traceback" not in result.output
    brief = Brief.model_validate_json(out.read_text(encoding="utf-8"))
    assert brief.backend == "local" and brief.stats.llm_calls >= 1
    if result.exit_code == 1:  # the tiny model may fail the document for good: then it must say so
        assert brief.failed and "extraction failed" in brief.failed[0].reason
        return
    assert result.exit_code == 0, result.output
    text = Path(seed).read_bytes().decode("utf-8")
    citations = all_citations(brief)
    assert citations
    boilerplate_lines = {s.line for s in brief.sources[0].skipped}
    for citation in citations:
        assert text[citation.start : citation.end] == citation.text
        assert citation.line not in boilerplate_lines
    assert json.loads(out.read_text())["stats"]["completion_tokens"] > 0
