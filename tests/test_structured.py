"""The structured sections on made-up sentences: roles from what the text says a party does, the people
who speak for a party, what is no party, demands with their owner as whole phrases, and figure rows
that compare like with like. Names and events are invented; only general knowledge (titles, countries)
is real."""

from __future__ import annotations

import pytest

from summarizer.analysis import (
    analyse_document,
    build_party_index,
    find_demands,
    organisation_role,
    rules_extraction,
    title_role,
)
from summarizer.analysis.roles import is_bystander
from summarizer.documents import Document, build_sentences
from summarizer.ground import GroundedFigure
from summarizer.merge import PartyResolver, merge_demands, merge_figures, merge_parties, resolve_demands
from summarizer.models import Citation, DemandEntry, FigureValue, PartyEntry, PartyRole


def _doc(text: str, name: str) -> Document:
    sentences, date = build_sentences(text)
    return Document(
        doc_id=name, label=name[:3], path=name, text=text, sha256=name, date=date, sentences=sentences
    )


def _analyse(*texts: str):
    documents = [_doc(text, f"{n:03d}_doc.txt") for n, text in enumerate(texts, start=1)]
    index = build_party_index(documents)
    return documents, index, [analyse_document(d, index) for d in documents]


def _parties(*texts: str) -> list[PartyEntry]:
    """The merged party list of the rules' extraction of ``texts``."""
    documents, index, analyses = _analyse(*texts)
    entries = []
    for document, analysis in zip(documents, analyses, strict=True):
        for party in rules_extraction(document, analysis, index).parties:
            entries.append(
                PartyEntry(name=party.name, role=party.role, aliases=party.aliases, sources=[document.doc_id])
            )
    return merge_parties(entries, PartyResolver(index))


def _demands(*texts: str) -> list[tuple[str, str]]:
    documents, index, analyses = _analyse(*texts)
    found = []
    for document, analysis in zip(documents, analyses, strict=True):
        for sentence in document.citable_sentences:
            parse = index.corpus.get(document.doc_id, sentence.id)
            found += find_demands(document, sentence, parse, analysis, index)
    return found


# ---------------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Senate Majority Leader", "legislator"),
        ("House Budget Chairman", "legislator"),
        ("White House press secretary", "spokesperson"),  # 'House' is no legislature here
        ("Justice Department spokesman", "spokesperson"),
        ("communications director for the House Appropriations Committee", "spokesperson"),
        ("U.S. District Judge", "judge"),
        ("Attorney General", "government"),  # a minister, not somebody's attorney
        ("personal attorney", "lawyer"),
        ("senior supervising attorney for the Westland Law Center", "lawyer"),
        ("Deputy Assistant Defense Secretary", "official"),  # no member of the cabinet
        ("Transportation Secretary", "government"),
        ("top diplomat in Vestria", "official"),
        ("Presidential candidate", "candidate"),
        ("immigration scholar at Westland Law School", "expert"),
        ("resident", "affected_person"),
        ("former President", None),  # no part by that title now
    ],
)
def test_a_title_says_the_role(title: str, role: str | None) -> None:
    assert title_role(title) == role


def test_the_head_of_an_organisation_takes_its_role() -> None:
    union = organisation_role("Northland Federation of Teachers")
    assert union == "union"
    assert title_role("Northland Federation of Teachers President", union) == "union"
    assert (
        title_role("President of the Harbor Pilots Council", organisation_role("Harbor Pilots Council"))
        == "union"
    )
    assert title_role("President", None) == "government"


def test_an_expert_or_a_resident_is_a_voice_not_a_party() -> None:
    assert is_bystander("immigration scholar at Westland Law School")
    assert is_bystander("director of the Westland Policy Institute", "Westland Policy Institute")
    assert is_bystander("resident")
    assert not is_bystander("Sen.")


