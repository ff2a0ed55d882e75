"""One run: find the files, read and parse them in batches (in parallel when many), evaluate the rules, build the Report."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rulecheck import __version__
from rulecheck.engine import Outcome, Part, combine, merge_not_checked, rows
from rulecheck.masking import mask_report
from rulecheck.messages import t
from rulecheck.model import (
    Exemption, FileResult, Report, RuleTally, SummaryColumn, TownshipSummary, Unchecked, Violation, township_key,
)
from rulecheck.raw import PassedOver
from rulecheck.reader import ReadError, Sheet, find_files, read_file
from rulecheck.ruleset import SUMMARY_SCOPE, Ruleset
from rulecheck.values import fold

# progress(files done, files in all, the file just read)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TownshipSettings:
    """What differs for one township (from rulecheck.toml): its as-of day and parameter values."""

    as_of: dt.date | None = None
    params: dict[str, Any] = field(default_factory=dict)


def check_paths(paths: list[Path], ruleset: Ruleset, as_of: dt.date | None = None, lang: str = "zh",
                extra_aliases: dict[str, list[str]] | None = None, *,
                townships: dict[str, TownshipSettings] | None = None,
                exclude: Callable[[Path], bool] | None = None, fail_on: str = "error", mask_ids: bool = True,
                progress: Progress | None = None, workers: int | None = None) -> Report:
    """Check every file under ``paths``; a file that cannot be read is reported, never fatal.

    Files are read and parsed in batches, in ``workers`` processes (default: one per CPU when
    there are at least POOL_MIN_FILES files); the report is the same whatever the number.

    ``exclude`` passes over files found in folders (a file named on its own is always checked);
    ``townships`` gives some townships their own as-of day or parameters; identity numbers in the
    report are masked unless ``mask_ids`` is false.
    """
    as_of = as_of or ruleset.spec.ruleset.as_of
    results: list[FileResult | Path] = []
    seen: set[str] = set()  # a file reached twice (a folder and a file in it) is read once
    for given in paths:
        if not given.exists():
            key = "broken-link" if given.is_symlink() else "not-found"
            target = os.readlink(given) if given.is_symlink() else ""
            results.append(FileResult(str(given), error=t(lang, key, path=given, target=target)))
            continue
        files = find_files([given])
        if given.is_dir() and exclude is not None:
            files = [f for f in files if not exclude(f)]
        if given.is_dir() and not files:
            results.append(FileResult(str(given), error=_no_files(given, lang)))
        for path in files:
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                results.append(path)
    todo = [r for r in results if isinstance(r, Path)]
    settings = townships or {}
    job = _Job(ruleset, as_of, lang, extra_aliases, settings)
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
        (combine(part_rules, parts.get(key, []), day, lang), day)
        for key, part_rules, day in _settings(ruleset, as_of, settings) if key is None or key in parts
    ]
    outcome = _merge([o for o, _ in outcomes])
    files = tuple(replace(r, unchecked=_unchecked(ruleset, outcome.not_checked.get(r.path, {}), lang))  # type: ignore[union-attr]
                  for r in results)
    header = ruleset.spec.ruleset
    violations = tuple(sorted(outcome.violations, key=_order))
    exempted = tuple(sorted(outcome.exempted, key=_exemption_order))
    summary_columns = tuple(
        SummaryColumn(i.key, i.spec.title(lang), i.spec.format, i.spec.rule, i.spec.reference) for i in ruleset.summary
    )
    rows = _townships(outcomes, summary_columns, townships or {}, ruleset, violations, exempted)
    found = {township_key(row.township) for o, _ in outcomes for row in o.townships}
    notes = tuple(t(lang, "township-not-found", township=name) for name in (townships or {})
                  if township_key(name) not in found)
    report = Report(
        version=__version__, ruleset_id=header.id, ruleset_title=header.title(lang), ruleset_path=ruleset.path,
        as_of=as_of.isoformat(), lang=lang, files=files, violations=violations, exempted=exempted,
        rule_titles={r.id: r.spec.title(lang) for r in ruleset.rules}, fail_on=fail_on,
        summary_columns=summary_columns, townships=rows, rules=_tallies(ruleset, lang, violations, exempted, rows),
        notes=notes,
    )
    return mask_report(report) if mask_ids else report


def _unchecked(ruleset: Ruleset, lacking: dict[str, tuple[tuple[str, ...], ...]], lang: str) -> tuple[Unchecked, ...]:
    """The rules not checked on a file, in the rule file's order, with the titles of the columns it lacks."""
    return tuple(
        Unchecked(rule.id, not rule.spec.optional,
                  tuple(tuple(ruleset.columns[k].title(lang) for k in alt) for alt in lacking[rule.id]))
        for rule in ruleset.rules if rule.id in lacking
    )


