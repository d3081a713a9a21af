"""Headless Chromium from the system packages (Debian's chromium + chromium-driver), driven by Selenium.

Used by tests/test_html.py and docs/screenshot.py. Never downloads a driver: Selenium Manager is
bypassed by naming both binaries. ``make test`` installs them when they are missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("SUMMARIZER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SUMMARIZER_CHROMEDRIVER", "/usr/bin/chromedriver")

# Headless as root in a container; the background-networking flags stop Chromium from calling home
# (the test machines have no network, and the hostile-page test counts requests).
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def missing_binaries() -> list[str]:
    return [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]


@contextmanager
def chromium(width: int = 1440, height: int = 900) -> Iterator[object]:
    """A fresh headless Chromium (own profile folder, browser console captured); always quit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = missing_binaries()
    if missing:
        raise RuntimeError(
            f"not found: {', '.join(missing)}; install them with "
            "`apt-get install chromium chromium-driver` (make test does this)"
        )
    profile = Path(tempfile.mkdtemp(prefix="summarizer-chromium-"))
    options = webdriver.ChromeOptions()
    for flag in [*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
