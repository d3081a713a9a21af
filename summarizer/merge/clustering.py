"""Clustering shared by every kind of item: greedy text clustering with an inverted index, clustering by
meaning (sentence vectors), and the helpers that gather a cluster's sources and citations."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz

from summarizer.lexical import content_words
from summarizer.models import (
    Citation,
    SupportLevel,
)
from summarizer.vocabulary import ATTRIBUTION_WORDS

T = TypeVar("T")


# Text similarities (rapidfuzz, 0-100) and word overlaps (Jaccard, 0-1) at which two texts say the same.
# They were set by hand with the first merge and have not been measured since (the claims' own
# threshold, SAME_CLAIM, was): they are named here so that a measurement has one place to change.
# Two demands of one party are one demand when their content words, sorted, match this well.
SAME_DEMAND = 75
# Two proposals are one when they share this share of their content words (attribution words left
# out) or are worded this alike (token_sort_ratio): one outlet's summary against another's.
SAME_PROPOSAL_WORDS = 0.45
SAME_PROPOSAL_WORDING = 80


MAX_CANDIDATES = 10  # clusters compared per item, the ones sharing the most words


MAX_POSTINGS = 200  # a word in more clusters than this is too common to find candidates with


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


def similar_phrase(a: str, b: str) -> bool:
    left, right = " ".join(sorted(content_words(a))), " ".join(sorted(content_words(b)))
    return fuzz.token_set_ratio(left, right) >= SAME_DEMAND


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def claim_words(text: str) -> frozenset[str]:
    return content_words(text) - ATTRIBUTION_WORDS


def similar_claim(a: str, b: str) -> bool:
    return (
        jaccard(claim_words(a), claim_words(b)) >= SAME_PROPOSAL_WORDS
        or fuzz.token_sort_ratio(a, b) >= SAME_PROPOSAL_WORDING
    )


def citation_place(citation: Citation) -> tuple[str, int, int]:
    """Where a citation points, whatever its marker: the same sentence cited by two items is one place."""
    return (citation.doc_id, citation.start, citation.end)


def sources_of(entries: Iterable[object]) -> list[str]:
    return sorted({s for e in entries for s in e.sources})


def first_citations(entries: Iterable[object], per_source: int = 2) -> list[Citation]:
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


def best_support(entries: Iterable[object]) -> SupportLevel:
    order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
    return min((e.support for e in entries), key=order.index, default=SupportLevel.unsupported)


def best_entry(entries: list, text_of: Callable) -> object:
    """The best-supported entry with the shortest text speaks for the cluster."""
    order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
    return min(entries, key=lambda e: (order.index(e.support), len(text_of(e))))


def cluster_by_meaning(vectors: np.ndarray, blocks: list[Hashable], threshold: float) -> list[list[int]]:
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
