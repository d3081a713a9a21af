"""Parties: the actors of the story, found as named entities and resolved across documents.

From every parsed sentence (``parsing``):

* named entities: people, organisations, and countries by name or demonym ('Israeli officials' ->
  Israel, 'Democrats' -> Democratic Party); other places are settings, not actors;
* coreference across documents: 'Donald Trump', 'President Trump' and 'Trump' are one person (the
  full name is canonical, the rest are aliases); an acronym is its long form ('CDC'); a person
  introduced with a country's or a group's affiliation speaks for it ('Israeli Prime Minister X',
  'Hamas official Y'), as does a seat of government ('a White House spokesperson') when the country is
  an actor of the story;
* an actor test and salience: a party acts, speaks or is the subject of the story's sentences; a
  country named once in passing is not a party. Parties are ranked by how many documents name them and
  how often they act, and the list is kept short.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from summarizer.analysis.parsing import ParsedCorpus, parse_corpus
from summarizer.analysis.roles import LEGISLATURE, is_bystander, settled_roles, title_role
from summarizer.display import clean_name
from summarizer.documents import Document
from summarizer.geo import CAPITALS, COUNTRIES, GOVERNMENT_SEATS, NON_PARTY_WORDS, POLITICAL_ALIASES
from summarizer.lexical import normalise_name
from summarizer.models import PartyRole
from summarizer.vocabulary import (
    ACRONYM_SKIPPED,
    COURTESY_TITLES,
    GROUP_NOUNS,
    HEAD_TITLES,
    MEDIA_NOUNS,
    NAME_SUFFIXES,
    NICKNAMES,
    OUTLET_CUES,
    PASSING_NOUNS,
    PASSING_VERBS,
    POPULACE_NOUNS,
    REPORTING_VERBS,
    ROLE_GOVERNMENT,
    SPEAKER_NOUNS,
    SPOKESPEOPLE,
    TITLE_FILLERS,
    TITLE_WORDS,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

UNKNOWN_SIDE = "unknown"

_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "agent", "expl"}
# "the position of the occupation (Israel)": the alias is the shortest "the ..." phrase before the
# parenthesis ("the occupation"), so no word of it may be another "the".
_PARENTHETICAL_ALIAS = re.compile(
    r"\bthe ((?:(?!the\b)[a-z]+ ){0,3}(?!the\b)[a-z]{3,}) \(([A-Z][\w ]{1,30})\)"
)
# Names that say they are news outlets ('The New York Times', 'Fars News Agency', 'NBC News').
_OUTLET_NAME = re.compile(r"\b(?:News|Times|Post|Journal|Tribune|Gazette|Herald|Press|Radio|Television|TV)\b")
# Names with a number or of a law or programme are not actors ('Bill 8', 'COVID-19', 'Affordable Care
# Act', 'Obamacare', 'Medicaid').
_NOT_AN_ACTOR = re.compile(r"\d|^(?:Bill|Act|Resolution|Amendment)\b|\bAct$|^\w+care$|^Medicaid$")
_ACRONYM = re.compile(r"(?:[A-Z]\.?){2,6}")
# Roles whose holder speaks or acts for the organisation their title names ('ACLU attorney X').
_SPEAKING_ROLES = (PartyRole.spokesperson, PartyRole.lawyer, PartyRole.official, PartyRole.negotiator)
_PARTY_LETTER = re.compile(r"^\s*\(\s*([DRI])\s*-")
# The party list grows with the corpus but stays short: 8 for one article, 2.5 more for each further
# one (13 for three), never more than 40, so that hundreds of articles still name a readable cast.
# Measured on the 22 dev clusters (three articles each; bench/quality.py): 12 -> 13 parties raised
# party recall from 68% to 70%. The annotators' lists there run from 4 to 35 names for three articles,
# and no corpus feature tried (candidates, salience gaps, per-article top-k) predicted that spread.
MIN_PARTIES = 8
PARTIES_PER_FURTHER_DOCUMENT = 2.5
MAX_PARTIES = 40


def party_list_size(documents: int) -> int:
    """How many parties the list keeps for a corpus of this many documents."""
    return min(MAX_PARTIES, round(MIN_PARTIES + PARTIES_PER_FURTHER_DOCUMENT * max(0, documents - 1)))


@cache
def written_aliases() -> dict[str, str]:
    """Country and party names as written (case-sensitive: 'US' must not match 'us') -> canonical."""
    written: dict[str, str] = {}
    for canonical, names in {**COUNTRIES, **POLITICAL_ALIASES}.items():
        written[canonical] = canonical
        for alias in names:
            written.setdefault(alias, canonical)
    return written


# 'Federation for American Immigration Reform', 'Council on American-Islamic Relations': a name that
# runs on through 'for', 'of' or 'on' into a demonym or country and on again is an organisation's.
_NAME_RUNS_INTO = re.compile(r"\b[A-Z][\w’'-]+ (?:for|of|on) $")
_NAME_RUNS_ON = re.compile(r"[ -][A-Z]")


_SEATS = re.compile("|".join(re.escape(seat) for seat in sorted(GOVERNMENT_SEATS, key=len, reverse=True)))


def _inside_a_name(text: str, start: int, end: int) -> bool:
    """Whether a country or demonym found at text[start:end] is a word of an organisation's name: that
    organisation speaks for itself, not for the country."""
    return bool(_NAME_RUNS_INTO.search(text[:start]) and _NAME_RUNS_ON.match(text[end:]))


def split_title(name: str) -> tuple[str, str | None]:
    """'Transportation Secretary Pete Buttigieg' -> ('Pete Buttigieg', 'Transportation Secretary')."""
    words = name.split()
    positions = [i for i, word in enumerate(words) if word.lower().rstrip(".") in TITLE_WORDS]
    if positions and positions[-1] < len(words) - 1:
        cut = positions[-1] + 1
        return " ".join(words[cut:]), " ".join(words[:cut])
    return name, None


@dataclass
class Mention:
    """One entity mention in one sentence."""

    doc_id: str
    sentence_id: int
    surface: str  # as written, title removed
    label: str
    actor: bool  # the subject (or inside the subject) of its clause
    title: str | None = None
    affiliation: str | None = None  # canonical country/party/organisation named in the same phrase
    group: str | None = None  # the people it names: 'Republican lawmakers', 'the Trump administration'
    speaks: bool = False  # the subject of a reporting verb ('X said')
    organisation: str | None = None  # the organisation a person's title names ('ACLU attorney')
    description: str | None = None  # what the text calls an organisation ('a civil liberties group')
    headline: bool = False  # in a headline, where every word is capitalised


@dataclass
class PartyIndex:
    """Parties seen across the documents, with aliases, and how to find a speaker's side."""

    # canonical name -> aliases (as seen)
    parties: dict[str, set[str]] = field(default_factory=dict)
    # documents that name each party
    documents: Counter[str] = field(default_factory=Counter)
    # normalised alias, or affiliated name (a person, an outlet) -> canonical party
    lookup: dict[str, str] = field(default_factory=dict)
    # person -> the title the articles give them ("Transportation Secretary"), for their role
    titles: dict[str, str] = field(default_factory=dict)
    # canonical names of the parties that are people (not organisations, countries or groups)
    people: set[str] = field(default_factory=set)
    # normalised person or group name -> the party they speak for ('Hamas official X' -> Hamas)
    affiliations: dict[str, str] = field(default_factory=dict)
    # how salient each party is (documents and acts), for ranking
    salience: dict[str, float] = field(default_factory=dict)
    # the sentence parses, shared with the rest of the analysis
    corpus: ParsedCorpus = field(default_factory=ParsedCorpus)
    # people who speak or act for a party ('Israeli Prime Minister X'): person -> their names. They
    # are no parties of their own (their words are their party's side) and no aliases of it either:
    # the brief lists them among their party's people, with their title.
    members: dict[str, set[str]] = field(default_factory=dict)
    # person (a member, or a party of their own) -> the party they speak for
    speaks_for: dict[str, str] = field(default_factory=dict)
    # person -> the organisation their title names ('the A.C.L.U. attorney' -> the ACLU)
    title_organisations: dict[str, str] = field(default_factory=dict)
    # organisation -> what the text calls it ('a civil liberties group')
    descriptions: dict[str, str] = field(default_factory=dict)
    # party or member -> the role the text settles for it (``roles.settled_roles``)
    roles: dict[str, PartyRole] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None
    _member_pattern: re.Pattern[str] | None = None

    def overlay(self) -> PartyIndex:
        """A copy whose names can grow (the merge learns a name no document made a party) without
        changing this index; the parses are shared, read-only."""
        return dataclasses.replace(
            self,
            parties={name: set(aliases) for name, aliases in self.parties.items()},
            documents=Counter(self.documents),
            lookup=dict(self.lookup),
            titles=dict(self.titles),
            people=set(self.people),
            affiliations=dict(self.affiliations),
            salience=dict(self.salience),
            members={name: set(aliases) for name, aliases in self.members.items()},
            speaks_for=dict(self.speaks_for),
            title_organisations=dict(self.title_organisations),
            descriptions=dict(self.descriptions),
            roles=dict(self.roles),
            _pattern=None,
            _member_pattern=None,
        )

    def add(self, canonical: str, alias: str | None = None) -> None:
        self.parties.setdefault(canonical, set())
        self.lookup.setdefault(normalise_name(canonical), canonical)
        if alias and alias != canonical:
            self.parties[canonical].add(alias)
            self.lookup.setdefault(normalise_name(alias), canonical)
        self._pattern = None

    def merge(self, name: str, into: str) -> None:
        """Make ``name`` (a party of its own or not) and its aliases aliases of the party ``into``."""
        aliases = self.parties.pop(name, set())
        self.parties.setdefault(into, set()).update({name, *aliases})
        for alias in (name, *aliases):
            self.lookup[normalise_name(alias)] = into
        self.titles.pop(name, None)
        self.documents[into] = max(self.documents[into], self.documents.pop(name, 0))
        self.salience[into] = self.salience.get(into, 0) + self.salience.pop(name, 0)
        self._pattern = None

    def make_member(self, person: str, of: str, aliases: set[str] | None = None) -> None:
        """``person`` speaks for the party ``of``: their words are its side (the lookup sends their
        names to it), and they are listed among its people, not as its aliases."""
        names = self.parties.pop(person, set()) | (aliases or set())
        self.members[person] = self.members.get(person, set()) | names
        self.speaks_for[person] = of
        for alias in (person, *names):
            self.lookup[normalise_name(alias)] = of
        self.people.discard(person)
        self.documents[of] = max(self.documents[of], self.documents.pop(person, 0))
        self.salience[of] = self.salience.get(of, 0) + self.salience.get(person, 0)
        self._pattern = None
        self._member_pattern = None

    def member(self, name: str) -> str | None:
        """The member (a person who speaks for a party) a name stands for, or None."""
        key = normalise_name(name)
        for person, aliases in self.members.items():
            if key in {normalise_name(n) for n in (person, *aliases)}:
                return person
        title_free, _ = split_title(name)
        return self.member(title_free) if title_free != name else None

    def named_members(self, text: str) -> list[str]:
        """Members named in a text, in order of first mention."""
        if not self.members:
            return []
        if self._member_pattern is None:
            surfaces = {self._surface_key(a): p for p, names in self.members.items() for a in (p, *names)}
            self._member_surfaces = surfaces
            body = "|".join(re.escape(n) for n in sorted((n for n in surfaces if n), key=len, reverse=True))
            self._member_pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
        found: list[str] = []
        for match in self._member_pattern.finditer(text):
            person = self._member_surfaces.get(match.group(0))
            if person and person not in found:
                found.append(person)
        return found

    def canonical(self, name: str) -> str | None:
        """The canonical party for a name, alias or affiliated name, or None."""
        key = normalise_name(name)
        if not key or key in NON_PARTY_WORDS:
            return None
        found = self.lookup.get(key) or self.affiliations.get(key)
        if found:
            return found
        title_free, _ = split_title(name)
        if title_free != name:
            return self.canonical(title_free)
        return None

    def titled_person(self, speaker: str) -> str | None:
        """The one person whose title the phrase names ('the energy secretary' -> the person
        introduced as 'Energy Secretary Jennifer Granholm'), or None if none or several have it."""
        phrase = re.sub(r"^the\s+", "", speaker.strip(), flags=re.I).lower()
        if not phrase:
            return None
        # One word must be the whole title ("the president" is not the Vice President); a longer
        # phrase may end one ("the energy secretary" for "US Energy Secretary").
        holders = {
            name
            for name, title in self.titles.items()
            if title.lower() == phrase or (" " in phrase and title.lower().endswith(" " + phrase))
        }
        return next(iter(holders)) if len(holders) == 1 else None

    def _alias_pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            # A member's name stands for the party they speak for ('Netanyahu said' is Israel's side).
            names = {
                self._surface_key(a): self.speaks_for[p]
                for p, aliases in self.members.items()
                for a in (p, *aliases)
                if self.speaks_for.get(p) in self.parties
            }
            names |= {self._surface_key(a): c for c, aliases in self.parties.items() for a in (c, *aliases)}
            names |= {
                alias: self.lookup[normalise_name(canonical)]
                for alias, canonical in written_aliases().items()
                if normalise_name(canonical) in self.lookup
                and self.lookup[normalise_name(canonical)] in self.parties
            }
            self._surfaces = names
            alternatives = sorted((n for n in names if n), key=len, reverse=True)
            body = "|".join(re.escape(n) for n in alternatives) or r"(?!x)x"
            self._pattern = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
        return self._pattern

    @staticmethod
    def _surface_key(alias: str) -> str:
        return re.sub(r"^(?:the|The)\s+", "", alias.strip())

    def mentions(self, text: str) -> list[str]:
        """Canonical parties named in a text, in order of first mention."""
        pattern = self._alias_pattern()
        found: list[str] = []
        # 'House' inside 'White House': a seat of government is one name, not its last word's party.
        seats = [(m.start(), m.end()) for m in _SEATS.finditer(text)]
        for match in pattern.finditer(text):
            canonical = self._surfaces.get(match.group(0))
            if _inside_a_name(text, match.start(), match.end()):
                continue
            if any(a <= match.start() and match.end() <= b and (a, b) != match.span() for a, b in seats):
                continue
            if canonical and canonical in self.parties and canonical not in found:
                found.append(canonical)
        return found

    def side_of(self, speaker: str) -> str:
        """The party a speaker phrase belongs to ('two Egyptian security sources' -> Egypt). Joined
        speakers ('the sources and Al-Qahera') have a side when those with one agree on it."""
        if " and " in speaker:
            sides = {self._side_of_one(part) for part in speaker.split(" and ")} - {UNKNOWN_SIDE}
            if len(sides) == 1:
                return sides.pop()
        return self._side_of_one(speaker)

    def _side_of_one(self, speaker: str) -> str:
        named = self.mentions(speaker)
        if named:
            return named[0]
        for phrase in (speaker, split_title(speaker)[0]):
            for key in (normalise_name(phrase), outlet_key(phrase)):
                if key in self.affiliations:
                    return self.affiliations[key]
        person = self.titled_person(speaker)
        if person:
            return self.canonical(person) or UNKNOWN_SIDE
        # A demonym of a country the corpus never makes a party ("two Egyptian security sources" in
        # an article that does not otherwise mention Egypt) still tells the side.
        written = written_aliases()
        for found in re.finditer(r"[A-Z][\w.]*", speaker):
            if found.group(0) in written and not _inside_a_name(speaker, found.start(), found.end()):
                return written[found.group(0)]
        return UNKNOWN_SIDE


