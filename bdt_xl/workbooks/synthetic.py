"""Synthetic agreement rows and exchange rates, realistic and reproducible from a seed.

Used by the benchmark, the tests and the fuzzer. Rows look like a real register: a few
hundred partners with a stable type, membership, home region and currency; signing dates
2018-2023 with priorities of the action plan in force on that date; non-financial rows; a
few loosely typed but valid entries (" africa ", aliases, ISO text dates). With probability
``error_rate`` a row carries exactly one deliberate error (see ``ERROR_KINDS``);
``synthetic_dataset`` says which rows and why.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from bdt_xl import schema as s
from bdt_xl.core.lists import (
    DEFAULT_LISTS,
    MEMBERSHIP,
    NON_MEMBER,
    PARTNER_TYPE,
    PRIORITY,
    REGION,
    normalize,
)
from bdt_xl.workbooks.input_workbook import write_input_workbook

CURRENCIES = ("USD", "CHF", "EUR", "AUD", "JPY", "SAR", "GBP")
#: Rough units per USD around 2018-2023, the centre of the synthetic rates' random walk.
BASE_RATES = {"USD": 1.0, "CHF": 0.95, "EUR": 0.88, "AUD": 1.40, "JPY": 115.0, "SAR": 3.75,
              "GBP": 0.77}
FIRST_DAY, LAST_DAY = date(2018, 1, 1), date(2023, 12, 31)
NA = "#N/A"

UNKNOWN_LABEL = "unknown label"
NEGATIVE_AMOUNT = "negative amount"
TEXT_AMOUNT = "text amount"
MISSING_DATE = "missing date"
NA_VALUE = "#N/A"
DUPLICATE_ID = "duplicate ID"
WRONG_PLAN = "priority of the wrong plan"
NO_CURRENCY = "amount without currency"
ERROR_KINDS = (UNKNOWN_LABEL, NEGATIVE_AMOUNT, TEXT_AMOUNT, MISSING_DATE, NA_VALUE, DUPLICATE_ID,
               WRONG_PLAN, NO_CURRENCY)


@dataclass(frozen=True)
class InjectedError:
    kind: str     # one of ERROR_KINDS
    column: str   # the column that carries it
    note: str = ""


@dataclass
class SyntheticData:
    rows: list[dict[str, object]]
    errors: dict[int, InjectedError] = field(default_factory=dict)  # row index -> error

    def valid_rows(self) -> list[dict[str, object]]:
        return [row for i, row in enumerate(self.rows) if i not in self.errors]


@dataclass(frozen=True)
class _Partner:
    name: str
    kind: str
    membership: str
    region: str
    currency: str


# -- partners ---------------------------------------------------------------------------------
_COUNTRIES = {
    "Africa": ("Kenya", "Senegal", "Rwanda", "Ghana", "Nigeria", "Zambia", "Côte d'Ivoire",
               "Ethiopia", "Uganda", "Cameroon", "Botswana", "Mali"),
    "Americas": ("Brazil", "Canada", "Mexico", "Colombia", "Chile", "Peru", "Jamaica",
                 "Argentina", "Costa Rica", "Paraguay", "United States"),
    "Arab States": ("Saudi Arabia", "Egypt", "Jordan", "Oman", "Tunisia", "Morocco",
                    "United Arab Emirates", "Qatar", "Kuwait", "Bahrain"),
    "Asia-Pacific": ("Japan", "Australia", "Indonesia", "Viet Nam", "Fiji", "Thailand",
                     "Philippines", "Malaysia", "Bangladesh", "Mongolia", "Korea"),
    "CIS": ("Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Armenia", "Azerbaijan", "Belarus"),
    "Europe": ("Switzerland", "France", "Germany", "Spain", "Italy", "Estonia",
               "United Kingdom", "Portugal", "Poland", "Sweden", "Finland", "Ireland"),
}
_REGION_CURRENCIES = {
    "Africa": ("USD", "EUR"), "Americas": ("USD",), "Arab States": ("SAR", "USD"),
    "Asia-Pacific": ("JPY", "AUD", "USD"), "CIS": ("USD",), "Europe": ("EUR", "CHF", "GBP"),
}
_WORDS = ("Astra", "Nova", "Helix", "Vertex", "Orbit", "Lumen", "Quanta", "Terra", "Zenith",
          "Pulse", "Atlas", "Meridian", "Cobalt", "Summit", "Harbor", "Signal", "Beacon",
          "Nimbus", "Aurora", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Iris", "Juniper")
_SUFFIXES = ("Telecom", "Networks", "Digital", "Systems", "Mobile", "Technologies", "Labs",
             "Connect", "Satellite", "Cloud")
_LEGAL = ("Inc.", "Ltd", "SA", "GmbH", "plc", "AG", "LLC")
_UN = ("UNDP", "UNICEF", "UNESCO", "UNHCR", "WFP", "UNCTAD", "UN Women", "UNEP", "ILO", "FAO",
       "UNITAR", "UNODC", "OCHA", "UNFPA", "World Health Organization")
_INTL = ("Telecommunications Union", "Regulators Association", "Economic Community",
         "Broadband Alliance", "Digital Cooperation Organization", "ICT Network")
_MEMBERSHIP_BY_TYPE = {   # partner type -> (membership, weight) choices
    "Governmental entities": (("ADMIN", 8), ("ADMIN-affiliated", 2), (NON_MEMBER, 1)),
    "Private sector entities": (("ROA", 4), ("SIO", 3), (NON_MEMBER, 4)),
    "Academic institutions": (("UNIVERS/RSRCH", 6), (NON_MEMBER, 3)),
    "UN organizations": (("Other ITU entity", 2), (NON_MEMBER, 5)),
    "International and regional organizations": (("REGINTORG", 5), (NON_MEMBER, 2)),
    "Financial institutions": (("SIO", 1), (NON_MEMBER, 4)),
    "Foundations": (("SIO", 1), (NON_MEMBER, 5)),
    "Other": (("Other ITU entity", 1), (NON_MEMBER, 4)),
}
_TYPE_WEIGHTS = (30, 25, 10, 8, 8, 4, 6, 4)   # partner types, in list order


def _partner_name(kind: str, country: str, rng: random.Random) -> str:
    word, suffix = rng.choice(_WORDS), rng.choice(_SUFFIXES)
    if kind == "Governmental entities":
        return rng.choice((f"Ministry of ICT of {country}",
                           f"{country} Telecommunications Regulatory Authority",
                           f"Government of {country}", f"{country} Digital Agency"))
    if kind == "Private sector entities":
        return f"{word} {suffix} {rng.choice(_LEGAL)}"
    if kind == "Academic institutions":
        return rng.choice((f"University of {country}", f"{country} Institute of Technology",
                           f"{word} Research Centre"))
    if kind == "UN organizations":
        return rng.choice(_UN)
    if kind == "International and regional organizations":
        return f"{rng.choice(_WORDS)} {rng.choice(_INTL)}"
    if kind == "Financial institutions":
        return rng.choice((f"{country} Development Bank", f"{word} Investment Fund"))
    if kind == "Foundations":
        return f"{word} {rng.choice(('Foundation', 'Trust', 'Fund for Connectivity'))}"
    return f"{word} {rng.choice(('Network', 'Initiative', 'Consortium', 'Association'))}"


def _partners(count: int, rng: random.Random) -> list[_Partner]:
    kinds = DEFAULT_LISTS.labels(PARTNER_TYPE)
    regions = list(_COUNTRIES)
    partners: list[_Partner] = []
    seen: set[str] = set()
    while len(partners) < count:
        kind = rng.choices(kinds, weights=_TYPE_WEIGHTS)[0]
        region = rng.choice(regions)
        country = rng.choice(_COUNTRIES[region])
        name = _partner_name(kind, country, rng)
        if kind == "UN organizations" and normalize(name) in seen:
            name = f"{name} {country}"  # the agency's country office
        if normalize(name) in seen:
            continue
        seen.add(normalize(name))
        labels, weights = zip(*_MEMBERSHIP_BY_TYPE[kind])
        membership = rng.choices(labels, weights=weights)[0]
        currency = "USD" if kind == "UN organizations" else rng.choice(_REGION_CURRENCIES[region])
        partners.append(_Partner(name, kind, membership, region, currency))
    return partners


# -- rows -------------------------------------------------------------------------------------
def _amount(usd: float, currency: str) -> float:
    value = usd * BASE_RATES[currency]
    return float(round(value, -3 if value >= 100_000 else -2))


def _clean_row(partner: _Partner, signed: date, rng: random.Random) -> dict[str, object]:
    plan = DEFAULT_LISTS.plan_on(signed)
    priorities = [p for p in DEFAULT_LISTS.labels(PRIORITY)
                  if DEFAULT_LISTS.plan_of(p) == plan.name]
    region = partner.region if rng.random() < 0.75 else rng.choice(DEFAULT_LISTS.labels(REGION))
    row: dict[str, object] = dict.fromkeys(s.AGREEMENT_COLUMNS)
    row.update({
        s.PARTNER: partner.name, s.PARTNER_TYPE: partner.kind,
        s.MEMBERSHIP: partner.membership, s.REGION: region,
        s.PRIORITY: rng.choice(priorities), s.SIGNED_ON: signed,
    })
    if rng.random() < 0.65:  # financial agreement
        currency = partner.currency if rng.random() < 0.8 else rng.choice(CURRENCIES)
        row[s.CURRENCY] = currency
        row[s.PARTNER_AMOUNT] = _amount(10 ** rng.uniform(4, 6.7), currency)
        if rng.random() < 0.3:
            row[s.ITU_AMOUNT] = _amount(10 ** rng.uniform(3.5, 5.5), currency)
        if rng.random() < 0.03:  # ITU-only funding
            row[s.PARTNER_AMOUNT] = None if rng.random() < 0.5 else 0.0
            row[s.ITU_AMOUNT] = _amount(10 ** rng.uniform(3.5, 5.5), currency)
    elif rng.random() < 0.2:
        row[s.CURRENCY] = partner.currency  # currency filled in, no amount: still valid
    return row


def _messy(row: dict[str, object], rng: random.Random) -> None:
    """Make one entry loosely typed but still valid (the engine must canonicalize it)."""
    how = rng.randrange(6)
    if how == 0:
        row[s.REGION] = f"  {str(row[s.REGION]).lower()} "
    elif how == 1:
        row[s.PARTNER] = "  " + str(row[s.PARTNER]).upper().replace(" ", "  ")
    elif how == 2:
        aliases = [item.aliases for item in DEFAULT_LISTS.items
                   if item.kind == PARTNER_TYPE and item.label == row[s.PARTNER_TYPE]][0]
        row[s.PARTNER_TYPE] = aliases[0] if aliases else str(row[s.PARTNER_TYPE]).upper()
    elif how == 3:
        row[s.SIGNED_ON] = row[s.SIGNED_ON].isoformat()
    elif how == 4 and row[s.CURRENCY]:
        row[s.CURRENCY] = f" {str(row[s.CURRENCY]).lower()}"
    elif row[s.MEMBERSHIP] == NON_MEMBER:
        row[s.MEMBERSHIP] = None  # blank = Non-member


def _misspell(kind: str, label: str, rng: random.Random) -> str:
    for _ in range(50):
        chars = list(label)
        i = rng.randrange(len(chars))
        chars[i] = rng.choice("kqxzjw") if chars[i].isalpha() else "x"
        typo = "".join(chars)
        if DEFAULT_LISTS.match(kind, typo) is None:
            return typo
    return f"{label} (unknown)"


def _inject(rows: list[dict[str, object]], i: int, kind: str,
            rng: random.Random) -> InjectedError:
    row = rows[i]
    if kind == UNKNOWN_LABEL:
        column = rng.choice((s.PARTNER_TYPE, s.MEMBERSHIP, s.REGION, s.PRIORITY))
        list_kind = {s.PARTNER_TYPE: PARTNER_TYPE, s.MEMBERSHIP: MEMBERSHIP, s.REGION: REGION,
                     s.PRIORITY: PRIORITY}[column]
        canonical = DEFAULT_LISTS.match(list_kind, row[column] or NON_MEMBER)
        row[column] = _misspell(list_kind, canonical, rng)
        return InjectedError(kind, column)
    if kind in (NEGATIVE_AMOUNT, TEXT_AMOUNT, NO_CURRENCY):
        if not row[s.PARTNER_AMOUNT]:
            row[s.PARTNER_AMOUNT] = 25_000.0
        if kind == NO_CURRENCY:
            row[s.CURRENCY] = None
            return InjectedError(kind, s.CURRENCY)
        row[s.CURRENCY] = row[s.CURRENCY] or "USD"
        row[s.PARTNER_AMOUNT] = (-float(row[s.PARTNER_AMOUNT]) if kind == NEGATIVE_AMOUNT
                                 else rng.choice(("TBC", "about 50k", "see annex", "n/a")))
        return InjectedError(kind, s.PARTNER_AMOUNT)
    if kind == MISSING_DATE:
        row[s.SIGNED_ON] = None
        return InjectedError(kind, s.SIGNED_ON)
    if kind == NA_VALUE:
        column = rng.choice((s.PARTNER_TYPE, s.REGION, s.PRIORITY, s.SIGNED_ON, s.PARTNER_AMOUNT))
        if column == s.PARTNER_AMOUNT:
            row[s.CURRENCY] = row[s.CURRENCY] or "USD"
        row[column] = NA
        return InjectedError(kind, column)
    if kind == DUPLICATE_ID:
        j = rng.randrange(i)  # an earlier row: later injections never change its ID
        row[s.AGREEMENT_ID] = rows[j][s.AGREEMENT_ID]
        return InjectedError(kind, s.AGREEMENT_ID, f"same ID as row index {j}")
    if kind == WRONG_PLAN:
        signed = row[s.SIGNED_ON]
        plan = DEFAULT_LISTS.plan_on(signed if isinstance(signed, date)
                                     else date.fromisoformat(str(signed)))
        others = [p for p in DEFAULT_LISTS.labels(PRIORITY)
                  if DEFAULT_LISTS.plan_of(p) != plan.name]
        row[s.PRIORITY] = rng.choice(others)
        return InjectedError(kind, s.PRIORITY, f"in force: {plan.name}")
    raise ValueError(f"unknown error kind {kind!r}")


def synthetic_dataset(n: int, seed: int = 0, error_rate: float = 0.02,
                      messy_rate: float = 0.03) -> SyntheticData:
    """``n`` agreement rows plus the index of every row given a deliberate error."""
    rng = random.Random(seed)
    partners = _partners(max(5, min(300, n // 8)), rng)
    weights = list(accumulate(rng.paretovariate(1.2) for _ in partners))  # a few sign a lot
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span + 1)) for _ in range(n))
    rows: list[dict[str, object]] = []
    per_year: dict[int, int] = {}
    for signed in days:
        per_year[signed.year] = per_year.get(signed.year, 0) + 1
        row = _clean_row(rng.choices(partners, cum_weights=weights)[0], signed, rng)
        row[s.AGREEMENT_ID] = f"BDT-{signed.year}-{per_year[signed.year]:05d}"
        rows.append(row)
    errors: dict[int, InjectedError] = {}
    for i, row in enumerate(rows):
        if rng.random() < error_rate:
            kind = rng.choice(ERROR_KINDS)
            errors[i] = _inject(rows, i, MISSING_DATE if kind == DUPLICATE_ID and i == 0
                                else kind, rng)
        elif rng.random() < messy_rate:
            _messy(row, rng)
    return SyntheticData(rows, errors)


def synthetic_agreements(n: int, seed: int = 0, error_rate: float = 0.02) -> list[dict]:
    """``n`` agreement rows keyed by ``schema.AGREEMENT_COLUMNS`` (same seed, same rows)."""
    return synthetic_dataset(n, seed, error_rate).rows


def _month_starts(start: date, end: date) -> Iterable[date]:
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)


def synthetic_rates(currencies: Iterable[str], start: date, end: date,
                    seed: int = 0) -> list[dict]:
    """Monthly UN-style rates (units per USD) from ``start``'s month to ``end``, with some
    mid-month revisions. USD needs no row and gets none; unknown currencies get rate 1."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for currency in dict.fromkeys(c.strip().upper() for c in currencies):
        if currency == "USD":
            continue
        rate = BASE_RATES.get(currency, 1.0)
        digits = 3 if rate >= 10 else 4
        for first in _month_starts(start, end):
            rate *= 1 + rng.gauss(0, 0.015)
            rows.append({s.CURRENCY: currency, s.EFFECTIVE_FROM: first,
                         s.UNITS_PER_USD: round(rate, digits)})
            if rng.random() < 0.15:  # a revision that takes effect mid-month
                rate *= 1 + rng.gauss(0, 0.02)
                rows.append({s.CURRENCY: currency,
                             s.EFFECTIVE_FROM: first.replace(day=rng.randint(10, 20)),
                             s.UNITS_PER_USD: round(rate, digits)})
    return rows


def write_synthetic_workbook(path: str | os.PathLike[str], n: int, seed: int = 0,
                             error_rate: float = 0.02) -> SyntheticData:
    """Write an input workbook of ``n`` synthetic rows (plus Rates, Settings, Lists).

    ``#N/A`` values are written as real Excel error cells (``=NA()``), as a failed lookup
    would leave them.
    """
    data = synthetic_dataset(n, seed, error_rate)
    rates = synthetic_rates(CURRENCIES, FIRST_DAY, LAST_DAY, seed)
    na_cells = [(r, s.AGREEMENT_COLUMNS.index(column))
                for r, row in enumerate(data.rows, start=1)
                for column, value in row.items() if value == NA]

    def errors_as_cells(book, refs) -> None:
        sheet = book.get_worksheet_by_name(s.AGREEMENTS)
        for r, c in na_cells:
            sheet.write_formula(r, c, "=NA()", None, NA)

    write_input_workbook(path, data.rows, rates,
                         {s.SETTING_LANGUAGE: "en"}, DEFAULT_LISTS,
                         customize=errors_as_cells if na_cells else None)
    return data
