"""The Refresh report macro on xlwings' remote engine: read the open workbook, run the engine,
write the report, restore Excel's settings and tell the user, never with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_book import (
    actions,
    fail_chart_add,
    final_sheets,
    payload_from_file,
    remote_book,
    sheet_names_of_actions,
    sheet_payload,
)
from report_cells import REFRESH_SENTENCE

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS
from bdt_xl.core.report import Report
from bdt_xl.excel.live_writer import TEMP_SHEET_PREFIX
from bdt_xl.excel.macros import (
    RefreshSummary,
    read_live_tables,
    refresh_report,
    refreshed_message,
    tell_user,
)
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_rates,
    write_synthetic_workbook,
)

INPUT_SHEETS = [s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS]
SHIPPED = Path(__file__).resolve().parents[2] / "workbook" / "BDT_Partnerships.xlsm"
ROWS, SEED = 250, 3
# The headers as SPEC §1 writes them (not read from the code under test).
HEADERS = {
    "Agreements": ["Agreement ID", "Partner", "Partner type", "ITU membership", "Region",
                   "Priority", "Signed on", "Currency", "Partner amount", "ITU amount"],
    "Rates": ["Currency", "Effective from", "Units per USD"],
    "Settings": ["Setting", "Value"],
    "Lists": ["List", "Label", "French label", "Aliases", "Action plan", "Valid from",
              "Valid to"],
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The synthetic workbook and the generator's record of the rows it spoiled on purpose."""
    path = tmp_path_factory.mktemp("macro") / "input.xlsx"
    data = write_synthetic_workbook(path, ROWS, seed=SEED, error_rate=0.05)  # has #N/A cells
    return path, data


@pytest.fixture(scope="module")
def workbook(written):
    return written[0]


def _row_counts() -> dict[str, int]:
    """Data rows of each table as the generator writes them (one Settings row: Language)."""
    return {"Agreements": ROWS,
            "Rates": len(synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, SEED)),
            "Settings": 1, "Lists": len(DEFAULT_LISTS.items)}


@pytest.fixture(scope="module")
def payload(workbook):
    return payload_from_file(workbook)


def _funcs(book) -> list[str]:
    return [a["func"] for a in actions(book)]


def test_refresh_writes_the_report_and_tells_the_user(written, payload):
    book = remote_book(payload)
    summary = refresh_report(book)
    spoiled = len(written[1].errors)  # each deliberate error excludes its row
    assert spoiled == 8
    assert summary.ok, summary.details
    assert (summary.rows_read, summary.rows_excluded, summary.warnings) == (ROWS, spoiled, 0)
    assert summary.message == ("Report refreshed: 242 rows used, 8 excluded (see the Issues "
                               "sheet).")
    assert str(summary) == summary.message
    assert summary.sheets == list(s.REPORT_TABLES)
    recorded = actions(book)
    assert final_sheets(payload, recorded) == INPUT_SHEETS + list(s.REPORT_TABLES)
    alert = recorded[-1]
    assert alert["func"] == "alert"
    assert alert["args"][:4] == [summary.message, "BDT partnerships report", "ok", "info"]


def test_settings_are_off_during_the_write_and_restored_after(payload):
    book = remote_book(payload)
    refresh_report(book)
    funcs = _funcs(book)
    first_write = funcs.index("addSheet")
    last_write = max(i for i, f in enumerate(funcs)
                     if f not in ("setScreenUpdating", "setCalculation", "alert"))
    assert funcs[:first_write] == ["setScreenUpdating", "setCalculation"]
    assert [a["args"] for a in actions(book)[:2]] == [[False], ["Manual"]]
    restored = actions(book)[last_write + 1:]
    assert [(a["func"], a["args"]) for a in restored] == [
        ("setCalculation", ["Automatic"]), ("setScreenUpdating", [True]),
        ("alert", restored[-1]["args"])]


def test_calculation_mode_unknown_is_left_alone(workbook):
    book = remote_book(payload_from_file(workbook, calculation=None))
    assert refresh_report(book).ok
    assert "setCalculation" not in _funcs(book)


