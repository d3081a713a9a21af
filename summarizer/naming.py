"""How the brief names a source: by its outlet when the input says it ('Reuters (000)'), else by its
title, else by its file name, as before.

One helper for every place that names a source (the header, key points, figures, coverage, republished
text, the sources list, the footnotes, the review page), so that they all say the same; it reads only
the brief's ``sources``, so a saved brief renders the same names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from summarizer.documents import short_label
from summarizer.models import SourceDocument
from summarizer.vocabulary import WIRE_AGENCIES

MAX_TITLE_CHARS = 60  # a title in a source's name; the sources list gives it whole
# What a source's text was extracted from, by its kind (SourceDocument.kind).
READ_FROM = {
    "html": "a saved web page",
    "web": "the fetched page",
    "pdf": "a PDF",
    "jsonl": "a record of a collection",
    "json": "a record of a collection",
    "feed": "a feed entry",
}


def wire_agency(*names: str | None) -> str | None:
    """The news agency an outlet or author names ('Reuters', 'By The Associated Press'), or None."""
    for name in names:
        key = " ".join((name or "").lower().split()).removeprefix("by ").strip(" .")
        if key in WIRE_AGENCIES:
            return WIRE_AGENCIES[key]
    return None


@dataclass
class SourceNames:
    """The names of a brief's sources, by doc_id; a doc_id it does not know is named as it is."""

    sources: dict[str, SourceDocument] = field(default_factory=dict)

    @classmethod
    def of(cls, sources: Iterable[SourceDocument]) -> SourceNames:
        return cls({s.doc_id: s for s in sources})

    def label(self, doc_id: str) -> str:
        """The marker label ('000' in [000:L3])."""
        source = self.sources.get(doc_id)
        return (source.label if source is not None and source.label else None) or short_label(doc_id)

    def name(self, doc_id: str) -> str:
        """'Reuters (000)'; '“Hamas says …” (000)' when only the title is known; else the doc_id."""
        source = self.sources.get(doc_id)
        if source is None or not (source.outlet or source.title):
            return doc_id
        return f"{self._who(source)} ({self.label(doc_id)})"

    def short(self, doc_id: str) -> str:
        """For a narrow place (a table column): 'Reuters (000)' when the outlet is known, else the label."""
        source = self.sources.get(doc_id)
        return self.name(doc_id) if source is not None and source.outlet else self.label(doc_id)

    @staticmethod
    def is_web(url: str) -> bool:
        """A URL the review page may link to: http(s) only (never javascript: or data:)."""
        return url.lower().startswith(("http://", "https://"))

    def inline(self, doc_id: str) -> str:
        """The name inside parentheses of a sentence: 'Reuters, 000', or the doc_id."""
        source = self.sources.get(doc_id)
        if source is None or not (source.outlet or source.title):
            return doc_id
        return f"{self._who(source)}, {self.label(doc_id)}"

    def full(self, doc_id: str) -> str:
        """Outlet and whole title, for the sources list and footnotes: 'Reuters, “Hamas says …”'; ''
        when neither is known."""
        source = self.sources.get(doc_id)
        if source is None:
            return ""
        title = f"“{source.title}”" if source.title else ""
        return ", ".join(part for part in (source.outlet, title) if part)

    @staticmethod
    def read_from(kind: str | None) -> str:
        """'a saved web page', 'the fetched page', ...; '' for a text file (its text is the file)."""
        return READ_FROM.get(kind or "", "")

    def outlets(self) -> list[str]:
        """The distinct outlets of the sources, in their order."""
        return list(dict.fromkeys(s.outlet for s in self.sources.values() if s.outlet))

    def wire(self, doc_id: str) -> str | None:
        """The news agency a source is, or credits as its author."""
        source = self.sources.get(doc_id)
        return wire_agency(source.outlet, source.author) if source is not None else None

    @staticmethod
    def _who(source: SourceDocument) -> str:
        if source.outlet:
            return source.outlet
        title = source.title or ""
        short = title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
        return f"“{short}”"
