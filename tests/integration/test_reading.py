"""Reading the input tables from real workbook files (reading.read_workbook)."""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from bdt_xl import schema as s
from bdt_xl.core.validation import validate
from bdt_xl.files.reader import RawTable, WorkbookError, read_workbook

# Regression: calamine's table.start is the first DATA row, not the header row; sheet rows
# and recovered error cells must not be shifted by one.

# Headers of the odd table: other order, other case, extra spaces, an extra column.
ODD_HEADER = ["  region ", "PARTNER", "Comment", "agreement   ID", "Partner Type", "priority",
              "SIGNED ON", "currency", "Partner amount", "itu AMOUNT"]


def _put(ws, row: int, col: int, values) -> None:
    for j, value in enumerate(values):
        ws.cell(row, col + j, value)


def _odd_workbook(path, error_cell: bool = False):
    """A first sheet of notes, the Agreements table at D5 of sheet 'Data' (row 7 blank),
    and a Rates table named 'rates' at H2 of sheet 'FX'."""
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "Read me first"
    ws = wb.create_sheet("Data")
    _put(ws, 5, 4, ODD_HEADER)                                          # D5:M5
    _put(ws, 6, 4, [" africa ", "Acme", "first", "A1", "government", "Cybersecurity",
                    datetime(2022, 3, 1), "chf", 1200, None])           # row 6
    # row 7 left blank on purpose
    _put(ws, 8, 4, ["Europe", "Beta", "", "A2", "Private sector", "cybersecurity",
                    "2022-04-05", "USD", None, 500])                    # row 8, ISO text date
    _put(ws, 9, 4, ["Americas", "Gamma", "", "A3", "Academia", "Statistics",
                    datetime(2022, 5, 2), "USD", 10, None])             # row 9
    if error_cell:
        cell = ws.cell(9, 12)  # L9: Partner amount of A3
        cell.value = "#N/A"
        cell.data_type = "e"
    ws.add_table(Table(displayName="Agreements", ref="D5:M9"))
    fx = wb.create_sheet("FX")
    _put(fx, 2, 8, ["Currency", "Effective from", "Units per USD"])
    _put(fx, 3, 8, ["CHF", datetime(2022, 1, 1), 0.8])
    fx.add_table(Table(displayName="rates", ref="H2:J3"))
    wb.save(path)
    return path


def test_table_on_another_sheet_at_d5_is_found_with_its_values(tmp_path):
    tables = read_workbook(_odd_workbook(tmp_path / "odd.xlsx"))
    agreements = tables[s.AGREEMENTS]
    assert agreements.sheet == "Data"
    assert agreements.header == ODD_HEADER
    # the blank row 7 is skipped: three data rows remain
    assert [row[3] for row in agreements.rows] == ["A1", "A2", "A3"]
    assert tables[s.RATES].sheet == "FX"  # table name matched regardless of case


def test_odd_headers_extra_column_and_both_date_forms_validate(tmp_path):
    checked = validate(read_workbook(_odd_workbook(tmp_path / "odd.xlsx")))
    assert [i for i in checked.issues if i.severity == s.ERROR] == []
    frame = checked.agreements.set_index("id")
    assert list(frame.index) == ["A1", "A2", "A3"]
    assert frame.loc["A1", "region"] == "Africa"
    assert frame.loc["A1", "partner_type"] == "Governmental entities"
    assert frame.loc["A2", "priority"] == "Cybersecurity"
    assert frame.loc["A1", "signed"].date() == date(2022, 3, 1)   # Excel date
    assert frame.loc["A2", "signed"].date() == date(2022, 4, 5)   # ISO text
    # A1: 1200 CHF at 0.8 CHF per USD = 1,500 USD; A2: ITU 500 USD
    assert frame.loc["A1", "partner_usd"] == pytest.approx(1500.0)
    assert frame.loc["A2", "itu_usd"] == pytest.approx(500.0)
    assert frame.loc["A2", "partner_usd"] == 0.0


def test_sheet_rows_of_a_table_at_d5(tmp_path):
    # header on sheet row 5, data on rows 6, (7 blank), 8, 9
    assert read_workbook(_odd_workbook(tmp_path / "odd.xlsx"))[s.AGREEMENTS].sheet_rows == \
        [6, 8, 9]


