"""What a workbook file says about its cells beyond the values calamine reads from them.

Three things would otherwise give wrong figures without a word:

* a formula never calculated (the workbook was written by a script): the cell is read as
  blank and its row is an error saying what to do (``pipeline`` leaves the row out),
  instead of counting a 0 or a blank;
* a row whose only content is a calculated extra column (``=YEAR([@[Signed on]])`` showing
  1900 on an empty row) is a blank row, not an agreement with every cell missing;
* the 1904 date system of Mac workbooks: an unformatted serial number in a date column
  counts its days from 1904 (calamine already converts cells formatted as dates).
"""

from __future__ import annotations

from collections.abc import Sequence

from bdt_xl import schema as s
from bdt_xl.core.lists import LISTS_COLUMNS, normalize
from bdt_xl.core.models import Issue, IssueCode
from bdt_xl.core.table import is_blank
from bdt_xl.files.formula_cells import FormulaCell

#: The 1904 system counts from 1 Jan 1904, 1,462 days after the 1900 system's day 0.
DAYS_1904_TO_1900 = 1462
_COLUMNS = {s.AGREEMENTS: s.AGREEMENT_COLUMNS, s.RATES: s.RATE_COLUMNS,
            s.SETTINGS: s.SETTINGS_COLUMNS, s.LISTS: LISTS_COLUMNS}
_DATE_COLUMNS = {s.AGREEMENTS: (s.SIGNED_ON,), s.RATES: (s.EFFECTIVE_FROM,),
                 s.LISTS: ("Valid from", "Valid to")}


def uncalculated_problem(formula: str) -> str:
    shown = f"={formula}" if formula else "a formula"
    return (f"the formula {shown} in this cell has no calculated value (the workbook was "
            f"written by a program and never calculated); open the workbook in Excel or "
            f"LibreOffice, recalculate (Ctrl+Alt+F9 in Excel, Ctrl+Shift+F9 in LibreOffice), "
            f"save it and run the report again")


def apply(table: str, sheet: str, header: Sequence[str], rows: list[list[object]],
          first_sheet_row: int, formulas: dict[tuple[int, int], FormulaCell],
          recalculate_on_open: bool, date1904: bool) -> tuple[list[list[object]], list[Issue]]:
    """The data rows corrected for the three rules, and the issues found.

    ``rows[i][j]`` is the cell at 1-based sheet row ``first_sheet_row + i``; ``formulas`` are
    keyed by (i, j). Rows are copied before they are changed."""
    known = {normalize(c) for c in _COLUMNS.get(table, ())}
    read, seen = [], set()
    for name in header:  # of two columns headed alike, the first is the one read
        key = normalize(name)
        read.append(key in known and key not in seen)
        seen.add(key)
    issues: list[Issue] = []
    by_row: dict[int, list[tuple[int, FormulaCell]]] = {}
    for (i, j), cell in formulas.items():
        if 0 <= i < len(rows) and 0 <= j < len(header):
            by_row.setdefault(i, []).append((j, cell))
    for i, cells in by_row.items():
        row = rows[i]
        calculated = {j for j, _ in cells}
        typed = [j for j, value in enumerate(row) if not is_blank(value) and j not in calculated]
        if not typed and all(not read[j] for j in calculated):
            rows[i] = [None] * len(row)  # only a calculated extra column: a blank row
            continue
        missing = [(j, cell) for j, cell in sorted(cells)
                   if read[j] and cell.uncalculated(recalculate_on_open)]
        if not missing:
            continue
        row = rows[i] = list(row)
        ident = _agreement_id(header, row) if table == s.AGREEMENTS else ""
        for j, cell in missing:
            issues.append(_issue(row=first_sheet_row + i, agreement_id=ident, column=header[j],
                                 value=f"={cell.formula}" if cell.formula else "",
                                 problem=uncalculated_problem(cell.formula), sheet=sheet))
        for j, _ in missing:  # never a 0 or a placeholder: blank, and the row is an error
            row[j] = None
    if date1904:
        _shift_serials(table, header, rows)
    return rows, issues


def _agreement_id(header: Sequence[str], row: list[object]) -> str:
    for j, name in enumerate(header):
        if normalize(name) == normalize(s.AGREEMENT_ID) and not is_blank(row[j]):
            value = row[j]
            return str(int(value)) if isinstance(value, float) and value.is_integer() else \
                str(value)
    return ""


def _shift_serials(table: str, header: Sequence[str], rows: list[list[object]]) -> None:
    """Unformatted serial numbers of date cells, from the 1904 system to the 1900 one."""
    wanted = {normalize(c) for c in _DATE_COLUMNS.get(table, ())}
    columns = [j for j, h in enumerate(header) if normalize(h) in wanted]
    if table == s.SETTINGS:
        key = [j for j, h in enumerate(header) if normalize(h) == normalize(s.SETTING)]
        value = [j for j, h in enumerate(header) if normalize(h) == normalize(s.VALUE)]
        if not key or not value:
            return
        rows_with = [i for i, row in enumerate(rows)
                     if normalize(row[key[0]] or "") == normalize(s.SETTING_THROUGH)]
        targets = [(i, value[0]) for i in rows_with]
    else:
        targets = [(i, j) for j in columns for i in range(len(rows))]
    for i, j in targets:
        value = rows[i][j]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            rows[i] = list(rows[i])
            rows[i][j] = value + DAYS_1904_TO_1900


def _issue(**fields: object) -> Issue:
    """The error Issue of a formula without a calculated result."""
    return Issue(severity=s.ERROR, code=IssueCode.FORMULA_NOT_CALCULATED, **fields)
