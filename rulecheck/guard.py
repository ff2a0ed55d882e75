"""What a file really is, and whether it is safe to hand to a parser, decided before any parser sees it.

Offices rename files freely: an HTML page or a SpreadsheetML 2003 document saved as ``.xls``, a
workbook named ``.csv``, a half-copied download. The first bytes say what a file is; the suffix
only chooses which files a folder search picks up.

A zip package (xlsx, xlsm, ods) is checked from its central directory before anything is
inflated (entry count, inflated sizes, compression ratio); its parts are then inflated straight
from the bytes in memory, and one read whole must match its directory entry's size and CRC-32.
Its XML parts must have no DTD, and every worksheet is scanned for where its cells really are:
calamine lays a sheet out as a dense grid from A1 to the farthest cell, so two cells at A1 and
XFD1048576 would ask for 550 GB and abort the process (tafia/calamine issue 693). A sheet whose
grid would pass ``MAX_SHEET_CELLS`` only because of a long blank gap is handed to calamine with
the gap closed, and the real row numbers are kept beside it.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from rulecheck import limits
from rulecheck.raw import ReadError, Term

class _lazy:  # noqa: N801 - stands in for a compiled pattern
    """A regular expression compiled on first use: most runs never need the full scans, and start-up counts."""

    def __init__(self, pattern: bytes, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str):
        return getattr(re.compile(self.pattern, self.flags), name)  # re keeps compiled patterns cached


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"PK\x07\x08", "zip"), (OLE2, "ole2"),
    (b"%PDF", "pdf"), (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"), (b"BM", "image"),
    (b"Rar!", "archive"), (b"7z\xbc\xaf\x27\x1c", "archive"), (b"\x1f\x8b", "archive"), (b"{\\rtf", "rtf"),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def identify(data: bytes) -> str:
    """What the bytes are: empty, zip, ole2, html, spreadsheetml, xml, text, or pdf/image/archive/rtf/binary."""
    if not data:
        return "empty"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    elif b"\0" in head:
        return "binary"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text and b"<workbook" in text:
        return "spreadsheetml"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body", b"<style")) or (
        text.startswith(b"<") and (b"<html" in text or b"<table" in text)
    ):
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml"
    return "text"


# --------------------------------------------------------------------------- zip packages


@dataclass(frozen=True)
class SheetPlan:
    """How to read one sheet: where its rows really are, and cells calamine would show blank."""

    row_numbers: tuple[int, ...] | None = None  # rows[i] is Excel row row_numbers[i]; None: row i + 1
    uncached: tuple[tuple[int, int], ...] = ()  # 0-based (row, column) of formulas saved without a value
    dropped: tuple[str, ...] = ()  # cells far right of any table, not read (the first few)
    hidden_rows: tuple[int, ...] = ()  # Excel row numbers of rows marked hidden


@dataclass(frozen=True)
class Package:
    """A checked package: the bytes to hand calamine and, per sheet name, what to know when reading it."""

    data: bytes
    kind: str  # "xlsx" or "ods"
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    made_by: str | None = None  # "report" or "annotated": a workbook rulecheck wrote (its custom property)


class _Book(zipfile.ZipFile):
    """A package's central directory, read by zipfile, beside the bytes its parts are inflated from."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.data = data


