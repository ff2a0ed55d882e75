"""Every rule of the bundled rule file at its boundary, on small inline tables.

Ages are counted on 2007-10-20 (the rule file's as_of): someone born on 1962-10-20 is exactly 45
that day, someone born on 1962-10-21 is still 44.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rulecheck import engine

from rulecheck.rulefile import ruleset

from rulecheck.table import idnumber
from rulecheck.table.header import Sheet
from rulecheck.render.findings import sentence

RULES = ruleset.load()
AS_OF = dt.date(2007, 10, 20)


def person(name: str, born: str, role: str = "委员", *, village: str = "东村", township: str = "丁堰镇",
           sex: str = "男", retained: str = "否", **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"township": township, "village": village, "name": name, "sex": sex, "birth": born,
                              "role": role, "retained": retained}
    row.update(extra)
    return row


def village(name: str = "东村", township: str = "丁堰镇", secretary_born: str = "1973-01-01") -> list[dict[str, object]]:
    """A committee that passes every village rule: a secretary, a young member, a woman."""
    return [
        person(f"{name}书记", secretary_born, "书记", village=name, township=township, commitment="是"),
        person(f"{name}委员甲", "1980-01-01", village=name, township=township),
        person(f"{name}委员乙", "1978-01-01", village=name, township=township, sex="女"),
    ]


def sheet(rows: list[dict[str, object]], file: str = "slate.xlsx", name: str = "名单") -> Sheet:
    frame = pd.DataFrame(rows, dtype=object).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["_row"] = range(4, 4 + len(rows))
    headers = {k: f"{k} (A)" for k in frame.columns if not k.startswith("_")}
    return Sheet(file, name, frame, headers, places={k: (k, 0) for k in headers})


def found(rows: list[dict[str, object]], rule: str | None = None, as_of: dt.date = AS_OF,
          lang: str = "zh") -> list[tuple[object, ...]]:
    outcome = engine.run(RULES, [sheet(rows)], as_of)
    return [(v.row, v.name or v.village or v.township, v.rule) for v in outcome.violations
            if rule is None or v.rule == rule]


def outcome(rows: list[dict[str, object]], as_of: dt.date = AS_OF) -> engine.Outcome:
    return engine.run(RULES, [sheet(rows)], as_of)


def test_a_clean_village_breaks_nothing() -> None:
    assert found(village()) == []


# --------------------------------------------------------------------------- township rules


@pytest.mark.parametrize(("ages", "broken"), [
    (("1962-10-20", "1962-10-20"), False),   # 45 and 45: mean exactly 45.0 passes (以下 includes 45)
    (("1962-10-20", "1961-10-20"), True),    # 45 and 46: mean 45.5
    (("1962-10-21", "1961-10-20"), False),   # 44 and 46: 45.0
])
def test_secretary_average_age_boundary(ages: tuple[str, str], broken: bool) -> None:
    rows = village("东村", secretary_born=ages[0]) + village("西村", secretary_born=ages[1])
    hits = found(rows, "secretary-average-age")
    assert hits == ([(None, "丁堰镇", "secretary-average-age")] if broken else [])


def test_secretary_average_age_counts_only_secretaries() -> None:
    rows = village("东村", secretary_born="1962-10-20")
    rows.append(person("老副书记", "1940-01-01", "副书记"))
    rows.append(person("老第一书记", "1940-01-01", "第一书记"))
    assert found(rows, "secretary-average-age") == []


def test_secretary_average_age_message_and_observed() -> None:
    rows = village("东村", secretary_born="1958-10-20") + village("西村", secretary_born="1960-10-20")  # 49, 47
    [v] = [v for v in outcome(rows).violations if v.rule == "secretary-average-age"]
    assert sentence(v, RULES) == "村书记平均年龄 48.0 岁 > 45"
    assert v.observed == 48.0 and v.scope == "township" and v.row is None and v.file == "slate.xlsx"


def _secretaries(young: int, total: int, young_born: str = "1972-10-20") -> list[dict[str, object]]:
    rows = []
    for i in range(total):
        rows += village(f"村{i:02d}", secretary_born=young_born if i < young else "1965-01-01")
    return rows


@pytest.mark.parametrize(("young", "total", "broken"), [(3, 20, False), (2, 20, True), (1, 7, True), (2, 7, False)])
def test_secretary_under_35_share_boundary(young: int, total: int, broken: bool) -> None:
    # 3 of 20 is exactly 15%: passes (以上 includes 15%)
    hits = found(_secretaries(young, total), "secretary-under-35-share")
    assert hits == ([(None, "丁堰镇", "secretary-under-35-share")] if broken else [])


@pytest.mark.parametrize(("born", "young"), [
    ("1972-10-20", True),    # turns 35 on the day itself: aged 35, counts
    ("1971-10-21", True),    # 35 until tomorrow
    ("1971-10-20", False),   # 36 on the day
])
def test_secretary_aged_35_on_the_day(born: str, young: bool) -> None:
    hits = found(_secretaries(1, 5, young_born=born), "secretary-under-35-share")  # 1 of 5 = 20%
    assert (hits == []) is young


def test_township_rules_aggregate_across_files() -> None:
    first = sheet(_secretaries(0, 3), file="a.xlsx")
    second = sheet(village("新村", secretary_born="1980-01-01"), file="b.xlsx")
    together = engine.run(RULES, [first, second], AS_OF).violations
    alone = engine.run(RULES, [first], AS_OF).violations
    assert [v.rule for v in alone if v.rule == "secretary-under-35-share"] == ["secretary-under-35-share"]
    assert [v for v in together if v.rule == "secretary-under-35-share"] == []  # 1 of 4 = 25%
    [average] = [v for v in engine.run(RULES, [sheet(_secretaries(0, 3), file="a.xlsx"),
                                              sheet(village("新村", secretary_born="1950-01-01"), file="b.xlsx")],
                                       AS_OF).violations if v.rule == "secretary-average-age"]
    assert average.file is None  # the township spans two files


# --------------------------------------------------------------------------- person rules


@pytest.mark.parametrize(("born", "broken"), [("1952-10-20", True), ("1952-10-21", False), ("1940-05-01", True)])
def test_retirement_age_from_the_birthday_itself(born: str, broken: bool) -> None:
    rows = village() + [person("老委员", born, retained="是")]
    assert found(rows, "retirement-age") == ([(7, "老委员", "retirement-age")] if broken else [])


@pytest.mark.parametrize(("commended", "assessed", "reason", "exempt"), [
    ("2005、2006", "", "熟悉村情,工作需要", True),
    ("2006,2007", "", "工作需要", True),
    ("", "2005年 2006年", "工作需要", True),
    ("2005、2007", "", "工作需要", False),      # not consecutive
    ("2004、2005", "", "工作需要", False),      # 2004 lies outside the three years 2005-2007
    ("2005、2006", "", "", False),              # no written reason
    ("2006", "2007", "工作需要", False),        # one year of each is not two consecutive of one kind
])
def test_retirement_age_exemption(commended: str, assessed: str, reason: str, exempt: bool) -> None:
    row = person("老书记", "1950-03-01", "委员", retained="是", commendation_years=commended,
                 assessment_years=assessed, retention_reason=reason or None)
    result = outcome(village() + [row])
    assert [v.rule for v in result.violations if v.rule == "retirement-age"] == ([] if exempt else ["retirement-age"])
    assert [(e.rule, e.name, e.row, e.evidence) for e in result.exempted] == (
        [("retirement-age", "老书记", 7, reason)] if exempt else [])


def test_exemption_window_follows_the_as_of_year() -> None:
    row = person("老书记", "1950-03-01", retained="是", commendation_years="2005、2006", retention_reason="需要")
    assert found(village() + [row], "retirement-age", as_of=dt.date(2008, 10, 20)) == [(7, "老书记", "retirement-age")]


def test_new_nominee_over_55_is_a_warning() -> None:
    rows = village() + [person("新人", "1952-10-20"), person("未填", "1940-01-01", retained=None)]
    result = outcome(rows)
    assert [(v.name, v.severity) for v in result.violations if v.rule == "new-nominee-over-55"] == [("新人", "warning")]


@pytest.mark.parametrize(("value", "broken"), [("两推一考", False), ("“两推一考”", False), ("两推一考制度", False),
                                               (None, False), ("组织提名", True), ("个人自荐", True)])
def test_nomination_method(value: str | None, broken: bool) -> None:
    rows = village()
    rows[1]["nomination"] = value
    assert found(rows, "nomination-method") == ([(5, "东村委员甲", "nomination-method")] if broken else [])


@pytest.mark.parametrize(("value", "broken"), [("是", False), ("√", False), ("Y", False), ("有", False),
                                               (None, True), ("否", True), ("×", True)])
def test_public_commitment_of_the_secretary(value: str | None, broken: bool) -> None:
    rows = village()
    rows[0]["commitment"] = value
    rows[1]["commitment"] = None  # a member need not commit
    assert found(rows, "public-commitment") == ([(4, "东村书记", "public-commitment")] if broken else [])


# --------------------------------------------------------------------------- village rules


@pytest.mark.parametrize(("born", "broken"), [("1975-10-20", False), ("1975-10-21", False), ("1974-10-20", True)])
def test_young_cadre_is_32_or_under(born: str, broken: bool) -> None:
    rows = [person("书记", "1965-01-01", "书记", commitment="是"), person("委员", born, sex="女")]
    assert found(rows, "young-cadre-per-village") == ([(4, "东村", "young-cadre-per-village")] if broken else [])


def test_first_secretary_is_not_a_committee_member() -> None:
    rows = [person("书记", "1965-01-01", "书记", commitment="是"), person("委员", "1960-01-01"),
            person("驻村", "1985-01-01", "第一书记", sex="女")]
    got = found(rows)
    assert (4, "东村", "young-cadre-per-village") in got
    assert (4, "东村", "woman-on-committee") in got
    assert (6, "驻村", "first-secretary-not-on-committee") in got


@pytest.mark.parametrize(("roles", "broken"), [
    (("书记", "委员"), False),
    (("书记、主任", "委员"), False),
    (("党总支书记", "委员"), False),
    (("副书记", "委员"), True),       # a deputy is never the secretary: a village with no secretary
    (("书记", "书记"), True),
])
def test_one_secretary_per_village(roles: tuple[str, str], broken: bool) -> None:
    rows = [person("甲", "1970-01-01", roles[0], commitment="是"), person("乙", "1980-01-01", roles[1], sex="女", commitment="是")]
    assert found(rows, "one-secretary-per-village") == ([(4, "东村", "one-secretary-per-village")] if broken else [])


@pytest.mark.parametrize(("day", "broken"), [("2007-10-20", False), ("2007-10-21", True), ("2007年10月15日", False)])
def test_election_deadline(day: str, broken: bool) -> None:
    rows = village()
    for row in rows:
        row["election_date"] = day
    assert found(rows, "election-deadline") == ([(4, "东村", "election-deadline")] if broken else [])


def test_woman_on_committee_is_a_warning() -> None:
    rows = [person("书记", "1970-01-01", "书记", commitment="是"), person("委员", "1980-01-01")]
    [v] = [v for v in outcome(rows).violations if v.rule == "woman-on-committee"]
    assert (v.severity, v.village, v.row, sentence(v, RULES)) == ("warning", "东村", 4, "村党组织 2 名委员中没有女同志")


# --------------------------------------------------------------------------- identity numbers


def make_id(born: str, seq: str = "002", region: str = "320682") -> str:
    first = region + born + seq
    return first + idnumber.check_character(first)


def test_the_gb11643_worked_example_is_valid() -> None:
    rows = village()
    rows[2].update(id_number="11010519491231002X", birth="1949.12", retained="否")
    assert found(rows, "id-number-invalid") == [] and found(rows, "id-birth-mismatch") == []
    assert found(rows, "id-sex-mismatch") == []  # 女, and the 17th digit 2 is even


@pytest.mark.parametrize(("number", "reason"), [
    ("110105194912310021", "校验码错误"),
    ("11010519491231002", "位数不对"),
    ("110105194902300028", "出生日期不存在"),
    (3.20682199001011e17, "存成了数字"),
])
def test_id_number_invalid(number: object, reason: str) -> None:
    rows = village()
    rows[1]["id_number"] = number
    [v] = [v for v in outcome(rows).violations if v.rule == "id-number-invalid"]
    assert v.row == 5 and reason in sentence(v, RULES)


def test_id_birth_and_sex_mismatch() -> None:
    rows = village()
    rows[1].update(id_number=make_id("19800102", "011"), birth="1981-01-02")  # odd: male, as declared
    rows[2].update(id_number=make_id("19780101", "013"))                      # odd digit: male, declared 女
    assert found(rows, "id-birth-mismatch") == [(5, "东村委员甲", "id-birth-mismatch")]
    assert found(rows, "id-sex-mismatch") == [(6, "东村委员乙", "id-sex-mismatch")]


def test_year_month_birth_takes_the_id_day() -> None:
    # 1952.10 (numeric 1952.1) with an ID born 1952-10-21: 54 on 2007-10-20, not 55
    rows = village() + [person("老委员", 1952.1, retained="是", id_number=make_id("19521021", "011"))]
    assert found(rows, "retirement-age") == [] and found(rows, "id-birth-mismatch") == []
    rows[-1]["id_number"] = make_id("19521020", "011")
    assert found(rows, "retirement-age") == [(7, "老委员", "retirement-age")]


def test_age_comes_from_the_id_number_when_birth_is_blank() -> None:
    rows = village() + [person("老委员", None, retained="是", id_number=make_id("19500101", "011"))]
    assert found(rows, "retirement-age") == [(7, "老委员", "retirement-age")]
    assert found(rows, "age-unknown") == []
    rows[-1]["id_number"] = None
    assert found(rows, "age-unknown") == [(7, "老委员", "age-unknown")]


def test_unreadable_values_are_reported() -> None:
    rows = village()
    rows[1].update(birth="1968.13", role="村委会主任", sex="未知", election_date="十月")
    got = {rule for _, _, rule in found(rows)}
    assert {"value-unreadable", "role-unrecognised"} <= got
    unreadable = [v for v in engine.run(RULES, [sheet(rows)], AS_OF).violations if v.rule == "value-unreadable"]
    assert sorted(v.observed for v in unreadable) == ["1968.13", "十月", "未知"]  # one finding per cell, role apart


# --------------------------------------------------------------------------- coverage of columns


def test_a_rule_whose_column_is_absent_is_not_checked() -> None:
    full = [dict(row, id_number=None, nomination=None, election_date=None) for row in village()]
    assert outcome(full).not_checked == {}
    for row in full:
        row.pop("sex")
    result = outcome(full)
    assert result.not_checked == {"slate.xlsx": {"id-sex-mismatch": (("sex",),), "woman-on-committee": (("sex",),)}}
    assert all(v.rule != "woman-on-committee" for v in result.violations)


def test_english_messages() -> None:
    rows = [person("书记", "1970-01-01", "书记", commitment="否"), person("委员", "1980-01-01", sex="女")]
    [v] = [v for v in engine.run(RULES, [sheet(rows)], AS_OF).violations if v.rule == "public-commitment"]
    assert sentence(v, RULES, "en") == "secretary nominee has not made the public commitment (given: 否)"
