"""Contested points: questions the sides answer differently, each side's position with its sources."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from summarizer.analysis import UNKNOWN_SIDE
from summarizer.duplicates import Voices
from summarizer.merge.clustering import first_citations
from summarizer.models import (
    ClaimGroup,
    ContestedPoint,
    ContestedPosition,
)

# Claims of different sides and opposite polarity this close are answers to one question. On the gold
# clusters the questions the annotators list pair at 0.63-0.89; loose pairs ('there will be no truce
# until …' against 'in return, Israel would release 700 prisoners') sit at 0.45-0.54.
SAME_QUESTION = 0.55


def question_for(statement: str) -> str:
    """A contested point's question, composed from the affirmative claim without new words beyond
    'Whether' (or 'For or against' for a proposal): the claim itself is what the sides disagree on."""
    text = statement.strip().strip('“”"').rstrip(".")
    first = text.split(" ", 1)[0]
    if first.endswith("ing") and first[:1].islower():  # a proposal: 'increasing the corporate tax rate'
        return f"For or against {text}"
    if first.lower() in _SENTENCE_OPENERS:  # 'Whether a truce…', but 'Whether Israel…', 'Whether US…'
        text = first.lower() + text[len(first) :]
    return f"Whether {text}"


_SENTENCE_OPENERS = frozenset(
    ["a", "an", "the", "some", "no", "there", "it", "this", "that", "these", "those"]
)


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
                        citations=first_citations([r for g in gs for r in g.reports]),
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
