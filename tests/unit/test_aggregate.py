"""Every report figure of a small hand-made data set, computed by hand.

Rates (CHF per USD): 0.80 from 2022-01-01, revised to 0.96 on 2022-07-15.

 ID  Partner        Type                     Membership  Region        Priority (plan)                Signed      Cur  Partner     ITU     -> partner USD, ITU USD
 A1  Alpha          Governmental entities    ADMIN       Africa        Cybersecurity (BA)             2022-02-10  CHF    800,000  80,000  -> 1,000,000  100,000  (/0.80)
 A2  Beta Corp      Private sector entities  ROA         Europe        Capacity development (BA)      2022-03-05  USD    200,000       0  ->   200,000        0
 A3  "  ALPHA "     Governmental entities    ADMIN       Africa        Digital inclusion (BA)         2022-08-01  CHF  2,400,000       -  -> 2,500,000        0  (/0.96)
 A4  Gamma Univ     Academic institutions    (blank)     Asia-Pacific  Capacity development (BA)      2022-11-30  -            -       -  ->         0        0
 A5  Beta Corp      Private sector entities  ROA         Africa        Affordable connectivity (KAP)  2023-01-15  USD    300,000  50,000  ->   300,000   50,000
 A6  Delta Fund     Foundations              Non-member  Americas      Digital transformation (KAP)   2023-03-31  CHF    480,000       0  ->   500,000        0  (/0.96)
 A7  Alpha          Governmental entities    ADMIN       Africa        Affordable connectivity (KAP)  2023-04-30  USD          0  40,000  ->         0   40,000
 A8  beta corp      Private sector entities  ROA         Europe        Digital transformation (KAP)   2023-06-01  CHF     96,000       -  ->   100,000        0  (/0.96)
 A9  Omega          (error: unknown region "Atlantis", 2023, 5,000,000 USD) -> excluded everywhere

Report year 2023, Through 2023-04-30: windows Jan–Apr 2022 (A1, A2) and Jan–Apr 2023 (A5, A6,
A7 — the 30th is inclusive). The report year's window Jan–Apr 2023 also has its rows in the
breakdowns, Cofinancing and TopPartners, right after 2023's; A8 (June) is only in 2023's.
"""

from __future__ import annotations

from datetime import date

import pytest

from bdt_xl import schema as s
from bdt_xl.core.pipeline import Options, run_tables

BA, KAP = "Buenos Aires Action Plan", "Kigali Action Plan"
GOV, PRIV, ACAD, FOUND = ("Governmental entities", "Private sector entities",
                          "Academic institutions", "Foundations")

AGREEMENTS = [
    list(s.AGREEMENT_COLUMNS),
    ["A1", "Alpha", GOV, "ADMIN", "Africa", "Cybersecurity", date(2022, 2, 10), "CHF",
     800_000, 80_000],
    ["A2", "Beta Corp", PRIV, "ROA", "Europe", "Capacity development", date(2022, 3, 5), "USD",
     200_000, 0],
    ["A3", "  ALPHA ", GOV, "ADMIN", "Africa", "Digital inclusion", date(2022, 8, 1), "CHF",
     2_400_000, None],
    ["A4", "Gamma Univ", ACAD, None, "Asia-Pacific", "Capacity development",
     date(2022, 11, 30), None, None, None],
    [None] * 10,  # a blank row in the middle is ignored
    ["A5", "Beta Corp", PRIV, "ROA", "Africa", "Affordable connectivity", date(2023, 1, 15),
     "USD", 300_000, 50_000],
    ["A6", "Delta Fund", FOUND, "Non-member", "Americas", "Digital transformation",
     date(2023, 3, 31), "CHF", 480_000, 0],
    ["A7", "Alpha", GOV, "ADMIN", "Africa", "Affordable connectivity", date(2023, 4, 30), "USD",
     0, 40_000],
    ["A8", "beta corp", PRIV, "ROA", "Europe", "Digital transformation", date(2023, 6, 1), "CHF",
     96_000, None],
    ["A9", "Omega", GOV, "ADMIN", "Atlantis", "Digital transformation", date(2023, 2, 1), "USD",
     5_000_000, 0],
]
RATES = [list(s.RATE_COLUMNS), ["CHF", date(2022, 7, 15), 0.96], ["CHF", date(2022, 1, 1), 0.80]]

