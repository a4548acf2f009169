"""Memoization of the worksheet functions: one parse for many calls, never a stale answer."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from udf_tables import FUNDS_2022, OTHER, as_range, fresh_copy, xl

from bdt_xl import functions as udf_core
from bdt_xl import schema as s
from bdt_xl.excel.udfs import BDT_CONVERT, BDT_COUNT, BDT_FUNDS, BDT_SHARE
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_agreements,
    synthetic_rates,
)

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture(scope="module")
def synthetic_tables():
    rows = synthetic_agreements(400, seed=11, error_rate=0.03)
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed=11)
    return {s.AGREEMENTS: as_range(s.AGREEMENT_COLUMNS,
                                   [[r[c] for c in s.AGREEMENT_COLUMNS] for r in rows]),
            s.RATES: as_range(s.RATE_COLUMNS, [[r[c] for c in s.RATE_COLUMNS] for r in rates])}


def test_a_thousand_calls_parse_once(synthetic_tables):
    ag, rt = synthetic_tables[s.AGREEMENTS], synthetic_tables[s.RATES]
    labels = ["Africa", "Americas", "Arab States", "Asia-Pacific", "CIS", "Europe"]
    for i in range(1000):
        year = float(2018 + i % 6)
        if i % 3 == 0:
            BDT_SHARE("region", labels[i % 6], year, None, None, ag, rt)
        elif i % 3 == 1:
            BDT_COUNT("partner type", "Private sector", year, None, ag, rt)
        else:
            BDT_FUNDS("all", None, year, None, ag, rt)
    info = udf_core.cache_info()
    assert info.parses == 1
    assert info.hits == 999


def test_changing_one_cell_changes_the_answer(tiny):
    ag = tiny["agreements"]
    assert BDT_COUNT("region", "Africa", 2022.0, **tiny) == 3
    ag[2][s.AGREEMENT_COLUMNS.index(s.REGION)] = "Africa"   # A2: Europe -> Africa, in place
    assert BDT_COUNT("region", "Africa", 2022.0, **tiny) == 4
    ag[3][s.AGREEMENT_COLUMNS.index(s.PARTNER_AMOUNT)] = 3800.0  # A3: 1,900 -> 3,800 EUR
    assert BDT_FUNDS("all", None, 2022.0, **tiny) == pytest.approx(FUNDS_2022 + 2000)
    tiny["rates"][2][2] = 1.9                                    # EUR from July: 0.95 -> 1.9
    assert BDT_FUNDS("all", None, 2022.0, **tiny) == pytest.approx(FUNDS_2022)
    assert BDT_CONVERT(1900.0, "EUR", datetime(2022, 8, 1), tiny["rates"]) == pytest.approx(1000)
    ag.append([xl(c) for c in ("A7", "Omega", OTHER, None, "Africa", "Statistics",
                               date(2022, 12, 1), "USD", 10.0, None)])
    assert BDT_COUNT("region", "Africa", 2022.0, **tiny) == 5
    assert udf_core.cache_info().parses == 5  # the first, then one per edit


def test_explicit_ranges_afresh_copy_each_call_one_parse_and_every_edit_seen(tiny):
    ag, rt = tiny["agreements"], tiny["rates"]
    for _ in range(50):
        assert BDT_COUNT("region", "Africa", 2022.0, None, fresh_copy(ag), fresh_copy(rt)) == 3
    assert udf_core.cache_info().parses == 1
    edited = fresh_copy(ag)
    edited[-1][s.AGREEMENT_COLUMNS.index(s.ITU_AMOUNT)] = 1000.0   # B2 (2021): 200 -> 1,000
    assert BDT_FUNDS("all", None, 2021.0, None, edited, fresh_copy(rt)) == pytest.approx(1500)
    edited = fresh_copy(ag)
    edited[5][s.AGREEMENT_COLUMNS.index(s.SIGNED_ON)] = datetime(2022, 11, 29)  # A5: 29 Nov
    assert BDT_COUNT("all", None, 2022.0, datetime(2022, 11, 29), edited, fresh_copy(rt)) == 5
    assert BDT_COUNT("all", None, 2022.0, datetime(2022, 11, 29), fresh_copy(ag),
                     fresh_copy(rt)) == 4                          # the original again
    rates = fresh_copy(rt)
    rates[3][2] = 0.4                                                 # CHF: 0.8 -> 0.4
    assert BDT_FUNDS("region", "Africa", 2022.0, None, fresh_copy(ag), rates) == \
        pytest.approx(1200 + 2000 + 2000)
    assert BDT_CONVERT(800.0, "CHF", "2022-01-01", rates) == pytest.approx(2000)
    longer = fresh_copy(ag) + [[xl(c) for c in ("A9", "Omega", OTHER, None, "Africa",
                                                  "Statistics", date(2022, 12, 1), "USD",
                                                  10.0, None)]]
    assert BDT_COUNT("region", "Africa", 2022.0, None, longer, fresh_copy(rt)) == 4
    assert BDT_COUNT("region", "Africa", 2022.0, None, fresh_copy(ag), fresh_copy(rt)) == 3
    assert udf_core.cache_info().parses == 5   # the first, then one per distinct content


def test_a_range_edited_in_place_after_the_call_is_seen(tiny):
    """The cache keeps its own copy: editing the caller's list cannot fool the comparison."""
    ag = fresh_copy(tiny["agreements"])
    assert BDT_COUNT("all", None, 2021.0, None, ag, tiny["rates"]) == 2
    ag[-1][s.AGREEMENT_COLUMNS.index(s.SIGNED_ON)] = datetime(2020, 9, 1)  # B2 moves to 2020
    assert BDT_COUNT("all", None, 2021.0, None, ag, tiny["rates"]) == 1
    del ag[-1]
    assert BDT_COUNT("all", None, 2020.0, None, ag, tiny["rates"]) == 0


