"""The report's layout, described once as data: sheets, Excel Tables, number formats, charts.

``build_layout(report)`` decides everything about how the report looks: one sheet per report
table (named like the table), the table at A1, its number formats and column widths, and the
native charts to the right of it, each bound to a contiguous range of the table's rows. The
renderers (openpyxl for files, xlwings for live Excel) only translate this into their API;
the reference helpers here (``TableBlock.cell_range``, ``ChartSpec.bind``) make both compute
the same cells.

Coordinates are 1-based sheet rows and columns; chart rows are 0-based data-row offsets
inside their table; sizes are in points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.report import YEAR, Period, Report

PIE, DOUGHNUT, BAR, COLUMN = "pie", "doughnut", "bar", "column"
COLUMNS, ROWS = "columns", "rows"  # how a chart reads its series (ChartSpec.series_by)

SHARE_FORMAT = "0.0%"
USD_FORMAT = "#,##0"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
#: Pie labels: percentages, with empty slices left unlabelled.
PIE_LABEL_FORMAT = "0.0%;-0.0%;;"

TABLE_STYLE = "TableStyleMedium2"
TAB_COLOR = "1F4E79"
ISSUES_TAB_COLOR = "C00000"

#: Default column width (characters, 64 pixels) and row height: the grid charts are placed on.
DEFAULT_COLUMN_WIDTH = 8.43
COLUMN_POINTS = 48.0
ROW_POINTS = 15.0

CellRange = tuple[int, int, int, int]  # first row, first column, last row, last column


# -- data ------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TableBlock:
    """One Excel Table: its frame written with the header at (anchor_row, anchor_col)."""
    name: str
    frame: pd.DataFrame
    anchor_row: int = 1
    anchor_col: int = 1
    number_formats: dict[str, str] = field(default_factory=dict)
    column_widths: dict[str, float] = field(default_factory=dict)
    style: str = TABLE_STYLE

    @property
    def columns(self) -> list[str]:
        return [str(column) for column in self.frame.columns]

    @property
    def data_rows(self) -> int:
        """Rows the table spans below its header: at least one (Excel needs a data row)."""
        return max(len(self.frame), 1)

    def column_index(self, column: str) -> int:
        """Sheet column of ``column``."""
        return self.anchor_col + self.columns.index(column)

    def header_cell(self, column: str) -> tuple[int, int]:
        return self.anchor_row, self.column_index(column)

    def cell_range(self, column: str, first_row: int, last_row: int) -> CellRange:
        """Sheet range of one column's data rows ``first_row..last_row`` (0-based)."""
        col = self.column_index(column)
        return self.anchor_row + 1 + first_row, col, self.anchor_row + 1 + last_row, col

    def row_range(self, columns: Sequence[str], row: int) -> CellRange:
        """Sheet range of one data row across adjacent ``columns`` (in table order)."""
        cols = [self.column_index(column) for column in columns]
        if cols != list(range(cols[0], cols[0] + len(cols))):
            raise ValueError(f"columns {list(columns)} are not adjacent in {self.name}")
        sheet_row = self.anchor_row + 1 + row
        return sheet_row, cols[0], sheet_row, cols[-1]

    def ref(self) -> CellRange:
        """The whole table: header plus data rows (one empty row when the frame is empty)."""
        return (self.anchor_row, self.anchor_col, self.anchor_row + self.data_rows,
                self.anchor_col + len(self.columns) - 1)

    def rows(self) -> list[list[object]]:
        """Data rows as plain Python values for a cell writer (NaN/NaT/NA -> None)."""
        values = self.frame.to_numpy(dtype=object, na_value=None)
        return [[plain(value) for value in row] for row in values]


@dataclass(frozen=True)
class SeriesRef:
    """One chart series: its values and either a literal name or the cell holding it."""
    values: CellRange
    title: str | None = None
    title_cell: tuple[int, int] | None = None


@dataclass(frozen=True)
class ChartBinding:
    categories: CellRange
    series: tuple[SeriesRef, ...]


