"""Rule files: YAML, validated by pydantic, every expression parsed and type-checked on load.

A mistake in a rule file stops the load with ``file:line``, the key path and what would be
valid, e.g. ``rules.yaml:41 rules[3].when: unknown function 'avg'; functions: age, any, ...``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
import types
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from rulecheck.lang import expr
from rulecheck.lang.expr import BOOL, DATE, NUMBER, TEXT, Kind, Scope, Type
from rulecheck.rulefile.keys import key_path, line_of
from rulecheck.table import types as column_types

BUNDLED_DIR = Path(__file__).parent.parent / "rules"
SOURCE_DIR = Path(__file__).parent.parent.parent / "rules"
DEFAULT_RULESET = "rugao-2007.yaml"


class RuleFileError(Exception):
    """A rule file that cannot be used; says where and why.

    ``str()`` is the English text; ``text(lang)`` the one to show (file:line key: message).
    """

    def __init__(self, path: str, line: int | None, key: str, message: str, zh: str | None = None):
        self.path, self.line, self.key, self.message, self.zh = path, line, key, message, zh
        super().__init__(self._where(message, ": "))

    def _where(self, message: str, colon: str) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where} {self.key}{colon}{message}" if self.key else f"{where}{colon}{message}"

    def text(self, lang: str) -> str:
        """The error in ``lang``: names, keys and the lists of valid ones stay as the rule file writes them."""
        if lang != "zh":
            return str(self)
        from rulecheck.render.i18n import rule_file_message

        return self._where(self.zh or rule_file_message(self.message), ":")


# --------------------------------------------------------------------------- the schema


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """User-facing text in both languages."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


ValueSource = Literal["sheet_name", "title", "unit", "file_name"]
Param = bool | int | float | dt.date | str
_PARAM_TYPES = {"bool", "int", "float", "date", "str"}


class ColumnSpec(Strict):
    title: Text
    aliases: list[str] = Field(min_length=1)
    # One of the column types (rulecheck/table/types): how cells are read, typed and shown.
    type: str = Field("text", json_schema_extra=lambda schema: schema.update(enum=list(column_types.TYPES)))
    categories: dict[str, list[str]] | None = None
    required: bool = False
    fill_down: bool = False
    # Where a column's value may come from when a sheet has no such column, tried in this order:
    # the sheet's name (its whole name), the title above the header, the 填报单位 line, the file's
    # name (these three searched with ``name_pattern``). ``from_sheet_name: true`` is ``from: [sheet_name]``.
    value_from: list[ValueSource] = Field(default=[], alias="from")
    name_pattern: str | None = None  # a regular expression; its group 'name', if any, is the value
    from_sheet_name: bool = False
    confirm_with: str | None = None
    # A yes/no column's own words, read besides the usual 是/否, √/×, Y/N, 有/无.
    yes_words: list[str] = []
    no_words: list[str] = []
    # A category column's bracket pairs ("()", "【】"): a bracketed part is a note, read word by word beside the rest.
    notes: list[str] = []
    # A number column's bounds (inclusive) and whether it takes whole numbers only; outside them a cell is unreadable.
    between: tuple[float, float] | None = None
    whole: bool = False

    @property
    def sources(self) -> tuple[ValueSource, ...]:
        """The places this column's value may be taken from when the sheet has no such column."""
        if self.from_sheet_name and "sheet_name" not in self.value_from:
            return ("sheet_name", *self.value_from)
        return tuple(self.value_from)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        if not (isinstance(value, str) and value in column_types.TYPES):
            names = [f"'{name}'" for name in column_types.TYPES]
            raise PydanticCustomError("literal_error", "Input should be {expected}",
                                      {"expected": ", ".join(names[:-1]) + " or " + names[-1]})
        return value

    @field_validator("name_pattern")
    @classmethod
    def _pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _options(self) -> ColumnSpec:
        searched = [s for s in self.value_from if s != "sheet_name"]
        if searched and self.name_pattern is None:
            raise ValueError(f"'name_pattern' is required to take a value from {', '.join(searched)}")
        if len(set(self.value_from)) != len(self.value_from):
            raise ValueError("'from' names a place twice")
        error = column_types.option_error(self, _OPTION_DEFAULTS)
        if error:
            raise ValueError(error)
        return self


