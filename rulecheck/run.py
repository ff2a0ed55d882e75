"""One run: find the files, read and parse them in batches (in parallel when many), evaluate the rules, build the Report."""

from __future__ import annotations

import datetime as dt
import errno
import faulthandler
import gc
import mmap
import multiprocessing
import os
import pickle
import selectors
import signal
import struct
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from rulecheck import __version__
from rulecheck.engine import Outcome, Part, combine, merge_not_checked, rows
from rulecheck.findings import (
    Exemption, FileResult, Note, Report, RuleTally, SummaryColumn, TownshipSummary, Unchecked, Violation, township_key,
)
from rulecheck.read.raw import PassedOver, SystemReason
from rulecheck.read.reader import ReadError, Sheet, find_files, read_file
from rulecheck.rulefile.ruleset import Ruleset
from rulecheck.table.values import fold

# progress(files done, files in all, the file just read)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TownshipSettings:
    """What differs for one township (from rulecheck.toml): its as-of day and parameter values."""

    as_of: dt.date | None = None
    params: dict[str, Any] = field(default_factory=dict)


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
    results = collect(paths, exclude)
    todo = [r for r in results if isinstance(r, Path)]
    settings = townships or {}
    job = _Job(ruleset, as_of, extra_aliases, settings)
    count = workers if workers is not None else _default_workers(len(todo))
    size = _batch_size(len(todo), count)
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    read: list[FileResult] = []
    parts: dict[str | None, list[Part]] = {}
    for batch, (batch_results, batch_parts) in zip(batches, _map(job, batches, count)):
        read += batch_results
        for key, part in batch_parts.items():
            parts.setdefault(key, []).append(part)
        if progress:
            for n, path in enumerate(batch, len(read) - len(batch) + 1):
                progress(n, len(todo), str(path))
    done = iter(read)
    results = [next(done) if isinstance(r, Path) else r for r in results]
    outcomes = [
        (combine(part_rules, parts.get(key, []), day), day)
        for key, part_rules, day in _settings(ruleset, as_of, settings) if key is None or key in parts
    ]
    outcome = _merge([o for o, _ in outcomes])
    files = tuple(replace(r, unchecked=_unchecked(ruleset, outcome.not_checked.get(r.path, {})))  # type: ignore[union-attr]
                  for r in results)
    header = ruleset.spec.ruleset
    violations = tuple(sorted(outcome.violations, key=_order))
    exempted = tuple(sorted(outcome.exempted, key=_exemption_order))
    summary_columns = tuple(
        SummaryColumn(i.key, None, i.spec.format, i.spec.rule, i.spec.reference) for i in ruleset.summary
    )
    rows = _townships(outcomes, summary_columns, townships or {}, ruleset, violations, exempted)
    found = {township_key(row.township) for o, _ in outcomes for row in o.townships}
    notes = tuple(Note.of("township-not-found", township=name) for name in (townships or {})
                  if township_key(name) not in found)
    return Report(
        version=__version__, ruleset_id=header.id, ruleset_path=ruleset.path,
        as_of=as_of.isoformat(), files=files, violations=violations, exempted=exempted, fail_on=fail_on,
        summary_columns=summary_columns, townships=rows, rules=_tallies(ruleset, violations, exempted, rows),
        notes=notes,
    )


