"""Roles: what part each party plays, from what the text says it does.

The text settles a role in three ways, strongest first:

* what it says the party does: 'a truce brokered by A and B', 'the Egyptian hosts', 'Qatari
  mediators' (mediator); 'X declared war on Y' (belligerent); 'the X delegation', 'X negotiators'
  (negotiator). These cues only name the role of a country or an organisation whose name says
  nothing more (a political party that negotiates is still a party);
* a person's title or the description beside their name: 'Senate Majority Leader', 'U.S. District
  Judge', 'White House press secretary', 'X, a lawyer for Y'; the head of a union, a company or an
  advocacy group ('President of the X Teachers Federation') takes that organisation's role;
* an organisation's name: 'X Party', 'Supreme Court', 'Department of ...', 'American Civil Liberties
  Union' (an advocacy group, not a labour union).

A country with no cue is 'government' (``default_role``): that is only a default, and a model's
decision may replace it; a role the text settles is never replaced (``settled_roles``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from summarizer.geo import COUNTRIES, GOVERNMENT_SEATS, POLITICAL_ALIASES
from summarizer.models import PartyRole
from summarizer.vocabulary import (
    ADVOCACY_DESCRIPTIONS,
    ADVOCACY_ORG_WORDS,
    AGENCY_WORDS,
    ARMED_DESCRIPTIONS,
    ASSOCIATION_WORDS,
    BYSTANDER_TITLES,
    COMPANY_DESCRIPTIONS,
    COMPANY_ORG_WORDS,
    COURT_ORG_WORDS,
    EXPERT_ORG_WORDS,
    GOVERNMENT_LAWYER_PHRASES,
    HEAD_TITLES,
    MEDIATING_VERBS,
    MEDIATOR_NOUNS,
    NEGOTIATING_NOUNS,
    NOT_A_UNION_WORDS,
    OCCUPATION_WORDS,
    ROLE_ADVOCACY,
    ROLE_AFFECTED,
    ROLE_CANDIDATE,
    ROLE_EXPERT,
    ROLE_GOVERNMENT,
    ROLE_GOVERNMENT_PHRASES,
    ROLE_JUDGE,
    ROLE_LAWYER,
    ROLE_LEGISLATOR,
    ROLE_MEDIA,
    ROLE_NEGOTIATOR,
    ROLE_OFFICIAL,
    ROLE_PARTY_LEADER_PHRASES,
    ROLE_SPOKESPERSON,
    ROLE_SPOKESPERSON_PHRASES,
    ROLE_UNION,
    UNION_ORG_WORDS,
    WAR_WORDS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

    from summarizer.analysis.parties import PartyIndex
    from summarizer.documents import Document

# Institutions whose name says what they are (general knowledge, not one story's actors).
GOVERNMENT_BODY = re.compile(
    r"\b(?:"
    + "|".join(map(re.escape, GOVERNMENT_SEATS))
    + r"|Kremlin|Ministry|Department|Treasury|Cabinet|Government|Administration|administration)\b"
)
LEGISLATURE = re.compile(r"\b(?:Senate|House|Congress|Parliament|Assembly|Knesset|Duma|Bundestag)\b")
# Roles an organisation passes to the person who heads it ('President of the X Federation').
_HEADED_ROLES = {
    PartyRole.union: PartyRole.union,
    PartyRole.company: PartyRole.company,
    PartyRole.advocacy_group: PartyRole.advocacy_group,
    PartyRole.court: PartyRole.judge,
    PartyRole.media: PartyRole.media,
    PartyRole.political_party: PartyRole.party_leader,
    PartyRole.expert: PartyRole.expert,
    PartyRole.organization: PartyRole.official,
}
# Cue roles, strongest first: what a party does in this event outranks what it is.
_CUE_ORDER = (PartyRole.mediator, PartyRole.belligerent, PartyRole.negotiator)


def _words_of(text: str) -> tuple[str, set[str]]:
    """Lower-case text with dots dropped and hyphens as spaces, and its set of words."""
    text = re.sub(r"\s+", " ", text.lower().replace(".", "").replace("-", " ")).strip()
    return text, set(text.split())


def title_role(title: str, organisation: PartyRole | None = None) -> PartyRole | None:
    """The role a person's title or description says ('Senate Majority Leader' -> legislator,
    'White House press secretary' -> spokesperson), or None when it says none. ``organisation`` is
    the role of the organisation the title names, if any: its head takes its role."""
    text, words = _words_of(title)
    if "former" in words or "ex" in words:
        return None  # a former minister has no part by that title now
    if words & ROLE_SPOKESPERSON or any(p in text for p in ROLE_SPOKESPERSON_PHRASES):
        return PartyRole.spokesperson
    if any(p in text for p in GOVERNMENT_LAWYER_PHRASES):
        return PartyRole.government
    if words & ROLE_JUDGE and not words & {"department", "ministry", "secretary", "minister"}:
        return PartyRole.judge  # not the 'Justice Department'
    if words & ROLE_LAWYER:
        return PartyRole.lawyer
    if organisation in _HEADED_ROLES and words & HEAD_TITLES:
        return _HEADED_ROLES[organisation]
    if words & ROLE_CANDIDATE:
        return PartyRole.candidate
    if any(p in text for p in ROLE_PARTY_LEADER_PHRASES):
        return PartyRole.party_leader
    if (words & ROLE_LEGISLATOR or "majority leader" in text or "minority leader" in text) and (
        "white house" not in text
    ):
        return PartyRole.legislator
    if "opposition" in words:
        return PartyRole.opposition
    for role, vocabulary in (
        (PartyRole.negotiator, ROLE_NEGOTIATOR),
        (PartyRole.expert, ROLE_EXPERT),
        (PartyRole.media, ROLE_MEDIA),
        (PartyRole.advocacy_group, ROLE_ADVOCACY),
    ):
        if words & vocabulary:
            return role
    if words & ROLE_UNION and not words & NOT_A_UNION_WORDS:
        return PartyRole.union
    if words & {"deputy", "assistant", "undersecretary", "under"} and "secretary" in words:
        return PartyRole.official  # 'Deputy Assistant Defense Secretary' is no member of the cabinet
    if words & ROLE_GOVERNMENT or any(p in text for p in ROLE_GOVERNMENT_PHRASES):
        return PartyRole.government
    if words & ROLE_OFFICIAL:
        return PartyRole.official
    if words & ROLE_AFFECTED:
        return PartyRole.affected_person
    return None


def is_bystander(title: str, organisation: str | None = None) -> bool:
    """A title that makes a person a voice on the event, not a party to it: an expert who comments
    (a scholar, the director of an institute), a resident or a witness quoted on what they saw."""
    _, words = _words_of(title)
    of = organisation_role(organisation) if organisation else None
    return title_role(title, of) == PartyRole.expert or bool(words & BYSTANDER_TITLES)


def organisation_role(name: str) -> PartyRole | None:
    """The role an organisation's name says ('Supreme Court' -> court, 'X Teachers Federation' ->
    union, 'American Civil Liberties Union' -> advocacy group), or None."""
    if name.endswith(" Party") or name in POLITICAL_ALIASES:
        return PartyRole.political_party
    _, words = _words_of(name)
    if words & COURT_ORG_WORDS:
        return PartyRole.court
    if (words & UNION_ORG_WORDS or (words & ASSOCIATION_WORDS and words & OCCUPATION_WORDS)) and not (
        words & NOT_A_UNION_WORDS
    ):
        return PartyRole.union
    if words & ADVOCACY_ORG_WORDS:
        return PartyRole.advocacy_group
    if words & COMPANY_ORG_WORDS:
        return PartyRole.company
    if GOVERNMENT_BODY.search(name):
        return PartyRole.government
    if LEGISLATURE.search(name):
        return PartyRole.legislator
    if words & AGENCY_WORDS:
        return PartyRole.government
    if words & EXPERT_ORG_WORDS:
        return PartyRole.expert
    return None


def description_role(description: str) -> PartyRole | None:
    """The role a description of an organisation says ('a civil liberties group', 'the automaker',
    'rights groups like X'), or None."""
    text, words = _words_of(description)
    if words & UNION_ORG_WORDS and not words & NOT_A_UNION_WORDS:
        return PartyRole.union
    if words & ARMED_DESCRIPTIONS or "armed group" in text or "militant group" in text:
        return PartyRole.armed_group
    if words & ADVOCACY_DESCRIPTIONS:
        return PartyRole.advocacy_group
    if words & COMPANY_DESCRIPTIONS:
        return PartyRole.company
    if "think tank" in text:
        return PartyRole.expert
    return None


def default_role(name: str) -> PartyRole | None:
    """A role by default, when the text settles none: a country acts through its government."""
    return PartyRole.government if name in COUNTRIES else None


# ---------------------------------------------------------------------------------------------------
# What the text says a party does
# ---------------------------------------------------------------------------------------------------


def _can_take_cue(name: str, index: PartyIndex) -> bool:
    """Cue roles are for countries and organisations whose name says nothing more: a political party,
    a court or a legislature keeps what it is, and a person has a title."""
    if name in index.people or name in index.members:
        return False
    return organisation_role(name) in (None, PartyRole.government) or name in COUNTRIES


def _mentioned(index: PartyIndex, text: str) -> list[str]:
    return index.mentions(text)


def _phrase(token: Token) -> str:
    return token.doc[token.left_edge.i : token.right_edge.i + 1].text


def _sides_of_war(token: Token, index: PartyIndex) -> list[str]:
    """The parties on both sides of a war word: its enemy ('on', 'against', 'with', 'between') and
    who wages it (the possessor, the subject of the verb that declares it, or the subject of a verb
    of fighting). None without an enemy, and none for 'the coalition fighting against X' (what the
    coalition is, the text does not say here)."""
    enemies = [
        _phrase(grandchild)
        for child in token.children
        if child.dep_ == "prep" and child.lower_ in ("on", "against", "with", "between")
        for grandchild in child.children
        if grandchild.dep_ == "pobj"
    ]
    if not enemies:
        return []
    waging = [_phrase(c) for c in token.children if c.dep_ in ("poss", "nsubj", "compound", "amod")]
    if token.dep_ == "dobj":  # 'Israel declared war on Hamas'
        waging += [_phrase(c) for c in token.head.children if c.dep_ == "nsubj"]
    return [name for text in [*waging, *enemies] for name in _mentioned(index, text)]


def cue_roles(documents: Iterable[Document], index: PartyIndex) -> dict[str, PartyRole]:
    """Roles the sentences state by what a party does (mediator, belligerent, negotiator), the
    strongest cue of the corpus for each party."""
    found: dict[str, set[PartyRole]] = defaultdict(set)
    for document in documents:
        for sentence in document.citable_sentences:
            doc = index.corpus.get(document.doc_id, sentence.id)
            if doc is None:
                continue
            for token in doc:
                lemma = token.lemma_.lower()
                # 'a truce brokered by Egypt, Qatar and the United States'; 'Egypt hosted the talks'.
                if lemma in MEDIATING_VERBS and token.pos_ == "VERB":
                    for child in token.children:
                        if child.dep_ == "agent" or (child.dep_ == "nsubj" and token.dep_ != "amod"):
                            span = doc[child.left_edge.i : child.right_edge.i + 1]
                            for name in _mentioned(index, span.text):
                                found[name].add(PartyRole.mediator)
                # 'the Egyptian hosts', 'Qatari mediators', 'mediators Egypt and Qatar'.
                if lemma in MEDIATOR_NOUNS and token.pos_ == "NOUN":
                    around = [c for c in token.children if c.dep_ in ("amod", "compound", "appos", "nmod")]
                    for child in around:
                        span = doc[child.left_edge.i : child.right_edge.i + 1]
                        for name in _mentioned(index, span.text):
                            found[name].add(PartyRole.mediator)
                # 'the Israeli delegation', 'Hamas negotiators', 'negotiators from A and B'.
                if token.lower_ in NEGOTIATING_NOUNS and token.pos_ == "NOUN":
                    around = [c for c in token.children if c.dep_ in ("amod", "compound", "poss", "nmod")]
                    around += [
                        g
                        for c in token.children
                        if c.dep_ == "prep" and c.lower_ == "from"
                        for g in c.children
                    ]
                    for child in around:
                        span = doc[child.left_edge.i : child.right_edge.i + 1]
                        for name in _mentioned(index, span.text):
                            found[name].add(PartyRole.negotiator)
                # 'Israel declared war on Hamas', 'Hamas' attack on Israel': both sides of a war.
                if lemma in WAR_WORDS:
                    for name in _sides_of_war(token, index):
                        found[name].add(PartyRole.belligerent)
    roles: dict[str, PartyRole] = {}
    for name, cues in found.items():
        if _can_take_cue(name, index):
            roles[name] = next(role for role in _CUE_ORDER if role in cues)
    return roles


def _group_role(aliases: Iterable[str]) -> PartyRole | None:
    """A person known by what they lead: 'the Biden administration' (government), 'the X campaign'
    (a candidate)."""
    last_words = {alias.split()[-1].lower() for alias in aliases if " " in alias}
    if last_words & {"administration", "government"}:
        return PartyRole.government
    if "campaign" in last_words:
        return PartyRole.candidate
    return None


def settled_roles(documents: Iterable[Document], index: PartyIndex) -> dict[str, PartyRole]:
    """Every role the text settles, for parties and the people who speak for them: cues first, then
    titles and descriptions, then names."""
    documents = list(documents)
    roles = cue_roles(documents, index)
    for name in [*index.parties, *index.members]:
        if name in roles:
            continue
        role = None
        if name in index.people or name in index.members:
            title = index.titles.get(name)
            if title:
                organisation = index.title_organisations.get(name)
                # The head of an organisation whose name says nothing is still no minister.
                party = index.canonical(organisation) if organisation else None
                people = index.people | set(index.members)
                if not organisation or organisation in COUNTRIES or party in COUNTRIES or party in people:
                    of = None  # 'Trump's chief of staff', 'Israeli minister': the title says it all
                else:
                    of = roles.get(party or "") or organisation_role(organisation) or PartyRole.organization
                role = title_role(title, of)
            if role is None:
                role = _group_role(index.parties.get(name) or index.members.get(name) or set())
        else:
            role = organisation_role(name) or (
                description_role(index.descriptions[name]) if name in index.descriptions else None
            )
        if role is not None:
            roles[name] = role
    return roles
