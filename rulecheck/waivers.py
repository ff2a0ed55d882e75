"""Waivers: approved exceptions to the rules a rule file marks ``waivable: true``, kept visible.

A waiver file (``rulecheck-waivers.yaml`` beside ``rulecheck.toml``, or named with ``--waivers``)
holds one entry per approval::

    waivers:
      - rule: retirement-age              # a rule marked waivable: true
        township: 丁堰镇                   # whom it covers: a township; a village (with its township);
        village: 丁东村                    # a person by village and name, or by id_number
        name: 张三
        reason: 确因工作需要留任,经镇党委研究报批
        approved_by: 中共如皋市委组织部      # 批准单位
        reference: 皋组复〔2007〕12号        # 批复文号
        expires: 2007-12-31               # optional: the last day it applies

It is read as plain YAML data with the line of every key (``ruleset.read_yaml``) and validated by
pydantic; a mistake stops the run with ``file:line`` and the key path, as a rule file's does.

Waivers apply after the check, as one step over the Report (``apply``): a finding a waiver covers
moves from ``violations`` to ``waived``, carrying the waiver, so it is no longer counted (exit
code, counts, the summary's colours) but every format still shows it with the approval. A waiver
that covers nothing, and one that expired before the as-of day (it does not apply), are warnings
naming the waiver file and line. Like every finding, these are values (the message's key and its
values, an identity number an ``IdNumber``): rulecheck.render.findings puts them into words, in zh or
en, masked unless --show-id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from pydantic import ValidationError, field_validator

from rulecheck.findings import SEVERITY_RANK, IdNumber, Location, Note, Report, Violation, Waiver, person_key, township_key
from rulecheck.formats.inert import inert_text
from rulecheck.render.messages import t
from rulecheck.rulefile.keys import key_path, line_of
from rulecheck.rulefile.ruleset import SUMMARY_SCOPE, RuleFileError, Ruleset, Strict, read_yaml
from rulecheck.table import idnumber

UNMATCHED, EXPIRED = "waiver-unmatched", "waiver-expired"  # the rule ids of a waiver's own findings


class WaiverError(RuleFileError):
    """A waiver file that cannot be used: file:line, the key path and why, in zh and en."""


# --------------------------------------------------------------------------- the schema


class WaiverSpec(Strict):
    rule: str
    county: str | None = None
    township: str | None = None
    village: str | None = None
    name: str | None = None
    id_number: str | None = None
    reason: str
    approved_by: str  # 批准单位
    reference: str  # 批复文号
    expires: dt.date | None = None

    @field_validator("id_number", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        # An unquoted 18-digit number is a YAML integer, kept exactly: read it as the digits it is.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class WaiverFile(Strict):
    waivers: list[WaiverSpec]

    @field_validator("waivers", mode="before")
    @classmethod
    def _none(cls, value: object) -> object:
        return [] if value is None else value  # "waivers:" with every entry removed: no waivers


# What each required key holds, for "missing" errors.
_REQUIRED = {
    "waivers": ("豁免列表", "the list of waivers"),
    "rule": ("规则编号", "the rule id"),
    "reason": ("豁免理由", "the reason"),
    "approved_by": ("批准单位", "the approving body (批准单位)"),
    "reference": ("批复文号", "the approval's reference (批复文号)"),
}
_TEXT_KEYS = ("rule", "county", "township", "village", "name", "id_number", "reason", "approved_by", "reference")


def _plain(err: dict) -> str:
    """pydantic's wording of a wrong value, said as a waiver file's reader needs it."""
    kind = err["type"]
    if kind.startswith("date"):
        return "expected a date (YYYY-MM-DD)"
    if kind == "string_type":
        return "expected text"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping (key: value)"
    if kind == "list_type":
        return "expected a list (- item)"
    return err["msg"]


@dataclass(frozen=True)
class Waivers:
    """A loaded waiver file: its path and its entries, in file order."""

    path: str
    entries: tuple[Waiver, ...]


def load(path: Path, ruleset: Ruleset) -> Waivers:
    """Read and validate a waiver file against the rule file; raises WaiverError (file:line key: why)."""
    from rulecheck.render.i18n import rule_file_message, value_message

    name = str(path)
    if not path.is_file():
        raise WaiverError(name, None, "", t("en", "waivers-not-found"), t("zh", "waivers-not-found"))
    try:
        data, lines = read_yaml(path)
    except WaiverError:
        raise
    except RuleFileError as exc:  # the YAML reader speaks of a rule file: this one is a waiver file
        en = exc.message.replace("rule file", "waiver file")
        zh = rule_file_message(exc.message).replace("规则文件", "豁免文件")
        raise WaiverError(name, exc.line, exc.key, en, zh) from None

    def fail(loc: tuple, en: str, zh: str) -> WaiverError:
        return WaiverError(name, line_of(lines, loc), key_path(loc), en, zh)

    try:
        spec = WaiverFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()  # a mistyped key first: it is why the right one seems missing
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            keys = ", ".join((WaiverSpec if len(loc) > 2 else WaiverFile).model_fields)
            raise fail(loc, f"unknown key '{loc[-1]}'; keys: {keys}", f"未知的键「{loc[-1]}」;可用的键:{keys}") from None
        if err["type"] == "missing":
            zh, en = _REQUIRED.get(str(loc[-1]), ("", str(loc[-1])))
            raise fail(loc, f"required: {en}", f"缺少这一项(必填):{zh}") from None
        raise fail(loc, _plain(err), value_message(err["msg"], "zh")) from None
    return Waivers(name, tuple(_entry(ruleset, w, ("waivers", i), name, line_of(lines, ("waivers", i)) or 1, fail)
                                 for i, w in enumerate(spec.waivers)))


def _entry(ruleset: Ruleset, w: WaiverSpec, loc: tuple, path: str, line: int, fail) -> Waiver:
    """One entry checked against the rule file: a waivable rule, and a target that fits the rule's scope."""
    for key in _TEXT_KEYS:
        value = getattr(w, key)
        if value is not None and not value.strip():
            raise fail(loc + (key,), "must not be blank", "不能为空")
    rules = {r.id: r for r in ruleset.rules}
    waivable = [r.id for r in ruleset.rules if r.spec.waivable and r.spec.check is None]
    listed = ", ".join(waivable) or "-"
    rule = rules.get(w.rule)
    if rule is None:
        raise fail(loc + ("rule",), f"unknown rule '{w.rule}'; waivable rules: {listed}",
                   f"没有规则「{w.rule}」;可以豁免的规则:{listed}")
    if w.rule not in waivable:
        raise fail(loc + ("rule",),
                   f"rule '{w.rule}' cannot be waived: the rule file does not mark it waivable: true "
                   f"(identity-number and data rules never are); waivable rules: {listed}",
                   f"规则「{w.rule}」不能豁免:规则文件没有把它标为 waivable: true(身份证号和数据类规则一律不能豁免);"
                   f"可以豁免的规则:{listed}")
    township_keys = ruleset.groups.get(SUMMARY_SCOPE, ())
    if w.county is not None and "county" not in township_keys:
        raise fail(loc + ("county",), "the rule file's townships are not told apart by a county",
                   "规则文件的镇(区)分组中没有县(市、区)")
    if w.name is not None and w.village is None:
        raise fail(loc + ("name",), "a name needs the village it is in (village)", "写了姓名(name)就要写所在的村(village)")
    if w.village is not None and w.township is None and ruleset.township_column is not None:
        raise fail(loc + ("village",), "a village needs its township (township)", "写了村(village)就要写所属的镇(township)")
    if not any((w.township, w.village, w.name, w.id_number)):
        raise fail(loc, "say whom the waiver covers: township, village (with its township), "
                        "name (with its village) or id_number",
                   "要写明豁免的对象:镇(township)、村(village,连同所属的镇)、姓名(name,连同所在的村)或身份证号(id_number)")
    person = w.name is not None or w.id_number is not None
    scope = rule.spec.scope
    if scope != "person" and (person or (scope == SUMMARY_SCOPE and w.village is not None)):
        key = "id_number" if w.id_number is not None else "name" if w.name is not None else "village"
        whom = t("en", f"scope-{scope}") if scope in ("village", "township") else scope
        raise fail(loc + (key,), f"rule '{w.rule}' is about a {whom}: its waiver covers a {whom}"
                   + (" or its township" if scope == "village" else ""),
                   f"规则「{w.rule}」针对的是{t('zh', f'scope-{scope}') if scope in ('village', 'township') else scope}:"
                   f"豁免对象应为{'村(社区)或镇(区)' if scope == 'village' else '镇(区)'}")
    number = None
    if w.id_number is not None:
        number = idnumber.normalise(pd.Series([w.id_number], dtype=object)).to_numpy(dtype=object)[0]
    text = inert_text  # a waiver's words are shown on the terminal: control characters escaped
    who: object
    if isinstance(number, str):  # a message and the names after it: put into words, the number masked, when shown
        who = (Note.of("waiver-who-id", id=IdNumber(number)), text("".join(f" {x}" for x in (w.township, w.village, w.name) if x)))
    else:
        who = text(" ".join(x for x in (w.county, w.township, w.village, w.name) if x))
    return Waiver(
        rule=w.rule, file=path, line=line, reason=text(w.reason.strip()), approved_by=text(w.approved_by.strip()),
        reference=text(w.reference.strip()), expires=w.expires.isoformat() if w.expires else None,
        county=w.county, township=w.township, village=w.village, name=w.name,
        person=person_key(number) if isinstance(number, str) else None, who=who,
    )


