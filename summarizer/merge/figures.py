"""Figures: one quantity as given by several outlets, compared like with like.

A row compares one quantity: the same thing counted, of the same whole, in one unit. Two outlets'
numbers join one row when

* they count the same class of thing ('hostages held', 'people killed': a counted noun and what
  happened to it) and their values are within 20% of each other and agree, or differ with the same
  class of event;
* for amounts of money and spans of time (whose class says little: 'money', 'days'), the same
  amount joins when the words around them share a content word or the number is too particular to
  be a coincidence ('$1.375 billion'); other amounts only when most of their label's words are
  shared: '$5 billion from the Homeland Security budget' and '$5.7 billion to build the wall' are
  two quantities, not one that differs.

A row 'differs' only when exact values disagree: an approximation ('around 130', 'nearly $1.4
billion') or a bound ('more than 33,000') that contains another outlet's value agrees with it; 'some'
with a number that is not round ('some 33,207') is exact. The row's label says what is counted in
the words of the sentences (``FigureMention.label``); no two rows of a brief share one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from summarizer.ground import GroundedFigure
from summarizer.lexical import content_words
from summarizer.models import (
    FigureComparison,
)
from summarizer.vocabulary import UNITS

# Values further apart than this (relative) are never one quantity.
SAME_QUANTITY_SPREAD = 1.2
# Share of their label's content words two different values must have in common to be one quantity.
SAME_LABEL_WORDS = 0.5
# Classes whose name says too little to compare by it alone: their words must meet.
_VAGUE_CLASSES = ("money", "days", "weeks", "months", "years", "hours", "dollars", "members")
_APPROXIMATE = ("around", "about", "roughly", "approximately", "nearly", "almost", "some")
_LOWER_BOUNDS = ("more than", "over", "at least")
_UPPER_BOUNDS = ("fewer than", "less than", "under", "up to")
# How far 'around' reaches where the written number cannot be read: 10%.
APPROXIMATION = 0.1
MAX_LABEL_WORDS = 10


def _family(quantity: str) -> str:
    """What is counted, without what happened to it: 'money: spending' -> 'money', 'hostages held' ->
    'hostages'."""
    quantity = quantity.lower().strip()
    return quantity.split(":")[0].strip() if ":" in quantity else quantity.split(" ")[0]


def _kind(quantity: str) -> str:
    """What a vague class says of its amount: 'money: proposal' -> 'proposal', 'money' -> ''."""
    return quantity.lower().split(":", 1)[1].strip() if ":" in quantity else ""


def _qualifier(text: str) -> str:
    lowered = text.lower()
    for qualifier in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, *_APPROXIMATE):
        if lowered.startswith(qualifier + " "):
            return qualifier
    return ""


def _round(text: str) -> bool:
    """'1,200', '33,000', '$5 billion' are round; '33,207' and '$1.375 billion' are not."""
    digits = re.sub(r"[^\d.]", "", re.sub(r"\s*(?:million|billion|trillion|thousand|bn|m)\b.*", "", text))
    if "." in digits:
        return False
    return digits.endswith("00") or bool(re.search(r"(?:million|billion|trillion|thousand|bn)\b", text))


def _particular(text: str) -> bool:
    """A number too particular for two outlets to give it by chance for two things: '$1.375 billion',
    '$3.6 billion', '33,175' (not '24', '$5 billion' or '600')."""
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if not number:
        return False
    digits = number.group(0).replace(",", "")
    return "." in digits or len(digits.rstrip("0")) >= 3


def interval(value: float, text: str) -> tuple[float, float]:
    """The values a figure as written allows: '133' -> exactly 133, 'around 130' -> 125..135,
    'more than 33,000' -> above 33,000, 'nearly $1.4 billion' -> 1.3bn..1.4bn; 'some 33,207' is exact
    (only a round number is an approximation)."""
    qualifier = _qualifier(text)
    if qualifier in _LOWER_BOUNDS:
        return (value, math.inf)
    if qualifier in _UPPER_BOUNDS:
        return (0.0, value)
    if qualifier in ("nearly", "almost"):
        return (value - _rounding_unit(value, text), value)
    if qualifier in _APPROXIMATE and (qualifier != "some" or _round(text)):
        half = _rounding_unit(value, text) / 2
        return (value - half, value + half)
    return (value, value)


def _rounding_unit(value: float, text: str) -> float:
    """The place a written number is rounded to: 10 for '130', 100 for '1,200', $0.1bn for '$1.4
    billion'. An approximation holds what rounds to it ('around 130': 125 to 135; 'some 1,200' does
    not hold 1,300)."""
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if not number or value <= 0:
        return value * APPROXIMATION
    significant = number.group(0).replace(",", "").replace(".", "").lstrip("0").rstrip("0") or "0"
    return float(10 ** (math.floor(math.log10(value)) - len(significant) + 1))


def _compatible(a: GroundedFigure, b: GroundedFigure) -> bool:
    low_a, high_a = interval(a.value.value, a.value.text)
    low_b, high_b = interval(b.value.value, b.value.text)
    return low_a <= high_b and low_b <= high_a


def _words(figure: GroundedFigure) -> frozenset[str]:
    # Units ('hours', 'billion') say how it is counted, not what: 'hours day' and 'last hours' share none.
    words = content_words(figure.label or "") - {"money"} - UNITS
    return words - content_words(_family(figure.quantity))


def _same_quantity(a: GroundedFigure, b: GroundedFigure) -> bool:
    family = _family(a.quantity)
    if family != _family(b.quantity):
        return False
    low, high = sorted((a.value.value, b.value.value))
    if high > low * SAME_QUANTITY_SPREAD:
        return False
    words_a, words_b = _words(a), _words(b)
    shared = words_a & words_b
    vague = family in _VAGUE_CLASSES
    if vague and not (words_a or words_b):
        # No words to compare (a figure a model gave without its sentence's label): the kind the
        # class names decides ('money: proposal'); the same amount with no kind given joins it.
        kind_a, kind_b = _kind(a.quantity), _kind(b.quantity)
        if a.value.value == b.value.value:
            return not kind_a or not kind_b or kind_a == kind_b
        return bool(kind_a) and kind_a == kind_b
    if vague and a.value.value == b.value.value:
        # The same amount in two outlets: the same thing when their words meet, or when the number is
        # too particular to be a coincidence ('$1.375 billion').
        return bool(shared) or (_particular(a.value.text) and _particular(b.value.text))
    if _compatible(a, b) and not vague:
        # 'the 133 hostages can be released' says no event: it joins the hostages held.
        return a.quantity == b.quantity or bool(shared) or family in (a.quantity.strip(), b.quantity.strip())
    # Different values, or an amount of money or time given roughly: only when the words say it is the
    # same thing ('roughly $8 billion to build the wall' is not '$8.6 billion requested for it').
    if vague:
        return bool(words_a | words_b) and len(shared) / len(words_a | words_b) >= SAME_LABEL_WORDS
    return a.quantity == b.quantity


def _rows(group: list[GroundedFigure]) -> list[list[GroundedFigure]]:
    """Figures of one family in rows of one quantity: each figure joins the first row it is the same
    quantity as with every member (sorted by value: deterministic)."""
    rows: list[list[GroundedFigure]] = []
    # _same_quantity reads only these fields: a row is compared once per distinct member, not once
    # per member (one long article repeating a figure 5,000 times made this quadratic: minutes).
    distinct: list[dict[tuple[str, float, str, str | None], GroundedFigure]] = []
    for figure in sorted(group, key=lambda f: (f.value.value, f.value.doc_id, f.value.citation.start)):
        key = (figure.quantity, figure.value.value, figure.value.text, figure.label)
        at = next(
            (
                n
                for n, members in enumerate(distinct)
                if all(_same_quantity(figure, m) for m in members.values())
            ),
            None,
        )
        if at is None:
            rows.append([figure])
            distinct.append({key: figure})
        else:
            rows[at].append(figure)
            distinct[at].setdefault(key, figure)
    return rows


def _label(row: list[GroundedFigure], taken: set[str]) -> str:
    """The row's label: the most telling of its members' (the longest up to MAX_LABEL_WORDS, then
    the most frequent) that no other row has, else its class."""
    counts = Counter(f.label for f in row if f.label)
    ranked = sorted(
        counts,
        key=lambda label: (len(label.split()) > MAX_LABEL_WORDS, -min(len(label.split()), MAX_LABEL_WORDS),
                           -counts[label], label),
    )  # fmt: skip
    for label in [*ranked, row[0].quantity.lower().strip()]:
        if label not in taken:
            return label
    return f"{ranked[0] if ranked else row[0].quantity} ({row[0].value.text})"


def merge_figures(figures: list[GroundedFigure]) -> list[FigureComparison]:
    """Rows of one quantity given by two or more outlets, flagged when exact values disagree."""
    by_family: dict[str, list[GroundedFigure]] = defaultdict(list)
    for figure in figures:
        by_family[_family(figure.quantity)].append(figure)
    rows: list[list[GroundedFigure]] = []
    for family in sorted(by_family):
        for row in _rows(by_family[family]):
            per_doc: dict[str, GroundedFigure] = {}
            for figure in row:
                per_doc.setdefault(figure.value.doc_id, figure)
            if len(per_doc) >= 2:
                rows.append([per_doc[d] for d in sorted(per_doc)])

    def differs(row: list[GroundedFigure]) -> bool:
        intervals = [interval(f.value.value, f.value.text) for f in row]
        return any(low > high_b or low_b > high for low, high in intervals for low_b, high_b in intervals)

    comparisons = []
    taken: set[str] = set()
    # Labelled in the order the brief shows the rows: the first shown keeps the plainest label.
    for row in sorted(rows, key=lambda r: (not differs(r), -len(r), r[0].value.value)):
        label = _label(row, taken)
        taken.add(label)
        comparisons.append(
            FigureComparison(
                quantity=label,
                values=[f.value for f in row],
                discrepancy=differs(row),
                sources=[f.value.doc_id for f in row],
                counts=min(
                    Counter(f.quantity.lower().strip() for f in row).most_common(),
                    key=lambda c: (-c[1], c[0]),
                )[0],
            )
        )
    return sorted(comparisons, key=lambda c: (not c.discrepancy, -len(c.sources), c.quantity))
