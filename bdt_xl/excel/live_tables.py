"""The input tables of an open workbook (xlwings), found by the same rule as in a file.

Used by the Refresh report macro and by the worksheet functions alike: Excel Tables are
found by name on any sheet (``core.table.find_tables``: case and spacing ignored); a sheet
named like a table that no Excel Table provides stands in for it from its first non-blank
row (``core.table.stand_in_sheets``). Error cells arrive as their text ("#N/A").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bdt_xl.core.table import (
    INPUT_TABLES,
    REQUIRED_TABLES,
    RawTable,
    find_tables,
    header_index,
    stand_in_sheets,
)
from bdt_xl.errors import WorkbookError
from bdt_xl.excel.live_writer import UNSUPPORTED


@dataclass
class LiveTable:
    """One input table as read from the book: its values (header first) and where it sits."""
    name: str
    sheet: str
    values: list[list[object]]
    header_row: int  # 1-based sheet row of the header

    def raw(self) -> RawTable:
        return RawTable.from_values(self.name, self.values, self.sheet, self.header_row)


def find_live_tables(book: Any) -> tuple[dict[str, LiveTable], list[str]]:
    """The input tables of ``book`` (an ``xw.Book``) and the names of every Excel Table seen."""
    sheets = list(book.sheets)
    located: list[tuple[str, Any, Any]] = []  # (table name, sheet, xlwings table)
    for sheet in sheets:
        try:
            located += [(table.name, sheet, table) for table in sheet.tables]
        except UNSUPPORTED:
            continue
    seen = [name for name, _, _ in located]
    tables: dict[str, LiveTable] = {}
    for wanted, name in find_tables(seen, INPUT_TABLES).items():
        _, sheet, table = next(entry for entry in located if entry[0] == name)
        cells = table.range
        tables[wanted] = LiveTable(wanted, sheet.name, range_values(cells), cells.row)
    by_name = {sheet.name: sheet for sheet in sheets}
    for wanted, name in stand_in_sheets(list(by_name), tables, INPUT_TABLES).items():
        used = by_name[name].used_range
        values = range_values(used)
        start = header_index(values)
        if start is not None:
            tables[wanted] = LiveTable(wanted, name, values[start:], used.row + start)
    return tables, seen


def read_live_tables(book: Any) -> dict[str, RawTable]:
    """Every input table of the open ``book``, with its sheet and sheet rows; raises
    ``WorkbookError`` (one sentence) when there is no Agreements table."""
    found, seen = find_live_tables(book)
    missing = [name for name in REQUIRED_TABLES if name not in found]
    if missing:
        raise WorkbookError(
            f"This workbook has no Excel Table named '{missing[0]}' (tables found: "
            f"{', '.join(seen) or 'none'}); select your agreement rows with their header and "
            f"use Insert > Table, then name it '{missing[0]}' in Table Design > Table Name.")
    return {name: table.raw() for name, table in found.items()}


def range_values(cells: Any) -> list[list[object]]:
    """A range's cells, header first, always 2-D, error cells as their text ("#N/A")."""
    try:
        values = cells.options(ndim=2, err_to_str=True).value
    except UNSUPPORTED:  # xlwings without err_to_str
        values = cells.options(ndim=2).value
    return values or []
