"""Brief quality on every gold cluster: runs `summarizer brief` and `summarizer eval`, writes EVALUATION.md.

    python bench/quality.py                                   # --backend fake (rules only, seconds)
    python bench/quality.py --backend local                   # the embedded local model
    python bench/quality.py --backend local --model-path tiny.gguf
    python bench/quality.py --backend openai --base-url http://localhost:11434/v1 --model qwen2.5:7b

Gold clusters are the ``gold/**/*.gold.json`` files; each names its documents (paths relative to the gold
file). Other options after the known ones are passed to `summarizer brief` unchanged (e.g. --timeout 600).
EVALUATION.md keeps one section per backend and model: a run replaces its own section and leaves the
others, so results of several backends sit side by side.
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

from summarizer.evaluate import KINDS, summary_rows  # noqa: E402
from summarizer.gold import load_gold  # noqa: E402

REPORT = ROOT / "EVALUATION.md"
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
"""


def find_gold_files(root: Path) -> list[Path]:
    return sorted((root / "gold").rglob("*.gold.json"))


def run_cluster(gold_file: Path, args: argparse.Namespace, extra: list[str], out: Path) -> dict[str, Any]:
    gold = load_gold(gold_file)
    name = gold_file.name.removesuffix(".gold.json")
    inputs = [str((gold_file.parent / d.path).resolve().relative_to(ROOT)) for d in gold.documents]
    brief_json, brief_md, eval_json = (
        out / f"{name}.brief.json",
        out / f"{name}.brief.md",
        out / f"{name}.eval.json",
    )
    command = [sys.executable, "-m", "summarizer.cli", "brief", *inputs, "--backend", args.backend]
    for option in ("model", "base_url", "model_path"):
        value = getattr(args, option)
        if value:
            command += [f"--{option.replace('_', '-')}", str(value)]
    if args.no_cache:
        command.append("--no-cache")
    command += [*extra, "--json", str(brief_json), "-o", str(brief_md)]
    started = time.monotonic()
    brief = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
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


def write_report(path: Path, key: str, body: str) -> None:
    """Replace this run's section; keep the other runs' sections and the hand-written notes block."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = {m.group("key"): m.group(0) for m in SECTION.finditer(old)}
    sections[key] = body
    ordered = sorted(sections.items(), key=lambda item: (not item[0].startswith("fake"), item[0]))
    parts = [HEADER]
    notes = NOTES.search(old)
    if notes:
        parts.append(notes.group(0))
    if not any(k.startswith("local") for k in sections):
        parts.append(LOCAL_PLACEHOLDER + "\n")
    parts += [text for _, text in ordered]
    path.write_text("\n".join(parts), encoding="utf-8")


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
    args, extra = parser.parse_known_args()
    args.out.mkdir(parents=True, exist_ok=True)
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
    write_report(args.report, key, body)
    print(f"wrote {args.report} (section {key}); briefs and eval JSON in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
