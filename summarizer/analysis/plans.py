"""Proposals on the table, read from the parse: a plan, offer or deal, who puts it forward, its terms.

A sentence states a proposal when

* someone **puts it forward**: a proposing verb with its subject and object ('the White House has
  proposed increasing the corporate tax rate', 'Senate Republicans unveiled a $928 billion
  infrastructure proposal', 'Trump intends to request $8.6 billion for the wall');
* or the **plan itself says what it does**: a plan noun as the subject of a verb of terms ('the
  current proposal could result in a six-week ceasefire ... as well as the release of 40 hostages',
  'the budget plan would cut $327 billion from welfare programs'), or with a clause that gives its
  terms ('a deal for a truce which would be staggered over three stages').

What is not: a headline (no full stop), a plan that is only the object of someone else's verb ('Hamas
is reviewing a new proposal', 'rejected the offer': a reaction, see stances.py), a prediction about a
plan ('the proposal will face stiff opposition'). The sentence right after a proposal that gives more
terms ('In return, Israel would release 700 prisoners') adds them to it.

The proposer is the subject of the proposing verb or the plan's possessor ('Trump's proposal');
never the outlet or source that reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from summarizer.analysis.attribution import speaker_phrase
from summarizer.analysis.stances import content_terms, core_tokens, is_headline
from summarizer.vocabulary import (
    LISTING_VERBS,
    OFFERING_VERBS,
    PERSONAL_PRONOUNS,
    PLAN_NOUNS,
    PROPOSING_VERBS,
    TERMS_OPENERS,
    TERMS_VERBS,
    THIRD_PERSON_PRONOUNS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# A term is a phrase, not a paragraph: longer ones are cut at a clause.
MAX_TERM_WORDS = 24
_NUMBER = re.compile(r"\d")
# ', according to US media', ', officials said': who reports the terms, not part of them.
_ATTRIBUTION_TAIL = re.compile(r",\s+(?:according to\b.*|(?:\w+\s+){1,4}(?:said|says|reported|added)\b.*)$")
# A plan's terms from a clause on it ('which would be staggered over three stages') must be specific:
# a number, an amount or a stage; 'a deal that would free hostages' names a goal, not terms.
_SPECIFIC = ("CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT", "DATE")


@dataclass
class PlanMention:
    sentence_id: int
    proposer: str | None  # as the text names them
    what: str  # the plan as the sentence names it: 'a $928 billion infrastructure proposal'
    terms: list[str] = field(default_factory=list)  # what it would do, each a phrase of the text
    keys: frozenset[str] = frozenset()  # content lemmas and numbers, to meet other mentions with
    side: str = ""  # the proposer's party, filled by the analysis
    term_sentences: list[int] = field(default_factory=list)  # sentences its terms come from


def find_plan(sentence_id: int, doc: Doc) -> PlanMention | None:
    """The proposal a parsed sentence states, if it states one (see the module doc)."""
    if is_headline(doc) or doc.text.lstrip().startswith("…"):
        return None  # a headline, or a sentence cut short
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ == "VERB" and lemma in PROPOSING_VERBS:
            mention = _put_forward(sentence_id, token)
            if mention is not None:
                return mention
    for token in doc:
        if token.pos_ == "NOUN" and token.lemma_.lower() in PLAN_NOUNS:
            mention = _plan_with_terms(sentence_id, token)
            if mention is not None:
                return mention
    return None


def terms_after(doc: Doc) -> list[str]:
    """The terms a sentence adds to the proposal just before it ('In return, Israel would release 700
    Palestinian prisoners'): the sentence without its opener and its attribution, when it opens so and
    holds a conditional or a number."""
    text = doc.text.strip()
    opener = next((o for o in TERMS_OPENERS if text.lower().startswith(o)), None)
    if opener is None:
        return []
    conditional = any(t.lower_ in ("would", "will", "could") for t in doc)
    if not conditional and not _NUMBER.search(text):
        return []
    if opener.startswith(("in ", "under ")):
        text = text[len(opener) :].lstrip(" ,")
    text = _ATTRIBUTION_TAIL.sub("", text).rstrip(" .")
    return [text[:1].upper() + text[1:]] if text else []


# Phrases after a verb that add how or when, not what: left out of a term that is too long.
_TRAILING = ("prep", "advcl", "advmod", "npadvmod", "xcomp", "conj")
_UNPLACED = PERSONAL_PRONOUNS | THIRD_PERSON_PRONOUNS | {"this", "that", "these", "those"}


class _Unplaced(Exception):
    """The plan's proposer is a pronoun ('It will propose a 12 percent cut'): a reader cannot place it."""


def _holder(verb: Token) -> str | None:
    token = verb
    for _ in range(3):
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        if subjects:
            subject = subjects[0]
            if subject.lower_ in _UNPLACED or any(c.lower_ in _UNPLACED for c in subject.children):
                raise _Unplaced
            return speaker_phrase(subject)
        if token.dep_ in ("xcomp", "conj") and token.head.i != token.i:
            token = token.head
            continue
        break
    return None


def _put_forward(sentence_id: int, verb: Token) -> PlanMention | None:
    """'X proposed/unveiled/offered Y': Y, by X. Y must say something (a number, or two content words)."""
    if any(c.dep_ == "neg" for c in verb.children) or verb.dep_ in ("amod", "acl", "pcomp"):
        return None  # 'did not propose', 'the proposed truce' (the truce is the plan: see below)
    if any(a.dep_ in ("relcl", "acl", "appos") for a in verb.ancestors):
        return None  # 'a ruling that opens the door for migrants to request asylum': said of a thing
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children) and verb.dep_ not in (
        "xcomp",
        "conj",
    ):
        return None  # 'a habit of proposing policies': nobody puts anything forward
    objects = [c for c in verb.children if c.dep_ in ("dobj", "xcomp")]
    if not objects:
        return None
    what = objects[0]
    if verb.lemma_.lower() in OFFERING_VERBS and what.lemma_.lower() not in PLAN_NOUNS and not what.like_num:
        return None  # 'offered a gentler assessment' puts nothing on the table
    if any(t.lower_ in _UNPLACED and t.dep_ in ("poss", "det", "dobj", "pobj") for t in core_tokens(what)):
        return None  # 'proposed changing it', 'slashing its benefits': a reader cannot tell what
    keys = content_terms(what)
    if not (_NUMBER.search(what.text) or any(_NUMBER.search(t) for t in keys)) and len(keys) < 2:
        return None
    terms = _clause_terms(what)
    try:
        proposer = _holder(verb)
    except _Unplaced:
        return None
    return PlanMention(sentence_id, proposer, _join(core_tokens(what)), terms, keys)


