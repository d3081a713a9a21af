"""Figures: numbers with what they count ('33,000 Palestinians killed', '$1.2bn in aid'), their
qualifier ('more than') and who gives them; and the one number parser every module uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.documents import Sentence
from summarizer.vocabulary import FUNCTION_WORDS, IRREGULAR_PARTICIPLES, QUALIFIER_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# ---------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?P<qualifier>\b(?i:more than|over|some|around|about|nearly|almost|at least|up to|roughly|"
    r"approximately|fewer than|less than|under)\s+)?"
    r"(?P<currency>[$€£])?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?P<scale>\s*(?:million|billion|trillion|thousand|bn|m)\b)?"
)
# Plural nouns that say what is counted, by class (general English).
COUNTED_NOUNS = {
    "people": "people",
    "persons": "people",
    "palestinians": "people",
    "israelis": "people",
    "civilians": "people",
    "casualties": "people",
    "children": "children",
    "women": "women",
    "hostages": "hostages",
    "captives": "hostages",
    "prisoners": "prisoners",
    "detainees": "prisoners",
    "soldiers": "soldiers",
    "troops": "soldiers",
    "fighters": "fighters",
    "bodies": "bodies",
    "residents": "people",
    "refugees": "refugees",
    "votes": "votes",
    "seats": "seats",
    "jobs": "jobs",
    "days": "days",
    "weeks": "weeks",
    "months": "months",
    "hours": "hours",
    "years": "years",
    "dollars": "dollars",
    "members": "members",
    "homes": "homes",
    "trucks": "trucks",
}
# What an amount of money is ("$928 billion infrastructure proposal", "$1 trillion in new spending"), by
# class, so that outlets' amounts for the same thing are compared and different things are not.
MONEY_NOUNS = {
    "spending": "spending",
    "package": "package",
    "proposal": "proposal",
    "offer": "proposal",
    "counteroffer": "proposal",
    "counterproposal": "proposal",
    "plan": "proposal",
    "framework": "proposal",
    "bill": "bill",
    "budget": "budget",
    "aid": "aid",
    "assistance": "aid",
    "funding": "funding",
    "funds": "funding",
    "cuts": "cuts",
    "cut": "cuts",
    "tax": "taxes",
    "taxes": "taxes",
    "deficit": "deficit",
    "deficits": "deficit",
    "debt": "debt",
    "loan": "loans",
    "loans": "loans",
    "assets": "assets",
    "investment": "investment",
    "investments": "investment",
    "revenue": "revenue",
    "fine": "fines",
    "penalty": "fines",
    "deal": "deal",
    "contract": "deal",
}
# What happened to them, by class.
_EVENT_WORDS = [
    ("killed", r"killed|killing|kill|dead|died|death toll|deaths|casualties"),
    ("held", r"held|captive|remain|still held|in captivity|seized|taken"),
    ("released", r"released|freed|free|release"),
    ("wounded", r"wounded|injured"),
    ("displaced", r"displaced|homeless|fled"),
]
# A modal before the event word: the event is a possibility or a goal, not a fact.
_HYPOTHETICAL = re.compile(
    r"\b(?:can|could|would|will|should|may|might|must|to)\s+(?:be\s+|have\s+been\s+)?"
    r"(?:released|freed|free|release|killed|kill|wounded|displaced)\b"
)
_YEAR_OR_DATE = re.compile(
    r"^(?:19|20)\d{2}$|^(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?$"
)


@dataclass
class FigureMention:
    sentence_id: int
    value: float
    text: str  # as written, with qualifier
    noun: str  # counted noun class ("hostages"), or the money unit
    event: str | None  # killed / held / released ...
    qualifier: str | None
    attributed_to: str | None = None
    # What the number counts, in the words of its sentence ('hostages still held in Gaza', 'money
    # requested for the border wall'); None without a parse.
    label: str | None = None

    @property
    def quantity(self) -> str:
        return f"{self.noun} {self.event}" if self.event else self.noun


def _parse_value(match: re.Match[str]) -> float:
    value = float(match.group("number").replace(",", ""))
    scale = (match.group("scale") or "").strip().lower()
    return value * {
        "thousand": 1e3,
        "million": 1e6,
        "m": 1e6,
        "billion": 1e9,
        "bn": 1e9,
        "trillion": 1e12,
    }.get(scale, 1)


def parse_number(text: str) -> float | None:
    """The first number written in ``text``, with its scale: '$1.2bn' -> 1.2e9, '33,175' -> 33175.0,
    'more than 1 million' -> 1e6. The one number parser of the project."""
    match = _NUMBER.search(text)
    return _parse_value(match) if match else None


def find_figures(sentence: Sentence, doc: Doc | None = None) -> list[FigureMention]:
    """The figures of a sentence; with its parse (of ``analysis_text``), each says what it counts."""
    figures: list[FigureMention] = []
    text = sentence.text
    shift = len(sentence.analysis_text) - len(text)  # the lead a widget cut off, read before the text
    for match in _NUMBER.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        after = text[match.end() : match.end() + 60]
        number = match.group("number")
        if _YEAR_OR_DATE.match(number) or re.search(r"[A-Z][a-z]+\.?\s*$", before) and len(number) <= 2:
            continue  # a year or a date ("October 7")
        if re.match(r"\s*(?:-|–)?\s*(?:year-old|percent|%|am|pm|a\.m|p\.m)", after) and not match.group(
            "currency"
        ):
            continue
        # The counted noun is one of the next few words ("33,000 Palestinians", "600 of its soldiers").
        following = re.findall(r"[A-Za-z]+", re.split(r"[,;.()]", after)[0])[:4]
        noun_word = next((w.lower() for w in following if w.lower() in COUNTED_NOUNS), "")
        if match.group("currency"):
            money_word = next((w.lower() for w in following if w.lower() in MONEY_NOUNS), "")
            noun = f"money: {MONEY_NOUNS[money_word]}" if money_word else "money"
        elif noun_word:
            noun = COUNTED_NOUNS[noun_word]
        else:
            continue  # a number whose unit we cannot tell is not a comparable figure
        window = text[match.end() : match.end() + 80].lower()
        event = next((name for name, words in _EVENT_WORDS if re.search(rf"\b(?:{words})\b", window)), None)
        # "the 133 hostages can be released": they have not been; count them without an event.
        hypothetical = event is not None and _HYPOTHETICAL.search(window) is not None
        if hypothetical:
            event = None
        if event is None and not hypothetical:  # "Hamas killed 1,200 people": the event word precedes it
            window_before = text[max(0, match.start() - 40) : match.start()].lower()
            event = next(
                (name for name, words in _EVENT_WORDS if re.search(rf"\b(?:{words})\b", window_before)),
                None,
            )
        qualifier = (match.group("qualifier") or "").strip() or None
        figures.append(
            FigureMention(
                sentence_id=sentence.id,
                value=_parse_value(match),
                text=match.group(0).strip(),
                noun=noun,
                event=event,
                qualifier=qualifier,
                label=figure_label(doc, match.start() + shift, match.end() + shift, noun) if doc else None,
            )
        )
    return figures


# ---------------------------------------------------------------------------------------------------
# What a figure counts, in the words of its sentence
# ---------------------------------------------------------------------------------------------------

_DROPPED_MODIFIERS = ("det", "poss", "nummod", "quantmod", "punct", "case", "predet")
_OBJECT_DEPS = ("dobj", "nsubj", "nsubjpass", "attr", "oprd", "appos")
_KEPT_ADVERBS = ("still", "already")  # 'hostages still held' is not 'hostages held' once


def _participle(verb: Token) -> str:
    """'requested', 'held', 'spent': the verb as a participle (as written when it is one)."""
    if verb.tag_ in ("VBN", "VBD", "VBG"):
        return verb.lower_
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return f"to {verb.lower_}"  # 'slated to come from'
    lemma = verb.lemma_.lower()
    if lemma in IRREGULAR_PARTICIPLES:
        return IRREGULAR_PARTICIPLES[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def _words(tokens: list[Token]) -> str:
    """The words of a phrase without determiners, numbers and their qualifiers, and without the
    function words a cut leaves at its end ('hostages held by')."""
    # A dropped modifier goes with its own modifiers ('Mr. Trump's' of 'Mr. Trump's demand').
    dropped = {d.i for t in tokens if t.dep_ in ("det", "poss", "predet") for d in t.subtree}
    kept = [
        t
        for t in sorted(tokens, key=lambda t: t.i)
        if t.i not in dropped
        and (t.dep_ not in _DROPPED_MODIFIERS or t.text == "-")
        and not (t.like_num or t.text in "$€£" or t.lower_ in QUALIFIER_WORDS)
    ]
    return _trim("".join(t.text_with_ws for t in kept))


def _trim(text: str, limit: int = 0) -> str:
    """Single spaces, at most ``limit`` words, and no function word or hyphen left at either end."""
    words = re.sub(r"\s*-\s*", "-", text).split()
    if limit:
        words = words[:limit]
    while words and (words[-1].lower() in FUNCTION_WORDS or words[-1] in "-,;:"):
        words.pop()
    return " ".join(words)


def _phrase_of(token: Token, limit: int = 6, without: Token | None = None) -> str:
    """A noun phrase without determiners, possessives and numbers, without its clauses, and without
    the subtree of ``without`` (the phrase the figure's own words are in)."""
    skip = {
        t.i
        for c in token.subtree
        if c != token and c.dep_ in ("relcl", "acl", "appos", "conj", "cc", "advcl")
        for t in c.subtree
    }
    if without is not None:
        skip |= {t.i for t in without.subtree}
    return _trim(_words([t for t in token.subtree if t.i not in skip]), limit)


def _prepositional(token: Token, prepositions: tuple[str, ...]) -> str:
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in prepositions:
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return f"{child.lower_} {_phrase_of(objects[0])}".strip()
    return ""


def _purpose(verb: Token) -> str:
    """'spend $8 billion to construct the wall' -> 'to construct wall'."""
    for child in verb.children:
        if child.dep_ in ("xcomp", "advcl") and child.i > verb.i and child.pos_ == "VERB":
            objects = [c for c in child.children if c.dep_ == "dobj"]
            if objects:
                return f"to {child.lower_} {_phrase_of(objects[0], 6)}"
    return ""


def figure_label(doc: Doc, start: int, end: int, noun: str) -> str | None:
    label = _figure_label(doc, start, end, noun)
    return (_trim(label) or None) if label else None


def _figure_label(doc: Doc, start: int, end: int, noun: str) -> str | None:
    """What the number at ``start:end`` of the parsed sentence counts, as a short phrase of the
    sentence's own words: the counted noun with its modifiers and what happened to it ('Israeli
    hostages still held in Gaza', 'Palestinians killed'), or for money, what it is for and what was
    done with it ('money requested for long-promised wall', 'money demanded in new wall funding')."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    head = span.root
    numbers = [t for t in span if t.like_num]
    if numbers and not noun.startswith("money"):
        head = numbers[-1]  # not the qualifier: 'over 600 soldiers'
    if head.dep_ == "nummod" and not noun.startswith("money"):
        head = head.head  # '133 hostages': the noun counted
    elif head.like_num and not noun.startswith("money"):
        of = [g for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children]
        head = of[0] if of else head  # '40 of the hostages held by Hamas'
    anchor = head
    while anchor.dep_ == "conj" and anchor.head is not anchor:  # '$5 billion from A and $3.6 billion from B'
        anchor = anchor.head
    verb = anchor.head if anchor.dep_ in _OBJECT_DEPS and anchor.head.pos_ == "VERB" else None
    if anchor.dep_ == "pobj" and anchor.head.head.pos_ == "VERB":
        verb = anchor.head.head
    if verb is not None and verb.lemma_.lower() in ("be", "have", "do"):
        verb = None
    if noun.startswith("money"):
        what = _prepositional(head, ("for", "in", "to", "from", "on"))
        if verb is not None:
            what = what or _prepositional(verb, ("for", "from", "to")) or _purpose(verb)
            return re.sub(r"\s+", " ", f"money {_participle(verb)} {what}").strip()
        governor = head.head if head.dep_ == "pobj" else None  # 'a request for $8.6 billion'
        if governor is not None and governor.head.pos_ == "NOUN":
            noun_phrase = _phrase_of(governor.head, 4, without=governor)
            return f"money: {noun_phrase} {what or governor.lower_}".strip()
        return f"money {what}".strip() if what else None
    counted = _phrase_of(head, 6) or head.text
    if verb is None and head.dep_ == "pobj" and head.head.head.pos_ == "NOUN":
        # 'coverage for more than 20 million people' -> 'health care coverage for people'
        return f"{_phrase_of(head.head.head, 4, without=head.head)} {head.head.lower_} {counted}"
    if verb is None:
        return counted
    adverbs = " ".join(
        c.lower_ for c in verb.children if c.dep_ == "advmod" and c.lower_ in ("still", "already")
    )
    place = _prepositional(verb, ("in", "during", "since", "from"))
    if head.dep_ in ("nsubj", "nsubjpass", "dobj") and verb.lemma_.lower() not in ("be", "have"):
        return re.sub(r"\s+", " ", f"{counted} {adverbs} {_participle(verb)} {place}").strip()
    # 'continue over the next 48 hours' -> 'next hours over which consultations would continue'.
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c != head]
    doer = _phrase_of(subjects[0], 3) if subjects else ""
    auxiliaries = " ".join(c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass", "neg"))
    clause = re.sub(r"\s+", " ", f"{doer} {auxiliaries} {verb.lower_}").strip()
    if head.dep_ == "pobj" and head.head.head == verb:
        return f"{counted} {head.head.lower_} which {clause}"
    return f"{counted} ({clause})"
