"""The seven worksheet functions, without Excel: answers from 2-D lists (header row first).

``bdt_xl.excel.udfs`` declares them to Excel; here they take plain values, a range being a
list of rows, header first, dates as ``datetime`` (exactly what xlwings passes). A bad
argument or unusable data gives a readable sentence as the result (e.g. ``unknown region
“Afrika” – did you mean “Africa”?``), never an exception.

Periods follow the report's rules: a year is 1 January … 31 December; with ``through`` the
period is the window 1 January … through of that year (agreements signed after the cut-off
are never in it), the very window of the report's ``Jan–Sep 2026`` rows. A blank year is the
report year and a blank cut-off of ``BDT_YOY`` the report's cut-off
(``pipeline.report_dates``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bdt_xl import schema as s
from bdt_xl.core.fx import USD
from bdt_xl.core.periods import window_period, year_period
from bdt_xl.core.report import Period
from bdt_xl.core.table import is_blank
from bdt_xl.errors import BdtError, FunctionArgumentError
from bdt_xl.functions.arguments import (
    AGREEMENTS_MEASURE,
    ALL,
    FUNDS_MEASURE,
    PARTNERS_MEASURE,
    check_through,
    given_through,
    given_year,
    parse_amount,
    parse_currency,
    parse_date,
    parse_dimension,
    parse_label,
    parse_measure,
    parse_yoy_measure,
    single,
    whole_number,
)
from bdt_xl.functions.cache import TableValues
from bdt_xl.functions.dataset import Dataset, dataset
from bdt_xl.functions.rates import rate_book

T = TypeVar("T")

_COLUMN = {AGREEMENTS_MEASURE: s.AGREEMENTS_N, FUNDS_MEASURE: s.FUNDS_USD,
           PARTNERS_MEASURE: s.PARTNERS_N}


def in_cell(function: Callable[..., T]) -> Callable[..., T | str]:
    """Turn any failure into a readable message: a worksheet cell never shows a traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except BdtError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - last resort: still a sentence in the cell
            return f"could not compute this ({type(exc).__name__}: {str(exc)[:160]}); " \
                   "please report it with the workbook"
    return wrapper


def _year_and_through(data: Dataset, year: object, through: object) -> tuple[int, date | None]:
    """The year asked for (blank: the report year, which a cut-off names) and the cut-off."""
    cutoff = given_through(through)
    the_year = given_year(year)
    if the_year is None:
        the_year = data.dates(None, cutoff).year
        if the_year is None:
            raise FunctionArgumentError("give the year: the Agreements table has no valid rows "
                                        "yet")
    check_through(cutoff, the_year)
    return the_year, cutoff


def _period(data: Dataset, year: object, through: object) -> Period:
    the_year, cutoff = _year_and_through(data, year, through)
    return window_period(cutoff) if cutoff is not None else year_period(the_year)


def _figure(data: Dataset, dimension: object, value: object, period: Period,
            measure: str) -> tuple[float, float]:
    """(value of the category, total of the period) for ``measure``."""
    kind = parse_dimension(dimension)
    if kind == ALL:
        parse_label(data.lists, kind, value)  # only checks that the value is empty
    label = None if kind == ALL else data.label(kind, single(value, "value"))
    figures = data.figures(period, None if kind == ALL else kind)
    total = figures.totals[_COLUMN[measure]]
    if kind == ALL:
        return total, total
    record = figures.by[kind].get(label)
    if record is None:
        return (0.0 if measure == FUNDS_MEASURE else 0), total
    return record[_COLUMN[measure]], total


def _one_figure(measure: str, dimension: object, value: object, year: object,
                through: object, agreements, rates, lists, settings) -> float:
    """The value of one category for ``measure`` (BDT_COUNT, BDT_FUNDS, BDT_PARTNERS)."""
    data = dataset(agreements, rates, lists, settings)
    return _figure(data, dimension, value, _period(data, year, through), measure)[0]


