"""Finding the header and mapping columns (rulecheck.table.header), apart from reading (rulecheck.read).

Reading yields raw sheets and knows no rule file; a Layout (columns, aliases, the row label) is all
header mapping needs, so a template writer or a web page can map any rule file's columns.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rulecheck.read import inputs, reader
from rulecheck.read.inputs import InputFormat
from rulecheck.read.raw import RawSheet, ReadError
from rulecheck.rulefile import ruleset
from rulecheck.rulefile.ruleset import ColumnSpec
from rulecheck.table import header
from rulecheck.table.header import Layout, layout_of, tables_of

RULES = ruleset.load()
ROWS = [
    ["丁堰镇村党组织换届拟任人选名单"],
    ["填报单位:中共丁堰镇委员会"],
    ["镇(区)", "村(社区)", "姓 名", "性别", "出生年月(年.月)", "拟任职务", "是否留任"],
    ["丁堰镇", "一村", "张老", "男", "1950.01", "书记", "是"],
    [None, None, "李青", "女", "1985.03", "委员", "否"],
    ["合计", None, None, None, None, None, None],
]


def test_raw_sheets_are_mapped_to_the_rule_files_columns() -> None:
    read = tables_of("丁堰镇.xlsx", [RawSheet("名单", ROWS)], layout_of(RULES))
    sheet = read.sheets[0]
    assert sheet.header_row == 3 and sheet.skipped == 1
    assert sheet.headers["name"] == "姓 名 (C)" and sheet.headers["birth"] == "出生年月(年.月) (E)"
    assert sheet.frame["_row"].tolist() == [4, 5]
    assert sheet.frame["township"].tolist() == ["丁堰镇", "丁堰镇"]  # filled down: the rule file says fill_down
    assert sheet.frame["name"].tolist() == ["张老", "李青"]


def test_a_layout_needs_columns_and_a_row_label_not_a_rule_set() -> None:
    columns = {
        "person": ColumnSpec.model_validate({"title": {"zh": "人员", "en": "person"}, "aliases": ["人员", "姓名"], "required": True}),
        "post": ColumnSpec.model_validate({"title": {"zh": "岗位", "en": "post"}, "aliases": ["岗位"]}),
    }
    layout = Layout.of(columns, "person", extra={"post": ["职位"]})
    raws = [RawSheet("表一", [["职位", "姓名"], ["会计", "赵一"], ["出纳", None], ["主任", "钱二"]])]
    read = tables_of("given.csv", raws, layout)
    sheet = read.sheets[0]
    assert sheet.headers == {"post": "职位 (A)", "person": "姓名 (B)"}
    assert sheet.frame["person"].tolist() == ["赵一", "钱二"] and sheet.unnamed == (3,)
    assert ("rows-unnamed", {"sheet": "表一", "rows": "3", "label": "人员"}) in read.notes


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["名单", "第 1 行", "姓名"]),
    ("en", ["名单", "row 1", "姓名"]),
])
def test_a_header_without_a_required_column_names_sheet_row_and_column(lang: str, words: list[str]) -> None:
    raws = [RawSheet("名单", [["镇(区)", "村(社区)", "性别", "出生年月"], ["丁堰镇", "一村", "男", "1950.01"]])]
    with pytest.raises(ReadError) as caught:
        tables_of("x.xlsx", raws, layout_of(RULES))
    assert caught.value.key == "missing-columns"
    message = caught.value.message(lang)
    assert all(word in message for word in words), message


def test_extra_aliases_make_another_layout_of_the_same_rule_set() -> None:
    plain, extra = layout_of(RULES), layout_of(RULES, {"name": ["候选人"]})
    assert header.match_header("候选人", extra.aliases) == "name" and header.match_header("候选人", plain.aliases) is None
    assert layout_of(RULES) is layout_of(RULES)  # made once per rule set


def test_read_file_is_reading_then_mapping(tmp_path: Path) -> None:
    slate = tmp_path / "slate.csv"
    slate.write_text("\n".join(",".join("" if c is None else c for c in row) for row in ROWS) + "\n", encoding="utf-8")
    raws = reader.read_rows(slate)
    assert [r.name for r in raws] == ["slate"] and raws[0].rows[2][2] == "姓 名"
    composed = header.read_file(slate, RULES)
    mapped = tables_of(str(slate), raws, layout_of(RULES))
    assert composed.sheets[0].frame.equals(mapped.sheets[0].frame) and composed.notes == mapped.notes


def test_reading_imports_no_rule_file() -> None:
    code = ("import sys, rulecheck.read.reader, rulecheck.read.inputs, rulecheck.read.guard, rulecheck.read.textsheets;"
            "print(sorted(m for m in sys.modules if m.startswith(('rulecheck.rulefile', 'rulecheck.table'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- the input-format registry


def test_a_registered_input_format_is_told_by_its_bytes_and_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def read_pipes(name: str, data: bytes) -> list[RawSheet]:
        lines = data.decode("utf-8").splitlines()[1:]
        return [RawSheet(name, [line.split("|") for line in lines])]

    pipes = InputFormat("pipes", (".pipes",), lambda data, sniffed: data.startswith(b"PIPES\n"), read_pipes)
    monkeypatch.setattr(inputs, "FORMATS", (pipes, *inputs.FORMATS))
    given = tmp_path / "given.xls"  # named as something else: the bytes decide
    given.write_bytes("PIPES\n姓名|性别\n张三|男\n".encode())
    assert reader.read_rows(given) == [RawSheet("given", [["姓名", "性别"], ["张三", "男"]])]


@pytest.mark.parametrize(("data", "format_name"), [
    (b"PK\x03\x04rest", "xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "xls"),
    (b"<html><table><tr><td>1</td></tr></table></html>", "html"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "spreadsheetml"),
    ("姓名,性别\n".encode(), "text"),
])
def test_each_bundled_format_takes_its_bytes(data: bytes, format_name: str) -> None:
    sniffed = inputs.guard.identify(data)
    assert next(f.name for f in inputs.FORMATS if f.identify(data, sniffed)) == format_name


@pytest.mark.parametrize(("data", "key", "zh", "en"), [
    (b"", "empty-file", "0 字节", "0 bytes"),
    (b"%PDF-1.4", "not-a-spreadsheet", "PDF", "PDF"),
])
def test_bytes_no_format_takes_are_named_for_what_they_are(data: bytes, key: str, zh: str, en: str) -> None:
    with pytest.raises(ReadError) as caught:
        inputs.read("x", data)
    assert caught.value.key == key
    assert zh in caught.value.message("zh") and en in caught.value.message("en")


def test_the_folder_search_takes_every_registered_suffix() -> None:
    assert set(inputs.SUFFIXES) == {".xlsx", ".xlsm", ".ods", ".xls", ".et", ".ett", ".csv"}
    assert set(inputs.SUFFIXES) == {s for f in inputs.FORMATS for s in f.suffixes}
