"""Who is for or against what, read from the parse: the positions that disputes are made of.

Most disputes the news reports are one side's plan, demand or act against the other side's rejection
of it ('Trump intends to request $8.6 billion for the wall' / 'the president's $8.6 billion ask is a
non-starter, Pelosi and Schumer said'). A ``Stance`` is one such position in one sentence:

* a **verb** of support or opposition with its subject and object ('Biden rejected the latest GOP
  counteroffer', 'Trump threatened to cut off funding', 'Senate Republicans reject plans to dismiss
  the charges'), the object being a noun phrase or the action after 'to';
* a **noun** of support or opposition ('expressed deep opposition to the tariffs');
* a **judgment** of a thing by a speaker: a copula or 'called' with a judging word ('the ask is a
  non-starter', 'called the guidelines impractical'), held by the sentence's speaker.

The holder is the subject (an xcomp or conjoined verb inherits it: 'intends to request'), or the
sentence's speaker when the subject is a pronoun or the stance is inside what the speaker says. A
stance whose holder or target is only a pronoun is not kept: it cannot be checked against another.
Words are general (verbs and judgments of political English, in ``vocabulary``), never one story's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from summarizer.analysis.attribution import speaker_phrase
from summarizer.vocabulary import (
    ENDING_VERBS,
    GENERIC_TARGETS,
    JUDGMENTS_AGAINST,
    JUDGMENTS_FOR,
    PERSONAL_PRONOUNS,
    PREPOSITIONAL_STANCE_VERBS,
    REPORTING_VERBS,
    STANCE_NOUNS_AGAINST,
    STANCE_NOUNS_FOR,
    STANCE_VERBS_AGAINST,
    STANCE_VERBS_FOR,
    STOPWORDS,
    THIRD_PERSON_PRONOUNS,
    UNITS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

FOR, AGAINST = "for", "against"
# A target is what a reader needs to recognise the thing: its core, at most this many words.
MAX_TARGET_WORDS = 14
_SUBJECTS = ("nsubj", "nsubjpass")
_CONTENT = ("NOUN", "PROPN", "VERB", "ADJ")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# Targets that say nothing alone ('it', 'that', 'this'): a stance on them cannot meet another.
_EMPTY_TARGETS = (
    PERSONAL_PRONOUNS | THIRD_PERSON_PRONOUNS | {"this", "that", "these", "those", "which", "what"}
)


@dataclass(frozen=True)
class Stance:
    sentence_id: int
    holder: str  # as the text names them, or the sentence's speaker
    polarity: str  # FOR or AGAINST
    act: str  # the word that states it: 'reject', 'propose', 'non-starter'
    target: str  # the thing, as written (its core)
    head: str  # the lemma of the target's head word ('tariff')
    terms: frozenset[str]  # content lemmas and numbers of the target, to meet other stances with
    action: bool  # the target is an act ('cut off funding'), not a thing
    side: str = ""  # the holder's party, filled by the analysis
    person: bool = False  # the holder is a person the text names (an entity of that kind)
    # Held in a clause that says who the holder is ('the Federation, which supports the wall'): a
    # standing position, not something the holder did or said in this event (no reaction to a plan).
    standing: bool = False

    def same_target(self, other: Stance) -> bool:
        """Both are about one thing: a number in common, the same head word (unless a generic one:
        'plan', 'proposal'), or two content words in common (one when a target has only one)."""
        numbers = {t for t in self.terms if t[0].isdigit()} & {t for t in other.terms if t[0].isdigit()}
        if numbers:
            return True
        if self.head == other.head and self.head in self.terms and self.head not in GENERIC_TARGETS | UNITS:
            return True
        shared = {t for t in self.terms & other.terms if not t[0].isdigit()}
        smallest = min(len(self.terms), len(other.terms))
        return len(shared) >= min(2, smallest) and bool(shared)


def is_headline(doc: Doc) -> bool:
    """A headline or a caption: it does not end as a sentence, its words are cut short, and it
    states no one's position or plan."""
    return not doc.text.rstrip().endswith((".", "!", "”", '"', "’", "'"))


