"""The worksheet functions' arguments: what a user may type, and the sentence when it is wrong.

Keywords (dimension, measure) are matched loosely (case, spaces, hyphens ignored; plurals
accepted). Labels, dates and amounts follow the input's own cell rules (``core.cells``), so a
label accepted in the Agreements table is accepted in a formula, with the same message when
it is not.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Sequence
from datetime import date, datetime

from pydantic_core import PydanticCustomError

from bdt_xl import schema as s
from bdt_xl.core.cells import amount_cell, currency_cell, date_cell, label_rule
from bdt_xl.core.lists import (
    MEMBERSHIP,
    PARTNER_TYPE,
    PRIORITY,
    REGION,
    ReferenceLists,
    normalize,
    tidy,
)
from bdt_xl.core.table import excel_error, is_blank
from bdt_xl.errors import FunctionArgumentError

ALL = "all"
AGREEMENTS_MEASURE, FUNDS_MEASURE, PARTNERS_MEASURE = "agreements", "funds", "partners"


@functools.lru_cache(maxsize=4096)  # a sheet repeats the same few keywords in every formula
def squash(text: object) -> str:
    """Matching key of a keyword argument: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def reject_error(value: object, what: str) -> None:
    error = excel_error(value)
    if error:
        raise FunctionArgumentError(f"the {what} is the Excel error {error}; fix the cell it "
                                    "comes from")


def single(value: object, what: str) -> object:
    """A one-cell range may arrive as [[x]] or [x]; more cells is a mistake."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise FunctionArgumentError(f"the {what} must be a single value, not a range of "
                                        "cells")
        value = value[0]
    return value


def _told(what: str, exc: PydanticCustomError) -> FunctionArgumentError:
    return FunctionArgumentError(f"the {what}: {exc.message()}")


def unknown(noun: str, text: object, choices: Sequence[str], keys: dict[str, str]) -> str:
    close = difflib.get_close_matches(normalize(text), list(keys), n=1, cutoff=0.6)
    hint = f" – did you mean “{keys[close[0]]}”?" if close else \
        f"; use one of: {', '.join(choices)}"
    return f"unknown {noun} “{tidy(text)}”{hint}"


# -- dimension and label -------------------------------------------------------------------------
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


def parse_dimension(dimension: object) -> str:
    """``partner type`` | ``membership`` | ``region`` | ``priority`` | ``all`` (or blank)."""
    dimension = single(dimension, "dimension")
    reject_error(dimension, "dimension")
    if is_blank(dimension):
        return ALL
    found = _DIMENSIONS.get(squash(dimension))
    if found is None:
        raise FunctionArgumentError(unknown("dimension", dimension, _DIMENSION_NAMES, {
            name: name for name in _DIMENSION_NAMES}))
    return found


def parse_label(lists: ReferenceLists, kind: str, value: object) -> str | None:
    """The canonical label of ``value`` in the list ``kind`` (None for dimension ``all``),
    by the Agreements table's own rule for that column."""
    value = single(value, "value")
    if kind == ALL:
        if not is_blank(value) and squash(value) not in ("all", "total", "*"):
            raise FunctionArgumentError(
                f"with the dimension “all” leave the value empty (it was “{tidy(value)}”); or "
                "give a dimension such as “region”")
        return None
    try:
        return label_rule(lists, kind)(value)
    except PydanticCustomError as exc:
        raise FunctionArgumentError(exc.message()) from None


# -- numbers, years and dates --------------------------------------------------------------------
def whole_number(value: object, what: str, low: int, high: int) -> int:
    value = single(value, what)
    reject_error(value, what)
    if isinstance(value, bool):
        raise FunctionArgumentError(f"the {what} must be a whole number, not TRUE/FALSE")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise FunctionArgumentError(
                f"the {what} must be a whole number, not “{tidy(value)}”") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or \
            float(value) != int(value):
        raise FunctionArgumentError(f"the {what} must be a whole number, not {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise FunctionArgumentError(f"the {what} must be between {low} and {high}, not {number}")
    return number


def given_year(year: object) -> int | None:
    """A calendar year, or None when left blank (the report year then applies)."""
    if type(year) is float and year.is_integer() and 1990 <= year <= 2200:
        return int(year)  # what Excel passes for 2022: the common case, kept fast
    year = single(year, "year")
    if is_blank(year):
        return None
    if isinstance(year, (date, datetime)):
        return year.year
    return whole_number(year, "year", 1990, 2200)


def parse_date(value: object, what: str) -> date:
    value = single(value, what)
    if is_blank(value):
        raise FunctionArgumentError(f"the {what} is missing")
    try:
        return date_cell(value)
    except PydanticCustomError as exc:
        raise _told(what, exc) from None


def given_through(value: object) -> date | None:
    """An optional cut-off date (None when left blank)."""
    value = single(value, "cut-off date")
    return None if is_blank(value) else parse_date(value, "cut-off date")


def check_through(through: date | None, year: int) -> None:
    """A cut-off date makes the window 1 January … through *of that year*: another year's
    date is a mistake worth a sentence, not a silent fallback."""
    if through is not None and through.year != year:
        raise FunctionArgumentError(
            f"the cut-off date {through.isoformat()} is not in {year}; give a date in {year} "
            "(the period is 1 January … that date) or leave it empty")


def parse_amount(value: object) -> float:
    """An amount by the Agreements table's rule (blank = 0), a minus sign allowed."""
    value = single(value, "amount")
    negative = False
    if isinstance(value, str) and value.strip().startswith("-"):
        negative, value = True, value.strip()[1:]
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        negative, value = True, -value
    try:
        money = amount_cell(value)
    except PydanticCustomError as exc:
        raise _told("amount", exc) from None
    return -money if negative else money


def parse_currency(value: object) -> str:
    value = single(value, "currency")
    if is_blank(value):
        raise FunctionArgumentError("the currency is missing; give its ISO code, e.g. CHF")
    try:
        return currency_cell(value)
    except PydanticCustomError as exc:
        raise _told("currency", exc) from None


# -- measures ------------------------------------------------------------------------------------
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
    measure = single(measure, "measure")
    reject_error(measure, "measure")
    found = _MEASURES.get("" if is_blank(measure) else squash(measure))
    if found is None:
        raise FunctionArgumentError(unknown("measure", measure, ("agreements", "funds", "partners"),
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
_YOY_KEYS = {squash(alias): column for column, aliases in _YOY_MEASURES.items()
             for alias in (*aliases, column)}
_YOY_NAMES = ("agreements", "partners", "financial agreements", "partner component",
              "ITU component", "funds")


def parse_yoy_measure(measure: object) -> str:
    """A column of the ``YearOverYear`` table, by name or short name (default agreements)."""
    measure = single(measure, "measure")
    reject_error(measure, "measure")
    if is_blank(measure):
        return s.AGREEMENTS_N
    found = _YOY_KEYS.get(squash(measure))
    if found is None:
        raise FunctionArgumentError(unknown("measure", measure, _YOY_NAMES,
                                            {normalize(n): n for n in _YOY_NAMES}))
    return found
