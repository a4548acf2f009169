"""Validate the input tables: every problem becomes an ``Issue`` with a code, the sheet row,
the Agreement ID, the column, the value and a plain sentence; rows with an error are excluded.

This module checks the Agreements rows cell by cell (rules in ``cells``) and for duplicate
IDs, then hands the accepted rows to ``agreement_rules`` (action plan, rate in force, USD).
The Lists, Settings and Rates tables are read by their own modules. The input rows are never
changed: accepted rows are copied into a new DataFrame with canonical labels and USD amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.agreement_frame import (
    CODES_OF,
    FIELD_OF,
    ITU_AMT,
    KEY,
    PARTNER,
    PARTNER_AMT,
    ROW,
    SIGNED,
)
from bdt_xl.core.agreement_rules import cross_row_rules, partner_consistency
from bdt_xl.core.cells import agreement_cell_adapters
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
    clean: dict[str, np.ndarray] = {}
    label_codes: dict[str, pd.Categorical] = {}
    bad = np.zeros(len(sheet_rows), dtype=bool)
    for column, adapter in agreement_cell_adapters(lists).items():
        clean[column], problems, codes = _check_column(raw[column], adapter,
                                                       FIELD_OF[column] in CODES_OF)
        if codes is not None:
            label_codes[CODES_OF[FIELD_OF[column]]] = codes
        for position, code, problem in problems:
            bad[position] = True
            issues.append(Issue(code=code, row=int(sheet_rows[position]),
                                agreement_id=shown(raw[s.AGREEMENT_ID][position]),
                                column=column, value=shown(raw[column][position]),
                                problem=problem, sheet=table.sheet))
    issues += _duplicate_ids(clean[s.AGREEMENT_ID], sheet_rows, bad, table.sheet)

    frame = _frame({column: values[~bad] for column, values in clean.items()}, sheet_rows[~bad])
    for name, codes in label_codes.items():
        frame[name] = codes[~bad]
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


def _columns(table: RawTable, positions: dict[str, int]) -> dict[str, list[object]]:
    """The table's rows turned into one list of cells per expected column (a copy)."""
    width = max((len(r) for r in table.rows), default=0)
    rows = table.rows if all(len(r) == width for r in table.rows) else \
        [list(r) + [None] * (width - len(r)) for r in table.rows]
    transposed = list(zip(*rows)) if rows else []
    empty = [None] * len(table.rows)
    return {column: list(transposed[positions[column]]) if column in positions and transposed
            else empty for column in s.AGREEMENT_COLUMNS}


def _clean_control_characters(raw: dict[str, list[object]], sheet_rows: np.ndarray,
                              sheet: str) -> list[Issue]:
    """Remove control characters (``\\x01``…) from text cells, with a warning each: they are
    typing or export accidents, and no report or terminal should receive them."""
    issues = []
    for column in TEXT_COLUMNS:
        values = raw[column]
        distinct = set(values)
        try:
            joined = "\t".join(distinct)  # one scan in C when the column holds only text
        except TypeError:
            distinct = {v for v in distinct if type(v) is str}
            joined = "\t".join(distinct)
        if not has_control_characters(joined):
            continue
        dirty = {v for v in distinct if has_control_characters(v)}
        for position, value in enumerate(values):
            if value in dirty:
                values[position] = without_control_characters(value)
                issues.append(Issue(
                    code=IssueCode.CONTROL_CHARACTERS, row=int(sheet_rows[position]),
                    agreement_id=shown(raw[s.AGREEMENT_ID][position]), column=column,
                    value=shown(value), severity=s.WARNING, sheet=sheet,
                    problem="This cell holds invisible control characters; they were removed "
                            "(retype the cell to get rid of them)."))
    return issues


def _check_column(values: list[object], adapter, categorical: bool = False
                  ) -> tuple[np.ndarray, list[tuple[int, IssueCode, str]], pd.Categorical | None]:
    """Apply one column's cell rule to each distinct value; map results back to the rows
    (and, for a list column, the rows' label codes as a categorical)."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    # True == 1 == 1.0 when hashed, and NaN is taken for a blank: such columns go cell by cell
    types = set(map(type, values))
    if (bool in types and (int in types or float in types)) or \
            values.count(None) != int((codes < 0).sum()):
        codes, uniques = _distinct_by_type(values)
    has_blank = bool((codes < 0).any())
    distinct = [*uniques, None] if has_blank else list(uniques)
    results = np.empty(len(distinct), dtype=object)
    failures: dict[int, tuple[IssueCode, str]] = {}
    try:
        results[:] = adapter.validate_python(distinct)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            failures.setdefault(error["loc"][0], (
                CELL_RULE_CODES.get(error["type"], IssueCode.BAD_TEXT), sentence(error["msg"])))
        fine = [i for i in range(len(distinct)) if i not in failures]
        if fine:  # the rules are per cell, so the valid cells now pass on their own
            results[fine] = adapter.validate_python([distinct[i] for i in fine])
    if has_blank:
        codes = np.where(codes < 0, len(uniques), codes)
    failed = np.zeros(len(results), dtype=bool)
    failed[list(failures)] = True
    problems = [(int(p), *failures[codes[p]]) for p in np.flatnonzero(failed[codes])]
    return results[codes], problems, _label_codes(results, codes) if categorical else None


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
    keys = pd.Series(ids, dtype=object).str.casefold()
    repeated = (keys.duplicated(keep="first") & keys.notna()).to_numpy()
    if not repeated.any():
        return []
    firsts = (~repeated) & keys.notna().to_numpy()
    first_row = dict(zip(keys[firsts], sheet_rows[firsts]))
    issues = []
    for position in np.flatnonzero(repeated):
        bad[position] = True
        issues.append(Issue(code=IssueCode.DUPLICATE_ID, row=int(sheet_rows[position]),
                            agreement_id=ids[position], column=s.AGREEMENT_ID,
                            value=ids[position], sheet=sheet, problem=(
                                f"Agreement ID {ids[position]} is already used on row "
                                f"{first_row[keys[position]]}; give each agreement its own ID "
                                f"(this row is left out).")))
    return issues


def _frame(columns: dict[str, np.ndarray], sheet_rows: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({FIELD_OF[c]: values for c, values in columns.items()})
    frame.insert(0, ROW, sheet_rows)
    names = frame[PARTNER].unique()
    frame[KEY] = frame[PARTNER].map(dict(zip(names, map(normalize, names))))
    frame[SIGNED] = pd.to_datetime(pd.Series(list(frame[SIGNED]), dtype=object)) \
        if len(frame) else pd.Series([], dtype="datetime64[ns]")
    for column in (PARTNER_AMT, ITU_AMT):
        frame[column] = frame[column].astype(float)
    return frame
