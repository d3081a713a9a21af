"""Lose items, not documents: when re-asks are used up, the valid items of the last answer are kept
and the invalid ones reported, in every backend (the fake one here, openai in test_slow_server.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from summarizer.backends.salvage import parse_answer, salvage
from summarizer.cli import app
from summarizer.documents import load_document
from summarizer.models import DocumentExtraction, ExtractedParty, ExtractedProposal, ExtractionContext

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DOC = "002_cf86933a66a444e4.txt"  # sentences 1, 2 and 16 are boilerplate


def claim(sentence: int, statement: str) -> dict[str, Any]:
    return {"speaker": "an official", "speaker_side": "unknown", "statement": statement,
            "sentences": [sentence]}  # fmt: skip


def answer_with_one_boilerplate_citation() -> dict[str, Any]:
    return {
        "parties": [
            {"name": "Hamas", "role": "belligerent", "aliases": ["null", None, ""], "sentences": [3]}
        ],
        "claims": [
            claim(4, "First valid claim."),
            claim(16, "Claim citing boilerplate."),
            claim(5, "Second valid claim."),
        ],
    }


def context() -> dict[str, Any]:
    document = load_document(SEEDS / DOC)
    return {
        "extraction": ExtractionContext(
            doc_id=document.doc_id,
            citable_ids=[s.id for s in document.citable_sentences],
            boilerplate_ids=[s.id for s in document.sentences if not s.citable],
        )
    }


def run_brief(tmp_path: Path, replies: list[Any]) -> tuple[int, dict[str, Any], str, str]:
    replies_file = tmp_path / "replies.json"
    replies_file.write_text(json.dumps({DOC: replies}), encoding="utf-8")
    out, data = tmp_path / "brief.md", tmp_path / "brief.json"
    result = CliRunner().invoke(
        app,
        ["brief", str(SEEDS / DOC), "--backend", "fake", "--fake-replies", str(replies_file), "--no-cache",
         "-o", str(out), "--json", str(data)],
    )  # fmt: skip
    brief = json.loads(data.read_text(encoding="utf-8")) if data.exists() else {}
    markdown = out.read_text(encoding="utf-8") if out.exists() else ""
    return result.exit_code, brief, markdown, result.stderr


def test_reasked_to_exhaustion_the_valid_items_are_kept_and_the_dropped_one_reported(tmp_path: Path) -> None:
    answer = answer_with_one_boilerplate_citation()
    code, brief, markdown, stderr = run_brief(tmp_path, [answer, answer, answer])  # first try + 2 re-asks
    assert code == 0, stderr
    assert brief["failed"] == [] and brief["stats"]["llm_calls"] == 3
    [source] = brief["sources"]
    [dropped] = source["dropped"]
    assert dropped["kind"] == "claims" and dropped["item"] == "Claim citing boilerplate."
    assert "sentence [16] is boilerplate" in dropped["reason"]
    statements = {r["statement"] for group in brief["claims"] for r in group["reports"]}
    assert {"First valid claim.", "Second valid claim."} <= statements
    assert "Claim citing boilerplate." not in statements
    assert "Claim citing boilerplate." in markdown and "left out of the model's answer" in markdown
    assert "left out:" in stderr and "boilerplate" in stderr
    hamas = next(p for p in brief["parties"] if p["name"] == "Hamas")
    assert "null" not in hamas["aliases"] and "" not in hamas["aliases"]


def test_a_later_valid_answer_drops_nothing(tmp_path: Path) -> None:
    good = answer_with_one_boilerplate_citation()
    good["claims"] = [c for c in good["claims"] if c["sentences"] != [16]]
    code, brief, _, stderr = run_brief(tmp_path, [answer_with_one_boilerplate_citation(), good])
    assert code == 0, stderr
    assert brief["sources"][0]["dropped"] == [] and brief["stats"]["llm_calls"] == 2


def test_a_document_is_lost_only_when_nothing_in_it_is_valid(tmp_path: Path) -> None:
    bad = {"claims": [claim(16, "Boilerplate."), claim(99, "Invented.")]}
    code, brief, _, stderr = run_brief(tmp_path, [bad, bad, bad])
    assert code == 2, stderr  # the only document is lost: nothing to brief
    assert "no valid answer after 2 re-asks" in stderr  # one format for every backend


def test_salvage_drops_items_with_any_invalid_field_and_keeps_the_rest() -> None:
    raw = json.dumps(
        {
            "parties": [
                {"name": None, "role": "mediator", "sentences": [3]},
                {"name": "Egypt", "role": "mediator", "sentences": [3]},
            ],
            "claims": [claim(4, "Valid."), {"speaker": "x", "sentences": [4]}],
            "figures": [{"quantity": "people killed", "value": "33,000", "sentences": [99]}],
        }
    )
    kept = salvage(f"Here is the JSON:\n```json\n{raw}\n```", DocumentExtraction, context())
    assert kept is not None
    assert [p.name for p in kept.value.parties] == ["Egypt"]
    assert [c.statement for c in kept.value.claims] == ["Valid."]
    assert kept.value.figures == []
    assert [(d.kind, d.item) for d in kept.dropped] == [
        ("parties", '{"name": null, "role": "mediator", "sentences": [3]}'),
        ("claims", "x"),
        ("figures", "people killed"),
    ]
    assert "does not exist" in kept.dropped[2].reason


def test_salvage_gives_up_on_errors_outside_items_and_on_text_that_is_not_json() -> None:
    assert salvage('{"claims": [{"speaker": ', DocumentExtraction, context()) is None
    assert salvage("no JSON here", DocumentExtraction, context()) is None
    assert salvage('["a list"]', DocumentExtraction, context()) is None
    assert parse_answer('{"a": 1}') == {"a": 1}


def test_salvage_cuts_lists_longer_than_allowed() -> None:
    many = {"claims": [claim(4, f"Claim {n}.") for n in range(20)]}
    kept = salvage(json.dumps(many), DocumentExtraction, context())
    assert kept is not None and len(kept.value.claims) == 16
    assert [d.item for d in kept.dropped] == [f"Claim {n}." for n in range(16, 20)]


@pytest.mark.parametrize("nothing", [None, "null", "NULL", "", "  ", "none"])
def test_null_and_empty_strings_never_become_names_or_aliases(nothing: Any) -> None:
    party = ExtractedParty.model_validate(
        {"name": "Qatar", "role": "mediator", "aliases": [nothing, "Doha", nothing], "sentences": [1]}
    )
    assert party.aliases == ["Doha"]
    with pytest.raises(ValidationError, match="null or an empty string is not a name"):
        ExtractedParty.model_validate({"name": nothing, "role": "mediator", "sentences": [1]})
    proposal = ExtractedProposal.model_validate(
        {"summary": "A truce.", "proposed_by": nothing, "sentences": [1]}
    )
    assert proposal.proposed_by is None
    extraction = DocumentExtraction.model_validate(
        {"claims": [{"speaker": "x", "speaker_side": nothing, "statement": "y", "sentences": [1]}]}
    )
    assert extraction.claims[0].speaker_side == "unknown"
