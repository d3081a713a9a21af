"""How fast the local backend is on this machine: load time, prompt and generation tokens/s, the cost of
grammar-constrained decoding, and what llama.cpp's KV prefix reuse saves on a second call that shares
the system prompt and document with the first.

    python bench/local_speed.py            # the default Qwen2.5-Coder-1.5B model (assembled on first use)
    python bench/local_speed.py --tiny     # the 135M SmolLM2 test model
    python bench/local_speed.py --model-path other.gguf --doc seeds/004_4f99d01e388c12ef.txt
    python bench/local_speed.py --batch-size 3   # the batched calls: 3 documents side by side

Then the batched decoder (``local_batch``): the figures call with jump-forward alone (tokens taken from
drafts, drafts evaluated), and ``--batch-size`` documents' figures calls at once, from one thread each
as the pipeline makes them (each call's batch occupancy; generated tokens per second of wall time over
all of them against the same calls one after another).

Sentences are split with a naive regex here, so the numbers do not depend on the pipeline's splitter.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from summarizer.backends.base import Request, Usage
from summarizer.backends.local import DEFAULT_BATCH_SIZE, CallTiming, LocalBackend
from summarizer.backends.schema import constrained_schema
from summarizer.models import CITATION_FIELD, DocumentExtraction, ExtractedFigure, ExtractedParty

SYSTEM = (
    "You extract structured facts from one news article for a cited brief. The article's sentences are "
    "numbered like [3]. Answer with one JSON object. Every item cites the numbers of the one to three "
    "sentences that state it. Include only what the article states; use an empty list when there is "
    "nothing. Keep every string short and copy names as the article writes them."
)


class Parties(BaseModel):
    parties: list[ExtractedParty] = Field(default_factory=list, max_length=8)


class Figures(BaseModel):
    figures: list[ExtractedFigure] = Field(default_factory=list, max_length=8)


def numbered_sentences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("date ")]
    return [s for line in lines for s in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", line) if s]


def messages_for(sentences: list[str], task: str) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{number}] {text}" for number, text in enumerate(sentences, start=1))
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Article:\n{numbered}\n\nTask: {task}"},
    ]


def show(label: str, timing: CallTiming | None) -> None:
    if timing is None:
        return
    overhead = timing.total_seconds - timing.prompt_seconds - timing.generation_seconds
    print(
        f"{label:<34} prompt {timing.prompt_tokens:>5} tok ({timing.prompt_evaluated:>5} evaluated) "
        f"{timing.prompt_seconds:6.2f}s {timing.prompt_tokens_per_second:7.1f} tok/s | "
        f"gen {timing.completion_tokens:>5} tok {timing.generation_seconds:6.2f}s "
        f"{timing.generation_tokens_per_second:6.1f} tok/s | other {overhead:5.2f}s | "
        f"total {timing.total_seconds:6.2f}s"
        + (
            f" | jumped {timing.jumped}/{timing.drafted} drafted, batch {timing.occupancy:.1f}"
            if timing.drafted or timing.occupancy > 1
            else ""
        )
    )


def raw_call(backend: LocalBackend, messages: list[dict[str, str]], schema: dict[str, Any] | None) -> str:
    """One call through the backend's generation path, with or without a grammar."""
    llama = backend._llama
    if schema is None:  # unconstrained baseline: same prompt, plain JSON mode off
        backend._reset_perf(llama)
        started = time.perf_counter()
        response = llama.create_chat_completion(
            messages=messages, temperature=0.0, max_tokens=backend.max_tokens
        )
        counts = response["usage"]
        backend._record_timing(llama, counts, time.perf_counter() - started)
        return response["choices"][0]["message"]["content"]
    text, _ = backend._generate(llama, messages, schema, Usage())
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--model-path", type=Path)
    parser.add_argument("--doc", type=Path, default=Path("seeds/000_7bb91c76771d32cc.txt"))
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--full", action="store_true", help="also time a full DocumentExtraction")
    parser.add_argument("--show-json", action="store_true")
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: all cores)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = parser.parse_args()

    started = time.perf_counter()
    # 1-4 go one call at a time through llama-cpp-python's loop: the reference the batched path is
    # measured against.
    backend = LocalBackend(
        model_path=args.model_path,
        tiny=args.tiny,
        max_tokens=args.max_tokens,
        n_threads=args.threads,
        batch_size=1,
        jump_forward=False,
    )
    resolved = time.perf_counter() - started
    backend.load()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}"
    )
    print(
        f"model {backend.model}: resolve/verify {resolved:.2f}s, load {backend.load_seconds:.2f}s, "
        f"{backend.n_threads} threads"
    )

    sentences = numbered_sentences(args.doc)
    citable = tuple(range(1, len(sentences) + 1))

    def grammar_schema(response_model: type[BaseModel]) -> dict[str, Any]:
        request = Request(response_model, citable_ids=citable, citation_field=CITATION_FIELD)
        return constrained_schema(request, grammar=True)

    llama = backend._llama

    # 1. Cold call: nothing in the KV cache.
    llama.reset()
    parties_messages = messages_for(sentences, "List the parties (actors) of the event.")
    text = raw_call(backend, parties_messages, grammar_schema(Parties))
    show("parties, grammar, cold", backend.last_timing)
    if args.show_json:
        print(text)

    # 2. Same system prompt + document, another task: llama.cpp reuses the matching prefix.
    figures_messages = messages_for(sentences, "List the figures (numbers) the article gives.")
    text = raw_call(backend, figures_messages, grammar_schema(Figures))
    show("figures, grammar, prefix reused", backend.last_timing)
    if args.show_json:
        print(text)

    # 3. The same call again from an empty cache, for comparison.
    llama.reset()
    raw_call(backend, figures_messages, grammar_schema(Figures))
    show("figures, grammar, cold", backend.last_timing)

    # 4. Without a grammar: what constrained decoding costs per token.
    llama.reset()
    raw_call(backend, figures_messages, None)
    show("figures, no grammar, cold", backend.last_timing)

    if args.full:
        llama.reset()
        messages = messages_for(sentences, "Extract the parties, demands, proposals, claims and figures.")
        text = raw_call(backend, messages, grammar_schema(DocumentExtraction))
        show("DocumentExtraction, grammar, cold", backend.last_timing)
        if args.show_json:
            print(text)

    batched(args, figures_messages, grammar_schema(Figures))


