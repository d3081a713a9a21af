"""SQLite cache of extractions, so an unchanged document is never sent to a model twice; of claim
vectors, so an unchanged claim is never encoded twice; and of the NLP pipeline's results (sentence
spans of a paragraph, the parse of a sentence), so a re-run over unchanged text neither loads nor runs
spaCy's pipeline; of the web pages fetched for a brief, so a rerun needs no network; and of the text
extracted from every input that is not a plain text file (a page, a PDF, a record), by its sha256, so
that the brief can always be checked against what was read.

The key covers everything that changes the answer: backend, model, mode, prompt-template hash,
schema hash and the document's sha256. Each row is written in its own transaction (WAL journal), so a
run killed mid-way keeps every extraction it finished and never leaves a half-written row; two runs
at once on the same file wait for each other's short writes instead of corrupting it.
"""

from __future__ import annotations

import contextlib
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
# Sentence vectors of claim statements, keyed by a hash of the encoder's identity and the text
# (embeddings.CachedEncoder): a rerun over the same claims does not encode them again.
VECTORS_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key TEXT PRIMARY KEY,
    vector BLOB NOT NULL
)
"""
# What the NLP pipeline made of a text, keyed by a hash of the pipeline's identity, the view (sentence
# recogniser or parse) and the text (nlp.split / nlp.parse): a rerun over the same text reads it back.
NLP_SCHEMA = """
CREATE TABLE IF NOT EXISTS nlp_results (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
)
"""
# Web pages as fetched (summarizer.inputs.fetch), by the URL as given: a rerun reads them from here.
PAGES_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched REAL NOT NULL
)
"""
# The text extracted from a page, PDF, record or feed entry, by the sha256 of the text: what the
# brief's citations index (`render` and `eval` re-check a source of such a kind against it).
TEXTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (
    sha256 TEXT PRIMARY KEY,
    text TEXT NOT NULL
)
"""
# Keys per SELECT ... IN (...): below SQLite's default limit of host parameters.
_KEYS_PER_QUERY = 500

# Batches submitted and not yet fully read back (--batch): a run killed while it waits finds its
# batch here and polls it instead of paying for a second one. A row per document and round (1: the
# first asks, 2: the re-asks), keyed by the document's extraction-cache key: after round 1 the valid
# answers are cached, so a restarted run asks for a subset of the first request set, and a hash of
# the whole set would never match again.
BATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_requests (
    key TEXT NOT NULL,
    round INTEGER NOT NULL,
    batch_id TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (key, round)
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
        self.errors: list[str] = []  # reads and writes that failed (the run went on without them)
        # One connection shared by the worker threads, serialised by the lock.
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute(SCHEMA)
        self._db.execute(BATCH_SCHEMA)
        self._db.execute(VECTORS_SCHEMA)
        self._db.execute(NLP_SCHEMA)
        self._db.execute(PAGES_SCHEMA)
        self._db.execute(TEXTS_SCHEMA)

    def get(self, key: str) -> tuple[str, dict] | None:
        """The cached (response, usage), or None; an unreadable cache is a miss, never a failure."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT response, usage FROM extractions WHERE key = ?", (key,)
                ).fetchone()
            return (row[0], json.loads(row[1])) if row else None
        except (sqlite3.Error, ValueError) as error:
            self._note(error)
            return None

    def put(self, key: str, doc_id: str, backend: str, model: str, response: str, usage: dict) -> None:
        """Store one extraction in its own transaction. A failed write (disk full, database locked for
        longer than the busy timeout) is recorded in ``errors`` and skipped: the extraction itself is
        still used for this run, only not remembered for the next."""
        row = (key, doc_id, backend, model, time.time(), response, json.dumps(usage))
        self._write("INSERT OR REPLACE INTO extractions VALUES (?, ?, ?, ?, ?, ?, ?)", [row])

    def batch_of(self, key: str, round_: int) -> str | None:
        """The id of the batch that holds this document's request of this round, if one was submitted."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT batch_id FROM batch_requests WHERE key = ? AND round = ?", (key, round_)
                ).fetchone()
            return row[0] if row else None
        except sqlite3.Error as error:
            self._note(error)
            return None

    def remember_batch(self, keys: list[str], round_: int, batch_id: str) -> bool:
        """Record a submitted batch, in one transaction; False (and noted) when it could not be."""
        now = time.time()
        rows = [(key, round_, batch_id, now) for key in keys]
        return self._write("INSERT OR REPLACE INTO batch_requests VALUES (?, ?, ?, ?)", rows)

    def forget_batches(self, keys: list[str]) -> None:
        """Drop the batch records of documents that are done (answered, or failed for good)."""
        self._write("DELETE FROM batch_requests WHERE key = ?", [(key,) for key in keys])

    def get_vectors(self, keys: list[str]) -> dict[str, bytes]:
        """The stored vectors of those keys that have one; an unreadable cache is a miss."""
        return self._get_blobs("vectors", "vector", keys)

    def put_vectors(self, vectors: dict[str, bytes]) -> None:
        """Store vectors in one transaction; a failed write is noted and skipped, like ``put``."""
        self._put_blobs("vectors", vectors)

    def get_nlp_results(self, keys: list[str]) -> dict[str, bytes]:
        """The stored NLP results of those keys that have one; an unreadable cache is a miss."""
        return self._get_blobs("nlp_results", "value", keys)

    def put_nlp_results(self, results: dict[str, bytes]) -> None:
        """Store NLP results in one transaction; a failed write is noted and skipped, like ``put``."""
        self._put_blobs("nlp_results", results)

    def get_page(self, url: str) -> tuple[str, str, bytes, float] | None:
        """(final_url, content_type, body, fetched_at) of a page fetched before, or None (also when
        the cache cannot be read: the page is fetched again)."""
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT final_url, content_type, body, fetched FROM pages WHERE url = ?", (url,)
                ).fetchone()
            return (row[0], row[1], bytes(row[2]), row[3]) if row else None
        except sqlite3.Error as error:
            self._note(error)
            return None

    def put_page(self, url: str, final_url: str, content_type: str, body: bytes, fetched_at: float) -> None:
        """Keep a fetched page; a failed write is noted and skipped, like ``put``."""
        row = (url, final_url, content_type, body, fetched_at)
        self._write("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)", [row])

    def get_text(self, sha256: str) -> str | None:
        """The extracted text with this sha256, or None."""
        try:
            with self._lock:
                row = self._db.execute("SELECT text FROM texts WHERE sha256 = ?", (sha256,)).fetchone()
            return row[0] if row else None
        except sqlite3.Error as error:
            self._note(error)
            return None

    def put_texts(self, texts: dict[str, str]) -> None:
        """Keep extracted texts by their sha256, in one transaction (noted and skipped on failure)."""
        if texts:
            self._write("INSERT OR IGNORE INTO texts VALUES (?, ?)", list(texts.items()))

    def _get_blobs(self, table: str, column: str, keys: list[str]) -> dict[str, bytes]:
        """key -> ``column`` of the rows of a key/blob ``table`` whose key is one of ``keys``, a few
        hundred keys per query; what cannot be read is left out (and noted), never raised."""
        found: dict[str, bytes] = {}
        try:
            with self._lock:
                for start in range(0, len(keys), _KEYS_PER_QUERY):
                    chunk = keys[start : start + _KEYS_PER_QUERY]
                    marks = ",".join("?" * len(chunk))
                    query = f"SELECT key, {column} FROM {table} WHERE key IN ({marks})"
                    found.update(self._db.execute(query, chunk).fetchall())
        except sqlite3.Error as error:
            self._note(error)
        return found

    def _put_blobs(self, table: str, blobs: dict[str, bytes]) -> None:
        """Insert or replace the rows of a key/blob ``table`` in one transaction (see ``_write``)."""
        if blobs:
            self._write(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", list(blobs.items()))

    def _write(self, statement: str, rows: list[tuple]) -> bool:
        """Run one statement over the rows in one transaction; False (and noted) when it failed."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(statement, rows)
                self._db.execute("COMMIT")
                return True
            except sqlite3.Error as error:
                self._rollback()
                self._note(error)
                return False
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # the failed statement may have ended it already
            self._db.execute("ROLLBACK")

    def _note(self, error: Exception) -> None:
        self.errors.append(f"{type(error).__name__}: {error}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
