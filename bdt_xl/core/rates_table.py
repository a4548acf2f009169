"""The ``Rates`` table (UN operational rates) read into a ``RateBook``.

A row with a blank or unusable *Units per USD* is an error on that Rates row; when its
currency and date are readable it still takes effect on its day as a hole, so the agreements
it would have priced are errors too ("never a guess"), not converted at the previous rate.
"""

from __future__ import annotations

from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.cells import RATE_ADAPTER, currency_cell, date_cell
from bdt_xl.core.fx import USD, RateBook
from bdt_xl.core.models import Issue, IssueCode, shown
from bdt_xl.core.table import RawTable
from bdt_xl.core.table_columns import cell_issues, column_positions, table_cells


def read_rates(table: RawTable | None) -> tuple[RateBook, list[Issue]]:
    """The rates of the ``Rates`` table and the issues of its rows."""
    if table is None:
        return RateBook(), []
    positions = column_positions(table, s.RATE_COLUMNS)
    rows, holes, issues, seen = [], [], [], {}
    for sheet_row, cells in table_cells(table, positions, s.RATE_COLUMNS):
        try:
            rate = RATE_ADAPTER.validate_python(cells)
        except ValidationError as exc:
            found = cell_issues(exc, sheet_row, cells, s.RATES)
            issues += found
            hole = _hole(cells, sheet_row) if {i.column for i in found} == {s.UNITS_PER_USD} \
                else None
            if hole is not None:
                holes.append(hole)
            continue
        if rate[s.CURRENCY] == USD:
            issues.append(Issue(code=IssueCode.USD_RATE_ROW, row=sheet_row, column=s.CURRENCY,
                                value=USD, severity=s.WARNING, sheet=s.RATES,
                                problem="USD needs no rate (amounts in USD are used as they "
                                        "are); this row is ignored."))
            continue
        key = (rate[s.CURRENCY], rate[s.EFFECTIVE_FROM])
        if key in seen and seen[key][1] != rate[s.UNITS_PER_USD]:
            issues.append(Issue(code=IssueCode.RATE_CONFLICT, row=sheet_row,
                                column=s.UNITS_PER_USD, value=shown(cells[s.UNITS_PER_USD]),
                                severity=s.WARNING, sheet=s.RATES, problem=(
                                    f"{key[0]} has another rate from {key[1].isoformat()} on row "
                                    f"{seen[key][0]}; this later row is used.")))
        seen[key] = (sheet_row, rate[s.UNITS_PER_USD])
        rows.append((rate[s.CURRENCY], rate[s.EFFECTIVE_FROM], rate[s.UNITS_PER_USD]))
    return RateBook(rows, holes), issues


def _hole(cells: dict[str, object], sheet_row: int):
    """(currency, effective from, row) of a row whose only fault is its rate."""
    try:
        currency = currency_cell(cells[s.CURRENCY])
        day = date_cell(cells[s.EFFECTIVE_FROM])
    except ValueError:
        return None
    return (currency, day, sheet_row) if currency and currency != USD else None
