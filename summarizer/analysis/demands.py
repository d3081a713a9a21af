"""Demands: what a party demands, insists on or sets as a condition, read from the parse.

A cue word ('demands', 'called for', 'insists on', 'wants', 'argued that ... should') opens a demand.
From the dependency parse:

* **what** is demanded is the cue's object phrase, whole: its subtree, so that a number is never cut
  at its thousands separator ('2,800 personnel'), a reporting clause after it ('..., Reuters
  reported') or the verb of the sentence ('$5 billion for a wall led to the shutdown') is no part of
  it, and a list ('a ceasefire, a withdrawal and aid') is split at its conjuncts;
* **whose** demand it is: the possessor of a demand noun ('Hamas' demand for'), else the subject of
  the cue verb or of the clause it hangs on ('Trump's proposal calls for', 'Cornyn ..., arguing
  that'); a pronoun is the speaker the sentence reports ('the administration said it wants') or the
  person the previous sentences name. A faction of a party keeps its own name ('Senate Republicans',
  'moderate Democrats'): its demand is not the whole party's.

Headlines, questions ('asked if he wants') and possibilities ('could insist on') state no demand,
and a one-word fragment ('security') is no demand a reader can use.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex, is_headline
from summarizer.geo import POLITICAL_ALIASES
from summarizer.vocabulary import (
    ANAPHORIC_GROUP_NOUNS,
    DEMAND_CUE,
    FACTION_WORDS,
    FUNCTION_WORDS,
    NOT_AN_ITEM,
    PERSONAL_PRONOUNS,
    REPORTING_VERBS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from summarizer.analysis.document import DocumentAnalysis
    from summarizer.documents import Document, Sentence

# Nouns whose list ('its demands, which include ...') or object ('demand for X') is the demand.
_DEMAND_NOUNS = frozenset({"demand", "condition", "call", "push", "insistence"})
# Prepositions after a cue that introduce the demanded thing ('call for X', 'insist on X').
_OBJECT_PREPOSITIONS = frozenset({"for", "on", "to"})
# Prepositions that open a list of the demands themselves ('its conditions, including X, Y').
_LIST_PREPOSITIONS = frozenset({"including", "like", "as"})
_HYPOTHETICAL = frozenset({"could", "might", "may"})
# Words an item does not end with ('... as a').
_DANGLING_END = FUNCTION_WORDS
MAX_DEMAND_CHARACTERS = 160
_QUANTIFIERS = re.compile(r"^(?:the|most|many|some|several|a group of|a handful of|all)\s+", re.I)


def _phrase(tokens: list[Token]) -> str:
    """Text of tokens (document order) from the first to the last, quotes and edges tidied."""
    if not tokens:
        return ""
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and (tokens[0].is_punct or tokens[0].lower_ in ("that", "whether")):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ in ("cc", "preconj")):
        tokens.pop()
    if not tokens:
        return ""
    doc = tokens[0].doc
    text = doc[tokens[0].i : tokens[-1].i + 1].text
    text = re.sub(r"[“”\"]", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:—–-")


def _object_text(head: Token, clause: bool) -> str:
    """The words of an object phrase: the head's subtree, cut to the one stretch around the head (a
    reporting clause the parse hangs on it, '..., Reuters reported', is not the demand's), and for a
    clause without the clauses joined to it ('..., and the only way to ensure that is ...')."""
    skip: set[int] = set()
    for child in head.children:
        if clause and child.dep_ in ("conj", "cc") and child.i > head.i:
            skip |= {t.i for t in child.subtree}
        if child.dep_ == "parataxis":
            skip |= {t.i for t in child.subtree}
    words = sorted((t for t in head.subtree if t.i not in skip), key=lambda t: t.i)
    stretch: list[Token] = []
    for word in words:
        if stretch and word.i != stretch[-1].i + 1:
            if word.i > head.i:
                break
            stretch = []
        stretch.append(word)
    return _phrase(stretch)


def _purpose(head: Token) -> str:
    """What an amount is for, where the parse hangs it elsewhere: ' for new roads' of 'a demand for $5
    billion for new roads' (an amount alone says nothing of what is demanded)."""
    after = head.right_edge.i + 1
    if not (head.like_num or head.pos_ == "NUM") or after >= len(head.doc):
        return ""
    prep = head.doc[after]
    objects = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
    if prep.lower_ != "for" or prep.head.i == head.i or not objects:
        return ""
    noun = objects[0]
    words = [t for t in noun.subtree if t.i <= noun.i]
    return " " + _phrase([prep, *words])


