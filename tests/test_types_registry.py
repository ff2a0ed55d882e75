"""The column-type registry (rulecheck.table.types): a type is one module plus one line in TYPES.

A type registered here, in the test only, is accepted by the rule file, parsed, checked, quoted
where a cell cannot be read, and shown in messages and JSON, without any other module knowing it.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rulecheck.cli import app
from rulecheck.lang.expr import BOOL, DATE, NUMBER, TEXT, YEARS
from rulecheck.rulefile import ruleset
from rulecheck.rulefile.ruleset import RuleFileError
from rulecheck.table import types
from rulecheck.table.idnumber import check_character
from rulecheck.table.types import ColumnType, Reading
from rulecheck.table.values import Parsed, distinct, fold, unreadable

# --------------------------------------------------------------------------- a type of the test's own


def parse_percent(raw: pd.Series) -> Parsed:
    """'45%' or '45％' as 45; a number cell (Excel keeps 45% as 0.45) times 100; anything else unreadable."""
    text = fold(raw)
    typed = pd.to_numeric(text.str.extract(r"^([0-9]+(?:\.[0-9]+)?)%$", expand=False), errors="coerce")
    stored = pd.to_numeric(raw.where(raw.map(lambda x: isinstance(x, float))), errors="coerce") * 100
    values = typed.fillna(stored).astype("float64")
    return Parsed(values, unreadable(text, values))


def _accepted(spec: Any, lang: str) -> str:
    return "百分数,如 45%" if lang == "zh" else "a percentage such as 45%"


PERCENT = ColumnType(name="percent", parse=lambda cells, spec, reading: distinct(parse_percent, cells),
                     expression=NUMBER, accepted=_accepted)


# A type whose values are of a class of its own (here Fraction), shown its own way.
RATIO = ColumnType(name="ratio", parse=lambda cells, spec, reading: distinct(parse_percent, cells), expression=NUMBER,
                   accepted=_accepted, values=(Fraction,),
                   show=lambda value, fmt, lang, labels: f"{value.numerator}∶{value.denominator}",
                   to_json=lambda value, lang, labels: [value.numerator, value.denominator],
                   to_text=lambda value, lang: f"{value.numerator}/{value.denominator}")


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch):
    """The test's types in the registry for one test (its caches emptied before and after)."""
    monkeypatch.setitem(types.TYPES, "percent", PERCENT)
    monkeypatch.setitem(types.TYPES, "ratio", RATIO)
    types._shown_by.cache_clear()
    types._samples.cache_clear()
    yield
    types._shown_by.cache_clear()
    types._samples.cache_clear()


RULES = """\
ruleset:
  id: shares
  title: {zh: 占比, en: shares}
  source: a test
  as_of: 2007-10-20
columns:
  township:
    title: {zh: 镇, en: township}
    aliases: [镇]
    required: true
  village:
    title: {zh: 村, en: village}
    aliases: [村]
    required: true
  name:
    title: {zh: 姓名, en: name}
    aliases: [姓名]
    required: true
  share:
    title: {zh: 占比, en: share}
    aliases: [占比]
    type: percent
groups:
  township: [township]
  village: [township, village]
rules:
  - id: share-at-most-half
    severity: error
    scope: person
    title: {zh: 占比不超过一半, en: At most half}
    column: share
    when: share > 50
    observed: share
    message:
      zh: "占比 {share}% 超过 50%"
      en: "share {share}% is over 50%"
  - id: value-unreadable
    severity: error
    scope: person
    check: unreadable-values
    title: {zh: 填写内容无法识别, en: A value cannot be read}
    message:
      zh: "「{column}」填写的“{observed}”无法识别;可填写:{accepted}"
      en: "{column} '{observed}' cannot be read; accepted: {accepted}"
"""


def _slate(folder: Path) -> tuple[Path, Path]:
    rules = folder / "shares.yaml"
    rules.write_text(RULES, encoding="utf-8")
    slate = folder / "slate.csv"
    slate.write_text("镇,村,姓名,占比\n城南镇,一村,张三,45%\n城南镇,一村,李四,60%\n城南镇,一村,王五,很多\n", encoding="utf-8")
    return rules, slate