_OPTION_DEFAULTS = {name: field.default for name, field in ColumnSpec.model_fields.items()}


# Checks that are not one expression, named by a rule with ``check:``; their findings' words are the rule's.
#   unreadable-values: every filled cell of a typed column that a rule reads but that cannot be read
#   duplicate-persons: rows that are one person, by any of the key lists in ``by`` (across all files)
CHECKS = ("unreadable-values", "duplicate-persons")


# A rule's examples (``rulecheck test-rules``): rows written in the columns' own titles, as a user types
# them (``出生年月: 1970.05``), that the rule must pass or must fail. A cell is text, a number, a date,
# true/false or blank (~), and is written into a workbook as that kind of cell.
ExampleCell = Union[bool, int, float, dt.date, str, None]
ExampleRow = dict[str, ExampleCell]


class ExampleGroup(Strict):
    """Rows checked together, as one slate: a village's committee, a township's secretaries."""

    rows: list[ExampleRow] = Field(min_length=1)


def _example_kind(value: Any) -> str:
    """A mapping whose ``rows`` is a list is a group (as the schema's oneOf tells them apart); any other is a row."""
    return EXAMPLE_TAGS[1] if isinstance(value, dict) and isinstance(value.get("rows"), list) else EXAMPLE_TAGS[0]


# Tags of the two shapes of an example (in pydantic's error locations, left out of the key path shown).
EXAMPLE_TAGS = ("example-row", "example-rows")
Example = Annotated[
    Union[Annotated[ExampleRow, Tag(EXAMPLE_TAGS[0])], Annotated[ExampleGroup, Tag(EXAMPLE_TAGS[1])]],
    Discriminator(_example_kind),
]


