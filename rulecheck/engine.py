"""Evaluate a ruleset over every candidate row of every file at once.

Rows of all files are stacked into one table, each column parsed once by its declared type,
and each rule evaluated column-wise: a boolean mask per row (person rules) or per group
(village and township rules, grouped before any filter so an empty group is still seen).
Only the failing rows and groups are turned into Violation values.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rulecheck import expr, idnumber, values
from rulecheck.messages import t
from rulecheck.model import Exemption, Violation
from rulecheck.reader import Sheet
from rulecheck.ruleset import SUMMARY_SCOPE, ColumnSpec, Rule, Ruleset

LOCATION = ("_file", "_sheet", "_row", "_sheet_id")


@dataclass(frozen=True)
class Outcome:
    violations: tuple[Violation, ...]
    exempted: tuple[Exemption, ...]
    not_checked: dict[str, tuple[str, ...]]  # file → ids of rules its columns could not support
    # (township as written in its first row, its summary statistics in the rule file's order), per township
    townships: tuple[tuple[str | None, tuple[float | None, ...]], ...] = ()


@dataclass(frozen=True)
class Table:
    """All candidate rows: raw cells, parsed values, and which sheet has which column."""

    raw: pd.DataFrame
    parsed: dict[str, pd.Series]
    unreadable: dict[str, pd.Series]
    text: dict[str, pd.Series]
    has: pd.DataFrame  # sheet id × column → bool
    sheets: tuple[Sheet, ...]
    label: str  # the column that names a row (the rule file's row_label)


def stack(ruleset: Ruleset, sheets: list[Sheet]) -> Table:
    """Stack the sheets' rows and parse every column by its declared type."""
    columns = list(ruleset.columns)
    frames = [
        s.frame.assign(_file=s.file, _sheet=s.name, _sheet_id=i)
        for i, s in enumerate(sheets)
    ]
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns, *LOCATION])
    for key in columns:
        if key not in raw:
            raw[key] = None
    raw = raw.astype({key: object for key in columns})
    has = pd.DataFrame(
        [[key in s.headers or key in s.frame for key in columns] for s in sheets],
        columns=columns, dtype=bool,
    )
    parsed, unreadable = parse_columns(ruleset.columns, raw)
    text = {key: values.cell_text(raw[key]) for key in columns}
    return Table(raw, parsed, unreadable, text, has, tuple(sheets), ruleset.spec.ruleset.row_label)


def parse_columns(specs: dict[str, ColumnSpec], raw: pd.DataFrame) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """Each column parsed by its type; birth dates are read with their identity numbers' help."""
    parsed: dict[str, pd.Series] = {}
    unreadable: dict[str, pd.Series] = {}
    order = sorted(specs, key=lambda k: specs[k].type == "birth-date")  # id numbers first
    for key in order:
        spec, cells = specs[key], raw[key]
        if spec.type == "id-number":
            result = values.Parsed(idnumber.normalise(cells), pd.Series(False, index=cells.index))
        elif spec.type == "birth-date":
            confirm = idnumber.birth(parsed[spec.confirm_with]) if spec.confirm_with else None
            result = values.parse_birth(cells, confirm)
        elif spec.type == "category":
            result = values.parse_category(cells, spec.categories or {})
        else:
            result = _PARSERS[spec.type](cells)
        parsed[key], unreadable[key] = result.values, result.unreadable.astype(bool)
    return parsed, unreadable


_PARSERS = {
    "text": values.parse_text, "number": values.parse_number, "date": values.parse_date,
    "boolean": values.parse_boolean, "years": values.parse_years,
}


def run(ruleset: Ruleset, sheets: list[Sheet], as_of: dt.date, lang: str) -> Outcome:
    """Every rule over every row: the violations, the accepted exemptions, and what was not checked."""
    table = stack(ruleset, sheets)
    base = _base_context(ruleset, table, as_of)
    found: list[Violation] = []
    exempted: list[Exemption] = []
    not_checked: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        sheet_ok = _sheet_ok(table, rule.needs)
        for i in np.flatnonzero(~sheet_ok.to_numpy()):
            not_checked.setdefault(table.sheets[i].file, set()).add(rule.id)
        if table.raw.empty or not sheet_ok.any():
            continue
        eligible = table.raw["_sheet_id"].map(sheet_ok).astype(bool)
        ctx = _rule_context(base, rule)
        keys = ruleset.spec.groups.get(rule.spec.scope)
        if keys:
            ctx.codes, ctx.groups = _group_codes(table, keys)
        for key, node in rule.lets:
            ctx.values[key] = expr.evaluate(node, ctx)
        if keys:
            v, e = _group(rule, keys, ctx, table, eligible, lang)
        else:
            v, e = _person(rule, ctx, table, eligible, lang)
        found += v
        exempted += e
    townships = summarise(ruleset, table, base) if SUMMARY_SCOPE in ruleset.spec.groups and not table.raw.empty else ()
    return Outcome(tuple(found), tuple(exempted), {f: tuple(sorted(r)) for f, r in not_checked.items()}, townships)


