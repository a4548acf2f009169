"""Render a ``ReportLayout`` as a new .xlsx file with XlsxWriter: the engine for new reports.

XlsxWriter writes shared strings and the element order Excel's own validator expects, so a
new report opens without Excel repairing or rewriting it. Text cells are written with
``write_string`` (a partner called "=x" or "+1" stays text, never a formula), numbers as
numbers, dates as dates with a format. The whole book is built in memory and saved through
``atomic_target``: a failure leaves any previous file untouched.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bdt_xl.files.ooxml import report_properties
from bdt_xl.files.safe_write import atomic_target
from bdt_xl.layout.model import (
    BAR,
    LETTER,
    ChartSpec,
    ReportLayout,
    SheetLayout,
    TableBlock,
    TextLines,
)
from bdt_xl.layout.rendering import XLSXWRITER, chart_type, is_pie, series_sources

_PIXELS_PER_POINT = 96 / 72
_PAPER = {LETTER: 1}  # XlsxWriter paper codes; A4 otherwise
_A4 = 9


class _Formats:
    """XlsxWriter formats, one object per number format (XlsxWriter wants them shared)."""

    def __init__(self, book: Workbook) -> None:
        self._book = book
        self._cache: dict[tuple[str, bool, bool, bool, str, bool], object] = {}

    def get(self, num_format: str | None, bold: bool = False, wrap: bool = False,
            italic: bool = False, color: str | None = None, top: bool = False):
        if num_format is None and not (bold or wrap or italic or color or top):
            return None
        key = (num_format or "", bold, wrap, italic, color or "", top)
        if key not in self._cache:
            props: dict[str, object] = {"bold": True} if bold else {}
            if num_format:
                props["num_format"] = num_format
            if wrap:
                props["text_wrap"] = True
            if italic:
                props["italic"] = True
            if color:
                props["font_color"] = "#" + color
            if top:
                props["valign"] = "top"
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]


def write_report(layout: ReportLayout, path: str | os.PathLike[str]) -> Path:
    """Write the report as a new .xlsx at ``path`` (atomically) and return the path."""
    target = Path(path)
    with atomic_target(target) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {
            "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "nan_inf_to_errors": True})
        try:
            formats = _Formats(book)
            for sheet in layout.sheets:
                _render_sheet(sheet, book, formats)
            if layout.sheets:
                book.worksheets()[0].activate()
            for name, value in report_properties(layout).items():
                if value:
                    book.set_custom_property(name, value)
        except BaseException:
            book.fileclosed = True  # nothing to save: the temporary file is removed
            raise
        try:
            book.close()
        except FileCreateError as exc:  # XlsxWriter wraps the OSError (e.g. a full disk)
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise
    return target


def _render_sheet(sheet: SheetLayout, book: Workbook, formats: _Formats) -> None:
    ws = book.add_worksheet(sheet.name)
    if sheet.tab_color:
        ws.set_tab_color("#" + sheet.tab_color)
    for block in sheet.tables:
        _write_table(block, ws, formats)
    if sheet.labels is not None:
        labels = sheet.labels
        for i, row in enumerate(labels.rows()):
            for j, value in enumerate(row):
                if value is not None:
                    ws.write_string(labels.anchor_row - 1 + i, labels.anchor_col - 1 + j, value)
        ws.set_column(labels.anchor_col - 1, labels.last_col - 1, None, None, {"hidden": True})
    for lines in sheet.text_lines:
        _write_lines(lines, ws, formats)
    _page_setup(sheet, ws)
    if sheet.freeze_rows:
        ws.freeze_panes(sheet.freeze_rows, 0)
    for spec in sheet.charts:
        chart = _chart(spec, sheet, book)
        ws.insert_chart(spec.anchor_row - 1, spec.anchor_col - 1, chart,
                        {"object_position": 1})


def _write_table(block: TableBlock, ws: Worksheet, formats: _Formats) -> None:
    r0, c0 = block.anchor_row - 1, block.anchor_col - 1
    columns, rows = block.columns, block.rows()
    cell_formats = [formats.get(block.number_formats.get(column), wrap=column in block.wrapped)
                    for column in columns]
    for i, row in enumerate(rows, start=r0 + 1):
        for j, value in enumerate(row):
            _write(ws, i, c0 + j, value, cell_formats[j])
    if not rows:  # the table's one empty data row keeps its formats
        for j, fmt in enumerate(cell_formats):
            if fmt is not None:
                ws.write_blank(r0 + 1, c0 + j, None, fmt)
    for j, column in enumerate(columns):
        width = block.column_widths.get(column)
        if width:
            ws.set_column(c0 + j, c0 + j, width)
    for row, height in block.row_heights.items():
        ws.set_row(row - 1, height)
    r1, _, r2, c2 = block.ref()
    header = formats.get(None, wrap=True)  # long headers wrap instead of widening the page
    ws.add_table(r1 - 1, c0, r2 - 1, c2 - 1, {
        "name": block.name, "style": block.style, "autofilter": True,
        "columns": [{"header": column, "format": fmt, "header_format": header}
                    for column, fmt in zip(columns, cell_formats)]})


def _write(ws: Worksheet, row: int, col: int, value: object, fmt) -> None:
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _write_lines(lines: TextLines, ws: Worksheet, formats: _Formats) -> None:
    spans = lines.span > 1
    fmt = formats.get(None, bold=lines.bold, italic=lines.italic, color=lines.color,
                      wrap=spans, top=spans)
    for (r1, c1, _, c2), line in zip(lines.areas(), lines.lines):
        if spans:
            ws.merge_range(r1 - 1, c1 - 1, r1 - 1, c2 - 1, line, fmt)
        else:
            ws.write_string(r1 - 1, c1 - 1, line, fmt)
        if lines.row_height:
            ws.set_row(r1 - 1, lines.row_height)


def _page_setup(sheet: SheetLayout, ws: Worksheet) -> None:
    page = sheet.page
    if page.landscape:
        ws.set_landscape()
    ws.set_paper(_PAPER.get(page.paper, _A4))
    ws.set_print_scale(page.scale)
    if page.repeat_rows:
        first, last = page.repeat_rows
        ws.repeat_rows(first - 1, last - 1)
    if page.footer:
        ws.set_footer("&C" + page.footer, {"margin": page.footer_inches})
    ws.set_margins(left=page.margin_inches, right=page.margin_inches,
                   top=page.top_bottom_inches, bottom=page.top_bottom_inches)
    if page.row_breaks:
        ws.set_h_pagebreaks([row - 1 for row in page.row_breaks])


def _chart(spec: ChartSpec, sheet: SheetLayout, book: Workbook):
    chart = book.add_chart({"type": chart_type(XLSXWRITER, spec.kind)})
    pie = is_pie(spec)
    labels: dict[str, object] = {"num_format": spec.number_format}
    if pie:
        labels.update(percentage=spec.show_percent, leader_lines=True)
        if spec.kind == "pie":
            labels["position"] = "best_fit"
    else:
        labels["value"] = spec.show_values
    for index, source in enumerate(series_sources(spec, sheet)):
        series: dict[str, object] = {"values": "=" + source.values,
                                     "categories": "=" + source.categories}
        if source.name is not None:
            series["name"] = source.name
        elif source.name_ref is not None:
            series["name"] = "=" + source.name_ref
        series_labels = dict(labels)
        if pie and spec.unlabelled_points and index == 0:
            hidden = set(spec.unlabelled_points)
            last = max(hidden)
            series_labels["custom"] = [{"delete": True} if i in hidden else None
                                       for i in range(last + 1)]
        series["data_labels"] = series_labels
        if not pie:
            series["gap"] = spec.gap_width
        chart.add_series(series)
    chart.set_title({"name": spec.title, "name_font": {"size": spec.title_size, "bold": True},
                     "overlay": False})
    chart.set_size({"width": round(spec.width * _PIXELS_PER_POINT),
                    "height": round(spec.height * _PIXELS_PER_POINT)})
    if spec.legend in ("bottom", "right"):
        chart.set_legend({"position": spec.legend})
    else:
        chart.set_legend({"none": True})
    if sheet.labels is not None:
        chart.show_hidden_data()  # the translated labels sit in hidden columns
    if spec.kind == "doughnut":
        chart.set_hole_size(spec.hole_size)
    if not pie:
        _axes(spec, chart)
    return chart


def _axes(spec: ChartSpec, chart) -> None:
    value_axis: dict[str, object] = {
        "num_format": spec.axis_format or spec.number_format,
        "major_gridlines": {"visible": spec.gridlines}, "visible": spec.show_value_axis}
    if spec.y_title:
        value_axis["name"] = spec.y_title
    category_axis: dict[str, object] = {}
    if spec.x_title:
        category_axis["name"] = spec.x_title
    if spec.reverse_categories:  # first category on top, value axis kept below
        category_axis.update(reverse=True, crossing="max")
    if spec.kind == BAR:  # XlsxWriter's horizontal bars: x is the value axis, y the category
        chart.set_x_axis(value_axis)
        chart.set_y_axis(category_axis)
    else:
        chart.set_y_axis(value_axis)
        chart.set_x_axis(category_axis)
