"""The ``summarizer`` command: brief, render, extract, schemas, eval.

Exit codes: 0 the brief is complete; 1 the brief was written but some input is missing from it (the
brief says which and why); 2 nothing could be done (bad path, no usable document, no backend).
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from summarizer import nlp
from summarizer.analysis import analyse_document, build_party_index
from summarizer.backends import Backend, BackendError, BatchBackend, create_backend, create_batches
from summarizer.batch import BatchExtraction
from summarizer.cache import ExtractionCache, default_cache_path
from summarizer.config import Settings
from summarizer.decisions import Decider
from summarizer.decisions.contest import ContestAnswer
from summarizer.decisions.proposals import PlanKindAnswer
from summarizer.decisions.roles import RoleAnswer
from summarizer.display import terminal
from summarizer.documents import InputError, collect_inputs, load_documents
from summarizer.evaluate import DEFAULT_THRESHOLD
from summarizer.gold import Gold
from summarizer.inputs import Fetcher, is_url, read_url_list
from summarizer.models import Brief, DocumentExtraction
from summarizer.nlp import PipelineError
from summarizer.outputs import (
    Output,
    OutputError,
    Read,
    check_outputs,
    recover,
    write_atomically,
    write_outputs,
)
from summarizer.pipeline import DocumentOutcome, extract_with_cache, run_brief
from summarizer.progress import ProgressMeter
from summarizer.render import render_json, render_markdown
from summarizer.sources import KeptTexts, TextStore

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])
# soft_wrap: a message stays one line however narrow the terminal (or 80 columns when piped). Values
# from files go through display.terminal (no control acts, no markup), and no ':name:' becomes an emoji.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

EXIT_INCOMPLETE = 1
EXIT_UNUSABLE = 2

# Options shared by the commands that call a model.
BackendOpt = Annotated[str, typer.Option("--backend", help="auto | openai | local | fake.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name for the openai backend.")]
BaseUrlOpt = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")
]
ModeOpt = Annotated[
    str, typer.Option("--mode", help="instructor mode: tools | json | md_json | json_schema.")
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        help="Seconds without a new token before a streamed answer is called stalled; also the least "
        "wait for a first token (a longer prompt waits longer, at the measured prompt speed).",
    ),
]
RetriesOpt = Annotated[int, typer.Option("--max-retries", help="Transport retries per document (429/5xx).")]
DeadlineOpt = Annotated[
    float,
    typer.Option(
        "--deadline",
        help="Most seconds one document waits on a server that sends nothing (first tokens later than "
        "their prompt should take, stalls, retries); an answer that is arriving is never cut.",
    ),
]
ReasksOpt = Annotated[int, typer.Option("--max-reasks", help="Re-asks after an invalid answer.")]
ModelPathOpt = Annotated[
    Path | None, typer.Option("--model-path", help="Any GGUF file for the local backend.")
]
FakeOpt = Annotated[
    Path | None, typer.Option("--fake-replies", help="JSON {doc_id: [reply, ...]} for --backend fake.")
]
CacheOpt = Annotated[
    Path | None, typer.Option("--cache", help="SQLite cache file (default: user cache dir).")
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
HtmlOpt = Annotated[
    Path | None,
    typer.Option("--html", help="Also write the review page: one self-contained HTML file."),
]
BatchOpt = Annotated[
    bool,
    typer.Option(
        "--batch",
        help="Extract the uncached documents through OpenAI's Batch API (lower cost, done within 24 h); "
        "an interrupted run resumes waiting for the same batch.",
    ),
]
BatchPollOpt = Annotated[
    float, typer.Option("--batch-poll", min=0.01, help="Seconds between two checks of a batch's status.")
]
ContextOpt = Annotated[
    int | None,
    typer.Option(
        "--context-tokens",
        min=256,
        help="The model's context window in tokens; longer documents are split into windows that fit "
        "(local: default 8192; openai: unknown, documents go whole).",
    ),
]
StrategyOpt = Annotated[
    str,
    typer.Option(
        "--strategy",
        help="full: the model extracts everything; focused: rules extract, the model decides roles, "
        "demands and unknown sides (auto: focused for the local backend, full otherwise).",
    ),
]

# The options that choose and configure the model, shared by the commands that call one: each
# Settings field, its option and its default.
MODEL_OPTIONS: dict[str, tuple[Any, Any]] = {
    "backend": (BackendOpt, "auto"),
    "model": (ModelOpt, None),
    "base_url": (BaseUrlOpt, None),
    "mode": (ModeOpt, "tools"),
    "timeout": (TimeoutOpt, 120.0),
    "max_retries": (RetriesOpt, 4),
    "deadline": (DeadlineOpt, 600.0),
    "max_reasks": (ReasksOpt, 2),
    "model_path": (ModelPathOpt, None),
    "fake_replies": (FakeOpt, None),
    "strategy": (StrategyOpt, "auto"),
    "context_tokens": (ContextOpt, None),
}


def with_model_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the MODEL_OPTIONS, after its own; it gets them as one ``settings: Settings``.

    Typer reads a command's options from its signature, so the wrapper's signature is the command's
    own parameters (less ``settings``) followed by one keyword parameter per model option."""
    own = inspect.signature(command, eval_str=True)
    parameters = [p for name, p in own.parameters.items() if name != "settings"]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
        for name, (option, default) in MODEL_OPTIONS.items()
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        settings = Settings(**{name: kwargs.pop(name) for name in MODEL_OPTIONS})
        command(*args, settings=settings, **kwargs)

    wrapper.__signature__ = own.replace(parameters=parameters)
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


def fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    err.print(f"[bold red]error:[/] {terminal(message, one_line=False)}")
    return typer.Exit(code)


def _backend(settings: Settings) -> Backend:
    try:
        return create_backend(settings)
    except BackendError as error:
        raise fail(str(error)) from None


def _batches(backend: Backend, cache: ExtractionCache | None, poll: float) -> BatchBackend:
    if cache is None:
        raise fail(
            "--batch needs the extraction cache (it remembers the submitted batch, so an interrupted run "
            "resumes it); drop --no-cache, or pass a usable --cache FILE"
        )
    try:
        return create_batches(backend, poll_interval=poll)
    except BackendError as error:
        raise fail(str(error)) from None


def _cache(no_cache: bool, cache_path: Path | None) -> ExtractionCache | None:
    if no_cache:
        return None
    path = cache_path or default_cache_path()
    try:
        return ExtractionCache(path)
    except (sqlite3.Error, OSError) as error:
        err.print(f"[yellow]warning:[/] {terminal(f'cache {path} unusable ({error})')}; running without it")
        return None


@app.command()
@with_model_options
def brief(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Articles: files or folders (.txt/.md, saved .html pages, .pdf, .jsonl/.json collections, "
            ".rss/.atom feeds) and URLs of web pages or feeds.",
            show_default=False,
        ),
    ] = None,
    urls_file: Annotated[
        Path | None, typer.Option("--urls", help="A text file of URLs to brief, one a line ('#' comments).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Markdown brief (default: stdout).")
    ] = None,
    json_output: Annotated[Path | None, typer.Option("--json", help="Also write the brief as JSON.")] = None,
    html_output: HtmlOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the brief.")] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            min=1,
            help="Most documents extracted at once; below it, an OpenAI-compatible server gets what "
            "its latency shows it can take.",
        ),
    ] = 4,
    cache_path: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    batch: BatchOpt = False,
    batch_poll: BatchPollOpt = 30.0,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="An earlier brief's JSON (brief --json): add a section of what is new since it.",
        ),
    ] = None,
    decide: Annotated[
        bool | None,
        typer.Option(
            "--decide/--no-decide",
            help="Let the model make the decisions that need language, in short extra calls: do two claims "
            "contest one question, is a sentence a proposal or a reaction, whose demand is it, what role "
            "does a party the text does not settle play. Default: on "
            "for the openai backend; off for local (over its time budget; with --decide a small model is "
            "asked only what it was measured to get right) and fake.",
            show_default=False,
        ),
    ] = None,
    *,
    settings: Settings,
) -> None:
    """Write one consolidated, cited brief of the articles."""
    previous = _earlier_brief(since) if since else None  # a bad file fails before any work
    try:
        items = [*(inputs or []), *(read_url_list(urls_file) if urls_file else [])]
        if not items:
            raise InputError("no input: give article files, folders or URLs (or --urls FILE)")
        # fail fast on a bad path, before opening the cache, fetching a page or loading a model
        found = collect_inputs(items)
    except InputError as error:
        raise fail(str(error)) from None
    outputs = _outputs(output=output, json=json_output, html=html_output)
    reads = [Read("the article", path) for path in found.paths]
    if urls_file is not None:
        reads.append(Read("the --urls file", urls_file))
    reads += [
        Read(what, path)
        for what, path in _used_files(no_cache, cache_path, settings.fake_replies, settings.model_path)
    ]
    if since is not None:  # read first, so replacing it with the new brief's JSON loses nothing
        reads.append(Read("the earlier brief (--since)", since, may_replace=("--json",)))
    _check(outputs, reads)
    try:
        cache = _cache(no_cache, cache_path)
        fetcher = Fetcher(store=cache)  # fetched pages kept in the cache: a rerun needs no network
        try:
            with nlp.remembering(cache):  # sentence spans: a paragraph seen before is not split again
                loaded = load_documents(found, fetcher=fetcher)
        finally:
            fetcher.close()
    except (InputError, PipelineError) as error:
        raise fail(str(error)) from None
    for path, why in loaded.skipped:  # our own briefs in an input folder
        err.print(f"[yellow]note:[/] {terminal(path)}: {terminal(why)}; skipped")
    for notice in loaded.notices:  # duplicates skipped
        err.print(f"[yellow]note:[/] {terminal(notice)}")
    for document in loaded.documents:  # not UTF-8, cut to MAX_CHARS, ...
        for warning in document.warnings:
            err.print(f"[yellow]warning:[/] {terminal(document.path)}: {terminal(warning)}")
    chosen = _backend(settings)
    batches = _batches(chosen, cache, batch_poll) if batch else None
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[speed]}"),  # tokens/s and ETA (progress.py)
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("extracting", total=len(loaded.documents), speed="")
        meter = ProgressMeter()
        # Concurrency lowered, timeouts raised for a slow server: one line each, once.
        chosen.set_notify(lambda message: bar.console.print(f"[yellow]note:[/] {terminal(message)}"))

        def report(outcome: DocumentOutcome, done: int, total: int) -> None:
            snapshot = meter.update(
                done,
                total,
                cached=outcome.cached,
                failed=outcome.error is not None,
                completion_tokens=outcome.usage.completion_tokens,
                seconds=outcome.seconds,
            )
            bar.update(task, completed=done, total=total, speed=snapshot.describe())
            if outcome.error:
                err.print(f"[red]failed:[/] {terminal(outcome.document.path)}: {terminal(outcome.error)}")
            elif not outcome.cached and outcome.usage.completion_tokens and outcome.seconds:
                usage = outcome.usage
                # Time at the server, not in our queue: the rate is the server's.
                busy = usage.request_seconds or outcome.seconds
                waited = f", {usage.queue_seconds:.1f}s queued" if usage.queue_seconds >= 0.05 else ""
                rate = usage.completion_tokens / busy
                windows = f" in {outcome.windows} windows" if outcome.windows > 1 else ""
                bar.console.print(
                    f"  {terminal(outcome.document.doc_id)}{windows}: {usage.prompt_tokens} prompt + "
                    f"{usage.completion_tokens} "
                    f"completion tokens in {busy:.1f}s ({rate:.1f} tokens/s{waited})",
                    style="dim",
                )
            for item in outcome.dropped:
                what = terminal(f"{outcome.document.path}: {item.kind} “{item.item[:60]}”: {item.reason}")
                bar.console.print(f"[yellow]left out:[/] {what}")

        prepare = None
        if batches is not None and cache is not None:
            say = lambda message: bar.console.print(f"[dim]batch:[/] {terminal(message)}")  # noqa: E731
            prepare = BatchExtraction(chosen, batches, cache, reasks=settings.max_reasks, notify=say)
        try:
            # the model's decisions: by default only where the model is a capable server's (README)
            decider = Decider(chosen) if (chosen.name == "openai" if decide is None else decide) else None
            result = run_brief(
                loaded, chosen, cache=cache, concurrency=concurrency, title=title, progress=report,
                prepare=prepare, decider=decider,
            )  # fmt: skip
        except (InputError, PipelineError, BackendError) as error:  # e.g. the sentence model is missing
            raise fail(str(error)) from None
        except KeyboardInterrupt:
            raise fail("interrupted; no brief written. Finished extractions are cached: run again to resume.",
                       130) from None  # fmt: skip
    if cache is not None:
        cache.close()
        if cache.errors:
            err.print(
                f"[yellow]warning:[/] cache {cache.path}: {len(cache.errors)} reads/writes failed "
                f"({cache.errors[0]}); the brief is not affected, a rerun may redo some extractions"
            )
    for failure in result.failed:
        err.print(f"[yellow]not included:[/] {terminal(failure.path)}: {terminal(failure.reason)}")
    if not result.sources:
        raise fail("no usable document; nothing to brief")
    if result.stories:  # the brief says it at the top too
        apart = "; ".join(", ".join(map(terminal, group)) for group in result.stories[1:])
        err.print(
            f"[yellow]warning:[/] the sources look like {len(result.stories)} different stories (they share "
            f"almost no words or parties); standing apart: {apart}"
        )
    if previous is not None:
        from summarizer.diff import compare_briefs

        result.since = compare_briefs(previous, result)
    markdown = render_markdown(result, json_output.name if json_output else None)
    files = [(output, markdown)] if output else []
    if json_output:
        # where the relative source paths start, seen from the JSON: `render` finds them from anywhere
        if any(not Path(source.path).is_absolute() for source in result.sources):
            result.source_root = Path(os.path.relpath(Path.cwd(), json_output.resolve().parent)).as_posix()
        files.append((json_output, render_json(result)))
    if html_output:  # the texts just read: a page's text shows whether or not the cache is on
        texts = KeptTexts({d.sha256: d.text for d in loaded.documents})
        files.append((html_output, _html(result, texts=texts)[0]))
    _write(files)
    if not output:
        sys.stdout.write(markdown)
    _final_line(result)
    if not result.complete:
        raise typer.Exit(EXIT_INCOMPLETE)


