"""Score a brief against a development cluster's gold (``shared/dev-clusters/*/gold.json``, SEESAW).

The dev-cluster gold is thinner than ``gold/*.gold.json``: per article, the people and organisations
the annotators marked Main or Salient (``parties_per_file``), plus stance triplets. So this measures
party recall and a few honesty and readability checks, not demands or claims.

Gold parties are the union of ``parties_per_file`` over the files, deduplicated by :func:`party_key`
and its variants (SEESAW writes some names twice: 'Monica Palmer' and 'monica palmer', 'rep. park
cannon' and 'Park Cannon', 'congress' and 'United States Congress'). Like the issue's 263, the gold
keeps SEESAW's non-actor entities ('filibuster', 'migrant'): a brief rarely finds them.

Party matching rule. A gold party is *found* when some brief party's name or one of its aliases
matches it; several gold parties may be found by one brief party (its aliases say they are one actor).
Names are compared as :func:`party_key` (NFKC, lower case, possessive 's and punctuation dropped,
initials joined: 'H. R.' -> 'hr', 'U.S.' -> 'us', leading 'the' and honorifics such as 'Sen.' or
'President' dropped before a person's name). A brief name matches a gold name when:

* ``name``: the keys are equal, or equal to a variant of the gold name: without its middle initials
  or its 'Jr.' ('William B. Taylor Jr.' -> 'william taylor'), or, for a US institution, without
  'United States' ('United States Senate' -> 'senate', 'Supreme Court of the United States' ->
  'supreme court') and with 'Department of X' read as 'X Department';
* ``title``: the gold name is a person and the brief key ends with the gold key after other words
  ('Senate Majority Leader Mitch McConnell', even 'State Rex Tillerson');
* ``surname``: the gold name is a person and the brief key is the gold surname, alone or after title
  words only ('Trump', 'Sen. Manchin', 'General McMaster'), and no other gold person of the cluster has
  that surname (a bare 'Biden' does not count for Joe or Hunter Biden when both are gold);
* ``acronym``: the brief name, written in capitals, is the initials of a gold variant's words
  ('ACLU' for 'American Civil Liberties Union'; 'of', 'and', 'for', 'the' skipped), also of X in
  'Department of X' ('HHS') or without a trailing 'and X' ('CDC' for 'Centers for Disease Control and
  Prevention'); or the reverse (a gold acronym, a brief long form).

No synonym table: 'GOP' finds 'Republican Party' only when the brief lists both as names of one party.
A gold name is a *person* when it has two to four words, none of them an organisation word ('party',
'administration', 'court', 'house', 'union', 'campaign', 'lawmakers', ...) nor a function word.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.evaluate import citation_validity
from summarizer.lexical import normalise_name
from summarizer.models import Brief, all_citations
from summarizer.sources import FileTexts
from summarizer.vocabulary import (
    ANAPHORS,
    HONORIFICS,
    ISSUE_WORDS,
    NAME_FUNCTION_WORDS,
    NAME_SUFFIXES,
    ORGANISATION_WORDS,
    SURNAME_TITLES,
)

MAX_SPEAKER_WORDS = 6
_US = re.compile(r"^(?:united states|us)\s+|\s+of (?:the )?(?:united states|us)$")
_DEPARTMENT = re.compile(r"^department of (.+)$")


def party_key(name: str) -> str:
    """Normalised party name (see the module docstring)."""
    # lexical.normalise_name, with a curly apostrophe as a straight one (as annotators type it)
    text = normalise_name(unicodedata.normalize("NFKC", name).replace("’", "'"))
    text = re.sub(r"'s\b|(?<=s)'", "", text)  # possessive
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    # Join runs of single letters: 'h r mcmaster' -> 'hr mcmaster', 'u s' -> 'us'.
    text = re.sub(r"\b[a-z](?: [a-z]\b)+", lambda m: m.group(0).replace(" ", ""), text)
    words = text.split()
    while words and words[0] == "the":
        words = words[1:]
    # 'Sen. Joe Manchin' -> 'joe manchin', but 'Justice Department' and 'Sen. Manchin' stay whole.
    while words and words[0] in HONORIFICS and is_person(" ".join(words[1:])):
        words = words[1:]
    return " ".join(words)


def _without_suffix(key: str) -> str:
    words = key.split()
    return " ".join(words[:-1] if len(words) > 2 and words[-1] in NAME_SUFFIXES else words)


def is_person(key: str) -> bool:
    words = key.split()
    return (
        2 <= len(words) <= 4
        and words[-1] not in ISSUE_WORDS
        and not any(w in ORGANISATION_WORDS or w in NAME_FUNCTION_WORDS for w in words)
    )


def gold_variants(key: str) -> list[str]:
    """The gold key and the other forms that count as its full name (see the module docstring)."""
    variants = [key]
    if is_person(key):
        for form in (key, _without_suffix(key)):
            words = form.split()
            variants += [form, " ".join([words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]])]
    bare = _US.sub("", key).strip()
    if bare and bare != key:
        variants.append(bare)
    for form in list(variants):
        if department := _DEPARTMENT.match(form):
            variants.append(f"{department.group(1)} department")
    return list(dict.fromkeys(v for v in variants if v))


def _initials(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in NAME_FUNCTION_WORDS)


def _acronym_targets(variants: list[str]) -> set[str]:
    """Initials a capitalised brief name may be: of each variant of two words or more, of X in
    'department of X' ('HHS'), and without a trailing 'and X' ('CDC' for '... Control and Prevention')."""
    forms = [v for v in variants if len(v.split()) > 1]
    forms += [m.group(1) for v in variants if (m := _DEPARTMENT.match(v))]
    forms += [v.rsplit(" and ", 1)[0] for v in variants if " and " in v]
    return {_initials(f) for f in forms if len(f.split()) > 1}


def _acronym(name: str) -> str | None:
    """The name as an acronym key when it is written in capitals ('ACLU', 'U.S.'), else None."""
    letters = re.sub(r"[.\s]", "", unicodedata.normalize("NFKC", name).strip())
    return letters.lower() if re.fullmatch(r"[A-Z]{2,6}", letters) else None


RULES = ("name", "title", "surname", "acronym")  # best first


def match_rule(
    gold_name: str, brief_names: Iterable[str], ambiguous_surnames: frozenset[str] = frozenset()
) -> str | None:
    """How one gold party is found among a brief party's names: 'name', 'title', 'surname', 'acronym',
    or None (best rule first)."""
    key = party_key(gold_name)
    variants = gold_variants(key)
    person = is_person(key)
    surname = _without_suffix(key).split()[-1] if person else None
    names = [n for n in brief_names if party_key(n)]
    found: set[str] = set()
    for name in names:
        brief = party_key(name)
        words = brief.split()
        if brief in variants:
            return "name"
        if person and any(brief.endswith(" " + v) for v in variants):
            found.add("title")
        elif (
            surname
            and surname not in ambiguous_surnames
            and words[-1] == surname
            and all(w in SURNAME_TITLES for w in words[:-1])
        ):
            found.add("surname")
        acronym = _acronym(name)
        gold_acronym = _acronym(gold_name)
        if (acronym and acronym in _acronym_targets(variants)) or (
            gold_acronym and len(words) > 1 and gold_acronym == _initials(brief)
        ):
            found.add("acronym")
    return next((rule for rule in RULES if rule in found), None)


@dataclass
class DevGold:
    """A dev cluster's gold: title, article files and deduplicated gold party names."""

    title: str
    files: list[str]
    parties: list[str]


