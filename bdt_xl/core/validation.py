"""Validate the input tables: every problem becomes an ``Issue`` with a code, the sheet row,
the Agreement ID, the column, the value and a plain sentence; rows with an error are excluded.

This module checks the Agreements rows cell by cell (rules in ``cells``) and for duplicate
IDs, then hands the accepted rows to ``agreement_rules`` (action plan, rate in force, USD).
The Lists, Settings and Rates tables are read by their own modules. The input rows are never
changed: accepted rows are copied into a new DataFrame with canonical labels and USD amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter

import numpy as np
import pandas as pd
from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.agreement_frame import (
    CODES_OF,
    FIELD_OF,
    ITU_AMT,
    KEY,
    PARTNER_AMT,
    ROW,
    SIGNED,
)
from bdt_xl.core.agreement_rules import cross_row_rules, first_of_group, partner_consistency
from bdt_xl.core.cells import UNCHANGED_BY_RULE, agreement_cell_adapters
from bdt_xl.core.fx import RateBook
from bdt_xl.core.lists import ReferenceLists, normalize
from bdt_xl.core.lists_table import read_lists
from bdt_xl.core.models import (
    CELL_RULE_CODES,
    Issue,
    IssueCode,
    Settings,
    has_control_characters,
    shown,
    without_control_characters,
)
from bdt_xl.core.rates_table import read_rates
from bdt_xl.core.settings_table import read_settings
from bdt_xl.core.table import RawTable
from bdt_xl.core.table_columns import (
    closest_header,
    column_positions,
    missing_column_error,
    sentence,
)
from bdt_xl.errors import WorkbookError

__all__ = ["Validated", "validate", "read_rates", "read_lists", "read_settings", "KEY", "SIGNED"]

#: The columns that carry money (optional: a table may record agreements without amounts).
MONEY_COLUMNS = (s.CURRENCY, s.PARTNER_AMOUNT, s.ITU_AMOUNT)
#: Columns whose text is cleaned of control characters (with a warning) before the rules.
TEXT_COLUMNS = (s.AGREEMENT_ID, s.PARTNER, s.PARTNER_TYPE, s.MEMBERSHIP, s.REGION, s.PRIORITY,
                s.CURRENCY)


@dataclass
class Validated:
    """The accepted rows (one per agreement, see ``agreement_frame``) and every issue."""
    agreements: pd.DataFrame
    issues: list[Issue]
    settings: Settings
    lists: ReferenceLists
    rates: RateBook
    rows_read: int = 0
    rows_excluded: int = 0
    fallback_rates_used: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == s.ERROR]


def validate(tables: dict[str, RawTable], ecb_fallback: bool | None = None,
             today: date | None = None) -> Validated:
    """Validate the input tables (as any adapter hands them) and convert amounts to USD."""
    if s.AGREEMENTS not in tables:
        raise WorkbookError("There is no Agreements table; create an Excel Table named "
                            "'Agreements' with your agreement rows.")
    lists, issues = read_lists(tables.get(s.LISTS))
    settings, setting_issues = read_settings(tables.get(s.SETTINGS))
    rates, rate_issues = read_rates(tables.get(s.RATES))
    issues += setting_issues + rate_issues
    use_ecb = settings.ecb_fallback if ecb_fallback is None else ecb_fallback

    table = tables[s.AGREEMENTS]
    positions = agreement_positions(table)
    sheet_rows = np.asarray(table.sheet_rows, dtype=np.int64)
    raw = _columns(table, positions)
    issues += _clean_control_characters(raw, sheet_rows, table.sheet)
    checked: dict[str, _Checked] = {}
    bad = np.zeros(len(sheet_rows), dtype=bool)
    ids = raw[s.AGREEMENT_ID]
    for column, adapter in agreement_cell_adapters(lists).items():
        checked[column] = done = _check_column(raw[column], adapter,
                                               FIELD_OF[column] in CODES_OF,
                                               UNCHANGED_BY_RULE.get(column))
        for position, code, problem in done.problems:
            bad[position] = True
            issues.append(Issue(code=code, row=int(sheet_rows[position]),
                                agreement_id=shown(ids.cell(position)),
                                column=column, value=shown(raw[column].cell(position)),
                                problem=problem, sheet=table.sheet))
    issues += _duplicate_ids(checked[s.AGREEMENT_ID].values(), sheet_rows, bad, table.sheet)

    frame = _frame(checked, ~bad, sheet_rows[~bad])
    frame, cross_issues, fallback_used = cross_row_rules(frame, lists, rates, use_ecb,
                                                         table.sheet, today or date.today())
    issues += cross_issues
    cross_bad = {i.row for i in cross_issues if i.severity == s.ERROR and i.sheet == table.sheet}
    frame = frame[~frame[ROW].isin(cross_bad)].reset_index(drop=True)
    issues += partner_consistency(frame, table.sheet)
    issues.sort(key=lambda i: (i.sheet != table.sheet, i.sheet, i.row or 0))
    return Validated(frame, issues, settings, lists, rates, rows_read=len(sheet_rows),
                     rows_excluded=int(bad.sum()) + len(cross_bad),
                     fallback_rates_used=fallback_used)


def agreement_positions(table: RawTable) -> dict[str, int]:
    """Where each Agreements column is. A money column may be absent only when no header
    looks like it (a renamed ``Partner amount`` would otherwise turn every amount into 0
    without a word), and an amount column or a currency only with the other present."""
    required = [c for c in s.AGREEMENT_COLUMNS if c not in s.OPTIONAL_AGREEMENT_COLUMNS]
    positions = column_positions(table, required, s.OPTIONAL_AGREEMENT_COLUMNS)
    has_amount = s.PARTNER_AMOUNT in positions or s.ITU_AMOUNT in positions
    for column in MONEY_COLUMNS:
        if column in positions:
            continue
        needed = has_amount if column == s.CURRENCY else \
            column == s.PARTNER_AMOUNT and s.CURRENCY in positions
        if needed or closest_header(table, column, list(positions)):
            raise missing_column_error(table, column, list(positions))
    return positions


class _Cells:
    """One Agreements column as read: its cells, and (once hashed) its distinct values with
    the code of each row's value (-1 for a blank), so that the rules run once per distinct
    value."""

    def __init__(self, cells: np.ndarray, hashed: bool = True) -> None:
        self.cells = cells
        self.codes: np.ndarray | None = None
        self.distinct: list[object] = []
        self.by_type = False  # distinct values told apart by type too (see ``_distinct``)
        #: The values that held control characters (their distinct values are cleaned).
        self.dirty: frozenset[str] = frozenset()
        if hashed:
            self.hash()

    def hash(self) -> None:
        """Find the distinct values (once)."""
        if self.codes is None:
            self.codes, self.distinct, self.by_type = _distinct(self.cells)

    def __len__(self) -> int:
        return len(self.cells)

    def __getitem__(self, index):
        return self.cells[index]

    def cell(self, position: int) -> object:
        """The cell at ``position`` as the rules see it (without control characters)."""
        value = self.cells[position]
        return without_control_characters(value) if self.dirty and value in self.dirty \
            else value


def _columns(table: RawTable, positions: dict[str, int]) -> dict[str, _Cells]:
    """The table's rows turned into one object array of cells per expected column (a copy;
    a column the table lacks is all blanks), each hashed into its distinct values but IDs."""
    rows = table.rows
    width = max(map(len, rows), default=0)
    if min(map(len, rows), default=0) != width:
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    n = len(rows)
    # IDs are nearly all distinct: hashing them pays only for the cells that need pydantic
    return {column: _Cells(np.fromiter(map(itemgetter(positions[column]), rows), dtype=object,
                                       count=n) if column in positions and width else
                           np.full(n, None, dtype=object), hashed=column != s.AGREEMENT_ID)
            for column in s.AGREEMENT_COLUMNS}


#: Types none of whose values equals a number (or None): a column whose distinct values are
#: all of these cannot hide TRUE behind 1, and only its blanks can be None.
_NOT_NUMBERS = frozenset({str, date, datetime, time, timedelta})


def _distinct(cells: np.ndarray) -> tuple[np.ndarray, list[object], bool]:
    """The codes and distinct values of a column's cells (only None is a blank, code -1),
    and whether values of different types were told apart."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    blank = codes < 0
    blanks = int(blank.sum())
    if set(map(type, uniques)) <= _NOT_NUMBERS:
        mixed, nones = False, cells[blank].tolist().count(None) if blanks else 0
    else:
        values = cells.tolist()
        types = set(map(type, values))
        mixed, nones = bool in types and (int in types or float in types), values.count(None)
    # True == 1 == 1.0 when hashed, and NaN is taken for a blank: such columns go cell by cell
    if mixed or nones != blanks:
        return *_distinct_by_type(cells.tolist()), True
    return codes, list(uniques), False


