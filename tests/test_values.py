"""Tests for rulecheck.table.values and the column types' parsers (rulecheck.table.types)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rulecheck.table.types.birth_date import parse_birth
from rulecheck.table.types.boolean import parse_boolean
from rulecheck.table.types.category import parse_category
from rulecheck.table.types.date import parse_date
from rulecheck.table.types.number import parse_number
from rulecheck.table.types.text import parse_text
from rulecheck.table.types.years import parse_years
from rulecheck.table.values import Parsed, blank_cells, cell_text, distinct, fold, fold_text, has_year, is_numeric_cell

ROLES = {
    "first-secretary": ["第一书记"],
    "secretary": ["书记", "党支部书记", "党总支书记", "党委书记", "村党组织书记"],
    "deputy": ["副书记"],
    "member": ["委员"],
}
SEX = {"male": ["男", "男性", "M", "male"], "female": ["女", "女性", "F", "female"]}
NA = object()  # marks an expected missing value


def cells(*values: object, index: list | None = None) -> pd.Series:
    return pd.Series(list(values), dtype=object, index=index)


def as_list(s: pd.Series) -> list:
    return [NA if pd.isna(v) else v for v in s]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# --- text ---------------------------------------------------------------


def test_fold_full_width_and_spaces() -> None:
    s = cells("１９６８．０５", "（ 党 员 ）", "a\u3000b\u00a0c\td", "  ", "", None)
    assert as_list(fold(s)) == ["1968.05", "(党员)", "abcd", NA, NA, NA]
    assert fold_text(" 出生\u3000年月（ｙ） ") == "出生年月(y)"


def test_cell_text_each_type() -> None:
    s = cells(
        "  a  b ", "Ａ", "", "   ", None, np.nan,
        19680512.0, 1968.1, 1968.05, 38, True, False,
        dt.date(2007, 10, 15), dt.datetime(2007, 10, 15), dt.datetime(2007, 10, 15, 9, 30), dt.time(9, 30),
    )
    assert as_list(cell_text(s)) == [
        "a  b", "A", NA, NA, NA, NA,
        "19680512", "1968.1", "1968.05", "38", "TRUE", "FALSE",
        "2007-10-15", "2007-10-15", "2007-10-15 09:30:00", "09:30:00",
    ]


def test_index_is_kept() -> None:
    s = cells("是", "否", "x", index=[7, 7, "a"])
    r = parse_boolean(s)
    assert list(r.values.index) == [7, 7, "a"] and list(r.unreadable.index) == [7, 7, "a"]
    assert list(cell_text(s).index) == [7, 7, "a"]


def test_is_numeric_cell() -> None:
    s = cells(1.5, 3, True, "3", None, dt.date(2000, 1, 1))
    assert is_numeric_cell(s).tolist() == [True, True, False, False, False, False]


def test_parse_text_never_unreadable() -> None:
    r = parse_text(cells(" 张三 ", 1.0, None))
    assert as_list(r.values) == ["张三", "1", NA]
    assert not r.unreadable.any()


# --- numbers and dates --------------------------------------------------


def test_parse_number() -> None:
    r = parse_number(cells("38", "38.5", "４０", "40㎡", "40平方米", 41, 2.5, "abc", True, None, "", "1.2.3"))
    assert as_list(r.values) == [38.0, 38.5, 40.0, 40.0, 40.0, 41.0, 2.5, NA, NA, NA, NA, NA]
    assert r.unreadable.tolist() == [False] * 7 + [True, True, False, False, True]
    assert r.values.dtype == "float64"


def test_parse_date() -> None:
    s = cells(
        dt.date(2007, 10, 15), dt.datetime(2007, 10, 15, 9), "2007-10-15", "2007/10/15", "2007.10.15",
        "2007年10月15日", "20071015", "2007-10-15 09:00", "２００７－１０－１５",
    )
    r = parse_date(s)
    assert r.values.tolist() == [ts("2007-10-15")] * len(s)
    assert not r.unreadable.any()
    assert r.values.dtype == "datetime64[ns]"


def test_other_scripts_digits_are_unreadable() -> None:
    s = cells("٢٠٠٥", "٢٠٠٥.٠٥", "٢٠٠٥-٠١-٠١", "٤٠")
    for result in (parse_years(s), parse_birth(s), parse_date(s), parse_number(s)):
        assert result.unreadable.all()


def test_parse_date_unreadable() -> None:
    r = parse_date(cells("2007-02-30", "2007-10", "2007年10月", "abc", dt.time(9), "1850-01-01", None, ""))
    assert r.values.isna().all()
    assert r.unreadable.tolist() == [True] * 6 + [False, False]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1968.05", "1968-05-01"),
        ("1968.5", "1968-05-01"),
        ("1968年5月", "1968-05-01"),
        ("1968年05月12日", "1968-05-12"),
        ("1968-05-12", "1968-05-12"),
        ("1968/5/12", "1968-05-12"),
        ("19680512", "1968-05-12"),
        ("196805", "1968-05-01"),
        (dt.date(1968, 5, 12), "1968-05-12"),
        (dt.datetime(1968, 5, 12), "1968-05-12"),
        (1968.05, "1968-05-01"),
        (1968.5, "1968-05-01"),
        (1968.11, "1968-11-01"),
        (1968.1, "1968-10-01"),  # Excel's remains of a typed 1968.10
        ("1968.1", "1968-01-01"),  # text is unambiguous
        ("1968.10", "1968-10-01"),
        (19680512.0, "1968-05-12"),
    ],
)
def test_parse_birth_forms(cell: object, expected: str) -> None:
    r = parse_birth(cells(cell))
    assert r.values.tolist() == [ts(expected)]
    assert not r.unreadable.any()


@pytest.mark.parametrize(
    ("cell", "id_birth", "expected"),
    [
        (1968.1, "1968-01-17", "1968-01-17"),
        (1968.1, "1968-10-05", "1968-10-05"),
        (1968.1, "1969-01-17", "1968-10-01"),
        ("1968.1", "1968-10-05", "1968-01-01"),
        ("1968.05", "1968-05-12", "1968-05-12"),
        ("1968.05", "1969-05-12", "1968-05-01"),
        ("1968年5月", "1968-05-12", "1968-05-12"),
        ("1968-05-03", "1968-05-12", "1968-05-03"),  # full dates are kept as written
        (dt.date(1968, 5, 1), "1968-05-12", "1968-05-01"),
    ],
)
def test_parse_birth_with_id_birth(cell: object, id_birth: str, expected: str) -> None:
    r = parse_birth(cells(cell), pd.Series([ts(id_birth)]))
    assert r.values.tolist() == [ts(expected)]


def test_parse_birth_vector_with_missing_id_birth() -> None:
    s = cells(1968.1, "1968.05", None, "1968.05", index=[3, 1, 2, 0])
    idb = pd.Series([ts("1968-01-17"), ts("1968-05-12"), pd.NaT, pd.NaT], index=[3, 1, 2, 0])
    r = parse_birth(s, idb)
    assert as_list(r.values) == [ts("1968-01-17"), ts("1968-05-12"), NA, ts("1968-05-01")]
    assert r.values.dtype == "datetime64[ns]"


def test_parse_birth_unreadable() -> None:
    r = parse_birth(cells("1968.13", "abc", "1968-02-30", "1968", "1850.05", "2200.01", "1968.0", None, ""))
    assert r.values.isna().all()
    assert r.unreadable.tolist() == [True] * 7 + [False, False]


# --- booleans and categories --------------------------------------------


def test_parse_boolean() -> None:
    true = ["是", "√", "✓", "✔", "Y", "y", "yes", "Yes", "YES", "true", "TRUE", "1", "有", "已", "已承诺", "对", True, 1, 1.0, "Ｙ"]
    false = ["否", "×", "✗", "✘", "x", "X", "N", "n", "no", "No", "NO", "false", "FALSE", "0", "无", "未", "没有", False, 0]
    r = parse_boolean(cells(*true, *false, " 是 ", "maybe", "2", None, ""))
    assert as_list(r.values) == [True] * len(true) + [False] * len(false) + [True, NA, NA, NA, NA]
    assert r.unreadable.tolist() == [False] * (len(true) + len(false) + 1) + [True, True, False, False]
    assert r.values.dtype == "boolean"


def test_parse_category_roles() -> None:
    s = cells("书记、主任", "副书记", "第一书记", "村委会主任", " 书 记 ", "书　记", "党支部书记", "委员兼副书记",
              "书记 主任", "“书记”", "《委员》", "副书记/委员", None, "")
    r = parse_category(s, ROLES)
    assert as_list(r.values) == ["secretary", "deputy", "first-secretary", NA, "secretary", "secretary", "secretary",
                                 "deputy", "secretary", "secretary", "member", "deputy", NA, NA]
    assert r.unreadable.tolist() == [False, False, False, True] + [False] * 10


def test_parse_category_quotes() -> None:
    r = parse_category(cells("“两推一考”", "「两推一考」", "两推一考", "公推直选"), {"tpot": ["两推一考"]})
    assert as_list(r.values) == ["tpot", "tpot", "tpot", NA]
    assert r.unreadable.tolist() == [False, False, False, True]


def test_parse_category_sex() -> None:
    r = parse_category(cells("男", "女性", "m", "MALE", "Ｆ", "Female", " 女 ", "男女", "x", None), SEX)
    assert as_list(r.values) == ["male", "female", "male", "male", "female", "female", "female", NA, NA, NA]
    assert r.unreadable.tolist() == [False] * 7 + [True, True, False]


def test_parse_category_repeated_index() -> None:
    r = parse_category(cells("书记、主任", "委员", "乡长", index=[0, 0, 0]), ROLES)
    assert as_list(r.values) == ["secretary", "member", NA]
    assert list(r.values.index) == [0, 0, 0]


# --- years --------------------------------------------------------------


def test_parse_years() -> None:
    s = cells("2005、2006", "2005,2006", "2005，2006", "2005年 2006年", "2005年、2007年", 2005, 2005.0, "2005-2006",
              "2006、2005、2006", "2005-2007", "无", "没有", "-", "—", "/", "否", "abc", "12", None, "")
    r = parse_years(s)
    assert as_list(r.values) == (
        [",2005,2006,"] * 4 + [",2005,2007,"] + [",2005,"] * 2 + [",2005,2006,"] * 2 + [",2005,2006,2007,"] + [NA] * 10
    )
    assert r.unreadable.tolist() == [False] * 16 + [True, True, False, False]


def test_has_year() -> None:
    years = parse_years(cells("2005、2006", "2016", None, "2006")).values
    assert has_year(years, 2006).tolist() == [True, False, False, True]
    assert has_year(years, pd.Series([2005, 2016, 2016, np.nan])).tolist() == [True, True, False, False]
    assert has_year(years, pd.Series([2006.0, 2006.0, 2006.0, 2006.0])).tolist() == [True, False, False, True]


# --- properties ---------------------------------------------------------

CELL = st.one_of(st.text(), st.floats(allow_nan=False), st.none(), st.integers(), st.booleans(), st.dates())


@settings(max_examples=200)
@given(st.lists(CELL, max_size=8))
def test_parsers_never_raise(values: list) -> None:
    s = pd.Series(values, dtype=object)
    for result in (parse_birth(s), parse_date(s), parse_years(s), parse_category(s, ROLES), parse_number(s),
                   parse_boolean(s), parse_category(s, SEX)):
        assert len(result.values) == len(s) == len(result.unreadable)
        assert not (result.values.notna() & result.unreadable).any()
    parse_birth(s, pd.Series(pd.NaT, index=s.index))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_round_trip(d: dt.date) -> None:
    r = parse_date(cells(d.strftime("%Y-%m-%d"), d.strftime("%Y年%m月%d日"), d))
    assert r.values.tolist() == [pd.Timestamp(d)] * 3


# Whitespace as offices type it: ideographic and no-break spaces, tabs, zero-width characters (not whitespace).
SPACES = st.text(st.sampled_from(" \t\n\u3000\u00a0\u2003\u200b\ufeff"), max_size=4)
CELL_OR_SPACE = st.one_of(CELL, SPACES, st.just(float("nan")), st.just(pd.NaT))


@settings(max_examples=200)
@given(st.lists(CELL_OR_SPACE, max_size=12))
def test_blank_cells_are_those_without_text(values: list) -> None:
    # blank() reads blank_cells instead of making the cell text: they must agree on every cell.
    s = pd.Series(values, dtype=object)
    assert blank_cells(s.to_numpy(dtype=object)).tolist() == cell_text(s).isna().tolist()


def test_blank_cells_of_every_type_a_cell_can_hold() -> None:
    # calamine's types are told by their exact type; str subclasses and numpy or pandas scalars by pandas.
    import decimal

    cells = [None, "", " ", "\u3000\t", "a", " a ", 1.0, float("nan"), np.float64("nan"), np.float64(0), 0, True,
             dt.datetime(2020, 1, 1), dt.date(2020, 1, 1), dt.time(1), dt.timedelta(0), pd.NaT, np.datetime64("NaT"),
             np.str_(" "), np.str_("x"), decimal.Decimal("NaN"), pd.Timestamp("2020-01-01"), np.int64(0)]
    blank = [1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0]
    grid = np.array(cells, dtype=object)
    assert blank_cells(grid).astype(int).tolist() == blank
    assert blank_cells(grid[:20].reshape(4, 5)).astype(int).tolist() == np.reshape(blank[:20], (4, 5)).tolist()
    assert blank_cells(np.zeros((0, 3), dtype=object)).shape == (0, 3)


def _kinds(column: pd.Series) -> Parsed:
    """A row-local parse that shows each cell's kind and text: distinct must hand it a cell that reads as the row's."""
    from rulecheck.table.values import _kind

    text = cell_text(column)
    shown = pd.Series([None if pd.isna(t) else f"{_kind(x)}:{t}" for x, t in zip(column, text)], index=column.index, dtype=object)
    return Parsed(shown, shown.isna())


# Text repeated as slates repeat it, blanks of both kinds, and numbers equal to one another (1 == 1.0 == True).
REPEATED = st.one_of(st.sampled_from(["书记", "委员", "", " ", "1", "是"]), st.none(), st.just(float("nan")),
                     st.sampled_from([1, 1.0, True, 0, False, -0.0, 0.0]))


@settings(max_examples=300)
@given(st.lists(REPEATED, max_size=30), st.booleans())
@example([0, -0.0], False)  # pd.to_numeric once made these the integers 0 and 0: -0.0 read as "0"
@example(["书记", None, float("nan"), "书记", ""], True)
def test_distinct_gives_what_parsing_every_cell_gives(cells: list, text_only: bool) -> None:
    if text_only:  # the path for columns of text and blanks only
        cells = [c for c in cells if c is None or isinstance(c, str) or (isinstance(c, float) and np.isnan(c))]
    column = pd.Series(cells * 3, dtype=object, index=pd.RangeIndex(5, 5 + 3 * len(cells)))
    got, want = distinct(_kinds, column), _kinds(column)
    assert got.values.tolist() == want.values.tolist() and got.values.index.equals(column.index)
    assert got.unreadable.tolist() == want.unreadable.tolist()
