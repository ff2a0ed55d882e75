"""Year lists: '2005、2006', '2005,2006', '2005年 2006年', '2005-2007'; 无 for none."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from rulecheck.lang.expr import YEARS
from rulecheck.render.messages import t
from rulecheck.table.types.base import ColumnType, Reading
from rulecheck.table.values import YEAR_MAX, YEAR_MIN, Parsed, cell_text, distinct, each, fold, unreadable

_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")
# Ranges like '2005-2008' or '2005至2008' also give the years in between.
_YEAR_RANGE = re.compile(r"(?<![0-9])([0-9]{4})\s*(?:-|~|～|—|–|至|到)\s*([0-9]{4})(?![0-9])")
_NO_YEARS = {"无", "没有", "否", "暂无", "-", "--", "—", "——", "–", "/", "\\"}


def _year_list(text: str) -> str | None:
    years = {int(y) for y in _YEAR.findall(text)}
    for first, last in _YEAR_RANGE.findall(text):
        if int(first) < int(last) and int(last) - int(first) <= YEAR_MAX - YEAR_MIN:
            years.update(range(int(first), int(last) + 1))
    kept = sorted(y for y in years if YEAR_MIN <= y <= YEAR_MAX)
    return "," + ",".join(map(str, kept)) + "," if kept else None


def parse_years(raw: pd.Series) -> Parsed:
    """Year lists ('2005、2006', '2005-2007') as ',2005,2006,' (sorted, unique); see values.has_year."""
    text = cell_text(raw)
    values = pd.Series(each(_year_list, text), index=raw.index, dtype=object).astype("str")
    none_word = fold(raw).isin(_NO_YEARS)
    return Parsed(values, unreadable(text, values) & ~none_word)


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(parse_years, cells)


TYPE = ColumnType(name="years", parse=_parse, expression=YEARS, accepted=lambda spec, lang: t(lang, "accepted-years"))
