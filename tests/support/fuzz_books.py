"""Whole input workbooks for the fuzz tests, as data: a ``BookSpec`` of tables of ``Cell``s
(plain values, forced text, Excel error values, formulas without a cached value), and
``write_book``, which writes a spec with openpyxl (error cells, merged cells, formulas and
tables anywhere). The strategies that draw specs are in ``fuzz_strategies``, the reference
model of what the engine must make of them in ``fuzz_model``."""

from __future__ import annotations

from dataclasses import dataclass, field

# -- cells ---------------------------------------------------------------------------------------

VALUE, TEXT, ERROR, FORMULA = "value", "text", "error", "formula"
ERROR_CODES = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!")
MARK = "✗"  # a junk text carrying it can never be a label, a date, a number or a currency


@dataclass(frozen=True)
class Cell:
    """One cell to write: a plain value, a forced string, an error value or a formula."""
    value: object = None
    kind: str = VALUE

    def __repr__(self) -> str:  # short falsifying examples
        return f"{self.kind}:{self.value!r}" if self.kind != VALUE else repr(self.value)


BLANK_CELL = Cell(None)


def text(value: str) -> Cell:
    return Cell(value, TEXT)


# -- the workbook spec -------------------------------------------------------------------------------


@dataclass
class TableSpec:
    name: str                      # the Excel Table name (or the sheet name in plain mode)
    sheet: str
    top: int                       # 1-based row of the header
    left: int                      # 1-based column of the first column
    header: list[str]
    rows: list[list[Cell]]         # data rows, one Cell per header column
    as_table: bool = True          # False: plain sheet named like the table, no Excel Table
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # data-relative r0,c0,r1,c1

    def merged_rows(self) -> list[list[Cell]]:
        """The rows as they are in the saved file: merged cells keep only their top-left."""
        rows = [list(r) for r in self.rows]
        for r0, c0, r1, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0) and r < len(rows) and c < len(rows[r]):
                        rows[r][c] = BLANK_CELL
        return rows


@dataclass
class BookSpec:
    agreements: TableSpec | None
    rates: TableSpec | None = None
    settings: TableSpec | None = None
    lists: TableSpec | None = None
    junk: list[tuple[str, int, int, Cell]] = field(default_factory=list)  # sheet, row, col, cell
    extra_sheets: list[str] = field(default_factory=list)

    def tables(self) -> list[TableSpec]:
        return [t for t in (self.agreements, self.rates, self.settings, self.lists) if t]


# -- writing -----------------------------------------------------------------------------------------


def _put(ws, row: int, col: int, cell: Cell) -> None:
    target = ws.cell(row=row, column=col)
    if cell.kind == ERROR:
        target.value = cell.value
        target.data_type = "e"
    elif cell.kind == FORMULA:
        target.value = cell.value
        target.data_type = "f"
    elif cell.kind == TEXT:
        target.value = cell.value
        target.data_type = "s"  # even "=x" or "#N/A" typed as text stays text
    elif cell.value is not None:
        target.value = cell.value


def write_book(spec: BookSpec, path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    book = Workbook()
    sheets = {}

    def sheet(name: str):
        if name not in sheets:
            sheets[name] = book.create_sheet(title=name)
        return sheets[name]

    for name in spec.extra_sheets:
        sheet(name)
    for table in spec.tables():
        ws = sheet(table.sheet)
        for j, title in enumerate(table.header):
            _put(ws, table.top, table.left + j, text(title))
        for i, row in enumerate(table.rows, start=1):
            for j, cell in enumerate(row):
                _put(ws, table.top + i, table.left + j, cell)
        for r0, c0, r1, c1 in table.merges:
            ws.merge_cells(start_row=table.top + 1 + r0, start_column=table.left + c0,
                           end_row=table.top + 1 + r1, end_column=table.left + c1)
        if table.as_table:
            from openpyxl.utils import get_column_letter as letter
            last_row = table.top + max(len(table.rows), 1)
            ref = (f"{letter(table.left)}{table.top}:"
                   f"{letter(table.left + len(table.header) - 1)}{last_row}")
            ws.add_table(Table(displayName=table.name, ref=ref))
    for name, row, col, cell in spec.junk:
        _put(sheet(name), row, col, cell)
    book.remove(book.worksheets[0])
    if not book.worksheets:
        book.create_sheet("Empty")
    book.save(path)


