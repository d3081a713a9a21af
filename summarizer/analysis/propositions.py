"""What a claim says, read from its parse: the predicate, what it is about, and whether it is denied.

Two claims contradict each other only when they answer one question in opposite ways: one says that
progress was made in the talks, the other that no progress was made. Sentence vectors cannot tell
that from two claims on one topic ('there will be no truce until the hostages return' against 'the
proposed truce included a prisoner swap'), so the merge checks it here, on the dependency parse:

* the **main clause**: the sentence's root, or the clause a reporting or belief verb governs ('I don't
  believe [that he will go through with the tariffs]'), or the verb after 'failed to', 'refused to';
* its **predicate** (the verb's lemma; 'be' for a copula) and its **arguments** (the lemmas of the
  heads of subject, object and complement, with their compounds: 'progress', 'cairo talk');
* its **polarity**: denied by 'not', 'never', a 'no' or 'nothing' in subject or object, 'no closer',
  'failed to', and a denied belief verb over it;
* whether it is **complete** (a subject and a finite verb of its own: a reader understands it alone);
* the **yes/no question** its affirmative form answers ('Had any progress been made in the Cairo
  talks?'), composed from the clause's own words (auxiliary inversion or do-support), or None when no
  short, readable question can be made from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer import nlp
from summarizer.vocabulary import (
    BELIEF_VERBS,
    COMPLEMENT_VERBS,
    FAILURE_VERBS,
    LIGHT_VERBS,
    NEGATIVE_PRONOUNS,
    PERSONAL_PRONOUNS,
    REPORTING_VERBS,
    STOPWORDS,
    THIRD_PERSON_PRONOUNS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# A contested point's question is read at a glance: longer ones are cut to their core or not made.
MAX_QUESTION_WORDS = 20
_SUBJECTS = ("nsubj", "nsubjpass", "expl", "csubj")
_OBJECTS = ("dobj", "attr", "acomp", "oprd", "pobj", "dative")
# Children that are not part of the proposition's core: other clauses, asides and punctuation.
_ASIDES = ("advcl", "parataxis", "punct", "cc", "conj", "mark", "appos", "discourse", "intj", "meta")
_FINITE = ("VBD", "VBZ", "VBP", "MD")
_DO_SUPPORT = {"VBD": "did", "VBZ": "does", "VBP": "do"}


@dataclass(frozen=True)
class Proposition:
    text: str
    predicate: str | None
    arguments: frozenset[str]
    negated: bool
    complete: bool
    question: str | None

    def same_question(self, other: Proposition) -> bool:
        """Both speak of one predicate over one of the same arguments: 'progress was made in the
        talks' and 'no progress was made on Sunday' (make: progress)."""
        return (
            self.predicate is not None
            and self.predicate == other.predicate
            and bool(self.arguments & other.arguments)
        )

    def contradicts(self, other: Proposition) -> bool:
        """One asserts what the other denies."""
        return self.same_question(other) and self.negated != other.negated


def read_propositions(texts: list[str]) -> list[Proposition]:
    """The proposition of each text (parsed in one batch; inside ``nlp.remembering`` the parses are
    read from and kept in the store)."""
    return [read_proposition(doc) for doc in nlp.parse([t.strip() for t in texts])]


def read_proposition(doc: Doc) -> Proposition:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return Proposition(doc.text, None, frozenset(), False, False, None)
    head, negated = main_clause(roots[0])
    return Proposition(
        text=doc.text,
        predicate=_predicate(head),
        arguments=_arguments(head),
        negated=negated,
        complete=_complete(head),
        question=None if negated else yes_no_question(head),
    )


def main_clause(root: Token) -> tuple[Token, bool]:
    """The clause a claim asserts, and whether it is denied. 'I don't believe that X will go' asserts
    the denial of 'X will go'; 'they failed to respond' the denial of 'they responded'."""
    head, negated = root, _denied(root)
    for _ in range(3):  # a belief over a failure over the act, at most
        clause = next((c for c in head.children if c.dep_ == "ccomp"), None)
        verb = next((c for c in head.children if c.dep_ == "xcomp"), None)
        lemma = head.lemma_.lower()
        if clause is not None and lemma in REPORTING_VERBS | BELIEF_VERBS:
            head, negated = clause, negated != _denied(clause)
        elif verb is not None and lemma in FAILURE_VERBS:
            head, negated = verb, not negated
        else:
            break
    return head, negated


def _predicate(head: Token) -> str | None:
    """The verb's lemma; for a light verb or an existential, what is said to exist: 'progress was
    made', 'they made progress' and 'there was progress' all say 'exist: progress'."""
    if head.pos_ not in ("VERB", "AUX"):
        return None
    lemma = head.lemma_.lower()
    if lemma == "be" and any(c.dep_ == "expl" for c in head.children):
        things = [c for c in head.children if c.dep_ in ("attr", "nsubj")]
    elif lemma in LIGHT_VERBS:
        things = [c for c in head.children if c.dep_ in ("nsubjpass", "dobj")]
    else:
        return lemma
    nouns = [t for t in things if t.pos_ == "NOUN"]
    return f"exist: {nouns[0].lemma_.lower()}" if nouns else lemma


def _denied(head: Token) -> bool:
    for child in head.children:
        if child.dep_ == "neg" or child.lower_ == "never":
            return True
        if child.dep_ in _SUBJECTS + _OBJECTS + ("advmod",):
            if child.lower_ in NEGATIVE_PRONOUNS:
                return True
            if any(g.dep_ in ("det", "neg") and g.lower_ in ("no", "neither") for g in child.children):
                return True
    return False


