"""Several grammar-constrained answers decoded side by side in one llama.cpp context.

On a CPU, generating one token reads every weight once; evaluating a few tokens in the same forward pass
reads them once too. So the local backend decodes its calls together (continuous batching):

* **One KV cache, one sequence id per call.** The pipeline runs up to ``batch_size`` documents at once
  (``LocalBackend.max_concurrency``); each thread's call becomes a ``_Job`` here, and one decode
  thread steps every running job in a single ``llama_decode`` per token. A job that finishes frees its
  sequence for the next call (a re-ask, another document) while the others go on.
* **The shared prompt is evaluated once.** Every document's prompt starts with the same system prompt
  and worked example. A new job takes the longest prefix any sequence in the cache already holds and
  shares it (``llama_memory_seq_cp``: in a unified KV cache the cells gain a sequence id, nothing is
  copied); only the rest of its prompt is evaluated. Jobs are prefilled one after another, so the
  second one already finds the first one's prefix.
* **Jump-forward over predictable tokens** (``jump_forward``). JSON under a schema grammar is mostly
  forced: keys, quotes, brackets, the tail of an enum value. Each step, a job also feeds the tokens
  that most likely follow (the continuation of the last n-gram seen earlier in its prompt or answer:
  the worked example's keys, the document's names) and llama.cpp evaluates them in the same pass.
  Each is kept only while it is exactly the token greedy grammar-constrained sampling picks at that
  position, so the answer is the one token-by-token decoding gives; the rest leave the cache.

Each job keeps its own grammar sampler (``_GreedyGrammarSampler``), validation and re-asks stay with
the caller (``reask``), exactly as for one call at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import BackendError

# Tokens one llama_decode call takes (llama.cpp's default n_batch): prompts are fed in chunks of it.
N_BATCH = 512
# n-grams looked up for a draft, longest first; a longer match predicts better.
_NGRAMS = (4, 3, 2)


@dataclass
class JobStats:
    """What one generation cost, for ``CallTiming`` (progress and ``bench/local_speed.py``)."""

    prompt_tokens: int = 0
    prompt_evaluated: int = 0  # the rest was shared from a sequence already in the cache
    prompt_seconds: float = 0.0
    generation_seconds: float = 0.0
    steps: int = 0  # decode passes this job took part in while generating
    jumped: int = 0  # tokens accepted from a draft: generated without a forward pass of their own
    drafted: int = 0  # draft tokens evaluated (accepted or not)
    occupancy: int = 0  # sum over its steps of the sequences decoded in the same pass


@dataclass
class _Job:
    prompt: list[int]
    sampler: Any  # a _GreedyGrammarSampler
    max_tokens: int
    draft_max: int
    done: threading.Event = field(default_factory=threading.Event)
    tokens: list[int] = field(default_factory=list)
    finish_reason: str = "length"
    error: BaseException | None = None
    stats: JobStats = field(default_factory=JobStats)
    pending: int = -1  # the last sampled token: not yet in the KV cache
    started: float = 0.0
    # n-gram -> the index in ``history`` just after its latest occurrence, for drafts
    history: list[int] = field(default_factory=list)
    index: dict[tuple[int, ...], int] = field(default_factory=dict)

    def remember(self, token: int) -> None:
        """Append to the history and index the n-grams that end with it (their continuation comes next)."""
        history = self.history
        # The n-grams ending at the previous token now have a known next token: index them.
        end = len(history)
        for n in _NGRAMS:
            if end >= n:
                self.index[tuple(history[end - n : end])] = end
        history.append(token)

    def draft(self) -> list[int]:
        """The tokens that followed the latest earlier occurrence of the history's last n-gram."""
        history = self.history
        for n in _NGRAMS:
            if len(history) < n:
                continue
            start = self.index.get(tuple(history[-n:]))
            if start is not None and start < len(history):
                return history[start : start + self.draft_max]
        return []


