"""Parties: every name a document or the model uses resolved to one canonical party, and the people
who speak for a party listed among its people (with their title), never as its aliases."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

from summarizer.analysis import UNKNOWN_SIDE, DocumentAnalysis, PartyIndex
from summarizer.analysis.rules import party_role
from summarizer.documents import Document
from summarizer.ground import cite
from summarizer.merge.clustering import best_support, first_citations, sources_of
from summarizer.merge.decided import NOT_A_PARTY
from summarizer.models import (
    PartyEntry,
    PartyRole,
)

# A name the party index does not know is a known party's when their word sets nearly match ('Israeli
# military' and 'Israeli military spokesman'): token_set_ratio 90, set by hand.
SAME_PARTY_NAME = 90
_ROLES = frozenset(role.value for role in PartyRole)


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

    def entry_name(self, name: str, aliases: Iterable[str] = ()) -> str:
        """The party entry a party item belongs to: the person it names when they speak for a party
        (listed among its people), else the canonical party."""
        return self.index.member(name) or self.resolve(name, aliases)


def _role(name: str, group: list[PartyEntry], index: PartyIndex, decided: Mapping[str, str]) -> PartyRole:
    """The role the text settles (``analysis.roles``) wins over any document's or model's answer;
    else the model's decided role (``merge.decided``); else the most frequent role other than
    'other'."""
    if name in index.roles:
        return index.roles[name]
    role = decided.get(name)
    if role is not None and role in _ROLES:
        return PartyRole(role)
    roles = Counter(e.role for e in group if e.role != PartyRole.other)
    return roles.most_common(1)[0][0] if roles else PartyRole.other


def unlisted_members(
    entries: list[PartyEntry],
    documents: list[Document],
    analyses: Mapping[str, DocumentAnalysis],
    index: PartyIndex,
) -> list[PartyEntry]:
    """People who speak for a listed party and are named in a document whose extraction listed them
    nowhere: an extraction holds at most 12 parties, and a person is an entry of their own (not an
    alias of their party), so a minister named once in a long article lost their place. Each is cited
    where first named."""
    listed = {index.member(e.name) or e.name for e in entries}
    found: dict[str, PartyEntry] = {}
    for document in documents:
        analysis = analyses.get(document.doc_id)
        for person, sentence_ids in (analysis.member_mentions if analysis else {}).items():
            if person in listed or index.speaks_for.get(person) not in index.parties or not sentence_ids:
                continue
            entry = found.setdefault(
                person,
                PartyEntry(
                    name=person,
                    role=party_role(person, index),
                    aliases=sorted(index.members.get(person, set()))[:6],
                ),
            )
            entry.citations.append(cite(document, sentence_ids[0]))
            entry.sources.append(document.doc_id)
    return list(found.values())


def merge_parties(
    entries: list[PartyEntry], resolver: PartyResolver, roles: Mapping[str, str] | None = None
) -> list[PartyEntry]:
    """One entry per party, then its people right after it: the parties by the number of sources that
    name them, a party's people likewise. ``roles`` are a model's decided roles by canonical name
    (``merge.decided``): a party whose role the text does not settle and that the model says is no
    party ('none') is left out."""
    index = resolver.index
    roles = roles or {}
    grouped: dict[str, list[PartyEntry]] = defaultdict(list)
    for entry in entries:
        grouped[resolver.entry_name(entry.name, entry.aliases)].append(entry)
    merged: list[PartyEntry] = []
    for name, group in grouped.items():
        if name == UNKNOWN_SIDE or (roles.get(name) == NOT_A_PARTY and name not in index.roles):
            continue
        known = index.members.get(name) if name in index.members else index.parties.get(name, set())
        aliases = {a for e in group for a in (e.name, *e.aliases)} | known
        # A person's names are theirs, never their party's: 'Netanyahu' is no alias of Israel.
        aliases = {a for a in aliases if a.lower() != name.lower() and index.member(a) in (None, name)}
        belongs = index.speaks_for.get(name)
        party = belongs if belongs and index.roles.get(belongs) == PartyRole.political_party else None
        merged.append(
            PartyEntry(
                name=name,
                role=_role(name, group, index, roles),
                aliases=sorted(aliases)[:10],
                title=index.titles.get(name),
                speaks_for=None if party else belongs,
                member_of=party,
                citations=first_citations(group, per_source=1),
                sources=sources_of(group),
                support=best_support(group),
            )
        )
    return people_after_their_party(merged)


def people_after_their_party(parties: list[PartyEntry]) -> list[PartyEntry]:
    """Parties ranked by sources (then name), each followed by the people who speak for it."""

    def rank(party: PartyEntry) -> tuple[int, str]:
        return (-len(party.sources), party.name)

    listed = {p.name for p in parties}
    people: dict[str, list[PartyEntry]] = defaultdict(list)
    for party in parties:
        owner = party.belongs_to
        if owner is not None and owner in listed:
            people[owner].append(party)
    ordered: list[PartyEntry] = []
    for party in sorted((p for p in parties if p.belongs_to not in listed), key=rank):
        ordered.append(party)
        ordered += sorted(people[party.name], key=rank)
    return ordered
