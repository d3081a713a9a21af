"""Step 3 of the data flow: one schema-constrained extraction per document.

Two strategies, one call per document either way:

* ``full`` (capable models): the model sees the document's numbered sentences (boilerplate marked
  "skip") plus the rule-based hints from ``analyse`` and answers with a whole ``DocumentExtraction``
  that cites sentence numbers. The validators in ``models`` reject unknown or boilerplate numbers, and
  the backend re-asks with the error.
* ``focused`` (small local models, which copy well and count badly): the rules' extraction carries
  the structure (parties, claims, figures, proposals) and the model makes only the decisions rules
  cannot: each party's role, demands outside list patterns, and the side of speakers the rules could
  not place. Its answer is constrained by enums built from this document (party names, sentence ids),
  and it is shown one worked example.

Prompts are template files in ``prompts/``; their content hash is part of the cache key.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import BaseModel, Field, create_model

from summarizer.analysis import (
    DocumentAnalysis,
    PartyIndex,
    demand_owner,
    hints_for_prompt,
    rules_extraction,
)
from summarizer.backends.base import Backend, Completion, Message, Usage
from summarizer.documents import Document
from summarizer.lexical import support_level
from summarizer.models import DocumentExtraction, ExtractedDemand, ExtractionContext, PartyRole, SupportLevel

PROMPT_FILES = ("extract_system.j2", "extract_user.j2", "focused_system.j2", "focused_user.j2")
STRATEGIES = ("full", "focused")
_DEMAND_WORDS = re.compile(
    r"\b(demand\w*|condition\w*|insist\w*|calls? for|called for|wants?|seek\w*|refus\w*|reject\w*|"
    r"must|red line|adhere\w*|urg\w+|push\w*)\b",
    re.I,
)


def prompts_dir() -> Path:
    """``prompts/`` in a source checkout, or the copy shipped inside the wheel."""
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("summarizer") / "prompts"))


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.from_string((prompts_dir() / name).read_text(encoding="utf-8"))


@cache
def prompt_hash() -> str:
    digest = hashlib.sha256()
    for name in PROMPT_FILES:
        digest.update((prompts_dir() / name).read_bytes())
    return digest.hexdigest()[:16]


@cache
def schema_hash() -> str:
    schema = json.dumps(DocumentExtraction.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


def build_messages(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> list[Message]:
    parties = sorted(index.parties, key=lambda name: -index.documents.get(name, 0))
    user = _template("extract_user.j2").render(
        doc_id=document.doc_id,
        date=document.date,
        sentences=document.sentences,
        parties=parties[:15],
        hints=hints_for_prompt(document, analysis),
    )
    return [
        {"role": "system", "content": _template("extract_system.j2").render()},
        {"role": "user", "content": user},
    ]


def extraction_context(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> dict:
    """Validation context: which sentence ids exist; ``rules`` is the analysis-only answer, which the
    fake backend returns when it has no scripted reply."""
    return {
        "extraction": ExtractionContext(
            doc_id=document.doc_id,
            citable_ids=[s.id for s in document.citable_sentences],
            boilerplate_ids=[s.id for s in document.sentences if not s.citable],
        ),
        "rules": rules_extraction(document, analysis, index),
    }


def backend_strategy(backend: Backend) -> str:
    """The strategy a backend asks for (``strategy`` attribute), ``full`` by default."""
    return backend.strategy


def extract_document(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, backend: Backend
) -> Completion[DocumentExtraction]:
    """One model call (plus re-asks) for one document."""
    context = extraction_context(document, analysis, index)
    if backend_strategy(backend) == "focused":
        return _extract_focused(document, analysis, index, context, backend)
    return backend.complete(build_messages(document, analysis, index), DocumentExtraction, context)


# ---------------------------------------------------------------------------------------------------
# Focused strategy
# ---------------------------------------------------------------------------------------------------


def focused_response_model(parties: list[str], demand_ids: list[int]) -> type[BaseModel]:
    """A schema whose every answer is a choice among this document's parties and sentence ids."""
    party = Literal[tuple(parties)]  # type: ignore[valid-type]
    role_item = create_model("RoleItem", party=(party, ...), role=(PartyRole, ...))
    fields: dict[str, Any] = {
        "roles": (list[role_item], Field(default_factory=list, max_length=len(parties)))
    }
    if demand_ids:
        demand_item = create_model(
            "DemandItem",
            party=(party, ...),
            demand=(str, Field(max_length=80)),
            sentence=(Literal[tuple(demand_ids)], ...),  # type: ignore[valid-type]
        )
        fields["demands"] = (list[demand_item], Field(default_factory=list, max_length=6))
    return create_model("FocusedExtraction", **fields)


def _extract_focused(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, context: dict, backend: Backend
) -> Completion[DocumentExtraction]:
    rules: DocumentExtraction = context["rules"]
    parties = [p.name for p in rules.parties]
    if not parties:  # nothing for the model to decide
        return Completion(rules, Usage())
    citable = document.citable_sentences
    demand_ids = [s.id for s in citable if _DEMAND_WORDS.search(s.analysis_text)]
    response_model = focused_response_model(parties, demand_ids)
    messages: list[Message] = [
        {"role": "system", "content": _template("focused_system.j2").render()},
        {"role": "user", "content": _template("focused_user.j2").render(sentences=citable, parties=parties)},
    ]
    completion = backend.complete(messages, response_model, context)
    owners = {i: demand_owner(document.sentence(i), analysis, index) for i in demand_ids}
    texts = {i: document.sentence(i).analysis_text for i in demand_ids}
    people = {p for p in parties if p in index.people}
    return Completion(apply_focused(rules, completion.value, owners, texts, people), completion.usage)


def apply_focused(
    rules: DocumentExtraction,
    answer: BaseModel,
    owners: dict[int, str | None],
    sentence_texts: dict[int, str],
    people: set[str] | frozenset[str] = frozenset(),
) -> DocumentExtraction:
    """The rules' extraction with the model's decisions applied, where they were measured to help
    (EVALUATION.md, 'What the local model adds').

    * Roles: only for a party that is not a person and whose role the rules left as 'other'. A
      person's role comes from their title; without one, the 1.5B model guessed from the name alone
      (a resident and a spokesman became 'negotiator' on the seeds).
    * Demands: kept only when the sentence cited is that party's demand by the rules' reading
      (``owners``): a small model hands the same demand to every party in turn; and its wording must
      share words with the sentence (a small model paraphrases into claims the text does not make).
    * Sides of unknown speakers are no longer asked: on the seeds every side the model gave was wrong
      (an unnamed official's statement given to a party the text does not tie it to)."""
    roles = {item.party: item.role for item in getattr(answer, "roles", [])}
    parties = [
        p.model_copy(update={"role": roles.get(p.name, p.role)})
        if p.role == PartyRole.other and p.name not in people
        else p
        for p in rules.parties
    ]
    model_demands = [
        ExtractedDemand(party=d.party, demand=d.demand, sentences=[d.sentence])
        for d in getattr(answer, "demands", [])
        if d.demand.strip()
        and owners.get(d.sentence) == d.party
        and support_level(d.demand, sentence_texts[d.sentence]) != SupportLevel.unsupported
    ]
    return rules.model_copy(update={"parties": parties, "demands": (model_demands + rules.demands)[:12]})
