"""A small reference model, written from the contract (SPEC §1–2), of what the engine must
do with a fuzzed workbook spec: which sheet rows are read, which are accepted, the counts and
funds of each year, or which whole-workbook error is due. It deliberately shares no code with
the engine's validation; only the list vocabulary (data) is imported."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from fuzz_books import ERROR, ERROR_CODES, FORMULA, TEXT, VALUE, BookSpec, Cell

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_ITEMS

# -- reference model ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
EPOCH = date(1899, 12, 30)
EARLIEST = date(1990, 1, 1)
LATEST = date(2200, 12, 31)      # later dates are impossible (a typing slip)
MAX_AMOUNT = 1e15               # larger amounts are typing slips
BUENOS_AIRES = ("Buenos Aires Action Plan", date(2018, 1, 1), date(2022, 12, 31))
KIGALI = ("Kigali Action Plan", date(2023, 1, 1), date(2025, 12, 31))
#: SPEC §1: the Baku Action Plan is in force 2026–2029 but has no built-in priorities, so
#: every agreement signed then is an error until the Lists table adds them.
BAKU = ("Baku Action Plan", date(2026, 1, 1), date(2029, 12, 31))
BAD = object()   # a cell the engine must reject
NONE = object()  # a blank cell


def key(value: object) -> str:
    return _SPACES.sub(" ", str(value)).strip().casefold()


def _vocabulary() -> dict[str, dict[str, str]]:
    vocab: dict[str, dict[str, str]] = defaultdict(dict)
    for item in DEFAULT_ITEMS:
        for word in (item.label, item.label_fr, *item.aliases):
            if word:
                vocab[item.kind].setdefault(key(word), item.label)
    return vocab


VOCAB = _vocabulary()
PLAN_OF = {item.label: item.plan for item in DEFAULT_ITEMS if item.kind == s.PRIORITY}


def read_back(cell: Cell) -> object:
    """What a reader of the saved file sees: NONE, BAD (error value), str, float, bool, date."""
    if cell.kind == FORMULA or cell.value is None:
        return NONE  # a formula never calculated has no value
    if cell.kind == ERROR:
        return BAD
    value = cell.value
    if isinstance(value, str):
        if not value.strip():
            return NONE
        if value.strip().upper() in ERROR_CODES:
            return BAD  # the text of an error value is an error for the user too
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    return value


def _text(v: object) -> object:
    if v is NONE or v is BAD:
        return BAD
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return _SPACES.sub(" ", str(v)).strip()


def _label(kind: str, v: object, required: bool = True) -> object:
    if v is NONE:
        return BAD if required else "Non-member"
    if v is BAD or not isinstance(v, str):
        return BAD  # numbers, booleans and dates are never labels
    return VOCAB[kind].get(key(v), BAD)


def _day(v: object) -> object:
    if v is NONE or v is BAD or isinstance(v, bool):
        return BAD
    if isinstance(v, datetime):
        day = v.date()
    elif isinstance(v, date):
        day = v
    elif isinstance(v, float):
        if not math.isfinite(v) or not 1 <= v < 2958466:
            return BAD
        day = EPOCH + timedelta(days=int(v))
    else:
        t = v.strip()
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(T00:00:00| 00:00)?", t)
        if not m:
            return BAD
        try:
            day = date.fromisoformat(m.group(1))
        except ValueError:
            return BAD
    return day if EARLIEST <= day <= LATEST else BAD


def _amount(v: object) -> object:
    if v is NONE:
        return 0.0
    if v is BAD or isinstance(v, (bool, date)):
        return BAD
    if isinstance(v, str):
        try:
            v = float(v.strip().replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            return BAD
    return v if math.isfinite(v) and 0 <= v <= MAX_AMOUNT else BAD


def _currency(v: object) -> object:
    if v is NONE:
        return ""
    if v is BAD:
        return BAD
    code = str(v).strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else BAD


def _plan_on(day: date) -> str:
    for name, start, end in (BUENOS_AIRES, KIGALI, BAKU):
        if start <= day <= end:
            return name
    return ""


@dataclass
class Expected:
    workbook_error: bool = False
    #: No Rates table while an otherwise valid row needs a rate: the CLI says so once (exit 2).
    unpriced: bool = False
    read_rows: list[int] = field(default_factory=list)          # sheet rows read
    accepted: dict[int, tuple[int, float, float]] = field(default_factory=dict)  # row -> year, partner USD, ITU USD
    partners: dict[int, str] = field(default_factory=dict)      # row -> partner key
    years: set[int] = field(default_factory=set)                # the calendar years of the report
    sheet: str = ""


def _positions(header: list[str], wanted) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, title in enumerate(header):
        for column in wanted:
            if key(title) == key(column) and column not in found:
                found[column] = i
    return found


def _rate_book(spec: BookSpec) -> dict[str, list[tuple[date, float]]]:
    book: dict[str, dict[date, float]] = defaultdict(dict)
    table = spec.rates
    if table is None:
        return {}
    pos = _positions(table.header, s.RATE_COLUMNS)
    holes = []
    for row in table.merged_rows():
        cells = {c: read_back(row[i]) for c, i in pos.items()}
        code, day = _currency(cells[s.CURRENCY]), _day(cells[s.EFFECTIVE_FROM])
        units = _amount(cells[s.UNITS_PER_USD])
        if code is BAD or code == "" or day is BAD:
            continue
        if units is BAD or units <= 0 or cells[s.UNITS_PER_USD] is NONE:
            if code != "USD":
                holes.append((code, day))  # an unusable rate: no rate from that day on
            continue
        book[code][day] = units
    for code, day in holes:
        book[code][day] = None
    return {code: sorted(points.items()) for code, points in book.items()}


def _rate(book, code: str, day: date) -> float | None:
    if code == "USD":
        return 1.0
    found = [units for start, units in book.get(code, []) if start <= day]
    return found[-1] if found else None  # None also where the rate in force is unusable


def _setting(spec: BookSpec, name: str) -> object:
    """The value of a setting as read (the last row giving it wins), NONE if not given."""
    table = spec.settings
    value = NONE
    if table is None:
        return value
    pos = _positions(table.header, s.SETTINGS_COLUMNS)
    for row in table.merged_rows():
        setting, raw = row[pos[s.SETTING]], row[pos[s.VALUE]]
        given = raw.kind == ERROR or (raw.kind in (VALUE, TEXT) and raw.value not in (None, ""))
        if isinstance(setting.value, str) and setting.kind == TEXT and given and \
                key(setting.value) == key(name):
            value = read_back(raw)
    return value


def _report_year(spec: BookSpec) -> int | None:
    """The report year the settings name: Report year if valid, else the year of Through."""
    value = _setting(spec, s.SETTING_REPORT_YEAR)
    year = None
    if isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+", value):
        year = int(value)
    if year is not None and 1990 <= year <= 2200:
        return year
    through = _day(_setting(spec, s.SETTING_THROUGH))
    return None if through is BAD else through.year


def expect(spec: BookSpec) -> Expected:
    """What the engine must make of ``spec`` (see the module docstring)."""
    out = Expected()
    table = spec.agreements
    if table is None:
        out.workbook_error = True
        return out
    out.sheet = table.sheet
    required = [c for c in s.AGREEMENT_COLUMNS if c not in s.OPTIONAL_AGREEMENT_COLUMNS]
    pos = _positions(table.header, s.AGREEMENT_COLUMNS)
    if any(c not in pos for c in required):
        out.workbook_error = True
    # money columns: amounts need a Currency column, a Currency column needs Partner amount
    if s.CURRENCY not in pos and (s.PARTNER_AMOUNT in pos or s.ITU_AMOUNT in pos):
        out.workbook_error = True
    if s.PARTNER_AMOUNT not in pos and s.CURRENCY in pos:
        out.workbook_error = True
    if spec.rates is not None and any(c not in _positions(spec.rates.header, s.RATE_COLUMNS)
                                      for c in s.RATE_COLUMNS):
        out.workbook_error = True
    if out.workbook_error:
        return out
    rates = _rate_book(spec)
    ids: set[str] = set()
    for i, row in enumerate(table.merged_rows()):
        sheet_row = table.top + 1 + i
        raw = [read_back(c) for c in row]
        # A formula never calculated in a column the engine reads is an error on its row
        # (issue 8, B2); anywhere else it is nothing, and a row of nothing else is blank.
        uncalculated = any(j < len(row) and row[j].kind == FORMULA for j in pos.values())
        if all(v is NONE for v in raw) and not uncalculated:
            continue  # a blank row is not an agreement
        out.read_rows.append(sheet_row)
        v = {c: raw[pos[c]] if c in pos else NONE for c in s.AGREEMENT_COLUMNS}
        ok = {
            s.AGREEMENT_ID: _text(v[s.AGREEMENT_ID]),
            s.PARTNER: _text(v[s.PARTNER]),
            s.PARTNER_TYPE: _label(s.PARTNER_TYPE, v[s.PARTNER_TYPE]),
            s.MEMBERSHIP: _label(s.MEMBERSHIP, v[s.MEMBERSHIP], required=False),
            s.REGION: _label(s.REGION, v[s.REGION]),
            s.PRIORITY: _label(s.PRIORITY, v[s.PRIORITY]),
            s.SIGNED_ON: _day(v[s.SIGNED_ON]),
            s.CURRENCY: _currency(v[s.CURRENCY]),
            s.PARTNER_AMOUNT: _amount(v[s.PARTNER_AMOUNT]),
            s.ITU_AMOUNT: _amount(v[s.ITU_AMOUNT]),
        }
        # Every use of a (valid) ID after its first is an error, whatever the first row holds.
        the_id = "" if ok[s.AGREEMENT_ID] is BAD else key(ok[s.AGREEMENT_ID])
        duplicate = the_id in ids
        if the_id:
            ids.add(the_id)
        if duplicate or uncalculated or any(x is BAD for x in ok.values()):
            continue
        day = ok[s.SIGNED_ON]
        if PLAN_OF[ok[s.PRIORITY]] != _plan_on(day):
            continue
        partner, itu, code = ok[s.PARTNER_AMOUNT], ok[s.ITU_AMOUNT], ok[s.CURRENCY]
        if partner > 0 or itu > 0:
            if code == "":
                continue
            units = _rate(rates, code, day)
            if units is None:
                out.unpriced = out.unpriced or spec.rates is None
                continue
            usd = partner / units + itu / units
            if not math.isfinite(usd) or usd > MAX_AMOUNT:
                continue  # an overflowing USD amount (an absurdly small rate) is an error
        else:
            units = 1.0
        out.accepted[sheet_row] = (day.year, partner / units, itu / units)
        out.partners[sheet_row] = key(ok[s.PARTNER])
    out.years = {year for year, _, _ in out.accepted.values()}
    year = _report_year(spec)
    if year is None and out.years:
        year = max(out.years)
    if year is not None:
        out.years.add(year)
    return out


