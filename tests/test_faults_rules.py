"""Bad rule files through the command line: each stops the run with file:line, the key path and what is valid, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from faultkit import good_slate
from rulecheck.cli import app

MINIMAL = """\
ruleset:
  id: tiny
  title: {zh: 小, en: tiny}
  source: test
  as_of: 2007-10-20
params:
  limit: 40
  zero: 0
columns:
  township: {title: {zh: 镇, en: township}, aliases: [镇, 镇(区)], required: true}
  name: {title: {zh: 姓名, en: name}, aliases: [姓名], required: true}
  born: {title: {zh: 出生年月, en: born}, aliases: [出生年月], type: birth-date}
groups:
  township: [township]
rules:
  - id: too-old
    severity: error
    scope: person
    title: {zh: 年龄, en: age}
    when: age(born) > limit
    message: {zh: "年龄", en: "age"}
"""


def stop(tmp_path: Path, text: str) -> str:
    """Run with this rule file over a good slate: it must stop with exit 2 before checking; the message."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["--rules", str(rules), str(good_slate(tmp_path)), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # nothing was checked against a broken rule file
    assert result.stderr.startswith(f"rulecheck: {rules}")
    return result.stderr.strip().replace(str(rules), "rules.yaml")


def test_the_minimal_rule_file_runs(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(app, ["--rules", str(rules), str(good_slate(tmp_path))])
    assert result.exit_code == 1 and "too-old" in result.stdout


@pytest.mark.parametrize(("old", "new", "expected"), [
    # YAML syntax
    ("  limit: 40", "  limit: [40", "rules.yaml:8: YAML syntax error"),
    ("  limit: 40", "\tlimit: 40", "rules.yaml:7: YAML syntax error"),
    # unknown keys: the valid ones are listed
    ("    severity: error", "    severity: error\n    colour: red",
     "rules.yaml:18 rules[0].colour: unknown key 'colour'; keys: id, severity, scope, title,"),
    ("params:", "paramz:", "rules.yaml:6 paramz: unknown key 'paramz'; keys: ruleset, params, columns, groups, derive, rules"),
    ("aliases: [姓名], required: true}", "aliases: [姓名], required: true, optional: false}",
     "rules.yaml:11 columns.name.optional: unknown key 'optional'; keys: title, aliases, type, categories, required,"),
    # unknown functions, columns and names: the valid ones are listed
    ("    when: age(born) > limit", "    when: avg(born) > limit", "rules.yaml:20 rules[0].when: unknown function 'avg'; functions: age, all, any,"),
    ("    when: age(born) > limit", "    when: age(birth) > limit", "rules.yaml:20 rules[0].when: unknown name 'birth'; known names: as_of, born,"),
    ("    when: age(born) > limit", "    when: blank(limit)", "rules.yaml:20 rules[0].when: blank() takes the name of a column; columns: born, name, township"),
    ("  township: [township]", "  township: [town]", "rules.yaml:14 groups.township[0]: unknown column 'town'; columns: township, name, born"),
    ("    scope: person", "    scope: county", "rules.yaml:18 rules[0].scope: unknown scope 'county'; scopes: person, township"),
    # wrong types
    ("required: true}", "required: [yes]}", "rules.yaml:10 columns.township.required: Input should be a valid boolean"),
    ("  as_of: 2007-10-20", "  as_of: next tuesday", "rules.yaml:5 ruleset.as_of: Input should be a valid date"),
    ("    severity: error", "    severity: fatal", "rules.yaml:17 rules[0].severity: Input should be 'error', 'warning' or 'notice'"),
    ("type: birth-date}", "type: birthday}", "rules.yaml:12 columns.born.type: Input should be 'text', 'number', 'date', 'birth-date',"),
    ("    when: age(born) > limit", "    when: age(born)", "rules.yaml:20 rules[0].when: must be true/false, but is number"),
    # expressions that cannot be right
    ("    when: age(born) > limit", "    when: age(born) / 0 > limit", "rules.yaml:20 rules[0].when: division by zero"),
    ("    when: age(born) > limit", "    when: age(born) / zero > limit", "rules.yaml:20 rules[0].when: division by zero: the divisor is always 0"),
    ("    when: age(born) > limit", "    when: age(born) / (limit - 40) > 1", "rules.yaml:20 rules[0].when: division by zero: the divisor is always 0"),
    ("    when: age(born) > limit", "    when: age(born) > '40'", "rules.yaml:20 rules[0].when: cannot compare number with text"),
    ("    when: age(born) > limit", "    when: name > 40", "rules.yaml:20 rules[0].when: cannot compare text with number"),
    # things a rule file never needs
    ("  limit: 40", "  limit: &forty 40\n  other: *forty", "rules.yaml:8: anchors and aliases (&name, *name) are not allowed"),
    ("  limit: 40", "  ? [a, b]\n  : 40", "rules.yaml:7: a key must be a plain word"),
])
def test_rule_file_mistakes_stop_the_run(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    assert stop(tmp_path, MINIMAL.replace(old, new, 1)).startswith(f"rulecheck: {expected}")


def test_a_rule_id_used_twice(tmp_path: Path) -> None:
    rule = MINIMAL[MINIMAL.index("  - id: too-old"):]
    assert stop(tmp_path, MINIMAL + rule).startswith(
        "rulecheck: rules.yaml:22 rules[1].id: rule id 'too-old' is used twice (also rules[0])")


def test_yaml_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))
    assert "anchors and aliases" in stop(tmp_path, laughs)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    assert "nested too deeply" in stop(tmp_path, "[" * 5000 + "]" * 5000)


