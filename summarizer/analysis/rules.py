"""The rules-only extraction: a ``DocumentExtraction`` from the analysis alone (no model), and the
hints every model sees. Demands, proposals and claims come from the attributed sentences and from
demand and proposal cues; parties from the party index.
"""

from __future__ import annotations

import re

from summarizer.analysis.document import DocumentAnalysis
from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex, name_role
from summarizer.documents import Document, Sentence
from summarizer.models import (
    DocumentExtraction,
    ExtractedClaim,
    ExtractedDemand,
    ExtractedFigure,
    ExtractedParty,
    ExtractedProposal,
    PartyRole,
)
from summarizer.vocabulary import DEMAND_CUE, DEMAND_VERBS, NOT_AN_ITEM

# ---------------------------------------------------------------------------------------------------
# Rules-only extraction (no model)
# ---------------------------------------------------------------------------------------------------

# What follows these is the demanded thing itself (one, or a list).
_LIST_INTRO = re.compile(
    r"\b(?:including|include|includes|which include|such as|demand for|"
    rf"want(?:s|ed)? (?!(?:to|from|by|in|on|at|it|this|that)\b)|{DEMAND_VERBS})"
    r"\b\s*:?\s*",
    re.I,
)
# "a truce brokered by A, B and C" names the mediators; "X declared war on Y" two belligerents.
_MEDIATED_BY = re.compile(r"\b(?:brokered|mediated|hosted)\s+by\s+([^.;]+)", re.I)
_AT_WAR = re.compile(
    r"\b(?:war|offensive|attack|fighting|conflict)\s+(?:on|against|with|between)\s+([^.;,]+)", re.I
)


