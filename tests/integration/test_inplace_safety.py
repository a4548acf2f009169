"""In-place refresh never destroys what the user made (issue 8 A): ownership mark and
clashes, rich text and document properties, lock and races, atomic backups, links, owner and
permissions, typed cells on report sheets, full recalculation on open. Real files built here.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.comments import Comment
from report_cells import REFRESH_SENTENCE, table_bounds

from bdt_xl import schema as s
from bdt_xl.core.pipeline import Options
from bdt_xl.errors import (
    EXIT_IN_USE,
    EXIT_WOULD_LOSE,
    WorkbookInUse,
    WouldLoseFeatures,
    exit_code,
)
from bdt_xl.files import safe_write
from bdt_xl.files.inplace import file_safety, refresh_in_place, rewrite_in_place
from bdt_xl.files.inplace.file_safety import workbook_lock
from bdt_xl.files.reader import read_workbook
from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_dataset,
    synthetic_rates,
)

# the SPEC's report sheet names, written out (not taken from the code)
SUMMARY = "Summary"
ISSUES = "Issues"
MARK = "BDT report sheets"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def others(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p != path)


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def book(path: Path, customize=None, properties=None) -> Path:
    data = synthetic_dataset(40, seed=2, error_rate=0.05)
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, 2)

    def more(workbook: xlsxwriter.Workbook, refs) -> None:
        if properties:
            workbook.set_properties(properties)
        if customize:
            customize(workbook)

    write_input_workbook(path, data.rows, rates, {s.SETTING_LANGUAGE: "en"}, customize=more)
    return path


def refused(path: Path, kind, **kwargs):
    before = digest(path)
    with pytest.raises(kind) as caught:
        refresh_in_place(path, **kwargs)
    assert digest(path) == before
    assert "\n" not in str(caught.value)
    return caught.value


def assert_new_layout(path: Path, language: str = "en") -> None:
    """Every report sheet: the sentence in A1 in the report's language, row 2 empty, the
    report's table from A3 (no table on rows 1-2), its header repeated when printed."""
    wb = load_workbook(path)
    for name in s.REPORT_TABLES:
        ws = wb[name]
        assert ws["A1"].value == REFRESH_SENTENCE[language], name
        assert ws["A1"].font.i, name
        assert all(table_bounds(ws, table)[0] >= 3 for table in ws.tables), name
        assert table_bounds(ws, name)[:2] == (3, 1), name
        assert all(cell.value is None for cell in ws[2]), name
        assert ws.print_title_rows == "$3:$3", name


# -- 1. ownership -------------------------------------------------------------------------------
def test_mark_lists_report_sheets_and_sentence_on_each(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path)
    custom = part(path, "docProps/custom.xml").decode()
    assert MARK in custom and f"{SUMMARY}:{SUMMARY}" in custom and f"{ISSUES}:{ISSUES}" in custom
    assert_new_layout(path)
    assert load_workbook(path)[SUMMARY]["A1"].comment is None  # visible text, no cell note
    again = refresh_in_place(path)  # the mark makes the second refresh recognise its sheets
    assert again.notes == []  # and the sentence on A1 is the report's own, not typed text
    assert_new_layout(path)


def test_the_sentence_follows_the_report_language(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path)
    assert_new_layout(path, "en")
    switched = refresh_in_place(path, Options(language="fr"))  # the English one is ours too
    assert switched.notes == []
    assert_new_layout(path, "fr")


@pytest.mark.parametrize("typed", [
    [(SUMMARY, "A1", "my own title"), (ISSUES, "A1", "=1+1")],  # over the refresh sentence
    [(SUMMARY, "Z50", "my note"), (SUMMARY, "Z51", "=1+1")],  # beside the table
], ids=["over-the-sentence", "beside-the-table"])
def test_cells_typed_on_a_report_sheet_refused_unless_forced(tmp_path, typed):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path)
    wb = load_workbook(path)
    for sheet, cell, value in typed:
        wb[sheet][cell] = value
    wb.save(path)
    error = refused(path, WouldLoseFeatures)
    assert all(f"'{sheet}'!{cell}" in str(error) for sheet, cell, _ in typed)
    assert "--force" in str(error) and exit_code(error) == EXIT_WOULD_LOSE
    forced = refresh_in_place(path, force=True)
    sheet, cell, _ = typed[0]
    assert any(f"'{sheet}'!{cell}" in note for note in forced.notes)
    assert_new_layout(path)
    if cell != "A1":
        assert load_workbook(path)[sheet][cell].value is None


