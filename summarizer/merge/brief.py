"""The brief: sources, coverage and the assembly of every section."""

from __future__ import annotations

from summarizer.analysis import PartyIndex
from summarizer.documents import Document
from summarizer.duplicates import find_copies
from summarizer.embeddings import Encoder, default_encoder
from summarizer.ground import GroundedDocument
from summarizer.merge.claims import AnaphoraContext, merge_claims, without_figure_statements
from summarizer.merge.contested import find_contested
from summarizer.merge.demands import merge_demands, resolve_demands
from summarizer.merge.figures import merge_figures
from summarizer.merge.keypoints import key_points
from summarizer.merge.parties import PartyResolver, merge_parties
from summarizer.merge.proposals import merge_proposals
from summarizer.models import (
    Brief,
    CoverageRow,
    FailedDocument,
    RepublishedText,
    RunStats,
    SkippedText,
    SourceDocument,
)


def source_entry(document: Document, copy_of: str | None = None) -> SourceDocument:
    return SourceDocument(
        copy_of=copy_of,
        doc_id=document.doc_id,
        path=document.path,
        date=document.date,
        sha256=document.sha256,
        sentences=len(document.citable_sentences),
        skipped=[
            SkippedText(line=s.line, kind=s.boilerplate, text=s.text)
            for s in document.sentences
            if s.boilerplate
        ],
    )


def coverage_rows(brief: Brief) -> list[CoverageRow]:
    rows = [CoverageRow(kind="party", item=p.name, sources=p.sources) for p in brief.parties]
    rows += [
        CoverageRow(kind="demand", item=f"{d.party}: {d.demand}", sources=d.sources) for d in brief.demands
    ]
    rows += [CoverageRow(kind="proposal", item=p.summary, sources=p.sources) for p in brief.proposals]
    rows += [
        CoverageRow(kind="claim", item=f"{g.id} {g.statement}", sources=g.sources)
        for g in brief.claims
        if len(g.sources) > 1
    ]
    rows += [CoverageRow(kind="figure", item=f.quantity, sources=f.sources) for f in brief.figures]
    return rows


def merge_documents(
    grounded: list[GroundedDocument],
    documents: list[Document],
    index: PartyIndex,
    *,
    failed: list[FailedDocument],
    stats: RunStats,
    backend: str,
    model: str,
    title: str | None = None,
    encoder: Encoder | None = None,
) -> Brief:
    """The brief of the grounded documents. Claims merge by meaning (``encoder``; the pinned sentence
    model by default)."""
    resolver = PartyResolver(index)
    voices = find_copies(documents)  # wire copy run by several outlets is one voice
    parties = merge_parties([p for g in grounded for p in g.parties], resolver)
    demand_entries = resolve_demands([d for g in grounded for d in g.demands], resolver)
    encoder = encoder or default_encoder()
    demands = merge_demands(demand_entries, encoder)
    figures = merge_figures([f for g in grounded for f in g.figures])
    for number, figure in enumerate(figures, start=1):
        figure.id = f"F{number}"
    reports = without_figure_statements([c for g in grounded for c in g.claims], figures)
    claims, centroids = merge_claims(
        reports,
        resolver,
        encoder,
        voices,
        demands=demand_entries,
        context=AnaphoraContext(documents),
    )
    proposals = merge_proposals([p for g in grounded for p in g.proposals], resolver)
    for number, proposal in enumerate(proposals, start=1):
        proposal.id = f"P{number}"
    brief = Brief(
        title=title or default_title(documents),
        backend=backend,
        model=model,
        complete=not failed,
        sources=[source_entry(d, voices.voice_of.get(d.doc_id)) for d in documents],
        failed=failed,
        parties=parties,
        demands=demands,
        proposals=proposals,
        claims=claims,
        contested=find_contested(claims, centroids, voices),
        figures=figures,
        republished=[RepublishedText(sources=g.doc_ids, similarity=g.similarity) for g in voices.groups],
        stats=stats,
    )
    brief.key_points = key_points(brief)
    brief.coverage = coverage_rows(brief)
    return brief


def default_title(documents: list[Document]) -> str:
    dates = sorted(d.date for d in documents if d.date)
    when = f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "") if dates else ""
    return f"Brief of {len(documents)} article{'s' if len(documents) != 1 else ''}{when}"
