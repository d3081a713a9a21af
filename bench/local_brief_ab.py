"""The seeds brief with the local model, cold, this checkout against an earlier commit, back to back.

    python bench/local_brief_ab.py                    # base: where this branch left main; 3 pairs
    python bench/local_brief_ab.py --base ef1aa82 --head speed --runs 1
    python bench/local_brief_ab.py --model-path tiny.gguf --inputs seeds/000_7bb91c76771d32cc.txt

The base commit is exported (``git archive``) to a scratch folder; both trees run
``summarizer brief <inputs> --backend local --no-cache`` with their own code, interleaved A, B, A, B,
... so that a machine shared with other jobs loads both alike. Each brief is scored by this checkout's
``summarizer eval`` against ``gold/seeds.gold.json`` (when the inputs are the seeds). Printed: each
run's wall time, the medians and their ratio (B / A), the ratio of each back-to-back pair, the load
average before each run, the model's token counts, and the quality figures of every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "gold" / "seeds.gold.json"


def export(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def brief(tree: Path, inputs: list[str], out: Path, extra: list[str]) -> tuple[float, dict[str, Any]]:
    """(wall seconds, the brief's JSON) of one cold run of ``tree``'s code."""
    command = [sys.executable, "-m", "summarizer.cli", "brief", *inputs, "--backend", "local", "--no-cache"]
    command += ["-o", str(out / "brief.md"), "--json", str(out / "brief.json"), *extra]
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"{tree}: brief failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return wall, json.loads((out / "brief.json").read_text())


def quality(brief_json: Path) -> dict[str, Any]:
    metrics = brief_json.with_name("metrics.json")
    command = [
        sys.executable,
        "-m",
        "summarizer.cli",
        "eval",
        str(brief_json),
        str(GOLD),
        "--json",
        str(metrics),
    ]
    subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    return json.loads(metrics.read_text()) if metrics.exists() else {}


def figures(metrics: dict[str, Any]) -> str:
    """Recall per item kind and citation validity, as `summarizer eval` gives them."""
    if not metrics:
        return "(no metrics)"
    shown = [
        f"{kind} {item['recall']:.0%}" if item.get("recall") is not None else f"{kind} -"
        for kind, item in metrics.get("items", {}).items()
    ]
    validity = metrics.get("citation_validity", {})
    shown.append(f"citations valid {validity.get('valid')}/{validity.get('citations')}")
    return ", ".join(shown)


def without_stats(brief_data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in brief_data.items() if k != "stats"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="commit to compare with (default: git merge-base HEAD main)")
    parser.add_argument("--head", help="commit to measure (default: this checkout as it is)")
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs")
    parser.add_argument("--inputs", nargs="+", default=[str(ROOT / "seeds")])
    parser.add_argument("--model-path", help="any GGUF (default: the bundled model)")
    args = parser.parse_args()
    base = (
        args.base
        or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    extra = ["--model-path", args.model_path] if args.model_path else []
    inputs = [str(Path(p).resolve()) for p in args.inputs]
    scored = Path(inputs[0]).resolve() == (ROOT / "seeds").resolve() and GOLD.exists()

    walls: dict[str, list[float]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory() as scratch:
        head = export(args.head, Path(scratch) / "head") if args.head else ROOT
        trees = {"A": export(base, Path(scratch) / "base"), "B": head}
        print(f"A = {base[:10]}, B = {args.head or 'this checkout'} ({head})", flush=True)
        briefs: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
        for run in range(args.runs):
            for label in ("A", "B"):
                out = Path(scratch) / f"{label}{run}"
                out.mkdir()
                load = os.getloadavg()[0]
                wall, data = brief(trees[label], inputs, out, extra)
                walls[label].append(wall)
                briefs[label].append(data)
                stats = data["stats"]
                shown = figures(quality(out / "brief.json")) if scored else ""
                print(
                    f"run {run + 1} {label}: {wall:6.1f} s (load {load:.1f} before)  "
                    f"calls {stats['llm_calls']}, retries {stats['retries']}, "
                    f"prompt {stats['prompt_tokens']}, completion {stats['completion_tokens']}  {shown}",
                    flush=True,
                )
    ratios = [b / a for a, b in zip(walls["A"], walls["B"], strict=True)]
    median_a, median_b = statistics.median(walls["A"]), statistics.median(walls["B"])
    print(
        f"median A {median_a:.1f} s, median B {median_b:.1f} s over {args.runs} runs each: "
        f"B/A = {median_b / median_a:.2f}; pairwise B/A {', '.join(f'{r:.2f}' for r in ratios)} "
        f"(median {statistics.median(ratios):.2f})"
    )
    same = all(without_stats(a) == without_stats(b) for a, b in zip(briefs["A"], briefs["B"], strict=True))
    print(f"briefs (stats aside) {'identical' if same else 'differ'} between A and B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