def test_the_text_settles_mediators_belligerents_and_negotiators() -> None:
    parties = _parties(
        "Chile declared war on Peru on Monday. A truce was brokered by Norway and Sweden. "
        "The Peruvian delegation arrived in Oslo, the Norwegian hosts said.",
        "Chile and Peru sent negotiators to Oslo. Peru said it would respond. "
        "Sweden said talks would resume. Norway said so too.",
    )
    roles = {p.name: p.role for p in parties}
    assert roles["Norway"] == roles["Sweden"] == PartyRole.mediator  # 'brokered by', 'the hosts'
    assert roles["Chile"] == roles["Peru"] == PartyRole.belligerent  # war outranks negotiating


def test_a_minister_speaks_for_the_country_and_is_no_alias_of_it() -> None:
    parties = _parties(
        "Chilean Foreign Minister Ana Rojas said Chile would not sign. Peru said it would.",
        "Rojas said the offer was too small. Chile and Peru met on Tuesday.",
    )
    by_name = {p.name: p for p in parties}
    chile, rojas = by_name["Chile"], by_name["Ana Rojas"]
    assert "Ana Rojas" not in chile.aliases and "Rojas" not in chile.aliases
    assert rojas.speaks_for == "Chile" and rojas.title == "Chilean Foreign Minister"
    assert rojas.role == PartyRole.government
    names = [p.name for p in parties]
    assert names.index("Ana Rojas") == names.index("Chile") + 1  # listed right after her country


def test_a_lawyer_named_beside_the_group_speaks_for_it() -> None:
    parties = _parties(
        "The Westland Civil Liberties Union sued the state. “The court was clear,” said Lee Quill, "
        "the Westland Civil Liberties Union attorney who argued the case.",
        "The Westland Civil Liberties Union said it would go on. Quill said the ruling stands.",
    )
    by_name = {p.name: p for p in parties}
    assert by_name["Westland Civil Liberties Union"].role == PartyRole.advocacy_group  # no labour union
    assert by_name["Lee Quill"].role == PartyRole.lawyer
    assert by_name["Lee Quill"].speaks_for == "Westland Civil Liberties Union"


@pytest.mark.parametrize(
    ("texts", "absent"),
    [
        # A place made of two countries, a programme, an organisation inside its head's title.
        (
            ("Traffic at the U.S.-Mexico border slowed. Mexico said it would act. Mexico said so again.",),
            "U.S.-Mexico",
        ),
        (("Medicare will pay for it, Medicare said. The senators voted.",), "Medicare"),
        (("NSA Director Pat Vole said the agency was ready. Vole said it again.",), "NSA"),
        # A person cited only to place another, or quoted as a resident or an expert.
        (
            (
                "Judge Mara Finch, who was appointed by President Dale Orr, ruled on Monday. Finch said no.",
                "Finch was nominated by Dale Orr. Finch ruled again.",
            ),
            "Dale Orr",
        ),
        (("“It is a shock,” said resident Omar Haddad. Haddad said his house was gone.",), "Omar Haddad"),
        (
            (
                "“It may go on,” said Tim Reyes, an immigration scholar at Westland Law School. "
                "Reyes said so.",
            ),
            "Tim Reyes",
        ),
    ],
)
def test_places_laws_and_bystanders_are_no_parties(texts: tuple[str, ...], absent: str) -> None:
    _, index, _ = _analyse(*texts)
    assert absent not in index.parties and absent not in index.members


def test_a_headline_verb_is_no_first_name() -> None:
    _, index, _ = _analyse(
        "Senators Warn Dale Orr Tariff Plan May Fail\n"
        "President Dale Orr said the tariffs would stay. Orr said so.",
    )
    assert "Warn Dale Orr" not in index.parties and "Dale Orr" in index.parties


def test_a_nickname_is_the_same_person() -> None:
    _, index, _ = _analyse("Bill Mayhew testified on Tuesday. William Mayhew said he was told to wait.")
    assert index.canonical("Bill Mayhew") == index.canonical("William Mayhew")


