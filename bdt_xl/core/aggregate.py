"""The report tables (SPEC §2–3) from the accepted agreements, with pandas.

Input: the frame built by ``validation`` (one row per accepted agreement, USD amounts).
Output: one long DataFrame per report table, sorted by period then list order, with the
SPEC's column names. In each period a partner is counted once, under the type and membership
of its first row in the sheet within that period, so no category shows 0 agreements.
"""

from __future__ import annotations

import math
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
from bdt_xl.core.agreement_rules import first_positions
from bdt_xl.core.lists import MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION, ReferenceLists
from bdt_xl.core.report import YEAR, Period

PARTNER_NAME = "partner_name"  # the name as written on the partner's first row


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A slim copy for aggregation, in sheet order: partners as integer codes, labels as
    categories, and each partner's name as on its first row."""
    if not frame[ROW].is_monotonic_increasing:  # validation hands them in sheet order
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
    if first.is_unique:  # one name per partner key (always, as keys are normalised names)
        slim[PARTNER_NAME] = pd.Categorical.from_codes(codes, first.to_numpy())
    else:
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
# ``breakdown`` counts partners with the codes of the table's own column: a table that counted
# them by another column would need that column's codes.
assert all(by in (None, column) for _, column, by in BREAKDOWNS.values())


def breakdown(parts: Slices, lists: ReferenceLists, table: str) -> pd.DataFrame:
    """Agreements, funds (and partners) per category of one list, for each period.

    Counted with ``np.bincount`` over the label codes validation carried: a period holds
    tens of thousands of rows but a list only a few dozen labels."""
    kind, column, partner_column = BREAKDOWNS[table]
    labels = lists.labels(kind)
    records = []
    for period, sub in parts.items():
        if sub.empty:
            continue
        categories, codes = _codes(sub[column])
        funds = np.nan_to_num(sub[FUNDS].to_numpy(dtype=float))  # a blank sum counts 0
        listed = codes >= 0
        counts = np.bincount(codes[listed], minlength=len(categories))
        money = np.bincount(codes[listed], weights=funds[listed], minlength=len(categories))
        if partner_column is not None:  # each partner once, under its first row's label
            first = _first_rows(sub[KEY].to_numpy())[0]
            first_codes = codes[first]
            partners = np.bincount(first_codes[first_codes >= 0], minlength=len(categories))
            n_partners = len(first)
        n, total = len(sub), float(np.nansum(sub[FUNDS].to_numpy(dtype=float)))
        where = {label: i for i, label in enumerate(categories)}
        for label in labels:
            i = where.get(label)
            if i is None or not (counts[i] or (partner_column is not None and partners[i])):
                continue
            count, funds_usd = int(counts[i]), float(money[i])
            record = {**_period_cols(period), _category_column(kind): label}
            if kind == PRIORITY:
                record[s.ACTION_PLAN] = lists.plan_of(label)
            if partner_column is not None:
                p = int(partners[i])
                record[s.PARTNERS_N] = p
                record[s.PARTNER_SHARE] = float(_share(p, n_partners))
            record.update({s.AGREEMENTS_N: count, s.AGREEMENT_SHARE: float(_share(count, n)),
                           s.FUNDS_USD: funds_usd, s.FUNDS_SHARE: float(_share(funds_usd, total))})
            records.append(record)
    return _frame(table, records)


def _first_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The position of each partner's first row, in row order, and each row's partner
    number into them (``pd.factorize`` numbers partners as they first appear: O(n), where
    ``np.unique`` sorts)."""
    of_row, _ = pd.factorize(keys)
    return first_positions(of_row), of_row


def _codes(labels: pd.Series) -> tuple[list[object], np.ndarray]:
    """A label column's categories and each row's code into them (-1: no label)."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return list(labels.cat.categories), labels.cat.codes.to_numpy().astype(np.intp)
    codes, uniques = pd.factorize(labels)
    return list(uniques), codes.astype(np.intp)


def _category_column(kind: str) -> str:
    return {PARTNER_TYPE: s.PARTNER_TYPE, MEMBERSHIP: s.MEMBERSHIP, REGION: s.REGION,
            PRIORITY: s.PRIORITY}[kind]


def format_amount(amount: float, currency: str) -> str:
    """``2,400,000 CHF``; cents shown only when there are any."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency}"


def top_partners(parts: Slices, top_n: int) -> pd.DataFrame:
    """Partners ranked by their own contribution (partner component, USD) in each year,
    named as on their first row (ties: by name)."""
    records = []
    for period, sub in parts.items():
        usd = sub[PARTNER_USD].to_numpy(dtype=float)
        paying = usd > 0
        if not paying.any():
            continue
        keys = sub[KEY].to_numpy()[paying]
        usd = usd[paying]
        first, of_row = _first_rows(keys)
        contribution = np.bincount(of_row, weights=usd)
        names = np.array([str(n) for n in sub[PARTNER_NAME].to_numpy()[paying][first]])
        best = np.lexsort((names, -contribution))[:top_n]  # ties: by name (one per partner)
        types = sub[TYPE].to_numpy()[paying][first]
        amounts = sub[PARTNER_AMT].to_numpy(dtype=float)[paying]
        currencies = sub[CURRENCY].to_numpy()[paying]
        for rank, i in enumerate(best, start=1):
            mine = np.flatnonzero(of_row == i)
            records.append({**_period_cols(period), s.RANK: rank, s.PARTNER: str(names[i]),
                            s.PARTNER_TYPE: types[i], s.CONTRIBUTION_USD: float(contribution[i]),
                            s.ORIGINAL_AMOUNTS: _original_amounts(currencies[mine],
                                                                  amounts[mine], usd[mine])})
    return _frame(s.TOP_PARTNERS, records)


def _original_amounts(currencies: np.ndarray, amounts: np.ndarray, usd: np.ndarray) -> str:
    """``2,400,000 CHF; 500,000 EUR``: a partner's amounts per currency, largest in USD
    first (ties: by currency code), each summed exactly."""
    by_currency: dict[str, tuple[list[float], list[float]]] = {}
    for currency, amount, dollars in zip(currencies, amounts, usd):
        own, in_usd = by_currency.setdefault(currency, ([], []))
        own.append(amount)
        in_usd.append(dollars)
    totals_ = sorted((-math.fsum(in_usd), currency, math.fsum(own))
                     for currency, (own, in_usd) in by_currency.items())
    return "; ".join(format_amount(amount, currency) for _, currency, amount in totals_)


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
