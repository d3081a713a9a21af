"""The brief: sources, coverage and the assembly of every section."""

from __future__ import annotations

from collections.abc import Mapping

from summarizer.analysis import DocumentAnalysis, PartyIndex
from summarizer.documents import Document
from summarizer.duplicates import find_copies
from summarizer.embeddings import Encoder, default_encoder
from summarizer.ground import GroundedDocument
from summarizer.merge.claims import AnaphoraContext, merge_claims, without_figure_statements
from summarizer.merge.contested import (
    Judge,
    contested_points,
    find_contested,
    find_disputes,
    group_propositions,
    held_stances,
)
from summarizer.merge.decided import decided_demands, decided_proposals
from summarizer.merge.demands import merge_demands, resolve_demands
from summarizer.merge.figures import merge_figures
from summarizer.merge.keypoints import key_points
from summarizer.merge.lead import what_happened
from summarizer.merge.parties import PartyResolver, merge_parties, unlisted_members
from summarizer.merge.plans import merge_plans
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
        label=document.label,
        kind=document.kind.value,
        title=document.title,
        outlet=document.outlet,
        author=document.author,
        url=document.url,
        part=document.part,
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
    judge: Judge | None = None,
    analyses: Mapping[str, DocumentAnalysis] | None = None,
    plan_kinds: Mapping[tuple[str, int], str] | None = None,
    demand_owners: Mapping[tuple[str, int, str], str] | None = None,
    party_roles: Mapping[str, str] | None = None,
) -> Brief:
    """The brief of the grounded documents. Claims merge by meaning (``encoder``; the pinned sentence
    model by default). ``analyses`` are the documents' analyses: which sentences have a speaker (the
    lead is made of the others) and who is for or against what (disputes). ``judge``, ``plan_kinds``,
    ``demand_owners`` and ``party_roles`` are a model's decisions, when it made them
    (``merge.decided``)."""
    encoder = encoder or default_encoder()
    resolver = PartyResolver(index)
    voices = find_copies(documents)  # wire copy run by several outlets is one voice
    party_entries = [p for g in grounded for p in g.parties]
    party_entries += unlisted_members(party_entries, documents, analyses or {}, index)
    parties = merge_parties(party_entries, resolver, party_roles)
    demand_entries = resolve_demands(
        decided_demands([d for g in grounded for d in g.demands], demand_owners), resolver
    )
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
    propositions = group_propositions(claims)
    held = held_stances(documents, analyses or {}, resolver)
    proposal_entries = decided_proposals([p for g in grounded for p in g.proposals], plan_kinds)
    proposals = merge_plans(proposal_entries, resolver, analyses or {}, held)
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
        contested=contested_points(
            find_contested(claims, centroids, voices, judge, propositions),
            find_disputes(held, voices),
            voices,
        ),
        figures=figures,
        republished=[RepublishedText(sources=g.doc_ids, similarity=g.similarity) for g in voices.groups],
        stats=stats,
    )
    contested = contested_sentences(brief)
    attributed = {d: {*a.attributions, *a.stances} for d, a in (analyses or {}).items()}
    brief.lead = what_happened(documents, attributed, resolver.index, encoder, voices, contested)
    brief.key_points = key_points(brief, propositions, centroids)
    brief.coverage = coverage_rows(brief)
    return brief


def contested_sentences(brief: Brief) -> set[tuple[str, int]]:
    """(doc_id, sentence) of what each contested position states: a claim's first sentence (the ones
    after it go on about it), a stance's sentence."""
    groups = {g.id: g for g in brief.claims}
    found: set[tuple[str, int]] = set()
    for point in brief.contested:
        for position in point.positions:
            if not position.claim_ids:
                found.update((c.doc_id, c.sentence) for c in position.citations)
            for claim_id in position.claim_ids:
                reports = groups[claim_id].reports if claim_id in groups else []
                found.update((r.citations[0].doc_id, r.citations[0].sentence) for r in reports if r.citations)
    return found


def default_title(documents: list[Document]) -> str:
    dates = sorted(d.date for d in documents if d.date)
    when = f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "") if dates else ""
    return f"Brief of {len(documents)} article{'s' if len(documents) != 1 else ''}{when}"
