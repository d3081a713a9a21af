"""Step 2 of the data flow: deterministic analysis, no model.

From the conventions of news prose it finds, per sentence:

* attributions: who said what ("X said", "X told Reuters", "according to X", quotes followed or
  preceded by a speaker), including unnamed speakers ("a Hamas official", "two security sources");
* figures: numbers with what they count, their qualifier ("more than", "some") and who gives them;
* party mentions across documents, with aliases, so that each speaker gets a side.

Every backend gets this as hints in the prompt; grounding uses it as a cross-check; the rules-only
extraction (``rules_extraction``) turns it into a ``DocumentExtraction`` directly, which is what the
``fake`` backend answers by default and what a small local model builds on.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

from summarizer.documents import Document, Sentence
from summarizer.geo import COUNTRIES, GOVERNMENT_SEATS, NON_PARTY_WORDS, POLITICAL_ALIASES
from summarizer.models import (
    DocumentExtraction,
    ExtractedClaim,
    ExtractedDemand,
    ExtractedFigure,
    ExtractedParty,
    ExtractedProposal,
    PartyRole,
)

UNKNOWN_SIDE = "unknown"

# ---------------------------------------------------------------------------------------------------
# Attribution
# ---------------------------------------------------------------------------------------------------

SAY_VERBS = (
    "said|says|say|told|tells|stated|states|added|adds|announced|announces|reported|reports|"
    "confirmed|confirms|denied|denies|revealed|reveals|commented|cited|claimed|claims|insisted|"
    "insists|warned|warns|noted|notes|described|describes|reiterated|reiterates|voiced|urged|urges|"
    "argued|argues|predicted|predicts|acknowledged|acknowledges|emphasized|emphasised|stressed|"
    "explained|wrote|writes|tweeted|declared|declares|accused|accuses|suggested|suggests|believes|"
    "expects|expected|estimated|estimates|indicated|indicates|signaled|signalled|signals|conceded|"
    "concedes|maintained|maintains|asserted|asserts|contended|contends|countered|counters|vowed|vows|"
    "pledged|pledges|responded|replied"
)
_VERB = re.compile(rf"\b(?:{SAY_VERBS})\b")
_ACCORDING_TO = re.compile(r"\baccording to (?:the latest figures from )?([^,.;“”\"]+)", re.I)
# The verb before its speaker, after a quote: '…,” said resident X'.
_QUOTE_THEN_VERB = re.compile(rf"[”\"’],?\s+(?:{SAY_VERBS})\s+([^,.;“”\"]+)")
# … or after a comma, with the speaker closing the clause: '…, said the official, speaking …'. Not
# '…, said that …' (the subject came before) nor '…, told Reuters' (the listener).
_COMMA_THEN_VERB = re.compile(
    r",\s+(?:said|says|added|adds|noted|stated|wrote)\s+"
    r"(?!(?:that|to|if|whether|he|she|it|they|we|I)\b)([^,.;“”\"]+)(?=[,.;]|$)"
)
# Role nouns that make a phrase a plausible speaker even without a capitalised name.
_SPEAKER_NOUNS = re.compile(
    r"\b(official|officials|source|sources|spokesman|spokeswoman|spokesperson|minister|ministry|"
    r"president|secretary|senator|sen|rep|representative|governor|army|military|government|media|"
    r"group|movement|organization|organisation|agency|channel|network|authorities|negotiators?|"
    r"delegation|leaders?|director|chief|diplomats?|analysts?|resident|residents|outlet|ambassador|"
    r"mediators?|speaker|leader|committee|office|house|department|council|he|she|they)\b",
    re.I,
)
_LEADING_NOISE = re.compile(
    r"^(?:(?:however|but|and|so|similarly|contrarily|meanwhile|also|later|still|yet|instead|then|"
    r"now|today|yesterday|in \w+(?: \w+)?|on \w+(?: \w+)?|at the weekend|separately)\b[,\s]*)+",
    re.I,
)
_TRAILING_NOISE = re.compile(
    r"(?:\s+(?:later|also|today|yesterday|on \w+|in a statement|in an update|again|previously|"
    r"earlier|had|has|have|would|will|then|further|repeatedly|consistently))+$",
    re.I,
)
# Speakers that refer back to an earlier one: pronouns and definite role phrases without a name
# ("the source", "the security sources", "the organization").
_ANAPHORIC = re.compile(
    r"^(?:he|she|they|the(?: [a-z]+){0,3}|the(?: \w+){0,2} (?:group|movement|organi[sz]ation)"
    r"|an? [a-z ]*from the (?:organization|group|movement))$"
)
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|speaking|a key|an? \w+ (?:of|for|on))\b[^,]{0,80},")


@dataclass
class Attribution:
    sentence_id: int
    speaker: str
    cue: str  # the verb or phrase that marks the attribution
    outlet: str | None = None  # "told Reuters" -> Reuters
    side: str = UNKNOWN_SIDE


def _clean_speaker(phrase: str) -> str:
    phrase = phrase.strip(" ,;:“”\"'’‘")
    phrase = _LEADING_NOISE.sub("", phrase)
    phrase = _TRAILING_NOISE.sub("", phrase)
    words = phrase.split()
    return " ".join(words[-10:]).strip(" ,;:")


# A clause that is an aside, not a subject: "in an interview with MSNBC", "on Sunday".
_ASIDE = re.compile(r"^\s*(?:in|on|at|after|before|during|with|for|from|speaking|asked|according)\b", re.I)
_FINITE_VERB = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|left|made|took|it|there)\b", re.I)


def _plausible_speaker(phrase: str, proper_words: set[str] | None = None) -> bool:
    """A speaker names a role ('officials', 'sources') or someone by name; not a clause fragment."""
    if not phrase or len(phrase.split()) > 12 or _FINITE_VERB.search(phrase):
        return False
    if _SPEAKER_NOUNS.search(phrase):
        return True
    words = phrase.split()
    if words[0].lower() in NON_PARTY_WORDS and len(words) == 1:
        return False
    capitalised = [w for w in words if w[:1].isupper()]
    if not capitalised:
        return False
    # A sentence-initial capital ("Conflicting reports...") proves nothing: the word must be written
    # capitalised somewhere else in the corpus too.
    return proper_words is None or any(re.sub(r"(?:’s|'s|’|')$", "", w) in proper_words for w in capitalised)


def find_attribution(sentence: Sentence, proper_words: set[str] | None = None) -> Attribution | None:
    """The speaker of one sentence, if news conventions name one."""
    text = _RELATIVE_CLAUSE.sub(",", sentence.analysis_text)
    # "…,” said resident Mohammed Abou Diab" / "…,” the source told X" (verb after the quote)
    inverted = _QUOTE_THEN_VERB.search(text) or _COMMA_THEN_VERB.search(text)
    if inverted:
        speaker = _clean_speaker(inverted.group(1))
        if _plausible_speaker(speaker, proper_words):
            return Attribution(sentence.id, speaker, "said")
    for match in _VERB.finditer(text):
        left = text[: match.start()]
        # The subject is the last clause before the verb, passing over an aside set off by commas
        # ("Schumer, in an interview with MSNBC, said") or left empty by a removed relative clause.
        clauses = re.split(r"[,;:“”\"]|\bthat\b|\bwhile\b|\bbut\b", left)
        clause = next((c for c in reversed(clauses[-3:]) if c.strip() and not _ASIDE.match(c)), clauses[-1])
        speaker = _clean_speaker(clause)
        if not _plausible_speaker(speaker, proper_words):
            continue
        outlet = None
        if match.group(0) in ("told", "tells"):
            after = re.match(r"\s+(?:the\s+)?((?:[A-Z][\w\-’']*\s?)+)", text[match.end() :])
            if after:
                outlet = after.group(1).strip()
        return Attribution(sentence.id, speaker, match.group(0), outlet)
    according = _ACCORDING_TO.search(text)
    if according:
        speaker = _clean_speaker(according.group(1))
        if _plausible_speaker(speaker, proper_words):
            return Attribution(sentence.id, speaker, "according to")
    return None


def _is_quote_only(sentence: Sentence) -> bool:
    text = sentence.analysis_text.strip()
    return text[:1] in '“"' and not _VERB.search(text)


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


# ---------------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------------

_NAME = re.compile(r"\b(?:[A-Z][\w’'\-]*(?:\s+(?:of|al|bin|de|von|the)\s+|\s+)?)*[A-Z][\w\-]*")
_AGENT_NEXT = re.compile(
    rf"^\s*(?:’s?\s+|'s?\s+)?(?:{SAY_VERBS}|official|officials|delegation|delegations|negotiators|"
    r"spokesman|spokesperson|source|sources|leaders|representatives|fighters|forces|troops|army|"
    r"government|sent|seized|killed|released|freed|refused|rejected|demands?|wants|agreed|proposed|"
    r"offered|attacked|launched|negotiat\w+)\b"
)
# "the position of the occupation (Israel)": the alias is the shortest "the ..." phrase before the
# parenthesis ("the occupation"), so no word of it may be another "the".
_PARENTHETICAL_ALIAS = re.compile(
    r"\bthe ((?:(?!the\b)[a-z]+ ){0,3}(?!the\b)[a-z]{3,}) \(([A-Z][\w ]{1,30})\)"
)
_OUTLET_AFFILIATION = re.compile(
    r"\b(?P<demonym>[A-Z][a-z]+)\s+(?:state\s+|state-run\s+)?(?:channel|outlet|newspaper|news site|"
    r"news network|network|agency|broadcaster|television|TV|daily|media)\s+(?P<name>(?:[A-Z][\w\-]*\s?)+)"
)


_PERSON_AFFILIATION = re.compile(
    r"\b(?P<demonym>[A-Z][a-z]+)\s+(?:[A-Za-z]+\s+){0,3}?(?:Minister|President|Secretary|spokesman|"
    r"spokeswoman|spokesperson|Director|Ambassador|Chief|General|official|envoy|negotiator)\s+"
    r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})"
)
_ADJECTIVE_ENDING = re.compile(r"(?:ian|ese|ish|i|an)$")


@dataclass
class PartyIndex:
    """Parties seen across the documents, with aliases, and how to find a speaker's side."""

    # canonical name -> aliases (as seen)
    parties: dict[str, set[str]] = field(default_factory=dict)
    # doc frequency per canonical name
    documents: Counter[str] = field(default_factory=Counter)
    # normalised alias or affiliated name (an outlet, a person) -> canonical party
    lookup: dict[str, str] = field(default_factory=dict)
    # capitalised words seen inside sentences (not only at their start): names, not sentence openers
    proper_words: set[str] = field(default_factory=set)
    # person -> the title the articles give them ("Transportation Secretary"), for their role
    titles: dict[str, str] = field(default_factory=dict)
    # normalised person name or surname -> political party, from "Sen. Joe Manchin (D-W.Va.)"
    affiliations: dict[str, str] = field(default_factory=dict)

    def add(self, canonical: str, alias: str | None = None) -> None:
        self.parties.setdefault(canonical, set())
        self.lookup.setdefault(_normalise_name(canonical), canonical)
        if alias and alias != canonical:
            self.parties[canonical].add(alias)
            self.lookup.setdefault(_normalise_name(alias), canonical)

    def merge(self, name: str, into: str) -> None:
        """Make ``name`` (a party of its own or not) and its aliases aliases of the party ``into``."""
        aliases = self.parties.pop(name, set())
        self.parties.setdefault(into, set()).update({name, *aliases})
        for alias in (name, *aliases):
            self.lookup[_normalise_name(alias)] = into
        if name in self.titles:
            self.titles.setdefault(into, self.titles.pop(name))

    def canonical(self, name: str) -> str | None:
        """The canonical party for a name, alias or affiliated name, or None."""
        key = _normalise_name(name)
        if not key or key in NON_PARTY_WORDS:
            return None
        if key in self.lookup:
            return self.lookup[key]
        if len(key) > 3:
            for alias, canonical in self.lookup.items():
                if len(alias) > 3 and (key.startswith(alias + " ") or alias.startswith(key + " ")):
                    return canonical
        return None

    def titled_person(self, speaker: str) -> str | None:
        """The one person whose title the phrase names ('the energy secretary' -> the person
        introduced as 'Energy Secretary Jennifer Granholm'), or None if none or several have it."""
        phrase = re.sub(r"^the\s+", "", speaker.strip(), flags=re.I).lower()
        if not phrase:
            return None
        # One word must be the whole title ("the president" is not the Vice President); a longer
        # phrase may end one ("the energy secretary" for "US Energy Secretary").
        holders = [
            name
            for name, title in self.titles.items()
            if title.lower() == phrase or (" " in phrase and title.lower().endswith(" " + phrase))
        ]
        return holders[0] if len(holders) == 1 else None

    def side_of(self, speaker: str) -> str:
        """The party a speaker phrase belongs to ('two Egyptian security sources' -> Egypt)."""
        for match in _NAME.finditer(speaker):
            found = self.canonical(match.group(0))
            if found:
                return found
            for word in match.group(0).split():
                found = self.canonical(word)
                if found:
                    return found
        # A demonym of a country the corpus never names as a party ("two Egyptian security sources"
        # in an article that does not otherwise mention Egypt) still tells the side.
        written = _written_aliases()
        for match in _NAME.finditer(speaker):
            for word in match.group(0).split():
                if word in written:
                    return written[word]
        return UNKNOWN_SIDE

    def mentions(self, text: str) -> list[str]:
        """Canonical parties named in a text, in order of first mention."""
        found: list[str] = []
        for match in _NAME.finditer(text):
            canonical = self.canonical(match.group(0)) or next(
                (self.canonical(w) for w in match.group(0).split() if self.canonical(w)), None
            )
            if canonical and canonical in self.parties and canonical not in found:
                found.append(canonical)
        return found


