"""Reading the UN Treasury's operational rates files: the XML and the text export, written
here the way the UN page saves them, and every bad file told in one sentence with its line."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from un_rates_files import SCHEMA, record, xml_file

from bdt_xl.errors import RatesFileError
from bdt_xl.files.un_rates import parse_un_rates, read_un_rates

# Line 1 is the declaration, line 2 the root, the schema lines 3-21, the default separator
# leaves line 22 blank: the first record opens on line 23; a record takes 7 lines.
FRANCE = record("FRANCE", "Euro", "EUR", "01 Oct 2026", "0.862")
GERMANY = record("GERMANY", "Euro", "EUR", "01 Oct 2026", "0.862")
JAPAN = record("JAPAN", "Yen", "JPY", "01 Oct 2026", "147.35")
USA = record("UNITED STATES", "US Dollar", "USD", "01 Oct 2026", "1.000")


def test_xml_export_records_in_file_order_with_their_lines():
    parsed = parse_un_rates(xml_file(FRANCE, GERMANY, JAPAN, USA, stray="\n  text \n"), "r.xml")
    assert parsed.kind == "XML"
    assert [(r.currency, r.effective, r.units_per_usd) for r in parsed.records] == [
        ("EUR", date(2026, 10, 1), 0.862), ("EUR", date(2026, 10, 1), 0.862),
        ("JPY", date(2026, 10, 1), 147.35), ("USD", date(2026, 10, 1), 1.0)]
    # the separator "\n  text \n" is a blank line and a text line before each record:
    # records open on lines 24, 24 + 7 + 2, …
    assert [r.where for r in parsed.records] == [
        "line 24, FRANCE", "line 33, GERMANY", "line 42, JAPAN", "line 51, UNITED STATES"]


def test_xml_with_a_byte_order_mark_and_crlf_lines(tmp_path):
    path = tmp_path / "rates.xml"
    path.write_bytes(b"\xef\xbb\xbf" + xml_file(JAPAN).replace(b"\n", b"\r\n"))
    parsed = read_un_rates(path)
    assert [(r.currency, r.units_per_usd) for r in parsed.records] == [("JPY", 147.35)]
    assert parsed.records[0].where == "line 23, JAPAN"


TEXT = ("AFGHANISTAN          \tAfghani               \tAFN  \t01 Oct 2026  \t   68.550\n"
        "ALBANIA              \tLek                   \tALL  \t01 Oct 2026  \t   82.100\n"
        "ANDORRA              \tEuro                  \tEUR  \t01 Oct 2026  \t    0.862\n"
        "\n"
        "COTE D'IVOIRE        \tCFA Franc             \tXOF  \t01 Oct 2026  \t  565.430\n")


def test_text_export_fields_padded_with_spaces_no_header(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    parsed = read_un_rates(path)
    assert parsed.kind == "text"
    assert [(r.currency, r.effective, r.units_per_usd, r.where) for r in parsed.records] == [
        ("AFN", date(2026, 10, 1), 68.55, "line 1, AFGHANISTAN"),
        ("ALL", date(2026, 10, 1), 82.1, "line 2, ALBANIA"),
        ("EUR", date(2026, 10, 1), 0.862, "line 3, ANDORRA"),
        ("XOF", date(2026, 10, 1), 565.43, "line 5, COTE D'IVOIRE")]


def test_text_export_in_windows_encoding_with_trailing_tabs():
    data = "CÔTE D'IVOIRE\tFranc CFA\tXOF\t01 Oct 2026\t565.43\t\t\r\n".encode("cp1252")
    [only] = parse_un_rates(data, "r.txt").records
    assert (only.currency, only.units_per_usd, only.where) == ("XOF", 565.43,
                                                               "line 1, CÔTE D'IVOIRE")


def test_thousands_separators_in_large_rates():
    [only] = parse_un_rates(b"IRAN\tRial\tIRR\t01 Oct 2026\t42,000.50\n").records
    assert only.units_per_usd == 42000.5


@pytest.mark.parametrize("data, words", [
    (b"", "has no rates"),
    (b"\n  \n", "has no rates"),
    (b'<?xml version="1.0"?><UN_OPERATIONAL_RATES_DATASET>' + SCHEMA.encode()
     + b"</UN_OPERATIONAL_RATES_DATASET>", "has no rates"),
    (b"<?xml version='1.0'?><rss><channel/></rss>", "not a UN operational rates file"),
    (b"<UN_OPERATIONAL_RATES_DATASET><UN_OPERATIONAL_RATES>", "not readable XML (line 1"),
    (b"PK\x03\x04rest-of-a-zip", "is an Excel workbook"),
    (b"Currency,Date,Rate\nEUR,2026-10-01,0.9\n", "not a UN operational rates file"),
    (b"\x00\x01\x02\x03binary", "not a UN operational rates file"),
])
def test_files_that_are_not_rates_files(data, words):
    with pytest.raises(RatesFileError) as caught:
        parse_un_rates(data, "r.dat")
    message = str(caught.value)
    assert words in message and message.startswith("r.dat") and "\n" not in message


@pytest.mark.parametrize("data, words", [
    (xml_file(FRANCE, record("JAPAN", "Yen", "JPY", "31 Sep 2026", "147.35")),
     "r.dat, line 31, JAPAN: the effective date “31 Sep 2026” is not a date"),
    (xml_file(record("JAPAN", "Yen", "JPY", "01/10/2026", "147.35")),
     "line 23, JAPAN: the effective date “01/10/2026” is not a date"),
    (xml_file(record("JAPAN", "Yen", "JPY", "01 Oct 2026", "n/a")),
     "line 23, JAPAN: the rate “n/a” of JPY is not a number"),
    (xml_file(record("JAPAN", "Yen", "JPY", "01 Oct 2026", "-3")),
     "line 23, JAPAN: the rate “-3” of JPY is not a number"),
    (xml_file(record("JAPAN", "Yen", "", "01 Oct 2026", "147")),
     "line 23, JAPAN: the record has no <f_curr_code>"),
    (xml_file(record("JAPAN", "Yen", "YEN1", "01 Oct 2026", "147")),
     "line 23, JAPAN: “YEN1” is not a 3-letter ISO currency code"),
    (TEXT.encode() + b"BRAZIL\tReal\tBRL\t01 Okt 2026\t5.1\n",
     "line 6, BRAZIL: the effective date “01 Okt 2026” is not a date"),
    (TEXT.encode() + b"BRAZIL\tReal\tBRL\t01 Oct 2026\t5,1\n",
     "line 6, BRAZIL: the rate “5,1” of BRL is not a number"),
    (TEXT.encode() + b"BRAZIL Real BRL 01 Oct 2026 5.1\n",
     "r.dat, line 6: 1 tab-separated field instead of 5"),
])
def test_bad_date_rate_or_code_names_the_line(data, words):
    with pytest.raises(RatesFileError) as caught:
        parse_un_rates(data, "r.dat")
    assert words in str(caught.value)


def test_a_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(RatesFileError, match="does not exist"):
        read_un_rates(tmp_path / "nope.xml")


# -- properties: whatever the padding, both exports give the same records ---------------------
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
codes = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
rows = st.lists(st.tuples(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-", min_size=1, max_size=20).filter(str.strip),
    codes,
    st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    st.decimals(min_value="0.0001", max_value="999999", places=4),
), min_size=1, max_size=12)
pads = st.lists(st.sampled_from(["", " ", "   ", "  "]), min_size=10, max_size=10)


@given(rows, pads)
def test_text_and_xml_exports_read_the_same(rows, pad):
    def padded(i: int, text: str) -> str:
        return pad[i] + text + pad[i + 5]

    text_lines, records = [], []
    for country, code, day, rate in rows:
        shown = f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"
        fields = [country, "Some currency", code, shown, str(rate)]
        text_lines.append("\t".join(padded(i, f) for i, f in enumerate(fields)))
        records.append(record(country.strip(), "Some currency", code, shown, str(rate)))
    expected = [(code, day, float(rate)) for _, code, day, rate in rows]
    from_text = parse_un_rates("\n".join(text_lines).encode(), "r.txt").records
    from_xml = parse_un_rates(xml_file(*records), "r.xml").records
    assert [(r.currency, r.effective, r.units_per_usd) for r in from_text] == expected
    assert [(r.currency, r.effective, r.units_per_usd) for r in from_xml] == expected
    assert [r.where for r in from_text] == [f"line {n}, {' '.join(c.split())}"
                                            for n, (c, *_rest) in enumerate(rows, start=1)]


def test_a_header_line_added_by_a_spreadsheet_is_tolerated():
    data = (b"Country\tCurrency name\tISO code\tEffective date\tRate\n"
            b"JAPAN\tYen\tJPY\t01 Oct 2026\t147.35\n")
    [only] = parse_un_rates(data, "r.txt").records
    assert (only.currency, only.where) == ("JPY", "line 2, JAPAN")


@pytest.mark.parametrize("shown, day", [
    ("01 Oct 2026", date(2026, 10, 1)), ("1 Oct 2026", date(2026, 10, 1)),
    ("01-OCT-26", date(2026, 10, 1)), ("01 October 2026", date(2026, 10, 1)),
    ("15 Sept 2026", date(2026, 9, 15)), ("2026-10-01", date(2026, 10, 1)),
    ("2026-10-01T00:00:00", date(2026, 10, 1)),
])
def test_effective_date_spellings(shown, day):
    [only] = parse_un_rates(f"JAPAN\tYen\tJPY\t{shown}\t147\n".encode(), "r.txt").records
    assert only.effective == day
