"""What the formats share: the violation list as rows, one line naming where a violation is, and
the words for coverage (rules not checked, by title and missing columns) and the run's verdict."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rulecheck.render.messages import t
from rulecheck.table.types import observed_text  # noqa: F401 - the formats write observed values through it
from rulecheck.findings import SEVERITIES, Unchecked, Waiver, township_key
from rulecheck.render.findings import Shown, ShownExemption, ShownFile, ShownViolation

# What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Keys of the violation and exemption rows, in column order; headers are ``t(lang, "col-" + key)``.
VIOLATION_COLUMNS = ("severity", "rule", "title", "county", "township", "village", "name", "file", "files", "sheet",
                     "row", "column", "observed", "message", "quote")
EXEMPTION_COLUMNS = ("rule", "title", "county", "township", "village", "name", "file", "sheet", "row", "evidence")
# Where a waiver file was applied: each waived finding's approval (and a waiver's own warning's waiver).
WAIVER_COLUMNS = ("approved_by", "reference", "reason", "expires", "waiver")


def _has_county(report: Shown) -> bool:
    return any(v.county for v in report.violations) or any(e.county for e in report.exempted) or any(
        v.county for v in report.waived)


def _spans_files(v: ShownViolation) -> bool:
    return v.file is None and len(v.files) > 1


def violation_columns(report: Shown) -> tuple[str, ...]:
    """The violation columns this report needs: ``county`` only where a finding names a county,
    ``files`` only where a village or township finding draws its rows from more than one file."""
    drop = set()
    if not _has_county(report):
        drop.add("county")
    if not any(_spans_files(v) for v in report.violations) and not any(_spans_files(v) for v in report.waived):
        drop.add("files")
    return tuple(k for k in VIOLATION_COLUMNS if k not in drop) + (WAIVER_COLUMNS if report.waivers else ())


def exemption_columns(report: Shown) -> tuple[str, ...]:
    """The exemption columns this report needs (``county`` only where a finding names one)."""
    columns = EXEMPTION_COLUMNS if _has_county(report) else tuple(k for k in EXEMPTION_COLUMNS if k != "county")
    if report.waived:  # the speech's exemptions and approved waivers side by side, a column saying which
        columns = ("kind", *columns, *(k for k in WAIVER_COLUMNS if k != "reason"))
    return columns


def _place(item: ShownViolation | ShownExemption) -> tuple:
    """Township, village, row: the order a township office reads its list in (blank last)."""
    return (township_key(item.county) or "", township_key(item.township) is None, township_key(item.township) or "",
            township_key(item.village) is None, township_key(item.village) or "",
            item.file or "", item.sheet or "", item.row if item.row is not None else 1 << 30, item.rule)


def violation_rows(report: Shown) -> list[dict[str, Any]]:
    """One dict per violation, sorted by township, village and row; a waived finding too, as severity "waived"."""
    quotes = {r.id: r.quote for r in report.rules}
    waived = {id(v) for v in report.waived}
    found = sorted(report.violations + report.waived, key=_place) if waived else sorted(report.violations, key=_place)
    rows = [
        {"severity": "waived" if id(v) in waived else v.severity, "rule": v.rule,
         "title": report.rule_titles.get(v.rule, ""), "county": v.county,
         "township": v.township, "village": v.village, "name": v.name, "file": v.file,
         "files": "\n".join(v.files) if _spans_files(v) else None, "sheet": v.sheet, "row": v.row,
         "column": v.column, "observed": v.observed, "message": v.message, "quote": quotes.get(v.rule)}
        for v in found
    ]
    if report.waivers:
        for row, v in zip(rows, found):
            row.update(waiver_values(v.waiver))
    return rows


def waiver_values(w: Waiver | None) -> dict[str, Any]:
    """The approval columns of one row (blank where no waiver)."""
    if w is None:
        return dict.fromkeys(WAIVER_COLUMNS)
    return {"approved_by": w.approved_by, "reference": w.reference, "reason": w.reason, "expires": w.expires,
            "waiver": w.where}


def exemption_rows(report: Shown) -> list[dict[str, Any]]:
    """One dict per accepted exemption, sorted like the violations; then, where a waiver file was
    applied, one per waived finding (its reason as the evidence, and its approval)."""
    rows = [
        {"rule": e.rule, "title": report.rule_titles.get(e.rule, ""), "county": e.county, "township": e.township,
         "village": e.village,
         "name": e.name, "file": e.file, "sheet": e.sheet, "row": e.row, "evidence": e.evidence}
        for e in sorted(report.exempted, key=_place)
    ]
    if not report.waived:
        return rows
    for row in rows:
        row.update(kind="exemption", **waiver_values(None))
    for v in sorted(report.waived, key=_place):
        values = waiver_values(v.waiver)
        rows.append({"kind": "waiver", "rule": v.rule, "title": report.rule_titles.get(v.rule, ""), "county": v.county,
                     "township": v.township, "village": v.village, "name": v.name, "file": v.file, "sheet": v.sheet,
                     "row": v.row, "evidence": values["reason"], **values})
    return rows


def approval(w: Waiver, lang: str) -> str:
    """A waiver's approval in one line: 批准单位, 批复文号, reason, expiry, and where it is written."""
    expiry = t(lang, "waived-expiry", date=w.expires) if w.expires else ""
    return t(lang, "waived-approval", approved_by=w.approved_by, reference=w.reference, reason=w.reason,
             expiry=expiry) + t(lang, "waived-at", where=w.where)


