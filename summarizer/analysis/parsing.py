"""Every citable sentence of the corpus parsed once (spaCy: POS, dependencies, lemmas, entities).

The parties, the attribution and the rules all read the same parses; parsing is the costly step of
the analysis (about 4,000 words a second on one core), so it happens once, in one batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from summarizer import nlp
from summarizer.documents import Document

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass
class ParsedCorpus:
    # (doc_id, sentence id) -> the parse of that sentence's analysis text (lead included)
    parses: dict[tuple[str, int], Doc] = field(default_factory=dict)

    def get(self, doc_id: str, sentence_id: int) -> Doc | None:
        return self.parses.get((doc_id, sentence_id))


def parse_corpus(documents: list[Document]) -> ParsedCorpus:
    keys = [(d.doc_id, s.id) for d in documents for s in d.citable_sentences]
    texts = [s.analysis_text for d in documents for s in d.citable_sentences]
    return ParsedCorpus(dict(zip(keys, nlp.parse(texts), strict=True)))
