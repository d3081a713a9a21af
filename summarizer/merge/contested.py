"""Contested points: questions the sides answer in opposite ways, each side's answer with its sources.

A contested point is a *relation* between claims, and the brief shows one only when it is checked:

* candidates come from meaning: merged claims of different sides whose propositions are close
  (``CANDIDATE_SIMILARITY``); closeness alone is a topic match, not a disagreement;
* a candidate becomes a contest when the two answer one question in opposite ways: the parse reads
  the same predicate over a shared argument with opposite polarity ('some progress had been made in
  the talks' against 'no progress was made'), or one side backs what the other opposes ('raising
  the fuel tax' against 'opposes raising the fuel tax'); or, where the backend can, a language model
  asked that one question answers yes and its answer passes the same checks as the rules' (``judge``);
* the question is the yes/no question the affirmative claim answers, in the claim's own words ('Had
  any progress been made in the Cairo talks?'), or 'For or against X?' for a stance; a pair whose
  question cannot be made short and readable is not shown as a contest;
* a side answers a question once: one side asserting and denying one thing is not a contest
  between sources.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from summarizer.analysis import UNKNOWN_SIDE, DocumentAnalysis
from summarizer.analysis.propositions import MAX_QUESTION_WORDS, Proposition, read_propositions
from summarizer.analysis.stances import AGAINST, FOR, Stance
from summarizer.documents import Document
from summarizer.duplicates import Voices
from summarizer.ground import cite
from summarizer.merge.clustering import first_citations
from summarizer.merge.parties import PartyResolver
from summarizer.merge.speakers import one_person, person_named
from summarizer.models import ClaimGroup, ContestedPoint, ContestedPosition
from summarizer.vocabulary import GENERIC_TARGETS, SELF_ACT_VERBS

# Claims of different sides at least this close in meaning are checked for a contest. The questions
# the gold clusters' annotators list pair at 0.63-0.89; the parse, not this threshold, decides.
CANDIDATE_SIMILARITY = 0.45
# A stance ('opposes X') and a claim that is X itself, worded alike (rapidfuzz token-sort ratio: the
# words of both, not one inside the other, which token-set ratio would take for the same).
SAME_TARGET = 90
_OPPOSES = "opposes "


@dataclass(frozen=True)
class Verdict:
    """Two claims answer one question in opposite ways: the question, and each one's answer."""

    question: str
    first_answer: str  # 'yes' / 'no', or 'for' / 'against'
    second_answer: str


# Asked of a candidate pair the rules could not settle: a Verdict, or None for "not a contest".
Judge = Callable[[ClaimGroup, ClaimGroup], Verdict | None]


def rule_verdict(first: Proposition, second: Proposition) -> Verdict | None:
    """A contest the parse shows, with its question; None when the parse does not show one."""
    stance = _stance_verdict(first.text, second.text)
    if stance is not None:
        return stance
    if not first.contradicts(second):
        return None
    affirmative = second if first.negated else first
    if affirmative.question is None:
        return None
    return Verdict(affirmative.question, _yes_no(first), _yes_no(second))


def _yes_no(proposition: Proposition) -> str:
    return "no" if proposition.negated else "yes"


def _stance_verdict(first: str, second: str) -> Verdict | None:
    """'opposes raising the fuel tax' against 'raising the fuel tax' (the analysis words a stated
    opposition so): the same thing backed by one side and opposed by the other."""
    for against, backed, order in ((first, second, ("against", "for")), (second, first, ("for", "against"))):
        if not against.startswith(_OPPOSES) or backed.startswith(_OPPOSES):
            continue
        target = against.removeprefix(_OPPOSES).strip().rstrip(".")
        if fuzz.token_sort_ratio(target.lower(), backed.lower().rstrip(".")) < SAME_TARGET:
            return None
        if len(target.split()) + 3 > MAX_QUESTION_WORDS:
            return None
        return Verdict(f"For or against {target}?", *order)
    return None


def group_propositions(groups: list[ClaimGroup]) -> dict[str, list[Proposition]]:
    """Each merged claim's propositions: its statement's first, then each other wording its reports
    give (outlets word one claim differently, and the parse may read one wording and not another)."""
    texts = {g.id: list(dict.fromkeys([g.statement, *(r.statement for r in g.reports)])) for g in groups}
    flat = [t for wordings in texts.values() for t in wordings]
    read = dict(zip(flat, read_propositions(flat), strict=True))
    return {gid: [read[t] for t in wordings] for gid, wordings in texts.items()}


