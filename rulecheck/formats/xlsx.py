"""The violations workbook a township office opens, sorts and annotates in Excel or WPS.

Sheets: 汇总 (per township: the rule file's statistics, coloured where a rule is broken, and the
counts; per rule: its counts by township), 问题清单 (one row per violation, an Excel table with
filters and a frozen header), 豁免 (accepted exemptions and their evidence), 文件 (what was read,
each file's status, the rules it could not be checked against and why)
and 图表 (each statistic that has a reference in the rule file, per township, against its line,
as native charts that stay live in Excel and WPS). 汇总 opens with the run's verdict, coloured red
when the check is incomplete. The workbook carries the custom document property
``rulecheck = report``, so that a later run finding it among the slates passes it over.

Every string is stored as text, never as a formula: openpyxl would take a name typed as
``=HYPERLINK(...)`` for a formula, so such cells get the string type and Excel's quote prefix.
"""

from __future__ import annotations

import re
import unicodedata
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from rulecheck.formats.rows import (FORMULA_START, exemption_columns, exemption_rows, observed_text, unchecked_title,
                                    verdict, violation_columns, violation_rows)
from rulecheck.render.messages import t
from rulecheck.render.findings import Shown, ShownFile

MARK_PROPERTY = "rulecheck"  # the custom document property guard.py looks for (value "report" or "annotated")


def mark(book: Workbook, value: str) -> None:
    """Mark a workbook rulecheck writes, so that it is never read as a slate."""
    props = book.custom_doc_props
    for name in [p.name for p in props.props if p.name == MARK_PROPERTY]:
        del props[name]
    props.append(StringProperty(name=MARK_PROPERTY, value=value))

FILLS = {"error": PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
BAR_COLOURS = {None: "4472C4", "error": "C00000", "warning": "ED7D31"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
THIN = Border(*(Side(style="thin", color="BFBFBF"),) * 4)
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 60
_CELL_LIMIT = 32767  # characters Excel keeps in one cell


def excel_number_format(spec: str | None) -> str:
    """A rule file's format spec ('.1f', '.1%') as an Excel number format ('0.0', '0.0%')."""
    if not spec:
        return "General"
    match = re.fullmatch(r"\.([0-9])([f%])", spec)
    if match is None:
        return "General"
    decimals = int(match.group(1))
    number = "0" + ("." + "0" * decimals if decimals else "")
    return number + ("%" if match.group(2) == "%" else "")


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value; text always stays text, whatever it starts with."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:_CELL_LIMIT]
        cell.value = text
        cell.data_type = "s"  # openpyxl marks a str starting with '=' as a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    else:
        cell.value = value
    return cell


def _width(value: Any) -> int:
    text = str(value) if value is not None else ""
    longest = max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                   for line in text.splitlines() or [""]), default=0)
    return longest


def _fit(sheet: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), MAX_WIDTH)


def _header(sheet: Worksheet, row: int, titles: list[str], widths: dict[int, int]) -> None:
    for j, title in enumerate(titles, start=1):
        cell = put(sheet, row, j, title)
        cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, THIN
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[j] = max(widths.get(j, 0), min(_width(title), 24))


