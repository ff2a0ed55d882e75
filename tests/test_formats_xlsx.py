"""The violations workbook: its content against a golden dump, text never turned into formulas,
the summary's colours, the chart's reference lines from the rule file, and LibreOffice opening it.

The golden file (tests/golden/report.xlsx.json) is a dump of what a person sees: every cell's
value and type, fills, number formats, tables, frozen panes and the charts' series. Regenerate
it with RULECHECK_REGENERATE_GOLDEN=1 (see report_slate.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from report_slate import BAD_ID, INJECTIONS, assert_golden, render, slate_report
from rulecheck.config import TownshipSettings
from rulecheck.formats.xlsx import excel_number_format


def _book(report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


def dump(book: openpyxl.Workbook) -> dict[str, Any]:
    """What a person sees in the workbook, as plain data."""
    out: dict[str, Any] = {}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                entry: dict[str, Any] = {"v": cell.value, "t": cell.data_type}
                if cell.fill.fill_type:
                    entry["fill"] = cell.fill.fgColor.rgb
                if cell.number_format != "General":
                    entry["format"] = cell.number_format
                cells[cell.coordinate] = entry
        charts = []
        for chart in sheet._charts:
            charts.append({
                "type": type(chart).__name__,
                "series": [s.val.numRef.f for s in chart.series],
                "combined": [[s.val.numRef.f for s in sub.series] for sub in chart._charts[1:]],
                "categories": [s.cat.numRef.f if s.cat.numRef else s.cat.strRef.f for s in chart.series],
            })
        out[sheet.title] = {
            "cells": cells, "freeze": sheet.freeze_panes,
            "tables": {name: sheet.tables[name].ref for name in sheet.tables}, "charts": charts,
        }
    return out


def test_workbook_matches_golden(tmp_path, monkeypatch) -> None:
    data = dump(_book(slate_report(tmp_path, monkeypatch)))
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"
    assert_golden("report.xlsx.json", text.encode())


def test_sheets_in_order(tmp_path, monkeypatch) -> None:
    assert _book(slate_report(tmp_path, monkeypatch)).sheetnames == ["汇总", "问题清单", "豁免", "文件", "图表"]
    english = _book(slate_report(tmp_path, monkeypatch, lang="en"))
    assert english.sheetnames == ["Summary", "Violations", "Exemptions", "Files", "Chart"]


def test_text_from_the_slate_is_stored_as_text_never_as_a_formula(tmp_path, monkeypatch) -> None:
    book = _book(slate_report(tmp_path, monkeypatch))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if cell.value in INJECTIONS:
                    found[cell.value] = cell
    assert set(found) == {INJECTIONS[1], INJECTIONS[3]}  # the names and villages that have violations
    for cell in found.values():
        assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(render(slate_report(tmp_path, monkeypatch), "xlsx"))) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml


def test_violations_sheet_is_a_sorted_filterable_table(tmp_path, monkeypatch) -> None:
    sheet = _book(slate_report(tmp_path, monkeypatch))["问题清单"]
    assert sheet.freeze_panes == "A2"
    assert list(sheet.tables) == ["Violations"] and sheet.tables["Violations"].autoFilter is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    places = [(r[3], r[4] is None, r[4] or "", r[8] is None, r[8] or 0) for r in rows]  # blank village/row last
    assert places == sorted(places)
    assert [r[0] for r in rows].count("错误") == 7
    assert sheet["A2"].fill.fgColor.rgb.endswith("FFC7CE")


def test_summary_colours_the_cells_whose_rule_is_broken(tmp_path, monkeypatch) -> None:
    sheet = _book(slate_report(tmp_path, monkeypatch))["汇总"]
    header = [c.value for c in sheet[6]]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=7, max_row=8)}
    age = header.index("村书记平均年龄")
    share = header.index("35周岁以下村书记占比")
    women = header.index("女委员人数")
    assert rows["城北镇"][age].value == 47.0 and rows["城北镇"][age].fill.fgColor.rgb.endswith("FFC7CE")
    assert rows["城北镇"][share].number_format == "0.0%"
    assert rows["丁堰镇"][age].fill.fill_type is None
    assert rows["丁堰镇"][women].fill.fgColor.rgb.endswith("FFEB9C")


def test_chart_reference_lines_come_from_the_rule_file(tmp_path, monkeypatch) -> None:
    overrides = {"丁堰镇": TownshipSettings(dt.date(2007, 10, 20), {"max_average_age": 40})}
    book = _book(slate_report(tmp_path, monkeypatch, townships=overrides))
    sheet = book["图表"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["城北镇"][1:] == (47.0, 45.0, 0.0, 0.15)
    assert rows["丁堰镇"][2] == 40.0  # the township's own parameter
    assert len(sheet._charts) == 2
    assert [type(c).__name__ for c in sheet._charts[0]._charts] == ["BarChart", "LineChart"]


def test_identity_numbers_are_masked_in_the_workbook(tmp_path, monkeypatch) -> None:
    book = _book(slate_report(tmp_path, monkeypatch))
    values = [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
    assert not any(BAD_ID in v for v in values)
    assert any("320682********1234" in v for v in values)


@pytest.mark.parametrize(("spec", "excel"), [(None, "General"), (".0f", "0"), (".1f", "0.0"), (".2%", "0.00%")])
def test_number_formats(spec, excel) -> None:
    assert excel_number_format(spec) == excel


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it where apt-get works")
def test_libreoffice_opens_the_report(tmp_path, monkeypatch) -> None:
    report = slate_report(tmp_path, monkeypatch)
    path = tmp_path / "report.xlsx"
    path.write_bytes(render(report, "xlsx"))
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # -1: every sheet
    for target in ("pdf", csv_filter, "ods"):
        subprocess.run(["soffice", profile, "--headless", "--convert-to", target, "--outdir", str(tmp_path / "out"),
                        str(path)], check=True, capture_output=True, timeout=240)
    out = tmp_path / "out"
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")

    def sheet(name: str) -> list[list[str]]:
        return list(csv.reader((out / f"report-{name}.csv").read_text(encoding="utf-8").splitlines()))

    summary = sheet("汇总")
    assert summary[0][0].startswith("2007年村党组织换届拟任人选要求")
    township = {row[0]: row for row in summary if row and row[0] in ("城北镇", "丁堰镇")}
    assert township["城北镇"][1:4] == ["2", "4", "2"]
    assert township["城北镇"][4].startswith("47")
    violations = sheet("问题清单")
    assert violations[0][:3] == ["级别", "规则", "规则名称"]
    assert len(violations) == 1 + len(report.violations)
    cells = {cell for row in violations for cell in row}
    assert {INJECTIONS[1], INJECTIONS[3]} <= cells  # shown as typed: LibreOffice ran nothing
    assert any(row[0] == "赵六" or "赵六" in row for row in sheet("豁免"))
    with zipfile.ZipFile(out / "report.ods") as ods:  # LibreOffice read the charts as charts
        charts = [n for n in ods.namelist() if n.startswith("Object") and n.endswith("content.xml")]
        assert len(charts) == 2
        assert all("chart:series" in ods.read(n).decode() for n in charts)
