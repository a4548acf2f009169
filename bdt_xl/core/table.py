"""Tables and cells as every adapter hands them to the core: a header, data rows, and the
rules for a blank cell and an Excel error value. Knows nothing of files or Excel."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from typing import Any

from bdt_xl import schema as s
from bdt_xl.core.lists import normalize

INPUT_TABLES = (s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS)
REQUIRED_TABLES = (s.AGREEMENTS,)
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


@dataclass
class RawTable:
    """An input table as read: header, data rows (blank rows dropped) and their sheet rows."""
    name: str
    sheet: str
    header: list[str]
    rows: list[list[object]]
    sheet_rows: list[int] = field(default_factory=list)  # 1-based sheet row of each data row
    #: Issues the file reader found that the cells cannot show (a formula never calculated,
    #: read as blank); ``pipeline.validate_tables`` reports them and excludes their rows.
    read_issues: list[Any] = field(default_factory=list)

    @classmethod
    def from_values(cls, name: str, values: list[list[object]], sheet: str = "",
                    header_row: int = 1) -> RawTable:
        """Build from a 2-D list, header first (as xlwings returns a range)."""
        if not values:
            return cls(name, sheet or name, [], [], [])
        header = ["" if cell is None else str(cell) for cell in values[0]]
        body = values[1:]
        if not all(map(list.__instancecheck__, body)):
            body = [row if isinstance(row, list) else list(row) for row in body]
        numbers = range(header_row + 1, header_row + 1 + len(body))
        blank = set(_blank_rows(body))
        if not blank:
            return cls(name, sheet or name, header, body, list(numbers))
        kept = [i for i in range(len(body)) if i not in blank]
        return cls(name, sheet or name, header, [body[i] for i in kept],
                   [numbers[i] for i in kept])


def _blank_rows(rows: list[list[object]]) -> list[int]:
    """Positions of the rows whose every cell is blank. Nearly every row fails on its first
    cell, so first cells are tested all at once (at C speed when they are all text: a text
    is blank when stripping leaves nothing), and only the rows that pass are tested whole."""
    firsts = [row[0] if row else "x" for row in rows]  # an empty row [] is kept, as it was
    if set(map(type, firsts)) <= {str}:
        suspects = compress(range(len(rows)), map(not_, map(str.strip, firsts)))
    else:
        suspects = compress(range(len(rows)), map(is_blank, firsts))
    return [i for i in suspects if (None in rows[i] or "" in rows[i])
            and all(is_blank(cell) for cell in rows[i])]


def is_blank(value: object) -> bool:
    """An empty cell: nothing, only spaces, or NaN."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def excel_error(value: object) -> str | None:
    """The Excel error a cell shows (``#N/A``…), or None."""
    if isinstance(value, str):
        text = value.strip().upper()
        if text in EXCEL_ERRORS:
            return text
    return None


# -- finding the input tables by name (a file and a live book alike) --------------------------
def find_tables(names: Iterable[str], wanted: Iterable[str] = INPUT_TABLES) -> dict[str, str]:
    """The name each wanted table goes by among ``names``, case and spacing ignored (the first
    match wins): users type "agreements" or "Agreements " as often as the SPEC's name."""
    keys = {normalize(name): name for name in wanted}
    found: dict[str, str] = {}
    for name in names:
        table = keys.get(normalize(name))
        if table is not None and table not in found:
            found[table] = name
    return found


def stand_in_sheets(sheet_names: Iterable[str], found: Iterable[str],
                    wanted: Iterable[str] = INPUT_TABLES) -> dict[str, str]:
    """Sheets that stand in for a wanted table no Excel Table provides: a workbook without
    Tables still works when a sheet is named like the table and starts with its header row."""
    have = set(found)
    return {table: sheet for table, sheet in find_tables(sheet_names, wanted).items()
            if table not in have}


def header_index(values: Sequence[Sequence[object]]) -> int | None:
    """Where a stand-in sheet's header row is: its first row with a non-blank cell (None for
    an empty sheet)."""
    return next((i for i, row in enumerate(values) if any(not is_blank(c) for c in row)), None)
