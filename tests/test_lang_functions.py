"""The functions of the rule language (rulecheck.lang.functions): the registry by family, dates, aggregates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lang_scopes import values
from rulecheck.lang import FUNCTIONS, Function, group_count, group_distinct
from rulecheck.lang.functions import FAMILIES


def test_every_function_is_in_exactly_one_family() -> None:
    listed = [name for family in FAMILIES.values() for name in family]
    assert sorted(listed) == sorted(FUNCTIONS) and len(listed) == len(set(listed))
    assert all(isinstance(fn, Function) and fn.summary for fn in FUNCTIONS.values())
    assert {n for n, fn in FUNCTIONS.items() if fn.aggregate} == set(FAMILIES["groups"])
    assert {n for n, fn in FUNCTIONS.items() if fn.identity_numbers} == set(FAMILIES["identity"])


def test_age_counts_completed_years() -> None:
    frame = pd.DataFrame({"born": pd.to_datetime(["1962-10-20", "1962-10-21", "1960-02-29", None])})
    ages = values("age(born)", frame)
    assert ages[:3] == [45.0, 44.0, 47.0]  # type: ignore[index]
    assert np.isnan(ages[3])  # type: ignore[index]
    assert values("year(born)", frame)[:1] == [1962.0]  # type: ignore[index]
    assert values("age(date(1962, 10, 21))", frame) == 44.0


def test_coalesce_and_present() -> None:
    frame = pd.DataFrame({"born": pd.to_datetime(["1962-10-20", None]), "age": [1.0, np.nan]})
    assert values("present(age)", frame) == [True, False]
    assert values('coalesce(born, date("1970-01-01"))', frame) == [pd.Timestamp("1962-10-20"), pd.Timestamp("1970-01-01")]


def test_aggregates_see_groups_with_no_matching_row() -> None:
    frame = pd.DataFrame({"age": [30.0, 50.0, 60.0, 40.0], "role": ["secretary", "member", "member", "secretary"]})
    codes = [0, 0, 1, 2]
    assert values("count(role == 'secretary')", frame, codes) == [1.0, 0.0, 1.0]
    assert values("mean(age, role == 'secretary')", frame, codes)[::2] == [30.0, 40.0]  # type: ignore[index]
    assert np.isnan(values("mean(age, role == 'secretary')", frame, codes)[1])  # type: ignore[index]
    assert values("any(age < 35)", frame, codes) == [True, False, False]
    assert values("all(age < 55, role == 'member')", frame, codes) == [True, False, True]
    assert values("distinct(role)", frame, codes) == [2.0, 1.0, 1.0]
    assert values("max(age)", frame, codes) == [50.0, 60.0, 40.0]
    shares = values("share(age <= 35, role == 'secretary')", frame, codes)
    assert shares[0] == 1.0 and np.isnan(shares[1]) and shares[2] == 0.0  # type: ignore[index]


@settings(max_examples=100)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["甲", "乙", "丙", None]), st.booleans()), max_size=30))
def test_group_counts_agree_with_pandas(rows: list[tuple[int, str | None, bool]]) -> None:
    # Groups 0..5, so the last is always empty: counted 0, never dropped.
    codes = pd.Series([r[0] for r in rows], dtype=np.int64)
    column = pd.Series([r[1] for r in rows], dtype=object)
    mask = pd.Series([r[2] for r in rows], dtype=bool)
    counted = group_count(codes, 6, mask)
    distinct = group_distinct(codes, 6, column)
    assert counted.tolist() == mask.groupby(codes).sum().reindex(range(6), fill_value=0).astype(float).tolist()
    assert distinct.tolist() == column.groupby(codes).nunique().reindex(range(6), fill_value=0).astype(float).tolist()


YEAR_LIST = st.one_of(st.none(), st.lists(st.integers(2003, 2009), max_size=4).map(
    lambda ys: "," + ",".join(str(y) for y in sorted(set(ys))) + "," if ys else None))


@settings(max_examples=200, deadline=None)
@given(st.lists(YEAR_LIST, min_size=1, max_size=20), st.integers(2002, 2008), st.integers(0, 3))
def test_consecutive_years_within_a_window(lists: list[str | None], first: int, width: int) -> None:
    # Each distinct list is searched once per year of the window: the answer must be the row-by-row one.
    last = first + width
    frame = pd.DataFrame({"years": pd.Series(lists, dtype=object)})
    got = values(f"consecutive_years(years, {first}, {last})", frame)

    def expected(text: str | None) -> bool:
        held = {int(y) for y in (text or "").strip(",").split(",") if y}
        return any(y in held and y + 1 in held for y in range(first, last))

    assert got == [expected(t) for t in lists]
