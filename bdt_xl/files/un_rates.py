"""Read a file saved from the UN Treasury's operational rates page (SPEC §5, ``rates import``).

Two exports are published, one record per country or area:

- XML: root ``UN_OPERATIONAL_RATES_DATASET`` with an inline ``xs:schema`` element first,
  then ``UN_OPERATIONAL_RATES`` records holding ``abbrv_name`` (country), ``name``
  (currency name), ``f_curr_code`` (ISO code), ``eff_date`` (``01 Oct 2026``) and ``rate``
  (units per USD); text may sit between the elements;
- text: tab-separated ``Country, Currency name, ISO code, Effective date, Rate``, fields
  padded with spaces, no header.

Read with the standard library's expat parser, which gives the line of every record, so a
bad date or rate is told with its line. Every problem is one ``RatesFileError`` sentence.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.parsers import expat

from bdt_xl.core.rates_merge import SourceRate
from bdt_xl.errors import RatesFileError

ROOT = "UN_OPERATIONAL_RATES_DATASET"
RECORD = "UN_OPERATIONAL_RATES"
COUNTRY, CURRENCY_NAME, CODE, EFFECTIVE, RATE = ("abbrv_name", "name", "f_curr_code",
                                                 "eff_date", "rate")
FIELDS = (COUNTRY, CURRENCY_NAME, CODE, EFFECTIVE, RATE)
TEXT_COLUMNS = ("Country", "Currency name", "ISO code", "Effective date", "Rate")
#: A UN file is about 100 KB; anything far larger is not one (and is not read into memory).
MAX_BYTES = 20 * 1024 * 1024
#: ``01 Oct 2026`` (also ``1-OCT-26``, ``01 October 2026``); English month names whatever
#: the machine's locale, hence no ``strptime("%b")``.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T00:00:00(\.0+)?(Z|[+-]\d{2}:\d{2})?)?")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = {m[:3]: n for n, m in enumerate(_MONTH_NAMES, start=1)}
_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+|\d{1,3}(,\d{3})+(\.\d*)?")
_HINT = ("save the rates again from the UN Treasury's operational rates page, as XML or as "
         "text")


@dataclass
class UnRatesFile:
    """The records of one file, in file order (``kind`` is ``XML`` or ``text``)."""
    name: str
    kind: str
    records: list[SourceRate]


def read_un_rates(path: str | os.PathLike[str]) -> UnRatesFile:
    """Parse the XML or text export at ``path``; raise ``RatesFileError`` when unusable."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise RatesFileError(f"{path.name} is not a UN operational rates file (it is far "
                                 f"too large); {_HINT}.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise RatesFileError(f"{path} does not exist; check the file name and folder.") from None
    except IsADirectoryError:
        raise RatesFileError(f"{path} is a folder; give the rates file saved from the UN "
                             "Treasury page.") from None
    except PermissionError:
        raise RatesFileError(f"{path.name} cannot be read: permission denied.") from None
    return parse_un_rates(data, path.name)


def parse_un_rates(data: bytes, name: str = "the rates file") -> UnRatesFile:
    """Parse the bytes of an XML or text export (``name`` is used in the messages)."""
    if data.startswith(b"PK\x03\x04"):
        raise RatesFileError(f"{name} is an Excel workbook or another zip package, not a UN "
                             f"operational rates file; {_HINT}.")
    text_start = data.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    records = _xml_records(data, name) if text_start.startswith(b"<") else _text_records(
        _decode(data, name), name)
    if not records:
        raise RatesFileError(f"{name} has no rates in it; {_HINT}.")
    return UnRatesFile(name, "XML" if text_start.startswith(b"<") else "text", records)


# -- XML export ----------------------------------------------------------------------------------
def _xml_records(data: bytes, name: str) -> list[SourceRate]:
    parser = expat.ParserCreate()
    stack: list[str] = []
    records: list[SourceRate] = []
    record: dict[str, str] = {}
    record_line = [0]
    text: list[str] = []

    def start(tag: str, _attributes) -> None:
        if not stack and tag != ROOT:
            raise RatesFileError(f"{name} is not a UN operational rates file (its XML starts "
                                 f"with <{tag}>, not <{ROOT}>); {_HINT}.")
        stack.append(tag)
        if len(stack) == 2 and tag == RECORD:
            record.clear()
            record_line[0] = parser.CurrentLineNumber
        text.clear()

    def end(tag: str) -> None:
        if len(stack) == 3 and stack[1] == RECORD and tag in FIELDS:
            record[tag] = "".join(text)
        elif len(stack) == 2 and tag == RECORD:
            records.append(_record(record, record_line[0], name))
        stack.pop()
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise RatesFileError(f"{name} is not readable XML (line {exc.lineno}: "
                             f"{expat.ErrorString(exc.code)}); {_HINT}.") from None
    return records


def _record(fields: dict[str, str], line: int, name: str) -> SourceRate:
    country = " ".join(fields.get(COUNTRY, "").split())
    where = f"line {line}" + (f", {country}" if country else "")
    missing = [f for f in (CODE, EFFECTIVE, RATE) if not fields.get(f, "").strip()]
    if missing:
        raise RatesFileError(f"{name}, {where}: the record has no <{missing[0]}>; {_HINT}.")
    return _rate(fields[CODE], fields[EFFECTIVE], fields[RATE], where, name)


# -- text export ---------------------------------------------------------------------------------
def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise RatesFileError(f"{name} is not a UN operational rates file (it is not text); "
                         f"{_HINT}.")


def _text_records(text: str, name: str) -> list[SourceRate]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if lines and not any(len(_fields(line)) == len(TEXT_COLUMNS) for _, line in lines):
        raise RatesFileError(f"{name} is not a UN operational rates file (no line has the "
                             f"five tab-separated fields {', '.join(TEXT_COLUMNS)}); "
                             f"{_HINT}.")
    records = []
    for position, (number, line) in enumerate(lines):
        fields = _fields(line)
        if position == 0 and _is_header(fields):
            continue  # a header typed or added by a spreadsheet: tolerated
        if len(fields) != len(TEXT_COLUMNS):
            raise RatesFileError(
                f"{name}, line {number}: {len(fields)} tab-separated "
                f"{'field' if len(fields) == 1 else 'fields'} instead of "
                f"{len(TEXT_COLUMNS)} ({', '.join(TEXT_COLUMNS)}); {_HINT}.")
        country, _currency_name, code, effective, rate = fields
        where = f"line {number}" + (f", {country}" if country else "")
        records.append(_rate(code, effective, rate, where, name))
    return records


def _fields(line: str) -> list[str]:
    fields = [" ".join(field.split()) for field in line.split("\t")]
    while len(fields) > len(TEXT_COLUMNS) and not fields[-1]:
        fields.pop()  # trailing tabs
    return fields


def _is_header(fields: list[str]) -> bool:
    return len(fields) == len(TEXT_COLUMNS) and fields[0].casefold() == "country" and \
        _number(fields[4]) is None


# -- one record's values ---------------------------------------------------------------------
def _rate(code: str, effective: str, rate: str, where: str, name: str) -> SourceRate:
    currency = code.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise RatesFileError(f"{name}, {where}: “{code.strip()}” is not a 3-letter ISO "
                             f"currency code; {_HINT}.")
    day = _date(effective)
    if day is None:
        raise RatesFileError(f"{name}, {where}: the effective date “{effective.strip()}” is "
                             f"not a date like 01 Oct 2026; {_HINT}.")
    units = _number(rate)
    if units is None or units <= 0:
        raise RatesFileError(f"{name}, {where}: the rate “{rate.strip()}” of {currency} is not "
                             f"a number of units per USD greater than 0; {_HINT}.")
    return SourceRate(currency, day, units, where)


def _date(text: str) -> date | None:
    text = " ".join(text.split())
    try:
        if match := _DAY_MONTH_YEAR.fullmatch(text):
            day, month, year = match.groups()
            number = _MONTHS.get(month[:3].casefold())
            if number is None or len(month) > 3 and month.casefold() not in (
                    _MONTH_NAMES[number - 1], "sept"):
                return None
            return date(int(year) + (2000 if len(year) == 2 else 0), number, int(day))
        if match := _ISO.fullmatch(text):
            return date(*map(int, match.groups()[:3]))
    except ValueError:  # 31 Feb
        return None
    return None


def _number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", "")
    if not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", ""))
