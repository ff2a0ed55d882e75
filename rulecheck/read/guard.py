"""What a file really is, and whether it is safe to hand to a parser, decided before any parser sees it.

Offices rename files freely: an HTML page or a SpreadsheetML 2003 document saved as ``.xls``, a
workbook named ``.csv``, a half-copied download. The first bytes say what a file is; the suffix
only chooses which files a folder search picks up.

A zip package (xlsx, xlsm, ods) is checked from its central directory before anything is
inflated (entry count, inflated sizes, compression ratio, no two parts whose names differ only in
case or slashes); its parts are then inflated straight from the bytes in memory, and one read whole
must match its directory entry's size and CRC-32. The parts are found as calamine finds them, not
by a pattern of names: the workbook through ``_rels/.rels``, each sheet through the workbook's
relationships (a target relative to the workbook's folder, or from the package root after a
leading ``/``; zip names matched without regard to case, ``\\`` read as ``/``), every sheet the
workbook names whatever its folder, case or type. The XML parts calamine parses must have no DTD.
A binary workbook (.xlsb), whose sheets are not scanned, is refused.

Every worksheet is glanced at, in one pass, for cells far from A1, cells placed by counting (no
``r`` attribute) and formulas: calamine lays a sheet out as a dense grid from A1 to the farthest
cell, so two cells at A1 and XFD1048576 would ask for 550 GB and abort the process (tafia/calamine
issue 693). A sheet the glance cannot clear is scanned in full, reading cell references as
calamine does (letters then digits, leading zeros allowed, each wrapping at 2**32): a grid that
would pass ``MAX_SHEET_CELLS`` only because of a long blank gap is handed to calamine with the gap
closed and the real row numbers kept beside it; a table that is really that big is refused as a
table of N rows × M columns. The rows a sheet marks hidden are noted (``SheetPlan.hidden_rows``).
A shared-strings count that the part could not hold (``uniqueCount="4294967295"``, which calamine
reserves memory for) is taken out of the copy handed to calamine.

An OpenDocument package whose mimetype, manifest and content calamine would accept is checked as
calamine reads it, whatever else the zip holds: its content is tokenised as an XML parser does
(comments, CDATA and quoted attribute values that hold ``>`` included), and repeated rows and
cells are counted as calamine counts them (``+`` and character references in the repeat counts
included). Its hidden rows (``table:visibility="collapse"``) are noted too.
"""

from __future__ import annotations

import functools
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from rulecheck.patterns import lazy as _lazy
from rulecheck.read import limits
from rulecheck.read.raw import ReadError, Term

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
    hidden_rows: tuple[int, ...] = ()  # Excel row numbers of rows marked hidden that hold a value


@dataclass(frozen=True)
class Package:
    """A checked package: the bytes to hand calamine and, per sheet name, what to know when reading it."""

    data: bytes
    kind: str  # "xlsx" or "ods"
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    made_by: str | None = None  # "report" or "annotated": a workbook rulecheck wrote (its custom property)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _calamine_key(name: str) -> str:
    """A zip name as calamine looks it up: ``\\`` read as ``/``, ASCII letters of either case alike."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


class _Book(zipfile.ZipFile):
    """A package's central directory, read by zipfile, beside the bytes its parts are inflated from."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.data = data
        self.by_key: dict[str, zipfile.ZipInfo] = {}  # _calamine_key(name) → entry
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        self.inflated: dict[str, bytes] = {}  # parts inflated whole: a part is inflated once, however often it is read
        self.heads: dict[tuple[str, int], bytes] = {}  # and the first bytes of longer ones

    def find(self, path: str) -> zipfile.ZipInfo | None:
        """The entry calamine opens for ``path``: its name matched as calamine matches it, else exactly."""
        return self.by_key.get(path.translate(_ASCII_LOWER)) or self.by_name.get(path)


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
        key = _calamine_key(info.filename)
        if key in book.by_key:  # which of the two a reader takes is anyone's guess
            raise ReadError("zip-duplicate-part", part=info.filename)
        book.by_key[key] = info
        book.by_name[info.filename] = info
    if total > limits.MAX_TOTAL_BYTES:
        raise ReadError("zip-total-size", size=_mib(total), limit=_mib(limits.MAX_TOTAL_BYTES))
    names = set(book.by_name)
    if _XLSB_RELS in book.by_name:
        # calamine reads a binary workbook when it cannot read the zip as xlsx; its sheets are not
        # scanned here, and a far cell in one aborts the process as in xlsx.
        raise ReadError("xlsb-unsupported")
    folders = _workbook_folders(book)
    kind = _package_kind(book, names, folders)
    # calamine takes a zip as xlsx if it can, else as ods: whatever the zip looks like, check what it could read.
    ods = _ods_content(book)
    ods_plans = _check_ods(ods) if ods is not None else {}
    if kind == "ods":
        return Package(data, kind, ods_plans)
    for info in _xlsx_parsed(book, folders):
        _check_prolog(book, info)
    package = _plan_sheets(book, data, folders)
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


