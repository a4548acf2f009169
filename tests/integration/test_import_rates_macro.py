"""The Import UN rates button on xlwings' remote engine: what it would write into the open
workbook (cells, formats, the table's new size, the drop-down list) and what it says."""

from __future__ import annotations

import sys
import types
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from remote_book import actions, payload_from_file, remote_book
from un_rates_files import record, text_file, xml_file

from bdt_xl import schema as s
from bdt_xl.excel.import_rates import (
    BUTTON_CAPTION,
    NO_DIALOG,
    clicked_import_button,
    import_un_rates,
)
from bdt_xl.workbooks.macro_workbook import build_macro_workbook

OCT = date(2025, 10, 1)
AGREEMENTS = [["R1", "Alpha", "Governmental entities", "ADMIN", "Africa",
               "Affordable connectivity", date(2025, 10, 15), "BRL", 5100, None]]
RATES = [("CHF", date(2025, 9, 1), 0.80), ("EUR", OCT, 0.862)]
UN = [("FRANCE", "Euro", "EUR", "01 Oct 2025", "0.862"),
      ("BRAZIL", "Real", "BRL", "01 Oct 2025", "5.1"),
      ("UNITED STATES", "US Dollar", "USD", "01 Oct 2025", "1"),
      ("JAPAN", "Yen", "JPY", "01 Oct 2025", "147.35"),
      ("GERMANY", "Euro", "EUR", "01 Oct 2025", "0.862")]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rates_macro") / "Partnerships.xlsm"
    build_macro_workbook(path, AGREEMENTS, RATES, None)
    return path


def payload_with_currencies(path: Path) -> dict:
    """The client's JSON, with the defined name behind the Currency drop-down."""
    payload = payload_from_file(path)
    defined = load_workbook(path).defined_names["Currencies"]
    [(sheet, ref)] = list(defined.destinations)
    index = [sh["name"] for sh in payload["sheets"]].index(sheet)
    payload["names"] = [{"name": "Currencies", "refers_to": f"={defined.attr_text}",
                         "sheet_index": index, "address": ref.replace("$", ""),
                         "book_scope": True, "scope_sheet_name": None,
                         "scope_sheet_index": None}]
    return payload


def writes(book) -> list[tuple]:
    return [(a["func"], a["sheet_position"], a["start_row"], a["start_column"], a["values"]
             if a["func"] == "setValues" else a["args"]) for a in actions(book)
            if a["func"] in ("setValues", "setNumberFormat", "resizeTable", "setNameRefersTo")]


def test_import_appends_below_the_table_and_tells_how_many(tmp_path, workbook):
    src = tmp_path / "UN rates.xml"
    src.write_bytes(xml_file(*(record(*r) for r in UN)))
    book = remote_book(payload_with_currencies(workbook))
    summary = import_un_rates(book, src)
    assert summary.ok, summary.message
    assert summary.message == ("UN rates.xml: 2 rates added, 1 already there. Click Refresh "
                               "report to use them.")
    assert summary.rows == (4, 5)  # header on row 1, two rates on rows 2-3
    sheets = [sheet.name for sheet in book.sheets]
    r, lists = sheets.index(s.RATES), sheets.index(s.LISTS)
    # Rates: rows 4-5 (0-based 3-4), columns A-C; Lists: codes I5:I6 below USD, CHF, EUR
    assert writes(book) == [
        ("setValues", r, 3, 0, [["BRL"], ["JPY"]]),
        ("setValues", r, 3, 1, [["2025-10-01"], ["2025-10-01"]]),
        ("setNumberFormat", r, 3, 1, ["yyyy-mm-dd"]),
        ("setValues", r, 3, 2, [[5.1], [147.35]]),
        ("setNumberFormat", r, 3, 2, ["0.0000"]),
        ("resizeTable", r, None, None, [0, "$A$1:$C$5"]),
        ("setValues", lists, 4, 8, [["BRL"], ["JPY"]]),
        ("setNameRefersTo", None, None, None,
         ["Currencies", True, None, f"='{s.LISTS}'!$I$2:$I$6"]),
    ]
    funcs = [a["func"] for a in actions(book)]
    assert funcs[:2] == ["setScreenUpdating", "setCalculation"]
    assert funcs[-3:] == ["setCalculation", "setScreenUpdating", "alert"]
    assert actions(book)[-1]["args"][:4] == [summary.message, "Import UN rates", "ok", "info"]


def test_nothing_new_writes_nothing(tmp_path, workbook):
    src = tmp_path / "rates.txt"
    src.write_bytes(text_file([UN[0], UN[2], UN[4]]))
    book = remote_book(payload_from_file(workbook))
    summary = import_un_rates(book, src)
    assert summary.message == "rates.txt: 0 rates added, 1 already there."
    assert [a["func"] for a in actions(book)] == ["alert"]


