"""Properties: no input makes a normaliser, the reader or the rule loader raise anything but rulecheck's own
clear error, and what rulecheck itself writes reads back to the same value.

tests/test_values.py and tests/test_idnumber.py hold the parsers' own properties (never raise, date and
identity-number round trips); these add the header and role normalisers, decorated forms, the engine's
own formatting, the reader on arbitrary bytes and the rule loader on arbitrary text.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rulecheck import engine

from rulecheck.lang import expr

from rulecheck.read import guard, reader

from rulecheck.rulefile import ruleset

from rulecheck.table import idnumber, types, values
from rulecheck.table.types.birth_date import parse_birth
from rulecheck.table.types.boolean import parse_boolean
from rulecheck.table.types.category import parse_category
from rulecheck.table.types.date import parse_date
from rulecheck.table.types.number import parse_number
from rulecheck.read.raw import ReadError
from rulecheck.table import header
from rulecheck.table.header import Layout, match_header

RULES = ruleset.load()
ALIASES = Layout.of(RULES.columns, "name").aliases
ROLES = RULES.columns["role"].categories or {}
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
SUFFIXES = ["", "*", "(必填)", "（单位）", "【年.月】", "(yyyy.mm)"]


@st.composite
def decorated(draw: st.DrawFn, text: str) -> str:
    """The same words as an office might type them: spaces between characters, full-width forms."""
    out = []
    for ch in text:
        if draw(st.booleans()):
            ch = FULL_WIDTH.get(ch, ch)
        out.append(ch + draw(st.sampled_from(["", "", " ", "\u3000", "\u00a0"])))
    return draw(st.sampled_from(["", " ", "\u3000"])) + "".join(out)


ALIAS_PAIRS = [(alias, key) for key, spec in RULES.columns.items() for alias in spec.aliases]


# --------------------------------------------------------------------------- headers


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.dates(), st.booleans()))
def test_match_header_never_raises(cell: object) -> None:
    assert match_header(cell, ALIASES) in (None, *RULES.columns)


@given(st.sampled_from(ALIAS_PAIRS).flatmap(lambda pair: st.tuples(st.just(pair), decorated(pair[0]), st.sampled_from(SUFFIXES))))
def test_every_alias_is_found_however_typed(case: tuple[tuple[str, str], str, str]) -> None:
    (alias, key), typed, suffix = case
    # The first alias of a column wins where two columns share one (e.g. 村 and 单位): the table says which.
    assert match_header(typed + suffix, ALIASES) == ALIASES[values.fold_text(alias)]


# --------------------------------------------------------------------------- roles (categories)

ROLE_PAIRS = [(synonym, key) for key, synonyms in ROLES.items() for synonym in synonyms]


@given(st.sampled_from(ROLE_PAIRS).flatmap(lambda pair: st.tuples(st.just(pair), decorated(pair[0]))),
       st.sampled_from(["", "“", "「"]))
def test_every_role_is_read_however_typed(case: tuple[tuple[str, str], str], quote: str) -> None:
    (synonym, key), typed = case
    closing = {"": "", "“": "”", "「": "」"}[quote]
    parsed = parse_category(pd.Series([quote + typed + closing], dtype=object), ROLES)
    assert parsed.values.tolist() == [key] and not parsed.unreadable.any()


@given(st.lists(st.text(), max_size=6))
def test_roles_never_raise_and_are_one_of_the_keys(cells: list[str]) -> None:
    parsed = parse_category(pd.Series(cells, dtype=object), ROLES)
    assert set(parsed.values.dropna()) <= set(ROLES)


# --------------------------------------------------------------------------- what rulecheck writes reads back

RULE = RULES.rules[0]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_rulecheck_writes_read_back(day: dt.date) -> None:
    shown = types.show(pd.Timestamp(day), None, "zh", RULE.spec.labels)
    as_json = types.to_json(pd.Timestamp(day), "en", RULE.spec.labels)
    parsed = parse_date(pd.Series([shown, as_json], dtype=object))
    assert parsed.values.tolist() == [pd.Timestamp(day)] * 2
    assert parse_birth(pd.Series([shown], dtype=object)).values.tolist() == [pd.Timestamp(day)]


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_numbers_rulecheck_writes_read_back(number: float) -> None:
    shown = types.show(number, None, "zh", RULE.spec.labels)
    parsed = parse_number(pd.Series([shown], dtype=object)).values.iloc[0]
    assert parsed == pytest.approx(round(number, 2), abs=0.0051)
    assert types.to_json(number, "zh", RULE.spec.labels) == pytest.approx(number, abs=1e-4)


@given(st.booleans())
def test_yes_and_no_rulecheck_writes_read_back(flag: bool) -> None:
    for lang in ("zh", "en"):
        shown = types.show(flag, None, lang, RULE.spec.labels)
        assert parse_boolean(pd.Series([shown], dtype=object)).values.tolist() == [flag]


@given(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.from_regex(r"[0-9]{3}", fullmatch=True), st.data())
def test_identity_numbers_however_typed(region: str, born: dt.date, sequence: str, data: st.DataObject) -> None:
    first17 = region + born.strftime("%Y%m%d") + sequence
    number = first17 + idnumber.check_character(first17)
    typed = data.draw(decorated(number.lower()))
    s = pd.Series([typed], dtype=object)
    assert idnumber.valid(s).tolist() == [True]
    assert idnumber.birth(s).tolist() == [pd.Timestamp(born)]


@given(st.text())
def test_check_character_says_what_it_wants(text: str) -> None:
    try:
        idnumber.check_character(text)
    except ValueError as exc:
        assert "17 digits" in str(exc)


# --------------------------------------------------------------------------- the reader on arbitrary bytes

MAGIC = [b"", b"PK\x03\x04", b"PK\x05\x06", guard.OLE2, b"<html><table><tr><td>", b"\xef\xbb\xbf",
         b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row>',
         b"\xff\xfe", "镇,姓名\n".encode("gb18030")]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MAGIC), st.binary(max_size=2000))
def test_reader_raises_only_its_own_error(prefix: bytes, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xlsx"
        path.write_bytes(prefix + body)
        try:
            sheets = reader.read_rows(path)
        except ReadError as exc:
            assert exc.message("zh") and exc.message("en")
        else:
            assert all(isinstance(sheet.rows, list) for sheet in sheets)


@settings(max_examples=100)
@given(st.lists(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["镇", "姓名", "出生年月", "职务", "", "合计"])),
                         max_size=6), max_size=8))
def test_read_file_on_any_table_raises_only_its_own_error(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in rows), encoding="utf-8")
        try:
            read = header.read_file(path, RULES)
        except ReadError:
            return
        for sheet in read.sheets:
            assert sheet.skipped >= 0 and sheet.frame["_row"].is_monotonic_increasing


# What a sheet's one-pass glance stands for (guard._glance): a cell far from A1 in any form an XML
# parser accepts, and a formula element, prefixed or not. A wrong "no" would let calamine lay out a
# huge grid, or show a formula without its value as a blank.
FAR_CELL = re.compile(rb"""r\s*=\s*["'](?:[A-Za-z]{2}|[A-Za-z]?[0-9]{5})""")
FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
JUNK = st.binary(max_size=12) | st.sampled_from([b"", b"<c ", b"<x:c ", b'<row r="7">', b" s=\"1\"", b"<v>12345</v>"])
SPACES = st.from_regex(rb"\A\s{0,3}\Z")


