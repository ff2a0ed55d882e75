"""Issue 10: joint posts and notes in a role, and the age taken from a 年龄 column without a birth date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from faultkit import run, workbook
from rulecheck.rulefile import ruleset
from rulecheck.table import values
from rulecheck.table.types.category import parse_category
from rulecheck.rulefile.ruleset import ColumnSpec

RULES = ruleset.load()
ROLE = RULES.spec.columns["role"]
AGE = RULES.spec.columns["age_written"]
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def read_roles(*cells: object) -> list[object]:
    parsed = values.distinct(lambda s: parse_category(s, ROLE.categories, ROLE.notes), pd.Series(cells, dtype=object))
    return [None if pd.isna(v) else v for v in parsed.values]


# --------------------------------------------------------------------------- reading a role


@pytest.mark.parametrize(("cell", "key"), [
    ("书记(兼主任)", "secretary"), ("书记（兼主任）", "secretary"), ("书记【兼主任】", "secretary"),
    ("书记兼主任", "secretary"), ("党支部书记、村委会主任", "secretary"), ("书记、主任", "secretary"),
    ("副书记(主持工作)", "deputy"), ("副书记（主持工作）", "deputy"), ("副书记兼主任", "deputy"),
    ("委员(兼会计)", "member"), ("支委(妇女委员)", "member"), ("支委【妇女委员】", "member"),
    ("委员 (兼会计", "member"),  # a bracket left open is a note too
    ("第一书记(兼副书记)", "first-secretary"), ("第一书记（兼书记）", "first-secretary"), ("驻村第一书记", "first-secretary"),
    ("村委会主任(兼书记)", "secretary"),  # a Party role anywhere beats a village-committee post
    ("村委会主任", "village-committee"), ("村委会委员", "village-committee"), ("村民小组长", "village-committee"),
    ("村委委员", "village-committee"), ("村委会主任(兼会计)", "village-committee"),
    ("居委会主任", "residents-committee"), ("居民委员会委员", "residents-committee"),
    ("副书记", "deputy"), ("书记", "secretary"), ("乱写", None), ("（兼会计）", None),
])
def test_a_role_is_read_by_its_party_committee_word(cell: str, key: str | None) -> None:
    assert read_roles(cell) == [key]


def test_repeated_roles_read_alike_through_distinct() -> None:
    cells = ["书记(兼主任)", "委员", "书记(兼主任)", None, "副书记（主持工作）", "委员", "村委会主任"] * 50
    assert read_roles(*cells) == ["secretary", "member", "secretary", None, "deputy", "member", "village-committee"] * 50


NOTE_WORDS = st.text(alphabet="主持工作兼任会计妇女代理负责人 、,", max_size=12)


@settings(max_examples=200, deadline=None)
@given(role=st.sampled_from([w for k in ("secretary", "deputy", "member") for w in ROLE.categories[k]]),
       note=NOTE_WORDS, brackets=st.sampled_from(["()", "（）", "【】", "[]", "〔〕"]))
def test_a_bracketed_note_never_makes_a_role_unreadable(role: str, note: str, brackets: str) -> None:
    key = next(k for k, words in ROLE.categories.items() if role in words)
    cell = f"{role}{brackets[0]}{note}{brackets[1]}"
    parsed = parse_category(pd.Series([cell], dtype=object), ROLE.categories, ROLE.notes)
    assert parsed.values.tolist() == [key] and not parsed.unreadable.any(), cell


def test_without_notes_a_bracket_is_not_a_separator() -> None:
    parsed = parse_category(pd.Series(["书记(兼主任)"], dtype=object), ROLE.categories)
    assert parsed.values.tolist() == [None] and parsed.unreadable.tolist() == [True]


def test_the_rule_file_options_belong_to_their_types() -> None:
    title = {"zh": "x", "en": "x"}
    with pytest.raises(ValidationError, match="'notes' applies only to type category"):
        ColumnSpec(title=title, aliases=["x"], type="text", notes=["()"])
    with pytest.raises(ValidationError, match="bracket pair"):
        ColumnSpec(title=title, aliases=["x"], type="category", categories={"a": ["a"]}, notes=["("])
    with pytest.raises(ValidationError, match="'between' and 'whole' apply only to type number"):
        ColumnSpec(title=title, aliases=["x"], type="text", whole=True)
    with pytest.raises(ValidationError, match=r"\[lowest, highest\]"):
        ColumnSpec(title=title, aliases=["x"], type="number", between=(100, 18))


# --------------------------------------------------------------------------- roles on a slate

HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"]


def committee(secretary_role: str) -> list[list[object]]:
    return [
        ["城南镇", "一村", "张一", "男", "1970.05", secretary_role, "是"],
        ["城南镇", "一村", "李二", "女", "1985.03", "委员(兼会计)", "否"],
        ["城南镇", "一村", "王三", "男", "1975.06", "副书记（主持工作）", "否"],
        ["城南镇", "二村", "赵四", "男", "1980.01", "书记兼主任", "是"],
        ["城南镇", "二村", "钱五", "女", "1984.02", "支委【妇女委员】", "否"],
    ]


@pytest.mark.parametrize("role", ["书记(兼主任)", "书记（兼主任）", "党支部书记、村委会主任", "书记、主任"])
def test_a_joint_post_is_a_secretary_and_leaves_the_township_as_it_is(tmp_path: Path, role: str) -> None:
    plain = run(workbook(tmp_path / "plain.xlsx", [HEADER, *committee("书记")]))
    joint = run(workbook(tmp_path / "joint.xlsx", [HEADER, *committee(role)]))
    assert joint.code == plain.code == 0, joint.stdout
    assert joint.report["violations"] == [] == plain.report["violations"]
    [township] = joint.report["townships"]
    assert township["values"] == plain.report["townships"][0]["values"]
    assert township["values"]["secretaries"] == 2 and township["values"]["secretary_average_age"] == 32


@pytest.mark.parametrize(("role", "zh", "en"), [
    ("村委会主任", "拟任职务“村委会主任”是村民委员会职务,不是村党组织职务;拟任村党组织职务应为书记、副书记、委员或第一书记",
     "proposed role '村委会主任' is a village committee post, not a Party-committee role; "
     "a Party-committee role is secretary, deputy, member or first secretary"),
    ("村民小组长", "拟任职务“村民小组长”是村民委员会职务,不是村党组织职务;拟任村党组织职务应为书记、副书记、委员或第一书记",
     "proposed role '村民小组长' is a village committee post, not a Party-committee role; "
     "a Party-committee role is secretary, deputy, member or first secretary"),
    ("居委会主任", "拟任职务“居委会主任”是居民委员会职务,不是村党组织职务;拟任村党组织职务应为书记、副书记、委员或第一书记",
     "proposed role '居委会主任' is a residents' committee post, not a Party-committee role; "
     "a Party-committee role is secretary, deputy, member or first secretary"),
    ("乱写", "拟任职务“乱写”无法识别;拟任村党组织职务应为书记、副书记、委员或第一书记",
     "proposed role '乱写' is not recognised; a Party-committee role is secretary, deputy, member or first secretary"),
])
def test_a_village_committee_post_alone_is_said_to_be_one(tmp_path: Path, role: str, zh: str, en: str) -> None:
    rows = committee("书记") + [["城南镇", "一村", "孙六", "男", "1980.01", role, "否"]]
    path = workbook(tmp_path / "slate.xlsx", [HEADER, *rows])
    for lang, message in (("zh", zh), ("en", en)):
        result = run(path, lang=lang)
        assert result.code == 1
        [v] = result.report["violations"]
        assert (v["rule"], v["row"], v["message"], v["observed"]) == ("role-unrecognised", 7, message, role)
        assert v["column"] == "拟任职务 (F)"


def test_a_role_finding_never_says_unrecognised_for_a_village_committee_post(tmp_path: Path) -> None:
    rows = committee("书记") + [["城南镇", "一村", "孙六", "男", "1980.01", "村委会委员", "否"]]
    result = run(workbook(tmp_path / "slate.xlsx", [HEADER, *rows]))
    [v] = result.report["violations"]
    assert "无法识别" not in v["message"] and "不是村党组织职务" in v["message"]


# --------------------------------------------------------------------------- the age as written

AGE_HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "年龄", "拟任职务", "是否留任"]
AGE_ROWS = [
    ["城南镇", "一村", "张老", "男", 57, "书记", "是"],
    ["城南镇", "一村", "李青", "女", "28", "委员", "否"],
    ["城南镇", "一村", "王中", "男", "37岁", "副书记", "否"],
]


def test_a_slate_with_ages_and_no_birth_dates_is_checked_by_its_ages(tmp_path: Path) -> None:
    path = workbook(tmp_path / "slate.xlsx", [AGE_HEADER, *AGE_ROWS])
    for lang, word in (("zh", "按填写的年龄 57 周岁检查,不是按核对日(2007-10-20)算出的周岁:没有可用的出生年月,也没有有效的身份证号"),
                       ("en", "checked at the age as written, 57, not counted on the as-of day (2007-10-20): "
                              "no readable birth date and no valid identity number")):
        result = run(path, lang=lang)
        assert result.code == 1, result.stdout
        found = sorted((v["rule"], v["row"], v["column"]) for v in result.report["violations"])
        assert found == [("age-as-written", 2, "年龄 (E)"), ("age-as-written", 3, "年龄 (E)"), ("age-as-written", 4, "年龄 (E)"),
                         ("retirement-age", 2, None), ("secretary-average-age", None, None),
                         ("secretary-under-35-share", None, None)]
        notice = next(v for v in result.report["violations"] if v["rule"] == "age-as-written" and v["row"] == 2)
        assert notice["severity"] == "notice" and notice["message"] == word
        entry = result.file(path)
        assert all(not u["essential"] for u in entry["unchecked"]), entry["unchecked"]
        assert result.report["summary"]["complete"] is True
    [township] = result.report["townships"]
    assert township["values"]["secretary_average_age"] == 57


@pytest.mark.parametrize("alias", ["年龄", "年龄(周岁)", "年龄（周岁）", "周岁", "现年龄"])
def test_the_age_column_by_any_of_its_names(tmp_path: Path, alias: str) -> None:
    result = run(workbook(tmp_path / "slate.xlsx", [[*AGE_HEADER[:4], alias, *AGE_HEADER[5:]], *AGE_ROWS]))
    assert ("retirement-age", 2) in {(v["rule"], v["row"]) for v in result.report["violations"]}
    assert result.report["summary"]["complete"] is True


def test_a_birth_date_wins_over_the_age_written(tmp_path: Path) -> None:
    header = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "年龄", "拟任职务", "是否留任"]
    rows = [["城南镇", "一村", "张老", "男", "1970.01", 57, "书记", "是"],  # 37 on the as-of day: not retired
            ["城南镇", "一村", "李青", "女", "1985.03", 22, "委员", "否"],
            ["城南镇", "一村", "王中", "男", "不详", 40, "副书记", "否"]]  # unreadable birth date: the written age
    result = run(workbook(tmp_path / "slate.xlsx", [header, *rows]))
    found = sorted((v["rule"], v["row"]) for v in result.report["violations"])
    assert found == [("age-as-written", 4), ("secretary-under-35-share", None), ("value-unreadable", 4)]
    assert result.report["townships"][0]["values"]["secretary_average_age"] == 37


@pytest.mark.parametrize("cell", ["45.5", 45.5, 150, "17", "四十五", 0])
def test_an_age_that_is_not_a_whole_number_from_18_to_100_is_unreadable(tmp_path: Path, cell: object) -> None:
    rows = [row[:] for row in AGE_ROWS]
    rows[1][4] = cell
    path = workbook(tmp_path / "slate.xlsx", [AGE_HEADER, *rows])
    for lang, message in (("zh", f"「年龄」填写的“{cell}”无法识别;可填写:18 至 100 之间的整数"),
                          ("en", f"age '{cell}' cannot be read; accepted: a whole number from 18 to 100")):
        result = run(path, lang=lang)
        by_rule = {v["rule"]: v for v in result.report["violations"] if v["row"] == 3}
        assert set(by_rule) == {"value-unreadable", "age-unknown"}
        assert by_rule["value-unreadable"]["message"] == message and by_rule["value-unreadable"]["column"] == "年龄 (E)"
        assert result.code == 1


def test_no_birth_date_identity_number_or_age_is_not_checked(tmp_path: Path) -> None:
    header = [h for h in AGE_HEADER if h != "年龄"]
    path = workbook(tmp_path / "slate.xlsx", [header, *[r[:4] + r[5:] for r in AGE_ROWS]])
    for lang, missing in (("zh", [["年龄"], ["出生年月"], ["身份证号"]]), ("en", [["age"], ["birth date"], ["identity number"]])):
        result = run(path, lang=lang)
        assert result.code == 2
        unchecked = {u["rule"]: u for u in result.file(path)["unchecked"]}
        assert unchecked["secretary-average-age"]["missing"] == missing and unchecked["age-unknown"]["essential"]


def test_the_age_unknown_message_names_the_age_column_too(tmp_path: Path) -> None:
    header = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "年龄", "拟任职务", "是否留任"]
    rows = [["城南镇", "一村", "张老", "男", None, None, "书记", "是"], ["城南镇", "一村", "李青", "女", "1985.03", None, "委员", "否"]]
    path = workbook(tmp_path / "slate.xlsx", [header, *rows])
    for lang, message in (("zh", "没有可用的出生年月,也没有有效的身份证号或年龄,无法计算年龄:年龄相关的规则未能检查此人"),
                          ("en", "no readable birth date, no valid identity number and no age: the age rules could not check this person")):
        result = run(path, lang=lang)
        [v] = [v for v in result.report["violations"] if v["rule"] == "age-unknown"]
        assert (v["row"], v["message"]) == (2, message)


# --------------------------------------------------------------------------- the sample


def test_the_joint_posts_sample_has_its_stated_outcome(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    maker = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = maker  # dataclasses look their module up while the class is made
    spec.loader.exec_module(maker)
    maker.write_real_roles(tmp_path)
    path = tmp_path / "real-shapes" / "joint-posts.xlsx"
    for lang in ("zh", "en"):
        result = run(path, lang=lang)
        assert result.code == 1
        found = [(v["rule"], v["severity"], v["row"], v["village"], v["name"]) for v in result.report["violations"]]
        assert found == [
            ("age-as-written", "notice", 8, "西场村", "吴桂英"),
            ("first-secretary-not-on-committee", "notice", 11, "南庄村", "赵文博"),
            ("role-unrecognised", "error", 13, "南庄村", "钱德贵"),
            ("age-as-written", "notice", 14, "北窑村", "周长林"),
        ]
        [township] = result.report["townships"]
        assert township["values"] == {"villages": 4, "candidates": 13, "secretaries": 4, "secretary_average_age": 36,
                                      "young_secretary_share": 0.5, "young_cadre_villages": 4, "women_on_committees": 4}
