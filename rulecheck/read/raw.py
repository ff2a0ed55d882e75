"""What reading a file gives before any header is looked for: raw sheets, or a ReadError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rulecheck.render.messages import t


class Term(NamedTuple):
    """A value of a message that is itself a message: put in the user's language when shown."""

    key: str


class SystemReason(NamedTuple):
    """Why an operating-system call failed: put in the user's language when shown (i18n.os_reason)."""

    error: OSError


class ReadError(Exception):
    """A file, or every sheet in it, that cannot be read: a message key and its values."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: str) -> str:
        from rulecheck.render.i18n import os_reason

        def shown(v: object) -> object:
            if isinstance(v, Term):
                return t(lang, v.key)
            return os_reason(v.error, lang) if isinstance(v, SystemReason) else v

        return t(lang, self.key, **{k: shown(v) for k, v in self.params.items()})


class PassedOver(Exception):
    """Not a slate: a workbook rulecheck wrote itself (``made_by``: "report" or "annotated")."""

    def __init__(self, made_by: str):
        super().__init__(made_by)
        self.made_by = made_by


@dataclass(frozen=True)
class RawSheet:
    """The cells of one sheet as rows of values, and where those rows stand in the sheet."""

    name: str
    rows: list[list[object]]
    row_numbers: tuple[int, ...] | None = None  # rows[i] is row row_numbers[i]; None: row i + 1
    uncached: tuple[tuple[int, int], ...] = ()  # 0-based (row, column) of formulas saved without a value
    dropped: tuple[str, ...] = ()  # cells far right of any table, left out (the first few)
    hidden: bool = False  # the sheet is hidden in the workbook (still read, with a note)
    hidden_rows: tuple[int, ...] = ()  # Excel row numbers of rows hidden in the sheet (still read, with a note)

    def row_number(self, index: int) -> int:
        """The row number Excel shows for rows[index]."""
        return self.row_numbers[index] if self.row_numbers is not None else index + 1
