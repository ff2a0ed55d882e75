"""Cells and missing values: blank(), unreadable(), raw(), present(), coalesce()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from rulecheck.lang.functions.base import ANY, Function, broadcast, signature
from rulecheck.lang.syntax import ExprError, Node
from rulecheck.lang.types import BOOL, TEXT, Kind, Type, comparable

if TYPE_CHECKING:
    from rulecheck.lang.evaluate import Context


def _blank(ctx: Context, column: str) -> pd.Series:
    return ctx.raw.blank(column)


def _unreadable(ctx: Context, column: str) -> pd.Series:
    return ctx.unreadable[column]


def _raw(ctx: Context, column: str) -> pd.Series:
    return ctx.raw[column]


def _present(ctx: Context, value: Any) -> Any:
    return value.notna() if isinstance(value, pd.Series) else not pd.isna(value)


def _coalesce(ctx: Context, first: Any, second: Any) -> Any:
    return broadcast(ctx, first).fillna(second)


def _coalesce_type(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
    if not comparable(kinds[0].type, kinds[1].type):
        raise ExprError(f"coalesce() needs two values of one type, not {kinds[0].type} and {kinds[1].type}", args[1].pos)
    return kinds[0].type


FUNCTIONS: dict[str, Function] = {
    "present": Function("the value is there and could be read", (1, 1), signature(BOOL, ANY, fn="present"), _present),
    "coalesce": Function("the first value, or the second where the first is missing", (2, 2), _coalesce_type, _coalesce),
    "blank": Function("the cell of this column is empty", (1, 1), lambda k, a: BOOL, _blank, column_argument=True),
    "unreadable": Function(
        "the cell is filled in but could not be read as its column's type", (1, 1),
        lambda k, a: BOOL, _unreadable, column_argument=True,
    ),
    "raw": Function("the cell's text as written", (1, 1), lambda k, a: TEXT, _raw, column_argument=True),
}