# ---------------------------------------------------------------------------------------------------
# Mentions from the parse
# ---------------------------------------------------------------------------------------------------


def _country_is_actor(span: Span) -> bool:
    """A country acts when it is the subject, or names the subject's people ('Israeli officials said',
    'the Egyptian delegation left'); 'the U.S. border is long' is a setting."""
    token = span.root
    while token.dep_ == "conj" and token.head != token:  # 'Egypt, Qatar and the US'
        token = token.head
    if token.dep_ in _SUBJECT_DEPS or (token.dep_ == "pobj" and token.head.lower_ == "by"):
        return True
    head = token.head
    while head.dep_ == "conj" and head.head != head:  # 'the Qatari and Hamas delegations'
        head = head.head
    return (
        token.dep_ in ("compound", "amod", "poss", "nmod")
        and head.dep_ in _SUBJECT_DEPS
        and (head.lower_ in SPEAKER_NOUNS or head.ent_type_ == "PERSON")
    )


def _is_actor(span: Span) -> bool:
    """The entity is the subject of its clause, or stands inside the subject phrase ('Israeli officials
    said', 'Hamas’ negotiators left'), or is the speaker after the verb ('said X')."""
    token: Token | None = span.root
    for _ in range(4):
        if token is None:
            return False
        if token.dep_ in _SUBJECT_DEPS:
            return True
        if (
            token.dep_ in ("compound", "amod", "poss", "nmod", "appos", "conj", "pobj", "prep")
            and token.head != token
        ):
            if token.dep_ == "pobj" and token.head.lower_ not in ("of", "by"):
                return False
            token = token.head
            continue
        return False
    return False


