"""Text: the cell as written (NFKC, trimmed); never unreadable. Also how any value no other type shows is shown."""

from __future__ import annotations

from typing import Any

import pandas as pd

from rulecheck.lang.expr import TEXT
from rulecheck.table.types.base import ColumnType, Labels, Reading
from rulecheck.table.values import Parsed, cell_text, distinct


def parse_text(raw: pd.Series) -> Parsed:
    """Cells as canonical text; never unreadable."""
    text = cell_text(raw)
    return Parsed(text, pd.Series(False, index=raw.index))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(parse_text, cells)


def show(value: Any, fmt: str | None, lang: str, labels: Labels) -> str:
    """A value in a message: a rule's own word for it (a category key), else its text."""
    if isinstance(value, str) and value in labels:
        return labels[value](lang)
    return format(str(value), fmt) if fmt else str(value)


def to_json(value: Any, lang: str, labels: Labels) -> Any:
    return show(value, None, lang, labels)


def to_text(value: Any, lang: str) -> str:
    return str(value)


TYPE = ColumnType(
    name="text", parse=_parse, expression=TEXT, accepted=lambda spec, lang: "",  # text is never unreadable
   
    text_values=True, values=(str,), show=show, to_json=to_json, to_text=to_text, sample="x",
)
