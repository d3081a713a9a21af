"""What role: the part a party plays in the events, where the text does not settle it.

The text settles a role by a title, a cue ('brokered by', 'the X delegation') or an organisation's
name (``analysis.roles``); such a role is never asked about. For the other parties the rules take the
role the extraction gave most often, and that is often wrong or 'other': a person named only as 'X said'
after 'a spokesperson said ...', 'the president' with no name beside the title. The model is shown the
party's name and up to ``MAX_SENTENCES`` sentences that mention it (the citations of its party entries,
distinct sentences, across documents, each after the sentence before it) and picks one role of
``PartyRole`` (not 'other'), or 'none' when it is no party to the events (a place, a law, a thing,
someone mentioned as background). It copies a short phrase of the sentences that shows the role; a
phrase the sentences do not hold is re-asked with the reason. The merge uses the answer below the text's
role and above the extraction's (``merge.brief.merge_documents``, ``party_roles``); a party the model
says is 'none' is left out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from summarizer.analysis import UNKNOWN_SIDE, PartyIndex
from summarizer.backends.base import Request
from summarizer.decisions.ask import Asker
from summarizer.documents import Document
from summarizer.ground import GroundedDocument
from summarizer.merge.decided import NOT_A_PARTY
from summarizer.merge.parties import PartyResolver
from summarizer.models import Citation, PartyRole

# Sentences shown per party: enough to see what it does, short enough for a small model to read.
MAX_SENTENCES = 3
# The evidence the model is asked for is at most this many words; validation allows a few more.
ASKED_EVIDENCE_WORDS = 15
MAX_EVIDENCE_WORDS = 25

# What the model may answer: every role but 'other' (the rules' answer when nothing fits), or 'none'.
ROLE_CHOICES: tuple[str, ...] = (*(r.value for r in PartyRole if r is not PartyRole.other), NOT_A_PARTY)
RoleChoice: Any = Literal[ROLE_CHOICES]

# What each role means, as the prompt shows it (``models.PartyRole``'s docstring).
ROLE_GLOSSES: dict[str, str] = {
    "belligerent": "a side fighting in a war or armed conflict",
    "negotiator": "a side taking part in talks or negotiations",
    "mediator": "brokers or hosts talks between other sides",
    "armed_group": "an armed group or militia that is not a state",
    "government": "a head of state or government, a minister, the executive, or a country acting as one",
    "official": "a civil servant, diplomat or agency head",
    "spokesperson": "speaks on behalf of an organisation or government",
    "legislator": "a member of a legislature, or a legislature",
    "party_leader": "the leader of a political party",
    "political_party": "a political party",
    "opposition": "the political opposition",
    "candidate": "a candidate in an election",
    "judge": "a judge",
    "court": "a court",
    "lawyer": "a lawyer or attorney",
    "company": "a company or business",
    "union": "a labour union",
    "advocacy_group": "a campaign or advocacy group",
    "organization": "another organisation or institution",
    "media": "a news outlet or journalist",
    "expert": "an analyst, academic or other expert who comments",
    "affected_person": "someone the events happen to",
}

_QUOTES = re.compile(r"[\"'`´‘’‚‛“”„‟«»‹›]")
_SPACE = re.compile(r"\s+")
# What a copied phrase may carry around it that the sentences need not hold where it is cut.
_EDGES = " \t\n.,;:!?-–—()[]"


def normalised(text: str) -> str:
    """Text as evidence is compared: lower case, quote characters dropped, whitespace collapsed."""
    return _SPACE.sub(" ", _QUOTES.sub("", text.lower())).strip()


class RoleAnswer(BaseModel):
    """The model's answer about one party (field order: the role, then what shows it)."""

    role: RoleChoice = Field(description="The party's part in the events, or 'none' if it is no party.")
    evidence: str = Field(
        max_length=300,
        description=f"A short phrase copied from the sentences that shows the role, at most "
        f"{ASKED_EVIDENCE_WORDS} words; may be empty for 'none'.",
    )

    @model_validator(mode="after")
    def _copied(self, info: ValidationInfo) -> RoleAnswer:
        """The evidence is a phrase of one of the shown sentences (``context['sentences']``)."""
        context = info.context if isinstance(info.context, dict) else {}
        sentences = context.get("sentences")
        phrase = normalised(self.evidence).strip(_EDGES)
        if not phrase:
            if self.role != NOT_A_PARTY:
                raise ValueError("evidence is empty: copy the words of the sentences that show the role")
            return self
        if len(phrase.split()) > MAX_EVIDENCE_WORDS:
            raise ValueError(f"evidence has more than {MAX_EVIDENCE_WORDS} words: copy a short phrase")
        if sentences is not None and not any(phrase in normalised(s) for s in sentences):
            raise ValueError("evidence is not in the sentences: copy a phrase word for word from one of them")
        return self


