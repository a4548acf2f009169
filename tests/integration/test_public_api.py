"""The public Python API exported from ``bdt_xl``: the same pipeline as the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

import bdt_xl

SAMPLE = Path(__file__).resolve().parents[2] / "workbook" / "BDT_Partnerships.xlsx"


def test_refresh_file_writes_the_seed_figures_beside_a_copy(tmp_path):
    book = tmp_path / "Book.xlsx"
    shutil.copy(SAMPLE, book)
    report = bdt_xl.refresh_file(book, options=bdt_xl.Options(report_year=2023))
    out = tmp_path / "Book report.xlsx"
    assert out.is_file()
    ws = openpyxl.load_workbook(out, read_only=True)["Summary"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True)}
    # TDAG-23 (seed): 71 agreements in 2022, 50 of them with financial contributions.
    header = next(r for r in rows.values() if r[0] == "Period")
    row_2022 = rows["2022"]
    assert row_2022[header.index("Agreements")] == 71
    assert row_2022[header.index("Financial agreements")] == 50
    assert isinstance(report, bdt_xl.Report) and report.report_year == 2023


def test_validate_file_and_errors_are_public(tmp_path):
    checked = bdt_xl.validate_file(SAMPLE)
    assert checked.rows_read == 101  # the bundled sample's agreement rows
    with pytest.raises(bdt_xl.WorkbookError):
        bdt_xl.validate_file(tmp_path / "missing.xlsx")
    assert bdt_xl.WouldLoseFeatures.exit_code == 4 and bdt_xl.WorkbookInUse.exit_code == 5
    with pytest.raises(AttributeError):
        bdt_xl.no_such_name  # noqa: B018
