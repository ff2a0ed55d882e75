"""Reading slates as offices send them: xlsx, xlsm, xls, ods (python-calamine), csv, and the HTML
and SpreadsheetML files web systems save as ``.xls`` (textsheets). What a file is comes from its
bytes, not its name, and every zip package passes ``guard`` before calamine sees it.

A sheet's header row is found among title and 填报单位 lines, headers are matched to the rule
file's columns through their aliases, merged township and village cells are filled down, and
every kept row carries the row number Excel shows at the left edge.
"""

from __future__ import annotations

import errno
import functools
import io
import itertools
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rulecheck import guard, limits
from rulecheck.raw import PassedOver, RawSheet, ReadError, Term
from rulecheck.ruleset import ColumnSpec, Ruleset
from rulecheck.values import blank_cells, fold_text

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# WPS's own spreadsheet and template formats (.et, .ett) are xls inside: calamine reads them as such.
SUFFIXES = WORKBOOK_SUFFIXES + (".et", ".ett", ".csv")
HEADER_SCAN_ROWS = 30
# Lines under or inside a table that are not candidates: totals, notes, signatures.
_NOT_A_ROW = re.compile(r"^(合计|小计|总计|共计|备注|注[:：]|说明|填表人|填报人|审核人|制表|负责人|联系电话)")
_WHITESPACE = re.compile(r"\s+")
_BRACKETED_SUFFIX = re.compile(r"[(\[（【][^()\[\]（）【】]*[)\]）】]$|[*＊]+$")


@dataclass(frozen=True)
class Sheet:
    """The candidate rows of one sheet, raw cells under canonical column names."""

    file: str
    name: str
    frame: pd.DataFrame  # canonical columns (object cells) plus "_row", the Excel row number
    headers: dict[str, str]  # canonical column → "header (letter)" as the user sees it
    skipped: int = 0  # rows inside the table that are not candidates: blank, totals, notes, no name
    unnamed: tuple[int, ...] = ()  # of those, rows with cells filled in but no name: named to the user


@dataclass(frozen=True)
class FileRead:
    path: str
    sheets: tuple[Sheet, ...] = ()
    headerless: tuple[str, ...] = ()  # sheets passed over: no recognisable header
    notes: tuple[tuple[str, dict[str, object]], ...] = ()  # (message key, values) the user should know


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_label(header: str, index: int) -> str:
    """A column as the user sees it: its header and its letter, '出生年月 (E)'."""
    return f"{header} ({column_letter(index)})"


def letter_of(label: str) -> str | None:
    """The column letter inside a ``column_label``, 'E' for '出生年月 (E)'."""
    match = re.search(r"\(([A-Z]{1,3})\)$", label)
    return match.group(1) if match else None


