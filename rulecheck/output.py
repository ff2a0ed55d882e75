"""Writing output files atomically: a temporary file in the same folder, then ``os.replace``.

A reader of the target (Excel, a CI job, the next run) sees the old file or the new one,
never half of one; on any failure the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _new_file_mode() -> int:
    """The mode a plain ``open(path, 'w')`` would give, i.e. 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_write(path: Path | str, binary: bool = False, newline: str | None = None) -> Iterator[IO]:
    """Open a stream whose content replaces ``path`` only when the block finishes without error.

    Text streams are UTF-8. An existing target keeps its permission bits.
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