def _normalise_name(name: str) -> str:
    name = name.strip().replace("-", " ").replace("’s", "").replace("'s", "").replace("’", "")
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    return re.sub(r"\s+", " ", name).lower()


@cache
def _written_aliases() -> dict[str, str]:
    """Country and party aliases as written: names are capitalised in news prose, so matching is
    case-sensitive ('US' must not match 'us')."""
    written: dict[str, str] = {}
    for canonical, names in {**COUNTRIES, **POLITICAL_ALIASES}.items():
        written[canonical] = canonical
        for alias in names:
            written.setdefault(alias, canonical)
    return written


_POPULACE_NEXT = re.compile(
    r"^\s+(?:people|public|voters|taxpayers|families|households|workers|citizens|consumers|economy|"
    r"companies|businesses|jobs|society|electorate)\b"
)


def build_party_index(documents: list[Document]) -> PartyIndex:
    """Parties across documents: countries by name or demonym, and named actors that act as agents
    (say, send, demand...) in at least two documents (or in a single-document run, once)."""
    written = _written_aliases()
    index = PartyIndex()
    agentive: Counter[str] = Counter()
    surface: dict[str, str] = {}
    doc_presence: dict[str, set[str]] = defaultdict(set)
    lower_words: set[str] = set()
    outlets: set[str] = set()
    for document in documents:
        for sentence in document.citable_sentences:
            text = sentence.text
            lower_words.update(re.findall(r"\b[a-z][a-z\-]+\b", text))
            index.proper_words.update(re.findall(r"(?<=[\w,;:] )[A-Z][\w\-]+", text))
            outlets.update(
                _normalise_name(o) for o in re.findall(r"\btold (?:the )?((?:[A-Z][\w\-]*\s?)+)", text)
            )
            for match in _NAME.finditer(text):
                words = match.group(0).split()
                while words and words[0].lower() in NON_PARTY_WORDS:
                    words = words[1:]
                if not words:
                    continue
                name = " ".join(words)
                country = written.get(name) or (written.get(words[0]) if len(words) == 1 else None)
                if country and _POPULACE_NEXT.match(text[match.end() :]):
                    continue  # "the American people", "Israeli voters": a population, not an actor
                if country:
                    index.add(country, name)
                    doc_presence[country].add(document.doc_id)
                    continue
                if any(word in written for word in words):
                    continue  # "Israeli Foreign Minister ...": a side, not a party of its own
                key = _normalise_name(name)
                doc_presence[key].add(document.doc_id)
                if _AGENT_NEXT.match(text[match.end() :]):
                    agentive[key] += 1
                    surface.setdefault(key, name)
            for alias, name in _PARENTHETICAL_ALIAS.findall(text):
                canonical = written.get(name, name)
                index.add(canonical, f"the {alias}")
                doc_presence[canonical].add(document.doc_id)
    _learn_affiliations(documents, index)
    min_documents = 2 if len(documents) > 1 else 1
    for key in sorted(agentive, key=lambda k: -len(k)):
        name, title = split_title(surface[key])
        single = " " not in name
        if (
            len(doc_presence[key]) < min_documents
            or key in outlets
            or index.canonical(name) is not None  # an alias, an affiliated outlet or a longer name
            or (single and name.lower() in lower_words)  # a common noun at a sentence start
            or (single and _ADJECTIVE_ENDING.search(name) and name.endswith(("ian", "ese", "ish")))
        ):
            continue
        index.add(name, surface[key])
        if title:
            index.titles.setdefault(name, title)
        elif _normalise_name(name) in index.affiliations:
            index.titles.setdefault(name, "Sen.")  # "(D-W.Va.)": a member of Congress
    _merge_surnames(index, documents)
    # "A White House spokesperson" speaks for the United States when the country is a party of the
    # story; in a domestic fight the White House stays an actor of its own.
    for seat, country in GOVERNMENT_SEATS.items():
        if country in index.parties and doc_presence.get(_normalise_name(seat)):
            index.merge(seat, country)
    # A legislator who is not an actor of the story speaks for their party.
    for person, party in index.affiliations.items():
        index.lookup.setdefault(person, party)
    for canonical in index.parties:
        index.documents[canonical] = len(
            doc_presence.get(canonical, set()) | doc_presence.get(_normalise_name(canonical), set())
        )
    return index