def open_package(data: bytes) -> Package:
    """Check a zip package before any parser inflates it; raises ReadError naming the bound passed."""
    try:
        book = _Book(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        raise ReadError("zip-damaged") from None  # NotImplementedError: a zip version zipfile does not know
    entries = book.infolist()
    if len(entries) > limits.MAX_ZIP_ENTRIES:
        raise ReadError("zip-entries", count=len(entries), limit=limits.MAX_ZIP_ENTRIES)
    total = 0
    for info in entries:
        if info.flag_bits & 0x1:
            raise ReadError("encrypted")
        total += info.file_size
        if info.file_size > limits.MAX_PART_BYTES:
            raise ReadError("zip-part-size", part=info.filename, size=_mib(info.file_size), limit=_mib(limits.MAX_PART_BYTES))
        if info.file_size > limits.RATIO_FLOOR and info.file_size > limits.MAX_RATIO * max(info.compress_size, 1):
            raise ReadError("zip-ratio", part=info.filename, ratio=info.file_size // max(info.compress_size, 1),
                            limit=limits.MAX_RATIO)
    if total > limits.MAX_TOTAL_BYTES:
        raise ReadError("zip-total-size", size=_mib(total), limit=_mib(limits.MAX_TOTAL_BYTES))
    names = set(book.namelist())
    kind = _package_kind(book, names)
    parsed = _XLSX_PARSED if kind == "xlsx" else _ODS_PARSED
    for info in entries:
        if parsed.match(info.filename):
            _check_prolog(book, info)
    if kind == "ods":
        _check_ods(_read(book, book.getinfo("content.xml"), limits.MAX_PART_BYTES + 1))
        return Package(data, kind)
    package = _plan_sheets(book, data)
    made_by = _made_by(book, names)
    return package if made_by is None else Package(package.data, package.kind, package.sheets, made_by)


# The custom document property that marks a workbook rulecheck wrote (the report, an annotated copy).
MARK_PROPERTY = "rulecheck"
_MARK = _lazy(rb'name="' + MARK_PROPERTY.encode() + rb'"[^>]*>\s*<vt:lpwstr>([a-z]+)</vt:lpwstr>')


def _made_by(book: _Book, names: set[str]) -> str | None:
    """"report" or "annotated" where the workbook carries rulecheck's mark; None for anyone else's."""
    if "docProps/custom.xml" not in names:
        return None
    info = book.getinfo("docProps/custom.xml")
    if info.file_size > limits.MiB:
        return None
    found = _MARK.search(_read(book, info, limits.MiB + 1))
    return found.group(1).decode() if found else None


def _package_kind(book: _Book, names: set[str]) -> str:
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        mimetype = _read(book, book.getinfo("mimetype"), 200).strip()
        if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        raise ReadError("not-a-spreadsheet", what=Term("what-odf"))
    if any(n.startswith("word/") for n in names):
        raise ReadError("not-a-spreadsheet", what=Term("what-docx"))
    if any(n.startswith("ppt/") for n in names):
        raise ReadError("not-a-spreadsheet", what=Term("what-pptx"))
    raise ReadError("not-a-spreadsheet", what=Term("what-zip"))


def _read(book: _Book, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Up to ``limit`` inflated bytes of an entry, inflated straight from the package's bytes; a damaged entry is a damaged file.

    At least ``_READ_AHEAD`` bytes more are inflated, as zipfile did, reading ahead, so damage
    there is found as it was. An entry that ends within them is inflated whole and must come out
    at the size and CRC-32 its directory entry gives; a longer one must have all of them.
    """
    raw = _entry_bytes(book.data, info)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _read_other(book, info, limit)  # bzip2, lzma: calamine refuses them later, as before
    whole = info.file_size < limit + _READ_AHEAD
    want = info.file_size + 1 if whole else limit + _READ_AHEAD  # a byte past the declared size shows a lying directory
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw[:want])
    else:
        try:
            # A partial read is fed four bytes a byte, more than any encoder spends: zlib copies
            # the input it leaves, and the rest of a long part need not be copied for its head.
            out = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw if whole else raw[:4 * want], want)
        except zlib.error:
            raise ReadError("zip-damaged") from None
    if len(out) != (info.file_size if whole else want) or whole and zlib.crc32(out) != info.CRC:
        raise ReadError("zip-damaged")
    return out[:limit]


_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")  # signature, flags, name length, extra length
_READ_AHEAD = 4096  # zipfile.ZipExtFile.MIN_READ_SIZE


def _entry_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """An entry's stored bytes, found through its local header and checked as zipfile checks them."""
    start = info.header_offset
    if start < 0 or start + _LOCAL_HEADER.size > len(data):
        raise ReadError("zip-damaged")
    signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    start += _LOCAL_HEADER.size
    name = data[start:start + name_length].decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
    # Flag bits 5 and 6: patched data, strong encryption (bit 0, encryption, is refused before any read).
    if signature != b"PK\x03\x04" or name != info.orig_filename or info.flag_bits & 0x60:
        raise ReadError("zip-damaged")
    start += name_length + extra_length
    return memoryview(data)[start:start + info.compress_size]


def _read_other(book: _Book, info: zipfile.ZipInfo, limit: int) -> bytes:
    """An entry compressed some other way, read through zipfile as every entry was before."""
    try:
        with book.open(info) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        # RuntimeError: an entry that wants a password; NotImplementedError: an unknown compression;
        # ValueError: a local header whose name is not UTF-8 though it says so.
        raise ReadError("zip-damaged") from None


def _mib(size: int) -> str:
    return f"{size / limits.MiB:.1f} MiB"


# The XML parts calamine parses (worksheets are checked when they are scanned); the rest never
# reaches an XML parser in rulecheck.
_XLSX_PARSED = re.compile(r"^xl/(?:workbook\.xml|_rels/workbook\.xml\.rels|sharedStrings\.xml|styles\.xml"
                          r"|worksheets/_rels/[^/]+\.rels|tables/[^/]+\.xml)$")
_ODS_PARSED = re.compile(r"^(?:content|styles|meta|settings)\.xml$|^META-INF/manifest\.xml$")
_PI_OR_COMMENT = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_FIRST_READ = 1024  # the root element of an Office part starts within a few hundred bytes


def _check_prolog(book: _Book, info: zipfile.ZipInfo) -> None:
    """Refuse a part with a DTD: it may only stand before the root element, so read just that far."""
    size = _FIRST_READ
    while True:
        head = _read(book, info, size)
        if _prolog_verdict(info.filename, head, complete=len(head) < size or size >= limits.MAX_XML_PROLOG):
            return
        size *= 8


def _prolog_verdict(part: str, head: bytes, complete: bool) -> bool:
    """True once the root element is found (or the part ends); raises ReadError for a DTD or an endless prolog."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while m := _PI_OR_COMMENT.match(head, pos):
        pos = m.end()
    rest = head[pos:].lstrip()
    if rest.startswith(b"<!") and not rest.startswith(b"<!--"):  # <!DOCTYPE, or a stray <!ENTITY
        raise ReadError("xml-dtd", part=part)
    if rest and not rest.startswith((b"<!--", b"<?")):
        return True  # the root element: no DTD can follow
    if complete and len(head) >= limits.MAX_XML_PROLOG:
        raise ReadError("xml-prolog", part=part, limit=limits.MAX_XML_PROLOG)
    return complete


# --------------------------------------------------------------------------- worksheets

_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# Cells far from A1, in any form an XML parser accepts: r\s*=\s*["'](?:[A-Z]{2}|[A-Z]?[0-9]{5}), a
# column of two or more letters or a row number of five or more digits. Absent from a township's
# slate, so the common case costs a glance (_glance); without them the grid is at most Z9999, or
# placed by counting and so bounded by the part's size. Column letters may be lower case: calamine
# reads r="zz5000" as ZZ5000. The glance maps the sheet to classes (whitespace dropped, ' read as ",
# every letter as A but r and f, every digit as 0, : as <), in which each such attribute reads as
# r=" and two letters (A, r or f) or five digits (glanced from <sheetData> on: the root element's
# xmlns:r="http…" would read as far), and each formula, <f or a prefixed <x:f, as <f:
# found far faster than a pattern tried at every r. Dropping and merging characters only adds
# matches, and a false one only costs the full scan; so does the end of a longer attribute name.
_LETTERS = bytes(c for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in b"rf")
_CLASSES = bytes.maketrans(_LETTERS + b"0123456789':", b"A" * len(_LETTERS) + b"0" * 10 + b'"<')
_SPACE = b" \t\n\r\f\v"  # \s in a bytes pattern
_FAR_IN_CLASSES = re.compile(rb'r="(?:[Arf][Arf]|[Arf]?00000)')
_FORMULA_IN_CLASSES = re.compile(rb"f(?<=<f)")  # <f, tried at each f (rare in a sheet), not at each <
_NEAR_EXTENT = 26 * 9999
_MIN_CELL_BYTES = 15  # <c><v>1</v></c>: a part smaller than MAX_SHEET_CELLS of these cannot hold more
# Any form of an r attribute that an XML parser accepts.
_REF = _lazy(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})([0-9]{1,7})["']""")
_CELL = _lazy(rb"<(?:[\w.-]+:)?c[\s/>]")
_ROW = _lazy(rb"<(?:[\w.-]+:)?row[\s/>]")
_CELL_ELEMENT = _lazy(rb"<((?:[\w.-]+:)?c)(\s[^>]*?)?(?:/>|>(.*?)</\1>)", re.S)
_ROW_REF = _lazy(rb"""(<(?:[\w.-]+:)?row\b[^>]*?\sr\s*=\s*["'])([0-9]+)(["'])""")
_CELL_REF = _lazy(rb"""(\sr\s*=\s*["'])([A-Za-z]{1,3})([0-9]{1,7})(["'])""")
_VALUE = _lazy(rb"<(?:[\w.-]+:)?v\s*>")
_FORMULA = _lazy(rb"<(?:[\w.-]+:)?f[\s/>]")
_TEXT_TYPE = _lazy(rb"""\st\s*=\s*["'](?:str|inlineStr)["']""")
SHOWN_DROPPED = 5


def column_number(letters: bytes | str) -> int:
    """Excel column letters, of either case, → 1-based number (A → 1, XFD → 16384)."""
    n = 0
    for ch in (letters.encode() if isinstance(letters, str) else letters).upper():
        n = n * 26 + ch - 64
    return n


def _plan_sheets(book: _Book, data: bytes) -> Package:
    names: list[dict[str, str]] = []

    def name_of(part: str) -> str:
        """The sheet's name on its tab, looked up only when a sheet needs one (most never do)."""
        if not names:
            names.append(_sheet_names(book))
        return names[0].get(part, part)

    plans: dict[str, SheetPlan] = {}
    replaced: dict[str, bytes] = {}
    inflated = 0
    for info in book.infolist():
        if not _SHEET_PART.match(info.filename):
            continue
        xml = _read(book, info, limits.MAX_PART_BYTES + 1)
        inflated += len(xml)
        if len(xml) > limits.MAX_PART_BYTES or inflated > limits.MAX_TOTAL_BYTES:
            # The central directory understated the size: trust only what inflating gives.
            raise ReadError("zip-part-size", part=info.filename, size=f"> {_mib(len(xml) - 1)}",
                            limit=_mib(limits.MAX_PART_BYTES))
        _prolog_verdict(info.filename, xml[:limits.MAX_XML_PROLOG], complete=True)
        plan, new_xml = _plan_sheet(lambda part=info.filename: name_of(part), xml)
        if plan != SheetPlan():
            plans[name_of(info.filename)] = plan
        if new_xml is not None:
            replaced[info.filename] = new_xml
    if replaced:
        data = _rezip(book, replaced)
    return Package(data, "xlsx", plans)


def _plan_sheet(name: Callable[[], str], xml: bytes) -> tuple[SheetPlan, bytes | None]:
    """What to know to read one sheet, and its XML rewritten if a blank gap must be closed; or ReadError."""
    small = len(xml) <= limits.MAX_SHEET_CELLS * _MIN_CELL_BYTES and _NEAR_EXTENT <= limits.MAX_SHEET_CELLS
    # A large part is not copied to be glanced at: it takes the full scan anyway.
    maybe_formulas, far = _glance(xml) if small else (b"<f" in xml or b":f" in xml, True)
    uncached = _uncached_formulas(xml) if maybe_formulas else ()
    if not far:
        return SheetPlan(uncached=uncached), None
    refs = _REF.findall(xml)
    cells = [(int(row), column_number(col)) for col, row in refs if col]
    row_refs = sum(1 for col, _ in refs if not col)
    unplaced_cells = len(_CELL.findall(xml)) - len(cells)
    unplaced_rows = len(_ROW.findall(xml)) - row_refs
    max_row = max([r for r, _ in cells] + [int(row) for col, row in refs if not col] + [0]) + max(unplaced_rows, 0)
    max_col = max([c for _, c in cells] + [0]) + max(unplaced_cells, 0)
    if max_row * max_col <= limits.MAX_SHEET_CELLS:
        return SheetPlan(uncached=uncached), None
    far = _ref_text(*max(cells, key=lambda rc: rc[0] * rc[1])) if cells else "?"
    too_large = ReadError("sheet-too-large", sheet=name(), cells=f"{max_row * max_col:,}", far=far,
                          limit=f"{limits.MAX_SHEET_CELLS:,}")
    if unplaced_cells > 0 or unplaced_rows > 0 or len(cells) > limits.MAX_SHEET_CELLS:
        raise too_large
    return _close_gaps(xml, uncached, too_large)


def _glance(xml: bytes) -> tuple[bool, bool]:
    """Whether a sheet may hold a formula, and a cell far from A1: never a wrong no."""
    # Cells are inside <sheetData>; before it, the root's xmlns:r="http://…" would read as far.
    start = xml.find(b"sheetData")
    classes = (xml[start:] if start > 0 else xml).translate(_CLASSES, _SPACE)
    return _FORMULA_IN_CLASSES.search(classes) is not None, _FAR_IN_CLASSES.search(classes) is not None


def _close_gaps(xml: bytes, uncached: tuple[tuple[int, int], ...], too_large: ReadError) -> tuple[SheetPlan, bytes]:
    """The sheet with every row that holds a value moved up under the one before, cells far right left out.

    Cells with no value (formatting only) are left out too: calamine shows them blank anyway.
    """
    valued: list[tuple[int, int]] = []
    for m in _CELL_ELEMENT.finditer(xml):
        ref = _CELL_REF.search(m.group(2) or b"")
        if ref is not None and (m.group(3) or b"").strip():
            valued.append((int(ref.group(3)), column_number(ref.group(2))))
    kept = [(r, c) for r, c in valued if c <= limits.MAX_COLUMNS_READ]
    occupied = sorted({r for r, _ in kept})
    if len(occupied) * max((c for _, c in kept), default=0) > limits.MAX_SHEET_CELLS:
        raise too_large
    new_row = {row: i + 1 for i, row in enumerate(occupied)}
    dropped = [_ref_text(r, c) for r, c in valued if c > limits.MAX_COLUMNS_READ][:SHOWN_DROPPED]

    def cell(m: re.Match[bytes]) -> bytes:
        ref = _CELL_REF.search(m.group(2) or b"")
        if ref is None or int(ref.group(3)) not in new_row or column_number(ref.group(2)) > limits.MAX_COLUMNS_READ:
            return b""
        start = m.start(2) - m.start(0) + ref.start(3)
        end = m.start(2) - m.start(0) + ref.end(3)
        text = m.group(0)
        return text[:start] + str(new_row[int(ref.group(3))]).encode() + text[end:]

    def row(m: re.Match[bytes]) -> bytes:
        number = int(m.group(2))
        return m.group(1) + str(new_row.get(number, number)).encode() + m.group(3)

    compact = _ROW_REF.sub(row, _CELL_ELEMENT.sub(cell, xml))
    moved = {(new_row[r + 1] - 1, c) for r, c in uncached if r + 1 in new_row}
    return SheetPlan(tuple(occupied), tuple(sorted(moved)), tuple(dropped)), compact


# OpenDocument places cells by counting, and a repeat count stands for that many copies: calamine
# lays out every copy up to the last cell with a value.
_ODS_BIG_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated\s*=\s*["\'][0-9]{4,}')
_ODS_TABLE = _lazy(rb"<table:table\b([^>]*)>(.*?)</table:table>", re.S)
_ODS_ROW = _lazy(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = _lazy(rb"<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)", re.S)
_ODS_REPEAT = _lazy(rb'number-(rows|columns)-repeated\s*=\s*["\']([0-9]+)')


def _repeat(attributes: bytes) -> int:
    m = _ODS_REPEAT.search(attributes)
    return int(m.group(2)) if m else 1


def _check_ods(xml: bytes) -> None:
    """Refuse an OpenDocument sheet whose repeated cells would lay out more than MAX_SHEET_CELLS."""
    if len(xml) > limits.MAX_PART_BYTES:
        raise ReadError("zip-part-size", part="content.xml", size=f"> {_mib(limits.MAX_PART_BYTES)}",
                        limit=_mib(limits.MAX_PART_BYTES))
    small = len(xml) <= limits.MAX_SHEET_CELLS * _MIN_CELL_BYTES
    if small and not _ODS_BIG_REPEAT.search(xml):
        return  # no cell stands for more than 999 copies: the layout is bounded by the part's size
    for table in _ODS_TABLE.finditer(xml):
        row = rows = cols = 0
        for m in _ODS_ROW.finditer(table.group(2)):
            down, width, last = _repeat(m.group(1)), 0, 0
            for cell in _ODS_CELL.finditer(m.group(2) or b""):
                width += _repeat(cell.group(1))
                if b"value-type" in cell.group(1) or (cell.group(2) or b"").strip():
                    last = width
            if last:
                rows, cols = row + down, max(cols, last)
                if rows * cols > limits.MAX_SHEET_CELLS:
                    name = _attributes(b"<x " + table.group(1) + b">").get("name", "?")
                    raise ReadError("sheet-too-large", sheet=name, cells=f"{rows * cols:,}", far=_ref_text(rows, cols),
                                    limit=f"{limits.MAX_SHEET_CELLS:,}")
            row += down


def _ref_text(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _uncached_formulas(xml: bytes) -> tuple[tuple[int, int], ...]:
    """Cells with a formula and no saved result: calamine would show them blank."""
    found = []
    for m in _CELL_ELEMENT.finditer(xml):
        body = m.group(3) or b""
        if not _FORMULA.search(body):
            continue
        value = _VALUE.search(body)
        # Excel saves a formula that yields "" as t="str" with an empty <v></v>: that is a value.
        has_value = value is not None and (not body[value.end():].lstrip().startswith(b"<") or _TEXT_TYPE.search(m.group(2) or b""))
        ref = _CELL_REF.search(m.group(2) or b"")
        if not has_value and ref is not None:
            found.append((int(ref.group(3)) - 1, column_number(ref.group(2)) - 1))
    return tuple(found)


_ATTRIBUTE = _lazy(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: html.unescape((a or b).decode("utf-8", "replace")) for k, a, b in _ATTRIBUTE.findall(tag)}


def _sheet_names(book: _Book) -> dict[str, str]:
    """Worksheet part → the sheet's name as Excel shows it on its tab."""
    try:
        workbook = _read(book, book.getinfo("xl/workbook.xml"), limits.MAX_PART_BYTES)
        rels = _read(book, book.getinfo("xl/_rels/workbook.xml.rels"), limits.MAX_PART_BYTES)
    except KeyError:
        return {}
    targets = {}
    for tag in re.findall(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>", rels):
        attrs = _attributes(tag)
        target = attrs.get("Target", "")
        targets[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    names = {}
    for tag in re.findall(rb"<(?:[\w.-]+:)?sheet\b[^>]*>", workbook):
        attrs = _attributes(tag)
        if attrs.get("id") in targets and "name" in attrs:
            names[targets[attrs["id"]]] = attrs["name"]
    return names


def _rezip(book: _Book, replaced: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in book.infolist():
            data = replaced.get(info.filename)
            copy.writestr(info.filename, data if data is not None else _read(book, info, limits.MAX_PART_BYTES))
    return out.getvalue()

