"""CSV: one row per violation, for a spreadsheet or a script; header keys are the JSON keys.

UTF-8 with a byte-order mark, so that Excel and WPS open the Chinese text correctly, and
RFC 4180 line ends. A text cell that a spreadsheet would read as a formula (it starts with
= + - @, a tab or a carriage return) is written with a leading single quote (OWASP's advice
against CSV injection): a name typed as ``=HYPERLINK(...)`` stays text.

A ``county`` column comes only when some finding names a county, and a ``files`` column (one
file a line) only when a village or township finding draws its rows from several files: a
township office's own slate gets no empty columns. Read the columns by their header keys.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

from rulecheck.formats.rows import FORMULA_START, observed_text, violation_columns, violation_rows
from rulecheck.render.findings import Shown


def defuse(text: str) -> str:
    """Text that a spreadsheet shows as it is, never runs."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(key: str, value: Any, lang: str) -> str:
    if isinstance(value, str):
        return defuse(value)
    if key == "observed":
        return observed_text(value, lang)  # a number (-2 stays a number), a yes/no, or blank
    return "" if value is None else str(value)


def write(report: Shown, out: TextIO) -> None:
    out.write("\ufeff")
    table = csv.writer(out, lineterminator="\r\n")
    columns = violation_columns(report)
    table.writerow(columns)
    for row in violation_rows(report):
        table.writerow([_cell(key, row[key], report.lang) for key in columns])