def _earlier_brief(path: Path) -> Brief:
    """The brief ``--since`` names, or exit 2 with what is wrong with the file."""
    from pydantic import ValidationError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"--since {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"--since {path}: cannot be read ({error})") from None
    try:
        return Brief.model_validate_json(text)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            why = "it is not JSON; give the brief's JSON (brief --json FILE), not its Markdown"
        else:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "top level"
            why = f"it is not a brief's JSON ({where}: {first['msg']}; {error.error_count()} problem(s))"
        raise fail(f"--since {path}: {why}") from None


def _outputs(**given: Path | None) -> list[Output]:
    options = {"output": "-o", "json": "--json", "html": "--html"}
    return [Output(options[name], path) for name, path in given.items() if path is not None]


def _used_files(
    no_cache: bool, cache_path: Path | None, fake_replies: Path | None, model_path: Path | None
) -> list[tuple[str, Path]]:
    """Files a brief reads besides its articles: no output may replace them."""
    used = [] if no_cache else [("the extraction cache", cache_path or default_cache_path())]
    if fake_replies is not None:
        used.append(("the --fake-replies file", fake_replies))
    if model_path is not None:
        used.append(("the model (--model-path)", model_path))
    return used


def _check(outputs: list[Output], reads: list[Read]) -> None:
    """Refuse outputs that would destroy a file or cannot be written: exit 2 before any work. First, a
    set of outputs a killed run left half-renamed there is finished (outputs.recover)."""
    finished = recover([output.path.resolve().parent for output in outputs])
    if finished:
        names = ", ".join(terminal(str(path)) for path in finished)
        err.print(f"[yellow]note:[/] finished writing the outputs of a run that was killed: {names}")
    try:
        check_outputs(outputs, reads)
    except OutputError as error:
        raise fail(f"{error}; nothing was done") from None