@given(JUNK, st.sampled_from([b"r", b"x:r", b"ref"]), SPACES, SPACES, st.sampled_from([b'"', b"'"]),
       st.from_regex(rb"\A[A-Za-z]{0,3}[0-9]{0,8}\Z"), st.sampled_from([b"", b"x:", b"ns-1.a:"]),
       st.sampled_from([b"", b">", b"/", b" ", b"\n", b"x"]), JUNK)
@example(b"", b"r", b"", b"", b'"', b"00000", b"", b"", b"sheetData")
@example(b"", b"r", b"", b"", b'"', b"", b"", b">", b"sheetData")
def test_sheet_glance_never_misses(before: bytes, name: bytes, space1: bytes, space2: bytes, quote: bytes, ref: bytes,
                                   prefix: bytes, after_f: bytes, after: bytes) -> None:
    xml = before + name + space1 + b"=" + space2 + quote + ref + quote + b"<" + prefix + b"f" + after_f + after
    formula, far = guard._glance(xml)
    # calamine reads cells only between the first and the last "sheetData" (when there is one): only there
    # must the glance see them (hypothesis found junk spelling "sheetData" after the cell).
    start, end = xml.find(b"sheetData"), xml.rfind(b"sheetData")
    cells = xml if start < 0 else xml[start:end if end > start else len(xml)]
    assert far or not FAR_CELL.search(cells)
    assert formula or not FORMULA.search(cells)


