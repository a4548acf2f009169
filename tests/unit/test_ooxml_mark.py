"""The report mark's text form and A1 positions, checked against values worked out by hand."""

from __future__ import annotations

from bdt_xl.files.ooxml import cell_position, parse_report_mark, range_bounds, report_mark_value


def test_mark_round_trip_with_awkward_sheet_names():
    sheets = {"Summary": ["Summary"], "Rapport; 2024 = final": ["T_1", "T.2"], "Empty": []}
    value = report_mark_value(sheets)
    assert value == "Summary:Summary/Rapport; 2024 = final:T_1,T.2/Empty:"
    assert parse_report_mark(value) == sheets


def test_a1_positions():
    assert cell_position("A1") == (1, 1)
    assert cell_position("$AB$12") == (12, 28)        # A..Z = 26, AA = 27, AB = 28
    assert cell_position("XFD1048576") == (1048576, 16384)
    assert range_bounds("B2:D9") == (2, 2, 9, 4)
    assert range_bounds("C5") == (5, 3, 5, 3)
