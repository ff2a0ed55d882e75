"""``rulecheck template``: an input template written from the rule file alone.

The workbook has three parts:

- 填表说明, first: what each column means and accepts, and each rule's title and the speech's words. The
  reader passes a sheet of that name over (``table.header.is_instructions``), so a filled template is checked on its
  名单 sheet only.
- 名单: one header row of the rule file's column titles (each one the reader maps to its column as written),
  frozen, with a data validation on every column: a dropdown for category and yes/no columns, a formula for
  dates, a length for identity numbers, bounds for numbers, and an input message saying what to type.
- 下拉列表, hidden, only where a dropdown's list is longer than Excel's 255 characters (Excel "repairs" such a
  file and drops the validation): the list is written there and referenced by range. The reader passes that
  sheet over without a note (``table.header.is_template_lists``).

The workbook does not carry rulecheck's ``rulecheck`` document property: the guard passes over files marked
with it (the report, annotated copies), and a filled template must be checked. It carries
``rulecheck-template`` (the rule file's id) instead, which the guard does not look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rulecheck import engine
from rulecheck.table import types
from rulecheck.lang import expr
from rulecheck.table.header import TEMPLATE_LISTS_MARK, TEMPLATE_LISTS_SHEET, Sheet
from rulecheck.render.i18n import HELP, display_width
from rulecheck.render.messages import t
from rulecheck.rulefile.ruleset import ColumnSpec, Ruleset

INSTRUCTIONS_SHEET = "填表说明"  # a name reader.is_instructions passes over, in either language
SLATE_SHEET = "名单"
TEMPLATE_PROPERTY = "rulecheck-template"  # not guard.MARK_PROPERTY ("rulecheck"): a filled template is checked
DEFAULT_NAME = "拟任人选名单模板.xlsx"
ROWS = 1000  # data rows under the header that carry the validations
LIST_LIMIT = 255  # Excel's limit on a list validation's inline source, in characters
PROMPT_TITLE_LIMIT, PROMPT_LIMIT = 32, 255  # Excel's limits on an input message / error alert
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
WRAP = Alignment(wrap_text=True, vertical="top")

# The text forms of a date the reader takes: a year 1900-2100 first, then month (and day), 6 to 11 characters
# (1968.5, 1968年05月12日); or a number (an Excel date, or 1968.05 typed into a General cell). Every function
# here is one Excel, WPS and LibreOffice all have; {c} is the column's first data cell, relative.
_YEAR = "IFERROR(VALUE(LEFT({c},4)),0)"
_DATE_FORMULA = ("OR(AND(ISNUMBER({c}),{c}>={low}),AND(ISTEXT({c}),LEN({c})>={shortest},LEN({c})<=11,"
                 + _YEAR + ">=1900," + _YEAR + "<=2100))")


@dataclass(frozen=True)
class Plan:
    """How one column of the 名单 sheet is written: its header, validation, number format and width."""

    key: str
    spec: ColumnSpec
    header: str
    kind: str | None  # the data validation's type: list, custom, whole, decimal; None: an input message only
    words: tuple[str, ...] = ()  # a dropdown's entries
    formula: str | None = None  # a custom formula, relative to the first data cell
    bounds: tuple[float, float] | None = None
    number_format: str | None = None  # "@" (text) where Excel would change what is typed


def header_of(key: str, spec: ColumnSpec) -> str:
    """The header the reader maps to ``key`` as written: the column's Chinese title where it is an alias, else
    its first alias."""
    return spec.title.zh if spec.title.zh in spec.aliases else spec.aliases[0]


def offered(ruleset: Ruleset, key: str) -> tuple[str, ...]:
    """A category column's dropdown: each category's first word, but not the categories that an error rule on
    this column reports by themselves (拟任职务: 村委会主任 is a category the reader knows, to say it is not a
    Party-committee role)."""
    spec = ruleset.columns[key]
    words = [synonyms[0] for synonyms in (spec.categories or {}).values() if synonyms]
    own = {rule.spec.id for rule in ruleset.rules if rule.spec.column == key and rule.spec.severity == "error"}
    if not own or not words:
        return tuple(words)
    label = ruleset.spec.ruleset.row_label
    data: dict[str, list[object]] = {label: [f"template-{i}" for i in range(len(words))], key: list(words)}
    for other, column in ruleset.columns.items():
        if column.required and other not in data:
            data[other] = ["template"] * len(words)
    frame = pd.DataFrame(data, dtype=object)
    frame["_row"] = range(2, 2 + len(words))
    sheet = Sheet("template", SLATE_SHEET, frame, {k: k for k in data})
    outcome = engine.run(ruleset, [sheet], ruleset.spec.ruleset.as_of)
    reported = {v.row for v in outcome.violations if v.rule in own}
    return tuple(w for w, row in zip(words, frame["_row"]) if row not in reported)


def plan(ruleset: Ruleset) -> list[Plan]:
    """Every column of the rule file, in its order, as the 名单 sheet writes it."""
    plans = []
    for key, spec in ruleset.columns.items():
        header = header_of(key, spec)
        if spec.type == "category":
            plans.append(Plan(key, spec, header, "list", offered(ruleset, key)))
        elif spec.type == "boolean":
            plans.append(Plan(key, spec, header, "list", ("是", "否")))
        elif spec.type == "birth-date":  # as text: a typed 1968.10 stays 1968.10, never the number 1968.1
            plans.append(Plan(key, spec, header, "custom", formula=_DATE_FORMULA.replace("{low}", "1900")
                              .replace("{shortest}", "6"), number_format="@"))
        elif spec.type == "date":
            plans.append(Plan(key, spec, header, "custom", formula=_DATE_FORMULA.replace("{low}", "DATE(1900,1,1)")
                              .replace("{shortest}", "8"), number_format="yyyy-mm-dd"))
        elif spec.type == "id-number":  # as text: Excel keeps 15 significant digits of a number
            plans.append(Plan(key, spec, header, "custom", formula="OR(LEN({c})=15,LEN({c})=18)", number_format="@"))
        elif spec.type == "number" and spec.between is not None:
            plans.append(Plan(key, spec, header, "whole" if spec.whole else "decimal", bounds=spec.between))
        elif spec.type == "years":  # as text: 2005,2006 typed into a number cell is 20,052,006
            plans.append(Plan(key, spec, header, None, number_format="@"))
        else:
            plans.append(Plan(key, spec, header, None, number_format="@" if spec.type == "text" else None))
    return plans


def accepted(p: Plan, lang: str) -> str:
    """What a column accepts, in the words of a value-unreadable finding where its type has them."""
    if p.kind == "list":
        return ("、" if lang == "zh" else ", ").join(p.words)
    if p.spec.type == "text":
        return t(lang, "template-text")
    return types.accepted(p.spec, lang)


def _section(sheet: Worksheet, lang: str, title: str, heads: tuple[str, ...], bold: Font) -> None:
    """A section of the instructions sheet: its title in bold, then its table's header row."""
    sheet.append([t(lang, title)])
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([t(lang, k) for k in heads])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = bold, HEADER_FILL


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inline(words: tuple[str, ...]) -> str | None:
    """A list validation's inline source, or None where Excel cannot take it inline."""
    source = ",".join(words)
    if len(source) > LIST_LIMIT or any("," in w or '"' in w for w in words):
        return None
    return f'"{source}"'