def _sheet_ok(table: Table, needs: frozenset[frozenset[str]]) -> pd.Series:
    """Per sheet: does it have all the columns of one of the alternatives?"""
    ok = pd.Series(False, index=table.has.index)
    for alternative in needs:
        ok |= table.has[sorted(alternative)].all(axis=1)
    return ok


def _group_codes(table: Table, keys: list[str]) -> tuple[pd.Series, int]:
    """Each row's group number (groups sorted by their folded key texts, blank last) and the group count."""
    folded = pd.DataFrame({k: values.fold(table.text[k]) for k in keys})
    codes = folded.groupby(keys, dropna=False, sort=True).ngroup()
    return codes, int(codes.max()) + 1


def summarise(ruleset: Ruleset, table: Table, base: expr.Context) -> tuple[tuple[str | None, tuple[float | None, ...]], ...]:
    """The rule file's summary statistics per township; a statistic is blank where a sheet lacks its columns."""
    keys = ruleset.spec.groups[SUMMARY_SCOPE]
    ctx = expr.Context(base.index, base.as_of, dict(base.values), base.lazy, base.raw, base.unreadable)
    ctx.codes, ctx.groups = _group_codes(table, keys)
    first_row = pd.Series(table.raw.index, index=table.raw.index).groupby(ctx.codes).min()
    labels = [_clean(table.text[keys[0]].iloc[int(i)]) for i in first_row]
    columns = []
    for item in ruleset.summary:
        eligible = table.raw["_sheet_id"].map(_sheet_ok(table, item.needs)).astype(bool)
        group_ok = eligible.groupby(ctx.codes).all().reindex(range(ctx.groups), fill_value=False)
        value = expr.evaluate(item.value, ctx)
        if not isinstance(value, pd.Series):  # a statistic without an aggregate is the same everywhere
            value = pd.Series(value, index=range(ctx.groups), dtype="float64")
        # rounded so that float noise (0.15000000000000002) never reaches the JSON
        columns.append(value.astype("float64").where(group_ok.to_numpy()).round(6))
    grid = np.column_stack([c.to_numpy() for c in columns]) if columns else np.empty((ctx.groups, 0))
    return tuple(
        (label, tuple(None if np.isnan(x) else float(x) for x in row)) for label, row in zip(labels, grid)
    )


def _scalars(params: dict[str, Any]) -> dict[str, Any]:
    return {k: pd.Timestamp(v) if isinstance(v, dt.date) else v for k, v in params.items()}


def _base_context(ruleset: Ruleset, table: Table, as_of: dt.date) -> expr.Context:
    ctx = expr.Context(
        index=table.raw.index, as_of=as_of,
        values={**_scalars(ruleset.spec.params), **table.parsed, "as_of": pd.Timestamp(as_of)},
        raw=table.text, unreadable=table.unreadable,
    )
    for key, node in ruleset.derive:
        # Derived fields are computed once, on first use, and shared by every rule.
        ctx.lazy[key] = functools.cache(functools.partial(expr.evaluate, node, ctx))
    return ctx


def _rule_context(base: expr.Context, rule: Rule) -> expr.Context:
    """A rule's own context: the shared values and derived fields, plus the rule's parameters and lets."""
    values_ = {**base.values, **_scalars(rule.spec.params)}
    return expr.Context(base.index, base.as_of, values_, base.lazy, base.raw, base.unreadable)


def _mask(value: Any, index: pd.Index) -> pd.Series:
    if not isinstance(value, pd.Series):
        return pd.Series(bool(value), index=index)
    return value.fillna(False).astype(bool)


def _person(rule: Rule, ctx: expr.Context, table: Table, eligible: pd.Series, lang: str):
    when = _mask(expr.evaluate(rule.when, ctx), table.raw.index) & eligible
    exempt = _mask(expr.evaluate(rule.exempt_when, ctx), table.raw.index) if rule.exempt_when else pd.Series(False, index=table.raw.index)
    hit, spared = when & ~exempt, when & exempt
    found = []
    if hit.any():
        rows = table.raw.index[hit.to_numpy()]
        placeholders = _placeholders(rule, ctx, rows)
        observed = _at(expr.evaluate(rule.observed, ctx), rows) if rule.observed else None
        for n, i in enumerate(rows):
            place = _where(table, i)
            vals = {k: v[n] for k, v in placeholders.items()}
            obs = observed[n] if observed is not None else None
            vals["observed"] = obs
            found.append(Violation(
                rule.id, rule.spec.severity, "person", place["township"], place["village"], place["name"],
                place["file"], place["sheet"], place["row"], _column(table, i, rule.spec.column),
                render(rule, getattr(rule.spec.message, lang), vals, lang), _json(obs, rule, lang),
            ))
    exempted = []
    if spared.any():
        rows = table.raw.index[spared.to_numpy()]
        evidence = _at(expr.evaluate(rule.evidence, ctx), rows)
        for n, i in enumerate(rows):
            place = _where(table, i)
            exempted.append(Exemption(
                rule.id, place["township"], place["village"], place["name"], place["file"], place["sheet"],
                place["row"], _display(evidence[n], None, rule, lang),
            ))
    return found, exempted


