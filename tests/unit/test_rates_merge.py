"""The merge rule of ``rates import``: one rate per currency and date, USD skipped, a conflict
refused naming both records, rows already in the table counted and left alone."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdt_xl import schema as s
from bdt_xl.core.rates_merge import (
    SourceRate,
    existing_rates,
    merge_rates,
    summary_sentence,
)
from bdt_xl.core.table import RawTable
from bdt_xl.errors import RatesFileError

OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)


def rate(code: str, units: float, day: date = OCT, where: str = "") -> SourceRate:
    return SourceRate(code, day, units, where)


def test_repeats_of_one_currency_are_one_rate_and_usd_is_skipped():
    source = [rate("EUR", 0.862, where="line 3, ANDORRA"), rate("USD", 1.0),
              rate("EUR", 0.862, where="line 9, AUSTRIA"), rate("JPY", 147.35),
              rate("EUR", 0.862), rate("USD", 1.0)]
    merge = merge_rates(source, {})
    assert merge.added == [("EUR", OCT, 0.862), ("JPY", OCT, 147.35)]
    assert (merge.already_there, merge.usd_skipped, merge.repeats) == (0, 2, 2)
    assert merge.new_currencies == ["EUR", "JPY"]
    assert summary_sentence(merge) == "2 rates added, 0 already there."


def test_rows_already_in_the_table_are_counted_and_left_alone():
    existing = {("EUR", OCT): 0.862, ("JPY", OCT): 150.0, ("CHF", OCT): 0.8}
    merge = merge_rates([rate("EUR", 0.862), rate("JPY", 147.35), rate("CHF", 0.8, NOV),
                         rate("EUR", 0.870, NOV)], existing)
    assert merge.added == [("CHF", NOV, 0.8), ("EUR", NOV, 0.870)]  # by date, then code
    assert merge.already_there == 2
    assert summary_sentence(merge) == (
        "2 rates added, 2 already there. The table's own rates were kept where the file "
        "differs: JPY from 1 October 2026 is 150 in the table, 147.35 in the file.")


def test_two_rates_for_one_currency_on_one_date_names_both():
    source = [rate("XOF", 565.43, where="line 40, BENIN"), rate("EUR", 0.862),
              rate("XOF", 565.43, where="line 48, BURKINA FASO"),
              rate("XOF", 656.0, where="line 56, MALI")]
    with pytest.raises(RatesFileError) as caught:
        merge_rates(source, {}, "rates.xml")
    assert str(caught.value) == (
        "rates.xml gives XOF two different rates from 1 October 2026: 565.43 (line 40, "
        "BENIN) and 656 (line 56, MALI); nothing was imported: save the file again from the "
        "UN Treasury's operational rates page, or correct the wrong record.")


def test_several_conflicts_are_counted():
    source = [rate("XOF", 1.0, where="a"), rate("XOF", 2.0, where="b"),
              rate("XAF", 1.0, where="c"), rate("XAF", 3.0, where="d"),
              rate("XAF", 4.0, where="e")]
    with pytest.raises(RatesFileError, match=r"\(a\) and 2 \(b\) \(and 1 other currency the "):
        merge_rates(source, {})


def test_existing_rates_read_like_the_report_reads_them():
    table = RawTable(s.RATES, s.RATES, ["units per usd", "CURRENCY", "Effective  from"], [
        [0.9, " eur ", "2026-10-01"],
        [150.0, "JPY", 46296.0],  # Excel serial of 2026-10-01
        [0, "CHF", "2026-10-01"],  # a rate the report rejects: not a key
        [1.2, "GBP", None],
    ])
    assert existing_rates(table) == {("EUR", OCT): 0.9, ("JPY", OCT): 150.0}
    assert existing_rates(None) == {}


# -- properties -------------------------------------------------------------------------------
currencies = st.sampled_from(["EUR", "JPY", "XOF", "CHF", "USD"])
days = st.sampled_from([OCT, NOV])
units = st.sampled_from([0.5, 1.0, 2.25])
records = st.lists(st.tuples(currencies, days, units), max_size=25)
tables = st.dictionaries(st.tuples(currencies.filter(lambda c: c != "USD"), days), units,
                         max_size=6)


@given(records, tables)
def test_merge_against_a_hand_rule(records, table):
    values: dict[tuple[str, date], set[float]] = {}
    for code, day, value in records:
        if code != "USD":
            values.setdefault((code, day), set()).add(value)
    conflicting = any(len(v) > 1 for v in values.values())
    source = [SourceRate(code, day, value, f"line {n}")
              for n, (code, day, value) in enumerate(records, start=1)]
    if conflicting:
        with pytest.raises(RatesFileError, match="two different rates"):
            merge_rates(source, table)
        return
    merge = merge_rates(source, table)
    new = sorted(((code, day, v.pop()) for (code, day), v in values.items()
                  if (code, day) not in table), key=lambda r: (r[1], r[0]))
    assert merge.added == new
    assert merge.already_there == sum(1 for key in values if key in table)
    assert merge.usd_skipped == sum(1 for code, _, _ in records if code == "USD")
    assert len(merge.added) + merge.already_there + merge.usd_skipped + merge.repeats == \
        len(records)
