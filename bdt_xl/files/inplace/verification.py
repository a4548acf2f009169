"""Reopen a rewritten workbook before it replaces the original.

Why: the rewrite goes through a file library that has surprised us before (cached values,
lost parts); the user's input tables must read exactly as before (except those the edit
declares it changes), the macros must be byte-identical and every part must be present —
otherwise the original stays and the user is told.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Collection
from pathlib import Path

from bdt_xl.core.table import INPUT_TABLES, RawTable
from bdt_xl.errors import NotWritten, WorkbookError
from bdt_xl.files.ooxml import VBA_PART, parse_rels, sheet_parts
from bdt_xl.files.reader import read_workbook


def short(exc: BaseException) -> str:
    """The first line of an exception's message, at most 160 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def verify_rewrite(tmp: Path, original: Path, tables: dict[str, RawTable],
                   sheets: Collection[str], changed_tables: Collection[str] = ()) -> None:
    """Raise ``NotWritten`` unless ``tmp`` reopens with the input ``tables`` as they were
    read from ``original`` (``changed_tables`` excepted), the ``sheets`` the edit wrote,
    the original's VBA project and every part its relationships name."""
    def fail(detail: str) -> NotWritten:
        return NotWritten(f"the refreshed workbook did not reopen correctly ({detail}); "
                          f"{original.name} was not changed, write the report to a separate "
                          "file instead and tell the maintainers.")

    try:
        again = read_workbook(tmp)
    except WorkbookError as exc:
        raise fail(str(exc)) from None
    for name in INPUT_TABLES:
        if name in changed_tables:
            continue
        before, after = tables.get(name), again.get(name)
        if (before is None) != (after is None) or before is not None and (
                before.header != after.header or before.rows != after.rows
                or before.sheet_rows != after.sheet_rows):
            raise fail(f"the {name} table does not read as before")
    with zipfile.ZipFile(tmp) as out, zipfile.ZipFile(original) as source:
        present = sheet_parts(out)
        missing = [name for name in sheets if name not in present]
        if missing:
            raise fail(f"sheet {missing[0]} is missing")
        names = set(out.namelist())
        if VBA_PART in source.namelist() and (
                VBA_PART not in names or out.read(VBA_PART) != source.read(VBA_PART)):
            raise fail("the macros were not kept")
        for part in names:
            if part.endswith(".rels"):
                for rel in parse_rels(out.read(part), part):
                    if not rel.external and rel.target not in names:
                        raise fail(f"part {rel.target} is missing")
    from openpyxl import load_workbook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(tmp, read_only=True, keep_vba=True, keep_links=True)
            found = book.sheetnames
            book.close()
    except Exception as exc:  # any failure to reopen means "do not install"
        raise fail(short(exc)) from None
    if not set(sheets) <= set(found):
        raise fail("report sheets are missing")