def find_positions(sentence_id: int, doc: Doc, speaker: str | None) -> list[Stance]:
    """The stances of one parsed sentence; ``speaker`` is who the analysis says speaks in it."""
    found: list[Stance] = []
    if is_headline(doc):
        return found
    for token in doc:
        lemma = token.lemma_.lower()
        if token.pos_ == "VERB" and lemma in STANCE_VERBS_FOR | STANCE_VERBS_AGAINST:
            stance = _verb_stance(sentence_id, token, speaker)
        elif token.pos_ == "NOUN" and lemma in STANCE_NOUNS_FOR | STANCE_NOUNS_AGAINST:
            stance = _noun_stance(sentence_id, token, speaker)
        elif _judging(token):
            stance = _judgment(sentence_id, token, speaker)
        elif lemma == "be" and (against := _against(token)) is not None:
            # 'Sinema is against eliminating the filibuster'
            stance = _stance(sentence_id, _holder(token, speaker), AGAINST, "against", against, False)
        else:
            stance = None
        if stance is not None and all(s.target != stance.target for s in found):
            found.append(stance)
    return found


def _judging(token: Token) -> bool:
    words = {token.lemma_.lower(), token.lower_}
    if token.dep_ == "attr" and token.i + 2 < len(token.doc) and token.nbor(1).text == "-":
        words.add(f"{token.lower_}-{token.nbor(2).lower_}")  # 'non-starter' parsed as three tokens
    return bool(words & (JUDGMENTS_FOR | JUDGMENTS_AGAINST)) and token.dep_ in ("attr", "acomp", "oprd")


def _is_person(holder: str, doc: Doc) -> bool:
    """Whether the holder phrase names a person the parse marks as one."""
    return any(e.label_ == "PERSON" and e.text in holder for e in doc.ents)


def _against(copula: Token) -> Token | None:
    """What 'X is against' has after 'against', unless the copula is negated ('is not against')."""
    if any(c.dep_ == "neg" for c in copula.children):
        return None
    for child in copula.children:
        if child.dep_ == "prep" and child.lower_ == "against" and child.i > copula.i:
            return next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
    return None


def _holder(verb: Token, speaker: str | None) -> str | None:
    """The subject of the verb, inherited through 'intends to request' and 'X and Y'; the speaker
    for a pronoun or for a verb inside what the speaker says."""
    token = verb
    for _ in range(4):
        subjects = [c for c in token.children if c.dep_ in _SUBJECTS]
        if subjects:
            subject = subjects[0]
            if subject.lower_ in ("i", "we"):
                return speaker  # 'we will block it', said X
            if subject.lower_ in PERSONAL_PRONOUNS | THIRD_PERSON_PRONOUNS:
                # 'Democratic leaders insist that they oppose the wall': the reporting subject. Any
                # other pronoun ('he demanded a wall', in someone else's words) is left unplaced.
                reporter = _reporting_subject(token, subject)
                return speaker_phrase(reporter) if reporter is not None else None
            if subject.lower_ in ("who", "that", "which") and token.dep_ == "relcl":
                return _antecedent_phrase(token.head)
            return _named_examples(subject) or speaker_phrase(subject)
        if token.dep_ in ("xcomp", "conj", "advcl") and token.head.i != token.i:
            token = token.head
            continue
        break
    return None


def _named_examples(subject: Token) -> str | None:
    """'many members of the caucus, like Sens. Jane Roe and Ann Vole, have called for ...': the people
    the text names as holding it ('Jane Roe and Ann Vole'); the unnamed many cannot be placed."""
    for prep in subject.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("like", "including"):
            continue
        heads = [c for c in prep.children if c.dep_ == "pobj"]
        heads += [c for h in heads for c in h.conjuncts]
        names = [
            " ".join(t.text for t in h.subtree if t.ent_type_ == "PERSON" and t.i <= h.i)
            for h in sorted(heads, key=lambda h: h.i)
            if h.ent_type_ == "PERSON"
        ]
        if names:
            return " and ".join(names)
    return None


