"""The expression language of rule files: syntax, types, evaluation, functions.

- syntax.py: tokens, the parser, the syntax tree (``parse``, ``children``, ``names``, ExprError);
- types.py: value types and the kind of an expression (Type, Kind, Scope, NUMBER/TEXT/...);
- typecheck.py: ``check``, run on every expression when the rule file is loaded;
- evaluate.py: ``evaluate`` over a Context (values, derived fields, cell text, identity checks);
- functions/: the functions by family, and FUNCTIONS, their registry.
"""

from rulecheck.lang.evaluate import CellText, Context, TextColumns, evaluate
from rulecheck.lang.functions import FUNCTIONS, ID_PROBLEMS, SEX, Function, IdNumbers, group_count, group_distinct
from rulecheck.lang.syntax import Binary, Call, ExprError, In, Literal, Name, Node, Unary, children, names, parse
from rulecheck.lang.typecheck import check
from rulecheck.lang.types import BOOL, DATE, LEVELS, NUMBER, TEXT, YEARS, Kind, Scope, Type, comparable

__all__ = [
    "BOOL", "DATE", "FUNCTIONS", "ID_PROBLEMS", "LEVELS", "NUMBER", "SEX", "TEXT", "YEARS",
    "Binary", "Call", "CellText", "Context", "ExprError", "Function", "IdNumbers", "In", "Kind", "Literal", "Name",
    "Node", "Scope", "TextColumns", "Type", "Unary",
    "check", "children", "comparable", "evaluate", "group_count", "group_distinct", "names", "parse",
]
