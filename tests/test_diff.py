"""brief --since: what changed since an earlier brief, items matched by meaning and not by id.

Unit tests of the matching on hand-built briefs (with the real sentence encoder), then the whole CLI
with the fake backend: three seeds, then all five; the same corpus twice; a removed source; a figure
whose value changed; a bad --since file; render of a brief that carries a diff; the review page's marks.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_render import B2, B3, A, B, small_brief
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.diff import (
    compare_briefs,
    match_claims,
    match_figures,
    match_parties,
    match_sources,
    side_map,
    since_label,
)
from summarizer.embeddings import default_encoder
from summarizer.models import (
    Brief,
    ChangeKind,
    ClaimGroup,
    ClaimReport,
    FigureValue,
    PartyEntry,
    PartyRole,
    all_citations,
)
from summarizer.render import render_markdown

runner = CliRunner()
SEED_NAMES = sorted(p.name for p in (Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
FIRST_THREE, ADDED = SEED_NAMES[:3], set(SEED_NAMES[3:])
MONDAY = "1712534400"  # SOURCE_DATE_EPOCH of 2024-04-08 00:00 UTC


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def brief_of(folder: Path, out: Path, *extra: str | Path, code: int = 0) -> Brief:
    """The fake backend's brief of a folder, written to out.md/out.json; returns it."""
    result = runner.invoke(
        app, ["brief", str(folder), "--backend", "fake", "--no-cache", "-o", str(out.with_suffix(".md")),
              "--json", str(out.with_suffix(".json")), *map(str, extra)],
    )  # fmt: skip
    assert result.exit_code == code, result.output
    return Brief.model_validate_json(out.with_suffix(".json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------
# Matching, on hand-built briefs
# ---------------------------------------------------------------------------------------------------


def _report(doc_id: str, side: str, statement: str, negated: bool = False) -> ClaimReport:
    citation = B2 if not negated else B3
    return ClaimReport(
        doc_id=doc_id, speaker=f"a {side} official", speaker_side=side, statement=statement,
        negated=negated, citations=[citation], sources=[doc_id],
    )  # fmt: skip


def _group(claim_id: str, *reports: ClaimReport) -> ClaimGroup:
    return ClaimGroup(
        id=claim_id, statement=reports[0].statement, speaker_sides=sorted({r.speaker_side for r in reports}),
        negated=reports[0].negated, reports=list(reports), sources=sorted({r.doc_id for r in reports}),
    )  # fmt: skip


def _claims(earlier: list[ClaimGroup], now: list[ClaimGroup]) -> dict[int, list[int]]:
    before, after = small_brief(), small_brief()
    before.claims, after.claims = earlier, now
    sources = match_sources(before, after)
    sides = side_map(before, after, match_parties(before, after))
    return match_claims(before, after, sources, sides, default_encoder())


def test_a_claim_reworded_by_a_new_source_under_another_id_is_the_same_claim() -> None:
    earlier = [_group("C1", _report(B, "Greece", "There was no progress in the talks.", negated=True))]
    # a new outlet's wording became the group's statement, and the group is C2 now
    now = [
        _group("C1", _report(B, "Turkey", "Talks made progress.")),
        _group("C2", _report("003_new.txt", "Greece", "The negotiations made no headway.", negated=True)),
    ]
    assert _claims(earlier, now) == {1: [0]}


def test_claims_of_another_side_or_polarity_are_not_the_same_claim() -> None:
    earlier = [_group("C1", _report(B, "Greece", "There was no progress in the talks.", negated=True))]
    other_side = [_group("C1", _report("003_new.txt", "Turkey", "There was no progress in the talks.", True))]
    other_polarity = [_group("C1", _report("003_new.txt", "Greece", "There was progress in the talks."))]
    unrelated = [_group("C1", _report("003_new.txt", "Greece", "Fishing boats were seized off Crete.", True))]
    for now in (other_side, other_polarity, unrelated):
        assert _claims(earlier, now) == {}


def test_the_same_report_matches_even_when_its_side_moved() -> None:
    """Adding sources can teach the party index a speaker's side: the report is still the same."""
    earlier = [_group("C4", _report(B, "unknown", "Talks made progress."))]
    now = [_group("C1", _report(B, "Turkey", "Talks made progress."))]
    assert _claims(earlier, now) == {0: [0]}


def test_parties_match_by_canonical_name_and_aliases() -> None:
    before, after = small_brief(), small_brief()
    before.parties.append(PartyEntry(name="United States", role=PartyRole.government, aliases=["US"]))
    after.parties.append(PartyEntry(name="US", role=PartyRole.government, aliases=["White House"]))
    after.parties.append(PartyEntry(name="Cyprus", role=PartyRole.government, aliases=["Cypriot"]))
    assert match_parties(before, after) == {0: [0], 1: [1], 2: [2]}  # Cyprus (3) is new
    assert side_map(before, after, match_parties(before, after))["united states"] == "us"


def test_sources_match_by_sha256_then_name() -> None:
    before, after = small_brief(), small_brief()
    after.sources[0].doc_id = "001_renamed.txt"  # same bytes, other name: the same source
    after.sources[1].sha256 = "c" * 64  # same name, other bytes: changed
    found = match_sources(before, after)
    assert found.doc_map == {A: "001_renamed.txt", B: B}
    assert [s.doc_id for s in found.changed] == [B] and found.changed[0].previous_sha256 == "b" * 64
    assert found.added == [] and found.removed == []
    after.sources.pop(1)
    found = match_sources(before, after)
    assert [s.doc_id for s in found.removed] == [B]


def test_figures_match_by_what_they_count_and_a_changed_value_is_reported() -> None:
    before, after = small_brief(), small_brief()
    after.figures[0].values[1] = (
        after.figures[0].values[1].model_copy(update={"value": 1400, "text": "1,400"})
    )
    after.figures[0].id, before.figures[0].id = "F1", "F1"
    assert match_figures(before, after, match_sources(before, after)) == {0: [0]}
    changes = compare_briefs(before, after)
    [change] = changes.figures_changed
    assert [(v.doc_id, v.value) for v in change.before] == [(A, 1200), (B, 1250)]
    assert [(v.doc_id, v.value) for v in change.after] == [(A, 1200), (B, 1400)]
    assert change.before[1].quote == before.figures[0].values[1].citation.text
    assert not changes.new and not changes.removed
    # another quantity is another figure: the earlier one is gone, this one is new
    after.figures[0].quantity = "people killed"
    changes = compare_briefs(before, after)
    assert [n.kind for n in changes.new] == [ChangeKind.figure]
    assert [r.kind for r in changes.removed] == [ChangeKind.figure]
    assert not changes.figures_changed


def test_a_rising_toll_from_new_sources_is_the_same_figure() -> None:
    """No value and no source in common, but the same quantity within FIGURE_DRIFT: a changed figure."""
    before, after = small_brief(), small_brief()
    after.figures[0].values = [
        FigureValue(doc_id=f"00{n}_new.txt", value=value, text=f"{value:,}", citation=v.citation)
        for n, value, v in ((3, 1500, before.figures[0].values[0]), (4, 1550, before.figures[0].values[1]))
    ]
    assert match_figures(before, after, match_sources(before, after)) == {0: [0]}
    after.figures[0].values[0].value = after.figures[0].values[1].value = 90_000  # not the same count
    assert match_figures(before, after, match_sources(before, after)) == {}


def test_the_same_brief_has_no_changes_and_a_label_from_when_it_was_made() -> None:
    brief = small_brief()
    assert compare_briefs(brief, brief.model_copy(deep=True)).is_empty()
    assert since_label(brief) == "the brief of articles up to 2025-02-03"  # made before briefs said when
    brief.stats.made_at = "2025-02-04T07:30:12Z"
    assert since_label(brief) == "2025-02-04 07:30 UTC"


def test_the_changes_section_in_markdown() -> None:
    before, after = small_brief(), small_brief()
    after.parties.append(PartyEntry(name="Cyprus", role=PartyRole.mediator, citations=[B2], sources=[B]))
    after.sources[1].sha256 = "c" * 64
    after.since = compare_briefs(before, after)
    markdown = render_markdown(after)
    section = markdown.split("## New since ", 1)[1].split("\n## ", 1)[0]
    assert section.startswith("the brief of articles up to 2025-02-03\n")
    assert "- **Source changed:** `news/002_beta.txt` (sha256 bbbbbbbbbbbb → cccccccccccc)" in section
    assert "**New parties**\n\n- Cyprus (mediator) (1 source) [002:L2]" in section
    assert markdown.index("## Key points") < markdown.index("## New since") < markdown.index("## Parties")
    after.since = compare_briefs(before, before.model_copy(deep=True))
    assert "Nothing new: the same sources and the same items." in render_markdown(after)


def test_a_long_changes_list_is_capped_and_says_where_the_rest_is() -> None:
    from summarizer.render import CAPS

    before, after = small_brief(), small_brief()
    extra = CAPS["changes"] + 3
    for number in range(extra):
        after.parties.append(
            PartyEntry(name=f"Party {number:02d}", role=PartyRole.other, citations=[B2], sources=[B])
        )
    after.since = compare_briefs(before, after)
    section = render_markdown(after, "brief.json").split("## New since ", 1)[1].split("\n## ", 1)[0]
    listed = [line for line in section.splitlines() if line.startswith("- Party ")]
    assert len(listed) == CAPS["changes"]
    assert "_3 more new parties in brief.json_" in section
    assert len([c for c in after.since.new if c.kind.value == "party"]) == extra  # the JSON keeps all


# ---------------------------------------------------------------------------------------------------
# The CLI: three seeds, then five
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_then_five(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Brief of the first three seeds (made 'on Monday'), then of all five --since it, with the page."""
    from conftest import SEEDS

    root = tmp_path_factory.mktemp("since")
    three, five = root / "three", root / "five"
    three.mkdir()
    for name in FIRST_THREE:
        shutil.copy(SEEDS / name, three / name)
    shutil.copytree(SEEDS, five)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUMMARIZER_CACHE_DIR", str(root / "cache"))
        patch.setenv("SOURCE_DATE_EPOCH", MONDAY)
        monday = brief_of(three, root / "monday")
        patch.delenv("SOURCE_DATE_EPOCH")
        later = brief_of(five, root / "later", "--since", root / "monday.json", "--html", root / "later.html")
    return {"root": root, "five": five, "monday": monday, "later": later}


def test_the_added_outlets_items_are_new_or_more_sources_and_nothing_else(three_then_five) -> None:
    monday, later = three_then_five["monday"], three_then_five["later"]
    # when a brief was made is recorded with its run stats (SOURCE_DATE_EPOCH fixes it) and shown
    assert monday.stats.made_at == "2024-04-08T00:00:00Z"
    assert "\n_made 2024-04-08T00:00:00Z; " in (three_then_five["root"] / "monday.md").read_text()
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", later.stats.made_at or "")
    assert later.stats.made_at > monday.stats.made_at
    changes = later.since
    assert changes is not None and changes.since == "2024-04-08 00:00 UTC"
    assert {s.doc_id for s in changes.sources_added} == ADDED
    assert changes.sources_removed == [] and changes.sources_changed == []
    # every new item comes from the added outlets alone, and the outlets brought some of each kind
    for item in changes.new:
        assert item.sources and set(item.sources) <= ADDED, item
        assert {c.doc_id for c in item.citations} <= ADDED
    assert {ChangeKind.claim, ChangeKind.party} <= {item.kind for item in changes.new}
    # items of Monday that the added outlets carry too are "more sources", never "new"
    assert changes.more_sources
    for more in changes.more_sources:
        assert set(more.added_sources) <= ADDED, more
    # no item of Monday's brief is lost: rewording and new ids do not make an item new or removed
    assert changes.removed == []
    assert any(m.kind == ChangeKind.claim for m in changes.more_sources)
    # a figure whose values changed: only the added outlets' values are new
    for change in changes.figures_changed:
        before = {(v.doc_id, v.value) for v in change.before}
        assert {(v.doc_id, v.value) for v in change.after if (v.doc_id, v.value) not in before}
        assert all(v.doc_id in ADDED for v in change.after if (v.doc_id, v.value) not in before)


def test_a_reworded_contested_question_is_the_same_question(three_then_five) -> None:
    """The added outlets reword the question on progress in the talks (another wording of the claims
    gives the shorter question) and bring more sources to it: it is reported with more sources, not
    as new."""
    monday, later = three_then_five["monday"], three_then_five["later"]
    changes = later.since
    assert not [n for n in changes.new if n.kind == ChangeKind.contested]
    progress = [m for m in changes.more_sources if m.kind == ChangeKind.contested]
    assert progress, changes.more_sources
    [earlier] = [q for q in monday.contested if q.id == progress[0].previous_ref]
    [now] = [q for q in later.contested if q.id == progress[0].ref]
    assert earlier.question != now.question  # reworded, and still matched
    assert "progress" in earlier.question and "progress" in now.question


def test_every_citation_of_the_changes_resolves(three_then_five) -> None:
    later, five = three_then_five["later"], three_then_five["five"]
    citations = all_citations(later.since)
    assert citations
    for citation in citations:
        text = (five / citation.doc_id).read_text(encoding="utf-8")
        assert text[citation.start : citation.end] == citation.text


def test_the_markdown_section_comes_after_the_key_points(three_then_five) -> None:
    markdown = (three_then_five["root"] / "later.md").read_text(encoding="utf-8")
    assert markdown.index("## Key points") < markdown.index("## New since 2024-04-08 00:00 UTC\n")
    assert markdown.index("## New since") < markdown.index("## Parties")
    for heading in ("**New claims**", "**New parties**", "**More sources for existing items**"):
        assert heading in markdown
    body, footnotes = markdown.split("\n## Citations\n", 1)
    for marker in set(re.findall(r"\[(\d{3}:L\d+(?:\.\d+)?)\]", body)):
        assert f"**[{marker}]**" in footnotes


def test_render_of_a_brief_with_changes(three_then_five, tmp_path: Path) -> None:
    """render reads the diff back from the JSON: the same Markdown, and a page with the section."""
    root = three_then_five["root"]
    md, html = tmp_path / "again.md", tmp_path / "again.html"
    result = runner.invoke(app, ["render", str(root / "later.json"), "-o", str(md), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert md.read_text(encoding="utf-8") == (root / "later.md").read_text(encoding="utf-8")
    assert 'id="since"' in html.read_text(encoding="utf-8")


def test_the_review_page_marks_new_items(three_then_five) -> None:
    later = three_then_five["later"]
    html = (three_then_five["root"] / "later.html").read_text(encoding="utf-8")
    assert '<section id="since"><h2>New since 2024-04-08 00:00 UTC</h2>' in html
    assert '<a href="#since">New</a>' in html
    main = html.split('<section id="parties">', 1)[1].split('<aside class="docs"', 1)[0]

    def element(item_id: str) -> str:
        found = re.search(
            rf'<(li|div|tr)\b[^>]*\bdata-item="{re.escape(item_id)}"[^>]*>(.*?)</(li|h3|tr)>', main, re.S
        )
        assert found, item_id
        return found.group(2)

    new_ids = [n.ref for n in later.since.new if re.fullmatch(r"[CQFP]\d+", n.ref)]
    assert new_ids
    for item_id in new_ids:
        assert '<span class="badge new"' in element(item_id), item_id
    for more in later.since.more_sources:
        if re.fullmatch(r"[CQFP]\d+", more.ref):
            assert '<span class="badge more-sources"' in element(more.ref), more.ref
    for change in later.since.figures_changed:
        assert '<span class="badge changed"' in element(change.ref)
    marked = {m.ref for m in later.since.more_sources} | set(new_ids)
    unchanged = [g.id for g in later.claims if g.id not in marked]
    assert unchanged
    for item_id in unchanged:
        assert "badge" not in element(item_id), item_id
    # each party the outlets brought is marked by name
    for party in [n for n in later.since.new if n.kind == ChangeKind.party]:
        assert f'<b>{party.ref}</b> <span class="badge new"' in main
    # the section's new items and added sources highlight the added outlets' sentences (d3, d4)
    section = html.split('<section id="since">', 1)[1].split("</section>", 1)[0]
    lists = re.findall(r'<ul class="items since-(?:new|more)">(.*?)</ul>', section, re.S)
    assert len(lists) == 2
    for cites in re.findall(r'data-cites="([^"]*)"', "".join(lists)):
        assert cites and all(re.fullmatch(r"d[34]-s\d+", c) for c in cites.split()), cites


# ---------------------------------------------------------------------------------------------------
# The CLI: nothing new, a removed source, a changed figure, bad --since files
# ---------------------------------------------------------------------------------------------------


def test_the_same_corpus_twice_is_nothing_new(three_then_five, tmp_path: Path) -> None:
    root, five = three_then_five["root"], three_then_five["five"]
    first = brief_of(five, tmp_path / "first", "--since", root / "later.json")
    second = brief_of(five, tmp_path / "second", "--since", tmp_path / "first.json")
    assert second.since is not None and second.since.is_empty(), second.since
    assert "Nothing new: the same sources and the same items." in (tmp_path / "second.md").read_text()
    # and a brief with --since is as deterministic as one without
    third = brief_of(five, tmp_path / "third", "--since", tmp_path / "first.json")
    assert second.model_dump(exclude={"stats"}) == third.model_dump(exclude={"stats"})
    assert first.since is not None and first.since.sources_added == []


def test_removed_sources_and_their_items_are_reported(three_then_five, tmp_path: Path) -> None:
    """Brief the first three seeds again, --since the brief of all five."""
    root = three_then_five["root"]
    three = tmp_path / "three"
    three.mkdir()
    for name in FIRST_THREE:
        shutil.copy(three_then_five["five"] / name, three / name)
    brief = brief_of(three, tmp_path / "fewer", "--since", root / "later.json")
    changes = brief.since
    assert {s.doc_id for s in changes.sources_removed} == ADDED
    assert changes.new == [] and changes.more_sources == [] and changes.sources_added == []
    assert changes.removed and all(set(r.previous_sources) & ADDED for r in changes.removed)
    assert all(not set(r.previous_sources) - ADDED for r in changes.removed if r.kind != ChangeKind.figure)
    markdown = (tmp_path / "fewer.md").read_text(encoding="utf-8")
    assert "- **Sources removed (2):** " in markdown and "**No longer in the brief**" in markdown


def test_a_figure_whose_value_changed_is_reported_with_old_and_new_values(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(
        "date 2024-05-01\nThe health ministry said 100 people were killed in the floods on Monday.\n"
        "Rescue teams searched the valley.\n",
        encoding="utf-8",
    )
    (news / "b.txt").write_text(
        "date 2024-05-01\nOfficials said 100 people were killed in the floods.\nRoads were closed.\n",
        encoding="utf-8",
    )
    before = brief_of(news, tmp_path / "before")
    assert [[v.value for v in f.values] for f in before.figures] == [[100, 100]]
    (news / "b.txt").write_text(
        "date 2024-05-02\nOfficials said 120 people were killed in the floods.\nRoads were closed.\n",
        encoding="utf-8",
    )
    after = brief_of(news, tmp_path / "after", "--since", tmp_path / "before.json")
    changes = after.since
    assert [s.doc_id for s in changes.sources_changed] == ["b.txt"]
    assert changes.sources_changed[0].previous_sha256 == before.sources[1].sha256
    [change] = changes.figures_changed
    assert change.quantity == "people killed in floods"  # what is counted, in the sentence's words
    assert [(v.doc_id, v.value, v.text) for v in change.before] == [
        ("a.txt", 100, "100"),
        ("b.txt", 100, "100"),
    ]
    assert [(v.doc_id, v.value, v.text) for v in change.after] == [
        ("a.txt", 100, "100"),
        ("b.txt", 120, "120"),
    ]
    assert change.before[1].quote == "Officials said 100 people were killed in the floods."
    assert change.after[1].citation.text == "Officials said 120 people were killed in the floods."
    assert changes.new == [] and changes.removed == []
    markdown = (tmp_path / "after.md").read_text(encoding="utf-8")
    assert "- F1 people killed in floods: before 100 (a); 100 (b); now 100 (a); 120 (b) [b:L2]" in markdown


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("# Brief of 3 articles\n\n## Key points\n", "not JSON; give the brief's JSON"),
        (json.dumps({"parties": []}), "not a brief's JSON (title: Field required"),
        (b"\xff\xfe\x00{", "cannot be read"),
        ("dir", "cannot be read"),
    ],
)
def test_a_bad_since_file_is_refused_before_any_work(
    content: str | bytes | None, message: str, tmp_path: Path, seeds_dir: Path
) -> None:
    since = tmp_path / "earlier.json"
    if content == "dir":
        since.mkdir()
    elif isinstance(content, bytes):
        since.write_bytes(content)
    elif content is not None:
        since.write_text(content, encoding="utf-8")
    cache = tmp_path / "cache.sqlite3"
    result = runner.invoke(
        app, ["brief", str(seeds_dir), "--backend", "fake", "--cache", str(cache),
              "-o", str(tmp_path / "b.md"), "--since", str(since)],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"--since {since}: " in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not cache.exists() and not (tmp_path / "b.md").exists()  # no extraction, nothing written


def test_a_source_not_included_this_time_says_why(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(
        "Greece and Turkey met in Vienna. Turkey said talks went well.\n", encoding="utf-8"
    )
    (news / "b.txt").write_text("Greek officials said the Vienna talks failed.\n", encoding="utf-8")
    brief_of(news, tmp_path / "before")
    (news / "b.txt").write_bytes(b"")  # still given, but nothing to read now
    after = brief_of(news, tmp_path / "after", "--since", tmp_path / "before.json", code=1)
    [removed] = after.since.sources_removed
    assert removed.doc_id == "b.txt" and removed.reason == after.failed[0].reason
    assert f"(not included: {removed.reason})" in (tmp_path / "after.md").read_text(encoding="utf-8")
