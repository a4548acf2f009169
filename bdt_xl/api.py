"""The public Python API: the same pipeline as the command line, on workbook files."""

from __future__ import annotations

import os
from pathlib import Path

from bdt_xl.core.pipeline import Options, run
from bdt_xl.core.report import Report
from bdt_xl.core.validation import Validated
from bdt_xl.files.reader import read_workbook


def run_file(path: str | os.PathLike[str], options: Options | None = None) -> Report:
    """The report of a workbook file, without writing anything."""
    return run(read_workbook(path), options).report


def validate_file(path: str | os.PathLike[str], options: Options | None = None) -> Validated:
    """The checked rows of a workbook file, with every issue found."""
    return run(read_workbook(path), options).checked


def refresh_file(path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
                 options: Options | None = None) -> Report:
    """Write the report workbook of ``path`` to ``out`` (default ``<name> report.xlsx``)."""
    from bdt_xl.files.report_file import default_output, write_report_file
    source = Path(path)
    report = run_file(source, options)
    write_report_file(report, Path(out) if out is not None else default_output(source))
    return report
