"""Fuzzing (issue 14): a few hundred mutants of a small xlsx, xls and ods, a fixed seed, each run beside the
good slate. Whatever a mutant makes the guard, calamine or the rules do, the run ends with 0, 1 or 2, every
mutant is accounted for, and the good slate beside it is always checked.

Mutants go through the command line as users run it, many to a run (start-up dominates a run), some
runs under the pool's threshold and some over it.
"""

from __future__ import annotations

import io
import json
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from faultkit import GOOD_ROWS, HEADER, good_slate, ods, ods_rows
from legacy_xls import good_xls

ROOT = Path(__file__).resolve().parent.parent
SEED = 14
# format: (mutants, mutants per run); 40 files and the good slate stay on the serial path, 50 go to the pool.
PLAN = {"xlsx": (120, 40), "xls": (100, 50), "ods": (80, 40)}

# Values that make readers lay out, reserve or count too much, or too little.
NUMBERS = [b"0", b"01048576", b"1048577", b"4294967295", b"18446744073709551616", b"-1", b"65536", b"16384",
           b"99999999", b"00000000001"]
SNIPPETS = [
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    b'<row r="01048576"><c r="XFD01048576" t="s"><v>4294967295</v></c></row>',
    b'<c r="A2" t="s"><v>999999</v></c>', b'<c r="ZZZZ9" t="n"><v>1e308</v></c>', b"<f>1/0</f>",
    b"<!DOCTYPE x>", b"&#0;", b"&#xFFFF;", b"\xff\xfe", b"<mergeCell ref=\"A1:XFD1048576\"/>",
    b'table:number-rows-repeated="100000000"', b'table:number-columns-repeated="16384"',
    b'<table:table-row table:style-name="a>b" table:number-rows-repeated="1000000">',
    b'<sheet name="x" sheetId="9" r:id="rId1"/>', b'Target="/XL/Other/Sheet1.XML"',
]
U16 = [0, 0xFFFF, 0x7FFF, 0x8000, 0x0100, 0xFF00]
U32 = [0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFE, 0x10000, 0x1000, 0x00FFFFFF]


def mutate_text(rng: random.Random, data: bytes) -> bytes:
    """One structural change to an XML part: a byte, a number, a cut, a repeat, a deletion or a snippet."""
    if not data:
        return rng.choice(SNIPPETS)
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randrange(1, 400))
    how = rng.randrange(6)
    if how == 0:
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
    if how == 1:
        digits = [m for m in range(len(data)) if data[m:m + 1].isdigit() and (m == 0 or not data[m - 1:m].isdigit())]
        if digits:
            start = rng.choice(digits)
            end = start
            while end < len(data) and data[end:end + 1].isdigit():
                end += 1
            return data[:start] + rng.choice(NUMBERS) + data[end:]
    if how == 2:
        return data[:i]
    if how == 3:
        return data[:j] + data[i:j] * rng.randrange(1, 50) + data[j:]
    if how == 4:
        return data[:i] + data[j:]
    return data[:i] + rng.choice(SNIPPETS) + data[i:]


def rezip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def flip_bytes(rng: random.Random, data: bytes, spots: list[int]) -> bytes:
    """A few bytes, 16- or 32-bit fields set to edge values at positions drawn from ``spots``."""
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3, 6])):
        i = rng.choice(spots)
        how = rng.random()
        if how < 0.4:
            out[i] = rng.randrange(256)
        elif how < 0.7:
            out[i:i + 2] = struct.pack("<H", rng.choice(U16))
        else:
            out[i:i + 4] = struct.pack("<I", rng.choice(U32))
    return bytes(out[:len(data)])


def package_mutant(rng: random.Random, source: bytes, weights: dict[str, int]) -> bytes:
    """A zip package with one to three of its parts changed (most often the sheet), or its own bytes."""
    if rng.random() < 0.1:
        return flip_bytes(rng, source, list(range(len(source))))
    parts = dict(xlsx_parts_of(source))
    names = [name for name in weights if name in parts] + [name for name in parts if name not in weights]
    chances = [weights.get(name, 1) for name in names]
    for _ in range(rng.choice([1, 1, 2, 3])):
        name = rng.choices(names, chances)[0]
        parts[name] = mutate_text(rng, parts[name])
    return rezip(parts)


def xlsx_parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


XLSX_WEIGHTS = {"xl/worksheets/sheet1.xml": 10, "xl/workbook.xml": 3, "xl/_rels/workbook.xml.rels": 2,
                "xl/styles.xml": 2, "[Content_Types].xml": 1}
ODS_WEIGHTS = {"content.xml": 10, "META-INF/manifest.xml": 1, "mimetype": 1}


def mutants(folder: Path, kind: str, count: int, rng: random.Random) -> list[Path]:
    """``count`` mutants of the good slate in this format, written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "xlsx":
        source = good_slate(folder, "source.bin").read_bytes()
        make = lambda: package_mutant(rng, source, XLSX_WEIGHTS)  # noqa: E731
    elif kind == "ods":
        source = ods(folder / "source.bin", ods_rows([HEADER, *GOOD_ROWS])).read_bytes()
        make = lambda: package_mutant(rng, source, ODS_WEIGHTS)  # noqa: E731
    else:
        source = good_xls(folder, "source.bin").read_bytes()
        padding = source.find(bytes(4200))  # the hand-built file's filler: no use mutating it
        spots = [i for i in range(len(source)) if not padding <= i < padding + 4200 and i < padding + 4200 + 800]
        make = lambda: flip_bytes(rng, source, spots)  # noqa: E731
    (folder / "source.bin").unlink()
    paths = []
    for n in range(count):
        path = folder / f"{n:03d}-mutant.{kind}"
        path.write_bytes(make())
        paths.append(path)
    return paths


def check_run(paths: list[Path], good: Path) -> dict[str, int]:
    """One command-line run over mutants and the good slate; returns how the mutants fared."""
    done = subprocess.run([sys.executable, "-m", "rulecheck", *map(str, paths), str(good), "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1, 2), done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout)
    entries = {f["path"]: f for f in report["files"]}
    assert len(report["files"]) == len(entries) == len(paths) + 1  # every mutant accounted for, once
    assert set(entries) == {str(p) for p in [*paths, good]}
    mine = entries[str(good)]
    assert mine["error"] is None and mine["rows"] == 3, mine
    assert ("retirement-age", 2) in {(v["rule"], v["row"]) for v in report["violations"] if v["file"] == str(good)}
    failed = [e for e in entries.values() if e["error"]]
    assert all(isinstance(e["error"], str) and e["error"].strip() for e in failed)
    if failed:
        assert done.returncode == 2
    return {"failed": len(failed), "read": len(paths) - len(failed)}


def test_mutants_never_take_the_good_slate_down(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    good = good_slate(tmp_path)
    totals = {"failed": 0, "read": 0}
    for kind, (count, per_run) in PLAN.items():
        paths = mutants(tmp_path / kind, kind, count, rng)
        for start in range(0, count, per_run):
            fared = check_run(paths[start:start + per_run], good)
            for key in totals:
                totals[key] += fared[key]
    assert sum(totals.values()) == sum(count for count, _ in PLAN.values()) == 300
    assert totals["failed"] > 50 and totals["read"] > 50  # the mutants reach both outcomes: the fuzzing bites
