"""Render a ``ReportLayout`` into a workbook open in Excel, through xlwings.

The live engine of the layout (``xlsx_writer`` writes new files, ``openpyxl_writer`` rewrites
files in place): the layout decides everything (cells, formats, widths, chart kinds, titles,
placement, printing); this module only translates it into xlwings calls, one whole block per
call (a table's values in one write, a number format per column range).

A refresh never leaves a half-written report behind. The new report sheets are written
under temporary names (``~Summary``…) with temporarily named tables; only when every one is
written are the previous report sheets deleted and the new ones renamed. If anything fails
before that, the temporary sheets are deleted and the error re-raised: the previous report
is still there. Sheets named in ``keep`` (the ones holding the input tables) are never
written, renamed or deleted.

Engines differ in what they can do (desktop Excel through COM or AppleScript; the remote
engine of xlwings Server/Lite, used by the tests on Linux). Cosmetics an engine or an older
xlwings does not offer (chart titles, series names, freeze panes…) are skipped and listed in
``LiveResult.notes``; the cells, tables and charts themselves are always written.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from bdt_xl.errors import ReportWriteError
from bdt_xl.excel.desktop_cosmetics import desktop_chart, desktop_freeze, desktop_sheet
from bdt_xl.excel.live_ownership import check_report_sheets
from bdt_xl.layout.model import (
    BAR,
    COLUMN,
    ROWS,
    ChartSpec,
    ReportLayout,
    SheetLayout,
    TableBlock,
    TextLines,
)
from bdt_xl.layout.references import CellRange, address
from bdt_xl.layout.rendering import CHART_TYPES, XLWINGS, chart_type, table_name_taken

log = logging.getLogger(__name__)

#: Prefix of the sheets a refresh writes before it replaces the previous report.
TEMP_SHEET_PREFIX = "~"
#: Prefix of their tables (table names are workbook-wide, the old ones still exist).
TEMP_TABLE_PREFIX = "BDT_new_"
#: The layout's chart kinds as xlwings chart types.
CHART_KINDS = CHART_TYPES[XLWINGS]
#: Text cells are formatted as text before they are written, so Excel keeps "2022" a label
#: and never evaluates a partner name starting with "=".
TEXT_FORMAT = "@"

#: What an engine or xlwings version raises for a feature it does not have.
UNSUPPORTED = (NotImplementedError, AttributeError, TypeError)


@dataclass
class LiveResult:
    sheets: list[str]  # report sheets written, in order
    replaced: list[str]  # previous report sheets deleted
    notes: list[str] = field(default_factory=list)  # cosmetics this engine could not apply


# -- Excel settings ---------------------------------------------------------------------------
#: (setting, value during a refresh), in the order they are switched off.
_PAUSED = (("screen_updating", False), ("enable_events", False), ("calculation", "manual"))


@contextmanager
def excel_paused(app) -> Iterator[dict[str, object]]:
    """Suspend screen updating, events and automatic calculation; always restore them.

    Only settings that could be read are changed and restored, except screen updating: the
    remote engine cannot read it, and Excel always runs a macro with it on, so it is
    switched off and back on. Yields the saved settings.
    """
    saved: dict[str, object] = {}
    for name, _ in _PAUSED:
        try:
            saved[name] = getattr(app, name)
        except Exception:  # NotImplementedError on the remote engine, COM errors
            if name == "screen_updating":
                saved[name] = True
    changed = []
    for name, value in _PAUSED:
        if name in saved:
            try:
                setattr(app, name, value)
                changed.append(name)
            except Exception as exc:
                log.debug("cannot set %s: %s", name, exc)
    try:
        yield saved
    finally:
        for name in reversed(changed):
            try:
                setattr(app, name, saved[name])
            except Exception as exc:  # never hide the refresh's own error
                log.warning("could not restore Excel's %s setting: %s", name, exc)


# -- the report -------------------------------------------------------------------------------
def render_live(layout: ReportLayout, book, keep: Collection[str] = ()) -> LiveResult:
    """Replace the layout's sheets in the open ``book`` (new ones at the end).

    ``keep``: sheets that must not be touched (the input tables' sheets). Raises
    ``ReportWriteError`` before writing anything when a report sheet or table name is taken by
    something the refresh must not replace; any other error leaves the previous report.
    """
    names = [sheet.name for sheet in layout.sheets]
    if not names:
        return LiveResult([], [])
    report_keys = {name.casefold() for name in names}
    _check(layout, book, report_keys, keep)
    check_report_sheets(layout, book)
    active = _active_name(book)
    notes: dict[str, None] = {}

    for sheet in list(book.sheets):  # left over by a refresh that was cut short
        if _is_temp(sheet.name, report_keys):
            sheet.delete()

    added, written = [], []
    try:
        for sheet in layout.sheets:
            ws = book.sheets.add(TEMP_SHEET_PREFIX + sheet.name, after=book.sheets[-1])
            added.append(ws)
            written.append((sheet, ws, _render_sheet(sheet, ws, notes)))
    except BaseException:
        for ws in reversed(added):
            try:
                ws.delete()
            except Exception as exc:
                log.warning("could not delete the unfinished sheet: %s", exc)
        raise

    replaced = [sheet.name for sheet in list(book.sheets) if sheet.name.casefold() in report_keys]
    for name in replaced:
        book.sheets[name].delete()
    for sheet, ws, tables in written:
        ws.name = sheet.name
        for block, table in tables:
            table.name = block.name
    _activate(book, active if active is not None and _has_sheet(book, active) else names[0])
    return LiveResult(names, replaced, list(notes))


def _check(layout: ReportLayout, book, report_keys: set[str], keep: Collection[str]
           ) -> None:
    taken = [name for name in keep
             if name.casefold() in report_keys or _is_temp(name, report_keys)]
    if taken:
        name = taken[0]
        raise ReportWriteError(f"The sheet '{name}' holds an input table, but the report writes "
                             f"a sheet of that name; rename that sheet (e.g. '{name} data') "
                             "and refresh again.")
    wanted = {block.name.casefold(): block.name for sheet in layout.sheets
              for block in sheet.tables}
    wanted.update({(TEMP_TABLE_PREFIX + block).casefold(): TEMP_TABLE_PREFIX + block
                   for block in list(wanted.values())})
    for sheet in book.sheets:
        if sheet.name.casefold() in report_keys or _is_temp(sheet.name, report_keys):
            continue
        for table in _tables(sheet):
            if table.name.casefold() in wanted:
                raise table_name_taken(sheet.name, table.name)


def _is_temp(name: str, report_keys: set[str]) -> bool:
    return name.startswith(TEMP_SHEET_PREFIX) and \
        name[len(TEMP_SHEET_PREFIX):].casefold() in report_keys


def _tables(sheet) -> list:
    try:
        return list(sheet.tables)
    except UNSUPPORTED:
        return []


def _active_name(book) -> str | None:
    try:
        return book.sheets.active.name
    except Exception:
        return None


def _has_sheet(book, name: str) -> bool:
    return any(sheet.name == name for sheet in book.sheets)


def _activate(book, name: str) -> None:
    try:
        book.sheets[name].activate()
    except Exception as exc:
        log.debug("cannot activate %s: %s", name, exc)


def _render_sheet(sheet: SheetLayout, ws, notes: dict[str, None]) -> list:
    tables = [(block, _write_table(block, ws)) for block in sheet.tables]
    for block in sheet.tables:
        _wrap(block, ws, notes)
    if sheet.labels is not None:  # translated chart labels, hidden right of the table
        labels = sheet.labels
        rows = [["" if v is None else v for v in row] for row in labels.rows()]
        area = (labels.anchor_row, labels.anchor_col, labels.anchor_row + len(rows) - 1,
                labels.last_col)
        _range(ws, area).number_format = TEXT_FORMAT
        ws.range((labels.anchor_row, labels.anchor_col)).value = rows
        try:
            _range(ws, area).column_width = 0
        except UNSUPPORTED:
            notes["chart label columns: shown, this Excel engine cannot hide columns"] = None
    for lines in sheet.text_lines:
        _write_lines(lines, ws, notes)
    if sheet.freeze_rows:
        _freeze(ws, sheet.freeze_rows, notes)
    desktop_sheet(ws, sheet)
    for spec in sheet.charts:
        _chart(spec, sheet, ws, notes)
    return tables


def _write_lines(lines: TextLines, ws, notes: dict[str, None]) -> None:
    """Sentences outside the tables (the banner, notices), one per row, in one write."""
    areas = lines.areas()
    cells = _range(ws, (*areas[0][:2], *areas[-1][2:]))
    cells.number_format = TEXT_FORMAT
    ws.range(areas[0][:2]).value = [[line] for line in lines.lines]  # first cells only
    try:
        font = cells.font
        if lines.bold:
            font.bold = True
        if lines.italic:
            font.italic = True
        if lines.color:
            font.color = "#" + lines.color
    except UNSUPPORTED:
        notes["text styles (bold, italic, colour): not supported by this Excel engine"] = None
    if lines.span > 1:  # merged across the table's width, wrapped, aligned to the top
        try:
            for area in areas:
                _range(ws, area).merge()
                _range(ws, area).wrap_text = True
        except UNSUPPORTED:
            notes["sentences wrapped across the table's width: not supported by this Excel "
                  "engine"] = None
        try:
            for area in areas:
                _range(ws, area).vertical_alignment = "top"
        except UNSUPPORTED:
            notes["top-aligned sentences: not supported by this Excel engine"] = None
    if lines.row_height:
        try:
            for row, col in lines.cells():
                ws.range((row, col)).row_height = lines.row_height
        except UNSUPPORTED:
            notes["row heights of wrapped sentences: not supported by this Excel engine"] = None


def _cell(value: object) -> object:
    """A layout value as xlwings writes it everywhere: dates as datetime."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _range(ws, cells: CellRange):
    r1, c1, r2, c2 = cells
    return ws.range((r1, c1), (r2, c2))


def _write_table(block: TableBlock, ws):
    r0, c0 = block.anchor_row, block.anchor_col
    rows = block.rows()
    last = r0 + block.data_rows
    formats = dict(block.number_formats)
    for j, column in enumerate(block.columns):  # before the values: see TEXT_FORMAT
        if column not in formats and any(isinstance(row[j], str) for row in rows):
            formats[column] = TEXT_FORMAT
    for column in block.columns:
        fmt = formats.get(column)
        if fmt:
            col = block.column_index(column)
            _range(ws, (r0 + 1, col, last, col)).number_format = fmt
    ws.range((r0, c0)).value = [block.columns] + [[_cell(v) for v in row] for row in rows]
    for column in block.columns:
        width = block.column_widths.get(column)
        if width:
            ws.range((r0, block.column_index(column))).column_width = width
    return ws.tables.add(_range(ws, block.ref()), name=TEMP_TABLE_PREFIX + block.name,
                         table_style_name=block.style, has_headers=True)


def _wrap(block: TableBlock, ws, notes: dict[str, None]) -> None:
    """Headers and long text wrap in their cells (the sheet then prints one page wide)."""
    r0, c0, last, c1 = block.ref()
    areas = [(r0, c0, r0, c1)] + [
        (r0 + 1, block.column_index(column), last, block.column_index(column))
        for column in block.wrapped]
    try:
        for area in areas:
            _range(ws, area).wrap_text = True
        for row, height in block.row_heights.items():
            ws.range((row, c0)).row_height = height
    except UNSUPPORTED:
        notes["wrapped headers: not supported by this Excel engine"] = None


def _freeze(ws, rows: int, notes: dict[str, None]) -> None:
    try:
        ws.freeze_panes.freeze_at(f"1:{rows}")
    except UNSUPPORTED:
        if not desktop_freeze(ws, rows):
            notes["frozen header rows: not supported by this Excel engine"] = None


# -- charts -----------------------------------------------------------------------------------
def _areas(ranges: list[CellRange]) -> list[CellRange]:
    """Series ranges merged into as few rectangles as possible (adjacent, same extent)."""
    areas: list[CellRange] = []
    for r1, c1, r2, c2 in ranges:
        if areas:
            a1, b1, a2, b2 = areas[-1]
            if (a1, a2) == (r1, r2) and c1 == b2 + 1:
                areas[-1] = (a1, b1, a2, c2)
                continue
            if (b1, b2) == (c1, c2) and r1 == a2 + 1:
                areas[-1] = (a1, b1, r2, b2)
                continue
        areas.append((r1, c1, r2, c2))
    return areas


def _source(ws, areas: list[CellRange], notes: dict[str, None]):
    """The chart's data: one rectangle, or a multi-area range where the engine has them."""
    if len(areas) > 1:
        try:
            return ws.range(",".join(address(area) for area in areas)), len(areas)
        except Exception:
            notes["charts of non-adjacent columns show their first column only: this Excel "
                  "engine cannot address several areas at once"] = None
            return _range(ws, areas[0]), 1
    return _range(ws, areas[0]), len(areas)


def _series_name(sheet: SheetLayout, block: TableBlock, cell: tuple[int, int]) -> str:
    """The text of the cell a series is named by (a table cell or a translated label)."""
    row, col = cell
    labels = sheet.labels
    if labels is not None and col >= labels.anchor_col:
        value = labels.rows()[row - labels.anchor_row][col - labels.anchor_col]
        return "" if value is None else str(value)
    column = block.columns[col - block.anchor_col]
    if row == block.anchor_row:
        return column
    value = block.frame[column].iloc[row - block.anchor_row - 1]
    return "" if value is None else str(value)


def _chart(spec: ChartSpec, sheet: SheetLayout, ws, notes: dict[str, None]):
    block = sheet.table(spec.table)
    binding = spec.bind(block, sheet.labels)
    areas = _areas([ref.values for ref in binding.series])
    source, used_areas = _source(ws, areas, notes)
    plot_by = "rows" if spec.series_by == ROWS else "columns"
    chart = _add_chart(ws, spec, source, plot_by)
    series = binding.series
    if used_areas < len(areas):
        covered = areas[0]
        series = tuple(ref for ref in series if _inside(ref.values, covered))

    def apply(what: str, action) -> None:
        try:
            action()
        except UNSUPPORTED:
            notes[f"chart {what}: not supported by this Excel engine"] = None

    apply("categories", lambda: chart.set_x_axis_values(_range(ws, binding.categories)))
    apply("titles", lambda: setattr(chart, "title", spec.title))

    def names():
        collection = chart.series
        for i, ref in enumerate(series):
            collection[i].name = ref.title if ref.title is not None else \
                _series_name(sheet, block, ref.title_cell)
    apply("series names", names)
    if spec.legend:
        apply("legends", lambda: setattr(chart.legend, "position", spec.legend))
    else:
        apply("legends", lambda: setattr(chart.legend, "visible", False))
    if spec.kind in (BAR, COLUMN):
        apply("axes", lambda: chart.value_axis.set(
            number_format=spec.axis_format or spec.number_format,
            visible=spec.show_value_axis, title=spec.y_title))
        category = {"title": spec.x_title}
        if spec.reverse_categories:  # first category on top, value axis kept below
            category.update(reverse_order=True, crosses="maximum")
        apply("axes", lambda: chart.category_axis.set(**category))
    desktop_chart(chart, spec, hidden_labels=sheet.labels is not None)
    return chart


def _inside(cells: CellRange, area: CellRange) -> bool:
    return area[0] <= cells[0] and cells[2] <= area[2] and area[1] <= cells[1] and \
        cells[3] <= area[3]


def _add_chart(ws, spec: ChartSpec, source, plot_by: str):
    kind = chart_type(XLWINGS, spec.kind)
    charts = ws.charts
    anchor = ws.range((spec.anchor_row, spec.anchor_col))
    if "anchor" in inspect.signature(charts.add).parameters:  # xlwings >= 0.37.3
        return charts.add(width=spec.width, height=spec.height, anchor=anchor,
                          chart_type=kind, source=source, plot_by=plot_by)
    chart = charts.add(anchor.left, anchor.top, spec.width, spec.height)
    chart.set_source_data(source)
    chart.chart_type = kind
    return chart