def _plan_with_terms(sentence_id: int, noun: Token) -> PlanMention | None:
    """A plan noun that says what it does: the subject of a verb of terms, or with a clause of terms."""
    if noun.dep_ in ("nsubj", "nsubjpass"):
        verb = noun.head
        lemma = verb.lemma_.lower()
        if lemma not in TERMS_VERBS:
            return None
        objects = _objects(verb)
        bare = any(o.dep_ == "conj" and not list(o.children) for o in objects)
        if lemma in LISTING_VERBS and not bare:  # 'would result in X, as well as Y': X and Y
            terms = [_listed_term(o) for o in objects]
        else:  # 'would cut $1.1 trillion from Medicaid': what it does
            terms = [_verb_phrase(verb)]
    else:
        clauses = [c for c in noun.children if c.dep_ == "relcl"]
        if not clauses or not any(a.lower_ == "would" for a in clauses[0].children):
            return None  # 'which would be staggered over three stages'; 'which will eclipse' is no term
        if not any(t.ent_type_ in _SPECIFIC or t.like_num for t in clauses[0].subtree):
            return None
        terms = [_verb_phrase(clauses[0])]
    terms = [t for t in terms if t]
    if not terms:
        return None
    possessor = next((c for c in noun.children if c.dep_ == "poss"), None)
    proposer = None
    if possessor is not None and possessor.lower_ not in PERSONAL_PRONOUNS | THIRD_PERSON_PRONOUNS:
        proposer = speaker_phrase(possessor).removesuffix("’s").removesuffix("'s").strip()
    what = _join([t for t in noun.subtree if t.i <= noun.i and t.dep_ != "relcl"]) or noun.text
    keys = content_terms(noun) | frozenset(k for t in terms for k in re.findall(r"\d[\d.,]*", t))
    return PlanMention(sentence_id, proposer, what, terms, keys)


