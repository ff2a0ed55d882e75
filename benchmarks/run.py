"""Time rulecheck against the bare read, on the same generated folder, in one run.

    python benchmarks/run.py                      # 1,000 workbooks, 5 runs each
    python benchmarks/run.py --sizes 1 100 1000 10000 --runs 3

For each folder size it times, as whole processes started fresh (start-up included):

  floor        python-calamine alone reading every sheet of every workbook in a plain loop
  reading      rulecheck's start-up and its reading alone (the zip checks of guard.py, then calamine),
               in as many processes as rulecheck uses: what it spends before checking anything
  rulecheck    ``rulecheck FOLDER --format json``
  frictionless ``frictionless validate`` of a data package whose Table Schemas carry the row
               constraints Table Schema can express (skipped, with a message, when absent)

and prints the medians, the ratios reading/floor, rulecheck/floor and frictionless/rulecheck, and rulecheck's peak
memory (the largest single process, from getrusage, and the whole process tree, sampled from /proc).
It also times one slate (``rulecheck one.xlsx``) and lists the slowest imports (``-X importtime``).
Results are written as JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/ is not a package)

# The floor: no rulecheck code at all, only what any checker must do to see the cells.
FLOOR = """
import sys, pathlib, python_calamine
cells = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx")):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        cells += sum(map(len, book.get_sheet_by_name(name).to_python()))
print(cells)
"""

# What rulecheck spends before checking anything: its start-up (the same imports) and reading every
# workbook as it does (guard.py's checks of the zip, then calamine), in as many processes as it uses.
READING = """
import os, sys, pathlib, multiprocessing
from concurrent.futures import ProcessPoolExecutor
import rulecheck.cli
from rulecheck import run as check
from rulecheck.read import reader

def read(paths):
    return sum(sum(map(len, sheet.rows)) for path in paths for sheet in reader.read_rows(path))

files = sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx"))
workers = len(os.sched_getaffinity(0)) if len(files) >= check.POOL_MIN_FILES else 1
if workers > 1:
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        print(sum(pool.map(read, [files[i::workers] for i in range(workers)])))
else:
    print(read(files))
"""

# Reports the peak RSS of the command it runs (its largest process, pool workers included).
_PEAK = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


@dataclass
class Timing:
    """Wall-clock seconds of repeated runs of one command."""

    command: list[str]
    seconds: list[float] = field(default_factory=list)
    skipped: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


@dataclass
class SizeResult:
    workbooks: int
    rows: int
    megabytes: float
    floor: Timing
    reading: Timing
    rulecheck: Timing
    frictionless: Timing
    peak_rss_mb: float = 0.0  # largest single process
    peak_tree_mb: float = 0.0  # rulecheck and its workers together

    @property
    def ratio(self) -> float:
        return self.rulecheck.median / self.floor.median

    @property
    def reading_ratio(self) -> float:
        return self.reading.median / self.floor.median

    @property
    def frictionless_ratio(self) -> float:
        return self.frictionless.median / self.rulecheck.median if self.frictionless.seconds else float("nan")


def ensure_folder(data: Path, count: int, seed: int) -> Path:
    """The generated folder of ``count`` workbooks, made (or remade) unless already right."""
    folder = data / str(count)
    manifest = folder / generate.MANIFEST
    if manifest.exists():
        known = json.loads(manifest.read_text(encoding="utf-8"))
        if known["count"] == count and known["seed"] == seed and len(list(folder.glob("*.xlsx"))) == count:
            return folder
    generate.generate(folder, count, seed, workers=os.cpu_count() or 1)
    return folder


def floor_command(folder: Path) -> list[str]:
    return [sys.executable, "-c", FLOOR, str(folder)]


def compile_package() -> Path:
    """Byte-compile the rulecheck to be measured, as ``pip install`` does; its folder.

    Run from a checkout with PYTHONDONTWRITEBYTECODE set (as on the machine of the figures below
    until this was noticed), every command would otherwise compile rulecheck's ~9,000 lines from
    source, ~0.2 s a run that no installed copy spends.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("rulecheck")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent
    compileall.compile_dir(str(folder), quiet=1)
    return folder


def reading_command(folder: Path) -> list[str]:
    return [sys.executable, "-c", READING, str(folder)]


def rulecheck_command(target: Path, fmt: str = "json") -> list[str]:
    return [sys.executable, "-m", "rulecheck", str(target), "--format", fmt]


def frictionless_command(package: Path) -> list[str] | None:
    """``frictionless validate`` of the package, or None when frictionless is not installed."""
    exe = Path(sys.executable).with_name("frictionless")
    found = str(exe) if exe.exists() else shutil.which("frictionless")
    return [found, "validate", str(package), "--json"] if found else None