# --------------------------------------------------------------------------- applying them


def _covers(w: Waiver, v: Violation) -> bool:
    if w.rule != v.rule or (w.person is not None and w.person != v.person):
        return False
    if w.county is not None and v.county is not None and township_key(w.county) != township_key(v.county):
        return False  # a township's own slate names no county: its findings match the waiver's township
    return all(township_key(getattr(w, f)) == township_key(getattr(v, f))
               for f in ("township", "village", "name") if getattr(w, f) is not None)


def _as_of(report: Report, w: Waiver) -> str:
    """The as-of day that decides whether a waiver has expired: its township's own, else the run's."""
    if w.township is not None:
        for row in report.townships:
            if township_key(row.township) == township_key(w.township) and (
                    w.county is None or row.county is None or township_key(row.county) == township_key(w.county)):
                return row.as_of
    return report.as_of


def _checked(report: Report, w: Waiver) -> bool:
    """Whether the run checked what the waiver covers (its township was read); always so without townships."""
    if w.township is None or not report.townships:
        return True
    return any(township_key(row.township) == township_key(w.township) and (
        w.county is None or row.county is None or township_key(row.county) == township_key(w.county))
        for row in report.townships)


def apply(report: Report, waivers: Waivers) -> Report:
    """The report with each finding an unexpired waiver covers moved to ``waived``, and a warning for
    each waiver that covers nothing or has expired. Counts and colours are those of what is left."""
    live = [(k, w) for k, w in enumerate(waivers.entries) if not (w.expires and w.expires < _as_of(report, w))]
    expired = [(k, w) for k, w in enumerate(waivers.entries) if w.expires and w.expires < _as_of(report, w)]
    # Waivers by rule and township (None: a waiver by identity number alone), so that each finding is
    # compared with the few that could cover it, in file order.
    index: dict[tuple[str, str | None], list[tuple[int, Waiver]]] = {}
    for k, w in live:
        index.setdefault((w.rule, township_key(w.township)), []).append((k, w))
    findings: dict[tuple[str, str | None], list[Violation]] = {}  # by rule and township, and by rule alone
    for v in report.violations:
        findings.setdefault((v.rule, township_key(v.township)), []).append(v)
        findings.setdefault((v.rule, None), []).append(v)

    def near(w: Waiver) -> list[Violation]:
        return findings.get((w.rule, township_key(w.township)), [])
    used: Counter[int] = Counter()
    kept: list[Violation] = []
    waived: list[Violation] = []
    for v in report.violations:  # findings are few: a loop over them, and over the waivers that could cover each
        candidates = index.get((v.rule, township_key(v.township)), []) + index.get((v.rule, None), [])
        cover = min(((k, w) for k, w in candidates if _covers(w, v)), default=None, key=lambda c: c[0])
        if cover is None:
            kept.append(v)
        else:
            used[cover[0]] += 1
            waived.append(replace(v, waiver=cover[1]))
    problems: list[tuple[int, Violation]] = []
    for k, w in expired:
        count = sum(_covers(w, v) for v in near(w))
        covered = Note.of("waiver-expired-covered", count=count, s="" if count == 1 else "s") if count else ""
        problems.append((k, _finding(EXPIRED, w, expires=w.expires, as_of=_as_of(report, w), covered=covered)))
    elsewhere = []
    for k, w in live:
        if used[k] or any(_covers(w, v) for v in near(w)):  # a second waiver for one finding matched too
            continue
        if _checked(report, w):
            problems.append((k, _finding(UNMATCHED, w)))
        else:
            elsewhere.append(w)
    notes = report.notes
    if elsewhere:
        names = "、".join(dict.fromkeys(w.township or "" for w in elsewhere))
        notes += (Note.of("waivers-elsewhere", file=waivers.path, count=len(elsewhere), townships=names,
                          s="" if len(elsewhere) == 1 else "s"),)
    return replace(_recount(report, tuple(kept)), violations=tuple(kept) + tuple(v for _, v in sorted(problems, key=lambda p: p[0])),
                   waived=tuple(waived), waivers=waivers.path, notes=notes)


