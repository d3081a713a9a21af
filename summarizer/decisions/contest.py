"""The contest judge: do two merged claims of different sides answer one question in opposite ways?

Asked only about the candidate pairs the parse does not settle (``merge.contested.find_contested``
calls it through its ``Judge`` hook). The model writes the question and each claim's answer; the answer
is checked like the rules' questions, and an answer that fails is re-asked with the reasons:

* a question a reader can read: at most ``MAX_QUESTION_WORDS`` words (the rules' bound), ending in
  '?', opening as a question does, never 'Whether ...', never a quote (no quotation marks, no long run
  of one claim's words);
* it names what both positions speak of: a content word of each claim (or a number) is in it;
* the answers are opposite, and the pair is a contest only when the model also says both answer that
  one question.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from summarizer.analysis.propositions import MAX_QUESTION_WORDS
from summarizer.backends.base import Request
from summarizer.decisions.ask import Asker
from summarizer.merge.contested import Verdict
from summarizer.models import ClaimGroup
from summarizer.vocabulary import STOPWORDS

# The model is asked for at most this many words; validation allows the rules' bound.
ASKED_QUESTION_WORDS = 12
# This many words in a row from a claim make the question a quote of it.
QUOTE_RUN = 8
# How a question opens: an auxiliary or a question word ('Did ...', 'Should ...', 'Who ...').
QUESTION_OPENERS = frozenset((
    "is", "are", "was", "were", "am", "do", "does", "did", "has", "have", "had", "will", "would", "should",
    "shall", "can", "could", "may", "might", "must", "who", "what", "which", "when", "where", "why", "how",
    "for",
))  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*")
_QUOTES = re.compile(r"[\"“”«»]")
# Words shared by a question and a claim are compared by their first letters: 'negotiate' and
# 'negotiations' speak of one thing.
_STEM = 5


def _words(text: str) -> list[str]:
    return [w.lower().strip("'") for w in _WORD.findall(text)]


def _content(text: str) -> set[str]:
    """Content words (by their first letters) and numbers of a text."""
    found = set()
    for word in _words(text):
        if word[0].isdigit():
            found.add(word.replace(",", "").rstrip("."))
        elif len(word) > 2 and word not in STOPWORDS:
            found.add(word[:_STEM])
    return found


def _longest_shared_run(question: list[str], statement: list[str]) -> int:
    best = 0
    for i in range(len(question)):
        for j in range(len(statement)):
            n = 0
            while i + n < len(question) and j + n < len(statement) and question[i + n] == statement[j + n]:
                n += 1
            best = max(best, n)
    return best


def question_problems(question: str, first: str, second: str) -> list[str]:
    """Why ``question`` cannot stand as the question two claims answer; empty when it can."""
    problems = []
    words = _words(question)
    if not question.strip().endswith("?"):
        problems.append("the question must end with '?'")
    if len(question.split()) > MAX_QUESTION_WORDS:
        problems.append(f"the question has more than {MAX_QUESTION_WORDS} words")
    if len(words) < 3:
        problems.append("the question is too short to say what is disputed")
    if words and words[0] == "whether":
        problems.append("the question must not start with 'Whether'; ask it directly")
    elif words and words[0] not in QUESTION_OPENERS:
        problems.append("the question must open as a question ('Did ...', 'Should ...', 'Is ...')")
    if _QUOTES.search(question):
        problems.append("the question must not quote; say the matter in plain words")
    elif any(_longest_shared_run(words, _words(s)) >= QUOTE_RUN for s in (first, second)):
        problems.append("the question copies a statement; say the matter in a few plain words")
    content = _content(question)
    for name, statement in (("first", first), ("second", second)):
        if not content & _content(statement):
            problems.append(f"the question must name what the {name} statement speaks of")
    return problems


class ContestAnswer(BaseModel):
    """The model's answer about one pair of claims (field order: the question before the answers)."""

    question: str = Field(max_length=200, description="The one yes/no question both statements answer.")
    first_answer: Literal["yes", "no"]
    second_answer: Literal["yes", "no"]
    same_question: bool = Field(description="True only when both statements answer this very question.")

    @property
    def contest(self) -> bool:
        return self.same_question and self.first_answer != self.second_answer

    @model_validator(mode="after")
    def _readable(self, info: ValidationInfo) -> ContestAnswer:
        """A claimed contest's question passes the rules' checks (module doc); no contest, no check."""
        context = info.context if isinstance(info.context, dict) else {}
        pair = context.get("statements")
        if self.contest and pair is not None:
            problems = question_problems(self.question, *pair)
            if problems:
                raise ValueError("; ".join(problems))
        return self


def _side(group: ClaimGroup) -> str:
    return ", ".join(group.speaker_sides)


class ContestJudge:
    """A ``merge.contested.Judge`` backed by a model, at most ``limit`` calls per brief (the candidate
    pairs are asked most similar first; a run's cost stays bounded on a cluster with many claims)."""

    def __init__(self, asker: Asker, limit: int | None = None) -> None:
        self.asker = asker
        self.limit = limit
        self.calls = 0
        self.verdicts: dict[tuple[str, str], Verdict | None] = {}  # by claim ids, for benchmarks

    def __call__(self, first: ClaimGroup, second: ClaimGroup) -> Verdict | None:
        if self.limit is not None and self.calls >= self.limit:
            return None
        self.calls += 1
        request = Request(
            ContestAnswer,
            key=f"decide-contest:{first.id}/{second.id}",
            context={"statements": (first.statement, second.statement)},
        )
        answer = self.asker.ask(
            "contest",
            request.key,
            request,
            first=first.statement,
            first_side=_side(first),
            second=second.statement,
            second_side=_side(second),
            words=ASKED_QUESTION_WORDS,
        )
        verdict = None
        if answer is not None and answer.contest:
            verdict = Verdict(answer.question.strip(), answer.first_answer, answer.second_answer)
        self.verdicts[(first.id, second.id)] = verdict
        return verdict
