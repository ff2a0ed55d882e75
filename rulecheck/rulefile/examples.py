"""Rule files that test themselves: ``rulecheck test-rules`` runs every rule's examples through the real check.

Each example (a row, or a group of rows checked together) is written into a workbook of its own, one
sheet whose header row is the titles the example uses, and checked like any slate: read by the
reader, evaluated by the engine, on the examples' ``as_of`` day (default: the rule file's). An
example under ``pass`` must not break its rule, and the rule must have been checked on it; one
under ``fail`` must break that rule. What other rules say about an example does not matter.

Cells an example leaves out that every slate needs are filled in, so that an example holds only
what it is about: the row label (姓名) with 示例1, 示例2, …, and the required columns and the
columns that form the rule's groups (镇(区), 村(社区)) with 示例. Only text columns are filled in.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rulecheck.render.messages import t
from rulecheck.rulefile.keys import key_path, line_of
from rulecheck.rulefile.ruleset import (
    BUNDLED_DIR, SOURCE_DIR, ExampleRow, Rule, RuleFileError, Ruleset, example_column, load, read_yaml,
)

FILLER = "示例"  # what fills a required or grouping column an example leaves out
SHEET = "名单"

Verdict = Literal["ok", "broke", "did-not-break", "not-checked", "not-read"]


@dataclass(frozen=True)
class ExampleResult:
    """How one example behaved: ``ok``, or what went wrong, with the rule file's line and key path."""

    path: str
    line: int | None
    key: str  # rules[3].examples.fail[0]
    rule: str
    expect: Literal["pass", "fail"]
    verdict: Verdict
    detail: tuple[str, ...] = ()  # the rule's messages (broke), other rules broken (did-not-break), columns lacking, the error

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass(frozen=True)
class FileExamples:
    """One rule file's examples: each one's result, and the rules that carry none."""

    path: str
    results: tuple[ExampleResult, ...]
    without: tuple[str, ...]  # ids of rules with no examples

    @property
    def failures(self) -> tuple[ExampleResult, ...]:
        return tuple(r for r in self.results if not r.ok)


def bundled_files() -> list[Path]:
    """The rule files that come with rulecheck, installed or in a source checkout."""
    for folder in (BUNDLED_DIR, SOURCE_DIR):
        found = sorted(folder.glob("*.yaml"))
        if found:
            return found
    return []


def check_file(path: Path, lang: str = "zh") -> FileExamples:
    """Load a rule file and run every example of every rule; raises RuleFileError for a broken file."""
    ruleset = load(path)
    _, lines = read_yaml(path)
    results: list[ExampleResult] = []
    with tempfile.TemporaryDirectory(prefix="rulecheck-examples-") as folder:
        for i, rule in enumerate(ruleset.rules):
            examples = rule.spec.examples
            if examples is None:
                continue
            day = examples.as_of or ruleset.spec.ruleset.as_of
            for n, (example, rows) in enumerate(examples.items()):
                loc = ("rules", i, "examples", *example)
                target = Path(folder) / f"{rule.id}-{n}.xlsx"
                write_workbook(target, table(ruleset, rule, rows))
                verdict, detail = run_example(target, ruleset, rule, example[0], day, lang)
                results.append(ExampleResult(str(path), line_of(lines, loc), key_path(loc), rule.id, example[0],
                                             verdict, detail))
    without = tuple(r.id for r in ruleset.rules if r.spec.examples is None)
    return FileExamples(str(path), tuple(results), without)


def table(ruleset: Ruleset, rule: Rule, rows: list[ExampleRow]) -> list[list[Any]]:
    """An example as a sheet: the header (the titles it uses, then the columns filled in) and its rows."""
    columns = ruleset.columns
    header: dict[str, str] = {}  # column key → the title written
    for row in rows:
        for written in row:
            header.setdefault(example_column(columns, written) or written, written)
    label = ruleset.spec.ruleset.row_label
    keys = set(ruleset.groups.get(rule.spec.scope, ())) - ruleset.optional_keys
    filled = [key for key, spec in columns.items()
              if key not in header and spec.type == "text" and (spec.required or key in keys or key == label)]
    body = []
    for n, row in enumerate(rows, 1):
        cells = {example_column(columns, written) or written: value for written, value in row.items()}
        line = [cells.get(key) for key in header]
        line += [f"{FILLER}{n}" if key == label and key not in keys else FILLER for key in filled]
        body.append(line)
    return [[*header.values(), *(columns[key].aliases[0] for key in filled)], *body]


