"""Issue 9, the output side: every format tells the same truth about coverage and groups.

The Reports here are built by hand from model.py's dataclasses, so that each format is tested on
the facts the engine reports (rules not checked and why, files passed over, county, a group's
files and anchor) whatever the engine produces today. CLI-level checks at the end cover what the
current engine already produces: a slate with no birth-date column, and rulecheck's own
workbooks turning up among the inputs.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultkit import GOOD_ROWS, HEADER, good_slate, run, workbook
from report_slate import render as render_bytes
from rulecheck.formats.annotate import plan, write_copy
from rulecheck.formats import is_binary
from rulecheck.formats.rows import verdict
from rulecheck.render.messages import t
from rulecheck.findings import Location, RuleTally, SummaryColumn, TownshipSummary, Unchecked
from rulecheck.render.findings import Shown as Report
from rulecheck.render.findings import ShownExemption as Exemption
from rulecheck.render.findings import ShownFile as FileResult
from rulecheck.render.findings import ShownViolation as Violation

TITLES = {
    "zh": {"secretary-average-age": "村书记平均年龄不超过45周岁", "retirement-age": "55周岁以上原则上不再留任",
           "nomination-method": "实行“两推一考”提名", "one-secretary-per-village": "每村书记拟任人选只有1名",
           "woman-on-committee": "委员中原则上要有1名女同志"},
    "en": {"secretary-average-age": "Secretaries' average age at most 45", "retirement-age": "No retention from 55",
           "nomination-method": "Nomination by two recommendations and one test",
           "one-secretary-per-village": "Exactly one secretary nominee per village",
           "woman-on-committee": "A woman on every committee"},
}
COLUMNS = {"zh": ("出生年月", "身份证号", "提名方式"), "en": ("birth date", "ID number", "nomination method")}
RULES = (("secretary-average-age", "error", "township", False), ("retirement-age", "error", "person", False),
         ("nomination-method", "error", "person", True), ("one-secretary-per-village", "error", "village", False),
         ("woman-on-committee", "warning", "village", False))
PASSED_OVER = {"zh": t("zh", "made-by-report"), "en": t("en", "made-by-report")}


def age_gaps(lang: str) -> tuple[Unchecked, ...]:
    """a.xlsx has neither 出生年月 nor 身份证号 (two essential rules) and no 提名方式 (optional)."""
    birth, identity, nomination = COLUMNS[lang]
    age = ((birth,), (identity,))
    return (Unchecked("secretary-average-age", True, age), Unchecked("retirement-age", True, age),
            Unchecked("nomination-method", False, ((nomination,),)))


def make_report(lang: str = "zh", files: tuple[FileResult, ...] | None = None,
                violations: tuple[Violation, ...] | None = None) -> Report:
    """Two 城关镇 in two counties. 如皋市 城关镇 is drawn from a.xlsx (no age columns) and b.xlsx, and
    its village 东村 has rows in both; 海安县 城关镇 is c.xlsx, which lacks only an optional column."""
    nomination = COLUMNS[lang][2]
    if files is None:
        files = (
            FileResult("a.xlsx", rows=3, sheets=("名单",), unchecked=age_gaps(lang)),
            FileResult("b.xlsx", rows=2, sheets=("名单",)),
            FileResult("c.xlsx", rows=2, sheets=("名单",),
                       unchecked=(Unchecked("nomination-method", False, ((nomination,),)),), notes=("隐藏的工作表「旧」已读取",)),
            FileResult("结果.xlsx", passed_over=PASSED_OVER[lang]),
            FileResult("坏.xlsx", error="文件是空的(0 字节)"),
        )
    if violations is None:
        violations = (
            Violation("one-secretary-per-village", "error", "village", "城关镇", "东村", None, None, None, None, None,
                      "2 名书记拟任人选(应为 1 名)", 2, county="如皋市", files=("a.xlsx", "b.xlsx"),
                      anchor=Location("a.xlsx", "名单", 3, "B", "村(社区)")),
            Violation("woman-on-committee", "warning", "township", "城关镇", None, None, None, None, None, None,
                      "镇里没有女委员", 0, county="如皋市", files=("a.xlsx", "b.xlsx"),
                      anchor=Location("a.xlsx", "名单", 2, "A", "镇(区)")),
            Violation("retirement-age", "error", "person", "城关镇", "西村", "张老", "b.xlsx", "名单", 2, "出生年月 (E)",
                      "留任人选 57 周岁", 57, county="如皋市", files=("b.xlsx",), letter="E"),
            Violation("nomination-method", "error", "person", "城关镇", "北村", "王五", "c.xlsx", "名单", 2, "提名方式 (D)",
                      "提名方式为“海选”", "海选", county="海安县", files=("c.xlsx",), letter="D"),
        )
    townships = (
        TownshipSummary("城关镇", "2007-10-20", (47.0,), (45.0,), ("error",), errors=2, warnings=1, county="如皋市",
                        files=("a.xlsx", "b.xlsx")),
        TownshipSummary("城关镇", "2007-10-20", (40.0,), (45.0,), (None,), errors=1, county="海安县", files=("c.xlsx",)),
    )
    rules = tuple(RuleTally(rule, severity, scope, TITLES[lang][rule], None,
                            sum(v.rule == rule for v in violations), 0, (0, 0), optional=optional)
                  for rule, severity, scope, optional in RULES)
    return Report(
        version="1.0.0", ruleset_id="rugao-2007", ruleset_title="2007年要求", ruleset_path="rules/rugao-2007.yaml",
        as_of="2007-10-20", lang=lang, files=files, violations=violations,
        exempted=(Exemption("retirement-age", "城关镇", "西村", "赵六", "b.xlsx", "名单", 3, "确因工作需要", county="如皋市"),),
        rule_titles=TITLES[lang],
        summary_columns=(SummaryColumn("secretary_average_age", "村书记平均年龄", ".1f", "secretary-average-age", "max_age"),),
        townships=townships, rules=rules,
    )


def render(report: Report, name: str) -> str | bytes:
    """A format's output: text formats as text, binary ones as bytes (report_slate.render gives bytes for all)."""
    out = render_bytes(report, name)
    return out if is_binary(name) else out.decode("utf-8")