def batched(args: argparse.Namespace, figures_messages: list[dict[str, str]], schema: dict[str, Any]) -> None:
    """Jump-forward alone, then several documents side by side."""
    jumping = LocalBackend(
        model_path=args.model_path, tiny=args.tiny, max_tokens=args.max_tokens, n_threads=args.threads,
        batch_size=1, jump_forward=True,
    )  # fmt: skip
    jumping.load()
    jumping._generate_batched(jumping._llama, figures_messages, schema, Usage())
    show("figures, jump-forward alone, cold", jumping.last_timing)

    documents = sorted(Path("seeds").glob("*.txt"))[: args.batch_size] or [args.doc]
    calls = []
    for path in documents:
        sentences = numbered_sentences(path)
        request = Request(
            Figures, citable_ids=tuple(range(1, len(sentences) + 1)), citation_field=CITATION_FIELD
        )
        calls.append((messages_for(sentences, "List the figures (numbers) the article gives."), request))
    for size, jump in ((1, False), (args.batch_size, True)):
        backend = LocalBackend(
            model_path=args.model_path, tiny=args.tiny, max_tokens=args.max_tokens, n_threads=args.threads,
            batch_size=size, jump_forward=jump,
        )  # fmt: skip
        timings: list[CallTiming] = []
        backend.progress = timings.append
        backend.load()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=size) as pool:
            list(pool.map(backend.complete, *zip(*calls, strict=True)))
        wall = time.perf_counter() - started
        label = "one at a time" if size == 1 else f"batch of {size}, jump-forward"
        for timing in timings:  # in the order the calls finished
            show(f"  {label}", timing)
        generated = sum(t.completion_tokens for t in timings)
        print(
            f"{label}: {len(calls)} documents in {wall:.2f}s wall: {len(calls) / wall:.3f} documents/s, "
            f"{generated / wall:.1f} generated tok/s of wall"
        )


if __name__ == "__main__":
    main()
