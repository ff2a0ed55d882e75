"""Combining the batches: the group rules over every batch's rows, then the Report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rulecheck import __version__
from rulecheck.engine import Outcome, Part, combine, merge_not_checked
from rulecheck.findings import (
    SEVERITY_RANK, Exemption, FileResult, Note, Report, RuleTally, SummaryColumn, TownshipSummary, Unchecked, Violation,
    township_key,
)
from rulecheck.rulefile.ruleset import Ruleset
from rulecheck.run.partitions import settings_of

if TYPE_CHECKING:
    from rulecheck.config import TownshipSettings


def group_outcomes(ruleset: Ruleset, as_of: dt.date, townships: dict[str, TownshipSettings],
                   parts: dict[str | None, list[Part]]) -> list[tuple[Outcome, dt.date]]:
    """The group rules over every batch's rows, for each township partition, with its as-of day."""
    return [(combine(rules, parts.get(key, []), day), day)
            for key, rules, day in settings_of(ruleset, as_of, townships) if key is None or key in parts]


def build_report(ruleset: Ruleset, as_of: dt.date, fail_on: str, results: list[FileResult],
                 outcomes: list[tuple[Outcome, dt.date]], townships: dict[str, TownshipSettings]) -> Report:
    """The Report: every file with the rules not checked on it, the findings in order, townships and tallies."""
    outcome = _merge([o for o, _ in outcomes])
    files = tuple(replace(r, unchecked=_unchecked(ruleset, outcome.not_checked.get(r.path, {}))) for r in results)
    header = ruleset.spec.ruleset
    scopes = ruleset.scope_order
    violations = tuple(sorted(outcome.violations, key=lambda v: _order(v, scopes)))
    exempted = tuple(sorted(outcome.exempted, key=_exemption_order))
    summary_columns = tuple(
        SummaryColumn(i.key, None, i.spec.format, i.spec.rule, i.spec.reference) for i in ruleset.summary
    )
    rows = _townships(outcomes, summary_columns, townships, ruleset, violations, exempted)
    return Report(
        version=__version__, ruleset_id=header.id, ruleset_path=ruleset.path,
        as_of=as_of.isoformat(), files=files, violations=violations, exempted=exempted, fail_on=fail_on,
        summary_columns=summary_columns, townships=rows, rules=_tallies(ruleset, violations, exempted, rows),
        notes=_settings_unused(outcomes, townships),
    )


def _settings_unused(outcomes: list[tuple[Outcome, dt.date]], townships: dict[str, TownshipSettings],
                     ) -> tuple[Note, ...]:
    """A note for each township with settings of its own that no file names."""
    found = {township_key(row.township) for o, _ in outcomes for row in o.townships}
    return tuple(Note.of("township-not-found", township=name) for name in townships if township_key(name) not in found)


def _unchecked(ruleset: Ruleset, lacking: dict[str, tuple[tuple[str, ...], ...]]) -> tuple[Unchecked, ...]:
    """The rules not checked on a file, in the rule file's order, with the columns it lacks."""
    return tuple(Unchecked(rule.id, not rule.spec.optional, lacking[rule.id]) for rule in ruleset.rules if rule.id in lacking)


def _merge(outcomes: list[Outcome]) -> Outcome:
    if len(outcomes) == 1:
        return outcomes[0]
    return Outcome(
        tuple(v for o in outcomes for v in o.violations), tuple(e for o in outcomes for e in o.exempted),
        merge_not_checked(o.not_checked for o in outcomes), tuple(row for o in outcomes for row in o.townships),
    )


@lru_cache(maxsize=1 << 14)  # asked for every finding three times over; few distinct townships
def _key(county: str | None, township: str | None) -> tuple[str | None, str | None]:
    """A township's identity: its county (where the slate names one) and its name, each as matched."""
    return township_key(county), township_key(township)




def _townships(outcomes: list[tuple[Outcome, dt.date]], columns: tuple[SummaryColumn, ...],
               townships: dict[str, TownshipSettings], ruleset: Ruleset,
               violations: tuple[Violation, ...], exempted: tuple[Exemption, ...]) -> tuple[TownshipSummary, ...]:
    """Each township's statistics with its reference values, the cells its violations colour, and its counts."""
    own = {township_key(name): settings for name, settings in townships.items()}
    by_rule: dict[tuple[tuple[str | None, str | None], str], str] = {}
    for v in violations:
        key = (_key(v.county, v.township), v.rule)
        if key not in by_rule or SEVERITY_RANK[v.severity] < SEVERITY_RANK[by_rule[key]]:
            by_rule[key] = v.severity
    severities = Counter((_key(v.county, v.township), v.severity) for v in violations)
    spared = Counter(_key(e.county, e.township) for e in exempted)
    rows = []
    for outcome, day in outcomes:
        for found in outcome.townships:
            key, name = _key(found.county, found.township), township_key(found.township)
            params = {**ruleset.spec.params, **(own[name].params if name in own else {})}
            rows.append(TownshipSummary(
                township=found.township, as_of=day.isoformat(), values=found.values,
                references=tuple(float(params[c.reference]) if c.reference else None for c in columns),
                flags=tuple(by_rule.get((key, c.rule)) if c.rule else None for c in columns),
                errors=severities[(key, "error")], warnings=severities[(key, "warning")],
                notices=severities[(key, "notice")], exempted=spared[key], county=found.county, files=found.files,
            ))
    return tuple(sorted(rows, key=lambda r: (r.township is None, township_key(r.township) or "", township_key(r.county) or "")))


def _tallies(ruleset: Ruleset, violations: tuple[Violation, ...], exempted: tuple[Exemption, ...],
             townships: tuple[TownshipSummary, ...]) -> tuple[RuleTally, ...]:
    broken = Counter(v.rule for v in violations)
    spared = Counter(e.rule for e in exempted)
    per_township = Counter((v.rule, _key(v.county, v.township)) for v in violations)
    keys = [_key(row.county, row.township) for row in townships]
    return tuple(
        RuleTally(rule.id, rule.spec.severity, rule.spec.scope, None, rule.spec.quote,
                  broken[rule.id], spared[rule.id], tuple(per_township[(rule.id, key)] for key in keys),
                  rule.spec.optional)
        for rule in ruleset.rules
    )


def _order(v: Violation, scopes: dict[str, int]) -> tuple:
    """By place (file, sheet, row), then the finest scope first (``Ruleset.scope_order``), then rule and group."""
    where = v.location  # its fields directly: this runs for every finding
    return (where.file or "\uffff", where.sheet or "", where.row if where.row is not None else 1 << 30,
            scopes.get(v.scope, len(scopes)), v.rule,
            township_key(v.township) or "\uffff", township_key(v.county) or "", township_key(v.village) or "")


def _exemption_order(e: Exemption) -> tuple:
    return (e.file or "\uffff", e.sheet or "", e.row if e.row is not None else 1 << 30, e.rule,
            township_key(e.township) or "\uffff", township_key(e.village) or "")
