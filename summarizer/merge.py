"""Step 5 of the data flow: merge the grounded documents into one ``Brief``, deterministically.

* parties: names and aliases resolved to one canonical party (country demonyms, parenthetical
  aliases, learned affiliations, fuzzy name match);
* claims: merged by meaning (sentence embeddings of their propositions) within one side and one
  polarity, each merged claim listing every source that carries it;
* contested points: questions the sides answer differently, each side's position with its sources;
* demands and proposals: clustered by text similarity (greedy, with an inverted index over content
  words so that an item is compared only with the clusters that share a word with it);
* figures: one quantity as given by several outlets, discrepancies flagged;
* key points that open the brief, and coverage: which source reports which item;
* voices: articles that republish one text (wire copy, ``duplicates.py``) count once in the counts
  and the ranking of claims and contested points.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from summarizer.analysis import UNKNOWN_SIDE, PartyIndex
from summarizer.documents import Document
from summarizer.duplicates import Voices, find_copies
from summarizer.embeddings import Encoder, default_encoder
from summarizer.ground import GroundedDocument, GroundedFigure
from summarizer.lexical import content_words
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
    KeyPoint,
    KeyPointKind,
    PartyEntry,
    PartyRole,
    ProposalEntry,
    RepublishedText,
    RunStats,
    SkippedText,
    SourceDocument,
    SupportLevel,
)
from summarizer.naming import SourceNames
from summarizer.vocabulary import ATTRIBUTION_WORDS, SENTENCE_OPENERS

T = TypeVar("T")
MAX_CANDIDATES = 10  # clusters compared per item, the ones sharing the most words
MAX_POSTINGS = 200  # a word in more clusters than this is too common to find candidates with

# Text similarities (rapidfuzz, 0-100) and word overlaps (Jaccard, 0-1) at which two texts say the same.
# All four were set by hand with the first merge and have not been measured since (the claims' own
# threshold, SAME_CLAIM below, was): they are named here so that a measurement has one place to change.
# A name the party index does not know is a known party's when their word sets nearly match ('Israeli
# military' and 'Israeli military spokesman'): token_set_ratio 90.
SAME_PARTY_NAME = 90
# Two demands of one party are one demand when their content words, sorted, match this well.
SAME_DEMAND = 75
# Two proposals are one when they share this share of their content words (attribution words left
# out) or are worded this alike (token_sort_ratio): one outlet's summary against another's.
SAME_PROPOSAL_WORDS = 0.45
SAME_PROPOSAL_WORDING = 80
# Values of one quantity within 20% of each other are one count given differently (33,175 and 33,207
# killed); further apart they count different things (1,200 killed on one day).
SAME_COUNT_RATIO = 1.2


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
            match = process.extractOne(
                name, self.known, scorer=fuzz.token_set_ratio, score_cutoff=SAME_PARTY_NAME
            )
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
    left, right = " ".join(sorted(content_words(a))), " ".join(sorted(content_words(b)))
    return fuzz.token_set_ratio(left, right) >= SAME_DEMAND


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _claim_words(text: str) -> frozenset[str]:
    return content_words(text) - ATTRIBUTION_WORDS


def _similar_claim(a: str, b: str) -> bool:
    return (
        _jaccard(_claim_words(a), _claim_words(b)) >= SAME_PROPOSAL_WORDS
        or fuzz.token_sort_ratio(a, b) >= SAME_PROPOSAL_WORDING
    )


def _place(citation: Citation) -> tuple[str, int, int]:
    """Where a citation points, whatever its marker: the same sentence cited by two items is one place."""
    return (citation.doc_id, citation.start, citation.end)


def _sources(entries: Iterable[object]) -> list[str]:
    return sorted({s for e in entries for s in e.sources})


def _first_citations(entries: Iterable[object], per_source: int = 2) -> list[Citation]:
    """Citations of a cluster, a few per source, without repeats."""
    taken: Counter[str] = Counter()
    seen: set[str] = set()
    citations: list[Citation] = []
    for entry in entries:
        for citation in entry.citations:
            if citation.marker in seen or taken[citation.doc_id] >= per_source:
                continue
            seen.add(citation.marker)
            taken[citation.doc_id] += 1
            citations.append(citation)
    return citations


def _best_support(entries: Iterable[object]) -> SupportLevel:
    order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
    return min((e.support for e in entries), key=order.index, default=SupportLevel.unsupported)


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


# Cosine similarity of two claims' propositions (all-MiniLM-L6-v2) at or above which they say the same
# thing, within one side and one polarity. Measured (bench/claim_similarity.py): paraphrases of one
# claim by different outlets have a median of 0.62; different claims of one story 0.27 (95% below 0.58).
# Side and polarity are separate gates, which is what lets the threshold sit lower than 0.6: the vectors
# measure topic, so 'no progress' and 'some progress' score 0.83, and one side's denials of progress
# ('nothing new to report', 'no progress was made on Sunday') score 0.4-0.65 with each other.
SAME_CLAIM = 0.56
# Claims of different sides and opposite polarity this close are answers to one question. On the gold
# clusters the questions the annotators list pair at 0.63-0.89; loose pairs ('there will be no truce
# until …' against 'in return, Israel would release 700 prisoners') sit at 0.45-0.54.
SAME_QUESTION = 0.55


def _cluster_by_meaning(vectors: np.ndarray, blocks: list[Hashable], threshold: float) -> list[list[int]]:
    """Greedy clustering in input order (deterministic): each item joins the most similar cluster of its
    block whose centroid is at least ``threshold`` similar in cosine, else starts one."""
    clusters: list[list[int]] = []
    centroids: list[np.ndarray] = []
    by_block: dict[Hashable, list[int]] = defaultdict(list)
    for item, block in enumerate(blocks):
        candidates = by_block[block]
        best, best_score = None, threshold
        if candidates:
            scores = np.stack([centroids[c] for c in candidates]) @ vectors[item]
            for position in np.argsort(-scores, kind="stable"):
                if scores[position] < best_score:
                    break
                if _close_to_all(vectors, clusters[candidates[position]], [item]):
                    best = candidates[position]
                    break
        if best is None:
            by_block[block].append(len(clusters))
            clusters.append([item])
            centroids.append(vectors[item].copy())
            continue
        clusters[best].append(item)
        centroid = vectors[clusters[best]].mean(axis=0)
        centroids[best] = centroid / (np.linalg.norm(centroid) or 1.0)
    # Then clusters of a block whose centroids meet: two outlets' wordings of one claim can each be
    # nearer to a third wording than to each other, and the order of arrival must not split them.
    merged: list[list[int]] = []
    for members in by_block.values():
        merged += _join_close_clusters([clusters[c] for c in members], vectors, threshold)
    return sorted(merged, key=min)


# No two members of one merged claim are further apart than this: a centroid drifts towards the
# topic ('the talks') and would otherwise chain claims that only share it. 0.35 measured on the gold
# clusters: the five outlets' 'no progress' stays one claim (at 0.40 it splits), and an outlet's
# 'delegations left' no longer joins another's 'some progress was made'.
MIN_MEMBER_SIMILARITY = 0.35


def _close_to_all(vectors: np.ndarray, members: list[int], others: list[int]) -> bool:
    return bool((vectors[members] @ vectors[others].T).min() >= MIN_MEMBER_SIMILARITY)


MAX_JOIN = 400  # clusters per block joined pairwise; beyond that (thousands of claims) the greedy pass stands


def _join_close_clusters(clusters: list[list[int]], vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Join the two closest clusters while their centroids are at least ``threshold`` similar."""
    if len(clusters) < 2 or len(clusters) > MAX_JOIN:
        return clusters
    clusters = [list(c) for c in clusters]
    while True:
        centroids = np.stack([vectors[c].mean(axis=0) for c in clusters])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True).clip(min=1e-12)
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -1.0)
        for i, j in zip(
            *np.unravel_index(np.argsort(-similarity, axis=None, kind="stable"), similarity.shape),
            strict=True,
        ):
            if similarity[i, j] < threshold:
                return clusters
            if _close_to_all(vectors, clusters[i], clusters[j]):
                break
        else:
            return clusters
        first, second = min(i, j), max(i, j)
        clusters[first] = sorted(clusters[first] + clusters.pop(second))


