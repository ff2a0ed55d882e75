"""Finding a sheet's header and mapping its columns to the rule file's: raw sheets in, candidate rows out.

A sheet's header row is found among title and 填报单位 lines, headers are matched to the rule
file's columns through their aliases, merged township and village cells are filled down, and
every kept row carries the row number Excel shows at the left edge. What is needed of the rule
file is a ``Layout`` (its columns, their aliases, the column that names a row): the check, a
template writer or a web page make one from any rule file.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rulecheck.findings import column_letter
from rulecheck.read import reader
from rulecheck.read.raw import RawSheet, ReadError
from rulecheck.render.messages import t
from rulecheck.table.values import blank_cells, cell_text, fold_text

if TYPE_CHECKING:
    from rulecheck.rulefile.ruleset import ColumnSpec, Ruleset

HEADER_SCAN_ROWS = 30
# Lines under or inside a table that are not candidates: totals, notes, signatures.
_NOT_A_ROW = re.compile(r"^(合计|小计|总计|共计|备注|注[:：]|说明|填表人|填报人|审核人|制表|负责人|联系电话)")
_WHITESPACE = re.compile(r"\s+")
_BRACKETED_SUFFIX = re.compile(r"[(\[（【][^()\[\]（）【】]*[)\]）】]$|[*＊]+$")
_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
# A sheet of instructions or examples (填表说明, 附:填报说明, 说明(请勿删除), 示例1): its name, with any
# 附/附件N prefix, bracketed remarks and trailing numbering taken off, is made only of these words.
_INSTRUCTION_WORD = (r"(?:(?:填表|填报|填写|使用|编制|模板|表格|报表)?(?:说明|须知|要求|指南|示例|范例|样例|举例)"
                     r"|样表|示范|范本|示例表|例表|注意事项)")
_INSTRUCTIONS = re.compile(rf"{_INSTRUCTION_WORD}(?:[及和与、,,]?{_INSTRUCTION_WORD})*")
_INSTRUCTIONS_PREFIX = re.compile(r"^附(?:件|表|录)?[0-9一二三四五六七八九十]*[:：、.．\-_—]*")
_BRACKETED = re.compile(r"[(\[（【<《][^()\[\]（）【】<>《》]*[)\]）】>》]")
_NUMBERING = re.compile(r"[0-9一二三四五六七八九十.．\-_—]+$")


@dataclass(frozen=True)
class Sheet:
    """The candidate rows of one sheet, raw cells under canonical column names."""

    file: str
    name: str
    frame: pd.DataFrame  # canonical columns (object cells) plus "_row", the Excel row number
    headers: dict[str, str]  # canonical column → "header (letter)" as the user sees it
    skipped: int = 0  # rows inside the table that are not candidates: blank, totals, notes, no name
    unnamed: tuple[int, ...] = ()  # of those, rows with cells filled in but no name: named to the user
    repeated: tuple[int, ...] = ()  # of those, rows that repeat the header (after a page break)
    hidden_rows: tuple[int, ...] = ()  # candidate rows hidden in the sheet (read like the others)
    header_row: int = 0  # the Excel row number of the header (a sheet may stack several tables)
    # columns the sheet does not have, taken from where the rule file allows: (column, value, place, where)
    taken: tuple[tuple[str, str, str, str], ...] = ()
    # canonical column → (header as written, 0-based column index): where findings place their cells
    places: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FileRead:
    path: str
    sheets: tuple[Sheet, ...] = ()
    headerless: tuple[str, ...] = ()  # sheets passed over: no recognisable header
    notes: tuple[tuple[str, dict[str, object]], ...] = ()  # (message key, values) the user should know


def column_label(header: str, index: int) -> str:
    """A column as the user sees it: its header and its letter, '出生年月 (E)'."""
    return f"{header} ({column_letter(index)})"


def _alias_table(columns: dict[str, ColumnSpec], extra: dict[str, list[str]] | None = None) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, spec in columns.items():
        for alias in [*spec.aliases, *(extra or {}).get(key, [])]:
            table.setdefault(fold_text(alias), key)
    return table


@dataclass(frozen=True, eq=False)
class Layout:
    """What finding headers needs of a rule file: its columns (with their aliases) and the column that names a row."""

    columns: Mapping[str, ColumnSpec]
    label: str  # a row with this column blank is not a candidate (the rule file's row_label)
    aliases: Mapping[str, str]  # each alias, folded → its column (the columns' own, then any extra ones)

    @classmethod
    def of(cls, columns: Mapping[str, ColumnSpec], label: str, extra: dict[str, list[str]] | None = None) -> Layout:
        return cls(columns, label, _alias_table(columns, extra))

    @functools.cached_property
    def spellings(self) -> frozenset[object]:
        """Header cells as they are typed: every alias as written and folded, and headers no rule reads."""
        return frozenset({a for spec in self.columns.values() for a in spec.aliases} | set(self.aliases) | set(_OTHER_HEADERS))


_LAYOUTS: dict[int, tuple[Ruleset, dict | None, Layout]] = {}


def layout_of(ruleset: Ruleset, extra: dict[str, list[str]] | None = None) -> Layout:
    """A rule file's layout (its columns, with ``extra`` aliases from rulecheck.toml), made once per rule set."""
    known = _LAYOUTS.get(id(ruleset))
    if known is None or known[0] is not ruleset or known[1] != extra:
        known = _LAYOUTS[id(ruleset)] = (ruleset, extra, Layout.of(ruleset.columns, ruleset.spec.ruleset.row_label, extra))
    return known[2]


