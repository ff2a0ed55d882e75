"""The command line: parse options, run the check, render the Report in the user's language, hand it to format writers."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer

from rulecheck import __version__
from rulecheck.formats import FORMATS, is_binary, writer
from rulecheck.render.i18n import HELP
from rulecheck.formats.inert import inert_text
from rulecheck.render.messages import LANGS, t
from rulecheck.findings import FAIL_LEVELS
from rulecheck.render.findings import Shown

app = typer.Typer(
    add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rulecheck {__version__}")
        raise typer.Exit(0)


def _fail(message: str) -> NoReturn:
    typer.echo(f"rulecheck: {message}", err=True)
    raise typer.Exit(2)


def _choice(lang: str, option: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        _fail(t(lang, "bad-choice", option=option, choices="|".join(choices), value=value))


def _help(name: str) -> str:
    """An option's English help; the command line shows it in the user's language (rulecheck.render.i18n)."""
    return HELP[name][1].format(formats="|".join(FORMATS))


@app.command()
def check(
    paths: list[Path] = typer.Argument(None, help=_help("paths")),
    rules: Optional[Path] = typer.Option(None, "--rules", help=_help("rules")),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help=_help("as_of")),
    format: str = typer.Option("text", "--format", "-f", help=_help("format")),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help=_help("output")),
    report: Optional[Path] = typer.Option(None, "--report", metavar="FILE.xlsx", help=_help("report")),
    annotate: Optional[Path] = typer.Option(None, "--annotate", metavar="DIR", help=_help("annotate")),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help=_help("fail_on")),
    show_id: bool = typer.Option(False, "--show-id", help=_help("show_id")),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help=_help("config")),
    no_config: bool = typer.Option(False, "--no-config", help=_help("no_config")),
    waivers: Optional[Path] = typer.Option(None, "--waivers", metavar="FILE", help=_help("waivers")),
    no_waivers: bool = typer.Option(False, "--no-waivers", help=_help("no_waivers")),
    lang: Optional[str] = typer.Option(None, "--lang", help=_help("lang")),
    list_rules: bool = typer.Option(False, "--list-rules", help=_help("list_rules")),
    explain: Optional[str] = typer.Option(None, "--explain", metavar="RULE", help=_help("explain")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=_help("version")),
) -> None:
    """Check candidate slates (拟任人选名单) against a rule file.

    Exit codes: 0 no errors, 1 errors found, 2 some input could not be checked.
    With --fail-on warning, warnings also give 1; with --fail-on never, only 2 is an exit code.
    """
    _choice("zh", "--lang", lang, LANGS)
    settings = _config(paths, config, no_config, lang)
    spec = settings.spec if settings else None
    lang = lang or (spec.lang if spec else None) or "zh"
    fail_on = fail_on or (spec.fail_on if spec else None) or "error"
    _choice(lang, "--format", format, FORMATS)
    _choice(lang, "--fail-on", fail_on, tuple(FAIL_LEVELS))
    day = _as_of_day(as_of, spec.as_of if spec else None, lang)
    loaded = _rule_file(rules or (settings.rules_path() if settings else None), lang)
    if list_rules or explain:
        _describe_rules(loaded, lang, explain)
    aliases, townships = _from_config(settings, loaded, lang)
    _check_targets(paths, format, output, report, annotate, lang)

    approved, waivers = _waivers(waivers, no_waivers, settings, loaded, lang)
    from rulecheck.progress import ProgressBar
    from rulecheck.render.findings import render
    from rulecheck.run import check_paths

    found = check_paths(
        list(paths), loaded, day, aliases, townships=townships,
        exclude=settings.excluded if settings and spec and spec.exclude else None,
        fail_on=fail_on, progress=ProgressBar(sys.stderr, lang) if ProgressBar.wanted(sys.stderr) else None,
    )
    if approved is not None:
        from rulecheck import waivers as waivers_module

        found = waivers_module.apply(found, approved)
    elif no_waivers:
        from rulecheck import waivers as waivers_module

        found = waivers_module.ignored(found, waivers)
    result = render(found, loaded, lang, show_id=show_id)  # the one step into words, identity numbers masked
    written = _write_outputs(result, format, output, report, annotate)
    raise typer.Exit(result.exit_code() if written else 2)


def _config(paths: list[Path] | None, explicit: Path | None, no_config: bool, lang: str | None) -> Any:
    """The rulecheck.toml that applies (given, or found above the paths), or None."""
    from rulecheck import config as config_module

    if no_config:
        return None
    try:
        return config_module.load_for(list(paths or []), explicit, lang)
    except config_module.ConfigError as exc:
        _fail(exc.text(lang or "zh"))


def _as_of_day(as_of: str | None, configured: dt.date | None, lang: str) -> dt.date | None:
    """The day ages are counted on: --as-of, else the config's, else None (the rule file's)."""
    if as_of is None:
        return configured
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        _fail(t(lang, "bad-date", value=as_of))


def _rule_file(path: Path | None, lang: str) -> Any:
    """The rule file loaded (the bundled one when ``path`` is None); a bad one ends the run with exit 2."""
    from rulecheck.rulefile import ruleset as ruleset_module

    try:
        return ruleset_module.load(path)
    except ruleset_module.RuleFileError as exc:
        _fail(exc.text(lang))


def _describe_rules(loaded: Any, lang: str, rule: str | None) -> None:
    """--list-rules or --explain RULE: print, and exit 0 (2 for a rule the file does not have)."""
    from rulecheck.render.explain import describe, titled

    try:
        typer.echo(describe(loaded, lang, rule))
    except KeyError:
        _fail(t(lang, "unknown-rule-titled", rule=rule, rules=titled(loaded, lang)))
    raise typer.Exit(0)


def _waivers(given: Path | None, no_waivers: bool, settings: Any, loaded: Any, lang: str) -> tuple[Any, Path | None]:
    """The approved exceptions to apply (--waivers, else rulecheck-waivers.yaml beside rulecheck.toml), and their file."""
    from rulecheck import waivers as waivers_module

    path = given or (settings.waivers_path() if settings else None)
    if path is None or no_waivers:
        return None, path
    try:
        return waivers_module.load(path, loaded), path
    except waivers_module.WaiverError as exc:
        _fail(exc.text(lang))


def _from_config(settings: Any, loaded: Any, lang: str) -> tuple[dict[str, list[str]] | None, dict[str, Any] | None]:
    """The config's extra header aliases and its townships' own settings (None without a config)."""
    from rulecheck import config as config_module

    if settings is None:
        return None, None
    try:
        return settings.aliases(loaded, lang), settings.townships(loaded, lang)
    except config_module.ConfigError as exc:
        _fail(exc.text(lang))


def _check_targets(paths: list[Path] | None, format: str, output: Path | None, report: Path | None,
                   annotate: Path | None, lang: str) -> None:
    """Something to check, and outputs that can be written: else exit 2 before any file is read."""
    if not paths:
        _fail(t(lang, "no-paths"))
    if is_binary(format) and output is None:
        _fail(t(lang, "needs-output", format=format))
    if report is not None and report.suffix.lower() != ".xlsx":
        _fail(t(lang, "report-suffix", path=report))
    if annotate is not None and annotate.exists() and not annotate.is_dir():
        _fail(t(lang, "annotate-not-dir", path=annotate))


def _write_outputs(result: Shown, format: str, output: Path | None, report: Path | None, annotate: Path | None) -> bool:
    """Refuse to write over an input, then the terminal report, the output file, the workbook, the copies.

    False when an annotated copy could not be written (the others still are).
    """
    from rulecheck.formats.annotate import AnnotateError, plan, write_copy
    from rulecheck.render.i18n import os_reason
    from rulecheck.formats.atomic import atomic_write

    lang = result.lang
    targets = [p for p in (output, report) if p is not None]
    inputs = {Path(f.path).resolve() for f in result.files if Path(f.path).is_file()} if targets else set()
    for target in targets:
        if target.resolve() in inputs:
            _fail(t(lang, "output-is-input", path=target))
    if len(targets) == 2 and targets[0].resolve() == targets[1].resolve():
        _fail(t(lang, "output-twice", path=targets[0]))
    copies, ok = None, True
    if annotate is not None:
        try:
            copies = plan(result, annotate)
        except AnnotateError as exc:
            _fail(str(exc))

    global _report
    _report = result
    for failed in result.failed_files:
        typer.echo("rulecheck: " + inert_text(f"{failed.path}: {failed.error}"), err=True)  # a quoted cell stays inert
    _to_terminal(lambda: writer("text" if output is not None else format)(result, sys.stdout))
    jobs: list[tuple[Path, Any, bool]] = []
    if output is not None:
        jobs.append((output, writer(format), is_binary(format)))
    if report is not None:
        jobs.append((report, writer("xlsx"), True))
    for target, write, binary in jobs:
        try:
            with atomic_write(target, binary=binary, newline="" if not binary else None) as stream:
                write(result, stream)
        except OSError as exc:
            _fail(t(lang, "write-failed", path=target, reason=os_reason(exc, lang)))
        typer.echo(t(lang, "wrote", path=target), err=True)
    if copies is not None:
        for path in copies.skipped:
            typer.echo(f"rulecheck: {t(lang, 'annotate-needs-xlsx', path=path)}", err=True)
        for source, target, violations in copies.copies:
            try:
                write_copy(source, target, violations, result)
            except AnnotateError as exc:  # the input cannot be copied (a DTD, say): not a failure to write
                typer.echo(f"rulecheck: {exc}", err=True)
                ok = False
                continue
            except Exception as exc:  # openpyxl raises many unrelated types for workbooks it cannot copy
                typer.echo(f"rulecheck: {t(lang, 'write-failed', path=target, reason=os_reason(exc, lang))}", err=True)
                ok = False
                continue
            typer.echo(t(lang, "wrote-annotated", path=target), err=True)
    return ok


def _to_terminal(write: Callable[[], object]) -> None:
    """Write the terminal report; a closed stdout (``rulecheck data | head -1``) ends the terminal output only.

    The files asked for are still written and the exit code stays the check's.
    """
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()


def _discard_stdout() -> None:
    """Point stdout at the null device, so that nothing written or flushed later fails again."""
    _discard(sys.stdout)


def _discard(stream: Any) -> None:
    """Point a standard stream's file at the null device."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture): nothing to point
        pass