def test_frozen_tables_are_keyed_by_identity_and_content(tiny):
    frozen = udf_core.freeze(tiny["agreements"])
    rates = udf_core.freeze(tiny["rates"])
    assert BDT_COUNT("region", "Africa", 2022.0, None, frozen, rates) == 3
    assert BDT_COUNT("region", "Europe", 2022.0, None, frozen, rates) == 1
    # the same content read again (a new recalculation): no new parse
    again = udf_core.freeze(tiny["agreements"])
    assert BDT_COUNT("region", "Africa", 2022.0, None, again, rates) == 3
    assert udf_core.cache_info().parses == 1
    tiny["agreements"][1][s.AGREEMENT_COLUMNS.index(s.REGION)] = "Europe"  # A1 moves
    edited = udf_core.freeze(tiny["agreements"])
    assert BDT_COUNT("region", "Africa", 2022.0, None, edited, rates) == 2
    assert BDT_COUNT("region", "Africa", 2022.0, None, frozen, rates) == 3
    assert udf_core.cache_info().parses == 2


def test_content_key_tells_dates_text_and_numbers_apart():
    base = [["h"], [datetime(2022, 1, 1)]]
    keys = {udf_core.content_key(v) for v in (
        base, [["h"], ["2022-01-01"]], [["h"], [44562.0]], [["h"], [None]], [["h"], [""]])}
    assert len(keys) == 5
    assert udf_core.content_key(base) == udf_core.content_key([["h"], [datetime(2022, 1, 1)]])




def test_unusable_tables_are_told_without_being_validated_again(tiny):
    """A sheet of formulas over a table without rates gets one sentence per cell, and the
    (slow) validation runs once, not once per formula."""
    for _ in range(20):
        answer = BDT_COUNT("region", "Africa", 2022.0, None, fresh_copy(tiny["agreements"]), None)
        assert answer.startswith("no exchange rates: the agreements have amounts in CHF, EUR")
    assert udf_core.cache_info().parses == 1
    assert BDT_COUNT("region", "Africa", 2022.0, None, tiny["agreements"], tiny["rates"]) == 3
