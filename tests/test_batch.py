"""``--batch``: the documents extracted through OpenAI's Batch API, against a loopback stub of
``/v1/files`` and ``/v1/batches`` (tests/batch_server.py): the real openai client, instructor's
request building, parsing and re-ask, the real SQLite cache and the whole CLI.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from batch_server import running_batch_server
from openai_server import running_server
from typer.testing import CliRunner

from summarizer.analysis import analyse_document, build_party_index
from summarizer.backends import create_batches
from summarizer.backends.base import BatchItem, BatchStatus, Request
from summarizer.backends.openai_backend import OpenAIBackend
from summarizer.cli import app
from summarizer.documents import load_documents
from summarizer.extract import build_messages, extract_document, extraction_request
from summarizer.models import Brief, DocumentExtraction, all_citations

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REASKED = "002_cf86933a66a444e4.txt"  # invalid in the first batch only
HOPELESS = "004_4f99d01e388c12ef.txt"  # invalid in both batches


def brief_args(url: str, tmp_path: Path, *extra: str) -> list[str]:
    return ["brief", str(SEEDS), "-o", str(tmp_path / "brief.md"), "--json", str(tmp_path / "brief.json"),
            "--backend", "openai", "--base-url", url, "--model", "test-model",
            "--cache", str(tmp_path / "cache.sqlite3"), *extra]  # fmt: skip


def run(url: str, tmp_path: Path, *extra: str, batch: bool = True) -> tuple[int, str]:
    options = ["--batch", "--batch-poll", "0.01"] if batch else []
    result = CliRunner().invoke(app, brief_args(url, tmp_path, *options, *extra))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def read_brief(tmp_path: Path) -> Brief:
    brief = Brief.model_validate_json((tmp_path / "brief.json").read_text(encoding="utf-8"))
    citations = all_citations(brief)
    assert citations
    for citation in citations:  # every citation resolves to the exact text of its file
        text = (SEEDS / citation.doc_id).read_bytes().decode("utf-8")
        assert text[citation.start : citation.end] == citation.text, citation.marker
    return brief


def doc_of(body: dict[str, Any]) -> str:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return re.search(r"^Article (\S+?)(?: \(dated|\. Sentences)", user, re.M).group(1)


def open_batches(tmp_path: Path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        return db.execute("SELECT key, round, batch_id FROM batch_requests").fetchall()


def test_a_batch_request_is_the_request_the_per_document_path_sends() -> None:
    document = load_documents([SEEDS / REASKED]).documents[0]
    index = build_party_index([document])
    analysis = analyse_document(document, index)
    with running_server() as server:
        backend = OpenAIBackend("test-model", base_url=server.url, api_key="x")
        extract_document(document, analysis, index, backend)
        [sent] = server.requests
    item = BatchItem("k", build_messages(document, analysis, index),
                     extraction_request(document, DocumentExtraction))  # fmt: skip
    body = create_batches(backend).request_body(item)
    assert set(body) == {"messages", "model", "max_tokens", "temperature", "tools", "tool_choice"}
    assert body == {key: sent.body[key] for key in body}  # same prompt, schema (enum of citable ids) ...


def test_batch_brief_through_the_cli_and_a_later_normal_run_reuses_it(tmp_path: Path) -> None:
    with running_batch_server() as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 0, stderr
    brief = read_brief(tmp_path)
    assert len(brief.sources) == 5 and brief.failed == []
    assert brief.stats.llm_calls == 5 and brief.stats.cache_hits == 0
    [upload] = server.uploads
    assert sorted(doc_of(line["body"]) for line in upload) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert {line["url"] for line in upload} == {"/v1/chat/completions"}
    assert list(server.batches) == ["batch_001"]
    assert "submitted batch batch_001 (5 requests)" in stderr
    assert "batch batch_001: completed, 5/5 done, 0 failed" in stderr
    assert open_batches(tmp_path) == []  # nothing left to resume
    # The answers were cached under the per-document path's keys: a run without --batch asks for no
    # extraction (the model's decisions are not batched: they go to the chat endpoint).
    with running_server() as chat:
        code, stderr = run(chat.url, tmp_path, batch=False)
        assert code == 0, stderr
        assert [r.doc_id for r in chat.requests if r.doc_id is not None] == []
    assert read_brief(tmp_path).stats.cache_hits == 5


def answers(bad: dict[str, set[int]]) -> Any:
    """The stub's answer: ``schema_invalid`` for a document in the batches numbered in ``bad``."""
    return lambda body, custom_id, number: "schema_invalid" if number in bad.get(doc_of(body), ()) else "ok"


