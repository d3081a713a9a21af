"""How long a re-run takes when every extraction is already cached: the whole `summarizer brief` command,
timed as a subprocess (interpreter start, imports, loading, analysis, cache reads, merge, rendering).

The first run fills a temporary cache; each re-run must then make 0 LLM calls (read from the brief's
JSON ``stats``). Target: a cached re-run of the seeds under 2 s.

    python bench/cached_rerun.py                                   # fake backend, seeds/, 5 re-runs
    python bench/cached_rerun.py --repeats 10 --inputs seeds/
    python bench/cached_rerun.py --backend local                   # the default local model
    python bench/cached_rerun.py --backend local --model-path tiny.gguf

Timings are reported, never asserted: the machine may be noisy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def summarizer_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("summarizer")
    if script.exists():
        return [str(script)]
    found = shutil.which("summarizer")
    return [found] if found else [sys.executable, "-m", "summarizer.cli"]


def imported_from(command: list[str]) -> str:
    """The summarizer package the command runs: PYTHONPATH comes before an installed or editable one."""
    check = [sys.executable]  # ``-m``: the working directory first, as for the command
    if command[:2] != [sys.executable, "-m"]:
        # A console script: run by the interpreter of its #! line, its own folder first (-P: not the
        # working directory, which ``-c`` would put first).
        first_line = Path(command[0]).read_bytes().split(b"\n", 1)[0]
        words = first_line[2:].split() if first_line.startswith(b"#!") else []
        check = [words[0].decode() if len(words) == 1 else sys.executable, "-P"]
    code = "import summarizer, pathlib; print(pathlib.Path(summarizer.__file__).parent)"
    done = subprocess.run([*check, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else f"? ({done.stderr.strip()[-200:]})"


def run_once(command: list[str], json_path: Path) -> tuple[float, dict, int, str]:
    json_path.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    stats = json.loads(json_path.read_text(encoding="utf-8"))["stats"] if json_path.exists() else {}
    return elapsed, stats, done.returncode, done.stderr


def import_seconds(repeats: int) -> float:
    """Median time of `python -c 'import summarizer.cli'`: the floor any CLI run pays."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import summarizer.cli"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", nargs="+", default=[str(ROOT / "seeds")], help="Files or folders.")
    parser.add_argument("--repeats", type=int, default=5, help="Cached re-runs to time (median reported).")
    parser.add_argument("--backend", default="fake", help="Passed to --backend (fake, local, openai).")
    parser.add_argument("--model-path", help="Passed to --model-path (local backend).")
    parser.add_argument("--model", help="Passed to --model (openai backend).")
    parser.add_argument("--base-url", help="Passed to --base-url (openai backend).")
    parser.add_argument("--cache", type=Path, help="Cache file to use (default: a fresh temporary one).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cached-") as temp:
        temp_dir = Path(temp)
        cache = args.cache or temp_dir / "cache.sqlite3"
        json_path = temp_dir / "brief.json"
        command = [*summarizer_command(), "brief", *args.inputs, "--backend", args.backend]
        for flag, value in (
            ("--model-path", args.model_path),
            ("--model", args.model),
            ("--base-url", args.base_url),
        ):
            if value:
                command += [flag, value]
        command += ["--cache", str(cache), "-o", str(temp_dir / "brief.md"), "--json", str(json_path)]
        print("command:", " ".join(command))
        print("package:", imported_from(command))

        first, first_stats, code, stderr = run_once(command, json_path)
        if code not in (0, 1) or not first_stats:
            print(f"first run failed (exit {code}):\n{stderr}", file=sys.stderr)
            return 2
        reruns = [run_once(command, json_path) for _ in range(args.repeats)]
        floor = import_seconds(max(3, args.repeats))

    print()
    print(f"{'run':<14}{'wall s':>9}{'in-run s':>10}{'llm_calls':>11}{'cache_hits':>12}{'exit':>6}")
    print(
        f"{'first (fill)':<14}{first:>9.2f}{first_stats.get('wall_seconds', 0):>10.2f}"
        f"{first_stats.get('llm_calls', '?'):>11}{first_stats.get('cache_hits', '?'):>12}{code:>6}"
    )
    for number, (elapsed, stats, rc, _) in enumerate(reruns, start=1):
        print(
            f"{f'rerun {number}':<14}{elapsed:>9.2f}{stats.get('wall_seconds', 0):>10.2f}"
            f"{stats.get('llm_calls', '?'):>11}{stats.get('cache_hits', '?'):>12}{rc:>6}"
        )
    median = statistics.median(r[0] for r in reruns)
    in_run = statistics.median(r[1].get("wall_seconds", 0.0) for r in reruns)
    calls = sorted({r[1].get("llm_calls", -1) for r in reruns})
    print()
    print(f"median cached re-run (whole command): {median:.2f} s  (target < 2 s)")
    print(f"median in-run wall_seconds (pipeline): {in_run:.2f} s")
    print(f"python + `import summarizer.cli` floor: {floor:.2f} s ({floor / median:.0%} of the re-run)")
    print(f"first run / cached re-run: {first / median:.1f}x")
    print(f"LLM calls on re-runs: {calls}" + ("  (all cached)" if calls == [0] else "  (NOT all cached!)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
