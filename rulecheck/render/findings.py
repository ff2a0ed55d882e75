"""A Report put into words: the one step that turns findings (values) into text in zh or en.

The engine's findings carry values, never sentences (rulecheck.findings); here each is given its
message in the report's language, its observed value as plain data, its column as the user sees
it, and its identity numbers masked — ``320682********1234`` — unless the user asked to see them
(``--show-id``). An identity number is a typed value (``IdNumber``), masked before it is formatted,
so no message's wording can let one through; free text from a spreadsheet (names, townships,
villages, sheet names, headers, cells quoted in remarks) is masked with ``masking.mask_text`` as it
is shown. File paths come from the file system and are the user's own: they are shown as they are.

Every output format writes the ``Shown`` report made here, so one Report can be written in either
language: ``render(report, ruleset, "zh")`` and ``render(report, ruleset, "en")``. Waived findings
and a waiver file's own warnings (rulecheck.waivers) are rendered here too: a waiver's warning is the
message its rule id names, and a waiver's ``who`` is put into words with its identity number masked.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rulecheck.findings import (
    Accepted, ColumnTitle, Coverage, Exemption, FileResult, IdNumber, Location, Note, Places, Report, RuleTally,
    SummaryColumn, Titles, TownshipSummary, Unchecked, Verdict, Violation, Waiver, Written,
)
from rulecheck.read.raw import SystemReason, Term
from rulecheck.render.i18n import os_reason
from rulecheck.render.masking import SHORTEST_FLOAT as _SHORTEST_MASKED
from rulecheck.render.masking import mask_text, mask_value
from rulecheck.render.messages import t
from rulecheck.rulefile.ruleset import Rule, Ruleset
from rulecheck.table.types import accepted, show, to_json

# A waiver file's own warnings (rulecheck.waivers): their rule id is their message key.
WAIVER_RULES = {"waiver-unmatched": "waiver-unmatched-title", "waiver-expired": "waiver-expired-title"}


def _display(value: Any, spec: str | None, rule: Rule, lang: str) -> str:
    return show(value, spec, lang, rule.spec.labels)


def _json(value: Any, rule: Rule, lang: str) -> Any:
    return to_json(value, lang, rule.spec.labels)


# The rendered forms are made once, by rendering, and never changed after. They are not frozen
# dataclasses: a report may hold a million findings, and a frozen dataclass takes four times as long
# to make (each field set through object.__setattr__).


@dataclass(slots=True)
class ShownViolation:
    """A violation as every format writes it: its message in words, its column as 'header (letter)',
    its observed value as JSON data, identity numbers masked. ``anchor`` and ``letter`` say which
    cell an annotated copy marks."""

    rule: str
    severity: str
    scope: str
    township: str | None
    village: str | None
    name: str | None
    file: str | None
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    observed: Any = None
    county: str | None = None
    files: tuple[str, ...] = ()
    anchor: Location | None = None  # a village or township finding: the cell an annotated copy marks
    letter: str | None = None  # the column letter of ``column``
    waiver: Waiver | None = None  # a waived finding's approval, or a waiver warning's waiver; ``who`` in words


@dataclass(slots=True)
class ShownExemption:
    """An accepted exemption as every format writes it: its evidence in words."""

    rule: str
    township: str | None
    village: str | None
    name: str | None
    file: str | None
    sheet: str | None
    row: int | None
    evidence: str
    county: str | None = None


@dataclass(frozen=True)
class ShownFile(Coverage):
    """A file's result in words: its error, remarks and why it was passed over; missing columns by title."""

    path: str
    rows: int = 0
    skipped: int = 0
    sheets: tuple[str, ...] = ()
    error: str | None = None
    unchecked: tuple[Unchecked, ...] = ()
    notes: tuple[str, ...] = ()
    passed_over: str | None = None


