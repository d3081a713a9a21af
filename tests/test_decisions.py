"""The model's decisions between analysis and merge (summarizer/decisions): the checks a verdict must
pass, the wiring through the pipeline with the fake backend, and one decision call each through a real
backend path (the loopback OpenAI-compatible server, the tiny local model)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply, completion, running_server
from pydantic import ValidationError

from summarizer.analysis import DocumentAnalysis, PartyIndex
from summarizer.backends.fake import FakeBackend
from summarizer.decisions import DECISIONS, Decider
from summarizer.decisions.ask import Asker
from summarizer.decisions.contest import ContestAnswer, ContestJudge
from summarizer.decisions.proposals import decide_plan_kinds, plan_sentences
from summarizer.decisions.roles import ROLE_CHOICES, ROLE_GLOSSES, RoleAnswer, decide_roles
from summarizer.documents import load_documents
from summarizer.ground import GroundedDocument
from summarizer.merge.decided import decided_demands, decided_proposals
from summarizer.merge.parties import PartyResolver, merge_parties
from summarizer.models import Citation, ClaimGroup, DemandEntry, PartyRole, ProposalEntry
from summarizer.pipeline import run_brief
from summarizer.render import render_json

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIRST = "The union said the strike would end on Monday."
SECOND = "The company said the strike would not end before the contract is signed."
CONTEXT = {"statements": (FIRST, SECOND)}


def _answer(question: str, first: str = "yes", second: str = "no", same: bool = True) -> str:
    return json.dumps(
        {"question": question, "first_answer": first, "second_answer": second, "same_question": same}
    )


def test_a_readable_question_both_claims_speak_of_is_a_verdict() -> None:
    answer = ContestAnswer.model_validate_json(_answer("Will the strike end on Monday?"), context=CONTEXT)
    assert answer.contest


@pytest.mark.parametrize(
    ("question", "why"),
    [
        (f"Will the strike that the union and the company {'have argued about for weeks ' * 3}end?",
         "more than 20 words"),
        ("Whether the strike would end on Monday?", "Whether"),
        ('Will "the strike end on Monday"?', "quote"),
        ("Did the union said the strike would end on Monday?", "copies a statement"),
        ("Will prices rise next year?", "first statement"),
        ("The strike on Monday?", "open as a question"),
        ("Will the strike end on Monday", "end with '?'"),
    ],
)  # fmt: skip
def test_a_question_a_reader_cannot_use_is_rejected(question: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        ContestAnswer.model_validate_json(_answer(question), context=CONTEXT)


def test_an_answer_outside_the_enum_is_rejected() -> None:
    with pytest.raises(ValidationError, match="first_answer"):
        ContestAnswer.model_validate_json(_answer("Will the strike end?", first="maybe"), context=CONTEXT)


def test_no_contest_needs_no_question() -> None:
    answer = ContestAnswer.model_validate_json(_answer("", same=False), context=CONTEXT)
    assert not answer.contest


def _group(gid: str, statement: str, side: str) -> ClaimGroup:
    return ClaimGroup(
        id=gid, statement=statement, speaker_sides=[side], negated=False, reports=[], sources=[]
    )


def test_the_judge_reasks_a_bad_question_and_keeps_the_checked_one() -> None:
    backend = FakeBackend(
        {
            "decide-contest:C1/C2": [
                _answer("Whether the strike would end on Monday?"),
                _answer("Will the strike end on Monday?"),
            ]
        }
    )
    asker = Asker(backend)
    verdict = ContestJudge(asker)(_group("C1", FIRST, "Union"), _group("C2", SECOND, "Company"))
    assert verdict is not None
    assert (verdict.question, verdict.first_answer, verdict.second_answer) == (
        "Will the strike end on Monday?",
        "yes",
        "no",
    )
    assert asker.usage.retries == 1
    assert "Whether" in backend.requests[-1][-1]["content"]  # the re-ask says what was wrong


def test_the_judge_gives_no_verdict_when_the_model_has_no_valid_answer() -> None:
    bad = _answer("Whether it ends?")
    asker = Asker(FakeBackend({"decide-contest:C1/C2": [bad, bad, bad]}))
    judge = ContestJudge(asker, limit=1)
    assert judge(_group("C1", FIRST, "Union"), _group("C2", SECOND, "Company")) is None
    assert asker.failed == 1
    assert judge(_group("C1", FIRST, "Union"), _group("C2", SECOND, "Company")) is None  # over the limit
    assert judge.calls == 1


def test_a_cached_decision_is_not_asked_again(tmp_path: Path) -> None:
    from summarizer.cache import ExtractionCache

    cache = ExtractionCache(tmp_path / "cache.sqlite")
    sentence = [_citation("d", 1, "The company offered a raise.")]
    first = FakeBackend({"decide-proposal:d:1": [{"kind": "proposal"}]})
    first.may_not_answer = False  # as a model's backend: its answers are cached
    asker = Asker(first, cache)
    assert decide_plan_kinds(asker, sentence) == {("d", 1): "proposal"}
    again = FakeBackend()  # no answer to give: the cache has it
    again.may_not_answer = False
    rerun = Asker(again, cache)
    assert decide_plan_kinds(rerun, sentence) == {("d", 1): "proposal"}
    assert again.requests == [] and rerun.usage.calls == 0


def _citation(doc_id: str, sentence: int, text: str = "x") -> Citation:
    return Citation(marker="m", doc_id=doc_id, path=doc_id, line=1, start=0, end=len(text), sentence=sentence,
                    text=text)  # fmt: skip


def test_decided_items_are_applied_before_the_merge() -> None:
    kept = ProposalEntry(summary="a", citations=[_citation("d", 1)])
    reaction = ProposalEntry(summary="b", citations=[_citation("d", 2)])
    undecided = ProposalEntry(summary="c", citations=[_citation("d", 3)])
    kinds = {("d", 1): "proposal", ("d", 2): "reaction"}
    assert decided_proposals([kept, reaction, undecided], kinds) == [kept, undecided]
    demand = DemandEntry(party="Reuters", demand="a ceasefire", citations=[_citation("d", 4)])
    nobody = DemandEntry(party="X", demand="security", citations=[_citation("d", 5)])
    owners = {("d", 4, "a ceasefire"): "Hamas", ("d", 5, "security"): "none"}
    assert [d.party for d in decided_demands([demand, nobody], owners)] == ["Hamas"]


def _brief_json(decider: Decider | None) -> dict[str, Any]:
    brief = run_brief(load_documents([SEEDS]), FakeBackend(), concurrency=1, decider=decider)
    data: dict[str, Any] = json.loads(render_json(brief))
    data["stats"].pop("wall_seconds")
    return data


@pytest.fixture(scope="module")
def rules_brief() -> Iterator[dict[str, Any]]:
    """The seeds brief without decisions, made once (``made_at`` fixed, as fake_identity.py does)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "0")
        yield _brief_json(None)


