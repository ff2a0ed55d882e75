"""The command line: parse options, run the check, hand the Report to a format writer."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional

import typer

from rulecheck import __version__
from rulecheck.formats import FORMATS, writer
from rulecheck.messages import LANGS, t

app = typer.Typer(
    add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rulecheck {__version__}")
        raise typer.Exit(0)


def _fail(message: str) -> None:
    typer.echo(f"rulecheck: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def check(
    paths: list[Path] = typer.Argument(None, help="Slates to check: files (.xlsx .xlsm .xls .ods .csv) or folders (searched recursively)."),
    rules: Optional[Path] = typer.Option(None, "--rules", help="Rule file (YAML). Default: the bundled 2007 rules."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="Day ages are counted on. Default: the rule file's as_of."),
    format: str = typer.Option("text", "--format", "-f", help=f"Output format: {'|'.join(FORMATS)}."),
    lang: str = typer.Option("zh", "--lang", help="Language of messages: zh|en."),
    list_rules: bool = typer.Option(False, "--list-rules", help="List the rule file's rules and exit."),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="RULE", help="Explain one rule: its source, reading and check."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Check candidate slates (拟任人选名单) against a rule file.

    Exit codes: 0 no errors, 1 errors found, 2 some input could not be checked.
    """
    from rulecheck import ruleset as ruleset_module
    from rulecheck.check import check_paths

    if lang not in LANGS:
        _fail(t("zh", "bad-choice", option="--lang", choices="|".join(LANGS), value=lang))
    if format not in FORMATS:
        _fail(t(lang, "bad-choice", option="--format", choices="|".join(FORMATS), value=format))
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            _fail(t(lang, "bad-date", value=as_of))
    try:
        loaded = ruleset_module.load(rules)
    except ruleset_module.RuleFileError as exc:
        _fail(str(exc))
    if list_rules or explain:
        from rulecheck.explain import describe

        try:
            typer.echo(describe(loaded, lang, explain))
        except KeyError:
            _fail(t(lang, "unknown-rule", rule=explain, rules=", ".join(r.id for r in loaded.rules)))
        raise typer.Exit(0)
    if not paths:
        _fail(t(lang, "no-paths"))
    report = check_paths(list(paths), loaded, day, lang)
    for failed in report.failed_files:
        typer.echo(f"rulecheck: {failed.path}: {failed.error}", err=True)
    writer(format)(report, sys.stdout)
    raise typer.Exit(report.exit_code())


def main() -> None:
    """Entry point. A crash is exit 2 (could not check), never 1, which would claim the slate was read."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception:  # the last line of defence: report, then say plainly the run did not complete
        import traceback

        traceback.print_exc()
        print("rulecheck: 内部错误,检查未完成 / internal error: the check did not complete", file=sys.stderr)
        raise SystemExit(2) from None
