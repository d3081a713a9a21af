"""What the progress line of a long run shows: documents done, tokens per second and an ETA.

Fed one finished document at a time (the pipeline's progress callback). Cached documents finish at
once, so they count as done but say nothing about speed: the ETA is the documents left times the
time each extracted document has taken so far (wall time, so concurrency is in it), and tokens per
second are the completion tokens of extracted documents over the time since the first one started.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressSnapshot:
    done: int
    total: int
    cached: int  # of ``done``, read from the cache
    failed: int
    completion_tokens: int
    tokens_per_second: float | None  # None until a document has been extracted
    eta_seconds: float | None  # None until a document has been extracted, 0 when all are done

    def describe(self) -> str:
        """'12.3 tokens/s · ETA 4m05s' (or what is known so far)."""
        rate = (
            f"{self.tokens_per_second:.1f} tokens/s" if self.tokens_per_second is not None else "- tokens/s"
        )
        if self.eta_seconds is None:
            return f"{rate} · ETA -"
        minutes, seconds = divmod(round(self.eta_seconds), 60)
        return f"{rate} · ETA {minutes}m{seconds:02d}s"


class ProgressMeter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.done = self.cached = self.failed = self.completion_tokens = 0
        self._extracted = 0

    def update(
        self,
        done: int,
        total: int,
        *,
        cached: bool,
        failed: bool = False,
        completion_tokens: int = 0,
        seconds: float = 0.0,
    ) -> ProgressSnapshot:
        """Record one finished document (``done`` of ``total`` now finished, this one in ``seconds``)."""
        self.done = done
        self.cached += int(cached)
        self.failed += int(failed)
        if not cached:
            if not self._extracted:  # the clock starts when extraction did, not at the analysis before it
                self._started = max(self._started, self._clock() - seconds)
            self._extracted += 1
            self.completion_tokens += completion_tokens
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = eta = None
        if self._extracted:
            rate = self.completion_tokens / elapsed
            eta = (total - done) * elapsed / self._extracted
        return ProgressSnapshot(
            done=done,
            total=total,
            cached=self.cached,
            failed=self.failed,
            completion_tokens=self.completion_tokens,
            tokens_per_second=rate,
            eta_seconds=eta,
        )
