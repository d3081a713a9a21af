"""The seeds brief with the embedded local model: cold (empty cache; model load included, the one-time
assembly of the model parts excluded) and warm (everything cached).

    python bench/local_brief.py                        # default model (Qwen2.5-Coder-1.5B Q4_K_M)
    python bench/local_brief.py --model-path tiny.gguf # any other GGUF
    python bench/local_brief.py --warm-runs 5

Prints per document the prompt and completion tokens (from the cache rows the run wrote), the
median completion tokens per document, tokens/s over the run, whole-command wall time, and the peak
resident memory of the command (ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB of this child, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        sys.exit(f"command failed ({result.returncode}):\n{result.stderr[-2000:]}")
    # ru_maxrss is the largest child so far; runs go from the biggest (cold) down, so this is honest.
    return wall, max(peak, before) / 1024, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", nargs="+", default=[str(ROOT / "seeds")])
    parser.add_argument("--model-path", help="A GGUF file (default: the bundled model).")
    parser.add_argument("--warm-runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache.sqlite3"
        brief_json = Path(scratch) / "brief.json"
        command = [
            sys.executable,
            "-m",
            "summarizer.cli",
            "brief",
            *args.inputs,
            "--backend",
            "local",
            "--cache",
            str(cache),
            "-o",
            str(Path(scratch) / "brief.md"),
            "--json",
            str(brief_json),
        ]
        if args.model_path:
            command += ["--model-path", args.model_path]
        # Assemble and verify the model once, outside the timing (a first-install cost, not a run cost).
        subprocess.run(
            [sys.executable, "-c", "from summarizer.model_assets import assembled_model_path as a; a()"],
            cwd=ROOT,
            check=True,
        )
        cold_wall, cold_rss, code = run(command)
        stats = json.loads(brief_json.read_text())["stats"]
        with sqlite3.connect(cache) as db:
            rows = db.execute("SELECT doc_id, usage FROM extractions ORDER BY doc_id").fetchall()
        warm = [run(command)[0] for _ in range(args.warm_runs)]

    print(f"{'document':34} {'prompt':>7} {'completion':>10} {'calls':>5}")
    completions = []
    for doc_id, usage_json in rows:
        usage = json.loads(usage_json)
        completions.append(usage["completion_tokens"])
        print(f"{doc_id:34} {usage['prompt_tokens']:>7} {usage['completion_tokens']:>10} {usage['calls']:>5}")
    print()
    print(
        f"cold run (load included, assembly excluded): {cold_wall:.1f} s wall, exit {code}, "
        f"peak RSS {cold_rss:.0f} MiB"
    )
    print(
        f"LLM calls {stats['llm_calls']}, retries {stats['retries']}, "
        f"prompt tokens {stats['prompt_tokens']}, completion tokens {stats['completion_tokens']}"
    )
    print(f"median completion tokens per document: {statistics.median(completions):.0f}")
    print(
        f"overall: {stats['prompt_tokens'] / cold_wall:.1f} prompt tok/s and "
        f"{stats['completion_tokens'] / cold_wall:.1f} completion tok/s of wall time"
    )
    print(
        f"warm (cached) runs: median {statistics.median(warm):.2f} s over {len(warm)} "
        f"(cold / warm = {cold_wall / statistics.median(warm):.0f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
