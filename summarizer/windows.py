"""Long documents: split into windows of whole sentences that fit the model's context, and the windows'
extractions merged back into one.

A window is a run of consecutive sentences; sentence ids stay the document's own, so a citation made
in any window is exact. Consecutive windows share ``OVERLAP`` citable sentences, so a statement
introduced at the end of one window ('..., the minister said.') is read with what follows in the
next. Each window is extracted on its own *view* of the document (``window_view``): the same
``Document`` and ``DocumentAnalysis`` with everything outside the window made uncitable, so every
step of extraction (prompts, rules, validation) works on a window exactly as on a short document.

The planner is pure: it takes each sentence's cost in tokens and the budget a window may spend;
``extract.plan_windows`` measures both with the backend's tokenizer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from annotated_types import MaxLen
from pydantic import BaseModel

from summarizer.analysis import UNKNOWN_SIDE, DocumentAnalysis
from summarizer.documents import Document
from summarizer.models import DocumentExtraction, ExtractedParty, PartyRole

# Citable sentences two consecutive windows share.
OVERLAP = 3
# What a sentence outside the window is marked as in a window's view (never shown, never citable).
OUTSIDE_WINDOW = "outside_window"

ItemT = TypeVar("ItemT", bound=BaseModel)


class WindowError(ValueError):
    """The context cannot hold the prompt and even one sentence; the message says by how much."""


@dataclass(frozen=True)
class Window:
    """Sentences ``first``..``last`` (ids, inclusive) of one document."""

    first: int
    last: int

    def __contains__(self, sentence_id: object) -> bool:
        return isinstance(sentence_id, int) and self.first <= sentence_id <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def plan_windows(sentences: list[tuple[int, bool, int]], budget: int, overlap: int = OVERLAP) -> list[Window]:
    """Windows over ``sentences`` given as (id, citable, tokens), in order, each costing at most
    ``budget`` tokens. One window holding everything when it all fits. Boundaries fall on citable
    sentences; a boilerplate sentence is charged to the citable one after it (it is shown before it),
    or to the last one when it ends the document. Consecutive windows share ``overlap`` citable
    sentences (fewer when a window holds only a few), and every citable sentence is in some window.
    The windows are as even as their number allows (no last window holding two sentences)."""
    if not sentences:
        return []
    if sum(tokens for _, _, tokens in sentences) <= budget:
        return [Window(sentences[0][0], sentences[-1][0])]
    citable: list[tuple[int, int]] = []  # (id, tokens with the boilerplate before it)
    pending = 0
    for sentence_id, is_citable, tokens in sentences:
        pending += tokens
        if is_citable:
            citable.append((sentence_id, pending))
            pending = 0
    if not citable:
        return [Window(sentences[0][0], sentences[-1][0])]
    if pending:  # boilerplate after the last citable sentence
        citable[-1] = (citable[-1][0], citable[-1][1] + pending)
    spans = _greedy(citable, budget, overlap)
    # The smallest budget that needs no more windows than the greedy plan: the same number of calls,
    # evenly filled (a smaller budget never needs fewer windows).
    low, high = max(tokens for _, tokens in citable), budget
    while low < high:
        middle = (low + high) // 2
        if len(_greedy(citable, middle, overlap)) <= len(spans):
            high = middle
        else:
            low = middle + 1
    spans = _greedy(citable, high, overlap)
    return [
        Window(
            sentences[0][0] if start == 0 else citable[start][0],
            sentences[-1][0] if end == len(citable) else citable[end - 1][0],
        )
        for start, end in spans
    ]


def _greedy(citable: list[tuple[int, int]], budget: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) index spans of ``citable``, each filled up to ``budget`` tokens in turn."""
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        used, end = 0, start
        while end < len(citable) and used + citable[end][1] <= budget:
            used += citable[end][1]
            end += 1
        if end == start:
            raise WindowError(
                f"sentence [{citable[start][0]}] alone needs {citable[start][1]} tokens and only "
                f"{budget} are left for the article"
            )
        spans.append((start, end))
        if end == len(citable):
            return spans
        # The next window starts ``overlap`` sentences back, but always moves on by at least one.
        start = max(end - overlap, start + 1)


def covered_citable_ids(windows: list[Window], document: Document) -> list[list[int]]:
    """Each window's citable sentence ids."""
    return [[s.id for s in document.citable_sentences if s.id in window] for window in windows]


# ---------------------------------------------------------------------------------------------------
# A window's view of the document
# ---------------------------------------------------------------------------------------------------


