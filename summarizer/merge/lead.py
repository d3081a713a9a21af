"""What happened: the lead of the brief, one to three facts most sources report, before any opinion.

Extractive: each lead sentence is a sentence of a source, quoted as written and cited, with every
source that reports the same fact. Candidates are the complete, affirmative, declarative sentences
near an article's top, where news puts the event (the first ``LEAD_WINDOW`` citable sentences):

* statements in the article's own voice (no speaker, no quotation, no 'could' or 'might');
* reports of an event that a source is quoted for ('the delegations would leave within hours, the
  source said'), when at least ``REPORTED_EVENT_REACH`` independent sources carry it, none of their
  sentences is a position in a contested point, and it describes an act, not a judgment (not a
  copula: 'the round is a success' is an opinion).

Candidates of different articles that say the same fact (``SAME_FACT`` in meaning, and no number of
one missing from the other) meet. The facts most independent sources report are chosen (at least two
sources when the brief has two or more), shown in the order the articles tell them, each by the
sentence that says it in the article's own voice where one does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from summarizer.analysis import PartyIndex
from summarizer.analysis.propositions import main_clause
from summarizer.documents import Document, Sentence
from summarizer.duplicates import Voices
from summarizer.embeddings import Encoder
from summarizer.ground import cite
from summarizer.models import LeadSentence
from summarizer.vocabulary import BACK_POINTERS, SPEAKER_NOUNS, THIRD_PERSON_PRONOUNS

if TYPE_CHECKING:
    from spacy.tokens import Doc

# News puts the event first: the lead is looked for in an article's first citable sentences.
LEAD_WINDOW = 6
# Two outlets' sentences at least this close in meaning (all-MiniLM-L6-v2 cosine) may state one fact;
# paraphrases of one claim by different outlets have a median of 0.62 (bench/claim_similarity.py).
SAME_FACT = 0.55
# Two lead sentences closer than this tell one event twice ('faces a panel Tuesday that will weigh
# whether the law is unconstitutional' / 'the law's future will be at stake Tuesday when a court ...').
DISTINCT_FACT = 0.5
MAX_LEAD_SENTENCES = 3
# An attributed report is a lead fact only when this many independent sources carry it: one outlet's
# source may be one side's account, most outlets' is what happened.
REPORTED_EVENT_REACH = 3
# Hedged statements are predictions, not facts ('a ruling could put pressure on ...').
_HEDGES = frozenset(["could", "might", "may", "would", "should"])
# A sentence of ordinary length: shorter ones are headlines or fragments, longer ones run-on lists.
MIN_WORDS, MAX_WORDS = 8, 45
_NUMBER = re.compile(r"\d[\d,.]*")
_QUOTES = re.compile(r"[“”\"]")


@dataclass
class _Candidate:
    document: Document
    sentence: Sentence
    position: int  # among the document's citable sentences
    own_voice: bool  # the article states it; else a source it quotes does
    readable: bool  # it can be shown alone (see reads_alone); else it only supports another


def _candidate_kind(sentence: Sentence, attributed: bool, index: PartyIndex, doc_id: str) -> bool | None:
    """True for a fact in the article's own voice, False for an attributed report of an act, None for
    neither (see the module doc)."""
    text = sentence.text.strip()
    if not MIN_WORDS <= len(text.split()) <= MAX_WORDS or not text.endswith((".", "”", '"')):
        return None  # headlines have no full stop; questions are not facts
    parse = index.corpus.get(doc_id, sentence.id)
    roots = [t for t in parse if t.dep_ == "ROOT"] if parse is not None else []
    if not roots:
        return None
    head, negated = main_clause(roots[0])
    subject = any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in head.children)
    auxiliaries = [c for c in head.children if c.dep_ in ("aux", "auxpass")]
    finite = head.tag_ in ("VBD", "VBZ", "VBP") or any(
        c.tag_ in ("VBD", "VBZ", "VBP", "MD") for c in auxiliaries
    )
    if not subject or not finite or negated:
        return None
    if not attributed:
        # A prediction ('could bring'), anywhere in the sentence, or a state or judgment ('is eager
        # for', 'is a rare use of') is not an event.
        hedged = any(t.lower_ in _HEDGES and t.dep_ == "aux" for t in parse)
        judged = head.lemma_.lower() == "be"
        own = head.i == roots[0].i and not hedged and not judged and not _QUOTES.search(text)
        return True if own else None
    return False if head.lemma_.lower() != "be" else None


# Entity types of a bare amount: as the subject of the main clause, it is a part of something the
# sentence before named.
_AMOUNTS = ("MONEY", "QUANTITY", "PERCENT", "CARDINAL")


def reads_alone(parse: Doc) -> bool:
    """A sentence a reader understands without the one before it: it does not open on a conjunction
    or point back ('those complaints', 'that law', 'also', 'specifically'), its subjects and speakers
    are not pronouns ('It was a rare use ...', '..., he said') or definite descriptions introduced
    before ('The source told ...'), and it names people in full, not by a surname alone."""
    if parse[0].pos_ == "CCONJ":
        return False
    for token in parse:
        if token.lower_ in BACK_POINTERS and token.dep_ in ("det", "nsubj", "nsubjpass", "advmod", "dobj"):
            return False
        if token.lower_ == "that" and token.dep_ == "det":
            return False
        if token.dep_ in ("nsubj", "nsubjpass") and token.lower_ in THIRD_PERSON_PRONOUNS | {"i", "we"}:
            return False
        if token.dep_ in ("nsubj", "nsubjpass") and token.ent_type_ in _AMOUNTS and token.head.dep_ == "ROOT":
            return False  # 'About $5 billion is slated to come from ...': an amount of what was said before
        head = token.head
        definite = token.lower_ == "the" and token.i == head.i - 1 and head.dep_ in ("nsubj", "nsubjpass")
        if definite and head.lemma_.lower() in SPEAKER_NOUNS:
            return False  # 'the source', 'the official': introduced before
    people = [e for e in parse.ents if e.label_ == "PERSON"]
    return all(len(e) > 1 for e in people)


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".,") for n in _NUMBER.findall(text)}


def _same_fact(a: str, b: str) -> bool:
    """Numbers must not disagree: 'killed 12' and 'killed 40' are different facts, however alike."""
    first, second = _numbers(a), _numbers(b)
    return not first or not second or bool(first & second)


def what_happened(
    documents: list[Document],
    attributed: Mapping[str, set[int]],
    index: PartyIndex,
    encoder: Encoder,
    voices: Voices,
    contested: AbstractSet[tuple[str, int]] = frozenset(),
) -> list[LeadSentence]:
    """The lead: up to MAX_LEAD_SENTENCES facts, most independent sources first (see module doc).
    ``contested`` holds the (doc_id, sentence id) of every sentence a contested position cites."""
    candidates = []
    for document in documents:
        for position, sentence in enumerate(document.citable_sentences[:LEAD_WINDOW]):
            if (document.doc_id, sentence.id) in contested:
                continue
            said = sentence.id in attributed.get(document.doc_id, set())
            kind = _candidate_kind(sentence, said, index, document.doc_id)
            if kind is not None:
                parse = index.corpus.get(document.doc_id, sentence.id)
                readable = parse is not None and reads_alone(parse)
                candidates.append(_Candidate(document, sentence, position, kind, readable))
    if not candidates:
        return []
    vectors = encoder.encode([c.sentence.text for c in candidates])
    similarity = vectors @ vectors.T
    total = voices.count(d.doc_id for d in documents)
    facts = []
    for i, candidate in enumerate(candidates):
        # Per other document, its closest candidate that states the same fact.
        support: dict[str, int] = {candidate.document.doc_id: i}
        for j in np.argsort(-similarity[i], kind="stable"):
            other = candidates[int(j)]
            doc_id = other.document.doc_id
            if similarity[i, j] < SAME_FACT:
                break
            if doc_id not in support and _same_fact(candidate.sentence.text, other.sentence.text):
                support[doc_id] = int(j)
        reach = voices.count(support)
        members = [candidates[j] for j in support.values()]
        if total > 1 and reach < 2:
            continue
        if not any(m.own_voice for m in members) and reach < min(REPORTED_EVENT_REACH, total):
            continue
        # A sentence that reads alone speaks for the fact; the article's own voice where it can.
        if not candidate.readable or (
            not candidate.own_voice and any(m.own_voice and m.readable for m in members)
        ):
            continue
        central = float(similarity[i, list(support.values())].mean())
        position = float(np.mean([m.position for m in members]))
        facts.append((-reach, position, -central, i, members))
    chosen: list[tuple[float, int, list[_Candidate]]] = []
    for _, _, _, i, members in sorted(facts):
        if any(similarity[i, k] >= DISTINCT_FACT for _, k, _ in chosen):
            continue
        chosen.append((float(np.mean([m.position for m in members])), i, members))
        if len(chosen) == MAX_LEAD_SENTENCES:
            break
    return [
        LeadSentence(
            text=candidates[i].sentence.text.strip(),
            citations=[cite(m.document, m.sentence.id) for m in members],
            sources=sorted(m.document.doc_id for m in members),
        )
        for _, i, members in sorted(chosen, key=lambda c: c[0])  # in the order the articles tell them
    ]
