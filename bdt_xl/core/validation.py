"""Validate the input tables: every problem becomes an ``Issue`` naming the sheet row, the
Agreement ID, the column, the value and a plain sentence; rows with an error are excluded.

Cell rules come from ``models`` (pydantic); this module adds the rules that need more than
one cell: duplicate IDs, the action plan in force on the signing date, the currency and rate
in force, and partners described differently on different rows. The input rows are never
changed: accepted rows are copied into a new DataFrame with canonical labels and USD amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.cells import RATE_ADAPTER, agreement_cell_adapters, date_cell
from bdt_xl.core.fx import USD, RateBook, ecb_rates
from bdt_xl.core.lists import (
    DEFAULT_ITEMS,
    DEFAULT_LISTS,
    KINDS,
    LISTS_COLUMNS,
    PRIORITY,
    ActionPlan,
    ListItem,
    ReferenceLists,
    normalize,
    tidy,
)
from bdt_xl.core.models import Issue, Settings, shown
from bdt_xl.core.table import RawTable
from bdt_xl.errors import WorkbookError

LARGE_USD = 1e10

# Columns of the accepted-agreements frame handed to aggregation.
ROW, ID, PARTNER, KEY, TYPE, MEMBER, REGION, PRIORITY_COL, PLAN, SIGNED, CURRENCY = (
    "row", "id", "partner", "partner_key", "partner_type", "membership", "region", "priority",
    "plan", "signed", "currency")
PARTNER_AMT, ITU_AMT, RATE, PARTNER_USD, ITU_USD, FUNDS, FX_SOURCE = (
    "partner_amount", "itu_amount", "rate", "partner_usd", "itu_usd", "funds", "fx_source")

_FIELD_OF = {s.AGREEMENT_ID: ID, s.PARTNER: PARTNER, s.PARTNER_TYPE: TYPE, s.MEMBERSHIP: MEMBER,
             s.REGION: REGION, s.PRIORITY: PRIORITY_COL, s.SIGNED_ON: SIGNED,
             s.CURRENCY: CURRENCY, s.PARTNER_AMOUNT: PARTNER_AMT, s.ITU_AMOUNT: ITU_AMT}
AGREEMENT_FRAME_COLUMNS = (ROW, ID, PARTNER, KEY, TYPE, MEMBER, REGION, PRIORITY_COL, PLAN, SIGNED,
                           CURRENCY, PARTNER_AMT, ITU_AMT, RATE, PARTNER_USD, ITU_USD, FUNDS,
                           FX_SOURCE)


@dataclass
class Validated:
    agreements: pd.DataFrame
    issues: list[Issue]
    settings: Settings
    lists: ReferenceLists
    rates: RateBook
    rows_read: int = 0
    rows_excluded: int = 0
    fallback_rates_used: int = 0
    settings_given: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == s.ERROR]


def column_positions(table: RawTable, required: Sequence[str],
                     optional: Sequence[str] = ()) -> dict[str, int]:
    """Position of each expected column, headers matched ignoring case and spacing."""
    found: dict[str, int] = {}
    keys = {normalize(h): i for i, h in reversed(list(enumerate(table.header))) if str(h).strip()}
    for column in (*required, *optional):
        if normalize(column) in keys:
            found[column] = keys[normalize(column)]
    missing = [c for c in required if c not in found]
    if missing:
        headers = ", ".join(f"'{h}'" for h in table.header if str(h).strip()) or "none"
        raise WorkbookError(
            f"The {table.name} table (sheet '{table.sheet}') has no '{missing[0]}' column; "
            f"add a column headed '{missing[0]}' (headers found: {headers}).")
    return found


def _cells(table: RawTable, positions: dict[str, int], columns: Sequence[str]):
    """Yield (sheet row, {column: value}) for each data row."""
    index = [(c, positions.get(c)) for c in columns]
    for sheet_row, row in zip(table.sheet_rows, table.rows):
        yield sheet_row, {c: (row[i] if i is not None and i < len(row) else None)
                          for c, i in index}


def _cell_issues(exc: ValidationError, sheet_row: int, agreement_id: str, cells: dict,
                 sheet: str) -> list[Issue]:
    issues = []
    for error in exc.errors(include_url=False):
        column = str(error["loc"][0]) if error["loc"] else ""
        issues.append(Issue(row=sheet_row, agreement_id=agreement_id, column=column,
                            value=shown(cells.get(column)), problem=_sentence(error["msg"]),
                            sheet=sheet))
    return issues


def _sentence(message: str) -> str:
    message = message.strip()
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


# -- lists, settings, rates --------------------------------------------------------------------

def _kind_of(text: object) -> str | None:
    key = normalize(text)
    for kind in KINDS:
        k = normalize(kind)
        if key in (k, k + "s", k.removesuffix("y") + "ies", k + "es") or \
                (kind == s.MEMBERSHIP and key in ("membership", "itu memberships")):
            return kind
    return None


def read_lists(table: RawTable | None) -> tuple[ReferenceLists, list[Issue]]:
    """The reference lists from the workbook's ``Lists`` table (defaults for missing kinds)."""
    if table is None or not table.rows:
        return DEFAULT_LISTS, []
    kind_col, label_col, fr_col, alias_col, plan_col, from_col, to_col = LISTS_COLUMNS
    positions = column_positions(table, (kind_col, label_col), LISTS_COLUMNS[2:])
    items: list[ListItem] = []
    plan_dates: dict[str, list[date | None]] = {}
    issues: list[Issue] = []
    for sheet_row, cells in _cells(table, positions, LISTS_COLUMNS):
        kind, label = _kind_of(cells[kind_col]), cells[label_col]
        if kind is None or not str(label or "").strip():
            issues.append(Issue(row=sheet_row, column=kind_col if kind is None else label_col,
                                value=shown(cells[kind_col] if kind is None else label),
                                severity=s.WARNING, sheet=s.LISTS, problem=(
                                    f"This list row is ignored: the list must be one of "
                                    f"{', '.join(KINDS)} and the label must not be empty.")))
            continue
        plan = tidy(cells[plan_col] or "") if kind == PRIORITY else ""
        aliases = tuple(a.strip() for a in str(cells[alias_col] or "").split(";") if a.strip())
        items.append(ListItem(kind, tidy(label), tidy(cells[fr_col] or ""), aliases, plan))
        if plan:
            bounds = plan_dates.setdefault(plan, [None, None])
            for slot, column in ((0, from_col), (1, to_col)):
                if bounds[slot] is None and cells[column] not in (None, ""):
                    try:
                        bounds[slot] = date_cell(cells[column])
                    except Exception:
                        issues.append(Issue(row=sheet_row, column=column,
                                            value=shown(cells[column]), sheet=s.LISTS,
                                            severity=s.WARNING,
                                            problem="This is not a date; the action plan's "
                                                    "validity is taken from another row."))
    given = {item.kind for item in items}
    items += [item for item in DEFAULT_ITEMS if item.kind not in given]
    defaults = {plan.name: plan for plan in DEFAULT_LISTS.plans}
    plans = []
    for name, (start, end) in plan_dates.items():
        if start is None and name in defaults:
            start, end = defaults[name].valid_from, end or defaults[name].valid_to
        if start is None:
            issues.append(Issue(row=None, column=from_col, value=name, sheet=s.LISTS, problem=(
                f"The action plan “{name}” has no 'Valid from' date, so none of its priorities "
                f"can be used; give its first day.")))
            continue
        plans.append(ActionPlan(name, start, end))
    if PRIORITY not in given:
        plans = list(DEFAULT_LISTS.plans)
    return ReferenceLists(items, plans), issues


