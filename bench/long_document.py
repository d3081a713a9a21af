"""Long documents and real-length articles with the default local model (issue 10).

    python bench/long_document.py long        # `summarizer brief` (no backend options) on a generated
                                              # 20,000-word article: windows, citations, wall time
    python bench/long_document.py articles    # 20 dev-cluster articles: seconds per 1,000 words
    python bench/long_document.py long --model-path tiny.gguf   # any other GGUF (a quick dry run)

``long`` runs the real command in a child process with an empty cache and checks that every citation
of its JSON brief resolves to the file's text. ``articles`` runs the pipeline in-process (one model
load) on the first 20 articles of ``shared/dev-clusters`` (or ``--inputs``) and times each document's
extraction (window planning included) from the pipeline's progress callback.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # this checkout's package, not whichever the venv points to

from long_article import generate_article  # noqa: E402

from summarizer.models import Brief, all_citations  # noqa: E402

DEV_CLUSTERS = ROOT.parent / "shared" / "dev-clusters"


def long_run(words: int, model_path: str | None) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "news"
        folder.mkdir()
        article = folder / "report.txt"
        article.write_text(generate_article(words), encoding="utf-8")
        text = article.read_text(encoding="utf-8")
        out = Path(scratch) / "brief.json"
        command = [sys.executable, "-m", "summarizer.cli", "brief", str(folder), "--no-cache"]
        command += ["-o", str(Path(scratch) / "brief.md"), "--json", str(out)]
        if model_path:
            command += ["--model-path", model_path]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(result.stderr[-3000:])
        if result.returncode != 0:
            print(f"exit code {result.returncode}")
            return 1
        brief = Brief.model_validate_json(out.read_text(encoding="utf-8"))
        citations = all_citations(brief)
        bad = [c for c in citations if text[c.start : c.end] != c.text]
        s = brief.stats
        print(f"words: {len(text.split()):,}  characters: {len(text):,}")
        print(f"wall time (whole command): {wall:.1f} s   peak RSS: {peak:,.0f} MiB")
        print(f"LLM calls (windows + re-asks): {s.llm_calls}, re-asks {s.retries}")
        print(f"tokens: {s.prompt_tokens:,} prompt + {s.completion_tokens:,} completion")
        print(
            f"citations: {len(citations)}, resolving: {len(citations) - len(bad)}, distinct lines: "
            f"{len({c.line for c in citations})} of {len(text.splitlines())}"
        )
        return 1 if bad or not citations else 0


def articles_run(inputs: list[Path], count: int, model_path: str | None) -> int:
    from summarizer.backends import create_backend
    from summarizer.config import Settings
    from summarizer.pipeline import DocumentOutcome, run_brief

    paths = sorted(p for folder in inputs for p in folder.rglob("*.txt"))[:count]
    with tempfile.TemporaryDirectory() as scratch:
        copies = []
        for path in paths:  # outlets repeat across clusters: the cluster's name keeps files apart
            copy = Path(scratch) / f"{path.parent.name}_{path.name}"
            shutil.copyfile(path, copy)
            copies.append(copy)
        backend = create_backend(Settings(model_path=Path(model_path) if model_path else None))
        rows: list[tuple[str, int, float, int]] = []

        def progress(outcome: DocumentOutcome, done: int, total: int) -> None:
            words = len(outcome.document.text.split())
            rows.append((outcome.document.doc_id, words, outcome.seconds, outcome.usage.calls))
            print(
                f"{done}/{total} {outcome.document.doc_id}: {words} words, {outcome.seconds:.1f} s"
                f"{', failed: ' + outcome.error if outcome.error else ''}",
                flush=True,
            )

        started = time.perf_counter()
        brief = run_brief(copies, backend, concurrency=1, progress=progress)
        wall = time.perf_counter() - started
    per_thousand = [seconds / words * 1000 for _, words, seconds, _ in rows if words]
    total_words = sum(words for _, words, _, _ in rows)
    print(f"documents: {len(rows)}, words: {total_words:,}, failed: {len(brief.failed)}")
    print(f"model load: {getattr(backend, 'load_seconds', None) or 0:.1f} s (in the first document's time)")
    print(
        f"seconds per 1,000 words, median over documents: {statistics.median(per_thousand):.1f} "
        f"(range {min(per_thousand):.1f}-{max(per_thousand):.1f})"
    )
    pooled = sum(row[2] for row in rows) / total_words * 1000
    print(f"extraction seconds / words x 1000, all documents pooled: {pooled:.1f}")
    print(f"whole run (analysis, extraction, merge): {wall:.1f} s; LLM calls {brief.stats.llm_calls}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["long", "articles"])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--inputs", nargs="+", type=Path, default=[DEV_CLUSTERS])
    parser.add_argument("--model-path", help="A GGUF file (default: the bundled model).")
    args = parser.parse_args()
    if args.what == "long":
        return long_run(args.words, args.model_path)
    return articles_run(args.inputs, args.count, args.model_path)


if __name__ == "__main__":
    sys.exit(main())
