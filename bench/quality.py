"""Brief quality on every gold cluster: runs `summarizer brief` and `summarizer eval`, writes EVALUATION.md.

    python bench/quality.py                                   # --backend fake (rules only, seconds)
    python bench/quality.py --backend local                   # the embedded local model
    python bench/quality.py --backend local --model-path tiny.gguf
    python bench/quality.py --backend openai --base-url http://localhost:11434/v1 --model qwen2.5:7b

Gold clusters are the ``gold/**/*.gold.json`` files; each names its documents (paths relative to the gold
file). Other options after the known ones are passed to `summarizer brief` unchanged (e.g. --timeout 600).
EVALUATION.md keeps one section per backend and model: a run replaces its own section and leaves the
others, so results of several backends sit side by side.

Development clusters (``../shared/dev-clusters`` beside the repository, 22 SEESAW clusters with
``gold.json``) are briefed too and scored by ``summarizer.devclusters`` (party recall, party list
length, claims, claim speakers, citation validity); their table is a section of its own, and the
per-cluster misses go to ``<out>/dev-<backend>.json``:

    python bench/quality.py --dev-only                        # only the 22 dev clusters
    python bench/quality.py --dev-only --label "before (abc1234)"   # a section kept beside later runs
    python bench/quality.py --no-dev-clusters                 # only the gold clusters
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from precision import briefs_in  # noqa: E402  (bench/ is the script's folder)
from precision import report as precision_report  # noqa: E402

from summarizer.devclusters import load_dev_gold, score_brief  # noqa: E402
from summarizer.evaluate import KINDS, summary_rows  # noqa: E402
from summarizer.gold import load_gold  # noqa: E402
from summarizer.models import Brief  # noqa: E402

REPORT = ROOT / "EVALUATION.md"
DEV_CLUSTERS = ROOT.parent / "shared" / "dev-clusters"
DEV_PREFIX = "dev-clusters"
NOTES = re.compile(r"<!-- notes -->\n.*?<!-- end notes -->\n", re.S)
SECTION = re.compile(r"<!-- run: (?P<key>[^>]+?) -->\n.*?<!-- end run -->\n", re.S)
LOCAL_PLACEHOLDER = (
    "_Local model (`--backend local`): not run yet in this report; it is to be added later (by whoever has "
    "the time and the model installed) with `python bench/quality.py --backend local`._"
)

HEADER = """# Brief quality

Measured with `summarizer eval` against hand-written gold annotations (`gold/`, format in
`summarizer/gold.py`, schema in `schemas/gold.schema.json`). Written by `bench/quality.py`; each section
below is one backend and model, with the command that reproduces it.

How to read the numbers:

- **recall / precision** per kind of item: a brief item matches a gold item by normalised text similarity
  (content words, rapidfuzz token-set and token-sort ratios, threshold 0.6), one-to-one; demands need the
  right party and claims the right speaker side (aliases and `member_of` resolved). Contested questions
  match when one brief contested point holds at least two opposing gold positions. Figure discrepancies
  match when a comparison flagged as differing shares two distinct values with a gold discrepancy.
- The gold lists the items that matter for the event, not every attributed sentence, so **precision is a
  lower bound**: an unmatched brief item may be true but minor. Text similarity is lenient with
  paraphrase in some cases and harsh in others; the per-item pairs, misses and extras are in the JSON of
  each run (`summarizer eval ... --json`) so every number can be checked by hand.
- **citation validity**: quoted text equals the file at that span and line (must be 100%).
  **citation support**: lexical (share of the item's content words found in its cited text, >= 0.5 =
  supported); it checks that the citation says the words, not that it entails the item.
  **source recall**: for matched items, share of the gold documents that the brief cites.
  **boilerplate leaks**: citations overlapping a gold boilerplate span (must be 0).
- The two SEESAW clusters (`gold/seesaw_*`, licence CC BY-NC-SA 4.0, see the LICENSE file in each) are
  development clusters: the first report was made before looking at them, and the rule changes listed
  under "Changes since the first report" below were then made by reading their misses. Their numbers
  are therefore optimistic for events the tool has not seen; the general rules were kept general (no
  names or phrases of these stories in the code) and tested on made-up text.
