"""How big is the review page, and how does it grow with the number of documents?

Builds briefs of 25, 50, 100 and 200 generated articles with the ``fake`` backend (rules only, no
model) and renders each review page. The articles are the five seed articles with their paragraphs
shuffled and one numbered sentence added (so every file is distinct, the text stays real news prose
and the rules find parties, claims and figures that several sources share).

    python bench/html_size.py                     # 25 50 100 200 documents
    python bench/html_size.py --sizes 200 --keep out/   # also keep the 200-document page
    python bench/html_size.py --browser           # also load each page in the system's headless Chromium

Reports the page size, bytes per document, the share taken by the coverage matrix (items x sources,
the one part that is not linear in the documents) and the render time; with ``--browser`` also the
time Chromium takes to load the page (to DOMContentLoaded) and to highlight the item that cites the
most sentences. Sizes are reported, never
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
sys.path.insert(0, str(ROOT / "tests"))

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


BROWSER_TIMES = """
var t = performance.getEntriesByType('navigation')[0];
var biggest = null, most = -1;
document.querySelectorAll('[data-item]').forEach(function (el) {
  var n = el.getAttribute('data-cites').split(' ').length;
  if (n > most) { most = n; biggest = el; }
});
var started = performance.now();
biggest.click();
return [t.domContentLoadedEventEnd, performance.now() - started, most];
"""


def browser_times(page: Path) -> tuple[float, float, int]:
    """(ms to DOMContentLoaded, ms to highlight the biggest item, sentences it cites)."""
    from browser import chromium

    with chromium() as driver:
        driver.get(page.as_uri())
        loaded, clicked, most = driver.execute_script(BROWSER_TIMES)
    return loaded, clicked, most


def measure(count: int, keep: Path | None, browser: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "news"
        folder.mkdir()
        source_bytes = write_articles(folder, count)
        brief = run_brief([folder], create_backend(Settings(backend="fake")), cache=None)
        started = time.perf_counter()
        html = render_html(brief, load_sources(brief))
        seconds = time.perf_counter() - started
        timings: dict[str, float] = {}
        if browser:
            page = Path(temp) / "page.html"
            page.write_text(html, encoding="utf-8")
            timings["load_ms"], timings["click_ms"], timings["most"] = browser_times(page)
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
        **timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--keep", type=Path, default=None, help="Folder to keep the pages in.")
    parser.add_argument("--browser", action="store_true", help="Also time the page in headless Chromium.")
    args = parser.parse_args(argv)
    browser_columns = " load in Chromium | biggest highlight (sentences) |" if args.browser else ""
    print(
        "| documents | source text | page | page / document | page / source text | coverage matrix "
        "(rows) | claim groups | citation markers | render |" + browser_columns
    )
    print("|---|---|---|---|---|---|---|---|---|" + "---|---|" * args.browser)
    previous = None
    for count in args.sizes:
        row = measure(count, args.keep, args.browser)
        growth = f" (x{row['page_bytes'] / previous:.2f})" if previous else ""
        previous = row["page_bytes"]
        print(
            f"| {count} | {row['source_bytes'] / 1e3:,.0f} kB | {row['page_bytes'] / 1e6:.2f} MB{growth} | "
            f"{row['page_bytes'] / count / 1e3:.1f} kB | {row['page_bytes'] / row['source_bytes']:.1f} | "
            f"{row['coverage_bytes'] / 1e3:,.0f} kB ({row['coverage_rows']}) | {row['claims']} | "
            f"{row['citations']} | {row['render_seconds']:.2f} s |"
            + (
                f" {row['load_ms']:.0f} ms | {row['click_ms']:.0f} ms ({row['most']:.0f}) |"
                if args.browser
                else ""
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
