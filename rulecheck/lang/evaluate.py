"""Evaluating rule expressions column-wise with pandas: what an expression is evaluated against, and how.

Missing values make every comparison false, so a blank cell never looks like a violation by
accident; rules that care about blanks say so with ``blank()`` or ``unreadable()``.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from rulecheck.lang.functions import FUNCTIONS, IdNumbers
from rulecheck.lang.functions.base import as_bool, broadcast
from rulecheck.lang.syntax import COMPARE, Binary, Call, In, Literal, Name, Node, Unary


class CellText(Mapping[str, pd.Series]):
    """The cells' text by column, as ``raw()`` shows it and ``blank()`` tests it.

    A mapping of column → Series; ``blank`` and ``at`` may be given faster forms by a subclass
    that makes each column's text only when it is read (the engine's).
    """

    @abstractmethod
    def __getitem__(self, column: str) -> pd.Series: ...

    def blank(self, column: str) -> pd.Series:
        """Where the column's cell is empty."""
        return self[column].isna()

    def at(self, rows: np.ndarray) -> CellText:
        """The text at some rows (positions) only, each column taken when first read."""
        return TextColumns(_Taken(self, lambda value: value.take(rows)))


class TextColumns(CellText):
    """Cell text that is there already: a mapping of column → Series."""

    def __init__(self, columns: Mapping[str, pd.Series] | None = None):
        self._columns = columns if columns is not None else {}

    def __getitem__(self, column: str) -> pd.Series:
        return self._columns[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


@dataclass
class Context:
    """What an expression is evaluated against.

    ``values`` maps a name to a scalar or a Series (row-level on the table's index, group-level
    on group codes 0..n-1); ``lazy`` maps a name to a function computing it on first use.
    ``raw`` is the cells' text and ``unreadable`` marks cells that could not be read as their type.
    ``codes`` numbers each row's group (only for village and township rules). ``id_numbers``
    keeps the identity-number checks made so far by the name of the values checked, shared by
    every context made with ``with_values`` (the engine hands in those made while parsing).
    """

    index: pd.Index
    as_of: dt.date
    values: dict[str, Any] = field(default_factory=dict)
    lazy: dict[str, Callable[[], Any]] = field(default_factory=dict)
    raw: CellText = field(default_factory=TextColumns)
    unreadable: Mapping[str, pd.Series] = field(default_factory=dict)
    codes: pd.Series | None = None
    groups: int = 0
    id_numbers: dict[str, IdNumbers] = field(default_factory=dict)

    def lookup(self, name: str) -> Any:
        if name not in self.values:
            self.values[name] = self.lazy[name]()
        return self.values[name]

    def with_values(self, values: dict[str, Any]) -> Context:
        """A context on the same rows with these values: derived fields, cell text and identity checks shared."""
        return Context(self.index, self.as_of, values, self.lazy, self.raw, self.unreadable, id_numbers=self.id_numbers)

    def at(self, rows: np.ndarray) -> Context:
        """The row values at some rows only, made there: what a person rule's findings need.

        Derived fields come from this context (made once for every row); cell text, which a
        finding's observed value often reads, is made for these rows alone.
        """
        size = len(self.index)

        def take(value: Any) -> Any:
            return value.take(rows) if isinstance(value, pd.Series) and len(value) == size else value

        # Values are taken when an expression asks for them: a message reads a few of many.
        return Context(self.index[rows], self.as_of, {},
                       {k: (lambda k=k: take(self.lookup(k))) for k in (*self.values, *self.lazy)},
                       self.raw.at(rows), _Taken(self.unreadable, take))


class _Taken(Mapping[str, pd.Series]):
    """A mapping of row values, each taken at some rows when first read."""

    def __init__(self, whole: Mapping[str, pd.Series], take: Callable[[Any], Any]):
        self._whole, self._take, self._done = whole, take, {}

    def __getitem__(self, key: str) -> pd.Series:
        if key not in self._done:
            self._done[key] = self._take(self._whole[key])
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole)

    def __len__(self) -> int:
        return len(self._whole)


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def _missing(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.isna()
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _compare(op: str, a: Any, b: Any) -> Any:
    """A comparison where a missing side is false (pandas would make ``NaN != x`` true)."""
    known = as_bool(~_missing(a) if isinstance(a, pd.Series) else not _missing(a))
    known = known & (~_missing(b) if isinstance(b, pd.Series) else not _missing(b))
    if not isinstance(known, pd.Series):
        return known and bool(_OPS[op](a, b))
    with np.errstate(invalid="ignore"):
        return as_bool(_OPS[op](a, b)) & known


def evaluate(node: Node, ctx: Context) -> Any:
    """Compute ``node`` over the whole table at once: a scalar or a Series."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return ctx.lookup(node.id)
    if isinstance(node, Unary):
        value = evaluate(node.operand, ctx)
        if node.op == "not":
            return ~as_bool(value) if isinstance(value, pd.Series) else not as_bool(value)
        return -value
    if isinstance(node, In):
        left = evaluate(node.left, ctx)
        result: Any = False
        for item in node.items:
            result = result | _compare("==", left, evaluate(item, ctx))
        if node.negated:
            known = ~_missing(left)
            result = (~result & known) if isinstance(result, pd.Series) else (not result and bool(known))
        return result
    if isinstance(node, Binary):
        left, right = evaluate(node.left, ctx), evaluate(node.right, ctx)
        if node.op == "and":
            return as_bool(left) & as_bool(right)
        if node.op == "or":
            return as_bool(left) | as_bool(right)
        if node.op in COMPARE:
            return _compare(node.op, left, right)
        if node.op == "/":
            with np.errstate(divide="ignore", invalid="ignore"):
                out = left / right if not _is_zero(right) else np.nan
            return out.replace([np.inf, -np.inf], np.nan) if isinstance(out, pd.Series) else out
        return _OPS[node.op](left, right)
    assert isinstance(node, Call)
    fn = FUNCTIONS[node.func]
    if fn.column_argument:
        return fn.impl(ctx, node.args[0].id)  # type: ignore[attr-defined]
    if fn.identity_numbers:
        return fn.impl(ctx, _id_numbers(node.args[0], ctx))
    return fn.impl(ctx, *(evaluate(arg, ctx) for arg in node.args))


def _id_numbers(arg: Node, ctx: Context) -> IdNumbers:
    """The identity numbers an id_*() call asks about, checked once per context family where they are a name.

    A name's checks are kept (and reused) only for the very values it stands for: a rule's ``let``
    of the same name as a column gets checks of its own.
    """
    value = evaluate(arg, ctx)
    if not isinstance(arg, Name):
        return IdNumbers(broadcast(ctx, value))
    known = ctx.id_numbers.get(arg.id)
    if known is None or known.numbers is not value:
        known = ctx.id_numbers[arg.id] = IdNumbers(broadcast(ctx, value))
    return known


def _is_zero(value: Any) -> bool:
    return not isinstance(value, pd.Series) and not _missing(value) and value == 0
