"""Reading slates in the shapes offices send them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from rulecheck.rulefile import ruleset
from rulecheck.read.raw import ReadError
from rulecheck.read.reader import find_files
from rulecheck.table.header import Layout, column_letter, match_header, read_file

RULES = ruleset.load()
HEADER = ["镇(区)", "村(社区)", "姓 名", "性别", "出生年月", "拟任职务"]


def workbook(path: Path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def rows_of(path: Path) -> list[dict[str, object]]:
    read = read_file(path, RULES)
    return [dict(r) for s in read.sheets for r in s.frame.to_dict("records")]


@pytest.mark.parametrize(("text", "key"), [
    ("镇(区)", "township"), ("镇（区）", "township"), ("乡 镇", "township"), ("所属镇", "township"), ("街道", "township"),
    ("村(社区)", "village"), ("社区", "village"), ("村名", "village"),
    ("姓名", "name"), ("姓 名", "name"), ("姓\u3000名", "name"), ("ＸＸ", None),
    ("出生年月", "birth"), ("出生日期", "birth"), ("出生年月(年.月)", "birth"), ("出生年月*", "birth"),
    ("身份证号", "id_number"), ("公民身份号码", "id_number"), ("身份证号码", "id_number"),
    ("拟任职务", "role"), ("职务", "role"), ("是否留任", "retained"), ("留任", "retained"), ("现任", "retained"),
    ("近三年表彰年份", "commendation_years"), ("市委市政府表彰", "commendation_years"),
    ("考核前列年份", "assessment_years"), ("年度考核名列前茅", "assessment_years"),
    ("留任理由", "retention_reason"), ("确因工作需要留任说明", "retention_reason"),
    ("提名方式", "nomination"), ("公开承诺", "commitment"), ("是否公开承诺", "commitment"),
    ("选举日期", "election_date"), ("选举时间", "election_date"), (None, None), (1968, None), ("", None),
])
def test_header_aliases(text: object, key: str | None) -> None:
    assert match_header(text, Layout.of(RULES.columns, "name").aliases) == key


def test_title_rows_merged_cells_and_excel_row_numbers(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", {"名单": [
        ["丁堰镇村党组织换届拟任人选名单"],
        ["填报单位:丁堰镇党委", None, None, "填报日期:2007年8月20日"],
        HEADER,
        ["丁堰镇", "东村", "张三", "男", "1968.05", "书记"],
        [None, None, "李四", "女", 1978.1, "委员"],
        [None, "西村", "王五", "男", dt.datetime(1980, 3, 1), "书记"],
        [],
        ["合计", None, "3人"],
        ["备注:本表由镇党委填报"],
    ]}, {"名单": ["A1:F1", "A4:A6", "B4:B5"]})
    rows = rows_of(path)
    assert [(r["_row"], r["township"], r["village"], r["name"]) for r in rows] == [
        (4, "丁堰镇", "东村", "张三"), (5, "丁堰镇", "东村", "李四"), (6, "丁堰镇", "西村", "王五")]
    assert rows[1]["birth"] == 1978.1  # the numeric cell is kept as a number for the birth parser
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.skipped == 3  # the blank row inside the table, the 合计 row and the note
    assert sheet.headers["name"] == "姓 名 (C)"


def test_one_sheet_per_village_takes_the_village_from_the_sheet_name(tmp_path: Path) -> None:
    header = ["镇", "姓名", "出生日期", "职务"]
    path = workbook(tmp_path / "per-village.xlsx", {
        "东村": [header, ["丁堰镇", "张三", "1968.05", "书记"]],
        "西村": [header, ["丁堰镇", "李四", "1970.05", "书记"], ["丁堰镇", "赵六", "1990.05", "委员"]],
        "说明": [["本表说明"], ["填表要求……"]],
    })
    read = read_file(path, RULES)
    assert [s.name for s in read.sheets] == ["东村", "西村"] and read.headerless == ()  # 说明: instructions
    assert read.notes == (("sheet-instructions", {"sheet": "说明"}),)
    assert [(r["village"], r["name"]) for r in rows_of(path)] == [("东村", "张三"), ("西村", "李四"), ("西村", "赵六")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "slate.csv"
    path.write_text("镇,村,姓名,出生年月,拟任职务\n丁堰镇,东村,张三,1968.05,书记\n,,李四,1978.10,委员\n", encoding=encoding)
    assert [(r["_row"], r["township"], r["name"], r["birth"]) for r in rows_of(path)] == [
        (2, "丁堰镇", "张三", "1968.05"), (3, "丁堰镇", "李四", "1978.10")]


def test_csv_in_another_encoding_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "slate.csv"
    path.write_bytes("Ort,Name\nCafé,Müller\n".encode("cp1252"))  # neither UTF-8 nor GB18030
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "text-encoding"
    assert "UTF-8" in exc.value.message("zh") and "GBK" in exc.value.message("en")


def test_missing_required_column_names_it(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", {"名单": [["村", "姓名", "出生年月"], ["东村", "张三", "1968.05"]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.message("zh") == ("工作表「名单」第 1 行的表头没有镇(区)列,标题、填报单位、文件名中也没有写明镇(区):"
            "请在表头加一列“镇(区)”,或把镇(区)的名称写进标题")


def test_duplicate_header_names_both_columns(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", {"名单": [["镇", "姓名", "出生年月", "出生日期"], ["丁堰镇", "张三", "1968.05", "1968.06"]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.message("en") == (
        "sheet '名单': in the header in row 1, '出生年月' (column C) and '出生日期' (column D) both name the "
        "'birth date' column; delete or rename one of them")


def test_no_header_anywhere(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", {"Sheet1": [["a", "b"], [1, 2]]})
    with pytest.raises(ReadError) as exc:
        read_file(path, RULES)
    assert exc.value.key == "no-header" and "Sheet1" in exc.value.message("zh")


def test_folders_are_searched_and_lock_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ["a/one.xlsx", "a/b/two.CSV", "a/~$one.xlsx", "a/notes.txt", "a/b/three.ods", ".~lock.one.xlsx#"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.relative_to(tmp_path).as_posix() for p in find_files([tmp_path])] == ["a/b/three.ods", "a/b/two.CSV", "a/one.xlsx"]


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (16383, "XFD")])
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters
