"""Worksheet functions for Excel (xlwings UDFs): ``BDT_SHARE``, ``BDT_COUNT``, ``BDT_FUNDS``,
``BDT_PARTNERS``, ``BDT_CONVERT``, ``BDT_TOP_PARTNERS`` (spills) and ``BDT_YOY``.

Excel: list ``bdt_xl.excel.udfs`` under *UDF Modules* (``xlwings.conf`` sheet or the xlwings
ribbon) and click *Import Functions*. Then, in any cell::

    =BDT_SHARE("region", "Africa", 2022)                    → 0.1268 (format as %)
    =BDT_SHARE("partner type", "Foundations", 2022, "funds")
    =BDT_COUNT("priority", "Cybersecurity", 2022, DATE(2022,4,30))   1 Jan … 30 Apr 2022
    =BDT_FUNDS("all", , 2023)                               every agreement of 2023
    =BDT_CONVERT(2400000, "CHF", DATE(2022,5,3))            → USD with the Rates table
    =BDT_TOP_PARTNERS(2022, 5)                              spills header + 5 rows
    =BDT_YOY("funds", 2023)                                 → 0.25 means +25 %

Arguments:

* ``dimension`` — ``partner type``, ``membership``, ``region``, ``priority`` (case, spaces,
  hyphens ignored; plurals accepted), or ``all`` / blank for every agreement of the period
  (then leave ``value`` empty). ``value`` — a label of that list, matched like the input
  (case and spacing ignored, aliases and French labels accepted).
* ``year`` — a calendar year; blank = the report year (Settings, else the latest year).
  ``through`` — optional cut-off date within that year: the period becomes 1 Jan … through.
* ``measure`` (BDT_SHARE) — ``agreements`` (default), ``funds`` (USD) or ``partners``.
  Partners by partner type or membership count each partner once, under the type of its
  first row, as in the ByPartnerType table; by region or priority they count the distinct
  partners with at least one agreement there (so those shares may add up to more than 1).
* ``BDT_YOY(measure, year, [through])`` returns the relative change from the window
  1 Jan … through of the previous year to the same window of ``year`` (the two rows of the
  YearOverYear table): ``agreements``, ``partners``, ``financial agreements``,
  ``partner component``, ``ITU component`` or ``funds``. ``through`` defaults as in the
  report: the Settings' *Through* if it is in ``year``, else the year's latest signing date.
  The two window values themselves are ``BDT_COUNT("all",,year,through)`` etc.
* ``agreements``, ``rates`` — optional ranges *with their header row*, e.g.
  ``Agreements[#All]``; by default the calling workbook's ``Agreements`` and ``Rates``
  tables (found on any sheet). The workbook's ``Lists`` and ``Settings`` tables, when
  present, are used either way, as by the report.

Every figure is the report's own (same validation, same aggregation — see ``bdt_xl.functions``):
rows with an error are left out, exactly as on the report sheets. A bad argument returns a
sentence (``unknown region “Afrika” – did you mean “Africa”?``), never a traceback.

**Recalculation.** The functions are declared *volatile*, because the default form reads
the workbook's tables, which Excel cannot see as an input of the formula: without
volatility an edit of the Agreements table would leave the results stale. They therefore
run at every recalculation, and are kept cheap by two caches:

1. the workbook's tables are read once per recalculation (``excel.recalc.BurstCache``: the
   calls of one recalculation come in a burst and share one read; after a pause of
   ``BOOK_READ_IDLE`` seconds the next call reads again, so an edit is seen by the
   recalculation it triggers);
2. the validated data is memoized on the tables' content (``functions.dataset``), and the
   figures of each period are computed once: 1,000 formulas cost one parse and 1,000
   dictionary lookups (see ``scripts/bench_udfs.py``).

With explicit ranges (``Agreements[#All]``) Excel passes the values on each call; they are
compared cell by cell with the tables seen lately (per 10,000 rows ≈0.2 ms when the cells
are the same objects, ≈1.5 ms when every cell is new, as from COM) and parsed only when they
change. That form is exact even when a macro rewrites the table and recalculates within a
fraction of a second (a case where the default form can show the previous values until the
next recalculation, e.g. F9).

The functions are declared with ``call_in_wizard=False``: Excel's function wizard would
otherwise run Python on every keystroke of the dialog.
"""

