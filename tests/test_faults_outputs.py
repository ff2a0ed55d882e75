"""Outputs when input is bad or the target is odd: complete or absent, never half written, never over an input.

tests/test_output.py covers the atomic-write helper and the plain cases; these add the fault cases.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from faultkit import good_slate
from rulecheck.cli import app


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_run_with_a_bad_input_writes_complete_reports(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    bad = tmp_path / "empty.xlsx"
    bad.write_bytes(b"")
    out, report = tmp_path / "out.json", tmp_path / "report.xlsx"
    result = invoke(bad, good, "-f", "json", "--output", out, "--report", report)
    assert result.exit_code == 2
    data = json.loads(out.read_text(encoding="utf-8"))  # whole, and saying which file was not checked
    assert data["summary"]["not_checked_files"] == 1 and data["summary"]["rows"] == 3
    assert [f["error"] is not None for f in data["files"]] == [True, False]
    assert openpyxl.load_workbook(report).sheetnames  # a workbook Excel can open
    assert leftovers(tmp_path) == []


def test_output_into_a_folder_that_cannot_be_made_fails_plainly(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # a missing folder is made; one under a file cannot be
    result = invoke(good, "-f", "json", "--output", tmp_path / "a-file" / "out.json", "--lang", "en")
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.output
    assert leftovers(tmp_path) == []


def test_output_onto_a_folder_fails_plainly(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    folder = tmp_path / "out.json"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")
    result = invoke(good, "-f", "json", "--output", folder)
    assert result.exit_code == 2 and "无法写入" in result.stderr
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "mine" and leftovers(tmp_path) == []


def test_output_through_a_link_to_an_input_leaves_the_input_alone(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    before = good.read_bytes()
    link = tmp_path / "out.json"
    link.symlink_to(good)
    result = invoke(good, "-f", "json", "--output", link)
    assert result.exit_code == 2 and "不会覆盖" in result.stderr
    assert good.read_bytes() == before


def test_a_hostile_input_beside_leaves_the_report_whole(tmp_path: Path) -> None:
    good = good_slate(tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
        package.writestr("xl/media/zeros.bin", bytes(32 << 20))
    out = tmp_path / "out.json"
    result = invoke(bomb, good, "-f", "json", "--output", out)
    assert result.exit_code == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "压缩炸弹" in data["files"][0]["error"] and data["files"][1]["rows"] == 3
