"""The rule file's summary section: validated on load, computed per township like a township rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from rulecheck import engine

from rulecheck.rulefile import ruleset
from rulecheck.table.header import Sheet

RULES = ruleset.load()
AS_OF = dt.date(2007, 10, 20)


def sheet(rows: list[dict[str, object]], headers: list[str] | None = None) -> Sheet:
    frame = pd.DataFrame(rows, dtype=object).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["_row"] = range(2, 2 + len(rows))
    columns = headers or [k for k in frame.columns if not k.startswith("_")]
    return Sheet("s.xlsx", "名单", frame, {k: f"{k} (A)" for k in columns}, places={k: (k, 0) for k in columns})


def row(township: str, village: str, name: str, role: str, born: str, sex: str = "男") -> dict[str, object]:
    return {"township": township, "village": village, "name": name, "role": role, "birth": born, "sex": sex}


ROWS = [
    row("丁堰镇", "南村", "甲", "书记", "1975-01-01"),  # 32
    row("丁堰镇", "南村", "乙", "委员", "1980-01-01", "女"),
    row("丁堰镇", "北村", "丙", "书记", "1957-01-01"),  # 50
    row("丁堰镇", "北村", "丁", "第一书记", "1985-01-01"),
    row("城北镇", "东村", "戊", "书记", "1960-01-01"),  # 47
]


def summary(rows, headers=None) -> dict[str, dict[str, float | None]]:
    out = engine.run(RULES, [sheet(rows, headers)], AS_OF)
    keys = [item.key for item in RULES.summary]
    return {row.township: dict(zip(keys, row.values)) for row in out.townships}


def test_statistics_per_township() -> None:
    got = summary(ROWS)
    assert list(got) == ["丁堰镇", "城北镇"]
    assert got["丁堰镇"] == {"villages": 2.0, "candidates": 4.0, "secretaries": 2.0, "secretary_average_age": 41.0,
                            "young_secretary_share": 0.5, "young_cadre_villages": 1.0, "women_on_committees": 1.0}
    assert got["城北镇"]["secretary_average_age"] == 47.0 and got["城北镇"]["young_secretary_share"] == 0.0


def test_a_statistic_is_blank_where_its_columns_are_missing() -> None:
    rows = [{k: v for k, v in r.items() if k != "sex"} for r in ROWS]
    got = summary(rows)
    assert got["丁堰镇"]["women_on_committees"] is None  # not 0: the slate does not say
    assert got["丁堰镇"]["candidates"] == 4.0


def test_distinct_counts_different_values_and_ignores_blanks() -> None:
    rows = ROWS + [row("城北镇", "东村", "己", "委员", "1981-01-01"), {**row("城北镇", "", "庚", "委员", "1981-01-01"), "village": None}]
    assert summary(rows)["城北镇"]["villages"] == 1.0


def _rules_with(tmp_path: Path, summary_yaml: str) -> Path:
    text = Path(RULES.path).read_text(encoding="utf-8")
    text = text[: text.index("\nsummary:")] + "\nsummary:\n" + summary_yaml
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("entry", "key", "words"), [
    ("  - {key: a, title: {zh: 甲, en: a}, value: age}\n", "summary[0].value", "inside an aggregate"),
    ('  - {key: a, title: {zh: 甲, en: a}, value: "any(secretary)"}\n', "summary[0].value", "must be a number"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: avg(age)}\n", "summary[0].value", "unknown function 'avg'"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: count(), rule: no-such-rule}\n", "summary[0].rule", "unknown rule"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: count(), reference: required_nomination}\n", "summary[0].reference",
     "unknown numeric parameter"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: count(), format: '0.0'}\n", "summary[0].format", "pattern"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: count(), colour: red}\n", "summary[0].colour", "unknown key"),
    ("  - {key: a, title: {zh: 甲, en: a}, value: count()}\n  - {key: a, title: {zh: 乙, en: b}, value: count()}\n",
     "summary[1].key", "used twice"),
])
def test_a_bad_summary_entry_names_line_and_key(tmp_path: Path, entry: str, key: str, words: str) -> None:
    path = _rules_with(tmp_path, entry)
    with pytest.raises(ruleset.RuleFileError) as caught:
        ruleset.load(path)
    assert caught.value.key == key and words in caught.value.message
    assert caught.value.line is not None and caught.value.line > 400


def test_the_summary_needs_a_township_group(tmp_path: Path) -> None:
    path = _rules_with(tmp_path, "  - {key: a, title: {zh: 甲, en: a}, value: count()}\n")
    text = path.read_text(encoding="utf-8").replace("  township: [county?, township]\n  village: [county?, township, village]",
                                                    "  village: [county?, township, village]")
    text = text.replace("scope: township", "scope: village")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ruleset.RuleFileError) as caught:
        ruleset.load(path)
    assert caught.value.key == "summary" and "township" in caught.value.message
