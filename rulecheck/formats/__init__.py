"""Output formats: each module writes a Report to a text stream and nothing else."""

from __future__ import annotations

from typing import Callable, TextIO

from rulecheck.model import Report

Writer = Callable[[Report, TextIO], None]


def writer(name: str) -> Writer:
    """The writer for a format name; formats are imported only when used."""
    if name == "text":
        from rulecheck.formats.text import write
    elif name == "json":
        from rulecheck.formats.json import write
    else:
        raise KeyError(name)
    return write


FORMATS = ("text", "json")
