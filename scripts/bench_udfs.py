"""Benchmark of the worksheet functions: 1,000 mixed BDT_* calls against one cold call.

Two ways a formula gets its data are timed (Python time only, Excel's own work excluded):

* **explicit ranges** (``=BDT_SHARE(...,Agreements[#All],Rates[#All])``): xlwings converts
  the range for every call, so every call brings its own list of rows. Two models of that
  list: *fresh rows* (new row lists holding the same cell objects) and *fresh cells* (every
  cell a new object too, as a COM conversion makes them: the slower, realistic case);
* **workbook tables** (``=BDT_SHARE("region","Africa",2022)``): the calling workbook's tables
  are read once per recalculation and shared by every call (an in-memory workbook stands in
  for Excel).

A *round* is one cold call (empty caches: validation, every calendar year's figures) then
1,000 calls cycling through 37 formula kinds (cut-off windows, top partners, conversions and
a typo included, so the figures first asked for are in the 1,000 calls). The modes are
measured in alternation, round after round, and the medians are reported, with the median of
the per-round ratio "1,000 calls / cold call".

Targets: explicit ranges with fresh rows, 1,000 calls ≤ 3× the cold call; workbook tables,
1,000 calls ≤ 50 ms on a 1,000-row table (``--rows 1000``). A line ends in OK or ABOVE
TARGET (the exit status is 1 if one is above), or "for information" where no target applies
(fresh cells: every call then reads 100,000 new objects, about 1.5 ms at 10,000 rows, which
no content check can skip without risking a stale answer).

Run: ``.venv/bin/python scripts/bench_udfs.py [--rows 10000] [--calls 1000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bdt_xl import functions  # noqa: E402
from bdt_xl import schema as s  # noqa: E402
from bdt_xl.excel import udfs  # noqa: E402
from bdt_xl.workbooks.synthetic import (  # noqa: E402
    CURRENCIES,
    FIRST_DAY,
    LAST_DAY,
    synthetic_agreements,
    synthetic_rates,
)

EXPLICIT_RATIO_TARGET = 3.0
WORKBOOK_TARGET_MS = 50.0
WORKBOOK_TARGET_ROWS = 1000
EXPLICIT = "explicit ranges, fresh rows"
FRESH_CELLS = "explicit ranges, fresh cells"
COPIES = 4  # distinct per-call copies of a range, cycled (building one inside the timing
#             would time the copy, not the functions)


def as_excel(value: object) -> object:
    """A cell value as xlwings hands it over: dates as datetime, numbers as float."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def tables(rows: int, seed: int = 7) -> tuple[list[list], list[list]]:
    agreements = [list(s.AGREEMENT_COLUMNS)] + [
        [as_excel(row[c]) for c in s.AGREEMENT_COLUMNS]
        for row in synthetic_agreements(rows, seed=seed)]
    rates = [list(s.RATE_COLUMNS)] + [
        [as_excel(row[c]) for c in s.RATE_COLUMNS]
        for row in synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed=seed)]
    return agreements, rates


def _new_cell(value: object) -> object:
    """An equal cell that is a different object (a COM conversion creates every cell anew)."""
    if isinstance(value, str):
        return (value + ".")[:-1]
    if isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, value.hour, value.minute)
    if isinstance(value, float):
        return float(repr(value))
    return value


def fresh_rows(values: list[list]) -> list[list]:
    return [list(row) for row in values]


def fresh_cells(values: list[list]) -> list[list]:
    return [[_new_cell(cell) for cell in row] for row in values]


# -- a stand-in for the xlwings object model of the calling workbook -------------------------
class _Range:
    def __init__(self, values):
        self._values = values
        self.row = 1

    def options(self, **_options):
        return self

    @property
    def value(self):
        return [list(row) for row in self._values]  # a fresh copy, as a COM read gives


class _Table:
    def __init__(self, name, values):
        self.name, self.range = name, _Range(values)


class _Sheet:
    def __init__(self, name, tables):
        self.name, self.tables, self.book = name, tables, None
        self.used_range = _Range([[None]])


class FakeBook:
    """Just enough of ``xw.Book`` for ``excel.live_tables``."""

    def __init__(self, fullname: str, named_tables: dict[str, list[list]]):
        self.fullname = fullname
        self.sheets = [_Sheet(name, [_Table(name, values)])
                       for name, values in named_tables.items()]
        for sheet in self.sheets:
            sheet.book = self


class FakeCaller:
    """The ``caller`` xlwings passes: a cell of a sheet of the book."""

    def __init__(self, book: FakeBook):
        self.sheet = book.sheets[0]


