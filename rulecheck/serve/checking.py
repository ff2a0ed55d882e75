"""An upload checked as the command line checks files, and what the page draws from it.

The uploaded files are written to a temporary folder that lives only while one check (or one
download) runs, checked with ``rulecheck.run.check_paths``, and the folder is removed before the
answer goes out. An upload is checked once: its Report (values) is kept and rendered in each language
the page asks for (``rulecheck.render.findings.render``). The page's data is the JSON format's (``rulecheck.formats.json.as_data``) with
the file names the user gave instead of the temporary paths, plus what only a page needs: the
slate's own cells (identity numbers masked unless asked), each finding's cell, each file's verdict.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rulecheck.findings import FileResult, Report, Violation
from rulecheck.render.findings import Shown, ShownFile, ShownViolation

# The page shows at most this many rows and columns of one sheet; findings beyond are still listed.
SHOWN_ROWS = 3000
SHOWN_COLUMNS = 60
# Checked uploads kept (in memory, for switching language and for downloads) and for how long.
KEPT_UPLOADS = 16
KEPT_SECONDS = 2 * 3600
KEPT_BYTES = 256 << 20  # the uploads' bytes kept at most, all together (the newest is always kept)


@dataclass(frozen=True)
class Upload:
    """What a person sent: the files (name as given, bytes) and the choices made on the page."""

    files: tuple[tuple[str, bytes], ...]
    rules: str  # a key of ``Choices.rules``
    as_of: dt.date | None
    show_id: bool


@dataclass
class Checked:
    """One upload, and what has been made of it (per language)."""

    upload: Upload
    made: float = field(default_factory=time.monotonic)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    report: Report | None = None  # the upload checked, as values: rendered in each language asked for
    paths: tuple[str, ...] = ()  # the temporary paths the report names (of the check's own folder)


@dataclass(frozen=True)
class RuleChoice:
    """A rule file the page offers: the bundled ones and the one rulecheck.toml names."""

    key: str
    path: Path
    title: tuple[str, str]  # zh, en
    as_of: str


class Store:
    """The last few checked uploads, by a random id: in this process's memory only, never on disk."""

    def __init__(self, size: int = KEPT_UPLOADS, seconds: float = KEPT_SECONDS, most_bytes: int = KEPT_BYTES):
        self.size, self.seconds, self.most_bytes = size, seconds, most_bytes
        self.items: OrderedDict[str, Checked] = OrderedDict()
        self.lock = threading.Lock()

    def add(self, checked: Checked) -> str:
        import secrets

        key = secrets.token_urlsafe(12)
        with self.lock:
            self._expire()
            self.items[key] = checked
            while len(self.items) > 1 and (len(self.items) > self.size or self._bytes() > self.most_bytes):
                self.items.popitem(last=False)
        return key

    def get(self, key: str) -> Checked | None:
        with self.lock:
            self._expire()
            return self.items.get(key)

    def _bytes(self) -> int:
        return sum(len(data) for c in self.items.values() for _, data in c.upload.files)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, c in self.items.items() if now - c.made > self.seconds]:
            del self.items[key]


# One check (or download) at a time, from the upload to the answer: the run forks its reader processes,
# and a fork while another thread holds a lock (an import, a half-written report) would copy that lock,
# held for ever, into the child. A page used by one office loses nothing by waiting its turn.
RUN_LOCK = threading.Lock()