def write_workbook(path: Path, rows: list[list[Any]]) -> None:
    """An xlsx of one sheet holding ``rows``: text as text (never a formula), numbers, dates, true/false."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            if value is None:
                continue
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl takes text starting with '=' for a formula
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
    book.save(path)


def run_example(path: Path, ruleset: Ruleset, rule: Rule, expect: str, day: dt.date, lang: str) -> tuple[Verdict, tuple[str, ...]]:
    """Check one example's workbook as any slate is checked, and judge the rule's findings on it."""
    from rulecheck.render.findings import render as in_words
    from rulecheck.run import check_paths

    report = in_words(check_paths([path], ruleset, day, workers=1), ruleset, lang, show_id=True)
    read = report.files[0]
    if read.error or read.passed_over:
        return "not-read", (read.error or read.passed_over or "",)
    unchecked = next((u for u in read.unchecked if u.rule == rule.id), None)
    if unchecked is not None:
        return "not-checked", tuple(t(lang, "rule-sep").join(alt) for alt in unchecked.missing)
    broken = [v.message for v in report.violations if v.rule == rule.id]
    if expect == "pass":
        return ("broke", tuple(broken)) if broken else ("ok", ())
    if broken:
        return "ok", ()
    return "did-not-break", tuple(dict.fromkeys(v.rule for v in report.violations))


def render(checked: list[FileExamples], lang: str) -> str:
    """What ``rulecheck test-rules`` prints: each example that misbehaved, then a line per file."""
    lines = []
    for file in checked:
        for result in file.failures:
            where = f"{_shown(result.path)}:{result.line}" if result.line else _shown(result.path)
            detail = t(lang, "rule-sep").join(result.detail)
            if result.verdict == "did-not-break":
                detail = t(lang, "example-others-broken", rules=detail) if detail else t(lang, "example-nothing-broken")
            lines.append(t(lang, f"example-{result.verdict}", where=f"{where} {result.key}", rule=result.rule, detail=detail))
        bad = len(file.failures)
        key = "examples-bad" if bad else "examples-ok"
        if file.results:
            lines.append(t(lang, key, path=_shown(file.path), bad=bad, examples=len(file.results),
                           rules=len({r.rule for r in file.results})))
        if file.without:
            lines.append(t(lang, "examples-missing", path=_shown(file.path), count=len(file.without), rules=t(lang, "rule-sep").join(file.without)))
    return "\n".join(lines)


def _shown(path: str) -> str:
    """A rule file's path as the user would type it: relative to the working folder when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


# --------------------------------------------------------------------------- the command word

import typer  # noqa: E402  (a command module: imported only when its word is used)

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


@dataclass(frozen=True)
class _Outcome:
    """The exit code of a test-rules run, for rulecheck.cli: 1 is true only where an example misbehaved."""

    code: int

    def exit_code(self) -> int:
        return self.code


@app.command()
def command(
    rule_files: list[Path] = typer.Argument(None, help="Rule files (YAML) whose examples to run."),
    config: Path | None = typer.Option(None, "--config", metavar="FILE", help="Use this rulecheck.toml."),
    no_config: bool = typer.Option(False, "--no-config", help="Ignore any rulecheck.toml."),
    lang: str | None = typer.Option(None, "--lang", help="Language of messages: zh|en."),
) -> None:
    """Run every rule's examples through the real reader and engine."""
    from rulecheck import cli
    from rulecheck import config as config_module
    from rulecheck.render.messages import LANGS

    if lang is not None and lang not in LANGS:
        _stop(t("zh", "bad-choice", option="--lang", choices="|".join(LANGS), value=lang))
    files = list(rule_files or [])
    if not files:
        try:
            settings = None if no_config else config_module.load_for([], config, lang)
        except config_module.ConfigError as exc:
            _stop(exc.text(lang or "zh"))
        lang = lang or (settings.spec.lang if settings else None)
        found = settings.rules_path() if settings else None
        files = [found] if found else bundled_files()
    lang = lang or "zh"
    if not files:
        _stop(t(lang, "examples-none"))
    checked = []
    for path in files:
        try:
            checked.append(check_file(path, lang))
        except RuleFileError as exc:
            _stop(exc.text(lang))
    typer.echo(render(checked, lang))
    code = 1 if any(f.failures for f in checked) else 0
    cli._report = _Outcome(code)  # type: ignore[assignment]
    raise typer.Exit(code)


def _stop(message: str) -> None:
    typer.echo(f"rulecheck: {message}", err=True)
    raise typer.Exit(2)
