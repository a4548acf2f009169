"""Which sheets of the open workbook the Refresh report button may replace: only report
sheets it wrote itself.

Why: a sheet the user made and happened to call ``Summary`` (or ``issues``: Excel names are
case-insensitive) must never be deleted by a click. A report sheet is recognised by the
refresh sentence in A1 (in any report language), or — for reports written before that
sentence existed — by holding exactly the report's tables with the report's columns. The
custom document property that marks report files is not readable in every Excel (the
browser and macOS engines have no COM), so the sheet's own content is the mark here.
"""

from __future__ import annotations

from bdt_xl.errors import ReportWriteError
from bdt_xl.layout.model import ReportLayout
from bdt_xl.layout.wording import REFRESH_NOTES

UNSUPPORTED = (NotImplementedError, AttributeError, TypeError)


def check_report_sheets(layout: ReportLayout, book) -> None:
    """Raise ``ReportWriteError`` (one sentence, nothing written yet) when a sheet carrying a
    report sheet's name is not a report sheet this product wrote."""
    wanted = {sheet.name.casefold(): sheet for sheet in layout.sheets}
    for ws in book.sheets:
        sheet = wanted.get(ws.name.casefold())
        if sheet is None:
            continue
        if ws.name != sheet.name or not _is_report_sheet(ws, sheet):
            raise ReportWriteError(
                f"your sheet '{ws.name}' has the name of the report sheet '{sheet.name}', "
                "and the refresh would replace it; rename your sheet (right-click its tab > "
                "Rename) and refresh again.")


def _is_report_sheet(ws, sheet) -> bool:
    try:
        first = ws.range("A1").value
    except UNSUPPORTED:
        first = None
    if isinstance(first, str) and first.strip() in REFRESH_NOTES:
        return True
    expected = {name.casefold(): columns for name, columns in sheet.table_columns().items()}
    try:
        tables = list(ws.tables)
    except UNSUPPORTED:
        return False
    if {table.name.casefold() for table in tables} != set(expected):
        return False
    for table in tables:
        try:
            header = table.header_row_range.value
        except UNSUPPORTED:
            continue  # an engine without table ranges: the names are all there is
        header = header[0] if header and isinstance(header[0], list) else header
        if tuple(str(cell) for cell in header or ()) != expected[table.name.casefold()]:
            return False
    return True