def _pair_verdict(first: list[Proposition], second: list[Proposition]) -> tuple[Verdict, Proposition] | None:
    """Of the pairs of wordings that show a contest, the one whose question is shortest, with the
    first claim's wording in it."""
    found = [(v, a) for a in first for b in second if (v := rule_verdict(a, b)) is not None]
    return min(found, key=lambda f: len(f[0].question)) if found else None


def find_contested(
    groups: list[ClaimGroup],
    centroids: dict[str, np.ndarray],
    voices: Voices | None = None,
    judge: Judge | None = None,
    propositions: Mapping[str, list[Proposition]] | None = None,
) -> list[ContestedPoint]:
    """Questions the sources answer in opposite ways (see the module's doc). ``propositions`` holds
    each group's wordings read by the parse (``group_propositions``, made here when not given);
    ``judge`` is asked about the candidates the rules do not settle."""
    if propositions is None:
        propositions = group_propositions(groups)
    known = [g for g in groups if UNKNOWN_SIDE not in g.speaker_sides or len(g.speaker_sides) > 1]
    if len(known) < 2:
        return []
    matrix = np.stack([centroids[g.id] for g in known])
    similarity = matrix @ matrix.T
    pairs = sorted(
        (-float(similarity[i, j]), i, j)
        for i in range(len(known))
        for j in range(i + 1, len(known))
        if similarity[i, j] >= CANDIDATE_SIMILARITY
        and not set(known[i].speaker_sides) & set(known[j].speaker_sides)
    )
    used: set[int] = set()
    contested = []
    for _, i, j in pairs:
        if i in used or j in used:
            continue
        found = _pair_verdict(propositions[known[i].id], propositions[known[j].id])
        verdict, seed = found if found else (None, None)
        if verdict is None and judge is not None:
            verdict = judge(known[i], known[j])
        if verdict is None:
            continue
        answers = {i: verdict.first_answer, j: verdict.second_answer}
        # Other claims that answer the same question join it (a clique: each shares the question with
        # both seeds), unless their side has answered it already.
        sides = {side: answers[m] for m in (i, j) for side in known[m].speaker_sides}
        for k in range(len(known)):
            if k in answers or k in used or seed is None:
                continue
            if min(similarity[k, i], similarity[k, j]) < CANDIDATE_SIMILARITY:
                continue
            answer = next(
                (a for p in propositions[known[k].id] if (a := _answer_to(p, seed, verdict.first_answer))),
                None,
            )
            if answer is None or any(side in sides for side in known[k].speaker_sides):
                continue
            answers[k] = answer
            sides.update({side: answer for side in known[k].speaker_sides})
        used.update(answers)
        contested.append(_point(verdict.question, {known[m].id: a for m, a in answers.items()}, known))
    count = (voices or Voices()).count
    contested.sort(key=lambda p: (-count({s for pos in p.positions for s in pos.sources}), p.question))
    for number, point in enumerate(contested, start=1):
        point.id = f"Q{number}"
    return contested


def _answer_to(candidate: Proposition, seed: Proposition, seed_answer: str) -> str | None:
    """The candidate's answer to the question a seed claim answers, when the parse shows it speaks to
    the same question (same predicate over a shared argument); else None."""
    if seed_answer not in ("yes", "no") or not candidate.same_question(seed):
        return None
    return seed_answer if candidate.negated == seed.negated else ("no" if seed_answer == "yes" else "yes")


def _point(question: str, answers: dict[str, str], groups: list[ClaimGroup]) -> ContestedPoint:
    by_id = {g.id: g for g in groups}
    positions: dict[tuple[str, str], list[ClaimGroup]] = defaultdict(list)
    for group_id, answer in answers.items():
        group = by_id[group_id]
        holder = one_person(r.speaker for r in group.reports) or group.speaker_sides[0]
        positions[(holder, answer)].append(group)
    order = {"yes": 0, "for": 0, "no": 1, "against": 1}

    def rank(key: tuple[str, str]) -> tuple[int, str]:
        return order.get(key[1], 0), key[0]

    return ContestedPoint(
        question=question,
        positions=[
            ContestedPosition(
                side=side,
                answer=answer,
                negated=order.get(answer, 0) == 1,
                claim_ids=[g.id for g in gs],
                statement=max(gs, key=lambda g: len(g.sources)).statement,
                citations=first_citations([r for g in gs for r in g.reports]),
                sources=sorted({s for g in gs for s in g.sources}),
            )
            for (side, answer), gs in sorted(
                positions.items(), key=lambda kv: (order.get(kv[0][1], 0), kv[0][0])
            )
        ],
    )


