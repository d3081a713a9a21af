"""Step 4 of the data flow: turn cited sentence numbers into exact citations and check support.

Every ``Citation`` is built from the document's own sentence spans, so ``text[start:end] ==
citation.text`` by construction. Support is lexical: the share of a statement's content words that
occur in the cited text (a claim whose cited sentence names a different speaker is flagged too).
Weak support is shown, not hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.analysis import UNKNOWN_SIDE, DocumentAnalysis, PartyIndex, find_figures, parse_number
from summarizer.documents import Document
from summarizer.lexical import content_words, support_level
from summarizer.models import (
    Citation,
    ClaimReport,
    DemandEntry,
    DocumentExtraction,
    FigureValue,
    PartyEntry,
    ProposalEntry,
    SupportLevel,
)
from summarizer.vocabulary import NEGATION


def cite(document: Document, sentence_id: int) -> Citation:
    sentence = document.sentence(sentence_id)
    same_line = [s for s in document.sentences if s.line == sentence.line]
    position = same_line.index(sentence) + 1
    marker = f"{document.label}:L{sentence.line}" + (f".{position}" if position > 1 else "")
    return Citation(
        marker=marker,
        doc_id=document.doc_id,
        path=document.path,
        line=sentence.line,
        start=sentence.start,
        end=sentence.end,
        sentence=sentence.id,
        text=document.text[sentence.start : sentence.end],
    )


@dataclass
class GroundedFigure:
    quantity: str  # the class of what is counted ('hostages held', 'money: funding')
    value: FigureValue
    label: str | None = None  # what is counted, in the sentence's words ('hostages still held in Gaza')


@dataclass
class GroundedDocument:
    """One document's extraction with exact citations, ready to merge."""

    doc_id: str
    parties: list[PartyEntry] = field(default_factory=list)
    demands: list[DemandEntry] = field(default_factory=list)
    proposals: list[ProposalEntry] = field(default_factory=list)
    claims: list[ClaimReport] = field(default_factory=list)
    figures: list[GroundedFigure] = field(default_factory=list)


def is_negated(text: str) -> bool:
    return bool(NEGATION.search(text))


_NUMBER_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _number_in(value: str, text: str) -> bool:
    """Whether the number written in ``value`` occurs in ``text`` as a whole number: "40" is not in
    "140" nor in "4,000" (a plain substring test would say it is)."""
    token = _NUMBER_TOKEN.search(value)
    if not token:
        return False
    wanted = float(token.group(0).replace(",", ""))
    return any(float(t.replace(",", "")) == wanted for t in _NUMBER_TOKEN.findall(text))


def _speaker_conflict(speaker: str, detected: str) -> bool:
    """True when the rules found a different named speaker for the cited sentence."""
    mine, theirs = content_words(speaker), content_words(detected)
    generic = {"official", "source", "he", "she", "they", "spokesman", "spokesperson", "the"}
    if not mine or not theirs or theirs <= generic or mine <= generic:
        return False
    return not (mine & theirs)


def _weakest(levels: list[SupportLevel]) -> SupportLevel:
    order = [SupportLevel.unsupported, SupportLevel.weak, SupportLevel.strong]
    return min(levels, key=order.index) if levels else SupportLevel.strong