Y22 = ("2022", date(2022, 1, 1), date(2022, 12, 31))
Y23 = ("2023", date(2023, 1, 1), date(2023, 12, 31))
W22 = ("Jan–Apr 2022", date(2022, 1, 1), date(2022, 4, 30))
W23 = ("Jan–Apr 2023", date(2023, 1, 1), date(2023, 4, 30))


@pytest.fixture(scope="module")
def report():
    return run_tables({s.AGREEMENTS: AGREEMENTS, s.RATES: RATES},
                      Options(report_year=2023, through=date(2023, 4, 30)))


def rows(report, table):
    frame = report.tables[table]
    assert list(frame.columns) == list(s.REPORT_COLUMNS[table])
    return [tuple(r) for r in frame.itertuples(index=False)]


def approx_rows(expected):
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in row)
            for row in expected]


def test_rows_read_and_excluded(report):
    assert (report.rows_read, report.rows_excluded) == (9, 1)
    issues = report.tables[s.ISSUES]
    assert list(issues[s.AGREEMENT_ID]) == ["A9"]


def test_summary(report):
    # 2022: A1–A4; financial A1, A2, A3; partners Alpha (A1, A3), Beta Corp, Gamma Univ
    #   partner 1,000,000 + 200,000 + 2,500,000 = 3,700,000; ITU 100,000; funds 3,800,000
    # 2023: A5–A8; financial all 4 (A7 has only an ITU amount); partners Beta Corp (A5, A8),
    #   Delta Fund, Alpha; partner 300,000 + 500,000 + 0 + 100,000 = 900,000;
    #   ITU 50,000 + 40,000 = 90,000; funds 990,000
    # Jan–Apr 2022: A1, A2 -> 2, 2, 2 partners, 1,200,000, 100,000, 1,300,000
    # Jan–Apr 2023: A5, A6, A7 -> 3, 3, 3 partners, 800,000, 90,000, 890,000
    assert rows(report, s.SUMMARY) == approx_rows([
        (*Y22, 4, 3, 3, 3_700_000.0, 100_000.0, 3_800_000.0),
        (*Y23, 4, 4, 3, 900_000.0, 90_000.0, 990_000.0),
        (*W22, 2, 2, 2, 1_200_000.0, 100_000.0, 1_300_000.0),
        (*W23, 3, 3, 3, 800_000.0, 90_000.0, 890_000.0),
    ])


def test_year_over_year(report):
    # same figures as the Summary windows, columns Agreements, Partners, Financial, ...
    assert rows(report, s.YEAR_OVER_YEAR) == approx_rows([
        (*W22, 2, 2, 2, 1_200_000.0, 100_000.0, 1_300_000.0),
        (*W23, 3, 3, 3, 800_000.0, 90_000.0, 890_000.0),
    ])


def test_by_partner_type(report):
    # 2022: Gov A1+A3 (partner Alpha), funds 1,100,000 + 2,500,000 = 3,600,000
    #       Private A2 (Beta) 200,000; Academic A4 (Gamma) 0; 4 agreements, 3 partners
    # 2023: Gov A7 (Alpha) 40,000; Private A5+A8 (Beta once) 350,000 + 100,000 = 450,000;
    #       Foundations A6 (Delta) 500,000; 4 agreements, 3 partners, funds 990,000
    assert rows(report, s.BY_PARTNER_TYPE) == approx_rows([
        (*Y22, GOV, 1, 1 / 3, 2, 2 / 4, 3_600_000.0, 3_600_000 / 3_800_000),
        (*Y22, PRIV, 1, 1 / 3, 1, 1 / 4, 200_000.0, 200_000 / 3_800_000),
        (*Y22, ACAD, 1, 1 / 3, 1, 1 / 4, 0.0, 0.0),
        (*Y23, GOV, 1, 1 / 3, 1, 1 / 4, 40_000.0, 40_000 / 990_000),
        (*Y23, PRIV, 1, 1 / 3, 2, 2 / 4, 450_000.0, 450_000 / 990_000),
        (*Y23, FOUND, 1, 1 / 3, 1, 1 / 4, 500_000.0, 500_000 / 990_000),
        # Jan–Apr 2023: A7 Gov 40,000; A5 Private 350,000; A6 Foundations 500,000; of 890,000
        (*W23, GOV, 1, 1 / 3, 1, 1 / 3, 40_000.0, 40_000 / 890_000),
        (*W23, PRIV, 1, 1 / 3, 1, 1 / 3, 350_000.0, 350_000 / 890_000),
        (*W23, FOUND, 1, 1 / 3, 1, 1 / 3, 500_000.0, 500_000 / 890_000),
    ])


