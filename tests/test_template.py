"""``rulecheck template``: the input template, written from the rule file alone (issue 12).

The template's 名单 sheet is filled in here as a township office would (by openpyxl, and once saved again by
LibreOffice) and checked: it is read with the rule file's own headers, its 填表说明 sheet is passed over, a
correct slate passes and a slate that breaks a rule gives that finding.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from faultkit import good_slate, run
from rulecheck import template as template_module
from rulecheck.cli import _invoke
from rulecheck.commands import COMMANDS, listing
from rulecheck.table.header import is_instructions
from rulecheck.rulefile import ruleset
from rulecheck.table.idnumber import check_character

RULES = ruleset.load()
DROPDOWNS = {"性别": "男,女", "拟任职务": "第一书记,书记,副书记,委员", "是否留任": "是,否", "提名方式": "两推一考",
             "公开承诺": "是,否"}


def make_id(born: str, seq: str) -> str:
    first = "320682" + born + seq
    return first + check_character(first)


# One village that keeps every bundled rule on 2007-10-20: a secretary of 33 (the township's average and its
# share of young secretaries), a woman, a member of 29, nominated by 两推一考, the secretary's commitment made.
GOOD = [
    {"镇(区)": "丁堰镇", "村(社区)": "东村", "姓名": "王书记", "性别": "男", "出生年月": "1974.10",
     "身份证号": make_id("19741003", "011"), "拟任职务": "书记", "是否留任": "是", "提名方式": "两推一考",
     "公开承诺": "是", "选举日期": "2007-10-15"},
    {"镇(区)": "丁堰镇", "村(社区)": "东村", "姓名": "李委员", "性别": "女", "出生年月": "1978.05",
     "拟任职务": "委员", "是否留任": "否", "提名方式": "两推一考"},
    {"镇(区)": "丁堰镇", "村(社区)": "东村", "姓名": "张委员", "性别": "男", "出生年月": "1978年3月",
     "拟任职务": "委员", "是否留任": "否", "提名方式": "两推一考"},
]


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = _invoke([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def written(capsys: pytest.CaptureFixture[str], path: Path, *args: object) -> openpyxl.Workbook:
    code, _, err = cli(capsys, "template", "-o", path, *args)
    assert code == 0, err
    return openpyxl.load_workbook(path)


def fill(source: Path, target: Path, rows: list[dict[str, str]]) -> Path:
    """The template with ``rows`` typed into its 名单 sheet under the headers they name."""
    book = openpyxl.load_workbook(source)
    sheet = book["名单"]
    headers = {cell.value: cell.column for cell in sheet[1]}
    for i, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(i, headers[header], value)
    book.save(target)
    return target


def validations(book: openpyxl.Workbook) -> dict[str, Any]:
    """The 名单 sheet's data validations by the header of the column each covers."""
    sheet = book["名单"]
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for dv in sheet.data_validations.dataValidation:
        letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
        found[headers[letter]] = dv
    return found


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "拟任人选名单模板.xlsx"
    template_module.build(RULES, "zh").save(path)
    return path


# --------------------------------------------------------------------------- the workbook


