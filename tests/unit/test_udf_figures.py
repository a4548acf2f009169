"""Worksheet functions against figures computed without the engine: plain-Python counts of
clean synthetic rows, the seed's published TDAG-23 figures, hand-made windows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from udf_tables import (
    GOV,
    TINY_ROWS,
    FakeBook,
    FakeCaller,
    FakeSheet,
    FakeTable,
    as_range,
    xl,
)

from bdt_xl import functions as udf_core
from bdt_xl import schema as s
from bdt_xl.excel.udfs import (
    BDT_CONVERT,
    BDT_COUNT,
    BDT_FUNDS,
    BDT_PARTNERS,
    BDT_SHARE,
    BDT_TOP_PARTNERS,
    BDT_YOY,
)
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_dataset,
    synthetic_rates,
)

pytestmark = pytest.mark.usefixtures("fresh_caches")


def _rate_on(rates: list[dict], code: str, day: date) -> float:
    """Units per USD in force on ``day``: the row with the latest Effective from ≤ day."""
    if code == "USD":
        return 1.0
    best = max((r for r in rates if r[s.CURRENCY] == code and r[s.EFFECTIVE_FROM] <= day),
               key=lambda r: r[s.EFFECTIVE_FROM])
    return best[s.UNITS_PER_USD]


@pytest.fixture(scope="module")
def clean():
    """Rows without any error, and their figures counted by plain Python loops (no engine)."""
    rows = synthetic_dataset(300, seed=11, error_rate=0, messy_rate=0).rows
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed=11)
    facts = []
    for row in rows:
        currency = row[s.CURRENCY] or "USD"
        partner_amount, itu_amount = row[s.PARTNER_AMOUNT] or 0.0, row[s.ITU_AMOUNT] or 0.0
        rate = _rate_on(rates, currency, row[s.SIGNED_ON]) if partner_amount or itu_amount \
            else 1.0
        facts.append({"year": row[s.SIGNED_ON].year, "day": row[s.SIGNED_ON],
                      "region": row[s.REGION], "type": row[s.PARTNER_TYPE],
                      "partner": row[s.PARTNER], "own": partner_amount / rate,
                      "funds": (partner_amount + itu_amount) / rate,
                      "amount": partner_amount, "currency": currency})
    tables = {"agreements": as_range(s.AGREEMENT_COLUMNS,
                                     [[r[c] for c in s.AGREEMENT_COLUMNS] for r in rows]),
              "rates": as_range(s.RATE_COLUMNS, [[r[c] for c in s.RATE_COLUMNS] for r in rates])}
    return facts, tables


def test_figures_match_a_plain_count_of_clean_rows(clean):
    facts, tables = clean
    years = sorted({f["year"] for f in facts})
    assert sum(BDT_COUNT("all", None, float(y), **tables) for y in years) == len(facts)
    checked = 0
    for year in years:
        of_year = [f for f in facts if f["year"] == year]
        total_funds = sum(f["funds"] for f in of_year)
        assert BDT_COUNT("all", None, float(year), **tables) == len(of_year)
        assert BDT_FUNDS("all", None, float(year), **tables) == pytest.approx(total_funds)
        assert BDT_PARTNERS("all", None, float(year), **tables) == \
            len({f["partner"] for f in of_year})
        for region in sorted({f["region"] for f in of_year}):
            here = [f for f in of_year if f["region"] == region]
            assert BDT_COUNT("region", region, float(year), **tables) == len(here)
            assert BDT_SHARE("region", region, float(year), **tables) == \
                pytest.approx(len(here) / len(of_year))
            assert BDT_FUNDS("region", region, float(year), **tables) == \
                pytest.approx(sum(f["funds"] for f in here))
            if total_funds:
                assert BDT_SHARE("region", region, float(year), "funds", **tables) == \
                    pytest.approx(sum(f["funds"] for f in here) / total_funds)
            assert BDT_PARTNERS("region", region, float(year), **tables) == \
                len({f["partner"] for f in here})
            checked += 1
        for kind in sorted({f["type"] for f in of_year}):
            here = [f for f in of_year if f["type"] == kind]
            assert BDT_COUNT("partner type", kind, float(year), **tables) == len(here)
            assert BDT_SHARE("partner type", kind, float(year), "partners", **tables) == \
                pytest.approx(len({f["partner"] for f in here}) /
                              len({f["partner"] for f in of_year}))
            checked += 1
        own: dict[str, float] = {}
        for f in of_year:
            own[f["partner"]] = own.get(f["partner"], 0.0) + f["own"]
        ranked = sorted((name for name in own if own[name] > 0), key=lambda n: -own[n])[:3]
        top = BDT_TOP_PARTNERS(float(year), 3.0, **tables)
        assert [row[1] for row in top[1:]] == ranked
        assert [row[3] for row in top[1:]] == pytest.approx([own[n] for n in ranked])
    assert checked > 50


def test_year_to_date_and_year_over_year_match_a_plain_count(clean):
    facts, tables = clean
    year = max(f["year"] for f in facts)
    cutoff = date(year, 6, 30)
    window = [f for f in facts if f["year"] == year and f["day"] <= cutoff]
    before = [f for f in facts if f["year"] == year - 1 and f["day"] <= date(year - 1, 6, 30)]
    assert window and before
    assert BDT_COUNT("all", None, float(year), xl(cutoff), **tables) == len(window)
    assert BDT_FUNDS("all", None, float(year), xl(cutoff), **tables) == \
        pytest.approx(sum(f["funds"] for f in window))
    assert BDT_YOY("agreements", float(year), xl(cutoff), **tables) == \
        pytest.approx(len(window) / len(before) - 1)
    assert BDT_YOY("funds", float(year), xl(cutoff), **tables) == \
        pytest.approx(sum(f["funds"] for f in window) / sum(f["funds"] for f in before) - 1)
    assert BDT_YOY("partner component", float(year), xl(cutoff), **tables) == \
        pytest.approx(sum(f["own"] for f in window) / sum(f["own"] for f in before) - 1)


def test_convert_matches_a_hand_picked_rate(clean):
    facts, tables = clean
    converted = [f for f in facts if f["amount"] and f["currency"] != "USD"][:60]
    assert len(converted) == 60
    for f in converted:
        assert BDT_CONVERT(f["amount"], f["currency"], xl(f["day"]), tables["rates"]) == \
            pytest.approx(f["own"], rel=1e-12)


@pytest.fixture(scope="module")
def sample():
    """The bundled sample data (the TDAG-23 figures) as xlwings would pass its tables; if it
    cannot be built the tests below fail, they never skip."""
    from bdt_xl.workbooks import sample_data

    tables = sample_data.sample_tables()
    return {name: as_range(values[0], values[1:]) for name, values in tables.items()}


def test_spec_example_on_the_sample_data(sample):
    """SPEC: =BDT_SHARE("region","Africa",2022) gives 0.1268."""
    caller = FakeCaller(FakeBook("BDT_Partnerships.xlsm", [
        FakeSheet(name, [FakeTable(name, values)]) for name, values in sample.items()]))
    assert round(BDT_SHARE("region", "Africa", 2022.0, caller=caller), 4) == 0.1268
    assert BDT_SHARE("region", "Africa", 2022.0, None, None, sample[s.AGREEMENTS],
                     sample[s.RATES]) == pytest.approx(9 / 71)
    top = BDT_TOP_PARTNERS(2022.0, 1.0, caller=caller)
    assert top[1][4] == "2,400,000 CHF"


def test_the_seeds_published_figures_on_the_sample_data(sample):
    """The TDAG-23 report (the seed): 2022 and 1 January–30 April 2023, from its text and its
    charts' data."""
    t = {"agreements": sample[s.AGREEMENTS], "rates": sample[s.RATES]}
    assert BDT_COUNT("all", None, 2022.0, **t) == 71
    assert BDT_PARTNERS("all", None, 2022.0, **t) == 57
    assert BDT_FUNDS("all", None, 2022.0, **t) / 1e6 == pytest.approx(9.7, abs=0.05)
    for region, n in {"Africa": 9, "Americas": 6, "Arab States": 6, "Asia-Pacific": 17,
                      "CIS": 2, "Europe": 3, "Multi-regions": 28}.items():
        assert BDT_COUNT("region", region, 2022.0, **t) == n, region
        assert BDT_SHARE("region", region, 2022.0, **t) == pytest.approx(n / 71)
    assert BDT_SHARE("region", "Africa", 2022.0, "funds", **t) == \
        pytest.approx(0.066484097710276691, abs=5e-5)
    assert BDT_SHARE("region", "Asia-Pacific", 2022.0, "funds", **t) == \
        pytest.approx(0.43300187770734178, abs=5e-5)
    assert BDT_SHARE("partner type", "Governmental entities", 2022.0, "funds", **t) == \
        pytest.approx(0.75591283968683143, abs=5e-5)
    assert BDT_SHARE("partner type", "Foundations", 2022.0, "funds", **t) == \
        pytest.approx(1.7172596154231437e-3, abs=5e-6)
    assert round(BDT_SHARE("partner type", "Governmental entities", 2022.0, "partners", **t),
                 2) == 0.42
    april = datetime(2023, 4, 30)
    assert BDT_COUNT("all", None, 2023.0, april, **t) == 30
    assert BDT_PARTNERS("all", None, 2023.0, april, **t) == 26
    assert BDT_FUNDS("all", None, 2023.0, april, **t) / 1e6 == pytest.approx(5.41, abs=0.005)
    for region, n in {"Africa": 6, "Americas": 4, "Asia-Pacific": 9, "Europe": 4,
                      "Multi-regions": 7}.items():
        assert BDT_COUNT("region", region, 2023.0, april, **t) == n, region
    assert BDT_COUNT("all", None, 2022.0, datetime(2022, 4, 30), **t) == 33
    assert BDT_YOY("agreements", 2023.0, april, **t) == pytest.approx(30 / 33 - 1)
    assert BDT_YOY("funds", 2023.0, april, **t) == pytest.approx(5.41 / 3.89 - 1, abs=0.01)
    top = BDT_TOP_PARTNERS(2022.0, 3.0, **t)
    assert [row[4] for row in top[1:]] == ["2,400,000 CHF", "1,600,000 USD", "1,500,000 AUD"]