- **Dev clusters** (the last sections): 22 SEESAW clusters in `shared/dev-clusters` beside the repository
  (not in it; `seesaw_163` and `seesaw_167` are also gold clusters above). Their gold is only the people
  and organisations annotated per article, so they measure party recall (a gold party is found by a
  brief party's name or alias: full name, surname of a person, acronym; rule in
  `summarizer/devclusters.py`), the party list's length against the gold's, claims, claim speakers a
  reader cannot use (over six words, or a pronoun) and citation validity. Their gold also lists
  SEESAW's non-actor entities ('filibuster', 'migrant'), so 100% party recall is out of reach.
"""


def find_gold_files(root: Path) -> list[Path]:
    return sorted((root / "gold").rglob("*.gold.json"))


def brief_command(
    inputs: list[str], args: argparse.Namespace, extra: list[str], brief_json: Path, brief_md: Path
) -> list[str]:
    """`summarizer brief` of this checkout (``-m`` with cwd = ROOT imports the package here)."""
    command = [sys.executable, "-m", "summarizer.cli", "brief", *inputs, "--backend", args.backend]
    for option in ("model", "base_url", "model_path"):
        value = getattr(args, option)
        if value:
            command += [f"--{option.replace('_', '-')}", str(value)]
    if args.no_cache:
        command.append("--no-cache")
    return [*command, *extra, "--json", str(brief_json), "-o", str(brief_md)]


def run_cluster(gold_file: Path, args: argparse.Namespace, extra: list[str], out: Path) -> dict[str, Any]:
    gold = load_gold(gold_file)
    name = gold_file.name.removesuffix(".gold.json")
    inputs = [str((gold_file.parent / d.path).resolve().relative_to(ROOT)) for d in gold.documents]
    brief_json, brief_md, eval_json = (
        out / f"{name}.brief.json",
        out / f"{name}.brief.md",
        out / f"{name}.eval.json",
    )
    started = time.monotonic()
    brief = subprocess.run(
        brief_command(inputs, args, extra, brief_json, brief_md), cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if not brief_json.exists():
        return {
            "name": name,
            "gold": gold,
            "error": brief.stderr.strip()[-2000:] or f"exit {brief.returncode}",
        }
    evaluation = subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer.cli",
            "eval",
            str(brief_json),
            str(gold_file),
            "--json",
            str(eval_json),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if evaluation.returncode != 0 or not eval_json.exists():
        return {"name": name, "gold": gold, "error": evaluation.stderr.strip()[-2000:]}
    result = json.loads(eval_json.read_text(encoding="utf-8"))
    return {"name": name, "gold": gold, "result": result, "seconds": seconds, "brief_exit": brief.returncode}


def reproduce_command(args: argparse.Namespace, extra: list[str]) -> str:
    parts = ["python bench/quality.py", f"--backend {args.backend}"]
    for option in ("model", "base_url", "model_path"):
        value = getattr(args, option)
        if value:
            parts.append(f"--{option.replace('_', '-')} {value}")
    if args.no_cache:
        parts.append("--no-cache")
    return " ".join([*parts, *extra])


def section(runs: list[dict[str, Any]], args: argparse.Namespace, extra: list[str]) -> tuple[str, str]:
    results = [r["result"] for r in runs if "result" in r]
    model = results[0]["model"] if results else (args.model or "?")
    key = f"{args.backend} / {model}"
    lines = [
        f"<!-- run: {key} -->",
        f"## Backend `{args.backend}`, model `{model}`",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}. Reproduce from the repository root:",
        "",
        "```",
        reproduce_command(args, extra),
        "```",
        "",
    ]
    if len(results) > 1:
        lines += ["Summary (recall / precision, or the share):", ""]
        lines.append("| metric | " + " | ".join(r["name"] for r in runs if "result" in r) + " |")
        lines.append("|---|" + "---|" * len(results))
        per_cluster = [summary_rows(r) for r in results]
        for index, row in enumerate(per_cluster[0]):
            cells = []
            for rows in per_cluster:
                value, second = rows[index][1], rows[index][2]
                cells.append(f"{value} / {second}" if second else value)
            lines.append(f"| {row[0]} | " + " | ".join(cells) + " |")
        lines.append("")
    for run in runs:
        gold = run["gold"]
        lines += [f"### {run['name']}: {gold.title}", ""]
        if "error" in run:
            lines += ["Failed:", "", "```", run["error"], "```", ""]
            continue
        result = run["result"]
        docs = len(gold.documents)
        lines += [
            f"{docs} documents; brief in {run['seconds']:.1f}s (exit {run['brief_exit']}), "
            f"{len(result['items']['claims']['unmatched_brief'])} brief claims not in the gold.",
            "",
            "| metric | recall / share | precision | detail |",
            "|---|---|---|---|",
        ]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary_rows(result)]
        missed = {k: result["items"][k]["missed"] for k in KINDS if result["items"][k]["missed"]}
        if missed:
            lines += ["", "<details><summary>Gold items the brief missed</summary>", ""]
            for kind, items in missed.items():
                lines += [f"- **{kind}**: " + "; ".join(_short(i) for i in items)]
            lines += ["", "</details>"]
        leaks = result["boilerplate_leaks"]["leaks"]
        invalid = result["citation_validity"]["invalid"]
        if leaks:
            lines += ["", "Boilerplate leaks: " + ", ".join(f"`{x['marker']}` ({x['kind']})" for x in leaks)]
        if invalid:
            lines += [
                "",
                "Invalid citations: " + ", ".join(f"`{x['marker']}` ({x['reason']})" for x in invalid),
            ]
        lines.append("")
    lines.append("<!-- end run -->")
    return key, "\n".join(lines) + "\n"


def _short(text: str, limit: int = 90) -> str:
    text = text.replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_report(path: Path, bodies: dict[str, str]) -> None:
    """Replace these runs' sections; keep the other runs' sections and the hand-written notes block."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = {m.group("key"): m.group(0) for m in SECTION.finditer(old)}
    sections.update(bodies)

    # Gold clusters before dev clusters ('dev-clusters[ label]: backend / model'); fake first in each.
    def order(item: tuple[str, str]) -> tuple[bool, bool, str]:
        dev = item[0].startswith(DEV_PREFIX)
        backend = item[0].split(": ", 1)[-1] if dev else item[0]
        return dev, not backend.startswith("fake"), item[0]

    ordered = sorted(sections.items(), key=order)
    parts = [HEADER]
    notes = NOTES.search(old)
    if notes:
        parts.append(notes.group(0))
    if not any(k.startswith("local") for k in sections):
        parts.append(LOCAL_PLACEHOLDER + "\n")
    parts += [text for _, text in ordered]
    path.write_text("\n".join(parts), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# Development clusters
# ---------------------------------------------------------------------------------------------------


def find_dev_clusters(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/gold.json"))


def run_dev_cluster(folder: Path, args: argparse.Namespace, extra: list[str], out: Path) -> dict[str, Any]:
    name = folder.name
    brief_json, brief_md = out / f"dev-{name}.brief.json", out / f"dev-{name}.brief.md"
    brief_json.unlink(missing_ok=True)  # never score a brief left by an earlier run
    started = time.monotonic()
    brief = subprocess.run(
        brief_command([str(folder)], args, extra, brief_json, brief_md),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if not brief_json.exists():
        return {"name": name, "error": brief.stderr.strip()[-2000:] or f"exit {brief.returncode}"}
    parsed = Brief.model_validate_json(brief_json.read_text(encoding="utf-8"))
    score = score_brief(parsed, load_dev_gold(folder / "gold.json"), folder)
    return {
        "name": name,
        "model": parsed.model,
        "seconds": round(seconds, 1),
        "exit": brief.returncode,
        **score,
    }


def commit() -> str:
    """Short HEAD, saying so when the code that makes briefs has uncommitted changes."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "summarizer", "prompts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def dev_totals(runs: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in runs if "error" not in r]
    total = {k: sum(r[k] for r in done) for k in ("found", "gold_parties", "brief_parties", "claims")}
    total |= {k: sum(r[k] for r in done) for k in ("claim_reports", "bad_speakers")}
    total |= {k: sum(r[k] for r in done) for k in ("citations", "citations_valid")}
    total["too_long"] = sum(1 for r in done if r["too_long"])
    total["failed"] = len(runs) - len(done)
    return total


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _pct(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.0f}%" if denominator else "—"


def dev_section(
    runs: list[dict[str, Any]], args: argparse.Namespace, extra: list[str], source: Path
) -> tuple[str, str]:
    model = next((r["model"] for r in runs if "model" in r), args.model or "?")
    label = f" {args.label}" if args.label else ""
    key = f"{DEV_PREFIX}{label}: {args.backend} / {model}"
    command = reproduce_command(args, extra) + " --dev-only"
    if source.resolve() != DEV_CLUSTERS.resolve():
        command += f" --dev-clusters {source}"
    if args.label:
        command += f" --label '{args.label}'"
    lines = [
        f"<!-- run: {key} -->",
        f"## Dev clusters{label}: backend `{args.backend}`, model `{model}`",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on commit {commit()}, {len(runs)} clusters "
        "of `shared/dev-clusters` (SEESAW; gold = the parties annotated Main or Salient per article, "
        "deduplicated). Scored by `summarizer/devclusters.py` (matching rule in its docstring); "
        "misses and unmatched brief parties per cluster in the run's JSON "
        f"(`{_shown(args.out / f'dev-{args.backend}.json')}`, not committed). "
        "Reproduce from the repository root:",
        "",
        "```",
        command,
        "```",
        "",
        "Party recall: gold parties found by a brief party's name or alias. Parties: the brief's list "
        "length / the gold's (over 2x marked !). Bad speakers: claim reports whose speaker is longer "
        "than six words or opens with a pronoun. Sources: documents cited / documents.",
        "",
        "| cluster | party recall | parties / gold | claims | bad speakers | citation validity | sources |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if "error" in run:
            lines.append(f"| {run['name']} | failed: {_short(run['error'].splitlines()[-1], 60)} | | | | | |")
            continue
        flag = " !" if run["too_long"] else ""
        cells = [
            run["name"],
            f"{_pct(run['found'], run['gold_parties'])} ({run['found']}/{run['gold_parties']})",
            f"{run['brief_parties']} / {run['gold_parties']}{flag}",
            str(run["claims"]),
            f"{run['bad_speakers']} of {run['claim_reports']}",
            _pct(run["citations_valid"], run["citations"]),
            f"{run['sources_cited']}/{run['sources']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    t = dev_totals(runs)
    lines += [
        f"| **total** | **{_pct(t['found'], t['gold_parties'])}** ({t['found']}/{t['gold_parties']})"
        f" | {t['brief_parties']} / {t['gold_parties']} ({t['too_long']} over 2x) | {t['claims']}"
        f" | {t['bad_speakers']} of {t['claim_reports']} | {_pct(t['citations_valid'], t['citations'])}"
        f" ({t['citations_valid']}/{t['citations']}) | |",
        "",
    ]
    if t["failed"]:
        lines += [f"{t['failed']} clusters failed (see the JSON).", ""]
    lines.append("<!-- end run -->")
    return key, "\n".join(lines) + "\n"


def run_dev_clusters(source: Path, args: argparse.Namespace, extra: list[str]) -> tuple[str, str] | None:
    clusters = find_dev_clusters(source)
    if not clusters:
        print(f"no dev clusters under {source}; skipped", file=sys.stderr)
        return None
    runs = []
    for folder in clusters:
        run = run_dev_cluster(folder, args, extra, args.out)
        runs.append(run)
        if "error" in run:
            print(f"{run['name']}: failed: {run['error'][-300:]}", file=sys.stderr)
        else:
            print(
                f"{run['name']}: parties {run['found']}/{run['gold_parties']} (list {run['brief_parties']}), "
                f"claims {run['claims']}, bad speakers {run['bad_speakers']}, "
                f"citations {run['citations_valid']}/{run['citations']}",
                file=sys.stderr,
            )
    totals = dev_totals(runs)
    path = args.out / f"dev-{args.backend}.json"
    path.write_text(json.dumps({"totals": totals, "clusters": runs}, indent=2), encoding="utf-8")
    print(
        f"dev clusters: party recall {totals['found']}/{totals['gold_parties']} "
        f"({_pct(totals['found'], totals['gold_parties'])}), parties {totals['brief_parties']}, "
        f"{totals['too_long']} lists over 2x, claims {totals['claims']}, "
        f"bad speakers {totals['bad_speakers']}, "
        f"citations {totals['citations_valid']}/{totals['citations']}; misses in {path}",
        file=sys.stderr,
    )
    return dev_section(runs, args, extra, source)


def precision_section(args: argparse.Namespace, extra: list[str]) -> tuple[str, str] | None:
    """Precision per composed section of this run's briefs, against the labels in bench/labels/ (a
    person's reading of each item); None when no brief of the run has labels."""
    briefs = briefs_in(args.out)
    if not any((ROOT / "bench" / "labels" / f"{name}.json").exists() for name in briefs):
        return None
    key = f"precision: {args.backend}"
    lines = [
        f"<!-- run: {key} -->",
        f"## Precision per section: backend `{args.backend}`",
        "",
        f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on commit {commit()}: the briefs of this "
        "run scored against the labels in `bench/labels/` (right / labelled; how to label: "
        "`bench/labels/README.md`). Reproduce:",
        "",
        "```",
        reproduce_command(args, extra),
        f"python bench/precision.py score --briefs {_shown(args.out)}",
        "```",
        "",
        precision_report(briefs),
        "",
        "<!-- end run -->",
    ]
    return key, "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", default="fake", help="fake (default) | local | openai | auto")
    parser.add_argument("--model", help="model name (openai backend)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint")
    parser.add_argument("--model-path", help="GGUF file for the local backend")
    parser.add_argument("--no-cache", action="store_true", help="pass --no-cache to brief")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "quality", help="briefs and eval JSON")
    parser.add_argument("--report", type=Path, default=REPORT, help="Markdown report to update")
    parser.add_argument("--gold", type=Path, nargs="*", help="gold files (default: gold/**/*.gold.json)")
    parser.add_argument(
        "--dev-clusters",
        type=Path,
        default=DEV_CLUSTERS,
        help="folder of dev clusters (default: %(default)s)",
    )
    parser.add_argument("--no-dev-clusters", action="store_true", help="skip the dev clusters")
    parser.add_argument("--dev-only", action="store_true", help="only the dev clusters, not the gold ones")
    parser.add_argument("--label", default="", help="dev section label, e.g. 'before (abc1234)': kept apart")
    args, extra = parser.parse_known_args()
    args.out.mkdir(parents=True, exist_ok=True)
    bodies: dict[str, str] = {}
    if not args.dev_only:
        runs = []
        for gold_file in args.gold or find_gold_files(ROOT):
            run = run_cluster(gold_file.resolve(), args, extra, args.out)
            runs.append(run)
            if "error" in run:
                print(f"{run['name']}: failed: {run['error'][-300:]}", file=sys.stderr)
            else:
                rows = summary_rows(run["result"])
                print(f"{run['name']}: " + ", ".join(f"{r[0]} {r[1]}" for r in rows), file=sys.stderr)
        key, body = section(runs, args, extra)
        bodies[key] = body
    if not args.no_dev_clusters:
        dev = run_dev_clusters(args.dev_clusters, args, extra)
        if dev:
            bodies[dev[0]] = dev[1]
    precision = precision_section(args, extra)
    if precision:
        bodies[precision[0]] = precision[1]
    write_report(args.report, bodies)
    print(
        f"wrote {args.report} (sections {', '.join(bodies)}); briefs and JSON in {args.out}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
