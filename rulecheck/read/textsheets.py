"""Spreadsheets that are text underneath: CSV and tab-separated text, HTML tables, SpreadsheetML 2003.

Chinese web systems "export to Excel" by writing an HTML table or a SpreadsheetML document and
naming it ``.xls``; Excel and WPS open both. rulecheck reads them with the standard library only:
``html.parser`` for HTML, expat for SpreadsheetML after refusing any DTD. Cells are laid out as
Excel would show them: a merged (rowspan/colspan, MergeAcross) area keeps its value in its
top-left cell and is blank elsewhere.

Each is held to ``limits.MAX_SHEET_CELLS`` (rows × the widest row) while it is read, row by row:
a text of millions of tiny cells is refused at the row where it passes the bound, before the rest
is parsed, and CSV lines are taken from the decoded text one at a time rather than through a copy.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

from rulecheck.read import guard, limits
from rulecheck.read.raw import RawSheet, ReadError, Term

# --------------------------------------------------------------------------- decoding

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w-]+)""", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
# Text read as GB18030 that is really Big5, Shift-JIS or Latin-1 turns into rare characters (outside
# GB2312's 6,763): a real slate has a few, in names; mojibake has them everywhere.
MIN_RARE_TO_JUDGE, MAX_RARE_SHARE = 2, 0.2