def _list_sheet(sheet: Worksheet, name: str, headers: list[str], rows: list[list[Any]], empty: str,
                wrap: set[int] = frozenset()) -> dict[int, int]:
    """A list as an Excel table (filters on every column) under a frozen header row."""
    widths: dict[int, int] = {}
    _header(sheet, 1, headers, widths)
    sheet.freeze_panes = "A2"
    if not rows:
        put(sheet, 2, 1, empty)
        _fit(sheet, widths)
        return widths
    for i, values in enumerate(rows, start=2):
        for j, value in enumerate(values, start=1):
            cell = put(sheet, i, j, value)
            if j in wrap:
                cell.alignment = WRAP
            widths[j] = max(widths.get(j, 0), _width(value))
    table = Table(displayName=name, ref=f"A1:{get_column_letter(len(headers))}{len(rows) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    sheet.add_table(table)
    _fit(sheet, widths)
    return widths


def _violation_cell(key: str, value: Any, lang: str) -> Any:
    if key == "severity":
        return t(lang, f"severity-{value}")
    if key == "observed" and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return observed_text(value, lang) or None  # numbers stay numbers, so they sort as numbers
    return value


def _violations(report: Shown, sheet: Worksheet) -> None:
    lang = report.lang
    rows = violation_rows(report)
    columns = violation_columns(report)
    values = [[_violation_cell(key, r[key], lang) for key in columns] for r in rows]
    wrap = {columns.index(k) + 1 for k in ("message", "quote", "files", *_PRINT_WIDTHS, "observed") if k in columns}
    widths = _list_sheet(sheet, "Violations", [t(lang, f"col-{k}") for k in columns], values, t(lang, "no-rows"), wrap)
    for i, r in enumerate(rows, start=2):
        fill = FILLS.get(r["severity"])
        if fill:
            sheet.cell(row=i, column=1).fill = fill
    _print_setup(sheet, columns, widths)


# Widths on paper (characters) of the columns whose text runs long: wrapped within them, not cut off.
_PRINT_WIDTHS = {"message": 48, "quote": 36, "title": 24, "files": 30, "file": 30}
_OBSERVED_WIDTH = (10, 24)  # the observed value keeps a column of its own, fitted to its values within these


def _print_setup(sheet: Worksheet, columns: tuple[str, ...], widths: dict[int, int]) -> None:
    """The 问题清单 sheet as it prints: landscape A4, one page wide, the header row on every page."""
    for key, most in _PRINT_WIDTHS.items():
        if key in columns:
            j = columns.index(key) + 1
            sheet.column_dimensions[get_column_letter(j)].width = min(max(widths.get(j, 0) + 2, 8), most)
    if "observed" in columns:  # wrapped (set with the values) within a width of its own
        j = columns.index("observed") + 1
        low, high = _OBSERVED_WIDTH
        sheet.column_dimensions[get_column_letter(j)].width = min(max(widths.get(j, 0) + 2, low), high)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the list needs
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4


def _exemptions(report: Shown, sheet: Worksheet) -> None:
    lang = report.lang
    columns = exemption_columns(report)
    values = [[t(lang, f"kind-{r[key]}") if key == "kind" else r[key] for key in columns] for r in exemption_rows(report)]
    wrap = {columns.index("evidence") + 1}
    _list_sheet(sheet, "Exemptions", [t(lang, f"col-{k}") for k in columns], values, t(lang, "no-rows"), wrap)


def _status(f: ShownFile) -> str:
    if f.error:
        return "status-failed"
    if f.passed_over is not None:
        return "status-passed-over"
    return "status-incomplete" if f.incomplete else "status-ok"


def _files(report: Shown, sheet: Worksheet) -> None:
    lang = report.lang
    headers = [t(lang, f"col-{k}") for k in ("file", "sheets", "rows", "skipped", "status", "not-checked", "notes")]
    rows = [
        [f.path, "、".join(f.sheets), f.rows, f.skipped, t(lang, _status(f)),
         "\n".join(unchecked_title(u, report) for u in sorted(f.unchecked, key=lambda u: not u.essential)),
         "\n".join(x for x in (f.error, f.passed_over, *f.notes) if x)]
        for f in report.files
    ]
    _list_sheet(sheet, "Files", headers, rows, "", wrap={6, 7})
    for i, f in enumerate(report.files, start=2):
        if f.error or f.incomplete:
            sheet.cell(row=i, column=5).fill = FILLS["error"]
        if f.incomplete:
            sheet.cell(row=i, column=6).fill = FILLS["error"]
        elif f.unchecked:
            sheet.cell(row=i, column=6).fill = FILLS["warning"]


def _summary(report: Shown, sheet: Worksheet) -> None:
    lang = report.lang
    widths: dict[int, int] = {1: 12}
    title = put(sheet, 1, 1, t(lang, "report-title", title=report.ruleset_title))
    title.font = Font(bold=True, size=14)
    put(sheet, 2, 1, t(lang, "report-subtitle", as_of=report.as_of, files=len(report.files), rows=report.rows,
                       version=report.version))
    put(sheet, 3, 1, t(lang, "legend"))
    # Row 4: coverage. The verdict names the files an essential rule could not be checked on (and
    # those that could not be read); the 文件 sheet says which rules and which columns are missing.
    coverage = put(sheet, 4, 1, verdict(report) if not report.complete else t(lang, "coverage-complete"))
    if not report.complete:
        coverage.font = Font(bold=True, color="C00000")
        coverage.fill = FILLS["error"]
    row = 5
    put(sheet, row, 1, t(lang, "heading-townships")).font = BOLD
    row += 1
    own_day = any(r.as_of != report.as_of for r in report.townships)
    county = any(r.county for r in report.townships)
    counts = ("errors", "warnings", "notices", "exempted")
    headers = [*([t(lang, "col-county")] if county else []), t(lang, "col-township"),
               *([t(lang, "col-as-of")] if own_day else []),
               *(c.title for c in report.summary_columns), *(t(lang, f"col-{k}") for k in counts)]
    _header(sheet, row, headers, widths)
    first = 2 + own_day + county
    for township in report.townships:
        row += 1
        cells = [*([township.county] if county else []), township.township or t(lang, "blank"),
                 *([township.as_of] if own_day else []), *township.values, *(getattr(township, k) for k in counts)]
        for j, value in enumerate(cells, start=1):
            cell = put(sheet, row, j, value)
            cell.border = THIN
            widths[j] = max(widths.get(j, 0), _width(value))
        for j, (column, flag) in enumerate(zip(report.summary_columns, township.flags), start=first):
            cell = sheet.cell(row=row, column=j)
            cell.number_format = excel_number_format(column.format)
            if flag in FILLS:
                cell.fill = FILLS[flag]
        base = first + len(report.summary_columns)
        for j, (key, severity) in enumerate(zip(counts[:2], ("error", "warning")), start=base):
            if getattr(township, key):
                sheet.cell(row=row, column=j).fill = FILLS[severity]
    row += 2
    put(sheet, row, 1, t(lang, "heading-rules")).font = BOLD
    row += 1
    names = [" ".join(x for x in (r.county, r.township or t(lang, "blank")) if x) for r in report.townships]
    _header(sheet, row, [t(lang, f"col-{k}") for k in ("rule", "title", "severity", "scope", "violations", "exempted")]
            + names, widths)
    for rule in report.rules:
        row += 1
        cells = [rule.id, rule.title, t(lang, f"severity-{rule.severity}"), t(lang, f"scope-{rule.scope}"),
                 rule.violations, rule.exempted, *rule.by_township]
        for j, value in enumerate(cells, start=1):
            cell = put(sheet, row, j, value)
            cell.border = THIN
            widths[j] = max(widths.get(j, 0), _width(value))
            if j >= 5 and j != 6 and value and rule.severity in FILLS:
                cell.fill = FILLS[rule.severity]
    if report.notes:
        row += 2
        put(sheet, row, 1, t(lang, "heading-notes")).font = BOLD
        for note in report.notes:
            row += 1
            put(sheet, row, 1, note)
    widths[1] = max(widths.get(1, 0), 12)
    _fit(sheet, {j: min(w, 40) for j, w in widths.items()})
    sheet.freeze_panes = "B7"


def _chart_sheet(report: Shown, sheet: Worksheet) -> None:
    """Per township, each statistic that has a reference value, as bars against the reference line."""
    lang = report.lang
    charted = [(i, c) for i, c in enumerate(report.summary_columns) if c.reference]
    n = len(report.townships)
    widths: dict[int, int] = {}
    headers = [t(lang, "col-township")]
    for _, column in charted:
        headers += [column.title, f"{column.title}:{t(lang, 'chart-reference')}"]
    _header(sheet, 1, headers, widths)
    for r, township in enumerate(report.townships, start=2):
        name = " ".join(x for x in (township.county, township.township or t(lang, "blank")) if x)
        put(sheet, r, 1, name)  # two 城关镇 in two counties are two bars, told apart by their county
        widths[1] = max(widths.get(1, 0), _width(name))
        for k, (i, column) in enumerate(charted):
            for offset, value in enumerate((township.values[i], township.references[i])):
                cell = put(sheet, r, 2 + 2 * k + offset, value)
                cell.number_format = excel_number_format(column.format)
    _fit(sheet, {j: min(w, 24) for j, w in widths.items()})
    categories = Reference(sheet, min_col=1, min_row=2, max_row=n + 1)
    for k, (i, column) in enumerate(charted):
        bars = BarChart()
        bars.type = "col"
        references = {township.references[i] for township in report.townships}
        shown = _format_number(references.pop(), column.format) if len(references) == 1 else ""
        bars.title = t(lang, "chart-title", title=column.title, value=shown) if shown else column.title
        bars.add_data(Reference(sheet, min_col=2 + 2 * k, min_row=1, max_row=n + 1), titles_from_data=True)
        bars.set_categories(categories)
        for p, township in enumerate(report.townships):
            point = DataPoint(idx=p)
            point.graphicalProperties.solidFill = BAR_COLOURS.get(township.flags[i], BAR_COLOURS[None])
            bars.series[0].dPt.append(point)
        labels = DataLabelList()  # the value on each bar: a township at 0% still shows its number
        labels.showVal = True
        labels.showSerName = labels.showCatName = labels.showLegendKey = labels.showPercent = False
        labels.numFmt = excel_number_format(column.format)
        bars.series[0].dLbls = labels
        line = LineChart()
        line.add_data(Reference(sheet, min_col=3 + 2 * k, min_row=1, max_row=n + 1), titles_from_data=True)
        line.set_categories(categories)
        series = line.series[0]
        series.graphicalProperties.line.solidFill = "C00000"
        series.graphicalProperties.line.dashStyle = "dash"
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        series.marker.symbol = "dash"  # a single township still shows its line as a mark
        series.marker.size = 20
        series.marker.graphicalProperties.solidFill = "C00000"
        series.marker.graphicalProperties.line.solidFill = "C00000"
        series.smooth = False
        bars += line
        bars.y_axis.number_format = excel_number_format(column.format)
        bars.y_axis.scaling.min = 0
        bars.y_axis.majorGridlines = None
        bars.x_axis.delete = False
        bars.y_axis.delete = False
        bars.legend.position = "b"
        bars.width, bars.height = 18, 8
        sheet.add_chart(bars, f"A{n + 3 + 17 * k}")  # under the numbers it draws, one chart under the other


def _format_number(value: float | None, spec: str | None) -> str:
    if value is None:
        return ""
    if spec:
        return format(value, spec)
    return str(int(value)) if float(value).is_integer() else str(value)


def write(report: Shown, out: IO[bytes]) -> None:
    lang = report.lang
    book = Workbook()
    mark(book, "report")
    summary = book.active
    summary.title = t(lang, "sheet-summary")
    _summary(report, summary)
    _violations(report, book.create_sheet(t(lang, "sheet-violations")))
    _exemptions(report, book.create_sheet(t(lang, "sheet-exemptions")))
    _files(report, book.create_sheet(t(lang, "sheet-files")))
    if report.townships and any(c.reference for c in report.summary_columns):
        _chart_sheet(report, book.create_sheet(t(lang, "sheet-chart")))
    for sheet in book.worksheets:  # printed (or made a PDF): landscape, as wide as one page
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        if sheet.title == t(lang, "sheet-chart"):
            sheet.page_setup.fitToHeight = 1  # a page break would cut a chart in two
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    book.save(out)