class Materialized:
    """The upload's files in a temporary folder of their own, removed on leaving the ``with``.

    Each file goes into a numbered sub-folder under its own name, so that two uploads of one name
    stay two files and a township taken from a file's name is taken as on the command line.
    """

    def __init__(self, upload: Upload):
        self.upload = upload
        self.folder: Path | None = None
        self.paths: list[Path] = []
        self.shown: dict[str, str] = {}  # temporary path → the name shown

    def __enter__(self) -> "Materialized":
        self.folder = Path(tempfile.mkdtemp(prefix="rulecheck-serve-"))
        names = [safe_name(name) for name, _ in self.upload.files]
        for n, ((_, data), name) in enumerate(zip(self.upload.files, names)):
            sub = self.folder / str(n)
            sub.mkdir()
            path = sub / name
            with open(path, "wb") as out:
                out.write(data)
            self.paths.append(path)
            self.shown[str(path)] = name if names.count(name) == 1 else f"{name} ({n + 1})"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def safe_name(name: str) -> str:
    """A file name as sent, without any folder part, never empty, never a dot file or a hidden path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    base = "".join(c for c in base if c.isprintable())[:200]
    if base in ("", ".", "..") or base.startswith("~$"):
        base = "upload" + (Path(base).suffix if base not in ("", ".", "..") else "")
    return base.lstrip(".") or "upload"


def report_for(checked: Checked, lang: str, choices: "Choices") -> tuple[Shown, "Materialized"]:
    """The upload's Report in ``lang``: checked the first time only, then the kept Report rendered again.

    Returned with the still-open folder its paths point into: the caller closes it. Call it holding RUN_LOCK.
    """
    from rulecheck.render.findings import render
    from rulecheck.run import check_paths

    upload = checked.upload
    choice = choices.rules[upload.rules]
    ruleset = choices.ruleset(upload.rules)
    files = Materialized(upload).__enter__()
    try:
        if checked.report is None:
            checked.report = check_paths(files.paths, ruleset, upload.as_of or choices.as_of.get(choice.key),
                                         choices.aliases.get(choice.key), townships=choices.townships.get(choice.key))
            checked.paths = tuple(map(str, files.paths))
        now = dict(zip(checked.paths, map(str, files.paths)))
        files.shown.update({old: files.shown[new] for old, new in now.items() if old != new})
        shown = render(moved(checked.report, now), ruleset, lang, show_id=upload.show_id)
    except BaseException:
        files.__exit__()
        raise
    return shown, files


def moved(report: Report, paths: dict[str, str]) -> Report:
    """The report with the files it names at their paths in this check's folder (an upload is written anew each time)."""
    if all(old == new for old, new in paths.items()):
        return report

    def name(path: str | None) -> str | None:
        return paths.get(path, path) if path is not None else None

    def where(at: Any) -> Any:
        return None if at is None else at._replace(file=name(at.file))

    def violation(v: Violation) -> Violation:
        return replace(v, location=where(v.location), anchor=where(v.anchor), files=tuple(map(name, v.files)))

    return replace(
        report, files=tuple(replace(f, path=name(f.path)) for f in report.files),
        violations=tuple(map(violation, report.violations)), waived=tuple(map(violation, report.waived)),
        exempted=tuple(replace(e, location=where(e.location)) for e in report.exempted),
        townships=tuple(replace(row, files=tuple(map(name, row.files))) for row in report.townships),
    )


def relabel(report: Shown, shown: dict[str, str]) -> Shown:
    """The report with each temporary path replaced by the name the user gave its file."""
    if not shown:
        return report

    def name(path: str | None) -> str | None:
        return shown.get(path, path) if path is not None else None

    def text(value: str | None) -> str | None:
        if value is None:
            return None
        for temporary, given in shown.items():
            value = value.replace(temporary, given)
        return value

    def violation(v: ShownViolation) -> ShownViolation:
        anchor = v.anchor._replace(file=name(v.anchor.file)) if v.anchor else None
        return replace(v, file=name(v.file), files=tuple(map(name, v.files)), anchor=anchor, message=text(v.message))

    def file(f: ShownFile) -> ShownFile:
        return replace(f, path=name(f.path), error=text(f.error), notes=tuple(map(text, f.notes)),
                       passed_over=text(f.passed_over))

    return replace(
        report, files=tuple(map(file, report.files)), violations=tuple(map(violation, report.violations)),
        waived=tuple(map(violation, report.waived)),
        exempted=tuple(replace(e, file=name(e.file), evidence=text(e.evidence)) for e in report.exempted),
        townships=tuple(replace(row, files=tuple(map(name, row.files))) for row in report.townships),
        notes=tuple(map(text, report.notes)),
    )


