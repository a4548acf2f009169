"""The report layout: sheets, tables, formats and chart bindings, independent of any renderer."""

from __future__ import annotations

import math
from dataclasses import FrozenInstanceError, replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from report_fixture import W2023, Y2023, sample_report

from bdt_xl import schema as s
from bdt_xl.layout.formats import ROW_POINTS, table_block
from bdt_xl.layout.model import BAR, COLUMN, COLUMNS, DOUGHNUT, PIE, ROWS, TableBlock
from bdt_xl.layout.references import a1
from bdt_xl.layout.report_layout import build_layout
from bdt_xl.layout.wording import words


@pytest.fixture(scope="module")
def layout():
    return build_layout(sample_report())


def _rows(ref: str, header_row: int) -> str:
    """An A1 reference written relative to the table's header row: ``"$D${1}:$D${7}"`` is
    data rows 1..7 of a table whose header is on ``header_row``."""
    return ref.format(*(header_row + i for i in range(0, 20)))


def test_one_sheet_per_report_table_with_its_table_at_a3(layout):
    assert [sheet.name for sheet in layout.sheets] == list(s.REPORT_TABLES)
    report = sample_report()
    for sheet in layout.sheets:
        (block,) = sheet.tables
        assert block.name == sheet.name
        assert (block.anchor_row, block.anchor_col) == (3, 1)  # sentence, empty row, table
        assert block.columns == list(s.REPORT_COLUMNS[sheet.name])
        n_rows = len(report.tables[sheet.name])
        assert block.ref() == (3, 1, 3 + max(n_rows, 1), len(s.REPORT_COLUMNS[sheet.name]))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_sheet_says_on_row_1_that_it_is_rewritten(language):
    layout = build_layout(sample_report(language=language))
    sentence = {"en": "This sheet is written by bdt-xl and rewritten on every refresh: "
                      "anything typed on it is lost. Keep your own notes and formulas on "
                      "another sheet.",
                "fr": "Cette feuille est écrite par bdt-xl et réécrite à chaque "
                      "actualisation : tout ce qui y est saisi est perdu. Gardez vos notes "
                      "et formules sur une autre feuille."}[language]
    assert words(language)["refresh_note"] == sentence
    for sheet in layout.sheets:
        banner, block = sheet.banner, sheet.tables[0]
        assert banner.lines == (sentence,) and banner.cells() == [(1, 1)]
        assert banner.italic and not banner.bold and banner.color is not None
        # across the table's width, above the empty row 2, never inside the table
        assert banner.areas() == [(1, 1, 1, len(block.columns))]
        assert block.anchor_row == 3
        # printed: the table's header (not the sentence) atop every page; on screen the
        # sentence and the header stay in view
        assert sheet.page.repeat_rows == (3, 3) and sheet.freeze_rows == 3


def test_region_table_range_and_formats(layout):
    block = layout.sheet(s.BY_REGION).table(s.BY_REGION)
    # 7 regions in 2022 + 5 in 2023, 8 columns, header on row 3: A3:H15
    assert a1(block.ref()) == "$A$3:$H$15"
    assert block.number_formats == {
        s.FROM: "yyyy-mm-dd", s.TO: "yyyy-mm-dd", s.AGREEMENTS_N: "0",
        s.AGREEMENT_SHARE: "0.0%", s.FUNDS_USD: "#,##0", s.FUNDS_SHARE: "0.0%"}
    # every column is wide enough for its header's longest word (headers wrap, issue 9)
    for column, width in block.column_widths.items():
        assert max(len(word) for word in column.split()) <= width <= 60


def test_usd_and_share_formats_on_every_table(layout):
    for sheet in layout.sheets:
        block = sheet.tables[0]
        for column in block.columns:
            if column in s.SHARE_COLUMNS:
                assert block.number_formats[column] == "0.0%"
            elif column in s.USD_COLUMNS:
                assert block.number_formats[column] == "#,##0"