def _group(rule: Rule, keys: list[str], ctx: expr.Context, table: Table, eligible: pd.Series, lang: str):
    """Violations of a village or township rule: one per failing group, placed at the group's first row."""
    codes, index = ctx.codes, pd.RangeIndex(ctx.groups)
    group_ok = eligible.groupby(codes).all().reindex(index, fill_value=False)
    failing = np.flatnonzero((_mask(expr.evaluate(rule.when, ctx), index) & group_ok).to_numpy())
    if not len(failing):
        return [], []
    first_row = pd.Series(table.raw.index, index=table.raw.index).groupby(codes).min()
    places = table.raw[["_file", "_sheet"]].groupby(codes).nunique()
    observed = _at(expr.evaluate(rule.observed, ctx), failing) if rule.observed else [None] * len(failing)
    lets = {k: _at(v, failing) for k, v in ctx.values.items() if k in rule.kinds}
    per_village = len(keys) > 1  # a village points at its first row; a township at no single row
    found = []
    for n, code in enumerate(failing):
        place = _where(table, int(first_row[code]))
        one_file, one_sheet = places.at[code, "_file"] == 1, places.at[code, "_sheet"] == 1
        village = place["village"] if per_village else None
        vals = {k: v[n] for k, v in lets.items()} | {"observed": observed[n], "township": place["township"], "village": village}
        found.append(Violation(
            rule.id, rule.spec.severity, rule.spec.scope, place["township"], village, None,
            place["file"] if one_file else None, place["sheet"] if one_file and one_sheet else None,
            place["row"] if one_file and per_village else None, None,
            render(rule, getattr(rule.spec.message, lang), vals, lang), _json(observed[n], rule, lang),
        ))
    return found, []


def _at(value: Any, positions: Any) -> list[Any]:
    if isinstance(value, pd.Series):
        return value.reindex(positions).tolist()
    return [value] * len(positions)


def _where(table: Table, i: int) -> dict[str, Any]:
    row = table.raw.loc[i]
    # A rule file whose rows are villages (row_label: village) names no person.
    label = table.label if table.label not in ("township", "village") else None
    names = {k: _clean(table.text[c].iloc[i]) if c in table.text else None
             for k, c in (("township", "township"), ("village", "village"), ("name", label))}
    return {**names, "file": row["_file"], "sheet": row["_sheet"], "row": int(row["_row"])}


def _clean(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _column(table: Table, i: int, column: str | None) -> str | None:
    if column is None:
        return None
    return table.sheets[int(table.raw.at[i, "_sheet_id"])].headers.get(column)


def _placeholders(rule: Rule, ctx: expr.Context, rows: pd.Index) -> dict[str, list[Any]]:
    """Values of the names a person rule's message uses, at the violating rows only."""
    wanted = {f for lang in ("zh", "en") for _, f, _, _ in string.Formatter().parse(getattr(rule.spec.message, lang)) if f}
    out: dict[str, list[Any]] = {}
    for name in wanted - {"observed", "township", "village", "name"}:
        out[name] = _at(ctx.lookup(name), rows)
    return out


# --------------------------------------------------------------------------- presentation of values


def render(rule: Rule, template: str, vals: dict[str, Any], lang: str) -> str:
    """Fill a message template; placeholders were checked against the rule when it was loaded."""
    parts = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            parts.append(_display(vals.get(name), spec, rule, lang))
    return "".join(parts)


def _display(value: Any, spec: str | None, rule: Rule, lang: str) -> str:
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return t(lang, "blank")
    if isinstance(value, (bool, np.bool_)):
        return t(lang, "yes" if value else "no")
    if isinstance(value, (pd.Timestamp, dt.date)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if spec:
            return format(float(value), spec)
        return str(int(value)) if float(value).is_integer() else f"{float(value):.2f}".rstrip("0")
    if isinstance(value, str) and value in rule.spec.labels:
        return rule.spec.labels[value](lang)
    return format(str(value), spec) if spec else str(value)


def _json(value: Any, rule: Rule, lang: str) -> Any:
    """An observed value as plain JSON data: numbers stay numbers, dates become YYYY-MM-DD."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value), 4)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return _display(value, None, rule, lang)
