"""The report file as SPEC §3 words it, written by the real CLI and reopened.

Names, headers and formats are typed here from SPEC's text, not taken from ``bdt_xl.schema``:
renaming a column or dropping a share from the percent formats must fail this test.
"""

from __future__ import annotations

import openpyxl
import pytest
from cli_runner import invoke
from ooxml_audit import assert_opens_clean
from openpyxl.utils.cell import range_boundaries

from bdt_xl.workbooks.synthetic import write_synthetic_workbook

PERIOD = ["Period", "From", "To"]
SPEC_TABLES = {
    "Summary": PERIOD + ["Agreements", "Financial agreements", "Partners",
                         "Partner component (USD)", "ITU component (USD)", "Funds (USD)"],
    "ByPartnerType": PERIOD + ["Partner type", "Partners", "Partner share", "Agreements",
                               "Agreement share", "Funds (USD)", "Funds share"],
    "ByMembership": PERIOD + ["ITU membership", "Partners", "Partner share", "Agreements",
                              "Agreement share", "Funds (USD)", "Funds share"],
    "ByRegion": PERIOD + ["Region", "Agreements", "Agreement share", "Funds (USD)",
                          "Funds share"],
    "ByPriority": PERIOD + ["Action plan", "Priority", "Agreements", "Agreement share",
                            "Funds (USD)", "Funds share"],
    "Cofinancing": PERIOD + ["Partner component (USD)", "ITU component (USD)", "Funds (USD)",
                             "Partner share", "ITU share"],
    "TopPartners": PERIOD + ["Rank", "Partner", "Partner type", "Partner contribution (USD)",
                             "Original amounts"],
    "YearOverYear": PERIOD + ["Agreements", "Partners", "Financial agreements",
                              "Partner component (USD)", "ITU component (USD)", "Funds (USD)"],
}
#: SPEC lists six Issues columns; the product adds the input sheet's name after them.
SPEC_ISSUES = ["Row", "Agreement ID", "Column", "Value", "Severity", "Problem"]
SHARES = {"Partner share", "Agreement share", "Funds share", "ITU share"}
USD = {"Partner component (USD)", "ITU component (USD)", "Funds (USD)",
       "Partner contribution (USD)"}


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    workbook = folder / "input.xlsx"
    write_synthetic_workbook(workbook, 600, seed=5, error_rate=0.02)
    out = folder / "report.xlsx"
    result = invoke(["refresh", str(workbook), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _table(book, name):
    for ws in book.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise AssertionError(f"no Excel Table named {name}")


def _data_rows(ws, table):
    """The table's data rows (values), wherever the table sits, from its first column."""
    first_col, first_row, last_col, last_row = range_boundaries(table.ref)
    return ws.iter_rows(min_row=first_row + 1, max_row=last_row, min_col=first_col,
                        max_col=last_col, values_only=True)


def test_nine_tables_with_exactly_the_spec_headers(report_file):
    book = openpyxl.load_workbook(report_file)
    for name, headers in SPEC_TABLES.items():
        ws, table = _table(book, name)
        assert ws.title == name
        first = ws[table.ref.split(":")[0]]
        row = [c.value for c in ws[first.row]][first.column - 1:]
        assert row[:len(headers)] == headers and len(table.tableColumns) == len(headers), name
    ws, table = _table(book, "Issues")
    assert [c.name for c in table.tableColumns][:6] == SPEC_ISSUES
    assert len(book.sheetnames) == 9


def test_every_share_is_a_percent_and_every_usd_amount_has_thousands(report_file):
    book = openpyxl.load_workbook(report_file)
    checked = set()
    for name, headers in SPEC_TABLES.items():
        ws, table = _table(book, name)
        first_col, first_row, _, last_row = range_boundaries(table.ref)
        for col, header in enumerate(headers, start=first_col):
            want = "0.0%" if header in SHARES else "#,##0" if header in USD else None
            if want is None:
                continue
            cells = [ws.cell(r, col) for r in range(first_row + 1, last_row + 1)
                     if isinstance(ws.cell(r, col).value, (int, float))]
            assert cells, (name, header)
            assert {c.number_format for c in cells} == {want}, (name, header)
            checked.add((name, header))
    assert ("Cofinancing", "ITU share") in checked
    # Summary 3, ByPartnerType 4, ByMembership 4, ByRegion 3, ByPriority 3, Cofinancing 5,
    # TopPartners 1, YearOverYear 3
    assert len(checked) == 3 + 4 + 4 + 3 + 3 + 5 + 1 + 3


def test_top_partners_default_to_ten_a_period(report_file):
    ws, table = _table(openpyxl.load_workbook(report_file), "TopPartners")
    ranks = {}
    for row in _data_rows(ws, table):
        if row[0] is not None:
            ranks.setdefault(row[0], []).append(row[3])
    assert ranks and max(len(r) for r in ranks.values()) == 10
    assert all(r == list(range(1, len(r) + 1)) for r in ranks.values())


def test_the_cli_report_opens_clean_in_the_validator(report_file):
    assert_opens_clean(report_file)


def test_workbooks_the_builders_write_open_clean(tmp_path):
    """The input workbook and the macro workbook (``new-workbook``) pass the validator too."""
    synthetic = tmp_path / "input.xlsx"
    write_synthetic_workbook(synthetic, 50, seed=2)
    assert_opens_clean(synthetic)
    macro = tmp_path / "Book.xlsm"
    assert invoke(["new-workbook", str(macro)]).exit_code == 0
    assert_opens_clean(macro)