def _constraints() -> dict[str, dict]:
    """Table Schema fields for the row constraints Table Schema can express, by canonical column.

    What it cannot express is left out: mixed date forms, identity-number check digits and
    birth dates, ages, and every per-village or per-township rule.
    """
    from rulecheck.rulefile.ruleset import load
    from rulecheck.table.types.boolean import _FALSE, _TRUE

    columns = load().columns
    roles = sorted({s for syns in (columns["role"].categories or {}).values() for s in syns}, key=len, reverse=True)
    yes_no = sorted(set(_TRUE + _FALSE))
    return {
        "#": {"type": "integer"},
        "township": {"type": "string", "constraints": {"required": True}},
        "village": {"type": "string", "constraints": {"required": True}},
        "name": {"type": "string", "constraints": {"required": True, "minLength": 2, "maxLength": 12}},
        "sex": {"type": "string", "constraints": {"enum": ["男", "女"]}},
        "id_number": {"type": "string", "constraints": {"pattern": "[0-9]{17}[0-9Xx]|[0-9]{15}"}},
        "role": {"type": "string", "constraints": {"required": True, "pattern": f"({'|'.join(roles)})(、.*)?"}},
        "retained": {"type": "string", "constraints": {"enum": yes_no}},
        "commitment": {"type": "string", "constraints": {"enum": yes_no}},
        "nomination": {"type": "string", "constraints": {"enum": ["两推一考", "两推一考制度", "两推一考制"]}},
        "commendation_years": {"type": "string", "constraints": {"pattern": "[0-9]{4}([、,，\\-至 ]+[0-9]{4})*"}},
        "assessment_years": {"type": "string", "constraints": {"pattern": "[0-9]{4}([、,，\\-至 ]+[0-9]{4})*"}},
    }


def frictionless_package(folder: Path) -> Path:
    """A data package over the folder's workbooks: one resource each, its header row and schema."""
    manifest = json.loads((folder / generate.MANIFEST).read_text(encoding="utf-8"))
    fields = _constraints()
    resources = []
    for n, book in enumerate(manifest["workbooks"]):
        resources.append({
            "name": f"slate-{n}", "path": book["file"], "format": "xlsx",
            "dialect": {"headerRows": [book["header_row"]], "excel": {"sheet": book["sheet"], "fillMergedCells": True}},
            "schema": {"fields": [{"name": header, **fields.get(key, {"type": "any"})} for header, key in book["columns"]]},
        })
    package = folder / "datapackage.json"
    package.write_text(json.dumps({"name": "slates", "resources": resources}, ensure_ascii=False), encoding="utf-8")
    return package


