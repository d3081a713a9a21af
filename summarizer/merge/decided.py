"""The model's decisions, applied to the extraction's items before they merge (the merge stays pure:
it gets the decisions as plain data and calls no model; ``summarizer.decisions`` makes them).

* ``plan_kinds``: (doc_id, sentence) -> 'proposal', 'reaction' or 'neither', for the sentence a
  proposal is kept for; a proposal whose sentence the model reads as a reaction or as neither is
  left out. Sentences without a decision keep the rules' reading.
* ``demand_owners``: ``demand_key`` -> the party whose demand it is, or 'none' (no one's: left out).
* ``party_roles``: canonical party name -> a ``PartyRole`` value, or 'none' (no party to the events:
  left out of the parties). It is asked only where the text does not settle the role, and never
  replaces one the text settles (``index.roles``): the text's role, then the decided one, then the
  extraction's most frequent one (``merge.parties``).
"""

from __future__ import annotations

from collections.abc import Mapping

from summarizer.models import DemandEntry, ProposalEntry

NO_OWNER = "none"
NOT_A_PARTY = "none"


def demand_key(entry: DemandEntry) -> tuple[str, int, str]:
    """What a decision about one demand is keyed by: its first cited sentence and its words."""
    first = entry.citations[0]
    return first.doc_id, first.sentence, entry.demand


def decided_proposals(
    entries: list[ProposalEntry], plan_kinds: Mapping[tuple[str, int], str] | None
) -> list[ProposalEntry]:
    """The proposals whose first decided sentence the model reads as a proposal, or that have none."""
    if not plan_kinds:
        return entries
    kept = []
    for entry in entries:
        decided = next(
            (k for c in entry.citations if (k := plan_kinds.get((c.doc_id, c.sentence))) is not None), None
        )
        if decided in (None, "proposal"):
            kept.append(entry)
    return kept


def decided_demands(
    entries: list[DemandEntry], owners: Mapping[tuple[str, int, str], str] | None
) -> list[DemandEntry]:
    """Copies of the demands with the model's owner where it gave one; a demand it says is no one's is
    left out."""
    if not owners:
        return entries
    decided = []
    for entry in entries:
        owner = owners.get(demand_key(entry)) if entry.citations else None
        if owner == NO_OWNER:
            continue
        decided.append(entry.model_copy(update={"party": owner}) if owner else entry)
    return decided
