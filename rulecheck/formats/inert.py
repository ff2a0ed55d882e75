"""Text from cells made inert for the formats a terminal or a CI log shows (text, GitHub, JUnit).

A cell can hold control characters: ESC (``\\x1b[2J`` clears a terminal), CR (the line is
overwritten), a line feed (a fake line such as a clean summary), backspace, the C1 controls
(``\\x9b`` is a terminal's CSI), DEL, and the Unicode bidi overrides and line separators that
reorder or break what a log viewer shows. Each is shown escaped, as visible text (``\\x1b``,
``\\r``, ``\\n``, ``\\u202e``), in the Report's values, once, before the writer runs, so
rulecheck's own line breaks stay. A backslash typed in a cell stays as it is: it is text already.

JSON, CSV and the xlsx report keep the real values (JSON escapes them; CSV and xlsx guard formulas).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from operator import attrgetter
from typing import Any

from rulecheck.render.findings import Shown, ShownFile

# C0 (tab and line feed included), DEL, C1; bidi embeddings and overrides U+202A–U+202E, isolates
# U+2066–U+2069; the line and paragraph separators U+2028, U+2029.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def inert_text(text: str) -> str:
    """``text`` with every control, bidi and line-breaking character shown escaped."""
    return text if _CONTROL.search(text) is None else _CONTROL.sub(_escaped, text)


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return inert_text(value)
    if isinstance(value, tuple):
        new = tuple(_value(v) for v in value)
        if new == value:
            return value
        return new if value.__class__ is tuple else value._make(new)  # a Location stays one
    return value


def _printable(values: tuple) -> bool:
    """Whether no text among ``values`` (tuples looked into) can hold a control character: str.isprintable,
    in C, over all of them joined. It is false for more than _CONTROL (an ideographic space, a soft hyphen):
    those texts take the exact test."""
    if not "".join([v for v in values if v.__class__ is str]).isprintable():
        return False
    for v in values:
        if isinstance(v, tuple) and not _printable(v):
            return False
    return True


def _inert(names: tuple[str, ...]) -> Callable[[Any], Any]:
    """A function escaping these fields of a finding; the finding itself when none has a control character."""
    get = attrgetter(*names) if len(names) > 1 else (lambda item: (getattr(item, names[0]),))

    def escape(item: Any) -> Any:
        values = get(item)
        if _printable(values):
            return item
        changes = {}
        for name, old in zip(names, values):
            new = _value(old)
            if new is not old and new != old:
                changes[name] = new
        return replace(item, **changes) if changes else item
    return escape


# Every text field a writer can show; numbers, rule ids and severities are rulecheck's own.
_violation = _inert(("township", "village", "name", "file", "sheet", "column", "message", "observed", "county",
                     "files", "anchor"))
_exemption = _inert(("township", "village", "name", "file", "sheet", "evidence", "county"))
_file_fields = _inert(("path", "sheets", "error", "notes", "passed_over"))
_unchecked = _inert(("missing",))
_township = _inert(("township", "county", "files"))
_tally = _inert(("title",))


def _file(f: ShownFile) -> ShownFile:
    f = _file_fields(f)
    unchecked = tuple(map(_unchecked, f.unchecked))
    return f if _same(f.unchecked, unchecked) else replace(f, unchecked=unchecked)


def inert(report: Shown) -> Shown:
    """The same report with control characters in its texts shown escaped; the report itself if it has none."""
    changes: dict[str, Any] = {
        "files": tuple(map(_file, report.files)),
        "violations": tuple(map(_violation, report.violations)),
        "waived": tuple(map(_violation, report.waived)),
        "exempted": tuple(map(_exemption, report.exempted)),
        "townships": tuple(map(_township, report.townships)),
        "rules": tuple(map(_tally, report.rules)),
        "notes": _value(report.notes),
        "ruleset_title": inert_text(report.ruleset_title),
        "rule_titles": {k: inert_text(v) for k, v in report.rule_titles.items()},
    }
    same = all(_same(getattr(report, key), value) for key, value in changes.items())
    return report if same else replace(report, **changes)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, tuple):
        return len(old) == len(new) and all(a is b for a, b in zip(old, new))
    return old == new

