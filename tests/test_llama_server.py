"""The openai backend against llama-cpp-python's own OpenAI-compatible server, the common local set-up:
one request computed at a time, the others queued, abandoned requests computed all the same. The tiny
test model keeps it to a minute; bench/slow_server.py runs the seeds with the default model.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app

pytestmark = pytest.mark.local_model
pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server] (the dev extra)")

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_slow_server", ROOT / "bench" / "slow_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_real_single_slot_llama_cpp_server_gets_every_document(tmp_path: Path) -> None:
    from summarizer.model_assets import tiny_model_path

    bench = _bench()
    articles = tmp_path / "articles"
    articles.mkdir()
    for n, place in enumerate(("Cairo", "Doha")):
        (articles / f"{n}.txt").write_text(
            f"Negotiators met in {place} on Monday, officials said.\n\n"
            f"The mediators said {120 + n} detainees could be released.\n",
            encoding="utf-8",
        )
    port = bench.free_port()
    server = bench.start_server(tiny_model_path(), port)
    proxy = bench.Proxy(port, fault_rate=0.0, seed=0)
    try:
        data = tmp_path / "brief.json"
        result = CliRunner().invoke(
            app,
            ["brief", str(articles), "--backend", "openai", "--base-url", proxy.url, "--model", "tiny",
             "--no-cache", "-o", str(tmp_path / "brief.md"), "--json", str(data)],
        )  # fmt: skip
    finally:
        proxy.stop()
        server.terminate()
        server.wait(timeout=30)
    assert result.exit_code == 0, result.stderr
    brief = json.loads(data.read_text(encoding="utf-8"))
    assert len(brief["sources"]) == 2 and brief["failed"] == []
    assert [e.kind for e in proxy.log] == ["ok", "ok"]  # no retries: nothing timed out
    assert proxy.resent_while_computing() == []
    assert [e.number for e in proxy.log if e.abandoned] == []
