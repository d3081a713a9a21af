"""Pydantic models: the single source of truth for the extraction schema and the brief.

Two families live here:

* the *extraction* models (``DocumentExtraction`` and its parts) are what a language model fills in for
  one document. Their docstrings and ``Field(description=...)`` are part of the prompt the model sees,
  and their validators read the document through the validation context (``ExtractionContext``) so
  that instructor re-asks the model when it cites a sentence that does not exist or is boilerplate.
* the *brief* models (``Brief`` and its parts) are the consolidated output across documents. The JSON
  output is ``Brief.model_dump_json()``; the Markdown is rendered from the same object.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from summarizer.display import clean_name

# ---------------------------------------------------------------------------------------------------
# Extraction (what the model fills in for one document)
# ---------------------------------------------------------------------------------------------------

# What a model writes when it has no value. A JSON null, "null" or "" is never a name: a brief once
# listed "null" as an alias of every party.
_NO_VALUE = {"", "null", "none", "n/a", "unknown name"}


def is_no_value(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NO_VALUE)


def _clean(value: object) -> object:
    """A name as the model wrote it, less invisible and control characters (copied from an article,
    'Qatar' + ZERO WIDTH JOINER would be a second Qatar)."""
    return clean_name(value) if isinstance(value, str) else value


def _optional_name(value: object) -> object:
    return None if is_no_value(value) else _clean(value)


def _names(value: object) -> object:
    """A list of names without the model's nulls and empty strings."""
    return [_clean(v) for v in value if not is_no_value(v)] if isinstance(value, list) else value


def _required_name(value: object) -> object:
    if is_no_value(value):
        raise ValueError("a name is required here; null or an empty string is not a name")
    return _clean(value)


# List items are bounded like every other string, so a grammar built from the schema bounds the answer.
Alias = Annotated[str, Field(max_length=80)]
Term = Annotated[str, Field(max_length=160)]
Name = Annotated[str, BeforeValidator(_required_name)]
OptionalName = Annotated[str | None, BeforeValidator(_optional_name)]


class PartyRole(StrEnum):
    """What part an actor plays in the event, as the text says it. In a war or talks: belligerent,
    negotiator, mediator (also a host of talks), armed_group. In politics: government (a head of state
    or government, a minister, the executive), official (a civil servant, diplomat, agency head),
    spokesperson, legislator (or a legislature), party_leader, political_party, opposition, candidate.
    In courts: judge, court, lawyer. Others: company, union, advocacy_group, organization, media,
    expert, affected_person (someone the event happens to), other."""

    belligerent = "belligerent"
    negotiator = "negotiator"
    mediator = "mediator"
    armed_group = "armed_group"
    government = "government"
    official = "official"
    spokesperson = "spokesperson"
    legislator = "legislator"
    party_leader = "party_leader"
    political_party = "political_party"
    opposition = "opposition"
    candidate = "candidate"
    judge = "judge"
    court = "court"
    lawyer = "lawyer"
    company = "company"
    union = "union"
    advocacy_group = "advocacy_group"
    organization = "organization"
    media = "media"
    expert = "expert"
    affected_person = "affected_person"
    other = "other"


class ExtractionContext(BaseModel):
    """What the validators need to know about the document being extracted."""

    doc_id: str
    citable_ids: list[int] = Field(description="Sentence numbers that may be cited (not boilerplate).")
    boilerplate_ids: list[int] = Field(default_factory=list)

    def check(self, ids: list[int]) -> list[int]:
        """Raise a ValueError the model can act on when an id is unknown or boilerplate."""
        citable = set(self.citable_ids)
        boilerplate = set(self.boilerplate_ids)
        for sentence_id in ids:
            if sentence_id in boilerplate:
                raise ValueError(
                    f"sentence [{sentence_id}] is boilerplate (navigation, caption or advert) and must "
                    "not be cited; cite the sentence that states the fact"
                )
            if sentence_id not in citable:
                low, high = (min(citable), max(citable)) if citable else (0, 0)
                raise ValueError(
                    f"sentence [{sentence_id}] does not exist in this document; "
                    f"cite only the numbers shown, between [{low}] and [{high}]"
                )
        return ids


def _check_sentence_ids(value: list[int], info: ValidationInfo) -> list[int]:
    """Shared validator: without a context (e.g. loading a cached result) the ids pass through."""
    deduplicated = list(dict.fromkeys(value))
    context = info.context
    if isinstance(context, dict) and "extraction" in context:
        extraction_context: ExtractionContext = context["extraction"]
        return extraction_context.check(deduplicated)
    return deduplicated