def block(text: str, path: str, lang: str = "zh") -> list[str]:
    """The lines of the text report's section for one file."""
    return text.split(t(lang, "heading-file", path=path) + "\n")[1].split("\n\n")[0].splitlines()


# --------------------------------------------------------------------------- text


def test_text_names_unchecked_rules_by_title_and_missing_columns() -> None:
    out = render(make_report(), "text")
    a = block(out, "a.xlsx")
    assert "  检查不完整,未能检查(缺少「出生年月」或「身份证号」列):村书记平均年龄不超过45周岁、55周岁以上原则上不再留任" in a
    assert "  未检查(可选,缺少「提名方式」列):实行“两推一考”提名" in a
    assert not any("secretary-average-age" in line for line in a)  # by title, never by id
    assert not any("未发现问题" in line for line in a)  # an essential rule unchecked: never a clean file
    assert a[-1] == "  " + t("zh", "no-violations-incomplete")
    c = block(out, "c.xlsx")  # only an optional rule unchecked: the file's own findings, nothing claimed more
    assert "  未检查(可选,缺少「提名方式」列):实行“两推一考”提名" in c and "检查不完整" not in "\n".join(c)


def test_text_english() -> None:
    out = render(make_report("en"), "text")
    a = block(out, "a.xlsx", "en")
    assert ("  INCOMPLETE, not checked (no 'birth date' or 'ID number' column): Secretaries' average age at most 45; "
            "No retention from 55") in a
    assert "  not checked (optional; no 'nomination method' column): Nomination by two recommendations and one test" in a
    assert not any("no problems found" in line.lower() for line in a)
    verdict_line = out.rstrip().splitlines()[-2]
    assert verdict_line.startswith("Check incomplete: 1 file lacks columns that essential rules need")
    assert "(a.xlsx)" in verdict_line and "1 file could not be checked (坏.xlsx)" in verdict_line
    assert verdict_line.endswith("what was checked has 3 errors, 1 warning")
    assert block(out, "结果.xlsx", "en") == ["  " + PASSED_OVER["en"]]


