"""GitHub Actions workflow commands: one annotation per violation, on its file and row.

Errors, warnings and notices become ``::error``, ``::warning`` and ``::notice``; a file that
could not be checked is an error on that file, and so is an essential rule it could not be
checked against (an optional one is a notice; a file rulecheck wrote itself, passed over, too).
A village or township finding is annotated on its anchor, the first row of the village or
township (in the first file, where its rows come from several). The closing verdict and summary
lines are plain log text.
"""

from __future__ import annotations

from typing import TextIO

from rulecheck.formats.inert import inert
from rulecheck.formats.rows import approval, unchecked_lines, verdict, where
from rulecheck.render.messages import t
from rulecheck.render.findings import Shown


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, title: str, file: str | None = None, line: int | None = None) -> str:
    props = []
    if file is not None:
        props.append(f"file={_property(file)}")
        if line is not None:
            props.append(f"line={line}")
    props.append(f"title={_property(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}\n"


def write(report: Shown, out: TextIO) -> None:
    report = inert(report)  # control characters from cells shown escaped, never sent to the terminal
    lang = report.lang
    for f in report.failed_files:
        out.write(_command("error", t(lang, "file-error", error=f.error), "rulecheck", f.path))
    for f in report.files:
        if f.passed_over is not None:
            out.write(_command("notice", f.passed_over, "rulecheck", f.path))
        for essential, line in unchecked_lines(f, report):
            out.write(_command("error" if essential else "notice", line, "rulecheck", f.path))
    for v in report.violations:
        title = f"{v.rule} {report.rule_titles.get(v.rule, '')}".strip()
        # a village or township finding lands on its anchor: the first row of the village or township
        file, line = (v.anchor.file, v.anchor.row) if v.anchor is not None else (v.file, v.row)
        text = v.message if v.scope == "waiver" else f"{where(v, lang)}: {v.message}"  # a waiver's own: at its line
        out.write(_command(v.severity, text, title, file, line))
    for v in report.waived:  # shown, never counted: a notice with the approval
        title = f"{t(lang, 'severity-waived')} {v.rule} {report.rule_titles.get(v.rule, '')}".strip()
        file, line = (v.anchor.file, v.anchor.row) if v.anchor is not None else (v.file, v.row)
        text = f"{where(v, lang)}: {v.message}" + (f" — {approval(v.waiver, lang)}" if v.waiver else "")
        out.write(_command("notice", text, title, file, line))
    out.write(verdict(report) + "\n")
    out.write(t(
        lang, "summary", files=len(report.files) - len(report.failed_files), rows=report.rows, errors=report.count("error"),
        warnings=report.count("warning"), notices=report.count("notice"), exempted=len(report.exempted),
        failed=len(report.failed_files),
    ) + "\n")
    if report.waived:
        out.write(t(lang, "summary-waived", count=len(report.waived), file=report.waivers) + "\n")
