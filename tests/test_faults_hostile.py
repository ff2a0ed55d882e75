"""Hostile files: refused, or read within bounds, in bounded time and memory; never a hang or a killed process."""

from __future__ import annotations

import json
import re
import resource
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from faultkit import (
    BILLION_LAUGHS,
    GOOD_ROWS, HEADER, SHEET, assert_good_checked, check_bad, good_slate, ods, ods_rows, patched_xlsx, run, workbook,
    xlsx_parts, zip_with,
)
from rulecheck.read import limits, reader

SECONDS = 2.0  # every hostile file is dealt with well within this, on a slow machine


def timed_read(path: Path) -> float:
    """Seconds to read (or refuse) a file, without the command line's start-up."""
    start = time.perf_counter()
    try:
        reader.read_rows(path)
    except reader.ReadError:
        pass
    return time.perf_counter() - start


def _sheet_xml(rows: str, dimension: str = "A1:G4") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _row(number: int, values: list[str], first_column: str = "A") -> str:
    cells = "".join(
        f'<c r="{chr(ord(first_column) + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'




# --------------------------------------------------------------------------- XML that would expand without limit


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_billion_laughs_in_a_sheet(tmp_path: Path, lang: str) -> None:
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "laughs.xlsx", {SHEET: BILLION_LAUGHS})
    words = ["xl/worksheets/sheet1.xml", "DTD", "安全"] if lang == "zh" else ["xl/worksheets/sheet1.xml", "DTD", "refused for safety"]
    check_bad(tmp_path, bad, *words, lang=lang)
    assert timed_read(bad) < SECONDS


def test_quadratic_blowup_in_shared_strings(tmp_path: Path) -> None:
    entity = "A" * 50_000
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "{entity}">]>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               f'<si><t>{"&a;" * 50_000}</t></si></sst>').encode()
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "quadratic.xlsx", {"xl/sharedStrings.xml": strings})
    check_bad(tmp_path, bad, "xl/sharedStrings.xml", "<!DOCTYPE>")
    assert timed_read(bad) < SECONDS


def test_entity_declaration_after_comments_and_a_byte_order_mark(tmp_path: Path) -> None:
    styles = (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- exported -->\n<!-- by a tool -->\n"
              b'<!DOCTYPE styleSheet SYSTEM "http://example.invalid/styles.dtd"><styleSheet/>')
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "external.xlsx", {"xl/styles.xml": styles})
    check_bad(tmp_path, bad, "xl/styles.xml", "DTD")


def test_a_prolog_that_never_ends(tmp_path: Path) -> None:
    endless = b'<?xml version="1.0"?>' + b"<!-- padding -->" * (limits.MAX_XML_PROLOG // 16 + 10) + BILLION_LAUGHS[22:]
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "prolog.xlsx", {SHEET: endless})
    check_bad(tmp_path, bad, "xl/worksheets/sheet1.xml", f"{limits.MAX_XML_PROLOG}")


def test_billion_laughs_in_spreadsheetml(tmp_path: Path) -> None:
    document = (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n' + BILLION_LAUGHS[22:BILLION_LAUGHS.index(b"]>") + 3]
                + b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data>&lol9;'
                b"</Data></Cell></Row></Table></Worksheet></Workbook>")
    bad = tmp_path / "laughs.xls"
    bad.write_bytes(document)
    check_bad(tmp_path, bad, "DTD")
    assert timed_read(bad) < SECONDS


# --------------------------------------------------------------------------- zip bombs


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts["xl/media/image1.png"] = bytes(40 * limits.MiB)  # 40 MiB of zeros: about 40 KB deflated
    bad = zip_with(tmp_path / "bomb.xlsx", parts)
    assert bad.stat().st_size < limits.MiB
    check_bad(tmp_path, bad, "xl/media/image1.png", "压缩比", f"{limits.MAX_RATIO}:1", "压缩炸弹")
    assert "a likely zip bomb" in run(bad, lang="en").error(bad)
    assert timed_read(bad) < SECONDS


def test_zip_bomb_by_declared_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PART_BYTES", 64 * 1024)
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts["xl/worksheets/sheet1.xml"] = _sheet_xml("".join(_row(i, HEADER) for i in range(1, 800)))
    bad = zip_with(tmp_path / "big.xlsx", parts)
    check_bad(tmp_path, bad, "xl/worksheets/sheet1.xml", "解压后", "0.1 MiB")


def test_zip_bomb_by_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 32 * 1024)
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts.update({f"xl/media/image{i}.bin": bytes(range(256)) * 40 for i in range(5)})
    bad = zip_with(tmp_path / "many.xlsx", parts)
    check_bad(tmp_path, bad, "解压后共")