class Examples(Strict):
    """Rows (or groups of rows) the rule must pass and rows it must fail, on ``as_of`` (default: the rule file's)."""

    as_of: dt.date | None = None
    passing: list[Example] = Field(default=[], alias="pass")
    failing: list[Example] = Field(default=[], alias="fail")

    @field_validator("as_of", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        # pydantic would read "0" or 1190000000 as a Unix time; a rule file writes YYYY-MM-DD, as the schema says
        if isinstance(value, dt.date) or value is None:
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value
        raise ValueError("Input should be a valid date in the form YYYY-MM-DD")

    def items(self) -> list[tuple[tuple, list[ExampleRow]]]:
        """Every example as (its key path under ``examples``, its rows); the path of a group's row adds ``rows, j``."""
        return [((kind, i), example.rows if isinstance(example, ExampleGroup) else [example])
                for kind, examples in (("pass", self.passing), ("fail", self.failing))
                for i, example in enumerate(examples)]

    def row_path(self, example: tuple, j: int) -> tuple:
        """The key path of row ``j`` of an example, under ``examples``."""
        kind, i = example
        grouped = isinstance((self.passing if kind == "pass" else self.failing)[i], ExampleGroup)
        return (*example, "rows", j) if grouped else example


class RuleSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    severity: Literal["error", "warning", "notice"]
    scope: str
    title: Text
    quote: str | None = None  # the source's words, verbatim; absent for data-integrity rules
    reading: Text | None = None
    params: dict[str, Param] = {}
    let: dict[str, str] = {}
    when: str | None = None
    check: Literal[CHECKS] | None = None  # type: ignore[valid-type]
    by: list[list[str]] | None = None  # duplicate-persons: the key lists that tell one person
    exempt_when: str | None = None
    evidence: str | None = None
    observed: str | None = None
    column: str | None = None
    message: Text
    labels: dict[str, Text] = {}
    # Optional rules need columns many slates do not carry: not checking one does not stop a clean verdict.
    optional: bool = False
    # An approved exception (rulecheck-waivers.yaml) may cover its findings: the speech's 原则上 rules.
    waivable: bool = False
    examples: Examples | None = None

    @model_validator(mode="after")
    def _evidence(self) -> RuleSpec:
        if bool(self.exempt_when) != bool(self.evidence):
            raise ValueError("'exempt_when' and 'evidence' go together")
        if (self.when is None) == (self.check is None):
            raise ValueError("a rule has either 'when' (an expression) or 'check' (one of: " + ", ".join(CHECKS) + ")")
        if (self.check == "duplicate-persons") != (self.by is not None):
            raise ValueError("'by' is required for check duplicate-persons, and only for it")
        if self.check and (self.let or self.exempt_when or self.observed or self.scope != "person"):
            raise ValueError("a rule with 'check' is a person rule without 'let', 'exempt_when' or 'observed'")
        return self


class Header(Strict):
    id: str
    title: Text
    source: str
    as_of: dt.date
    row_label: str = "name"  # the column that names a row; a row with it blank is not a data row


class SummarySpec(Strict):
    """One per-township statistic for the report's summary sheet, computed like a township rule's ``let``."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    value: str  # an aggregate expression, evaluated per township
    format: str | None = Field(None, pattern=r"^\.[0-9][f%]$")  # .1f = one decimal, .1% = percent with one decimal
    rule: str | None = None  # a rule id: its violations in a township colour that township's cell
    reference: str | None = None  # a numeric parameter: the chart draws this statistic against it


class RulesetSpec(Strict):
    ruleset: Header
    params: dict[str, Param] = {}
    columns: dict[str, ColumnSpec]
    groups: dict[str, list[str]] = {}
    derive: dict[str, str] = {}
    rules: list[RuleSpec] = Field(min_length=1)
    summary: list[SummarySpec] = []

    @field_validator("groups")
    @classmethod
    def _no_person_group(cls, groups: dict[str, list[str]]) -> dict[str, list[str]]:
        if "person" in groups:
            raise ValueError("'person' is the built-in per-row scope and cannot be redefined")
        return groups


# --------------------------------------------------------------------------- compiled form


@dataclass(frozen=True)
class Rule:
    """A rule ready to evaluate: its spec, parsed expressions and the columns it needs."""

    spec: RuleSpec
    lets: tuple[tuple[str, expr.Node], ...]
    when: expr.Node | None  # None for a rule with a ``check``
    exempt_when: expr.Node | None
    evidence: expr.Node | None
    observed: expr.Node | None
    needs: frozenset[frozenset[str]]  # alternatives: the rule can run where all columns of one are present
    kinds: dict[str, Kind]

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class SummaryItem:
    """A summary statistic ready to evaluate per township."""

    spec: SummarySpec
    value: expr.Node
    needs: frozenset[frozenset[str]]

    @property
    def key(self) -> str:
        return self.spec.key


# The summary is per township: the scope a rule file must define to have one.
SUMMARY_SCOPE = "township"


@dataclass(frozen=True)
class Ruleset:
    spec: RulesetSpec
    path: str
    derive: tuple[tuple[str, expr.Node], ...]
    rules: tuple[Rule, ...]
    summary: tuple[SummaryItem, ...] = ()
    # scope → the columns that key its groups; a key written with a trailing '?' (county?) may be absent
    # from a file, and is read as blank there.
    groups: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    optional_keys: frozenset[str] = frozenset()

    @property
    def columns(self) -> dict[str, ColumnSpec]:
        return self.spec.columns

    @property
    def township_column(self) -> str | None:
        """The column that names a township: the last key of the summary scope."""
        keys = self.groups.get(SUMMARY_SCOPE)
        return keys[-1] if keys else None

    @functools.cached_property
    def places(self) -> Places:
        """The columns a finding is placed by, as the rule file's groups define them.

        The township is the last key of the summary scope and the county the key before it (``county?``);
        the village is the key the narrowest group over the township's adds, else (rows that are villages)
        the row label; a row's name is the row label where it is not one of those.
        """
        keys = self.groups.get(SUMMARY_SCOPE, ())
        township = keys[-1] if keys else None
        county = keys[-2] if len(keys) > 1 else None
        finer = sorted((k for k in self.groups.values() if len(k) > len(keys) and k[:len(keys)] == keys), key=len)
        label = self.spec.ruleset.row_label
        village = finer[0][len(keys)] if finer else label
        return Places(county, township, village, label if label not in (township, village) else None)

    @functools.cached_property
    def scope_order(self) -> dict[str, int]:
        """Scopes from the finest (person) to the coarsest: groups with more keys first."""
        return {"person": 0, **{scope: n for n, scope in enumerate(sorted(self.groups, key=lambda s: -len(self.groups[s])), 1)}}

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@dataclass(frozen=True)
class Places:
    """The columns that say where a finding is: county, township, village, and the row's own name (None: none)."""

    county: str | None = None
    township: str | None = None
    village: str | None = None
    name: str | None = None


def column_type(spec: ColumnSpec) -> Type:
    """A column's values' type in expressions."""
    return column_types.expression_type(spec)


def _param_kind(value: Param) -> Kind:
    if isinstance(value, bool):
        return Kind(BOOL, "scalar")
    if isinstance(value, (int, float)):
        return Kind(NUMBER, "scalar")
    if isinstance(value, dt.date):
        return Kind(DATE, "scalar")
    return Kind(TEXT, "scalar")


# --------------------------------------------------------------------------- YAML with lines


class _Shape(Exception):
    """A composed YAML tree that is not plain nested data: a message and the 1-based line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def _lines(node: yaml.Node, path: tuple = (), seen: set[int] | None = None, line: int = 0) -> dict[tuple, int]:
    """Map each key path in a composed YAML tree to its 1-based line.

    An alias (``*name``) would make one node appear twice: refused, since a few nested aliases
    expand exponentially (a "billion laughs" in YAML) and a rule file never needs them.
    """
    seen = set() if seen is None else seen
    if id(node) in seen:
        raise _Shape(line or node.start_mark.line + 1, "anchors and aliases (&name, *name) are not allowed in a rule file")
    seen.add(id(node))
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Shape(key.start_mark.line + 1, "a key must be a plain word, not a list or a mapping")
            sub = path + (key.value,)
            out.update(_lines(value, sub, seen, key.start_mark.line + 1))
            out[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            out.update(_lines(value, path + (i,), seen, line))
    return out


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~10x faster
    """Safe YAML, but dates stay dates and nothing is constructed beyond plain data."""


def _timestamp(loader: Any, node: yaml.Node) -> Any:
    """A YAML date; one that looks like a date but is none (2007-13-01) is the rule file's error at its line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise _Shape(node.start_mark.line + 1, f"'{node.value}' is not a date (YYYY-MM-DD)") from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file with the line of every key path; raises RuleFileError."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        from rulecheck.render.i18n import os_reason

        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else os_reason(exc, "en")
        raise RuleFileError(name, None, "", f"cannot read the rule file: {reason}") from None
    try:
        loader = _Loader(text)
        try:  # parsed once: the node tree gives the lines (and is vetted) before the data is built from it
            node = loader.get_single_node()
            if node is None:
                raise RuleFileError(name, None, "", "the rule file is empty")
            lines = _lines(node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own bound on nesting
            raise RuleFileError(name, None, "", "the rule file is nested too deeply to be a rule file") from None
        raise RuleFileError(name, mark.line + 1 if mark else None, "", f"YAML syntax error: {problem}") from None
    except _Shape as exc:
        raise RuleFileError(name, exc.line, "", exc.message) from None
    except RecursionError:
        raise RuleFileError(name, None, "", "the rule file is nested too deeply to be a rule file") from None
    return data, lines


# --------------------------------------------------------------------------- loading


def default_path() -> Path:
    """The bundled ruleset (the 2007 speech), installed or in a source checkout."""
    for folder in (BUNDLED_DIR, SOURCE_DIR):
        if (folder / DEFAULT_RULESET).is_file():
            return folder / DEFAULT_RULESET
    raise RuleFileError(DEFAULT_RULESET, None, "", "the bundled rule file is missing from the installation")


def load(path: Path | str | None = None) -> Ruleset:
    """Load, validate and compile a rule file; raises RuleFileError naming file, line and key."""
    path = Path(path) if path else default_path()
    data, lines = read_yaml(path)
    name = str(path)

    def fail(loc: tuple, message: str, zh: str | None = None) -> RuleFileError:
        return RuleFileError(name, line_of(lines, loc), key_path(loc), message, zh)

    try:
        spec = RulesetSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in EXAMPLE_TAGS)))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            keys = [field.alias or key for key, field in model.model_fields.items()] if model else []
            message = f"unknown key '{loc[-1]}'" + (f"; keys: {', '.join(keys)}" if model else "")
        elif loc and loc[-1] in _PARAM_TYPES:  # a failed union: say what any member would accept
            loc, message = loc[:-1], "expected a number, a date (YYYY-MM-DD), true/false or text"
        raise fail(loc, message) from None
    return _compile(spec, name, fail)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The schema model that validates the mapping at a key path, to list its keys."""
    kind: Any = RulesetSpec
    for part in (*loc, None):
        args = [a for a in get_args(kind) if a is not type(None)]
        if get_origin(kind) in (Union, types.UnionType) and len(args) == 1:
            kind = args[0]
        if part is None:
            break
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) in (list, tuple) and get_args(kind):
            kind = get_args(kind)[0]
        elif get_origin(kind) is dict:
            kind = get_args(kind)[1]
        else:
            return None
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _constant(node: expr.Node, constants: dict[str, Any]) -> float | None:
    """The value of an arithmetic expression of numbers and numeric parameters; None if it has a column."""
    if isinstance(node, expr.Literal) and node.type == NUMBER:
        return float(node.value)
    if isinstance(node, expr.Name) and isinstance(constants.get(node.id), (int, float)) and not isinstance(constants[node.id], bool):
        return float(constants[node.id])
    if isinstance(node, expr.Unary) and node.op == "-":
        value = _constant(node.operand, constants)
        return None if value is None else -value
    if isinstance(node, expr.Binary) and node.op in ("+", "-", "*", "/"):
        left, right = _constant(node.left, constants), _constant(node.right, constants)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right if right else 0.0}[node.op]
    return None


def _zero_divisor(node: expr.Node, constants: dict[str, Any]) -> expr.Node | None:
    """A division anywhere in the tree whose divisor is always 0."""
    if isinstance(node, expr.Binary) and node.op == "/" and _constant(node.right, constants) == 0:
        return node.right
    return next((hit for child in expr.children(node) if (hit := _zero_divisor(child, constants)) is not None), None)


def _compile(spec: RulesetSpec, name: str, fail: Any) -> Ruleset:
    columns = spec.columns
    if spec.ruleset.row_label not in columns:
        raise fail(("ruleset", "row_label"), f"unknown column '{spec.ruleset.row_label}'; columns: {', '.join(columns)}")
    for key, column in columns.items():
        own = column_types.of(column).check_columns
        if own is not None and (error := own(column, columns)) is not None:
            raise fail(("columns", key, error[0]), error[1])
    groups: dict[str, tuple[str, ...]] = {}
    optional_keys: set[str] = set()
    for scope, keys in spec.groups.items():
        for i, written in enumerate(keys):
            key = written.removesuffix("?")
            if key not in columns:
                raise fail(("groups", scope, i), f"unknown column '{key}'; columns: {', '.join(columns)}")
            if written.endswith("?"):
                optional_keys.add(key)
        groups[scope] = tuple(k.removesuffix("?") for k in keys)

    names: dict[str, Kind] = {key: Kind(column_type(c), "row") for key, c in columns.items()}
    names["as_of"] = Kind(DATE, "scalar")
    for key, value in spec.params.items():
        names[key] = _param_kind(value)
    needs_of: dict[str, Needs] = {key: frozenset({frozenset({key})}) for key in columns}

    def compile_expr(text: str, loc: tuple, scope: Scope, constants: dict[str, Any] | None = None) -> expr.Node:
        try:
            node = expr.parse(text)
            expr.check(node, scope)
            zero = _zero_divisor(node, spec.params if constants is None else constants)
            if zero is not None:
                raise expr.ExprError("division by zero: the divisor is always 0", zero.pos)
        except expr.ExprError as exc:
            raise fail(loc, f"{exc.message} (at '{text[exc.pos:exc.pos + 20]}' in: {text})") from None
        return node

    derive = []
    for key, text in spec.derive.items():
        if key in names:
            raise fail(("derive", key), f"'{key}' is already a column or parameter")
        node = compile_expr(text, ("derive", key), Scope(dict(names), frozenset(columns)))
        names[key] = expr.check(node, Scope(dict(names), frozenset(columns)))
        needs_of[key] = needs(node, needs_of)
        derive.append((key, node))

    rules, seen = [], {}
    for i, rule in enumerate(spec.rules):
        if rule.id in seen:
            raise fail(("rules", i, "id"), f"rule id '{rule.id}' is used twice (also rules[{seen[rule.id]}])")
        seen[rule.id] = i
        rules.append(_compile_rule(spec, rule, i, names, needs_of, columns, compile_expr, fail, groups, optional_keys))
        _check_examples(rule, ("rules", i, "examples"), columns, fail)
    summary = _compile_summary(spec, names, needs_of, compile_expr, fail)
    return Ruleset(spec, name, tuple(derive), tuple(rules), summary, groups, frozenset(optional_keys))


def _compile_summary(spec: RulesetSpec, names: dict[str, Kind], needs_of: dict, compile_expr: Any, fail: Any) -> tuple[SummaryItem, ...]:
    if spec.summary and SUMMARY_SCOPE not in spec.groups:
        raise fail(("summary",), f"the summary is per township: 'groups' needs a '{SUMMARY_SCOPE}' entry")
    rule_ids = [r.id for r in spec.rules]
    numeric = [k for k, v in spec.params.items() if _param_kind(v).type == NUMBER]
    scope = Scope(dict(names), frozenset(spec.columns), grouped=True)
    items, seen = [], set()
    for i, item in enumerate(spec.summary):
        loc = ("summary", i)
        if item.key in seen:
            raise fail(loc + ("key",), f"summary key '{item.key}' is used twice")
        seen.add(item.key)
        node = compile_expr(item.value, loc + ("value",), scope)
        kind = expr.check(node, scope)
        if kind.type != NUMBER:
            raise fail(loc + ("value",), f"must be a number, but is {kind.type}")
        if kind.level == "row":
            raise fail(loc + ("value",), "use per-row values inside an aggregate such as count(), mean() or distinct()")
        if item.rule is not None and item.rule not in rule_ids:
            raise fail(loc + ("rule",),  # the rules by title, each with the id to write
                       f"unknown rule '{item.rule}'; rules: {'; '.join(f'{r.title.en} ({r.id})' for r in spec.rules)}",
                       f"没有规则「{item.rule}」;规则有:{'、'.join(f'{r.title.zh}({r.id})' for r in spec.rules)}")
        if item.reference is not None and item.reference not in numeric:
            raise fail(loc + ("reference",), f"unknown numeric parameter '{item.reference}'; parameters: {', '.join(numeric)}")
        items.append(SummaryItem(item, node, needs(node, needs_of)))
    return tuple(items)


def _compile_rule(spec, rule, i, names, needs_of, columns, compile_expr, fail, groups, optional_keys) -> Rule:
    loc = ("rules", i)
    if rule.scope != "person" and rule.scope not in spec.groups:
        valid = ", ".join(["person", *spec.groups])
        raise fail(loc + ("scope",), f"unknown scope '{rule.scope}'; scopes: {valid}")
    if rule.column and rule.column not in columns:
        raise fail(loc + ("column",), f"unknown column '{rule.column}'; columns: {', '.join(columns)}")
    if rule.check is not None:
        return _compile_check(spec, rule, loc, names, fail)
    grouped = rule.scope != "person"
    if grouped and rule.exempt_when:
        raise fail(loc + ("exempt_when",), "exemptions apply to person rules only")
    local = dict(names)
    for key, value in rule.params.items():
        local[key] = _param_kind(value)
    shadowed = set(spec.derive) | set(rule.let)
    constants = {k: v for k, v in {**spec.params, **rule.params}.items() if k not in shadowed}
    lets = []
    for key, text in rule.let.items():
        scope = Scope(dict(local), frozenset(columns), grouped)
        node = compile_expr(text, loc + ("let", key), scope, constants)
        local[key] = expr.check(node, scope)
        lets.append((key, node))
    scope = Scope(dict(local), frozenset(columns), grouped)

    def one(field: str, want: str | None) -> expr.Node | None:
        text = getattr(rule, field)
        if text is None:
            return None
        node = compile_expr(str(text), loc + (field,), scope, constants)
        kind = expr.check(node, scope)
        if want and kind.type.name != want:
            raise fail(loc + (field,), f"must be true/false, but is {kind.type}")
        if grouped and kind.level == "row":
            raise fail(loc + (field,), f"in a {rule.scope} rule use per-row values inside an aggregate such as mean() or any()")
        return node

    when, exempt, evidence, observed = one("when", "bool"), one("exempt_when", "bool"), one("evidence", None), one("observed", None)
    # Exemption columns are optional: where a file lacks them, no exemption can be claimed.
    nodes = [n for n in (when, observed) if n is not None] + [n for _, n in lets]
    wanted = _all_of([needs(n, needs_of) for n in nodes])
    if grouped:  # a key that may be absent is blank where it is
        wanted = _all_of([wanted, frozenset({frozenset(groups[rule.scope]) - optional_keys})])
    kinds = {key: kind for key, kind in local.items() if kind.level != "row"}
    if observed is not None:
        kinds["observed"] = expr.check(observed, scope)
    _check_templates(rule, loc, scope, kinds, spec, fail)
    return Rule(rule, tuple(lets), when, exempt, evidence, observed, wanted, kinds)


def example_column(columns: dict[str, ColumnSpec], written: str) -> str | None:
    """The column an example's cell is under: the one with ``written`` among its aliases (spaces and
    full-width characters folded, as headers are read), else None."""
    return _aliases(tuple((key, tuple(spec.aliases)) for key, spec in columns.items())).get(_fold(written))


@functools.lru_cache(maxsize=8)  # one table per rule file's columns, not one fold per alias per example cell
def _aliases(columns: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, aliases in columns:
        for alias in aliases:
            table.setdefault(_fold(alias), key)  # the first column to list an alias, as the search in order found
    return table


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _check_examples(rule: RuleSpec, loc: tuple, columns: dict[str, ColumnSpec], fail: Any) -> None:
    """Every cell of an example names a column by one of its aliases, and no row names a column twice."""
    if rule.examples is None:
        return
    if not rule.examples.passing and not rule.examples.failing:
        raise fail(loc, "examples need at least one row under 'pass' or 'fail'", "示例至少要在 'pass' 或 'fail' 下写一行")
    for example, rows in rule.examples.items():
        for j, row in enumerate(rows):
            at = loc + rule.examples.row_path(example, j)
            seen: dict[str, str] = {}
            for written in row:
                key = example_column(columns, written)
                if key is None:
                    raise fail(at + (written,), f"unknown column '{written}'; columns: {', '.join(c.aliases[0] for c in columns.values())}")
                if key in seen:
                    raise fail(at + (written,), f"'{seen[key]}' and '{written}' are the same column ({key})",
                               f"「{seen[key]}」和「{written}」是同一列({key})")
                seen[key] = written


Needs = frozenset[frozenset[str]]
_NOTHING: Needs = frozenset({frozenset()})

# The placeholders a check's message may use, besides township, village and name.
_CHECK_PLACEHOLDERS = {
    "unreadable-values": ("column", "observed", "accepted"),
    "duplicate-persons": ("others", "by"),
}


def _compile_check(spec: RulesetSpec, rule: RuleSpec, loc: tuple, names: dict[str, Kind], fail: Any) -> Rule:
    """A rule whose findings come from a named check rather than an expression: it runs on every file."""
    if rule.check == "duplicate-persons":
        for i, keys in enumerate(rule.by or []):
            for j, key in enumerate(keys):
                if key not in names or names[key].level != "row":
                    valid = ", ".join(k for k, v in names.items() if v.level == "row")
                    raise fail(loc + ("by", i, j), f"unknown column or derived field '{key}'; names: {valid}")
            if not keys:
                raise fail(loc + ("by", i), "a key list names at least one column")
    allowed = {"township", "village", "name", *_CHECK_PLACEHOLDERS[rule.check]}
    for lang in ("zh", "en"):
        for _, field, fmt, conv in string.Formatter().parse(getattr(rule.message, lang)):
            if field is not None and (field not in allowed or conv or fmt):
                raise fail(loc + ("message", lang), f"unknown placeholder '{{{field}}}'; placeholders: {', '.join(sorted(allowed))}")
    return Rule(rule, (), None, None, None, None, _NOTHING, {})


def _all_of(parts: list[Needs]) -> Needs:
    """Needs of an expression that uses every part: one alternative from each, combined."""
    out = _NOTHING
    for part in parts:
        out = frozenset(a | b for a in out for b in part)
    return frozenset(a for a in out if not any(b < a for b in out))


def needs(node: expr.Node, needs_of: dict[str, Needs]) -> Needs:
    """The columns an expression reads, as alternatives: coalesce(a, b) runs with a's or b's."""
    if isinstance(node, expr.Name):
        return needs_of.get(node.id, _NOTHING)
    if isinstance(node, expr.Call) and node.func == "coalesce":
        either = frozenset().union(*(needs(arg, needs_of) for arg in node.args))
        return frozenset(a for a in either if not any(b < a for b in either))
    return _all_of([needs(child, needs_of) for child in expr.children(node)])


def _check_templates(rule: RuleSpec, loc: tuple, scope: Scope, kinds: dict, spec: RulesetSpec, fail) -> None:
    """Every {placeholder} in a message must be a known name with a format that fits its type."""
    allowed = dict(kinds)
    allowed.update({k: Kind(TEXT) for k in ("township", "village", "name", "observed", "evidence") if k not in allowed})
    if rule.scope == "person":
        allowed.update({k: v for k, v in scope.names.items() if v.level == "row"})
    for lang in ("zh", "en"):
        text = getattr(rule.message, lang)
        try:
            fields = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise fail(loc + ("message", lang), f"bad placeholder: {exc}") from None
        for _, field, fmt, conv in fields:
            if field is None:
                continue
            if field not in allowed or conv:
                raise fail(loc + ("message", lang), f"unknown placeholder '{{{field}}}'; placeholders: {', '.join(sorted(allowed))}")
            sample = column_types.sample(allowed[field].type.name)
            try:
                format(sample, fmt or "")
            except (ValueError, TypeError):
                raise fail(loc + ("message", lang), f"format '{fmt}' does not fit {field} ({allowed[field].type})") from None