def test_sheet_glance_passes_a_plain_sheet() -> None:
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet><dimension ref="A1:Z9999"/><sheetData>'
           b'<row r="9999"><c r="A9999" t="s"><v>12345</v></c><c r = \'Z1\'><v>1</v></c></row></sheetData></worksheet>')
    assert guard._glance(xml) == (False, False)
    assert guard._glance(xml.replace(b"Z1", b"AA1")) == (False, True)
    assert guard._glance(xml.replace(b"Z1", b"zz1")) == (False, True)  # calamine reads it as ZZ1
    assert guard._glance(xml.replace(b"Z1", b"rf1")) == (False, True)
    assert guard._glance(xml.replace(b"Z1", b"Z10000")) == (False, True)
    assert guard._glance(xml.replace(b"<v>1</v>", b"<x:f>A1</x:f><v>1</v>")) == (True, False)


# --------------------------------------------------------------------------- the rule loader on arbitrary text

SOURCE = (Path(__file__).parent.parent / "rules" / "public-service-centre.yaml").read_text(encoding="utf-8")
SOURCE_LINES = SOURCE.splitlines()


def load_text(text: str) -> ruleset.Ruleset | None:
    """Load a rule file; None when it is refused with rulecheck's own error, which must name the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return ruleset.load(path)
        except ruleset.RuleFileError as exc:
            assert str(exc).startswith(str(path)) and exc.message
            return None


@settings(max_examples=150)
@given(st.text(alphabet=st.sampled_from(list(string.printable) + ["镇", "：", "\u3000", "&", "*", "!", "%"]), max_size=300))
def test_rule_loader_on_any_text(text: str) -> None:
    load_text(text)


@settings(max_examples=150)
@given(st.lists(st.tuples(st.integers(0, len(SOURCE_LINES) - 1), st.sampled_from(["drop", "double", "dedent", "indent", "garble"]),
                          st.text(max_size=6)), min_size=1, max_size=4))
def test_rule_loader_on_a_damaged_rule_file(edits: list[tuple[int, str, str]]) -> None:
    lines = list(SOURCE_LINES)
    for at, how, junk in edits:
        at = min(at, len(lines) - 1)
        if how == "drop":
            del lines[at]
        elif how == "double":
            lines.insert(at, lines[at])
        elif how == "dedent":
            lines[at] = lines[at][2:]
        elif how == "indent":
            lines[at] = "  " + lines[at]
        else:
            lines[at] = lines[at][: len(lines[at]) // 2] + junk + lines[at][len(lines[at]) // 2:]
        if not lines:
            lines = [""]
    load_text("\n".join(lines))


ATOMS = ["office_area", "office_rooms", "new_members", "capable_members", "village", "township", "max_office_area",
         "capable_fraction", "as_of", "0", "1.5", "40", '"x"', "true", "false", 'date("2007-10-20")']
FUNCTIONS = sorted(expr.FUNCTIONS) + ["avg", "eval", "__import__"]


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", ">=", "and", "or"]), inner).map(" ".join),
            inner.map(lambda e: f"not ({e})"),
            inner.map(lambda e: f"-({e})"),
            st.tuples(inner, st.lists(inner, min_size=1, max_size=3)).map(lambda p: f"{p[0]} in [{', '.join(p[1])}]"),
            st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(lambda p: f"{p[0]}({', '.join(p[1])})"),
        ),
        max_leaves=8,
    )


NUMBERS = ["office_area", "office_rooms", "new_members", "capable_members", "max_office_area", "capable_fraction", "0", "3", "40.5"]


def typed(grouped: bool) -> st.SearchStrategy[str]:
    """Mostly well-typed conditions, so that evaluation is exercised too (row-level, or per group)."""
    number = st.recursive(
        st.sampled_from(NUMBERS),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda p: f"({' '.join(p)})"),
            inner.map(lambda e: f"-{e}"),
            st.tuples(inner, inner).map(lambda p: f"coalesce({p[0]}, {p[1]})"),
        ),
        max_leaves=4,
    )
    condition = st.recursive(
        st.one_of(
            st.tuples(number, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), number).map(" ".join),
            number.map(lambda e: f"present({e})"),
            st.sampled_from(["blank(office_area)", "unreadable(office_rooms)", 'village == "一村"', 'village in ["一村", "三村"]',
                             'raw(office_area) == "45平方米"']),
        ),
        lambda inner: st.one_of(
            inner.map(lambda e: f"not ({e})"),
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda p: f"({' '.join(p)})"),
        ),
        max_leaves=4,
    )
    if not grouped:
        return condition
    aggregate = st.one_of(
        st.tuples(st.sampled_from(["count", "any", "all"]), condition).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(st.sampled_from(["mean", "min", "max", "sum"]), number, condition).map(lambda p: f"{p[0]}({p[1]}, {p[2]})"),
        st.tuples(condition, condition).map(lambda p: f"share({p[0]}, {p[1]})"),
    )
    return st.one_of(
        st.tuples(aggregate, st.sampled_from(["<", ">=", "=="]), st.sampled_from(["0", "1", "max_office_area"])).map(" ".join),
        aggregate.filter(lambda e: e.startswith(("any", "all"))),
    )


@settings(max_examples=80)  # each well-typed example runs the engine: about 0.1 s
@given(st.one_of(
    st.tuples(expressions(), st.sampled_from(["person", "township"])),
    st.tuples(typed(False), st.just("person")),
    st.tuples(typed(True), st.just("township")),
))
def test_random_expressions_are_refused_clearly_or_run(case: tuple[str, str]) -> None:
    when, scope = case
    assume("\n" not in when)
    rule = f"""
  - id: random-rule
    severity: warning
    scope: {scope}
    title: {{zh: 随机, en: random}}
    when: '{when.replace("'", "''")}'
    message: {{zh: "随机", en: "random"}}
"""
    loaded = load_text(SOURCE + rule)
    if loaded is None:
        return
    frame = pd.DataFrame({
        "township": ["城南镇", "城南镇", None], "village": ["一村", "二村", "三村"], "office_rooms": [1, "两间", None],
        "office_area": [40, "45平方米", ""], "new_members": [3, 0, None], "capable_members": [1, 0, "x"], "_row": [2, 3, 4],
    })
    sheet = header.Sheet("x.xlsx", "统计表", frame, {k: k for k in frame if k != "_row"})
    outcome = engine.run(loaded, [sheet], dt.date(2007, 12, 31))  # type-checked, so it evaluates
    assert all(v.rule for v in outcome.violations)
