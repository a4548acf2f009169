"""Write an input workbook (Agreements, Rates, Settings, Lists as Excel Tables) with XlsxWriter.

Used by the sample-data script, the .xlsm builder, the benchmark and the tests: every
workbook the project ships or tests against is written here, from plain rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, LISTS_COLUMNS, ReferenceLists, lists_table_rows
from bdt_xl.files.safe_write import atomic_target
from bdt_xl.layout.input_tables import AMOUNT_FORMAT, DATE_FORMAT, RATE_FORMAT

Row = Mapping[str, object] | Sequence[object]


@dataclass
class TableRef:
    """Where a table was written: sheet name and zero-based first/last row and column."""
    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    columns: tuple[str, ...]


def _as_list(row: Row, columns: Sequence[str]) -> list[object]:
    if isinstance(row, Mapping):
        return [row.get(column) for column in columns]
    return list(row)


def write_input_workbook(
    path: str | os.PathLike[str],
    agreements: Sequence[Row],
    rates: Sequence[Row] = (),
    settings: Mapping[str, object] | None = None,
    lists: ReferenceLists | None = DEFAULT_LISTS,
    *,
    agreement_columns: Sequence[str] = s.AGREEMENT_COLUMNS,
    agreements_row: int = 0,
    customize: Callable[[xlsxwriter.Workbook, dict[str, TableRef]], None] | None = None,
    vba_project: str | os.PathLike[str] | None = None,
    created: datetime | None = None,
) -> dict[str, TableRef]:
    """Write the input tables to ``path`` (atomically) and return where each table sits.

    ``agreements`` rows are mappings keyed by column name or sequences in
    ``agreement_columns`` order, their header on the zero-based sheet row
    ``agreements_row`` (the rows above it stay free, and frozen with the header, for what the
    .xlsm builder puts there). ``settings`` maps setting names to values; ``None`` leaves
    the Settings table out, as does ``lists=None`` for Lists. ``customize`` is called with
    the open workbook and the table positions before it is closed (the .xlsm builder adds
    its sheets, validations and button there). ``vba_project`` embeds a ``vbaProject.bin``
    (the target must then end in .xlsm). ``created`` fixes the document's creation time
    (default: now), so that a script can rebuild byte-identical files.
    """
    refs: dict[str, TableRef] = {}
    with atomic_target(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"default_date_format": DATE_FORMAT,
                                               "strings_to_numbers": False,
                                               "strings_to_formulas": False})
        book.set_properties({"created": created or datetime.now()})
        if vba_project is not None:
            book.add_vba_project(str(vba_project))
        formats = {
            "date": book.add_format({"num_format": DATE_FORMAT}),
            "amount": book.add_format({"num_format": AMOUNT_FORMAT}),
            "rate": book.add_format({"num_format": RATE_FORMAT}),
        }

        def table(name: str, columns: Sequence[str], rows: Sequence[Row],
                  column_formats: Mapping[str, str], widths: Mapping[str, float],
                  top: int = 0) -> None:
            sheet = book.add_worksheet(name)
            data = [_as_list(row, columns) for row in rows]
            last_row = top + max(len(data), 1)
            sheet.add_table(top, 0, last_row, len(columns) - 1, {
                "name": name,
                "style": "Table Style Medium 2",
                "columns": [{"header": column,
                             "format": formats.get(column_formats.get(column, ""))}
                            for column in columns],
            })
            for r, values in enumerate(data, start=top + 1):
                for c, value in enumerate(values):
                    _write_cell(sheet, r, c, value, formats.get(column_formats.get(columns[c], "")))
            for c, column in enumerate(columns):
                sheet.set_column(c, c, widths.get(column, max(12, len(column) + 4)))
            sheet.freeze_panes(top + 1, 0)
            refs[name] = TableRef(name, top, 0, last_row, len(columns) - 1, tuple(columns))

        table(s.AGREEMENTS, agreement_columns, agreements,
              {s.SIGNED_ON: "date", s.PARTNER_AMOUNT: "amount", s.ITU_AMOUNT: "amount"},
              {s.PARTNER: 48, s.PARTNER_TYPE: 30, s.PRIORITY: 40, s.AGREEMENT_ID: 16},
              agreements_row)
        table(s.RATES, s.RATE_COLUMNS, rates,
              {s.EFFECTIVE_FROM: "date", s.UNITS_PER_USD: "rate"}, {})
        if settings is not None:
            table(s.SETTINGS, s.SETTINGS_COLUMNS, list(settings.items()), {},
                  {s.SETTING: 20, s.VALUE: 20})
        if lists is not None:
            table(s.LISTS, LISTS_COLUMNS, lists_table_rows(lists),
                  {"Valid from": "date", "Valid to": "date"},
                  {"Label": 45, "French label": 45, "Aliases": 40, "Action plan": 26})
        if customize is not None:
            customize(book, refs)
        book.close()
    return refs


def _write_cell(sheet, row: int, col: int, value: object, fmt) -> None:
    if value is None or value == "":
        return
    if isinstance(value, (datetime, date)):
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)