def _validation(p: Plan, column: str, lang: str, lists: _Lists) -> DataValidation:
    first = f"{column}2"
    title = _cut(p.header if lang == "zh" else f"{p.spec.title('en')} ({p.header})", PROMPT_TITLE_LIMIT)
    forms = accepted(p, lang)
    if p.kind == "list":
        prompt = t(lang, "template-prompt-list", forms=forms)
        error = t(lang, "template-error-list", column=p.header, forms=forms)
    else:
        prompt = t(lang, "template-prompt", forms=forms)
        error = t(lang, "template-error", column=p.header, forms=forms)
    if p.spec.required:
        prompt = t(lang, "template-required") + prompt
    options = dict(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=_cut(prompt, PROMPT_LIMIT))
    if p.kind is None:
        return DataValidation(**options)
    options.update(showErrorMessage=True, errorStyle="stop", errorTitle=title, error=_cut(error, PROMPT_LIMIT))
    if p.kind == "list":  # showDropDown stays False: True would hide the arrow in Excel
        source = _inline(p.words) or lists.add(p.header, p.words)
        return DataValidation(type="list", formula1=source, **options)
    if p.kind == "custom":
        return DataValidation(type="custom", formula1=(p.formula or "").replace("{c}", first), **options)
    low, high = (str(int(b)) if float(b).is_integer() else str(b) for b in p.bounds or (0, 0))
    return DataValidation(type=p.kind, operator="between", formula1=low, formula2=high, **options)


