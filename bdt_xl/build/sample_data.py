"""Bundled sample data: agreements whose report reproduces the figures published to TDAG-23.

``sample_agreements()`` gives 101 agreements: 71 signed in 2022 and 30 between 1 January and
30 April 2023. Refreshed with ``sample_settings()`` (report year 2023, through 30 April) they
yield the published report: every published count exactly (agreements, financial agreements,
distinct partners by type and ITU membership, agreements by region and priority, both
year-to-date windows), every published share of funds (by partner type, region and priority,
the 2023 co-financing split) to about 1e-9, the totals as rounded in the text, and the
published top-three partners with their amounts in original currency.

Nothing is typed row by row. Per year, with a fixed seed: the published top partners'
agreements come first (amounts fixed in their currency). The money still to place is laid out
by the north-west corner rule over all published margins at once (partner type, region,
priority, in or out of the January-April window; classes in random order), which meets every
margin exactly with a few cells; each cell is split over one or more financial agreements. The
non-financial agreements take the labels left over; agreements are then grouped into the
published number of partners per type and membership (pairs swapped until the window holds
its published partner count), the partners get made-up generic names, the agreements dates,
ITU components (the published window total) and amounts in the partner's currency at the
``sample_rates()`` in force on the signing date (cents rounded). Draws that would break a
published figure or look implausible (an agreement under 5,000 USD, another partner near the
top three) are drawn again. Only the six top partners' names and amounts come from the
report; every other name and amount is illustrative.

One liberty: the published Kigali-priority shares of 2023 leave no priority room for a single
600,000 USD agreement once the European Commission and GIZ are placed, so the Ministry of
Internal Affairs and Communications of Japan signs three agreements (200,000 + 250,000 +
150,000 USD). Its contribution, its rank and every published share then hold together.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from bdt_xl import schema as s
from bdt_xl.core.lists import NON_MEMBER, normalize

SEED = 20230430
REPORT_YEAR = 2023
THROUGH = date(2023, 4, 30)
LANGUAGE = "en"

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
_REVISIONS = (("GBP", date(2022, 9, 28), 0.897), ("JPY", date(2022, 10, 21), 149.6))


def _months(first: date, count: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def sample_rates() -> list[dict]:
    """Monthly UN-style operational rates (units per 1 USD), December 2021 to April 2023.

    Illustrative values close to the market rates of the time, NOT the official UN series;
    they include two mid-month revisions (GBP on 28 September 2022, JPY on 21 October 2022).
    """
    rows = []
    for currency, series in _MONTHLY.items():
        values = [float(v) for v in series.split()]
        for month, units in zip(_months(date(2021, 12, 1), len(values)), values, strict=True):
            rows.append({s.CURRENCY: currency, s.EFFECTIVE_FROM: month, s.UNITS_PER_USD: units})
    for currency, day, units in _REVISIONS:
        rows.append({s.CURRENCY: currency, s.EFFECTIVE_FROM: day, s.UNITS_PER_USD: units})
    return sorted(rows, key=lambda r: (r[s.CURRENCY], r[s.EFFECTIVE_FROM]))


def _rate_lookup(rates: list[dict]):
    """``units(currency, day)``: the row with the latest *Effective from* <= day (USD = 1)."""
    table: dict[str, tuple[list[date], list[float]]] = {}
    for row in sorted(rates, key=lambda r: r[s.EFFECTIVE_FROM]):
        days, units = table.setdefault(row[s.CURRENCY], ([], []))
        days.append(row[s.EFFECTIVE_FROM])
        units.append(row[s.UNITS_PER_USD])

    def units(currency: str, day: date) -> float:
        if currency == "USD":
            return 1.0
        days, values = table[currency]
        return values[bisect.bisect_right(days, day) - 1]
    return units


#: Creation time stamped in the bundled workbooks, so that rebuilding them changes no byte.
SAMPLE_CREATED = datetime(2023, 5, 1, 9, 0, 0)


def sample_settings() -> dict:
    """The Settings table of the sample workbook."""
    return {s.SETTING_REPORT_YEAR: REPORT_YEAR, s.SETTING_THROUGH: THROUGH,
            s.SETTING_LANGUAGE: LANGUAGE}


def empty_settings() -> dict:
    """The Settings table of an empty workbook: the setting names, no values, so that the
    report year and cut-off come from the rows the user types (SPEC §1 defaults)."""
    return dict.fromkeys(sample_settings())


# ============================================================================================
# What the report publishes (TDAG-23, section 3-4 text and the chart data at its end)
# ============================================================================================
@dataclass(frozen=True)
class _Anchor:
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
class _Plan:
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
    anchors: tuple[_Anchor, ...]
    currencies: tuple[str, ...] = ()      # each paid in by at least one agreement


_FDFA = "Federal Department of Foreign Affairs (FDFA), Switzerland"
_MPTF = "Multi-Partner Trust Fund Office (UN/UNDP)"
_DFAT = "Department of Foreign Affairs and Trade, Australia"
_EC = "European Commission"
_GIZ = "Deutsche Gesellschaft für Internationale Zusammenarbeit (GIZ)"
_MIC = "Ministry of Internal Affairs and Communications, Japan"
_MAY, _DEC = date(2022, 5, 1), date(2022, 12, 31)

_PLAN_2022 = _Plan(
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
        _Anchor(_FDFA, GOV, NM, MULTI, "Multi-thematic", "CHF", 2_400_000, _MAY, _DEC),
        _Anchor(_MPTF, UN, NM, ASIA, "Network and digital infrastructure", "USD", 1_600_000,
                date(2022, 1, 1), date(2022, 4, 30)),
        _Anchor(_DFAT, GOV, NM, ASIA, "Network and digital infrastructure", "AUD", 1_500_000,
                _MAY, _DEC),
    ),
    currencies=("AUD", "CHF", "EUR", "GBP", "JPY", "SAR", "USD"),
)

_KIGALI_EPR = "Enabling policy and regulatory environment"
_PLAN_2023 = _Plan(
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
        _Anchor(_EC, GOV, NM, MULTI, _KIGALI_EPR, "EUR", 3_000_000,
                date(2023, 3, 1), date(2023, 3, 31)),
        _Anchor(_GIZ, GOV, NM, MULTI, "Digital transformation", "EUR", 900_000,
                date(2023, 1, 9), date(2023, 1, 31)),
        _Anchor(_MIC, GOV, ADMIN, MULTI, "Digital transformation", "USD", 200_000,
                date(2023, 2, 1), THROUGH),
        _Anchor(_MIC, GOV, ADMIN, MULTI, "Affordable connectivity", "USD", 250_000,
                date(2023, 2, 1), THROUGH),
        _Anchor(_MIC, GOV, ADMIN, MULTI, _KIGALI_EPR, "USD", 150_000, date(2023, 2, 1), THROUGH),
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


def _candidates(ptype: str, membership: str, region: str) -> list[tuple[str, str]]:
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


# ============================================================================================
# Drawing one year
# ============================================================================================
_EPS = 1e-6     # USD: below this a remainder is zero
_MIN_USD = 5_000  # smallest fitted agreement


@dataclass(eq=False)
class _Partner:
    ptype: str
    membership: str
    anchor: bool = False
    name: str = ""
    currency: str = "USD"


@dataclass(eq=False)
class _Deal:
    ptype: str
    partner: _Partner | None = None
    anchor: _Anchor | None = None
    financial: bool = False
    in_window: bool | None = None
    region: str = ""
    priority: str = ""
    signed_on: date = date.min
    funds: float = 0.0  # USD, partner + ITU component
    itu: float = 0.0    # USD
    spelling: str = ""  # the partner name as typed on this row


class _Retry(Exception):
    """This draw cannot meet the published figures; draw again."""


def _require(condition: bool) -> None:
    if not condition:
        raise _Retry


def _weekday(first: date, last: date, rng: np.random.RandomState) -> date:
    while True:
        day = first + timedelta(days=int(rng.randint((last - first).days + 1)))
        if day.weekday() < 5:
            return day


def _anchor_deals(plan: _Plan, units, rng: np.random.RandomState) -> list[_Deal]:
    partners: dict[str, _Partner] = {}
    deals = []
    for a in plan.anchors:
        partner = partners.setdefault(a.partner, _Partner(a.ptype, a.membership, True,
                                                          a.partner, a.currency))
        day = _weekday(a.first, a.last, rng)
        deals.append(_Deal(a.ptype, partner, a, True, a.last <= plan.window_end, a.region,
                           a.priority, day, a.amount / units(a.currency, day)))
    return deals


def _splits(plan: _Plan) -> dict[str, tuple[dict, dict | None]]:
    """Per attribute of an agreement: (agreements per label, share of funds per label)."""
    inside = plan.window_funds / plan.funds
    outside = sum(plan.agreements.values()) - plan.window_agreements
    return {"region": (plan.regions, plan.region_funds),
            "priority": (plan.priorities, plan.priority_funds),
            "in_window": ({True: plan.window_agreements, False: outside},
                          {True: inside, False: 1.0 - inside}),
            "ptype": (plan.agreements, plan.type_funds)}


def _corner(needs: dict[str, dict], rng: np.random.RandomState) -> list[tuple[dict, float]]:
    """North-west corner rule over several margins at once, classes in random order: a few
    cells (one label per attribute, an amount) whose sums meet every margin exactly."""
    queues = {attr: [list(need)[i] for i in rng.permutation(len(need))]
              for attr, need in needs.items()}
    left = {attr: dict(need) for attr, need in needs.items()}
    cells = []
    while all(queues.values()):
        labels = {attr: queue[0] for attr, queue in queues.items()}
        amount = min(left[attr][label] for attr, label in labels.items())
        if amount > _EPS:
            cells.append((labels, amount))
        for attr, label in labels.items():
            left[attr][label] -= amount
            if left[attr][label] <= _EPS:
                queues[attr].pop(0)
    _require(not any(queues.values()))
    return cells


def _financial_deals(plan: _Plan, anchors: list[_Deal], room: dict[str, Counter],
                     rng: np.random.RandomState) -> list[_Deal]:
    """The financial agreements besides the anchors, with labels and USD funds that meet the
    published shares: corner cells, each split over one or more agreements."""
    needs = {}
    for attr, (_, shares) in _splits(plan).items():
        if shares is None:
            continue
        need = {label: share * plan.funds for label, share in shares.items()}
        for d in anchors:
            need[getattr(d, attr)] -= d.funds
        _require(all(v > -_EPS for v in need.values()))
        needs[attr] = {label: v for label, v in need.items() if v > _EPS}
    cells = _corner(needs, rng)
    wanted = Counter(plan.financial)
    wanted.subtract(d.ptype for d in anchors)
    typed = "ptype" in needs
    # (labels, amount, [agreements sharing the cell]): one each to start; every further
    # agreement of a type goes to its cell with most money per agreement whose labels have room
    groups = [(labels, amount, [1]) for labels, amount in cells]
    for labels, _, _ in groups:
        for attr, label in labels.items():
            room[attr][label] -= 1
    _require(all(n >= 0 for counter in room.values() for n in counter.values()))

    def open_(labels: dict) -> bool:
        return all(room[attr][label] > 0 for attr, label in labels.items() if attr != "ptype")

    for ptype in (wanted if typed else [None]):
        mine = [g for g in groups if not typed or g[0]["ptype"] == ptype]
        extra = (wanted[ptype] if typed else sum(wanted.values())) - len(mine)
        _require(extra >= 0)
        for _ in range(extra):
            spare = [g for g in mine if open_(g[0])]
            _require(bool(spare))
            labels, amount, count = max(spare, key=lambda g: g[1] / g[2][0])
            count[0] += 1
            for attr, label in labels.items():
                if attr != "ptype":
                    room[attr][label] -= 1
    deals = []
    for labels, amount, (count,) in groups:
        for part in rng.dirichlet([4.0] * count) * amount:
            _require(part >= _MIN_USD)
            deals.append(_Deal(labels.get("ptype", ""), financial=True, funds=float(part),
                               **{k: v for k, v in labels.items() if k != "ptype"}))
    if not typed:
        types = [t for t, n in wanted.items() for _ in range(n)]
        for d, i in zip(deals, rng.permutation(len(types)), strict=True):
            d.ptype = types[i]
    return deals


def _other_deals(plan: _Plan, room: dict[str, Counter], taken: list[_Deal],
                 rng: np.random.RandomState) -> list[_Deal]:
    """The non-financial agreements, taking the labels still unused."""
    done = Counter(d.ptype for d in taken)
    deals = [_Deal(t) for t, n in plan.agreements.items() for _ in range(n - done[t])]
    for attr, counter in room.items():
        if attr == "ptype":
            continue
        labels = [label for label, n in counter.items() for _ in range(n)]
        for d, i in zip(deals, rng.permutation(len(labels)), strict=True):
            setattr(d, attr, labels[i])
    return deals


def _group(plan: _Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
    """Who signed what: the published partners per type and membership, each with at least
    one agreement; pairs are swapped until the window holds the published partner count."""
    fixed = Counter((d.partner.ptype, d.partner.membership)
                    for d in {id(d.partner): d for d in deals if d.anchor}.values())
    free = [d for d in deals if not d.anchor]
    for ptype in plan.agreements:
        partners = [_Partner(ptype, m) for (t, m), n in plan.partners.items() if t == ptype
                    for _ in range(n - fixed[(t, m)])]
        mine = [free[i] for i in rng.permutation(len(free)) if free[i].ptype == ptype]
        _require(len(mine) >= len(partners))
        for i, d in enumerate(mine):
            d.partner = partners[i] if i < len(partners) else partners[rng.randint(len(partners))]

    def gap() -> int:
        return len({id(d.partner) for d in deals if d.in_window}) - plan.window_partners

    for _ in range(3_000):
        before = gap()
        if before == 0:
            return
        a, b = (free[i] for i in rng.randint(len(free), size=2))
        if a.ptype != b.ptype or a.in_window == b.in_window or a.partner is b.partner:
            continue
        a.partner, b.partner = b.partner, a.partner
        if abs(gap()) > abs(before):
            a.partner, b.partner = b.partner, a.partner
    raise _Retry


def _name_partners(deals: list[_Deal], taken: set[str], rng: np.random.RandomState) -> None:
    regions: dict[int, set[str]] = {}
    for d in deals:
        regions.setdefault(id(d.partner), set()).add(d.region)
    for d in deals:
        p = d.partner
        if not p.name:
            home = regions[id(p)]
            region = next(iter(home)) if len(home) == 1 else MULTI
            options = [c for c in _candidates(p.ptype, p.membership, region)
                       if normalize(c[0]) not in taken]
            _require(bool(options))
            p.name, p.currency = options[rng.randint(len(options))]
            taken.add(normalize(p.name))
        d.spelling = p.name


def _date_deals(plan: _Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
    for d in deals:
        if d.anchor:
            continue
        if d.in_window:
            d.signed_on = _weekday(date(plan.year, 1, 1), plan.window_end, rng)
        else:
            d.signed_on = _weekday(plan.window_end + timedelta(days=1),
                                   date(plan.year, 12, 31), rng)
    for currency, day, _ in _REVISIONS:  # someone signs while a mid-month revision applies
        movable = [d for d in deals if d.financial and not d.anchor and not d.in_window
                   and d.partner.currency == currency and day.year == plan.year]
        if movable:
            month_end = date(day.year, day.month + 1, 1) - timedelta(days=1)
            movable[rng.randint(len(movable))].signed_on = _weekday(day, month_end, rng)


def _split_itu(plan: _Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
    """ITU components: the published window total; a few illustrative ones elsewhere."""
    free = [d for d in deals if d.financial and not d.anchor]
    inside = [d for d in free if d.in_window and rng.random_sample() < 0.6]
    _require(bool(inside))
    weight = rng.uniform(0.1, 0.45, len(inside))
    weight *= plan.window_itu / float(np.dot(weight, [d.funds for d in inside]))
    _require(float(weight.max()) <= 0.5)
    for d, w in zip(inside, weight):
        d.itu = w * d.funds
    for d in free:
        if not d.in_window and rng.random_sample() < 0.3:
            d.itu = rng.uniform(0.05, 0.3) * d.funds


def _check_top(deals: list[_Deal]) -> None:
    """The anchors are the top partners, in the published order, clear of everyone else."""
    own: dict[int, float] = {}
    for d in deals:
        own[id(d.partner)] = own.get(id(d.partner), 0.0) + d.funds - d.itu
    top = {id(d.partner): own[id(d.partner)] for d in deals if d.anchor}
    _require(sorted(top, key=top.get, reverse=True) == list(top))
    _require(max(usd for key, usd in own.items() if key not in top) < 0.8 * min(top.values()))


def _respell_one(deals: list[_Deal], rng: np.random.RandomState) -> None:
    """One repeat partner typed differently on one row (case and spacing only)."""
    repeat = [d for d in deals if not d.anchor
              and sum(e.partner is d.partner for e in deals) > 1]
    d = repeat[rng.randint(len(repeat))]
    first, rest = d.partner.name.split(" ", 1)
    d.spelling = f"{first}  {rest.lower()} "


def _draw_year(plan: _Plan, units, taken: set[str], rng: np.random.RandomState) -> list[_Deal]:
    for _ in range(10_000):
        try:
            deals = _anchor_deals(plan, units, rng)
            room = {attr: Counter(counts) for attr, (counts, _) in _splits(plan).items()}
            for d in deals:
                for attr, counter in room.items():
                    counter[getattr(d, attr)] -= 1
            deals += _financial_deals(plan, deals, room, rng)
            deals += _other_deals(plan, room, deals, rng)
            _group(plan, deals, rng)
            _name_partners(deals, set(taken), rng)  # names may recur across years
            _require(set(plan.currencies) <= {d.partner.currency for d in deals if d.financial})
            _date_deals(plan, deals, rng)
            _split_itu(plan, deals, rng)
            _check_top(deals)
        except _Retry:
            continue
        return deals
    raise RuntimeError(f"no sample draw for {plan.year} meets the published figures")


# ============================================================================================
# Rows
# ============================================================================================
_MINOR_UNITS = {"JPY": 0}  # decimals of an amount, 2 unless listed


def _row(agreement_id: str, d: _Deal, units, rng: np.random.RandomState) -> dict:
    p = d.partner
    membership = p.membership if p.membership != NM or rng.random_sample() < 0.5 else None
    row = {s.AGREEMENT_ID: agreement_id, s.PARTNER: d.spelling, s.PARTNER_TYPE: p.ptype,
           s.MEMBERSHIP: membership, s.REGION: d.region, s.PRIORITY: d.priority,
           s.SIGNED_ON: d.signed_on, s.CURRENCY: None, s.PARTNER_AMOUNT: None,
           s.ITU_AMOUNT: None}
    if d.financial:
        rate, digits = units(p.currency, d.signed_on), _MINOR_UNITS.get(p.currency, 2)
        itu = round(d.itu * rate, digits)
        own = d.anchor.amount if d.anchor else round(d.funds * rate, digits) - itu
        row.update({s.CURRENCY: p.currency, s.PARTNER_AMOUNT: round(own, digits),
                    s.ITU_AMOUNT: itu or None})
    return row


def sample_agreements() -> list[dict]:
    """The sample Agreements rows (keys = ``schema.AGREEMENT_COLUMNS``), oldest first.

    Deterministic: the same rows on every call and platform (NumPy's frozen legacy
    ``RandomState`` stream, fixed seed).
    """
    rng = np.random.RandomState(SEED)
    units = _rate_lookup(sample_rates())
    taken: set[str] = {normalize(a.partner) for plan in PLANS for a in plan.anchors}
    rows: list[dict] = []
    for plan in PLANS:
        deals = _draw_year(plan, units, taken, rng)
        _respell_one(deals, rng)
        deals.sort(key=lambda d: d.signed_on)
        rows += [_row(f"BDT-{plan.year}-{i:03d}", d, units, rng)
                 for i, d in enumerate(deals, start=1)]
    return rows


def sample_tables() -> dict[str, list[list]]:
    """The sample input as ``engine.run_tables`` takes it: each table as rows, header first."""
    settings = sample_settings()
    return {
        s.AGREEMENTS: [list(s.AGREEMENT_COLUMNS)]
        + [[row[c] for c in s.AGREEMENT_COLUMNS] for row in sample_agreements()],
        s.RATES: [list(s.RATE_COLUMNS)]
        + [[row[c] for c in s.RATE_COLUMNS] for row in sample_rates()],
        s.SETTINGS: [list(s.SETTINGS_COLUMNS)] + [[k, v] for k, v in settings.items()],
    }