def decode(data: bytes) -> str:
    """Text of a file: UTF-16 by its BOM, else the declared charset, UTF-8, GB18030; raises ReadError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, exc, "UTF-16") from None
    declared = _DECLARED.search(data[:4096])
    name = (declared.group(1) or declared.group(2)).decode("ascii").lower() if declared else ""
    try:
        codec = codecs.lookup(name).name if name else ""
    except LookupError:
        codec = ""
    if codec and codec not in ("utf-8", "gb2312", "gbk", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # the declaration is wrong as often as not; fall back to what offices use
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        as_utf8 = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        # Name the byte where the encoding that read further stopped: that is the likelier intended one.
        raise _encoding_error(data, max(as_utf8, exc, key=lambda e: e.start), "UTF-8 / GB18030 (GBK)") from None
    cjk = set(_CJK.findall(text))
    rare = [ch for ch in cjk if not _in_gb2312(ch)]
    if len(rare) >= MIN_RARE_TO_JUDGE and len(rare) > MAX_RARE_SHARE * len(cjk):
        raise ReadError("text-encoding-guess", sample="".join(sorted(rare)[:8]))
    return text


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _encoding_error(data: bytes, exc: UnicodeDecodeError, tried: str) -> ReadError:
    line = data.count(b"\n", 0, exc.start) + 1
    return ReadError("text-encoding", tried=tried, line=line, byte=f"0x{data[exc.start]:02X}")


# --------------------------------------------------------------------------- CSV and tab-separated text


def read_delimited(name: str, data: bytes) -> list[RawSheet]:
    """CSV, or tab-separated text (Excel's "Unicode text" and many web exports).

    The cell bound is kept while the rows are read: a file of millions of tiny cells is refused at
    the row where it passes the bound, not parsed whole first.
    """
    text = decode(data)
    first = text[:4096].split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows: list[list[object]] = []
    bound = _Bound(name)
    try:
        for row in csv.reader(_lines(text), delimiter=delimiter):
            rows.append(row)
            bound.add(len(row))
    except csv.Error as exc:
        raise ReadError("csv-damaged", reason=str(exc)) from None
    return [RawSheet(name, rows)]


def _lines(text: str) -> Iterator[str]:
    """The lines of a text with their ends, as ``io.StringIO(text, newline="")`` gives them, without its copy
    of the text at four bytes a character."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # a lone CR ends a line too (old Mac files)
        yield from (m.group() for m in _LINE.finditer(text))
        return
    start, find = 0, text.find
    while (end := find("\n", start)) >= 0:
        yield text[start:end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _Bound:
    """The cells a sheet read so far holds (its rows × its widest row), refused once past MAX_SHEET_CELLS."""

    def __init__(self, sheet: str):
        self.sheet, self.rows, self.width = sheet, 0, 0

    def add(self, width: int) -> None:
        self.rows += 1
        if width > self.width:
            self.width = width
        if self.rows * self.width > limits.MAX_SHEET_CELLS:
            raise ReadError("text-too-big", sheet=self.sheet, rows=f"{self.rows:,}", columns=f"{self.width:,}",
                            cells=f"{self.rows * self.width:,}", limit=f"{limits.MAX_SHEET_CELLS:,}")


# --------------------------------------------------------------------------- HTML tables


class _Tables(HTMLParser):
    """Every outermost <table> as rows of cell text; spans leave blanks like Excel's merged cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[object]]] = []
        self.depth = 0  # table nesting: an inner table's text belongs to the outer cell
        self.skip = 0  # inside <style> or <script>
        self.rows: list[list[object]] = []
        self.row: list[object] | None = None
        self.cell: list[str] | None = None
        self.spans: list[list[int]] = []  # [column, width, rows left] of rowspans still open
        self.bound = _Bound("<table>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skip += 1
        elif tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.rows, self.row, self.cell, self.spans = [], None, None, []
                self.bound = _Bound(f"<table> {len(self.tables) + 1}")
        elif self.depth != 1:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr":
            self._end_row()
            self.row = []
            self._covered()
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
                self._covered()
            span = dict(attrs)
            cols = min(_int(span.get("colspan")), limits.MAX_COLUMNS_READ)
            down = min(_int(span.get("rowspan")), limits.MAX_SHEET_CELLS)
            self.cell = []
            self.row.append(self.cell)  # the cell's text pieces, joined when it ends
            self.row.extend([""] * (cols - 1))
            if down > 1:
                self.spans.append([len(self.row) - cols, cols, down])  # this row counts as the first
            self._covered()
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def _covered(self) -> None:
        """Blank cells where a rowspan from above covers the next column of this row."""
        moved = True
        while moved and self.row is not None:
            moved = False
            for span in self.spans:
                if span[0] == len(self.row) and span[2] > 0:
                    self.row.extend([""] * span[1])
                    moved = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip = max(self.skip - 1, 0)
        elif tag == "table":
            if self.depth == 1:
                self._end_row()
                if self.rows:
                    self.tables.append(self.rows)
            self.depth = max(self.depth - 1, 0)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.skip:
            self.cell.append(data)

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            at = next(i for i in range(len(self.row) - 1, -1, -1) if self.row[i] is self.cell)
            self.row[at] = " ".join(" ".join(self.cell).split())
            self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        self.rows.append(self.row)
        self.bound.add(len(self.row))
        for span in self.spans:
            span[2] -= 1
        self.spans = [s for s in self.spans if s[2] > 0]
        self.row = None


def _int(text: str | None) -> int:
    try:
        return max(int(str(text).strip()), 1)
    except ValueError:
        return 1


def read_html(name: str, data: bytes) -> list[RawSheet]:
    """The tables of an HTML page (an "Excel" export from a web system), one sheet per table."""
    parser = _Tables()
    text = decode(data)
    for start in range(0, len(text), 1 << 20):  # in pieces: the parser keeps only what it has not parsed yet
        parser.feed(text[start:start + (1 << 20)])
    parser.close()
    if parser.depth == 1:  # an unclosed table at the end of the page
        parser.handle_endtag("table")
    tables = [rows for rows in parser.tables if any(str(c).strip() for r in rows for c in r)]
    if not tables:
        raise ReadError("html-no-table")
    return [RawSheet(name if len(tables) == 1 else f"{name}-{i + 1}", rows) for i, rows in enumerate(tables)]


# --------------------------------------------------------------------------- SpreadsheetML 2003

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def read_spreadsheetml(name: str, data: bytes) -> list[RawSheet]:
    """The worksheets of an XML Spreadsheet 2003 document; a DTD is refused before parsing."""
    text = _XML_DECLARATION.sub("", decode(data), count=1)  # decoded already: drop its encoding
    if guard.after_prolog(text.encode("utf-8"))[1]:
        raise ReadError("xml-dtd", part=name)
    parser = ET.XMLPullParser(events=("start", "end"))
    sheets: list[RawSheet] = []
    title, rows, numbers, bound = "", [], [], _Bound(name)
    try:
        for start in range(0, len(text), 1 << 20):
            parser.feed(text[start:start + (1 << 20)])
            for event, element in parser.read_events():
                if event == "start" and element.tag == f"{_SS}Worksheet":
                    title = element.get(f"{_SS}Name") or f"Sheet{len(sheets) + 1}"
                    rows, numbers, bound = [], [], _Bound(title)
                elif event == "end" and element.tag == f"{_SS}Row":
                    index = element.get(f"{_SS}Index")
                    numbers.append(_int(index) if index else (numbers[-1] + 1 if numbers else 1))
                    rows.append(_row(element))
                    bound.add(len(rows[-1]))
                    element.clear()  # a row is done with: keep memory to the rows' values
                elif event == "end" and element.tag == f"{_SS}Worksheet":
                    sheets.append(RawSheet(title, rows, tuple(numbers)))
                    element.clear()
        parser.close()
    except ET.ParseError as exc:
        raise ReadError("xml-damaged", line=exc.position[0], reason=str(exc).split(":")[0]) from None
    if not sheets:
        raise ReadError("not-a-spreadsheet", what=Term("what-xml"))
    return sheets


def _row(row: ET.Element) -> list[object]:
    values: list[object] = []
    for cell in row.iter(f"{_SS}Cell"):
        index = cell.get(f"{_SS}Index")
        if index:
            values.extend([""] * (min(_int(index), limits.MAX_COLUMNS_READ + 1) - 1 - len(values)))
        if len(values) >= limits.MAX_COLUMNS_READ:
            break
        values.append(_value(cell.find(f"{_SS}Data")))
        across = cell.get(f"{_SS}MergeAcross")
        if across:
            values.extend([""] * min(_int(across), limits.MAX_COLUMNS_READ - len(values)))
    return values


def _value(data: ET.Element | None) -> object:
    if data is None:
        return ""
    text = "".join(data.itertext())
    kind = data.get(f"{_SS}Type", "String")
    try:
        if kind == "Number":
            return float(text)
        if kind == "DateTime":
            return dt.datetime.fromisoformat(text.strip()[:19])
        if kind == "Boolean":
            return text.strip() in ("1", "true", "True")
    except ValueError:
        pass  # kept as text: the column's own parser says whether it can be read
    return text
