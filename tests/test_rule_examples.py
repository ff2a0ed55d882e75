"""Rule files that test themselves (issue 12): a rule's ``examples``, ``rulecheck test-rules`` and ``--explain``.

Every rule file here is built in tmp_path; each example runs through the real reader and engine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from rulecheck.cli import _invoke
from rulecheck.rulefile import examples as examples_module
from rulecheck.rulefile import ruleset as ruleset_module

HEAD = """\
ruleset:
  id: offices
  title: {zh: 办公室, en: offices}
  source: test
  as_of: 2007-10-20
params:
  limit: 40
columns:
  township:
    title: {zh: 镇(区), en: township}
    aliases: [镇(区), 镇]
    required: true
  village:
    title: {zh: 村(社区), en: village}
    aliases: [村(社区), 村]
  name:
    title: {zh: 姓名, en: name}
    aliases: [姓名]
    required: true
  area:
    title: {zh: 办公室面积, en: office area}
    aliases: [办公室面积, 办公面积]
    type: number
  birth:
    title: {zh: 出生年月, en: birth date}
    aliases: [出生年月]
    type: birth-date
groups:
  township: [township]
  village: [township, village]
rules:
"""

AREA_RULE = """\
  - id: office-area
    severity: error
    scope: person
    title: {zh: 办公室面积不超过40平方米, en: Office at most 40 m²}
    when: area > limit
    observed: area
    message: {zh: "办公室面积 {area} 平方米 > {limit}", en: "office area {area} m² > {limit}"}
"""

# a township's total office area: only a group of rows can break it
TOTAL_RULE = """\
  - id: township-area
    severity: error
    scope: township
    title: {zh: 全镇办公室面积合计不超过100平方米, en: Township office area at most 100 m² in all}
    let:
      total: sum(area)
    when: total > 100
    observed: total
    message: {zh: "全镇办公室面积合计 {total:.0f} 平方米", en: "township office area {total:.0f} m² in all"}
"""

AGE_RULE = """\
  - id: over-60
    severity: error
    scope: person
    title: {zh: 不超过60周岁, en: At most 60}
    when: age(birth) > 60
    message: {zh: "超过60周岁", en: "over 60"}