def test_zip_whose_directory_understates_sizes(tmp_path: Path) -> None:
    """A central directory that lies about a part's size: the part is found out when inflated."""
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    parts[SHEET] = _sheet_xml("".join(_row(i, ["x"] * 7) for i in range(1, 5000)))
    data = bytearray(zip_with(tmp_path / "honest.xlsx", parts).read_bytes())
    name = SHEET.encode()
    at = 0
    while (at := data.find(name, at + 1)) > 0:
        if data[at - 46:at - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, at - 46 + 24, 1000)  # central directory: uncompressed size
        if data[at - 30:at - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, at - 30 + 22, 1000)  # local header: uncompressed size
    bad = tmp_path / "liar.xlsx"
    bad.write_bytes(bytes(data))
    (tmp_path / "honest.xlsx").unlink()
    check_bad(tmp_path, bad, "损坏")


def test_zip_with_too_many_entries(tmp_path: Path) -> None:
    parts: dict[str, bytes | str] = dict(xlsx_parts(good_slate(tmp_path, "source.xlsx")))
    parts.update({f"customXml/item{i}.bin": b"" for i in range(limits.MAX_ZIP_ENTRIES)})
    bad = zip_with(tmp_path / "entries.xlsx", parts, zipfile.ZIP_STORED)
    check_bad(tmp_path, bad, f"{limits.MAX_ZIP_ENTRIES}")
    assert timed_read(bad) < SECONDS


# --------------------------------------------------------------------------- sheets that claim or reach far


def test_absurd_dimension_in_the_sheet_header(tmp_path: Path) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    xml = xlsx_parts(source)[SHEET]
    dimension = re.sub(rb'<dimension ref="A1:G4"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    assert dimension != xml
    slate = patched_xlsx(source, tmp_path / "dimension.xlsx", {SHEET: dimension})
    assert_good_checked(run(slate), slate)
    assert timed_read(slate) < SECONDS


# calamine reads column letters of either case: r="xfd1048576" is the same far corner.
@pytest.mark.parametrize("ref", ['r="XFD1048576"', "r = 'XFD1048576'", 'r\n="XFD1048576"', 'r="xfd1048576"', "r='Xfd1048576'"])
def test_two_cells_at_opposite_corners(tmp_path: Path, ref: str) -> None:
    """calamine would lay out 17 billion cells (550 GB) and abort the process; rulecheck reads the table."""
    source = good_slate(tmp_path, "source.xlsx")
    xml = xlsx_parts(source)[SHEET]
    corner = f'<row r="1048576"><c {ref} t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()
    slate = patched_xlsx(source, tmp_path / "corners.xlsx", {SHEET: xml.replace(b"</sheetData>", corner)})
    result = run(slate)
    assert_good_checked(result, slate)
    assert any("XFD1048576" in note for note in result.file(slate)["notes"])  # left out, and said so
    assert timed_read(slate) < SECONDS


def test_a_stray_value_in_the_last_row(tmp_path: Path) -> None:
    slate = workbook(tmp_path / "stray.xlsx", [HEADER, *GOOD_ROWS])
    book = openpyxl.load_workbook(slate)
    book.active["A1048576"] = "x"
    book.save(slate)
    result = run(slate)
    assert_good_checked(result, slate)
    entry = result.file(slate)
    assert entry["skipped"] == 1  # the stray row itself; the blank gap is reported, not counted
    assert any("1048576" in note and "空行" in note for note in entry["notes"])
    assert timed_read(slate) < SECONDS


def test_candidates_after_a_long_blank_gap_are_found(tmp_path: Path) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    xml = xlsx_parts(source)[SHEET]
    late = _row(600_000, ["城南镇", "五村", "吴老", "男", "1948.03", "书记", "是"]) + "</sheetData>"
    slate = patched_xlsx(source, tmp_path / "gap.xlsx", {SHEET: xml.replace(b"</sheetData>", late.encode())})
    result = run(slate)
    entry = result.file(slate)
    assert entry["rows"] == 4 and entry["skipped"] == 0
    assert ("retirement-age", 600_000, "吴老") in {(v["rule"], v["row"], v["name"]) for v in result.report["violations"]}
    assert any("600000" in note for note in entry["notes"])
    assert timed_read(slate) < SECONDS


def test_a_sheet_with_more_cells_than_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 100)
    rows = "".join(_row(i, ["城南镇", "一村", f"人{i}", "男", "1970.01", "委员", "否"]) for i in range(2, 40))
    source = good_slate(tmp_path, "source.xlsx")
    bad = patched_xlsx(source, tmp_path / "wide.xlsx", {SHEET: _sheet_xml(_row(1, HEADER) + rows + _row(1, ["x"], "Z"))})
    good = good_slate(tmp_path)
    result = run(bad, good)
    # 274 cells of a 39 × 26 grid: a table bigger than the bound, named for its size (not as stray cells)
    assert result.code == 2 and "上限 100 个单元格" in result.error(bad) and "「名单」" in result.error(bad)
    assert "39 行 × 26 列" in result.error(bad)


