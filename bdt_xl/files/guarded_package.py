"""The package python-calamine is given: checked against the limits first and, when a sheet
holding an input table has a far-away cell, a copy in memory whose sheets hold only the
input tables' own ranges (calamine would otherwise allocate the sheet's bounding box).

Also reads the two workbook-wide facts the cells depend on: the date system (1900 or 1904)
and whether the writer asked Excel to recalculate on opening (its cached values then are
placeholders, not results).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from bdt_xl.core.lists import normalize
from bdt_xl.core.table import INPUT_TABLES
from bdt_xl.errors import WorkbookError
from bdt_xl.files.formula_cells import FormulaCell, scan_errors, scan_formulas
from bdt_xl.files.limits import MAX_GRID_CELLS, check_package, read_part
from bdt_xl.files.ooxml import MAIN, rels, sheet_parts, workbook_part
from bdt_xl.files.sheet_xml import (
    Area,
    chunks,
    cut_to,
    extent,
    needs_walk,
    parse_ref,
    ref_of,
    root_prefix,
)

_WANTED = {normalize(name) for name in INPUT_TABLES}
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
                + MAIN.encode() + b'"><sheetData/></worksheet>')


@dataclass
class SheetLook:
    """One pass over an input sheet's XML: a bound of the grid calamine would allocate, and
    the cells whose values calamine hides (formulas, error values), by 0-based position."""
    grid_cells: int
    formulas: dict[tuple[int, int], FormulaCell]
    errors: dict[tuple[int, int], str]


def look(archive: zipfile.ZipFile, member: str, hidden: bool = True) -> SheetLook:
    """The sheet inflated once, piece by piece; walked cell by cell only when unusual.
    Without ``hidden``, only the bound of the grid: the cells calamine hides are left for
    ``with_hidden_cells``."""
    prefix = b""
    unusual = False
    formulas: dict[tuple[int, int], FormulaCell] = {}
    errors: dict[tuple[int, int], str] = {}
    for i, piece in enumerate(chunks(archive, member)):
        if i == 0:
            prefix = root_prefix(piece)
        unusual = unusual or needs_walk(piece, prefix)
        if hidden:
            scan_formulas(piece, formulas)
            scan_errors(piece, errors)
    if not unusual:
        return SheetLook(26 * 99_999, formulas, errors)
    rows, cols = extent(archive, member)
    return SheetLook(rows * cols, formulas, errors)


@dataclass
class Package:
    """What calamine opens (the file itself, or a cut copy) and the workbook-wide facts."""
    source: Path | io.BytesIO
    date1904: bool = False
    recalculate_on_open: bool = False
    cut_sheets: list[str] = field(default_factory=list)
    looks: dict[str, SheetLook] = field(default_factory=dict)  # per input sheet name


def guarded(path: Path, hidden: bool = True) -> Package:
    """Check ``path`` against the limits and cut its oversize input sheets. Without
    ``hidden``, the looks hold no formula or error cell yet (see ``with_hidden_cells``).

    Raises ``NotAWorkbook`` (one sentence) for a package that would inflate beyond the limits
    and ``WorkbookError`` for an input table too big to read. A file that is not a zip is
    returned as is: calamine says what is wrong with it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return Package(path)
    with archive:
        check_package(archive, path.name)
        try:
            package = Package(path, **_workbook_facts(archive))
            sheets = sheet_parts(archive)
            areas, plain = _input_areas(archive, sheets)
        except (KeyError, ElementTree.ParseError, ValueError):
            return Package(path)
        names = {member: name for name, member in sheets.items()}
        looks = {member: look(archive, member, hidden) for member in [*areas, *plain]}
        package.looks = {names.get(m, m): sheet for m, sheet in looks.items()}
        oversize = [m for m, sheet in looks.items() if sheet.grid_cells > MAX_GRID_CELLS
                    or any(area.cells > MAX_GRID_CELLS for _, area in areas.get(m, []))]
        if not oversize:
            return package
        replaced: dict[str, bytes] = {}
        for member in oversize:
            tables = areas.get(member, [])
            cut = cut_to(archive, member, [area for _, area in tables], member in plain)
            if cut.cells > MAX_GRID_CELLS:
                raise WorkbookError(
                    f"{path.name}: the table on sheet '{names.get(member, member)}' spans "
                    f"{cut.cells:,} cells, more than the {MAX_GRID_CELLS:,} a report can read; "
                    f"check its range in Table Design > Resize Table.")
            replaced[member] = cut.xml
            for (part, area), shrunk in zip(tables, cut.areas):
                if shrunk != area:  # the table's empty rows at the end are dropped
                    replaced[part] = read_part(archive, part).replace(
                        f'ref="{ref_of(area)}"'.encode(), f'ref="{ref_of(shrunk)}"'.encode())
        package.source = _copy(archive, replaced, set(areas) | plain, set(names))
        package.cut_sheets = [names.get(m, m) for m in oversize]
        return package


def with_hidden_cells(package: Package, path: Path) -> None:
    """Add to the package's looks the cells calamine hides (formulas, error values), found in
    the file's input sheets: the second half of ``guarded(path, hidden=False)``. A package the
    guard could not look into (no looks) has none to add."""
    if not package.looks:
        return
    with zipfile.ZipFile(path) as archive:
        members = sheet_parts(archive)
        for sheet, seen in package.looks.items():
            for piece in chunks(archive, members.get(sheet, sheet)):
                scan_formulas(piece, seen.formulas)
                scan_errors(piece, seen.errors)


def _workbook_facts(archive: zipfile.ZipFile) -> dict[str, bool]:
    head = read_part(archive, workbook_part(archive))
    pr = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*>", head)
    calc = re.search(rb"<(?:\w+:)?calcPr\b[^>]*>", head)
    return {"date1904": bool(pr and re.search(rb'\bdate1904="(1|true)"', pr.group(0))),
            "recalculate_on_open": bool(calc and re.search(rb'\bfullCalcOnLoad="(1|true)"',
                                                         calc.group(0)))}


def _input_areas(archive: zipfile.ZipFile, sheets: dict[str, str]
                 ) -> tuple[dict[str, list[tuple[str, Area]]], set[str]]:
    """Sheet part -> (table part, range) of the input tables on it; and the sheets named
    like an input table that hold none (read without a table, from their first row)."""
    areas: dict[str, list[tuple[str, Area]]] = {}
    for member in sheets.values():
        for rel in rels(archive, member):
            if rel.kind != "table" or rel.external:
                continue
            root = ElementTree.fromstring(read_part(archive, rel.target))
            name = root.get("displayName") or root.get("name") or ""
            area = parse_ref(root.get("ref", ""))
            if normalize(name) in _WANTED and area is not None:
                areas.setdefault(member, []).append((rel.target, area))
    plain = {member for name, member in sheets.items()
             if normalize(name) in _WANTED and member not in areas}
    return areas, plain


def _copy(archive: zipfile.ZipFile, cut: dict[str, bytes], inputs: set[str],
          sheets: set[str]) -> io.BytesIO:
    """The package with the ``cut`` parts replaced and the sheets holding no input emptied."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for info in archive.infolist():
            member = info.filename
            if member in cut:
                data = cut[member]
            elif member in sheets and member not in inputs and "/worksheets/" in f"/{member}":
                data = _EMPTY_SHEET
            else:
                data = read_part(archive, member)
            copy.writestr(member, data)
    buffer.seek(0)
    return buffer
