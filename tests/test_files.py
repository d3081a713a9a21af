"""A user's files are never lost or confused (issue 18), tried as a careless or unlucky user would with
the fake backend: two articles with one name, dated subfolders, a brief written into its input folder,
outputs that name an input or each other, a write that fails, over-long files and copies, a brief
rendered from another directory. Each case does the right thing or stops with a clear message, exit
2 and no file changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import outputs
from summarizer.cli import app
from summarizer.collect import unique_ids
from summarizer.documents import MAX_CHARS
from summarizer.models import Brief, all_citations

runner = CliRunner()
SEED = {
    "000": "000_7bb91c76771d32cc.txt",
    "001": "001_c04f7732fec0124b.txt",
    "002": "002_cf86933a66a444e4.txt",
    "003": "003_fe535af938dae792.txt",
    "004": "004_4f99d01e388c12ef.txt",
}


@pytest.fixture(autouse=True)
def _no_env_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "default-cache"))


def summarizer(*args: str | Path):
    return runner.invoke(app, [*map(str, args)])


def brief(*args: str | Path):
    return summarizer("brief", *args, "--backend", "fake", "--no-cache")


def load(path: Path) -> Brief:
    return Brief.model_validate_json(path.read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder and its bytes: 'no file changed' is this, before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------------
# A document's identity is unique in a run
# ---------------------------------------------------------------------------------------------------


def test_two_files_with_one_name_in_two_folders_stay_two_documents(seeds_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    shutil.copy(seeds_dir / SEED["000"], tmp_path / "A" / "article.txt")
    shutil.copy(seeds_dir / SEED["003"], tmp_path / "B" / "article.txt")
    js = tmp_path / "b.json"
    result = brief(tmp_path / "A", tmp_path / "B", "--json", js)
    assert result.exit_code == 0, result.output
    parsed = load(js)
    assert [s.doc_id for s in parsed.sources] == ["A/article.txt", "B/article.txt"]
    assert parsed.republished == []  # two articles, not one republishing the other
    assert parsed.contested  # the disagreement between them is there
    assert "2 sources ·" in result.stdout and "(1 independent" not in result.stdout
    assert "[A/article:L" in result.stdout and "[B/article:L" in result.stdout
    texts = {s.doc_id: Path(s.path).read_text(encoding="utf-8") for s in parsed.sources}
    for citation in all_citations(parsed):
        assert texts[citation.doc_id][citation.start : citation.end] == citation.text


def test_a_folder_of_dated_subfolders_is_read_recursively_in_order(seeds_dir: Path, tmp_path: Path) -> None:
    news = tmp_path / "news"
    for day, seed in (("2024-04-09", "003"), ("2024-04-08", "000")):
        (news / day).mkdir(parents=True)
        shutil.copy(seeds_dir / SEED[seed], news / day / "article.txt")
    shutil.copy(seeds_dir / SEED["002"], news / "2024-04-08" / "reuters.txt")
    (news / ".git").mkdir()
    shutil.copy(seeds_dir / SEED["001"], news / ".git" / "hidden.txt")  # hidden: not an article
    shutil.copy(seeds_dir / SEED["004"], news / ".draft.txt")
    js = tmp_path / "b.json"
    result = brief(news, "--json", js)
    assert result.exit_code == 0, result.output
    assert [s.doc_id for s in load(js).sources] == [
        "2024-04-08/article.txt",
        "reuters.txt",
        "2024-04-09/article.txt",
    ]


def test_ids_are_the_shortest_unique_path_suffix() -> None:
    paths = [Path(p) for p in ("x/d/a.txt", "y/d/a.txt", "z/a.txt", "b.txt", "a.txt")]
    assert unique_ids(paths) == ["x/d/a.txt", "y/d/a.txt", "z/a.txt", "b.txt", "a.txt"]
    assert unique_ids([Path("/data/news/a.txt")]) == ["a.txt"]


# ---------------------------------------------------------------------------------------------------
# Outputs never land on inputs
# ---------------------------------------------------------------------------------------------------


def test_a_brief_written_into_its_input_folder_is_not_read_back(seeds_dir: Path) -> None:
    md, js, page = seeds_dir / "brief.md", seeds_dir / "brief.json", seeds_dir / "brief.html"
    first = brief(seeds_dir, "-o", md, "--json", js, "--html", page)
    assert first.exit_code == 0, first.output
    before = load(js)
    second = brief(seeds_dir, "-o", md, "--json", js, "--html", page)
    assert second.exit_code == 0, second.output
    after = load(js)
    assert [s.doc_id for s in after.sources] == [s.doc_id for s in before.sources]
    assert len(after.sources) == 5 and after.republished == before.republished
    # a folder is searched for saved pages too (issue 20): the review page is known as ours as well
    assert [(Path(f.path).name, f.reason) for f in after.skipped_files] == [
        ("brief.html", "a review page written by summarizer, not an article"),
        ("brief.md", "a brief (Markdown) written by summarizer, not an article"),
    ]
    markdown = md.read_text(encoding="utf-8")
    assert "_5 sources (4 independent" in markdown and "**Not articles, skipped:**" in markdown
    assert "brief.md: a brief (Markdown) written by summarizer, not an article; skipped" in second.stderr
    # a shell glob names the brief itself: skipped just the same
    globbed = brief(*sorted(seeds_dir.iterdir()))
    assert globbed.exit_code == 0 and "_5 sources (4 independent" in globbed.stdout


def test_an_output_that_is_an_input_article_is_refused(seeds_dir: Path, tmp_path: Path) -> None:
    before = snapshot(seeds_dir)
    result = brief(seeds_dir, "-o", seeds_dir / SEED["000"], "--json", tmp_path / "b.json")
    assert_refused(result, "this is the article", SEED["000"], "nothing was done")
    assert snapshot(seeds_dir) == before and not (tmp_path / "b.json").exists()
    # the same file by another name: through '..'
    sneaky = seeds_dir / "sub" / ".." / SEED["001"]
    assert_refused(brief(seeds_dir, "--html", sneaky), "this is the article")
    assert snapshot(seeds_dir) == before


def test_two_outputs_naming_one_file_are_refused(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x"
    assert_refused(brief(seeds_dir, "-o", out, "--json", out), "-o and --json both name")
    assert not out.exists()


def test_render_onto_the_brief_it_renders_is_refused(seeds_dir: Path, tmp_path: Path) -> None:
    js = tmp_path / "b.json"
    assert brief(seeds_dir, "--json", js).exit_code == 0
    saved = js.read_bytes()
    assert_refused(summarizer("render", js, "-o", js), "this is the brief being rendered")
    assert_refused(summarizer("render", js, "--html", seeds_dir / SEED["002"]), "a source of the brief")
    gold = Path(__file__).resolve().parent.parent / "gold" / "seeds.gold.json"
    assert_refused(summarizer("eval", js, gold, "--json", js), "this is the brief being scored")
    assert js.read_bytes() == saved


def test_a_folder_given_as_an_output_is_a_clear_error(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    assert_refused(brief(seeds_dir, "-o", folder), "is a folder", "brief.md")
    assert_refused(brief(seeds_dir, "--json", folder), "is a folder", "brief.json")
    assert list(folder.iterdir()) == []


def test_an_output_that_cannot_be_written_is_refused_before_any_work(seeds_dir: Path, tmp_path: Path) -> None:
    md = tmp_path / "b.md"
    md.write_text("earlier brief\n", encoding="utf-8")
    result = brief(seeds_dir, "-o", md, "--json", "/proc/x")
    assert_refused(result, "--json /proc/x", "cannot write", "nothing was done")
    assert "extracting" not in result.stderr and md.read_text(encoding="utf-8") == "earlier brief\n"
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_refused(brief(seeds_dir, "--json", blocker / "b.json"), "is a file, not a folder")


def test_the_since_brief_may_be_replaced_by_the_new_one(seeds_dir: Path, tmp_path: Path) -> None:
    js = tmp_path / "b.json"
    assert brief(seeds_dir, "--json", js).exit_code == 0
    again = brief(seeds_dir, "--since", js, "--json", js)
    assert again.exit_code == 0, again.output
    assert load(js).since is not None
    assert_refused(brief(seeds_dir, "--since", js, "-o", js), "this is the earlier brief")


# ---------------------------------------------------------------------------------------------------
# Outputs are written as a set
# ---------------------------------------------------------------------------------------------------


def test_when_one_output_fails_the_others_stay_as_they_were(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    md, js, page = tmp_path / "b.md", tmp_path / "b.json", tmp_path / "b.html"
    for path in (md, js, page):
        path.write_text("earlier run\n", encoding="utf-8")
    real = outputs._write_temp

    def disk_full(path: Path, text: str) -> str:
        if path.name == "b.html":
            raise OSError(28, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(outputs, "_write_temp", disk_full)
    result = brief(seeds_dir, "-o", md, "--json", js, "--html", page)
    assert_refused(result, "b.html: cannot be written (No space left on device)", "no output was changed")
    assert {p.read_text(encoding="utf-8") for p in (md, js, page)} == {"earlier run\n"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["b.html", "b.json", "b.md"]


def test_outputs_through_a_symlink_or_to_a_device(seeds_dir: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert brief(seeds_dir, "-o", link, "--json", "/dev/null").exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# Brief of 5 articles")
    assert Path("/dev/null").exists() and not Path("/dev/null").is_file()  # a device, not replaced


# ---------------------------------------------------------------------------------------------------
# What was cut or skipped is in the brief
# ---------------------------------------------------------------------------------------------------


def test_an_over_long_file_makes_the_brief_incomplete_and_says_how_much(
    seeds_dir: Path, tmp_path: Path
) -> None:
    paragraph = "The committee met again on Tuesday. It agreed to continue the talks next week.\n"
    (seeds_dir / "999_long.txt").write_text(paragraph * 6_000, encoding="utf-8")  # ~480,000 characters
    md, js = tmp_path / "b.md", tmp_path / "b.json"
    result = brief(seeds_dir, "-o", md, "--json", js)
    assert result.exit_code == 1, result.output
    parsed = load(js)
    assert parsed.complete is False and parsed.failed == []
    [cut] = [s.cut for s in parsed.sources if s.cut is not None]
    assert cut.file_bytes == len(paragraph) * 6_000 and cut.kept_characters <= MAX_CHARS
    assert 0.3 < cut.kept_bytes / cut.file_bytes < 0.5
    markdown = md.read_text(encoding="utf-8")
    assert "INCOMPLETE: 1 input(s) cut (see “Sources”)" in markdown
    assert f"**cut:** the file is too long; only its first {cut.kept_characters:,} characters" in markdown


def test_copies_of_one_article_are_named_under_it(seeds_dir: Path, tmp_path: Path) -> None:
    article = (seeds_dir / SEED["000"]).read_bytes()
    copies = tmp_path / "copies"
    copies.mkdir()
    for number in range(300):
        (copies / f"copy{number:03d}.txt").write_bytes(article)
    md, js = tmp_path / "b.md", tmp_path / "b.json"
    result = brief(seeds_dir, copies, "-o", md, "--json", js)
    assert result.exit_code == 0, result.output
    parsed = load(js)
    assert len(parsed.sources) == 5
    [source] = [s for s in parsed.sources if s.identical_copies]
    assert source.doc_id == SEED["000"] and len(source.identical_copies) == 300
    markdown = md.read_text(encoding="utf-8")
    assert "the same file as 300 other input(s), read once: `" in markdown
    assert "and 295 more (in b.json)" in markdown


# ---------------------------------------------------------------------------------------------------
# render from another directory
# ---------------------------------------------------------------------------------------------------


def test_render_finds_the_sources_from_another_directory(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = seeds_dir.parent
    monkeypatch.chdir(work)
    assert brief("seeds", "--json", "out/b.json").exit_code == 0
    assert load(work / "out" / "b.json").source_root == ".."
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = summarizer("render", work / "out" / "b.json", "--html", "page.html")
    assert result.exit_code == 0, result.output
    assert "not found" not in (elsewhere / "page.html").read_text(encoding="utf-8")
    # moved away: the page still comes, with exit 1 and the way out
    shutil.move(work / "seeds", tmp_path / "moved")
    result = summarizer("render", work / "out" / "b.json", "--html", "page.html")
    assert result.exit_code == 1 and "--root" in result.stderr
    moved = tmp_path / "moved"
    result = summarizer("render", work / "out" / "b.json", "--html", "page.html", "--root", moved)
    assert result.exit_code == 0, result.output


def test_own_outputs_are_recognised_by_content(tmp_path: Path, seeds_dir: Path) -> None:
    md, js, page = tmp_path / "b.txt", tmp_path / "b.data", tmp_path / "b.htm"
    assert brief(seeds_dir, "-o", md, "--json", js, "--html", page).exit_code == 0
    assert outputs.own_output(md) == "a brief (Markdown)"
    assert outputs.own_output(js) == "a brief (JSON)"
    assert outputs.own_output(page) == "a review page"
    assert outputs.own_output(seeds_dir / SEED["000"]) is None
    article = tmp_path / "article.md"
    article.write_text("# Talks resume\n\nThe backend of the deal · model talks.\n", encoding="utf-8")
    assert outputs.own_output(article) is None
    assert json.loads(js.read_text(encoding="utf-8"))["title"]


# ---------------------------------------------------------------------------------------------------
# Killed while writing: never a mixed set (bench/kill_outputs.py does a hundred)
# ---------------------------------------------------------------------------------------------------


def test_killed_while_writing_leaves_one_whole_set(seeds_dir: Path, tmp_path: Path) -> None:
    import signal

    from kill_writes import kill_rounds, titles

    inputs = tmp_path / "in"
    inputs.mkdir()
    for seed in ("000", "002"):
        shutil.copy(seeds_dir / SEED[seed], inputs)
    out = tmp_path / "out"
    outcome = kill_rounds(
        inputs,
        out,
        tmp_path / "cache.sqlite3",
        4,
        signals=(signal.SIGKILL, signal.SIGTERM),
        uniform_share=0.25,
    )
    assert outcome.mixed == [], outcome.mixed
    # a later run completes and removes what the killed runs left
    result = brief(
        inputs, "-o", out / "b.md", "--json", out / "b.json", "--html", out / "b.html", "--title", "t"
    )
    assert result.exit_code == 0, result.output
    assert titles(out) == ["t", "t", "t"]
    assert sorted(p.name for p in out.iterdir()) == ["b.html", "b.json", "b.md"]


# ---------------------------------------------------------------------------------------------------
# Unrelated articles are flagged
# ---------------------------------------------------------------------------------------------------

FOOTBALL = """date 2024-04-08
Harbour City beat Northgate United 3-1 on Saturday to move top of the league table.
Striker Tomas Varga scored twice in the first half, his 18th and 19th goals of the season.
Northgate pulled one back from a penalty after the break, but Harbour City's captain sealed the win late on.
"We played with courage and the fans carried us," the Harbour City coach told reporters after the match.
Northgate's manager said his team had been poor in defence and would need to improve before the derby.
The result leaves Northgate fifth, four points behind the places for European football.
"""

COURT = """date 2024-04-08
A federal judge on Monday rejected a request to dismiss the fraud case against the former mayor of Lakeside.
Prosecutors accuse the former mayor of steering city contracts to a company owned by his brother-in-law.
Defence lawyers argued that the indictment was vague and that the contracts had been approved by the council.
The judge ruled that the evidence described in the indictment was specific enough for a jury to weigh.
The trial is set to begin in September, and the former mayor has pleaded not guilty to all charges.
A spokesman for the prosecutors said they welcomed the ruling and were ready for trial.
"""


def test_two_unrelated_stories_are_flagged_at_the_top(seeds_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "football.txt").write_text(FOOTBALL, encoding="utf-8")
    (folder / "court.txt").write_text(COURT, encoding="utf-8")
    md, js = tmp_path / "b.md", tmp_path / "b.json"
    result = brief(folder, "-o", md, "--json", js)
    assert result.exit_code == 0, result.output
    assert load(js).stories == [["court.txt"], ["football.txt"]]
    head = md.read_text(encoding="utf-8").split("## Key points")[0]
    assert "**Warning: these sources look like 2 different stories:**" in head
    assert "`football.txt`" in head and "look like 2 different stories" in result.stderr
    # the seeds with a football report among them: the report stands apart, the seeds stay one story
    shutil.copy(folder / "football.txt", seeds_dir / "zz_football.txt")
    assert brief(seeds_dir, "--json", js).exit_code == 0
    assert load(js).stories == [sorted(SEED.values()), ["zz_football.txt"]]


def test_one_story_is_not_flagged(seeds_dir: Path, tmp_path: Path) -> None:
    js = tmp_path / "b.json"
    result = brief(seeds_dir, "--json", js)
    assert result.exit_code == 0 and load(js).stories == []
    assert "different stories" not in result.stdout + result.stderr


def test_ctrl_c_while_writing_waits_for_the_whole_set(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    md, js = tmp_path / "b.md", tmp_path / "b.json"
    for path in (md, js):
        path.write_text("earlier run\n", encoding="utf-8")
    real = outputs._write_temp

    def interrupted(path: Path, text: str) -> str:
        if path.name == "b.md":
            signal.raise_signal(signal.SIGINT)  # Ctrl-C after the first temp file, before the renames
        return real(path, text)

    monkeypatch.setattr(outputs, "_write_temp", interrupted)
    result = brief(seeds_dir, "-o", md, "--json", js)
    assert result.exit_code == 130 and "the outputs were written in full first" in result.stderr
    assert md.read_text(encoding="utf-8").startswith("# Brief") and js.read_text(encoding="utf-8").startswith(
        "{"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["b.json", "b.md"]


def test_a_file_name_that_is_not_utf8_and_a_device_as_input(seeds_dir: Path, tmp_path: Path) -> None:
    import os

    odd = os.fsencode(seeds_dir) + b"/\xff\xfe-odd.txt"
    os.rename(seeds_dir / SEED["001"], odd)
    js, page = tmp_path / "b.json", tmp_path / "b.html"
    result = brief(seeds_dir, "--json", js, "--html", page)
    assert result.exit_code == 0, result.output  # no traceback writing the JSON
    assert "\\xff\\xfe-odd.txt" in [s.doc_id for s in load(js).sources]
    assert "not found" not in result.stderr  # the page re-reads it by its bytes
    assert_refused(brief("/dev/zero"), "/dev/zero: a device")  # never read: it has no end
