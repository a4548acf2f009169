"""The reader's bounds on unusual sheet XML (issue 8, C1): cells placed by counting, a
namespace prefix, a table resized over the whole sheet. Files are written in the test."""

from __future__ import annotations

import re
import zipfile

import pytest
from hostile_files import HEADER, inline_row, with_sheet_data

from bdt_xl.errors import NotAWorkbook, WorkbookError
from bdt_xl.files.guarded_package import guarded
from bdt_xl.files.limits import MAX_RATIO, RATIO_CHECKED_ABOVE, check_package
from bdt_xl.files.reader import read_workbook

# Dates as the serial numbers Excel stores: 44621 = 1 Mar 2022, 44713 = 1 Jun 2022.
ROWS = [["A1", "Acme", "Private sector", "ROA", "Africa", "Cybersecurity", 44621, "USD", 1000,
         500],
        ["A2", "Beta", "Academia", "Non-member", "Europe", "Cybersecurity", 44713, "USD", 500,
         200]]


@pytest.mark.parametrize("prefix", [b"", b"x:"], ids=["plain", "x: prefix"])
@pytest.mark.parametrize("refs", [True, False], ids=["cells with r", "cells placed by counting"])
def test_far_row_is_cut_away_and_the_table_read(tmp_path, prefix, refs):
    data = b"".join([inline_row(1, HEADER, prefix, refs), inline_row(2, ROWS[0], prefix, refs),
                     inline_row(3, ROWS[1], prefix, refs),
                     inline_row(1_048_576, ["stray"], prefix, refs)])
    path = with_sheet_data(tmp_path / "far.xlsx", data, prefix)
    assert guarded(path).cut_sheets == ["Agreements"]  # calamine never sees row 1,048,576
    table = read_workbook(path)["Agreements"]
    assert table.header == HEADER
    assert table.sheet_rows == [2, 3]
    assert [row[0] for row in table.rows] == ["A1", "A2"]
    assert [row[8] for row in table.rows] == [1000, 500]


def test_ordinary_sheet_is_not_copied(tmp_path):
    data = b"".join(inline_row(i + 1, row) for i, row in enumerate([HEADER, *ROWS]))
    package = guarded(with_sheet_data(tmp_path / "ordinary.xlsx", data))
    assert package.cut_sheets == [] and package.source == tmp_path / "ordinary.xlsx"


def test_table_whose_last_row_is_far_away_is_refused_in_one_sentence(tmp_path):
    data = b"".join([inline_row(1, HEADER), inline_row(2, ROWS[0]),
                     inline_row(1_048_576, ROWS[1])])  # a real row at the very bottom
    path = with_sheet_data(tmp_path / "tall.xlsx", data)
    resized = tmp_path / "tall-table.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(resized, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.startswith("xl/tables/"):
                part = re.sub(rb'ref="A1:J3"', b'ref="A1:J1048576"', part)
            target.writestr(info, part)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(resized)
    message = str(caught.value)
    assert "'Agreements'" in message and "Resize Table" in message
    assert "10,485,760 cells" in message  # 1,048,576 rows x 10 columns
    assert len(message.splitlines()) == 1


def test_part_compressed_beyond_the_ratio_is_refused(tmp_path):
    path = tmp_path / "dense.xlsx"
    size = RATIO_CHECKED_ABOVE + 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * size + b"</sst>")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/sharedStrings.xml")
        assert info.file_size / info.compress_size > MAX_RATIO  # spaces deflate ~1000 fold
        with pytest.raises(NotAWorkbook) as caught:
            check_package(archive, "dense.xlsx")
    assert "dense.xlsx is refused" in str(caught.value)


def test_ordinary_compression_passes(tmp_path):
    path = tmp_path / "text.xlsx"
    rows = "".join(f"<row r=\"{i}\"><c r=\"A{i}\"><v>{i * 7919 % 100003}</v></c></row>"
                   for i in range(1, 200_000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", rows)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > RATIO_CHECKED_ABOVE
        check_package(archive, "text.xlsx")  # no exception: a big but ordinary part
