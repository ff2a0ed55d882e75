"""The guard against the 1 KB files that made calamine abort the process (issue 14), and its bounds.

Each hostile file is first handed to ``guard.open_package`` alone: were the guard to let it through
unchanged, calamine would abort the test process itself, so the guard's answer is asserted before
the file goes anywhere near calamine. Then the command line runs it beside a good slate: the bad
file's message in Chinese and English, exit code 2, and the good slate checked.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from faultkit import GOOD_ROWS, HEADER, SHEET, assert_good_checked, check_bad, good_slate, ods, ods_rows, run, xlsx_parts, zip_with
from rulecheck.read import guard, limits, reader, textsheets
from rulecheck.read.raw import ReadError

RELS = "xl/_rels/workbook.xml.rels"
CORNER = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'


def _with_corner(xml: bytes, corner: bytes = CORNER) -> bytes:
    return xml.replace(b"</sheetData>", corner)


def _package(path: Path) -> guard.Package:
    return guard.open_package(path.read_bytes())


def _assert_read_with_corner_left_out(tmp_path: Path, slate: Path) -> None:
    """The guard closed the gap (so calamine never sees the far corner), and the slate is checked in full."""
    plan = _package(slate).sheets["名单"]
    assert plan.row_numbers is not None and plan.dropped == ("XFD1048576",)
    result = run(slate, good_slate(tmp_path))
    assert_good_checked(result, slate)
    assert any("XFD1048576" in note for note in result.file(slate)["notes"])


def _moved_sheet(tmp_path: Path, part: str, target: str, name: str = "moved.xlsx") -> Path:
    """The good slate with its sheet stored at ``part`` and named by the relationship target ``target``, far corner added."""
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    sheet = _with_corner(parts.pop(SHEET))
    parts[part] = sheet
    parts[RELS] = parts[RELS].replace(b'Target="/xl/worksheets/sheet1.xml"', f'Target="{target}"'.encode())
    return zip_with(tmp_path / name, parts)


# --------------------------------------------------------------------------- 1. sheets wherever the relationships put them


@pytest.mark.parametrize(("part", "target"), [
    ("xl/Foo/Sheet1.XML", "Foo/Sheet1.XML"),  # another folder, upper case
    ("xl/data/s.xml", "/xl/data/s.xml"),  # an absolute target
    ("XL/WORKSHEETS/SHEET1.XML", "worksheets/sheet1.xml"),  # calamine matches zip names without regard to case
    ("xl\\worksheets\\sheet1.xml", "worksheets/sheet1.xml"),  # and reads \ as /
    ("sheet.bin", "/sheet.bin"),  # any name at all
])
def test_a_sheet_stored_outside_xl_worksheets_is_scanned(tmp_path: Path, part: str, target: str) -> None:
    slate = _moved_sheet(tmp_path, part, target)
    _assert_read_with_corner_left_out(tmp_path, slate)


def test_the_workbook_found_through_the_package_relationships(tmp_path: Path) -> None:
    """calamine finds the workbook through _rels/.rels: a workbook in data/ is read there, its sheets too."""
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    moved = {("data/" + name[3:] if name.startswith("xl/") else name): data for name, data in parts.items()}
    moved["_rels/.rels"] = moved["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="data/workbook.xml"')
    moved["data/_rels/workbook.xml.rels"] = moved["data/_rels/workbook.xml.rels"].replace(
        b'Target="/xl/worksheets/sheet1.xml"', b'Target="worksheets/sheet1.xml"')
    moved["data/worksheets/sheet1.xml"] = _with_corner(moved["data/worksheets/sheet1.xml"])
    slate = zip_with(tmp_path / "data.xlsx", moved)
    _assert_read_with_corner_left_out(tmp_path, slate)


def test_a_sheet_of_another_type_under_the_same_name_is_scanned(tmp_path: Path) -> None:
    """calamine reads a sheet by name, the first of that name: a chartsheet's part is scanned too."""
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts["xl/chartsheets/c.xml"] = _with_corner(parts[SHEET])
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"<sheets>", b'<sheets><sheet name="\xe5\x90\x8d\xe5\x8d\x95" sheetId="9" r:id="rId9"/>')
    parts[RELS] = parts[RELS].replace(b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                                      b'officeDocument/2006/relationships/chartsheet" Target="chartsheets/c.xml"/></Relationships>')
    slate = zip_with(tmp_path / "chart.xlsx", parts)
    assert _package(slate).sheets["名单"].dropped == ("XFD1048576",)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_two_parts_whose_names_differ_only_in_case(tmp_path: Path, lang: str) -> None:
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts["xl/worksheets/Sheet1.xml"] = _with_corner(parts[SHEET])
    bad = zip_with(tmp_path / "twice.xlsx", parts)
    with pytest.raises(ReadError):
        _package(bad)
    words = ["Sheet1.xml", "同名", "为安全起见不读取"] if lang == "zh" else ["Sheet1.xml", "two parts", "refused for safety"]
    check_bad(tmp_path, bad, *words, lang=lang)


