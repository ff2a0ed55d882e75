"""Reading the files in batches: each file into a batch's rows, the batches over the workers.

Each batch is read in a process of its own (processes.py), so a file the reader crashes on costs
only that file.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rulecheck.engine import Part, rows
from rulecheck.findings import FileResult, Note
from rulecheck.read import reader
from rulecheck.read.raw import PassedOver, ReadError
from rulecheck.table.header import Sheet, layout_of, tables_of
from rulecheck.rulefile.ruleset import Ruleset
from rulecheck.run.partitions import partitions
from rulecheck.run.processes import ALL_READ, READ_ADDRESS_SPACE, BatchResult, Runner, describe, gib

if TYPE_CHECKING:
    from rulecheck.config import TownshipSettings

# progress(files done, files in all, the file just read)
Progress = Callable[[int, int, str], None]

# Files are read and parsed in batches, each batch in a process of its own, forked from this one:
# whatever a file makes the native reader do (abort on a failed allocation, crash), only that
# process ends, and the file it was reading is known (the process marks each file before reading
# it), so the batch is run again without it. A batch carries a fixed cost of ~0.1 s of pandas
# calls, and each process faults in its memory afresh (~40,000 page faults a batch of 250
# workbooks), so batches are large: one per worker up to BATCH_FILES; a fork costs ~10 ms,
# several pool processes ~0.1 s to start, so few files are checked one batch at a time
# (figures: benchmarks/README.md).
BATCH_FILES = 500
POOL_MIN_FILES = 48


def read_batches(files: list[Path], job: Job, workers: int | None, progress: Progress | None,
                 ) -> tuple[list[FileResult], dict[str | None, list[Part]]]:
    """Every file's result, in order, and each township partition's parts (in batch order)."""
    count = workers if workers is not None else _default_workers(len(files))
    size = _batch_size(len(files), count)
    batches = [files[i:i + size] for i in range(0, len(files), size)]
    read: list[FileResult] = []
    parts: dict[str | None, list[Part]] = {}
    for batch, (batch_results, batch_parts) in zip(batches, _map(job, batches, count)):
        read += batch_results
        for key, part in batch_parts.items():
            parts.setdefault(key, []).append(part)
        if progress:
            for n, path in enumerate(batch, len(read) - len(batch) + 1):
                progress(n, len(files), str(path))
    return read, parts


@dataclass(frozen=True)
class Job:
    """What every batch is checked with."""

    ruleset: Ruleset
    as_of: dt.date
    extra_aliases: dict[str, list[str]] | None
    townships: dict[str, TownshipSettings]

    def __call__(self, batch: list[Path], crashed: dict[int, Note] | None = None, order: list[int] | None = None,
                 mark: Callable[[int], None] | None = None) -> BatchResult:
        """Read a batch of files, and run the person rules on each township partition of their rows.

        Files are read in ``order`` (default: as listed), ``mark`` told each one's index first and
        ALL_READ once all are read; files in ``crashed`` are not read again but reported with the error
        given there (why the reader crashed on them). Results and rows stay in the batch's order
        whatever the reading order.
        """
        crashed = crashed or {}
        results: list[FileResult | None] = [None] * len(batch)
        read: list[list[Sheet]] = [[] for _ in batch]
        for i, error in crashed.items():
            results[i] = FileResult(str(batch[i]), error=error)
        for i in order if order is not None else range(len(batch)):
            if i not in crashed:
                if mark is not None:
                    mark(i)
                results[i], read[i] = read_one(batch[i], self.ruleset, self.extra_aliases)
        if mark is not None:
            mark(ALL_READ)
        sheets = [sheet for sheets in read for sheet in sheets]
        parts = {key: rows(rules, part, day)
                 for key, rules, day, part in partitions(sheets, self.ruleset, self.as_of, self.townships)}
        return [r for r in results if r is not None], parts

    def unchecked(self, batch: list[Path], crashed: dict[int, Note], reason: str) -> BatchResult:
        """A batch whose rules could not be run: every file not checked, and why."""
        return [FileResult(str(path), error=crashed.get(i) or Note.of("check-crashed", reason=reason))
                for i, path in enumerate(batch)], {}


def read_one(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None) -> tuple[FileResult, list[Sheet]]:
    """One file's result and sheets; whatever reading it raises is that file's failure, never the run's."""
    try:
        raws = reader.read_rows(path)  # any file given is read by what its bytes are
        read = tables_of(str(path), raws, layout_of(ruleset, extra_aliases))  # headers found, columns mapped
    except ReadError as exc:
        return FileResult(str(path), error=Note(exc.key, tuple(exc.params.items()))), []
    except PassedOver as exc:
        return FileResult(str(path), passed_over=Note(f"made-by-{exc.made_by}")), []
    except MemoryError:  # the reading process's address space is capped (READ_ADDRESS_SPACE)
        return FileResult(str(path), error=Note.of("reader-memory", limit=gib(READ_ADDRESS_SPACE))), []
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's PanicException is a BaseException; anything else is this file's too
        return FileResult(str(path), error=Note.of("reader-failed", reason=describe(exc))), []
    result = FileResult(
        str(path), rows=sum(len(s.frame) for s in read.sheets), skipped=sum(s.skipped for s in read.sheets),
        sheets=tuple(dict.fromkeys(s.name for s in read.sheets)),  # a sheet of two stacked tables is one sheet
        notes=tuple(Note.of("sheet-no-header", sheet=name) for name in read.headerless)
        + tuple(Note(key, tuple(params.items())) for key, params in read.notes),
    )
    return result, list(read.sheets)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _default_workers(files: int) -> int:
    return _cpus() if files >= POOL_MIN_FILES else 1


def _batch_size(files: int, workers: int) -> int:
    """One batch per worker, of BATCH_FILES at most: each batch is a fresh process, whose memory costs its faults."""
    return max(1, min(BATCH_FILES, -(-files // workers))) if workers > 1 else BATCH_FILES


def _map(job: Job, batches: list[list[Path]], workers: int) -> Iterator[BatchResult]:
    """``job`` over the batches, results in order; each batch in a process of its own, ``workers`` at a time.

    Where processes cannot be forked (Windows), batches are read in this process, or in a pool
    when ``workers`` > 1: a panic or running out of memory is still the file's failure, but a
    reader that aborts ends the run.
    """
    if not batches:
        return
    if not hasattr(os, "fork"):
        gc.enable()  # batches read here: the collector on, as in a batch process
        if workers <= 1 or len(batches) <= 1:
            yield from map(job, batches)
            return
        with ProcessPoolExecutor(min(workers, len(batches)), mp_context=multiprocessing.get_context()) as pool:
            yield from pool.map(job, batches)
        return
    # What exists now lives as long as the run: the collector need not walk it again, here or in a
    # forked process (where walking it would copy the pages it shares with this one).
    gc.freeze()
    runner = Runner(job, max(1, workers))
    try:
        yield from runner.run(batches)
    finally:
        runner.stop()
        gc.unfreeze()