def test_a_conflict_writes_nothing_and_says_why(tmp_path, workbook):
    src = tmp_path / "rates.txt"
    src.write_bytes(text_file([*UN, ("AUSTRIA", "Euro", "EUR", "01 Oct 2025", "0.87")]))
    book = remote_book(payload_from_file(workbook))
    summary = import_un_rates(book, src)
    assert not summary.ok
    assert summary.message.startswith("rates.txt gives EUR two different rates from 1 October "
                                      "2025: 0.862 (line 1, FRANCE) and 0.87 (line 6, AUSTRIA)")
    recorded = actions(book)
    assert [a["func"] for a in recorded] == ["alert"]
    assert recorded[0]["args"][:4] == [summary.message, "Import UN rates", "ok", "critical"]


def test_a_bad_file_is_one_sentence_in_the_message_box(tmp_path, workbook):
    src = tmp_path / "rates.txt"
    src.write_bytes(b"BRAZIL\tReal\tBRL\t1st October\t5.1\n")
    book = remote_book(payload_from_file(workbook))
    summary = import_un_rates(book, src)
    assert summary.message.startswith("rates.txt, line 1, BRAZIL: the effective date "
                                      "“1st October” is not a date")
    assert summary.details is None and "Traceback" not in summary.message


def test_without_a_file_dialog_the_command_is_suggested(workbook):
    book = remote_book(payload_from_file(workbook))
    if sys.platform == "darwin":  # pragma: no cover - the Mac dialog is osascript's
        pytest.fail("run this test where Excel's dialog goes through app.api")
    summary = import_un_rates(book)
    assert summary.message == NO_DIALOG
    assert [a["func"] for a in actions(book)] == ["alert"]


class _FakeApi:
    """The two COM members the button check reads (Application.Caller, the sheet's Buttons)."""
    def __init__(self, caller, caption):
        self.Caller = caller
        self.ActiveSheet = types.SimpleNamespace(Buttons=lambda name: types.SimpleNamespace(
            Caption=caption if name == caller else "?"))


def test_the_clicked_button_is_told_by_its_caption(workbook):
    def book(caller, caption, active=s.AGREEMENTS):
        return types.SimpleNamespace(
            app=types.SimpleNamespace(api=_FakeApi(caller, caption)),
            sheets=types.SimpleNamespace(active=types.SimpleNamespace(name=active)))
    assert clicked_import_button(book("Button 3", BUTTON_CAPTION))
    assert not clicked_import_button(book("Button 1", "Refresh report", active=s.RATES))
    # Alt+F8 (the caller is an error value): the active sheet decides
    assert not clicked_import_button(book(-2146826265, BUTTON_CAPTION))
    assert clicked_import_button(book(-2146826265, BUTTON_CAPTION, active=s.RATES))


def test_without_a_caller_the_rates_sheet_means_import(workbook):
    """The remote engine (and macOS Excel) cannot name the caller: the active sheet does."""
    payload = payload_from_file(workbook)
    names = [sheet["name"] for sheet in payload["sheets"]]
    assert not clicked_import_button(remote_book(payload_from_file(
        workbook, active=names.index(s.AGREEMENTS))))
    assert clicked_import_button(remote_book(payload_from_file(
        workbook, active=names.index(s.RATES))))


# -- the button in the built workbook and the .py it runs ----------------------------------------
def test_the_rates_sheet_has_the_import_button(workbook):
    from test_macro_workbook import buttons

    assert buttons(workbook, s.RATES) == {(BUTTON_CAPTION, "[0]!SampleCall")}


def test_the_workbook_module_runs_the_import_for_that_button(monkeypatch, tmp_path):
    from bdt_xl.workbooks.macro_workbook import write_entry_module

    calls = []
    fake_rates = types.ModuleType("bdt_xl.excel.import_rates")
    fake_rates.clicked_import_button = lambda: True
    fake_rates.import_un_rates = lambda: calls.append("import")
    fake_macros = types.ModuleType("bdt_xl.excel.macros")
    fake_macros.refresh_report = lambda: calls.append("refresh")
    monkeypatch.setitem(sys.modules, "bdt_xl.excel.import_rates", fake_rates)
    monkeypatch.setitem(sys.modules, "bdt_xl.excel.macros", fake_macros)
    module_path = write_entry_module(tmp_path / "Book.xlsm")
    namespace: dict = {}
    exec(compile(module_path.read_text(encoding="utf-8"), str(module_path), "exec"), namespace)
    namespace["main"]()
    fake_rates.clicked_import_button = lambda: False
    namespace["main"]()
    assert calls == ["import", "refresh"]