def test_the_pipeline_without_answers_gives_the_rules_brief(
    rules_brief: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decider whose backend has no answer (the fake one) leaves the brief byte for byte as it is."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert _brief_json(Decider(FakeBackend(), DECISIONS)) == rules_brief


def test_the_pipeline_drops_a_proposal_the_model_reads_as_a_reaction(rules_brief: dict[str, Any]) -> None:
    assert rules_brief["proposals"]
    replies = {  # every sentence a proposal cites is read as a reaction
        f"decide-proposal:{c['doc_id']}:{c['sentence']}": [{"kind": "reaction"}]
        for p in rules_brief["proposals"]
        for c in p["citations"]
    }
    decided = _brief_json(Decider(FakeBackend(replies), ("proposal",)))
    assert decided["proposals"] == []
    assert decided["stats"]["llm_calls"] > rules_brief["stats"]["llm_calls"]  # the decisions are counted


def test_the_cli_takes_decide(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    out = tmp_path / "brief.md"
    result = CliRunner().invoke(
        app, ["brief", str(SEEDS / "000_7bb91c76771d32cc.txt"), "--backend", "fake", "--no-cache", "--decide",
              "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("#")


def test_a_decision_call_through_the_openai_backend() -> None:
    """The contest judge through the real server path (streamed, tools mode): the first answer's
    question is a 'Whether' quote and is re-asked; the second is the verdict."""
    from summarizer.backends.openai_backend import OpenAIBackend

    answers = [_answer("Whether the strike would end on Monday?"), _answer("Will the strike end on Monday?")]
    with running_server() as server:
        server.plan = lambda request, number: Reply(body=completion(request, answers.pop(0), number))
        backend = OpenAIBackend("test-model", base_url=server.url, api_key="x", max_reasks=1)
        asker = Asker(backend)
        verdict = ContestJudge(asker)(_group("C1", FIRST, "Union"), _group("C2", SECOND, "Company"))
    assert verdict is not None and verdict.question == "Will the strike end on Monday?"
    assert asker.usage.calls == 2 and asker.usage.retries == 1


@pytest.mark.local_model
def test_a_decision_call_through_the_tiny_local_model() -> None:
    """Proposal-or-reaction through llama.cpp: the grammar holds the answer to the enum."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from summarizer.backends.base import BackendError
    from summarizer.backends.local import LocalBackend

    try:
        backend = LocalBackend.tiny(n_ctx=1024, max_tokens=32, max_reasks=0)
    except BackendError as error:
        pytest.skip(f"tiny model unavailable: {error}")
    sentence = "The company offered a 4% raise over two years in return for an end to the strike."
    asker = Asker(backend)
    kinds = decide_plan_kinds(asker, [_citation("d", 1, sentence)])
    assert kinds[("d", 1)] in ("proposal", "reaction", "neither")
    assert asker.usage.calls == 1 and asker.usage.completion_tokens > 0


@pytest.fixture(scope="module")
def seeds_grounded() -> tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]]:
    """The seeds' party index, analyses and rules' extractions grounded, as the pipeline has them
    before the decisions (fake backend)."""
    from summarizer.analysis import analyse_document, build_party_index, rules_extraction
    from summarizer.ground import ground_document

    documents = load_documents([SEEDS]).documents
    index = build_party_index(documents)
    analyses = {d.doc_id: analyse_document(d, index) for d in documents}
    grounded = [
        ground_document(d, rules_extraction(d, analyses[d.doc_id], index), analyses[d.doc_id], index)
        for d in documents
    ]
    return index, analyses, grounded


def test_the_sentences_asked_about_are_the_ones_proposals_are_kept_for(
    seeds_grounded: tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]],
) -> None:
    _, analyses, grounded = seeds_grounded
    sentences = plan_sentences(grounded, analyses)
    assert sentences
    assert all(c.sentence in analyses[c.doc_id].plans for c in sentences)


# In the seeds the text settles every party's role but one: John Kirby is named only as 'X said' (the
# sentence before calls him a spokesperson), so the rules call him 'other'.
UNSETTLED = "John Kirby"
KIRBY_SAID = "Hamas is reviewing a new proposal now, John Kirby said."


def _role(role: str, evidence: str = "") -> dict[str, str]:
    return {"role": role, "evidence": evidence}


def _parties(brief: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["role"] for p in brief["parties"]}


def test_role_evidence_must_be_copied_from_the_sentences() -> None:
    context = {
        "sentences": ["Jane Roe, a \u201csenior\u201d  adviser to the minister, said the talks failed."]
    }
    copied = RoleAnswer.model_validate(
        _role("official", 'A "Senior"\nadviser to the minister,'), context=context
    )
    assert copied.role == "official"  # case, quote characters, whitespace and edge punctuation aside
    assert RoleAnswer.model_validate(_role("none"), context=context).role == "none"
    with pytest.raises(ValidationError, match="not in the sentences"):
        RoleAnswer.model_validate(_role("official", "a senior minister"), context=context)
    with pytest.raises(ValidationError, match="evidence is empty"):
        RoleAnswer.model_validate(_role("official"), context=context)
    with pytest.raises(ValidationError, match="role"):
        RoleAnswer.model_validate(_role("other", "adviser"), context=context)  # 'other' is not offered
    assert set(ROLE_GLOSSES) == set(ROLE_CHOICES) - {"none"} == {r.value for r in PartyRole} - {"other"}


def test_a_decided_role_replaces_an_unsettled_one_and_only_unsettled_parties_are_asked(
    rules_brief: dict[str, Any],
) -> None:
    rules = _parties(rules_brief)
    assert rules[UNSETTLED] == "other" and len(rules) > 1
    # every party has an answer ready; one a settled party would be left out by
    replies = {f"decide-role:{name}": [_role("none")] for name in rules}
    replies[f"decide-role:{UNSETTLED}"] = [_role("spokesperson", "John Kirby said")]
    decider = Decider(FakeBackend(replies), ("role",))
    decided = _brief_json(decider)
    assert _parties(decided) == {**rules, UNSETTLED: "spokesperson"}
    assert [key for key, _ in decider.asker.asked] == [f"decide-role:{UNSETTLED}"]


def test_the_pipeline_leaves_out_a_party_the_model_says_is_none(rules_brief: dict[str, Any]) -> None:
    decided = _brief_json(Decider(FakeBackend({f"decide-role:{UNSETTLED}": [_role("none")]}), ("role",)))
    rules = _parties(rules_brief)
    del rules[UNSETTLED]
    assert _parties(decided) == rules


def test_the_merge_never_replaces_a_role_the_text_settles(
    seeds_grounded: tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]],
) -> None:
    index, _, grounded = seeds_grounded
    entries = [p for g in grounded for p in g.parties]
    settled = sorted(
        n for n in {p.name for p in merge_parties(entries, PartyResolver(index))} if n in index.roles
    )
    assert len(settled) > 1
    decided = {settled[0]: "none", settled[1]: "affected_person", UNSETTLED: "expert"}
    roles = {p.name: p.role for p in merge_parties(entries, PartyResolver(index), decided)}
    assert roles[settled[0]] == index.roles[settled[0]]  # listed: the text says it is a party
    assert roles[settled[1]] == index.roles[settled[1]] != "affected_person"
    assert roles[UNSETTLED] == "expert"


def test_a_role_whose_evidence_is_not_in_the_sentences_is_reasked(
    seeds_grounded: tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]],
) -> None:
    """Through the real server path: the first answer's evidence is not in the sentences shown (the
    model's knowledge, not the text), the re-ask says so and its answer is kept."""
    from summarizer.backends.openai_backend import OpenAIBackend

    index, _, grounded = seeds_grounded
    answers = [json.dumps(_role("spokesperson", "White House national security spokesman")),
               json.dumps(_role("spokesperson", "john kirby said."))]  # fmt: skip
    with running_server() as server:
        server.plan = lambda request, number: Reply(body=completion(request, answers.pop(0), number))
        backend = OpenAIBackend("test-model", base_url=server.url, api_key="x", max_reasks=1)
        asker = Asker(backend)
        assert decide_roles(asker, grounded, index) == {UNSETTLED: "spokesperson"}
        asked, reasked = (r.user_text for r in server.requests[:2])
    assert asker.usage.calls == 2 and asker.usage.retries == 1
    assert KIRBY_SAID in asked and '"other"' not in asked
    assert "not in the sentences" in reasked


def test_no_valid_role_answer_is_no_decision(
    seeds_grounded: tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]],
) -> None:
    index, _, grounded = seeds_grounded
    bad = _role("spokesperson", "a spokesman for the White House")
    asker = Asker(FakeBackend({f"decide-role:{UNSETTLED}": [bad, bad, bad]}))
    assert decide_roles(asker, grounded, index) == {}
    assert asker.failed == 1


def test_with_the_documents_a_role_question_shows_the_sentence_before(
    seeds_grounded: tuple[PartyIndex, dict[str, DocumentAnalysis], list[GroundedDocument]],
) -> None:
    """'..., John Kirby said' says who he is only after 'a White House spokesperson said ...': with the
    documents that sentence is shown, and a phrase of it is evidence the check accepts."""
    index, _, grounded = seeds_grounded
    documents = load_documents([SEEDS]).documents
    answer = _role("spokesperson", "a White House spokesperson said")
    without = Asker(FakeBackend({f"decide-role:{UNSETTLED}": [answer]}))
    assert decide_roles(without, grounded, index) == {}  # not in the sentences shown: no decision
    asker = Asker(FakeBackend({f"decide-role:{UNSETTLED}": [answer]}))
    assert decide_roles(asker, grounded, index, documents=documents) == {UNSETTLED: "spokesperson"}