def test_input_sheets_are_never_written(payload):
    book = remote_book(payload)
    refresh_report(book)
    recorded = actions(book)
    touched = {name for name, a in zip(sheet_names_of_actions(payload, recorded), recorded)
               if a["func"] != "activateSheet"}
    assert not touched & set(INPUT_SHEETS)


def test_live_tables_read_as_written(written, payload):
    live = read_live_tables(remote_book(payload))
    assert set(live) == set(INPUT_SHEETS)
    for name, rows in _row_counts().items():
        assert live[name].sheet == name
        assert live[name].header == HEADERS[name]
        assert live[name].sheet_rows == list(range(2, rows + 2))  # header on row 1
        assert len(live[name].rows) == rows
    data = written[1]
    with_na = {data.rows[i][s.AGREEMENT_ID] for i, e in data.errors.items() if e.kind == "#N/A"}
    assert len(with_na) == 2
    assert {row[0] for row in live[s.AGREEMENTS].rows if "#N/A" in row} == with_na  # as text


def test_tables_found_whatever_their_case_and_position(workbook):
    payload = payload_from_file(workbook)
    sheet = next(sh for sh in payload["sheets"] if sh["name"] == s.AGREEMENTS)
    sheet["tables"][0]["name"] = "AGREEMENTS"
    # move the table two rows down and one column right on a sheet called "Data"
    sheet["name"] = "Data"
    sheet["values"] = [[None] * (len(sheet["values"][0]) + 1)] * 2 + [
        [None] + row for row in sheet["values"]]
    table = sheet["tables"][0]
    from remote_book import table_payload
    rows = len(sheet["values"]) - 3
    sheet["tables"][0] = table_payload("AGREEMENTS", 2, 1, 2 + rows, len(sheet["values"][0]) - 1)
    assert table["name"] == "AGREEMENTS"
    live = read_live_tables(remote_book(payload))
    agreements = live[s.AGREEMENTS]
    assert agreements.sheet == "Data"
    assert agreements.sheet_rows[0] == 4  # header on sheet row 3
    assert agreements.header == HEADERS["Agreements"]
    assert len(agreements.rows) == ROWS


def test_plain_sheet_without_tables(workbook):
    payload = payload_from_file(workbook)
    for sheet in payload["sheets"]:
        sheet["tables"] = []
    tables = read_live_tables(remote_book(payload))
    for name, rows in _row_counts().items():
        assert len(tables[name].rows) == rows, name
        assert tables[name].header == HEADERS[name]


def test_missing_agreements_is_told_in_one_sentence(payload):
    other = {**payload, "sheets": [sheet_payload("Notes", [["hello"]])]}
    book = remote_book(other)
    summary = refresh_report(book)
    assert not summary.ok
    assert summary.message.startswith("This workbook has no Excel Table named 'Agreements'")
    assert "\n" not in summary.message
    assert _funcs(book) == ["alert"]
    assert actions(book)[0]["args"][3] == "critical"


def test_unexpected_error_keeps_the_old_report_and_restores_settings(payload, monkeypatch):
    fail_chart_add(monkeypatch, on_call=3)
    old = [sheet_payload(name, [[REFRESH_SENTENCE["en"]]]) for name in s.REPORT_TABLES]
    payload = {**payload, "sheets": payload["sheets"] + old}
    book = remote_book(payload)
    summary = refresh_report(book)  # no exception escapes: xlwings would show a traceback
    assert not summary.ok
    assert summary.message == (
        "The report could not be refreshed because of an unexpected error (RuntimeError: "
        "Excel refused the chart); the previous report sheets are unchanged.")
    assert "Traceback" in summary.details
    recorded = actions(book)
    assert final_sheets(payload, recorded) == [sheet["name"] for sheet in payload["sheets"]]
    deleted = [name for name, a in zip(sheet_names_of_actions(payload, recorded), recorded)
               if a["func"] == "sheetDelete"]
    assert deleted and all(name.startswith(TEMP_SHEET_PREFIX) for name in deleted)
    assert [(a["func"], a["args"]) for a in recorded[-3:-1]] == [
        ("setCalculation", ["Automatic"]), ("setScreenUpdating", [True])]
    assert recorded[-1]["func"] == "alert" and recorded[-1]["args"][3] == "critical"