"""


def rule_file(tmp_path: Path, *rules_and_examples: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + "".join(rules_and_examples), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of ``path`` holding ``text``."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = _invoke([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def console(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``rulecheck`` in a process of its own: the exit code as the shell sees it."""
    return subprocess.run([sys.executable, "-m", "rulecheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


# --------------------------------------------------------------------------- examples that behave, and those that do not


def test_right_examples_pass_in_zh_and_en(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {办公室面积: 40}
        - {办公面积: 12.5}
      fail:
        - {办公室面积: 40.5}
""")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 0
    assert "1 条规则的 3 个示例全部符合预期" in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert code == 0
    assert "all 3 examples behave as written (rules with examples: 1)" in out


def test_a_fail_example_that_passes_is_named_with_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {办公室面积: 40}
      fail:
        - {办公室面积: 41}
        - {办公室面积: 39}     # wrong: 39 is allowed
""")
    line = line_of(path, "办公室面积: 39")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert f"{path}:{line} rules[0].examples.fail[1]:规则 office-area 的这个示例应当违反该规则,却没有违反;没有违反任何规则" in out
    assert "3 个示例中有 1 个不符合预期" in out
    assert "fail[0]" not in out and "pass[0]" not in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert code == 1
    assert f"{path}:{line} rules[0].examples.fail[1]: this example of rule office-area should break the rule, but does not" in out
    assert "1 of 3 examples do not behave as written" in out


def test_a_pass_example_that_breaks_the_rule_quotes_the_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {办公室面积: 45}
      fail:
        - {办公室面积: 41}
""")
    line = line_of(path, "办公室面积: 45")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert f":{line} rules[0].examples.pass[0]:规则 office-area 的这个示例应当通过,却违反了该规则:办公室面积 45 平方米 > 40" in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert f":{line} rules[0].examples.pass[0]: this example of rule office-area should pass, but breaks the rule: office area 45 m² > 40" in out


def test_a_fail_example_must_fail_that_rule_not_another(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example breaks over-60 but not office-area, whose example it is: reported, naming what it did break."""
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      fail:
        - {办公室面积: 30, 出生年月: "1940.01"}
""", AGE_RULE, """\
    examples:
      pass:
        - {出生年月: "1950.01", 办公室面积: 99}     # breaks office-area: fine, that is another rule
      fail:
        - {出生年月: "1940.01"}
""")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert "rules[0].examples.fail[0]:规则 office-area 的这个示例应当违反该规则,却没有违反;违反的是其他规则:over-60" in out
    assert "rules[1]" not in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert "rules[0].examples.fail[0]: this example of rule office-area should break the rule, but does not; it breaks other rules only: over-60" in out


def test_a_pass_example_on_which_the_rule_was_not_checked_is_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No 办公室面积 column: the rule cannot run, so the example proves nothing."""
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {出生年月: "1970.01"}
      fail:
        - {办公室面积: 41}
""")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert "rules[0].examples.pass[0]:规则 office-area 未能在这个示例上检查,缺少列:办公室面积" in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert "rules[0].examples.pass[0]: rule office-area could not be checked on this example; it lacks the columns: office area" in out


def test_an_example_that_cannot_be_read_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every row's required 姓名 is blank: the workbook has no candidates, and the example is not a pass."""
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {姓名: ~, 办公室面积: 30}
""")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert "rules[0].examples.pass[0]:规则 office-area 的这个示例无法检查:" in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert "rules[0].examples.pass[0]: this example of rule office-area could not be checked:" in out


# --------------------------------------------------------------------------- groups of rows


def test_group_examples_are_checked_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, TOTAL_RULE, """\
    examples:
      pass:
        - rows:
            - {办公室面积: 60}
            - {办公室面积: 40}
      fail:
        - rows:
            - {办公室面积: 60}
            - {办公室面积: 41}
        - rows:                   # wrong: 100 in all is allowed
            - {办公室面积: 50}
            - {办公室面积: 50}
""")
    line = line_of(path, "# wrong")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1
    assert f"{path}:{line} rules[0].examples.fail[1]:规则 township-area 的这个示例应当违反该规则" in out
    assert "fail[0]" not in out and "pass[0]" not in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert f"{path}:{line} rules[0].examples.fail[1]: this example of rule township-area should break the rule" in out


def test_a_group_is_one_slate_but_each_example_its_own(tmp_path: Path) -> None:
    """Two examples of one township rule are not added up: each is checked on its own."""
    path = rule_file(tmp_path, TOTAL_RULE, """\
    examples:
      pass:
        - rows: [{办公室面积: 60}]
        - rows: [{办公室面积: 60}]
""")
    result = examples_module.check_file(path)
    assert [r.verdict for r in result.results] == ["ok", "ok"]


def test_filled_in_columns_and_the_sheet_an_example_becomes(tmp_path: Path) -> None:
    """The written titles first, then the required and grouping columns and the row label, filled in."""
    path = rule_file(tmp_path, TOTAL_RULE, """\
    examples:
      pass:
        - rows: [{办公面积: 10}, {办公面积: 20, 村: 东村}]
""")
    ruleset = ruleset_module.load(path)
    rule = ruleset.rule("township-area")
    (_, rows), = rule.spec.examples.items()
    assert examples_module.table(ruleset, rule, rows) == [
        ["办公面积", "村", "镇(区)", "姓名"],
        [10, None, "示例", "示例1"],
        [20, "东村", "示例", "示例2"],
    ]


def test_example_cells_are_written_as_their_kind_and_text_is_never_a_formula(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    examples_module.write_workbook(target, [["姓名", "办公室面积", "出生年月"], ["=1+1", 40, "1970.05"]])
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 40 and sheet["C2"].value == "1970.05"


def test_a_name_that_looks_like_a_formula_is_read_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, AREA_RULE, """\
    examples:
      pass:
        - {姓名: "=SUM(A1:A9)", 办公室面积: 30}
      fail:
        - {姓名: "=1+1", 办公室面积: 41}
""")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 0, out


# --------------------------------------------------------------------------- the as-of day


def test_examples_count_ages_on_their_own_as_of_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = """\
    examples:
      {as_of}
      pass:
        - {{出生年月: "1946.01"}}
      fail:
        - {{出生年月: "1940.01"}}
"""
    # on the rule file's day (2007-10-20) someone born in January 1946 is 61: the pass example breaks the rule
    path = rule_file(tmp_path, AGE_RULE, body.format(as_of=""))
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 1 and "rules[0].examples.pass[0]:规则 over-60 的这个示例应当通过,却违反了该规则" in out
    # on 2006-06-01 they are 60
    path = rule_file(tmp_path, AGE_RULE, body.format(as_of="as_of: 2006-06-01"), name="dated.yaml")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 0, out


# --------------------------------------------------------------------------- broken examples: the rule file is broken


@pytest.mark.parametrize(("examples", "where", "zh", "en"), [
    ("      pass:\n        - {出生年: 1970}\n", "rules[0].examples.pass[0].出生年",
     "没有列「出生年」;列有:镇(区), 村(社区), 姓名, 办公室面积, 出生年月", "unknown column '出生年'; columns: 镇(区)"),
    ("      pass:\n        - {办公室面积: 40, 办公面积: 40}\n", "rules[0].examples.pass[0].办公面积",
     "「办公室面积」和「办公面积」是同一列(area)", "'办公室面积' and '办公面积' are the same column (area)"),
    ("      fail:\n        - rows:\n            - {办公室面积: 40}\n            - {面积: 1}\n", "rules[0].examples.fail[0].rows[1].面积",
     "没有列「面积」", "unknown column '面积'"),
    ("      pass:\n        - {办公室面积: [40]}\n", "rules[0].examples.pass[0].办公室面积",
     "应为数字、日期(YYYY-MM-DD)、true/false 或文字", "expected a number, a date (YYYY-MM-DD), true/false or text"),
    ("      pass:\n        - rows: []\n", "rules[0].examples.pass[0].rows", "", "at least 1 item"),
    ("      pass:\n        - rows: [{办公室面积: 1}]\n          note: x\n", "rules[0].examples.pass[0].note",
     "未知的键「note」", "unknown key 'note'"),
    ("      as_of: soon\n      pass:\n        - {办公室面积: 40}\n", "rules[0].examples.as_of", "应为日期(YYYY-MM-DD)", "valid date"),
    # pydantic alone would read 0 as the Unix epoch, 1970-01-01
    ("      as_of: 0\n      pass:\n        - {办公室面积: 40}\n", "rules[0].examples.as_of", "应为日期(YYYY-MM-DD)", "valid date"),
    ("      passing:\n        - {办公室面积: 40}\n", "rules[0].examples.passing", "未知的键「passing」;可用的键:as_of, pass, fail",
     "unknown key 'passing'; keys: as_of, pass, fail"),
    ("      pass: []\n", "rules[0].examples", "示例至少要在 'pass' 或 'fail' 下写一行", "examples need at least one row under 'pass' or 'fail'"),
])
def test_a_malformed_example_stops_with_file_line_and_key_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], examples: str, where: str, zh: str, en: str) -> None:
    path = rule_file(tmp_path, AREA_RULE, "    examples:\n" + examples)
    code, out, err = cli(capsys, "test-rules", path)
    assert code == 2 and out == ""
    assert f"rulecheck: {path}:" in err and f" {where}:" in err and zh in err
    code, out, err = cli(capsys, "test-rules", path, "--lang", "en")
    assert code == 2 and f" {where}: " in err and en in err
    # the same mistake stops an ordinary check too: the examples are part of the rule file
    code, _, err = cli(capsys, "--rules", path, "--list-rules")
    assert code == 2 and where in err


def test_rules_without_examples_are_listed_and_do_not_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, AREA_RULE, AGE_RULE, "    examples:\n      fail:\n        - {出生年月: \"1940.01\"}\n")
    code, out, _ = cli(capsys, "test-rules", path)
    assert code == 0
    assert f"{path}:1 条规则的 1 个示例全部符合预期\n{path}:1 条规则没有示例:office-area" in out
    code, out, _ = cli(capsys, "test-rules", path, "--lang", "en")
    assert f"{path}: rules without examples (1): office-area" in out
    bare = rule_file(tmp_path, AREA_RULE, name="bare.yaml")
    code, out, _ = cli(capsys, "test-rules", bare, "--lang", "en")
    assert code == 0 and out == f"{bare}: rules without examples (1): office-area\n"


def test_a_missing_rule_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "test-rules", tmp_path / "nope.yaml")
    assert code == 2 and "无法读取规则文件" in err
    code, _, err = cli(capsys, "test-rules", tmp_path / "nope.yaml", "--lang", "en")
    assert code == 2 and "cannot read the rule file" in err


# --------------------------------------------------------------------------- the command as the shell runs it


def test_exit_codes_through_the_installed_command(tmp_path: Path) -> None:
    good = rule_file(tmp_path, AREA_RULE, "    examples:\n      pass:\n        - {办公室面积: 40}\n", name="good.yaml")
    bad = rule_file(tmp_path, AREA_RULE, "    examples:\n      pass:\n        - {办公室面积: 41}\n", name="bad.yaml")
    broken = rule_file(tmp_path, AREA_RULE, "    examples:\n      pass:\n        - {面积: 41}\n", name="broken.yaml")
    assert console("test-rules", good).returncode == 0
    done = console("test-rules", bad, "--lang", "en")
    assert done.returncode == 1, done.stderr  # 1 is the true answer here, not turned into 2
    assert "should pass, but breaks the rule" in done.stdout
    assert console("test-rules", good, bad).returncode == 1
    assert console("test-rules", good, broken).returncode == 2


def test_a_file_named_test_rules_is_checked_as_a_slate(tmp_path: Path) -> None:
    (tmp_path / "test-rules").mkdir()
    done = console("test-rules", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2 and "test-rules" in done.stderr  # a folder with no spreadsheets, not the command


def test_the_rules_of_rulecheck_toml_are_the_default(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rule_file(tmp_path, AREA_RULE, "    examples:\n      fail:\n        - {办公室面积: 1}\n", name="ours.yaml")
    (tmp_path / "rulecheck.toml").write_text('rules = "ours.yaml"\nlang = "en"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "test-rules")
    assert code == 1 and "ours.yaml:" in out and "should break the rule" in out
    code, out, _ = cli(capsys, "test-rules", "--no-config")
    assert code == 0 and "rugao-2007.yaml" in out and "ours.yaml" not in out


def test_help_lists_the_commands_in_zh_and_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    flat = "".join(out.split())  # the listing is wrapped like any paragraph of the page
    assert code == 0 and "rulechecktest-rules运行规则文件中各条规则自带的示例,列出与预期不符的示例" in flat
    assert "rulecheckschema输出规则文件的JSONSchema" in flat
    code, out, _ = cli(capsys, "--help", "--lang", "en")
    flat = " ".join(out.split())
    assert "Run the examples each rule of a rule file carries" in flat and "Print the JSON Schema of rule files" in flat
    code, out, _ = cli(capsys, "test-rules", "--help")
    assert code == 0 and "要运行其示例的规则文件" in out and "用法:rulecheck test-rules" in out
    assert "运行规则文件中各条规则自带的示例" in out
    code, out, _ = cli(capsys, "test-rules", "--help", "--lang", "en")
    assert "Rule files (YAML) whose examples to run" in out


# --------------------------------------------------------------------------- the bundled rule files


def test_the_bundled_rule_files_pass_their_own_examples(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no rulecheck.toml: the bundled files
    code, out, err = cli(capsys, "test-rules")
    assert code == 0, out + err
    assert "rugao-2007.yaml:20 条规则的" in out and "public-service-centre.yaml:3 条规则的" in out
    assert "没有示例" not in out


@pytest.mark.parametrize("path", examples_module.bundled_files(), ids=lambda p: p.name)
def test_every_bundled_rule_has_a_passing_and_a_failing_example(path: Path) -> None:
    ruleset = ruleset_module.load(path)
    for rule in ruleset.rules:
        assert rule.spec.examples is not None, rule.id
        assert rule.spec.examples.passing and rule.spec.examples.failing, rule.id


def test_the_bundled_examples_discriminate(tmp_path: Path) -> None:
    """Swap every rule's pass and fail: every example must then misbehave (none passes either way)."""
    source = ruleset_module.default_path().read_text(encoding="utf-8")
    swapped = (source.replace("      pass:\n", "      PASS:\n").replace("      fail:\n", "      pass:\n")
               .replace("      PASS:\n", "      fail:\n"))
    path = tmp_path / "swapped.yaml"
    path.write_text(swapped, encoding="utf-8")
    result = examples_module.check_file(path)
    assert result.results and not [r for r in result.results if r.ok]
    assert {r.verdict for r in result.results} == {"broke", "did-not-break"}


# --------------------------------------------------------------------------- --explain


def test_explain_shows_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--explain", "retirement-age")
    assert code == 0
    assert "  示例(应通过):\n    - 出生年月: 1953.01, 是否留任: 是\n" in out
    assert "  示例(应违反):\n    - 出生年月: 1952.10, 是否留任: 是\n" in out
    code, out, _ = cli(capsys, "--explain", "retirement-age", "--lang", "en")
    assert "  examples that pass:\n    - 出生年月: 1953.01, 是否留任: 是\n" in out
    assert "  examples that break it:\n" in out


def test_explain_shows_a_group_and_the_examples_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = rule_file(tmp_path, TOTAL_RULE, """\
    examples:
      as_of: 2008-01-01
      fail:
        - rows:
            - {办公室面积: 60, 村: ~}
            - {办公室面积: 41}
""")
    code, out, _ = cli(capsys, "--rules", path, "--explain", "township-area")
    assert code == 0
    assert "  示例的核对日: 2008-01-01\n  示例(应违反):\n    - 办公室面积: 60, 村: (空)\n      办公室面积: 41" in out
    assert "示例(应通过)" not in out
    code, out, _ = cli(capsys, "--rules", path, "--explain", "township-area", "--lang", "en")
    assert "  examples' as-of day: 2008-01-01\n  examples that break it:\n    - 办公室面积: 60, 村: (blank)\n      办公室面积: 41" in out