def mixed_calls(agreements, rates, caller) -> list[Callable[[], object]]:
    """One call per formula kind; cycled to make up the requested number of calls."""
    a, r = (agreements, rates) if caller is None else (None, None)
    through_2023, through_2022 = datetime(2023, 6, 30), datetime(2022, 6, 30)
    patterns: list[Callable[[], object]] = []
    for year in (2019.0, 2020.0, 2021.0, 2022.0, 2023.0):
        patterns += [
            lambda y=year: udfs.BDT_SHARE("region", "Africa", y, None, None, a, r, caller),
            lambda y=year: udfs.BDT_SHARE("partner type", "private sector", y, "funds", None,
                                          a, r, caller),
            lambda y=year: udfs.BDT_SHARE("membership", "ROA", y, "partners", None, a, r,
                                          caller),
            lambda y=year: udfs.BDT_COUNT("priority", "Cybersecurity" if y < 2023 else
                                          "Digital transformation", y, None, a, r, caller),
            lambda y=year: udfs.BDT_FUNDS("all", None, y, None, a, r, caller),
            lambda y=year: udfs.BDT_PARTNERS("region", "Europe", y, None, a, r, caller),
        ]
    patterns += [
        lambda: udfs.BDT_COUNT("region", "Americas", 2023.0, through_2023, a, r, caller),
        lambda: udfs.BDT_COUNT("region", "Americas", 2022.0, through_2022, a, r, caller),
        lambda: udfs.BDT_YOY("funds", 2023.0, None, a, r, caller),
        lambda: udfs.BDT_YOY("agreements", 2023.0, through_2023, a, r, caller),
        lambda: udfs.BDT_TOP_PARTNERS(2022.0, 5.0, a, r, caller),
        lambda: udfs.BDT_CONVERT(2_400_000.0, "CHF", datetime(2022, 5, 3), r, caller),
        lambda: udfs.BDT_SHARE("region", "Afrika", 2022.0, None, None, a, r, caller),  # typo
    ]
    return patterns


def _clear() -> None:
    functions.clear_cache()
    udfs._book_reads.clear()


def _round(first: Callable[[], object], calls: list[Callable[[], object]], count: int
           ) -> tuple[float, float]:
    """(cold call ms, ``count`` calls ms) from empty caches."""
    _clear()
    start = time.perf_counter()
    answer = first()
    cold = time.perf_counter() - start
    assert isinstance(answer, float), answer
    start = time.perf_counter()
    for i in range(count):
        calls[i % len(calls)]()
    return cold * 1e3, (time.perf_counter() - start) * 1e3


def explicit_calls(agreements, rates, copy: Callable[[list[list]], list[list]]
                   ) -> list[Callable[[], object]]:
    """The mixed calls, the i-th one given the (i mod COPIES)-th copy of the ranges."""
    per_copy = [mixed_calls(copy(agreements), copy(rates), None) for _ in range(COPIES)]
    return [per_copy[i % COPIES][i] for i in range(len(per_copy[0]))]


def comparison_floor(agreements, rates, count: int, rounds: int) -> float:
    """Median ms of ``count`` bare comparisons of fresh copies of both ranges with one kept
    copy: what any answer that is never stale must at least pay per call."""
    kept = fresh_rows(agreements), fresh_rows(rates)
    copies = [(fresh_rows(agreements), fresh_rows(rates)) for _ in range(COPIES)]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(count):
            a, r = copies[i % COPIES]
            assert a == kept[0] and r == kept[1]
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    agreements, rates = tables(args.rows)
    print(f"{args.rows:,} agreement rows, {len(rates) - 1:,} rate rows; {args.calls:,} mixed "
          f"calls of 7 functions; {args.rounds} alternating rounds, medians")
    book = FakeBook("Partnerships.xlsm", {s.AGREEMENTS: agreements, s.RATES: rates})
    workbook = mixed_calls(None, None, FakeCaller(book))
    modes = {
        EXPLICIT: explicit_calls(agreements, rates, fresh_rows),
        FRESH_CELLS: explicit_calls(agreements, rates, fresh_cells),
        "workbook tables": workbook,
    }
    cold_firsts = {name: [fresh_rows, fresh_cells][i % 2] for i, name in enumerate(modes)}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
    for _ in range(args.rounds):
        for name, calls in modes.items():
            if name == "workbook tables":
                first = workbook[0]
            else:  # the cold call gets ranges no earlier call has seen
                a, r = cold_firsts[name](agreements), cold_firsts[name](rates)
                first = mixed_calls(a, r, None)[0]
            results[name].append(_round(first, calls, args.calls))
    failed = False
    for name, runs in results.items():
        cold = statistics.median(r[0] for r in runs)
        many = statistics.median(r[1] for r in runs)
        ratio = statistics.median(r[1] / r[0] for r in runs)
        if name == "workbook tables":
            ok = many <= WORKBOOK_TARGET_MS if args.rows <= WORKBOOK_TARGET_ROWS else None
            target = f"target ≤ {WORKBOOK_TARGET_MS:.0f} ms at ≤ {WORKBOOK_TARGET_ROWS:,} rows"
        elif name == FRESH_CELLS:
            ok, target = None, f"{EXPLICIT_RATIO_TARGET:.0f}× is the target of fresh rows"
        else:
            ok = ratio <= EXPLICIT_RATIO_TARGET
            target = f"target ≤ {EXPLICIT_RATIO_TARGET:.0f}× the cold call"
        failed |= ok is False
        verdict = "for information" if ok is None else "OK" if ok else "ABOVE TARGET"
        print(f"{name:30} cold call {cold:8.1f} ms | {args.calls:,} calls {many:8.1f} ms "
              f"({many / args.calls * 1e3:6.1f} µs/call) | ratio {ratio:5.2f}× | {target}: "
              f"{verdict}")
    info = functions.cache_info()
    print(f"last round: {info.parses} parse(s), {info.hits:,} cache hits, {info.computed} "
          f"figures computed on first use ({info.compute_ms:.1f} ms)")
    floor = comparison_floor(agreements, rates, args.calls, args.rounds)
    cold = statistics.median(r[0] for r in results[EXPLICIT])
    print(f"floor of explicit ranges (fresh rows): {args.calls:,} plain comparisons of the "
          f"passed ranges with a copy (list == list, the least a content check can do) take "
          f"{floor:.1f} ms = {floor / cold:.2f}× the cold call")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
