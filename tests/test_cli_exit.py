"""The command line's endings: every ending is a true exit code (0 clean, 1 violations, 2 not checked or a
crash), a closed stdout ends the terminal output only, and the exit leaves through public API alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faultkit import good_slate
from rulecheck import cli
from rulecheck import run as check
from rulecheck.rulefile import ruleset

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "clean-township.xlsx"
RULES = ruleset.load()


# --------------------------------------------------------------------------- true exit codes


class PanicException(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, not an Exception."""


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




# --------------------------------------------------------------------------- how the process ends

_ENDING = """
import atexit, gc, sys
atexit.register(lambda: print("handler before the import ran", file=sys.stderr, flush=True))
from rulecheck import cli
atexit.register(lambda: print("handler after the import ran", gc.get_freeze_count() > 0, file=sys.stderr, flush=True))
sys.argv = ["rulecheck", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.parametrize(("lang", "words"), [("zh", "共检查 1 个文件"), ("en", "files 1, candidates")])
def test_the_exit_runs_every_handler_flushes_and_leaves_the_objects_to_the_end(tmp_path: Path, lang: str, words: str) -> None:
    """Handlers registered by others run, whenever they were registered; the report reaches a file in full;
    the run's objects are frozen out of the collector's last walk (the ~0.4 s at 1,000 workbooks it saves)."""
    out = tmp_path / "out.txt"
    with out.open("w", encoding="utf-8") as stdout:  # a file: block-buffered, so an unflushed end would lose it
        done = subprocess.run([sys.executable, "-c", _ENDING, str(good_slate(tmp_path)), "--lang", lang],
                              cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "handler before the import ran" in done.stderr
    assert "handler after the import ran True" in done.stderr
    assert words in out.read_text(encoding="utf-8").splitlines()[-1]  # the report's last line


def test_the_exit_uses_no_private_api_of_the_standard_library() -> None:
    import inspect

    source = inspect.getsource(cli)
    assert "_run_exitfuncs" not in source and "atexit._" not in source


def test_a_bad_option_ends_with_exit_2_and_handlers_run(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _ENDING, "--format", "pdf", str(good_slate(tmp_path))],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "handler before the import ran" in done.stderr
    assert "--format" in done.stderr
