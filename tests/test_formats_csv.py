"""The CSV format: golden file, and text a spreadsheet would run as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from report_slate import INJECTIONS, assert_golden, render, slate_report
from rulecheck.formats.csv import defuse


def test_csv_matches_golden(tmp_path, monkeypatch) -> None:
    assert_golden("report.csv", render(slate_report(tmp_path, monkeypatch), "csv"))


@pytest.mark.parametrize("text", [*INJECTIONS, "\tx", "\rx"])
def test_formula_like_text_gets_a_quote(text: str) -> None:
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["张三", "2007-10-25", "a=b", " =x", ""])
def test_other_text_is_left_alone(text: str) -> None:
    assert defuse(text) == text


def test_no_cell_of_the_report_starts_a_formula(tmp_path, monkeypatch) -> None:
    data = render(slate_report(tmp_path, monkeypatch), "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    cells = [cell for row in rows for cell in row.values() if cell]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    names = {row["name"] for row in rows} | {row["village"] for row in rows}
    assert {"'" + INJECTIONS[1], "'" + INJECTIONS[3]} <= names
    assert [row["row"] for row in rows][:2] == ["10", "10"]  # numbers stay bare


def test_csv_opens_in_excel_as_utf8_with_crlf(tmp_path, monkeypatch) -> None:
    data = render(slate_report(tmp_path, monkeypatch), "csv")
    assert data.startswith("\ufeff".encode())
    assert data.count(b"\r\n") == len(data.decode("utf-8-sig").splitlines())


def test_numbers_are_not_quoted(tmp_path, monkeypatch) -> None:
    from dataclasses import replace

    report = slate_report(tmp_path, monkeypatch)
    report = replace(report, violations=(replace(report.violations[0], observed=-2.0),))
    row = list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))[0]
    assert row["observed"] == "-2"
