"""How ``brief --since`` scales: ``compare_briefs`` on synthetic briefs (no model, no files).

The earlier brief merges the first N documents of a synthetic corpus (bench/merge_scale.py's: 20
claims, 3 parties, 2 demands, 1 proposal, 2 figures per document), the current one all N + K. Both are
merged by ``merge_documents`` with the real sentence encoder; only the comparison is timed here (the
merge is BENCHMARKS.md's "Merge scale"). Besides time and memory it reports what a correct diff must
show: nothing of the earlier brief removed, and no new item or added source that does not come from
the K added documents (the checks of tests/test_diff.py on the seeds, at size).

    python bench/since_scale.py                      # 50 -> 60 and 200 -> 220 documents, 3 repeats
    python bench/since_scale.py --sizes 200 --added 20 --repeats 1

Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from merge_scale import fresh_inputs, merge  # noqa: E402

from summarizer.diff import compare_briefs  # noqa: E402
from summarizer.embeddings import default_encoder  # noqa: E402


def child(size: int, added: int, repeats: int, seed: int) -> dict:
    default_encoder()  # loading the model is not the comparison
    grounded, documents, index = fresh_inputs(size + added, seed)
    previous = merge(grounded[:size], documents[:size], index)
    grounded, documents, index = fresh_inputs(size + added, seed)  # merge mutates its inputs
    current = merge(grounded, documents, index)
    new_docs = {d.doc_id for d in documents[size:]}
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        changes = compare_briefs(previous, current)
        seconds.append(time.perf_counter() - started)
    # a new item must come from an added document (a new contested point may pair one with an earlier
    # claim; a new claim or party has only added sources), and so must every added source
    outside = [n.ref for n in changes.new if not set(n.sources) & new_docs]
    outside += [n.ref for n in changes.new if n.kind != "contested" and not set(n.sources) <= new_docs]
    outside += [m.ref for m in changes.more_sources if not set(m.added_sources) <= new_docs]
    return {
        "documents": f"{size} -> {size + added}",
        "claims": f"{len(previous.claims)} -> {len(current.claims)}",
        "median_s": round(statistics.median(seconds), 2),
        "runs": [round(s, 2) for s in seconds],
        "rss_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "new": len(changes.new),
        "more_sources": len(changes.more_sources),
        "figures_changed": len(changes.figures_changed),
        "removed": len(changes.removed),
        "outside_added": len(outside),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="Documents before.")
    parser.add_argument("--added", type=float, default=0.1, help="Added documents (count, or share if < 1).")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.repeats, args.seed)))
        return 0
    for size in args.sizes:
        added = int(args.added) if args.added >= 1 else max(1, round(size * args.added))
        # each size in its own process, so the peak RSS is its own
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(size), str(added), "--repeats", str(args.repeats),
             "--seed", str(args.seed)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        print(run.stdout.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
