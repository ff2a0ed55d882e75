"""A legacy .xls (BIFF8 in a compound file) built by hand: a good one, and one that makes the reader abort."""

from __future__ import annotations

import struct
from pathlib import Path

from faultkit import GOOD_ROWS, HEADER


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _label(row: int, col: int, text: str) -> bytes:
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), 1) + text.encode("utf-16-le"))


def xls_stream(rows: list[list[object]], stray: tuple[tuple[int, int, str], ...] = (), sheet: str = "名单") -> bytes:
    """A BIFF8 workbook stream: one sheet of text cells (LABEL records), plus cells at ``stray`` (row, col, text)."""
    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    xf = _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")

    def globals_(offset: int) -> bytes:
        # WRITEACCESS padded to keep the stream over 4 KiB, out of the compound file's mini stream
        return (bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + xf * 16 + _record(0x005C, bytes(4200))
                + _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name) + _record(0x000A))

    cells = b"".join(_label(r, c, str(v)) for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None)
    cells += b"".join(_label(r, c, v) for r, c, v in stray)
    width = max(len(row) for row in rows)
    body = bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + _record(0x000A)
    return globals_(len(globals_(0))) + body


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file (512-byte sectors: FAT, directory, then the stream) holding one stream."""
    size = len(stream)
    stream = stream.ljust(max(4096, -(-size // 512) * 512), b"\0")
    sectors = len(stream) // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<9I", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + b"\xff\xff\xff\xff" * 108)

    def entry(title: str, kind: int, child: int, start: int, length: int) -> bytes:
        raw = title.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child) + bytes(36) + struct.pack("<III", start, length, 0))

    empty = bytes(64) + struct.pack("<HBB3I", 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + bytes(48)
    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, 2, size) + empty * 2
    return header + struct.pack("<128I", *fat) + directory + stream


def xls(path: Path, rows: list[list[object]], stray: tuple[tuple[int, int, str], ...] = ()) -> Path:
    path.write_bytes(compound_file(xls_stream(rows, stray)))
    return path


def good_xls(folder: Path, name: str = "good.xls") -> Path:
    return xls(folder / name, [HEADER, *GOOD_ROWS])


def aborting_xls(folder: Path, name: str = "far.xls") -> Path:
    """A real file on which calamine aborts the process: one stray cell at row 65,536, column 65,536
    makes it allocate the grid from A1 at once (128 GiB: "memory allocation … failed", SIGABRT)."""
    return xls(folder / name, [HEADER, *GOOD_ROWS], stray=((65535, 65535, "x"),))
