"""Read the input tables (Agreements, Rates, Settings, Lists) from a workbook file.

Tables are found by name wherever they sit (any sheet, any top-left cell) with
python-calamine, which reads a 50,000-row table in a fraction of a second. Cells holding an
Excel error value (#N/A, #VALUE!…) are reported by calamine as empty; they are recovered from
the sheet XML so the user is told "#N/A", not "blank". A workbook without Excel Tables still
works when a sheet is named like the table and starts with its header row.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from bdt_xl.core.lists import normalize
from bdt_xl.core.table import (
    INPUT_TABLES,
    REQUIRED_TABLES,
    RawTable,
    find_tables,
    header_index,
    stand_in_sheets,
)
from bdt_xl.errors import WorkbookError
from bdt_xl.files.formula_cells import formula_cells, scan_errors
from bdt_xl.files.guarded_package import Package, guarded
from bdt_xl.files.ooxml import sheet_parts
from bdt_xl.files.sheet_xml import chunks

if TYPE_CHECKING:
    from bdt_xl.files.forked_guard import ForkedGuard


def _has_empty(values: list[list[object]]) -> bool:
    """Whether any cell reads as empty (calamine also reports error cells as empty)."""
    return any("" in row or None in row for row in values)


@dataclass
class OpenedWorkbook:
    """A workbook opened by python-calamine with its input tables' cells already parsed."""
    path: Path
    book: object
    tables: dict[str, object]  # input table name -> calamine table
    package: Package | None = None  # what calamine read: the file, or a copy cut to the tables
    read: dict[str, RawTable] | None = None  # the tables, when already read on the worker


def open_workbook(path: str | os.PathLike[str], package: Package | None = None
                  ) -> OpenedWorkbook:
    """Open the workbook and parse its input tables (the slow part of reading, done in Rust).
    ``package``: the guard's answer for ``path``, when it was taken elsewhere.

    Raises ``WorkbookError`` (one clear sentence) when the file cannot be read.
    """
    import python_calamine as pc

    path = Path(path)
    if not path.exists():
        raise WorkbookError(f"{path} does not exist; check the file name and folder.")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder; give the path of an .xlsx or .xlsm workbook.")
    if package is None:
        package = guarded(path)  # before calamine: zip bombs, far-away cells
    try:
        book = (pc.CalamineWorkbook.from_path(str(path), load_tables=True)
                if isinstance(package.source, Path) else
                pc.CalamineWorkbook.from_filelike(package.source, load_tables=True))
        _refuse_names_differing_in_case(path, _table_names(book))
        tables = {wanted: book.get_table_by_name(name)
                  for wanted, name in find_tables(_table_names(book), INPUT_TABLES).items()}
    except WorkbookError:
        raise
    except pc.PasswordError:
        raise WorkbookError(f"{path.name} is protected by a password; save a copy without a "
                            "password (File > Info > Protect Workbook) and use that.") from None
    except PermissionError:
        raise WorkbookError(f"{path.name} cannot be opened: permission denied; check that you "
                            "may read it.") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError, OSError, ValueError) as exc:
        raise WorkbookError(f"{path.name} is not a readable Excel workbook (.xlsx or .xlsm): "
                            f"{_short(exc)}; open it in Excel and save it as .xlsx.") from None
    except Exception as exc:  # calamine raises a few undocumented kinds on damaged files
        raise WorkbookError(f"{path.name} could not be read as an Excel workbook "
                            f"({_short(exc)}); open it in Excel and save it again.") from None
    return OpenedWorkbook(path, book, tables, package)


def open_and_read(path: str | os.PathLike[str], guard: ForkedGuard | None = None
                  ) -> OpenedWorkbook:
    """Open the workbook and turn its tables' cells into Python objects (what the reading
    thread does, see ``reading_thread``): ``read_workbook`` of the result only hands them
    over. With ``guard``, the guard's look is the forked copy's, its hidden cells taken in
    once calamine has parsed."""
    try:
        opened = open_workbook(path, guard.package() if guard is not None else None)
    except BaseException:
        if guard is not None:
            guard.close()
        raise
    try:
        cells = _table_cells(opened)  # needs no hidden cells: the copy looks for them meanwhile
        if guard is not None:
            guard.complete(opened.package)
        opened.read = _raw_tables(opened, cells)
    except BaseException:
        opened.book.close()
        raise
    return opened


def read_workbook(source: str | os.PathLike[str] | OpenedWorkbook) -> dict[str, RawTable]:
    """Every input table present in the workbook (a path, or one already opened).

    Raises ``WorkbookError`` (one clear sentence) when the file cannot be read or has no
    ``Agreements`` table.
    """
    opened = source if isinstance(source, OpenedWorkbook) else open_workbook(source)
    try:
        tables = opened.read if opened.read is not None else _read_tables(opened)
    finally:
        opened.book.close()
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        found = ", ".join(_table_names(opened.book)) or "none"
        raise WorkbookError(
            f"{opened.path.name} has no Excel Table named '{missing[0]}' (tables found: "
            f"{found}); select your agreement rows with their header and use Insert > Table, "
            f"then name it '{missing[0]}' in Table Design > Table Name.")
    return tables


