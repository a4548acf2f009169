"""The report's layout, described once as data: ``build_layout(report)`` decides everything
about how the report looks, and the engines (XlsxWriter for new files, openpyxl for in-place
refreshes, xlwings for live Excel) only translate it.

One sheet per report table (named like the table), the table at A1 with its formats and
widths, any notices below it, then the native charts stacked below (never beside: the sheet
prints one page wide at a readable size, each chart whole on a page). With a French report,
the charts read their labels from hidden columns of French labels right of the table.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.report import Period, Report
from bdt_xl.layout.charts import CATEGORY_COLUMN, CHART_MAKERS, ChartContext
from bdt_xl.layout.formats import (
    ISSUES_TAB_COLOR,
    MIN_PRINT_SCALE,
    PRINT_HEIGHT,
    PRINT_WIDTH,
    ROW_POINTS,
    SUBSTITUTE_FONT_WIDTH,
    TAB_COLOR,
    table_block,
    table_points,
)
from bdt_xl.layout.model import (
    ChartSpec,
    LabelColumns,
    PageSetup,
    ReportLayout,
    SheetLayout,
    TableBlock,
    TextLines,
)
from bdt_xl.layout.wording import FRENCH_HEADERS, Wording, words

#: Empty rows between the table (or its notices) and the first chart, and between charts.
GAP_ROWS = 2


def _sorted_by_period(frame: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    """Stable sort by period order so each period's rows are contiguous (no-op if already)."""
    if s.PERIOD not in frame.columns or frame.empty:
        return frame.reset_index(drop=True)
    order = {p.label: i for i, p in enumerate(periods)}
    keys = frame[s.PERIOD].map(lambda label: order.get(label, len(order))).to_numpy()
    if (np.diff(keys) >= 0).all():
        return frame.reset_index(drop=True)
    return frame.iloc[np.argsort(keys, kind="stable")].reset_index(drop=True)


def print_scale(block: TableBlock, charts: list[ChartSpec]) -> float:
    """The scale at which the table and its charts print one page wide (1 = full size), with
    room for wider substitute fonts; never below the scale that keeps text at 7 points."""
    table = table_points(block) * SUBSTITUTE_FONT_WIDTH
    widest = max([table] + [chart.width for chart in charts])
    return max(min(1.0, PRINT_WIDTH / widest), MIN_PRINT_SCALE)


def _row_points(block: TableBlock, row: int) -> float:
    return block.row_heights.get(row, ROW_POINTS)


def _place(groups: list[list[ChartSpec]], block: TableBlock, first_row: int, scale: float
           ) -> tuple[list[ChartSpec], tuple[int, ...]]:
    """Charts stacked below the table from ``first_row``, one per band, and the rows before
    which a printed page must start so that no chart is cut in two.

    The printout is simulated row by row at ``scale``: the table's rows (their wrapped
    heights included) fill pages that each repeat the header row, then each chart goes on
    the current page if it fits, else a page break is put before it.
    """
    header = _row_points(block, block.anchor_row)
    capacity = PRINT_HEIGHT / scale
    used = 0.0
    for row in range(block.anchor_row, first_row):
        height = _row_points(block, row)
        if used + height > capacity:  # Excel breaks the table itself: header repeated
            used = header
        used += height
    placed: list[ChartSpec] = []
    breaks: list[int] = []
    row = first_row
    for chart in (chart for group in groups for chart in group):
        rows = math.ceil(chart.height / ROW_POINTS)
        if used + rows * ROW_POINTS > capacity:  # the page starts on the blank row above it
            breaks.append(row - 1)  # (not on the chart's own row: its border would show)
            used = header + ROW_POINTS
        placed.append(replace(chart, anchor_row=row, anchor_col=1))
        row += rows + GAP_ROWS
        used += (rows + GAP_ROWS) * ROW_POINTS
    return placed, tuple(breaks)


def _labels(name: str, block: TableBlock, wording: Wording) -> LabelColumns | None:
    """The French chart labels of a sheet with charts (hidden columns right of the table)."""
    column = CATEGORY_COLUMN.get(name)
    if column is None or not wording.french:
        return None
    values = block.frame[column].tolist() if len(block.frame) else []
    return LabelColumns(
        table=block.name, anchor_row=block.anchor_row,
        anchor_col=block.anchor_col + len(block.columns) + 1, title=wording.text["labels"],
        row_labels=tuple(wording.category(column, value) for value in values),
        headers=tuple(FRENCH_HEADERS.get(c, c) for c in block.columns),
        columns=tuple(block.columns))


def build_layout(report: Report) -> ReportLayout:
    """One sheet per report table (schema order), each with its table at A1 and its charts."""
    ctx = ChartContext(report)
    text = words(report.language)
    sheets = []
    for name in s.REPORT_TABLES:
        frame = report.tables.get(name)
        if frame is None:
            frame = pd.DataFrame(columns=list(s.REPORT_COLUMNS[name]))
        frame = _sorted_by_period(frame, report.periods)
        block = table_block(name, frame)
        next_row = block.last_row + 1 + GAP_ROWS
        notices = None
        if name == s.SUMMARY and report.notices:
            notices = TextLines(tuple(report.notices), block.last_row + 2)
            next_row = notices.anchor_row + len(notices.lines) + GAP_ROWS
        groups = CHART_MAKERS[name](ctx, frame) if name in CHART_MAKERS else []
        scale = print_scale(block, [chart for group in groups for chart in group])
        charts, breaks = _place(groups, block, next_row, scale)
        color = ISSUES_TAB_COLOR if name == s.ISSUES and len(frame) else TAB_COLOR
        page = PageSetup(footer=text["footer"], row_breaks=breaks,
                         scale=math.floor(scale * 100))
        sheets.append(SheetLayout(name, [block], charts, tab_color=color, page=page,
                                  labels=_labels(name, block, ctx.words) if charts else None,
                                  notices=notices))
    return ReportLayout(sheets)
