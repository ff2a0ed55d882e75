"""Evaluate a ruleset over every candidate row of every file.

Rows are stacked into one table per batch of files, each column parsed once by its declared
type, and each rule evaluated column-wise: a boolean mask per row (person rules) or per group
(village and township rules, grouped before any filter so an empty group is still seen).
Only the failing rows and groups are turned into Violation values.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rulecheck.lang import expr
from rulecheck.lang import CellText, IdNumbers, TextColumns

from rulecheck.table import types, values
from rulecheck.table.types import parse_columns
from rulecheck.findings import (
    Accepted, ColumnTitle, Exemption, IdNumber, Location, Titles, Violation, Written, locate, person_key,
)
from rulecheck.findings import Places as Elsewhere
from rulecheck.table.header import Sheet
from rulecheck.rulefile.ruleset import SUMMARY_SCOPE, Places, Rule, Ruleset

# file → rule id → the columns the file lacks for it, as alternatives (any one set would have done)
NotChecked = dict[str, dict[str, tuple[tuple[str, ...], ...]]]


@dataclass(frozen=True)
class TownshipStats:
    """One township as its first row writes it, its summary statistics (the rule file's order), its files."""

    county: str | None
    township: str | None
    values: tuple[float | None, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    violations: tuple[Violation, ...]
    exempted: tuple[Exemption, ...]
    not_checked: NotChecked
    townships: tuple[TownshipStats, ...] = ()


@dataclass(frozen=True)
class SheetInfo:
    """Where a sheet's rows came from, where its columns are (header as written, 0-based index), the columns it has."""

    file: str
    name: str
    places: dict[str, tuple[str, int]]
    columns: frozenset[str]


@dataclass(frozen=True)
class Table:
    """Candidate rows: where each came from, values by name, cell text, and the sheets they are on."""

    sheet_id: np.ndarray  # per row: position in ``sheets``
    row: np.ndarray  # per row: the row number Excel shows
    parsed: dict[str, Any]  # column or derived field → Series (or a scalar derived field)
    unreadable: dict[str, pd.Series]
    text: CellText
    sheets: tuple[SheetInfo, ...]
    label: str  # the column that names a row (the rule file's row_label)
    id_numbers: dict[str, IdNumbers] = field(default_factory=dict)  # checked while parsing, for the rules
    matched: dict[str, pd.Series] = field(default_factory=dict)  # group keys' text as matched (whitespace removed)
    places: Places = Places()  # the columns that place a finding (county, township, village, name): the rule file's

    @property
    def index(self) -> pd.RangeIndex:
        return pd.RangeIndex(len(self.sheet_id))

    @property
    def empty(self) -> bool:
        return len(self.sheet_id) == 0


@dataclass(frozen=True)
class Part:
    """What one batch of sheets contributes to a run.

    Person rules look at one row at a time, so their findings are final here. Village and
    township groups may span batches (a township split over two files), so group rules and the
    township summary run later, over every batch's ``table``: only the values they read.
    """

    person: dict[str, tuple[list[Violation], list[Exemption]]]
    not_checked: NotChecked
    table: Table


def stack(ruleset: Ruleset, sheets: list[Sheet]) -> Table:
    """Stack the sheets' rows and parse every column by its declared type."""
    columns = list(ruleset.columns)
    frames = [s.frame for s in sheets]
    sizes = [len(f) for f in frames]
    sheet_id = np.repeat(np.arange(len(sheets), dtype=np.int64), sizes)

    # Column by column with numpy: much cheaper than pd.concat of many small frames.
    blocks = [(f.to_numpy(dtype=object), {c: j for j, c in enumerate(f.columns)}) for f in frames]

    def joined(key: str) -> np.ndarray:
        pieces = [b[:, at[key]] if key in at else np.full(n, None, dtype=object) for (b, at), n in zip(blocks, sizes)]
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=object)

    raw = pd.DataFrame({**{key: pd.Series(joined(key), dtype=object) for key in columns},
                        "_row": pd.Series(joined("_row").astype(np.int64), dtype=np.int64)})
    infos = tuple(SheetInfo(s.file, s.name, s.places, frozenset(k for k in columns if k in s.headers or k in s.frame))
                  for s in sheets)
    id_numbers: dict[str, IdNumbers] = {}
    parsed, unreadable = parse_columns(ruleset.columns, raw, id_numbers)
    # A text column's parsed value is its cell text already; other columns' text is made when a rule reads it.
    text = _CellText({key: parsed[key] for key in columns if types.of(ruleset.columns[key]).text_values}, raw[columns])
    return Table(sheet_id, raw["_row"].to_numpy(dtype=np.int64), parsed, unreadable, text, infos,
                 ruleset.spec.ruleset.row_label, id_numbers, places=ruleset.places)


class _CellText(CellText):
    """Each column's cell text, made on first use and kept; narrowed to some rows by ``at``."""

    def __init__(self, ready: dict[str, pd.Series], cells: pd.DataFrame, rows: np.ndarray | None = None):
        self._done, self._cells, self._rows = dict(ready), cells, rows

    def _column(self, key: str) -> pd.Series:
        if key not in self._cells:
            raise KeyError(key)
        column = self._cells[key]
        return column if self._rows is None else column.take(self._rows)

    def __getitem__(self, key: str) -> pd.Series:
        if key not in self._done:
            self._done[key] = values.distinct(values.cell_text, self._column(key))
        return self._done[key]

    def blank(self, key: str) -> pd.Series:
        """Where the cell text is missing, told from the cells without making the text."""
        if key in self._done:
            return self._done[key].isna()
        column = self._column(key)
        return pd.Series(values.blank_cells(column.to_numpy(dtype=object)), index=column.index)

    def at(self, rows: np.ndarray) -> _CellText:
        """The columns at some rows of the whole table: those made are taken, the rest made there when asked."""
        return _CellText({k: v.take(rows) for k, v in self._done.items()}, self._cells, rows)

    def __contains__(self, key: object) -> bool:
        return key in self._cells  # without making the column

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells.columns)

    def __len__(self) -> int:
        return len(self._cells.columns)


