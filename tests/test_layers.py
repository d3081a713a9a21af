"""The data flow is a contract: documents < analysis < backends < extract < ground < merge < diff < render
< pipeline < cli, tools that read briefs above it, backends that know only their protocol, and a shared
kernel that imports no step (pyproject's [tool.importlinter], checked by import-linter). Every module of
summarizer/ is in a contract, and a back-import planted in any of them breaks one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "summarizer"
TOP = "summarizer.cli"  # the top layer: nothing is above it, so no import from it runs back


def _lint_imports(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    return subprocess.run([command], cwd=cwd, capture_output=True, text=True, env=env)


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_module(p) for p in PACKAGE.rglob("*.py") if _module(p) != "summarizer")


def _contract_members() -> set[str]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    members: set[str] = set()
    for contract in contracts["contracts"]:
        for layer in contract.get("layers", []):
            members |= {name.strip() for name in layer.replace(":", "|").split("|")}
        members |= set(contract.get("source_modules", []))
    return members


def test_the_layers_contract_holds() -> None:
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 kept, 0 broken" in run.stdout


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_in_a_contract(module: str) -> None:
    members = _contract_members()
    assert any(module == m or module.startswith(m + ".") for m in members), f"{module} is in no contract"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """A copy of the package in which every module but the top one imports the top one (the
    CLI): lint-imports' report on it, and the line each import was planted at."""
    copy = tmp_path_factory.mktemp("planted") / "repo"
    shutil.copytree(PACKAGE, copy / "summarizer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    lines = {}
    for path in (copy / "summarizer").rglob("*.py"):
        module = ".".join(path.relative_to(copy).with_suffix("").parts).removesuffix(".__init__")
        if module in (TOP, "summarizer"):
            continue
        source = path.read_text(encoding="utf-8")
        path.write_text(source + f"\nimport {TOP}  # noqa\n", encoding="utf-8")
        lines[module] = source.count("\n") + 2
    run = _lint_imports(copy, env={"PYTHONPATH": str(copy)})
    assert run.returncode != 0
    return run.stdout, lines


@pytest.mark.parametrize("module", [m for m in MODULES if m != TOP])
def test_a_back_import_in_any_module_breaks_a_contract(
    planted: tuple[str, dict[str, int]], module: str
) -> None:
    report, lines = planted
    assert f"{module} -> {TOP} (l.{lines[module]})" in report


def _copy_planting(tmp_path: Path, module_path: str, imported: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on a copy of the package in which ``module_path`` also imports ``imported``."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "summarizer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    path = copy / "summarizer" / module_path
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n", encoding="utf-8")
    return _lint_imports(copy, env={"PYTHONPATH": str(copy)})


def test_a_step_importing_a_later_step_breaks_the_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of the package whose analysis imports the merge is refused."""
    run = _copy_planting(tmp_path, "analysis/rules.py", "summarizer.merge")
    assert run.returncode != 0
    assert "summarizer.analysis.rules -> summarizer.merge" in run.stdout


def test_backends_may_not_import_a_step_below_them(tmp_path: Path) -> None:
    """The layers allow a backend to import a lower step (documents); the backends' own contract
    does not: they know only their protocol and the shared kernel."""
    run = _copy_planting(tmp_path, "backends/fake.py", "summarizer.documents")
    assert run.returncode != 0
    assert "backends depend only on their protocol and the shared kernel BROKEN" in run.stdout