def _previous_version_report(path: Path, monkeypatch) -> Path:
    """``path`` refreshed in place as the previous version did: every report table at A1,
    no sentence above it, the sentence only as a cell note on A1 (and the mark)."""
    from bdt_xl.layout import report_layout

    with monkeypatch.context() as old:
        old.setattr(report_layout, "TABLE_ROW", 1)
        old.setattr(report_layout, "banner", lambda text, block: None)
        refresh_in_place(path, backup=False)
    wb = load_workbook(path)
    for name in s.REPORT_TABLES:
        wb[name]["A1"].comment = Comment(REFRESH_SENTENCE["en"], "bdt-xl")
    wb.save(path)
    wb = load_workbook(path)  # what the previous version left, checked
    for name in s.REPORT_TABLES:
        assert table_bounds(wb[name], name)[:2] == (1, 1) and wb[name]["A1"].comment, name
    assert wb[SUMMARY]["A1"].value == s.PERIOD and wb[ISSUES]["A1"].value == "Row"
    return path


def test_report_of_the_previous_layout_is_refreshed_to_the_new_one(tmp_path, monkeypatch):
    path = _previous_version_report(book(tmp_path / "Book.xlsx"), monkeypatch)
    done = refresh_in_place(path)
    assert done.notes == []  # nothing typed, nothing lost: its cells were all in its tables
    assert_new_layout(path)
    assert load_workbook(path)[SUMMARY]["A1"].comment is None


@pytest.mark.parametrize("clash, named", [
    (lambda wb: wb.add_worksheet("summary").write("A1", "mine"), "sheet 'summary'"),
    (lambda wb: wb.add_worksheet("Mine").add_table("A1:B3", {"name": "ISSUES"}),
     "table 'ISSUES'"),
    (lambda wb: wb.define_name("Summary", "=Agreements!$A$1"), "defined name 'Summary'"),
])
def test_clash_with_a_report_name_is_refused_even_forced(tmp_path, clash, named):
    path = book(tmp_path / "Book.xlsx", clash)
    for force in (False, True):
        error = refused(path, WouldLoseFeatures, force=force)
        assert named in str(error) and "rename" in str(error)
        assert exit_code(error) == EXIT_WOULD_LOSE
    assert others(path) == []


def _without_mark(path: Path) -> None:
    """What a report written before the mark existed looks like."""
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == "docProps/custom.xml":
                data = re.sub(rb"<property [^>]*BDT report sheets.*?</property>", b"", data)
            out.writestr(info, data)


def test_old_unmarked_report_recognised_by_its_layout(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path)
    _without_mark(path)
    assert MARK.encode() not in part(path, "docProps/custom.xml")
    assert refresh_in_place(path).notes == []
    assert MARK.encode() in part(path, "docProps/custom.xml")


def test_old_unmarked_report_of_the_previous_layout_recognised(tmp_path, monkeypatch):
    """Written before the mark and before the sentence: tables at A1, still recognised once
    by their names and columns, and rewritten in the new layout."""
    path = _previous_version_report(book(tmp_path / "Book.xlsx"), monkeypatch)
    _without_mark(path)
    assert MARK.encode() not in part(path, "docProps/custom.xml")
    assert refresh_in_place(path).notes == []
    assert MARK.encode() in part(path, "docProps/custom.xml")
    assert_new_layout(path)