def _paragraphs_of_demands(reports: list[ClaimReport], restates: list[bool]) -> list[list[int]]:
    """The reports that restate their side's demands, one group per side and paragraph: a paragraph's
    restatement is one claim however many sentences it takes; demands restated in different paragraphs
    stay apart (they are often different demands)."""
    by_paragraph: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for i, restated in enumerate(restates):
        if restated:
            first = reports[i].citations[0]
            by_paragraph[(reports[i].speaker_side, first.doc_id, first.line)].append(i)
    return list(by_paragraph.values())


def merge_claims(
    reports: list[ClaimReport],
    resolver: PartyResolver,
    encoder: Encoder,
    voices: Voices | None = None,
    demands: Iterable[DemandEntry] = (),
    context: Callable[[ClaimReport], str] | None = None,
) -> tuple[list[ClaimGroup], dict[str, np.ndarray]]:
    """One group per proposition: reports that say the same thing by meaning, from the same side and
    with the same polarity, whichever outlet carries them. Reports of one paragraph that only restate
    their own side's demands (every sentence they cite is one of that side's ``demands``, parties
    resolved) are one claim, "what X demands", whatever their wording: the Demands section lists the
    demands one by one. ``context`` gives the text a report's meaning is read with, before its
    statement (see AnaphoraContext). Returns the groups (most independent voices first) and their
    centroids."""
    voices = voices or Voices()
    for report in reports:
        report.speaker_side = resolver.resolve(report.speaker_side)
        if report.speaker_side == UNKNOWN_SIDE:
            report.speaker_side = resolver.index.side_of(report.speaker)
    if not reports:
        return [], {}
    demanded = Counter((d.party, _place(c)) for d in demands for c in d.citations)
    restates = [
        r.speaker_side != UNKNOWN_SIDE
        and bool(r.citations)
        and all((r.speaker_side, _place(c)) in demanded for c in r.citations)
        for r in reports
    ]
    meaning = [(context(r) if context else "") + r.statement for r in reports]
    distinct = list(dict.fromkeys(meaning))  # wire copy repeats statements verbatim
    row = {text: number for number, text in enumerate(distinct)}
    vectors = encoder.encode(distinct)[[row[text] for text in meaning]]
    others = [i for i, restated in enumerate(restates) if not restated]
    clusters = [
        [others[i] for i in members]
        for members in _cluster_by_meaning(
            vectors[others], [(reports[i].speaker_side, reports[i].negated) for i in others], SAME_CLAIM
        )
    ]
    clusters = sorted(clusters + _paragraphs_of_demands(reports, restates), key=min)
    groups = []
    centroids = []
    for members in clusters:
        cluster = [reports[i] for i in members]
        if restates[members[0]]:  # the sentence that carries most of the side's demands speaks for them
            best = max(cluster, key=lambda r: sum(demanded[(r.speaker_side, _place(c))] for c in r.citations))
        else:  # a report that points back ('These steps …') does not speak for the others
            whole = [reports[i] for i in members if meaning[i] == reports[i].statement]
            best = _representative(whole or cluster, lambda r: r.statement)
        groups.append(
            ClaimGroup(
                id="",
                statement=best.statement,
                speaker_sides=sorted({r.speaker_side for r in cluster}),
                negated=best.negated,
                reports=cluster,
                sources=_sources(cluster),
                voices=voices.count(_sources(cluster)),
            )
        )
        centroid = vectors[members].mean(axis=0)
        centroids.append(centroid / (np.linalg.norm(centroid) or 1.0))
    order = sorted(
        range(len(groups)),
        key=lambda i: (-groups[i].voices, groups[i].speaker_sides, groups[i].statement),
    )
    groups = [groups[i] for i in order]
    by_id = {}
    for number, position in enumerate(order, start=1):
        groups[number - 1].id = f"C{number}"
        by_id[f"C{number}"] = centroids[position]
    return groups, by_id


