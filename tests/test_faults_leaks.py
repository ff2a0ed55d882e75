"""Nothing leaks from a run and nothing forges its output (issue 14).

No identity number anywhere: every text rulecheck writes that came from a spreadsheet — names,
townships, villages, sheet names, quoted rows, file errors and notes, messages, observed values,
exemption evidence, the annotated copies' comments — is masked in every format, malformed
numbers included; ``--show-id`` alone shows them. Text is inert: control characters from cells
are shown escaped in the text, GitHub and JUnit outputs, and the real summary is the only one.
Every case runs through the command line, and every byte of every output is searched.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from faultkit import GOOD_ROWS, HEADER, good_slate, workbook, xlsx_parts, zip_with
from report_slate import id_number
from rulecheck.cli import app
from rulecheck.formats.inert import inert, inert_text
from rulecheck.render.masking import find_sheet, mask_text
from rulecheck.findings import (
    Exemption, FileResult, IdNumber, Location, Note, Report, TownshipSummary, Unchecked, Violation,
)
from rulecheck.render.findings import render
from rulecheck.rulefile import ruleset

FORMATS = ("text", "json", "csv", "junit", "github")
ID = id_number("19750312", 163)  # 320682197503121634… with its check character
MASKED = ID[:6] + "********" + ID[-4:]
RULES = ruleset.load()
ID_HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "身份证号", "拟任职务", "是否留任", "近三年表彰年份", "留任理由"]


def _invoke(*args: object) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _inflated(path: Path, only: str = "") -> bytes:
    """Every part of a zip package (an xlsx) inflated, or only the parts whose name holds ``only``."""
    with zipfile.ZipFile(path) as package:
        return b"".join(package.read(name) for name in package.namelist() if only in name)


def outputs(tmp_path: Path, *inputs: Path, lang: str = "zh", show_id: bool = False) -> tuple[int, dict[str, bytes]]:
    """Every byte rulecheck writes for ``inputs``: each format (stdout and stderr), the workbook, the copies' comments."""
    extra = ["--lang", lang, *(["--show-id"] if show_id else [])]
    written: dict[str, bytes] = {}
    codes = set()
    for fmt in FORMATS:
        result = _invoke(*inputs, "--format", fmt, *extra)
        written[fmt] = result.stdout_bytes + result.stderr_bytes
        codes.add(result.exit_code)
    out = tmp_path / ("shown" if show_id else "masked")
    out.mkdir(exist_ok=True)
    result = _invoke(*inputs, "--report", out / "report.xlsx", "--annotate", out / "copies", "--format", "csv",
                     "--output", out / "out.csv", *extra)
    codes.add(result.exit_code)
    written["--report/--annotate run"] = result.stdout_bytes + result.stderr_bytes
    written["--output csv"] = (out / "out.csv").read_bytes()
    written["--report"] = _inflated(out / "report.xlsx")
    for copy in sorted((out / "copies").rglob("*.xlsx")):
        # The copy is the user's own slate, identity numbers and all; what rulecheck adds is the comments.
        written[f"--annotate {copy.name}"] = _inflated(copy, only="comment")
    assert len(codes) == 1, codes  # every format agrees on the exit code
    return codes.pop(), written


