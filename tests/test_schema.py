"""``rulecheck schema`` (issue 12): the JSON Schema of rule files, checked with a real JSON Schema validator.

jsonschema (a test dependency only) validates the schema itself against the 2020-12 meta-schema and
the bundled rule files against the schema, as an editor's YAML language server would; where the
schema and the pydantic models could disagree, both are asked and must agree.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rulecheck.cli import _invoke
from rulecheck.rulefile import ruleset as ruleset_module
from rulecheck.rulefile.examples import bundled_files
from rulecheck.rulefile.schema import rule_file_schema


def as_editor_sees(data: Any) -> Any:
    """A rule file's data as JSON: dates as the text they are written in (YYYY-MM-DD)."""
    if isinstance(data, dict):
        return {k: as_editor_sees(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_editor_sees(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return rule_file_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def bundled(path: Path) -> dict[str, Any]:
    data, _ = ruleset_module.read_yaml(path)
    return as_editor_sees(data)


def errors(validator: jsonschema.protocols.Validator, data: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(data)]


def test_the_command_prints_a_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code = _invoke(["schema"])
    out = capsys.readouterr().out
    assert code == 0
    printed = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed == json.loads(json.dumps(rule_file_schema()))
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_installed_command_prints_only_the_schema() -> None:
    done = subprocess.run([sys.executable, "-m", "rulecheck", "schema"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    jsonschema.Draft202012Validator.check_schema(json.loads(done.stdout))


def test_help_in_zh_and_en(capsys: pytest.CaptureFixture[str]) -> None:
    assert _invoke(["schema", "--help"]) == 0
    out = capsys.readouterr().out
    assert "用法:rulecheck schema" in out and "输出规则文件的 JSON Schema" in out
    assert _invoke(["schema", "--help", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Usage: rulecheck schema" in out and "Print the JSON Schema of rule files" in out


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_the_bundled_rule_files_validate(validator: jsonschema.protocols.Validator, path: Path) -> None:
    assert errors(validator, bundled(path)) == []


def test_the_bundled_files_are_those_the_checker_ships() -> None:
    assert {p.name for p in bundled_files()} >= {"rugao-2007.yaml", "public-service-centre.yaml"}


def test_the_schema_describes_examples(schema: dict[str, Any]) -> None:
    rule = schema["$defs"]["RuleSpec"]
    examples = schema["$defs"]["Examples"]
    assert "examples" in rule["properties"]
    assert set(examples["properties"]) == {"as_of", "pass", "fail"}
    assert examples["additionalProperties"] is False
    assert schema["$defs"]["ExampleGroup"]["required"] == ["rows"]


def _mutations() -> list[tuple[str, Any]]:
    """Mistakes a rule file's author makes as they type, each (what, change to the rugao file's data)."""
    def rule0(change: Any) -> Any:
        def apply(data: dict[str, Any]) -> None:
            change(data["rules"][0])
        return apply
    return [
        ("unknown key in a rule", rule0(lambda r: r.update(colour="red"))),
        ("severity not one of three", rule0(lambda r: r.update(severity="fatal"))),
        ("a title without English", rule0(lambda r: r["title"].pop("en"))),
        ("an example as a list", rule0(lambda r: r["examples"]["pass"].append([1, 2]))),
        ("an empty group", rule0(lambda r: r["examples"]["pass"].append({"rows": []}))),
        ("a group with another key", rule0(lambda r: r["examples"]["fail"].append({"rows": [{"出生年月": "1970.01"}], "x": 1}))),
        ("a cell holding a list", rule0(lambda r: r["examples"]["fail"].append({"出生年月": [1970]}))),
        ("examples with an unknown key", rule0(lambda r: r["examples"].update(passing=[]))),
        ("examples' as_of not a date", rule0(lambda r: r["examples"].update(as_of="soon"))),
        ("a column without aliases", lambda d: d["columns"]["name"].update(aliases=[])),
        ("a column type not known", lambda d: d["columns"]["name"].update(type="string")),
        ("no rules", lambda d: d.update(rules=[])),
    ]


@pytest.mark.parametrize(("what", "change"), _mutations(), ids=[m[0] for m in _mutations()])
def test_a_mistyped_rule_file_fails_the_schema_and_the_models_alike(
        validator: jsonschema.protocols.Validator, what: str, change: Any) -> None:
    data = copy.deepcopy(bundled(ruleset_module.default_path()))
    change(data)
    assert errors(validator, data), what
    with pytest.raises(ValidationError):
        ruleset_module.RulesetSpec.model_validate(data)


def test_a_good_change_passes_both(validator: jsonschema.protocols.Validator) -> None:
    data = copy.deepcopy(bundled(ruleset_module.default_path()))
    data["rules"][0]["examples"]["pass"].append({"rows": [{"出生年月": 1970.05, "是否留任": True, "选举日期": "2007-10-01"}]})
    data["rules"][0]["examples"]["as_of"] = "2007-10-01"
    assert errors(validator, data) == []
    ruleset_module.RulesetSpec.model_validate(data)


_CELLS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=8), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
_ROWS = st.dictionaries(st.sampled_from(["出生年月", "是否留任", "rows", "拟任职务"]), _CELLS, max_size=3)
_ITEMS = st.one_of(_ROWS, st.fixed_dictionaries({"rows": st.lists(_ROWS, max_size=2)}), st.integers(), st.lists(_ROWS, max_size=1))


@settings(max_examples=150, deadline=None)
@given(examples=st.dictionaries(st.sampled_from(["pass", "fail", "as_of", "note"]),
                                st.one_of(st.lists(_ITEMS, max_size=2), st.just("2007-10-20"), st.text(max_size=3)),
                                max_size=3))
def test_the_schema_and_the_models_agree_on_examples(examples: dict[str, Any]) -> None:
    """Whatever the shape of a rule's ``examples``, the schema accepts it exactly when the models do."""
    validator = jsonschema.Draft202012Validator(rule_file_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    data = copy.deepcopy(_BASE)
    data["rules"][0]["examples"] = examples
    by_schema = not list(validator.iter_errors(data))
    try:
        ruleset_module.RulesetSpec.model_validate(data)
        by_models = True
    except ValidationError:
        by_models = False
    assert by_schema == by_models, examples


_BASE = as_editor_sees(ruleset_module.read_yaml(ruleset_module.default_path())[0])
