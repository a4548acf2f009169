"""Reporting periods: calendar years and the two year-to-date windows."""

from __future__ import annotations

from datetime import date

import pytest

from bdt_xl import schema as s
from bdt_xl.core.periods import report_periods, same_day_in, window_label, year_period
from bdt_xl.core.pipeline import Options, run_tables
from bdt_xl.core.report import WINDOW, YEAR


@pytest.mark.parametrize("end, label", [
    (date(2023, 4, 30), "Jan–Apr 2023"),         # month end: months only
    (date(2023, 4, 15), "1 Jan–15 Apr 2023"),    # mid-month: days shown
    (date(2023, 1, 31), "Jan 2023"),             # a single whole month
    (date(2023, 1, 15), "1 Jan–15 Jan 2023"),
    (date(2023, 12, 31), "Jan–Dec 2023"),
    (date(2024, 2, 29), "Jan–Feb 2024"),         # leap-year month end
    (date(2023, 2, 28), "Jan–Feb 2023"),         # common-year month end
    (date(2024, 2, 28), "1 Jan–28 Feb 2024"),    # not a month end in a leap year
])
def test_window_labels(end, label):
    assert window_label(end) == label


def test_year_period_covers_the_calendar_year():
    period = year_period(2022)
    assert (period.label, period.start, period.end, period.kind) == \
        ("2022", date(2022, 1, 1), date(2022, 12, 31), YEAR)


@pytest.mark.parametrize("day, year, expected", [
    (date(2024, 2, 29), 2023, date(2023, 2, 28)),  # 29 Feb does not exist in 2023
    (date(2024, 2, 29), 2020, date(2020, 2, 29)),
    (date(2023, 4, 30), 2022, date(2022, 4, 30)),
    (date(2023, 12, 31), 2022, date(2022, 12, 31)),
])
def test_same_day_in_another_year(day, year, expected):
    assert same_day_in(year, day) == expected


def test_feb_29_window_compares_with_feb_28():
    periods = report_periods([2024, 2023], 2024, date(2024, 2, 29))
    previous, current = [p for p in periods if p.kind == WINDOW]
    assert (previous.start, previous.end, previous.label) == \
        (date(2023, 1, 1), date(2023, 2, 28), "Jan–Feb 2023")
    assert (current.start, current.end, current.label) == \
        (date(2024, 1, 1), date(2024, 2, 29), "Jan–Feb 2024")


def test_periods_are_years_ascending_then_previous_then_current_window():
    periods = report_periods([2023, 2021, 2022, 2023], 2023, date(2023, 4, 15))
    assert [(p.label, p.kind) for p in periods] == [
        ("2021", YEAR), ("2022", YEAR), ("2023", YEAR),
        ("1 Jan–15 Apr 2022", WINDOW), ("1 Jan–15 Apr 2023", WINDOW)]


def test_no_windows_without_a_cut_off():
    assert [p.label for p in report_periods([2022], None, None)] == ["2022"]


# -- windows in the engine: inclusive bounds, default and explicit cut-off ------------------------

HEADER = list(s.AGREEMENT_COLUMNS)


def _row(id_, signed, amount):
    priority = "Statistics" if signed.year < 2023 else "Digital transformation"
    return [id_, f"Partner {id_}", "Other", None, "CIS", priority, signed, "USD", amount, None]


ROWS = [_row("A1", date(2022, 1, 1), 1),      # first day of the 2022 window
        _row("A2", date(2022, 4, 15), 10),    # last day of the 2022 window
        _row("A3", date(2022, 4, 16), 100),   # just after it
        _row("A4", date(2023, 4, 15), 1000),  # last day of the 2023 window
        _row("A5", date(2023, 12, 31), 10000)]


def _windows(report):
    yoy = report.tables[s.YEAR_OVER_YEAR]
    return [(r[s.PERIOD], r[s.FROM], r[s.TO], r[s.AGREEMENTS_N], r[s.FUNDS_USD])
            for _, r in yoy.iterrows()]


def test_explicit_cut_off_windows_are_inclusive():
    report = run_tables({s.AGREEMENTS: [HEADER, *ROWS]},
                        Options(report_year=2023, through=date(2023, 4, 15)))
    assert _windows(report) == [
        ("1 Jan–15 Apr 2022", date(2022, 1, 1), date(2022, 4, 15), 2, 11.0),  # A1 + A2
        ("1 Jan–15 Apr 2023", date(2023, 1, 1), date(2023, 4, 15), 1, 1000.0)]  # A4


def test_default_cut_off_is_the_latest_signing_date_of_the_report_year():
    report = run_tables({s.AGREEMENTS: [HEADER, *ROWS]}, Options())
    assert report.report_year == 2023 and report.through == date(2023, 12, 31)
    # whole years: 2022 = 1 + 10 + 100, 2023 = 1000 + 10000
    assert _windows(report) == [
        ("Jan–Dec 2022", date(2022, 1, 1), date(2022, 12, 31), 3, 111.0),
        ("Jan–Dec 2023", date(2023, 1, 1), date(2023, 12, 31), 2, 11000.0)]


def test_settings_table_sets_report_year_and_cut_off():
    settings = [["Setting", "Value"], ["Report year", 2022], ["Through", "2022-04-15"]]
    report = run_tables({s.AGREEMENTS: [HEADER, *ROWS], s.SETTINGS: settings}, Options())
    assert (report.report_year, report.through) == (2022, date(2022, 4, 15))
    # previous-year window 1 Jan–15 Apr 2021 is empty; 2022 window holds A1 + A2
    assert _windows(report) == [
        ("1 Jan–15 Apr 2021", date(2021, 1, 1), date(2021, 4, 15), 0, 0.0),
        ("1 Jan–15 Apr 2022", date(2022, 1, 1), date(2022, 4, 15), 2, 11.0)]


def test_cut_off_outside_the_report_year_is_noted_and_ignored():
    report = run_tables({s.AGREEMENTS: [HEADER, *ROWS]},
                        Options(report_year=2022, through=date(2023, 3, 1)))
    assert report.through == date(2022, 4, 16)  # latest signing date of 2022
    assert report.notes and "2023-03-01" in report.notes[0]


# -- a month's last day stays its last day (28 Feb 2025 <-> 29 Feb 2024) ---------------------------

@pytest.mark.parametrize("day, year, expected", [
    (date(2025, 2, 28), 2024, date(2024, 2, 29)),  # month end of a common year -> leap year
    (date(2023, 4, 30), 2024, date(2024, 4, 30)),
    (date(2025, 2, 27), 2024, date(2024, 2, 27)),  # not a month end: the same day
])
def test_month_end_maps_to_the_month_end(day, year, expected):
    assert same_day_in(year, day) == expected


def test_jan_feb_2025_compares_with_jan_feb_2024_including_29_february():
    rows = [_row("B1", date(2024, 2, 29), 7),    # the leap day: inside Jan–Feb 2024
            _row("B2", date(2024, 3, 1), 70),    # after the window
            _row("B3", date(2025, 2, 28), 700)]
    report = run_tables({s.AGREEMENTS: [HEADER, *rows]},
                        Options(report_year=2025, through=date(2025, 2, 28)))
    assert _windows(report) == [
        ("Jan–Feb 2024", date(2024, 1, 1), date(2024, 2, 29), 1, 7.0),
        ("Jan–Feb 2025", date(2025, 1, 1), date(2025, 2, 28), 1, 700.0)]
