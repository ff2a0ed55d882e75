"""Reading slates as offices send them: xlsx, xlsm, xls, ods (python-calamine) and csv.

A sheet's header row is found among title and 填报单位 lines, headers are matched to the rule
file's columns through their aliases, merged township and village cells are filled down, and
every kept row carries the row number Excel shows at the left edge.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rulecheck.messages import t
from rulecheck.ruleset import ColumnSpec, Ruleset
from rulecheck.values import fold_text

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUFFIXES = WORKBOOK_SUFFIXES + (".csv",)
HEADER_SCAN_ROWS = 30
# Lines under or inside a table that are not candidates: totals, notes, signatures.
_NOT_A_ROW = re.compile(r"^(合计|小计|总计|共计|备注|注[:：]|说明|填表人|填报人|审核人|制表|负责人|联系电话)")
_BRACKETED_SUFFIX = re.compile(r"[(\[（【][^()\[\]（）【】]*[)\]）】]$|[*＊]+$")


class ReadError(Exception):
    """A file, or every sheet in it, that cannot be read: a message key and its values."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: str) -> str:
        return t(lang, self.key, **self.params)


@dataclass(frozen=True)
class Sheet:
    """The candidate rows of one sheet, raw cells under canonical column names."""

    file: str
    name: str
    frame: pd.DataFrame  # canonical columns (object cells) plus "_row", the Excel row number
    headers: dict[str, str]  # canonical column → "header (letter)" as the user sees it
    skipped: int = 0


@dataclass(frozen=True)
class FileRead:
    path: str
    sheets: tuple[Sheet, ...] = ()
    headerless: tuple[str, ...] = ()  # sheets passed over: no recognisable header


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
    """Files to check: given files as they are; folders searched recursively, lock files skipped."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(("~$", ".~lock"))
            )
        else:
            found.append(path)
    return found


def _alias_table(columns: dict[str, ColumnSpec], extra: dict[str, list[str]] | None = None) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, spec in columns.items():
        for alias in [*spec.aliases, *(extra or {}).get(key, [])]:
            table.setdefault(fold_text(alias), key)
    return table


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
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        matched = {j: key for j, cell in enumerate(row) if (key := match_header(cell, aliases))}
        if len(set(matched.values())) >= 2 and (best is None or len(matched) > len(best[1])):
            best = (i, matched)
    return best


def read_rows(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet of a file as (name, rows of cells); rows[i] is Excel row i + 1."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [(path.stem, _read_csv(path))]
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise ReadError("file-unreadable", reason=str(exc).splitlines()[0][:200]) from None
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.visible) != "SheetVisibleEnum.Visible" or str(meta.typ) != "SheetTypeEnum.WorkSheet":
            continue
        try:
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=str(exc).splitlines()[0][:200]) from None
        sheets.append((meta.name, rows))
    return sheets


def _read_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("csv-encoding")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def read_file(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None = None) -> FileRead:
    """Read the candidate rows of every sheet with a recognisable header; raises ReadError."""
    aliases = _alias_table(ruleset.columns, extra_aliases)
    label = ruleset.spec.ruleset.row_label
    sheets, headerless = [], []
    for name, rows in read_rows(path):
        found = _header_row(rows, aliases)
        if found is None:
            headerless.append(name)
            continue
        sheets.append(_sheet(str(path), name, rows, *found, ruleset, label))
    if not sheets:
        expected = "、".join(spec.aliases[0] for spec in ruleset.columns.values() if spec.required)
        raise ReadError("no-header", sheets="、".join(headerless) or "-", expected=expected)
    return FileRead(str(path), tuple(sheets), tuple(headerless))


def _sheet(file: str, name: str, rows: list[list[object]], at: int, matched: dict[int, str],
           ruleset: Ruleset, label: str) -> Sheet:
    header = rows[at]
    seen: dict[str, int] = {}
    for j, key in matched.items():
        if key in seen:
            raise ReadError(
                "duplicate-column", sheet=name, column=str(header[j]).strip(),
                first=column_letter(seen[key]), second=column_letter(j),
            )
        seen[key] = j
    missing = [spec.aliases[0] for key, spec in ruleset.columns.items() if spec.required and key not in seen
               and not spec.from_sheet_name]
    if missing:
        raise ReadError("missing-columns", sheet=name, columns="、".join(missing), row=at + 1)
    width = max(seen.values()) + 1
    body = [list(r[:width]) + [""] * (width - len(r)) for r in rows[at + 1:]]
    cells = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width), dtype=object)
    text = cells.astype("string")
    cells = cells.where(text.apply(lambda col: col.str.strip().ne("")).fillna(False).astype(bool), None)
    frame = pd.DataFrame({key: cells[j] for key, j in seen.items()}, index=cells.index)
    frame["_row"] = cells.index + at + 2
    for key, spec in ruleset.columns.items():
        if spec.fill_down and key in frame:
            frame[key] = frame[key].ffill()
        if spec.from_sheet_name and key not in frame:
            frame[key] = name
    filled = cells.notna().any(axis=1)
    first = cells.bfill(axis=1).iloc[:, 0].astype("string").str.strip().str.replace(r"\s+", "", regex=True)
    is_row = filled & frame[label].notna() & ~first.str.match(_NOT_A_ROW.pattern).fillna(False).astype(bool)
    headers = {key: column_label(str(header[j]).strip(), j) for key, j in seen.items()}
    kept = frame[is_row].reset_index(drop=True)
    return Sheet(file, name, kept, headers, int((filled & ~is_row).sum()))