# ---------------------------------------------------------------------------------------------------
# Disputes: one side for a thing, another against it (stances, analysis/stances.py)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldStance:
    """A stance of one sentence of one document, its holder's side resolved to a canonical party."""

    document: Document
    stance: Stance
    side: str


def _question_for(stances: list[HeldStance]) -> str | None:
    """'For or against <the thing>?' in the words of the stance that names it best (the most
    content words, no possessive pronoun a reader could not place); for an act backed by a named side,
    'Should <side> <act>?'."""
    backers = [h for h in stances if h.stance.polarity == FOR]
    acts = [h for h in backers if h.stance.action and h.stance.act in SELF_ACT_VERBS]
    # Short enough to read at a glance first, then the one that says most.
    # 'For or against the changes?' does not say which: a thing named by generic words only is vague.
    candidates = sorted(
        (
            h
            for h in stances
            if not _POSSESSIVE.search(h.stance.target) and not h.stance.terms <= GENERIC_TARGETS
        ),
        key=lambda h: (
            len(h.stance.target.split()) > MAX_TARGET_WORDS_IN_QUESTION,
            -len(h.stance.terms),
            h.stance.polarity != FOR,
            len(h.stance.target),
        ),
    )
    passive = [m for h in backers if (m := _TO_BE_DONE.fullmatch(h.stance.target))]
    if acts and not _POSSESSIVE.search(acts[0].stance.target):
        question = f"Should {_actor(acts[0])} {acts[0].stance.target}?"
    elif passive and not _POSSESSIVE.search(passive[0].group(0)):
        # 'called for the filibuster to be abolished': 'Should the filibuster be abolished?'
        question = f"Should {_lower_first(passive[0]['thing'])} be {passive[0]['done']}?"
    elif candidates:
        question = f"For or against {_lower_first(candidates[0].stance.target)}?"
    else:
        return None
    return question if len(question.split()) <= MAX_QUESTION_WORDS else None


def _actor(held: HeldStance) -> str:
    """Who would act, as a question names them: the holder's own short name ('Trump'), else the side."""
    holder = held.stance.holder
    words = holder.split()
    if 0 < len(words) <= 3 and all(w[:1].isupper() for w in words) and words[0].lower() != "the":
        return holder
    return held.side


# A question names its thing in at most this many words ('the president's $8.6 billion ask').
MAX_TARGET_WORDS_IN_QUESTION = 8
_TO_BE_DONE = re.compile(r"(?P<thing>.+?) to be (?P<done>\w+)")
_POSSESSIVE = re.compile(r"\b(?:his|her|its|their|our|my|your)\b", re.IGNORECASE)