# --------------------------------------------------------------------------- 2. references read as calamine reads them


@pytest.mark.parametrize("corner", [
    b'<row r="01048576"><c r="XFD01048576"><v>1</v></c></row></sheetData>',  # leading zeros
    b'<row r="1048576"><c r="xfd000000001048576"><v>1</v></c></row></sheetData>',
    b'<row r="1048576"><c s="0"r="XFD1048576"><v>1</v></c></row></sheetData>',  # no space before r
    b'<row r="1048576"><c foo="a>b" r="XFD1048576"><v>1</v></c></row></sheetData>',  # > in an attribute
    b'<row r="5"><c r="XFD5"><v>1</v></c></row><row r="4295016872"><c r="A4295016872"><v>1</v></c></row></sheetData>',
])
def test_far_references_in_any_form_calamine_reads(tmp_path: Path, corner: bytes) -> None:
    """calamine reads XFD01048576 as XFD1048576 (and A4295016872 as A50000: 32 bits wrap)."""
    source = good_slate(tmp_path, "source.xlsx")
    slate = zip_with(tmp_path / "zeros.xlsx", {**xlsx_parts(source), SHEET: _with_corner(xlsx_parts(source)[SHEET], corner)})
    plan = _package(slate).sheets["名单"]
    assert plan.row_numbers is not None and plan.dropped
    result = run(slate, good_slate(tmp_path))
    assert_good_checked(result, slate)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_reference_written_twice_is_refused(tmp_path: Path, lang: str) -> None:
    """calamine takes the second r of <c r="A1" r="XFD1048576">: the gap cannot be closed under it."""
    source = good_slate(tmp_path, "source.xlsx")
    corner = b'<row r="1048576"><c r="A1" r="XFD1048576"><v>1</v></c></row></sheetData>'
    bad = zip_with(tmp_path / "twice.xlsx", {**xlsx_parts(source), SHEET: _with_corner(xlsx_parts(source)[SHEET], corner)})
    with pytest.raises(ReadError):
        _package(bad)
    words = ["「名单」", "XFD1048576", "超过上限"] if lang == "zh" else ["'名单'", "XFD1048576", "over the limit"]
    check_bad(tmp_path, bad, *words, lang=lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cells_placed_by_counting_are_bounded(tmp_path: Path, lang: str) -> None:
    """No reference at all: 3,000 rows of one cell and a row of 3,000 cells lay out 9 million (1.7 KB zipped)."""
    rows = "<row><c><v>1</v></c></row>" * 3000 + "<row>" + "<c><v>1</v></c>" * 3000 + "</row>"
    source = good_slate(tmp_path, "source.xlsx")
    sheet = re.sub(rb"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>".encode(), xlsx_parts(source)[SHEET])
    bad = zip_with(tmp_path / "counted.xlsx", {**xlsx_parts(source), SHEET: sheet})
    with pytest.raises(ReadError) as refused:
        _package(bad)
    assert refused.value.key == "sheet-too-large"
    words = ["「名单」", "9,003,000", "超过上限"] if lang == "zh" else ["'名单'", "9,003,000", "over the limit"]
    check_bad(tmp_path, bad, *words, lang=lang)


def test_cells_placed_by_counting_cannot_hide_behind_quoted_tags(tmp_path: Path) -> None:
    """A quoted "<row r='1'>" in an attribute is no row: the rows are still counted."""
    rows = "<row><c a=\"<row r='1'>\"><v>1</v></c></row>" * 3000 + "<row>" + "<c><v>1</v></c>" * 3000 + "</row>"
    source = good_slate(tmp_path, "source.xlsx")
    sheet = re.sub(rb"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>".encode(), xlsx_parts(source)[SHEET])
    with pytest.raises(ReadError):
        guard.open_package(zip_with(tmp_path / "quoted.xlsx", {**xlsx_parts(source), SHEET: sheet}).read_bytes())


def test_a_sheet_without_references_within_the_bound_is_read(tmp_path: Path) -> None:
    rows = "".join("<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row) + "</row>" for row in [HEADER, *GOOD_ROWS])
    source = good_slate(tmp_path, "source.xlsx")
    sheet = re.sub(rb"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>".encode(), xlsx_parts(source)[SHEET])
    slate = zip_with(tmp_path / "plain.xlsx", {**xlsx_parts(source), SHEET: sheet})
    assert_good_checked(run(slate), slate)


# --------------------------------------------------------------------------- 3. counts declared in the XML


@pytest.mark.parametrize("declared", ['uniqueCount="4294967295"', 'count="1" uniqueCount="04294967295"',
                                      "uniqueCount='18446744073709551615'", 'count="4294967295"'])
def test_an_impossible_shared_strings_count_is_taken_out(tmp_path: Path, declared: str) -> None:
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               f'{declared}><si><t>x</t></si></sst>').encode()
    source = good_slate(tmp_path, "source.xlsx")
    slate = zip_with(tmp_path / "strings.xlsx", {**xlsx_parts(source), "xl/sharedStrings.xml": strings})
    package = _package(slate)
    with zipfile.ZipFile(io.BytesIO(package.data)) as copy:
        handed = copy.read("xl/sharedStrings.xml")
    assert b"4294967295" not in handed and b"18446744073709551615" not in handed and b"<si><t>x</t></si>" in handed
    assert slate.read_bytes() != package.data  # the input file itself is never changed
    assert_good_checked(run(slate, good_slate(tmp_path)), slate)


def test_a_possible_shared_strings_count_is_left_alone(tmp_path: Path) -> None:
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'count="2" uniqueCount="1"><si><t>x</t></si></sst>').encode()
    source = good_slate(tmp_path, "source.xlsx")
    slate = zip_with(tmp_path / "strings.xlsx", {**xlsx_parts(source), "xl/sharedStrings.xml": strings})
    assert _package(slate).data == slate.read_bytes()


