"""Type checking of rule expressions (rulecheck.lang.typecheck over rulecheck.lang.types)."""

from __future__ import annotations

import pytest

from lang_scopes import GROUPS, ROLE, ROWS
from rulecheck.lang import BOOL, DATE, NUMBER, TEXT, ExprError, Kind, Scope, Type, check, comparable, parse


def kind(text: str, scope: Scope = ROWS) -> Kind:
    return check(parse(text), scope)


def error(text: str, scope: Scope = ROWS) -> str:
    with pytest.raises(ExprError) as exc:
        check(parse(text), scope)
    return exc.value.message


def test_types() -> None:
    assert kind("age >= limit and retained") == Kind(BOOL, "row")
    assert kind("mean(age, role == 'secretary') > limit", GROUPS) == Kind(BOOL, "group")
    assert kind("limit * 2") == Kind(NUMBER, "scalar")
    assert kind("date(2007, 10, 20)") == Kind(DATE, "scalar")
    assert kind("role in ['secretary', 'member']") == Kind(BOOL, "row")
    assert kind("min(born)", GROUPS) == Kind(DATE, "group")  # min and max keep their argument's type
    assert kind("id_sex(name)").type.values == frozenset({"male", "female"})


@pytest.mark.parametrize(("text", "scope", "message"), [
    ("age > name", ROWS, "cannot compare number with text"),
    ("name == 3", ROWS, "cannot compare text with number"),
    ("age / 0", ROWS, "division by zero"),
    ("avg(age)", ROWS, "unknown function 'avg'; functions: age, all, any,"),
    ("agee > 1", ROWS, "unknown name 'agee'; known names: age, as_of,"),
    ("role == 'secretry'", ROWS, "'secretry' is not one of the values: member, secretary"),
    ("role > 'member'", ROWS, "'>' does not order category"),
    ("mean(age) > 1", ROWS, "mean() is an aggregate: use it in a village or township rule"),
    ("mean(age) > age", GROUPS, "a per-row value is mixed with a per-group value"),
    ("mean(mean(age))", GROUPS, "mean() cannot take a per-group value"),
    ("age and retained", ROWS, "'and' needs true/false values, not number"),
    ("not age", ROWS, "'not' needs a bool, not number"),
    ("age(name)", ROWS, "age() argument 1 must be date, not text"),
    ("blank(limit)", ROWS, "blank() takes the name of a column; columns: age, born,"),
    ("date('2007-13-01')", ROWS, "'2007-13-01' is not a date in the form YYYY-MM-DD"),
    ("count(retained, retained)", GROUPS, "count() takes 0 to 1 argument(s), got 2"),
    ("coalesce(age, name)", ROWS, "coalesce() needs two values of one type, not number and text"),
    ("id_valid(age)", ROWS, "id_valid() argument 1 must be text, not number"),
])
def test_type_errors(text: str, scope: Scope, message: str) -> None:
    assert error(text, scope).startswith(message)


def test_no_python_is_ever_run() -> None:
    with pytest.raises(ExprError):
        check(parse("__import__('os').system('touch pwned')"), ROWS)


def test_a_category_compares_with_text_only() -> None:
    assert comparable(ROLE, TEXT) and comparable(TEXT, ROLE) and comparable(ROLE, ROLE)
    assert not comparable(ROLE, NUMBER) and not comparable(NUMBER, TEXT)
    assert str(ROLE) == "category(member, secretary)" and str(Type("years")) == "years"