# ---------------------------------------------------------------------------------------------------
# Demands
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # A number keeps its thousands separator; the reporting clause is no demand.
        (
            (
                "Republicans met. Orr's plan calls for the hiring of an additional 2,800 officers, "
                "Reuters reported.",
            ),
            [("Dale Orr", "the hiring of an additional 2,800 officers")],
        ),
        # The demand ends with its phrase, not with the sentence.
        (
            (
                "The standoff over Mr. Orr’s demand for $5 billion for new roads led to a shutdown, "
                "now in its seventh day.",
            ),
            [("Dale Orr", "$5 billion for new roads")],
        ),
        # A list, its owner named in the sentence before ('the group').
        (
            (
                "Westland Front said talks were over. The group reiterated its demands, "
                "including a ceasefire, the return of 2,000 refugees to their homes, "
                "and a prisoner exchange.",
            ),
            [
                ("Westland Front", "a ceasefire"),
                ("Westland Front", "the return of 2,000 refugees to their homes"),
                ("Westland Front", "a prisoner exchange"),
            ],
        ),
        # 'he' is the subject of the clause it hangs on, not the speaker.
        (
            ("Sen. Ann Vole said Orr caused the shutdown because he defied Congress and demanded a wall.",),
            [("Dale Orr", "a wall")],
        ),
        # A faction's demand is the faction's.
        (
            ("Democrats met on Monday. Senate Democrats have long pushed for a narrower relief package.",),
            [("Senate Democrats", "a narrower relief package")],
        ),
    ],
)
def test_demands_are_whole_phrases_of_their_owner(
    texts: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    context = "President Dale Orr spoke on Monday. Orr said talks would go on.\n"
    found = _demands(context + texts[0])
    assert found == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "DALE ORR WANTS ROADS TO REOPEN IN THE FALL, AIDES SAY",  # a headline
        "Orr again blamed Democrats, asserting that Republicans wanted security.",  # one word
        "Aides were asked if the president wants a recount.",  # a question
        "Four Republicans could join Democrats to insist on new testimony.",  # a possibility
    ],
)
def test_no_demand_is_read_where_none_is_stated(sentence: str) -> None:
    assert _demands(f"President Dale Orr spoke. Republicans and Democrats met. {sentence}") == []


def _demand(doc: str, party: str, text: str) -> DemandEntry:
    citation = Citation(
        marker=f"{doc[:3]}:L1", doc_id=doc, path=doc, line=1, start=0, end=1, sentence=1, text="x"
    )
    return DemandEntry(party=party, demand=text, citations=[citation], sources=[doc])


class _Encoder:
    """Fixed vectors: rewordings of one demand are close, different demands apart."""

    vectors = {
        "the return of refugees to their homes": (1.0, 0.0, 0.0),
        "the return of displaced refugees": (0.82, 0.57, 0.0),
        "reconstruction of the harbor": (0.7, 0.0, 0.71),
        "$5.7 billion for the wall": (0.0, 1.0, 0.0),
        "billions for the wall": (0.0, 0.99, 0.14),
        "a wall": (0.0, 0.9, 0.43),
    }

    def encode(self, texts: list[str]):
        import numpy as np

        return np.array([self.vectors[t] for t in texts], dtype=np.float32)


def test_rewordings_of_one_demand_merge_and_different_demands_do_not() -> None:
    _, index, _ = _analyse(
        "President Dale Orr spoke. Westland Front met. Orr said so. Westland Front said so."
    )
    entries = [
        _demand("001_a.txt", "Westland Front", "the return of refugees to their homes"),
        _demand("002_b.txt", "Westland Front", "the return of displaced refugees"),  # meaning + 'return'
        _demand("002_b.txt", "Westland Front", "reconstruction of the harbor"),  # close, no word shared
        _demand("001_a.txt", "Dale Orr", "$5.7 billion for the wall"),
        _demand("002_b.txt", "Dale Orr", "billions for the wall"),  # another amount
        # a subset of the words is not the same demand, but one with an amount says it in full: left out
        _demand("003_c.txt", "Dale Orr", "a wall"),
        _demand("003_c.txt", "Westland Front", "a wall"),  # ... only of the same party
    ]
    merged = merge_demands(resolve_demands(entries, PartyResolver(index)), _Encoder())
    texts = sorted((d.party, d.demand) for d in merged)
    assert texts == [
        ("Dale Orr", "$5.7 billion for the wall"),
        ("Dale Orr", "billions for the wall"),
        ("Westland Front", "a wall"),
        ("Westland Front", "reconstruction of the harbor"),
        ("Westland Front", "the return of displaced refugees"),
    ]


