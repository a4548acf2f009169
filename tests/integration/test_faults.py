"""Faults during an in-place refresh: each gets one clear sentence, an exit code, and leaves
the original workbook byte-for-byte as it was.

Tests run as root in CI, where chmod does not stop writes; the read-only cases then raise
the PermissionError the operating system would raise (monkeypatch) instead.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from bdt_xl import schema as s
from bdt_xl.errors import (
    EXIT_IN_USE,
    EXIT_NOT_WRITTEN,
    EXIT_UNUSABLE,
    NotWritten,
    WorkbookError,
    WorkbookInUse,
    exit_code,
)
from bdt_xl.files import ooxml, safe_write
from bdt_xl.files.inplace import refresh_in_place, repair, verification
from bdt_xl.workbooks.input_workbook import write_input_workbook
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_dataset,
    synthetic_rates,
    write_synthetic_workbook,
)

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path) -> Path:
    data = synthetic_dataset(120, seed=5, error_rate=0.05)
    path = tmp_path / "Book.xlsx"
    write_input_workbook(path, data.rows, synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, 5),
                         {s.SETTING_LANGUAGE: "en"})
    return path


def others(path: Path) -> list[str]:
    """Files beside the workbook other than itself (temporary files, backups)."""
    return sorted(p.name for p in path.parent.iterdir() if p != path)


def refused(path: Path, kind=WorkbookError, **kwargs) -> WorkbookError:
    before = digest(path)
    with pytest.raises(kind) as caught:
        refresh_in_place(path, **kwargs)
    assert digest(path) == before, "the original was changed"
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    return caught.value


# -- open elsewhere ---------------------------------------------------------------------------
@pytest.mark.parametrize("lock, app", [("~$Book.xlsx", "Excel"), ("~$ok.xlsx", "Excel"),
                                       (".~lock.Book.xlsx#", "LibreOffice")])
def test_open_in_excel_or_libreoffice(book, lock, app):
    (book.parent / lock).write_text("owner")
    error = refused(book, WorkbookInUse)
    assert f"close it in {app} first" in str(error) and lock in str(error)
    assert exit_code(error) == EXIT_IN_USE
    assert others(book) == [lock]
    (book.parent / lock).unlink()
    refresh_in_place(book)  # works once closed


def test_replace_refused_by_the_system(book, monkeypatch):
    """Windows will not replace a file Excel holds open: os.replace raises PermissionError."""
    real_replace = os.replace

    def denied(src, dst):
        if Path(dst) != book:  # the backup is written; the workbook itself is held
            return real_replace(src, dst)
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", denied)
    monkeypatch.setattr(safe_write, "exchange", lambda first, second: False)  # as on Windows
    error = refused(book, WorkbookInUse)
    assert "open in another program" in str(error) and "was not changed" in str(error)
    assert exit_code(error) == EXIT_IN_USE
    assert others(book) == []  # neither the temporary file nor the backup is left


def test_read_only_file(book):
    book.chmod(0o444)  # refused also for an administrator, who could write it
    error = refused(book, WorkbookInUse)
    assert "read-only" in str(error) and exit_code(error) == EXIT_IN_USE
    book.chmod(0o644)


# -- cannot write -----------------------------------------------------------------------------
def test_read_only_folder(book, monkeypatch):
    folder = book.parent
    if ROOT:  # chmod does not stop root: raise what the system raises for others
        real_open = os.open

        def no_create(name, flags, *args, **kwargs):
            if flags & os.O_CREAT and Path(name).parent == folder:
                raise PermissionError(errno.EACCES, "Permission denied", str(name))
            return real_open(name, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", no_create)
    else:
        folder.chmod(0o555)
    try:
        error = refused(book, NotWritten)
    finally:
        folder.chmod(0o755)
    assert "cannot write in the folder" in str(error) and exit_code(error) == EXIT_NOT_WRITTEN
    assert others(book) == []


PAGE = 4096


def pages(size: int) -> int:
    return -(-size // PAGE) * PAGE


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of a chosen size (tmpfs), mounted for the test: needs root."""
    assert ROOT, "the disk-full tests mount a tmpfs: run them as root (CI does)"
    mounted = []

    def mount(size: int) -> Path:
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                       check=True)
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_disk_full_while_writing(book, small_disk):
    disk = small_disk(pages(book.stat().st_size) + 2 * PAGE)  # the workbook and the lock fit
    path = disk / book.name
    shutil.copy(book, path)
    error = refused(path, NotWritten)
    assert "not enough disk space" in str(error) and "was not changed" in str(error)
    assert exit_code(error) == EXIT_NOT_WRITTEN
    assert others(path) == []


