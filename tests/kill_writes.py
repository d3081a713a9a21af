"""Kill `summarizer brief` while it writes its outputs, and check what it leaves (issue 18).

Shared by tests/test_files.py (a handful of kills) and bench/kill_outputs.py (a hundred). Each round
starts the real command in a child process with a new ``--title``, waits until the first temp file of
its outputs appears in the output folder (the write phase has begun), waits a random few
milliseconds more and kills it; some rounds kill at a random moment of the whole run instead. The
three outputs (Markdown, JSON, review page) must then carry one title: all of the earlier run, or all
of the killed one. Never a mix.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.outputs import recover

OUTPUTS = ("b.md", "b.json", "b.html")


@dataclass
class Outcome:
    """What the rounds left: the set each round ended with, and any broken set."""

    kinds: Counter[str] = field(default_factory=Counter)  # 'earlier set', 'new set', 'finished'
    # killed between two renames: the set is mixed until the next run finishes it (outputs.recover)
    interrupted_renames: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)  # mixed even after recovery (must stay empty)
    leftovers: int = 0  # temp files left by SIGKILL (removed by the next run)
    write_ms: float = 0.0  # the write phase of a whole run, from its first temp file to its last rename


def _watched_run(argv: list[str], out: Path) -> tuple[float, float]:
    """Run to the end, watching the output folder: (seconds in all, seconds from the first temp file
    to the moment none is left, i.e. the write phase)."""
    started = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first = last = None
    while child.poll() is None:
        if _temps(out):
            first = first or time.monotonic()
        elif first is not None and last is None:
            last = time.monotonic()
        time.sleep(0.0002)
    _, stderr = child.communicate()
    assert child.returncode == 0, stderr
    end = time.monotonic()
    return end - started, ((last or end) - first) if first is not None else 0.01


def titles(folder: Path) -> list[str | None]:
    """The title each output carries (None: missing or unreadable)."""
    found: list[str | None] = []
    patterns = {
        "b.md": r"\A# (.*)\n",
        "b.json": r'\A\{\s*"title": "(.*?)"',
        "b.html": r"<title>(.*?)</title>",
    }
    for name in OUTPUTS:
        try:
            text = (folder / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            found.append(None)
            continue
        match = re.search(patterns[name], text)
        found.append(match.group(1) if match else None)
    return found


def command(inputs: Path, out: Path, cache: Path, title: str) -> list[str]:
    return [
        sys.executable, "-m", "summarizer.cli", "brief", str(inputs), "--backend", "fake",
        "--cache", str(cache), "--title", title,
        "-o", str(out / "b.md"), "--json", str(out / "b.json"), "--html", str(out / "b.html"),
    ]  # fmt: skip


def _temps(out: Path) -> list[str]:
    return [name for name in os.listdir(out) if name.endswith(".tmp")]


def kill_rounds(
    inputs: Path,
    out: Path,
    cache: Path,
    rounds: int,
    *,
    seed: int = 18,
    delay_ms: float | None = None,
    uniform_share: float = 0.2,
    signals: tuple[signal.Signals, ...] = (signal.SIGKILL,),
) -> Outcome:
    """One complete run (the set the first kill may leave), then ``rounds`` killed ones."""
    rng = random.Random(seed)
    outcome = Outcome()
    out.mkdir(parents=True, exist_ok=True)
    duration, window = _watched_run(command(inputs, out, cache, "the run before"), out)
    durations = [duration]
    # kill anywhere from the first temp file to well past the last rename (the write phase varies a lot
    # on a busy machine: 5 to 50 ms measured on two shared cores)
    most_delay = delay_ms / 1000 if delay_ms is not None else max(3 * window, 0.04)
    outcome.write_ms = window * 1000
    current = titles(out)
    assert current == ["the run before"] * len(OUTPUTS), current
    for number in range(rounds):
        title = f"killed run {number}"
        kill_with = signals[number % len(signals)]
        uniform = rng.random() < uniform_share
        started = time.monotonic()
        child = subprocess.Popen(
            command(inputs, out, cache, title), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if uniform:  # a moment anywhere in a run, most of it before the writing
            time.sleep(rng.uniform(0, max(durations)))
        else:  # a moment inside the write phase
            while child.poll() is None and not _temps(out):
                time.sleep(0.0002)
            time.sleep(rng.uniform(0, most_delay))
        finished = child.poll() is not None
        if not finished:
            child.send_signal(kill_with)
        child.wait()
        if finished:
            durations.append(time.monotonic() - started)
        left = titles(out)
        if len(set(left)) != 1 or left[0] is None:
            outcome.interrupted_renames.append(f"round {number} ({kill_with.name}): {left}")
        # what the next run does first: a run killed after its journal (its commit point) is finished,
        # whether it had done none, some or all of its renames
        recover([out])
        left = titles(out)
        if len(set(left)) != 1 or left[0] is None:
            outcome.mixed.append(f"round {number} ({kill_with.name}): {left}")
            current = left
            continue
        kind = "finished" if finished else ("new set" if left[0] == title else "earlier set")
        assert left[0] in (title, current[0]), f"round {number}: a set of neither run: {left}"
        outcome.kinds[kind] += 1
        outcome.leftovers += len(_temps(out))
        current = left
    return outcome
