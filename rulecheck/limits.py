"""The bounds within which rulecheck reads a file; past them the file is refused, never half read.

One place for every limit, so the README can quote them and a test can lower them. A township
slate is a few hundred rows in a file of 20-200 KB; the bounds leave two to three orders of
magnitude of room for a whole city in one sheet, and stop files built to exhaust memory.
"""

from __future__ import annotations

MiB = 1 << 20

# Whole files: read once into memory, so this bounds the memory a file can take before parsing.
MAX_FILE_BYTES = 256 * MiB

# Zip packages (xlsx, xlsm, ods), checked from the central directory before anything is inflated.
MAX_ZIP_ENTRIES = 10_000
MAX_PART_BYTES = 256 * MiB  # one part (a sheet's XML, the shared strings) once inflated
MAX_TOTAL_BYTES = 512 * MiB  # all parts together once inflated
MAX_RATIO = 200  # inflated / compressed size of one part; real sheets stay under ~30
RATIO_FLOOR = 1 * MiB  # parts smaller than this are never refused for their ratio

# XML parts: a DTD (and so an entity declaration) may only stand before the root element
# (XML 1.0 §2.8); Office files never have one. The root element must start within this many bytes.
MAX_XML_PROLOG = 64 * 1024

# Cells of one sheet held in memory at once: rows that hold cells × the columns up to the
# right-most cell. calamine lays a sheet out as a dense grid from A1, 32 bytes a cell, plus a
# Python list per row; 2 million cells is about 200 MB at peak.
MAX_SHEET_CELLS = 5_000_000
# A sheet over that bound only through a blank gap or stray cells far to the right is read with
# the gap closed and cells right of this column (AMJ, LibreOffice's old last column) left out.
MAX_COLUMNS_READ = 1024
