"""rulecheck.toml: discovery from the checked paths, precedence of the command line, errors that name
file, line and key, exclusion globs, extra header aliases and per-township settings."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from report_slate import write_slate
from rulecheck import config
from rulecheck.rulefile import ruleset
from rulecheck.cli import app

RULES = ruleset.load()


def run(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def township(data: dict, name: str) -> dict:
    return next(row for row in data["townships"] if row["township"] == name)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder with the slate one level down: data/城北/slate.xlsx."""
    (tmp_path / "data" / "城北").mkdir(parents=True)
    write_slate(tmp_path / "data" / "城北" / "slate.xlsx")
    return tmp_path / "data"


# --------------------------------------------------------------------------- discovery


def test_found_by_walking_up_from_a_file_and_from_a_folder(folder: Path) -> None:
    (folder / "rulecheck.toml").write_text('fail_on = "never"\n', encoding="utf-8")
    slate = folder / "城北" / "slate.xlsx"
    assert config.discover([slate]) == [folder / "rulecheck.toml"]
    assert config.discover([folder]) == [folder / "rulecheck.toml"]
    assert config.discover([folder / "城北"]) == [folder / "rulecheck.toml"]
    assert run(str(slate))[0] == 0  # fail_on = never from the file


def test_the_nearest_file_wins(folder: Path) -> None:
    (folder / "rulecheck.toml").write_text('fail_on = "never"\n', encoding="utf-8")
    (folder / "城北" / "rulecheck.toml").write_text('fail_on = "error"\n', encoding="utf-8")
    assert config.discover([folder / "城北" / "slate.xlsx"]) == [folder / "城北" / "rulecheck.toml"]
    assert run(str(folder / "城北" / "slate.xlsx"))[0] == 1


def test_paths_under_different_files_are_refused(folder: Path, tmp_path: Path) -> None:
    (folder / "城北" / "rulecheck.toml").write_text("", encoding="utf-8")
    (tmp_path / "other").mkdir()
    write_slate(tmp_path / "other" / "slate.xlsx")
    (tmp_path / "other" / "rulecheck.toml").write_text("", encoding="utf-8")
    code, _, err = run(str(folder / "城北"), str(tmp_path / "other"))
    assert code == 2 and "rulecheck.toml" in err and "分别检查" in err


def test_no_config_and_explicit_config(folder: Path, tmp_path: Path) -> None:
    (folder / "rulecheck.toml").write_text('fail_on = "never"\n', encoding="utf-8")
    assert run(str(folder), "--no-config")[0] == 1
    elsewhere = tmp_path / "strict.toml"
    elsewhere.write_text('fail_on = "warning"\nlang = "en"\n', encoding="utf-8")
    code, data, _ = run(str(folder), "--config", str(elsewhere))
    assert code == 1 and data["fail_on"] == "warning" and data["ruleset"]["title"].startswith("2007 village")
    assert run(str(folder), "--config", str(tmp_path / "missing.toml"))[0] == 2


# --------------------------------------------------------------------------- precedence


def test_command_line_wins_over_the_file(folder: Path) -> None:
    (folder / "rulecheck.toml").write_text(
        'fail_on = "never"\nlang = "en"\nas_of = 2007-01-01\n', encoding="utf-8")
    code, data, _ = run(str(folder))
    assert (code, data["fail_on"], data["ruleset"]["as_of"]) == (0, "never", "2007-01-01")
    assert data["ruleset"]["title"].startswith("2007 village")
    code, data, _ = run(str(folder), "--fail-on", "error", "--lang", "zh", "--as-of", "2007-10-20")
    assert (code, data["fail_on"], data["ruleset"]["as_of"]) == (1, "error", "2007-10-20")
    assert data["ruleset"]["title"].startswith("2007年")


def test_rules_path_is_relative_to_the_file(folder: Path) -> None:
    rules = folder / "local.yaml"
    rules.write_text(Path(RULES.path).read_text(encoding="utf-8").replace("max_average_age: 45", "max_average_age: 50"),
                     encoding="utf-8")
    (folder / "rulecheck.toml").write_text('rules = "local.yaml"\n', encoding="utf-8")
    _, data, _ = run(str(folder))
    assert "secretary-average-age" not in {v["rule"] for v in data["violations"]}
    _, data, _ = run(str(folder), "--rules", RULES.path)
    assert "secretary-average-age" in {v["rule"] for v in data["violations"]}


def test_list_rules_uses_the_config_of_the_current_folder(folder: Path, monkeypatch) -> None:
    (folder / "rulecheck.toml").write_text('lang = "en"\n', encoding="utf-8")
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["--list-rules"])
    assert result.exit_code == 0 and "Village secretaries' average age at most 45" in result.stdout


