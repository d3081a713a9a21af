"""Who a composed item names as holding a position: the person when one person holds it.

The party index ties people to the party they speak for, and a side is the right key to group claims
by; but a reader who sees 'Senate: there is not much support in my conference' or 'United States: for'
is told something false: the Senate did not say it, one senator did, and a president is not his
country. So where one named person holds a position, the brief names them; a side names it otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from summarizer.analysis import UNKNOWN_SIDE, split_title

# A personal name as a speaker phrase gives it, after its title: one to three capitalised words.
_NAME = re.compile(r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}$")
_INDEFINITE = ("a ", "an ", "one ", "two ", "three ", "several ", "some ", "unnamed ")


def person_named(phrase: str) -> str | None:
    """'Senate Majority Leader Mitch McConnell (R-Ky.)' -> 'Mitch McConnell'; None for a description
    ('a senior official') or a body ('the White House')."""
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase).strip(" ,")
    name, _ = split_title(phrase)
    if not _NAME.match(name) or name.split()[0].lower() in ("the", "a", "an"):
        return None
    return name


def one_person(phrases: Iterable[str]) -> str | None:
    """The person all the phrases name, by their fullest name ('Trump', 'Donald Trump' -> 'Donald
    Trump'); None when they name no one, or more than one person (different surnames). A first and
    last name must appear: one capitalised word may be a group ('Republicans') as well as a surname."""
    names = [person_named(p) for p in phrases]
    if not names or any(n is None for n in names):
        return None
    surnames = {n.split()[-1] for n in names if n}
    fullest = max((n for n in names if n), key=len)
    return fullest if len(surnames) == 1 and " " in fullest else None


def readable_description(phrases: Iterable[str]) -> str | None:
    """An unnamed speaker as a reader can take them without the sentence before: 'An unnamed
    Palestinian official', not 'The official' (who was introduced earlier)."""
    for phrase in phrases:
        lowered = phrase.lower()
        if lowered.startswith(_INDEFINITE):
            return phrase[:1].upper() + phrase[1:]
    return None


def side_names(sides: list[str]) -> str:
    """The named sides of a claim, for a reader: 'Unnamed sources' when none is known."""
    named = [s for s in sides if s != UNKNOWN_SIDE]
    return ", ".join(named) if named else "Unnamed sources"