def _write(files: list[tuple[Path, str]]) -> None:
    """The run's outputs as a set: all of them, or none (then exit 2, the earlier files unchanged)."""
    try:
        write_outputs(files)
    except OutputError as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:  # held until the set was written (outputs._signals_held)
        raise fail("interrupted; the outputs were written in full first", 130) from None


def _html(
    result: Brief, brief_dir: Path | None = None, root: Path | None = None, texts: TextStore | None = None
) -> tuple[str, bool]:
    """The review page, and False (after saying why) when a source could not be shown as it was.
    ``texts``: where the texts of web pages, PDFs and records are kept (the run's, or the cache)."""
    from summarizer.render_html import load_sources, render_html

    sources = load_sources(result, brief_dir=brief_dir, root=root, texts=texts)
    for view in sources:
        if view.note:
            note = terminal(view.note)
            err.print(f"[yellow]warning:[/] {note}; the page shows only the sentences the brief quotes")
    return render_html(result, sources), all(view.status == "ok" for view in sources)


@app.command()
def render(
    brief_json: Annotated[Path, typer.Argument(help="A saved brief (brief --json).")],
    html_output: HtmlOpt = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Markdown brief.")] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", help="Folder the source files are in (default: the brief's paths as written)."
        ),
    ] = None,
    cache_path: CacheOpt = None,
) -> None:
    """Render a saved brief again (no model): the review page and/or the Markdown.

    The page re-reads each source file (a web page's text from the cache, by its sha256); a source that
    is missing or changed since the brief is noted on the page and the command exits 1 (the page is
    still written).
    """
    from pydantic import ValidationError

    if html_output is None and output is None:
        raise fail("nothing to write: pass --html PAGE.html and/or -o BRIEF.md")
    outputs = _outputs(output=output, html=html_output)
    _check(outputs, [Read("the brief being rendered", brief_json)])
    try:
        result = Brief.model_validate_json(brief_json.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise fail(f"{brief_json}: not a brief: {error}") from None
    from summarizer.sources import FileTexts

    files = FileTexts(brief_json.parent, root, result.source_root)
    sources = [
        Read("a source of the brief", p)
        for s in result.sources
        if not is_url(s.path)
        for p in files.candidates(s.path, s.doc_id)
    ]
    if html_output is not None:  # the texts of web pages are read back from the cache
        sources.append(Read("the extraction cache", cache_path or default_cache_path()))
    _check(outputs, sources)  # the page re-reads the sources: no output may replace one
    written = [(output, render_markdown(result, brief_json.name))] if output else []
    complete = True
    if html_output:
        texts = _texts(cache_path)
        try:
            page, complete = _html(result, brief_json.parent, root, texts)
        finally:
            if texts is not None:
                texts.close()
        written.append((html_output, page))
    _write(written)
    if not complete:
        if root is None:
            err.print(
                "[yellow]hint:[/] some sources were not found next to the brief or where it was made; "
                "pass --root FOLDER (the folder the articles are in)"
            )
        raise typer.Exit(EXIT_INCOMPLETE)


def _texts(cache_path: Path | None) -> ExtractionCache | None:
    """The cache, to read the texts of web pages back from; None when there is none (not created)."""
    path = cache_path or default_cache_path()
    if not path.is_file():
        return None
    try:
        return ExtractionCache(path)
    except (sqlite3.Error, OSError) as error:
        warning = terminal(f"cache {path} unusable ({error})")
        err.print(f"[yellow]warning:[/] {warning}; web pages' texts cannot be shown")
        return None


def _final_line(result: Brief) -> None:
    s = result.stats
    err.print(
        f"{len(result.sources)} documents, {s.llm_calls} LLM calls ({s.cache_hits} cached), "
        f"{s.retries} retries, {s.prompt_tokens} prompt + {s.completion_tokens} completion tokens, "
        f"{s.wall_seconds:.1f}s"
    )


@app.command()
@with_model_options
def extract(
    path: Annotated[Path, typer.Argument(help="One article file.")],
    cache_path: CacheOpt = None,
    no_cache: NoCacheOpt = False,
    *,
    settings: Settings,
) -> None:
    """Print one document's extraction as JSON."""
    try:
        loaded = load_documents([path])
    except (InputError, PipelineError) as error:
        raise fail(str(error)) from None
    if not loaded.documents:
        raise fail(f"{loaded.failed[0][0]}: {loaded.failed[0][1]}")
    document = loaded.documents[0]
    chosen = _backend(settings)
    index = build_party_index([document])
    outcome = extract_with_cache(
        document, analyse_document(document, index), index, chosen, _cache(no_cache, cache_path)
    )
    if outcome.extraction is None:
        raise fail(f"{document.path}: extraction failed: {outcome.error}", EXIT_INCOMPLETE)
    sys.stdout.write(outcome.extraction.model_dump_json(indent=2) + "\n")


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "document_extraction": DocumentExtraction,
    "brief": Brief,
    "gold": Gold,
    # the answers of the model's decisions (summarizer/decisions); whose-demand's enum is per brief
    "decide_contest": ContestAnswer,
    "decide_proposal": PlanKindAnswer,
    "decide_role": RoleAnswer,
}