def _reporting_subject(clause: Token, pronoun: Token) -> Token | None:
    """The subject a pronoun in a reported clause stands for: the named subject of the verb that
    reports the clause, when they agree in number ('leaders ... they', 'the senator ... he')."""
    if clause.dep_ != "ccomp" or clause.head.lemma_.lower() not in REPORTING_VERBS:
        return None
    subjects = [c for c in clause.head.children if c.dep_ == "nsubj"]
    if not subjects or subjects[0].lower_ in PERSONAL_PRONOUNS | THIRD_PERSON_PRONOUNS | {"who", "that"}:
        return None
    reporter = subjects[0]
    plural = reporter.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in reporter.children)
    if pronoun.lower_ == "they" and plural:
        return reporter
    if pronoun.lower_ in ("he", "she") and not plural and reporter.ent_type_ == "PERSON":
        return reporter
    return None


def _antecedent_phrase(word: Token) -> str:
    """Who a relative clause speaks of: the word it hangs on, or the whole name that word ends ('the
    Federation for Safer Roads, which backs ...': the clause hangs on 'Roads', the name is the
    Federation's)."""
    whole = word
    while (
        whole.pos_ == "PROPN"
        and whole.dep_ == "pobj"
        and whole.head.lower_ in ("for", "of", "on")
        and whole.head.head.pos_ == "PROPN"
    ):
        whole = whole.head.head
    if whole.i == word.i:
        return speaker_phrase(word)
    return word.doc[min(t.i for t in whole.subtree) : word.i + 1].text


def _verb_stance(sentence_id: int, verb: Token, speaker: str | None) -> Stance | None:
    lemma = verb.lemma_.lower()
    if any(c.dep_ == "neg" for c in verb.children):
        return None  # 'did not reject' is no stance we can read safely
    polarity = FOR if lemma in STANCE_VERBS_FOR else AGAINST
    target: Token | None = None
    action = False
    acts = [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")]
    things = [c for c in verb.children if c.dep_ == "dobj"]
    if acts:  # 'urged Congress to fund it': the act, not the one urged
        target, action = acts[0], True
    elif things and lemma not in PREPOSITIONAL_STANCE_VERBS:
        target = things[0]  # 'called the rules unfair' is no stance on the rules: 'called for X' is
    if target is None:  # 'called for X', 'insisted on X', 'voted against X', 'objected to X'
        for child in verb.children:
            if child.i < verb.i:
                continue  # 'For this reason, they called ...': an adverbial, not what is called for
            if child.dep_ == "prep" and child.lower_ in ("for", "on", "against", "to"):
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects:
                    target = objects[0]
                    if child.lower_ == "against":
                        polarity = AGAINST
                    break
    if target is None and lemma in PREPOSITIONAL_STANCE_VERBS:
        # 'called for the filibuster to be abolished': the act is the clause 'for' opens
        for child in verb.children:
            if child.dep_ in ("advcl", "ccomp") and any(m.lower_ == "for" for m in child.children):
                target, action = child, True
                break
    if target is None:
        return None
    holder = _holder(verb, speaker)
    stance = _stance(sentence_id, holder, polarity, lemma, target, action)
    relative = verb.dep_ == "relcl" and any(
        c.dep_ in _SUBJECTS and c.lower_ in ("who", "which", "that") for c in verb.children
    )
    return replace(stance, standing=True) if stance is not None and relative else stance


def _noun_stance(sentence_id: int, noun: Token, speaker: str | None) -> Stance | None:
    """'expressed opposition to X', 'their support for X': the holder is the subject of the verb the
    noun is the object of."""
    lemma = noun.lemma_.lower()
    polarity = FOR if lemma in STANCE_NOUNS_FOR else AGAINST
    target = None
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "for", "of"):
            objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objects:
                target = objects[0]
                break
    if target is None or noun.dep_ not in ("dobj", "pobj", "nsubj", "attr"):
        return None
    governor = noun.head if noun.dep_ != "pobj" else noun.head.head
    holder = _holder(governor, speaker) if governor.pos_ in ("VERB", "AUX") else None
    return _stance(sentence_id, holder, polarity, lemma, target, False)


