"""Precision of the brief's composed sections, from labels a person wrote after reading the articles.

A careful reader labels every item the brief shows (a key point, a contested point, a lead sentence, a
proposal, a demand, a party's role, a figure row) as right or wrong, and says why. The labels live in
``bench/labels/<cluster>.json``, keyed by the item's text, so a brief whose item changes shows the new
item as unlabelled until someone reads it against the articles; an unchanged item keeps its label.

    python bench/precision.py score --briefs out/quality            # precision per section
    python bench/precision.py todo --briefs out/quality --out todo/   # unlabelled items, to label
    python bench/precision.py merge todo/                            # filled-in todo files -> labels

``--briefs`` is a folder of brief JSON files named ``<cluster>.json`` or ``<cluster>.brief.json`` (as
``bench/quality.py`` writes them). A todo file lists each unlabelled item with its citations; the labeller
reads the articles, sets ``"ok": true`` or ``false`` and a ``"why"``, and for a contested point that
matches one of the cluster's real disputes (``disputes`` in the labels file) its id in ``"dispute"``.

Label file::

    {"cluster": "seesaw_042", "articles": "../shared/dev-clusters/seesaw_042",
     "disputes": {"D1": "Republicans: the inquiry is unfair and secret; Democrats: it follows the rules"},
     "labels": {"key_points": {"<item text>": {"ok": true, "why": "..."}}, "contested": {...}, ...}}
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "labels"
# Sections in the order the brief shows them.
SECTIONS = ("lead", "key_points", "contested", "standoffs", "proposals", "demands", "parties", "figures")
# The first screen: what issue 17 holds to 90% together.
FIRST_SCREEN = ("lead", "key_points", "contested")
_COUNTS = re.compile(r"\s*\((?:\d+ of \d+(?: sources?)?|reported by \d+ of \d+ sources?)\)")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """An item's key: its text without source counts (they change when a source is added) and with
    single spaces."""
    return _SPACES.sub(" ", _COUNTS.sub("", text)).strip()


@dataclass
class Item:
    section: str
    key: str
    citations: list[dict[str, Any]]


def _stance(position: dict[str, Any]) -> str:
    if position.get("stance"):
        return str(position["stance"])
    return "denies" if position.get("negated") else "asserts"


def _proposal_text(proposal: dict[str, Any]) -> str:
    parts = [proposal.get("summary", "")]
    if proposal.get("proposed_by"):
        parts.append(f"by {proposal['proposed_by']}")
    if proposal.get("terms"):
        terms = [t if isinstance(t, str) else t.get("text", "") for t in proposal["terms"]]
        parts.append("terms: " + "; ".join(terms))
    reactions = proposal.get("reactions") or []
    if reactions:
        parts.append(
            "reactions: "
            + "; ".join(f"{r.get('side')} {r.get('stance')}: {r.get('text', '')}" for r in reactions)
        )
    return " | ".join(parts)


def _party_text(party: dict[str, Any]) -> str:
    text = f"{party['name']} ({party.get('role', '?')})"
    for field in ("title", "speaks_for", "member_of"):
        if party.get(field):
            text += f" [{field}: {party[field]}]"
    return text


def items_of(brief: dict[str, Any]) -> Iterator[Item]:
    """Every labelled kind of item the brief shows, with its key text."""
    for sentence in brief.get("lead") or []:
        yield Item("lead", normalise(sentence.get("text", "")), sentence.get("citations", []))
    for point in brief.get("key_points") or []:
        yield Item("key_points", normalise(point["text"]), point.get("citations", []))
    for point in brief.get("contested") or []:
        positions = " | ".join(
            f"{p['side']} ({_stance(p)}): {p['statement']}" for p in point.get("positions", [])
        )
        citations = [c for p in point.get("positions", []) for c in p.get("citations", [])[:2]]
        yield Item("contested", normalise(f"{point['question']} || {positions}"), citations)
    for point in brief.get("standoffs") or []:
        positions = " | ".join(f"{p['side']}: {p['statement']}" for p in point.get("positions", []))
        citations = [c for p in point.get("positions", []) for c in p.get("citations", [])[:2]]
        yield Item("standoffs", normalise(f"{point.get('topic', '')} || {positions}"), citations)
    for proposal in brief.get("proposals") or []:
        yield Item("proposals", normalise(_proposal_text(proposal)), proposal.get("citations", []))
    for demand in brief.get("demands") or []:
        text = normalise(f"{demand['party']}: {demand['demand']}")
        yield Item("demands", text, demand.get("citations", []))
    for party in brief.get("parties") or []:
        yield Item("parties", normalise(_party_text(party)), party.get("citations", [])[:3])
    for figure in brief.get("figures") or []:
        values = "; ".join(v["text"] for v in figure.get("values", []))
        flag = " [differs]" if figure.get("discrepancy") else ""
        citations = [v["citation"] for v in figure.get("values", []) if v.get("citation")]
        yield Item("figures", normalise(f"{figure['quantity']}: {values}{flag}"), citations)


def load_labels(cluster: str) -> dict[str, Any]:
    path = LABELS / f"{cluster}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"cluster": cluster, "disputes": {}, "labels": {}}


def save_labels(data: dict[str, Any]) -> None:
    LABELS.mkdir(parents=True, exist_ok=True)
    path = LABELS / f"{data['cluster']}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def briefs_in(folder: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(folder.glob("*.json")):
        # bench/quality.py names a dev cluster's brief 'dev-<cluster>.brief.json'
        name = path.name.removesuffix(".json").removesuffix(".brief").removeprefix("dev-")
        if name.endswith(".eval"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "key_points" in data:
            found[name] = data
    return found


@dataclass
class SectionScore:
    right: int = 0
    wrong: int = 0
    unlabelled: int = 0

    @property
    def labelled(self) -> int:
        return self.right + self.wrong

    def precision(self) -> float | None:
        return self.right / self.labelled if self.labelled else None

    def add(self, other: SectionScore) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.unlabelled += other.unlabelled


def score_cluster(brief: dict[str, Any], labels: dict[str, Any]) -> tuple[dict[str, SectionScore], set[str]]:
    """Per section right/wrong/unlabelled, and the ids of the real disputes a right contested point
    (or side-by-side standoff) matches."""
    scores = {section: SectionScore() for section in SECTIONS}
    found: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for item in items_of(brief):
        if (item.section, item.key) in seen:  # the same text twice is one item (a repeat is its own bug)
            continue
        seen.add((item.section, item.key))
        label = labels.get("labels", {}).get(item.section, {}).get(item.key)
        score = scores[item.section]
        if label is None or label.get("ok") is None:
            score.unlabelled += 1
        elif label["ok"]:
            score.right += 1
            if label.get("dispute"):
                found.add(label["dispute"])
        else:
            score.wrong += 1
    return scores, found


def _percent(score: SectionScore) -> str:
    value = score.precision()
    text = "—" if value is None else f"{100 * value:.0f}% ({score.right}/{score.labelled})"
    return text + (f" +{score.unlabelled}?" if score.unlabelled else "")


def report(briefs: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: precision per section per labelled cluster, totals, contested recall."""
    labelled = {name: b for name, b in briefs.items() if (LABELS / f"{name}.json").exists()}
    totals = {section: SectionScore() for section in SECTIONS}
    first_screen = SectionScore()
    staged = found_any = disputes_total = disputes_found = 0
    present = {item.section for brief in labelled.values() for item in items_of(brief)}
    shown = [section for section in SECTIONS if section in present]
    lines = [
        "| cluster | " + " | ".join(shown) + " | disputes found |",
        "|---|" + "---|" * (len(shown) + 1),
    ]
    for name, brief in sorted(labelled.items()):
        labels = load_labels(name)
        scores, found = score_cluster(brief, labels)
        disputes = set(labels.get("disputes", {}))
        for section in SECTIONS:
            totals[section].add(scores[section])
        for section in FIRST_SCREEN:
            first_screen.add(scores[section])
        if disputes:
            staged += 1
            found_any += bool(found & disputes)
            disputes_total += len(disputes)
            disputes_found += len(found & disputes)
        lines.append(
            f"| {name} | "
            + " | ".join(_percent(scores[s]) for s in shown)
            + f" | {len(found & disputes)}/{len(disputes)} |"
        )
    lines.append(
        "| **all** | "
        + " | ".join(f"**{_percent(totals[s])}**" for s in shown)
        + f" | **{disputes_found}/{disputes_total}** |"
    )
    lines += [
        "",
        f"- First screen (lead, key points, contested together): {_percent(first_screen)}",
        f"- Clusters where a real dispute is found: {found_any} of {staged} that stage one",
        "- `+N?`: items this brief shows that nobody has labelled yet (read them against the articles).",
    ]
    return "\n".join(lines)


