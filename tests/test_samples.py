"""The samples in samples/: each gives exactly the outcome samples/README.md states, and
make_samples.py writes the same cells again."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine
from typer.testing import CliRunner

from report_slate import checked
from rulecheck.rulefile import ruleset as ruleset_module
from rulecheck.run import check_paths
from rulecheck.cli import app
from rulecheck.formats import json as json_format
from rulecheck.formats import text as text_format
from rulecheck.findings import Report

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PER_VILLAGE = SAMPLES / "per-village"
SERVICE_RULES = ROOT / "rules" / "public-service-centre.yaml"


@pytest.fixture(scope="module")
def rugao() -> ruleset_module.Ruleset:
    return ruleset_module.load()


@pytest.fixture(scope="module")
def service() -> ruleset_module.Ruleset:
    return ruleset_module.load(SERVICE_RULES)


@pytest.fixture(scope="module")
def clean(rugao) -> Report:
    return checked([SAMPLES / "clean-township.xlsx"], rugao)


@pytest.fixture(scope="module")
def broken(rugao) -> Report:
    return checked([SAMPLES / "every-rule-broken.xlsx"], rugao)


@pytest.fixture(scope="module")
def no_birth(rugao) -> Report:
    return checked([SAMPLES / "no-birth-column.xlsx"], rugao)


@pytest.fixture(scope="module")
def folder(rugao) -> Report:
    return checked([PER_VILLAGE], rugao)


@pytest.fixture(scope="module")
def shapes(rugao) -> Report:
    return checked([SAMPLES / "real-shapes"], rugao)


@pytest.fixture(scope="module")
def centres(service) -> Report:
    return checked([SAMPLES / "service-centres.xlsx"], service)


def found(report: Report) -> list[tuple]:
    """(rule, severity, scope, file name, row, village, name, observed) of every violation, in report order."""
    return [
        (v.rule, v.severity, v.scope, v.file and Path(v.file).name, v.row, v.village, v.name, v.observed)
        for v in report.violations
    ]


def counts(report: Report) -> tuple[int, int, int, int, int, int]:
    """(exit code, errors, warnings, notices, exemptions, rows) as the summary line gives them."""
    return (report.exit_code(), report.count("error"), report.count("warning"), report.count("notice"),
            len(report.exempted), report.rows)


def summary_line(report: Report) -> str:
    out = io.StringIO()
    text_format.write(report, out)
    return out.getvalue().rstrip("\n").splitlines()[-1]


# --------------------------------------------------------------------------- clean-township.xlsx


def test_clean_township_passes_every_rule(clean: Report) -> None:
    assert counts(clean) == (0, 0, 0, 0, 1, 30)
    assert found(clean) == []
    [f] = clean.files
    assert (f.error, f.skipped, f.sheets, f.not_checked) == (None, 2, ("丁堰镇",), ())


def test_clean_township_lists_the_exemption(clean: Report) -> None:
    [e] = clean.exempted
    assert (e.rule, e.township, e.village, e.name, Path(e.file).name, e.sheet, e.row) == (
        "retirement-age", "丁堰镇", "花园村", "朱德明", "clean-township.xlsx", "丁堰镇", 11)
    assert e.evidence == "连续两年获市委、市政府表彰;村级工业园区二期建设正在实施,确因工作需要留任"


# --------------------------------------------------------------------------- every-rule-broken.xlsx

BROKEN = "every-rule-broken.xlsx"
BROKEN_FOUND = [
    ("new-nominee-over-55", "warning", "person", BROKEN, 4, "石北村", "陈国华", 61.0),
    ("one-secretary-per-village", "error", "village", BROKEN, 4, "石北村", None, 2.0),
    ("woman-on-committee", "warning", "village", BROKEN, 4, "石北村", None, 4.0),
    ("retained-blank", "error", "person", BROKEN, 7, "石北村", "周明", 56.0),
    ("one-secretary-per-village", "error", "village", BROKEN, 8, "石南村", None, 0.0),
    ("first-secretary-not-on-committee", "notice", "person", BROKEN, 11, "石南村", "赵宏伟", "第一书记"),
    ("retirement-age", "error", "person", BROKEN, 12, "高明村", "缪长林", 55.0),
    ("election-deadline", "error", "village", BROKEN, 12, "高明村", None, "2007-10-25"),
    ("young-cadre-per-village", "error", "village", BROKEN, 12, "高明村", None, 37.0),
    ("public-commitment", "error", "person", BROKEN, 16, "庄桥村", "朱海", "否"),
    ("id-sex-mismatch", "error", "person", BROKEN, 17, "庄桥村", "陆小红", "女"),
    ("id-birth-mismatch", "error", "person", BROKEN, 18, "庄桥村", "蒋峰", "1970.03"),
    ("id-number-invalid", "error", "person", BROKEN, 19, "庄桥村", "葛春雷", "320682********6430"),  # masked by default
    ("nomination-method", "error", "person", BROKEN, 20, "庄桥村", "许建", "组织提名"),
    ("value-unreadable", "error", "person", BROKEN, 21, "新河社区", "沙志明", "2007年10月"),
    ("duplicate-person", "error", "person", BROKEN, 22, "新河社区", "邹玉兰", None),
    ("id-number-invalid", "error", "person", BROKEN, 23, "新河社区", "蔡晓东", "3.20682*********e+17"),
    ("value-unreadable", "error", "person", BROKEN, 24, "新河社区", "韩立", "66.8"),
    ("age-unknown", "error", "person", BROKEN, 25, "新河社区", "马红军", None),
    ("role-unrecognised", "error", "person", BROKEN, 26, "新河社区", "卢平", "村委会主任"),
    ("value-unreadable", "error", "person", BROKEN, 27, "新河社区", "曹磊", "难"),
    ("duplicate-person", "error", "person", BROKEN, 28, "新河社区", "邹玉兰", None),
    ("secretary-average-age", "error", "township", BROKEN, None, None, None, 52.4),
    ("secretary-under-35-share", "error", "township", BROKEN, None, None, None, 0.0),
]


def test_every_rule_broken_exact_outcome(broken: Report) -> None:
    assert counts(broken) == (1, 21, 2, 1, 0, 25)
    assert found(broken) == BROKEN_FOUND
    assert {v.township for v in broken.violations} == {"石庄镇"}
    [f] = broken.files
    assert (f.error, f.skipped, f.not_checked) == (None, 2, ())


def test_every_rule_broken_breaks_every_rule(broken: Report, rugao) -> None:
    # age-as-written needs a 年龄 column, which this sample has not; real-shapes/joint-posts.xlsx breaks it.
    assert {v.rule for v in broken.violations} == {r.id for r in rugao.rules} - {"age-as-written"}


def test_every_rule_broken_messages_name_the_reason(broken: Report) -> None:
    by_row = {(v.rule, v.row): v for v in broken.violations}
    assert by_row["id-number-invalid", 19].message.endswith("校验码错误")
    assert "后几位已丢失" in by_row["id-number-invalid", 23].message
    assert by_row["id-birth-mismatch", 18].message == "出生年月填写为 1970.03,身份证号显示为 1970-05-20"
    assert by_row["id-sex-mismatch", 17].message == "性别填写为 女,身份证号显示为 男"
    assert by_row["retirement-age", 12].message == "留任人选 55 周岁(≥ 55),且不符合放宽年龄的条件"
    assert by_row["secretary-average-age", None].message == "村书记平均年龄 52.4 岁 > 45"
    assert by_row["secretary-under-35-share", None].message == "35周岁以下村书记 0/5 名,占 0.0% < 15%"
    assert by_row["young-cadre-per-village", 12].message.endswith("最年轻的 37 周岁")
    assert by_row["public-commitment", 16].column == "是否公开承诺 (N)"
    assert by_row["retained-blank", 7].message == "人选 56 周岁(≥ 55),“是否留任”未填写,无法判断是否违反“55周岁以上不再留任”"
    assert by_row["value-unreadable", 27].message == "「性别」填写的“难”无法识别;可填写:男、男性、M、male、女、女性、F、female"
    assert by_row["value-unreadable", 24].column == "出生日期 (F)"
    assert by_row["duplicate-person", 22].message.endswith("工作表「石庄镇」第 28 行是同一人(镇(区)、村(社区)、姓名、出生年月相同)")


def test_every_rule_broken_through_the_cli_matches_in_process(broken: Report) -> None:
    """The command line gives the same JSON as check_paths (tests/test_cli.py runs it as a subprocess)."""
    result = CliRunner().invoke(app, ["--format", "json", str(SAMPLES / BROKEN)])
    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(json_format.as_data(broken), ensure_ascii=False))


# --------------------------------------------------------------------------- no-birth-column.xlsx


def test_no_birth_column_is_an_incomplete_check(no_birth: Report, rugao) -> None:
    assert counts(no_birth) == (2, 0, 0, 0, 0, 6)
    [f] = no_birth.files
    essential = [u.rule for u in f.unchecked if u.essential]
    assert essential == ["secretary-average-age", "secretary-under-35-share", "retirement-age", "retained-blank",
                         "new-nominee-over-55", "young-cadre-per-village", "age-as-written", "age-unknown"]
    assert {u.missing for u in f.unchecked if u.essential} == {(("年龄",), ("出生年月",), ("身份证号",))}


# --------------------------------------------------------------------------- per-village/


def test_per_village_exact_outcome(folder: Report) -> None:
    assert counts(folder) == (0, 0, 1, 1, 1, 17)
    assert found(folder) == [
        ("first-secretary-not-on-committee", "notice", "person", "village-01.xlsx", 7, "搬经社区", "夏志远", "第一书记"),
        ("woman-on-committee", "warning", "village", "village-02.xlsx", 4, "夏庄村", None, 3.0),
    ]
    [e] = folder.exempted
    assert (e.rule, Path(e.file).name, e.sheet, e.row, e.village, e.name) == (
        "retirement-age", "village-04.xls", "孙庄村", 6, "孙庄村", "陈长根")


def test_per_village_files(folder: Report) -> None:
    files = {Path(f.path).name: f for f in folder.files}
    assert list(files) == ["village-01.xlsx", "village-02.xlsx", "village-03.csv", "village-04.xls", "village-05.ods"]
    assert {n: (f.rows, f.skipped, f.sheets, f.error) for n, f in files.items()} == {
        "village-01.xlsx": (4, 1, ("拟任人选",), None),
        "village-02.xlsx": (3, 0, ("夏庄村",), None),
        "village-03.csv": (3, 0, ("village-03",), None),
        "village-04.xls": (3, 1, ("孙庄村",), None),
        "village-05.ods": (4, 0, ("Sheet1",), None),
    }
    assert {n: f.not_checked for n, f in files.items() if f.not_checked} == {"village-03.csv": ("nomination-method",)}
    assert {n: f.notes for n, f in files.items() if f.notes} == {"village-01.xlsx": ("工作表「填表说明」是填表说明或示例,未作为名单检查,其中的示例行不计入",)}


def test_per_village_files_are_what_they_claim() -> None:
    csv_bytes = (PER_VILLAGE / "village-03.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        csv_bytes.decode("utf-8")
    assert "刘圩村" in csv_bytes.decode("gbk") and b"\r\n" in csv_bytes
    assert (PER_VILLAGE / "village-04.xls").read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 (BIFF)
    with zipfile.ZipFile(PER_VILLAGE / "village-05.ods") as ods:
        assert ods.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"


def _township(report: Report) -> dict[str, float]:
    return {v.rule: v.observed for v in report.violations if v.scope == "township"}


def test_per_village_township_rules_need_every_file(rugao) -> None:
    """Counted across all five files, 搬经镇 passes; without 搬经社区's young secretary it does not."""
    others = sorted(p for p in PER_VILLAGE.iterdir() if p.name != "village-01.xlsx")
    without = checked(others, rugao)
    assert _township(without) == {"secretary-average-age": 46.5, "secretary-under-35-share": 0.0}
    assert [(v.file, v.sheet, v.row, v.township) for v in without.violations if v.scope == "township"] == [
        (None, None, None, "搬经镇")] * 2  # the township's rows come from several files


