"""Rules over accepted Agreements rows that need more than one cell: the action plan in force
on the signing date, the currency and the rate in force, amounts too large to be true, and
partners described differently on different rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.agreement_frame import (
    CODES_OF,
    CURRENCY,
    FUNDS,
    FX_SOURCE,
    ID,
    ITU_AMT,
    ITU_USD,
    KEY,
    MEMBER,
    PARTNER,
    PARTNER_AMT,
    PARTNER_USD,
    PLAN,
    PRIORITY_COL,
    RATE,
    ROW,
    SIGNED,
    TYPE,
)
from bdt_xl.core.cells import MAX_AMOUNT
from bdt_xl.core.fx import USD, RateBook, ecb_rates
from bdt_xl.core.lists import ReferenceLists
from bdt_xl.core.models import Issue, IssueCode, shown

#: Above this an agreement is unusual enough to be checked (a warning; it still counts).
LARGE_USD = 1e10


class _Reporter:
    """Collects one Issue per row of a mask, with the row's ID and sheet row."""

    def __init__(self, frame: pd.DataFrame, sheet: str) -> None:
        self.frame, self.sheet, self.issues = frame, sheet, []

    def __call__(self, code, mask, column, value_of, problem_of, severity=s.ERROR) -> None:
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):  # the usual case: no copy of the frame for nothing
            return
        rows = self.frame.iloc[positions]
        names = list(rows.columns)
        for values in rows.itertuples(index=False, name=None):
            rec = dict(zip(names, values))
            self.issues.append(Issue(code=code, row=rec[ROW], agreement_id=rec[ID],
                                     column=column, value=value_of(rec), severity=severity,
                                     problem=problem_of(rec), sheet=self.sheet))


def _codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Each row's code into the distinct values of ``column`` (an object array), from the
    label codes validation carries (``CODES_OF``) or else by hashing the column once: the
    rules below compare those few values, not 50,000 strings."""
    if CODES_OF.get(column) in frame:
        codes = frame[CODES_OF[column]].cat
        return codes.codes.to_numpy(), np.asarray(codes.categories, dtype=object)
    codes, values = pd.factorize(frame[column])
    return codes, np.asarray(values, dtype=object)


def _of_rows(per_value: list[bool] | np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A property of each distinct value, for each row (False where a row has no value)."""
    return np.append(np.asarray(per_value, dtype=bool), False)[codes]


def cross_row_rules(frame: pd.DataFrame, lists: ReferenceLists, rates: RateBook,
                    use_ecb: bool, sheet: str, today: date) -> tuple[pd.DataFrame, list[Issue],
                                                                    int]:
    """The frame with plan, rate and USD columns added; the issues; ECB rates used."""
    if frame.empty:
        for column in (RATE, PARTNER_USD, ITU_USD, FUNDS):
            frame[column] = pd.Series(dtype=float)
        frame[PLAN] = pd.Series(dtype=object)
        frame[FX_SOURCE] = pd.Series(dtype=object)
        return frame, [], 0
    report = _Reporter(frame, sheet)
    frame = _action_plans(frame, lists, report)
    report.frame = frame
    future = frame[SIGNED] > pd.Timestamp(today)
    report(IssueCode.FUTURE_DATE, future, s.SIGNED_ON, lambda r: _day(r),
           lambda r: "This signing date is in the future; check it.", s.WARNING)
    fallback_used = _usd_amounts(frame, rates, use_ecb, report)
    return frame, report.issues, fallback_used


def _day(rec) -> str:
    return rec[SIGNED].date().isoformat()


