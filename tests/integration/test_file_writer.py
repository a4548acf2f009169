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
from report_cells import (
    REFRESH_SENTENCE,
    column_range,
    data_cell,
    data_row,
    header_row,
    table_bounds,
)
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
        # the sentence on row 1, row 2 empty, the table's header on row 3
        assert ws.tables[name].ref == f"A3:{last_col}{3 + max(len(report.tables[name]), 1)}"
        assert [cell.value for cell in ws[3]] == list(columns)


def _assert_refresh_sentence(ws, language: str) -> None:
    """Row 1 holds the sentence (italic, muted, across the table's width), row 2 is empty,
    the report's Excel Table starts below them and nothing else is on those rows."""
    name = ws.title
    r1, c1, _, c2 = table_bounds(ws, name)
    assert ws["A1"].value == REFRESH_SENTENCE[language], name
    assert ws["A1"].font.i and not ws["A1"].font.b, name
    assert ws["A1"].font.color is not None and ws["A1"].font.color.rgb[-6:] != "000000"
    assert r1 == 3 and c1 == 1, name  # no table overlaps rows 1-2
    assert [str(m) for m in ws.merged_cells.ranges] == [
        f"A1:{openpyxl.utils.get_column_letter(c2)}1"], name
    assert ws["A1"].alignment.wrap_text, name
    assert all(cell.value is None for row in ws.iter_rows(min_row=1, max_row=2)
               for cell in row if cell.coordinate != "A1"), name
    # printed: the table's header row repeats on every page, not the sentence
    assert ws.print_title_rows == "$3:$3", name
    assert ws.freeze_panes == "A4", name


