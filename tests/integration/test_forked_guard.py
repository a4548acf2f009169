"""The guard's look taken by a forked copy of the process answers exactly what the guard
here answers, refuses what it refuses in the same sentence, and when the copy is killed the
reading thread takes the look itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hostile_files import small_table, zip_bomb

from bdt_xl.errors import NotAWorkbook, WorkbookError
from bdt_xl.files.forked_guard import ForkedGuard
from bdt_xl.files.guarded_package import Package, guarded, with_hidden_cells

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the guard forks on Linux only")

HEADER = ["Agreement ID", "Partner", "Partner type", "ITU membership", "Region", "Priority",
          "Signed on", "Currency", "Partner amount", "ITU amount"]


def hidden_cells_book(path: Path, date_1904: bool = False) -> Path:
    """Three agreements at B3 (header on row 3); row 5's ITU amount is ``=I4/2`` with the 0
    XlsxWriter caches, row 6's partner amount is the error value #N/A."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = book.add_worksheet("Agreements")
    rows = [["A-1", "Alpha", "Academia", "Non-member", "Africa", "Affordable connectivity",
             "2023-02-01", "USD", 1000, 0],
            ["A-2", "Beta", "Academia", "Non-member", "Europe", "Affordable connectivity",
             "2023-03-01", "USD", 500, None],
            ["A-3", "Gamma", "Academia", "Non-member", "Europe", "Affordable connectivity",
             "2023-04-01", "USD", None, 0]]
    sheet.add_table(2, 1, 2 + len(rows), len(HEADER), {
        "name": "Agreements", "data": rows, "columns": [{"header": h} for h in HEADER]})
    sheet.write_formula(4, 10, "=I4/2", None, 0)           # K5
    sheet.write_formula(5, 9, "=NA()", None, "#N/A")       # J6
    book.close()
    return path


def answered(path: Path) -> Package:
    guard = ForkedGuard.start(path)
    assert guard is not None, "this test process should fork"
    package = guard.package()
    guard.complete(package)
    with pytest.raises(ChildProcessError):  # the copy has been reaped
        os.waitpid(guard._pid or -1, os.WNOHANG)
    return package


def facts(package: Package) -> tuple:
    source = package.source
    return (source if isinstance(source, Path) else source.getvalue(), package.date1904,
            package.recalculate_on_open, package.cut_sheets,
            {sheet: (seen.grid_cells, seen.formulas, seen.errors)
             for sheet, seen in package.looks.items()})


def test_hidden_cells_are_found_by_the_copy_where_they_are(tmp_path):
    package = answered(hidden_cells_book(tmp_path / "hidden.xlsx"))
    seen = package.looks["Agreements"]
    assert seen.errors == {(5, 9): "#N/A"}                  # J6, 0-based
    assert set(seen.formulas) == {(4, 10), (5, 9)}          # K5 and J6
    assert seen.formulas[(4, 10)].formula == "I4/2" and seen.formulas[(4, 10)].cached == "0"
    assert package.recalculate_on_open  # XlsxWriter asks Excel to recalculate on opening
    assert facts(package) == facts(guarded(tmp_path / "hidden.xlsx"))


@pytest.mark.parametrize("make", [
    lambda tmp: hidden_cells_book(tmp / "mac.xlsx", date_1904=True),
    lambda tmp: small_table(tmp / "far.xlsx", "XFD1048576"),   # cut to the table
    lambda tmp: small_table(tmp / "plain.xlsx"),
    lambda tmp: Path(__file__).parents[2] / "workbook" / "BDT_Partnerships.xlsm",
], ids=["1904", "far-away-cell", "plain", "bundled-sample"])
def test_the_copy_answers_what_the_guard_here_answers(tmp_path, make):
    path = make(tmp_path)
    package = answered(path)
    assert facts(package) == facts(guarded(path))
    if path.name == "far.xlsx":
        assert package.cut_sheets == ["Agreements"] and not isinstance(package.source, Path)


def test_the_copy_refuses_a_zip_bomb_in_the_guard_s_own_sentence(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", mib=1024)
    with pytest.raises(NotAWorkbook) as here:
        guarded(path)
    guard = ForkedGuard.start(path)
    with pytest.raises(NotAWorkbook) as there:
        guard.package()
    assert str(there.value) == str(here.value) and isinstance(there.value, WorkbookError)


def test_a_killed_copy_leaves_the_look_to_the_reading_thread(tmp_path):
    path = hidden_cells_book(tmp_path / "hidden.xlsx")
    guard = ForkedGuard.start(path)
    os.kill(guard._pid, signal.SIGKILL)  # before (or while) it answers
    package = guard.package()
    guard.complete(package)
    assert facts(package) == facts(guarded(path))
    assert package.looks["Agreements"].errors == {(5, 9): "#N/A"}


def test_the_second_half_alone_finds_the_hidden_cells(tmp_path):
    """What the reading thread does when the copy dies between its two answers."""
    path = hidden_cells_book(tmp_path / "hidden.xlsx")
    first = guarded(path, hidden=False)
    assert first.looks["Agreements"].errors == {} and first.looks["Agreements"].formulas == {}
    with_hidden_cells(first, path)
    assert facts(first) == facts(guarded(path))


def test_no_fork_while_another_thread_runs(tmp_path):
    path = small_table(tmp_path / "plain.xlsx")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert ForkedGuard.start(path) is None
    finally:
        stop.set()
        other.join()


_WITH_A_THREAD = ("import sys, threading; threading.Thread(target=threading.Event().wait, "
                  "daemon=True).start(); from bdt_xl.cli import run; sys.exit(run())")


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_a_refresh_reports_the_same_with_and_without_the_forked_guard(tmp_path):
    source = hidden_cells_book(tmp_path / "hidden.xlsx")
    outs = {}
    for how, command in (("forked", ["-m", "bdt_xl.cli"]), ("here", ["-c", _WITH_A_THREAD])):
        out = tmp_path / f"{how}.xlsx"
        done = subprocess.run([sys.executable, *command, "refresh", str(source), "--out",
                               str(out)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert zipfile.ZipFile(out).testzip() is None
        outs[how] = (done.stdout.replace(str(out), "OUT").replace(out.name, "OUT"),
                     sheet_values(out))
    assert outs["forked"] == outs["here"]
    assert outs["forked"][0].startswith("Read 3 agreement rows: 1 used, 2 excluded")
    issues = outs["forked"][1]["Issues"]
    assert any(5 in row and "formula" in " ".join(map(str, row)).lower() for row in issues)
    assert any(6 in row and "#N/A" in row for row in issues)


def test_the_second_half_adds_nothing_to_a_package_the_guard_could_not_look_into(tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_text("Agreement ID;Partner\nA-1;Alpha\n", encoding="utf-8")  # a CSV, renamed
    package = guarded(path)
    assert package.looks == {}
    with_hidden_cells(package, path)  # no zip to open: nothing to add, nothing raised
    assert package.looks == {}
