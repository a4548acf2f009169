"""Helpers of the validation tests: a valid agreement row, tables built from rows, and
the issues of one sheet row."""

from __future__ import annotations

from datetime import date

from bdt_xl import schema as s
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import Validated, validate

VALID_AGREEMENT = {
    s.AGREEMENT_ID: "A1", s.PARTNER: "Acme", s.PARTNER_TYPE: "Governmental entities",
    s.MEMBERSHIP: "ADMIN", s.REGION: "Africa", s.PRIORITY: "Cybersecurity",
    s.SIGNED_ON: date(2022, 3, 1), s.CURRENCY: "USD", s.PARTNER_AMOUNT: 1000.0,
    s.ITU_AMOUNT: 0.0,
}


def agreement(changes=None, id=None):
    row = dict(VALID_AGREEMENT)
    if id is not None:
        row[s.AGREEMENT_ID] = id
    row.update(changes or {})
    return row


def values(rows, columns=s.AGREEMENT_COLUMNS):
    return [list(columns), *[[row.get(c) for c in columns] for row in rows]]


TODAY = date(2024, 1, 1)
RATES = [("EUR", date(2018, 1, 1), 0.9), ("CHF", date(2022, 6, 1), 0.95)]


def tables(rows, rates=RATES, columns=s.AGREEMENT_COLUMNS, extra=None) -> dict[str, RawTable]:
    """The Agreements table of ``rows`` (dicts by column), the Rates table, and ``extra``."""
    found = {s.AGREEMENTS: RawTable.from_values(s.AGREEMENTS, values(rows, columns))}
    if rates is not None:
        found[s.RATES] = RawTable.from_values(s.RATES, [list(s.RATE_COLUMNS),
                                                        *[list(r) for r in rates]])
    found.update(extra or {})
    return found


def check(rows, rates=RATES, ecb=None, columns=s.AGREEMENT_COLUMNS, extra=None) -> Validated:
    return validate(tables(rows, rates, columns, extra), ecb_fallback=ecb, today=TODAY)


def errors(checked, row=None):
    """Error issues (of one Agreements sheet row when ``row`` is given)."""
    return [i for i in checked.issues if i.severity == s.ERROR and
            (row is None or (i.row == row and i.sheet == s.AGREEMENTS))]


def warnings(checked, row=None):
    return [i for i in checked.issues if i.severity == s.WARNING and
            (row is None or (i.row == row and i.sheet == s.AGREEMENTS))]


def accepted_ids(checked):
    return list(checked.agreements["id"])


def only_error(checked, row):
    """The single Error issue of ``row`` (and the row is excluded)."""
    found = errors(checked, row)
    assert len(found) == 1, found
    assert row not in set(checked.agreements["row"])
    return found[0]
