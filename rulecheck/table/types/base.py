"""What a column type is: how it reads cells, its type in expressions, how its values are shown.

A column type is one module under ``rulecheck/table/types/`` that makes a ``ColumnType``, and one
line in ``TYPES`` (``rulecheck/table/types/__init__.py``). Nothing else names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from rulecheck.lang.expr import Type
from rulecheck.table.values import Parsed

if TYPE_CHECKING:
    from rulecheck.rulefile.ruleset import ColumnSpec, Text


@dataclass
class Reading:
    """What a column's parser may use besides its own cells.

    ``parsed``: the columns parsed before it (types listed in a type's ``after`` come first);
    ``id_numbers``: identity-number checks made on the way, by column (lang.IdNumbers), that the rules reuse.
    """

    parsed: Mapping[str, pd.Series]
    id_numbers: dict | None = None


Labels = Mapping[str, "Text"]  # a rule's words for its values (a category key → 男 / male)


@dataclass(frozen=True)
class ColumnType:
    """One column type of the rule file's ``columns: {key: {type: ...}}``."""

    name: str  # as the rule file writes it
    parse: Callable[[pd.Series, ColumnSpec, Reading], Parsed]  # raw cells → values and the unreadable mask
    expression: Type | Callable[[ColumnSpec], Type]  # its values' type in expressions
    accepted: Callable[[ColumnSpec, str], str]  # what it accepts, quoted where a cell cannot be read
    # Options of ColumnSpec that only this type takes → what is said where another type's column sets one.
    options: Mapping[str, str] = field(default_factory=dict)
    check: Callable[[ColumnSpec], str | None] | None = None  # its options' own rules: the error, or None
    # What its options ask of the rule file's other columns: (the option, the error), or None.
    check_columns: Callable[[ColumnSpec, Mapping[str, ColumnSpec]], tuple[str, str] | None] | None = None
    after: tuple[str, ...] = ()  # types whose columns are parsed before this type's (id numbers before birth dates)
    text_values: bool = False  # its parsed values are the cells' text (no separate text is made)
    # The Python classes of values it shows (a value's class, or the nearest base class, picks the type),
    # and how: in a message (with the placeholder's format), as JSON, and as a report cell from that JSON.
    values: tuple[type, ...] = ()
    show: Callable[[Any, str | None, str, Labels], str] | None = None
    to_json: Callable[[Any, str, Labels], Any] | None = None
    to_text: Callable[[Any, str], str] | None = None
    sample: Any = None  # a value a message's {placeholder:format} is tried on when the rule file loads

    def expression_type(self, spec: ColumnSpec) -> Type:
        return self.expression(spec) if callable(self.expression) else self.expression
