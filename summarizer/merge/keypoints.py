"""Key points that open the brief, composed from its checked items only.

Each bullet stands for one item of the brief (a contested point, a claim, a figure row) and says
nothing its item does not: a contested point's question and each side's answer; a claim as its
speaker's side and its proposition; a figure row whose exact values disagree. Every bullet must be
readable alone and say something new:

* a claim is a key point only when several independent sources carry it, and its proposition is a
  complete clause (a subject and a finite verb of its own: 'will open up more funding' is a fragment)
  with some words to it ('-' is not a point);
* a claim already shown as a contested position, or whose sentences make the lead, is not repeated;
* a claim closer than ``SAME_POINT`` in meaning to a bullet above it says the same thing twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from summarizer.analysis import UNKNOWN_SIDE
from summarizer.analysis.propositions import Proposition
from summarizer.duplicates import Voices
from summarizer.lexical import content_words
from summarizer.merge.clustering import first_citations
from summarizer.merge.speakers import one_person, readable_description
from summarizer.models import Brief, Citation, ClaimGroup, FigureComparison, KeyPoint, KeyPointKind
from summarizer.naming import SourceNames

MAX_KEY_POINTS = 8
# Numbers written with a qualifier are not exact: 'around 130' agrees with 133.
_QUALIFIED = re.compile(
    r"^(?:about|around|some|nearly|almost|roughly|approximately|more than|over|at least|up to|fewer than|"
    r"less than|under|close to|as many as|upwards of)\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"[\d$%.,]+")
MAX_CONTESTED = 2
# Two claims closer than this in meaning (cosine of their centroids) are one point said twice; the
# merge keeps such claims apart only when their sides or polarity differ.
SAME_POINT = 0.75
# A statement of fewer words is not a point ('-', 'It is').
MIN_WORDS = 4
_WORD = re.compile(r"[A-Za-z]{2,}")


def speaker_of(group: ClaimGroup) -> str | None:
    """Who says it: the one person who does, or the sides; for unnamed speakers a description that
    reads alone. None when the brief cannot say who."""
    speakers = [r.speaker for r in group.reports]
    person = one_person(speakers)
    if person:
        return person
    named = [s for s in group.speaker_sides if s != UNKNOWN_SIDE]
    if named:
        return ", ".join(named)
    # No side: the reports may be of several unnamed speakers merged by meaning, so the bullet names
    # the one whose words it shows, if a reader can take that speaker alone ('An unnamed official').
    shown = [r.speaker for r in group.reports if r.statement == group.statement][:1]
    return readable_description(shown)


def _readable(group: ClaimGroup, proposition: Proposition | None) -> bool:
    words = _WORD.findall(group.statement)
    return len(words) >= MIN_WORDS and proposition is not None and proposition.complete


def statement_first(group: ClaimGroup) -> list[Citation]:
    """One citation per source, the one that says the statement shown first: a reader who opens the
    first marker reads the words of the bullet, not another outlet's wording of it."""
    reports = sorted(group.reports, key=lambda r: r.statement != group.statement)
    return first_citations(reports, per_source=1)


def plainly_differ(figure: FigureComparison) -> bool:
    """A figure row fit to open the brief: exact values that disagree (no 'around', 'more than' on
    either), in sentences that speak of the same thing (half their words in common, numbers aside).
    The Figures section shows every row; the first screen only the plain ones."""
    exact = [v for v in figure.values if not _QUALIFIED.match(v.text.strip())]
    if len({v.value for v in exact}) < 2:
        return False
    # A sentence that gives both values tells a change or two things ('from $7 to $9'), not a
    # disagreement between sources.
    # Compared with runs of white space made one space: '$716\xa0billion' is written '$716 billion'.
    if any(
        " ".join(w.text.split()) in " ".join(v.citation.text.split())
        for v in exact
        for w in exact
        if w.value != v.value
    ):
        return False
    words = [content_words(_DIGITS.sub(" ", v.citation.text)) for v in exact]
    return all(len(a & b) >= 0.5 * min(len(a), len(b)) for a in words for b in words if a and b)


def key_points(
    brief: Brief,
    propositions: Mapping[str, list[Proposition]],
    centroids: Mapping[str, np.ndarray],
) -> list[KeyPoint]:
    """The bullets that open the brief (see the module doc); counts are of independent voices:
    republished copies of one text count once."""
    count = Voices.of_sources(brief.sources).count
    total = count(s.doc_id for s in brief.sources)
    points: list[KeyPoint] = []
    shown_claims: set[str] = set()
    for point in brief.contested[:MAX_CONTESTED]:
        answers = "; ".join(f"{p.side}: {p.stance} ({count(p.sources)} of {total})" for p in point.positions)
        points.append(
            KeyPoint(
                kind=KeyPointKind.contested,
                ref=point.id,
                text=f"Contested: {point.question} {answers}",
                citations=[c for p in point.positions for c in p.citations[:1]],
                sources=sorted({s for p in point.positions for s in p.sources}),
            )
        )
        shown_claims.update(cid for p in point.positions for cid in p.claim_ids)
    in_lead = {(c.doc_id, c.sentence) for sentence in brief.lead for c in sentence.citations}
    shown_vectors = [centroids[cid] for cid in shown_claims if cid in centroids]
    for group in brief.claims:
        if len(points) >= MAX_KEY_POINTS - 1:  # room for a figure
            break
        if count(group.sources) < 2 or group.id in shown_claims:
            continue
        speaker = speaker_of(group)
        if speaker is None or not _readable(group, (propositions.get(group.id) or [None])[0]):
            continue
        if any((c.doc_id, c.sentence) in in_lead for r in group.reports for c in r.citations):
            continue
        vector = centroids.get(group.id)
        if vector is not None and any(float(vector @ other) >= SAME_POINT for other in shown_vectors):
            continue
        points.append(
            KeyPoint(
                kind=KeyPointKind.claim,
                ref=group.id,
                text=f"{speaker}: {group.statement} ({count(group.sources)} of {total} sources)",
                citations=statement_first(group),
                sources=group.sources,
            )
        )
        if vector is not None:
            shown_vectors.append(vector)
    names = SourceNames.of(brief.sources)
    for figure in [f for f in brief.figures if f.discrepancy and plainly_differ(f)][:1]:
        values = "; ".join(f"{v.text} ({names.inline(v.doc_id)})" for v in figure.values)
        points.append(
            KeyPoint(
                kind=KeyPointKind.figure,
                ref=figure.id,
                text=f"Figures differ on {figure.quantity}: {values}",
                citations=[v.citation for v in figure.values],
                sources=figure.sources,
            )
        )
    return points[:MAX_KEY_POINTS]