def test_an_invalid_answer_is_re_asked_in_a_second_batch_and_fixed(tmp_path: Path) -> None:
    with running_batch_server(answer=answers({REASKED: {1}})) as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 0, stderr
    brief = read_brief(tmp_path)
    assert len(brief.sources) == 5 and brief.failed == []
    assert list(server.batches) == ["batch_001", "batch_002"]
    first, [reask] = server.uploads
    assert len(first) == 5 and doc_of(reask["body"]) == REASKED
    # instructor's re-ask: the first request, then the invalid answer and its validation error
    original = next(line for line in first if doc_of(line["body"]) == REASKED)["body"]
    messages = reask["body"]["messages"]
    assert messages[:2] == original["messages"] and reask["body"]["tools"] == original["tools"]
    assert messages[2]["role"] == "assistant" and messages[2]["tool_calls"]
    assert messages[3]["role"] == "tool" and "Validation Error found" in messages[3]["content"]
    assert brief.stats.retries == 1 and brief.stats.llm_calls == 6


def test_a_document_still_invalid_after_the_re_ask_is_failed_and_the_others_go_on(tmp_path: Path) -> None:
    with running_batch_server(answer=answers({REASKED: {1}, HOPELESS: {1, 2}})) as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 1, stderr  # written, with a document missing
    brief = read_brief(tmp_path)
    assert sorted(s.doc_id for s in brief.sources) == sorted(
        p.name for p in SEEDS.glob("*.txt") if p.name != HOPELESS
    )
    [failed] = brief.failed
    assert (
        Path(failed.path).name == HOPELESS and "no valid answer after a re-ask in the batch" in failed.reason
    )
    assert [len(upload) for upload in server.uploads] == [5, 2]
    assert f"not included: {SEEDS / HOPELESS}" in stderr
    assert open_batches(tmp_path) == []


def test_a_run_killed_while_waiting_resumes_the_same_batch(tmp_path: Path) -> None:
    with running_batch_server() as server:
        server.hold = True  # the batch stays in_progress until the first run is killed
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("OPENAI_API_KEY", None)
        command = [sys.executable, "-m", "summarizer.cli",
                   *brief_args(server.url, tmp_path, "--batch", "--batch-poll", "0.05")]  # fmt: skip
        with open(tmp_path / "first.log", "wb") as log:
            first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 180
                while len(server.polls) < 3 and first.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert len(server.polls) >= 3, (tmp_path / "first.log").read_text()
            finally:
                first.kill()  # SIGKILL: no chance to clean up
                first.wait()
        assert not (tmp_path / "brief.json").exists()
        assert list(server.batches) == ["batch_001"] and server.batches["batch_001"].status == "in_progress"
        assert {batch_id for _, _, batch_id in open_batches(tmp_path)} == {"batch_001"}
        polls_before = len(server.polls)
        server.hold = False
        code, stderr = run(server.url, tmp_path)
    assert code == 0, stderr
    assert "resuming batch batch_001 (5 requests)" in stderr
    assert list(server.batches) == ["batch_001"] and len(server.uploads) == 1  # nothing submitted again
    assert set(server.polls[polls_before:]) == {"batch_001"}
    assert len(read_brief(tmp_path).sources) == 5
    assert open_batches(tmp_path) == []


