"""What each model decision adds to the rules, on the labelled clusters (issue 19 item 5).

For every labelled cluster (``bench/labels/``: the seeds and the dev clusters) the brief is made with
the rules only (``--backend fake``, the briefs the labels were written for) and then once per
decision, with that decision made by a model (the local default unless told otherwise): the contest
judge, proposal-or-reaction, whose demand, what role. Each brief is scored against the labels
(``bench/precision.py``) in the section the decision changes; an item nobody has labelled yet is
counted and written to a todo folder, to be labelled by reading the articles
(``python bench/precision.py merge <todo>``), then this script is run again.

    .venv/bin/python bench/decisions.py                          # the local default model
    .venv/bin/python bench/decisions.py --decisions proposal     # one decision
    .venv/bin/python bench/decisions.py --model-path tiny.gguf   # another GGUF
    .venv/bin/python bench/decisions.py --backend fake           # no model: counts the candidates

The model's answers are remembered per request within a run, so each is asked once; the calls, tokens
and seconds per decision are reported with the precision.

The time budget of the local default (the seeds brief within 1.3x of its time without decisions):

    .venv/bin/python bench/decisions.py --seeds-time --decisions proposal

briefs the seeds with the local model extracting (no cache), without and then with the decisions, and
prints the wall time, calls and tokens of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from precision import LABELS, SectionScore, load_labels, score_cluster, write_todo  # noqa: E402

from summarizer.backends.base import Backend, Completion, Message, ModelT, Request  # noqa: E402
from summarizer.backends.fake import FakeBackend  # noqa: E402
from summarizer.decisions import DECISIONS, MAX_JUDGED_PAIRS, Decider  # noqa: E402
from summarizer.documents import load_documents  # noqa: E402
from summarizer.pipeline import run_brief  # noqa: E402
from summarizer.render import render_json  # noqa: E402

DEV_CLUSTERS = ROOT.parent / "shared" / "dev-clusters"
# The section of the brief each decision changes.
SECTION = {"contest": "contested", "proposal": "proposals", "demand": "demands", "role": "parties"}


@dataclass
class Cost:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    failed: int = 0


@dataclass
class Remembering:
    """A backend whose answers are remembered by request key and messages: the variants of one cluster
    ask the same questions, and the model answers each once. Costs are counted per decision."""

    inner: Backend
    answers: dict[tuple[str, str], Completion[Any]] = field(default_factory=dict)
    costs: dict[str, Cost] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def complete(self, messages: list[Message], request: Request[ModelT]) -> Completion[ModelT]:
        memo = (request.key, json.dumps(messages))
        if memo in self.answers:
            return self.answers[memo]
        decision = request.key.split(":", 1)[0].removeprefix("decide-")
        cost = self.costs.setdefault(decision, Cost())
        started = time.perf_counter()
        try:
            completion = self.inner.complete(messages, request)
        except Exception as error:
            cost.failed += 1
            cost.seconds += time.perf_counter() - started
            self.log.append({"key": request.key, "prompt": messages[-1]["content"], "error": str(error)})
            raise
        cost.seconds += time.perf_counter() - started
        cost.calls += completion.usage.calls
        cost.prompt_tokens += completion.usage.prompt_tokens
        cost.completion_tokens += completion.usage.completion_tokens
        self.answers[memo] = completion
        self.log.append(
            {"key": request.key, "prompt": messages[-1]["content"], "answer": completion.value.model_dump()}
        )
        return completion


def clusters(names: list[str] | None) -> dict[str, Path]:
    found = {}
    for path in sorted(LABELS.glob("*.json")):
        name = path.stem
        if names and name not in names:
            continue
        found[name] = ROOT / "seeds" if name == "seeds" else DEV_CLUSTERS / name
    return found


def brief_json(folder: Path, decider: Decider | None) -> dict[str, Any]:
    """The rules' brief of one cluster (fake backend), with the decider's decisions when given."""
    brief = run_brief(load_documents([folder]), FakeBackend(), concurrency=1, decider=decider)
    data: dict[str, Any] = json.loads(render_json(brief))
    return data


def section_items(brief: dict[str, Any], section: str) -> set[str]:
    from precision import items_of

    return {item.key for item in items_of(brief) if item.section == section}


def model_backend(args: argparse.Namespace) -> Backend:
    if args.backend == "fake":
        return FakeBackend()
    if args.backend == "local":
        from summarizer.backends.local import LocalBackend

        return LocalBackend(model_path=args.model_path)
    from summarizer.backends.openai_backend import OpenAIBackend

    return OpenAIBackend(args.model, base_url=args.base_url)


def seeds_time(args: argparse.Namespace) -> int:
    """The seeds brief through the model, without and with the decisions: time, calls, tokens."""
    backend = model_backend(args)
    load = getattr(backend, "load", None)
    if load is not None:
        load()  # the model's load is no part of either run
    brief_json(ROOT / "seeds", None)  # nor is loading the sentence and parse models
    rows = []
    for decisions in ((), tuple(args.decisions)):
        decider = Decider(backend, decisions) if decisions else None
        started = time.perf_counter()
        brief = run_brief(load_documents([ROOT / "seeds"]), backend, concurrency=1, decider=decider)
        seconds = time.perf_counter() - started
        stats = brief.stats
        label = "+".join(decisions) or "no decisions"
        rows.append((label, seconds, stats.llm_calls, stats.prompt_tokens, stats.completion_tokens))
        print(f"{label}: {seconds:.0f} s, {stats.llm_calls} calls, {stats.prompt_tokens} + "
              f"{stats.completion_tokens} tokens", flush=True)  # fmt: skip
    print(f"ratio: {rows[1][1] / rows[0][1]:.2f}x")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", default="local", help="local (default) | openai | fake (no model)")
    parser.add_argument("--model-path", help="GGUF file for the local backend")
    parser.add_argument("--model", default="gpt-4o-mini", help="model name (openai)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (openai)")
    parser.add_argument("--decisions", nargs="+", default=list(DECISIONS), choices=DECISIONS)
    parser.add_argument("--clusters", nargs="+", help="cluster names (default: every labelled one)")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "decisions")
    parser.add_argument(
        "--max-pairs",
        type=int,
        default=MAX_JUDGED_PAIRS,
        help="contest pairs judged per brief (most similar first)",
    )
    parser.add_argument("--seeds-time", action="store_true", help="time the seeds brief (see the doc)")
    args = parser.parse_args()
    if args.seeds_time:
        return seeds_time(args)

    backend = Remembering(model_backend(args))
    totals: dict[str, tuple[SectionScore, SectionScore]] = {
        d: (SectionScore(), SectionScore()) for d in args.decisions
    }
    changed: dict[str, list[str]] = {d: [] for d in args.decisions}
    briefs: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in args.decisions}
    for name, folder in clusters(args.clusters).items():
        labels = load_labels(name)
        rules = brief_json(folder, None)
        for decision in args.decisions:
            decider = Decider(backend, (decision,), max_judged_pairs=args.max_pairs)
            decided = brief_json(folder, decider)
            briefs[decision][name] = decided
            section = SECTION[decision]
            before, after = (score_cluster(b, labels)[0][section] for b in (rules, decided))
            totals[decision][0].add(before)
            totals[decision][1].add(after)
            old, new = section_items(rules, section), section_items(decided, section)
            lines = [f"{name}: - {k}" for k in sorted(old - new)] + [
                f"{name}: + {k}" for k in sorted(new - old)
            ]
            changed[decision] += lines
            # written as each cluster ends: a long run stopped early keeps what it measured
            folder = args.out / decision
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.json").write_text(json.dumps(decided, indent=1), encoding="utf-8")
            with (args.out / f"changed-{decision}.txt").open("a", encoding="utf-8") as changes:
                changes.writelines(f"{line}\n" for line in lines)
            (args.out / "answers.json").write_text(json.dumps(backend.log, indent=1), encoding="utf-8")
            print(
                f"{name:12} {decision:9} {section:10} rules {_score(before):>14}  "
                f"with model {_score(after):>14}  (-{len(old - new)} +{len(new - old)})",
                flush=True,
            )
    args.out.mkdir(parents=True, exist_ok=True)
    for decision in args.decisions:
        folder = args.out / decision
        folder.mkdir(exist_ok=True)
        for name, data in briefs[decision].items():
            (folder / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
        todo = write_todo(briefs[decision], args.out / f"todo-{decision}", None)
        if todo:
            print(f"{decision}: {todo} unlabelled items in {args.out / f'todo-{decision}'}")
    (args.out / "answers.json").write_text(json.dumps(backend.log, indent=1), encoding="utf-8")
    print("\n| decision | section | rules | with the model | items changed | calls | tokens | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for decision in args.decisions:
        before, after = totals[decision]
        cost = backend.costs.get(decision, Cost())
        print(
            f"| {decision} | {SECTION[decision]} | {_score(before)} | {_score(after)} | "
            f"{len(changed[decision])} | {cost.calls} ({cost.failed} no answer) | "
            f"{cost.prompt_tokens} + {cost.completion_tokens} | {cost.seconds:.0f} |"
        )
    for decision in args.decisions:
        print(f"\n{decision}, items changed:")
        for line in changed[decision]:
            print(f"  {line}")
    return 0


def _score(score: SectionScore) -> str:
    precision = score.precision()
    shown = f"{precision:.0%}" if precision is not None else "—"
    unlabelled = f", {score.unlabelled} unlabelled" if score.unlabelled else ""
    return f"{shown} ({score.right}/{score.labelled}{unlabelled})"


if __name__ == "__main__":
    sys.exit(main())
