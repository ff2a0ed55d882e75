"""The rule language: parsing, type checking and column-wise evaluation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulecheck.lang import expr
from rulecheck.lang.expr import BOOL, DATE, NUMBER, TEXT, YEARS, Kind, Scope, Type

ROLE = Type("category", frozenset({"secretary", "member"}))
NAMES = {
    "age": Kind(NUMBER), "name": Kind(TEXT), "born": Kind(DATE), "retained": Kind(BOOL), "years": Kind(YEARS),
    "role": Kind(ROLE), "limit": Kind(NUMBER, "scalar"), "as_of": Kind(DATE, "scalar"),
}
ROWS = Scope(NAMES, frozenset({"age", "name", "born", "retained", "years", "role"}))
GROUPS = Scope(NAMES, ROWS.columns, grouped=True)


def kind(text: str, scope: Scope = ROWS) -> Kind:
    return expr.check(expr.parse(text), scope)


def error(text: str, scope: Scope = ROWS) -> str:
    with pytest.raises(expr.ExprError) as exc:
        expr.check(expr.parse(text), scope)
    return exc.value.message


def test_precedence() -> None:
    node = expr.parse("not a or b and c == 1 + 2 * 3")
    assert isinstance(node, expr.Binary) and node.op == "or"
    assert isinstance(node.left, expr.Unary)
    right = node.right
    assert isinstance(right, expr.Binary) and right.op == "and"
    compare = right.right
    assert isinstance(compare, expr.Binary) and compare.op == "=="
    total = compare.right
    assert isinstance(total, expr.Binary) and total.op == "+"
    assert isinstance(total.right, expr.Binary) and total.right.op == "*"


@pytest.mark.parametrize(("text", "message", "pos"), [
    ("age >", "expected a value, found end of expression", 5),
    ("age > 3 3", "unexpected '3' after a complete expression", 8),
    ("mean(age", "expected ')', found end of expression", 8),
    ("age ; 1", "unexpected character ';'", 4),
    ("role not 1", "unexpected 'not' after a complete expression", 5),
])
def test_syntax_errors_say_where(text: str, message: str, pos: int) -> None:
    with pytest.raises(expr.ExprError) as exc:
        expr.parse(text)
    assert (exc.value.message, exc.value.pos) == (message, pos)


def test_types() -> None:
    assert kind("age >= limit and retained") == Kind(BOOL, "row")
    assert kind("mean(age, role == 'secretary') > limit", GROUPS) == Kind(BOOL, "group")
    assert kind("limit * 2") == Kind(NUMBER, "scalar")
    assert kind("date(2007, 10, 20)") == Kind(DATE, "scalar")
    assert kind("role in ['secretary', 'member']") == Kind(BOOL, "row")


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
])
def test_type_errors(text: str, scope: Scope, message: str) -> None:
    assert error(text, scope).startswith(message)


def test_no_python_is_ever_run() -> None:
    with pytest.raises(expr.ExprError):
        expr.check(expr.parse("__import__('os').system('touch pwned')"), ROWS)
    with pytest.raises(expr.ExprError):
        expr.parse("age.__class__")


def _ctx(frame: pd.DataFrame, codes: list[int] | None = None) -> expr.Context:
    ctx = expr.Context(frame.index, dt.date(2007, 10, 20), values={c: frame[c] for c in frame} | {"limit": 30.0})
    if codes is not None:
        ctx.codes, ctx.groups = pd.Series(codes, index=frame.index), max(codes) + 1
    return ctx


def evaluate(text: str, frame: pd.DataFrame, codes: list[int] | None = None) -> list[object]:
    value = expr.evaluate(expr.parse(text), _ctx(frame, codes))
    return value.tolist() if isinstance(value, pd.Series) else value


def test_missing_values_make_comparisons_false() -> None:
    frame = pd.DataFrame({"age": [30.0, np.nan, 40.0], "name": ["a", None, "c"]})
    assert evaluate("age > limit", frame) == [False, False, True]
    assert evaluate("age != limit", frame) == [False, False, True]  # pandas alone says NaN != 30 is True
    assert evaluate("name != 'a'", frame) == [False, False, True]
    assert evaluate("not age > limit", frame) == [True, True, False]
    assert evaluate("age not in [30, 40]", frame) == [False, False, False]


def test_age_counts_completed_years() -> None:
    frame = pd.DataFrame({"born": pd.to_datetime(["1962-10-20", "1962-10-21", "1960-02-29", None])})
    assert evaluate("age(born)", frame)[:3] == [45.0, 44.0, 47.0]
    assert np.isnan(evaluate("age(born)", frame)[3])


def test_aggregates_see_groups_with_no_matching_row() -> None:
    frame = pd.DataFrame({"age": [30.0, 50.0, 60.0, 40.0], "role": ["secretary", "member", "member", "secretary"]})
    codes = [0, 0, 1, 2]
    assert evaluate("count(role == 'secretary')", frame, codes) == [1.0, 0.0, 1.0]
    assert evaluate("mean(age, role == 'secretary')", frame, codes)[::2] == [30.0, 40.0]
    assert np.isnan(evaluate("mean(age, role == 'secretary')", frame, codes)[1])
    assert evaluate("any(age < 35)", frame, codes) == [True, False, False]
    assert evaluate("all(age < 55, role == 'member')", frame, codes) == [True, False, True]
    shares = evaluate("share(age <= 35, role == 'secretary')", frame, codes)
    assert shares[0] == 1.0 and np.isnan(shares[1]) and shares[2] == 0.0


def test_division_by_a_zero_column_is_missing_not_infinite() -> None:
    frame = pd.DataFrame({"age": [1.0, 0.0]})
    result = evaluate("limit / age", frame)
    assert result[0] == 30.0 and np.isnan(result[1])


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["甲", "乙", "丙", None]), st.booleans()), max_size=30))
def test_group_counts_agree_with_pandas(rows: list[tuple[int, str | None, bool]]) -> None:
    # Groups 0..5, so the last is always empty: counted 0, never dropped.
    codes = pd.Series([r[0] for r in rows], dtype=np.int64)
    values = pd.Series([r[1] for r in rows], dtype=object)
    mask = pd.Series([r[2] for r in rows], dtype=bool)
    counted = expr.group_count(codes, 6, mask)
    distinct = expr.group_distinct(codes, 6, values)
    assert counted.tolist() == mask.groupby(codes).sum().reindex(range(6), fill_value=0).astype(float).tolist()
    assert distinct.tolist() == values.groupby(codes).nunique().reindex(range(6), fill_value=0).astype(float).tolist()
