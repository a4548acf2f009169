"""What the three engines (XlsxWriter, openpyxl, xlwings) share when they render a layout.

The layout says *what* a report looks like; each engine module only translates it into its
library's calls. Everything the engines would otherwise each compute for themselves lives
here, once: the values a cell receives, each engine's name for a chart kind, the A1
references a chart's series and categories read, and the refusal when a table name is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from bdt_xl.errors import TableNameTaken
from bdt_xl.layout.model import (
    BAR,
    COLUMN,
    DOUGHNUT,
    PIE,
    ChartSpec,
    SheetLayout,
)
from bdt_xl.layout.references import a1

XLSXWRITER, OPENPYXL, XLWINGS = "xlsxwriter", "openpyxl", "xlwings"

#: The layout's chart kinds in each engine's vocabulary.
CHART_TYPES: dict[str, dict[str, str]] = {
    XLSXWRITER: {PIE: "pie", DOUGHNUT: "doughnut", BAR: "bar", COLUMN: "column"},
    OPENPYXL: {PIE: "pie", DOUGHNUT: "doughnut", BAR: "bar", COLUMN: "col"},
    XLWINGS: {PIE: "pie", DOUGHNUT: "doughnut", BAR: "bar_clustered",
              COLUMN: "column_clustered"},
}


def chart_type(engine: str, kind: str) -> str:
    """``engine``'s name for the layout chart ``kind``; a kind it does not know is a bug."""
    try:
        return CHART_TYPES[engine][kind]
    except KeyError:
        raise ValueError(f"unknown chart kind {kind!r}") from None


def is_pie(spec: ChartSpec) -> bool:
    return spec.kind in (PIE, DOUGHNUT)


@dataclass(frozen=True)
class SeriesSource:
    """One series as A1 references on the chart's sheet: what every engine binds."""
    values: str
    categories: str
    name: str | None = None  # a literal series name
    name_ref: str | None = None  # or the cell holding it


def series_sources(spec: ChartSpec, sheet: SheetLayout) -> list[SeriesSource]:
    """The series of ``spec`` with absolute, sheet-qualified references (``'S'!$D$2:$D$8``)."""
    binding = spec.bind(sheet.table(spec.table), sheet.labels)
    categories = a1(binding.categories, sheet.name)
    return [SeriesSource(a1(ref.values, sheet.name), categories, ref.title,
                         a1((*ref.title_cell, *ref.title_cell), sheet.name)
                         if ref.title is None and ref.title_cell is not None else None)
            for ref in binding.series]


def table_name_taken(sheet: str, table: str) -> TableNameTaken:
    """The one sentence every engine says when another sheet already uses a report table name."""
    return TableNameTaken(f"The sheet '{sheet}' already has a table named '{table}'; rename it "
                          "(Table Design > Table Name) so the report can be written.")