def _title_before(span: Span) -> tuple[str, list[Span]]:
    """The title words written just before a person's name ('Senate Majority Leader', 'Israeli Prime
    Minister'), and the entities inside them (the person's affiliation)."""
    doc = span.doc
    start = span.start
    while start > 0:
        previous = doc[start - 1]
        if previous.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERSON"):
            break
        if previous.pos_ in ("PROPN", "NOUN", "ADJ") or (
            previous.lower_ == "of" and start > 1 and doc[start - 2].pos_ in ("PROPN", "NOUN")
        ):
            start -= 1
            if span.start - start >= 6:
                break
        elif previous.text in (".",) or previous.text.endswith("."):
            start -= 1
        else:
            break
    while start < span.start and doc[start].pos_ == "ADP":  # 'of CIA Director' -> 'CIA Director'
        start += 1
    if start == span.start:
        return "", []
    title = doc[start : span.start]
    entities = [
        e
        for e in doc.ents
        if e.start >= start and e.end <= span.start and e.label_ in ("ORG", "GPE", "NORP", "FAC")
    ]
    return title.text, entities


def is_headline(text: str) -> bool:
    """A headline: most of its words (four or more) start with a capital."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _country_pair(surface: str) -> bool:
    """'U.S.-Mexico', 'Israel–Gaza': two countries joined, which names a border or a relation."""
    parts = [p for p in re.split(r"[-–]", surface) if p]
    return len(parts) >= 2 and all(_country(p.strip()) for p in parts)


def _conj_root(token: Token) -> Token:
    while token.dep_ == "conj" and token.head != token:  # 'appointees of A, B and C'
        token = token.head
    return token


def _in_passing(span: Span) -> bool:
    """A mention that cites someone only to place someone else: 'appointed by X', 'appointees of X',
    'an X appointee', 'his predecessor, X'. It is not an act of X's in this event."""
    token = _conj_root(span.root)
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "by" and head.head.lemma_.lower() in PASSING_VERBS:
        return True
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in PASSING_NOUNS:
        return True
    return (
        token.dep_ in ("compound", "nmod", "amod", "poss", "appos") and head.lemma_.lower() in PASSING_NOUNS
    )


