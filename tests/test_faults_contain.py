"""Outputs that cannot be written whole: an input with a DTD is named as such by --annotate, and the
temporary files of killed writes are removed by the next write.

(The containment tests that were here are in test_run_processes.py, the regular-file tests in
test_run_files.py, the exit codes in test_cli_exit.py.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from faultkit import assert_good_checked, good_slate, patched_xlsx, run, xlsx_parts
from rulecheck.formats import atomic as output
from rulecheck.rulefile import ruleset

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "samples" / "clean-township.xlsx"
RULES = ruleset.load()


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


