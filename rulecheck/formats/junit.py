"""JUnit XML for CI test reports (GitLab, Jenkins): one test case per rule per township.

A test case fails when its rule is broken in that township at a severity that ``--fail-on``
counts; the failure lists every row. Violations below that severity, and accepted exemptions,
go to the case's output, so the CI page shows them without failing. Files that could not be
checked are errors in a suite of their own. No timestamps or host names: the same inputs give
the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from rulecheck.formats.inert import inert
from rulecheck.formats.rows import where
from rulecheck.messages import t
from rulecheck.model import FAIL_LEVELS, Report, Violation


def _files_suite(report: Report) -> ET.Element:
    lang = report.lang
    suite = ET.Element("testsuite", name=t(lang, "junit-files"))
    for f in report.files:
        case = ET.SubElement(suite, "testcase", classname=f"{report.ruleset_id}.{t(lang, 'junit-files')}", name=f.path)
        if f.error:
            ET.SubElement(case, "error", message=f.error).text = f.error
        out = [*f.notes] + ([t(lang, "not-checked", rules=", ".join(f.not_checked))] if f.not_checked else [])
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    return suite


def _township_suite(report: Report, name: str, violations: list[Violation], exempted: list[tuple[str, str]]) -> ET.Element:
    lang = report.lang
    failing = FAIL_LEVELS[report.fail_on]
    suite = ET.Element("testsuite", name=name)
    for rule in report.rules:
        case = ET.SubElement(suite, "testcase", classname=f"{report.ruleset_id}.{name}",
                             name=f"{rule.id} {rule.title}")
        lines = [f"{where(v, lang)}: {v.message}" for v in violations if v.rule == rule.id]
        if lines and rule.severity in failing:
            failure = ET.SubElement(case, "failure", type=rule.severity, message=t(lang, "junit-failure", count=len(lines)))
            failure.text = "\n".join(lines)
        spared = [line for rule_id, line in exempted if rule_id == rule.id]
        out = ([] if rule.severity in failing else lines) + spared
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
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
    """Fill in the tests/failures/errors counts of every suite and of the whole run."""
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        counts = {"tests": len(suite.findall("testcase")), "failures": len(suite.findall("testcase/failure")),
                  "errors": len(suite.findall("testcase/error"))}
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))


def write(report: Report, out: TextIO) -> None:
    report = inert(report)  # control characters from cells shown escaped, never sent to the terminal
    lang = report.lang
    root = ET.Element("testsuites", name=f"rulecheck {report.ruleset_id}")
    root.append(_files_suite(report))
    groups: dict[int | None, tuple[list[Violation], list[tuple[str, str]]]] = {}
    for v in report.violations:
        groups.setdefault(report.township_position(v.township), ([], []))[0].append(v)
    for e in report.exempted:
        line = " ".join(x for x in (e.file, t(lang, "location-row", row=e.row) if e.row else None, e.village, e.name) if x)
        groups.setdefault(report.township_position(e.township), ([], []))[1].append(
            (e.rule, f"{line}: {t(lang, 'evidence', evidence=e.evidence)}"))
    for i, row in enumerate(report.townships):
        violations, exempted = groups.get(i, ([], []))
        root.append(_township_suite(report, row.township or t(lang, "blank"), violations, exempted))
    if None in groups or (not report.townships and report.rows):  # a rule file without townships
        violations, exempted = groups.get(None, ([], []))
        root.append(_township_suite(report, report.ruleset_id, violations, exempted))
    _count(root)
    _clean(root)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
