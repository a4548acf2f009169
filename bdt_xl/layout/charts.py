"""The native charts of each report sheet, like the seed's: which rows, which kind, which
words. Each maker returns groups of ``ChartSpec`` (placed later, one group per band)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.report import WINDOW, Period, Report
from bdt_xl.layout.formats import (
    COUNT_FORMAT,
    PIE_LABEL_FORMAT,
    PRINT_HEIGHT,
    SHARE_FORMAT,
    USD_FORMAT,
    localized,
)
from bdt_xl.layout.model import BAR, COLUMN, COLUMNS, DOUGHNUT, PIE, ROWS, ChartSpec
from bdt_xl.layout.wording import Wording

#: Slices thinner than this share of a pie get no label (their labels would pile up).
SMALL_SLICE = 0.03
#: No chart is taller than what one printed page holds.
MAX_HEIGHT = PRINT_HEIGHT - 60.0  # a three-line header repeated, a row to spare

Span = tuple[int, int]


class ChartContext:
    """One report's wording and the periods its per-year charts show."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.words = Wording(report)
        self.text = self.words.text
        self.language = report.language
        years = report.years
        year = report.report_year if report.report_year is not None else (
            years[-1].start.year if years else None)
        self.previous = [p for p in years if year is not None and p.start.year == year - 1]
        self.current = [p for p in years if year is not None and p.start.year == year]
        #: The report year's window (1 Jan … Through), when Through is before 31 December.
        self.window = next((p for p in reversed(report.windows) if p.start.year == year
                            and (p.end.month, p.end.day) != (12, 31)), None)

    def chart_periods(self, frame: pd.DataFrame) -> list[Period]:
        """Previous year, then the report year: its window when the table has its rows."""
        current = self.current
        if self.window is not None and _span(frame, [self.window.label]) is not None:
            current = [self.window]
        return self.previous + current

    def fmt(self, fmt: str) -> str:
        return localized(fmt, self.language)


def _span(frame: pd.DataFrame, labels: Sequence[str]) -> Span | None:
    """First and last row (0-based) holding any of the period ``labels``, or None."""
    if frame.empty or s.PERIOD not in frame.columns:
        return None
    hits = np.flatnonzero(frame[s.PERIOD].isin(list(labels)).to_numpy())
    return (int(hits[0]), int(hits[-1])) if len(hits) else None


def _values(frame: pd.DataFrame, columns: Sequence[str], span: Span) -> np.ndarray:
    part = frame.iloc[span[0]:span[1] + 1][list(columns)]
    return np.nan_to_num(part.to_numpy(dtype=float))


def _per_period(ctx: ChartContext, frame: pd.DataFrame,
                make: Callable[[Span, str], ChartSpec | None]) -> list[ChartSpec]:
    charts = []
    for period in ctx.chart_periods(frame):
        span = _span(frame, [period.label])
        if span is not None:
            chart = make(span, ctx.words.caption(period.label))
            if chart is not None:
                charts.append(chart)
    return charts


def _pie(ctx, frame, table, category, value, title_key, span, caption,
         kind=PIE, series_by=COLUMNS) -> ChartSpec | None:
    values = (value,) if isinstance(value, str) else tuple(value)
    points = _values(frame, values, span).ravel()
    total = float(points.sum())
    if total <= 0:
        return None  # nothing to divide: an empty pie says nothing
    thin = tuple(int(i) for i in np.flatnonzero(points / total < SMALL_SLICE))
    return ChartSpec(kind, ctx.text[title_key].format(caption), table, category, values,
                     span[0], span[1], width=432.0, height=288.0,
                     number_format=ctx.fmt(PIE_LABEL_FORMAT), show_percent=True,
                     show_values=False, series_by=series_by, legend="right",
                     unlabelled_points=thin)


def _share_bars(ctx, table, category, span, title, kind) -> ChartSpec:
    rows = span[1] - span[0] + 1
    height = min(max(288.0, 96.0 + 30.0 * rows), MAX_HEIGHT) if kind == BAR else 288.0
    return ChartSpec(kind, title, table, category, (s.AGREEMENT_SHARE, s.FUNDS_SHARE),
                     span[0], span[1], width=528.0, height=height,
                     number_format=ctx.fmt(SHARE_FORMAT), axis_format=ctx.fmt("0%"),
                     series_titles=(ctx.text["n_agreements"], ctx.text["funds_signed"]),
                     y_title=ctx.text["share"], reverse_categories=kind == BAR)


def _partner_type_charts(ctx, frame):
    name = s.BY_PARTNER_TYPE
    return [
        _per_period(ctx, frame, lambda span, cap: _pie(
            ctx, frame, name, s.PARTNER_TYPE, s.FUNDS_USD, "funds_by_type", span, cap)),
        _per_period(ctx, frame, lambda span, cap: _pie(
            ctx, frame, name, s.PARTNER_TYPE, s.PARTNERS_N, "partners_by_type", span, cap)),
    ]


def _membership_charts(ctx, frame):
    return [_per_period(ctx, frame, lambda span, cap: _pie(
        ctx, frame, s.BY_MEMBERSHIP, s.MEMBERSHIP, s.PARTNERS_N, "partners_by_membership",
        span, cap))]


