"""Formula cells of a worksheet, read from its XML: where they are and what Excel cached.

python-calamine reads only a formula's cached value. A workbook written by a script and
never opened in Excel has none: openpyxl leaves ``<v>`` empty (calamine then reads a blank)
and XlsxWriter stores ``0`` while asking Excel to recalculate on opening (calamine reads 0).
Either would turn into a silently wrong figure, so the reader looks the formulas up here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bdt_xl.files.ooxml import sheet_parts
from bdt_xl.files.sheet_xml import chunks, column_index

_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb'<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)', re.S)
_VALUE = re.compile(rb'<(?:\w+:)?v>(.*?)</(?:\w+:)?v>', re.S)


@dataclass(frozen=True)
class FormulaCell:
    formula: str         # as typed, without the "=" ("" for a cell sharing another's formula)
    cached: str | None   # the cached value's text; None when there is none
    kind: str            # the cell's t attribute ("n" when absent)

    def uncalculated(self, recalculate_on_open: bool) -> bool:
        """Whether the cached value is no result: missing, or the 0 a writer puts in place of
        one when it asks Excel to recalculate on opening."""
        if self.cached is None or (self.cached == "" and self.kind != "str"):
            return True
        return recalculate_on_open and self.kind == "n" and self.cached.strip() == "0"


def formula_cells(source: Path | io.BytesIO, sheet: str) -> dict[tuple[int, int], FormulaCell]:
    """The formula cells of ``sheet``, keyed by 0-based (row, column)."""
    found: dict[tuple[int, int], FormulaCell] = {}
    try:
        with zipfile.ZipFile(source) as archive:
            member = sheet_parts(archive).get(sheet)
            if member is None:
                return found
            for piece in chunks(archive, member):
                scan_formulas(piece, found)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return found
    return found


def _cell_start(piece: bytes, at: int) -> int:
    """Where the cell holding position ``at`` starts (-1 if none): looked for only as far
    back as a cell can reach (a formula is at most 8,192 characters)."""
    lo = max(0, at - 20_000)
    return max(piece.rfind(b"<c ", lo, at), piece.rfind(b":c ", lo, at) - 1)


def scan_formulas(piece: bytes, found: dict[tuple[int, int], FormulaCell]) -> None:
    """Add the formula cells of a piece of sheet XML (whole cells) to ``found``."""
    at = piece.find(b"<f")
    while at != -1:  # jump from one formula to the next: no scan of every cell
        start = _cell_start(piece, at)
        match = _CELL.match(piece, start) if start >= 0 else None
        if match and match.end() > at:
            _add(found, match)
            at = piece.find(b"<f", match.end())
        else:
            at = piece.find(b"<f", at + 2)


def scan_errors(piece: bytes, found: dict[tuple[int, int], str]) -> None:
    """Add the cells of a piece of sheet XML holding an Excel error value (``#N/A``…),
    which calamine reads as empty, to ``found``."""
    at = piece.find(b't="e"')
    while at != -1:
        start = _cell_start(piece, at)
        match = _CELL.match(piece, start) if start >= 0 else None
        if match and match.end() > at:
            attributes, body = match.groups()
            ref, value = _REF.search(attributes), _VALUE.search(body or b"")
            if ref and value and b't="e"' in attributes:
                found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = \
                    value.group(1).decode(errors="replace")
            at = piece.find(b't="e"', match.end())
        else:
            at = piece.find(b't="e"', at + 5)


def _add(found: dict[tuple[int, int], FormulaCell], match: re.Match[bytes]) -> None:
    attributes, body = match.groups()
    ref = _REF.search(attributes)
    formula = _FORMULA.search(body or b"")
    if ref is None or formula is None:
        return
    value = _VALUE.search(body or b"")
    kind = _TYPE.search(attributes)
    found[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = FormulaCell(
        formula=(formula.group(1) or b"").decode(errors="replace"),
        cached=None if value is None else value.group(1).decode(errors="replace"),
        kind=kind.group(1).decode() if kind else "n")
