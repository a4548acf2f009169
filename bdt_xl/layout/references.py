"""A1 references: the one helper every renderer, builder and test uses to name cells.

Cells are 1-based ``(row, column)``; a range is ``(first row, first column, last row, last
column)``. ``a1`` writes Excel's absolute form (``'ByRegion'!$D$2:$D$8``), ``address`` the
relative one without the sheet (``D2:D8``), as Table refs and xlwings ranges want it.
"""

from __future__ import annotations

import re

CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column


def column_letter(col: int) -> str:
    """1 -> ``A``, 27 -> ``AA``."""
    if col < 1:
        raise ValueError(f"column {col} is before column A")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27 (the inverse of ``column_letter``)."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col


def quote_sheet(sheet: str) -> str:
    """A sheet name as a reference prefix: always quoted, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def a1(cells: CellRange, sheet: str | None = None) -> str:
    """Absolute A1 reference, e.g. ``'ByRegion'!$D$2:$D$8`` (a single cell stays single)."""
    r1, c1, r2, c2 = cells
    text = f"${column_letter(c1)}${r1}"
    if (r1, c1) != (r2, c2):
        text += f":${column_letter(c2)}${r2}"
    return text if sheet is None else f"{quote_sheet(sheet)}!{text}"


def address(cells: CellRange) -> str:
    """Relative A1 address without a sheet, e.g. ``A1:H13``."""
    return a1(cells).replace("$", "")


_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def parse_cell(text: str) -> tuple[int, int]:
    """``$D$2`` or ``D2`` -> ``(2, 4)``."""
    found = _CELL.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not an A1 cell reference")
    return int(found.group(2)), column_number(found.group(1))
