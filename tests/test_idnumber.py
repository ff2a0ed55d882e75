"""Tests for rulecheck.table.idnumber."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulecheck.table.idnumber import birth, check_character, normalise, problem, sex, valid

EXAMPLE = "11010519491231002X"  # the worked example of GB 11643-1999
NA = object()


def cells(*values: object, index: list | None = None) -> pd.Series:
    return pd.Series(list(values), dtype=object, index=index)


def as_list(s: pd.Series) -> list:
    return [NA if pd.isna(v) else v for v in s]


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_check_character() -> None:
    assert check_character(EXAMPLE[:17]) == "X"
    assert check_character("11010519491231001") == "1"
    assert check_character("44052418800101001") == "4"  # another published example
    with pytest.raises(ValueError):
        check_character("1234")


def test_worked_example() -> None:
    s = cells(EXAMPLE)
    assert problem(s).tolist() == [""]
    assert valid(s).tolist() == [True]
    assert birth(s).tolist() == [pd.Timestamp("1949-12-31")]
    assert sex(s).tolist() == ["female"]


def test_normalise() -> None:
    s = cells("11010519491231002x", " 110105 19491231002X ", "１１０１０５１９４９１２３１００２Ｘ", 110105491231002.0, None, "")
    assert as_list(normalise(s)) == [EXAMPLE, EXAMPLE, EXAMPLE, "110105491231002", NA, NA]


def test_problems() -> None:
    bad_date = with_check("11010519490230002")  # 30 February, correct check digit
    s = cells(
        EXAMPLE, "110105194912310020", "11010519491231002x", "110105491231002", 110105491231002.0,
        3.20682196805121e17, "3.20682E+17", "3.20682196805121e+17", 1234567890123456.0,
        "1101051949123100", "abc", "11010519491231002A", "1101054912310A2", bad_date, "110105491330002",
        with_check("11010518991231001"), None, "", "  ",
    )
    assert as_list(problem(s)) == [
        "", "check-digit", "", "", "",
        "stored-as-number", "stored-as-number", "stored-as-number", "stored-as-number",
        "length", "length", "characters", "characters", "date", "date",
        "date", NA, NA, NA,
    ]
    assert valid(s).tolist() == [True, False, True, True, True] + [False] * 14


def test_birth_and_sex() -> None:
    male = with_check("11010519800229001")
    s = cells(EXAMPLE, "110105491231002", "110105491231003", male, "110105194912310020", None, index=[5, 5, "a", 0, 1, 2])
    assert as_list(birth(s)) == [pd.Timestamp("1949-12-31")] * 3 + [pd.Timestamp("1980-02-29"), NA, NA]
    assert as_list(sex(s)) == ["female", "female", "male", "male", NA, NA]
    assert list(birth(s).index) == [5, 5, "a", 0, 1, 2]
    assert birth(s).dtype == "datetime64[ns]"


@settings(max_examples=200)
@given(st.lists(st.one_of(st.text(), st.floats(allow_nan=False), st.none(), st.integers()), max_size=8))
def test_never_raises(values: list) -> None:
    s = pd.Series(values, dtype=object)
    p = problem(s)
    assert len(p) == len(birth(s)) == len(sex(s)) == len(s)
    assert set(p.dropna()) <= {"", "stored-as-number", "length", "characters", "date", "check-digit"}


@given(
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_round_trip(region: str, born: dt.date, sequence: str) -> None:
    number = with_check(region + born.strftime("%Y%m%d") + sequence)
    s = cells(number, number.lower())
    assert valid(s).tolist() == [True, True]
    assert birth(s).tolist() == [pd.Timestamp(born)] * 2
    assert sex(s).tolist() == ["male" if int(sequence[-1]) % 2 else "female"] * 2
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert problem(cells(wrong)).tolist() == ["check-digit"]
