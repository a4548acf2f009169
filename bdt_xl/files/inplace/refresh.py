"""``refresh --in-place``: rewrite the report sheets inside the user's own workbook.

Why a module of its own: the refresh is one client of the in-place transaction (the rates
import is another); it only decides which sheets it replaces and renders them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bdt_xl.core.pipeline import Options, run
from bdt_xl.core.report import Report
from bdt_xl.files.inplace.file_safety import KEEP_BACKUPS
from bdt_xl.files.inplace.transaction import InPlaceTransaction


@dataclass
class InPlaceResult:
    path: Path
    backup: Path | None
    report: Report
    sheets: list[str]
    #: What the rewrite touched without loss worth refusing for, and, with ``force``, lost.
    notes: list[str] = field(default_factory=list)


def refresh_in_place(path: str | os.PathLike[str], options: Options | None = None, *,
                     force: bool = False, backup: bool = True,
                     keep_backups: int = KEEP_BACKUPS) -> InPlaceResult:
    """Rewrite the report sheets of the workbook at ``path`` and keep everything else.

    ``force`` accepts losing what the file library cannot keep (named in the refusal);
    ``backup`` keeps a timestamped copy of the original beside it (the ``keep_backups``
    most recent are kept). Raises a ``BdtError`` whose message is one sentence; the
    original is then unchanged.
    """
    from bdt_xl.files.openpyxl_writer import render_into
    from bdt_xl.layout.report_layout import build_layout

    with InPlaceTransaction(path, force=force, backup=backup,
                            keep_backups=keep_backups) as transaction:
        report = run(transaction.tables, options).report
        layout = build_layout(report)
        replaced = [sheet.name for sheet in layout.sheets]
        result = transaction.commit(lambda book: render_into(layout, book),
                                    replaced_sheets=replaced, expected_sheets=replaced)
    return InPlaceResult(result.path, result.backup, report, replaced, result.notes)
