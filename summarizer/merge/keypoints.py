"""Key points that open the brief, composed from its merged items only."""

from __future__ import annotations

from summarizer.analysis import UNKNOWN_SIDE
from summarizer.duplicates import Voices
from summarizer.merge.clustering import first_citations
from summarizer.models import (
    Brief,
    KeyPoint,
    KeyPointKind,
)

MAX_KEY_POINTS = 8


def _side_names(sides: list[str]) -> str:
    named = [s for s in sides if s != UNKNOWN_SIDE]
    return ", ".join(named) if named else "Unnamed sources"


def key_points(brief: Brief) -> list[KeyPoint]:
    """5-8 bullets that open the brief, composed from its merged items only (no sentence a source does
    not say): the contested questions, the claims most sources carry, the proposals on the table and
    the figures that differ. Each keeps its item's sources and a citation per source. Counts are of
    independent voices: republished copies of one text count once."""
    count = Voices.of_sources(brief.sources).count
    total = count(s.doc_id for s in brief.sources)
    points: list[KeyPoint] = []
    for point in brief.contested[:2]:
        stances = "; ".join(
            f"{p.side} {'denies' if p.negated else 'asserts'} ({count(p.sources)} of {total})"
            for p in point.positions
        )
        citations = [c for p in point.positions for c in p.citations[:1]]
        sources = sorted({s for p in point.positions for s in p.sources})
        points.append(
            KeyPoint(
                kind=KeyPointKind.contested,
                ref=point.id,
                text=f"Contested: {point.question}. {stances}",
                citations=citations,
                sources=sources,
            )  # fmt: skip
        )
    widely = [g for g in brief.claims if count(g.sources) > 1] or brief.claims[:1]
    for group in widely[: max(3, MAX_KEY_POINTS - 2 - len(points))]:
        citations = first_citations(group.reports, per_source=1)
        points.append(
            KeyPoint(
                kind=KeyPointKind.claim,
                ref=group.id,
                text=f"{_side_names(group.speaker_sides)}: {group.statement} "
                f"({count(group.sources)} of {total} sources)",
                citations=citations,
                sources=group.sources,
            )
        )
    for proposal in brief.proposals[:1]:
        points.append(
            KeyPoint(
                kind=KeyPointKind.proposal,
                ref=proposal.id,
                text=f"On the table: {proposal.summary}",
                citations=proposal.citations[:2],
                sources=proposal.sources,
            )  # fmt: skip
        )
    for figure in [f for f in brief.figures if f.discrepancy][:1]:
        values = "; ".join(f"{v.text} ({v.doc_id})" for v in figure.values)
        points.append(
            KeyPoint(
                kind=KeyPointKind.figure,
                ref=figure.id,
                text=f"Figures differ on {figure.quantity}: {values}",
                citations=[v.citation for v in figure.values],
                sources=figure.sources,
            )  # fmt: skip
        )
    return points[:MAX_KEY_POINTS]
