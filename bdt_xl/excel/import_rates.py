"""The **Import UN rates** button: the UN Treasury's rates file into the open workbook.

``import_un_rates(book=None, path=None)`` asks for the file (unless ``path`` is given), reads
it (``files.un_rates``), decides which rates the live ``Rates`` table lacks
(``core.rates_merge``, the rule of ``bdt-xl rates import``), appends them below the table's
last row with the table's formats, grows the table and the list behind the Currency
drop-down, and says how many were added and how many were already there.

Asking for the file: on Windows Excel's own dialog, ``Application.GetOpenFilename`` through
``app.api``; on macOS, where Excel's AppleScript dictionary has no dependable equivalent,
the system's ``choose file`` dialog through ``osascript``. Engines without either (xlwings
Server/Lite) say so and point to ``bdt-xl rates import``.

The workbook's buttons all run the same VBA macro (xlwings' ``SampleCall``, i.e. ``main()``
of the workbook's .py file): ``clicked_import_button()`` tells whether it was this one. The
user never sees a traceback.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bdt_xl import schema as s
from bdt_xl.core.lists import normalize
from bdt_xl.core.rates_merge import (
    RatesMerge,
    existing_rates,
    merge_rates,
    no_rates_table,
    summary_sentence,
)
from bdt_xl.core.table import RawTable, find_tables, is_blank
from bdt_xl.core.validation import column_positions
from bdt_xl.errors import WorkbookError
from bdt_xl.layout.input_tables import DATE_FORMAT, DROPDOWN_NAMES, RATE_FORMAT
from bdt_xl.workbooks.macro_workbook import IMPORT_RATES_CAPTION

log = logging.getLogger(__name__)

TITLE = BUTTON_CAPTION = IMPORT_RATES_CAPTION
CURRENCIES_NAME = DROPDOWN_NAMES[s.CURRENCY]
FILE_FILTER = "UN operational rates (*.xml;*.txt),*.xml;*.txt,All files (*.*),*.*"
NO_DIALOG = ("This Excel cannot show a file dialog to Python; import the rates with the "
             "command: bdt-xl rates import RATES_FILE WORKBOOK")


@dataclass
class ImportSummary:
    """What a click did; ``str()`` is the message the user was shown."""
    ok: bool
    message: str
    merge: RatesMerge | None = None
    rows: tuple[int, ...] = ()  # sheet rows written
    details: str | None = None  # traceback of an unexpected error

    def __str__(self) -> str:
        return self.message


def import_un_rates(book=None, path: str | Path | None = None) -> ImportSummary:
    """Append the missing rates of a UN rates file to the open ``book``'s Rates table."""
    if book is None:
        import xlwings

        book = xlwings.Book.caller()
    try:
        chosen = Path(path) if path is not None else choose_rates_file(book.app)
        if chosen is None:
            return ImportSummary(False, "No file was chosen; nothing was imported.")
        summary = _import(book, chosen)
    except Exception as exc:  # every failure is told in one sentence
        from bdt_xl.excel.macros import report_failure

        return report_failure(book, exc, ImportSummary, "The rates could not be imported",
                              "; the Rates table is as it was", title=TITLE)
    _tell(book, summary)
    return summary


def _import(book, chosen: Path) -> ImportSummary:
    from bdt_xl.excel.live_writer import excel_paused
    from bdt_xl.excel.macros import read_live_tables
    from bdt_xl.files.un_rates import read_un_rates

    rates_file = read_un_rates(chosen)
    tables = read_live_tables(book)
    if s.RATES not in tables:
        raise WorkbookError(no_rates_table("This workbook"))
    merge = merge_rates(rates_file.records, existing_rates(tables[s.RATES]), rates_file.name)
    rows: tuple[int, ...] = ()
    if merge.added:
        with excel_paused(book.app):
            rows = append_live(book, merge.added)
    text = f"{rates_file.name}: {summary_sentence(merge)}"
    if merge.added:
        text += " Click Refresh report to use them."
    return ImportSummary(True, text, merge, rows)


# -- asking for the file ---------------------------------------------------------------------
def choose_rates_file(app) -> Path | None:
    """The file the user picks (None if they cancel); ``BdtError`` where no dialog exists."""
    if sys.platform == "darwin":
        return _choose_on_mac()
    try:
        picked = app.api.GetOpenFilename(FILE_FILTER, 1, TITLE)
    except Exception:  # the remote engine has no COM object; other errors: no dialog
        raise WorkbookError(NO_DIALOG) from None
    return Path(picked) if isinstance(picked, str) and picked else None