def test_disk_full_while_backing_up(book, small_disk, tmp_path):
    trial = tmp_path / "trial" / book.name
    trial.parent.mkdir()
    shutil.copy(book, trial)
    refresh_in_place(trial, backup=False)
    old, new = pages(book.stat().st_size), pages(trial.stat().st_size)
    disk = small_disk(old + new + PAGE + pages(old // 2))  # the new file fits, not the backup
    path = disk / book.name
    shutil.copy(book, path)
    error = refused(path, NotWritten)
    assert "not enough disk space" in str(error)
    assert others(path) == []
    assert refresh_in_place(path, backup=False).backup is None  # without a backup it fits


def test_changed_by_someone_else_meanwhile(book, monkeypatch):
    verify = verification.verify_rewrite

    def meanwhile(tmp, original, *args):
        verify(tmp, original, *args)
        with open(original, "ab") as handle:
            handle.write(b" ")  # the user saved it in Excel in the meantime

    monkeypatch.setattr(verification, "verify_rewrite", meanwhile)
    saved = None
    with pytest.raises(WorkbookInUse) as caught:
        try:
            refresh_in_place(book)
        finally:
            saved = book.read_bytes()
    assert "changed by someone else" in str(caught.value)
    assert exit_code(caught.value) == EXIT_IN_USE
    assert saved.endswith(b" ")  # the user's version stays
    assert others(book) == []


def test_result_that_does_not_read_back_is_not_installed(tmp_path, monkeypatch):
    """Verification: if the rewrite altered input rows (here: cached formula results not put
    back), the original stays."""
    path = tmp_path / "Errors.xlsx"
    write_synthetic_workbook(path, 200, seed=3, error_rate=0.2)
    monkeypatch.setattr(repair, "cached_results", lambda xml: {})
    error = refused(path, NotWritten)
    assert "did not reopen correctly" in str(error) and "Agreements" in str(error)
    assert others(path) == []


# -- killed in the middle ---------------------------------------------------------------------
KILLED = textwrap.dedent("""
    import sys, time
    from bdt_xl.files import safe_write

    def slow(path):
        print("writing", flush=True)
        time.sleep(120)

    safe_write.fsync_file = slow  # the temporary file is written, not yet renamed
    from bdt_xl.files.inplace import refresh_in_place
    refresh_in_place(sys.argv[1])
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_while_writing(book):
    before = digest(book)
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(book)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert digest(book) == before
    leftovers = others(book)
    # hidden, not Book.xlsx: the temporary file and the lock of the killed run
    assert len(leftovers) == 2 and all(name.startswith(".Book.") for name in leftovers)
    result = refresh_in_place(book)  # the next run clears both leftovers
    assert others(book) == [result.backup.name]
    assert digest(result.backup) == before


# -- not a workbook we can rewrite ------------------------------------------------------------
def test_not_a_workbook(tmp_path):
    path = tmp_path / "Book.xlsx"
    path.write_text("Agreement ID,Partner\nA-1,ITU\n")
    error = refused(path)
    assert "not an Excel workbook" in str(error) and exit_code(error) == EXIT_UNUSABLE


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "Book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    error = refused(path)
    assert "OpenDocument" in str(error) and "not an Excel workbook" in str(error)


def test_old_xls_under_a_new_name(tmp_path):
    path = tmp_path / "Book.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    error = refused(path)
    assert "Excel 97-2003" in str(error)


def test_wrong_extension(tmp_path, book):
    other = book.with_suffix(".xlsb")
    shutil.copy(book, other)
    error = refused(other)
    assert ".xlsx and .xlsm" in str(error)


def test_password_protected_crafted(tmp_path):
    """A CFB container holding an EncryptionInfo stream, as Excel writes encrypted books."""
    path = tmp_path / "Secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) +
                     "EncryptionInfo".encode("utf-16-le") + bytes(100))
    error = refused(path)
    assert "password" in str(error) and exit_code(error) == EXIT_UNUSABLE


def test_password_protected_real(book):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    with open(book, "rb") as handle:
        OOXMLFile(handle).encrypt("secret", encrypted)
    book.write_bytes(encrypted.getvalue())
    error = refused(book)
    assert "password" in str(error)
    assert msoffcrypto  # the library was there to build the file


def test_missing_agreements_table(tmp_path):
    path = tmp_path / "Empty.xlsx"
    import xlsxwriter
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Data").write("A1", "nothing here")
    workbook.close()
    error = refused(path)
    assert "Agreements" in str(error)


# -- saved by another program -----------------------------------------------------------------
def _libreoffice_save(source: Path, out: Path, profile: Path) -> Path:
    """Open ``source`` in LibreOffice and save it as .xlsx into ``out``."""
    assert shutil.which("soffice"), "LibreOffice (soffice) is needed for this test"
    run = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}",
                          "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                         capture_output=True, text=True, timeout=180, check=False)
    converted = out / source.name
    assert converted.exists(), run.stderr
    return converted


@pytest.mark.libreoffice
def test_saved_by_libreoffice(book, tmp_path):
    converted = _libreoffice_save(book, tmp_path / "lo", tmp_path / "u")
    first = refresh_in_place(converted)
    assert first.notes == []  # LibreOffice's own calc-settings extension is harmless
    second = refresh_in_place(converted)
    for name, frame in first.report.tables.items():
        assert frame.equals(second.report.tables[name]), name
    # the report mark survives a LibreOffice save: the next refresh recognises its sheets
    again = _libreoffice_save(converted, tmp_path / "lo2", tmp_path / "u")
    with zipfile.ZipFile(again) as package:
        assert b"BDT report sheets" in package.read("docProps/custom.xml")
        summary = package.read(ooxml.sheet_parts(package)["Summary"]).decode()
    # the sentence atop each report sheet, now a shared string, is still the report's own
    assert re.search(r'<c r="A1"[^>]* t="s"', summary)
    third = refresh_in_place(again)
    assert third.sheets == first.sheets and third.notes == []