def test_instructions_first_then_the_slate_sheet_with_the_rule_files_headers(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    assert book.sheetnames == ["填表说明", "名单"]
    assert is_instructions(book.sheetnames[0])
    assert book.active.title == "名单"  # the file opens where one types
    headers = [cell.value for cell in book["名单"][1]]
    assert headers == [spec.title.zh for spec in RULES.columns.values()]
    assert book["名单"].freeze_panes == "A2"


def test_every_category_and_yes_no_column_has_a_dropdown_that_stops_a_wrong_entry(blank: Path) -> None:
    found = validations(openpyxl.load_workbook(blank))
    for header, words in DROPDOWNS.items():
        dv = found[header]
        assert dv.type == "list" and dv.formula1 == f'"{words}"', header
        assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.error, header
        assert not dv.showDropDown, header  # True would hide the arrow in Excel
        assert dv.showInputMessage and "请从下拉列表中选择" in dv.prompt and words.split(",")[0] in dv.prompt
        assert str(dv.sqref).endswith("1001")  # the first 1,000 rows under the header
    assert "村委会主任" not in found["拟任职务"].formula1  # a category the rules report as no Party-committee role


def test_dates_identity_numbers_and_ages_are_validated_with_a_hint(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    found = validations(book)
    birth, election, id_number, age = found["出生年月"], found["选举日期"], found["身份证号"], found["年龄"]
    assert birth.type == "custom" and birth.formula1.startswith("OR(AND(ISNUMBER(F2)") and "LEN(F2)>=6" in birth.formula1
    assert election.type == "custom" and "LEN(P2)>=8" in election.formula1
    assert all(len(dv.formula1) <= 255 for dv in (birth, election, id_number))
    assert "1968.05" in birth.prompt and "2007-10-15" in election.prompt
    assert birth.showErrorMessage and birth.errorStyle == "stop" and "1968.05" in birth.error
    assert id_number.type == "custom" and id_number.formula1 == "OR(LEN(G2)=15,LEN(G2)=18)"
    assert (age.type, age.formula1, age.formula2) == ("whole", "18", "100")
    assert found["姓名"].type is None and found["姓名"].prompt.startswith("必填")
    columns = book["名单"].column_dimensions
    assert columns["G"].number_format == "@" and columns["F"].number_format == "@"  # all 18 characters; 1968.10
    assert columns["K"].number_format == "@"  # 2005,2006 is not the number 20052006
    assert columns["G"].width >= 20 and columns["B"].width >= 8


def test_the_instructions_give_each_column_and_each_rule_with_the_speechs_words(blank: Path) -> None:
    text = "\n".join(str(c) for row in openpyxl.load_workbook(blank)["填表说明"].iter_rows(values_only=True)
                     for c in row if c is not None)
    for spec in RULES.columns.values():
        assert spec.title.zh in text
    for rule in RULES.rules:
        assert rule.spec.title.zh in text and (rule.spec.quote or "") in text
    assert "1968.05、1968.5、1968年5月" in text and "村书记的平均年龄要在45周岁以下" in text
    assert "55周岁以上原则上不再留任(放宽条件)" in text  # 近三年表彰年份 grants the exemption


def test_the_template_is_not_marked_as_made_by_rulecheck(blank: Path) -> None:
    props = {p.name: p.value for p in openpyxl.load_workbook(blank).custom_doc_props.props}
    assert props == {"rulecheck-template": "rugao-2007"}  # the guard passes over files marked "rulecheck"


def test_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = written(capsys, tmp_path / "t.xlsx", "--lang", "en")
    assert book.sheetnames == ["填表说明", "名单"]
    assert [c.value for c in book["名单"][1]][:4] == ["县(市、区)", "镇(区)", "村(社区)", "姓名"]  # what the reader reads
    found = validations(book)
    assert found["性别"].prompt == "Choose from the list: 男, 女" and found["性别"].promptTitle == "sex (性别)"
    assert "1968.05, 1968.5" in found["出生年月"].prompt and found["姓名"].prompt.startswith("Required.")
    text = " ".join(str(c) for row in book["填表说明"].iter_rows(values_only=True) for c in row if c)
    assert "How to fill in the slate" in text and "Village secretaries' average age at most 45" in text
    assert "村书记的平均年龄要在45周岁以下" in text  # the speech's words as spoken


# --------------------------------------------------------------------------- filled in and checked


def test_a_correct_filled_template_passes(tmp_path: Path, blank: Path) -> None:
    slate = fill(blank, tmp_path / "丁堰镇.xlsx", GOOD)
    for lang in ("zh", "en"):
        result = run(slate, lang=lang)
        assert result.code == 0, result.stdout
        entry = result.file(slate)
        assert entry["error"] is None and entry["rows"] == 3 and entry["skipped"] == 0
        assert result.report["violations"] == [] and entry["unchecked"] == []
        said = "填表说明" if lang == "zh" else "instructions"
        assert len(entry["notes"]) == 1 and said in entry["notes"][0] and "填表说明" in entry["notes"][0], entry["notes"]


def test_a_filled_template_that_breaks_a_rule_gives_that_finding(tmp_path: Path, blank: Path) -> None:
    rows = [dict(GOOD[0], 出生年月="1950.03", 身份证号=make_id("19500312", "011"), 公开承诺="否"), *GOOD[1:]]
    slate = fill(blank, tmp_path / "丁堰镇.xlsx", rows)
    result = run(slate)
    assert result.code == 1
    hits = {(v["rule"], v["row"], v["name"]) for v in result.report["violations"]}
    assert {("retirement-age", 2, "王书记"), ("public-commitment", 2, "王书记")} <= hits
    assert run(slate, lang="en", fmt="text").stdout.count("without a valid exemption") == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it where apt-get works")
def test_saved_again_by_libreoffice_it_keeps_its_validations_and_reads_the_same(tmp_path: Path, blank: Path) -> None:
    good = fill(blank, tmp_path / "good.xlsx", GOOD)
    bad = fill(blank, tmp_path / "bad.xlsx", [GOOD[0], dict(GOOD[1], 出生年月="1950.03", 是否留任="是"), GOOD[2]])
    rules = long_rules(tmp_path, 60)
    template_module.build(ruleset.load(rules), "zh").save(tmp_path / "long-blank.xlsx")
    long = fill(tmp_path / "long-blank.xlsx", tmp_path / "long.xlsx", [dict(r, **{"镇(区)": "第007号镇"}) for r in GOOD])
    out = tmp_path / "libreoffice"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(good), str(bad),
                    str(long)], check=True, capture_output=True, timeout=240)
    again = openpyxl.load_workbook(out / "good.xlsx")
    assert again.sheetnames == ["填表说明", "名单"]
    found = validations(again)
    for header, words in DROPDOWNS.items():
        assert found[header].type == "list" and found[header].formula1 == f'"{words}"' and found[header].showErrorMessage
    assert found["出生年月"].type == "custom" and "1968.05" in found["出生年月"].prompt
    assert again["名单"]["G2"].value == GOOD[0]["身份证号"]  # still text, all 18 characters
    result = run(out / "good.xlsx")
    assert result.code == 0 and result.file(out / "good.xlsx")["rows"] == 3, result.report
    result = run(out / "bad.xlsx")
    assert result.code == 1
    assert [(v["rule"], v["row"]) for v in result.report["violations"]] == [("retirement-age", 3)]
    again = openpyxl.load_workbook(out / "long.xlsx")  # the hidden lists sheet stays hidden, marked and referenced
    assert again["下拉列表"].sheet_state == "hidden" and "下拉列表" in validations(again)["镇(区)"].formula1
    result = run(out / "long.xlsx", "--rules", rules)
    assert result.code == 0 and result.file(out / "long.xlsx")["rows"] == 3
    assert len(result.file(out / "long.xlsx")["notes"]) == 1  # the 填表说明 sheet's, none for 下拉列表