def test_unmarked_sheet_with_another_layout_is_not_ours(tmp_path):
    def mine(wb):
        wb.add_worksheet(SUMMARY).add_table("A1:C4", {"name": "Summary", "columns": [
            {"header": "Period"}, {"header": "My figure"}, {"header": "Other"}]})
    path = book(tmp_path / "Book.xlsx", mine)
    error = refused(path, WouldLoseFeatures, force=True)
    assert f"sheet '{SUMMARY}'" in str(error)


# -- 2. rich text and document properties ----------------------------------------------------
def test_rich_text_and_document_properties_kept(tmp_path):
    def rich(wb):
        ws = wb.add_worksheet("Notes")
        ws.write_rich_string("A1", "plain ", wb.add_format({"bold": True, "color": "red"}),
                             "bold red", " end")
    path = book(tmp_path / "Book.xlsx", rich, {"company": "ITU BDT", "manager": "M. Dupont",
                                               "category": "Partnerships", "title": "T1"})
    refresh_in_place(path)
    app, core = part(path, "docProps/app.xml"), part(path, "docProps/core.xml")
    assert b"<Company>ITU BDT</Company>" in app and b"<Manager>M. Dupont</Manager>" in app
    assert b"Partnerships" in core and b"T1" in core
    ws = load_workbook(path, rich_text=True)["Notes"]
    bold = [str(r.text) for r in ws["A1"].value if hasattr(r, "font") and r.font and r.font.b]
    assert bold == ["bold red"]
    assert "".join(str(r.text) if hasattr(r, "text") else r for r in ws["A1"].value) == \
        "plain bold red end"