def run(ruleset: Ruleset, sheets: list[Sheet], as_of: dt.date) -> Outcome:
    """Every rule over every row: the violations, the accepted exemptions, and what was not checked."""
    return combine(ruleset, [rows(ruleset, sheets, as_of)], as_of)


def rows(ruleset: Ruleset, sheets: list[Sheet], as_of: dt.date) -> Part:
    """Parse a batch of sheets, run the person rules on it, and keep what the group rules need."""
    table = stack(ruleset, sheets)
    base = _base_context(ruleset, table, as_of)
    person: dict[str, tuple[list[Violation], list[Exemption]]] = {}
    not_checked: NotChecked = {}
    for rule in ruleset.rules:
        sheet_ok = _sheet_ok(table, rule.needs)
        for i in np.flatnonzero(~sheet_ok.to_numpy()):
            sheet = table.sheets[i]
            lacking = not_checked.setdefault(sheet.file, {})
            lacking[rule.id] = _fewest(lacking.get(rule.id, ()) + _lacking(rule.needs, sheet.columns))
        if ruleset.groups.get(rule.spec.scope) or rule.spec.check == "duplicate-persons" or table.empty or not sheet_ok.any():
            continue
        if rule.spec.check == "unreadable-values":
            person[rule.id] = (_unreadable_values(ruleset, rule, table), [])
            continue
        ctx = _rule_context(base, rule)
        for key, node in rule.lets:
            ctx.values[key] = expr.evaluate(node, ctx)
        person[rule.id] = _person(rule, ctx, table, _eligible(table, sheet_ok), _id_columns(ruleset),
                                  _id_series(ruleset, table))
    return Part(person, not_checked, _for_groups(ruleset, table, base))


