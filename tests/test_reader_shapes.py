"""Slates as township offices make them: headers over two rows, and the township from the slate itself."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from faultkit import run
from rulecheck.rulefile import ruleset as ruleset_module
from rulecheck.table.header import read_file
from rulecheck.rulefile.ruleset import RuleFileError

RULES = ruleset_module.load()
ROOT = Path(__file__).resolve().parent.parent


def book(path: Path, rows: list[list[Any]], merges: tuple[str, ...] = (), title: str = "名单") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


def hits(result) -> list[tuple[str, int, str]]:
    return [(v["rule"], v["row"], v["column"]) for v in result.report["violations"]]


# 序号, 镇(区) and 村(社区) merged down both header rows; 基本情况 and 拟任情况 over their sub-headers.
TWO_ROWS = [
    ["序号", "镇(区)", "村(社区)", "基本情况", None, None, None, "拟任情况", None],
    [None, None, None, "姓名", "性别", "出生年月", "身份证号", "拟任职务", "是否留任"],
    [1, "城南镇", "一村", "张老", "男", "1950.01", None, "书记", "是"],
    [2, None, None, "李青", "女", "1985.03", None, "委员", "否"],
    [3, None, "二村", "王中", "男", "1970.06", None, "书记", "否"],
]
TWO_ROWS_MERGES = ("A1:A2", "B1:B2", "C1:C2", "D1:G1", "H1:I1", "B3:B5")


def test_two_row_header_names_every_column_by_its_sub_header(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", TWO_ROWS, TWO_ROWS_MERGES)
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.headers["name"] == "姓名 (D)" and sheet.headers["village"] == "村(社区) (C)"
    assert sheet.headers["township"] == "镇(区) (B)" and sheet.headers["retained"] == "是否留任 (I)"
    assert sheet.frame["_row"].tolist() == [3, 4, 5]
    assert sheet.frame["township"].tolist() == ["城南镇"] * 3  # filled down under the merge
    assert sheet.frame["village"].tolist() == ["一村", "一村", "二村"]
    assert sheet.skipped == 0 and sheet.header_row == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_row_header_findings_name_the_real_row_and_column(tmp_path: Path, lang: str) -> None:
    path = book(tmp_path / "slate.xlsx", TWO_ROWS, TWO_ROWS_MERGES)
    result = run(path, lang=lang)
    assert result.code == 1, result.stdout
    assert ("retirement-age", 3, "出生年月 (F)") in hits(result)
    assert result.file(path)["rows"] == 3 and result.file(path)["error"] is None
    assert not any("姓名" in n and ("缺少" in n or "lacks" in n) for n in result.file(path)["notes"])


def test_upper_header_row_with_sub_headers_below(tmp_path: Path) -> None:
    """The upper row names most (镇, 村, 姓名 merged down); the lower row holds the rest: read as one header."""
    rows = [
        ["镇(区)", "村(社区)", "姓名", "拟任情况", None],
        [None, None, None, "拟任职务", "是否留任"],
        ["城南镇", "一村", "张老", "书记", "是"],
    ]
    sheet = read_file(book(tmp_path / "slate.xlsx", rows, ("A1:A2", "B1:B2", "C1:C2", "D1:E1")), RULES).sheets[0]
    assert sheet.headers["role"] == "拟任职务 (D)" and sheet.headers["retained"] == "是否留任 (E)"
    assert sheet.frame["_row"].tolist() == [3]


@pytest.mark.parametrize("group", ["出生", "出生年月"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_birth_in_two_columns_under_one_group_header(tmp_path: Path, group: str, lang: str) -> None:
    rows = [
        ["镇(区)", "村(社区)", "姓名", group, None, "拟任职务", "是否留任", "性别"],
        [None, None, None, "年", "月", None, None, None],
        ["城南镇", "一村", "张老", 1950, 1, "书记", "是", "男"],
        ["城南镇", "一村", "李青", "1985", "3", "委员", "否", "女"],
        ["城南镇", "一村", "王中", 1970, None, "副书记", "否", "男"],
    ]
    path = book(tmp_path / "slate.xlsx", rows, ("A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "G1:G2", "H1:H2"))
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.frame["birth"].tolist() == ["1950.1", "1985.3", "1970"]
    assert sheet.headers["birth"] == f"{group}(年、月) (D)"
    result = run(path, lang=lang)
    assert result.code == 1
    assert ("retirement-age", 3, f"{group}(年、月) (D)") in hits(result)


@pytest.mark.parametrize("hint", [["(年.月)", "(18位)"], ["（填写说明）", None]])
def test_a_hint_row_under_the_header_is_not_a_row(tmp_path: Path, hint: list[object]) -> None:
    rows = [
        ["镇(区)", "村(社区)", "姓名", "出生年月", "身份证号", "拟任职务", "是否留任", "性别"],
        [None, None, None, *hint, None, None, None],
        ["城南镇", "一村", "张老", "1950.01", None, "书记", "是", "男"],
        ["城南镇", "一村", "李青", "1985.03", None, "委员", "否", "女"],
    ]
    path = book(tmp_path / "slate.xlsx", rows)
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.frame["_row"].tolist() == [3, 4]
    assert sheet.skipped == 0 and sheet.unnamed == ()
    result = run(path)
    assert result.code == 1 and ("retirement-age", 3, "出生年月 (D)") in hits(result)
    assert not any("第 2 行" in n for n in result.file(path)["notes"])


def test_a_two_row_header_repeated_after_a_page_break_is_passed_over(tmp_path: Path) -> None:
    rows = [*TWO_ROWS[:3], TWO_ROWS[0], TWO_ROWS[1], TWO_ROWS[3]]
    sheet = read_file(book(tmp_path / "slate.xlsx", rows, ("A1:A2", "B1:B2", "C1:C2", "D1:G1")), RULES).sheets[0]
    assert sheet.frame["_row"].tolist() == [3, 6]
    assert sheet.repeated == (4, 5) and sheet.unnamed == ()


def test_a_title_over_a_blank_header_cell_is_not_a_header(tmp_path: Path) -> None:
    rows = [["城南镇村党组织换届拟任人选名单"], [None, "镇(区)", "村(社区)", "姓名", "出生年月", "备注"],
            [1, "城南镇", "社区", "张三", "1968.05", "单位"], [2, "城南镇", "社区", "李四", "1970.01", None]]
    sheet = read_file(book(tmp_path / "slate.xlsx", rows), RULES).sheets[0]
    assert sheet.frame["_row"].tolist() == [3, 4] and sheet.header_row == 2
    assert sheet.headers == {"township": "镇(区) (B)", "village": "村(社区) (C)", "name": "姓名 (D)", "birth": "出生年月 (E)"}


def test_a_first_row_of_header_words_and_names_is_a_candidate(tmp_path: Path) -> None:
    """A row under the header is a sub-header row only if every cell in it is a header."""
    rows = [["镇(区)", "村(社区)", "姓名", "出生年月", None], ["城南镇", "社区", "张三", "1968.05", "村"]]
    sheet = read_file(book(tmp_path / "slate.xlsx", rows), RULES).sheets[0]
    assert sheet.frame["name"].tolist() == ["张三"] and sheet.frame["_row"].tolist() == [2]


# --------------------------------------------------------------------------- the township from the slate itself

NO_TOWNSHIP = [
    ["村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"],
    ["一村", "张老", "男", "1950.01", "书记", "是"],
    ["一村", "李青", "女", "1985.03", "委员", "否"],
]


@pytest.mark.parametrize(("lines", "zh", "en"), [
    ([["丁堰镇村党组织换届拟任人选名单"]], "第 1 行的标题", "the title in row 1"),
    ([["村党组织换届拟任人选名单"], ["填报单位:中共丁堰镇委员会"]], "第 2 行的填报单位", "the 填报单位 line in row 2"),
    ([["拟任人选名单"], ["填报单位：丁堰镇党委", None, None, "填报日期:2007年9月"]], "第 2 行的填报单位",
     "the 填报单位 line in row 2"),
])
def test_township_from_the_title_or_the_unit_line(tmp_path: Path, lines: list[list[object]], zh: str, en: str) -> None:
    path = book(tmp_path / "slate.xlsx", [*lines, *NO_TOWNSHIP])
    sheet = read_file(path, RULES).sheets[0]
    assert sheet.frame["township"].tolist() == ["丁堰镇", "丁堰镇"]
    assert "township" not in sheet.headers
    zh_run, en_run = run(path), run(path, lang="en")
    assert zh_run.code == en_run.code == 1
    assert ("retirement-age", len(lines) + 2, "出生年月 (D)") in hits(zh_run)
    assert f"工作表「名单」没有镇(区)列,镇(区)按{zh}取为「丁堰镇」" in zh_run.file(path)["notes"]
    assert f"sheet '名单' has no township column; the township was taken from {en}: '丁堰镇'" in en_run.file(path)["notes"]


@pytest.mark.parametrize("name", ["丁堰镇.xlsx", "丁堰镇拟任人选.xlsx"])
def test_township_from_the_file_name(tmp_path: Path, name: str) -> None:
    path = book(tmp_path / name, [["村党组织换届拟任人选名单"], *NO_TOWNSHIP])
    assert read_file(path, RULES).sheets[0].frame["township"].tolist() == ["丁堰镇", "丁堰镇"]
    zh_run, en_run = run(path), run(path, lang="en")
    assert zh_run.code == 1
    assert f"工作表「名单」没有镇(区)列,镇(区)按文件名「{name}」取为「丁堰镇」" in zh_run.file(path)["notes"]
    assert (f"sheet '名单' has no township column; the township was taken from the file's name '{name}': '丁堰镇'"
            in en_run.file(path)["notes"])


def test_the_title_comes_before_the_file_name(tmp_path: Path) -> None:
    path = book(tmp_path / "城北镇.xlsx", [["丁堰镇村党组织换届拟任人选名单"], *NO_TOWNSHIP])
    assert read_file(path, RULES).sheets[0].frame["township"].tolist() == ["丁堰镇", "丁堰镇"]


def test_a_township_column_wins_over_the_title(tmp_path: Path) -> None:
    rows = [["丁堰镇村党组织换届拟任人选名单"], ["镇(区)", *NO_TOWNSHIP[0]], ["城南镇", *NO_TOWNSHIP[1]]]
    read = read_file(book(tmp_path / "丁堰镇.xlsx", rows), RULES)
    assert read.sheets[0].frame["township"].tolist() == ["城南镇"]
    assert not any(key == "column-taken" for key, _ in read.notes)


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["工作表「名单」第 2 行的表头没有镇(区)列", "标题、填报单位、文件名中也没有写明镇(区)",
            "请在表头加一列“镇(区)”,或把镇(区)的名称写进标题"]),
    ("en", ["sheet '名单': the header in row 2 has no township column", "and no township is named in the title, the 填报单位 line or the file's name",
            "add a column headed '镇(区)', or put the township's name in the title"]),
])
def test_no_township_anywhere_is_refused_with_the_fix(tmp_path: Path, lang: str, words: list[str]) -> None:
    path = book(tmp_path / "名单.xlsx", [["村党组织换届拟任人选名单"], *NO_TOWNSHIP])
    result = run(path, lang=lang)
    assert result.code == 2
    for word in words:
        assert word in result.error(path)


def test_county_from_the_unit_line_only_where_the_rule_file_says_so(tmp_path: Path) -> None:
    path = book(tmp_path / "slate.xlsx", [["填报单位(盖章):中共如皋市丁堰镇委员会"], *NO_TOWNSHIP])
    # The bundled file does not: one township's files naming the county in some lines only would split it.
    frame = read_file(path, RULES).sheets[0].frame
    assert "county" not in frame and frame["township"].tolist() == ["丁堰镇"] * 2
    declared = variant(tmp_path, "    fill_down: true\n    # Not taken from a title",
                       "    fill_down: true\n    from: [title, unit]\n"
                       "    name_pattern: \"(?:中共)?(?P<name>[^\\\\s:：]{1,6}?(?:县|市))\"\n    # Not taken from a title")
    frame = read_file(path, ruleset_module.load(declared)).sheets[0].frame
    assert frame["county"].tolist() == ["如皋市"] * 2 and frame["township"].tolist() == ["丁堰镇"] * 2


def test_a_title_naming_the_whole_city_names_no_county(tmp_path: Path) -> None:
    path = book(tmp_path / "丁堰镇.xlsx", [["全市村(社区)党组织换届拟任人选名单"], *NO_TOWNSHIP])
    frame = read_file(path, RULES).sheets[0].frame
    assert "county" not in frame and frame["township"].tolist() == ["丁堰镇"] * 2


# --------------------------------------------------------------------------- the rule file's declaration

RULE_FILE = (ROOT / "rules" / "rugao-2007.yaml").read_text(encoding="utf-8")


def variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in RULE_FILE
    path = tmp_path / "rules.yaml"
    path.write_text(RULE_FILE.replace(old, new, 1), encoding="utf-8")
    return path


def test_from_sheet_name_is_still_read_as_from_sheet_name(tmp_path: Path) -> None:
    rules = ruleset_module.load(variant(tmp_path, "    from: [sheet_name]", "    from_sheet_name: true"))
    assert rules.columns["village"].sources == ("sheet_name",)
    path = book(tmp_path / "slate.xlsx", [["镇(区)", "姓名", "出生年月"], ["城南镇", "张三", "1968.05"]], title="东村")
    assert read_file(path, rules).sheets[0].frame["village"].tolist() == ["东村"]


def test_a_place_not_known_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError) as exc:
        ruleset_module.load(variant(tmp_path, "from: [title, unit, file_name]", "from: [title, header]"))
    assert "columns.township.from" in str(exc.value)


def test_a_searched_place_needs_a_name_pattern(tmp_path: Path) -> None:
    path = variant(tmp_path, "    from: [sheet_name]", "    from: [sheet_name, title]")
    with pytest.raises(RuleFileError) as exc:
        ruleset_module.load(path)
    assert "name_pattern" in str(exc.value) and "title" in str(exc.value)


def test_a_bad_name_pattern_is_refused(tmp_path: Path) -> None:
    old = RULES.columns["township"].name_pattern
    path = tmp_path / "rules.yaml"
    text = RULE_FILE.splitlines(keepends=True)
    at = next(i for i, line in enumerate(text) if "name_pattern" in line and "镇|乡" in line)
    text[at] = '    name_pattern: "(?P<name>[镇"\n'
    path.write_text("".join(text), encoding="utf-8")
    assert old
    with pytest.raises(RuleFileError) as exc:
        ruleset_module.load(path)
    assert "not a regular expression" in str(exc.value)


# --------------------------------------------------------------------------- the samples in real-shapes/


def make_samples():
    spec = importlib.util.spec_from_file_location("make_samples_heads", ROOT / "samples" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("name", "row", "column", "note_zh", "note_en"), [
    ("two-row-header.xlsx", 8, "出生年月 (F)", None, None),
    ("birth-year-month.xlsx", 6, "出生(年、月) (E)", None, None),
    ("磨头镇.xlsx", 6, "出生年月 (E)", "工作表「名单」没有镇(区)列,镇(区)按第 1 行的标题取为「磨头镇」",
     "sheet '名单' has no township column; the township was taken from the title in row 1: '磨头镇'"),
])
def test_the_real_shapes_samples(tmp_path: Path, name: str, row: int, column: str, note_zh: str | None,
                                 note_en: str | None) -> None:
    make_samples().write_real_heads(tmp_path)
    path = tmp_path / "real-shapes" / name
    zh_run, en_run = run(path), run(path, lang="en")
    assert zh_run.code == en_run.code == 1, zh_run.stdout
    assert hits(zh_run) == hits(en_run) == [("retirement-age", row, column)]
    entry = zh_run.file(path)
    assert entry["rows"] == 9 and entry["error"] is None
    taken = [n for n in entry["notes"] if "取为" in n]
    assert taken == ([note_zh] if note_zh else [])
    assert [n for n in en_run.file(path)["notes"] if "was taken from" in n] == ([note_en] if note_en else [])