def test_region_charts_bind_to_each_years_rows(layout):
    sheet = layout.sheet(s.BY_REGION)
    block = sheet.table(s.BY_REGION)
    assert [(c.kind, c.first_row, c.last_row) for c in sheet.charts] == [
        (COLUMN, 0, 6), (COLUMN, 7, 11)]
    assert [c.title for c in sheet.charts] == ["Agreements signed by region (2022)",
                                               "Agreements signed by region (2023)"]
    binding = sheet.charts[0].bind(block)
    h = block.anchor_row
    assert a1(binding.categories, "ByRegion") == _rows("'ByRegion'!$D${1}:$D${7}", h)
    assert [a1(ser.values) for ser in binding.series] == [_rows("$F${1}:$F${7}", h),
                                                          _rows("$H${1}:$H${7}", h)]
    assert [ser.title for ser in binding.series] == ["Number of agreements", "Funds signed"]
    later = sheet.charts[1].bind(block)
    assert a1(later.categories) == _rows("$D${8}:$D${12}", h)
    assert a1(later.series[1].values) == _rows("$H${8}:$H${12}", h)


def test_priority_bars_follow_each_years_action_plan(layout):
    charts = layout.sheet(s.BY_PRIORITY).charts
    assert [c.kind for c in charts] == [BAR, BAR]
    assert "Buenos Aires Action Plan" in charts[0].title and "(2022)" in charts[0].title
    assert "Kigali Action Plan" in charts[1].title and "(2023)" in charts[1].title
    assert (charts[0].first_row, charts[0].last_row) == (0, 9)
    assert (charts[1].first_row, charts[1].last_row) == (10, 14)
    assert all(c.reverse_categories for c in charts)  # first priority on top


def test_partner_type_pies_show_percentages(layout):
    sheet = layout.sheet(s.BY_PARTNER_TYPE)
    pies = sheet.charts
    assert [c.kind for c in pies] == [PIE] * 4
    assert {c.value_columns for c in pies} == {(s.FUNDS_USD,), (s.PARTNERS_N,)}
    assert all(c.show_percent and "%" in c.number_format for c in pies)
    # 8 partner types in 2022 (data rows 1..8), 5 in 2023; Funds (USD) is column I
    funds_2022 = next(c for c in pies if c.value_columns == (s.FUNDS_USD,) and "2022" in c.title)
    block = sheet.table(s.BY_PARTNER_TYPE)
    binding = funds_2022.bind(block)
    assert a1(binding.series[0].values) == _rows("$I${1}:$I${8}", block.anchor_row)
    assert binding.series[0].title_cell == (block.anchor_row, 9)


def test_cofinancing_reads_one_row_per_period(layout):
    sheet = layout.sheet(s.COFINANCING)
    charts = sheet.charts
    assert [c.kind for c in charts] == [DOUGHNUT] * 4
    assert [c.series_by for c in charts] == [ROWS] * 4
    assert [c.first_row for c in charts] == [0, 1, 2, 3]
    # the report year's window is titled with its exact span (SPEC §2)
    assert "(1 January–30 April 2023)" in charts[3].title
    block = sheet.table(s.COFINANCING)
    binding = charts[3].bind(block)
    # categories: the Partner/ITU component headers; the one series: data row 4, named by
    # its Period cell in column A
    h = block.anchor_row
    assert a1(binding.categories) == _rows("$D${0}:$E${0}", h)
    assert [a1(ser.values) for ser in binding.series] == [_rows("$D${4}:$E${4}", h)]
    assert binding.series[0].title_cell == (h + 4, 1)