# --------------------------------------------------------------------------- 4. OpenDocument read token by token

FLOOD = ('<table:table-row {attributes}><table:table-cell table:number-columns-repeated="7" office:value-type="string">'
         "<text:p>x</text:p></table:table-cell></table:table-row>")


@pytest.mark.parametrize("attributes", [
    'table:style-name="a>b" table:number-rows-repeated="100000000"',
    "table:style-name='<x' table:number-rows-repeated='100000000'",
    'table:number-rows-repeated="+100000000"',  # Rust's integer parse takes a leading +
    'table:number-rows-repeated="&#49;00000000"',  # calamine unescapes the row count
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ods_repeats_that_attributes_cannot_hide(tmp_path: Path, attributes: str, lang: str) -> None:
    bad = ods(tmp_path / "名单.ods", ods_rows([HEADER, *GOOD_ROWS]) + FLOOD.format(attributes=attributes))
    assert bad.stat().st_size < 2000
    with pytest.raises(ReadError):
        _package(bad)
    words = ["「名单」", "超过上限"] if lang == "zh" else ["'名单'", "over the limit"]
    check_bad(tmp_path, bad, *words, lang=lang)


def test_ods_cell_hidden_behind_a_comment(tmp_path: Path) -> None:
    """A comment inside a cell that reads "</table:table-row>" does not end the row."""
    row = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell><text:p><!-- </table:table-row> -->'
           '</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
           'office:value="1"/></table:table-row>')
    bad = ods(tmp_path / "名单.ods", ods_rows([HEADER, *GOOD_ROWS]) + row)
    with pytest.raises(ReadError):
        _package(bad)


# --------------------------------------------------------------------------- 5. text sheets bounded while they are read


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_csv_is_refused_at_the_row_that_passes_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 1000)
    bad = tmp_path / "名单.csv"
    bad.write_text(",".join(HEADER) + "\n" + "1,2,3,4,5,6,7,8,9,0\n" * 100_000, encoding="utf-8")
    read = 0
    real_reader = textsheets.csv.reader

    def counting(lines, **kwargs):  # noqa: ANN001, ANN003
        nonlocal read
        for row in real_reader(lines, **kwargs):
            read += 1
            yield row

    monkeypatch.setattr(textsheets.csv, "reader", counting)
    words = ["「名单」", "第 101 行", "1,010 个单元格", "上限 1,000", "拆分"] if lang == "zh" else \
        ["'名单'", "by row 101", "1,010 cells", "at most 1,000 cells", "split it"]
    check_bad(tmp_path, bad, *words, lang=lang)
    assert read <= 101 + 3  # the 100,001 rows were never parsed (the good slate is xlsx)


