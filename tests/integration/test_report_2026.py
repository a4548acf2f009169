"""A 2026 report from a real workbook: Kigali ends with 2025, the Baku Action Plan's priorities
come from the Lists table, and the report year's window (1 Jan–30 Sep 2026) has its own rows.
Every expected figure is computed by hand below.

 ID  Partner  Type          Region        Priority (plan)           Signed      Amounts
 K1  Alpha    Governmental  Africa        Digital transformation (K) 2024-05-10  100 USD
 K2  Beta     Private       Europe        Affordable connectivity (K) 2025-12-31 200 USD
 B1  Alpha    Governmental  Africa        Baku priority one (B)     2026-01-01  1,000 + ITU 100 USD
 B2  Gamma    Academic      Asia-Pacific  Baku priority two (B)     2026-03-15  900 EUR (/0.9 = 1,000)
 B3  Beta     Private       Europe        Baku priority one (B)     2026-09-30  500 USD (last day in)
 B4  Delta    Foundations   Americas      Baku priority two (B)     2026-10-01  4,000 USD (after cut-off)
 B5  Omega    Governmental  Africa        Digital transformation (K) 2026-02-01  error: Kigali in 2026

2026: B1–B4, funds 1,100 + 1,000 + 500 + 4,000 = 6,600. Jan–Sep 2026: B1–B3, funds 2,600.
"""

from __future__ import annotations

from datetime import date

import pytest

from bdt_xl import schema as s
from bdt_xl.api import run_file
from bdt_xl.core.lists import BAKU, DEFAULT_LISTS, PRIORITY, ListItem, ReferenceLists

GOV, PRIV, ACAD, FOUND = ("Governmental entities", "Private sector entities",
                          "Academic institutions", "Foundations")
KIGALI, BAKU_PLAN = "Kigali Action Plan", BAKU.name
ONE, TWO = "Baku priority one", "Baku priority two"


def _row(id_, partner, ptype, member, region, priority, signed, currency, amount, itu=None):
    return dict(zip(s.AGREEMENT_COLUMNS, (id_, partner, ptype, member, region, priority, signed,
                                          currency, amount, itu)))


ROWS = [
    _row("K1", "Alpha", GOV, "ADMIN", "Africa", "Digital transformation", date(2024, 5, 10),
         "USD", 100),
    _row("K2", "Beta", PRIV, "ROA", "Europe", "Affordable connectivity", date(2025, 12, 31),
         "USD", 200),
    _row("B1", "Alpha", GOV, "ADMIN", "Africa", ONE, date(2026, 1, 1), "USD", 1000, 100),
    _row("B2", "Gamma", ACAD, None, "Asia-Pacific", TWO, date(2026, 3, 15), "EUR", 900),
    _row("B3", "Beta", PRIV, "ROA", "Europe", ONE, date(2026, 9, 30), "USD", 500),
    _row("B4", "Delta", FOUND, "Non-member", "Americas", TWO, date(2026, 10, 1), "USD", 4000),
    _row("B5", "Omega", GOV, "ADMIN", "Africa", "Digital transformation", date(2026, 2, 1),
         "USD", 50),
]
RATES = [{s.CURRENCY: "EUR", s.EFFECTIVE_FROM: date(2026, 1, 1), s.UNITS_PER_USD: 0.9}]
Y24, Y25, Y26 = (("2024", date(2024, 1, 1), date(2024, 12, 31)),
                 ("2025", date(2025, 1, 1), date(2025, 12, 31)),
                 ("2026", date(2026, 1, 1), date(2026, 12, 31)))
W26 = ("Jan–Sep 2026", date(2026, 1, 1), date(2026, 9, 30))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from bdt_xl.workbooks.input_workbook import write_input_workbook
    baku = [ListItem(PRIORITY, ONE, "Priorité un de Bakou", (), BAKU_PLAN),
            ListItem(PRIORITY, TWO, "", (), BAKU_PLAN)]
    lists = ReferenceLists([*DEFAULT_LISTS.items, *baku], DEFAULT_LISTS.plans)
    path = tmp_path_factory.mktemp("y2026") / "agreements 2026.xlsx"
    write_input_workbook(path, ROWS, RATES, {s.SETTING_REPORT_YEAR: 2026,
                                             s.SETTING_THROUGH: date(2026, 9, 30)}, lists)
    return run_file(path)


def rows(report, table):
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r)
            for r in report.tables[table].itertuples(index=False)]


def test_kigali_priority_in_2026_is_the_only_error(report):
    issues = report.tables[s.ISSUES]
    assert list(issues[s.AGREEMENT_ID]) == ["B5"]
    assert list(issues[s.ISSUE_SEVERITY]) == [s.ERROR]
    assert (report.report_year, report.through) == (2026, date(2026, 9, 30))


def test_priorities_by_plan_with_the_window_rows(report):
    assert rows(report, s.BY_PRIORITY) == [
        (*Y24, KIGALI, "Digital transformation", 1, 1.0, 100.0, 1.0),
        (*Y25, KIGALI, "Affordable connectivity", 1, 1.0, 200.0, 1.0),
        (*Y26, BAKU_PLAN, ONE, 2, 0.5, 1600.0, pytest.approx(1600 / 6600)),   # B1 + B3
        (*Y26, BAKU_PLAN, TWO, 2, 0.5, 5000.0, pytest.approx(5000 / 6600)),   # B2 + B4
        (*W26, BAKU_PLAN, ONE, 2, pytest.approx(2 / 3), 1600.0, pytest.approx(1600 / 2600)),
        (*W26, BAKU_PLAN, TWO, 1, pytest.approx(1 / 3), 1000.0, pytest.approx(1000 / 2600)),
    ]


def test_window_top_partners_and_cofinancing(report):
    top = [r for r in rows(report, s.TOP_PARTNERS) if r[0] == W26[0]]
    # Alpha and Gamma both gave 1,000 USD: ties go by name
    assert [(r[3], r[4], r[6], r[7]) for r in top] == [
        (1, "Alpha", 1000.0, "1,000 USD"), (2, "Gamma", 1000.0, "900 EUR"),
        (3, "Beta", 500.0, "500 USD")]
    cofinancing = {r[0]: r for r in rows(report, s.COFINANCING)}
    assert cofinancing[W26[0]][3:] == (2500.0, 100.0, 2600.0, pytest.approx(25 / 26),
                                       pytest.approx(1 / 26))


def test_empty_previous_year_window_is_a_notice(report):
    # Jan–Sep 2025 holds nothing (K2 is signed on 31 December 2025)
    [notice] = report.notices
    assert notice.startswith("Warning:") and "Jan–Sep 2025" in notice


def test_french_label_of_a_baku_priority_comes_from_the_lists_table(report):
    assert report.french_label(s.PRIORITY, ONE) == "Priorité un de Bakou"
    assert report.french_label(s.PRIORITY, TWO) == TWO  # none given: the English label