def question_for(statement: str) -> str:
    """A contested point's question, composed from the affirmative claim without new words beyond
    'Whether' (or 'For or against' for a proposal): the claim itself is what the sides disagree on."""
    text = statement.strip().strip('“”"').rstrip(".")
    first = text.split(" ", 1)[0]
    if first.endswith("ing") and first[:1].islower():  # a proposal: 'increasing the corporate tax rate'
        return f"For or against {text}"
    if first.lower() in SENTENCE_OPENERS:  # 'Whether a truce…', but 'Whether Israel…', 'Whether US…'
        text = first.lower() + text[len(first) :]
    return f"Whether {text}"


def find_contested(
    groups: list[ClaimGroup], centroids: dict[str, np.ndarray], voices: Voices | None = None
) -> list[ContestedPoint]:
    """Questions the sources answer differently: merged claims of different sides, with opposite
    polarity, about the same thing (their propositions within SAME_QUESTION in meaning). Every side's
    position on the question is kept, with its sources and quotes."""
    known = [g for g in groups if UNKNOWN_SIDE not in g.speaker_sides or len(g.speaker_sides) > 1]
    # A question is seeded by the closest pair of opposite claims from different sides; it takes every
    # other merged claim close to both (a clique, not a chain: A~B and B~C does not put A with C).
    pairs = []
    similarity = np.zeros((0, 0))
    if known:
        matrix = np.stack([centroids[g.id] for g in known])
        similarity = matrix @ matrix.T
        for i, group in enumerate(known):
            for j in range(i + 1, len(known)):
                other = known[j]
                if group.negated == other.negated or similarity[i, j] < SAME_QUESTION:
                    continue
                if set(group.speaker_sides) & set(other.speaker_sides):
                    continue  # one side contradicting itself is not a contest between sources
                pairs.append((-float(similarity[i, j]), i, j))
    used: set[int] = set()
    questions: list[list[ClaimGroup]] = []
    for _, i, j in sorted(pairs):
        if i in used or j in used:
            continue
        members = [i, j]
        stances = {(side, known[m].negated) for m in members for side in known[m].speaker_sides}
        for k in range(len(known)):
            if k in (i, j) or k in used:
                continue
            if similarity[k, i] < SAME_QUESTION or similarity[k, j] < SAME_QUESTION:
                continue
            if any((side, not known[k].negated) in stances for side in known[k].speaker_sides):
                continue  # a side that both asserts and denies it: that claim answers another question
            members.append(k)
            stances |= {(side, known[k].negated) for side in known[k].speaker_sides}
        used.update(members)
        questions.append([known[k] for k in members])
    contested = []
    for members in questions:
        affirmative = max(
            (g for g in members if not g.negated), key=lambda g: len(g.sources), default=members[0]
        )
        positions: dict[tuple[str, bool], list[ClaimGroup]] = defaultdict(list)
        for group in members:
            positions[(group.speaker_sides[0], group.negated)].append(group)
        contested.append(
            ContestedPoint(
                question=question_for(affirmative.statement),
                positions=[
                    ContestedPosition(
                        side=side,
                        negated=negated,
                        claim_ids=[g.id for g in gs],
                        statement=max(gs, key=lambda g: len(g.sources)).statement,
                        citations=_first_citations([r for g in gs for r in g.reports]),
                        sources=sorted({s for g in gs for s in g.sources}),
                    )
                    for (side, negated), gs in sorted(positions.items(), key=lambda kv: (kv[0][1], kv[0][0]))
                ],
            )
        )
    count = (voices or Voices()).count
    contested.sort(key=lambda p: (-count({s for pos in p.positions for s in pos.sources}), p.question))
    for number, point in enumerate(contested, start=1):
        point.id = f"Q{number}"
    return contested


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
            if runs and figure.value.value <= runs[-1][0].value.value * SAME_COUNT_RATIO:
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