def test_by_membership(report):
    # blank membership (A4) is Non-member; list order ADMIN, ..., ROA, SIO, ..., Non-member
    assert rows(report, s.BY_MEMBERSHIP) == approx_rows([
        (*Y22, "ADMIN", 1, 1 / 3, 2, 2 / 4, 3_600_000.0, 3_600_000 / 3_800_000),
        (*Y22, "ROA", 1, 1 / 3, 1, 1 / 4, 200_000.0, 200_000 / 3_800_000),
        (*Y22, "Non-member", 1, 1 / 3, 1, 1 / 4, 0.0, 0.0),
        (*Y23, "ADMIN", 1, 1 / 3, 1, 1 / 4, 40_000.0, 40_000 / 990_000),
        (*Y23, "ROA", 1, 1 / 3, 2, 2 / 4, 450_000.0, 450_000 / 990_000),
        (*Y23, "Non-member", 1, 1 / 3, 1, 1 / 4, 500_000.0, 500_000 / 990_000),
        (*W23, "ADMIN", 1, 1 / 3, 1, 1 / 3, 40_000.0, 40_000 / 890_000),
        (*W23, "ROA", 1, 1 / 3, 1, 1 / 3, 350_000.0, 350_000 / 890_000),
        (*W23, "Non-member", 1, 1 / 3, 1, 1 / 3, 500_000.0, 500_000 / 890_000),
    ])


def test_by_region(report):
    # 2022: Africa A1+A3 3,600,000; Asia-Pacific A4 0; Europe A2 200,000
    # 2023: Africa A5+A7 350,000 + 40,000 = 390,000; Americas A6 500,000; Europe A8 100,000
    # (A9 "Atlantis" is an error and appears nowhere)
    assert rows(report, s.BY_REGION) == approx_rows([
        (*Y22, "Africa", 2, 2 / 4, 3_600_000.0, 3_600_000 / 3_800_000),
        (*Y22, "Asia-Pacific", 1, 1 / 4, 0.0, 0.0),
        (*Y22, "Europe", 1, 1 / 4, 200_000.0, 200_000 / 3_800_000),
        (*Y23, "Africa", 2, 2 / 4, 390_000.0, 390_000 / 990_000),
        (*Y23, "Americas", 1, 1 / 4, 500_000.0, 500_000 / 990_000),
        (*Y23, "Europe", 1, 1 / 4, 100_000.0, 100_000 / 990_000),
        # Jan–Apr 2023: Africa A5+A7 390,000; Americas A6 500,000 (Europe's A8 is in June)
        (*W23, "Africa", 2, 2 / 3, 390_000.0, 390_000 / 890_000),
        (*W23, "Americas", 1, 1 / 3, 500_000.0, 500_000 / 890_000),
    ])


def test_by_priority(report):
    # 2022 (Buenos Aires order): Capacity development A2+A4 200,000; Cybersecurity A1
    #   1,100,000; Digital inclusion A3 2,500,000
    # 2023 (Kigali order): Affordable connectivity A5+A7 390,000; Digital transformation
    #   A6+A8 600,000
    assert rows(report, s.BY_PRIORITY) == approx_rows([
        (*Y22, BA, "Capacity development", 2, 2 / 4, 200_000.0, 200_000 / 3_800_000),
        (*Y22, BA, "Cybersecurity", 1, 1 / 4, 1_100_000.0, 1_100_000 / 3_800_000),
        (*Y22, BA, "Digital inclusion", 1, 1 / 4, 2_500_000.0, 2_500_000 / 3_800_000),
        (*Y23, KAP, "Affordable connectivity", 2, 2 / 4, 390_000.0, 390_000 / 990_000),
        (*Y23, KAP, "Digital transformation", 2, 2 / 4, 600_000.0, 600_000 / 990_000),
        (*W23, KAP, "Affordable connectivity", 2, 2 / 3, 390_000.0, 390_000 / 890_000),
        (*W23, KAP, "Digital transformation", 1, 1 / 3, 500_000.0, 500_000 / 890_000),
    ])


