"""The rule language: a small, typed expression language evaluated column-wise with pandas.

Text from a rule file is tokenised and parsed by hand into an immutable tree; nothing is ever
passed to ``eval``. Every tree is type-checked when the rule file is loaded, so a typo, an
unknown function or a comparison of text with a number stops the load with the position.

Values live at one of three levels: ``scalar`` (a parameter, a literal, the as-of day),
``row`` (one value per candidate row: a column or a derived field) and ``group`` (one value per
village or township: the result of an aggregate such as ``mean(age, role == "secretary")``).
Missing values make every comparison false, so a blank cell never looks like a violation by
accident; rules that care about blanks say so with ``blank()`` or ``unreadable()``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Type:
    """A value type; a ``category`` carries its allowed values."""

    name: str
    values: frozenset[str] = frozenset()

    def __str__(self) -> str:
        if self.name == "category":
            return "category(" + ", ".join(sorted(self.values)) + ")"
        return self.name


NUMBER, TEXT, DATE, BOOL, YEARS = (Type(n) for n in ("number", "text", "date", "bool", "years"))
LEVELS = ("scalar", "row", "group")


@dataclass(frozen=True)
class Kind:
    """The static type of an expression: its value type and its level."""

    type: Type
    level: str = "row"


class ExprError(ValueError):
    """A rule expression that cannot be parsed or type-checked; ``pos`` is a 0-based offset."""

    def __init__(self, message: str, pos: int = 0):
        super().__init__(message)
        self.message = message
        self.pos = pos


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any
    type: Type


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class In(Node):
    left: Node
    items: tuple[Node, ...]
    negated: bool = False


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


# --------------------------------------------------------------------------- parser

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"\n]*"|'[^'\n]*')
      | (?P<name>[^\W\d]\w*)
      | (?P<op>==|!=|<=|>=|[<>+\-*/(),\[\]])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


@dataclass
class _Tokens:
    text: str
    items: list[tuple[str, str, int]] = field(default_factory=list)
    i: int = 0

    def peek(self) -> tuple[str, str, int]:
        return self.items[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.items[self.i]
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        if self.peek()[1] == value and self.peek()[0] in ("op", "keyword"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        kind, text, pos = self.peek()
        if not self.accept(value):
            found = "end of expression" if kind == "end" else f"'{text}'"
            raise ExprError(f"expected '{value}', found {found}", pos)


def _tokenise(text: str) -> _Tokens:
    tokens = _Tokens(text)
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.lastgroup is None:
            bad = text[pos:].lstrip()[:1]
            raise ExprError(f"unexpected character '{bad}'", len(text) - len(text[pos:].lstrip()))
        kind, value = m.lastgroup, m.group(m.lastgroup)
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        tokens.items.append((kind, value, m.start(m.lastgroup)))
        pos = m.end()
    tokens.items.append(("end", "", len(text)))
    return tokens


def parse(text: str) -> Node:
    """Parse one expression into a syntax tree; raises ExprError with the offset."""
    tokens = _tokenise(str(text))
    node = _or(tokens)
    kind, value, pos = tokens.peek()
    if kind != "end":
        raise ExprError(f"unexpected '{value}' after a complete expression", pos)
    return node


def _or(t: _Tokens) -> Node:
    node = _and(t)
    while t.peek()[1] == "or":
        pos = t.take()[2]
        node = Binary(pos, "or", node, _and(t))
    return node


def _and(t: _Tokens) -> Node:
    node = _not(t)
    while t.peek()[1] == "and":
        pos = t.take()[2]
        node = Binary(pos, "and", node, _not(t))
    return node


def _not(t: _Tokens) -> Node:
    if t.peek()[1] == "not" and t.peek()[0] == "keyword":
        pos = t.take()[2]
        return Unary(pos, "not", _not(t))
    return _comparison(t)


def _comparison(t: _Tokens) -> Node:
    node = _sum(t)
    kind, value, pos = t.peek()
    if value in _COMPARE and kind == "op":
        t.take()
        return Binary(pos, value, node, _sum(t))
    negated = False
    if value == "not" and t.items[t.i + 1][1] == "in":
        t.take()
        negated = True
    if t.peek()[1] == "in" and t.peek()[0] == "keyword":
        t.take()
        t.expect("[")
        items = [_sum(t)]
        while t.accept(","):
            items.append(_sum(t))
        t.expect("]")
        return In(pos, node, tuple(items), negated)
    return node


def _sum(t: _Tokens) -> Node:
    node = _product(t)
    while t.peek()[1] in ("+", "-") and t.peek()[0] == "op":
        _, op, pos = t.take()
        node = Binary(pos, op, node, _product(t))
    return node


def _product(t: _Tokens) -> Node:
    node = _unary(t)
    while t.peek()[1] in ("*", "/") and t.peek()[0] == "op":
        _, op, pos = t.take()
        node = Binary(pos, op, node, _unary(t))
    return node


def _unary(t: _Tokens) -> Node:
    if t.peek()[1] == "-" and t.peek()[0] == "op":
        pos = t.take()[2]
        return Unary(pos, "-", _unary(t))
    return _atom(t)


def _atom(t: _Tokens) -> Node:
    kind, value, pos = t.take()
    if kind == "number":
        return Literal(pos, float(value), NUMBER)
    if kind == "string":
        return Literal(pos, value[1:-1], TEXT)
    if kind == "keyword" and value in ("true", "false"):
        return Literal(pos, value == "true", BOOL)
    if kind == "name":
        if t.accept("("):
            args: list[Node] = []
            if not t.accept(")"):
                args.append(_or(t))
                while t.accept(","):
                    args.append(_or(t))
                t.expect(")")
            return Call(pos, value, tuple(args))
        return Name(pos, value)
    if value == "(" and kind == "op":
        node = _or(t)
        t.expect(")")
        return node
    found = "end of expression" if kind == "end" else f"'{value}'"
    raise ExprError(f"expected a value, found {found}", pos)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.left, *node.items)
    if isinstance(node, Call):
        return node.args
    return ()


def names(node: Node) -> set[str]:
    """Every name an expression refers to (columns, fields, parameters)."""
    if isinstance(node, Name):
        return {node.id}
    return set().union(*(names(c) for c in children(node)))


# --------------------------------------------------------------------------- evaluation context


@dataclass
class Context:
    """What an expression is evaluated against.

    ``values`` maps a name to a scalar or a Series (row-level on the table's index, group-level
    on group codes 0..n-1); ``lazy`` maps a name to a function computing it on first use.
    ``codes`` numbers each row's group (only for village and township rules).
    """

    index: pd.Index
    as_of: dt.date
    values: dict[str, Any] = field(default_factory=dict)
    lazy: dict[str, Callable[[], Any]] = field(default_factory=dict)
    raw: dict[str, pd.Series] = field(default_factory=dict)
    unreadable: dict[str, pd.Series] = field(default_factory=dict)
    codes: pd.Series | None = None
    groups: int = 0
    memo: dict[Any, tuple[Any, Any]] = field(default_factory=dict)  # shared by every rule of a run

    def lookup(self, name: str) -> Any:
        if name not in self.values:
            self.values[name] = self.lazy[name]()
        return self.values[name]

    def at(self, rows: np.ndarray) -> Context:
        """The row values at some rows only, made there: what a person rule's findings need.

        Derived fields come from this context (made once for every row); cell text, which a
        finding's observed value often reads, is made for these rows alone.
        """
        size = len(self.index)

        def take(value: Any) -> Any:
            return value.take(rows) if isinstance(value, pd.Series) and len(value) == size else value

        # Values are taken when an expression asks for them: a message reads a few of many.
        raw = self.raw.at(rows) if hasattr(self.raw, "at") else _Taken(self.raw, take)
        return Context(self.index[rows], self.as_of, {},
                       {k: (lambda k=k: take(self.lookup(k))) for k in (*self.values, *self.lazy)}, raw,
                       _Taken(self.unreadable, take))

    def memoised(self, kind: str, of: pd.Series, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per kind and Series object (kept alive here, so its id stays its own)."""
        key = (kind, id(of))
        if key not in self.memo:
            self.memo[key] = (of, compute())
        return self.memo[key][1]


