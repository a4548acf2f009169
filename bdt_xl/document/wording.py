"""How the document writes numbers, dates and lists in each language, from the templates.

Every sentence and every language-specific rule (decimal comma, "1er janvier", "millions
USD" against "USD 9.7 million") lives in ``templates/<language>.json``: a new language is a
new file, not new code. This module only applies them, with the seed's rounding: millions to
one decimal (half up, "3 millions" without ",0"), shares to whole percents.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from bdt_xl.errors import UsageError

TEMPLATES = "templates"


def languages() -> list[str]:
    """The languages a document can be written in (one template file each)."""
    folder = resources.files(__package__).joinpath(TEMPLATES)
    return sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".json"))


@cache
def templates(language: str) -> dict:
    """The sentence templates and typography of ``language``."""
    if language not in languages():
        raise UsageError(f"there is no document template for language {language!r}; use one "
                         f"of {', '.join(languages())}.")
    path = resources.files(__package__).joinpath(TEMPLATES).joinpath(f"{language}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _half_up(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


class Wording:
    """The templates of one language and the formatting rules that go with them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.t = templates(language)
        self._number = self.t["number"]
        self._dates = self.t["dates"]

    def __getitem__(self, key: str):
        return self.t[key]

    def say(self, key: str, **values: object) -> str:
        """Fill template ``key``; ``When``/``Span`` are the capitalized ``when``/``span``."""
        for name in ("when", "span"):
            if name in values:
                values[name.capitalize()] = capitalize(str(values[name]))
        return self.t[key].format(**values)

    # -- numbers -------------------------------------------------------------------------
    def number(self, value: float, places: int = 0) -> str:
        """``1 234 567,89`` / ``1,234,567.89`` (rounded half up)."""
        text = f"{_half_up(value, places):,.{places}f}"
        return text.translate({ord(","): "\0", ord("."): self._number["decimal"]}).replace(
            "\0", self._number["thousands"])

    def percent(self, share: float) -> str:
        """A share 0–1 as a whole percent: ``42%``."""
        return self._number["percent"].format(value=self.number(whole_percent(share)))

    def millions(self, amount: float, currency: str = "USD") -> str:
        """``9,7 millions USD``, ``1,6 million USD``, ``3 millions EUR`` / ``USD 9.7 million``.

        Amounts under 50 000 would read "0,0 million": they are written in full instead.
        """
        value = _half_up(amount / 1e6, 1)
        if value == 0:
            return self.amount(amount, currency)
        text = self.number(float(value), 0 if value == value.to_integral() else 1)
        key = "million" if value < 2 else "millions"
        return self._number[key].format(value=text, currency=currency)

    def amount(self, amount: float, currency: str) -> str:
        """A full amount with its currency, cents only when there are any."""
        places = 0 if _half_up(amount, 2) == _half_up(amount, 0) else 2
        return self._number["amount"].format(value=self.number(amount, places),
                                             currency=currency)

    # -- dates ---------------------------------------------------------------------------
    def day(self, day: date) -> str:
        """``1er janvier`` / ``1 January``."""
        number = self._dates["first_day"] if day.day == 1 else str(day.day)
        return self._dates["day"].format(day=number, month=self._dates["months"][day.month - 1])

    def full_date(self, day: date) -> str:
        return self._dates["full"].format(day=self.day(day).split(" ")[0],
                                          month=self._dates["months"][day.month - 1],
                                          year=day.year)

    def span(self, start: date, end: date) -> str:
        """A period as chart titles name it: ``1er janvier – 30 avril 2023``."""
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return str(start.year)
        return self._dates["span"].format(start=self.day(start), end=self.day(end),
                                          year=end.year)

    def when(self, start: date, end: date) -> str:
        """A period inside a sentence: ``en 2022``, ``entre le 1er janvier et le 30 avril
        2023``."""
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return self._dates["in_year"].format(year=start.year)
        return self._dates["between"].format(start=self.day(start), end=self.day(end),
                                             year=end.year)

    # -- words ---------------------------------------------------------------------------
    def join(self, items: list[str]) -> str:
        """``a, b et c`` / ``a, b and c``."""
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self.t["words"]["and"] + items[-1]

    def count(self, n: int) -> str:
        counts = self.t["words"]["counts"]
        return counts[n] if 0 <= n < len(counts) else str(n)

    def plan(self, name: str) -> str:
        """An action plan as this language names it (``Plan d'action de Kigali``)."""
        match = re.fullmatch(r"(.+?) Action Plan", name.strip())
        return self.t["plan_name"].format(place=match.group(1)) if match else name


def whole_percent(share: float) -> int:
    """A share 0–1 rounded half up to a whole percent (0.4211 -> 42)."""
    return int(_half_up(share * 100, 0))


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
