"""The reader's byte-level look at sheet XML never misses what could make calamine allocate a
huge grid: checked against the plain regular-expression statement of the rule."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bdt_xl.core.table import RawTable
from bdt_xl.files.sheet_xml import needs_walk


def rule(piece: bytes, prefix: bytes) -> bool:
    """The rule in words: a cell reference of two letters or six digits, or a cell element
    whose first attribute is not ``r``."""
    start = re.escape(b"<" + prefix + b"c")
    return (re.search(rb'r="(?:[A-Z]{2}|[A-Z]\d{6})', piece) is not None
            or re.search(start + rb"(?: [^r]|>|/)", piece) is not None)


_PARTS = st.sampled_from([b"<c", b"<x:c", b" r=\"", b"r=\"", b"\"", b" ", b">", b"/", b"<row",
                          b"A", b"Z", b"AB", b"1", b"123456", b"9", b"s=\"1\"", b"<v>", b"</c>",
                          b"t=\"e\"", b"<f>", b"q"])
pieces = st.lists(_PARTS, max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(pieces, st.sampled_from([b"", b"x:"]))
def test_needs_walk_flags_every_piece_the_rule_flags(piece, prefix):
    if rule(piece, prefix):
        assert needs_walk(piece, prefix)


def test_needs_walk_on_hand_written_pieces():
    ordinary = b'<row r="2" spans="1:3"><c r="A2" t="s"><v>0</v></c><c r="C99999"><v>1</v></c></row>'
    assert not needs_walk(ordinary, b"")
    assert needs_walk(b'<c r="AA2"><v>1</v></c>', b"")  # column beyond Z
    assert needs_walk(b'<c r="B100000"><v>1</v></c>', b"")  # row beyond 99,999
    assert needs_walk(b'<c s="1"><v>1</v></c>', b"")  # placed by counting
    assert needs_walk(b"<c><v>1</v></c>", b"")
    assert needs_walk(b"<x:c/>", b"x:")
    assert not needs_walk(b'<x:c r="A1"><x:v>1</x:v></x:c>', b"x:")


_CELLS = st.one_of(st.none(), st.sampled_from(["", " ", "  \t", "x", "0", 0, 0.0, float("nan"),
                                               1.5, True]))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=5), max_size=8))
def test_blank_rows_are_those_with_an_empty_cell_and_nothing_else(rows):
    def blank(cell):
        return cell is None or (isinstance(cell, str) and not cell.strip()) or cell != cell

    table = RawTable.from_values("T", [["a", "b", "c", "d", "e"], *rows])
    kept = [row for row in rows
            if not (row and any(c is None or c == "" for c in row) and all(map(blank, row)))]
    assert table.rows == kept
    assert table.sheet_rows == [2 + i for i, row in enumerate(rows) if any(row is k for k in kept)]
