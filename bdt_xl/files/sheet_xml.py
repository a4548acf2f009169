"""Streaming looks at a worksheet's XML: how big its grid is, and a copy cut to given ranges.

python-calamine builds a sheet's whole bounding box before it hands back one table, so a
single stray cell at ``XFD1048576`` asks for 512 GB and aborts the process. The reader
first bounds the grid here (a few fast byte scans on ordinary sheets) and, when the bound
is too big, gives calamine a copy of the sheet that holds only the tables' own cells. Parts
are inflated in chunks, so a big sheet never sits in memory twice.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from bdt_xl.layout.references import column_number

CHUNK_BYTES = 4 * 2**20
MAX_COLUMNS = 16_384
#: A sheet read without an Excel Table: its header row's columns beyond this are ignored.
MAX_HEADER_COLUMNS = 256

_STARTS = (b"<row", b":row", b"<c ", b":c ", b"<c>", b":c>")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b[^>]*>")
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True)
class Area:
    """A block of cells, 0-based and inclusive."""
    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def cells(self) -> int:
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    def holds(self, row: int, col: int) -> bool:
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AB`` -> 27: the 0-based column calamine counts in."""
    return column_number(letters) - 1


def parse_ref(ref: str) -> Area | None:
    """``D5:M9`` (or ``D5``) as an Area; None when it is not a cell reference."""
    corners = [_REF.fullmatch(part.replace("$", "").strip().upper()) for part in ref.split(":")]
    if not corners or len(corners) > 2 or not all(corners):
        return None
    (c1, r1), (c2, r2) = corners[0].groups(), corners[-1].groups()
    return Area(int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2))