def time_command(command: list[str], runs: int, cwd: Path | None = None) -> Timing:
    """Median-ready wall-clock times of ``runs`` fresh runs; output discarded."""
    timing = Timing(command)
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
        timing.seconds.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):  # 1: violations found, which the folders have
            raise RuntimeError(f"{' '.join(command[:4])} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return timing


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        found = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        rss[pid] = int(found.group(1)) if found else 0
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def peak_memory(command: list[str]) -> tuple[float, float]:
    """(largest single process, whole tree sampled every 20 ms) peak resident MB of one run."""
    process = subprocess.Popen([sys.executable, "-c", _PEAK, *command], stdout=subprocess.PIPE)
    tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal tree
        while not stop.is_set():
            if os.path.isdir("/proc"):
                tree = max(tree, _tree_rss_kb(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    stop.set()
    sampler.join()
    single = int(out.decode().split()[-1])
    return single / 1024, tree / 1024


def importtime(command: list[str], top: int = 12) -> list[tuple[str, float]]:
    """The slowest top-level imports of a command, cumulative milliseconds, from ``-X importtime``."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    found = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if match and len(match.group(2)) <= 1:  # top-level: indented by a single space at most
            found.append((match.group(3), int(match.group(1)) / 1000))
    return sorted(found, key=lambda x: -x[1])[:top]


def measure(data: Path, count: int, runs: int, seed: int, memory: bool = True,
            frictionless_up_to: int = 1000) -> SizeResult:
    """Floor, rulecheck and frictionless on one folder, interleaved run by run."""
    folder = ensure_folder(data, count, seed)
    manifest = json.loads((folder / generate.MANIFEST).read_text(encoding="utf-8"))
    floor, reading, check = (Timing(floor_command(folder)), Timing(reading_command(folder)),
                             Timing(rulecheck_command(folder)))
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits all alike
        for timing in (floor, reading, check):
            timing.seconds += time_command(timing.command, 1).seconds
    friction_cmd = frictionless_command(frictionless_package(folder))
    if friction_cmd is None:
        friction = Timing([], skipped="frictionless is not installed (pip install -e '.[bench]')")
    elif count > frictionless_up_to:
        friction = Timing(friction_cmd, skipped=f"frictionless not run above {frictionless_up_to:,} workbooks "
                                               "(--frictionless-up-to)")
    else:
        friction = time_command(friction_cmd, max(1, min(runs, 3 if count <= 1000 else 1)), cwd=folder)
    result = SizeResult(count, sum(b["rows"] for b in manifest["workbooks"]),
                        sum(p.stat().st_size for p in folder.glob("*.xlsx")) / 2**20, floor, reading, check, friction)
    if memory:
        result.peak_rss_mb, result.peak_tree_mb = peak_memory(check.command)
    return result


def startup(data: Path, seed: int, runs: int) -> dict:
    """One slate as a whole process, and where its start-up time goes."""
    folder = ensure_folder(data, 1, seed)
    one = next(folder.glob("*.xlsx"))
    text = time_command(rulecheck_command(one, "text"), runs)
    bare = time_command([sys.executable, "-c", "pass"], runs)
    return {"slate": one.name, "rulecheck_one_s": text.median, "python_bare_s": bare.median,
            "imports_ms": importtime(rulecheck_command(one, "text"))}


def machine() -> dict:
    """What the figures were measured on."""
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                    if l.startswith("model name")), "")
    memory = ""
    if Path("/proc/meminfo").exists():
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 2**20:.1f} GiB"
    versions = {}
    for package in ("rulecheck", "python-calamine", "pandas", "numpy", "pydantic", "typer", "frictionless"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions}


def report(results: list[SizeResult], start: dict | None, host: dict) -> str:
    """The figures as the plain-text table printed at the end of a run."""
    lines = [f"machine: {host['cpus']} cpus, {host['cpu']}, {host['memory']}, Python {host['python']}",
             "versions: " + ", ".join(f"{k} {v}" for k, v in host["versions"].items() if v), "",
             f"{'workbooks':>9} {'rows':>9} {'MB':>7} {'floor s':>8} {'reading s':>9} {'rd/fl':>6} {'rulecheck s':>11} "
             f"{'ratio':>6} {'frictionless s':>14} {'fr/rc':>6} {'peak MB':>8} {'tree MB':>8}"]
    for r in results:
        friction = f"{r.frictionless.median:14.2f} {r.frictionless_ratio:6.1f}" if r.frictionless.seconds else f"{'skipped':>14} {'-':>6}"
        lines.append(f"{r.workbooks:>9,} {r.rows:>9,} {r.megabytes:>7.1f} {r.floor.median:>8.2f} {r.reading.median:>9.2f} "
                     f"{r.reading_ratio:>6.2f} {r.rulecheck.median:>11.2f} {r.ratio:>6.2f} {friction} "
                     f"{r.peak_rss_mb:>8.0f} {r.peak_tree_mb:>8.0f}")
    for r in results:
        if r.frictionless.skipped:
            lines.append(f"frictionless skipped at {r.workbooks:,}: {r.frictionless.skipped}")
    if start:
        lines += ["", f"one slate ({start['slate']}): rulecheck {start['rulecheck_one_s'] * 1000:.0f} ms as a whole "
                  f"process; bare python {start['python_bare_s'] * 1000:.0f} ms", "slowest imports (cumulative ms):"]
        lines += [f"  {ms:8.1f}  {name}" for name, ms in start["imports_ms"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[SizeResult]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="folder sizes, in workbooks")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command per size; medians are shown")
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generated folders are kept")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the JSON results are written")
    parser.add_argument("--no-memory", action="store_true", help="skip the extra run that measures peak memory")
    parser.add_argument("--no-startup", action="store_true", help="skip the one-slate start-up measurement")
    parser.add_argument("--frictionless-up-to", type=int, default=1000, metavar="N",
                        help="run frictionless only on folders of at most N workbooks (it takes ~0.12 s a workbook)")
    args = parser.parse_args(argv)
    compile_package()
    host = machine()
    results = []
    for count in args.sizes:
        print(f"{count:,} workbooks ...", file=sys.stderr, flush=True)
        results.append(measure(args.data, count, args.runs, args.seed, memory=not args.no_memory,
                               frictionless_up_to=args.frictionless_up_to))
    start = None if args.no_startup else startup(args.data, args.seed, max(args.runs, 3))
    print(report(results, start, host))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    data = {"machine": host, "startup": start, "results": [
        {**asdict(r), "ratio": r.ratio, "reading_ratio": r.reading_ratio, "frictionless_ratio": r.frictionless_ratio,
         "medians": {"floor": r.floor.median, "reading": r.reading.median, "rulecheck": r.rulecheck.median,
                     "frictionless": r.frictionless.median}}
        for r in results]}
    (args.out / f"results-{stamp}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
