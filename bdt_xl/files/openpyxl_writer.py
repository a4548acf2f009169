"""Render a ``ReportLayout`` into an open openpyxl workbook: the in-place refresh's engine.

New report files are written by ``xlsx_writer``; openpyxl is kept for what XlsxWriter cannot
do, rewriting the report sheets of a user's existing workbook. The layout decides everything
(cells, formats, widths, chart kinds, titles, placement, printing); this module only
translates it into openpyxl objects. Report sheets are replaced, never merged, and no other
sheet is touched.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import BarChart, DoughnutChart, PieChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
from openpyxl.chart.label import DataLabel, DataLabelList
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
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from bdt_xl.layout.model import (
    DOUGHNUT,
    LETTER,
    PIE,
    ChartSpec,
    ReportLayout,
    SheetLayout,
    TableBlock,
    TextLines,
)
from bdt_xl.layout.references import address, column_letter
from bdt_xl.layout.rendering import (
    OPENPYXL,
    chart_type,
    is_pie,
    series_sources,
    table_name_taken,
)

_CM_PER_POINT = 2.54 / 72
_PAPER = {LETTER: 1}  # openpyxl (and Excel) paper codes; A4 otherwise
_A4 = 9
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
            raise table_name_taken(ws.title, min(clash))


def _render_sheet(sheet: SheetLayout, ws: Worksheet) -> None:
    if sheet.tab_color:
        ws.sheet_properties.tabColor = sheet.tab_color
    for block in sheet.tables:
        _write_table(block, ws)
    if sheet.labels is not None:
        labels = sheet.labels
        for i, row in enumerate(labels.rows()):
            for j, value in enumerate(row):
                if value is not None:
                    ws.cell(labels.anchor_row + i, labels.anchor_col + j, value).data_type = "s"
        for col in range(labels.anchor_col, labels.last_col + 1):
            ws.column_dimensions[column_letter(col)].hidden = True
    for lines in sheet.text_lines:
        _write_lines(lines, ws)
    ws.sheet_format.defaultColWidth = sheet.default_column_width
    _page_setup(sheet, ws)
    if sheet.freeze_rows:
        ws.freeze_panes = ws.cell(sheet.freeze_rows + 1, 1)
    for spec in sheet.charts:
        ws.add_chart(_chart(spec, sheet),
                     f"{column_letter(spec.anchor_col)}{spec.anchor_row}")


def _write_lines(lines: TextLines, ws: Worksheet) -> None:
    font = Font(bold=lines.bold, italic=lines.italic, color=lines.color)
    spans = lines.span > 1
    for area, line in zip(lines.areas(), lines.lines):
        row, col = area[:2]
        cell = ws.cell(row, col, line)
        cell.data_type = "s"
        cell.font = font
        if spans:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(address(area))
        if lines.row_height:
            ws.row_dimensions[row].height = lines.row_height


def _page_setup(sheet: SheetLayout, ws: Worksheet) -> None:
    page = sheet.page
    if page.landscape:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = _PAPER.get(page.paper, _A4)
    ws.page_setup.scale = page.scale
    if page.repeat_rows:
        ws.print_title_rows = "{}:{}".format(*page.repeat_rows)
    if page.footer:
        ws.oddFooter.center.text = page.footer
    margins = ws.page_margins
    margins.left = margins.right = page.margin_inches
    margins.top = margins.bottom = page.top_bottom_inches
    margins.footer = page.footer_inches
    breaks = RowBreak()
    for row in page.row_breaks:
        breaks.append(Break(id=row - 1))
    ws.row_breaks = breaks


def _write_table(block: TableBlock, ws: Worksheet) -> None:
    r0, c0 = block.anchor_row, block.anchor_col
    columns = block.columns
    wrap = Alignment(wrap_text=True)  # long text wraps, not the page
    for j, column in enumerate(columns):
        ws.cell(r0, c0 + j, column).alignment = wrap
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
        if column in block.wrapped:
            for i in range(r0 + 1, last + 1):
                ws.cell(i, c0 + j).alignment = wrap
        width = block.column_widths.get(column)
        if width:
            ws.column_dimensions[column_letter(c0 + j)].width = width
    for row, height in block.row_heights.items():
        ws.row_dimensions[row].height = height
    table = Table(displayName=block.name, ref=address(block.ref()))
    table.tableStyleInfo = TableStyleInfo(name=block.style, showRowStripes=True)
    ws.add_table(table)


def _title(text: str, size: float) -> Title:
    font = CharacterProperties(sz=round(size * 100), b=True)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=font),
                          r=[RegularTextRun(rPr=font, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _chart(spec: ChartSpec, sheet: SheetLayout):
    chart = _new_chart(spec)
    pie = is_pie(spec)
    for index, source in enumerate(series_sources(spec, sheet)):
        series = Series(Reference(range_string=source.values))
        if source.name is not None:
            series.tx = SeriesLabel(v=source.name)
        elif source.name_ref is not None:
            series.tx = SeriesLabel(strRef=StrRef(source.name_ref))
        series.cat = AxDataSource(strRef=StrRef(source.categories))
        if pie and index == 0 and spec.unlabelled_points:
            series.dLbls = _labels(spec, pie)
            series.dLbls.dLbl = [  # thin slices: a label showing nothing (openpyxl has no
                DataLabel(idx=i, showPercent=False, showVal=False, showCatName=False,  # delete)
                          showSerName=False, showLegendKey=False)
                for i in spec.unlabelled_points]
        chart.series.append(series)
    chart.title = _title(spec.title, spec.title_size)
    chart.width = spec.width * _CM_PER_POINT
    chart.height = spec.height * _CM_PER_POINT
    chart.dataLabels = _labels(spec, pie)
    if sheet.labels is not None:
        chart.visible_cells_only = False  # the translated labels sit in hidden columns
    if spec.legend in _LEGEND:
        chart.legend.position = _LEGEND[spec.legend]
    else:
        chart.legend = None
    return chart


def _labels(spec: ChartSpec, pie: bool) -> _DataLabels:
    return _DataLabels(
        numFmt=NumFmt(formatCode=spec.number_format, sourceLinked=False),
        showPercent=pie and spec.show_percent, showVal=not pie and spec.show_values,
        showLegendKey=False, showCatName=False, showSerName=False, showLeaderLines=pie)


def _new_chart(spec: ChartSpec):
    kind = chart_type(OPENPYXL, spec.kind)
    if spec.kind == PIE:
        return PieChart()
    if spec.kind == DOUGHNUT:
        chart = DoughnutChart()
        chart.holeSize = spec.hole_size
        return chart
    chart = BarChart()
    chart.type = kind
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