# --------------------------------------------------------------------------- the rule files offered


class Choices:
    """The rule files the page offers, each loaded once, with rulecheck.toml's settings for its own."""

    def __init__(self, config: Path | None, use_config: bool, rules: Path | None, lang: str):
        from rulecheck import config as config_module
        from rulecheck.rulefile import ruleset as ruleset_module

        self.rules: dict[str, RuleChoice] = {}
        self.aliases: dict[str, dict[str, list[str]] | None] = {}
        self.townships: dict[str, dict[str, Any] | None] = {}
        self._loaded: dict[str, Any] = {}
        self.as_of: dict[str, dt.date | None] = {}
        settings = config_module.load_for([Path.cwd()], config, lang) if use_config else None
        first: list[tuple[str, Path]] = []
        if rules is not None:
            first.append(("given", rules))
        elif settings is not None and settings.rules_path() is not None:
            first.append(("config", settings.rules_path()))
        folder = ruleset_module.default_path().parent
        bundled = sorted(folder.glob("*.yaml"), key=lambda p: (p.name != ruleset_module.DEFAULT_RULESET, p.name))
        for key, path in [*first, *((f"bundled:{p.name}", p) for p in bundled)]:
            loaded = ruleset_module.load(path)  # a bad rule file given or configured: RuleFileError, shown at start
            header = loaded.spec.ruleset
            self.rules[key] = RuleChoice(key, path, (header.title("zh"), header.title("en")), header.as_of.isoformat())
            self._loaded[key] = loaded
            from_config = settings is not None and key != "given" and (key == "config" or not first)
            self.aliases[key] = settings.aliases(loaded, lang) if from_config and settings else None
            self.townships[key] = settings.townships(loaded, lang) if from_config and settings else None
            self.as_of[key] = settings.spec.as_of if from_config and settings else None
        self.default = next(iter(self.rules))

    def ruleset(self, key: str) -> Any:
        return self._loaded[key]

    def listing(self, lang: str) -> list[dict[str, Any]]:
        zh = lang == "zh"
        words = {"given": ("命令行指定", "given on the command line"), "config": ("rulecheck.toml 指定", "from rulecheck.toml")}
        out = []
        for key, c in self.rules.items():
            origin = words.get(key, ("内置", "bundled"))
            out.append({"key": key, "title": c.title[0] if zh else c.title[1], "file": c.path.name,
                        "origin": origin[0] if zh else origin[1],
                        "as_of": (self.as_of[key] or dt.date.fromisoformat(c.as_of)).isoformat()})
        return out


# --------------------------------------------------------------------------- the page's data


def verdict_of(f: FileResult | ShownFile, violations: list[ShownViolation], fail_levels: tuple[str, ...]) -> str:
    """passed, problems, incomplete (an essential rule not checked, or the file not read) or passed_over."""
    if f.error or f.incomplete:
        return "incomplete"
    if f.passed_over is not None:
        return "passed_over"
    return "problems" if any(v.severity in fail_levels for v in violations) else "passed"