def _with_sentence_before(citation: Citation, documents: Mapping[str, Document]) -> str:
    """The cited sentence after the one before it in its document: 'Hamas is reviewing it, X said'
    says who X is only after 'a White House spokesperson said ...'."""
    document = documents.get(citation.doc_id)
    text = citation.text.strip()
    if document is None or citation.sentence <= 1:
        return text
    before = document.sentence(citation.sentence - 1)
    return f"{before.text.strip()} {text}" if before.citable else text


def party_sentences(
    grounded: Iterable[GroundedDocument], index: PartyIndex, documents: Iterable[Document] = ()
) -> dict[str, list[str]]:
    """Up to ``MAX_SENTENCES`` distinct sentences that mention each party whose role the text does not
    settle, by the canonical name the merge groups its entries under: the citations of its party
    entries, the first of each document before a second of any (a party is seen across documents).
    With the documents, each comes after the sentence before it (``_with_sentence_before``)."""
    by_id = {d.doc_id: d for d in documents}
    resolver = PartyResolver(index)
    cited: dict[str, dict[str, list[Citation]]] = defaultdict(lambda: defaultdict(list))
    for document in grounded:
        for entry in document.parties:
            name = resolver.entry_name(entry.name, entry.aliases)  # as ``merge_parties`` groups them
            if name == UNKNOWN_SIDE or name in index.roles:
                continue
            cited[name][document.doc_id] += entry.citations
    found: dict[str, list[str]] = {}
    for name, by_document in cited.items():
        sentences: dict[str, str] = {}  # normalised -> as written: a wire copy is one sentence
        queues = [list(citations) for citations in by_document.values()]
        while len(sentences) < MAX_SENTENCES and any(queues):
            for queue in queues:
                if queue and len(sentences) < MAX_SENTENCES:
                    text = _with_sentence_before(queue.pop(0), by_id)
                    sentences.setdefault(normalised(text), text)
        if sentences:
            found[name] = list(sentences.values())
    return found


def decide_roles(
    asker: Asker,
    grounded: Iterable[GroundedDocument],
    index: PartyIndex,
    workers: int = 1,
    documents: Iterable[Document] = (),
) -> dict[str, str]:
    """The model's role of each party the text does not settle, by canonical name (a ``PartyRole``
    value, or 'none': no party to the events); parties it gave no valid answer for are left out (the
    rules' role stands)."""
    asked = party_sentences(grounded, index, documents)

    def one(name: str) -> str | None:
        sentences = asked[name]
        key = f"decide-role:{name}"
        answer = asker.ask(
            "role",
            key,
            Request(RoleAnswer, key=key, context={"sentences": sentences}),
            party=name,
            sentences=sentences,
            roles=ROLE_GLOSSES,
            words=ASKED_EVIDENCE_WORDS,
        )
        return answer.role if answer is not None else None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        roles = list(pool.map(one, asked))
    return {name: role for name, role in zip(asked, roles, strict=True) if role is not None}