# The report whose exit code the run gives: the only source of exit code 1 ("violations found").
_report: Shown | None = None


def _true_code(code: int) -> int:
    """1 only when the check found violations; any other 1 (a library's reaction to a closed pipe or
    an aborted prompt) means the check did not complete, and is 2."""
    if code == 1 and (_report is None or _report.exit_code() != 1):
        return 2
    return code


def _invoke(argv: list[str]) -> int:
    """Run the command on ``argv`` with every word click writes in the user's language; the exit code.

    The language is read from argv before click parses (the default zh): the help page, click's
    errors and the usage line are then shown in it.
    """
    from rulecheck.render import i18n

    from rulecheck import commands

    lang = i18n.usable(i18n.language(argv))
    word = commands.command_word(argv)
    if word is not None:
        gc.enable()  # a command word may run long (serve): the collector is off only for a check (rulecheck.__main__)
    if word is None:
        command = i18n.localize(typer.main.get_command(app), lang, FORMATS, commands.listing(lang))
        prog, args = "rulecheck", argv
    else:
        doc = commands.COMMANDS[word].doc
        command = i18n.localize(commands.load(word), lang, FORMATS, doc=doc[0] if lang == "zh" else doc[1])
        prog, args = f"rulecheck {word}", argv[1:]
    try:
        code = command.main(args=args, prog_name=prog, standalone_mode=False)
    except _click_errors() as exc:
        typer.echo(i18n.error_text(exc, lang), err=True)
        return int(getattr(exc, "exit_code", 2) or 2)
    except typer.Abort:
        typer.echo("已中止" if lang == "zh" else "Aborted!", err=True)
        return 1
    return code if isinstance(code, int) else 0


