"""The syntax of rule expressions (rulecheck.lang.syntax): precedence, errors with their offset, no Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulecheck.lang import Binary, Call, ExprError, In, Literal, Name, Unary, children, names, parse
from rulecheck.lang import NUMBER, TEXT


def test_precedence() -> None:
    node = parse("not a or b and c == 1 + 2 * 3")
    assert isinstance(node, Binary) and node.op == "or"
    assert isinstance(node.left, Unary)
    right = node.right
    assert isinstance(right, Binary) and right.op == "and"
    compare = right.right
    assert isinstance(compare, Binary) and compare.op == "=="
    total = compare.right
    assert isinstance(total, Binary) and total.op == "+"
    assert isinstance(total.right, Binary) and total.right.op == "*"


@pytest.mark.parametrize(("text", "message", "pos"), [
    ("age >", "expected a value, found end of expression", 5),
    ("age > 3 3", "unexpected '3' after a complete expression", 8),
    ("mean(age", "expected ')', found end of expression", 8),
    ("age ; 1", "unexpected character ';'", 4),
    ("role not 1", "unexpected 'not' after a complete expression", 5),
])
def test_syntax_errors_say_where(text: str, message: str, pos: int) -> None:
    with pytest.raises(ExprError) as exc:
        parse(text)
    assert (exc.value.message, exc.value.pos) == (message, pos)


def test_literals_carry_their_types_and_names_are_collected() -> None:
    node = parse('age(born) > 35 and name not in ["甲", "乙"]')
    assert names(node) == {"born", "name"}
    call = node.left.left  # type: ignore[attr-defined]
    assert isinstance(call, Call) and call.func == "age" and isinstance(call.args[0], Name)
    assert node.left.right == Literal(12, 35.0, NUMBER)  # type: ignore[attr-defined]
    member = node.right  # type: ignore[attr-defined]
    assert isinstance(member, In) and member.negated
    assert [c.value for c in children(member)[1:]] == ["甲", "乙"]  # type: ignore[attr-defined]
    assert all(c.type == TEXT for c in children(member)[1:])  # type: ignore[attr-defined]


def test_no_python_is_ever_parsed() -> None:
    with pytest.raises(ExprError):
        parse("age.__class__")
    with pytest.raises(ExprError):
        parse("lambda: 1")  # 'lambda' is a name, ':' no token of the language


@settings(max_examples=200)
@given(st.text(alphabet="ab1 ()=<>!+-*/,[]'\"andornotin", max_size=30))
def test_any_text_parses_or_says_where(text: str) -> None:
    try:
        parse(text)
    except ExprError as exc:
        assert 0 <= exc.pos <= len(text)