def test_sheet_rows_of_a_table_at_a1(make_workbook, agreement):
    path = make_workbook([agreement(id="A1"), agreement(id="A2")])
    table = read_workbook(path)[s.AGREEMENTS]
    assert table.sheet_rows == [2, 3]  # header on row 1


def test_issue_names_the_sheet_row_of_a_table(make_workbook, agreement):
    path = make_workbook([agreement(id="A1"), agreement({s.REGION: "Atlantis"}, id="A2")])
    checked = validate(read_workbook(path))
    [issue] = checked.errors
    assert (issue.agreement_id, issue.row) == ("A2", 3)


def test_excel_error_cell_in_a_table_surfaces_on_its_own_row(tmp_path):
    table = read_workbook(_odd_workbook(tmp_path / "odd.xlsx", error_cell=True))[s.AGREEMENTS]
    amount = ODD_HEADER.index("Partner amount")
    got = [row[amount] for row in table.rows]
    assert got[0] == 1200 and got[1] in (None, "") and got[2] == "#N/A"


def test_excel_error_cell_in_a_table_is_an_error_issue(tmp_path):
    checked = validate(read_workbook(_odd_workbook(tmp_path / "odd.xlsx", error_cell=True)))
    [issue] = checked.errors
    assert (issue.row, issue.agreement_id, issue.column, issue.value) == \
        (9, "A3", s.PARTNER_AMOUNT, "#N/A")
    assert list(checked.agreements["id"]) == ["A1", "A2"]


def _plain_sheet_workbook(path, title: str = "Agreements"):
    """No Excel Table: a sheet named like the table, header at B3, data on rows 4 and 6,
    and a #DIV/0! error in the Partner amount of row 6."""
    wb = Workbook()
    wb.active.title = "Other"
    ws = wb.create_sheet(title)
    _put(ws, 3, 2, ["Agreement ID", "Partner", "Partner type", "Region", "Priority", "Signed on",
                    "Currency", "Partner amount"])
    _put(ws, 4, 2, ["A1", "Acme", "Government", "Africa", "Cybersecurity",
                    datetime(2022, 3, 1), "USD", 5])
    _put(ws, 6, 2, ["A2", "Acme", "Government", "Africa", "Cybersecurity",
                    datetime(2022, 3, 2), "USD", None])
    cell = ws.cell(6, 9)
    cell.value = "#DIV/0!"
    cell.data_type = "e"
    wb.save(path)
    return path


def test_sheet_named_agreements_without_a_table_is_read(tmp_path):
    table = read_workbook(_plain_sheet_workbook(tmp_path / "plain.xlsx"))[s.AGREEMENTS]
    assert table.sheet == "Agreements"
    assert table.sheet_rows == [4, 6]
    assert [row[table.header.index("Agreement ID")] for row in table.rows] == ["A1", "A2"]
    assert table.rows[1][table.header.index("Partner amount")] == "#DIV/0!"


def test_plain_sheet_error_cell_is_reported_with_its_row(tmp_path):
    checked = validate(read_workbook(_plain_sheet_workbook(tmp_path / "plain.xlsx",
                                                           title="agreements")))
    [issue] = checked.errors
    assert (issue.row, issue.agreement_id, issue.column, issue.value) == \
        (6, "A2", s.PARTNER_AMOUNT, "#DIV/0!")
    assert "#DIV/0!" in issue.problem
    assert list(checked.agreements["id"]) == ["A1"]


def test_unformatted_excel_serial_date_is_a_date(tmp_path):
    # 44562 is 2022-01-01 (serial of 1900 system); +31 (Jan) +28 (Feb) = 44621 = 2022-03-01
    wb = Workbook()
    ws = wb.active
    ws.title = "Agreements"
    ws.append(list(s.AGREEMENT_COLUMNS))
    ws.append(["A1", "Acme", "Other", None, "CIS", "Statistics", 44621, None, None, None])
    wb.save(tmp_path / "serial.xlsx")
    checked = validate(read_workbook(tmp_path / "serial.xlsx"))
    assert checked.errors == []
    assert checked.agreements.loc[0, "signed"].date() == date(2022, 3, 1)


def test_input_workbook_round_trip_reads_every_table(make_workbook, agreement):
    path = make_workbook([agreement(id="A1"), agreement(id="A2")],
                         [("CHF", date(2022, 1, 1), 0.9)], settings={"Report year": 2022})
    tables = read_workbook(path)
    assert set(tables) == {s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS}
    assert len(tables[s.AGREEMENTS].rows) == 2
    assert len(tables[s.RATES].rows) == 1
    assert tables[s.AGREEMENTS].header == list(s.AGREEMENT_COLUMNS)


