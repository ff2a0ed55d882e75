"""Rule files: the bundled ones load, and every mistake stops with file:line, key path and what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulecheck.rulefile import ruleset

MINIMAL = """\
ruleset:
  id: tiny
  title: {zh: 小, en: tiny}
  source: test
  as_of: 2007-10-20
params:
  limit: 40
columns:
  township: {title: {zh: 镇, en: township}, aliases: [镇], required: true}
  name: {title: {zh: 姓名, en: name}, aliases: [姓名], required: true}
  area: {title: {zh: 面积, en: area}, aliases: [面积], type: number}
groups:
  township: [township]
rules:
  - id: area-limit
    severity: error
    scope: person
    title: {zh: 面积, en: area}
    when: area > limit
    message: {zh: "面积 {area}", en: "area {area}"}
"""


def load(tmp_path: Path, text: str) -> ruleset.Ruleset:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return ruleset.load(path)


def failure(tmp_path: Path, text: str) -> str:
    with pytest.raises(ruleset.RuleFileError) as exc:
        load(tmp_path, text)
    return str(exc.value).replace(str(tmp_path / "rules.yaml"), "rules.yaml")


def test_bundled_rule_files_load() -> None:
    speech = ruleset.load()
    assert speech.spec.ruleset.id == "rugao-2007" and len(speech.rules) >= 13
    assert all(rule.spec.quote for rule in speech.rules if not rule.id.startswith(("id-", "age-", "role-", "first-", "value-", "duplicate-")))
    other = ruleset.load(Path(__file__).parent.parent / "rules" / "public-service-centre.yaml")
    assert [r.id for r in other.rules] == ["one-office-room", "office-area", "capable-members-share"]


def test_minimal_file_loads(tmp_path: Path) -> None:
    rules = load(tmp_path, MINIMAL)
    assert rules.rule("area-limit").needs == frozenset({frozenset({"area"})})


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    when: area > limit", "    when: avg(area) > limit",
     "rules.yaml:19 rules[0].when: unknown function 'avg'; functions: age, all, any,"),
    ("    when: area > limit", "    when: aera > limit",
     "rules.yaml:19 rules[0].when: unknown name 'aera'; known names: area, as_of, limit, name, township"),
    ("    when: area > limit", "    when: area > 'forty'",
     "rules.yaml:19 rules[0].when: cannot compare number with text"),
    ("    when: area > limit", "    when: area / 0 > limit",
     "rules.yaml:19 rules[0].when: division by zero"),
    ("    when: area > limit", "    when: area",
     "rules.yaml:19 rules[0].when: must be true/false, but is number"),
    ("    severity: error", "    severity: fatal",
     "rules.yaml:16 rules[0].severity: Input should be 'error', 'warning' or 'notice'"),
    ("    scope: person", "    scope: village",
     "rules.yaml:17 rules[0].scope: unknown scope 'village'; scopes: person, township"),
    ("    severity: error", "    severity: error\n    colour: red",
     "rules.yaml:17 rules[0].colour: unknown key 'colour'"),
    ("  limit: 40", "  limit: [40]",
     "rules.yaml:7 params.limit: expected a number, a date (YYYY-MM-DD), true/false or text"),
    ("type: number}", "type: decimal}",
     "rules.yaml:11 columns.area.type: Input should be 'text', 'number',"),
    ("  township: [township]", "  township: [town]",
     "rules.yaml:13 groups.township[0]: unknown column 'town'; columns: township, name, area"),
    ('{zh: "面积 {area}"', '{zh: "面积 {size}"',
     "rules.yaml:20 rules[0].message.zh: unknown placeholder '{size}'"),
    ('{zh: "面积 {area}"', '{zh: "面积 {area:%Y}"',
     "rules.yaml:20 rules[0].message.zh: format '%Y' does not fit area (number)"),
    ("  id: tiny\n", "  id: tiny\n  row_label: who\n",
     "rules.yaml:3 ruleset.row_label: unknown column 'who'"),
    ("  - id: area-limit", "  - id: Area_Limit",
     "rules.yaml:15 rules[0].id: String should match pattern"),
])
def test_mistakes_name_file_line_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    assert failure(tmp_path, MINIMAL.replace(old, new, 1)).startswith(expected)


def test_a_rule_id_used_twice(tmp_path: Path) -> None:
    rule = MINIMAL[MINIMAL.index("  - id: area-limit"):]
    assert failure(tmp_path, MINIMAL + rule).startswith(
        "rules.yaml:21 rules[1].id: rule id 'area-limit' is used twice (also rules[0])")


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    assert failure(tmp_path, MINIMAL.replace("  limit: 40", "  limit: [40")).startswith("rules.yaml:8: YAML syntax error")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert failure(tmp_path, "") == "rules.yaml: the rule file is empty"
    with pytest.raises(ruleset.RuleFileError, match="cannot read the rule file"):
        ruleset.load(tmp_path / "absent.yaml")


def test_python_in_a_rule_file_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINIMAL.replace("    when: area > limit", f"    when: __import__('os').system('touch {marker}') > 0")
    assert "rules[0].when" in failure(tmp_path, text)
    yaml_tag = MINIMAL.replace("  limit: 40", f"  limit: !!python/object/apply:os.system ['touch {marker}']")
    assert "rules.yaml" in failure(tmp_path, yaml_tag)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["rugao-2007.yaml", "public-service-centre.yaml"])
def test_every_quote_is_verbatim_from_the_speech(name: str) -> None:
    folder = Path(__file__).parent.parent / "rules"
    speech = (folder / "sources" / "rugao-2007.txt").read_text(encoding="utf-8")
    quotes = [rule.spec.quote for rule in ruleset.load(folder / name).rules if rule.spec.quote]
    assert quotes and [q for q in quotes if q not in speech] == []