_TITLE_WORDS = {
    "secretary",
    "minister",
    "president",
    "director",
    "chief",
    "senator",
    "sen",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "gov",
    "governor",
    "speaker",
    "leader",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "chairman",
    "chairwoman",
    "chair",
    "ambassador",
    "general",
    "envoy",
    "commissioner",
    "mayor",
    "judge",
    "mr",
    "mrs",
    "ms",
    "dr",
}
_LEGISLATOR_TITLES = {
    "sen",
    "sens",
    "senator",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "speaker",
    "senate",
    "house",
    "congressional",
    "parliamentary",
    "mp",
    "lawmaker",
}


def split_title(name: str) -> tuple[str, str | None]:
    """'Transportation Secretary Pete Buttigieg' -> ('Pete Buttigieg', 'Transportation Secretary')."""
    words = name.split()
    positions = [i for i, word in enumerate(words) if word.lower().rstrip(".") in _TITLE_WORDS]
    if positions and positions[-1] < len(words) - 1:
        cut = positions[-1] + 1
        return " ".join(words[cut:]), " ".join(words[:cut])
    return name, None


def _merge_surnames(index: PartyIndex, documents: list[Document]) -> None:
    """'Buttigieg' is 'Pete Buttigieg' when exactly one longer party ends with that name; a surname
    alone takes the full name (and title) it has elsewhere in the corpus ('Energy Secretary Jennifer
    Granholm')."""
    corpus = "\n".join(s.text for d in documents for s in d.citable_sentences)
    written = _written_aliases()
    for single in [p for p in index.parties if " " not in p]:
        longer = [p for p in index.parties if " " in p and p.split()[-1] == single]
        if not longer and single not in written:  # countries and parties have no first names
            full_names: Counter[tuple[str, str | None]] = Counter()
            for match in re.finditer(rf"((?:[A-Z][\w.’'\-]* +){{1,4}}){re.escape(single)}\b", corpus):
                name, title = split_title(match.group(0))
                words = name.split()
                if (
                    2 <= len(words) <= 3
                    and words[0].lower() not in NON_PARTY_WORDS
                    and not any(w.endswith(".") or w in written for w in words)
                ):
                    full_names[(name, title)] += 1
            if full_names:
                (full, title), _ = full_names.most_common(1)[0]
                if full not in index.parties and index.canonical(full) in (None, single):
                    index.add(full)
                    longer = [full]
                    if title:
                        index.titles.setdefault(full, title)
        if len(longer) == 1:
            index.merge(single, longer[0])


