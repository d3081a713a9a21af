"""merge: canonical parties, clusters across sources, contested points, figure discrepancies, scale."""

from __future__ import annotations

from summarizer.analysis import UNKNOWN_SIDE, build_party_index
from summarizer.documents import Document, build_sentences
from summarizer.embeddings import default_encoder
from summarizer.ground import GroundedFigure, cite
from summarizer.merge import (
    AnaphoraContext,
    PartyResolver,
    find_contested,
    merge_claims,
    merge_demands,
    merge_figures,
    merge_parties,
    resolve_demands,
    without_figure_statements,
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

    entries = [
        demand("001_a.txt", "Hamas", "a permanent ceasefire"),
        demand("002_b.txt", "Hamas", "permanent ceasefire in Gaza"),
        demand("003_c.txt", "Hamas", "the return of displaced residents"),
        demand("003_c.txt", "Israel", "a permanent ceasefire"),  # same words, another party
        demand("004_d.txt", "Israeli", "the release of all hostages"),
    ]
    merged = merge_demands(resolve_demands(entries, resolver))
    assert entries[-1].party == "Israeli", "the merge leaves its inputs as they were"
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


def test_a_side_does_not_both_assert_and_deny_within_one_question() -> None:
    """A question holds each side once: a claim of a side that already answers it the other way is left
    out of it, however close in meaning (it answers something else)."""
    groups, centroids = merge_claims(
        [
            _claim("001_a.txt", "Egypt", "Some progress had been made in the Cairo talks."),
            _claim("002_b.txt", "Hamas", "No progress had been made in the Cairo talks."),
            _claim("003_c.txt", "Hamas", "Progress was made in the Cairo talks, the group said."),
        ],
        PartyResolver(_index()),
        default_encoder(),
    )
    assert len(groups) == 3
    (point,) = find_contested(groups, centroids)
    assert {(p.side, p.negated) for p in point.positions} == {("Egypt", False), ("Hamas", True)}


def test_a_paragraph_restating_a_sides_demands_is_one_claim() -> None:
    """Two sentences of one paragraph that only restate Hamas's demands (each cited by Hamas demands)
    are one claim whatever their wording; the sentence carrying most of the demands speaks for it.
    Another paragraph's demand, another claim of Hamas, and a sentence with another party's demand
    stay apart."""
    wish = _claim("001_a.txt", "Hamas", "It would like to see a complete cessation of aggression.", line=2)
    listed = _claim(
        "001_a.txt", "Hamas", "The group reiterated its demands, a withdrawal and a ceasefire.", line=2
    )
    later = _claim(
        "001_a.txt", "Hamas", "It also wants the money to come from the unspent budget of the agency.", line=6
    )
    other = _claim("001_a.txt", "Hamas", "The Israeli delegation failed to respond to the proposal.", line=7)
    israel = _claim("001_a.txt", "Hamas", "Israel demands the release of all hostages first.", line=2)

    def demand(party: str, text: str, of: ClaimReport) -> DemandEntry:
        return DemandEntry(party=party, demand=text, citations=of.citations, sources=of.sources)

    demands = [
        demand("Hamas", "a cessation of aggression", wish),
        demand("Hamas", "a withdrawal", listed),
        demand("Hamas", "a ceasefire", listed),
        demand("Hamas", "funds from the unspent budget", later),
        demand("Israel", "the release of hostages", israel),
    ]
    groups, _ = merge_claims(
        [wish, listed, later, other, israel], PartyResolver(_index()), default_encoder(), demands=demands
    )
    statements = sorted(sorted(r.statement for r in g.reports) for g in groups)
    assert statements == sorted(
        [sorted([wish.statement, listed.statement]), [later.statement], [other.statement], [israel.statement]]
    )
    (restated,) = [g for g in groups if len(g.reports) == 2]
    assert restated.statement == listed.statement  # it carries two of the demands


def test_a_claim_that_points_back_is_read_with_the_sentence_before() -> None:
    """'These steps took precedence …' says little alone; read after the sentence it points back to,
    it meets another outlet's report of that sentence. A claim that does not point back is read as
    it is."""
    first = "Deadlock continued over the refusal to end the war and lift the blockade."
    second = "These steps took precedence over the demand for a release of hostages."
    pointing = _doc(f"{first} {second}\n", "001_a.txt")
    plain = _doc(f"{first}\n", "002_b.txt")
    context = AnaphoraContext([pointing, plain])

    def report(document: Document, sentence_id: int) -> ClaimReport:
        citation = cite(document, sentence_id)
        return ClaimReport(
            doc_id=document.doc_id,
            speaker="an official",
            speaker_side="Hamas",
            statement=citation.text.rstrip("."),
            citations=[citation],
            sources=[document.doc_id],
        )

    steps, deadlock = report(pointing, 2), report(plain, 1)
    assert context(steps) == first + " "
    assert context(deadlock) == ""
    alone, _ = merge_claims([deadlock, steps], PartyResolver(_index()), default_encoder())
    assert len(alone) == 2
    (together,), _ = merge_claims(
        [deadlock, steps], PartyResolver(_index()), default_encoder(), context=context
    )
    assert together.sources == ["001_a.txt", "002_b.txt"]
    assert together.statement == deadlock.statement  # the report speaks for itself, not its context


def test_a_count_stated_as_a_claim_is_left_to_the_figures_table() -> None:
    """'Some 33,207 people have been killed', cited at a value the Figures section compares, is that
    figure; a claim that only contains a compared number is still a claim."""
    figures = merge_figures(
        [
            _figure("001_a.txt", "people killed", 33207, "Some 33,207"),
            _figure("002_b.txt", "people killed", 33175, "33,175"),
        ]
    )
    cited = figures[0].values[0].citation
    count = _claim("001_a.txt", "unknown", "Some 33,207 people have been killed in six months.")
    condition = _claim("001_a.txt", "Israel", "There will be no truce until the 33,207 return home.")
    elsewhere = _claim("001_a.txt", "unknown", "Some 33,207 people have been killed in six months.", line=9)
    count = count.model_copy(update={"citations": [cited]})
    condition = condition.model_copy(update={"citations": [cited]})
    kept = without_figure_statements([count, condition, elsewhere], figures)
    assert count not in kept
    assert condition in kept
    assert elsewhere in kept  # its sentence gives no compared value


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
    assert held.discrepancy is False  # 'around 130' holds 133 (issue 19): no exact values disagree


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
    assert point.question == "For or against raising the fuel tax?"
    assert {(p.side, p.negated) for p in point.positions} == {("Egypt", False), ("Hamas", True)}


def test_a_merged_claim_does_not_chain_claims_that_only_share_a_topic(monkeypatch) -> None:
    """A chain of wordings, each close to the next, drifts far from where it began: the centroid would
    carry it along (the first assertion shows it does without the floor); with it, no two members of
    one merged claim are less similar than MIN_MEMBER_SIMILARITY."""
    import numpy as np

    from summarizer.merge import claims, clustering

    rng = np.random.default_rng(7)
    chain = [rng.normal(size=64)]
    for _ in range(11):
        chain.append(chain[-1] + 0.55 * np.linalg.norm(chain[-1]) / 8 * rng.normal(size=64))
    vectors = np.stack([v / np.linalg.norm(v) for v in chain])
    blocks = [("Side", False)] * len(vectors)

    def weakest_pair(clusters: list[list[int]]) -> float:
        return min(float((vectors[c] @ vectors[c].T).min()) for c in clusters)

    monkeypatch.setattr(clustering, "MIN_MEMBER_SIMILARITY", -1.0)
    assert weakest_pair(clustering.cluster_by_meaning(vectors, blocks, claims.SAME_CLAIM)) < 0.35
    monkeypatch.undo()
    clusters = clustering.cluster_by_meaning(vectors, blocks, claims.SAME_CLAIM)
    assert weakest_pair(clusters) >= clustering.MIN_MEMBER_SIMILARITY
    assert sorted(i for c in clusters for i in c) == list(range(len(vectors)))


def test_merging_changes_neither_its_inputs_nor_the_party_index() -> None:
    """The merge is pure: the grounded documents and the analysis' party index are the same after it
    (sides and demand owners are resolved on copies; a name no document made a party is learned in an
    overlay of the index)."""
    import pickle
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import merge_scale

    grounded, documents, index = merge_scale.fresh_inputs(40, 3)
    for g in grounded[:5]:  # names the index does not know, as a model may give them
        g.demands[0].party = "Some New Coalition"
        g.claims[0].speaker_side = "Another Unknown Bloc"
    before = pickle.dumps((grounded, index.parties, index.lookup, index.affiliations))
    merge_scale.merge(grounded, documents, index)
    assert pickle.dumps((grounded, index.parties, index.lookup, index.affiliations)) == before