def _judgment(sentence_id: int, word: Token, speaker: str | None) -> Stance | None:
    """'X is a non-starter' (copula) or 'called X impractical' (object predicate), held by the
    sentence's speaker (or the subject of 'called')."""
    lemma = word.lemma_.lower()
    key = {lemma, word.lower_}
    if word.dep_ == "attr" and word.i + 2 < len(word.doc) and word.nbor(1).text == "-":
        key.add(f"{word.lower_}-{word.nbor(2).lower_}")
    polarity = AGAINST if key & JUDGMENTS_AGAINST else FOR
    act = next(iter(sorted(key & (JUDGMENTS_AGAINST | JUDGMENTS_FOR))))
    governor = word.head
    if word.dep_ == "oprd" or (governor.lemma_.lower() in ("call", "describe", "label", "deem", "brand")):
        objects = [c for c in governor.children if c.dep_ in ("dobj", "nsubjpass")]
        if not objects:
            return None
        return _stance(sentence_id, _holder(governor, speaker), polarity, act, objects[0], False)
    if governor.lemma_.lower() != "be":
        return None
    subjects = [c for c in governor.children if c.dep_ in _SUBJECTS]
    if not subjects or speaker is None:
        return None  # the article's own judgment, or nobody's: not a side's position
    said_by_speaker = governor.dep_ in ("ccomp", "parataxis") or governor.dep_ == "ROOT"
    return _stance(sentence_id, speaker if said_by_speaker else None, polarity, act, subjects[0], False)


def _stance(
    sentence_id: int, holder: str | None, polarity: str, act: str, target: Token, action: bool
) -> Stance | None:
    if not holder or target.lower_ in _EMPTY_TARGETS:
        return None
    words = _target_words(target, action)
    text = _target_text(words)
    terms = content_terms(target, words)
    if not text or not terms:
        return None
    person = _is_person(holder, target.doc)
    return Stance(
        sentence_id, holder, polarity, act, text, target.lemma_.lower(), terms, action, person=person
    )


def core_tokens(head: Token) -> list[Token]:
    """The target's words without relative clauses, asides and trailing punctuation."""
    removed: set[int] = set()
    for token in head.subtree:
        if token.i != head.i and token.dep_ in ("relcl", "acl", "advcl", "parataxis", "appos", "ccomp"):
            removed.update(t.i for t in token.subtree)
    words = [t for t in head.subtree if t.i not in removed]
    while words and (words[-1].is_punct or words[-1].dep_ in ("cc", "prep", "det")):
        words = words[:-1]
    while words and words[0].is_punct:
        words = words[1:]
    return words


def _target_words(target: Token, action: bool) -> list[Token]:
    words = core_tokens(target)
    if action and any(w.dep_ == "mark" and w.lower_ == "for" and w.head.i == target.i for w in words):
        # 'called for the filibuster to be abolished': 'the filibuster to be abolished'
        words = [w for w in words if not (w.dep_ == "mark" and w.head.i == target.i)]
    elif action:  # 'to cut off funding': the act without its 'to'
        words = [w for w in words if not (w.dep_ == "aux" and w.lower_ == "to" and w.head.i == target.i)]
    comma = next((n for n, w in enumerate(words) if w.i > target.i and w.text == ","), None)
    if comma is not None:  # 'several pieces of the bill, including ...': the thing, not the list
        words = words[:comma]
    if len(words) > MAX_TARGET_WORDS:  # keep the head and what comes before it, then cut at a preposition
        cut = next((n for n, w in enumerate(words) if w.i > target.i and w.dep_ == "prep"), len(words))
        words = words[: min(cut, MAX_TARGET_WORDS)]
    while words and (words[-1].is_punct or words[-1].dep_ in ("cc", "prep", "det")):
        words = words[:-1]
    return words


def _target_text(words: list[Token]) -> str:
    if not words:
        return ""
    span: Span = words[0].doc[words[0].i : words[-1].i + 1]
    if len(span) != len(words):  # a gap: join the kept words with the text's own spacing
        return "".join(w.text_with_ws for w in words).strip()
    return span.text.strip()


def content_terms(target: Token, words: list[Token] | None = None) -> frozenset[str]:
    """Content lemmas and numbers of a target's words (its core, or the words given)."""
    terms = set()
    for token in core_tokens(target) if words is None else words:
        if token.like_num or _NUMBER.fullmatch(token.text):
            terms.add(token.text.replace(",", ""))
        elif token.is_alpha and token.pos_ in _CONTENT and token.lemma_.lower() not in STOPWORDS:
            lemma = token.lemma_.lower()
            terms.add("end" if token.pos_ == "VERB" and lemma in ENDING_VERBS else lemma)
    return frozenset(terms)
