"""The files a command writes: checked before any work, written as a set, recognised when read back.

A user's files come first:

* ``check_outputs`` refuses, before any work, an output that would land on a file the command reads
  (an article, the brief being rendered, the cache), two outputs naming one file, a folder given as
  a file, or a place that cannot be written (probed with a temporary file). Nothing is changed.
* ``write_outputs`` writes the outputs of one run as a set: each to a temporary file in its folder
  (flushed to disk), and only when all of them are written are they renamed over the earlier files,
  one after the other, with SIGINT, SIGTERM and SIGHUP held until the last rename. An error or an
  interruption before that leaves every earlier output as it was; one after it finds the whole new
  set. Only SIGKILL or a power cut can stop the renames half-way (measured: 3 kills in 100 aimed at
  the write phase); the renames are journalled first, and ``recover`` (called by every command
  that writes) finishes them.
* ``own_output`` recognises a brief's Markdown, JSON and review page by their content, so that a
  brief written into an input folder is skipped there on the next run, not read as an article.

Standard library only: the loaders (``collect``) and the CLI both use it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class OutputError(Exception):
    """An output that is refused or could not be written; the message is shown as is."""


@dataclass(frozen=True)
class Read:
    """A file the command reads, which no output may replace, except those named in ``may_replace``
    (``--since brief.json --json brief.json``: the earlier brief, read first, is replaced by the new)."""

    what: str  # 'the article', 'the brief being rendered', ...
    path: Path
    may_replace: tuple[str, ...] = ()


@dataclass(frozen=True)
class Output:
    option: str  # how the user named it: '-o', '--json', '--html'
    path: Path

    def __str__(self) -> str:
        return f"{self.option} {self.path}"


# ---------------------------------------------------------------------------------------------------
# Our own files, recognised by content
# ---------------------------------------------------------------------------------------------------

# The status line under a Markdown brief's title (render.render_markdown writes it): "_5 sources ·
# backend `fake` · model `rules` · complete_". Briefs of every version so far have it.
_MARKDOWN_BRIEF = re.compile(
    r"\A# [^\n]*\n\n_\d+ sources\b[^\n]* · backend `+[^\n]*`+ · model `+[^\n]*`+ · (?:complete|INCOMPLETE)"
)
# A brief's JSON (render.render_json: the Brief model's fields in order) starts with these.
_JSON_BRIEF = re.compile(
    r'\A\s*\{\s*"title":\s*"(?:[^"\\]|\\.)*",\s*"backend":\s*"(?:[^"\\]|\\.)*",\s*"model":'
)
# The review page (templates/review.html.j2) says who made it.
_HTML_PAGE = re.compile(r'<meta name="generator" content="summarizer">')
_SNIFF_BYTES = 16_384


def own_output(path: Path) -> str | None:
    """'a brief (Markdown)', 'a brief (JSON)' or 'a review page' when summarizer wrote this file, else
    None (also for a file that cannot be read: the loader says why)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    head = head.removeprefix("\ufeff")
    if _MARKDOWN_BRIEF.search(head):
        return "a brief (Markdown)"
    if _JSON_BRIEF.search(head):
        return "a brief (JSON)"
    if head.lstrip().lower().startswith("<!doctype html") and _HTML_PAGE.search(head):
        return "a review page"
    return None


# ---------------------------------------------------------------------------------------------------
# Checks before any work
# ---------------------------------------------------------------------------------------------------


