"""Birth dates: full dates or a year and month ('1968.05', '1968年5月'), helped by the person's identity number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from rulecheck.lang.expr import DATE
from rulecheck.render.messages import t
from rulecheck.table import idnumber
from rulecheck.table.types.base import ColumnType, Reading
from rulecheck.table.values import Parsed, align, date_parts, from_parts, unreadable


def parse_birth(raw: pd.Series, id_birth: pd.Series | None = None) -> Parsed:
    """Birth dates, full or year-month; year-month takes the day from a matching id_birth, else the 1st."""
    text, p = date_parts(raw)  # its text work is done per distinct cell
    y, m, d = p["y"], p["m"], p["d"]
    year_month = d.isna()
    d = d.mask(year_month, 1)
    if id_birth is not None:
        idb = align(pd.to_datetime(id_birth, errors="coerce").astype("datetime64[ns]"), raw.index)
        # Excel keeps a typed 1968.10 as the number 1968.1: October, unless the ID says January.
        id_january = (idb.dt.year == y) & (idb.dt.month == 1)
        m = m.mask(p["tenth"] & ~id_january, 10)
        agrees = year_month & (idb.dt.year == y) & (idb.dt.month == m)
        d = d.mask(agrees, idb.dt.day)
    else:
        m = m.mask(p["tenth"], 10)
    values = from_parts(y, m, d)
    return Parsed(values, unreadable(text, values))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    """With ``confirm_with``, the identity numbers (parsed first) confirm the month and give the day."""
    confirm = None
    if spec.confirm_with:
        ids = reading.parsed[spec.confirm_with]
        checked = idnumber.check(ids, normalised=True)
        confirm = idnumber.birth(ids, checked)
        if reading.id_numbers is not None:
            from rulecheck.lang import IdNumbers

            reading.id_numbers[spec.confirm_with] = IdNumbers(ids, checked, confirm)
    return parse_birth(cells, confirm)


def _check_columns(spec: Any, columns: Mapping[str, Any]) -> tuple[str, str] | None:
    other = columns.get(spec.confirm_with) if spec.confirm_with else None
    if spec.confirm_with and (other is None or other.type != "id-number"):
        return "confirm_with", f"'{spec.confirm_with}' is not an id-number column"
    return None


TYPE = ColumnType(
    name="birth-date", parse=_parse, expression=DATE, accepted=lambda spec, lang: t(lang, "accepted-birth-date"),
    options={"confirm_with": "'confirm_with' applies only to type birth-date"}, after=("id-number",),
    check_columns=_check_columns,
)
