"""The engine: input tables -> validated agreements -> report tables. No Excel involved.

``run_file`` reads a workbook file; ``run_tables`` takes the tables as 2-D lists (header row
first), which is what the live-Excel macro and the worksheet functions pass in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import schema as s
from .aggregate import build_tables
from .periods import report_periods
from .reading import RawTable, read_workbook
from .report import Report
from .validation import SIGNED, Validated, validate


@dataclass
class Options:
    """Choices that override the workbook's Settings table (None = use the setting)."""
    report_year: int | None = None
    through: date | None = None
    language: str | None = None
    ecb_fallback: bool | None = None
    top_n: int | None = None


def run_file(path: str | os.PathLike[str], options: Options | None = None) -> Report:
    return build_report(validate_tables(read_workbook(path), options), options)


def run_tables(tables: dict[str, list[list[object]]], options: Options | None = None) -> Report:
    raw = {name: RawTable.from_values(name, values) for name, values in tables.items()
           if values is not None}
    return build_report(validate_tables(raw, options), options)


def validate_tables(tables: dict[str, RawTable], options: Options | None = None) -> Validated:
    options = options or Options()
    return validate(tables, ecb_fallback=options.ecb_fallback)


def build_report(checked: Validated, options: Options | None = None) -> Report:
    options = options or Options()
    settings = checked.settings
    frame = checked.agreements
    years = sorted(frame[SIGNED].dt.year.unique().tolist()) if not frame.empty else []
    through = options.through or settings.through
    # A cut-off given without a year names the report year (asked for on the command line,
    # it wins over the Settings table's year).
    report_year = (options.report_year or (options.through.year if options.through else None)
                   or settings.report_year or (through.year if through else None)
                   or (years[-1] if years else None))
    notes = []
    if report_year is not None and through is not None and through.year != report_year:
        notes.append(f"The cut-off date {through.isoformat()} is not in the report year "
                     f"{report_year}; the latest signing date of {report_year} is used instead.")
    if report_year is not None:
        through = default_through(frame, report_year, through)
    if report_year is not None and report_year not in years:
        years.append(report_year)
    periods = report_periods(years, report_year, through)
    tables = build_tables(frame, periods, checked.lists, options.top_n or settings.top_n)
    tables[s.ISSUES] = issues_table(checked)
    return Report(tables=tables, periods=periods, report_year=report_year, through=through,
                  language=options.language or settings.language, lists=checked.lists,
                  rows_read=checked.rows_read, rows_excluded=checked.rows_excluded,
                  warnings=sum(1 for i in checked.issues if i.severity == s.WARNING),
                  fallback_rates_used=checked.fallback_rates_used, notes=notes)


def default_through(frame: pd.DataFrame, year: int, through: date | None = None) -> date:
    """The year-to-date cut-off for ``year``: ``through`` when it falls in that year, else the
    latest signing date of the year, else 31 December."""
    if through is not None and through.year == year:
        return through
    in_year = frame[frame[SIGNED].dt.year == year][SIGNED]
    return in_year.max().date() if not in_year.empty else date(year, 12, 31)


def issues_table(checked: Validated) -> pd.DataFrame:
    rows = [issue.as_row() for issue in checked.issues]
    frame = pd.DataFrame(rows, columns=list(s.ISSUE_COLUMNS), dtype=object)
    return frame
