"""The boundary between the pipeline and the backends (backends/base.py): a typed request, one
schema-tightening function, one re-ask path, declared capabilities, and no domain knowledge on the
backends' side."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from summarizer.backends import create_backend
from summarizer.backends.base import BackendError, NoAnswer, Request
from summarizer.backends.fake import FakeBackend
from summarizer.backends.reask import describe_errors, first_error
from summarizer.backends.schema import constrained_schema
from summarizer.config import Settings
from summarizer.models import CITATION_FIELD, DocumentExtraction, ExtractedClaim

BACKENDS = Path(__file__).resolve().parent.parent / "summarizer" / "backends"


class Contradiction(BaseModel):
    """Do the two claims contradict each other?"""

    contradicts: bool
    because: list[int] = Field(default_factory=list, max_length=2)

    @field_validator("because")
    @classmethod
    def _known(cls, value: list[int], info: ValidationInfo) -> list[int]:
        allowed = (info.context or {}).get("allowed", value)
        if unknown := set(value) - set(allowed):
            raise ValueError(f"sentences {sorted(unknown)} are not among the claims' sentences")
        return value


def test_a_judgment_call_is_one_line_for_the_pipeline() -> None:
    backend = FakeBackend({"C3/C7": ['{"contradicts": true, "because": [4]}']})
    verdict = backend.complete([{"role": "user", "content": "?"}], Request(Contradiction, key="C3/C7")).value
    assert verdict == Contradiction(contradicts=True, because=[4])


def test_an_invalid_answer_is_reasked_then_valid() -> None:
    replies = {"C3/C7": ['{"contradicts": "perhaps"}', '{"contradicts": false, "because": [9]}']}
    backend = FakeBackend(replies)
    request = Request(Contradiction, key="C3/C7", context={"allowed": [4, 9]})
    completion = backend.complete([{"role": "user", "content": "?"}], request)
    assert completion.value.because == [9]
    assert (completion.usage.calls, completion.usage.retries) == (2, 1)


def test_the_validation_context_reaches_the_validators() -> None:
    backend = FakeBackend({"q": ['{"contradicts": true, "because": [5]}'] * 3}, max_reasks=2)
    request = Request(Contradiction, key="q", context={"allowed": [4]})
    with pytest.raises(BackendError, match=r"no valid answer after 2 re-asks: because: .*not among"):
        backend.complete([{"role": "user", "content": "?"}], request)


def test_no_scripted_reply_is_no_answer() -> None:
    with pytest.raises(NoAnswer):
        FakeBackend().complete([{"role": "user", "content": "?"}], Request(Contradiction, key="other"))


def test_citable_ids_need_the_field_that_holds_them() -> None:
    with pytest.raises(ValueError, match="citation_field"):
        Request(Contradiction, citable_ids=(1, 2))


def test_the_schema_lists_the_citable_ids_in_the_declared_field() -> None:
    request = Request(Contradiction, citable_ids=(7, 4, 7), citation_field="because")
    schema = constrained_schema(request)
    assert schema["properties"]["because"]["items"] == {"type": "integer", "enum": [4, 7]}
    assert "required" not in schema or schema["required"] == ["contradicts"]  # only for a grammar
    grammar = constrained_schema(request, grammar=True)
    assert list(grammar["properties"]) == ["contradicts", "because"] == grammar["required"]
    # without ids the field stays open
    assert constrained_schema(Request(Contradiction))["properties"]["because"]["items"] == {"type": "integer"}


def test_the_extraction_declares_its_citation_field() -> None:
    assert CITATION_FIELD in ExtractedClaim.model_fields
    request = Request(DocumentExtraction, citable_ids=(2, 3), citation_field=CITATION_FIELD)
    claim = constrained_schema(request)["$defs"]["ExtractedClaim"]["properties"][CITATION_FIELD]
    assert claim["items"]["enum"] == [2, 3]


def test_one_error_format() -> None:
    try:
        Contradiction.model_validate_json('{"contradicts": "perhaps", "because": [1, 2, 3]}')
    except Exception as error:
        assert first_error(error) == "contradicts: Input should be a valid boolean, unable to interpret input"
        lines = describe_errors(error).splitlines()
        assert lines[0].startswith("- contradicts: ") and lines[1].startswith("- because: ")
    else:
        raise AssertionError("expected a validation error")


def test_backends_know_nothing_of_the_extraction() -> None:
    """Backends import only their protocol, schema and re-ask modules: never the extraction's models
    nor its validation context's layout."""
    for path in sorted(BACKENDS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        names = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
        imported = {
            alias.name
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert not ({"DocumentExtraction", "ExtractionContext"} & (names | imported)), path.name
        assert '"extraction"' not in source, path.name


@pytest.mark.parametrize("strategy", ["full", "focused"])
def test_the_strategy_is_given_to_the_constructor(strategy: str) -> None:
    backend = create_backend(Settings(backend="fake", strategy=strategy))
    assert backend.strategy == strategy
    assert create_backend(Settings(backend="fake")).strategy == "full"  # auto: the backend's own


def test_scripted_replies_are_keyed_by_the_request(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps({"k": [{"contradicts": False}]}), encoding="utf-8")
    backend = create_backend(Settings(backend="fake", fake_replies=replies))
    assert backend.complete([], Request(Contradiction, key="k")).value.contradicts is False


def test_a_literal_answer_through_the_fake() -> None:
    class Kind(BaseModel):
        kind: Literal["proposal", "reaction"]

    backend = FakeBackend({"s4": ['{"kind": "reaction"}']})
    assert backend.complete([], Request(Kind, key="s4")).value.kind == "reaction"


def test_no_type_ignore_without_a_type_checker() -> None:
    """Nothing runs a type checker, so a `type: ignore` hides nothing from anyone: write the code so
    its types hold instead."""
    package = Path(__file__).resolve().parent.parent / "summarizer"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "type: ignore" in line
    ]
    assert found == []
