"""The sample-data generator is deterministic and plausible; the shipped data file and
workbook hold its rows."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import tomllib
from python_calamine import CalamineWorkbook

from bdt_xl import schema as s
from bdt_xl.core.lists import (
    DEFAULT_LISTS,
    MEMBERSHIP,
    PARTNER_TYPE,
    PRIORITY,
    REGION,
    normalize,
)
from bdt_xl.workbooks.sample_data import (
    SAMPLE_FILE,
    sample_agreements,
    sample_rates,
)

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "workbook" / "BDT_Partnerships.xlsx"
REGENERATE = "stale sample workbook: run python scripts/build_workbook.py"


@pytest.fixture(scope="module")
def agreements() -> list[dict]:
    return sample_agreements()


def test_generator_reproduces_the_shipped_data_file_in_a_fresh_interpreter():
    """The shipped rows are the generator's output, and the generator is deterministic (its
    own process, another hash seed): ``--check`` compares byte for byte."""
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_sample.py"),
                          "--check"], capture_output=True, env=env, encoding="utf-8")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sample_agreements.json is up to date" in run.stdout


def test_data_file_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bdt_xl"]
    assert any(fnmatch.fnmatch("workbooks/sample_agreements.json", p) for p in patterns)
    assert SAMPLE_FILE.parent == ROOT / "bdt_xl" / "workbooks" and SAMPLE_FILE.is_file()


def test_loaded_rows_are_fresh_copies():
    mine = sample_agreements()
    mine[0][s.PARTNER] = "changed by a caller"
    assert sample_agreements()[0][s.PARTNER] != "changed by a caller"


# Published in the seed (TDAG-23, French): §3 "En 2022, le BDT a conclu 71 accords ..., dont
# 50 prévoient des contributions financières dont le montant s'élève à environ 9,7 millions
# USD", "57 partenaires différents"; §4 (1 January–30 April 2023) "30 accords ..., parmi
# lesquels 12 prévoient des contributions financières", "26 partenaires différents", about
# 5,4 millions USD.
PUBLISHED = {"2022": (71, 50, 57, 9.7), "Jan–Apr 2023": (30, 12, 26, 5.4)}

_FIGURES = """
import json
from bdt_xl import schema as s
from bdt_xl.workbooks.sample_data import sample_agreements, sample_rates, sample_settings
from bdt_xl.core.pipeline import Options, run_tables
rows, rates, settings = sample_agreements(), sample_rates(), sample_settings()
tables = {s.AGREEMENTS: [list(s.AGREEMENT_COLUMNS)] + [[r[c] for c in s.AGREEMENT_COLUMNS]
                                                         for r in rows],
          s.RATES: [list(s.RATE_COLUMNS)] + [[r[c] for c in s.RATE_COLUMNS] for r in rates],
          s.SETTINGS: [[s.SETTING, s.VALUE]] + [[k, v] for k, v in settings.items()]}
summary = run_tables(tables, Options()).tables[s.SUMMARY].set_index(s.PERIOD)
print(json.dumps({p: [int(summary.loc[p, s.AGREEMENTS_N]), int(summary.loc[p, s.FINANCIAL_N]),
                      int(summary.loc[p, s.PARTNERS_N]),
                      round(summary.loc[p, s.FUNDS_USD] / 1e6, 1)]
                  for p in ("2022", "Jan–Apr 2023")}))