# A list of demands: items parted by commas (never the comma inside a number, '2,800'), the last one
# by 'and'/'or'; 'and' before an article parts two items too ('a ceasefire and the return of ...').
_ITEM_SEPARATOR = re.compile(r",(?!\d)\s*(?:and\s+|or\s+)?|\s+and\s+(?=(?:the|a|an)\s)")


def split_items(text: str) -> list[str]:
    """'a withdrawal of troops, the return of the displaced, and a prisoner exchange' -> its items."""
    items = [re.sub(r"\s+", " ", part).strip(" ,;:") for part in _ITEM_SEPARATOR.split(text)]
    return [item for item in items if item]


def _is_list(cue: Token, head: Token) -> bool:
    """The object opens a list of demands ('its demands, including a, b and c')."""
    return head.head.lower_ in _LIST_PREPOSITIONS or head.head.lemma_.lower() == "include"


def _list_text(cue: Token, head: Token) -> str:
    """A list of demands runs from its first item to the end of the cue's phrase: the parse hangs
    the later items on the cue noun or the first item, not always inside the first item's subtree."""
    end = max(head.right_edge.i, cue.right_edge.i if cue.pos_ == "NOUN" else head.right_edge.i)
    return _phrase(list(cue.doc[head.left_edge.i : end + 1]))


def _objects(cue: Token) -> tuple[list[Token], bool]:
    """The heads of the object phrases a cue introduces, and whether they are clauses (kept whole,
    never split as a list)."""
    lemma = cue.lemma_.lower()
    children = list(cue.children)
    # 'its demands, which include a, b and c'.
    for child in children:
        if child.dep_ in ("relcl", "acl") and child.lemma_.lower() == "include":
            objects = [c for c in child.children if c.dep_ in ("dobj", "attr")]
            if objects:
                return objects[:1], False
    # 'a demand for documents, including texts': the documents are the demand, the texts part of it
    # (while 'conditions for a swap, including a, b and c' lists the conditions).
    if lemma in _DEMAND_NOUNS - {"condition"}:
        for child in children:
            if child.dep_ == "prep" and child.lower_ == "for":
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects:
                    return objects[:1], True
    # 'its demands, including a, b and c'; 'its conditions for a swap, including a, b and c'.
    listing = [
        t
        for t in (*cue.subtree, *cue.head.children)
        if t.dep_ == "prep" and t.lower_ in _LIST_PREPOSITIONS and t.i > cue.i and t.i - cue.i <= 8
    ]
    for prep in sorted(listing, key=lambda t: t.i):
        objects = [c for c in prep.children if c.dep_ == "pobj"]
        if objects:
            return objects[:1], False
    if cue.pos_ == "NOUN" and lemma not in _DEMAND_NOUNS:
        return [], False
    for child in children:
        if child.dep_ == "prep" and child.lower_ in _OBJECT_PREPOSITIONS:
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return objects[:1], objects[0].pos_ in ("VERB", "AUX")
    if cue.pos_ in ("VERB", "AUX"):
        for child in children:
            if child.dep_ == "dobj":
                return [child], False
        for child in children:
            if child.dep_ in ("ccomp", "xcomp") and child.i > cue.i:
                if child.lower_ == "see":  # 'would like to see X'
                    return _objects(child)
                return [child], True
    return [], False


def _cue_token(doc: Doc, match: re.Match[str]) -> Token | None:
    """The word of the cue that governs the object: 'calls' of 'calls for', 'argued' of 'argued that',
    'see' of 'would like to see', 'demands'."""
    span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
    if span is None or not len(span):
        return None
    words = [t for t in span if t.pos_ in ("VERB", "NOUN", "AUX") and t.lower_ not in ("would", "like", "to")]
    if match.group(0).lower().startswith("would like to see"):
        words = [t for t in span if t.lower_ == "see"]
    return words[0] if words else span[0]


def _clause_verb(token: Token) -> Token:
    while token.pos_ not in ("VERB", "AUX") and token.head != token:
        token = token.head
    return token


