"""What the workbook's buttons run: the Refresh report macro.

``refresh_report(book=None)`` (book defaults to ``xlwings.Book.caller()``) reads the input
tables from the open workbook, runs the engine and writes the report sheets, tables and
charts into the live workbook (``excel.live_writer``), with screen updating, events and
automatic calculation suspended meanwhile and always restored. It ends with a short message
box ("Report refreshed: 1,204 rows used, 3 excluded (see the Issues sheet).") and returns a
``RefreshSummary``.

The other macros reuse ``read_live_tables`` (from ``excel.live_tables``, re-exported here)
and ``tell_user`` (the message box).

The user never sees a traceback: a problem with the workbook is told in its one sentence, an
unexpected error in one sentence too (the details go to the log and to
``RefreshSummary.details``); either way the previous report sheets are left as they were.
Only when no message box can be shown does the error propagate.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bdt_xl import schema as s
from bdt_xl.core.pipeline import Options, run
from bdt_xl.core.report import Report
from bdt_xl.errors import BdtError
from bdt_xl.excel.live_tables import read_live_tables
from bdt_xl.excel.live_writer import UNSUPPORTED, excel_paused, render_live
from bdt_xl.excel.version_check import check_xlwings
from bdt_xl.layout.report_layout import build_layout

log = logging.getLogger(__name__)
T = TypeVar("T")

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

    def __str__(self) -> str:
        return self.message


def refresh_report(book: Any = None, options: Options | None = None) -> RefreshSummary:
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
    except Exception as exc:  # every failure is told in one sentence
        return report_failure(book, exc, RefreshSummary, "The report could not be refreshed",
                              "; the previous report sheets are unchanged")
    summary = RefreshSummary(True, refreshed_message(report), report.rows_read,
                             report.rows_excluded, report.warnings, written.sheets,
                             written.notes, report)
    for note in written.notes:
        log.info("%s", note)
    tell_user(book, summary)
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


def report_failure(book: Any, exc: Exception, summary: Callable[..., T], failed: str,
                   unchanged: str = "", title: str = TITLE) -> T:
    """The summary of a macro that failed, shown in a message box: a ``BdtError``'s own
    sentence, or for a bug "``failed`` because of an unexpected error (…)``unchanged``." with
    the traceback in the summary's details (re-raised where Excel cannot show a message)."""
    if isinstance(exc, BdtError):
        told = summary(False, str(exc))
        tell_user(book, told, critical=True, title=title)
        return told
    log.exception("%s", failed)
    told = summary(False, f"{failed} because of an unexpected error ({type(exc).__name__}: "
                          f"{_first_line(exc)}){unchanged}.", details=traceback.format_exc())
    if not tell_user(book, told, critical=True, title=title):
        raise exc
    return told


def tell_user(book: Any, message: object, critical: bool = False, title: str = TITLE) -> bool:
    """Show ``message`` (a sentence, or a summary with a ``message``) in a message box (titled
    like every BDT macro's unless ``title`` says otherwise); False when Excel cannot show one."""
    text = str(getattr(message, "message", message))
    try:
        book.app.alert(text, title=title, mode="critical" if critical else "info")
        return True
    except UNSUPPORTED:
        return False
    except Exception as exc:
        log.warning("could not show the message box: %s", exc)
        return False


__all__ = ["TITLE", "RefreshSummary", "read_live_tables", "refresh_report", "refreshed_message",
           "tell_user"]
