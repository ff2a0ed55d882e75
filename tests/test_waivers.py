"""Waivers (issue 12): approved exceptions to the 原则上 rules, applied after the check and kept visible.

Every slate and waiver file is built in tmp_path. The slate has one error a waiver can cover
(张老, 57 and retained: retirement-age at row 2) and one exemption the speech itself allows (孙满,
57, retained with two years of commendation and a reason), so the 豁免 sheet shows both kinds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultkit import run, workbook
from rulecheck import waivers
from rulecheck.findings import Location, Report, Violation, person_key
from rulecheck.rulefile import ruleset
from rulecheck.table.idnumber import check_character

HEADER = ["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "身份证号", "拟任职务", "是否留任", "近三年表彰年份", "留任理由"]
ID_17 = "32068219500101123"
ZHANG_ID = ID_17 + check_character(ID_17)  # 张老's identity number, valid, born 1950-01-01
ROWS = [
    ["城南镇", "一村", "张老", "男", "1950.01", ZHANG_ID, "委员", "是", "", ""],  # row 2: retirement-age
    ["城南镇", "一村", "李青", "女", "1985.03", "", "书记", "否", "", ""],
    ["城南镇", "一村", "王中", "男", "1970.06", "", "副书记", "否", "", ""],
    ["城南镇", "一村", "孙满", "男", "1950.02", "", "委员", "是", "2006、2007", "工作需要"],  # exempt by the speech
]
APPROVAL = {"reason": "确因工作需要留任", "approved_by": "中共如皋市委组织部", "reference": "皋组复〔2007〕12号"}


def slate(folder: Path, rows: list[list[object]] | None = None, name: str = "城南镇.xlsx") -> Path:
    return workbook(folder / name, [HEADER, *(ROWS if rows is None else rows)])


def entry(rule: str = "retirement-age", **fields: object) -> str:
    """One waiver entry as YAML, keys in the order given, approval last."""
    lines = [f"  - rule: {rule}"] + [f"    {k}: {v}" for k, v in {**fields, **APPROVAL}.items() if v is not None]
    return "\n".join(lines) + "\n"


def waiver_file(folder: Path, *entries: str, name: str = "waivers.yaml") -> Path:
    path = folder / name
    path.write_text("waivers:\n" + "".join(entries), encoding="utf-8")
    return path


ZHANG = dict(township="城南镇", village="一村", name="张老")


def rules_of(result, rule: str) -> list[dict]:
    return [v for v in result.report["violations"] if v["rule"] == rule]


# --------------------------------------------------------------------------- the rule files


def test_bundled_rule_files_mark_their_原则上_rules_waivable_and_no_data_rule():
    marked = {path: {r.id for r in ruleset.load(path).rules if r.spec.waivable}
              for path in ("rules/rugao-2007.yaml", "rules/public-service-centre.yaml")}
    assert marked["rules/rugao-2007.yaml"] == {"retirement-age", "new-nominee-over-55", "woman-on-committee"}
    assert marked["rules/public-service-centre.yaml"] == {"one-office-room"}
    for path in marked:
        for rule in ruleset.load(path).rules:
            if rule.id.startswith("id-") or rule.id in ("value-unreadable", "duplicate-person") or rule.spec.check:
                assert not rule.spec.waivable, rule.id
            if rule.spec.waivable:
                assert "原则上" in (rule.spec.quote or "") or "原则上" in rule.spec.title.zh, rule.id


def test_waivable_must_be_true_or_false(tmp_path):
    text = Path("rules/rugao-2007.yaml").read_text(encoding="utf-8").replace(
        "  - id: retirement-age\n    waivable: true", "  - id: retirement-age\n    waivable: perhaps")
    bad = tmp_path / "rules.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ruleset.RuleFileError) as caught:
        ruleset.load(bad)
    assert caught.value.key.endswith(".waivable") and caught.value.line


# --------------------------------------------------------------------------- a waived finding


def test_without_waivers_the_slate_has_one_error(tmp_path):
    result = run(slate(tmp_path))
    assert result.code == 1
    assert [(v["rule"], v["row"]) for v in result.report["violations"] if v["severity"] == "error"] == [("retirement-age", 2)]
    assert "waived" not in result.report and "waivers" not in result.report  # the JSON of a run without waivers is as before


@pytest.mark.parametrize("covers", [ZHANG, {"id_number": ZHANG_ID}, {"id_number": f'"{ZHANG_ID}"'},
                                    {"township": "城南镇", "village": "一村"}, {"township": "城南镇"},
                                    {"township": "城 南 镇", "village": "一村", "name": "张老"}])
def test_a_waived_finding_is_not_counted_but_listed_with_its_approval(tmp_path, covers):
    book = slate(tmp_path)
    result = run(book, "--waivers", waiver_file(tmp_path, entry(**covers)))
    assert result.code == 0, result.stdout
    report = result.report
    assert report["summary"]["errors"] == 0 and report["summary"]["waived"] == 1
    assert not rules_of(result, "retirement-age")
    [waived] = report["waived"]
    assert (waived["rule"], waived["file"], waived["row"], waived["name"]) == ("retirement-age", str(book), 2, "张老")
    assert waived["waiver"]["approved_by"] == "中共如皋市委组织部" and waived["waiver"]["reference"] == "皋组复〔2007〕12号"
    assert waived["waiver"]["reason"] == "确因工作需要留任" and waived["waiver"]["line"] == 2
    assert report["townships"][0]["errors"] == 0
    assert next(r for r in report["rules"] if r["id"] == "retirement-age")["violations"] == 0
    assert len(report["exempted"]) == 1  # the speech's own exemption stays what it was
    assert ZHANG_ID not in result.stdout  # the identity number is never shown in full


def test_a_waiver_by_identity_number_needs_the_same_number(tmp_path):
    other = ID_17[:-1] + "4"
    other += check_character(other)
    result = run(slate(tmp_path), "--waivers", waiver_file(tmp_path, entry(id_number=other)))
    assert result.code == 1 and rules_of(result, "retirement-age") and not result.report["waived"]
    [unmatched] = rules_of(result, "waiver-unmatched")
    assert other not in result.stdout and other[:6] + "********" + other[-4:] in unmatched["message"]


def test_person_findings_carry_a_digest_of_the_identity_number_not_the_number(tmp_path):
    from rulecheck.run import check_paths

    report = check_paths([slate(tmp_path)], ruleset.load(None))
    [finding] = [v for v in report.violations if v.rule == "retirement-age"]
    assert finding.person == person_key(ZHANG_ID) and ZHANG_ID not in finding.person


@pytest.mark.parametrize("lang, words", [
    ("zh", ["已批准豁免(不计入错误和警告)", "已批准豁免 retirement-age", "批准单位:中共如皋市委组织部", "批复文号:皋组复〔2007〕12号",
            "理由:确因工作需要留任", "有效期至 2008-06-30", "waivers.yaml:2", "已批准豁免 1 项", "未发现问题"]),
    ("en", ["Waived (approved; not counted as errors or warnings)", "waived (approved) retirement-age",
            "approved by 中共如皋市委组织部, ref. 皋组复〔2007〕12号: 确因工作需要留任; until 2008-06-30",
            "(waiver file", "waived (approved): 1", "No problems found"]),
])
def test_the_text_report_shows_the_waived_finding_in_both_languages(tmp_path, lang, words):
    result = run(slate(tmp_path), "--waivers", waiver_file(tmp_path, entry(**ZHANG, expires="2008-06-30")),
                 lang=lang, fmt="text")
    assert result.code == 0
    for word in words:
        assert word in result.stdout, result.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_format_shows_the_waived_finding(tmp_path, lang):
    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(**ZHANG, expires="2008-06-30"))
    label = {"zh": "已批准豁免", "en": "waived (approved)"}[lang]

    csv_run = run(book, "--waivers", waiver, lang=lang, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(csv_run.stdout.lstrip("\ufeff"))))
    [row] = [r for r in rows if r["rule"] == "retirement-age"]
    assert row["severity"] == "waived" and row["approved_by"] == "中共如皋市委组织部"
    assert row["reference"] == "皋组复〔2007〕12号" and row["reason"] == "确因工作需要留任" and row["expires"] == "2008-06-30"
    assert row["waiver"] == f"{waiver}:2" and csv_run.code == 0

    junit = run(book, "--waivers", waiver, lang=lang, fmt="junit")
    root = ET.fromstring(junit.stdout.split("\n", 1)[1])
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("retirement-age "))
    assert case.find("failure") is None and label in case.find("system-out").text
    assert "皋组复〔2007〕12号" in case.find("system-out").text and junit.code == 0

    github = run(book, "--waivers", waiver, lang=lang, fmt="github")
    [notice] = [line for line in github.stdout.splitlines() if "retirement-age" in line]
    assert notice.startswith(f"::notice file={book},line=2,title={label} retirement-age")
    assert "皋组复〔2007〕12号" in notice and "::error" not in github.stdout and github.code == 0

    target = tmp_path / "report.xlsx"
    xlsx = run(book, "--waivers", waiver, "--report", target, lang=lang)
    assert xlsx.code == 0
    sheets = openpyxl.load_workbook(target)
    listing = [r for r in sheets.worksheets[1].iter_rows(values_only=True)]
    [listed] = [r for r in listing if "retirement-age" in r]
    assert listed[0] == label and "皋组复〔2007〕12号" in listed
    exemptions = [r for r in sheets.worksheets[2].iter_rows(values_only=True)]
    assert exemptions[0][0] == {"zh": "类别", "en": "kind"}[lang]
    kinds = sorted(r[0] for r in exemptions[1:])
    assert kinds == sorted([label, {"zh": "讲话允许的豁免", "en": "exemption the speech allows"}[lang]])
    [approved] = [r for r in exemptions[1:] if r[0] == label]
    assert "中共如皋市委组织部" in approved and "皋组复〔2007〕12号" in approved and "2008-06-30" in approved

    out = tmp_path / "out.xlsx"
    assert run(book, "--waivers", waiver, "-o", out, lang=lang, fmt="xlsx").code == 0
    assert label in [c for r in openpyxl.load_workbook(out).worksheets[1].iter_rows(values_only=True) for c in r]


def test_the_summary_colours_only_what_is_left(tmp_path):
    rows = [[*r[:3], "男", *r[4:]] for r in ROWS]  # no woman on the committee: woman-on-committee, a warning
    book = slate(tmp_path, rows)
    before = run(book)
    assert before.report["townships"][0]["broken"].get("women_on_committees") == "warning"
    result = run(book, "--waivers", waiver_file(tmp_path, entry("woman-on-committee", township="城南镇", village="一村")))
    assert "women_on_committees" not in result.report["townships"][0]["broken"]
    assert result.report["townships"][0]["warnings"] == before.report["townships"][0]["warnings"] - 1
    assert [w["rule"] for w in result.report["waived"]] == ["woman-on-committee"]


# --------------------------------------------------------------------------- --no-waivers and finding the file


@pytest.mark.parametrize("lang, word", [("zh", "按 --no-waivers 未应用豁免文件"), ("en", "--no-waivers: the waiver file")])
def test_no_waivers_shows_the_findings_as_if_no_waiver_existed(tmp_path, lang, word):
    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(**ZHANG))
    result = run(book, "--waivers", waiver, "--no-waivers", lang=lang)
    assert result.code == 1 and rules_of(result, "retirement-age") and result.report["summary"]["errors"] == 1
    assert any(word in note and str(waiver) in note for note in result.report["notes"])
    plain = run(book, lang=lang)
    assert [v for v in plain.report["violations"]] == result.report["violations"]


def test_the_waiver_file_beside_rulecheck_toml_is_applied(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "rulecheck.toml").write_text('fail_on = "error"\n', encoding="utf-8")
    waiver_file(data, entry(**ZHANG), name="rulecheck-waivers.yaml")
    book = slate(data)
    result = run(data)
    assert result.code == 0 and [w["file"] for w in result.report["waived"]] == [str(book)]
    assert result.report["waivers"].endswith("rulecheck-waivers.yaml")
    assert run(data, "--no-waivers").code == 1
    assert run(data, "--no-config").code == 1  # no config: nothing beside it is looked for
    other = waiver_file(tmp_path, entry("woman-on-committee", township="城南镇"))
    named = run(data, "--waivers", other)  # --waivers wins over the file beside rulecheck.toml
    assert named.code == 1 and rules_of(named, "waiver-unmatched")


def test_a_waiver_file_without_rulecheck_toml_is_not_looked_for(tmp_path):
    waiver_file(tmp_path, entry(**ZHANG), name="rulecheck-waivers.yaml")
    assert run(slate(tmp_path)).code == 1


# --------------------------------------------------------------------------- unmatched and expired


@pytest.mark.parametrize("lang, words", [
    ("zh", ["waivers.yaml:2 的豁免(retirement-age,城南镇 一村 张三)没有对应任何问题", "人选可能已不在名单上"]),
    ("en", ["the waiver at", "waivers.yaml:2 (retirement-age, 城南镇 一村 张三) matches no finding", "left the slate"]),
])
def test_a_waiver_that_matches_nothing_is_a_warning_at_its_line(tmp_path, lang, words):
    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(township="城南镇", village="一村", name="张三"))  # a mistyped name
    result = run(book, "--waivers", waiver, lang=lang)
    assert result.code == 1 and rules_of(result, "retirement-age")  # not applied: the error stands
    [warning] = rules_of(result, "waiver-unmatched")
    assert warning["severity"] == "warning" and warning["waiver"]["file"] == str(waiver) and warning["waiver"]["line"] == 2
    for word in words:
        assert word in warning["message"], warning["message"]
    text = run(book, "--waivers", waiver, lang=lang, fmt="text").stdout
    assert f"{waiver}:2" in text and {"zh": "豁免文件", "en": "Waiver file"}[lang] in text
    github = run(book, "--waivers", waiver, lang=lang, fmt="github").stdout
    assert f"::warning file={waiver},line=2,title=waiver-unmatched" in github


def test_an_unmatched_waiver_is_a_warning_that_fail_on_warning_counts(tmp_path):
    rows = [r for r in ROWS if r[2] != "张老"]
    waiver = waiver_file(tmp_path, entry(**ZHANG))  # 张老 left the slate
    book = slate(tmp_path, rows)
    assert run(book, "--waivers", waiver).code == 0
    assert run(book, "--waivers", waiver, "--fail-on", "warning").code == 1
    junit = run(book, "--waivers", waiver, "--fail-on", "warning", fmt="junit")
    root = ET.fromstring(junit.stdout.split("\n", 1)[1])
    case = next(c for c in root.iter("testcase") if "waiver-unmatched" in c.get("name", ""))
    assert case.find("failure") is not None and f"{waiver}:2" in case.get("name")


@pytest.mark.parametrize("lang, words", [
    ("zh", ["waivers.yaml:2 的豁免", "已于 2007-09-30 到期,早于核对日 2007-10-20,不再适用", "1 个问题照常计数"]),
    ("en", ["waivers.yaml:2", "expired on 2007-09-30, before the as-of day 2007-10-20: it no longer applies",
            "the 1 finding it covered"]),
])
def test_an_expired_waiver_does_not_apply_and_says_so(tmp_path, lang, words):
    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(**ZHANG, expires="2007-09-30"))
    result = run(book, "--waivers", waiver, lang=lang)
    assert result.code == 1 and rules_of(result, "retirement-age") and not result.report["waived"]
    [warning] = rules_of(result, "waiver-expired")
    assert warning["severity"] == "warning" and warning["waiver"]["line"] == 2
    for word in words:
        assert word in warning["message"], warning["message"]
    assert not rules_of(result, "waiver-unmatched")  # said once, as expired


def test_a_waiver_applies_through_its_last_day(tmp_path):
    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(**ZHANG, expires="2007-09-30"))
    assert run(book, "--waivers", waiver, "--as-of", "2007-09-30").code == 0
    assert run(book, "--waivers", waiver, "--as-of", "2007-10-01").code == 1


def test_a_waiver_for_a_township_not_checked_is_a_note_not_a_warning(tmp_path):
    waiver = waiver_file(tmp_path, entry(**ZHANG), entry(township="丁堰镇", village="丁东村", name="某某"))
    for lang, word in (("zh", "涉及本次没有检查的镇(区):丁堰镇"), ("en", "townships not checked in this run: 丁堰镇")):
        result = run(slate(tmp_path), "--waivers", waiver, lang=lang)
        assert result.code == 0 and not rules_of(result, "waiver-unmatched")
        assert any(word in note for note in result.report["notes"])


# --------------------------------------------------------------------------- malformed waiver files


BAD = [
    # (entry text, line, key path, zh words, en words)
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: r\n    reference: x\n", 2, "waivers[0].approved_by",
     "缺少这一项(必填):批准单位", "required: the approving body (批准单位)"),
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: r\n    approved_by: a\n", 2, "waivers[0].reference",
     "缺少这一项(必填):批复文号", "required: the approval's reference (批复文号)"),
    ("  - township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n", 2, "waivers[0].rule",
     "缺少这一项(必填):规则编号", "required: the rule id"),
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: [a, b]\n    approved_by: a\n    reference: x\n", 4,
     "waivers[0].reason", "应为文字", "expected text"),
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n"
     "    expires: soon\n", 7, "waivers[0].expires", "应为日期(YYYY-MM-DD)", "expected a date (YYYY-MM-DD)"),
    ("  - rule: retirment-age\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n", 2,
     "waivers[0].rule", "没有规则「retirment-age」;可以豁免的规则:retirement-age",
     "unknown rule 'retirment-age'; waivable rules: retirement-age"),
    ("  - rule: duplicate-person\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n", 2,
     "waivers[0].rule", "规则「duplicate-person」不能豁免", "rule 'duplicate-person' cannot be waived"),
    ("  - rule: id-number-invalid\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n", 2,
     "waivers[0].rule", "规则「id-number-invalid」不能豁免", "rule 'id-number-invalid' cannot be waived"),
    ("  - rule: secretary-average-age\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n", 2,
     "waivers[0].rule", "没有把它标为 waivable: true", "does not mark it waivable: true"),
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: r\n    approved_by: a\n    reference: x\n"
     "    approver: b\n", 7, "waivers[0].approver", "未知的键「approver」", "unknown key 'approver'"),
    ("  - rule: retirement-age\n    reason: r\n    approved_by: a\n    reference: x\n", 2, "waivers[0]",
     "要写明豁免的对象", "say whom the waiver covers"),
    ("  - rule: retirement-age\n    township: 城南镇\n    name: 张老\n    reason: r\n    approved_by: a\n    reference: x\n",
     4, "waivers[0].name", "写了姓名(name)就要写所在的村(village)", "a name needs the village it is in"),
    ("  - rule: retirement-age\n    village: 一村\n    reason: r\n    approved_by: a\n    reference: x\n", 3,
     "waivers[0].village", "写了村(village)就要写所属的镇(township)", "a village needs its township"),
    ("  - rule: woman-on-committee\n    township: 城南镇\n    village: 一村\n    name: 张老\n    reason: r\n"
     "    approved_by: a\n    reference: x\n", 5, "waivers[0].name", "豁免对象应为村(社区)或镇(区)",
     "is about a village: its waiver covers a village or its township"),
    ("  - rule: retirement-age\n    township: 城南镇\n    reason: ' '\n    approved_by: a\n    reference: x\n", 4,
     "waivers[0].reason", "不能为空", "must not be blank"),
    ("  - rule: retirement-age\n    county: 如皋市\n    township: 城南镇\n    reason: r\n    approved_by: a\n"
     "    reference: x\n", 3, "waivers[0].county", None, None),
]


@pytest.mark.parametrize("text, line, key, zh, en", BAD)
def test_a_malformed_entry_stops_with_file_line_and_key_path(tmp_path, text, line, key, zh, en):
    ok = entry(**ZHANG)  # a good entry first: the bad one is the second, at its own lines
    waiver = tmp_path / "waivers.yaml"
    waiver.write_text("waivers:\n" + ok + text, encoding="utf-8")
    offset = ok.count("\n")
    key = key.replace("waivers[0]", "waivers[1]")
    book = slate(tmp_path)
    if zh is None:  # the bundled rules tell townships apart by county: a county is allowed, and a
        result = run(book, "--waivers", waiver)  # slate without a county column matches on the township
        assert result.code == 0 and not rules_of(result, "waiver-unmatched") and not result.report["notes"]
        return
    for lang, words in (("zh", zh), ("en", en)):
        result = run(book, "--waivers", waiver, lang=lang, fmt="text")
        assert result.code == 2 and result.stdout == ""
        assert f"{waiver}:{line + offset} {key}" in result.stderr, result.stderr
        assert words in result.stderr, result.stderr


@pytest.mark.parametrize("text, zh, en", [
    ("waivers:\n  - rule: x\n   bad: [\n", "YAML 格式错误", "YAML syntax error"),
    ("", "豁免文件是空的", "the waiver file is empty"),
    ("- rule: retirement-age\n", "应为映射", "expected a mapping"),
    ("waivers:\n  - &a\n    rule: retirement-age\n  - *a\n", "不允许使用锚点和别名", "anchors and aliases"),
    ("waiver:\n  - rule: retirement-age\n", "未知的键「waiver」", "unknown key 'waiver'"),
])
def test_a_waiver_file_that_is_not_a_waiver_file_stops_the_run(tmp_path, text, zh, en):
    waiver = tmp_path / "waivers.yaml"
    waiver.write_text(text, encoding="utf-8")
    for lang, words in (("zh", zh), ("en", en)):
        result = run(slate(tmp_path), "--waivers", waiver, lang=lang, fmt="text")
        assert result.code == 2 and str(waiver) in result.stderr and words in result.stderr, result.stderr
        assert "rule file" not in result.stderr and "规则文件" not in result.stderr


def test_a_missing_waiver_file_stops_the_run(tmp_path):
    for lang, words in (("zh", "找不到豁免文件"), ("en", "the waiver file does not exist")):
        result = run(slate(tmp_path), "--waivers", tmp_path / "nope.yaml", lang=lang, fmt="text")
        assert result.code == 2 and words in result.stderr and "nope.yaml" in result.stderr


def test_an_identity_number_written_as_a_number_is_read_as_its_digits(tmp_path):
    digits = "320682195001011239"  # all digits: YAML reads it as an integer, exactly
    loaded = waivers.load(waiver_file(tmp_path, entry(id_number=digits)), ruleset.load(None))
    assert loaded.entries[0].person == person_key(digits)
    # The waiver holds the number as a value (findings are values); it is masked when put into words.
    from rulecheck.findings import IdNumber
    from rulecheck.render.findings import Renderer

    note, _ = loaded.entries[0].who
    assert note.params == (("id", digits),) and type(note.params[0][1]) is IdNumber
    for lang, words in (("zh", "身份证号 320682********1239"), ("en", "identity number 320682********1239")):
        shown = Renderer(ruleset.load(None), lang).waiver(loaded.entries[0]).who
        assert digits not in shown and words in shown
    assert digits in Renderer(ruleset.load(None), "en", show_id=True).waiver(loaded.entries[0]).who


# --------------------------------------------------------------------------- apply() over a Report


def _report(findings: list[Violation]) -> Report:
    return Report(version="x", ruleset_id="r", ruleset_path="r", as_of="2007-10-20",
                  files=(), violations=tuple(findings), exempted=())


def _finding(name: str, rule: str = "retirement-age") -> Violation:
    return Violation(rule, "error", "person", "城南镇", "一村", name, Location("a.xlsx", "名单", 2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.sampled_from("甲乙丙丁戊"), max_size=8), waived=st.lists(st.sampled_from("甲乙丙己"), max_size=4),
       days=st.lists(st.sampled_from([None, "2007-10-19", "2007-10-20"]), min_size=4, max_size=4))
def test_apply_moves_each_covered_finding_and_warns_once_per_idle_waiver(tmp_path, people, waived, days):
    entries = [entry(township="城南镇", village="一村", name=n, expires=d) for n, d in zip(waived, days)]
    loaded = waivers.load(waiver_file(tmp_path, *entries), ruleset.load(None))
    report = _report([_finding(n) for n in people])
    out = waivers.apply(report, loaded)
    live = {n for n, d in zip(waived, days) if d != "2007-10-19"}
    assert sorted(v.name for v in out.waived) == sorted(n for n in people if n in live)
    assert all(v.waiver is not None and v.waiver.name == v.name for v in out.waived)
    kept = [v for v in out.violations if v.rule == "retirement-age"]
    assert sorted(v.name for v in kept) == sorted(n for n in people if n not in live)
    own = [v for v in out.violations if v.scope == "waiver"]
    assert len(own) == sum(d == "2007-10-19" or n not in people for n, d in zip(waived, days))
    assert out.count("error") == len(kept) and out.count("warning") == len(own)
    assert report.violations == tuple(_finding(n) for n in people)  # the report it was given is unchanged


def test_a_rule_file_whose_rows_are_villages_waives_by_township_and_village(tmp_path):
    rules = Path("rules/public-service-centre.yaml")
    sample = Path("samples/service-centres.xlsx")
    before = run("--rules", rules, sample)
    assert [(v["township"], v["village"]) for v in rules_of(before, "one-office-room")] == [("搬经镇", "夏庄村")]
    result = run("--rules", rules, sample, "--waivers",
                 waiver_file(tmp_path, entry("one-office-room", township="搬经镇", village="夏庄村")))
    assert not rules_of(result, "one-office-room") and [w["village"] for w in result.report["waived"]] == ["夏庄村"]
    assert result.report["summary"]["errors"] == before.report["summary"]["errors"] - 1
    refused = run("--rules", rules, sample, "--waivers",
                  waiver_file(tmp_path, entry("office-area", township="搬经镇"), name="other.yaml"), fmt="text")
    assert refused.code == 2 and "other.yaml:2 waivers[0].rule" in refused.stderr


# --------------------------------------------------------------------------- waivers as values (issue 11)


def test_a_waived_report_is_values_and_renders_in_either_language_as_the_command_line_writes_it(tmp_path):
    from rulecheck.findings import IdNumber, Note
    from rulecheck.formats import writer
    from rulecheck.render.findings import render
    from rulecheck.run import check_paths

    book = slate(tmp_path)
    waiver = waiver_file(tmp_path, entry(id_number=ZHANG_ID), entry(township="城南镇", village="一村", name="张三"),
                         entry(**ZHANG, expires="2007-09-30"), entry(township="丁堰镇", village="丁东村", name="某某"))
    rules = ruleset.load(None)
    report = waivers.apply(check_paths([book], rules), waivers.load(waiver, rules))
    # Values: the waived finding, the waiver warnings and the note carry no sentence and no language.
    [done] = report.waived
    assert done.rule == "retirement-age" and done.waiver.person == person_key(ZHANG_ID)
    own = [v for v in report.violations if v.scope == "waiver"]
    assert [v.rule for v in own] == ["waiver-unmatched", "waiver-expired"]
    assert not any(hasattr(v, "message") for v in (done, *own))
    assert type(done.waiver.who[0].params[0][1]) is IdNumber
    assert [n.key for n in report.notes] == ["waivers-elsewhere"] and all(type(n) is Note for n in report.notes)
    words = {"zh": ["身份证号 " + ZHANG_ID[:6] + "********" + ZHANG_ID[-4:], "没有对应任何问题", "不再适用",
                    "涉及本次没有检查的镇(区):丁堰镇"],
             "en": ["identity number " + ZHANG_ID[:6] + "********" + ZHANG_ID[-4:], "matches no finding",
                    "it no longer applies", "townships not checked in this run: 丁堰镇"]}
    for lang in ("zh", "en"):
        for show_id, extra in ((False, ()), (True, ("--show-id",))):
            out = io.StringIO()
            writer("json")(render(report, rules, lang, show_id), out)
            cli = run(book, "--waivers", waiver, *extra, lang=lang)
            # one Report, either language, as the CLI writes it (the only error is waived: exit 0)
            assert cli.code == 0 and out.getvalue() == cli.stdout
            assert (ZHANG_ID in cli.stdout) is show_id
        masked, text = io.StringIO(), io.StringIO()
        writer("json")(render(report, rules, lang), masked)
        writer("text")(render(report, rules, lang), text)
        assert ZHANG_ID not in masked.getvalue() + text.getvalue()
        shown = json.loads(masked.getvalue()) | {"text": text.getvalue()}
        for word in words[lang]:
            assert word in json.dumps(shown, ensure_ascii=False), word
    assert render(report, rules, "en").rule_titles["waiver-unmatched"] == "A waiver covers a finding"
    assert render(report, rules, "zh").rule_titles["waiver-expired"] == "豁免在有效期内"
