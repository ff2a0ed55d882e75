"""--annotate: copies of the xlsx inputs with offending cells filled and commented; inputs untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from report_slate import INJECTIONS, write_slate
from rulecheck.cli import app


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for folder, renamed in (("城北", {}), ("丁堰", {"城北镇": "白蒲镇", "丁堰镇": "林梓镇"})):
        (tmp_path / "data" / folder).mkdir(parents=True)
        path = write_slate(tmp_path / "data" / folder / "slate.xlsx")
        book = openpyxl.load_workbook(path)  # other townships, so no village spans both files
        for cell in book["名单"]["A"]:
            cell.value = renamed.get(cell.value, cell.value)
        book.save(path)
    return tmp_path / "data"


def test_copy_has_filled_cells_and_comments_naming_the_rule(data: Path) -> None:
    source = data / "城北" / "slate.xlsx"
    before = digest(source)
    result = invoke(str(data), "--annotate", "annotated")
    assert result.exit_code == 1
    assert digest(source) == before  # the input is untouched
    # the same name and sub-folder (below the inputs' common folder) as each input
    assert sorted(str(p) for p in Path("annotated").rglob("*.xlsx")) == ["annotated/丁堰/slate.xlsx", "annotated/城北/slate.xlsx"]
    copy = Path("annotated") / "城北" / "slate.xlsx"
    assert "已写入标注副本" in result.stderr
    sheet = openpyxl.load_workbook(copy)["名单"]
    assert sheet["E3"].fill.fgColor.rgb.endswith("FFC7CE")  # birth date of a retained 57-year-old
    assert "retirement-age" in sheet["E3"].comment.text and "55周岁以上原则上不再留任" in sheet["E3"].comment.text
    assert sheet["E3"].comment.author == "rulecheck"
    assert "320682********1234" in sheet["F6"].comment.text  # the comment is masked like the report
    assert sheet["G9"].comment is not None and sheet["G9"].fill.fill_type is None  # a notice: comment only
    # a village finding marks the village cell of the village's first row, not the whole row (the person
    # on that row is not accused); the error wins over the warning
    assert sheet["B5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert all(sheet.cell(5, c).comment is not None for c in range(1, 14) if sheet.cell(5, c).fill.fill_type)
    assert sheet["A5"].fill.fill_type is None and sheet["C5"].fill.fill_type is None
    assert "election-deadline" in sheet["B5"].comment.text and "woman-on-committee" in sheet["B5"].comment.text
    assert sheet["A5"].comment is None and sheet["C5"].comment is None
    # a township finding marks the township cell of the township's first row
    assert "secretary-average-age" in sheet["A3"].comment.text and "secretary-under-35-share" in sheet["A3"].comment.text
    assert sheet["A3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["C5"].value == INJECTIONS[0] and sheet["C5"].data_type == "s"  # the copy keeps text as text
    untouched = openpyxl.load_workbook(source)["名单"]
    assert untouched["E3"].comment is None


def test_a_copy_is_never_written_over_an_input(data: Path) -> None:
    source = data / "城北" / "slate.xlsx"
    before = digest(source)
    result = invoke(str(source), "--annotate", str(data / "城北"))
    assert result.exit_code == 2 and "不会覆盖" in result.stderr
    assert digest(source) == before


def test_other_formats_are_named_and_passed_over(data: Path, tmp_path: Path) -> None:
    csv_slate = tmp_path / "slate.csv"
    rows = openpyxl.load_workbook(data / "城北" / "slate.xlsx")["名单"].iter_rows(min_row=2, values_only=True)
    csv_slate.write_text("\n".join(",".join(str(c or "").replace(",", " ") for c in r) for r in rows), encoding="utf-8")
    result = invoke(str(csv_slate), "--annotate", "annotated", "--lang", "en")
    assert "needs an xlsx or xlsm file; skipped" in result.stderr
    assert not Path("annotated").exists()


def test_merged_cells_are_annotated_through_their_top_left_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任", "公开承诺", "选举日期"])
    sheet.append(["丁堰镇", "南村", "甲", "男", "1975.01", "书记", "否", "是", "2007-10-30"])
    sheet.append(["丁堰镇", "南村", "乙", "女", "1980.01", "委员", "否", "", None])
    sheet.merge_cells("I2:I3")
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")  # the village cell, merged over the village's rows
    book.save("merged.xlsx")
    assert invoke("merged.xlsx", "--annotate", "out").exit_code == 1
    copy = openpyxl.load_workbook("out/merged.xlsx").active
    assert "election-deadline" in copy["B2"].comment.text
    assert copy.merged_cells.ranges  # merges survive


def test_xlsm_keeps_being_an_xlsm(data: Path) -> None:
    shutil.copy(data / "城北" / "slate.xlsx", data / "城北" / "macro.xlsm")
    result = invoke(str(data / "城北" / "macro.xlsm"), "--annotate", "out")  # a single input: no sub-folder
    assert result.exit_code == 1
    assert openpyxl.load_workbook("out/macro.xlsm")["名单"]["E3"].comment is not None
