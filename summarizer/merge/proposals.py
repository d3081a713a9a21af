"""Demands, clustered by text similarity across documents, per party."""

from __future__ import annotations

from summarizer.merge.clustering import (
    best_entry,
    best_support,
    first_citations,
    greedy_cluster,
    similar_phrase,
    sources_of,
)
from summarizer.merge.parties import PartyResolver
from summarizer.models import (
    DemandEntry,
)


def resolve_demands(entries: list[DemandEntry], resolver: PartyResolver) -> list[DemandEntry]:
    """Copies of the entries with their party resolved to its canonical name."""
    return [e.model_copy(update={"party": resolver.resolve(e.party)}) for e in entries]


def merge_demands(entries: list[DemandEntry]) -> list[DemandEntry]:
    """One demand per cluster of similar demands of one party (parties resolved, ``resolve_demands``)."""
    clusters = greedy_cluster(entries, lambda e: e.demand, lambda e: e.party, similar_phrase)
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
    return sorted(merged, key=lambda d: (d.party, -len(d.sources)))
