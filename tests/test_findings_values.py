"""Findings are values (issue 11): a Report holds no sentence and no language; rendering is one step at
the end, in zh or en, masking identity numbers as values; a Location is made where a finding is found."""

from __future__ import annotations

import io
import json
import pickle
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faultkit import GOOD_ROWS, HEADER, run, workbook
from report_slate import id_number
from rulecheck import findings
from rulecheck.findings import IdNumber, Location, Note, Report, Violation, column_letter, locate
from rulecheck.formats import writer
from rulecheck.formats.annotate import mark_of
from rulecheck.render import messages
from rulecheck.render.findings import Renderer, render, sentence
from rulecheck.rulefile import ruleset
from rulecheck.run import check_paths

RULES = ruleset.load()
PACKAGE = Path(findings.__file__).parent
ID = id_number("19750312", 163)
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")  # a wrong check character
MASKED_BAD = BAD_ID[:6] + "********" + BAD_ID[-4:]
ID_HEADER = [*HEADER, "身份证号"]


def _slate(folder: Path) -> Path:
    """张老 is 57 and retained (retirement-age); 李青's identity number has a wrong check character."""
    rows = [[*GOOD_ROWS[0], id_number("19500115", 11)], [*GOOD_ROWS[1], BAD_ID], [*GOOD_ROWS[2], ""]]
    return workbook(folder / "slate.xlsx", [ID_HEADER, *rows])


def _json(report: Report, lang: str, show_id: bool = False) -> str:
    out = io.StringIO()
    writer("json")(render(report, RULES, lang, show_id), out)
    return out.getvalue()


# --------------------------------------------------------------------------- one Report, two languages


def test_one_report_is_written_in_either_language_and_the_cli_writes_the_same(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _slate(tmp_path)
    report = check_paths([Path("slate.xlsx"), Path("missing.xlsx")], RULES)
    zh, en = render(report, RULES, "zh"), render(report, RULES, "en")
    assert [(v.rule, v.row, v.column) for v in zh.violations] == [(v.rule, v.row, v.column) for v in en.violations]
    said = {lang: {v.rule: v.message for v in shown.violations} for lang, shown in (("zh", zh), ("en", en))}
    assert "57 周岁" in said["zh"]["retirement-age"] and "57" in said["en"]["retirement-age"]
    assert "周岁" not in said["en"]["retirement-age"]
    assert said["zh"]["id-number-invalid"] == f"身份证号 {MASKED_BAD} 无效:校验码错误"
    assert said["en"]["id-number-invalid"] == f"identity number {MASKED_BAD} is invalid: wrong check digit"
    missing = [f for f in zh.files if f.path == "missing.xlsx"][0].error, [f for f in en.files if f.path == "missing.xlsx"][0].error
    assert missing == ("文件不存在:missing.xlsx", "no such file: missing.xlsx")
    assert zh.rule_titles["retirement-age"] != en.rule_titles["retirement-age"]
    # --lang only changes the rendering: the command line writes what rendering this one Report writes
    for lang in ("zh", "en"):
        result = run("slate.xlsx", "missing.xlsx", lang=lang)
        assert result.code == 2 and result.stdout == _json(report, lang)


def test_a_report_holds_values_not_sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _slate(tmp_path)
    report = check_paths([Path("slate.xlsx")], RULES)
    assert not hasattr(report, "lang") and not any(hasattr(v, "message") for v in report.violations)
    [invalid] = [v for v in report.violations if v.rule == "id-number-invalid"]
    assert dict(invalid.values)["reason"] == "check-digit"  # the rule file's label key: its words come at the end
    assert type(invalid.observed) is IdNumber and invalid.observed == BAD_ID  # typed, unmasked in the value
    assert pickle.loads(pickle.dumps(report)) == report  # plain values: they travel between processes
    assert report.exit_code() == 1


def test_file_errors_and_remarks_are_notes(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = check_paths([tmp_path / "nowhere.xlsx", tmp_path / "empty"], RULES)
    assert [f.error.key for f in report.files] == ["not-found", "no-files"]
    assert all(isinstance(f.error, Note) for f in report.files)
    zh, en = render(report, RULES, "zh"), render(report, RULES, "en")
    assert zh.files[0].error.startswith("文件不存在") and en.files[0].error.startswith("no such file")
    assert zh.exit_code() == en.exit_code() == report.exit_code() == 2


# --------------------------------------------------------------------------- Location


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA"),
                                                (16383, "XFD")])
def test_a_column_index_becomes_its_letter_in_locate(index: int, letters: str) -> None:
    where = locate("a.xlsx", "名单", 7, ("出生年月", index))
    assert where == Location("a.xlsx", "名单", 7, letters, "出生年月") and column_letter(index) == letters
    assert where.label == f"出生年月 ({letters})"
    assert locate("a.xlsx", "名单", 7).label is None and locate("a.xlsx", "名单", 7).column is None


