"""Categories: a cell is one of the rule file's keys, by any of its synonyms; bracketed notes read beside the rest."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import pandas as pd

from rulecheck.lang.expr import Type
from rulecheck.table.types.base import ColumnType, Reading
from rulecheck.table.values import (QUOTES, SEPARATOR_CHARACTERS, SEPARATORS_RE, SPACE_RE, Parsed, cell_text, distinct, each,
                                    fold_text, unreadable)

SHOWN_WORDS = 12  # accepted words of a category column quoted in one message


def _fold_key(text: str) -> str:
    return SPACE_RE.sub("", text).casefold().strip(QUOTES)


def parse_category(raw: pd.Series, categories: dict[str, list[str]], notes: list[str] | tuple[str, ...] = ()) -> Parsed:
    """Category keys by exact (folded, ASCII case-insensitive) synonym match.

    When the whole text matches nothing it is split on separators, and on the brackets of
    ``notes`` (pairs such as "()" or "【】": a bracketed part is a note, its words read beside
    the rest), and the first category (in dict order) that any part matches wins. So a note
    never makes a cell unreadable, and a word of an earlier category anywhere in the cell wins.
    """
    lookup: dict[str, str] = {}
    rank: dict[str, int] = {}
    for i, (key, synonyms) in enumerate(categories.items()):
        for syn in synonyms:
            folded = fold_text(syn).casefold().strip(QUOTES)
            lookup.setdefault(folded, key)
            rank.setdefault(folded, i)
    keys = list(categories)
    brackets = "".join(sorted({c for pair in notes for c in unicodedata.normalize("NFKC", pair)}))
    split = re.compile(f"[{SEPARATOR_CHARACTERS}{re.escape(brackets)}]+") if brackets else SEPARATORS_RE

    def category(text: str) -> str | None:
        text = text.casefold().strip(QUOTES)
        key = lookup.get(_fold_key(text))
        if key is None:
            ranks = [rank[part] for part in map(_fold_key, split.split(text)) if part in rank]
            key = keys[min(ranks)] if ranks else None
        return key

    text = cell_text(raw)
    values = pd.Series(each(category, text), index=raw.index, dtype=object)
    return Parsed(values, unreadable(text, values))


def _parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
    return distinct(functools.partial(parse_category, categories=spec.categories or {}, notes=spec.notes), cells)


def _expression(spec: Any) -> Type:
    return Type("category", frozenset(spec.categories or {}))


def accepted(spec: Any, lang: str) -> str:
    words = [w for synonyms in (spec.categories or {}).values() for w in synonyms]
    shown = ("、" if lang == "zh" else ", ").join(words[:SHOWN_WORDS])
    return shown + ("…" if len(words) > SHOWN_WORDS else "")


def _check(spec: Any) -> str | None:
    if spec.categories is None:
        return _REQUIRED
    if any(len(pair) != 2 for pair in spec.notes):
        return "each of 'notes' is a bracket pair of two characters, such as \"()\" or \"【】\""
    return None


_REQUIRED = "'categories' is required for type category, and only for it"
TYPE = ColumnType(
    name="category", parse=_parse, expression=_expression, accepted=accepted,
    options={"categories": _REQUIRED, "notes": "'notes' applies only to type category"}, check=_check,
)