# --------------------------------------------------------------------------- errors with file, line and key


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ('fail_on = "error"\ncolour = "red"\n', 2, "colour", "unknown key 'colour'"),
    ('fail_on = "sometimes"\n', 1, "fail_on", "error|warning|never"),
    ('lang = "fr"\n', 1, "lang", "zh|en"),
    ('as_of = "yesterday"\n', 1, "as_of", "invalid value"),
    ('exclude = [\n  "a",\n  3,\n]\n', 1, "exclude[1]", "invalid value"),
    ('[townships."城北镇"]\nas_of = 2007-10-01\nparams = { max_average_age = 46, speed = 1 }\nsize = 3\n',
     4, 'townships."城北镇".size', "unknown key 'size'; valid keys: as_of, params"),
    ("[aliases\n", 1, "", "not valid TOML"),
])
def test_a_bad_file_names_file_line_and_key(folder: Path, text: str, line: int, key: str, words: str) -> None:
    path = folder / "rulecheck.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError) as caught:
        config.load(path, "en")
    assert (caught.value.line, caught.value.key) == (line, key)
    assert words in caught.value.message
    code, _, err = run(str(folder), "--lang", "en")
    assert code == 2 and f"{path}:{line}" in err


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ('[aliases]\nname = ["候选人"]\nshoe_size = ["鞋码"]\n', 3, "aliases.shoe_size", "no column 'shoe_size'"),
    ('[townships."城北镇"]\nparams = { max_average_age = 46, speed = 1 }\n', 2,
     'townships."城北镇".params.speed', "no parameter 'speed'"),
    ('[townships."城北镇".params]\nmax_average_age = "old"\n', 2,
     'townships."城北镇".params.max_average_age', "takes a number"),
    ('[townships."城北镇"]\n[townships."城北 镇"]\n', 2, 'townships."城北 镇"', "settings twice"),
])
def test_settings_the_rule_file_does_not_have_are_refused(folder: Path, text: str, line: int, key: str, words: str) -> None:
    path = folder / "rulecheck.toml"
    path.write_text(text, encoding="utf-8")
    loaded = config.load(path, "en")
    with pytest.raises(config.ConfigError) as caught:
        loaded.aliases(RULES, "en")
        loaded.townships(RULES, "en")
    assert (caught.value.line, caught.value.key) == (line, key)
    assert words in caught.value.message
    code, _, err = run(str(folder), "--lang", "en")
    assert code == 2 and f"{path}:{line} {key}" in err


def test_errors_are_in_chinese_by_default(folder: Path) -> None:
    (folder / "rulecheck.toml").write_text('colour = "red"\n', encoding="utf-8")
    code, _, err = run(str(folder))
    assert code == 2 and "未知的配置项「colour」" in err


# --------------------------------------------------------------------------- what the settings do


def test_exclude_globs_pass_over_files_in_folders(folder: Path) -> None:
    (folder / "草稿").mkdir()
    write_slate(folder / "草稿" / "old.xlsx")
    write_slate(folder / "城北" / "slate-备份.xlsx")
    (folder / "rulecheck.toml").write_text('exclude = ["草稿/", "*备份*"]\n', encoding="utf-8")
    _, data, _ = run(str(folder))
    assert [Path(f["path"]).name for f in data["files"]] == ["slate.xlsx"]
    _, data, _ = run(str(folder / "草稿" / "old.xlsx"))  # a file named on its own is always checked
    assert len(data["files"]) == 1


def test_aliases_let_other_headers_be_read(folder: Path) -> None:
    book = openpyxl.load_workbook(folder / "城北" / "slate.xlsx")
    book.active["C2"] = "候选人"
    book.save(folder / "城北" / "slate.xlsx")
    code, _, _ = run(str(folder))
    assert code == 2  # no name column
    (folder / "rulecheck.toml").write_text('[aliases]\nname = ["候选人"]\n', encoding="utf-8")
    code, data, _ = run(str(folder))
    assert code == 1 and data["summary"]["rows"] == 8


def test_a_township_can_have_its_own_day_and_parameters(folder: Path) -> None:
    _, before, _ = run(str(folder))
    assert township(before, "丁堰镇")["values"]["secretary_average_age"] == 42.5
    (folder / "rulecheck.toml").write_text(
        '[townships."丁堰镇"]\nas_of = 2008-10-20\nparams = { max_average_age = 43 }\n', encoding="utf-8")
    _, after, _ = run(str(folder))
    dingyan = township(after, "丁堰镇")
    assert dingyan["as_of"] == "2008-10-20"
    assert dingyan["values"]["secretary_average_age"] == 43.5  # a year older
    assert dingyan["broken"]["secretary_average_age"] == "error"  # 43.5 > 43
    chengbei = township(after, "城北镇")
    assert (chengbei["as_of"], chengbei["values"]["secretary_average_age"]) == ("2007-10-20", 47.0)
    messages = [v["message"] for v in after["violations"] if v["rule"] == "secretary-average-age"]
    assert sorted(messages) == ["村书记平均年龄 43.5 岁 > 43", "村书记平均年龄 47.0 岁 > 45"]
    # everything else found is the same as one run over all rows
    assert len(after["violations"]) == len(before["violations"]) + 1


def test_a_configured_township_that_no_slate_names_is_noted(folder: Path) -> None:
    (folder / "rulecheck.toml").write_text('[townships."白蒲镇"]\nas_of = 2007-10-01\n', encoding="utf-8")
    _, data, _ = run(str(folder))
    assert data["notes"] == ["rulecheck.toml 为镇(区)「白蒲镇」单独设置了核对日或参数,但名单中没有这个镇(区)"]


def test_key_lines_cover_tables_dotted_and_inline_keys() -> None:
    text = ('rules = "r.yaml"  # comment [\nexclude = [\n  "a[1]",\n  "b",\n]\n'
            '[townships."城北镇"]\nparams = { max_average_age = 46, "odd key" = 1 }\n'
            "[townships.'丁堰镇'.params]\nretirement_age = 56\n")
    lines = config.key_lines(text)
    assert lines[("rules",)] == 1 and lines[("exclude",)] == 2
    assert lines[("townships", "城北镇", "params", "odd key")] == 7
    assert lines[("townships", "丁堰镇", "params", "retirement_age")] == 9