def _refuse_names_differing_in_case(path: Path, names: list[str]) -> None:
    """Excel treats table names case-insensitively: two input tables named alike are
    ambiguous, and reading either would silently ignore the other."""
    seen: dict[str, str] = {}
    for name in names:
        key = normalize(name)
        if key in seen and key in _INPUT_KEYS:
            raise WorkbookError(
                f"{path.name} has two tables named '{seen[key]}' and '{name}', which Excel "
                f"treats as the same name; rename or delete one of them (Table Design > "
                f"Table Name) so that only one is named '{seen[key]}'.")
        seen.setdefault(key, name)


_INPUT_KEYS = {normalize(name) for name in INPUT_TABLES}


def _file_rules(opened: OpenedWorkbook, table: str, sheet: str, header: list[str],
                values: list[list[object]], header_row: int, first_col: int):
    """``read_rules.apply`` on one table: formulas looked up only where the sheet has any."""
    package = opened.package
    if package is None:
        return values, []
    seen = package.looks.get(sheet)
    found = seen.formulas if seen is not None else formula_cells(package.source, sheet)
    formulas = {(r - header_row - 1, c - first_col): cell for (r, c), cell in found.items()
                if r > header_row}
    if not formulas and not package.date1904:
        return values, []
    from bdt_xl.files import read_rules  # imports pydantic: only when there is work for it
    return read_rules.apply(table, sheet, header, values, header_row + 2, formulas,
                            package.recalculate_on_open, package.date1904)


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(name: str) -> str:
    """Table column names as typed: the file stores a line break (Alt+Enter) as _x000a_."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), name) if "_x" in name else name


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _table_names(book) -> list[str]:
    try:
        return list(book.table_names)
    except Exception:
        return []


def _read_tables(opened: OpenedWorkbook) -> dict[str, RawTable]:
    return _raw_tables(opened, _table_cells(opened))


@dataclass
class _TableCells:
    """One input table's cells as calamine gives them, and where they sit."""
    sheet: str
    header: list[str]
    values: list[list[object]]
    header_row: int  # 0-based row of the header
    first_col: int


def _table_cells(opened: OpenedWorkbook) -> dict[str, _TableCells]:
    """Every input table's cells as Python objects (by name), before any repair."""
    book = opened.book
    stand_ins = stand_in_sheets(book.sheet_names, opened.tables, INPUT_TABLES)
    found: dict[str, _TableCells] = {}
    for wanted in INPUT_TABLES:
        table = opened.tables.get(wanted)
        if table is not None:
            # 0-based; calamine's start is the first data row, the header sits above it
            first_data_row, first_col = table.start
            header = [_unescape(str(c)) for c in table.columns]
            found[wanted] = _TableCells(table.sheet, header, table.to_python(),
                                        first_data_row - 1, first_col)
        elif wanted in stand_ins:  # plain sheet named like the table
            sheet = stand_ins[wanted]
            values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            start = header_index(values)
            if start is not None:
                header = ["" if c is None else str(c) for c in values[start]]
                found[wanted] = _TableCells(sheet, header, values[start + 1:], start, 0)
    return found


def _raw_tables(opened: OpenedWorkbook, cells: dict[str, _TableCells]) -> dict[str, RawTable]:
    """The tables with the cells calamine hides put back (error values, formula rules)."""
    tables: dict[str, RawTable] = {}
    for wanted, table in cells.items():
        sheet, values, header_row, first_col = \
            table.sheet, table.values, table.header_row, table.first_col
        seen = opened.package.looks.get(sheet) if opened.package else None
        errors = seen.errors if seen is not None else \
            _error_cells(opened.path, {sheet}).get(sheet, {}) if _has_empty(values) else {}
        if errors:
            values = list(values)  # only the rows holding an error value are copied
            for (r, c), text in errors.items():
                i, j = r - header_row - 1, c - first_col
                if 0 <= i < len(values) and 0 <= j < len(values[i]):
                    values[i] = list(values[i])
                    values[i][j] = text
        values, found = _file_rules(opened, wanted, sheet, table.header, values, header_row,
                                    first_col)
        raw = RawTable.from_values(wanted, [table.header, *values], sheet, header_row + 1)
        raw.read_issues = found
        tables[wanted] = raw
    return tables


def _error_cells(path: Path | io.BytesIO, sheets: set[str] | None = None
                 ) -> dict[str, dict[tuple[int, int], str]]:
    """Cells holding Excel error values, per sheet name, keyed by 0-based (row, col): the
    guard's scan (``formula_cells.scan_errors``) for a package it did not look at."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for sheet, member in sheet_parts(archive).items():
                if sheets is not None and sheet not in sheets:
                    continue
                cells: dict[tuple[int, int], str] = {}
                for piece in chunks(archive, member):
                    scan_errors(piece, cells)
                if cells:
                    found[sheet] = cells
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return found
    return found
