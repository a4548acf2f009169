"""Generic fixtures shared by the engine tests: a valid agreement row and real input workbooks
written in the test's temporary folder."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import settings

from bdt_xl import schema as s
from bdt_xl.workbooks.input_workbook import write_input_workbook

# Property tests measure correctness, not speed: no per-example deadline, so a slow or busy
# CI machine cannot turn a correct run into a flaky failure.
settings.register_profile("bdt", deadline=None)
settings.load_profile("bdt")

VALID_AGREEMENT = {
    s.AGREEMENT_ID: "A1",
    s.PARTNER: "Acme",
    s.PARTNER_TYPE: "Governmental entities",
    s.MEMBERSHIP: "ADMIN",
    s.REGION: "Africa",
    s.PRIORITY: "Cybersecurity",  # Buenos Aires Action Plan (2018-2022)
    s.SIGNED_ON: date(2022, 3, 1),
    s.CURRENCY: "USD",
    s.PARTNER_AMOUNT: 1000.0,
    s.ITU_AMOUNT: 0.0,
}


def _agreement(changes: dict | None = None, **short) -> dict:
    """A valid agreement row (dict keyed by SPEC column names) with ``changes`` applied.

    ``short`` accepts ``id=...`` as a shortcut for the Agreement ID.
    """
    row = dict(VALID_AGREEMENT)
    if "id" in short:
        row[s.AGREEMENT_ID] = short.pop("id")
    if short:
        raise TypeError(f"unknown shortcut(s): {sorted(short)}")
    row.update(changes or {})
    return row


@pytest.fixture
def agreement():
    return _agreement


@pytest.fixture
def make_workbook(tmp_path):
    """Write a real input workbook in tmp_path: ``make_workbook(rows, rates, name=..., **kw)``."""
    def make(agreements, rates=(), name="input.xlsx", **kwargs):
        path = tmp_path / name
        write_input_workbook(path, agreements, rates, **kwargs)
        return path
    return make