def _stated_as_fact(cue: Token) -> bool:
    """False for a question ('asked if he wants') or a possibility ('could insist on')."""
    verb = _clause_verb(cue)
    for token in (verb, verb.head):
        if any(c.dep_ == "aux" and c.lower_ in _HYPOTHETICAL for c in token.children):
            return False
        if any(c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in token.children):
            return False
    return True


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, or of the verb or noun its clause hangs on ('arguing' in 'X shrugged
    off ..., arguing that'); for a relative clause, the noun it describes."""
    for _ in range(5):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            subject = subjects[0]
            if subject.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                return verb.head
            return subject
        if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head
        if verb.dep_ in ("xcomp", "advcl", "conj", "pcomp", "ccomp", "prep", "pobj") and verb.head != verb:
            verb = verb.head
            continue
        return None
    return None


def _owner_phrase(cue: Token) -> Token | None:
    """The word that names whose demand it is: a demand noun's possessor or compound ('Hamas'
    demand', 'the Hamas demand'), else the subject of the clause."""
    if cue.pos_ == "NOUN":
        for child in cue.children:
            if child.dep_ in ("poss",) or (child.dep_ == "compound" and child.pos_ == "PROPN"):
                return child
    return _subject(_clause_verb(cue) if cue.pos_ == "NOUN" else cue)


def _noun_phrase(token: Token) -> str:
    """A subject's words without its relative clauses, appositions and conjuncts."""
    skip = {
        t.i
        for c in token.children
        if c.dep_ in ("relcl", "acl", "appos", "conj", "cc", "punct")
        for t in c.subtree
    }
    return _phrase([t for t in token.subtree if t.i not in skip])


def faction_of(phrase: str, index: PartyIndex) -> str | None:
    """A faction of a political party named as the owner ('Senate Republicans', 'moderate
    Democrats'), as written without its quantifier, or None."""
    words = phrase.replace("-", " ").split()
    if not words or len(words) > 5 or not {w.lower() for w in words} & FACTION_WORDS:
        return None
    parties = [p for p in index.mentions(phrase) if p in POLITICAL_ALIASES or p.endswith(" Party")]
    if len(set(parties)) != 1 or any(w[:1].isupper() and w in index.people for w in words):
        return None
    return _QUANTIFIERS.sub("", phrase).strip()


def _previous_person(document: Document, sentence: Sentence, index: PartyIndex) -> str | None:
    """The side of the last person named in the two sentences before (the 'he' of 'his push')."""
    earlier = [s for s in document.citable_sentences if s.id < sentence.id][-2:]
    for previous in reversed(earlier):
        people = [
            p
            for p in (*index.named_members(previous.analysis_text), *index.mentions(previous.analysis_text))
            if p in index.people or p in index.members
        ]
        if people:
            return index.side_of(people[-1])
    return None


_POSSESSIVES = frozenset({"his", "her", "its", "their", "our", "my"})


def _possessor_before(text: str, position: int, index: PartyIndex) -> str | None:
    """The party named just before a demand noun with a possessive ('Hamas’ demand', 'Israel’s prime
    demand'), read from the text where the parse does not hang the name on the noun."""
    window = text[max(0, position - 80) : position]
    found = None
    for name in index.mentions(window):
        found = name
    if found is None:
        return None
    tail = re.search(r"(?:’s|'s|’|')\s+(?:[\w-]+\s+){0,2}$", window)
    return found if tail else None


def _owner(
    cue: Token, document: Document, sentence: Sentence, analysis: DocumentAnalysis, index: PartyIndex
) -> str | None:
    """Whose demand a cue states (see the module docstring), or None when the text does not say."""
    text = sentence.analysis_text
    if cue.pos_ == "NOUN" and not any(c.dep_ == "poss" for c in cue.children):
        named = _possessor_before(text, cue.idx, index)
        if named:
            return named
    word = _owner_phrase(cue)
    if word is None:
        return None
    if word.lower_ in PERSONAL_PRONOUNS or word.lower_ in _POSSESSIVES or word.lower_ in ("who", "which"):
        if word.dep_ == "poss" and cue.pos_ == "NOUN":  # 'its demands': whose? the clause's subject
            subject = _subject(_clause_verb(cue))
            if subject is not None and subject.lower_ not in PERSONAL_PRONOUNS:
                return _owner_of_phrase(_noun_phrase(subject), document, sentence, index)
        governing = _governing_subject(word)
        if governing is not None:
            return _owner_of_phrase(_noun_phrase(governing), document, sentence, index)
        antecedent = _pronoun_antecedent(word, text, index) if word.lower_ not in ("who", "which") else None
        if antecedent:
            return antecedent
        attribution = analysis.attributions.get(sentence.id)
        if attribution and attribution.pronoun and attribution.side != UNKNOWN_SIDE:
            return attribution.side
        return _previous_person(document, sentence, index)
    return _owner_of_phrase(_noun_phrase(word), document, sentence, index)


def _owner_of_phrase(phrase: str, document: Document, sentence: Sentence, index: PartyIndex) -> str | None:
    """The party (or faction) a subject phrase names: a person by their name before the words of
    their title ('House Speaker Nancy Pelosi' is Pelosi's, not the House's), 'the president' by the
    one who has that title; 'the group', 'the movement' (a description without a name) is the party
    the sentence before is about."""
    faction = faction_of(phrase, index)
    if faction:
        return faction
    person = index.canonical(phrase) or index.titled_person(phrase[:1].lower() + phrase[1:])
    side = index.side_of(person or phrase)
    if side != UNKNOWN_SIDE:
        return side
    words = phrase.lower().split()
    if len(words) >= 2 and words[0] in ("the", "this", "that") and words[-1] in ANAPHORIC_GROUP_NOUNS:
        earlier = [s for s in document.citable_sentences if s.id < sentence.id][-1:]
        named = index.mentions(earlier[0].analysis_text) if earlier else []
        return named[0] if named else None
    return None


def _governing_subject(pronoun: Token) -> Token | None:
    """The named subject a pronoun subject stands for by the structure of the sentence: the speaker of
    the reporting verb whose clause it is in ('Trump told X he wanted ...'), or the subject of the
    clause its clause hangs on ('Trump caused it because he demanded a wall')."""
    if pronoun.dep_ not in ("nsubj", "nsubjpass"):
        return None
    verb = pronoun.head
    for _ in range(4):
        if verb.head == verb:
            return None
        if verb.dep_ == "ccomp" and verb.head.lemma_.lower() in REPORTING_VERBS:
            speaker = _subject(verb.head)
            return speaker if speaker is not None and speaker.lower_ not in PERSONAL_PRONOUNS else None
        if verb.dep_ not in ("advcl", "conj", "xcomp"):
            return None
        verb = verb.head
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and subjects[0].lower_ not in PERSONAL_PRONOUNS:
            return subjects[0]
    return None


def _pronoun_antecedent(pronoun: Token, text: str, index: PartyIndex) -> str | None:
    """The party a pronoun subject stands for, named earlier in the same sentence: the last person
    for 'he'/'she' ('X said Trump caused it because he demanded a wall'), the last party for 'it'/
    'they' ('Hamas announced it would like to see ...')."""
    before = text[: pronoun.idx]
    if pronoun.lower_ in ("he", "she", "his", "her"):
        people = [
            p
            for p in index.named_members(before) + [m for m in index.mentions(before) if m in index.people]
            if p in index.people or p in index.members
        ]
        last = max(people, key=lambda p: before.rfind(p.split()[-1]), default=None)
        return index.side_of(last) if last else None
    named = index.mentions(before)
    return named[-1] if named else None


def _whole(item: str) -> bool:
    """A phrase a reader can use as a demand: two words or more, not a fragment cut at a function word
    or starting with a reporting word, not a pointer back ('the changes', 'these steps')."""
    words = item.split()
    if len(words) == 2 and words[0].lower() in ("the", "these", "those", "this", "that", "such"):
        return False
    return (
        len(words) >= 2
        and len(item) <= MAX_DEMAND_CHARACTERS
        and words[-1].lower() not in _DANGLING_END
        and not NOT_AN_ITEM.match(item)
    )


def find_demands(
    document: Document,
    sentence: Sentence,
    doc: Doc | None,
    analysis: DocumentAnalysis,
    index: PartyIndex,
) -> list[tuple[str, str]]:
    """(owner, demand) pairs a sentence states, in order (see the module docstring)."""
    text = sentence.analysis_text
    if doc is None or is_headline(text):
        return []
    found: list[tuple[str, str]] = []
    for match in DEMAND_CUE.finditer(text):
        cue = _cue_token(doc, match)
        if cue is None or not _stated_as_fact(cue):
            continue
        heads, clause = _objects(cue)
        heads = [h for h in heads if h.lemma_.lower() not in _DEMAND_NOUNS]  # 'adheres to its demands, ...'
        texts = [
            _list_text(cue, head) if _is_list(cue, head) else _object_text(head, clause) + _purpose(head)
            for head in heads
        ]
        items = [item for text in texts for item in ([text] if clause else split_items(text)) if _whole(item)]
        if not items:
            continue
        owner = _owner(cue, document, sentence, analysis, index)
        if owner is None:
            continue
        for item in items:
            if (owner, item) not in found and not any(item in other for _, other in found):
                found.append((owner, item))
    return found


def demand_owner(
    document: Document, sentence: Sentence, analysis: DocumentAnalysis, index: PartyIndex
) -> str | None:
    """Whose demand a sentence states (the owner of its first demand cue), or None: what a model's
    demand on this sentence is checked against."""
    doc = index.corpus.get(document.doc_id, sentence.id)
    if doc is None or is_headline(sentence.analysis_text):
        return None
    for match in DEMAND_CUE.finditer(sentence.analysis_text):
        cue = _cue_token(doc, match)
        if cue is not None and _stated_as_fact(cue):
            return _owner(cue, document, sentence, analysis, index)
    return None
