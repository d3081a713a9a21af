"""Proposals on the table: plans with their proposer and terms, gathered across outlets, and the
other sides' reactions to them.

A proposal of the extraction is kept only when a sentence it cites states one (analysis/plans.py: a
plan put forward, or a plan that says what it does), whoever extracted it: an arrival, a prediction,
a headline or a reaction is not a proposal. Proposals that say the same plan merge (text similarity,
as before); their terms are gathered in order, without repeats. A reaction is a stance of another side
(analysis/stances.py) on the same thing: a number in common with the plan, or two of its words; it
opposes the plan or backs it ('welcomed', 'endorsed'), and is not a plan or a demand of its own, nor
a standing position in a clause that says who the holder is ('X, which supports Y').
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from summarizer.analysis import UNKNOWN_SIDE, DocumentAnalysis
from summarizer.analysis.plans import PlanMention
from summarizer.analysis.stances import AGAINST
from summarizer.ground import cite
from summarizer.merge.clustering import (
    best_entry,
    best_support,
    first_citations,
    greedy_cluster,
    similar_claim,
    sources_of,
)
from summarizer.merge.contested import HeldStance
from summarizer.merge.parties import PartyResolver
from summarizer.models import ProposalEntry, Reaction
from summarizer.vocabulary import GENERIC_TARGETS, SUPPORTING_ACTS

MAX_TERMS = 8
_YEAR = re.compile(r"(?:19|20)\d\d")
MAX_REACTIONS = 6


def _plan_of(entry: ProposalEntry, analyses: Mapping[str, DocumentAnalysis]) -> PlanMention | None:
    """The plan a sentence of the entry states, if any."""
    for citation in entry.citations:
        analysis = analyses.get(citation.doc_id)
        if analysis is not None and citation.sentence in analysis.plans:
            return analysis.plans[citation.sentence]
    return None


def _reacts_to(held: HeldStance, keys: frozenset[str], names: set[str]) -> bool:
    """A stance on the plan: a number of the plan's in its target, or two of its words (one, when
    the target has only one), not counting the parties' names (every sentence names them)."""
    terms = held.stance.terms - names
    if {t for t in terms & keys if t[0].isdigit() and not _YEAR.fullmatch(t)}:
        return True  # a year in common is no evidence: both may just be this year's
    shared = {t for t in terms & keys if not t[0].isdigit()}
    return bool(shared) and len(shared) >= min(2, len(terms))


def merge_plans(
    entries: list[ProposalEntry],
    resolver: PartyResolver,
    analyses: Mapping[str, DocumentAnalysis],
    held: list[HeldStance],
) -> list[ProposalEntry]:
    """The proposals on the table, most sources first, with terms and reactions (see module doc)."""
    checked = [(e, plan) for e in entries if (plan := _plan_of(e, analyses)) is not None]
    names = {
        word.lower()
        for party, aliases in resolver.index.parties.items()
        for name in (party, *aliases)
        for word in name.split()
    }
    plans = {id(e): plan for e, plan in checked}
    clusters = greedy_cluster([e for e, _ in checked], lambda e: e.summary, lambda e: 0, similar_claim)
    merged = []
    for cluster in clusters:
        best = best_entry(cluster, lambda e: e.summary)
        mentions = [plans[id(e)] for e in cluster]
        named = [m.proposer for m in mentions if m.proposer] + [
            e.proposed_by for e in cluster if e.proposed_by
        ]
        proposer = resolver.resolve(named[0]) if named else None
        if proposer == UNKNOWN_SIDE:
            proposer = named[0]
        keys = frozenset(k for m in mentions for k in m.keys)
        cited = {(c.doc_id, c.sentence) for e in cluster for c in e.citations}
        reactions: dict[str, list[HeldStance]] = {}
        for stance in held:
            if stance.stance.standing or stance.side == proposer:
                continue
            if (stance.document.doc_id, stance.stance.sentence_id) in cited:
                continue
            reacting = stance.stance.polarity == AGAINST or stance.stance.act in SUPPORTING_ACTS
            if reacting and _reacts_to(stance, keys - names - GENERIC_TARGETS, names | GENERIC_TARGETS):
                reactions.setdefault(stance.side, []).append(stance)
        merged.append(
            ProposalEntry(
                summary=best.summary,
                proposed_by=proposer,
                terms=list(dict.fromkeys(t for e in cluster for t in e.terms))[:MAX_TERMS],
                reactions=[_reaction(side, stances) for side, stances in reactions.items()][:MAX_REACTIONS],
                citations=first_citations(cluster),
                sources=sources_of(cluster),
                support=best_support(cluster),
            )
        )
    return sorted(merged, key=lambda p: -len(p.sources))


def _reaction(side: str, stances: list[HeldStance]) -> Reaction:
    polarities = {h.stance.polarity for h in stances}
    first = stances[0]
    citations = list(dict.fromkeys(cite(h.document, h.stance.sentence_id) for h in stances))
    return Reaction(
        side=side,
        stance=first.stance.polarity if len(polarities) == 1 else "mixed",
        text=citations[0].text,
        citations=citations,
        sources=sorted({c.doc_id for c in citations}),
    )
