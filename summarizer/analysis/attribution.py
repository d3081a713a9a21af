"""Attribution from the dependency parse: who says what in a sentence.

* the subject of a reporting verb ('Hamas official X said', '…, said the official', 'a senior source
  tells Al Jazeera'), with the listener of 'told' kept as the outlet;
* 'according to X';
* a relative pronoun as subject ('the official, who said …') stands for the noun it hangs on;
* a personal pronoun ('he said') stands for the last person named before it in the document, so a
  speaker is always a name or a description, never 'he'.

Unnamed speakers ('two Egyptian security sources') keep their description; their side is resolved
by the party index (``PartyIndex.side_of``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.analysis.parties import UNKNOWN_SIDE
from summarizer.vocabulary import (
    LEADING_WORDS,
    PERSONAL_PRONOUNS,
    POSITION_VERBS,
    REPORTING_VERBS,
    SPEAKER_NOUNS,
    STANCE_AGAINST,
    STANCE_FOR,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MAX_SPEAKER_WORDS = 10
_SUBJECTS = ("nsubj", "nsubjpass")
# Parts of a subject phrase that are not the speaker's name or description.
_DETACHED = {"relcl", "acl", "advcl", "punct", "appos", "cc", "conj", "prep", "parataxis"}


@dataclass
class Attribution:
    sentence_id: int
    speaker: str
    cue: str  # the verb or phrase that marks the attribution
    outlet: str | None = None  # "told Reuters" -> Reuters
    side: str = UNKNOWN_SIDE
    pronoun: bool = False  # the text says 'he'/'she'/'they'; ``speaker`` is the antecedent
    content: str = ""  # what is said: the reported clause, without the speaker and the verb


def _content(doc: Doc, verb: Token | None, drop: Token | None = None) -> str:
    """The reported proposition: the clause the verb reports ('said [that no progress was made]'),
    else the sentence without the attribution ('[Talks resume], a source said')."""
    if verb is not None:
        clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp")]
        if clauses:
            span = doc[clauses[0].left_edge.i : clauses[0].right_edge.i + 1]
            words = [t for t in span if not (t.i == span.start and t.lower_ in ("that", "whether"))]
            return _tidy(doc[words[0].i : words[-1].i + 1].text) if words else ""
    removed = {t.i for t in (drop or verb).subtree} if (drop or verb) is not None else set()
    if verb is not None and verb.dep_ != "ROOT":
        removed = {t.i for t in verb.subtree} - {
            t.i for c in verb.children if c.dep_ == "ccomp" for t in c.subtree
        }
    kept = [t for t in doc if t.i not in removed]
    return _tidy(" ".join(t.text_with_ws.strip() for t in kept)) if kept else ""


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?’”])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)  # the attribution taken out leaves ', ,'
    text = re.sub(r"^(?:However|But|And|So|Meanwhile|Still|Yet|Similarly),\s*", "", text)
    text = re.sub(r"([“‘])\s+", r"\1", text)
    return text.strip(" ,;:“”\"'’‘").rstrip(".").strip(" ,;:“”\"'’‘")


def _phrase(head: Token, drop: set[str]) -> str:
    """The words of ``head``'s subtree without the children whose relation is in ``drop``."""
    skipped: set[int] = set()
    for child in head.children:
        if child.dep_ in drop:
            skipped.update(t.i for t in child.subtree)
    words = [t for t in head.subtree if t.i not in skipped]
    while words and (words[0].lower_ in LEADING_WORDS or words[0].is_punct):
        words = words[1:]
    while words and words[-1].is_punct:
        words = words[:-1]
    if not words:
        return ""
    return head.doc[words[0].i : words[-1].i + 1].text


def speaker_phrase(head: Token) -> str:
    """'a senior Hamas source' for the subject 'source'; relative clauses and asides are left out; a
    long description keeps its core ('a source familiar with the talks' stays whole when short). A
    named speaker joined to the subject is kept ('the sources and Al-Qahera'): it may tell the side."""
    phrase = _phrase(head, {"relcl", "acl", "advcl", "punct", "appos", "parataxis", "cc", "conj"})
    if len(phrase.split()) > MAX_SPEAKER_WORDS:
        phrase = _phrase(head, _DETACHED)
    named = [c for c in head.children if c.dep_ == "conj" and (c.ent_type_ or c.pos_ == "PROPN")]
    if named:
        joined = _phrase(named[0], _DETACHED)
        if joined and len(phrase.split()) + len(joined.split()) < MAX_SPEAKER_WORDS:
            phrase = f"{phrase} and {joined}"
    return re.sub(r"\s+", " ", phrase).strip(" ,;:“”\"'’‘")


def _plausible(head: Token) -> bool:
    """A speaker names someone or a role ('officials', 'the ministry'); not 'it', not a thing."""
    if head.lower_ in PERSONAL_PRONOUNS:
        return head.lower_ != "it"
    if head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if head.pos_ == "PROPN":
        return True
    return head.lemma_.lower() in SPEAKER_NOUNS or head.lower_ in SPEAKER_NOUNS


