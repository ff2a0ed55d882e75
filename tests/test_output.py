"""Writing outputs: atomic files, --output / --report, never over an input, --fail-on exit codes,
byte-identical machine formats, and the progress bar only on a terminal."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from report_slate import write_slate
from rulecheck import cli
from rulecheck.cli import app
from rulecheck.formats.atomic import atomic_write
from rulecheck.progress import ProgressBar


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def slate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_slate(Path("slate.xlsx"))


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    with atomic_write(target) as out:
        out.write("新的内容")
        assert target.read_text(encoding="utf-8") == "old"  # nothing visible until the end
    assert target.read_text(encoding="utf-8") == "新的内容"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_failure_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, binary=True) as out:
            out.write(b"half")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "new.txt") as out:
            raise RuntimeError("interrupted")
    assert os.listdir(tmp_path) == ["out.bin"]


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.txt") as out:
            out.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_a_writer_that_fails_halfway_leaves_no_report(slate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(report, out) -> None:
        out.write(b"PK partial")
        raise OSError(28, "No space left on device")

    real = cli.writer
    monkeypatch.setattr(cli, "writer", lambda name: broken if name == "xlsx" else real(name))
    result = invoke(str(slate), "--report", "report.xlsx")
    assert result.exit_code == 2 and "磁盘空间不足" in result.stderr  # errno 28 in the user's language
    assert sorted(os.listdir(".")) == ["slate.xlsx"]


# --------------------------------------------------------------------------- the options


def test_output_writes_the_format_and_the_terminal_keeps_the_text(slate: Path) -> None:
    result = invoke(str(slate), "--format", "junit", "--output", "results.xml", "--report", "report.xlsx")
    assert result.exit_code == 1
    assert result.stdout.startswith("文件 slate.xlsx")  # the text report
    assert "共检查 1 个文件" in result.stdout
    assert Path("results.xml").read_text(encoding="utf-8").startswith('<?xml version="1.0"')
    assert Path("report.xlsx").read_bytes()[:2] == b"PK"
    assert "已写入 results.xml" in result.stderr and "已写入 report.xlsx" in result.stderr


def test_xlsx_needs_a_file(slate: Path) -> None:
    result = invoke(str(slate), "--format", "xlsx")
    assert result.exit_code == 2 and "--output" in result.stderr
    assert invoke(str(slate), "--format", "xlsx", "--output", "r.xlsx").exit_code == 1
    assert Path("r.xlsx").read_bytes()[:2] == b"PK"


def test_report_must_be_an_xlsx_name(slate: Path) -> None:
    result = invoke(str(slate), "--report", "report.xls", "--lang", "en")
    assert result.exit_code == 2 and "must end in .xlsx" in result.stderr


@pytest.mark.parametrize("option", ["--output", "--report"])
def test_an_input_is_never_overwritten(slate: Path, option: str) -> None:
    before = slate.read_bytes()
    result = invoke(str(slate), option, "slate.xlsx")
    assert result.exit_code == 2 and "不会覆盖" in result.stderr
    assert slate.read_bytes() == before
    result = invoke(".", option, "./slate.xlsx")  # the same file reached through its folder
    assert result.exit_code == 2 and slate.read_bytes() == before


def test_two_outputs_to_one_file_are_refused(slate: Path) -> None:
    result = invoke(str(slate), "-f", "xlsx", "--output", "r.xlsx", "--report", "r.xlsx")
    assert result.exit_code == 2 and not Path("r.xlsx").exists()


@pytest.mark.parametrize(("fail_on", "code"), [(None, 1), ("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(slate: Path, fail_on: str | None, code: int) -> None:
    args = [str(slate)] + (["--fail-on", fail_on] if fail_on else [])
    assert invoke(*args).exit_code == code


def test_fail_on_warning_fails_where_only_warnings_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["镇(区)", "村(社区)", "姓名", "性别", "出生年月", "拟任职务", "是否留任", "公开承诺"])
    book.active.append(["丁堰镇", "南村", "甲", "男", "1975.01", "书记", "否", "是"])
    book.active.append(["丁堰镇", "南村", "乙", "男", "1980.01", "委员", "否", ""])
    book.active.append(["丁堰镇", "南村", "丙", "男", "1979.01", "委员", "否", ""])  # no woman: a warning
    book.save("warn.xlsx")
    assert [invoke("warn.xlsx", "--fail-on", x).exit_code for x in ("error", "warning", "never")] == [0, 1, 0]


def test_could_not_check_is_2_whatever_fail_on_says(slate: Path) -> None:
    Path("broken.xlsx").write_bytes(b"not a workbook")
    assert invoke(str(slate), "broken.xlsx", "--fail-on", "never").exit_code == 2


def test_machine_formats_are_byte_identical_run_after_run(slate: Path) -> None:
    for name, suffix in (("json", "json"), ("csv", "csv"), ("junit", "xml"), ("github", "txt")):
        invoke(str(slate), "-f", name, "-o", f"a.{suffix}")
        invoke(str(slate), "-f", name, "-o", f"b.{suffix}")
        assert Path(f"a.{suffix}").read_bytes() == Path(f"b.{suffix}").read_bytes()
        assert b"20" in Path(f"a.{suffix}").read_bytes()  # written, not empty


def test_show_id_shows_identity_numbers_in_every_format(slate: Path) -> None:
    from report_slate import BAD_ID

    for name in ("text", "json", "csv", "junit", "github"):
        assert BAD_ID not in invoke(str(slate), "-f", name).stdout
        assert BAD_ID in invoke(str(slate), "-f", name, "--show-id").stdout


# --------------------------------------------------------------------------- progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_clears_itself() -> None:
    stream = Terminal()
    bar = ProgressBar(stream, "zh", minimum=3)
    for i in range(1, 5):
        bar(i, 4, f"镇{i}.xlsx")
    text = stream.getvalue()
    assert "\r读取 [######..................] 1/4 镇1.xlsx" in text
    assert "\r读取 [########################] 4/4 镇4.xlsx" in text
    assert text.endswith("\r")  # the line is cleared at the end
    assert ProgressBar.wanted(stream) and not ProgressBar.wanted(io.StringIO())


def test_progress_bar_is_silent_for_a_few_files() -> None:
    stream = Terminal()
    bar = ProgressBar(stream, "en")
    for i in range(1, 4):
        bar(i, 3, "x.xlsx")
    assert stream.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(12):
        write_slate(Path(f"s{i:02d}.xlsx"))
    result = invoke(".", "-f", "json")
    assert result.stderr == ""


def test_the_text_path_never_loads_openpyxl(slate: Path) -> None:
    import subprocess
    import sys

    probe = ("import atexit, sys; atexit.register(lambda: print('openpyxl' in sys.modules, file=sys.stderr)); "
             "from rulecheck.cli import main; sys.argv = ['rulecheck', 'slate.xlsx']; main()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.strip().splitlines()[-1] == "False"
    done = subprocess.run([sys.executable, "-c", probe.replace("'slate.xlsx']", "'slate.xlsx', '--report', 'r.xlsx']")],
                          capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "True"  # the probe does see it when it is used


def test_output_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(slate: Path, tmp_path: Path) -> None:
    """`-o /dev/null` or a named pipe is written to, never replaced by a regular file (as root, replacing
    /dev/null would break the machine)."""
    import threading

    pipe = tmp_path / "fifo"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    result = CliRunner().invoke(app, [str(slate), "--format", "json", "-o", str(pipe)])
    reader.join(timeout=30)
    assert result.exit_code in (0, 1), result.output
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert json.loads(got[0])["summary"]["files"] == 1
    assert sorted(p.name for p in pipe.parent.iterdir() if p.name.startswith(".")) == []  # no temporary file beside it