def _cell_text(value: object) -> str:
    """A cell as the page shows it: whole numbers without '.0', dates without a midnight."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def sheets_of(path: Path, show_id: bool, lang: str) -> list[dict[str, Any]]:
    """The cells of every sheet of a file the run has read, as text, trailing blanks trimmed."""
    from rulecheck.read.reader import read_rows
    from rulecheck.table.header import column_letter
    from rulecheck.render.masking import mask_text

    try:
        raws = read_rows(path)
    except BaseException:  # the run read it a moment ago; whatever happens now, the page shows the findings only
        return []
    out = []
    for raw in raws:
        rows: list[list[Any]] = []
        width = 0
        truncated = False
        for i, row in enumerate(raw.rows):
            cells = [_cell_text(v) for v in row[:SHOWN_COLUMNS]]
            while cells and cells[-1] == "":
                cells.pop()
            if not show_id:
                cells = [mask_text(c) if len(c) >= 11 else c for c in cells]
            if len(rows) >= SHOWN_ROWS:
                truncated = True
                break
            rows.append([raw.row_number(i), cells])
            width = max(width, len(cells))
        while rows and not rows[-1][1]:
            rows.pop()
        out.append({"name": raw.name if show_id else mask_text(raw.name), "raw_name": raw.name,
                    "letters": [column_letter(j) for j in range(width)], "rows": rows, "truncated": truncated,
                    "hidden": raw.hidden,
                    "wide": any(len(r) > SHOWN_COLUMNS for r in raw.rows[:SHOWN_ROWS])})
    return out


def page_data(report: Shown, files: Materialized, show_id: bool) -> dict[str, Any]:
    """Everything the page draws, from the report (temporary paths) and the files it checked."""
    from rulecheck.findings import FAIL_LEVELS
    from rulecheck.formats.annotate import ANNOTATABLE, mark_of
    from rulecheck.formats.json import as_data
    from rulecheck.formats.rows import observed_text, unchecked_lines, verdict
    from rulecheck.render.masking import find_sheet
    from rulecheck.render.messages import t

    lang = report.lang
    shown = relabel(report, files.shown)
    levels = FAIL_LEVELS[report.fail_on]
    index = {str(p): n for n, p in enumerate(files.paths)}
    quotes = {r.id: r.quote for r in report.rules}
    per_file: dict[int, list[ShownViolation]] = {}
    sheets: dict[int, list[dict[str, Any]]] = {}
    for f in report.files:
        n = index.get(f.path)
        if n is not None and not f.error and f.passed_over is None:
            sheets[n] = sheets_of(Path(f.path), show_id, lang)
    findings = []
    for k, (v, seen) in enumerate(zip(report.violations, shown.violations)):
        place = mark_of(v)
        at: dict[str, Any] = {"file": None, "sheet": None, "row": None, "letter": None, "whole_row": False}
        if place is not None and place[0] in index:
            n = index[place[0]]
            names = [s["raw_name"] for s in sheets.get(n, [])]
            sheet_name = find_sheet(place[1], names) if names else None
            letter = place[3]
            at = {"file": n, "sheet": names.index(sheet_name) if sheet_name is not None else None, "row": place[2],
                  "letter": letter, "whole_row": letter is None}
        for path in {v.file, *v.files} - {None}:
            if path in index:
                per_file.setdefault(index[path], []).append(v)
        findings.append({
            "n": k, "rule": v.rule, "severity": v.severity, "severity_text": t(lang, f"severity-{v.severity}"),
            "scope": v.scope, "title": report.rule_titles.get(v.rule, v.rule), "message": seen.message,
            "observed": observed_text(v.observed, lang), "quote": quotes.get(v.rule), "township": v.township,
            "village": v.village, "name": v.name, "sheet_name": v.sheet, "column": v.column,
            "cell": f"{at['letter']}{at['row']}" if at["letter"] and at["row"] else None, **at,
        })
    page_files = []
    for n, (f, seen) in enumerate(zip(report.files, shown.files)):
        own = per_file.get(index.get(f.path, -1), [])
        page_files.append({
            "n": n, "name": seen.path, "verdict": verdict_of(f, own, levels), "rows": f.rows, "skipped": f.skipped,
            "error": seen.error, "passed_over": seen.passed_over, "notes": list(seen.notes),
            "unchecked": [{"essential": essential, "text": line} for essential, line in unchecked_lines(f, report)],
            "counts": {s: sum(v.severity == s for v in own) for s in ("error", "warning", "notice")},
            "annotatable": bool(own) and Path(f.path).suffix.lower() in ANNOTATABLE and not f.error,
            "sheets": [{k: v for k, v in s.items() if k != "raw_name"} for s in sheets.get(index.get(f.path, -1), [])],
        })
    columns = report.summary_columns
    townships = [{
        "township": row.township, "county": row.county,
        "values": [{"key": c.key, "title": c.title, "value": value, "text": _stat(value, c.format),
                    "reference": ref, "reference_text": _stat(ref, c.format), "flag": flag}
                   for c, value, ref, flag in zip(columns, row.values, row.references, row.flags)],
        "errors": row.errors, "warnings": row.warnings, "notices": row.notices,
    } for row in shown.townships]
    data = as_data(shown)
    return {
        "lang": lang, "verdict": verdict(shown), "exit_code": report.exit_code(),
        "overall": "incomplete" if not report.complete else ("problems" if report.exit_code() == 1 else "passed"),
        "ruleset": data["ruleset"], "summary": data["summary"], "notes": data["notes"],
        "files": page_files, "findings": findings,
        "exempted": [{"rule": e.rule, "title": report.rule_titles.get(e.rule, e.rule), "name": e.name,
                      "village": e.village, "row": e.row, "evidence": e.evidence} for e in shown.exempted],
        "columns": [{"key": c.key, "title": c.title, "format": c.format, "chart": c.reference is not None}
                    for c in columns],
        "townships": townships,
    }


def _stat(value: float | None, spec: str | None) -> str:
    if value is None:
        return "-"
    try:
        return format(value, spec) if spec else (str(int(value)) if float(value).is_integer() else f"{value:g}")
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- downloads


def download(report: Shown, files: Materialized, kind: str, file: int | None = None) -> tuple[str, bytes, str]:
    """(file name, bytes, media type) of one download: the violations workbook, JSON, CSV or an annotated copy."""
    from rulecheck.formats import writer

    lang = report.lang
    base = "rulecheck-报告" if lang == "zh" else "rulecheck-report"
    if kind == "xlsx":
        out = io.BytesIO()
        writer("xlsx")(relabel(report, files.shown), out)
        return f"{base}.xlsx", out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if kind in ("json", "csv"):
        text = io.StringIO(newline="" if kind == "csv" else None)
        writer(kind)(relabel(report, files.shown), text)
        media = "application/json" if kind == "json" else "text/csv"
        return f"{base}.{kind}", text.getvalue().encode("utf-8"), f"{media}; charset=utf-8"
    if kind == "annotated":
        from rulecheck.formats.annotate import ANNOTATABLE, write_copy

        if file is None or not 0 <= file < len(files.paths):
            raise KeyError(kind)
        source = files.paths[file]
        if source.suffix.lower() not in ANNOTATABLE:
            raise KeyError(kind)
        marked = tuple(v for v in report.violations if v.file == str(source) or (v.anchor and v.anchor.file == str(source)))
        target = source.parent.parent / "annotated" / source.name
        write_copy(source, target, marked, report)
        shown = Path(files.shown[str(source)])
        suffix = "(已标注)" if lang == "zh" else " (annotated)"
        return f"{shown.stem}{suffix}{source.suffix}", target.read_bytes(), (
            "application/vnd.ms-excel.sheet.macroEnabled.12" if source.suffix.lower() == ".xlsm"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    raise KeyError(kind)


def template_download(ruleset: Any, lang: str) -> tuple[str, bytes]:
    """The blank input template for a rule file (``rulecheck template``), as a download."""
    import io

    from rulecheck.template import build

    stream = io.BytesIO()
    build(ruleset, lang).save(stream)
    return ("拟任人选名单模板.xlsx" if lang == "zh" else "slate-template.xlsx"), stream.getvalue()


def close(files: Materialized) -> None:
    files.__exit__()


def warm_up() -> None:
    """Import in this process what every check's forked reader would otherwise import afresh."""
    import importlib

    for name in ("python_calamine", "rulecheck.read.textsheets", "rulecheck.formats.json", "rulecheck.formats.rows",
                 "rulecheck.formats.annotate"):
        try:
            importlib.import_module(name)
        except ImportError:  # an optional reader part: imported by the check where it is needed
            pass


