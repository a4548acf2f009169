"""Append rows to the ``Rates`` table of a workbook loaded with openpyxl (``rates import``).

The rows go right below the table's last filled row (blank rows at the end of the table are
filled first), each cell styled like the cell above it (date format on *Effective from*,
number format on *Units per USD*), and the Excel Table's range and filter grow with them.
Currencies new to the workbook are added to the list that feeds the Currency drop-down of
``Agreements`` (the defined name ``Currencies``, a column beside the Lists table, see
``workbooks.macro_workbook``), and that name is extended, so the drop-down offers them.
Nothing else in the workbook is touched; nothing is written over a non-empty cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.utils.cell import absolute_coordinate, get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from bdt_xl import schema as s
from bdt_xl.core.rates_merge import no_rates_table
from bdt_xl.core.table import RawTable, find_tables, is_blank, stand_in_sheets
from bdt_xl.core.validation import column_positions
from bdt_xl.errors import WorkbookError
from bdt_xl.layout.input_tables import DATE_FORMAT, DROPDOWN_NAMES, RATE_FORMAT

CURRENCIES_NAME = DROPDOWN_NAMES[s.CURRENCY]


@dataclass
class AppendedRates:
    """Where the rows went: sheet, 1-based sheet rows, and the codes added to the drop-down."""
    sheet: str
    rows: list[int] = field(default_factory=list)
    dropdown_codes: list[str] = field(default_factory=list)


def append_rates(book: Workbook, rows: Sequence[tuple[str, date, float]]) -> AppendedRates:
    """Append (currency, effective from, units per USD) rows to the book's ``Rates`` table.

    Raises ``WorkbookError`` (one sentence) when there is no such table or it cannot grow.
    """
    sheet, table = _rates_table(book)
    if table is None:
        first_row, first_col, last_col, last_row = _plain_bounds(sheet)
    else:
        if table.totalsRowCount:
            raise WorkbookError(f"the {s.RATES} table (sheet '{sheet.title}') has a total row, "
                                "so rows cannot be added below it; remove the total row "
                                "(Table Design > Total Row) and import again.")
        first_col, first_row, last_col, last_row = range_boundaries(table.ref)
    header = [sheet.cell(first_row, c).value for c in range(first_col, last_col + 1)]
    positions = column_positions(RawTable(s.RATES, sheet.title, [_text(h) for h in header], []),
                                 s.RATE_COLUMNS)
    columns = {name: first_col + i for name, i in positions.items()}
    filled = _last_filled_row(sheet, first_row, last_row, first_col, last_col)
    target = list(range(filled + 1, filled + 1 + len(rows)))
    _check_free(sheet, target, last_row, first_col, last_col)
    formats = {s.EFFECTIVE_FROM: DATE_FORMAT, s.UNITS_PER_USD: RATE_FORMAT}
    for sheet_row, (currency, effective, units) in zip(target, rows):
        for name, value in zip(s.RATE_COLUMNS, (currency, effective, units)):
            cell = sheet.cell(sheet_row, columns[name])
            above = sheet.cell(sheet_row - 1, columns[name])
            if sheet_row - 1 > first_row and above.has_style:
                cell._style = copy(above._style)
            cell.value = value
            if name in formats and cell.number_format == "General":
                cell.number_format = formats[name]
    if table is not None and target and target[-1] > last_row:
        ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}" \
              f"{target[-1]}"
        table.ref = ref
        if table.autoFilter is not None:
            table.autoFilter.ref = ref
    codes = _extend_currency_list(book, sorted({row[0] for row in rows}))
    return AppendedRates(sheet.title, target, codes)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _rates_table(book: Workbook):
    """(sheet, openpyxl Table) of ``Rates``; (sheet, None) for a plain sheet named Rates."""
    tables = {table.displayName or table.name: (sheet, table) for sheet in book.worksheets
              for table in sheet.tables.values()}  # (``items()`` gives names and refs)
    found = find_tables(tables, [s.RATES])  # the one naming rule, as the reader's
    if s.RATES in found:
        return tables[found[s.RATES]]
    stand_in = stand_in_sheets(book.sheetnames, found, [s.RATES])
    if s.RATES in stand_in:
        return book[stand_in[s.RATES]], None
    raise WorkbookError(no_rates_table("The workbook"))


def _plain_bounds(sheet: Worksheet) -> tuple[int, int, int, int]:
    """Header row, first and last column, last row of a sheet that holds the table as is."""
    for row in sheet.iter_rows():
        used = [cell.column for cell in row if not is_blank(cell.value)]
        if used:
            return row[0].row, min(used), max(used), sheet.max_row
    raise WorkbookError(f"the {s.RATES} sheet is empty; type the header "
                        f"{', '.join(s.RATE_COLUMNS)} in its first row and import again.")


def _last_filled_row(sheet: Worksheet, header: int, last: int, first_col: int,
                     last_col: int) -> int:
    for row in range(last, header, -1):
        if any(not is_blank(sheet.cell(row, c).value) for c in range(first_col, last_col + 1)):
            return row
    return header


def _check_free(sheet: Worksheet, rows: list[int], table_last: int, first_col: int,
                last_col: int) -> None:
    for row in rows:
        if row <= table_last:
            continue
        for col in range(first_col, last_col + 1):
            if not is_blank(sheet.cell(row, col).value):
                raise WorkbookError(
                    f"the cells below the {s.RATES} table are not empty (sheet "
                    f"'{sheet.title}', cell {get_column_letter(col)}{row}), so the table "
                    "cannot grow; move what is there and import again.")


def _extend_currency_list(book: Workbook, currencies: list[str]) -> list[str]:
    """Add the codes missing from the ``Currencies`` list below it; return those added."""
    defined = book.defined_names.get(CURRENCIES_NAME)
    if defined is None:
        return []
    destinations = list(defined.destinations)
    if len(destinations) != 1 or destinations[0][0] not in book.sheetnames:
        return []
    title, ref = destinations[0]
    sheet = book[title]
    try:
        col, first, last_col, last = range_boundaries(ref.replace("$", ""))
    except (ValueError, TypeError):
        return []
    if col != last_col:
        return []
    listed = {_text(sheet.cell(r, col).value).strip().upper() for r in range(first, last + 1)}
    missing = [code for code in currencies if code not in listed]
    row, added = last, []
    for code in missing:
        if not is_blank(sheet.cell(row + 1, col).value):
            break  # the list cannot grow without writing over a cell
        row += 1
        sheet.cell(row, col).value = code
        added.append(code)
    if added:
        top = absolute_coordinate(f"{get_column_letter(col)}{first}")
        bottom = absolute_coordinate(f"{get_column_letter(col)}{row}")
        defined.attr_text = f"{_quoted(title)}!{top}:{bottom}"
    return added


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
