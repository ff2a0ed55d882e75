"""No input takes the run down (issue 14): a reader that aborts, panics or runs out of memory costs only
its own file, on the serial path and in the pool; every ending is a true exit code; a closed stdout
ends the terminal output only; only regular files are opened; temporary files of killed writes are
removed; an input with a DTD is named as such by --annotate.

The hooks that make the reader fail replace ``reader.read_rows`` in this process: batches are read in
processes forked from it, which inherit the replacement, so the failure happens where a real one would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faultkit import (
    GOOD_ROWS, HEADER, assert_good_checked, good_slate, patched_xlsx, run, xlsx_parts,
)
from report_slate import checked
from rulecheck import run as check, cli
from rulecheck.formats import atomic as output
from rulecheck.read import reader
from rulecheck.rulefile import ruleset
from rulecheck.formats.json import as_data

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "clean-township.xlsx"
RULES = ruleset.load()


# --------------------------------------------------------------------------- a legacy .xls, built by hand

def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _label(row: int, col: int, text: str) -> bytes:
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + text.encode("utf-16-le"))


def xls_stream(rows: list[list[object]], stray: tuple[tuple[int, int, str], ...] = (), sheet: str = "名单") -> bytes:
    """A BIFF8 workbook stream: one sheet of text cells (LABEL records), plus cells at ``stray`` (row, col, text)."""
    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    xf = _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")

    def globals_(offset: int) -> bytes:
        # WRITEACCESS padded to keep the stream over 4 KiB, out of the compound file's mini stream
        return (bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + xf * 16 + _record(0x005C, bytes(4200))
                + _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name) + _record(0x000A))

    cells = b"".join(_label(r, c, str(v)) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None)
    cells += b"".join(_label(r, c, v) for r, c, v in stray)
    width = max(len(row) for row in rows)
    body = bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + _record(0x000A)
    return globals_(len(globals_(0))) + body


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file (512-byte sectors: FAT, directory, then the stream) holding one stream."""
    size = len(stream)
    stream = stream.ljust(max(4096, -(-size // 512) * 512), b"\0")
    sectors = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + b"\xff\xff\xff\xff" * 108)

    def entry(title: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = title.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + bytes(36) + struct.pack("<III", start, length, 0))

    empty = bytes(64) + struct.pack("<HBB3I", 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(48)
    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, 2, size) + empty * 2
    return header + struct.pack("<128I", *fat) + directory + stream


def xls(path: Path, rows: list[list[object]], stray: tuple[tuple[int, int, str], ...] = ()) -> Path:
    path.write_bytes(compound_file(xls_stream(rows, stray)))
    return path


def good_xls(folder: Path, name: str = "good.xls") -> Path:
    return xls(folder / name, [HEADER, *GOOD_ROWS])


def aborting_xls(folder: Path, name: str = "far.xls") -> Path:
    """A real file on which calamine aborts the process: one stray cell at row 65,536, column 65,536
    makes it allocate the grid from A1 at once (128 GiB: "memory allocation … failed", SIGABRT)."""
    return xls(folder / name, [HEADER, *GOOD_ROWS], stray=((65535, 65535, "x"),))


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
    real = check.rows
    marker = tmp_path / "attempts"

    def rows(rules, sheets, day):
        if any(s.file == str(paths[2]) for s in sheets):
            with marker.open("a") as out:
                out.write("x")
            os.abort()
        return real(rules, sheets, day)

    monkeypatch.setattr(check, "rows", rows)
    monkeypatch.setattr(check, "BATCH_FILES", 2)
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
    monkeypatch.setattr(check, "_cpus", lambda: 2)
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


# --------------------------------------------------------------------------- true exit codes


class _Left(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def main(monkeypatch: pytest.MonkeyPatch, *args: object) -> int:
    """cli.main as the console script runs it; the exit code it leaves with."""
    def leave(code: int) -> None:
        raise _Left(code)

    monkeypatch.setattr(cli, "_leave", leave)
    monkeypatch.setattr(sys, "argv", ["rulecheck", *map(str, args)])
    with pytest.raises(_Left) as left:
        cli.main()
    return left.value.code


def test_a_panic_escaping_the_check_is_exit_2_not_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def panics(*args: object, **kwargs: object):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(check, "check_paths", panics)
    assert main(monkeypatch, good_slate(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "内部错误,检查未完成" in err and "internal error: the check did not complete" in err and "PanicException" in err


def test_a_broken_pipe_that_escapes_is_exit_2_not_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """click answers an EPIPE it catches with exit 1; that would claim violations."""
    def broken(*args: object, **kwargs: object):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(check, "check_paths", broken)
    assert main(monkeypatch, good_slate(tmp_path)) == 2


def test_violations_are_exit_1_and_a_clean_slate_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(monkeypatch, good_slate(tmp_path), "--format", "json") == 1
    assert main(monkeypatch, CLEAN, "--format", "json") == 0
    assert main(monkeypatch, good_slate(tmp_path), "--fail-on", "never") == 0
    assert main(monkeypatch, tmp_path / "nowhere.xlsx") == 2


def _closed_pipe(*args: object) -> tuple[int, str]:
    """rulecheck with its stdout a pipe whose reader has gone before it writes a byte."""
    process = subprocess.Popen([sys.executable, "-m", "rulecheck", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # type: ignore[union-attr]
    err = process.stderr.read().decode("utf-8")  # type: ignore[union-attr]
    return process.wait(timeout=120), err


@pytest.mark.parametrize(("slate", "code"), [(CLEAN, 0), (None, 1)])
def test_a_closed_stdout_ends_the_terminal_output_only(tmp_path: Path, slate: Path | None, code: int) -> None:
    slate = slate or good_slate(tmp_path)
    report, out = tmp_path / "r.xlsx", tmp_path / "o.json"
    done, err = _closed_pipe(slate, "--report", report, "--format", "json", "--output", out, "--annotate", tmp_path / "copies")
    assert done == code, err
    assert json.loads(out.read_text(encoding="utf-8"))["files"][0]["rows"] > 0
    assert report.stat().st_size > 0 and "Traceback" not in err
    assert (tmp_path / "copies" / slate.name).exists() == (code == 1)  # a copy where there are violations to mark
    done, err = _closed_pipe(slate, "--format", "json")  # the report itself was to go to the closed pipe
    assert done == code and "Traceback" not in err


# --------------------------------------------------------------------------- only regular files are opened


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_a_named_pipe_given_is_named_and_never_opened(tmp_path: Path) -> None:
    pipe = _fifo(tmp_path / "pipe.xlsx")
    good = good_slate(tmp_path)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rulecheck", str(pipe), str(good), "--format", "json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - start < 100  # it returned: before, it waited for a writer for ever
    assert done.returncode == 2
    entries = {f["path"]: f for f in json.loads(done.stdout)["files"]}
    assert "命名管道(FIFO)" in entries[str(pipe)]["error"] and "不打开" in entries[str(pipe)]["error"]
    assert entries[str(good)]["rows"] == 3
    result = run(pipe, good, lang="en")
    assert "not a regular file but a named pipe (FIFO)" in result.error(pipe)
    assert_good_checked(result, good)


@pytest.mark.parametrize(("device", "zh", "en"), [("/dev/zero", "字符设备", "a character device"),
                                                  ("/dev/null", "字符设备", "a character device")])
def test_a_link_to_a_device_is_named_and_never_opened(tmp_path: Path, device: str, zh: str, en: str) -> None:
    link = tmp_path / "x.xlsx"
    link.symlink_to(device)
    good = good_slate(tmp_path)
    result = run(link, good)
    assert result.code == 2 and zh in result.error(link) and device in result.error(link)
    assert_good_checked(result, good)
    result = run(link, good, lang="en")
    assert f"a link to {device}, which is not a regular file but {en}" in result.error(link)


def test_a_link_loop_given_is_named_and_config_discovery_survives_it(tmp_path: Path) -> None:
    loop = tmp_path / "loop.xlsx"
    loop.symlink_to(loop)
    (tmp_path / "a.xlsx").symlink_to(tmp_path / "b.xlsx")
    (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")
    good = good_slate(tmp_path)
    result = run(loop, tmp_path / "a.xlsx", good)  # rulecheck.toml is looked for above every path: no RuntimeError
    assert result.code == 2
    assert "绕成了圈" in result.error(loop) and "绕成了圈" in result.error(tmp_path / "a.xlsx")
    assert_good_checked(result, good)
    assert "go round in a loop" in run(loop, good, lang="en").error(loop)


def test_what_a_folder_holds_under_a_spreadsheet_name_is_never_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    good = good_slate(folder)
    _fifo(folder / "pipe.csv")
    (folder / "null.xls").symlink_to("/dev/null")
    (folder / "gone.xlsx").symlink_to(folder / "moved-away.xlsx")
    (folder / "sub" / "loop.ods").symlink_to(folder / "sub" / "loop.ods")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sub" / "sock.xlsx"))
    (folder / "notes.txt").symlink_to(folder / "nowhere.txt")  # not a spreadsheet's name: not a slate, not listed
    try:
        expected = {
            "pipe.csv": ("命名管道(FIFO)", "a named pipe (FIFO)"),
            "null.xls": ("字符设备", "a link to /dev/null, which is not a regular file but a character device"),
            "gone.xlsx": ("不存在", "which does not exist"),
            "sub/loop.ods": ("绕成了圈", "go round in a loop"),
            "sub/sock.xlsx": ("套接字(socket)", "a socket"),
        }
        for lang, index in (("zh", 0), ("en", 1)):
            result = run(folder, lang=lang)
            assert result.code == 2
            listed = {Path(f["path"]).relative_to(folder).as_posix() for f in result.report["files"]}
            assert listed == {*expected, "good.xlsx"}
            for name, words in expected.items():
                assert words[index] in result.error(folder / name)
                assert f"{folder / name}: " in result.stderr
            assert_good_checked(result, good)
    finally:
        server.close()


def test_a_folder_that_cannot_be_listed_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    locked = folder / "locked"
    locked.mkdir(parents=True)
    good = good_slate(folder)
    real = os.scandir

    def scandir(path: object = "."):  # tests run as root: chmod 000 would not stop us
        if Path(path) == locked:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = run(folder)
    # the system's reason in the user's language too (no 'Permission denied' in Chinese output)
    assert result.code == 2 and "无法打开这个文件夹" in result.error(locked) and "没有权限" in result.error(locked)
    assert "Permission denied" not in result.error(locked)
    assert_good_checked(result, good)
    english = run(folder, lang="en").error(locked)
    assert "cannot list the files in this folder" in english and "ermission denied" in english


def test_a_file_swapped_for_a_pipe_after_the_first_look_cannot_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first look is fooled (a regular file's details); opening without blocking and looking again catches it."""
    pipe = _fifo(tmp_path / "swapped.xlsx")
    good = good_slate(tmp_path)
    regular = os.stat(good)
    real = os.stat

    def fooled(path: object, *args: object, **kwargs: object):
        return regular if Path(path) == pipe else real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", fooled)
    result = run(pipe, good)
    assert result.code == 2 and "命名管道(FIFO)" in result.error(pipe)
    assert_good_checked(result, good)


def test_wps_et_and_ett_files_are_found_in_folders(tmp_path: Path) -> None:
    folder = tmp_path / "wps"
    folder.mkdir()
    good_xls(folder, "城南镇.et")
    good_xls(folder, "模板.ETT")
    result = run(folder)
    assert sorted(Path(f["path"]).name for f in result.report["files"]) == ["城南镇.et", "模板.ETT"]
    for name in ("城南镇.et", "模板.ETT"):
        assert_good_checked(result, folder / name)


# --------------------------------------------------------------------------- --annotate and a DTD


def test_an_input_with_a_dtd_is_named_as_such_by_annotate(tmp_path: Path) -> None:
    source = good_slate(tmp_path, "source.xlsx")
    core = xlsx_parts(source)["docProps/core.xml"]  # a part the reader never parses: the slate itself is read
    dtd = patched_xlsx(source, tmp_path / "dtd.xlsx", {"docProps/core.xml": b'<!DOCTYPE x [<!ENTITY a "b">]>' + core})
    plain = good_slate(tmp_path)
    copies_dir = tmp_path / "copies"
    for lang, words in (("zh", ["含有 DTD", "无法安全地复制"]), ("en", ["has a DTD", "cannot be copied safely"])):
        result = run(dtd, plain, "--annotate", copies_dir, lang=lang)
        assert result.code == 2  # a copy asked for was not written
        assert_good_checked(result, dtd)
        line = next(line for line in result.stderr.splitlines() if str(dtd) in line and "DTD" in line)
        for word in words:
            assert word in line
        assert "无法写入" not in result.stderr and "cannot write" not in result.stderr
        assert not (copies_dir / "dtd.xlsx").exists() and (copies_dir / "good.xlsx").exists()


# --------------------------------------------------------------------------- temporary files of killed writes

_KILLED_WRITER = """
import sys, time
from rulecheck.formats.atomic import atomic_write
with atomic_write(sys.argv[1]) as out:
    out.write("half")
    out.flush()
    print("writing", flush=True)
    time.sleep(600)
"""


def _killed_write(target: Path) -> tuple[int, list[Path]]:
    """A write killed with SIGKILL half way: its pid, and the temporary files it left."""
    process = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], cwd=ROOT, stdout=subprocess.PIPE)
    assert process.stdout.readline() == b"writing\n"  # type: ignore[union-attr]
    process.kill()
    process.wait()
    return process.pid, sorted(target.parent.glob(f".{target.name}.*.tmp"))


def test_the_next_write_removes_what_a_killed_write_left(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    pid, left = _killed_write(out)
    assert len(left) == 1 and f"-{pid}-" in left[0].name and not out.exists()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        host = output._host()
        others = [
            tmp_path / f".out.json.rulecheck-{host}-{alive.pid}-abcd1234.tmp",  # a write still running
            tmp_path / f".out.json.rulecheck-another-host-{pid}-abcd1234.tmp",  # another machine's (a shared folder)
            tmp_path / ".out.json.k2j4h5g6.tmp",  # not named by rulecheck's pattern
            tmp_path / "mine.rulecheck-1-x.tmp",  # not hidden: someone's own file
        ]
        for path in others:
            path.write_text("theirs", encoding="utf-8")
        result = run(good_slate(tmp_path), "--output", out, fmt="text")
        assert result.code == 1 and "读取 3 名人选" in out.read_text(encoding="utf-8")
        assert not left[0].exists()
        assert all(path.read_text(encoding="utf-8") == "theirs" for path in others)
        assert {p for p in tmp_path.iterdir() if p.name.endswith(".tmp")} == set(others)
    finally:
        alive.kill()
        alive.wait()


def test_a_killed_write_is_cleaned_by_the_next_annotated_copy_too(tmp_path: Path) -> None:
    copies_dir = tmp_path / "copies"
    copies_dir.mkdir()
    _, left = _killed_write(copies_dir / "good.xlsx")
    assert left
    result = run(good_slate(tmp_path), "--annotate", copies_dir)
    assert result.code == 1 and (copies_dir / "good.xlsx").exists()
    assert not any(path.exists() for path in left)
    assert [p.name for p in copies_dir.iterdir()] == ["good.xlsx"]


def test_a_file_that_is_read_for_too_long_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, slow, last = good_slate(tmp_path, "first.xlsx"), good_slate(tmp_path, "slow.xlsx"), good_slate(tmp_path, "last.xlsx")
    fail_on(monkeypatch, {"slow.xlsx": lambda: time.sleep(600)})
    monkeypatch.setattr(check, "FILE_SECONDS", 1)
    monkeypatch.setattr(check, "_WATCH_SECONDS", 0.1)
    for lang, words in (("zh", "超过 1 秒仍未完成"), ("en", "had not finished after 1 s")):
        result = run(first, slow, last, lang=lang)
        assert result.code == 2 and words in result.error(slow)
        assert_good_checked(result, first)
        assert_good_checked(result, last)
