"""Find a report's cells in a written file through its Excel Table, never by fixed positions:
the tests then say "the Funds (USD) cell of the fourth data row", wherever the table sits."""

from __future__ import annotations

from openpyxl.utils.cell import get_column_letter, range_boundaries

#: The sentences atop every report sheet, written out here (not taken from the code).
REFRESH_SENTENCE = {
    "en": "This sheet is written by bdt-xl and rewritten on every refresh: anything typed on "
          "it is lost. Keep your own notes and formulas on another sheet.",
    "fr": "Cette feuille est écrite par bdt-xl et réécrite à chaque actualisation : tout ce "
          "qui y est saisi est perdu. Gardez vos notes et formules sur une autre feuille.",
}


def table_bounds(ws, table: str) -> tuple[int, int, int, int]:
    """(header row, first column, last row, last column) of the Excel Table ``table`` on the
    openpyxl sheet ``ws`` (1-based)."""
    c1, r1, c2, r2 = range_boundaries(ws.tables[table].ref)
    return r1, c1, r2, c2


def header_row(ws, table: str) -> int:
    return table_bounds(ws, table)[0]


def column_of(ws, table: str, column: str) -> int:
    """The sheet column of ``column``, read from the table's header cells."""
    r1, c1, _, c2 = table_bounds(ws, table)
    headers = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
    return c1 + headers.index(column)


def data_cell(ws, table: str, row: int, column: str):
    """The cell of ``column`` on data row ``row`` (0 = the first row below the header)."""
    return ws.cell(header_row(ws, table) + 1 + row, column_of(ws, table, column))


def data_row(ws, table: str, row: int) -> dict:
    """Data row ``row`` (0-based) as {header: cell}."""
    r1, c1, _, c2 = table_bounds(ws, table)
    return {ws.cell(r1, c).value: ws.cell(r1 + 1 + row, c) for c in range(c1, c2 + 1)}


def column_range(ws, table: str, column: str, first: int, last: int, sheet: str | None = None
                 ) -> str:
    """The absolute A1 reference of data rows ``first..last`` (0-based) of ``column``, as a
    chart formula names it (``'ByRegion'!$D$4:$D$10`` with ``sheet``)."""
    letter = get_column_letter(column_of(ws, table, column))
    top = header_row(ws, table) + 1
    ref = f"${letter}${top + first}:${letter}${top + last}"
    return f"'{sheet}'!{ref}" if sheet else ref
