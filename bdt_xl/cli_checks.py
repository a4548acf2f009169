"""The command line's checks of what the user typed, each failing with one sentence.

They run before the slow work (reading, validating) where they can, so that the common
mistakes of a first hour (a folder instead of a file, an .ods file, a report still open in
Excel, a workbook without rates) are told in words that say what to do, never as a traceback
or as one error per row.
"""

from __future__ import annotations

import errno
from pathlib import Path

from bdt_xl.errors import MissingPackage, NotWritten, UsageError, WorkbookError, WorkbookInUse

#: Spreadsheet files the reader cannot use, and what they are called in Excel's Save As.
OTHER_FORMATS = {
    ".xls": "an Excel 97-2003 workbook (.xls)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".fods": "an OpenDocument spreadsheet (.fods)",
    ".csv": "a text file (.csv)",
    ".numbers": "a Numbers spreadsheet (.numbers)",
}
_ZIP = b"PK\x03\x04"  # every .xlsx/.xlsm is a zip package
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook, or an .xls renamed
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def check_input(path: Path) -> None:
    """The workbook to read exists, is a file and has a format the reader takes."""
    if not path.exists():
        if not path.parent.exists():
            raise WorkbookError(f"the workbook {path} does not exist (there is no folder "
                                f"{path.parent}); check the file name and folder.")
        raise WorkbookError(f"the workbook {path} does not exist; check the file name and "
                            "folder.")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not a workbook; give the path of an .xlsx "
                            "or .xlsm file in it.")
    kind = OTHER_FORMATS.get(path.suffix.lower())
    if kind is not None:
        raise WorkbookError(f"{path.name} is {kind}; open it in Excel or LibreOffice, save it "
                            "as Excel Workbook (.xlsx) and use that file.")
    try:
        with open(path, "rb") as file:
            start = file.read(8)
    except OSError:
        return  # the reader says why it cannot be opened
    if not start.startswith(_ZIP) and not start.startswith(_OLE):  # OLE: encrypted or .xls
        raise WorkbookError(f"{path.name} is not an Excel workbook inside (perhaps a text or "
                            "CSV file renamed); open it in Excel or LibreOffice, save it as "
                            "Excel Workbook (.xlsx) and use that file.")


def check_output(target: Path, given: str) -> None:
    """The report file can be written: a file name, in a folder that exists, not open."""
    if target.is_dir():
        raise UsageError(f"--out {given} is a folder; give a file name in it, such as "
                         f"--out {Path(given) / 'report.xlsx'}.")
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"--out must end in .xlsx, not {target.suffix or 'nothing'!r}.")
    if not target.parent.exists():
        raise UsageError(f"cannot write {target.name}: the folder {target.parent} does not "
                         "exist; create it or choose another --out file.")
    from bdt_xl.files.safe_write import open_elsewhere

    sentence = open_elsewhere(target, "or choose another --out file")
    if sentence:
        raise WorkbookInUse(sentence)


def check_ecb_package() -> None:
    """``--ecb-fallback`` needs the optional ``currencyconverter`` package."""
    try:
        import currency_converter  # noqa: F401
    except ImportError:
        raise MissingPackage("the ECB fallback (--ecb-fallback)", "currencyconverter",
                             "ecb") from None


def write_failure(exc: OSError, target: Path, given: str) -> NotWritten:
    """One sentence for a report file that could not be written, naming the user's path."""
    folder = target.parent
    if exc.errno in _DISK_FULL:
        return NotWritten(f"the disk holding {folder} is full, so {given} was not written; "
                          "free some space or choose another --out folder.")
    if isinstance(exc, PermissionError):
        return NotWritten(f"{given} could not be written: permission denied in {folder}; "
                          "close the file in Excel or choose a folder you may write to.")
    return NotWritten(f"{given} could not be written in {folder} "
                      f"({exc.strerror or type(exc).__name__}); choose another --out file.")