SentenceIds = list[int]
# The field of every extracted item that cites sentence numbers: a backend constrains it to the
# document's citable ids (``backends.base.Request.citation_field``).
CITATION_FIELD = "sentences"
_SENTENCES_DESCRIPTION = (
    "Numbers of the sentences, as shown in brackets like [3], that state this item. "
    "Cite one to three sentences; never cite a sentence that does not say it."
)


class _Cited(BaseModel):
    sentences: SentenceIds = Field(min_length=1, max_length=3, description=_SENTENCES_DESCRIPTION)

    @field_validator("sentences")
    @classmethod
    def _sentences_exist(cls, value: list[int], info: ValidationInfo) -> list[int]:
        return _check_sentence_ids(value, info)


class ExtractedParty(_Cited):
    """An actor in the event: a country, government, movement, organisation or person with a stake."""

    name: Name = Field(
        max_length=80,
        description="Short canonical name, e.g. a country ('France'), a group or a person's full name.",
    )
    role: PartyRole = Field(description="The part this actor plays in the event.")
    aliases: Annotated[list[Alias], BeforeValidator(_names)] = Field(
        default_factory=list,
        max_length=6,
        description="Other ways this document refers to the same actor, copied from the text.",
    )


class ExtractedDemand(_Cited):
    """Something a party demands, insists on or sets as a condition."""

    party: Name = Field(max_length=80, description="Name of the party that makes the demand.")
    demand: str = Field(max_length=200, description="What is demanded, in a short phrase.")


class ExtractedProposal(_Cited):
    """A deal, plan or offer on the table, with its terms."""

    summary: str = Field(max_length=200, description="What the proposal is, in one short sentence.")
    proposed_by: OptionalName = Field(
        default=None, max_length=80, description="Who proposed or is reported to back it, if stated."
    )
    terms: list[Term] = Field(
        default_factory=list, max_length=6, description="Its terms, each a short phrase."
    )


class ExtractedClaim(_Cited):
    """A statement attributed to a named or unnamed speaker ('a senior official said ...')."""

    speaker: str = Field(
        max_length=100,
        description="The speaker as the text names them, e.g. 'a senior official', 'the state news agency'.",
    )
    speaker_side: Annotated[str, BeforeValidator(lambda v: "unknown" if is_no_value(v) else _clean(v))] = (
        Field(
            max_length=80,
            description="Name of the party the speaker belongs to or speaks for, or 'unknown'.",
        )
    )
    statement: str = Field(max_length=240, description="What the speaker claims, in one sentence.")


class ExtractedFigure(_Cited):
    """A number that counts something (people killed, hostages held, days, money, votes)."""

    quantity: str = Field(
        max_length=80, description="What is counted, e.g. 'people killed', 'money: spending'."
    )
    value: str = Field(max_length=40, description="The number as written in the text, e.g. '1,250'.")
    attributed_to: OptionalName = Field(
        default=None, max_length=100, description="Who gives the number, if stated."
    )


class DocumentExtraction(BaseModel):
    """Everything one news article says about the event, each item citing its sentences."""

    parties: list[ExtractedParty] = Field(default_factory=list, max_length=12)
    demands: list[ExtractedDemand] = Field(default_factory=list, max_length=12)
    proposals: list[ExtractedProposal] = Field(default_factory=list, max_length=6)
    claims: list[ExtractedClaim] = Field(default_factory=list, max_length=16)
    figures: list[ExtractedFigure] = Field(default_factory=list, max_length=12)


# ---------------------------------------------------------------------------------------------------
# Brief (the consolidated output)
# ---------------------------------------------------------------------------------------------------


class SupportLevel(StrEnum):
    """How well the cited text supports a statement (lexical overlap; see ground.py)."""

    strong = "strong"
    weak = "weak"
    unsupported = "unsupported"


class Citation(BaseModel):
    """A pointer to one sentence of one input file; ``text == file_text[start:end]`` always holds."""

    model_config = ConfigDict(frozen=True)

    marker: str = Field(description="Short marker used in the brief, e.g. '001:L12'.")
    doc_id: str = Field(description="The document's file name.")
    path: str
    line: int = Field(description="1-based line number where the cited text starts.")
    start: int = Field(description="Character offset of the cited text in the decoded file.")
    end: int
    sentence: int = Field(description="Sentence number within the document.")
    text: str = Field(description="The verbatim cited text.")


class Grounded(BaseModel):
    """Common fields of every brief item: where it comes from and how well that supports it."""

    citations: list[Citation] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="doc_ids that report this item.")
    support: SupportLevel = SupportLevel.strong


