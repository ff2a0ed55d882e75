"""Full calendar dates ('2007-10-15', '2007.10.15', '2007年10月15日', Excel dates); the time of day is dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from rulecheck.lang.expr import DATE
from rulecheck.render.messages import t
from rulecheck.table.types.base import ColumnType, Labels, Reading
from rulecheck.table.values import Parsed, date_parts, distinct, from_parts, unreadable


def parse_date(raw: pd.Series) -> Parsed:
    """Full calendar dates (time of day dropped); year-month alone is unreadable."""
    text, p = date_parts(raw)
    values = from_parts(p["y"], p["m"], p["d"])
    return Parsed(values, unreadable(text, values))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(parse_date, cells)


def show(value: Any, fmt: str | None, lang: str, labels: Labels) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def to_json(value: Any, lang: str, labels: Labels) -> Any:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


TYPE = ColumnType(
    name="date", parse=_parse, expression=DATE, accepted=lambda spec, lang: t(lang, "accepted-date"),
    values=(dt.date,), show=show, to_json=to_json, sample=dt.date(2007, 1, 1),  # a datetime and a Timestamp are dates
)
