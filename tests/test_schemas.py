"""schemas/: the JSON Schemas exported from the pydantic models must be up to date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT
from typer.testing import CliRunner

from summarizer.cli import SCHEMA_MODELS, app
from summarizer.models import Brief, DocumentExtraction

runner = CliRunner()
SCHEMAS = ROOT / "schemas"


def test_repo_schemas_are_up_to_date() -> None:
    result = runner.invoke(app, ["schemas", "--check", "--out", str(SCHEMAS)])
    assert result.exit_code == 0, f"{result.output}\nrun `summarizer schemas` and commit schemas/"


def test_repo_schemas_are_the_models_schemas() -> None:
    for name, model in {"document_extraction": DocumentExtraction, "brief": Brief}.items():
        on_disk = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert on_disk == model.model_json_schema()
    assert {"document_extraction", "brief"} <= set(SCHEMA_MODELS)


def test_check_fails_on_a_modified_schema_and_does_not_rewrite_it(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, folder)
    target = folder / "brief.schema.json"
    schema = json.loads(target.read_text(encoding="utf-8"))
    schema["properties"]["title"]["description"] = "edited by hand"
    stale = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    target.write_text(stale, encoding="utf-8")
    result = runner.invoke(app, ["schemas", "--check", "--out", str(folder)])
    assert result.exit_code == 1
    assert "brief.schema.json" in result.stderr
    assert "document_extraction.schema.json" not in result.stderr
    assert target.read_text(encoding="utf-8") == stale


def test_check_fails_on_a_missing_schema(tmp_path: Path) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, folder)
    (folder / "document_extraction.schema.json").unlink()
    result = runner.invoke(app, ["schemas", "--check", "--out", str(folder)])
    assert result.exit_code == 1
    assert "document_extraction.schema.json" in result.stderr


def test_schemas_writes_every_file_then_check_passes(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    result = runner.invoke(app, ["schemas", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.schema.json" for n in SCHEMA_MODELS)
    for path in folder.iterdir():
        assert path.read_bytes() == (SCHEMAS / path.name).read_bytes()
    assert runner.invoke(app, ["schemas", "--check", "--out", str(folder)]).exit_code == 0