def test_cofinancing(report):
    # partner share = partner / funds; ITU share = ITU / funds
    assert rows(report, s.COFINANCING) == approx_rows([
        (*Y22, 3_700_000.0, 100_000.0, 3_800_000.0, 37 / 38, 1 / 38),
        (*Y23, 900_000.0, 90_000.0, 990_000.0, 10 / 11, 1 / 11),
        (*W22, 1_200_000.0, 100_000.0, 1_300_000.0, 12 / 13, 1 / 13),
        (*W23, 800_000.0, 90_000.0, 890_000.0, 80 / 89, 9 / 89),
    ])


def test_top_partners(report):
    # 2022: Alpha 1,000,000 + 2,500,000 = 3,500,000 (800,000 + 2,400,000 = 3,200,000 CHF),
    #       Beta Corp 200,000; Gamma Univ contributed nothing and is not ranked
    # 2023: Delta Fund 500,000 (480,000 CHF); Beta Corp 300,000 + 100,000 = 400,000
    #       (300,000 USD and 96,000 CHF, larger first); Alpha gave only ITU money: not ranked
    assert rows(report, s.TOP_PARTNERS) == approx_rows([
        (*Y22, 1, "Alpha", GOV, 3_500_000.0, "3,200,000 CHF"),
        (*Y22, 2, "Beta Corp", PRIV, 200_000.0, "200,000 USD"),
        (*Y23, 1, "Delta Fund", FOUND, 500_000.0, "480,000 CHF"),
        (*Y23, 2, "Beta Corp", PRIV, 400_000.0, "300,000 USD; 96,000 CHF"),
        # Jan–Apr 2023: Delta Fund 500,000; Beta Corp only A5's 300,000 (A8 is in June)
        (*W23, 1, "Delta Fund", FOUND, 500_000.0, "480,000 CHF"),
        (*W23, 2, "Beta Corp", PRIV, 300_000.0, "300,000 USD"),
    ])


def test_top_partners_limited_by_setting():
    settings = [["Setting", "Value"], ["Top partners", 1]]
    report = run_tables({s.AGREEMENTS: AGREEMENTS, s.RATES: RATES, s.SETTINGS: settings},
                        Options(report_year=2023))
    top = report.tables[s.TOP_PARTNERS]
    assert list(zip(top[s.PERIOD], top[s.RANK], top[s.PARTNER])) == \
        [("2022", 1, "Alpha"), ("2023", 1, "Delta Fund"), ("1 Jan–1 Jun 2023", 1, "Delta Fund")]


def test_top_partners_default_is_ten():
    # twelve partners giving 1..12 USD in 2022: the default keeps the ten largest (12 down to 3)
    data = [list(s.AGREEMENT_COLUMNS)] + [
        [f"T{n}", f"Partner {n:02d}", GOV, "ADMIN", "CIS", "Statistics", date(2022, 12, 31),
         "USD", n, 0] for n in range(1, 13)]
    report = run_tables({s.AGREEMENTS: data}, Options())
    top = report.tables[s.TOP_PARTNERS]
    assert list(top[s.PERIOD].unique()) == ["2022"]  # Through = 31 Dec: no window rows
    assert list(top[s.PARTNER]) == [f"Partner {n:02d}" for n in range(12, 2, -1)]
    assert list(top[s.RANK]) == list(range(1, 11))


def test_shares_of_each_breakdown_sum_to_one(report):
    for table, shares in ((s.BY_PARTNER_TYPE, (s.PARTNER_SHARE, s.AGREEMENT_SHARE,
                                               s.FUNDS_SHARE)),
                          (s.BY_REGION, (s.AGREEMENT_SHARE, s.FUNDS_SHARE))):
        sums = report.tables[table].groupby(s.PERIOD)[list(shares)].sum()
        assert sums.to_numpy() == pytest.approx(1.0)


# -- partners counted once, under the description of their first row --------------------------------

