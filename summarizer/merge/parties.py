"""Parties: every name a document or the model uses resolved to one canonical party."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from summarizer.analysis import UNKNOWN_SIDE, PartyIndex
from summarizer.merge.clustering import best_support, first_citations, sources_of
from summarizer.models import (
    PartyEntry,
    PartyRole,
)

# A name the party index does not know is a known party's when their word sets nearly match ('Israeli
# military' and 'Israeli military spokesman'): token_set_ratio 90, set by hand.
SAME_PARTY_NAME = 90


class PartyResolver:
    """Maps any name a document or the model uses to one canonical party name. A name it cannot place
    becomes a party of its own in an overlay of the index: the analysis' index is never changed."""

    def __init__(self, index: PartyIndex):
        self.index = index.overlay()
        self.known: list[str] = list(index.parties)

    def resolve(self, name: str | None, aliases: Iterable[str] = ()) -> str:
        if not name or name.strip().lower() in ("unknown", "none", "n/a", ""):
            return UNKNOWN_SIDE
        for candidate in (name, *aliases):
            found = self.index.canonical(candidate)
            if found:
                return found
        if self.known:
            match = process.extractOne(
                name, self.known, scorer=fuzz.token_set_ratio, score_cutoff=SAME_PARTY_NAME
            )
            if match:
                return match[0]
        side = self.index.side_of(name)
        if side != UNKNOWN_SIDE:
            return side
        self.known.append(name)
        self.index.add(name)
        return name


def merge_parties(entries: list[PartyEntry], resolver: PartyResolver) -> list[PartyEntry]:
    grouped: dict[str, list[PartyEntry]] = defaultdict(list)
    for entry in entries:
        grouped[resolver.resolve(entry.name, entry.aliases)].append(entry)
    merged = []
    for name, group in grouped.items():
        if name == UNKNOWN_SIDE:
            continue
        roles = Counter(e.role for e in group if e.role != PartyRole.other)
        aliases = {a for e in group for a in (e.name, *e.aliases)} | resolver.index.parties.get(name, set())
        aliases = sorted(a for a in aliases if a.lower() != name.lower())
        merged.append(
            PartyEntry(
                name=name,
                role=roles.most_common(1)[0][0] if roles else PartyRole.other,
                aliases=aliases[:10],
                citations=first_citations(group, per_source=1),
                sources=sources_of(group),
                support=best_support(group),
            )
        )
    return sorted(merged, key=lambda p: (-len(p.sources), p.name))
