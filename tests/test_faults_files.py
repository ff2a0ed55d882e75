"""Bad input files, built on the fly: each has its own message, exit 2, and the good slate beside it is checked."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from faultkit import (
    GOOD_ROWS, HEADER, SHEET, assert_good_checked, check_bad, good_slate, ods, ods_rows, patched_xlsx, run, workbook,
    xlsx_parts, zip_with,
)
from rulecheck.read import reader

# --------------------------------------------------------------------------- not a spreadsheet at all


@pytest.mark.parametrize(("lang", "words"), [("zh", ["空的", "0 字节"]), ("en", ["empty", "0 bytes"])])
def test_empty_file(tmp_path: Path, lang: str, words: list[str]) -> None:
    bad = tmp_path / "empty.xlsx"
    bad.write_bytes(b"")
    check_bad(tmp_path, bad, *words, lang=lang)


@pytest.mark.parametrize(("lang", "words"), [("zh", ["不是表格", "二进制"]), ("en", ["not a spreadsheet", "binary"])])
def test_random_bytes(tmp_path: Path, lang: str, words: list[str]) -> None:
    bad = tmp_path / "random.xlsx"
    bad.write_bytes(bytes(range(256)) * 20 + os.urandom(4000))
    check_bad(tmp_path, bad, *words, lang=lang)


@pytest.mark.parametrize(("data", "zh", "en"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "图片", "image"),
    (b"Rar!\x1a\x07\x00" + bytes(100), "压缩包", "archive"),
])
def test_other_file_types_are_named(tmp_path: Path, data: bytes, zh: str, en: str) -> None:
    bad = tmp_path / "名单.xls"
    bad.write_bytes(data)
    check_bad(tmp_path, bad, zh, "另存为 .xlsx")
    assert en in run(bad, lang="en").error(bad)


def test_word_document_renamed(tmp_path: Path) -> None:
    bad = zip_with(tmp_path / "名单.xlsx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    check_bad(tmp_path, bad, "Word 文档")


def test_truncated_zip(tmp_path: Path) -> None:
    whole = good_slate(tmp_path, "whole.xlsx").read_bytes()
    bad = tmp_path / "half.xlsx"
    bad.write_bytes(whole[: len(whole) // 2])
    whole_path = tmp_path / "whole.xlsx"
    whole_path.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")
    assert "incomplete or damaged" in run(bad, lang="en").error(bad)


def test_zip_with_a_damaged_part(tmp_path: Path) -> None:
    data = bytearray(good_slate(tmp_path, "whole.xlsx").read_bytes())
    (tmp_path / "whole.xlsx").unlink()
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 10
    data[at:at + 40] = bytes(40)  # inside the first part's deflate stream; the directory is intact
    bad = tmp_path / "damaged.xlsx"
    bad.write_bytes(bytes(data))
    result = run(bad)
    assert result.code == 2 and result.error(bad)


# Header fields of a zip entry, at these offsets in its central directory entry; each sits two
# bytes earlier in the entry's local header.
_FIELDS = {"version": (6, "<H"), "flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "compressed": (20, "<I"),
           "size": (24, "<I")}


def _patched_entry(path: Path, part: str, target: Path, *, local: bool = True, **fields: int) -> Path:
    """A copy of a zip with fields of one entry overwritten in its directory entry (and its local header)."""
    data = bytearray(path.read_bytes())
    name, at, seen = part.encode(), 0, 0
    while (at := data.find(name, at + 1)) > 0:
        for header, signature, shift in ((at - 46, b"PK\x01\x02", 0), (at - 30, b"PK\x03\x04", 2)):
            if data[header:header + 4] == signature and (local or not shift):
                seen += 1
                for field, value in fields.items():
                    offset, layout = _FIELDS[field]
                    struct.pack_into(layout, data, header + offset - shift, value)
    assert seen == 1 + local
    target.write_bytes(bytes(data))
    return target


def _entry(path: Path, part: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(path) as package:
        return package.getinfo(part)


def test_stored_workbook_is_read(tmp_path: Path) -> None:
    """Parts stored without compression, as some tools write them, are read like deflated ones."""
    slate = zip_with(tmp_path / "stored.xlsx", xlsx_parts(good_slate(tmp_path, "source.xlsx")), zipfile.ZIP_STORED)
    assert {info.compress_type for info in zipfile.ZipFile(slate).infolist()} == {zipfile.ZIP_STORED}
    assert_good_checked(run(slate), slate)


def test_zip64_workbook_is_read(tmp_path: Path) -> None:
    """Parts whose local headers carry zip64 extra fields, so their data starts further on."""
    slate = tmp_path / "zip64.xlsx"
    with zipfile.ZipFile(slate, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in xlsx_parts(good_slate(tmp_path, "source.xlsx")).items():
            with package.open(name, "w", force_zip64=True) as part:
                part.write(data)
    data = slate.read_bytes()
    assert all(struct.unpack_from("<H", data, info.header_offset + 28)[0] for info in zipfile.ZipFile(slate).infolist())
    assert_good_checked(run(slate), slate)


# A part calamine never reads unless the workbook points at it, but whose prolog guard checks: long
# enough that only its head is inflated.
TABLE = "xl/tables/table1.xml"
LONG_TABLE = '<?xml version="1.0"?><table xmlns="x">' + "".join(f'<c n="{i}"/>' for i in range(20_000)) + "</table>"


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", TABLE])
def test_truncated_deflate_stream(tmp_path: Path, part: str) -> None:
    """A part whose deflate stream stops short of its end, the directory intact: damaged, whether read whole or in part."""
    source = patched_xlsx(good_slate(tmp_path, "source.xlsx"), tmp_path / "whole.xlsx", {TABLE: LONG_TABLE})
    assert_good_checked(run(source), source, rows=3)
    assert _entry(source, part).compress_size > 100
    bad = _patched_entry(source, part, tmp_path / "cut.xlsx", compressed=16)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_damage_just_past_the_head_of_a_long_part(tmp_path: Path) -> None:
    """Its prolog check inflates the first 1 KiB, and reads ahead 4 KiB as zipfile did: damage at 2 KB is found."""
    text = LONG_TABLE.encode()
    deflate = zlib.compressobj(0, zlib.DEFLATED, -15)  # stored blocks: the second starts after 2,000 bytes
    stream = bytearray(deflate.compress(text[:2000]) + deflate.flush(zlib.Z_FULL_FLUSH))
    second = len(stream)
    stream += deflate.compress(text[2000:]) + deflate.flush()
    assert zlib.decompress(bytes(stream), -15) == text
    stream[second + 3] ^= 0xFF  # the second block's length check (NLEN)
    source = zip_with(tmp_path / "stored.xlsx", {**xlsx_parts(good_slate(tmp_path, "source.xlsx")), TABLE: bytes(stream)},
                      zipfile.ZIP_STORED)
    bad = _patched_entry(source, TABLE, tmp_path / "damaged.xlsx", method=zipfile.ZIP_DEFLATED, crc=zlib.crc32(text),
                         size=len(text))
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_stored_part_shorter_than_its_size(tmp_path: Path) -> None:
    parts = xlsx_parts(good_slate(tmp_path, "source.xlsx"))
    source = zip_with(tmp_path / "stored.xlsx", parts, zipfile.ZIP_STORED)
    bad = _patched_entry(source, SHEET, tmp_path / "short.xlsx", compressed=_entry(source, SHEET).compress_size - 100)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml"])
def test_part_with_an_unknown_compression_method(tmp_path: Path, part: str) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    bad = _patched_entry(source, part, tmp_path / "method.xlsx", method=99)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


@pytest.mark.parametrize("flags", [0x20, 0x40])  # compressed patched data; strong encryption
def test_part_in_a_form_zip_readers_do_not_know(tmp_path: Path, flags: int) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    bad = _patched_entry(source, SHEET, tmp_path / "flags.xlsx", flags=flags)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_parts_compressed_with_bzip2(tmp_path: Path) -> None:
    """A method zipfile inflates but calamine does not: guard checks the parts, calamine refuses the file."""
    bad = zip_with(tmp_path / "bzip2.xlsx", xlsx_parts(good_slate(tmp_path, "source.xlsx")), zipfile.ZIP_BZIP2)
    check_bad(tmp_path, bad, "工作簿已损坏")


@pytest.mark.parametrize(("part", "fields"), [
    (SHEET, {"crc": 0}),
    ("xl/workbook.xml", {"crc": 0}),  # a part small enough to be inflated whole for its prolog check
    (SHEET, {"size": 10**6}),  # the directory overstates the size (understating it: test_faults_hostile.py)
])
def test_part_that_does_not_match_its_directory_entry(tmp_path: Path, part: str, fields: dict[str, int]) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    bad = _patched_entry(source, part, tmp_path / "mismatch.xlsx", **fields)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_local_header_names_another_part(tmp_path: Path) -> None:
    data = good_slate(tmp_path, "source.xlsx").read_bytes()
    (tmp_path / "source.xlsx").unlink()
    at = next(i for i in range(len(data)) if data.startswith(b"PK\x03\x04", i) and data[i + 30:].startswith(SHEET.encode()))
    bad = tmp_path / "renamed.xlsx"
    bad.write_bytes(data[:at + 30] + b"X" + data[at + 31:])
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_directory_pointing_before_the_file_start(tmp_path: Path) -> None:
    """Entry offsets that, once the directory's own offset is accounted for, fall before byte 0."""
    data = bytearray(good_slate(tmp_path, "source.xlsx").read_bytes())
    (tmp_path / "source.xlsx").unlink()
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, struct.unpack_from("<I", data, end + 16)[0] + 10**6)
    bad = tmp_path / "offsets.xlsx"
    bad.write_bytes(bytes(data))
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_zip_needing_a_newer_zip_version(tmp_path: Path) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    bad = _patched_entry(source, SHEET, tmp_path / "version.xlsx", local=False, version=64)
    source.unlink()
    check_bad(tmp_path, bad, "不完整或已损坏")


