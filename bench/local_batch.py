"""What each of the local backend's decoding techniques buys on the seeds brief, alone and together.

    python bench/local_batch.py                                   # the default variants, seeds, Qwen
    python bench/local_batch.py --variants b1 b1+jf b4 b4+jf       # b<N>: N calls per batch, +jf: jump
    python bench/local_batch.py --tiny --inputs seeds/000_7bb91c76771d32cc.txt

Each variant runs the real pipeline (``run_brief``, no cache: every call reaches the model) in-process
with a fresh ``LocalBackend``, one after another on the same machine. ``b1`` is the call-at-a-time path
of llama-cpp-python (the reference); every other variant's raw model answers are compared with it
token for token (the text of each answer, keyed by its prompt). Printed per variant: wall time, model
calls, prompt tokens (and how many were evaluated: the rest was shared), completion tokens, tokens/s,
tokens taken from jump-forward drafts, mean batch occupancy, and whether the answers are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from summarizer.backends.local import CallTiming, LocalBackend
from summarizer.pipeline import run_brief

ROOT = Path(__file__).resolve().parent.parent


class RecordingBackend(LocalBackend):
    """The local backend, remembering each raw answer (by its prompt) and each call's timing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(progress=self._timed, **kwargs)
        self.answers: dict[str, str] = {}
        self.timings: list[CallTiming] = []

    def _timed(self, timing: CallTiming) -> None:
        self.timings.append(timing)

    def _generate(self, llama: Any, messages: Any, schema: Any, usage: Any) -> tuple[str, bool]:
        text, cut = super()._generate(llama, messages, schema, usage)
        self.answers[repr(messages)] = text
        return text, cut

    def _generate_batched(self, llama: Any, messages: Any, schema: Any, usage: Any) -> tuple[str, bool]:
        text, cut = super()._generate_batched(llama, messages, schema, usage)
        self.answers[repr(messages)] = text
        return text, cut


def variant_options(name: str) -> dict[str, Any]:
    """``b4+jf`` -> batch_size 4 with jump-forward; ``b1`` is the call-at-a-time reference."""
    batch, _, jump = name.partition("+")
    return {"batch_size": int(batch.removeprefix("b")), "jump_forward": jump == "jf"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", nargs="+", default=[str(ROOT / "seeds")])
    parser.add_argument("--variants", nargs="+", default=["b1", "b1+jf", "b4", "b4+jf"])
    parser.add_argument("--tiny", action="store_true", help="the 135M test model")
    parser.add_argument("--model-path", type=Path)
    parser.add_argument("--answers", type=Path, help="keep each variant's raw answers here (<variant>.json)")
    args = parser.parse_args()
    if args.answers:
        args.answers.mkdir(parents=True, exist_ok=True)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    reference: dict[str, str] | None = None
    for name in args.variants:
        backend = RecordingBackend(model_path=args.model_path, tiny=args.tiny, **variant_options(name))
        backend.load()
        started = time.perf_counter()
        brief = run_brief([Path(p) for p in args.inputs], backend, concurrency=backend.max_concurrency or 1)
        wall = time.perf_counter() - started
        timings = backend.timings
        prompt = sum(t.prompt_tokens for t in timings)
        evaluated = sum(t.prompt_evaluated for t in timings)
        completion = sum(t.completion_tokens for t in timings)
        jumped = sum(t.jumped for t in timings)
        drafted = sum(t.drafted for t in timings)
        occupancy = statistics.mean(t.occupancy for t in timings) if timings else 0.0
        if args.answers:
            (args.answers / f"{name}.json").write_text(json.dumps(backend.answers, indent=1))
        if reference is None and name != "b1" and args.answers and (args.answers / "b1.json").exists():
            reference = json.loads((args.answers / "b1.json").read_text())  # from an earlier run
        if name == "b1" or reference is None:
            reference, same = backend.answers, "reference"
        else:
            differing = [k for k, text in backend.answers.items() if reference.get(k) != text]
            same = "identical" if not differing else f"{len(differing)} of {len(backend.answers)} differ"
        engine = backend._engine
        decode = f"decode {engine.decode_seconds:6.1f}s in {engine.decode_calls} passes  " if engine else ""
        in_calls = sum(t.total_seconds for t in timings)
        prompt_seconds = sum(t.prompt_seconds for t in timings)
        generation_seconds = sum(t.generation_seconds for t in timings)  # overlapping when batched
        print(
            f"{name:8} wall {wall:7.1f}s  in model calls {in_calls:7.1f}s  {decode}"
            f"calls {len(timings):2}  prompt {prompt:5} ({evaluated:5} evaluated)  "
            f"completion {completion:5} ({completion / wall:5.2f} tok/s of wall)  "
            f"prompt eval {prompt_seconds:6.1f}s ({evaluated / max(prompt_seconds, 1e-9):5.1f} tok/s)  "
            f"generating {generation_seconds:6.1f}s summed over calls  "
            f"jumped {jumped:4} of {drafted:5} drafted  occupancy {occupancy:4.2f}  "
            f"docs/s {len(brief.sources) / wall:.4f}  answers {same}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