def _clean_control_characters(raw: dict[str, _Cells], sheet_rows: np.ndarray,
                              sheet: str) -> list[Issue]:
    """Remove control characters (``\\x01``…) from text cells, with a warning each: they are
    typing or export accidents, and no report or terminal should receive them."""
    issues = []
    ids = raw[s.AGREEMENT_ID]
    for column in TEXT_COLUMNS:
        cells = raw[column]
        if cells.codes is None and not has_control_characters(_texts(cells.cells)[1]):
            continue  # (the cells hold every text their distinct values hold)
        cells.hash()
        # the first of equal values stands for them, as in a set of the cells
        texts, joined = _texts(set(cells.distinct) if cells.by_type else cells.distinct,
                               blank=bool((cells.codes < 0).any()))
        if not has_control_characters(joined):
            continue
        cells.dirty = frozenset(v for v in texts if has_control_characters(v))
        dirty = [i for i, value in enumerate(cells.distinct) if value in cells.dirty]
        for i in dirty:
            cells.distinct[i] = without_control_characters(cells.distinct[i])
        for position in np.flatnonzero(np.isin(cells.codes, dirty)):
            issues.append(Issue(
                code=IssueCode.CONTROL_CHARACTERS, row=int(sheet_rows[position]),
                agreement_id=shown(ids.cell(position)), column=column,
                value=shown(cells.cells[position]), severity=s.WARNING, sheet=sheet,
                problem="This cell holds invisible control characters; they were removed "
                        "(retype the cell to get rid of them)."))
    return issues


