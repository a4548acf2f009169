"""The validated data behind the worksheet functions, and the figures computed from it.

Every answer comes from the engine itself: ``validation.validate`` accepts or rejects the
rows and converts to USD, and the figures are read from ``aggregate.slices`` / ``breakdown``
/ ``totals`` / ``top_partners`` — what the report tables are made of — so a cell always
agrees with the report sheets. Only the partners by region or priority, which no report
table has, are counted here (distinct partner keys of the same accepted rows).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core.aggregate import BREAKDOWNS, breakdown, prepare, slices, top_partners, totals
from bdt_xl.core.lists import MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION, ReferenceLists, normalize
from bdt_xl.core.models import Issue
from bdt_xl.core.periods import report_periods, year_period
from bdt_xl.core.pipeline import ReportDates, data_years, report_dates, unpriced_without_rates
from bdt_xl.core.report import Period
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import KEY, Validated, validate
from bdt_xl.errors import BdtError, FunctionArgumentError
from bdt_xl.functions.arguments import parse_label
from bdt_xl.functions.cache import CACHE, TableValues, is_missing

#: Every input table a function may use, in the order of the content key.
TABLES = (s.AGREEMENTS, s.RATES, s.LISTS, s.SETTINGS)

_CATEGORY_COLUMN = {PARTNER_TYPE: s.PARTNER_TYPE, MEMBERSHIP: s.MEMBERSHIP, REGION: s.REGION,
                    PRIORITY: s.PRIORITY}


def dataset(agreements: TableValues | None, rates: TableValues | None = None,
            lists: TableValues | None = None, settings: TableValues | None = None) -> Dataset:
    """The validated data for these tables (header row first), from the cache if unchanged."""
    inputs = (agreements, rates, lists, settings)
    found = CACHE.last_call(inputs)  # the same frozen tables as the previous call
    if isinstance(found, Dataset):
        return found
    if is_missing(agreements):
        raise FunctionArgumentError(
            "no agreements: pass the Agreements table with its header row (e.g. "
            "Agreements[#All]) or use the function in a workbook that has an Agreements table")
    key = tuple(CACHE.content_key(values) for values in inputs)
    found = CACHE.built("dataset", key, lambda: _build(inputs), counted=True)
    CACHE.remember_call(inputs, found)
    if isinstance(found, BdtError):  # unusable tables: the same sentence for every formula,
        raise FunctionArgumentError(str(found))  # without validating them again per call
    return found


def _build(inputs: tuple[TableValues | None, ...]) -> Dataset | BdtError:
    try:
        return Dataset(dict(zip(TABLES, inputs)))
    except BdtError as exc:
        return exc


@dataclass
class Figures:
    """One period's figures: the Summary totals and, per list, the breakdown rows by label."""
    totals: dict[str, Any]
    by: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


class Dataset:
    """Validated input tables plus the figures computed from them so far.

    Every calendar year of the data is computed up front, for every list (one
    ``aggregate.breakdown`` per list over all years, as the report does); other periods
    (1 January … a cut-off date) are computed on first use, one list at a time.
    """

    def __init__(self, tables: dict[str, TableValues | None]) -> None:
        _check_header(tables[s.AGREEMENTS], s.AGREEMENTS)
        raw = {name: RawTable.from_values(name, values)  # type: ignore[arg-type]
               for name, values in tables.items() if not is_missing(values)}
        self.checked: Validated = validate(raw)
        self.lists: ReferenceLists = self.checked.lists
        self.settings = self.checked.settings
        _require_rates(unpriced_without_rates(raw, self.checked))
        self.frame: pd.DataFrame = prepare(self.checked.agreements)
        self.years: list[int] = data_years(self.frame)
        self._slices: dict[tuple[date, date], pd.DataFrame] = {}
        self._figures: dict[tuple[date, date], Figures] = {}
        self._labels: dict[tuple[str, object], str | None | FunctionArgumentError] = {}
        self._dates: dict[tuple[int | None, date | None], ReportDates] = {}
        self._top: dict[int, tuple[int, list[list[object]]]] = {}
        self._lock = threading.RLock()
        self._compute([year_period(y) for y in self.years], [t[0] for t in BREAKDOWNS.values()])

    # -- figures of a period -----------------------------------------------------------------
    def figures(self, period: Period, kind: str | None = None) -> Figures:
        """The period's totals and, if ``kind`` is given, its breakdown by that list."""
        found = self._figures.get((period.start, period.end))
        if found is None or (kind is not None and kind not in found.by):
            with self._lock, CACHE.computing():
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
            except FunctionArgumentError as exc:
                found = exc
            with self._lock:
                if len(self._labels) < 10_000:
                    self._labels[key] = found
        if isinstance(found, FunctionArgumentError):
            raise FunctionArgumentError(str(found))
        return found  # type: ignore[return-value]

    # -- the report year and its cut-off -----------------------------------------------------
    def dates(self, year: int | None = None, through: date | None = None) -> ReportDates:
        """The report's own rule (``pipeline.report_dates``): a blank year is the report year
        of these tables; a blank cut-off is the report's cut-off for that year."""
        key = (year, through)
        found = self._dates.get(key)
        if found is None:
            found = report_dates(self.frame, self.settings, year, through)
            with self._lock:
                self._dates[key] = found
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
            with self._lock, CACHE.computing():
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
    if is_missing(values):
        return
    header = {normalize(c) for c in values[0] if c is not None}
    needed = [c for c in s.AGREEMENT_COLUMNS if c not in s.OPTIONAL_AGREEMENT_COLUMNS]
    if not any(normalize(c) in header for c in needed):
        raise FunctionArgumentError(
            f"the {name.lower()} range has no header row (expected columns such as "
            f"'{needed[0]}', '{needed[1]}', '{s.SIGNED_ON}'); pass the whole table with its "
            f"header, e.g. {name}[#All]")


def _require_rates(unpriced: list[Issue]) -> None:
    """Without a Rates table every amount in another currency than USD is an error, and the
    figures would silently leave those agreements out: say so instead of answering (the
    worksheet's words for ``pipeline.require_rates``)."""
    codes = sorted({issue.value for issue in unpriced if issue.value})
    if codes:
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        raise FunctionArgumentError(
            f"no exchange rates: the agreements have amounts in {shown}; pass the Rates table "
            "with its header row (e.g. Rates[#All]) or use the function in a workbook that has "
            "a Rates table")