def test_html_and_spreadsheetml_count_rows_times_the_widest_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 1000)
    page = "<table><tr>" + "<td>x</td>" * 100 + "</tr>" + "<tr><td>1</td></tr>" * 20 + "</table>"
    with pytest.raises(ReadError) as refused:
        textsheets.read_html("页", page.encode())
    assert refused.value.key == "text-too-big" and refused.value.params["rows"] == "11"
    cells = "<Cell><Data ss:Type=\"String\">x</Data></Cell>"
    document = ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表"><Table>'
                f"<Row>{cells * 100}</Row>" + f"<Row>{cells}</Row>" * 20 + "</Table></Worksheet></Workbook>")
    with pytest.raises(ReadError) as refused:
        textsheets.read_spreadsheetml("表", document.encode())
    assert refused.value.params["sheet"] == "表" and refused.value.params["rows"] == "11"


def test_csv_lines_end_as_csv_reads_them() -> None:
    for text in ["a,b\r\nc,d\r\n", "a,b\nc,d", "a,b\rc,d\r", 'a,"b\r\nc",d\n', "a\r\n\r\nb"]:
        assert list(textsheets._lines(text)) == list(io.StringIO(text, newline="")), text


# --------------------------------------------------------------------------- 6. a big table is named for what it is


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_real_table_over_the_bound_is_named_by_its_rows_and_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                       lang: str) -> None:
    bad = tmp_path / "big.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "全县"
    book.active.append(HEADER)
    for i in range(40):
        book.active.append(["城南镇", "一村", f"人{i}", "男", "1970.01", "委员", "否"])
    book.save(bad)
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 200)
    words = ["「全县」", "41 行 × 7 列", "287 个单元格", "上限 200", "拆分"] if lang == "zh" else \
        ["'全县'", "41 rows × 7 columns", "287 cells", "at most 200 cells", "split it"]
    check_bad(tmp_path, bad, *words, lang=lang)