@dataclass
class _Slot:
    seq: int
    kv: list[int] = field(default_factory=list)  # the tokens this sequence holds in the cache, in order
    job: _Job | None = None


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class BatchEngine:
    """A llama.cpp context of ``n_seq`` sequences on the model of ``llama`` (a loaded ``Llama``), decoded
    by one background thread. ``generate`` is called from any number of threads."""

    def __init__(
        self,
        llama: Any,
        *,
        n_seq: int,
        n_ctx_per_seq: int,
        n_threads: int,
        jump_forward: bool,
        draft_max: int = 6,
        sampler_factory: Callable[[str], Any],
    ) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._llama = llama
        self.n_seq = n_seq
        self.n_ctx_per_seq = n_ctx_per_seq
        self.jump_forward = jump_forward
        self.draft_max = draft_max
        self._sampler_factory = sampler_factory
        self._vocab = llama_cpp.llama_model_get_vocab(llama.model)
        # llama-cpp-python's own settings (flash attention off, ...), so the numbers match its context's.
        params = llama_cpp.llama_context_params.from_buffer_copy(llama.context_params)
        # Unified: one buffer for all sequences, so a shared prefix is shared cells, not a copy. Each
        # sequence may fill a whole window (windows.py plans for n_ctx), so the cache holds n_seq of them.
        params.n_ctx = n_ctx_per_seq * n_seq
        params.n_batch = params.n_ubatch = N_BATCH
        params.n_seq_max = n_seq
        params.kv_unified = True
        params.n_threads = params.n_threads_batch = n_threads
        params.no_perf = True
        self._ctx = llama_cpp.llama_init_from_model(llama.model, params)
        if not self._ctx:
            raise BackendError("llama.cpp could not create a batched context for the local model")
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(N_BATCH, 0, 1)
        self._slots = [_Slot(seq) for seq in range(n_seq)]
        self._waiting: list[_Job] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        # Totals over the engine's life, for benchmarks.
        self.decode_calls = 0
        self.decode_seconds = 0.0

    # -- the callers' side --------------------------------------------------------------------------

    def generate(self, prompt: list[int], gbnf: str, max_tokens: int) -> tuple[list[int], str, JobStats]:
        """Greedy grammar-constrained completion of ``prompt``: (tokens, finish reason, stats).
        Blocks the calling thread until its job is done; other callers' jobs decode in the same passes."""
        if len(prompt) >= self.n_ctx_per_seq:
            raise BackendError(
                f"the local model could not take this prompt: Requested tokens ({len(prompt)}) exceed "
                f"context window of {self.n_ctx_per_seq}"
            )
        # As llama-cpp-python does: the answer may use what the context leaves.
        max_tokens = min(max_tokens, self.n_ctx_per_seq - len(prompt))
        draft_max = self.draft_max if self.jump_forward else 0
        job = _Job(prompt, self._sampler_factory(gbnf), max_tokens, draft_max)
        job.stats.prompt_tokens = len(prompt)
        try:
            with self._cond:
                if self._closed:
                    raise BackendError("the local model was stopped")
                self._waiting.append(job)
                if self._thread is None:
                    # A daemon: at interpreter exit ``close`` (registered below) stops it first.
                    self._thread = threading.Thread(target=self._run, name="llama-batch", daemon=True)
                    self._thread.start()
                self._cond.notify()
            job.done.wait()
        finally:
            job.sampler.close()
        if job.error is not None:
            raise job.error
        return job.tokens, job.finish_reason, job.stats

    def reset(self) -> None:
        """Empty the cache (benchmarks: a cold call); only between calls."""
        with self._cond:
            if any(s.job is not None for s in self._slots) or self._waiting:
                raise RuntimeError("the engine is decoding")
            self._lib.llama_memory_clear(self._memory, True)
            for slot in self._slots:
                slot.kv = []

    def close(self) -> None:
        """Stop decoding: jobs not finished fail with a BackendError (Ctrl-C must not wait for them)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def free(self) -> bool:
        """Close, then free the context's memory once the decode thread has stopped using it; whether
        it is freed (a thread still decoding after close's wait keeps it)."""
        self.close()
        if self._ctx and (self._thread is None or not self._thread.is_alive()):
            import llama_cpp

            llama_cpp.llama_free(self._ctx)
            self._ctx = None
        return not self._ctx

    # -- the decode thread --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._closed and not self._waiting and not self._running():
                        self._cond.wait()
                    if self._closed:
                        break
                    admitted = []
                    for slot in self._free_slots():
                        if not self._waiting:
                            break
                        job = self._waiting.pop(0)
                        slot = self._best_slot(job)
                        slot.job = job
                        admitted.append((slot, job))
                for slot, job in admitted:
                    self._prefill(slot, job)
                if self._closed:
                    break
                if self._running():
                    self._step()
        except BaseException as error:  # a bug or a llama.cpp failure must not leave callers waiting
            self._fail_all(BackendError(f"the local model failed: {type(error).__name__}: {error}"))
            raise
        self._fail_all(BackendError("the local model was stopped"))

    def _running(self) -> list[_Slot]:
        return [s for s in self._slots if s.job is not None and not s.job.done.is_set()]

    def _free_slots(self) -> list[_Slot]:
        return [s for s in self._slots if s.job is None]

    def _best_slot(self, job: _Job) -> _Slot:
        """The free sequence whose cache already holds the longest prefix of the job's prompt."""
        return max(self._free_slots(), key=lambda s: _common_prefix(s.kv, job.prompt))

    def _fail_all(self, error: BackendError) -> None:
        with self._cond:
            jobs = [s.job for s in self._slots if s.job is not None] + self._waiting
            self._waiting = []
            for slot in self._slots:
                slot.job = None
        for job in jobs:
            if not job.done.is_set():
                job.error = error
                job.done.set()

    def _finish(self, slot: _Slot, job: _Job, reason: str) -> None:
        job.finish_reason = reason
        job.stats.generation_seconds = time.perf_counter() - job.started
        slot.job = None  # its cache stays: the next call (a re-ask) may share its prefix
        job.done.set()

    # -- llama.cpp ----------------------------------------------------------------------------------

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> None:
        """One llama_decode of (token, position, sequence, wants logits) entries."""
        lib, batch = self._lib, self._batch
        for i, (token, pos, seq, logits) in enumerate(entries):
            batch.token[i] = token
            batch.pos[i] = pos
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = logits
        batch.n_tokens = len(entries)
        started = time.perf_counter()
        code = lib.llama_decode(self._ctx, batch)
        self.decode_seconds += time.perf_counter() - started
        self.decode_calls += 1
        if code != 0:
            raise BackendError(f"llama_decode failed ({code}): the cache may be full")

    def _prefill(self, slot: _Slot, job: _Job) -> None:
        """Put the job's prompt into its sequence, sharing the longest prefix the cache holds, and
        sample its first token."""
        lib, memory, prompt = self._lib, self._memory, job.prompt
        started = time.perf_counter()
        job.started = started
        # At least the last prompt token is evaluated: its logits give the first answer token.
        source = max(self._slots, key=lambda s: _common_prefix(s.kv, prompt))
        shared = min(_common_prefix(source.kv, prompt), len(prompt) - 1)
        own = min(_common_prefix(slot.kv, prompt), len(prompt) - 1)
        if own >= shared:
            lib.llama_memory_seq_rm(memory, slot.seq, own, -1)
            slot.kv = prompt[:own]
        else:
            lib.llama_memory_seq_rm(memory, slot.seq, -1, -1)
            lib.llama_memory_seq_cp(memory, source.seq, slot.seq, 0, shared)
            slot.kv = prompt[:shared]
        rest = prompt[len(slot.kv) :]
        chunk: list[int] = []
        for chunk_start in range(0, len(rest), N_BATCH):
            if self._closed:  # Ctrl-C: no more chunks of a long prompt (the job fails in ``_run``)
                return
            chunk = rest[chunk_start : chunk_start + N_BATCH]
            base = len(slot.kv)
            last = chunk_start + len(chunk) == len(rest)
            self._decode([(t, base + i, slot.seq, last and i == len(chunk) - 1) for i, t in enumerate(chunk)])
            slot.kv.extend(chunk)
        job.stats.prompt_evaluated = len(rest)
        for token in prompt:
            job.remember(token)
        job.stats.prompt_seconds = time.perf_counter() - started
        job.started = time.perf_counter()
        self._take(slot, job, job.sampler.sample_raw(self._ctx, len(chunk) - 1))

    def _take(self, slot: _Slot, job: _Job, token: int) -> bool:
        """A sampled token: the end of the answer, or the next pending one. True while it goes on."""
        if self._lib.llama_vocab_is_eog(self._vocab, token):
            self._finish(slot, job, "stop")
            return False
        job.tokens.append(token)
        job.remember(token)
        if len(job.tokens) >= job.max_tokens:
            self._finish(slot, job, "length")
            return False
        job.pending = token
        return True

    def _step(self) -> None:
        """One forward pass for every running job: its pending token, plus its draft if jumping."""
        running = self._running()
        entries: list[tuple[int, int, int, bool]] = []
        plans: list[tuple[_Slot, _Job, int, list[int]]] = []  # slot, job, first batch index, draft
        room = N_BATCH - len(running)
        for slot in running:
            job = slot.job
            assert job is not None
            limit = max(0, min(job.max_tokens - len(job.tokens) - 1, room))
            draft = job.draft()[:limit] if job.draft_max else []
            draft = draft[: job.sampler.grammar_allows(draft)] if draft else draft
            room -= len(draft)
            plans.append((slot, job, len(entries), draft))
            base = len(slot.kv)
            for i, token in enumerate([job.pending, *draft]):
                entries.append((token, base + i, slot.seq, True))
        self._decode(entries)
        for slot, job, first, draft in plans:
            job.stats.steps += 1
            job.stats.occupancy += len(running)
            job.stats.drafted += len(draft)
            slot.kv.append(job.pending)
            for i in range(len(draft) + 1):
                token = job.sampler.sample_raw(self._ctx, first + i)
                going = self._take(slot, job, token)
                if i < len(draft) and going and token == draft[i]:
                    slot.kv.append(token)  # the draft's token is the one greedy decoding picks: in the cache
                    job.stats.jumped += 1
                    continue
                break
            if draft:  # the draft's tokens after the first mismatch leave the cache
                self._lib.llama_memory_seq_rm(self._memory, slot.seq, len(slot.kv), -1)
