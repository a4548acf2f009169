"""Live-Excel stand-in for the tests: xlwings' remote engine on a payload built from a file.

The remote engine (xlwings Server/Lite) records every write as an action instead of talking
to Excel, so a test can run the refresh macro on Linux and assert on what it would have done.
It needs a license key; the free ``noncommercial`` key is set here, for the tests only. When
another test module imported xlwings first (without the key), the engine is registered late.
Without the engine the tests fail (they never skip).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

import pytest


def xlwings_remote():
    """xlwings with its remote engine available (tests only: noncommercial key).

    The key is only set while xlwings checks it (at import), so it does not leak into other
    tests of the same run.
    """
    before = os.environ.get("XLWINGS_LICENSE_KEY")
    os.environ["XLWINGS_LICENSE_KEY"] = before or "noncommercial"
    try:
        import xlwings as xw

        if "remote" not in [engine.name for engine in xw.engines]:
            try:
                from xlwings.main import Engine
                from xlwings.pro import _xlremote
            except (ImportError, xw.LicenseError) as exc:  # pragma: no cover
                # A missing engine would hide every live-Excel test: fail, never skip.
                pytest.fail(f"xlwings' remote engine is not available: {exc}")
            xw.engines.add(Engine(impl=_xlremote.engine))
    finally:
        if before is None:
            del os.environ["XLWINGS_LICENSE_KEY"]
    return xw


def _cell(value):
    if isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        return value.isoformat(timespec="milliseconds") + "Z"
    return value


def sheet_payload(name: str, values=None, tables=()) -> dict:
    return {"name": name, "values": values or [[]], "tables": list(tables), "charts": [],
            "pictures": [], "shapes": [], "notes": [], "visibility": "Visible",
            "print_area": None}


def table_payload(name: str, r0: int, c0: int, r1: int, c1: int) -> dict:
    """An Excel Table from 0-based header row ``r0`` to last row ``r1``."""
    from xlsxwriter.utility import xl_range

    return {"name": name, "range_address": xl_range(r0, c0, r1, c1),
            "header_row_range_address": xl_range(r0, c0, r0, c1),
            "data_body_range_address": xl_range(r0 + 1, c0, r1, c1),
            "total_row_range_address": None, "show_headers": True, "show_totals": False,
            "table_style": "TableStyleMedium2", "show_autofilter": True}


def payload_from_file(path, calculation: str | None = "Automatic", active: int = 0) -> dict:
    """The JSON an Excel client sends for the workbook at ``path`` (values, tables).

    Error cells (``#N/A``) are put back as their text, as Excel sends them.
    """
    from python_calamine import CalamineWorkbook

    from bdt_xl.files.reader import _error_cells

    xw = xlwings_remote()
    path = Path(path)
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    errors = _error_cells(path)
    sheets = {}
    for name in book.sheet_names:
        grid = [[_cell(v) for v in row]
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for (r, c), text in errors.get(name, {}).items():
            if r < len(grid) and c < len(grid[r]):
                grid[r][c] = text
        sheets[name] = sheet_payload(name, grid or [[]])
    for name in book.table_names:
        table = book.get_table_by_name(name)
        (r0, c0), (r1, c1) = table.start, table.end  # calamine: start = first data row
        sheets[table.sheet]["tables"].append(table_payload(name, r0 - 1, c0, r1, c1))
    info = {"name": path.name, "active_sheet_index": active, "selection": "A1"}
    if calculation is not None:
        info["calculation"] = calculation
    return {"client": "Microsoft Office Scripts", "version": xw.__version__, "book": info,
            "names": [], "sheets": list(sheets.values())}


def remote_book(payload: dict):
    """A book on the remote engine (which edits its payload: it gets a copy)."""
    xw = xlwings_remote()
    return xw.Book(json=copy.deepcopy(payload))


def actions(book) -> list[dict]:
    return book.json()["actions"]


def final_sheets(payload: dict, recorded: list[dict]) -> list[str]:
    """The sheet names, in order, once Excel has applied the recorded actions."""
    names = [sheet["name"] for sheet in payload["sheets"]]
    for action in recorded:
        func, args = action["func"], action["args"]
        if func == "addSheet":
            names.insert(args[0], args[1])
        elif func == "sheetDelete":
            del names[action["sheet_position"]]
        elif func == "setSheetName":
            names[action["sheet_position"]] = args if isinstance(args, str) else args[0]
    return names


def sheet_names_of_actions(payload: dict, recorded: list[dict]) -> list[str | None]:
    """For each action, the name of the sheet it targets at that moment (None: book-wide)."""
    names = [sheet["name"] for sheet in payload["sheets"]]
    targets = []
    for action in recorded:
        func, args, position = action["func"], action["args"], action["sheet_position"]
        if func == "addSheet":
            names.insert(args[0], args[1])
            targets.append(args[1])
            continue
        targets.append(names[position] if position is not None else None)
        if func == "sheetDelete":
            del names[position]
        elif func == "setSheetName":
            names[position] = args if isinstance(args, str) else args[0]
    return targets


def fail_chart_add(monkeypatch, on_call: int) -> None:
    """Make the ``on_call``-th chart creation raise, as Excel might halfway through a write."""
    import functools

    import xlwings

    real_add, calls = xlwings.main.Charts.add, []

    @functools.wraps(real_add)
    def failing_add(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == on_call:
            raise RuntimeError("Excel refused the chart")
        return real_add(self, *args, **kwargs)
    monkeypatch.setattr(xlwings.main.Charts, "add", failing_add)
