"""JUnit XML: one test case per rule per township; failures follow --fail-on."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from report_slate import assert_golden, render, slate_report, checked
from rulecheck.rulefile import ruleset
from rulecheck.run import check_paths


def test_junit_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.junit.xml", render(slate_report(tmp_path, monkeypatch), "junit"))


def _cases(xml: bytes) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(xml)
    return {(suite.get("name"), case.get("name").split()[0]): case for suite in root for case in suite}


def test_one_case_per_rule_per_township(tmp_path, monkeypatch) -> None:
    report = slate_report(tmp_path, monkeypatch)
    root = ET.fromstring(render(report, "junit"))
    townships = [s for s in root if s.get("name") in ("城北镇", "丁堰镇")]
    assert [len(s.findall("testcase")) for s in townships] == [len(report.rules)] * 2
    assert root.get("tests") == str(1 + 2 * len(report.rules))
    case = _cases(render(report, "junit"))[("城北镇", "secretary-average-age")]
    assert case.find("failure").get("type") == "error"
    assert "47.0" in case.find("failure").text


def test_warnings_fail_only_with_fail_on_warning(tmp_path, monkeypatch) -> None:
    by_default = _cases(render(slate_report(tmp_path, monkeypatch), "junit"))
    assert by_default[("城北镇", "woman-on-committee")].find("failure") is None
    assert "没有女同志" in by_default[("城北镇", "woman-on-committee")].find("system-out").text
    strict = _cases(render(slate_report(tmp_path, monkeypatch, fail_on="warning"), "junit"))
    assert strict[("城北镇", "woman-on-committee")].find("failure").get("type") == "warning"
    lenient = ET.fromstring(render(slate_report(tmp_path, monkeypatch, fail_on="never"), "junit"))
    assert lenient.get("failures") == "0"


def test_a_file_that_cannot_be_checked_is_an_error(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.xlsx").write_bytes(b"not a workbook")
    root = ET.fromstring(render(checked([Path("broken.xlsx")], ruleset.load()), "junit"))
    assert root.get("errors") == "1"
    assert root.find("testsuite/testcase/error") is not None


def test_control_characters_from_cells_do_not_break_the_xml(tmp_path, monkeypatch) -> None:
    from dataclasses import replace

    report = slate_report(tmp_path, monkeypatch)
    report = replace(report, violations=tuple(replace(v, message=v.message + "\x0b\x01") for v in report.violations))
    ET.fromstring(render(report, "junit"))  # parses
