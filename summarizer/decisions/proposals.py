"""Proposal or reaction: is the sentence a proposal states a plan on the table, a reaction to one, or
neither?

The rules keep a proposal when a sentence it cites states a plan (``analysis/plans.py``). Word patterns
let through what only looks like one: a reaction worded around the plan ('X called the proposal a
non-starter'), a prediction, an arrival of negotiators. The model is asked about each such sentence
once; the merge keeps a proposal only when the model, where it answered, says 'proposal'
(``merge.brief.merge_documents``, ``plan_kinds``). Where it gave no valid answer the rules' reading
stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from pydantic import BaseModel

from summarizer.analysis import DocumentAnalysis
from summarizer.backends.base import Request
from summarizer.decisions.ask import Asker
from summarizer.ground import GroundedDocument
from summarizer.models import Citation

PlanKind = Literal["proposal", "reaction", "neither"]


class PlanKindAnswer(BaseModel):
    kind: PlanKind


def plan_sentences(
    grounded: list[GroundedDocument], analyses: Mapping[str, DocumentAnalysis]
) -> list[Citation]:
    """The sentence each proposal of the extraction is kept for (its first cited sentence that states
    a plan, as the merge reads it), once each."""
    found: dict[tuple[str, int], Citation] = {}
    for document in grounded:
        for entry in document.proposals:
            for citation in entry.citations:
                analysis = analyses.get(citation.doc_id)
                if analysis is not None and citation.sentence in analysis.plans:
                    found.setdefault((citation.doc_id, citation.sentence), citation)
                    break
    return list(found.values())


def decide_plan_kinds(
    asker: Asker, sentences: list[Citation], workers: int = 1
) -> dict[tuple[str, int], PlanKind]:
    """The model's reading of each sentence, by (doc_id, sentence); sentences it gave no answer for
    are left out (the rules' reading stands)."""

    def one(citation: Citation) -> PlanKind | None:
        key = f"decide-proposal:{citation.doc_id}:{citation.sentence}"
        answer = asker.ask("proposal", key, Request(PlanKindAnswer, key=key), sentence=citation.text)
        return answer.kind if answer is not None else None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        kinds = list(pool.map(one, sentences))
    return {
        (c.doc_id, c.sentence): kind for c, kind in zip(sentences, kinds, strict=True) if kind is not None
    }
