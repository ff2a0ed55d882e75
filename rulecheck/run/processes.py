"""Containment: each batch is read in a forked process, so that one file cannot take the run down.

The process's address space is capped; before each file it marks in shared memory which file it
is on; if it dies (abort, kill, out of memory) or stays on one file too long, that file is reported
as not read, with what happened, and the batch is run again without it.
"""

from __future__ import annotations

import faulthandler
import gc
import mmap
import os
import pickle
import selectors
import signal
import struct
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rulecheck.engine import Part
from rulecheck.findings import FileResult, Note

if TYPE_CHECKING:
    from rulecheck.run.batches import Job

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

# What a batch gives: its files' results, and its rows' part of the check per township partition
BatchResult = tuple[list[FileResult], dict[str | None, Part]]
NOT_STARTED, ALL_READ = -2, -1  # a batch process's mark before it reads any file, and once all are read


def describe(exc: BaseException) -> str:
    """An exception as a file's reason: its type and the first line of what it says."""
    text = (str(exc).splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def gib(size: int) -> str:
    """A size in GiB as a message shows it."""
    return f"{size / (1 << 30):g} GiB"


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
    at: int = NOT_STARTED  # the mark when last looked at, and since when (time.monotonic())
    since: float = 0.0
    overdue: bool = False  # ended for taking longer than FILE_SECONDS over one file

    def mark(self) -> int:
        return struct.unpack_from("q", self.marker, 0)[0]


class Runner:
    """Batches in forked processes, a few at a time; a process that dies costs only the file it was reading."""

    def __init__(self, job: Job, workers: int):
        self.job, self.workers = job, workers
        self.children: dict[int, _Child] = {}  # by pipe
        self.selector = selectors.DefaultSelector()

    def run(self, batches: list[list[Path]]) -> Iterator[BatchResult]:
        pending = deque(_Task(n, batch) for n, batch in enumerate(batches))
        done: dict[int, BatchResult] = {}
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
        struct.pack_into("q", marker, 0, NOT_STARTED)
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

    def _finish(self, child: _Child) -> BatchResult | None:
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


def _child(job: Job, task: _Task, order: list[int], marker: mmap.mmap, pipe: int, errors: int) -> NoReturn:
    """Check one batch in this forked process, send the result down ``pipe``, and end without clean-up."""
    code = 0
    try:
        gc.enable()  # off in the parent when run as the command (rulecheck.__main__); a batch collects as usual
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
            outcome = ("failed", f"MemoryError ({gib(READ_ADDRESS_SPACE)})")
        except BaseException as exc:  # the rules failed on this batch: reported, not raised in the parent
            outcome = ("failed", describe(exc))
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
