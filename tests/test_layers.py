"""The data flow is a contract: documents < analysis < extract < ground < merge < diff < render < cli, and
backends know only their protocol (pyproject's [tool.importlinter], checked by import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_layers_contract_holds() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    run = subprocess.run([command], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


def test_a_step_importing_a_later_step_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of the package whose analysis imports the merge is refused."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "summarizer", copy / "summarizer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    rules = copy / "summarizer" / "analysis" / "rules.py"
    source = rules.read_text(encoding="utf-8")
    rules.write_text(source + "\nimport summarizer.merge  # noqa\n", encoding="utf-8")
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    run = subprocess.run([command], cwd=copy, capture_output=True, text=True, env={"PYTHONPATH": str(copy)})
    assert run.returncode != 0
    assert "summarizer.analysis.rules -> summarizer.merge" in run.stdout
