"""ground: exact citations, markers, support levels, figure and speaker checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.analysis import analyse_document, build_party_index
from summarizer.documents import Document, load_document
from summarizer.ground import cite, ground_document, is_negated, support_level
from summarizer.models import (
    DocumentExtraction,
    ExtractedClaim,
    ExtractedDemand,
    ExtractedFigure,
    ExtractedParty,
    PartyRole,
    SupportLevel,
)

ARTICLE = (
    " date 2025-02-03 Greece and Turkey resumed border talks in Vienna on Monday.\n"
    "\n"
    "The Greek foreign minister said the border crossing would reopen next week. "
    "Turkey demanded the release of 40 prisoners. “We will wait,” he added.\n"
    "\n"
    "READ: Another story about the weather\n"
    "\n"
    "Some 1,200 people have been displaced by the floods, the Turkish interior ministry said.\n"
)


def _ground(document: Document, extraction: DocumentExtraction):
    index = build_party_index([document])
    analysis = analyse_document(document, index)
    return ground_document(document, extraction, analysis, index)


@pytest.fixture
def article(make_doc) -> Document:
    return make_doc(ARTICLE, "007_article.txt")


def test_cite_is_exact_for_every_seed_sentence(seed_paths: list[Path]) -> None:
    for path in seed_paths:
        document = load_document(path)
        raw = path.read_bytes().decode("utf-8")
        for sentence in document.sentences:
            citation = cite(document, sentence.id)
            assert document.text[citation.start : citation.end] == citation.text
            assert raw[citation.start : citation.end] == citation.text  # the file itself, not a copy
            assert citation.line == sentence.line
            assert citation.sentence == sentence.id
            assert citation.doc_id == path.name
            assert citation.marker.startswith(f"{path.name[:3]}:L{sentence.line}")


def test_markers_number_sentences_on_the_same_line(article: Document) -> None:
    markers = [cite(article, s.id).marker for s in article.sentences]
    texts = [s.text for s in article.sentences]
    assert texts[0] == "Greece and Turkey resumed border talks in Vienna on Monday."
    assert markers == [
        "007:L1",
        "007:L3",
        "007:L3.2",
        "007:L3.3",
        "007:L5",
        "007:L7",
    ]
    second = cite(article, 3)
    assert second.text == "Turkey demanded the release of 40 prisoners."
    assert article.text[second.start : second.end] == second.text


@pytest.mark.parametrize(
    ("statement", "cited", "level"),
    [
        (
            "Turkey demanded the release of prisoners",
            "Turkey demanded the release of 40 prisoners.",
            "strong",
        ),
        (
            "Turkey demanded prisoners be freed soon by Greece and Cyprus",
            "Turkey demanded the release of 40 prisoners.",
            "weak",
        ),
        (
            "The harvest was excellent this autumn",
            "Turkey demanded the release of 40 prisoners.",
            "unsupported",
        ),
        ("", "Anything at all.", "strong"),
    ],
)
def test_support_levels(statement: str, cited: str, level: str) -> None:
    assert support_level(statement, cited) == SupportLevel(level)


def test_grounded_items_carry_exact_citations_and_support(article: Document) -> None:
    extraction = DocumentExtraction(
        parties=[ExtractedParty(name="Turkey", role=PartyRole.negotiator, sentences=[1, 3])],
        demands=[
            ExtractedDemand(party="Turkey", demand="release of 40 prisoners", sentences=[3]),
            ExtractedDemand(party="Turkey", demand="a new harvest festival in spring", sentences=[3]),
        ],
        claims=[
            ExtractedClaim(
                speaker="The Greek foreign minister",
                speaker_side="unknown",
                statement="The border crossing would reopen next week",
                sentences=[2],
            )
        ],
    )
    grounded = _ground(article, extraction)
    (party,) = grounded.parties
    assert [c.marker for c in party.citations] == ["007:L1", "007:L3.2"]
    assert party.support == SupportLevel.strong
    good, bad = grounded.demands
    assert good.support == SupportLevel.strong
    assert bad.support == SupportLevel.unsupported  # shown, flagged, not hidden
    (claim,) = grounded.claims
    assert claim.support == SupportLevel.strong
    assert claim.speaker_side == "Greece"  # filled in from the analysis when the model said unknown
    everything = [*grounded.parties, *grounded.demands, *grounded.claims]
    for item in everything:
        assert item.sources == ["007_article.txt"]
        for citation in item.citations:
            assert article.text[citation.start : citation.end] == citation.text


def test_boilerplate_and_unknown_sentences_are_never_cited(article: Document) -> None:
    boilerplate = next(s.id for s in article.sentences if s.boilerplate)
    extraction = DocumentExtraction.model_construct(
        parties=[
            ExtractedParty.model_construct(name="Turkey", role=PartyRole.other, aliases=[], sentences=[99])
        ],
        demands=[
            ExtractedDemand.model_construct(party="Turkey", demand="another story", sentences=[boilerplate])
        ],
        proposals=[],
        claims=[],
        figures=[],
    )
    grounded = _ground(article, extraction)
    assert grounded.parties == [] and grounded.demands == []


def test_figure_not_in_its_cited_sentence_is_dropped(article: Document) -> None:
    extraction = DocumentExtraction(
        figures=[
            ExtractedFigure(quantity="prisoners released", value="999", sentences=[3]),
            ExtractedFigure(quantity="prisoners", value="40", attributed_to="Turkey", sentences=[3]),
        ]
    )
    grounded = _ground(article, extraction)
    values = {f.value.value for f in grounded.figures}
    assert 999 not in values
    assert 40 in values
    assert 1200 in values  # found by the rules in sentence 6, even though the model missed it
    for figure in grounded.figures:
        citation = figure.value.citation
        assert article.text[citation.start : citation.end] == citation.text
        assert article.date == figure.value.date == "2025-02-03"
    forty = next(f for f in grounded.figures if f.value.value == 40)
    assert forty.value.citation.marker == "007:L3.2"
    assert forty.quantity == "prisoners released"  # the rules' class wins, so outlets compare


def test_claim_citing_a_sentence_with_another_speaker_is_weak(article: Document) -> None:
    extraction = DocumentExtraction(
        claims=[
            ExtractedClaim(
                speaker="Turkish President Recep Erdogan",
                speaker_side="Turkey",
                statement="The border crossing would reopen next week",
                sentences=[2],
            ),
            ExtractedClaim(
                speaker="the Greek minister",
                speaker_side="Greece",
                statement="The border crossing would reopen next week",
                sentences=[2],
            ),
        ]
    )
    wrong, right = _ground(article, extraction).claims
    assert wrong.support == SupportLevel.weak
    assert right.support == SupportLevel.strong


def test_negated_claims_are_marked(article: Document) -> None:
    extraction = DocumentExtraction(
        claims=[
            ExtractedClaim(speaker="he", speaker_side="Turkey", statement="We will not wait", sentences=[4]),
            ExtractedClaim(speaker="he", speaker_side="Turkey", statement="We will wait", sentences=[4]),
        ]
    )
    negative, positive = _ground(article, extraction).claims
    assert negative.negated is True
    assert positive.negated is False


@pytest.mark.parametrize("value", ["40", "4", "1,40", "14"])
def test_figure_must_match_a_whole_number_of_the_sentence(make_doc, value: str) -> None:
    document = make_doc("The talks lasted 140 minutes and covered 4,000 pages.\n", "009_numbers.txt")
    extraction = DocumentExtraction(figures=[ExtractedFigure(quantity="pages", value=value, sentences=[1])])
    assert _ground(document, extraction).figures == []


def test_model_figure_whose_number_is_in_the_sentence_is_kept(make_doc) -> None:
    document = make_doc("The talks lasted 140 minutes and covered 4,000 pages.\n", "009_numbers.txt")
    extraction = DocumentExtraction(
        figures=[
            ExtractedFigure(quantity="pages", value="4,000 pages", attributed_to="the clerk", sentences=[1])
        ]
    )
    (figure,) = _ground(document, extraction).figures
    assert figure.value.value == 4000 and figure.quantity == "pages"
    assert figure.value.attributed_to == "the clerk"


@pytest.mark.parametrize(
    ("statement", "negated"),
    [
        ("Two senators reiterated that they oppose ending the filibuster.", True),
        ("She is still not supportive of ending the filibuster.", True),
        ("Republicans are firmly opposed to a tax increase.", True),
        ("The party voted against the bill.", True),
        ("The senators support ending the filibuster.", False),
    ],
)
def test_opposition_is_negative_polarity(statement: str, negated: bool) -> None:
    """Opposing something and not supporting it are one position, not a contest between them."""
    assert is_negated(statement) is negated
