"""One document's analysis: its attributions (speaker and side per sentence), figures and party
mentions, read from the corpus parses held by the party index.

Sentences are read in order, because who speaks depends on what came before: a pronoun stands for
an actor of the last sentences (``reference``), and a quotation that runs over several sentences is
one speaker's: its sentences take the speaker named where it closes ('“…. …,” X said'), else the one
who opened it ('X told reporters: “…'), else the speaker just before it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from summarizer.analysis.attribution import (
    Attribution,
    Quotes,
    find_attribution,
    find_stances,
    is_quote_only,
    named_in_apposition,
    quotes,
    speaker_phrase,
)
from summarizer.analysis.figures import FigureMention, find_figures
from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex
from summarizer.analysis.plans import PlanMention, find_plan, terms_after
from summarizer.analysis.reference import Antecedents, Referent, could_refer, referent_of
from summarizer.analysis.stances import Stance, find_positions
from summarizer.documents import Document
from summarizer.lexical import normalise_name

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Speakers that refer back to an earlier one: definite role phrases without a name ("the source", "the
# security sources", "the organization").
_ANAPHORIC = re.compile(
    r"^(?:the(?: [a-z]+){0,3}|the(?: \w+){0,2} (?:group|movement|organi[sz]ation)"
    r"|an? [a-z ]*from the (?:organization|group|movement))$"
)
# A quotation continues the speaker before it only when that speaker is this close (in sentences).
CONTINUATION_DISTANCE = 2
# A quotation left open longer than this is a stray mark, not a speech.
MAX_QUOTE_SENTENCES = 6
_SUBJECTS = ("nsubj", "nsubjpass")


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


class _Speakers:
    """The document context of one sentence's attribution (``attribution.SpeakerContext``): pronoun
    antecedents from the sentences read so far, names from the corpus' party index."""

    def __init__(self, index: PartyIndex) -> None:
        self.index = index
        self.surnames = {words[-1] for p in index.people if (words := normalise_name(p).split())}
        self.antecedents = Antecedents()
        self.referents: dict[str, Referent] = {}  # speaker shown -> the referent it was
        self.quoted: Quotes = Quotes((), False)
        self.resolved: Referent | None = None  # the last pronoun's antecedent

    def is_name(self, text: str) -> bool:
        return self.index.canonical(text) is not None or normalise_name(text) in self.index.affiliations

    def is_person(self, text: str) -> bool:
        """A name the party index resolved to a person ('Trump' -> 'Donald Trump')."""
        key = normalise_name(text)
        return self.index.lookup.get(key) in self.index.people or key in self.surnames

    def _same_sentence(self, pronoun: Token, quoted: Quotes) -> list[Referent]:
        """In its own sentence, a pronoun refers back to the subject of a clause it is part of ('Mr.
        X made it clear he agreed', 'X ordered …, and he urged'); a subject inside what it says
        ('Mediators suggested …, they added') is not its antecedent."""
        governors = {a.i for a in pronoun.head.ancestors}
        return [
            r
            for t in pronoun.doc[: pronoun.i]
            if t.dep_ in _SUBJECTS
            and t.head.i in governors
            and t.i not in quoted
            and (r := self._referent(t))
        ]

    def antecedent(self, pronoun: Token) -> str | None:
        in_relative_clause = pronoun.head.dep_ == "relcl"
        self.resolved = self.antecedents.resolve(
            pronoun.lower_, self._same_sentence(pronoun, self.quoted), own_sentence_only=in_relative_clause
        )
        return self.resolved.name if self.resolved else None

    def _referent(self, head: Token) -> Referent | None:
        named = named_in_apposition(head)
        if not could_refer(named) and not (named.text[:1].isupper() and self.is_person(named.text)):
            return None
        return referent_of(named, speaker_phrase(named), self.is_person)

    def sentence_read(self, sentence_id: int, doc: Doc, attribution: Attribution | None) -> None:
        """Remember the actors of the sentence just read, most salient first: its speaker, its
        subjects, the other actors it names; none from inside a quotation."""
        first: list[Referent] = []
        if attribution is not None:
            speaker = self.referents.get(attribution.speaker)
            if attribution.pronoun and self.resolved is not None:
                speaker = self.resolved
            elif attribution.speaker_token is not None and attribution.cue != "quote":
                head = doc[attribution.speaker_token]
                speaker = referent_of(head, attribution.speaker, self.is_person) or speaker
            if speaker is not None:
                self.referents[attribution.speaker] = speaker
                first.append(speaker)
        quoted = self.quoted

        def rest(position: int) -> list[Referent]:
            found: list[Referent] = []
            for token in doc:
                if token.dep_ in _SUBJECTS and token.i not in quoted:
                    if token.lower_ in ("he", "she", "they", "it"):
                        same = first[:1] + self._same_sentence(token, quoted)
                        referent = self.antecedents.resolve(token.lower_, same, learn=False, before=position)
                    else:
                        referent = self._referent(token)
                    if referent is not None:
                        found.append(referent)
            for entity in doc.ents:
                if entity.label_ in ("PERSON", "ORG", "NORP", "GPE") and entity.start not in quoted:
                    referent = referent_of(entity.root, entity.text, self.is_person)
                    if referent is not None:
                        found.append(referent)
            return found

        self.antecedents.add_sentence(sentence_id, first, rest)
        self.resolved = None

    def spoke(self, sentence_ids: list[int], attribution: Attribution) -> None:
        """A quotation's earlier sentences learnt their speaker: a pronoun after them may refer to it."""
        referent = self.referents.get(attribution.speaker)
        if referent is not None:
            for sentence_id in sentence_ids:
                self.antecedents.add_speaker(sentence_id, referent)