def test_year_over_year_columns(layout):
    sheet = layout.sheet(s.YEAR_OVER_YEAR)
    agreements, funds = sheet.charts
    block = sheet.table(s.YEAR_OVER_YEAR)
    assert (agreements.series_by, funds.series_by) == (COLUMNS, ROWS)
    h = block.anchor_row
    assert [a1(ser.values) for ser in agreements.bind(block).series] == [
        _rows("$D${1}:$D${2}", h), _rows("$E${1}:$E${2}", h)]
    assert a1(funds.bind(block).categories) == _rows("$G${0}:$I${0}", h)
    assert [a1(ser.values) for ser in funds.bind(block).series] == [
        _rows("$G${1}:$I${1}", h), _rows("$G${2}:$I${2}", h)]


def test_no_charts_on_issues_and_summary_uses_years_only(layout):
    assert layout.sheet(s.ISSUES).charts == []
    summary = layout.sheet(s.SUMMARY)
    assert all((c.first_row, c.last_row) == (0, 1) for c in summary.charts)  # 2022, 2023


def test_charts_sit_below_the_table_without_overlapping(layout):
    """Issue 9: charts below the table (not beside it), so the sheet prints one page wide."""
    for sheet in layout.sheets:
        last_table_row = sheet.tables[0].ref()[2]
        boxes = []
        for chart in sheet.charts:
            assert chart.anchor_row > last_table_row + 1 and chart.anchor_col == 1
            top = (chart.anchor_row - 1) * ROW_POINTS
            boxes.append((top, top + chart.height))
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper[1] <= lower[0], sheet.name


def test_french_titles():
    layout = build_layout(sample_report(language="fr"))
    titles = [c.title for c in layout.sheet(s.BY_REGION).charts]
    assert titles[0] == "Répartition des accords signés, par région (2022)"
    cofinancing = [c.title for c in layout.sheet(s.COFINANCING).charts]
    assert cofinancing[-1] == "Accords de cofinancement (1er janvier – 30 avril 2023)"
    priority = layout.sheet(s.BY_PRIORITY).charts[0].title
    assert "Plan d'action de Buenos Aires" in priority
    series = layout.sheet(s.BY_REGION).charts[0].series_titles
    assert series == ("Nombre d'accords", "Fonds convenus")


def test_periods_without_rows_are_skipped():
    report = sample_report()
    region = report.tables[s.BY_REGION]
    report.tables[s.BY_REGION] = region[region[s.PERIOD] != "2022"].reset_index(drop=True)
    partner_types = report.tables[s.BY_PARTNER_TYPE].copy()
    partner_types.loc[partner_types[s.PERIOD] == "2023", s.FUNDS_USD] = 0.0
    report.tables[s.BY_PARTNER_TYPE] = partner_types
    layout = build_layout(report)
    charts = layout.sheet(s.BY_REGION).charts
    assert [(c.title, c.first_row, c.last_row) for c in charts] == [
        ("Agreements signed by region (2023)", 0, 4)]
    header = layout.sheet(s.BY_REGION).tables[0].anchor_row
    assert charts[0].anchor_row == header + 5 + 2 + 1  # closes up: header, 5 rows, 2 blank
    pies = [c.title for c in layout.sheet(s.BY_PARTNER_TYPE).charts]
    assert "Funds signed by partner type (2023)" not in pies  # nothing to divide
    assert "Partners by type (2023)" in pies


def test_only_the_report_year_when_there_is_no_previous_year():
    report = sample_report()
    report.periods = [Y2023, W2023]
    for name, frame in report.tables.items():
        if s.PERIOD in frame.columns:
            report.tables[name] = frame[frame[s.PERIOD] != "2022"].reset_index(drop=True)
    layout = build_layout(report)
    assert [c.title for c in layout.sheet(s.BY_REGION).charts] == [
        "Agreements signed by region (2023)"]


