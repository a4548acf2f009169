"""UN operational rates files written the way the UN Treasury's page saves them: the XML
export (its inline ``xs:schema`` first, one record per country) and the tab-separated text."""

from __future__ import annotations

SCHEMA = """  <xs:schema id="UN_OPERATIONAL_RATES_DATASET" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
    <xs:element name="UN_OPERATIONAL_RATES_DATASET" msdata:IsDataSet="true" msdata:UseCurrentLocale="true">
      <xs:complexType>
        <xs:choice minOccurs="0" maxOccurs="unbounded">
          <xs:element name="UN_OPERATIONAL_RATES">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="abbrv_name" type="xs:string" minOccurs="0" />
                <xs:element name="name" type="xs:string" minOccurs="0" />
                <xs:element name="f_curr_code" type="xs:string" minOccurs="0" />
                <xs:element name="eff_date" type="xs:string" minOccurs="0" />
                <xs:element name="rate" type="xs:decimal" minOccurs="0" />
              </xs:sequence>
            </xs:complexType>
          </xs:element>
        </xs:choice>
      </xs:complexType>
    </xs:element>
  </xs:schema>
"""


def record(country: str, name: str, code: str, day: str, rate: str) -> str:
    return (f"  <UN_OPERATIONAL_RATES>\n    <abbrv_name>{country}</abbrv_name>\n"
            f"    <name>{name}</name>\n    <f_curr_code>{code}</f_curr_code>\n"
            f"    <eff_date>{day}</eff_date>\n    <rate>{rate}</rate>\n"
            "  </UN_OPERATIONAL_RATES>\n")


def xml_file(*records: str, stray: str = "\n") -> bytes:
    body = stray.join(records)
    return ('<?xml version="1.0" standalone="yes"?>\n<UN_OPERATIONAL_RATES_DATASET>\n'
            f"{SCHEMA}{stray}{body}</UN_OPERATIONAL_RATES_DATASET>\n").encode()


def text_file(records) -> bytes:
    """The text export: Country, Currency name, ISO code, Effective date, Rate, padded."""
    return "".join(f"{c:<22}\t{n:<22}\t{code:<4}\t{d:<12}\t{r:>10}\n"
                   for c, n, code, d, r in records).encode("utf-8")
