"""merge: canonical parties, clusters across sources, contested points, figure discrepancies, scale."""

from __future__ import annotations

from summarizer.analysis import UNKNOWN_SIDE, build_party_index
from summarizer.documents import Document, build_sentences
from summarizer.embeddings import default_encoder
from summarizer.ground import GroundedFigure
from summarizer.merge import (
    PartyResolver,
    find_contested,
    merge_claims,
    merge_demands,
    merge_figures,
    merge_parties,
)
from summarizer.models import (
    Citation,
    ClaimReport,
    DemandEntry,
    FigureValue,
    PartyEntry,
    PartyRole,
)


def _doc(text: str, name: str) -> Document:
    sentences, date = build_sentences(text)
    return Document(
        doc_id=name, label=name[:3], path=name, text=text, sha256=name, date=date, sentences=sentences
    )


def _citation(doc_id: str, line: int = 1, text: str = "cited text") -> Citation:
    return Citation(
        marker=f"{doc_id[:3]}:L{line}",
        doc_id=doc_id,
        path=doc_id,
        line=line,
        start=0,
        end=len(text),
        sentence=line,
        text=text,
    )


def _index():
    return build_party_index(
        [
            _doc(
                "Israel and Hamas sent delegations to Cairo, where Egypt hosted the talks.\n"
                "“There is no change in the position of the occupation (Israel),” a Hamas official said.\n",
                "001_a.txt",
            ),
            _doc(
                "Israeli officials said Hamas rejected the offer. Egypt said progress was made.\n",
                "002_b.txt",
            ),
        ]
    )


def _claim(
    doc_id: str, side: str, statement: str, speaker: str = "an official", line: int = 1
) -> ClaimReport:
    from summarizer.ground import is_negated

    return ClaimReport(
        doc_id=doc_id,
        speaker=speaker,
        speaker_side=side,
        statement=statement,
        negated=is_negated(statement),
        citations=[_citation(doc_id, line, statement)],
        sources=[doc_id],
    )


# ---------------------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------------------


def test_party_aliases_resolve_to_one_canonical_party() -> None:
    resolver = PartyResolver(_index())
    assert resolver.resolve("Israeli") == "Israel"
    assert resolver.resolve("the occupation") == "Israel"
    assert resolver.resolve("Israeli officials") == "Israel"
    assert resolver.resolve("Egyptian") == "Egypt"
    assert resolver.resolve("Hamas") == "Hamas"
    assert resolver.resolve("unknown") == UNKNOWN_SIDE
    assert resolver.resolve(None) == UNKNOWN_SIDE
    assert resolver.resolve("Northern Alliance") == "Northern Alliance"  # a new name becomes a party


def test_merge_parties_groups_aliases_across_documents() -> None:
    resolver = PartyResolver(_index())
    entries = [
        PartyEntry(
            name="Israel",
            role=PartyRole.belligerent,
            citations=[_citation("001_a.txt")],
            sources=["001_a.txt"],
        ),
        PartyEntry(
            name="Israeli", role=PartyRole.other, citations=[_citation("002_b.txt")], sources=["002_b.txt"]
        ),
        PartyEntry(
            name="the occupation",
            role=PartyRole.other,
            citations=[_citation("003_c.txt")],
            sources=["003_c.txt"],
        ),
        PartyEntry(
            name="Egypt",
            role=PartyRole.mediator,
            citations=[_citation("001_a.txt", 2)],
            sources=["001_a.txt"],
        ),
    ]
    merged = merge_parties(entries, resolver)
    assert [p.name for p in merged] == ["Israel", "Egypt"]
    israel = merged[0]
    assert israel.sources == ["001_a.txt", "002_b.txt", "003_c.txt"]
    assert israel.role == PartyRole.belligerent  # 'other' does not outvote a real role
    assert {"Israeli", "the occupation"} <= set(israel.aliases)
    assert len(israel.citations) == 3


# ---------------------------------------------------------------------------------------------------
# Demands and claims
# ---------------------------------------------------------------------------------------------------


