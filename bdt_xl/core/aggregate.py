"""The report tables (SPEC §2–3) from the accepted agreements, with pandas.

Input: the frame built by ``validation`` (one row per accepted agreement, USD amounts).
Output: one long DataFrame per report table, sorted by period then list order, with the
SPEC's column names. In each period a partner is counted once, under the type and membership
of its first row in the sheet within that period, so no category shows 0 agreements.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.agreement_frame import (
    CODES_OF,
    CURRENCY,
    FUNDS,
    ITU_USD,
    KEY,
    LABEL_COLUMNS,
    MEMBER,
    PARTNER,
    PARTNER_AMT,
    PARTNER_USD,
    PRIORITY_COL,
    ROW,
    SIGNED,
    TYPE,
)
from bdt_xl.core.agreement_frame import REGION as REGION_COL
from bdt_xl.core.lists import MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION, ReferenceLists
from bdt_xl.core.report import YEAR, Period

PARTNER_NAME = "partner_name"  # the name as written on the partner's first row


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A slim copy for aggregation, in sheet order: partners as integer codes, labels as
    categories, and each partner's name as on its first row."""
    frame = frame.sort_values(ROW, kind="stable")
    codes, _ = pd.factorize(frame[KEY])
    slim = pd.DataFrame({
        KEY: codes, SIGNED: frame[SIGNED].to_numpy(), CURRENCY: frame[CURRENCY].to_numpy(),
        PARTNER_AMT: frame[PARTNER_AMT].to_numpy(), PARTNER_USD: frame[PARTNER_USD].to_numpy(),
        ITU_USD: frame[ITU_USD].to_numpy(), FUNDS: frame[FUNDS].to_numpy(),
        **{c: _categories(frame, c) for c in LABEL_COLUMNS},
    })
    names = frame[PARTNER].to_numpy()
    first = pd.Series(names).groupby(codes, sort=False).first()
    slim[PARTNER_NAME] = pd.Categorical(first.reindex(codes).to_numpy())
    return slim


def _categories(frame: pd.DataFrame, column: str) -> pd.Categorical:
    """A list column as a categorical: the label codes validation carried, if any."""
    carried = CODES_OF[column]
    if carried in frame.columns:
        return frame[carried].array
    return pd.Categorical(frame[column].to_numpy())


def in_period(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    signed = frame[SIGNED].to_numpy()
    start, end = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
    return frame[(signed >= start) & (signed <= end)]


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


Slices = dict[Period, pd.DataFrame]


def slices(frame: pd.DataFrame, periods: list[Period]) -> Slices:
    """Each period's agreements, cut once and shared by every table."""
    return {period: in_period(frame, period) for period in periods}


def summary(parts: Slices) -> pd.DataFrame:
    return _frame(s.SUMMARY, [{**_period_cols(p), **totals(sub)} for p, sub in parts.items()])


def year_over_year(parts: Slices) -> pd.DataFrame:
    return _frame(s.YEAR_OVER_YEAR, [{**_period_cols(p), **totals(sub)}
                                     for p, sub in parts.items()])


def cofinancing(parts: Slices) -> pd.DataFrame:
    records = []
    for period, sub in parts.items():
        t = totals(sub)
        funds = t[s.FUNDS_USD]
        records.append({**_period_cols(period), s.PARTNER_USD: t[s.PARTNER_USD],
                        s.ITU_USD: t[s.ITU_USD], s.FUNDS_USD: funds,
                        s.PARTNER_SHARE: float(_share(t[s.PARTNER_USD], funds)),
                        s.ITU_SHARE: float(_share(t[s.ITU_USD], funds))})
    return _frame(s.COFINANCING, records)


BREAKDOWNS = {  # table: (list kind, agreement column, column partners are counted by or None)
    s.BY_PARTNER_TYPE: (PARTNER_TYPE, TYPE, TYPE),
    s.BY_MEMBERSHIP: (MEMBERSHIP, MEMBER, MEMBER),
    s.BY_REGION: (REGION, REGION_COL, None),
    s.BY_PRIORITY: (PRIORITY, PRIORITY_COL, None),
}


def breakdown(parts: Slices, lists: ReferenceLists, table: str) -> pd.DataFrame:
    """Agreements, funds (and partners) per category of one list, for each period."""
    kind, column, partner_column = BREAKDOWNS[table]
    labels = lists.labels(kind)
    records = []
    for period, sub in parts.items():
        if sub.empty:
            continue
        agreements = sub.groupby(column, observed=True)[FUNDS].agg(["size", "sum"])
        present = set(agreements.index)
        if partner_column is not None:
            partners = sub.drop_duplicates(KEY).groupby(partner_column, observed=True).size()
            present |= set(partners.index[partners > 0])
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


def top_partners(parts: Slices, top_n: int) -> pd.DataFrame:
    """Partners ranked by their own contribution (partner component, USD) in each year,
    named as on their first row."""
    records = []
    for period, sub in parts.items():
        sub = sub[sub[PARTNER_USD] > 0]
        if sub.empty:
            continue
        usd = sub.groupby(KEY)[PARTNER_USD].sum()
        names = sub.drop_duplicates(KEY).set_index(KEY)[PARTNER_NAME]
        ranked = pd.DataFrame({"usd": usd, "name": names.reindex(usd.index).astype(str)})
        best = ranked.sort_values(["usd", "name"], ascending=[False, True]).head(top_n)
        mine = sub[sub[KEY].isin(best.index)]
        originals = mine.groupby([KEY, CURRENCY])[[PARTNER_AMT, PARTNER_USD]].sum()
        ptype = mine.drop_duplicates(KEY).set_index(KEY)[TYPE]  # first row in the period
        for rank, (key, row) in enumerate(best.iterrows(), start=1):
            amounts = originals.loc[key].sort_values(PARTNER_USD, ascending=False)
            records.append({**_period_cols(period), s.RANK: rank, s.PARTNER: row["name"],
                            s.PARTNER_TYPE: ptype[key], s.CONTRIBUTION_USD: float(row["usd"]),
                            s.ORIGINAL_AMOUNTS: "; ".join(
                                format_amount(a, c) for c, a in amounts[PARTNER_AMT].items())})
    return _frame(s.TOP_PARTNERS, records)


def build_tables(frame: pd.DataFrame, periods: list[Period], lists: ReferenceLists,
                 top_n: int) -> dict[str, pd.DataFrame]:
    """Every report table except ``Issues``."""
    frame = prepare(frame)
    parts = slices(frame, periods)
    years = {p: sub for p, sub in parts.items() if p.kind == YEAR}
    windows = {p: sub for p, sub in parts.items() if p.kind != YEAR}
    detailed = with_report_window(years, windows)
    tables = {s.SUMMARY: summary(parts)}
    tables.update({name: breakdown(detailed, lists, name) for name in BREAKDOWNS})
    tables[s.COFINANCING] = cofinancing(parts)
    tables[s.TOP_PARTNERS] = top_partners(detailed, top_n)
    tables[s.YEAR_OVER_YEAR] = year_over_year(windows)
    return tables


def with_report_window(years: Slices, windows: Slices) -> Slices:
    """The calendar years, and right after the report year the window 1 Jan … Through when
    it ends before 31 December (the last window is the report year's)."""
    if not windows:
        return years
    window = list(windows)[-1]
    if (window.end.month, window.end.day) == (12, 31):
        return years
    out: Slices = {}
    for period, sub in years.items():
        out[period] = sub
        if period.start == date(window.end.year, 1, 1):
            out[window] = windows[window]
    if window not in out:
        out[window] = windows[window]
    return out
