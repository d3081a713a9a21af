"""SQLite cache of extractions, so an unchanged document is never sent to a model twice.

The key covers everything that changes the answer: backend, model, mode, prompt-template hash,
schema hash and the document's sha256. Each row is written in its own transaction (WAL journal), so a
run killed mid-way keeps every extraction it finished and never leaves a half-written row; two runs
at once on the same file wait for each other's short writes instead of corrupting it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import platformdirs

SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    response TEXT NOT NULL,
    usage TEXT NOT NULL
)
"""


def default_cache_path() -> Path:
    root = os.environ.get("SUMMARIZER_CACHE_DIR") or platformdirs.user_cache_dir("summarizer")
    return Path(root) / "extractions.sqlite3"


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ExtractionCache:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # One connection shared by the worker threads, serialised by the lock.
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(SCHEMA)

    def get(self, key: str) -> tuple[str, dict] | None:
        with self._lock:
            row = self._db.execute("SELECT response, usage FROM extractions WHERE key = ?", (key,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def put(self, key: str, doc_id: str, backend: str, model: str, response: str, usage: dict) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (key, doc_id, backend, model, time.time(), response, json.dumps(usage)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
