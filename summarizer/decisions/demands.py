"""Whose demand is it: one of the parties the articles name, or none?

The extraction ties a demand to a party by the sentence's speaker or subject; word patterns miss who
makes a demand when a sentence reports it ('Reuters reported', 'according to officials') or when
one party's demand is described by another. The model is shown the sentence, the demand and the
parties (the one the rules chose and the most salient others) and picks one, constrained to that
list as an enum; 'none' says the sentence states no one's demand. The merge uses the answer in
place of the rules' owner (``merge.brief.merge_documents``, ``demand_owners``).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, create_model

from summarizer.analysis import PartyIndex
from summarizer.backends.base import Request
from summarizer.decisions.ask import Asker
from summarizer.ground import GroundedDocument
from summarizer.merge.decided import NO_OWNER, demand_key
from summarizer.models import DemandEntry

# Parties offered besides the rules' choice: enough for the sides of a negotiation, short enough for a
# small model to read.
MAX_CHOICES = 10


def _choices(entry: DemandEntry, index: PartyIndex) -> list[str]:
    ranked = sorted(index.parties, key=lambda p: (-index.salience.get(p, 0.0), p))
    return list(dict.fromkeys([entry.party, *ranked]))[:MAX_CHOICES]


def _answer_model(choices: list[str]) -> type[BaseModel]:
    """A response model whose one field may only hold one of the choices or 'none'."""
    owner: Any = Literal[tuple([*choices, NO_OWNER])]
    return create_model("DemandOwnerAnswer", owner=(owner, ...))


def decide_demand_owners(
    asker: Asker, grounded: Iterable[GroundedDocument], index: PartyIndex, workers: int = 1
) -> dict[tuple[str, int, str], str]:
    """The model's owner of each cited demand, by ``demand_key`` ('none': no one's demand); demands
    it gave no valid answer for are left out (the rules' owner stands)."""
    entries = {demand_key(e): e for g in grounded for e in g.demands if e.citations}

    def one(entry: DemandEntry) -> str | None:
        doc_id, sentence, _ = demand_key(entry)
        key = f"decide-demand:{doc_id}:{sentence}:{entry.demand}"
        choices = _choices(entry, index)
        answer = asker.ask(
            "demand",
            key,
            Request(_answer_model(choices), key=key),
            sentence=entry.citations[0].text,
            demand=entry.demand,
            parties=choices,
        )
        owner = getattr(answer, "owner", None) if answer is not None else None
        return owner if isinstance(owner, str) else None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        owners = list(pool.map(one, entries.values()))
    return {key: owner for key, owner in zip(entries, owners, strict=True) if owner is not None}
