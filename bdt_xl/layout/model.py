"""The layout's vocabulary: sheets, Excel Tables, extra cells and chart specs, as plain data.

Renderers read these objects and nothing else; the binding helpers (``TableBlock.cell_range``,
``ChartSpec.bind``) make every engine compute the same cells. Coordinates are 1-based sheet
rows and columns; chart rows are 0-based data-row offsets inside their table; sizes are in
points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.layout.references import CellRange

PIE, DOUGHNUT, BAR, COLUMN = "pie", "doughnut", "bar", "column"
COLUMNS, ROWS = "columns", "rows"  # how a chart reads its series (ChartSpec.series_by)
A4, LETTER = "A4", "Letter"  # paper sizes a sheet is set up for

TABLE_STYLE = "TableStyleMedium2"


def plain(value: object) -> object:
    """A cell value as a plain Python value: missing -> None, numpy scalars unwrapped."""
    kind = type(value)
    if kind is str or kind is int:  # most cells, first: thousands of Issues cells
        return value
    if kind is float:
        return None if value != value else value
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


def cents(value: object) -> object:
    """A USD amount as written to a cell: rounded to cents (sums and shares stay unrounded)."""
    if isinstance(value, float):
        return round(value, 2) + 0.0  # + 0.0: no "-0.0" cell
    return value


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
    wrapped: tuple[str, ...] = ()  # columns whose long text wraps (headers always wrap)
    row_heights: dict[int, float] = field(default_factory=dict)  # sheet row -> points

    @property
    def columns(self) -> list[str]:
        return [str(column) for column in self.frame.columns]

    @property
    def data_rows(self) -> int:
        """Rows the table spans below its header: at least one (Excel needs a data row)."""
        return max(len(self.frame), 1)

    @property
    def last_row(self) -> int:
        return self.anchor_row + self.data_rows

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
        return (self.anchor_row, self.anchor_col, self.last_row,
                self.anchor_col + len(self.columns) - 1)

    def rows(self) -> list[list[object]]:
        """Data rows as the cells receive them: plain Python values (NaN/NaT/NA -> None),
        USD amounts rounded to cents."""
        values = self.frame.to_numpy(dtype=object, na_value=None)
        usd = [column in s.USD_COLUMNS for column in self.columns]
        return [[cents(plain(value)) if money else plain(value)
                 for value, money in zip(row, usd)] for row in values]


@dataclass(frozen=True, eq=False)
class LabelColumns:
    """Chart labels in the report's language, in hidden columns right of their table.

    Column ``anchor_col`` holds, on each data row, the translated label of the sheet's
    category column; the header row, from ``anchor_col + 1`` on, the translated header of
    every table column in table order (so adjacent value columns stay adjacent). Charts read
    these cells instead of the English ones of the table.
    """
    table: str
    anchor_row: int
    anchor_col: int
    title: str
    row_labels: tuple[str, ...]
    headers: tuple[str, ...]
    columns: tuple[str, ...]  # the table's columns, for ``headers``

    @property
    def last_col(self) -> int:
        return self.anchor_col + len(self.headers)

    def row_cell(self, row: int) -> tuple[int, int]:
        return self.anchor_row + 1 + row, self.anchor_col

    def header_cell(self, column: str) -> tuple[int, int]:
        return self.anchor_row, self.anchor_col + 1 + self.columns.index(column)

    def rows(self) -> list[list[object]]:
        """Header row then one row per data row, for a cell writer (``None`` = no cell)."""
        head = [self.title, *self.headers]
        return [head] + [[label] + [None] * len(self.headers) for label in self.row_labels]


@dataclass(frozen=True)
class TextLines:
    """Sentences written one per row from (anchor_row, anchor_col), outside any table."""
    lines: tuple[str, ...]
    anchor_row: int
    anchor_col: int = 1
    bold: bool = True
    italic: bool = False
    color: str | None = None  # RGB hex ("595959"); None = the sheet's default
    #: Columns each line's cell spans: above one, merged across them, its text wrapped and
    #: aligned to the top (a long sentence then never runs past the printed page).
    span: int = 1
    row_height: float | None = None  # points of each line's row; None = the default

    def cells(self) -> list[tuple[int, int]]:
        """The (row, column) of each line, in order."""
        return [(self.anchor_row + i, self.anchor_col) for i in range(len(self.lines))]

    def areas(self) -> list[CellRange]:
        """The cells each line covers: its own cell and the ``span - 1`` right of it."""
        return [(row, col, row, col + self.span - 1) for row, col in self.cells()]


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
    #: Pies: points (0-based) whose slice is too thin for a readable label: left unlabelled.
    unlabelled_points: tuple[int, ...] = ()

    def bind(self, block: TableBlock, labels: LabelColumns | None = None) -> ChartBinding:
        """The cells this chart reads, computed once for every renderer; with ``labels``
        (same table), categories and names come from the translated label cells."""
        if labels is not None and labels.table != block.name:
            labels = None

        def header(column: str) -> tuple[int, int]:
            return labels.header_cell(column) if labels else block.header_cell(column)

        def row_name(row: int) -> tuple[int, int]:
            return labels.row_cell(row) if labels else \
                block.cell_range(self.category_column, row, row)[:2]

        if self.series_by == ROWS:
            head = block.row_range(self.value_columns, -1)
            if labels:
                first, last = header(self.value_columns[0]), header(self.value_columns[-1])
                head = (*first, *last)
            series = tuple(SeriesRef(block.row_range(self.value_columns, row),
                                     title_cell=row_name(row))
                           for row in range(self.first_row, self.last_row + 1))
            return ChartBinding(head, series)
        categories = block.cell_range(self.category_column, self.first_row, self.last_row)
        if labels:
            categories = (*labels.row_cell(self.first_row), *labels.row_cell(self.last_row))
        series = []
        for i, column in enumerate(self.value_columns):
            values = block.cell_range(column, self.first_row, self.last_row)
            if i < len(self.series_titles):
                series.append(SeriesRef(values, title=self.series_titles[i]))
            else:
                series.append(SeriesRef(values, title_cell=header(column)))
        return ChartBinding(categories, tuple(series))


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: landscape, one page wide, header rows repeated, a footer."""
    landscape: bool = True
    #: Print scale, percent: one page wide, as many pages tall as needed. A fixed scale,
    #: not "fit to width": Excel and LibreOffice ignore manual page breaks when fitting.
    scale: int = 100
    paper: str = A4
    #: First and last sheet row printed atop every page (the table's header), or None.
    repeat_rows: tuple[int, int] | None = None
    footer: str = "&A – Page &P / &N"  # Excel codes: sheet name, page number, page count
    margin_inches: float = 0.3  # left and right
    top_bottom_inches: float = 0.75
    footer_inches: float = 0.3
    #: Sheet rows before which a page starts (charts are never cut in two).
    row_breaks: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class SheetLayout:
    name: str
    tables: list[TableBlock]
    charts: list[ChartSpec] = field(default_factory=list)
    tab_color: str | None = None
    freeze_rows: int = 1  # rows kept visible while scrolling (down to the table's header)
    page: PageSetup = field(default_factory=PageSetup)
    #: Width (characters) of the columns the table does not set.
    default_column_width: float = 8.43
    labels: LabelColumns | None = None  # translated chart labels (hidden columns)
    notices: TextLines | None = None  # sentences shown below the table
    #: The sentence above the table: the sheet is rewritten on every refresh.
    banner: TextLines | None = None

    @property
    def landscape(self) -> bool:
        return self.page.landscape

    @property
    def text_lines(self) -> list[TextLines]:
        """The sentences written outside the tables (banner, notices), for the renderers."""
        return [lines for lines in (self.banner, self.notices) if lines is not None]

    def table(self, name: str) -> TableBlock:
        return next(block for block in self.tables if block.name == name)

    def table_columns(self) -> dict[str, tuple[str, ...]]:
        """Each table's name and columns: how a report sheet written before the report mark
        (or the refresh sentence) existed is recognised, in a file and in live Excel."""
        return {block.name: tuple(block.columns) for block in self.tables}

    def written_outside_tables(self) -> list[CellRange]:
        """The cells the report writes outside its tables whose content varies from one
        refresh to the next (notices, hidden chart labels): an in-place refresh records them
        so that the next one knows them for its own. (The banner is checked by its text.)"""
        areas = list(self.notices.areas()) if self.notices is not None else []
        if self.labels is not None:
            labels = self.labels
            areas.append((labels.anchor_row, labels.anchor_col,
                          labels.anchor_row + len(labels.row_labels), labels.last_col))
        return areas


@dataclass(frozen=True, eq=False)
class ReportLayout:
    sheets: list[SheetLayout]

    def sheet(self, name: str) -> SheetLayout:
        return next(sheet for sheet in self.sheets if sheet.name == name)
