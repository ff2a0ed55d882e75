"""JUnit XML for CI test reports (GitLab, Jenkins): one test case per rule per township.

A test case fails when its rule is broken in that township at a severity that ``--fail-on``
counts; the failure lists every row. Violations below that severity, and accepted exemptions,
go to the case's output, so the CI page shows them without failing. A rule that could not be
checked on one of the township's files (its columns are missing) is never a passed case: an
``<error>`` when the rule is essential, ``<skipped>`` when it is optional. The files suite has
a case per file (an error when it could not be checked, skipped when rulecheck wrote it itself)
and a case per rule a file could not be checked against. No timestamps or host names: the same
inputs give the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from rulecheck.formats.inert import inert
from rulecheck.formats.rows import approval, missing_text, names, unchecked_lines, where
from rulecheck.render.messages import t
from rulecheck.findings import FAIL_LEVELS, Unchecked
from rulecheck.render.findings import Shown, ShownViolation

# rule id → (file, why) for every file the rule could not be checked on
Gaps = dict[str, list[tuple[str, Unchecked]]]


def _gaps(files: list[tuple[str, tuple[Unchecked, ...]]]) -> Gaps:
    gaps: Gaps = {}
    for path, unchecked in files:
        for u in unchecked:
            gaps.setdefault(u.rule, []).append((path, u))
    return gaps


def _gap_message(report: Shown, gap: list[tuple[str, Unchecked]]) -> tuple[bool, str, list[str]]:
    """Whether the rule is essential on any of these files, a one-line message, and a line per file."""
    lang = report.lang
    essential = any(u.essential for _, u in gap)
    lines = [t(lang, "junit-file-where", path=path, missing=missing_text(u.missing, lang)) for path, u in gap]
    key = "junit-unchecked-essential" if essential else "junit-unchecked-optional"
    return essential, t(lang, key, where=names(lines, lang)), lines


def _not_checked(case: ET.Element, report: Shown, gap: list[tuple[str, Unchecked]]) -> None:
    """Mark a case as not checked: an error when the rule is essential on any of these files, else skipped."""
    essential, message, lines = _gap_message(report, gap)
    if essential:
        ET.SubElement(case, "error", type="not-checked", message=message).text = "\n".join(lines)
    else:
        ET.SubElement(case, "skipped", message=message)


def _files_suite(report: Shown) -> ET.Element:
    lang = report.lang
    suite = ET.Element("testsuite", name=t(lang, "junit-files"))
    classname = f"{report.ruleset_id}.{t(lang, 'junit-files')}"
    titles = report.rule_titles
    for f in report.files:
        case = ET.SubElement(suite, "testcase", classname=classname, name=f.path)
        if f.error:
            ET.SubElement(case, "error", message=f.error).text = f.error
        elif f.passed_over is not None:
            ET.SubElement(case, "skipped", message=f.passed_over)
        out = [*f.notes] + [line for _, line in unchecked_lines(f, report)]
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
        for u in f.unchecked:
            rule_case = ET.SubElement(suite, "testcase", classname=classname,
                                      name=f"{f.path} {u.rule} {titles.get(u.rule, '')}".rstrip())
            _not_checked(rule_case, report, [(f.path, u)])
    return suite


def _township_suite(report: Shown, name: str, violations: list[ShownViolation], exempted: list[tuple[str, str]],
                    gaps: Gaps) -> ET.Element:
    """One case per rule; ``gaps`` holds only the township's own files.

    One verdict per case: an essential rule not checked on some file outweighs a failure (the rows
    found on the other files go to the output), and a failure outweighs an optional rule skipped on
    some file (the skip goes to the output).
    """
    lang = report.lang
    failing = FAIL_LEVELS[report.fail_on]
    suite = ET.Element("testsuite", name=name)
    for rule in report.rules:
        case = ET.SubElement(suite, "testcase", classname=f"{report.ruleset_id}.{name}",
                             name=f"{rule.id} {rule.title}")
        lines = [f"{where(v, lang)}: {v.message}" for v in violations if v.rule == rule.id]
        gap = gaps.get(rule.id, [])
        out: list[str] = []
        if gap and (any(u.essential for _, u in gap) or not (lines and rule.severity in failing)):
            _not_checked(case, report, gap)
            out += lines
        elif lines and rule.severity in failing:
            failure = ET.SubElement(case, "failure", type=rule.severity, message=t(lang, "junit-failure", count=len(lines)))
            failure.text = "\n".join(lines)
            if gap:
                out.append(_gap_message(report, gap)[1])
        else:
            out += lines
        out += [line for rule_id, line in exempted if rule_id == rule.id]
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    return suite


def _waivers_suite(report: Shown) -> ET.Element:
    """The waiver file: a case per waiver that matched nothing or has expired (a warning: failing under --fail-on warning)."""
    lang = report.lang
    suite = ET.Element("testsuite", name=t(lang, "heading-waivers", file=report.waivers))
    failing = FAIL_LEVELS[report.fail_on]
    for v in report.violations:
        if v.scope != "waiver" or v.waiver is None:
            continue
        case = ET.SubElement(suite, "testcase", classname=f"{report.ruleset_id}.waivers",
                             name=f"{v.waiver.where} {v.rule} {report.rule_titles.get(v.rule, '')}".rstrip())
        if v.severity in failing:
            ET.SubElement(case, "failure", type=v.severity, message=v.message).text = v.message
        else:
            ET.SubElement(case, "system-out").text = v.message
    return suite


# Characters XML 1.0 cannot carry at all; a cell can hold them (pasted from other software).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(root: ET.Element) -> None:
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
        for key, value in element.attrib.items():
            element.set(key, _NOT_XML.sub("\ufffd", value))


def _count(root: ET.Element) -> None:
    """Fill in the tests/failures/errors/skipped counts of every suite and of the whole run."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        counts = {"tests": len(suite.findall("testcase")), "failures": len(suite.findall("testcase/failure")),
                  "errors": len(suite.findall("testcase/error")), "skipped": len(suite.findall("testcase/skipped"))}
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))