# --------------------------------------------------------------------------- a list too long to be inline


def long_rules(tmp_path: Path, townships: int) -> Path:
    """The bundled rule file with the township column made a category of ``townships`` names."""
    text = (Path(RULES.path)).read_text(encoding="utf-8")
    names = ", ".join(f"第{i:03d}号镇: [第{i:03d}号镇]" for i in range(townships))
    old = "    aliases: [镇(区), 镇, 乡镇, 所属镇, 镇区, 街道, 镇(街道), 乡镇(街道), 镇(开发区), 所属镇(区)]\n    required: true\n"
    assert old in text
    text = text.replace(old, old + f"    type: category\n    categories: {{{names}}}\n")
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_list_longer_than_255_characters_goes_to_a_hidden_lists_sheet(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    rules = long_rules(tmp_path, 60)  # 60 names of 5 characters and 59 commas: 359 characters
    book = written(capsys, tmp_path / "long.xlsx", "--rules", rules)
    assert book.sheetnames == ["填表说明", "名单", "下拉列表"]
    lists = book["下拉列表"]
    assert lists.sheet_state == "hidden"
    dv = validations(book)["镇(区)"]
    assert dv.type == "list" and dv.formula1 == "'下拉列表'!$B$2:$B$61" and dv.showErrorMessage
    assert [lists.cell(r, 2).value for r in (1, 2, 61)] == ["镇(区)", "第000号镇", "第059号镇"]
    assert validations(book)["性别"].formula1 == '"男,女"'  # short lists stay inline
    rows = [dict(r, **{"镇(区)": "第007号镇"}) for r in GOOD]
    slate = fill(tmp_path / "long.xlsx", tmp_path / "filled.xlsx", rows)
    result = run(slate, "--rules", rules)
    assert result.code == 0, result.report
    entry = result.file(slate)
    assert entry["rows"] == 3 and not any("下拉列表" in note for note in entry["notes"]), entry["notes"]


def test_the_inline_limit_is_255_characters() -> None:
    assert template_module._inline(("甲" * 255,)) == '"' + "甲" * 255 + '"'
    assert template_module._inline(("甲" * 128, "乙" * 126)) is not None  # 128 + 1 + 126 = 255
    assert template_module._inline(("甲" * 128, "乙" * 127)) is None
    assert template_module._inline(("a,b",)) is None  # a comma inside a word cannot be written inline


def test_a_hidden_sheet_of_that_name_without_the_mark_is_still_accounted_for(tmp_path: Path, blank: Path) -> None:
    slate = fill(blank, tmp_path / "s.xlsx", GOOD)
    book = openpyxl.load_workbook(slate)
    other = book.create_sheet("下拉列表")
    other.append(["性别", "拟任职务"])
    other.append(["男", "书记"])
    other.sheet_state = "hidden"
    book.save(slate)
    notes = run(slate).file(slate)["notes"]
    assert any("下拉列表" in note and "不是名单" in note for note in notes), notes


# --------------------------------------------------------------------------- the command word


def test_rulecheck_template_writes_the_default_file_and_replaces_an_old_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "拟任人选名单模板.xlsx").write_bytes(b"old")
    code, _, err = cli(capsys, "template")
    assert code == 0 and "已写出输入模板 拟任人选名单模板.xlsx" in err
    assert openpyxl.load_workbook(tmp_path / "拟任人选名单模板.xlsx").sheetnames == ["填表说明", "名单"]
    code, _, err = cli(capsys, "template", "-o", "t.xlsx", "--lang", "en")
    assert code == 0 and "wrote the input template t.xlsx" in err