# -- whole-workbook problems: one helpful sentence --------------------------------------------

def _one_sentence(exc: WorkbookError) -> str:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text
    return text


def test_missing_file(tmp_path):
    with pytest.raises(WorkbookError) as caught:
        read_workbook(tmp_path / "nowhere.xlsx")
    assert "nowhere.xlsx" in _one_sentence(caught.value)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(WorkbookError) as caught:
        read_workbook(tmp_path)
    assert "folder" in _one_sentence(caught.value)


@pytest.mark.parametrize("content", [b"just some text, not a workbook\n", b""])
def test_not_a_workbook(tmp_path, content):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert "fake.xlsx" in _one_sentence(caught.value)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    _one_sentence(caught.value)


def test_missing_agreements_table_names_it_and_lists_what_was_found(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    _put(ws, 1, 1, ["Currency", "Effective from", "Units per USD"])
    _put(ws, 2, 1, ["CHF", datetime(2022, 1, 1), 0.9])
    ws.add_table(Table(displayName="Rates", ref="A1:C2"))
    wb.save(tmp_path / "no_agreements.xlsx")
    with pytest.raises(WorkbookError) as caught:
        read_workbook(tmp_path / "no_agreements.xlsx")
    text = _one_sentence(caught.value)
    assert "'Agreements'" in text and "Rates" in text


def test_wrong_header_names_the_missing_column(make_workbook, agreement):
    columns = [c if c != s.PRIORITY else "Priorty" for c in s.AGREEMENT_COLUMNS]
    rows = [[agreement()[c] for c in s.AGREEMENT_COLUMNS]]
    path = make_workbook(rows, agreement_columns=columns)
    tables = read_workbook(path)
    with pytest.raises(WorkbookError) as caught:
        validate(tables)
    text = _one_sentence(caught.value)
    assert "'Priority'" in text and "Priorty" in text


# -- RawTable.from_values (ranges from live Excel) ----------------------------------------------

def test_from_values_skips_blank_rows_and_numbers_sheet_rows():
    values = [["A", "B"], ["x", 1], [None, None], ["  ", ""], [None, 0], ["y", None]]
    table = RawTable.from_values("T", values, header_row=5)
    # header on row 5 -> data rows 6..10; rows 7 and 8 are blank
    assert table.rows == [["x", 1], [None, 0], ["y", None]]
    assert table.sheet_rows == [6, 9, 10]
    assert table.header == ["A", "B"]


def test_from_values_of_nothing_is_an_empty_table():
    table = RawTable.from_values("T", [])
    assert (table.header, table.rows, table.sheet_rows) == ([], [], [])


def test_totals_row_is_not_data_and_a_formula_error_is_recovered(tmp_path):
    """A Table with a totals row, written by XlsxWriter, header at B3; the ITU amount of A2 is
    a formula whose cached result is #DIV/0!."""
    import xlsxwriter

    path = tmp_path / "totals.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Data")
    columns = [{"header": c} for c in s.AGREEMENT_COLUMNS]
    columns[0]["total_string"] = "Total"
    columns[8]["total_function"] = "sum"
    ws.add_table(2, 1, 5, 10, {"name": "Agreements", "columns": columns, "total_row": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for i, (id_, amount) in enumerate([("A1", 100), ("A2", 200)]):
        ws.write_row(3 + i, 1, [id_, "Acme", "Other", "", "CIS", "Statistics"])
        ws.write_datetime(3 + i, 7, datetime(2022, 3, 1 + i), day)
        ws.write_row(3 + i, 8, ["USD", amount])
    ws.write_formula(4, 10, "=1/0", None, "#DIV/0!")   # K5
    book.close()
    table = read_workbook(path)[s.AGREEMENTS]
    assert table.sheet_rows == [4, 5]                  # header on row 3; totals on row 6
    checked = validate({s.AGREEMENTS: table})
    [issue] = checked.errors
    assert (issue.row, issue.agreement_id, issue.column, issue.value) == \
        (5, "A2", s.ITU_AMOUNT, "#DIV/0!")
    assert list(checked.agreements["id"]) == ["A1"]