def test_text_verdict_is_the_summarys_first_line() -> None:
    lines = render(make_report(), "text").rstrip().splitlines()
    assert lines[-2] == ("检查不完整:1 个文件缺少必查规则所需的列,这些规则未能检查(a.xlsx);1 个文件无法检查(坏.xlsx)"
                         ";已检查的部分发现 3 个错误、1 个警告")
    assert lines[-1].startswith("共检查 4 个文件")  # 5 files, 1 not checked (坏.xlsx): not counted as checked


def test_text_passed_over_file_says_why() -> None:
    assert block(render(make_report(), "text"), "结果.xlsx") == ["  " + PASSED_OVER["zh"]]


def test_text_village_finding_across_files_names_county_township_and_files() -> None:
    out = render(make_report(), "text")
    wide = out.split(t("zh", "heading-township") + "\n")[1].split("\n\n")[0]
    assert "  如皋市 城关镇 东村\n    错误 one-secretary-per-village  每村书记拟任人选只有1名:2 名书记拟任人选(应为 1 名)\n" \
           "    涉及文件:a.xlsx、b.xlsx" in wide
    assert "  如皋市 城关镇\n    警告 woman-on-committee" in wide
    english = render(make_report("en"), "text")
    assert "  如皋市 城关镇 东村\n    error one-secretary-per-village" in english and "    files: a.xlsx, b.xlsx" in english


def test_text_exemption_shows_county() -> None:
    assert "  b.xlsx 第 3 行 如皋市 城关镇 西村 赵六  retirement-age  依据:确因工作需要" in render(make_report(), "text")


def _file(path: str, kind: str) -> FileResult:
    return {
        "clean": FileResult(path, rows=2),
        "optional": FileResult(path, rows=2, unchecked=(Unchecked("nomination-method", False, (("提名方式",),)),)),
        "essential": FileResult(path, rows=2, unchecked=(Unchecked("retirement-age", True, (("出生年月",),)),)),
        "failed": FileResult(path, error="坏了"),
        "passed": FileResult(path, passed_over=PASSED_OVER["zh"]),
    }[kind]


_SEVERITIES = st.lists(st.sampled_from(["error", "warning", "notice"]), max_size=3)


@settings(max_examples=150, deadline=None)
@given(kinds=st.lists(st.sampled_from(["clean", "optional", "essential", "failed", "passed"]), max_size=4),
       severities=_SEVERITIES, lang=st.sampled_from(["zh", "en"]))
def test_verdict_agrees_with_the_exit_code(kinds: list[str], severities: list[str], lang: str) -> None:
    files = tuple(_file(f"{i}.xlsx", kind) for i, kind in enumerate(kinds))
    violations = tuple(Violation("retirement-age", s, "person", "镇", "村", "人", "0.xlsx", "名单", 2, None, "m")
                       for s in severities)
    report = make_report(lang, files=files, violations=violations)
    line = verdict(report)
    incomplete = line.startswith(t(lang, "verdict-incomplete", reasons=""))
    assert incomplete == (report.exit_code() == 2)
    clean = line.startswith(t(lang, "verdict-clean"))
    assert clean == (not incomplete and not any(s in ("error", "warning") for s in severities))
    if "failed" in kinds:
        assert incomplete and {"zh": "个文件无法检查", "en": "could not be checked"}[lang] in line
    if not any(k in ("clean", "optional", "essential") for k in kinds):
        assert t(lang, "verdict-nothing-read") in line  # nothing read is never a clean verdict
    # the text report's summary opens with the same verdict
    assert render(report, "text").rstrip().splitlines()[-2] == line


# --------------------------------------------------------------------------- JUnit


def _suites(report: Report) -> dict[str, ET.Element]:
    root = ET.fromstring(render(report, "junit"))
    return {suite.get("name"): suite for suite in root}


