"""How big is the review page, and how does it grow with the number of documents?

Builds briefs of 25, 50, 100 and 200 generated articles with the ``fake`` backend (rules only, no
model) and renders each review page. The articles are the five seed articles with their paragraphs
shuffled and one numbered sentence added (so every file is distinct, the text stays real news prose
and the rules find parties, claims and figures that several sources share).

    python bench/html_size.py                     # 25 50 100 200 documents
    python bench/html_size.py --sizes 200 --keep out/   # also keep the 200-document page

Reports the page size, bytes per document, the share taken by the coverage matrix (items x sources,
the one part that is not linear in the documents) and the render time. Sizes are reported, never
asserted (tests/test_html.py checks the 1.5 MB bar for the seeds).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.backends import create_backend  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.pipeline import run_brief  # noqa: E402
from summarizer.render_html import load_sources, render_html  # noqa: E402


def write_articles(folder: Path, count: int, seed: int = 7) -> int:
    """``count`` articles made from the seeds; returns the total bytes written."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    rng = random.Random(seed)
    total = 0
    for number in range(count):
        lines = seeds[number % len(seeds)].split("\n")
        head, body = (lines[:1], lines[1:]) if lines[0].startswith("date ") else ([], lines)
        paragraphs = [line for line in body if line.strip()]
        rng.shuffle(paragraphs)
        paragraphs.insert(
            1, f"Officials said {100 + number} aid trucks had entered the territory on day {number}."
        )
        text = "\n\n".join(head + paragraphs) + "\n"
        (folder / f"{number:03d}_article.txt").write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def measure(count: int, keep: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "news"
        folder.mkdir()
        source_bytes = write_articles(folder, count)
        brief = run_brief([folder], create_backend(Settings(backend="fake")), cache=None)
        started = time.perf_counter()
        html = render_html(brief, load_sources(brief))
        seconds = time.perf_counter() - started
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(folder.parent / "news" / "000_article.txt", keep / "000_article.txt")
            (keep / f"page_{count}.html").write_text(html, encoding="utf-8")
    size = len(html.encode("utf-8"))
    coverage = re.search(r'<section id="coverage">.*?</section>', html, re.S)
    return {
        "documents": count,
        "source_bytes": source_bytes,
        "page_bytes": size,
        "coverage_bytes": len(coverage.group(0).encode("utf-8")) if coverage else 0,
        "coverage_rows": len(brief.coverage),
        "claims": len(brief.claims),
        "citations": html.count('class="mk"'),
        "render_seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep the pages in.")
    args = parser.parse_args(argv)
    print(
        "| documents | source text | page | page / document | page / source text | coverage matrix "
        "(rows) | claim groups | citation markers | render |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    previous = None
    for count in args.sizes:
        row = measure(count, args.keep)
        growth = f" (x{row['page_bytes'] / previous:.2f})" if previous else ""
        previous = row["page_bytes"]
        print(
            f"| {count} | {row['source_bytes'] / 1e3:,.0f} kB | {row['page_bytes'] / 1e6:.2f} MB{growth} | "
            f"{row['page_bytes'] / count / 1e3:.1f} kB | {row['page_bytes'] / row['source_bytes']:.1f} | "
            f"{row['coverage_bytes'] / 1e3:,.0f} kB ({row['coverage_rows']}) | {row['claims']} | "
            f"{row['citations']} | {row['render_seconds']:.2f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