def render_with(engine: str, layout, path) -> None:
    """Write ``layout`` to a new file at ``path`` with the XlsxWriter engine, or render it
    into an empty openpyxl workbook (the in-place engine) and save that."""
    if engine == "xlsxwriter":
        write_report(layout, path)
        return
    book = openpyxl.Workbook()
    book.remove(book.active)
    render_into(layout, book)
    book.save(path)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_every_report_sheet_says_it_is_rewritten_in_its_language(tmp_path, engine, language):
    layout = build_layout(sample_report(language, issues=True))
    path = tmp_path / "report.xlsx"
    render_with(engine, layout, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(s.REPORT_TABLES)
    for name in s.REPORT_TABLES:
        _assert_refresh_sentence(book[name], language)


def test_values_formats_and_dates(written):
    path = written[1]
    ws = openpyxl.load_workbook(path)[s.BY_REGION]
    # data row 3 = fourth 2022 region: Asia-Pacific, 17 of 71 agreements, 4.2M of 9.7M USD
    row = data_row(ws, s.BY_REGION, 3)
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
    ws = openpyxl.load_workbook(path)[s.BY_PARTNER_TYPE]
    back = pd.read_excel(path, sheet_name=s.BY_PARTNER_TYPE, engine="openpyxl",
                         header=header_row(ws, s.BY_PARTNER_TYPE) - 1)
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
    assert data_cell(ws, s.BY_REGION, 7, s.FUNDS_SHARE).value is None  # first 2023 row
    assert data_cell(ws, s.BY_REGION, 6, s.FUNDS_SHARE).value == pytest.approx(
        3_963_000 / 9_700_000)


def test_charts_are_bound_to_the_table_cells(written):
    report, path = written
    charts = _charts(path)
    assert len(charts) == sum(len(sheet.charts) for sheet in build_layout(report).sheets)
    formulas = {f for xml in charts.values() for f in _formulas(xml)}
    book = openpyxl.load_workbook(path)

    def cells(table, column, first, last):
        return column_range(book[table], table, column, first, last, sheet=table)

    # region bars, 2022 (data rows 0..6): categories D, agreement share F, funds share H
    region = s.BY_REGION
    assert {cells(region, s.REGION, 0, 6), cells(region, s.AGREEMENT_SHARE, 0, 6),
            cells(region, s.FUNDS_SHARE, 0, 6), cells(region, s.REGION, 7, 11),
            cells(region, s.FUNDS_SHARE, 7, 11)} <= formulas
    assert "'ByRegion'!$D$4:$D$10" in formulas  # worked out by hand: the header on row 3
    # priority bars, 2023 (Kigali): data rows 10..14, priority in column E
    assert {cells(s.BY_PRIORITY, s.PRIORITY, 10, 14),
            cells(s.BY_PRIORITY, s.AGREEMENT_SHARE, 10, 14)} <= formulas
    # co-financing, Jan–Apr 2023 = fourth data row: components D:E, named by its Period
    ws = book[s.COFINANCING]
    h = header_row(ws, s.COFINANCING)
    assert {f"'Cofinancing'!$D${h}:$E${h}", f"'Cofinancing'!$D${h + 4}:$E${h + 4}",
            f"'Cofinancing'!$A${h + 4}"} <= formulas
    # year over year: both windows' agreements and partners
    assert {cells(s.YEAR_OVER_YEAR, s.AGREEMENTS_N, 0, 1),
            cells(s.YEAR_OVER_YEAR, s.PARTNERS_N, 0, 1)} <= formulas


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
            last_row = table_bounds(book[name], name)[2]  # 1-based: the 0-based row below
            assert {int(col) for col, _ in anchors} == {0}, name
            assert min(int(row) for _, row in anchors) >= last_row + 1, name  # 0-based


def test_empty_issues_table_is_valid(written):
    _, path = written
    ws = openpyxl.load_workbook(path)[s.ISSUES]
    h = header_row(ws, s.ISSUES)
    last_col = openpyxl.utils.get_column_letter(len(s.ISSUE_COLUMNS))
    assert ws.tables[s.ISSUES].ref == f"A{h}:{last_col}{h + 1}"
    assert all(cell.value is None for cell in ws[h + 1])


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
    summary = book[s.SUMMARY]
    assert summary.cell(header_row(summary, s.SUMMARY), 1).value == s.PERIOD
    assert summary["A1"].value == REFRESH_SENTENCE["en"]  # "old" is gone
    assert data_cell(book[s.ISSUES], s.ISSUES, 0, "Value").value == "Afrika"
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
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx")[s.ISSUES]
    assert ws.max_row == header_row(ws, s.ISSUES) + 2000


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
    cells = [data_cell(ws, s.TOP_PARTNERS, r, s.PARTNER) for r in (0, 1, 2)]
    assert [cell.value for cell in cells] == ["=1+1", "+41 22 730 5111", "2022"]
    assert [cell.data_type for cell in cells] == ["s", "s", "s"]
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
    row = {c: cell.value for c, cell in data_row(book[s.SUMMARY], s.SUMMARY, 0).items()}
    assert row[s.FUNDS_USD] == 9_700_000.00
    assert row[s.PARTNER_USD] == 7_199_999.99
    share = data_cell(book[s.COFINANCING], s.COFINANCING, 0, s.PARTNER_SHARE).value
    assert share == 7_199_999.994 / 9_699_999.999670995  # as computed, to the last bit
    assert share != round(share, 4)  # full precision, not rounded


def test_summary_notices_are_written_below_the_table(tmp_path):
    report = sample_report()
    report.notices = ["Warning: 2031 has no agreements; choose a report year with data.",
                      "Warning: the Agreements table is empty."]
    path = write_report(build_layout(report), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)[s.SUMMARY]
    assert ws.tables[s.SUMMARY].ref == "A3:I7"  # the table still starts at A3
    assert [ws.cell(r, 1).value for r in (8, 9, 10)] == [None, report.notices[0],
                                                       report.notices[1]]
    assert ws.cell(9, 1).font.b


def _sheet_xml(path, index: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


@pytest.mark.parametrize("engine", ["xlsxwriter", "openpyxl"])
def test_french_charts_read_the_hidden_french_labels(tmp_path, engine):
    layout = build_layout(sample_report("fr"))
    path = tmp_path / "rapport.xlsx"
    render_with(engine, layout, path)
    ws = openpyxl.load_workbook(path)[s.BY_REGION]
    h = header_row(ws, s.BY_REGION)  # the labels sit on the table's rows, in column J
    assert [ws.cell(h + r, 10).value for r in (0, 1, 2)] == [
        "Libellé des graphiques", "Afrique", "Amériques"]
    assert ws.column_dimensions["J"].hidden
    assert data_cell(ws, s.BY_REGION, 0, s.REGION).value == "Africa"  # the table stays English
    charts = _charts(path)
    region = [xml for xml in charts.values() if "par région (2022)" in xml]
    assert len(region) == 1
    assert f"'ByRegion'!$J${h + 1}:$J${h + 7}" in _formulas(region[0])
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
    assert ws.tables[s.SUMMARY].ref == "A3:I7" and ws.cell(9, 1).value == report.notices[0]
    assert ws.cell(9, 1).font.b


def test_horizontal_bars_first_category_on_top_value_axis_in_percent(written):
    bar = next(xml for xml in _charts(written[1]).values()
               if "Agreements signed by priority" in xml and "(2023)" in xml)
    category = re.search(r"<c:catAx>.*?</c:catAx>", bar).group(0)
    value = re.search(r"<c:valAx>.*?</c:valAx>", bar).group(0)
    assert '<c:orientation val="maxMin"/>' in category  # first priority on top
    assert '<c:orientation val="maxMin"/>' not in value
    assert 'formatCode="0%"' in value and "Share" in value