def load_dev_gold(path: Path) -> DevGold:
    data = json.loads(path.read_text(encoding="utf-8"))
    per_file: dict[str, list[str]] = data["parties_per_file"]
    parties: list[str] = []
    seen: set[str] = set()
    for names in per_file.values():
        for name in names:
            # One actor when the forms meet ('United States Congress' and 'congress'); first spelling wins.
            forms = set(gold_variants(party_key(name)))
            if not forms & seen:
                parties.append(name)
            seen |= forms
    files = list(per_file) if not data.get("files") else list(data["files"].values())
    return DevGold(title=data.get("event_title", path.parent.name), files=files, parties=parties)


def bad_speaker(speaker: str) -> bool:
    """A claim speaker a reader cannot use: longer than six words, or a pronoun ('he', 'its chief')."""
    words = re.findall(r"[\w'’\-]+", speaker)
    return len(words) > MAX_SPEAKER_WORDS or (bool(words) and words[0].lower() in ANAPHORS)


def score_brief(brief: Brief, gold: DevGold, cluster_dir: Path) -> dict[str, Any]:
    """Party recall, party list length, claims, speaker quality and citations of one brief (JSON-ready)."""
    keys = [party_key(g) for g in gold.parties]
    surnames = Counter(_without_suffix(k).split()[-1] for k in keys if is_person(k))
    ambiguous = frozenset(s for s, n in surnames.items() if n > 1)
    found: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    for gold_name in gold.parties:
        for party in brief.parties:
            rule = match_rule(gold_name, [party.name, *party.aliases], ambiguous)
            if rule is None:
                continue
            used.add(party.name)
            if gold_name not in found or RULES.index(rule) < RULES.index(found[gold_name]["rule"]):
                found[gold_name] = {"brief": party.name, "rule": rule}
    speakers = [report.speaker for claim in brief.claims for report in claim.reports]
    bad = [s for s in speakers if bad_speaker(s)]
    validity = citation_validity(brief, FileTexts(root=cluster_dir))
    cited = {c.doc_id for c in all_citations(brief)}
    return {
        "title": gold.title,
        "gold_parties": len(gold.parties),
        "found": len(found),
        "recall": round(len(found) / len(gold.parties), 4) if gold.parties else None,
        "brief_parties": len(brief.parties),
        "length_ratio": round(len(brief.parties) / len(gold.parties), 2) if gold.parties else None,
        "too_long": len(brief.parties) > 2 * len(gold.parties),
        "claims": len(brief.claims),
        "claim_reports": len(speakers),
        "bad_speakers": len(bad),
        "bad_speaker_names": sorted(set(bad)),
        "citations": validity["citations"],
        "citations_valid": validity["valid"],
        "invalid_citations": validity["invalid"],
        "sources_cited": len(cited),
        "sources": len(gold.files),
        "matches": found,
        "missed": [g for g in gold.parties if g not in found],
        "unmatched_brief": [p.name for p in brief.parties if p.name not in used],
    }
