"""Generate the bundled sample data: agreements whose report reproduces the figures
published to TDAG-23.

It writes 101 agreements: 71 signed in 2022 and 30 between 1 January and
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
``rate_rows()`` in force on the signing date (cents rounded). Draws that would break a
published figure or look implausible (an agreement under 5,000 USD, another partner near the
top three) are drawn again. Only the six top partners' names and amounts come from the
report; every other name and amount is illustrative.

One liberty: the published Kigali-priority shares of 2023 leave no priority room for a single
600,000 USD agreement once the European Commission and GIZ are placed, so the Ministry of
Internal Affairs and Communications of Japan signs three agreements (200,000 + 250,000 +
150,000 USD). Its contribution, its rank and every published share then hold together.

Run it with the virtual environment's Python after changing the targets or the drawing, then
rebuild the workbooks::

    .venv/bin/python scripts/generate_sample.py          # writes the package's data file
    .venv/bin/python scripts/generate_sample.py --check  # exit 1 if it differs
    .venv/bin/python scripts/build_workbook.py
"""

from __future__ import annotations

import bisect
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sample_targets import (
    MULTI,
    NM,
    PLANS,
    REVISIONS,
    Anchor,
    Plan,
    candidates,
    rate_rows,
)

from bdt_xl import schema as s
from bdt_xl.core.lists import normalize
from bdt_xl.workbooks.sample_data import SAMPLE_FILE, dumps_sample

SEED = 20230430


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
    anchor: Anchor | None = None
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


def _anchor_deals(plan: Plan, units, rng: np.random.RandomState) -> list[_Deal]:
    partners: dict[str, _Partner] = {}
    deals = []
    for a in plan.anchors:
        partner = partners.setdefault(a.partner, _Partner(a.ptype, a.membership, True,
                                                          a.partner, a.currency))
        day = _weekday(a.first, a.last, rng)
        deals.append(_Deal(a.ptype, partner, a, True, a.last <= plan.window_end, a.region,
                           a.priority, day, a.amount / units(a.currency, day)))
    return deals


def _splits(plan: Plan) -> dict[str, tuple[dict, dict | None]]:
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


def _financial_deals(plan: Plan, anchors: list[_Deal], room: dict[str, Counter],
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


def _other_deals(plan: Plan, room: dict[str, Counter], taken: list[_Deal],
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


def _group(plan: Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
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
            options = [c for c in candidates(p.ptype, p.membership, region)
                       if normalize(c[0]) not in taken]
            _require(bool(options))
            p.name, p.currency = options[rng.randint(len(options))]
            taken.add(normalize(p.name))
        d.spelling = p.name


def _date_deals(plan: Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
    for d in deals:
        if d.anchor:
            continue
        if d.in_window:
            d.signed_on = _weekday(date(plan.year, 1, 1), plan.window_end, rng)
        else:
            d.signed_on = _weekday(plan.window_end + timedelta(days=1),
                                   date(plan.year, 12, 31), rng)
    for currency, day, _ in REVISIONS:  # someone signs while a mid-month revision applies
        movable = [d for d in deals if d.financial and not d.anchor and not d.in_window
                   and d.partner.currency == currency and day.year == plan.year]
        if movable:
            month_end = date(day.year, day.month + 1, 1) - timedelta(days=1)
            movable[rng.randint(len(movable))].signed_on = _weekday(day, month_end, rng)


def _split_itu(plan: Plan, deals: list[_Deal], rng: np.random.RandomState) -> None:
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


def _draw_year(plan: Plan, units, taken: set[str], rng: np.random.RandomState) -> list[_Deal]:
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


def generate_agreements() -> list[dict]:
    """The sample Agreements rows (keys = ``schema.AGREEMENT_COLUMNS``), oldest first.

    Deterministic: the same rows on every call and platform (NumPy's frozen legacy
    ``RandomState`` stream, fixed seed).
    """
    rng = np.random.RandomState(SEED)
    units = _rate_lookup(rate_rows())
    taken: set[str] = {normalize(a.partner) for plan in PLANS for a in plan.anchors}
    rows: list[dict] = []
    for plan in PLANS:
        deals = _draw_year(plan, units, taken, rng)
        _respell_one(deals, rng)
        deals.sort(key=lambda d: d.signed_on)
        rows += [_row(f"BDT-{plan.year}-{i:03d}", d, units, rng)
                 for i, d in enumerate(deals, start=1)]
    return rows


def main(argv: list[str]) -> int:
    text = dumps_sample(rate_rows(), generate_agreements())
    if argv == ["--check"]:
        same = SAMPLE_FILE.read_text(encoding="utf-8") == text
        print(f"{SAMPLE_FILE.name} is {'up to date' if same else 'STALE: run this script'}")
        return 0 if same else 1
    if argv:
        print(__doc__.split("Run it")[1].strip(), file=sys.stderr)
        return 2
    SAMPLE_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SAMPLE_FILE.name} in {Path(SAMPLE_FILE).parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
