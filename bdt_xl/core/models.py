"""Pydantic models of the settings and of the issue reported to the user."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bdt_xl import schema as s
from bdt_xl.core.cells import date_cell
from bdt_xl.core.table import is_blank

YES = frozenset({"yes", "y", "true", "1", "on", "oui"})
NO = frozenset({"no", "n", "false", "0", "off", "non"})


class Settings(BaseModel):
    """The optional ``Settings`` table (``Setting | Value``); CLI options override it."""
    model_config = ConfigDict(populate_by_name=True)

    report_year: int | None = Field(None, alias=s.SETTING_REPORT_YEAR, ge=1990, le=2200)
    through: date | None = Field(None, alias=s.SETTING_THROUGH)
    language: Literal["en", "fr"] = Field("en", alias=s.SETTING_LANGUAGE)
    top_n: int = Field(10, alias=s.SETTING_TOP_N, ge=1, le=1000)
    ecb_fallback: bool = Field(False, alias=s.SETTING_ECB_FALLBACK)

    @field_validator("report_year", "top_n", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    @field_validator("through", mode="before")
    @classmethod
    def _excel_date(cls, value: object) -> object:
        return None if is_blank(value) else date_cell(value)

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        if is_blank(value):
            return "en"
        text = str(value).strip().casefold()
        return {"english": "en", "anglais": "en", "french": "fr", "français": "fr",
                "francais": "fr"}.get(text, text)

    @field_validator("ecb_fallback", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        if is_blank(value):
            return False
        if isinstance(value, str):
            text = value.strip().casefold()
            if text in YES:
                return True
            if text in NO:
                return False
            raise ValueError(f"“{value.strip()}” is not understood")
        if isinstance(value, (bool, int, float)) and value in (0, 1):
            return bool(value)
        raise ValueError(f"“{value}” is not understood")


class IssueCode(str, Enum):
    """What kind of problem an ``Issue`` is: stable names that tests and callers match on,
    so that the sentence shown to the user can be reworded freely."""
    # one cell of an input table
    MISSING_VALUE = "missing_value"
    EXCEL_ERROR = "excel_error"
    FORMULA_NOT_CALCULATED = "formula_not_calculated"  # no cached result: open and save it
    BAD_TEXT = "bad_text"
    CONTROL_CHARACTERS = "control_characters"
    BAD_DATE = "bad_date"
    BAD_AMOUNT = "bad_amount"
    BAD_CURRENCY = "bad_currency"
    BAD_RATE = "bad_rate"
    UNKNOWN_LABEL = "unknown_label"
    # several rows of the Agreements table
    DUPLICATE_ID = "duplicate_id"
    NO_ACTION_PLAN = "no_action_plan"
    PLAN_WITHOUT_PRIORITIES = "plan_without_priorities"
    WRONG_PLAN = "wrong_plan"
    FUTURE_DATE = "future_date"
    NO_CURRENCY = "no_currency"
    MISSING_RATE = "missing_rate"
    UNUSABLE_RATE = "unusable_rate"
    ECB_RATE_USED = "ecb_rate_used"
    LARGE_AMOUNT = "large_amount"
    USD_OVERFLOW = "usd_overflow"
    PARTNER_DESCRIBED_DIFFERENTLY = "partner_described_differently"
    # the Rates, Settings and Lists tables
    USD_RATE_ROW = "usd_rate_row"
    RATE_CONFLICT = "rate_conflict"
    UNKNOWN_SETTING = "unknown_setting"
    BAD_SETTING = "bad_setting"
    LIST_ROW_IGNORED = "list_row_ignored"
    DUPLICATE_LABEL = "duplicate_label"
    ALIAS_CLAIMED = "alias_claimed"
    BAD_PLAN_DATE = "bad_plan_date"
    PLAN_WITHOUT_START = "plan_without_start"


#: The code of each kind of cell-rule failure raised in ``cells``.
CELL_RULE_CODES = {
    "required": IssueCode.MISSING_VALUE, "excel_error": IssueCode.EXCEL_ERROR,
    "text": IssueCode.BAD_TEXT, "date": IssueCode.BAD_DATE, "amount": IssueCode.BAD_AMOUNT,
    "currency": IssueCode.BAD_CURRENCY, "rate": IssueCode.BAD_RATE,
    "unknown_label": IssueCode.UNKNOWN_LABEL,
}


class Issue(BaseModel):
    """One problem found in the input: a row of the ``Issues`` report table."""
    model_config = ConfigDict(frozen=True)

    code: IssueCode
    row: int | None
    agreement_id: str = ""
    column: str = ""
    value: str = ""
    severity: Literal["Error", "Warning"] = s.ERROR
    problem: str
    sheet: str = s.AGREEMENTS

    @field_validator("agreement_id", "column", "value", "problem")
    @classmethod
    def _printable(cls, text: str) -> str:
        """Nothing read from a cell reaches a report or a terminal with control characters."""
        return without_control_characters(text)

    def as_row(self) -> list[object]:
        return [self.row, self.agreement_id, self.column, self.value, self.severity,
                self.problem, self.sheet]


_CONTROL = {c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 127)}


def without_control_characters(text: str) -> str:
    """``text`` without the control characters (``\x01``…) that no cell should hold and
    that would reach a terminal as escape sequences; tabs and line breaks are kept."""
    # a search in C first: translate looks every character up in a dict, and every Issue
    # field passes here (a clean str comes back as it is, as translate would return it)
    if type(text) is str and _CONTROL_FOUND(text) is None:
        return text
    return text.translate(_CONTROL)


_CONTROL_FOUND = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]").search


def has_control_characters(text: str) -> bool:
    return _CONTROL_FOUND(text) is not None


def shown(value: object) -> str:
    """How a cell value is quoted back to the user in the Issues table (never raw control
    characters)."""
    if is_blank(value):
        return ""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
