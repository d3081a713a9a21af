"""Attribution from the dependency parse: who says what in a sentence.

* the subject of a reporting verb ('Hamas official X said', '…, said the official', 'a senior source
  tells Al Jazeera'), with the listener of 'told' kept as the outlet; the verb is the one no other
  reporting verb governs, never one inside a quotation ('“Much of what X said …,” said Y': Y);
* a subject shared with a governing verb ('…, saying', '… but said'), the object of 'X cited Y as
  saying', the name in an apposition ('That diplomat, William Taylor, said');
* 'according to X';
* a relative pronoun as subject ('the official, who said …') stands for the noun it hangs on;
* a personal pronoun ('he said') stands for the actor the document's context resolves it to
  (``SpeakerContext``, ``reference``), so a speaker is always a name or a description, never 'he';
* nothing for a verb that states nothing: passive, negated, hypothetical, questioned ('is expected
  to', 'did not comment', 'would argue', 'whether they accept', 'what she said').

Unnamed speakers ('two Egyptian security sources') keep their description; their side is resolved
by the party index (``PartyIndex.side_of``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from summarizer.analysis.parties import UNKNOWN_SIDE
from summarizer.vocabulary import (
    CONDITIONAL_MARKS,
    HYPOTHETICAL_MODALS,
    LEADING_WORDS,
    PERSON_TITLES,
    PERSONAL_PRONOUNS,
    POSITION_VERBS,
    QUESTION_WORDS,
    QUOTATION_VERBS,
    REFUSAL_VERBS,
    REPORTING_VERBS,
    SPEAKER_NOUNS,
    STANCE_AGAINST,
    STANCE_FOR,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MAX_SPEAKER_WORDS = 10
# A quotation this short (in words) inside a sentence is a phrase the writer quotes, not a statement.
SCARE_QUOTE_WORDS = 4


class SpeakerContext(Protocol):
    """What a sentence's attribution needs from the rest of its document and corpus."""

    def antecedent(self, pronoun: Token) -> str | None:
        """Who a pronoun subject ('he', 'she', 'they', 'it') stands for, or None if unsure."""
        ...

    def is_name(self, text: str) -> bool:
        """Whether the corpus knows ``text`` as the name of an actor (a subject the tagger got
        wrong, 'Manchin' as an adjective, is still a speaker)."""
        ...


_SUBJECTS = ("nsubj", "nsubjpass")
# Parts of a subject phrase that are not the speaker's name or description.
_DETACHED = {"relcl", "acl", "advcl", "punct", "appos", "cc", "conj", "prep", "parataxis"}


@dataclass
class Attribution:
    sentence_id: int
    speaker: str
    cue: str  # the verb or phrase that marks the attribution
    outlet: str | None = None  # "told Reuters" -> Reuters
    side: str = UNKNOWN_SIDE
    pronoun: bool = False  # the text says 'he'/'she'/'they'; ``speaker`` is the antecedent
    content: str = ""  # what is said: the reported clause, without the speaker and the verb
    # the parse token of the speaker (the head of its phrase), for the pronouns that follow
    speaker_token: int | None = field(default=None, compare=False, repr=False)
    # 'Al Qahera cited the source as saying': the outlet relays the speaker (``outlet``), whose side
    # it tells when the speaker's own phrase does not
    relayed: bool = False


# Double marks only: a lone ’ is as often an apostrophe ('the states’ lawsuit') as a closing mark.
_OPENING_QUOTES = ("“", '"')
_CLOSING_QUOTES = ("”", '"')