def test_encrypted_workbook(tmp_path: Path) -> None:
    from msoffcrypto.format import ooxml  # a test extra (pyproject.toml)
    plain = good_slate(tmp_path, "plain.xlsx")
    bad = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, bad.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("123456", target)
    plain.unlink()
    check_bad(tmp_path, bad, "密码", "加密")
    assert "password" in run(bad, lang="en").error(bad)


def test_zip_entry_with_a_password_is_encrypted(tmp_path: Path) -> None:
    data = bytearray(good_slate(tmp_path, "plain.xlsx").read_bytes())
    (tmp_path / "plain.xlsx").unlink()
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the "encrypted" flag of the first entry in the central directory
    bad = tmp_path / "locked.xlsx"
    bad.write_bytes(bytes(data))
    check_bad(tmp_path, bad, "密码")


# --------------------------------------------------------------------------- web exports saved as .xls

_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">
<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><style>td {{ mso-number-format:"\\@"; }}</style>
<script>var rows = "<td>not a cell</td>";</script></head>
<body><table border="1">
<tr><td colspan="7">城南镇村党组织换届拟任人选名单</td></tr>
<tr>{header}</tr>
<tr><td rowspan="3">城南镇</td><td rowspan="3">二村</td><td>赵老</td><td>男</td><td>1949.12</td><td>书记</td><td>是</td></tr>
<tr><td>钱&nbsp;青</td><td>女</td><td>1986.02</td><td>委员</td><td>否</td></tr>
<tr><td>孙<br>中</td><td>男</td><td>1971.07</td><td>副书记</td><td>否</td></tr>
<tr><td colspan="2">合计</td><td>3人</td></tr>
</table></body></html>"""


def test_html_table_saved_as_xls_is_read(tmp_path: Path) -> None:
    page = tmp_path / "导出.xls"
    page.write_bytes(_HTML.format(header="".join(f"<th>{h}</th>" for h in HEADER)).encode("gb18030"))
    good = good_slate(tmp_path)
    result = run(page, good)
    entry = result.file(page)
    assert entry["error"] is None and entry["rows"] == 3 and entry["skipped"] == 1  # the 合计 row
    found = {(v["rule"], v["row"], v["name"]) for v in result.report["violations"] if v["file"] == str(page)}
    assert ("retirement-age", 3, "赵老") in found  # the merged 镇 and 村 cells were filled down
    assert_good_checked(result, good)
    assert result.report["summary"]["rows"] == 6


def test_html_page_without_a_table(tmp_path: Path) -> None:
    bad = tmp_path / "导出.xls"
    bad.write_text("<!DOCTYPE html><html><body><p>会话已过期,请重新登录</p></body></html>", encoding="utf-8")
    check_bad(tmp_path, bad, "网页", "没有表格")
    assert "web page (HTML) with no table" in run(bad, lang="en").error(bad)


_SPREADSHEETML = """<?xml version="1.0" encoding="{encoding}"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <Worksheet ss:Name="三村">
  <Table>
   <Row><Cell ss:MergeAcross="6"><Data ss:Type="String">拟任人选名单</Data></Cell></Row>
   <Row ss:Index="3">{header}</Row>
   <Row>
    <Cell><Data ss:Type="String">城南镇</Data></Cell><Cell><Data ss:Type="String">三村</Data></Cell>
    <Cell><Data ss:Type="String"><html:B>孙</html:B>老</Data></Cell><Cell><Data ss:Type="String">男</Data></Cell>
    <Cell><Data ss:Type="DateTime">1950-01-05T00:00:00.000</Data></Cell><Cell><Data ss:Type="String">书记</Data></Cell>
    <Cell><Data ss:Type="Boolean">1</Data></Cell>
   </Row>
   <Row>
    <Cell ss:Index="3"><Data ss:Type="String">周青</Data></Cell><Cell><Data ss:Type="String">女</Data></Cell>
    <Cell><Data ss:Type="Number">1988.05</Data></Cell><Cell><Data ss:Type="String">委员</Data></Cell>
    <Cell><Data ss:Type="String">否</Data></Cell>
   </Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">填表说明</Data></Cell></Row></Table></Worksheet>
