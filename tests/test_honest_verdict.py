"""Never a silent pass: each way a slate used to pass unchecked, built on the fly and run end to end.

A clean verdict means every essential rule was checked on every candidate, once. These tests
cover the engine's side of it: rules not checked and the columns they lacked, cells that cannot
be read, counties, people listed twice, and workbooks rulecheck wrote itself.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from faultkit import run, workbook
from openpyxl.packaging.custom import StringProperty

from report_slate import checked
from rulecheck.rulefile import ruleset

from rulecheck.table import idnumber
from rulecheck.run import check_paths

RULES = ruleset.load()
AGE_RULES = {"secretary-average-age", "secretary-under-35-share", "retirement-age", "new-nominee-over-55",
             "young-cadre-per-village", "age-unknown"}


def make_id(born: str, seq: str = "002") -> str:
    first = "320682" + born + seq
    return first + idnumber.check_character(first)


def committee(township: str = "城南镇", village: str = "一村", county: str | None = None) -> list[list[object]]:
    """Three people who pass every rule: a secretary of 32, a woman of 37, a young member of 27."""
    lead = [county] if county is not None else []
    return [
        [*lead, township, village, f"{village}书记", "男", "1975.03", "书记", "是"],
        [*lead, township, village, f"{village}委员", "女", "1970.06", "委员", "否"],
        [*lead, township, village, f"{village}青年", "男", "1980.01", "委员", "否"],
    ]


HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"]


def report(*paths: Path, lang: str = "zh"):
    return checked(list(paths), RULES, lang=lang)


# --------------------------------------------------------------------------- coverage


@pytest.mark.parametrize(("lang", "titles"), [("zh", (("年龄",), ("出生年月",), ("身份证号",))),
                                               ("en", (("age",), ("birth date",), ("identity number",)))])
def test_no_birth_or_id_column_is_an_incomplete_check(tmp_path: Path, lang: str, titles) -> None:
    rows = [[r[0], r[1], r[2], r[3], r[5], r[6]] for r in committee()]
    path = workbook(tmp_path / "无出生年月.xlsx", [["镇(区)", "村(社区)", "姓名", "性别", "拟任职务", "是否留任"], *rows])
    result = report(path, lang=lang)
    [f] = result.files
    unchecked = {u.rule: u for u in f.unchecked}
    assert AGE_RULES <= set(unchecked)
    assert all(unchecked[r].essential and unchecked[r].missing == titles for r in AGE_RULES)
    assert f.incomplete and not result.complete
    for fail_on in ("error", "warning", "never"):
        assert result.exit_code(fail_on) == 2
    assert not result.violations  # nothing found, and yet not clean


def test_no_birth_column_exits_2_on_the_command_line(tmp_path: Path) -> None:
    rows = [[r[0], r[1], r[2], r[3], r[5], r[6]] for r in committee()]
    path = workbook(tmp_path / "slate.xlsx", [["镇(区)", "村(社区)", "姓名", "性别", "拟任职务", "是否留任"], *rows])
    for fmt in ("json", "text", "junit", "github", "csv"):
        assert run(path, "--fail-on", "never", fmt=fmt).code == 2, fmt


def test_identity_numbers_alone_give_the_ages(tmp_path: Path) -> None:
    rows = [[*r[:4], make_id(b, s), *r[5:]] for r, b, s in zip(committee(), ("19750301", "19700601", "19800101"),
                                                                 ("011", "022", "031"))]
    path = workbook(tmp_path / "slate.xlsx", [["镇(区)", "村(社区)", "姓名", "性别", "身份证号", "拟任职务", "是否留任"], *rows])
    result = report(path)
    assert not AGE_RULES & set(result.files[0].not_checked)
    assert result.exit_code() == 0


def test_an_optional_rule_not_checked_leaves_the_verdict_clean(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", [HEADER, *committee()])
    result = report(path)
    [f] = result.files
    assert {"nomination-method", "public-commitment", "election-deadline"} <= set(f.not_checked)
    assert not f.incomplete and all(not u.essential for u in f.unchecked)
    assert result.exit_code() == 0


def test_a_slate_without_sex_cannot_be_clean(tmp_path: Path) -> None:
    rows = [[*r[:3], *r[4:]] for r in committee()]
    path = workbook(tmp_path / "slate.xlsx", [["镇(区)", "村(社区)", "姓名", "出生年月", "拟任职务", "是否留任"], *rows])
    result = report(path)
    unchecked = {u.rule: u for u in result.files[0].unchecked}
    assert unchecked["woman-on-committee"].essential and unchecked["woman-on-committee"].missing == (("性别",),)
    assert result.exit_code() == 2


# --------------------------------------------------------------------------- values that cannot be read


def _one(tmp_path: Path, retained: object, born: str = "1951.06", commitment: str | None = None, lang: str = "zh"):
    rows = committee()
    rows[0][4], rows[0][6] = born, retained
    header = HEADER
    if commitment is not None:
        header = [*HEADER, "公开承诺"]
        rows = [[*r, commitment if i == 0 else None] for i, r in enumerate(rows)]
    path = workbook(tmp_path / "slate.xlsx", [header, *rows])
    return report(path, lang=lang)


@pytest.mark.parametrize("word", ["留任", "连任", "继续留任"])
def test_retention_words_read_as_yes(tmp_path: Path, word: str) -> None:
    result = _one(tmp_path, word)
    assert [(v.rule, v.row, v.name) for v in result.violations if v.rule == "retirement-age"] == [
        ("retirement-age", 2, "一村书记")]


@pytest.mark.parametrize("word", ["新任", "新提名", "新进"])
def test_new_words_read_as_no(tmp_path: Path, word: str) -> None:
    result = _one(tmp_path, word)
    rules = {v.rule for v in result.violations}
    assert "retirement-age" not in rules and "new-nominee-over-55" in rules and "value-unreadable" not in rules


def test_a_retention_word_that_cannot_be_read_is_a_finding_at_its_cell(tmp_path: Path) -> None:
    [v] = [v for v in _one(tmp_path, "待定").violations if v.rule == "value-unreadable"]
    assert (v.row, v.column, v.observed, v.severity) == (2, "是否留任 (G)", "待定", "error")
    assert v.message.startswith("「是否留任」填写的“待定”无法识别;可填写:是、否、留任、连任")
    [en] = [v for v in _one(tmp_path, "待定", lang="en").violations if v.rule == "value-unreadable"]
    assert en.message.startswith("retained '待定' cannot be read; accepted: 是 or 否 (yes/no), 留任, 连任")


def test_a_blank_retention_at_55_is_a_finding(tmp_path: Path) -> None:
    result = _one(tmp_path, None, born="1952.10")  # 55 on 2007-10-20: the first of the month, so 55
    [v] = [v for v in result.violations if v.rule == "retained-blank"]
    assert (v.row, v.column) == (2, "是否留任 (G)") and "55 周岁" in v.message and "未填写" in v.message
    assert result.exit_code() == 1
    assert not [v for v in _one(tmp_path, None, born="1953.01").violations if v.rule == "retained-blank"]  # 54


def test_a_commitment_made_in_words_is_a_commitment(tmp_path: Path) -> None:
    assert not [v for v in _one(tmp_path, "否", born="1975.03", commitment="已公开承诺").violations
                if v.rule in ("public-commitment", "value-unreadable")]
    [v] = [v for v in _one(tmp_path, "否", born="1975.03", commitment="未承诺").violations]
    assert v.rule == "public-commitment"


def test_every_typed_column_reports_what_it_cannot_read(tmp_path: Path) -> None:
    rows = committee()
    rows[0][3], rows[1][4] = "未知", "六八年"
    header = [*HEADER, "选举日期", "近三年表彰年份"]
    rows = [[*r, "十月中旬" if i == 0 else None, "优秀" if i == 2 else None] for i, r in enumerate(rows)]
    result = report(workbook(tmp_path / "slate.xlsx", [header, *rows]))
    got = sorted((v.row, v.column, v.observed) for v in result.violations if v.rule == "value-unreadable")
    assert got == [(2, "性别 (D)", "未知"), (2, "选举日期 (H)", "十月中旬"), (3, "出生年月 (E)", "六八年"),
                   (4, "近三年表彰年份 (I)", "优秀")]


# --------------------------------------------------------------------------- counties


def test_two_townships_of_one_name_in_two_counties_are_two(tmp_path: Path) -> None:
    header = ["县(市、区)", *HEADER]
    rows = committee("城关镇", "东村", "如皋市") + committee("城关镇", "东村", "海安县")
    rows[3][5] = "1940.01"  # 海安县's secretary is 67: only that township's average is above 45
    result = report(workbook(tmp_path / "city.xlsx", [header, *rows]))
    assert [(t.county, t.township) for t in result.townships] == [("如皋市", "城关镇"), ("海安县", "城关镇")]
    assert not [v for v in result.violations if v.rule == "one-secretary-per-village"]
    [v] = [v for v in result.violations if v.rule == "secretary-average-age"]
    assert (v.county, v.township, v.observed) == ("海安县", "城关镇", 67.0)
    assert result.townships[1].errors >= 1 and result.townships[0].errors == 0


def test_a_slate_without_a_county_column_is_still_checked(tmp_path: Path) -> None:
    result = report(workbook(tmp_path / "slate.xlsx", [HEADER, *committee()]))
    assert "secretary-average-age" not in result.files[0].not_checked
    assert [(t.county, t.township) for t in result.townships] == [(None, "城南镇")]


# --------------------------------------------------------------------------- nobody counted twice


def test_the_same_slate_twice_in_a_folder_names_every_place(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    first = workbook(folder / "丁堰镇.xlsx", [HEADER, *committee()])
    second = workbook(folder / "丁堰镇(修改稿).xlsx", [HEADER, *committee()])
    result = report(folder)
    dupes = [v for v in result.violations if v.rule == "duplicate-person"]
    assert sorted((Path(v.file).name, v.row) for v in dupes) == sorted(
        (p.name, r) for p in (first, second) for r in (2, 3, 4))
    [v] = [v for v in dupes if v.file == str(first) and v.row == 2]
    assert v.message == f"与 {second} 工作表「名单」第 2 行是同一人(镇(区)、村(社区)、姓名、出生年月相同)"
    assert v.column == "姓名 (C)"
    assert result.exit_code() == 1


def test_an_identity_number_twice_in_one_file(tmp_path: Path) -> None:
    rows = [[*r[:5], None, *r[5:]] for r in committee()]
    rows[0][5] = rows[2][5] = make_id("19750301", "011")
    rows[2][2] = "另一个名字"
    header = [*HEADER[:5], "身份证号", *HEADER[5:]]
    result = report(workbook(tmp_path / "slate.xlsx", [header, *rows]), lang="en")
    dupes = sorted((v.row, v.column) for v in result.violations if v.rule == "duplicate-person")
    assert dupes == [(2, "身份证号 (F)"), (4, "身份证号 (F)")]
    [v] = [v for v in result.violations if v.rule == "duplicate-person" and v.row == 2]
    assert v.message.endswith("sheet '名单', row 4 (same identity number)")


def test_namesakes_in_two_villages_are_two_people(tmp_path: Path) -> None:
    rows = committee("城南镇", "一村") + committee("城南镇", "二村")
    for r in rows[3:]:
        r[2] = r[2].replace("二村", "一村")  # the same names, another village
    result = report(workbook(tmp_path / "slate.xlsx", [HEADER, *rows]))
    assert not [v for v in result.violations if v.rule == "duplicate-person"]


def test_a_workbook_rulecheck_wrote_is_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    slate = workbook(folder / "slate.xlsx", [HEADER, *committee()])
    book = openpyxl.load_workbook(slate)
    book.custom_doc_props.append(StringProperty(name="rulecheck", value="report"))
    book.save(folder / "检查结果.xlsx")
    result = report(folder)
    [mine] = [f for f in result.files if f.path.endswith("检查结果.xlsx")]
    assert mine.passed_over and "rulecheck" in mine.passed_over and mine.rows == 0 and mine.error is None
    assert not [v for v in result.violations if v.rule == "duplicate-person"]
    assert result.exit_code() == 0