#: What each setting accepts, in the words of the warning about a value not understood.
_SETTING_ACCEPTS = {
    s.SETTING_REPORT_YEAR: "a year such as 2023 (or left empty: the latest year in the data)",
    s.SETTING_THROUGH: "a date such as 2023-04-30 (or left empty)",
    s.SETTING_LANGUAGE: "en or fr",
    s.SETTING_TOP_N: "a whole number from 1 to 1000 (or left empty: 10)",
    s.SETTING_ECB_FALLBACK: "yes or no",
}
_SETTING_NAMES = {normalize(name): name for name in (
    s.SETTING_REPORT_YEAR, s.SETTING_THROUGH, s.SETTING_LANGUAGE, s.SETTING_TOP_N,
    s.SETTING_ECB_FALLBACK)}


def read_settings(table: RawTable | None) -> tuple[Settings, list[Issue], set[str]]:
    """The ``Settings`` table; a bad value is reported and its default used instead."""
    if table is None or not table.rows:
        return Settings(), [], set()
    positions = column_positions(table, s.SETTINGS_COLUMNS)
    values: dict[str, object] = {}
    where: dict[str, int] = {}
    issues: list[Issue] = []
    for sheet_row, cells in _cells(table, positions, s.SETTINGS_COLUMNS):
        name = _SETTING_NAMES.get(normalize(cells[s.SETTING] or ""))
        if name is None:
            issues.append(Issue(row=sheet_row, column=s.SETTING, value=shown(cells[s.SETTING]),
                                severity=s.WARNING, sheet=s.SETTINGS, problem=(
                                    f"Unknown setting, ignored; the settings are: "
                                    f"{', '.join(_SETTING_NAMES.values())}.")))
            continue
        if cells[s.VALUE] not in (None, ""):
            values[name], where[name] = cells[s.VALUE], sheet_row
    while True:
        try:
            return Settings.model_validate(values), issues, set(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                name = str(error["loc"][0])
                issues.append(Issue(row=where.get(name), column=s.VALUE,
                                    value=shown(values.pop(name, "")), sheet=s.SETTINGS,
                                    severity=s.WARNING, problem=_sentence(
                                        f"“{name}” should be "
                                        f"{_SETTING_ACCEPTS.get(name, error['msg'])}; "
                                        "the default is used")))


def read_rates(table: RawTable | None) -> tuple[RateBook, list[Issue]]:
    if table is None:
        return RateBook(), []
    positions = column_positions(table, s.RATE_COLUMNS)
    rows, issues, seen = [], [], {}
    for sheet_row, cells in _cells(table, positions, s.RATE_COLUMNS):
        try:
            rate = RATE_ADAPTER.validate_python(cells)
        except ValidationError as exc:
            issues += _cell_issues(exc, sheet_row, "", cells, s.RATES)
            continue
        if rate[s.CURRENCY] == USD:
            issues.append(Issue(row=sheet_row, column=s.CURRENCY, value=USD, severity=s.WARNING,
                                sheet=s.RATES, problem="USD needs no rate (amounts in USD are "
                                                       "used as they are); this row is ignored."))
            continue
        key = (rate[s.CURRENCY], rate[s.EFFECTIVE_FROM])
        if key in seen and seen[key][1] != rate[s.UNITS_PER_USD]:
            issues.append(Issue(row=sheet_row, column=s.UNITS_PER_USD,
                                value=shown(cells[s.UNITS_PER_USD]), severity=s.WARNING,
                                sheet=s.RATES, problem=(
                                    f"{key[0]} has another rate from {key[1].isoformat()} on row "
                                    f"{seen[key][0]}; this later row is used.")))
        seen[key] = (sheet_row, rate[s.UNITS_PER_USD])
        rows.append((rate[s.CURRENCY], rate[s.EFFECTIVE_FROM], rate[s.UNITS_PER_USD]))
    return RateBook(rows), issues


# -- agreements --------------------------------------------------------------------------------

def validate(tables: dict[str, RawTable], ecb_fallback: bool | None = None,
             today: date | None = None) -> Validated:
    """Validate the input tables (as read by ``reading``) and convert amounts to USD."""
    if s.AGREEMENTS not in tables:
        raise WorkbookError("There is no Agreements table; create an Excel Table named "
                            "'Agreements' with your agreement rows.")
    lists, issues = read_lists(tables.get(s.LISTS))
    settings, setting_issues, given = read_settings(tables.get(s.SETTINGS))
    rates, rate_issues = read_rates(tables.get(s.RATES))
    issues += setting_issues + rate_issues
    use_ecb = settings.ecb_fallback if ecb_fallback is None else ecb_fallback

    table = tables[s.AGREEMENTS]
    positions = column_positions(table, [c for c in s.AGREEMENT_COLUMNS
                                         if c not in s.OPTIONAL_AGREEMENT_COLUMNS],
                                 s.OPTIONAL_AGREEMENT_COLUMNS)
    sheet_rows = np.asarray(table.sheet_rows, dtype=np.int64)
    raw = _columns(table, positions)
    clean: dict[str, np.ndarray] = {}
    bad = np.zeros(len(sheet_rows), dtype=bool)
    cell_issues: list[tuple[int, str, str]] = []  # (position, column, problem)
    for column, adapter in agreement_cell_adapters(lists).items():
        clean[column], problems = _check_column(raw[column], adapter)
        for position, problem in problems:
            cell_issues.append((position, column, problem))
            bad[position] = True
    ids = clean[s.AGREEMENT_ID]  # tidy text where valid, else None
    for position, column, problem in cell_issues:
        issues.append(Issue(row=int(sheet_rows[position]),
                            agreement_id=shown(raw[s.AGREEMENT_ID][position]),
                            column=column, value=shown(raw[column][position]),
                            problem=problem, sheet=table.sheet))
    issues += _duplicate_ids(ids, sheet_rows, bad, table.sheet)

    frame = _frame({column: values[~bad] for column, values in clean.items()}, sheet_rows[~bad])
    frame, cross_issues, fallback_used = _cross_row_rules(frame, lists, rates, use_ecb,
                                                          table.sheet, today or date.today())
    issues += cross_issues
    cross_bad = {i.row for i in cross_issues if i.severity == s.ERROR and i.sheet == table.sheet}
    frame = frame[~frame[ROW].isin(cross_bad)].reset_index(drop=True)
    issues += _partner_consistency(frame, table.sheet)
    issues.sort(key=lambda i: (i.sheet != table.sheet, i.sheet, i.row or 0))
    return Validated(frame, issues, settings, lists, rates, rows_read=len(sheet_rows),
                     rows_excluded=int(bad.sum()) + len(cross_bad),
                     fallback_rates_used=fallback_used, settings_given=given)


def _columns(table: RawTable, positions: dict[str, int]) -> dict[str, list[object]]:
    """The table's rows turned into one list of cells per expected column."""
    width = max((len(r) for r in table.rows), default=0)
    rows = table.rows if all(len(r) == width for r in table.rows) else \
        [list(r) + [None] * (width - len(r)) for r in table.rows]
    transposed = list(zip(*rows)) if rows else []
    empty = [None] * len(table.rows)
    return {column: list(transposed[positions[column]]) if column in positions and transposed
            else empty for column in s.AGREEMENT_COLUMNS}


def _check_column(values: list[object], adapter) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Apply one column's cell rule to each distinct value; map results back to the rows."""
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    if any(isinstance(u, bool) for u in uniques):  # True == 1 == 1.0 when hashed: cell by cell
        lookup: dict[tuple[type, object], int] = {}
        distinct: list[object] = []
        codes = np.empty(len(values), dtype=np.int64)
        for i, value in enumerate(values):
            key = (type(value), value)
            if key not in lookup:
                lookup[key] = len(distinct)
                distinct.append(value)
            codes[i] = lookup[key]
        uniques = distinct
    has_blank = bool((codes < 0).any())
    distinct = [*uniques, None] if has_blank else list(uniques)
    results = np.empty(len(distinct), dtype=object)
    failures: dict[int, str] = {}
    try:
        results[:] = adapter.validate_python(distinct)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            failures.setdefault(error["loc"][0], _sentence(error["msg"]))
        fine = [i for i in range(len(distinct)) if i not in failures]
        if fine:  # the rules are per cell, so the valid cells now pass on their own
            results[fine] = adapter.validate_python([distinct[i] for i in fine])
    if has_blank:
        codes = np.where(codes < 0, len(uniques), codes)
    failed = np.zeros(len(results), dtype=bool)
    failed[list(failures)] = True
    problems = [(int(p), failures[codes[p]]) for p in np.flatnonzero(failed[codes])]
    return results[codes], problems


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
        issues.append(Issue(row=int(sheet_rows[position]), agreement_id=ids[position],
                            column=s.AGREEMENT_ID, value=ids[position], sheet=sheet, problem=(
                                f"Agreement ID {ids[position]} is already used on row "
                                f"{first_row[keys[position]]}; give each agreement its own ID "
                                f"(this row is left out).")))
    return issues


def _frame(columns: dict[str, np.ndarray], sheet_rows: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({_FIELD_OF[c]: values for c, values in columns.items()})
    frame.insert(0, ROW, sheet_rows)
    names = frame[PARTNER].unique()
    frame[KEY] = frame[PARTNER].map(dict(zip(names, map(normalize, names))))
    frame[SIGNED] = pd.to_datetime(pd.Series(list(frame[SIGNED]), dtype=object)) \
        if len(frame) else pd.Series([], dtype="datetime64[ns]")
    for column in (PARTNER_AMT, ITU_AMT):
        frame[column] = frame[column].astype(float)
    return frame


def _cross_row_rules(frame: pd.DataFrame, lists: ReferenceLists, rates: RateBook,
                     use_ecb: bool, sheet: str, today: date):
    issues: list[Issue] = []
    fallback_used = 0
    if frame.empty:
        for column in (RATE, PARTNER_USD, ITU_USD, FUNDS):
            frame[column] = pd.Series(dtype=float)
        frame[PLAN] = pd.Series(dtype=object)
        frame[FX_SOURCE] = pd.Series(dtype=object)
        return frame, issues, 0

    def report(mask, column, value_of, problem_of, severity=s.ERROR):
        for rec in frame.loc[mask].itertuples(index=False):
            rec = rec._asdict()
            issues.append(Issue(row=rec[ROW], agreement_id=rec[ID], column=column,
                                value=value_of(rec), severity=severity, problem=problem_of(rec),
                                sheet=sheet))

    # Action plan in force on the signing date (where plans overlap, the latest-starting).
    signed = frame[SIGNED].to_numpy()
    in_force = np.full(len(frame), "", dtype=object)
    plans = {plan.name: plan for plan in lists.plans}
    for plan in sorted(lists.plans, key=lambda p: p.valid_from):
        covered = signed >= np.datetime64(plan.valid_from, "D")
        if plan.valid_to is not None:
            covered &= signed <= np.datetime64(plan.valid_to, "D")
        in_force[covered] = plan.name
    in_force = pd.Series(in_force, index=frame.index)
    frame[PLAN] = frame[PRIORITY_COL].map({label: lists.plan_of(label)
                                           for label in frame[PRIORITY_COL].unique()})
    no_plan = in_force == ""
    report(no_plan, s.SIGNED_ON, lambda r: r[SIGNED].date().isoformat(), lambda r: (
        f"No action plan is in force on {r[SIGNED].date().isoformat()} (the lists cover "
        f"{_plan_span(lists)}); check the date."))
    wrong_plan = ~no_plan & (frame[PLAN] != in_force)
    frame["in_force"] = in_force
    report(wrong_plan, s.PRIORITY, lambda r: r[PRIORITY_COL], lambda r: (
        f"“{r[PRIORITY_COL]}” is a priority of the {r[PLAN] or 'no action plan'}, but on "
        f"{r[SIGNED].date().isoformat()} the {r['in_force']} is in force; choose one of its "
        f"priorities (e.g. “{_first_priority(lists, plans[r['in_force']])}”)."))
    frame = frame.drop(columns="in_force")
    future = frame[SIGNED] > pd.Timestamp(today)
    report(future, s.SIGNED_ON, lambda r: r[SIGNED].date().isoformat(),
           lambda r: "This signing date is in the future; check it.", s.WARNING)

    # Currency and rate in force.
    has_amount = (frame[PARTNER_AMT] > 0) | (frame[ITU_AMT] > 0)
    no_currency = has_amount & (frame[CURRENCY] == "")
    report(no_currency, s.CURRENCY, lambda r: "", lambda r: (
        "The amount has no currency; type its ISO code (USD, CHF, EUR…)."))
    frame.loc[~has_amount & (frame[CURRENCY] == ""), CURRENCY] = USD
    frame[RATE] = rates.rates(frame[CURRENCY], frame[SIGNED])
    frame[FX_SOURCE] = np.where(frame[CURRENCY] == USD, "", "UN operational rate")
    missing = has_amount & ~no_currency & frame[RATE].isna()
    if use_ecb and missing.any():
        ecb = ecb_rates()
        for position in np.flatnonzero(missing.to_numpy()):
            rec = frame.iloc[position]
            units = ecb.rate(rec[CURRENCY], rec[SIGNED].date())
            if units is not None:
                frame.iat[position, frame.columns.get_loc(RATE)] = units
                frame.iat[position, frame.columns.get_loc(FX_SOURCE)] = "ECB reference (fallback)"
                fallback_used += 1
        used = missing & frame[RATE].notna()
        report(used, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
            f"No UN operational rate for {r[CURRENCY]} on {r[SIGNED].date().isoformat()}; the "
            f"ECB reference rate {r[RATE]:.4f} per USD was used instead (fallback)."), s.WARNING)
        missing &= frame[RATE].isna()
    report(missing, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
        f"No exchange rate for {r[CURRENCY]} in force on {r[SIGNED].date().isoformat()}; add "
        f"a row to the Rates table (Currency {r[CURRENCY]}, Effective from on or before that "
        f"date)."))
    safe_rate = frame[RATE].where(frame[RATE].notna() & has_amount, 1.0)
    frame[PARTNER_USD] = frame[PARTNER_AMT] / safe_rate
    frame[ITU_USD] = frame[ITU_AMT] / safe_rate
    frame[FUNDS] = frame[PARTNER_USD] + frame[ITU_USD]
    report(frame[FUNDS] > LARGE_USD, s.PARTNER_AMOUNT, lambda r: shown(r[PARTNER_AMT]), lambda r: (
        f"This agreement is worth {r[FUNDS]:,.0f} USD, which is unusually large; check the "
        f"amount and currency."), s.WARNING)

    return frame, issues, fallback_used


