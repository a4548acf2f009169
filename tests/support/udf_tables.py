"""Tables for the worksheet-function tests, as xlwings passes them (a range is a list of rows,
header first, dates as ``datetime``, numbers as ``float``), and a stand-in for the part of the
xlwings object model the functions read (book, sheets, tables, ranges)."""

from __future__ import annotations

from datetime import date, datetime

from bdt_xl import schema as s


def xl(value):
    """A cell as xlwings reads it: dates become datetime, whole numbers float."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def as_range(header, rows):
    return [list(header)] + [[xl(cell) for cell in row] for row in rows]



def fresh_copy(values):
    """What xlwings hands over for an explicit range on each call: new rows, new cells."""
    def new(cell):
        if isinstance(cell, str):
            return (cell + ".")[:-1]
        if isinstance(cell, datetime):
            return datetime(cell.year, cell.month, cell.day)
        if isinstance(cell, float):
            return float(repr(cell))
        return cell
    return [[new(cell) for cell in row] for row in values]


# -- a tiny table whose answers are computed by hand ---------------------------------------------
GOV, PRIVATE, ACADEMIC, FOUNDATIONS, OTHER = (
    "Governmental entities", "Private sector entities", "Academic institutions", "Foundations",
    "Other")
TINY_ROWS = [
    # ID, Partner, type, membership, region, priority, signed, currency, partner, ITU
    ("A1", "Acme", GOV, "ADMIN", "Africa", "Cybersecurity", date(2022, 2, 1), "USD", 1200, 0),
    # same partner typed differently: counted once, under its first row's type (Governmental)
    ("A2", "  ACME ", PRIVATE, "ROA", "Europe", "Cybersecurity", date(2022, 3, 15), "eur", 900,
     90),
    ("A3", "Beta", PRIVATE, "ROA", "Africa", "Digital inclusion", date(2022, 8, 1), "EUR", 1900,
     None),
    ("A4", "Gamma", FOUNDATIONS, None, "Americas", "Statistics", date(2022, 5, 10), None, None,
     None),
    ("A5", "Delta", ACADEMIC, "UNIVERS/RSRCH", "  africa ", "Environment", "2022-11-30", "CHF",
     800, 0),
    ("A6", "Epsilon", OTHER, None, "Afrika", "Statistics", date(2022, 6, 1), "USD", 5000, 0),
    ("B1", "Acme", GOV, "ADMIN", "Africa", "Cybersecurity", date(2021, 3, 1), "USD", 500, 0),
    ("B2", "Zeta", OTHER, None, "Europe", "Statistics", date(2021, 9, 1), "USD", 0, 200),
]
TINY_RATES = [
    ("EUR", date(2022, 1, 1), 0.9),
    ("EUR", date(2022, 7, 1), 0.95),
    ("CHF", date(2022, 1, 1), 0.8),
]
# USD: A1 1,200 | A2 1,000 + ITU 100 | A3 2,000 | A4 0 | A5 1,000 | A6 excluded (bad region)
FUNDS_2022 = 1200 + 1100 + 2000 + 0 + 1000




def tiny_tables() -> dict[str, list[list]]:
    return {"agreements": as_range(s.AGREEMENT_COLUMNS, TINY_ROWS),
            "rates": as_range(s.RATE_COLUMNS, TINY_RATES)}


# -- the calling workbook, as much of it as the functions read ----------------------------------
class FakeRange:
    def __init__(self, values, row=1):
        self.values = values
        self.reads = 0
        self.row = row

    def options(self, **options):
        assert options == {"ndim": 2, "err_to_str": True}
        return self

    @property
    def value(self):
        self.reads += 1
        return [list(row) for row in self.values]


class FakeTable:
    def __init__(self, name, values):
        self.name, self.range = name, FakeRange(values)


class FakeSheet:
    def __init__(self, name, tables=(), used=None):
        self.name, self.tables, self.book = name, list(tables), None
        self.used_range = FakeRange(used or [[None]])


class FakeBook:
    def __init__(self, fullname, sheets):
        self.fullname, self.sheets = fullname, sheets
        for sheet in sheets:
            sheet.book = self


class FakeCaller:
    def __init__(self, book):
        self.sheet = book.sheets[-1]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