class _Taken(Mapping[str, pd.Series]):
    """A mapping of row values, each taken at some rows when first read."""

    def __init__(self, whole: Mapping[str, pd.Series], take: Callable[[Any], Any]):
        self._whole, self._take, self._done = whole, take, {}

    def __getitem__(self, key: str) -> pd.Series:
        if key not in self._done:
            self._done[key] = self._take(self._whole[key])
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole)

    def __len__(self) -> int:
        return len(self._whole)


# --------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class Function:
    """A function of the rule language: how to type it and how to compute it."""

    summary: str
    arity: tuple[int, int]
    typer: Callable[[list[Kind], tuple[Node, ...]], Type]
    impl: Callable[..., Any]
    aggregate: bool = False
    column_argument: bool = False  # the first argument must name a column


def _want(kinds: list[Kind], i: int, *types: str, fn: str, args: tuple[Node, ...]) -> None:
    if kinds[i].type.name not in types:
        raise ExprError(
            f"{fn}() argument {i + 1} must be {' or '.join(types)}, not {kinds[i].type}", args[i].pos
        )


def _sig(ret: Type | Callable[[list[Kind]], Type], *params: tuple[str, ...], fn: str):
    def typer(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
        for i, allowed in enumerate(params[: len(kinds)]):
            _want(kinds, i, *allowed, fn=fn, args=args)
        return ret(kinds) if callable(ret) else ret

    return typer


ANY = ("number", "text", "date", "bool", "years", "category")


def _as_bool(value: Any) -> Any:
    """Missing values are false: a blank cell is never a violation by accident."""
    if isinstance(value, pd.Series):
        return value.fillna(False).astype(bool)
    return bool(value) if value is not None and not (isinstance(value, float) and np.isnan(value)) else False


def _age(ctx: Context, born: Any) -> Any:
    """Completed years (周岁) on the as-of day: the birthday itself counts as a year completed."""
    on = pd.Timestamp(ctx.as_of)
    if not isinstance(born, pd.Series):
        return np.nan if pd.isna(born) else float(_age(ctx, pd.Series([born])).iloc[0])
    born = pd.to_datetime(born)
    years = on.year - born.dt.year
    before_birthday = (born.dt.month > on.month) | ((born.dt.month == on.month) & (born.dt.day > on.day))
    return (years - before_birthday.astype("float64")).astype("float64")


def _years_in_window(ctx: Context, years: pd.Series, first: Any, last: Any) -> pd.Series:
    """True where two consecutive calendar years within [first, last] are both in the list."""
    from rulecheck.table.values import has_year

    out = pd.Series(False, index=years.index)
    for year in range(int(first), int(last)):  # loops over the window's years, never over rows
        out |= has_year(years, year) & has_year(years, year + 1)
    return out


def _make_date(ctx: Context, *args: Any) -> Any:
    if len(args) == 1:
        return pd.Timestamp(args[0])
    y, m, d = (int(a) for a in args)
    return pd.Timestamp(dt.date(y, m, d))


def _year(ctx: Context, value: Any) -> Any:
    if isinstance(value, pd.Series):
        return pd.to_datetime(value).dt.year.astype("float64")
    return np.nan if pd.isna(value) else float(pd.Timestamp(value).year)


def _id(attr: str) -> Callable[..., Any]:
    def call(ctx: Context, value: Any) -> Any:
        from rulecheck.table import idnumber

        ids = _broadcast(ctx, value)
        # Several rules ask about the same numbers: check each column once per run.
        checked = ctx.memoised("id-check", ids, lambda: idnumber.check(ids))
        if attr == "problem":
            return checked.problems.where(checked.problems != "")  # a valid number has no problem
        return ctx.memoised(f"id-{attr}", ids, lambda: getattr(idnumber, attr)(ids, checked))

    return call


def _blank(ctx: Context, column: str) -> pd.Series:
    text = ctx.raw
    return text.blank(column) if hasattr(text, "blank") else text[column].isna()


def _unreadable(ctx: Context, column: str) -> pd.Series:
    return ctx.unreadable[column]


def _raw(ctx: Context, column: str) -> pd.Series:
    return ctx.raw[column]


def _present(ctx: Context, value: Any) -> Any:
    return value.notna() if isinstance(value, pd.Series) else not pd.isna(value)


def _coalesce(ctx: Context, first: Any, second: Any) -> Any:
    return _broadcast(ctx, first).fillna(second)


def _grouped(ctx: Context, values: pd.Series, how: str) -> pd.Series:
    """A float aggregate (sum, mean) per group 0..n-1: pandas', for its compensated float sums."""
    return values.groupby(ctx.codes).agg(how).reindex(range(ctx.groups)).astype("float64")


def _where(ctx: Context, where: Any | None) -> pd.Series:
    if where is None:
        return pd.Series(True, index=ctx.index)
    return _as_bool(_broadcast(ctx, where))


def _broadcast(ctx: Context, value: Any) -> pd.Series:
    return value if isinstance(value, pd.Series) else pd.Series(value, index=ctx.index)


def group_count(codes: pd.Series, groups: int, mask: pd.Series) -> np.ndarray:
    """Per group 0..groups-1, how many of its rows ``mask`` holds (float64; exact, as every count is an integer)."""
    return np.bincount(codes.to_numpy(), weights=mask.to_numpy(dtype=np.float64), minlength=groups)


def _count(ctx: Context, where: Any = None) -> pd.Series:
    return pd.Series(group_count(ctx.codes, ctx.groups, _where(ctx, where)))


def _share(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    """Share of the rows matching ``where`` that also meet ``cond``; missing when none match."""
    base = _where(ctx, where)
    hits = _count(ctx, base & _as_bool(_broadcast(ctx, cond)))
    total = _count(ctx, base)
    return (hits / total.where(total > 0)).astype("float64")


def _numeric_agg(how: str) -> Callable[..., pd.Series]:
    def call(ctx: Context, values: Any, where: Any = None) -> pd.Series:
        values = _broadcast(ctx, values)
        if values.dtype == object:
            values = pd.to_numeric(values, errors="coerce")
        return _grouped(ctx, values.where(_where(ctx, where)).astype("float64"), how)

    return call


def _extreme(how: str) -> Callable[..., pd.Series]:
    def call(ctx: Context, values: Any, where: Any = None) -> pd.Series:
        values = _broadcast(ctx, values).where(_where(ctx, where))
        return values.groupby(ctx.codes).agg(how).reindex(range(ctx.groups))

    return call


def _distinct(ctx: Context, values: Any, where: Any = None) -> pd.Series:
    """How many different values the group's rows (matching the filter) hold; missing values do not count."""
    values = _broadcast(ctx, values).where(_where(ctx, where))
    return pd.Series(group_distinct(ctx.codes, ctx.groups, values))


def group_distinct(codes: pd.Series, groups: int, values: pd.Series | np.ndarray) -> np.ndarray:
    """Per group 0..groups-1, how many different values its rows hold, missing ones not counted (float64)."""
    numbered, uniques = pd.factorize(values, use_na_sentinel=True)
    group, numbered = codes.to_numpy()[numbered >= 0], numbered[numbered >= 0]
    # Rows come file by file, so runs of one (group, value) are common: their first rows are enough.
    starts = np.flatnonzero(np.diff(group, prepend=-1) | np.diff(numbered, prepend=-1))
    pairs = pd.unique(group[starts] * (len(uniques) + 1) + numbered[starts])  # each (group, value) once
    return np.bincount(pairs // (len(uniques) + 1), minlength=groups).astype(np.float64)


def _any(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    return _count(ctx, _where(ctx, where) & _as_bool(_broadcast(ctx, cond))) > 0


def _all(ctx: Context, cond: Any, where: Any = None) -> pd.Series:
    base = _where(ctx, where)
    return _count(ctx, base & ~_as_bool(_broadcast(ctx, cond))) == 0


def _same(kinds: list[Kind]) -> Type:
    return kinds[0].type


def _coalesce_type(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
    if not _comparable(kinds[0].type, kinds[1].type):
        raise ExprError(f"coalesce() needs two values of one type, not {kinds[0].type} and {kinds[1].type}", args[1].pos)
    return kinds[0].type


ID_PROBLEMS = Type("category", frozenset({"stored-as-number", "length", "characters", "date", "check-digit"}))
SEX = Type("category", frozenset({"male", "female"}))

FUNCTIONS: dict[str, Function] = {
    "age": Function("completed years (周岁) on the as-of day", (1, 1), _sig(NUMBER, ("date",), fn="age"), _age),
    "year": Function("the calendar year of a date", (1, 1), _sig(NUMBER, ("date",), fn="year"), _year),
    "date": Function(
        'a date: date("2007-10-20") or date(year, month, day)', (1, 3),
        lambda k, a: _date_type(k, a), _make_date,
    ),
    "present": Function("the value is there and could be read", (1, 1), _sig(BOOL, ANY, fn="present"), _present),
    "coalesce": Function("the first value, or the second where the first is missing", (2, 2), _coalesce_type, _coalesce),
    "blank": Function("the cell of this column is empty", (1, 1), lambda k, a: BOOL, _blank, column_argument=True),
    "unreadable": Function(
        "the cell is filled in but could not be read as its column's type", (1, 1),
        lambda k, a: BOOL, _unreadable, column_argument=True,
    ),
    "raw": Function("the cell's text as written", (1, 1), lambda k, a: TEXT, _raw, column_argument=True),
    "id_valid": Function("a well-formed identity number with a correct check digit (GB 11643)", (1, 1), _sig(BOOL, ("text",), fn="id_valid"), _id("valid")),
    "id_birth": Function("the birth date inside a valid identity number", (1, 1), _sig(DATE, ("text",), fn="id_birth"), _id("birth")),
    "id_sex": Function("the sex coded in a valid identity number", (1, 1), _sig(SEX, ("text",), fn="id_sex"), _id("sex")),
    "id_problem": Function("what is wrong with an identity number", (1, 1), _sig(ID_PROBLEMS, ("text",), fn="id_problem"), _id("problem")),
    "consecutive_years": Function(
        "the list holds two consecutive years within [first, last]", (3, 3),
        _sig(BOOL, ("years",), ("number",), ("number",), fn="consecutive_years"), _years_in_window,
    ),
    "count": Function("rows of the group meeting a condition", (0, 1), _sig(NUMBER, ("bool",), fn="count"), _count, aggregate=True),
    "share": Function("share of the rows (matching the filter) that meet a condition", (1, 2), _sig(NUMBER, ("bool",), ("bool",), fn="share"), _share, aggregate=True),
    "mean": Function("average of a number over the group's rows (matching the filter)", (1, 2), _sig(NUMBER, ("number",), ("bool",), fn="mean"), _numeric_agg("mean"), aggregate=True),
    "min": Function("smallest number or earliest date over the group's rows", (1, 2), _sig(_same, ("number", "date"), ("bool",), fn="min"), _extreme("min"), aggregate=True),
    "max": Function("largest number or latest date over the group's rows", (1, 2), _sig(_same, ("number", "date"), ("bool",), fn="max"), _extreme("max"), aggregate=True),
    "sum": Function("total over the group's rows", (1, 2), _sig(NUMBER, ("number",), ("bool",), fn="sum"), _numeric_agg("sum"), aggregate=True),
    "distinct": Function("how many different values the group's rows (matching the filter) hold", (1, 2), _sig(NUMBER, ANY, ("bool",), fn="distinct"), _distinct, aggregate=True),
    "any": Function("some row of the group (matching the filter) meets the condition", (1, 2), _sig(BOOL, ("bool",), ("bool",), fn="any"), _any, aggregate=True),
    "all": Function("every row of the group (matching the filter) meets the condition", (1, 2), _sig(BOOL, ("bool",), ("bool",), fn="all"), _all, aggregate=True),
}


def _date_type(kinds: list[Kind], args: tuple[Node, ...]) -> Type:
    if len(kinds) == 1:
        if not (isinstance(args[0], Literal) and args[0].type == TEXT):
            raise ExprError('date() with one argument takes a literal like date("2007-10-20")', args[0].pos)
        try:
            dt.date.fromisoformat(args[0].value)
        except ValueError:
            raise ExprError(f"'{args[0].value}' is not a date in the form YYYY-MM-DD", args[0].pos) from None
    elif len(kinds) == 3:
        for i in range(3):
            _want(kinds, i, "number", fn="date", args=args)
    else:
        raise ExprError("date() takes one text or three numbers (year, month, day)", args[0].pos)
    return DATE


# --------------------------------------------------------------------------- type checking


def _comparable(a: Type, b: Type) -> bool:
    if a.name == "category" or b.name == "category":
        return {a.name, b.name} <= {"category", "text"}
    return a == b


def _category_literal(cat: Type, node: Node) -> None:
    if isinstance(node, Literal) and node.type == TEXT and node.value not in cat.values:
        raise ExprError(
            f"'{node.value}' is not one of the values: {', '.join(sorted(cat.values))}", node.pos
        )


def _level(pos: int, *kinds: Kind) -> str:
    levels = {k.level for k in kinds} - {"scalar"}
    if len(levels) > 1:
        raise ExprError(
            "a per-row value is mixed with a per-group value; use the row value inside an aggregate such as mean() or any()",
            pos,
        )
    return levels.pop() if levels else "scalar"


@dataclass(frozen=True)
class Scope:
    """The names an expression may use, which of them are columns, and whether aggregates are allowed."""

    names: dict[str, Kind]
    columns: frozenset[str] = frozenset()
    grouped: bool = False


def check(node: Node, env: Scope) -> Kind:
    """The static type of ``node`` given the names in scope; raises ExprError where it is wrong."""
    if isinstance(node, Literal):
        return Kind(node.type, "scalar")
    if isinstance(node, Name):
        if node.id not in env.names:
            known = ", ".join(sorted(env.names)) or "none"
            raise ExprError(f"unknown name '{node.id}'; known names: {known}", node.pos)
        return env.names[node.id]
    if isinstance(node, Unary):
        kind = check(node.operand, env)
        want = "bool" if node.op == "not" else "number"
        if kind.type.name != want:
            raise ExprError(f"'{node.op}' needs a {want}, not {kind.type}", node.pos)
        return kind
    if isinstance(node, In):
        left = check(node.left, env)
        kinds = [check(item, env) for item in node.items]
        for item, kind in zip(node.items, kinds):
            if not _comparable(left.type, kind.type):
                raise ExprError(f"cannot compare {left.type} with {kind.type}", item.pos)
            if left.type.name == "category":
                _category_literal(left.type, item)
        return Kind(BOOL, _level(node.pos, left, *kinds))
    if isinstance(node, Binary):
        left, right = check(node.left, env), check(node.right, env)
        level = _level(node.pos, left, right)
        if node.op in ("and", "or"):
            for side, kind in ((node.left, left), (node.right, right)):
                if kind.type != BOOL:
                    raise ExprError(f"'{node.op}' needs true/false values, not {kind.type}", side.pos)
            return Kind(BOOL, level)
        if node.op in _COMPARE:
            if not _comparable(left.type, right.type):
                raise ExprError(f"cannot compare {left.type} with {right.type}", node.pos)
            if node.op not in ("==", "!=") and left.type.name in ("bool", "category", "years"):
                raise ExprError(f"'{node.op}' does not order {left.type} values", node.pos)
            for cat, other in ((left.type, node.right), (right.type, node.left)):
                if cat.name == "category":
                    _category_literal(cat, other)
            return Kind(BOOL, level)
        if left.type != NUMBER or right.type != NUMBER:
            raise ExprError(f"'{node.op}' needs numbers, not {left.type} and {right.type}", node.pos)
        if node.op == "/" and isinstance(node.right, Literal) and node.right.value == 0:
            raise ExprError("division by zero", node.right.pos)
        return Kind(NUMBER, level)
    assert isinstance(node, Call)
    return _check_call(node, env)


def _check_call(node: Call, env: Scope) -> Kind:
    fn = FUNCTIONS.get(node.func)
    if fn is None:
        raise ExprError(f"unknown function '{node.func}'; functions: {', '.join(sorted(FUNCTIONS))}", node.pos)
    low, high = fn.arity
    if not low <= len(node.args) <= high:
        count = str(low) if low == high else f"{low} to {high}"
        raise ExprError(f"{node.func}() takes {count} argument(s), got {len(node.args)}", node.pos)
    if fn.column_argument:
        arg = node.args[0]
        if not isinstance(arg, Name) or arg.id not in env.columns:
            columns = ", ".join(sorted(env.columns)) or "none"
            raise ExprError(f"{node.func}() takes the name of a column; columns: {columns}", arg.pos)
        return Kind(fn.typer([env.names[arg.id]], node.args), "row")
    kinds = [check(arg, env) for arg in node.args]
    result = fn.typer(kinds, node.args)
    if fn.aggregate:
        if not env.grouped:
            raise ExprError(f"{node.func}() is an aggregate: use it in a village or township rule", node.pos)
        for arg, kind in zip(node.args, kinds):
            if kind.level == "group":
                raise ExprError(f"{node.func}() cannot take a per-group value", arg.pos)
        return Kind(result, "group")
    return Kind(result, _level(node.pos, *kinds) if kinds else "scalar")


# --------------------------------------------------------------------------- evaluation

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


def _missing(value: Any) -> Any:
    if isinstance(value, pd.Series):
        return value.isna()
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _compare(op: str, a: Any, b: Any) -> Any:
    """A comparison where a missing side is false (pandas would make ``NaN != x`` true)."""
    known = _as_bool(~_missing(a) if isinstance(a, pd.Series) else not _missing(a))
    known = known & (~_missing(b) if isinstance(b, pd.Series) else not _missing(b))
    if not isinstance(known, pd.Series):
        return known and bool(_OPS[op](a, b))
    with np.errstate(invalid="ignore"):
        return _as_bool(_OPS[op](a, b)) & known


def evaluate(node: Node, ctx: Context) -> Any:
    """Compute ``node`` over the whole table at once: a scalar or a Series."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return ctx.lookup(node.id)
    if isinstance(node, Unary):
        value = evaluate(node.operand, ctx)
        if node.op == "not":
            return ~_as_bool(value) if isinstance(value, pd.Series) else not _as_bool(value)
        return -value
    if isinstance(node, In):
        left = evaluate(node.left, ctx)
        result: Any = False
        for item in node.items:
            result = result | _compare("==", left, evaluate(item, ctx))
        if node.negated:
            known = ~_missing(left)
            result = (~result & known) if isinstance(result, pd.Series) else (not result and bool(known))
        return result
    if isinstance(node, Binary):
        left, right = evaluate(node.left, ctx), evaluate(node.right, ctx)
        if node.op == "and":
            return _as_bool(left) & _as_bool(right)
        if node.op == "or":
            return _as_bool(left) | _as_bool(right)
        if node.op in _COMPARE:
            return _compare(node.op, left, right)
        if node.op == "/":
            with np.errstate(divide="ignore", invalid="ignore"):
                out = left / right if not _is_zero(right) else np.nan
            return out.replace([np.inf, -np.inf], np.nan) if isinstance(out, pd.Series) else out
        return _OPS[node.op](left, right)
    assert isinstance(node, Call)
    fn = FUNCTIONS[node.func]
    if fn.column_argument:
        return fn.impl(ctx, node.args[0].id)  # type: ignore[attr-defined]
    return fn.impl(ctx, *(evaluate(arg, ctx) for arg in node.args))


def _is_zero(value: Any) -> bool:
    return not isinstance(value, pd.Series) and not _missing(value) and value == 0