def find_files(paths: list[Path]) -> list[Path]:
    """Files to check: given files as they are; folders searched recursively, lock files skipped.

    What a folder holds under a spreadsheet's name is found whatever it is (a dangling link, a
    link loop, a named pipe, a device) so that the reader can name it; links to folders are not
    followed. A sub-folder that cannot be listed is returned too, and named by the reader.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(_walk(path))
        else:
            found.append(path)
    return found


def _walk(folder: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        if folder.is_dir():  # the folder itself cannot be listed: the reader says why
            yield folder
        return
    for entry in entries:
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            yield from _walk(Path(entry.path))
        elif os.path.splitext(entry.name)[1].lower() in SUFFIXES and not entry.name.startswith(("~$", ".~lock")):
            yield Path(entry.path)


def _alias_table(columns: dict[str, ColumnSpec], extra: dict[str, list[str]] | None = None) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, spec in columns.items():
        for alias in [*spec.aliases, *(extra or {}).get(key, [])]:
            table.setdefault(fold_text(alias), key)
    return table


_ALIASES: dict[int, tuple[Ruleset, dict | None, dict[str, str]]] = {}


def _aliases_of(ruleset: Ruleset, extra: dict[str, list[str]] | None) -> dict[str, str]:
    """The alias table of a ruleset, made once per ruleset rather than once per file."""
    known = _ALIASES.get(id(ruleset))
    if known is None or known[0] is not ruleset or known[1] != extra:
        known = _ALIASES[id(ruleset)] = (ruleset, extra, _alias_table(ruleset.columns, extra))
    return known[2]


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
    return best


def read_rows(path: Path) -> list[RawSheet]:
    """Every sheet of a file, whatever its name says it is; raises ReadError naming what is wrong."""
    data = _read_bytes(path)
    kind = guard.identify(data)
    if kind == "empty":
        raise ReadError("empty-file")
    if kind == "zip":
        package = guard.open_package(data)
        if package.made_by is not None:
            raise PassedOver(package.made_by)
        return _read_workbook(package.data, package.sheets)
    if kind == "ole2":
        if any(stream in data for stream in _ENCRYPTED_STREAMS):
            raise ReadError("encrypted")
        return _read_workbook(data, {})
    if kind in ("html", "spreadsheetml", "text"):
        from rulecheck import textsheets  # only for these: it is not needed to read a workbook

        read = {"html": textsheets.read_html, "spreadsheetml": textsheets.read_spreadsheetml, "text": textsheets.read_delimited}
        return read[kind](path.stem, data)
    raise ReadError("not-a-spreadsheet", what=Term(f"what-{kind}"))


# An Office file encrypted with a password is an OLE2 container with these streams (MS-OFFCRYPTO).
_ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))


def _read_bytes(path: Path) -> bytes:
    """The whole file, read once: a file that vanishes or changes later cannot confuse the read.

    Only a regular file is opened: anything else (a named pipe, a device, a socket, a dangling
    link, a link loop, a folder) is named for what it is. The file is opened without blocking and
    checked again once open, so nothing swapped in after the first look can hang the run.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ReadError("broken-link", target=_link_target(path)) from None
        raise ReadError("file-vanished") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError("link-loop", target=_link_target(path)) from None
        raise _os_error(exc) from None
    if stat.S_ISDIR(info.st_mode):
        try:
            os.scandir(path).close()
        except OSError as exc:  # a folder found in a folder, that cannot be listed
            raise ReadError("folder-unreadable", reason=exc.strerror or str(exc)) from None
        raise ReadError("file-is-folder")
    if not stat.S_ISREG(info.st_mode):
        what = Term(_kind(info.st_mode))
        if os.path.islink(path):
            raise ReadError("link-not-regular", target=os.path.realpath(path), what=what)
        raise ReadError("not-regular", what=what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _os_error(exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the first look
            raise ReadError("not-regular", what=Term(_kind(os.fstat(fd).st_mode)))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _os_error(exc) from None
    finally:
        os.close(fd)
    if len(data) > limits.MAX_FILE_BYTES:
        raise ReadError("file-too-large", limit=f"{limits.MAX_FILE_BYTES // limits.MiB} MiB")
    return data


def _os_error(exc: OSError) -> ReadError:
    if isinstance(exc, FileNotFoundError):
        return ReadError("file-vanished")
    if isinstance(exc, PermissionError):
        return ReadError("file-permission")
    if isinstance(exc, IsADirectoryError):
        return ReadError("file-is-folder")
    return ReadError("file-unreadable", reason=exc.strerror or str(exc))


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _kind(mode: int) -> str:
    """The message key naming what a file that is not a regular file is."""
    if stat.S_ISFIFO(mode):
        return "kind-fifo"
    if stat.S_ISCHR(mode):
        return "kind-char-device"
    if stat.S_ISBLK(mode):
        return "kind-block-device"
    if stat.S_ISSOCK(mode):
        return "kind-socket"
    return "kind-other"


def _read_workbook(data: bytes, plans: dict[str, guard.SheetPlan]) -> list[RawSheet]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise ReadError("encrypted") from None
    except python_calamine.CalamineError as exc:  # the base of calamine's zip, xml and format errors
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    except (ValueError, OverflowError, UnicodeError) as exc:  # bytes calamine cannot make sense of
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    except BaseException as exc:
        if not _panicked(exc):
            raise
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.visible) != "SheetVisibleEnum.Visible" or str(meta.typ) != "SheetTypeEnum.WorkSheet":
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python()  # from the first used cell: padding the rest is costly
            top, left = sheet.start or (0, 0)
            if left:
                pad = [""] * left
                rows = [pad + row for row in rows]
            if top:
                rows = [[] for _ in range(top)] + rows
        except python_calamine.PasswordError:
            raise ReadError("encrypted") from None
        except python_calamine.CalamineError as exc:
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        except (ValueError, OverflowError, UnicodeError) as exc:  # a cell calamine cannot turn into Python (a date out of range)
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        except BaseException as exc:
            if not _panicked(exc):
                raise
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        plan = plans.get(meta.name, guard.SheetPlan())
        sheets.append(RawSheet(meta.name, rows, plan.row_numbers, plan.uncached, plan.dropped, hidden_rows=plan.hidden_rows))
    return sheets


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _panicked(exc: BaseException) -> bool:
    """A Rust panic inside calamine, raised as pyo3's PanicException: a BaseException, importable only once raised."""
    return type(exc).__name__ == "PanicException"


def read_file(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None = None) -> FileRead:
    """Read the candidate rows of every sheet with a recognisable header; raises ReadError."""
    aliases = _aliases_of(ruleset, extra_aliases)
    label = ruleset.spec.ruleset.row_label
    sheets, headerless, seen_rows, notes = [], [], [], []
    for raw in read_rows(path):
        notes += _raw_notes(raw)
        found = _header_row(raw.rows, aliases)
        if found is None:
            headerless.append(raw.name)
            seen_rows.append(_likely_header(raw))
            continue
        sheet = _sheet(str(path), raw, *found, ruleset, label)
        sheets.append(sheet)
        if sheet.unnamed:
            rows = "、".join(map(str, sheet.unnamed[:SHOWN_CELLS])) + ("…" if len(sheet.unnamed) > SHOWN_CELLS else "")
            notes.append(("rows-unnamed", {"sheet": raw.name, "rows": rows, "label": _label_title(ruleset, label)}))
    if not sheets:
        expected = "、".join(spec.aliases[0] for spec in ruleset.columns.values() if spec.required)
        known = "、".join(spec.aliases[0] for spec in ruleset.columns.values())
        found_text = ";".join(s for s in seen_rows if s) or "-"
        raise ReadError("no-header", sheets="、".join(headerless) or "-", found=found_text, expected=expected, known=known)
    if not any(len(s.frame) for s in sheets):
        first = sheets[0]
        raise ReadError("no-candidates", sheet=first.name, skipped=sum(s.skipped for s in sheets))
    return FileRead(str(path), tuple(sheets), tuple(headerless), tuple(notes))


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


def _label_title(ruleset: Ruleset, label: str) -> str:
    return ruleset.columns[label].aliases[0]


def _likely_header(raw: RawSheet) -> str:
    """The row among the first few that looks most like a header, as the user would read it."""
    best, at = [], 0
    for i, row in enumerate(raw.rows[:HEADER_SCAN_ROWS]):
        texts = [str(c).strip() for c in row if isinstance(c, str) and c.strip()]
        if len(texts) > len(best):
            best, at = texts, i
    if not best:
        return ""
    shown = "、".join(best[:SHOWN_CELLS]) + ("…" if len(best) > SHOWN_CELLS else "")
    return f"「{raw.name}」{raw.row_number(at)}: {shown}"


def _sheet(file: str, raw: RawSheet, at: int, matched: dict[int, str], ruleset: Ruleset, label: str) -> Sheet:
    rows, name = raw.rows, raw.name
    header = rows[at]
    header_row = raw.row_number(at)
    seen: dict[str, int] = {}
    for j, key in matched.items():
        if key in seen:
            raise ReadError(
                "duplicate-column", sheet=name, column=str(header[j]).strip(),
                first=column_letter(seen[key]), second=column_letter(j), row=header_row,
            )
        seen[key] = j
    missing = [spec.aliases[0] for key, spec in ruleset.columns.items() if spec.required and key not in seen
               and not spec.from_sheet_name]
    if missing:
        raise ReadError("missing-columns", sheet=name, columns="、".join(missing), row=header_row)
    width = max(seen.values()) + 1
    _check_formulas(raw, at, set(seen.values()))
    cells = _grid(rows[at + 1:], width)
    # A cell counts only if it holds something other than whitespace.
    blank = blank_cells(cells)
    cells[blank] = None
    filled = ~blank.all(axis=1)
    numbers = (np.arange(len(cells)) + header_row + 1 if raw.row_numbers is None
               else np.asarray(raw.row_numbers[at + 1:at + 1 + len(cells)], dtype=np.int64))
    # Totals, notes and signature lines are told by their first filled cell.
    first = cells[np.arange(len(cells)), blank.argmin(axis=1)]
    text = np.flatnonzero(_is_str(first))  # a number or date never reads 合计 or 备注
    note = np.zeros(len(cells), dtype=bool)
    note[text] = [bool(_NOT_A_ROW.match(_WHITESPACE.sub("", x))) for x in first[text]]
    columns = {key: cells[:, j] for key, j in seen.items()}
    _check_required(name, ruleset, columns, seen, header, filled & ~note)
    for key, column in columns.items():
        if ruleset.columns[key].fill_down:  # merged township and village cells: only the top one has the value
            columns[key] = column[np.maximum.accumulate(np.where(blank[:, seen[key]], 0, np.arange(len(column))))]
    if label in columns:
        named = np.fromiter((x is not None for x in columns[label]), dtype=bool, count=len(cells))
    else:  # a label taken from the sheet's name is there on every row
        named = np.full(len(cells), bool(ruleset.columns[label].from_sheet_name), dtype=bool)
    is_row = filled & named & ~note
    unnamed = filled & ~named & ~note
    # One block of objects, the Excel row number included, is much cheaper than a column each.
    kept = np.empty((int(is_row.sum()), len(columns) + 1), dtype=object)
    for n, column in enumerate(columns.values()):
        kept[:, n] = column[is_row]
    kept[:, -1] = numbers[is_row].tolist()
    frame = pd.DataFrame(kept, columns=_index(tuple(columns)), dtype=object, copy=False)
    for key, spec in ruleset.columns.items():
        if spec.from_sheet_name and key not in frame:
            frame[key] = name
    headers = {key: column_label(str(header[j]).strip(), j) for key, j in seen.items()}
    return Sheet(file, name, frame, headers, _skipped(numbers, filled, is_row, header_row),
                 tuple(int(n) for n in numbers[unnamed]))


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


def _check_formulas(raw: RawSheet, at: int, columns: set[int]) -> None:
    """Refuse a table whose cells hold formulas saved without their result: they would read as blank."""
    cells = [(r, c) for r, c in raw.uncached if r > at and c in columns]
    if cells:
        shown = "、".join(f"{column_letter(c)}{raw.row_number(r)}" for r, c in cells[:SHOWN_CELLS])
        raise ReadError("formula-no-value", sheet=raw.name, count=len(cells),
                        cells=shown + ("…" if len(cells) > SHOWN_CELLS else ""))


def _check_required(sheet: str, ruleset: Ruleset, columns: dict[str, np.ndarray], seen: dict[str, int],
                    header: list[object], rows: np.ndarray) -> None:
    """A required column that has a header but not one value in any filled row."""
    if not rows.any():
        return
    for key, spec in ruleset.columns.items():
        if spec.required and key in seen and pd.isna(columns[key][rows]).all():
            j = seen[key]
            raise ReadError("column-empty", sheet=sheet, column=str(header[j]).strip(), letter=column_letter(j),
                            rows=int(rows.sum()))
