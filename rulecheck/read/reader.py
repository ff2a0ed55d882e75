"""Reading files as offices send them, to raw sheets: what a file is comes from its bytes, not its name.

The input formats (xlsx/xlsm, xls/et/ett, ods, HTML and SpreadsheetML saved as .xls, delimited
text) are registered in ``rulecheck/read/inputs.py``; every zip package passes ``guard`` before
calamine sees it. Nothing here knows the rule file: finding the header and mapping columns to
the rule file's is ``rulecheck/table/header.py``.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from rulecheck.read import inputs, limits
from rulecheck.read.inputs import SUFFIXES
from rulecheck.read.raw import RawSheet, ReadError, SystemReason, Term


def find_files(paths: list[Path]) -> list[Path]:
    """Files to check: given files as they are; folders searched recursively, lock files skipped.

    What a folder holds under a spreadsheet's name is found whatever it is (a dangling link, a
    link loop, a named pipe, a device) so that the reader can name it; links to folders are not
    followed. A sub-folder that cannot be listed is returned too, and named by the reader.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(_walk(path))
        else:
            found.append(path)
    return found


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        if folder.is_dir():  # the folder itself cannot be listed: the reader says why
            yield folder
        return
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            yield from _walk(Path(entry.path))
        elif os.path.splitext(entry.name)[1].lower() in SUFFIXES and not entry.name.startswith(("~$", ".~lock")):
            yield Path(entry.path)


def read_rows(path: Path) -> list[RawSheet]:
    """Every sheet of a file, whatever its name says it is (see ``inputs``); raises ReadError naming what is wrong."""
    return inputs.read(path.stem, _read_bytes(path))


def _read_bytes(path: Path) -> bytes:
    """The whole file, read once: a file that vanishes or changes later cannot confuse the read.

    Only a regular file is opened: anything else (a named pipe, a device, a socket, a dangling
    link, a link loop, a folder) is named for what it is. The file is opened without blocking and
    checked again once open, so nothing swapped in after the first look can hang the run.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ReadError("broken-link", target=_link_target(path)) from None
        raise ReadError("file-vanished") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError("link-loop", target=_link_target(path)) from None
        raise _os_error(exc) from None
    if stat.S_ISDIR(info.st_mode):
        try:
            os.scandir(path).close()
        except OSError as exc:  # a folder found in a folder, that cannot be listed
            raise ReadError("folder-unreadable", reason=SystemReason(exc)) from None
        raise ReadError("file-is-folder")
    if not stat.S_ISREG(info.st_mode):
        what = Term(_kind(info.st_mode))
        if os.path.islink(path):
            raise ReadError("link-not-regular", target=os.path.realpath(path), what=what)
        raise ReadError("not-regular", what=what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the first look
            raise ReadError("not-regular", what=Term(_kind(os.fstat(fd).st_mode)))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _os_error(exc) from None
    finally:
        os.close(fd)
    if len(data) > limits.MAX_FILE_BYTES:
        raise ReadError("file-too-large", limit=f"{limits.MAX_FILE_BYTES // limits.MiB} MiB")
    return data


def _os_error(exc: OSError) -> ReadError:
    if isinstance(exc, FileNotFoundError):
        return ReadError("file-vanished")
    if isinstance(exc, PermissionError):
        return ReadError("file-permission")
    if isinstance(exc, IsADirectoryError):
        return ReadError("file-is-folder")
    return ReadError("file-unreadable", reason=SystemReason(exc))


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _kind(mode: int) -> str:
    """The message key naming what a file that is not a regular file is."""
    if stat.S_ISFIFO(mode):
        return "kind-fifo"
    if stat.S_ISCHR(mode):
        return "kind-char-device"
    if stat.S_ISBLK(mode):
        return "kind-block-device"
    if stat.S_ISSOCK(mode):
        return "kind-socket"
    return "kind-other"
