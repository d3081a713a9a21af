"""A brief's sources, read again so that the brief can be checked against the very text it read: the
review page (``render_html``) and the evaluation (``evaluate``, ``devclusters``) check citations
against it.

A text file (kind ``text``, and every source of a brief made before kinds existed) is read again from
its path, or under ``--root``, decoded as when the brief was made, and trusted only if its sha256 is
the brief's. Every other source quotes the text extracted from its input, which the brief names by
that text's sha256: it is taken from the cache (where ``brief`` kept it), else extracted again from
its file (a saved page, a PDF, a collection's record) and trusted only if the extraction has the same
sha256. A URL is never fetched again: what the page says now is not what was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from summarizer.documents import Document, decode_bytes, document_from_article, load_document
from summarizer.inputs import Article, InputError, InputKind, SourceMeta, is_url
from summarizer.inputs.read import read_file
from summarizer.models import SourceDocument


class TextStore(Protocol):
    """Where extracted texts are kept by their sha256 (``cache.ExtractionCache``)."""

    def get_text(self, sha256: str) -> str | None: ...


class KeptTexts(dict[str, str]):
    """Texts by sha256 held in memory: the documents of the run that writes the page."""

    def get_text(self, sha256: str) -> str | None:
        return self.get(sha256)


@dataclass
class Reread:
    """A source read again: its document when it is the very text the brief read."""

    document: Document | None
    status: str  # "ok", "changed" or "missing"
    note: str = ""


def candidate_paths(
    path: str,
    doc_id: str,
    brief_dir: Path | None = None,
    root: Path | None = None,
    source_root: str | None = None,
) -> list[Path]:
    """Where a source's file may be: its path as written (also relative to where the brief was made,
    ``source_root`` seen from the brief's folder, and to the brief's folder), or, under ``root``, its
    relative path, file name or doc_id there."""
    found = _given_paths(path, doc_id, brief_dir, root, source_root)
    if "\\x" not in path:
        return found
    # a name that was not UTF-8 is written '\xff' in the brief (collect.readable): its bytes too
    raw = [
        Path(re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(0xDC00 + int(m.group(1), 16)), str(p))) for p in found
    ]
    return [*found, *raw]


def _given_paths(
    path: str, doc_id: str, brief_dir: Path | None, root: Path | None, source_root: str | None
) -> list[Path]:
    given = Path(path)
    if root is not None:
        found = [] if given.is_absolute() else [root / given]
        return [*found, root / given.name, root / doc_id]
    found = [given]
    if brief_dir is not None and not given.is_absolute():
        if source_root:
            found.append(brief_dir / source_root / given)
        found.append(brief_dir / given)
    return found


def reread_source(
    source: SourceDocument,
    *,
    brief_dir: Path | None = None,
    root: Path | None = None,
    source_root: str | None = None,
    texts: TextStore | None = None,
) -> Reread:
    """The source's text as the brief read it, or why it cannot be had; never raises.
    ``source_root``: where the brief was made, seen from ``brief_dir`` (``Brief.source_root``)."""
    candidates = candidate_paths(source.path, source.doc_id, brief_dir, root, source_root)
    if source.kind in (None, InputKind.text):
        return _reread_file(source, candidates)
    kept = texts.get_text(source.sha256) if texts is not None else None
    if kept is not None:
        return Reread(_document(source, kept), "ok")
    if is_url(source.path):
        return Reread(
            None,
            "missing",
            f"{source.path}: the text read from this page is not in the cache (the brief was made with "
            "--no-cache, or with another --cache file)",
        )
    problem = "not found"
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            articles = [a for a in read_file(candidate, []) if isinstance(a, Article)]
            article = next((a for a in articles if a.part == source.part), None)
            if article is None:
                problem = f"has no record {source.part}" if source.part is not None else "has no article text"
                continue
            document = _document(source, article.text)  # cut as the brief cut it, then hashed
        except InputError as error:
            problem = f"unreadable ({error})"
            continue
        if document.sha256 != source.sha256:
            return Reread(
                None,
                "changed",
                f"{candidate} reads differently now (sha256 {document.sha256[:12]} of the text, the brief "
                f"read {source.sha256[:12]}): the file changed since the brief, or the extractor did",
            )
        return Reread(document, "ok")
    return Reread(None, "missing", f"{source.path}: {problem}, and its text is not in the cache")


def _reread_file(source: SourceDocument, candidates: list[Path]) -> Reread:
    """A text file: the first readable candidate, unless a later one is the very file the brief read."""
    document: Document | None = None
    problem = "not found"
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            loaded = load_document(candidate)
        except InputError as error:
            problem = f"unreadable ({error})"
            continue
        if document is None or loaded.sha256 == source.sha256:
            document = loaded
        if loaded.sha256 == source.sha256:
            break
    if document is None:
        return Reread(None, "missing", f"{source.path}: {problem}")
    if document.sha256 != source.sha256:
        return Reread(
            None,
            "changed",
            f"{document.path} changed since the brief was made (sha256 {document.sha256[:12]}, "
            f"the brief read {source.sha256[:12]})",
        )
    return Reread(document, "ok")


def _document(source: SourceDocument, text: str) -> Document:
    """The document of a kept or re-extracted text, split as ``brief`` split it."""
    meta = SourceMeta(kind=InputKind(source.kind or InputKind.text), title=source.title, outlet=source.outlet)
    article = Article(doc_id=source.doc_id, path=source.path, text=text, meta=meta, part=source.part)
    return document_from_article(article, source.label)


class FileTexts:
    """Reads and decodes input files once, resolving citation paths (optionally re-based on a root);
    the text of a source that is not a text file (a page, a PDF, a record) is the text extracted from
    it, from ``texts`` (the cache) or extracted again (``reread_source``)."""

    def __init__(
        self,
        brief_dir: Path | None = None,
        root: Path | None = None,
        source_root: str | None = None,
        texts: TextStore | None = None,
    ):
        self.brief_dir = brief_dir
        self.root = root
        # where the brief was made, seen from its JSON's folder (Brief.source_root): a brief rendered
        # from another working directory still finds its sources
        self.source_root = source_root
        self.texts = texts
        self._cache: dict[Path, str | None] = {}
        self._extracted: dict[str, str | None] = {}

    def candidates(self, path: str, doc_id: str) -> list[Path]:
        return candidate_paths(path, doc_id, self.brief_dir, self.root, self.source_root)

    def source_text(self, source: SourceDocument) -> str | None:
        """The text a source's citations index, when it is the very text the brief read."""
        if source.kind in (None, InputKind.text):
            return self.text_for(source.path, source.doc_id)
        if source.sha256 not in self._extracted:
            read = reread_source(
                source,
                brief_dir=self.brief_dir,
                root=self.root,
                source_root=self.source_root,
                texts=self.texts,
            )
            self._extracted[source.sha256] = read.document.text if read.document is not None else None
        return self._extracted[source.sha256]

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
