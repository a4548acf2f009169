"""Property tests of validation: every row is accepted or has an error, as an independent
oracle of the SPEC rules says; labels match however they are respelled."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from agreement_checks import check
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, KINDS, normalize

# Each strategy draws (cell, valid?) so an independent oracle knows which rows must be accepted.

def _cells(valid, invalid):
    """One cell in twelve is invalid, so that about a third of the rows are valid."""
    good = st.sampled_from([(v, True) for v in valid])
    bad = st.sampled_from([(v, False) for v in invalid])
    return st.sampled_from(range(12)).flatmap(lambda k: bad if k == 7 else good)


IDS = st.one_of(
    st.integers(1, 60).flatmap(lambda n: st.sampled_from(
        [(f"ID{n}", True), (f" id{n} ", True), (n, True)])),
    st.sampled_from([(None, False), ("", False), ("#N/A", False)]))
PARTNERS = _cells(["Acme", "  acme  corp", "Beta"], [None, " ", "#VALUE!"])
TYPES = _cells(["Governmental entities", " private SECTOR entities ", "Academia"],
               ["Goverment", None, "#N/A"])
MEMBERS = _cells([None, "", "ROA", "non-member", "UNIVERS"], ["Member", "#REF!"])
REGIONS = _cells(["Africa", "  EUROPE", "asia pacific"], ["Afrika", None])
BA, KIGALI = "ba", "kigali"
DATES = _cells([(date(2019, 5, 5), BA), (date(2022, 12, 31), BA), (date(2023, 1, 1), KIGALI),
                ("2023-06-15", KIGALI), (datetime(2020, 2, 29), BA), (44621, BA)],
               [None, "2022-02-30", "yesterday", date(2017, 6, 1), "#N/A", 0])
PRIORITY_OF = {BA: [("Cybersecurity", BA), (" capacity  building ", BA)],
               KIGALI: [("Affordable connectivity", KIGALI), ("digital TRANSFORMATION", KIGALI)]}
ANY_PRIORITY = _cells(PRIORITY_OF[BA] + PRIORITY_OF[KIGALI], ["Cyber", None])
CURRENCIES = _cells(["USD", "usd", "eur", " CHF ", "GBP", None], ["EURO", "#N/A"])
AMOUNTS = _cells([None, 0, 1500, "2500", 12.5], [-1, "1,500", "abc", "#VALUE!", True])


def _blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _rate_exists(currency: str, day: date) -> bool:
    # RATES: EUR from 2018-01-01, CHF from 2022-06-01, USD needs none, GBP has none
    code = currency.strip().upper()
    return code == "USD" or (code == "EUR" and day >= date(2018, 1, 1)) or \
        (code == "CHF" and day >= date(2022, 6, 1))


def _as_day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return date(1899, 12, 30) + timedelta(days=value)  # Excel serial
    return date.fromisoformat(value)


@st.composite
def agreement_rows(draw):
    drawn = {
        s.AGREEMENT_ID: draw(IDS), s.PARTNER: draw(PARTNERS), s.PARTNER_TYPE: draw(TYPES),
        s.MEMBERSHIP: draw(MEMBERS), s.REGION: draw(REGIONS), s.SIGNED_ON: draw(DATES),
        s.CURRENCY: draw(CURRENCIES),
        s.PARTNER_AMOUNT: draw(AMOUNTS), s.ITU_AMOUNT: draw(AMOUNTS),
    }
    (signed, valid_date) = drawn[s.SIGNED_ON]
    if valid_date and draw(st.sampled_from(range(6))) != 3:  # mostly a priority of the plan in force
        drawn[s.PRIORITY] = (draw(st.sampled_from(PRIORITY_OF[signed[1]])), True)
    else:
        drawn[s.PRIORITY] = draw(ANY_PRIORITY)
    return drawn


def _cell_value(column, drawn):
    value, _ = drawn[column]
    if column in (s.SIGNED_ON, s.PRIORITY) and isinstance(value, tuple):
        return value[0]
    return value


def _oracle(drawn_rows):
    """Sheet rows expected accepted / excluded, by the SPEC rules, without the engine."""
    accepted, excluded, seen_ids = set(), set(), set()
    for offset, drawn in enumerate(drawn_rows):
        sheet_row = offset + 2
        cells = {c: _cell_value(c, drawn) for c in drawn}
        if all(_blank(v) for v in cells.values()):
            continue  # a blank row is not a row
        ok = all(valid for _, valid in drawn.values())
        if ok:
            (signed, plan_on_day), _ = drawn[s.SIGNED_ON]
            (_, plan_of_priority), _ = drawn[s.PRIORITY]
            ok = plan_on_day == plan_of_priority
            amounts = [cells[s.PARTNER_AMOUNT], cells[s.ITU_AMOUNT]]
            has_amount = any(not _blank(a) and float(a) > 0 for a in amounts)
            if has_amount:
                currency = cells[s.CURRENCY]
                ok = ok and not _blank(currency) and _rate_exists(currency, _as_day(signed))
        raw_id = cells[s.AGREEMENT_ID]
        if not _blank(raw_id):
            key = " ".join(str(raw_id).split()).casefold()  # 7 and "7" would be the same ID
            if key in seen_ids:
                ok = False
            seen_ids.add(key)
        (accepted if ok else excluded).add(sheet_row)
    return accepted, excluded


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(agreement_rows(), min_size=0, max_size=12))
def test_every_row_is_either_accepted_or_has_an_error(drawn_rows):
    rows = [{c: _cell_value(c, drawn) for c in drawn} for drawn in drawn_rows]
    checked = check(rows)
    accepted = set(checked.agreements["row"])
    with_error = {i.row for i in checked.issues
                  if i.severity == s.ERROR and i.sheet == s.AGREEMENTS}
    assert not accepted & with_error
    assert len(accepted) + checked.rows_excluded == checked.rows_read
    expected_accepted, expected_excluded = _oracle(drawn_rows)
    assert accepted == expected_accepted
    assert with_error == expected_excluded
    assert checked.rows_read == len(expected_accepted) + len(expected_excluded)
    assert checked.rows_excluded == len(expected_excluded)
    # accepted rows always carry canonical labels
    for kind, column in (("Region", "region"), ("Partner type", "partner_type"),
                         ("ITU membership", "membership"), ("Priority", "priority")):
        assert set(checked.agreements[column]) <= set(DEFAULT_LISTS.labels(kind))


def _respell(draw, text: str) -> str:
    out = []
    for ch in text:
        if ch == " ":
            out.append(draw(st.sampled_from([" ", "  ", "\t", " \u00a0"])))
        else:
            out.append(ch.upper() if draw(st.booleans()) else ch.lower())
    pad = st.sampled_from(["", " ", "   ", "\t"])
    return draw(pad) + "".join(out) + draw(pad)


@given(st.data())
def test_any_respelling_of_a_label_matches_the_canonical_label(data):
    kind = data.draw(st.sampled_from(KINDS))
    label = data.draw(st.sampled_from(DEFAULT_LISTS.labels(kind)))
    typed = _respell(data.draw, label)
    assert DEFAULT_LISTS.match(kind, typed) == label


@given(st.text())
def test_label_normalization_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once