def _run(rules: Path, slate: Path, lang: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, [str(slate), "--rules", str(rules), "--format", "json", "--lang", lang])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_type_registered_in_one_line_is_read_checked_and_shown(registered: None, tmp_path: Path, lang: str) -> None:
    rules, slate = _slate(tmp_path)
    code, report = _run(rules, slate, lang)
    assert code == 1
    found = {(v["rule"], v["row"]): v for v in report["violations"]}
    assert set(found) == {("share-at-most-half", 3), ("value-unreadable", 4)}
    over, unread = found[("share-at-most-half", 3)], found[("value-unreadable", 4)]
    assert over["observed"] == 60 and over["column"] == "占比 (D)"
    assert over["message"] == ("占比 60% 超过 50%" if lang == "zh" else "share 60% is over 50%")
    words = ("「占比」填写的“很多”无法识别;可填写:百分数,如 45%" if lang == "zh"
             else "share '很多' cannot be read; accepted: a percentage such as 45%")
    assert unread["message"] == words


def test_an_unregistered_type_is_refused_with_the_registered_ones(tmp_path: Path) -> None:
    rules, _ = _slate(tmp_path)
    with pytest.raises(RuleFileError) as caught:
        ruleset.load(rules)
    error = caught.value
    assert error.key == "columns.share.type" and error.line == 22
    assert "Input should be 'text', 'number', 'date', 'birth-date', 'boolean', 'years', 'category' or 'id-number'" in str(error)
    assert "只能是 'text'" in error.text("zh") and "'id-number'" in error.text("zh")


def test_the_registered_type_is_listed_among_the_valid_ones(registered: None, tmp_path: Path) -> None:
    rules, _ = _slate(tmp_path)
    rules.write_text(RULES.replace("type: percent", "type: percentage"), encoding="utf-8")
    with pytest.raises(RuleFileError, match="'id-number', 'percent' or 'ratio'"):
        ruleset.load(rules)


def test_a_value_of_a_types_own_class_is_shown_by_that_type(registered: None) -> None:
    third = Fraction(1, 3)
    assert types.show(third, None, "zh", {}) == "1∶3"
    assert types.to_json(third, "en", {}) == [1, 3]
    assert types.observed_text(third, "en") == "1/3"


# --------------------------------------------------------------------------- the bundled types through the registry


def test_the_bundled_types_are_registered_by_name() -> None:
    assert list(types.TYPES) == ["text", "number", "date", "birth-date", "boolean", "years", "category", "id-number"]
    assert all(name == kind.name for name, kind in types.TYPES.items())


def _spec(**fields: Any) -> ruleset.ColumnSpec:
    return ruleset.ColumnSpec.model_validate({"title": {"zh": "列", "en": "column"}, "aliases": ["列"], **fields})


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, TEXT), ({"type": "number"}, NUMBER), ({"type": "date"}, DATE), ({"type": "birth-date"}, DATE),
    ({"type": "boolean"}, BOOL), ({"type": "years"}, YEARS), ({"type": "id-number"}, TEXT),
])
def test_each_type_gives_its_expression_type(fields: dict[str, Any], expected: Any) -> None:
    assert types.expression_type(_spec(**fields)) == expected


def test_a_category_column_is_typed_by_its_keys() -> None:
    kind = types.expression_type(_spec(type="category", categories={"male": ["男"], "female": ["女"]}))
    assert kind.name == "category" and kind.values == frozenset({"male", "female"})