def title_role(title: str) -> PartyRole:
    words = {w.lower().rstrip(".") for w in title.split()}
    return PartyRole.legislator if words & _LEGISLATOR_TITLES else PartyRole.government


def name_role(name: str, index: PartyIndex) -> PartyRole | None:
    """The role a party's name or title says: 'Democratic Party', 'Senate Majority Leader X'."""
    if name.endswith(" Party") or name in index.affiliations.values():
        return PartyRole.political_party
    if _GOVERNMENT_BODY.search(name):
        return PartyRole.government
    if _LEGISLATURE.search(name):
        return PartyRole.legislator
    title = index.titles.get(name)
    return title_role(title) if title else None


# Institutions whose name says what they are (general knowledge, not one story's actors).
_GOVERNMENT_BODY = re.compile(
    r"\b(?:"
    + "|".join(map(re.escape, GOVERNMENT_SEATS))
    + r"|Kremlin|Ministry|Department|Treasury|Cabinet|Government|Administration)\b"
)
_LEGISLATURE = re.compile(r"\b(?:Senate|House|Congress|Parliament|Assembly|Knesset|Duma|Bundestag)\b")


def _learn_affiliations(documents: list[Document], index: PartyIndex) -> None:
    """'the Egyptian channel Al Qahera News' -> Al Qahera News speaks for Egypt; 'Israeli Prime
    Minister X' -> X is Israeli; 'Sen. Joe Manchin (D-W.Va.)' -> a Democrat. Learned names then
    resolve speakers anywhere in the corpus."""
    written = _written_aliases()
    for document in documents:
        for sentence in document.citable_sentences:
            for pattern in (_OUTLET_AFFILIATION, _PERSON_AFFILIATION):
                for match in pattern.finditer(sentence.text):
                    country = written.get(match.group("demonym"))
                    if country:
                        name = match.group("name").strip()
                        index.lookup.setdefault(_normalise_name(name), country)
                        if pattern is _PERSON_AFFILIATION:
                            index.lookup.setdefault(_normalise_name(name.split()[-1]), country)
            for name, letter in re.findall(
                r"([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)+)\s+\(([DR])-[A-Z]", sentence.text
            ):
                party = "Democratic Party" if letter == "D" else "Republican Party"
                index.add(party)
                # Whether the legislator is a party of their own (an actor in the story) or speaks
                # for their party is decided once every actor is known (build_party_index).
                person, _ = split_title(name)
                index.affiliations.setdefault(_normalise_name(person), party)
                index.affiliations.setdefault(_normalise_name(person.split()[-1]), party)