def _content(doc: Doc, verb: Token | None, drop: Token | None = None) -> str:
    """The reported proposition: the clause the verb reports ('said [that no progress was made]'),
    else the sentence without the attribution ('[Talks resume], a source said'). A sentence that opens
    with a quote closed before the verb says the quote: what the parse hangs on it after the closing
    mark is the speaker's title ('“...,” Deputy Campaign Manager Kate Doe said')."""
    if verb is not None and doc[0].text in _OPENING_QUOTES:
        closing = next((t.i for t in doc[1 : verb.i] if t.text in _CLOSING_QUOTES), None)
        # Only a quote that ends its clause ('...,” she said'); '“I suppose there will be” another
        # fight, he said' goes on after the mark.
        if closing is not None and closing > 2 and doc[closing - 1].text in (",", ".", "?", "!"):
            return _tidy(doc[1:closing].text)
    if verb is not None:
        clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp")]
        if clauses:
            span = doc[clauses[0].left_edge.i : clauses[0].right_edge.i + 1]
            words = [t for t in span if not (t.i == span.start and t.lower_ in ("that", "whether"))]
            return _tidy(doc[words[0].i : words[-1].i + 1].text) if words else ""
    removed = {t.i for t in (drop or verb).subtree} if (drop or verb) is not None else set()
    if verb is not None and verb.dep_ != "ROOT":
        removed = {t.i for t in verb.subtree} - {
            t.i for c in verb.children if c.dep_ == "ccomp" for t in c.subtree
        }
    kept = [t for t in doc if t.i not in removed]
    return _tidy(" ".join(t.text_with_ws.strip() for t in kept)) if kept else ""


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?’”])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)  # the attribution taken out leaves ', ,'
    text = re.sub(r"^(?:However|But|And|So|Meanwhile|Still|Yet|Similarly),\s*", "", text)
    text = re.sub(r"([“‘])\s+", r"\1", text)
    return text.strip(" ,;:“”\"'’‘").rstrip(".").strip(" ,;:“”\"'’‘")


def _phrase(head: Token, drop: set[str]) -> str:
    """The words of ``head``'s subtree without the children whose relation is in ``drop``."""
    skipped: set[int] = set()
    for child in head.children:
        if child.dep_ in drop:
            skipped.update(t.i for t in child.subtree)
    words = [t for t in head.subtree if t.i not in skipped]
    while words and (words[0].lower_ in LEADING_WORDS or words[0].is_punct):
        words = words[1:]
    while words and words[-1].is_punct:
        words = words[:-1]
    if not words:
        return ""
    return head.doc[words[0].i : words[-1].i + 1].text


def speaker_phrase(head: Token) -> str:
    """'a senior Hamas source' for the subject 'source'; relative clauses and asides are left out; a
    long description keeps its core ('a source familiar with the talks' stays whole when short). A
    named speaker joined to the subject is kept ('the sources and Al-Qahera'): it may tell the side."""
    phrase = _phrase(head, {"relcl", "acl", "advcl", "punct", "appos", "parataxis", "cc", "conj"})
    if len(phrase.split()) > MAX_SPEAKER_WORDS:
        phrase = _phrase(head, _DETACHED)
    named = [c for c in head.children if c.dep_ == "conj" and (c.ent_type_ or c.pos_ == "PROPN")]
    if named:
        joined = _phrase(named[0], _DETACHED)
        if joined and len(phrase.split()) + len(joined.split()) < MAX_SPEAKER_WORDS:
            phrase = f"{phrase} and {joined}"
    return re.sub(r"\s+", " ", phrase).strip(" ,;:“”\"'’‘")


def _plausible(head: Token, context: SpeakerContext | None = None) -> bool:
    """A speaker names someone or a role ('officials', 'the ministry'); not a thing, not markup."""
    if _MARKUP.search(head.text):
        return False
    if head.lower_ in PERSONAL_PRONOUNS:
        return True
    if head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if head.pos_ == "PROPN":
        return True
    if head.lemma_.lower() in SPEAKER_NOUNS | PERSON_TITLES or head.lower_ in SPEAKER_NOUNS:
        return True
    return context is not None and head.text[:1].isupper() and context.is_name(head.text)


def _reports_something(verb: Token, doc: Doc, quoted: Quotes) -> bool:
    if any(c.dep_ in ("ccomp", "xcomp") for c in verb.children) or verb.dep_ in ("parataxis", "ccomp"):
        return True
    if _quoted_as_saying(verb) is not None:
        return True
    # 'He tweeted:' introduces what follows; 'he said.' alone ends the quotation before it.
    if doc[-1].text == ":" or (
        verb.dep_ == "ROOT" and all(t.dep_ in ("nsubj", "punct") for t in doc if t.i != verb.i)
    ):
        return True
    # '“…,” X said': a quotation is what the verb reports, unless it is a phrase of a few words
    # somewhere else in the sentence ('what he calls a “global freeloading” system').
    if any(t.text in '“”"' for t in verb.subtree) or any(
        end - start > SCARE_QUOTE_WORDS + 2 for start, end in quoted.spans
    ):
        return True
    if any(t.dep_ == "mark" and t.lower_ == "that" for t in verb.subtree):
        return True  # a that-clause the parser hung elsewhere ('argued on appeal that …')
    # 'The attack disabled the systems, the Post said': the clause before the verb is what is said
    before = [c for c in verb.children if c.i < verb.i and c.dep_ in ("dep", "advcl", "parataxis", "nsubj")]
    if verb.dep_ == "ROOT" and (len(before) > 1 or any(c.dep_ != "nsubj" for c in before)):
        return True
    return verb.lemma_.lower() in POSITION_VERBS


