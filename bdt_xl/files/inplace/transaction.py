"""One in-place rewrite of the user's workbook, with every guarantee of ``refresh --in-place``.

``rewrite_in_place(path, edit, …)`` (or ``InPlaceTransaction`` when the caller must read the
tables before it knows its edit) does, in order:

1. follow a symbolic link to the workbook it names (the link stays a link);
2. hold a lock file beside the workbook for the whole rewrite (a second rewrite waits, then
   exits 5); refuse a workbook open in Excel or LibreOffice, read-only (also for an
   administrator), not an .xlsx/.xlsm package or encrypted; remove temporary files of
   killed runs; take the file's fingerprint (identity, size, mtime, hash) and read its tables;
3. refuse (exit 4) when the workbook holds things the file library would drop (unless
   ``force``), load it with openpyxl, let ``edit(book)`` change it, set it to recalculate
   fully when Excel opens it, save it and ``repair`` what openpyxl lost on other sheets;
4. write a temporary file beside it (``safe_write``), reopen and verify it: input tables read
   as before (except ``changed_tables``), macros and parts kept;
5. re-check the fingerprint (exit 5 if someone saved meanwhile: their version stays), copy the
   original to an atomic backup, and replace the original atomically.

Whatever fails, the original is left exactly as it was and no temporary file remains; every
failure is a ``BdtError`` with one sentence and its exit code.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bdt_xl.core.table import RawTable
from bdt_xl.errors import InPlaceError, WouldLoseFeatures
from bdt_xl.files import safe_write
from bdt_xl.files.features import describe, open_package, workbook_features
from bdt_xl.files.inplace import file_safety, verification
from bdt_xl.files.inplace.repair import repair
from bdt_xl.files.reader import read_workbook

#: ``edit(book)`` changes the loaded openpyxl workbook in memory.
Edit = Callable[[Any], None]


@dataclass
class RewriteResult:
    path: Path
    backup: Path | None
    #: What the rewrite touched without loss worth refusing for, and, with ``force``, lost.
    notes: list[str] = field(default_factory=list)


class InPlaceTransaction:
    """``with InPlaceTransaction(path) as tx: … tx.tables … tx.commit(edit, …)``.

    Entering takes the lock, runs the early refusals and reads the input tables
    (``tx.tables``); ``commit`` does the rewrite; leaving releases the lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, force: bool = False,
                 backup: bool = True, keep_backups: int = file_safety.KEEP_BACKUPS,
                 lock_wait: float = file_safety.LOCK_WAIT) -> None:
        self.given = Path(path)
        self.force, self.backup, self.keep_backups = force, backup, keep_backups
        self.lock_wait = lock_wait
        self.path = self.given
        self.tables: dict[str, RawTable] = {}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> InPlaceTransaction:
        given = self.given
        if not given.is_file():
            raise InPlaceError(f"{given} does not exist or is not a file; check the file name "
                               "and folder.")
        self.path = Path(os.path.realpath(given))  # a link is refreshed through its target
        try:
            self._stack.enter_context(file_safety.workbook_lock(self.path, self.lock_wait))
            file_safety.check_not_open(self.path)
            open_package(self.path).close()  # not a workbook, encrypted, wrong extension
            safe_write.remove_stale_temps(self.path)
            self.fingerprint = file_safety.Fingerprint.of(self.path)
            self.tables = read_workbook(self.path)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    # -- the rewrite ----------------------------------------------------------------------
    def commit(self, edit: Edit, *, replaced_sheets: Collection[str] = (),
               changed_tables: Collection[str] = (), expected_sheets: Collection[str] = ()
               ) -> RewriteResult:
        """Apply ``edit`` and install the result.

        ``replaced_sheets``: sheets the edit rewrites entirely (what they hold is not
        examined or repaired); ``changed_tables``: input tables the edit changes (not
        compared with what was read); ``expected_sheets``: sheets the result must have.
        """
        path = self.path
        features = workbook_features(path, replaced_sheets)
        lost = [f for f in features if f.lost]
        if lost and not self.force:
            raise WouldLoseFeatures(
                f"{path.name} was not changed: rewriting it would lose {describe(lost)}; keep "
                "your workbook as it is and write the report to a separate file (refresh "
                "without --in-place), or refresh in place with --force to accept the loss.",
                lost)
        notes = [f"lost (forced): {f}" for f in lost] + [f"not kept: {f}" for f in features
                                                        if not f.lost]
        data = self._edited(edit, set(replaced_sheets))
        saved: list[Path] = []

        def last_check(tmp: Path) -> None:
            verification.verify_rewrite(tmp, path, self.tables, expected_sheets,
                                        changed_tables)
            file_safety.check_unchanged(path, self.fingerprint)
            if self.backup:
                saved.append(file_safety.make_backup(path))
                # a save that landed while the backup was copied: keep it, not ours
                file_safety.check_unchanged(path, self.fingerprint)
            stage[0] = "replace"

        def was_still_ours(old: Path) -> None:  # the file swapped out is the one we read
            file_safety.check_unchanged(old, self.fingerprint, shown=path)

        stage = ["write"]
        try:
            safe_write.write_bytes_atomically(path, data, before_replace=last_check,
                                              replaced=was_still_ours)
        except OSError as exc:
            for backup in saved:
                safe_write.unlink_quietly(backup)
            raise file_safety.write_error(exc, path, replacing=stage[0] == "replace") from None
        except BaseException:
            for backup in saved:
                safe_write.unlink_quietly(backup)
            raise
        if self.backup:
            file_safety.prune_backups(path, self.keep_backups)
        return RewriteResult(self.given, saved[0] if saved else None, notes)

    def _edited(self, edit: Edit, replaced: set[str]) -> bytes:
        from openpyxl import load_workbook

        path = self.path
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension is not supported": reported already
            try:
                book = load_workbook(path, keep_vba=True, keep_links=True, rich_text=True)
            except Exception as exc:  # any failure of the library: one sentence
                raise InPlaceError(f"{path.name} could not be opened for rewriting "
                                   f"({verification.short(exc)}); write the report to a "
                                   "separate file instead (refresh without --in-place).") from None
        try:
            edit(book)
        except ValueError as exc:
            raise InPlaceError(f"{path.name} was not changed: {exc}.") from None
        # formulas elsewhere that read cells the edit changed must not show stale values
        book.calculation.fullCalcOnLoad = True
        buffer = io.BytesIO()
        book.save(buffer)
        with zipfile.ZipFile(path) as original:
            return repair(original, buffer.getvalue(), replaced)


def rewrite_in_place(path: str | os.PathLike[str], edit: Edit, *,
                     replaced_sheets: Collection[str] = (),
                     changed_tables: Collection[str] = (), force: bool = False,
                     backup: bool = True, keep_backups: int = file_safety.KEEP_BACKUPS
                     ) -> RewriteResult:
    """Change the workbook at ``path`` with ``edit(openpyxl_book)``, with every guarantee of
    ``refresh --in-place`` (see the module docstring). E.g. appending rows to the ``Rates``
    table: ``rewrite_in_place(path, add_rows, changed_tables=["Rates"])``."""
    with InPlaceTransaction(path, force=force, backup=backup,
                            keep_backups=keep_backups) as transaction:
        return transaction.commit(edit, replaced_sheets=replaced_sheets,
                                  changed_tables=changed_tables)