class PartyEntry(Grounded):
    name: str
    role: PartyRole
    aliases: list[str] = Field(default_factory=list)
    title: str | None = Field(
        default=None, description="A person's title as the articles give it ('Foreign Minister')."
    )
    speaks_for: str | None = Field(
        default=None,
        description="For a person: the party they speak or act for (a minister for their country, a "
        "spokesperson for their organisation); shown among that party's people, never as its alias.",
    )
    member_of: str | None = Field(
        default=None,
        description="For a person: the political party they belong to (a senator's party), when the "
        "brief lists them among its people.",
    )

    @property
    def belongs_to(self) -> str | None:
        """The party this person is listed under: the one they speak for or belong to."""
        return self.speaks_for or self.member_of


class DemandEntry(Grounded):
    party: str
    demand: str


class Reaction(BaseModel):
    """One side's stance on a proposal, quoted: 'Democratic Party: against, “a non-starter”'."""

    side: str
    stance: str = Field(description="for or against")
    text: str = Field(description="The sentence that states it, quoted as written.")
    citations: list[Citation] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class ProposalEntry(Grounded):
    id: str = Field(default="", description="Stable id within the brief, e.g. 'P1'.")
    summary: str
    proposed_by: str | None = Field(default=None, description="Who puts it forward, when the text says.")
    terms: list[str] = Field(default_factory=list, description="What it would do, each as the text says.")
    reactions: list[Reaction] = Field(
        default_factory=list, description="Other sides' stances on it, never proposals themselves."
    )


class ClaimReport(Grounded):
    """One source's report of a claim: who said it, on whose side, as carried by which outlet."""

    doc_id: str
    speaker: str
    speaker_side: str
    statement: str
    negated: bool = Field(default=False, description="True when the claim denies something.")


class ClaimGroup(BaseModel):
    """One proposition as carried by one or more sources: reports that say the same thing (by meaning,
    not wording) from the same side with the same polarity."""

    id: str
    statement: str = Field(description="The proposition in short: who asserts what (about 20 words).")
    speaker_sides: list[str]
    negated: bool
    reports: list[ClaimReport]
    sources: list[str]
    voices: int = Field(
        default=0, description="Independent sources among ``sources``: republished copies count once."
    )


class ContestedPosition(BaseModel):
    """One side's answer to a contested question, with the claims that take it."""

    side: str
    answer: str = Field(
        default="", description="The side's answer to the question: yes or no, or for or against."
    )

    @property
    def stance(self) -> str:
        """The side's answer ('yes', 'against'); a brief written before answers were recorded says
        whether the side asserted or denied the claim."""
        return self.answer or ("denies" if self.negated else "asserts")

    claim_ids: list[str]
    statement: str
    negated: bool
    citations: list[Citation]
    sources: list[str]


class ContestedPoint(BaseModel):
    """A question the sources answer differently, with every side's position on it."""

    id: str = Field(default="", description="Stable id within the brief, e.g. 'Q1'.")
    question: str
    positions: list[ContestedPosition]


class FigureValue(BaseModel):
    doc_id: str
    value: float
    text: str = Field(description="The number as written, with its qualifier ('more than 1,000').")
    attributed_to: str | None = None
    date: str | None = Field(default=None, description="The document's date, if it gives one.")
    citation: Citation


class FigureComparison(BaseModel):
    """One quantity as given by several outlets."""

    id: str = Field(default="", description="Stable id within the brief, e.g. 'F1'.")
    quantity: str = Field(description="What the row counts, in the words of its sentences (its label).")
    values: list[FigureValue]
    discrepancy: bool
    sources: list[str]
    counts: str = Field(
        default="",
        description="The class of what is counted ('people killed', 'money: funding'): the label may change "
        "when an outlet is added, the class does not; a later brief's rows are matched by it.",
    )


class LeadSentence(Grounded):
    """One sentence of "What happened": a fact of the event in a source's own words (quoted as written,
    never an attributed opinion), cited with every source that reports the same fact."""

    text: str


class KeyPointKind(StrEnum):
    claim = "claim"
    contested = "contested"
    proposal = "proposal"
    figure = "figure"


class KeyPoint(Grounded):
    """One bullet of the opening summary, composed from a merged item of the brief (never new text)."""

    kind: KeyPointKind
    ref: str = Field(description="Id of the brief item it stands for: 'C3', 'Q1', 'P2', 'F1'.")
    text: str


class CoverageRow(BaseModel):
    kind: str
    item: str
    sources: list[str]


class SkippedText(BaseModel):
    line: int
    kind: str = Field(description="Why it was skipped: cookie, cross_link, caption, short_link, ...")
    text: str


