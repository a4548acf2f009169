"""``bdt-xl document``: read the workbook with the one pipeline, draft, write the .docx.

The file is written atomically beside the workbook by default
(``<name> document (fr).docx``: one file per language, never the workbook itself).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bdt_xl.core.pipeline import Options, Outcome, run
from bdt_xl.core.table import RawTable
from bdt_xl.document.drafting import draft_document
from bdt_xl.document.model import Document
from bdt_xl.document.render import render_docx
from bdt_xl.document.wording import languages
from bdt_xl.errors import UsageError, WorkbookError
from bdt_xl.files.safe_write import atomic_target


@dataclass
class DocumentResult:
    """What was written: the file, its language, the model, and notes for the user."""
    path: Path
    language: str
    document: Document
    outcome: Outcome
    notes: list[str] = field(default_factory=list)


def default_document_path(workbook: str | os.PathLike[str], language: str) -> Path:
    """``BDT_Partnerships document (fr).docx`` beside ``BDT_Partnerships.xlsx``."""
    workbook = Path(workbook)
    return workbook.with_name(f"{workbook.stem} document ({language}).docx")


def choose_language(language: str | None, outcome: Outcome) -> str:
    """The asked language, else the Settings' one; one sentence when there is no template."""
    chosen = language or outcome.report.language or "en"
    if chosen not in languages():
        raise UsageError(f"--language must be one of {', '.join(languages())}, not "
                         f"{chosen!r}.")
    return chosen


def write_document(tables: Mapping[str, RawTable], target_for, source_name: str,
                   language: str | None = None, options: Options | None = None
                   ) -> DocumentResult:
    """Run the pipeline on ``tables`` and write the document to ``target_for(language)``."""
    if language is not None and language not in languages():
        raise UsageError(f"--language must be one of {', '.join(languages())}, not "
                         f"{language!r}.")
    outcome = run(tables, options)
    checked = outcome.checked
    if checked.agreements.empty:
        why = (f"all {checked.rows_read:,} rows have errors (`bdt-xl validate` lists them)"
               if checked.rows_read else "the Agreements table has no rows")
        raise WorkbookError(f"There is nothing to draft: {why}; fix the rows and try again.")
    chosen = choose_language(language, outcome)
    target = Path(target_for(chosen))
    if target.suffix.lower() != ".docx":
        raise UsageError(f"the document must be a .docx file, not {target.name!r}.")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target.name}: the folder {target.parent} does "
                               "not exist; create it or choose another file.")
    model = draft_document(outcome.report, outcome.checked.agreements, chosen, source_name)
    with atomic_target(target) as tmp:
        render_docx(model, tmp)
    report = outcome.report
    notes = [*report.notes, *report.notices, *model.notes]
    if report.rows_excluded:
        one = report.rows_excluded == 1
        notes.append(f"{report.rows_excluded:,} agreement {'row' if one else 'rows'} with "
                     f"errors {'is' if one else 'are'} left out of the document's figures, as "
                     "of the report's; `bdt-xl validate` lists them.")
    return DocumentResult(target, chosen, model, outcome, notes)


def document_file(workbook: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
                  language: str | None = None, options: Options | None = None
                  ) -> DocumentResult:
    """The document of a workbook file (``out`` default: beside it, named by language)."""
    from bdt_xl.files.reader import read_workbook

    workbook = Path(workbook)
    if out is not None and Path(out).resolve() == workbook.resolve():
        raise UsageError("the document would overwrite the workbook; choose another --out "
                         "file.")
    tables = read_workbook(workbook)
    return write_document(
        tables, lambda lang: Path(out) if out is not None else default_document_path(
            workbook, lang), workbook.name, language, options)
