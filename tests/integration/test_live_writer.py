"""The live-Excel renderer, run on xlwings' remote engine: the actions it records are what
Excel would be told to do (sheets, values, formats, tables, charts)."""

from __future__ import annotations

from collections import Counter

import pytest
from remote_book import (
    actions,
    fail_chart_add,
    final_sheets,
    payload_from_file,
    remote_book,
    sheet_names_of_actions,
    sheet_payload,
    table_payload,
)
from report_cells import REFRESH_SENTENCE
from report_fixture import sample_report

from bdt_xl import schema as s
from bdt_xl.api import run_file
from bdt_xl.errors import ReportWriteError, TableNameTaken
from bdt_xl.excel.live_writer import (
    TEMP_SHEET_PREFIX,
    TEMP_TABLE_PREFIX,
    TEXT_FORMAT,
    _areas,
    excel_paused,
    render_live,
)
from bdt_xl.layout.references import column_letter, parse_cell
from bdt_xl.layout.report_layout import build_layout
from bdt_xl.workbooks.synthetic import write_synthetic_workbook

INPUT_SHEETS = [s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A real input workbook (with errors and #N/A cells), its payload and its layout."""
    path = tmp_path_factory.mktemp("live") / "input.xlsx"
    write_synthetic_workbook(path, 250, seed=3, error_rate=0.05)
    return path, payload_from_file(path), build_layout(run_file(path))


def _render(payload, layout, keep=INPUT_SHEETS):
    book = remote_book(payload)
    result = render_live(layout, book, keep=keep)
    return book, result, actions(book)


def _targets(payload, recorded):
    return [(name or "").removeprefix(TEMP_SHEET_PREFIX)
            for name in sheet_names_of_actions(payload, recorded)]


def test_sheets_are_written_under_temporary_names_then_renamed(source):
    _path, payload, layout = source
    _book, result, recorded = _render(payload, layout)
    names = [sheet.name for sheet in layout.sheets]
    assert result.sheets == names == list(s.REPORT_TABLES)
    added = [a["args"][1] for a in recorded if a["func"] == "addSheet"]
    assert added == [TEMP_SHEET_PREFIX + name for name in names]
    assert final_sheets(payload, recorded) == INPUT_SHEETS + names
    renames = [a for a in recorded if a["func"] == "setSheetName"]
    first_rename = recorded.index(renames[0])
    # every sheet is complete (values, tables, charts) before the first rename
    assert all(a["func"] in ("setSheetName", "setTableName", "activateSheet")
               for a in recorded[first_rename:])


def test_no_action_touches_an_input_sheet(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    touched = {t for t, a in zip(_targets(payload, recorded), recorded)
               if a["func"] != "activateSheet"}
    assert not touched & set(INPUT_SHEETS)
    # the only action naming an input sheet: the sheet the user was on is shown again
    shown = [a for a in recorded if a["func"] == "activateSheet"]
    assert shown == [recorded[-1]] and shown[0]["sheet_position"] == 0


def _table_values(recorded: list[dict], targets: list[str]) -> dict[str, dict]:
    """Sheet -> the write of its table's values (the one block whose first row is the
    table's header: ``Period`` or, on Issues, ``Row``)."""
    return {target: a for target, a in zip(targets, recorded)
            if a["func"] == "setValues" and a["values"][0][0] in (s.PERIOD, "Row")}


def test_one_block_of_values_per_table(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    targets = _targets(payload, recorded)
    written = _table_values(recorded, targets)
    assert list(written) == list(s.REPORT_TABLES)  # one whole block per table
    for name, action in written.items():
        block = layout.sheet(name).tables[0]
        assert (action["start_row"], action["start_column"]) == (block.anchor_row - 1, 0)
        assert action["row_count"] == len(action["values"])
        assert len(action["values"]) == len(block.frame) + 1


def _across_row_1(done: list[dict], width: int, func: str, args=None) -> bool:
    """Whether ``func`` (with ``args``) was applied to A1 across ``width`` columns."""
    return any(a["func"] == func and (a["start_row"], a["start_column"]) == (0, 0)
               and a["column_count"] == width and (args is None or a["args"] == args)
               for a in done)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_report_sheet_says_on_row_1_it_is_rewritten(language):
    """Live Excel: A1 of every report sheet holds the sentence in the report's language,
    italic and grey, merged across the table's width; the table starts on row 3."""
    report = sample_report(language, issues=True)
    layout = build_layout(report)
    for name in s.REPORT_TABLES:
        done = _written(report, name)
        first = [a for a in done if a["func"] == "setValues" and a["start_row"] == 0]
        assert [(a["start_column"], a["values"]) for a in first] == [
            (0, [[REFRESH_SENTENCE[language]]])], name
        width = len(layout.sheet(name).tables[0].columns)
        assert _across_row_1(done, width, "setFontProperty", ["italic", True]), name
        assert _across_row_1(done, width, "setFontProperty", ["color", "#595959"]), name
        assert _across_row_1(done, width, "rangeMerge"), name
        assert _across_row_1(done, width, "setWrapText", [True]), name
        (table,) = [a["args"][0] for a in done if a["func"] == "addTable"]
        assert table.startswith("$A$3:"), name  # no table on the sentence's rows
        assert [a["args"] for a in done if a["func"] == "freezePaneAtRange"] == [["1:3"]]


def _written(report, sheet):
    book = remote_book({**_EMPTY_BOOK, "version": _xlwings_version()})
    render_live(build_layout(report), book, keep=[s.AGREEMENTS])
    recorded = actions(book)
    targets = _targets(_EMPTY_BOOK, recorded)
    return [a for t, a in zip(targets, recorded) if t == sheet]


_EMPTY_BOOK = {"client": "Microsoft Office Scripts", "version": "",
               "book": {"name": "Book.xlsx", "active_sheet_index": 0, "selection": "A1",
                        "calculation": "Automatic"},
               "names": [], "sheets": [sheet_payload(s.AGREEMENTS, [["Agreement ID"]])]}


def _xlwings_version():
    import xlwings
    return xlwings.__version__


def test_values_are_the_reports_figures_by_hand():
    """The hand-built report's ByRegion table, cell by cell as typed here (not as another
    writer or the layout computes them); USD rounded to cents, shares at full precision."""
    report = sample_report()
    frame = report.tables[s.BY_REGION].copy()
    frame.loc[3, s.FUNDS_USD] = 4_199_999.996
    report.tables[s.BY_REGION] = frame
    (values,) = [a["values"] for a in _written(report, s.BY_REGION) if a["func"] == "setValues"
                 and a["values"][0][0] == s.PERIOD]
    assert values[0] == ["Period", "From", "To", "Region", "Agreements", "Agreement share",
                         "Funds (USD)", "Funds share"]
    assert values[4] == ["2022", "2022-01-01", "2022-12-31", "Asia-Pacific", 17,
                         pytest.approx(17 / 71, rel=1e-15), 4_200_000.0,
                         pytest.approx(4_200_000 / 9_700_000, rel=1e-15)]
    assert values[12][3:5] == ["Multi-regions", 7]
    assert len(values) == 1 + 7 + 5


def test_issues_point_at_real_sheet_rows(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    targets = _targets(payload, recorded)
    issues = _table_values(recorded, targets)[s.ISSUES]["values"]
    assert issues[0] == list(s.ISSUE_COLUMNS)
    rows = {row[0] for row in issues[1:] if row[0] != ""}
    assert rows and min(rows) >= 2  # row 1 is the Agreements header
    assert any(row[3] == "#N/A" for row in issues[1:])  # error cells told as such


def test_tables_get_spec_names(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    added = [a["args"] for a in recorded if a["func"] == "addTable"]
    assert [args[3] for args in added] == [TEMP_TABLE_PREFIX + n for n in s.REPORT_TABLES]
    assert all(args[1] is True and args[2] == "TableStyleMedium2" for args in added)
    renamed = [a["args"][1] for a in recorded if a["func"] == "setTableName"]
    assert renamed == list(s.REPORT_TABLES)
    summary = layout.sheet(s.SUMMARY).tables[0]
    h = summary.anchor_row
    assert added[0][0] == \
        f"$A${h}:${chr(64 + len(summary.columns))}${h + len(summary.frame)}"


def test_number_formats_per_column(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    targets = _targets(payload, recorded)
    formats = {(t, a["start_column"]): (a["args"][0], a["start_row"], a["row_count"])
               for t, a in zip(targets, recorded) if a["func"] == "setNumberFormat"}
    region = layout.sheet(s.BY_REGION).tables[0]
    rows, first = len(region.frame), region.anchor_row  # 0-based: the first data row

    def fmt(column):
        return formats[(s.BY_REGION, region.columns.index(column))]
    assert fmt(s.AGREEMENT_SHARE) == ("0.0%", first, rows)
    assert fmt(s.FUNDS_SHARE) == ("0.0%", first, rows)
    assert fmt(s.FUNDS_USD) == ("#,##0", first, rows)
    assert fmt(s.PERIOD)[0] == TEXT_FORMAT  # "2022" stays a label
    assert fmt(s.REGION)[0] == TEXT_FORMAT
    # formats are set before the values are written
    first_values = next(i for i, a in enumerate(recorded) if a["func"] == "setValues")
    assert recorded[first_values - 1]["func"] == "setNumberFormat"
    widths = [a for t, a in zip(targets, recorded)
              if t == s.BY_REGION and a["func"] == "setColumnWidth"]
    assert [a["args"][0] for a in widths] == [region.column_widths[c] for c in region.columns]


REMOTE_KINDS = {"pie": "Pie", "doughnut": "Doughnut", "bar": "BarClustered",
                "column": "ColumnClustered"}


def test_charts_sit_on_their_table_rows(source):
    _path, payload, layout = source
    _, result, recorded = _render(payload, layout)
    targets = _targets(payload, recorded)
    charts = [(t, a["args"]) for t, a in zip(targets, recorded) if a["func"] == "addChart"]
    specs = [(sheet.name, spec) for sheet in layout.sheets for spec in sheet.charts]
    assert len(charts) == len(specs) > 10
    for (target, args), (name, spec) in zip(charts, specs):
        assert target == name
        assert args[1] == REMOTE_KINDS[spec.kind]
        assert args[2] == TEMP_SHEET_PREFIX + name  # source on the chart's own sheet
        top, left, bottom, right = layout.sheet(name).table(spec.table).ref()
        (r1, c1), (r2, c2) = (parse_cell(part) for part in (args[3].split(":") * 2)[:2])
        assert top < r1 <= r2 <= bottom and left <= c1 <= c2 <= right
        assert args[6:8] == [spec.width, spec.height]
        assert args[9] == f"${column_letter(spec.anchor_col)}${spec.anchor_row}"
        assert spec.anchor_row > bottom  # below the table
    titles = [a["args"][1] for a in recorded if a["func"] == "setChartTitle"]
    assert titles == [spec.title for _, spec in specs]
    # the remote engine cannot name series nor address several areas: said, not hidden
    assert any("series names" in note for note in result.notes)


def test_chart_cells_by_hand():
    """Charts of the hand-built report, addresses worked out by hand: the sentence on row 1,
    row 2 empty, the header on row 3; ByRegion has 7 rows for 2022 (sheet rows 4-10) and 5
    for 2023 (11-15); Region is D, Agreement share F; charts start two blank rows below the
    table (row 18), each 288 pt = 20 rows plus 2 blank rows."""
    done = _written(sample_report(), s.BY_REGION)
    added = [a["args"] for a in done if a["func"] == "addChart"]
    assert [(a[1], a[3], a[8], a[9]) for a in added] == [
        ("ColumnClustered", "$F$4:$F$10", "Columns", "$A$18"),
        ("ColumnClustered", "$F$11:$F$15", "Columns", "$A$40")]
    categories = [a["args"][2] for a in done if a["func"] == "setChartXAxisValues"]
    assert categories == ["$D$4:$D$10", "$D$11:$D$15"]
    # Cofinancing: one doughnut per period row; the report year's window is row 7, its
    # Partner and ITU components D7:E7, read by rows
    doughnuts = [a["args"] for a in _written(sample_report(), s.COFINANCING)
                 if a["func"] == "addChart"]
    assert [(a[1], a[3], a[8]) for a in doughnuts][-1] == ("Doughnut", "$D$7:$E$7", "Rows")


def test_french_chart_categories_come_from_the_hidden_label_column():
    done = _written(sample_report("fr"), s.BY_REGION)
    labels = [a for a in done if a["func"] == "setValues" and a["start_column"] == 9]
    (block,) = labels  # column J, one blank column after the table's A:H
    assert [row[0] for row in block["values"][:3]] == ["Libellé des graphiques", "Afrique",
                                                       "Amériques"]
    assert block["values"][0][4] == "Région"
    categories = [a["args"][2] for a in done if a["func"] == "setChartXAxisValues"]
    assert categories == ["$J$4:$J$10", "$J$11:$J$15"]  # on the table's rows (header: 3)
    widths = [a["args"][0] for a in done if a["func"] == "setColumnWidth"
              and a["start_column"] == 9]
    assert widths == [0]  # hidden


def test_bars_keep_the_first_category_on_top(source):
    _path, payload, layout = source
    _, _, recorded = _render(payload, layout)
    axes = [a["args"][1:] for a in recorded if a["func"] == "setChartAxis"]
    assert ["category", {"title": None, "reverse_order": True, "crosses": "maximum"}] in axes
    assert any(kind == "value" and opts["number_format"] == "0%" for kind, opts in axes)


def test_second_refresh_replaces_the_report(source, tmp_path):
    from bdt_xl.files.inplace import refresh_in_place

    path, _, layout = source
    copy = tmp_path / "refreshed.xlsx"
    copy.write_bytes(path.read_bytes())
    refresh_in_place(copy, backup=False)  # the CLI's `refresh --in-place`
    payload = payload_from_file(copy)
    before = [sheet["name"] for sheet in payload["sheets"]]
    assert set(s.REPORT_TABLES) <= set(before)
    _book, result, recorded = _render(payload, layout)
    assert sorted(result.replaced) == sorted(s.REPORT_TABLES)
    after = final_sheets(payload, recorded)
    assert Counter(after).most_common(1)[0][1] == 1  # no duplicates
    assert set(after) == set(before)
    assert after[-len(s.REPORT_TABLES):] == list(s.REPORT_TABLES)
    funcs = [a["func"] for a in recorded]
    last_add = max(i for i, f in enumerate(funcs) if f in ("addChart", "addTable"))
    deletes = [i for i, f in enumerate(funcs) if f == "sheetDelete"]
    assert len(deletes) == len(s.REPORT_TABLES) and min(deletes) > last_add
    assert not {t for t, a in zip(_targets(payload, recorded), recorded)
                if a["func"] != "activateSheet"} & set(INPUT_SHEETS)


def test_failure_halfway_leaves_the_previous_report(source, tmp_path, monkeypatch):
    _path, payload, layout = source
    old = [sheet_payload(name, [[REFRESH_SENTENCE["fr"]], [], ["old"], [1]],
                         [table_payload(name, 2, 0, 3, 0)]) for name in s.REPORT_TABLES]
    payload = {**payload, "sheets": payload["sheets"] + old}
    fail_chart_add(monkeypatch, on_call=6)
    book = remote_book(payload)
    with pytest.raises(RuntimeError, match="refused"):
        render_live(layout, book, keep=INPUT_SHEETS)
    recorded = actions(book)
    assert final_sheets(payload, recorded) == [sheet["name"] for sheet in payload["sheets"]]
    deleted = [t for t, a in zip(sheet_names_of_actions(payload, recorded), recorded)
               if a["func"] == "sheetDelete"]
    assert deleted and all(name.startswith(TEMP_SHEET_PREFIX) for name in deleted)
    assert not any(a["func"] in ("setSheetName", "setTableName") for a in recorded)


def test_leftover_temporary_sheets_are_removed_first(source):
    _path, payload, layout = source
    payload = {**payload, "sheets": payload["sheets"] + [
        sheet_payload(TEMP_SHEET_PREFIX + s.SUMMARY, [["half"]])]}
    _, _, recorded = _render(payload, layout)
    assert recorded[0]["func"] == "sheetDelete"
    after = final_sheets(payload, recorded)
    assert TEMP_SHEET_PREFIX + s.SUMMARY not in after and s.SUMMARY in after


def test_report_sheet_name_on_an_input_sheet_is_refused(source):
    _path, payload, layout = source
    book = remote_book(payload)
    with pytest.raises(ReportWriteError, match="'summary' holds an input table"):
        render_live(layout, book, keep=[*INPUT_SHEETS, "summary"])
    with pytest.raises(ReportWriteError, match="'~Issues' holds an input table"):
        render_live(layout, book, keep=[*INPUT_SHEETS, "~Issues"])
    assert actions(book) == []


def test_report_table_name_taken_on_another_sheet_is_refused(source):
    _path, payload, layout = source
    mine = sheet_payload("Mine", [["x"], [1]], [table_payload("summary", 0, 0, 1, 0)])
    book = remote_book({**payload, "sheets": payload["sheets"] + [mine]})
    with pytest.raises(TableNameTaken, match="'Mine' already has a table named 'summary'"):
        render_live(layout, book, keep=INPUT_SHEETS)
    assert actions(book) == []


def test_areas_merge_adjacent_series():
    assert _areas([(2, 4, 8, 4), (2, 5, 8, 5)]) == [(2, 4, 8, 5)]
    assert _areas([(2, 6, 8, 6), (2, 8, 8, 8)]) == [(2, 6, 8, 6), (2, 8, 8, 8)]
    assert _areas([(5, 4, 5, 6), (6, 4, 6, 6)]) == [(5, 4, 6, 6)]
    assert _areas([(2, 4, 8, 4), (3, 5, 9, 5)]) == [(2, 4, 8, 4), (3, 5, 9, 5)]


# -- Excel settings ---------------------------------------------------------------------------
class _App:
    """An app whose settings can (or cannot) be read, recording every assignment."""

    def __init__(self, readable=True, calculation="automatic"):
        self.__dict__.update(readable=readable, log=[], values={
            "screen_updating": True, "enable_events": True, "calculation": calculation})

    def __getattr__(self, name):
        if name in self.values:
            if not self.readable:
                raise NotImplementedError(name)
            return self.values[name]
        raise AttributeError(name)

    def __setattr__(self, name, value):
        if not self.readable and name == "enable_events":
            raise NotImplementedError(name)
        self.log.append((name, value))
        self.values[name] = value


def test_settings_are_restored_after_an_error():
    app = _App(calculation="semiautomatic")
    with pytest.raises(ValueError), excel_paused(app):
        assert app.values == {"screen_updating": False, "enable_events": False,
                              "calculation": "manual"}
        raise ValueError("boom")
    assert app.values == {"screen_updating": True, "enable_events": True,
                          "calculation": "semiautomatic"}


def test_settings_that_cannot_be_read_are_left_alone():
    app = _App(readable=False)
    with excel_paused(app):
        pass
    # screen updating is always on while a macro starts: switched off and on again;
    # calculation and events could not be read, so they are never changed
    assert app.log == [("screen_updating", False), ("screen_updating", True)]


def test_notices_are_written_below_the_summary_table():
    report = sample_report()
    report.notices = ["Warning: 2031 has no agreements; choose a report year with data."]
    done = _written(report, s.SUMMARY)
    lines = [a for a in done if a["func"] == "setValues" and a["start_row"] == 8]
    # Summary: header + 4 rows (sheet rows 3-7), a blank row 8, the notice on row 9
    assert [(a["start_column"], a["values"]) for a in lines] == [(0, [[report.notices[0]]])]
    assert any(a["func"] == "setFontProperty" and a["args"] == ["bold", True]
               and a["start_row"] == 8 for a in done)


def test_desktop_excel_repeats_the_table_header_row_not_the_sentence():
    """Desktop Excel (COM): the print titles are the table's header row (3), below the
    sentence; a fake COM sheet records what is set."""
    from types import SimpleNamespace

    from bdt_xl.excel.desktop_cosmetics import desktop_sheet

    breaks: list[int] = []
    api = SimpleNamespace(Application=SimpleNamespace(PrintCommunication=True),
                          Tab=SimpleNamespace(Color=None), PageSetup=SimpleNamespace(),
                          HPageBreaks=SimpleNamespace(Add=breaks.append), Rows=lambda row: row,
                          StandardWidth=None)
    sheet = build_layout(sample_report()).sheet(s.BY_REGION)
    desktop_sheet(SimpleNamespace(api=api), sheet)
    assert api.PageSetup.PrintTitleRows == "$3:$3"
    assert api.PageSetup.Zoom == sheet.page.scale and breaks == list(sheet.page.row_breaks)


# -- which sheets the button may replace: only report sheets it wrote --------------------------
def _with_sheet(payload, sheet):
    return remote_book({**payload, "sheets": payload["sheets"] + [sheet]})


@pytest.mark.parametrize("name", [s.SUMMARY, s.ISSUES.lower()])
def test_a_users_sheet_named_like_a_report_sheet_is_never_replaced(source, name):
    _path, payload, layout = source
    book = _with_sheet(payload, sheet_payload(name, [["My own summary"], [42]]))
    with pytest.raises(ReportWriteError) as caught:
        render_live(layout, book, keep=INPUT_SHEETS)
    assert f"your sheet '{name}'" in str(caught.value) and "rename your sheet" in str(caught.value)
    assert actions(book) == []  # refused before anything was written


def test_a_report_sheet_of_the_first_versions_is_recognised_by_its_tables(source):
    """Before the refresh sentence: the sheet holds exactly the report's table, at A1."""
    _path, payload, layout = source
    block = layout.sheet(s.COFINANCING).table(s.COFINANCING)
    header = list(block.columns)
    old = sheet_payload(s.COFINANCING, [header, [None] * len(header)],
                        [table_payload(s.COFINANCING, 0, 0, 1, len(header) - 1)])
    book = _with_sheet(payload, old)
    result = render_live(layout, book, keep=INPUT_SHEETS)
    assert s.COFINANCING in result.replaced
    other = sheet_payload(s.COFINANCING, [["Mine", "Yours"], [1, 2]],
                          [table_payload(s.COFINANCING, 0, 0, 1, 1)])
    with pytest.raises(ReportWriteError):
        render_live(layout, _with_sheet(payload, other), keep=INPUT_SHEETS)