def _case(suite: ET.Element, name_start: str) -> ET.Element:
    [case] = [c for c in suite.findall("testcase") if c.get("name").startswith(name_start)]
    return case


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_junit_unchecked_rules_are_errors_or_skipped_never_passed(lang: str) -> None:
    report = make_report(lang)
    suites = _suites(report)
    files = t(lang, "junit-files")
    assert list(suites) == [files, "如皋市 城关镇", "海安县 城关镇"]
    rugao, haian = suites["如皋市 城关镇"], suites["海安县 城关镇"]
    error = _case(rugao, "secretary-average-age").find("error")
    assert error is not None and error.get("type") == "not-checked"
    missing = "缺少「出生年月」或「身份证号」列" if lang == "zh" else "no 'birth date' or 'ID number' column"
    assert "a.xlsx" in error.get("message") and missing in error.get("message")
    assert _case(rugao, "retirement-age").find("error") is not None  # essential: even with a failure on b.xlsx
    assert "b.xlsx" in _case(rugao, "retirement-age").find("system-out").text  # whose rows are still shown
    skipped = _case(rugao, "nomination-method").find("skipped")
    assert skipped is not None and "a.xlsx" in skipped.get("message")
    assert _case(rugao, "one-secretary-per-village").find("failure") is not None
    # 海安县 城关镇 is c.xlsx: its age rules were checked and pass; its optional rule was skipped but failed
    assert list(_case(haian, "secretary-average-age")) == []
    nomination = _case(haian, "nomination-method")
    assert nomination.find("failure") is not None and nomination.find("skipped") is None
    assert "c.xlsx" in nomination.find("system-out").text


def test_junit_files_suite_and_counts() -> None:
    report = make_report()
    root = ET.fromstring(render(report, "junit"))
    files = _suites(report)["文件"]
    assert _case(files, "a.xlsx secretary-average-age").find("error") is not None
    assert _case(files, "a.xlsx nomination-method").find("skipped") is not None
    assert _case(files, "c.xlsx nomination-method").find("skipped") is not None
    assert _case(files, "结果.xlsx").find("skipped").get("message") == PASSED_OVER["zh"]
    assert _case(files, "坏.xlsx").find("error") is not None
    assert list(_case(files, "b.xlsx")) == []
    for suite in [root, *root]:
        cases = suite.iter("testcase")
        kinds = [[child.tag for child in case if child.tag != "system-out"] for case in cases]
        assert all(len(k) <= 1 for k in kinds)  # one verdict per case
        for attr, tag in (("errors", "error"), ("failures", "failure"), ("skipped", "skipped")):
            assert suite.get(attr) == str(sum(k == [tag] for k in kinds)), (suite.get("name"), attr)
        assert suite.get("tests") == str(len(kinds))
    assert (root.get("errors"), root.get("skipped")) == ("5", "4")  # 坏.xlsx, a × 2 in 文件, a × 2 in 如皋市 城关镇


# --------------------------------------------------------------------------- JSON


def test_json_coverage_county_and_files() -> None:
    data = json.loads(render(make_report(), "json"))
    assert data["summary"]["incomplete_files"] == 1 and data["summary"]["complete"] is False
    assert data["summary"]["not_checked_files"] == 1
    a, b, c, report, bad = data["files"]
    assert a["not_checked"] == ["secretary-average-age", "retirement-age", "nomination-method"]
    assert a["unchecked"][0] == {"rule": "secretary-average-age", "essential": True, "missing": [["出生年月"], ["身份证号"]]}
    assert a["unchecked"][2] == {"rule": "nomination-method", "essential": False, "missing": [["提名方式"]]}
    assert b["unchecked"] == [] and b["passed_over"] is None
    assert report["passed_over"] == PASSED_OVER["zh"] and report["error"] is None
    assert list(a) == ["path", "rows", "skipped", "sheets", "error", "passed_over", "not_checked", "unchecked", "notes"]
    village = data["violations"][0]
    assert (village["county"], village["file"], village["files"]) == ("如皋市", None, ["a.xlsx", "b.xlsx"])
    assert list(village)[:5] == ["rule", "severity", "scope", "county", "township"]
    assert [(r["county"], r["township"], r["files"]) for r in data["townships"]] == [
        ("如皋市", "城关镇", ["a.xlsx", "b.xlsx"]), ("海安县", "城关镇", ["c.xlsx"])]
    assert data["exempted"][0]["county"] == "如皋市"
    assert [r["optional"] for r in data["rules"]] == [o for *_, o in RULES]