def test_a_finding_is_located_where_excel_shows_it_and_annotate_takes_its_letter(tmp_path: Path) -> None:
    """A table away from A1: two blank columns and a title row before it."""
    path = workbook(tmp_path / "away.xlsx", [["拟任人选名单"], ["", "", *HEADER], *(["", "", *r] for r in GOOD_ROWS)])
    report = check_paths([path], RULES)
    [v] = [v for v in report.violations if v.rule == "retirement-age"]
    assert v.location == Location(str(path), "名单", 3, "G", "出生年月")
    shown = render(report, RULES)
    [s] = [s for s in shown.violations if s.rule == "retirement-age"]
    assert (s.row, s.column, s.letter) == (3, "出生年月 (G)", "G")
    assert mark_of(s) == (str(path), "名单", 3, "G", False)
    village = [s for s in shown.violations if s.scope != "person" and s.anchor is not None]
    assert village and all(re.fullmatch(r"[A-Z]+", s.anchor.column) for s in village)
    assert all(mark_of(s)[3] == s.anchor.column for s in village)


# --------------------------------------------------------------------------- identity numbers are typed values


def _rules_with_message(tmp_path: Path, zh: str, en: str) -> ruleset.Ruleset:
    text = ruleset.default_path().read_text(encoding="utf-8")
    old = '      zh: "身份证号 {observed} 无效:{reason}"\n      en: "identity number {observed} is invalid: {reason}"\n'
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, f'      zh: "{zh}"\n      en: "{en}"\n'), encoding="utf-8")
    return ruleset.load(path)