def test_an_expired_batch_keeps_what_it_answered_and_a_rerun_submits_the_rest(tmp_path: Path) -> None:
    with running_batch_server(fate="expired", expire_after=2) as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 1, stderr
    brief = read_brief(tmp_path)
    assert len(brief.sources) == 2 and len(brief.failed) == 3
    assert all("the batch expired" in f.reason and "run again" in f.reason for f in brief.failed)
    assert "batch batch_001: the batch expired (not done within its 24h window)" in stderr
    assert open_batches(tmp_path) == []
    with running_batch_server() as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 0, stderr
    assert [len(upload) for upload in server.uploads] == [3]  # only what the expired batch left
    assert len(read_brief(tmp_path).sources) == 5


def test_a_failed_batch_says_why_and_exits_2_when_nothing_is_left(tmp_path: Path) -> None:
    with running_batch_server(fate="failed") as server:
        code, stderr = run(server.url, tmp_path)
    assert code == 2, stderr
    assert "batch batch_001: the batch failed (invalid_request: injected batch failure)" in stderr
    assert "no usable document" in stderr and not (tmp_path / "brief.md").exists()
    assert open_batches(tmp_path) == []  # a rerun submits anew


def test_status_checks_that_fail_are_waited_out_then_given_up_keeping_the_batch(tmp_path: Path) -> None:
    with running_batch_server() as server:
        server.failing_polls = 3  # two attempts per check (--max-retries 1): the first check fails
        code, stderr = run(server.url, tmp_path, "--max-retries", "1")
        assert code == 0, stderr
        assert "could not check batch batch_001: server answered 500" in stderr and "trying again" in stderr
        assert len(read_brief(tmp_path).sources) == 5
    tmp_path = tmp_path / "second"
    with running_batch_server() as server:
        server.failing_polls = 1000
        code, stderr = run(server.url, tmp_path, "--max-retries", "1")
        assert code == 2, stderr
        assert "(5 times in a row); run the same command again to resume waiting for it" in stderr
        assert {batch_id for _, _, batch_id in open_batches(tmp_path)} == {"batch_001"}  # kept to resume
        server.failing_polls = 0
        code, stderr = run(server.url, tmp_path)
        assert code == 0 and "resuming batch batch_001" in stderr and len(server.batches) == 1


def test_results_whose_file_is_gone_are_reported_for_a_new_batch() -> None:
    item = BatchItem("doc-1", [{"role": "user", "content": "x"}], Request(DocumentExtraction))
    with running_batch_server() as server:
        backend = OpenAIBackend("test-model", base_url=server.url, api_key="x", max_retries=0)
        gone = BatchStatus(
            "batch_009", "completed", raw=SimpleNamespace(output_file_id="file-9", error_file_id=None)
        )
        [result] = create_batches(backend).results(gone, [item], final=False).values()
    assert result.completion is None and result.retry is None
    assert result.error == (
        "batch batch_009: its result file file-9 is no longer on the server; "
        "run again to submit it in a new batch"
    )


def test_a_server_without_a_batch_api_is_named_and_nothing_is_recorded(tmp_path: Path) -> None:
    class NotFound(BaseHTTPRequestHandler):  # what vLLM, Ollama or llama.cpp answer on /v1/files
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "27")
            self.end_headers()
            self.wfile.write(b'{"detail":"Not Found"}     ')

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        code, stderr = run(f"http://127.0.0.1:{httpd.server_address[1]}/v1", tmp_path)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert code == 2
    assert "has no Batch API (404 on /files or /batches); run without --batch" in " ".join(stderr.split())
    assert open_batches(tmp_path) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--backend", "fake"], "the fake backend does not have"),
        (["--no-cache"], "--batch needs the extraction cache"),
    ],
)
def test_batch_is_refused_where_it_cannot_work(tmp_path: Path, extra: list[str], message: str) -> None:
    code, stderr = run("http://127.0.0.1:9/v1", tmp_path, *extra)  # refused before anything is sent
    assert code == 2 and message in " ".join(stderr.split())