def write(report: Shown, out: TextIO) -> None:
    report = inert(report)  # control characters from cells shown escaped, never sent to the terminal
    lang = report.lang
    root = ET.Element("testsuites", name=f"rulecheck {report.ruleset_id}")
    root.append(_files_suite(report))
    groups: dict[int | None, tuple[list[ShownViolation], list[tuple[str, str]]]] = {}
    for v in report.violations:
        if v.scope == "waiver":  # a waiver's own warning: in the waiver file's suite
            continue
        groups.setdefault(report.township_position(v.township, v.county), ([], []))[0].append(v)
    for v in report.waived:  # shown in its rule's case, never failing it
        groups.setdefault(report.township_position(v.township, v.county), ([], []))[1].append(
            (v.rule, f"{t(lang, 'severity-waived')} {where(v, lang)}: {v.message}"
             + (f" — {approval(v.waiver, lang)}" if v.waiver else "")))
    for e in report.exempted:
        line = " ".join(x for x in (e.file, t(lang, "location-row", row=e.row) if e.row else None, e.village, e.name) if x)
        groups.setdefault(report.township_position(e.township, e.county), ([], []))[1].append(
            (e.rule, f"{line}: {t(lang, 'evidence', evidence=e.evidence)}"))
    unchecked = {f.path: f.unchecked for f in report.files if f.unchecked}
    for i, row in enumerate(report.townships):
        violations, exempted = groups.get(i, ([], []))
        name = " ".join(x for x in (row.county, row.township or t(lang, "blank")) if x)
        own = _gaps([(path, unchecked[path]) for path in row.files if path in unchecked])
        root.append(_township_suite(report, name, violations, exempted, own))
    if None in groups or (not report.townships and report.rows):  # a rule file without townships
        violations, exempted = groups.get(None, ([], []))
        root.append(_township_suite(report, report.ruleset_id, violations, exempted,
                                    {} if report.townships else _gaps(list(unchecked.items()))))
    if report.waivers is not None:
        root.append(_waivers_suite(report))
    _count(root)
    _clean(root)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
