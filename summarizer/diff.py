"""What changed since an earlier brief (``brief --since EARLIER.json``), between the merge and the render.

Ids (C3, Q1, F2) are numbered afresh by every merge and a new source can reword an item (the merge
picks the shortest wording as the statement), so items are matched by what they are, never by id:

* sources by sha256 (same bytes under another name is the same source), then by file name (same name,
  other sha256: "changed"); the rest were added or removed;
* parties by canonical name and aliases: a name of one is the name or an alias of the other;
* claims as the merge groups them: the same report (one source's statement) in both, or, within one
  side and one polarity, propositions at least ``merge.SAME_CLAIM`` alike in meaning (the same
  sentence encoder and centroids as the merge);
* contested points through their claims: a question whose claims match a question's claims is it;
* figures by what they count: the same class of quantity (``FigureComparison.counts``; the label
  may change when an outlet is added), paired first by the values and sources they share;
* demands (per party) and proposals by the merge's own text similarity, or a cited sentence in common.

A matched item that more sources carry now is "more sources for an existing item", not new. An earlier
item without a match is reported as no longer in the brief (a contested point: settled).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from summarizer.analysis import UNKNOWN_SIDE
from summarizer.documents import short_label
from summarizer.embeddings import SentenceEncoder, default_encoder
from summarizer.lexical import content_words, normalise_name
from summarizer.merge import SAME_CLAIM, side_names, similar_claim, similar_phrase
from summarizer.models import (
    Brief,
    BriefChanges,
    ChangeKind,
    Citation,
    ClaimGroup,
    FigureChange,
    FigureComparison,
    MoreSources,
    NewItem,
    PreviousValue,
    RemovedItem,
    SourceChange,
)

# A figure of the earlier brief that shares no source and no value with one of this brief is still the
# same figure when it counts the same thing and its value is within this factor (a death toll rises
# from one day to the next); beyond it, one is taken as gone and the other as new.
FIGURE_DRIFT = 2.0

Matches = dict[int, list[int]]  # index of a current item -> indices of the earlier items it is


@dataclass
class SourceMatch:
    """How the earlier brief's sources map onto this one's."""

    doc_map: dict[str, str] = field(default_factory=dict)  # earlier doc_id -> current doc_id
    added: list[SourceChange] = field(default_factory=list)
    removed: list[SourceChange] = field(default_factory=list)
    changed: list[SourceChange] = field(default_factory=list)

    @property
    def fresh(self) -> set[str]:
        """Sources whose text the earlier brief had not read: added, or changed under their name."""
        return {s.doc_id for s in (*self.added, *self.changed)}

    def current(self, doc_ids: Iterable[str]) -> set[str]:
        """The current names of earlier sources (a removed one keeps its name: it matches nothing)."""
        return {self.doc_map.get(d, d) for d in doc_ids}


def match_sources(previous: Brief, current: Brief) -> SourceMatch:
    match = SourceMatch()
    by_sha = {s.sha256: s for s in current.sources}
    by_id = {s.doc_id: s for s in current.sources}
    taken: set[str] = set()
    # why a source is missing now: by its path, else by its name (an id may be 'A/article.txt')
    failed_at = {f.path: f.reason for f in current.failed}
    failed = {Path(f.path).name: f.reason for f in current.failed}
    unmatched = []
    for old in previous.sources:
        same = by_sha.get(old.sha256)
        if same is not None and same.doc_id not in taken:
            match.doc_map[old.doc_id] = same.doc_id
            taken.add(same.doc_id)
        else:
            unmatched.append(old)
    for old in unmatched:
        same = by_id.get(old.doc_id)
        if same is not None and same.doc_id not in taken:
            match.doc_map[old.doc_id] = same.doc_id
            taken.add(same.doc_id)
            match.changed.append(
                SourceChange(
                    doc_id=same.doc_id,
                    path=same.path,
                    date=same.date,
                    sha256=same.sha256,
                    previous_sha256=old.sha256,
                )  # fmt: skip
            )
        else:  # gone, or given but not included this time (then the brief says why)
            match.removed.append(
                SourceChange(
                    doc_id=old.doc_id,
                    path=old.path,
                    date=old.date,
                    sha256=old.sha256,
                    reason=failed_at.get(old.path) or failed.get(old.doc_id),
                )  # fmt: skip
            )
    match.added = [
        SourceChange(doc_id=s.doc_id, path=s.path, date=s.date, sha256=s.sha256)
        for s in current.sources
        if s.doc_id not in taken
    ]
    return match


# ---------------------------------------------------------------------------------------------------
# Matching, one kind of item at a time
# ---------------------------------------------------------------------------------------------------


def _names(name: str, aliases: Iterable[str]) -> set[str]:
    return {normalise_name(n) for n in (name, *aliases) if n.strip()}


def match_parties(previous: Brief, current: Brief) -> Matches:
    """A party is an earlier one when its name is that one's name or alias, or the other way round."""
    earlier = [(normalise_name(p.name), _names(p.name, p.aliases)) for p in previous.parties]
    matches: Matches = {}
    for i, party in enumerate(current.parties):
        name, names = normalise_name(party.name), _names(party.name, party.aliases)
        found = [
            j for j, (old_name, old_names) in enumerate(earlier) if name in old_names or old_name in names
        ]
        if found:
            matches[i] = found
    return matches


