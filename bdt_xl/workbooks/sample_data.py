"""The bundled sample data: 101 agreements whose report reproduces the figures published to
TDAG-23, and the illustrative rates they are priced at.

The rows are a data file shipped with the package (``sample_agreements.json``), written by
``scripts/generate_sample.py`` from the published figures (every published count exactly,
every published share of funds to about 1e-9, the published top-three partners with their
amounts in original currency; every other name and amount is illustrative). 71 agreements
are signed in 2022, 30 between 1 January and 30 April 2023; ``sample_settings()`` (report year
2023, through 30 April) yields the published report. The rates are monthly UN-style
operational rates, December 2021 to April 2023, with two mid-month revisions: close to the
market rates of the time, NOT the official UN series.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from bdt_xl import schema as s

SAMPLE_FILE = Path(__file__).with_name("sample_agreements.json")
REPORT_YEAR = 2023
THROUGH = date(2023, 4, 30)
LANGUAGE = "en"
#: Creation time stamped in the bundled workbooks, so that rebuilding them changes no byte.
SAMPLE_CREATED = datetime(2023, 5, 1, 9, 0, 0)
_DATES = (s.SIGNED_ON, s.EFFECTIVE_FROM)


def sample_settings() -> dict:
    """The Settings table of the sample workbook."""
    return {s.SETTING_REPORT_YEAR: REPORT_YEAR, s.SETTING_THROUGH: THROUGH,
            s.SETTING_LANGUAGE: LANGUAGE}


def empty_settings() -> dict:
    """The Settings table of an empty workbook: the setting names, no values, so that the
    report year and cut-off come from the rows the user types (SPEC §1 defaults)."""
    return dict.fromkeys(sample_settings())


def sample_agreements() -> list[dict]:
    """The sample Agreements rows (keys = ``schema.AGREEMENT_COLUMNS``), oldest first."""
    return [dict(row) for row in _load()["agreements"]]


def sample_rates() -> list[dict]:
    """The sample Rates rows (keys = ``schema.RATE_COLUMNS``), by currency and date."""
    return [dict(row) for row in _load()["rates"]]


def sample_tables() -> dict[str, list[list]]:
    """The sample input as ``pipeline.run_tables`` takes it: each table as rows, header first."""
    return {
        s.AGREEMENTS: [list(s.AGREEMENT_COLUMNS)]
        + [[row[c] for c in s.AGREEMENT_COLUMNS] for row in sample_agreements()],
        s.RATES: [list(s.RATE_COLUMNS)]
        + [[row[c] for c in s.RATE_COLUMNS] for row in sample_rates()],
        s.SETTINGS: [list(s.SETTINGS_COLUMNS)] + [[k, v] for k, v in sample_settings().items()],
    }


def dumps_sample(rates: list[dict], agreements: list[dict]) -> str:
    """The data file's text: one row per line (readable diffs), dates as ISO text."""
    def lines(rows: list[dict]) -> str:
        return ",\n".join("    " + json.dumps({k: v.isoformat() if k in _DATES else v
                                               for k, v in row.items()}, ensure_ascii=False)
                          for row in rows)
    return (f'{{\n  "rates": [\n{lines(rates)}\n  ],\n'
            f'  "agreements": [\n{lines(agreements)}\n  ]\n}}\n')


@lru_cache(maxsize=1)
def _load() -> dict[str, tuple[dict, ...]]:
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    return {table: tuple({k: date.fromisoformat(v) if k in _DATES and v else v
                          for k, v in row.items()} for row in rows)
            for table, rows in data.items()}
