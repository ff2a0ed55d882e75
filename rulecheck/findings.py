"""What a check finds: immutable values, complete where they are made, never patched later."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

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


@dataclass(frozen=True)
class Violation:
    """One rule broken by one person, village or township; ``row`` is the row number Excel shows."""

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
    county: str | None = None  # where the rule file's groups have a county and the slate names one
    files: tuple[str, ...] = ()  # a village or township finding: every file its rows come from
    # The cell an annotated copy marks for a village or township finding: (file, sheet, row, column label).
    anchor: tuple[str, str, int, str | None] | None = None
    # A person finding: a digest of the person's identity number (person_key), for matching waivers by it;
    # never the number itself.
    person: str | None = None
    # The approval this finding is about: in Report.waived, the waiver that covers it; in Report.violations,
    # a waiver that matched nothing or has expired (rule waiver-unmatched / waiver-expired).
    waiver: Waiver | None = None


def person_key(id_number: str) -> str:
    """A stand-in for a normalised identity number that a report can carry without the number."""
    return hashlib.blake2b(id_number.encode("utf-8"), digest_size=12, person=b"rulecheck-id").hexdigest()


@dataclass(frozen=True)
class Waiver:
    """One approved exception from the waiver file: the rule, whom it covers, and the approval.

    It covers a township, a village, or a person: by identity number (held as ``person_key``) or by
    village and name. ``who`` is how the waiver names its target, for messages (an identity number masked).
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
    who: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Exemption:
    """A rule that would have been broken but for a claimed and accepted exemption."""

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
class Unchecked:
    """A rule that could not be checked on a file, and why: the columns the file lacks.

    ``missing`` holds alternatives: the file would have needed every column title of any one of
    them (缺少「出生年月」或「身份证号」列 is two alternatives of one column each).
    """

    rule: str
    essential: bool
    missing: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FileResult:
    """How one input file fared: rows read and skipped, rules it could not support, or why it failed."""

    path: str
    rows: int = 0
    skipped: int = 0
    sheets: tuple[str, ...] = ()
    error: str | None = None
    unchecked: tuple[Unchecked, ...] = ()
    notes: tuple[str, ...] = ()
    passed_over: str | None = None  # not a slate (a report or copy rulecheck wrote): why it was not read

    @property
    def not_checked(self) -> tuple[str, ...]:
        """Ids of the rules not checked on this file, essential or not."""
        return tuple(u.rule for u in self.unchecked)

    @property
    def incomplete(self) -> bool:
        """An essential rule could not be checked on this file."""
        return any(u.essential for u in self.unchecked)


@dataclass(frozen=True)
class SummaryColumn:
    """One statistic of the township summary, as declared in the rule file's ``summary:`` section."""

    key: str
    title: str
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
    title: str
    quote: str | None
    violations: int
    exempted: int
    by_township: tuple[int, ...]
    optional: bool = False  # not checking it on a file leaves the verdict clean (the rule file's optional: true)


@dataclass(frozen=True)
class Report:
    """Everything one run found, in the order it is shown."""

    version: str
    ruleset_id: str
    ruleset_title: str
    ruleset_path: str
    as_of: str
    lang: str
    files: tuple[FileResult, ...]
    violations: tuple[Violation, ...]
    exempted: tuple[Exemption, ...]
    rule_titles: dict[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    summary_columns: tuple[SummaryColumn, ...] = ()
    townships: tuple[TownshipSummary, ...] = ()
    rules: tuple[RuleTally, ...] = ()
    notes: tuple[str, ...] = ()  # run-wide remarks, e.g. a configured township that no file names
    # Findings an approved waiver covers: shown with the approval, never counted (rulecheck.waivers).
    waived: tuple[Violation, ...] = ()
    waivers: str | None = None  # the waiver file applied, if any

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
    def failed_files(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error)

    @property
    def incomplete_files(self) -> tuple[FileResult, ...]:
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