class _Lists:
    """The hidden 下拉列表 sheet, made on the first list too long to be written inline."""

    def __init__(self, book: Workbook):
        self.book, self.sheet = book, None

    def add(self, header: str, words: tuple[str, ...]) -> str:
        if self.sheet is None:
            self.sheet = self.book.create_sheet(TEMPLATE_LISTS_SHEET)
            self.sheet.sheet_state = "hidden"
            self.sheet["A1"] = TEMPLATE_LISTS_MARK + "下拉列表,请勿修改 / drop-down lists, do not edit"
        column = self.sheet.max_column + 1
        letter = get_column_letter(column)
        self.sheet.cell(1, column, header)
        for i, word in enumerate(words, start=2):
            self.sheet.cell(i, column, word)
        return f"{quote_sheetname(TEMPLATE_LISTS_SHEET)}!${letter}$2:${letter}${len(words) + 1}"


def _width(texts: list[str], least: int = 8, most: int = 40) -> float:
    return min(max([least, *(display_width(x) for x in texts)]) + 2, most)


def _slate(book: Workbook, plans: list[Plan], lang: str) -> None:
    sheet = book.create_sheet(SLATE_SHEET)
    lists = _Lists(book)
    for j, p in enumerate(plans, start=1):
        letter = get_column_letter(j)
        cell = sheet.cell(1, j, p.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if p.spec.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = sheet.column_dimensions[letter]
        if p.number_format is not None:  # the column's style: every cell typed in later takes it
            dimension.number_format = p.number_format
        shortest = {"birth-date": 12, "date": 12, "id-number": 22}.get(p.spec.type, 8)
        dimension.width = _width([p.header, *p.words], least=shortest)
        validation = _validation(p, letter, lang, lists)
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{ROWS + 1}")
    sheet.freeze_panes = "A2"


def _instructions(book: Workbook, ruleset: Ruleset, plans: list[Plan], lang: str) -> None:
    sheet = book.active
    sheet.title = INSTRUCTIONS_SHEET
    head = ruleset.spec.ruleset
    bold = Font(bold=True)
    sheet.append([t(lang, "template-heading", title=head.title(lang))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([t(lang, "template-source", source=head.source, file=Path(ruleset.path).name)])
    sheet.append([t(lang, "template-how", slate=SLATE_SHEET)])
    sheet.append([])
    _section(sheet, lang, "template-columns", ("template-col-header", "template-col-meaning", "template-col-required",
                                               "template-col-accepted", "template-col-rules"), bold)
    for p in plans:
        sheet.append([p.header, p.spec.title("en"), t(lang, "yes" if p.spec.required else "no"), accepted(p, lang),
                      ("、" if lang == "zh" else "; ").join(_readers(ruleset, p.key, lang)) or "—"])
    sheet.append([])
    _section(sheet, lang, "template-rules", ("template-rule-id", "template-rule-title", "template-rule-severity",
                                             "template-rule-quote", "template-rule-reading"), bold)
    for rule in ruleset.rules:
        spec = rule.spec
        sheet.append([spec.id, spec.title(lang), t(lang, f"severity-{spec.severity}"), spec.quote or "—",
                      spec.reading(lang) if spec.reading else "—"])
    for row in sheet.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = WRAP
    for row, height in ((2, 32), (3, 48)):  # Excel does not fit a merged cell's height to its text
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.cell(row, 1).alignment = WRAP
        sheet.row_dimensions[row].height = height
    for letter, width in zip("ABCDE", (16, 24, 10, 48, 60)):
        sheet.column_dimensions[letter].width = width


def _readers(ruleset: Ruleset, key: str, lang: str) -> list[str]:
    """The titles of the rules that read a column: to check, or (marked) to grant an exemption."""
    found = []
    for rule in ruleset.rules:
        if any(key in need for need in rule.needs):
            found.append(rule.spec.title(lang))
        elif any(key in expr.names(node) for node in (rule.exempt_when, rule.evidence) if node is not None):
            found.append(t(lang, "template-exemption", rule=rule.spec.title(lang)))
    return found


def build(ruleset: Ruleset, lang: str) -> Workbook:
    """The template workbook for ``ruleset``, its texts in ``lang`` (the headers are always the rule file's)."""
    plans = plan(ruleset)
    book = Workbook()
    _instructions(book, ruleset, plans, lang)
    _slate(book, plans, lang)
    book.active = book.sheetnames.index(SLATE_SHEET)
    book.custom_doc_props.append(StringProperty(name=TEMPLATE_PROPERTY, value=ruleset.spec.ruleset.id))
    return book


# --------------------------------------------------------------------------- the command word

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _fail(message: str) -> None:
    typer.echo(f"rulecheck: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def template(
    template_output: Path = typer.Option(Path(DEFAULT_NAME), "--output", "-o", metavar="FILE.xlsx",
                                         help=HELP["template_output"][1]),
    rules: Optional[Path] = typer.Option(None, "--rules", help=HELP["rules"][1]),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help=HELP["config"][1]),
    no_config: bool = typer.Option(False, "--no-config", help=HELP["no_config"][1]),
    lang: Optional[str] = typer.Option(None, "--lang", help=HELP["lang"][1]),
) -> None:
    """Write the input template."""
    from rulecheck import config as config_module
    from rulecheck.formats.atomic import atomic_write
    from rulecheck.render.i18n import os_reason
    from rulecheck.render.messages import LANGS
    from rulecheck.rulefile import ruleset as ruleset_module

    if lang is not None and lang not in LANGS:
        _fail(t("zh", "bad-choice", option="--lang", choices="|".join(LANGS), value=lang))
    settings = None
    if not no_config:
        try:
            settings = config_module.load_for([], config, lang)
        except config_module.ConfigError as exc:
            _fail(exc.text(lang or "zh"))
    lang = lang or (settings.spec.lang if settings else None) or "zh"
    if template_output.suffix.lower() != ".xlsx":
        _fail(t(lang, "template-suffix", path=template_output))
    if template_output.is_dir():
        _fail(t(lang, "template-is-dir", path=template_output))
    try:
        loaded = ruleset_module.load(rules or (settings.rules_path() if settings else None))
    except ruleset_module.RuleFileError as exc:
        _fail(exc.text(lang))
    book = build(loaded, lang)
    try:
        with atomic_write(template_output, binary=True) as stream:
            book.save(stream)
    except OSError as exc:
        _fail(t(lang, "write-failed", path=template_output, reason=os_reason(exc, lang)))
    typer.echo(t(lang, "template-wrote", path=template_output, rules=Path(loaded.path).name), err=True)
