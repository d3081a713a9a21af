"""The 200-document fault-injection stress run (``pytest -m stress``; deselected by default).

Same code as ``python bench/stress.py``: 200 articles through the real openai backend and pipeline
against the loopback server with 30% of requests faulted. Nothing may be lost.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _stress_module():
    spec = importlib.util.spec_from_file_location("bench_stress", ROOT / "bench" / "stress.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.stress
def test_200_documents_through_a_30_percent_faulty_server_lose_nothing() -> None:
    stress = _stress_module()
    result = stress.run(docs=200, fault_rate=0.3, concurrency=16)
    print(result)
    assert result["lost"] == []
    assert result["failed"] == {}
    assert result["completed"] == 200
    assert result["bad_citations"] == []
    assert set(result["faults"]) == set(stress.FAULT_KINDS)  # every kind of fault was injected
    assert 0.25 <= result["faulted_share"] <= 0.35
    assert result["requests"] == 200 + sum(result["faults"].values())  # each fault cost one more request
    assert result["retries"] == sum(result["faults"].values())
    assert result["wall_seconds"] < 120
