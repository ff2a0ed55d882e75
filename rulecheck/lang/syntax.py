"""The syntax of rule expressions: tokens, the parser and the immutable syntax tree.

Text from a rule file is tokenised and parsed by hand into an immutable tree; nothing is ever
passed to ``eval``. A literal carries its value type; everything else is typed by typecheck.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rulecheck.lang.types import BOOL, NUMBER, TEXT, Type


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
COMPARE = ("==", "!=", "<", "<=", ">", ">=")


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
    if value in COMPARE and kind == "op":
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
