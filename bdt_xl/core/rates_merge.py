"""Which UN operational rates a workbook's ``Rates`` table lacks (SPEC §5, ``rates import``).

The UN Treasury lists one record per country or area, so a currency shared by several
countries (EUR, XOF…) comes several times with the same rate: that is one rate. USD needs
no row. A currency with two different rates on one date is a damaged or edited file: nothing
is imported and both records are named. A (currency, effective date) the table already has is
counted and left alone, even when its rate differs (the user's row wins; the difference is
reported). Pure: no files, no Excel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError

from bdt_xl import schema as s
from bdt_xl.core.cells import RATE_ADAPTER
from bdt_xl.core.fx import USD
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import column_positions
from bdt_xl.errors import RatesFileError


@dataclass(frozen=True)
class SourceRate:
    """One record of a UN rates file: ``where`` names it for the user ("line 12, FRANCE")."""
    currency: str
    effective: date
    units_per_usd: float
    where: str = ""


@dataclass(frozen=True)
class KeptDifference:
    """A rate of the file that the table already has for that date, with another value."""
    currency: str
    effective: date
    in_table: float
    in_file: float


@dataclass
class RatesMerge:
    """The rows to append (sorted by date, then currency) and what was left alone."""
    added: list[tuple[str, date, float]] = field(default_factory=list)
    already_there: int = 0
    usd_skipped: int = 0
    repeats: int = 0  # records that repeat a rate of the file (one per extra country)
    differences: list[KeptDifference] = field(default_factory=list)

    @property
    def new_currencies(self) -> list[str]:
        return sorted({currency for currency, _, _ in self.added})


def long_date(day: date) -> str:
    """``1 October 2026``: the way the UN Treasury page shows an effective date."""
    return f"{day.day} {day:%B %Y}"


def no_rates_table(workbook: str) -> str:
    """The sentence for a workbook without a Rates table (file or live workbook)."""
    return (f"{workbook} has no Excel Table named '{s.RATES}'; add one with the columns "
            f"{', '.join(s.RATE_COLUMNS)} (Insert > Table) and import again.")


def existing_rates(table: RawTable | None) -> dict[tuple[str, date], float]:
    """(currency, effective date) -> rate of every usable row of the ``Rates`` table.

    Rows the report would reject (no date, rate ≤ 0…) are not keys: ``validate`` names them.
    """
    if table is None:
        return {}
    positions = column_positions(table, s.RATE_COLUMNS)
    found: dict[tuple[str, date], float] = {}
    for row in table.rows:
        cells = {column: row[i] if i < len(row) else None for column, i in positions.items()}
        try:
            rate = RATE_ADAPTER.validate_python(cells)
        except ValidationError:
            continue
        found[(rate[s.CURRENCY], rate[s.EFFECTIVE_FROM])] = rate[s.UNITS_PER_USD]
    return found


def merge_rates(source: Iterable[SourceRate], existing: dict[tuple[str, date], float],
                source_name: str = "the file") -> RatesMerge:
    """The rows of ``source`` to append to a table holding ``existing``.

    Raises ``RatesFileError`` naming both records when one currency has two different rates
    on one date (then nothing is to be written).
    """
    merge = RatesMerge()
    first: dict[tuple[str, date], SourceRate] = {}
    conflicts: list[tuple[SourceRate, SourceRate]] = []
    for record in source:
        if record.currency == USD:
            merge.usd_skipped += 1
            continue
        key = (record.currency, record.effective)
        seen = first.get(key)
        if seen is None:
            first[key] = record
        elif seen.units_per_usd == record.units_per_usd:
            merge.repeats += 1
        elif not any(a is seen for a, _ in conflicts):
            conflicts.append((seen, record))
    if conflicts:
        raise RatesFileError(_conflict_sentence(conflicts, source_name))
    for (currency, effective), record in sorted(first.items(), key=lambda kv: (kv[0][1],
                                                                                kv[0][0])):
        kept = existing.get((currency, effective))
        if kept is None:
            merge.added.append((currency, effective, record.units_per_usd))
            continue
        merge.already_there += 1
        if kept != record.units_per_usd:
            merge.differences.append(KeptDifference(currency, effective, kept,
                                                    record.units_per_usd))
    return merge


def _conflict_sentence(conflicts: Sequence[tuple[SourceRate, SourceRate]], name: str) -> str:
    a, b = conflicts[0]
    more = len(conflicts) - 1
    others = (f" (and {more} other {'currency' if more == 1 else 'currencies'} the same way)"
              if more else "")
    return (f"{name} gives {a.currency} two different rates from {long_date(a.effective)}: "
            f"{a.units_per_usd:g} ({a.where}) and {b.units_per_usd:g} ({b.where}){others}; "
            "nothing was imported: save the file again from the UN Treasury's operational "
            "rates page, or correct the wrong record.")


def summary_sentence(merge: RatesMerge) -> str:
    """``3 rates added, 41 already there.`` and, when the table kept other values, which."""
    added, there = len(merge.added), merge.already_there
    text = (f"{added:,} {'rate' if added == 1 else 'rates'} added, {there:,} already there.")
    if merge.differences:
        d = merge.differences[0]
        more = len(merge.differences) - 1
        text += (f" The table's own rates were kept where the file differs: {d.currency} from "
                 f"{long_date(d.effective)} is {d.in_table:g} in the table, {d.in_file:g} in "
                 "the file" + (f" (and {more} more)." if more else "."))
    return text
