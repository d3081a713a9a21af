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

A document too long for the backend's context is extracted window by window (``windows.py``): each
window is one call of either strategy on a view of the document holding only that window's
sentences, and the windows' answers are merged into the document's one extraction. A document that
fits is sent whole, exactly as before.
"""

from __future__ import annotations

import hashlib
import json
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
from summarizer.backends.base import (
    Backend,
    BackendError,
    Completion,
    Message,
    ModelT,
    NoAnswer,
    Request,
    Usage,
)
from summarizer.documents import Document, Sentence
from summarizer.lexical import support_level
from summarizer.models import (
    CITATION_FIELD,
    DocumentExtraction,
    ExtractedDemand,
    ExtractionContext,
    PartyRole,
    SupportLevel,
)
from summarizer.vocabulary import DEMAND_WORDS
from summarizer.windows import (
    OUTSIDE_WINDOW,
    Window,
    WindowError,
    merge_extractions,
    plan_windows,
    window_view,
)

PROMPT_FILES = ("extract_system.j2", "extract_user.j2", "focused_system.j2", "focused_user.j2")
STRATEGIES = ("full", "focused")
# Room kept free in every window besides the answer: a re-ask adds the failed answer (as long as an
# answer at most) and the validation errors (a few lines).
REASK_FEEDBACK_TOKENS = 256
# Times a window plan is shrunk when a window's real prompt came out longer than its planned cost.
_PLAN_TRIES = 4


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


@cache
def rules_version() -> str:
    """A hash of the package's code, which the rules' answer (the stand-in for a backend's
    ``NoAnswer``) comes from: part of the cache key of a backend that may not answer, so that a
    cached rules answer is stale as soon as the code changes. Every module counts: a hand-made list
    of the rules' modules was one short."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def build_messages(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> list[Message]:
    parties = sorted(index.parties, key=lambda name: -index.documents.get(name, 0))
    user = _template("extract_user.j2").render(
        doc_id=document.doc_id,
        date=document.date,
        # A window's view shows only its own sentences (ids unchanged).
        sentences=[s for s in document.sentences if s.boilerplate != OUTSIDE_WINDOW],
        parties=parties[:15],
        hints=hints_for_prompt(document, analysis),
    )
    return [
        {"role": "system", "content": _template("extract_system.j2").render()},
        {"role": "user", "content": user},
    ]


def extraction_context(document: Document) -> dict:
    """Validation context: which sentence ids exist and which are boilerplate (the validators in
    ``models`` read it; nothing else travels in it)."""
    return {
        "extraction": ExtractionContext(
            doc_id=document.doc_id,
            citable_ids=[s.id for s in document.citable_sentences],
            # Outside a window is not boilerplate: citing it gets "does not exist" with the window's range.
            boilerplate_ids=[s.id for s in document.sentences if s.boilerplate not in (None, OUTSIDE_WINDOW)],
        ),
    }


def extraction_request(document: Document, response_model: type[ModelT]) -> Request[ModelT]:
    """An answer about this document, as a backend gets it: the sentence ids it may cite (as an enum
    in the schema), the validation context, keyed by the document's id (the fake's scripted replies)."""
    return Request(
        response_model,
        key=document.doc_id,
        context=extraction_context(document),
        citable_ids=tuple(sorted({s.id for s in document.citable_sentences})),
        citation_field=CITATION_FIELD,
    )


def extract_document(
    document: Document,
    analysis: DocumentAnalysis,
    index: PartyIndex,
    backend: Backend,
    windows: list[Window] | None = None,
) -> Completion[DocumentExtraction]:
    """One model call (plus re-asks) for one document, or one per window of a long document (the
    plan from ``plan_document_windows``, made here when not given), merged into one extraction."""
    if windows is None:
        windows = plan_document_windows(document, analysis, index, backend)
    if len(windows) <= 1:
        return _extract_one(document, analysis, index, backend)
    values: list[DocumentExtraction] = []
    usage = Usage()
    dropped = []
    for window in windows:
        view, view_analysis = window_view(document, analysis, window)
        completion = _extract_one(view, view_analysis, index, backend)
        values.append(completion.value)
        usage.add(completion.usage)
        dropped.extend(completion.dropped)
    return Completion(merge_extractions(values), usage, dropped)


def _extract_one(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, backend: Backend
) -> Completion[DocumentExtraction]:
    try:
        if backend.strategy == "focused":
            rules = rules_extraction(document, analysis, index)
            return _extract_focused(document, analysis, index, rules, backend)
        messages = build_messages(document, analysis, index)
        return backend.complete(messages, extraction_request(document, DocumentExtraction))
    except NoAnswer:  # the fake backend without a scripted reply: the rules' answer, checked as any
        rules = rules_extraction(document, analysis, index)
        checked = DocumentExtraction.model_validate(rules.model_dump(), context=extraction_context(document))
        return Completion(checked, Usage(calls=1))


# ---------------------------------------------------------------------------------------------------
# Windows of a long document
# ---------------------------------------------------------------------------------------------------


def prompt_budget(backend: Backend) -> int | None:
    """Prompt tokens one call may take: the context less the answer and one re-ask (the failed
    answer and its errors are sent back), or None when the backend's context is unknown."""
    if backend.context_tokens is None:
        return None
    return backend.context_tokens - 2 * backend.answer_tokens - REASK_FEEDBACK_TOKENS