"""


def test_fresh_interpreter_generates_rows_giving_the_published_figures():
    # another hash seed, another process: the generated rows still give the seed's figures
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "utf-8"}
    fresh = subprocess.run([sys.executable, "-c", _FIGURES], capture_output=True, check=True,
                           env=env, encoding="utf-8").stdout.strip()
    assert {period: tuple(v) for period, v in json.loads(fresh).items()} == PUBLISHED


def _sheet(book: CalamineWorkbook, name: str) -> list[list]:
    values = book.get_sheet_by_name(name).to_python()
    return [[None if cell == "" else cell for cell in row] for row in values]


def test_workbook_holds_rows_with_the_published_counts(agreements):
    book = CalamineWorkbook.from_path(str(WORKBOOK))
    sheet = _sheet(book, s.AGREEMENTS)
    assert sheet[0] == list(s.AGREEMENT_COLUMNS)
    signed = [row[s.AGREEMENT_COLUMNS.index(s.SIGNED_ON)] for row in sheet[1:]]
    amounts = [row[s.AGREEMENT_COLUMNS.index(s.PARTNER_AMOUNT)] for row in sheet[1:]]
    # counted from the sheet itself, compared with the seed's published counts
    assert sum(d.year == 2022 for d in signed) == PUBLISHED["2022"][0]
    assert sum(d.year == 2022 and a is not None for d, a in zip(signed, amounts)) == \
        PUBLISHED["2022"][1]
    assert sum(date(2023, 1, 1) <= d <= date(2023, 4, 30) for d in signed) == \
        PUBLISHED["Jan–Apr 2023"][0]
    settings = {k: v for k, v in _sheet(book, s.SETTINGS)[1:]}
    assert settings == {s.SETTING_REPORT_YEAR: 2023, s.SETTING_THROUGH: date(2023, 4, 30),
                        s.SETTING_LANGUAGE: "en"}  # the seed's section 4 window
    # and the workbook is not stale: it holds what the generator makes today
    assert sheet[1:] == [[row[c] for c in s.AGREEMENT_COLUMNS] for row in agreements], REGENERATE
    rates = _sheet(book, s.RATES)
    assert rates[1:] == [[row[c] for c in s.RATE_COLUMNS] for row in sample_rates()], REGENERATE


def test_rows_are_well_formed(agreements):
    assert all(tuple(row) == s.AGREEMENT_COLUMNS for row in agreements)
    ids = [row[s.AGREEMENT_ID] for row in agreements]
    assert len(set(ids)) == len(ids) == 101
    for row in agreements:
        day = row[s.SIGNED_ON]
        assert date(2022, 1, 1) <= day <= date(2023, 4, 30) and day.weekday() < 5
        assert re.fullmatch(rf"BDT-{day.year}-\d{{3}}", row[s.AGREEMENT_ID])
        for kind, column in ((PARTNER_TYPE, s.PARTNER_TYPE), (REGION, s.REGION),
                             (PRIORITY, s.PRIORITY)):
            assert DEFAULT_LISTS.match(kind, row[column]) == row[column]
        if row[s.MEMBERSHIP] is not None:
            assert DEFAULT_LISTS.match(MEMBERSHIP, row[s.MEMBERSHIP]) == row[s.MEMBERSHIP]
        plan = DEFAULT_LISTS.plan_on(day)
        assert DEFAULT_LISTS.plan_of(row[s.PRIORITY]) == plan.name
        amounts = [row[s.PARTNER_AMOUNT], row[s.ITU_AMOUNT]]
        assert all(a is None or a > 0 for a in amounts)
        assert (row[s.CURRENCY] is not None) == any(a is not None for a in amounts)
        if row[s.ITU_AMOUNT] is not None:
            assert row[s.PARTNER_AMOUNT] is not None
    assert ids == sorted(ids, key=lambda i: (int(i[4:8]), int(i[9:])))
    assert [row[s.SIGNED_ON] for row in agreements] == sorted(r[s.SIGNED_ON] for r in agreements)


def test_partners_are_consistent_and_some_sign_several(agreements):
    kinds: dict[str, set] = {}
    for row in agreements:
        kinds.setdefault(normalize(row[s.PARTNER]), set()).add(
            (row[s.PARTNER_TYPE], row[s.MEMBERSHIP] or "Non-member"))
    assert all(len(kind) == 1 for kind in kinds.values())
    per_partner = Counter(normalize(row[s.PARTNER]) for row in agreements)
    assert sum(n > 1 for n in per_partner.values()) >= 10
    spellings = {row[s.PARTNER] for row in agreements}
    assert len(spellings) > len(per_partner)  # a partner typed two ways still counts once


def test_rates_are_plausible_and_cover_every_currency(agreements):
    rates = sample_rates()
    by_currency: dict[str, list] = {}
    for row in rates:
        by_currency.setdefault(row[s.CURRENCY], []).append(row)
    used = {row[s.CURRENCY] for row in agreements if row[s.CURRENCY]} - {"USD"}
    assert used >= {"CHF", "EUR", "AUD", "JPY", "SAR", "GBP"}
    assert used <= set(by_currency)
    ranges = {"CHF": (0.9, 1.0), "EUR": (0.87, 1.02), "AUD": (1.3, 1.56), "JPY": (112, 152),
              "SAR": (3.74, 3.76), "GBP": (0.73, 0.91), "CAD": (1.2, 1.4)}
    for currency, found in by_currency.items():
        days = [row[s.EFFECTIVE_FROM] for row in found]
        firsts = {d for d in days if d.day == 1}
        assert min(firsts) == date(2021, 12, 1) and max(firsts) == date(2023, 4, 1)
        assert len(firsts) == 17, currency  # every month
        low, high = ranges[currency]
        assert all(low <= row[s.UNITS_PER_USD] <= high for row in found), currency
    revisions = [row for row in rates if row[s.EFFECTIVE_FROM].day != 1]
    assert revisions
    # at least one agreement is converted at a mid-month revision
    hit = [row for row in agreements for rev in revisions
           if row[s.CURRENCY] == rev[s.CURRENCY] and row[s.SIGNED_ON] >= rev[s.EFFECTIVE_FROM]
           and (row[s.SIGNED_ON].year, row[s.SIGNED_ON].month)
           == (rev[s.EFFECTIVE_FROM].year, rev[s.EFFECTIVE_FROM].month)]
    assert hit
