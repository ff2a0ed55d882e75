"""Containment (issue 14): a reader that aborts, panics, runs out of memory or reads for too long costs only
its own file, on the serial path and in the pool; a crash in the rules costs only its batch.

The hooks that make the reader fail replace ``reader.read_rows`` in this process: batches are read in
processes forked from it, which inherit the replacement, so the failure happens where a real one would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faultkit import assert_good_checked, good_slate, run
from report_slate import checked
from legacy_xls import aborting_xls, good_xls
from rulecheck import run as check
from rulecheck.formats.json import as_data
from rulecheck.read import reader
from rulecheck.rulefile import ruleset
from rulecheck.run import batches, processes

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "clean-township.xlsx"
RULES = ruleset.load()


# --------------------------------------------------------------------------- faults for the hook

class PanicException(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, not an Exception."""


def _abort() -> None:
    os.abort()


def _memory() -> None:
    raise MemoryError


def _panic() -> None:
    raise PanicException("index out of bounds: the len is 3 but the index is 7")


def _greedy() -> None:
    import numpy as np

    np.empty(check.READ_ADDRESS_SPACE + (1 << 30), dtype=np.uint8)  # beyond the cap: refused at once, nothing touched


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would


FAULTS = {
    "abort": (_abort, ["异常终止", "SIGABRT"], ["crashed", "SIGABRT"]),
    "memory": (_memory, ["内存超过上限"], ["more memory than the limit"]),
    "panic": (_panic, ["读取该文件时出错", "PanicException", "index out of bounds"], ["reading the file failed", "PanicException"]),
    "greedy": (_greedy, ["内存超过上限", "4 GiB"], ["more memory than the limit of 4 GiB"]),
    "killed": (_killed, ["异常终止", "SIGKILL"], ["crashed", "SIGKILL"]),
}


def fail_on(monkeypatch: pytest.MonkeyPatch, faults: dict[str, object]) -> None:
    """Make the reader fail, as ``faults`` says, on the files of these names; other files read as usual."""
    real = reader.read_rows

    def read_rows(path: Path):
        fault = faults.get(path.name)
        if fault is not None:
            fault()  # type: ignore[operator]
        return real(path)

    monkeypatch.setattr(reader, "read_rows", read_rows)


