"""Cosine similarities between texts that state the same proposition and ones that do not, to choose the
merge step's clustering threshold.

    PYTHONPATH=. python bench/claim_similarity.py

1. Claim statements from gold/**/*.gold.json (the seeds and two development clusters): each gold claim's
   ``statement`` and its ``also`` paraphrases (as different outlets worded it) are one proposition; other
   claims of the same story are different propositions. For the contested questions, claims in the same
   position ("no progress" from Hamas and from Israel) and in opposite positions are compared too.
2. Whole article sentences, hand-labelled from seeds/ (5 articles on the April 2024 Cairo ceasefire talks):
  NO_PROGRESS  Hamas / Israeli officials: no progress, nothing new, deadlock continues
  PROGRESS     Egyptian sources / Al Qahera: progress has been made
MIXED sentences state both (a Hamas official said no progress ... after Egypt said headway) and are
reported on their own. "Other" is every other sentence of 4+ words in the seeds.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
from pathlib import Path

import numpy as np

from summarizer.embeddings import default_encoder

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Distinctive substrings; each must pick out exactly the sentences meant (checked below).
NO_PROGRESS = [
    "At present, there is no progress in negotiations",
    "no progress was made in talks on Sunday",
    "there is still no progress",
    "So there is nothing new to report",
    "told Reuters that there was no progress in the talks",
    "there is “nothing new” in the Cairo talks",
    "there is nothing new in the Cairo talks",
    "There is no progress yet",
    "denied any significant progress",
    "deadlock continued over Israel",
]
PROGRESS = [
    "is witnessing great progress",
    "have made progress in Cairo",
    "significant progress is being made",
    "said some progress had been made",
    "said on Monday some progress had been made",
]
MIXED = [
    "no progress was made at a new round",
    "no progress had been made at a new round",
    "still deadlocked despite reports of progress",
]


def seed_sentences() -> list[tuple[str, str]]:
    """(file stem, sentence) for every sentence of 4+ words, split with a naive regex."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", line)
            for sentence in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", line.strip()):
                if len(sentence.split()) >= 4:
                    out.append((path.stem[:3], sentence))
    return out


def pick(sentences: list[tuple[str, str]], keys: list[str]) -> list[int]:
    found = [i for i, (_, s) in enumerate(sentences) if any(k in s for k in keys)]
    for key in keys:
        assert any(key in sentences[i][1] for i in found), f"no seed sentence contains {key!r}"
    return found


def summary(values: list[float]) -> str:
    return (
        f"n={len(values):4d}  min {min(values):.3f}  median {statistics.median(values):.3f}  "
        f"max {max(values):.3f}"
    )


def gold_claims() -> None:
    encoder = default_encoder()
    same: list[float] = []
    other: list[float] = []
    same_position: list[float] = []
    opposite: list[float] = []
    closest_other: list[tuple[float, str, str]] = []
    for path in sorted(ROOT.glob("gold/**/*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        texts = {c["id"]: [c["statement"], *c.get("also", [])] for c in gold["claims"]}
        vectors = {cid: encoder.encode(t) for cid, t in texts.items()}
        for v in vectors.values():
            sims = v @ v.T
            same += [float(sims[i, j]) for i, j in itertools.combinations(range(len(v)), 2)]
        for a, b in itertools.combinations(vectors, 2):
            sims = vectors[a] @ vectors[b].T
            other += sims.ravel().tolist()
            k = np.unravel_index(sims.argmax(), sims.shape)
            closest_other.append((float(sims[k]), texts[a][k[0]], texts[b][k[1]]))
        for question in gold.get("contested", []):
            positions = [p["claims"] for p in question["positions"]]
            for claims in positions:
                for a, b in itertools.combinations(claims, 2):
                    same_position += (vectors[a] @ vectors[b].T).ravel().tolist()
            for pa, pb in itertools.combinations(positions, 2):
                for a in pa:
                    for b in pb:
                        opposite += (vectors[a] @ vectors[b].T).ravel().tolist()
    print("Gold claim statements (statement + 'also' paraphrases), cosine:")
    print(f"  same claim, different wording       {summary(same)}")
    print(f"  same contested position, other claim {summary(same_position)}")
    print(f"  opposite contested positions        {summary(opposite)}")
    print(f"  different claims of the same story  {summary(other)}")
    for q in (0.9, 0.95, 0.99):
        print(f"    {q:.0%} of different-claim pairs are below {np.quantile(other, q):.3f}")
    for t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        recall = np.mean(np.array(same) >= t)
        false = np.mean(np.array(other) >= t)
        print(f"    threshold {t:.2f}: {recall:.0%} of same-claim pairs, {false:.1%} of other pairs")
    print("  most similar pairs of different claims:")
    for sim, a, b in sorted(closest_other, reverse=True)[:6]:
        print(f"    {sim:.3f}  {a[:60]!r}  ~  {b[:60]!r}")


def main() -> None:
    gold_claims()
    print()
    sentences = seed_sentences()
    vectors = default_encoder().encode([s for _, s in sentences])
    sims = vectors @ vectors.T

    groups = {"NO_PROGRESS": pick(sentences, NO_PROGRESS), "PROGRESS": pick(sentences, PROGRESS)}
    mixed = pick(sentences, MIXED)
    labelled = set(itertools.chain(*groups.values(), mixed))
    other = [i for i in range(len(sentences)) if i not in labelled]

    for name, idx in groups.items():
        print(f"\n{name}:")
        for i in idx:
            print(f"  [{sentences[i][0]}] {sentences[i][1][:110]}")

    def pairs(a: list[int], b: list[int]) -> list[float]:
        """Each unordered pair once, from different articles only (the merge clusters across outlets)."""
        out = []
        for i in a:
            for j in b:
                if sentences[i][0] != sentences[j][0] and (a is not b or i < j):
                    out.append(float(sims[i, j]))
        return out

    print(f"\n{len(sentences)} seed sentences; cosine between sentences of different articles:")
    print(f"  within NO_PROGRESS        {summary(pairs(groups['NO_PROGRESS'], groups['NO_PROGRESS']))}")
    print(f"  within PROGRESS           {summary(pairs(groups['PROGRESS'], groups['PROGRESS']))}")
    print(f"  NO_PROGRESS x PROGRESS    {summary(pairs(groups['NO_PROGRESS'], groups['PROGRESS']))}")
    print(f"  NO_PROGRESS x other       {summary(pairs(groups['NO_PROGRESS'], other))}")
    print(f"  PROGRESS x other          {summary(pairs(groups['PROGRESS'], other))}")
    print(f"  MIXED x NO_PROGRESS       {summary(pairs(mixed, groups['NO_PROGRESS']))}")
    print(f"  MIXED x PROGRESS          {summary(pairs(mixed, groups['PROGRESS']))}")
    print(f"  other x other             {summary(pairs(other, other))}")

    print("\nClosest 'other' sentences to any labelled one (possible false merges):")
    group_idx = groups["NO_PROGRESS"] + groups["PROGRESS"]
    best = sorted(((float(sims[i, j]), i, j) for i in group_idx for j in other), reverse=True)[:8]
    for sim, i, j in best:
        print(f"  {sim:.3f}  {sentences[i][1][:60]!r}  ~  {sentences[j][1][:70]!r}")


if __name__ == "__main__":
    main()
