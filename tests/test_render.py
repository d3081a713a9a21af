"""render: golden Markdown for a small hand-built brief, JSON round trip, every marker footnoted.

Regenerate the golden file after an intended change with ``pytest --update-golden`` (or
``UPDATE_GOLDEN=1``) and review the diff.
"""

from __future__ import annotations

import re

import pytest
from conftest import GOLDEN

from summarizer.models import (
    Brief,
    Citation,
    ClaimGroup,
    ClaimReport,
    ContestedPoint,
    ContestedPosition,
    CoverageRow,
    DemandEntry,
    FailedDocument,
    FigureComparison,
    FigureValue,
    KeyPoint,
    KeyPointKind,
    PartyEntry,
    PartyRole,
    ProposalEntry,
    RunStats,
    SkippedText,
    SourceDocument,
    SupportLevel,
    all_citations,
)

TEXT_A = (
    "Greece and Turkey resumed talks in Vienna.\n"
    "Turkey demanded the release of 40 prisoners. Greece refused.\n"
    "Some 1,200 people have been displaced, the UN said.\n"
    "Photo: AFP\n"
)
TEXT_B = (
    " date 2025-02-03 Talks resumed in Vienna between Greece and Turkey.\n"
    "Turkish officials said talks made progress.\n"
    "A Greek official said there was no progress | none at all.\n"
    "About 1,250 people have been displaced, officials said.\n"
)


def _cite(label: str, doc_id: str, text: str, sentence_text: str, sentence: int, dup: int = 0) -> Citation:
    start = text.index(sentence_text)
    line = text.count("\n", 0, start) + 1
    same_line_index = dup + 1
    return Citation(
        marker=f"{label}:L{line}" + (f".{same_line_index}" if same_line_index > 1 else ""),
        doc_id=doc_id,
        path=f"news/{doc_id}",
        line=line,
        start=start,
        end=start + len(sentence_text),
        sentence=sentence,
        text=sentence_text,
    )


A = "001_alpha.txt"
B = "002_beta.txt"
A1 = _cite("001", A, TEXT_A, "Greece and Turkey resumed talks in Vienna.", 1)
A2 = _cite("001", A, TEXT_A, "Turkey demanded the release of 40 prisoners.", 2)
A3 = _cite("001", A, TEXT_A, "Greece refused.", 3, dup=1)
A4 = _cite("001", A, TEXT_A, "Some 1,200 people have been displaced, the UN said.", 4)
B1 = _cite("002", B, TEXT_B, "Talks resumed in Vienna between Greece and Turkey.", 1)
B2 = _cite("002", B, TEXT_B, "Turkish officials said talks made progress.", 2)
B3 = _cite("002", B, TEXT_B, "A Greek official said there was no progress | none at all.", 3)
B4 = _cite("002", B, TEXT_B, "About 1,250 people have been displaced, officials said.", 4)


def small_brief() -> Brief:
    turkey_claim = ClaimReport(
        doc_id=B,
        speaker="Turkish officials",
        speaker_side="Turkey",
        statement="Talks made progress.",
        negated=False,
        citations=[B2],
        sources=[B],
    )
    greek_claim = ClaimReport(
        doc_id=B,
        speaker="A Greek official",
        speaker_side="Greece",
        statement="There was no progress | none at all.",
        negated=True,
        citations=[B3],
        sources=[B],
        support=SupportLevel.weak,
    )
    brief = Brief(
        title="Brief of 2 articles, 2025-02-03",
        backend="fake",
        model="rules",
        complete=False,
        sources=[
            SourceDocument(
                doc_id=A,
                path=f"news/{A}",
                sha256="a" * 64,
                sentences=4,
                skipped=[SkippedText(line=4, kind="caption", text="Photo: AFP")],
            ),
            SourceDocument(doc_id=B, path=f"news/{B}", date="2025-02-03", sha256="b" * 64, sentences=4),
        ],
        failed=[FailedDocument(path="news/003_empty.txt", reason="empty file")],
        key_points=[
            KeyPoint(
                kind=KeyPointKind.claim,
                ref="C1",
                text="Turkey: progress was made in the talks (2 of 2 sources)",
                citations=[A1, B1],
                sources=[A, B],
            )
        ],
        parties=[
            PartyEntry(
                name="Greece",
                role=PartyRole.negotiator,
                aliases=["Greek"],
                citations=[A1, A3, B1],
                sources=[A, B],
            ),
            PartyEntry(
                name="Turkey",
                role=PartyRole.negotiator,
                aliases=["Turkish"],
                citations=[A1, B1],
                sources=[A, B],
            ),
        ],
        demands=[
            DemandEntry(party="Turkey", demand="release of 40 prisoners", citations=[A2], sources=[A]),
        ],
        proposals=[
            ProposalEntry(
                summary="A prisoner exchange in two stages",
                proposed_by="Turkey",
                terms=["40 prisoners", "a second stage"],
                citations=[A2],
                sources=[A],
                support=SupportLevel.weak,
            ),
        ],
        claims=[
            ClaimGroup(
                id="C1",
                statement="Talks made progress.",
                speaker_sides=["Turkey"],
                negated=False,
                reports=[turkey_claim],
                sources=[B],
            ),
            ClaimGroup(
                id="C2",
                statement="There was no progress | none at all.",
                speaker_sides=["Greece"],
                negated=True,
                reports=[greek_claim],
                sources=[B],
            ),
        ],
        contested=[
            ContestedPoint(
                question="Talks made progress.",
                positions=[
                    ContestedPosition(
                        side="Turkey",
                        claim_ids=["C1"],
                        statement="Talks made progress.",
                        negated=False,
                        citations=[B2],
                        sources=[B],
                    ),
                    ContestedPosition(
                        side="Greece",
                        claim_ids=["C2"],
                        statement="There was no progress | none at all.",
                        negated=True,
                        citations=[B3],
                        sources=[B],
                    ),
                ],
            )
        ],
        figures=[
            FigureComparison(
                quantity="people displaced",
                values=[
                    FigureValue(doc_id=A, value=1200, text="Some 1,200", attributed_to="the UN", citation=A4),
                    FigureValue(
                        doc_id=B,
                        value=1250,
                        text="About 1,250",
                        attributed_to="officials",
                        date="2025-02-03",
                        citation=B4,
                    ),
                ],
                discrepancy=True,
                sources=[A, B],
            )
        ],
        stats=RunStats(
            llm_calls=2, cache_hits=1, retries=1, prompt_tokens=300, completion_tokens=120, wall_seconds=0.5
        ),
    )
    brief.coverage = [
        CoverageRow(kind="party", item="Greece", sources=[A, B]),
        CoverageRow(kind="demand", item="Turkey: release of 40 prisoners", sources=[A]),
        CoverageRow(kind="figure", item="people displaced", sources=[A, B]),
    ]
    return brief


