"""Number formats, column widths and the sheet geometry charts and page breaks are laid on."""

from __future__ import annotations

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
PRINT_WIDTH = 792.0 - 2 * 36.0
PRINT_HEIGHT = 595.0 - 2 * 54.0
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
    if fmt == USD_FORMAT and isinstance(value, (int, float)):
        return len(f"{value:,.0f}")
    if fmt == SHARE_FORMAT:
        return 6
    if fmt == DATE_FORMAT:
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_width(column: str, values: list[object], fmt: str | None) -> float:
    """Characters wide enough for the header (plus its filter button) and every value."""
    longest = max([len(column) + 3] + [_shown_length(v, fmt) for v in values])
    return float(min(max(longest + 2, 8), 60))


def width_points(characters: float) -> float:
    """A column width in characters as points (Calibri 11: 7-pixel digits, 5 pixels padding)."""
    return (int(characters * 7 + 0.5) + 5) * 0.75


def table_block(name: str, frame: pd.DataFrame) -> TableBlock:
    """The Excel Table of one report table at A1, with formats and widths per column."""
    formats = {}
    widths = {}
    for column in frame.columns:
        fmt = number_format(column)
        if fmt:
            formats[column] = fmt
        widths[column] = column_width(column, [plain(v) for v in frame[column].tolist()], fmt)
    return TableBlock(name, frame, number_formats=formats, column_widths=widths)


def table_points(block: TableBlock) -> float:
    """Width of the table on the sheet, in points."""
    return sum(width_points(block.column_widths.get(column, DEFAULT_COLUMN_WIDTH))
               for column in block.columns)
