"""``bdt-xl rates import``: the UN Treasury's rates file into a workbook's ``Rates`` table.

Reads the file (``un_rates``), decides which rates are new (``core.rates_merge``) and
appends them (``rates_table``) to the workbook loaded with openpyxl.

- In place (``import_rates_in_place``): through the in-place transaction of ``refresh
  --in-place`` (lock, refusals, repair, verification, backup, atomic replace).
- To a new file (``import_rates_to_file``): the saved package gets back what openpyxl loses
  on the sheets (form buttons, cached formula results: ``inplace.repair``), is reopened and
  checked (every input table reads as before, the Rates table with the new rows after its
  own, the macros byte-identical) and only then written, atomically, to ``out``; the
  workbook itself is not modified.

Nothing to add: nothing is written in place (the workbook stays as it is, no backup); with
``out``, the copy is written unchanged so that the named file exists.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bdt_xl import schema as s
from bdt_xl.core.rates_merge import RatesMerge, existing_rates, merge_rates, no_rates_table
from bdt_xl.core.table import INPUT_TABLES, RawTable
from bdt_xl.errors import NotWritten, UsageError, WorkbookError, WouldLoseFeatures
from bdt_xl.files.features import describe, open_package, workbook_features
from bdt_xl.files.inplace import InPlaceTransaction
from bdt_xl.files.inplace.verification import short
from bdt_xl.files.ooxml import VBA_PART
from bdt_xl.files.rates_table import AppendedRates, append_rates
from bdt_xl.files.reader import read_workbook
from bdt_xl.files.safe_write import copy_atomically, write_bytes_atomically
from bdt_xl.files.un_rates import UnRatesFile, read_un_rates


@dataclass
class RatesImport:
    """What an import did: the file read, the merge, where the rows went, what was noted."""
    source: UnRatesFile
    merge: RatesMerge
    target: Path
    appended: AppendedRates | None = None
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)


def _merge(rates_file: UnRatesFile, tables: dict[str, RawTable], workbook: Path) -> RatesMerge:
    if s.RATES not in tables:
        raise WorkbookError(no_rates_table(workbook.name))
    return merge_rates(rates_file.records, existing_rates(tables[s.RATES]), rates_file.name)


def import_rates_in_place(source: str | os.PathLike[str], workbook: str | os.PathLike[str], *,
                          force: bool = False, backup: bool = True) -> RatesImport:
    """Append the missing rates of ``source`` to ``workbook`` itself (kept safe as by
    ``refresh --in-place``; a timestamped backup beside it unless ``backup`` is False)."""
    rates_file = read_un_rates(source)
    with InPlaceTransaction(workbook, force=force, backup=backup) as transaction:
        merge = _merge(rates_file, transaction.tables, transaction.path)
        if not merge.added:
            return RatesImport(rates_file, merge, transaction.given)
        _refuse_losses(transaction.path, force)  # in this command's words
        appended: list[AppendedRates] = []
        result = transaction.commit(lambda book: appended.append(append_rates(book,
                                                                              merge.added)),
                                    changed_tables=[s.RATES])
    return RatesImport(rates_file, merge, result.path, appended[0], result.backup,
                       result.notes)


def import_rates_to_file(source: str | os.PathLike[str], workbook: str | os.PathLike[str],
                         out: str | os.PathLike[str], *, force: bool = False) -> RatesImport:
    """Write ``workbook`` with the missing rates of ``source`` appended to ``out``."""
    workbook, out = Path(workbook), Path(out)
    _check_out(workbook, out)
    rates_file = read_un_rates(source)
    tables = read_workbook(workbook)
    merge = _merge(rates_file, tables, workbook)
    if not merge.added:
        copy_atomically(workbook, out)
        return RatesImport(rates_file, merge, out)
    notes = _refuse_losses(workbook, force)
    data, appended = appended_package(workbook, merge.added)
    write_bytes_atomically(out, data, before_replace=lambda tmp: verify_appended(
        tmp, workbook, tables, merge.added))
    return RatesImport(rates_file, merge, out, appended, notes=notes)


def _check_out(workbook: Path, out: Path) -> None:
    if out.resolve() == workbook.resolve():
        raise UsageError("--out names the workbook itself; leave out --out to update it in "
                         "place (with a backup), or choose another file.")
    if out.suffix.lower() != workbook.suffix.lower():
        raise UsageError(f"--out must end in {workbook.suffix.lower()} like {workbook.name}, "
                         f"not {out.suffix or 'nothing'!r}.")
    if not out.parent.exists():
        raise UsageError(f"cannot write {out.name}: the folder {out.parent} does not exist; "
                         "create it or choose another --out file.")


def _refuse_losses(workbook: Path, force: bool) -> list[str]:
    open_package(workbook).close()  # not a workbook, encrypted, wrong extension
    features = workbook_features(workbook)
    lost = [f for f in features if f.lost]
    if lost and not force:
        raise WouldLoseFeatures(
            f"nothing was imported: writing {workbook.name} again would lose {describe(lost)}; "
            "type the new rates by hand, or import with --force to accept the loss.", lost)
    return [f"lost (forced): {f}" for f in lost] + [f"not kept: {f}" for f in features
                                                    if not f.lost]


def appended_package(workbook: Path, rows: list[tuple[str, date, float]]
                     ) -> tuple[bytes, AppendedRates]:
    """The bytes of ``workbook`` with ``rows`` appended to its Rates table (nothing written)."""
    from openpyxl import load_workbook

    from bdt_xl.files.inplace.repair import repair

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported": reported already
        try:
            book = load_workbook(workbook, keep_vba=True, keep_links=True)
        except Exception as exc:
            raise WorkbookError(f"{workbook.name} could not be opened for editing "
                                f"({short(exc)}); type the new rates by hand.") from None
    appended = append_rates(book, rows)
    book.calculation.fullCalcOnLoad = True  # formulas that read the Rates table
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(workbook) as original:
        return repair(original, buffer.getvalue(), set()), appended


def verify_appended(written: Path, original: Path, tables: dict[str, RawTable],
                    rows: list[tuple[str, date, float]]) -> None:
    """Reopen ``written``: every input table as before, Rates with ``rows`` after its own."""
    def fail(detail: str) -> NotWritten:
        return NotWritten(f"the workbook with the new rates did not reopen correctly "
                          f"({detail}); {original.name} was not changed, tell the maintainers.")

    try:
        again = read_workbook(written)
    except WorkbookError as exc:
        raise fail(str(exc)) from None
    for name in INPUT_TABLES:
        before, after = tables.get(name), again.get(name)
        if (before is None) != (after is None):
            raise fail(f"the {name} table is missing")
        if before is None or name == s.RATES:
            continue
        if before.header != after.header or before.rows != after.rows:
            raise fail(f"the {name} table does not read as before")
    before, after = tables[s.RATES], again[s.RATES]
    if after.header != before.header or after.rows[:len(before.rows)] != before.rows:
        raise fail(f"the {s.RATES} table's own rows do not read as before")
    found = existing_rates(after)
    if any(found.get((currency, day)) != units for currency, day, units in rows) or \
            len(after.rows) != len(before.rows) + len(rows):
        raise fail(f"the new rows do not read back from the {s.RATES} table")
    with zipfile.ZipFile(written) as out, zipfile.ZipFile(original) as source:
        if VBA_PART in source.namelist() and (VBA_PART not in out.namelist()
                                              or out.read(VBA_PART) != source.read(VBA_PART)):
            raise fail("the macros were not kept")


