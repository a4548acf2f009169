"""A new report workbook file: the layout of a report rendered by the XlsxWriter engine
(openpyxl only rewrites an existing workbook in place; xlwings renders into live Excel).

The engine is imported only when a report is written, or when ``load_engine`` is called: the
command line asks for ``default_output`` before it starts reading, and reading should start
at once; it loads the engine while it waits for the reading thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bdt_xl.core.report import Report


def default_output(workbook: Path) -> Path:
    """``Book.xlsm`` -> ``Book report.xlsx`` in the same folder."""
    return workbook.with_name(f"{workbook.stem} report.xlsx")


def load_engine() -> None:
    """Import the layout and the XlsxWriter engine now (about 0.05 s), not at the first write."""
    import bdt_xl.files.xlsx_writer  # noqa: F401
    import bdt_xl.layout.report_layout  # noqa: F401


def write_report_file(report: Report, target: Path) -> Path:
    """Write ``report`` as a new workbook at ``target`` (atomically)."""
    from bdt_xl.files.xlsx_writer import write_report
    from bdt_xl.layout.report_layout import build_layout

    return write_report(build_layout(report), target)
