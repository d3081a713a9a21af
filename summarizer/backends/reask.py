"""The one re-ask path of every backend, and one error format for all.

``complete_with_reasks`` asks, validates the answer with the request's context and, when it fails,
sends the model the original messages, its latest failed answer and the errors as a short list, at
most ``max_reasks`` times: the prompt stays bounded, and its prefix stays the first call's, so
llama.cpp reuses its KV cache. It says when an answer was cut off rather than invalid. The local and
fake backends call it with their own ``ask``; the openai backend with a streamed request whose answer
it assembles first (the batch path keeps instructor's ``handle_reask_kwargs``: a batch re-ask is a
request of the next batch).

When the re-asks are used up, every backend ends in ``give_up``: the valid items of the last answer
are kept (``salvage``), else a ``BackendError`` says why, in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from summarizer.backends.base import BackendError, Completion, Message, ModelT, Request, Usage
from summarizer.backends.salvage import salvage

# Validation errors quoted back to the model in a re-ask: enough to act on, short enough to fit.
MAX_ERRORS_SHOWN = 8
# The one-line reason of a failure shown to the user (and in the brief's "Not included").
MAX_REASON_CHARS = 240


@dataclass
class Answer:
    """One raw answer of a model: its text, and whether it stopped at the answer-length limit."""

    text: str
    cut_off_at: int | None = None  # the token limit it hit, if it did


# Gets the model's answer to these messages (counting its own usage), or None when it has no more.
Ask = Callable[[list[Message]], Answer | None]


def describe_errors(error: ValidationError) -> str:
    """The validation errors as the model is shown them: one ``- where: what`` line each."""
    lines = []
    for item in error.errors()[:MAX_ERRORS_SHOWN]:
        location = ".".join(str(part) for part in item["loc"]) or "answer"
        lines.append(f"- {location}: {item['msg']}")
    hidden = error.error_count() - MAX_ERRORS_SHOWN
    if hidden > 0:
        lines.append(f"- ... and {hidden} more")
    return "\n".join(lines)


def first_error(error: BaseException) -> str:
    """The first reason an answer failed, in one line for the user: ``where: what``."""
    cause = error.__cause__ if not isinstance(error, ValidationError) and error.__cause__ else error
    if isinstance(cause, ValidationError) and cause.errors():
        first = cause.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return (f"{where}: {first['msg']}" if where else first["msg"])[:MAX_REASON_CHARS]
    text = str(cause)
    return text.splitlines()[0][:160] if text else type(cause).__name__


def feedback(error: ValidationError, answer: Answer) -> str:
    """What the model is told about its failed answer."""
    if answer.cut_off_at is not None:
        return (
            f"Your answer was cut off at the limit of {answer.cut_off_at} tokens, so it is not valid JSON. "
            "Answer again with the complete JSON object, with fewer and shorter items."
        )
    return (
        "Your JSON answer does not pass validation:\n"
        f"{describe_errors(error)}\n"
        "Answer again with the complete corrected JSON object."
    )


def reask_messages(messages: list[Message], answer: Answer, error: ValidationError) -> list[Message]:
    """The original messages plus only the latest failed answer and what is wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": answer.text},
        {"role": "user", "content": feedback(error, answer)},
    ]


def complete_with_reasks(
    messages: list[Message], request: Request[ModelT], ask: Ask, max_reasks: int, usage: Usage
) -> Completion[ModelT] | None:
    """Ask, validate with the request's context, and re-ask with the errors at most ``max_reasks``
    times: the first valid answer, else what ``give_up`` keeps of the last one; None when ``ask`` had
    no answer at all. ``usage.retries`` counts the re-asks sent, as instructor's path does."""
    conversation = list(messages)
    failed: tuple[Answer, ValidationError] | None = None
    reasks = 0
    for attempt in range(max_reasks + 1):
        answer = ask(conversation)
        if answer is None:
            break
        if attempt:
            reasks += 1
            usage.retries += 1
        try:
            value = request.response_model.model_validate_json(answer.text, context=request.context)
        except ValidationError as error:
            failed = (answer, error)
            conversation = reask_messages(messages, answer, error)
            continue
        return Completion(value, usage)
    if failed is None:
        return None
    answer, error = failed
    reason = f"the answer was cut off at {answer.cut_off_at} tokens" if answer.cut_off_at else None
    return give_up(request, answer.text, error, usage, reasks=reasks, reason=reason)


def give_up(
    request: Request[ModelT],
    last_answer: str | None,
    error: BaseException,
    usage: Usage,
    *,
    reasks: int,
    reason: str | None = None,
) -> Completion[ModelT]:
    """The re-asks are used up: the valid items of the last answer, the others reported in
    ``Completion.dropped`` (``salvage``); a BackendError when nothing in it is valid."""
    kept = salvage(last_answer, request.response_model, request.context)
    if kept is not None:
        return Completion(kept.value, usage, kept.dropped)
    raise BackendError(f"no valid answer after {reasks} re-asks: {reason or first_error(error)}")
