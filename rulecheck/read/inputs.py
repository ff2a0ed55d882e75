"""Input formats: each is told by its bytes and read to raw sheets; ``FORMATS`` names them, one line a format.

What a file is comes from its bytes, not its name: ``guard.identify`` sniffs them once (zip,
ole2, html, spreadsheetml, text, or what they are instead: pdf, image, …) and the first format
whose ``identify`` takes them reads them. The suffixes only choose which files a folder search
picks up. To add an input format, write a function ``read(name, data) -> list[RawSheet]`` (in
its own module under ``rulecheck/read/``) and add an ``InputFormat`` line to ``FORMATS``, before
the delimited-text line that takes whatever text is left.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from rulecheck.read import guard
from rulecheck.read.raw import PassedOver, RawSheet, ReadError, Term


@dataclass(frozen=True)
class InputFormat:
    """One input format: what it is called, the file names a folder search takes for it, and how it is told and read."""

    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot; a format with only others' suffixes (HTML as .xls) has none
    identify: Callable[[bytes, str], bool]  # (the bytes, what guard.identify says they are) → whether this reads them
    read: Callable[[str, bytes], list[RawSheet]]  # (the file's stem, for a sheet without a name of its own; the bytes)


# --------------------------------------------------------------------------- workbooks, read with python-calamine


def read_package(name: str, data: bytes) -> list[RawSheet]:
    """An xlsx, xlsm or ods package: checked by ``guard`` before calamine inflates anything."""
    package = guard.open_package(data)
    if package.made_by is not None:
        raise PassedOver(package.made_by)
    return read_workbook(package.data, package.sheets)


# An Office file encrypted with a password is an OLE2 container with these streams (MS-OFFCRYPTO).
_ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))


def read_ole2(name: str, data: bytes) -> list[RawSheet]:
    """An xls workbook (WPS's .et and .ett are xls inside): calamine reads them as such."""
    if any(stream in data for stream in _ENCRYPTED_STREAMS):
        raise ReadError("encrypted")
    return read_workbook(data, {})


def read_workbook(data: bytes, plans: dict[str, guard.SheetPlan]) -> list[RawSheet]:
    """Every worksheet calamine finds in a workbook's bytes, laid out from A1, with guard's plan for each."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise ReadError("encrypted") from None
    except python_calamine.CalamineError as exc:  # the base of calamine's zip, xml and format errors
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    except (ValueError, OverflowError, UnicodeError) as exc:  # bytes calamine cannot make sense of
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    except BaseException as exc:
        if not _panicked(exc):
            raise
        raise ReadError("workbook-damaged", reason=_first_line(exc)) from None
    sheets = []
    for meta in book.sheets_metadata:
        if str(meta.typ) != "SheetTypeEnum.WorkSheet":  # chart, dialog and macro sheets hold no table
            continue
        hidden = str(meta.visible) != "SheetVisibleEnum.Visible"  # hidden and very hidden sheets are read too
        try:
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python()  # from the first used cell: padding the rest is costly
            top, left = sheet.start or (0, 0)
            if left:
                pad = [""] * left
                rows = [pad + row for row in rows]
            if top:
                rows = [[] for _ in range(top)] + rows
        except python_calamine.PasswordError:
            raise ReadError("encrypted") from None
        except python_calamine.CalamineError as exc:
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        except (ValueError, OverflowError, UnicodeError) as exc:  # a cell calamine cannot turn into Python (a date out of range)
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        except BaseException as exc:
            if not _panicked(exc):
                raise
            raise ReadError("sheet-unreadable", sheet=meta.name, reason=_first_line(exc)) from None
        plan = plans.get(meta.name, guard.SheetPlan())
        sheets.append(RawSheet(meta.name, rows, plan.row_numbers, plan.uncached, plan.dropped, hidden=hidden,
                               hidden_rows=plan.hidden_rows))
    return sheets


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _panicked(exc: BaseException) -> bool:
    """A Rust panic inside calamine, raised as pyo3's PanicException: a BaseException, importable only once raised."""
    return type(exc).__name__ == "PanicException"


# --------------------------------------------------------------------------- text formats (rulecheck/read/textsheets.py)


def _textsheets(reader: str) -> Callable[[str, bytes], list[RawSheet]]:
    def read(name: str, data: bytes) -> list[RawSheet]:
        from rulecheck.read import textsheets  # only for these: it is not needed to read a workbook

        return getattr(textsheets, reader)(name, data)

    return read


def _is(kind: str) -> Callable[[bytes, str], bool]:
    return lambda data, sniffed: sniffed == kind


FORMATS: tuple[InputFormat, ...] = (
    InputFormat("xlsx", (".xlsx", ".xlsm", ".ods"), _is("zip"), read_package),  # calamine takes a zip as xlsx, else ods
    InputFormat("xls", (".xls", ".et", ".ett"), _is("ole2"), read_ole2),
    InputFormat("html", (), _is("html"), _textsheets("read_html")),  # as web systems save it, named .xls
    InputFormat("spreadsheetml", (), _is("spreadsheetml"), _textsheets("read_spreadsheetml")),  # XML Spreadsheet 2003
    InputFormat("text", (".csv",), _is("text"), _textsheets("read_delimited")),  # comma- or tab-separated
)

SUFFIXES = tuple(dict.fromkeys(suffix for f in FORMATS for suffix in f.suffixes))


def read(name: str, data: bytes) -> list[RawSheet]:
    """The raw sheets of a file's bytes, by the first format that takes them; raises ReadError naming what they are."""
    kind = guard.identify(data)
    if kind == "empty":
        raise ReadError("empty-file")
    for input_format in FORMATS:
        if input_format.identify(data, kind):
            return input_format.read(name, data)
    raise ReadError("not-a-spreadsheet", what=Term(f"what-{kind}"))