@dataclass(frozen=True)
class ChartSpec:
    """A native chart bound to rows ``first_row..last_row`` of ``table`` on the same sheet.

    ``series_by == COLUMNS``: categories are ``category_column`` on those rows, one series per
    value column. ``series_by == ROWS``: categories are the header cells of the (adjacent)
    value columns, one series per row, named by that row's ``category_column`` cell.
    """
    kind: str
    title: str
    table: str
    category_column: str
    value_columns: tuple[str, ...]
    first_row: int
    last_row: int
    anchor_row: int = 1
    anchor_col: int = 1
    width: float = 480.0
    height: float = 288.0
    number_format: str = "General"  # data labels
    axis_format: str | None = None  # value axis; None = number_format
    show_value_axis: bool = True
    show_percent: bool = False  # pies and doughnuts: label slices with their percentage
    show_values: bool = True  # bars and columns: label bars with their value
    series_by: str = COLUMNS
    series_titles: tuple[str, ...] = ()  # literal series names (COLUMNS); empty = header cells
    x_title: str | None = None  # category axis
    y_title: str | None = None  # value axis
    legend: str | None = "bottom"  # "bottom", "right" or None
    title_size: float = 12.0  # points, bold
    gap_width: int = 60  # bars and columns: gap between category groups, % of a bar width
    gridlines: bool = False  # bars and columns: major gridlines of the value axis
    hole_size: int = 50  # doughnuts: % of the diameter
    reverse_categories: bool = False  # horizontal bars: first category on top

    def bind(self, block: TableBlock) -> ChartBinding:
        """The cells this chart reads, computed once for every renderer."""
        if self.series_by == ROWS:
            head = block.row_range(self.value_columns, -1)
            series = tuple(
                SeriesRef(block.row_range(self.value_columns, row),
                          title_cell=block.cell_range(self.category_column, row, row)[:2])
                for row in range(self.first_row, self.last_row + 1))
            return ChartBinding(head, series)
        categories = block.cell_range(self.category_column, self.first_row, self.last_row)
        series = []
        for i, column in enumerate(self.value_columns):
            values = block.cell_range(column, self.first_row, self.last_row)
            if i < len(self.series_titles):
                series.append(SeriesRef(values, title=self.series_titles[i]))
            else:
                series.append(SeriesRef(values, title_cell=block.header_cell(column)))
        return ChartBinding(categories, tuple(series))


@dataclass(frozen=True, eq=False)
class SheetLayout:
    name: str
    tables: list[TableBlock]
    charts: list[ChartSpec] = field(default_factory=list)
    tab_color: str | None = None
    freeze_rows: int = 1  # header rows kept visible while scrolling
    landscape: bool = True  # printing: landscape pages,
    fit_width: bool = True  # scaled so the table and its charts fit one page wide
    #: Width (characters) of the columns the table does not set; charts are placed on this grid.
    default_column_width: float = DEFAULT_COLUMN_WIDTH

    def table(self, name: str) -> TableBlock:
        return next(block for block in self.tables if block.name == name)


@dataclass(frozen=True, eq=False)
class ReportLayout:
    sheets: list[SheetLayout]

    def sheet(self, name: str) -> SheetLayout:
        return next(sheet for sheet in self.sheets if sheet.name == name)


