"""Charts a reader sees: all French with a French report (SPEC §3), the report year's window
titled with its exact span (SPEC §2), thin pie slices left unlabelled (issue 9)."""

from __future__ import annotations

from report_fixture import sample_report, window_report

from bdt_xl import schema as s
from bdt_xl.layout.references import a1
from bdt_xl.layout.rendering import series_sources
from bdt_xl.layout.report_layout import build_layout


def _sources(layout, sheet_name, index=0):
    sheet = layout.sheet(sheet_name)
    return sheet, series_sources(sheet.charts[index], sheet)


def test_french_categories_come_from_a_hidden_label_column():
    layout = build_layout(sample_report("fr"))
    sheet, sources = _sources(layout, s.BY_REGION)
    labels = sheet.labels
    # ByRegion spans A:H; the labels sit in J (one blank column), on the table's rows: the
    # 2022 rows are data rows 1-7 (header row h, so sheet rows h+1..h+7)
    h = sheet.tables[0].anchor_row
    assert labels.anchor_col == 10 and labels.anchor_row == h
    assert sources[0].categories == f"'ByRegion'!$J${h + 1}:$J${h + 7}"
    assert labels.row_labels[:7] == ("Afrique", "Amériques", "États arabes", "Asie-Pacifique",
                                     "CEI", "Europe", "Plusieurs régions")
    assert [src.name for src in sources] == ["Nombre d'accords", "Fonds convenus"]
    assert sheet.charts[0].y_title == "Part"
    # the table itself keeps SPEC's English headers and labels
    block = sheet.tables[0]
    assert block.columns[3] == "Region" and block.frame["Region"].iloc[0] == "Africa"


def test_french_labels_of_every_list():
    layout = build_layout(sample_report("fr"))
    types = layout.sheet(s.BY_PARTNER_TYPE).labels.row_labels
    assert types[0] == "Entités gouvernementales"
    priorities = layout.sheet(s.BY_PRIORITY).labels.row_labels
    assert priorities[0] == "Renforcement des capacités"
    assert priorities[9] == "Plusieurs priorités thématiques"
    assert layout.sheet(s.BY_MEMBERSHIP).labels.row_labels[-1] == "Non-membre"
    # periods in legends: the windows in French abbreviations
    assert layout.sheet(s.YEAR_OVER_YEAR).labels.row_labels == ("janv.–avr. 2022",
                                                               "janv.–avr. 2023")


def test_french_doughnut_categories_are_the_french_component_names():
    layout = build_layout(sample_report("fr"))
    sheet, sources = _sources(layout, s.COFINANCING, 3)
    # Cofinancing spans A:H, row labels in J, one translated header per table column from K
    # (A -> K, ..., D -> N): the components D:E are named in N:O of the header row h
    h = sheet.tables[0].anchor_row
    assert sources[0].categories == f"'Cofinancing'!$N${h}:$O${h}"
    assert sheet.labels.headers[3:5] == ("Composante du partenaire", "Composante de l'UIT")
    assert sources[0].name_ref == f"'Cofinancing'!$J${h + 4}"  # data row 4: the window
    assert sheet.labels.row_labels[3] == "janv.–avr. 2023"


def test_french_percentages_use_a_decimal_comma():
    layout = build_layout(sample_report("fr"))
    chart = layout.sheet(s.BY_REGION).charts[0]
    assert chart.number_format == "[$-40C]0.0%" and chart.axis_format == "[$-40C]0%"
    english = build_layout(sample_report("en")).sheet(s.BY_REGION).charts[0]
    assert english.number_format == "0.0%"
    assert build_layout(sample_report("en")).sheet(s.BY_REGION).labels is None


def test_the_report_years_charts_show_its_window():
    layout = build_layout(window_report())
    region = layout.sheet(s.BY_REGION).charts
    # rows: 2025 (0-1), 2026 (2-4), Jan–Sep 2026 (5-7)
    assert [(c.first_row, c.last_row) for c in region] == [(0, 1), (5, 7)]
    assert [c.title for c in region] == [
        "Agreements signed by region (2025)",
        "Agreements signed by region (1 January–30 September 2026)"]
    pies = layout.sheet(s.BY_PARTNER_TYPE).charts
    assert "Funds signed by partner type (1 January–30 September 2026)" in [c.title for c in pies]
    top = layout.sheet(s.TOP_PARTNERS).charts
    assert [(c.first_row, c.title) for c in top][-1] == (
        2, "Top partners by contribution, USD (1 January–30 September 2026)")
    cofinancing = [c.title for c in layout.sheet(s.COFINANCING).charts]
    assert cofinancing[-1] == \
        "Co-financing: partner and ITU components (1 January–30 September 2026)"


def test_the_windows_title_in_french():
    layout = build_layout(window_report("fr"))
    titles = [c.title for c in layout.sheet(s.BY_REGION).charts]
    assert titles == ["Répartition des accords signés, par région (2025)",
                      "Répartition des accords signés, par région "
                      "(1er janvier – 30 septembre 2026)"]
    sheet = layout.sheet(s.BY_REGION)
    binding = sheet.charts[1].bind(sheet.tables[0], sheet.labels)
    h = sheet.tables[0].anchor_row  # the window's data rows 6-8, French labels
    assert a1(binding.categories) == f"$J${h + 6}:$J${h + 8}"


def test_thin_pie_slices_get_no_label():
    """2022 funds by partner type (hand figures of the fixture, of 9.7M USD): Academic 0,
    International 0, Financial 0, Foundations 17,000 (0.2 %), Other 152,000 (1.6 %) are
    under 3 %; Private sector 409,000 (4.2 %) keeps its label."""
    pies = build_layout(sample_report()).sheet(s.BY_PARTNER_TYPE).charts
    funds_2022 = next(c for c in pies if c.title == "Funds signed by partner type (2022)")
    assert funds_2022.unlabelled_points == (2, 4, 5, 6, 7)
