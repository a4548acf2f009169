"""The file engines: new reports written by XlsxWriter, in-place rewrites by openpyxl; real
.xlsx files written, reopened and inspected (cells and chart XML)."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from ooxml_audit import assert_opens_clean
from report_fixture import sample_report

from bdt_xl import schema as s
from bdt_xl.errors import TableNameTaken
from bdt_xl.files.openpyxl_writer import render_into
from bdt_xl.files.xlsx_writer import write_report
from bdt_xl.layout.model import ChartSpec
from bdt_xl.layout.report_layout import build_layout

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    report = sample_report(issues=False)
    path = write_report(build_layout(report), tmp_path_factory.mktemp("out") / "report.xlsx")
    return report, path


def _charts(path) -> dict[str, str]:
    """Chart part name -> its XML text."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if re.fullmatch(r"xl/charts/chart\d+\.xml", name)}


def _formulas(xml: str) -> list[str]:
    return re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", xml)


def test_sheets_tables_and_header_rows(written):
    report, path = written
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(s.REPORT_TABLES)
    for name in s.REPORT_TABLES:
        ws = book[name]
        assert list(ws.tables) == [name]
        columns = s.REPORT_COLUMNS[name]
        last_col = openpyxl.utils.get_column_letter(len(columns))
        assert ws.tables[name].ref == f"A1:{last_col}{1 + max(len(report.tables[name]), 1)}"
        assert [cell.value for cell in ws[1]] == list(columns)


def test_values_formats_and_dates(written):
    path = written[1]
    ws = openpyxl.load_workbook(path)[s.BY_REGION]
    # row 5 = fourth 2022 region: Asia-Pacific, 17 of 71 agreements, 4.2M of 9.7M USD
    row = {s.REPORT_COLUMNS[s.BY_REGION][i]: cell for i, cell in enumerate(ws[5])}
    assert row[s.PERIOD].value == "2022"
    assert row[s.REGION].value == "Asia-Pacific"
    assert row[s.FROM].value == datetime(2022, 1, 1)
    assert row[s.FROM].number_format == "yyyy-mm-dd" and row[s.FROM].is_date
    assert row[s.AGREEMENTS_N].value == 17
    assert row[s.AGREEMENT_SHARE].value == pytest.approx(17 / 71)
    assert row[s.AGREEMENT_SHARE].number_format == "0.0%"
    assert row[s.FUNDS_USD].value == pytest.approx(4_200_000)
    assert row[s.FUNDS_USD].number_format == "#,##0"
    assert ws.column_dimensions["D"].width >= len("Multi-regions")


def test_pandas_reads_back_the_same_table(written):
    report, path = written
    back = pd.read_excel(path, sheet_name=s.BY_PARTNER_TYPE, engine="openpyxl")
    expected = report.tables[s.BY_PARTNER_TYPE]
    assert list(back.columns) == list(expected.columns)
    assert back[s.PARTNER_TYPE].tolist() == expected[s.PARTNER_TYPE].tolist()
    assert back[s.FUNDS_SHARE].tolist() == pytest.approx(expected[s.FUNDS_SHARE].tolist())


def test_nan_becomes_an_empty_cell(tmp_path):
    report = sample_report()
    frame = report.tables[s.BY_REGION].copy()
    frame.loc[frame[s.PERIOD] == "2023", s.FUNDS_SHARE] = float("nan")
    report.tables[s.BY_REGION] = frame
    ws = openpyxl.load_workbook(write_report(build_layout(report), tmp_path / "r.xlsx"))[
        s.BY_REGION]
    column = s.REPORT_COLUMNS[s.BY_REGION].index(s.FUNDS_SHARE) + 1
    assert ws.cell(9, column).value is None  # first 2023 row
    assert ws.cell(8, column).value == pytest.approx(3_963_000 / 9_700_000)