def _messages_for(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, strategy: str
) -> list[Message]:
    """The prompt a document (or a window's view of it) is sent with, for counting its tokens."""
    if strategy != "focused":
        return build_messages(document, analysis, index)
    rules = rules_extraction(document, analysis, index)
    return _focused_messages(document.citable_sentences, [p.name for p in rules.parties])


def _sentence_costs(
    document: Document, analysis: DocumentAnalysis, backend: Backend
) -> list[tuple[int, bool, int]]:
    """(id, citable, tokens) of each sentence as the strategy's prompt shows it (with its hint line
    for ``full``; boilerplate is not shown to ``focused``)."""
    focused = backend.strategy == "focused"
    hints = {} if focused else {int(h[1 : h.index("]")]): h for h in hints_for_prompt(document, analysis)}

    # What a line adds to a prompt: a message holding it less an empty one (whatever a backend counts
    # per request or per message besides the content cancels out).
    empty = backend.count_tokens([{"role": "user", "content": ""}])

    def tokens(text: str) -> int:
        return backend.count_tokens([{"role": "user", "content": text}]) - empty

    costs = []
    for s in document.sentences:
        if focused:
            cost = tokens(f"[{s.id}] {s.analysis_text}\n") if s.citable else 0
        else:
            skip = "" if s.citable else " (skip)"
            cost = tokens(f"[{s.id}]{skip} {s.analysis_text}\n{hints.get(s.id, '')}\n")
        costs.append((s.id, s.citable, cost))
    return costs


def plan_document_windows(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, backend: Backend
) -> list[Window]:
    """The windows a document is extracted in: one (the whole document) when its prompt fits the
    backend's context with room for the answer, else windows of whole sentences that each do.

    Each sentence is costed on its own, then every planned window's real prompt is counted; when one
    comes out longer than planned (tokens merge across lines, a window's rules list other parties),
    the plan is made again with the budget cut by the excess. Raises BackendError when the context
    cannot hold the prompt and a single sentence."""
    whole = [Window(1, len(document.sentences))]
    budget = prompt_budget(backend)
    strategy = backend.strategy

    def prompt_tokens(view: Document, view_analysis: DocumentAnalysis) -> int:
        # With the full extraction's schema, the largest a server may be sent, whatever the strategy.
        messages = _messages_for(view, view_analysis, index, strategy)
        return backend.count_tokens(messages, DocumentExtraction)

    if budget is None or prompt_tokens(document, analysis) <= budget:
        return whole
    overhead = prompt_tokens(*window_view(document, analysis, Window(0, 0)))
    costs = _sentence_costs(document, analysis, backend)
    room = budget - overhead
    for _ in range(_PLAN_TRIES):
        try:
            windows = plan_windows(costs, room)
        except WindowError as error:
            raise BackendError(
                f"the model's context of {backend.context_tokens} tokens is too small for this document: "
                f"{error} (the prompt's instructions take {overhead} and the answer up to "
                f"{2 * backend.answer_tokens + REASK_FEEDBACK_TOKENS} with a re-ask)"
            ) from None
        excess = max(prompt_tokens(*window_view(document, analysis, w)) - budget for w in windows)
        if excess <= 0:
            return windows
        room -= excess + 8
    raise BackendError(f"no window plan fits the model's context of {backend.context_tokens} tokens")


# ---------------------------------------------------------------------------------------------------
# Focused strategy
# ---------------------------------------------------------------------------------------------------


def focused_response_model(parties: list[str], demand_ids: list[int]) -> type[BaseModel]:
    """A schema whose every answer is a choice among this document's parties and sentence ids."""
    party = Literal[tuple(parties)]
    role_item = create_model("RoleItem", party=(party, ...), role=(PartyRole, ...))
    fields: dict[str, Any] = {
        "roles": (list[role_item], Field(default_factory=list, max_length=len(parties)))
    }
    if demand_ids:
        demand_item = create_model(
            "DemandItem",
            party=(party, ...),
            demand=(str, Field(max_length=80)),
            sentence=(Literal[tuple(demand_ids)], ...),
        )
        fields["demands"] = (list[demand_item], Field(default_factory=list, max_length=6))
    return create_model("FocusedExtraction", **fields)


def _extract_focused(
    document: Document,
    analysis: DocumentAnalysis,
    index: PartyIndex,
    rules: DocumentExtraction,
    backend: Backend,
) -> Completion[DocumentExtraction]:
    parties = [p.name for p in rules.parties]
    if not parties:  # nothing for the model to decide
        return Completion(rules, Usage())
    citable = document.citable_sentences
    demand_ids = [s.id for s in citable if DEMAND_WORDS.search(s.analysis_text)]
    response_model = focused_response_model(parties, demand_ids)
    messages = _focused_messages(citable, parties)
    completion = backend.complete(messages, extraction_request(document, response_model))
    owners = {i: demand_owner(document, document.sentence(i), analysis, index) for i in demand_ids}
    texts = {i: document.sentence(i).analysis_text for i in demand_ids}
    people = {p for p in parties if p in index.people}
    return Completion(apply_focused(rules, completion.value, owners, texts, people), completion.usage)


def _focused_messages(sentences: list[Sentence], parties: list[str]) -> list[Message]:
    return [
        {"role": "system", "content": _template("focused_system.j2").render()},
        {
            "role": "user",
            "content": _template("focused_user.j2").render(sentences=sentences, parties=parties),
        },
    ]


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