@dataclass(frozen=True)
class Shown(Verdict):
    """A Report in one language, as the formats write it."""

    version: str
    ruleset_id: str
    ruleset_title: str
    ruleset_path: str
    as_of: str
    lang: str
    files: tuple[ShownFile, ...]
    violations: tuple[ShownViolation, ...]
    exempted: tuple[ShownExemption, ...]
    rule_titles: dict[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    summary_columns: tuple[SummaryColumn, ...] = ()
    townships: tuple[TownshipSummary, ...] = ()
    rules: tuple[RuleTally, ...] = ()
    notes: tuple[str, ...] = ()
    waived: tuple[ShownViolation, ...] = ()
    waivers: str | None = None


def _same(text: str) -> str:
    return text


@functools.lru_cache(maxsize=1024)
def _template(template: str) -> tuple[tuple[str, str | None, str | None], ...]:
    return tuple((literal, name, spec) for literal, name, spec, _ in string.Formatter().parse(template))


class Renderer:
    """Puts one ruleset's findings into words in one language, masking identity numbers unless ``show_id``."""

    def __init__(self, ruleset: Ruleset, lang: str, show_id: bool = False):
        self.ruleset, self.lang, self.show_id = ruleset, lang, show_id
        self.mask: Callable[[str], str] = _same if show_id else mask_text
        self.rules: dict[str, Rule] = {r.id: r for r in ruleset.rules}
        self._templates = {r.id: _template(getattr(r.spec.message, lang)) for r in ruleset.rules}
        # (rule, values, observed) → (message, observed as data): many findings say the same thing
        # (留任人选 58 周岁), so each distinct one is put into words once.
        self._said: dict[tuple[Any, ...], tuple[str, Any]] = {}
        self._waivers: dict[int, Waiver] = {}

    # ------------------------------------------------------------------ values

    def identity(self, number: str) -> str:
        return str.__str__(number) if self.show_id else mask_text(str.__str__(number))

    def title(self, key: str) -> str:
        return self.ruleset.columns[key].title(self.lang) if key in self.ruleset.columns else key

    def value(self, value: Any, spec: str | None, rule: Rule) -> str:
        """A placeholder's value as the message shows it."""
        kind = value.__class__
        if kind is IdNumber:
            return _display(self.identity(value), spec, rule, self.lang)
        if kind is ColumnTitle:
            return self.title(value.key)
        if kind is Accepted:
            return accepted(self.ruleset.columns[value.key], self.lang)
        if kind is Titles:
            return ("、" if self.lang == "zh" else ", ").join(self.title(k) for k in value.keys)
        if kind is Places:
            return "、".join(t(self.lang, "duplicate-place", file=file, sheet=self.mask(sheet), row=row)
                            for file, sheet, row in value.places)
        return self.mask(_display(value, spec, rule, self.lang))

    def observed(self, value: Any, rule: Rule) -> Any:
        """An observed value as plain JSON data: numbers stay numbers, dates become YYYY-MM-DD."""
        kind = value.__class__
        if value is None:
            return None
        if kind is IdNumber:
            return self.identity(value)
        if kind is Written:
            return self.mask(str.__str__(value))
        shown = _json(value, rule, self.lang)
        return shown if self.show_id else mask_value(shown)

    def param(self, value: Any) -> Any:
        """A value of a remark (Note): a message of its own, a system error, a column, or data."""
        kind = value.__class__
        if kind is Term:
            return t(self.lang, value.key)
        if kind is SystemReason:
            return os_reason(value.error, self.lang)
        if kind is ColumnTitle:
            return self.title(value.key)
        if kind is IdNumber:
            return self.identity(value)
        if kind is Note:
            return self.note(value)
        return value if self.show_id else mask_value(value)

    def who(self, w: Waiver) -> str:
        """Whom a waiver covers, in words: the names as written, or its identity number (masked) and names."""
        if isinstance(w.who, tuple):
            note, names = w.who
            return self.note(note) + names
        return w.who

    def waiver(self, w: Waiver | None) -> Waiver | None:
        """A waiver as the formats show it: ``who`` in words."""
        if w is None:
            return None
        shown = self._waivers.get(id(w))
        if shown is None:
            shown = self._waivers[id(w)] = replace(w, who=self.who(w))
        return shown

    # ------------------------------------------------------------------ findings

    def sentence(self, v: Violation) -> str:
        """A violation's message in words."""
        if v.rule in WAIVER_RULES and v.waiver is not None:  # a waiver's own warning: a message key and values
            params = {k: self.param(x) if x.__class__ is Note else x for k, x in v.values}
            return t(self.lang, v.rule, who=self.who(v.waiver), **params)
        rule = self.rules[v.rule]
        values = dict(v.values)
        values["observed"] = v.observed
        parts = []
        for literal, name, spec in self._templates[v.rule]:
            parts.append(literal)
            if name is not None:
                parts.append(self.value(values.get(name), spec, rule))
        return "".join(parts)

    def note(self, note: Note) -> str:
        return t(self.lang, note.key, **{k: self.param(v) for k, v in note.params})

    def _text(self, text: str | None) -> str | None:
        return text if text is None or len(text) < _SHORTEST_MASKED else self.mask(text)

    def said(self, v: Violation) -> tuple[str, Any]:
        """A violation's message, and its observed value as data."""
        key: tuple[Any, ...] | None = (v.rule, v.values, v.observed.__class__, v.observed)
        try:
            said = self._said.get(key)  # type: ignore[arg-type]
        except TypeError:  # a value that cannot be hashed: put into words on its own
            said, key = None, None
        if said is None:
            rule = self.rules.get(v.rule)
            said = (self.sentence(v), None if rule is None else self.observed(v.observed, rule))
            if key is not None:
                self._said[key] = said
        return said

    def violation(self, v: Violation) -> ShownViolation:
        where, anchor, mask, short = v.location, v.anchor, self.mask, _SHORTEST_MASKED
        if anchor is not None:
            anchor = Location(anchor.file, self._text(anchor.sheet), anchor.row, anchor.column, self._text(anchor.header))
        message, observed = self.said(v)
        # Most names, villages and sheet names are too short to hold an identity number: tested here, inline.
        township, village, name, sheet, county = v.township, v.village, v.name, where.sheet, v.county
        return ShownViolation(
            v.rule, v.severity, v.scope,
            township if township is None or len(township) < short else mask(township),
            village if village is None or len(village) < short else mask(village),
            name if name is None or len(name) < short else mask(name), where.file,
            sheet if sheet is None or len(sheet) < short else mask(sheet), where.row,
            None if where.header is None else self._text(where.label), message, observed,
            county if county is None or len(county) < short else mask(county), v.files, anchor, where.column,
            None if v.waiver is None else self.waiver(v.waiver))

    def exemption(self, e: Exemption) -> ShownExemption:
        text, where = self._text, e.location
        return ShownExemption(e.rule, text(e.township), text(e.village), text(e.name), where.file, text(where.sheet),
                              where.row, self.mask(_display(e.evidence, None, self.rules[e.rule], self.lang)),
                              text(e.county))

    def file(self, f: FileResult) -> ShownFile:
        lacking = tuple(Unchecked(u.rule, u.essential, tuple(tuple(self.title(k) for k in alt) for alt in u.missing))
                        for u in f.unchecked)
        return ShownFile(f.path, f.rows, f.skipped, tuple(map(self.mask, f.sheets)),
                         None if f.error is None else self.note(f.error), lacking, tuple(map(self.note, f.notes)),
                         None if f.passed_over is None else self.note(f.passed_over))

    def township(self, row: TownshipSummary) -> TownshipSummary:
        township, county = self._text(row.township), self._text(row.county)
        if township == row.township and county == row.county:
            return row
        return TownshipSummary(township, row.as_of, row.values, row.references, row.flags, row.errors, row.warnings,
                               row.notices, row.exempted, county, row.files)

    def report(self, report: Report) -> Shown:
        lang, ruleset = self.lang, self.ruleset
        summary = {item.key: item.spec.title(lang) for item in ruleset.summary}
        titles = {r.id: r.spec.title(lang) for r in ruleset.rules}
        if report.waivers is not None:
            titles.update({rule: t(lang, key) for rule, key in WAIVER_RULES.items()})
        return Shown(
            version=report.version, ruleset_id=report.ruleset_id, ruleset_title=ruleset.spec.ruleset.title(lang),
            ruleset_path=report.ruleset_path, as_of=report.as_of, lang=lang,
            files=tuple(map(self.file, report.files)),
            violations=tuple(map(self.violation, report.violations)),
            exempted=tuple(map(self.exemption, report.exempted)),
            rule_titles=titles, fail_on=report.fail_on,
            summary_columns=tuple(SummaryColumn(c.key, summary.get(c.key, c.key), c.format, c.rule, c.reference)
                                  for c in report.summary_columns),
            townships=tuple(map(self.township, report.townships)),
            rules=tuple(RuleTally(r.id, r.severity, r.scope, titles.get(r.id, r.id), r.quote, r.violations, r.exempted,
                                  r.by_township, r.optional) for r in report.rules),
            notes=tuple(map(self.note, report.notes)),
            waived=tuple(map(self.violation, report.waived)), waivers=report.waivers,
        )


def render(report: Report, ruleset: Ruleset, lang: str = "zh", show_id: bool = False) -> Shown:
    """The report in ``lang``, identity numbers masked unless ``show_id``: what every format writes."""
    return Renderer(ruleset, lang, show_id).report(report)


def sentence(v: Violation, ruleset: Ruleset, lang: str = "zh", show_id: bool = False) -> str:
    """One violation's message in ``lang``."""
    return Renderer(ruleset, lang, show_id).sentence(v)
