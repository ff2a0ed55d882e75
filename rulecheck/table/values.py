"""Spreadsheet cells, vectorised: their kinds, their canonical text, and what column types share.

Every function takes a pandas Series of raw cells (dtype object: str, float, int,
bool, date, datetime, time, None or '') and returns results aligned to its index.
Bad cells never raise. Each column type's parser is in ``rulecheck/table/types/``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

YEAR_MIN, YEAR_MAX = 1900, 2100

# Regexes spell digits [0-9]: \d would also match other scripts' digits, which NFKC keeps.

_SPACE = r"[\s\u200b\u200c\u200d\u2060\ufeff]+"  # \s misses the zero-width characters
QUOTES = "“”‘’\"'「」『』《》"
SEPARATOR_CHARACTERS = r"、,，/;；和及兼\s"
_SEPARATORS = f"[{SEPARATOR_CHARACTERS}]+"
_TIME = r"(?:T|\s+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?$"
# After _date_text: 'YYYY-M-D', 'YYYY-M', 'YYYYMMDD' or 'YYYYMM'.
_DATE = r"^(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{1,2})(?:-(?P<d>[0-9]{1,2}))?-?|(?P<m2>[0-9]{2})(?P<d2>[0-9]{2})?)$"



@dataclass(frozen=True)
class Parsed:
    """Typed values plus a mask of the cells that were non-blank but unreadable."""

    values: pd.Series  # typed values, NA where blank or unreadable
    unreadable: pd.Series  # bool: the cell is non-blank but could not be read


def _kind(x: object) -> str:
    if x is None or x is pd.NaT or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return "blank"
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(x, (dt.date, dt.time)):  # datetime is a date
        return "date"
    return "text"


# Columns of one kind are recognised in one C-level pass (infer_dtype); only mixed columns,
# typically birth dates typed as text, numbers and dates, are looked at cell by cell.
BLANK, BOOL, NUMBER, DATE, TEXT = range(5)  # _codes() values
_KIND_CODE = {"blank": BLANK, "bool": BOOL, "number": NUMBER, "date": DATE, "text": TEXT}
_INFERRED_CODES = {
    "string": TEXT, "floating": NUMBER, "integer": NUMBER, "mixed-integer-float": NUMBER,
    "boolean": BOOL, "datetime": DATE, "datetime64": DATE, "date": DATE, "time": DATE,
}
_TYPE_CODES = {str: TEXT, float: NUMBER, int: NUMBER, bool: BOOL, type(None): BLANK,
               dt.datetime: DATE, dt.date: DATE, dt.time: DATE, pd.Timestamp: DATE}


def _codes(raw: pd.Series) -> np.ndarray:
    """Per cell the code of its kind: BLANK, BOOL, NUMBER, DATE or TEXT."""
    inferred = pd.api.types.infer_dtype(raw, skipna=True)
    if inferred == "empty":
        return np.zeros(len(raw), dtype=np.int64)
    code = _INFERRED_CODES.get(inferred)
    if code is None:
        cells = raw.to_numpy(dtype=object)
        # Type by type through a dict, at C speed; the rare other types (numpy scalars, NA) one by one.
        codes = np.fromiter(map(_TYPE_CODES.get, map(type, cells), itertools.repeat(-1)), dtype=np.int64, count=len(cells))
        odd = np.flatnonzero(codes < 0)
        if len(odd):
            codes[odd] = [_KIND_CODE[_kind(x)] for x in cells[odd]]
        codes[(codes == NUMBER) & raw.isna().to_numpy()] = BLANK  # NaN is a float
    else:
        codes = np.full(len(raw), code, dtype=np.int64)
        codes[raw.isna().to_numpy()] = BLANK
    return codes


KIND_CODES = 8  # kind_codes() values are below this


def kind_codes(raw: pd.Series) -> np.ndarray:
    """Per cell a small integer for its kind (blank, bool, number, date, text), negative zero apart.

    Cells equal in Python (True == 1 == 1.0, -0.0 == 0.0) but read differently get different codes.
    """
    codes = _codes(raw)
    number = np.flatnonzero(codes == NUMBER)
    if len(number):
        # Only a float can be -0.0 (pd.to_numeric would make [0, -0.0] the integers [0, 0]).
        cells = raw.to_numpy(dtype=object)[number]
        floats = np.flatnonzero(np.fromiter(map(isinstance, cells, itertools.repeat((float, np.floating))), dtype=bool,
                                            count=len(cells)))
        x = np.asarray(cells[floats], dtype=np.float64)
        codes[number[floats[(x == 0) & np.signbit(x)]]] = 5  # str(-0.0) is '-0.0'
    return codes


def blank_cells(cells: np.ndarray) -> np.ndarray:
    """Which cells hold nothing: None, NaN, or text that is empty or only whitespace; any shape.

    These are exactly the cells whose ``cell_text`` is missing: NFKC turns no other character
    into whitespace.
    """
    # One pass over the cells, by their exact type: calamine gives str ("" for an empty cell inside
    # the used range), float, int, bool and datetime types; anything else is asked of pandas.
    blank = np.fromiter([(not x or x.isspace()) if (kind := x.__class__) is str
                         else x is None or (x != x if kind is float else kind not in _NEVER_BLANK and _odd_blank(x))
                         for x in cells.ravel().tolist()], dtype=bool, count=cells.size)
    return blank.reshape(cells.shape)


_NEVER_BLANK = frozenset({int, bool, dt.datetime, dt.date, dt.time, dt.timedelta})


def _odd_blank(x: object) -> bool:
    """Whether a cell of a type calamine does not give (a str subclass, a numpy or pandas scalar) is blank."""
    return (not x or x.isspace()) if isinstance(x, str) else bool(pd.isna(x))


def fold_text(x: str) -> str:
    """NFKC-normalise a string and remove all whitespace."""
    return re.sub(_SPACE, "", unicodedata.normalize("NFKC", x))


def cell_text(raw: pd.Series) -> pd.Series:
    """Canonical text of each cell; NA for blank or whitespace-only cells."""
    kinds = _codes(raw)
    cells = raw.to_numpy(dtype=object)
    out = np.full(len(cells), np.nan, dtype=object)
    text = kinds == TEXT
    if text.any():
        # pandas' .str.normalize and .str.strip are each this same loop over the cells, with
        # more overhead per cell; one pass does both (and ASCII needs no normalising).
        out[text] = [(x if x.isascii() else unicodedata.normalize("NFKC", x)).strip() for x in map(str, cells[text])]
    num = (kinds == NUMBER) | (kinds == DATE)
    if num.any():
        # str(float) is its repr; dates print ISO with a space; drop '.0' and midnight.
        out[num] = pd.Series(cells[num], dtype=object).astype(str).str.replace(r"\.0$| 00:00:00$", "", regex=True).to_numpy()
    boolean = kinds == BOOL
    if boolean.any():
        out[boolean] = np.where(cells[boolean].astype(bool), "TRUE", "FALSE")
    return pd.Series(out, index=raw.index).astype("str").replace("", np.nan)


def fold(s: pd.Series) -> pd.Series:
    """cell_text with all whitespace removed; the form used for matching."""
    return cell_text(s).str.replace(_SPACE, "", regex=True).replace("", np.nan)


def is_text_cell(raw: pd.Series) -> pd.Series:
    """Mask of cells holding text (blank cells excluded)."""
    return pd.Series(_codes(raw) == TEXT, index=raw.index)


def is_numeric_cell(raw: pd.Series) -> pd.Series:
    """Mask of cells holding a number (not a bool)."""
    return pd.Series(_codes(raw) == NUMBER, index=raw.index)


def align(s: pd.Series, index: pd.Index) -> pd.Series:
    """``s`` on ``index`` (reindexed only where it differs)."""
    return s if s.index.equals(index) else s.reindex(index)


def unreadable(text: pd.Series, values: pd.Series) -> pd.Series:
    """Cells with text whose value could not be read."""
    return (text.notna() & values.isna()).astype(bool)


def from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """datetime64[ns] from numeric parts; NaT for missing parts, years outside 1900..2100 or non-dates.

    Calendar arithmetic in numpy (month numbers, then days): pandas' to_datetime of a frame of
    parts does the same work per row in Python, ~10× slower.
    """
    y, m, d = (pd.to_numeric(p, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan) for p in (year, month, day))
    with np.errstate(invalid="ignore"):
        ok = ((y >= YEAR_MIN) & (y <= YEAR_MAX) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
              & (y == np.floor(y)) & (m == np.floor(m)) & (d == np.floor(d)))
    months = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype(np.int64).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype(np.int64)
    ok &= days < (months + 1).astype("datetime64[D]")  # 30 February is not a day
    born = np.where(ok, days.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(born, index=year.index if isinstance(year, pd.Series) else None, dtype="datetime64[ns]")


def date_parts(raw: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """Folded cell text, its year/month/day as numbers (NaN where absent), and ``tenth``: a number like 1968.1."""
    parts = distinct(_date_frame, raw)
    return parts.pop("text"), parts


_TIME_RE, SPACE_RE, _DATE_RE = re.compile(_TIME), re.compile(_SPACE), re.compile(_DATE)
_DATE_SEPARATOR = re.compile(r"[年月/.]")
_NO_DATE = (np.nan, np.nan, np.nan)


def _date_frame(raw: pd.Series) -> pd.DataFrame:
    cells = cell_text(raw).to_numpy(dtype=object, na_value=None)
    present = np.flatnonzero(cells != None)  # noqa: E711 - element-wise
    # One pass per cell with compiled patterns: a chain of pandas .str calls walks the cells once per step.
    texts = [SPACE_RE.sub("", _TIME_RE.sub("", x)) for x in cells[present]]
    text = np.full(len(cells), np.nan, dtype=object)
    text[present] = texts
    ymd = np.full((len(cells), 3), np.nan)
    if texts:
        ymd[present] = [_ymd(x) for x in texts]
    parts = pd.DataFrame(ymd, columns=["y", "m", "d"], index=raw.index)
    text = pd.Series(text, index=raw.index, dtype="str")
    # Excel keeps a typed 1968.10 as the number 1968.1 (see parse_birth).
    parts["tenth"] = is_numeric_cell(raw) & text.str.fullmatch(r"[0-9]{4}\.1").fillna(False).astype(bool)
    parts["text"] = text
    return parts


def _ymd(text: str) -> tuple[float, float, float]:
    """Year, month and day of 'YYYY-M-D', 'YYYY.M', 'YYYY年M月D日', 'YYYYMMDD'…; NaN where absent."""
    dashed = _DATE_SEPARATOR.sub("-", text)
    m = _DATE_RE.match(dashed[:-1] if dashed.endswith("日") else dashed)
    if m is None:
        return _NO_DATE
    month, day = m["m"] or m["m2"], m["d"] or m["d2"]
    return float(m["y"]), float(month) if month else np.nan, float(day) if day else np.nan


def each(fn: Callable[[str], Any], text: pd.Series) -> np.ndarray:
    """``fn`` of each present text, None where the text is missing.

    The column types' parsers run it after ``distinct``, over a column's different values: few, so a plain
    loop costs less than the fixed cost of a chain of pandas string calls.
    """
    cells = text.to_numpy(dtype=object, na_value=None)
    out = np.full(len(cells), None, dtype=object)
    present = np.flatnonzero(cells != None)  # noqa: E711 - element-wise
    out[present] = [fn(x) for x in cells[present]]
    return out


SEPARATORS_RE = re.compile(_SEPARATORS)


def has_year(years: pd.Series, year: int | pd.Series) -> pd.Series:
    """Mask of year lists (the years type's ',2005,2006,') that contain the year."""
    hay = years.fillna("").astype(str)
    if np.isscalar(year):
        return pd.Series(np.strings.find(hay.to_numpy(dtype=str), f",{int(year)},") >= 0, index=years.index)
    y = pd.to_numeric(align(year, years.index), errors="coerce").round().astype("Int64")
    needle = ("," + y.astype(str) + ",").fillna("#").to_numpy(dtype=str)
    found = np.strings.find(hay.to_numpy(dtype=str), needle) >= 0
    return pd.Series(found, index=years.index)


def distinct(fn: Callable[..., Any], *columns: pd.Series) -> Any:
    """``fn(*columns)`` for a row-local ``fn``, computed once per distinct row and spread back.

    Slates repeat most cells (是, 书记, 两推一考, a village's name on every row of its
    committee), and string work in pandas costs per element: parsing distinct cells only
    does the same work several times over less often.
    """
    index = columns[0].index
    equal, uniques = pd.factorize(columns[0].to_numpy(dtype=object), use_na_sentinel=True)
    if len(columns) == 1 and len(uniques) > 0.5 * len(index):
        return fn(*columns)  # mostly distinct already (names, identity numbers): nothing to gain
    if len(columns) == 1 and pd.api.types.infer_dtype(uniques, skipna=False) in ("string", "empty"):
        # Text only, blanks apart: cells equal as values are of one kind already (kind_codes would
        # tell them apart only where text meets numbers), and the blanks are one more value.
        inverse = equal.astype(np.int64)
        blank = inverse < 0
        inverse[blank] = len(uniques)
        count = len(uniques) + int(blank.any())
    else:
        codes = (equal.astype(np.int64) + 1) * KIND_CODES + kind_codes(columns[0])
        for column in columns[1:]:
            more = _cell_codes(column)
            codes = codes * (int(more.max(initial=0)) + 1) + more
        inverse, uniques = pd.factorize(codes)
        count = len(uniques)
    if count == len(index):
        return fn(*columns)
    first = np.empty(count, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]  # the first row of each distinct value
    out = fn(*(c.iloc[first].reset_index(drop=True) for c in columns))

    def spread(part: pd.Series) -> pd.Series:
        return part.take(inverse).set_axis(index)

    if isinstance(out, Parsed):
        return Parsed(spread(out.values), spread(out.unreadable))
    return spread(out)


def _cell_codes(cells: pd.Series) -> np.ndarray:
    """Equal codes for cells that read the same: equal values of the same kind (so True is not 1)."""
    codes, _ = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=True)
    kinds = kind_codes(cells)
    return (codes.astype(np.int64) + 1) * KIND_CODES + kinds