# -- helpers ---------------------------------------------------------------------------------
def plain(value: object) -> object:
    """A cell value as a plain Python value: missing -> None, numpy scalars unwrapped."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value == datetime(value.year, value.month, value.day):
        return value.date()
    return value


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(cells: CellRange, sheet: str | None = None) -> str:
    """Absolute A1 reference, e.g. ``'ByRegion'!$D$2:$D$8`` (a single cell stays single)."""
    r1, c1, r2, c2 = cells
    text = f"${column_letter(c1)}${r1}"
    if (r1, c1) != (r2, c2):
        text += f":${column_letter(c2)}${r2}"
    if sheet is None:
        return text
    return "'" + sheet.replace("'", "''") + "'!" + text


def number_format(column: str) -> str | None:
    if column in s.SHARE_COLUMNS:
        return SHARE_FORMAT
    if column in s.USD_COLUMNS:
        return USD_FORMAT
    if column in s.COUNT_COLUMNS:
        return COUNT_FORMAT
    if column in s.DATE_COLUMNS:
        return DATE_FORMAT
    return None


def _shown_length(value: object, fmt: str | None) -> int:
    if value is None:
        return 0
    if fmt == USD_FORMAT and isinstance(value, (int, float)):
        return len(f"{value:,.0f}")
    if fmt == SHARE_FORMAT:
        return 6
    if fmt == DATE_FORMAT:
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _column_width(column: str, values: list[object], fmt: str | None) -> float:
    longest = max([len(column) + 3] + [_shown_length(v, fmt) for v in values])  # 3: filter button
    return float(min(max(longest + 2, 8), 60))


# -- wording ---------------------------------------------------------------------------------
TEXT = {
    "en": {
        "region": "Agreements signed by region ({})",
        "priority": "Agreements signed by priority, {plan} ({period})",
        "funds_by_type": "Funds signed by partner type ({})",
        "partners_by_type": "Partners by type ({})",
        "partners_by_membership": "Partners by ITU membership ({})",
        "cofinancing": "Co-financing: partner and ITU components ({})",
        "top_partners": "Top partners by contribution, USD ({})",
        "yoy_agreements": "Agreements and partners ({})",
        "yoy_funds": "Funds signed, USD ({})",
        "summary_agreements": "Agreements signed per year",
        "summary_funds": "Funds signed per year (USD)",
        "n_agreements": "Number of agreements",
        "funds_signed": "Funds signed",
        "agreements": "Agreements",
        "financial": "Financial agreements",
        "partners": "Partners",
        "partner_component": "Partner component",
        "itu_component": "ITU component",
        "share": "Share",
    },
    "fr": {
        "region": "Répartition des accords signés, par région ({})",
        "priority": "Répartition des accords signés, par priorité thématique – {plan} ({period})",
        "funds_by_type": "Contributions financières des partenaires du BDT, par type ({})",
        "partners_by_type": "Partenaires, par type ({})",
        "partners_by_membership": "Partenaires, par catégorie de membre de l'UIT ({})",
        "cofinancing": "Accords de cofinancement ({})",
        "top_partners": "Principaux partenaires de financement, USD ({})",
        "yoy_agreements": "Nombre d'accords signés et de partenaires ({})",
        "yoy_funds": "Fonds convenus, USD ({})",
        "summary_agreements": "Accords signés par année",
        "summary_funds": "Fonds convenus par année (USD)",
        "n_agreements": "Nombre d'accords",
        "funds_signed": "Fonds convenus",
        "agreements": "Accords",
        "financial": "Accords financiers",
        "partners": "Partenaires",
        "partner_component": "Composante du partenaire",
        "itu_component": "Composante de l'UIT",
        "share": "Part",
    },
}
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")


def _french_day(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]}"


def _french_plan(name: str) -> str:
    match = re.fullmatch(r"(.+?) Action Plan", name)
    return f"Plan d'action de {match.group(1)}" if match else name


# -- building --------------------------------------------------------------------------------
@dataclass
class _Context:
    report: Report
    text: dict[str, str]
    chart_years: list[Period]  # previous calendar year (if any), then the report year

    @property
    def french(self) -> bool:
        return self.report.language == "fr"

    def caption(self, label: str) -> str:
        """How a period is named in a chart title ("2022", "Jan–Apr 2023", "1er janvier – …")."""
        period = next((p for p in self.report.periods if p.label == label), None)
        if self.french and period is not None and period.kind != YEAR:
            return f"{_french_day(period.start)} – {_french_day(period.end)} {period.end.year}"
        return label


    def comparison(self, first: str, last: str) -> str:
        """Two windows side by side: "Jan–Apr 2022 vs Jan–Apr 2023", "1er janvier – 30 avril,
        2022 et 2023"."""
        if not self.french:
            return f"{first} vs {last}"
        periods = {p.label: p for p in self.report.periods}
        a, b = periods.get(first), periods.get(last)
        if a and b and (a.start.month, a.start.day, a.end.month, a.end.day) == (
                b.start.month, b.start.day, b.end.month, b.end.day):
            return f"{_french_day(a.start)} – {_french_day(a.end)}, {a.end.year} et {b.end.year}"
        return f"{self.caption(first)} et {self.caption(last)}"


def _chart_years(report: Report) -> list[Period]:
    years = report.years
    if not years:
        return []
    year = report.report_year if report.report_year is not None else years[-1].start.year
    return [p for p in years if p.start.year in (year - 1, year)]


def _sorted_by_period(frame: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    """Stable sort by period order so each period's rows are contiguous (no-op if already)."""
    if s.PERIOD not in frame.columns or frame.empty:
        return frame.reset_index(drop=True)
    order = {p.label: i for i, p in enumerate(periods)}
    keys = frame[s.PERIOD].map(lambda label: order.get(label, len(order))).to_numpy()
    if (np.diff(keys) >= 0).all():
        return frame.reset_index(drop=True)
    return frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)