def side_map(previous: Brief, current: Brief, parties: Matches) -> dict[str, str]:
    """Earlier party name (lower case) -> current one, so that sides compare across a renamed party."""
    mapping = {UNKNOWN_SIDE.lower(): UNKNOWN_SIDE.lower()}
    for i, olds in parties.items():
        for j in olds:
            mapping.setdefault(previous.parties[j].name.lower(), current.parties[i].name.lower())
    return mapping


def _statement_key(doc_id: str, statement: str, negated: bool) -> tuple[str, str, bool]:
    return doc_id, " ".join(statement.lower().split()), negated


def _centroids(groups: Sequence[ClaimGroup], vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Each group's mean report vector, unit length, as the merge computes its centroids."""
    centroids = np.stack([np.mean([vectors[r.statement] for r in g.reports], axis=0) for g in groups])
    return centroids / np.linalg.norm(centroids, axis=1, keepdims=True).clip(min=1e-12)


def match_claims(
    previous: Brief, current: Brief, sources: SourceMatch, sides: dict[str, str], encoder: SentenceEncoder
) -> Matches:
    """A claim group is an earlier one when they hold the same report (one source's statement: the
    index of parties can move a report to another side when sources are added); a group holding none
    of the earlier reports is an earlier one when it says the same thing by meaning from the same side
    with the same polarity (the merge's own rule). Best match first."""
    reports: dict[tuple[str, str, bool], set[int]] = defaultdict(set)
    for j, group in enumerate(previous.claims):
        for report in group.reports:
            doc = sources.doc_map.get(report.doc_id)
            if doc is not None:
                reports[_statement_key(doc, report.statement, report.negated)].add(j)
    matches: Matches = {}
    unmatched = []
    for i, group in enumerate(current.claims):
        shared: Counter[int] = Counter()
        for report in group.reports:
            shared.update(reports.get(_statement_key(report.doc_id, report.statement, report.negated), ()))
        if shared:  # the same reports: that is the item, whatever else is close to it in meaning
            matches[i] = sorted(shared, key=lambda j: (-shared[j], j))
        else:
            unmatched.append(i)
    # The rest are compared by meaning with the earlier groups no current group holds a report of
    # (their sources changed or went). Not with the others: the merge already put every claim of a
    # side and polarity within SAME_CLAIM of a group's centroid into that group, so a current group
    # apart from the one holding an earlier group's reports is not that claim by the merge's own rule;
    # and encoding only these (mostly the added sources' claims) keeps the encoder's cost (~7 ms a
    # statement, BENCHMARKS.md) to what changed rather than the whole earlier brief.
    taken = {j for js in matches.values() for j in js}
    orphans = [j for j in range(len(previous.claims)) if j not in taken]
    if not unmatched or not orphans:
        return matches
    others = [current.claims[i] for i in unmatched]
    earlier = [previous.claims[j] for j in orphans]
    statements = list(dict.fromkeys(r.statement for g in (*earlier, *others) for r in g.reports))
    vectors = dict(zip(statements, encoder.encode(statements), strict=True))
    similarity = _centroids(others, vectors) @ _centroids(earlier, vectors).T
    earlier_sides = [{sides.get(s.lower(), s.lower()) for s in g.speaker_sides} for g in earlier]
    for row, i in enumerate(unmatched):
        group = current.claims[i]
        own_sides = {s.lower() for s in group.speaker_sides}
        close = [
            orphans[int(k)]
            for k in np.argsort(-similarity[row], kind="stable")
            if similarity[row, k] >= SAME_CLAIM
            and earlier[int(k)].negated == group.negated
            and earlier_sides[int(k)] & own_sides
        ]
        if close:
            matches[i] = close
    return matches


def match_contested(previous: Brief, current: Brief, claims: Matches) -> Matches:
    """A contested point is an earlier one when one of its claims is one of that point's claims."""
    current_claim = {g.id: i for i, g in enumerate(current.claims)}
    earlier_point: dict[str, int] = {}
    for j, point in enumerate(previous.contested):
        for position in point.positions:
            for claim_id in position.claim_ids:
                earlier_point.setdefault(claim_id, j)
    matches: Matches = {}
    for i, point in enumerate(current.contested):
        found = set()
        for claim_id in (c for p in point.positions for c in p.claim_ids):
            for j in claims.get(current_claim.get(claim_id, -1), []):
                if previous.claims[j].id in earlier_point:
                    found.add(earlier_point[previous.claims[j].id])
        if found:
            matches[i] = sorted(found)
    return matches


def _median(figure: FigureComparison) -> float:
    return float(np.median([v.value for v in figure.values]))


def match_figures(previous: Brief, current: Brief, sources: SourceMatch) -> Matches:
    """Figures count the same thing (the same quantity); among several of one quantity, pairs that share
    values from the same sources go first, then those sharing sources, then the closest in value."""
    candidates = []
    for i, figure in enumerate(current.figures):
        pairs = {(v.doc_id, v.value) for v in figure.values}
        docs = {v.doc_id for v in figure.values}
        for j, old in enumerate(previous.figures):
            old_pairs = {(sources.doc_map.get(v.doc_id, v.doc_id), v.value) for v in old.values}
            if (old.counts or old.quantity).strip().lower() != (
                figure.counts or figure.quantity
            ).strip().lower():
                continue
            shared_docs = len(docs & sources.current(v.doc_id for v in old.values))
            a, b = _median(figure), _median(old)
            drift = abs(math.log(a / b)) if a > 0 and b > 0 else math.inf
            if not shared_docs and drift > math.log(FIGURE_DRIFT):
                continue
            candidates.append(((-len(pairs & old_pairs), -shared_docs, drift, i, j), i, j))
    matches: Matches = {}
    used: set[int] = set()
    for _, i, j in sorted(candidates):  # one to one, best pairs first
        if i not in matches and j not in used:
            matches[i] = [j]
            used.add(j)
    return matches


def _match_by_text(
    earlier: Sequence[object],
    now: Sequence[object],
    text_of: Callable[[object], str],
    blocks: tuple[Callable[[object], str], Callable[[object], str]],
    similar: Callable[[str, str], bool],
    sources: SourceMatch,
) -> Matches:
    """Demands and proposals: the same block (a demand's party) and the merge's text similarity, or a
    cited sentence in common (the same source's sentence; a wording the merge chose anew)."""
    earlier_block, block_of = blocks  # the earlier one names parties as the earlier brief did
    quotes: dict[tuple[str, str], set[int]] = defaultdict(set)
    postings: dict[tuple[str, str], set[int]] = defaultdict(set)
    for j, item in enumerate(earlier):
        for citation in item.citations:
            doc = sources.doc_map.get(citation.doc_id)
            if doc is not None:
                quotes[(doc, citation.text)].add(j)
        for word in content_words(text_of(item)):  # compare only items that share a word
            postings[(earlier_block(item), word)].add(j)
    matches: Matches = {}
    for i, item in enumerate(now):
        block, text = block_of(item), text_of(item)
        words = {j for w in content_words(text) for j in postings.get((block, w), ())}
        found = {j for j in words if similar(text_of(earlier[j]), text)}
        if not found:
            for citation in item.citations:
                found |= {
                    j
                    for j in quotes.get((citation.doc_id, citation.text), ())
                    if earlier_block(earlier[j]) == block
                }
        if found:
            matches[i] = sorted(found)
    return matches


# ---------------------------------------------------------------------------------------------------
# The changes
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Kind:
    """How to read one kind of item for the report."""

    kind: ChangeKind
    ref: Callable[[object], str]
    text: Callable[[object], str]
    sources: Callable[[object], list[str]]
    citations: Callable[[object], list[Citation]]


def _claim_citations(group: ClaimGroup) -> list[Citation]:
    return [c for r in group.reports for c in r.citations]


def _one_per_source(citations: Iterable[Citation]) -> list[Citation]:
    """The first citation of each source: enough to check the item, and the diff stays short."""
    first: dict[str, Citation] = {}
    for citation in citations:
        first.setdefault(citation.doc_id, citation)
    return list(first.values())


def _contested_text(point: object) -> str:
    return point.question


KINDS = {
    ChangeKind.party: _Kind(
        ChangeKind.party, lambda p: p.name, lambda p: f"{p.name} ({p.role.value.replace('_', ' ')})",
        lambda p: p.sources, lambda p: p.citations,
    ),
    ChangeKind.claim: _Kind(
        ChangeKind.claim, lambda g: g.id,
        lambda g: f"{side_names(g.speaker_sides)}{' (denies)' if g.negated else ''}: {g.statement}",
        lambda g: g.sources, _claim_citations,
    ),
    ChangeKind.demand: _Kind(
        ChangeKind.demand, lambda d: f"{d.party}: {d.demand}", lambda d: f"{d.party}: {d.demand}",
        lambda d: d.sources, lambda d: d.citations,
    ),
    ChangeKind.proposal: _Kind(
        ChangeKind.proposal, lambda p: p.id, lambda p: p.summary, lambda p: p.sources, lambda p: p.citations
    ),
    ChangeKind.figure: _Kind(
        ChangeKind.figure, lambda f: f.id,
        lambda f: f"{f.quantity}: " + "; ".join(f"{v.text} ({short_label(v.doc_id)})" for v in f.values),
        lambda f: f.sources, lambda f: [v.citation for v in f.values],
    ),
    ChangeKind.contested: _Kind(
        ChangeKind.contested, lambda q: q.id, _contested_text,
        lambda q: sorted({s for p in q.positions for s in p.sources}),
        lambda q: [c for p in q.positions for c in p.citations],
    ),
}  # fmt: skip


def _position_note(point: object, earlier: list[object], sides: dict[str, str], fresh: set[str]) -> str:
    """A contested point's sides that none of its earlier matches had, taken by a source the earlier
    brief had not read (not an earlier claim that the merge now pairs with this question)."""
    before = {
        (sides.get(p.side.lower(), p.side.lower()), p.negated) for old in earlier for p in old.positions
    }
    fresh = [
        f"{p.side} {p.stance}"
        for p in point.positions
        if (p.side.lower(), p.negated) not in before and set(p.sources) & fresh
    ]
    return f"new position: {'; '.join(fresh)}" if fresh else ""


def _compare(
    kind: ChangeKind,
    earlier: Sequence[object],
    now: Sequence[object],
    matches: Matches,
    sources: SourceMatch,
    changes: BriefChanges,
    note: Callable[[object, list[object]], str] | None = None,
    skip_more: set[int] = frozenset(),
) -> None:
    read = KINDS[kind]
    fresh = sources.fresh
    for i, item in enumerate(now):
        if i not in matches:
            changes.new.append(
                NewItem(
                    kind=kind,
                    ref=read.ref(item),
                    text=read.text(item),
                    sources=read.sources(item),
                    citations=_one_per_source(read.citations(item)),
                )  # fmt: skip
            )
            continue
        olds = [earlier[j] for j in matches[i]]
        before = sources.current(s for old in olds for s in read.sources(old))
        # Only sources the earlier brief had not read are news: a source it had read that the merge now
        # groups with this item (claims regrouped as sources were added) tells the reader nothing new.
        added = [s for s in read.sources(item) if s not in before and s in fresh]
        extra = note(item, olds) if note else ""
        if (added or extra) and i not in skip_more:
            changes.more_sources.append(
                MoreSources(
                    kind=kind,
                    ref=read.ref(item),
                    previous_ref=read.ref(olds[0]),
                    text=read.text(item),
                    added_sources=added,
                    note=extra,
                    citations=_one_per_source(c for c in read.citations(item) if c.doc_id in added),
                )  # fmt: skip
            )
    kept = {j for js in matches.values() for j in js}
    for j, old in enumerate(earlier):
        if j not in kept:
            changes.removed.append(
                RemovedItem(
                    kind=kind,
                    previous_ref=read.ref(old),
                    text=read.text(old),
                    previous_sources=read.sources(old),
                )  # fmt: skip
            )


def _figure_changes(
    previous: Brief, current: Brief, matches: Matches, sources: SourceMatch
) -> dict[int, FigureChange]:
    """Matched figures whose values differ now: a source gives another value, or the set of values
    is not the same (a new source gives a new one, the only source of one is gone)."""
    changed = {}
    for i, js in matches.items():
        figure, old = current.figures[i], previous.figures[js[0]]
        before = {sources.doc_map.get(v.doc_id, v.doc_id): v.value for v in old.values}
        after = {v.doc_id: v.value for v in figure.values}
        moved = any(before[d] != after[d] for d in before.keys() & after.keys())
        if moved or set(before.values()) != set(after.values()):
            changed[i] = FigureChange(
                ref=figure.id,
                previous_ref=old.id,
                quantity=figure.quantity,
                before=[
                    PreviousValue(
                        doc_id=v.doc_id,
                        value=v.value,
                        text=v.text,
                        line=v.citation.line,
                        quote=v.citation.text,
                    )  # fmt: skip
                    for v in old.values
                ],
                after=figure.values,
            )
    return changed


def since_label(previous: Brief) -> str:
    """The date of the earlier brief, for the heading: when it was made (its stats say, since briefs
    record it); for an older brief without that, the newest article date it covered."""
    made = previous.stats.made_at
    if made:
        return made.replace("T", " ")[:16] + " UTC"
    dates = sorted(s.date for s in previous.sources if s.date)
    if dates:
        return f"the brief of articles up to {dates[-1]}"
    return "the earlier brief"


def compare_briefs(previous: Brief, current: Brief, encoder: SentenceEncoder | None = None) -> BriefChanges:
    """What ``current`` holds that ``previous`` did not, and the other way round, matched by meaning."""
    sources = match_sources(previous, current)
    changes = BriefChanges(
        since=since_label(previous),
        previous_title=previous.title,
        previous_made_at=previous.stats.made_at,
        previous_sources=len(previous.sources),
        sources_added=sources.added,
        sources_removed=sources.removed,
        sources_changed=sources.changed,
    )
    parties = match_parties(previous, current)
    sides = side_map(previous, current, parties)
    claims = match_claims(previous, current, sources, sides, encoder or default_encoder())
    figures = match_figures(previous, current, sources)
    changed_figures = _figure_changes(previous, current, figures, sources)
    changes.figures_changed = list(changed_figures.values())

    def earlier_party(d: object) -> str:
        return sides.get(d.party.lower(), d.party.lower())

    def party(d: object) -> str:
        return d.party.lower()

    _compare(ChangeKind.claim, previous.claims, current.claims, claims, sources, changes)
    _compare(ChangeKind.party, previous.parties, current.parties, parties, sources, changes)
    _compare(
        ChangeKind.contested, previous.contested, current.contested,
        match_contested(previous, current, claims), sources, changes,
        note=lambda point, olds: _position_note(point, olds, sides, sources.fresh),
    )  # fmt: skip
    _compare(ChangeKind.figure, previous.figures, current.figures, figures, sources, changes,
             skip_more=set(changed_figures))  # fmt: skip
    demands = _match_by_text(
        previous.demands,
        current.demands,
        lambda d: d.demand,
        (earlier_party, party),
        similar_phrase,
        sources,
    )
    _compare(ChangeKind.demand, previous.demands, current.demands, demands, sources, changes)
    proposals = _match_by_text(
        previous.proposals,
        current.proposals,
        lambda p: p.summary,
        (lambda p: "", lambda p: ""),
        similar_claim,
        sources,
    )
    _compare(ChangeKind.proposal, previous.proposals, current.proposals, proposals, sources, changes)
    return changes
