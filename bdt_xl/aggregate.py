"""The report tables (SPEC §2–3) from the accepted agreements, with pandas.

Input: the frame built by ``validation`` (one row per accepted agreement, USD amounts).
Output: one long DataFrame per report table, sorted by period then list order, with the
SPEC's column names. A partner is counted once per period, under the type and membership of
its first row in the sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema as s
from .lists import MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION, ReferenceLists
from .report import Period
from .validation import (CURRENCY, FUNDS, ITU_USD, KEY, MEMBER, PARTNER, PARTNER_AMT,
                         PARTNER_USD, PRIORITY_COL, ROW, SIGNED, TYPE)
from .validation import REGION as REGION_COL

PARTNER_TYPE_OF_PARTNER = "partner_type_of_partner"
MEMBERSHIP_OF_PARTNER = "membership_of_partner"


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Add each partner's canonical type and membership (those of its first row)."""
    frame = frame.sort_values(ROW, kind="stable")
    by_partner = frame.groupby(KEY, sort=False)
    frame = frame.assign(**{PARTNER_TYPE_OF_PARTNER: by_partner[TYPE].transform("first"),
                            MEMBERSHIP_OF_PARTNER: by_partner[MEMBER].transform("first"),
                            "_display": by_partner[PARTNER].transform("first")})
    return frame


