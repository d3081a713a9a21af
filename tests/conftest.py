"""Shared fixtures: the seed articles, small hand-made documents, and the golden-file switch.

Regenerate golden files with ``pytest --update-golden`` or ``UPDATE_GOLDEN=1 pytest``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from summarizer.documents import Document, load_document

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/* from the current output instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden")) or os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5, "the five seed articles are expected in seeds/"
    return paths


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of seeds/, so tests may add, change or break files."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def make_doc(tmp_path: Path) -> Callable[..., Document]:
    """Write ``text`` to a file and load it through the real loader."""

    def make(text: str, name: str = "001_test.txt") -> Document:
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return load_document(path)

    return make
