"""Masking identity numbers: ``320682********1234``.

A report travels further than the slate (e-mail, CI logs, a printed list), so every identity
number in it is shown with the area code and the last four characters only, enough to find the
row, not enough to use. Numbers that are wrong (a bad check digit, a digit missing or one too
many, a letter typed for a digit, spaces, dots or hyphens typed inside, a number Excel stored in
scientific notation) are masked too: they are still personal.

rulecheck.render.findings masks as it renders: an identity-number value (findings.IdNumber) is
masked whole, and ``mask_text`` finds the numbers inside free text from a spreadsheet — names,
townships, villages, counties, sheet names, column headers, cells quoted in remarks, observed and
evidence values — but not file paths, which come from the file system and which the user holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Digits and letters as typed, half- or full-width (a Chinese input method in full-width mode types ３２０６…).
_D = "0-9\uff10-\uff19"
_L = "A-Za-z\uff21-\uff3a\uff41-\uff5a"
# What people type between the parts of an identity number: one to three spaces (ASCII, no-break,
# ideographic), a dot, a hyphen or a dash.
_SEP = r"(?:[ \t\u00a0\u3000]{1,3}|[.\-\u2010-\u2015\uff0d\uff0e])"
# One maximal run of an identity number's characters: digits, a separator between two digits, a letter
# between two digits (a typo: 32068219750312l231), a final X. Judged whole by _mask_run.
_RUN = re.compile(rf"(?<![{_D}])[{_D}](?:{_SEP}?[{_D}]|[{_L}](?=[{_D}]))*[Xx\uff38\uff58]?")
# The test before any substitution: fourteen such characters in a row (a run to mask has 15 to 19).
# Most texts (dates, ages, row numbers, phone numbers) fail it, or the cheaper _DIGITS, and are left untouched.
_HINT = re.compile(rf"[{_D}](?:{_SEP}?[{_D}]|[{_L}](?=[{_D}])){{13}}")
_SPLIT = re.compile(_SEP)
_HALF_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF5B)})
_FLOAT_ID = re.compile(r"(?<![0-9])([0-9])\.([0-9]{5})([0-9]+)([eE]\+?1[4-7])(?![0-9])")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")

SHORTEST, LONGEST = 15, 19  # an identity number's characters, malformed ones included
SHORTEST_FLOAT = 11  # 3.20682E+17 and up: no shorter text holds an identity number to mask
# The cheapest necessary test, one pass and no backtracking: 13 digits anywhere in the text (a number to
# mask has at least 15 characters, at most two of them letters).
_DIGITS = re.compile(rf"(?:[^{_D}]*+[{_D}]){{13}}")
_MOST_PARTS = 5  # 320 682 1975 0312 1634 is the most finely typed number seen
_MOST_LETTERS = 2  # typos, beside a final X


def _identity(parts: list[str]) -> bool:
    """Whether these groups of characters (split where separators were typed) are one identity number."""
    chars = "".join(parts)
    if not SHORTEST <= len(chars) <= LONGEST or len(parts) > _MOST_PARTS:
        return False
    letters = sum(not c.isdigit() for c in chars[:-1])
    if letters > _MOST_LETTERS:
        return False
    if len(parts) > 1 and (all(len(p) <= 2 or _YEAR.fullmatch(p) for p in parts)  # 2005 2006 2007 2008, 1968.05.12
                           or any(_MOBILE.fullmatch(p) for p in parts)):  # a phone number and more digits
        return False
    return True


def _masked(chars: str) -> str:
    chars = chars[:-1] + chars[-1].upper()  # a final x is an X
    return chars[:6] + "*" * (len(chars) - 10) + chars[-4:]


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    typed = _SPLIT.split(run)
    parts = [p.translate(_HALF_WIDTH) for p in typed]
    if len(parts) == 1:
        return _masked(parts[0]) if _identity(parts) else run
    # Where separators were typed, the number may stand next to other numbers (…1634 1968.05, 8 3206…):
    # of the stretches of whole parts that are one, mask the likeliest (18 characters, then 15, then the
    # first), and look again on either side of it.
    found = [(len(chars) != 18, len(chars) != 15, start, size)
             for size in range(1, min(len(parts), _MOST_PARTS) + 1) for start in range(len(parts) - size + 1)
             if _identity(parts[start:start + size]) for chars in ["".join(parts[start:start + size])]]
    if not found:
        return run
    *_, start, size = min(found)
    seps = _SPLIT.findall(run)
    before = "".join(p + s for p, s in zip(typed[:start], seps[:start]))
    after = "".join(s + p for s, p in zip(seps[start + size - 1:], typed[start + size:]))
    return _RUN.sub(_mask_run, before) + _masked("".join(parts[start:start + size])) + _RUN.sub(_mask_run, after)


def _mask_float(m: re.Match[str]) -> str:
    return f"{m.group(1)}.{m.group(2)}{'*' * len(m.group(3))}{m.group(4)}"


def mask_text(text: str) -> str:
    """``text`` with every identity number in it masked."""
    if len(text) < SHORTEST_FLOAT:
        return text  # most names, villages and sheet names: nothing to test
    if "E+1" in text or "e+1" in text or "E1" in text or "e1" in text:
        text = _FLOAT_ID.sub(_mask_float, text)
    if len(text) < SHORTEST or _DIGITS.match(text) is None or _HINT.search(text) is None:
        return text
    return _RUN.sub(_mask_run, text)


def mask_value(value: Any) -> Any:
    """A text masked; a whole number of 15 or more digits (an identity number kept as a number) masked as text."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1e14 <= abs(value) < 1e19:
        digits = str(int(value))
        masked = mask_text(digits)
        return masked if masked != digits else value
    return value


def find_sheet(shown: str, names: Iterable[str]) -> str | None:
    """The sheet among a workbook's ``names`` that a report calls ``shown``, masked or not."""
    names = list(names)
    if shown in names:
        return shown
    return next((name for name in names if mask_text(name) == shown), None)
