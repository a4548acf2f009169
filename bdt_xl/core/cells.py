"""Cell rules: what one cell of an input table may hold, and the sentence when it does not.

Rules that need several rows or other tables (duplicate IDs, action plan on the signing date,
rate in force) live in ``validation``. The worksheet functions use these same rules for their
arguments. Messages are written for the person who typed the cell, not for a programmer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated

import numpy as np
from pydantic import BeforeValidator, TypeAdapter
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from bdt_xl import schema as s
from bdt_xl.core.lists import (
    DEFAULT_LISTS,
    MEMBERSHIP,
    NON_MEMBER,
    PARTNER_TYPE,
    PRIORITY,
    REGION,
    ReferenceLists,
    tidy,
)
from bdt_xl.core.table import excel_error, is_blank

EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2200, 12, 31)
#: Larger amounts are typing slips in any currency (and would overflow the totals).
MAX_AMOUNT = 1e15


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _reject_error_value(value: object) -> None:
    error = excel_error(value)
    if error:
        raise _fail("excel_error", f"the cell shows the Excel error {error}; fix the "
                                   "formula or type the value")


def text_cell(value: object) -> str:
    """Required text: trimmed, inner spaces collapsed; numbers are accepted as text."""
    if isinstance(value, str):  # the common case, kept fast
        text = " ".join(value.split())
        if not text:
            raise _fail("required", "this cell is empty; it is required")
        if text[0] == "#":
            _reject_error_value(text)
        return text
    _reject_error_value(value)
    if is_blank(value):
        raise _fail("required", "this cell is empty; it is required")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return tidy(value)


def unchanged_texts(values: Sequence[object]) -> np.ndarray:
    """Which of ``values`` the ``Text`` rule returns as they are, so that validation need not
    ask pydantic (50,000 distinct IDs take 70 ms through the adapter): a str, not a subclass,
    that ``text_cell`` keeps (trimmed, words one space apart, no other whitespace) and that
    cannot be an Excel error (no leading "#"); pydantic returns such a str unchanged. Every
    other value is left to the adapter; tests/property/test_cell_shortcuts.py checks both
    agree. One scan in C over all the values joined when they all qualify."""
    n = len(values)
    if n and set(map(type, values)) == {str}:
        # each value lies between two "\x00" (no whitespace) or an end of the joined text
        joined = "\x00".join(values)
        if (" ".join(joined.split()) == joined and joined[:1] not in ("", "#", "\x00")
                and joined[-1] != "\x00" and "\x00\x00" not in joined
                and (" " not in joined or ("\x00 " not in joined and " \x00" not in joined))
                and ("#" not in joined or "\x00#" not in joined)):
            return np.ones(n, dtype=bool)
    return np.fromiter(map(_unchanged_text, values), dtype=bool, count=n)


def _unchanged_text(value: object) -> bool:
    return type(value) is str and value[:1] not in ("", "#") and " ".join(value.split()) == value


def optional_text_cell(value: object) -> str:
    _reject_error_value(value)
    return "" if is_blank(value) else tidy(value)


@lru_cache(maxsize=4096)
def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[10:].strip(" T0:") == "" \
            else date.fromisoformat(text)
    except ValueError:
        raise _fail("date", f"“{text}” is not a date; type it as YYYY-MM-DD or use an Excel "
                            "date") from None


def date_cell(value: object) -> date:
    """An Excel date (date, datetime, or serial number) or ISO text ``YYYY-MM-DD``."""
    _reject_error_value(value)
    if isinstance(value, float) and math.isnan(value):
        raise _fail("date", "this cell holds no number (NaN), not a date")
    if is_blank(value):
        raise _fail("required", "the date is missing; it is required")
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, bool):
        raise _fail("date", "this is TRUE/FALSE, not a date")
    elif isinstance(value, (int, float)):
        if not math.isfinite(value) or not 1 <= value < 2958466:
            raise _fail("date", f"{value} is not a valid Excel date")
        day = EXCEL_EPOCH + timedelta(days=int(value))
    elif isinstance(value, str):
        day = _iso_date(value.strip())
    else:
        raise _fail("date", f"{plain_words(value)} where a date is expected")
    if day < EARLIEST_DATE:
        raise _fail("date", f"{day.isoformat()} is before {EARLIEST_DATE.year}; check the "
                            "date (an empty or zero date shows as 1900 in Excel)")
    if day > LATEST_DATE:
        raise _fail("date", f"{day.isoformat()} is after {LATEST_DATE.year}; check the date")
    return day


def unchanged_days(values: Sequence[object]) -> np.ndarray:
    """Which of ``values`` the ``Day`` rule returns as they are (pydantic need not be asked):
    a ``date``, not a date-time or a subclass, from ``EARLIEST_DATE`` to ``LATEST_DATE``."""
    return np.fromiter((type(v) is date and EARLIEST_DATE <= v <= LATEST_DATE for v in values),
                       dtype=bool, count=len(values))


def plain_words(value: object) -> str:
    """A cell value as a person reads it: "a date (5 Jan 2022)", never ``datetime.date(…)``."""
    if isinstance(value, datetime):
        clock = "" if value.time() == datetime.min.time() else f" {value:%H:%M}"
        return f"a date ({value.day} {value:%b %Y}{clock})"
    if isinstance(value, date):
        return f"a date ({value.day} {value:%b %Y})"
    if isinstance(value, time):
        return f"a time ({value:%H:%M})"
    if isinstance(value, timedelta):
        return "a time or duration"
    if isinstance(value, bool):
        return "TRUE/FALSE"
    return f"“{value}”"


def amount_cell(value: object) -> float:
    """A number ≥ 0; blank means 0; numeric text ("1500") is accepted."""
    _reject_error_value(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail("amount", "this cell holds no finite number (NaN or infinity); type the "
                              "amount")
    if is_blank(value):
        return 0.0
    if isinstance(value, bool):
        raise _fail("amount", "this is TRUE/FALSE, not an amount")
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        try:
            value = float(text)
        except ValueError:
            raise _fail("amount", f"“{value.strip()}” is not a number; type digits only, "
                                  "without currency signs or thousands separators") from None
    if not isinstance(value, (int, float)):
        raise _fail("amount", f"{plain_words(value)} where an amount is expected; type a "
                              "number")
    if not math.isfinite(value):
        raise _fail("amount", "this cell holds no finite number (NaN or infinity); type the "
                              "amount")
    if value < 0:
        raise _fail("amount", f"{value:,.2f} is negative; amounts must be 0 or more")
    if value > MAX_AMOUNT:
        raise _fail("amount", f"{value:,.0f} is too large to be an amount; check the number")
    return float(value)


def unchanged_amounts(values: Sequence[object]) -> np.ndarray:
    """Which of ``values`` the ``Amount`` rule returns as they are (pydantic need not be
    asked): a ``float``, not a subclass, from 0 to ``MAX_AMOUNT`` (-0.0 included, NaN not)."""
    return np.fromiter((type(v) is float and 0 <= v <= MAX_AMOUNT for v in values),
                       dtype=bool, count=len(values))


def currency_cell(value: object) -> str:
    _reject_error_value(value)
    if is_blank(value):
        return ""
    code = str(value).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise _fail("currency", f"“{str(value).strip()}” is not a 3-letter ISO 4217 currency "
                                "code such as USD, CHF or EUR")
    return code


def positive_cell(value: object) -> float:
    """A rate: a finite number > 0 (units of the currency per 1 USD)."""
    try:
        number = amount_cell(value)
    except PydanticCustomError as exc:
        if exc.type != "amount":
            raise
        raise _fail("rate", f"{plain_words(value)} is not a usable rate; the rate must be a "
                            "number greater than 0") from None
    if is_blank(value) or number <= 0:
        raise _fail("rate", "the rate must be a number greater than 0")
    return number


Text = Annotated[str, BeforeValidator(text_cell)]
OptionalText = Annotated[str, BeforeValidator(optional_text_cell)]
Day = Annotated[date, BeforeValidator(date_cell)]
Amount = Annotated[float, BeforeValidator(amount_cell)]
Currency = Annotated[str, BeforeValidator(currency_cell)]
Rate = Annotated[float, BeforeValidator(positive_cell)]


def label_rule(lists: ReferenceLists, kind: str,
               required: bool = True) -> Callable[[object], str]:
    """The rule of a label cell of list ``kind``: its canonical label, or a sentence (the
    worksheet functions check their ``value`` argument with it too)."""
    noun = {PARTNER_TYPE: "partner type", MEMBERSHIP: "ITU membership category",
            REGION: "region", PRIORITY: "priority"}[kind]

    def check(value: object) -> str:
        _reject_error_value(value)
        if is_blank(value):
            if required:
                raise _fail("required", f"the {noun} is missing; choose one from the list")
            return NON_MEMBER
        label = lists.match(kind, value)
        if label is None:
            hint = lists.suggest(kind, value)
            text = tidy(value)
            raise _fail("unknown_label", f"unknown {noun} “{text}”" + (
                f" – did you mean “{hint}”?" if hint else
                f"; choose one of: {', '.join(lists.labels(kind))}"))
        return label

    return check


def _label(lists: ReferenceLists, kind: str, required: bool = True):
    return Annotated[str, BeforeValidator(label_rule(lists, kind, required))]


@lru_cache(maxsize=8)
def agreement_cell_adapters(lists: ReferenceLists = DEFAULT_LISTS) -> dict[str, TypeAdapter]:
    """The cell rule of each Agreements column, as a pydantic adapter of a list of cells.

    Validation runs column by column over the distinct values of each column, so a label
    repeated on 50,000 rows is checked once.
    """
    types = {
        s.AGREEMENT_ID: Text,
        s.PARTNER: Text,
        s.PARTNER_TYPE: _label(lists, PARTNER_TYPE),
        s.MEMBERSHIP: _label(lists, MEMBERSHIP, required=False),
        s.REGION: _label(lists, REGION),
        s.PRIORITY: _label(lists, PRIORITY),
        s.SIGNED_ON: Day,
        s.CURRENCY: Currency,
        s.PARTNER_AMOUNT: Amount,
        s.ITU_AMOUNT: Amount,
    }
    return {column: TypeAdapter(list[kind]) for column, kind in types.items()}


#: Columns whose rule has a shortcut: a function of an array of cells that says which of
#: them the rule returns unchanged (validation asks pydantic about the others only).
UNCHANGED_BY_RULE: dict[str, Callable[[Sequence[object]], np.ndarray]] = {
    s.AGREEMENT_ID: unchanged_texts, s.PARTNER: unchanged_texts, s.SIGNED_ON: unchanged_days,
    s.PARTNER_AMOUNT: unchanged_amounts, s.ITU_AMOUNT: unchanged_amounts}


RateRow = TypedDict("RateRow", {s.CURRENCY: Currency, s.EFFECTIVE_FROM: Day,
                                s.UNITS_PER_USD: Rate})
RATE_ADAPTER = TypeAdapter(RateRow)
