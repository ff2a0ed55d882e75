"""Annotated copies of the input workbooks: offending cells filled, a comment naming the rule.

A person finding marks its cell (or, without a column, its row). A village or township finding
marks its anchor: the village cell of the village's first row, the township cell of the
township's first row, so that nobody on that row looks accused; only the copy of the file the
anchor is in carries it. Each copy carries the custom document property ``rulecheck =
annotated``, so that a later run finding it among the slates passes it over.

The inputs are never touched: each copy goes to the folder given with ``--annotate``, under the
same name and sub-folder as its input (relative to the inputs' common folder), written atomically,
and a copy that would land on an input is refused before anything is written. Only xlsx and
xlsm can be copied faithfully (openpyxl); other files are named and passed over.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rulecheck.render.masking import find_sheet
from rulecheck.render.messages import t
from rulecheck.findings import SEVERITY_RANK
from rulecheck.render.findings import Shown, ShownViolation
from rulecheck.formats.atomic import atomic_write

ANNOTATABLE = (".xlsx", ".xlsm")
_FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}


class AnnotateError(Exception):
    """Copies that cannot be written as asked: a copy would overwrite an input, or an input cannot be copied."""


# defusedxml's refusals, raised through openpyxl where defusedxml is installed.
_DTD_REFUSALS = {"DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden", "NotSupportedError"}
_PROLOG_BYTES = 64 * 1024  # a DTD may only stand before the root element, which starts well within this


def _refuse_dtd(source: Path, lang: str) -> None:
    """Refuse to copy a workbook with a DTD in any XML part: openpyxl would parse it (expanding its
    entities, or refusing it where defusedxml is installed), and Excel and WPS never write one."""
    import zipfile

    try:
        with zipfile.ZipFile(source) as package:
            for info in package.infolist():
                if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with package.open(info) as part:
                    head = part.read(_PROLOG_BYTES)
                if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                    head = head.decode("utf-16", errors="ignore").encode("utf-8")
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise AnnotateError(t(lang, "annotate-dtd", path=source))
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError) as exc:
        reason = (str(exc).splitlines() or [""])[0][:200] or type(exc).__name__
        raise AnnotateError(t(lang, "annotate-unreadable", path=source, reason=reason)) from None


# Where a finding is marked: (file, sheet, row, column letter or None, fill the whole row).
Mark = tuple[str, str, int, "str | None", bool]


def mark_of(v: ShownViolation) -> Mark | None:
    """The cell (or row) a finding is marked on in an annotated copy, if it has one: its Location's letter."""
    if v.anchor is not None and v.anchor.file is not None and v.anchor.sheet is not None and v.anchor.row is not None:
        return (v.anchor.file, v.anchor.sheet, v.anchor.row, v.anchor.column, False)
    if v.file is not None and v.sheet is not None and v.row is not None:
        return (v.file, v.sheet, v.row, v.letter, v.letter is None)
    return None


@dataclass(frozen=True)
class Plan:
    """Which copies to write where, and which files cannot be annotated."""

    copies: tuple[tuple[Path, Path, tuple[ShownViolation, ...]], ...]  # (input, copy, the violations marked in it)
    skipped: tuple[str, ...]  # inputs with violations that are not xlsx/xlsm


def plan(report: Shown, folder: Path) -> Plan:
    """Decide the copies; raises AnnotateError where a copy would be written over an input."""
    located: dict[str, list[ShownViolation]] = defaultdict(list)
    for v in report.violations:
        place = mark_of(v)
        if place is not None:
            located[place[0]].append(v)
    read = [f.path for f in report.files if not f.error]
    inputs = {Path(p).resolve() for p in read}
    common = Path(os.path.commonpath([p.parent for p in inputs])) if inputs else Path.cwd()
    copies, skipped = [], []
    for path in read:
        if not located.get(path):
            continue
        if Path(path).suffix.lower() not in ANNOTATABLE:
            skipped.append(path)
            continue
        source = Path(path).resolve()
        target = folder / source.relative_to(common)
        if target.resolve() in inputs:
            raise AnnotateError(t(report.lang, "output-is-input", path=target))
        copies.append((Path(path), target, tuple(located[path])))
    return Plan(tuple(copies), tuple(skipped))


def _comment_text(v: ShownViolation, report: Shown) -> str:
    severity = t(report.lang, f"severity-{v.severity}")
    return f"[{severity}] {v.rule} {report.rule_titles.get(v.rule, '')}\n{v.message}"


def write_copy(source: Path, target: Path, violations: tuple[ShownViolation, ...], report: Shown) -> None:
    """Copy one workbook with each violation's mark (its cell, its row, or its group's anchor cell)
    filled and commented; violations marked in another file are left out."""
    from openpyxl import load_workbook
    from openpyxl.cell.cell import MergedCell
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from rulecheck.formats.xlsx import mark

    _refuse_dtd(source, report.lang)
    try:
        book = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a workbook it cannot read
        if type(exc).__name__ in _DTD_REFUSALS:
            raise AnnotateError(t(report.lang, "annotate-dtd", path=source)) from None
        reason = (str(exc).splitlines() or [""])[0][:200] or type(exc).__name__
        raise AnnotateError(t(report.lang, "annotate-unreadable", path=source, reason=reason)) from None
    notes: dict[tuple[str, str], list[ShownViolation]] = defaultdict(list)
    ranks: dict[tuple[str, str], int] = {}  # the worst severity each filled cell shows
    for v in violations:
        place = mark_of(v)
        if place is None or Path(place[0]) != Path(source):
            continue
        _, shown, row, letter, whole_row = place
        sheet_name = find_sheet(shown, book.sheetnames)  # a sheet named by an identity number is shown masked
        if sheet_name is None:
            continue
        sheet = book[sheet_name]
        coordinate = f"{letter}{row}" if letter else f"A{row}"
        for merged in sheet.merged_cells.ranges:  # a merged cell speaks through its top-left cell
            if coordinate in merged:
                coordinate = merged.start_cell.coordinate
                break
        notes[(sheet_name, coordinate)].append(v)
        cells = list(sheet[row]) if whole_row else [sheet[coordinate]]
        for cell in cells:
            if isinstance(cell, MergedCell) or v.severity not in _FILLS:
                continue
            if SEVERITY_RANK[v.severity] < ranks.get((sheet_name, cell.coordinate), 3):
                cell.fill = PatternFill("solid", fgColor=_FILLS[v.severity])
                ranks[(sheet_name, cell.coordinate)] = SEVERITY_RANK[v.severity]
    for (sheet_name, coordinate), found in notes.items():
        cell = book[sheet_name][coordinate]
        text = "\n\n".join(_comment_text(v, report) for v in found)
        if cell.comment is not None:
            text = f"{cell.comment.text}\n\n{text}"
        cell.comment = Comment(text, "rulecheck", width=320, height=60 + 40 * len(found))
    mark(book, "annotated")
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(target, binary=True) as out:
        book.save(out)
