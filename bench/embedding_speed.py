"""How fast the numpy sentence encoder is: model load time and sentences/second on news-like sentences.

    python bench/embedding_speed.py                        # 1 and 2 BLAS threads, batch size 32
    python bench/embedding_speed.py --threads 1 --batch-sizes 16 64

Load time is measured in fresh processes (import, sha256 check, reading the weights). Threads are
SentenceEncoder's ``blas_threads`` (BLAS threads during encode; 1 is the default). Sentences come from
seeds/*.txt and, when present, /work/shared/dev-clusters/*/*.txt, split with a naive regex so the
numbers do not depend on the pipeline's splitter. Every figure is a median of 3.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "seeds", Path("/work/shared/dev-clusters")]
SIZES = (200, 1000)
RUNS = 3


def news_sentences(limit: int) -> list[str]:
    """The first ``limit`` distinct sentences of 4+ words, in a fixed file order."""
    seen: dict[str, None] = {}
    for source in SOURCES:
        for path in sorted(source.glob("*.txt")) + sorted(source.glob("*/*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                for sentence in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", line.strip()):
                    if len(sentence.split()) >= 4:
                        seen.setdefault(sentence, None)
    sentences = list(seen)
    if len(sentences) < limit:
        raise SystemExit(f"only {len(sentences)} sentences found under {SOURCES}, {limit} needed")
    return sentences[:limit]


def measure(batch_sizes: list[int], blas_threads: int) -> dict[str, object]:
    """Runs in the child: load time (import + verify + read weights), then median rates."""
    start = time.perf_counter()
    from summarizer.embeddings import SentenceEncoder

    encoder = SentenceEncoder(blas_threads=blas_threads)
    load_s = time.perf_counter() - start
    result: dict[str, object] = {"load_s": round(load_s, 3)}
    if not batch_sizes:
        return result
    texts = news_sentences(max(SIZES))
    encoder.encode(texts[:50])  # warm caches and BLAS threads
    rates: dict[str, float] = {}
    for batch_size in batch_sizes:
        encoder.batch_size = batch_size
        for size in SIZES:
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                encoder.encode(texts[:size])
                times.append(time.perf_counter() - start)
            rates[f"batch {batch_size}, {size} sentences"] = round(size / statistics.median(times), 1)
    result["rates"] = rates
    tokens = [len(ids) for ids in (e.ids for e in encoder._tokenizer.encode_batch(texts))]
    result["mean_tokens"] = round(statistics.mean(tokens), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[32])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.batch_sizes, args.threads[0])))
        return

    print(f"load average at start: {os.getloadavg()}")
    for threads in args.threads:

        def child(batch_sizes: list[int], threads: int = threads) -> dict:
            command = [sys.executable, __file__, "--child", "--threads", str(threads), "--batch-sizes"]
            out = subprocess.run(
                command + [str(b) for b in batch_sizes], check=True, capture_output=True, text=True
            )
            return json.loads(out.stdout)

        # Load time in fresh processes (the first may find a cold page cache).
        loads = [child([])["load_s"] for _ in range(RUNS)]
        result = child(args.batch_sizes)
        print(f"\n{threads} BLAS thread(s): load {statistics.median(loads):.2f} s (median of {loads})")
        print(f"  mean sentence length {result['mean_tokens']} word pieces")
        for label, rate in result["rates"].items():
            print(f"  {label}: {rate} sentences/s")
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