def _package_kind(book: _Book, names: set[str], folders: list[str]) -> str:
    if folders or book.find("xl/workbook.xml") or book.find("xl/workbook.bin"):
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        mimetype = _read(book, book.getinfo("mimetype"), 200).strip()
        if mimetype == _ODS_MIMETYPE:
            return "ods"
        raise ReadError("not-a-spreadsheet", what=Term("what-odf"))
    if any(n.startswith("word/") for n in names):
        raise ReadError("not-a-spreadsheet", what=Term("what-docx"))
    if any(n.startswith("ppt/") for n in names):
        raise ReadError("not-a-spreadsheet", what=Term("what-pptx"))
    raise ReadError("not-a-spreadsheet", what=Term("what-zip"))


# Start tags by local name, with attribute values that may hold ">" (quoted), as an XML parser reads them.
_QUOTED_ATTRIBUTES = rb"""((?:[^>"']|"[^"]*"|'[^']*')*)"""
_PREFIX = rb"(?:[^\s/>:<]*:)?"  # a namespace prefix: the local name follows the first colon
_TAGS: dict[bytes, re.Pattern[bytes]] = {}
_RAW_ATTRIBUTE = _lazy(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _start_tags(xml: bytes, local: bytes) -> Iterator[dict[bytes, list[bytes]]]:
    """The attributes (raw values, every occurrence) of each start tag with this local name."""
    pattern = _TAGS.get(local)
    if pattern is None:
        pattern = _TAGS[local] = re.compile(b"<" + _PREFIX + local + rb"(?=[\s/>])" + _QUOTED_ATTRIBUTES + b">")
    for m in pattern.finditer(xml):
        yield _raw_attributes(m.group(1))


def _raw_attributes(attributes: bytes) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for key, double, single in _RAW_ATTRIBUTE.findall(attributes):
        found.setdefault(key, []).append(double or single)
    return found


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _workbook_folders(book: _Book) -> list[str]:
    """The folders calamine may read a workbook from: each officeDocument target of ``_rels/.rels``.

    calamine takes the last; every one is checked. A folder without workbook relationships is none
    (calamine cannot open the workbook there).
    """
    info = book.find("_rels/.rels")
    if info is None:
        return []
    folders = _document_folders(_read(book, info, limits.MAX_PART_BYTES))
    return [folder for folder in folders if book.find(folder + "_rels/workbook.xml.rels") is not None]


@functools.lru_cache(maxsize=64)  # the same template's files share these parts byte for byte
def _document_folders(rels: bytes) -> tuple[str, ...]:
    folders: dict[str, None] = {}
    for attributes in _start_tags(rels, b"Relationship"):
        if any(kind.endswith(b"/relationships/officeDocument") for kind in attributes.get(b"Type", [])):
            for target in map(_text, attributes.get(b"Target", [])):
                folders[target[:target.rfind("/") + 1].removeprefix("/")] = None
    return tuple(folders)


@functools.lru_cache(maxsize=64)
def _relationship_targets(rels: bytes) -> dict[bytes, list[str]]:
    targets: dict[bytes, list[str]] = {}
    for attributes in _start_tags(rels, b"Relationship"):
        for rid in attributes.get(b"Id", []):
            targets.setdefault(rid, []).extend(map(_text, attributes.get(b"Target", [])))
    return targets


@functools.lru_cache(maxsize=64)
def _workbook_sheets(workbook: bytes) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    """(name, relationship ids) of each sheet a workbook names, as calamine reads them."""
    sheets = []
    for attributes in _start_tags(workbook, b"sheet"):
        name = html.unescape(_text(attributes[b"name"][-1])) if b"name" in attributes else ""
        sheets.append((name, tuple(v for k, values in attributes.items() if k == b"id" or k.endswith(b":id") for v in values)))
    return tuple(sheets)


def _sheet_parts(book: _Book, folders: list[str]) -> list[tuple[str, zipfile.ZipInfo]]:
    """Every (sheet name, part) the workbook names, as calamine resolves it, whatever the part's folder or type.

    A target is relative to the workbook's folder, or to the package root after a leading "/"; it
    is taken as written (no entities, no "..", no "%20", as calamine takes it).
    """
    found = []
    for folder in folders:
        workbook = book.find(folder + "workbook.xml")
        if workbook is None:
            continue
        targets = _relationship_targets(_read(book, book.find(folder + "_rels/workbook.xml.rels"), limits.MAX_PART_BYTES))
        for name, ids in _workbook_sheets(_read(book, workbook, limits.MAX_PART_BYTES)):
            for target in (t for rid in ids for t in targets.get(rid, [])):
                info = book.find(target[1:] if target.startswith("/") else folder + target)
                if info is not None:
                    found.append((name, info))
    return found


def _read(book: _Book, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Up to ``limit`` inflated bytes of an entry, inflated straight from the package's bytes; a damaged entry is a damaged file.

    At least ``_READ_AHEAD`` bytes more are inflated, as zipfile did, reading ahead, so damage
    there is found as it was. An entry that ends within them is inflated whole and must come out
    at the size and CRC-32 its directory entry gives; a longer one must have all of them.
    """
    known = book.inflated.get(info.filename)
    if known is not None:
        return known[:limit]
    known = book.heads.get((info.filename, limit))
    if known is not None:
        return known
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
    if whole:
        book.inflated[info.filename] = out
    else:
        book.heads[(info.filename, limit)] = out[:limit]
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
_XLSX_PARTS = ("workbook.xml", "_rels/workbook.xml.rels", "sharedStrings.xml", "styles.xml")
_XLSX_OTHER_PARSED = re.compile(r"^xl/(?:worksheets/_rels/[^/]+\.rels|tables/[^/]+\.xml)$")
_ODS_PARSED = re.compile(r"^(?:content|styles|meta|settings)\.xml$|^META-INF/manifest\.xml$")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_XLSB_RELS = "xl/_rels/workbook.bin.rels"  # what calamine opens an .xlsb by (its exact name)


def _xlsx_parsed(book: _Book, folders: list[str]) -> list[zipfile.ZipInfo]:
    paths = ["_rels/.rels"] + [folder + part for folder in folders for part in _XLSX_PARTS]
    found = {id(info): info for info in map(book.find, paths) if info is not None}
    found.update((id(info), info) for key, info in book.by_key.items() if key.startswith("xl/") and _XLSX_OTHER_PARSED.match(key))
    return list(found.values())


def _ods_content(book: _Book) -> bytes | None:
    """content.xml where calamine would read the zip as OpenDocument (its mimetype, manifest and content, by exact name)."""
    if not all(name in book.by_name for name in ("mimetype", "META-INF/manifest.xml", "content.xml")):
        return None
    if _read(book, book.by_name["mimetype"], len(_ODS_MIMETYPE)) != _ODS_MIMETYPE:
        return None
    for info in book.infolist():
        if _ODS_PARSED.match(info.filename):
            _check_prolog(book, info)
    return _read(book, book.by_name["content.xml"], limits.MAX_PART_BYTES + 1)


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


def after_prolog(head: bytes) -> tuple[bytes, bool]:
    """What follows an XML document's BOM, declaration, processing instructions and comments, and whether
    a DTD starts there (``<!DOCTYPE``, or a stray ``<!ENTITY``): one may stand only before the root element."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while m := _PI_OR_COMMENT.match(head, pos):
        pos = m.end()
    rest = head[pos:].lstrip()
    return rest, rest.startswith(b"<!") and not rest.startswith(b"<!--")


def _prolog_verdict(part: str, head: bytes, complete: bool) -> bool:
    """True once the root element is found (or the part ends); raises ReadError for a DTD or an endless prolog."""
    rest, dtd = after_prolog(head)
    if dtd:
        raise ReadError("xml-dtd", part=part)
    if rest and not rest.startswith((b"<!--", b"<?")):
        return True  # the root element: no DTD can follow
    if complete and len(head) >= limits.MAX_XML_PROLOG:
        raise ReadError("xml-prolog", part=part, limit=limits.MAX_XML_PROLOG)
    return complete


# --------------------------------------------------------------------------- worksheets

# The glance: one pass over a sheet's cells (from the first "sheetData" to the last) mapped to
# classes: whitespace dropped, ' read as ", : as <, every digit as 0, every letter as A but r, f
# and c. In them:
# - a cell reference far from A1 reads as r=" and two letters (A, c, f or r) or five digits: any
#   attribute r (of a cell, a row, or written twice) with a column of two or more letters or a row
#   of five or more digits, leading zeros included;
# - a cell placed by counting (no r, or r not its first attribute) reads as <c not followed by r=";
# - a formula, <f or a prefixed <x:f, reads as <f.
# Without far references or cells placed by counting, every cell is within Z9999: the glance is
# all a township's slate costs. Dropping and merging characters only adds matches (<col inside a
# rich-text run reads as a cell placed by counting, the end of a longer attribute name as r); a
# false match only costs the full scan.
_LETTERS = bytes(c for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in b"rfc")
_CLASSES = bytes.maketrans(_LETTERS + b"0123456789':", b"A" * len(_LETTERS) + b"0" * 10 + b'"<')
_SPACE = b" \t\n\r\f\v"  # \s in a bytes pattern
_FAR_IN_CLASSES = re.compile(rb'r="(?:[Acfr][Acfr]|[Acfr]?00000)')
_COUNTED_IN_CLASSES = re.compile(rb'<c(?!r=")')
_FORMULA_IN_CLASSES = re.compile(rb"f(?<=<f)")  # <f, tried at each f (rare in a sheet), not at each <
_NEAR_EXTENT = 26 * 9999
_CHUNK = 8 * limits.MiB  # a large sheet is glanced at and scanned a piece at a time
_WRAP = 1 << 32  # calamine reads a row or column number into 32 bits, wrapping past them

# The full scan: every r attribute, letters then digits as calamine reads them (more than Excel's
# three letters and seven digits, leading zeros too). A cell needs both; calamine refuses the sheet otherwise.
# An attribute may follow the one before without a space (quick-xml reads s="0"r="E1").
_REF_LETTERS = _lazy(rb"""[\s"']r\s*=\s*["']([A-Za-z]+)[0-9]+["']""")
_REF_DIGITS = _lazy(rb"""[\s"']r\s*=\s*["'][A-Za-z]+([0-9]+)["']""")
_ROW_TAG = _lazy(b"<(/?)" + _PREFIX + rb"row(?=[\s/>])" + _QUOTED_ATTRIBUTES + b">")
_R_ATTRIBUTE = _lazy(rb"""(?:^|[\s"'])r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_CELL_ELEMENT = _lazy(b"<(" + _PREFIX + rb"c)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?:/>|>(.*?)</\1\s*>)", re.S)
_ROW_REF = _lazy(b"(<" + _PREFIX + rb"""row(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*?[\s"']r\s*=\s*["'])([0-9]+)(["'])""")
_CELL_REF = _lazy(rb"""([\s"']r\s*=\s*["'])([A-Za-z]+)([0-9]+)(["'])""")
_VALUE = _lazy(rb"<(?:[\w.-]+:)?v\s*>")
_FORMULA = _lazy(rb"<(?:[\w.-]+:)?f[\s/>]")
_TEXT_TYPE = _lazy(rb"""\st\s*=\s*["'](?:str|inlineStr)["']""")
# Hidden rows: looked for only where the sheet holds the word at all.
_HIDDEN = _lazy(rb"""[\s"']hidden\s*=\s*["'](?:1|true)["']""")
_HOLDS_VALUE = _lazy(b"<" + _PREFIX + rb"(?:v|is)[\s>]")
_DENSE = 4  # a sheet over the bound with at least a quarter of its grid filled is a big table, not stray cells
SHOWN_DROPPED = 5


def column_number(letters: bytes | str) -> int:
    """Excel column letters, of either case, → 1-based number (A → 1, XFD → 16384), wrapping at 2**32 as calamine does."""
    n = 0
    for ch in (letters.encode() if isinstance(letters, str) else letters).upper():
        n = (n * 26 + ch - 64) % _WRAP
    return n


def _plan_sheets(book: _Book, data: bytes, folders: list[str]) -> Package:
    plans: dict[str, SheetPlan] = {}
    replaced: dict[str, bytes] = {}
    planned: dict[str, SheetPlan] = {}
    inflated = 0
    for name, info in _sheet_parts(book, folders):
        plan = planned.get(info.filename)
        if plan is None:
            xml = _read(book, info, limits.MAX_PART_BYTES + 1)
            inflated += len(xml)
            if len(xml) > limits.MAX_PART_BYTES or inflated > limits.MAX_TOTAL_BYTES:
                # The central directory understated the size: trust only what inflating gives.
                raise ReadError("zip-part-size", part=info.filename, size=f"> {_mib(len(xml) - 1)}",
                                limit=_mib(limits.MAX_PART_BYTES))
            _prolog_verdict(info.filename, xml[:limits.MAX_XML_PROLOG], complete=True)
            plan, new_xml = _plan_sheet(name, xml)
            planned[info.filename] = plan
            if new_xml is not None:
                replaced[info.filename] = new_xml
        if plan != SheetPlan():
            plans.setdefault(name, plan)  # calamine reads the first sheet of a name
    for folder in folders:
        strings = book.find(folder + "sharedStrings.xml")
        if strings is not None and (new_strings := _declared_strings(book, strings)) is not None:
            replaced[strings.filename] = new_strings
    if replaced:
        data = _rezip(book, replaced)
    return Package(data, "xlsx", plans)


def _plan_sheet(name: str, xml: bytes) -> tuple[SheetPlan, bytes | None]:
    """What to know to read one sheet, and its XML rewritten if a blank gap must be closed; or ReadError."""
    maybe_formulas, far, counted = _glance_all(xml)
    uncached = _uncached_formulas(xml) if maybe_formulas else ()
    hidden = _hidden_rows(xml) if b"hidden" in xml else ()
    plan = SheetPlan(uncached=uncached, hidden_rows=hidden)
    if not far and not counted and _NEAR_EXTENT <= limits.MAX_SHEET_CELLS:
        return plan, None
    unplaced = 0
    if counted:  # or a reference that is not the first attribute: the glance cannot tell
        max_row, max_col, cells, unplaced = _counted_extent(xml)
        rows = max_row
    else:
        max_row, max_col, cells, rows = _placed_extent(xml)
    grid = max_row * max_col
    if grid <= limits.MAX_SHEET_CELLS and (grid <= limits.MAX_SPARSE_CELLS or cells * _DENSE >= grid):
        return plan, None
    # Cells placed by counting cannot be moved up; a table filled as tables are would not fit moved up either.
    closed = rows * min(max_col, limits.MAX_COLUMNS_READ)  # at most, once the gaps are closed
    if unplaced or cells > limits.MAX_SHEET_CELLS or closed > limits.MAX_SHEET_CELLS and cells * _DENSE >= grid:
        if grid <= limits.MAX_SHEET_CELLS:
            return plan, None
        raise _too_large(name, max_row, max_col, cells)
    compact_plan, compact = _close_gaps(name, xml, uncached, max_row, max_col)
    return SheetPlan(compact_plan.row_numbers, compact_plan.uncached, compact_plan.dropped, hidden), compact


def _too_large(name: str, rows: int, columns: int, cells: int, far: str | None = None) -> ReadError:
    """A grid of rows × columns over the bound, ``cells`` of it filled: a big table, named for its size,
    where at least a quarter is filled; else the stray cells (``far``, or its corner) that make it large."""
    if cells * _DENSE >= rows * columns:
        return ReadError("sheet-too-big", sheet=name, rows=f"{rows:,}", columns=f"{columns:,}", cells=f"{cells:,}",
                         limit=f"{limits.MAX_SHEET_CELLS:,}")
    return ReadError("sheet-too-large", sheet=name, cells=f"{rows * columns:,}", far=far or _ref_text(rows, columns),
                     limit=f"{limits.MAX_SHEET_CELLS:,}")


def _region(xml: bytes) -> tuple[int, int]:
    """Where a sheet's cells may be: from the first "sheetData" to the last (calamine reads cells only inside it)."""
    start = xml.find(b"sheetData")
    if start < 0:
        return 0, len(xml)
    end = xml.rfind(b"sheetData")
    return start, end if end > start else len(xml)


def _pieces(xml: bytes, start: int, end: int) -> Iterator[bytes]:
    """The bytes from start to end, a piece at a time, each cut just before a "<" (no reference or tag name spans a cut)."""
    while start < end:
        cut = xml.find(b"<", start + _CHUNK, end) if end - start > _CHUNK else -1
        stop = end if cut < 0 else cut
        yield xml[start:stop]
        start = stop


def _glance_all(xml: bytes) -> tuple[bool, bool, bool]:
    """Whether a sheet may hold a formula, a cell far from A1, a cell placed by counting: never a wrong no."""
    formula = far = counted = False
    for piece in _pieces(xml, *_region(xml)):
        classes = piece.translate(_CLASSES, _SPACE)
        formula = formula or _FORMULA_IN_CLASSES.search(classes) is not None
        far = far or _FAR_IN_CLASSES.search(classes) is not None
        counted = counted or _COUNTED_IN_CLASSES.search(classes) is not None
    return formula, far, counted


def _glance(xml: bytes) -> tuple[bool, bool]:
    """Whether a sheet may hold a formula, and a cell that needs the full scan (far from A1, or placed by counting)."""
    formula, far, counted = _glance_all(xml)
    return formula, far or counted


def _placed_extent(xml: bytes) -> tuple[int, int, int, int]:
    """(last row, last column, cells, rows holding cells) of a sheet whose every cell has its reference."""
    columns: set[bytes] = set()
    rows: set[bytes] = set()
    cells = 0
    for piece in _pieces(xml, *_region(xml)):
        columns.update(_REF_LETTERS.findall(piece))
        digits = _REF_DIGITS.findall(piece)
        cells += len(digits)
        rows.update(digits)
    numbers = {int(r) % _WRAP for r in rows} - {0}
    return max(numbers, default=0), max(map(column_number, columns), default=0), cells, len(numbers)


def _counted_extent(xml: bytes) -> tuple[int, int, int, int]:
    """(last row, last column, cells, cells without a reference) where some cells may be placed by counting, as calamine places them.

    A row's r sets the row, its end moves to the next; a cell's r places it (written twice: the
    farther), a cell without one takes the next column of the current row. The part is read token
    by token from its start, so a quoted attribute value holding "<row" or "<c" cannot pass for a tag.
    """
    row = col = 0  # 0-based, as calamine counts
    max_row = max_col = cells = unplaced = 0
    for token in _XML_TOKEN.finditer(xml):
        tag = token.group(2)
        if tag is None:
            continue
        local = tag[tag.find(b":") + 1:]
        if local == b"row":
            if token.group(1):
                row, col = row + 1, 0
                continue
            refs = _R_ATTRIBUTE.findall(token.group(3))
            if refs and refs[0][1]:
                row = max(int(refs[0][1]) % _WRAP - 1, 0)
            if token.group(3).rstrip().endswith(b"/"):  # <row/> ends where it starts
                row, col = row + 1, 0
        elif local == b"c" and not token.group(1):
            refs = [(letters, digits) for letters, digits in _R_ATTRIBUTE.findall(token.group(3)) if letters and digits]
            if refs:
                r = max(max(int(digits) % _WRAP for _, digits in refs) - 1, 0)
                c = max(max(column_number(letters) for letters, _ in refs) - 1, 0)
            else:
                r, c = row, col
                unplaced += 1
            col = c + 1
            cells += 1
            max_row, max_col = max(max_row, r + 1), max(max_col, c + 1)
    return max_row, max_col, cells, unplaced


def _close_gaps(name: str, xml: bytes, uncached: tuple[tuple[int, int], ...], max_row: int,
                max_col: int) -> tuple[SheetPlan, bytes]:
    """The sheet with every row that holds a value moved up under the one before, cells far right left out.

    Cells with no value (formatting only) are left out too: calamine shows them blank anyway. The
    result is scanned again as calamine would read it: a sheet still too large is refused.
    """
    valued: list[tuple[int, int]] = []
    for m in _CELL_ELEMENT.finditer(xml):
        ref = _CELL_REF.search(m.group(2) or b"")
        if ref is not None and (m.group(3) or b"").strip():
            valued.append((int(ref.group(3)) % _WRAP, column_number(ref.group(2))))
    kept = [(r, c) for r, c in valued if c <= limits.MAX_COLUMNS_READ]
    occupied = sorted({r for r, _ in kept})
    width = max((c for _, c in kept), default=0)
    if len(occupied) * width > limits.MAX_SHEET_CELLS:
        raise _too_large(name, len(occupied), width, len(kept), _ref_text(max_row, max_col))
    new_row = {row: i + 1 for i, row in enumerate(occupied)}
    dropped = [_ref_text(r, c) for r, c in valued if c > limits.MAX_COLUMNS_READ][:SHOWN_DROPPED]

    def cell(m: re.Match[bytes]) -> bytes:
        ref = _CELL_REF.search(m.group(2) or b"")
        if ref is None or int(ref.group(3)) % _WRAP not in new_row or column_number(ref.group(2)) > limits.MAX_COLUMNS_READ:
            return b""
        start = m.start(2) - m.start(0) + ref.start(3)
        end = m.start(2) - m.start(0) + ref.end(3)
        text = m.group(0)
        return text[:start] + str(new_row[int(ref.group(3)) % _WRAP]).encode() + text[end:]

    def row(m: re.Match[bytes]) -> bytes:
        number = int(m.group(2)) % _WRAP
        return m.group(1) + str(new_row.get(number, number)).encode() + m.group(3)

    compact = _ROW_REF.sub(row, _CELL_ELEMENT.sub(cell, xml))
    _formula, far, counted = _glance_all(compact)
    last_row, last_col, _cells, unplaced = _counted_extent(compact) if counted else (0, 0, 0, 0)
    if far and not counted:
        last_row, last_col, _cells, _rows = _placed_extent(compact)
    if last_row * last_col > limits.MAX_SHEET_CELLS or unplaced:
        raise _too_large(name, max_row, max_col, 0)  # what calamine would read is still too large
    moved = {(new_row[r + 1] - 1, c) for r, c in uncached if r + 1 in new_row}
    return SheetPlan(tuple(occupied), tuple(sorted(moved)), tuple(dropped)), compact


def _hidden_rows(xml: bytes) -> tuple[int, ...]:
    """Excel row numbers of the rows a sheet marks hidden (hidden="1" or "true") that hold a value."""
    start, end = _region(xml)
    if xml.find(b"hidden", start, end) < 0:
        return ()
    hidden = []
    row = 0
    open_row: int | None = None
    at = start
    for m in _ROW_TAG.finditer(xml, start, end):
        if m.group(1):  # </row>
            if open_row is not None and _HOLDS_VALUE.search(xml, at, m.start()):
                hidden.append(open_row)
            open_row, row = None, row + 1
            continue
        ref = _R_ATTRIBUTE.search(m.group(2))
        if ref is not None and ref.group(2):
            row = int(ref.group(2)) % _WRAP - 1
        open_row = row + 1 if _HIDDEN.search(m.group(2)) else None
        at = m.end()
        if m.group(2).rstrip().endswith(b"/"):
            open_row, row = None, row + 1
    return tuple(hidden)


# A shared-strings part declares how many strings it holds (uniqueCount, count), and calamine
# reserves room for them before reading one: uniqueCount="4294967295" asks for 100 GB and aborts
# the process. A count the part could not hold (each string takes at least "<si/>") is taken out.
_SST_TAG = _lazy(b"<" + _PREFIX + rb"sst(?=[\s/>])" + _QUOTED_ATTRIBUTES + b">")
_COUNT_ATTRIBUTE = _lazy(rb"""(?<=[\s"'])(?:uniqueCount|count)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SST_ROOT = _lazy(rb"<(?:[^\s/>:<]*:)?sst[\s/>]")
_PLAIN_COUNT = _lazy(rb"""[\s"'](?:uniqueCount|count)\s*=\s*"\s*([0-9]+)""")
_SMALLEST_STRING = len(b"<si/>")
_HARMLESS_COUNT = 100_000  # reserving this many strings costs a few MB, whatever the part holds


def _declared_strings(book: _Book, info: zipfile.ZipInfo) -> bytes | None:
    """The shared strings with impossible declared counts taken out; None when every count is possible."""
    head = _read(book, info, _FIRST_READ)  # read already for its prolog
    root = _root_at(head)
    end = head.find(b">", root)
    tag = head[root:end]
    if end > 0 and _SST_ROOT.match(tag) and b"'" not in tag and tag.count(b'"') % 2 == 0:
        # The root element (so the first sst calamine meets), whole: no quote holds a ">".
        if not any(int(n) > _HARMLESS_COUNT for n in _PLAIN_COUNT.findall(tag)):
            return None
    tag = _SST_TAG.match(head, root)
    if tag is not None and not _big_count(tag.group(1), _HARMLESS_COUNT):
        return None
    xml = head if len(head) < _FIRST_READ else _read(book, info, limits.MAX_PART_BYTES)
    bound = max(len(xml) // _SMALLEST_STRING, _HARMLESS_COUNT)
    if not any(_big_count(m.group(1), bound) for m in _SST_TAG.finditer(xml)):
        return None
    return _SST_TAG.sub(lambda m: _COUNT_ATTRIBUTE.sub(b"", m.group(0)), xml)


def _root_at(head: bytes) -> int:
    """Where the root element of a UTF-8 part starts: after a BOM, the XML declaration, comments and blanks."""
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while m := _PI_OR_COMMENT.match(head, pos):
        pos = m.end()
    while pos < len(head) and head[pos] in _SPACE:
        pos += 1
    return pos


def _big_count(attributes: bytes, bound: int) -> bool:
    for double, single in _COUNT_ATTRIBUTE.findall(attributes):
        value = (double or single).strip()
        if value.isdigit() and int(value) > bound:
            return True
    return False


# --------------------------------------------------------------------------- OpenDocument

# OpenDocument places cells by counting, and a repeat count stands for that many copies: calamine
# lays out every copy up to the last cell with a value (at most 1,048,576 rows and 16,384 columns).
# content.xml is read as an XML parser reads it, token by token: a comment, CDATA, or a quoted
# attribute value holding ">" or "<" cannot hide a row or a repeat count.
_XML_TOKEN = _lazy(rb"""<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!(?:[^>"']|"[^"]*"|'[^']*')*>"""
                   rb"""|<(/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.S)
_ODS_MAX_ROWS, _ODS_MAX_COLUMNS = 1_048_576, 16_384
_ODS_SMALL = 64 * 1024  # a content.xml this small without repeats lays out at most (64 KiB / 35)² cells
_ROW_REPEAT, _COLUMN_REPEAT = b"table:number-rows-repeated", b"table:number-columns-repeated"
_CELLS = (b"table:table-cell", b"table:covered-table-cell")
_RUST_COUNT = re.compile(r"\+?[0-9]+")


def _count(values: list[bytes] | None, unescape: bool) -> int:
    """A repeat count as calamine reads it (its first occurrence; Rust's integer parse: an optional +);
    one where calamine would fail on the file anyway."""
    if not values:
        return 1
    text = _text(values[0])
    text = html.unescape(text) if unescape else text
    return int(text) if _RUST_COUNT.fullmatch(text) else 1


def _check_ods(xml: bytes) -> dict[str, SheetPlan]:
    """Refuse an OpenDocument sheet whose repeated cells would lay out more than MAX_SHEET_CELLS; the hidden rows of each."""
    if len(xml) > limits.MAX_PART_BYTES:
        raise ReadError("zip-part-size", part="content.xml", size=f"> {_mib(limits.MAX_PART_BYTES)}",
                        limit=_mib(limits.MAX_PART_BYTES))
    if len(xml) <= _ODS_SMALL and b"repeated" not in xml and b"visibility" not in xml:
        return {}
    plans: dict[str, SheetPlan] = {}
    tokens = _XML_TOKEN.finditer(xml)
    for token in tokens:
        if token.group(1) != b"" or token.group(2) != b"table:table" or token.group(3).rstrip().endswith(b"/"):
            continue
        attributes = _raw_attributes(token.group(3))
        if b"table:name" not in attributes:
            continue  # calamine reads no table without a name
        name = html.unescape(_text(attributes[b"table:name"][0]))
        hidden = _ods_table(name, tokens)
        if hidden:
            plans.setdefault(name, SheetPlan(hidden_rows=tuple(hidden)))
    return plans


def _ods_table(name: str, tokens: Iterator[re.Match[bytes]]) -> list[int]:
    """Count one table's rows and cells up to its end, as calamine does; the hidden rows that hold a value."""
    rows = top = columns = valued = 0  # rows laid out so far, rows up to the last with a value, widest row, valued elements
    hidden: list[int] = []
    for token in tokens:
        closing, tag = token.group(1), token.group(2)
        if tag == b"table:table" and closing:
            break
        if tag != b"table:table-row" or closing or closing is None:
            continue
        attributes = _raw_attributes(token.group(3))
        down = min(_count(attributes.get(_ROW_REPEAT), unescape=True), _ODS_MAX_ROWS - rows)
        width, last, filled = _ods_row(tokens) if not token.group(3).rstrip().endswith(b"/") else (0, 0, 0)
        if last:
            top, columns, valued = rows + down, max(columns, last), valued + filled
            if top * columns > limits.MAX_SHEET_CELLS:
                raise _too_large(name, top, columns, valued)
            if any(_text(v) in ("collapse", "filter") for v in attributes.get(b"table:visibility", [])):
                hidden.extend(range(rows + 1, rows + down + 1))
        rows += down
    return hidden


def _ods_row(tokens: Iterator[re.Match[bytes]]) -> tuple[int, int, int]:
    """(width, width up to the last cell with a value, cell elements with a value) of a row, read to its end.

    Elements, not the cells they repeat: a table is big for its written cells, not for one value repeated.
    """
    width = last = filled = 0
    for token in tokens:
        closing, tag = token.group(1), token.group(2)
        if closing is None:
            continue  # a comment, CDATA or processing instruction
        if tag == b"table:table-row" and closing:
            break
        if tag not in _CELLS or closing:
            continue
        attributes_text = token.group(3)
        across = min(_count(_raw_attributes(attributes_text).get(_COLUMN_REPEAT), unescape=False),
                     _ODS_MAX_COLUMNS - width)
        has_value = b"value" in attributes_text or b"formula" in attributes_text
        if not attributes_text.rstrip().endswith(b"/"):
            has_value = _ods_cell_body(tag, token.end(), tokens) or has_value
        width += across
        if has_value:
            last, filled = width, filled + 1
    return width, last, filled


def _ods_cell_body(tag: bytes, start: int, tokens: Iterator[re.Match[bytes]]) -> bool:
    """Read a cell to its end (nested cells of the same name included); whether anything is inside."""
    depth = 1
    for token in tokens:
        if token.group(2) == tag:
            if token.group(1):
                depth -= 1
                if depth == 0:
                    return token.start() > start
            elif not token.group(3).rstrip().endswith(b"/"):
                depth += 1
    return True


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
            found.append((int(ref.group(3)) % _WRAP - 1, column_number(ref.group(2)) - 1))
    return tuple(found)



def _rezip(book: _Book, replaced: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in book.infolist():
            data = replaced.get(info.filename)
            copy.writestr(info.filename, data if data is not None else _read(book, info, limits.MAX_PART_BYTES))
    return out.getvalue()

