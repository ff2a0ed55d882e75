"""What a check finds: immutable values, complete where they are made, never patched later.

A finding carries no sentence and no language: its rule, its place (a ``Location``) and the
values its message is made of. ``rulecheck.render.findings`` turns a Report into text in zh or en,
masking identity numbers as it does, once, at the end.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from rulecheck.table.values import fold_text

SEVERITIES = ("error", "warning", "notice")
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}  # 0 the gravest
# --fail-on: the severities that make the exit code 1.
FAIL_LEVELS: dict[str, tuple[str, ...]] = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


@lru_cache(maxsize=1 << 14)  # called for every finding when sorting and counting; few distinct names
def township_key(name: str | None) -> str | None:
    """The form in which two spellings of one township (full-width, spaces) compare equal."""
    if name is None:
        return None
    return fold_text(name) or None


# --------------------------------------------------------------------------- where a finding is


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Location(NamedTuple):
    """Where a finding is, as Excel shows it: file, sheet, row number at the left edge, column letter and
    the column's header as written. Parts are None where the finding has none (a township's finding)."""

    file: str | None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the letter: E
    header: str | None = None  # as written in the sheet: 出生年月

    @property
    def label(self) -> str | None:
        """The column as the user sees it: '出生年月 (E)'."""
        return None if self.header is None else f"{self.header} ({self.column})"


@lru_cache(maxsize=1 << 12)
def _letters(index: int) -> str:
    return column_letter(index)


def locate(file: str | None, sheet: str | None, row: int | None, column: tuple[str, int] | None = None) -> Location:
    """A Location from a sheet's position: ``row`` the row number Excel shows (as the reader counts it),
    ``column`` (header as written, 0-based index) or None. The one place a column index becomes a letter."""
    if column is None:
        return Location(file, sheet, row)
    header, index = column
    return Location(file, sheet, row, _letters(index), header)


# --------------------------------------------------------------------------- the values a message is made of


class IdNumber(str):
    """An identity number as a value: shown masked (320682********1234) unless --show-id, whatever the message."""

    __slots__ = ()


class Written(str):
    """A cell's text as written in the sheet (an unreadable value): shown as it is, masked where it holds an
    identity number."""

    __slots__ = ()


class ColumnTitle(NamedTuple):
    """A column of the rule file, shown by its title in the report's language."""

    key: str


class Accepted(NamedTuple):
    """What a column of the rule file accepts, shown in the report's language."""

    key: str


class Titles(NamedTuple):
    """Columns of the rule file, shown as a list of their titles."""

    keys: tuple[str, ...]


class Places(NamedTuple):
    """Rows elsewhere (file, sheet, Excel row), shown as a list of places."""

    places: tuple[tuple[str, str, int], ...]


class Note(NamedTuple):
    """A remark or a reason as a message key and its values, put into words when shown.

    A value may itself be a message (``read.raw.Term``), an operating-system error
    (``read.raw.SystemReason``), a column of the rule file (``ColumnTitle``) or plain data.
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Any) -> Note:
        return cls(key, tuple(params.items()))


Values = tuple[tuple[str, Any], ...]  # a message's placeholders and their values, in the order set


class _Located:
    """Where a finding is, read from its ``location``: file, sheet and Excel row."""

    location: Location

    @property
    def file(self) -> str | None:
        return self.location.file

    @property
    def sheet(self) -> str | None:
        return self.location.sheet

    @property
    def row(self) -> int | None:
        return self.location.row


@dataclass(frozen=True)
class Violation(_Located):
    """One rule broken by one person, village or township, and the values its message is made of.

    ``location`` is where it is (for a village or township finding, only what all its rows share);
    ``anchor`` the cell an annotated copy marks for a village or township finding.
    """

    rule: str
    severity: str
    scope: str
    township: str | None
    village: str | None
    name: str | None
    location: Location
    values: Values = ()  # the message's placeholders, observed apart
    observed: Any = None
    county: str | None = None  # where the rule file's groups have a county and the slate names one
    files: tuple[str, ...] = ()  # a village or township finding: every file its rows come from
    anchor: Location | None = None
    # A person finding: a digest of the person's identity number (person_key), for matching waivers by it;
    # never the number itself.
    person: str | None = None
    # The approval this finding is about: in Report.waived, the waiver that covers it; in Report.violations,
    # a waiver that matched nothing or has expired (rule waiver-unmatched / waiver-expired).
    waiver: Waiver | None = None

    @property
    def column(self) -> str | None:
        """The column as the user sees it, '出生年月 (E)'."""
        return self.location.label


def person_key(id_number: str) -> str:
    """A stand-in for a normalised identity number that a report can carry without the number."""
    return hashlib.blake2b(id_number.encode("utf-8"), digest_size=12, person=b"rulecheck-id").hexdigest()


@dataclass(frozen=True)
class Waiver:
    """One approved exception from the waiver file: the rule, whom it covers, and the approval.

    It covers a township, a village, or a person: by identity number (held as ``person_key``) or by
    village and name. ``who`` is how the waiver names its target, as values (an identity number an
    ``IdNumber``, masked when shown); a rendered report's waivers hold it in words.
    """

    rule: str
    file: str
    line: int
    reason: str
    approved_by: str  # 批准单位
    reference: str  # 批复文号
    expires: str | None = None  # YYYY-MM-DD, the last day it applies
    county: str | None = None
    township: str | None = None
    village: str | None = None
    name: str | None = None
    person: str | None = None  # person_key of the identity number
    who: Any = ""  # a Report's: a Note (by identity number) or the names as written; a rendered one's: text

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Exemption(_Located):
    """A rule that would have been broken but for a claimed and accepted exemption; ``evidence`` its value."""

    rule: str
    township: str | None
    village: str | None
    name: str | None
    location: Location
    evidence: Any
    county: str | None = None


@dataclass(frozen=True)
class Unchecked:
    """A rule that could not be checked on a file, and why: the columns the file lacks.

    ``missing`` holds alternatives: the file would have needed every column of any one of them
    (缺少「出生年月」或「身份证号」列 is two alternatives of one column each). In a Report the columns
    are the rule file's keys; in a rendered report, their titles.
    """

    rule: str
    essential: bool
    missing: tuple[tuple[str, ...], ...]


class Coverage:
    """What a file's result says about coverage; shared by the value and its rendered form."""

    unchecked: tuple[Unchecked, ...]

    @property
    def not_checked(self) -> tuple[str, ...]:
        """Ids of the rules not checked on this file, essential or not."""
        return tuple(u.rule for u in self.unchecked)

    @property
    def incomplete(self) -> bool:
        """An essential rule could not be checked on this file."""
        return any(u.essential for u in self.unchecked)