def _action_plans(frame: pd.DataFrame, lists: ReferenceLists, report: _Reporter) -> pd.DataFrame:
    """The priority must belong to the plan in force on the signing date (where plans
    overlap, the latest-starting one); a plan whose priorities are unknown says how to add
    them."""
    signed = frame[SIGNED].to_numpy()
    by_start = sorted(lists.plans, key=lambda p: p.valid_from)
    names = [plan.name for plan in by_start]
    in_force_at = np.full(len(frame), -1)  # index into ``names``; -1: none
    for i, plan in enumerate(by_start):
        covered = signed >= np.datetime64(plan.valid_from, "D")
        if plan.valid_to is not None:
            covered &= signed <= np.datetime64(plan.valid_to, "D")
        in_force_at[covered] = i
    codes, priorities = _codes(frame, PRIORITY_COL)
    plan_of = [lists.plan_of(label) for label in priorities]
    frame[PLAN] = np.array(plan_of, dtype=object)[codes]
    plans = {plan.name: plan for plan in lists.plans}
    known = {name: lists.priorities_of(name) for name in plans}
    no_plan = np.array([name == "" for name in names] + [True])[in_force_at]
    report(IssueCode.NO_ACTION_PLAN, no_plan, s.SIGNED_ON, _day, lambda r: (
        f"No action plan is in force on {_day(r)} (the lists cover {_plan_span(lists)}); "
        f"check the date."))
    unknown = ~no_plan & np.array([not known[name] for name in names] + [False])[in_force_at]
    other = np.ones((len(plan_of) + 1, len(names) + 1), dtype=bool)  # [priority, plan]
    for i, plan in enumerate(plan_of):
        other[i, :-1] = [plan != name for name in names]
    wrong_plan = ~no_plan & ~unknown & other[codes, in_force_at]
    if unknown.any() or wrong_plan.any():
        frame["in_force"] = np.array([*names, ""], dtype=object)[in_force_at]
    report(IssueCode.PLAN_WITHOUT_PRIORITIES, unknown, s.PRIORITY, lambda r: r[PRIORITY_COL],
           lambda r: _add_plan_advice(plans[r["in_force"]], _day(r)))
    report(IssueCode.WRONG_PLAN, wrong_plan, s.PRIORITY, lambda r: r[PRIORITY_COL], lambda r: (
        f"“{r[PRIORITY_COL]}” is a priority of the {r[PLAN] or 'no action plan'}, but on "
        f"{_day(r)} the {r['in_force']} is in force; choose one of its priorities "
        f"(e.g. “{known[r['in_force']][0]}”)."))
    if "in_force" in frame:
        del frame["in_force"]
    return frame


def _add_plan_advice(plan, day: str) -> str:
    start = plan.valid_from.isoformat()
    return (f"On {day} the {plan.name} is in force, but its priorities are not in the lists; "
            f"add them to the Lists table, one row per priority: List = Priority, Label = the "
            f"priority, Action plan = {plan.name}, Valid from = {start}"
            + (f", Valid to = {plan.valid_to.isoformat()}." if plan.valid_to else "."))


