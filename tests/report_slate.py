"""A small slate for the report and CI-format tests, written the way an office would fill it in.

Two townships, four villages. It breaks person, village and township rules, claims one exemption
that holds, and carries names and a village that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rulecheck.rulefile import ruleset
from rulecheck.run import check_paths
from rulecheck.formats import is_binary, writer
from rulecheck.table.idnumber import check_character
from rulecheck.render.findings import Shown
from rulecheck.render.findings import render as in_words
from rulecheck.rulefile.ruleset import Ruleset

# Text a spreadsheet would treat as a formula (OWASP's CSV-injection examples).
INJECTIONS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)")
BAD_ID = "320682199002021234"  # a wrong check digit


def id_number(birth: str, sequence: int, area: str = "320682") -> str:
    """A valid 18-character identity number for a birth date YYYYMMDD."""
    first = f"{area}{birth}{sequence:03d}"
    return first + check_character(first)


HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "身份证号", "拟任职务", "是否留任", "近三年表彰年份",
          "留任理由", "提名方式", "公开承诺", "选举日期"]
ROWS = [
    ["城北镇", "东陈村", "张三", "男", "1950.03", id_number("19500301", 11), "书记", "是", "", "", "两推一考", "是", "2007-10-15"],
    [None, None, "李四", "女", "1980.01", id_number("19800115", 22), "委员", "否", "", "", "两推一考", "", ""],
    [None, "西陈村", INJECTIONS[0], "男", "1970.05", id_number("19700501", 31), "书记", "否", "", "", "两推一考", "是", "2007-10-25"],
    [None, None, INJECTIONS[1], "男", "1990.02", BAD_ID, "委员", "否", "", "", "海选", "", ""],
    ["丁堰镇", "南村", "赵六", "男", "1950.06", id_number("19500601", 51), "书记", "是", "2006、2007", "确因工作需要", "两推一考", "是", "2007-10-10"],
    [None, None, INJECTIONS[2], "女", "1985.07", id_number("19850701", 62), "委员", "否", "", "", "两推一考", "", ""],
    [None, None, "孙八", "男", "1981.04", id_number("19810401", 81), "第一书记", "否", "", "", "", "", ""],
    [None, INJECTIONS[3], "钱七", "男", "1979.09", id_number("19790901", 71), "书记", "否", "", "", "两推一考", "", "2007-10-12"],
]


def write_slate(path: Path) -> Path:
    """Write the slate as an xlsx workbook at ``path``: a title row, then the header and the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["2007年村党组织换届拟任人选名单"])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, as Excel keeps a cell entered as '=...
    book.save(path)
    return path


# --------------------------------------------------------------------------- running it, golden files

GOLDEN = Path(__file__).parent / "golden"
# Set RULECHECK_REGENERATE_GOLDEN=1 to rewrite the golden files from the current output, then
# read the diff (git diff tests/golden) before committing it.
REGENERATE = os.environ.get("RULECHECK_REGENERATE_GOLDEN") == "1"


def checked(paths: list[Path], rules: Ruleset, lang: str = "zh", show_id: bool = False, **options: Any) -> Shown:
    """check_paths, its Report put into words in ``lang`` as the command line does (identity numbers masked
    unless ``show_id``)."""
    return in_words(check_paths(paths, rules, **options), rules, lang, show_id)


def slate_report(folder: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "zh", **options: Any) -> Shown:
    """Write the slate into ``folder``, make it the working folder, and check it by its relative name."""
    monkeypatch.chdir(folder)
    write_slate(Path("slate.xlsx"))
    return checked([Path("slate.xlsx")], ruleset.load(), lang, **options)


def render(report: Shown, name: str) -> bytes:
    """A format's output, as the bytes the CLI writes to a file."""
    if is_binary(name):
        stream = io.BytesIO()
        writer(name)(report, stream)
        return stream.getvalue()
    text = io.StringIO(newline="")
    writer(name)(report, text)
    return text.getvalue().encode("utf-8")


def assert_golden(name: str, actual: bytes) -> None:
    """``actual`` must equal tests/golden/NAME byte for byte (rewritten when REGENERATE is set)."""
    path = GOLDEN / name
    if REGENERATE:
        path.write_bytes(actual)
    assert path.exists(), f"no golden file {path}; run with RULECHECK_REGENERATE_GOLDEN=1 to create it"
    expected = path.read_bytes()
    assert actual.decode("utf-8") == expected.decode("utf-8")  # a readable diff on failure
    assert actual == expected
