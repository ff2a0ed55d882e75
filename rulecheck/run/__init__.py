"""One run: find the files, read them in batches (each in a process of its own), check the rules, build the Report.

- files.py: the files under the paths given, and what cannot even be looked into;
- batches.py: reading each file and its rows' person rules, batch by batch, over the workers;
- processes.py: containment — forked batch processes, the memory cap, the file marks, re-runs;
- partitions.py: townships with settings of their own;
- merge.py: the group rules over every batch, and the Report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pathlib import Path


from rulecheck.config import TownshipSettings
from rulecheck.findings import FileResult, Report
from rulecheck.rulefile.ruleset import Ruleset
from rulecheck.run.batches import BATCH_FILES, POOL_MIN_FILES, Job, Progress, read_batches
from rulecheck.run.files import collect
from rulecheck.run.merge import build_report, group_outcomes
from rulecheck.run.partitions import with_params
from rulecheck.run.processes import FILE_SECONDS, READ_ADDRESS_SPACE

__all__ = [
    "BATCH_FILES", "FILE_SECONDS", "POOL_MIN_FILES", "READ_ADDRESS_SPACE", "Progress", "TownshipSettings",
    "check_paths", "collect", "with_params",
]


def check_paths(paths: list[Path], ruleset: Ruleset, as_of: dt.date | None = None,
                extra_aliases: dict[str, list[str]] | None = None, *,
                townships: dict[str, TownshipSettings] | None = None,
                exclude: Callable[[Path], bool] | None = None, fail_on: str = "error",
                progress: Progress | None = None, workers: int | None = None) -> Report:
    """Check every file under ``paths``; a file that cannot be read is reported, never fatal.

    Files are read and parsed in batches, in ``workers`` processes (default: one per CPU when
    there are at least POOL_MIN_FILES files); the report is the same whatever the number.

    ``exclude`` passes over files found in folders (a file named on its own is always checked);
    ``townships`` gives some townships their own as-of day or parameters. The Report holds values, in
    no language and with identity numbers as they are: rulecheck.render.findings puts it into words.
    """
    as_of = as_of or ruleset.spec.ruleset.as_of
    settings = townships or {}
    found = collect(paths, exclude)
    job = Job(ruleset, as_of, extra_aliases, settings)
    read, parts = read_batches([f for f in found if isinstance(f, Path)], job, workers, progress)
    outcomes = group_outcomes(ruleset, as_of, settings, parts)
    return build_report(ruleset, as_of, fail_on, _in_place(found, read), outcomes, settings)


def _in_place(found: list[FileResult | Path], read: list[FileResult]) -> list[FileResult]:
    """Each file's result where the file was found, among the paths reported before reading."""
    done = iter(read)
    return [next(done) if isinstance(f, Path) else f for f in found]