def test_cells_counted_without_references_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells placed by counting (no r attribute) cannot pass the bound either."""
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 50)
    body = "<row>" + "<c><v>1</v></c>" * 60 + "</row>" + _row(2, ["x"], "A").replace('r="A2"', 'r="AA70000"')
    bad = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "counted.xlsx", {SHEET: _sheet_xml(body)})
    check_bad(tmp_path, bad, "超过上限 50")


def test_ods_with_repeats_as_libreoffice_writes_them(tmp_path: Path) -> None:
    padding = ('<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="1024"/>'
               "</table:table-row>")
    slate = ods(tmp_path / "名单.ods", ods_rows([HEADER, *GOOD_ROWS]) + padding)
    assert_good_checked(run(slate), slate)
    assert timed_read(slate) < SECONDS


def test_ods_with_a_value_repeated_over_the_whole_grid(tmp_path: Path) -> None:
    flood = ('<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384" '
             'office:value-type="float" office:value="1"/></table:table-row>')
    bad = ods(tmp_path / "名单.ods", ods_rows([HEADER, *GOOD_ROWS]) + flood)
    check_bad(tmp_path, bad, "「名单」", "XFD1048576", "超过上限")
    assert timed_read(bad) < SECONDS


def test_html_with_absurd_spans(tmp_path: Path) -> None:
    header = "".join(f"<td>{h}</td>" for h in HEADER)
    page = (f'<table><tr><td colspan="999999999">标题</td></tr><tr>{header}</tr>'
            '<tr><td rowspan="2147483647">城南镇</td><td>一村</td><td>张老</td><td>男</td><td>1950.01</td><td>书记</td><td>是</td></tr>'
            "</table>")
    slate = tmp_path / "spans.xls"
    slate.write_text(page, encoding="utf-8")
    assert run(slate).file(slate)["rows"] == 1
    assert timed_read(slate) < SECONDS


def test_spreadsheetml_with_far_indexes(tmp_path: Path) -> None:
    cells = "".join(f"<Cell><Data ss:Type=\"String\">{h}</Data></Cell>" for h in HEADER)
    person = "".join(f"<Cell><Data ss:Type=\"String\">{v}</Data></Cell>" for v in ["城南镇", "一村", "张老", "男", "1950.01", "书记", "是"])
    document = (
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="名单"><Table>'
        f'<Row>{cells}<Cell ss:Index="16384" ss:MergeAcross="999999"><Data ss:Type="String">x</Data></Cell></Row>'
        f'<Row ss:Index="1048576">{person}</Row></Table></Worksheet></Workbook>')
    slate = tmp_path / "far.xls"
    slate.write_text(document, encoding="utf-8")
    result = run(slate)
    assert ("retirement-age", 1048576) in {(v["rule"], v["row"]) for v in result.report["violations"]}
    assert timed_read(slate) < SECONDS


def test_csv_with_an_unclosed_quote(tmp_path: Path) -> None:
    bad = tmp_path / "名单.csv"
    bad.write_text("镇(区),姓名\n城南镇,\"" + "张" * 200_000 + "\n", encoding="utf-8")
    check_bad(tmp_path, bad, "CSV 文件格式有误")


# --------------------------------------------------------------------------- the whole process, memory capped

MEMORY_CAP = 1 << 30  # address space for the whole rulecheck process: Python, pandas and the files


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS caps memory this way on Linux only")
def test_hostile_files_together_under_a_memory_cap(tmp_path: Path) -> None:
    """One process over every hostile file and a good slate, its address space capped at 1 GiB:
    nothing is killed or aborts, each hostile file is refused or read, the good slate is checked."""
    source = good_slate(tmp_path, "source.xlsx")
    xml = xlsx_parts(source)[SHEET]
    corner = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    files = {
        "laughs": patched_xlsx(source, tmp_path / "laughs.xlsx", {SHEET: BILLION_LAUGHS}),
        "bomb": zip_with(tmp_path / "bomb.xlsx", {**xlsx_parts(source), "xl/media/zeros.bin": bytes(64 * limits.MiB)}),
        "corner": patched_xlsx(source, tmp_path / "corner.xlsx", {SHEET: corner}),
    }
    good = good_slate(tmp_path)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rulecheck", *map(str, files.values()), str(good), "--format", "json"],
                          capture_output=True, text=True, preexec_fn=cap, timeout=120)
    elapsed = time.perf_counter() - start
    assert done.returncode == 2, done.stderr[-2000:]
    report = json.loads(done.stdout)
    errors = {Path(f["path"]).stem: f["error"] for f in report["files"]}
    assert "DTD" in errors["laughs"] and "压缩比" in errors["bomb"] and errors["corner"] is None
    assert {(f["path"], f["rows"]) for f in report["files"]} >= {(str(good), 3), (str(files["corner"]), 3)}
    assert elapsed < 60  # start-up included; each file itself takes milliseconds
