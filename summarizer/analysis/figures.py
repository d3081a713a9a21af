"""Figures: numbers with what they count ('33,000 Palestinians killed', '$1.2bn in aid'), their
qualifier ('more than') and who gives them; and the one number parser every module uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.documents import Sentence

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


def find_figures(sentence: Sentence) -> list[FigureMention]:
    figures: list[FigureMention] = []
    text = sentence.text
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
            )
        )
    return figures
