"""Lexical overlap: content words and how much of a statement its cited text says. Used by grounding
(support levels), the focused extraction (a model's demand must share words with its sentence), the merge
(blocking) and the evaluation; it sits below the data flow so every step may use it."""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.models import SupportLevel
from summarizer.vocabulary import STOPWORDS


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> frozenset[str]:
    """Lower-case content words, crudely stemmed (plural 's' dropped) for overlap measures. Cached:
    the merge compares the same texts many times."""
    words = re.findall(r"[a-z0-9]+(?:[’'][a-z]+)?", text.lower())
    return frozenset(w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words if w not in STOPWORDS)


def support_level(statement: str, cited_text: str) -> SupportLevel:
    words = content_words(statement)
    if not words:
        return SupportLevel.strong
    overlap = len(words & content_words(cited_text)) / len(words)
    if overlap >= 0.5:
        return SupportLevel.strong
    if overlap >= 0.2:
        return SupportLevel.weak
    return SupportLevel.unsupported
