"""Render a ``ReportLayout`` into an openpyxl workbook: Excel Tables and native charts.

The layout decides everything (cells, formats, widths, chart kinds, titles, placement); this
module only translates it into openpyxl objects. Report sheets are replaced, never merged,
and no other sheet is touched, so a user's own workbook can be refreshed in place.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, DoughnutChart, PieChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.descriptors import Typed
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from bdt_xl.errors import TableNameTaken
from bdt_xl.files.safe_write import atomic_target
from bdt_xl.layout.report_layout import (
    BAR,
    COLUMN,
    DOUGHNUT,
    PIE,
    ChartSpec,
    ReportLayout,
    SheetLayout,
    TableBlock,
    a1,
    column_letter,
)

_CM_PER_POINT = 2.54 / 72
_LEGEND = {"bottom": "b", "right": "r"}


class _DataLabels(DataLabelList):
    """Data labels whose number format is written with ``sourceLinked="0"``.

    openpyxl writes a label format as a bare ``formatCode``; LibreOffice (and the schema's
    intent) then fall back to the source cells' format, so the layout's format is ignored.
    """
    numFmt = Typed(expected_type=NumFmt, allow_none=True)
    __elements__ = DataLabelList.__elements__
    __nested__ = tuple(name for name in DataLabelList.__nested__ if name != "numFmt")
    __attrs__ = DataLabelList.__attrs__


def write_report(layout: ReportLayout, path: str | os.PathLike[str]) -> Path:
    """Write the report as a new .xlsx at ``path`` (atomically) and return the path."""
    book = Workbook()
    book.remove(book.active)
    render_into(layout, book)
    target = Path(path)
    with atomic_target(target) as tmp:
        book.save(tmp)
    return target


def render_into(layout: ReportLayout, book: Workbook) -> None:
    """Replace the layout's sheets in ``book`` (new ones at the end); other sheets untouched."""
    if not layout.sheets:
        return
    names = {sheet.name for sheet in layout.sheets}
    _check_table_names(layout, book, names)
    active = book.active.title if book.worksheets and book.active is not None else None
    for name in names & set(book.sheetnames):
        book.remove(book[name])
    for sheet in layout.sheets:
        _render_sheet(sheet, book.create_sheet(sheet.name))
    book.active = book.sheetnames.index(active if active in book.sheetnames
                                        else layout.sheets[0].name)
    for ws in book.worksheets:
        ws.sheet_view.tabSelected = ws is book.active


def _check_table_names(layout: ReportLayout, book: Workbook, replaced: set[str]) -> None:
    wanted = {block.name for sheet in layout.sheets for block in sheet.tables}
    for ws in book.worksheets:
        if ws.title in replaced:
            continue
        clash = wanted & set(ws.tables)
        if clash:
            raise TableNameTaken(f"The sheet '{ws.title}' already has a table named "
                                 f"'{min(clash)}'; rename it (Table Design > Table Name) so "
                                 "the report can be written.")


def _render_sheet(sheet: SheetLayout, ws: Worksheet) -> None:
    if sheet.tab_color:
        ws.sheet_properties.tabColor = sheet.tab_color
    for block in sheet.tables:
        _write_table(block, ws)
    ws.sheet_format.defaultColWidth = sheet.default_column_width
    if sheet.landscape:
        ws.page_setup.orientation = "landscape"
    if sheet.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if sheet.freeze_rows:
        ws.freeze_panes = ws.cell(sheet.freeze_rows + 1, 1)
    for spec in sheet.charts:
        ws.add_chart(_chart(spec, sheet.table(spec.table), ws),
                     f"{column_letter(spec.anchor_col)}{spec.anchor_row}")


def _write_table(block: TableBlock, ws: Worksheet) -> None:
    r0, c0 = block.anchor_row, block.anchor_col
    columns = block.columns
    for j, column in enumerate(columns):
        ws.cell(r0, c0 + j, column)
    rows = block.rows()
    for i, row in enumerate(rows, start=r0 + 1):
        for j, value in enumerate(row):
            if value is not None:
                cell = ws.cell(i, c0 + j, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text: "#N/A" or "=x" quoted by a user
    last = r0 + block.data_rows
    for j, column in enumerate(columns):
        fmt = block.number_formats.get(column)
        if fmt:
            for i in range(r0 + 1, last + 1):
                ws.cell(i, c0 + j).number_format = fmt
        width = block.column_widths.get(column)
        if width:
            ws.column_dimensions[column_letter(c0 + j)].width = width
    table = Table(displayName=block.name, ref=a1(block.ref()).replace("$", ""))
    table.tableStyleInfo = TableStyleInfo(name=block.style, showRowStripes=True)
    ws.add_table(table)


def _reference(ws: Worksheet, cells) -> Reference:
    r1, c1, r2, c2 = cells
    return Reference(ws, min_col=c1, min_row=r1, max_col=c2, max_row=r2)


def _title(text: str, size: float) -> Title:
    font = CharacterProperties(sz=round(size * 100), b=True)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=font),
                          r=[RegularTextRun(rPr=font, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _chart(spec: ChartSpec, block: TableBlock, ws: Worksheet):
    chart = _new_chart(spec)
    binding = spec.bind(block)
    categories = AxDataSource(strRef=StrRef(a1(binding.categories, ws.title)))
    for ref in binding.series:
        series = Series(_reference(ws, ref.values))
        if ref.title is not None:
            series.tx = SeriesLabel(v=ref.title)
        elif ref.title_cell is not None:
            series.tx = SeriesLabel(strRef=StrRef(a1((*ref.title_cell, *ref.title_cell),
                                                     ws.title)))
        series.cat = categories
        chart.series.append(series)
    chart.title = _title(spec.title, spec.title_size)
    chart.width = spec.width * _CM_PER_POINT
    chart.height = spec.height * _CM_PER_POINT
    pie = spec.kind in (PIE, DOUGHNUT)
    chart.dataLabels = _DataLabels(
        numFmt=NumFmt(formatCode=spec.number_format, sourceLinked=False),
        showPercent=pie and spec.show_percent, showVal=not pie and spec.show_values,
        showLegendKey=False, showCatName=False, showSerName=False, showLeaderLines=pie)
    if spec.legend in _LEGEND:
        chart.legend.position = _LEGEND[spec.legend]
    else:
        chart.legend = None
    return chart


def _new_chart(spec: ChartSpec):
    if spec.kind == PIE:
        return PieChart()
    if spec.kind == DOUGHNUT:
        chart = DoughnutChart()
        chart.holeSize = spec.hole_size
        return chart
    if spec.kind not in (BAR, COLUMN):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    chart = BarChart()
    chart.type = "bar" if spec.kind == BAR else "col"
    chart.grouping = "clustered"
    chart.gapWidth = spec.gap_width
    chart.y_axis.number_format = spec.axis_format or spec.number_format
    if not spec.gridlines:
        chart.y_axis.majorGridlines = None
    for axis, title in ((chart.x_axis, spec.x_title), (chart.y_axis, spec.y_title)):
        axis.delete = False
        if title:
            axis.title = title
    chart.y_axis.delete = not spec.show_value_axis
    if spec.reverse_categories:
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"  # keep the value axis below the last category
    return chart
