"""The command line, run as users run it: ``python -m rulecheck`` in a subprocess from the repo root.

Every invocation is started at once by the ``runs`` fixture (the interpreter's start-up and the pandas
import dominate each run), and each test reads its own run's exit code, stdout and stderr.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from rulecheck import __version__
from rulecheck.table.idnumber import check_character
from rulecheck.render.messages import t

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CLEAN = SAMPLES / "clean-township.xlsx"
BROKEN = SAMPLES / "every-rule-broken.xlsx"
SERVICE_RULES = ROOT / "rules" / "public-service-centre.yaml"
RULE_IDS = [
    "secretary-average-age", "secretary-under-35-share", "retirement-age", "retained-blank", "new-nominee-over-55",
    "young-cadre-per-village", "woman-on-committee", "one-secretary-per-village", "nomination-method",
    "public-commitment", "election-deadline", "id-number-invalid", "id-birth-mismatch", "id-sex-mismatch",
    "first-secretary-not-on-committee", "age-as-written", "age-unknown", "role-unrecognised", "value-unreadable", "duplicate-person",
]


class Done(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def _id(born: str, seq: str) -> str:
    first17 = "320682" + born + seq
    return first17 + check_character(first17)


def _no_nomination_csv(path: Path) -> None:
    """A one-village slate (江安镇联合村) with every column but 提名方式, saved as 'CSV UTF-8' (with BOM)."""
    rows = [
        "江安镇联合村党组织换届选举拟任人选名单,,,,,,,,,",
        "镇,村,姓名,性别,出生年月,身份证号,拟任职务,是否留任,公开承诺,选举日期",
        f"江安镇,联合村,王志勇,男,1973.06,{_id('19730611', '031')},书记,否,是,2007-10-12",
        f",联合村,李红梅,女,1978.03,{_id('19780302', '042')},委员,否,,",
        f",联合村,赵军,男,1965.11,{_id('19651103', '053')},委员,是,,",
    ]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scratch inputs: a damaged workbook, a slate without 提名方式, and a folder tree with a lock file and notes."""
    base = tmp_path_factory.mktemp("cli")
    (base / "bad.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    _no_nomination_csv(base / "no-nomination.csv")
    folder = base / "folder"
    (folder / "sub" / "deeper").mkdir(parents=True)
    shutil.copy(CLEAN, folder / "sub" / "deeper" / CLEAN.name)
    shutil.copy(base / "no-nomination.csv", folder / "no-nomination.csv")
    (folder / "sub" / "deeper" / ("~$" + CLEAN.name)).write_bytes(b"\x0cExcel lock: not a workbook")
    (folder / "说明.txt").write_text("各村名单请于8月底前报送。\n", encoding="utf-8")
    return base


def invocations(work: Path) -> dict[str, list[str]]:
    return {
        "json": ["--format", "json", str(BROKEN), str(work / "bad.xlsx"), str(work / "no-nomination.csv"), str(CLEAN)],
        "english-missing": ["--lang", "en", str(BROKEN), str(work / "missing.xlsx")],
        "as-of": ["--as-of", "2009-10-20", "--format", "json", str(CLEAN)],
        "bad-as-of": ["--as-of", "2007-13-01", str(CLEAN)],
        "rules": ["--rules", str(SERVICE_RULES), "--format", "json", "samples/service-centres.xlsx"],
        "folder": [str(work / "folder")],
        "list-rules": ["--list-rules"],
        "explain": ["--explain", "retirement-age"],
        "version": ["--version"],
        "help": ["--help", "--lang", "en"],
    }


@pytest.fixture(scope="module")
def runs(work: Path) -> dict[str, Done]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    started = {
        name: subprocess.Popen([sys.executable, "-m", "rulecheck", *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, args in invocations(work).items()
    }
    done = {}
    for name, proc in started.items():
        out, err = proc.communicate(timeout=300)
        done[name] = Done(proc.returncode, out.decode("utf-8"), err.decode("utf-8"))
    return done


# --------------------------------------------------------------------------- exit codes


def test_exit_0_when_clean_even_with_a_folder(runs: dict[str, Done]) -> None:
    assert runs["folder"].code == 0, runs["folder"]
    assert runs["folder"].err == ""


def test_exit_1_on_violations(runs: dict[str, Done]) -> None:
    assert runs["as-of"].code == 1 and runs["rules"].code == 1


def test_exit_2_wins_over_1_when_a_bad_file_is_beside_a_violating_one(runs: dict[str, Done], work: Path) -> None:
    done = runs["json"]
    assert done.code == 2
    data = done.json()
    assert data["summary"]["errors"] == 21  # the violating file was still checked
    [failed] = [f for f in data["files"] if f["error"]]
    assert failed["path"] == str(work / "bad.xlsx") and failed["rows"] == 0
    assert failed["error"] == t("zh", "zip-damaged")  # a zip header and nothing after it
    assert done.err.strip() == f"rulecheck: {work / 'bad.xlsx'}: {failed['error']}"


def test_missing_path_exits_2_and_the_others_are_still_checked(runs: dict[str, Done], work: Path) -> None:
    done = runs["english-missing"]
    missing = work / "missing.xlsx"
    assert done.code == 2
    reason = t("en", "not-found", path=missing)
    assert done.err == f"rulecheck: {missing}: {reason}\n"
    assert f"{t('en', 'heading-file', path=missing)}\n  {t('en', 'file-error', error=reason)}\n" in done.out
    assert "row 4 石北村\n    error one-secretary-per-village" in done.out  # BROKEN was checked all the same
    assert done.out.rstrip().splitlines()[-1] == t(
        "en", "summary", files=1, rows=25, errors=21, warnings=2, notices=1, exempted=0, failed=1)


# --------------------------------------------------------------------------- JSON


ISSUE_CONTRACT = {  # issue 2: "a stable contract for other tools"
    "top": {"rulecheck": str, "ruleset": dict, "summary": dict, "files": list, "violations": list, "exempted": list},
    "ruleset": {"id": str, "as_of": str},
    "summary": {"files": int, "rows": int, "errors": int, "warnings": int, "exempted": int},
    "files": {"path": str, "rows": int, "error": (type(None), str), "not_checked": list},
    "violations": {
        "rule": str, "severity": str, "scope": str, "township": str, "village": (str, type(None)),
        "name": (str, type(None)), "file": (str, type(None)), "sheet": (str, type(None)), "row": (int, type(None)),
        "column": (str, type(None)), "message": str, "observed": (str, int, float, bool, type(None)),
    },
    "exempted": {"rule": str, "township": str, "village": str, "name": str, "file": str, "row": int, "evidence": str},
}
# Keys the implementation adds beyond the issue's contract; listed so that any further change is deliberate.
EXTRA_KEYS = {
    "top": {"fail_on", "townships", "rules", "notes"}, "ruleset": {"title"},
    "summary": {"skipped", "notices", "not_checked_files", "incomplete_files", "complete"},
    "files": {"skipped", "sheets", "notes", "unchecked", "passed_over"}, "violations": {"county", "files"},
    "exempted": {"sheet", "county"},
}
# Issue 9 (never a silent pass): coverage, county and a group's files, with their types.
COVERAGE_CONTRACT = {
    "summary": {"incomplete_files": int, "complete": bool},
    "files": {"unchecked": list, "passed_over": (type(None), str)},
    "violations": {"county": (type(None), str), "files": list},
    "exempted": {"county": (type(None), str)},
}


def _conforms(obj: dict, part: str) -> None:
    contract = ISSUE_CONTRACT[part]
    assert set(obj) == set(contract) | EXTRA_KEYS[part], part
    for key, kind in [*contract.items(), *COVERAGE_CONTRACT.get(part, {}).items()]:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        value = obj[key]
        assert isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)), (part, key, value)


def test_json_contract_keys_and_types(runs: dict[str, Done]) -> None:
    data = runs["json"].json()
    _conforms(data, "top")
    _conforms(data["ruleset"], "ruleset")
    _conforms(data["summary"], "summary")
    assert data["rulecheck"] == __version__
    assert data["ruleset"] == {**data["ruleset"], "id": "rugao-2007", "as_of": "2007-10-20"}
    for f in data["files"]:
        _conforms(f, "files")
        assert all(isinstance(r, str) for r in f["not_checked"])
        assert [u["rule"] for u in f["unchecked"]] == f["not_checked"]
        for u in f["unchecked"]:
            assert set(u) == {"rule", "essential", "missing"} and isinstance(u["essential"], bool)
            assert all(isinstance(option, list) and all(isinstance(c, str) for c in option) for option in u["missing"])
    assert data["violations"] and data["exempted"]
    for v in data["violations"]:
        _conforms(v, "violations")
        assert v["severity"] in ("error", "warning", "notice") and v["scope"] in ("person", "village", "township")
        if v["scope"] == "person":
            assert v["name"] and v["row"] and v["column"] and v["sheet"]
        if v["scope"] == "township":
            assert (v["village"], v["name"], v["row"], v["column"]) == (None, None, None, None)
    for e in data["exempted"]:
        _conforms(e, "exempted")
    assert {v["scope"] for v in data["violations"]} == {"person", "village", "township"}


def test_json_summary_counts(runs: dict[str, Done], work: Path) -> None:
    data = runs["json"].json()
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert list(files) == ["every-rule-broken.xlsx", "bad.xlsx", "no-nomination.csv", "clean-township.xlsx"]
    # summary.rows counts candidate rows: not the title, header, 合计 or 备注 lines
    assert {n: f["rows"] for n, f in files.items()} == {
        "every-rule-broken.xlsx": 25, "bad.xlsx": 0, "no-nomination.csv": 3, "clean-township.xlsx": 30}
    assert data["summary"] == {**data["summary"], "files": 4, "rows": 58, "errors": 21, "warnings": 2, "exempted": 1}
    assert data["summary"]["errors"] == sum(v["severity"] == "error" for v in data["violations"])
    assert data["summary"]["warnings"] == sum(v["severity"] == "warning" for v in data["violations"])
    assert [(e["rule"], e["name"], e["row"]) for e in data["exempted"]] == [("retirement-age", "朱德明", 11)]


def test_not_checked_rules_in_json(runs: dict[str, Done]) -> None:
    files = {Path(f["path"]).name: f for f in runs["json"].json()["files"]}
    assert files["no-nomination.csv"]["not_checked"] == ["nomination-method"]
    assert files["no-nomination.csv"]["error"] is None
    assert files["clean-township.xlsx"]["not_checked"] == []


# --------------------------------------------------------------------------- text, languages, options


def test_folder_is_searched_recursively_and_lock_and_txt_files_are_skipped(runs: dict[str, Done], work: Path) -> None:
    out = runs["folder"].out
    folder = work / "folder"
    headings = [line for line in out.splitlines() if line.startswith(t("zh", "heading-file", path=""))]
    assert headings == [t("zh", "heading-file", path=folder / "no-nomination.csv"),
                        t("zh", "heading-file", path=folder / "sub" / "deeper" / CLEAN.name)]
    assert "~$" not in out and "说明.txt" not in out
    assert out.rstrip().splitlines()[-1] == t(
        "zh", "summary", files=2, rows=33, errors=0, warnings=0, notices=0, exempted=1, failed=0)


def test_not_checked_rules_in_text(runs: dict[str, Done], work: Path) -> None:
    out = runs["folder"].out
    section = out.split(t("zh", "heading-file", path=work / "folder" / "no-nomination.csv") + "\n")[1].split("\n\n")[0]
    rows, unchecked, verdict = section.splitlines()
    assert rows == "  " + t("zh", "file-rows", rows=3)
    # an optional rule, named by its title (the missing columns between the brackets)
    assert unchecked.startswith("  未检查(可选,缺少") and unchecked.endswith(":实行“两推一考”提名")
    assert verdict == "  " + t("zh", "no-violations")  # only an optional rule went unchecked: still clean


def test_lang_en_gives_english_messages(runs: dict[str, Done]) -> None:
    out = runs["english-missing"].out
    assert (f"{t('en', 'heading-file', path=BROKEN)}\n  {t('en', 'file-rows', rows=25)}; "
            f"{t('en', 'file-skipped', skipped=2)}\n") in out
    assert ("  sheet '石庄镇' row 4 石北村\n    error one-secretary-per-village  "
            "Exactly one secretary nominee per village: 2 secretary nominees (exactly 1 expected)") in out
    assert "error value-unreadable  A value cannot be read: sex '难' cannot be read; accepted: 男, 男性, M, male, 女, 女性, F, female" in out
    assert "secretaries' average age 52.4 > 45" in out
    for chinese in ("错误", "警告", "提示", "文件", "读取", "共检查", "书记拟任人选", "周岁"):
        assert chinese not in out, chinese


def test_as_of_changes_ages(runs: dict[str, Done]) -> None:
    data = runs["as-of"].json()
    assert data["ruleset"]["as_of"] == "2009-10-20"
    found = {(v["rule"], v["name"]): v["observed"] for v in data["violations"]}
    assert found == {
        ("retirement-age", "朱德明"): 58.0,  # exempt in 2007 (2006、2007 within 2005-2007), not in 2009
        ("retirement-age", "何国平"): 56.0,  # 54 on 2007-10-20
        ("young-cadre-per-village", None): 34.0,  # 花园村: 钱晓梅, 32 in 2007
        ("secretary-average-age", None): 47.0,  # 45.0 in 2007
        ("secretary-under-35-share", None): 0.125,  # 季建华 is 37
    }
    assert data["exempted"] == []


def test_bad_as_of_exits_2_with_a_clear_message(runs: dict[str, Done]) -> None:
    done = runs["bad-as-of"]
    assert (done.code, done.out) == (2, "")
    assert done.err == f"rulecheck: {t('zh', 'bad-date', value='2007-13-01')}\n"
    assert "--as-of" in done.err and "YYYY-MM-DD" in done.err


def test_rules_option_loads_another_rule_file(runs: dict[str, Done]) -> None:
    data = runs["rules"].json()
    assert data["ruleset"]["id"] == "rugao-2007-service-centres" and data["ruleset"]["as_of"] == "2007-12-31"
    assert [(v["rule"], v["village"], v["row"]) for v in data["violations"]] == [
        ("office-area", "搬经社区", 8), ("one-office-room", "夏庄村", 9), ("capable-members-share", None, None)]


def test_version(runs: dict[str, Done]) -> None:
    assert runs["version"] == Done(0, f"rulecheck {__version__}\n", "")


def test_help(runs: dict[str, Done]) -> None:
    done = runs["help"]
    assert done.code == 0 and done.err == ""
    for option in ("--rules", "--as-of", "--format", "--lang", "--list-rules", "--explain", "--version", "--help"):
        assert option in done.out, option
    assert "Exit codes: 0 no errors, 1 errors found, 2 some input could not be checked." in done.out


def test_list_rules(runs: dict[str, Done]) -> None:
    done = runs["list-rules"]
    assert done.code == 0 and done.err == ""
    lines = done.out.splitlines()
    assert lines[0] == "2007年村党组织换届拟任人选要求(如皋市委组织部)(编号 rugao-2007,核对日 2007-10-20)"
    assert [line.split()[0] for line in lines[1:-1]] == RULE_IDS
    assert re.search(r"^  retirement-age +错误 +人选 +\* 55周岁以上原则上不再留任$", done.out, re.M)
    assert re.search(r"^  nomination-method +错误 +人选 +- ", done.out, re.M)


def test_explain(runs: dict[str, Done]) -> None:
    done = runs["explain"]
    assert done.code == 0 and done.err == ""
    lines = done.out.splitlines()
    assert lines[:3] == ["retirement-age: 55周岁以上原则上不再留任", "  级别: 错误", "  范围: 人选"]
    assert "  原文: 原则上55周岁以上不再留任。近三年连续两次获市委、市政府表彰" in done.out
    assert "  违规条件: retained and age >= retirement_age" in done.out
    assert any(line.startswith("  豁免条件: (consecutive_years(commendation_years") for line in lines)


def _in_process(*args: str):
    """The same command run in this process: for the cheap cases that need no interpreter of their own."""
    from typer.testing import CliRunner

    from rulecheck.cli import app

    return CliRunner().invoke(app, list(args))


def test_explain_unknown_rule_exits_2_and_lists_the_rules() -> None:
    result = _in_process("--explain", "no-such-rule")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "no-such-rule" in result.stderr and all(rule in result.stderr for rule in RULE_IDS)


def test_explain_unknown_rule_speaks_chinese_by_default() -> None:
    err = _in_process("--explain", "no-such-rule").stderr
    assert "unknown rule" not in err and re.search(r"[\u4e00-\u9fff]", err)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_lists_each_command_word_on_its_own_line(lang: str) -> None:
    from rulecheck.commands import COMMANDS

    done = subprocess.run([sys.executable, "-m", "rulecheck", "--help", "--lang", lang],
                          capture_output=True, text=True, encoding="utf-8")
    lines = done.stdout.splitlines()
    for word in COMMANDS:
        assert any(line.strip().startswith(f"rulecheck {word} ") for line in lines), done.stdout