@in_cell
def share(dimension: object, value: object, year: object, measure: object = None,
          through: object = None, agreements: TableValues | None = None,
          rates: TableValues | None = None, *, lists: TableValues | None = None,
          settings: TableValues | None = None) -> float | str:
    """Share (0–1) of the period's agreements, funds or partners that fall in one category."""
    data = dataset(agreements, rates, lists, settings)
    how = parse_measure(measure)
    period = _period(data, year, through)
    part, whole = _figure(data, dimension, value, period, how)
    if not whole:
        what = {AGREEMENTS_MEASURE: "no agreements", FUNDS_MEASURE: "no funds",
                PARTNERS_MEASURE: "no partners"}[how]
        raise FunctionArgumentError(f"{what} in {period.label}, so there is no share to "
                                    f"compute ({data.span()})")
    return float(part / whole)


@in_cell
def count(dimension: object, value: object, year: object, through: object = None,
          agreements: TableValues | None = None, rates: TableValues | None = None, *,
          lists: TableValues | None = None, settings: TableValues | None = None) -> int | str:
    """Number of agreements of the period in one category (dimension “all”: every one)."""
    return int(_one_figure(AGREEMENTS_MEASURE, dimension, value, year, through, agreements,
                           rates, lists, settings))


@in_cell
def funds(dimension: object, value: object, year: object, through: object = None,
          agreements: TableValues | None = None, rates: TableValues | None = None, *,
          lists: TableValues | None = None, settings: TableValues | None = None
          ) -> float | str:
    """Funds (partner + ITU components, USD) of the period's agreements in one category."""
    return float(_one_figure(FUNDS_MEASURE, dimension, value, year, through, agreements,
                             rates, lists, settings))


@in_cell
def partners(dimension: object, value: object, year: object, through: object = None,
             agreements: TableValues | None = None, rates: TableValues | None = None, *,
             lists: TableValues | None = None, settings: TableValues | None = None
             ) -> int | str:
    """Distinct partners of the period in one category."""
    return int(_one_figure(PARTNERS_MEASURE, dimension, value, year, through, agreements,
                           rates, lists, settings))


@in_cell
def top_partners_table(year: object, n: object = None, agreements: TableValues | None = None,
                       rates: TableValues | None = None, *, lists: TableValues | None = None,
                       settings: TableValues | None = None) -> list[list[object]] | str:
    """Header + one row per partner ranked by its own contribution (USD) in the year."""
    data = dataset(agreements, rates, lists, settings)
    the_year, _ = _year_and_through(data, year, None)
    top_n = data.settings.top_n if is_blank(single(n, "number of partners")) else \
        whole_number(n, "number of partners", 1, 1000)
    return data.top_partners(the_year, top_n)


@in_cell
def yoy(measure: object, year: object, through: object = None,
        agreements: TableValues | None = None, rates: TableValues | None = None, *,
        lists: TableValues | None = None, settings: TableValues | None = None) -> float | str:
    """Relative change of ``measure`` from the previous year's window 1 Jan … cut-off to the
    same window of ``year`` (0.25 = +25 %); the windows are those of the YearOverYear table."""
    data = dataset(agreements, rates, lists, settings)
    column = parse_yoy_measure(measure)
    the_year, cutoff = _year_and_through(data, year, through)
    if cutoff is None:
        cutoff = data.dates(the_year).through
    previous, current = data.windows(the_year, cutoff)
    # aggregate.year_over_year is ``totals`` of each window: the same figures.
    before = float(data.figures(previous).totals[column])
    now = float(data.figures(current).totals[column])
    if not before:
        noun = column.lower().replace(" (usd)", "")
        raise FunctionArgumentError(f"no {noun} in {previous.label}, so there is no change to "
                                    f"compute ({data.span()})")
    return now / before - 1.0


@in_cell
def convert(amount: object, currency: object, day: object,
            rates: TableValues | None = None) -> float | str:
    """``amount`` in ``currency`` on ``day`` in USD, with the rate in force that day."""
    money = parse_amount(amount)
    code = parse_currency(currency)
    when = parse_date(day, "date")
    if code == USD:
        return money
    units = rate_book(rates).units(code, when)
    if units is None:
        raise FunctionArgumentError(
            f"no exchange rate for {code} in force on {when.isoformat()}; add a row to the "
            f"Rates table (Currency {code}, Effective from on or before that date)")
    return money / units