</Workbook>"""


@pytest.mark.parametrize("encoding", ["UTF-8", "GB2312"])
def test_spreadsheetml_2003_saved_as_xls_is_read(tmp_path: Path, encoding: str) -> None:
    header = "".join(f'<Cell><Data ss:Type="String">{h}</Data></Cell>' for h in HEADER)
    document = tmp_path / "导出.xls"
    document.write_bytes(_SPREADSHEETML.format(encoding=encoding, header=header).encode("gb18030" if encoding == "GB2312" else "utf-8"))
    good = good_slate(tmp_path)
    result = run(document, good)
    entry = result.file(document)
    assert entry["error"] is None and entry["rows"] == 2 and entry["sheets"] == ["三村"]
    found = {(v["rule"], v["row"], v["village"], v["name"]) for v in result.report["violations"] if v["file"] == str(document)}
    assert ("retirement-age", 4, "三村", "孙老") in found  # row 4: the title, a skipped row 2, the header in 3
    assert_good_checked(result, good)


def test_tab_separated_text_saved_as_xls_is_read(tmp_path: Path) -> None:
    text = "\r\n".join("\t".join(row) for row in [HEADER, *GOOD_ROWS])
    for encoding in ("utf-16", "gb18030"):
        export = tmp_path / f"导出-{encoding}.xls"
        export.write_bytes(text.encode(encoding))
        result = run(export)
        assert result.file(export)["rows"] == 3
        assert ("retirement-age", 2) in {(v["rule"], v["row"]) for v in result.report["violations"]}


# --------------------------------------------------------------------------- tables rulecheck cannot use


def test_no_recognisable_header_lists_found_and_expected(tmp_path: Path) -> None:
    bad = workbook(tmp_path / "名单.xlsx", [["序号", "名字", "出生", "职位"], [1, "张三", "1960.01", "书记"]], title="Sheet1")
    result = check_bad(tmp_path, bad, "没有找到表头", "「Sheet1」1: 序号、名字、出生、职位", "镇(区)、姓名")
    assert "出生年月" in result.error(bad)  # the columns it would recognise
    en = run(bad, lang="en").error(bad)
    assert "no header row found" in en and "序号、名字" in en and "columns needed include: 镇(区)、姓名" in en


def test_duplicate_header_columns(tmp_path: Path) -> None:
    bad = workbook(tmp_path / "名单.xlsx", [HEADER + ["姓名"], GOOD_ROWS[0] + ["张老"]])
    check_bad(tmp_path, bad, "「姓名」(C 列)和「姓名」(H 列)都对应「姓名」列", "第 1 行")
    assert "'姓名' (column C) and '姓名' (column H) both name the 'name' column" in run(bad, lang="en").error(bad)


def test_required_column_entirely_empty(tmp_path: Path) -> None:
    rows = [[None, *row[1:]] for row in GOOD_ROWS]  # 镇(区) header present, every cell under it blank
    bad = workbook(tmp_path / "名单.xlsx", [HEADER, *rows])
    check_bad(tmp_path, bad, "「镇(区)」", "A 列", "都是空的")
    assert "is empty in all 3 rows" in run(bad, lang="en").error(bad)


def test_name_column_entirely_empty_is_not_a_clean_file(tmp_path: Path) -> None:
    rows = [[*row[:2], None, *row[3:]] for row in GOOD_ROWS]
    bad = workbook(tmp_path / "名单.xlsx", [HEADER, *rows])
    check_bad(tmp_path, bad, "「姓名」", "C 列")


def test_header_without_rows(tmp_path: Path) -> None:
    bad = workbook(tmp_path / "模板.xlsx", [HEADER, [], ["合计"]])
    check_bad(tmp_path, bad, "没有任何人选")
    assert "no candidates under it" in run(bad, lang="en").error(bad)


def test_formula_cells_without_a_cached_value(tmp_path: Path) -> None:
    # openpyxl writes formulas without their results, as do many export tools.
    rows = [HEADER, *[list(r) for r in GOOD_ROWS]]
    rows[1][4] = '=TEXT(DATE(1950,1,1),"yyyy.mm")'
    rows[3][4] = "=E2"
    bad = workbook(tmp_path / "公式.xlsx", rows)
    check_bad(tmp_path, bad, "2 个公式单元格", "E2、E4", "保存")
    assert "formula cells saved without their results (such as E2、E4)" in run(bad, lang="en").error(bad)


def test_formula_outside_the_table_columns_is_harmless(tmp_path: Path) -> None:
    book = tmp_path / "核对.xlsx"
    workbook(book, [HEADER + ["核对"], *[row + [f"=2007-LEFT(E{i + 2},4)"] for i, row in enumerate(GOOD_ROWS)]])
    result = run(book)
    assert result.file(book)["rows"] == 3 and result.code == 1


def test_formula_with_a_cached_value_is_read(tmp_path: Path) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    xml = xlsx_parts(source)[SHEET]
    cached = xml.replace(b'<c r="E2" t="inlineStr"><is><t>1950.01</t></is></c>',
                         b'<c r="E2" t="str"><f>TEXT(1950.01,"0.00")</f><v>1950.01</v></c>')
    assert cached != xml
    book = patched_xlsx(source, tmp_path / "cached.xlsx", {SHEET: cached})
    result = run(book)
    assert ("retirement-age", 2) in {(v["rule"], v["row"]) for v in result.report["violations"]}


# --------------------------------------------------------------------------- text encodings


def test_csv_in_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    bad = tmp_path / "名单.csv"
    bad.write_bytes("镇(区),姓名\n".encode("utf-8") + "Café,Müller\n".encode("cp1252"))
    result = check_bad(tmp_path, bad, "编码", "UTF-8", "GB18030", "第 2 行", "0xE9")
    assert "Caf" not in result.error(bad)  # no mojibake quoted back
    assert "line 2 has the undecodable byte 0xE9" in run(bad, lang="en").error(bad)


def test_big5_csv_is_not_read_as_mojibake(tmp_path: Path) -> None:
    text = "鎮(區),村(社區),姓名,性別,出生年月,擬任職務\n城南鎮,一村,張偉,男,1950.01,書記\n城南鎮,一村,陳麗華,女,1985.03,委員\n"
    bad = tmp_path / "名单.csv"
    bad.write_bytes(text.encode("big5"))
    check_bad(tmp_path, bad, "Big5", "乱码")
    assert "Big5" in run(bad, lang="en").error(bad)


def test_csv_with_bom_and_gb18030_are_read(tmp_path: Path) -> None:
    text = "\n".join(",".join(row) for row in [HEADER, *GOOD_ROWS])
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        slate = tmp_path / f"{encoding}.csv"
        slate.write_bytes(text.encode(encoding))
        assert run(slate).file(slate)["rows"] == 3


# --------------------------------------------------------------------------- files that go away


def test_file_vanishes_during_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = good_slate(tmp_path)
    gone = tmp_path / "gone.xlsx"
    found = reader.find_files

    def find_then_lose(paths: list[Path]) -> list[Path]:
        return [gone] if paths == [tmp_path / "folder"] else found(paths)

    (tmp_path / "folder").mkdir()
    monkeypatch.setattr("rulecheck.run.files.find_files", find_then_lose)
    result = run(tmp_path / "folder", good)
    assert result.code == 2 and "不见了" in result.error(gone)
    assert_good_checked(result, good)


def test_file_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = good_slate(tmp_path, "locked.xlsx")
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object):  # tests run as root: chmod 000 would not stop us
        if Path(path) == bad:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)  # the reader opens with os.open (O_NONBLOCK: nothing can block it)
    check_bad(tmp_path, bad, "没有读取该文件的权限")
    assert "no permission to read" in run(bad, lang="en").error(bad)


def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "名单.xlsx"
    link.symlink_to(tmp_path / "moved-away.xlsx")
    check_bad(tmp_path, link, "快捷方式", "moved-away.xlsx", "不存在")


def test_missing_path(tmp_path: Path) -> None:
    check_bad(tmp_path, tmp_path / "nowhere.xlsx", "文件不存在")


def test_folder_named_like_a_workbook(tmp_path: Path) -> None:
    folder = tmp_path / "x.xlsx"
    folder.mkdir()
    check_bad(tmp_path, folder, "没有找到表格文件")


def test_folder_without_spreadsheets_says_what_it_holds(tmp_path: Path) -> None:
    folder = tmp_path / "材料"
    (folder / "扫描件").mkdir(parents=True)
    (folder / "说明.docx").write_bytes(b"PK")
    (folder / "扫描件" / "名单.pdf").write_bytes(b"%PDF")
    result = check_bad(tmp_path, folder, "没有找到表格文件", "2 个其他文件", "扫描件/名单.pdf", "说明.docx")
    assert "holds 2 other files" in run(folder, lang="en").error(folder)
    assert result.report["summary"]["files"] == 2


def test_lock_files_in_a_folder_are_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    good_slate(folder)
    (folder / "~$good.xlsx").write_bytes(b"\0" * 165)
    result = run(folder)
    assert [f["path"] for f in result.report["files"]] == [str(folder / "good.xlsx")]


# --------------------------------------------------------------------------- rows accounted for


def test_skipped_rows_are_counted_and_shown(tmp_path: Path) -> None:
    rows = [["城南镇村党组织换届拟任人选名单"], HEADER, GOOD_ROWS[0], [], GOOD_ROWS[1], [None, None, None, "女", "1990.01"],
            GOOD_ROWS[2], [], ["合计", None, "3人"], ["备注:本表由镇党委填报"], [], [], []]
    slate = workbook(tmp_path / "名单.xlsx", rows)
    book = openpyxl.load_workbook(slate)
    book.active["A40"].number_format = "0.00"  # formatting far below: padding, not a row
    book.save(slate)
    result = run(slate)
    entry = result.file(slate)
    # Skipped: the blank rows 4 and 8, the row without a name (6), 合计 and the note; not the padding after.
    assert entry["rows"] == 3 and entry["skipped"] == 5
    assert result.report["summary"]["skipped"] == 5 and result.report["summary"]["rows"] == 3
    assert any("第 6 行" in note and "姓名" in note for note in entry["notes"])
    text = run(slate, fmt="text").stdout
    assert "读取 3 名人选" in text and "跳过 5 行" in text and "第 6 行填了内容但没有姓名" in text
    english = run(slate, fmt="text", lang="en").stdout
    assert "5 rows skipped" in english and "rows 6 have cells filled in but no 姓名" in english


def test_every_file_is_accounted_for(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    second = workbook(tmp_path / "second.xlsx", [HEADER, *GOOD_ROWS[:2]])
    result = run(empty, good, second)
    assert [f["path"] for f in result.report["files"]] == [str(empty), str(good), str(second)]
    assert result.report["summary"]["rows"] == 5 and result.code == 2


def test_unread_workbook_bytes_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's bytes are read once: a file replaced half way through a read cannot mix two versions."""
    good = good_slate(tmp_path)
    log = tmp_path / "calls.txt"  # files are read in a forked process: the calls are counted in a file
    real = reader._read_bytes

    def counting(path: Path) -> bytes:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{path}\n")
        return real(path)

    monkeypatch.setattr(reader, "_read_bytes", counting)
    assert_good_checked(run(good), good)
    assert log.read_text(encoding="utf-8").splitlines() == [str(good)]


def test_bytes_that_are_a_zip_but_named_csv_are_read_as_a_workbook(tmp_path: Path) -> None:
    slate = tmp_path / "名单.csv"
    slate.write_bytes(good_slate(tmp_path, "source.xlsx").read_bytes())
    assert run(slate).file(slate)["rows"] == 3


def test_ods_is_read(tmp_path: Path) -> None:
    slate = ods(tmp_path / "名单.ods", ods_rows([HEADER, *GOOD_ROWS]))
    result = run(slate)
    assert result.file(slate)["rows"] == 3
    assert_good_checked(result, slate)
