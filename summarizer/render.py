"""Step 6 of the data flow: Markdown and JSON from the same ``Brief`` object.

Citations appear as short markers like ``[001:L12]``; the "Citations" section at the end names the
file (or the outlet, title and URL of a web page) and line of each marker and quotes the cited
sentence verbatim. Sources are named by outlet when their input says it ('Reuters (000)', see
``naming``), else by file name.

A brief of hundreds of articles must stay readable, so the Markdown ranks each section (most
independent sources first, contested items before others with as many) and shows at most ``CAPS``
items of it, then a line "N more in brief.json"; an item shows at most ``MAX_MARKERS`` citations (one
per voice first). The JSON keeps everything. Counts are of voices: republished copies of one text
(``Brief.republished``) count once. The caps sit above what a brief of a handful of articles has, so
such a brief shows everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from summarizer.display import has_acting, markdown_cell, markdown_code, markdown_text
from summarizer.duplicates import Voices
from summarizer.models import (
    Brief,
    BriefChanges,
    ChangeKind,
    Citation,
    PartyEntry,
    SourceDocument,
    SupportLevel,
)
from summarizer.naming import SourceNames

T = TypeVar("T")

# Items shown per section of the Markdown. With these a generated 200-article brief is ~1,000 lines
# (bench/scale.py), and the five seed articles' brief is shown whole.
CAPS = {
    "contested": 10,
    "parties": 12,
    "demands": 15,
    "proposals": 8,
    "figures": 10,
    "claims": 30,
    "coverage": 50,
    "sources": 50,
    "changes": 15,  # per list of the "New since" section
}
MAX_MARKERS = 8  # citations shown per item; the rest are in brief.json
MAX_FIGURE_VALUES = 8  # rows per figure
MAX_SPEAKERS = 6  # speakers named per merged claim
MAX_COPIES = 5  # identical copies of a file named under it
MAX_MATRIX_SOURCES = 12  # above this many sources the coverage table gives counts, not a column each
MAX_HEADER_OUTLETS = 6  # outlets the header names; the sources list names every one


def _markers(citations: list[Citation], used: dict[str, Citation], voice: Callable[[str], str] = str) -> str:
    shown = citations
    if len(citations) > MAX_MARKERS:  # one citation per voice first, then the others, in order
        firsts: dict[str, int] = {}  # voice -> index of its first citation
        for index, citation in enumerate(citations):
            firsts.setdefault(voice(citation.doc_id), index)
        chosen = set(firsts.values())
        rest = [i for i in range(len(citations)) if i not in chosen]
        firsts_in_order = sorted(chosen)
        shown = [citations[i] for i in (firsts_in_order + rest)[:MAX_MARKERS]]
    for citation in shown:
        used.setdefault(citation.marker, citation)
    more = f" (+{len(citations) - len(shown)} more)" if len(shown) < len(citations) else ""
    return " ".join(f"[{markdown_text(c.marker)}]" for c in shown) + more


def _ranked(items: list[T], section: str, key: Callable[[T], tuple]) -> tuple[list[T], int]:
    """The first CAPS[section] items by ``key`` (stable: ties keep the merge's order), and how many
    are left out."""
    ranked = sorted(items, key=key)
    return ranked[: CAPS[section]], max(0, len(items) - CAPS[section])


def _more(count: int, what: str, where: str) -> list[str]:
    """The line that says how many items a capped list left out (none when it left none out)."""
    return [f"_{count} more{what} in {where}_"] if count > 0 else []


def _speaker(speaker: str, side: str) -> str:
    """'a Hamas official (Hamas)'; a speaker who is their own side ('resident X', side 'X') is named
    once."""
    if speaker.lower().endswith(side.lower()):
        return speaker
    return f"{speaker} ({side})"


def _flag(support: SupportLevel) -> str:
    return "" if support == SupportLevel.strong else f" _(support: {support.value})_"


# Every text from an article, a file name or a model goes through these (summarizer/display.py):
# controls shown, not acted on; no HTML or link for a Markdown viewer; a name cannot break a table.
_cell = markdown_cell
_text = markdown_text
_code = markdown_code


def render_markdown(brief: Brief, json_name: str | None = "brief.json") -> str:
    """The Markdown brief; ``json_name`` is the JSON file written with it, which holds what the caps
    leave out (None: no JSON is written, the lines say how to get one)."""
    where = json_name or "the JSON brief (--json)"
    used: dict[str, Citation] = {}
    voices = Voices.of_sources(brief.sources)
    names = SourceNames.of(brief.sources)
    count = voices.count
    total = count(s.doc_id for s in brief.sources)

    def markers(citations: list[Citation]) -> str:
        return _markers(citations, used, lambda doc_id: voices.voice_of.get(doc_id, doc_id))

    out: list[str] = [f"# {_text(brief.title)}", ""]
    status = "complete" if brief.complete else f"INCOMPLETE: {brief.incomplete_reason()}"
    sources = f"{len(brief.sources)} sources"
    if total < len(brief.sources):
        copies = len(brief.sources) - total
        sources += (
            f" ({total} independent: {copies} {'republishes' if copies == 1 else 'republish'} another's "
            "text, see “Republished text”)"
        )
    if outlets := names.outlets():
        shown = ", ".join(map(_text, outlets[:MAX_HEADER_OUTLETS]))
        more = f" and {len(outlets) - MAX_HEADER_OUTLETS} more" if len(outlets) > MAX_HEADER_OUTLETS else ""
        sources += f" from {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}: {shown}{more}"
    out += [f"_{sources} · backend {_code(brief.backend)} · model {_code(brief.model)} · {status}_", ""]
    if brief.stories:
        out += [unrelated_warning(brief, lambda doc_id: _code_or_name(names, doc_id)), ""]

    if brief.lead:
        out += ["## What happened", ""]
        for sentence in brief.lead:
            reach = f"reported by {count(sentence.sources)} of {total} sources"
            out.append(f"- {_cell(sentence.text)} ({reach}) {markers(sentence.citations)}")
        out.append("")

    out += ["## Key points", ""]
    for point in brief.key_points:
        out.append(f"- {_text(point.text)} {markers(point.citations)}")
    if not brief.key_points:
        out.append("_None found._")
    out.append("")
    if brief.since is not None:
        out += render_changes(brief.since, used, where, names)

    out += ["## Contested points", ""]
    contested, hidden = _ranked(
        brief.contested, "contested", lambda p: (-count(s for pos in p.positions for s in pos.sources),)
    )
    for point in contested:
        label = f"{point.id}: " if point.id else ""
        question = _text(point.question.rstrip("?")) + "?"
        out += [f"**{label}{question}**", "", "| Side | Position | Sources |", "|---|---|---|"]
        for position in point.positions:
            stance = position.stance
            out.append(
                f"| {_cell(position.side)} ({stance}) | {_cell(position.statement)} "
                f"{markers(position.citations)} | {count(position.sources)} |"
            )
        out.append("")
    if not brief.contested:
        out += ["_No contradicting claims found._", ""]
    out += _more(hidden, " contested points", where) + [""] * bool(hidden)

    contested_sides = {p.side for q in brief.contested for p in q.positions}
    out += ["## Parties", ""]
    # The people who speak for a listed party are shown under it, not counted among the parties.
    listed = {p.name for p in brief.parties}
    people = {p.name: [m for m in brief.parties if m.belongs_to == p.name] for p in brief.parties}
    parties, hidden = _ranked(
        [p for p in brief.parties if p.belongs_to not in listed],
        "parties",
        lambda p: (-count(p.sources), p.name not in contested_sides),
    )

    def party_line(party: PartyEntry, indent: str = "") -> str:
        title = f", {_text(party.title)}" if party.title else ""
        aliases = f" — also: {', '.join(map(_text, party.aliases))}" if party.aliases else ""
        return (
            f"{indent}- **{_text(party.name)}**{title} ({party.role.value.replace('_', ' ')}){aliases}; "
            f"in {count(party.sources)} of {total} sources {markers(party.citations)}"
            f"{_flag(party.support)}"
        )

    for party in parties:
        out.append(party_line(party))
        out += [party_line(person, "  ") for person in people[party.name]]
    out += _more(hidden, " parties", where) + [""]

    out += ["## Demands", ""]
    shown, hidden = _ranked(brief.demands, "demands", lambda d: (-count(d.sources),))
    current = None
    shown_ids = {id(d) for d in shown}
    for demand in [d for d in brief.demands if id(d) in shown_ids]:  # grouped by party, as merged
        if demand.party != current:
            if current is not None:
                out.append("")
            current = demand.party
            out += [f"**{_text(current)}**", ""]
        out.append(f"- {_text(demand.demand)} {markers(demand.citations)}{_flag(demand.support)}")
    if not brief.demands:
        out.append("_None found._")
    out += [""] * bool(hidden) + _more(hidden, " demands", where) + [""]

    out += ["## Proposals on the table", ""]
    proposals, hidden = _ranked(brief.proposals, "proposals", lambda p: (-count(p.sources),))
    for proposal in proposals:
        by = f" — proposed by {_text(proposal.proposed_by)}" if proposal.proposed_by else ""
        out.append(f"- {_text(proposal.summary)}{by} {markers(proposal.citations)}{_flag(proposal.support)}")
        for term in proposal.terms:
            out.append(f"  - {_text(term)}")
        for reaction in proposal.reactions:
            side, quote = _text(reaction.side), _cell(reaction.text)
            out.append(f"  - Reaction — {side}: {reaction.stance}, “{quote}” {markers(reaction.citations)}")
    if not brief.proposals:
        out.append("_None found._")
    out += _more(hidden, " proposals", where) + [""]

    out += ["## Figures", ""]
    if brief.figures:
        figures, hidden = _ranked(brief.figures, "figures", lambda f: (not f.discrepancy, -count(f.sources)))
        out += ["| Quantity | Source | Value | Given by | Date | Cited |", "|---|---|---|---|---|---|"]
        for figure in figures:
            flag = " ⚠ differs" if figure.discrepancy else ""
            # a cut table shows every distinct value first, so the disagreement stays visible, then one
            # row per voice (a copy of a text gives its value again), then the copies
            by_value: dict[float, int] = {}
            by_voice: dict[str, int] = {}
            for index, value in enumerate(figure.values):
                by_value.setdefault(value.value, index)
                by_voice.setdefault(voices.voice_of.get(value.doc_id, value.doc_id), index)
            distinct, independent = set(by_value.values()), set(by_voice.values())
            order = sorted(
                range(len(figure.values)), key=lambda i: (i not in distinct, i not in independent, i)
            )
            # reordered only when cut: a short table keeps the merge's order (by source)
            values = [figure.values[i] for i in order] if len(order) > MAX_FIGURE_VALUES else figure.values
            for value in values[:MAX_FIGURE_VALUES]:
                out.append(
                    f"| {_cell(figure.quantity)}{flag} | {_cell(names.name(value.doc_id))} | "
                    f"{_cell(value.text)} | "
                    f"{_cell(value.attributed_to or '—')} | {value.date or '—'} | "
                    f"{markers([value.citation])} |"
                )
            if len(values) > MAX_FIGURE_VALUES:
                left = len(values) - MAX_FIGURE_VALUES
                out.append(f"| {_cell(figure.quantity)} | {left} more values in {where} | | | | |")
        out += [""] * bool(hidden) + _more(hidden, " figures", where)
    else:
        out.append("_No figure is given by more than one source._")
    out.append("")

    out += ["## Claims", ""]
    in_contest = {cid for q in brief.contested for p in q.positions for cid in p.claim_ids}
    claims, hidden = _ranked(brief.claims, "claims", lambda g: (-count(g.sources), g.id not in in_contest))
    for group in claims:
        speakers = list(dict.fromkeys(_speaker(r.speaker, r.speaker_side) for r in group.reports))
        speakers = list({s.lower(): s for s in reversed(speakers)}.values())[::-1]  # 'The X' = 'the X'
        named = "; ".join(speakers[:MAX_SPEAKERS])
        named += f"; {len(speakers) - MAX_SPEAKERS} more" if len(speakers) > MAX_SPEAKERS else ""
        citations = [c for r in group.reports for c in r.citations]
        out.append(
            f"- **{group.id}** {_text(group.statement)} — {_text(named)}; "
            f"reported by {count(group.sources)} of {total} sources {markers(citations)}"
            f"{_flag(min((r.support for r in group.reports), key=_support_rank))}"
        )
    if not brief.claims:
        out.append("_None found._")
    out += _more(hidden, " claims", where) + [""]

    out += ["## Coverage", ""]
    rows, hidden = brief.coverage, 0  # grouped by kind, as merged, unless it has to be cut
    if len(rows) > CAPS["coverage"]:
        rows, hidden = _ranked(brief.coverage, "coverage", lambda r: (-count(r.sources),))
    if len(brief.sources) <= MAX_MATRIX_SOURCES:
        doc_ids = [s.doc_id for s in brief.sources]
        header = " | ".join(_cell(names.name(doc_id)) for doc_id in doc_ids)
        out += [f"| Item | {header} |", "|---|" + "---|" * len(doc_ids)]
        for row in rows:
            cells = " | ".join("✓" if doc_id in row.sources else "" for doc_id in doc_ids)
            out.append(f"| {row.kind}: {_cell(row.item[:90])} | {cells} |")
    else:  # a column per source stops being readable long before hundreds of sources
        out += ["| Item | Sources | of |", "|---|---|---|"]
        out += [f"| {row.kind}: {_cell(row.item[:90])} | {count(row.sources)} | {total} |" for row in rows]
    out += [""] * bool(hidden) + _more(hidden, " rows", where) + [""]

    if brief.republished:
        out += ["## Republished text", ""]
        out += ["These sources carry the same text (counted as one voice each group):", ""]
        for group in brief.republished:
            listed = ", ".join(_code_or_name(names, doc_id) for doc_id in group.sources)
            shared = f"at least {group.similarity:.0%} of the text shared"
            out.append(f"- {listed} ({shared}){_wire_note(names, group.sources)}")
        out.append("")

    out += ["## Sources", ""]
    for source in brief.sources[: CAPS["sources"]]:
        # one entry per line and kind: a skipped paragraph may hold several sentences
        skipped = "; ".join(dict.fromkeys(f"L{s.line} {s.kind}" for s in source.skipped)) or "nothing"
        out.append(
            f"- {_source_heading(names, source)} — date {_text(source.date or 'not given')}, "
            f"sha256 {source.sha256[:12]}, {source.sentences} sentences; skipped as boilerplate: {skipped}"
        )
        if source.cut is not None:
            cut = source.cut
            share = cut.kept_bytes / max(cut.file_bytes, 1)
            what = "extracted text" if names.read_from(source.kind) else "file"
            out.append(
                f"  - **cut:** the {what} is too long; only its first {cut.kept_characters:,} characters "
                f"(about {share:.0%} of its {cut.file_bytes:,} bytes) were read, the rest is not "
                "in this brief"
            )
        if source.identical_copies:
            copies = source.identical_copies
            listed = ", ".join(map(_code, copies[:MAX_COPIES]))
            more = f" and {len(copies) - MAX_COPIES} more (in {where})" if len(copies) > MAX_COPIES else ""
            out.append(f"  - the same file as {len(copies)} other input(s), read once: {listed}{more}")
        if source.dropped:
            items = "; ".join(f"{d.kind} “{_cell(d.item[:60])}” ({_text(d.reason)})" for d in source.dropped)
            out.append(f"  - left out of the model's answer as invalid after re-asks: {items}")
    out += _more(len(brief.sources) - CAPS["sources"], " sources", where)
    if brief.skipped_files:
        out += ["", "**Not articles, skipped:**", ""]
        out += [f"- {_code(f.path)}: {_text(f.reason)}" for f in brief.skipped_files[: CAPS["sources"]]]
        out += _more(len(brief.skipped_files) - CAPS["sources"], " skipped files", where)
    if brief.failed:  # never capped: what is missing from the brief is always said
        out += ["", "**Not included:**", ""]
        out += [f"- {_code(f.path)}: {_text(f.reason)}" for f in brief.failed]
    out.append("")

    out += ["## Citations", ""]
    for marker, citation in sorted(used.items(), key=lambda kv: (kv[1].doc_id, kv[1].start)):
        out.append(f"- **[{_text(marker)}]** {_cited_where(names, citation)}: “{_text(citation.text)}”")
    out.append("")
    stats = brief.stats
    made = f"made {stats.made_at}; " if stats.made_at else ""
    out.append(
        f"_{made}{stats.llm_calls} LLM calls ({stats.cache_hits} cached, {stats.retries} retries), "
        f"{stats.prompt_tokens} prompt + {stats.completion_tokens} completion tokens._"
    )
    return "\n".join(out) + "\n"


_NEW_HEADINGS = {
    ChangeKind.claim: "New claims",
    ChangeKind.party: "New parties",
    ChangeKind.contested: "Contested questions that appeared",
    ChangeKind.figure: "New figures",
    ChangeKind.demand: "New demands",
    ChangeKind.proposal: "New proposals",
}


def render_changes(
    changes: BriefChanges,
    used: dict[str, Citation],
    where: str = "the JSON brief (--json)",
    names: SourceNames | None = None,
) -> list[str]:
    """The "New since <date>" section: what the earlier brief (``brief --since``) did not hold. Each
    list is capped like the other sections (a folder that doubled overnight adds hundreds of items)."""
    cap = CAPS["changes"]
    label_of = (names or SourceNames()).label
    out = [f"## New since {changes.since}", ""]
    out += [f"_Compared with the earlier brief “{_text(changes.previous_title)}” ({changes.previous_sources} "
            "sources); items are matched by meaning, not by id._", ""]  # fmt: skip
    if changes.is_empty():
        return [*out, "Nothing new: the same sources and the same items.", ""]
    for label, sources in (
        ("Sources added", changes.sources_added),
        ("Sources removed", changes.sources_removed),
    ):
        if sources:
            listed = [
                _code(s.path) + (f" (not included: {_text(s.reason)})" if s.reason else "") for s in sources
            ]
            out.append(f"- **{label} ({len(sources)}):** " + ", ".join(listed))
    for source in changes.sources_changed:
        out.append(
            f"- **Source changed:** {_code(source.path)} (sha256 {(source.previous_sha256 or '')[:12]} → "
            f"{source.sha256[:12]})"
        )
    out.append("")
    for kind, heading in _NEW_HEADINGS.items():
        items = [item for item in changes.new if item.kind == kind]
        if kind == ChangeKind.figure and changes.figures_changed:
            out += ["**Figures that changed**", ""]
            for change in changes.figures_changed:
                before = "; ".join(f"{_text(v.text)} ({_text(label_of(v.doc_id))})" for v in change.before)
                after = "; ".join(f"{_text(v.text)} ({_text(label_of(v.doc_id))})" for v in change.after)
                known = {(v.doc_id, v.value) for v in change.before}
                fresh = [v.citation for v in change.after if (v.doc_id, v.value) not in known]
                now = f"now {after} {_markers(fresh, used)}"
                out.append(f"- {change.ref} {_text(change.quantity)}: before {before}; {now}")
            out.append("")
        if not items:
            continue
        out += [f"**{heading}**", ""]
        for item in items[:cap]:
            ref = "" if item.text.startswith(item.ref) else f"{item.ref} "  # a party's ref is its name
            out.append(
                f"- {_text(ref)}{_text(item.text)} ({_count(item.sources)}) {_markers(item.citations, used)}"
            )
        out += _more(len(items) - cap, f" {heading.lower()}", where)
        out.append("")
    if changes.more_sources:
        out += ["**More sources for existing items**", ""]
        for more in changes.more_sources[:cap]:
            now = f"now also in {_labels(more.added_sources, label_of)}" if more.added_sources else ""
            what = "; ".join(part for part in (_text(more.note or ""), now) if part)
            ref = "" if more.text.startswith(more.ref) else f"{more.ref} "
            out.append(f"- {_text(ref)}{_text(more.text)} — {what} {_markers(more.citations, used)}")
        out += _more(len(changes.more_sources) - cap, " items with more sources", where)
        out.append("")
    settled = [item for item in changes.removed if item.kind == ChangeKind.contested]
    gone = [item for item in changes.removed if item.kind != ChangeKind.contested]
    for heading, items in (("Settled or no longer contested", settled), ("No longer in the brief", gone)):
        if items:
            out += [f"**{heading}**", ""]
            out += [
                f"- {item.kind.value} {_text(item.previous_ref)} of the earlier brief: {_text(item.text)} "
                f"(was in {_labels(item.previous_sources, label_of)})"
                for item in items[:cap]
            ]
            out += _more(len(items) - cap, "", where)
            out.append("")
    return out


def unrelated_warning(brief: Brief, name: Callable[[str], str]) -> str:
    """The warning that opens a brief of sources that look like several stories, naming those that
    stand apart from the largest group."""
    largest, *apart = brief.stories
    groups = "; ".join(
        ", ".join(map(name, group[:MAX_COPIES]))
        + (f" and {len(group) - MAX_COPIES} more" if len(group) > MAX_COPIES else "")
        for group in apart
    )
    return (
        f"> **Warning: these sources look like {len(brief.stories)} different stories:** they share almost "
        f"no words or parties. Standing apart from the largest group ({len(largest)} of {len(brief.sources)} "
        f"sources): {groups}. This brief mixes them; brief each story's files on their own."
    )


def _count(sources: list[str]) -> str:
    return f"{len(sources)} source{'s' if len(sources) != 1 else ''}"


def _labels(doc_ids: list[str], label: Callable[[str], str]) -> str:
    return ", ".join(_text(label(d)) for d in doc_ids)


def _code_or_name(names: SourceNames, doc_id: str) -> str:
    """A source named by outlet as such, one named by its file name as code (as before)."""
    name = names.name(doc_id)
    return _code(name) if name == doc_id else _text(name)


def _wire_note(names: SourceNames, doc_ids: list[str]) -> str:
    """What the outlets say about a group of copies: a wire story, or one outlet's text twice."""
    wires = list(dict.fromkeys(w for d in doc_ids if (w := names.wire(d))))
    outlets = {names.sources[d].outlet for d in doc_ids if d in names.sources and names.sources[d].outlet}
    if wires:
        return f"; wire copy credited to {_text(', '.join(wires))}"
    if len(outlets) > 1:
        return f"; one text run by {len(outlets)} outlets"
    if len(outlets) == 1 and all(d in names.sources and names.sources[d].outlet for d in doc_ids):
        return "; the same outlet's text more than once (an update, or the same story at two addresses)"
    return ""


def _source_heading(names: SourceNames, source: SourceDocument) -> str:
    """The sources list's name of a source: outlet and title, then its URL or path."""
    said = names.full(source.doc_id)
    where = source.url or source.path
    if not said:
        return _code(source.path)
    shown = f"{_text(said)} ({_text(names.label(source.doc_id))})"
    where_read = _code(source.path) if source.path != where else ""
    return " — ".join(
        part for part in (shown, _link(where) if source.url else _code(where), where_read) if part
    )


# What an autolink may hold: no space, control, '<' or '>' (they would end it or hide in it).
_AUTOLINK_SAFE = re.compile(r"[^\s<>\x00-\x1f\x7f-\x9f]+")


def _link(url: str) -> str:
    """An http(s) URL as a Markdown autolink; anything else (a page's odd canonical URL, a URL with
    a space, a '<' or a control in it) as code."""
    if SourceNames.is_web(url) and _AUTOLINK_SAFE.fullmatch(url) and not has_acting(url):
        return f"<{url}>"
    return _code(url)


def _cited_where(names: SourceNames, citation: Citation) -> str:
    """Where a footnote's quote was read: the file and line, or the outlet, title and URL of a page
    and the line of the text extracted from it (what the quote is a span of)."""
    source = names.sources.get(citation.doc_id)
    line = f"line {citation.line}"
    if source is not None and source.kind not in (None, "text"):
        line += " of the extracted text"
    if source is None or not (source.outlet or source.title or source.url):
        return f"{_code(citation.path)}, {line}"
    url = _link(source.url) if source.url else _code(citation.path)
    return ", ".join(part for part in (_text(names.full(citation.doc_id)), url, line) if part)


def _support_rank(level: SupportLevel) -> int:
    return [SupportLevel.unsupported, SupportLevel.weak, SupportLevel.strong].index(level)


def render_json(brief: Brief) -> str:
    return brief.model_dump_json(indent=2) + "\n"
