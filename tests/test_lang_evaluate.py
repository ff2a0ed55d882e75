"""Evaluating rule expressions (rulecheck.lang.evaluate): missing values, the Context, cell text and the
identity-number checks a context hands to the id_*() functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lang_scopes import AS_OF, context, values
from rulecheck.lang import CellText, Context, IdNumbers, TextColumns, evaluate, parse
from rulecheck.table import idnumber

VALID = "11010519491231002X"  # a well-formed number with its check digit (born 1949-12-31, female)
WRONG_DIGIT = "110105194912310021"


def test_missing_values_make_comparisons_false() -> None:
    frame = pd.DataFrame({"age": [30.0, np.nan, 40.0], "name": ["a", None, "c"]})
    assert values("age > limit", frame) == [False, False, True]
    assert values("age != limit", frame) == [False, False, True]  # pandas alone says NaN != 30 is True
    assert values("name != 'a'", frame) == [False, False, True]
    assert values("not age > limit", frame) == [True, True, False]
    assert values("age not in [30, 40]", frame) == [False, False, False]


def test_division_by_a_zero_column_is_missing_not_infinite() -> None:
    frame = pd.DataFrame({"age": [1.0, 0.0]})
    result = values("limit / age", frame)
    assert result[0] == 30.0 and np.isnan(result[1])  # type: ignore[index]


def test_a_rules_context_shares_all_but_the_values() -> None:
    frame = pd.DataFrame({"age": [30.0, 50.0]})
    made = []
    ctx = context(frame)
    ctx.lazy["old"] = lambda: made.append(1) or frame["age"] > 40
    rule = ctx.with_values({**ctx.values, "limit": 45.0})
    assert evaluate(parse("old and age > limit"), rule).tolist() == [False, True]
    assert evaluate(parse("old"), rule).tolist() == [False, True]
    assert made == [1]  # a derived field is made on first use, then kept
    assert ctx.values["limit"] == 30.0 and "old" not in ctx.values  # the rule's values are its own
    assert (rule.lazy, rule.raw, rule.unreadable, rule.id_numbers) == (ctx.lazy, ctx.raw, ctx.unreadable, ctx.id_numbers)
    assert rule.id_numbers is ctx.id_numbers


# --------------------------------------------------------------------------- cell text


class _Counted(CellText):
    """Cell text that counts what is asked of it, as the engine's lazy text would be asked."""

    def __init__(self, columns: dict[str, pd.Series]):
        self.columns, self.asked = columns, []

    def __getitem__(self, column: str) -> pd.Series:
        self.asked.append(("text", column))
        return self.columns[column]

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def blank(self, column: str) -> pd.Series:
        self.asked.append(("blank", column))
        return self.columns[column].isna()


def test_blank_and_raw_read_the_cell_text_they_are_given() -> None:
    frame = pd.DataFrame({"age": [30.0, np.nan, np.nan]})
    text = _Counted({"age": pd.Series(["30", "三十", None])})
    ctx = context(frame, raw=text)
    assert evaluate(parse("blank(age)"), ctx).tolist() == [False, False, True]
    assert text.asked == [("blank", "age")]  # blank() asks the text's own test: no text made for it
    shown = evaluate(parse("raw(age)"), ctx)
    assert shown.tolist()[:2] == ["30", "三十"] and pd.isna(shown.iloc[2])


def test_a_context_at_some_rows_takes_the_cell_text_there() -> None:
    frame = pd.DataFrame({"age": [30.0, 40.0, 50.0]})
    ctx = context(frame, raw=TextColumns({"age": pd.Series(["30", "40", "五十"])}))
    at = ctx.at(np.array([2, 0]))
    assert evaluate(parse("raw(age)"), at).tolist() == ["五十", "30"]
    assert evaluate(parse("age > limit"), at).tolist() == [True, False]
    assert evaluate(parse("blank(age)"), at).tolist() == [False, False]
    assert isinstance(ctx.raw, CellText) and isinstance(Context(frame.index, ctx.as_of).raw, CellText)


# --------------------------------------------------------------------------- identity numbers


def test_a_column_of_identity_numbers_is_checked_once_for_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = pd.Series([VALID, WRONG_DIGIT, None])
    checks = []
    real = idnumber.check

    def check(raw: pd.Series, normalised: bool = False) -> idnumber.Checked:
        checks.append(len(raw))
        return real(raw, normalised)

    monkeypatch.setattr(idnumber, "check", check)
    base = context(pd.DataFrame({"name": ids}))
    first = base.with_values(dict(base.values))
    second = base.with_values(dict(base.values))
    assert evaluate(parse("id_valid(name)"), first).tolist() == [True, False, False]
    problems = evaluate(parse("id_problem(name)"), second)
    assert pd.isna(problems.iloc[0]) and problems.iloc[1] == "check-digit" and pd.isna(problems.iloc[2])
    assert evaluate(parse("id_sex(name)"), second).tolist()[0] == "female"
    assert checks == [3]  # one check, shared by every context made from the base
    assert isinstance(base.id_numbers["name"], IdNumbers)


def test_checks_handed_in_are_used_and_a_let_of_the_same_name_gets_its_own() -> None:
    ids = pd.Series([VALID, "x"])
    ready = IdNumbers(ids, idnumber.check(ids), birth=pd.Series(pd.to_datetime(["2000-01-01", None])))
    ctx = Context(ids.index, AS_OF, {"name": ids}, id_numbers={"name": ready})
    # the birth date handed in (as the engine hands in the one it read birth dates with) is the one used
    assert evaluate(parse("id_birth(name)"), ctx).tolist()[0] == pd.Timestamp("2000-01-01")
    shadowed = ctx.with_values({**ctx.values, "name": pd.Series(["x", VALID])})  # a rule's let named "name"
    assert evaluate(parse("id_valid(name)"), shadowed).tolist() == [False, True]
    assert evaluate(parse("id_birth(name)"), shadowed).tolist()[1] == pd.Timestamp("1949-12-31")
