"""Kill `summarizer brief` while it writes its outputs, a hundred times (issue 18's bar).

    python bench/kill_outputs.py              # 100 kills: SIGKILL, and every fourth SIGTERM
    python bench/kill_outputs.py --rounds 20 --delay-ms 10

Each round runs the real command (fake backend, shared cache, three outputs: Markdown, JSON, review
page) with a new title and kills it: mostly a few milliseconds after the first temp file of its
outputs appears (inside the write phase), sometimes at a random moment of the whole run. After each
kill the three files must carry one title, the earlier run's or the killed run's. Prints how each
round ended and the mixed sets found (the bar: none), and exits 1 if there was one.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # this checkout's package, not whichever the venv points to

from kill_writes import kill_rounds  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--delay-ms",
        type=float,
        help="most delay after the first temp file (default: 3 x the write phase, 40 ms at least)",
    )
    parser.add_argument("--uniform", type=float, default=0.2, help="share of kills at any moment of a run")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = work / "in"
        shutil.copytree(ROOT / "seeds", inputs)
        started = time.monotonic()
        outcome = kill_rounds(
            inputs,
            work / "out",
            work / "cache.sqlite3",
            args.rounds,
            seed=args.seed,
            delay_ms=args.delay_ms,
            uniform_share=args.uniform,
            signals=(signal.SIGKILL, signal.SIGKILL, signal.SIGKILL, signal.SIGTERM),
        )
        elapsed = time.monotonic() - started
    most = args.delay_ms if args.delay_ms is not None else max(3 * outcome.write_ms, 40)
    print(
        f"{args.rounds} kills in {elapsed:.0f}s (seed {args.seed}); write phase of a whole run "
        f"{outcome.write_ms:.0f} ms, kills up to {most:.0f} ms after its first temp file"
    )
    for kind in ("earlier set", "new set", "finished"):
        print(f"  {kind:12} {outcome.kinds[kind]:4}")
    print(f"  killed between two renames (finished by the next run): {len(outcome.interrupted_renames)}")
    print(f"  mixed sets after that: {len(outcome.mixed)}")
    print(f"  temp files left by SIGKILL (removed by the next run): {outcome.leftovers}")
    for line in outcome.interrupted_renames:
        print("    killed between renames:", line)
    for line in outcome.mixed:
        print("    MIXED:", line)
    return 1 if outcome.mixed else 0


if __name__ == "__main__":
    sys.exit(main())