def test_rows_of_a_period_are_made_contiguous():
    report = sample_report()
    region = report.tables[s.BY_REGION]
    report.tables[s.BY_REGION] = region.iloc[[0, 7, 1, 8, 2, 3, 4, 5, 6, 9, 10, 11]]
    block = build_layout(report).sheet(s.BY_REGION).table(s.BY_REGION)
    assert block.frame[s.PERIOD].tolist() == ["2022"] * 7 + ["2023"] * 5
    assert block.frame[s.REGION].tolist()[:2] == ["Africa", "Americas"]
    assert block.frame[s.REGION].tolist()[7:9] == ["Africa", "Americas"]


def test_empty_and_missing_tables_still_have_a_data_row():
    report = sample_report()
    del report.tables[s.TOP_PARTNERS]
    layout = build_layout(report)
    issues = layout.sheet(s.ISSUES).table(s.ISSUES)
    assert len(issues.frame) == 0 and issues.data_rows == 1
    h = issues.anchor_row
    assert a1(issues.ref()) == f"$A${h}:${chr(64 + len(s.ISSUE_COLUMNS))}${h + 1}"
    top = layout.sheet(s.TOP_PARTNERS)
    assert top.tables[0].columns == list(s.REPORT_COLUMNS[s.TOP_PARTNERS])
    assert top.charts == []


def test_rows_are_plain_python_values():
    frame = pd.DataFrame({
        s.PERIOD: ["2022", "2023"],
        s.FROM: [date(2022, 1, 1), pd.Timestamp("2023-01-01")],
        s.AGREEMENTS_N: np.array([3, 4], dtype="int64"),
        s.FUNDS_SHARE: [0.25, float("nan")],
        s.PARTNER: pd.array(["Acme", pd.NA], dtype="string"),
    })
    rows = table_block("T", frame).rows()
    assert rows == [["2022", date(2022, 1, 1), 3, 0.25, "Acme"],
                    ["2023", date(2023, 1, 1), 4, None, None]]
    assert type(rows[0][2]) is int and type(rows[1][1]) is date


def test_a1_references_and_adjacency():
    assert a1((2, 27, 9, 28), "By 'x'") == "'By ''x'''!$AA$2:$AB$9"
    assert a1((1, 1, 1, 1)) == "$A$1"
    block = TableBlock("T", pd.DataFrame(columns=list(s.REPORT_COLUMNS[s.COFINANCING])))
    with pytest.raises(ValueError):
        block.row_range([s.PARTNER_USD, s.FUNDS_USD], 0)  # D and F are not adjacent


def test_chart_spec_is_immutable(layout):
    chart = layout.sheet(s.BY_REGION).charts[0]
    with pytest.raises(FrozenInstanceError):
        chart.title = "x"
    assert replace(chart, title="x").title == "x"
    assert math.isclose(chart.width, 528.0)


def test_one_a1_helper_both_ways():
    from bdt_xl.layout.references import address, column_letter, column_number, parse_cell

    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert [column_number(t) for t in ("A", "Z", "AA", "AZ", "AAA")] == [1, 26, 27, 52, 703]
    assert address((1, 1, 13, 8)) == "A1:H13"
    assert parse_cell("$AB$12") == (12, 28) and parse_cell("d2") == (2, 4)
    with pytest.raises(ValueError):
        column_letter(0)
    with pytest.raises(ValueError):
        parse_cell("Sheet1!A1")


def test_wrapped_text_takes_the_lines_excel_shows():
    from bdt_xl.layout.formats import lines_needed

    # width 13 characters -> 10 per line (a character to spare, and the cell padding)
    assert lines_needed("short", 13) == 1
    assert lines_needed("aaaa bbbb cccc", 13) == 2  # "aaaa bbbb" / "cccc"
    assert lines_needed("aaaa bbbbb", 13) == 1  # exactly 10
    assert lines_needed("ITU membershipsxx", 13) == 3  # "ITU" / "membership" / "sxx"
    assert lines_needed("one\ntwo", 13) == 2  # a line break typed with Alt+Enter
    assert lines_needed("one\n\ntwo", 13) == 3
    assert lines_needed(12345, 13) == 1
