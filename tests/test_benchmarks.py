"""The benchmark generator and script run, so they cannot rot; no timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import python_calamine

from report_slate import checked
from rulecheck import run as check

from rulecheck.rulefile import ruleset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402
import run  # noqa: E402


def test_generated_workbooks_read_as_their_manifest_says(tmp_path: Path) -> None:
    books = generate.generate(tmp_path, 3, seed=5)
    manifest = json.loads((tmp_path / generate.MANIFEST).read_text(encoding="utf-8"))
    for book, entry in zip(books, manifest["workbooks"]):
        sheet = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name(entry["sheet"])
        assert [str(c).replace(" ", "") for c in sheet.to_python()[entry["header_row"] - 1][:3]] == \
            [h.replace(" ", "") for h, _ in entry["columns"][:3]]
    report = checked([tmp_path], ruleset.load())
    # Every candidate is read: merged township and village cells filled, title and footer lines skipped.
    assert [f.rows for f in report.files] == [e["rows"] for e in manifest["workbooks"]]
    assert all(f.skipped == 3 and f.error is None for f in report.files)
    assert {v.rule for v in report.violations} >= {"id-number-invalid"}


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate.workbook(7, 3)
    assert generate.workbook(7, 3) == first
    assert generate.workbook(8, 3)[1] != first[1]


def test_the_benchmark_script_runs_end_to_end(tmp_path: Path) -> None:
    results = run.main(["--sizes", "3", "--runs", "1", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                        "--no-memory"])
    [result] = results
    assert result.workbooks == 3 and result.rows > 500
    assert result.floor.seconds and result.reading.seconds and result.rulecheck.seconds and result.ratio > 0
    assert result.frictionless.seconds or result.frictionless.skipped
    [written] = (tmp_path / "out").glob("results-*.json")
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["startup"]["imports_ms"] and data["results"][0]["workbooks"] == 3


def test_callgrind_dumps_are_told_apart_by_process() -> None:
    # instructions.py needs valgrind to run; how it reads callgrind's dumps is tested here. The main
    # process (lowest pid) dumps before each fork: ".1" is its start-up, the rest after the batches.
    import instructions  # noqa: E402

    dumps = {"100": 40, "100.1": 20, "100.2": 1, "100.3": 2, "205": 300, "101": 250}
    assert instructions.by_process(dumps) == {"start": [20], "after": [43], "batches": [300, 250]}
    wrapped = {"900": 40, "900.1": 20, "12": 300}  # a batch process's pid below the main one's
    assert instructions.by_process(wrapped) == {"start": [20], "after": [40], "batches": [300]}
