"""Where to put the copy threshold of ``summarizer/duplicates.py``: containment of generated copies
against containment of different articles on the same story.

Copies are agency articles as ``bench/scale_corpus.py`` republishes them (new headline, the outlet's
own boilerplate, one to three edits: a sentence added, the last paragraph cut, a word changed);
different articles are each outlet's own article on the same story (same claims, quotes and stock
phrases, in its own selection and wording). Also measured: whole-sentence hashes instead of word
5-grams, and the time of ``find_copies`` on a corpus.

    python bench/near_duplicates.py [--wires 200] [--others 120] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale_corpus import OUTLETS, WIRE, article, republish, write_corpus  # noqa: E402

from summarizer.documents import load_document, load_documents  # noqa: E402
from summarizer.duplicates import COPY_THRESHOLD, MIN_SHARED, containment, find_copies, shingles  # noqa: E402


def _load(folder: Path, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def _sentence_set(document) -> frozenset[str]:
    return frozenset(s.text.lower() for s in document.citable_sentences)


def _summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    return (
        f"{label:<44} n={len(values):>5}  min {values[0]:.2f}  p5 {values[len(values) // 20]:.2f}  "
        f"median {statistics.median(values):.2f}  p95 {values[len(values) * 19 // 20]:.2f}  "
        f"max {values[-1]:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wires", type=int, default=200, help="agency articles, each republished 3 times")
    parser.add_argument("--others", type=int, default=120, help="outlets' own articles")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    copy_scores: dict[str, list[float]] = {"shingles": [], "sentences": []}
    other_scores: dict[str, list[float]] = {"shingles": [], "sentences": []}
    shared_counts: list[int] = []  # 5-grams a copy shares with its wire article
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(args.wires):
            wire = _load(folder, f"w{n}.txt", article(WIRE, rng, day=1))
            for c, outlet in enumerate(rng.sample(OUTLETS, k=3)):
                copy = _load(folder, f"w{n}c{c}.txt", republish(wire.text, outlet, rng))
                copy_scores["shingles"].append(containment(shingles(wire), shingles(copy)))
                shared_counts.append(len(shingles(wire) & shingles(copy)))
                copy_scores["sentences"].append(containment(_sentence_set(wire), _sentence_set(copy)))
        others = [
            _load(folder, f"o{n}.txt", article(rng.choice(OUTLETS), rng, day=1)) for n in range(args.others)
        ]
        for i, a in enumerate(others):
            for b in others[i + 1 :]:
                other_scores["shingles"].append(containment(shingles(a), shingles(b)))
                other_scores["sentences"].append(containment(_sentence_set(a), _sentence_set(b)))
        for kind in ("shingles", "sentences"):
            print(_summary(f"copies, {kind}", copy_scores[kind]))
            print(_summary(f"different articles, {kind}", other_scores[kind]))
        print(f"5-grams a copy shares with its original: min {min(shared_counts)}, median "
              f"{statistics.median(shared_counts):.0f}")  # fmt: skip
        print(f"threshold in use: {COPY_THRESHOLD}, and at least {MIN_SHARED} shared 5-grams")
        for size in (200, 1000):
            corpus = write_corpus(folder / f"corpus{size}", size, seed=args.seed)
            documents = load_documents([folder / f"corpus{size}"]).documents
            times = []
            for _ in range(3):
                started = time.perf_counter()
                voices = find_copies(documents)
                times.append(time.perf_counter() - started)
            found = dict(voices.voice_of)
            print(
                f"find_copies on {size} documents: median {statistics.median(times):.3f} s; "
                f"{len(found)} copies found, {len(corpus.copies)} generated, "
                f"{sum(found.get(k) == v for k, v in corpus.copies.items())} matched"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
