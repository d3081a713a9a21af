"""A brief of 200 generated articles (issue 10): time, peak memory and the brief's size.

The corpus comes from ``bench/scale_corpus.py`` (an invented port strike: several outlets, parties,
claims with paraphrases, figures, 15% wire copies). Each run is the whole ``summarizer brief`` command
in a child process, timed from launch to exit, its peak RSS read from ``os.wait4`` (that child's own
ru_maxrss, not the largest child so far):

* ``fake, cold``: the rules-only backend and an empty cache (extraction, claim encoding, merge);
* ``fake, rerun``: the same with the cache it filled (no extraction, no claim encoded again);
* ``fake, rerun without vectors``: extractions cached but the cached claim vectors deleted, which
  is what every rerun cost before the vectors were cached;
* ``openai, concurrency 16``: the real openai backend against the loopback stub of
  ``tests/openai_server.py`` answering after ``--delay`` seconds, empty cache; then a rerun on it.

    python bench/scale.py                       # 200 documents, 3 repeats of each
    python bench/scale.py --docs 400 --repeats 1 --skip-openai

Bars (issue 10), 200 documents with the fake backend: brief written in under 30 s and 1 GiB, Markdown
under 2,000 lines. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from scale_corpus import write_corpus  # noqa: E402


def run_brief(folder: Path, out: Path, cache: Path, extra: list[str]) -> dict:
    """One CLI run in a child process: seconds, peak RSS, exit code and the brief's size."""
    md, js = out / "brief.md", out / "brief.json"
    md.unlink(missing_ok=True)
    js.unlink(missing_ok=True)
    # -m from ROOT: this checkout's package, not whichever one the venv's script points to.
    command = [sys.executable, "-m", "summarizer.cli", "brief", str(folder), "--cache", str(cache)]
    command += [*extra, "-o", str(md), "--json", str(js)]
    started = time.monotonic()
    with open(out / "stderr.txt", "w") as stderr:
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"brief failed ({code}): {(out / 'stderr.txt').read_text()[-2000:]}")
    brief = json.loads(js.read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "exit": code,
        "md_lines": len(md.read_text(encoding="utf-8").splitlines()),
        "json_bytes": js.stat().st_size,
        "in_run_seconds": brief["stats"]["wall_seconds"],
        "llm_calls": brief["stats"]["llm_calls"],
        "cache_hits": brief["stats"]["cache_hits"],
        "sources": len(brief["sources"]),
        "republished": sum(len(g["sources"]) - 1 for g in brief["republished"]),
        "claims": len(brief["claims"]),
        # what the backend said about the server (concurrency lowered, timeouts raised)
        "notes": [line for line in (out / "stderr.txt").read_text().splitlines() if line.startswith("note:")],
    }


def vector_cache_effect(cache: Path, folder: Path, repeats: int) -> dict:
    """Seconds to encode the corpus's distinct claim statements, and to read them from the cache,
    in this process (the encoder loaded beforehand)."""
    sys.path.insert(0, str(ROOT))
    from summarizer.cache import ExtractionCache
    from summarizer.embeddings import CachedEncoder, default_encoder

    brief = json.loads((folder.parent / "brief.json").read_text(encoding="utf-8"))
    texts = list(dict.fromkeys(r["statement"] for g in brief["claims"] for r in g["reports"]))
    encoder = default_encoder()
    store = ExtractionCache(cache)
    CachedEncoder(encoder, store).encode(texts)  # fills what the last run's deletion emptied
    encode, cached = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        encoder.encode(texts)
        encode.append(time.perf_counter() - started)
        reader = CachedEncoder(encoder, store)
        started = time.perf_counter()
        reader.encode(texts)
        cached.append(time.perf_counter() - started)
        assert reader.misses == 0
    store.close()
    return {"texts": len(texts), "encode": statistics.median(encode), "cached": statistics.median(cached)}


def drop_vectors(cache: Path) -> None:
    with sqlite3.connect(cache) as db:
        db.execute("DELETE FROM vectors")


def row(label: str, runs: list[dict]) -> str:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    first = runs[0]
    return (
        f"| {label} | {median('seconds'):.1f} s | {median('in_run_seconds'):.1f} s | "
        f"{median('rss_mib'):.0f} MiB | {first['md_lines']} | {first['json_bytes'] / 1e6:.2f} MB | "
        f"{first['llm_calls']} / {first['cache_hits']} | {len(runs)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--delay", type=float, default=1.0, help="Stub seconds per answer.")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-openai", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = write_corpus(work / "corpus", args.docs, seed=args.seed)
        print(f"{len(corpus.paths)} articles, {len(corpus.copies)} republished wire copies", flush=True)
        results: dict[str, list[dict]] = {
            "cold": [],
            "rerun": [],
            "no_vectors": [],
            "openai": [],
            "openai_rerun": [],
        }
        for repeat in range(args.repeats):
            cache = work / f"fake{repeat}.sqlite3"
            fake = ["--backend", "fake"]
            results["cold"].append(run_brief(work / "corpus", work, cache, fake))
            results["rerun"].append(run_brief(work / "corpus", work, cache, fake))
            drop_vectors(cache)
            results["no_vectors"].append(run_brief(work / "corpus", work, cache, fake))
            print(f"  fake, repeat {repeat + 1}: " + ", ".join(
                f"{k} {v[-1]['seconds']:.1f} s" for k, v in results.items() if v
            ), flush=True)  # fmt: skip
        # work/brief.json is the last fake run's brief here
        vectors = vector_cache_effect(work / "fake0.sqlite3", work / "corpus", args.repeats)
        if not args.skip_openai:
            from openai_server import FaultServer

            server = FaultServer(delay=args.delay).start()
            try:
                for repeat in range(args.repeats):
                    openai = ["--backend", "openai", "--base-url", server.url, "--model", "stub"]
                    openai += ["--concurrency", str(args.concurrency)]
                    cache = work / f"openai{repeat}.sqlite3"
                    results["openai"].append(run_brief(work / "corpus", work, cache, openai))
                    results["openai_rerun"].append(run_brief(work / "corpus", work, cache, openai))
                    run = results["openai"][-1]
                    print(f"  openai, repeat {repeat + 1}: {run['seconds']:.1f} s", flush=True)
                    for note in run["notes"]:
                        print(f"    {note}", flush=True)
            finally:
                server.stop()
        last = results["cold"][-1]
        print(
            f"\n{last['sources']} sources, {last['republished']} found to republish another's text, "
            f"{last['claims']} merged claims\n"
        )
        print("| run | whole command (median) | in-run wall | peak RSS | Markdown lines | JSON | "
              "LLM calls / cached | runs |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        print(row("fake, empty cache", results["cold"]))
        print(row("fake, rerun (extractions and claim vectors cached)", results["rerun"]))
        print(row("fake, rerun, claim vectors not cached", results["no_vectors"]))
        if results["openai"]:
            label = f"openai via loopback stub ({args.delay:g} s/answer), concurrency {args.concurrency}"
            print(row(label, results["openai"]))
            print(row("openai, rerun (extractions and claim vectors cached)", results["openai_rerun"]))
        print(
            f"\nclaim vectors of {vectors['texts']} distinct statements: encoded in "
            f"{vectors['encode']:.2f} s, read from the cache in {vectors['cached']:.3f} s "
            f"(medians of {args.repeats})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
