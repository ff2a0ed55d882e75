"""Column types: one module each; ``TYPES`` names them, one line a type.

To add a column type write ``rulecheck/table/types/<name>.py`` making a ``ColumnType`` (see
``base.py``) and add its line to ``TYPES``: the rule file accepts it, the engine parses it, the
expression language types it, and messages, JSON and report cells show its values.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from rulecheck.lang.expr import Type
from rulecheck.render.messages import t
from rulecheck.table.types import birth_date, boolean, category, date, idnumber, number, text, years
from rulecheck.table.types.base import ColumnType, Labels, Reading

if TYPE_CHECKING:
    from rulecheck.rulefile.ruleset import ColumnSpec

TYPES: dict[str, ColumnType] = {kind.name: kind for kind in (
    text.TYPE,
    number.TYPE,
    date.TYPE,
    birth_date.TYPE,
    boolean.TYPE,
    years.TYPE,
    category.TYPE,
    idnumber.TYPE,
)}

__all__ = ["TYPES", "ColumnType", "Reading", "accepted", "expression_type", "observed_text", "option_error",
           "parse_columns", "sample", "show", "to_json"]


def of(spec: ColumnSpec) -> ColumnType:
    """The type of a column spec."""
    return TYPES[spec.type]


def expression_type(spec: ColumnSpec) -> Type:
    """A column's values' type in expressions."""
    return of(spec).expression_type(spec)


def accepted(spec: ColumnSpec, lang: str) -> str:
    """What a column of this type accepts, as a township office would type it."""
    return of(spec).accepted(spec, lang)


def option_error(spec: ColumnSpec, defaults: Mapping[str, Any]) -> str | None:
    """What is wrong with a column's type-specific options: another type's option set, or its own amiss."""
    for kind in TYPES.values():
        if kind.name != spec.type:
            for option, message in kind.options.items():
                if getattr(spec, option) != defaults[option]:
                    return message
    own = of(spec).check
    return own(spec) if own else None


def sample(type_name: str) -> Any:
    """A value of an expression type (``number``, ``date``, ``bool``…) to try a message's format on."""
    return _samples().get(type_name, "x")


@functools.cache
def _samples() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in TYPES.values():
        if kind.sample is not None and not callable(kind.expression):
            out.setdefault(kind.expression.name, kind.sample)
    return out


def parse_columns(specs: Mapping[str, ColumnSpec], raw: pd.DataFrame, id_numbers: dict | None = None,
                  ) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """Each column parsed by its type, the types a type reads ``after`` first (id numbers before birth dates).

    Parsing is row by row, so each type does it once per distinct cell (values.distinct); ``id_numbers``
    receives the identity-number checks made on the way, by column (lang.IdNumbers), for the rules to reuse.
    """
    parsed: dict[str, pd.Series] = {}
    unreadable: dict[str, pd.Series] = {}
    reading = Reading(parsed, id_numbers)
    for key in sorted(specs, key=lambda k: bool(TYPES[specs[k].type].after)):
        spec = specs[key]
        result = TYPES[spec.type].parse(raw[key], spec, reading)
        parsed[key], unreadable[key] = result.values, result.unreadable.astype(bool)
    return parsed, unreadable


# --------------------------------------------------------------------------- showing values


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, list)) and pd.isna(value))


@functools.cache
def _shown_by(cls: type) -> ColumnType:
    """The type that shows values of a class: the one that lists it or its nearest base; else text."""
    owners = {c: kind for kind in TYPES.values() for c in kind.values}
    return next((owners[c] for c in cls.__mro__ if c in owners), text.TYPE)


def show(value: Any, fmt: str | None, lang: str, labels: Labels) -> str:
    """A value as a message shows it (``fmt``: the placeholder's format); (空) where blank."""
    if _blank(value):
        return t(lang, "blank")
    kind = _shown_by(type(value))
    return (kind.show or text.show)(value, fmt, lang, labels)


def to_json(value: Any, lang: str, labels: Labels) -> Any:
    """An observed value as plain JSON data: numbers stay numbers, dates become YYYY-MM-DD."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    kind = _shown_by(type(value))
    return (kind.to_json or text.to_json)(value, lang, labels)


def observed_text(value: Any, lang: str) -> str:
    """An observed value (as JSON has it) as report text: whole numbers without '.0', yes/no in the report's language."""
    if value is None:
        return ""
    kind = _shown_by(type(value))
    return (kind.to_text or text.to_text)(value, lang)
