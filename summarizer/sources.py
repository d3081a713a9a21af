"""A brief's source files, read again: where a cited path is now, and its text decoded as when the
brief was made. The review page (``render_html``) and the evaluation (``evaluate``, ``devclusters``)
both check citations against it."""

from __future__ import annotations

import re
from pathlib import Path

from summarizer.documents import InputError, decode_bytes


class FileTexts:
    """Reads and decodes input files once, resolving citation paths (optionally re-based on a root)."""

    def __init__(
        self, brief_dir: Path | None = None, root: Path | None = None, source_root: str | None = None
    ):
        self.brief_dir = brief_dir
        self.root = root
        # where the brief was made, seen from its JSON's folder (Brief.source_root): a brief rendered
        # from another working directory still finds its sources
        self.source_root = source_root
        self._cache: dict[Path, str | None] = {}

    def candidates(self, path: str, doc_id: str) -> list[Path]:
        found = self._candidates(path, doc_id)
        if "\\x" not in path:
            return found
        # a name that was not UTF-8 is written '\xff' in the brief (collect.readable): its bytes too
        raw = [
            Path(re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(0xDC00 + int(m.group(1), 16)), str(p)))
            for p in found
        ]
        return [*found, *raw]

    def _candidates(self, path: str, doc_id: str) -> list[Path]:
        given = Path(path)
        if self.root is not None:
            found = [] if given.is_absolute() else [self.root / given]
            return [*found, self.root / given.name, self.root / doc_id]
        found = [given]
        if self.brief_dir is not None and not given.is_absolute():
            if self.source_root:
                found.append(self.brief_dir / self.source_root / given)
            found.append(self.brief_dir / given)
        return found

    def read(self, path: Path) -> str | None:
        if path not in self._cache:
            try:
                self._cache[path] = decode_bytes(path.read_bytes())[0]
            except (OSError, InputError):
                self._cache[path] = None
        return self._cache[path]

    def text_for(self, path: str, doc_id: str) -> str | None:
        for candidate in self.candidates(path, doc_id):
            if candidate.is_file():
                return self.read(candidate)
        return None
