"""The eval matcher and every metric, on small hand-made briefs and gold files.

Each damaged brief (wrong citation, citation of boilerplate, missing party, the two sides of a contested
point merged into one claim, fewer sources cited) must lower exactly the metrics it should; the test
asserts that every other metric is unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app, schema_files
from summarizer.evaluate import (
    SideResolver,
    evaluate,
    greedy_match,
    name_key,
    names_match,
    similarity,
)
from summarizer.gold import Gold, GoldParty, load_gold
from summarizer.models import (
    Brief,
    Citation,
    ClaimGroup,
    ClaimReport,
    ContestedPoint,
    ContestedPosition,
    DemandEntry,
    FigureComparison,
    FigureValue,
    PartyEntry,
    PartyRole,
    ProposalEntry,
    SourceDocument,
)

ROOT = Path(__file__).resolve().parent.parent

DOC_A = (
    "Alpha said the talks made progress on the ceasefire.\n"
    "Beta said no progress was made in the talks.\n"
    "Alpha demands the release of all prisoners.\n"
    "Officials said 120 people were killed.\n"
    "READ: Football club wins the cup\n"
)
DOC_B = (
    "Alpha said the talks made progress on the ceasefire.\n"
    "Beta insisted no progress was made in the talks.\n"
    "Alpha demands the release of all prisoners.\n"
    "Mediators proposed a three-stage truce.\n"
    "Officials said 130 people were killed.\n"
)


def gold_data() -> dict:
    return {
        "title": "toy",
        "annotator": "test",
        "documents": [{"doc_id": "a.txt", "path": "a.txt"}, {"doc_id": "b.txt", "path": "b.txt"}],
        "parties": [
            {"name": "Alpha", "aliases": ["Alphans"], "docs": ["a.txt", "b.txt"]},
            {"name": "Beta", "aliases": ["Beta officials"], "docs": ["a.txt", "b.txt"]},
        ],
        "demands": [{"party": "Alpha", "demand": "release of all prisoners", "docs": ["a.txt", "b.txt"]}],
        "proposals": [{"summary": "a truce in three stages", "docs": ["b.txt"]}],
        "claims": [
            {
                "id": "A1",
                "speaker_side": "Alpha",
                "statement": "the talks made progress",
                "docs": ["a.txt", "b.txt"],
            },
            {
                "id": "B1",
                "speaker_side": "Beta",
                "statement": "no progress was made in the talks",
                "negated": True,
                "docs": ["a.txt", "b.txt"],
            },
        ],
        "contested": [
            {
                "question": "Did the talks make progress?",
                "positions": [{"stance": "yes", "claims": ["A1"]}, {"stance": "no", "claims": ["B1"]}],
            }
        ],
        "figures": [
            {
                "quantity": "people killed",
                "discrepancy": True,
                "values": [
                    {"doc": "a.txt", "value": 120, "text": "120"},
                    {"doc": "b.txt", "value": 130, "text": "130"},
                ],
            }
        ],
        "boilerplate": [
            {"doc": "a.txt", "line": 5, "text": "READ: Football club wins the cup", "kind": "cross_link"}
        ],
    }


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(DOC_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(DOC_B, encoding="utf-8")
    (tmp_path / "toy.gold.json").write_text(json.dumps(gold_data()), encoding="utf-8")
    return tmp_path


def cite(folder: Path, doc_id: str, line: int, damage: bool = False) -> Citation:
    """A correct citation of one whole line (its text changed by one character when ``damage``)."""
    text = (folder / doc_id).read_text(encoding="utf-8")
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: line - 1])
    quoted = lines[line - 1]
    return Citation(
        marker=f"{doc_id[0]}:L{line}",
        doc_id=doc_id,
        path=str(folder / doc_id),
        line=line,
        start=start,
        end=start + len(quoted),
        sentence=line,
        text=quoted + ("!" if damage else ""),
    )


def report(
    folder: Path, doc_id: str, line: int, side: str, statement: str, negated: bool = False
) -> ClaimReport:
    return ClaimReport(
        citations=[cite(folder, doc_id, line)],
        sources=[doc_id],
        doc_id=doc_id,
        speaker=side,
        speaker_side=side,
        statement=statement,
        negated=negated,
    )


def good_brief(folder: Path) -> Brief:
    c = lambda doc, line: cite(folder, doc, line)  # noqa: E731
    alpha_reports = [
        report(folder, "a.txt", 1, "Alpha", "Alpha said the talks made progress on the ceasefire."),
        report(folder, "b.txt", 1, "Alpha", "Alpha said the talks made progress on the ceasefire."),
    ]
    beta_reports = [
        report(folder, "a.txt", 2, "Beta", "Beta said no progress was made in the talks.", True),
        report(folder, "b.txt", 2, "Beta", "Beta insisted no progress was made in the talks.", True),
    ]
    return Brief(
        title="toy brief",
        backend="test",
        model="hand",
        complete=True,
        sources=[
            SourceDocument(doc_id=d, path=str(folder / d), sha256="0", sentences=5)
            for d in ("a.txt", "b.txt")
        ],
        parties=[
            PartyEntry(name="Alpha", role=PartyRole.belligerent, citations=[c("a.txt", 1), c("b.txt", 1)]),
            PartyEntry(name="Beta", role=PartyRole.belligerent, citations=[c("a.txt", 2), c("b.txt", 2)]),
        ],
        demands=[
            DemandEntry(
                party="Alpha", demand="the release of all prisoners", citations=[c("a.txt", 3), c("b.txt", 3)]
            )
        ],
        proposals=[ProposalEntry(summary="a three-stage truce", citations=[c("b.txt", 4)])],
        claims=[
            ClaimGroup(
                id="C1",
                statement=alpha_reports[0].statement,
                speaker_sides=["Alpha"],
                negated=False,
                reports=alpha_reports,
                sources=["a.txt", "b.txt"],
            ),
            ClaimGroup(
                id="C2",
                statement=beta_reports[0].statement,
                speaker_sides=["Beta"],
                negated=True,
                reports=beta_reports,
                sources=["a.txt", "b.txt"],
            ),
        ],
        contested=[
            ContestedPoint(
                question="Did the talks make progress?",
                positions=[
                    ContestedPosition(
                        side="Alpha",
                        claim_ids=["C1"],
                        statement=alpha_reports[0].statement,
                        negated=False,
                        citations=[c("a.txt", 1), c("b.txt", 1)],
                        sources=["a.txt", "b.txt"],
                    ),
                    ContestedPosition(
                        side="Beta",
                        claim_ids=["C2"],
                        statement=beta_reports[0].statement,
                        negated=True,
                        citations=[c("a.txt", 2), c("b.txt", 2)],
                        sources=["a.txt", "b.txt"],
                    ),
                ],
            )
        ],
        figures=[
            FigureComparison(
                quantity="people killed",
                values=[
                    FigureValue(doc_id="a.txt", value=120, text="120", citation=c("a.txt", 4)),
                    FigureValue(doc_id="b.txt", value=130, text="130", citation=c("b.txt", 5)),
                ],
                discrepancy=True,
                sources=["a.txt", "b.txt"],
            )
        ],
    )


def run(brief: Brief, folder: Path) -> dict:
    return evaluate(brief, load_gold(folder / "toy.gold.json"), brief_dir=folder, gold_dir=folder)


def flat(result: dict) -> dict[str, float | int | None]:
    """Every headline metric as one flat dict, to assert what changed and what did not."""
    values: dict[str, float | int | None] = {}
    for kind, item in result["items"].items():
        values[f"{kind}.recall"] = item["recall"]
        values[f"{kind}.precision"] = item["precision"]
    values["citation_validity"] = result["citation_validity"]["share"]
    values["citation_support"] = result["citation_support"]["share"]
    values["source_recall"] = result["source_recall"]["share"]
    values["boilerplate_leaks"] = result["boilerplate_leaks"]["count"]
    return values


def changed(base: dict, other: dict) -> dict[str, tuple]:
    return {key: (base[key], other[key]) for key in base if base[key] != other[key]}


# ---------------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------------


def test_similarity_ranks_paraphrase_above_unrelated_text() -> None:
    gold = "no progress has been made in the Cairo talks"
    close = "A Hamas official said that no progress had been made at a new round of talks in Cairo."
    unrelated = "Delegations left Cairo and consultations were expected to continue within 48 hours."
    assert similarity(gold, close) >= 0.6
    assert similarity(gold, unrelated) < 0.6
    assert similarity(gold, close) > similarity(gold, unrelated)
    assert similarity("", close) == 0.0


def test_names_are_normalised_and_alias_aware() -> None:
    assert name_key("the U.S.") == "us"
    assert names_match(["US"], ["United States", "U.S."]) == 1.0
    assert names_match(["Israeli"], ["Israel"]) > 0  # 'Israel' / 'Israeli' are one party
    assert names_match(["Hamas"], ["Israel", "Israeli officials"]) == 0.0


def test_sides_resolve_through_aliases_and_member_of() -> None:
    sides = SideResolver(
        [
            GoldParty(name="Joe Biden", aliases=["White House"], docs=["x"]),
            GoldParty(name="Jennifer Granholm", aliases=["Granholm"], member_of="Joe Biden", docs=["x"]),
            GoldParty(name="Republican Party", aliases=["GOP", "Republicans"], docs=["x"]),
        ]
    )
    assert sides.same("White House", "Jennifer Granholm")
    assert sides.same("Granholm", "Joe Biden")
    assert not sides.same("GOP", "Joe Biden")
    assert sides.same("unknown", "unknown")
    assert not sides.same("GOP", "unknown")
    assert sides.same("Jennifer Granholm and Kevin Roe", "Joe Biden")  # people shown as one side
    assert not sides.same("Kevin Roe and Ann Vole", "Joe Biden")


def test_greedy_match_is_one_to_one_and_best_first() -> None:
    scores = {(0, 0): 0.9, (0, 1): 0.95, (1, 1): 0.7, (1, 0): 0.65}
    pairs = greedy_match(2, 2, lambda g, b: scores.get((g, b), 0.0), 0.6)
    assert [(p.gold, p.brief) for p in pairs] == [(0, 1), (1, 0)]
    assert greedy_match(2, 2, lambda g, b: 0.5, 0.6) == []


def test_gold_rejects_unknown_documents_and_claims() -> None:
    data = gold_data()
    data["parties"][0]["docs"] = ["nope.txt"]
    with pytest.raises(ValueError, match="unknown documents"):
        Gold.model_validate(data)
    data = gold_data()
    data["contested"][0]["positions"][0]["claims"] = ["Z9"]
    with pytest.raises(ValueError, match="unknown claims"):
        Gold.model_validate(data)


# ---------------------------------------------------------------------------------------------------
# The metrics, on a perfect brief and on damaged copies
# ---------------------------------------------------------------------------------------------------


def test_perfect_brief_scores_full_marks(corpus: Path) -> None:
    values = flat(run(good_brief(corpus), corpus))
    assert all(v == 1.0 for k, v in values.items() if k != "boilerplate_leaks"), values
    assert values["boilerplate_leaks"] == 0


def test_wrong_citation_lowers_only_citation_validity(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    wrong = brief.proposals[0].citations[0]
    brief.proposals[0].citations[0] = wrong.model_copy(
        update={"start": wrong.start + 3, "end": wrong.end + 3}
    )
    result = run(brief, corpus)
    assert set(changed(base, flat(result))) == {"citation_validity"}
    assert result["citation_validity"]["share"] < 1.0
    assert "text differs" in result["citation_validity"]["invalid"][0]["reason"]


def test_wrong_line_number_or_missing_file_is_invalid(corpus: Path) -> None:
    brief = good_brief(corpus)
    citation = brief.proposals[0].citations[0]
    brief.proposals[0].citations[0] = citation.model_copy(update={"line": 1})
    brief.figures[0].values[0].citation = (
        brief.figures[0]
        .values[0]
        .citation.model_copy(update={"path": str(corpus / "gone" / "missing.txt"), "doc_id": "missing.txt"})
    )
    invalid = run(brief, corpus)["citation_validity"]["invalid"]
    assert [("line 1 is wrong" in i["reason"], "not found" in i["reason"]) for i in invalid] == [
        (True, False),
        (False, True),
    ]


def test_citing_boilerplate_is_a_leak_and_nothing_else(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    brief.parties[0].citations.append(cite(corpus, "a.txt", 5))  # the READ: cross-link
    result = run(brief, corpus)
    assert changed(base, flat(result)) == {"boilerplate_leaks": (0, 1)}
    assert result["boilerplate_leaks"]["leaks"][0]["kind"] == "cross_link"


def test_missing_party_lowers_only_party_recall(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    brief.parties = [p for p in brief.parties if p.name != "Beta"]
    result = run(brief, corpus)
    assert changed(base, flat(result)) == {"parties.recall": (1.0, 0.5)}
    assert result["items"]["parties"]["missed"] == ["Beta"]


def test_merging_the_two_sides_of_a_contested_point_lowers_contested_and_claim_recall(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    first, second = brief.claims
    merged = first.model_copy(
        update={"speaker_sides": ["Alpha", "Beta"], "reports": [*first.reports, *second.reports]}
    )
    brief.claims = [merged]
    brief.contested = []
    result = run(brief, corpus)
    # One claim can stand for one gold claim only, and no contested point is left: exactly these drop.
    assert changed(base, flat(result)) == {
        "claims.recall": (1.0, 0.5),
        "contested.recall": (1.0, 0.0),
        "contested.precision": (1.0, None),
    }


def test_contested_point_with_one_side_only_is_not_a_match(corpus: Path) -> None:
    brief = good_brief(corpus)
    point = brief.contested[0]
    brief.contested[0] = point.model_copy(update={"positions": [point.positions[0], point.positions[0]]})
    values = flat(run(brief, corpus))
    assert values["contested.recall"] == 0.0
    assert values["contested.precision"] == 0.0


def test_wrong_side_or_party_is_no_match(corpus: Path) -> None:
    brief = good_brief(corpus)
    brief.demands[0] = brief.demands[0].model_copy(update={"party": "Beta"})
    brief.claims[0] = brief.claims[0].model_copy(
        update={
            "speaker_sides": ["Beta"],
            "reports": [r.model_copy(update={"speaker_side": "Beta"}) for r in brief.claims[0].reports],
        }
    )
    values = flat(run(brief, corpus))
    assert values["demands.recall"] == 0.0
    assert values["claims.recall"] == 0.5


def test_citing_fewer_sources_lowers_only_source_recall(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    brief.demands[0].citations.pop()  # the demand now cites a.txt only; gold says a.txt and b.txt
    result = run(brief, corpus)
    assert set(changed(base, flat(result))) == {"source_recall"}
    assert result["source_recall"]["by_kind"]["demands"] == 0.5


def test_unsupported_item_lowers_only_citation_support(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    # The proposal now cites a sentence that does not say it (still a valid citation of b.txt).
    brief.proposals[0].citations[0] = cite(corpus, "b.txt", 5)
    result = run(brief, corpus)
    assert set(changed(base, flat(result))) == {"citation_support"}
    assert result["citation_support"]["not_supported"] == [
        {"kind": "proposal", "item": "a three-stage truce", "support": "unsupported"}
    ]
    assert "lexical" in result["citation_support"]["method"]


def test_spurious_items_lower_only_precision(corpus: Path) -> None:
    base = flat(run(good_brief(corpus), corpus))
    brief = good_brief(corpus)
    brief.proposals.append(
        ProposalEntry(summary="Officials said 130 people were killed.", citations=[cite(corpus, "b.txt", 5)])
    )
    result = run(brief, corpus)
    assert changed(base, flat(result)) == {"proposals.precision": (1.0, 0.5)}


def test_figures_without_the_discrepancy_flag_are_missed(corpus: Path) -> None:
    brief = good_brief(corpus)
    brief.figures[0] = brief.figures[0].model_copy(update={"discrepancy": False})
    values = flat(run(brief, corpus))
    assert values["figure_discrepancies.recall"] == 0.0
    assert values["figure_discrepancies.precision"] is None


# ---------------------------------------------------------------------------------------------------
# The command and the gold files of the repository
# ---------------------------------------------------------------------------------------------------


def test_eval_command_prints_a_table_writes_json_and_rebases_paths(corpus: Path, tmp_path_factory) -> None:
    brief = good_brief(corpus)
    # Written as if the brief had been made in another folder: relative paths, re-based with --root.
    for citation_holder in [*brief.parties, *brief.demands, *brief.proposals]:
        citation_holder.citations = [
            c.model_copy(update={"path": f"elsewhere/{c.doc_id}"}) for c in citation_holder.citations
        ]
    out = tmp_path_factory.mktemp("out")
    (out / "brief.json").write_text(brief.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    args = ["eval", str(out / "brief.json"), str(corpus / "toy.gold.json"), "--json", str(out / "eval.json")]
    without_root = runner.invoke(app, [*args, "--strict"])
    assert without_root.exit_code == 1  # the re-based paths do not resolve: invalid citations
    result = runner.invoke(app, [*args, "--root", str(corpus), "--strict"])
    assert result.exit_code == 0, result.output
    assert "citation validity" in result.output
    written = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert written["citation_validity"]["share"] == 1.0
    assert written["items"]["parties"]["recall"] == 1.0


def test_eval_command_rejects_a_bad_gold_file(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "brief.json").write_text(good_brief(corpus).model_dump_json(), encoding="utf-8")
    (tmp_path / "bad.gold.json").write_text('{"title": "x"}', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "brief.json"), str(tmp_path / "bad.gold.json")])
    assert result.exit_code == 2


@pytest.mark.parametrize("gold_file", sorted((ROOT / "gold").rglob("*.gold.json")), ids=lambda p: p.name)
def test_repository_gold_files_are_valid_and_point_at_real_text(gold_file: Path) -> None:
    gold = load_gold(gold_file)
    for document in gold.documents:
        assert (gold_file.parent / document.path).is_file(), document.path
    # Every boilerplate span is found verbatim on its line, so leaks are measured by character span.
    empty = Brief(title="-", backend="-", model="-", complete=True, sources=[])
    result = evaluate(empty, gold, gold_dir=gold_file.parent)
    assert result["boilerplate_leaks"]["unresolved"] == []


def test_gold_schema_is_exported() -> None:
    assert (ROOT / "schemas" / "gold.schema.json").read_text(encoding="utf-8") == schema_files()[
        "gold.schema.json"
    ]
