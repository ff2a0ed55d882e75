"""``rulecheck.toml``: settings a data folder carries, found by walking up from the checked paths.

    rules = "rules/rugao-2007.yaml"   # relative to this file
    as_of = 2007-10-20
    lang = "zh"
    fail_on = "warning"               # error | warning | never
    exclude = ["草稿/*", "*备份*"]     # globs, relative to this file; a bare name matches at any depth

    [aliases]                         # more header spellings for the rule file's columns
    name = ["候选人姓名"]

    [townships."城北镇"]               # a township with its own as-of day or parameter values
    as_of = 2007-09-30
    params = { max_average_age = 46 }

Command-line options win over the file. A mistake stops the run with the file, the line and the
key: tomllib reports lines for syntax errors only, so the line of a key is found in the text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from rulecheck.render.messages import t
from rulecheck.findings import township_key
from rulecheck.rulefile.keys import key_path, line_of
from rulecheck.rulefile.ruleset import SUMMARY_SCOPE, Param, RuleFileError, Ruleset, Strict

FILE_NAME = "rulecheck.toml"
WAIVERS_FILE_NAME = "rulecheck-waivers.yaml"  # approved exceptions (rulecheck.waivers), found beside this file


class ConfigError(RuleFileError):
    """A config file that cannot be used; says where and why, as a rule file's error does (file:line key: message).

    Its message is made in the run's language already.
    """

    def text(self, lang: str) -> str:
        return str(self)


class TownshipSpec(Strict):
    as_of: dt.date | None = None
    params: dict[str, Param] = {}


class ConfigSpec(Strict):
    rules: str | None = None
    as_of: dt.date | None = None
    lang: Literal["zh", "en"] | None = None
    fail_on: Literal["error", "warning", "never"] | None = None
    exclude: list[str] = []
    aliases: dict[str, list[str]] = {}
    townships: dict[str, TownshipSpec] = {}


@dataclass(frozen=True)
class TownshipSettings:
    """What differs for one township (from rulecheck.toml): its as-of day and parameter values."""

    as_of: dt.date | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """A loaded config file; relative paths in it are relative to its folder."""

    path: Path
    spec: ConfigSpec
    lines: dict[tuple, int]

    @property
    def folder(self) -> Path:
        return self.path.parent

    def rules_path(self) -> Path | None:
        return self.folder / self.spec.rules if self.spec.rules else None

    def waivers_path(self) -> Path | None:
        """The waiver file beside this config (rulecheck-waivers.yaml), if there is one."""
        path = self.folder / WAIVERS_FILE_NAME
        return path if _is_file(path) else None

    def excluded(self, path: Path) -> bool:
        """Whether a file found in a checked folder matches one of the ``exclude`` globs."""
        try:
            parts = path.resolve().relative_to(self.folder.resolve()).parts
        except ValueError:
            return False
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        for pattern in self.spec.exclude:
            pattern = pattern.rstrip("/")
            if any(fnmatchcase(p, pattern) for p in prefixes):
                return True
            if "/" not in pattern and any(fnmatchcase(p, pattern) for p in parts):
                return True
        return False

    def error(self, loc: tuple, message: str) -> ConfigError:
        return ConfigError(str(self.path), _line(self.lines, loc), _keypath(loc), message)

    def aliases(self, ruleset: Ruleset, lang: str) -> dict[str, list[str]]:
        """Extra header aliases, each for a column the rule file has."""
        for column in self.spec.aliases:
            if column not in ruleset.columns:
                raise self.error(("aliases", column), t(lang, "config-unknown-column", column=column,
                                                          columns=", ".join(ruleset.columns)))
        return {k: list(v) for k, v in self.spec.aliases.items()}

    def townships(self, ruleset: Ruleset, lang: str) -> dict[str, TownshipSettings]:
        """Per-township settings, checked against the rule file's township group and parameters."""
        if not self.spec.townships:
            return {}
        if SUMMARY_SCOPE not in ruleset.spec.groups:
            raise self.error(("townships",), t(lang, "config-no-townships"))
        seen: set[str | None] = set()
        out = {}
        for name, spec in self.spec.townships.items():
            if township_key(name) in seen:
                raise self.error(("townships", name), t(lang, "config-township-twice", township=name))
            seen.add(township_key(name))
            for param, value in spec.params.items():
                loc = ("townships", name, "params", param)
                if param not in ruleset.spec.params:
                    raise self.error(loc, t(lang, "config-unknown-param", param=param,
                                            params=", ".join(ruleset.spec.params)))
                want = _kind(ruleset.spec.params[param])
                if _kind(value) != want:
                    raise self.error(loc, t(lang, "config-param-type", param=param, type=t(lang, f"type-{want}"),
                                            value=value))
            out[name] = TownshipSettings(spec.as_of, dict(spec.params))
        return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "text"