def _choose_on_mac() -> Path | None:
    script = ('POSIX path of (choose file with prompt "Choose the UN operational rates file '
              '(XML or text)")')
    try:
        done = subprocess.run(["osascript", "-e", script], capture_output=True, text=True,
                              timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        raise WorkbookError(NO_DIALOG) from None
    if done.returncode != 0:  # cancelled (error -128)
        return None
    picked = done.stdout.strip()
    return Path(picked) if picked else None


def clicked_import_button(book=None) -> bool:
    """Whether the button that ran the macro is **Import UN rates** (False when unknown).

    Windows Excel names the clicked button (``Application.Caller``) and its caption tells it.
    Where the caller cannot be read (macOS, the macro run from Alt+F8), the active sheet
    does: the Import button is the only one on the Rates sheet.
    """
    try:
        if book is None:
            import xlwings

            book = xlwings.Book.caller()
    except Exception:  # not run from Excel at all
        return False
    try:
        api = book.app.api
        caller = api.Caller
        if isinstance(caller, str):
            return str(api.ActiveSheet.Buttons(caller).Caption).strip() == BUTTON_CAPTION
    except Exception:  # no COM object (macOS, remote engine), or not a button
        pass
    try:
        return normalize(book.sheets.active.name) == normalize(s.RATES)
    except Exception:
        return False


# -- appending to the live table ---------------------------------------------------------------
def _rates_table(book):
    tables = {table.name: (sheet, table) for sheet in book.sheets for table in sheet.tables}
    found = find_tables(tables, [s.RATES])  # the one naming rule, as the reader's
    if s.RATES not in found:
        raise WorkbookError(no_rates_table("This workbook"))
    return tables[found[s.RATES]]


def append_live(book, rows: list[tuple[str, date, float]]) -> tuple[int, ...]:
    """Write ``rows`` below the last filled row of the live Rates table; grow the table."""
    sheet, table = _rates_table(book)
    cells = table.range
    first_row, first_col = cells.row, cells.column
    last_row, last_col = cells.last_cell.row, cells.last_cell.column
    values = cells.options(ndim=2).value
    header = ["" if h is None else str(h) for h in values[0]]
    positions = column_positions(RawTable(s.RATES, sheet.name, header, []), s.RATE_COLUMNS)
    filled = max((first_row + i for i, row in enumerate(values[1:], start=1)
                  if any(not is_blank(v) for v in row)), default=first_row)
    start, end = filled + 1, filled + len(rows)
    if end > last_row:
        below = sheet.range((max(start, last_row + 1), first_col), (end, last_col))
        for r, row in enumerate(below.options(ndim=2).value):
            for c, value in enumerate(row):
                if not is_blank(value):
                    raise WorkbookError(
                        f"the cells below the {s.RATES} table are not empty (sheet "
                        f"'{sheet.name}', row {below.row + r}, column {below.column + c}), "
                        "so the table cannot grow; move what is there and import again.")
    formats = {s.EFFECTIVE_FROM: DATE_FORMAT, s.UNITS_PER_USD: RATE_FORMAT}
    for index, name in enumerate(s.RATE_COLUMNS):
        col = first_col + positions[name]
        column = sheet.range((start, col), (end, col))
        column.value = [[_cell(row[index])] for row in rows]
        if name in formats:
            column.number_format = _format_above(sheet, start, col, first_row) or formats[name]
    if end > last_row:
        table.resize(sheet.range((first_row, first_col), (end, last_col)))
    _extend_currency_list(book, sorted({row[0] for row in rows}))
    return tuple(range(start, end + 1))


def _cell(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _format_above(sheet, row: int, col: int, header_row: int) -> str | None:
    if row - 1 <= header_row:
        return None
    try:
        found = sheet.range((row - 1, col)).number_format
    except Exception:  # the remote engine cannot read formats synchronously
        return None
    return found if isinstance(found, str) and found and found != "General" else None


def _extend_currency_list(book, currencies: list[str]) -> None:
    """Add missing codes below the list feeding the Currency drop-down and grow its name."""
    try:
        name = book.names[CURRENCIES_NAME]
        listed = name.refers_to_range
    except Exception:  # no such name, or not one range
        return
    if listed.columns.count != 1:
        return
    codes = {str(v).strip().upper() for v in listed.options(ndim=1).value if not is_blank(v)}
    missing = [code for code in currencies if code not in codes]
    if not missing:
        return
    top, bottom = listed.row, listed.last_cell.row
    below = listed.sheet.range((bottom + 1, listed.column), (bottom + len(missing),
                                                             listed.column))
    if any(not is_blank(v) for v in below.options(ndim=1).value):
        return  # the list cannot grow without writing over a cell
    below.value = [[code] for code in missing]
    grown = listed.sheet.range((top, listed.column), (bottom + len(missing), listed.column))
    title = listed.sheet.name.replace("'", "''")
    name.refers_to = f"='{title}'!{grown.address}"


def _tell(book, summary: ImportSummary, critical: bool = False) -> bool:
    from bdt_xl.excel.macros import tell_user  # the button's entry imports this module first

    return tell_user(book, summary, critical, title=TITLE)