def test_a_faction_keeps_its_name_when_demands_are_resolved() -> None:
    _, index, _ = _analyse("Democrats met. The Senate voted. Democrats said so. The Senate said so.")
    (entry,) = resolve_demands(
        [_demand("001_a.txt", "Senate Democrats", "a smaller bill")], PartyResolver(index)
    )
    assert entry.party == "Senate Democrats"


# ---------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "differs"),
    [
        (("Around 130", 130), ("133", 133), False),  # an approximation holds the exact value
        (("more than 33,000", 33000), ("33,175", 33175), False),  # a bound holds it
        (("33,175", 33175), ("some 33,207", 33207), True),  # 'some' with a number that is not round
        (("nearly $1.4 billion", 1.4e9), ("$1.375 billion", 1.375e9), False),
        (("some 1,200", 1200), ("1,300", 1300), True),
    ],
)
def test_differs_only_when_exact_values_disagree(first, second, differs: bool) -> None:
    figures = [_figure("001_a.txt", "people killed", *first), _figure("002_b.txt", "people killed", *second)]
    (row,) = merge_figures(figures)
    assert row.discrepancy is differs


def _figure(doc: str, quantity: str, text: str, value: float, label: str | None = None) -> GroundedFigure:
    citation = Citation(
        marker=f"{doc[:3]}:L1", doc_id=doc, path=doc, line=1, start=0, end=1, sentence=1, text=text
    )
    return GroundedFigure(
        quantity=quantity,
        label=label,
        value=FigureValue(doc_id=doc, value=value, text=text, citation=citation),
    )


def test_amounts_for_different_things_are_different_rows() -> None:
    rows = merge_figures(
        [
            _figure("001_a.txt", "money", "$5 billion", 5e9, "money pulled from transport budget"),
            _figure("002_b.txt", "money", "$5.7 billion", 5.7e9, "money demanded for bridge"),
            _figure("003_c.txt", "money", "about $5 billion", 5e9, "money to come from transport budget"),
            _figure("001_a.txt", "money", "$1.375 billion", 1.375e9, "money approved for barriers"),
            _figure("002_b.txt", "money", "$1.375 billion", 1.375e9, "money provided"),  # too particular
            _figure("001_a.txt", "days", "24", 24, "hours day"),
            _figure("002_b.txt", "days", "24", 24, "last hours"),  # a common number, nothing shared
        ]
    )
    assert [(r.quantity, [v.text for v in r.values], r.discrepancy) for r in rows] == [
        ("money approved for barriers", ["$1.375 billion", "$1.375 billion"], False),
        ("money to come from transport budget", ["$5 billion", "about $5 billion"], False),
    ]


def test_no_two_rows_share_a_label() -> None:
    rows = merge_figures(
        [
            _figure("001_a.txt", "people killed", "1,200", 1200, "people killed"),
            _figure("002_b.txt", "people killed", "1,200", 1200, "people killed"),
            _figure("001_a.txt", "people killed", "33,000", 33000, "people killed"),
            _figure("002_b.txt", "people killed", "33,000", 33000, "people killed in the war"),
        ]
    )
    assert len({r.quantity for r in rows}) == len(rows) == 2


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "The council intends to request $8.6 billion for its long-promised bridge next year.",
            "money to request for long-promised bridge",
        ),
        (
            "Around 130 hostages are still held in the mountains, officials said.",
            "hostages still held in mountains",
        ),
        (
            "Congress ultimately approved $1.375 billion for harbor barriers.",
            "money approved for harbor barriers",
        ),
    ],
)
def test_a_figure_says_what_it_counts_in_the_words_of_its_sentence(sentence: str, label: str) -> None:
    _, _, (analysis,) = _analyse(sentence)
    (figure,) = analysis.figures
    assert figure.label == label