@dataclass
class _OpenQuote:
    """A quotation still open at the end of the last sentence read (or just closed without a
    speaker, waiting one sentence for a tail such as 'he wrote.')."""

    speaker: Attribution | None = None  # who opened it ('X told reporters: “…'), if anyone
    pending: list[int] = field(default_factory=list)  # its sentences still without a speaker
    before: Attribution | None = None  # the speaker just before it opened, the last resort
    length: int = 0


def _tail(doc: Doc) -> bool:
    """A sentence that only names the speaker of the quotation before it ('he wrote.', 'Trump
    tweeted Saturday.'), cut from it by the sentence splitter."""
    if doc[-1].text == ":" or any(t.text in '“”"' for t in doc):
        return False
    return doc[0].text[:1].islower() or not any(t.dep_ in ("ccomp", "dobj", "xcomp") for t in doc)


class _Quotations:
    """Who speaks the sentences of a quotation that runs over several: the speaker named where it
    closes ('“…. …,” X said'), else the one who opened it ('X told reporters: “…'), else the one
    named just after it ('he wrote.'), else the speaker just before it."""

    def __init__(
        self, attributions: dict[int, Attribution], spoke: Callable[[list[int], Attribution], None]
    ) -> None:
        self.attributions = attributions
        self.spoke = spoke  # told which earlier sentences a speaker was found for
        self.open: _OpenQuote | None = None  # a quotation open at the end of the last sentence
        self.closed: _OpenQuote | None = None  # one that closed there without a speaker

    @property
    def carried(self) -> bool:
        return self.open is not None

    def _settle(self, quotation: _OpenQuote, speaker: Attribution | None) -> None:
        if speaker is not None:
            for earlier in quotation.pending:
                self.attributions[earlier] = _continuing(speaker, earlier)
            self.spoke(quotation.pending, speaker)
        quotation.pending = []

    def read(
        self, sentence_id: int, doc: Doc, quoted: Quotes, own: Attribution | None, recent: Attribution | None
    ) -> Attribution | None:
        """The sentence's attribution (its own, or the quotation's it belongs to), given its own
        and the speaker just before it (``recent``, if close enough to go on)."""
        if self.closed is not None:
            tail = own is not None and _tail(doc)
            self._settle(self.closed, own if tail else self.closed.before)
            self.closed = None
        attribution = own
        quotation = self.open
        if quotation is not None:
            if own is not None:  # '…,” X said': the whole quotation is X's
                self._settle(quotation, own)
            elif quotation.speaker is not None:
                attribution = _continuing(quotation.speaker, sentence_id)
            else:
                quotation.pending.append(sentence_id)
        elif own is None and is_quote_only(doc, quoted):
            if quoted.open_at_end:  # its speaker may be named where it closes
                quotation = _OpenQuote(pending=[sentence_id], before=recent)
            elif recent is not None:
                attribution = _continuing(recent, sentence_id)
        if quoted.open_at_end:
            quotation = quotation or _OpenQuote(before=recent)
            quotation.length += 1
            if attribution is not None and quotation.speaker is None and not quotation.pending:
                quotation.speaker = attribution
        self.open = quotation if quoted.open_at_end else None
        if quotation is not None and quotation.pending and self.open is None:
            self.closed = quotation  # closed with no speaker: wait one sentence for 'he wrote.'
        elif self.open is not None and self.open.length > MAX_QUOTE_SENTENCES:
            self._settle(self.open, self.open.before)  # a stray mark, not a speech
            self.open = None
        return attribution

    def finish(self) -> None:
        for quotation in (self.closed, self.open):
            if quotation is not None:
                self._settle(quotation, quotation.before)


