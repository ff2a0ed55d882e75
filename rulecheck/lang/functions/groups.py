"""Aggregates over a village's or township's rows: count(), share(), mean(), min(), max(), sum(), distinct(),
any(), all().

Groups are numbered 0..n-1 (``ctx.codes`` per row); counts go through numpy's bincount, so a group
with no matching row is still there, counted 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from rulecheck.lang.functions.base import ANY, Function, as_bool, broadcast, signature
from rulecheck.lang.types import BOOL, NUMBER, Kind, Type

if TYPE_CHECKING:
    from rulecheck.lang.evaluate import Context


def _grouped(ctx: Context, values: pd.Series, how: str) -> pd.Series:
    """A float aggregate (sum, mean) per group 0..n-1: pandas', for its compensated float sums."""
    return values.groupby(ctx.codes).agg(how).reindex(range(ctx.groups)).astype("float64")


def _where(ctx: Context, where: Any | None) -> pd.Series:
    if where is None:
        return pd.Series(True, index=ctx.index)
    return as_bool(broadcast(ctx, where))


def group_count(codes: pd.Series, groups: int, mask: pd.Series) -> np.ndarray:
    """Per group 0..groups-1, how many of its rows ``mask`` holds (float64; exact, as every count is an integer)."""
    return np.bincount(codes.to_numpy(), weights=mask.to_numpy(dtype=np.float64), minlength=groups)


def _count(ctx: Context, where: Any = None) -> pd.Series:
    return pd.Series(group_count(ctx.codes, ctx.groups, _where(ctx, where)))


def _share(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    """Share of the rows matching ``where`` that also meet ``cond``; missing when none match."""
    base = _where(ctx, where)
    hits = _count(ctx, base & as_bool(broadcast(ctx, cond)))
    total = _count(ctx, base)
    return (hits / total.where(total > 0)).astype("float64")


def _numeric_agg(how: str) -> Callable[..., pd.Series]:
    def call(ctx: Context, values: Any, where: Any = None) -> pd.Series:
        values = broadcast(ctx, values)
        if values.dtype == object:
            values = pd.to_numeric(values, errors="coerce")
        return _grouped(ctx, values.where(_where(ctx, where)).astype("float64"), how)

    return call


def _extreme(how: str) -> Callable[..., pd.Series]:
    def call(ctx: Context, values: Any, where: Any = None) -> pd.Series:
        values = broadcast(ctx, values).where(_where(ctx, where))
        return values.groupby(ctx.codes).agg(how).reindex(range(ctx.groups))

    return call


def _distinct(ctx: Context, values: Any, where: Any = None) -> pd.Series:
    """How many different values the group's rows (matching the filter) hold; missing values do not count."""
    values = broadcast(ctx, values).where(_where(ctx, where))
    return pd.Series(group_distinct(ctx.codes, ctx.groups, values))


def group_distinct(codes: pd.Series, groups: int, values: pd.Series | np.ndarray) -> np.ndarray:
    """Per group 0..groups-1, how many different values its rows hold, missing ones not counted (float64)."""
    numbered, uniques = pd.factorize(values, use_na_sentinel=True)
    group, numbered = codes.to_numpy()[numbered >= 0], numbered[numbered >= 0]
    # Rows come file by file, so runs of one (group, value) are common: their first rows are enough.
    starts = np.flatnonzero(np.diff(group, prepend=-1) | np.diff(numbered, prepend=-1))
    pairs = pd.unique(group[starts] * (len(uniques) + 1) + numbered[starts])  # each (group, value) once
    return np.bincount(pairs // (len(uniques) + 1), minlength=groups).astype(np.float64)


def _any(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    return _count(ctx, _where(ctx, where) & as_bool(broadcast(ctx, cond))) > 0


def _all(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    base = _where(ctx, where)
    return _count(ctx, base & ~as_bool(broadcast(ctx, cond))) == 0


def _same(kinds: list[Kind]) -> Type:
    return kinds[0].type


FUNCTIONS: dict[str, Function] = {
    "count": Function("rows of the group meeting a condition", (0, 1), signature(NUMBER, ("bool",), fn="count"), _count, aggregate=True),
    "share": Function("share of the rows (matching the filter) that meet a condition", (1, 2), signature(NUMBER, ("bool",), ("bool",), fn="share"), _share, aggregate=True),
    "mean": Function("average of a number over the group's rows (matching the filter)", (1, 2), signature(NUMBER, ("number",), ("bool",), fn="mean"), _numeric_agg("mean"), aggregate=True),
    "min": Function("smallest number or earliest date over the group's rows", (1, 2), signature(_same, ("number", "date"), ("bool",), fn="min"), _extreme("min"), aggregate=True),
    "max": Function("largest number or latest date over the group's rows", (1, 2), signature(_same, ("number", "date"), ("bool",), fn="max"), _extreme("max"), aggregate=True),
    "sum": Function("total over the group's rows", (1, 2), signature(NUMBER, ("number",), ("bool",), fn="sum"), _numeric_agg("sum"), aggregate=True),
    "distinct": Function("how many different values the group's rows (matching the filter) hold", (1, 2), signature(NUMBER, ANY, ("bool",), fn="distinct"), _distinct, aggregate=True),
    "any": Function("some row of the group (matching the filter) meets the condition", (1, 2), signature(BOOL, ("bool",), ("bool",), fn="any"), _any, aggregate=True),
    "all": Function("every row of the group (matching the filter) meets the condition", (1, 2), signature(BOOL, ("bool",), ("bool",), fn="all"), _all, aggregate=True),
}