def _listed_term(item: Token) -> str:
    """A term a plan lists, when it says something: a number or two content words ('the release of 40
    hostages', 'a six-week ceasefire'). A bare word ('a provision', 'billions more') says what only
    with its clause ('a provision that would write into law ...'); without one it is no term."""
    core = _phrase(item)
    # Two words that name things: 'severe reductions' says how much only in an adjective, no term.
    content = content_terms(item, core)
    naming = [t for t in core if t.pos_ in ("NOUN", "PROPN", "VERB") and t.lemma_.lower() in content]
    if _NUMBER.search(_join(core)) or len(naming) >= 2:
        return _join(core)
    clauses = [c for c in item.children if c.dep_ == "relcl"]
    if clauses:
        joined = {t.i for c in item.children if c.dep_ == "conj" for t in c.subtree}
        words = [t for t in item.subtree if t.i not in joined]
        if len(words) <= MAX_TERM_WORDS:
            return _join(words)
    return ""


def _objects(verb: Token) -> list[Token]:
    """The verb's objects after it, with those joined to them ('in a ceasefire, as well as the
    release of ...'); not 'In addition to X' before it."""
    found = [c for c in verb.children if c.i > verb.i and c.dep_ in ("dobj", "attr", "oprd")]
    if not found:
        # 'would call for X at Y', 'would result in X by 2020': the first preposition's object is what
        # is listed; later ones say where or when ('at a number of agencies'), not another term.
        first = next((c for c in verb.children if c.i > verb.i and c.dep_ == "prep"), None)
        found = [c for c in first.children if c.dep_ == "pobj"] if first is not None else []
    joined = [c for o in found for c in o.children if c.dep_ == "conj"]
    return found + joined


def _phrase(head: Token) -> list[Token]:
    """A noun phrase's core without the phrases joined to it (they are terms of their own)."""
    dropped = {t.i for c in head.children if c.dep_ in ("conj", "cc", "preconj") for t in c.subtree}
    return [t for t in core_tokens(head) if t.i not in dropped]


def _verb_phrase(verb: Token, keep_subject: bool = False) -> str:
    """What a verb says, as a phrase: itself, its auxiliaries and objects, without what comes before
    it ('In return, ...', 'as proposed during previous talks'), its subject (unless kept) and asides."""
    dropped: set[int] = set()
    for child in verb.children:
        before = child.i < verb.i and child.dep_ not in ("aux", "auxpass", "neg")
        if child.dep_ in ("nsubj", "nsubjpass") and keep_subject:
            continue
        if (
            before
            or child.dep_ in ("advcl", "parataxis", "punct", "cc", "mark", "nsubj", "nsubjpass")
            or child.dep_ == "prep"
            and child.lower_ == "according"
        ):
            dropped.update(t.i for t in child.subtree)
    tokens = [t for t in verb.subtree if t.i not in dropped and (not t.is_punct or _joins_words(t))]
    # Too long: leave out whole phrases from the end ('by turning over more control to states'),
    # never cut one in the middle.
    trailing = sorted((c for c in verb.children if c.i > verb.i and c.dep_ in _TRAILING), key=lambda c: -c.i)
    for child in trailing:
        if len(tokens) <= MAX_TERM_WORDS:
            break
        cut = {t.i for t in child.subtree}
        tokens = [t for t in tokens if t.i not in cut]
    return _join(tokens) if len(tokens) <= MAX_TERM_WORDS else ""


def _joins_words(token: Token) -> bool:
    """A hyphen inside a word ('long-term'), kept where other punctuation goes."""
    before = token.doc[token.i - 1] if token.i > 0 else None
    return token.text in "-–" and not token.whitespace_ and before is not None and not before.whitespace_


def _clause_terms(what: Token) -> list[str]:
    """'three options ... that include strong border security': what its clause says it holds."""
    clauses = [c for c in what.children if c.dep_ == "relcl" and c.lemma_.lower() in TERMS_VERBS]
    return [_join(core_tokens(o)) for c in clauses for o in _objects(c)] if clauses else []


def _join(tokens: list[Token]) -> str:
    """The words with the text's own spacing (no space before a comma where words were left out)."""
    if not tokens:
        return ""
    tokens = sorted(tokens, key=lambda t: t.i)
    text = ""
    for n, token in enumerate(tokens):
        following = tokens[n + 1] if n + 1 < len(tokens) else None
        joined = following is not None and (
            (following.i == token.i + 1 and not token.whitespace_) or following.text in (",", ";", ":", ".")
        )
        text += token.text + ("" if joined else " ")
    return text.strip(" ,;:–—").strip()
