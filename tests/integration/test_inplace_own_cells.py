"""An in-place refresh knows the cells it wrote outside its tables (Summary's warning lines,
the hidden French chart labels) for its own: refreshing a French report, or an empty year,
a second time is never refused as if the user had typed them — while cells really typed
beside them still are."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bdt_xl import schema as s
from bdt_xl.core.pipeline import Options
from bdt_xl.errors import WouldLoseFeatures
from bdt_xl.files.inplace import refresh_in_place
from bdt_xl.files.report_file import write_report_file
from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_dataset,
    synthetic_rates,
)

# the SPEC's names, written out
SUMMARY, BY_REGION = "Summary", "ByRegion"
MARK, CELLS = "BDT report sheets", "BDT report cells"


def book(path: Path) -> Path:
    data = synthetic_dataset(40, seed=3, error_rate=0.05)
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, 2)
    write_input_workbook(path, data.rows, rates, {s.SETTING_LANGUAGE: "en"})
    return path


def custom(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("docProps/custom.xml").decode()


def filled_beyond_tables(path: Path, sheet: str) -> list[str]:
    """Cells holding a value right of every table of the sheet (the hidden label block)."""
    ws = load_workbook(path)[sheet]
    last_col = max(ws.tables[name].ref.split(":")[1].rstrip("0123456789") for name in ws.tables)
    width = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(last_col)))
    return [cell.coordinate for row in ws.iter_rows() for cell in row
            if cell.value is not None and cell.column > width]


def test_a_french_report_refreshes_in_place_again_without_force(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path, Options(language="fr"))
    assert filled_beyond_tables(path, BY_REGION)  # the hidden French chart labels are there
    assert CELLS in custom(path) and f"{BY_REGION}!" in custom(path)
    again = refresh_in_place(path, Options(language="fr"))
    assert again.notes == []
    back = refresh_in_place(path, Options(language="en"))  # and back to English
    assert back.notes == [] and filled_beyond_tables(path, BY_REGION) == []


def test_a_year_without_agreements_refreshes_twice(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    first = refresh_in_place(path, Options(report_year=1999))
    assert first.report.notices  # the warning lines below the Summary table
    ws = load_workbook(path)[SUMMARY]
    warned = [c.coordinate for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("Warning")]
    assert warned
    assert refresh_in_place(path, Options(report_year=1999)).notes == []
    assert refresh_in_place(path).notes == []  # the year with data: the warnings go


def test_text_typed_beside_the_french_labels_is_still_refused(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path, Options(language="fr"))
    wb = load_workbook(path)
    wb[BY_REGION]["AZ300"] = "mon commentaire"
    wb.save(path)
    with pytest.raises(WouldLoseFeatures) as caught:
        refresh_in_place(path, Options(language="fr"))
    assert f"'{BY_REGION}'!AZ300" in str(caught.value)


def test_a_new_report_file_carries_the_mark(tmp_path):
    from bdt_xl.core.pipeline import run
    from bdt_xl.files.reader import read_workbook

    source = book(tmp_path / "Book.xlsx")
    report = run(read_workbook(source), Options(language="fr")).report
    target = write_report_file(report, tmp_path / "Book report.xlsx")
    text = custom(target)
    assert MARK in text and f"{SUMMARY}:{SUMMARY}" in text
    assert CELLS in text and f"{BY_REGION}!" in text
