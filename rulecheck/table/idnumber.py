"""Chinese resident identity numbers (GB 11643-1999), checked vectorised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rulecheck.table.values import cell_text, fold, fold_text, from_parts, is_numeric_cell, is_text_cell

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK = np.array(list("10X98765432"))
_CHECK_POINTS = np.array([ord(c) for c in "10X98765432"], dtype=np.uint32)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"expected 17 digits, got {first17!r}")
    return str(_CHECK[int(np.dot([int(c) for c in first17], _WEIGHTS)) % 11])


def normalise(raw: pd.Series) -> pd.Series:
    """Folded, upper-case identity numbers; NA for blank."""
    # Text cells (nearly all) get fold_text and upper() in one pass rather than four.
    text = is_text_cell(raw).to_numpy()
    out = np.full(len(raw), np.nan, dtype=object)
    cells = raw.to_numpy(dtype=object)
    # Letters and digits alone (the usual number) need no folding: upper() is all.
    out[text] = [x.upper() if x.isascii() and x.isalnum() else fold_text(x).upper() for x in map(str, cells[text])]
    if not text.all():
        out[~text] = fold(raw[~text]).str.upper().to_numpy(dtype=object, na_value=np.nan)
    return pd.Series(out, index=raw.index).astype("str").replace("", np.nan)


@dataclass(frozen=True)
class Checked:
    """Identity numbers normalised once, and what is wrong with each ('' when valid, NA when blank)."""

    ids: pd.Series
    problems: pd.Series
    born: pd.Series  # the birth date inside each number of the right length and characters (NaT otherwise)

    @property
    def valid(self) -> pd.Series:
        return (self.problems == "").fillna(False).astype(bool)


def _digits(texts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of strings all ``size`` long; which are digits; their digit values (0 elsewhere)."""
    points = np.array(texts.tolist(), dtype=f"U{size}").view(np.uint32).reshape(len(texts), size)
    digit = (points >= 48) & (points <= 57)
    return points, digit, np.where(digit, points.astype(np.int64) - 48, 0)


def _birth_parts(value: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day inside 18-character (YYYYMMDD) or legacy 15-character (19YYMMDD) numbers."""
    year = value[:, 6:10] @ [1000, 100, 10, 1] if size == 18 else 1900 + value[:, 6:8] @ [10, 1]
    at = 10 if size == 18 else 8
    return year, value[:, at:at + 2] @ [10, 1], value[:, at + 2:at + 4] @ [10, 1]


def check(raw: pd.Series, normalised: bool = False) -> Checked:
    """Normalise and check every number at once (read from code points, not cell by cell).

    ``normalised``: the cells are normalise()'s output already (the parsed id-number column).
    """
    ids = raw.astype("str") if normalised else normalise(raw)
    present = ids.notna().to_numpy()
    texts = ids.to_numpy(dtype=object)
    length = np.zeros(len(ids), dtype=np.int64)
    length[present] = np.fromiter(map(len, texts[present]), dtype=np.int64, count=int(present.sum()))
    # Excel keeps 15 significant digits: a number with more has lost digits for good.
    numeric = np.zeros(len(ids), dtype=bool) if normalised else is_numeric_cell(raw).to_numpy()
    as_number = np.zeros(len(ids), dtype=bool)
    if numeric.any():
        numeric_text = cell_text(raw[numeric]).str.upper()
        as_number[numeric] = numeric_text.str.match(r"-?(?:[0-9]{16}|.*E\+)").fillna(False).to_numpy(dtype=bool)
    exponent = np.flatnonzero(present & (length > 3))
    exponent = exponent[np.fromiter(("E+" in x for x in texts[exponent]), dtype=bool, count=len(exponent))]
    if len(exponent):
        written = ids.iloc[exponent].str.fullmatch(r"[0-9](?:\.[0-9]+)?E\+[0-9]+").fillna(False).to_numpy(dtype=bool)
        as_number[exponent[written]] = True
    bad_length = ~np.isin(length, (15, 18))
    chars = np.zeros(len(ids), dtype=bool)
    bad_date = np.ones(len(ids), dtype=bool)
    bad_check = np.zeros(len(ids), dtype=bool)
    born_at = np.full(len(ids), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    for size in (18, 15):
        rows = np.flatnonzero(length == size)
        if not len(rows):
            continue
        points, digit, value = _digits(texts[rows], size)
        ok = digit.all(axis=1) if size == 15 else digit[:, :17].all(axis=1) & (digit[:, 17] | (points[:, 17] == 88))
        chars[rows] = ok  # 88 is 'X'
        born = from_parts(*(pd.Series(np.where(ok, part, np.nan)) for part in _birth_parts(value, size)))
        bad_date[rows] = born.isna().to_numpy()
        born_at[rows] = born.to_numpy()
        if size == 18:
            expected = _CHECK_POINTS[(value[:, :17] @ _WEIGHTS) % 11]
            bad_check[rows] = ok & ~bad_date[rows] & (points[:, 17] != expected)
    masks = [as_number, bad_length, ~chars, bad_date, bad_check]
    codes = ["stored-as-number", "length", "characters", "date", "check-digit"]
    problems = pd.Series(np.select(masks, codes, default=""), index=raw.index, dtype="str").mask(ids.isna())
    return Checked(ids, problems, pd.Series(born_at, index=raw.index))


def problem(raw: pd.Series) -> pd.Series:
    """One problem code per cell: '' when valid, NA when blank.

    Codes: stored-as-number, length, characters, date, check-digit.
    """
    return check(raw).problems


def valid(raw: pd.Series, checked: Checked | None = None) -> pd.Series:
    """Mask of valid identity numbers; ``checked`` is ``check(raw)`` when already known."""
    return (checked or check(raw)).valid


def birth(raw: pd.Series, checked: Checked | None = None) -> pd.Series:
    """Birth date inside each valid number (datetime64[ns]); NaT otherwise."""
    checked = checked or check(raw)
    return checked.born.where(checked.valid.to_numpy())


def sex(raw: pd.Series, checked: Checked | None = None) -> pd.Series:
    """'male' (odd sequence digit) or 'female' (even); NA unless valid."""
    checked = checked or check(raw)
    ok = checked.valid.to_numpy()
    texts = checked.ids.to_numpy(dtype=object)
    digit = np.full(len(texts), np.nan)
    for size, at in ((18, 16), (15, 14)):
        rows = np.flatnonzero(ok & (checked.ids.str.len().to_numpy(dtype=float, na_value=0) == size))
        if len(rows):
            digit[rows] = _digits(texts[rows], size)[2][:, at]
    return pd.Series(np.where(digit % 2 == 1, "male", "female"), index=raw.index, dtype=object).where(~np.isnan(digit))