def _continuing(attribution: Attribution, sentence_id: int) -> Attribution:
    return Attribution(sentence_id, attribution.speaker, "quote", attribution.outlet, attribution.side)


def _side(
    attribution: Attribution, previous: Attribution | None, index: PartyIndex, sides: dict[str, str]
) -> str:
    if attribution.pronoun and attribution.speaker in sides:
        return sides[attribution.speaker]  # 'he said': the side of the one it stands for
    side = index.side_of(attribution.speaker)
    speaker = attribution.speaker[:1].lower() + attribution.speaker[1:]
    person = index.titled_person(speaker) if speaker.startswith("the ") else None
    if side == UNKNOWN_SIDE and person:
        side = index.side_of(person)  # "the energy secretary": the one with that title
    elif side == UNKNOWN_SIDE and attribution.relayed and attribution.outlet:
        side = index.side_of(attribution.outlet)  # 'Al Qahera cited the source': the outlet's side
    elif side == UNKNOWN_SIDE and previous and _ANAPHORIC.match(speaker):
        side = previous.side  # "the source": the last speaker named
    return side


def analyse_document(document: Document, index: PartyIndex) -> DocumentAnalysis:
    attributions: dict[int, Attribution] = {}
    figures: list[FigureMention] = []
    mentions: dict[str, list[int]] = defaultdict(list)
    members: dict[str, list[int]] = defaultdict(list)
    stances: dict[int, list[Attribution]] = {}
    positions: dict[int, list[Stance]] = {}
    plans: dict[int, PlanMention] = {}
    last_plan: PlanMention | None = None
    speakers = _Speakers(index)
    sides: dict[str, str] = {}  # speaker shown -> side, for the pronouns that stand for them
    previous: Attribution | None = None
    quotations = _Quotations(attributions, speakers.spoke)
    for sentence in document.citable_sentences:
        doc = index.corpus.get(document.doc_id, sentence.id)
        attribution: Attribution | None = None
        if doc is not None:
            quoted = quotes(doc, carried=quotations.carried)
            speakers.quoted = quoted
            attribution = find_attribution(sentence.id, doc, speakers, quoted)
            if attribution is not None:
                attribution.side = _side(attribution, previous, index, sides)
                sides[attribution.speaker] = attribution.side
            close = previous and sentence.id - previous.sentence_id <= CONTINUATION_DISTANCE
            attribution = quotations.read(sentence.id, doc, quoted, attribution, previous if close else None)
        if attribution:
            attributions[sentence.id] = attribution
            previous = attribution
        if doc is not None:
            speakers.sentence_read(sentence.id, doc, attribution)
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
    quotations.finish()
    for figure in figures:  # a quotation's earlier sentences learn their speaker where it closes
        if figure.attributed_to is None and figure.sentence_id in attributions:
            figure.attributed_to = attributions[figure.sentence_id].speaker
    return DocumentAnalysis(
        document.doc_id, attributions, figures, dict(mentions), stances, positions, plans, dict(members)
    )