def where(v: ShownViolation, lang: str) -> str:
    """Where a violation is, as one line: file (or, for a group drawn from several, its files), sheet, row,
    who (county, township, village, name), column."""
    parts = [v.file or names(v.files, lang, limit=10)]
    if v.sheet is not None:
        parts.append(t(lang, "location-sheet", sheet=v.sheet))
    if v.row is not None:
        parts.append(t(lang, "location-row", row=v.row))
    parts += [x for x in (v.county, v.township, v.village, v.name) if x]
    if v.column:
        parts.append(f"[{v.column}]")
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- coverage and verdict


def names(items: tuple[str, ...] | list[str], lang: str, limit: int = 3) -> str:
    """A short list of names: the first ``limit``, then how many more."""
    items = list(items)
    shown = t(lang, "list-sep").join(items[:limit])
    if len(items) > limit:
        shown += t(lang, "and-more", count=len(items), more=len(items) - limit)
    return shown


def missing_text(missing: tuple[tuple[str, ...], ...], lang: str) -> str:
    """缺少「出生年月」或「身份证号」列: the columns a rule needed, any one alternative of which would do."""
    if not missing:
        return t(lang, "missing-unknown")
    alternatives = [t(lang, "and").join(t(lang, "column-quoted", title=title) for title in option) for option in missing]
    return t(lang, "missing-of", columns=t(lang, "or").join(alternatives))


def unchecked_groups(f: ShownFile) -> list[tuple[bool, tuple[tuple[str, ...], ...], list[str]]]:
    """A file's unchecked rules as (essential, missing columns, rule ids): essential first, then in the
    order found, rules that lack the same columns together."""
    groups: dict[tuple[bool, tuple[tuple[str, ...], ...]], list[str]] = {}
    for u in sorted(f.unchecked, key=lambda u: not u.essential):
        groups.setdefault((u.essential, u.missing), []).append(u.rule)
    return [(essential, missing, rules) for (essential, missing), rules in groups.items()]


def unchecked_lines(f: ShownFile, report: Shown) -> list[tuple[bool, str]]:
    """One line per group of a file's unchecked rules, rules by title: (essential, line)."""
    lang, titles = report.lang, report.rule_titles
    lines = []
    for essential, missing, rules in unchecked_groups(f):
        key = "unchecked-essential" if essential else "unchecked-optional"
        listed = t(lang, "rule-sep").join(titles.get(rule) or rule for rule in rules)
        lines.append((essential, t(lang, key, missing=missing_text(missing, lang), rules=listed)))
    return lines


def unchecked_title(u: Unchecked, report: Shown) -> str:
    """One unchecked rule: its title, the columns missing, and whether it was optional."""
    lang = report.lang
    why = ("" if u.essential else t(lang, "optional-mark")) + missing_text(u.missing, lang)
    title = report.rule_titles.get(u.rule) or u.rule
    return f"{title}({why})" if lang == "zh" else f"{title} ({why})"


def _plural(n: int) -> dict[str, object]:
    return {"count": n, "s": "" if n == 1 else "s", "verb": "s" if n == 1 else ""}


def _found(report: Shown, counts: Counter[str]) -> str:
    lang = report.lang
    parts = [t(lang, f"count-{s}", n=n, s="" if n == 1 else "s") for s in SEVERITIES if (n := counts[s])]
    return t(lang, "list-sep").join(parts)


def verdict(report: Shown) -> str:
    """The run's verdict in one line: incomplete (and why), what was found, or that nothing was.

    Never 'no problems found' when an essential rule went unchecked, a file could not be read, or
    no slate was read at all.
    """
    lang = report.lang
    counts = Counter(v.severity for v in report.violations)
    found = _found(report, counts)
    if not report.complete:
        reasons = []
        if report.incomplete_files:
            paths = [f.path for f in report.incomplete_files]
            reasons.append(t(lang, "verdict-incomplete-files", files=names(paths, lang), **_plural(len(paths))))
        if report.failed_files:
            paths = [f.path for f in report.failed_files]
            reasons.append(t(lang, "verdict-failed-files", files=names(paths, lang), **_plural(len(paths))))
        if not any(not f.error and f.passed_over is None for f in report.files):
            reasons.append(t(lang, "verdict-nothing-read"))
        text = t(lang, "verdict-incomplete", reasons=(";" if lang == "zh" else "; ").join(reasons))
        return text + (t(lang, "verdict-found-too", found=found) if found else "")
    if counts["error"] or counts["warning"]:
        return t(lang, "verdict-found", found=found)
    return t(lang, "verdict-clean-notices", found=found) if found else t(lang, "verdict-clean")
