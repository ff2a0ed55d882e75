"""Identity numbers (18 or 15 characters): kept as text, normalised; checked by the rules (see table/idnumber)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rulecheck.lang.expr import TEXT
from rulecheck.render.messages import t
from rulecheck.table import idnumber
from rulecheck.table.types.base import ColumnType, Reading
from rulecheck.table.values import Parsed, distinct


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return Parsed(distinct(idnumber.normalise, cells), pd.Series(False, index=cells.index))


TYPE = ColumnType(name="id-number", parse=_parse, expression=TEXT, accepted=lambda spec, lang: t(lang, "accepted-id-number"))
