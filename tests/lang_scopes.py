"""Names and scopes the language tests type-check and evaluate against."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from rulecheck.lang import BOOL, DATE, NUMBER, TEXT, YEARS, Context, Kind, Scope, Type, evaluate, parse

ROLE = Type("category", frozenset({"secretary", "member"}))
NAMES = {
    "age": Kind(NUMBER), "name": Kind(TEXT), "born": Kind(DATE), "retained": Kind(BOOL), "years": Kind(YEARS),
    "role": Kind(ROLE), "limit": Kind(NUMBER, "scalar"), "as_of": Kind(DATE, "scalar"),
}
ROWS = Scope(NAMES, frozenset({"age", "name", "born", "retained", "years", "role"}))
GROUPS = Scope(NAMES, ROWS.columns, grouped=True)
AS_OF = dt.date(2007, 10, 20)


def context(frame: pd.DataFrame, codes: list[int] | None = None, **kwargs: object) -> Context:
    """The frame's columns as row values, ``limit`` 30; grouped by ``codes`` where given."""
    ctx = Context(frame.index, AS_OF, values={c: frame[c] for c in frame} | {"limit": 30.0}, **kwargs)  # type: ignore[arg-type]
    if codes is not None:
        ctx.codes, ctx.groups = pd.Series(codes, index=frame.index), max(codes) + 1
    return ctx


def values(text: str, frame: pd.DataFrame, codes: list[int] | None = None) -> object:
    """``text`` evaluated over the frame: a list, or a scalar."""
    value = evaluate(parse(text), context(frame, codes))
    return value.tolist() if isinstance(value, pd.Series) else value