def excerpt(text: str, limit: int, focus: re.Match[str] | None = None) -> str:
    """``text`` if it fits in ``limit`` characters, else whole words around ``focus`` (from the start
    if there is none), starting at a clause where possible, marked with '…' where cut. The citation
    keeps the full sentence."""
    if len(text) <= limit:
        return text
    room = limit - 2  # for the two '…'
    start = 0
    if focus and focus.end() > room - 20:
        # Start at the clause that holds the focus, so the proposal itself is in the excerpt.
        clause_starts = [m.end() for m in re.finditer(r"[,;:—–]\s+", text[: focus.start()])]
        start = clause_starts[-1] if clause_starts else text.find(" ", max(0, focus.start() - room // 2)) + 1
    if len(text) - start <= room:
        return "…" + text[start:]
    cut = text.rfind(" ", start, start + room)
    body = text[start : cut if cut > start else start + room].rstrip(" ,;:—–")
    return ("…" if start else "") + body + "…"


def _split_items(text: str) -> list[str]:
    """'a withdrawal of troops, the return of the displaced, and a prisoner exchange' -> items."""
    # The list ends with the sentence, a closing quote, or a clause about something else ("but the
    # House will ...").
    text = re.split(r"[.;”\"]|, (?:they|he|she|the \w+) said|\s+but\s+|,\s+while\s+", text)[0]
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+(?=the |a |an )", text)
    items = [p.strip(' ,“”"').replace("“", "") for p in parts]  # a quote cut open by the split
    return [item for item in items if 3 <= len(item) <= 160 and not NOT_AN_ITEM.match(item)]


def _demand_items(sentence: Sentence, cue: re.Match[str]) -> list[str]:
    """The demands listed after the cue ('its demands, including a, b and c'); none if not a list."""
    intro = _LIST_INTRO.search(sentence.analysis_text, cue.start())
    return _split_items(sentence.analysis_text[intro.end() :]) if intro else []


def _owner_before(text: str, position: int, index: PartyIndex) -> str | None:
    """The party named closest before ``position`` (the owner of 'its demands', 'X’s demand')."""
    named = index.mentions(text[:position])
    return named[-1] if named else None


def demand_owner(sentence: Sentence, analysis: DocumentAnalysis, index: PartyIndex) -> str | None:
    """Whose demand a sentence states: the party named last before the demand word ('Hamas’
    demand for', 'Israel’s prime demand'), else the side of the sentence's speaker ('The group
    reiterated its demands' after a Hamas statement)."""
    cue = DEMAND_CUE.search(sentence.analysis_text)
    # The owner stands just before the demand word; a party named far earlier is some other actor.
    window_start = max(0, cue.start() - 60) if cue else 0
    owner = (
        _owner_before(sentence.analysis_text[window_start:], cue.start() - window_start, index)
        if cue
        else None
    )
    if owner is None:
        attribution = analysis.attributions.get(sentence.id)
        if attribution and attribution.side != UNKNOWN_SIDE:
            owner = attribution.side
    if owner is None and not cue:
        named = index.mentions(sentence.analysis_text)
        owner = named[0] if named else None  # the subject of a plain sentence
    return owner


def _roles_from_text(document: Document, index: PartyIndex) -> dict[str, PartyRole]:
    roles: dict[str, PartyRole] = {}
    for name in index.parties:
        role = name_role(name, index)
        if role:
            roles[name] = role
    for sentence in document.citable_sentences:
        for match in _MEDIATED_BY.finditer(sentence.analysis_text):
            for name in index.mentions(match.group(1)):
                roles.setdefault(name, PartyRole.mediator)
        for match in _AT_WAR.finditer(sentence.analysis_text):
            subject = index.mentions(sentence.analysis_text[: match.start()])[-1:]
            for name in [*subject, *index.mentions(match.group(1))]:
                roles.setdefault(name, PartyRole.belligerent)
    return roles


def _same_speaker_again(earlier: str, later: str) -> bool:
    """'an Israeli official' then 'the Israeli official' in the next sentence: the same speaker."""
    first, second = earlier.lower().split(), later.lower().split()
    return (
        len(second) >= 2
        and second[0] == "the"
        and first[0] in ("a", "an", "one", "the")
        and first[1:] == second[1:]
    )


def _adjacent(document: Document, earlier: int, later: int) -> bool:
    """No citable sentence stands between the two."""
    return not any(earlier < s.id < later for s in document.citable_sentences)


def rules_extraction(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> DocumentExtraction:
    """A DocumentExtraction from the analysis alone: deterministic, exact citations, no model."""
    parties = []
    roles = _roles_from_text(document, index)
    for name, sentence_ids in sorted(analysis.party_mentions.items(), key=lambda kv: kv[1][0]):
        if name not in index.parties:
            continue
        parties.append(
            ExtractedParty(
                name=name,
                role=roles.get(name, PartyRole.other),
                aliases=[alias for alias in sorted(index.parties[name]) if len(alias) <= 80][:6],
                sentences=sentence_ids[:3],
            )
        )
    demands: list[ExtractedDemand] = []
    proposals: list[ExtractedProposal] = []
    claims: list[ExtractedClaim] = []
    for sentence in document.citable_sentences:
        attribution = analysis.attributions.get(sentence.id)
        text = sentence.analysis_text
        cue = DEMAND_CUE.search(text)
        if cue:
            owner = demand_owner(sentence, analysis, index)
            if owner:
                for item in _demand_items(sentence, cue)[:6]:
                    demands.append(ExtractedDemand(party=owner, demand=item[:200], sentences=[sentence.id]))
        plan = analysis.plans.get(sentence.id)
        if plan is not None:
            proposals.append(
                ExtractedProposal(
                    summary=excerpt(text, 200),
                    proposed_by=plan.proposer and plan.proposer[:80],
                    terms=[t[:160] for t in plan.terms][:6],
                    sentences=[sentence.id, *plan.term_sentences][:3],
                )
            )
        if attribution:
            previous = claims[-1] if claims else None
            continues = (
                previous is not None
                and len(previous.sentences) < 3
                and (
                    (
                        previous.speaker == attribution.speaker[:100]
                        and (attribution.cue == "quote" or attribution.pronoun)
                    )
                    or _same_speaker_again(previous.speaker, attribution.speaker)
                )
                and _adjacent(document, previous.sentences[-1], sentence.id)
            )
            if continues:  # the same speaker going on ('…,” he added'): one statement, more sentences
                previous.sentences.append(sentence.id)
            else:
                claims.append(
                    ExtractedClaim(
                        speaker=attribution.speaker[:100],
                        speaker_side=attribution.side,
                        # The proposition, not the whole sentence: what merges across outlets is what
                        # is said, whoever says it and however the outlet attributes it.
                        statement=excerpt(attribution.content or text, 240),
                        sentences=[sentence.id],
                    )
                )
        for stance in analysis.stances.get(sentence.id, []):
            if attribution and stance.speaker == attribution.speaker:
                continue  # the speaker's own claim already says it
            claims.append(
                ExtractedClaim(
                    speaker=stance.speaker[:100],
                    speaker_side=stance.side,
                    statement=excerpt(stance.content, 240),
                    sentences=[sentence.id],
                )
            )
    figures = [
        ExtractedFigure(
            quantity=f.quantity,
            value=f.text[:40],
            attributed_to=f.attributed_to and f.attributed_to[:100],
            sentences=[f.sentence_id],
        )
        for f in analysis.figures
    ]
    return DocumentExtraction(
        parties=parties[:12],
        demands=demands[:12],
        proposals=proposals[:6],
        claims=claims[:16],
        figures=figures[:12],
    )


def hints_for_prompt(document: Document, analysis: DocumentAnalysis) -> list[str]:
    """One line per sentence with a detected speaker or figure, for the extraction prompt."""
    lines = []
    for sentence in document.citable_sentences:
        parts = []
        attribution = analysis.attributions.get(sentence.id)
        if attribution:
            side = "" if attribution.side == UNKNOWN_SIDE else f" (side: {attribution.side})"
            parts.append(f"speaker: {attribution.speaker}{side}")
        figures = [f for f in analysis.figures if f.sentence_id == sentence.id]
        if figures:
            parts.append("figures: " + "; ".join(f"{f.text} = {f.quantity}" for f in figures))
        if parts:
            lines.append(f"[{sentence.id}] " + " | ".join(parts))
    return lines