def test_per_village_file_given_twice_is_checked_once(rugao, folder: Report) -> None:
    twice = checked([PER_VILLAGE, PER_VILLAGE / "village-01.xlsx"], rugao)
    assert (twice.rows, len(twice.files), twice.exit_code()) == (folder.rows, len(folder.files), 0)
    assert found(twice) == found(folder)


# --------------------------------------------------------------------------- real-shapes/

SHAPES_FOUND = [
    ("retirement-age", "error", "person", "birth-year-month.xlsx", 6, "一村", "季德才", 57.0),
    ("age-as-written", "notice", "person", "joint-posts.xlsx", 8, "西场村", "吴桂英", 33.0),
    ("first-secretary-not-on-committee", "notice", "person", "joint-posts.xlsx", 11, "南庄村", "赵文博", "第一书记(兼副书记)"),
    ("role-unrecognised", "error", "person", "joint-posts.xlsx", 13, "南庄村", "钱德贵", "村委会主任"),
    ("age-as-written", "notice", "person", "joint-posts.xlsx", 14, "北窑村", "周长林", 39.0),
    ("retirement-age", "error", "person", "two-row-header.xlsx", 8, "一村", "吴长林", 57.0),
    ("retirement-age", "error", "person", "磨头镇.xlsx", 6, "一村", "曹宝山", 57.0),
]


