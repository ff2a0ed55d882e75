"""Everything a user sees is in the user's language: the help page, click's own errors, rule-file and
rulecheck.toml errors, operating-system errors; and the small things a staffer trips over (issue 10)."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import test_faults_rules
from faultkit import good_slate
from rulecheck.render import i18n
from rulecheck.cli import _invoke
from rulecheck.render.messages import t

# three or more English words in a row: a sentence, not a name
_ENGLISH = re.compile(r"(?<![\w./-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}(?![\w/-])")


def english_in(text: str, *allowed: str) -> list[str]:
    """The English runs in ``text``, once option names, paths, rule ids and ``allowed`` are taken out."""
    for word in allowed:
        text = text.replace(word, " ")
    text = re.sub(r"--?[A-Za-z][\w-]*", " ", text)  # option names
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # paths
    text = re.sub(r"\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b", " ", text)  # rule ids, keys
    return _ENGLISH.findall(text)


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """The command line as ``rulecheck`` runs it (language read from argv first), in process."""
    code = _invoke([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def console(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command itself, in a process of its own."""
    return subprocess.run([sys.executable, "-m", "rulecheck", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_english_detector_finds_a_sentence_and_passes_names() -> None:
    assert english_in("错误:No such option: --formt") == ["No such option"]
    assert english_in("规则 retirement-age 与 --fail-on warning 和 /tmp/a b c/x.xlsx") == []


# --------------------------------------------------------------------------- the language, before click parses


@pytest.mark.parametrize(("argv", "lang"), [
    (["--lang", "en", "x.xlsx"], "en"), (["--lang=en"], "en"), (["x.xlsx"], None), (["--", "--lang", "en"], None),
    (["--lang"], None), (["--lang=zh", "--help"], "zh"),
])
def test_the_language_is_read_from_argv(argv: list[str], lang: str | None) -> None:
    assert i18n.language(argv) == lang
    assert i18n.usable(i18n.language(argv)) == (lang or "zh")


# --------------------------------------------------------------------------- the help page and click's errors


def test_help_in_chinese_by_default_and_english_on_request() -> None:
    zh, en = console("--help"), console("--help", "--lang", "en")
    assert zh.returncode == en.returncode == 0 and zh.stderr == en.stderr == ""
    for words in ("用法:rulecheck [选项] [文件或文件夹]...", "选项:", "显示本帮助信息后退出。", "按规则文件检查村党组织换届拟任人选名单",
                  "退出码:0 未发现错误", "[默认:text]", "--report 文件.xlsx", "提示信息的语言:zh|en"):
        assert words in zh.stdout, words
    assert english_in(zh.stdout, "text|json|csv|junit|github|xlsx", "error|warning|never") == [], zh.stdout
    for words in ("Usage: rulecheck [OPTIONS] [PATHS]...", "Options:", "Show this message and exit.",
                  "Exit codes: 0 no errors, 1 errors found, 2 some input could not be checked.", "[default: text]"):
        assert words in en.stdout, words
    for option in ("--rules", "--as-of", "--format", "--output", "--report", "--annotate", "--fail-on", "--lang",
                   "--list-rules", "--explain", "--version", "--help"):
        assert option in zh.stdout and option in en.stdout, option


def test_chinese_help_lines_fit_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-h")
    assert code == 0
    assert max(i18n.display_width(line) for line in out.splitlines()) <= 80  # a Chinese character is two columns


def test_a_mistyped_option_in_both_languages() -> None:
    zh, en = console("--formt", "json"), console("--lang", "en", "--formt", "json")
    assert zh.returncode == en.returncode == 2 and zh.stdout == en.stdout == ""
    assert "错误:没有这个选项:--formt。是不是要输入 --format" in zh.stderr
    assert "用法:rulecheck [选项]" in zh.stderr and "用 'rulecheck -h' 查看帮助。" in zh.stderr
    assert english_in(zh.stderr) == [], zh.stderr
    assert "Error: No such option: --formt. Did you mean --format" in en.stderr
    assert "Usage: rulecheck [OPTIONS]" in en.stderr and "Try 'rulecheck -h' for help." in en.stderr


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["--format"], "错误:选项 --format 后面需要一个值", "Error: Option '--format' requires an argument."),
    (["--lnag", "en"], "没有这个选项:--lnag。是不是要输入 --lang", "No such option: --lnag. Did you mean --lang"),
    (["--show-id=yes"], "选项 --show-id 不接受取值", "Option '--show-id' does not take a value."),
])
def test_clicks_own_errors_in_both_languages(capsys: pytest.CaptureFixture[str], args: list[str], zh: str, en: str) -> None:
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, "") and zh in err and english_in(err) == [], err
    code, out, err = cli(capsys, "--lang", "en", *args)
    assert (code, out) == (2, "") and en in err