def _unchecked(ruleset: Ruleset, lacking: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[Unchecked, ...]:
    """The rules not checked on a file, in the rule file's order, with the columns it lacks."""
    return tuple(Unchecked(rule.id, not rule.spec.optional, lacking[rule.id]) for rule in ruleset.rules if rule.id in lacking)


def collect(paths: list[Path], exclude: Callable[[Path], bool] | None = None) -> list[FileResult | Path]:
    """The files to read, in order, and in their places what cannot even be looked into.

    A path that leads nowhere (missing, a dangling link, a link loop) and a folder without
    spreadsheets are reported here; everything else is left to the reader, which opens regular
    files only and names anything else (a pipe, a device, a socket) for what it is.
    """
    results: list[FileResult | Path] = []
    seen: set[str] = set()  # a file reached twice (a folder and a file in it) is read once
    for given in paths:
        missing = _missing(given)
        if missing is not None:
            results.append(missing)
            continue
        files = find_files([given])
        if given.is_dir() and exclude is not None:
            files = [f for f in files if not exclude(f)]
        if given.is_dir() and not files:
            results.append(FileResult(str(given), error=_no_files(given)))
        for path in files:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                results.append(path)
    return results


def _missing(given: Path) -> FileResult | None:
    """The report of a path that leads to nothing, or None when there is something there."""
    try:
        os.stat(given)
        return None
    except OSError as exc:
        if not os.path.islink(given):
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return FileResult(str(given), error=Note.of("not-found", path=given))
            return FileResult(str(given), error=Note.of("file-unreadable", reason=SystemReason(exc)))
        try:
            target = os.readlink(given)
        except OSError:
            target = "?"
        key = "link-loop" if exc.errno == errno.ELOOP else "broken-link"
        return FileResult(str(given), error=Note.of(key, path=given, target=target))


def _read(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None) -> tuple[FileResult, list[Sheet]]:
    """One file's result and sheets; whatever reading it raises is that file's failure, never the run's."""
    try:
        read = read_file(path, ruleset, extra_aliases)  # any file given is read by what its bytes are
    except ReadError as exc:
        return FileResult(str(path), error=Note(exc.key, tuple(exc.params.items()))), []
    except PassedOver as exc:
        return FileResult(str(path), passed_over=Note(f"made-by-{exc.made_by}")), []
    except MemoryError:  # the reading process's address space is capped (READ_ADDRESS_SPACE)
        return FileResult(str(path), error=Note.of("reader-memory", limit=_gib(READ_ADDRESS_SPACE))), []
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's PanicException is a BaseException; anything else is this file's too
        return FileResult(str(path), error=Note.of("reader-failed", reason=_describe(exc))), []
    result = FileResult(
        str(path), rows=sum(len(s.frame) for s in read.sheets), skipped=sum(s.skipped for s in read.sheets),
        sheets=tuple(dict.fromkeys(s.name for s in read.sheets)),  # a sheet of two stacked tables is one sheet
        notes=tuple(Note.of("sheet-no-header", sheet=name) for name in read.headerless)
        + tuple(Note(key, tuple(params.items())) for key, params in read.notes),
    )
    return result, list(read.sheets)


def _describe(exc: BaseException) -> str:
    text = (str(exc).splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _gib(size: int) -> str:
    return f"{size / (1 << 30):g} GiB"


SHOWN_NAMES = 5


def _no_files(folder: Path) -> Note:
    """Say what the folder holds instead, so a wrong folder or a wrong file type is plain to see."""
    others = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    names = ":" + "、".join(others[:SHOWN_NAMES]) + ("…" if len(others) > SHOWN_NAMES else "") if others else ""
    return Note.of("no-files", path=folder, count=len(others), names=names)


def with_params(ruleset: Ruleset, params: dict[str, Any]) -> Ruleset:
    """The same ruleset with some top-level parameters given other values."""
    if not params:
        return ruleset
    spec = ruleset.spec.model_copy(update={"params": {**ruleset.spec.params, **params}})
    return replace(ruleset, spec=spec)


def _settings(ruleset: Ruleset, as_of: dt.date, townships: dict[str, TownshipSettings],
              ) -> list[tuple[str | None, Ruleset, dt.date]]:
    """The rules and as-of day for the townships without settings (key None) and for each with its own."""
    out: list[tuple[str | None, Ruleset, dt.date]] = [(None, ruleset, as_of)]
    for name, settings in townships.items():
        out.append((township_key(name), with_params(ruleset, settings.params), settings.as_of or as_of))
    return out


def _partitions(sheets: list[Sheet], ruleset: Ruleset, as_of: dt.date,
                townships: dict[str, TownshipSettings]) -> list[tuple[str | None, Ruleset, dt.date, list[Sheet]]]:
    """Rows split by township where some townships have settings of their own.

    Every rule's scope (person, village, township) lies within one township, so checking each
    township's rows on their own gives the same findings as checking all rows together. The
    rows of townships without settings come first, under the key None, even when there are none.
    """
    if not townships:
        return [(None, ruleset, as_of, sheets)]
    column = ruleset.township_column
    own = {township_key(name) for name in townships}
    parts: dict[str | None, list[Sheet]] = {key: [] for key in own}
    rest: list[Sheet] = []
    for sheet in sheets:
        keys = fold(sheet.frame[column]) if column in sheet.frame else None
        for key in own:
            mask = (keys == key).fillna(False).to_numpy(dtype=bool) if keys is not None else None
            if mask is not None and mask.any():
                parts[key].append(replace(sheet, frame=sheet.frame[mask].reset_index(drop=True)))
        others = ~keys.isin(list(own)).fillna(False).to_numpy(dtype=bool) if keys is not None else None
        rest.append(sheet if others is None else replace(sheet, frame=sheet.frame[others].reset_index(drop=True)))
    return [(key, rules, day, rest if key is None else parts[key]) for key, rules, day in _settings(ruleset, as_of, townships)
            if key is None or parts[key]]


# Files are read and parsed in batches, each batch in a process of its own, forked from this one:
# whatever a file makes the native reader do (abort on a failed allocation, crash), only that
# process ends, and the file it was reading is known (the process marks each file before reading
# it), so the batch is run again without it. A batch carries a fixed cost of ~0.1 s of pandas
# calls, so batches are large (two per worker when that is under BATCH_FILES); a fork costs
# ~10 ms, several pool processes ~0.1 s to start, so few files are checked one batch at a time
# (figures: benchmarks/README.md).
BATCH_FILES = 500
POOL_MIN_FILES = 48
# Address space a batch's process may take beyond what it starts with: room for a province's slate
# in one sheet, while a file that makes the reader reserve far more fails quickly, on its own,
# instead of taking the machine's memory.
READ_ADDRESS_SPACE = 4 << 30
# A batch whose process ends after every file was read (in the rules, not the reader) is run again
# once; if it ends again its files are reported as not checked.
BATCH_ATTEMPTS = 2
# A file still being read after this long is given up (its process ended), the rest of its batch read
# again: a slate takes milliseconds, the largest file within the bounds well under a minute.
FILE_SECONDS = 600
_WATCH_SECONDS = 1.0  # how often the running processes' marks are looked at

_Result = tuple[list[FileResult], dict[str | None, Part]]
_NOT_STARTED, _RULES = -2, -1  # a batch process's mark before it reads any file, and once all are read


@dataclass(frozen=True)
class _Job:
    """What every batch is checked with."""

    ruleset: Ruleset
    as_of: dt.date
    extra_aliases: dict[str, list[str]] | None
    townships: dict[str, TownshipSettings]

    def __call__(self, batch: list[Path], crashed: dict[int, Note] | None = None, order: list[int] | None = None,
                 mark: Callable[[int], None] | None = None) -> _Result:
        """Read a batch of files, and run the person rules on each township partition of their rows.

        Files are read in ``order`` (default: as listed), ``mark`` told each one's index first and
        _RULES once all are read; files in ``crashed`` are not read again but reported with the error
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
                results[i], read[i] = _read(batch[i], self.ruleset, self.extra_aliases)
        if mark is not None:
            mark(_RULES)
        sheets = [sheet for sheets in read for sheet in sheets]
        parts = {key: rows(rules, part, day)
                 for key, rules, day, part in _partitions(sheets, self.ruleset, self.as_of, self.townships)}
        return [r for r in results if r is not None], parts

    def unchecked(self, batch: list[Path], crashed: dict[int, Note], reason: str) -> _Result:
        """A batch whose rules could not be run: every file not checked, and why."""
        return [FileResult(str(path), error=crashed.get(i) or Note.of("check-crashed", reason=reason))
                for i, path in enumerate(batch)], {}


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _default_workers(files: int) -> int:
    return _cpus() if files >= POOL_MIN_FILES else 1


def _batch_size(files: int, workers: int) -> int:
    """Large batches, but at least two per worker so that one slow batch does not hold up the end."""
    return max(1, min(BATCH_FILES, -(-files // (2 * workers)))) if workers > 1 else BATCH_FILES


def _map(job: _Job, batches: list[list[Path]], workers: int) -> Iterator[_Result]:
    """``job`` over the batches, results in order; each batch in a process of its own, ``workers`` at a time.

    Where processes cannot be forked (Windows), batches are read in this process, or in a pool
    when ``workers`` > 1: a panic or running out of memory is still the file's failure, but a
    reader that aborts ends the run.
    """
    if not batches:
        return
    if not hasattr(os, "fork"):
        if workers <= 1 or len(batches) <= 1:
            yield from map(job, batches)
            return
        with ProcessPoolExecutor(min(workers, len(batches)), mp_context=multiprocessing.get_context()) as pool:
            yield from pool.map(job, batches)
        return
    # What exists now lives as long as the run: the collector need not walk it again, here or in a
    # forked process (where walking it would copy the pages it shares with this one).
    gc.freeze()
    runner = _Runner(job, max(1, workers))
    try:
        yield from runner.run(batches)
    finally:
        runner.stop()
        gc.unfreeze()


@dataclass
class _Task:
    """One batch, and what earlier attempts at it found out."""

    index: int
    batch: list[Path]
    crashed: dict[int, Note] = field(default_factory=dict)  # files the reader crashed on, and the error: not read again
    good: set[int] = field(default_factory=set)  # files read before a crash: read last next time
    attempts: int = 0  # attempts that ended after every file was read

    def order(self) -> list[int]:
        """Files not yet known to be readable first: a crash then costs the fewest files read twice."""
        todo = [i for i in range(len(self.batch)) if i not in self.crashed]
        return [i for i in todo if i not in self.good] + [i for i in todo if i in self.good]


@dataclass
class _Child:
    """A process checking one batch: its result comes down ``pipe``, its stderr goes to ``errors``."""

    pid: int
    task: _Task
    order: list[int]
    pipe: int
    errors: int
    marker: mmap.mmap
    chunks: list[bytes] = field(default_factory=list)
    at: int = _NOT_STARTED  # the mark when last looked at, and since when (time.monotonic())
    since: float = 0.0
    overdue: bool = False  # ended for taking longer than FILE_SECONDS over one file

    def mark(self) -> int:
        return struct.unpack_from("q", self.marker, 0)[0]


class _Runner:
    """Batches in forked processes, a few at a time; a process that dies costs only the file it was reading."""

    def __init__(self, job: _Job, workers: int):
        self.job, self.workers = job, workers
        self.children: dict[int, _Child] = {}  # by pipe
        self.selector = selectors.DefaultSelector()

    def run(self, batches: list[list[Path]]) -> Iterator[_Result]:
        pending = deque(_Task(n, batch) for n, batch in enumerate(batches))
        done: dict[int, _Result] = {}
        upto = 0
        while upto < len(batches):
            while pending and len(self.children) < self.workers:
                self._start(pending.popleft())
            for key, _ in self.selector.select(_WATCH_SECONDS):
                child: _Child = key.data
                chunk = os.read(child.pipe, 1 << 20)
                if chunk:
                    child.chunks.append(chunk)
                    continue
                self._forget(child)
                result = self._finish(child)
                if result is None:
                    pending.appendleft(child.task)  # run again at once, without the file it crashed on
                else:
                    done[child.task.index] = result
            while upto in done:
                yield done.pop(upto)
                upto += 1
            self._watch()

    def _watch(self) -> None:
        """End a process that has been reading one file for longer than FILE_SECONDS."""
        now = time.monotonic()
        for child in self.children.values():
            at = child.mark()
            if at != child.at:
                child.at, child.since = at, now
            elif at >= 0 and not child.overdue and now - child.since > FILE_SECONDS:
                child.overdue = True
                os.kill(child.pid, signal.SIGKILL)

    def _start(self, task: _Task) -> None:
        order = task.order()
        marker = mmap.mmap(-1, 8)  # shared with the child: the index of the file it is reading
        struct.pack_into("q", marker, 0, _NOT_STARTED)
        read_end, write_end = os.pipe()
        try:  # a larger pipe: fewer wake-ups while a batch's result comes down it
            import fcntl

            fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except OSError:
            pass
        errors = _scratch_file()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            for other in self.children.values():
                os.close(other.pipe)
            os.close(read_end)
            _child(self.job, task, order, marker, write_end, errors)
        os.close(write_end)
        child = _Child(pid, task, order, read_end, errors, marker, since=time.monotonic())
        self.children[read_end] = child
        self.selector.register(read_end, selectors.EVENT_READ, child)

    def _forget(self, child: _Child) -> None:
        self.selector.unregister(child.pipe)
        os.close(child.pipe)
        del self.children[child.pipe]

    def _finish(self, child: _Child) -> _Result | None:
        """The batch's result; or None when it is to be run again, what the crash taught written into its task."""
        task, at = child.task, child.mark()
        child.marker.close()
        stderr = _drain(child.errors)
        outcome: Any = None
        try:
            outcome = pickle.loads(b"".join(child.chunks))
        except Exception:  # a result cut short: treated as the crash it is
            outcome = None
        if outcome is not None and outcome[0] == "done" and not child.overdue:
            # Whole: the process closed the pipe as its last act. Its exit (tearing down the memory it
            # shares with this one takes ~10 ms) is not waited for; it is reaped later.
            _unreaped.append(child.pid)
            _reap()
            if stderr:
                sys.stderr.write(stderr)  # what the batch had to say (warnings), now that it is done
            return outcome[1]
        _, status = os.waitpid(child.pid, 0)
        reason = outcome[1] if outcome is not None else _crash_reason(status, stderr)
        if at >= 0:  # the reader crashed on this file: it is reported, and the rest read again
            task.good.update(child.order[:child.order.index(at)])
            task.crashed[at] = (Note.of("reader-timeout", seconds=FILE_SECONDS) if child.overdue
                                else Note.of("reader-crashed", reason=reason))
            return None
        task.attempts += 1
        if task.attempts < BATCH_ATTEMPTS:
            return None
        return self.job.unchecked(task.batch, task.crashed, reason)

    def stop(self) -> None:
        """End the processes still running (the run was interrupted, or its consumer stopped early)."""
        for child in list(self.children.values()):
            try:
                os.kill(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(child.pid, 0)
            self._forget(child)
            child.marker.close()
            os.close(child.errors)
        self.selector.close()
        _reap()


_unreaped: list[int] = []  # batch processes that sent their result and are ending on their own


def _reap() -> None:
    """Collect the exit of batch processes that have ended, without waiting for the others."""
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.remove(pid)


def _child(job: _Job, task: _Task, order: list[int], marker: mmap.mmap, pipe: int, errors: int) -> NoReturn:
    """Check one batch in this forked process, send the result down ``pipe``, and end without clean-up."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the batch at once; the parent says why it stopped
        os.dup2(errors, 2)  # what the reader prints as it aborts becomes the reason shown for the file
        if faulthandler.is_enabled():  # its dump of a crash goes there too, not to the terminal
            faulthandler.enable(file=2)
        _cap_address_space()

        def mark(i: int) -> None:
            struct.pack_into("q", marker, 0, i)

        try:
            outcome: tuple[str, Any] = ("done", job(task.batch, task.crashed, order, mark))
        except MemoryError:
            outcome = ("failed", f"MemoryError ({_gib(READ_ADDRESS_SPACE)})")
        except BaseException as exc:  # the rules failed on this batch: reported, not raised in the parent
            outcome = ("failed", _describe(exc))
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(pipe, view):]
        os.close(pipe)  # the parent has it all now, before this process's memory is torn down
    except BaseException:
        code = 3
    os._exit(code)


def _cap_address_space() -> None:
    """Let this process grow by READ_ADDRESS_SPACE at most (never above a cap it already has)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = size + READ_ADDRESS_SPACE
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft == resource.RLIM_INFINITY or cap < soft:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):  # not Linux: no cap, the file's failure is still its own
        pass


def _scratch_file() -> int:
    """An unnamed file for a child's stderr."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("rulecheck-stderr")
    import tempfile

    return os.dup(tempfile.TemporaryFile().fileno())


def _drain(fd: int) -> str:
    """Everything written to a child's stderr (its last 64 KiB), and the file closed."""
    try:
        size = os.fstat(fd).st_size
        os.lseek(fd, max(0, size - (64 << 10)), os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(fd)


def _crash_reason(status: int, stderr: str) -> str:
    """How a batch's process ended: the signal, and the first line it wrote to stderr (what the reader said
    as it aborted: "memory allocation of … bytes failed"; a backtrace may follow)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            how = signal.Signals(number).name
        except ValueError:
            how = f"signal {number}"
    else:
        how = f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"status {status}"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return f"{how}: {lines[0][:200]}" if lines else how


def _merge(outcomes: list[Outcome]) -> Outcome:
    if len(outcomes) == 1:
        return outcomes[0]
    return Outcome(
        tuple(v for o in outcomes for v in o.violations), tuple(e for o in outcomes for e in o.exempted),
        merge_not_checked(o.not_checked for o in outcomes), tuple(row for o in outcomes for row in o.townships),
    )


def _key(county: str | None, township: str | None) -> tuple[str | None, str | None]:
    """A township's identity: its county (where the slate names one) and its name, each as matched."""
    return township_key(county), township_key(township)


_SEVERITY_RANK = {"error": 0, "warning": 1, "notice": 2}


def _townships(outcomes: list[tuple[Outcome, dt.date]], columns: tuple[SummaryColumn, ...],
               townships: dict[str, TownshipSettings], ruleset: Ruleset,
               violations: tuple[Violation, ...], exempted: tuple[Exemption, ...]) -> tuple[TownshipSummary, ...]:
    """Each township's statistics with its reference values, the cells its violations colour, and its counts."""
    own = {township_key(name): settings for name, settings in townships.items()}
    by_rule: dict[tuple[tuple[str | None, str | None], str], str] = {}
    for v in violations:
        key = (_key(v.county, v.township), v.rule)
        if key not in by_rule or _SEVERITY_RANK[v.severity] < _SEVERITY_RANK[by_rule[key]]:
            by_rule[key] = v.severity
    severities = Counter((_key(v.county, v.township), v.severity) for v in violations)
    spared = Counter(_key(e.county, e.township) for e in exempted)
    rows = []
    for outcome, day in outcomes:
        for found in outcome.townships:
            key, name = _key(found.county, found.township), township_key(found.township)
            params = {**ruleset.spec.params, **(own[name].params if name in own else {})}
            rows.append(TownshipSummary(
                township=found.township, as_of=day.isoformat(), values=found.values,
                references=tuple(float(params[c.reference]) if c.reference else None for c in columns),
                flags=tuple(by_rule.get((key, c.rule)) if c.rule else None for c in columns),
                errors=severities[(key, "error")], warnings=severities[(key, "warning")],
                notices=severities[(key, "notice")], exempted=spared[key], county=found.county, files=found.files,
            ))
    return tuple(sorted(rows, key=lambda r: (r.township is None, township_key(r.township) or "", township_key(r.county) or "")))


def _tallies(ruleset: Ruleset, violations: tuple[Violation, ...], exempted: tuple[Exemption, ...],
             townships: tuple[TownshipSummary, ...]) -> tuple[RuleTally, ...]:
    broken = Counter(v.rule for v in violations)
    spared = Counter(e.rule for e in exempted)
    per_township = Counter((v.rule, _key(v.county, v.township)) for v in violations)
    keys = [_key(row.county, row.township) for row in townships]
    return tuple(
        RuleTally(rule.id, rule.spec.severity, rule.spec.scope, None, rule.spec.quote,
                  broken[rule.id], spared[rule.id], tuple(per_township[(rule.id, key)] for key in keys),
                  rule.spec.optional)
        for rule in ruleset.rules
    )


_SCOPE_ORDER = {"person": 0, "village": 1, "township": 2}


def _order(v: Violation) -> tuple:
    return (v.file or "\uffff", v.sheet or "", v.row if v.row is not None else 1 << 30, _SCOPE_ORDER.get(v.scope, 3), v.rule,
            township_key(v.township) or "\uffff", township_key(v.county) or "", township_key(v.village) or "")


def _exemption_order(e: Exemption) -> tuple:
    return (e.file or "\uffff", e.sheet or "", e.row if e.row is not None else 1 << 30, e.rule,
            township_key(e.township) or "\uffff", township_key(e.village) or "")