class DroppedItem(BaseModel):
    """An item of a model's answer left out of the brief because it stayed invalid after the re-asks
    (e.g. it cites a boilerplate sentence); the rest of that answer is kept."""

    kind: str = Field(description="Which list it was in: parties, demands, claims, figures, ...")
    item: str = Field(description="The item in short, as the model wrote it.")
    reason: str = Field(description="The validation error that dropped it.")


class FileCut(BaseModel):
    """How much of an over-long file was read; the rest is not in the brief (which is incomplete)."""

    kept_characters: int
    kept_bytes: int = Field(description="About how many of the file's bytes the kept characters are.")
    file_bytes: int


class SourceDocument(BaseModel):
    doc_id: str
    path: str = Field(description="Where the text was read: the file's path, or the URL it was fetched from.")
    date: str | None = None
    sha256: str = Field(
        description="sha256 of what citations index: the file's bytes for a text file (kind 'text'), the "
        "extracted text (UTF-8) for every other kind."
    )
    sentences: int
    label: str | None = Field(
        default=None, description="The label of its citation markers ('001' in [001:L12])."
    )
    kind: str | None = Field(
        default=None,
        description="How the text was read: text (the file as it is), html (a saved page), pdf, jsonl or json"
        " (a record of a collection), feed (an entry's full text), web (a page fetched from its URL). "
        "Every kind but text quotes the extracted text, which the cache keeps by its sha256.",
    )
    title: str | None = Field(
        default=None, description="The article's title, as its page or metadata gives it."
    )
    outlet: str | None = Field(
        default=None, description="Who published it: the site's name, else its domain."
    )
    author: str | None = None
    url: str | None = Field(
        default=None, description="The article's URL (the page's canonical URL when given)."
    )
    part: int | None = Field(
        default=None, description="Line (jsonl), item (json) or entry (feed) number inside the file or feed."
    )
    skipped: list[SkippedText] = Field(default_factory=list)
    dropped: list[DroppedItem] = Field(
        default_factory=list, description="Items of the model's answer that were invalid and left out."
    )
    copy_of: str | None = Field(
        default=None,
        description="doc_id of the earlier source whose text this one republishes (counted as one voice).",
    )
    cut: FileCut | None = Field(
        default=None,
        description="Set when the file was too long and only its first part was read (the brief is then "
        "incomplete).",
    )
    identical_copies: list[str] = Field(
        default_factory=list,
        description="Paths of other input files with exactly the same bytes, not read again.",
    )


class RepublishedText(BaseModel):
    """Sources that carry the same text (wire copy run by several outlets): one voice in the counts."""

    sources: list[str] = Field(description="doc_ids, the first one standing for the group.")
    similarity: float = Field(description="Lowest share of word 5-grams a member shares with the group.")


class FailedDocument(BaseModel):
    path: str
    reason: str


class SkippedFile(BaseModel):
    """An input file that is not an article (a brief or review page summarizer wrote): left out."""

    path: str
    reason: str


class RunStats(BaseModel):
    llm_calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_seconds: float = 0.0
    made_at: str | None = Field(
        default=None,
        description="When the brief was made, UTC, ISO 8601 (SOURCE_DATE_EPOCH when set). A fact about "
        "the run, like the timings, so it lives here and the brief's content stays the same for the "
        "same input; `brief --since` reads it to date the earlier brief.",
    )


# ---------------------------------------------------------------------------------------------------
# What changed since an earlier brief (brief --since)
# ---------------------------------------------------------------------------------------------------


class ChangeKind(StrEnum):
    """Which section of the brief a changed item belongs to."""

    claim = "claim"
    party = "party"
    demand = "demand"
    proposal = "proposal"
    figure = "figure"
    contested = "contested"


class SourceChange(BaseModel):
    """A source added, removed or changed (same file name, other sha256) since the earlier brief."""

    doc_id: str
    path: str
    date: str | None = None
    sha256: str
    previous_sha256: str | None = Field(default=None, description="For a changed file: the sha256 it had.")
    reason: str | None = Field(
        default=None, description="For a removed source still given as input: why it is not in this brief."
    )


class NewItem(BaseModel):
    """An item of this brief that the earlier brief did not hold, by meaning (not by id)."""

    kind: ChangeKind
    ref: str = Field(description="The item in this brief: its id ('C3', 'Q1', 'F2', 'P1') or a party's name.")
    text: str
    sources: list[str]
    citations: list[Citation] = Field(default_factory=list)


