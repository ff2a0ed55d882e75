"""One run: find the files, read each, evaluate the ruleset over all rows, build the Report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from rulecheck import __version__
from rulecheck.engine import run
from rulecheck.messages import t
from rulecheck.model import FileResult, Report
from rulecheck.reader import SUFFIXES, ReadError, Sheet, find_files, read_file
from rulecheck.ruleset import Ruleset


def check_paths(paths: list[Path], ruleset: Ruleset, as_of: dt.date | None = None, lang: str = "zh",
                extra_aliases: dict[str, list[str]] | None = None) -> Report:
    """Check every file under ``paths``; a file that cannot be read is reported, never fatal."""
    as_of = as_of or ruleset.spec.ruleset.as_of
    results: list[FileResult] = []
    sheets: list[Sheet] = []
    seen: set[Path] = set()  # a file reached twice (a folder and a file in it) is read once
    for given in paths:
        if not given.exists():
            results.append(FileResult(str(given), error=t(lang, "not-found", path=given)))
            continue
        files = find_files([given])
        if given.is_dir() and not files:
            results.append(FileResult(str(given), error=t(lang, "no-files", path=given)))
        for path in files:
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            if path.suffix.lower() not in SUFFIXES:
                results.append(FileResult(str(path), error=t(lang, "not-a-slate")))
                continue
            try:
                read = read_file(path, ruleset, extra_aliases)
            except ReadError as exc:
                results.append(FileResult(str(path), error=exc.message(lang)))
                continue
            except OSError as exc:
                results.append(FileResult(str(path), error=t(lang, "file-unreadable", reason=exc.strerror or str(exc))))
                continue
            sheets += read.sheets
            results.append(FileResult(
                str(path), rows=sum(len(s.frame) for s in read.sheets), skipped=sum(s.skipped for s in read.sheets),
                sheets=tuple(s.name for s in read.sheets),
                notes=tuple(t(lang, "sheet-no-header", sheet=name) for name in read.headerless),
            ))
    outcome = run(ruleset, sheets, as_of, lang)
    files = tuple(replace(r, not_checked=outcome.not_checked.get(r.path, ())) for r in results)
    header = ruleset.spec.ruleset
    return Report(
        version=__version__, ruleset_id=header.id, ruleset_title=header.title(lang), ruleset_path=ruleset.path,
        as_of=as_of.isoformat(), lang=lang, files=files,
        violations=tuple(sorted(outcome.violations, key=_order)), exempted=outcome.exempted,
        rule_titles={r.id: r.spec.title(lang) for r in ruleset.rules},
    )


_SCOPE_ORDER = {"person": 0, "village": 1, "township": 2}


def _order(v) -> tuple:
    return (v.file or "\uffff", v.sheet or "", v.row if v.row is not None else 1 << 30, _SCOPE_ORDER.get(v.scope, 3), v.rule)