def test_real_shapes_exact_outcome(shapes: Report) -> None:
    assert counts(shapes) == (1, 4, 0, 3, 0, 40)
    assert found(shapes) == SHAPES_FOUND
    columns = {(Path(v.file).name, v.row): v.column for v in shapes.violations}
    assert columns["birth-year-month.xlsx", 6] == "出生(年、月) (E)" and columns["two-row-header.xlsx", 8] == "出生年月 (F)"
    notes = {Path(f.path).name: f.notes for f in shapes.files}
    assert notes["磨头镇.xlsx"] == ("工作表「名单」没有镇(区)列,镇(区)按第 1 行的标题取为「磨头镇」",)
    assert {v.township for v in shapes.violations if Path(v.file).name == "磨头镇.xlsx"} == {"磨头镇"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it where apt-get works")
def test_real_shapes_survive_another_writer(tmp_path: Path, rugao, shapes: Report) -> None:
    """Saved again by LibreOffice (as xlsx and as xls), every shape reads to the same findings."""
    by_file = {}
    for v in shapes.violations:
        by_file.setdefault(Path(v.file).name, []).append((v.rule, v.row, v.village, v.name, v.observed, v.column))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    for target in ("xlsx", "xls"):
        out = tmp_path / target
        sources = sorted(str(p) for p in (SAMPLES / "real-shapes").glob("*.xlsx"))
        subprocess.run(["soffice", profile, "--headless", "--convert-to", target, "--outdir", str(out), *sources],
                       check=True, capture_output=True, timeout=240)
        again = checked([out], rugao)
        got = {}
        for v in again.violations:
            got.setdefault(Path(v.file).stem, []).append((v.rule, v.row, v.village, v.name, v.observed, v.column))
        assert got == {Path(name).stem: rows for name, rows in by_file.items()}, target


# --------------------------------------------------------------------------- service-centres.xlsx


def test_service_centres_exact_outcome(centres: Report) -> None:
    assert counts(centres) == (1, 3, 0, 0, 0, 8)
    svc = "service-centres.xlsx"
    assert found(centres) == [
        ("office-area", "error", "person", svc, 8, "搬经社区", None, 41.0),
        ("one-office-room", "error", "person", svc, 9, "夏庄村", None, 2.0),
        ("capable-members-share", "error", "township", svc, None, None, None, 0.3077),
    ]
    assert [v.township for v in centres.violations] == ["搬经镇"] * 3  # 丁堰镇 at exactly 1/3 passes
    assert centres.files[0].skipped == 2  # the 合计 line is not a village


# --------------------------------------------------------------------------- the README's statements

README = SAMPLES / "README.md"
_BLOCK = re.compile(r"```\n\$ rulecheck (?P<args>[^\n]*); echo \$\?\n(?P<summary>[^\n]*)\n(?P<exit>[0-9])\n```")


@pytest.fixture(scope="module")
def reports(clean, broken, no_birth, folder, shapes, centres) -> dict[str, Report]:
    """Each sample's report under the name the README gives the sample."""
    return {"clean-township.xlsx": clean, "every-rule-broken.xlsx": broken, "no-birth-column.xlsx": no_birth,
            "per-village/": folder, "real-shapes/": shapes, "service-centres.xlsx": centres}


def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]


