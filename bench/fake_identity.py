"""Are the `fake` briefs byte-identical to those of another revision? (a refactor's check)

Builds the brief (Markdown and JSON) of seeds/ and of every dev cluster with `--backend fake
--no-cache`, once with the code of a git revision and once with the working tree, and reports every
difference. The revision runs from a temporary `git worktree`, with this venv's interpreter and
PYTHONPATH pointing at that worktree (so its `summarizer` package, prompts and seeds are used). Timings
are left out of the comparison: `stats.wall_seconds` is dropped from the JSON, and `made_at` is fixed
with SOURCE_DATE_EPOCH=0.

    .venv/bin/python bench/fake_identity.py 5704f23
    .venv/bin/python bench/fake_identity.py 5704f23 --clusters ../shared/dev-clusters --jobs 2

Exit code 0 when every brief is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLUSTERS = ROOT.parent / "shared" / "dev-clusters"


def inputs(clusters: Path) -> dict[str, str]:
    """Brief name -> input path: seeds/ relative (each tree's own copy, same file names), the dev
    clusters absolute (one copy for both runs)."""
    found = {"seeds": "seeds"}
    for folder in sorted(clusters.glob("seesaw_*")):
        if folder.is_dir():
            found[folder.name] = str(folder)
    return found


def build(tree: Path, out: Path, briefs: dict[str, str], jobs: int) -> dict[str, str]:
    """Each brief made by the code in ``tree`` (cwd and PYTHONPATH); name -> error, for those that
    failed with exit code 2 or crashed (exit 1, some input not included, still writes the brief)."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0"}

    def one(name: str) -> tuple[str, str | None]:
        command = [
            sys.executable, "-m", "summarizer.cli", "brief", briefs[name], "--backend", "fake", "--no-cache",
            "-o", str(out / f"{name}.md"), "--json", str(out / f"{name}.json"),
        ]  # fmt: skip
        run = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
        return name, None if run.returncode in (0, 1) else f"exit {run.returncode}: {run.stderr[-500:]}"

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return {name: error for name, error in pool.map(one, briefs) if error}


def comparable(path: Path) -> list[str]:
    """The file's lines, with the run's timing left out of a JSON brief."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        data.get("stats", {}).pop("wall_seconds", None)
        text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.splitlines()


def compare(before: Path, after: Path, briefs: dict[str, str]) -> list[str]:
    report = []
    for name in briefs:
        for suffix in (".md", ".json"):
            old, new = before / f"{name}{suffix}", after / f"{name}{suffix}"
            if not old.exists() or not new.exists():
                report.append(f"{name}{suffix}: missing ({'before' if not old.exists() else 'after'})")
                continue
            diff = list(
                difflib.unified_diff(comparable(old), comparable(new), "before", "after", lineterm="")
            )
            if diff:
                report.append(f"{name}{suffix}: differs\n" + "\n".join(diff[:40]))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="git revision to compare the working tree with, e.g. 5704f23")
    parser.add_argument("--clusters", type=Path, default=DEFAULT_CLUSTERS, help="folder of seesaw_* clusters")
    parser.add_argument("--jobs", type=int, default=2, help="briefs built at once")
    parser.add_argument("--keep", type=Path, help="keep the briefs in this folder (before/ and after/)")
    args = parser.parse_args()
    briefs = inputs(args.clusters)
    with tempfile.TemporaryDirectory(prefix="fake-identity-") as temp:
        work = args.keep or Path(temp)
        checkout = Path(temp) / "revision"
        add = ["git", "worktree", "add", "--detach", "--quiet", str(checkout), args.revision]
        subprocess.run(add, cwd=ROOT, check=True)
        try:
            failed = build(checkout, work / "before", briefs, args.jobs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=False)
        after = build(ROOT, work / "after", briefs, args.jobs)
        failed |= {f"{name} (working tree)": error for name, error in after.items()}
        report = [f"{name}: failed: {error}" for name, error in failed.items()]
        report += compare(work / "before", work / "after", briefs)
    revision = subprocess.run(
        ["git", "rev-parse", "--short", args.revision], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"{len(briefs)} briefs (seeds + {len(briefs) - 1} dev clusters), Markdown and JSON, --backend fake")
    print(f"revision {revision} vs working tree: ", end="")
    if not report:
        print(f"all {2 * len(briefs)} files identical (apart from stats.wall_seconds)")
        return 0
    print(f"{len(report)} differences")
    print("\n".join(report))
    return 1


if __name__ == "__main__":
    sys.exit(main())
