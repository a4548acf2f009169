"""The Draft document macro: the TDAG document of the open workbook, written beside it.

Reads the input tables of the live workbook (``read_live_tables``, as Refresh report does),
runs the one pipeline and writes ``<name> document (<language>).docx`` into the workbook's
folder (language from the Settings table), then says where in a message box. The workbook
itself is not touched. A problem is told in one sentence, never as a traceback.

The button runs it through xlwings' ``RunPython`` (``layout.input_tables.DRAFT_BUTTON_MACRO``,
built into the workbook by ``workbooks.macro_workbook``), so it needs no VBA of its own and
works whatever the workbook is called.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bdt_xl.document.writer import default_document_path, write_document
from bdt_xl.errors import UsageError
from bdt_xl.excel.macros import read_live_tables, report_failure, tell_user

log = logging.getLogger(__name__)


@dataclass
class DraftSummary:
    """What a click on Draft document did; ``str()`` is the message the user was shown."""
    ok: bool
    message: str
    path: Path | None = None
    details: str | None = None

    def __str__(self) -> str:
        return self.message


def workbook_folder(book) -> Path:
    """The folder of the open workbook; one sentence when it was never saved."""
    path = Path(book.fullname)
    if not path.is_absolute() or not path.parent.is_dir():
        raise UsageError("Save the workbook in a folder first: the document is written "
                         "beside it.")
    return path


def draft_document(book=None, language: str | None = None) -> DraftSummary:
    """Write the document of ``book`` (default: the workbook whose button was clicked)."""
    if book is None:
        import xlwings

        book = xlwings.Book.caller()
    try:
        path = workbook_folder(book)
        tables = read_live_tables(book)
        result = write_document(tables, lambda lang: default_document_path(path, lang),
                                path.name, language)
    except Exception as exc:  # every failure is told in one sentence
        return report_failure(book, exc, DraftSummary, "The document could not be written")
    message = f"Document written to {result.path}"
    if result.notes:
        message += "\n" + "\n".join(result.notes)
    summary = DraftSummary(True, message, result.path)
    tell_user(book, summary)
    return summary


def main() -> None:
    """Entry point of the button."""
    draft_document()
