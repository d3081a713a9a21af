"""Republished text: articles that carry the same text count as one voice.

Wire copy is republished by many outlets, each with a new headline, its own boilerplate, a sentence
added or the last paragraph cut. Twenty outlets running one agency story are one source of the claim,
not twenty, so the brief counts voices: a group of copies is one voice, and the brief says which
files republished the same text.

How: each document's citable text (boilerplate left out, so a different newsletter footer does not
hide a copy) becomes its set of word 5-grams ("shingles"); two documents are copies when the share of
the smaller one's shingles found in the other (containment) is at least ``COPY_THRESHOLD`` and they
share at least ``MIN_SHARED`` shingles. Containment rather than Jaccard because an outlet that cuts
the last paragraphs still runs the agency's text. Copies are grouped transitively (union-find).

Exact shingle sets rather than MinHash (e.g. datasketch): with an inverted index only documents that
share a shingle are compared, which for hundreds or a few thousand articles takes well under a second
(bench/near_duplicates.py), and the similarity is exact, so the threshold means what it was measured
as. MinHash earns its place at millions of documents, not here. Word 5-grams rather than whole
sentences: one word changed in a sentence (a style edit: '%' for 'percent', 'harbor' for 'harbour')
loses a whole sentence hash but only the five shingles that hold the word.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from summarizer.documents import Document
from summarizer.models import SourceDocument
from summarizer.naming import wire_agency
from summarizer.unionfind import DisjointSets

SHINGLE_WORDS = 5
# Containment at or above which two articles are one text. Measured (bench/near_duplicates.py: 600
# generated copies with one to three edits, 7,140 pairs of different articles on the same story):
# copies score 0.70-0.97 (5th percentile 0.80); different articles at most 0.44 (95th percentile 0.29),
# although they share the same quotes and stock phrases. Whole-sentence hashes separate them worse
# (copies down to 0.30, others up to 0.42): a word changed throughout loses every sentence it is in.
COPY_THRESHOLD = 0.6
# ... and they share at least this many 5-grams (about 30 words of the same text): two short items
# that quote one long statement verbatim are two outlets reporting it, not one republishing the other.
MIN_SHARED = 25
_WORD = re.compile(r"\w+")


def shingles(document: Document) -> frozenset[str]:
    """The word 5-grams of the document's citable text, lowercased (a short text: its words)."""
    words = _WORD.findall(" ".join(s.text for s in document.citable_sentences).lower())
    if len(words) < SHINGLE_WORDS:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the larger one (0 when either is empty)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass
class CopyGroup:
    """Documents that carry the same text; the first (a news agency's own copy, else the first in input
    order) stands for the group."""

    doc_ids: list[str]
    similarity: float  # the lowest of the members' best containment with an earlier member


@dataclass
class Voices:
    """Which documents are copies of which: counts sources as independent voices."""

    groups: list[CopyGroup] = field(default_factory=list)
    voice_of: dict[str, str] = field(default_factory=dict)  # copy's doc_id -> its group's first doc_id

    def count(self, doc_ids: Iterable[str]) -> int:
        """Independent voices among these sources: copies of one text count once."""
        return len({self.voice_of.get(d, d) for d in doc_ids})

    @classmethod
    def of_sources(cls, sources: Iterable[SourceDocument]) -> Voices:
        """The voices recorded in a brief's sources (``copy_of``), e.g. to render a saved brief."""
        return cls(voice_of={s.doc_id: s.copy_of for s in sources if s.copy_of})


def find_copies(documents: list[Document], threshold: float = COPY_THRESHOLD) -> Voices:
    """Group the documents whose texts are copies of each other (containment >= threshold)."""
    sets = [shingles(d) for d in documents]
    copies = DisjointSets(len(documents))
    joined_at: dict[int, float] = {}
    postings: dict[str, list[int]] = defaultdict(list)
    for i, own in enumerate(sets):
        shared: Counter[int] = Counter()
        for shingle in own:
            shared.update(postings[shingle])
            postings[shingle].append(i)
        for j, count in shared.items():  # only documents that share a shingle are ever compared
            score = count / min(len(own), len(sets[j]))
            if score >= threshold and count >= MIN_SHARED:
                copies.union(i, j)  # the earlier document stands for the group
                joined_at[i] = max(joined_at.get(i, 0.0), score)
    voices = Voices()
    for group in copies.groups():
        if len(group) < 2:
            continue
        # The news agency's own copy of a wire story stands for it, wherever it came in the input.
        first = next((i for i in group if wire_agency(documents[i].outlet)), group[0])
        ordered = [first, *(i for i in group if i != first)]
        ids = [documents[i].doc_id for i in ordered]
        scores = [joined_at[i] for i in group if i in joined_at]
        voices.groups.append(CopyGroup(doc_ids=ids, similarity=round(min(scores), 3)))
        for doc_id in ids[1:]:
            voices.voice_of[doc_id] = documents[first].doc_id
    return voices