def _read(path: Path, ruleset: Ruleset, extra_aliases: dict[str, list[str]] | None, lang: str) -> tuple[FileResult, list[Sheet]]:
    try:
        read = read_file(path, ruleset, extra_aliases)  # any file given is read by what its bytes are
    except ReadError as exc:
        return FileResult(str(path), error=exc.message(lang)), []
    except PassedOver as exc:
        return FileResult(str(path), passed_over=t(lang, f"made-by-{exc.made_by}")), []
    result = FileResult(
        str(path), rows=sum(len(s.frame) for s in read.sheets), skipped=sum(s.skipped for s in read.sheets),
        sheets=tuple(dict.fromkeys(s.name for s in read.sheets)),  # a sheet of two stacked tables is one sheet
        notes=tuple(t(lang, "sheet-no-header", sheet=name) for name in read.headerless)
        + tuple(t(lang, key, **params) for key, params in read.notes),
    )
    return result, list(read.sheets)


SHOWN_NAMES = 5


def _no_files(folder: Path, lang: str) -> str:
    """Say what the folder holds instead, so a wrong folder or a wrong file type is plain to see."""
    others = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    names = ":" + "、".join(others[:SHOWN_NAMES]) + ("…" if len(others) > SHOWN_NAMES else "") if others else ""
    return t(lang, "no-files", path=folder, count=len(others), names=names)


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


# Files are read and parsed in batches, in worker processes when there are enough of them.
# A batch carries a fixed cost of ~0.1 s of pandas calls, so batches are large (two per worker
# when that is under BATCH_FILES); a pool costs ~0.1 s to start, so few files are checked in
# this process (figures: benchmarks/README.md).
BATCH_FILES = 500
POOL_MIN_FILES = 48


@dataclass(frozen=True)
class _Job:
    """What every batch is checked with."""

    ruleset: Ruleset
    as_of: dt.date
    lang: str
    extra_aliases: dict[str, list[str]] | None
    townships: dict[str, TownshipSettings]

    def __call__(self, batch: list[Path]) -> tuple[list[FileResult], dict[str | None, Part]]:
        """Read a batch of files in order, and run the person rules on each township partition of their rows."""
        results: list[FileResult] = []
        sheets: list[Sheet] = []
        for path in batch:
            result, read = _read(path, self.ruleset, self.extra_aliases, self.lang)
            results.append(result)
            sheets += read
        return results, {key: rows(rules, part, day, self.lang)
                         for key, rules, day, part in _partitions(sheets, self.ruleset, self.as_of, self.townships)}


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


_job: _Job | None = None


def _run_inherited(batch: list[Path]) -> tuple[list[FileResult], dict[str | None, Part]]:
    assert _job is not None  # set before the pool forks
    return _job(batch)


def _map(job: _Job, batches: list[list[Path]], workers: int) -> Iterator[tuple[list[FileResult], dict[str | None, Part]]]:
    """``job`` over the batches, results in order; in worker processes when ``workers`` > 1."""
    if workers <= 1 or len(batches) <= 1:
        yield from map(job, batches)
        return
    global _job
    if "fork" in multiprocessing.get_all_start_methods():
        # Workers inherit the loaded rules and imported modules: no start-up cost, nothing pickled.
        _job = job
        context, fn = multiprocessing.get_context("fork"), _run_inherited
    else:
        context, fn = multiprocessing.get_context(), job
    # What exists now lives as long as the run: the collector need not walk it again, here or in a
    # forked worker (where walking it would copy the pages it shares with this process).
    gc.freeze()
    try:
        with ProcessPoolExecutor(min(workers, len(batches)), mp_context=context) as pool:
            yield from pool.map(fn, batches)
    finally:
        _job = None
        gc.unfreeze()


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


def _tallies(ruleset: Ruleset, lang: str, violations: tuple[Violation, ...], exempted: tuple[Exemption, ...],
             townships: tuple[TownshipSummary, ...]) -> tuple[RuleTally, ...]:
    broken = Counter(v.rule for v in violations)
    spared = Counter(e.rule for e in exempted)
    per_township = Counter((v.rule, _key(v.county, v.township)) for v in violations)
    keys = [_key(row.county, row.township) for row in townships]
    return tuple(
        RuleTally(rule.id, rule.spec.severity, rule.spec.scope, rule.spec.title(lang), rule.spec.quote,
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
