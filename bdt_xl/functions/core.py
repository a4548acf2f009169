"""The worksheet functions' logic, without Excel: answers from 2-D lists (header row first).

``bdt_xl.excel.udfs`` wraps these functions for Excel with xlwings; everything here can be called
from Python with plain values, a range being a list of rows, header first, dates as
``datetime`` (exactly what xlwings passes). Every answer comes from the engine itself:
``validation.validate`` accepts or rejects the rows and converts to USD, and the figures are
read from ``aggregate.slices`` / ``breakdown`` / ``totals`` / ``top_partners`` — what the
report tables are made of (``year_over_year`` is ``totals`` of the two windows) — so a cell
always agrees with the report sheets. Only the partners by region or priority, which no
report table has, are counted here (distinct partner keys of the same accepted rows).

**Memoization.** Validating 1,000 rows takes ~0.1 s; doing it again for every cell of a
sheet of formulas is not an option. The validated data (a ``Dataset``) is cached, keyed by
the *content* of the input tables, and each ``Dataset`` caches the per-period figures it
has computed; a call is then a dictionary lookup. The content key of a table passed as a
list is a hash of all its cells (~0.2 ms for 1,000 rows x 10 columns), computed on every
call, so editing one cell gives a new key and never a stale answer. A table passed as a
tuple of tuples (see ``freeze``) is immutable, so its key is computed once and found again
by identity: this is how ``bdt_xl.excel.udfs`` hands over the workbook's tables, read once per
recalculation (``BurstCache``).

**Messages.** A bad argument or unusable data gives a readable sentence as the result
(e.g. ``unknown region “Afrika” – did you mean “Africa”?``), never an exception.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd
from pydantic_core import PydanticCustomError

from bdt_xl import schema as s
from bdt_xl.core.aggregate import BREAKDOWNS, breakdown, prepare, slices, top_partners, totals
from bdt_xl.core.cells import currency_cell, date_cell
from bdt_xl.core.fx import USD, RateBook
from bdt_xl.core.lists import (
    MEMBERSHIP,
    PARTNER_TYPE,
    PRIORITY,
    REGION,
    ReferenceLists,
    normalize,
    tidy,
)
from bdt_xl.core.periods import report_periods, window_period, year_period
from bdt_xl.core.pipeline import default_through
from bdt_xl.core.report import Period
from bdt_xl.core.table import RawTable, excel_error, is_blank
from bdt_xl.core.validation import KEY, SIGNED, Validated, read_rates, validate
from bdt_xl.errors import WorkbookError

TableValues = Sequence[Sequence[object]]
T = TypeVar("T")

ALL = "all"
#: Every input table a function may use, in the order of the content key.
TABLES = (s.AGREEMENTS, s.RATES, s.LISTS, s.SETTINGS)

AGREEMENTS_MEASURE, FUNDS_MEASURE, PARTNERS_MEASURE = "agreements", "funds", "partners"

_NOUN = {PARTNER_TYPE: "partner type", MEMBERSHIP: "ITU membership category",
         REGION: "region", PRIORITY: "priority"}
_ARTICLE = {PARTNER_TYPE: "a", MEMBERSHIP: "an", REGION: "a", PRIORITY: "a"}


class UdfError(Exception):
    """A problem with the arguments or the data, told as the cell's result."""


# =============================================================================================
# Content keys and the cache of validated data
# =============================================================================================

def freeze(values: TableValues | None) -> tuple[tuple[object, ...], ...] | None:
    """An immutable copy of a range's values, whose content key is computed only once."""
    if values is None:
        return None
    return tuple(tuple(row) if isinstance(row, (list, tuple)) else (row,) for row in values)


_frozen_keys: OrderedDict[int, tuple[object, Hashable]] = OrderedDict()
_FROZEN_KEYS_KEPT = 8