from __future__ import annotations

import inspect
from typing import Any

import xlwings as xw

from bdt_xl import functions
from bdt_xl import schema as s
from bdt_xl.errors import FunctionArgumentError
from bdt_xl.excel.live_tables import find_live_tables
from bdt_xl.excel.recalc import BurstCache
from bdt_xl.functions import freeze

CATEGORY = "BDT partnerships"
#: Seconds without a BDT_* call after which the workbook's tables are read again.
BOOK_READ_IDLE = 0.25
_book_reads = BurstCache(idle=BOOK_READ_IDLE, max_age=5.0)

_TABLE = {"ndim": 2, "err_to_str": True}
_VALUE = {"err_to_str": True}

_DOC_DIMENSION = ('"partner type", "membership", "region", "priority", or "all"/blank for '
                  'every agreement')
_DOC_VALUE = 'A label of that list, e.g. "Africa" (leave empty with "all")'
_DOC_YEAR = "Calendar year, e.g. 2022 (blank: the report year)"
_DOC_THROUGH = "Optional cut-off date in that year: counts 1 Jan … this date"
_DOC_AGREEMENTS = ("Optional: the agreements with their header row, e.g. Agreements[#All] "
                   "(default: this workbook's Agreements table)")
_DOC_RATES = ("Optional: the rates with their header row, e.g. Rates[#All] (default: this "
              "workbook's Rates table)")


# -- reading the calling workbook (the only code that talks to Excel) -------------------------

def read_book_tables(book: Any) -> dict[str, tuple | None]:
    """The input tables of ``book`` (an ``xw.Book``), frozen, found as the macro finds them
    (``excel.live_tables``)."""
    found, _seen = find_live_tables(book)
    return {name: freeze(table.values) for name, table in found.items()}


def workbook_tables(caller: Any) -> dict[str, tuple | None]:
    """The calling workbook's input tables, read once per recalculation."""
    if caller is None:  # called from Python
        return {}
    book = caller.sheet.book
    return _book_reads.get(book.fullname, lambda: read_book_tables(book))


def _tables(caller: Any, agreements: Any, rates: Any) -> dict[str, Any]:
    try:
        book = workbook_tables(caller)
    except Exception as exc:  # noqa: BLE001 - COM hiccup: explicit ranges still work
        if agreements is None:
            raise FunctionArgumentError(f"could not read this workbook's tables ({exc}); pass the "
                                "ranges, e.g. Agreements[#All]") from None
        book = {}
    return {"agreements": agreements if agreements is not None else book.get(s.AGREEMENTS),
            "rates": rates if rates is not None else book.get(s.RATES),
            "lists": book.get(s.LISTS), "settings": book.get(s.SETTINGS)}


def _call(function, caller, agreements, rates, *args):
    """Resolve the tables, then let ``function`` (which never raises) answer."""
    try:
        tables = _tables(caller, agreements, rates)
    except FunctionArgumentError as exc:
        return str(exc)
    return function(*args, tables["agreements"], tables["rates"], lists=tables["lists"],
                    settings=tables["settings"])


# -- the functions -----------------------------------------------------------------------------
# Each docstring is one line: xlwings gives it to Excel as the description shown by the
# function wizard (at most 255 characters). A parameter named "caller" is filled in by xlwings
# with the calling cell and is not shown in Excel. Argument names become VBA identifiers in
# the generated wrappers, hence "currency_code" and "on_date" ("Currency" and "Date" are VBA
# type names).

_ARG_DOCS = {
    "dimension": _DOC_DIMENSION, "value": _DOC_VALUE, "year": _DOC_YEAR,
    "through": _DOC_THROUGH, "agreements": _DOC_AGREEMENTS, "rates": _DOC_RATES,
    "amount": "The amount in its currency",
    "currency_code": 'ISO 4217 code, e.g. "CHF"',
    "on_date": "The date whose UN operational rate applies (e.g. the signing date)",
    "n": "How many partners (default: Settings' Top partners, else 10)",
}
_TABLE_ARGS = frozenset({"agreements", "rates"})


