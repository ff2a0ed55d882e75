"""Numbers, also numeric text with a unit ('40平方米', '45周岁'); optional bounds and whole numbers only."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from rulecheck.lang.expr import NUMBER
from rulecheck.render.messages import t
from rulecheck.table.types.base import ColumnType, Labels, Reading
from rulecheck.table.values import Parsed, distinct, fold, unreadable

# NFKC turns '㎡' into 'm2', hence the optional trailing 2/3 after a unit.
_NUMBER, _UNIT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", r"[^0-9.][^0-9]*[23]?"


def parse_number(raw: pd.Series, between: tuple[float, float] | None = None, whole: bool = False) -> Parsed:
    """Numbers, also from numeric text with an optional trailing unit ('40平方米', '45周岁').

    With ``between`` (inclusive bounds) or ``whole`` a number outside the bounds, or with a
    fraction, is unreadable: an age of 450 or 45.5 is a typing slip, not an age.
    """
    text = fold(raw)
    num = text.str.extract(f"^({_NUMBER})(?:{_UNIT})?$", expand=False)
    values = pd.to_numeric(num.astype(object), errors="coerce").astype("float64")
    if between is not None or whole:
        low, high = between if between is not None else (-np.inf, np.inf)
        keep = (values >= low) & (values <= high)
        if whole:
            keep &= values == np.floor(values)
        values = values.where(keep)
    return Parsed(values, unreadable(text, values))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(functools.partial(parse_number, between=spec.between, whole=spec.whole), cells)


def accepted(spec: Any, lang: str) -> str:
    if spec.between is not None:
        low, high = (str(int(b)) if float(b).is_integer() else str(b) for b in spec.between)
        return t(lang, "accepted-number-between" + ("-whole" if spec.whole else ""), low=low, high=high)
    if spec.whole:
        return t(lang, "accepted-whole-number")
    return t(lang, "accepted-number")


def _check(spec: Any) -> str | None:
    if spec.between is not None and spec.between[0] > spec.between[1]:
        return "'between' is [lowest, highest]"
    return None


def show(value: Any, fmt: str | None, lang: str, labels: Labels) -> str:
    """A number in a message: with the placeholder's format, else whole without '.0', else to two places."""
    if fmt:
        return format(float(value), fmt)
    return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}".rstrip("0")


def to_json(value: Any, lang: str, labels: Labels) -> Any:
    return round(float(value), 4)


def to_text(value: Any, lang: str) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_MISPLACED = "'between' and 'whole' apply only to type number"
TYPE = ColumnType(
    name="number", parse=_parse, expression=NUMBER, accepted=accepted,
    options=dict.fromkeys(("between", "whole"), _MISPLACED), check=_check,
    values=(int, float, np.integer, np.floating), show=show, to_json=to_json, to_text=to_text, sample=1.5,
)
