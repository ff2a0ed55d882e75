"""The value types of rule expressions and the static kind of an expression (type and level).

Values live at one of three levels: ``scalar`` (a parameter, a literal, the as-of day),
``row`` (one value per candidate row: a column or a derived field) and ``group`` (one value per
village or township: the result of an aggregate such as ``mean(age, role == "secretary")``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BOOL", "DATE", "LEVELS", "NUMBER", "TEXT", "YEARS", "Kind", "Scope", "Type", "comparable"]


@dataclass(frozen=True)
class Type:
    """A value type; a ``category`` carries its allowed values."""

    name: str
    values: frozenset[str] = frozenset()

    def __str__(self) -> str:
        if self.name == "category":
            return "category(" + ", ".join(sorted(self.values)) + ")"
        return self.name


NUMBER, TEXT, DATE, BOOL, YEARS = (Type(n) for n in ("number", "text", "date", "bool", "years"))
LEVELS = ("scalar", "row", "group")


@dataclass(frozen=True)
class Kind:
    """The static type of an expression: its value type and its level."""

    type: Type
    level: str = "row"


@dataclass(frozen=True)
class Scope:
    """The names an expression may use, which of them are columns, and whether aggregates are allowed."""

    names: dict[str, Kind]
    columns: frozenset[str] = frozenset()
    grouped: bool = False


def comparable(a: Type, b: Type) -> bool:
    """Whether values of two types may be compared: a category with text (its values), otherwise one type."""
    if a.name == "category" or b.name == "category":
        return {a.name, b.name} <= {"category", "text"}
    return a == b