def content_key(values: TableValues | None) -> Hashable:
    """A key that changes whenever any cell of ``values`` changes.

    Lists are hashed cell by cell on every call (they may have been edited in place); a
    tuple of tuples cannot change, so its key is remembered by identity.
    """
    if values is None:
        return None
    if isinstance(values, tuple):
        hit = _frozen_keys.get(id(values))
        if hit is not None and hit[0] is values:
            return hit[1]
    key = _hash_cells(values)
    if isinstance(values, tuple):
        _frozen_keys[id(values)] = (values, key)  # holding the object keeps its id unique
        while len(_frozen_keys) > _FROZEN_KEYS_KEPT:
            _frozen_keys.popitem(last=False)
    return key


def _hash_cells(values: TableValues) -> Hashable:
    # Python equality treats TRUE as 1 and 1.0 as 1: such a change of cell type (not of
    # value) keeps the key. Dates and datetimes, text and numbers all differ.
    try:
        rows = tuple(map(tuple, values))
        return (len(rows), hash(rows))
    except TypeError:  # a cell that is not hashable (does not come from Excel)
        return (len(values), hash(repr(values)))


@dataclass
class CacheStats:
    parses: int = 0          # input tables validated (the expensive step)
    hits: int = 0            # calls answered from an already validated Dataset
    computed: int = 0        # figures computed after the parse, on first use (a cut-off
    compute_ms: float = 0.0  # window, a top-partners list, a rate lookup) and their time


class _Computing:
    """Counts and times the figures computed on first use (see ``cache_info``)."""

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        with _lock:
            _stats.computed += 1
            _stats.compute_ms += (time.perf_counter() - self.start) * 1e3


_lock = threading.RLock()
_datasets: OrderedDict[Hashable, Dataset] = OrderedDict()
_DATASETS_KEPT = 4
_stats = CacheStats()
_last_frozen: list = []  # [(tables of the last call, all frozen or None), its Dataset]


def cache_info() -> CacheStats:
    """How many times the input was parsed and validated, and how many calls were lookups."""
    return CacheStats(_stats.parses, _stats.hits, _stats.computed, _stats.compute_ms)


def clear_cache() -> None:
    with _lock:
        _datasets.clear()
        _frozen_keys.clear()
        _last_frozen.clear()
        _rate_books.clear()
        _stats.parses = _stats.hits = _stats.computed = 0
        _stats.compute_ms = 0.0


def dataset(agreements: TableValues | None, rates: TableValues | None = None,
            lists: TableValues | None = None, settings: TableValues | None = None) -> Dataset:
    """The validated data for these tables (header row first), from the cache if unchanged."""
    inputs = (agreements, rates, lists, settings)
    last = _last_frozen
    if last and all(a is b for a, b in zip(inputs, last[0])):
        _stats.hits += 1  # the same frozen tables as the previous call: nothing to hash
        return last[1]
    tables = dict(zip(TABLES, inputs))
    if _is_missing(agreements):
        raise UdfError("no agreements: pass the Agreements table with its header row (e.g. "
                       "Agreements[#All]) or use the function in a workbook that has an "
                       "Agreements table")
    key = tuple(content_key(tables[name]) for name in TABLES)
    with _lock:
        found = _datasets.get(key)
        if found is not None:
            _datasets.move_to_end(key)
            _stats.hits += 1
    if found is None:
        found = Dataset(tables)  # outside the lock: validation takes a while
        with _lock:
            _stats.parses += 1
            _datasets[key] = found
            while len(_datasets) > _DATASETS_KEPT:
                _datasets.popitem(last=False)
    if all(v is None or isinstance(v, tuple) for v in inputs):
        _last_frozen[:] = [inputs, found]
    return found


def _is_missing(values: TableValues | None) -> bool:
    return values is None or len(values) == 0


# =============================================================================================
# The validated data and its figures
# =============================================================================================

@dataclass
class Figures:
    """One period's figures: the Summary totals and, per list, the breakdown rows by label."""
    totals: dict[str, Any]
    by: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


_CATEGORY_COLUMN = {PARTNER_TYPE: s.PARTNER_TYPE, MEMBERSHIP: s.MEMBERSHIP, REGION: s.REGION,
                    PRIORITY: s.PRIORITY}


