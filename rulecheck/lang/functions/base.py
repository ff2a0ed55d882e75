"""What a function of the rule language is, and the helpers its families share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from rulecheck.lang.syntax import ExprError, Node
from rulecheck.lang.types import Kind, Type

if TYPE_CHECKING:
    from rulecheck.lang.evaluate import Context

ANY = ("number", "text", "date", "bool", "years", "category")


@dataclass(frozen=True)
class Function:
    """A function of the rule language: how to type it and how to compute it.

    ``impl`` is called with the evaluation context and the evaluated arguments; a function with
    ``column_argument`` is given the column's name instead, and one with ``identity_numbers`` an
    IdNumbers value for its argument (the checks of a column made once and shared by every rule).
    """

    summary: str
    arity: tuple[int, int]
    typer: Callable[[list[Kind], tuple[Node, ...]], Type]
    impl: Callable[..., Any]
    aggregate: bool = False
    column_argument: bool = False  # the first argument must name a column
    identity_numbers: bool = False  # the argument is handed over as IdNumbers


def want(kinds: list[Kind], i: int, *types: str, fn: str, args: tuple[Node, ...]) -> None:
    """Raise where argument ``i`` is not of one of ``types``."""
    if kinds[i].type.name not in types:
        raise ExprError(
            f"{fn}() argument {i + 1} must be {' or '.join(types)}, not {kinds[i].type}", args[i].pos
        )


def signature(ret: Type | Callable[[list[Kind]], Type], *params: tuple[str, ...], fn: str,
              ) -> Callable[[list[Kind], tuple[Node, ...]], Type]:
    """A typer: each argument one of the types given for its place; the result ``ret`` (or ``ret(kinds)``)."""
    def typer(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
        for i, allowed in enumerate(params[: len(kinds)]):
            want(kinds, i, *allowed, fn=fn, args=args)
        return ret(kinds) if callable(ret) else ret

    return typer


def as_bool(value: Any) -> Any:
    """Missing values are false: a blank cell is never a violation by accident."""
    if isinstance(value, pd.Series):
        return value.fillna(False).astype(bool)
    return bool(value) if value is not None and not (isinstance(value, float) and np.isnan(value)) else False


def broadcast(ctx: Context, value: Any) -> pd.Series:
    """A value as a Series on the context's rows (a scalar repeated)."""
    return value if isinstance(value, pd.Series) else pd.Series(value, index=ctx.index)
