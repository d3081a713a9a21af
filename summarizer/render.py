"""Step 6 of the data flow: Markdown and JSON from the same ``Brief`` object.

Citations appear as short markers like ``[001:L12]``; the "Citations" section at the end names the
file and line of each marker and quotes the cited sentence verbatim.
"""

from __future__ import annotations

from summarizer.documents import short_label
from summarizer.models import Brief, BriefChanges, ChangeKind, Citation, SupportLevel


def _markers(citations: list[Citation], used: dict[str, Citation]) -> str:
    for citation in citations:
        used.setdefault(citation.marker, citation)
    return " ".join(f"[{c.marker}]" for c in citations)


def _flag(support: SupportLevel) -> str:
    return "" if support == SupportLevel.strong else f" _(support: {support.value})_"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(brief: Brief) -> str:
    used: dict[str, Citation] = {}
    total = len(brief.sources)
    out: list[str] = [f"# {brief.title}", ""]
    status = "complete" if brief.complete else f"INCOMPLETE: {len(brief.failed)} input(s) not included"
    out += [f"_{total} sources · backend `{brief.backend}` · model `{brief.model}` · {status}_", ""]

    out += ["## Key points", ""]
    for point in brief.key_points:
        out.append(f"- {point.text} {_markers(point.citations, used)}")
    if not brief.key_points:
        out.append("_None found._")
    out.append("")
    if brief.since is not None:
        out += render_changes(brief.since, used)

    out += ["## Parties", ""]
    for party in brief.parties:
        aliases = f" — also: {', '.join(party.aliases)}" if party.aliases else ""
        out.append(
            f"- **{party.name}** ({party.role.value.replace('_', ' ')}){aliases}; "
            f"in {len(party.sources)} of {total} sources {_markers(party.citations, used)}"
            f"{_flag(party.support)}"
        )
    out.append("")

    out += ["## Demands", ""]
    current = None
    for demand in brief.demands:
        if demand.party != current:
            if current is not None:
                out.append("")
            current = demand.party
            out += [f"**{current}**", ""]
        out.append(f"- {demand.demand} {_markers(demand.citations, used)}{_flag(demand.support)}")
    if not brief.demands:
        out.append("_None found._")
    out.append("")

    out += ["## Proposals on the table", ""]
    for proposal in brief.proposals:
        by = f" — proposed or reported by {proposal.proposed_by}" if proposal.proposed_by else ""
        out.append(f"- {proposal.summary}{by} {_markers(proposal.citations, used)}{_flag(proposal.support)}")
        for term in proposal.terms:
            out.append(f"  - {term}")
    if not brief.proposals:
        out.append("_None found._")
    out.append("")

    out += ["## Contested points", ""]
    for point in brief.contested:
        label = f"{point.id}: " if point.id else ""
        out += [f"**{label}{point.question}?**", "", "| Side | Position | Sources |", "|---|---|---|"]
        for position in point.positions:
            stance = "denies" if position.negated else "asserts"
            out.append(
                f"| {_cell(position.side)} ({stance}) | {_cell(position.statement)} "
                f"{_markers(position.citations, used)} | {len(position.sources)} |"
            )
        out.append("")
    if not brief.contested:
        out += ["_No contradicting claims found._", ""]

    out += ["## Figures", ""]
    if brief.figures:
        out += ["| Quantity | Source | Value | Given by | Date | Cited |", "|---|---|---|---|---|---|"]
        for figure in brief.figures:
            flag = " ⚠ differs" if figure.discrepancy else ""
            for value in figure.values:
                out.append(
                    f"| {_cell(figure.quantity)}{flag} | {value.doc_id} | {_cell(value.text)} | "
                    f"{_cell(value.attributed_to or '—')} | {value.date or '—'} | "
                    f"{_markers([value.citation], used)} |"
                )
    else:
        out.append("_No figure is given by more than one source._")
    out.append("")

    out += ["## Claims", ""]
    for group in brief.claims:
        speakers = "; ".join(dict.fromkeys(f"{r.speaker} ({r.speaker_side})" for r in group.reports))
        citations = [c for r in group.reports for c in r.citations]
        out.append(
            f"- **{group.id}** {group.statement} — {speakers}; reported by {len(group.sources)} of "
            f"{total} sources {_markers(citations, used)}"
            f"{_flag(min((r.support for r in group.reports), key=_support_rank))}"
        )
    if not brief.claims:
        out.append("_None found._")
    out.append("")

    out += ["## Coverage", ""]
    labels = [s.doc_id for s in brief.sources]
    out += ["| Item | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    for row in brief.coverage:
        cells = " | ".join("✓" if label in row.sources else "" for label in labels)
        out.append(f"| {row.kind}: {_cell(row.item[:90])} | {cells} |")
    out.append("")

    out += ["## Sources", ""]
    for source in brief.sources:
        # one entry per line and kind: a skipped paragraph may hold several sentences
        skipped = "; ".join(dict.fromkeys(f"L{s.line} {s.kind}" for s in source.skipped)) or "nothing"
        out.append(
            f"- `{source.path}` — date {source.date or 'not given'}, sha256 {source.sha256[:12]}, "
            f"{source.sentences} sentences; skipped as boilerplate: {skipped}"
        )
        if source.dropped:
            items = "; ".join(f"{d.kind} “{_cell(d.item[:60])}” ({d.reason})" for d in source.dropped)
            out.append(f"  - left out of the model's answer as invalid after re-asks: {items}")
    if brief.failed:
        out += ["", "**Not included:**", ""]
        out += [f"- `{f.path}`: {f.reason}" for f in brief.failed]
    out.append("")

    out += ["## Citations", ""]
    for marker, citation in sorted(used.items(), key=lambda kv: (kv[1].doc_id, kv[1].start)):
        out.append(f"- **[{marker}]** `{citation.path}`, line {citation.line}: “{citation.text}”")
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


def render_changes(changes: BriefChanges, used: dict[str, Citation]) -> list[str]:
    """The "New since <date>" section: what the earlier brief (``brief --since``) did not hold."""
    out = [f"## New since {changes.since}", ""]
    out += [f"_Compared with the earlier brief “{changes.previous_title}” ({changes.previous_sources} "
            "sources); items are matched by meaning, not by id._", ""]  # fmt: skip
    if changes.is_empty():
        return [*out, "Nothing new: the same sources and the same items.", ""]
    for label, sources in (
        ("Sources added", changes.sources_added),
        ("Sources removed", changes.sources_removed),
    ):
        if sources:
            listed = [f"`{s.path}`" + (f" (not included: {s.reason})" if s.reason else "") for s in sources]
            out.append(f"- **{label} ({len(sources)}):** " + ", ".join(listed))
    for source in changes.sources_changed:
        out.append(
            f"- **Source changed:** `{source.path}` (sha256 {(source.previous_sha256 or '')[:12]} → "
            f"{source.sha256[:12]})"
        )
    out.append("")
    for kind, heading in _NEW_HEADINGS.items():
        items = [item for item in changes.new if item.kind == kind]
        if kind == ChangeKind.figure and changes.figures_changed:
            out += ["**Figures that changed**", ""]
            for change in changes.figures_changed:
                before = "; ".join(f"{v.text} ({short_label(v.doc_id)})" for v in change.before)
                after = "; ".join(f"{v.text} ({short_label(v.doc_id)})" for v in change.after)
                known = {(v.doc_id, v.value) for v in change.before}
                fresh = [v.citation for v in change.after if (v.doc_id, v.value) not in known]
                out.append(
                    f"- {change.ref} {change.quantity}: before {before}; now {after} {_markers(fresh, used)}"
                )
            out.append("")
        if not items:
            continue
        out += [f"**{heading}**", ""]
        for item in items:
            ref = "" if item.text.startswith(item.ref) else f"{item.ref} "  # a party's ref is its name
            out.append(f"- {ref}{item.text} ({_count(item.sources)}) {_markers(item.citations, used)}")
        out.append("")
    if changes.more_sources:
        out += ["**More sources for existing items**", ""]
        for more in changes.more_sources:
            now = f"now also in {_labels(more.added_sources)}" if more.added_sources else ""
            what = "; ".join(part for part in (more.note, now) if part)
            ref = "" if more.text.startswith(more.ref) else f"{more.ref} "
            out.append(f"- {ref}{more.text} — {what} {_markers(more.citations, used)}")
        out.append("")
    settled = [item for item in changes.removed if item.kind == ChangeKind.contested]
    gone = [item for item in changes.removed if item.kind != ChangeKind.contested]
    for heading, items in (("Settled or no longer contested", settled), ("No longer in the brief", gone)):
        if items:
            out += [f"**{heading}**", ""]
            out += [
                f"- {item.kind.value} {item.previous_ref} of the earlier brief: {item.text} "
                f"(was in {_labels(item.previous_sources)})"
                for item in items
            ]
            out.append("")
    return out


def _count(sources: list[str]) -> str:
    return f"{len(sources)} source{'s' if len(sources) != 1 else ''}"


def _labels(doc_ids: list[str]) -> str:
    return ", ".join(short_label(d) for d in doc_ids)


def _support_rank(level: SupportLevel) -> int:
    return [SupportLevel.unsupported, SupportLevel.weak, SupportLevel.strong].index(level)


def render_json(brief: Brief) -> str:
    return brief.model_dump_json(indent=2) + "\n"
