"""Errors both sides of the model boundary raise and catch: the backends, and the steps that use a
model (the embedding model, the assembled local model) or fall back when one has no answer."""

from __future__ import annotations


class BackendError(Exception):
    """A call failed for good (transport errors after retries, or no valid answer after re-asks).

    The message is shown to the user as is, so it says what happened in one line.
    """


class NoAnswer(BackendError):
    """The backend has no answer of its own for this request (the fake backend without a scripted
    reply): the caller's fallback stands in (for an extraction, the analysis' rules-only one)."""
