"""Are the documents one story? A folder that mixes a football result and a court case gives one
mixed brief; this says so at the top of the brief, and which documents stand apart.

Two documents belong together when their words overlap more than unrelated articles usually do:
the cosine of their content-word vectors (log term frequency times inverse document frequency over
the run's documents; citable sentences only, so shared boilerplate links nothing) is at least
``SAME_STORY``. Documents linked, directly or through others, form a story; more than one story is
flagged. Content words hold the parties' names too, so "share almost no parties or content" is one
measure.

The threshold is measured (bench/relatedness.py: the 22 dev clusters and the seeds, all but the seeds
US politics, the hard case): no one-story run is flagged at any threshold up to 0.18 (the weakest link
a story needs is 0.198 at least); at 0.15 an article of another story slipped into a cluster stands
apart in 440 of 506 runs and two clusters mixed come out as the two stories in 200 of 253; in one run
of all 71 articles no article is cut off from its own story. A football result and a court case share
far less than two US-politics stories. When unsure it says nothing: the flag is a warning, not a split
(one brief per story is a later step).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from summarizer.documents import Document
from summarizer.models import Brief
from summarizer.unionfind import DisjointSets
from summarizer.vocabulary import STOPWORDS

# Cosine at or above which two documents are taken for one story (see the module docstring).
SAME_STORY = 0.15
_WORD = re.compile(r"[a-z0-9]+(?:[’'][a-z]+)?")


def terms(document: Document) -> Counter[str]:
    """Content words of the document's citable text, lower case, crudely stemmed, with counts."""
    words = _WORD.findall(" ".join(s.text for s in document.citable_sentences).lower())
    return Counter(w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w not in STOPWORDS)


def similarities(documents: list[Document]) -> dict[tuple[int, int], float]:
    """Cosine of every pair (i < j) of the documents' tf-idf vectors."""
    counts = [terms(d) for d in documents]
    frequency = Counter(word for count in counts for word in count)
    n = len(documents)
    idf = {word: math.log((n + 1) / (df + 1)) + 1 for word, df in frequency.items()}
    vectors = []
    for count in counts:
        vector = {word: (1 + math.log(tf)) * idf[word] for word, tf in count.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({word: v / norm for word, v in vector.items()})
    result = {}
    for i in range(n):
        for j in range(i + 1, n):
            small, large = sorted((vectors[i], vectors[j]), key=len)
            result[(i, j)] = sum(v * large.get(word, 0.0) for word, v in small.items())
    return result


def stories(documents: list[Document], threshold: float = SAME_STORY) -> list[list[str]]:
    """The doc_ids grouped into stories (linked documents), largest group first, then input order."""
    linked = DisjointSets(len(documents))
    for (i, j), similarity in similarities(documents).items():
        if similarity >= threshold:
            linked.union(i, j)
    groups = [[documents[i].doc_id for i in group] for group in linked.groups()]
    return sorted(groups, key=lambda group: -len(group))


def flag_unrelated(brief: Brief, documents: list[Document]) -> None:
    """Set ``brief.stories`` when the sources look like more than one story (else leave it empty)."""
    included = {source.doc_id for source in brief.sources}
    found = stories([d for d in documents if d.doc_id in included])
    brief.stories = found if len(found) > 1 else []
