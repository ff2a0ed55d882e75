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
# Python object per cell; rulecheck then holds the table's rows. A province's slate in one sheet,
# 200,000 candidates × 20 columns, took 610 MB at peak through the whole command line; the bound
# leaves a quarter more (250,000 × 20).
MAX_SHEET_CELLS = 5_000_000
# A grid larger than this that is mostly empty (under a quarter of it filled: a long blank gap,
# stray cells far down or right) is read with the gaps closed rather than laid out, and cells right
# of MAX_COLUMNS_READ (AMJ, LibreOffice's old last column) left out.
MAX_SPARSE_CELLS = 2_000_000
MAX_COLUMNS_READ = 1024
