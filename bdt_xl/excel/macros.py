"""What the workbook's buttons run: the Refresh report macro.

``refresh_report(book=None)`` (book defaults to ``xlwings.Book.caller()``) reads the input
tables from the open workbook, runs the engine and writes the report sheets, tables and
charts into the live workbook (``render.live_writer``), with screen updating, events and
automatic calculation suspended meanwhile and always restored. It ends with a short message
box ("Report refreshed: 1,204 rows used, 3 excluded (see the Issues sheet).") and returns a
``RefreshSummary``.

The user never sees a traceback: a problem with the workbook is told in its one sentence, an
unexpected error in one sentence too (the details go to the log and to
``RefreshSummary.details``); either way the previous report sheets are left as they were.
Only when no message box can be shown does the error propagate.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field

from bdt_xl import schema as s
from bdt_xl.core.lists import normalize
from bdt_xl.core.pipeline import Options, run
from bdt_xl.core.report import Report
from bdt_xl.core.table import INPUT_TABLES, REQUIRED_TABLES, RawTable
from bdt_xl.errors import BdtError, WorkbookError
from bdt_xl.excel.live_writer import UNSUPPORTED, excel_paused, render_live
from bdt_xl.excel.version_check import check_xlwings
from bdt_xl.layout.report_layout import build_layout

log = logging.getLogger(__name__)

TITLE = "BDT partnerships report"


@dataclass
class RefreshSummary:
    """What a click on Refresh report did; ``str()`` is the message the user was shown."""
    ok: bool
    message: str
    rows_read: int = 0
    rows_excluded: int = 0
    warnings: int = 0
    sheets: list[str] = field(default_factory=list)  # report sheets written
    notes: list[str] = field(default_factory=list)  # what this Excel could not draw
    report: Report | None = None
    details: str | None = None  # traceback of an unexpected error

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_excluded

    def __str__(self) -> str:
        return self.message


def refresh_report(book=None, options: Options | None = None) -> RefreshSummary:
    """Rebuild the report sheets of ``book`` (default: the workbook whose button was clicked)."""
    if book is None:
        import xlwings

        book = xlwings.Book.caller()
    try:
        check_xlwings(book)  # the workbook's VBA and this Python's xlwings must agree
        tables = read_live_tables(book)
        report = run(tables, options).report
        layout = build_layout(report)
        with excel_paused(book.app):
            written = render_live(layout, book, keep={table.sheet for table in tables.values()})
    except BdtError as exc:
        summary = RefreshSummary(False, str(exc))
        _tell(book, summary, critical=True)
        return summary
    except Exception as exc:
        log.exception("the report could not be refreshed")
        summary = RefreshSummary(
            False, f"The report could not be refreshed because of an unexpected error "
                   f"({type(exc).__name__}: {_first_line(exc)}); the previous report sheets "
                   "are unchanged.", details=traceback.format_exc())
        if not _tell(book, summary, critical=True):
            raise
        return summary
    summary = RefreshSummary(True, refreshed_message(report), report.rows_read,
                             report.rows_excluded, report.warnings, written.sheets,
                             written.notes, report)
    for note in written.notes:
        log.info("%s", note)
    _tell(book, summary)
    return summary


def refreshed_message(report: Report) -> str:
    """The sentence shown after a refresh."""
    used = report.rows_read - report.rows_excluded
    parts = [f"{used:,} {'row' if used == 1 else 'rows'} used"]
    parts.append(f"{report.rows_excluded:,} excluded" if report.rows_excluded else "none excluded")
    if report.warnings:
        parts.append(f"{report.warnings:,} {'warning' if report.warnings == 1 else 'warnings'}")
    text = "Report refreshed: " + ", ".join(parts)
    if report.rows_excluded or report.warnings:
        text += f" (see the {s.ISSUES} sheet)"
    text += "."
    if report.fallback_rates_used:
        text += (f" {report.fallback_rates_used:,} amounts were converted with the fallback "
                 "rates, not the UN operational rates.")
    for note in report.notes:
        text += " " + note
    return text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "no details"


def _tell(book, summary: RefreshSummary, critical: bool = False) -> bool:
    """Show the summary in a message box; False when this Excel cannot show one."""
    try:
        book.app.alert(summary.message, title=TITLE, mode="critical" if critical else "info")
        return True
    except UNSUPPORTED:
        return False
    except Exception as exc:
        log.warning("could not show the message box: %s", exc)
        return False


# -- reading the open workbook ----------------------------------------------------------------
def read_live_tables(book) -> dict[str, RawTable]:
    """Every input table of the open ``book``, with its sheet and sheet rows.

    Tables are found by name on any sheet (case- and space-insensitively); a workbook
    without Excel Tables still works when a sheet is named like the table and starts with its
    header row (as ``reading.read_workbook``). Raises ``WorkbookError`` without Agreements.
    """
    wanted = {normalize(name): name for name in INPUT_TABLES}
    tables: dict[str, RawTable] = {}
    seen: list[str] = []
    sheets = list(book.sheets)
    for sheet in sheets:
        try:
            found = list(sheet.tables)
        except UNSUPPORTED:
            found = []
        for table in found:
            seen.append(table.name)
            name = wanted.get(normalize(table.name))
            if name is None or name in tables:
                continue
            cells = table.range
            tables[name] = RawTable.from_values(name, _values(cells), sheet.name, cells.row)
    for sheet in sheets:
        name = wanted.get(normalize(sheet.name))
        if name is None or name in tables:
            continue
        raw = _plain_sheet(name, sheet)
        if raw is not None:
            tables[name] = raw
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise WorkbookError(
            f"This workbook has no Excel Table named '{missing[0]}' (tables found: "
            f"{', '.join(seen) or 'none'}); select your agreement rows with their header and "
            f"use Insert > Table, then name it '{missing[0]}' in Table Design > Table Name.")
    return tables


def _values(cells) -> list[list[object]]:
    """A range's cells, header first, always 2-D, error cells as their text ("#N/A")."""
    try:
        values = cells.options(ndim=2, err_to_str=True).value
    except UNSUPPORTED:  # xlwings without err_to_str
        values = cells.options(ndim=2).value
    return values or []


def _plain_sheet(name: str, sheet) -> RawTable | None:
    used = sheet.used_range
    values = _values(used)
    start = next((i for i, row in enumerate(values)
                  if any(cell is not None and str(cell).strip() for cell in row)), None)
    if start is None:
        return None
    return RawTable.from_values(name, values[start:], sheet.name, used.row + start)
