"""Number formats, column widths and the sheet geometry charts and page breaks are laid on."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from bdt_xl import schema as s
from bdt_xl.layout.model import TableBlock, plain

SHARE_FORMAT = "0.0%"
USD_FORMAT = "#,##0"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
#: Pie labels: percentages, with empty slices left unlabelled.
PIE_LABEL_FORMAT = "0.0%;-0.0%;;"
#: A number format's French form: the locale tag makes LibreOffice (and Excel where the
#: format allows) show a decimal comma and French digit grouping.
FRENCH_LOCALE = "[$-40C]"

TAB_COLOR = "1F4E79"
ISSUES_TAB_COLOR = "C00000"

#: Default column width (characters, 64 pixels) and row height, in points.
DEFAULT_COLUMN_WIDTH = 8.43
COLUMN_POINTS = 48.0
ROW_POINTS = 15.0
#: Printable area of a landscape page, in points, for the smaller of A4 and Letter in each
#: direction (Letter is narrower, A4 shorter) minus margins, header and footer.
PRINT_WIDTH = 792.0 - 2 * 0.3 * 72
PRINT_HEIGHT = 595.0 - 2 * 54.0 - ROW_POINTS  # less the footer's own line
#: How much wider a column prints in LibreOffice without Calibri (its substitute font has
#: wider digits, and column widths count digits): the scale leaves room for it.
SUBSTITUTE_FONT_WIDTH = 1.35
#: Text longer than this wraps inside its column instead of widening it (and the printout).
WRAP_AT = 30
#: Smallest scale at which 11-point table text still prints at 7 points or more.
MIN_PRINT_SCALE = 7.0 / 11.0


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


def localized(fmt: str, language: str) -> str:
    """``fmt`` for chart labels in ``language`` (French: decimal comma)."""
    return FRENCH_LOCALE + fmt if language == "fr" and fmt != "General" else fmt


def _shown_length(value: object, fmt: str | None) -> int:
    if value is None:
        return 0
    if type(value) is str and "\n" not in value:
        return len(value)
    if fmt == USD_FORMAT and isinstance(value, (int, float)):
        return len(f"{value:,.0f}")
    if fmt == SHARE_FORMAT:
        return 6
    if fmt == DATE_FORMAT:
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_width(column: str, values: list[object], fmt: str | None) -> float:
    """Characters wide enough for the header's longest word (plus the filter button: headers
    wrap) and for every value up to ``WRAP_AT`` characters (longer text wraps)."""
    header = max(len(word) for word in column.split()) + 3
    longest = max([header] + [min(_shown_length(v, fmt), WRAP_AT) for v in values])
    return float(max(longest + 2, 8))


def wraps(values: list[object], fmt: str | None) -> bool:
    """Whether a column holds text longer than ``WRAP_AT`` (its cells then wrap)."""
    return any(_shown_length(v, fmt) > WRAP_AT for v in values if isinstance(v, str))


def width_points(characters: float) -> float:
    """A column width in characters as points (Calibri 11: 7-pixel digits, 5 pixels padding)."""
    return (int(characters * 7 + 0.5) + 5) * 0.75


def lines_needed(text: object, width: float) -> int:
    """Lines ``text`` takes when it wraps in a column ``width`` characters wide (counted
    with a character to spare: column widths count characters of the sheet's own font)."""
    if not isinstance(text, str) or not text:
        return 1
    per_line = max(int(width - 3), 4)
    if len(text) <= per_line and "\n" not in text:
        return 1  # the common case
    return sum(_wrapped(paragraph, per_line) for paragraph in text.split("\n"))


def _wrapped(paragraph: str, per_line: int) -> int:
    """Lines of one paragraph wrapped at spaces as Excel does (a longer word is broken)."""
    lines, used = 1, 0
    for word in paragraph.split():
        size = len(word)
        if used and used + 1 + size <= per_line:
            used += 1 + size
            continue
        if used:
            lines += 1
        while size > per_line:
            lines += 1
            size -= per_line
        used = size
    return lines


def row_heights(block: TableBlock, wrapped_values: dict[str, list[object]]) -> dict[int, float]:
    """Heights (points) of the table rows whose header or long text wraps to several lines
    (``wrapped_values``: the cells of each wrapped column, as written)."""
    heights = {}
    header = max(lines_needed(c, block.column_widths.get(c, DEFAULT_COLUMN_WIDTH))
                 for c in block.columns)
    if header > 1:
        heights[block.anchor_row] = header * ROW_POINTS
    if block.wrapped:
        needed = [[lines_needed(v, block.column_widths[column])
                   for v in wrapped_values[column]] for column in block.wrapped]
        for i, lines in enumerate(map(max, zip(*needed))):
            if lines > 1:
                heights[block.anchor_row + 1 + i] = lines * ROW_POINTS
    return heights


def table_block(name: str, frame: pd.DataFrame, anchor_row: int = 1) -> TableBlock:
    """The Excel Table of one report table, its header on ``anchor_row`` of column A, with
    formats and widths per column."""
    formats = {}
    widths = {}
    wrapped: dict[str, list[object]] = {}
    for column in frame.columns:
        fmt = number_format(column)
        if fmt:
            formats[column] = fmt
        values = [plain(v) for v in frame[column].tolist()]
        widths[column] = column_width(column, values, fmt)
        if wraps(values, fmt):
            wrapped[column] = values
    block = TableBlock(name, frame, anchor_row=anchor_row, number_formats=formats,
                       column_widths=widths, wrapped=tuple(wrapped))
    return replace(block, row_heights=row_heights(block, wrapped))


def table_points(block: TableBlock) -> float:
    """Width of the table on the sheet, in points."""
    return sum(width_points(block.column_widths.get(column, DEFAULT_COLUMN_WIDTH))
               for column in block.columns)
