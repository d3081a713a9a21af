"""Step 1 of the data flow: load input files into numbered, citable sentences.

Reads ``.txt``/``.md`` files, decodes them safely, parses YAML front matter and a leading
``date YYYY-MM-DD`` metadata line; saved web pages, URLs, feeds, article collections and PDF reports
are read by ``summarizer.inputs`` into article text, which is split here the same way. It marks
boilerplate (cookie notices, ``READ:`` cross-links, photo captions, ``Short link:``, link
widgets that scraping pasted into the middle of a sentence) so it is never cited, and splits the rest
into sentences with character offsets and line numbers.

Offsets are indices into ``Document.text`` (the decoded file, BOM removed; for any other input the
text extracted from it), so for every sentence ``document.text[sentence.start:sentence.end] ==
sentence.text``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import AnyStr

from summarizer import nlp
from summarizer.collect import Collection, InputFile, collect, readable
from summarizer.inputs import (
    FOLDER_SUFFIXES,
    TEXT_SUFFIXES,
    Article,
    Failure,
    Fetcher,
    InputError,
    InputKind,
    is_url,
    read_inputs,
    text_sha256,
)
from summarizer.inputs.frontmatter import split_front_matter

# What a folder is searched for (recursively, collect.py): text articles and the inputs
# ``summarizer.inputs`` reads (saved pages, PDFs, collections, feeds).
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *FOLDER_SUFFIXES)
# Articles longer than this are cut so one huge file cannot stall a run: the brief says how much was
# read and is incomplete (exit 1). Not windowed whole: a file this long is rarely one article (README,
# "Your files").
MAX_CHARS = 200_000
# At most this much of a file is read into memory (enough for MAX_CHARS characters in any encoding);
# the rest is only hashed, so a multi-gigabyte file dropped in by mistake costs a hash, not the RAM.
MAX_READ_BYTES = 4 * MAX_CHARS + 4


@dataclass(frozen=True)
class Sentence:
    id: int  # 1-based within the document, the number the model sees as [id]
    start: int
    end: int
    line: int  # 1-based line of ``start``
    text: str
    boilerplate: str | None = None  # why it is not citable, or None
    # When a pasted link widget cut a sentence in two, the article text before the cut: the rules and
    # the model read ``lead + text`` (who said it is often in the lead) while citations quote ``text``.
    lead: str = ""

    @property
    def citable(self) -> bool:
        return self.boilerplate is None

    @property
    def analysis_text(self) -> str:
        """The sentence as the analysis should read it: with its lead, if a widget cut it."""
        return f"{self.lead} {self.text}" if self.lead else self.text


@dataclass(frozen=True)
class Cut:
    """How much of an over-long file was read (the rest is not in the brief)."""

    kept_characters: int
    kept_bytes: int  # about: the kept text's length in UTF-8
    file_bytes: int


@dataclass
class Document:
    doc_id: str  # the file name, or the shortest path suffix that is unique in the run (collect.py)
    label: str  # short label for citation markers, e.g. "001"
    path: str
    text: str
    sha256: str
    date: str | None
    sentences: list[Sentence]
    warnings: list[str] = field(default_factory=list)
    # What the input says about itself (front matter, page metadata, a collection's fields).
    kind: InputKind = InputKind.text
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    part: int | None = None  # line, item or entry number inside a collection or feed
    cut: Cut | None = None  # the input was longer than MAX_CHARS: only its first part was read
    copies: list[str] = field(default_factory=list)  # inputs with the same bytes (or text), not read again

    def sentence(self, sentence_id: int) -> Sentence:
        return self.sentences[sentence_id - 1]

    @property
    def citable_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if s.citable]


@dataclass
class LoadResult:
    documents: list[Document]
    failed: list[tuple[str, str]]  # (path, reason)
    notices: list[str]  # non-fatal, e.g. duplicates skipped
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): not articles (our briefs)


# ---------------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------------

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip archive",
    b"PK\x03\x04": "a zip archive (docx/xlsx/...)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}


def decode_bytes(raw: bytes) -> tuple[str, list[str]]:
    """Decode article bytes; raise InputError for binary content. Returns (text, warnings)."""
    for signature, what in _BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            raise InputError(f"not a text article: it is {what}")
    warnings: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as error:
            text = raw.decode("utf-16", errors="replace")
            warnings.append(f"not valid UTF-16 (byte {error.start}); bad characters replaced")
    else:
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if (nul := raw.find(b"\x00")) >= 0:  # anywhere, not only in the first block
            raise InputError(f"not a text article: it contains NUL bytes (binary data) at byte {nul:,}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            # Most non-UTF-8 news text is Windows-1252; keep going but say so.
            text = raw.decode("cp1252", errors="replace")
            warnings.append(f"not valid UTF-8 (byte {error.start}); decoded as Windows-1252")
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if text and control / min(len(text), 4096) > 0.05:
        raise InputError("not a text article: too many control characters (binary data)")
    # Normalise newlines so line numbers and offsets agree with what editors show.
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


# ---------------------------------------------------------------------------------------------------
# Boilerplate
# ---------------------------------------------------------------------------------------------------

_BOILERPLATE_RULES: list[tuple[str, re.Pattern[str]]] = [
    # A cookie banner speaks to the reader ("your experience", "you consent", "we use cookies"); an
    # article about cookies (a privacy ruling) does not, and must stay citable.
    (
        "cookie",
        re.compile(
            # Anchored: the lookaheads scan the paragraph once, not once per start position.
            r"^(?=.*\bcookies?\b)(?=.*\b(?:you|your|we use|our (?:web)?site|this (?:web)?site|"
            r"cookie (?:policy|settings|preferences))\b)",
            re.I | re.S,
        ),
    ),
    ("cross_link", re.compile(r"^\s*(READ|READ MORE|ALSO READ|RELATED|SEE ALSO|WATCH|LISTEN)\s*:", re.I)),
    ("short_link", re.compile(r"^\s*Short\s*link\s*:", re.I)),
    (
        "caption",
        re.compile(
            r"(\b(Photo|Image|Picture|Credit|Photograph)s?\s*:\s*\S"
            r"|/\s*(Handout|File Photo|Pool)\b"
            r"|\bvia (REUTERS|Reuters|AP|AFP|Getty Images)\s*$"
            r"|\bhandout (image|photo|picture)\b"
            r"|\((Photo|Image)( by)?[^)]*\)\s*$)"
            # A credit that opens a caption: 'Yuri Gripas / Reuters President Trump unveiled ...',
            # 'AP Photo/Evan Vucci'. A photographer's name, a slash, a picture agency.
            r"|^\s*(?:[A-Z][\w.'’-]+\s+){1,3}/\s*(?:Reuters|REUTERS|AP|AFP|Getty Images|Bloomberg|EPA"
            r"|Pool|Shutterstock|NurPhoto|Sipa|SOPA Images|Anadolu)\b"
            r"|\bAP Photo\s*/",
        ),
    ),
    (
        "promo",
        re.compile(
            r"^\s*(Subscribe|Sign up|Follow us|Click here|Advertisement|Share this|All rights reserved"
            r"|Copyright|Download our app)\b",
            re.I,
        ),
    ),
]


# Some sites put a "more about this person" widget after a name; scraped, it lands inside the sentence:
# "Secretary Pete Buttigieg Pete ButtigiegDo progressives prefer ...? <headline> <headline> MORE on
# Sunday said ...". Its signature: the surname just mentioned, repeated and glued to the first
# headline's capital, then headlines (across line breaks) up to a capitalised "MORE".
_GLUED_NAME = re.compile(r"(?<![\w’'])([A-Z][a-z’'\-]+)(?=[A-Z0-9“‘\"'])")
_WIDGET_END = re.compile(r"(?<![A-Za-z])MORE(?![A-Za-z])")
_WIDGET_MAX_CHARS = 700  # from the glued name to "MORE"; the widgets hold three short headlines
_NAME_WINDOW = 80  # how far before the glued name the article's own mention of the surname may be


def find_injected_links(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of link widgets pasted into the article text, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    for glued in _GLUED_NAME.finditer(text):
        if spans and glued.start() < spans[-1][1]:
            continue
        surname = glued.group(1)
        window_start = max(0, glued.start() - _NAME_WINDOW)
        mentions = list(re.finditer(rf"\b{re.escape(surname)}\b(?=\s)", text[window_start : glued.start()]))
        if not mentions:  # cheap test first: most glued capitals ("McDonald") are names, not widgets
            continue
        end = _WIDGET_END.search(text, glued.end(), glued.end() + _WIDGET_MAX_CHARS)
        if end is None:
            continue
        # The widget starts after the article's own mention of the name ("Pete Buttigieg |Pete Butt...").
        after_mention = window_start + mentions[-1].end()
        start = after_mention + len(text[after_mention:]) - len(text[after_mention:].lstrip())
        spans.append((start, end.end()))
    return spans


def boilerplate_kind(paragraph: str) -> str | None:
    """Why a paragraph is boilerplate (never cited), or None for article text."""
    for kind, pattern in _BOILERPLATE_RULES:
        if pattern.search(paragraph):
            return kind
    return None


# ---------------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------------

_METADATA_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
# A sentence ends with end punctuation, optionally followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
# A "sentence" longer than this (a table flattened to one line, text without full stops) is split at
# spaces: real news sentences are far shorter, and the steps after this one cost more than linear time
# in a sentence's length.
MAX_SENTENCE_CHARS = 1_000


def split_sentences(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in one paragraph, whitespace trimmed."""
    return split_paragraphs([paragraph])[0]