def combine(ruleset: Ruleset, parts: list[Part], as_of: dt.date) -> Outcome:
    """Join batches in order and run the group rules over all their rows; the same result as one batch."""
    table = _concat(parts, ruleset.spec.ruleset.row_label, ruleset.places)
    base = _base_context(ruleset, table, as_of)
    found: list[Violation] = []
    exempted: list[Exemption] = []
    not_checked = merge_not_checked(p.not_checked for p in parts)
    groupings: dict[tuple[str, ...], _Grouping] = {}
    numbered: dict[str, tuple[np.ndarray, int]] = {}  # each key's numbers, for every scope that groups by it
    for rule in ruleset.rules:
        keys = list(ruleset.groups.get(rule.spec.scope, ()))
        if rule.spec.check == "duplicate-persons":
            if not table.empty:
                found += _duplicates(ruleset, rule, table, base)
            continue
        if not keys:
            for part in parts:
                v, e = part.person.get(rule.id, ((), ()))
                found += v
                exempted += e
            continue
        sheet_ok = _sheet_ok(table, rule.needs)
        if table.empty or not sheet_ok.any():
            continue
        ctx = _rule_context(base, rule)
        if tuple(keys) not in groupings:  # the same grouping serves every rule of a scope
            groupings[tuple(keys)] = _Grouping(table, *_group_codes(table, keys, numbered))
        grouping = groupings[tuple(keys)]
        ctx.codes, ctx.groups = grouping.codes, grouping.count
        for key, node in rule.lets:
            ctx.values[key] = expr.evaluate(node, ctx)
        v, e = _group(rule, keys, ruleset.optional_keys, ctx, grouping, _eligible(table, sheet_ok))
        found += v
        exempted += e
    townships: tuple[TownshipStats, ...] = ()
    if SUMMARY_SCOPE in ruleset.groups and not table.empty:
        keys = list(ruleset.groups[SUMMARY_SCOPE])
        townships = summarise(ruleset, table, base, groupings.get(tuple(keys)) or _Grouping(table, *_group_codes(table, keys, numbered)))
    return Outcome(tuple(found), tuple(exempted), not_checked, townships)


def merge_not_checked(each: Any) -> NotChecked:
    """Several batches' (or partitions') rules not checked, per file, joined."""
    out: NotChecked = {}
    for not_checked in each:
        for file, rules in not_checked.items():
            mine = out.setdefault(file, {})
            for rule, lacking in rules.items():
                mine[rule] = _fewest(mine.get(rule, ()) + lacking)
    return out


def _sheet_ok(table: Table, needs: frozenset[frozenset[str]]) -> pd.Series:
    """Per sheet: does it have all the columns of one of the alternatives?"""
    return pd.Series([any(alt <= s.columns for alt in needs) for s in table.sheets], dtype=bool)


