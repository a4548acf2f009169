"""The reader's byte-level look at sheet XML flags exactly what the plain regular-expression
statement of each rule flags: cells that could make calamine allocate a
huge grid, formula cells and error cells."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bdt_xl.core.table import RawTable
from bdt_xl.files.formula_cells import _CELL, _REF, _VALUE, _add, scan_errors, scan_formulas
from bdt_xl.files.sheet_xml import column_index, needs_walk


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
def test_needs_walk_flags_exactly_the_pieces_the_rule_flags(piece, prefix):
    assert needs_walk(piece, prefix) == rule(piece, prefix)


def cells_holding(piece: bytes, needle: bytes) -> list[bytes]:
    """The rule in words for the formula and error scans: from each ``needle`` not inside a
    cell already found, back to the start of its cell element, and that whole element."""
    cell = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
    found, at = [], piece.find(needle)
    while at != -1:
        lo = max(0, at - 20_000)
        start = max(piece.rfind(b"<c ", lo, at), piece.rfind(b":c ", lo, at) - 1)
        match = cell.match(piece, start) if start >= 0 else None
        if match and match.end() > at:
            found.append(match.group(0))
            at = piece.find(needle, match.end())
        else:
            at = piece.find(needle, at + 1)
    return found


_CELL_PARTS = st.sampled_from([b'<c r="A1"', b'<x:c r="B2"', b' t="e"', b' t="n"', b">",
                               b"<v>#N/A</v>", b"<v>1</v>", b"<f>A1+1</f>", b"<f/>", b"</c>",
                               b"</x:c>", b"/>", b"<row r=\"1\">", b"</row>", b"<f", b"q"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_CELL_PARTS, max_size=30).map(b"".join))
def test_formula_and_error_scans_find_the_cells_the_rule_finds(piece):
    formulas: dict = {}
    errors: dict = {}
    scan_formulas(piece, formulas)
    scan_errors(piece, errors)
    expected_formulas = {}
    for cell in cells_holding(piece, b"<f"):
        _add(expected_formulas, _CELL.match(cell))
    assert formulas == expected_formulas
    expected_errors = {}
    for cell in cells_holding(piece, b't="e"'):
        attributes, body = _CELL.match(cell).groups()
        ref, value = _REF.search(attributes), _VALUE.search(body or b"")
        if ref and value and b't="e"' in attributes:
            expected_errors[(int(ref.group(2)) - 1, column_index(ref.group(1).decode()))] = \
                value.group(1).decode()
    assert errors == expected_errors


def test_scans_on_hand_written_cells():
    piece = (b'<row r="3"><c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C3"><v>2</v></c>'
             b'<c r="D3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>')
    formulas: dict = {}
    errors: dict = {}
    scan_formulas(piece, formulas)
    scan_errors(piece, errors)
    assert errors == {(2, 1): "#DIV/0!"}
    assert set(formulas) == {(2, 1), (2, 3)}
    assert formulas[(2, 3)].formula == '"a"&amp;"b"' and formulas[(2, 3)].cached == "ab"


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
