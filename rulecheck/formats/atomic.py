"""Writing output files atomically: a temporary file in the same folder, then ``os.replace``.

A reader of the target (Excel, a CI job, the next run) sees the old file or the new one,
never half of one; on any failure the temporary file is removed and the target is untouched.

A write that is killed outright (``kill -9``, a power cut) cannot remove its temporary file. The
name says whose it is — ``.<target>.rulecheck-<host>-<pid>-<random>.tmp`` — so the next write to
the same folder removes it, once no process of that number runs on this host; files of any
other name, of another host or of another user are never touched.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


_MARK = "rulecheck"
_LEFTOVER = re.compile(rf"^\..*\.{_MARK}-(?P<host>[A-Za-z0-9-]+)-(?P<pid>[0-9]+)-[A-Za-z0-9_]+\.tmp$", re.S)
_cleaned: set[str] = set()  # folders already cleaned by this process


def _host() -> str:
    """This machine's name as it can stand in a file name (a pid means something on one host only)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def _short(name: str, limit: int = 120) -> str:
    """The target's name, cut so that the temporary name stays within a file system's 255 bytes."""
    while len(name.encode("utf-8")) > limit:
        name = name[:-1]
    return name


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):  # another user's process, or no such number: left alone
        return True
    return True


def remove_leftovers(folder: Path | str) -> list[Path]:
    """Remove the temporary files that writes killed outright left in ``folder``; returns what was removed.

    Only files named by rulecheck, on this host, owned by this user, whose writing process no
    longer runs. Each folder is looked at once per process.
    """
    folder = Path(folder)
    key = os.path.abspath(folder)
    if key in _cleaned:
        return []
    _cleaned.add(key)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    host, uid = _host(), os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or match["host"] != host or int(match["pid"]) == os.getpid() or _alive(int(match["pid"])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:  # gone already, or not ours to remove
            continue
    return removed


def _new_file_mode() -> int:
    """The mode a plain ``open(path, 'w')`` would give, i.e. 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _special(path: Path) -> bool:
    """Whether ``path`` is a device, a pipe or a socket (what a link leads to counts)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode) and not stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


@contextmanager
def atomic_write(path: Path | str, binary: bool = False, newline: str | None = None) -> Iterator[IO]:
    """Open a stream whose content replaces ``path`` only when the block finishes without error.

    Text streams are UTF-8. An existing target keeps its permission bits. Missing folders on the
    way to ``path`` are made first (as ``--annotate`` makes its folder).
    """
    path = Path(path)
    if _special(path):  # /dev/null, /dev/stdout, a named pipe: written to, never replaced by a file
        with open(path, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": newline})) as out:
            yield out
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder is wanted: say that, not "file exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)) from None
    remove_leftovers(path.parent)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{_short(path.name)}.{_MARK}-{_host()}-{os.getpid()}-",
                                suffix=".tmp")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode()
        if binary:
            stream: IO = os.fdopen(fd, "wb")
        else:
            stream = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