def test_without_rates_the_answer_is_a_sentence_not_a_wrong_number(sample, tiny):
    """Called from Python with agreements but no rates, the non-USD agreements would silently
    drop out of the figures (8 African agreements in 2022 instead of 9)."""
    message = BDT_COUNT("region", "Africa", 2022.0, None, sample[s.AGREEMENTS], None)
    assert isinstance(message, str)
    assert message.startswith("no exchange rates: the agreements have amounts in ")
    assert "CHF" in message and "Rates[#All]" in message
    assert udf_core.count("region", "Africa", 2022.0, None, tiny["agreements"], None) == \
        "no exchange rates: the agreements have amounts in CHF, EUR; pass the Rates table " \
        "with its header row (e.g. Rates[#All]) or use the function in a workbook that has a " \
        "Rates table"
    only_usd = as_range(s.AGREEMENT_COLUMNS, [r for r in TINY_ROWS if r[7] in ("USD", None)])
    assert BDT_COUNT("all", None, 2022.0, None, only_usd, None) == 2     # A1, A4 (A6 excluded)
    settings = [["Setting", "Value"], ["ECB fallback", "no"]]
    assert isinstance(udf_core.count("all", None, 2022.0, None, tiny["agreements"], None,
                                     settings=settings), str)


# =============================================================================================
# The period: the report's own rules for the year, the cut-off and the window
# =============================================================================================
DX = "Digital transformation"  # a priority of the Kigali plan (2023–2025)
WINDOW_ROWS = [
    ("W1", "Acme", GOV, "ADMIN", "Africa", DX, date(2025, 1, 1), "USD", 100, 0),
    ("W2", "Beta", GOV, "ADMIN", "Africa", DX, date(2025, 9, 30), "USD", 200, 0),
    ("W3", "Gamma", GOV, "ADMIN", "Africa", DX, date(2025, 10, 1), "USD", 400, 0),
    ("W4", "Delta", GOV, "ADMIN", "Europe", DX, date(2025, 12, 31), "USD", 800, 0),
    ("V1", "Acme", GOV, "ADMIN", "Africa", DX, date(2024, 9, 30), "USD", 50, 0),
    ("V2", "Acme", GOV, "ADMIN", "Africa", DX, date(2024, 10, 1), "USD", 25, 0),
]
@pytest.fixture
def window():
    return {"agreements": as_range(s.AGREEMENT_COLUMNS, WINDOW_ROWS), "lists": None}