@pytest.mark.parametrize("payload", [
    "    when: __import__('os').system('touch {marker}') > 0",
    "    when: eval(\"open('{marker}', 'w')\")",
    "  limit: !!python/object/apply:os.system ['touch {marker}']",
    "  limit: !!python/name:os.system",
])
def test_nothing_in_a_rule_file_is_executed(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "X"
    target = "    when: age(born) > limit" if payload.startswith("    when") else "  limit: 40"
    message = stop(tmp_path, MINIMAL.replace(target, payload.format(marker=marker), 1))
    assert "rules.yaml:" in message
    assert not marker.exists()


def test_nothing_in_a_spreadsheet_is_executed(tmp_path: Path) -> None:
    """Cells that look like formulas or code are data: read as text, never evaluated."""
    import openpyxl

    marker = tmp_path / "X"
    book = openpyxl.Workbook()
    book.active.append(["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任"])
    book.active.append(["城南镇", "一村", f"__import__('os').system('touch {marker}')", "男", "1950.01", "书记", "是"])
    book.active.append(["城南镇", "一村", "=cmd|' /C calc'!A0", "女", "1949.01", "委员", "是"])
    book.active["C3"].data_type = "s"  # text that looks like a formula, as a pasted cell keeps it
    book.save(tmp_path / "code.xlsx")
    result = CliRunner().invoke(app, [str(tmp_path / "code.xlsx"), "--format", "json"])
    assert result.exit_code == 1 and not marker.exists()
    names = {v["name"] for v in json.loads(result.stdout)["violations"]}
    assert names >= {"=cmd|' /C calc'!A0", f"__import__('os').system('touch {marker}')"}  # kept as text


@pytest.mark.parametrize("day", ["2007-13-01", "2007-02-30", "0000-01-01"])
def test_a_date_that_is_none_is_named_at_its_line(tmp_path: Path, day: str) -> None:
    """YAML reads 2007-13-01 as a date and fails to build it: the rule file's error, never a crash."""
    assert stop(tmp_path, MINIMAL.replace("as_of: 2007-10-20", f"as_of: {day}")) == \
        f"rulecheck: rules.yaml:5: '{day}' is not a date (YYYY-MM-DD)"
    rules = tmp_path / "rules.yaml"
    zh = CliRunner().invoke(app, ["--rules", str(rules), "--list-rules"])
    assert zh.exit_code == 2 and f"「{day}」不是日期(应为 YYYY-MM-DD)" in zh.stderr