@pytest.mark.parametrize(("message", "zh"), [
    ("'x' is not a valid integer.", "「x」不是有效的整数"),
    ("Missing parameter: paths", "缺少参数:paths"),
    ("Got unexpected extra argument (b.xlsx)", "多出了参数:b.xlsx"),
])
def test_clicks_other_messages_have_chinese(message: str, zh: str) -> None:
    assert i18n.click_message(message, "zh") == zh and english_in(i18n.click_message(message, "zh")) == []
    assert i18n.click_message(message, "en") != zh


# --------------------------------------------------------------------------- rule-file errors

_CASES = test_faults_rules.test_rule_file_mistakes_stop_the_run.pytestmark[0].args[1]


def _stop(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *lang: str) -> str:
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "--rules", rules, good_slate(tmp_path), *lang)
    assert (code, out) == (2, ""), err
    assert err.startswith(f"rulecheck: {rules}")
    return err.replace(str(rules), "rules.yaml")


@pytest.mark.parametrize(("old", "new", "expected"), _CASES)
def test_every_rule_file_mistake_reads_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str,
                                                  new: str, expected: str) -> None:
    text = test_faults_rules.MINIMAL.replace(old, new, 1)
    zh = _stop(capsys, tmp_path, text)
    place = expected.split(": ", 1)[0]  # rules.yaml:20 rules[0].when, as the English names it
    assert zh.startswith(f"rulecheck: {place}:"), zh
    assert english_in(zh) == [], zh
    assert re.search(r"[\u4e00-\u9fff]", zh.split(place, 1)[1])
    assert _stop(capsys, tmp_path, text, "--lang", "en").startswith(f"rulecheck: {expected}")


@pytest.mark.parametrize(("old", "new", "zh", "en"), [
    ("    severity: error", "    severity: error\n    colour: red", "rules.yaml:18 rules[0].colour:未知的键「colour」;可用的键:id",
     "rules.yaml:18 rules[0].colour: unknown key 'colour'; keys: id"),
    ("  limit: 40", "\tlimit: 40", "rules.yaml:7:YAML 格式错误:", "rules.yaml:7: YAML syntax error"),
    ("    when: age(born) > limit", "    when: avg(born) > limit",
     "rules.yaml:20 rules[0].when:未知的函数「avg」;可用的函数:age, all", "unknown function 'avg'; functions: age, all"),
    ("    when: age(born) > limit", "    when: age(born) / 0 > limit", "除以零", "division by zero"),
    ("required: true}", "required: [yes]}", "columns.township.required:应为 true 或 false", "Input should be a valid boolean"),
    ("    severity: error", "    severity: fatal", "只能是 'error'、'warning' 或 'notice'", "Input should be 'error', 'warning' or 'notice'"),
])
def test_rule_file_errors_in_both_languages(capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str,
                                            zh: str, en: str) -> None:
    text = test_faults_rules.MINIMAL.replace(old, new, 1)
    assert zh in _stop(capsys, tmp_path, text)
    assert en in _stop(capsys, tmp_path, text, "--lang", "en")


def test_a_missing_rule_file_in_both_languages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(capsys, "--rules", tmp_path / "nope.yaml", good_slate(tmp_path))
    assert code == 2 and "无法读取规则文件:文件或文件夹不存在" in err and english_in(err) == []
    code, _, err = cli(capsys, "--rules", tmp_path / "nope.yaml", good_slate(tmp_path), "--lang", "en")
    assert code == 2 and "cannot read the rule file: No such file or directory" in err