def test_unexpected_error_propagates_when_no_message_can_be_shown(payload, monkeypatch):
    import xlwings

    def no_alert(self, *args, **kwargs):
        raise NotImplementedError("no message boxes here")

    def boom(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(xlwings.main.App, "alert", no_alert)
    monkeypatch.setattr("bdt_xl.excel.macros.build_layout", boom)
    with pytest.raises(RuntimeError, match="boom"):
        refresh_report(remote_book(payload))


def test_book_defaults_to_the_caller(payload, monkeypatch):
    import xlwings

    book = remote_book(payload)
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    assert refresh_report().ok
    assert "addSheet" in _funcs(book)


def test_second_click_replaces_the_report(workbook, tmp_path):
    from bdt_xl.files.inplace import refresh_in_place

    copy = tmp_path / "twice.xlsx"
    copy.write_bytes(workbook.read_bytes())
    refresh_in_place(copy, backup=False)
    payload = payload_from_file(copy)
    book = remote_book(payload)
    assert refresh_report(book).ok
    after = final_sheets(payload, actions(book))
    assert sorted(after) == sorted(sheet["name"] for sheet in payload["sheets"])
    assert len(after) == len(set(after))


def test_the_shipped_workbook_refreshes(tmp_path):
    assert SHIPPED.exists(), "build it: python scripts/build_workbook.py"
    payload = payload_from_file(SHIPPED)
    book = remote_book(payload)
    summary = refresh_report(book)
    assert summary.ok, summary.message
    names = [sheet["name"] for sheet in payload["sheets"]]
    after = final_sheets(payload, actions(book))
    assert after[:len(names)] == names  # "How to use", "xlwings.conf" kept, in place
    assert after[len(names):] == list(s.REPORT_TABLES)


def test_message_wording():
    report = Report(tables={}, periods=[], report_year=None, through=None, rows_read=1)
    assert refreshed_message(report) == "Report refreshed: 1 row used, none excluded."
    report.rows_read, report.rows_excluded, report.warnings = 1210, 6, 1
    assert refreshed_message(report) == ("Report refreshed: 1,204 rows used, 6 excluded, "
                                         "1 warning (see the Issues sheet).")
    report.rows_excluded, report.warnings, report.fallback_rates_used = 0, 2, 3
    assert refreshed_message(report) == (
        "Report refreshed: 1,210 rows used, none excluded, 2 warnings (see the Issues sheet). "
        "3 amounts were converted with the fallback rates, not the UN operational rates.")


def test_a_stand_in_sheet_starts_at_its_first_filled_row(workbook):
    payload = payload_from_file(workbook)
    for sheet in payload["sheets"]:
        sheet["tables"] = []
        if sheet["name"] == s.RATES:
            width = len(sheet["values"][0])
            sheet["values"] = [[None] * width, [None] * width] + sheet["values"]
            sheet["name"] = " rates "  # named like the table, case and spaces aside
    rates = read_live_tables(remote_book(payload))[s.RATES]
    assert rates.sheet == " rates "
    assert rates.header == HEADERS["Rates"]
    assert rates.sheet_rows[0] == 4  # header on sheet row 3, after two blank rows
    assert len(rates.rows) == _row_counts()["Rates"]


def test_tell_user_shows_one_sentence_titled_like_every_macro(payload):
    book = remote_book(payload)
    assert tell_user(book, "Imported 12 rates.") is True
    assert tell_user(book, RefreshSummary(False, "No file chosen."), critical=True) is True
    alerts = [a["args"][:4] for a in actions(book)]
    assert alerts == [["Imported 12 rates.", "BDT partnerships report", "ok", "info"],
                      ["No file chosen.", "BDT partnerships report", "ok", "critical"]]


def test_no_rates_table_is_one_sentence_and_no_report(payload):
    sheets = [sheet for sheet in payload["sheets"] if sheet["name"] != "Rates"]
    assert len(sheets) == len(payload["sheets"]) - 1
    book = remote_book({**payload, "sheets": sheets})
    summary = refresh_report(book)
    assert not summary.ok
    assert "has no Rates table" in summary.message and "ECB fallback" in summary.message
    assert "\n" not in summary.message
    assert _funcs(book) == ["alert"]  # nothing written: the sentence only