def test_hand_built_citations_are_exact() -> None:
    texts = {A: TEXT_A, B: TEXT_B}
    for citation in all_citations(small_brief()):
        assert texts[citation.doc_id][citation.start : citation.end] == citation.text


def test_markdown_matches_golden(update_golden: bool) -> None:
    from summarizer.render import render_markdown

    markdown = render_markdown(small_brief())
    golden = GOLDEN / "small_brief.md"
    if update_golden or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(markdown, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file {golden} was missing and has been written; review it and rerun")
    assert markdown == golden.read_text(encoding="utf-8")


def test_markdown_structure() -> None:
    from summarizer.render import render_markdown

    markdown = render_markdown(small_brief())
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings == [  # contested questions right after the key points (issue 10)
        "Key points",
        "Contested points",
        "Parties",
        "Demands",
        "Proposals on the table",
        "Figures",
        "Claims",
        "Coverage",
        "Sources",
        "Citations",
    ]
    assert "INCOMPLETE: 1 input(s) not included" in markdown
    assert "**Not included:**" in markdown and "`news/003_empty.txt`: empty file" in markdown
    assert "⚠ differs" in markdown
    assert "_(support: weak)_" in markdown
    # a '|' in a statement must not break the table row
    row = next(line for line in markdown.splitlines() if line.startswith("| Greece (denies)"))
    assert "no progress \\| none at all." in row
    assert row.count(" | ") == 2
    assert "skipped as boilerplate: L4 caption" in markdown


def test_a_speaker_who_is_their_own_side_is_named_once() -> None:
    from summarizer.render import render_markdown

    brief = small_brief()
    brief.claims[0].reports[0].speaker = "resident Ali Demir"
    brief.claims[0].reports[0].speaker_side = "Ali Demir"
    markdown = render_markdown(brief)
    assert "— resident Ali Demir; reported by" in markdown
    assert "— A Greek official (Greece); reported by" in markdown


def test_every_marker_is_footnoted_with_file_line_and_verbatim_text() -> None:
    from summarizer.render import render_markdown

    brief = small_brief()
    markdown = render_markdown(brief)
    body, footnotes = markdown.split("\n## Citations\n", 1)
    used = set(re.findall(r"\[(\d{3}:L\d+(?:\.\d+)?)\]", body))
    assert used == {c.marker for c in all_citations(brief)}
    listed = dict(re.findall(r"^- \*\*\[([^\]]+)\]\*\* (.+)$", footnotes, re.M))
    assert set(listed) == used
    by_marker = {c.marker: c for c in all_citations(brief)}
    for marker, line in listed.items():
        citation = by_marker[marker]
        assert line == f"`{citation.path}`, line {citation.line}: “{citation.text}”"


def test_json_round_trips_to_brief() -> None:
    from summarizer.render import render_json

    brief = small_brief()
    text = render_json(brief)
    again = Brief.model_validate_json(text)
    assert again == brief
    assert render_json(again) == text


def test_empty_brief_renders() -> None:
    from summarizer.render import render_markdown

    brief = Brief(
        title="Nothing",
        backend="fake",
        model="rules",
        complete=True,
        sources=[SourceDocument(doc_id=A, path=A, sha256="0" * 64, sentences=1)],
    )
    markdown = render_markdown(brief)
    assert "_None found._" in markdown
    assert "_No contradicting claims found._" in markdown
    assert "_No figure is given by more than one source._" in markdown
