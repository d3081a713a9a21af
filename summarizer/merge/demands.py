"""Demands: one per party and demand, merged across documents.

Two demands of one party are one when most of their words are shared (``similar_phrase``) or when
their meaning is close and they share a content word ('the return of displaced Gazans' and 'the
return of displaced residents to northern Gaza'): meaning alone would join demands that only share
the topic ('the return of the displaced' and 'reconstruction in Gaza' are close in a sentence model),
and two different amounts are two demands. A bare demand that a more specific one of its party says
in full ('a wall' beside '$5.7 billion in wall funding') is left out (``without_subsumed``)."""

from __future__ import annotations

import re

import numpy as np

from summarizer.analysis.demands import faction_of
from summarizer.embeddings import Encoder
from summarizer.lexical import content_words
from summarizer.merge.clustering import (
    best_entry,
    best_support,
    first_citations,
    greedy_cluster,
    jaccard,
    similar_phrase,
    sources_of,
)
from summarizer.merge.parties import PartyResolver
from summarizer.models import DemandEntry

# Cosine similarity (all-MiniLM-L6-v2) above which two demands of one party sharing a content word are
# one. Measured on the seeds: rewordings of one demand score 0.81-0.95 ('a ceasefire' / 'a permanent
# ceasefire' 0.95, 'the return of displaced Gazans' / '... residents to northern Gaza' 0.92), different
# demands of one party up to 0.77 ('the return of displaced Gazans' / 'reconstruction of the damage in
# Gaza').
SAME_DEMAND = 0.8
# ... and with two content words shared, lower: 'the return of displaced individuals' / 'the return of
# displaced Gazans' 0.62, 'a prisoner exchange' / 'a completion of a prisoner exchange deal ...' 0.73;
# the seeds' different demands of one party that share two words score at most 0.45.
SAME_DEMAND_SHARING_TWO = 0.6


_AMOUNT = re.compile(r"\d[\d,.]*|\b(?:[mb]illions?|trillions?|thousands?)\b", re.I)


def _numbers(text: str) -> set[str]:
    """The amounts a demand names ('5.7', 'billion'; 'billions'): two demands naming different
    amounts, or one an amount and the other none, are two demands ('a wall' is not 'billions for
    the wall')."""
    return {m.lower() for m in _AMOUNT.findall(text)}


def resolve_demands(entries: list[DemandEntry], resolver: PartyResolver) -> list[DemandEntry]:
    """Copies of the entries with their party resolved to its canonical name; a faction of a party
    ('Senate Republicans') keeps its own name: its demand is not the whole party's."""
    return [
        e.model_copy(update={"party": faction_of(e.party, resolver.index) or resolver.resolve(e.party)})
        for e in entries
    ]


def merge_demands(entries: list[DemandEntry], encoder: Encoder | None = None) -> list[DemandEntry]:
    """One demand per cluster of the same demand of one party (parties resolved, ``resolve_demands``)."""
    texts = sorted({e.demand for e in entries})
    vectors = dict(zip(texts, encoder.encode(texts), strict=True)) if encoder is not None and texts else {}

    def same(a: str, b: str) -> bool:
        if _numbers(a) != _numbers(b):
            return False  # '$5.7 billion for the wall' and 'billions for the wall' are two demands
        words_a, words_b = content_words(a), content_words(b)
        shared = len(words_a & words_b)
        # A short demand's words are a subset of many longer ones ('a wall' of '$5.7 billion in wall
        # funding'): the wording says 'same' only when most words are shared.
        if similar_phrase(a, b) and jaccard(words_a, words_b) >= 0.5:
            return True
        if a not in vectors or b not in vectors or not shared:
            return False
        similarity = float(np.dot(vectors[a], vectors[b]))
        return similarity >= SAME_DEMAND or (shared >= 2 and similarity >= SAME_DEMAND_SHARING_TWO)

    clusters = greedy_cluster(entries, lambda e: e.demand, lambda e: e.party, same)
    merged = []
    for cluster in clusters:
        best = best_entry(cluster, lambda e: e.demand)
        merged.append(
            DemandEntry(
                party=best.party,
                demand=best.demand,
                citations=first_citations(cluster),
                sources=sources_of(cluster),
                support=best_support(cluster),
            )
        )
    return sorted(without_subsumed(merged), key=lambda d: (d.party, -len(d.sources)))


def without_subsumed(demands: list[DemandEntry]) -> list[DemandEntry]:
    """The demands less those a more specific one of the same party says in full: 'a wall' when the
    party also demands '$5.7 billion in wall funding'. They stay two demands (the amount is what the
    reader compares), but the bare one adds nothing; its own sentence does not state the amount, so
    it is left out rather than cited for it."""

    def subsumed(demand: DemandEntry) -> bool:
        words = content_words(demand.demand)
        return (
            bool(words)
            and not _numbers(demand.demand)
            and any(
                other.party == demand.party and _numbers(other.demand) and words < content_words(other.demand)
                for other in demands
            )
        )

    return [d for d in demands if not subsumed(d)]