def _span(frame: pd.DataFrame, labels: Sequence[str]) -> tuple[int, int] | None:
    """First and last row (0-based) holding any of the period ``labels``, or None."""
    hits = np.flatnonzero(frame[s.PERIOD].isin(list(labels)).to_numpy())
    return (int(hits[0]), int(hits[-1])) if len(hits) else None


def _total(frame: pd.DataFrame, columns: Sequence[str], span: tuple[int, int]) -> float:
    part = frame.iloc[span[0]:span[1] + 1][list(columns)]
    return float(np.nansum(part.to_numpy(dtype=float)))


def _per_year(ctx: _Context, frame: pd.DataFrame, make) -> list[ChartSpec]:
    charts = []
    for period in ctx.chart_years:
        span = _span(frame, [period.label])
        if span is not None:
            chart = make(span, ctx.caption(period.label))
            if chart is not None:
                charts.append(chart)
    return charts


def _pie(ctx, frame, table, category, value, title_key, span, caption,
         kind=PIE, series_by=COLUMNS) -> ChartSpec | None:
    values = (value,) if isinstance(value, str) else tuple(value)
    if _total(frame, values, span) <= 0:
        return None  # nothing to divide: an empty pie says nothing
    return ChartSpec(kind, ctx.text[title_key].format(caption), table, category, values,
                     span[0], span[1], width=396.0, height=288.0,
                     number_format=PIE_LABEL_FORMAT, show_percent=True, show_values=False,
                     series_by=series_by, legend="right")


def _share_bars(ctx, table, category, span, title, kind) -> ChartSpec:
    rows = span[1] - span[0] + 1
    height = max(288.0, 96.0 + 40.0 * rows) if kind == BAR else 288.0
    return ChartSpec(kind, title, table, category, (s.AGREEMENT_SHARE, s.FUNDS_SHARE),
                     span[0], span[1], width=528.0, height=height, number_format=SHARE_FORMAT,
                     axis_format="0%",
                     series_titles=(ctx.text["n_agreements"], ctx.text["funds_signed"]),
                     y_title=ctx.text["share"], reverse_categories=kind == BAR)


def _partner_type_charts(ctx, frame):
    name = s.BY_PARTNER_TYPE
    return [
        _per_year(ctx, frame, lambda span, cap: _pie(
            ctx, frame, name, s.PARTNER_TYPE, s.FUNDS_USD, "funds_by_type", span, cap)),
        _per_year(ctx, frame, lambda span, cap: _pie(
            ctx, frame, name, s.PARTNER_TYPE, s.PARTNERS_N, "partners_by_type", span, cap)),
    ]


def _membership_charts(ctx, frame):
    return [_per_year(ctx, frame, lambda span, cap: _pie(
        ctx, frame, s.BY_MEMBERSHIP, s.MEMBERSHIP, s.PARTNERS_N, "partners_by_membership",
        span, cap))]


def _region_charts(ctx, frame):
    return [_per_year(ctx, frame, lambda span, cap: _share_bars(
        ctx, s.BY_REGION, s.REGION, span, ctx.text["region"].format(cap), COLUMN))]


def _priority_charts(ctx, frame):
    def make(span, cap):
        plans = frame[s.ACTION_PLAN].iloc[span[0]:span[1] + 1].dropna().unique()
        plan = " / ".join(_french_plan(p) if ctx.french else p for p in plans)
        title = ctx.text["priority"].format(plan=plan or "–", period=cap)
        return _share_bars(ctx, s.BY_PRIORITY, s.PRIORITY, span, title, BAR)
    return [_per_year(ctx, frame, make)]


def _cofinancing_charts(ctx, frame):
    years = {(p.start, p.end) for p in ctx.chart_years}
    labels = [p.label for p in ctx.chart_years] + [  # a window equal to a year adds nothing
        p.label for p in ctx.report.windows if (p.start, p.end) not in years]
    charts = []
    for label in labels:
        span = _span(frame, [label])
        if span is not None:
            chart = _pie(ctx, frame, s.COFINANCING, s.PERIOD, (s.PARTNER_USD, s.ITU_USD),
                         "cofinancing", (span[0], span[0]), ctx.caption(label),
                         kind=DOUGHNUT, series_by=ROWS)
            if chart is not None:
                charts.append(chart)
    return [charts[i:i + 2] for i in range(0, len(charts), 2)]


