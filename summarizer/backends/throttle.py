"""Adaptive concurrency and timeouts for one OpenAI-compatible endpoint.

A local server (llama.cpp, Ollama, a small vLLM) often computes one request at a time and queues the
rest; its latency grows with the number of requests it is sent. Fixed concurrency and a fixed timeout
then turn a slow server into a failing one: queued requests time out on the client while the server
still works on them, and their retries queue behind the abandoned work (which it keeps computing).

``AdaptiveLimit`` gates every request to the endpoint:

* **concurrency** starts at 1 against an endpoint of unknown capacity (at the maximum for OpenAI's
  hosted API) and grows fast (x4) while latency stays flat. It is lowered at once when latency grows
  with concurrency (both the raw latency and the latency per token, so neither a bigger document nor
  a fixed-delay server fools it), when a request times out (by half), or on 429/503 (by a quarter).
  After a lowering it grows again one step per flat answer up to where trouble was seen, and past it
  only after many flat answers.
  The user's ``--concurrency`` is the upper bound;
* **slow and dead are told apart by what the server sends** (the answer is streamed). A request
  whose tokens keep coming is never abandoned for being slow. A request is dead when no first token
  comes within its *first-token bound*, or when no new token comes for ``--timeout`` seconds (a
  stall). The first-token bound is the request's own prompt at the slowest prompt-evaluation speed
  measured so far (time to the first token), times two, and never less than ``--timeout``; before any
  measurement a slow CPU's speed is assumed (``UNMEASURED_PROMPT_SPEED``). Its clock restarts
  whenever another of our requests to the server receives a token: a request queued at the server
  behind our own answers is waiting, not dead. Each first-token timeout doubles the next bounds
  until an answer comes (the server may have slowed down);
* **interrupted answers**: llama-cpp-python's server (``interrupt_requests``, on by default) ends a
  streamed answer, with no finish reason, as soon as another request arrives. Until the server has
  answered several requests at once without latency growing, concurrency grows from 1 to 2 only;
  an interrupted answer sets it to 1 for the rest of the run;
* **abandoned work**: a request abandoned for want of tokens keeps a slot (a "ghost") for as long
  again as it waited, because the server may still be computing it (a prompt being evaluated is not
  cancelled by a closed connection); so it is never re-sent into the queue behind itself;
* **the first request** measures the server, so the smallest document goes first; and concurrency is
  not raised for answers so slow that the queue this could build would use more than half of a
  document's ``--deadline`` (a stall in that queue would leave no time to retry).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Prompt tokens are evaluated in batches, several times faster than completion tokens are generated;
# "work" weighs them accordingly (CPU llama.cpp: about 8-15x).
PROMPT_SPEEDUP = 8.0
GROWTH = 4  # after a flat answer at k requests in flight, up to 4k may be tried
FLAT = 1.25  # latency ratio to the baseline still counted as flat
GROWN = 1.5  # latency ratio (raw and per token) that means requests are queueing
# ... if it also adds this much: a queued LLM request waits seconds, while answers of a few ms (a stub)
# vary by more than 1.5x with the client's own CPU load.
GROWN_SECONDS = 0.5
TIMEOUT_FACTOR = 2.0  # margin over the expected time of one answer (the queue a limit may build)
# Margin of the first-token bound over the prompt's predicted evaluation time.
FIRST_TOKEN_MARGIN = 2.0
# Prompt-evaluation speed assumed before any answer, in estimated prompt tokens (base.estimate_tokens)
# per second: a 7B model on a slow CPU evaluates ~13 real tokens/s, ~17 of our (conservative) estimate.
UNMEASURED_PROMPT_SPEED = 10.0
# After a lowering, flat answers needed (times the limit) before going past the level that failed.
PATIENCE = 4
# Before the first answer, how long the first request waits for the others to line up.
SETTLE_SECONDS = 0.2
# Concurrency is not raised where the queue it could build at a single-slot server would use more than
# this share of a document's deadline: a fault there (a stall) would leave too little time to retry.
QUEUE_SHARE_OF_DEADLINE = 0.5

Notify = Callable[[str], None]


@dataclass
class Ticket:
    """One request's slot: when it was granted and what the server had in hand then."""

    granted: float
    queued: float  # seconds waited for the slot
    in_flight: int  # our requests at the server when granted, this one and ghosts included
    epoch: int  # the limiter's epoch when granted (signals from before a lowering are ignored)
    timeout: float  # the first-token bound of its prompt, in seconds (the backend sets the one it used)
    expected: float | None  # predicted seconds to the first token, None before any measurement
    sent: float | None = None  # when its latest request was sent (set by the backend)


