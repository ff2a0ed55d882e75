"""Explain a rule file to a user: every rule's id, severity, scope, title, source words and reading."""

from __future__ import annotations

from rulecheck.ruleset import Ruleset

_LABELS = {
    "zh": {"severity": "级别", "scope": "范围", "quote": "原文", "reading": "解读", "when": "违规条件", "exempt": "豁免条件", "check": "检查", "optional": "可选(缺少所需列时不影响结论)", "essential": "必查(缺少所需列时检查不完整)"},
    "en": {"severity": "severity", "scope": "scope", "quote": "source", "reading": "reading", "when": "violation when", "exempt": "exempt when", "check": "check", "optional": "optional (not checking it leaves the verdict clean)", "essential": "essential (not checking it makes the check incomplete)"},
}


def describe(ruleset: Ruleset, lang: str, rule_id: str | None = None) -> str:
    """All rules as a short list, or one rule in full; raises KeyError for an unknown id."""
    header = ruleset.spec.ruleset
    if rule_id is None:
        lines = [f"{header.title(lang)} ({header.id}, as_of {header.as_of})"]
        lines += [f"  {r.id:<34} {r.spec.severity:<8} {r.spec.scope:<9} {'-' if r.spec.optional else '*'} {r.spec.title(lang)}"
                  for r in ruleset.rules]
        lines.append(f"  * {_LABELS[lang]['essential']}; - {_LABELS[lang]['optional']}")
        return "\n".join(lines)
    rule = next((r for r in ruleset.rules if r.id == rule_id), None)
    if rule is None:
        raise KeyError(rule_id)
    label, spec = _LABELS[lang], rule.spec
    lines = [f"{spec.id}: {spec.title(lang)}", f"  {label['severity']}: {spec.severity}", f"  {label['scope']}: {spec.scope}",
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
    return "\n".join(lines)
