"""Pydantic models of the settings and of the issue reported to the user."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bdt_xl import schema as s
from bdt_xl.core.cells import date_cell
from bdt_xl.core.table import is_blank


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
            return value.strip().casefold() in {"yes", "y", "true", "1", "on", "oui"}
        return bool(value)


class Issue(BaseModel):
    """One problem found in the input: a row of the ``Issues`` report table."""
    model_config = ConfigDict(frozen=True)

    row: int | None
    agreement_id: str = ""
    column: str = ""
    value: str = ""
    severity: Literal["Error", "Warning"] = s.ERROR
    problem: str
    sheet: str = s.AGREEMENTS

    def as_row(self) -> list[object]:
        return [self.row, self.agreement_id, self.column, self.value, self.severity,
                self.problem, self.sheet]


def shown(value: object) -> str:
    """How a cell value is quoted back to the user in the Issues table."""
    if is_blank(value):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else \
            value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
