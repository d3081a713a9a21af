"""Who a pronoun stands for: 'he said', 'she tweeted', 'they argued', 'it said'.

A pronoun that introduces a statement refers to an actor the text has just put forward. The
candidates are, nearest first: the subjects before the pronoun in its own sentence ('Mr. X made it
clear he agreed'), then each of the last sentences, most recent first, and within a sentence its
speaker, then its subjects, then the other actors it names. The first candidate that agrees with the
pronoun is its antecedent:

* 'he'/'she': one person, of the pronoun's gender when the text gives one ('Mr.', 'Ms.', 'the
  spokeswoman', an earlier 'she' for the same name);
* 'they': several people ('X and Y', 'officials') or a body ('Democrats', 'the administration');
* 'it': one body ('the ministry', 'the Justice Department'), never a person.

Nothing inside a quotation is a candidate (a person named in someone's quote is not its speaker),
nor markup or a news outlet for 'he'/'she'. When no candidate of the last few sentences agrees, the
pronoun stays unresolved: an unattributed statement is better than one given to the wrong speaker.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.vocabulary import (
    BODY_NOUNS,
    FEMININE_WORDS,
    MASCULINE_WORDS,
    PERSON_TITLES,
    QUANTIFIERS,
    SPEAKER_NOUNS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

# How many sentences back a pronoun may reach (measured on bench/attribution.py: nearly every
# antecedent of the labelled pronouns is in the two sentences before).
LOOKBACK_SENTENCES = 3
_MARKUP = re.compile(r"[<>{}=@#]|&[a-z]+;|https?://")


@dataclass(frozen=True)
class Referent:
    """An actor a pronoun may stand for, as the speaker it would be shown as."""

    name: str
    plural: bool
    person: bool | None  # True: a person; False: a body (organisation, country, group); None: unknown
    gender: str | None = None  # "m", "f", or None when the text does not say

    @property
    def key(self) -> str:
        """The name's last word, which later mentions of the same actor share ('Mr. Gordon')."""
        return self.name.split()[-1].lower() if self.name.split() else ""


def _gender(words: list[str]) -> str | None:
    lowered = {w.lower().rstrip(".") for w in words}
    if lowered & FEMININE_WORDS:
        return "f"
    if lowered & MASCULINE_WORDS:
        return "m"
    return None


def _titled(head: Token) -> bool:
    """A name after a person's title ('AFT President Randi Weingarten'): a person, whatever the
    tagger's entity type."""
    return head.pos_ == "PROPN" and any(
        t.lower_.rstrip(".") in PERSON_TITLES for t in head.subtree if t.i < head.i and t.dep_ == "compound"
    )


def _ends_with_titled_name(name: str) -> bool:
    """'American Federation of Teachers President Randi Weingarten': a phrase that ends with a title
    and a name is that person, however the parser attached it."""
    words = name.split()
    for k in range(len(words) - 2, -1, -1):
        if words[k].lower().rstrip(".") in PERSON_TITLES:
            rest = words[k + 1 :]
            return all(w[:1].isupper() for w in rest) and rest[-1].lower() not in BODY_NOUNS
    return False


def could_refer(head: Token) -> bool:
    """Whether a phrase with this head can be an actor at all (cheap, before its name is built)."""
    return (
        head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
        or head.pos_ in ("PROPN", "NUM")
        or head.lemma_.lower() in SPEAKER_NOUNS | BODY_NOUNS | QUANTIFIERS
        or head.lower_ in SPEAKER_NOUNS
    )


def referent_of(head: Token, name: str, known_person: Callable[[str], bool] | None = None) -> Referent | None:
    """The referent a noun phrase (its head token, its shown ``name``) introduces, if it is an actor.
    ``known_person``: whether the corpus knows a name as a person's (the tagger may call 'Trump' an
    organisation, or no entity at all)."""
    if not name or _MARKUP.search(name) or head.lower_ in ("we", "i", "you", "who", "that", "which"):
        return None
    if head.text.isupper() and len(head.text) > 1:  # 'COVID', 'CAMPAIGN' in a teaser: no one to refer to
        return None
    counted = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
    if (head.lemma_.lower() in QUANTIFIERS or head.pos_ == "NUM") and counted:
        members = [c for c in counted[0].children if c.dep_ == "pobj"]
        found = referent_of(members[0], name, known_person) if members else None
        return Referent(name, True, found.person, None) if found else None  # 'dozens of Republicans'
    # 'X and Y', also when Y joins X's apposition ('X, spokeswoman for A, and Y, the B spokesman')
    joined = [c for c in head.children if c.dep_ == "conj"] + [
        c
        for apposition in head.children
        if apposition.dep_ == "appos"
        for c in apposition.children
        if c.dep_ == "conj" and c.ent_type_ == "PERSON"
    ]
    if joined and " and " not in name and joined[0].pos_ == "PROPN":
        other = " ".join(t.text for t in [*(t for t in joined[0].lefts if t.dep_ == "compound"), joined[0]])
        name = f"{name} and {other}"
    plural = head.tag_ in ("NNS", "NNPS") or bool(joined) or " and " in name
    lemma = head.lemma_.lower()
    if lemma in BODY_NOUNS and head.ent_type_ != "PERSON":  # 'the Justice Department', not 'Douglas Letter'
        person: bool | None = False
    elif (
        head.ent_type_ == "PERSON"
        or _titled(head)
        or _ends_with_titled_name(name)
        or (known_person is not None and known_person(head.text))
    ):
        person = True
    elif head.ent_type_ in ("ORG", "GPE", "NORP"):
        person = False
    elif lemma in SPEAKER_NOUNS or head.lower_ in SPEAKER_NOUNS:
        person = True
    elif head.pos_ == "PROPN" and head.text[:1].isupper():
        person = None  # a name the tagger could not type
    else:
        return None
    return Referent(name, plural, person, _gender(name.split()))


