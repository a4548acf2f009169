"""Hostile workbooks built in the test: a far-away stray cell, a zip bomb, a lying zip.

The zip bomb is assembled from one deflate block repeated (each block ends in a full
flush, so copies can follow each other), which builds a 1 GiB part in well under a second.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import xlsxwriter

# Header as SPEC §1 names it; two rows whose USD totals are 1,500 (partner) and 700 (ITU).
HEADER = ["Agreement ID", "Partner", "Partner type", "ITU membership", "Region", "Priority",
          "Signed on", "Currency", "Partner amount", "ITU amount"]
ROWS = [["A1", "Acme", "Private sector", "ROA", "Africa", "Cybersecurity",
         date(2022, 3, 1), "USD", 1000, 500],
        ["A2", "Beta", "Academia", "Non-member", "Europe", "Cybersecurity",
         date(2022, 6, 1), "USD", 500, 200]]
SST_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
            b'org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Agreement ID</t>'
            b'</si><si><t>Partner</t></si><si><t>A1</t></si><si><t>')
SST_TAIL = b"</t></si></sst>"


def small_table(path: Path, stray: str | None = None) -> Path:
    """An Agreements table of two rows at A1 (XlsxWriter), and a stray cell at ``stray``."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Agreements")
    sheet.set_column(6, 6, 12, book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.add_table(0, 0, len(ROWS), len(HEADER) - 1,
                    {"name": "Agreements", "data": ROWS,
                     "columns": [{"header": h} for h in HEADER]})
    if stray:
        sheet.write(stray, "stray")
    book.close()
    return path


def _deflated_bomb(mib: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, inflated size) of SST_HEAD + mib MiB of 'P' + SST_TAIL."""
    block = b"P" * 2**20
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(SST_HEAD) + packer.flush(zlib.Z_FULL_FLUSH)
    packer.compress(block)
    middle = packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(SST_TAIL) + packer.flush(zlib.Z_FINISH)
    crc = zlib.crc32(SST_HEAD)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(SST_TAIL, crc)
    return head + middle * mib + tail, crc, len(SST_HEAD) + mib * 2**20 + len(SST_TAIL)


def zip_bomb(path: Path, mib: int = 1024, declared: int | None = None) -> Path:
    """The small table's workbook whose shared strings inflate to ``mib`` MiB. ``declared``
    is the size the zip headers claim (default: the true size; smaller = a lying zip)."""
    source = small_table(path.with_suffix(".src.xlsx"))
    data, crc, size = _deflated_bomb(mib)
    size = size if declared is None else declared
    parts: list[tuple[str, bytes, int, int, int]] = []  # name, data, method, crc, size
    with zipfile.ZipFile(source) as original:
        for info in original.infolist():
            if info.filename == "xl/sharedStrings.xml":
                parts.append((info.filename, data, zipfile.ZIP_DEFLATED, crc, size))
            else:
                raw = original.read(info.filename)
                parts.append((info.filename, raw, zipfile.ZIP_STORED, zlib.crc32(raw),
                              len(raw)))
    source.unlink()
    _write_raw_zip(path, parts)
    return path


def _write_raw_zip(path: Path, parts: list[tuple[str, bytes, int, int, int]]) -> None:
    local, central, offset = [], [], 0
    for name, data, method, crc, size in parts:
        encoded = name.encode()
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                             len(data), size, len(encoded), 0) + encoded
        local.append(header + data)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0,
                                   0x21, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
                                   offset) + encoded)
        offset += len(header) + len(data)
    directory = b"".join(central)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts),
                      len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + end)


def with_sheet_data(path: Path, sheet_data: bytes, prefix: bytes = b"") -> Path:
    """The small table's workbook with its sheet's cells replaced by ``sheet_data`` (raw
    XML; ``prefix`` names the spreadsheet namespace, e.g. ``b"x:"``, as some writers do)."""
    source = small_table(path.with_suffix(".src.xlsx"))
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    declare = b"xmlns:" + prefix[:-1] if prefix else b"xmlns"
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<' + prefix
             + b"worksheet " + declare + b'="' + main + b'"><' + prefix + b"sheetData>"
             + sheet_data + b"</" + prefix + b"sheetData><" + prefix
             + b'tableParts count="1"><' + prefix + b'tablePart r:id="rId1" xmlns:r="http://'
             b'schemas.openxmlformats.org/officeDocument/2006/relationships"/></' + prefix
             + b"tableParts></" + prefix + b"worksheet>")
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for info in original.infolist():
            data = original.read(info)
            target.writestr(info, sheet if info.filename == "xl/worksheets/sheet1.xml" else data)
    source.unlink()
    return path


def inline_row(number: int | None, values: list[object], prefix: bytes = b"",
               refs: bool = True) -> bytes:
    """One ``<row>`` of inline-string and number cells (``refs=False``: cells without ``r``,
    placed by counting, as some writers do)."""
    cells = []
    for j, value in enumerate(values):
        ref = f' r="{chr(65 + j)}{number}"'.encode() if refs and number else b""
        if isinstance(value, str):
            cells.append(b"<" + prefix + b"c" + ref + b' t="inlineStr"><' + prefix + b"is><"
                         + prefix + b"t>" + value.encode() + b"</" + prefix + b"t></" + prefix
                         + b"is></" + prefix + b"c>")
        else:
            cells.append(b"<" + prefix + b"c" + ref + b"><" + prefix + b"v>" + str(value).encode()
                         + b"</" + prefix + b"v></" + prefix + b"c>")
    start = f' r="{number}"'.encode() if number else b""
    return b"<" + prefix + b"row" + start + b">" + b"".join(cells) + b"</" + prefix + b"row>"
