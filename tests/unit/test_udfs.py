"""Worksheet functions (``bdt_xl.udfs`` / ``bdt_xl.functions``), called with plain values exactly
as xlwings passes them: a range is a list of rows, header first, dates as ``datetime``,
numbers as ``float``, empty cells as ``None``."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from udf_tables import (
    ACADEMIC,
    FUNDS_2022,
    GOV,
    PRIVATE,
    TINY_ROWS,
    Clock,
    FakeBook,
    FakeCaller,
    FakeSheet,
    FakeTable,
    as_range,
)

from bdt_xl import functions as udf_core
from bdt_xl import schema as s
from bdt_xl.excel import udfs
from bdt_xl.excel.recalc import BurstCache
from bdt_xl.excel.udfs import (
    BDT_CONVERT,
    BDT_COUNT,
    BDT_FUNDS,
    BDT_PARTNERS,
    BDT_SHARE,
    BDT_TOP_PARTNERS,
    BDT_YOY,
)

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = (BDT_SHARE, BDT_COUNT, BDT_FUNDS, BDT_PARTNERS, BDT_CONVERT, BDT_TOP_PARTNERS,
             BDT_YOY)


pytestmark = pytest.mark.usefixtures("fresh_caches")


# =============================================================================================
# A tiny table whose answers are computed by hand
# =============================================================================================
def test_share_count_funds_partners_by_hand(tiny):
    assert BDT_COUNT("region", "Africa", 2022.0, **tiny) == 3          # A1, A3, A5 (A6 excluded)
    assert BDT_SHARE("region", "Africa", 2022.0, **tiny) == pytest.approx(3 / 5)
    assert BDT_FUNDS("region", "Africa", 2022.0, **tiny) == pytest.approx(1200 + 2000 + 1000)
    assert BDT_SHARE("region", "Africa", 2022.0, "funds", **tiny) == \
        pytest.approx(4200 / FUNDS_2022)
    assert BDT_FUNDS("region", "Europe", 2022.0, **tiny) == pytest.approx(1100)
    assert BDT_FUNDS("all", None, 2022.0, **tiny) == pytest.approx(FUNDS_2022)
    assert BDT_COUNT("all", None, 2022.0, **tiny) == 5
    assert BDT_COUNT("", "", 2021.0, **tiny) == 2
    assert BDT_SHARE("all", None, 2022.0, **tiny) == 1.0
    # partners: Acme (twice), Beta, Gamma, Delta
    assert BDT_PARTNERS("all", None, 2022.0, **tiny) == 4
    # agreements keep their own type; partners are counted under their first row's type
    assert BDT_COUNT("partner type", PRIVATE, 2022.0, **tiny) == 2
    assert BDT_PARTNERS("partner type", PRIVATE, 2022.0, **tiny) == 1
    assert BDT_PARTNERS("partner type", GOV, 2022.0, **tiny) == 1
    assert BDT_SHARE("partner type", GOV, 2022.0, "partners", **tiny) == pytest.approx(0.25)
    # by region: distinct partners with an agreement there
    assert BDT_PARTNERS("region", "Africa", 2022.0, **tiny) == 3
    assert BDT_SHARE("region", "Africa", 2022.0, "partners", **tiny) == pytest.approx(0.75)
    assert BDT_COUNT("membership", "Non-member", 2022.0, **tiny) == 1   # blank = Non-member
    assert BDT_COUNT("priority", "Cybersecurity", 2022.0, **tiny) == 2
    # a category without agreements: 0, and a share of 0
    assert BDT_COUNT("region", "CIS", 2022.0, **tiny) == 0
    assert BDT_FUNDS("region", "CIS", 2022.0, **tiny) == 0.0
    assert BDT_SHARE("region", "CIS", 2022.0, **tiny) == 0.0


def test_labels_and_keywords_are_matched_loosely(tiny):
    assert BDT_COUNT("  Partner-Type ", "government", 2022.0, **tiny) == 1     # alias
    assert BDT_COUNT("REGIONS", "  AFRICA ", 2022.0, **tiny) == 3
    assert BDT_COUNT("region", "Afrique", 2022.0, **tiny) == 3                # French label
    assert BDT_SHARE("Region", "Africa", "2022", "Agreements", **tiny) == pytest.approx(0.6)
    assert BDT_SHARE("region", "Africa", 2022, "FUNDS", **tiny) == \
        pytest.approx(4200 / FUNDS_2022)


def test_through_makes_a_year_to_date_window(tiny):
    april = datetime(2022, 4, 30)
    assert BDT_COUNT("all", None, 2022.0, april, **tiny) == 2                 # A1, A2
    assert BDT_COUNT("region", "Africa", 2022.0, april, **tiny) == 1
    assert BDT_SHARE("region", "Africa", 2022.0, None, april, **tiny) == 0.5
    assert BDT_FUNDS("all", None, 2022.0, "2022-04-30", **tiny) == pytest.approx(2300)
    assert BDT_COUNT("all", None, 2022.0, 44681.0, **tiny) == 2               # Excel serial


def test_year_over_year_by_hand(tiny):
    april = datetime(2022, 4, 30)
    # 1 Jan-30 Apr 2022: A1, A2 (2,300 USD); same window of 2021: B1 (500 USD)
    assert BDT_YOY("agreements", 2022.0, april, **tiny) == pytest.approx(1.0)
    assert BDT_YOY("funds", 2022.0, april, **tiny) == pytest.approx(2300 / 500 - 1)
    assert BDT_YOY("Partner component", 2022.0, april, **tiny) == pytest.approx(2200 / 500 - 1)
    # default cut-off: the latest signing date of 2022 (30 Nov): 5 agreements against B1, B2
    assert BDT_YOY("agreements", 2022.0, **tiny) == pytest.approx(5 / 2 - 1)
    assert "no agreements in" in BDT_YOY("agreements", 2021.0, **tiny)


def test_top_partners_by_hand(tiny):
    table = BDT_TOP_PARTNERS(2022.0, 3.0, **tiny)
    assert table[0] == ["Rank", "Partner", "Partner type", "Partner contribution (USD)",
                        "Original amounts"]
    assert [row[:3] for row in table[1:]] == [[1, "Acme", GOV], [2, "Beta", PRIVATE],
                                              [3, "Delta", ACADEMIC]]
    assert [row[3] for row in table[1:]] == pytest.approx([2200, 2000, 1000])
    assert table[1][4] == "1,200 USD; 900 EUR"
    assert len(BDT_TOP_PARTNERS(2022.0, 1.0, **tiny)) == 2
    assert len(BDT_TOP_PARTNERS(2022.0, **tiny)) == 4          # default 10: every contributor
    assert BDT_TOP_PARTNERS(2030.0, **tiny) == [table[0]]     # nobody: the header alone


def test_convert_by_hand(tiny):
    rates = tiny["rates"]
    assert BDT_CONVERT(1900.0, "EUR", datetime(2022, 8, 1), rates) == pytest.approx(2000)
    assert BDT_CONVERT(900.0, " eur", datetime(2022, 6, 30), rates) == pytest.approx(1000)
    assert BDT_CONVERT(800.0, "CHF", "2022-01-01", rates) == pytest.approx(1000)
    assert BDT_CONVERT("1 500", "USD", datetime(2020, 1, 1)) == 1500.0     # USD needs no rate
    assert BDT_CONVERT(-90.0, "EUR", datetime(2022, 3, 1), rates) == pytest.approx(-100)
    message = BDT_CONVERT(100.0, "EUR", datetime(2021, 12, 31), rates)
    assert message.startswith("no exchange rate for EUR in force on 2021-12-31")


def test_blank_year_is_the_report_year(tiny):
    assert BDT_COUNT("all", None, None, **tiny) == 5
    settings = [["Setting", "Value"], ["Report year", 2021.0]]
    assert udf_core.count("all", None, None, None, tiny["agreements"], tiny["rates"],
                          settings=settings) == 2


# =============================================================================================
# Bad arguments: a readable sentence in the cell, never an exception
# =============================================================================================
@pytest.mark.parametrize("call, expected", [
    (lambda t: BDT_SHARE("region", "Afrika", 2022.0, **t),
     "unknown region “Afrika” – did you mean “Africa”?"),
    (lambda t: BDT_COUNT("regoin", "Africa", 2022.0, **t),
     "unknown dimension “regoin” – did you mean “region”?"),
    (lambda t: BDT_SHARE("region", "Africa", 2022.0, "money?!", **t), "unknown measure"),
    (lambda t: BDT_COUNT("region", None, 2022.0, **t), "the region is missing"),
    (lambda t: BDT_COUNT("all", "Africa", 2022.0, **t), "leave the value empty"),
    (lambda t: BDT_COUNT("region", "Africa", "last year", **t), "the year must be a whole number"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.5, **t), "the year must be a whole number"),
    (lambda t: BDT_COUNT("region", "Africa", 1850.0, **t), "between 1990 and 2200"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.0, datetime(2023, 1, 31), **t),
     "the cut-off date 2023-01-31 is not in 2022"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.0, "soon", **t), "the cut-off date"),
    (lambda t: BDT_COUNT("region", "#N/A", 2022.0, **t), "Excel error #N/A"),
    (lambda t: BDT_COUNT("region", [["Africa", "Europe"]], 2022.0, **t), "single value"),
    (lambda t: BDT_SHARE("region", "Africa", 2030.0, **t), "no agreements in 2030"),
    (lambda t: BDT_SHARE("region", "Africa", 2022.0, "funds", "2022-01-15", **t),
     "no funds in 1 Jan–15 Jan 2022"),
    (lambda t: BDT_TOP_PARTNERS(2022.0, 0.0, **t), "between 1 and 1000"),
    (lambda t: BDT_TOP_PARTNERS(2022.0, "ten", **t), "whole number"),
    (lambda t: BDT_YOY("happiness", 2022.0, **t), "unknown measure"),
    (lambda t: BDT_CONVERT("1,000.00", "EUR", datetime(2022, 3, 1), t["rates"]), "not a number"),
    (lambda t: BDT_CONVERT(1.0, "euro", datetime(2022, 3, 1), t["rates"]), "3-letter ISO 4217"),
    (lambda t: BDT_CONVERT(1.0, None, datetime(2022, 3, 1), t["rates"]), "currency is missing"),
    (lambda t: BDT_CONVERT(1.0, "EUR", None, t["rates"]), "the date is missing"),
    (lambda t: BDT_CONVERT(1.0, "EUR", datetime(2022, 3, 1)), "no exchange rates"),
    (lambda t: BDT_CONVERT(1.0, "EUR", datetime(2022, 3, 1), t["rates"][1:]), "no header row"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.0), "no agreements: pass the Agreements"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.0, None, t["agreements"][1:]),
     "has no header row"),
    (lambda t: BDT_COUNT("region", "Africa", 2022.0, None, [["Agreement ID", "Partner"]]),
     "no 'Partner type' column"),
])
def test_bad_arguments_give_a_readable_message(tiny, call, expected):
    result = call(tiny)
    assert isinstance(result, str)
    assert expected in result
    assert "Traceback" not in result and "Error:" not in result


@pytest.mark.parametrize("junk", [None, "", " ", 0.0, -1.0, 1e300, float("nan"), True, "#REF!",
                                  [[None]], [[1.0, 2.0]], datetime(1900, 1, 1), "2022-02-30",
                                  "Région", object()])
def test_any_junk_argument_gives_a_value_or_a_sentence(tiny, junk):
    calls = [
        lambda: BDT_SHARE(junk, "Africa", 2022.0, **tiny),
        lambda: BDT_SHARE("region", junk, 2022.0, **tiny),
        lambda: BDT_SHARE("region", "Africa", junk, **tiny),
        lambda: BDT_SHARE("region", "Africa", 2022.0, junk, **tiny),
        lambda: BDT_SHARE("region", "Africa", 2022.0, None, junk, **tiny),
        lambda: BDT_COUNT("region", "Africa", 2022.0, None, [[junk]], tiny["rates"]),
        lambda: BDT_CONVERT(junk, "EUR", datetime(2022, 3, 1), tiny["rates"]),
        lambda: BDT_CONVERT(1.0, junk, datetime(2022, 3, 1), tiny["rates"]),
        lambda: BDT_CONVERT(1.0, "EUR", junk, tiny["rates"]),
        lambda: BDT_TOP_PARTNERS(junk, junk, **tiny),
        lambda: BDT_YOY(junk, 2022.0, junk, **tiny),
    ]
    for call in calls:
        result = call()
        assert isinstance(result, (int, float, str, list)), result
        if isinstance(result, float):
            assert math.isfinite(result)


# =============================================================================================
# Reading the calling workbook (a stand-in for the xlwings object model)
# =============================================================================================

@pytest.fixture
def clock(monkeypatch):
    tick = Clock()
    monkeypatch.setattr(udfs, "_book_reads", BurstCache(idle=0.25, max_age=5.0,
                                                                 clock=tick))
    return tick


def _book(tiny, **extra_sheets):
    data = FakeSheet("Data", [FakeTable("agreements", tiny["agreements"])])  # any case
    fx = FakeSheet("FX", [FakeTable("Other", [["x"]]), FakeTable("RATES", tiny["rates"])])
    sheets = [data, fx] + [FakeSheet(name, used=values) for name, values in extra_sheets.items()]
    return FakeBook("C:/reports/Partnerships.xlsm", sheets + [FakeSheet("Report")])


def test_functions_read_the_calling_workbooks_tables(tiny, clock):
    caller = FakeCaller(_book(tiny))
    assert BDT_SHARE("region", "Africa", 2022.0, caller=caller) == pytest.approx(0.6)
    assert BDT_CONVERT(1900.0, "EUR", datetime(2022, 8, 1), caller=caller) == \
        pytest.approx(2000)
    table = BDT_TOP_PARTNERS(2022.0, 2.0, caller=caller)
    assert [row[1] for row in table[1:]] == ["Acme", "Beta"]
    assert udfs._book_reads.reads == 1
    assert udf_core.cache_info().parses == 1


def test_one_read_per_recalculation_and_edits_are_seen(tiny, clock):
    book = _book(tiny)
    caller = FakeCaller(book)
    agreements_range = book.sheets[0].tables[0].range
    for _ in range(300):                          # one recalculation: calls in a burst
        assert BDT_COUNT("region", "Africa", 2022.0, caller=caller) == 3
        clock.now += 0.001
    assert agreements_range.reads == 1
    agreements_range.values[1][s.AGREEMENT_COLUMNS.index(s.REGION)] = "Europe"  # user edit
    clock.now += 2.0                              # ... then the recalculation it triggers
    assert BDT_COUNT("region", "Africa", 2022.0, caller=caller) == 2
    assert agreements_range.reads == 2
    clock.now += 2.0                              # a recalculation without edit: no parse
    assert BDT_COUNT("region", "Africa", 2022.0, caller=caller) == 2
    assert agreements_range.reads == 3
    assert udf_core.cache_info().parses == 2


def test_explicit_ranges_win_and_lists_settings_come_from_the_workbook(tiny, clock):
    settings = [["Setting", "Value"], ["Report year", 2021.0], ["Top partners", 1.0]]
    lists = [["List", "Label", "French label", "Aliases", "Action plan", "Valid from",
              "Valid to"],
             ["Region", "Africa", "Afrique", "Sub-Saharan Africa", None, None, None],
             ["Region", "Europe", "Europe", None, None, None, None],
             ["Region", "Americas", "Amériques", None, None, None, None]]
    caller = FakeCaller(_book(tiny, Settings=settings, Lists=lists))
    assert BDT_COUNT("region", "Sub-Saharan Africa", None, caller=caller) == 1   # 2021: B1
    assert BDT_TOP_PARTNERS(2022.0, caller=caller) == BDT_TOP_PARTNERS(2022.0, 1.0, **tiny)
    # the Lists table is merged into the built-in lists (SPEC §1): Asia-Pacific stays a
    # region (no 2022 agreement there), a label in neither is still unknown
    assert BDT_COUNT("region", "Asia-Pacific", 2022.0, caller=caller) == 0
    assert "unknown region “Atlantis”" in BDT_COUNT("region", "Atlantis", 2022.0,
                                                    caller=caller)
    other = as_range(s.AGREEMENT_COLUMNS, TINY_ROWS[:1])
    assert BDT_COUNT("all", None, 2022.0, None, other, caller=caller) == 1


def test_a_sheet_named_like_the_table_stands_in_for_it(tiny, clock):
    book = FakeBook("Book1.xlsx", [FakeSheet("Agreements", used=tiny["agreements"]),
                                   FakeSheet("Rates", used=tiny["rates"])])
    assert BDT_COUNT("region", "Africa", 2022.0, caller=FakeCaller(book)) == 3


def test_workbook_without_tables_says_what_to_do(clock):
    caller = FakeCaller(FakeBook("Book1.xlsx", [FakeSheet("Sheet1")]))
    assert BDT_SHARE("region", "Africa", 2022.0, caller=caller).startswith("no agreements")
    assert BDT_CONVERT(1.0, "EUR", datetime(2022, 1, 1), caller=caller).startswith(
        "no exchange rates")


def test_burst_cache_reads_again_after_a_pause_or_max_age():
    tick = Clock()
    cache = BurstCache(idle=0.25, max_age=5.0, clock=tick)
    reads = []

    def read():
        reads.append(tick.now)
        return len(reads)

    assert cache.get("book", read) == 1
    tick.now += 0.2
    assert cache.get("book", read) == 1            # same burst
    tick.now += 0.3
    assert cache.get("book", read) == 2            # pause > idle: read again
    assert cache.get("other book", read) == 3      # one entry per workbook
    for _ in range(30):                            # a never-ending burst: max_age bounds it
        tick.now += 0.2
        cache.get("book", read)
    assert len(reads) == 4


# =============================================================================================
# What Excel sees: docstrings, argument names, the generated VBA wrappers
# =============================================================================================
def test_docstrings_fit_the_function_wizard():
    for function in FUNCTIONS:
        doc = function.__doc__
        assert doc and len(doc) <= 255, function.__name__
        assert "=" + function.__name__ in doc


VBA_RESERVED = {"date", "currency", "string", "integer", "long", "double", "single", "boolean",
                "byte", "object", "variant", "type", "end", "next", "for", "to", "step", "if",
                "then", "else", "select", "case", "with", "set", "let", "get", "property",
                "sub", "function", "dim", "as", "new", "nothing", "me", "and", "or", "not",
                "mod", "is", "like", "true", "false", "empty", "null", "call", "do", "loop",
                "while", "until", "exit", "on", "error", "optional", "byval", "byref", "print",
                "open", "close", "input", "output", "stop", "const", "static", "private",
                "public", "global", "decimal", "enum", "event", "lib", "alias"}


def test_argument_names_are_valid_vba_identifiers():
    import inspect
    for function in FUNCTIONS:
        names = list(inspect.signature(function).parameters)
        assert names[-1] == "caller"
        for name in names:
            assert name.casefold() not in VBA_RESERVED, (function.__name__, name)


VBA_SCRIPT = textwrap.dedent("""
    import io, sys, types
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    client = types.ModuleType("win32com.client")
    client.Dispatch = None
    win32com = types.ModuleType("win32com")
    win32com.client = client
    sys.modules.update({"pythoncom": pythoncom, "pywintypes": types.ModuleType("pywintypes"),
                        "win32com": win32com, "win32com.client": client})
    import xlwings
    import xlwings.udfs as xu
    xlwings.func, xlwings.arg, xlwings.ret = xu.xlfunc, xu.xlarg, xu.xlret
    import bdt_xl.udfs as module
    for name in module.__all__:
        info = getattr(module, name).__xlfunc__
        assert info["volatile"] and info["category"] == "BDT partnerships", name
        assert info["call_in_wizard"] is False, name  # the wizard would run Python per key
        assert len(info["ret"]["doc"]) <= 255
        for arg in info["args"][:-1]:  # the last one is "caller", hidden from Excel
            assert len(arg["doc"]) <= 255 and not arg["doc"].startswith("Positional"), arg
    class Workbook:
        Name = "BDT_Partnerships.xlsm"
    out = io.StringIO()
    xu.generate_vba_wrapper("bdt_xl.udfs", module, out, Workbook())
    print(out.getvalue())
""")


def test_generated_vba_wrappers():
    """The VBA that xlwings' *Import Functions* writes (generated here with the Windows-only
    modules stubbed out, in a separate interpreter)."""
    done = subprocess.run([sys.executable, "-c", VBA_SCRIPT], cwd=ROOT, capture_output=True,
                          check=False, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # xlwings' internals must import: no skip
    vba = done.stdout
    assert "Function BDT_SHARE(dimension, value, year, Optional measure, Optional through, " \
           "Optional agreements, Optional rates)" in vba
    assert "Function BDT_CONVERT(amount, currency_code, on_date, Optional rates)" in vba
    assert "Function BDT_TOP_PARTNERS(year, Optional n, Optional agreements, Optional rates)" \
        in vba
    assert "Function BDT_YOY(measure, year, Optional through, Optional agreements, " \
           "Optional rates)" in vba
    assert vba.count("Application.Volatile") == 7
    assert vba.count('If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then '
                     'Exit Function') == 7
    assert "caller" not in vba.split("Array(")[0]
    assert vba.count(", Nothing), ThisWorkbook, Application.Caller)") == 7
