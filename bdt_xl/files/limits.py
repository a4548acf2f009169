"""Bounds that keep a hostile or broken workbook from exhausting the machine.

A workbook is a zip of XML parts. Two cheap tricks turn a few kilobytes into gigabytes: a
part that inflates a thousandfold (a "zip bomb": 2 MB of shared strings expanding to 1 GiB),
and one stray cell far away (``XFD1048576``), for which python-calamine allocates the
sheet's whole bounding box before handing back a table. The zip directory is checked before
anything is inflated; the far-away cell is handled by ``sheet_xml`` (reading only the
tables' own ranges).
"""

from __future__ import annotations

import zipfile

from bdt_xl.errors import NotAWorkbook

MiB = 2**20
#: No part of a real input workbook comes near this (50,000 rows make a 16 MiB sheet).
MAX_PART_BYTES = 256 * MiB
#: All parts together, inflated.
MAX_TOTAL_BYTES = 512 * MiB
#: Spreadsheet XML deflates 5-15 fold; a part above this ratio is a bomb, not a table...
MAX_RATIO = 100
#: ...once it is big enough to matter (small parts of repeated tags compress very well).
RATIO_CHECKED_ABOVE = 8 * MiB
#: Cells python-calamine may allocate for one sheet's bounding box (about 32 bytes each):
#: beyond this the reader copies only the tables' own ranges before calamine sees the sheet.
MAX_GRID_CELLS = 4_000_000


def check_package(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a package whose parts would inflate beyond the bounds, from its zip directory
    alone (nothing is decompressed). ``name`` is the file name told to the user."""
    total = 0
    for info in archive.infolist():
        size = info.file_size
        total += size
        ratio = size / max(info.compress_size, 1)
        if size > MAX_PART_BYTES or (size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO):
            raise NotAWorkbook(
                f"{name} is refused: its part {info.filename} would expand to "
                f"{size / MiB:,.0f} MiB ({ratio:,.0f} times its stored size), far beyond any "
                f"real workbook; open the file in Excel, remove what is not your tables and "
                f"save it again.")
        if total > MAX_TOTAL_BYTES:
            raise NotAWorkbook(
                f"{name} is refused: its parts would expand to more than "
                f"{MAX_TOTAL_BYTES // MiB} MiB, far beyond any real workbook; open the file in "
                f"Excel, remove what is not your tables and save it again.")


def read_part(archive: zipfile.ZipFile, member: str) -> bytes:
    """One part, inflated, never beyond ``MAX_PART_BYTES`` even when the zip directory lies
    about its size (the inflated stream is cut and the package refused)."""
    with archive.open(member) as stream:
        data = stream.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise NotAWorkbook(f"the part {member} expands to more than "
                           f"{MAX_PART_BYTES // MiB} MiB; the file is refused.")
    return data