class Dataset:
    """Validated input tables plus the figures computed from them so far.

    Every calendar year of the data is computed up front, for every list (one
    ``aggregate.breakdown`` per list over all years, as the report does); other periods
    (1 January … a cut-off date) are computed on first use, one list at a time.
    """

    def __init__(self, tables: dict[str, TableValues | None]) -> None:
        _check_header(tables[s.AGREEMENTS], s.AGREEMENTS)
        raw = {name: RawTable.from_values(name, values)
               for name, values in tables.items() if not _is_missing(values)}
        self.checked: Validated = validate(raw)
        self.lists: ReferenceLists = self.checked.lists
        self.rates: RateBook = self.checked.rates
        self.settings = self.checked.settings
        self.frame: pd.DataFrame = prepare(self.checked.agreements)
        signed = self.frame[SIGNED]
        self.years: list[int] = sorted(signed.dt.year.unique().tolist()) if len(signed) else []
        self._slices: dict[tuple[date, date], pd.DataFrame] = {}
        self._figures: dict[tuple[date, date], Figures] = {}
        self._labels: dict[tuple[str, object], str | None | UdfError] = {}
        self._through: dict[int, date] = {}
        self._top: dict[int, tuple[int, list[list[object]]]] = {}
        self._lock = threading.RLock()
        self._compute([year_period(y) for y in self.years], [t[0] for t in BREAKDOWNS.values()])

    # -- figures of a period -----------------------------------------------------------------
    def figures(self, period: Period, kind: str | None = None) -> Figures:
        """The period's totals and, if ``kind`` is given, its breakdown by that list."""
        found = self._figures.get((period.start, period.end))
        if found is None or (kind is not None and kind not in found.by):
            with self._lock, _Computing():
                self._compute([period], [kind] if kind is not None else [])
            found = self._figures[(period.start, period.end)]
        return found

    def _compute(self, periods: list[Period], kinds: list[str]) -> None:
        parts = {}  # the period slices, cut as aggregate.build_tables cuts them
        for period in periods:
            key = (period.start, period.end)
            if key not in self._slices:
                self._slices[key] = slices(self.frame, [period])[period]
                self._figures[key] = Figures(totals(self._slices[key]), {})
            parts[period] = self._slices[key]
        for table, (kind, column, partner_column) in BREAKDOWNS.items():
            todo = {p: sub for p, sub in parts.items()
                    if kind in kinds and kind not in self._figures[(p.start, p.end)].by}
            if not todo:
                continue
            found: dict[tuple[date, date], dict[str, dict[str, Any]]] = {
                (p.start, p.end): {} for p in todo}
            category = _CATEGORY_COLUMN[kind]
            for record in breakdown(todo, self.lists, table).to_dict("records"):
                found[(record[s.FROM], record[s.TO])][record[category]] = record
            if partner_column is None:
                # Distinct partners with an agreement in the region / on the priority: not a
                # column of the report, counted here from the same accepted rows.
                for period, sub in todo.items():
                    per_label = sub.groupby(column, observed=True)[KEY].nunique() \
                        if len(sub) else {}
                    for label, record in found[(period.start, period.end)].items():
                        record[s.PARTNERS_N] = int(per_label.get(label, 0))
            for key, by_label in found.items():
                self._figures[key].by[kind] = by_label

    # -- labels ------------------------------------------------------------------------------
    def label(self, kind: str, value: object) -> str | None:
        """``parse_label`` remembered per (list, text): typos included, as a sheet repeats
        them in every formula that refers to the same cell."""
        try:
            key = (kind, value)
            found = self._labels.get(key, self)
        except TypeError:  # unhashable value
            return parse_label(self.lists, kind, value)
        if found is self:
            try:
                found = parse_label(self.lists, kind, value)
            except UdfError as exc:
                found = exc
            if len(self._labels) < 10_000:
                self._labels[key] = found
        if isinstance(found, UdfError):
            raise UdfError(str(found))
        return found  # type: ignore[return-value]

    # -- year over year ----------------------------------------------------------------------
    def default_through(self, year: int) -> date:
        """The cut-off of the year-over-year windows when none is given, as in the report
        (``engine.build_report``): the Settings' *Through* if it is in ``year``, else the
        latest signing date of ``year``, else 31 December."""
        found = self._through.get(year)
        if found is None:
            found = default_through(self.frame, year, self.settings.through)
            self._through[year] = found
        return found

    def windows(self, year: int, through: date) -> list[Period]:
        """The two year-over-year windows (previous year first), as ``periods`` makes them."""
        return report_periods([], year, through)

    # -- top partners ------------------------------------------------------------------------
    def top_partners(self, year: int, n: int) -> list[list[object]]:
        """Header + the first ``n`` rows of the TopPartners table of ``year``.

        The ranking is a sort, so the first n of a longer list are the top n: one list per
        year, as long as the longest asked for (at least the Settings' *Top partners*)."""
        kept = self._top.get(year)
        if kept is None or kept[0] < n:
            with _Computing():
                kept = self._top_list(year, n, kept[0] if kept else 0)
        return kept[1][:n + 1]

    def _top_list(self, year: int, n: int, had: int) -> tuple[int, list[list[object]]]:
        longest = max(n, self.settings.top_n, had)
        table = top_partners(slices(self.frame, [year_period(year)]), longest)
        columns = list(s.REPORT_COLUMNS[s.TOP_PARTNERS])[len(s.PERIOD_COLUMNS):]
        rows = [columns] + [[_plain(v) for v in row]
                            for row in table[columns].itertuples(index=False)]
        kept = self._top[year] = (longest, rows)
        return kept

    def span(self) -> str:
        if not self.years:
            return "the Agreements table has no valid rows"
        first, last = self.years[0], self.years[-1]
        return f"the data covers {first}" if first == last else \
            f"the data covers {first}–{last}"