def window_view(
    document: Document, analysis: DocumentAnalysis, window: Window
) -> tuple[Document, DocumentAnalysis]:
    """The document and its analysis as extraction should see them for one window: sentences outside
    it keep their place (ids and ``document.sentence(i)`` still work) but are marked uncitable, and
    the analysis keeps only what it found inside the window."""
    sentences = [
        s if s.id in window else dataclasses.replace(s, boilerplate=OUTSIDE_WINDOW, lead="")
        for s in document.sentences
    ]
    view = dataclasses.replace(document, sentences=sentences, warnings=[])
    inside = {name: [i for i in ids if i in window] for name, ids in analysis.party_mentions.items()}
    view_analysis = dataclasses.replace(
        analysis,
        attributions={i: a for i, a in analysis.attributions.items() if i in window},
        figures=[f for f in analysis.figures if f.sentence_id in window],
        party_mentions={name: ids for name, ids in inside.items() if ids},
        stances={i: s for i, s in analysis.stances.items() if i in window},
    )
    return view, view_analysis


# ---------------------------------------------------------------------------------------------------
# Merging the windows' extractions
# ---------------------------------------------------------------------------------------------------


def _limit(field: str, model: type[BaseModel] = DocumentExtraction) -> int:
    """The ``max_length`` of one of the model's lists: the merged answer must validate (it is cached
    and read back through the same model)."""
    for item in model.model_fields[field].metadata:
        if isinstance(item, MaxLen):
            return item.max_length
    raise LookupError(field)


def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _merge_lists(
    parts: list[list[ItemT]],
    key: Callable[[ItemT], Hashable],
    limit: int,
    prefer: Callable[[ItemT, ItemT], ItemT] = lambda kept, _: kept,
) -> list[ItemT]:
    """Items of every window, duplicates (same ``key``) merged by ``prefer``, at most ``limit``.
    When they do not all fit, windows take turns (the first item of each window, then the second...),
    so the end of a long document is represented as well as its start; the kept items are returned
    in document order (by first cited sentence)."""
    merged: dict[Hashable, ItemT] = {}
    order: list[list[Hashable]] = []
    for items in parts:
        keys = []
        for item in items:
            k = key(item)
            if k in merged:
                merged[k] = prefer(merged[k], item)
            else:
                merged[k] = item
                keys.append(k)
        order.append(keys)
    chosen: list[Hashable] = []
    for turn in range(max((len(keys) for keys in order), default=0)):
        candidates = [keys[turn] for keys in order if turn < len(keys)]
        room = limit - len(chosen)
        if len(candidates) > room:  # fewer places than windows: windows spread over the document
            candidates = [candidates[j * len(candidates) // room] for j in range(room)] if room else []
        chosen.extend(candidates)
    kept = [merged[k] for k in chosen]
    return sorted(kept, key=lambda item: min(getattr(item, "sentences", [0]) or [0]))


def _cited(item: Any) -> frozenset[int]:
    return frozenset(item.sentences)


def _merge_party(kept: Any, other: Any) -> Any:
    aliases = list(dict.fromkeys([*kept.aliases, *other.aliases]))[: _limit("aliases", ExtractedParty)]
    role = kept.role if kept.role != PartyRole.other else other.role
    sentences = list(dict.fromkeys([*kept.sentences, *other.sentences]))[:3]
    return kept.model_copy(update={"aliases": aliases, "role": role, "sentences": sentences})


def _known_side(kept: Any, other: Any) -> Any:
    """Of two readings of the same claim (an overlap sentence read twice), the one that places the
    speaker."""
    return other if kept.speaker_side == UNKNOWN_SIDE and other.speaker_side != UNKNOWN_SIDE else kept


def merge_extractions(parts: list[DocumentExtraction]) -> DocumentExtraction:
    """One document's extraction from its windows' extractions (in window order).

    Parties are the same party when their names are (case and spacing aside): aliases and roles are
    pooled, and parties named in more windows come first when there are too many. Other items are the
    same when they cite the same sentences (a sentence in the overlap read twice) and agree on who:
    the party of a demand, the speaker of a claim, the value of a figure."""
    if len(parts) == 1:
        return parts[0]
    windows_naming: dict[str, int] = {}
    for part in parts:
        for name in {_fold(p.name) for p in part.parties}:
            windows_naming[name] = windows_naming.get(name, 0) + 1
    parties = _merge_lists([p.parties for p in parts], lambda p: _fold(p.name), 10**6, _merge_party)
    position = {_fold(p.name): i for i, p in enumerate(parties)}
    parties = sorted(parties, key=lambda p: (-windows_naming[_fold(p.name)], position[_fold(p.name)]))
    parties = parties[: _limit("parties")]
    return DocumentExtraction(
        parties=sorted(parties, key=lambda p: min(p.sentences)),
        demands=_merge_lists(
            [p.demands for p in parts], lambda d: (_fold(d.party), _cited(d)), _limit("demands")
        ),
        proposals=_merge_lists([p.proposals for p in parts], _cited, _limit("proposals")),
        claims=_merge_lists(
            [p.claims for p in parts], lambda c: (_fold(c.speaker), _cited(c)), _limit("claims"), _known_side
        ),
        figures=_merge_lists(
            [p.figures for p in parts], lambda f: (_fold(f.value), _cited(f)), _limit("figures")
        ),
    )