def test_charts_are_bound_to_the_table_cells(written):
    report, path = written
    charts = _charts(path)
    assert len(charts) == sum(len(sheet.charts) for sheet in build_layout(report).sheets)
    formulas = {f for xml in charts.values() for f in _formulas(xml)}
    # region bars, 2022: categories D2:D8, agreement share F, funds share H
    assert {"'ByRegion'!$D$2:$D$8", "'ByRegion'!$F$2:$F$8", "'ByRegion'!$H$2:$H$8",
            "'ByRegion'!$D$9:$D$13", "'ByRegion'!$H$9:$H$13"} <= formulas
    # priority bars, 2023 (Kigali): rows 12..16, priority in column E
    assert {"'ByPriority'!$E$12:$E$16", "'ByPriority'!$G$12:$G$16"} <= formulas
    # co-financing, Jan–Apr 2023 = fourth row: components D5:E5, named by A5
    assert {"'Cofinancing'!$D$1:$E$1", "'Cofinancing'!$D$5:$E$5", "'Cofinancing'!$A$5"} <= \
        formulas
    # year over year: both windows' agreements and partners
    assert {"'YearOverYear'!$D$2:$D$3", "'YearOverYear'!$E$2:$E$3"} <= formulas


def test_chart_kinds_labels_and_titles(written):
    path = written[1]
    charts = list(_charts(path).values())
    pies = [xml for xml in charts if "<pieChart>" in xml or "<c:pieChart>" in xml]
    assert len(pies) == 6  # funds and partners by type, membership: 2022 and 2023
    for xml in pies:
        assert re.search(r'<(c:)?showPercent val="1"', xml)
        assert re.search(r'formatCode="0\.0%[^"]*" sourceLinked="0"', xml)
    assert sum("doughnutChart>" in xml for xml in charts) == 4
    bars = [xml for xml in charts if "barChart>" in xml]
    assert any('<barDir val="bar"' in xml or '<c:barDir val="bar"' in xml for xml in bars)
    assert any("Agreements signed by region (2022)" in xml for xml in charts)


def test_charts_are_anchored_below_the_table(written):
    """Issue 9: charts below the table, in column A, so each sheet prints one page wide."""
    report, path = written
    book = openpyxl.load_workbook(path)
    with zipfile.ZipFile(path) as archive:
        for index, name in enumerate(book.sheetnames, start=1):
            rels = archive.read(f"xl/worksheets/_rels/sheet{index}.xml.rels").decode()
            found = re.search(r'Target="[^"]*(drawings/drawing\d+\.xml)"', rels)
            if found is None:
                assert name == s.ISSUES
                continue
            drawing = found.group(1)
            anchors = re.findall(
                r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?<(?:xdr:)?row>(\d+)<",
                archive.read(f"xl/{drawing}").decode())
            assert anchors, name
            table_rows = 1 + max(len(report.tables[name]), 1)  # header + data rows
            assert {int(col) for col, _ in anchors} == {0}, name
            assert min(int(row) for _, row in anchors) >= table_rows + 1, name  # 0-based


def test_empty_issues_table_is_valid(written):
    _, path = written
    ws = openpyxl.load_workbook(path)[s.ISSUES]
    assert ws.tables[s.ISSUES].ref == f"A1:{openpyxl.utils.get_column_letter(len(s.ISSUE_COLUMNS))}2"
    assert all(cell.value is None for cell in ws[2])


def test_render_into_replaces_report_sheets_only(tmp_path):
    path = tmp_path / "own.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Agreements"
    book["Agreements"].append(["Agreement ID", "Partner"])
    book["Agreements"].append(["A1", "Acme"])
    stale = book.create_sheet(s.SUMMARY)
    stale["A1"] = "old"
    book.create_sheet("Notes")["B2"] = "keep me"
    book.save(path)

    layout = build_layout(sample_report(issues=True))
    for _ in range(2):  # refreshing twice must not duplicate anything
        book = openpyxl.load_workbook(path)
        render_into(layout, book)
        book.save(path)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Agreements", "Notes", *s.REPORT_TABLES]
    assert [[c.value for c in row] for row in book["Agreements"].iter_rows()] == [
        ["Agreement ID", "Partner"], ["A1", "Acme"]]
    assert book["Notes"]["B2"].value == "keep me"
    assert book[s.SUMMARY]["A1"].value == s.PERIOD
    assert book[s.ISSUES].cell(2, 4).value == "Afrika"
    assert book.active.title == "Agreements"
    assert len(_charts(path)) == sum(len(sheet.charts) for sheet in layout.sheets)