def _lower_first(text: str) -> str:
    """'The tariffs' inside a question reads 'the tariffs'; a name keeps its capital."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in ("the", "a", "an", "this", "these") else text


def find_disputes(held: list[HeldStance], voices: Voices | None = None) -> list[ContestedPoint]:
    """Things one side backs and another opposes, as contested points: 'For or against X?' with each
    side's stance, quoted from its sentences. A side is in a dispute once; a side that is both for and
    against a thing is left out of it (its stances speak of two things)."""
    pairs = []
    for i, first in enumerate(held):
        for j in range(i + 1, len(held)):
            second = held[j]
            if first.side == second.side or first.stance.polarity == second.stance.polarity:
                continue
            if not first.stance.same_target(second.stance):
                continue
            shared = len(first.stance.terms & second.stance.terms)
            pairs.append((-shared, i, j))
    used: set[int] = set()
    disputes: list[list[HeldStance]] = []
    for _, i, j in sorted(pairs):
        if i in used or j in used:
            continue
        members = [i, j]
        for k, other in enumerate(held):
            if k in members or k in used:
                continue
            # Another stance joins only when it is about the thing both seeds are about.
            if all(other.stance.same_target(held[m].stance) for m in (i, j)):
                members.append(k)
        by_side: dict[str, set[str]] = defaultdict(set)
        for m in members:
            by_side[held[m].side].add(held[m].stance.polarity)
        members = [m for m in members if len(by_side[held[m].side]) == 1]
        if {held[m].stance.polarity for m in members} != {FOR, AGAINST}:
            continue
        used.update(members)
        disputes.append([held[m] for m in members])
    points = []
    for members in disputes:
        question = _question_for(members)
        if question is None:
            continue
        points.append(_dispute_point(question, members))
    count = (voices or Voices()).count
    points.sort(key=lambda p: (-count({s for pos in p.positions for s in pos.sources}), p.question))
    return points


def _dispute_point(question: str, members: list[HeldStance]) -> ContestedPoint:
    by_side: dict[str, list[HeldStance]] = defaultdict(list)
    for member in members:
        by_side[member.side].append(member)
    positions = []
    for side, stances in sorted(by_side.items(), key=lambda kv: (kv[1][0].stance.polarity != FOR, kv[0])):
        citations = list(dict.fromkeys(cite(h.document, h.stance.sentence_id) for h in stances))
        polarity = stances[0].stance.polarity
        positions.append(
            ContestedPosition(
                side=side,
                answer=polarity,
                negated=polarity == AGAINST,
                claim_ids=[],
                statement=citations[0].text,
                citations=citations,
                sources=sorted({c.doc_id for c in citations}),
            )
        )
    return ContestedPoint(question=question, positions=positions)


def held_stances(
    documents: list[Document], analyses: Mapping[str, DocumentAnalysis], resolver: PartyResolver
) -> list[HeldStance]:
    """Every stance of the documents whose holder belongs to a known party. A holder who is a person
    the articles name stands as themself ('Donald Trump: for'), not as the country or chamber the
    index ties them to: a president is not his country, a leader not the whole Senate."""
    people = resolver.index.people
    held = []
    for document in documents:
        analysis = analyses.get(document.doc_id)
        for stances in (analysis.positions if analysis else {}).values():
            for stance in stances:
                # The index knows its members as people even where the parse took a surname for
                # an organisation ('Trump' tagged ORG): a member is never their party's stand-in.
                person = resolver.index.member(stance.holder) or resolver.index.canonical(stance.holder)
                if person not in people and person not in resolver.index.members:
                    person = _people_named(stance.holder) if stance.person else None
                side = person if person else resolver.resolve(stance.side)
                if side and side != UNKNOWN_SIDE:
                    held.append(HeldStance(document, stance, side))
    # One person, one name: 'Trump' and 'President Donald Trump' are Donald Trump.
    fullest: dict[str, str] = {}
    for h in held:
        if h.stance.person and person_named(h.side):
            surname = h.side.split()[-1]
            fullest[surname] = max(fullest.get(surname, h.side), h.side, key=len)
    named = [fullest.get(h.side.split()[-1], h.side) if h.stance.person else h.side for h in held]
    return [HeldStance(h.document, h.stance, side) for h, side in zip(held, named, strict=True)]


def _people_named(holder: str) -> str | None:
    """'Jane Roe' or 'Jane Roe and Ann Vole': the person, or the people together, a holder names."""
    names = [person_named(part) for part in holder.split(" and ")]
    return holder if len(names) > 1 and all(names) else names[0]


def contested_points(
    from_claims: list[ContestedPoint], from_stances: list[ContestedPoint], voices: Voices | None = None
) -> list[ContestedPoint]:
    """Both kinds of contested point, most independent sources first, numbered Q1, Q2, ...; a dispute
    whose sentences a claim contest already quotes is that contest."""
    quoted = {(c.doc_id, c.sentence) for p in from_claims for pos in p.positions for c in pos.citations}
    points = from_claims + [
        p
        for p in from_stances
        if not any((c.doc_id, c.sentence) in quoted for pos in p.positions for c in pos.citations)
    ]
    count = (voices or Voices()).count
    points.sort(key=lambda p: (-count({s for pos in p.positions for s in pos.sources}), p.question))
    for number, point in enumerate(points, start=1):
        point.id = f"Q{number}"
    return points
