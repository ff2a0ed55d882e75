"""The report is the same however files are batched and whichever process reads them."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from report_slate import checked
from rulecheck import run as check
from rulecheck.config import TownshipSettings

from rulecheck.rulefile import ruleset
from rulecheck.formats.json import as_data
from rulecheck.table.header import read_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402

RULES = ruleset.load()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("townships")
    generate.generate(path, 7, seed=11)
    return path


def report(folder: Path, workers: int) -> dict:
    return as_data(checked([folder], RULES, workers=workers))


def test_pool_and_serial_give_the_same_report(folder: Path) -> None:
    serial = report(folder, 1)
    assert serial["summary"]["rows"] > 1000 and serial["violations"]
    assert report(folder, 2) == serial


def test_batches_merge_to_the_one_batch_report(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = report(folder, 1)
    monkeypatch.setattr(check, "BATCH_FILES", 2)  # four batches, joined in this process
    assert report(folder, 1) == whole


def test_unreadable_files_keep_their_place_in_a_pooled_run(folder: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for n, book in enumerate(sorted(folder.glob("*.xlsx"))[:4]):
        (mixed / f"{n}a.xlsx").write_bytes(book.read_bytes())
        (mixed / f"{n}b.xlsx").write_bytes(b"not a workbook")
    data = as_data(checked([mixed], RULES, workers=2))
    assert [f["path"].rsplit("/", 1)[1] for f in data["files"]] == [f"{n}{s}.xlsx" for n in range(4) for s in "ab"]
    assert [f["error"] is None for f in data["files"]] == [True, False] * 4
    assert data == as_data(checked([mixed], RULES, workers=1))


def test_a_table_away_from_a1_keeps_its_row_numbers_and_letters(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C5"] = "镇"
    sheet["D5"] = "村"
    sheet["E5"] = "姓名"
    sheet["C6"], sheet["D6"], sheet["E6"] = "丁堰镇", "东村", "张三"
    sheet["E7"] = "李四"  # township and village merged down
    path = tmp_path / "offset.xlsx"
    book.save(path)
    [read] = read_file(path, RULES).sheets
    assert read.frame["_row"].tolist() == [6, 7]
    assert read.frame["township"].tolist() == ["丁堰镇", "丁堰镇"]
    assert read.headers["name"] == "姓名 (E)"


def test_townships_with_their_own_settings_merge_across_batches(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    own = {generate.township_name(2): TownshipSettings(dt.date(2008, 6, 1), {"max_average_age": 40}),
           generate.township_name(5): TownshipSettings(None, {"retirement_age": 50})}
    whole = as_data(checked([folder], RULES, townships=own, workers=1))
    assert {row["as_of"] for row in whole["townships"]} == {"2007-10-20", "2008-06-01"}
    monkeypatch.setattr(check, "BATCH_FILES", 2)
    assert as_data(checked([folder], RULES, townships=own, workers=1)) == whole
    assert as_data(checked([folder], RULES, townships=own, workers=2)) == whole
