"""Claims: reports merged by meaning within one side and one polarity, each listing every source."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from summarizer.analysis import UNKNOWN_SIDE
from summarizer.documents import Document
from summarizer.duplicates import Voices
from summarizer.embeddings import Encoder
from summarizer.merge.clustering import best_entry, citation_place, cluster_by_meaning, sources_of
from summarizer.merge.parties import PartyResolver
from summarizer.models import (
    ClaimGroup,
    ClaimReport,
    DemandEntry,
    FigureComparison,
)

# Cosine similarity of two claims' propositions (all-MiniLM-L6-v2) at or above which they say the same
# thing, within one side and one polarity. Measured (bench/claim_similarity.py): paraphrases of one
# claim by different outlets have a median of 0.62; different claims of one story 0.27 (95% below 0.58).
# Side and polarity are separate gates, which is what lets the threshold sit lower than 0.6: the vectors
# measure topic, so 'no progress' and 'some progress' score 0.83, and one side's denials of progress
# ('nothing new to report', 'no progress was made on Sunday') score 0.4-0.65 with each other.
SAME_CLAIM = 0.56


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


def _with_side(report: ClaimReport, resolver: PartyResolver) -> ClaimReport:
    """A copy of the report with its speaker's side resolved to a canonical party."""
    side = resolver.resolve(report.speaker_side)
    if side == UNKNOWN_SIDE:
        side = resolver.index.side_of(report.speaker)
    return report.model_copy(update={"speaker_side": side})


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
    reports = [_with_side(report, resolver) for report in reports]
    if not reports:
        return [], {}
    demanded = Counter((d.party, citation_place(c)) for d in demands for c in d.citations)
    restates = [
        r.speaker_side != UNKNOWN_SIDE
        and bool(r.citations)
        and all((r.speaker_side, citation_place(c)) in demanded for c in r.citations)
        for r in reports
    ]
    meaning = [(context(r) if context else "") + r.statement for r in reports]
    distinct = list(dict.fromkeys(meaning))  # wire copy repeats statements verbatim
    row = {text: number for number, text in enumerate(distinct)}
    vectors = encoder.encode(distinct)[[row[text] for text in meaning]]
    others = [i for i, restated in enumerate(restates) if not restated]
    clusters = [
        [others[i] for i in members]
        for members in cluster_by_meaning(
            vectors[others], [(reports[i].speaker_side, reports[i].negated) for i in others], SAME_CLAIM
        )
    ]
    clusters = sorted(clusters + _paragraphs_of_demands(reports, restates), key=min)
    groups = []
    centroids = []
    for members in clusters:
        cluster = [reports[i] for i in members]
        if restates[members[0]]:  # the sentence that carries most of the side's demands speaks for them
            best = max(
                cluster, key=lambda r: sum(demanded[(r.speaker_side, citation_place(c))] for c in r.citations)
            )
        else:  # a report that points back ('These steps …') does not speak for the others
            whole = [reports[i] for i in members if meaning[i] == reports[i].statement]
            best = best_entry(whole or cluster, lambda r: r.statement)
        groups.append(
            ClaimGroup(
                id="",
                statement=best.statement,
                speaker_sides=sorted({r.speaker_side for r in cluster}),
                negated=best.negated,
                reports=cluster,
                sources=sources_of(cluster),
                voices=voices.count(sources_of(cluster)),
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
                values[citation_place(value.citation)].append(value.text.strip().lower())

    def states_a_figure(report: ClaimReport) -> bool:
        opening = report.statement.strip().strip("“”\"'").lower()
        return bool(report.citations) and all(
            any(opening.startswith(text) for text in values.get(citation_place(c), []))
            for c in report.citations
        )

    return [r for r in reports if not states_a_figure(r)]