# ---------------------------------------------------------------------------------------------------
# Per-document analysis
# ---------------------------------------------------------------------------------------------------


@dataclass
class DocumentAnalysis:
    doc_id: str
    attributions: dict[int, Attribution]  # sentence id -> attribution
    figures: list[FigureMention]
    party_mentions: dict[str, list[int]]  # canonical party -> sentence ids


def analyse_document(document: Document, index: PartyIndex) -> DocumentAnalysis:
    attributions: dict[int, Attribution] = {}
    figures: list[FigureMention] = []
    mentions: dict[str, list[int]] = defaultdict(list)
    previous: Attribution | None = None
    for sentence in document.citable_sentences:
        attribution = find_attribution(sentence, index.proper_words)
        if (
            attribution is None
            and previous
            and _is_quote_only(sentence)
            and (sentence.id - previous.sentence_id <= 2)
        ):
            # A quote on its own continues the previous speaker.
            attribution = Attribution(sentence.id, previous.speaker, "quote", previous.outlet, previous.side)
        if attribution and attribution.cue != "quote":
            attribution.side = index.side_of(attribution.speaker)
            speaker = attribution.speaker[:1].lower() + attribution.speaker[1:]
            person = index.titled_person(speaker) if speaker.startswith("the ") else None
            if attribution.side == UNKNOWN_SIDE and person:
                attribution.side = index.side_of(person)  # "the energy secretary": the one with that title
            elif attribution.side == UNKNOWN_SIDE and previous and _ANAPHORIC.match(speaker):
                attribution.side = previous.side  # "the source", "he": the last speaker named
        if attribution:
            attributions[sentence.id] = attribution
            previous = attribution
        for figure in find_figures(sentence):
            if attribution:
                figure.attributed_to = attribution.speaker
            figures.append(figure)
        for canonical in index.mentions(sentence.text):
            mentions[canonical].append(sentence.id)
    return DocumentAnalysis(document.doc_id, attributions, figures, dict(mentions))