def _finding(rule: str, w: Waiver, **values: object) -> Violation:
    """A waiver's own warning: placed on its line of the waiver file, about no township of the slates.

    Its message is the message key ``rule`` with ``where``, ``rule``, ``who`` (the waiver's) and ``values``."""
    return Violation(rule, "warning", "waiver", None, None, None, Location(None),
                     (("where", w.where), ("rule", w.rule)) + tuple(values.items()),
                     anchor=Location(w.file, "", w.line), waiver=w)


def _recount(report: Report, violations: tuple[Violation, ...]) -> Report:
    """Townships' counts and colours, and the rules' tallies, from the findings left once waived ones are taken out."""
    if len(violations) == len(report.violations):
        return report

    def where(v: Violation) -> tuple[str | None, str | None]:
        return township_key(v.county), township_key(v.township)

    severities = Counter((where(v), v.severity) for v in violations)
    worst: dict[tuple, str] = {}
    for v in violations:
        key = (where(v), v.rule)
        if key not in worst or SEVERITY_RANK[v.severity] < SEVERITY_RANK[worst[key]]:
            worst[key] = v.severity
    townships = tuple(
        replace(row, errors=severities[(key, "error")], warnings=severities[(key, "warning")],
                notices=severities[(key, "notice")],
                flags=tuple(worst.get((key, c.rule)) if c.rule else None for c in report.summary_columns))
        for row in report.townships for key in [(township_key(row.county), township_key(row.township))]
    )
    broken = Counter(v.rule for v in violations)
    per_township = Counter((v.rule, where(v)) for v in violations)
    keys = [(township_key(row.county), township_key(row.township)) for row in report.townships]
    rules = tuple(replace(r, violations=broken[r.id], by_township=tuple(per_township[(r.id, key)] for key in keys))
                  for r in report.rules)
    return replace(report, townships=townships, rules=rules)


def ignored(report: Report, path: Path | None) -> Report:
    """The report of a run with --no-waivers: a note that no waiver was applied (and which file was passed over)."""
    note = Note.of("waivers-ignored", file=path) if path is not None else Note("waivers-none")
    return replace(report, notes=report.notes + (note,))