def test_a_folder_named_template_is_checked_not_taken_as_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "template").mkdir()
    good_slate(tmp_path / "template")
    code, out, _ = cli(capsys, "template", "--format", "json")
    assert code == 1 and '"retirement-age"' in out  # the good slate's 张老, checked
    assert not (tmp_path / "拟任人选名单模板.xlsx").exists()


@pytest.mark.parametrize(("lang", "words"), [("zh", "写出带下拉列表和填表说明的输入模板"),
                                             ("en", "Write the input template")])
def test_help_lists_the_command_and_its_options(lang: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "template" in COMMANDS and words in listing(lang)
    code, out, _ = cli(capsys, "--help", "--lang", lang)
    assert code == 0 and "rulecheck template" in out
    code, out, _ = cli(capsys, "template", "--help", "--lang", lang)
    assert code == 0 and ("模板写到这个 .xlsx 文件" if lang == "zh" else "Write the template to FILE.xlsx") in out
    assert ("用法:rulecheck template" if lang == "zh" else "Usage: rulecheck template") in out


@pytest.mark.parametrize(("lang", "words"), [("zh", "模板要写成 .xlsx 文件,t.csv 不是"),
                                             ("en", "the template is written as an .xlsx file, and t.csv is not one")])
def test_a_template_is_an_xlsx_file(tmp_path: Path, lang: str, words: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "template", "-o", tmp_path / "t.csv", "--lang", lang)
    assert code == 2 and words in err.replace(str(tmp_path) + "/", "")
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_rule_file_is_named(tmp_path: Path, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ruleset: [1\n", encoding="utf-8")
    code, _, err = cli(capsys, "template", "-o", tmp_path / "t.xlsx", "--rules", bad, "--lang", lang)
    assert code == 2 and "bad.yaml" in err and not (tmp_path / "t.xlsx").exists()


def test_rulecheck_toml_gives_the_rule_file_and_the_language_unless_told_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    long_rules(tmp_path, 60)
    (tmp_path / "rulecheck.toml").write_text('rules = "long.yaml"\nlang = "en"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    book = written(capsys, tmp_path / "t.xlsx")
    assert "下拉列表" in book.sheetnames and validations(book)["性别"].prompt.startswith("Choose")
    book = written(capsys, tmp_path / "u.xlsx", "--no-config")
    assert book.sheetnames == ["填表说明", "名单"] and validations(book)["性别"].prompt.startswith("请从")