# ---------------------------------------------------------------------------------------------------
# Rules-only extraction (no model)
# ---------------------------------------------------------------------------------------------------

# "arguing that the package should ...": a position stated as what must happen is a demand.
_MUST_CLAUSE = r"argu(?:e|es|ed|ing) that (?=[^.;]{0,80}\b(?:should|must|needs? to|has to|have to)\b)"
# Verbs whose object is the demanded thing itself ("called for repurposing ...").
_DEMAND_VERBS = (
    r"calls? for|called for|calling for|push(?:es|ed|ing)? for|press(?:es|ed|ing)? for|insists? on|"
    rf"insisted on|would like to see|{_MUST_CLAUSE}"
)
_DEMAND_CUE = re.compile(
    rf"\b(demands?|demanded|conditions?|wants|wanted|red line|adheres? to|{_DEMAND_VERBS})\b",
    re.I,
)
# What follows these is the demanded thing itself (one, or a list).
_LIST_INTRO = re.compile(
    r"\b(?:including|include|includes|which include|such as|demand for|"
    rf"want(?:s|ed)? (?!(?:to|from|by|in|on|at|it|this|that)\b)|{_DEMAND_VERBS})"
    r"\b\s*:?\s*",
    re.I,
)
_PROPOSAL_CUE = re.compile(
    r"\b(proposal|proposed|plan|offer|counteroffer|deal (?:that|which) would|truce which would|"
    r"would be staggered|framework)\b",
    re.I,
)
# "a truce brokered by A, B and C" names the mediators; "X declared war on Y" two belligerents.
_MEDIATED_BY = re.compile(r"\b(?:brokered|mediated|hosted)\s+by\s+([^.;]+)", re.I)
_AT_WAR = re.compile(
    r"\b(?:war|offensive|attack|fighting|conflict)\s+(?:on|against|with|between)\s+([^.;,]+)", re.I
)


