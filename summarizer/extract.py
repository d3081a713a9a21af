"""Step 3 of the data flow: one schema-constrained extraction per document.

The model sees the document's numbered sentences (boilerplate marked "skip") plus the rule-based
hints from ``analyse`` and answers with a ``DocumentExtraction`` that cites sentence numbers. The
validators in ``models`` reject unknown or boilerplate numbers, and the backend re-asks with the
error. Prompts are template files in ``prompts/``; their content hash is part of the cache key.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2

from summarizer.analyse import DocumentAnalysis, PartyIndex, hints_for_prompt, rules_extraction
from summarizer.backends.base import Backend, Completion, Message
from summarizer.documents import Document
from summarizer.models import DocumentExtraction, ExtractionContext

PROMPT_FILES = ("extract_system.j2", "extract_user.j2")


def prompts_dir() -> Path:
    """``prompts/`` in a source checkout, or the copy shipped inside the wheel."""
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("summarizer") / "prompts"))


@cache
def _template(name: str) -> jinja2.Template:
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.from_string((prompts_dir() / name).read_text(encoding="utf-8"))


@cache
def prompt_hash() -> str:
    digest = hashlib.sha256()
    for name in PROMPT_FILES:
        digest.update((prompts_dir() / name).read_bytes())
    return digest.hexdigest()[:16]


@cache
def schema_hash() -> str:
    schema = json.dumps(DocumentExtraction.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:16]


def build_messages(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> list[Message]:
    parties = sorted(index.parties, key=lambda name: -index.documents.get(name, 0))
    user = _template("extract_user.j2").render(
        doc_id=document.doc_id,
        date=document.date,
        sentences=document.sentences,
        parties=parties[:15],
        hints=hints_for_prompt(document, analysis),
    )
    return [
        {"role": "system", "content": _template("extract_system.j2").render()},
        {"role": "user", "content": user},
    ]


def extraction_context(document: Document, analysis: DocumentAnalysis, index: PartyIndex) -> dict:
    """Validation context: which sentence ids exist; ``rules`` is the analysis-only answer, which the
    fake backend returns when it has no scripted reply."""
    return {
        "extraction": ExtractionContext(
            doc_id=document.doc_id,
            citable_ids=[s.id for s in document.citable_sentences],
            boilerplate_ids=[s.id for s in document.sentences if not s.citable],
        ),
        "rules": rules_extraction(document, analysis, index),
    }


def extract_document(
    document: Document, analysis: DocumentAnalysis, index: PartyIndex, backend: Backend
) -> Completion[DocumentExtraction]:
    """One model call (plus re-asks) for one document."""
    return backend.complete(
        build_messages(document, analysis, index),
        DocumentExtraction,
        extraction_context(document, analysis, index),
    )