@dataclass
class _Sentence:
    """One sentence's referents: its speaker at once, the rest (subjects, named actors) built only
    if a pronoun ever looks that far back (most never do)."""

    sentence_id: int
    first: list[Referent]
    build: Callable[[int], list[Referent]] | None  # given the sentence's position in the window
    rest: list[Referent] | None = None


class Antecedents:
    """The referents of one document's last sentences, and the genders its names were given."""

    def __init__(self, lookback: int = LOOKBACK_SENTENCES) -> None:
        self.lookback = lookback
        # most recent first; a sentence built late resolves its own pronouns against the ones before it
        self._sentences: deque[_Sentence] = deque(maxlen=2 * lookback)
        self._genders: dict[str, str] = {}

    def learn(self, referent: Referent) -> None:
        if referent.gender and referent.key:
            self._genders.setdefault(referent.key, referent.gender)

    def add_sentence(
        self, sentence_id: int, first: list[Referent], rest: Callable[[int], list[Referent]] | None = None
    ) -> None:
        """The sentence just read: its most salient referents, and how to find the others."""
        for referent in first:
            self.learn(referent)
        self._sentences.appendleft(_Sentence(sentence_id, list(first), rest))

    def add_speaker(self, sentence_id: int, referent: Referent) -> None:
        """A speaker learnt after its sentence was read (a quotation's, named where it closed)."""
        for sentence in self._sentences:
            if sentence.sentence_id == sentence_id:
                sentence.first.insert(0, referent)

    def _referents(self, position: int) -> list[Referent]:
        sentence = self._sentences[position]
        if sentence.rest is None:
            sentence.rest = sentence.build(position) if sentence.build else []
            for referent in sentence.rest:
                self.learn(referent)
        return sentence.first + sentence.rest

    def gender_of(self, referent: Referent) -> str | None:
        return referent.gender or self._genders.get(referent.key)

    def agrees(self, pronoun: str, referent: Referent) -> bool:
        if pronoun in ("he", "she"):
            gender = self.gender_of(referent)
            wanted = "m" if pronoun == "he" else "f"
            return not referent.plural and referent.person is not False and gender in (None, wanted)
        if pronoun == "they":
            return referent.plural or referent.person is False
        if pronoun == "it":
            return not referent.plural and referent.person is False
        return False

    def resolve(
        self,
        pronoun: str,
        same_sentence: list[Referent],
        own_sentence_only: bool = False,
        learn: bool = True,
        before: int = -1,
    ) -> Referent | None:
        """The first agreeing candidate: the pronoun's own sentence before it, then the last
        sentences, most recent first ('they' takes a sentence's plural actors before its bodies).
        ``own_sentence_only``: a pronoun inside a relative clause ('anyone they believe') refers
        within its sentence or is generic. ``learn``: remember the gender 'he'/'she' gives the name
        (only for a pronoun that introduces a statement, where the antecedent is surest).
        ``before``: the position in the window of the pronoun's own sentence, if it was read already."""
        pronoun = pronoun.lower()
        window = range(before + 1, min(before + 1 + self.lookback, len(self._sentences)))
        candidates = [same_sentence] if own_sentence_only else [same_sentence, *map(self._referents, window)]
        for referents in candidates:
            ordered = sorted(referents, key=lambda r: not r.plural) if pronoun == "they" else referents
            for referent in ordered:
                if self.agrees(pronoun, referent):
                    if learn and pronoun in ("he", "she") and referent.key:
                        self._genders.setdefault(referent.key, "m" if pronoun == "he" else "f")
                    return referent
        return None
