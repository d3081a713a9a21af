"""Measure the threshold of summarizer/relatedness.py: when are documents one story?

    python bench/relatedness.py            # dev clusters (shared/dev-clusters) and the seeds

Runs made of real clusters (each is one story, 3 articles; the seeds are one story, 5 articles):

* one story alone: must never be flagged (a false alarm on every brief would teach users to ignore it);
* one story plus one article of another cluster slipped in: the intruder should stand apart;
* two stories mixed: they should come out as two groups.

Prints the pair similarities within and across stories, and for each threshold the false alarms and
the detections, so the constant can be chosen where false alarms are zero.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's package, not whichever the venv points to

from summarizer.documents import Document, load_documents  # noqa: E402
from summarizer.relatedness import SAME_STORY, similarities, stories  # noqa: E402


def clusters(folder: Path) -> list[list[Document]]:
    found = []
    for cluster in sorted(p for p in folder.iterdir() if p.is_dir()):
        docs = load_documents([cluster]).documents
        for doc in docs:  # unique ids across clusters
            doc.doc_id = f"{cluster.name}/{doc.doc_id}"
        found.append(docs)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=Path, default=ROOT.parent / "shared" / "dev-clusters")
    args = parser.parse_args()
    if not args.clusters.is_dir():
        args.clusters = Path("/work/shared/dev-clusters")
    stories_ = clusters(args.clusters)
    seeds = load_documents([ROOT / "seeds"]).documents
    stories_.append(seeds)
    print(f"{len(stories_)} stories, {sum(map(len, stories_))} articles")

    within = []
    for docs in stories_:
        within += list(similarities(docs).values())
    across = []
    for a, b in itertools.combinations(range(len(stories_)), 2):
        for x in stories_[a]:
            for y in stories_[b]:
                across.append(similarities([x, y])[(0, 1)])
    q = lambda v, p: sorted(v)[int(p * (len(v) - 1))]  # noqa: E731
    print(
        f"pairs within a story: {len(within)}, min {min(within):.3f}, 5th pct {q(within, 0.05):.3f}, "
        f"median {statistics.median(within):.3f}"
    )
    print(
        f"pairs across stories: {len(across)}, max {max(across):.3f}, 95th pct {q(across, 0.95):.3f}, "
        f"99th pct {q(across, 0.99):.3f}, median {statistics.median(across):.3f}"
    )

    # the highest threshold at which each story is still one group (its weakest necessary link)
    bottlenecks = []
    for docs in stories_:
        sims = similarities(docs)
        bottlenecks.append(max(t for t in sorted(set(sims.values())) if len(stories(docs, t)) == 1))
    print(
        f"weakest necessary link of a story: min {min(bottlenecks):.3f}, "
        f"median {statistics.median(bottlenecks):.3f} (a threshold above the min flags a real story)"
    )

    n = len(stories_)
    print(
        f"\nthreshold  false alarms (of {n})  intruders found (of {n * (n - 1)})  "
        f"mixed pairs split (of {n * (n - 1) // 2})"
    )
    for threshold in sorted({0.06, 0.08, 0.10, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.20, SAME_STORY}):
        alarms = sum(len(stories(docs, threshold)) > 1 for docs in stories_)
        intruders = 0
        for a, b in itertools.permutations(range(len(stories_)), 2):
            intruder = stories_[b][0]
            groups = stories(stories_[a] + [intruder], threshold)
            intruders += [intruder.doc_id] in groups and len(groups) == 2
        split = 0
        for a, b in itertools.combinations(range(len(stories_)), 2):
            groups = stories(stories_[a] + stories_[b], threshold)
            split += sorted(map(sorted, groups)) == sorted(
                [sorted(d.doc_id for d in stories_[a]), sorted(d.doc_id for d in stories_[b])]
            )
        mark = "  <- SAME_STORY" if threshold == SAME_STORY else ""
        print(f"{threshold:9.2f}  {alarms:12}  {intruders:22}  {split:22}{mark}")
    # one big run of every article: idf over 71 documents weighs a story's own words down; a story's
    # article cut off from all its story mates would be a false "stands apart"
    everything = [d for docs in stories_ for d in docs]
    story_of = {d.doc_id: index for index, docs in enumerate(stories_) for d in docs}
    for threshold in sorted({0.10, 0.12, 0.14, 0.15, 0.16, 0.18, SAME_STORY}):
        groups = stories(everything, threshold)
        orphans = sum(
            1
            for group in groups
            for doc_id in group
            if not any(story_of[o] == story_of[doc_id] for o in group if o != doc_id)
        )
        print(
            f"all {len(everything)} articles in one run at {threshold:.2f}: {len(groups)} groups, "
            f"{orphans} articles cut off from their own story"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