def split_paragraphs(paragraphs: list[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans of each paragraph, from the NLP pipeline's sentence recogniser.

    The recogniser is right where a hand-written abbreviation list was not ("He said no. The
    delegation left.", "U.S.", "Jan. 5"), but on news prose it also cuts inside a sentence, before a
    quote or a name, where no punctuation ends anything (measured on the seeds and dev clusters). A
    cut is therefore kept only after end punctuation; the other cuts are joined again."""
    result = []
    for paragraph, spans in zip(paragraphs, nlp.split(paragraphs), strict=True):
        joined: list[tuple[int, int]] = []
        for start, end in spans:
            if joined and not _SENTENCE_END.search(paragraph[joined[-1][0] : joined[-1][1]].rstrip()):
                joined[-1] = (joined[-1][0], end)
            else:
                joined.append((start, end))
        trimmed = []
        for span_start, span_end in _bounded(paragraph, joined or [(0, len(paragraph))]):
            chunk = paragraph[span_start:span_end]
            left = len(chunk) - len(chunk.lstrip())
            right = len(chunk.rstrip())
            if right > left:
                trimmed.append((span_start + left, span_start + right))
        result.append(trimmed)
    return result


def _bounded(paragraph: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split spans longer than MAX_SENTENCE_CHARS at the last space before the limit (or at it)."""
    bounded = []
    for start, end in spans:
        while end - start > MAX_SENTENCE_CHARS:
            limit = start + MAX_SENTENCE_CHARS
            space = paragraph.rfind(" ", start + MAX_SENTENCE_CHARS // 2, limit)
            cut = space if space > start else limit
            bounded.append((start, cut))
            start = cut
        bounded.append((start, end))
    return bounded


def _pieces(body_start: int, body_end: int, widgets: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """The line ``[body_start, body_end)`` cut at the widgets: (start, end, is_widget), absolute."""
    pieces: list[tuple[int, int, bool]] = []
    position = body_start
    for start, end in widgets:
        if end <= body_start or start >= body_end:
            continue
        if start > position:
            pieces.append((position, start, False))
        pieces.append((max(start, body_start), min(end, body_end), True))
        position = min(end, body_end)
    if position < body_end:
        pieces.append((position, body_end, False))
    return pieces


def build_sentences(text: str, start: int = 0) -> tuple[list[Sentence], str | None]:
    """Split a decoded file into sentences (one paragraph = one line). Returns (sentences, date).
    ``start``: where the article begins (after front matter); the lines before it are not read."""
    date: str | None = None
    widgets = find_injected_links(text)
    pieces: list[tuple[int, int, int, bool]] = []  # line number, start, end, is_widget
    offset = 0
    body_lines = 0  # lines of the article so far: the date line is one of its first three
    for line_number, line in enumerate(text.split("\n"), start=1):
        line_start = offset
        offset += len(line) + 1
        if line_start < start:
            continue
        body_lines += 1
        body_start = 0
        if body_lines <= 3 and date is None:
            metadata = _METADATA_LINE.match(line)
            if metadata:
                date = metadata.group(1)
                body_start = metadata.end()
        if not line[body_start:].strip():
            continue
        for start, end, is_widget in _pieces(line_start + body_start, line_start + len(line), widgets):
            pieces.append((line_number, start, end, is_widget))
    # One batch through the sentence recogniser: far faster than a call per paragraph.
    spans_of = split_paragraphs([text[start:end] for _, start, end, _ in pieces])
    sentences: list[Sentence] = []
    lead = ""  # article text a widget cut off from the sentence that continues after it
    for (line_number, piece_start, piece_end, is_widget), spans in zip(pieces, spans_of, strict=True):
        piece = text[piece_start:piece_end]
        kind = "injected_link" if is_widget else boilerplate_kind(piece)
        if is_widget and sentences and sentences[-1].citable and not lead:
            last = sentences[-1]
            if not _SENTENCE_END.search(last.text):  # the widget cut this sentence
                lead = last.analysis_text
        for start, end in spans:
            sentences.append(
                Sentence(
                    id=len(sentences) + 1,
                    start=piece_start + start,
                    end=piece_start + end,
                    line=line_number,
                    text=piece[start:end],
                    boilerplate=kind,
                    lead=lead if kind is None else "",
                )
            )
            if kind is None:
                lead = ""
    return sentences, date


# ---------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------


def short_label(doc_id: str) -> str:
    """Marker label: a leading number ('001_abc.txt' -> '001') or the stem ('politico.txt'); for an id
    that needs its folders to be unique ('A/article.txt'), those folders too ('A/article')."""
    *folders, name = doc_id.split("/")
    stem = Path(name).stem
    digits = re.match(r"^(\d+)", stem)
    label = digits.group(1) if digits else stem[:16]
    return "/".join([*(folder[:16] for folder in folders), label])


def _read_head(path: Path) -> tuple[bytes, str, int, int | None]:
    """The first MAX_READ_BYTES + 1 bytes of a file, the sha256 and size of all of it, and where the
    part that is only hashed holds a NUL byte (None: nowhere), so binary data is recognised anywhere."""
    digest = hashlib.sha256()
    nul: int | None = None
    with path.open("rb") as stream:
        head = stream.read(MAX_READ_BYTES + 1)
        digest.update(head)
        size = len(head)
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            if nul is None and (at := chunk.find(b"\x00")) >= 0:
                nul = size + at
            size += len(chunk)
    return head, digest.hexdigest(), size, nul


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None  # load_document says why
    return digest.hexdigest()


def _cut_point(data: AnyStr, separators: tuple[AnyStr, ...], limit: int) -> int:
    """Where to cut ``data`` to at most ``limit``: after the last of the first separator that keeps
    at least half of it. Line end first; a file written as one long line (after a title or a date
    line) has none late enough, and cutting there once kept only the date: "no text in the file".
    The separator's last character (a line end, a space) is not kept."""
    for separator in separators:
        cut = data.rfind(separator, 0, limit)
        if cut >= limit // 2:
            return cut + len(separator) - 1
    return limit


def load_document(path: Path, display_path: str | None = None, doc_id: str | None = None) -> Document:
    """Read and split one file; raise InputError if it cannot be used. ``doc_id``: the id the run gave
    it (collect.unique_ids), else its file name."""
    try:
        raw, sha256, size, nul = _read_head(path)
    except FileNotFoundError as error:
        raise InputError("file not found") from error
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from error
    if not raw.strip():
        raise InputError("empty file")
    if nul is not None and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 is full of NULs
        raise InputError(f"not a text article: it contains NUL bytes (binary data) at byte {nul:,}")
    cut_bytes = len(raw) > MAX_READ_BYTES
    if cut_bytes:  # cut at a line end or a space, never inside a character
        raw = raw[: _cut_point(raw, (b"\n", b". ", b" "), MAX_READ_BYTES)]
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and len(raw) % 2:
            raw = raw[:-1]
    text, warnings = decode_bytes(raw)
    cut: Cut | None = None
    if len(text) > MAX_CHARS or cut_bytes:
        if len(text) > MAX_CHARS:
            text = text[: _cut_point(text, ("\n", ". ", " "), MAX_CHARS)]
        cut = Cut(len(text), min(size, len(text.encode("utf-8", errors="replace"))), size)
        warnings.append(_cut_warning(len(text), cut.kept_bytes / size, "the file"))
    meta, body_start, problem = split_front_matter(text)
    warnings += [problem] if problem else []
    sentences, date = _checked_sentences(text, body_start)
    return Document(
        doc_id=doc_id or path.name,
        label=short_label(doc_id or path.name),
        path=display_path or str(path),
        text=text,
        sha256=sha256,
        date=meta.get("date") or date,
        sentences=sentences,
        warnings=warnings,
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        author=meta.get("author"),
        url=meta.get("url"),
        cut=cut,
    )


def _cut_warning(kept_characters: int, share: float, what: str) -> str:
    return (
        f"longer than {MAX_CHARS:,} characters; only the first part is used ({kept_characters:,} "
        f"characters, about {share:.0%} of {what}): the brief is incomplete"
    )


def _checked_sentences(text: str, start: int = 0) -> tuple[list[Sentence], str | None]:
    sentences, date = build_sentences(text, start)
    if not sentences:
        raise InputError("no text in the file")
    if not any(s.citable for s in sentences):
        raise InputError("only boilerplate (cookie notices, links, captions); nothing to cite")
    return sentences, date


def document_from_article(article: Article, label: str | None = None) -> Document:
    """A document of an article read by ``summarizer.inputs`` (a page, a record, a PDF): its
    sentences index the extracted text, and its sha256 is that text's (what citations quote). An
    over-long text is cut as a file is, and the cut recorded (in UTF-8 bytes of the extracted text)."""
    text = article.text
    warnings = list(article.warnings)
    cut: Cut | None = None
    if len(text) > MAX_CHARS:
        text = text[: _cut_point(text, ("\n", ". ", " "), MAX_CHARS)]
        whole = len(article.text.encode("utf-8", errors="replace"))
        cut = Cut(len(text), len(text.encode("utf-8", errors="replace")), whole)
        warnings.append(_cut_warning(len(text), cut.kept_bytes / max(whole, 1), "the extracted text"))
    sentences, date = _checked_sentences(text)
    meta = article.meta
    return Document(
        doc_id=article.doc_id,
        label=label or short_label(article.doc_id),
        path=article.path,
        text=text,
        sha256=text_sha256(text),
        date=meta.date or date,
        sentences=sentences,
        warnings=warnings,
        kind=meta.kind,
        title=meta.title,
        outlet=meta.outlet,
        author=meta.author,
        url=meta.url,
        part=article.part,
        cut=cut,
    )


@dataclass
class Inputs(Collection):
    """What a run reads: ``collect``'s files (each with its unique id, our own briefs skipped) and the
    URLs given with them, in the order given (``order``)."""

    order: list[InputFile | str] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [item for item in self.order if isinstance(item, str)]


def collect_inputs(inputs: Sequence[Path | str] | Collection) -> Inputs:
    """The files to read (folders recursively, for text articles and every kind ``summarizer.inputs``
    reads; our own briefs left out; each with its unique id) and the URLs, in the order given; raise
    InputError for a missing path or a folder with no article."""
    if isinstance(inputs, Inputs):
        return inputs
    if isinstance(inputs, Collection):  # files only, already collected
        return Inputs(**vars(inputs), order=list(inputs.files))
    items = [item.strip() if is_url(item) else Path(item) for item in inputs]
    paths = [item for item in items if isinstance(item, Path)]
    found = collect(paths, SUPPORTED_SUFFIXES)
    if found.missing:
        raise InputError(f"{readable(found.missing[0])}: no such file or folder")
    if found.devices:
        raise InputError(f"{readable(found.devices[0])}: a device, not a file or folder of articles")
    if found.empty:
        others = ", ".join(FOLDER_SUFFIXES)
        raise InputError(
            f"{readable(found.empty[0])}: no .txt or .md articles in this folder (nor {others} files)"
        )
    if not found.files and found.skipped and len(paths) == len(items):
        raise InputError(f"{found.skipped[0][0]}: {found.skipped[0][1]}; no article to read")
    # collect keeps the inputs' order: the files of each given path follow one another
    order: list[InputFile | str] = []
    files = iter(found.files)
    pending = next(files, None)
    for item in items:
        if isinstance(item, str):
            order.append(item)
            continue
        while pending is not None and (pending.path == item or pending.path.is_relative_to(item)):
            order.append(pending)
            pending = next(files, None)
    while pending is not None:  # never left over; kept rather than lost if it were
        order.append(pending)
        pending = next(files, None)
    return Inputs(**vars(found), order=order)


def collect_paths(inputs: list[Path]) -> list[Path]:
    """Expand folders into their article files, recursively and sorted; raise InputError for a
    missing path."""
    return collect_inputs(inputs).paths


def load_documents(
    inputs: Sequence[Path | str] | Collection, *, fetcher: Fetcher | None = None
) -> LoadResult:
    """Load every article of the inputs (files, folders, URLs; or what ``collect_inputs`` found), in
    order. What cannot be read is reported in ``failed``; copies (the same bytes, or for a page or a
    record the same text) in ``notices`` and on the document they copy (``Document.copies``); our own
    briefs in ``skipped``. URLs are fetched through ``fetcher`` (one without a store when None)."""
    found = collect_inputs(inputs)
    result = LoadResult(documents=[], failed=[], notices=[], skipped=list(found.skipped))
    by_path = {item.path: item for item in found.files}
    by_name = {str(item.path): item for item in found.files}
    items: list[Path | str] = [item if isinstance(item, str) else item.path for item in found.order]
    originals: dict[str, tuple[Document, str]] = {}  # sha256 -> the document, and where it was read
    used_labels: set[str] = set()
    for entry in read_inputs(items, fetcher, result.notices):
        if isinstance(entry, Failure):
            file = by_name.get(entry.path)
            result.failed.append((file.shown if file is not None else entry.path, entry.reason))
            continue
        if isinstance(entry, Path):
            file = by_path[entry]
            where = file.shown
            # a copy is known by its hash before it is split into sentences: 300 copies cost 300 hashes
            sha256 = _sha256(entry)
        else:
            entry = _with_unique_id(entry, by_name.get(entry.path))
            where = entry.where  # as the user knows it: a path, 'file.jsonl line 3', a URL
            sha256 = entry.sha256
        if sha256 is not None and sha256 in originals:
            original, read_at = originals[sha256]
            if read_at == where:  # one URL given twice
                result.notices.append(f"{where}: given more than once; read once")
            else:
                result.notices.append(f"{where}: same content as {read_at}; skipped")
                original.copies.append(where)
            continue
        try:
            if isinstance(entry, Path):
                document = load_document(entry, display_path=where, doc_id=file.doc_id)
            else:  # a URL or a collection's record has no file name to label it: its position does
                named = entry.part is None and entry.meta.kind in (InputKind.html, InputKind.pdf)
                document = document_from_article(entry, None if named else f"{len(result.documents):03d}")
        except InputError as error:
            result.failed.append((where, str(error)))
            continue
        originals[document.sha256] = (document, where)
        if document.label in used_labels:  # keep markers unique
            document.label = f"{document.label}~{len(used_labels)}"
        used_labels.add(document.label)
        result.documents.append(document)
    return result


def _with_unique_id(article: Article, file: InputFile | None) -> Article:
    """An article of a file, named by the file's unique id ('A/page.html', 'B/news.jsonl#3') and
    shown path, as a text file is; an article of a URL as it is."""
    if file is None:
        return article
    name = file.path.name
    doc_id = article.doc_id
    if doc_id == name or doc_id.startswith(f"{name}#"):
        doc_id = file.doc_id + doc_id[len(name) :]
    return replace(article, doc_id=doc_id, path=file.shown)