def _arguments(head: Token) -> frozenset[str]:
    """Content lemmas of the heads of the clause's subject, objects and complements (and of the
    prepositions' objects), with their compound nouns: what the clause is about."""
    found: set[str] = set()
    frontier = [c for c in head.children if c.dep_ in _SUBJECTS + _OBJECTS + ("prep", "agent")]
    while frontier:
        token = frontier.pop()
        if token.dep_ in ("prep", "agent"):
            frontier += [c for c in token.children if c.dep_ in ("pobj", "pcomp")]
            continue
        words = [token, *(c for c in token.children if c.dep_ == "compound")]
        for word in words:
            lemma = word.lemma_.lower()
            if word.is_alpha and lemma not in STOPWORDS and lemma not in PERSONAL_PRONOUNS:
                found.add(lemma)
        frontier += [c for c in token.children if c.dep_ == "prep"]
    return frozenset(found)


def _complete(head: Token) -> bool:
    """A reader can read it alone: a subject of its own that is not a third-person pronoun ('he would
    impose tariffs': who?), a finite verb (or auxiliary), not opening on a conjunction ('and my view
    that ...'), not a headline in capitals."""
    doc = head.doc
    subjects = [c for c in head.children if c.dep_ in _SUBJECTS]
    finite = head.tag_ in _FINITE or any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in head.children
    )
    letters = [ch for ch in doc.text if ch.isalpha()]
    shouting = len(letters) > 10 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters)
    return (
        bool(subjects)
        and subjects[0].lower_ not in THIRD_PERSON_PRONOUNS
        and finite
        and doc[0].pos_ != "CCONJ"
        and not shouting
    )


def _core_tokens(head: Token) -> list[Token]:
    """The clause's words without other clauses, asides and trailing punctuation."""
    removed: set[int] = set()
    for child in head.children:
        if child.dep_ in _ASIDES:
            removed.update(t.i for t in child.subtree)
    for token in head.subtree:
        aside = token.dep_ in ("relcl", "acl", "advcl", "parataxis") or (
            token.dep_ == "appos"
            and token.left_edge.i > 0
            and token.doc[token.left_edge.i - 1].text in ",–—("
        )
        if aside and token.i != head.i:
            removed.update(t.i for t in token.subtree)
        if token.dep_ == "advmod" and token.head.i == head.i and token.i < head.i:
            removed.add(token.i)  # 'repeatedly', 'actually' before the verb: not part of the question
    return [t for t in head.subtree if t.i not in removed and (not t.is_punct or _inside_word(t))]


def _inside_word(token: Token) -> bool:
    """A hyphen or apostrophe that joins words ('non-starter', 'Hamas' demands'), not a separator."""
    if token.dep_ == "case":
        return True
    before = token.nbor(-1) if token.i > 0 else None
    return token.text in "-–" and not token.whitespace_ and before is not None and not before.whitespace_


def yes_no_question(head: Token) -> str | None:
    """The yes/no question an affirmative clause answers, in its own words: the first auxiliary
    before the subject ('Had any progress been made …?'), or 'do' with the verb's lemma ('Did X
    impose …?'). None when the clause has no subject of its own or only a pronoun ('Is it a
    sham?' cannot be read alone), or when even its core is too long."""
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
    if not subjects:
        return None
    subject = subjects[0]
    if subject.lower_ in PERSONAL_PRONOUNS | {"this", "that", "these", "those"}:
        return None
    auxiliaries = [c for c in head.children if c.dep_ in ("aux", "auxpass") and c.i < head.i]
    if auxiliaries:
        front, moved, lemma_for = auxiliaries[0].text, auxiliaries[0].i, None
    elif head.lemma_.lower() == "be":
        front, moved, lemma_for = head.text, head.i, None
    elif head.tag_ in _DO_SUPPORT:
        front, moved, lemma_for = _DO_SUPPORT[head.tag_], None, head.i
    else:
        return None
    core = _core_tokens(head)
    if head.lemma_.lower() in COMPLEMENT_VERBS and not any(
        t.dep_ in ("oprd", "acomp", "xcomp", "ccomp") or (t.dep_ == "prep" and t.lower_ == "as") for t in core
    ):
        return None  # 'called the rules [unfair]' without its complement would ask something else
    subject_ids = {t.i for t in subject.subtree}
    body: list[tuple[Token, str]] = []
    for token in core:
        if token.i == moved:
            continue
        text = head.lemma_ if token.i == lemma_for else token.text
        if token.i in subject_ids and token.lower_ == "some" and token.dep_ == "det":
            text = "any"  # 'some progress had been made' asks 'had any progress been made?'
        if token.i == subject.left_edge.i and token.pos_ != "PROPN" and token.text != "I":
            text = text[:1].lower() + text[1:]
        body.append((token, text))
    # Cut prepositional phrases from the end while it is too long (the fronted word counts too).
    while len(body) + 1 > MAX_QUESTION_WORDS:
        cuts = [n for n, (token, _) in enumerate(body) if token.dep_ == "prep" and token.i > head.i]
        if not cuts:
            return None
        body = body[: cuts[-1]]
    at = next((n for n, (token, _) in enumerate(body) if token.i in subject_ids), 0)
    question = ""
    for n, (token, text) in enumerate(body):
        if n == at:
            question += front.lower() + " "
        following = body[n + 1][0] if n + 1 < len(body) else None
        # A word keeps the spacing it had in the text, unless the word after it was left out.
        joined = following is not None and following.i == token.i + 1 and not token.whitespace_
        question += text + ("" if joined else " ")
    question = question.strip()
    return question[:1].upper() + question[1:] + "?"
