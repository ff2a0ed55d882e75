"""The group numbering and the files of each group, made as integer work (issue 9's speed), against what they replace.

Group numbers must be those pandas' groupby gives (groups sorted by their folded keys, blank last, a key
blank everywhere ignored): the order of township statistics and of group findings depends on them.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulecheck.engine import SheetInfo, Table, _Grouping, _group_codes, _key_hashes, _value_hashes
from rulecheck.lang.evaluate import TextColumns

# Names that sort apart by code point, full-width and ASCII among them, and blanks of both kinds.
NAMES = st.sampled_from([None, np.nan, "丁堰镇", "城关镇", "东村", "a", "B", "b", "10", "9", "Ａ"])


def _table(columns: dict[str, list[object]], sheet_of: list[int] | None = None, files: list[str] | None = None) -> Table:
    size = len(next(iter(columns.values())))
    sheet_of = sheet_of or [0] * size
    files = files or ["a.xlsx"]
    sheets = tuple(SheetInfo(f, "名单", {}, frozenset()) for f in files)
    matched = {k: pd.Series(v, dtype=object) for k, v in columns.items()}
    return Table(np.asarray(sheet_of, dtype=np.int64), np.arange(size, dtype=np.int64) + 4, {}, {}, TextColumns(), sheets,
                 "name", matched=matched)


def _groupby(columns: dict[str, list[object]], keys: list[str]) -> np.ndarray:
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    used = [k for k in keys if not frame[k].isna().all()] or keys
    return frame.groupby(used, dropna=False, sort=True).ngroup().to_numpy()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.fixed_dictionaries({k: st.lists(NAMES, min_size=n, max_size=n)
                                                                      for k in ("county", "township", "village")})))
def test_group_numbers_are_those_of_a_sorted_groupby(columns: dict[str, list[object]]) -> None:
    known: dict[str, tuple[np.ndarray, int]] = {}  # shared between the scopes, as combine shares it
    for keys in (["county", "township", "village"], ["county", "township"], ["village", "county"]):
        codes, count = _group_codes(_table(columns), keys, known)
        expected = _groupby(columns, keys)
        assert codes.tolist() == expected.tolist()
        assert count == expected.max() + 1


def test_a_key_blank_everywhere_neither_splits_nor_orders() -> None:
    columns = {"county": [None, None, None], "township": ["乙镇", "甲镇", "乙镇"]}
    codes, count = _group_codes(_table(columns), ["county", "township"])
    assert codes.tolist() == [0, 1, 0] and count == 2  # 乙 (U+4E59) sorts before 甲 (U+7532)


def test_numbers_that_would_overflow_are_renumbered_first() -> None:
    # Four keys of 1,500 distinct names each: 1,501⁴ ≈ 5·10¹² fits, but the product is checked before
    # every join; with many more keys it would pass 2⁶², and the joined numbers are renumbered instead.
    size = 1500
    columns = {f"k{i}": [f"{(j * (i + 7)) % size:04d}" for j in range(size)] for i in range(8)}
    codes, count = _group_codes(_table(columns), list(columns))
    assert codes.tolist() == _groupby(columns, list(columns)).tolist() and count == size


def test_a_groups_files_are_named_once_each_in_the_order_read() -> None:
    # Rows of village 0 come from b.xlsx (two sheets of it) and a.xlsx; village 1 from a.xlsx alone.
    table = _table({"village": ["东村", "东村", "西村", "东村"]}, sheet_of=[0, 1, 2, 2],
                   files=["b.xlsx", "b.xlsx", "a.xlsx"])
    grouping = _Grouping(table, pd.Series([0, 0, 1, 0]), 2)
    assert grouping.files_of(np.array([0, 1])) == [("b.xlsx", "a.xlsx"), ("a.xlsx",)]
    assert grouping.files_of(np.array([1])) == [("a.xlsx",)]
    assert grouping.files_of(np.array([], dtype=np.int64)) == []


def _collector(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_the_command_starts_with_the_collector_off_and_a_batch_process_turns_it_on() -> None:
    # rulecheck.__main__.run turns it off before importing the command line; the batch process a check
    # forks turns it on again (its many objects are collected as usual), the parent leaves it off.
    out = _collector(
        "import gc, sys\n"
        "import rulecheck.__main__ as entry\n"
        "from rulecheck.run import processes\n"
        "seen = {}\n"
        "def main():\n"
        "    seen['start'] = gc.isenabled()\n"
        "    job = lambda batch, crashed, order, mark: (gc.isenabled(), {})\n"
        "    runner = processes.Runner(job, 1)\n"
        "    seen['batch'] = next(runner.run([[]]))[0]\n"
        "    runner.stop()\n"
        "    seen['after'] = gc.isenabled()\n"
        "import rulecheck.cli\n"
        "rulecheck.cli.main = main\n"
        "entry.run()\n"
        "print(seen['start'], seen['batch'], seen['after'])\n"
    )
    assert out == "False True False"


def test_a_command_word_turns_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # serve runs for hours: a command word (serve, template, …) runs with the collector on.
    from rulecheck import cli, commands
    from rulecheck.render import i18n

    seen = []

    class Probe:
        def main(self, **_: object) -> int:
            seen.append(gc.isenabled())
            return 0

    monkeypatch.setattr(commands, "load", lambda word: Probe())
    monkeypatch.setattr(i18n, "localize", lambda command, *a, **k: command)
    gc.disable()
    try:
        assert cli._invoke(["schema"]) == 0
    finally:
        gc.enable()
    assert seen == [True]


# --------------------------------------------------------------------------- duplicate-person keys


KEY_VALUES = st.lists(st.sampled_from([None, "丁堰镇", "城关镇", "东村", "a", "nan", ""]), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(KEY_VALUES)
def test_a_value_hashes_alike_in_every_dtype_a_batch_may_give_it(cells: list[object]) -> None:
    # A batch sends a column no file of it has as a categorical (_compact), another batch the same column
    # as text: a person's key must hash alike in both, counted (group keys) or not (names, numbers).
    column = pd.Series(cells, dtype=object)
    blank = column.isna().to_numpy()
    shapes = [_value_hashes(column, distinct=True), _value_hashes(column, distinct=False),
              _value_hashes(column.astype("category"), distinct=True), _value_hashes(column.astype("str"), distinct=False)]
    for hashes in shapes[1:]:
        assert hashes[~blank].tolist() == shapes[0][~blank].tolist()
    for a, b in ((a, b) for a in range(len(cells)) for b in range(len(cells)) if not blank[a] and not blank[b]):
        assert (shapes[0][a] == shapes[0][b]) == (cells[a] == cells[b])


def test_person_keys_are_equal_for_one_person_and_zero_without_a_key() -> None:
    from rulecheck.lang import expr
    from rulecheck.rulefile import ruleset

    rules = ruleset.load()
    keys = ["county", "township", "village", "name", "birth"]
    born = pd.Series(pd.to_datetime(["1970-01-01", "1970-01-01", "1970-01-01", None, "1970-01-01"]))
    parsed = {"name": pd.Series(["张三", "张三", "张三", "张三", "李四"], dtype="str"), "birth": born}
    base = expr.Context(pd.RangeIndex(5), rules.spec.ruleset.as_of, parsed)
    with_county = {"county": pd.Series(["如皋市", None, None, None, None], dtype=object),
                   "township": pd.Series(["城关镇"] * 5, dtype=object), "village": pd.Series(["东村"] * 5, dtype=object)}
    hashes = _key_hashes(rules, keys, with_county, base).tolist()
    # The county is optional: blank is a value of its own; the birth date is not: blank leaves no key.
    assert hashes[1] == hashes[2] != hashes[0] and hashes[3] == 0 and 0 not in (hashes[0], hashes[1], hashes[4])
    assert len({hashes[0], hashes[1], hashes[4]}) == 3
    # Where no file of the batch has a county column, it travels as a categorical: the same hashes.
    no_county = dict(with_county, county=pd.Series(pd.Categorical([None] * 5, categories=pd.Index([], dtype=object))))
    assert _key_hashes(rules, keys, no_county, base).tolist()[1:] == hashes[1:]
