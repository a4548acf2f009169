"""Conversion to US dollars with the UN operational rates of exchange.

A rate is expressed in units of currency per 1 USD. The rate for an agreement is the row of
its currency with the latest *Effective from* on or before the signing date; revisions may
take effect on any day and rows may come in any order. USD needs no row. A missing rate is
never guessed: the caller reports it, unless the user opted in to the ECB reference rates
(``EcbRates``), whose every use is reported too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from bdt_xl.errors import MissingPackage

USD = "USD"


class RateBook:
    """UN operational rates, per currency, sorted by effective date.

    A rate row whose *Units per USD* is unusable still takes effect on its day, as a hole:
    the agreements it would have priced have no rate (``unusable_rows`` names the row),
    never the previous one.
    """

    def __init__(self, rows: Iterable[tuple[str, date, float]] = (),
                 unusable: Iterable[tuple[str, date, int]] = ()) -> None:
        series: dict[str, dict[date, tuple[float, int]]] = {}
        for currency, effective_from, units in rows:
            series.setdefault(currency.upper(), {})[effective_from] = (float(units), 0)
        for currency, effective_from, sheet_row in unusable:
            series.setdefault(currency.upper(), {})[effective_from] = (np.nan, sheet_row)
        self._days: dict[str, np.ndarray] = {}
        self._units: dict[str, np.ndarray] = {}
        self._rows: dict[str, np.ndarray] = {}
        for currency, points in series.items():
            days = sorted(points)
            self._days[currency] = np.array(days, dtype="datetime64[D]")
            self._units[currency] = np.array([points[d][0] for d in days], dtype=float)
            self._rows[currency] = np.array([points[d][1] for d in days], dtype=np.int64)

    @property
    def currencies(self) -> list[str]:
        return sorted({USD, *self._days})

    def rate(self, currency: str, day: date) -> float | None:
        """Units of ``currency`` per 1 USD in force on ``day``, or None if there is none."""
        if currency == USD:
            return 1.0
        days = self._days.get(currency)
        if days is None:
            return None
        index = int(np.searchsorted(days, np.datetime64(day, "D"), side="right")) - 1
        units = float(self._units[currency][index]) if index >= 0 else math.nan
        return None if math.isnan(units) else units

    def rates(self, currencies: pd.Series, days: pd.Series) -> np.ndarray:
        """Vectorised ``rate``: NaN where no usable rate is in force (USD is always 1)."""
        return self.lookup(currencies, days)[0]

    def lookup(self, currencies: pd.Series, days: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """For each (currency, day): the units per USD (NaN where no usable rate is in force;
        USD is always 1) and the sheet row of the unusable Rates row in force (0 where none),
        in one pass over the currencies."""
        units = np.full(len(currencies), np.nan)
        rows = np.zeros(len(currencies), dtype=np.int64)
        codes, names = pd.factorize(np.asarray(currencies, dtype=object))  # hashed once
        when = days.reset_index(drop=True).to_numpy(dtype="datetime64[D]")
        for code, currency in enumerate(names):
            if currency == USD:
                units[codes == code] = 1.0
            if currency == USD or currency not in self._days:
                continue
            positions = np.flatnonzero(codes == code)
            index = np.searchsorted(self._days[currency], when[positions], side="right") - 1
            known = index >= 0
            units[positions[known]] = self._units[currency][index[known]]
            rows[positions[known]] = self._rows[currency][index[known]]
        return units, rows


@lru_cache(maxsize=1)
def ecb_rates() -> EcbRates:
    """The ECB fallback, loaded once per process (loading the bundled series takes ~1 s)."""
    return EcbRates()


class EcbRates:
    """Opt-in fallback: ECB euro reference rates bundled with the ``currencyconverter`` package,
    expressed as units per USD (cross rate via EUR). Only asked when the UN table has no rate.
    """

    def __init__(self) -> None:
        try:
            from currency_converter import CurrencyConverter
        except ImportError as exc:
            raise MissingPackage("The ECB fallback", "currencyconverter", "ecb") from exc
        self._converter = CurrencyConverter(fallback_on_missing_rate=True,
                                            fallback_on_wrong_date=False)

    def rate(self, currency: str, day: date) -> float | None:
        try:
            return float(self._converter.convert(1.0, USD, currency, date=day))
        except Exception:  # unknown currency or date outside the ECB series
            return None