def in_period(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return frame[(frame[SIGNED] >= start) & (frame[SIGNED] <= end)]


def _share(part, whole):
    part = np.asarray(part, dtype=float)
    return part / whole if whole else np.full(part.shape, np.nan)


def _period_cols(period: Period) -> dict[str, object]:
    return {s.PERIOD: period.label, s.FROM: period.start, s.TO: period.end}


def _frame(name: str, records: list[dict]) -> pd.DataFrame:
    columns = list(s.REPORT_COLUMNS[name])
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(records, columns=columns)


def totals(sub: pd.DataFrame) -> dict[str, object]:
    """Headline figures of one period's agreements."""
    return {
        s.AGREEMENTS_N: int(len(sub)),
        s.FINANCIAL_N: int((sub[FUNDS] > 0).sum()),
        s.PARTNERS_N: int(sub[KEY].nunique()),
        s.PARTNER_USD: float(sub[PARTNER_USD].sum()),
        s.ITU_USD: float(sub[ITU_USD].sum()),
        s.FUNDS_USD: float(sub[FUNDS].sum()),
    }


def summary(frame: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    return _frame(s.SUMMARY, [{**_period_cols(p), **totals(in_period(frame, p))}
                              for p in periods])


def year_over_year(frame: pd.DataFrame, windows: list[Period]) -> pd.DataFrame:
    return _frame(s.YEAR_OVER_YEAR, [{**_period_cols(p), **totals(in_period(frame, p))}
                                     for p in windows])


def cofinancing(frame: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    records = []
    for period in periods:
        t = totals(in_period(frame, period))
        funds = t[s.FUNDS_USD]
        records.append({**_period_cols(period), s.PARTNER_USD: t[s.PARTNER_USD],
                        s.ITU_USD: t[s.ITU_USD], s.FUNDS_USD: funds,
                        s.PARTNER_SHARE: float(_share(t[s.PARTNER_USD], funds)),
                        s.ITU_SHARE: float(_share(t[s.ITU_USD], funds))})
    return _frame(s.COFINANCING, records)


def breakdown(frame: pd.DataFrame, periods: list[Period], lists: ReferenceLists, kind: str,
              column: str, partner_column: str | None, table: str) -> pd.DataFrame:
    """Agreements, funds (and partners) per category of one list, for each period."""
    labels = lists.labels(kind)
    records = []
    for period in periods:
        sub = in_period(frame, period)
        if sub.empty:
            continue
        agreements = sub.groupby(column)[FUNDS].agg(["size", "sum"])
        present = set(agreements.index)
        if partner_column is not None:
            partners = sub.drop_duplicates(KEY).groupby(partner_column).size()
            present |= set(partners.index)
            n_partners = sub[KEY].nunique()
        n, funds = len(sub), float(sub[FUNDS].sum())
        for label in labels:
            if label not in present:
                continue
            count = int(agreements["size"].get(label, 0))
            money = float(agreements["sum"].get(label, 0.0))
            record = {**_period_cols(period), _category_column(kind): label}
            if kind == PRIORITY:
                record[s.ACTION_PLAN] = lists.plan_of(label)
            if partner_column is not None:
                p = int(partners.get(label, 0))
                record[s.PARTNERS_N] = p
                record[s.PARTNER_SHARE] = float(_share(p, n_partners))
            record.update({s.AGREEMENTS_N: count, s.AGREEMENT_SHARE: float(_share(count, n)),
                           s.FUNDS_USD: money, s.FUNDS_SHARE: float(_share(money, funds))})
            records.append(record)
    return _frame(table, records)


def _category_column(kind: str) -> str:
    return {PARTNER_TYPE: s.PARTNER_TYPE, MEMBERSHIP: s.MEMBERSHIP, REGION: s.REGION,
            PRIORITY: s.PRIORITY}[kind]


def format_amount(amount: float, currency: str) -> str:
    """``2,400,000 CHF``; cents shown only when there are any."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency}"


def top_partners(frame: pd.DataFrame, years: list[Period], top_n: int) -> pd.DataFrame:
    """Partners ranked by their own contribution (partner component, USD) in each year."""
    records = []
    for period in years:
        sub = in_period(frame, period)
        sub = sub[sub[PARTNER_USD] > 0]
        if sub.empty:
            continue
        per_partner = sub.groupby(KEY).agg(usd=(PARTNER_USD, "sum"), name=("_display", "first"),
                                           ptype=(PARTNER_TYPE_OF_PARTNER, "first"))
        per_partner = per_partner.sort_values(["usd", "name"], ascending=[False, True])
        best = per_partner.head(top_n)
        originals = (sub[sub[KEY].isin(best.index)]
                     .groupby([KEY, CURRENCY]).agg(amount=(PARTNER_AMT, "sum"),
                                                   usd=(PARTNER_USD, "sum")))
        for rank, (key, row) in enumerate(best.iterrows(), start=1):
            mine = originals.loc[key].sort_values("usd", ascending=False)
            records.append({**_period_cols(period), s.RANK: rank, s.PARTNER: row["name"],
                            s.PARTNER_TYPE: row["ptype"], s.CONTRIBUTION_USD: float(row["usd"]),
                            s.ORIGINAL_AMOUNTS: "; ".join(
                                format_amount(a, c) for c, a in mine["amount"].items())})
    return _frame(s.TOP_PARTNERS, records)


def build_tables(frame: pd.DataFrame, periods: list[Period], lists: ReferenceLists,
                 top_n: int) -> dict[str, pd.DataFrame]:
    """Every report table except ``Issues``."""
    frame = prepare(frame)
    years = [p for p in periods if p.kind == "year"]
    windows = [p for p in periods if p.kind != "year"]
    return {
        s.SUMMARY: summary(frame, periods),
        s.BY_PARTNER_TYPE: breakdown(frame, years, lists, PARTNER_TYPE, TYPE,
                                     PARTNER_TYPE_OF_PARTNER, s.BY_PARTNER_TYPE),
        s.BY_MEMBERSHIP: breakdown(frame, years, lists, MEMBERSHIP, MEMBER,
                                   MEMBERSHIP_OF_PARTNER, s.BY_MEMBERSHIP),
        s.BY_REGION: breakdown(frame, years, lists, REGION, REGION_COL, None, s.BY_REGION),
        s.BY_PRIORITY: breakdown(frame, years, lists, PRIORITY, PRIORITY_COL, None,
                                 s.BY_PRIORITY),
        s.COFINANCING: cofinancing(frame, periods),
        s.TOP_PARTNERS: top_partners(frame, years, top_n),
        s.YEAR_OVER_YEAR: year_over_year(frame, windows),
    }

