"""Gold annotations of one cluster of articles: what a good brief of the cluster must contain.

A gold file is JSON (``*.gold.json``) validated by :class:`Gold`; its JSON Schema is exported to
``schemas/gold.schema.json`` by ``summarizer schemas``. Every item names the documents that state it
(``docs``: file names, the same strings as a brief's ``doc_id``), so that ``summarizer eval`` can measure
source recall as well as recall and precision. Text fields are matched to a brief by normalised text
similarity, so write them as short plain phrases; ``also`` lists other wordings that count as the same
item (a gold item matches a brief item when any of its wordings is close enough).

The annotation is about the event, never about a tool: write it from the articles alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    docs: list[str] = Field(min_length=1, description="doc_ids (file names) of the documents that state it.")


class GoldDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="File name, as a brief's doc_id.")
    path: str = Field(description="Path of the file, relative to the gold file's folder.")


class GoldParty(_Item):
    """An actor with a stake in the event."""

    name: str
    aliases: list[str] = Field(
        default_factory=list, description="Other names for the same actor ('Israeli officials', 'GOP')."
    )
    role: str | None = Field(default=None, description="Free text, e.g. belligerent, mediator, legislator.")
    member_of: str | None = Field(
        default=None,
        description="Gold party this actor belongs to or speaks for (a senator's party, a minister's "
        "government); sides are compared at the top of this chain.",
    )


class GoldDemand(_Item):
    """Something a party demands or sets as a condition."""

    party: str = Field(description="Name of a gold party.")
    demand: str
    also: list[str] = Field(default_factory=list, description="Other wordings of the same demand.")


class GoldProposal(_Item):
    """A deal, plan or offer on the table."""

    summary: str
    proposed_by: str | None = None
    also: list[str] = Field(default_factory=list, description="Other wordings of the same proposal.")


class GoldClaim(_Item):
    """A statement attributed to a speaker, with the side the speaker speaks for."""

    id: str = Field(description="Unique id, used by contested questions.")
    speaker_side: str = Field(description="Name of a gold party, or 'unknown' when no side applies.")
    statement: str
    negated: bool = Field(default=False, description="True when the claim denies something.")
    also: list[str] = Field(default_factory=list, description="Other wordings of the same claim.")


class GoldPosition(BaseModel):
    """One answer to a contested question, taken by one or more claims (each with its own side)."""

    model_config = ConfigDict(extra="forbid")

    stance: str = Field(description="The answer in a few words, e.g. 'progress has been made'.")
    claims: list[str] = Field(min_length=1, description="Ids of the gold claims that take this position.")


class GoldContested(BaseModel):
    """A question on which claims oppose each other."""

    model_config = ConfigDict(extra="forbid")

    question: str
    positions: list[GoldPosition] = Field(min_length=2)


class GoldFigureValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc: str = Field(description="doc_id of the document that gives this value.")
    value: float
    text: str = Field(description="The number as written, with its qualifier.")
    attributed_to: str | None = None


class GoldFigure(BaseModel):
    """One quantity with each source's value; ``discrepancy`` is true when the sources disagree."""

    model_config = ConfigDict(extra="forbid")

    quantity: str
    values: list[GoldFigureValue] = Field(min_length=1)
    discrepancy: bool

    @property
    def docs(self) -> list[str]:
        return list(dict.fromkeys(value.doc for value in self.values))


class GoldBoilerplate(BaseModel):
    """Text that is not part of the article (cookie notice, cross-link, caption, injected link text)."""

    model_config = ConfigDict(extra="forbid")

    doc: str
    line: int = Field(ge=1, description="1-based line number in the file.")
    text: str = Field(description="The boilerplate text, verbatim; may be only part of the line.")
    kind: str = Field(description="cookie, cross_link, caption, short_link, promo, injected_link, ...")


class Gold(BaseModel):
    """Gold annotation of one cluster of news articles about one event."""

    model_config = ConfigDict(extra="forbid")

    title: str
    annotator: str = Field(description="Who wrote the annotation and from what.")
    notes: str = ""
    documents: list[GoldDocument] = Field(min_length=1)
    parties: list[GoldParty] = Field(default_factory=list)
    demands: list[GoldDemand] = Field(default_factory=list)
    proposals: list[GoldProposal] = Field(default_factory=list)
    claims: list[GoldClaim] = Field(default_factory=list)
    contested: list[GoldContested] = Field(default_factory=list)
    figures: list[GoldFigure] = Field(default_factory=list)
    boilerplate: list[GoldBoilerplate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Gold:
        doc_ids = {document.doc_id for document in self.documents}
        named: list[tuple[str, str]] = []
        for kind in ("parties", "demands", "proposals", "claims"):
            for item in getattr(self, kind):
                named.extend((kind, doc) for doc in item.docs)
        named.extend(("figures", value.doc) for figure in self.figures for value in figure.values)
        named.extend(("boilerplate", line.doc) for line in self.boilerplate)
        unknown = sorted({f"{kind}: {doc}" for kind, doc in named if doc not in doc_ids})
        if unknown:
            raise ValueError(f"unknown documents named in {', '.join(unknown)}")
        claim_ids = [claim.id for claim in self.claims]
        if len(claim_ids) != len(set(claim_ids)):
            raise ValueError("claim ids must be unique")
        party_names = {party.name for party in self.parties}
        orphans = sorted(
            {p.member_of for p in self.parties if p.member_of and p.member_of not in party_names}
        )
        if orphans:
            raise ValueError(f"member_of names unknown parties: {', '.join(orphans)}")
        missing = sorted(
            {cid for point in self.contested for p in point.positions for cid in p.claims} - set(claim_ids)
        )
        if missing:
            raise ValueError(f"contested questions name unknown claims: {', '.join(missing)}")
        return self


def load_gold(path: Path) -> Gold:
    """Read and validate a gold file (raises ValueError with the reason)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read gold file: {error}") from error
    return Gold.model_validate(raw)
