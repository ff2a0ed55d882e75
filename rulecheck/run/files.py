"""Finding the files of a run: what is read, and what cannot even be looked into (named in its place)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from rulecheck.findings import FileResult, Note
from rulecheck.read.reader import find_files
from rulecheck.read.raw import SystemReason


def collect(paths: list[Path], exclude: Callable[[Path], bool] | None = None) -> list[FileResult | Path]:
    """The files to read, in order, and in their places what cannot even be looked into.

    A path that leads nowhere (missing, a dangling link, a link loop) and a folder without
    spreadsheets are reported here; everything else is left to the reader, which opens regular
    files only and names anything else (a pipe, a device, a socket) for what it is.
    """
    results: list[FileResult | Path] = []
    seen: set[str] = set()  # a file reached twice (a folder and a file in it, a link to it) is read once
    folders: dict[str, str] = {}  # each folder's real path, found once for all its files
    for given in paths:
        missing = _missing(given)
        if missing is not None:
            results.append(missing)
            continue
        files = find_files([given])
        if given.is_dir() and exclude is not None:
            files = [f for f in files if not exclude(f)]
        if given.is_dir() and not files:
            results.append(FileResult(str(given), error=_no_files(given)))
        for path in files:
            real = _real_path(path, folders)
            if real not in seen:
                seen.add(real)
                results.append(path)
    return results


def _real_path(path: Path, folders: dict[str, str]) -> str:
    """``os.path.realpath(path)``, its folder's part looked up once per folder: realpath asks the system
    about every component of every path, some 20 ms for a folder of 1,000 slates."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)


def _missing(given: Path) -> FileResult | None:
    """The report of a path that leads to nothing, or None when there is something there."""
    try:
        os.stat(given)
        return None
    except OSError as exc:
        if not os.path.islink(given):
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return FileResult(str(given), error=Note.of("not-found", path=given))
            return FileResult(str(given), error=Note.of("file-unreadable", reason=SystemReason(exc)))
        try:
            target = os.readlink(given)
        except OSError:
            target = "?"
        key = "link-loop" if exc.errno == errno.ELOOP else "broken-link"
        return FileResult(str(given), error=Note.of(key, path=given, target=target))


SHOWN_NAMES = 5


def _no_files(folder: Path) -> Note:
    """Say what the folder holds instead, so a wrong folder or a wrong file type is plain to see."""
    others = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    names = ":" + "、".join(others[:SHOWN_NAMES]) + ("…" if len(others) > SHOWN_NAMES else "") if others else ""
    return Note.of("no-files", path=folder, count=len(others), names=names)