def write_todo(briefs: dict[str, dict[str, Any]], out: Path, clusters: set[str] | None) -> int:
    """One file per cluster with its unlabelled items; returns how many items need a label."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, brief in sorted(briefs.items()):
        if clusters and name not in clusters:
            continue
        labels = load_labels(name)
        todo = []
        seen: set[tuple[str, str]] = set()
        for item in items_of(brief):
            if (item.section, item.key) in seen:
                continue
            seen.add((item.section, item.key))
            label = labels.get("labels", {}).get(item.section, {}).get(item.key)
            if label is not None and label.get("ok") is not None:
                continue
            quotes = [f"{c['doc_id']}:L{c['line']} {c['text']}" for c in item.citations[:6]]
            todo.append({"section": item.section, "key": item.key, "quotes": quotes, "ok": None, "why": ""})
        if todo:
            total += len(todo)
            path = out / f"{name}.todo.json"
            path.write_text(json.dumps({"cluster": name, "items": todo}, indent=1, ensure_ascii=False) + "\n")
    return total


def merge_todo(folder: Path) -> int:
    """Labels filled in todo files -> the clusters' label files; returns how many were added."""
    added = 0
    for path in sorted(folder.glob("*.todo.json")):
        todo = json.loads(path.read_text(encoding="utf-8"))
        labels = load_labels(todo["cluster"])
        for entry in todo["items"]:
            if entry.get("ok") is None:
                continue
            label = {"ok": bool(entry["ok"]), "why": entry.get("why", "")}
            if entry.get("dispute"):
                label["dispute"] = entry["dispute"]
            labels.setdefault("labels", {}).setdefault(entry["section"], {})[entry["key"]] = label
            added += 1
        if todo.get("disputes"):
            labels.setdefault("disputes", {}).update(todo["disputes"])
        save_labels(labels)
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="precision per section of the briefs in a folder")
    score.add_argument("--briefs", type=Path, required=True)
    todo = commands.add_parser("todo", help="write the unlabelled items of each brief to label")
    todo.add_argument("--briefs", type=Path, required=True)
    todo.add_argument("--out", type=Path, required=True)
    todo.add_argument("--cluster", action="append", help="only these clusters (repeatable)")
    merge = commands.add_parser("merge", help="merge filled-in todo files into bench/labels/")
    merge.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.command == "score":
        print(report(briefs_in(args.briefs)))
    elif args.command == "todo":
        count = write_todo(briefs_in(args.briefs), args.out, set(args.cluster or []) or None)
        print(f"{count} unlabelled items written to {args.out}")
    else:
        print(f"{merge_todo(args.folder)} labels merged into {LABELS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
