"""Reporting periods: calendar years and the two year-to-date windows compared year over year."""

from __future__ import annotations

import calendar
from datetime import date

from bdt_xl.core.report import WINDOW, YEAR, Period

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def year_period(year: int) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31), YEAR)


def same_day_in(year: int, day: date) -> date:
    """``day`` moved to ``year``. A month's last day stays its last day (28 February 2025 ->
    29 February 2024, so "Jan–Feb" compares with "Jan–Feb"); 29 February becomes 28 February
    in a common year."""
    last = calendar.monthrange(year, day.month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, day.month, last)
    return date(year, day.month, min(day.day, last))


def window_label(end: date) -> str:
    """``Jan–Apr 2023`` when the window ends on a month's last day, else ``1 Jan–15 Apr 2023``."""
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if month_end:
        months = MONTHS[0] if end.month == 1 else f"{MONTHS[0]}–{MONTHS[end.month - 1]}"
        return f"{months} {end.year}"
    return f"1 Jan–{end.day} {MONTHS[end.month - 1]} {end.year}"


def window_period(through: date) -> Period:
    return Period(window_label(through), date(through.year, 1, 1), through, WINDOW)


def report_periods(years: list[int], report_year: int | None, through: date | None) -> list[Period]:
    """Every calendar year in the data, then the previous-year and report-year windows."""
    periods = [year_period(y) for y in sorted(set(years))]
    if report_year is not None and through is not None:
        periods.append(window_period(same_day_in(report_year - 1, through)))
        periods.append(window_period(through))
    return periods