def _texts(values, blank: bool = False) -> tuple[object, str]:
    """The values the control-character check reads, and them joined (one scan in C): all
    of them when they are all text and none is blank, else the plain str values only."""
    try:
        if blank:
            raise TypeError  # a blank cell is not text
        return values, "\t".join(values)
    except TypeError:
        values = [v for v in values if type(v) is str]
        return values, "\t".join(values)


class _Checked:
    """One column after its cell rule: the result of each distinct value (None where it
    failed), each row's code into them, the rows' problems and, for a list column, the
    rows' label codes."""

    def __init__(self, results: np.ndarray, codes: np.ndarray,
                 problems: list[tuple[int, IssueCode, str]],
                 labels: pd.Categorical | None) -> None:
        self.results, self.codes, self.problems, self.labels = results, codes, problems, labels

    def values(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The result of each row (of the rows selected by the mask ``rows``)."""
        return self.results[self.codes if rows is None else self.codes[rows]]


def _check_column(column: _Cells, adapter, categorical: bool = False,
                  unchanged: Callable[[Sequence[object]], np.ndarray] | None = None) -> _Checked:
    """Apply one column's cell rule to each distinct value; map results back to the rows
    (and, for a list column, the rows' label codes as a categorical). ``unchanged`` (see
    ``cells.UNCHANGED_BY_RULE``) names the values the rule returns as they are: pydantic is
    asked about the others only. An unhashed column (IDs) is checked row by row where the
    shortcut keeps the cell, by distinct value elsewhere."""
    if unchanged is not None and column.codes is None and not categorical:
        kept = unchanged(column.cells)
        others = np.flatnonzero(~kept)
        rest = _check_column(_Cells(column.cells[others]), adapter)
        results = column.cells.copy()
        results[others] = rest.values()
        return _Checked(results, np.arange(len(results)), [
            (int(others[p]), code, problem) for p, code, problem in rest.problems], None)
    column.hash()
    codes = column.codes
    has_blank = bool((codes < 0).any())
    distinct = np.empty(len(column.distinct) + has_blank, dtype=object)
    distinct[:len(column.distinct)] = column.distinct
    results = np.empty(len(distinct), dtype=object)
    if unchanged is None:
        todo = np.arange(len(distinct))
    else:
        kept = np.zeros(len(distinct), dtype=bool)  # (a blank is never kept)
        kept[:len(column.distinct)] = unchanged(column.distinct)
        results[kept] = distinct[kept]
        todo = np.flatnonzero(~kept)
    failures: dict[int, tuple[IssueCode, str]] = {}
    if len(todo):
        try:
            results[todo] = adapter.validate_python(distinct[todo].tolist())
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                failures.setdefault(int(todo[error["loc"][0]]), (
                    CELL_RULE_CODES.get(error["type"], IssueCode.BAD_TEXT),
                    sentence(error["msg"])))
            fine = [i for i in todo.tolist() if i not in failures]
            if fine:  # the rules are per cell, so the valid cells now pass on their own
                results[fine] = adapter.validate_python(distinct[fine].tolist())
    if has_blank:
        codes = np.where(codes < 0, len(distinct) - 1, codes)
    failed = np.zeros(len(results), dtype=bool)
    failed[list(failures)] = True
    problems = [(int(p), *failures[codes[p]]) for p in np.flatnonzero(failed[codes])]
    return _Checked(results, codes, problems,
                    _label_codes(results, codes) if categorical else None)


def _label_codes(results: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """The canonical label of each row as a categorical, from the distinct values' results
    (several spellings of one label share its code; a failed cell has none)."""
    categories = list(dict.fromkeys(r for r in results if r is not None))
    index = {label: i for i, label in enumerate(categories)}
    of_distinct = np.array([index.get(r, -1) if r is not None else -1 for r in results],
                           dtype=np.int64)
    return pd.Categorical.from_codes(of_distinct[codes], categories)


def _distinct_by_type(values: list[object]) -> tuple[np.ndarray, list[object]]:
    """Codes of the distinct values where a value's type matters (TRUE is not 1, NaN is
    not blank); only None is a blank (code -1)."""
    lookup: dict[tuple[type, object], int] = {}
    distinct: list[object] = []
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value is None:
            codes[i] = -1
            continue
        key = (type(value), "nan" if value != value else value)  # NaN != NaN
        if key not in lookup:
            lookup[key] = len(distinct)
            distinct.append(value)
        codes[i] = lookup[key]
    return codes, distinct


def _duplicate_ids(ids: np.ndarray, sheet_rows: np.ndarray, bad: np.ndarray,
                   sheet: str) -> list[Issue]:
    """Every use of an Agreement ID after its first is an error (and excludes the row)."""
    present = np.flatnonzero(ids != None)  # noqa: E711  (a failed ID cell is None)
    keys = list(map(str.casefold, ids[present].tolist()))
    first = first_of_group(pd.factorize(np.array(keys, dtype=object))[0])
    issues = []
    for again in np.flatnonzero(first != np.arange(len(first))):
        position = present[again]
        bad[position] = True
        issues.append(Issue(code=IssueCode.DUPLICATE_ID, row=int(sheet_rows[position]),
                            agreement_id=ids[position], column=s.AGREEMENT_ID,
                            value=ids[position], sheet=sheet, problem=(
                                f"Agreement ID {ids[position]} is already used on row "
                                f"{sheet_rows[present[first[again]]]}; give each agreement "
                                f"its own ID (this row is left out).")))
    return issues


def _frame(checked: dict[str, _Checked], rows: np.ndarray,
           sheet_rows: np.ndarray) -> pd.DataFrame:
    """The accepted rows (mask ``rows``) as the agreements frame. Dates, amounts and partner
    keys are converted once per distinct value, then taken for the rows."""
    columns: dict[str, object] = {ROW: sheet_rows}
    columns.update({FIELD_OF[c]: done.values(rows) for c, done in checked.items()})
    if len(sheet_rows):
        columns[SIGNED] = _converted(checked[s.SIGNED_ON], rows, lambda days: pd.to_datetime(
            pd.Series(list(days), dtype=object)).to_numpy())
        for column in (s.PARTNER_AMOUNT, s.ITU_AMOUNT):
            columns[FIELD_OF[column]] = _converted(checked[column], rows,
                                                   lambda amounts: amounts.astype(float))
        columns[KEY] = _converted(checked[s.PARTNER], rows, lambda names: np.array(
            [normalize(name) for name in names], dtype=object))
    else:  # the dtypes an empty frame always had
        columns.update({SIGNED: np.empty(0, dtype="datetime64[ns]"), PARTNER_AMT: np.empty(0),
                        ITU_AMT: np.empty(0), KEY: np.empty(0)})
    columns.update({CODES_OF[FIELD_OF[c]]: done.labels[rows] for c, done in checked.items()
                    if done.labels is not None})
    return pd.DataFrame(columns)


def _converted(done: _Checked, rows: np.ndarray, convert) -> np.ndarray:
    """``convert`` (an array of results to an array) applied to the distinct results the
    rows use, taken for the rows."""
    codes = done.codes[rows]
    used = np.flatnonzero(np.bincount(codes, minlength=len(done.results)))
    values = convert(done.results[used])
    table = np.empty(len(done.results), dtype=values.dtype)
    table[used] = values
    return table[codes]
