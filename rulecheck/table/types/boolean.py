"""Yes/no: 是/否, √/×, Y/N, 有/无, …, and a column's own ``yes_words`` and ``no_words``."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from rulecheck.lang.expr import BOOL
from rulecheck.render.messages import t
from rulecheck.table.types.base import ColumnType, Labels, Reading
from rulecheck.table.values import Parsed, distinct, fold, fold_text, unreadable

_TRUE = "是 √ ✓ ✔ y yes true 1 有 已 已承诺 对".split()
_FALSE = "否 × ✗ ✘ x n no false 0 无 未 没有".split()
_BOOLEANS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def parse_boolean(raw: pd.Series, yes: list[str] | tuple[str, ...] = (), no: list[str] | tuple[str, ...] = ()) -> Parsed:
    """Yes/no cells ('是', '√', 'Y', '否', '×', ..., and a column's own ``yes`` and ``no`` words) as pandas 'boolean'."""
    words = _BOOLEANS
    if yes or no:
        words = {**_BOOLEANS, **{fold_text(w).casefold(): True for w in yes}, **{fold_text(w).casefold(): False for w in no}}
    text = fold(raw).str.casefold()
    values = text.map(words).astype("boolean")
    return Parsed(values, unreadable(text, values))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(functools.partial(parse_boolean, yes=spec.yes_words, no=spec.no_words), cells)


def accepted(spec: Any, lang: str) -> str:
    own = [*spec.yes_words, *spec.no_words]
    return t(lang, "accepted-boolean", own=("、".join(own) + ("、" if own else "")) if lang == "zh" else
             (", ".join(own) + (", " if own else "")))


def show(value: Any, fmt: str | None, lang: str, labels: Labels) -> str:
    return t(lang, "yes" if value else "no")


def to_json(value: Any, lang: str, labels: Labels) -> Any:
    return bool(value)


def to_text(value: Any, lang: str) -> str:
    return t(lang, "yes" if value else "no")


TYPE = ColumnType(
    name="boolean", parse=_parse, expression=BOOL, accepted=accepted,
    options=dict.fromkeys(("yes_words", "no_words"), "'yes_words' and 'no_words' apply only to type boolean"),
    values=(bool, np.bool_), show=show, to_json=to_json, to_text=to_text, sample=True,
)