@dataclass(frozen=True)
class FileResult(Coverage):
    """How one input file fared: rows read and skipped, rules it could not support, or why it failed."""

    path: str
    rows: int = 0
    skipped: int = 0
    sheets: tuple[str, ...] = ()
    error: Note | None = None
    unchecked: tuple[Unchecked, ...] = ()
    notes: tuple[Note, ...] = ()
    passed_over: Note | None = None  # not a slate (a report or copy rulecheck wrote): why it was not read


@dataclass(frozen=True)
class SummaryColumn:
    """One statistic of the township summary, as declared in the rule file's ``summary:`` section."""

    key: str
    title: str | None = None  # in a rendered report; a Report names the statistic by its key
    format: str | None = None  # a Python format spec such as ".1f" or ".1%"
    rule: str | None = None  # the rule whose violations colour this statistic's cells
    reference: str | None = None  # the parameter drawn as the chart's reference line


@dataclass(frozen=True)
class TownshipSummary:
    """One township's statistics (aligned with ``Report.summary_columns``) and its counts."""

    township: str | None
    as_of: str
    values: tuple[float | None, ...]
    references: tuple[float | None, ...]  # each column's reference-line value in this township
    flags: tuple[str | None, ...]  # the severity of the column's rule broken here, if any
    errors: int = 0
    warnings: int = 0
    notices: int = 0
    exempted: int = 0
    county: str | None = None
    files: tuple[str, ...] = ()  # the files the township's rows come from


@dataclass(frozen=True)
class RuleTally:
    """How often one rule was broken and exempted, in all and per township (aligned with ``Report.townships``)."""

    id: str
    severity: str
    scope: str
    title: str | None  # in a rendered report; a Report names the rule by its id
    quote: str | None
    violations: int
    exempted: int
    by_township: tuple[int, ...]
    optional: bool = False  # not checking it on a file leaves the verdict clean (the rule file's optional: true)


class Verdict:
    """Counts and the exit code, from a report's files and violations; shared by the value and its rendered form."""

    files: tuple[Any, ...]
    violations: tuple[Any, ...]
    townships: tuple[TownshipSummary, ...]
    fail_on: str

    def count(self, severity: str) -> int:
        return sum(v.severity == severity for v in self.violations)

    @cached_property
    def _township_positions(self) -> dict[tuple[str | None, str | None], int]:
        return {(township_key(row.county), township_key(row.township)): i for i, row in enumerate(self.townships)}

    def township_position(self, township: str | None, county: str | None = None) -> int | None:
        """Where in ``townships`` the township a violation or exemption names is, if anywhere."""
        return self._township_positions.get((township_key(county), township_key(township)))

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def failed_files(self) -> tuple[Any, ...]:
        return tuple(f for f in self.files if f.error)

    @property
    def incomplete_files(self) -> tuple[Any, ...]:
        """Files read, but with an essential rule that could not be checked on them."""
        return tuple(f for f in self.files if not f.error and f.incomplete)

    @property
    def complete(self) -> bool:
        """Every essential rule was checked on every candidate of every file, and some slate was read."""
        return not self.failed_files and not self.incomplete_files and any(
            not f.error and f.passed_over is None for f in self.files)

    def exit_code(self, fail_on: str | None = None) -> int:
        """0 clean, 1 violations at or above ``fail_on`` (default: the run's), 2 something could not be checked (2 wins)."""
        if not self.complete:
            return 2
        levels = FAIL_LEVELS[fail_on or self.fail_on]
        return 1 if any(v.severity in levels for v in self.violations) else 0


@dataclass(frozen=True)
class Report(Verdict):
    """Everything one run found, in the order it is shown, as values: no sentence, no language.

    ``rulecheck.render.findings.render`` makes the text every format writes, in zh or en.
    """

    version: str
    ruleset_id: str
    ruleset_path: str
    as_of: str
    files: tuple[FileResult, ...]
    violations: tuple[Violation, ...]
    exempted: tuple[Exemption, ...]
    fail_on: str = "error"
    summary_columns: tuple[SummaryColumn, ...] = ()
    townships: tuple[TownshipSummary, ...] = ()
    rules: tuple[RuleTally, ...] = ()
    notes: tuple[Note, ...] = ()  # run-wide remarks, e.g. a configured township that no file names
    # Findings an approved waiver covers: shown with the approval, never counted (rulecheck.waivers).
    waived: tuple[Violation, ...] = ()
    waivers: str | None = None  # the waiver file applied, if any
