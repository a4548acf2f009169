"""Rules over accepted Agreements rows that need more than one cell: the action plan in force
on the signing date, the currency and the rate in force, amounts too large to be true, and
partners described differently on different rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.agreement_frame import (
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
        for rec in self.frame.loc[mask].itertuples(index=False):
            rec = rec._asdict()
            self.issues.append(Issue(code=code, row=rec[ROW], agreement_id=rec[ID],
                                     column=column, value=value_of(rec), severity=severity,
                                     problem=problem_of(rec), sheet=self.sheet))


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
    in_force = np.full(len(frame), "", dtype=object)
    for plan in sorted(lists.plans, key=lambda p: p.valid_from):
        covered = signed >= np.datetime64(plan.valid_from, "D")
        if plan.valid_to is not None:
            covered &= signed <= np.datetime64(plan.valid_to, "D")
        in_force[covered] = plan.name
    in_force = pd.Series(in_force, index=frame.index)
    frame[PLAN] = frame[PRIORITY_COL].map({label: lists.plan_of(label)
                                           for label in frame[PRIORITY_COL].unique()})
    plans = {plan.name: plan for plan in lists.plans}
    known = {name: lists.priorities_of(name) for name in plans}
    no_plan = in_force == ""
    report(IssueCode.NO_ACTION_PLAN, no_plan, s.SIGNED_ON, _day, lambda r: (
        f"No action plan is in force on {_day(r)} (the lists cover {_plan_span(lists)}); "
        f"check the date."))
    unknown = ~no_plan & in_force.isin([name for name, labels in known.items() if not labels])
    frame["in_force"] = in_force
    report(IssueCode.PLAN_WITHOUT_PRIORITIES, unknown, s.PRIORITY, lambda r: r[PRIORITY_COL],
           lambda r: _add_plan_advice(plans[r["in_force"]], _day(r)))
    wrong_plan = ~no_plan & ~unknown & (frame[PLAN] != in_force)
    report(IssueCode.WRONG_PLAN, wrong_plan, s.PRIORITY, lambda r: r[PRIORITY_COL], lambda r: (
        f"“{r[PRIORITY_COL]}” is a priority of the {r[PLAN] or 'no action plan'}, but on "
        f"{_day(r)} the {r['in_force']} is in force; choose one of its priorities "
        f"(e.g. “{known[r['in_force']][0]}”)."))
    return frame.drop(columns="in_force")


def _add_plan_advice(plan, day: str) -> str:
    start = plan.valid_from.isoformat()
    return (f"On {day} the {plan.name} is in force, but its priorities are not in the lists; "
            f"add them to the Lists table, one row per priority: List = Priority, Label = the "
            f"priority, Action plan = {plan.name}, Valid from = {start}"
            + (f", Valid to = {plan.valid_to.isoformat()}." if plan.valid_to else "."))


def _usd_amounts(frame: pd.DataFrame, rates: RateBook, use_ecb: bool,
                 report: _Reporter) -> int:
    """Currency and rate in force, then the USD amounts (in place); ECB rates used."""
    has_amount = (frame[PARTNER_AMT] > 0) | (frame[ITU_AMT] > 0)
    no_currency = has_amount & (frame[CURRENCY] == "")
    report(IssueCode.NO_CURRENCY, no_currency, s.CURRENCY, lambda r: "", lambda r: (
        "The amount has no currency; type its ISO code (USD, CHF, EUR…)."))
    frame.loc[~has_amount & (frame[CURRENCY] == ""), CURRENCY] = USD
    units, hole_rows = rates.lookup(frame[CURRENCY], frame[SIGNED])
    frame[RATE] = units
    frame[FX_SOURCE] = np.where(frame[CURRENCY] == USD, "", "UN operational rate")
    missing = has_amount & ~no_currency & frame[RATE].isna()
    hole_row = pd.Series(hole_rows, index=frame.index)
    unusable = missing & (hole_row > 0)
    frame["hole_row"] = hole_row
    report(IssueCode.UNUSABLE_RATE, unusable, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
        f"The {r[CURRENCY]} rate in force on {_day(r)} (row {r['hole_row']} of the Rates "
        f"table) is not a usable number, so this amount cannot be converted; correct that "
        f"rate."))
    del frame["hole_row"]
    missing &= ~unusable
    fallback_used = 0
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
        report(IssueCode.ECB_RATE_USED, used, s.CURRENCY, lambda r: r[CURRENCY], lambda r: (
            f"No UN operational rate for {r[CURRENCY]} on {_day(r)}; the ECB reference rate "
            f"{r[RATE]:.4f} per USD was used instead (fallback)."), s.WARNING)
        missing &= frame[RATE].isna()
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
    for column, label in ((TYPE, s.PARTNER_TYPE), (MEMBER, s.MEMBERSHIP)):
        by_partner = frame.groupby(KEY, sort=False)
        first = by_partner[column].transform("first")
        first_row = by_partner[ROW].transform("first")
        noun = "partner type" if column == TYPE else label
        for position in np.flatnonzero((frame[column] != first).to_numpy()):
            rec = frame.iloc[position]
            issues.append(Issue(
                code=IssueCode.PARTNER_DESCRIBED_DIFFERENTLY, row=int(rec[ROW]),
                agreement_id=rec[ID], column=label, value=rec[column], severity=s.WARNING,
                sheet=sheet, problem=(
                    f"{rec[PARTNER]} is “{first.iat[position]}” on row {first_row.iat[position]} "
                    f"but “{rec[column]}” here; in each period's partner figures the partner "
                    f"counts under the {noun} of its first row in that period.")))
    return issues


def _plan_span(lists: ReferenceLists) -> str:
    if not lists.plans:
        return "no dates: the Lists table defines no action plan"
    start = min(p.valid_from for p in lists.plans)
    ends = [p.valid_to for p in lists.plans]
    end = "today" if None in ends else max(e for e in ends if e).isoformat()
    return f"{start.isoformat()} to {end}"