def test_an_identity_number_is_masked_whatever_the_message_does_with_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two numbers side by side read as one run of 36 digits, which no pattern over the text takes for an
    identity number; masked as a value before it is written, each is masked."""
    rules = _rules_with_message(tmp_path, "号码{observed}{observed}", "number {observed:>30}{observed}")
    monkeypatch.chdir(tmp_path)
    _slate(tmp_path)
    report = check_paths([Path("slate.xlsx")], rules)
    for lang in ("zh", "en"):
        shown = render(report, rules, lang)
        [v] = [v for v in shown.violations if v.rule == "id-number-invalid"]
        assert BAD_ID not in v.message and v.message.count(MASKED_BAD) == 2 and v.observed == MASKED_BAD
        [seen] = [s for s in render(report, rules, lang, show_id=True).violations if s.rule == "id-number-invalid"]
        assert seen.message.count(BAD_ID) == 2
    for fmt in ("json", "csv", "text", "github", "junit"):
        out = run("slate.xlsx", "--rules", str(tmp_path / "rules.yaml"), fmt=fmt).stdout
        assert BAD_ID not in out, fmt


@given(st.sampled_from(["", ">30", "<25", "^40", "s"]), st.sampled_from(["zh", "en"]))
def test_a_typed_identity_number_is_masked_before_any_format_spec(spec: str, lang: str) -> None:
    renderer = Renderer(RULES, lang)
    rule = renderer.rules["id-number-invalid"]
    shown = renderer.value(IdNumber(ID), spec or None, rule)
    assert ID not in shown and ID[:6] + "********" + ID[-4:] in shown
    assert ID in Renderer(RULES, lang, show_id=True).value(IdNumber(ID), spec or None, rule)


def test_sentence_renders_one_finding() -> None:
    v = Violation("id-number-invalid", "error", "person", "城南镇", "一村", "李青", Location("a.xlsx", "名单", 3),
                  (("reason", "length"),), IdNumber(BAD_ID))
    assert sentence(v, RULES) == f"身份证号 {MASKED_BAD} 无效:位数不对(应为18位或15位)"
    assert sentence(v, RULES, "en") == f"identity number {MASKED_BAD} is invalid: wrong length (18 or 15 characters expected)"
    assert sentence(v, RULES, "en", show_id=True) == f"identity number {BAD_ID} is invalid: wrong length (18 or 15 characters expected)"


# --------------------------------------------------------------------------- message keys


# Keys the code makes from a prefix and a word (f"made-by-{made_by}", "col-" + key): the words it can take.
_MADE = {"made-by-": ("report", "annotated"), "severity-": ("error", "warning", "notice"),
         "count-": ("error", "warning", "notice")}
_KEY_CALLS = re.compile(
    r"""(?:\bt\(\s*[\w.]+\s*,\s*|Note\.of\(\s*|Note\(\s*|ReadError\(\s*|Term\(\s*|AnnotateError\(t\(\s*[\w.]+\s*,\s*)"""
    r"""(f?)"([a-z][a-z0-9-]*)(\{)?""")
_NOTE_TUPLES = re.compile(r"""\(\s*"([a-z][a-z0-9-]+)",\s*\{""")  # the reader's notes: ("key", {values})


def _keys_in_code() -> tuple[set[str], set[str]]:
    """Message keys the package's code names, and prefixes of keys it makes from a word."""
    keys, prefixes = set(), set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "messages.py":
            continue
        source = path.read_text(encoding="utf-8")
        for fstring, key, brace in _KEY_CALLS.findall(source):
            (prefixes if (fstring and brace) or key.endswith("-") else keys).add(key)
        keys.update(_NOTE_TUPLES.findall(source))
    return keys, prefixes


def test_every_message_key_the_code_names_exists_in_both_languages() -> None:
    keys, prefixes = _keys_in_code()
    assert len(keys) > 100 and {"not-found", "reader-crashed", "duplicate-place", "township-not-found"} <= keys
    missing = sorted(k for k in keys if k not in messages._MESSAGES)
    assert missing == []
    for prefix in prefixes:
        made = [k for k in messages._MESSAGES if k.startswith(prefix)]
        assert made, prefix
        for word in _MADE.get(prefix, ()):
            assert prefix + word in messages._MESSAGES
    for key, (zh, en) in messages._MESSAGES.items():
        assert zh.strip() or key in ("list-sep",), key
        assert en.strip() or en == "", key


def _placeholders(text: str) -> set[str]:
    return {re.sub(r"_(zh|en)$", "", f) for _, f, _, _ in string.Formatter().parse(text) if f}


# Where the two languages rightly differ: English plural endings, and "… and 7 more" against 等 10 个.
_ENGLISH_ONLY = {"s", "verb"}
_COUNTED_APART = {"and-more": ({"count"}, {"more"})}


def test_zh_and_en_have_the_same_placeholders() -> None:
    for key, (zh, en) in messages._MESSAGES.items():
        if key in _COUNTED_APART:
            assert (_placeholders(zh), _placeholders(en)) == _COUNTED_APART[key]
            continue
        assert _placeholders(zh) == _placeholders(en) - _ENGLISH_ONLY, key


def test_placeholders_of_the_rule_file_messages_match_in_both_languages() -> None:
    for rule in RULES.rules:
        assert _placeholders(rule.spec.message.zh) == _placeholders(rule.spec.message.en), rule.id


def test_the_json_report_is_the_same_whatever_the_language_but_its_words(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _slate(tmp_path)
    report = check_paths([Path("slate.xlsx")], RULES)
    zh, en = json.loads(_json(report, "zh")), json.loads(_json(report, "en"))
    keep = ("rule", "severity", "scope", "file", "sheet", "row", "column", "observed")
    assert [{k: v[k] for k in keep} for v in zh["violations"]] == [{k: v[k] for k in keep} for v in en["violations"]]
    assert zh["summary"] == en["summary"] and zh["violations"] != en["violations"]


# --------------------------------------------------------------------------- the web page: checked once


def test_serve_checks_an_upload_once_and_renders_the_report_in_each_language(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import rulecheck.run as run_module
    from rulecheck.serve import checking

    real, calls = run_module.check_paths, []

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "check_paths", counted)
    choices = checking.Choices(None, False, None, "zh")
    upload = checking.Upload((("名单.xlsx", _slate(tmp_path).read_bytes()),), choices.default, None, False)
    held = checking.Checked(upload)
    pages = {}
    for lang in ("zh", "en", "zh"):
        shown, files = checking.report_for(held, lang, choices)
        try:
            assert shown.lang == lang
            pages[lang] = checking.page_data(shown, files, False)
            name, data, _ = checking.download(shown, files, "json")
            assert MASKED_BAD in data.decode("utf-8") and BAD_ID not in data.decode("utf-8")
            [annotated] = [n for n, f in enumerate(pages[lang]["files"]) if f["annotatable"]]
            assert checking.download(shown, files, "annotated", annotated)[1][:2] == b"PK"
        finally:
            checking.close(files)
    assert len(calls) == 1  # checked once; each language is the kept Report rendered again
    said = {lang: {f["rule"]: f["message"] for f in page["findings"]} for lang, page in pages.items()}
    assert "周岁" in said["zh"]["retirement-age"] and "周岁" not in said["en"]["retirement-age"]
    for page in pages.values():  # the finding's cell is found in the upload as written anew for this request
        [old] = [f for f in page["findings"] if f["rule"] == "retirement-age"]
        assert old["file"] == 0 and old["row"] == 2 and old["letter"] is not None
        assert [f["name"] for f in page["files"]] == ["名单.xlsx"]
        assert all(BAD_ID not in json.dumps(page, ensure_ascii=False) for page in pages.values())