class MoreSources(BaseModel):
    """An item both briefs hold that more sources carry now (or, for a contested point, a new side)."""

    kind: ChangeKind
    ref: str
    previous_ref: str = Field(description="Its id (or name) in the earlier brief.")
    text: str
    added_sources: list[str] = Field(description="Sources that carry it now and did not before.")
    note: str = Field(default="", description="What else is new about it, e.g. a new side's position.")
    citations: list[Citation] = Field(default_factory=list, description="Citations of the added sources.")


class RemovedItem(BaseModel):
    """An item of the earlier brief that this one no longer holds (for a contested point: settled, or
    no longer contested). No citations: they point at the earlier sources, which may be gone."""

    kind: ChangeKind
    previous_ref: str
    text: str
    previous_sources: list[str]


class PreviousValue(BaseModel):
    """A figure's value as the earlier brief gave it; its sentence is quoted as text, not as a Citation,
    because the file may have changed or gone since."""

    doc_id: str
    value: float
    text: str
    line: int
    quote: str


class FigureChange(BaseModel):
    """A figure both briefs hold whose values differ now: the values before and after, with sources."""

    ref: str
    previous_ref: str
    quantity: str
    before: list[PreviousValue]
    after: list[FigureValue]


class BriefChanges(BaseModel):
    """What changed since an earlier brief. Items are matched by meaning, not by id: an item a new source
    rewords, or that got another id, is the same item."""

    since: str = Field(description="The date of the earlier brief, as the heading shows it.")
    previous_title: str
    previous_made_at: str | None = None
    previous_sources: int
    sources_added: list[SourceChange] = Field(default_factory=list)
    sources_removed: list[SourceChange] = Field(default_factory=list)
    sources_changed: list[SourceChange] = Field(default_factory=list)
    new: list[NewItem] = Field(default_factory=list)
    figures_changed: list[FigureChange] = Field(default_factory=list)
    more_sources: list[MoreSources] = Field(default_factory=list)
    removed: list[RemovedItem] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(
            (self.sources_added, self.sources_removed, self.sources_changed, self.new,
             self.figures_changed, self.more_sources, self.removed)
        )  # fmt: skip


class Brief(BaseModel):
    """The consolidated brief across all input documents."""

    title: str
    backend: str
    model: str
    complete: bool = Field(description="False when some input could not be processed or was cut.")
    sources: list[SourceDocument]
    failed: list[FailedDocument] = Field(default_factory=list)
    lead: list[LeadSentence] = Field(
        default_factory=list, description="What happened: one to three facts most sources report."
    )
    skipped_files: list[SkippedFile] = Field(
        default_factory=list, description="Input files that are not articles (briefs summarizer wrote)."
    )
    key_points: list[KeyPoint] = Field(default_factory=list, description="5-8 bullets that open the brief.")
    parties: list[PartyEntry] = Field(default_factory=list)
    demands: list[DemandEntry] = Field(default_factory=list)
    proposals: list[ProposalEntry] = Field(default_factory=list)
    claims: list[ClaimGroup] = Field(default_factory=list)
    contested: list[ContestedPoint] = Field(default_factory=list)
    figures: list[FigureComparison] = Field(default_factory=list)
    coverage: list[CoverageRow] = Field(default_factory=list)
    republished: list[RepublishedText] = Field(default_factory=list)
    stats: RunStats = Field(default_factory=RunStats)
    since: BriefChanges | None = Field(
        default=None, description="What changed since an earlier brief (brief --since), if one was given."
    )
    stories: list[list[str]] = Field(
        default_factory=list,
        description="When the sources look like more than one story (they share almost no words or "
        "parties): the doc_ids of each group that belongs together, largest first; empty for one story.",
    )
    source_root: str | None = Field(
        default=None,
        description="The folder the sources' relative paths start from (where the brief was made), as a "
        "path from the folder of this JSON file: `render` finds the sources from any working directory.",
    )

    def incomplete_reason(self) -> str:
        """Why the brief is incomplete, as its status line says it (Markdown and page alike):
        '2 input(s) not included, 1 input(s) cut (see “Sources”)'."""
        cut = sum(1 for source in self.sources if source.cut is not None)
        parts = [f"{len(self.failed)} input(s) not included"] if self.failed or not cut else []
        parts += [f"{cut} input(s) cut (see “Sources”)"] if cut else []
        return ", ".join(parts)


def all_citations(value: Any) -> list[Citation]:
    """Every Citation reachable from a model (used by tests and eval to check they all resolve)."""
    found: list[Citation] = []
    if isinstance(value, Citation):
        found.append(value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found.extend(all_citations(getattr(value, name)))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(all_citations(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(all_citations(item))
    return found
