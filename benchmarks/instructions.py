"""Instructions of a whole check, per process, under valgrind's callgrind: deterministic where wall time is not.

    python benchmarks/instructions.py [FOLDER] [--rulecheck-dir DIR]

Runs ``python -m rulecheck FOLDER --format json`` (default: the generated 1,000-workbook folder) with
every process under callgrind, the main process's counts cut at each fork, and prints the main process's
start-up (to the first fork), its work after the batches, each batch process, and the run's critical
path (start-up + the longest batch + after). Under callgrind a run takes ~50× as long (~10 minutes at
1,000 workbooks). Page faults and other kernel time are not counted: compare the wall clock too (run.py).
valgrind is a system tool (Debian: ``apt-get install valgrind``), not a dependency of rulecheck.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def counts(folder: Path, checkout: Path) -> dict[str, list[int]]:
    """Instructions by process: 'start' and 'after' of the main process, 'batches' one per batch process."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=PyOS_BeforeFork",
             f"--callgrind-out-file={out}/cg.%p", sys.executable, "-m", "rulecheck", str(folder), "--format", "json"],
            cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        totals: dict[str, int] = {}
        for dump in Path(out).glob("cg.*"):
            summary = re.search(r"^summary: (\d+)", dump.read_text(errors="replace"), re.M)
            totals[dump.name[len("cg."):]] = int(summary.group(1)) if summary else 0
    return by_process(totals)


def by_process(totals: dict[str, int]) -> dict[str, list[int]]:
    """Callgrind's dumps ("PID" and "PID.N", by their instruction totals) as the run's processes."""
    pids = {name.split(".")[0] for name in totals}
    if not pids:
        raise SystemExit("callgrind wrote nothing: is valgrind installed?")
    forked = [pid for pid in pids if pid + ".1" in totals]  # only the main process forks (pids may wrap)
    main = forked[0] if len(forked) == 1 else min(pids, key=int)
    # The main process's first dump (".1") is everything before the first fork; its last, unnumbered one
    # everything after the last fork; the numbered ones between are the few instructions between forks.
    between = [v for name, v in totals.items() if name.startswith(main + ".") and name != main + ".1"]
    return {"start": [totals.get(main + ".1", 0)], "after": [totals.get(main, 0) + sum(between)],
            "batches": sorted((v for name, v in totals.items() if name.split(".")[0] != main), reverse=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=HERE / "data" / "1000")
    parser.add_argument("--rulecheck-dir", type=Path, default=HERE.parent,
                        help="the checkout whose rulecheck is run (default: this one)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    if not args.folder.is_dir():
        raise SystemExit(f"{args.folder}: no such folder (python benchmarks/run.py makes benchmarks/data/1000)")
    found = counts(args.folder.resolve(), args.rulecheck_dir.resolve())
    g = 1e9
    print(f"main, start-up to the first fork  {found['start'][0] / g:8.3f} G")
    for n, batch in enumerate(found["batches"], 1):
        print(f"batch process {n:<20}{batch / g:8.3f} G")
    print(f"main, after the batches           {found['after'][0] / g:8.3f} G")
    critical = found["start"][0] + max(found["batches"], default=0) + found["after"][0]
    print(f"critical path                     {critical / g:8.3f} G")
    print(f"every process                     {(sum(found['batches']) + found['start'][0] + found['after'][0]) / g:8.3f} G")


if __name__ == "__main__":
    main()