def _usd_amounts(frame: pd.DataFrame, rates: RateBook, use_ecb: bool,
                 report: _Reporter) -> int:
    """Currency and rate in force, then the USD amounts (in place); ECB rates used."""
    has_amount = ((frame[PARTNER_AMT] > 0) | (frame[ITU_AMT] > 0)).to_numpy()
    codes, currencies = _codes(frame, CURRENCY)
    blank = _of_rows(currencies == "", codes)
    no_currency = has_amount & blank
    report(IssueCode.NO_CURRENCY, no_currency, s.CURRENCY, lambda r: "", lambda r: (
        "The amount has no currency; type its ISO code (USD, CHF, EUR…)."))
    in_usd = ~has_amount & blank
    if in_usd.any():
        frame.loc[in_usd, CURRENCY] = USD
    units, hole_rows = rates.lookup(frame[CURRENCY], frame[SIGNED])
    frame[RATE] = units
    frame[FX_SOURCE] = np.where(_of_rows(currencies == USD, codes) | in_usd, "",
                                "UN operational rate")
    missing = has_amount & ~no_currency & np.isnan(units)
    unusable = missing & (hole_rows > 0)
    if unusable.any():
        frame["hole_row"] = hole_rows
        report(IssueCode.UNUSABLE_RATE, unusable, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
            f"The {r[CURRENCY]} rate in force on {_day(r)} (row {r['hole_row']} of the Rates "
            f"table) is not a usable number, so this amount cannot be converted; correct that "
            f"rate."))
        del frame["hole_row"]
    missing &= ~unusable
    fallback_used = 0
    if use_ecb and missing.any():
        ecb = ecb_rates()
        for position in np.flatnonzero(missing):
            rec = frame.iloc[position]
            units = ecb.rate(rec[CURRENCY], rec[SIGNED].date())
            if units is not None:
                frame.iat[position, frame.columns.get_loc(RATE)] = units
                frame.iat[position, frame.columns.get_loc(FX_SOURCE)] = "ECB reference (fallback)"
                fallback_used += 1
        used = missing & frame[RATE].notna().to_numpy()
        report(IssueCode.ECB_RATE_USED, used, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
            f"No UN operational rate for {r[CURRENCY]} on {_day(r)}; the ECB reference rate "
            f"{r[RATE]:.4f} per USD was used instead (fallback)."), s.WARNING)
        missing &= frame[RATE].isna().to_numpy()
    report(IssueCode.MISSING_RATE, missing, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
        f"No exchange rate for {r[CURRENCY]} in force on {_day(r)}; add a row to the Rates "
        f"table (Currency {r[CURRENCY]}, Effective from on or before that date)."))
    safe_rate = frame[RATE].where(frame[RATE].notna() & has_amount, 1.0)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        frame[PARTNER_USD] = frame[PARTNER_AMT] / safe_rate
        frame[ITU_USD] = frame[ITU_AMT] / safe_rate
        frame[FUNDS] = frame[PARTNER_USD] + frame[ITU_USD]
    overflow = ~np.isfinite(frame[FUNDS]) | (frame[FUNDS] > MAX_AMOUNT)
    report(IssueCode.USD_OVERFLOW, overflow, s.PARTNER_AMOUNT, lambda r: shown(r[PARTNER_AMT]),
           lambda r: (f"In USD this amount is too large to count (the {r[CURRENCY]} rate "
                      f"{r[RATE]:g} per USD is implausibly small); check the rate and the "
                      f"amount."))
    report(IssueCode.LARGE_AMOUNT, ~overflow & (frame[FUNDS] > LARGE_USD), s.PARTNER_AMOUNT,
           lambda r: shown(r[PARTNER_AMT]), lambda r: (
               f"This agreement is worth {r[FUNDS]:,.0f} USD, which is unusually large; check "
               f"the amount and currency."), s.WARNING)
    return fallback_used


def partner_consistency(frame: pd.DataFrame, sheet: str) -> list[Issue]:
    """Warn where a partner's type or membership differs from its first accepted row's."""
    issues = []
    first = first_of_group(pd.factorize(frame[KEY])[0])
    rows, ids, partners = (frame[c].to_numpy() for c in (ROW, ID, PARTNER))
    for column, label in ((TYPE, s.PARTNER_TYPE), (MEMBER, s.MEMBERSHIP)):
        codes, _ = _codes(frame, column)
        values = frame[column].to_numpy()
        noun = "partner type" if column == TYPE else label
        for position in np.flatnonzero(codes != codes[first]):
            was = first[position]
            issues.append(Issue(
                code=IssueCode.PARTNER_DESCRIBED_DIFFERENTLY, row=int(rows[position]),
                agreement_id=ids[position], column=label, value=values[position],
                severity=s.WARNING, sheet=sheet, problem=(
                    f"{partners[position]} is “{values[was]}” on row {rows[was]} "
                    f"but “{values[position]}” here; in each period's partner figures the "
                    f"partner counts under the {noun} of its first row in that period.")))
    return issues


def first_of_group(codes: np.ndarray) -> np.ndarray:
    """For each row, the position of the first row with its code (codes numbered in order
    of first appearance, as ``pd.factorize`` numbers them)."""
    return first_positions(codes)[codes]


def first_positions(codes: np.ndarray) -> np.ndarray:
    """The position of the first row of each code, code by code (codes numbered in order of
    first appearance, as ``pd.factorize`` numbers them)."""
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


def _plan_span(lists: ReferenceLists) -> str:
    if not lists.plans:
        return "no dates: the Lists table defines no action plan"
    start = min(p.valid_from for p in lists.plans)
    ends = [p.valid_to for p in lists.plans]
    end = "today" if None in ends else max(e for e in ends if e).isoformat()
    return f"{start.isoformat()} to {end}"
