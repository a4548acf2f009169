"""The Refresh report macro checks that the workbook's VBA and this Python's xlwings agree,
on xlwings' remote engine (it records what the macro would do in Excel)."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwings
from remote_book import actions, payload_from_file, remote_book

from bdt_xl.excel.macros import refresh_report
from bdt_xl.excel.version_check import mismatch, workbook_xlwings_version

SHIPPED = Path(__file__).resolve().parents[2] / "workbook" / "BDT_Partnerships.xlsm"


def _payload(recorded: str | None) -> dict:
    payload = payload_from_file(SHIPPED)
    if recorded is not None:  # the defined name as Excel sends it
        payload["names"] = [{"name": "BDT_xlwings_version", "refers_to": f'="{recorded}"',
                             "book_scope": True, "scope_sheet_name": None,
                             "scope_sheet_index": None, "sheet_index": None, "address": None}]
    return payload


def test_other_version_refuses_with_one_sentence_and_writes_nothing():
    book = remote_book(_payload("0.30.0"))
    summary = refresh_report(book)
    assert not summary.ok
    assert summary.message.count(". ") == 0 and summary.message.endswith(".")
    assert "built for xlwings 0.30.0" in summary.message
    assert f"this Python has xlwings {xlwings.__version__}" in summary.message
    assert "pip install xlwings==0.30.0" in summary.message
    assert "bdt-xl new-workbook" in summary.message
    recorded = actions(book)
    assert [a["func"] for a in recorded] == ["alert"]  # the message box, no sheet touched
    assert recorded[0]["args"][0] == summary.message


def test_same_version_refreshes():
    book = remote_book(_payload(xlwings.__version__))
    assert workbook_xlwings_version(book) == xlwings.__version__
    summary = refresh_report(book)
    assert summary.ok, summary.message
    assert summary.rows_read == 101


def test_workbook_without_the_record_is_not_refused():
    book = remote_book(_payload(None))
    assert workbook_xlwings_version(book) is None
    assert refresh_report(book).ok


@pytest.mark.parametrize("recorded, installed, expected", [
    ("0.37.8", "0.37.8", None),
    (None, "0.37.8", None),
    ("0.37.8", "0.38.0", "pip install xlwings==0.37.8"),
])
def test_mismatch_sentence(recorded, installed, expected):
    message = mismatch(recorded, installed)
    assert message == expected if expected is None else expected in message