def _top_partner_charts(ctx, frame):
    def make(span, cap):
        rows = span[1] - span[0] + 1
        return ChartSpec(BAR, ctx.text["top_partners"].format(cap), s.TOP_PARTNERS, s.PARTNER,
                         (s.CONTRIBUTION_USD,), span[0], span[1], width=528.0,
                         height=max(216.0, 72.0 + 28.0 * rows), number_format=USD_FORMAT,
                         show_value_axis=False,
                         series_titles=(ctx.text["partner_component"],), legend=None,
                         reverse_categories=True)
    return [_per_year(ctx, frame, make)]


def _summary_charts(ctx, frame):
    span = _span(frame, [p.label for p in ctx.report.years])
    if span is None:
        return []
    t = ctx.text
    return [[
        ChartSpec(COLUMN, t["summary_agreements"], s.SUMMARY, s.PERIOD,
                  (s.AGREEMENTS_N, s.FINANCIAL_N), span[0], span[1], number_format=COUNT_FORMAT,
                  series_titles=(t["agreements"], t["financial"])),
        ChartSpec(COLUMN, t["summary_funds"], s.SUMMARY, s.PERIOD, (s.PARTNER_USD, s.ITU_USD),
                  span[0], span[1], number_format=USD_FORMAT,
                  series_titles=(t["partner_component"], t["itu_component"])),
    ]]


def _yoy_charts(ctx, frame):
    if frame.empty:
        return []
    t = ctx.text
    first, last = 0, len(frame) - 1
    caption = ctx.comparison(frame[s.PERIOD].iloc[first], frame[s.PERIOD].iloc[last])
    return [[
        ChartSpec(COLUMN, t["yoy_agreements"].format(caption), s.YEAR_OVER_YEAR, s.PERIOD,
                  (s.AGREEMENTS_N, s.PARTNERS_N), first, last, width=480.0,
                  number_format=COUNT_FORMAT, series_titles=(t["agreements"], t["partners"])),
        ChartSpec(COLUMN, t["yoy_funds"].format(caption), s.YEAR_OVER_YEAR, s.PERIOD,
                  (s.PARTNER_USD, s.ITU_USD, s.FUNDS_USD), first, last, width=528.0,
                  number_format=USD_FORMAT, series_by=ROWS),
    ]]


_CHARTS = {
    s.SUMMARY: _summary_charts,
    s.BY_PARTNER_TYPE: _partner_type_charts,
    s.BY_MEMBERSHIP: _membership_charts,
    s.BY_REGION: _region_charts,
    s.BY_PRIORITY: _priority_charts,
    s.COFINANCING: _cofinancing_charts,
    s.TOP_PARTNERS: _top_partner_charts,
    s.YEAR_OVER_YEAR: _yoy_charts,
}


def _place(groups: list[list[ChartSpec]], first_col: int) -> list[ChartSpec]:
    """Lay chart groups out as grid rows to the right of the table, one group per row."""
    placed: list[ChartSpec] = []
    row = 1
    for group in groups:
        if not group:
            continue
        col = first_col
        for chart in group:
            placed.append(replace(chart, anchor_row=row, anchor_col=col))
            col += math.ceil(chart.width / COLUMN_POINTS) + 1
        row += math.ceil(max(chart.height for chart in group) / ROW_POINTS) + 2
    return placed


def table_block(name: str, frame: pd.DataFrame) -> TableBlock:
    """The Excel Table of one report table at A1, with formats and widths per column."""
    formats = {}
    widths = {}
    for column in frame.columns:
        fmt = number_format(column)
        if fmt:
            formats[column] = fmt
        widths[column] = _column_width(column, [plain(v) for v in frame[column].tolist()], fmt)
    return TableBlock(name, frame, number_formats=formats, column_widths=widths)


def build_layout(report: Report) -> ReportLayout:
    """One sheet per report table (schema order), each with its table at A1 and its charts."""
    ctx = _Context(report, TEXT["fr" if report.language == "fr" else "en"], _chart_years(report))
    sheets = []
    for name in s.REPORT_TABLES:
        frame = report.tables.get(name)
        if frame is None:
            frame = pd.DataFrame(columns=list(s.REPORT_COLUMNS[name]))
        frame = _sorted_by_period(frame, report.periods)
        block = table_block(name, frame)
        charts = _place(_CHARTS[name](ctx, frame), len(block.columns) + 2) \
            if name in _CHARTS else []
        color = ISSUES_TAB_COLOR if name == s.ISSUES and len(frame) else TAB_COLOR
        sheets.append(SheetLayout(name, [block], charts, tab_color=color))
    return ReportLayout(sheets)