def ground_document(
    document: Document,
    extraction: DocumentExtraction,
    analysis: DocumentAnalysis,
    index: PartyIndex,
) -> GroundedDocument:
    grounded = GroundedDocument(doc_id=document.doc_id)
    sources = [document.doc_id]

    def citations_for(ids: list[int]) -> list[Citation]:
        return [
            cite(document, i)
            for i in ids
            if 1 <= i <= len(document.sentences) and document.sentence(i).citable
        ]

    def support(statement: str, citations: list[Citation]) -> SupportLevel:
        joined = " ".join(c.text for c in citations)
        return support_level(statement, joined) if citations else SupportLevel.unsupported

    for party in extraction.parties:
        citations = citations_for(party.sentences)
        if not citations:
            continue
        names = [party.name, *party.aliases]
        mentioned = any(n.lower() in " ".join(c.text for c in citations).lower() for n in names)
        grounded.parties.append(
            PartyEntry(
                name=party.name,
                role=party.role,
                aliases=party.aliases,
                citations=citations,
                sources=sources,
                support=SupportLevel.strong if mentioned else SupportLevel.weak,
            )
        )
    for demand in extraction.demands:
        citations = citations_for(demand.sentences)
        if citations:
            grounded.demands.append(
                DemandEntry(
                    party=demand.party,
                    demand=demand.demand,
                    citations=citations,
                    sources=sources,
                    support=support(demand.demand, citations),
                )
            )
    for proposal in extraction.proposals:
        citations = citations_for(proposal.sentences)
        if citations:
            grounded.proposals.append(
                ProposalEntry(
                    summary=proposal.summary,
                    proposed_by=proposal.proposed_by,
                    terms=proposal.terms,
                    citations=citations,
                    sources=sources,
                    support=support(proposal.summary, citations),
                )
            )
    for claim in extraction.claims:
        citations = citations_for(claim.sentences)
        if not citations:
            continue
        levels = [support(claim.statement, citations)]
        detected = [
            analysis.attributions[c.sentence] for c in citations if c.sentence in analysis.attributions
        ]
        if detected and all(_speaker_conflict(claim.speaker, a.speaker) for a in detected):
            levels.append(SupportLevel.weak)  # the text names someone else as the speaker
        side = claim.speaker_side
        if side.lower() in ("", "unknown", "none", "n/a"):
            side = next((a.side for a in detected if a.side != UNKNOWN_SIDE), UNKNOWN_SIDE)
        grounded.claims.append(
            ClaimReport(
                doc_id=document.doc_id,
                speaker=claim.speaker,
                speaker_side=side,
                statement=claim.statement,
                negated=is_negated(claim.statement),
                citations=citations,
                sources=sources,
                support=_weakest(levels),
            )
        )
    _ground_figures(document, extraction, analysis, grounded)
    return grounded


def _ground_figures(
    document: Document, extraction: DocumentExtraction, analysis: DocumentAnalysis, grounded: GroundedDocument
) -> None:
    """Figures from the model and from the rules, kept only when the number is in the cited text.
    The rules' classification ('hostages held') is preferred as the quantity so that outlets compare."""
    seen: set[tuple[int, float]] = set()
    candidates: list[tuple[int, str, str, str | None]] = []  # sentence, quantity, text, attributed_to
    for figure in extraction.figures:
        for sentence_id in figure.sentences[:1]:
            candidates.append((sentence_id, figure.quantity, figure.value, figure.attributed_to))
    for mention in analysis.figures:
        candidates.append((mention.sentence_id, mention.quantity, mention.text, mention.attributed_to))
    for sentence_id, quantity, text, attributed_to in candidates:
        if not (1 <= sentence_id <= len(document.sentences)) or not document.sentence(sentence_id).citable:
            continue
        sentence = document.sentence(sentence_id)
        value = parse_number(text)
        if value is None:
            continue
        # The analysis read the sentence with its parse (the figure's label); the sentence alone otherwise.
        found = [m for m in analysis.figures if m.sentence_id == sentence_id] or find_figures(sentence)
        rules = [m for m in found if abs(m.value - value) < 1e-9]
        if not rules and not _number_in(text, sentence.text):
            continue  # the number is not in the cited sentence: never report it
        key = (sentence_id, value)
        if key in seen:
            continue
        seen.add(key)
        label = None
        if rules:
            quantity, text, label = rules[0].quantity, rules[0].text, rules[0].label
        grounded.figures.append(
            GroundedFigure(
                quantity=quantity,
                label=label,
                value=FigureValue(
                    doc_id=document.doc_id,
                    value=value,
                    text=text,
                    attributed_to=attributed_to,
                    date=document.date,
                    citation=cite(document, sentence_id),
                ),
            )
        )