_ANAPHORIC_OPENING = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:they|them|their|it|its|this|these|those|such)\b", re.IGNORECASE
)


class AnaphoraContext:
    """The sentence before a claim that opens by pointing back ('On their return, they will agree',
    'These steps took precedence'), to read the claim's meaning with: on its own such a claim says
    little the sentence model can place, next to what it points at it meets the outlets that spell
    it out."""

    def __init__(self, documents: list[Document]):
        self.documents = {d.doc_id: d for d in documents}

    def __call__(self, report: ClaimReport) -> str:
        if not report.citations or not _ANAPHORIC_OPENING.match(report.statement):
            return ""
        first = report.citations[0]
        document = self.documents.get(first.doc_id)
        if document is None or not 1 < first.sentence <= len(document.sentences):
            return ""
        previous = document.sentence(first.sentence - 1)
        return previous.text + " " if previous.citable else ""


def without_figure_statements(
    reports: list[ClaimReport], figures: list[FigureComparison]
) -> list[ClaimReport]:
    """The reports less those that are only a count the Figures section compares ('Some 33,207 people
    have been killed', the number as its subject): every sentence such a report cites gives one of the
    compared values, and it opens with that value. The figure's row shows it with its source and
    attribution; as a claim too it would be said twice. A claim that merely contains a number ('no
    truce until the 133 hostages return') stays."""
    values: dict[tuple[str, int, int], list[str]] = defaultdict(list)  # where a value is cited -> its texts
    for figure in figures:
        for value in figure.values:
            if value.text.strip():
                values[_place(value.citation)].append(value.text.strip().lower())

    def states_a_figure(report: ClaimReport) -> bool:
        opening = report.statement.strip().strip("“”\"'").lower()
        return bool(report.citations) and all(
            any(opening.startswith(text) for text in values.get(_place(c), [])) for c in report.citations
        )

    return [r for r in reports if not states_a_figure(r)]


# ---------------------------------------------------------------------------------------------------
# The brief
# ---------------------------------------------------------------------------------------------------


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


MAX_KEY_POINTS = 8


def side_names(sides: list[str]) -> str:
    """The named sides of a claim, for a reader: 'Unnamed sources' when none is known."""
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
        citations = _first_citations(group.reports, per_source=1)
        points.append(
            KeyPoint(
                kind=KeyPointKind.claim,
                ref=group.id,
                text=f"{side_names(group.speaker_sides)}: {group.statement} "
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
    names = SourceNames.of(brief.sources)
    for figure in [f for f in brief.figures if f.discrepancy][:1]:
        values = "; ".join(f"{v.text} ({names.inline(v.doc_id)})" for v in figure.values)
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
    demand_entries = [d for g in grounded for d in g.demands]
    demands = merge_demands(demand_entries, resolver)  # resolves the entries' parties too
    figures = merge_figures([f for g in grounded for f in g.figures])
    for number, figure in enumerate(figures, start=1):
        figure.id = f"F{number}"
    reports = without_figure_statements([c for g in grounded for c in g.claims], figures)
    claims, centroids = merge_claims(
        reports,
        resolver,
        encoder or default_encoder(),
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