def bdt_function(**docs: str):
    """Declare a worksheet function: xlwings' ``func`` and one ``arg`` per parameter (its
    help text from ``docs`` or the shared ones; ranges as 2-D lists, errors as text)."""
    def declare(function):
        names = [name for name in inspect.signature(function).parameters if name != "caller"]
        for name in reversed(names):
            function = xw.arg(name, doc=docs.get(name) or _ARG_DOCS[name],
                              **(_TABLE if name in _TABLE_ARGS else _VALUE))(function)
        return xw.func(category=CATEGORY, volatile=True, call_in_wizard=False)(function)
    return declare


@bdt_function(measure='"agreements" (default), "funds" (USD) or "partners"')
def BDT_SHARE(dimension, value, year, measure=None, through=None, agreements=None, rates=None,
              caller=None):
    """Share (0-1) of a year's agreements, funds or partners in one category, e.g. =BDT_SHARE("region","Africa",2022). Same figures as the report."""  # noqa: E501
    return _call(functions.share, caller, agreements, rates, dimension, value, year, measure,
                 through)


@bdt_function()
def BDT_COUNT(dimension, value, year, through=None, agreements=None, rates=None, caller=None):
    """Number of agreements signed in a year (or 1 Jan … through) in one category, e.g. =BDT_COUNT("region","Africa",2022); "all" counts every agreement."""  # noqa: E501
    return _call(functions.count, caller, agreements, rates, dimension, value, year, through)


@bdt_function()
def BDT_FUNDS(dimension, value, year, through=None, agreements=None, rates=None, caller=None):
    """Funds in USD (partner + ITU components) of a year's agreements in one category, e.g. =BDT_FUNDS("partner type","Foundations",2022)."""  # noqa: E501
    return _call(functions.funds, caller, agreements, rates, dimension, value, year, through)


@bdt_function()
def BDT_PARTNERS(dimension, value, year, through=None, agreements=None, rates=None,
                 caller=None):
    """Number of distinct partners of a year in one category, e.g. =BDT_PARTNERS("membership","ROA",2022); "all" counts every partner."""  # noqa: E501
    return _call(functions.partners, caller, agreements, rates, dimension, value, year, through)


@bdt_function()
def BDT_CONVERT(amount, currency_code, on_date, rates=None, caller=None):
    """Amount in USD at the UN operational rate in force on the date (Rates table: units per USD), e.g. =BDT_CONVERT(2400000,"CHF",DATE(2022,5,3))."""  # noqa: E501
    try:
        book = workbook_tables(caller) if rates is None else {}
    except Exception:  # noqa: BLE001 - the message below says what to do
        book = {}
    return functions.convert(amount, currency_code, on_date,
                        rates if rates is not None else book.get(s.RATES))


@bdt_function()
def BDT_TOP_PARTNERS(year, n=None, agreements=None, rates=None, caller=None):
    """Spills the year's top partners by own contribution (USD): Rank, Partner, Partner type, Partner contribution (USD), Original amounts, e.g. =BDT_TOP_PARTNERS(2022,5)."""  # noqa: E501
    return _call(functions.top_partners_table, caller, agreements, rates, year, n)


@bdt_function(measure='"agreements", "partners", "financial agreements", "partner component", '
                      '"ITU component" or "funds"',
              through="Optional cut-off date in that year (default as in the report)")
def BDT_YOY(measure, year, through=None, agreements=None, rates=None, caller=None):
    """Year-over-year change: 1 Jan … through of the year against the same window of the previous year, as a fraction (0.25 = +25 %), e.g. =BDT_YOY("funds",2023)."""  # noqa: E501
    return _call(functions.yoy, caller, agreements, rates, measure, year, through)


__all__ = ["BDT_SHARE", "BDT_COUNT", "BDT_FUNDS", "BDT_PARTNERS", "BDT_CONVERT",
           "BDT_TOP_PARTNERS", "BDT_YOY"]
