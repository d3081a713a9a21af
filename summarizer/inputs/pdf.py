"""PDF reports: their text page by page, by pypdf.

A PDF has no paragraphs, only lines placed on a page: pypdf gives them one per line. ``documents``
reads one paragraph per line, so the lines of a paragraph are joined again: a line ends its paragraph
when a blank line follows, or when it ends a sentence and stops short of the page's text width (the
last line of a paragraph), or when it is a short line without end punctuation (a heading). A word cut
by a hyphen at a line end is joined without a space, its hyphen kept ('well-' 'known'). Citations
quote this text, which is what was read; long reports go through the usual windows.
"""

from __future__ import annotations

import io
import re

from summarizer.inputs.base import InputError, InputKind, SourceMeta, clean_field, normalise_date

_SENTENCE_END = re.compile(r"[.!?…:][\"”’')\]]*$")
# A line this much shorter than the page's longest line ends its paragraph when it ends a sentence.
_SHORT_LINE = 0.85
# A line without end punctuation this much shorter than the longest is a heading.
_HEADING_LINE = 0.6


def read_pdf(data: bytes) -> tuple[str, SourceMeta]:
    """The text (one paragraph a line, page after page) and metadata of a PDF; InputError when it
    has no text (a scanned document needs OCR first) or cannot be opened."""
    from pypdf import PdfReader  # here, not at the top: a run without PDFs never pays for importing it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise InputError(f"not a readable PDF ({type(error).__name__}: {error})") from None
    paragraphs = [p for page in pages for p in page_paragraphs(page)]
    if not paragraphs:
        raise InputError("no text in the PDF (a scanned document needs OCR first)")
    created = None
    if info is not None:
        try:
            created = info.creation_date
        except (ValueError, TypeError):  # a malformed date string in the metadata
            created = None
    meta = SourceMeta(
        kind=InputKind.pdf,
        title=clean_field(info.title) if info else None,
        author=clean_field(info.author) if info else None,
        date=normalise_date(created),
    )
    return "\n".join(paragraphs), meta


def page_paragraphs(page: str) -> list[str]:
    """The paragraphs of one page's extracted lines."""
    lines = [" ".join(line.split()) for line in page.replace("\r", "\n").split("\n")]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and not current.endswith(" -"):
            current += line
        else:
            current = f"{current} {line}" if current else line
        ends_sentence = _SENTENCE_END.search(line) is not None
        if (ends_sentence and len(line) < _SHORT_LINE * width) or (
            not ends_sentence and len(line) < _HEADING_LINE * width and line[:1].isupper() and current == line
        ):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
