"""A small hand-built ``Report`` (two calendar years, two year-to-date windows) for the
layout and renderer tests; figures loosely follow the TDAG-23 report (2022, Jan–Apr 2023)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, KINDS
from bdt_xl.core.report import WINDOW, YEAR, Period, Report

#: The French labels of the built-in lists, as the pipeline hands them to the report.
FRENCH = {kind: DEFAULT_LISTS.french_labels(kind) for kind in KINDS}

Y2022 = Period("2022", date(2022, 1, 1), date(2022, 12, 31), YEAR)
Y2023 = Period("2023", date(2023, 1, 1), date(2023, 12, 31), YEAR)
W2022 = Period("Jan–Apr 2022", date(2022, 1, 1), date(2022, 4, 30), WINDOW)
W2023 = Period("Jan–Apr 2023", date(2023, 1, 1), date(2023, 4, 30), WINDOW)
PERIODS = [Y2022, Y2023, W2022, W2023]

BAAP = "Buenos Aires Action Plan"
KAP = "Kigali Action Plan"


def _breakdown(name: str, per_period: dict[Period, list[tuple]], key_columns: tuple[str, ...]):
    """Rows (period, *keys, agreements, funds[, partners]) -> long table with shares."""
    columns = s.REPORT_COLUMNS[name]
    rows = []
    for period, items in per_period.items():
        n_total = sum(item[len(key_columns)] for item in items)
        f_total = sum(item[len(key_columns) + 1] for item in items)
        p_total = sum(item[-1] for item in items) if s.PARTNERS_N in columns else 0
        for item in items:
            keys = item[:len(key_columns)]
            n, funds = item[len(key_columns)], item[len(key_columns) + 1]
            record = dict(zip(key_columns, keys))
            record.update({s.PERIOD: period.label, s.FROM: period.start, s.TO: period.end,
                           s.AGREEMENTS_N: n, s.AGREEMENT_SHARE: n / n_total,
                           s.FUNDS_USD: float(funds),
                           s.FUNDS_SHARE: funds / f_total if f_total else float("nan")})
            if s.PARTNERS_N in columns:
                record[s.PARTNERS_N] = item[-1]
                record[s.PARTNER_SHARE] = item[-1] / p_total
            rows.append(record)
    return pd.DataFrame(rows, columns=list(columns))


def sample_tables(issues: bool = False) -> dict[str, pd.DataFrame]:
    t: dict[str, pd.DataFrame] = {}
    summary = [(Y2022, 71, 50, 57, 7_200_000.0, 2_500_000.0),
               (Y2023, 30, 12, 26, 5_320_000.0, 90_000.0),
               (W2022, 33, 20, 28, 3_430_000.0, 460_000.0),
               (W2023, 30, 12, 26, 5_320_000.0, 90_000.0)]
    t[s.SUMMARY] = pd.DataFrame(
        [(p.label, p.start, p.end, n, fin, partners, pu, iu, pu + iu)
         for p, n, fin, partners, pu, iu in summary], columns=list(s.REPORT_COLUMNS[s.SUMMARY]))
    t[s.YEAR_OVER_YEAR] = pd.DataFrame(
        [(p.label, p.start, p.end, n, partners, fin, pu, iu, pu + iu)
         for p, n, fin, partners, pu, iu in summary[2:]],
        columns=list(s.REPORT_COLUMNS[s.YEAR_OVER_YEAR]))
    t[s.COFINANCING] = pd.DataFrame(
        [(p.label, p.start, p.end, pu, iu, pu + iu, pu / (pu + iu), iu / (pu + iu))
         for p, _, _, _, pu, iu in summary], columns=list(s.REPORT_COLUMNS[s.COFINANCING]))
    t[s.BY_REGION] = _breakdown(s.BY_REGION, {
        Y2022: [("Africa", 9, 645_000), ("Americas", 6, 195_000), ("Arab States", 6, 372_000),
                ("Asia-Pacific", 17, 4_200_000), ("CIS", 2, 92_000), ("Europe", 3, 233_000),
                ("Multi-regions", 28, 3_963_000)],
        Y2023: [("Africa", 6, 278_000), ("Americas", 4, 109_000),
                ("Asia-Pacific", 9, 159_000), ("Europe", 4, 0), ("Multi-regions", 7, 4_864_000)],
    }, (s.REGION,))
    t[s.BY_PARTNER_TYPE] = _breakdown(s.BY_PARTNER_TYPE, {
        Y2022: [("Governmental entities", 30, 7_333_000, 24),
                ("Private sector entities", 20, 409_000, 18),
                ("Academic institutions", 5, 0, 4), ("UN organizations", 8, 1_790_000, 4),
                ("International and regional organizations", 3, 0, 2),
                ("Financial institutions", 1, 0, 1), ("Foundations", 1, 17_000, 1),
                ("Other", 3, 152_000, 3)],
        Y2023: [("Governmental entities", 9, 1_700_000, 8),
                ("Private sector entities", 2, 300_000, 2),
                ("Academic institutions", 10, 0, 9), ("UN organizations", 5, 3_300_000, 4),
                ("Financial institutions", 1, 110_000, 1)],
    }, (s.PARTNER_TYPE,))
    t[s.BY_MEMBERSHIP] = _breakdown(s.BY_MEMBERSHIP, {
        Y2022: [("ADMIN", 14, 5_000_000, 11), ("ADMIN-affiliated", 5, 800_000, 5),
                ("ROA", 3, 100_000, 3), ("SIO", 5, 200_000, 4), ("REGINTORG", 2, 0, 2),
                ("UNIVERS/RSRCH", 1, 0, 1), ("Other ITU entity", 1, 0, 1),
                ("Non-member", 40, 3_600_000, 30)],
        Y2023: [("ADMIN", 5, 1_500_000, 4), ("SIO", 2, 300_000, 2),
                ("REGINTORG", 1, 0, 1), ("UNIVERS/RSRCH", 4, 0, 3),
                ("Non-member", 18, 3_610_000, 16)],
    }, (s.MEMBERSHIP,))
    t[s.BY_PRIORITY] = _breakdown(s.BY_PRIORITY, {
        Y2022: [(BAAP, "Capacity development", 10, 51_000),
                (BAAP, "Cybersecurity", 1, 0),
                (BAAP, "Digital inclusion", 18, 1_506_000),
                (BAAP, "Digital innovation ecosystem", 11, 243_000),
                (BAAP, "Digital services and applications", 3, 453_000),
                (BAAP, "Emergency telecommunications", 5, 212_000),
                (BAAP, "Environment", 2, 33_000),
                (BAAP, "Network and digital infrastructure", 9, 3_769_000),
                (BAAP, "Statistics", 1, 0),
                (BAAP, "Multi-thematic", 11, 3_433_000)],
        Y2023: [(KAP, "Affordable connectivity", 3, 330_000),
                (KAP, "Digital transformation", 4, 1_259_000),
                (KAP, "Enabling policy and regulatory environment", 14, 3_406_000),
                (KAP, ("Inclusive and secure telecommunications/ICTs for sustainable "
                       "development"), 4, 137_000),
                (KAP, "Multi-priorities", 5, 278_000)],
    }, (s.ACTION_PLAN, s.PRIORITY))
    top = [(Y2022, 1, "Swiss Federal Department of Foreign Affairs", "Governmental entities",
            2_600_000.0, "2,400,000 CHF"),
           (Y2022, 2, "UN Multi-Partner Trust Fund Office", "UN organizations", 1_600_000.0,
            "1,600,000 USD"),
           (Y2022, 3, "Australia DFAT", "Governmental entities", 1_020_000.0,
            "1,500,000 AUD"),
           (Y2023, 1, "European Commission", "Governmental entities", 3_270_000.0,
            "3,000,000 EUR"),
           (Y2023, 2, "Deutsche Gesellschaft für Internationale Zusammenarbeit",
            "Governmental entities", 980_000.0, "900,000 EUR"),
           (Y2023, 3, "Ministry of Internal Affairs and Communications",
            "Governmental entities", 600_000.0, "600,000 USD")]
    t[s.TOP_PARTNERS] = pd.DataFrame(
        [(p.label, p.start, p.end, *rest) for p, *rest in top],
        columns=list(s.REPORT_COLUMNS[s.TOP_PARTNERS]))
    issue_rows = [(14, "A-0014", "Region", "Afrika", s.ERROR,
                   'unknown region "Afrika" – did you mean "Africa"?', "Agreements"),
                  (27, "A-0027", "Partner amount", None, s.WARNING, "blank amount read as 0",
                   "Agreements")] if issues else []
    t[s.ISSUES] = pd.DataFrame(issue_rows, columns=list(s.ISSUE_COLUMNS))
    return t


def sample_report(language: str = "en", issues: bool = False) -> Report:
    return Report(tables=sample_tables(issues), periods=list(PERIODS), report_year=2023,
                  through=date(2023, 4, 30), language=language, french_labels=FRENCH)


# -- a 2026 report cut off on 30 September: the report year's window rows (SPEC §2) ---------
Y2025 = Period("2025", date(2025, 1, 1), date(2025, 12, 31), YEAR)
Y2026 = Period("2026", date(2026, 1, 1), date(2026, 12, 31), YEAR)
W2025 = Period("Jan–Sep 2025", date(2025, 1, 1), date(2025, 9, 30), WINDOW)
W2026 = Period("Jan–Sep 2026", date(2026, 1, 1), date(2026, 9, 30), WINDOW)
#: Agreements entered after the cut-off are in 2026's rows, never in the window's.
WINDOW_PERIODS = [Y2025, Y2026, W2025, W2026]


def window_report(language: str = "en") -> Report:
    """2025 and 2026 by region and partner type, Cofinancing and TopPartners, each also
    with the rows of the window 1 January–30 September 2026 (2026 has one agreement more,
    signed in November: Europe, a government, 50,000 USD)."""
    t: dict[str, pd.DataFrame] = {}
    t[s.BY_REGION] = _breakdown(s.BY_REGION, {
        Y2025: [("Africa", 10, 800_000), ("Europe", 5, 200_000)],
        Y2026: [("Africa", 6, 300_000), ("Arab States", 2, 90_000), ("Europe", 3, 150_000)],
        W2026: [("Africa", 6, 300_000), ("Arab States", 2, 90_000), ("Europe", 2, 100_000)],
    }, (s.REGION,))
    t[s.BY_PARTNER_TYPE] = _breakdown(s.BY_PARTNER_TYPE, {
        Y2025: [("Governmental entities", 9, 700_000, 7), ("Foundations", 6, 300_000, 5)],
        Y2026: [("Governmental entities", 7, 390_000, 6), ("Foundations", 4, 150_000, 3)],
        W2026: [("Governmental entities", 6, 340_000, 5), ("Foundations", 4, 150_000, 3)],
    }, (s.PARTNER_TYPE,))
    cofinancing = [(Y2025, 900_000.0, 100_000.0), (Y2026, 500_000.0, 40_000.0),
                   (W2025, 600_000.0, 60_000.0), (W2026, 450_000.0, 40_000.0)]
    t[s.COFINANCING] = pd.DataFrame(
        [(p.label, p.start, p.end, pu, iu, pu + iu, pu / (pu + iu), iu / (pu + iu))
         for p, pu, iu in cofinancing], columns=list(s.REPORT_COLUMNS[s.COFINANCING]))
    top = [(Y2025, 1, "Government of Japan", "Governmental entities", 400_000.0,
            "400,000 USD"),
           (Y2026, 1, "European Commission", "Governmental entities", 220_000.0,
            "200,000 EUR"),
           (W2026, 1, "European Commission", "Governmental entities", 220_000.0,
            "200,000 EUR")]
    t[s.TOP_PARTNERS] = pd.DataFrame([(p.label, p.start, p.end, *rest) for p, *rest in top],
                                     columns=list(s.REPORT_COLUMNS[s.TOP_PARTNERS]))
    t[s.ISSUES] = pd.DataFrame(columns=list(s.ISSUE_COLUMNS))
    return Report(tables=t, periods=list(WINDOW_PERIODS), report_year=2026,
                  through=date(2026, 9, 30), language=language, french_labels=FRENCH)
