"""Chinese resident identity numbers (GB 11643-1999), checked vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rulecheck.values import cell_text, fold, from_parts, is_numeric_cell

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    return str(_CHECK[int(np.dot([int(c) for c in first17], _WEIGHTS)) % 11])


def normalise(raw: pd.Series) -> pd.Series:
    """Folded, upper-case identity numbers; NA for blank."""
    return fold(raw).str.upper()


def _birth_digits(ids: pd.Series) -> pd.Series:
    """YYYYMMDD inside an 18- or 15-character number (legacy 15: 19YYMMDD)."""
    return ids.str.slice(6, 14).where(ids.str.len() == 18, "19" + ids.str.slice(6, 12))


def problem(raw: pd.Series) -> pd.Series:
    """One problem code per cell: '' when valid, NA when blank.

    Codes: stored-as-number, length, characters, date, check-digit.
    """
    ids = normalise(raw)
    length = ids.str.len()
    # Excel keeps 15 significant digits: a number with more has lost digits for good.
    numeric_text = cell_text(raw).str.upper()
    as_number = (is_numeric_cell(raw) & numeric_text.str.match(r"-?(?:[0-9]{16}|.*E\+)")) | ids.str.fullmatch(
        r"[0-9](?:\.[0-9]+)?E\+[0-9]+"
    )
    bad_length = ~length.isin([15, 18])
    chars = ids.str.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}")
    digits = _birth_digits(ids.where(chars))
    bad_date = from_parts(digits.str[:4], digits.str[4:6], digits.str[6:8]).isna()

    ok18 = (chars & ~bad_date & (length == 18)).fillna(False).astype(bool)
    first17 = ids[ok18].str[:17]
    matrix = (np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8) - 48).reshape(-1, 17)
    expected = pd.Series(_CHECK[(matrix.astype(np.int64) @ _WEIGHTS) % 11], index=first17.index, dtype=object)
    bad_check = pd.Series(False, index=ids.index)
    bad_check[ok18] = (ids[ok18].str[17] != expected).to_numpy()

    conditions = [as_number, bad_length, ~chars, bad_date, bad_check]
    codes = ["stored-as-number", "length", "characters", "date", "check-digit"]
    masks = [c.fillna(False).astype(bool).to_numpy() for c in conditions]
    return pd.Series(np.select(masks, codes, default=""), index=raw.index, dtype="str").mask(ids.isna())


def valid(raw: pd.Series) -> pd.Series:
    """Mask of valid identity numbers."""
    return (problem(raw) == "").fillna(False).astype(bool)


def birth(raw: pd.Series) -> pd.Series:
    """Birth date inside each valid number (datetime64[ns]); NaT otherwise."""
    digits = _birth_digits(normalise(raw).where(valid(raw)))
    return from_parts(digits.str[:4], digits.str[4:6], digits.str[6:8])


def sex(raw: pd.Series) -> pd.Series:
    """'male' (odd sequence digit) or 'female' (even); NA unless valid."""
    ids = normalise(raw).where(valid(raw))
    digit = pd.to_numeric(ids.str[16].where(ids.str.len() == 18, ids.str[14]))
    return pd.Series(np.where(digit % 2 == 1, "male", "female"), index=raw.index, dtype=object).where(digit.notna())