def one_line(cell: object) -> str:
    """A header cell as quoted to the user: a header typed with Alt+Enter (出生\\n年月) on one line."""
    text = str(cell).strip()
    if "\n" not in text and "\r" not in text:
        return text

    def join(m: re.Match[str]) -> str:  # Chinese runs on without a space; "birth\\ndate" keeps one
        before, after = m.string[m.start() - 1], m.string[m.end()]
        return " " if before.isascii() and after.isascii() else ""

    return _LINE_BREAK.sub(join, text)


@functools.lru_cache(maxsize=1024)
def is_instructions(sheet_name: str) -> bool:
    """Whether a sheet's name says it holds instructions or examples (填表说明, 示例, 附:填报说明)."""
    name = fold_text(sheet_name)
    if any(_INSTRUCTIONS.fullmatch(_NUMBERING.sub("", remark[1:-1])) for remark in _BRACKETED.findall(name)):
        return True  # 名单(示例), 拟任人选表(样表)
    name = _NUMBERING.sub("", _INSTRUCTIONS_PREFIX.sub("", _BRACKETED.sub("", name)))
    return _INSTRUCTIONS.fullmatch(name) is not None


# The hidden sheet of drop-down lists that ``rulecheck template`` writes where a list is too long for Excel to
# hold inline: its name, and the words its first cell starts with.
TEMPLATE_LISTS_SHEET = "下拉列表"
TEMPLATE_LISTS_MARK = "rulecheck template: "


def is_template_lists(raw: RawSheet) -> bool:
    """Whether a sheet is the template's hidden lists sheet: passed over without a note (it is no slate, and a
    note on every filled template would be noise). Hidden, of that name, and marked in A1 as written."""
    if not raw.hidden or raw.name != TEMPLATE_LISTS_SHEET or not raw.rows or not raw.rows[0]:
        return False
    first = raw.rows[0][0]
    return isinstance(first, str) and first.startswith(TEMPLATE_LISTS_MARK)


def match_header(text: object, aliases: dict[str, str]) -> str | None:
    """The canonical column a header cell names, if any (full-width and spaces folded)."""
    if not isinstance(text, str) or not text.strip():
        return None
    folded = fold_text(text)
    while folded:
        if folded in aliases:
            return aliases[folded]
        shorter = _BRACKETED_SUFFIX.sub("", folded)
        if shorter == folded:
            return None
        folded = shorter
    return None