def _region_charts(ctx, frame):
    return [_per_period(ctx, frame, lambda span, cap: _share_bars(
        ctx, s.BY_REGION, s.REGION, span, ctx.text["region"].format(cap), COLUMN))]


def _priority_charts(ctx, frame):
    def make(span, cap):
        plans = frame[s.ACTION_PLAN].iloc[span[0]:span[1] + 1].dropna().unique()
        plan = " / ".join(ctx.words.plan(p) for p in plans)
        title = ctx.text["priority"].format(plan=plan or "–", period=cap)
        return _share_bars(ctx, s.BY_PRIORITY, s.PRIORITY, span, title, BAR)
    return [_per_period(ctx, frame, make)]


def _cofinancing_charts(ctx, frame):
    periods = ctx.previous + ctx.current
    seen = {(p.start, p.end) for p in periods}
    periods += [p for p in ctx.report.windows  # a window equal to a year adds nothing
                if (p.start, p.end) not in seen and p.kind == WINDOW]
    charts = []
    for period in periods:
        span = _span(frame, [period.label])
        if span is not None:
            chart = _pie(ctx, frame, s.COFINANCING, s.PERIOD, (s.PARTNER_USD, s.ITU_USD),
                         "cofinancing", (span[0], span[0]), ctx.words.caption(period.label),
                         kind=DOUGHNUT, series_by=ROWS)
            if chart is not None:
                charts.append(chart)
    return [charts[i:i + 2] for i in range(0, len(charts), 2)]


def _top_partner_charts(ctx, frame):
    def make(span, cap):
        rows = span[1] - span[0] + 1
        return ChartSpec(BAR, ctx.text["top_partners"].format(cap), s.TOP_PARTNERS, s.PARTNER,
                         (s.CONTRIBUTION_USD,), span[0], span[1], width=528.0,
                         height=min(max(216.0, 72.0 + 28.0 * rows), MAX_HEIGHT),
                         number_format=ctx.fmt(USD_FORMAT), show_value_axis=False,
                         series_titles=(ctx.text["partner_component"],), legend=None,
                         reverse_categories=True)
    return [_per_period(ctx, frame, make)]


def _summary_charts(ctx, frame):
    span = _span(frame, [p.label for p in ctx.report.years])
    if span is None:
        return []
    t = ctx.text
    return [[
        ChartSpec(COLUMN, t["summary_agreements"], s.SUMMARY, s.PERIOD,
                  (s.AGREEMENTS_N, s.FINANCIAL_N), span[0], span[1],
                  number_format=ctx.fmt(COUNT_FORMAT),
                  series_titles=(t["agreements"], t["financial"])),
        ChartSpec(COLUMN, t["summary_funds"], s.SUMMARY, s.PERIOD, (s.PARTNER_USD, s.ITU_USD),
                  span[0], span[1], number_format=ctx.fmt(USD_FORMAT),
                  series_titles=(t["partner_component"], t["itu_component"])),
    ]]


def _yoy_charts(ctx, frame):
    if frame.empty:
        return []
    t = ctx.text
    first, last = 0, len(frame) - 1
    caption = ctx.words.comparison(frame[s.PERIOD].iloc[first], frame[s.PERIOD].iloc[last])
    return [[
        ChartSpec(COLUMN, t["yoy_agreements"].format(caption), s.YEAR_OVER_YEAR, s.PERIOD,
                  (s.AGREEMENTS_N, s.PARTNERS_N), first, last, width=480.0,
                  number_format=ctx.fmt(COUNT_FORMAT),
                  series_titles=(t["agreements"], t["partners"])),
        ChartSpec(COLUMN, t["yoy_funds"].format(caption), s.YEAR_OVER_YEAR, s.PERIOD,
                  (s.PARTNER_USD, s.ITU_USD, s.FUNDS_USD), first, last, width=528.0,
                  number_format=ctx.fmt(USD_FORMAT), series_by=ROWS,
                  y_title=t["funds"] + " (USD)"),
    ]]


CHART_MAKERS = {
    s.SUMMARY: _summary_charts,
    s.BY_PARTNER_TYPE: _partner_type_charts,
    s.BY_MEMBERSHIP: _membership_charts,
    s.BY_REGION: _region_charts,
    s.BY_PRIORITY: _priority_charts,
    s.COFINANCING: _cofinancing_charts,
    s.TOP_PARTNERS: _top_partner_charts,
    s.YEAR_OVER_YEAR: _yoy_charts,
}

#: The column whose labels name each sheet's chart categories (or, by rows, its series).
CATEGORY_COLUMN = {
    s.SUMMARY: s.PERIOD, s.BY_PARTNER_TYPE: s.PARTNER_TYPE, s.BY_MEMBERSHIP: s.MEMBERSHIP,
    s.BY_REGION: s.REGION, s.BY_PRIORITY: s.PRIORITY, s.COFINANCING: s.PERIOD,
    s.TOP_PARTNERS: s.PARTNER, s.YEAR_OVER_YEAR: s.PERIOD,
}
