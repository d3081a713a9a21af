"""The focused strategy's pure parts: the per-document schema and how the model's answer is applied."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from summarizer.extract import apply_focused, focused_response_model
from summarizer.models import DocumentExtraction, ExtractedClaim, ExtractedDemand, ExtractedParty, PartyRole

RULES = DocumentExtraction(
    parties=[
        ExtractedParty(name="Union", role=PartyRole.other, sentences=[1]),
        ExtractedParty(name="Ministry", role=PartyRole.mediator, sentences=[3]),
    ],
    demands=[ExtractedDemand(party="Union", demand="a 10% pay rise", sentences=[1])],
    claims=[ExtractedClaim(speaker="an official", speaker_side="unknown", statement="s", sentences=[3])],
)
TEXTS = {1: "The union demands a 10% pay rise and shorter shifts.", 2: "The ministry wants calm."}


def test_schema_allows_only_this_documents_parties_and_sentences() -> None:
    model = focused_response_model(["Union", "Ministry"], demand_ids=[1, 2])
    model.model_validate({"roles": [{"party": "Union", "role": "negotiator"}]})
    with pytest.raises(ValidationError):
        model.model_validate({"roles": [{"party": "Someone else", "role": "negotiator"}]})
    with pytest.raises(ValidationError):
        model.model_validate({"demands": [{"party": "Union", "demand": "x", "sentence": 7}]})


def test_answer_fills_roles_and_keeps_only_owned_supported_demands() -> None:
    model = focused_response_model(["Union", "Ministry"], demand_ids=[1, 2])
    answer = model.model_validate(
        {
            "roles": [{"party": "Union", "role": "negotiator"}, {"party": "Ministry", "role": "belligerent"}],
            "demands": [
                {"party": "Union", "demand": "shorter shifts", "sentence": 1},  # kept
                {"party": "Ministry", "demand": "shorter shifts", "sentence": 1},  # not the owner
                {"party": "Union", "demand": "free lunches", "sentence": 1},  # not in the text
            ],
        }
    )
    result = apply_focused(RULES, answer, owners={1: "Union", 2: "Ministry"}, sentence_texts=TEXTS)
    roles = {p.name: p.role for p in result.parties}
    assert roles == {"Union": PartyRole.negotiator, "Ministry": PartyRole.mediator}  # rules' role wins
    assert [(d.party, d.demand) for d in result.demands] == [
        ("Union", "shorter shifts"),
        ("Union", "a 10% pay rise"),
    ]
    assert result.claims == RULES.claims  # sides are the rules' alone


def test_a_persons_role_is_not_taken_from_the_model() -> None:
    model = focused_response_model(["Union", "Ministry"], demand_ids=[])
    answer = model.model_validate({"roles": [{"party": "Union", "role": "negotiator"}]})
    result = apply_focused(RULES, answer, owners={}, sentence_texts={}, people={"Union"})
    assert {p.name: p.role for p in result.parties}["Union"] == PartyRole.other


def test_the_prompt_asks_only_roles_and_demands() -> None:
    model = focused_response_model(["Union"], demand_ids=[1])
    assert set(model.model_fields) == {"roles", "demands"}


def test_the_validation_context_holds_only_what_validators_read_and_fake_declines_without_a_reply() -> None:
    from summarizer.backends.base import NoAnswer
    from summarizer.backends.fake import FakeBackend
    from summarizer.documents import Document, build_sentences
    from summarizer.extract import extraction_context, extraction_request

    text = "The union said the strike would go on.\n"
    sentences, _ = build_sentences(text)
    document = Document(doc_id="001.txt", label="001", path="001.txt", text=text, sha256="x", date=None,
                        sentences=sentences)  # fmt: skip
    context = extraction_context(document)
    assert set(context) == {"extraction"}
    with pytest.raises(NoAnswer):
        FakeBackend().complete([], extraction_request(document, DocumentExtraction))