def excerpt(text: str, limit: int, focus: re.Match[str] | None = None) -> str:
    """``text`` if it fits in ``limit`` characters, else whole words around ``focus`` (from the start
    if there is none), starting at a clause where possible, marked with '…' where cut. The citation
    keeps the full sentence."""
    if len(text) <= limit:
        return text
    room = limit - 2  # for the two '…'
    start = 0
    if focus and focus.end() > room - 20:
        # Start at the clause that holds the focus, so the proposal itself is in the excerpt.
        clause_starts = [m.end() for m in re.finditer(r"[,;:—–]\s+", text[: focus.start()])]
        start = clause_starts[-1] if clause_starts else text.find(" ", max(0, focus.start() - room // 2)) + 1
    if len(text) - start <= room:
        return "…" + text[start:]
    cut = text.rfind(" ", start, start + room)
    body = text[start : cut if cut > start else start + room].rstrip(" ,;:—–")
    return ("…" if start else "") + body + "…"


_NOT_AN_ITEM = re.compile(r"^(?:said|says|speaking|particularly|according|he|she|they|but|which)\b", re.I)


def _split_items(text: str) -> list[str]:
    """'a withdrawal of troops, the return of the displaced, and a prisoner exchange' -> items."""
    # The list ends with the sentence, a closing quote, or a clause about something else ("but the
    # House will ...").
    text = re.split(r"[.;”\"]|, (?:they|he|she|the \w+) said|\s+but\s+|,\s+while\s+", text)[0]
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+(?=the |a |an )", text)
    items = [p.strip(' ,“”"').replace("“", "") for p in parts]  # a quote cut open by the split
    return [item for item in items if 3 <= len(item) <= 160 and not _NOT_AN_ITEM.match(item)]


def _demand_items(sentence: Sentence, cue: re.Match[str]) -> list[str]:
    """The demands listed after the cue ('its demands, including a, b and c'); none if not a list."""
    intro = _LIST_INTRO.search(sentence.analysis_text, cue.start())
    return _split_items(sentence.analysis_text[intro.end() :]) if intro else []


def _owner_before(text: str, position: int, index: PartyIndex) -> str | None:
    """The party named closest before ``position`` (the owner of 'its demands', 'X’s demand')."""
    named = index.mentions(text[:position])
    return named[-1] if named else None


def demand_owner(sentence: Sentence, analysis: DocumentAnalysis, index: PartyIndex) -> str | None:
    """Whose demand a sentence states: the party named last before the demand word ('Hamas’
    demand for', 'Israel’s prime demand'), else the side of the sentence's speaker ('The group
    reiterated its demands' after a Hamas statement)."""
    cue = _DEMAND_CUE.search(sentence.analysis_text)
    # The owner stands just before the demand word; a party named far earlier is some other actor.
    window_start = max(0, cue.start() - 60) if cue else 0
    owner = (
        _owner_before(sentence.analysis_text[window_start:], cue.start() - window_start, index)
        if cue
        else None
    )
    if owner is None:
        attribution = analysis.attributions.get(sentence.id)
        if attribution and attribution.side != UNKNOWN_SIDE:
            owner = attribution.side
    if owner is None and not cue:
        named = index.mentions(sentence.analysis_text)
        owner = named[0] if named else None  # the subject of a plain sentence
    return owner


def _roles_from_text(document: Document, index: PartyIndex) -> dict[str, PartyRole]:
    roles: dict[str, PartyRole] = {}
    for name in index.parties:
        role = name_role(name, index)
        if role:
            roles[name] = role
    for sentence in document.citable_sentences:
        for match in _MEDIATED_BY.finditer(sentence.analysis_text):
            for name in index.mentions(match.group(1)):
                roles.setdefault(name, PartyRole.mediator)
        for match in _AT_WAR.finditer(sentence.analysis_text):
            subject = index.mentions(sentence.analysis_text[: match.start()])[-1:]
            for name in [*subject, *index.mentions(match.group(1))]:
                roles.setdefault(name, PartyRole.belligerent)
    return roles


def rules_extraction(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> DocumentExtraction:
    """A DocumentExtraction from the analysis alone: deterministic, exact citations, no model."""
    parties = []
    roles = _roles_from_text(document, index)
    for name, sentence_ids in sorted(analysis.party_mentions.items(), key=lambda kv: kv[1][0]):
        if name not in index.parties:
            continue
        parties.append(
            ExtractedParty(
                name=name,
                role=roles.get(name, PartyRole.other),
                aliases=[alias for alias in sorted(index.parties[name]) if len(alias) <= 80][:6],
                sentences=sentence_ids[:3],
            )
        )
    demands: list[ExtractedDemand] = []
    proposals: list[ExtractedProposal] = []
    claims: list[ExtractedClaim] = []
    for sentence in document.citable_sentences:
        attribution = analysis.attributions.get(sentence.id)
        text = sentence.analysis_text
        cue = _DEMAND_CUE.search(text)
        if cue:
            owner = demand_owner(sentence, analysis, index)
            if owner:
                for item in _demand_items(sentence, cue)[:6]:
                    demands.append(ExtractedDemand(party=owner, demand=item[:200], sentences=[sentence.id]))
        proposal_cue = _PROPOSAL_CUE.search(text)
        if proposal_cue:
            by = attribution.speaker if attribution else None
            intro = _LIST_INTRO.search(text)
            proposals.append(
                ExtractedProposal(
                    summary=excerpt(text, 200, proposal_cue),
                    proposed_by=by and by[:80],
                    terms=_split_items(text[intro.end() :])[:6] if intro else [],
                    sentences=[sentence.id],
                )
            )
        if attribution:
            claims.append(
                ExtractedClaim(
                    speaker=attribution.speaker[:100],
                    speaker_side=attribution.side,
                    statement=excerpt(text, 240),
                    sentences=[sentence.id],
                )
            )
    figures = [
        ExtractedFigure(
            quantity=f.quantity,
            value=f.text[:40],
            attributed_to=f.attributed_to and f.attributed_to[:100],
            sentences=[f.sentence_id],
        )
        for f in analysis.figures
    ]
    return DocumentExtraction(
        parties=parties[:12],
        demands=demands[:12],
        proposals=proposals[:6],
        claims=claims[:16],
        figures=figures[:12],
    )


def hints_for_prompt(document: Document, analysis: DocumentAnalysis) -> list[str]:
    """One line per sentence with a detected speaker or figure, for the extraction prompt."""
    lines = []
    for sentence in document.citable_sentences:
        parts = []
        attribution = analysis.attributions.get(sentence.id)
        if attribution:
            side = "" if attribution.side == UNKNOWN_SIDE else f" (side: {attribution.side})"
            parts.append(f"speaker: {attribution.speaker}{side}")
        figures = [f for f in analysis.figures if f.sentence_id == sentence.id]
        if figures:
            parts.append("figures: " + "; ".join(f"{f.text} = {f.quantity}" for f in figures))
        if parts:
            lines.append(f"[{sentence.id}] " + " | ".join(parts))
    return lines