def test_table_name_clash_elsewhere_is_refused(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Mine"
    ws.append(["a", "b"])
    ws.append([1, 2])
    ws.add_table(openpyxl.worksheet.table.Table(displayName=s.SUMMARY, ref="A1:B2"))
    with pytest.raises(TableNameTaken, match="Summary"):
        render_into(build_layout(sample_report()), book)
    assert book.sheetnames == ["Mine"]


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    layout = build_layout(sample_report())
    sheet = layout.sheet(s.BY_REGION)
    sheet.charts.append(ChartSpec("radar", "bad", s.BY_REGION, s.REGION, (s.FUNDS_USD,), 0, 1))
    with pytest.raises(ValueError, match="radar"):
        write_report(layout, target)
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_overwrites_atomically(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous report")
    assert write_report(build_layout(sample_report()), target) == target
    assert openpyxl.load_workbook(target).sheetnames == list(s.REPORT_TABLES)


def test_big_report_is_written_whole(tmp_path):
    """A report over many years, 150 top partners a year and 2,000 issues is written whole
    (its speed is measured by scripts/benchmark.py, not asserted here)."""
    report = sample_report()
    frame = report.tables[s.ISSUES]
    row = [14, "A-0014", "Region", "Afrika", s.ERROR, "unknown region", "Agreements"]
    report.tables[s.ISSUES] = pd.DataFrame([row] * 2000, columns=frame.columns)
    top = report.tables[s.TOP_PARTNERS]
    report.tables[s.TOP_PARTNERS] = pd.concat([top] * 50, ignore_index=True).sort_values(
        s.PERIOD, kind="stable", ignore_index=True)
    write_report(build_layout(report), tmp_path / "big.xlsx")
    assert openpyxl.load_workbook(tmp_path / "big.xlsx")[s.ISSUES].max_row == 2001


@pytest.mark.parametrize("language", ["en", "fr"])
def test_new_report_file_opens_clean_in_the_validator(tmp_path, language):
    """Issue 7: Excel opens a new report without repairing or rewriting it."""
    report = sample_report(language, issues=True)
    report.notices = ["Warning: 1999 has no agreements; choose a report year with data."]
    path = write_report(build_layout(report), tmp_path / "report.xlsx")
    assert_opens_clean(path)
    with zipfile.ZipFile(path) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
        sheets = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    assert not any('t="inlineStr"' in xml for xml in sheets)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    report = sample_report()
    top = report.tables[s.TOP_PARTNERS].copy()
    top.loc[0, s.PARTNER] = "=1+1"
    top.loc[1, s.PARTNER] = "+41 22 730 5111"
    top.loc[2, s.PARTNER] = "2022"
    report.tables[s.TOP_PARTNERS] = top
    path = write_report(build_layout(report), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)[s.TOP_PARTNERS]
    column = s.REPORT_COLUMNS[s.TOP_PARTNERS].index(s.PARTNER) + 1
    assert [ws.cell(r, column).value for r in (2, 3, 4)] == ["=1+1", "+41 22 730 5111", "2022"]
    assert [ws.cell(r, column).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    with zipfile.ZipFile(path) as archive:
        assert not _formulas(archive.read("xl/worksheets/sheet7.xml").decode())


def test_usd_cells_are_rounded_to_cents_shares_are_not(tmp_path):
    """Issue 9: 9,699,999.999670995 USD is written as 9,700,000.00; shares keep precision."""
    report = sample_report()
    summary = report.tables[s.SUMMARY].copy()
    summary.loc[0, s.FUNDS_USD] = 9_699_999.999670995
    summary.loc[0, s.PARTNER_USD] = 7_199_999.994
    report.tables[s.SUMMARY] = summary
    cofinancing = report.tables[s.COFINANCING].copy()
    cofinancing.loc[0, s.PARTNER_SHARE] = 7_199_999.994 / 9_699_999.999670995
    report.tables[s.COFINANCING] = cofinancing
    book = openpyxl.load_workbook(write_report(build_layout(report), tmp_path / "r.xlsx"))
    row = {c: book[s.SUMMARY].cell(2, i + 1).value
           for i, c in enumerate(s.REPORT_COLUMNS[s.SUMMARY])}
    assert row[s.FUNDS_USD] == 9_700_000.00
    assert row[s.PARTNER_USD] == 7_199_999.99
    share = book[s.COFINANCING].cell(2, s.REPORT_COLUMNS[s.COFINANCING].index(
        s.PARTNER_SHARE) + 1).value
    assert share == 7_199_999.994 / 9_699_999.999670995  # as computed, to the last bit
    assert share != round(share, 4)  # full precision, not rounded


def test_summary_notices_are_written_below_the_table(tmp_path):
    report = sample_report()
    report.notices = ["Warning: 2031 has no agreements; choose a report year with data.",
                      "Warning: the Agreements table is empty."]
    path = write_report(build_layout(report), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)[s.SUMMARY]
    assert ws.tables[s.SUMMARY].ref == "A1:I5"  # the table still starts at A1
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == [None, report.notices[0],
                                                      report.notices[1]]
    assert ws.cell(7, 1).font.b


def _sheet_xml(path, index: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_french_charts_read_the_hidden_french_labels(tmp_path, engine):
    layout = build_layout(sample_report("fr"))
    path = tmp_path / "rapport.xlsx"
    if engine == "xlsxwriter":
        write_report(layout, path)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
        render_into(layout, book)
        book.save(path)
    ws = openpyxl.load_workbook(path)[s.BY_REGION]
    assert [ws.cell(r, 10).value for r in (1, 2, 3)] == [
        "Libellé des graphiques", "Afrique", "Amériques"]
    assert ws.column_dimensions["J"].hidden
    assert ws.cell(2, 4).value == "Africa"  # the table stays English
    charts = _charts(path)
    region = [xml for xml in charts.values() if "par région (2022)" in xml]
    assert len(region) == 1
    assert "'ByRegion'!$J$2:$J$8" in _formulas(region[0])
    assert not re.search(r'<(c:)?plotVisOnly val="1"', region[0])  # hidden cells plotted
    assert re.search(r'formatCode="\[\$-40C\]0\.0%"', region[0])


def test_thin_pie_slices_are_unlabelled_in_the_file(written):
    path = written[1]
    pie = next(xml for xml in _charts(path).values()
               if "Funds signed by partner type (2022)" in xml)
    deleted = re.findall(r'<c:dLbl><c:idx val="(\d+)"/><c:delete val="1"/>', pie)
    assert deleted == ["2", "4", "5", "6", "7"]  # the five slices under 3 %
    assert re.search(r'<c:showLeaderLines val="1"/>', pie)


def test_notices_in_the_in_place_engine(tmp_path):
    report = sample_report()
    report.notices = ["Warning: the Agreements table is empty."]
    book = openpyxl.Workbook()
    render_into(build_layout(report), book)
    book.save(tmp_path / "own.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "own.xlsx")[s.SUMMARY]
    assert ws.tables[s.SUMMARY].ref == "A1:I5" and ws.cell(7, 1).value == report.notices[0]


def test_horizontal_bars_first_category_on_top_value_axis_in_percent(written):
    bar = next(xml for xml in _charts(written[1]).values()
               if "Agreements signed by priority" in xml and "(2023)" in xml)
    category = re.search(r"<c:catAx>.*?</c:catAx>", bar).group(0)
    value = re.search(r"<c:valAx>.*?</c:valAx>", bar).group(0)
    assert '<c:orientation val="maxMin"/>' in category  # first priority on top
    assert '<c:orientation val="maxMin"/>' not in value
    assert 'formatCode="0%"' in value and "Share" in value
