"""What the tabular formats (csv, xlsx) and the CI formats share: the violation list as rows,
and one line naming where a violation is."""

from __future__ import annotations

from typing import Any

from rulecheck.messages import t
from rulecheck.model import Exemption, Report, Violation, township_key

# What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Keys of the violation and exemption rows, in column order; headers are ``t(lang, "col-" + key)``.
VIOLATION_COLUMNS = ("severity", "rule", "title", "township", "village", "name", "file", "sheet", "row", "column",
                     "observed", "message", "quote")
EXEMPTION_COLUMNS = ("rule", "title", "township", "village", "name", "file", "sheet", "row", "evidence")


def _place(item: Violation | Exemption) -> tuple:
    """Township, village, row: the order a township office reads its list in (blank last)."""
    return (township_key(item.township) is None, township_key(item.township) or "",
            township_key(item.village) is None, township_key(item.village) or "",
            item.file or "", item.sheet or "", item.row if item.row is not None else 1 << 30, item.rule)


def violation_rows(report: Report) -> list[dict[str, Any]]:
    """One dict per violation, sorted by township, village and row."""
    quotes = {r.id: r.quote for r in report.rules}
    return [
        {"severity": v.severity, "rule": v.rule, "title": report.rule_titles.get(v.rule, ""), "township": v.township,
         "village": v.village, "name": v.name, "file": v.file, "sheet": v.sheet, "row": v.row, "column": v.column,
         "observed": v.observed, "message": v.message, "quote": quotes.get(v.rule)}
        for v in sorted(report.violations, key=_place)
    ]


def exemption_rows(report: Report) -> list[dict[str, Any]]:
    """One dict per accepted exemption, sorted like the violations."""
    return [
        {"rule": e.rule, "title": report.rule_titles.get(e.rule, ""), "township": e.township, "village": e.village,
         "name": e.name, "file": e.file, "sheet": e.sheet, "row": e.row, "evidence": e.evidence}
        for e in sorted(report.exempted, key=_place)
    ]


def observed_text(value: Any, lang: str) -> str:
    """An observed value as text: whole numbers without '.0', yes/no in the report's language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t(lang, "yes" if value else "no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def where(v: Violation, lang: str) -> str:
    """Where a violation is, as one line: file, sheet, row, who, column."""
    parts = [v.file or ""]
    if v.sheet is not None:
        parts.append(t(lang, "location-sheet", sheet=v.sheet))
    if v.row is not None:
        parts.append(t(lang, "location-row", row=v.row))
    parts += [x for x in (v.township, v.village, v.name) if x]
    if v.column:
        parts.append(f"[{v.column}]")
    return " ".join(p for p in parts if p)
