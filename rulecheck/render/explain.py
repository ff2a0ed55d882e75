"""Explain a rule file to a user: every rule's id, severity, scope, title, source words and reading."""

from __future__ import annotations

from rulecheck.render.messages import t
from rulecheck.rulefile.ruleset import Examples, Ruleset

_LABELS = {
    "zh": {"pass": "示例(应通过)", "fail": "示例(应违反)", "as_of": "示例的核对日", "severity": "级别", "scope": "范围", "quote": "原文", "reading": "解读", "when": "违规条件", "exempt": "豁免条件", "check": "检查", "optional": "可选(缺少所需列时不影响结论)", "essential": "必查(缺少所需列时检查不完整)"},
    "en": {"pass": "examples that pass", "fail": "examples that break it", "as_of": "examples' as-of day", "severity": "severity", "scope": "scope", "quote": "source", "reading": "reading", "when": "violation when", "exempt": "exempt when", "check": "check", "optional": "optional (not checking it leaves the verdict clean)", "essential": "essential (not checking it makes the check incomplete)"},
}


def titled(ruleset: Ruleset, lang: str) -> str:
    """The rule file's rules as a person reads them: each title, with the id to type beside it."""
    return t(lang, "rule-sep").join(t(lang, "rule-with-id", title=r.spec.title(lang), id=r.id) for r in ruleset.rules)


def describe(ruleset: Ruleset, lang: str, rule_id: str | None = None) -> str:
    """All rules as a short list, or one rule in full; raises KeyError for an unknown id."""
    header = ruleset.spec.ruleset
    if rule_id is None:
        lines = [f"{header.title(lang)}(编号 {header.id},核对日 {header.as_of})" if lang == "zh" else
                 f"{header.title(lang)} ({header.id}, as_of {header.as_of})"]
        lines += [f"  {r.id:<34} {_pad(_word(lang, 'severity', r.spec.severity), 8)} {_pad(_word(lang, 'scope', r.spec.scope), 9)}"
                  f" {'-' if r.spec.optional else '*'} {r.spec.title(lang)}" for r in ruleset.rules]
        lines.append(f"  * {_LABELS[lang]['essential']}; - {_LABELS[lang]['optional']}")
        return "\n".join(lines)
    rule = next((r for r in ruleset.rules if r.id == rule_id), None)
    if rule is None:
        raise KeyError(rule_id)
    label, spec = _LABELS[lang], rule.spec
    lines = [f"{spec.id}: {spec.title(lang)}", f"  {label['severity']}: {_word(lang, 'severity', spec.severity)}",
             f"  {label['scope']}: {_word(lang, 'scope', spec.scope)}",
             f"  {label['optional'] if spec.optional else label['essential']}"]
    if spec.quote:
        lines.append(f"  {label['quote']}: {spec.quote}")
    if spec.reading:
        lines.append(f"  {label['reading']}: {spec.reading(lang)}")
    if spec.when is not None:
        lines.append(f"  {label['when']}: {' '.join(spec.when.split())}")
    else:
        lines.append(f"  {label['check']}: {spec.check}" + (f" {spec.by}" if spec.by else ""))
    if spec.exempt_when:
        lines.append(f"  {label['exempt']}: {' '.join(spec.exempt_when.split())}")
    if spec.examples is not None:
        lines += _examples(spec.examples, label, lang)
    return "\n".join(lines)


def _examples(examples: Examples, label: dict[str, str], lang: str) -> list[str]:
    """A rule's examples, each row on a line as ``title: value``; a group's rows under one bullet."""
    lines = []
    if examples.as_of is not None:
        lines.append(f"  {label['as_of']}: {examples.as_of}")
    for kind in ("pass", "fail"):
        items = [rows for (k, _), rows in examples.items() if k == kind]
        if items:
            lines.append(f"  {label[kind]}:")
        for rows in items:
            for j, row in enumerate(rows):
                lines.append(f"    {'-' if j == 0 else ' '} {_row(row, lang)}")
    return lines


def _row(row: dict, lang: str) -> str:
    return ", ".join(f"{title}: {t(lang, 'blank') if value is None else _value(value)}" for title, value in row.items()) or "{}"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _word(lang: str, kind: str, value: str) -> str:
    """A severity or scope in ``lang`` (a scope the rule file made up is shown as written)."""
    try:
        return t(lang, f"{kind}-{value}")
    except KeyError:
        return value


def _pad(text: str, width: int) -> str:
    from rulecheck.render.i18n import display_width

    return text + " " * max(width - display_width(text), 0)
