"""Explain a rule file to a user: every rule's id, severity, scope, title, source words and reading."""

from __future__ import annotations

from rulecheck.ruleset import Ruleset

_LABELS = {
    "zh": {"severity": "级别", "scope": "范围", "quote": "原文", "reading": "解读", "when": "违规条件", "exempt": "豁免条件"},
    "en": {"severity": "severity", "scope": "scope", "quote": "source", "reading": "reading", "when": "violation when", "exempt": "exempt when"},
}


def describe(ruleset: Ruleset, lang: str, rule_id: str | None = None) -> str:
    """All rules as a short list, or one rule in full; raises KeyError for an unknown id."""
    header = ruleset.spec.ruleset
    if rule_id is None:
        lines = [f"{header.title(lang)} ({header.id}, as_of {header.as_of})"]
        lines += [f"  {r.id:<34} {r.spec.severity:<8} {r.spec.scope:<9} {r.spec.title(lang)}" for r in ruleset.rules]
        return "\n".join(lines)
    rule = next((r for r in ruleset.rules if r.id == rule_id), None)
    if rule is None:
        raise KeyError(rule_id)
    label, spec = _LABELS[lang], rule.spec
    lines = [f"{spec.id}: {spec.title(lang)}", f"  {label['severity']}: {spec.severity}", f"  {label['scope']}: {spec.scope}"]
    if spec.quote:
        lines.append(f"  {label['quote']}: {spec.quote}")
    if spec.reading:
        lines.append(f"  {label['reading']}: {spec.reading(lang)}")
    lines.append(f"  {label['when']}: {' '.join(spec.when.split())}")
    if spec.exempt_when:
        lines.append(f"  {label['exempt']}: {' '.join(spec.exempt_when.split())}")
    return "\n".join(lines)