def _in_title(span: Span) -> bool:
    """An organisation named only as part of the title of the person who heads it ('CIA Director
    William Burns'): that person acts, not the organisation (while in 'Hamas official X' Hamas speaks
    through its official)."""
    doc = span.doc
    position = span.end
    while position < len(doc) and position - span.end < 4 and _is_title(doc[position].text):
        position += 1
    words = {t.lower_.rstrip(".") for t in doc[span.end : position]}
    return (
        bool(words & (HEAD_TITLES | ROLE_GOVERNMENT))
        and position < len(doc)
        and doc[position].ent_type_ == "PERSON"
    )


def _phrase_without_clauses(token: Token) -> str:
    """The noun phrase of ``token`` without its relative clauses, determiner and 'one of'."""
    dropped = {
        t.i
        for c in token.subtree
        if c != token and c.dep_ in ("relcl", "acl", "appos", "punct", "conj", "cc")
        for t in c.subtree
    }
    words = [t for t in token.subtree if t.i not in dropped]
    while words and (words[-1].is_punct or words[-1].dep_ == "cc"):
        words.pop()
    text = token.doc[words[0].i : words[-1].i + 1].text if words else ""
    return re.sub(r"^(?:(?:the|a|an|one of(?: the)?)\s+)+", "", text, flags=re.I).strip()


