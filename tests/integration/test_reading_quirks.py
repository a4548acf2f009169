"""Input quirks that must never give a silently wrong figure (issue 8, B2, B3, B4, B8).

Every workbook is written in the test by the library that makes the quirk (XlsxWriter,
openpyxl, LibreOffice); expected figures are the hand sums of the two rows typed in
``hostile_files.ROWS`` (partner 1,000 + 500, ITU 500 + 200 USD).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from cli_runner import invoke
from hostile_files import HEADER, ROWS
from openpyxl.worksheet.table import Table

from bdt_xl.api import run_file, validate_file
from bdt_xl.core.models import Issue
from bdt_xl.files.reader import WorkbookError, read_workbook

EXTRA = "Year"  # a calculated column the tool does not read
_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _xlsxwriter_book(path: Path, *, formula_amount: bool, date_1904: bool = False,
                     serial_dates: bool = False) -> Path:
    """Agreements A1, A2 and a third row blank but for ``=YEAR(...)`` in the extra column.
    ``formula_amount``: A1's ITU amount is ``=I2/2`` (XlsxWriter caches 0 for it)."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = book.add_worksheet("Agreements")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [*HEADER, EXTRA])
    for i, row in enumerate(ROWS, start=1):
        for j, value in enumerate(row):
            if isinstance(value, date) and serial_dates:  # a number, as the user typed it
                epoch = date(1904, 1, 1) if date_1904 else date(1899, 12, 30)
                sheet.write_number(i, j, (value - epoch).days)
            elif isinstance(value, date):
                sheet.write_datetime(i, j, datetime(value.year, value.month, value.day), day)
            else:
                sheet.write(i, j, value)
    if formula_amount:
        sheet.write_formula(1, 9, "=I2/2")
    for i in range(1, 4):  # Excel shows 1900 on the blank row 4
        sheet.write_formula(i, 10, f"=YEAR(G{i + 1})", None, 1900 if i == 3 else 2022)
    sheet.add_table(0, 0, 3, len(HEADER), {"name": "Agreements",
                                            "columns": [{"header": h} for h in [*HEADER, EXTRA]]})
    book.close()
    return path


def _codes(issues: list[Issue]) -> list[str]:
    return [i.code.name for i in issues if "no calculated value" in i.problem]


def test_xlsxwriter_formula_is_reported_not_read_as_zero(tmp_path):
    path = _xlsxwriter_book(tmp_path / "script.xlsx", formula_amount=True)
    checked = validate_file(path)
    [issue] = checked.errors
    assert (issue.row, issue.agreement_id, issue.column) == (2, "A1", "ITU amount")
    assert issue.value == "=I2/2" and "Excel or LibreOffice" in issue.problem
    assert _codes(checked.issues) == ["FORMULA_NOT_CALCULATED"]
    assert (checked.rows_read, checked.rows_excluded) == (2, 1)  # the YEAR-only row is blank
    report = run_file(path)
    assert report.rows_read == 2 and report.rows_excluded == 1
    assert [i.row for i in checked.issues] == [2]  # nothing said about row 4


def test_openpyxl_formula_without_value_is_reported_not_read_as_blank(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Agreements"
    sheet.append([*HEADER, EXTRA])
    for row in ROWS:
        sheet.append([*row, None])
    sheet.append([None] * len(HEADER) + ["=YEAR(G4)"])
    sheet["I3"] = "=2*250"          # A2's partner amount, never calculated
    sheet["K2"], sheet["K3"] = "=YEAR(G2)", "=YEAR(G3)"
    sheet.add_table(Table(displayName="Agreements", ref="A1:K4"))
    book.save(tmp_path / "openpyxl.xlsx")
    checked = validate_file(tmp_path / "openpyxl.xlsx")
    [issue] = checked.errors
    assert (issue.row, issue.agreement_id, issue.column, issue.value) == \
        (3, "A2", "Partner amount", "=2*250")
    assert (checked.rows_read, checked.rows_excluded) == (2, 1)
    # only A1 is counted: partner 1,000 and ITU 500 USD
    assert checked.agreements["partner_usd"].sum() == pytest.approx(1000.0)
    assert checked.agreements["itu_usd"].sum() == pytest.approx(500.0)


def test_workbook_saved_by_libreoffice_reads_the_calculated_formula(tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed for this test"
    script = _xlsxwriter_book(tmp_path / "script.xlsx", formula_amount=True)
    saved = tmp_path / "saved"
    # LibreOffice keeps an .xlsx file's cached values unless told to recalculate on loading
    # (Tools > Options > Calc > Formula); the profile below says "always".
    profile = tmp_path / "lo" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE, encoding="utf-8")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xlsx", "--outdir", str(saved), str(script)],
                   check=True, capture_output=True, timeout=120)
    checked = validate_file(saved / "script.xlsx")
    assert checked.errors == []
    # A1's ITU amount is =I2/2 = 1,000 / 2 = 500, so ITU 500 + 200 USD
    assert checked.agreements["itu_usd"].sum() == pytest.approx(700.0)
    assert checked.rows_read == 2


def test_tables_named_alike_but_for_case_exit_2_naming_both(tmp_path):
    book = openpyxl.Workbook()
    for title, name in (("One", "Agreements"), ("Two", "Other")):
        sheet = book.create_sheet(title)
        sheet.append(HEADER)
        sheet.append(ROWS[0])
        sheet.add_table(Table(displayName=name, ref="A1:J2"))
    del book["Sheet"]
    book.save(tmp_path / "made.xlsx")
    # openpyxl and Excel refuse the second name; a script editing the XML does not
    with zipfile.ZipFile(tmp_path / "made.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "twice.xlsx", "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info).replace(b'"Other"', b'"AGREEMENTS"'))
    with pytest.raises(WorkbookError) as caught:
        read_workbook(tmp_path / "twice.xlsx")
    assert caught.value.exit_code == 2
    result = invoke(["validate", str(tmp_path / "twice.xlsx")])
    assert result.exit_code == 2
    assert "'Agreements'" in result.stderr and "'AGREEMENTS'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("serial_dates", [False, True], ids=["formatted", "serial numbers"])
def test_1904_date_system_reads_the_dates_typed(tmp_path, serial_dates):
    path = _xlsxwriter_book(tmp_path / "mac.xlsx", formula_amount=False, date_1904=True,
                            serial_dates=serial_dates)
    checked = validate_file(path)
    assert checked.errors == []
    signed = sorted(d.date() for d in checked.agreements["signed"])
    assert signed == [date(2022, 3, 1), date(2022, 6, 1)]


def test_serial_numbers_in_a_1900_workbook_are_unchanged(tmp_path):
    path = _xlsxwriter_book(tmp_path / "pc.xlsx", formula_amount=False, serial_dates=True)
    signed = sorted(d.date() for d in validate_file(path).agreements["signed"])
    assert signed == [date(2022, 3, 1), date(2022, 6, 1)]