def _reports_something(verb: Token, doc: Doc) -> bool:
    if any(c.dep_ in ("ccomp", "xcomp") for c in verb.children) or verb.dep_ in ("parataxis", "ccomp"):
        return True
    if any(mark in doc.text for mark in '“”"'):
        return True
    return verb.lemma_.lower() in POSITION_VERBS


def _listener(verb: Token) -> str | None:
    """'told Reuters' -> Reuters; 'told reporters' is no outlet."""
    for child in verb.children:
        if child.dep_ in ("dobj", "dative") and (child.ent_type_ or child.pos_ == "PROPN"):
            return _phrase(child, _DETACHED)
    return None


def find_attribution(sentence_id: int, doc: Doc, last_person: str | None = None) -> Attribution | None:
    """The speaker of one parsed sentence, if the parse names one."""
    for token in doc:
        if token.pos_ != "VERB" or token.lemma_.lower() not in REPORTING_VERBS:
            continue
        subjects = [c for c in token.children if c.dep_ in _SUBJECTS]
        if not subjects:
            continue
        head = subjects[0]
        if head.lower_ in ("who", "that", "which") and token.dep_ == "relcl":
            head = token.head  # 'the official, who said …'
        if not _plausible(head):
            continue
        if head.lower_ in PERSONAL_PRONOUNS:
            if last_person is None or head.lower_ in ("we", "i"):
                continue
            return Attribution(
                sentence_id,
                last_person,
                token.text,
                _listener(token),
                pronoun=True,
                content=_content(doc, token),
            )
        if not _reports_something(token, doc):
            continue
        speaker = speaker_phrase(head)
        if speaker:
            return Attribution(
                sentence_id, speaker, token.text, _listener(token), content=_content(doc, token)
            )
    for token in doc:
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects and _plausible(objects[0]):
                speaker = speaker_phrase(objects[0])
                if speaker:
                    return Attribution(
                        sentence_id, speaker, "according to", content=_content(doc, None, drop=token)
                    )
    return None


def last_person_named(doc: Doc) -> str | None:
    """The last person named in a sentence, for a 'he said' that follows."""
    people = [e for e in doc.ents if e.label_ == "PERSON"]
    return people[-1].text if people else None


def is_quote_only(text: str) -> bool:
    """A sentence that is a quote with no speaker of its own continues the previous speaker."""
    text = text.strip()
    return text[:1] in '“"'


def _object_phrase(verb: Token) -> Token | None:
    """What a stance verb is about: its clause or object ('proposed [increasing the rate]')."""
    for child in verb.children:
        if child.dep_ in ("xcomp", "dobj", "ccomp"):
            return child
    for child in verb.children:  # 'opposed to [X]'
        if child.dep_ == "prep" and child.lower_ in ("to", "on"):
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return objects[0]
    return None


def _clause_text(head: Token, skip: set[int] | None = None) -> str:
    """``head``'s subtree without relative clauses and asides at any depth ('the rate, which X opposes')."""
    removed: set[int] = set()
    for token in head.subtree:
        if token.i in (skip or set()) or (
            token.dep_ in ("relcl", "advcl", "parataxis") and token is not head
        ):
            removed.update(t.i for t in token.subtree)
    words = [t for t in head.subtree if t.i not in removed]
    while words and words[-1].is_punct:
        words = words[:-1]
    return " ".join(t.text for t in words)


def find_stances(sentence_id: int, doc: Doc) -> list[Attribution]:
    """Positions stated as support or opposition ('the White House has proposed increasing the
    corporate tax rate, which Republicans are firmly opposed to'): each actor's stance on the same
    thing, so rival proposals and demands can meet as one contested question. Opposition is worded
    'opposes …' (negative polarity)."""
    stances: list[Attribution] = []
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ not in ("VERB", "ADJ") or lemma not in STANCE_FOR | STANCE_AGAINST:
            continue
        clause = token.head if token.dep_ in ("acomp", "xcomp") and lemma in STANCE_AGAINST else token
        subjects = [c for c in clause.children if c.dep_ in _SUBJECTS]
        if not subjects or not _plausible(subjects[0]) or subjects[0].lower_ in PERSONAL_PRONOUNS:
            continue
        target = _object_phrase(token)
        if target is None and clause.dep_ == "relcl":  # '…, which Republicans are opposed to'
            antecedent = clause.head
            governor = antecedent.head if antecedent.dep_ in ("dobj", "pobj") else antecedent
            target = governor if governor.pos_ == "VERB" else antecedent
            thing = _clause_text(target, skip={clause.i})
        elif target is not None:
            thing = _clause_text(target)
        else:
            continue
        thing = _tidy(thing)
        if len(thing.split()) < 2:
            continue
        content = f"opposes {thing}" if lemma in STANCE_AGAINST else thing
        stances.append(Attribution(sentence_id, speaker_phrase(subjects[0]), token.text, content=content))
    return stances
