"""The dev-cluster scorer: the party matching rule, gold deduplication and the per-brief metrics, on
made-up names and hand-built briefs (no dev-cluster text in the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_evaluate import cite

from summarizer.devclusters import bad_speaker, load_dev_gold, match_rule, party_key, score_brief
from summarizer.models import Brief, ClaimGroup, ClaimReport, PartyEntry, PartyRole, SourceDocument

TEXT_A = "Senator Dana Quillfeather said the vote would fail.\nThe Orvel Labour Union disagreed.\n"
TEXT_B = "Quillfeather repeated her warning on Tuesday.\n"


@pytest.mark.parametrize(
    ("gold", "names", "rule"),
    [
        ("Dana Quillfeather", ["Dana Quillfeather"], "name"),
        ("Dana Quillfeather", ["DANA QUILLFEATHER’s"], "name"),  # case and possessive
        ("rep. Dana Quillfeather", ["Dana Quillfeather"], "name"),  # honorific dropped
        ("Dana Quillfeather", ["Quillfeather"], "surname"),
        ("Dana Quillfeather", ["Sen. Quillfeather"], "surname"),  # title words before the surname
        ("Dana Quillfeather", ["Someone", "Quillfeather"], "surname"),  # an alias counts
        ("Dana Quillfeather", ["Senate Majority Leader Dana Quillfeather"], "title"),
        ("Dana Quillfeather", ["Dana"], None),  # a first name alone is not enough
        ("Dana Quillfeather", ["Dana Morrow"], None),  # same first name, another person
        ("Dana Quillfeather", ["Rory Quillfeather"], None),  # same surname, another person
        ("Dana Quillfeather", ["Dana Quillfeather Jr."], None),  # the son is not the parent
        ("Dana Quillfeather", ["Quillfeather administration"], None),
        ("Jon Q. Barrowby Jr.", ["Jon Barrowby"], "name"),  # middle initial and suffix
        ("H. K. Osterley", ["H.K. Osterley"], "name"),  # initials joined either way
        ("United States Senate", ["Senate"], "name"),
        ("Supreme Court of the United States", ["the Supreme Court"], "name"),
        ("United States Department of Fisheries", ["Fisheries Department"], "name"),
        ("United States Senate", ["Senate Republicans"], None),  # no containment for organisations
        ("Orvel Labour Union", ["OLU"], "acronym"),
        ("Orvel Labour Union", ["Olu"], None),  # an acronym is written in capitals
        ("United States Department of Soil and Water", ["SW"], "acronym"),  # 'Department of X'
        ("Orvel Labour Union", ["Orvel Labour"], None),
        ("White House", ["House"], None),  # an organisation has no surname
        ("Green Party", ["Greens"], None),  # no synonym table
        ("Green Party", ["Greens", "Green Party"], "name"),
    ],
)
def test_match_rule(gold: str, names: list[str], rule: str | None) -> None:
    assert match_rule(gold, names) == rule


def test_ambiguous_surname_counts_for_nobody() -> None:
    assert match_rule("Dana Quillfeather", ["Quillfeather"], frozenset({"quillfeather"})) is None
    assert match_rule("Dana Quillfeather", ["Dana Quillfeather"], frozenset({"quillfeather"})) == "name"


def test_party_key() -> None:
    assert party_key("The U.S.") == "us"
    assert party_key("Justice Department") == "justice department"  # not an honorific here
    assert party_key("reps . Dana Quillfeather") == "dana quillfeather"


@pytest.mark.parametrize(
    ("speaker", "bad"),
    [
        ("Dana Quillfeather", False),
        ("Senate Majority Leader Dana Quillfeather", False),  # six words
        ("he", True),
        ("Their spokesman", True),
        ("the top official of the Orvel union", True),  # seven words
        ("Thelma Ward", False),  # 'The...' is not a pronoun
    ],
)
def test_bad_speaker(speaker: str, bad: bool) -> None:
    assert bad_speaker(speaker) is bad


def write_cluster(folder: Path) -> None:
    (folder / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (folder / "b.txt").write_text(TEXT_B, encoding="utf-8")
    gold = {
        "event_title": "Vote in Orvel",
        "files": {"T0": "a.txt", "T1": "b.txt"},
        "parties_per_file": {
            "a.txt": ["Dana Quillfeather", "Orvel Labour Union", "Rory Quillfeather"],
            "b.txt": ["dana quillfeather", "Ministry of Fisheries"],
        },
        "stance_triplets": [],
    }
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")


def test_load_dev_gold_dedupes(tmp_path: Path) -> None:
    write_cluster(tmp_path)
    gold = load_dev_gold(tmp_path / "gold.json")
    assert gold.files == ["a.txt", "b.txt"]
    assert gold.parties == [
        "Dana Quillfeather",
        "Orvel Labour Union",
        "Rory Quillfeather",
        "Ministry of Fisheries",
    ]


def test_score_brief(tmp_path: Path) -> None:
    write_cluster(tmp_path)
    gold = load_dev_gold(tmp_path / "gold.json")

    def report(speaker: str) -> ClaimReport:
        return ClaimReport(
            citations=[cite(tmp_path, "b.txt", 1)],
            doc_id="b.txt",
            speaker=speaker,
            speaker_side="x",
            statement="s",
        )

    brief = Brief(
        title="t",
        backend="test",
        model="hand",
        complete=True,
        sources=[
            SourceDocument(doc_id=d, path=str(tmp_path / d), sha256="0", sentences=2)
            for d in ("a.txt", "b.txt")
        ],
        parties=[
            # A bare surname shared by two gold people finds neither of them.
            PartyEntry(
                name="Quillfeather", role=PartyRole.legislator, citations=[cite(tmp_path, "a.txt", 1)]
            ),
            PartyEntry(name="OLU", role=PartyRole.other, citations=[cite(tmp_path, "a.txt", 2, damage=True)]),
            PartyEntry(name="Orvel", role=PartyRole.other),
        ],
        claims=[
            ClaimGroup(
                id="C1",
                statement="s",
                speaker_sides=["x"],
                negated=False,
                reports=[report("she"), report("Dana Quillfeather")],
                sources=["b.txt"],
            )
        ],
    )
    score = score_brief(brief, gold, tmp_path)
    assert (score["found"], score["gold_parties"]) == (1, 4)
    assert score["matches"] == {"Orvel Labour Union": {"brief": "OLU", "rule": "acronym"}}
    assert score["missed"] == ["Dana Quillfeather", "Rory Quillfeather", "Ministry of Fisheries"]
    assert score["unmatched_brief"] == ["Quillfeather", "Orvel"]
    assert (score["brief_parties"], score["too_long"]) == (3, False)
    assert (score["claims"], score["claim_reports"], score["bad_speakers"]) == (1, 2, 1)
    assert (score["citations"], score["citations_valid"]) == (3, 2)  # the damaged quote is caught
    assert (score["sources_cited"], score["sources"]) == (2, 2)
    # One more party than twice the gold list is flagged.
    longer = brief.model_copy(
        update={"parties": [PartyEntry(name=f"P{i}", role=PartyRole.other) for i in range(9)]}
    )
    assert score_brief(longer, gold, tmp_path)["too_long"] is True