def chunks(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The part inflated piece by piece, each piece cut just before a cell or row starts, so
    that every piece holds whole cells."""
    rest = b""
    with archive.open(member) as stream:
        while True:
            block = stream.read(CHUNK_BYTES)
            if not block:
                break
            data = rest + block if rest else block
            cut = -1
            for lo in (max(0, len(data) - 2**16), 0):  # the last cell start is near the end
                cut = max(data.rfind(needle, lo) for needle in _STARTS)
                if cut > 0:
                    break
            cut = data.rfind(b"<", 0, cut + 1) if cut > 0 else -1
            if cut <= 0:
                rest = data
                continue
            yield data[:cut]
            rest = data[cut:]
    if rest:
        yield rest


def root_prefix(first_chunk: bytes) -> bytes:
    root = _ROOT.search(first_chunk)
    return root.group(1) + b":" if root and root.group(1) else b""


def needs_walk(piece: bytes, prefix: bytes) -> bool:
    """Whether a piece of sheet XML may place a cell beyond column Z or row 99,999: a
    reference of two letters or six digits, or a cell without ``r`` first (placed by
    counting). Two searches that stop at the first hit; ordinary sheets have none."""
    start = re.escape(b"<" + prefix + b"c")
    return (_FAR_REF.search(piece) is not None
            or re.search(start + rb"(?: [^r]|>|/)", piece) is not None)


#: One letter first, then the test (a third faster than an alternation of two patterns).
_FAR_REF = re.compile(rb'r="[A-Z](?:[A-Z]|\d{6})')


def _walk(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(prefix, row, col, cell XML) for every cell, positions as calamine assigns them
    (a cell without ``r`` follows the previous one; a row without ``r`` the previous row)."""
    prefix, pattern = b"", None
    row, col = -1, -1
    for i, piece in enumerate(chunks(archive, member)):
        if i == 0:
            prefix = root_prefix(piece)
            p = re.escape(prefix)
            pattern = re.compile(rb"<" + p + rb"row\b([^>]*)>|<" + p + rb"c\b([^>]*?)(?:/>|>.*?</"
                                 + p + rb"c>)", re.S)
        for match in pattern.finditer(piece):
            if match.group(1) is not None:  # a row
                number = re.search(rb'\br="(\d+)"', match.group(1))
                row = int(number.group(1)) - 1 if number else row + 1
                col = -1
                continue
            ref = re.search(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"', match.group(2))
            if ref:
                col, row = column_index(ref.group(1).decode()), int(ref.group(2)) - 1
            else:
                col += 1
            yield prefix, row, col, match.group(0)


def extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(rows, columns) of the sheet's bounding box, from its first cell to its last."""
    top = left = None
    bottom = right = -1
    for _, row, col, _ in _walk(archive, member):
        top = row if top is None else min(top, row)
        left = col if left is None else min(left, col)
        bottom, right = max(bottom, row), max(right, col)
    if top is None:
        return 0, 0
    return bottom - top + 1, right - left + 1


def _holds_value(cell: bytes) -> bool:
    return b"<v>" in cell or b"<is>" in cell or b":v>" in cell or b":is>" in cell or b"<f" in cell


@dataclass
class Cut:
    """A sheet cut to its tables: the new XML, the cells of its bounding box, and each
    table's area shrunk to its last row holding a value (empty rows at the end dropped)."""
    xml: bytes
    cells: int
    areas: list[Area]


def cut_to(archive: zipfile.ZipFile, member: str, areas: list[Area],
           header_width: bool = False) -> Cut:
    """A copy of the sheet holding only the cells inside ``areas`` (with ``header_width``:
    the columns of the sheet's first row holding a value, for a sheet read without a table).
    Cells get an explicit ``r`` so that calamine places them where they were."""
    kept: list[tuple[int, int, bytes]] = []
    prefix = b""
    header_row, width = None, MAX_HEADER_COLUMNS
    last = [area.first_row for area in areas]
    for prefix, row, col, cell in _walk(archive, member):
        valued = _holds_value(cell)
        if header_width:
            if not valued:
                continue
            if header_row is None:
                header_row = row
            if row == header_row and col < MAX_HEADER_COLUMNS:
                width = col
            elif col > width:
                continue
        else:
            inside = [i for i, area in enumerate(areas) if area.holds(row, col)]
            if not inside:
                continue
            if valued:
                for i in inside:
                    last[i] = max(last[i], row)
        kept.append((row, col, _with_ref(cell, prefix, row, col)))
    shrunk = [Area(a.first_row, a.first_col, max(end, a.first_row + 1), a.last_col)
              for a, end in zip(areas, last)]
    if not header_width:
        kept = [cell for cell in kept if any(a.holds(cell[0], cell[1]) for a in shrunk)]
    rows: dict[int, list[bytes]] = {}
    for row, _, xml in kept:
        rows.setdefault(row, []).append(xml)
    parts = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<', prefix,
             b'worksheet xmlns', b":" + prefix[:-1] if prefix else b"",
             b'="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><', prefix,
             b"sheetData>"]
    for row in sorted(rows):
        parts += [b"<", prefix, b'row r="%d">' % (row + 1), *rows[row], b"</", prefix, b"row>"]
    parts += [b"</", prefix, b"sheetData></", prefix, b"worksheet>"]
    cells = 0
    if kept:
        height = max(r for r, _, _ in kept) - min(r for r, _, _ in kept) + 1
        cells = height * (max(c for _, c, _ in kept) - min(c for _, c, _ in kept) + 1)
    cells = max([cells, *(a.cells for a in shrunk)])
    return Cut(b"".join(parts), cells, shrunk)


def ref_of(area: Area) -> str:
    """An Area as ``D5:M9``."""
    return f"{_letters(area.first_col)}{area.first_row + 1}:{_letters(area.last_col)}" \
           f"{area.last_row + 1}"


def _letters(col: int) -> str:
    letters = ""
    number = col + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _with_ref(cell: bytes, prefix: bytes, row: int, col: int) -> bytes:
    start = b"<" + prefix + b"c"
    head = re.sub(rb'\s\br="[^"]*"', b"", cell[len(start):], count=1)
    return start + b' r="%s%d"' % (_letters(col).encode(), row + 1) + head