def test_readme_summary_table(reports: dict[str, Report]) -> None:
    """The table at the top: exit, errors, warnings, notices, exemptions, rows, rows skipped."""
    preamble = README.read_text(encoding="utf-8").split("\n## ")[0]
    stated = {row[0].strip("`").split(" ")[0].strip("`"): [int(c) for c in row[2:]]
              for row in _table_rows(preamble)[1:]}
    assert stated == {
        name: [*counts(r)[:5], r.rows, sum(f.skipped for f in r.files)] for name, r in reports.items()
    }


def test_readme_tables_list_every_finding(reports: dict[str, Report], rugao, service) -> None:
    """Each sample's section lists exactly its violations and exemptions, by rule and row."""
    rule_ids = {r.id for r in rugao.rules} | {r.id for r in service.rules}
    sections = README.read_text(encoding="utf-8").split("\n## ")[1:]
    assert len(sections) == len(reports)
    for section in sections:
        name = re.match(r"`([^`]+)`", section)[1]
        report = reports[name]
        violations, exemptions = [], []
        for cells in _table_rows(section):
            rules = [c.strip("`") for c in cells if c.startswith("`") and c.strip("`") in rule_ids]
            if not rules:
                continue
            row = next((int(c) for c in cells if c.isdigit()), None)
            (exemptions if cells[0].strip("`") in rule_ids else violations).append((rules[0], row))
        assert sorted(violations, key=str) == sorted(((v.rule, v.row) for v in report.violations), key=str), name
        assert sorted(exemptions) == sorted((e.rule, e.row) for e in report.exempted), name