def _header_row(rows: list[list[object]], aliases: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    """The row among the first few naming most columns, and the columns it names."""
    found = _header_rows(rows, aliases)
    return found[-1] if found else None


def _header_rows(rows: list[list[object]], aliases: dict[str, str]) -> list[tuple[int, dict[int, str]]]:
    """Rows among the first few naming two columns or more, each naming more than the one before: the last is
    the header row, unless an earlier one heads a table of its own (see ``_first_table``)."""
    found: list[tuple[int, dict[int, str]]] = []
    best: tuple[int, dict[int, str]] | None = None
    ascii_aliases = any(a.isascii() for a in aliases)
    seen: dict[str, str | None] = {}

    def match(cell: object) -> str | None:
        if cell not in seen:
            seen[cell] = match_header(cell, aliases)  # type: ignore[index]
        return seen[cell]  # type: ignore[index]

    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        # Only text can match, and ASCII text (numbers, ID numbers, dates) cannot fold to a Chinese
        # alias; a row with no more such cells than the best row has matches cannot beat it.
        texts = [j for j, cell in enumerate(row) if isinstance(cell, str) and (ascii_aliases or not cell.isascii())]
        if len(texts) < 2 or (best is not None and len(texts) <= len(best[1])):
            continue
        matched = {j: key for j in texts if (key := match(row[j]))}
        if len(set(matched.values())) >= 2 and (best is None or len(matched) > len(best[1])):
            best = (i, matched)
            found.append(best)
    return found


def read_file(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None = None) -> FileRead:
    """A file's raw sheets (``reader.read_rows``) mapped to a rule file's columns (``tables_of``); raises ReadError."""
    return tables_of(str(path), reader.read_rows(path), layout_of(ruleset, extra_aliases))


def tables_of(path: str, raws: Iterable[RawSheet], layout: Layout) -> FileRead:
    """The candidate rows of every sheet with a recognisable header; raises ReadError.

    Hidden sheets and rows are read like the others, with a note; a sheet of instructions or
    examples is passed over with a note; a header repeated inside a table is never a candidate.
    """
    aliases, label = layout.aliases, layout.label
    sheets, headerless, passed, instructions, seen_rows, notes = [], [], [], [], [], []
    for raw in raws:
        if is_instructions(raw.name):  # its example rows (张三, ××镇) are not a township's candidates
            instructions.append(raw.name)
            notes.append(("sheet-instructions", {"sheet": raw.name}))
            continue
        if is_template_lists(raw):
            continue
        notes += _raw_notes(raw)
        found = _header_rows(raw.rows, aliases)
        if not found:
            headerless.append(raw.name)
            passed.append(raw.name)
            seen_rows.append(_likely_header(raw))
            continue
        at, matched = _first_table(found, _needed(layout, set(found[-1][1].values())))
        if raw.hidden and label not in matched.values() and not layout.columns[label].sources:
            # A hidden sheet of lists behind drop-downs (性别, 职务, 是否留任): no candidates, not a table.
            columns = "、".join(one_line(raw.rows[at][j]) for j in list(matched)[:SHOWN_CELLS])
            notes.append(("sheet-hidden-no-table", {"sheet": raw.name, "row": raw.row_number(at), "columns": columns,
                                                    "label": _label_title(layout)}))
            passed.append(raw.name)
            continue
        if raw.hidden:
            notes.append(("sheet-hidden", {"sheet": raw.name}))
        tables = _tables(path, raw, at, matched, layout)
        sheets += tables
        notes += _table_notes(raw.name, tables, layout)
    if not sheets:
        if instructions and not passed:
            raise ReadError("only-instructions", sheets="、".join(instructions))
        expected = "、".join(spec.aliases[0] for spec in layout.columns.values() if spec.required)
        known = "、".join(spec.aliases[0] for spec in layout.columns.values())
        found_text = ";".join(s for s in seen_rows if s) or "-"
        raise ReadError("no-header-instructions" if instructions else "no-header", sheets="、".join(passed) or "-",
                        instructions="、".join(instructions), found=found_text, expected=expected, known=known)
    if not any(len(s.frame) for s in sheets):
        first = sheets[0]
        raise ReadError("no-candidates", sheet=first.name, skipped=sum(s.skipped for s in sheets))
    return FileRead(path, tuple(sheets), tuple(headerless), tuple(notes))


def _rows_text(rows: list[int] | tuple[int, ...]) -> str:
    """Row numbers as quoted to the user: the first few, then an ellipsis."""
    return "、".join(map(str, rows[:SHOWN_CELLS])) + ("…" if len(rows) > SHOWN_CELLS else "")


def _table_notes(name: str, tables: list[Sheet], layout: Layout) -> list[tuple[str, dict[str, object]]]:
    """What the user should know of one sheet's tables: rows with no name, headers repeated, hidden rows."""
    notes: list[tuple[str, dict[str, object]]] = []
    unnamed = [n for s in tables for n in s.unnamed]
    if unnamed:
        notes.append(("rows-unnamed", {"sheet": name, "rows": _rows_text(unnamed), "label": _label_title(layout)}))
    repeated = sorted([n for s in tables for n in s.repeated] + [s.header_row for s in tables[1:]])
    if repeated:
        notes.append(("header-repeated", {"sheet": name, "rows": _rows_text(repeated)}))
    hidden = [n for s in tables for n in s.hidden_rows]
    if hidden:
        notes.append(("rows-hidden", {"sheet": name, "rows": _rows_text(hidden)}))
    for key, value, place, where in dict.fromkeys(taken for s in tables for taken in s.taken):
        if place == "sheet_name":  # a file per village, named by its sheets: the usual shape, said in the README
            continue
        spec = layout.columns[key]
        notes.append(("column-taken", {"sheet": name, "value": value, "column_zh": spec.title.zh,
                                       "column_en": spec.title.en, "where_zh": t("zh", f"place-{place}", where=where),
                                       "where_en": t("en", f"place-{place}", where=where)}))
    return notes


SHOWN_CELLS = 8  # header cells, cell references or row numbers quoted in one message
GAP_NOTED = 1000  # a blank gap this long, closed when reading, is mentioned to the user


def _raw_notes(raw: RawSheet) -> list[tuple[str, dict[str, object]]]:
    notes: list[tuple[str, dict[str, object]]] = []
    if raw.dropped:
        notes.append(("cells-dropped", {"sheet": raw.name, "cells": "、".join(raw.dropped)}))
    if raw.row_numbers is not None and len(raw.row_numbers) > 1:
        gaps = np.diff(np.asarray(raw.row_numbers))
        i = int(np.argmax(gaps))
        if gaps[i] > GAP_NOTED:
            notes.append(("rows-moved", {"sheet": raw.name, "after": raw.row_numbers[i], "row": raw.row_numbers[i + 1]}))
    return notes


def _label_title(layout: Layout) -> str:
    return layout.columns[layout.label].aliases[0]


def _likely_header(raw: RawSheet) -> str:
    """The row among the first few that looks most like a header, as the user would read it."""
    best, at = [], 0
    for i, row in enumerate(raw.rows[:HEADER_SCAN_ROWS]):
        texts = [one_line(c) for c in row if isinstance(c, str) and c.strip()]
        if len(texts) > len(best):
            best, at = texts, i
    if not best:
        return ""
    shown = "、".join(best[:SHOWN_CELLS]) + ("…" if len(best) > SHOWN_CELLS else "")
    return f"「{raw.name}」{raw.row_number(at)}: {shown}"


def _needed(layout: Layout, keys: set[str]) -> frozenset[str]:
    """The columns a row must name to be a header of its own: the required ones and the row label."""
    return frozenset(k for k in keys if layout.columns[k].required or k == layout.label)


def _header_at(row: list[object], aliases: dict[str, str], needed: frozenset[str]) -> dict[int, str] | None:
    """The columns a row names, if it is a whole header: two columns at least, the needed ones among them."""
    matched = {j: key for j, cell in enumerate(row) if (key := match_header(cell, aliases))}
    keys = set(matched.values())
    return matched if len(keys) >= 2 and needed <= keys else None


def _first_table(found: list[tuple[int, dict[int, str]]], needed: frozenset[str]) -> tuple[int, dict[int, str]]:
    """The first whole header: the row naming most columns may head a second, wider table stacked below."""
    return next((i, matched) for i, matched in found if needed <= set(matched.values()))


# Headers slates carry that no rule reads: a table stacked in another column order may have one of
# these where the first table has its name or township.
_OTHER_HEADERS = ("序号", "编号", "备注", "学历", "文化程度", "政治面貌", "民族", "籍贯", "年龄", "入党时间",
                  "入党年月", "参加工作时间", "现任职务", "工作单位", "联系电话", "手机号码", "家庭住址")


def _tables(file: str, raw: RawSheet, at: int, matched: dict[int, str], layout: Layout) -> list[Sheet]:
    """The tables of one sheet: one, or several stacked one under another, each read with its own header."""
    tables = []
    step: tuple[int, dict[int, str]] | None = (at, matched)
    while step is not None:
        sheet, step = _sheet(file, raw, *step, layout)
        tables.append(sheet)
    return tables


PROBED_COLUMNS = 3  # columns looked at for a header repeated in a table: reading is the hot path


def _repeats(cells: np.ndarray, probe: list[int], spellings: frozenset[object]) -> np.ndarray:
    """Rows (indices into ``cells``) with a cell spelled as a header is in a probed column: maybe a header again."""
    hit = np.zeros(len(cells), dtype=bool)
    for j in probe:
        values = cells[:, j].tolist()
        if not spellings.isdisjoint(values):  # the usual answer, and a cheap one: no header in this column
            hit |= np.fromiter(map(spellings.__contains__, values), dtype=bool, count=len(values))
    return np.flatnonzero(hit)


def _sheet(file: str, raw: RawSheet, at: int, matched: dict[int, str], layout: Layout,
           ) -> tuple[Sheet, tuple[int, dict[int, str]] | None]:
    """The table whose header is rows[at], and where the next table stacked below it starts, if any."""
    aliases, label = layout.aliases, layout.label
    rows, name = raw.rows, raw.name
    single = matched
    span = _spanned(rows, at, matched, layout)
    header, matched, top, body = span.cells, span.matched, span.top, span.body
    header_row = raw.row_number(top)
    seen: dict[str, int] = {}
    for j, key in matched.items():
        if key in seen:
            spec = layout.columns[key]
            raise ReadError(
                "duplicate-column", sheet=name, row=header_row,
                first_header=one_line(header[seen[key]]), first=column_letter(seen[key]),
                second_header=one_line(header[j]), second=column_letter(j), title_zh=spec.title.zh, title_en=spec.title.en,
            )
        seen[key] = j
    missing = [spec.aliases[0] for key, spec in layout.columns.items() if spec.required and key not in seen
               and not spec.sources]
    if missing:
        raise ReadError("missing-columns", sheet=name, columns="、".join(missing), row=header_row)
    taken = _taken(file, raw, top, seen, layout)
    width = max(seen.values()) + 1 if span.month is None else max(*seen.values(), span.month) + 1
    cells = _grid(rows[body:], width)
    # A header repeated after a page break is passed over; one with other columns starts a new table.
    # Only rows with a header's spelling where this table has its name or township (or first columns)
    # are matched cell by cell.
    spellings = layout.spellings | {c for r in range(top, body) for c in rows[r] if isinstance(c, str) and c.strip()}
    repeated, step = [], None
    needed = _needed(layout, set(seen))
    probe = list(dict.fromkeys([*(seen[k] for k in needed), *seen.values()]))[:PROBED_COLUMNS]
    # A header of two rows (or with a hint row) repeated after a page break: each of its rows is passed over.
    again_rows = {_row_key(rows[r], width) for r in range(top, body)} if body - top > 1 else set()
    for i in _repeats(cells, probe, spellings):
        again = _header_at(rows[body + i], aliases, needed)
        if again == matched or again == single or (again_rows and _row_key(rows[body + i], width) in again_rows):
            repeated.append(i)
        elif again is not None:
            step = (body + int(i), again)
            cells = cells[:i]
            break
    end = body + len(cells)
    _check_formulas(raw, body - 1, end, set(seen.values()) | ({span.month} if span.month is not None else set()))
    # A cell counts only if it holds something other than whitespace.
    blank = blank_cells(cells)
    blank[repeated] = True  # counted among the skipped rows, as a blank line between rows would be
    cells[blank] = None
    filled = ~blank.all(axis=1)
    numbers = (np.arange(len(cells)) + body + 1 if raw.row_numbers is None
               else np.asarray(raw.row_numbers[body:end], dtype=np.int64))
    # Totals, notes and signature lines are told by their first filled cell.
    first = cells[np.arange(len(cells)), blank.argmin(axis=1)]
    text = np.flatnonzero(_is_str(first))  # a number or date never reads 合计 or 备注
    note = np.zeros(len(cells), dtype=bool)
    note[text] = [bool(_NOT_A_ROW.match(_WHITESPACE.sub("", x))) for x in first[text]]
    columns = {key: cells[:, j] for key, j in seen.items()}
    if span.month is not None:  # 出生 over 年 | 月: one birth date in two columns, read as 'year.month'
        key = matched[seen_birth := span.year]
        columns[key] = _year_month(cells[:, seen_birth], cells[:, span.month])
        blank[:, seen_birth] &= blank[:, span.month]
    _check_required(name, layout, columns, seen, header, filled & ~note)
    for key, column in columns.items():
        if layout.columns[key].fill_down:  # merged township and village cells: only the top one has the value
            columns[key] = column[np.maximum.accumulate(np.where(blank[:, seen[key]], 0, np.arange(len(column))))]
    if label in columns:
        named = np.fromiter((x is not None for x in columns[label]), dtype=bool, count=len(cells))
    else:  # a label taken from elsewhere (the sheet's name, the title) is there on every row
        named = np.full(len(cells), any(key == label for key, *_ in taken), dtype=bool)
    is_row = filled & named & ~note
    unnamed = filled & ~named & ~note
    # One block of objects, the Excel row number included, is much cheaper than a column each.
    kept = np.empty((int(is_row.sum()), len(columns) + 1), dtype=object)
    for n, column in enumerate(columns.values()):
        kept[:, n] = column[is_row]
    kept[:, -1] = numbers[is_row].tolist()
    frame = pd.DataFrame(kept, columns=_index(tuple(columns)), dtype=object, copy=False)
    for key, value, *_ in taken:
        frame[key] = value
    places = {key: (span.label(j), j) for key, j in seen.items()}
    headers = {key: column_label(header, j) for key, (header, j) in places.items()}
    hidden = numbers[is_row][np.isin(numbers[is_row], raw.hidden_rows)] if raw.hidden_rows else ()
    sheet = Sheet(file, name, frame, headers, _skipped(numbers, filled, is_row, raw.row_number(body - 1)),
                  tuple(int(n) for n in numbers[unnamed]), tuple(int(numbers[i]) for i in repeated),
                  tuple(int(n) for n in hidden), header_row, taken, places)
    return sheet, step


# --------------------------------------------------------------------------- headers over two rows

# Under a birth-date column's group header (出生, 出生年月), its year and its month in two columns.
_YEAR_WORD, _MONTH_WORD = "年", "月"
# A hint row under the header: every filled cell a bracketed remark, (年.月), (18位), （填写说明）.
_HINT = re.compile(r"^\s*[(\[（【<《][^()\[\]（）【】<>《》]*[)\]）】>》]\s*$")


@dataclass(frozen=True)
class _Span:
    """A header as found across the rows it spans: rows[top:body] are header (and hint) rows."""

    cells: list[object]  # per column its name: the sub-header, else the cell merged over both rows
    matched: dict[int, str]  # column index → canonical column
    top: int
    body: int  # the first row under the header
    year: int | None = None  # a birth date in two columns: the year's column and the month's
    month: int | None = None
    group: str = ""  # the header over the two (出生)

    def label(self, j: int) -> str:
        if j == self.year:
            return f"{one_line(self.group)}({_YEAR_WORD}、{_MONTH_WORD})"
        return one_line(self.cells[j])


def _text(cell: object) -> bool:
    return isinstance(cell, str) and bool(cell.strip())


def _spanned(rows: list[list[object]], at: int, matched: dict[int, str], layout: Layout) -> _Span:
    """The header whose row naming most columns is rows[at], with the row above or below it if the two are one
    header (a group header over sub-headers, cells merged down both rows), and a hint row under it passed over.

    Only a header row with a blank or unmatched cell is looked at further: the usual header is one row.
    """
    header = rows[at]
    span = _Span(list(header), matched, at, at + 1)
    if len(matched) < sum(map(_text, header)) or any(not _text(c) for c in header[:max(matched) + 1]):
        named = len(set(matched.values()))
        if at > 0 and (pair := _pair(rows[at - 1], header, at - 1, named, layout, below=False)):
            span = pair
        elif at + 1 < len(rows) and (pair := _pair(header, rows[at + 1], at, named, layout, below=True)):
            span = pair
    if span.body < len(rows) and _hint_row(rows[span.body]):
        span = _Span(span.cells, span.matched, span.top, span.body + 1, span.year, span.month, span.group)
    return span


def _hint_row(row: list[object]) -> bool:
    filled = [c for c in row if c is not None and c != ""]
    return bool(filled) and all(isinstance(c, str) and (not c.strip() or _HINT.match(c)) for c in filled) \
        and any(_text(c) for c in filled)


def _pair(upper: list[object], lower: list[object], top: int, named: int, layout: Layout, below: bool) -> _Span | None:
    """upper and lower read as one header, if together they name more columns (``named``: the header row alone)."""
    aliases = layout.aliases
    words = {c.strip() for c in lower if isinstance(c, str)}
    years = _YEAR_WORD in words and _MONTH_WORD in words
    if below:  # the row under a header is a sub-header row only if all it holds is headers (not a first candidate)
        texts = [c for c in lower if c is not None and c != ""]
        if not texts or not all(isinstance(c, str) for c in texts):
            return None
        if not years and any(c.strip() and match_header(c, aliases) is None for c in texts):  # type: ignore[union-attr]
            return None
    elif not years and not any(_text(c) and (j >= len(lower) or not _text(lower[j])) for j, c in enumerate(upper)):
        return None  # nothing above a blank header cell: no cell merged down both rows
    width = max(len(upper), len(lower))
    cells = [lower[j] if j < len(lower) and _text(lower[j]) else (upper[j] if j < len(upper) else None)
             for j in range(width)]
    matched = {j: key for j, cell in enumerate(cells) if (key := match_header(cell, aliases))}
    year = month = None
    group = ""
    births = {k for k, spec in layout.columns.items() if spec.type == "birth-date"}
    for j in range(min(len(upper), len(lower)) - 1):
        if (_text(upper[j]) and fold_text(str(lower[j])) == _YEAR_WORD and fold_text(str(lower[j + 1])) == _MONTH_WORD
                and (key := _birth_group(upper[j], layout, births))):
            matched.pop(j + 1, None)
            matched[j] = key
            year, month, group = j, j + 1, str(upper[j])
            break
    if year is None and len(set(matched.values())) <= named:
        return None
    if below and any(_text(c) and match_header(c, aliases) is None and j not in (year, month) for j, c in enumerate(lower)):
        return None
    return _Span(cells, dict(sorted(matched.items())), top, top + 2, year, month, group)


def _birth_group(cell: object, layout: Layout, births: set[str]) -> str | None:
    """The birth-date column a group header names: by an alias (出生年月), or as the start of one (出生)."""
    key = match_header(cell, layout.aliases)
    if key in births:
        return key
    folded = fold_text(str(cell))
    return next((k for k in births for alias in layout.columns[k].aliases if fold_text(alias).startswith(folded)), None)


def _year_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """A year's cells and a month's read as one birth cell each, '1968.5'; a year alone stays as it is."""
    y = cell_text(pd.Series(year, dtype=object))
    m = cell_text(pd.Series(month, dtype=object))
    joined = y.where(m.isna(), y + "." + m)
    return joined.astype(object).where(joined.notna(), None).to_numpy(dtype=object)


def _row_key(row: list[object], width: int) -> tuple[str, ...]:
    return tuple("" if c is None else str(c).strip() for c in itertools.islice(itertools.chain(row, itertools.repeat(None)), width))


# --------------------------------------------------------------------------- a column's value from elsewhere

# A 填报单位 line above the header: its words after the label (填报单位(盖章):中共丁堰镇委员会).
_UNIT_LINE = re.compile(r"^(?:填报|报送|填表|上报|呈报)单位\s*(?:[(（][^)）]*[)）])?\s*[:：]?\s*")


def _either(items: list[str]) -> str:
    """'a, b or c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


@functools.lru_cache(maxsize=32)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _lines(raw: RawSheet, top: int) -> dict[str, list[tuple[str, str]]]:
    """The lines above a header: title lines and 填报单位 lines, each with its row number."""
    lines: dict[str, list[tuple[str, str]]] = {"title": [], "unit": []}
    for i, row in enumerate(raw.rows[:top]):
        line = " ".join(one_line(c) for c in row if isinstance(c, str) and c.strip())
        if line:
            unit = _UNIT_LINE.match(line)
            lines["unit" if unit else "title"].append((line[unit.end():] if unit else line, str(raw.row_number(i))))
    return lines


def _places(file: str, raw: RawSheet, lines: dict[str, list[tuple[str, str]]], place: str) -> list[tuple[str, str]]:
    """The texts of one place a column's value may come from, each with where it is as shown to the user."""
    if place == "sheet_name":
        return [(raw.name, raw.name)]
    if place == "file_name":
        return [(Path(file).stem, Path(file).name)]
    return lines[place]


def _taken(file: str, raw: RawSheet, top: int, seen: dict[str, int], layout: Layout) -> tuple[tuple[str, str, str, str], ...]:
    """Columns the sheet does not have, taken from the places the rule file names; a required one refused if none
    of them names it."""
    taken = []
    lines = None
    for key, spec in layout.columns.items():
        if key in seen or not spec.sources:
            continue
        value = None
        for place in spec.sources:
            if lines is None and place in ("title", "unit"):
                lines = _lines(raw, top)
            for text, where in _places(file, raw, lines or {}, place):
                if spec.name_pattern is None:
                    value = text.strip() or None
                elif match := _pattern(spec.name_pattern).search(text):
                    value = (match.groupdict().get("name") or match.group(0)).strip() or None
                if value:
                    taken.append((key, value, place, where))
                    break
            if value:
                break
        if value is None and spec.required:
            places = list(spec.sources)
            raise ReadError("column-not-anywhere", sheet=raw.name, row=raw.row_number(top), column_zh=spec.title.zh,
                            column_en=spec.title.en, header=spec.aliases[0],
                            places_zh="、".join(t("zh", f"place-{p}-name") for p in places),
                            places_en=_either([t("en", f"place-{p}-name") for p in places]))
    return tuple(taken)


@functools.lru_cache(maxsize=64)
def _index(columns: tuple[str, ...]) -> pd.Index:
    """The frame's column index; made once per layout (an object Index: no string inference)."""
    return pd.Index([*columns, "_row"], dtype=object)


def _is_str(cells: np.ndarray) -> np.ndarray:
    return np.fromiter(map(isinstance, cells, itertools.repeat(str)), dtype=bool, count=len(cells))


def _grid(rows: list[list[object]], width: int) -> np.ndarray:
    """Rows of cells as a 2-D object array of exactly ``width`` columns."""
    if rows and min(map(len, rows)) == max(map(len, rows)) >= width:  # calamine's usual rectangle
        grid = np.empty((len(rows), len(rows[0])), dtype=object)
        grid[:] = rows
        return grid[:, :width].copy()
    grid = np.full((len(rows), width), None, dtype=object)
    for i, row in enumerate(rows):
        n = min(len(row), width)
        grid[i, :n] = row[:n]
    return grid


def _skipped(numbers: np.ndarray, filled: pd.Series, is_row: pd.Series, header_row: int) -> int:
    """Rows under the header that are not candidates: filled ones, and blank lines between filled rows.

    Blank padding after the last filled row is not counted, nor a gap long enough to be closed
    when reading (it is reported on its own, see ``GAP_NOTED``).
    """
    gaps = np.diff(np.concatenate(([header_row], numbers[np.asarray(filled)]))) - 1
    blank = int(gaps[gaps <= GAP_NOTED].sum())
    return blank + int((np.asarray(filled) & ~np.asarray(is_row)).sum())


def _check_formulas(raw: RawSheet, at: int, end: int, columns: set[int]) -> None:
    """Refuse a table whose cells hold formulas saved without their result: they would read as blank."""
    cells = [(r, c) for r, c in raw.uncached if at < r < end and c in columns]
    if cells:
        shown = "、".join(f"{column_letter(c)}{raw.row_number(r)}" for r, c in cells[:SHOWN_CELLS])
        raise ReadError("formula-no-value", sheet=raw.name, count=len(cells),
                        cells=shown + ("…" if len(cells) > SHOWN_CELLS else ""))


def _check_required(sheet: str, layout: Layout, columns: dict[str, np.ndarray], seen: dict[str, int],
                    header: list[object], rows: np.ndarray) -> None:
    """A required column that has a header but not one value in any filled row."""
    if not rows.any():
        return
    for key, spec in layout.columns.items():
        if spec.required and key in seen and pd.isna(columns[key][rows]).all():
            j = seen[key]
            raise ReadError("column-empty", sheet=sheet, column=one_line(header[j]), letter=column_letter(j),
                            rows=int(rows.sum()))
