"""Step 5 of the data flow: merge the grounded documents into one ``Brief``, deterministically.

* parties: names and aliases resolved to one canonical party (country demonyms, parenthetical
  aliases, learned affiliations, fuzzy name match);
* demands, proposals and claims: clustered across sources by text similarity, each cluster listing
  every source that carries it;
* contested points: claim groups about the same question with opposite polarity from different sides;
* figures: one quantity as given by several outlets, discrepancies flagged;
* coverage: which source reports which item.

Clustering is greedy with an inverted index over content words (blocking), so it stays near-linear:
an item is compared only with the clusters that share a word with it, never with every cluster.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from rapidfuzz import fuzz, process

from summarizer.analysis import UNKNOWN_SIDE, PartyIndex
from summarizer.documents import Document
from summarizer.ground import GroundedDocument, GroundedFigure, content_words
from summarizer.models import (
    Brief,
    Citation,
    ClaimGroup,
    ClaimReport,
    ContestedPoint,
    ContestedPosition,
    CoverageRow,
    DemandEntry,
    FailedDocument,
    FigureComparison,
    PartyEntry,
    PartyRole,
    ProposalEntry,
    RunStats,
    SkippedText,
    SourceDocument,
    SupportLevel,
)

T = TypeVar("T")
# Words that say who speaks or that something was said; they do not make two claims the same claim.
_ATTRIBUTION_WORDS = {
    "official",
    "source",
    "sources",
    "told",
    "reuters",
    "news",
    "according",
    "stated",
    "added",
    "reported",
    "confirmed",
    "spokesman",
    "spokesperson",
    "minister",
}
_NEGATION_WORDS = {
    "no",
    "not",
    "never",
    "nothing",
    "none",
    "denied",
    "deny",
    "denie",
    "without",
    "failed",
    "yet",
    "deadlock",
    "deadlocked",
    "refused",
    "rejected",
    "oppose",
    "opposes",
    "opposed",
    "opposing",
    "against",
    "still",
    "any",
    "new",
}
MAX_CANDIDATES = 10  # clusters compared per item, the ones sharing the most words
MAX_POSTINGS = 200  # a word in more clusters than this is too common to find candidates with


# ---------------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------------


class PartyResolver:
    """Maps any name a document or the model uses to one canonical party name."""

    def __init__(self, index: PartyIndex):
        self.index = index
        self.known: list[str] = list(index.parties)

    def resolve(self, name: str | None, aliases: Iterable[str] = ()) -> str:
        if not name or name.strip().lower() in ("unknown", "none", "n/a", ""):
            return UNKNOWN_SIDE
        for candidate in (name, *aliases):
            found = self.index.canonical(candidate)
            if found:
                return found
        if self.known:
            match = process.extractOne(name, self.known, scorer=fuzz.token_set_ratio, score_cutoff=90)
            if match:
                return match[0]
        side = self.index.side_of(name)
        if side != UNKNOWN_SIDE:
            return side
        self.known.append(name)
        self.index.add(name)
        return name


def merge_parties(entries: list[PartyEntry], resolver: PartyResolver) -> list[PartyEntry]:
    grouped: dict[str, list[PartyEntry]] = defaultdict(list)
    for entry in entries:
        grouped[resolver.resolve(entry.name, entry.aliases)].append(entry)
    merged = []
    for name, group in grouped.items():
        if name == UNKNOWN_SIDE:
            continue
        roles = Counter(e.role for e in group if e.role != PartyRole.other)
        aliases = {a for e in group for a in (e.name, *e.aliases)} | resolver.index.parties.get(name, set())
        aliases = sorted(a for a in aliases if a.lower() != name.lower())
        merged.append(
            PartyEntry(
                name=name,
                role=roles.most_common(1)[0][0] if roles else PartyRole.other,
                aliases=aliases[:10],
                citations=_first_citations(group, per_source=1),
                sources=_sources(group),
                support=_best_support(group),
            )
        )
    return sorted(merged, key=lambda p: (-len(p.sources), p.name))


# ---------------------------------------------------------------------------------------------------
# Clustering
# ---------------------------------------------------------------------------------------------------


def _candidates(postings: dict, keys: list[Hashable]) -> Counter[int]:
    """Count, per cluster, the words it shares with an item. Words in more than MAX_POSTINGS clusters
    ('said', 'talks') say nothing about which cluster fits and would make this quadratic: they are
    skipped, unless the item has no rarer word. Keys come sorted so ties break the same way in
    every process (the merge must be deterministic)."""
    lists = [postings[key] for key in keys if key in postings]
    rare = [ids for ids in lists if len(ids) <= MAX_POSTINGS] or sorted(lists, key=len)[:1]
    shared: Counter[int] = Counter()
    for ids in rare:
        shared.update(ids)
    return shared


def greedy_cluster(
    items: list[T],
    text_of: Callable[[T], str],
    block_of: Callable[[T], Hashable],
    similar: Callable[[str, str], bool],
) -> list[list[T]]:
    """Cluster items whose texts are similar, within the same block, without an all-pairs loop."""
    clusters: list[list[T]] = []
    representative: list[str] = []
    postings: dict[tuple[Hashable, str], list[int]] = defaultdict(list)
    for item in items:
        text = text_of(item)
        block = block_of(item)
        words = sorted(content_words(text))
        shared = _candidates(postings, [(block, word) for word in words])
        best = next(
            (cid for cid, _ in shared.most_common(MAX_CANDIDATES) if similar(representative[cid], text)), None
        )
        if best is None:
            best = len(clusters)
            clusters.append([])
            representative.append(text)
            for word in words:
                postings[(block, word)].append(best)
        clusters[best].append(item)
    return clusters


def _similar_phrase(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(" ".join(sorted(content_words(a))), " ".join(sorted(content_words(b)))) >= 75


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _claim_words(text: str) -> frozenset[str]:
    return content_words(text) - _ATTRIBUTION_WORDS


def _similar_claim(a: str, b: str) -> bool:
    return _jaccard(_claim_words(a), _claim_words(b)) >= 0.45 or fuzz.token_sort_ratio(a, b) >= 80


def _sources(entries: Iterable[object]) -> list[str]:
    return sorted({s for e in entries for s in e.sources})  # type: ignore[attr-defined]


def _first_citations(entries: Iterable[object], per_source: int = 2) -> list[Citation]:
    """Citations of a cluster, a few per source, without repeats."""
    taken: Counter[str] = Counter()
    seen: set[str] = set()
    citations: list[Citation] = []
    for entry in entries:
        for citation in entry.citations:  # type: ignore[attr-defined]
            if citation.marker in seen or taken[citation.doc_id] >= per_source:
                continue
            seen.add(citation.marker)
            taken[citation.doc_id] += 1
            citations.append(citation)
    return citations


def _best_support(entries: Iterable[object]) -> SupportLevel:
    order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
    return min((e.support for e in entries), key=order.index, default=SupportLevel.unsupported)  # type: ignore[attr-defined]


def _representative(entries: list, text_of: Callable) -> object:
    """The best-supported entry with the shortest text speaks for the cluster."""
    order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
    return min(entries, key=lambda e: (order.index(e.support), len(text_of(e))))


def merge_demands(entries: list[DemandEntry], resolver: PartyResolver) -> list[DemandEntry]:
    for entry in entries:
        entry.party = resolver.resolve(entry.party)
    clusters = greedy_cluster(entries, lambda e: e.demand, lambda e: e.party, _similar_phrase)
    merged = []
    for cluster in clusters:
        best = _representative(cluster, lambda e: e.demand)
        merged.append(
            DemandEntry(
                party=best.party,
                demand=best.demand,
                citations=_first_citations(cluster),
                sources=_sources(cluster),
                support=_best_support(cluster),
            )
        )
    return sorted(merged, key=lambda d: (d.party, -len(d.sources)))


def merge_proposals(entries: list[ProposalEntry], resolver: PartyResolver) -> list[ProposalEntry]:
    clusters = greedy_cluster(entries, lambda e: e.summary, lambda e: 0, _similar_claim)
    merged = []
    for cluster in clusters:
        best = _representative(cluster, lambda e: e.summary)
        backers = [e.proposed_by for e in cluster if e.proposed_by]
        terms = list(dict.fromkeys(t for e in cluster for t in e.terms))[:8]
        merged.append(
            ProposalEntry(
                summary=best.summary,
                proposed_by=backers[0] if backers else None,
                terms=terms,
                citations=_first_citations(cluster),
                sources=_sources(cluster),
                support=_best_support(cluster),
            )
        )
    return sorted(merged, key=lambda p: -len(p.sources))


def merge_claims(reports: list[ClaimReport], resolver: PartyResolver) -> list[ClaimGroup]:
    for report in reports:
        report.speaker_side = resolver.resolve(report.speaker_side)
        if report.speaker_side == UNKNOWN_SIDE:
            report.speaker_side = resolver.index.side_of(report.speaker)
    clusters = greedy_cluster(
        reports, lambda r: r.statement, lambda r: (r.speaker_side, r.negated), _similar_claim
    )
    groups = []
    for cluster in clusters:
        best = _representative(cluster, lambda r: r.statement)
        groups.append(
            ClaimGroup(
                id="",
                statement=best.statement,
                speaker_sides=sorted({r.speaker_side for r in cluster}),
                negated=best.negated,
                reports=cluster,
                sources=_sources(cluster),
            )
        )
    groups.sort(key=lambda g: (-len(g.sources), g.speaker_sides, g.statement))
    for number, group in enumerate(groups, start=1):
        group.id = f"C{number}"
    return groups


def find_contested(groups: list[ClaimGroup], party_words: set[str]) -> list[ContestedPoint]:
    """Pairs of claim groups on the same question with opposite polarity, from different sides."""
    topic: dict[str, set[str]] = {
        g.id: _claim_words(g.statement) - _NEGATION_WORDS - party_words for g in groups
    }
    # Postings by polarity: only claims of opposite polarity can contest each other.
    postings: dict[tuple[bool, str], list[int]] = defaultdict(list)
    for number, group in enumerate(groups):
        for word in sorted(topic[group.id]):
            postings[(group.negated, word)].append(number)
    parent: dict[str, str] = {g.id: g.id for g in groups}

    def root(gid: str) -> str:
        while parent[gid] != gid:
            parent[gid] = parent[parent[gid]]
            gid = parent[gid]
        return gid

    linked: set[str] = set()
    for group in groups:
        words = sorted(topic[group.id])
        shared = _candidates(postings, [(not group.negated, word) for word in words])
        for number, count in shared.most_common(MAX_CANDIDATES):
            other = groups[number]
            if count < 2:
                break
            if (
                set(group.speaker_sides) == set(other.speaker_sides)
                and UNKNOWN_SIDE not in group.speaker_sides
            ):
                continue  # one side contradicting itself is not a contest between sources
            if _jaccard(topic[group.id], topic[other.id]) < 0.2:
                continue
            parent[root(group.id)] = root(other.id)
            linked.update((group.id, other.id))
    points: dict[str, list[ClaimGroup]] = defaultdict(list)
    for group in groups:
        if group.id in linked:
            points[root(group.id)].append(group)
    contested = []
    for members in points.values():
        affirmative = next((g for g in members if not g.negated), members[0])
        positions: dict[tuple[str, bool], list[ClaimGroup]] = defaultdict(list)
        for group in members:
            positions[(group.speaker_sides[0], group.negated)].append(group)
        contested.append(
            ContestedPoint(
                question=affirmative.statement,
                positions=[
                    ContestedPosition(
                        side=side,
                        negated=negated,
                        claim_ids=[g.id for g in gs],
                        statement=gs[0].statement,
                        citations=_first_citations([r for g in gs for r in g.reports]),
                        sources=sorted({s for g in gs for s in g.sources}),
                    )
                    for (side, negated), gs in sorted(positions.items(), key=lambda kv: kv[0][1])
                ],
            )
        )
    return sorted(contested, key=lambda p: -len({s for pos in p.positions for s in pos.sources}))


def _family(quantity: str) -> str:
    """What is counted, without what happened to it: 'money: spending' -> 'money', 'hostages held' ->
    'hostages'. A quantity that is its own family ('hostages') does not say its kind."""
    quantity = quantity.lower().strip()
    return quantity.split(":")[0].strip() if ":" in quantity else quantity.split(" ")[0]


def _by_kind(run: list[GroundedFigure]) -> list[tuple[str, list[GroundedFigure]]]:
    """Split a run of close values of one family by kind ('money: spending' vs 'money: proposal',
    'people killed' vs 'people wounded'); a figure whose kind the text does not say ('money', '133
    hostages can be released') joins the kind nearest in value."""
    kinds: dict[str, list[GroundedFigure]] = defaultdict(list)
    unspecific: list[GroundedFigure] = []
    for figure in run:
        quantity = figure.quantity.lower().strip()
        (unspecific if quantity == _family(quantity) else kinds[quantity]).append(figure)
    if not kinds:
        return [(run[0].quantity.lower().strip(), run)]
    for figure in unspecific:
        nearest = min(kinds, key=lambda k: min(abs(f.value.value - figure.value.value) for f in kinds[k]))
        kinds[nearest].append(figure)
    return sorted(kinds.items())


def merge_figures(figures: list[GroundedFigure]) -> list[FigureComparison]:
    """Group by what is counted, then split into values within 20% of each other (33,175 and 33,207
    are one count; 1,200 killed on one day is another) and, for kinds of one family ('money: ...'),
    by kind. Kept when two or more outlets give it; flagged when their values differ."""
    by_family: dict[str, list[GroundedFigure]] = defaultdict(list)
    for figure in figures:
        by_family[_family(figure.quantity)].append(figure)
    comparisons = []
    for group in by_family.values():
        group.sort(key=lambda f: f.value.value)
        runs: list[list[GroundedFigure]] = []
        for figure in group:
            if runs and figure.value.value <= runs[-1][0].value.value * 1.2:
                runs[-1].append(figure)
            else:
                runs.append([figure])
        for quantity, members in (kind for run in runs for kind in _by_kind(run)):
            per_doc: dict[str, GroundedFigure] = {}
            for figure in sorted(members, key=lambda f: f.value.value):
                per_doc.setdefault(figure.value.doc_id, figure)
            if len(per_doc) < 2:
                continue
            values = [f.value for f in sorted(per_doc.values(), key=lambda f: f.value.doc_id)]
            comparisons.append(
                FigureComparison(
                    quantity=quantity,
                    values=values,
                    discrepancy=len({v.value for v in values}) > 1,
                    sources=sorted(per_doc),
                )
            )
    return sorted(comparisons, key=lambda c: (not c.discrepancy, -len(c.sources), c.quantity))


# ---------------------------------------------------------------------------------------------------
# The brief
# ---------------------------------------------------------------------------------------------------


def source_entry(document: Document) -> SourceDocument:
    return SourceDocument(
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
) -> Brief:
    resolver = PartyResolver(index)
    parties = merge_parties([p for g in grounded for p in g.parties], resolver)
    party_words = {w for p in parties for name in (p.name, *p.aliases) for w in content_words(name)}
    claims = merge_claims([c for g in grounded for c in g.claims], resolver)
    brief = Brief(
        title=title or default_title(documents),
        backend=backend,
        model=model,
        complete=not failed,
        sources=[source_entry(d) for d in documents],
        failed=failed,
        parties=parties,
        demands=merge_demands([d for g in grounded for d in g.demands], resolver),
        proposals=merge_proposals([p for g in grounded for p in g.proposals], resolver),
        claims=claims,
        contested=find_contested(claims, party_words),
        figures=merge_figures([f for g in grounded for f in g.figures]),
        stats=stats,
    )
    brief.coverage = coverage_rows(brief)
    return brief


def default_title(documents: list[Document]) -> str:
    dates = sorted(d.date for d in documents if d.date)
    when = f", {dates[0]}" + (f" to {dates[-1]}" if dates[-1] != dates[0] else "") if dates else ""
    return f"Brief of {len(documents)} article{'s' if len(documents) != 1 else ''}{when}"