def _plain(value: object) -> object:
    """numpy scalars to plain Python values (what xlwings writes best)."""
    return value.item() if hasattr(value, "item") else value


def _check_header(values: TableValues | None, name: str) -> None:
    if _is_missing(values):
        return
    header = {normalize(c) for c in values[0] if c is not None}
    needed = [c for c in s.AGREEMENT_COLUMNS if c not in s.OPTIONAL_AGREEMENT_COLUMNS]
    if not any(normalize(c) in header for c in needed):
        raise UdfError(f"the {name.lower()} range has no header row (expected columns such as "
                       f"'{needed[0]}', '{needed[1]}', '{s.SIGNED_ON}'); pass the whole table "
                       f"with its header, e.g. {name}[#All]")


# =============================================================================================
# Arguments
# =============================================================================================

def _squash(text: object) -> str:
    """Matching key of a keyword argument: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def _reject_error(value: object, what: str) -> None:
    error = excel_error(value)
    if error:
        raise UdfError(f"the {what} is the Excel error {error}; fix the cell it comes from")


def _single(value: object, what: str) -> object:
    """A one-cell range may arrive as [[x]] or [x]; more cells is a mistake."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise UdfError(f"the {what} must be a single value, not a range of cells")
        value = value[0]
    return value


_DIMENSIONS = {
    **dict.fromkeys(("partnertype", "partnertypes", "type", "types", "typeofpartner"),
                    PARTNER_TYPE),
    **dict.fromkeys(("membership", "itumembership", "memberships", "member", "itumember"),
                    MEMBERSHIP),
    **dict.fromkeys(("region", "regions"), REGION),
    **dict.fromkeys(("priority", "priorities", "thematicpriority"), PRIORITY),
    **dict.fromkeys(("all", "total", "any", "*"), ALL),
}
_DIMENSION_NAMES = ("partner type", "membership", "region", "priority", "all")
_dimension_seen: dict[str, str] = {}  # text as typed -> dimension (valid ones only)


def parse_dimension(dimension: object) -> str:
    """``partner type`` | ``membership`` | ``region`` | ``priority`` | ``all`` (or blank)."""
    if isinstance(dimension, str):
        found = _dimension_seen.get(dimension)
        if found is None:
            found = _parse_dimension(dimension)  # raises for an unknown dimension
            if len(_dimension_seen) < 1000:
                _dimension_seen[dimension] = found
        return found
    return _parse_dimension(dimension)