def _lacking(needs: frozenset[frozenset[str]], columns: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """What a sheet lacks for a rule: per alternative, its columns the sheet does not have."""
    return tuple(tuple(sorted(alt - columns)) for alt in needs if not alt <= columns)


def _fewest(alternatives: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """The alternatives that no other one is a part of, each once, in a fixed order."""
    sets = {frozenset(a) for a in alternatives}
    return tuple(sorted(tuple(sorted(a)) for a in sets if not any(b < a for b in sets)))


def _eligible(table: Table, sheet_ok: pd.Series) -> pd.Series:
    return pd.Series(sheet_ok.to_numpy(dtype=bool)[table.sheet_id], index=table.index)




def _group_codes(table: Table, keys: list[str], known: dict[str, tuple[np.ndarray, int]] | None = None,
                 ) -> tuple[pd.Series, int]:
    """Each row's group number (groups sorted by their folded key texts, blank last) and the group count.

    Each key is numbered in its sorted order (``known`` keeps a key numbered for another scope), and the
    numbers are joined into one per row: integer work, where grouping by the texts hashes them again.
    A key blank on every row (no file has a county column) neither splits nor orders the groups.
    """
    known = {} if known is None else known
    code, span = np.zeros(len(table.sheet_id), dtype=np.int64), 1
    for key in keys:
        if key not in known:
            folded = table.matched[key] if key in table.matched else values.fold(table.text[key])
            numbers, uniques = pd.factorize(folded.to_numpy(dtype=object), sort=True, use_na_sentinel=True)
            numbers = numbers.astype(np.int64)
            numbers[numbers < 0] = len(uniques)  # blank after every name
            known[key] = numbers, len(uniques) + 1
        numbers, count = known[key]
        if span * count >= 1 << 62:  # renumber what is joined so far before it could overflow
            code, span = _renumber(code)
        code, span = code * count + numbers, span * count
    codes, count = _renumber(code)
    return pd.Series(codes, index=table.index), count


def _renumber(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Numbers 0, 1, … for the distinct values of ``code``, in their order, and how many."""
    numbers, uniques = pd.factorize(code, sort=True)
    return numbers.astype(np.int64), len(uniques)


@dataclass(frozen=True)
class _Grouping:
    """The rows of a scope (villages, townships) numbered by group, and what placing a group's finding needs."""

    table: Table
    codes: pd.Series  # per row: its group's number
    count: int

    @functools.cached_property
    def first_row(self) -> np.ndarray:
        """Per group: its first row."""
        first = np.empty(self.count, dtype=np.int64)
        rows = np.arange(len(self.codes))
        first[self.codes.to_numpy()[::-1]] = rows[::-1]  # written last, so kept: each group's first row
        return first

    @functools.cached_property
    def spread(self) -> tuple[np.ndarray, np.ndarray]:
        """Per group: how many files, and how many sheet names, its rows come from."""
        # Files and sheet names numbered, so counting them per group is integer work.
        file_of = pd.Series([s.file for s in self.table.sheets], dtype=object).factorize()[0]
        name_of = pd.Series([s.name for s in self.table.sheets], dtype=object).factorize()[0]
        return tuple(expr.group_distinct(self.codes, self.count, of[self.table.sheet_id]).astype(np.int64)  # type: ignore[return-value]
                     for of in (file_of, name_of))

    @functools.cached_property
    def _files(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (group, file) pair its rows make, sorted: where each group's run of pairs starts, the files, their names."""
        # Files numbered by first appearance, which is the order they were read (sheets are in that order).
        number, names = pd.factorize(pd.Series([s.file for s in self.table.sheets], dtype=object))
        files = max(len(names), 1)
        pairs = self.codes.to_numpy().astype(np.int64) * files + number[self.table.sheet_id]
        # A file's rows of one group come together: the first of each run is enough to sort.
        pairs = np.unique(pairs[np.flatnonzero(np.diff(pairs, prepend=-1))]) if len(pairs) else pairs
        groups, file_of = np.divmod(pairs, files)
        return np.searchsorted(groups, np.arange(self.count + 1)), file_of, np.asarray(names, dtype=object)

    def files_of(self, groups: np.ndarray) -> list[tuple[str, ...]]:
        """Per group asked for: the files its rows come from, in the order they were read."""
        starts, file_of, names = self._files
        return [tuple(names[file_of[starts[g]:starts[g + 1]]].tolist()) for g in np.asarray(groups, dtype=np.int64).tolist()]


def summarise(ruleset: Ruleset, table: Table, base: expr.Context, grouping: _Grouping) -> tuple[TownshipStats, ...]:
    """The rule file's summary statistics per township; a statistic is blank where a sheet lacks its columns."""
    ctx = base.with_values(dict(base.values))
    ctx.codes, ctx.groups = grouping.codes, grouping.count
    labels = _texts(table, ruleset.township_column, grouping.first_row)
    counties = _texts(table, table.places.county, grouping.first_row)
    spans = grouping.files_of(np.arange(grouping.count))
    columns = []
    for item in ruleset.summary:
        eligible = _eligible(table, _sheet_ok(table, item.needs))
        group_ok = pd.Series(expr.group_count(ctx.codes, ctx.groups, ~eligible) == 0)
        value = expr.evaluate(item.value, ctx)
        if not isinstance(value, pd.Series):  # a statistic without an aggregate is the same everywhere
            value = pd.Series(value, index=range(ctx.groups), dtype="float64")
        # rounded so that float noise (0.15000000000000002) never reaches the JSON
        columns.append(value.astype("float64").where(group_ok.to_numpy()).round(6))
    grid = np.column_stack([c.to_numpy() for c in columns]) if columns else np.empty((ctx.groups, 0))
    return tuple(
        TownshipStats(county, label, tuple(None if np.isnan(x) else float(x) for x in row), files)
        for county, label, row, files in zip(counties, labels, grid, spans)
    )


def _group_reads(ruleset: Ruleset) -> tuple[set[str], set[str]]:
    """Names the group rules and the summary read as values, and columns whose cells they read."""
    named: set[str] = set()
    cells: set[str] = set()

    def walk(node: expr.Node) -> None:
        if isinstance(node, expr.Call) and expr.FUNCTIONS[node.func].column_argument:
            cells.add(node.args[0].id)  # type: ignore[attr-defined]
            return
        if isinstance(node, expr.Name):
            named.add(node.id)
        for child in expr.children(node):
            walk(child)

    for rule in ruleset.rules:
        if ruleset.groups.get(rule.spec.scope):
            for node in (rule.when, rule.exempt_when, rule.evidence, rule.observed, *(n for _, n in rule.lets)):
                if node is not None:
                    walk(node)
            named |= set(rule.kinds)
    for item in ruleset.summary:
        walk(item.value)
    return named, cells


def _for_groups(ruleset: Ruleset, table: Table, base: expr.Context) -> Table:
    """The slim table group rules run on: derived fields ready-made, other columns dropped."""
    named, cells = _group_reads(ruleset)
    derived = {key for key, _ in ruleset.derive}
    parsed = {name: base.lookup(name) for name in sorted(named) if name in derived or name in table.parsed}
    keys = {k for ks in ruleset.groups.values() for k in ks}
    labels = {table.places.county, table.places.township, table.places.village, table.label} & set(table.text)
    text = {k: table.text[k] for k in sorted(cells | labels | keys)}
    matched = {k: values.distinct(values.fold, table.text[k]) for k in sorted(keys)}
    for rule in ruleset.rules:  # duplicate-persons: each row's keys travel as one number per key list
        for n, by in enumerate(rule.spec.by or ()):
            parsed[_person_key(rule, n)] = _key_hashes(ruleset, by, matched, base)
    # A column no file of the batch has (no county) travels as a categorical: a byte a row, not a None.
    text = {k: _compact(v) for k, v in text.items()}
    matched = {k: _compact(v) for k, v in matched.items()}
    unreadable = {k: table.unreadable[k] for k in sorted(cells)}
    return Table(table.sheet_id, table.row, parsed, unreadable, TextColumns(text), table.sheets, table.label, matched=matched, places=table.places)


def _person_key(rule: Rule, n: int) -> str:
    return f"\0key:{rule.id}:{n}"


def _key_hashes(ruleset: Ruleset, keys: list[str], matched: Mapping[str, pd.Series], base: expr.Context) -> pd.Series:
    """Per row, a 64-bit hash of its values of ``keys`` (0 where a key other than an optional one is blank).

    Group keys are taken as matched for grouping (spaces and full-width folded), the others as parsed.
    Each value is hashed the same way in every batch, whatever its column's dtype; a blank optional
    key hashes as _BLANK_KEY. Two people's keys share a hash by accident with odds of about n²/2⁶⁵
    (1 in 10⁷ at 1.8 million rows).
    """
    combined, complete = np.zeros(len(base.index), dtype=np.uint64), np.ones(len(base.index), dtype=bool)
    for key in keys:
        value = matched[key] if key in matched else base.lookup(key)
        if not isinstance(value, pd.Series):
            continue
        blank = value.isna().to_numpy()
        if key not in ruleset.optional_keys:
            complete &= ~blank
        # Group keys repeat on every row of a village: hashed once per distinct value. Names and
        # identity numbers are mostly distinct: hashed as they are, which costs less than counting them.
        hashes = _value_hashes(value, distinct=key in matched)
        hashes[blank] = _BLANK_KEY
        combined = combined * _MIX ^ hashes
    combined[complete & (combined == 0)] = 1  # 0 is kept for a row without the key
    combined[~complete] = 0
    return pd.Series(combined, index=base.index)


_BLANK_KEY, _MIX = np.uint64(0x9E3779B97F4A7C15), np.uint64(0x100000001B3)


def _value_hashes(value: pd.Series, distinct: bool) -> np.ndarray:
    """A stable 64-bit hash of each value (pandas' SipHash of its text; anything where it is blank)."""
    if isinstance(value.dtype, pd.CategoricalDtype):
        categories = pd.util.hash_array(np.asarray(value.cat.categories, dtype=object), categorize=False)
        return np.append(categories, _BLANK_KEY)[value.cat.codes.to_numpy()]  # code -1 (blank) takes the last
    return pd.util.hash_array(value.to_numpy(), categorize=distinct).astype(np.uint64, copy=True)


def _compact(column: pd.Series) -> pd.Series:
    if len(column) and not isinstance(column.dtype, pd.CategoricalDtype) and column.isna().all():
        return pd.Series(pd.Categorical.from_codes(np.full(len(column), -1, dtype=np.int8), categories=pd.Index([], dtype=object)),
                         index=column.index)
    return column


def _expand(pieces: list[Any]) -> Any:
    if not isinstance(pieces[0], pd.Series):
        return pieces[0]  # a scalar derived field: the same in every batch
    return pd.concat(pieces, ignore_index=True)


def _concat(parts: list[Part], label: str, places: Places) -> Table:
    tables = [p.table for p in parts]
    if not tables:
        return Table(np.zeros(0, np.int64), np.zeros(0, np.int64), {}, {}, TextColumns(), (), label, places=places)
    offsets = np.cumsum([0] + [len(t.sheets) for t in tables])[:-1]
    sheet_id = np.concatenate([t.sheet_id + o for t, o in zip(tables, offsets)])
    row = np.concatenate([t.row for t in tables])

    def join(attr: str) -> dict[str, Any]:
        return {k: _expand([getattr(t, attr)[k] for t in tables]) for k in getattr(tables[0], attr)}

    return Table(sheet_id, row, join("parsed"), join("unreadable"), TextColumns(join("text")),
                 tuple(s for t in tables for s in t.sheets), label, matched=join("matched"), places=places)


def _scalars(params: dict[str, Any]) -> dict[str, Any]:
    return {k: pd.Timestamp(v) if isinstance(v, dt.date) else v for k, v in params.items()}


def _base_context(ruleset: Ruleset, table: Table, as_of: dt.date) -> expr.Context:
    ctx = expr.Context(
        index=table.index, as_of=as_of,
        values={**_scalars(ruleset.spec.params), **table.parsed, "as_of": pd.Timestamp(as_of)},
        raw=table.text, unreadable=table.unreadable, id_numbers=dict(table.id_numbers),
    )
    for key, node in ruleset.derive:
        # Derived fields are computed once, on first use, and shared by every rule.
        ctx.lazy[key] = functools.cache(functools.partial(expr.evaluate, node, ctx))
    return ctx


def _rule_context(base: expr.Context, rule: Rule) -> expr.Context:
    """A rule's own context: the shared values and derived fields, plus the rule's parameters and lets."""
    values_ = {**base.values, **_scalars(rule.spec.params)}
    return base.with_values(values_)


def _mask(value: Any, index: pd.Index) -> pd.Series:
    if not isinstance(value, pd.Series):
        return pd.Series(bool(value), index=index)
    return value.fillna(False).astype(bool)


def _id_series(ruleset: Ruleset, table: Table) -> pd.Series | None:
    """The normalised identity numbers of the rows, where the rule file has such a column (for waivers)."""
    return next((table.parsed[k] for k, c in ruleset.columns.items() if c.type == "id-number" and k in table.parsed), None)


def _id_columns(ruleset: Ruleset) -> frozenset[str]:
    return frozenset(k for k, spec in ruleset.columns.items() if spec.type == "id-number")


def _is_identity(node: expr.Node | None, ids: frozenset[str]) -> bool:
    """Whether an expression is an identity-number column, parsed or as written (raw(id_number))."""
    if isinstance(node, expr.Call) and node.func == "raw" and node.args:
        node = node.args[0]
    return isinstance(node, expr.Name) and node.id in ids


def _identities(values: list[Any]) -> list[Any]:
    """An identity-number column's values at some rows, typed as identity numbers (masked when shown)."""
    return [IdNumber(x) if isinstance(x, str) else x for x in values]


def _person(rule: Rule, ctx: expr.Context, table: Table, eligible: pd.Series, ids: frozenset[str],
            numbers: pd.Series | None = None):
    when = _mask(expr.evaluate(rule.when, ctx), table.index) & eligible
    exempt = _mask(expr.evaluate(rule.exempt_when, ctx), table.index) if rule.exempt_when else pd.Series(False, index=table.index)
    hit, spared = when & ~exempt, when & exempt
    found = []
    if hit.any():
        rows = np.flatnonzero(hit.to_numpy())
        at = ctx.at(rows)
        placeholders = _placeholders(rule, at, rows, ids)
        observed = _at(expr.evaluate(rule.observed, at), rows) if rule.observed else [None] * len(rows)
        if _is_identity(rule.observed, ids):
            observed = _identities(observed)
        people = [person_key(x) if isinstance(x, str) else None for x in numbers.array[rows]] \
            if numbers is not None else [None] * len(rows)
        names = tuple(placeholders)
        values = list(zip(*placeholders.values())) if names else [()] * len(rows)
        for i, place, county, vals, seen, person in zip(rows, _places(table, rows), _texts(table, table.places.county, rows),
                                                        values, observed, people):
            township, village, name, file, sheet, row = place
            found.append(Violation(
                rule.id, rule.spec.severity, "person", township, village, name,
                locate(file, sheet, row, _column(table, i, rule.spec.column)), tuple(zip(names, vals)), seen,
                county=county, person=person,
            ))
    exempted = []
    if spared.any():
        rows = np.flatnonzero(spared.to_numpy())
        evidence = _at(expr.evaluate(rule.evidence, ctx.at(rows)), rows)
        exempted = [Exemption(rule.id, township, village, name, Location(file, sheet, row), shown, county=county)
                    for (township, village, name, file, sheet, row), shown, county
                    in zip(_places(table, rows), evidence, _texts(table, table.places.county, rows))]
    return found, exempted


def _group(rule: Rule, keys: list[str], optional: frozenset[str], ctx: expr.Context, grouping: _Grouping, eligible: pd.Series):
    """Violations of a village or township rule: one per failing group, placed at the group's first row."""
    codes, index, table = grouping.codes, pd.RangeIndex(grouping.count), grouping.table
    group_ok = pd.Series(expr.group_count(codes, grouping.count, ~eligible) == 0)
    failing = np.flatnonzero((_mask(expr.evaluate(rule.when, ctx), index) & group_ok).to_numpy())
    if not len(failing):
        return [], []
    first_row, (files, names) = grouping.first_row, grouping.spread
    observed = _at(expr.evaluate(rule.observed, ctx), failing) if rule.observed else [None] * len(failing)
    wanted = _wanted(rule)
    lets = {k: _at(v, failing) for k, v in ctx.values.items() if k in rule.kinds and k in wanted}
    # A village (keyed by more than its township) points at its first row; a township at no single row.
    per_village = len([k for k in keys if k not in optional]) > 1
    found = []
    firsts = first_row[failing]
    spans = grouping.files_of(failing)
    for n, (code, place, county, first) in enumerate(zip(failing, _places(table, firsts), _texts(table, table.places.county, firsts), firsts)):
        township, village, _, file, sheet, row = place
        one_file, one_sheet = files[code] == 1, names[code] == 1
        village = village if per_village else None
        vals = tuple((k, v[n]) for k, v in lets.items()) + (("township", township), ("village", village))
        found.append(Violation(
            rule.id, rule.spec.severity, rule.spec.scope, township, village, None,
            Location(file if one_file else None, sheet if one_file and one_sheet else None,
                     row if one_file and per_village else None),
            vals, observed[n], county=county, files=spans[n],
            anchor=locate(file, sheet, row, _column(table, first, keys[-1])),
        ))
    return found, []


def _reported_columns(ruleset: Ruleset) -> list[str]:
    """Typed columns that some rule or derived field reads, except those a rule's ``when`` tests unreadable() itself."""
    read: set[str] = set()
    reported: set[str] = set()

    def walk(node: expr.Node | None, in_when: bool) -> None:
        if node is None:
            return
        if isinstance(node, expr.Call) and expr.FUNCTIONS[node.func].column_argument:
            read.add(node.args[0].id)  # type: ignore[attr-defined]
            if node.func == "unreadable" and in_when:
                reported.add(node.args[0].id)  # type: ignore[attr-defined]
        if isinstance(node, expr.Name):
            read.add(node.id)
        for child in expr.children(node):
            walk(child, in_when)

    for rule in ruleset.rules:
        walk(rule.when, True)
        for node in (rule.exempt_when, rule.evidence, rule.observed, *(n for _, n in rule.lets)):
            walk(node, False)
    for _, node in ruleset.derive:
        walk(node, False)
    for item in ruleset.summary:
        walk(item.value, False)
    return [k for k, spec in ruleset.columns.items() if k in read and k not in reported and spec.type != "text"]


def _unreadable_values(ruleset: Ruleset, rule: Rule, table: Table) -> list[Violation]:
    """A finding at every filled cell of a typed column that the rules read but that cannot be read."""
    found: list[Violation] = []
    for key in _reported_columns(ruleset):
        mask = table.unreadable.get(key)
        if mask is None:
            continue
        rows = np.flatnonzero(mask.to_numpy(dtype=bool))
        if not len(rows):
            continue
        vals = (("column", ColumnTitle(key)), ("accepted", Accepted(key)))
        written = [_clean(x) for x in table.text.at(rows)[key].array]  # cell text made at these rows only
        for i, place, county, text in zip(rows, _places(table, rows), _texts(table, table.places.county, rows), written):
            township, village, name, file, sheet, row = place
            found.append(Violation(rule.id, rule.spec.severity, "person", township, village, name,
                                   locate(file, sheet, row, _column(table, i, key)), vals,
                                   None if text is None else Written(text), county=county))
    return found


def _duplicates(ruleset: Ruleset, rule: Rule, table: Table, base: expr.Context) -> list[Violation]:
    """Rows that are one person by any of the rule's key lists, across every file: a finding at each, naming the others."""
    size = len(table.sheet_id)
    group_of = np.full(size, -1, dtype=np.int64)  # per row: its duplicate group, by the first key list that finds one
    matched_by = np.full(size, -1, dtype=np.int64)
    groups = 0
    for n, keys in enumerate(rule.spec.by or ()):
        hashes = table.parsed[_person_key(rule, n)].to_numpy(dtype=np.uint64)
        rows = np.flatnonzero(hashes != 0)
        shared = pd.Series(hashes[rows]).duplicated(keep=False).to_numpy()
        rows = rows[shared]
        if not len(rows):
            continue
        numbers = pd.factorize(hashes[rows])[0] + groups
        fresh = group_of[rows] < 0
        group_of[rows[fresh]], matched_by[rows[fresh]] = numbers[fresh], n
        groups = int(numbers.max()) + 1
    rows = np.flatnonzero(group_of >= 0)
    if not len(rows):
        return []
    members: dict[int, list[int]] = {}
    for i in rows.tolist():
        members.setdefault(int(group_of[i]), []).append(i)
    places = dict(zip(rows.tolist(), _places(table, rows)))
    counties = dict(zip(rows.tolist(), _texts(table, table.places.county, rows)))
    found = []
    for i in rows.tolist():
        keys = (rule.spec.by or [])[int(matched_by[i])]
        others = Elsewhere(tuple(places[j][3:] for j in members[int(group_of[i])] if j != i))
        by = Titles(tuple(k for k in keys if k not in ruleset.optional_keys))
        # The cell to point at: the name where the person is known by it, else the first key the sheet has.
        columns = [c for k in ([table.label] if table.label in keys else []) + list(keys) if (c := _column(table, i, k))]
        township, village, name, file, sheet, row = places[i]
        found.append(Violation(rule.id, rule.spec.severity, "person", township, village, name,
                               locate(file, sheet, row, columns[0] if columns else None),
                               (("others", others), ("by", by)), None, county=counties[i]))
    return found


def _at(value: Any, positions: Any) -> list[Any]:
    if isinstance(value, pd.Series):
        return value.reindex(positions).tolist()
    return [value] * len(positions)


def _places(table: Table, rows: np.ndarray) -> list[tuple[str | None, str | None, str | None, str, str, int]]:
    """Township, village, name, file, sheet and Excel row of each of ``rows``, found column by column."""
    # A rule file whose rows are villages (row_label: village) names no person.
    names = [_texts(table, c, rows) for c in (table.places.township, table.places.village, table.places.name)]
    sheets = [table.sheets[s] for s in table.sheet_id[rows].tolist()]
    return list(zip(*names, [s.file for s in sheets], [s.name for s in sheets], table.row[rows].tolist()))


def _texts(table: Table, column: str | None, rows: np.ndarray) -> list[str | None]:
    """A column's cell text at some rows (None where blank, or where the table has no such column)."""
    if column is None or column not in table.text:
        return [None] * len(rows)
    return [_clean(x) for x in table.text[column].array[rows]]


def _clean(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _column(table: Table, i: int, column: str | None) -> tuple[str, int] | None:
    """Where row ``i``'s sheet has ``column``: (header as written, 0-based index), or None."""
    if column is None:
        return None
    return table.sheets[int(table.sheet_id[i])].places.get(column)


def _wanted(rule: Rule) -> frozenset[str]:
    """The names a rule's message uses, in either language."""
    return _fields(rule.spec.message.zh, rule.spec.message.en)


@functools.lru_cache(maxsize=256)
def _fields(*templates: str) -> frozenset[str]:
    return frozenset(f for template in templates for _, f, _, _ in string.Formatter().parse(template) if f)


def _placeholders(rule: Rule, ctx: expr.Context, rows: pd.Index, ids: frozenset[str] = frozenset()) -> dict[str, list[Any]]:
    """Values of the names a person rule's message uses, at the violating rows only (identity numbers typed)."""
    out: dict[str, list[Any]] = {}
    for name in sorted(_wanted(rule) - {"observed", "township", "village", "name"}):
        out[name] = _at(ctx.lookup(name), rows)
        if name in ids:
            out[name] = _identities(out[name])
    return out
