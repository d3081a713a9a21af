"""The model's part in composing the brief: short, constrained calls for the decisions that need
language and can be checked, made between the analysis and the merge.

* ``contest``: two merged claims of different sides that the parse does not settle: one question,
  opposite answers? (``contest.py``, through ``merge.contested``'s ``Judge`` hook);
* ``proposal``: is the sentence a proposal is kept for a plan on the table, a reaction, or neither?
  (``proposals.py``);
* ``demand``: whose demand is it, of the parties listed, or no one's? (``demands.py``);
* ``role``: what part does a party play in the events, where the text does not settle it, or is it no
  party at all? (``roles.py``).

Each decision is one prompt file ``prompts/decide_<name>.md`` and one small response model with enums,
validated and re-asked at the model boundary (``ask.py``). The merge gets the answers as data (or the
judge as a callable) and calls no model. Which decisions run is the caller's choice (``DECISIONS``);
by default all of them for a capable model, and for a small one only those measured to help
(``default_decisions``; ``bench/decisions.py``, README).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from summarizer.analysis import DocumentAnalysis, PartyIndex
from summarizer.backends.base import Backend, Usage
from summarizer.cache import ExtractionCache
from summarizer.decisions.ask import Asker
from summarizer.decisions.contest import ContestJudge
from summarizer.decisions.demands import decide_demand_owners
from summarizer.decisions.proposals import decide_plan_kinds, plan_sentences
from summarizer.decisions.roles import decide_roles
from summarizer.documents import Document
from summarizer.ground import GroundedDocument

__all__ = ["DECISIONS", "SMALL_MODEL_DECISIONS", "Decider", "Decisions", "default_decisions"]

DECISIONS = ("contest", "proposal", "demand", "role")
# What a small model (the local default, strategy 'focused') is asked: only the decisions it was measured
# to get right more often than the rules (bench/decisions.py; README, "The model's decisions").
SMALL_MODEL_DECISIONS = ("proposal",)
# Candidate pairs the judge is asked about per brief, most similar first.
MAX_JUDGED_PAIRS = 12


def default_decisions(backend: Backend) -> tuple[str, ...]:
    """Every decision for a capable model (the full strategy: a server's model extracts everything
    itself), the measured ones for a small one."""
    return DECISIONS if backend.strategy == "full" else SMALL_MODEL_DECISIONS


@dataclass
class Decisions:
    """What the merge gets: the judge, and the answers made before it."""

    judge: ContestJudge | None = None
    plan_kinds: dict[tuple[str, int], str] = field(default_factory=dict)
    demand_owners: dict[tuple[str, int, str], str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # canonical party name -> role, or 'none'


class Decider:
    """Makes the chosen decisions with one backend; ``usage`` is what they cost, all together."""

    def __init__(
        self,
        backend: Backend,
        chosen: tuple[str, ...] | None = None,
        max_judged_pairs: int | None = MAX_JUDGED_PAIRS,
    ) -> None:
        chosen = default_decisions(backend) if chosen is None else chosen
        unknown = set(chosen) - set(DECISIONS)
        if unknown:
            raise ValueError(f"unknown decisions: {', '.join(sorted(unknown))}; choose from {DECISIONS}")
        self.asker = Asker(backend)
        self.chosen = chosen
        self.max_judged_pairs = max_judged_pairs
        self.workers = max(1, backend.max_concurrency or 4)

    @property
    def usage(self) -> Usage:
        return self.asker.usage

    def before_merge(
        self,
        grounded: list[GroundedDocument],
        analyses: Mapping[str, DocumentAnalysis],
        index: PartyIndex,
        cache: ExtractionCache | None = None,
        documents: list[Document] | None = None,
    ) -> Decisions:
        """The decisions about these documents; the judge's are made during the merge. The documents
        give a role's question the sentence before each one it shows."""
        self.asker.cache = cache if not self.asker.backend.may_not_answer else None
        decisions = Decisions()
        if "contest" in self.chosen:
            decisions.judge = ContestJudge(self.asker, self.max_judged_pairs)
        if "proposal" in self.chosen:
            sentences = plan_sentences(grounded, analyses)
            decisions.plan_kinds = dict(decide_plan_kinds(self.asker, sentences, self.workers))
        if "demand" in self.chosen:
            decisions.demand_owners = decide_demand_owners(self.asker, grounded, index, self.workers)
        if "role" in self.chosen:
            decisions.roles = decide_roles(self.asker, grounded, index, self.workers, documents or ())
        return decisions