def test_json_county_is_null_where_there_is_none() -> None:
    plain = Violation("retirement-age", "error", "person", "镇", "村", "人", "b.xlsx", "名单", 2, None, "m")
    data = json.loads(render(make_report(violations=(plain,)), "json"))
    assert data["violations"][0]["county"] is None and data["violations"][0]["files"] == []


# --------------------------------------------------------------------------- CSV


def test_csv_county_and_files_columns_only_where_present() -> None:
    rows = list(csv.DictReader(io.StringIO(render(make_report(), "csv").lstrip("\ufeff"))))
    village = next(r for r in rows if r["rule"] == "one-secretary-per-village")
    assert village["county"] == "如皋市" and village["files"] == "a.xlsx\nb.xlsx" and village["file"] == ""
    assert next(r for r in rows if r["rule"] == "nomination-method")["county"] == "海安县"
    assert [r["county"] for r in rows] == ["如皋市", "如皋市", "如皋市", "海安县"]  # by county, then township
    plain = Violation("retirement-age", "error", "person", "镇", "村", "人", "b.xlsx", "名单", 2, None, "m")
    no_county = replace(make_report(violations=(plain,)), exempted=())
    header = render(no_county, "csv").lstrip("\ufeff").splitlines()[0].split(",")
    assert "county" not in header and "files" not in header and "township" in header
    with_exemption = render(make_report(violations=(plain,)), "csv").lstrip("\ufeff").splitlines()[0].split(",")
    assert "county" in with_exemption  # an exemption in a county is enough


# --------------------------------------------------------------------------- GitHub


def test_github_essential_unchecked_is_an_error_optional_a_notice() -> None:
    lines = render(make_report(), "github").splitlines()
    assert "::error file=a.xlsx,title=rulecheck::检查不完整,未能检查(缺少「出生年月」或「身份证号」列):" \
           "村书记平均年龄不超过45周岁、55周岁以上原则上不再留任" in lines
    assert "::notice file=a.xlsx,title=rulecheck::未检查(可选,缺少「提名方式」列):实行“两推一考”提名" in lines
    assert "::notice file=c.xlsx,title=rulecheck::未检查(可选,缺少「提名方式」列):实行“两推一考”提名" in lines
    assert f"::notice file=结果.xlsx,title=rulecheck::{PASSED_OVER['zh']}" in lines
    assert lines[-2].startswith("检查不完整:")
    # a village drawn from two files lands on its anchor (the village's first row, in a.xlsx)
    assert "::error file=a.xlsx,line=3,title=one-secretary-per-village 每村书记拟任人选只有1名::" \
           "a.xlsx、b.xlsx 如皋市 城关镇 东村: 2 名书记拟任人选(应为 1 名)" in lines
    english = render(make_report("en"), "github").splitlines()
    assert any(x.startswith("::error file=a.xlsx,title=rulecheck::INCOMPLETE, not checked") for x in english)


# --------------------------------------------------------------------------- xlsx


