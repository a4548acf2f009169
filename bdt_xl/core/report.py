"""The engine's result: the report tables and what they cover, independent of any renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

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
    #: French label of each category, per list kind (``schema.PARTNER_TYPE``…): see
    #: ``french_label``.
    french_labels: dict[str, dict[str, str]] = field(default_factory=dict)
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

    def french_label(self, kind: str, label: str) -> str:
        """What a French chart shows for the category ``label`` of the list ``kind``
        (``schema.PARTNER_TYPE``, ``MEMBERSHIP``, ``REGION``, ``PRIORITY``): the list item's
        French label, from the built-in lists or the workbook's Lists table; the label
        itself where the list gives no French one."""
        return self.french_labels.get(kind, {}).get(label, label)