def test_demands_cluster_across_documents_with_their_sources() -> None:
    resolver = PartyResolver(_index())

    def demand(doc: str, party: str, text: str) -> DemandEntry:
        return DemandEntry(party=party, demand=text, citations=[_citation(doc)], sources=[doc])

    merged = merge_demands(
        [
            demand("001_a.txt", "Hamas", "a permanent ceasefire"),
            demand("002_b.txt", "Hamas", "permanent ceasefire in Gaza"),
            demand("003_c.txt", "Hamas", "the return of displaced residents"),
            demand("003_c.txt", "Israel", "a permanent ceasefire"),  # same words, another party
            demand("004_d.txt", "Israeli", "the release of all hostages"),
        ],
        resolver,
    )
    by_key = {(d.party, d.demand): d for d in merged}
    assert len(merged) == 4
    ceasefire = by_key[("Hamas", "a permanent ceasefire")]
    assert ceasefire.sources == ["001_a.txt", "002_b.txt"]
    assert [c.doc_id for c in ceasefire.citations] == ["001_a.txt", "002_b.txt"]
    assert by_key[("Israel", "a permanent ceasefire")].sources == ["003_c.txt"]
    assert by_key[("Israel", "the release of all hostages")].sources == ["004_d.txt"]


def test_claims_group_across_sources() -> None:
    resolver = PartyResolver(_index())
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "Some progress had been made in the Cairo talks, sources said."),
            _claim("002_b.txt", "Egyptian", "Some progress had been made in the Cairo talks."),
            _claim("003_c.txt", "Egypt", "The delegations will leave Cairo within two days."),
            _claim("003_c.txt", "Hamas", "Some progress had been made in the Cairo talks."),  # another side
        ],
        resolver,
        default_encoder(),
    )
    assert [g.id for g in groups] == ["C1", "C2", "C3"]
    first = groups[0]
    assert first.sources == ["001_a.txt", "002_b.txt"]
    assert first.speaker_sides == ["Egypt"]
    assert {r.doc_id for r in first.reports} == {"001_a.txt", "002_b.txt"}
    assert sorted(len(g.sources) for g in groups) == [1, 1, 2]


def test_contested_point_for_opposite_claims_from_different_sides() -> None:
    resolver = PartyResolver(_index())
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "Some progress had been made in the Cairo talks."),
            _claim("002_b.txt", "Egypt", "Progress had been made in the Cairo talks, officials said."),
            _claim("003_c.txt", "Hamas", "No progress had been made in the Cairo talks."),
            _claim("003_c.txt", "Hamas", "The delegations will leave the capital tomorrow."),
        ],
        resolver,
        default_encoder(),
    )
    contested = find_contested(groups, centroids)
    assert len(contested) == 1
    (point,) = contested
    sides = {(p.side, p.negated): p for p in point.positions}
    assert set(sides) == {("Egypt", False), ("Hamas", True)}
    assert sides[("Egypt", False)].sources == ["001_a.txt", "002_b.txt"]
    assert sides[("Hamas", True)].sources == ["003_c.txt"]
    assert "progress" in point.question.lower()
    for position in point.positions:
        assert position.citations and all(c.doc_id in position.sources for c in position.citations)


def test_paraphrases_join_and_opposite_polarity_or_another_side_stays_apart() -> None:
    groups, _ = merge_claims(
        [
            _claim("001_a.txt", "Hamas", "At present, there is no progress in the negotiations."),
            _claim("002_b.txt", "Hamas", "No progress was made in the talks on Sunday."),
            _claim("003_c.txt", "Hamas", "Progress was made in the talks on Sunday."),  # the opposite
            _claim("004_d.txt", "Egypt", "No progress was made in the talks on Sunday."),  # another side
        ],
        PartyResolver(_index()),
        default_encoder(),
    )
    by_sources = {tuple(g.sources): g for g in groups}
    assert set(by_sources) == {("001_a.txt", "002_b.txt"), ("003_c.txt",), ("004_d.txt",)}
    assert by_sources[("001_a.txt", "002_b.txt")].negated
    assert not by_sources[("003_c.txt",)].negated


def test_no_contest_for_same_polarity() -> None:
    resolver = PartyResolver(_index())
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "Some progress had been made in the Cairo talks."),
            _claim("002_b.txt", "Hamas", "Progress has been made at the Cairo talks on the agenda."),
        ],
        resolver,
        default_encoder(),
    )
    assert find_contested(groups, centroids) == []


