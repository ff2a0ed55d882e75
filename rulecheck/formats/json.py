"""JSON: a stable contract for other tools (keys documented in the README)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from rulecheck.model import Report

VIOLATION_KEYS = ("rule", "severity", "scope", "township", "village", "name", "file", "sheet", "row", "column",
                  "message", "observed")
EXEMPTION_KEYS = ("rule", "township", "village", "name", "file", "sheet", "row", "evidence")


def as_data(report: Report) -> dict[str, Any]:
    """The report as plain data, keys in a fixed order."""
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
        },
        "files": [
            {"path": f.path, "rows": f.rows, "skipped": f.skipped, "sheets": list(f.sheets), "error": f.error,
             "not_checked": list(f.not_checked), "notes": list(f.notes)}
            for f in report.files
        ],
        "violations": [{k: getattr(v, k) for k in VIOLATION_KEYS} for v in report.violations],
        "exempted": [{k: getattr(e, k) for k in EXEMPTION_KEYS} for e in report.exempted],
        "townships": [
            {"township": row.township, "as_of": row.as_of,
             "values": {c.key: value for c, value in zip(report.summary_columns, row.values)},
             "broken": {c.key: flag for c, flag in zip(report.summary_columns, row.flags) if flag},
             "errors": row.errors, "warnings": row.warnings, "notices": row.notices, "exempted": row.exempted}
            for row in report.townships
        ],
        "rules": [
            {"id": r.id, "severity": r.severity, "scope": r.scope, "violations": r.violations, "exempted": r.exempted}
            for r in report.rules
        ],
        "notes": list(report.notes),
    }


def write(report: Report, out: TextIO) -> None:
    json.dump(as_data(report), out, ensure_ascii=False, indent=2)
    out.write("\n")
