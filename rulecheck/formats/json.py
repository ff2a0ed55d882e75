"""JSON: a stable contract for other tools (keys documented in the README)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from rulecheck.findings import Waiver
from rulecheck.render.findings import Shown, ShownViolation

VIOLATION_KEYS = ("rule", "severity", "scope", "county", "township", "village", "name", "file", "files", "sheet", "row",
                  "column", "message", "observed")
EXEMPTION_KEYS = ("rule", "county", "township", "village", "name", "file", "sheet", "row", "evidence")


def _violation(v: ShownViolation) -> dict[str, Any]:
    # "files" stays the violation's tuple (JSON writes it as an array): a dict holding only atoms and
    # tuples is not tracked by the garbage collector, and a report can hold a million of them.
    return {"rule": v.rule, "severity": v.severity, "scope": v.scope, "county": v.county, "township": v.township,
            "village": v.village, "name": v.name, "file": v.file, "files": v.files, "sheet": v.sheet,
            "row": v.row, "column": v.column, "message": v.message, "observed": v.observed}


def _waiver(w: Waiver) -> dict[str, Any]:
    return {"rule": w.rule, "file": w.file, "line": w.line, "covers": w.who, "reason": w.reason,
            "approved_by": w.approved_by, "reference": w.reference, "expires": w.expires}


def _finding(v: ShownViolation) -> dict[str, Any]:
    """A violation's record; a waiver's own warning (unmatched, expired) also names the waiver."""
    return _violation(v) if v.waiver is None else {**_violation(v), "waiver": _waiver(v.waiver)}


def _with_waivers(report: Shown, data: dict[str, Any]) -> dict[str, Any]:
    """Where a waiver file was applied: the count and list of waived findings, each with its approval."""
    if report.waivers is None:
        return data  # a run without waivers writes the same bytes as before they existed
    data["summary"]["waived"] = len(report.waived)
    data["violations"] = [_finding(v) for v in report.violations]
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value
        if key == "exempted":
            out["waivers"] = report.waivers
            out["waived"] = [{**_violation(v), "waiver": _waiver(v.waiver)} for v in report.waived if v.waiver]
    return out


def as_data(report: Shown) -> dict[str, Any]:
    """The report as plain data, keys in a fixed order."""
    return _with_waivers(report, _data(report))


def _data(report: Shown) -> dict[str, Any]:
    return {
        "rulecheck": report.version,
        "ruleset": {"id": report.ruleset_id, "title": report.ruleset_title, "as_of": report.as_of},
        "fail_on": report.fail_on,
        "summary": {
            "files": len(report.files),
            "rows": report.rows,
            "skipped": sum(f.skipped for f in report.files),
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "notices": report.count("notice"),
            "exempted": len(report.exempted),
            "not_checked_files": len(report.failed_files),
            "incomplete_files": len(report.incomplete_files),
            "complete": report.complete,
        },
        "files": [
            {"path": f.path, "rows": f.rows, "skipped": f.skipped, "sheets": list(f.sheets), "error": f.error,
             "passed_over": f.passed_over, "not_checked": list(f.not_checked),
             "unchecked": [{"rule": u.rule, "essential": u.essential, "missing": [list(m) for m in u.missing]}
                           for u in f.unchecked],
             "notes": list(f.notes)}
            for f in report.files
        ],
        "violations": [_violation(v) for v in report.violations],  # keys: VIOLATION_KEYS
        "exempted": [{k: getattr(e, k) for k in EXEMPTION_KEYS} for e in report.exempted],
        "townships": [
            {"county": row.county, "township": row.township, "files": list(row.files), "as_of": row.as_of,
             "values": {c.key: value for c, value in zip(report.summary_columns, row.values)},
             "broken": {c.key: flag for c, flag in zip(report.summary_columns, row.flags) if flag},
             "errors": row.errors, "warnings": row.warnings, "notices": row.notices, "exempted": row.exempted}
            for row in report.townships
        ],
        "rules": [
            {"id": r.id, "severity": r.severity, "scope": r.scope, "optional": r.optional, "violations": r.violations,
             "exempted": r.exempted}
            for r in report.rules
        ],
        "notes": list(report.notes),
    }


def write(report: Shown, out: TextIO) -> None:
    """One key of the report per line, and one record per line in its lists: easy to diff and to grep.

    Each line is made by json's C encoder (``indent`` would send the whole report through the
    pure-Python one, ten times slower on a large report).
    """
    out.write(_layout(as_data(report)))


def _layout(data: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join("    " + _dumps(item) for item in v) + "\n  ]"
        return _dumps(v)

    return "{\n" + ",\n".join(f"  {_dumps(key)}: {value(v)}" for key, v in data.items()) + "\n}\n"


# One encoder for every line: json.dumps with an option builds a new one per call.
_dumps = json.JSONEncoder(ensure_ascii=False).encode
