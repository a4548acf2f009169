"""The Rates table as ``BDT_CONVERT`` uses it: read by the engine's own rule (rows with an
error skipped), with the rate in force per (currency, day) remembered, since a sheet converts
the same few pairs again and again."""

from __future__ import annotations

import threading
from datetime import date

from bdt_xl import schema as s
from bdt_xl.core.fx import RateBook
from bdt_xl.core.lists import normalize
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import read_rates
from bdt_xl.errors import FunctionArgumentError
from bdt_xl.functions.cache import CACHE, TableValues, is_missing

_UNITS_KEPT = 10_000


class Rates:
    """A ``RateBook`` with its lookups remembered."""

    def __init__(self, book: RateBook) -> None:
        self.book = book
        self._units: dict[tuple[str, date], float | None] = {}
        self._lock = threading.Lock()

    def units(self, currency: str, day: date) -> float | None:
        """Units of ``currency`` per USD in force on ``day`` (None: no rate)."""
        key = (currency, day)
        if key in self._units:
            return self._units[key]
        with CACHE.computing():
            found = self.book.rate(currency, day)
        with self._lock:
            if len(self._units) >= _UNITS_KEPT:
                self._units.clear()
            self._units[key] = found
        return found


def rate_book(rates: TableValues | None) -> Rates:
    """The Rates table (header row first), cached by content."""
    if is_missing(rates):
        raise FunctionArgumentError(
            "no exchange rates: pass the Rates table with its header row (e.g. Rates[#All]) or "
            "use the function in a workbook that has a Rates table")
    return CACHE.built("rates", CACHE.content_key(rates), lambda: _read(rates))


def _read(rates: TableValues) -> Rates:
    header = {normalize(c) for c in rates[0] if c is not None}
    if normalize(s.CURRENCY) not in header or normalize(s.UNITS_PER_USD) not in header:
        raise FunctionArgumentError(
            "the rates range has no header row (Currency | Effective from | Units per USD); "
            "pass the whole table with its header, e.g. Rates[#All]")
    book, _issues = read_rates(RawTable.from_values(s.RATES, rates))  # type: ignore[arg-type]
    return Rates(book)