def schema_files() -> dict[str, str]:
    """File name -> JSON Schema text, for every model the project exports."""
    files = {}
    for name, model in SCHEMA_MODELS.items():
        files[f"{name}.schema.json"] = json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
    return files


@app.command()
def schemas(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")] = Path("schemas"),
    check: Annotated[bool, typer.Option("--check", help="Only check the files are up to date.")] = False,
) -> None:
    """Write the JSON Schemas of the pydantic models to schemas/."""
    stale = []
    for name, text in schema_files().items():
        target = out / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not check:
            write_atomically(target, text)
            err.print(f"wrote {target}")
    if check and stale:
        raise fail(f"stale schemas in {out}: {', '.join(stale)}; run `summarizer schemas`", EXIT_INCOMPLETE)


@app.command("eval")
def eval_command(
    brief_json: Annotated[Path, typer.Argument(help="The brief as JSON (brief --json).")],
    gold_path: Annotated[Path, typer.Argument(help="Gold annotation (*.gold.json).")],
    json_output: Annotated[Path | None, typer.Option("--json", help="Write all metrics as JSON.")] = None,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Folder the cited files are in (default: the brief's paths as written)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, help="Text similarity needed for a match.")
    ] = DEFAULT_THRESHOLD,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 unless citation validity is 100% and no boilerplate leaks."),
    ] = False,
    cache_path: CacheOpt = None,
) -> None:
    """Score a brief against a gold annotation: recall, precision, citation validity and support."""
    from pydantic import ValidationError

    from summarizer.evaluate import evaluate, render_table
    from summarizer.gold import load_gold

    if json_output is not None:  # the metrics never replace the brief or the gold they score
        _check(
            _outputs(json=json_output),
            [Read("the brief being scored", brief_json), Read("the gold file", gold_path)],
        )
    try:
        result_brief = Brief.model_validate_json(brief_json.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise fail(f"{brief_json}: not a brief: {error}") from None
    try:
        gold = load_gold(gold_path)
    except (ValueError, ValidationError) as error:
        raise fail(f"{gold_path}: not a gold file: {error}") from None
    texts = _texts(cache_path)  # the texts of web pages, to check their citations against
    try:
        result = evaluate(
            result_brief,
            gold,
            brief_dir=brief_json.parent,
            gold_dir=gold_path.parent,
            root=root,
            threshold=threshold,
            texts=texts,
        )
    finally:
        if texts is not None:
            texts.close()
    result["brief_file"], result["gold_file"] = str(brief_json), str(gold_path)
    Console(highlight=False).print(render_table(result))
    if any("file not found" in item["reason"] for item in result["citation_validity"]["invalid"]):
        err.print(
            "[yellow]hint:[/] some cited files were not found; "
            "run from where the brief was made or pass --root"
        )
    if json_output:
        write_atomically(json_output, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    bad = result["citation_validity"]["share"] not in (None, 1.0) or result["boilerplate_leaks"]["count"]
    if strict and bad:
        raise typer.Exit(EXIT_INCOMPLETE)


if __name__ == "__main__":
    app()
