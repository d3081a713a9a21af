"""Which files a run reads, and the id each one gets.

Folders are read recursively, in a stable (sorted) order, so a folder of dated subfolders is read
like a flat one. Hidden files and folders (a leading dot: ``.git``, editor swap files, our own temp
files) are not articles. Nor are the files summarizer writes: a brief written into the folder it
summarises must not become a source of the next brief (it would republish every article), so the
Markdown, JSON and HTML of a brief are recognised by their content (``outputs.own_output``) and
skipped with a note that the brief shows.

A document's id is its file name when no other input has that name; when two inputs share a name,
it is the shortest path suffix that tells it apart ('A/article.txt', '2024-04-08/article.txt'). Two
files are never one document, and ids stay as short as the inputs allow.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.outputs import own_output


@dataclass(frozen=True)
class InputFile:
    path: Path  # as given or found under a given folder (relative stays relative)
    doc_id: str

    @property
    def shown(self) -> str:
        """The path as the brief names it."""
        return readable(self.path)


def readable(path: Path | str) -> str:
    """A path as text that can be written anywhere: a name that is not UTF-8 (bytes the file system
    allows) keeps its odd bytes as '\\xff' instead of failing the JSON."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass
class Collection:
    """What ``collect`` found: the files to read, and what it left out and why."""

    files: list[InputFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): our own outputs
    missing: list[Path] = field(default_factory=list)  # given paths that do not exist
    devices: list[Path] = field(default_factory=list)  # given paths that are devices (/dev/zero)
    empty: list[Path] = field(default_factory=list)  # given folders with no article in them

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]


def collect(inputs: list[Path], suffixes: tuple[str, ...]) -> Collection:
    """Expand folders into their article files (``suffixes``), recursively and sorted; a file given
    by name is read whatever its suffix. The same file reached twice is read once."""
    found = Collection()
    paths: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        if (kind := own_output(path)) is not None:
            found.skipped.append((readable(path), f"{kind} written by summarizer, not an article"))
            return
        paths.append(path)

    for item in inputs:
        if not item.exists():
            found.missing.append(item)
        elif _is_device(item):  # endless (/dev/zero, /dev/urandom): never read; a pipe is read to its end
            found.devices.append(item)
        elif item.is_dir():
            walked = _walk(item, suffixes)
            if not walked:
                found.empty.append(item)
            for path in walked:
                add(path)
        else:
            add(item)
    found.files = [InputFile(path, doc_id) for path, doc_id in zip(paths, unique_ids(paths), strict=True)]
    return found


def _is_device(path: Path) -> bool:
    mode = path.stat().st_mode
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _walk(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The article files under a folder, hidden ones left out, sorted by their path inside it."""
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):  # symlinked folders are not followed: no loops
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(root) / name
            if not name.startswith(".") and path.suffix.lower() in suffixes and path.is_file():
                files.append(path)
    return sorted(files, key=lambda p: p.relative_to(folder).parts)


def unique_ids(paths: list[Path]) -> list[str]:
    """Each path's id: its name, or, when another path has the same name, its shortest suffix of path
    parts that no other path ends with ('A/article.txt' next to 'B/article.txt')."""
    parts = [_parts(path) for path in paths]
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, path_parts in enumerate(parts):
        by_name[path_parts[-1]].append(index)
    ids = [path_parts[-1] for path_parts in parts]
    for indices in by_name.values():
        if len(indices) < 2:
            continue
        for index in indices:
            others = [parts[i] for i in indices if i != index]
            length = 1
            # a path no longer than the suffix is its own whole path: no other file has all its parts
            while length < len(parts[index]) and any(o[-length:] == parts[index][-length:] for o in others):
                length += 1
            ids[index] = "/".join(parts[index][-length:])
    return ids


def _parts(path: Path) -> tuple[str, ...]:
    """The path's parts as given, or from the root when the given ones cannot tell two files apart
    ('article.txt' and '../x/article.txt' given from two places)."""
    given = tuple(readable(part) for part in path.parts if part not in ("/", "."))
    return given if ".." not in given else tuple(map(readable, path.resolve().parts[1:]))