# -- 3. lock and a save that lands meanwhile -------------------------------------------------
def test_second_refresh_waits_then_exits_5(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    with workbook_lock(path):
        error = refused(path, WorkbookInUse, lock_wait=0.3)
    assert "another run" in str(error) and exit_code(error) == EXIT_IN_USE
    assert others(path) == []
    refresh_in_place(path)  # the lock is gone with its holder


def test_save_landing_while_the_backup_is_written(tmp_path, monkeypatch):
    """The user's save lands after the first check, while the backup is copied: their
    version stays, no backup and no temporary file are left."""
    path = book(tmp_path / "Book.xlsx")
    real_backup = file_safety.make_backup

    def racing(target):
        made = real_backup(target)
        with open(target, "ab") as handle:  # Excel's save lands now
            handle.write(b"saved")
        return made

    monkeypatch.setattr(file_safety, "make_backup", racing)
    with pytest.raises(WorkbookInUse) as caught:
        refresh_in_place(path)
    assert "changed by someone else" in str(caught.value)
    assert path.read_bytes().endswith(b"saved") and others(path) == []


def test_save_landing_between_the_last_check_and_the_replace(tmp_path, monkeypatch):
    """Excel's save (a new file renamed over the workbook) lands after the last check: the
    atomic swap notices it and puts the user's file back."""
    path = book(tmp_path / "Book.xlsx")
    theirs = tmp_path / "theirs.tmp"
    theirs.write_bytes(path.read_bytes() + b"their save")
    real_exchange = safe_write.exchange
    calls = []

    def save_lands_first(first, second):
        if not calls:
            os.replace(theirs, path)  # lands between check_unchanged and the swap
        calls.append(first)
        return real_exchange(first, second)

    monkeypatch.setattr(safe_write, "exchange", save_lands_first)
    with pytest.raises(WorkbookInUse) as caught:
        refresh_in_place(path)
    assert len(calls) == 2  # swapped, then swapped back
    assert "changed by someone else" in str(caught.value)
    assert path.read_bytes().endswith(b"their save") and others(path) == []


# -- 4. kills -----------------------------------------------------------------------------------
KILL_IN_BACKUP = """
import shutil, sys, time
real = shutil.copyfileobj
def slow(src, dst, length=0):
    dst.write(src.read(1000)); dst.flush()
    print("backup", flush=True); time.sleep(60)
shutil.copyfileobj = slow
from bdt_xl.files.inplace import refresh_in_place
refresh_in_place(sys.argv[1])
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def test_killed_while_backing_up_leaves_no_partial_backup(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    before = digest(path)
    child = subprocess.Popen([sys.executable, "-c", KILL_IN_BACKUP, str(path)],
                             stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert child.stdout.readline().strip() == "backup"
        child.kill()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert digest(path) == before
    assert not [n for n in others(path) if ".backup-" in n and not n.startswith(".")]
    result = refresh_in_place(path)  # removes the killed run's temporary files and lock
    assert others(path) == [result.backup.name] and digest(result.backup) == before


def test_killed_at_random_moments(tmp_path):
    """SIGKILL a CLI refresh at spread-out moments: the workbook is always the old file or a
    complete new one, and every file under a backup name is a complete copy of the old."""
    import random
    path = book(tmp_path / "Book.xlsx")
    rng = random.Random(8)
    script = "import sys; from bdt_xl.files.inplace import refresh_in_place; " \
             "refresh_in_place(sys.argv[1])"
    for _ in range(4):
        child = subprocess.Popen([sys.executable, "-c", script, str(path)], env=_env())
        try:
            child.wait(timeout=rng.uniform(0.5, 2.5))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=30)
        tables = read_workbook(path)  # old or complete new: always readable
        assert s.AGREEMENTS in tables
        for backup in path.parent.glob("Book.backup-*.xlsx"):
            read_workbook(backup)  # never a partial file under a backup name
    refresh_in_place(path, lock_wait=0)
    assert all(not n.startswith(".") for n in others(path))


# -- 5. links, owner, permissions -------------------------------------------------------------
def test_symlink_refreshes_its_target_and_stays_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = book(tmp_path / "real" / "Book.xlsx")
    link = tmp_path / "Link.xlsx"
    link.symlink_to(target)
    before = digest(target)
    result = refresh_in_place(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert digest(target) != before and result.backup.parent == target.parent


def test_owner_group_and_mode_kept(tmp_path):
    assert os.geteuid() == 0, "giving the workbook another owner needs root (CI runs as root)"
    path = book(tmp_path / "Book.xlsx")
    os.chown(path, 1234, 2345)
    path.chmod(0o640)
    result = refresh_in_place(path)
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (1234, 2345, 0o640)
    backup = result.backup.stat()
    assert (backup.st_uid, backup.st_gid, stat.S_IMODE(backup.st_mode)) == (1234, 2345, 0o640)


def test_read_only_refused_even_as_administrator(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    path.chmod(0o444)
    error = refused(path, WorkbookInUse)
    assert "read-only" in str(error) and exit_code(error) == EXIT_IN_USE


# -- 6. typed on report sheets ------------------------------------------------------------------
# -- 7. recalculation -------------------------------------------------------------------------
def test_full_recalculation_when_excel_opens_it(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    refresh_in_place(path)
    assert re.search(rb'<calcPr[^>]*fullCalcOnLoad="1"', part(path, "xl/workbook.xml"))


# -- the generic transaction: another edit than the refresh -----------------------------------
def test_rewrite_in_place_declares_the_table_it_changes(tmp_path):
    path = book(tmp_path / "Book.xlsx")
    rates_before = read_workbook(path)[s.RATES]

    def add_rate(wb):
        ws = wb[s.RATES]
        table = ws.tables[s.RATES]
        first, last = table.ref.split(":")
        row = ws.max_row + 1
        ws.cell(row, 1, rates_before.rows[0][0])
        for col, value in enumerate(rates_before.rows[0][1:], start=2):
            ws.cell(row, col, value)
        table.ref = f"{first}:{re.sub(r'[0-9]+$', str(row), last)}"

    with pytest.raises(Exception) as caught:  # undeclared: verification refuses
        rewrite_in_place(path, add_rate)
    assert exit_code(caught.value) == 6 and "Rates" in str(caught.value)
    result = rewrite_in_place(path, add_rate, changed_tables=[s.RATES])
    assert len(read_workbook(path)[s.RATES].rows) == len(rates_before.rows) + 1
    assert result.backup is not None  # the backup of the original is kept