def _xlsx(report: Report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


def test_xlsx_files_sheet_status_unchecked_and_notes() -> None:
    sheet = _xlsx(make_report())["文件"]
    header = [c.value for c in sheet[1]]
    assert header == ["文件", "工作表", "人选数", "跳过行数", "检查情况", "未能检查的规则", "说明"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert [rows[p][4] for p in ("a.xlsx", "b.xlsx", "c.xlsx", "结果.xlsx", "坏.xlsx")] == [
        "检查不完整", "已检查", "已检查", "已跳过", "无法检查"]
    assert rows["a.xlsx"][5].splitlines() == [
        "村书记平均年龄不超过45周岁(缺少「出生年月」或「身份证号」列)",
        "55周岁以上原则上不再留任(缺少「出生年月」或「身份证号」列)",
        "实行“两推一考”提名(可选,缺少「提名方式」列)"]
    assert rows["c.xlsx"][6] == "隐藏的工作表「旧」已读取" and "隐藏" not in (rows["c.xlsx"][5] or "")
    assert rows["结果.xlsx"][6] == PASSED_OVER["zh"] and rows["坏.xlsx"][6] == "文件是空的(0 字节)"
    english = _xlsx(make_report("en"))["Files"]
    assert [c.value for c in english[1]][4:] == ["status", "rules not checked", "notes"]
    assert [r[4] for r in english.iter_rows(min_row=2, values_only=True)] == [
        "incomplete", "checked", "checked", "passed over", "could not check"]
    assert next(english.iter_rows(min_row=2, values_only=True))[5].splitlines()[2] == \
        "Nomination by two recommendations and one test (optional; no 'nomination method' column)"


def test_xlsx_summary_shows_coverage_and_county() -> None:
    sheet = _xlsx(make_report())["汇总"]
    coverage = sheet["A4"].value
    assert coverage.startswith("检查不完整:") and "a.xlsx" in coverage and "坏.xlsx" in coverage
    assert sheet["A4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert [sheet.cell(6, j).value for j in (1, 2)] == ["县(市、区)", "镇(区)"]
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in (7, 8)] == [("如皋市", "城关镇"), ("海安县", "城关镇")]
    assert sheet.cell(7, 3).fill.fgColor.rgb.endswith("FFC7CE")  # the statistic's colour moved with its column
    complete = make_report(files=(FileResult("b.xlsx", rows=2),))
    assert _xlsx(complete)["汇总"]["A4"].value == t("zh", "coverage-complete")
    violations = _xlsx(make_report())["问题清单"]
    header = [c.value for c in violations[1]]
    assert "县(市、区)" in header and "涉及文件" in header


def test_xlsx_report_carries_rulechecks_mark() -> None:
    data = render(make_report(), "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.custom_doc_props["rulecheck"].value == "report"
    import zipfile

    from rulecheck.read import guard
    custom = zipfile.ZipFile(io.BytesIO(data)).read("docProps/custom.xml")
    assert guard._MARK.search(custom).group(1) == b"report"  # what the reader looks for


# --------------------------------------------------------------------------- annotated copies


def _slate(path: Path) -> Path:
    return workbook(path, [["镇(区)", "村(社区)", "姓名", "性别", "出生年月"],
                           ["城关镇", "东村", "张老", "男", "1950.01"],
                           ["城关镇", "东村", "李青", "女", "1985.03"]])


def test_annotated_copy_marks_group_findings_on_their_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    a, b = _slate(Path("in/a.xlsx")), _slate(Path("in/b.xlsx"))
    village = Violation("one-secretary-per-village", "error", "village", "城关镇", "东村", None, None, None, None, None,
                        "2 名书记", 2, files=(str(a), str(b)), anchor=Location(str(a), "名单", 3, "B", "村(社区)"))
    township = Violation("secretary-average-age", "warning", "township", "城关镇", None, None, None, None, None, None,
                         "平均年龄 47", 47, files=(str(a), str(b)), anchor=Location(str(a), "名单", 2, "A", "镇(区)"))
    person = Violation("retirement-age", "error", "person", "城关镇", "东村", "张老", str(b), "名单", 2, "出生年月 (E)",
                       "留任人选 57 周岁", 57, letter="E")
    report = make_report(files=(FileResult(str(a), rows=2), FileResult(str(b), rows=2)),
                         violations=(village, township, person))
    copies = plan(report, Path("out"))
    assert [(str(s), str(c), [v.rule for v in vs]) for s, c, vs in copies.copies] == [
        (str(a), "out/a.xlsx", ["one-secretary-per-village", "secretary-average-age"]),  # anchors alone make a copy
        (str(b), "out/b.xlsx", ["retirement-age"])]  # the group findings are marked once, in a.xlsx only
    for source, target, violations in copies.copies:
        write_copy(source, target, violations, report)
    copy = openpyxl.load_workbook("out/a.xlsx")
    sheet = copy["名单"]
    assert "one-secretary-per-village" in sheet["B3"].comment.text and sheet["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "secretary-average-age" in sheet["A2"].comment.text and sheet["A2"].fill.fgColor.rgb.endswith("FFEB9C")
    # nobody on the village's first row looks accused: only the village cell is filled
    assert [sheet.cell(3, c).fill.fill_type for c in (1, 3, 4, 5)] == [None] * 4 and sheet["C3"].comment is None
    assert copy.custom_doc_props["rulecheck"].value == "annotated"
    other = openpyxl.load_workbook("out/b.xlsx")["名单"]
    assert other["B3"].comment is None and other["A2"].comment is None and "retirement-age" in other["E2"].comment.text


# --------------------------------------------------------------------------- the command line, today's engine


def test_cli_slate_without_birth_date_is_incomplete_in_every_format(tmp_path: Path) -> None:
    keep = [i for i, c in enumerate(HEADER) if c != "出生年月"]
    slate = workbook(tmp_path / "无出生年月.xlsx", [[HEADER[i] for i in keep], *[[r[i] for i in keep] for r in GOOD_ROWS]])
    for lang in ("zh", "en"):
        text = run(slate, fmt="text", lang=lang)
        assert text.code == 2
        assert text.stdout.rstrip().splitlines()[-2].startswith(t(lang, "verdict-incomplete", reasons=""))
        assert t(lang, "no-violations") not in text.stdout
        assert {"zh": "  检查不完整,未能检查(", "en": "  INCOMPLETE, not checked ("}[lang] in text.stdout
        assert {"zh": "55周岁以上原则上不再留任", "en": "No retention at 55 or over"}[lang] in text.stdout
    data = run(slate).report
    assert data["summary"]["complete"] is False and data["summary"]["incomplete_files"] == 1
    [entry] = data["files"]
    assert {"rule": "retirement-age", "essential": True} in [{k: u[k] for k in ("rule", "essential")} for u in entry["unchecked"]]
    junit = ET.fromstring(run(slate, fmt="junit").stdout)
    assert int(junit.get("errors")) >= 1
    github = run(slate, fmt="github")
    assert github.code == 2 and f"::error file={slate}" in github.stdout


def test_cli_report_written_into_the_folder_is_passed_over_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "名单"
    folder.mkdir()
    good_slate(folder)
    first = run(folder, "--report", folder / "结果.xlsx")
    assert first.code == 1 and (folder / "结果.xlsx").exists()
    for lang in ("zh", "en"):
        again = run(folder, lang=lang)
        assert again.code == first.code  # the report is neither a slate nor an error
        entry = again.file(folder / "结果.xlsx")
        assert entry["passed_over"] == t(lang, "made-by-report") and entry["error"] is None and entry["rows"] == 0
        assert again.report["summary"]["rows"] == first.report["summary"]["rows"]
    text = run(folder, fmt="text")
    assert block(text.stdout, str(folder / "结果.xlsx")) == ["  " + t("zh", "made-by-report")]


def test_cli_annotated_copy_in_the_folder_is_passed_over_next_time(tmp_path: Path) -> None:
    folder = tmp_path / "名单"
    folder.mkdir()
    good_slate(folder)
    first = run(folder, "--annotate", folder / "标注")
    copy = folder / "标注" / "good.xlsx"
    assert first.code == 1 and copy.exists()
    assert openpyxl.load_workbook(copy).custom_doc_props["rulecheck"].value == "annotated"
    for lang in ("zh", "en"):
        again = run(folder, lang=lang)
        assert again.code == first.code
        assert again.file(copy)["passed_over"] == t(lang, "made-by-annotated")
        assert again.report["summary"]["rows"] == first.report["summary"]["rows"]


def test_text_names_county_and_township_on_findings_in_a_countys_file() -> None:
    out = render(make_report(), "text")
    assert "  工作表「名单」 第 2 行 海安县 城关镇 北村 王五 [提名方式 (D)]\n    错误 nomination-method" in "\n".join(block(out, "c.xlsx"))
    plain = Violation("retirement-age", "error", "person", "城关镇", "西村", "张老", "b.xlsx", "名单", 2, None, "m")
    assert "  工作表「名单」 第 2 行 西村 张老\n" in render(make_report(violations=(plain,)), "text")  # no county: as before


def test_junit_without_townships_marks_unchecked_rules_in_the_rule_files_suite() -> None:
    report = replace(make_report(), townships=(), violations=())
    suite = _suites(report)["rugao-2007"]
    assert _case(suite, "secretary-average-age").find("error") is not None
    assert _case(suite, "nomination-method").find("skipped") is not None  # optional on a.xlsx and c.xlsx
    assert "a.xlsx" in _case(suite, "nomination-method").find("skipped").get("message")
    assert list(_case(suite, "one-secretary-per-village")) == []  # checked everywhere, found nothing
