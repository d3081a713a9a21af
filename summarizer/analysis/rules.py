"""The rules-only extraction: a ``DocumentExtraction`` from the analysis alone (no model), and the
hints every model sees. Demands, proposals and claims come from the attributed sentences and from
demand and proposal cues; parties from the party index.
"""

from __future__ import annotations

import re

from summarizer.analysis.demands import find_demands
from summarizer.analysis.document import DocumentAnalysis
from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex
from summarizer.analysis.roles import default_role
from summarizer.documents import Document
from summarizer.models import (
    DocumentExtraction,
    ExtractedClaim,
    ExtractedDemand,
    ExtractedFigure,
    ExtractedParty,
    ExtractedProposal,
    PartyRole,
)

# ---------------------------------------------------------------------------------------------------
# Rules-only extraction (no model)
# ---------------------------------------------------------------------------------------------------


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


def party_role(name: str, index: PartyIndex) -> PartyRole:
    """The role the text settles for a party or member, else its default ('other' when none)."""
    return index.roles.get(name) or default_role(name) or PartyRole.other


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
    named = [(n, ids, index.parties.get(n)) for n, ids in analysis.party_mentions.items()]
    named += [(n, ids, index.members.get(n)) for n, ids in analysis.member_mentions.items()]
    for name, sentence_ids, aliases in sorted(named, key=lambda item: item[1][0]):
        if aliases is None:
            continue
        parties.append(
            ExtractedParty(
                name=name,
                role=party_role(name, index),
                aliases=[alias for alias in sorted(aliases) if len(alias) <= 80][:6],
                sentences=sentence_ids[:3],
            )
        )
    demands: list[ExtractedDemand] = []
    proposals: list[ExtractedProposal] = []
    claims: list[ExtractedClaim] = []
    for sentence in document.citable_sentences:
        attribution = analysis.attributions.get(sentence.id)
        text = sentence.analysis_text
        parse = index.corpus.get(document.doc_id, sentence.id)
        for owner, item in find_demands(document, sentence, parse, analysis, index)[:6]:
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
                        and (
                            attribution.cue == "quote"
                            or attribution.pronoun
                            # '“A. / B,” X said': the sentence that names a quotation's speaker ends it
                            or getattr(analysis.attributions.get(previous.sentences[-1]), "cue", "")
                            == "quote"
                        )
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
                        # (a quotation's own sentence, without its marks: '“A.' -> 'A.')
                        statement=excerpt(attribution.content or text.strip(' "“”'), 240),
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
