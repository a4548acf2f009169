"""The one pipeline: input tables -> checked rows -> report. Every entry point calls it.

The CLI, the document command, the public API and the in-place refresh hand it the tables
read from a file, the macro the tables of the live book; ``run_tables`` takes 2-D lists. The
rules that pick the report year and the year-to-date cut-off live here and nowhere else, and
so does the refusal of a workbook without a ``Rates`` table (``require_rates``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.aggregate import build_tables
from bdt_xl.core.lists import KINDS
from bdt_xl.core.models import Issue, IssueCode, Settings
from bdt_xl.core.periods import report_periods
from bdt_xl.core.report import WINDOW, Period, Report
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import ROW, SIGNED, Validated, validate
from bdt_xl.errors import WorkbookError


@dataclass
class Options:
    """Choices that override the workbook's Settings table (None = use the setting)."""
    report_year: int | None = None
    through: date | None = None
    language: str | None = None
    ecb_fallback: bool | None = None
    top_n: int | None = None


#: Called with a short status line ("Validating 50,000 rows…") as the pipeline moves on.
Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What the pipeline produces: the checked rows (with every issue) and the report."""
    checked: Validated
    report: Report


def run(tables: Mapping[str, RawTable], options: Options | None = None,
        progress: Progress | None = None, *, rates_required: bool = True) -> Outcome:
    """Validate the input tables and build the report; refused in one sentence when there is
    no ``Rates`` table to convert the amounts with (``require_rates``), unless not
    ``rates_required``: each unpriced row is then only its own issue."""
    step = progress or (lambda text: None)
    agreements = tables.get(s.AGREEMENTS)
    step(f"Validating {len(agreements.rows) if agreements else 0:,} rows…")
    checked = validate_tables(tables, options)
    if rates_required:
        require_rates(tables, checked, options.ecb_fallback if options is not None else None)
    step("Computing the report…")
    return Outcome(checked, build_report(checked, options))


def run_tables(tables: Mapping[str, list[list[object]] | None],
               options: Options | None = None) -> Report:
    """The report from tables given as 2-D lists, header row first (a range's values): the
    engine's rules on small tables, each row's issues its own (no whole-table refusal)."""
    raw = {name: RawTable.from_values(name, values) for name, values in tables.items()
           if values is not None}
    return run(raw, options, rates_required=False).report


def validate_tables(tables: Mapping[str, RawTable], options: Options | None = None) -> Validated:
    options = options or Options()
    checked = validate(tables, ecb_fallback=options.ecb_fallback)
    found = [issue for table in tables.values() for issue in table.read_issues]
    if found:  # the reader's issues (a formula never calculated): their rows are excluded
        sheet = tables[s.AGREEMENTS].sheet
        bad = {i.row for i in found if i.sheet == sheet and i.severity == s.ERROR}
        frame = checked.agreements
        kept = ~frame[ROW].isin(bad)
        checked.rows_excluded += int((~kept).sum())
        checked.agreements = frame[kept].reset_index(drop=True)
        checked.issues = sorted(checked.issues + found,
                                key=lambda i: (i.sheet != sheet, i.sheet, i.row or 0))
    return checked


def build_report(checked: Validated, options: Options | None = None) -> Report:
    options = options or Options()
    settings = checked.settings
    frame = checked.agreements
    years = data_years(frame)
    dates = report_dates(frame, settings, options.report_year, options.through)
    report_year, through = dates.year, dates.through
    if report_year is not None and report_year not in years:
        years.append(report_year)
    periods = report_periods(years, report_year, through)
    tables = build_tables(frame, periods, checked.lists, options.top_n or settings.top_n)
    tables[s.ISSUES] = issues_table(checked)
    french = {kind: checked.lists.french_labels(kind) for kind in KINDS}
    return Report(tables=tables, periods=periods, report_year=report_year, through=through,
                  language=options.language or settings.language, french_labels=french,
                  rows_read=checked.rows_read, rows_excluded=checked.rows_excluded,
                  warnings=sum(1 for i in checked.issues if i.severity == s.WARNING),
                  fallback_rates_used=checked.fallback_rates_used, notes=list(dates.notes),
                  notices=empty_report_notices(checked, tables[s.SUMMARY], report_year,
                                               periods))


@dataclass(frozen=True)
class ReportDates:
    """The report year and its year-to-date cut-off (None without any agreement or year)."""
    year: int | None
    through: date | None
    notes: tuple[str, ...] = ()


def data_years(frame: pd.DataFrame) -> list[int]:
    """The calendar years with at least one accepted agreement, in order."""
    return sorted(frame[SIGNED].dt.year.unique().tolist()) if not frame.empty else []


def report_dates(frame: pd.DataFrame, settings: Settings, year: int | None = None,
                 through: date | None = None) -> ReportDates:
    """Which report year and cut-off: the one rule of the report and the worksheet functions.

    ``year`` and ``through`` are asked for explicitly (command line, a function's arguments)
    and win over the Settings table. A cut-off given without a year names the report year;
    else the Settings' year, the Settings' cut-off's year, the latest year of the data. The
    cut-off is then ``default_through`` of that year.
    """
    cutoff = through or settings.through
    years = data_years(frame)
    report_year = (year or (through.year if through else None) or settings.report_year
                   or (cutoff.year if cutoff else None) or (years[-1] if years else None))
    notes: tuple[str, ...] = ()
    if report_year is not None and cutoff is not None and cutoff.year != report_year:
        notes = (f"The cut-off date {cutoff.isoformat()} is not in the report year "
                 f"{report_year}; the latest signing date of {report_year} is used instead.",)
    if report_year is not None:
        cutoff = default_through(frame, report_year, cutoff)
    return ReportDates(report_year, cutoff, notes)


def default_through(frame: pd.DataFrame, year: int, through: date | None = None) -> date:
    """The year-to-date cut-off for ``year``: ``through`` when it falls in that year, else the
    latest signing date of the year, else 31 December."""
    if through is not None and through.year == year:
        return through
    in_year = frame[frame[SIGNED].dt.year == year][SIGNED]
    return in_year.max().date() if not in_year.empty else date(year, 12, 31)


def empty_report_notices(checked: Validated, summary: pd.DataFrame, report_year: int | None,
                         periods: list[Period]) -> list[str]:
    """One "Warning:" sentence for each part of the report that says nothing, and why."""
    if checked.rows_read == 0:
        return ["Warning: the Agreements table has no rows, so every figure of the report is "
                "empty; add one row per agreement and refresh."]
    if checked.agreements.empty:
        return [f"Warning: no row of the Agreements table can be counted "
                f"({checked.rows_read:,} read, each with an error listed in Issues), so every "
                f"figure of the report is empty; correct the rows and refresh."]
    counts = dict(zip(summary[s.PERIOD], summary[s.AGREEMENTS_N]))
    notices = []
    if report_year is not None and not counts.get(str(report_year)):
        notices.append(f"Warning: no counted agreement was signed in {report_year}, so the "
                       f"figures of the report year are empty; check the report year "
                       f"(Settings or --year) or the signing dates.")
    windows = [p for p in periods if p.kind == WINDOW]
    if len(windows) == 2 and counts.get(windows[1].label) and not counts.get(windows[0].label):
        previous = windows[0]
        notices.append(f"Warning: no counted agreement was signed in {previous.label} "
                       f"({previous.start.isoformat()} to {previous.end.isoformat()}), so the "
                       f"year-over-year comparison has nothing to compare {windows[1].label} "
                       f"with.")
    return notices


def issues_table(checked: Validated) -> pd.DataFrame:
    rows = [issue.as_row() for issue in checked.issues]
    frame = pd.DataFrame(rows, columns=list(s.ISSUE_COLUMNS), dtype=object)
    return frame


def unpriced_without_rates(tables: Mapping[str, RawTable], checked: Validated,
                           ecb_fallback: bool | None = None) -> list[Issue]:
    """The rows left unconverted for want of a ``Rates`` table (none when there is one, or
    when the ECB fallback is on: ``ecb_fallback``, else the Settings' choice)."""
    if s.RATES in tables:
        return []
    if ecb_fallback if ecb_fallback is not None else checked.settings.ecb_fallback:
        return []
    return [issue for issue in checked.errors if issue.code is IssueCode.MISSING_RATE]


def require_rates(tables: Mapping[str, RawTable], checked: Validated,
                  ecb_fallback: bool | None = None) -> None:
    """Without a ``Rates`` table (and no ECB fallback) every non-USD row would be its own
    error: ``run`` (every report) and the validate command refuse with this one sentence."""
    unpriced = unpriced_without_rates(tables, checked, ecb_fallback)
    if not unpriced:
        return
    currencies = ", ".join(sorted({issue.value for issue in unpriced if issue.value}))
    rows = len({issue.row for issue in unpriced})
    raise WorkbookError(
        f"this workbook has no {s.RATES} table, so {rows:,} agreement "
        f"{'row' if rows == 1 else 'rows'} in {currencies or 'other currencies'} cannot be "
        f"converted to USD: add one (an Excel Table named {s.RATES} with the columns "
        f"{', '.join(s.RATE_COLUMNS)}) or set {s.SETTING_ECB_FALLBACK} to yes in the "
        f"{s.SETTINGS} table (--ecb-fallback on the command line).")