def _listener(verb: Token) -> str | None:
    """'told Reuters' -> Reuters; 'told reporters' is no outlet."""
    for child in verb.children:
        if child.dep_ in ("dobj", "dative") and (child.ent_type_ or child.pos_ == "PROPN"):
            return _phrase(child, _DETACHED)
    return None


# Quotation marks: opening and closing ones, and the straight one whose direction its spacing tells.
_OPENING, _CLOSING, _STRAIGHT = "“", "”", '"'
# Leftovers of markup ('tweet id="…"', '<div>', '&amp;'): never a speaker's name.
_MARKUP = re.compile(r"[<>{}=]|&[a-z]+;|https?://|\bwww\.")


@dataclass(frozen=True)
class Quotes:
    """Where a sentence's quotations are: token ranges [start, end), and whether a quotation is still
    open at its end (it goes on in the next sentence)."""

    spans: tuple[tuple[int, int], ...]
    open_at_end: bool
    indices: frozenset[int] = frozenset()  # every quoted token, for ``in``

    def __contains__(self, index: object) -> bool:
        return index in self.indices

    def closes_carried(self) -> bool:
        """The sentence ends a quotation begun before it (its first quoted range starts at token 0)."""
        return bool(self.spans) and self.spans[0][0] == 0


def _opens(token: Token) -> bool:
    if token.text == _OPENING:
        return True
    if token.text != _STRAIGHT:
        return False
    # A straight mark opens when it sticks to the word after it and not to the one before it.
    doc = token.doc
    glued_after = token.whitespace_ == "" and token.i + 1 < len(doc)
    return glued_after and (token.i == 0 or doc[token.i - 1].whitespace_ != "")


def quotes(doc: Doc, carried: bool = False) -> Quotes:
    """The quoted ranges of a parsed sentence. ``carried``: a quotation opened in an earlier sentence
    is still open at its start. A closing mark with no opening one before it closes such a quotation
    too, so a sentence read alone still knows its first words are quoted."""
    text = doc.text  # built from the tokens on every access: once
    if not carried and not any(mark in text for mark in (_OPENING, _CLOSING, _STRAIGHT)):
        return Quotes((), False)  # most sentences: no need to walk their tokens
    spans: list[tuple[int, int]] = []
    start = 0 if carried else None
    for token in doc:
        if token.text not in (_OPENING, _CLOSING, _STRAIGHT):
            continue
        if _opens(token):
            if start is None:
                start = token.i
        elif start is not None:
            spans.append((start, token.i + 1))
            start = None
        elif not spans:
            spans.append((0, token.i + 1))
    if start is not None:
        spans.append((start, len(doc)))
    return Quotes(tuple(spans), start is not None, frozenset(i for a, b in spans for i in range(a, b)))


def _not_a_statement(verb: Token) -> bool:
    """'did not comment', 'would accuse', 'whether they maintain', 'what she said', 'declined to
    comment': the verb's subject says nothing in this sentence."""
    for child in verb.children:
        if child.dep_ == "neg":
            return True
        if child.dep_ == "aux" and child.lower_ in HYPOTHETICAL_MODALS:
            return True
        if child.dep_ in ("mark", "advmod") and child.lower_ in CONDITIONAL_MARKS | QUESTION_WORDS:
            return True
        if child.dep_ in ("dobj", "nsubj", "ccomp") and child.lower_ in QUESTION_WORDS:
            return True
        if child.dep_ == "dobj" and child.lower_ == "nothing":
            return True
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in REFUSAL_VERBS


