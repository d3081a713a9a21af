"""Figures: one quantity as given by several outlets, discrepancies flagged."""

from __future__ import annotations

from collections import defaultdict

from summarizer.ground import GroundedFigure
from summarizer.models import (
    FigureComparison,
)

# Values of one quantity within 20% of each other are one count given differently (33,175 and 33,207
# killed); further apart they count different things (1,200 killed on one day).
SAME_COUNT_RATIO = 1.2


def _family(quantity: str) -> str:
    """What is counted, without what happened to it: 'money: spending' -> 'money', 'hostages held' ->
    'hostages'. A quantity that is its own family ('hostages') does not say its kind."""
    quantity = quantity.lower().strip()
    return quantity.split(":")[0].strip() if ":" in quantity else quantity.split(" ")[0]


def _by_kind(run: list[GroundedFigure]) -> list[tuple[str, list[GroundedFigure]]]:
    """Split a run of close values of one family by kind ('money: spending' vs 'money: proposal',
    'people killed' vs 'people wounded'); a figure whose kind the text does not say ('money', '133
    hostages can be released') joins the kind nearest in value."""
    kinds: dict[str, list[GroundedFigure]] = defaultdict(list)
    unspecific: list[GroundedFigure] = []
    for figure in run:
        quantity = figure.quantity.lower().strip()
        (unspecific if quantity == _family(quantity) else kinds[quantity]).append(figure)
    if not kinds:
        return [(run[0].quantity.lower().strip(), run)]
    for figure in unspecific:
        nearest = min(kinds, key=lambda k: min(abs(f.value.value - figure.value.value) for f in kinds[k]))
        kinds[nearest].append(figure)
    return sorted(kinds.items())


def merge_figures(figures: list[GroundedFigure]) -> list[FigureComparison]:
    """Group by what is counted, then split into values within 20% of each other (33,175 and 33,207
    are one count; 1,200 killed on one day is another) and, for kinds of one family ('money: ...'),
    by kind. Kept when two or more outlets give it; flagged when their values differ."""
    by_family: dict[str, list[GroundedFigure]] = defaultdict(list)
    for figure in figures:
        by_family[_family(figure.quantity)].append(figure)
    comparisons = []
    for group in by_family.values():
        group.sort(key=lambda f: f.value.value)
        runs: list[list[GroundedFigure]] = []
        for figure in group:
            if runs and figure.value.value <= runs[-1][0].value.value * SAME_COUNT_RATIO:
                runs[-1].append(figure)
            else:
                runs.append([figure])
        for quantity, members in (kind for run in runs for kind in _by_kind(run)):
            per_doc: dict[str, GroundedFigure] = {}
            for figure in sorted(members, key=lambda f: f.value.value):
                per_doc.setdefault(figure.value.doc_id, figure)
            if len(per_doc) < 2:
                continue
            values = [f.value for f in sorted(per_doc.values(), key=lambda f: f.value.doc_id)]
            comparisons.append(
                FigureComparison(
                    quantity=quantity,
                    values=values,
                    discrepancy=len({v.value for v in values}) > 1,
                    sources=sorted(per_doc),
                )
            )
    return sorted(comparisons, key=lambda c: (not c.discrepancy, -len(c.sources), c.quantity))
