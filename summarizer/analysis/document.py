"""One document's analysis: its attributions (speaker and side per sentence), figures and party
mentions, read from the corpus parses held by the party index."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass, field

from summarizer.analysis.attribution import (
    Attribution,
    find_attribution,
    find_stances,
    is_quote_only,
    last_person_named,
)
from summarizer.analysis.figures import FigureMention, find_figures
from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex
from summarizer.analysis.plans import PlanMention, find_plan, terms_after
from summarizer.analysis.stances import Stance, find_positions
from summarizer.documents import Document

# Speakers that refer back to an earlier one: definite role phrases without a name ("the source", "the
# security sources", "the organization").
_ANAPHORIC = re.compile(
    r"^(?:the(?: [a-z]+){0,3}|the(?: \w+){0,2} (?:group|movement|organi[sz]ation)"
    r"|an? [a-z ]*from the (?:organization|group|movement))$"
)


@dataclass
class DocumentAnalysis:
    doc_id: str
    attributions: dict[int, Attribution]  # sentence id -> attribution
    figures: list[FigureMention]
    party_mentions: dict[str, list[int]]  # canonical party -> sentence ids
    # sentence id -> positions stated for or against something ('X proposed A, which Y opposes')
    stances: dict[int, list[Attribution]] = field(default_factory=dict)
    # sentence id -> who is for or against what in it, holders resolved to their side (stances.py)
    positions: dict[int, list[Stance]] = field(default_factory=dict)
    # sentence id -> the proposal it states, with the terms the next sentence adds (plans.py)
    plans: dict[int, PlanMention] = field(default_factory=dict)
    # person who speaks for a party ('Israeli Prime Minister X') -> sentence ids naming them
    member_mentions: dict[str, list[int]] = field(default_factory=dict)


def _holder_side(holder: str, attribution: Attribution | None, index: PartyIndex) -> str:
    """The party a stance's holder belongs to: the speaker's side when the speaker holds it, else the
    party the phrase names. A title alone ('the president') is not resolved: in a story that names two
    presidents it would pick the wrong one."""
    if attribution is not None and holder == attribution.speaker and attribution.side != UNKNOWN_SIDE:
        return attribution.side
    return index.side_of(holder)


def analyse_document(document: Document, index: PartyIndex) -> DocumentAnalysis:
    attributions: dict[int, Attribution] = {}
    figures: list[FigureMention] = []
    mentions: dict[str, list[int]] = defaultdict(list)
    members: dict[str, list[int]] = defaultdict(list)
    stances: dict[int, list[Attribution]] = {}
    positions: dict[int, list[Stance]] = {}
    plans: dict[int, PlanMention] = {}
    last_plan: PlanMention | None = None
    previous: Attribution | None = None
    last_person: str | None = None
    for sentence in document.citable_sentences:
        doc = index.corpus.get(document.doc_id, sentence.id)
        # 'he said' stands for the speaker just before, else for the last person named.
        antecedent = previous.speaker if previous and sentence.id - previous.sentence_id <= 2 else last_person
        attribution = find_attribution(sentence.id, doc, antecedent) if doc is not None else None
        if (
            attribution is None
            and previous
            and is_quote_only(sentence.analysis_text)
            and (sentence.id - previous.sentence_id <= 2)
        ):
            # A quote on its own continues the previous speaker.
            attribution = Attribution(sentence.id, previous.speaker, "quote", previous.outlet, previous.side)
        if attribution and attribution.pronoun and previous and attribution.speaker == previous.speaker:
            attribution.side = previous.side
        elif attribution and attribution.cue != "quote":
            attribution.side = index.side_of(attribution.speaker)
            speaker = attribution.speaker[:1].lower() + attribution.speaker[1:]
            person = index.titled_person(speaker) if speaker.startswith("the ") else None
            if attribution.side == UNKNOWN_SIDE and person:
                attribution.side = index.side_of(person)  # "the energy secretary": the one with that title
            elif attribution.side == UNKNOWN_SIDE and previous and _ANAPHORIC.match(speaker):
                attribution.side = previous.side  # "the source": the last speaker named
        if attribution:
            attributions[sentence.id] = attribution
            previous = attribution
        if doc is not None:
            held = [
                dataclasses.replace(p, side=_holder_side(p.holder, attribution, index))
                for p in find_positions(sentence.id, doc, attribution.speaker if attribution else None)
            ]
            if held:
                positions[sentence.id] = held
            plan = find_plan(sentence.id, doc)
            if plan is not None:
                plan.side = _holder_side(plan.proposer, attribution, index) if plan.proposer else UNKNOWN_SIDE
                plans[sentence.id] = plan
            elif (
                last_plan is not None
                and last_plan.sentence_id == sentence.id - 1
                and (more := terms_after(doc))
            ):
                last_plan.terms += more  # 'In return, Israel would release 700 prisoners'
                last_plan.term_sentences.append(sentence.id)
            last_plan = plan
            last_person = last_person_named(doc) or last_person
            found = find_stances(sentence.id, doc)
            for stance in found:
                stance.side = index.side_of(stance.speaker)
            if found:
                stances[sentence.id] = found
        for figure in find_figures(sentence, doc):
            if attribution:
                figure.attributed_to = attribution.speaker
            figures.append(figure)
        for canonical in index.mentions(sentence.analysis_text):
            mentions[canonical].append(sentence.id)
        for person in index.named_members(sentence.analysis_text):
            members[person].append(sentence.id)
    return DocumentAnalysis(
        document.doc_id, attributions, figures, dict(mentions), stances, positions, plans, dict(members)
    )
