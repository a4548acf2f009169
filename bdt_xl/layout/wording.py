"""What a reader sees on the report sheets, in English and French: the sentence atop each
sheet saying it is rewritten on every refresh, the charts' titles, legends, axis titles and
period captions, and the French names of the table's categories."""

from __future__ import annotations

import calendar
import re
from datetime import date

from bdt_xl import schema as s
from bdt_xl.core.lists import MEMBERSHIP, PARTNER_TYPE, PRIORITY, REGION
from bdt_xl.core.report import YEAR, Period, Report

TEXT = {
    "en": {
        "region": "Agreements signed by region ({})",
        "priority": "Agreements signed by priority, {plan} ({period})",
        "funds_by_type": "Funds signed by partner type ({})",
        "partners_by_type": "Partners by type ({})",
        "partners_by_membership": "Partners by ITU membership ({})",
        "cofinancing": "Co-financing: partner and ITU components ({})",
        "top_partners": "Top partners by contribution, USD ({})",
        "yoy_agreements": "Agreements and partners ({})",
        "yoy_funds": "Funds signed, USD ({})",
        "summary_agreements": "Agreements signed per year",
        "summary_funds": "Funds signed per year (USD)",
        "n_agreements": "Number of agreements",
        "funds_signed": "Funds signed",
        "agreements": "Agreements",
        "financial": "Financial agreements",
        "partners": "Partners",
        "partner_component": "Partner component",
        "itu_component": "ITU component",
        "funds": "Funds",
        "share": "Share",
        "labels": "Chart label",
        "footer": "&A – Page &P of &N",
        "refresh_note": "This sheet is written by bdt-xl and rewritten on every refresh: "
                        "anything typed on it is lost. Keep your own notes and formulas on "
                        "another sheet.",
    },
    "fr": {
        "region": "Répartition des accords signés, par région ({})",
        "priority": "Répartition des accords signés, par priorité thématique – {plan} ({period})",
        "funds_by_type": "Contributions financières des partenaires du BDT, par type ({})",
        "partners_by_type": "Partenaires, par type ({})",
        "partners_by_membership": "Partenaires, par catégorie de membre de l'UIT ({})",
        "cofinancing": "Accords de cofinancement ({})",
        "top_partners": "Principaux partenaires de financement, USD ({})",
        "yoy_agreements": "Nombre d'accords signés et de partenaires ({})",
        "yoy_funds": "Fonds convenus, USD ({})",
        "summary_agreements": "Accords signés par année",
        "summary_funds": "Fonds convenus par année (USD)",
        "n_agreements": "Nombre d'accords",
        "funds_signed": "Fonds convenus",
        "agreements": "Accords",
        "financial": "Accords financiers",
        "partners": "Partenaires",
        "partner_component": "Composante du partenaire",
        "itu_component": "Composante de l'UIT",
        "funds": "Fonds",
        "share": "Part",
        "labels": "Libellé des graphiques",
        "footer": "&A – Page &P sur &N",
        "refresh_note": "Cette feuille est écrite par bdt-xl et réécrite à chaque "
                        "actualisation : tout ce qui y est saisi est perdu. Gardez vos notes "
                        "et formules sur une autre feuille.",
    },
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
#: Abbreviated French months as the Imprimerie nationale writes them.
MONTHS_FR_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                   "oct.", "nov.", "déc.")