def same_file(a: Path, b: Path) -> bool:
    """One file under two names (relative and absolute, through '..', a symlink or a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(outputs: list[Output], reads: list[Read]) -> None:
    """Raise OutputError for the first output that cannot be written safely. ``reads``: every file the
    command reads (the articles, the brief being rendered, the cache): no output may land on one."""
    for index, output in enumerate(outputs):
        path = output.path
        if path.is_dir():
            raise OutputError(
                f"{output}: is a folder; give a file name, e.g. {output.option} {path / _example(output)}"
            )
        for other in outputs[:index]:
            if same_file(path, other.path):
                raise OutputError(
                    f"{other.option} and {output.option} both name {path}; give each its own file"
                )
        for read in reads:
            if output.option not in read.may_replace and same_file(path, read.path):
                raise OutputError(
                    f"{output}: this is {read.what} {read.path}; writing there would destroy it"
                )
        if _is_special(path):
            continue  # /dev/stdout, a named pipe: written as is, not replaced
        _probe(output)


def _example(output: Output) -> str:
    return {"--json": "brief.json", "--html": "brief.html"}.get(output.option, "brief.md")


def _probe(output: Output) -> None:
    """Can a file be created where this output goes? Tried now, with a temporary file, so a run that
    takes minutes does not end in 'permission denied'."""
    folder = output.path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"{output}: {folder} is a file, not a folder")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".summarizer-probe-")
    except OSError as error:
        raise OutputError(f"{output}: cannot write in {folder} ({error.strerror or error})") from None
    os.close(handle)
    os.unlink(probe)


# ---------------------------------------------------------------------------------------------------
# Writing a set
# ---------------------------------------------------------------------------------------------------

_TEMP_SUFFIX = ".tmp"


def write_atomically(path: Path, text: str) -> None:
    """One file: temp file in the same folder, fsync, rename. An interrupted run never leaves half a
    file."""
    write_outputs([(path, text)])


def write_outputs(files: list[tuple[Path, str]]) -> None:
    """Write every file or none: temp files first, renamed over the earlier ones only when all are
    written. Raises OutputError naming what could not be written (then no file has changed)."""
    targets = [(_target(path), text) for path, text in files]
    special = [(path, text) for path, text in targets if _is_special(path)]
    regular = [(path, text) for path, text in targets if not _is_special(path)]
    recover([path.parent for path, _ in regular])  # a killed run's renames first, then its leftovers
    for path, _ in regular:
        _remove_stale_temps(path)
    with _signals_held():
        temps: list[tuple[str, Path]] = []
        try:
            for path, text in regular:
                temps.append((_write_temp(path, text), path))
        except BaseException as error:
            for temp, _ in temps:
                Path(temp).unlink(missing_ok=True)
            if isinstance(error, OSError):
                failed = regular[len(temps)][0]
                raise OutputError(
                    f"{failed}: cannot be written ({error.strerror or error}); no output was changed"
                ) from None
            raise
        _commit(temps)
    for path, text in special:
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)


def _commit(temps: list[tuple[str, Path]]) -> None:
    """Rename the written temp files over the outputs, one after the other, under a journal: a run
    killed (SIGKILL, a power cut) between two renames leaves the journal, and the next run that writes
    there finishes the renames (``recover``), so the set is the new one, whole. Nothing here is
    expected to fail (each temp file sits in its output's folder, which was just written to); if a
    rename does, the message says which outputs are new and which are not."""
    journals = _write_journals(temps)
    done = 0
    try:
        for temp, path in temps:
            os.replace(temp, path)
            done += 1
    except BaseException as error:
        for temp, _ in temps[done:]:
            Path(temp).unlink(missing_ok=True)
        for journal in journals:
            journal.unlink(missing_ok=True)
        if isinstance(error, OSError):
            new = ", ".join(str(path) for _, path in temps[:done]) or "none"
            raise OutputError(
                f"{temps[done][1]}: cannot be replaced ({error.strerror or error}); new: {new}; "
                "the other outputs are as they were"
            ) from None
        raise
    for folder in dict.fromkeys(path.parent for _, path in temps):
        _fsync_folder(folder)
    for journal in journals:
        journal.unlink(missing_ok=True)


_JOURNAL = re.compile(r"\A\.summarizer-commit\.(\d+)\.json\Z")
_JOURNAL_TEMP = re.compile(r"\A\.summarizer-commit\.(\d+)\.json\..+\.tmp\Z")


def _write_journals(temps: list[tuple[str, Path]]) -> list[Path]:
    """The renames about to be done, in a journal in each output folder (written whole: temp file,
    fsync, rename), so whichever folder a later run writes to, it finds them."""
    if len(temps) < 2:
        return []  # one rename is atomic by itself
    folders = list(dict.fromkeys(path.parent for _, path in temps))
    journals = [folder / f".summarizer-commit.{os.getpid()}.json" for folder in folders]
    record = {
        "renames": [[str(Path(temp).resolve()), str(path.resolve())] for temp, path in temps],
        "journals": [str(journal.resolve()) for journal in journals],
    }
    for journal in journals:
        handle, temp = tempfile.mkstemp(dir=journal.parent, prefix=f"{journal.name}.", suffix=_TEMP_SUFFIX)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, journal)
        _fsync_folder(journal.parent)
    return journals


def recover(folders: list[Path]) -> list[Path]:
    """Finish the renames of a run that was killed in the middle of them (its journal is still in one of
    these folders and its process is gone): the outputs become that run's whole set. Returns the
    outputs it renamed. Every summarizer command that writes calls it first."""
    finished: list[Path] = []
    for folder in dict.fromkeys(folders):
        if not folder.is_dir():
            continue
        for journal in sorted(folder.iterdir()):
            half = _JOURNAL_TEMP.match(journal.name)  # killed while writing its journal: no rename done
            if half and not _alive(int(half.group(1))):
                journal.unlink(missing_ok=True)
            match = _JOURNAL.match(journal.name)
            if not match or _alive(int(match.group(1))):
                continue
            try:
                record = json.loads(journal.read_text(encoding="utf-8"))
                renames = [(Path(temp), Path(final)) for temp, final in record["renames"]]
                others = [Path(p) for p in record["journals"]]
            except (OSError, ValueError, KeyError, TypeError):
                journal.unlink(missing_ok=True)  # written whole or not at all: damaged, not ours
                continue
            for temp, final in renames:
                if temp.exists():  # not renamed yet when the run was killed
                    os.replace(temp, final)
                    finished.append(final)
            for path in (*others, journal):
                path.unlink(missing_ok=True)
    return finished


def _target(path: Path) -> Path:
    """Where a write to ``path`` lands: through a symlink to its file, as a plain open() would (a
    rename over the link would replace the link itself)."""
    return path.resolve() if path.is_symlink() else path


def _write_temp(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name: a later run removes what a killed one left (``_remove_stale_temps``)
    handle, temp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file 0600; give it the permissions a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def _remove_stale_temps(path: Path) -> None:
    """Temp files of this output left by a run that was killed (SIGKILL cannot be caught): removed
    when the process that made them is gone."""
    if not path.parent.is_dir():
        return
    pattern = re.compile(rf"\A\.{re.escape(path.name)}\.(\d+)\.[^.]+{re.escape(_TEMP_SUFFIX)}\Z")
    for entry in path.parent.iterdir():
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                entry.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    """The renames reach the disk too (a crash after the command returned keeps the new set)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP wait until the block is done, then act as they would have: an
    interruption never splits a set of outputs or leaves a temp file behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            previous[number] = signal.signal(number, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])


def _is_special(path: Path) -> bool:
    """A device or a pipe (/dev/stdout, /dev/null): written in place, never replaced by a rename."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