def _governing_subject(verb: Token) -> Token | None:
    """The subject a verb without one shares: '…, saying' and '… but said' take their governing
    verb's ('Hamas rejected the plan, saying …'); 'a statement saying' takes the verb that governs
    the noun ('the White House issued a statement saying …'). None for a passive ('was expected
    to'), for 'persuaded Moscow to agree' (the object agrees, not the subject) and for an infinitive
    under a verb that states nothing ('could form a majority to insist'; a participle is an act of
    its own: 'would not go into detail, saying only: …')."""
    if any(c.dep_ == "auxpass" for c in verb.children):
        return None
    current = verb
    for _ in range(4):
        participle = current.tag_ == "VBG"
        if current.dep_ == "acl" and current.head.pos_ in ("NOUN", "PROPN"):
            current = current.head.head
        elif current.dep_ in ("advcl", "xcomp", "conj"):
            object_control = current.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in current.head.children)
            current = current.head
            if object_control:
                return None
        else:
            return None
        if current.pos_ not in ("VERB", "AUX") or (not participle and _not_a_statement(current)):
            return None
        subjects = [c for c in current.children if c.dep_ == "nsubj"]
        if subjects:
            return subjects[0]
    return None


def _quoted_as_saying(verb: Token) -> Token | None:
    """'Al Qahera cited the source as saying …', 'X quoted an engineer as saying …': the object
    speaks, whatever noun it is."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "as" and any(t.tag_ == "VBG" for t in child.subtree):
            quoted = [c for c in verb.children if c.dep_ == "dobj"]
            if quoted:
                return quoted[0]
    return None


def _speaker_token(verb: Token) -> Token | None:
    """Who the reporting verb makes speak: its subject ('a passive subject is spoken of, not
    speaking: 'Sessions is expected to'), the quoted one of 'X cited Y as saying', the noun a
    'who said' hangs on, else the subject it shares with a governing verb."""
    quoted = _quoted_as_saying(verb)
    if quoted is not None:
        return quoted
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects:
        # 'The flood closed the road, the Courier said' may parse with two subjects: the speaker is
        # the one that can speak
        head = next((s for s in subjects if _plausible(s)), subjects[0])
        if head.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
            return verb.head  # 'the official, who said …'
        return head
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return None
    return _governing_subject(verb)


def named_in_apposition(head: Token) -> Token:
    """'That diplomat, William Taylor, said': the name, not the description."""
    if head.ent_type_ == "PERSON":
        return head
    names = [c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON"]
    return names[0] if names else head


def _candidates(doc: Doc, quoted: Quotes) -> list[tuple[Token, Token]]:
    """(reporting verb, speaker token) pairs outside the quotations, the attribution first: the verb
    that no other reporting verb governs ('Mediators suggested X, they added': 'added'), except an
    outlet's 'reported', which yields to the statement it reports ('X said Y, The Sun reported')."""
    found = []
    for token in doc:
        if token.pos_ != "VERB" or token.i in quoted:
            continue
        lemma = token.lemma_.lower()
        direct = lemma in QUOTATION_VERBS and any(i in quoted for i in range(token.right_edge.i + 1))
        if lemma not in REPORTING_VERBS and not direct:
            continue
        head = _speaker_token(token)
        if head is None or head.i in quoted or _not_a_statement(token):
            continue
        found.append((token, head))
    verbs = {verb.i for verb, _ in found}

    def rank(pair: tuple[Token, Token]) -> tuple[int, int]:
        verb = pair[0]
        governors = [a for a in verb.ancestors if a.i in verbs]
        under_report = bool(governors) and all(a.lemma_.lower() == "report" for a in governors)
        # ... unless the statement is the outlet's own sources' ('Politico reported that its sources said')
        reports_another = verb.lemma_.lower() == "report" and any(
            v.i in verbs and v.i != verb.i and not any(c.dep_ == "poss" for c in h.children)
            for v, h in found
            if v.i in {t.i for t in verb.subtree}
        )
        governed = bool(governors) and not under_report
        return (1 if governed or reports_another else 0, verb.i)

    return sorted(found, key=rank)


