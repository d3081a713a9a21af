"""Regenerate docs/review.png, the README's screenshot of the review page of seeds/.

    .venv/bin/python docs/screenshot.py              # fake backend (rules only, no model)
    .venv/bin/python docs/screenshot.py --backend local

Writes the brief of seeds/ with --html into a temporary folder, opens it in the system's headless
Chromium (tests/browser.py) with the first contested point selected through the URL fragment, and
saves a 1440x900 screenshot.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="fake")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "review.png")
    parser.add_argument("--select", default=None, help="Item to select (default: the first contested point).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        page, js = Path(temp) / "brief.html", Path(temp) / "brief.json"
        outputs = ["-o", str(Path(temp) / "brief.md"), "--json", str(js), "--html", str(page)]
        command = [sys.executable, "-m", "summarizer.cli", "brief", "seeds/", "--backend", args.backend]
        command += ["--no-cache", *outputs]
        subprocess.run(command, cwd=ROOT, check=True)
        from summarizer.models import Brief

        brief = Brief.model_validate_json(js.read_text(encoding="utf-8"))
        selected = args.select or (brief.contested[0].id or "question-1" if brief.contested else "party-1")
        with chromium(1440, 900) as driver:
            driver.get(f"{page.as_uri()}#{selected}")
            if not driver.execute_script("return document.querySelector('.sel') !== null"):
                raise SystemExit(f"no item {selected!r} on the page")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
    print(f"wrote {args.out} ({selected} selected)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