def _person_description(span: Span) -> tuple[str | None, list[Span]]:
    """What the text calls a person beside their name ('X, an immigration scholar at Y'; 'that
    diplomat, X'), when it says a role, and the entities in it."""
    root = span.root
    candidates = [c for c in root.children if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN")]
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        candidates.append(root.head)
    for token in candidates:
        if token.i in range(span.start, span.end):
            continue
        # The whole phrase, also when the name is the apposition ('the group's legislative director,
        # X'): only its modifiers before the name read as a title cut in the wrong places.
        description = _phrase_without_clauses(token)
        start, end = token.left_edge.i, token.right_edge.i + 1
        if description and len(description) <= 80 and title_role(description) is not None:
            entities = [
                e
                for e in span.doc.ents
                if e.start >= start and e.end <= end and e.label_ in ("ORG", "GPE", "NORP")
            ]
            return description, entities
    return None, []


def _organisation_description(span: Span) -> str | None:
    """What the text calls an organisation: 'X, a civil liberties group'; 'rights groups like X'."""
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            return _phrase_without_clauses(child)[:80]
    head = root.head
    if root.dep_ == "pobj" and head.lower_ in ("like", "as", "including") and head.head.pos_ == "NOUN":
        noun = head.head
        modifiers = [t.text for t in noun.children if t.dep_ in ("amod", "compound") and t.i < noun.i]
        return " ".join([*modifiers, noun.text])
    return None


def _is_title(words: str) -> bool:
    """Words that make a title ('Senate Majority Leader', 'Hamas official'), not any noun before a name
    ('resident', 'Saturday')."""
    return bool({w.lower().rstrip(".") for w in words.split()} & (TITLE_WORDS | SPOKESPEOPLE))


def _group_phrase(span: Span) -> str | None:
    """'Republican lawmakers', 'Senate Democrats', 'the Trump administration': a group named by the
    entity and a noun for people or a government. It is another name of the same actor."""
    head = span.root.head
    if span.root.dep_ in ("amod", "compound", "nmod") and head.i == span.end and head.lower_ in GROUP_NOUNS:
        return f"{_clean_surface(span.text)} {head.text}"
    return None


def _clean_surface(text: str) -> str:
    # 'Qatar' + ZERO WIDTH JOINER is Qatar: invisible characters never make a second party
    text = re.sub(r"^(?:the|The)\s+", "", clean_name(text).strip())
    text = re.sub(r"(?:’s|'s|’|')$", "", text)
    text = re.sub(r"^Departments of\b", "Department of", text)
    if text.isupper() and len(text) > 5 and " " in text:  # 'KAMALA HARRIS' in a shouted headline
        text = text.title()
    return text.strip(' .,;:"“”()-')


def _country(text: str) -> str | None:
    written = written_aliases()
    return written.get(text) or written.get(text.rstrip("s"))


def _outlet_cue(span: Span) -> bool:
    """'told Reuters', 'in an interview with CNN', 'according to Axios': a news outlet reporting."""
    head = span.root.head
    if span.root.dep_ in ("dobj", "dative") and head.lemma_ in OUTLET_CUES:
        return True
    if span.root.dep_ == "nsubj" and head.lemma_ in ("report", "publish", "obtain", "broadcast"):
        return True
    if span.root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
        return span.label_ == "ORG" and bool(
            re.search(r"\b(?:News|Times|Post|Journal|Press|TV|Agency)\b|^[A-Z]{2,5}$", span.text)
        )
    return span.root.dep_ == "pobj" and head.lower_ == "with" and head.head.lower_ in OUTLET_CUES


def outlet_key(name: str) -> str:
    """An outlet's name without its generic last word: 'Al Qahera News' is 'Al Qahera'."""
    return re.sub(r"\s+(?:news|tv|television|network|channel|agency)$", "", normalise_name(name))


def collect_mentions(
    documents: list[Document], corpus: ParsedCorpus
) -> tuple[list[Mention], dict[str, str | None]]:
    """Entity mentions of every citable sentence, and the news outlets seen (with the country an
    outlet is introduced with, if any)."""
    mentions: list[Mention] = []
    outlets: dict[str, str | None] = {}
    for document in documents:
        for sentence in document.citable_sentences:
            doc = corpus.get(document.doc_id, sentence.id)
            if doc is None:
                continue
            for span in doc.ents:
                if span.label_ not in _ENTITY_LABELS:
                    continue
                surface = _clean_surface(span.text)
                if not surface or normalise_name(surface) in NON_PARTY_WORDS or not surface[:1].isupper():
                    continue
                following = doc[span.end].lower_ if span.end < len(doc) else ""
                if _country_pair(surface) or _in_passing(span):
                    continue  # 'the U.S.-Mexico border' is a place; 'appointed by X' cites X in passing
                if span.label_ in ("GPE", "NORP", "FAC") or _country(surface):
                    country = _country(surface) or (
                        CAPITALS.get(surface) if span.root.dep_ in _SUBJECT_DEPS else None
                    )
                    if span.label_ == "FAC" or surface in GOVERNMENT_SEATS:
                        country = surface if surface in GOVERNMENT_SEATS else None
                    if country is None or following in POPULACE_NOUNS:
                        continue  # a place, or a population ('the American people'), not an actor
                    mentions.append(
                        Mention(document.doc_id, sentence.id, surface, "COUNTRY", _country_is_actor(span))
                    )
                    mentions[-1].affiliation = country
                    mentions[-1].group = _group_phrase(span)
                    continue
                label = span.label_
                if label == "PERSON" and _ACRONYM.fullmatch(surface):
                    label = "ORG"  # 'the A.C.L.U. attorney': the parser took the acronym for a person
                mention = Mention(document.doc_id, sentence.id, surface, label, _is_actor(span))
                mention.headline = is_headline(sentence.analysis_text)
                mention.speaks = (
                    span.root.dep_ == "nsubj" and span.root.head.lemma_.lower() in REPORTING_VERBS
                )
                if label == "ORG":
                    before, entities = _title_before(span)
                    # 'the Egyptian state channel Al Qahera News' speaks for Egypt.
                    if set(before.lower().split()) & MEDIA_NOUNS:
                        countries = [_country(_clean_surface(e.text)) for e in entities]
                        mention.affiliation = next((c for c in countries if c), None)
                    if _outlet_cue(span) or _OUTLET_NAME.search(surface):
                        outlets[outlet_key(surface)] = outlets.get(outlet_key(surface)) or mention.affiliation
                        continue
                    if _NOT_AN_ACTOR.search(surface):
                        continue  # a law, a bill or a disease the parser took for an organisation
                    if _in_title(span):
                        continue  # 'CIA Director X': the organisation is part of X's title, X acts
                    mention.description = _organisation_description(span)
                if label == "PERSON":
                    name, title = split_title(surface)
                    mention.surface = name
                    before, entities = _title_before(span)
                    title = _clean_title(" ".join(t for t in (before, title) if t))
                    if not (title and (_is_title(title) or title_role(title) is not None)):
                        # 'X, the A.C.L.U. attorney who argued the case': the description after the name.
                        title, entities = _person_description(span)
                        title = _clean_title(title)
                    mention.title = title
                    for entity in entities:
                        affiliated = _clean_surface(entity.text)
                        if entity.label_ == "ORG":
                            mention.organisation = affiliated
                        mention.affiliation = _country(affiliated) or affiliated
                        if entity.label_ == "ORG" and title and title_role(title) not in _SPEAKING_ROLES:
                            mention.affiliation = None  # 'Senate Majority Leader X' is an actor of their own
                        break
                    letter = _PARTY_LETTER.match(doc[span.end :].text) if span.end < len(doc) else None
                    if letter and letter.group(1) in "DR":
                        mention.title = mention.title or "Sen."
                        mention.affiliation = (
                            "Democratic Party" if letter.group(1) == "D" else "Republican Party"
                        )
                if label == "PERSON":
                    mention.group = _group_phrase(span)
                mentions.append(mention)
    return mentions, outlets


# ---------------------------------------------------------------------------------------------------
# Coreference and selection
# ---------------------------------------------------------------------------------------------------


def _person_key(name: str) -> str:
    name = name.replace("’", "'")  # 'O’Connor' and 'O'Connor' are one surname
    words = [w for w in re.sub(r"[.,]", " ", name).split() if w.lower() not in NAME_SUFFIXES]
    return words[-1].lower() if words else ""


def _same_given_name(first: str, second: str) -> bool:
    """Whether two full names of one surname start with one given name: 'Bill Taylor' and 'William
    Taylor' do, and an initial matches its name ('H. R. McMaster', 'H.R. McMaster')."""
    given = []
    for name in (first, second):
        word = name.split()[0].lower().rstrip(".")
        given.append(NICKNAMES.get(word, word))
    a, b = given
    if len(a) <= 2 or len(b) <= 2 or "." in a + b:
        return a[:1] == b[:1]
    return a == b


def _clean_title(title: str | None) -> str | None:
    """A title without courtesy words ('Mr.') and without the words before it that are no part of it
    ('fellow moderate Sen.' -> 'Sen.'); None when nothing is left."""
    if not title:
        return None
    words = [w for w in title.split() if w.lower().rstrip(".") not in COURTESY_TITLES]
    while words and words[0].lower() in TITLE_FILLERS:
        words.pop(0)
    return " ".join(words) or None


def _acronyms(name: str) -> set[str]:
    """The acronyms a long name is written as: 'Centers for Disease Control and Prevention' -> CDCP
    and CDC (without its trailing 'and X'); 'Department of Homeland Security' -> DHS and HS."""
    forms = {name, re.sub(r"\s+and\s+\w+$", "", name), re.sub(r"^(?:U\.?S\.?|United States)\s+", "", name)}
    found = set()
    for form in forms:
        words = [w for w in re.findall(r"[A-Za-z]+", form) if w.lower() not in ACRONYM_SKIPPED]
        letters = "".join(w[0] for w in words if w[0].isupper())
        if len(letters) >= 2:
            found.add(letters)
    return found


def _canonical_names(mentions: list[Mention], lower_words: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """surface -> canonical name, and canonical name -> kind. People by surname (the full name is
    canonical), acronyms to their long forms. A name the parser calls an organisation once and a
    person elsewhere ('Trump') is the person."""
    canonical: dict[str, str] = {}
    kinds: dict[str, str] = {}
    people = [m for m in mentions if m.label == "PERSON"]
    # A headline capitalises every word, and the parser takes a verb for a first name ('Senators Warn
    # Trump'): a full name seen only in headlines, of a surname the text names otherwise, is that surname.
    in_text = {m.surface for m in people if not m.headline}
    surnames_in_text = {_person_key(n) for n in in_text}
    for mention in people:
        if (
            mention.headline
            and len(mention.surface.split()) >= 2
            and mention.surface not in in_text
            and _person_key(mention.surface) in surnames_in_text
        ):
            mention.surface = mention.surface.split()[-1]
    full: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in people:
        if len(mention.surface.split()) >= 2:
            full[_person_key(mention.surface)][mention.surface] += 1
    surnames = {_person_key(m.surface) for m in people}
    for mention in mentions:
        if mention.label == "ORG" and " " not in mention.surface and mention.surface.lower() in surnames:
            mention.label = "PERSON"
            people.append(mention)
    # A surname never written in full is still one person however it is cased ('TRUMP' in a shouted
    # headline, 'Trump' in the text): the most frequent spelling, capitalised, stands for all.
    single: dict[str, Counter[str]] = defaultdict(Counter)
    for mention in people:
        single[_person_key(mention.surface)][mention.surface] += 1
    for mention in people:
        forms = full.get(_person_key(mention.surface))
        if not forms:
            spellings = single[_person_key(mention.surface)]
            canonical[mention.surface] = max(spellings, key=lambda n: (not n.isupper(), spellings[n], n))
        else:
            if len(mention.surface.split()) >= 2:
                same = [(n, c) for n, c in forms.items() if _same_given_name(n, mention.surface)]
                same = same or [(mention.surface, 1)]
            else:
                same = list(forms.items())
            # The most frequent full form, then the longest: 'H. R. McMaster' and 'H.R. McMaster' are one.
            canonical[mention.surface] = max(same, key=lambda nc: (nc[1], len(nc[0])))[0]
        kinds[canonical[mention.surface]] = "PERSON"
    # Sorted: the loops below let the first or the last of colliding names win ('HHS' as the acronym of
    # two long forms), and a set's order changes with the process's hash seed.
    organisations = sorted(
        {m.surface for m in mentions if m.label in ("ORG", "FAC") and m.surface not in canonical}
    )
    long_forms = {a: o for o in organisations if len(o.split()) >= 2 for a in _acronyms(o)}
    # 'Homeland Security' is 'Department of Homeland Security' when that is the one longer name ending so.
    for organisation in organisations:
        longer = [o for o in organisations if o != organisation and o.endswith(" of " + organisation)]
        # ... and 'House' is 'House of Representatives' when that is the one longer name starting so.
        longer = longer or [o for o in organisations if o.startswith(organisation + " of ")]
        if len(longer) == 1:
            long_forms.setdefault(organisation, longer[0])
    spelled: dict[str, str] = {}  # 'Al-Qahera' and 'Al Qahera' are one name
    for organisation in sorted(organisations, key=lambda o: (-len(o), o)):
        spelled.setdefault(normalise_name(organisation), organisation)
    for organisation in organisations:
        single = " " not in organisation
        if (
            single
            and not LEGISLATURE.search(organisation)
            and (organisation.lower() in lower_words or organisation.lower() in TITLE_WORDS | SPEAKER_NOUNS)
        ):
            continue  # a common noun written with a capital ('Justice', 'Border', 'Defence'), not a name
        name = long_forms.get(organisation.replace(".", ""), spelled[normalise_name(organisation)])
        canonical[organisation] = name
        kinds.setdefault(name, "ORG")
    return canonical, kinds


def build_party_index(documents: list[Document], corpus: ParsedCorpus | None = None) -> PartyIndex:
    """Parties across documents, resolved and ranked (see the module docstring)."""
    corpus = corpus or parse_corpus(documents)
    mentions, outlets = collect_mentions(documents, corpus)
    lower_words = {
        w for d in documents for s in d.citable_sentences for w in re.findall(r"\b[a-z][a-z\-]+\b", s.text)
    }
    names, kinds = _canonical_names(mentions, lower_words)
    index = PartyIndex(corpus=corpus)
    docs: dict[str, set[str]] = defaultdict(set)
    acts: Counter[str] = Counter()
    count: Counter[str] = Counter()
    aliases: dict[str, set[str]] = defaultdict(set)
    affiliation_votes: dict[str, Counter[str]] = defaultdict(Counter)
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    organisations: dict[str, Counter[str]] = defaultdict(Counter)
    descriptions: dict[str, Counter[str]] = defaultdict(Counter)
    lead: Counter[str] = Counter()
    for mention in mentions:
        if mention.label == "COUNTRY":
            name = mention.affiliation or mention.surface
            kinds[name] = "COUNTRY"
        elif mention.surface not in names:
            continue
        else:
            name = names[mention.surface]
            if mention.affiliation:
                affiliation_votes[name][mention.affiliation] += 1
            if mention.title:
                titles[name][mention.title] += 1
            if mention.organisation:
                organisations[name][mention.organisation] += 1
            if mention.description:
                descriptions[name][mention.description] += 1
        if outlet_key(name) in outlets or outlet_key(mention.surface) in outlets:
            continue
        docs[name].add(mention.doc_id)
        count[name] += 1
        acts[name] += int(mention.actor) + int(mention.speaks)
        lead[name] = max(lead[name], int(mention.sentence_id <= 3))
        if mention.surface != name:
            aliases[name].add(mention.surface)
        if mention.group:
            aliases[name].add(mention.group)
        if mention.label == "PERSON" and mention.actor and mention.affiliation in COUNTRIES:
            country = mention.affiliation  # 'Israeli Foreign Minister X said': Israel acts through X
            kinds.setdefault(country, "COUNTRY")
            docs[country].add(mention.doc_id)
            acts[country] += 2  # an official speaking for a country is the country acting
            count[country] += 1
    # People whose surname alone is written are known by it too.
    for name, kind in kinds.items():
        if kind == "PERSON" and len(name.split()) >= 2:
            aliases[name].add(name.split()[-1])
    min_mentions = 1 if len(documents) == 1 else 2

    def is_actor(name: str) -> bool:
        if kinds[name] == "COUNTRY":  # a country named in passing is a setting, not a party
            return acts[name] >= 2 or (acts[name] >= 1 and len(docs[name]) >= 2)
        return acts[name] >= 1 or count[name] >= min_mentions

    for name in kinds:
        affiliation = affiliation_votes[name].most_common(1)[0][0] if affiliation_votes[name] else None
        if affiliation:
            index.affiliations[normalise_name(name)] = affiliation
            for alias in aliases[name]:
                index.affiliations.setdefault(normalise_name(alias), affiliation)
        if titles[name]:
            # The most frequent title that says a role ('President' over a bare 'Sen.'-less 'Mr.').
            index.titles[name] = min(titles[name].items(), key=lambda t: (title_role(t[0]) is None, -t[1]))[0]
        if organisations[name]:
            organisation = organisations[name].most_common(1)[0][0]
            index.title_organisations[name] = names.get(organisation, organisation)
        if descriptions[name]:
            index.descriptions[name] = descriptions[name].most_common(1)[0][0]
    # An expert or a resident quoted on the event is a voice in it, not a party to it.
    candidates = [
        n
        for n in kinds
        if is_actor(n)
        and not (n in index.titles and is_bystander(index.titles[n], index.title_organisations.get(n)))
    ]
    for name in candidates:
        index.add(name)
        if kinds[name] == "PERSON":
            index.people.add(name)
        for alias in aliases[name]:
            index.add(name, alias)
        index.documents[name] = len(docs[name])
        # Named in more documents, acting more, named in a lead: more salient. Above all, a person the
        # articles introduce with a title ('Senate Majority Leader X'): over the 22 dev clusters, the
        # annotators' Main/Salient people are those (weights chosen there: party recall 66% -> 70% at
        # the same list length).
        index.salience[name] = (
            len(docs[name]) + acts[name] + 0.5 * count[name] + 6 * int(bool(titles[name])) + lead[name]
        )
    # Speak-for relations: a seat of government for its country, a spokesperson for their group, a
    # person introduced with a country's demonym for that country, when that country or group is a
    # party of the story; in a domestic fight the White House stays an actor of its own.
    for name in list(index.parties):
        target = GOVERNMENT_SEATS.get(name) or index.affiliations.get(normalise_name(name))
        target = GOVERNMENT_SEATS.get(target, target) if target else None  # 'White House spokesman X'
        if target and target not in index.parties:
            target = index.canonical(target)
        if target in POLITICAL_ALIASES:
            target = None  # a senator who acts in the story is a party of their own, not their party
        if target and target in index.parties and target != name:
            if name in index.people:
                index.make_member(name, target)  # 'Israeli Prime Minister X': one of Israel's people
            else:
                index.merge(name, target)  # 'White House' for the United States
    # The list stays short: the most salient parties, more for a larger corpus.
    keep = party_list_size(len(documents))
    ranked = sorted(index.parties, key=lambda n: (-index.salience.get(n, 0), n))
    for name in ranked[keep:]:
        aliases_of = index.parties.pop(name)
        for alias in (name, *aliases_of):
            if index.lookup.get(normalise_name(alias)) == name:
                del index.lookup[normalise_name(alias)]
        index.documents.pop(name, None)
        # A minor actor who belongs to a listed party ('Sen. X (D-Ore.)') is named among its people.
        speaks_for = index.affiliations.get(normalise_name(name))
        if speaks_for in index.parties and speaks_for in ranked[:keep] and name in index.people:
            index.make_member(name, speaks_for, aliases_of)
    for person, party in list(index.speaks_for.items()):  # a member of a party that was cut
        if party not in index.parties:
            del index.speaks_for[person], index.members[person]
    for document in documents:  # an alias the text spells out: 'the occupation (Israel)'
        for sentence in document.citable_sentences:
            for alias, name in _PARENTHETICAL_ALIAS.findall(sentence.text):
                canonical = index.canonical(name) or _country(name)
                if canonical:
                    index.add(canonical, f"the {alias}")
    for outlet, country in outlets.items():  # an outlet is no party, but may speak for one
        if country:
            index.affiliations.setdefault(outlet, country)
    for person, party in index.affiliations.items():
        if party in index.parties:
            index.lookup.setdefault(person, party)
    index._pattern = None
    index.roles = settled_roles(documents, index)
    return index
