"""The terminal report: per file, what could not be checked and each violation where Excel shows it;
then findings across files; then the summary, whose first line is the verdict."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rulecheck.formats.inert import inert
from rulecheck.formats.rows import approval, names, unchecked_lines, verdict
from rulecheck.render.messages import t
from rulecheck.render.findings import Shown, ShownViolation


def _line(v: ShownViolation, lang: str, titles: dict[str, str], waived: bool = False) -> str:
    where = []
    if v.sheet is not None:
        where.append(t(lang, "location-sheet", sheet=v.sheet))
    if v.row is not None:
        where.append(t(lang, "location-row", row=v.row))
    if v.file is None:  # a group drawn from several files: name it in full, then its files
        who = " ".join(x for x in (v.county, v.township or t(lang, "blank"), v.village, v.name) if x)
    elif v.scope == "township":
        who = " ".join(x for x in (v.county, v.township or t(lang, "blank")) if x)
    elif v.county:  # a county's file holds several townships, perhaps of one name: say which
        who = " ".join(x for x in (v.county, v.township, v.village, v.name) if x)
    else:
        who = " ".join(x for x in (v.village, v.name) if x)
    if v.waiver is not None and v.file is None and v.scope == "waiver":  # a waiver's own warning: at its line
        who = v.waiver.where
    head = " ".join(x for x in (" ".join(where), who, v.column and f"[{v.column}]") if x)
    severity = t(lang, "severity-waived" if waived else f"severity-{v.severity}")
    line = f"  {head}\n    {severity} {v.rule}  {titles.get(v.rule, '')}:{v.message}" if lang == "zh" else \
        f"  {head}\n    {severity} {v.rule}  {titles.get(v.rule, '')}: {v.message}"
    if v.file is None and v.files:
        line += "\n    " + t(lang, "in-files", files=names(v.files, lang, limit=10))
    if waived and v.waiver is not None:
        line += "\n    " + approval(v.waiver, lang)
    return line


def write(report: Shown, out: TextIO) -> None:
    report = inert(report)  # control characters from cells shown escaped, never sent to the terminal
    lang, titles = report.lang, report.rule_titles
    by_file = {f: list(vs) for f, vs in groupby(
        [v for v in report.violations if v.file is not None], key=lambda v: v.file)}
    for f in report.files:
        out.write(t(lang, "heading-file", path=f.path) + "\n")
        if f.error:
            out.write("  " + t(lang, "file-error", error=f.error) + "\n\n")
            continue
        if f.passed_over is not None:
            out.write("  " + f.passed_over + "\n\n")
            continue
        out.write("  " + t(lang, "file-rows", rows=f.rows))
        if f.skipped:
            out.write(";" if lang == "zh" else "; ")
            out.write(t(lang, "file-skipped", skipped=f.skipped))
        out.write("\n")
        for note in f.notes:
            out.write("  " + note + "\n")
        for _, line in unchecked_lines(f, report):
            out.write("  " + line + "\n")
        for v in by_file.get(f.path, []):
            out.write(_line(v, lang, titles) + "\n")
        if not by_file.get(f.path):
            out.write("  " + t(lang, "no-violations-incomplete" if f.incomplete else "no-violations") + "\n")
        out.write("\n")
    wide = [v for v in report.violations if v.file is None and v.scope != "waiver"]
    if wide:
        out.write(t(lang, "heading-township") + "\n")
        for v in wide:
            out.write(_line(v, lang, titles) + "\n")
        out.write("\n")
    own = [v for v in report.violations if v.file is None and v.scope == "waiver"]  # a waiver's own warnings
    if own:
        out.write(t(lang, "heading-waivers", file=report.waivers) + "\n")
        for v in own:
            out.write(_line(v, lang, titles) + "\n")
        out.write("\n")
    if report.exempted:
        out.write(t(lang, "heading-exempted") + "\n")
        for e in report.exempted:
            where = " ".join(x for x in (e.file, t(lang, "location-row", row=e.row) if e.row else None, e.county,
                                         e.county and e.township, e.village, e.name) if x)
            out.write(f"  {where}  {e.rule}  {t(lang, 'evidence', evidence=e.evidence)}\n")
        out.write("\n")
    if report.waived:
        out.write(t(lang, "heading-waived") + "\n")
        for v in report.waived:
            out.write(_line(v, lang, titles, waived=True) + "\n")
        out.write("\n")
    if report.notes:
        out.write(t(lang, "heading-notes") + "\n")
        for note in report.notes:
            out.write("  " + note + "\n")
        out.write("\n")
    out.write(verdict(report) + "\n")
    out.write(t(
        lang, "summary", files=len(report.files) - len(report.failed_files), rows=report.rows, errors=report.count("error"),
        warnings=report.count("warning"), notices=report.count("notice"), exempted=len(report.exempted),
        failed=len(report.failed_files),
    ) + "\n")
    if report.waived:
        out.write(t(lang, "summary-waived", count=len(report.waived), file=report.waivers) + "\n")