def _count(t, dimension, value, year, through=None, settings=None):
    return udf_core.count(dimension, value, year, through, t["agreements"], None,
                          lists=t["lists"], settings=settings)


def test_through_is_the_window_1_january_to_the_cut_off(window):
    """1 January … 30 September 2025: W1 and W2; W3, signed the day after, never in it."""
    september = datetime(2025, 9, 30)
    assert _count(window, "all", None, 2025.0, september) == 2
    assert _count(window, "region", "Africa", 2025.0, september) == 2
    assert udf_core.funds("all", None, 2025.0, september, window["agreements"],
                          lists=window["lists"]) == 300.0
    assert _count(window, "all", None, 2025.0, datetime(2025, 9, 30, 18, 45)) == 2  # a time
    assert _count(window, "all", None, 2025.0, datetime(2025, 10, 1)) == 3
    assert _count(window, "all", None, 2025.0, datetime(2025, 12, 31)) == 4  # = the year
    assert _count(window, "all", None, 2025.0) == 4
    assert _count(window, "all", None, 2025.0, datetime(2025, 1, 1)) == 1


def test_a_cut_off_without_a_year_names_the_year_as_in_the_report(window):
    assert _count(window, "all", None, None, datetime(2024, 9, 30)) == 1      # V1 of 2024
    assert _count(window, "all", None, None) == 4                            # latest year
    settings = [["Setting", "Value"], ["Through", datetime(2024, 12, 31)]]
    assert _count(window, "all", None, None, settings=settings) == 2         # 2024 by Through
    settings = [["Setting", "Value"], ["Report year", 2025.0]]
    assert _count(window, "all", None, None, settings=settings) == 4
    assert _count(window, "all", None, None, datetime(2024, 9, 30), settings=settings) == 1


def test_year_over_year_with_the_cut_off_and_its_default(window):
    t = window
    assert udf_core.yoy("agreements", 2025.0, datetime(2025, 9, 30), t["agreements"],
                        lists=t["lists"]) == pytest.approx(2 / 1 - 1)
    assert udf_core.yoy("funds", 2025.0, datetime(2025, 9, 30), t["agreements"],
                        lists=t["lists"]) == pytest.approx(300 / 50 - 1)
    # default: the latest signing date of 2025 (31 Dec): 4 agreements against V1, V2
    assert udf_core.yoy("agreements", 2025.0, None, t["agreements"],
                        lists=t["lists"]) == pytest.approx(4 / 2 - 1)
    settings = [["Setting", "Value"], ["Report year", 2025.0], ["Through", datetime(2025, 9, 30)]]
    assert udf_core.yoy("agreements", None, None, t["agreements"], lists=t["lists"],
                        settings=settings) == pytest.approx(2 / 1 - 1)