def test_no_contest_when_one_side_contradicts_itself() -> None:
    resolver = PartyResolver(_index())
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Hamas", "Some progress had been made in the Cairo talks."),
            _claim("002_b.txt", "Hamas", "No progress had been made in the Cairo talks."),
        ],
        resolver,
        default_encoder(),
    )
    assert len(groups) == 2
    assert find_contested(groups, centroids) == []


def test_no_contest_between_unrelated_claims() -> None:
    resolver = PartyResolver(_index())
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "Some progress had been made in the Cairo talks."),
            _claim("002_b.txt", "Hamas", "The group has not received any written offer from the mediators."),
        ],
        resolver,
        default_encoder(),
    )
    assert find_contested(groups, centroids) == []


# ---------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------


def _figure(doc: str, quantity: str, value: float, text: str) -> GroundedFigure:
    return GroundedFigure(
        quantity=quantity,
        value=FigureValue(doc_id=doc, value=value, text=text, citation=_citation(doc, 3, f"{text} people")),
    )


def test_figure_discrepancy_is_flagged() -> None:
    comparisons = merge_figures(
        [
            _figure("001_a.txt", "people killed", 33175, "33,175"),
            _figure("002_b.txt", "people killed", 33207, "Some 33,207"),
            _figure("002_b.txt", "people killed", 1200, "1,200"),
            _figure("003_c.txt", "people killed", 1200, "around 1,200"),
            _figure("004_d.txt", "hostages held", 133, "133"),
        ]
    )
    by_values = {tuple(v.value for v in c.values): c for c in comparisons}
    assert set(by_values) == {(33175, 33207), (1200, 1200)}
    deaths = by_values[(33175, 33207)]
    assert deaths.discrepancy is True
    assert deaths.sources == ["001_a.txt", "002_b.txt"]
    assert deaths.quantity == "people killed"
    assert by_values[(1200, 1200)].discrepancy is False  # equal values are agreement, not a discrepancy
    assert comparisons[0] is deaths  # discrepancies first


def test_figures_of_different_scale_are_not_grouped() -> None:
    comparisons = merge_figures(
        [
            _figure("001_a.txt", "people killed", 1200, "1,200"),
            _figure("002_b.txt", "people killed", 33000, "more than 33,000"),
        ]
    )
    assert comparisons == []


def test_a_figure_given_twice_by_one_outlet_is_not_a_comparison() -> None:
    comparisons = merge_figures(
        [
            _figure("001_a.txt", "hostages held", 133, "133"),
            _figure("001_a.txt", "hostages held", 130, "around 130"),
        ]
    )
    assert comparisons == []


def test_amounts_of_money_are_compared_only_for_the_same_kind() -> None:
    comparisons = merge_figures(
        [
            # Within 20% of each other but different things: no discrepancy.
            _figure("001_a.txt", "money: proposal", 928e9, "$928 billion"),
            _figure("002_b.txt", "money: spending", 1e12, "$1 trillion"),
            # The same amount, once with its kind and once without: one comparison, in agreement.
            _figure("001_a.txt", "money: spending", 50e9, "$50 billion"),
            _figure("003_c.txt", "money", 50e9, "roughly $50 billion"),
            # Two outlets, one kind, different amounts: a discrepancy.
            _figure("002_b.txt", "money: proposal", 1.7e12, "$1.7 trillion"),
            _figure("003_c.txt", "money: proposal", 1.8e12, "$1.8 trillion"),
        ]
    )
    found = {(c.quantity, tuple(v.value for v in c.values), c.discrepancy) for c in comparisons}
    assert found == {
        ("money: spending", (50e9, 50e9), False),
        ("money: proposal", (1.7e12, 1.8e12), True),
    }


def test_a_count_without_its_event_joins_the_nearest_kind_of_its_family() -> None:
    comparisons = merge_figures(
        [
            _figure("001_a.txt", "hostages held", 130, "around 130"),
            _figure("002_b.txt", "hostages held", 133, "133"),
            _figure("003_c.txt", "hostages", 133, "the 133 hostages"),  # "... can be released"
            _figure("004_d.txt", "hostages released", 40, "40"),  # far in value: its own run
        ]
    )
    (held,) = comparisons
    assert held.quantity == "hostages held" and held.sources == ["001_a.txt", "002_b.txt", "003_c.txt"]
    assert held.discrepancy is True


