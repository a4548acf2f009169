"""What the sample data must reproduce: the figures TDAG-23 publishes (section 3-4 text and
the chart data at its end), the illustrative UN-style rates, and the pools of generic partner
names. Read by ``generate_sample.py``; nothing of the package imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bdt_xl import schema as s
from bdt_xl.core.lists import NON_MEMBER

THROUGH = date(2023, 4, 30)

# -- list labels (as in bdt_xl.core.lists) ---------------------------------------------------------
GOV, PRIVATE, ACADEMIC = "Governmental entities", "Private sector entities", "Academic institutions"
UN, INTL = "UN organizations", "International and regional organizations"
FINANCIAL, FOUNDATION, OTHER = "Financial institutions", "Foundations", "Other"
ADMIN, AFFILIATED, ROA, SIO = "ADMIN", "ADMIN-affiliated", "ROA", "SIO"
REGINTORG, UNIVERS, OTHER_ITU, NM = "REGINTORG", "UNIVERS/RSRCH", "Other ITU entity", NON_MEMBER
AFRICA, AMERICAS, ARAB, ASIA = "Africa", "Americas", "Arab States", "Asia-Pacific"
CIS, EUROPE, MULTI = "CIS", "Europe", "Multi-regions"
REGIONS = (AFRICA, AMERICAS, ARAB, ASIA, CIS, EUROPE, MULTI)

# ============================================================================================
# Rates
# ============================================================================================
#: Units per USD on the 1st of each month, December 2021 ... April 2023 (17 months).
_MONTHLY = {
    "AUD": "1.404 1.377 1.393 1.371 1.336 1.413 1.393 1.452 1.432 1.459 1.548 1.550 1.484 "
           "1.476 1.421 1.487 1.497",
    "CAD": "1.277 1.263 1.275 1.267 1.250 1.285 1.268 1.288 1.280 1.314 1.373 1.362 1.352 "
           "1.356 1.332 1.362 1.352",
    "CHF": "0.925 0.920 0.922 0.924 0.929 0.970 0.959 0.955 0.961 0.978 0.985 0.990 0.946 "
           "0.925 0.922 0.934 0.915",
    "EUR": "0.884 0.880 0.891 0.901 0.905 0.949 0.933 0.959 0.978 0.994 1.008 1.004 0.961 "
           "0.937 0.922 0.944 0.918",
    "GBP": "0.752 0.739 0.745 0.747 0.765 0.797 0.791 0.823 0.820 0.860 0.894 0.864 0.830 "
           "0.829 0.823 0.830 0.809",
    "JPY": "115.0 115.1 115.5 115.1 122.4 129.7 128.7 135.7 133.3 138.9 144.7 147.9 138.2 "
           "132.7 130.5 136.0 132.9",
    "SAR": " ".join(["3.750"] * 17),
}
#: Mid-month revisions (currency, effective from, units per USD).
REVISIONS = (("GBP", date(2022, 9, 28), 0.897), ("JPY", date(2022, 10, 21), 149.6))


def _months(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def rate_rows() -> list[dict]:
    """Monthly UN-style operational rates (units per 1 USD), December 2021 to April 2023.

    Illustrative values close to the market rates of the time, NOT the official UN series;
    they include two mid-month revisions (GBP on 28 September 2022, JPY on 21 October 2022).
    """
    rows = []
    for currency, series in _MONTHLY.items():
        values = [float(v) for v in series.split()]
        for month, units in zip(_months(date(2021, 12, 1), len(values)), values, strict=True):
            rows.append({s.CURRENCY: currency, s.EFFECTIVE_FROM: month, s.UNITS_PER_USD: units})
    for currency, day, units in REVISIONS:
        rows.append({s.CURRENCY: currency, s.EFFECTIVE_FROM: day, s.UNITS_PER_USD: units})
    return sorted(rows, key=lambda r: (r[s.CURRENCY], r[s.EFFECTIVE_FROM]))


# ============================================================================================
# What the report publishes (TDAG-23, section 3-4 text and the chart data at its end)
# ============================================================================================
@dataclass(frozen=True)
class Anchor:
    """A published top-partner agreement: partner amount fixed, signed within [first, last]."""
    partner: str
    ptype: str
    membership: str
    region: str
    priority: str
    currency: str
    amount: float
    first: date
    last: date


@dataclass(frozen=True)
class Plan:
    year: int
    partners: dict[tuple[str, str], int]  # (type, membership) -> distinct partners
    agreements: dict[str, int]            # type -> agreements
    financial: dict[str, int]             # type -> financial agreements
    regions: dict[str, int]
    priorities: dict[str, int]
    funds: float                          # USD, all agreements of the year
    region_funds: dict[str, float]        # published shares
    priority_funds: dict[str, float]
    type_funds: dict[str, float] | None
    window_end: date                      # year-to-date cut-off
    window_agreements: int
    window_partners: int
    window_funds: float
    window_itu: float
    anchors: tuple[Anchor, ...]
    currencies: tuple[str, ...] = ()      # each paid in by at least one agreement


_FDFA = "Federal Department of Foreign Affairs (FDFA), Switzerland"
_MPTF = "Multi-Partner Trust Fund Office (UN/UNDP)"
_DFAT = "Department of Foreign Affairs and Trade, Australia"
_EC = "European Commission"
_GIZ = "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)"
_MIC = "Ministry of Internal Affairs and Communications, Japan"
_MAY, _DEC = date(2022, 5, 1), date(2022, 12, 31)

_PLAN_2022 = Plan(
    year=2022,
    partners={(GOV, ADMIN): 11, (GOV, AFFILIATED): 5, (GOV, NM): 8, (PRIVATE, SIO): 4,
              (PRIVATE, ROA): 3, (PRIVATE, NM): 11, (ACADEMIC, UNIVERS): 1, (ACADEMIC, NM): 3,
              (UN, NM): 4, (OTHER, OTHER_ITU): 1, (OTHER, NM): 2, (INTL, REGINTORG): 2,
              (FINANCIAL, NM): 1, (FOUNDATION, NM): 1},
    agreements={GOV: 30, PRIVATE: 22, UN: 6, ACADEMIC: 5, OTHER: 3, INTL: 2, FINANCIAL: 1,
                FOUNDATION: 2},
    financial={GOV: 26, PRIVATE: 15, UN: 5, OTHER: 3, FOUNDATION: 1},
    regions={AFRICA: 9, AMERICAS: 6, ARAB: 6, ASIA: 17, CIS: 2, EUROPE: 3, MULTI: 28},
    priorities={"Capacity development": 10, "Cybersecurity": 1, "Digital inclusion": 18,
                "Digital innovation ecosystem": 11, "Digital services and applications": 3,
                "Emergency telecommunications": 5, "Environment": 2,
                "Network and digital infrastructure": 9, "Statistics": 1, "Multi-thematic": 11},
    funds=9_700_000.0,
    region_funds={AFRICA: 6.6484097710276691e-2, AMERICAS: 2.0108025308975777e-2,
                  ARAB: 3.8320349054801812e-2, ASIA: 0.43300187770734178,
                  CIS: 9.4441740140485224e-3, EUROPE: 2.4056722749690763e-2,
                  MULTI: 0.40858475345486467},
    priority_funds={"Capacity development": 5.2767537100930307e-3, "Cybersecurity": 0.0,
                    "Digital inclusion": 0.15523480338882897,
                    "Digital innovation ecosystem": 2.5026445817589681e-2,
                    "Digital services and applications": 4.6728304113923688e-2,
                    "Emergency telecommunications": 2.1820578791369515e-2,
                    "Environment": 3.4126971569440477e-3,
                    "Network and digital infrastructure": 0.38858779592608761,
                    "Statistics": 0.0, "Multi-thematic": 0.35391262109516347},
    type_funds={FOUNDATION: 1.7172596154231437e-3, GOV: 0.75591283968683143,
                OTHER: 1.5684304487531379e-2, PRIVATE: 4.2139604734919796e-2,
                UN: 0.1845459914752943},
    window_end=date(2022, 4, 30), window_agreements=33, window_partners=28,
    window_funds=3_890_000.0, window_itu=460_000.0,
    anchors=(
        Anchor(_FDFA, GOV, NM, MULTI, "Multi-thematic", "CHF", 2_400_000, _MAY, _DEC),
        Anchor(_MPTF, UN, NM, ASIA, "Network and digital infrastructure", "USD", 1_600_000,
                date(2022, 1, 1), date(2022, 4, 30)),
        Anchor(_DFAT, GOV, NM, ASIA, "Network and digital infrastructure", "AUD", 1_500_000,
                _MAY, _DEC),
    ),
    currencies=("AUD", "CHF", "EUR", "GBP", "JPY", "SAR", "USD"),
)

_KIGALI_EPR = "Enabling policy and regulatory environment"
_PLAN_2023 = Plan(
    year=2023,
    partners={(ACADEMIC, UNIVERS): 3, (ACADEMIC, NM): 6, (GOV, ADMIN): 4, (GOV, NM): 4,
              (UN, NM): 4, (PRIVATE, SIO): 2, (INTL, REGINTORG): 1, (INTL, NM): 1,
              (FINANCIAL, NM): 1},
    agreements={ACADEMIC: 10, GOV: 10, UN: 5, PRIVATE: 2, INTL: 2, FINANCIAL: 1},
    financial={GOV: 8, UN: 2, PRIVATE: 1, FINANCIAL: 1},
    regions={AFRICA: 6, AMERICAS: 4, ASIA: 9, EUROPE: 4, MULTI: 7},
    priorities={"Affordable connectivity": 3, "Digital transformation": 4, _KIGALI_EPR: 14,
                "Inclusive and secure telecommunications/ICTs for sustainable development": 4,
                "Multi-priorities": 5},
    funds=5_410_000.0,
    region_funds={AFRICA: 5.1380640731537412e-2, AMERICAS: 2.0191970120552884e-2,
                  ASIA: 2.9387979633972335e-2, EUROPE: 0.0, MULTI: 0.89903940951393735},
    priority_funds={"Affordable connectivity": 6.1040372102108331e-2,
                    "Digital transformation": 0.23265630312130867,
                    _KIGALI_EPR: 0.62965566941126372,
                    "Inclusive and secure telecommunications/ICTs for sustainable development":
                        2.5267014633781813e-2,
                    "Multi-priorities": 5.1380640731537412e-2},
    type_funds=None,
    window_end=THROUGH, window_agreements=30, window_partners=26, window_funds=5_410_000.0,
    window_itu=1.6018473406189643e-2 * 5_410_000.0,
    anchors=(
        Anchor(_EC, GOV, NM, MULTI, _KIGALI_EPR, "EUR", 3_000_000,
                date(2023, 3, 1), date(2023, 3, 31)),
        Anchor(_GIZ, GOV, NM, MULTI, "Digital transformation", "EUR", 900_000,
                date(2023, 1, 9), date(2023, 1, 31)),
        Anchor(_MIC, GOV, ADMIN, MULTI, "Digital transformation", "USD", 200_000,
                date(2023, 2, 1), THROUGH),
        Anchor(_MIC, GOV, ADMIN, MULTI, "Affordable connectivity", "USD", 250_000,
                date(2023, 2, 1), THROUGH),
        Anchor(_MIC, GOV, ADMIN, MULTI, _KIGALI_EPR, "USD", 150_000, date(2023, 2, 1), THROUGH),
    ),
)
PLANS = (_PLAN_2022, _PLAN_2023)

# ============================================================================================
# Partner names (generic patterns; a name always has one type, membership and currency)
# ============================================================================================
#: country, region, currency, city
_COUNTRIES = (
    ("Kenya", AFRICA, "USD", "Nairobi"), ("Rwanda", AFRICA, "USD", "Kigali"),
    ("Ghana", AFRICA, "USD", "Accra"), ("Senegal", AFRICA, "USD", "Dakar"),
    ("Côte d'Ivoire", AFRICA, "USD", "Abidjan"), ("Uganda", AFRICA, "USD", "Kampala"),
    ("Zambia", AFRICA, "USD", "Lusaka"), ("Botswana", AFRICA, "USD", "Gaborone"),
    ("Brazil", AMERICAS, "USD", "São Paulo"), ("Colombia", AMERICAS, "USD", "Bogotá"),
    ("Costa Rica", AMERICAS, "USD", "San José"), ("Paraguay", AMERICAS, "USD", "Asunción"),
    ("Jamaica", AMERICAS, "USD", "Kingston"), ("Canada", AMERICAS, "CAD", "Ottawa"),
    ("Saudi Arabia", ARAB, "SAR", "Riyadh"), ("Egypt", ARAB, "USD", "Cairo"),
    ("Jordan", ARAB, "USD", "Amman"), ("Oman", ARAB, "USD", "Muscat"),
    ("Tunisia", ARAB, "USD", "Tunis"), ("Morocco", ARAB, "USD", "Rabat"),
    ("Japan", ASIA, "JPY", "Osaka"), ("Korea (Republic of)", ASIA, "USD", "Seoul"),
    ("Australia", ASIA, "AUD", "Melbourne"), ("India", ASIA, "USD", "Bengaluru"),
    ("Indonesia", ASIA, "USD", "Jakarta"), ("Philippines", ASIA, "USD", "Manila"),
    ("Thailand", ASIA, "USD", "Bangkok"), ("Fiji", ASIA, "USD", "Suva"),
    ("Bangladesh", ASIA, "USD", "Dhaka"), ("Viet Nam", ASIA, "USD", "Hanoi"),
    ("Kyrgyzstan", CIS, "USD", "Bishkek"), ("Uzbekistan", CIS, "USD", "Tashkent"),
    ("Armenia", CIS, "USD", "Yerevan"), ("Kazakhstan", CIS, "USD", "Almaty"),
    ("Switzerland", EUROPE, "CHF", "Lausanne"), ("Germany", EUROPE, "EUR", "Munich"),
    ("France", EUROPE, "EUR", "Lyon"), ("Spain", EUROPE, "EUR", "Madrid"),
    ("Estonia", EUROPE, "EUR", "Tallinn"), ("United Kingdom", EUROPE, "GBP", "Manchester"),
    ("Italy", EUROPE, "EUR", "Milan"), ("Portugal", EUROPE, "EUR", "Lisbon"),
)
#: Countries whose partners commonly fund multi-regional work.
_DONORS = ("Switzerland", "Germany", "France", "Spain", "Estonia", "United Kingdom", "Italy",
           "Japan", "Korea (Republic of)", "Australia", "Saudi Arabia", "Canada")
#: Bodies that would stand beside a published top partner of the same country.
_SHADOWED = {"Ministry of Foreign Affairs, Switzerland", "Ministry of Foreign Affairs, Australia",
             "Agency for International Development Cooperation, Germany",
             "Agency for International Development Cooperation, Switzerland"}

_ADMIN_BODIES = ("Ministry of Information and Communications Technology",
                 "Ministry of Digital Economy", "Ministry of Communications and Digital Affairs",
                 "Ministry of Posts and Telecommunications", "Ministry of Science and ICT")
_GOV_TEMPLATES = {
    AFFILIATED: ("Telecommunications Regulatory Authority, {c}", "Universal Service Fund, {c}",
                 "National Cybersecurity Agency, {c}"),
    NM: ("Ministry of Foreign Affairs, {c}",
         "Agency for International Development Cooperation, {c}",
         "Ministry of Education, {c}", "Ministry of Environment, {c}"),
}
_STEMS = ("Baobab", "Meridian", "Kestrel", "Andes", "Sahel", "Coral", "Orion", "Nordlys",
          "Cedar", "Monsoon", "Lagoon", "Savanna", "Aurora", "Tamarind", "Sierra", "Harbour",
          "Atlas", "Pinnacle", "Zephyr", "Lotus", "Equinox", "Altiplano", "Delta", "Summit")
_PRIVATE_WORDS = {ROA: ("Telecom", "Mobile", "Connect"),
                  SIO: ("Technologies", "Systems", "Satellite"),
                  NM: ("Digital", "Data Centres", "Software", "Cloud Services", "Analytics")}
_LEGAL = {"EUR": "S.A.", "CHF": "AG", "GBP": "plc", "JPY": "K.K.", "AUD": "Pty Ltd",
          "SAR": "Co.", "CAD": "Corp.", "USD": "Ltd"}
_UN_BODIES = (
    "United Nations Development Programme (UNDP)",
    "United Nations Children's Fund (UNICEF)",
    "UN Women",
    "United Nations Educational, Scientific and Cultural Organization (UNESCO)",
    "Food and Agriculture Organization of the United Nations (FAO)",
    "United Nations Office for Disaster Risk Reduction (UNDRR)",
    "World Food Programme (WFP)",
    "United Nations Conference on Trade and Development (UNCTAD)",
)
#: region -> (name, currency)
_REGIONAL_ORGS = {
    REGINTORG: {AFRICA: ("African Telecommunications Union (ATU)", "USD"),
                AMERICAS: ("Inter-American Telecommunication Commission (CITEL)", "USD"),
                ARAB: ("Arab ICT Organization (AICTO)", "USD"),
                ASIA: ("Asia-Pacific Telecommunity (APT)", "USD"),
                CIS: ("Regional Commonwealth in the Field of Communications (RCC)", "USD"),
                EUROPE: (("European Conference of Postal and Telecommunications "
                          "Administrations (CEPT)"), "EUR"),
                MULTI: ("Commonwealth Telecommunications Organisation (CTO)", "GBP")},
    NM: {AFRICA: ("West Africa Telecommunications Regulators Assembly (WATRA)", "USD"),
         AMERICAS: ("Organization of Eastern Caribbean States (OECS)", "USD"),
         ARAB: ("League of Arab States", "USD"), ASIA: ("Pacific Islands Forum Secretariat", "USD"),
         CIS: ("Eurasian Economic Commission", "USD"), EUROPE: ("Council of Europe", "EUR"),
         MULTI: ("Organisation internationale de la Francophonie (OIF)", "EUR")},
}
_BANKS = {AFRICA: ("African Development Bank", "USD"),
          AMERICAS: ("Inter-American Development Bank", "USD"),
          ARAB: ("Islamic Development Bank", "USD"), ASIA: ("Asian Development Bank", "USD"),
          CIS: ("European Bank for Reconstruction and Development", "EUR"),
          EUROPE: ("European Investment Bank", "EUR"), MULTI: ("World Bank Group", "USD")}


def _countries(region: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, str, str, str]]:
    if region == MULTI:
        found = [c for c in _COUNTRIES if c[0] in _DONORS]
    else:
        found = [c for c in _COUNTRIES if c[1] == region]
    return [c for c in found if c[0] not in exclude]


def candidates(ptype: str, membership: str, region: str) -> list[tuple[str, str]]:
    """(name, currency) a partner of this kind whose agreements are in ``region`` could have."""
    if ptype == GOV:
        if membership == ADMIN:  # one administration per country (Japan's is a top partner)
            return [(f"{_ADMIN_BODIES[_COUNTRIES.index(c) % len(_ADMIN_BODIES)]}, {c[0]}", c[2])
                    for c in _countries(region, ("Japan",))]
        names = [(t.format(c=c[0]), c[2]) for t in _GOV_TEMPLATES[membership]
                 for c in _countries(region)]
        return [(name, currency) for name, currency in names if name not in _SHADOWED]
    if ptype == PRIVATE:
        return [(f"{stem} {word} {_LEGAL[c[2]]}", c[2]) for stem in _STEMS
                for word in _PRIVATE_WORDS[membership] for c in _countries(region)]
    if ptype == ACADEMIC:
        pattern = ("University of {city}" if membership == UNIVERS
                   else "{city} Institute of Technology")
        return [(pattern.format(city=c[3]), c[2]) for c in _countries(region)]
    if ptype == UN:
        return [(name, "USD") for name in _UN_BODIES]
    if ptype == INTL:
        return [_REGIONAL_ORGS[membership][region]]
    if ptype == FINANCIAL:
        return [_BANKS[region]]
    if ptype == FOUNDATION:
        return [(f"{stem} Foundation", c[2]) for stem in _STEMS for c in _countries(region)]
    patterns = ("{country} ICT Industry Association",) if membership == OTHER_ITU else (
        "{city} Community Networks Association", "Women in Digital {country}")
    return [(pattern.format(country=c[0], city=c[3]), c[2]) for pattern in patterns
            for c in _countries(region)]