def _partner_consistency(frame: pd.DataFrame, sheet: str) -> list[Issue]:
    """Warn where a partner's type or membership differs from its first accepted row's."""
    issues = []
    for column, label in ((TYPE, s.PARTNER_TYPE), (MEMBER, s.MEMBERSHIP)):
        by_partner = frame.groupby(KEY, sort=False)
        first = by_partner[column].transform("first")
        first_row = by_partner[ROW].transform("first")
        noun = "partner type" if column == TYPE else label
        for position in np.flatnonzero((frame[column] != first).to_numpy()):
            rec = frame.iloc[position]
            issues.append(Issue(
                row=int(rec[ROW]), agreement_id=rec[ID], column=label, value=rec[column],
                severity=s.WARNING, sheet=sheet, problem=(
                    f"{rec[PARTNER]} is “{first.iat[position]}” on row {first_row.iat[position]} "
                    f"but “{rec[column]}” here; the partner is counted as "
                    f"“{first.iat[position]}” in partner figures (the agreement keeps its own "
                    f"{noun} in agreement figures).")))
    return issues


def _plan_span(lists: ReferenceLists) -> str:
    if not lists.plans:
        return "no dates: the Lists table defines no action plan"
    start = min(p.valid_from for p in lists.plans)
    ends = [p.valid_to for p in lists.plans]
    end = "today" if None in ends else max(e for e in ends if e).isoformat()
    return f"{start.isoformat()} to {end}"


def _first_priority(lists: ReferenceLists, plan: ActionPlan) -> str:
    return next((i.label for i in lists.items if i.kind == PRIORITY and i.plan == plan.name), "")
