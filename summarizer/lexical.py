"""Lexical overlap: content words and how much of a statement its cited text says, and the one name
normaliser. Used by grounding (support levels), the focused extraction (a model's demand must share
words with its sentence), the party index, the merge (blocking), the diff and the evaluation; it sits
below the data flow so every step may use it."""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.display import clean_name
from summarizer.models import SupportLevel
from summarizer.vocabulary import STOPWORDS

# Shares of a statement's content words found in its cited text for it to be strongly or weakly
# supported. Set by hand with the first version: half the words is a statement that paraphrases its
# sentence; under a fifth it shares little beyond the topic. The evaluation reports support with the
# same levels (evaluate.SUPPORT_METHOD), so changing them changes that yardstick too.
STRONG_SUPPORT = 0.5
WEAK_SUPPORT = 0.2


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
    if overlap >= STRONG_SUPPORT:
        return SupportLevel.strong
    if overlap >= WEAK_SUPPORT:
        return SupportLevel.weak
    return SupportLevel.unsupported


def normalise_name(name: str) -> str:
    """A name as the party index keys it (and every comparison of names builds on): lower case,
    without a leading article, possessive 's, curly apostrophes, hyphens and surrounding punctuation.
    'The Egyptian-brokered' and 'the egyptian brokered' are one key; 'Hamas’s' is 'hamas'. Invisible
    and control characters are dropped first (display.clean_name): 'Qatar' + U+200D is 'qatar'."""
    name = clean_name(name).strip().replace("-", " ").replace("’s", "").replace("'s", "").replace("’", "")
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    return re.sub(r"\s+", " ", name).strip(' .,;:"“”()').lower()