def test_partner_described_differently_counts_once_under_its_first_type():
    header = list(s.AGREEMENT_COLUMNS)
    data = [header,
            ["Z1", "Zeta", GOV, "ADMIN", "CIS", "Statistics", date(2022, 5, 1), "USD", 100, 0],
            ["Z2", " zeta ", PRIV, "ROA", "CIS", "Statistics", date(2022, 6, 1), "USD", 300, 0]]
    report = run_tables({s.AGREEMENTS: data}, Options(through=date(2022, 12, 31)))
    assert report.rows_excluded == 0 and report.warnings == 2  # type and membership differ
    summary = rows(report, s.SUMMARY)[0]
    assert summary[3:6] == (2, 2, 1)  # agreements, financial, partners
    # the partner counts under Governmental (first row); each agreement under its own type
    assert rows(report, s.BY_PARTNER_TYPE) == approx_rows([
        (*Y22, GOV, 1, 1.0, 1, 0.5, 100.0, 0.25),
        (*Y22, PRIV, 0, 0.0, 1, 0.5, 300.0, 0.75),
    ])
    assert rows(report, s.TOP_PARTNERS) == approx_rows([(*Y22, 1, "Zeta", GOV, 400.0,
                                                         "400 USD")])


def test_partner_whose_type_changes_between_years_counts_under_each_years_type():
    # Zeta is Governmental in 2022 and Private in 2023: 2023 has no Governmental row with 0
    # agreements, and 2023's partner count is under Private (SPEC §2: categories with at
    # least one agreement)
    data = [list(s.AGREEMENT_COLUMNS),
            ["Z1", "Zeta", GOV, "ADMIN", "CIS", "Statistics", date(2022, 5, 1), "USD", 100, 0],
            ["Z2", "Zeta", PRIV, "ROA", "CIS", "Digital transformation", date(2023, 6, 1),
             "USD", 300, 0]]
    report = run_tables({s.AGREEMENTS: data}, Options(through=date(2023, 12, 31)))
    assert rows(report, s.BY_PARTNER_TYPE) == approx_rows([
        (*Y22, GOV, 1, 1.0, 1, 1.0, 100.0, 1.0),
        (*Y23, PRIV, 1, 1.0, 1, 1.0, 300.0, 1.0),
    ])
    assert rows(report, s.BY_MEMBERSHIP) == approx_rows([
        (*Y22, "ADMIN", 1, 1.0, 1, 1.0, 100.0, 1.0),
        (*Y23, "ROA", 1, 1.0, 1, 1.0, 300.0, 1.0),
    ])
    assert rows(report, s.TOP_PARTNERS) == approx_rows([
        (*Y22, 1, "Zeta", GOV, 100.0, "100 USD"), (*Y23, 1, "Zeta", PRIV, 300.0, "300 USD")])


def test_window_rows_follow_their_year_and_exclude_agreements_after_the_cut_off():
    # report year 2022, Through 30 Sep 2022, and a 2023 agreement: the window Jan–Sep 2022
    # comes right after 2022's rows, before 2023's; W2 (1 Oct 2022) is only in 2022's row
    data = [list(s.AGREEMENT_COLUMNS),
            ["W1", "Acme", GOV, "ADMIN", "Africa", "Statistics", date(2022, 9, 30), "USD", 10, 0],
            ["W2", "Bolt", PRIV, "ROA", "Europe", "Statistics", date(2022, 10, 1), "USD", 30, 0],
            ["W3", "Acme", GOV, "ADMIN", "Africa", "Digital transformation", date(2023, 2, 1),
             "USD", 60, 0]]
    report = run_tables({s.AGREEMENTS: data}, Options(report_year=2022,
                                                      through=date(2022, 9, 30)))
    window = ("Jan–Sep 2022", date(2022, 1, 1), date(2022, 9, 30))
    assert rows(report, s.BY_REGION) == approx_rows([
        (*Y22, "Africa", 1, 0.5, 10.0, 0.25),
        (*Y22, "Europe", 1, 0.5, 30.0, 0.75),
        (*window, "Africa", 1, 1.0, 10.0, 1.0),
        (*Y23, "Africa", 1, 1.0, 60.0, 1.0),
    ])
    assert [r[:3] + r[3:5] for r in rows(report, s.TOP_PARTNERS)] == [
        (*Y22, 1, "Bolt"), (*Y22, 2, "Acme"), (*window, 1, "Acme"), (*Y23, 1, "Acme")]


def test_no_valid_rows_gives_empty_tables_not_a_crash():
    header = list(s.AGREEMENT_COLUMNS)
    data = [header, ["X1", "Nobody", "Martians", None, "Mars", "Statistics", date(2022, 1, 1),
                     None, None, None]]
    report = run_tables({s.AGREEMENTS: data}, Options())
    assert report.rows_excluded == 1
    assert report.tables[s.TOP_PARTNERS].empty and report.tables[s.BY_REGION].empty
    assert len(report.tables[s.ISSUES]) == 2  # partner type and region
