"""Finding a table's columns by header and turning its rows into cells, for every input
table (Agreements, Rates, Settings, Lists): headers match ignoring case and spacing, and a
missing column is named together with the headers found and the closest one."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from pydantic import ValidationError

from bdt_xl.core.lists import normalize
from bdt_xl.core.models import CELL_RULE_CODES, Issue, IssueCode, shown
from bdt_xl.core.table import RawTable
from bdt_xl.errors import WorkbookError


def header_keys(table: RawTable) -> dict[str, int]:
    """Position of each header by its matching key (the first of two equal headers wins)."""
    return {normalize(h): i for i, h in reversed(list(enumerate(table.header))) if str(h).strip()}


def closest_header(table: RawTable, column: str, taken: Sequence[str] = ()) -> str | None:
    """The header that most looks like ``column`` ("Partner amount (local currency)" for
    "Partner amount"), for a "did you mean" hint; None when nothing is close. Headers of
    the columns in ``taken`` (already matched) are never proposed."""
    skip = {normalize(c) for c in taken}
    headers = [str(h).strip() for h in table.header
               if str(h).strip() and normalize(h) not in skip]
    key = normalize(column)
    containing = [h for h in headers if key in normalize(h)]
    if containing:
        return min(containing, key=len)
    by_key = {normalize(h): h for h in headers}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def missing_column_error(table: RawTable, column: str,
                         taken: Sequence[str] = ()) -> WorkbookError:
    """One sentence: which column is missing, the headers found and the closest one."""
    headers = ", ".join(f"'{h}'" for h in table.header if str(h).strip()) or "none"
    hint = closest_header(table, column, taken)
    advice = (f"did you mean '{hint}'? Rename it '{column}'" if hint else
              f"add a column headed '{column}'")
    return WorkbookError(f"The {table.name} table (sheet '{table.sheet}') has no '{column}' "
                         f"column; {advice} (headers found: {headers}).")


def column_positions(table: RawTable, required: Sequence[str],
                     optional: Sequence[str] = ()) -> dict[str, int]:
    """Position of each expected column, headers matched ignoring case and spacing."""
    keys = header_keys(table)
    found = {c: keys[normalize(c)] for c in (*required, *optional) if normalize(c) in keys}
    missing = [c for c in required if c not in found]
    if missing:
        raise missing_column_error(table, missing[0], list(found))
    return found


def table_cells(table: RawTable, positions: dict[str, int],
                columns: Sequence[str]) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (sheet row, {column: value}) for each data row."""
    index = [(c, positions.get(c)) for c in columns]
    for sheet_row, row in zip(table.sheet_rows, table.rows):
        yield sheet_row, {c: (row[i] if i is not None and i < len(row) else None)
                          for c, i in index}


def cell_issues(exc: ValidationError, sheet_row: int, cells: dict[str, object],
                sheet: str) -> list[Issue]:
    """The Issues of one row whose cells failed their rules (one per failing cell)."""
    issues = []
    for error in exc.errors(include_url=False):
        column = str(error["loc"][0]) if error["loc"] else ""
        issues.append(Issue(code=CELL_RULE_CODES.get(error["type"], IssueCode.BAD_TEXT),
                            row=sheet_row, column=column, value=shown(cells.get(column)),
                            problem=sentence(error["msg"]), sheet=sheet))
    return issues


def sentence(message: str) -> str:
    """A pydantic message as a sentence: prefix dropped, capital first, full stop last."""
    message = message.strip()
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