def _parse_dimension(dimension: object) -> str:
    dimension = _single(dimension, "dimension")
    _reject_error(dimension, "dimension")
    if is_blank(dimension):
        return ALL
    found = _DIMENSIONS.get(_squash(dimension))
    if found is None:
        raise UdfError(_unknown("dimension", dimension, _DIMENSION_NAMES, {
            name: name for name in _DIMENSION_NAMES}))
    return found


def _unknown(noun: str, text: object, choices: Sequence[str], keys: dict[str, str]) -> str:
    close = difflib.get_close_matches(normalize(text), list(keys), n=1, cutoff=0.6)
    hint = f" – did you mean “{keys[close[0]]}”?" if close else \
        f"; use one of: {', '.join(choices)}"
    return f"unknown {noun} “{tidy(text)}”{hint}"


def parse_label(lists: ReferenceLists, kind: str, value: object) -> str | None:
    """The canonical label of ``value`` in the list ``kind`` (None for dimension ``all``)."""
    value = _single(value, "value")
    if kind == ALL:
        if not is_blank(value) and _squash(value) not in ("all", "total", "*"):
            raise UdfError(f"with the dimension “all” leave the value empty (it was "
                           f"“{tidy(value)}”); or give a dimension such as “region”")
        return None
    _reject_error(value, "value")
    if is_blank(value):
        examples = lists.labels(kind)[:2]
        raise UdfError(f"the {_NOUN[kind]} is missing; give {_ARTICLE[kind]} {_NOUN[kind]} "
                       f"such as “{examples[0] if examples else '…'}”")
    label = lists.match(kind, value)
    if label is None:
        hint = lists.suggest(kind, value)
        raise UdfError(f"unknown {_NOUN[kind]} “{tidy(value)}”" + (
            f" – did you mean “{hint}”?" if hint else
            f"; use one of: {', '.join(lists.labels(kind))}"))
    return label


