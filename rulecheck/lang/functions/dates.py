"""Dates and ages: age(), year(), date(), consecutive_years()."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rulecheck.lang.functions.base import Function, signature, want
from rulecheck.lang.syntax import ExprError, Literal, Node
from rulecheck.lang.types import BOOL, DATE, NUMBER, TEXT, Kind, Type

if TYPE_CHECKING:
    from rulecheck.lang.evaluate import Context


def _age(ctx: Context, born: Any) -> Any:
    """Completed years (周岁) on the as-of day: the birthday itself counts as a year completed."""
    on = pd.Timestamp(ctx.as_of)
    if not isinstance(born, pd.Series):
        return np.nan if pd.isna(born) else float(_age(ctx, pd.Series([born])).iloc[0])
    born = pd.to_datetime(born)
    years = on.year - born.dt.year
    before_birthday = (born.dt.month > on.month) | ((born.dt.month == on.month) & (born.dt.day > on.day))
    return (years - before_birthday.astype("float64")).astype("float64")


def _years_in_window(ctx: Context, years: pd.Series, first: Any, last: Any) -> pd.Series:
    """True where two consecutive calendar years within [first, last] are both in the list."""
    from rulecheck.table.values import has_year

    # Year lists repeat (most are blank): each distinct list is searched, once for each year of the window.
    numbers, lists = pd.factorize(years.to_numpy(dtype=object), use_na_sentinel=True)
    hay = pd.Series(np.append(lists, None), dtype=object)  # code -1 (blank) takes the last
    found = {year: has_year(hay, year).to_numpy() for year in range(int(first), int(last) + 1)}
    both = np.zeros(len(hay), dtype=bool)
    for year in range(int(first), int(last)):  # loops over the window's years, never over rows
        both |= found[year] & found[year + 1]
    return pd.Series(both[numbers], index=years.index)


def _make_date(ctx: Context, *args: Any) -> Any:
    if len(args) == 1:
        return pd.Timestamp(args[0])
    y, m, d = (int(a) for a in args)
    return pd.Timestamp(dt.date(y, m, d))


def _year(ctx: Context, value: Any) -> Any:
    if isinstance(value, pd.Series):
        return pd.to_datetime(value).dt.year.astype("float64")
    return np.nan if pd.isna(value) else float(pd.Timestamp(value).year)


def _date_type(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
    if len(kinds) == 1:
        if not (isinstance(args[0], Literal) and args[0].type == TEXT):
            raise ExprError('date() with one argument takes a literal like date("2007-10-20")', args[0].pos)
        try:
            dt.date.fromisoformat(args[0].value)
        except ValueError:
            raise ExprError(f"'{args[0].value}' is not a date in the form YYYY-MM-DD", args[0].pos) from None
    elif len(kinds) == 3:
        for i in range(3):
            want(kinds, i, "number", fn="date", args=args)
    else:
        raise ExprError("date() takes one text or three numbers (year, month, day)", args[0].pos)
    return DATE


FUNCTIONS: dict[str, Function] = {
    "age": Function("completed years (周岁) on the as-of day", (1, 1), signature(NUMBER, ("date",), fn="age"), _age),
    "year": Function("the calendar year of a date", (1, 1), signature(NUMBER, ("date",), fn="year"), _year),
    "date": Function('a date: date("2007-10-20") or date(year, month, day)', (1, 3), _date_type, _make_date),
    "consecutive_years": Function(
        "the list holds two consecutive years within [first, last]", (3, 3),
        signature(BOOL, ("years",), ("number",), ("number",), fn="consecutive_years"), _years_in_window,
    ),
}
