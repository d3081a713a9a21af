"""What the brief composes is checked before it is shown: contests as relations the parse shows, questions
in the claims' own words, stances for and against one thing, the lead, the key points. Every sentence here
is made up."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from summarizer import nlp
from summarizer.analysis import analyse_document, build_party_index
from summarizer.analysis.plans import find_plan, terms_after
from summarizer.analysis.propositions import read_propositions
from summarizer.analysis.stances import AGAINST, FOR, find_positions
from summarizer.backends.fake import FakeBackend
from summarizer.documents import Document, load_documents
from summarizer.duplicates import Voices
from summarizer.embeddings import default_encoder
from summarizer.merge.contested import HeldStance, find_disputes, held_stances, rule_verdict
from summarizer.merge.keypoints import plainly_differ, speaker_of, statement_first
from summarizer.merge.lead import reads_alone, what_happened
from summarizer.merge.parties import PartyResolver, unlisted_members
from summarizer.models import Citation, ClaimGroup, ClaimReport, FigureComparison, FigureValue
from summarizer.pipeline import run_brief


def _one(text: str):
    return read_propositions([text])[0]


# ---------------------------------------------------------------------------------------------------
# Propositions and questions
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "negated", "question"),
    [
        (
            "Some progress had been made in the harbour talks.",
            False,
            "Had any progress been made in the harbour talks?",
        ),
        ("No progress was made in the talks on Monday.", True, None),
        ("There was no progress in the talks.", True, None),
        (
            "The ministry imposed new tolls on the bridge.",
            False,
            "Did the ministry impose new tolls on the bridge?",
        ),
        ("The council has called the plan unfair.", False, "Has the council called the plan unfair?"),
        ("The union failed to respond to any of the demands.", True, None),
        ("I don't believe that the governor will sign the bill.", True, None),
        ("The mayor will sign the bill.", False, "Will the mayor sign the bill?"),
    ],
)
def test_a_claims_polarity_and_its_question(text: str, negated: bool, question: str | None) -> None:
    proposition = _one(text)
    assert proposition.negated is negated
    assert proposition.question == question


def test_existentials_and_light_verbs_say_the_same_predicate() -> None:
    made, there, reached = read_propositions(
        ["Progress was made in the talks.", "There was no progress in the talks.", "The sides made progress."]
    )
    assert made.predicate == there.predicate == reached.predicate == "exist: progress"


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("The governor vetoed the budget.", True),
        ("will open up more funding for the bridge", False),  # no subject of its own
        ("he would impose tolls on the bridge", False),  # who?
        ("and my view that no majority should decide alone", False),
        ("GOVERNOR WANTS THE BRIDGE TO REOPEN IN THE FALL", False),  # a headline
    ],
)
def test_a_key_point_is_a_clause_a_reader_understands_alone(text: str, complete: bool) -> None:
    assert _one(text).complete is complete


def test_a_contest_is_one_predicate_answered_both_ways() -> None:
    verdict = rule_verdict(
        _one("Some progress had been made in the harbour talks."), _one("No progress was made in the talks.")
    )
    assert verdict is not None
    assert verdict.question == "Had any progress been made in the harbour talks?"
    assert (verdict.first_answer, verdict.second_answer) == ("yes", "no")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # one topic, two different things said about it
        (
            "There will be no truce until the prisoners return home.",
            "The proposed truce included a prisoner swap.",
        ),
        (
            "The council has called the union's demands delusional.",
            "The delegation failed to respond to any demands.",
        ),
        # the same thing said twice
        ("Some progress was made in the talks.", "Progress was made at the talks on the agenda."),
    ],
)
def test_no_contest_without_opposite_answers_to_one_question(first: str, second: str) -> None:
    assert rule_verdict(_one(first), _one(second)) is None


def test_a_stance_contest_needs_the_same_thing_backed_and_opposed() -> None:
    verdict = rule_verdict(_one("raising the fuel tax"), _one("opposes raising the fuel tax"))
    assert verdict is not None and verdict.question == "For or against raising the fuel tax?"
    assert rule_verdict(_one("a new bridge toll"), _one("opposes a wider plan for the whole region")) is None


# ---------------------------------------------------------------------------------------------------
# Stances
# ---------------------------------------------------------------------------------------------------


def _stances(text: str, speaker: str | None = None):
    (doc,) = nlp.parse([text])
    return find_positions(1, doc, speaker)


def test_stances_from_verbs_nouns_and_judgments() -> None:
    (rejected,) = _stances("The governor rejected the union's latest offer.")
    assert (rejected.holder, rejected.polarity, rejected.target) == (
        "The governor",
        AGAINST,
        "the union's latest offer",
    )
    threatened = [
        s for s in _stances("The mayor threatened to close the harbour bridge.") if s.act == "threaten"
    ]
    assert threatened and threatened[0].polarity == FOR and threatened[0].action
    assert threatened[0].target == "close the harbour bridge"
    (opposition,) = _stances("Local lawmakers expressed deep opposition to the new bridge toll.")
    assert (opposition.polarity, opposition.target) == (AGAINST, "the new bridge toll")
    (judged,) = _stances("The toll plan is a non-starter, the senator said.", speaker="the senator")
    assert (judged.holder, judged.polarity) == ("the senator", AGAINST)
    # a clause that hangs on the last word of a name speaks for the whole name
    (backed,) = _stances("Drivers met the Federation for Safer Roads, which supports the new bridge toll.")
    assert backed.holder == "the Federation for Safer Roads"


def test_being_against_is_a_stance_and_an_opening_for_is_not_its_object() -> None:
    (against,) = _stances("The union is against the new bridge toll.")
    assert (against.holder, against.polarity, against.target) == ("The union", AGAINST, "the new bridge toll")
    assert _stances("The mayor is not against the new bridge toll.") == []
    (called,) = _stances("For this reason, the drivers have called for the toll to be abolished.")
    assert (called.polarity, called.target) == (FOR, "the toll to be abolished")


def test_a_pronoun_in_a_reported_clause_is_the_reporting_subject() -> None:
    stances = _stances("Union leaders insist that they support safer roads but oppose the new bridge toll.")
    assert ("Union leaders", AGAINST, "the new bridge toll") in {
        (s.holder, s.polarity, s.target) for s in stances
    }
    (opposed,) = _stances("Senator Ann Vole said she would oppose the bridge bill.")
    assert (opposed.holder, opposed.polarity) == ("Senator Ann Vole", AGAINST)
    assert _stances("The senator said they would oppose the bridge bill.") == []  # 'they' is not one senator


def test_the_people_named_as_examples_hold_what_the_unnamed_many_call_for() -> None:
    (called,) = _stances(
        "Many members of the caucus, like Sens. Jane Roe (D-MA) and Ann Vole (D-MA), have called for the "
        "bridge toll to be abolished."
    )
    assert (called.holder, called.polarity, called.person) == ("Jane Roe and Ann Vole", FOR, True)


def test_no_stance_from_a_pronoun_someone_else_quotes_or_from_a_headline() -> None:
    assert _stances("He demanded a new bridge, the senator said.", speaker="the senator") == []
    assert _stances("Governor rejects the union's offer") == []  # no full stop: a headline


def _held(tmp_path: Path, text: str, sides: dict[int, str]) -> tuple[Document, list[HeldStance]]:
    """One made-up article's stances, each held by the side given for its sentence (as the party
    index would resolve them)."""
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(text + "\n", encoding="utf-8")
    (document,) = load_documents([folder]).documents
    analysis = analyse_document(document, build_party_index([document]))
    held = [HeldStance(document, s, sides[n]) for n, stances in analysis.positions.items() for s in stances]
    return document, held


def test_a_dispute_holds_each_side_once_and_asks_about_the_thing(tmp_path: Path) -> None:
    document, held = _held(
        tmp_path,
        "The Harbour Authority proposed a new toll on the old bridge. "
        "The Drivers Union rejected the new toll on the old bridge.",
        {1: "Harbour Authority", 2: "Drivers Union"},
    )
    assert {h.stance.sentence_id for h in held} == {1, 2}
    (point,) = find_disputes(held, Voices())
    assert point.question == "For or against a new toll on the old bridge?"
    assert [(p.side, p.answer) for p in point.positions] == [
        ("Harbour Authority", FOR),
        ("Drivers Union", AGAINST),
    ]
    for position in point.positions:
        citation = position.citations[0]
        assert document.text[citation.start : citation.end] == citation.text
    # a side for and against one thing is no dispute
    both = [*held, HeldStance(document, held[1].stance, "Harbour Authority")]
    assert all(len({p.side for p in q.positions}) == len(q.positions) for q in find_disputes(both, Voices()))


def test_no_dispute_over_a_thing_named_only_by_generic_words(tmp_path: Path) -> None:
    _, held = _held(
        tmp_path,
        "The Harbour Authority backed the changes. The Drivers Union rejected the changes.",
        {1: "Harbour Authority", 2: "Drivers Union"},
    )
    assert {h.stance.polarity for h in held} == {FOR, AGAINST}
    assert find_disputes(held, Voices()) == []  # 'For or against the changes?' does not say which


def test_a_member_holds_a_stance_as_themself_even_where_the_parse_misses_the_person(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Italian Prime Minister Gianni Rossi spoke on Monday.\n\n"
        "Rossi proposed a new toll on the old bridge.\n\n"
        "The Drivers Union rejected the new toll on the old bridge.\n",
        encoding="utf-8",
    )
    (document,) = load_documents([folder]).documents
    index = build_party_index([document])
    assert index.speaks_for.get("Gianni Rossi") == "Italy"
    analysis = analyse_document(document, index)
    # the parse may tag a lone surname as an organisation ('Trump' as ORG): the index still knows him
    analysis.positions = {
        sentence: [dataclasses.replace(stance, person=False) for stance in stances]
        for sentence, stances in analysis.positions.items()
    }
    held = held_stances([document], {document.doc_id: analysis}, PartyResolver(index))
    assert "Gianni Rossi" in {h.side for h in held} and "Italy" not in {h.side for h in held}


# ---------------------------------------------------------------------------------------------------
# What happened
# ---------------------------------------------------------------------------------------------------


def test_the_lead_is_a_fact_several_outlets_report_in_their_own_voice(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "one.txt").write_text(
        "The harbour bridge was closed on Monday after a crack was found in its main span.\n\n"
        "“This is a disgrace,” the mayor said.\n",
        encoding="utf-8",
    )
    (folder / "two.txt").write_text(
        "Engineers closed the harbour bridge on Monday after finding a crack in its main span.\n\n"
        "The closure could last for weeks, officials said.\n",
        encoding="utf-8",
    )
    (folder / "three.txt").write_text(
        "A local choir won a national prize on Sunday evening in the old town.\n"
    )
    documents = load_documents([folder]).documents
    index = build_party_index(documents)
    analyses = {d.doc_id: analyse_document(d, index) for d in documents}
    attributed = {d: {*a.attributions} for d, a in analyses.items()}
    (lead,) = what_happened(documents, attributed, index, default_encoder(), Voices())
    assert "harbour bridge" in lead.text and "crack" in lead.text
    assert sorted(lead.sources) == ["one.txt", "two.txt"]
    for citation in lead.citations:
        document = next(d for d in documents if d.doc_id == citation.doc_id)
        assert document.text[citation.start : citation.end] == citation.text


# ---------------------------------------------------------------------------------------------------
# Proposals and reactions
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "proposer", "terms"),
    [
        ("The Harbour Authority proposed a two-year freeze on bridge tolls.", "The Harbour Authority", []),
        ("The plan would cut bridge tolls by half over the next decade.", None, ["by half"]),
        ("The delegation arrived in the capital on Sunday after the talks.", "-", []),
        ("A court ruling would again put pressure on the council to produce a plan.", "-", []),
        ("The union rejected the plan as a non-starter.", "-", []),  # a reaction, not a plan
        ("UNION UNVEILS PLAN TO END STRIKE", "-", []),  # a headline
        # a bare listed word is a term only with its clause; without one the plan says nothing
        (
            "The council's new bill includes a provision that would keep the old bridge open at night.",
            "The council",
            ["a provision that would keep the old bridge open at night"],
        ),
        ("The council has approved new funds, and an upcoming bill could include billions more.", "-", []),
        # where it applies is no second term, and an adjective's 'deep' says no amount: no terms, no plan
        ("The budget would call for deep cuts at a number of city agencies.", "-", []),
        ("The plan would call for new bus lanes at every station.", None, ["new bus lanes"]),
        # a proposing verb inside what a ruling does is nobody putting a plan forward
        (
            "A judge blocked new rules, a blow to the city that opens the door for more drivers to request "
            "permits in the old town.",
            "-",
            [],
        ),
    ],
)
def test_a_proposal_is_a_plan_put_forward_or_one_that_says_what_it_does(
    text: str, proposer: str | None, terms: list[str]
) -> None:
    (doc,) = nlp.parse([text])
    plan = find_plan(0, doc)
    if proposer == "-":
        assert plan is None
        return
    assert plan is not None and plan.proposer == proposer
    assert all(any(t in term for term in plan.terms) for t in terms)
    assert not any("station" in term for term in plan.terms)


def test_terms_continue_in_the_next_sentence_only_after_an_opener() -> None:
    first, second = nlp.parse(["In return, the union would end its strike within a week.", "The union met."])
    assert terms_after(first) == ["The union would end its strike within a week"]
    assert terms_after(second) == []


def test_a_proposal_lists_the_other_sides_reaction_not_a_proposal_of_it(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "The Harbour Authority proposed a two-year freeze on bridge tolls on Monday.\n\n"
        "The Drivers Union rejected the two-year freeze on bridge tolls as a non-starter.\n\n"
        # who the Riders League is, not what it did about this plan: no reaction
        "The Riders League, which supports a freeze on bridge tolls, held its meeting.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "The Harbour Authority on Monday proposed a two-year freeze on bridge tolls.\n", encoding="utf-8"
    )
    brief = run_brief([folder], FakeBackend())
    (proposal,) = brief.proposals
    assert "freeze on bridge tolls" in proposal.summary
    assert proposal.proposed_by == "Harbour Authority"
    assert sorted(proposal.sources) == ["a.txt", "b.txt"]
    (reaction,) = proposal.reactions
    assert (reaction.side, reaction.stance) == ("Drivers Union", AGAINST)
    assert "non-starter" in reaction.text


# ---------------------------------------------------------------------------------------------------
# Figures on the first screen
# ---------------------------------------------------------------------------------------------------


def _value(doc: str, value: float, text: str, sentence: str) -> FigureValue:
    citation = Citation(
        marker=f"{doc}:L1",
        doc_id=doc,
        path=doc,
        line=1,
        start=0,
        end=len(sentence),
        sentence=0,
        text=sentence,
    )
    return FigureValue(doc_id=doc, value=value, text=text, citation=citation)


def test_a_sentence_that_gives_both_values_is_no_disagreement() -> None:
    change = FigureComparison(
        quantity="money",
        values=[
            _value("a.txt", 716e9, "$716\xa0billion", "It rises from $716\xa0billion to $750\xa0billion."),
            _value("b.txt", 750e9, "$750 billion", "The budget will rise to $750 billion next year."),
        ],
        discrepancy=True,
        sources=["a.txt", "b.txt"],
    )
    assert not plainly_differ(change)
    differ = change.model_copy(
        update={
            "values": [
                _value("a.txt", 716e9, "$716 billion", "The budget will rise to $716 billion next year."),
                change.values[1],
            ]
        }
    )
    assert plainly_differ(differ)


def test_a_key_point_cites_the_words_it_shows_first() -> None:
    def report(doc: str, statement: str) -> ClaimReport:
        cite = _value(doc, 0, "", statement).citation
        return ClaimReport(
            doc_id=doc, speaker="the mayor", speaker_side="City", statement=statement, citations=[cite]
        )

    group = ClaimGroup(
        id="C1",
        statement="the bridge will stay closed",
        speaker_sides=["City"],
        negated=False,
        reports=[
            report("a.txt", "talks on the bridge go on"),
            report("b.txt", "the bridge will stay closed"),
        ],
        sources=["a.txt", "b.txt"],
    )
    assert [c.doc_id for c in statement_first(group)] == ["b.txt", "a.txt"]


def test_ending_one_thing_is_one_act_whichever_verb_says_it(tmp_path: Path) -> None:
    _, held = _held(
        tmp_path,
        "The Drivers Union has called for the bridge toll to be abolished. "
        "The Harbour Authority opposes scrapping the bridge toll.",
        {1: "Drivers Union", 2: "Harbour Authority"},
    )
    (point,) = find_disputes(held, Voices())
    assert point.question == "Should the bridge toll be abolished?"
    assert [(p.side, p.answer) for p in point.positions] == [
        ("Drivers Union", FOR),
        ("Harbour Authority", AGAINST),
    ]


def test_a_bullet_without_a_side_names_the_speaker_of_its_words_or_no_one() -> None:
    def report(speaker: str, statement: str) -> ClaimReport:
        return ClaimReport(doc_id="a.txt", speaker=speaker, speaker_side="unknown", statement=statement)

    def group(*reports: ClaimReport) -> ClaimGroup:
        return ClaimGroup(
            id="C1",
            statement="the toll was unlawful",
            speaker_sides=["unknown"],
            negated=False,
            reports=list(reports),
            sources=["a.txt"],
        )

    merged = group(
        report("The ministry", "the toll was unlawful"), report("A group of drivers", "tolls are bad")
    )
    assert speaker_of(merged) is None  # the words are the ministry's, a description of another
    alone = group(report("An unnamed official", "the toll was unlawful"), report("the official", "it was"))
    assert speaker_of(alone) == "An unnamed official"


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        ("About $5 billion is slated to come from the ministry, with $3 billion from the city.", False),
        ("The budget includes $5 billion for the new bridge.", True),
        ("Twelve people were killed in the flood on Monday.", True),
        ("He said the bridge would close.", False),
    ],
)
def test_a_lead_sentence_reads_without_the_one_before(text: str, alone: bool) -> None:
    (parse,) = nlp.parse([text])
    assert reads_alone(parse) is alone


def test_a_member_the_extraction_had_no_room_for_is_still_listed(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, day in (("a", "Monday"), ("b", "Tuesday")):
        (folder / f"{name}.txt").write_text(
            f"Italy hosted the harbour talks on {day}.\n\n"
            f"Italian Foreign Minister Angelino Alfano said on {day} that the talks went well.\n",
            encoding="utf-8",
        )
    documents = load_documents([folder]).documents
    index = build_party_index(documents)
    analyses = {d.doc_id: analyse_document(d, index) for d in documents}
    assert index.speaks_for.get("Angelino Alfano") == "Italy"
    (entry,) = unlisted_members([], documents, analyses, index)
    assert entry.name == "Angelino Alfano" and sorted(entry.sources) == ["a.txt", "b.txt"]
    for citation in entry.citations:
        document = next(d for d in documents if d.doc_id == citation.doc_id)
        assert document.text[citation.start : citation.end] == citation.text
    assert unlisted_members([entry], documents, analyses, index) == []
