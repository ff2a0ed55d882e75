"""A one-line progress bar on stderr for long runs; drawn only on a terminal, never into a log."""

from __future__ import annotations

import shutil
from typing import TextIO

from rulecheck.render.messages import t

MIN_FILES = 10  # fewer files than this read too fast for a bar to help


class ProgressBar:
    """Call with (files done, files in all, file just read); redraws one line and clears it at the end."""

    def __init__(self, stream: TextIO, lang: str, minimum: int = MIN_FILES, width: int = 24):
        self.stream, self.lang, self.minimum, self.width = stream, lang, minimum, width
        self.drawn = 0

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        """Whether ``stream`` is a terminal a person is watching."""
        return hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, done: int, total: int, path: str) -> None:
        if total < self.minimum:
            return
        filled = self.width * done // total
        head = f"{t(self.lang, 'progress')} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
        room = max(shutil.get_terminal_size((80, 20)).columns - len(head) - 2, 0)
        name = path if len(path) <= room else "…" + path[len(path) - room + 1:] if room > 1 else ""
        line = head + name
        self.stream.write("\r" + line + " " * max(self.drawn - len(line), 0))
        self.drawn = len(line)
        if done == total:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.drawn = 0
        self.stream.flush()