@dataclass
class Sample:
    latency: float
    work: float  # prompt_tokens / PROMPT_SPEEDUP + completion_tokens
    completion_tokens: int
    in_flight: int


class AdaptiveLimit:
    """A concurrency limit for one endpoint that adapts to its latency (AIMD-like; see module doc)."""

    def __init__(
        self,
        maximum: int = 4,
        *,
        start_at_maximum: bool = False,
        floor_timeout: float = 120.0,
        max_tokens: int = 4096,
        deadline: float = 600.0,
        name: str = "the server",
        notify: Notify | None = None,
    ) -> None:
        self.maximum = max(1, maximum)
        self.deadline = deadline
        self.start_at_maximum = start_at_maximum
        self.limit = float(self.maximum if start_at_maximum else 1)
        self.floor_timeout = floor_timeout
        # Doubled on each request abandoned for want of a first token (the server may be slower than
        # assumed, or slowed down by other work on its machine); back to 1 with the next answer.
        self.slowdown = 1.0
        # Estimated prompt tokens per second until the first token, and answer tokens per second after
        # it, of each streamed answer (see observe_stream).
        self.prompt_speeds: list[float] = []
        self.token_speeds: list[float] = []
        # When any of our requests to this server last received a token (None: never).
        self.last_token_at: float | None = None
        # The server answered several of our requests at once without latency growing: it may be
        # sent more than two. False also after an interrupted answer (see module doc).
        self.serves_many = False
        self.interrupted = 0  # answers the server ended unfinished when another request came
        self.max_tokens = max_tokens
        self.name = name
        self.notify = notify
        self.in_flight = 0
        self.ghosts: list[float] = []  # monotonic times until which abandoned requests may be computed
        self.samples: list[Sample] = []
        self.epoch = 0
        self.ceiling: float | None = None  # the level at which trouble was last seen
        self.flat_streak = 0
        self.peak = 0  # most requests in flight at once, ghosts included
        self.lowered = 0  # how many times the limit was lowered
        self._said: set[str] = set()
        self._waiting: list[int] = []  # prompt sizes of the requests waiting for a slot
        self._settled = False
        self._cond = threading.Condition()

    # -- configuration ------------------------------------------------------------------------------

    def set_maximum(self, maximum: int) -> None:
        """The upper bound (``--concurrency``); before any answer a hosted API starts right there."""
        with self._cond:
            self.maximum = max(1, maximum)
            if self.start_at_maximum and not self.samples:
                self.limit = float(self.maximum)
            self.limit = min(self.limit, self.maximum)
            self._cond.notify_all()

    # -- slots --------------------------------------------------------------------------------------

    def _busy(self, now: float) -> int:
        self.ghosts = [until for until in self.ghosts if until > now]
        return self.in_flight + len(self.ghosts)

    def acquire(self, prompt_tokens: int = 0) -> Ticket:
        """Wait for a free slot; the ticket carries this request's timeout."""
        with self._cond:
            asked = time.monotonic()
            self._waiting.append(prompt_tokens)
            if not self._settled:
                # The first request measures the server: let the others line up, so that the
                # smallest goes first and answers within --timeout if any can.
                self._settled = True
                self._cond.wait(timeout=SETTLE_SECONDS)
            while (now := time.monotonic()) and (
                self._busy(now) >= max(1, math.floor(self.limit))
                or (not self.samples and prompt_tokens > min(self._waiting))
            ):
                wake = min(self.ghosts) - now if self.ghosts else None
                self._cond.wait(timeout=wake)
            self._waiting.remove(prompt_tokens)
            self._cond.notify_all()  # the next smallest may go once a slot is free
            self.in_flight += 1
            busy = self._busy(now)
            self.peak = max(self.peak, busy)
            expected = self.predicted_first_token(prompt_tokens)
            timeout = self.first_token_bound(prompt_tokens)
            return Ticket(now, now - asked, busy, self.epoch, timeout, expected)

    def observe(self, ticket: Ticket, latency: float, prompt_tokens: int, completion_tokens: int) -> None:
        """One answer came back: learn the server's speed, and adapt the limit."""
        if completion_tokens <= 0 or latency <= 0:
            return
        sample = Sample(latency, prompt_tokens / PROMPT_SPEEDUP + completion_tokens, completion_tokens,
                        ticket.in_flight)  # fmt: skip
        with self._cond:
            self.samples.append(sample)
            self.slowdown = 1.0
            self._adapt(ticket, sample)
            self._cond.notify_all()

    def token(self, now: float) -> None:
        """One of our requests to this server received a token: the server is working for us."""
        self.last_token_at = now

    def observe_stream(
        self, prompt_tokens: int, first_token_seconds: float, answer_tokens: int, answer_seconds: float
    ) -> None:
        """One streamed answer: ``prompt_tokens`` (estimated) took ``first_token_seconds`` from when
        the server could start on them to the first token, then ``answer_tokens`` more tokens took
        ``answer_seconds``. Prompt and generation speeds are kept apart: a longer prompt is predicted
        from the first, a longer answer from the second."""
        with self._cond:
            if prompt_tokens > 0 and first_token_seconds > 0:
                self.prompt_speeds.append(prompt_tokens / first_token_seconds)
            if answer_tokens > 1 and answer_seconds > 0:
                self.token_speeds.append((answer_tokens - 1) / answer_seconds)
            self.slowdown = 1.0
            if not (self.prompt_speeds and self.token_speeds):
                return
            prompt_speed, token_speed = min(self.prompt_speeds), min(self.token_speeds)
            bound = self.first_token_bound(prompt_tokens)
            if bound > self.floor_timeout:
                self._say(
                    "slow",
                    f"{self.name} is slow ({prompt_speed:.0f} prompt tokens/s, {token_speed:.1f} answer "
                    f"tokens/s): a request waits up to {bound:.0f}s for its first token (its prompt at "
                    "that speed, twice over), then as long as tokens keep coming",
                )

    def release(self, ticket: Ticket, outcome: str = "ok") -> None:
        """The request is over: ``ok`` (answered), ``timeout`` (abandoned for want of a first token;
        the server may still be computing it), ``stalled`` (its tokens stopped coming),
        ``interrupted`` (the server ended the answer unfinished when another request came),
        ``overloaded`` (429/503) or ``failed`` (no load signal: 500, reset)."""
        with self._cond:
            self.in_flight -= 1
            now = time.monotonic()
            if outcome == "timeout":
                # The server may still be evaluating its prompt (a closed connection does not stop
                # that): its slot stays taken for as long again as the request waited.
                self.ghosts.append(now + max(now - (ticket.sent or ticket.granted), ticket.timeout))
                self.slowdown = min(8.0, self.slowdown * 2)
                self._lower(ticket, 0.5, "timeout", f"no first token in {ticket.timeout:.0f}s")
            elif outcome == "stalled":
                # Tokens came, then none for --timeout: the server is stuck; should it recover, the
                # closed connection stops the answer at its next token.
                self.ghosts.append(now + self.stall_bound())
                self._lower(ticket, 0.5, "timeout", f"no new token in {self.stall_bound():.0f}s")
            elif outcome == "interrupted":
                self.interrupted += 1
                self.serves_many = False
                self.limit = 1.0
                self.ceiling = 1.0
                self.epoch += 1
                self.lowered += 1
                why = "(llama-cpp-python's interrupt_requests): one request at a time from now on"
                self._say("interrupted", f"{self.name} ended an answer unfinished when another came {why}")
            elif outcome == "overloaded":
                # A 429/503 also says "wait" (Retry-After, backoff): a gentler cut, and a quick way back
                # to the level it came at, so that rate limits do not leave a capable server idle.
                why = "the server says it is overloaded (429/503)"
                self._lower(ticket, 0.75, "overloaded", why, ceiling=self.limit)
            self._cond.notify_all()

    # -- adaptation ---------------------------------------------------------------------------------

    def _baseline(self) -> tuple[float, float]:
        """(latency, seconds per unit of work) of the fastest answers computed alone, if any."""
        alone = [s for s in self.samples if s.in_flight == 1] or self.samples
        return min(s.latency for s in alone), min(s.latency / s.work for s in alone)

    def _adapt(self, ticket: Ticket, sample: Sample) -> None:
        latency, per_work = self._baseline()
        ratio = min(sample.latency / latency, (sample.latency / sample.work) / per_work)
        queued = sample.latency - latency > GROWN_SECONDS  # not just the client's own jitter
        if sample.in_flight > 1 and ratio > GROWN and queued:
            why = f"latency grew {ratio:.1f}x with {sample.in_flight} requests at once"
            factor = min(0.5, (sample.in_flight / ratio) / self.limit)
            self._lower(ticket, factor, "latency", why, ceiling=sample.in_flight - 1)
            return
        flat = ratio <= FLAT or sample.latency - latency <= GROWN_SECONDS / 2
        if not flat:
            return
        expected = self._expected_seconds(0) or 0.0
        if TIMEOUT_FACTOR * expected * (math.floor(self.limit) + 1) > QUEUE_SHARE_OF_DEADLINE * self.deadline:
            return  # answers this slow leave no room for a queue (see QUEUE_SHARE_OF_DEADLINE)
        if self.interrupted:
            return  # the server interrupts an answer for the next request: one at a time
        proven = sample.in_flight > 1 and not self.serves_many
        if sample.in_flight > 1:
            self.serves_many = True  # flat with others in flight: the server computes them at once
        if self.ceiling is None:  # no trouble seen yet: flat at k in flight, so try up to GROWTH x k
            # Until the server is seen to serve two at once, two: a server that interrupts a streamed
            # answer for the next request (llama-cpp-python) then costs one interrupted answer. Once
            # it is, as far as the probe of GROWTH skipped for it would have led.
            grown = GROWTH * max(sample.in_flight, GROWTH) if proven else GROWTH * sample.in_flight
            grown = grown if self.serves_many else 2
            self.limit = min(self.maximum, max(self.limit, grown))
            return
        if sample.in_flight < self.limit / 2:
            return  # the limit was not really tried
        self.flat_streak += 1
        if self.limit + 1 <= self.ceiling or self.flat_streak >= PATIENCE * self.limit:
            self.limit = min(self.maximum, self.limit + 1)
            self.flat_streak = 0

    def _lower(
        self, ticket: Ticket, factor: float, kind: str, why: str, ceiling: float | None = None
    ) -> None:
        """Lower the limit to ``factor`` of itself; above ``ceiling`` (default: the new limit), where
        trouble was seen, it grows again only slowly."""
        if ticket.epoch != self.epoch:
            return  # sent before the last lowering: its trouble is already accounted for
        before = self.limit
        self.limit = max(1.0, math.floor(self.limit * factor))
        self.ceiling = max(1.0, self.limit if ceiling is None else ceiling)
        self.flat_streak = 0
        self.epoch += 1
        self.lowered += 1
        if kind == "timeout":
            self._say(kind, f"{self.name}: {why}; concurrency {int(self.limit)}, and the request is sent "
                            "again only once the server can have finished it")  # fmt: skip
        elif self.limit < before:
            self._say(kind, f"{self.name}: {why}; lowering concurrency to {int(self.limit)}")

    # -- estimates ----------------------------------------------------------------------------------

    def _rate(self) -> float:
        """Slowest measured speed, in completion-equivalent tokens per second (conservative)."""
        alone = [s for s in self.samples if s.in_flight == 1] or self.samples
        return min(s.work / s.latency for s in alone)

    def _expected_seconds(self, prompt_tokens: int) -> float | None:
        """How long one answer should take at the slowest speed seen, for the largest completion seen."""
        if not self.samples:
            return None
        completion = min(self.max_tokens, max(s.completion_tokens for s in self.samples))
        return (prompt_tokens / PROMPT_SPEEDUP + completion) / self._rate()

    def prompt_speed(self) -> float | None:
        """The slowest measured prompt-evaluation speed (estimated tokens/s), None before any."""
        return min(self.prompt_speeds) if self.prompt_speeds else None

    def predicted_first_token(self, prompt_tokens: int) -> float | None:
        """Seconds from the server starting on this prompt to its first token, at the slowest prompt
        speed measured; None before any measurement."""
        speed = self.prompt_speed()
        return prompt_tokens / speed if speed else None

    def first_token_bound(self, prompt_tokens: int) -> float:
        """How long a request with this prompt may wait for its first token before it is dead: its
        prompt at the slowest measured speed (a slow CPU's before any), twice over, never less than
        ``--timeout``; doubled after each request abandoned for want of a first token."""
        speed = self.prompt_speed() or UNMEASURED_PROMPT_SPEED
        return max(self.floor_timeout, FIRST_TOKEN_MARGIN * prompt_tokens / speed) * self.slowdown

    def stall_bound(self) -> float:
        """How long a request receiving its answer may go without a new token: ``--timeout``."""
        return self.floor_timeout

    def no_first_token_message(self, prompt_tokens: int, seconds: float) -> str:
        """Why a request that got no first token in ``seconds`` is called dead, in words."""
        speed = self.prompt_speed()
        if speed is None:
            how = f"{UNMEASURED_PROMPT_SPEED:g} prompt tokens/s assumed before any answer"
        else:
            how = f"{speed:.0f} prompt tokens/s measured"
        return (f"no first token in {seconds:.3g}s for a prompt of about {prompt_tokens} tokens "
                f"({how}, or --timeout): the server looks dead or stalled")  # fmt: skip

    def _say(self, kind: str, message: str) -> None:
        if kind in self._said or self.notify is None:
            return
        self._said.add(kind)
        self.notify(message)
