"""Proposals, clustered by text similarity across documents."""

from __future__ import annotations

from summarizer.merge.clustering import (
    best_entry,
    best_support,
    first_citations,
    greedy_cluster,
    similar_claim,
    sources_of,
)
from summarizer.merge.parties import PartyResolver
from summarizer.models import (
    ProposalEntry,
)


def merge_proposals(entries: list[ProposalEntry], resolver: PartyResolver) -> list[ProposalEntry]:
    clusters = greedy_cluster(entries, lambda e: e.summary, lambda e: 0, similar_claim)
    merged = []
    for cluster in clusters:
        best = best_entry(cluster, lambda e: e.summary)
        backers = [e.proposed_by for e in cluster if e.proposed_by]
        terms = list(dict.fromkeys(t for e in cluster for t in e.terms))[:8]
        merged.append(
            ProposalEntry(
                summary=best.summary,
                proposed_by=backers[0] if backers else None,
                terms=terms,
                citations=first_citations(cluster),
                sources=sources_of(cluster),
                support=best_support(cluster),
            )
        )
    return sorted(merged, key=lambda p: -len(p.sources))
