"""What a check finds: immutable values, complete where they are made, never patched later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "notice")


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


@dataclass(frozen=True)
class FileResult:
    """How one input file fared: rows read and skipped, rules it could not support, or why it failed."""

    path: str
    rows: int = 0
    skipped: int = 0
    sheets: tuple[str, ...] = ()
    error: str | None = None
    not_checked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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

    def count(self, severity: str) -> int:
        return sum(v.severity == severity for v in self.violations)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def failed_files(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error)

    def exit_code(self, fail_on: str = "error") -> int:
        """0 clean, 1 violations at or above ``fail_on``, 2 something could not be checked (2 wins)."""
        if self.failed_files or not self.files:
            return 2
        levels = {"error": ("error",), "warning": ("error", "warning"), "never": ()}[fail_on]
        return 1 if any(v.severity in levels for v in self.violations) else 0