def assert_hidden(written: dict[str, bytes], number: str) -> None:
    """Neither the number as typed nor its characters run together are in any output."""
    forms = {number, re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", number))}
    for where, data in written.items():
        for form in forms:
            assert form.encode() not in data, f"{form} in {where}"


def json_report(*inputs: Path, lang: str = "zh", show_id: bool = False) -> tuple[int, dict[str, Any]]:
    result = _invoke(*inputs, "--format", "json", "--lang", lang, *(["--show-id"] if show_id else []))
    return result.exit_code, json.loads(result.stdout)


def slate(path: Path, rows: list[list[Any]], header: list[str] = ID_HEADER, title: str = "名单") -> Path:
    return workbook(path, [header, *rows], title)


def person(name: str = "张老", township: str = "城南镇", village: str = "一村", number: str = "",
           reason: str = "", years: str = "") -> list[Any]:
    """A retained secretary aged 57 on 2007-10-20: retirement-age at his row unless ``years`` and ``reason`` exempt him."""
    return [township, village, name, "男", "1950.01", number, "书记", "是", years, reason]


CLEAN = [
    [None, None, "李青", "女", "1985.03", "", "委员", "否", "", ""],
    [None, None, "王中", "男", "1970.06", "", "副书记", "否", "", ""],
]


# --------------------------------------------------------------------------- no identity number anywhere


def test_an_identity_number_inside_a_name_is_masked_everywhere(tmp_path: Path) -> None:
    name = f"张三{ID}"
    path = slate(tmp_path / "a.xlsx", [person(name), *CLEAN])
    code, written = outputs(tmp_path, path)
    assert code == 1
    assert_hidden(written, ID)
    for fmt in FORMATS:
        assert f"张三{MASKED}".encode() in written[fmt], fmt
    assert f"张三{MASKED}".encode() in written["--report"]
    assert any(k.startswith("--annotate") and v for k, v in written.items())  # a comment was written, masked
    _, report = json_report(path, show_id=True)
    assert [v["name"] for v in report["violations"] if v["rule"] == "retirement-age"] == [name]


def test_an_identity_number_in_a_township_name_is_masked_in_its_summary(tmp_path: Path) -> None:
    township = f"城南镇{ID}"
    path = slate(tmp_path / "a.xlsx", [person(township=township), *CLEAN])
    code, written = outputs(tmp_path, path, lang="en")
    assert code == 1
    assert_hidden(written, ID)
    _, report = json_report(path)
    assert [row["township"] for row in report["townships"]] == [f"城南镇{MASKED}"]
    assert f"城南镇{MASKED}".encode() in written["junit"]  # the township's test suite is named by it
    _, shown = json_report(path, show_id=True)
    assert [row["township"] for row in shown["townships"]] == [township]


def test_an_identity_number_as_a_sheet_name_is_masked_in_sheet_and_village(tmp_path: Path) -> None:
    header = ["镇(区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"]  # the village is the sheet's name
    rows = [["城南镇", "张老", "男", "1950.01", "书记", "是"], ["城南镇", "李青", "女", "1985.03", "委员", "否"]]
    path = slate(tmp_path / "a.xlsx", rows, header, title=ID)
    code, written = outputs(tmp_path, path)
    assert code == 1
    assert_hidden(written, ID)
    _, report = json_report(path)
    assert report["files"][0]["sheets"] == [MASKED]
    hit = next(v for v in report["violations"] if v["rule"] == "retirement-age")
    assert (hit["sheet"], hit["village"], hit["row"]) == (MASKED, MASKED, 2)
    _, shown = json_report(path, show_id=True)
    assert shown["files"][0]["sheets"] == [ID]
    assert written["--annotate a.xlsx"]  # the copy's comments were written on that sheet, the name masked in them


def test_the_no_header_message_masks_the_row_it_quotes(tmp_path: Path) -> None:
    # 姓名 is the one column it recognises: not enough for a header, so the row is quoted as the likeliest one.
    bad = workbook(tmp_path / "bad.xlsx", [["姓名", ID, "备注"], ["张三", ID, ""]])
    good = good_slate(tmp_path)
    for lang, word in (("zh", "表头"), ("en", "header")):
        code, written = outputs(tmp_path, bad, good, lang=lang)
        assert code == 2
        assert_hidden(written, ID)
        _, report = json_report(bad, good, lang=lang)
        error = next(f["error"] for f in report["files"] if f["path"] == str(bad))
        assert word in error and MASKED in error and "姓名" in error, error
        assert next(f["rows"] for f in report["files"] if f["path"] == str(good)) == 3  # the good slate was checked
    _, shown = json_report(bad, good, show_id=True)
    assert ID in next(f["error"] for f in shown["files"] if f["path"] == str(bad))


def test_a_headerless_sheet_named_by_an_identity_number_is_masked_in_the_note(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "名单"
    for row in [HEADER, *GOOD_ROWS]:
        book.active.append(row)
    book.create_sheet(ID).append(["说明", "无"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    code, written = outputs(tmp_path, path)
    assert code == 1
    assert_hidden(written, ID)
    _, report = json_report(path)
    assert any(MASKED in note for note in report["files"][0]["notes"]), report["files"][0]


FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
MALFORMED = {
    "19 digits": ID + "7",
    "a letter for a digit": ID[:14] + "l" + ID[15:],
    "double spaces": f"{ID[:6]}  {ID[6:14]}  {ID[14:]}",
    "dots": f"{ID[:6]}.{ID[6:14]}.{ID[14:]}",
    "hyphens": f"{ID[:6]}-{ID[6:14]}-{ID[14:]}",
    "a wrong check digit": ID[:17] + ("0" if ID[17] != "0" else "1"),
    "17 digits": ID[:17],
    "a legacy number with a space": f"{ID[:6]} {ID[8:17]}",
    "full-width digits": ID.translate(FULL_WIDTH),
    "full-width with a full-width dot": f"{ID[:6]}.{ID[6:]}".translate(FULL_WIDTH),
}
# Spaces typed inside a number, and full-width digits, are not wrong in themselves: such a number is read.
READ = {"double spaces", "a legacy number with a space", "full-width digits"}


def test_malformed_identity_numbers_are_masked_everywhere(tmp_path: Path) -> None:
    """Each malformed number in its own village: in the 身份证号 column, and quoted in an exemption's evidence."""
    rows = []
    for i, number in enumerate(MALFORMED.values()):
        rows += [person(f"张{i}", village=f"{i}村", number=number), *CLEAN,
                 person(f"赵{i}", village=f"{i}村乙", years="2006、2007", reason=f"确因工作需要,身份证 {number}"), *CLEAN]
    path = slate(tmp_path / "a.xlsx", rows)
    code, written = outputs(tmp_path, path)
    assert code == 1
    _, report = json_report(path)
    _, shown = json_report(path, show_id=True)
    for i, (label, number) in enumerate(MALFORMED.items()):
        assert_hidden(written, number)
        invalid = [v for v in report["violations"] if v["rule"] == "id-number-invalid" and v["village"] == f"{i}村"]
        # A number that is read is reported nowhere but in the evidence; any other is reported invalid, masked.
        assert len(invalid) == (label not in READ), (label, invalid)
        assert all("*" in v["observed"] and "*" in v["message"] for v in invalid), (label, invalid)
        evidence = [e["evidence"] for e in report["exempted"] if e["village"] == f"{i}村乙"]
        assert len(evidence) == 1 and "*" in evidence[0], (label, evidence)
        read = unicodedata.normalize("NFKC", number)  # cells are read NFKC-normalised: full-width digits as digits
        assert [v["observed"] for v in shown["violations"]
                if v["rule"] == "id-number-invalid" and v["village"] == f"{i}村"] == ([] if label in READ else [read])
        assert [e["evidence"] for e in shown["exempted"] if e["village"] == f"{i}村乙"] == [f"确因工作需要,身份证 {read}"]
    comments = written["--annotate a.xlsx"].decode()
    assert comments.count("*") >= 8 * (len(MALFORMED) - len(READ)), comments  # each invalid number's comment, masked


def test_numbers_that_are_not_identity_numbers_are_shown_in_full(tmp_path: Path) -> None:
    """A phone number, a date, a list of years and a 14-digit run are not masked."""
    header = [*ID_HEADER, "提名方式"]
    shown = ["13912345678", "19680512", "2004 2005 2006 2007", "20071020153000"]
    rows = [[*person(), "海选 " + " / ".join(shown)], *([*r, "两推一考"] for r in CLEAN)]
    path = slate(tmp_path / "a.xlsx", rows, header)
    for lang in ("zh", "en"):
        _, report = json_report(path, lang=lang)
        message = next(v["message"] for v in report["violations"] if v["rule"] == "nomination-method")
        assert all(text in message for text in shown), message
        assert ("提名方式" if lang == "zh" else "nominated by") in message


@pytest.mark.parametrize(("text", "masked"), [
    (f"张三{ID}", f"张三{MASKED}"),
    (ID + "7", ID[:6] + "*" * 9 + (ID + "7")[-4:]),
    (ID[:14] + "l" + ID[15:], ID[:6] + "********" + "l" + ID[15:]),
    (f"{ID[:6]}  {ID[6:14]}  {ID[14:]}", MASKED),
    (f"{ID[:6]}.{ID[6:14]}.{ID[14:]}", MASKED),
    (f"{ID[:6]}-{ID[6:14]}-{ID[14:]}", MASKED),
    (f"{ID[:6]} {ID[6:14]} {ID[14:]} 1968.05", f"{MASKED} 1968.05"),  # a number typed next to other numbers
    (f"8 {ID} 58", f"8 {MASKED} 58"),
    (f"{ID}.0", f"{MASKED}.0"),
    (f"ID{ID}", f"ID{MASKED}"),
    (f"{ID}、{ID}", f"{MASKED}、{MASKED}"),
    (f"身份证{ID.translate(FULL_WIDTH)}号", f"身份证{MASKED}号"),  # typed in full-width mode
    (f"{ID[:6]}．{ID[6:]}".translate(FULL_WIDTH), MASKED),
])
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "19680512", "13912345678", "13912345678 1234", "2005、2006、2007", "2004 2005 2006 2007", "2005.01 2008.03 2011.01",
    "1968.05.12 1975.03.12", "第 3、4、5 行", "12345678901234", "0513-87654321", "1234567890123456789012",
    "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", "E2、E4、E6", "v1.2.3-20071020", "２００５ ２００６ ２００７ ２００８",
])
def test_mask_text_leaves_other_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


@given(st.text(alphabet="0123456789 .-、年l", max_size=40))
def test_mask_text_never_lengthens_a_text_or_keeps_a_full_number(text: str) -> None:
    masked = mask_text(text)
    assert len(masked) <= len(text)
    assert mask_text(masked) == masked  # masking is idempotent: a masked text is left as it is


_PATHS = {"path", "file", "files"}  # from the file system, not from a cell: never masked


def _report(text: str) -> Report:
    """A Report with ``text`` in every value that can come from a spreadsheet: names, places, sheet names,
    headers, placeholders, observed values, evidence, remarks' values, townships."""
    where = Location("a.xlsx", text, 2, "C", text)
    values = (("reason", text), ("extra", IdNumber(ID)))
    violation = Violation("id-number-invalid", "error", "person", text, text, text, where, values, text, county=text,
                          files=("a.xlsx",), anchor=where)
    typed = Violation("id-number-invalid", "error", "person", text, text, text, where, (("reason", IdNumber(ID)),),
                      IdNumber(ID))
    number = Violation("id-number-invalid", "error", "person", text, text, text, where, (("reason", 3.20682197503121e17),),
                       int(ID[:-1]))
    file = FileResult("a.xlsx", rows=1, sheets=(text,), error=Note.of("no-header", sheets=text, found=text, expected=text, known=text),
                      notes=(Note.of("sheet-no-header", sheet=text),), passed_over=Note.of("sheet-no-header", sheet=text),
                      unchecked=(Unchecked("id-number-invalid", True, (("id_number",),)),))
    return Report(version="1", ruleset_id="r", ruleset_path="p", as_of="2007-10-20", files=(file,),
                  violations=(violation, typed, number),
                  exempted=(Exemption("retirement-age", text, text, text, where, text, county=text),),
                  townships=(TownshipSummary(text, "2007-10-20", (), (), (), county=text),),
                  notes=(Note.of("township-not-found", township=text),))


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [t for v in value for t in _texts(v)] if isinstance(value, tuple) else []


def _strings(value: Any, name: str = "") -> list[tuple[str, str]]:
    """Every text in a rendered report, with the field it is in."""
    if isinstance(value, str):
        return [(name, value)]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name), f.name)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v, name)]
    if isinstance(value, tuple):
        return [s for v in value for s in _strings(v, name)]
    return []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_text_of_a_rendered_report_holds_an_identity_number(lang: str) -> None:
    """Rendering masks every value that can come from a cell, typed identity numbers whatever their form."""
    text = f"张三{ID}"
    shown = render(_report(text), RULES, lang)
    texts = [(name, value) for name, value in _strings(shown) if name not in _PATHS]
    assert texts and all(ID not in value and ID[:-1] not in value for _, value in texts), texts
    assert f"张三{MASKED}" in shown.violations[0].message and shown.violations[0].observed == f"张三{MASKED}"
    assert shown.violations[1].observed == MASKED and MASKED in shown.violations[1].message
    assert shown.violations[0].anchor == Location("a.xlsx", f"张三{MASKED}", 2, "C", f"张三{MASKED}")
    assert shown.violations[0].column == f"张三{MASKED} (C)"
    assert shown.files[0].sheets == (f"张三{MASKED}",) and MASKED in shown.files[0].error and MASKED in shown.notes[0]
    visible = render(_report(text), RULES, lang, show_id=True)
    assert ID in visible.violations[1].observed and ID in visible.violations[0].message