@pytest.mark.parametrize(("fields", "message"), [
    ({"type": "text", "categories": {"a": ["甲"]}}, "'categories' is required for type category, and only for it"),
    ({"type": "category"}, "'categories' is required for type category, and only for it"),
    ({"type": "number", "confirm_with": "id"}, "'confirm_with' applies only to type birth-date"),
    ({"type": "text", "yes_words": ["行"]}, "'yes_words' and 'no_words' apply only to type boolean"),
    ({"type": "boolean", "notes": ["()"]}, "'notes' applies only to type category"),
    ({"type": "category", "categories": {"a": ["甲"]}, "notes": ["("]}, "each of 'notes' is a bracket pair"),
    ({"type": "date", "whole": True}, "'between' and 'whole' apply only to type number"),
    ({"type": "number", "between": [5, 1]}, "'between' is [lowest, highest]"),
])
def test_a_types_own_options_are_refused_elsewhere(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        _spec(**fields)


@pytest.mark.parametrize(("fields", "zh", "en"), [
    ({"type": "boolean", "yes_words": ["行"]}, "是、否、行、√、×、有、无", "是 or 否 (yes/no), 行, √, ×, 有, 无"),
    ({"type": "number", "between": [18, 100], "whole": True}, "18 至 100 之间的整数", "a whole number from 18 to 100"),
    ({"type": "number", "whole": True}, "整数,如 40", "a whole number such as 40"),
    ({"type": "years"}, "年份,如 2005、2006 或 2005-2007;没有的填“无”", "years such as 2005、2006 or 2005-2007; 无 for none"),
    ({"type": "category", "categories": {"a": [f"词{n}" for n in range(14)]}}, "词0、词1、词2", "词0, 词1, 词2"),
])
def test_each_type_says_what_it_accepts(fields: dict[str, Any], zh: str, en: str) -> None:
    spec = _spec(**fields)
    assert types.accepted(spec, "zh").startswith(zh) and types.accepted(spec, "en").startswith(en)
    if spec.type == "category":
        assert types.accepted(spec, "zh").endswith("词11…")


@pytest.mark.parametrize(("value", "zh", "en", "as_json", "text_en"), [
    (None, "(空)", "(blank)", None, ""),
    (True, "是", "yes", True, "yes"),
    (np.bool_(False), "否", "no", False, "no"),
    (45.0, "45", "45", 45.0, "45"),
    (np.float64(45.5), "45.5", "45.5", 45.5, "45.5"),
    (pd.Timestamp("2007-10-20 08:00"), "2007-10-20", "2007-10-20", "2007-10-20", "2007-10-20 08:00:00"),
    (dt.date(2007, 10, 20), "2007-10-20", "2007-10-20", "2007-10-20", "2007-10-20"),
    ("male", "男", "male", "男", "male"),
    ("二村", "二村", "二村", "二村", "二村"),
])
def test_values_are_shown_by_their_types(value: Any, zh: str, en: str, as_json: Any, text_en: str) -> None:
    labels = {"male": ruleset.Text(zh="男", en="male")}
    assert types.show(value, None, "zh", labels) == zh and types.show(value, None, "en", labels) == en
    assert types.to_json(value, "zh", labels) == as_json
    assert types.observed_text(value, "en") == text_en


def test_a_placeholder_format_is_tried_on_a_sample_of_its_type() -> None:
    assert types.sample("number") == 1.5 and types.sample("bool") is True
    assert types.sample("date") == dt.date(2007, 1, 1) and types.sample("text") == "x"


def test_birth_dates_are_parsed_after_the_identity_numbers_that_confirm_them() -> None:
    specs = {
        "birth": _spec(type="birth-date", confirm_with="id"),
        "id": _spec(type="id-number"),
    }
    ids = [first + check_character(first) for first in ("32068219680115001", "32068219681015001")]
    raw = pd.DataFrame({"birth": [1968.1, 1968.1], "id": ids}, dtype=object)
    id_numbers: dict = {}
    parsed, unread = types.parse_columns(specs, raw, id_numbers)
    assert list(parsed) == ["id", "birth"]
    # The number 1968.1 (a typed 1968.10, as Excel keeps it) is January where the ID says so, else October;
    # the ID that agrees on year and month gives the day.
    assert parsed["birth"].tolist() == [pd.Timestamp("1968-01-15"), pd.Timestamp("1968-10-15")]
    assert not unread["birth"].any() and list(id_numbers) == ["id"]  # the check made on the way, for the rules
    assert id_numbers["id"].valid.tolist() == [True, True]


def test_reading_hands_a_parser_the_columns_parsed_before_it() -> None:
    seen: list[list[str]] = []

    def parse(cells: pd.Series, spec: Any, reading: Reading) -> Parsed:
        seen.append(list(reading.parsed))
        return Parsed(cells, pd.Series(False, index=cells.index))

    after = ColumnType(name="after", parse=parse, expression=TEXT, accepted=_accepted, after=("text",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(types.TYPES, "after", after)
        specs = {"late": _spec(type="after"), "early": _spec()}
        types.parse_columns(specs, pd.DataFrame({"late": ["x"], "early": ["y"]}, dtype=object))
    assert seen == [["early"]]


def test_a_types_options_may_ask_of_other_columns(tmp_path: Path) -> None:
    """A birth date confirmed by a column that is not an identity number is refused at its key and line."""
    text = ruleset.default_path().read_text(encoding="utf-8").replace("confirm_with: id_number", "confirm_with: name")
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "confirm_with: name" in row)
    with pytest.raises(RuleFileError) as caught:
        ruleset.load(rules)
    assert caught.value.key == "columns.birth.confirm_with" and caught.value.line == line
    assert "'name' is not an id-number column" in str(caught.value)