def test_the_bound_holds_a_provinces_slate() -> None:
    """200,000 candidates × 20 columns, with a title and header row, fit in one sheet."""
    assert 200_002 * 20 <= limits.MAX_SHEET_CELLS


# --------------------------------------------------------------------------- 7. hidden rows


def test_hidden_rows_of_an_xlsx_sheet(tmp_path: Path) -> None:
    slate = tmp_path / "hidden.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "名单"
    for row in [HEADER, *GOOD_ROWS]:
        book.active.append(row)
    book.active.row_dimensions[3].hidden = True
    book.active.row_dimensions[9].hidden = True  # hidden, but empty: nothing to say
    book.save(slate)
    assert _package(slate).sheets["名单"].hidden_rows == (3,)
    assert [sheet.hidden_rows for sheet in reader.read_rows(slate)] == [(3,)]
    assert_good_checked(run(slate), slate)


def test_hidden_rows_counted_without_references_and_with_true() -> None:
    xml = (b'<worksheet><sheetData><row r="2"><c r="A2"><v>1</v></c></row><row hidden="true"><c><v>1</v></c></row>'
           b'<row r="7" hidden="1"/><row r="9" s="1" hidden="1"><c r="A9"><v>2</v></c></row></sheetData></worksheet>')
    assert guard._hidden_rows(xml) == (3, 9)
    assert guard._hidden_rows(xml.replace(b"hidden", b"shown")) == ()


def test_hidden_rows_of_an_ods_sheet(tmp_path: Path) -> None:
    rows = ods_rows([HEADER, *GOOD_ROWS]).split("</table:table-row>")
    rows[2] = rows[2].replace("<table:table-row>", '<table:table-row table:visibility="collapse">')
    slate = ods(tmp_path / "名单.ods", "</table:table-row>".join(rows))
    assert _package(slate).sheets["名单"].hidden_rows == (3,)
    assert_good_checked(run(slate), slate)


def test_the_benchmark_sheets_take_the_glance_only() -> None:
    """A township's slate as generate.py writes it clears the glance: no full scan on the hot path."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import generate

    _name, data, _entry = generate.workbook(2007, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml")
    assert guard._glance_all(xml) == (False, False, False)


# --------------------------------------------------------------------------- binary workbooks


def _binary_records(data: bytes):  # noqa: ANN202
    """(type, offset of the body) of each BIFF12 record."""
    i = 0
    while i < len(data):
        kind = data[i]
        i += 1
        if kind & 0x80:
            kind, i = (kind & 0x7F) | (data[i] & 0x7F) << 7, i + 1
        size = shift = 0
        for _ in range(4):
            byte = data[i]
            i += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, i
        i += size


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_binary_workbook_is_refused(tmp_path: Path, lang: str) -> None:
    """An .xlsb whose first row is row 1,048,576 and first cell column XFD: calamine would abort; its sheets are not scanned."""
    import struct

    sheet = bytearray()
    for kind, body in [(0, struct.pack("<IIBBHxxII", 1048575, 0, 0, 0, 0, 0, 0)), (5, struct.pack("<IId", 16383, 0, 1.0))]:
        sheet += bytes([kind, len(body)]) + body  # BrtRowHdr, BrtCellReal: type and size fit one byte each
    assert [kind for kind, _ in _binary_records(bytes(sheet))] == [0, 5]
    bad = zip_with(tmp_path / "binary.xlsx", {
        "[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>", "xl/workbook.bin": b"\x83\x01\x00",
        "xl/_rels/workbook.bin.rels": "<Relationships/>", "xl/worksheets/sheet1.bin": bytes(sheet)})
    with pytest.raises(ReadError) as refused:
        _package(bad)
    assert refused.value.key == "xlsb-unsupported"
    words = [".xlsb", "另存为 .xlsx"] if lang == "zh" else [".xlsb", "save it as .xlsx"]
    check_bad(tmp_path, bad, *words, lang=lang)
