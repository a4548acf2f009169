"""Hypothesis strategies that generate whole input workbooks, and a reference model of them.

A strategy draws a ``BookSpec``: the Agreements table (header order, optional and extra
columns, rows of cells mixing valid values and junk: blanks, unicode text, huge and tiny
numbers, booleans, dates far in the past and future as dates, ISO text or Excel serials,
real Excel error cells, formulas without a cached value, merged cells over data), placed at
a random top-left cell of a sheet with a random (unicode) name, either as an Excel Table or
as a plain sheet named like the table; Rates, Settings and Lists tables present or not.

``write_book`` writes a spec with openpyxl (which can make error cells, merged cells,
formulas and tables anywhere). ``expect`` is a small reference model, written from the
contract (SPEC §1–2), of what the engine must do with the spec: which sheet rows are read,
which are accepted, the counts and funds of each year, or which whole-workbook error is due.
It deliberately shares no code with the engine's validation; only the list vocabulary (data)
is imported.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from hypothesis import strategies as st

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_ITEMS, LISTS_COLUMNS, lists_table_rows

# -- cells ---------------------------------------------------------------------------------------

VALUE, TEXT, ERROR, FORMULA = "value", "text", "error", "formula"
ERROR_CODES = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!")
MARK = "✗"  # a junk text carrying it can never be a label, a date, a number or a currency


@dataclass(frozen=True)
class Cell:
    """One cell to write: a plain value, a forced string, an error value or a formula."""
    value: object = None
    kind: str = VALUE

    def __repr__(self) -> str:  # short falsifying examples
        return f"{self.kind}:{self.value!r}" if self.kind != VALUE else repr(self.value)


BLANK_CELL = Cell(None)


def text(value: str) -> Cell:
    return Cell(value, TEXT)


# -- the workbook spec -------------------------------------------------------------------------------


@dataclass
class TableSpec:
    name: str                      # the Excel Table name (or the sheet name in plain mode)
    sheet: str
    top: int                       # 1-based row of the header
    left: int                      # 1-based column of the first column
    header: list[str]
    rows: list[list[Cell]]         # data rows, one Cell per header column
    as_table: bool = True          # False: plain sheet named like the table, no Excel Table
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # data-relative r0,c0,r1,c1

    def merged_rows(self) -> list[list[Cell]]:
        """The rows as they are in the saved file: merged cells keep only their top-left."""
        rows = [list(r) for r in self.rows]
        for r0, c0, r1, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0) and r < len(rows) and c < len(rows[r]):
                        rows[r][c] = BLANK_CELL
        return rows


@dataclass
class BookSpec:
    agreements: TableSpec | None
    rates: TableSpec | None = None
    settings: TableSpec | None = None
    lists: TableSpec | None = None
    junk: list[tuple[str, int, int, Cell]] = field(default_factory=list)  # sheet, row, col, cell
    extra_sheets: list[str] = field(default_factory=list)

    def tables(self) -> list[TableSpec]:
        return [t for t in (self.agreements, self.rates, self.settings, self.lists) if t]


# -- writing -----------------------------------------------------------------------------------------


def _put(ws, row: int, col: int, cell: Cell) -> None:
    target = ws.cell(row=row, column=col)
    if cell.kind == ERROR:
        target.value = cell.value
        target.data_type = "e"
    elif cell.kind == FORMULA:
        target.value = cell.value
        target.data_type = "f"
    elif cell.kind == TEXT:
        target.value = cell.value
        target.data_type = "s"  # even "=x" or "#N/A" typed as text stays text
    elif cell.value is not None:
        target.value = cell.value


def write_book(spec: BookSpec, path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    book = Workbook()
    sheets = {}

    def sheet(name: str):
        if name not in sheets:
            sheets[name] = book.create_sheet(title=name)
        return sheets[name]

    for name in spec.extra_sheets:
        sheet(name)
    for table in spec.tables():
        ws = sheet(table.sheet)
        for j, title in enumerate(table.header):
            _put(ws, table.top, table.left + j, text(title))
        for i, row in enumerate(table.rows, start=1):
            for j, cell in enumerate(row):
                _put(ws, table.top + i, table.left + j, cell)
        for r0, c0, r1, c1 in table.merges:
            ws.merge_cells(start_row=table.top + 1 + r0, start_column=table.left + c0,
                           end_row=table.top + 1 + r1, end_column=table.left + c1)
        if table.as_table:
            from openpyxl.utils import get_column_letter as letter
            last_row = table.top + max(len(table.rows), 1)
            ref = (f"{letter(table.left)}{table.top}:"
                   f"{letter(table.left + len(table.header) - 1)}{last_row}")
            ws.add_table(Table(displayName=table.name, ref=ref))
    for name, row, col, cell in spec.junk:
        _put(sheet(name), row, col, cell)
    book.remove(book.worksheets[0])
    if not book.worksheets:
        book.create_sheet("Empty")
    book.save(path)


# -- reference model ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
EPOCH = date(1899, 12, 30)
EARLIEST = date(1990, 1, 1)
LATEST = date(2200, 12, 31)      # later dates are impossible (a typing slip)
MAX_AMOUNT = 1e15               # larger amounts are typing slips
BUENOS_AIRES = ("Buenos Aires Action Plan", date(2018, 1, 1), date(2022, 12, 31))
KIGALI = ("Kigali Action Plan", date(2023, 1, 1), date.max)
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
    for name, start, end in (BUENOS_AIRES, KIGALI):
        if start <= day <= end:
            return name
    return ""


@dataclass
class Expected:
    workbook_error: bool = False
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
    for row in table.merged_rows():
        cells = {c: read_back(row[i]) for c, i in pos.items()}
        code, day = _currency(cells[s.CURRENCY]), _day(cells[s.EFFECTIVE_FROM])
        units = _amount(cells[s.UNITS_PER_USD])
        if code is BAD or code == "" or day is BAD or units is BAD or units <= 0 \
                or cells[s.UNITS_PER_USD] is NONE:
            continue
        book[code][day] = units
    return {code: sorted(points.items()) for code, points in book.items()}


def _rate(book, code: str, day: date) -> float | None:
    if code == "USD":
        return 1.0
    found = [units for start, units in book.get(code, []) if start <= day]
    return found[-1] if found else None


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
                continue
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


# -- strategies --------------------------------------------------------------------------------------

#: A sample of the characters that break things: XML specials, accents, case-folding traps,
#: right-to-left and combining marks, zero-width and unusual spaces, CJK, emoji.
ALPHABET = ("aZq09 -.,;&<>\"'%#@!=+()$€£¥éÉßẞİıﬀǅΣσςÅÅñÑçöØæœ"
            "日本語中文한국어مرحباשלוםабвгЖЩΩπ"
            "\u200b\u200e\u200f\u202e\u0301\u0308\u3000\u00a0\u2003\u2028\u00ad"
            "👍🏽🇨🇭\U0001f600")
_CHARS = st.sampled_from(ALPHABET)
_SPACE = st.sampled_from([" ", "  ", "\u00a0", "\u2003", "\u3000"])
unicode_text = st.text(_CHARS, min_size=1, max_size=10)
junk_text = unicode_text.map(lambda t: MARK + t)


_CASES = (str, str.upper, str.lower, str.title)
_INNER = (None, " ", "  ", "\u00a0", "\u2003", "\u3000")
_BEFORE = ("", " ", "\u00a0")
_AFTER = ("", "  ")


def respell(word: str, n: int) -> str:
    """The ``n``-th loosely typed form of ``word`` (0 = as is): case, spaces around and inside."""
    n, case = divmod(n, len(_CASES))
    n, inner = divmod(n, len(_INNER))
    n, before = divmod(n, len(_BEFORE))
    word = _CASES[case](word)
    if _INNER[inner]:
        word = word.replace(" ", _INNER[inner])
    return _BEFORE[before] + word + _AFTER[n % len(_AFTER)]


_SPELLINGS = len(_CASES) * len(_INNER) * len(_BEFORE) * len(_AFTER)
_spelling = st.integers(0, _SPELLINGS - 1)


def spaced(word: str):
    """A loosely typed form of ``word`` (one draw)."""
    return _spelling.map(lambda n: respell(word, n))


def spelled(words) -> st.SearchStrategy[str]:
    """One of ``words``, loosely typed (two draws)."""
    return st.tuples(st.sampled_from(words), _spelling).map(lambda t: respell(*t))


def _labels(kind: str, plan: str | None = None) -> list[str]:
    return [i.label for i in DEFAULT_ITEMS if i.kind == kind and (plan is None or i.plan == plan)]


def _words(kind: str) -> list[str]:
    return sorted({w for i in DEFAULT_ITEMS if i.kind == kind
                   for w in (i.label, i.label_fr, *i.aliases) if w})


@cache
def valid_label(kind: str, plan: str | None = None):
    return spelled(_labels(kind, plan) if plan else _words(kind)).map(text)


FLOATS = [1e308, -1e308, -0.0, 5e-324, 0.0, -1.0, 3.5, 42.0, 1e15, 1e16, 2958466.0, 1.0]
error_cell = st.sampled_from(ERROR_CODES).map(lambda c: Cell(c, ERROR))
formula_cell = st.sampled_from(["=1+1", "=A1", "=NA()", "=SUM(1,2)"]).map(
    lambda f: Cell(f, FORMULA))
blank_cell = st.sampled_from([BLANK_CELL, text(""), text("  "), text("\u00a0"), text("\t")])
junk_cell = st.one_of(
    blank_cell, error_cell, formula_cell,
    st.booleans().map(Cell),
    st.sampled_from(FLOATS).map(Cell),
    st.integers(-10**6, 10**6).map(Cell),
    junk_text.map(text),
    st.sampled_from(ERROR_CODES).map(lambda c: text(f" {c.lower()} ")),  # typed, not real
    st.sampled_from(["=not a formula", "#hashtag", "'quoted"]).map(text),
)


_TIMES = (time(0), time(9, 30), time(23, 59, 59))


def day_form(day: date, n: int) -> Cell:
    """``day`` as an Excel date, a date-time, ISO text or an Excel serial number."""
    if n == 0:
        return Cell(day)
    if n <= 3:
        return Cell(datetime.combine(day, _TIMES[n - 1]))
    if n <= 7:
        return text(("{}", " {} ", "{}T00:00:00", "{} 00:00")[n - 4].format(day.isoformat()))
    return Cell(float((day - EPOCH).days)) if day < date(9999, 12, 31) else Cell(day)


_day_forms = st.integers(0, 8)


def day_cell(day: date):
    return _day_forms.map(lambda n: day_form(day, n))


def day_cells(days):
    return st.tuples(days, _day_forms).map(lambda t: day_form(*t))


EXCEL_MIN = date(1900, 3, 1)   # real dates are written from here on (1900 leap-year bug)
signing_day = st.one_of(
    st.dates(date(2018, 1, 1), date(2024, 12, 31)),
    st.dates(date(2018, 1, 1), date(2200, 12, 31)),
    # (2262 is left out here: see test_fuzz.test_agreement_signed_in_2262_is_counted)
    st.sampled_from([date(2022, 12, 31), date(2023, 1, 1), date(2018, 1, 1), date(2200, 12, 31),
                     date(9999, 12, 31), date(2300, 1, 1)]),
)


@st.composite
def bad_day_cell(draw):
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(day_cells(st.dates(EXCEL_MIN, date(2017, 12, 31))))
    if choice == 1:  # too old for an Excel date: ISO text
        return text(draw(st.dates(date(1, 1, 1), date(1899, 12, 31))).isoformat())
    if choice == 2:
        return text(draw(st.sampled_from(["2022-02-30", "2022/05/01", "01/05/2022", "NaN",
                                          "2022-13-01", "inf", "9999-99-99"])))
    if choice == 3:
        return Cell(draw(st.sampled_from([0.0, -5.0, 2958466.0, 1e308, 5e-324, -0.0, 0.5])))
    return draw(junk_cell)


amount_value = st.one_of(
    st.just(BLANK_CELL), st.just(Cell(0)),
    st.integers(0, 10**9).map(Cell),
    st.floats(0, 1e12, allow_nan=False).map(Cell),
    st.sampled_from([1e308, 5e-324, -0.0, 1e15]).map(Cell),
    st.sampled_from(["1500", " 2 500 ", "1e3", "\u00a02500", "0", "-0", "1e308",
                     "0.5"]).map(text),
)
bad_amount = st.one_of(
    st.sampled_from([-1.0, -1e-300, -1e308]).map(Cell),
    st.sampled_from(["1,500", "NaN", "inf", "-5", "12 USD", "1e309", "$10"]).map(text),
    st.dates(EXCEL_MIN, date(2030, 1, 1)).map(Cell),
    junk_cell,
)
currency_value = st.one_of(
    spelled(["USD"]).map(text), spelled(["USD", "CHF", "EUR", "JPY"]).map(text),
    st.sampled_from(["GBP", "XYZ"]).map(text), blank_cell)
bad_currency = st.one_of(
    st.sampled_from(["US$", "EURO", "E", "12", "U S", "€"]).map(text),
    junk_cell)


_good_id = st.one_of(st.none(), unicode_text.map(text))
_bad_id = st.one_of(junk_cell, st.sampled_from([1.0, 2.0, 1e308]).map(Cell))
_good_partner = st.one_of(
    spelled(["ITU", "Ministry of ICT of Kenya", "Ünïcödé Telecom", "東京大学", "مؤسسة الاتصالات",
             "Nova   Networks  Ltd"]).map(text),
    unicode_text.map(text), st.integers(1, 99).map(Cell))
_bad_type = st.one_of(junk_cell, unicode_text.map(text))
_good_member = st.one_of(valid_label(s.MEMBERSHIP), blank_cell)
_bad_member = st.one_of(junk_text.map(text), error_cell)
_bad_region = st.one_of(junk_cell, unicode_text.map(text), st.just(text("Afrika")))
_bad_priority = st.one_of(valid_label(s.PRIORITY), junk_cell)
_bad_day = bad_day_cell()


@st.composite
def agreement_row(draw, ids: list[str]) -> dict[str, Cell]:
    """One row keyed by column; mostly valid, with junk in some cells."""
    junk = draw(st.sampled_from([0, 0, 0, 5, 20, 60]))  # percent of junk cells

    def pick(good, bad):
        return draw(bad) if junk and draw(st.integers(0, 99)) < junk else draw(good)

    day = draw(signing_day)
    plan = BUENOS_AIRES[0] if day <= BUENOS_AIRES[2] else KIGALI[0]
    if ids and draw(st.integers(0, 9)) == 0:  # a duplicate ID, typed loosely
        the_id = draw(spelled(ids))
    else:
        the_id = f"A-{len(ids) + 1}-{draw(st.integers(0, 999))}"
        ids.append(the_id)
    id_cell = pick(_good_id, _bad_id) or text(the_id)
    return {
        s.AGREEMENT_ID: id_cell,
        s.PARTNER: pick(_good_partner, junk_cell),
        s.PARTNER_TYPE: pick(valid_label(s.PARTNER_TYPE), _bad_type),
        s.MEMBERSHIP: pick(_good_member, _bad_member),
        s.REGION: pick(valid_label(s.REGION), _bad_region),
        s.PRIORITY: pick(valid_label(s.PRIORITY, plan), _bad_priority),
        s.SIGNED_ON: pick(day_cell(day), _bad_day),
        s.CURRENCY: pick(currency_value, bad_currency),
        s.PARTNER_AMOUNT: pick(amount_value, bad_amount),
        s.ITU_AMOUNT: pick(amount_value, bad_amount),
    }


sheet_name = st.one_of(
    st.sampled_from(["Data", "Agreements", "Données 2023", "Ñ&<>\"x", "Sheet 1", "日本語",
                     "R&D", "  spaced  ", "It's", "x" * 31]),
    st.text(st.sampled_from(ALPHABET.replace("'", "")), min_size=1, max_size=31),
)
_TABLE_NAMES = {key(n) for n in (s.AGREEMENTS, s.RATES, s.SETTINGS, s.LISTS)}
EXTRA_COLUMNS = ["Notes", "Comment ✎", "Montant (EUR)", "Σ", "Status", "Agreement id2"]


@st.composite
def agreements_table(draw, sheet: str, plain: bool) -> TableSpec:
    columns = list(s.AGREEMENT_COLUMNS)
    for optional in s.OPTIONAL_AGREEMENT_COLUMNS:
        if draw(st.integers(0, 7)) == 0:
            columns.remove(optional)
    if draw(st.integers(0, 24)) == 0:  # a required column missing: a whole-workbook error
        columns.remove(draw(st.sampled_from([c for c in columns
                                             if c not in s.OPTIONAL_AGREEMENT_COLUMNS])))
    extras = draw(st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True, max_size=3))
    decoys = draw(st.lists(st.sampled_from(s.AGREEMENT_COLUMNS), unique=True, max_size=2))
    # (title, column it holds or None for junk); a decoy is headed like a real column but
    # holds junk: the first of two columns with the same heading is the one used.
    order = draw(st.permutations([(c, c) for c in columns] + [(e, None) for e in extras] +
                                 [(f"{d.upper()} ", None) for d in decoys]))
    header = [draw(spaced(title)) if column and draw(st.booleans()) else title
              for title, column in order]
    ids: list[str] = []
    n = draw(st.integers(0, 10))
    rows = []
    for _ in range(n):
        if draw(st.integers(0, 12)) == 0:
            rows.append([draw(blank_cell) for _ in header])
            continue
        by_column = draw(agreement_row(ids))
        rows.append([by_column[column] if column else
                     draw(st.one_of(junk_cell, unicode_text.map(text)))
                     for _, column in order])
    merges = []
    if rows and draw(st.integers(0, 4)) == 0:
        taken = set()
        for _ in range(draw(st.integers(1, 3))):
            r0 = draw(st.integers(0, len(rows) - 1))
            c0 = draw(st.integers(0, len(header) - 1))
            r1 = draw(st.integers(r0, min(r0 + 2, len(rows) - 1)))
            c1 = draw(st.integers(c0, min(c0 + 2, len(header) - 1)))
            area = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
            if len(area) > 1 and not area & taken:
                taken |= area
                merges.append((r0, c0, r1, c1))
    top = draw(st.integers(1, 6))
    left = 1 if plain else draw(st.integers(1, 5))
    name = draw(st.sampled_from(["Agreements", "agreements", "AGREEMENTS"]))
    return TableSpec(name if not plain else sheet, sheet, top, left, header, rows,
                     as_table=not plain, merges=merges)


@st.composite
def rates_table(draw, sheet: str) -> TableSpec:
    columns = list(draw(st.permutations(list(s.RATE_COLUMNS))))
    header = [draw(spaced(h)) if draw(st.booleans()) else h for h in columns]
    if draw(st.integers(0, 30)) == 0:
        header[draw(st.integers(0, 2))] = "Rate"  # broken header: a whole-workbook error
    good = st.tuples(
        st.sampled_from(["CHF", "EUR", "JPY", "chf "]).map(text),
        st.one_of(st.dates(EXCEL_MIN, date(2030, 1, 1)), st.sampled_from(
            [date(1990, 1, 1), date(2018, 1, 1), date(2023, 1, 1)])).map(Cell),
        st.one_of(st.sampled_from([0.5, 0.9, 2.0, 115.0, 1e-300, 1e300]).map(Cell),
                  st.just(text("1.25"))))
    bad = st.tuples(
        st.one_of(junk_text.map(text), st.sampled_from(["CHF", "EURO"]).map(text)),
        st.one_of(bad_day_cell(), st.just(Cell(date(2019, 1, 1)))),
        st.one_of(st.sampled_from([-1.0, 0.0]).map(Cell), junk_cell))
    rows = draw(st.lists(st.one_of(good, good, bad), max_size=8))
    # each header cell holds the column it was drawn for (even when its heading is broken)
    cells = [[dict(zip(s.RATE_COLUMNS, row))[column] for column in columns] for row in rows]
    return TableSpec(draw(st.sampled_from(["Rates", "rates"])), sheet, draw(st.integers(1, 4)),
                     draw(st.integers(1, 4)), header, cells)


@st.composite
def settings_table(draw, sheet: str) -> TableSpec:
    value_for = {
        s.SETTING_REPORT_YEAR: st.one_of(
            st.integers(1985, 2205).map(lambda y: Cell(float(y))),
            st.sampled_from(["2022", "2023", "twenty"]).map(text),
            st.sampled_from([2022.5, 1e308, -0.0]).map(Cell), junk_cell),
        s.SETTING_THROUGH: st.one_of(day_cells(st.dates(EXCEL_MIN, date(2200, 12, 31))),
                                     junk_cell),
        s.SETTING_LANGUAGE: st.one_of(st.sampled_from(["en", "fr", "Français", "de"]).map(text),
                                      junk_cell),
        s.SETTING_TOP_N: st.one_of(st.integers(-2, 2000).map(Cell), junk_cell),
        "Colour": junk_cell,
    }
    names = draw(st.lists(st.sampled_from(list(value_for)), max_size=5))
    rows = [[text(draw(spaced(name))), draw(value_for[name])] for name in names]
    return TableSpec(draw(st.sampled_from(["Settings", "SETTINGS"])), sheet,
                     draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                     list(s.SETTINGS_COLUMNS), rows)


@st.composite
def lists_table(draw, sheet: str) -> TableSpec:
    rows = []
    for row in lists_table_rows():
        rows.append([Cell(v) if isinstance(v, date) else text(v or "") for v in row])
    for _ in range(draw(st.integers(0, 2))):  # rows of no known list: ignored, with a warning
        rows.insert(draw(st.integers(0, len(rows))),
                    [draw(junk_text.map(text)), draw(st.one_of(junk_cell, unicode_text.map(text))),
                     *[BLANK_CELL] * 5])
    return TableSpec("Lists", sheet, 1, 1, list(LISTS_COLUMNS), rows)


@st.composite
def books(draw) -> BookSpec:
    """A whole input workbook."""
    used: set[str] = set()

    def new_sheet() -> str:
        name = draw(sheet_name)  # no rejection loop: a taken or unusable name gets a number
        if not name.strip() or key(name) in used or key(name) in _TABLE_NAMES or \
                len(name) > 31:
            name = f"Sheet{len(used) + 2}"
        used.add(key(name))
        return name

    has = {name: draw(st.booleans()) for name in (s.RATES, s.SETTINGS, s.LISTS)}
    plain = draw(st.integers(0, 5)) == 0
    if draw(st.integers(0, 60)) == 0:
        agreements = None
    else:
        sheet = draw(st.sampled_from(["Agreements", "agreements", " AGREEMENTS"])) if plain \
            else new_sheet()
        used.add(key(sheet))
        agreements = draw(agreements_table(sheet, plain))
    spec = BookSpec(agreements)
    # Decoy sheets named like a table that does exist as an Excel Table: the table wins.
    if agreements is not None and agreements.as_table and draw(st.integers(0, 5)) == 0:
        used.add(key("Agreements"))
        spec.extra_sheets.append("Agreements")
        spec.junk.append(("Agreements", 1, 1, draw(junk_text.map(text))))
    if has[s.RATES]:
        spec.rates = draw(rates_table(new_sheet()))
    if has[s.SETTINGS]:
        spec.settings = draw(settings_table(new_sheet()))
    if has[s.LISTS]:
        spec.lists = draw(lists_table(new_sheet()))
    spec.extra_sheets += [new_sheet() for _ in range(draw(st.integers(0, 2)))]
    # Junk cells around an Agreements Excel Table, outside it.
    if agreements is not None and agreements.as_table:
        t = agreements
        below = t.top + max(len(t.rows), 1) + 1
        right = t.left + len(t.header)
        for _ in range(draw(st.integers(0, 3))):
            where = draw(st.sampled_from(
                [(below, t.left), (below + 1, right), (t.top, right), (t.top + 1, right + 1)] +
                ([(t.top - 1, t.left)] if t.top > 1 else [])))
            spec.junk.append((t.sheet, *where, draw(st.one_of(junk_cell,
                                                               unicode_text.map(text)))))
    return spec
