"""Key paths in the files rulecheck reads settings from (the rule file's YAML, rulecheck.toml), for their errors."""

from __future__ import annotations

import re
from collections.abc import Mapping


def key_path(loc: tuple, bare: re.Pattern[str] | None = None) -> str:
    """A key path as an error names it, ``rules[3].when``; with ``bare``, a key that is not one is quoted (TOML)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        part = str(part)
        if bare is not None and not bare.fullmatch(part):
            part = f'"{part}"'
        text += f".{part}" if text else part
    return text


def line_of(lines: Mapping[tuple, int], loc: tuple) -> int | None:
    """The 1-based line of a key path, else of the nearest key above it that has one."""
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc)
