"""The review page: one self-contained HTML file where every item of the brief opens its sources.

Rendered from the same ``Brief`` as the Markdown and the JSON. The left pane is the brief, section by
section; the right pane holds the source documents, one element per sentence (``d<doc>-s<sentence>``)
with its line, boilerplate greyed and labelled. Every clickable item carries ``data-cites`` (the
sentence elements it cites) and ``data-marks`` (figure values inside them); the inline script does the
highlighting, the URL fragment and the claim filters.

The documents are re-read from the paths the brief names (a saved brief.json holds only citations),
split exactly as ``documents`` does and checked against the brief's sha256; a web page's text comes
from the cache, where ``brief`` kept it (``sources``). A file that is missing or changed is not
trusted: its box shows only the sentences the brief quotes, with a note.

Safety: Jinja2 autoescapes every value from a document or a model; the only unescaped text is this
package's own CSS and JS. A Content-Security-Policy allows no network at all and only the page's own
script (by hash).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from summarizer.display import html_offset, visible
from summarizer.documents import Document
from summarizer.models import (
    Brief,
    Citation,
    FigureValue,
    Grounded,
    SourceDocument,
    SupportLevel,
    all_citations,
)
from summarizer.naming import SourceNames
from summarizer.sources import TextStore, reread_source

_TEMPLATES = resources.files("summarizer") / "templates"
_SUPPORT_ORDER = [SupportLevel.unsupported, SupportLevel.weak, SupportLevel.strong]


@dataclass
class SentenceView:
    element_id: str
    line: int
    text: str
    boilerplate: str | None = None
    label: bool = False  # show the boilerplate kind before it (first sentence of its kind on the line)


@dataclass
class LineView:
    number: int
    # (text, sentence or None): the line as runs of sentence text and the text between sentences
    pieces: list[tuple[str, SentenceView | None]]


@dataclass
class SourceView:
    """One source document as the right pane shows it."""

    index: int
    source: SourceDocument
    status: str  # "ok", "changed" or "missing"
    note: str = ""
    lines: list[LineView] = field(default_factory=list)
    # sentence start offsets and views, for resolving a citation by position
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    views: list[SentenceView] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"doc-d{self.index}"


@dataclass
class Item:
    """A clickable item of the brief: its id (for the fragment) and what it highlights."""

    id: str
    cites: str
    marks: str
    markers: list[str]  # the citations' markers ('001:L12'), shown as in the Markdown and in print


def load_sources(
    brief: Brief, *, brief_dir: Path | None = None, root: Path | None = None, texts: TextStore | None = None
) -> list[SourceView]:
    """Re-read every source of the brief (a web page's text from ``texts``, the cache); a missing or
    changed one gets a note, never an exception."""
    views = []
    for index, source in enumerate(brief.sources):
        read = reread_source(
            source, brief_dir=brief_dir, root=root, source_root=brief.source_root, texts=texts
        )
        view = SourceView(index, source, read.status, read.note)
        if read.document is not None:
            _fill_from_document(view, read.document)
        views.append(view)
    _fill_untrusted(views, brief)
    return views


def _fill_from_document(view: SourceView, document: Document) -> None:
    previous = None
    for sentence in document.sentences:
        sentence_view = SentenceView(
            f"d{view.index}-s{sentence.id}", sentence.line, sentence.text, sentence.boilerplate
        )
        sentence_view.label = bool(sentence.boilerplate) and (
            previous is None or previous.line != sentence.line or previous.boilerplate != sentence.boilerplate
        )
        previous = sentence
        view.starts.append(sentence.start)
        view.ends.append(sentence.end)
        view.views.append(sentence_view)
    offset = 0
    positions = iter(zip(view.starts, view.views, strict=True))
    pending = next(positions, None)
    for number, line in enumerate(document.text.split("\n"), start=1):
        line_start, offset = offset, offset + len(line) + 1
        pieces: list[tuple[str, SentenceView | None]] = []
        at = line_start
        while pending is not None and pending[1].line == number:
            start, sentence_view = pending
            if start > at:
                pieces.append((document.text[at:start], None))
            pieces.append((sentence_view.text, sentence_view))
            at = start + len(sentence_view.text)
            pending = next(positions, None)
        if at < line_start + len(line):
            pieces.append((document.text[at : line_start + len(line)], None))
        if pieces:
            view.lines.append(LineView(number, pieces))


def _fill_untrusted(views: list[SourceView], brief: Brief) -> None:
    """For a missing or changed file, the sentences the brief quotes (they are all it can vouch for)."""
    untrusted = {v.source.doc_id: v for v in views if v.status != "ok"}
    if not untrusted:
        return
    quoted: dict[str, dict[tuple[int, int], Citation]] = {}
    for citation in all_citations(brief):
        if citation.doc_id in untrusted:
            quoted.setdefault(citation.doc_id, {}).setdefault((citation.start, citation.end), citation)
    for doc_id, view in untrusted.items():
        for (start, end), citation in sorted(quoted.get(doc_id, {}).items()):
            if view.starts and view.ends[-1] > start:  # overlaps the quote before: one element each
                continue
            # numbered by offset: a changed split could give two quotes the same sentence number
            sentence_view = SentenceView(f"d{view.index}-o{start}", citation.line, citation.text)
            view.starts.append(start)
            view.ends.append(end)
            view.views.append(sentence_view)
            view.lines.append(LineView(citation.line, [(citation.text, sentence_view)]))


class Page:
    """What the template calls to turn brief items into clickable items with unique ids."""

    def __init__(self, brief: Brief, sources: list[SourceView]):
        self.brief = brief
        self.sources = sources
        self.by_doc = {v.source.doc_id: v for v in sources}
        self._ids: set[str] = set()
        # citations no sentence element holds (only when the splitting code changed since the brief)
        self.unresolved = [c for c in dict.fromkeys(all_citations(brief)) if self.sentence_for(c) is None]
        # (kind, ref) -> badge for the items --since found new, changed or carried by more sources
        self.marks: dict[tuple[str, str], str] = {}
        if brief.since is not None:
            for more in brief.since.more_sources:
                self.marks[(more.kind.value, more.ref)] = "more sources"
            for change in brief.since.figures_changed:
                self.marks[("figure", change.ref)] = "changed"
            for new in brief.since.new:
                self.marks[(new.kind.value, new.ref)] = "new"

    @staticmethod
    def is_id(ref: str) -> bool:
        """An item id the page has an element for ('C3', 'Q1', 'F2', 'P1'); a party's ref is its name."""
        return re.fullmatch(r"[CQFP]\d+", ref) is not None

    def badge(self, kind: str, ref: str) -> str:
        """'new', 'changed', 'more sources' or '' for an item of the brief (the template shows it)."""
        return self.marks.get((kind, ref), "")

    def sentence_for(self, citation: Citation) -> tuple[SentenceView, int] | None:
        """The sentence element holding a citation, and the citation's offset inside it."""
        view = self.by_doc.get(citation.doc_id)
        if view is None:
            return None
        at = bisect.bisect_right(view.starts, citation.start) - 1
        if at < 0 or citation.end > view.ends[at]:
            return None
        return view.views[at], citation.start - view.starts[at]

    def item(
        self,
        section: str,
        number: int,
        citations: Iterable[Citation],
        given_id: str = "",
        figures: Iterable[FigureValue] = (),
    ) -> Item:
        """Register an item: its id is the brief's own ('C3', 'Q1') or ``section-number`` for briefs
        without ids; a repeated id gets a suffix so a fragment always selects one item."""
        item_id = given_id.strip() or f"{section}-{number}"
        unique, extra = item_id, 1
        while unique in self._ids:
            extra += 1
            unique = f"{item_id}~{extra}"
        self._ids.add(unique)
        cites: list[str] = []
        markers: list[str] = []
        for citation in dict.fromkeys(citations):
            found = self.sentence_for(citation)
            if found is not None and found[0].element_id not in cites:
                cites.append(found[0].element_id)
            markers.append(citation.marker)
        marks = []
        for value in figures:
            found = self.sentence_for(value.citation)
            span = figure_span(value.text, value.citation.text)
            if found is not None and span is not None:
                sentence_view, offset = found
                # offsets into the text as the page shows it (controls made visible), in UTF-16 units
                start, end = (html_offset(sentence_view.text, offset + at) for at in span)
                marks.append(f"{sentence_view.element_id}:{start}:{end}")
        return Item(unique, " ".join(cites), " ".join(marks), list(dict.fromkeys(markers)))

    @staticmethod
    def weakest(items: Iterable[Grounded]) -> str:
        """The weakest support among items, as the Markdown flags a claim group."""
        levels = {item.support for item in items}
        return next((level.value for level in _SUPPORT_ORDER if level in levels), "strong")

    @staticmethod
    def skipped(source: SourceDocument) -> list[str]:
        """'L4 caption' once per line and kind, as the Markdown lists them (a paragraph may hold several)."""
        return list(dict.fromkeys(f"L{s.line} {s.kind}" for s in source.skipped))

    def source_index(self, doc_ids: Iterable[str]) -> str:
        """Space-separated source numbers, for the claim filter."""
        return " ".join(str(self.by_doc[d].index) for d in doc_ids if d in self.by_doc)


def figure_span(value_text: str, sentence: str) -> tuple[int, int] | None:
    """Where a figure value is written in its sentence: the value as given (any case), else its
    number alone ('33,175' out of 'some 33,175'); None when neither is there."""
    at = sentence.lower().find(value_text.lower())
    if value_text and at >= 0:
        return at, at + len(value_text)
    for number in re.findall(r"\d[\d,.]*\d|\d", value_text):
        match = re.search(rf"(?<![\d,.]){re.escape(number)}(?![\d])", sentence)
        if match:
            return match.start(), match.end()
    return None


def _environment() -> jinja2.Environment:
    # autoescape for every template, whatever its name: nothing from a brief is ever trusted markup;
    # and every value is shown with its controls and invisible characters visible (display.py), so
    # an ESC or a right-to-left override in an article is seen, never obeyed
    return jinja2.Environment(
        finalize=_shown,
        loader=jinja2.FunctionLoader(lambda name: (_TEMPLATES / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _shown(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def render_html(brief: Brief, sources: list[SourceView]) -> str:
    """The review page for a brief whose documents were re-read by ``load_sources``."""
    script = (_TEMPLATES / "review.js").read_text(encoding="utf-8")
    style = (_TEMPLATES / "review.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    page = Page(brief, sources)
    html = (
        _environment()
        .get_template("review.html.j2")
        .render(
            brief=brief,
            page=page,
            sources=sources,
            notes=[v.note for v in sources if v.note],
            names=SourceNames.of(brief.sources),
            incomplete=brief.incomplete_reason(),
            sides=sorted({side for group in brief.claims for side in group.speaker_sides}),
            script=Markup(script),
            style=Markup(style),
            csp=f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'",
        )
    )
    return html
