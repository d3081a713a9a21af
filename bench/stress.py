"""Reliability stress: 200 generated articles through the real ``openai`` backend (openai client +
instructor + tenacity) and the real pipeline (with the SQLite cache), against the fault-injecting
loopback server of ``tests/openai_server.py`` with 30% of requests faulted (429 with Retry-After, 500,
503, connection reset, invalid JSON, schema-invalid JSON).

    python bench/stress.py                                  # 200 documents, 30% faults, concurrency 16
    python bench/stress.py --docs 500 --fault-rate 0.5 --delay 0.1

Prints requests sent, faults injected by kind, retries, documents completed, failed (listed in the
brief as not included, with the reason), lost (neither: must be 0) and wall time. Exits 1 if any
document is lost or a citation does not resolve to its source text.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # this checkout's package, not whichever the venv points to

from openai_server import FaultServer  # noqa: E402

from summarizer.backends.openai_backend import OpenAIBackend  # noqa: E402
from summarizer.cache import ExtractionCache  # noqa: E402
from summarizer.models import all_citations  # noqa: E402
from summarizer.pipeline import run_brief  # noqa: E402

FAULT_KINDS = ("429", "500", "503", "reset", "invalid_json", "schema_invalid")
PLACES = ["Cairo", "Doha", "Geneva", "Vienna", "Amman", "Nicosia", "Oslo", "Ankara"]


def write_articles(folder: Path, count: int) -> list[Path]:
    """``count`` distinct articles, each a few paragraphs with attributions and figures."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        place = PLACES[n % len(PLACES)]
        text = (
            f"date 2024-04-{n % 28 + 1:02d}\n"
            f"Negotiators met in {place} on Monday for round {n} of the talks, officials said.\n\n"
            f"The mediators said {120 + n} detainees could be released in a first phase.\n\n"
            f"According to the health ministry, {30_000 + 17 * n:,} people have been killed.\n\n"
            f"READ: Earlier coverage of the talks in {place}\n\n"
            f'"We are ready for a deal," a senior official told reporters in {place}.\n'
        )
        path = folder / f"{n:03d}_{place.lower()}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def run(
    docs: int = 200,
    fault_rate: float = 0.3,
    concurrency: int = 16,
    delay: float = 0.02,
    retry_after: float = 0.05,
    backoff: float = 0.05,
    max_retries: int = 8,
    max_reasks: int = 4,
    timeout: float = 10.0,
    seed: int = 7,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="summarizer-stress-") as temp:
        folder = Path(temp) / "articles"
        paths = write_articles(folder, docs)
        server = FaultServer(
            delay=delay, fault_rate=fault_rate, fault_kinds=FAULT_KINDS, retry_after=retry_after, seed=seed
        ).start()
        cache = ExtractionCache(Path(temp) / "cache.sqlite3")
        try:
            backend = OpenAIBackend(
                "stress-model",
                base_url=server.url,
                api_key="x",
                timeout=timeout,
                max_retries=max_retries,
                max_reasks=max_reasks,
                backoff=backoff,
            )
            started = time.perf_counter()
            brief = run_brief([folder], backend, cache=cache, concurrency=concurrency)
            wall = time.perf_counter() - started
        finally:
            cache.close()
            server.stop()
        included = {Path(s.path).name for s in brief.sources}
        failed = {Path(f.path).name: f.reason for f in brief.failed}
        names = {p.name for p in paths}
        texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
        bad_citations = [c.marker for c in all_citations(brief) if texts[c.doc_id][c.start : c.end] != c.text]
        requests = server.chat_requests
        return {
            "documents": docs,
            "requests": len(requests),
            "faults": server.fault_counts(),
            "faulted_share": round(sum(server.fault_counts().values()) / max(len(requests), 1), 3),
            "reasks_sent": sum(1 for r in requests if r.is_reask),
            "retries": brief.stats.retries,
            "completed": len(included),
            "failed": failed,
            "lost": sorted(names - included - set(failed)),
            "bad_citations": bad_citations,
            "wall_seconds": round(wall, 2),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.02, help="server seconds per answer")
    parser.add_argument("--retry-after", type=float, default=0.05, help="Retry-After of the 429s")
    parser.add_argument("--backoff", type=float, default=0.05, help="first backoff, doubling")
    parser.add_argument("--max-retries", type=int, default=8)
    parser.add_argument("--max-reasks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = run(
        docs=args.docs,
        fault_rate=args.fault_rate,
        concurrency=args.concurrency,
        delay=args.delay,
        retry_after=args.retry_after,
        backoff=args.backoff,
        max_retries=args.max_retries,
        max_reasks=args.max_reasks,
        seed=args.seed,
    )
    faults = ", ".join(f"{kind} {n}" for kind, n in result["faults"].items())
    print(f"documents            {result['documents']}")
    print(f"requests sent        {result['requests']}")
    print(f"faults injected      {sum(result['faults'].values())} ({result['faulted_share']:.0%}): {faults}")
    print(f"retries              {result['retries']} (re-ask requests: {result['reasks_sent']})")
    print(f"documents completed  {result['completed']}")
    print(f"documents failed     {len(result['failed'])} (listed as not included)")
    for name, reason in sorted(result["failed"].items()):
        print(f"  {name}: {reason}")
    print(f"documents lost       {len(result['lost'])}")
    print(f"bad citations        {len(result['bad_citations'])}")
    print(f"wall time            {result['wall_seconds']:.2f} s")
    return 1 if result["lost"] or result["bad_citations"] else 0


if __name__ == "__main__":
    sys.exit(main())
