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
from bdt_xl.files.inplace.file_safety import KEEP_BACKUPS, LOCK_WAIT
from bdt_xl.files.inplace.ownership import (
    check_typed_cells,
    mark_workbook,
    own_text,
    owned_sheets,
)
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
                     keep_backups: int = KEEP_BACKUPS, lock_wait: float = LOCK_WAIT
                     ) -> InPlaceResult:
    """Rewrite the report sheets of the workbook at ``path`` and keep everything else.

    ``force`` accepts losing what the file library cannot keep (named in the refusal);
    ``backup`` keeps a timestamped copy of the original beside it (the ``keep_backups``
    most recent are kept); a second refresh of the same file waits ``lock_wait`` seconds
    for the first. Raises a ``BdtError`` whose message is one sentence; the
    original is then unchanged.
    """
    from bdt_xl.files.openpyxl_writer import render_into
    from bdt_xl.layout.report_layout import build_layout

    with InPlaceTransaction(path, force=force, backup=backup,
                            keep_backups=keep_backups, lock_wait=lock_wait) as transaction:
        report = run(transaction.tables, options).report
        layout = build_layout(report)
        replaced = [sheet.name for sheet in layout.sheets]
        owned = owned_sheets(transaction.path, layout)
        typed = check_typed_cells(transaction.path, owned, force, own_text(layout), layout)

        def edit(book) -> None:
            render_into(layout, book)
            mark_workbook(book, layout)

        result = transaction.commit(edit, replaced_sheets=replaced, expected_sheets=replaced)
    return InPlaceResult(result.path, result.backup, report, replaced, typed + result.notes)
