"""documents: decoding, metadata, boilerplate, sentence spans and line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import nlp
from summarizer.documents import (
    MAX_CHARS,
    InputError,
    boilerplate_kind,
    build_sentences,
    decode_bytes,
    find_injected_links,
    load_document,
    load_documents,
    split_sentences,
)

# ---------------------------------------------------------------------------------------------------
# Sentence spans and line numbers
# ---------------------------------------------------------------------------------------------------


def test_every_seed_sentence_is_an_exact_span_with_its_line(seed_paths: list[Path]) -> None:
    for path in seed_paths:
        document = load_document(path)
        lines = document.text.split("\n")
        assert document.sentences, path
        for number, sentence in enumerate(document.sentences, start=1):
            assert sentence.id == number
            assert document.text[sentence.start : sentence.end] == sentence.text
            assert sentence.text == sentence.text.strip() and sentence.text
            # the line number is the line the span starts on, and the span does not cross lines
            assert document.text.count("\n", 0, sentence.start) + 1 == sentence.line
            assert sentence.text in lines[sentence.line - 1]
        # sentences are in order and never overlap
        for before, after in zip(document.sentences, document.sentences[1:], strict=False):
            assert before.end <= after.start


def test_seed_sentences_cover_all_text_outside_metadata(seed_paths: list[Path]) -> None:
    """Nothing of an article is silently dropped: every non-space character is in some sentence."""
    for path in seed_paths:
        document = load_document(path)
        covered = bytearray(len(document.text))
        for sentence in document.sentences:
            covered[sentence.start : sentence.end] = b"\1" * (sentence.end - sentence.start)
        missing = "".join(
            ch for ch, c in zip(document.text, covered, strict=True) if not c and not ch.isspace()
        )
        if document.date:
            missing = missing.replace(f"date{document.date}", "", 1)
        assert missing == "", f"{path.name}: text outside every sentence: {missing[:80]!r}"


def test_leading_date_metadata_is_parsed_and_not_cited(make_doc) -> None:
    document = make_doc(
        " date 2024-04-08 The talks resumed on Monday. Both sides attended.\n\nA third line.\n"
    )
    assert document.date == "2024-04-08"
    first = document.sentences[0]
    assert first.text == "The talks resumed on Monday."
    assert "date" not in first.text and "2024" not in first.text
    assert document.text[first.start : first.end] == first.text
    assert first.line == 1
    assert document.sentences[-1].line == 3


def test_date_metadata_in_a_seed(seed_paths: list[Path]) -> None:
    document = load_document(seed_paths[0])
    assert document.date == "2024-04-08"
    assert document.sentences[0].text.startswith("The official confirmed")
    assert load_document(seed_paths[1]).date is None


def test_a_date_inside_the_text_is_not_metadata(make_doc) -> None:
    document = make_doc("The report is dated 2024-04-08 and was released today.\n")
    assert document.date is None
    assert document.sentences[0].text.startswith("The report is dated 2024-04-08")


@pytest.mark.parametrize(
    "text",
    [
        "Sen. Joe Manchin (D-W.Va.) said he would vote against the bill on Tuesday.",
        "The U.S. delegation left Cairo on Monday after a long meeting.",
        "Hamas attacked Israel on Oct. 7 and took more than 250 hostages.",
        "Dr. Smith met Mr. Jones and Gen. Brown at St. Mary's hospital.",
        "The U.K. and the U.N. issued a joint statement with John F. Kennedy's library.",
    ],
)
def test_abbreviations_do_not_split_sentences(text: str) -> None:
    assert split_sentences(text) == [(0, len(text))]


def test_sentences_split_at_real_boundaries() -> None:
    text = "The talks failed. “We will return,” he said. Officials left! Did they? Yes. 40 were freed."
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The talks failed.",
        "“We will return,” he said.",
        "Officials left!",
        "Did they?",
        "Yes.",
        "40 were freed.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said no. The delegation left.", ["He said no.", "The delegation left."]),
        ("The minister was ill. Talks were postponed.", ["The minister was ill.", "Talks were postponed."]),
        (
            "The U.S. envoy landed at 5 p.m. on Jan. 5. He left.",
            ["The U.S. envoy landed at 5 p.m. on Jan. 5.", "He left."],
        ),
        (
            "Talks resume on Jan. 5 in Doha, officials said.",
            ["Talks resume on Jan. 5 in Doha, officials said."],
        ),
    ],
)
def test_ordinary_words_before_a_full_stop_end_the_sentence(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_a_cut_without_end_punctuation_is_joined() -> None:
    text = "“I am going to my house and I know that it is destroyed,” she said as she left the camp."
    assert split_sentences(text) == [(0, len(text))]


def test_one_loaded_pipeline_splits_and_parses() -> None:
    text = "He said no. The delegation left."
    nlp.pipeline.cache_clear()
    spans = nlp.split([text])
    (parsed,) = nlp.parse([text])
    assert nlp.pipeline.cache_info().misses == 1  # loaded once, for both views
    pipeline = nlp.pipeline()
    # split ran senter alone and left the pipeline as the package ships it: senter disabled, and the
    # parser sets the sentences of parse()
    assert pipeline.disabled == ["senter"]
    assert pipeline.pipe_names == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
    assert spans == [[(0, 11), (12, 32)]]
    assert [s.text for s in parsed.sents] == ["He said no.", "The delegation left."]
    assert [(t.dep_, t.pos_) for t in parsed[:3]] == [("nsubj", "PRON"), ("ROOT", "VERB"), ("intj", "INTJ")]


def test_second_sentence_on_a_line_keeps_the_line_number() -> None:
    text = "First line.\n\nSecond line has one. And another one.\nThird.\n"
    sentences, _ = build_sentences(text)
    assert [(s.text, s.line) for s in sentences] == [
        ("First line.", 1),
        ("Second line has one.", 3),
        ("And another one.", 3),
        ("Third.", 4),
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


# ---------------------------------------------------------------------------------------------------
# Boilerplate
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "kind"),
    [
        (
            "Our website uses cookies to improve your experience. By using the website, you consent to "
            "the use of cookies.",
            "cookie",
        ),
        ("We use cookies to personalise content and adverts.", "cookie"),
        ("This site uses cookies. Accept all", "cookie"),
        ("Manage your choices in our cookie settings.", "cookie"),
        ("READ: Nicaragua asks ICJ to halt German arms exports", "cross_link"),
        ("READ:  Major hospitals suspend operations", "cross_link"),
        ("Read more: the talks in Cairo", "cross_link"),
        ("Short link:", "short_link"),
        ("Short link: https://example.com/abc", "short_link"),
        ("Palestinians walk past damaged buildings in Khan Yunis. Photo: AFP", "caption"),
        (
            "A view of the rubble at the hospital in this handout image. Jane Doe/Handout via REUTERS",
            "caption",
        ),
        ("Smoke rises over the city. REUTERS/John Smith/File Photo", "caption"),
        ("Rescuers search the site. Photo: Getty Images", "caption"),
        ("Jane Doe / Reuters The minister signed the order on Monday.", "caption"),
        ("The minister signs the order. AP Photo/John Smith", "caption"),
    ],
)
def test_boilerplate_kinds(paragraph: str, kind: str) -> None:
    assert boilerplate_kind(paragraph) == kind


@pytest.mark.parametrize(
    "paragraph",
    [
        "Hamas says Gaza truce talks still deadlocked despite reports of progress",
        "The minister read the statement to reporters in Cairo.",
        "A Hamas official told Reuters that there was no progress in the talks.",
        "The photographer was detained, the agency said.",
        "A Reuters/Ipsos poll found 47 percent of voters blame the mayor.",
        "Ministers met in Cairo / Doha talks resumed on Monday, Reuters reported.",
        "The short list of candidates was published on Monday.",
        "The regulator said websites must get consent before storing cookies on a device.",
        "The bakery's cookies were a hit with visitors to the website.",
    ],
)
def test_article_text_is_not_boilerplate(paragraph: str) -> None:
    assert boilerplate_kind(paragraph) is None


def test_seed_boilerplate_is_marked_and_never_citable(seed_paths: list[Path]) -> None:
    by_name = {p.name[:3]: load_document(p) for p in seed_paths}
    kinds = {
        label: {(s.line, s.boilerplate) for s in d.sentences if s.boilerplate} for label, d in by_name.items()
    }
    assert kinds["002"] == {(1, "caption"), (15, "short_link")}
    assert kinds["003"] == {(33, "cross_link")}
    assert kinds["004"] == {
        (1, "cookie"),
        (19, "cross_link"),
        (29, "caption"),
        (38, "cross_link"),
        (55, "cross_link"),
    }
    assert kinds["000"] == set() and kinds["001"] == set()


# A scraped "more about this person" widget, the shape some news sites produce (names made up).
WIDGET_ARTICLE = (
    "Budget talks resumed on Monday.\n"
    "Treasury Secretary Dana Whitfield Dana WhitfieldSenators balk at spending cap?\n"
    "Markets slide on rate fears Lawmakers eye recess MORE on Sunday said there is “still a gap” "
    "between the two sides.\n"
    "Whitfield added that talks would go on.\n"
)


def test_pasted_link_widget_is_boilerplate_and_the_cut_sentence_keeps_its_speaker() -> None:
    sentences, _ = build_sentences(WIDGET_ARTICLE)
    widget = [s for s in sentences if s.boilerplate]
    assert {s.boilerplate for s in widget} == {"injected_link"}
    assert widget[0].text == "Dana WhitfieldSenators balk at spending cap?"
    assert widget[-1].text.endswith("Lawmakers eye recess MORE")
    head, tail = (s for s in sentences if s.line in (2, 3) and s.citable)
    assert head.text == "Treasury Secretary Dana Whitfield" and head.line == 2
    # The citable text after the widget is an exact span; the analysis reads it with its lead.
    assert tail.text.startswith("on Sunday said there is") and tail.line == 3
    assert WIDGET_ARTICLE[tail.start : tail.end] == tail.text
    assert tail.lead == "Treasury Secretary Dana Whitfield"
    assert tail.analysis_text == f"{tail.lead} {tail.text}"
    # Nothing citable overlaps the widget.
    (span,) = find_injected_links(WIDGET_ARTICLE)
    for sentence in sentences:
        if sentence.citable:
            assert sentence.end <= span[0] or sentence.start >= span[1]
    assert sentences[-1].lead == "" and sentences[-1].citable


@pytest.mark.parametrize(
    "text",
    [
        "Chancellor Olaf Scholz met McDonald executives. NO MORE delays, he said.",  # no repeated name
        "Senator Mary Jones Mary JonesDefends the plan in a long speech.",  # no closing MORE
        "The GOP said MORE needs to be done, and DeSantis agreed.",
    ],
)
def test_text_without_the_widget_shape_is_left_alone(text: str) -> None:
    assert find_injected_links(text) == []
    assert all(s.citable for s in build_sentences(text)[0])


def test_dev_cluster_widgets_are_all_found() -> None:
    path = Path(__file__).parent.parent / "gold" / "seesaw_163" / "the-hill.txt"
    document = load_document(path)
    widget_lines = sorted({s.line for s in document.sentences if s.boilerplate == "injected_link"})
    assert widget_lines == [4, 5, 11, 12, 17, 18, 22, 23, 24, 25, 26, 31]
    assert not any("MORE" in s.text for s in document.citable_sentences)


# ---------------------------------------------------------------------------------------------------
# Decoding and loading
# ---------------------------------------------------------------------------------------------------


def test_utf8_bom_is_removed_and_offsets_still_hold(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfThe talks resumed. \xe2\x80\x9cGood,\xe2\x80\x9d he said.\n")
    document = load_document(path)
    assert not document.text.startswith("\ufeff")
    assert document.sentences[0].text == "The talks resumed."
    assert document.sentences[0].start == 0
    for sentence in document.sentences:
        assert document.text[sentence.start : sentence.end] == sentence.text
    assert document.warnings == []


def test_invalid_utf8_falls_back_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("The caf\xe9 closed. Talks went on.\n".encode("latin-1"))
    document = load_document(path)
    assert "café" in document.text
    assert document.warnings and "UTF-8" in document.warnings[0]
    assert [s.text for s in document.sentences] == ["The café closed.", "Talks went on."]


def test_utf16_is_decoded_with_newlines_normalised() -> None:
    text, warnings = decode_bytes("Talks resumed.\r\nThe minister said so.\r\n".encode("utf-16"))
    assert text == "Talks resumed.\nThe minister said so.\n" and warnings == []


def test_broken_utf16_is_decoded_with_a_warning_not_an_error() -> None:
    raw = "Talks resumed.".encode("utf-16") + b"\x00\xd8"  # a lone surrogate at the end
    text, warnings = decode_bytes(raw)
    assert text.startswith("Talks resumed.") and "not valid UTF-16" in warnings[0]


def test_crlf_newlines_are_normalised() -> None:
    text, warnings = decode_bytes(b"One line.\r\nTwo line.\r\n")
    assert text == "One line.\nTwo line.\n" and warnings == []


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip"),
        (b"PK\x03\x04\x14\x00\x06\x00", "zip"),
        (b"\x00\x01\x02\x03binary\x00\x00data" * 20, "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
    ],
)
def test_binary_files_are_refused(tmp_path: Path, raw: bytes, needle: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=needle):
        load_document(path)


@pytest.mark.parametrize("raw", [b"", b"   \n\n\t  \n"])
def test_empty_file_is_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError, match="empty"):
        load_document(path)


def test_only_boilerplate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "links.txt"
    path.write_text("READ: Another story\n\nShort link:\n", encoding="utf-8")
    with pytest.raises(InputError, match="boilerplate"):
        load_document(path)


def test_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_documents([tmp_path / "nope"])


def test_empty_folder_raises_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(InputError, match="no .txt or .md"):
        load_documents([folder])


def test_folder_without_articles_raises_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match="no .txt or .md"):
        load_documents([folder])


def test_bad_files_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Good article. It has two sentences.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_bytes(b"%PDF-1.4 rest")
    result = load_documents([tmp_path])
    assert [d.doc_id for d in result.documents] == ["a.txt"]
    failed = dict(result.failed)
    assert set(failed) == {str(tmp_path / "b.txt"), str(tmp_path / "c.txt")}
    assert "empty" in failed[str(tmp_path / "b.txt")]
    assert "PDF" in failed[str(tmp_path / "c.txt")]


def test_duplicate_content_is_skipped_with_a_notice(tmp_path: Path) -> None:
    text = "The same article. Word for word.\n"
    (tmp_path / "001_a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "002_b.txt").write_text(text, encoding="utf-8")
    (tmp_path / "003_c.txt").write_text("A different article.\n", encoding="utf-8")
    result = load_documents([tmp_path])
    assert [d.doc_id for d in result.documents] == ["001_a.txt", "003_c.txt"]
    assert len(result.notices) == 1
    assert "002_b.txt" in result.notices[0] and "001_a.txt" in result.notices[0]
    assert result.failed == []


def test_documents_get_stable_ids_labels_and_hashes(seed_paths: list[Path]) -> None:
    import hashlib

    result = load_documents([seed_paths[0].parent])
    assert [d.doc_id for d in result.documents] == [p.name for p in seed_paths]
    assert [d.label for d in result.documents] == ["000", "001", "002", "003", "004"]
    for document, path in zip(result.documents, seed_paths, strict=True):
        assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_label_twice_gets_a_unique_marker_label(tmp_path: Path) -> None:
    (tmp_path / "001_a.txt").write_text("First article.\n", encoding="utf-8")
    (tmp_path / "001_b.txt").write_text("Second article.\n", encoding="utf-8")
    labels = [d.label for d in load_documents([tmp_path]).documents]
    assert len(set(labels)) == 2 and labels[0] == "001"


def test_a_file_of_one_long_line_after_a_date_line_is_read_not_dropped(tmp_path: Path) -> None:
    # Cutting an over-long file at its last line end used to keep only the date line ("no text in
    # the file"); it is cut at a sentence end instead, and says so.
    sentence = "The committee met again on Tuesday and agreed to continue the talks. "
    path = tmp_path / "one-line.txt"
    path.write_text("date 2024-05-01\n" + sentence * 9_000, encoding="utf-8")  # ~630 KB
    document = load_document(path)
    assert document.date == "2024-05-01"
    assert any("only the first part is used" in w for w in document.warnings)
    assert len(document.text) <= MAX_CHARS and len(document.sentences) > 2_000
    assert document.sentences[-1].text == sentence.strip()  # no half sentence at the cut
    assert all(document.text[s.start : s.end] == s.text for s in document.sentences)


def test_an_over_long_file_with_paragraphs_is_still_cut_at_a_line_end(tmp_path: Path) -> None:
    paragraph = "The committee met again on Tuesday. It agreed to continue the talks next week.\n"
    path = tmp_path / "long.txt"
    path.write_text(paragraph * 4_000, encoding="utf-8")
    document = load_document(path)
    assert document.text.endswith("next week.") and len(document.text) <= MAX_CHARS
