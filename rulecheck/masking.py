"""Masking identity numbers in a Report, once, before any format writes it.

A report travels further than the slate (e-mail, CI logs, a printed list), so every identity
number in it is shown as ``320682********1234``: the area code and the last four characters,
enough to find the row, not enough to use. Numbers that are wrong (a bad check digit, a digit
missing, a number Excel stored in scientific notation) are masked too: they are still personal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rulecheck.model import Exemption, Report, Violation

# 15 to 18 characters of an identity number, optionally split by spaces or hyphens as people type them;
# not part of a longer run of digits.
_ID = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \-]?[0-9]){13,16}[ \-]?[0-9Xx](?![0-9A-Za-z])")
# A number Excel turned into a float: 3.20682196805121E+17 still carries the area code and birth date.
_FLOAT_ID = re.compile(r"(?<![0-9])([0-9])\.([0-9]{5})([0-9]+)([eE]\+?1[4-7])(?![0-9])")


def _mask_match(match: re.Match[str]) -> str:
    chars = re.sub(r"[ \-]", "", match.group(0)).upper()
    if len(chars) < 15:
        return match.group(0)
    return chars[:6] + "*" * (len(chars) - 10) + chars[-4:]


def mask_text(text: str) -> str:
    """``text`` with every identity number in it masked."""
    text = _ID.sub(_mask_match, text)
    return _FLOAT_ID.sub(lambda m: f"{m.group(1)}.{m.group(2)}{'*' * len(m.group(3))}{m.group(4)}", text)


def _mask(value: Any) -> Any:
    return mask_text(value) if isinstance(value, str) else value


def mask_report(report: Report) -> Report:
    """The same report with identity numbers masked in messages, observed values and evidence."""
    return replace(report, violations=tuple(map(_mask_violation, report.violations)),
                   exempted=tuple(map(_mask_exemption, report.exempted)))


def _mask_violation(v: Violation) -> Violation:
    message, observed = mask_text(v.message), _mask(v.observed)
    if message == v.message and observed == v.observed:
        return v  # most findings name no identity number: no copy
    return replace(v, message=message, observed=observed)


def _mask_exemption(e: Exemption) -> Exemption:
    evidence = mask_text(e.evidence)
    return e if evidence == e.evidence else replace(e, evidence=evidence)