def test_readme_states_each_samples_summary_line(reports: dict[str, Report]) -> None:
    """Every `$ rulecheck ...; echo $?` block: the summary line and the exit code, as rulecheck prints them."""
    by_args = {
        "samples/clean-township.xlsx": reports["clean-township.xlsx"],
        "samples/every-rule-broken.xlsx": reports["every-rule-broken.xlsx"],
        "samples/no-birth-column.xlsx": reports["no-birth-column.xlsx"],
        "samples/per-village": reports["per-village/"],
        "samples/real-shapes": reports["real-shapes/"],
        "--rules rules/public-service-centre.yaml samples/service-centres.xlsx": reports["service-centres.xlsx"],
    }
    blocks = list(_BLOCK.finditer(README.read_text(encoding="utf-8")))
    assert [b["args"] for b in blocks] == list(by_args)
    for block in blocks:
        report = by_args[block["args"]]
        assert (summary_line(report), report.exit_code()) == (block["summary"], int(block["exit"])), block["args"]


# --------------------------------------------------------------------------- make_samples.py


def _load_maker():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value


def read_back(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cells, numbers as floats, trailing blanks trimmed: what a reader sees."""
    if path.suffix == ".csv":
        import csv

        sheets = {path.stem: [list(r) for r in csv.reader(io.StringIO(path.read_bytes().decode("gbk"), newline=""))]}
    else:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    out = {}
    for name, rows in sheets.items():
        rows = [[_cell(c) for c in r] for r in rows]
        rows = [r[:max((i + 1 for i, c in enumerate(r) if c != ""), default=0)] for r in rows]
        while rows and not rows[-1]:
            rows.pop()
        out[name] = rows
    return out


def test_make_samples_regenerates_the_same_cells(tmp_path: Path) -> None:
    _load_maker().build(tmp_path, convert=False)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*")
                       if p.is_file() and p.suffix in (".xlsx", ".xls", ".ods", ".csv"))
    # Without LibreOffice the .xls/.ods sources land in _sources/ as xlsx.
    converted = {Path("per-village/village-04.xls"): Path("_sources/village-04.xlsx"),
                 Path("per-village/village-05.ods"): Path("_sources/village-05.xlsx")}
    assert written == sorted(converted.get(p, p) for p in committed)
    for rel in committed:
        assert read_back(SAMPLES / rel) == read_back(tmp_path / converted.get(rel, rel)), rel
