"""Finding the files of a run: only regular files are opened; pipes, devices, links that lead nowhere and
folders that cannot be listed are named for what they are, and every other file is still checked."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faultkit import assert_good_checked, good_slate, run
from legacy_xls import good_xls
from rulecheck.rulefile import ruleset

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "clean-township.xlsx"
RULES = ruleset.load()


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




def test_a_file_reached_by_several_ways_is_read_once(tmp_path: Path) -> None:
    # collect finds each folder's real path once: a link to a file, a link to a folder, a path with ".."
    # and the file itself must still come to one file.
    from rulecheck.run.files import collect

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    slate = real / "sub" / "丁堰镇.xlsx"
    slate.write_bytes(CLEAN.read_bytes())
    (real / "链接.xlsx").symlink_to(slate)
    (tmp_path / "via").symlink_to(real / "sub")
    given = [real, tmp_path / "via" / "丁堰镇.xlsx", real / "sub" / ".." / "sub" / "丁堰镇.xlsx", slate]
    assert collect(given) == [real / "sub" / "丁堰镇.xlsx"]
    other = real / "sub" / "另一镇.xlsx"
    other.write_bytes(CLEAN.read_bytes())
    assert collect([tmp_path / "via", real]) == [tmp_path / "via" / "丁堰镇.xlsx", tmp_path / "via" / "另一镇.xlsx"]