def _whole_number(value: object, what: str, low: int, high: int) -> int:
    value = _single(value, what)
    _reject_error(value, what)
    if isinstance(value, bool):
        raise UdfError(f"the {what} must be a whole number, not TRUE/FALSE")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise UdfError(f"the {what} must be a whole number, not “{tidy(value)}”") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or \
            float(value) != int(value):
        raise UdfError(f"the {what} must be a whole number, not {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise UdfError(f"the {what} must be between {low} and {high}, not {number}")
    return number


def parse_year(data: Dataset, year: object) -> int:
    """A calendar year; blank = the report year (Settings, else the latest year in the data)."""
    year = _single(year, "year")
    if is_blank(year):
        found = data.settings.report_year or (data.years[-1] if data.years else None)
        if found is None:
            raise UdfError("give the year: the Agreements table has no valid rows yet")
        return found
    if isinstance(year, (date, datetime)):
        return year.year
    return _whole_number(year, "year", 1990, 2200)


def parse_date(value: object, what: str) -> date:
    value = _single(value, what)
    if is_blank(value):
        raise UdfError(f"the {what} is missing")
    try:
        return date_cell(value)
    except PydanticCustomError as exc:
        raise UdfError(f"the {what}: {exc.message()}") from None


def parse_through(value: object, year: int) -> date | None:
    """Optional cut-off date within ``year``: the period becomes 1 January … that date."""
    value = _single(value, "cut-off date")
    if is_blank(value):
        return None
    through = parse_date(value, "cut-off date")
    if through.year != year:
        raise UdfError(f"the cut-off date {through.isoformat()} is not in {year}; give a date "
                       f"in {year} (the period is 1 January … that date) or leave it empty")
    return through


_MEASURES = {
    **dict.fromkeys(("", "agreements", "agreement", "count", "number", "n"), AGREEMENTS_MEASURE),
    **dict.fromkeys(("funds", "fund", "funding", "usd", "fundsusd", "amount", "money"),
                    FUNDS_MEASURE),
    **dict.fromkeys(("partners", "partner"), PARTNERS_MEASURE),
}


def parse_measure(measure: object) -> str:
    """``agreements`` (default) | ``funds`` | ``partners``."""
    if measure is None:
        return AGREEMENTS_MEASURE
    measure = _single(measure, "measure")
    _reject_error(measure, "measure")
    found = _MEASURES.get("" if is_blank(measure) else _squash(measure))
    if found is None:
        raise UdfError(_unknown("measure", measure, ("agreements", "funds", "partners"),
                                {m: m for m in ("agreements", "funds", "partners")}))
    return found


_YOY_MEASURES = {
    s.AGREEMENTS_N: ("agreements", "agreement", "count"),
    s.PARTNERS_N: ("partners", "partner"),
    s.FINANCIAL_N: ("financial agreements", "financial", "financialagreement"),
    s.PARTNER_USD: ("partner component", "partner component (usd)", "partnerusd",
                    "partner funds", "partner contribution", "partner amount"),
    s.ITU_USD: ("itu component", "itu component (usd)", "ituusd", "itu funds", "itu amount"),
    s.FUNDS_USD: ("funds", "funds (usd)", "fund", "usd", "funding", "total funds"),
}
_YOY_KEYS = {_squash(alias): column for column, aliases in _YOY_MEASURES.items()
             for alias in (*aliases, column)}
_YOY_NAMES = ("agreements", "partners", "financial agreements", "partner component",
              "ITU component", "funds")


def parse_yoy_measure(measure: object) -> str:
    """A column of the ``YearOverYear`` table, by name or short name (default agreements)."""
    measure = _single(measure, "measure")
    _reject_error(measure, "measure")
    if is_blank(measure):
        return s.AGREEMENTS_N
    found = _YOY_KEYS.get(_squash(measure))
    if found is None:
        raise UdfError(_unknown("measure", measure, _YOY_NAMES,
                                {normalize(n): n for n in _YOY_NAMES}))
    return found


# =============================================================================================
# The functions (every one returns its answer, or a sentence saying what is wrong)
# =============================================================================================

def in_cell(function: Callable[..., T]) -> Callable[..., T | str]:
    """Turn any failure into a readable message: a worksheet cell never shows a traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (UdfError, WorkbookError) as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - last resort: still a sentence in the cell
            return f"could not compute this ({type(exc).__name__}: {str(exc)[:160]}); " \
                   "please report it with the workbook"
    return wrapper


def _period(data: Dataset, year: object, through: object) -> Period:
    the_year = parse_year(data, year)
    cutoff = parse_through(through, the_year)
    return window_period(cutoff) if cutoff is not None else year_period(the_year)


def _figure(data: Dataset, dimension: object, value: object, period: Period,
            measure: str) -> tuple[float, float]:
    """(value of the category, total of the period) for ``measure``."""
    kind = parse_dimension(dimension)
    if kind == ALL:
        parse_label(data.lists, kind, value)  # only checks that the value is empty
    label = None if kind == ALL else data.label(kind, _single(value, "value"))
    figures = data.figures(period, None if kind == ALL else kind)
    total = {AGREEMENTS_MEASURE: figures.totals[s.AGREEMENTS_N],
             FUNDS_MEASURE: figures.totals[s.FUNDS_USD],
             PARTNERS_MEASURE: figures.totals[s.PARTNERS_N]}[measure]
    if kind == ALL:
        return total, total
    record = figures.by[kind].get(label)
    if record is None:
        return (0.0 if measure == FUNDS_MEASURE else 0), total
    column = {AGREEMENTS_MEASURE: s.AGREEMENTS_N, FUNDS_MEASURE: s.FUNDS_USD,
              PARTNERS_MEASURE: s.PARTNERS_N}[measure]
    return record[column], total


def _data(agreements, rates, lists, settings) -> Dataset:
    return dataset(agreements, rates, lists, settings)


@in_cell
def share(dimension: object, value: object, year: object, measure: object = None,
          through: object = None, agreements: TableValues | None = None,
          rates: TableValues | None = None, *, lists: TableValues | None = None,
          settings: TableValues | None = None) -> float | str:
    """Share (0–1) of the period's agreements, funds or partners that fall in one category."""
    data = _data(agreements, rates, lists, settings)
    how = parse_measure(measure)
    period = _period(data, year, through)
    part, whole = _figure(data, dimension, value, period, how)
    if not whole:
        what = {AGREEMENTS_MEASURE: "no agreements", FUNDS_MEASURE: "no funds",
                PARTNERS_MEASURE: "no partners"}[how]
        raise UdfError(f"{what} in {period.label}, so there is no share to compute "
                       f"({data.span()})")
    return float(part / whole)


@in_cell
def count(dimension: object, value: object, year: object, through: object = None,
          agreements: TableValues | None = None, rates: TableValues | None = None, *,
          lists: TableValues | None = None, settings: TableValues | None = None) -> int | str:
    """Number of agreements of the period in one category (dimension “all”: every one)."""
    data = _data(agreements, rates, lists, settings)
    return int(_figure(data, dimension, value, _period(data, year, through),
                       AGREEMENTS_MEASURE)[0])


@in_cell
def funds(dimension: object, value: object, year: object, through: object = None,
          agreements: TableValues | None = None, rates: TableValues | None = None, *,
          lists: TableValues | None = None, settings: TableValues | None = None
          ) -> float | str:
    """Funds (partner + ITU components, USD) of the period's agreements in one category."""
    data = _data(agreements, rates, lists, settings)
    return float(_figure(data, dimension, value, _period(data, year, through),
                         FUNDS_MEASURE)[0])


@in_cell
def partners(dimension: object, value: object, year: object, through: object = None,
             agreements: TableValues | None = None, rates: TableValues | None = None, *,
             lists: TableValues | None = None, settings: TableValues | None = None
             ) -> int | str:
    """Distinct partners of the period in one category."""
    data = _data(agreements, rates, lists, settings)
    return int(_figure(data, dimension, value, _period(data, year, through),
                       PARTNERS_MEASURE)[0])


@in_cell
def top_partners_table(year: object, n: object = None, agreements: TableValues | None = None,
                       rates: TableValues | None = None, *, lists: TableValues | None = None,
                       settings: TableValues | None = None) -> list[list[object]] | str:
    """Header + one row per partner ranked by its own contribution (USD) in the year."""
    data = _data(agreements, rates, lists, settings)
    the_year = parse_year(data, year)
    top_n = data.settings.top_n if is_blank(_single(n, "number of partners")) else \
        _whole_number(n, "number of partners", 1, 1000)
    return data.top_partners(the_year, top_n)


@in_cell
def yoy(measure: object, year: object, through: object = None,
        agreements: TableValues | None = None, rates: TableValues | None = None, *,
        lists: TableValues | None = None, settings: TableValues | None = None) -> float | str:
    """Relative change of ``measure`` from the previous year's window 1 Jan … cut-off to the
    same window of ``year`` (0.25 = +25 %); the windows are those of the YearOverYear table."""
    data = _data(agreements, rates, lists, settings)
    column = parse_yoy_measure(measure)
    the_year = parse_year(data, year)
    cutoff = parse_through(through, the_year) or data.default_through(the_year)
    previous, current = data.windows(the_year, cutoff)
    # aggregate.year_over_year is ``totals`` of each window: the same figures.
    before = float(data.figures(previous).totals[column])
    now = float(data.figures(current).totals[column])
    if not before:
        noun = column.lower().replace(" (usd)", "")
        raise UdfError(f"no {noun} in {previous.label}, so there is no change to compute "
                       f"({data.span()})")
    return now / before - 1.0


# -- conversion ---------------------------------------------------------------------------------

class Rates:
    """The Rates table as the engine reads it (rows with errors skipped), with the rate in
    force per (currency, day) remembered: a sheet converts the same few pairs again and
    again."""

    def __init__(self, book: RateBook) -> None:
        self.book = book
        self._units: dict[tuple[str, date], float | None] = {}

    def units(self, currency: str, day: date) -> float | None:
        key = (currency, day)
        if key not in self._units:
            if len(self._units) >= 10_000:
                self._units.clear()
            with _Computing():
                self._units[key] = self.book.rate(currency, day)
        return self._units[key]


_rate_books: OrderedDict[Hashable, Rates] = OrderedDict()


def rate_book(rates: TableValues | None) -> Rates:
    """The Rates table (header row first), cached by content."""
    if _is_missing(rates):
        raise UdfError("no exchange rates: pass the Rates table with its header row (e.g. "
                       "Rates[#All]) or use the function in a workbook that has a Rates table")
    key = content_key(rates)
    with _lock:
        found = _rate_books.get(key)
        if found is not None:
            _rate_books.move_to_end(key)
            return found
    header = {normalize(c) for c in rates[0] if c is not None}
    if normalize(s.CURRENCY) not in header or normalize(s.UNITS_PER_USD) not in header:
        raise UdfError("the rates range has no header row (Currency | Effective from | Units "
                       "per USD); pass the whole table with its header, e.g. Rates[#All]")
    book, _issues = read_rates(RawTable.from_values(s.RATES, rates))
    made = Rates(book)
    with _lock:
        _rate_books[key] = made
        while len(_rate_books) > _DATASETS_KEPT:
            _rate_books.popitem(last=False)
    return made


def _amount(value: object) -> float:
    value = _single(value, "amount")
    _reject_error(value, "amount")
    if is_blank(value):
        return 0.0
    if isinstance(value, bool):
        raise UdfError("the amount must be a number, not TRUE/FALSE")
    if isinstance(value, str):
        try:
            value = float(value.strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise UdfError(f"the amount “{tidy(value)}” is not a number; give digits only, "
                           "without currency sign or thousands separators") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UdfError(f"the amount must be a number, not {value!r}")
    return float(value)


@in_cell
def convert(amount: object, currency: object, day: object,
            rates: TableValues | None = None) -> float | str:
    """``amount`` in ``currency`` on ``day`` in USD, with the rate in force that day."""
    money = _amount(amount)
    currency = _single(currency, "currency")
    _reject_error(currency, "currency")
    if is_blank(currency):
        raise UdfError("the currency is missing; give its ISO code, e.g. CHF")
    try:
        code = currency_cell(currency)
    except PydanticCustomError as exc:
        raise UdfError(exc.message()) from None
    when = parse_date(day, "date")
    if code == USD:
        return money
    units = rate_book(rates).units(code, when)  # RateBook.convert is amount / this rate
    if units is None:
        raise UdfError(f"no exchange rate for {code} in force on {when.isoformat()}; add a row "
                       f"to the Rates table (Currency {code}, Effective from on or before that "
                       "date)")
    return money / units


# =============================================================================================
# Reads shared by one recalculation (used by bdt_xl.excel.udfs for the workbook's own tables)
# =============================================================================================

@dataclass
class _Entry:
    value: object
    read_at: float
    used_at: float


class BurstCache:
    """Share one read of the workbook between the calls of one recalculation.

    A recalculation calls every BDT_* formula in a quick burst; the first call reads the
    tables and the next ones reuse that read as long as calls keep coming less than
    ``idle`` seconds apart, for at most ``max_age`` seconds. After a pause (the user
    editing a cell) the next call reads again, so an edit is always seen by the
    recalculation it triggers. Values should be frozen (``freeze``) so that their content
    key is computed once per read, not once per call.
    """

    def __init__(self, idle: float = 0.5, max_age: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle, self.max_age, self.clock = idle, max_age, clock
        self._entries: dict[Hashable, _Entry] = {}
        self._lock = threading.Lock()
        self.reads = 0

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry.used_at <= self.idle and \
                    now - entry.read_at <= self.max_age:
                entry.used_at = now
                return entry.value  # type: ignore[return-value]
        value = read()
        done = self.clock()
        with self._lock:
            self.reads += 1
            self._entries[key] = _Entry(value, now, done)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
