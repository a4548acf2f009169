"""The engine's result: the report tables and what they cover, independent of any renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from bdt_xl.core.lists import DEFAULT_LISTS, ReferenceLists

YEAR = "year"
WINDOW = "window"


@dataclass(frozen=True)
class Period:
    """A calendar year or a year-to-date window, both inclusive of ``start`` and ``end``."""
    label: str
    start: date
    end: date
    kind: str = YEAR  # YEAR or WINDOW


@dataclass
class Report:
    """Every report table (keys and columns as ``schema.REPORT_COLUMNS``) plus context.

    Table cells hold plain values: ``Period`` text, ``From``/``To`` as ``datetime.date``,
    counts as int, USD and shares as float (a share with an empty denominator is NaN).
    """
    tables: dict[str, pd.DataFrame]
    periods: list[Period]
    report_year: int | None
    through: date | None
    language: str = "en"
    lists: ReferenceLists = DEFAULT_LISTS
    rows_read: int = 0
    rows_excluded: int = 0
    warnings: int = 0
    fallback_rates_used: int = 0
    notes: list[str] = field(default_factory=list)
    #: Sentences starting "Warning:" when the report says nothing (an empty year, an empty
    #: table, an empty previous year to compare with): printed by the CLI, shown on Summary.
    notices: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[Period]:
        return [p for p in self.periods if p.kind == YEAR]

    @property
    def windows(self) -> list[Period]:
        """The two year-over-year windows, previous year first (empty without data)."""
        return [p for p in self.periods if p.kind == WINDOW]