def find_attribution(
    sentence_id: int, doc: Doc, context: SpeakerContext | None = None, quoted: Quotes | None = None
) -> Attribution | None:
    """The speaker of one parsed sentence, if the parse names one. ``context`` resolves pronouns
    (without it 'he said' is left unattributed); ``quoted``: the sentence's quotations, when the
    caller knows more than the sentence alone (it begins inside a quotation opened before it)."""
    quoted = quoted if quoted is not None else quotes(doc)
    for token, head in _candidates(doc, quoted):
        named = named_in_apposition(head)
        sure = _quoted_as_saying(token) is not None
        if not (sure or _plausible(head, context) or _plausible(named, context)):
            continue
        if head.lower_ in PERSONAL_PRONOUNS:
            if context is None or head.lower_ in ("we", "i") or not _reports_something(token, doc, quoted):
                continue
            antecedent = context.antecedent(head)
            if antecedent is None:
                continue
            return Attribution(
                sentence_id,
                antecedent,
                token.text,
                _listener(token),
                pronoun=True,
                content=_content(doc, token),
                speaker_token=head.i,
            )
        if not _reports_something(token, doc, quoted):
            continue
        speaker = speaker_phrase(named)
        if speaker and not _MARKUP.search(speaker):
            relaying = [c for c in token.children if c.dep_ == "nsubj"] if sure else []
            return Attribution(
                sentence_id,
                speaker,
                token.text,
                speaker_phrase(relaying[0]) if relaying else _listener(token),
                content=_content(doc, token),
                speaker_token=named.i,
                relayed=bool(relaying),
            )
    for token in doc:
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects and _plausible(objects[0], context) and objects[0].i not in quoted:
                speaker = speaker_phrase(objects[0])
                if speaker and not _MARKUP.search(speaker):
                    return Attribution(
                        sentence_id,
                        speaker,
                        "according to",
                        content=_content(doc, None, drop=token),
                        speaker_token=objects[0].i,
                    )
    return None


def is_quote_only(doc: Doc, quoted: Quotes) -> bool:
    """A sentence that is one quotation, with no words of its own after it: it continues a speaker
    ('“We expect a signature soon.”'). A quotation that closes mid-sentence is a phrase of the
    writer's ('“Infrastructure Week” became a running joke')."""
    if not quoted.spans or quoted.spans[0][0] != 0 or not _opens(doc[0]):
        return False
    end = quoted.spans[0][1]
    return quoted.open_at_end or all(t.is_punct for t in doc[end:])


def _object_phrase(verb: Token) -> Token | None:
    """What a stance verb is about: its clause or object ('proposed [increasing the rate]')."""
    for child in verb.children:
        if child.dep_ in ("xcomp", "dobj", "ccomp"):
            return child
    for child in verb.children:  # 'opposed to [X]'
        if child.dep_ == "prep" and child.lower_ in ("to", "on"):
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                return objects[0]
    return None


def _clause_text(head: Token, skip: set[int] | None = None) -> str:
    """``head``'s subtree without relative clauses and asides at any depth ('the rate, which X opposes')."""
    removed: set[int] = set()
    for token in head.subtree:
        if token.i in (skip or set()) or (
            token.dep_ in ("relcl", "advcl", "parataxis") and token.i != head.i
        ):
            removed.update(t.i for t in token.subtree)
    words = [t for t in head.subtree if t.i not in removed]
    while words and words[-1].is_punct:
        words = words[:-1]
    return " ".join(t.text for t in words)


def find_stances(sentence_id: int, doc: Doc) -> list[Attribution]:
    """Positions stated as support or opposition ('the White House has proposed increasing the
    corporate tax rate, which Republicans are firmly opposed to'): each actor's stance on the same
    thing, so rival proposals and demands can meet as one contested question. Opposition is worded
    'opposes …' (negative polarity)."""
    stances: list[Attribution] = []
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ not in ("VERB", "ADJ") or lemma not in STANCE_FOR | STANCE_AGAINST:
            continue
        clause = token.head if token.dep_ in ("acomp", "xcomp") and lemma in STANCE_AGAINST else token
        subjects = [c for c in clause.children if c.dep_ in _SUBJECTS]
        if not subjects or not _plausible(subjects[0]) or subjects[0].lower_ in PERSONAL_PRONOUNS:
            continue
        target = _object_phrase(token)
        if target is None and clause.dep_ == "relcl":  # '…, which Republicans are opposed to'
            antecedent = clause.head
            governor = antecedent.head if antecedent.dep_ in ("dobj", "pobj") else antecedent
            target = governor if governor.pos_ == "VERB" else antecedent
            thing = _clause_text(target, skip={clause.i})
        elif target is not None:
            thing = _clause_text(target)
        else:
            continue
        thing = _tidy(thing)
        if len(thing.split()) < 2:
            continue
        content = f"opposes {thing}" if lemma in STANCE_AGAINST else thing
        stances.append(Attribution(sentence_id, speaker_phrase(subjects[0]), token.text, content=content))
    return stances
