"""Type checking of rule expressions: every tree is checked when the rule file is loaded, so a typo,
an unknown function or a comparison of text with a number stops the load with the position."""

from __future__ import annotations

from rulecheck.lang.functions import FUNCTIONS
from rulecheck.lang.syntax import COMPARE, Binary, Call, ExprError, In, Literal, Name, Node, Unary
from rulecheck.lang.types import BOOL, NUMBER, TEXT, Kind, Scope, Type, comparable


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
            if not comparable(left.type, kind.type):
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
        if node.op in COMPARE:
            if not comparable(left.type, right.type):
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