def discover(paths: list[Path]) -> list[Path]:
    """The rulecheck.toml nearest above each path (a folder itself counts), each found file once."""
    found: list[Path] = []
    for path in paths or [Path.cwd()]:
        try:
            start = path.resolve()
        except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13): start where the link is
            start = Path(os.path.abspath(path))
        if not _is_dir(start):
            start = start.parent
        for folder in (start, *start.parents):
            candidate = folder / FILE_NAME
            if _is_file(candidate):
                if candidate not in found:
                    found.append(candidate)
                break
    return found


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a folder on the way that cannot be looked into
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def load_for(paths: list[Path], explicit: Path | None, lang: str | None) -> Config | None:
    """The config for a run: the file given with --config, else the one found from the paths.

    Errors are in ``lang``; where it is None, in the file's own ``lang`` when it can be read, else zh.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(str(explicit), None, "", t(lang or "zh", "config-missing"))
        return load(explicit, lang)
    found = discover(paths)
    if len(found) > 1:
        raise ConfigError(str(found[1]), None, "", t(lang or "zh", "config-differ", first=found[0], second=found[1]))
    return load(found[0], lang) if found else None


def load(path: Path, lang: str | None = "zh") -> Config:
    """Read and validate a config file; raises ConfigError naming file, line and key (the file once)."""
    from rulecheck.render.i18n import os_reason, toml_message, usable

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        said = usable(lang)
        reason = t(said, "config-not-utf8") if isinstance(exc, UnicodeDecodeError) else os_reason(exc, said)
        raise ConfigError(name, None, "", t(said, "config-cannot-read", reason=reason)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        said = usable(lang or _written_lang(text))
        reason, line, _ = toml_message(str(exc), said, len(text.splitlines()) or 1)
        raise ConfigError(name, line, "", t(said, "config-syntax-at", reason=reason)) from None
    lang = usable(lang or data.get("lang"))
    lines = key_lines(text)
    try:
        spec = ConfigSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise ConfigError(name, _line(lines, loc), _keypath(loc), _message(err, loc, lang)) from None
    return Config(path, spec, lines)


def _message(err: dict[str, Any], loc: tuple, lang: str) -> str:
    if err["type"] == "extra_forbidden":
        model = TownshipSpec if loc[0] == "townships" else ConfigSpec
        return t(lang, "config-unknown-key", name=loc[-1], valid=", ".join(model.model_fields))
    if err["type"] == "literal_error":
        choices = err["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return t(lang, "config-choice", choices="|".join(c.strip() for c in choices.split(",")), value=err["input"])
    from rulecheck.render.i18n import value_message

    return t(lang, "config-bad-value", reason=value_message(err["msg"], lang))


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # a TOML key that needs no quotes


def _keypath(loc: tuple) -> str:
    return key_path(loc, _BARE_KEY)


def _line(lines: dict[tuple, int], loc: tuple) -> int | None:
    return line_of(lines, tuple(p for p in loc if not isinstance(p, int)))  # TOML lines are found by key, not index


def _written_lang(text: str) -> str | None:
    """The ``lang = "…"`` a file that tomllib cannot read still states, for its error's language."""
    match = re.search(r"""(?m)^\s*lang\s*=\s*["']([a-z]+)["']""", text.split("\n[", 1)[0])
    return match.group(1) if match else None


# --------------------------------------------------------------------------- where each key is

_BARE = r"[A-Za-z0-9_-]+"
_KEY = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _parts(dotted: str) -> tuple[str, ...]:
    """A TOML key as written (bare, quoted, dotted) as its path, read by tomllib itself."""
    data: Any = tomllib.loads(f"{dotted} = 0")
    parts = []
    while isinstance(data, dict):
        key = next(iter(data))
        parts.append(key)
        data = data[key]
    return tuple(parts)


def key_lines(text: str) -> dict[tuple, int]:
    """The 1-based line of every key path in a valid TOML text (tables, keys, keys of inline tables)."""
    lines: dict[tuple, int] = {}
    table: tuple[str, ...] = ()
    depth = 0  # inside a multi-line array: its lines hold values, not keys
    for number, line in enumerate(text.splitlines(), start=1):
        bare = _STRING.sub('""', line).split("#", 1)[0]  # brackets inside strings and comments do not count
        if depth:
            depth = max(depth + bare.count("[") - bare.count("]"), 0)
            continue
        header = re.match(rf"\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$", line)
        if header:
            table = _parts(header.group(1))
            for end in range(1, len(table) + 1):  # [township."城北镇"] also places a mistyped "township"
                lines.setdefault(table[:end], number)
            continue
        match = re.match(rf"\s*({_DOTTED})\s*=", line)
        if not match:
            continue
        path = table + _parts(match.group(1))
        for end in range(len(table) + 1, len(path) + 1):
            lines.setdefault(path[:end], number)
        value = line[match.end():]
        for inline in re.finditer(rf"[{{,]\s*({_DOTTED})\s*=", value):
            lines.setdefault(path + _parts(inline.group(1)), number)
        rest = _STRING.sub('""', value).split("#", 1)[0]
        depth = max(rest.count("[") - rest.count("]"), 0)
    return lines