#: Report columns as the charts name them in French (headers of series and categories).
FRENCH_HEADERS = {
    s.PERIOD: "Période", s.FROM: "Du", s.TO: "Au", s.AGREEMENTS_N: "Accords",
    s.FINANCIAL_N: "Accords financiers", s.PARTNERS_N: "Partenaires",
    s.PARTNER_USD: "Composante du partenaire", s.ITU_USD: "Composante de l'UIT",
    s.FUNDS_USD: "Fonds (USD)", s.PARTNER_SHARE: "Part des partenaires",
    s.AGREEMENT_SHARE: "Part des accords", s.FUNDS_SHARE: "Part des fonds",
    s.ITU_SHARE: "Part de l'UIT", s.ACTION_PLAN: "Plan d'action",
    s.PARTNER_TYPE: "Type de partenaire", s.MEMBERSHIP: "Catégorie de membre de l'UIT",
    s.REGION: "Région", s.PRIORITY: "Priorité", s.RANK: "Rang", s.PARTNER: "Partenaire",
    s.CONTRIBUTION_USD: "Contribution du partenaire (USD)",
    s.ORIGINAL_AMOUNTS: "Montants d'origine",
}
#: The list a category column's labels come from.
LIST_OF_COLUMN = {s.PARTNER_TYPE: PARTNER_TYPE, s.MEMBERSHIP: MEMBERSHIP, s.REGION: REGION,
                  s.PRIORITY: PRIORITY}


def words(language: str) -> dict[str, str]:
    return TEXT["fr" if language == "fr" else "en"]


#: The sentence atop every report sheet, in every language it may have been written in.
REFRESH_NOTES = tuple(text["refresh_note"] for text in TEXT.values())


def french_day(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS_FR[day.month - 1]}"


def french_plan(name: str) -> str:
    match = re.fullmatch(r"(.+?) Action Plan", name)
    return f"Plan d'action de {match.group(1)}" if match else name


def span_caption(period: Period, french: bool) -> str:
    """A window's exact span: "1 January–30 September 2026", "1er janvier – 30 septembre
    2026" (the seed's typography)."""
    start, end = period.start, period.end
    if french:
        return f"{french_day(start)} – {french_day(end)} {end.year}"
    return f"{start.day} {MONTHS_EN[start.month - 1]}–{end.day} {MONTHS_EN[end.month - 1]} " \
           f"{end.year}"


def french_period_label(period: Period) -> str:
    """A period's label in French, short as in a legend: "2022", "janv.–avr. 2023"."""
    if period.kind == YEAR:
        return period.label
    end = period.end
    last = calendar.monthrange(end.year, end.month)[1]
    if end.day == last:
        if end.month == 1:
            return f"{MONTHS_FR_SHORT[0]} {end.year}"
        return f"{MONTHS_FR_SHORT[0]}–{MONTHS_FR_SHORT[end.month - 1]} {end.year}"
    return f"1er {MONTHS_FR_SHORT[0]}–{end.day} {MONTHS_FR_SHORT[end.month - 1]} {end.year}"


class Wording:
    """The chart wording of one report: its language and how its periods are named."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.french = report.language == "fr"
        self.text = words(report.language)
        self._periods = {p.label: p for p in report.periods}

    def caption(self, label: str) -> str:
        """How a period is named in a chart title: "2022", or a window's exact span."""
        period = self._periods.get(label)
        if period is not None and period.kind != YEAR:
            return span_caption(period, self.french)
        return label

    def comparison(self, first: str, last: str) -> str:
        """Two windows side by side: "Jan–Apr 2022 vs Jan–Apr 2023", "1er janvier – 30 avril,
        2022 et 2023"."""
        if not self.french:
            return f"{first} vs {last}"
        a, b = self._periods.get(first), self._periods.get(last)
        if a and b and (a.start.month, a.start.day, a.end.month, a.end.day) == (
                b.start.month, b.start.day, b.end.month, b.end.day):
            return f"{french_day(a.start)} – {french_day(a.end)}, {a.end.year} et {b.end.year}"
        return f"{self.caption(first)} et {self.caption(last)}"

    def plan(self, name: str) -> str:
        return french_plan(name) if self.french else name

    def category(self, column: str, value: object) -> str:
        """The French chart label of one table cell of the category ``column``."""
        if value is None:
            return ""
        text = str(value)
        if column == s.PERIOD:
            period = self._periods.get(text)
            return french_period_label(period) if period is not None else text
        if column == s.ACTION_PLAN:
            return french_plan(text)
        kind = LIST_OF_COLUMN.get(column)
        return self.report.french_label(kind, text) if kind else text