def copies(folder: Path, count: int, source: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    paths = [folder / f"{n:03d}-slate.xlsx" for n in range(count)]
    for path in paths:
        path.write_bytes(data)
    return paths


def assert_all_good_checked(data: dict, bad: set[str]) -> None:
    """Every file but the bad ones read in full, with its finding; the bad ones not read."""
    hits = {(v["file"], v["rule"], v["row"]) for v in data["violations"]}
    for entry in data["files"]:
        if Path(entry["path"]).name in bad:
            assert entry["error"], entry
            assert entry["rows"] == 0
        else:
            assert entry["error"] is None and entry["rows"] == 3, entry
            assert (entry["path"], "retirement-age", 2) in hits
    assert data["summary"]["not_checked_files"] == len(bad)


# --------------------------------------------------------------------------- containment: the serial path


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_reader_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    action, zh_words, en_words = FAULTS[fault]
    first, bad, last = good_slate(tmp_path, "first.xlsx"), good_slate(tmp_path, "bad.xlsx"), good_slate(tmp_path, "last.xlsx")
    fail_on(monkeypatch, {"bad.xlsx": action})
    for lang, words in (("zh", zh_words), ("en", en_words)):
        result = run(first, bad, last, lang=lang)
        assert result.code == 2, result.stderr
        message = result.error(bad)
        for word in words:
            assert word in message, message
        assert f"{bad}: {message}" in result.stderr
        assert_good_checked(result, first)
        assert_good_checked(result, last)
        assert result.report["summary"]["not_checked_files"] == 1


def test_several_crashes_in_one_batch_each_cost_only_their_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = copies(tmp_path / "data", 12, good_slate(tmp_path))
    bad = {paths[0].name: _abort, paths[5].name: _killed, paths[6].name: _abort, paths[11].name: _panic}
    fail_on(monkeypatch, bad)
    data = as_data(checked([tmp_path / "data"], RULES, workers=1))
    assert [Path(f["path"]).name for f in data["files"]] == [p.name for p in paths]  # in their places
    assert_all_good_checked(data, set(bad))


def test_a_real_file_that_aborts_the_reader_costs_only_its_file(tmp_path: Path) -> None:
    bad = aborting_xls(tmp_path)
    # It is a real abort: calamine alone, in a process of its own, dies of it.
    probe = subprocess.run([sys.executable, "-c", "import sys, python_calamine as c; "
                            "c.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()", str(bad)],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert probe.returncode == -signal.SIGABRT and "memory allocation" in probe.stderr
    good = good_slate(tmp_path)
    readable = good_xls(tmp_path)
    for lang in ("zh", "en"):
        result = run(bad, good, readable, lang=lang)
        assert result.code == 2
        assert result.error(bad)  # refused by the guard, or the reader's crash contained: never the run's end
        assert_good_checked(result, good)
        assert_good_checked(result, readable)


def test_a_crash_in_the_rules_costs_only_that_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that ends after reading, in the rules, is run again once; then its files are reported."""
    paths = copies(tmp_path / "data", 6, good_slate(tmp_path))
    real = batches.rows
    marker = tmp_path / "attempts"

    def rows(rules, sheets, day):
        if any(s.file == str(paths[2]) for s in sheets):
            with marker.open("a") as out:
                out.write("x")
            os.abort()
        return real(rules, sheets, day)

    monkeypatch.setattr(batches, "rows", rows)
    monkeypatch.setattr(batches, "BATCH_FILES", 2)
    for lang, words in (("zh", "检查这批文件的进程异常终止"), ("en", "the process checking this file and others")):
        data = as_data(checked([tmp_path / "data"], RULES, lang=lang, workers=1))
        errors = [f["error"] for f in data["files"]]
        assert [e is None for e in errors] == [True, True, False, False, True, True]
        assert all(words in e and "SIGABRT" in e for e in errors[2:4])
        assert data["summary"]["rows"] == 12
    assert marker.read_text() == "xx" * 2  # two attempts in each language


# --------------------------------------------------------------------------- containment: the pool


def test_the_pool_survives_crashing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = copies(tmp_path / "data", 60, good_slate(tmp_path))
    bad = {paths[3].name: _abort, paths[4].name: _memory, paths[30].name: _panic, paths[47].name: _killed,
           paths[59].name: _greedy}
    fail_on(monkeypatch, bad)
    data = as_data(checked([tmp_path / "data"], RULES, workers=2))
    assert [Path(f["path"]).name for f in data["files"]] == [p.name for p in paths]
    assert_all_good_checked(data, set(bad))
    assert data == as_data(checked([tmp_path / "data"], RULES, workers=1))  # the same report either way


def test_the_command_line_pool_survives_a_real_aborting_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the command line, with the pool it picks for 48 files or more (two processes even on one CPU)."""
    folder = tmp_path / "data"
    copies(folder, 49, good_slate(tmp_path))
    aborting_xls(folder, "050-far.xls")
    fail_on(monkeypatch, {"010-slate.xlsx": _abort})
    monkeypatch.setattr(batches, "_cpus", lambda: 2)
    for lang, word in (("zh", "SIGABRT"), ("en", "SIGABRT")):
        result = run(folder, lang=lang)
        assert result.code == 2
        assert len(result.report["files"]) == 50
        assert word in result.error(folder / "010-slate.xlsx")
        assert result.error(folder / "050-far.xls")
        assert_all_good_checked(result.report, {"010-slate.xlsx", "050-far.xls"})
        assert "内部错误" not in result.stderr and "internal error" not in result.stderr


def test_what_a_batch_prints_is_passed_on_and_a_crash_is_told_in_the_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    good, bad = good_slate(tmp_path), good_slate(tmp_path, "bad.xlsx")
    real = reader.read_rows

    def read_rows(path: Path):
        if path == bad:  # what Rust's allocator says before it aborts, then the backtrace it may print
            os.write(2, b"memory allocation of 137438953472 bytes failed\nstack backtrace:\n   0: std::alloc::rust_oom\n")
            os.abort()
        print("a warning from the reader", file=sys.stderr, flush=True)
        return real(path)

    monkeypatch.setattr(reader, "read_rows", read_rows)
    data = as_data(checked([good], RULES))
    assert data["files"][0]["rows"] == 3
    assert "a warning from the reader" in capfd.readouterr().err  # a batch that ends well: what it printed is shown
    data = as_data(checked([bad, good], RULES, lang="en"))
    assert "(SIGABRT: memory allocation of 137438953472 bytes failed)" in data["files"][0]["error"]
    assert data["files"][1]["rows"] == 3
    assert "memory allocation" not in capfd.readouterr().err  # a crash: told once, in the report, not on the terminal



def test_a_file_that_is_read_for_too_long_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, slow, last = good_slate(tmp_path, "first.xlsx"), good_slate(tmp_path, "slow.xlsx"), good_slate(tmp_path, "last.xlsx")
    fail_on(monkeypatch, {"slow.xlsx": lambda: time.sleep(600)})
    monkeypatch.setattr(processes, "FILE_SECONDS", 1)
    monkeypatch.setattr(processes, "_WATCH_SECONDS", 0.1)
    for lang, words in (("zh", "超过 1 秒仍未完成"), ("en", "had not finished after 1 s")):
        result = run(first, slow, last, lang=lang)
        assert result.code == 2 and words in result.error(slow)
        assert_good_checked(result, first)
        assert_good_checked(result, last)