def test_a_rule_file_error_follows_the_language_of_rulecheck_toml(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules.yaml").write_text(test_faults_rules.MINIMAL.replace("params:", "paramz:"), encoding="utf-8")
    (tmp_path / "rulecheck.toml").write_text('lang = "en"\nrules = "rules.yaml"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, good_slate(tmp_path))
    assert code == 2 and "unknown key 'paramz'" in err


# --------------------------------------------------------------------------- rulecheck.toml errors


def _toml(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *lang: str) -> str:
    config = tmp_path / "rulecheck.toml"
    config.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, good_slate(tmp_path), *lang)
    assert (code, out) == (2, ""), err
    assert err.count(str(config)) == 1, err  # the file is named once
    return err.replace(str(config), "rulecheck.toml").strip()


@pytest.mark.parametrize(("text", "zh", "en"), [
    ('lang = "zh"\nfail_on = "error"\nfail_on = "never"\n', "rulecheck.toml:3: 配置文件格式错误:同一个键写了两次",
     "rulecheck.toml:3: not valid TOML: a key is set twice"),
    ('as_of = 2007-10-20\n\n[township."城北镇"]\nas_of = 2007-09-30\n',
     "rulecheck.toml:3 township: 未知的配置项「township」;可用的配置项:rules", "rulecheck.toml:3 township: unknown key 'township'"),
    ('[townships."城北镇"]\nas_of = 2007-09-30\n[townships."城北镇"]\n', "rulecheck.toml:3: 配置文件格式错误:表 [townships.城北镇] 声明了两次",
     "rulecheck.toml:3: not valid TOML: the table [townships.城北镇] is declared twice"),
    ('as_of = "tomorrow"\n', "rulecheck.toml:1 as_of: 取值无效:应为日期(YYYY-MM-DD)",
     "rulecheck.toml:1 as_of: invalid value: Input should be a valid date"),
    ('fail_on = "sometimes"\n', "rulecheck.toml:1 fail_on: 只能是 error|warning|never,收到「sometimes」",
     "rulecheck.toml:1 fail_on: takes one of error|warning|never, got 'sometimes'"),
    ('lang = zh\n', "rulecheck.toml:1: 配置文件格式错误:值的写法不对", "rulecheck.toml:1: not valid TOML: the value is not valid TOML"),
    ('rules = "r.yaml"\n[aliases]\nname = ["a"\n', "rulecheck.toml:3: 配置文件格式错误:", "rulecheck.toml:3: not valid TOML:"),
])
def test_rulecheck_toml_errors_in_both_languages(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, zh: str,
                                                 en: str) -> None:
    said = _toml(capsys, tmp_path, text)
    assert said.startswith(f"rulecheck: {zh}"), said
    assert english_in(said) == [], said
    assert _toml(capsys, tmp_path, text, "--lang", "en").startswith(f"rulecheck: {en}")


def test_a_broken_toml_speaks_the_language_it_asks_for(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "not valid TOML: a key is set twice" in _toml(capsys, tmp_path, 'lang = "en"\nas_of = 1\nas_of = 2\n')
    assert "only" not in _toml(capsys, tmp_path, 'lang = "en"\nfail_on = "sometimes"\n').split("takes one of")[0]


def test_a_missing_config_file_is_named_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    code, _, err = cli(capsys, "--config", missing, good_slate(tmp_path))
    assert code == 2 and err == f"rulecheck: {missing}: 找不到这个配置文件\n"
    code, _, err = cli(capsys, "--config", missing, good_slate(tmp_path), "--lang", "en")
    assert code == 2 and err == f"rulecheck: {missing}: no such config file\n"


# --------------------------------------------------------------------------- operating-system errors


@pytest.mark.parametrize(("code", "zh", "en"), [
    (errno.EPERM, "不允许该操作", "Operation not permitted"),
    (errno.ENOENT, "文件或文件夹不存在", "No such file or directory"),
    (errno.EACCES, "没有权限", "Permission denied"),
    (errno.EISDIR, "这是一个文件夹", "Is a directory"),
    (errno.ENOSPC, "磁盘空间不足", "No space left on device"),
    (errno.ENOTDIR, "路径中有一段不是文件夹", "Not a directory"),
])
def test_system_errors_in_both_languages(code: int, zh: str, en: str) -> None:
    exc = OSError(code, "whatever the system says")
    assert (i18n.os_reason(exc, "zh"), i18n.os_reason(exc, "en")) == (zh, en)


def test_an_unlisted_system_error_is_still_not_english() -> None:
    exc = OSError(errno.ECONNRESET, "Connection reset by peer")
    assert i18n.os_reason(exc, "zh") == "系统错误 ECONNRESET" and i18n.os_reason(exc, "en") == "Connection reset by peer"


@pytest.mark.parametrize("option", ["--report", "--output"])
def test_a_write_under_a_file_fails_in_the_users_language(tmp_path: Path, option: str) -> None:
    (tmp_path / "somefile.txt").write_text("", encoding="utf-8")
    good = good_slate(tmp_path)
    target = "somefile.txt/x.xlsx" if option == "--report" else "somefile.txt/x.json"
    extra = [] if option == "--report" else ["-f", "json"]
    zh = console(good, option, target, *extra, cwd=tmp_path)
    en = console(good, option, target, *extra, "--lang", "en", cwd=tmp_path)
    assert zh.returncode == en.returncode == 2
    assert f"rulecheck: 无法写入 {target}:路径中有一段不是文件夹" in zh.stderr and english_in(zh.stderr) == [], zh.stderr
    assert f"rulecheck: cannot write {target}: Not a directory" in en.stderr


# --------------------------------------------------------------------------- rules shown by their titles


def test_an_unknown_rule_lists_titles_with_their_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--explain", "no-such-rule")
    assert code == 2 and "没有这条规则:no-such-rule" in err
    assert "55周岁以上原则上不再留任(retirement-age)、" in err and english_in(err) == [], err
    code, _, err = cli(capsys, "--explain", "no-such-rule", "--lang", "en")
    assert code == 2 and "unknown rule 'no-such-rule'" in err
    assert "No retention at 55 or over without an exemption (retirement-age); " in err


def test_the_rule_list_speaks_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--list-rules")
    assert code == 0 and "编号 rugao-2007" in out and re.search(r"retirement-age +错误 +人选 +\* 55周岁", out)
    assert english_in(out) == [], out
    code, out, _ = cli(capsys, "--list-rules", "--lang", "en")
    assert code == 0 and re.search(r"retirement-age +error +person +\* No retention at 55", out)


# --------------------------------------------------------------------------- small things a staffer trips over


def test_a_missing_file_is_not_counted_as_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good, missing = good_slate(tmp_path), tmp_path / "missing.xlsx"
    code, out, _ = cli(capsys, good, missing)
    assert code == 2 and out.rstrip().splitlines()[-1].startswith("共检查 1 个文件、3 名人选")
    assert out.rstrip().endswith("1 个文件无法检查")
    code, out, _ = cli(capsys, good, missing, "--lang", "en")
    assert out.rstrip().splitlines()[-1].startswith("files 1, candidates 3") and out.rstrip().endswith("files not checked 1")


def test_outputs_make_their_missing_folders(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    report, output = tmp_path / "new" / "dir" / "r.xlsx", tmp_path / "other" / "deep" / "x.json"
    code, _, err = cli(capsys, good, "--report", report, "-o", output, "-f", "json")
    assert code == 1, err  # the good slate's one violation
    assert openpyxl.load_workbook(report).sheetnames and output.read_text(encoding="utf-8").startswith("{")
    assert t("zh", "wrote", path=report) in err


def _many_violations(folder: Path) -> Path:
    from faultkit import HEADER, workbook

    rows = [["城南镇", f"{i}村", f"张{i}", "男", "1940.01", "书记", "是"] for i in range(60)]
    return workbook(folder / "old.xlsx", [HEADER, *rows])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_violations_sheet_prints_well(capsys: pytest.CaptureFixture[str], tmp_path: Path, lang: str) -> None:
    report = tmp_path / "r.xlsx"
    code, _, err = cli(capsys, _many_violations(tmp_path), "--report", report, "--lang", lang)
    assert code == 1, err
    sheet = openpyxl.load_workbook(report)[t(lang, "sheet-violations")]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"  # the header row on every page
    headers = [c.value for c in sheet[1]]
    message = get_letter(headers.index(t(lang, "col-message")) + 1)
    observed = get_letter(headers.index(t(lang, "col-observed")) + 1)
    assert all(sheet[f"{message}{i}"].alignment.wrap_text for i in range(2, sheet.max_row + 1))
    assert sheet.column_dimensions[message].width <= 48
    assert 10 <= sheet.column_dimensions[observed].width <= 24
    assert sheet.max_row > 40  # enough rows for several pages


def get_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_a_summary_naming_an_unknown_rule_lists_the_rules_by_title(capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    text = test_faults_rules.MINIMAL + (
        "summary:\n  - key: old\n    title: {zh: 年长, en: old}\n    value: count(age(born) > limit)\n    rule: too-olde\n")
    zh = _stop(capsys, tmp_path, text)
    assert "没有规则「too-olde」;规则有:年龄(too-old)" in zh and english_in(zh) == [], zh
    assert "unknown rule 'too-olde'; rules: age (too-old)" in _stop(capsys, tmp_path, text, "--lang", "en")


def _click_error(name: str) -> type:
    import typer

    return getattr(sys.modules[typer.BadParameter.__module__], name)


def test_missing_argument_and_invalid_value_in_both_languages() -> None:
    missing = _click_error("MissingParameter")(param_hint="'PATHS'", param_type="argument")
    assert i18n.error_text(missing, "zh") == "错误:缺少参数 'PATHS'"
    assert i18n.error_text(missing, "en") == "Error: Missing argument 'PATHS'."
    bad = _click_error("BadParameter")("'x' is not a valid integer.", param_hint="'--limit'")
    assert i18n.error_text(bad, "zh") == "错误:'--limit' 的取值无效:「x」不是有效的整数"
    assert i18n.error_text(bad, "en") == "Error: Invalid value for '--limit': 'x' is not a valid integer."
    plain = _click_error("BadParameter")("'x' is not a valid integer.")
    assert i18n.error_text(plain, "zh") == "错误:取值无效:「x」不是有效的整数"
    assert i18n.error_text(plain, "en").startswith("Error: Invalid value: ")
