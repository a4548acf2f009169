"""The report's layout, described once as data: ``build_layout(report)`` decides everything
about how the report looks, and the engines (XlsxWriter for new files, openpyxl for in-place
refreshes, xlwings for live Excel) only translate it.

One sheet per report table (named like the table): on row 1 a sentence saying the sheet is
rewritten on every refresh (in the report's language, muted, outside any table), row 2
empty, the table from A3 with its formats and widths, any notices below it, then the native
charts stacked below (never beside: the sheet prints one page wide at a readable size, each
chart whole on a page, the table's header repeated atop every page). With a French report,
the charts read their labels from hidden columns of French labels right of the table.
Everything below the banner is placed from the table's anchor, never from fixed rows.
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
    DEFAULT_COLUMN_WIDTH,
    ISSUES_TAB_COLOR,
    MIN_PRINT_SCALE,
    PRINT_HEIGHT,
    PRINT_WIDTH,
    ROW_POINTS,
    SUBSTITUTE_FONT_WIDTH,
    TAB_COLOR,
    lines_needed,
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
#: The sentence atop every report sheet: its row, and the muted grey it is written in.
BANNER_ROW = 1
BANNER_COLOR = "595959"
#: The table's header row: below the banner and one empty row.
TABLE_ROW = BANNER_ROW + 2


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


def _row_heights(block: TableBlock, top: TextLines | None = None) -> dict[int, float]:
    """Heights (points) of the sheet rows that are not the default height."""
    heights = dict(block.row_heights)
    if top is not None and top.row_height:
        heights.update({row: top.row_height for row, _ in top.cells()})
    return heights


def banner(text: str, block: TableBlock) -> TextLines:
    """The refresh sentence on ``BANNER_ROW``, across the table's width: wrapped there, its
    row as tall as its lines need (counted in digit widths, wider than the average letter;
    a substitute font widens the columns as much as the text)."""
    width = sum(block.column_widths.get(column, DEFAULT_COLUMN_WIDTH)
                for column in block.columns)
    lines = lines_needed(text, width)
    return TextLines((text,), BANNER_ROW, bold=False, italic=True, color=BANNER_COLOR,
                     span=len(block.columns), row_height=lines * ROW_POINTS if lines > 1
                     else None)


def _place(groups: list[list[ChartSpec]], block: TableBlock, first_row: int, scale: float,
           top: TextLines | None = None) -> tuple[list[ChartSpec], tuple[int, ...]]:
    """Charts stacked below the table from ``first_row``, one per band, and the rows before
    which a printed page must start so that no chart is cut in two.

    The printout is simulated row by row at ``scale``: the rows above the table (the
    banner), then the table's rows (their wrapped heights included) fill pages that each
    repeat the header row, then each chart goes on the current page if it fits, else a page
    break is put before it.
    """
    heights = _row_heights(block, top)
    header = heights.get(block.anchor_row, ROW_POINTS)
    capacity = PRINT_HEIGHT / scale
    used = 0.0
    for row in range(1, first_row):
        height = heights.get(row, ROW_POINTS)
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
    """One sheet per report table (schema order), each with the refresh sentence on row 1,
    its table at A3 and its charts."""
    ctx = ChartContext(report)
    text = words(report.language)
    sheets = []
    for name in s.REPORT_TABLES:
        frame = report.tables.get(name)
        if frame is None:
            frame = pd.DataFrame(columns=list(s.REPORT_COLUMNS[name]))
        frame = _sorted_by_period(frame, report.periods)
        block = table_block(name, frame, anchor_row=TABLE_ROW)
        top = banner(text["refresh_note"], block)
        next_row = block.last_row + 1 + GAP_ROWS
        notices = None
        if name == s.SUMMARY and report.notices:
            notices = TextLines(tuple(report.notices), block.last_row + 2)
            next_row = notices.anchor_row + len(notices.lines) + GAP_ROWS
        groups = CHART_MAKERS[name](ctx, frame) if name in CHART_MAKERS else []
        scale = print_scale(block, [chart for group in groups for chart in group])
        charts, breaks = _place(groups, block, next_row, scale, top)
        color = ISSUES_TAB_COLOR if name == s.ISSUES and len(frame) else TAB_COLOR
        page = PageSetup(footer=text["footer"], row_breaks=breaks,
                         scale=math.floor(scale * 100),
                         repeat_rows=(block.anchor_row, block.anchor_row))
        sheets.append(SheetLayout(name, [block], charts, tab_color=color, page=page,
                                  freeze_rows=block.anchor_row,
                                  labels=_labels(name, block, ctx.words) if charts else None,
                                  notices=notices, banner=top))
    return ReportLayout(sheets)