def test_text_without_an_identity_number_is_shown_as_it_is() -> None:
    shown = render(_report("张三"), RULES)
    assert shown.violations[0].observed == "张三" and shown.violations[0].township == "张三"
    assert shown.exempted[0].evidence == "张三" and shown.townships[0].township == "张三"


def test_an_annotated_copy_finds_a_sheet_by_its_masked_name() -> None:
    assert find_sheet(MASKED, ["名单", ID]) == ID
    assert find_sheet("名单", ["名单", ID]) == "名单"
    assert find_sheet("别的", ["名单", ID]) is None


# --------------------------------------------------------------------------- text is inert

FORGED = "\x1b[2J\x1b[H\r  未发现问题 …"
FAKE_SUMMARY = "\n共检查 1 个文件、3 名人选:0 个错误,0 个警告,0 条提示,0 项豁免,0 个文件无法检查"


def _forging_slate(path: Path) -> Path:
    """A slate whose name and village cells and whose sheet name hold terminal escapes, a CR and a fake summary.

    openpyxl refuses control characters, so they are typed as the _xHHHH_ escapes Excel itself writes
    (calamine reads them back as the characters), and the sheet name is put in workbook.xml by hand.
    """
    def escaped(text: str) -> str:
        return re.sub("[\x00-\x1f]", lambda m: "\n" if m.group(0) == "\n" else f"_x{ord(m.group(0)):04X}_", text)

    name, village = escaped(f"张老{FORGED}{FAKE_SUMMARY}"), escaped(f"一村{FORGED}\x08\x7f\x9b\u202e")
    workbook(path, [HEADER, [GOOD_ROWS[0][0], village, name, *GOOD_ROWS[0][3:]], *GOOD_ROWS[1:]])
    parts = xlsx_parts(path)
    sheet_name = "".join(f"&#{ord(c)};" if ord(c) < 0x20 else c for c in f"名单{FORGED}")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace('name="名单"'.encode(), f'name="{sheet_name}"'.encode())
    return zip_with(path, parts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_control_characters_from_cells_are_shown_escaped(tmp_path: Path, lang: str) -> None:
    path = _forging_slate(tmp_path / "forged.xlsx")
    summary = "共检查" if lang == "zh" else "files "
    for fmt in ("text", "github", "junit"):
        result = _invoke(path, "--format", fmt, "--lang", lang)
        assert result.exit_code == 1, result.stdout
        out = result.stdout
        for char in "\x1b\r\x08\x7f\x9b\u202e":
            assert char not in out, (fmt, repr(char))
        for visible in ("\\x1b[2J\\x1b[H\\r  未发现问题", "\\x08\\x7f\\x9b\\u202e", "\\n共检查"):
            assert visible in out or visible.replace("\\", "\\\\") in out, (fmt, visible)
        lines = out.splitlines()
        if fmt != "junit":
            summaries = [line for line in lines if line.lstrip().startswith(summary)]
            assert len(summaries) == 1, (fmt, summaries)  # the real one; the cell's stays inside its line
            assert len(lines) > 3  # rulecheck's own line breaks stay
        else:
            root = ET.fromstring(out.split("\n", 1)[1])  # still XML, and no element holds a raw control character
            assert all("\x1b" not in (e.text or "") and "\r" not in (e.text or "") for e in root.iter())
        if fmt == "github":  # every annotation stays on its own line; the plain log text is the verdict and the counts
            assert all(line.startswith("::") for line in lines[:-2]) and lines[-1] in summaries
    # JSON keeps the real values (its encoder escapes them); so does CSV.
    _, report = json_report(path, lang=lang)
    hit = next(v for v in report["violations"] if v["rule"] == "retirement-age")
    for key, start in (("name", "张老"), ("village", "一村"), ("sheet", "名单")):
        assert hit[key].startswith(f"{start}\x1b[2J\x1b[H\r  未发现问题"), hit  # (… is read as ..., as NFKC has it)
    assert hit["name"].endswith(FAKE_SUMMARY) and hit["village"].endswith("\x08\x7f\x9b\u202e")
    csv_out = _invoke(path, "--format", "csv", "--lang", lang).stdout
    assert "张老\x1b[2J\x1b[H\r" in csv_out


@pytest.mark.parametrize(("text", "shown"), [
    ("a\x1bb", "a\\x1bb"), ("a\rb", "a\\rb"), ("a\nb", "a\\nb"), ("a\tb", "a\\tb"), ("a\x00b", "a\\x00b"),
    ("a\x7fb", "a\\x7fb"), ("a\x85b", "a\\x85b"), ("a\x9bb", "a\\x9bb"), ("a\u202eb", "a\\u202eb"),
    ("a\u2066b\u2069", "a\\u2066b\\u2069"), ("a\u2028b", "a\\u2028b"),
    ("张三 C:\\data\\x.xlsx", "张三 C:\\data\\x.xlsx"), ("「名单」 …", "「名单」 …"),
])
def test_inert_text(text: str, shown: str) -> None:
    assert inert_text(text) == shown


def test_inert_escapes_every_text_of_a_report_and_leaves_a_plain_one_alone() -> None:
    plain = render(_report("张三"), RULES)
    assert inert(plain) is plain
    shown = inert(render(_report("张三\x1b[2J\n"), RULES))
    for item in (*shown.files, *shown.violations, *shown.exempted, *shown.townships, *shown.files[0].unchecked):
        for f in dataclasses.fields(item):
            if f.name == "person":  # a digest rulecheck makes (hex digits), never shown
                continue
            for value in _texts(getattr(item, f.name)):
                assert "\x1b" not in value and "\n" not in value, (type(item).__name__, f.name, value)
    assert shown.violations[0].name == "张三\\x1b[2J\\n" and "张三\\x1b[2J\\n" in shown.notes[0]
    assert shown.violations[0].anchor.sheet == "张三\\x1b[2J\\n" and shown.violations[0].anchor.column == "C"


def test_a_file_error_quoting_a_cell_reaches_stderr_inert(tmp_path: Path) -> None:
    """The no-header message quotes a row; on stderr (a terminal) its control characters are shown escaped."""
    (tmp_path / "forged.csv").write_text("\x1b[2J\x1b[H伪造,表头,不是名单\n甲,乙,丙\n", encoding="utf-8")
    result = _invoke(tmp_path / "forged.csv")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\\x1b[2J" in result.stderr