# ---------------------------------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------------------------------


def test_unrelated_claims_stay_apart_and_a_claim_of_two_outlets_groups() -> None:
    """Claims on different subjects stay apart; one carried by two outlets is one group. The speed at
    scale is measured by bench/merge_scale.py, not here."""
    topics = [
        "The harvest was the worst in a decade because of the drought.",
        "The central bank will raise interest rates next month.",
        "Three ministers resigned over the housing scandal.",
        "The stadium will host the final of the cup in June.",
        "A new railway line will connect the two largest cities.",
        "Hospitals are short of nurses and beds this winter.",
        "The court postponed the hearing until the autumn.",
    ]
    sides = ["Egypt", "Hamas", "Israel", "Qatar", "United States"]
    reports = [
        _claim(f"{n:03d}_synthetic.txt", sides[n % len(sides)], text, line=n + 1)
        for n, text in enumerate(topics)
    ]
    planted = "The delegations agreed on a phased exchange of prisoners and a six week ceasefire"
    reports.append(_claim("017_synthetic.txt", "Qatar", planted, line=21))
    reports.append(_claim("023_synthetic.txt", "Qatari", planted + ", officials said.", line=21))
    groups, centroids = merge_claims(reports, PartyResolver(_index()), default_encoder())
    assert len(groups) == len(topics) + 1
    top = groups[0]
    assert top.sources == ["017_synthetic.txt", "023_synthetic.txt"]
    assert top.speaker_sides == ["Qatar"]
    assert all(len(g.sources) == 1 for g in groups[1:])
    assert len({g.id for g in groups}) == len(groups)
    assert find_contested(groups, centroids) == []


def test_merge_is_the_same_in_every_process() -> None:
    """Ties between candidate clusters must not be broken by set order (which PYTHONHASHSEED changes)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    script = (
        "import hashlib, sys; sys.path.insert(0, 'bench'); import merge_scale as m; "
        "g, d, i = m.fresh_inputs(150, 3); b = m.merge(g, d, i); "
        "print(hashlib.sha256(b.model_dump_json(exclude={'stats'}).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip())
    assert len(digests) == 1  # one brief, whatever the hash seed


def test_rival_proposals_meet_as_one_question() -> None:
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "raising the fuel tax"),
            _claim("001_a.txt", "Hamas", "opposes raising the fuel tax"),
        ],
        PartyResolver(_index()),
        default_encoder(),
    )
    (point,) = find_contested(groups, centroids)
    assert point.id == "Q1"
    assert point.question == "For or against raising the fuel tax"
    assert {(p.side, p.negated) for p in point.positions} == {("Egypt", False), ("Hamas", True)}


def test_a_merged_claim_does_not_chain_claims_that_only_share_a_topic(monkeypatch) -> None:
    """A chain of wordings, each close to the next, drifts far from where it began: the centroid would
    carry it along (the first assertion shows it does without the floor); with it, no two members of
    one merged claim are less similar than MIN_MEMBER_SIMILARITY."""
    import numpy as np

    from summarizer import merge

    rng = np.random.default_rng(7)
    chain = [rng.normal(size=64)]
    for _ in range(11):
        chain.append(chain[-1] + 0.55 * np.linalg.norm(chain[-1]) / 8 * rng.normal(size=64))
    vectors = np.stack([v / np.linalg.norm(v) for v in chain])
    blocks = [("Side", False)] * len(vectors)

    def weakest_pair(clusters: list[list[int]]) -> float:
        return min(float((vectors[c] @ vectors[c].T).min()) for c in clusters)

    monkeypatch.setattr(merge, "MIN_MEMBER_SIMILARITY", -1.0)
    assert weakest_pair(merge._cluster_by_meaning(vectors, blocks, merge.SAME_CLAIM)) < 0.35
    monkeypatch.undo()
    clusters = merge._cluster_by_meaning(vectors, blocks, merge.SAME_CLAIM)
    assert weakest_pair(clusters) >= merge.MIN_MEMBER_SIMILARITY
    assert sorted(i for c in clusters for i in c) == list(range(len(vectors)))