def _click_errors() -> type[Exception]:
    """click's error class: typer's bad-parameter error derives from it, in typer's copy of click or click."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main() -> None:
    """Entry point. Every ending is a true exit code: 0 clean, 1 violations found, 2 not checked or any crash."""
    global _report
    _report = None  # the report of this run only (main may be called again in one process)
    try:
        raise SystemExit(_invoke(sys.argv[1:]))
    except SystemExit as done:
        if isinstance(done.code, int) or done.code is None:
            _leave(_true_code(done.code or 0))
        _say(f"rulecheck: {done.code}")
        _leave(2)
    except KeyboardInterrupt:  # before or after the command ran (within it, typer gives 130)
        _leave(130)
    except BaseException:  # the last line of defence, a Rust panic (a BaseException) included
        import traceback

        try:
            traceback.print_exc()
        except OSError:
            pass
        _say("rulecheck: 内部错误,检查未完成 / internal error: the check did not complete")
        _leave(2)


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (OSError, ValueError):  # a closed stderr
        pass


def _leave(code: int) -> NoReturn:
    """Exit with ``code`` the normal way: every exit handler runs, and the streams are flushed.

    What exists now is frozen first (gc.freeze), so that the collector does not walk the run's
    objects once more as the interpreter ends: at 1,000 workbooks the exit takes ~0.09 s so, ~0.5 s
    without. A stream that cannot be flushed (a closed pipe) is pointed at the null device, so the
    interpreter's own last flush cannot turn the exit code into 120.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be shown there
            _discard(stream)
    gc.freeze()
    sys.exit(code)
