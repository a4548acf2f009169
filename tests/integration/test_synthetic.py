from collections import Counter
from datetime import date

import pytest
import python_calamine as pc

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION, normalize
from bdt_xl.workbooks.synthetic import (
    CURRENCIES,
    ERROR_KINDS,
    FIRST_DAY,
    LAST_DAY,
    NA,
    synthetic_agreements,
    synthetic_dataset,
    synthetic_rates,
    write_synthetic_workbook,
)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def test_same_seed_same_rows_other_seed_other_rows():
    assert synthetic_agreements(500, seed=7) == synthetic_agreements(500, seed=7)
    assert synthetic_agreements(500, seed=7) != synthetic_agreements(500, seed=8)
    assert synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, 3) == \
        synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, 3)


@pytest.mark.parametrize("n", [0, 1, 37, 2000])
def test_size_and_columns(n):
    rows = synthetic_agreements(n)
    assert len(rows) == n
    assert all(tuple(row) == s.AGREEMENT_COLUMNS for row in rows)


def test_valid_rows_follow_the_rules():
    data = synthetic_dataset(3000, seed=1)
    valid = data.valid_rows()
    assert len(valid) > 2800
    ids = Counter(row[s.AGREEMENT_ID] for row in valid)
    assert max(ids.values()) == 1
    for row in valid:
        signed = _day(row[s.SIGNED_ON])
        assert FIRST_DAY <= signed <= LAST_DAY
        priority = DEFAULT_LISTS.match(PRIORITY, row[s.PRIORITY])
        assert DEFAULT_LISTS.plan_of(priority) == DEFAULT_LISTS.plan_on(signed).name
        assert DEFAULT_LISTS.match(PARTNER_TYPE, row[s.PARTNER_TYPE])
        assert DEFAULT_LISTS.match(REGION, row[s.REGION])
        assert row[s.MEMBERSHIP] is None or DEFAULT_LISTS.match(MEMBERSHIP, row[s.MEMBERSHIP])
        amounts = [row[s.PARTNER_AMOUNT] or 0, row[s.ITU_AMOUNT] or 0]
        assert all(isinstance(a, float | int) and a >= 0 for a in amounts)
        if sum(amounts) > 0:
            assert row[s.CURRENCY].strip().upper() in CURRENCIES


def test_partners_have_a_stable_type_and_membership():
    rows = synthetic_dataset(5000, seed=2, error_rate=0).rows
    kinds, memberships = {}, {}
    for row in rows:
        key = normalize(row[s.PARTNER])
        kinds.setdefault(key, set()).add(DEFAULT_LISTS.match(PARTNER_TYPE, row[s.PARTNER_TYPE]))
        memberships.setdefault(key, set()).add(
            DEFAULT_LISTS.match(MEMBERSHIP, row[s.MEMBERSHIP] or "Non-member"))
    assert 100 <= len(kinds) <= 400
    assert all(len(v) == 1 for v in kinds.values())
    assert all(len(v) == 1 for v in memberships.values())


def test_mix_of_currencies_financial_and_non_financial_rows():
    rows = synthetic_agreements(3000, seed=3, error_rate=0)
    currencies = {row[s.CURRENCY].strip().upper() for row in rows if row[s.CURRENCY]}
    assert currencies == set(CURRENCIES)
    financial = sum(1 for row in rows if (row[s.PARTNER_AMOUNT] or 0) + (row[s.ITU_AMOUNT] or 0))
    assert 0.4 * len(rows) < financial < 0.9 * len(rows)
    assert {row[s.SIGNED_ON].year for row in rows if isinstance(row[s.SIGNED_ON], date)} == \
        set(range(2018, 2024))


def test_every_error_kind_is_injected_and_error_rate_is_respected():
    data = synthetic_dataset(20000, seed=4, error_rate=0.02)
    assert 300 < len(data.errors) < 500
    assert {error.kind for error in data.errors.values()} == set(ERROR_KINDS)
    assert synthetic_dataset(2000, seed=4, error_rate=0).errors == {}
    for i, error in data.errors.items():
        row = data.rows[i]
        if error.kind == "priority of the wrong plan":
            signed = _day(row[s.SIGNED_ON])
            assert DEFAULT_LISTS.plan_of(row[s.PRIORITY]) != DEFAULT_LISTS.plan_on(signed).name
        elif error.kind == "duplicate ID":
            assert sum(r[s.AGREEMENT_ID] == row[s.AGREEMENT_ID] for r in data.rows) >= 2
        elif error.kind == "amount without currency":
            assert row[s.PARTNER_AMOUNT] > 0 and not row[s.CURRENCY]
        elif error.kind == "#N/A":
            assert row[error.column] == NA


def test_rates_cover_every_currency_from_the_start():
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed=5)
    assert all(tuple(rate) == s.RATE_COLUMNS for rate in rates)
    covered = {rate[s.CURRENCY] for rate in rates if rate[s.EFFECTIVE_FROM] <= FIRST_DAY}
    assert covered == set(CURRENCIES) - {"USD"}
    assert all(rate[s.UNITS_PER_USD] > 0 for rate in rates)
    assert any(rate[s.EFFECTIVE_FROM].day != 1 for rate in rates)  # mid-month revisions
    months = {(r[s.EFFECTIVE_FROM].year, r[s.EFFECTIVE_FROM].month) for r in rates}
    assert len(months) == 72


def test_written_workbook_has_the_tables(tmp_path):
    path = tmp_path / "synthetic.xlsx"
    data = write_synthetic_workbook(path, 300, seed=6, error_rate=0.1)
    book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
    table = book.get_table_by_name(s.AGREEMENTS).to_python()
    assert len(table) == 300
    assert table[0][0] == data.rows[0][s.AGREEMENT_ID]
    rates = book.get_table_by_name(s.RATES).to_python()
    assert {row[0] for row in rates} == set(CURRENCIES) - {"USD"}
