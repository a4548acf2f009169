"""Validation of agreement rows (SPEC §1 and the careful-user rules)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS, KINDS, normalize
from bdt_xl.core.models import IssueCode
from bdt_xl.core.pipeline import Options, run_tables
from bdt_xl.core.validation import validate
from bdt_xl.files.reader import RawTable, WorkbookError

VALID_AGREEMENT = {
    s.AGREEMENT_ID: "A1", s.PARTNER: "Acme", s.PARTNER_TYPE: "Governmental entities",
    s.MEMBERSHIP: "ADMIN", s.REGION: "Africa", s.PRIORITY: "Cybersecurity",
    s.SIGNED_ON: date(2022, 3, 1), s.CURRENCY: "USD", s.PARTNER_AMOUNT: 1000.0,
    s.ITU_AMOUNT: 0.0,
}


def _agreement(changes=None, id=None):
    row = dict(VALID_AGREEMENT)
    if id is not None:
        row[s.AGREEMENT_ID] = id
    row.update(changes or {})
    return row


def _values(rows, columns=s.AGREEMENT_COLUMNS):
    return [list(columns), *[[row.get(c) for c in columns] for row in rows]]

TODAY = date(2024, 1, 1)
RATES = [("EUR", date(2018, 1, 1), 0.9), ("CHF", date(2022, 6, 1), 0.95)]


def _tables(rows, rates=RATES, columns=s.AGREEMENT_COLUMNS, extra=None):
    tables = {s.AGREEMENTS: RawTable.from_values(s.AGREEMENTS, _values(rows, columns))}
    if rates is not None:
        tables[s.RATES] = RawTable.from_values(s.RATES, [list(s.RATE_COLUMNS),
                                                         *[list(r) for r in rates]])
    tables.update(extra or {})
    return tables


def check(rows, rates=RATES, ecb=None, columns=s.AGREEMENT_COLUMNS, extra=None):
    return validate(_tables(rows, rates, columns, extra), ecb_fallback=ecb, today=TODAY)


def errors(checked, row=None):
    """Error issues (of one Agreements sheet row when ``row`` is given)."""
    return [i for i in checked.issues if i.severity == s.ERROR and
            (row is None or (i.row == row and i.sheet == s.AGREEMENTS))]


def warnings(checked, row=None):
    return [i for i in checked.issues if i.severity == s.WARNING and
            (row is None or (i.row == row and i.sheet == s.AGREEMENTS))]


def accepted_ids(checked):
    return list(checked.agreements["id"])


def only_error(checked, row):
    """The single Error issue of ``row`` (and the row is excluded)."""
    found = errors(checked, row)
    assert len(found) == 1, found
    assert row not in set(checked.agreements["row"])
    return found[0]


# -- a valid row ---------------------------------------------------------------------------------

def test_valid_row_is_accepted_with_usd_amounts():
    checked = check([_agreement({s.CURRENCY: "EUR", s.PARTNER_AMOUNT: 900,
                                 s.ITU_AMOUNT: 90})])
    assert checked.issues == []
    assert (checked.rows_read, checked.rows_excluded) == (1, 0)
    rec = checked.agreements.iloc[0]
    # 900 EUR / 0.9 EUR per USD = 1,000 USD; 90 / 0.9 = 100; funds 1,100
    assert rec["partner_usd"] == pytest.approx(1000)
    assert rec["itu_usd"] == pytest.approx(100)
    assert rec["funds"] == pytest.approx(1100)
    assert rec["row"] == 2  # header on sheet row 1


def test_blank_membership_is_non_member_and_blank_amounts_are_zero():
    checked = check([_agreement({s.MEMBERSHIP: None, s.PARTNER_AMOUNT: None,
                                 s.ITU_AMOUNT: "  ", s.CURRENCY: None})])
    assert errors(checked) == []
    rec = checked.agreements.iloc[0]
    assert rec["membership"] == "Non-member"
    assert (rec["partner_usd"], rec["itu_usd"], rec["funds"]) == (0, 0, 0)


def test_optional_columns_may_be_absent():
    columns = [c for c in s.AGREEMENT_COLUMNS if c not in s.OPTIONAL_AGREEMENT_COLUMNS]
    checked = check([_agreement()], columns=columns)
    assert errors(checked) == []
    rec = checked.agreements.iloc[0]
    assert rec["membership"] == "Non-member" and rec["funds"] == 0


def test_missing_required_column_is_a_workbook_error():
    columns = [c for c in s.AGREEMENT_COLUMNS if c != s.REGION]
    with pytest.raises(WorkbookError, match="'Region'"):
        check([_agreement()], columns=columns)


def test_no_agreements_table_is_a_workbook_error():
    with pytest.raises(WorkbookError, match="Agreements"):
        validate({}, today=TODAY)


def test_headers_matched_ignoring_case_and_spacing_extra_columns_ignored():
    columns = ["  comment ", *[f"  {c.upper()}  ".replace(" ", "  ") for c in
                              reversed(s.AGREEMENT_COLUMNS)]]
    row = {"  comment ": "free text"}
    row.update({f"  {c.upper()}  ".replace(" ", "  "): v for c, v in _agreement().items()})
    checked = check([row], columns=columns)
    assert errors(checked) == []
    assert accepted_ids(checked) == ["A1"]


# -- labels --------------------------------------------------------------------------------------

def test_labels_and_currency_matched_regardless_of_case_and_spacing():
    checked = check([_agreement({s.PARTNER_TYPE: "  private   SECTOR entities ",
                                 s.MEMBERSHIP: "roa", s.REGION: "  africa ",
                                 s.PRIORITY: "CYBERSECURITY", s.CURRENCY: " eur ",
                                 s.PARTNER_AMOUNT: 9})])
    assert errors(checked) == []
    rec = checked.agreements.iloc[0]
    assert (rec["partner_type"], rec["membership"], rec["region"], rec["priority"],
            rec["currency"]) == ("Private sector entities", "ROA", "Africa", "Cybersecurity",
                                 "EUR")
    assert rec["partner_usd"] == pytest.approx(10)  # 9 / 0.9


@pytest.mark.parametrize("column, typed, hint", [
    (s.REGION, "Afrika", "Africa"),
    (s.PARTNER_TYPE, "Goverment entities", "Governmental entities"),
    (s.PRIORITY, "Cybersecurty", "Cybersecurity"),
    (s.MEMBERSHIP, "ADMN", "ADMIN"),
])
def test_unknown_label_is_an_error_with_did_you_mean(column, typed, hint):
    checked = check([_agreement({column: typed})])
    issue = only_error(checked, 2)
    assert issue.code is IssueCode.UNKNOWN_LABEL
    assert issue.column == column and issue.value == typed
    assert "did you mean" in issue.problem and hint in issue.problem
    assert issue.agreement_id == "A1" and issue.sheet == s.AGREEMENTS


def test_unknown_label_without_close_match_lists_the_choices():
    issue = only_error(check([_agreement({s.REGION: "Zzzzzz"})]), 2)
    assert issue.code is IssueCode.UNKNOWN_LABEL
    assert "Africa" in issue.problem and "Multi-regions" in issue.problem


@pytest.mark.parametrize("column", [s.AGREEMENT_ID, s.PARTNER, s.PARTNER_TYPE, s.REGION,
                                    s.PRIORITY, s.SIGNED_ON])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_required_cell_missing(column, blank):
    issue = only_error(check([_agreement({column: blank})]), 2)
    assert issue.column == column and issue.code is IssueCode.MISSING_VALUE


# -- duplicate IDs --------------------------------------------------------------------------------

def test_duplicate_ids_first_kept_later_ones_errors():
    rows = [_agreement(id="A1"), _agreement(id="B2"), _agreement(id=" a1 "),
            _agreement(id="A1")]
    checked = check(rows)
    assert accepted_ids(checked) == ["A1", "B2"]
    for row in (4, 5):
        issue = only_error(checked, row)
        assert issue.column == s.AGREEMENT_ID and "row 2" in issue.problem
        assert issue.code is IssueCode.DUPLICATE_ID
    assert (checked.rows_read, checked.rows_excluded) == (4, 2)


# -- amounts --------------------------------------------------------------------------------------

@pytest.mark.parametrize("column", [s.PARTNER_AMOUNT, s.ITU_AMOUNT])
@pytest.mark.parametrize("value", [-1, -0.01, "1,500", "12 CHF", "abc", True, "#VALUE!"])
def test_bad_amount_is_an_error(column, value):
    issue = only_error(check([_agreement({column: value})]), 2)
    assert issue.column == column
    assert issue.code is (IssueCode.EXCEL_ERROR if value == "#VALUE!" else IssueCode.BAD_AMOUNT)


def test_numeric_text_amount_is_accepted():
    checked = check([_agreement({s.PARTNER_AMOUNT: "1500", s.ITU_AMOUNT: " 250.5 "})])
    assert errors(checked) == []
    assert checked.agreements.iloc[0]["funds"] == pytest.approx(1750.5)


# -- Excel error values -----------------------------------------------------------------------------

@pytest.mark.parametrize("column", s.AGREEMENT_COLUMNS)
@pytest.mark.parametrize("value", ["#N/A", "#REF!", "#DIV/0!"])
def test_excel_error_value_in_any_column(column, value):
    issue = only_error(check([_agreement({column: value})]), 2)
    assert issue.column == column and issue.value == value
    assert issue.code is IssueCode.EXCEL_ERROR and value in issue.problem


# -- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2022-02-30", "2022-13-01", "31/12/2022", "yesterday",
                                   "2022-3-1x", -5, 0])
def test_impossible_date_is_an_error(value):
    issue = only_error(check([_agreement({s.SIGNED_ON: value})]), 2)
    assert issue.column == s.SIGNED_ON and issue.code is IssueCode.BAD_DATE


@pytest.mark.parametrize("value, expected", [
    (date(2022, 3, 1), date(2022, 3, 1)),
    (datetime(2022, 3, 1, 0, 0), date(2022, 3, 1)),
    ("2022-03-01", date(2022, 3, 1)),
    (" 2020-02-29 ", date(2020, 2, 29)),
    (44621, date(2022, 3, 1)),      # Excel serial: 44562 = 2022-01-01, +59 days
    (44621.0, date(2022, 3, 1)),
])
def test_date_forms(value, expected):
    checked = check([_agreement({s.SIGNED_ON: value})])
    assert errors(checked) == []
    assert checked.agreements.iloc[0]["signed"].date() == expected


def test_date_before_any_action_plan_is_an_error():
    issue = only_error(check([_agreement({s.SIGNED_ON: date(2017, 12, 31)})]), 2)
    assert issue.column == s.SIGNED_ON and issue.code is IssueCode.NO_ACTION_PLAN


def test_future_date_is_a_warning_and_the_row_counts():
    checked = check([_agreement({s.SIGNED_ON: date(2024, 6, 1),
                                 s.PRIORITY: "Digital transformation"})])
    assert errors(checked) == []
    [warning] = warnings(checked, 2)
    assert warning.column == s.SIGNED_ON and warning.code is IssueCode.FUTURE_DATE
    assert accepted_ids(checked) == ["A1"]


# -- priorities and action plans ---------------------------------------------------------------------

@pytest.mark.parametrize("priority, signed, ok", [
    ("Cybersecurity", date(2018, 1, 1), True),               # first day of Buenos Aires
    ("Cybersecurity", date(2022, 12, 31), True),             # last day of Buenos Aires
    ("Cybersecurity", date(2023, 1, 1), False),              # Kigali in force
    ("Affordable connectivity", date(2023, 1, 1), True),
    ("Affordable connectivity", date(2022, 12, 31), False),
    ("Multi-priorities", date(2021, 7, 1), False),
    ("Multi-thematic", date(2025, 7, 1), False),
])
def test_priority_must_belong_to_the_plan_in_force(priority, signed, ok):
    checked = validate(_tables([_agreement({s.PRIORITY: priority, s.SIGNED_ON: signed})]),
                       today=date(2030, 1, 1))
    if ok:
        assert errors(checked) == []
        expected_plan = "Kigali Action Plan" if signed.year >= 2023 else \
            "Buenos Aires Action Plan"
        assert checked.agreements.iloc[0]["plan"] == expected_plan
    else:
        issue = only_error(checked, 2)
        assert issue.column == s.PRIORITY and issue.value == priority
        assert issue.code is IssueCode.WRONG_PLAN


# -- currencies and rates -------------------------------------------------------------------------

def test_amount_without_currency_is_an_error():
    issue = only_error(check([_agreement({s.CURRENCY: None, s.PARTNER_AMOUNT: 10})]), 2)
    assert issue.column == s.CURRENCY and issue.code is IssueCode.NO_CURRENCY


def test_itu_amount_alone_also_needs_a_currency():
    issue = only_error(check([_agreement({s.CURRENCY: "", s.PARTNER_AMOUNT: 0,
                                          s.ITU_AMOUNT: 5})]), 2)
    assert issue.column == s.CURRENCY


@pytest.mark.parametrize("code", ["EURO", "E", "12$", "€"])
def test_invalid_currency_code_is_an_error(code):
    issue = only_error(check([_agreement({s.CURRENCY: code})]), 2)
    assert issue.column == s.CURRENCY and issue.code is IssueCode.BAD_CURRENCY


def test_currency_with_no_rate_on_that_date_is_an_error():
    # CHF rates start 2022-06-01: the day before has none, that day has one
    rows = [_agreement({s.CURRENCY: "CHF", s.SIGNED_ON: date(2022, 5, 31)}, id="A1"),
            _agreement({s.CURRENCY: "chf", s.SIGNED_ON: date(2022, 6, 1),
                        s.PARTNER_AMOUNT: 95}, id="A2"),
            _agreement({s.CURRENCY: "GBP"}, id="A3")]
    checked = check(rows)
    for row in (2, 4):
        issue = only_error(checked, row)
        assert issue.column == s.CURRENCY and issue.code is IssueCode.MISSING_RATE
    assert accepted_ids(checked) == ["A2"]
    assert checked.agreements.iloc[0]["partner_usd"] == pytest.approx(100)  # 95 / 0.95


def test_currency_without_rate_is_fine_when_there_is_no_amount():
    checked = check([_agreement({s.CURRENCY: "GBP", s.PARTNER_AMOUNT: 0, s.ITU_AMOUNT: None})])
    assert errors(checked) == []


def test_bad_rate_row_is_reported_on_the_rates_sheet_and_not_used():
    rates = [("EUR", date(2018, 1, 1), 0), ("CHF", date(2018, 1, 1), -2),
             ("GBP", "someday", 0.8)]
    checked = check([_agreement({s.CURRENCY: "EUR"})], rates=rates)
    rate_errors = [i for i in errors(checked) if i.sheet == s.RATES]
    assert sorted(i.row for i in rate_errors) == [2, 3, 4]
    assert {i.code for i in rate_errors} == {IssueCode.BAD_RATE, IssueCode.BAD_DATE}
    issue = only_error(checked, 2)  # no EUR rate left for the agreement
    assert issue.sheet == s.AGREEMENTS and issue.code is IssueCode.UNUSABLE_RATE


# -- partners described differently --------------------------------------------------------------

def test_partner_with_different_type_or_membership_is_a_warning_and_counts():
    rows = [_agreement({s.PARTNER: "Acme Corp"}, id="A1"),
            _agreement({s.PARTNER: "  ACME   corp ", s.PARTNER_TYPE: "Private sector entities"},
                       id="A2"),
            _agreement({s.PARTNER: "acme corp", s.MEMBERSHIP: "ROA"}, id="A3")]
    checked = check(rows)
    assert errors(checked) == []
    assert {w.code for w in warnings(checked)} == {IssueCode.PARTNER_DESCRIBED_DIFFERENTLY}
    assert [w.column for w in warnings(checked, 3)] == [s.PARTNER_TYPE]
    assert [w.column for w in warnings(checked, 4)] == [s.MEMBERSHIP]
    assert warnings(checked, 2) == []
    assert accepted_ids(checked) == ["A1", "A2", "A3"]
    assert checked.agreements["partner_key"].nunique() == 1


def test_partner_warning_ignores_rows_that_are_excluded():
    rows = [_agreement({s.PARTNER: "Acme", s.CURRENCY: "GBP", s.PARTNER_AMOUNT: 10}, id="A1"),
            _agreement({s.PARTNER: "Acme", s.PARTNER_TYPE: "Private sector entities",
                        s.MEMBERSHIP: "ROA"}, id="A2")]
    report = run_tables({s.AGREEMENTS: _values(rows)}, Options(through=date(2022, 12, 31)))
    issues = report.tables[s.ISSUES]
    # row 2 is excluded (no GBP rate): Acme has one counted row, so nothing to reconcile
    assert list(issues[s.ISSUE_ROW]) == [2]
    top = report.tables[s.TOP_PARTNERS]
    assert list(top[s.PARTNER_TYPE]) == ["Private sector entities"]


def test_report_shows_canonical_labels():
    rows = [_agreement({s.REGION: "  africa ", s.PARTNER_TYPE: "GOVERNMENTAL  entities",
                        s.MEMBERSHIP: " admin", s.PRIORITY: "capacity building"})]
    report = run_tables({s.AGREEMENTS: _values(rows)}, Options(through=date(2022, 12, 31)))
    assert list(report.tables[s.BY_REGION][s.REGION]) == ["Africa"]
    assert list(report.tables[s.BY_PARTNER_TYPE][s.PARTNER_TYPE]) == ["Governmental entities"]
    assert list(report.tables[s.BY_MEMBERSHIP][s.MEMBERSHIP]) == ["ADMIN"]
    assert list(report.tables[s.BY_PRIORITY][s.PRIORITY]) == ["Capacity development"]


# -- errors excluded from figures, warnings not ------------------------------------------------------

def test_error_rows_excluded_from_every_figure_warning_rows_counted():
    rows = [_agreement({s.PARTNER: "P1", s.PARTNER_AMOUNT: 100}, id="A1"),
            _agreement({s.PARTNER: "P2", s.PARTNER_AMOUNT: 1_000_000, s.REGION: "Atlantis"},
                       id="A2"),                                               # error
            _agreement({s.PARTNER: "p1", s.PARTNER_TYPE: "Other", s.PARTNER_AMOUNT: 20},
                       id="A3")]                                               # warning
    report = run_tables({s.AGREEMENTS: _values(rows)}, Options(through=date(2022, 12, 31)))
    summary = report.tables[s.SUMMARY].set_index(s.PERIOD).loc["2022"]
    # A1 + A3: 2 agreements, one partner (P1), 100 + 20 = 120 USD
    assert (summary[s.AGREEMENTS_N], summary[s.PARTNERS_N], summary[s.FUNDS_USD]) == (2, 1, 120)
    region = report.tables[s.BY_REGION]
    assert list(region[s.REGION]) == ["Africa"] and list(region[s.AGREEMENTS_N]) == [2]
    top = report.tables[s.TOP_PARTNERS]
    assert list(top[s.PARTNER]) == ["P1"]
    issues = report.tables[s.ISSUES]
    assert set(issues[s.ISSUE_SEVERITY]) == {s.ERROR, s.WARNING}
    assert (report.rows_read, report.rows_excluded) == (3, 1)


# -- the input is never modified ---------------------------------------------------------------------

def test_input_rows_are_not_modified():
    rows = [_agreement({s.REGION: "  africa ", s.CURRENCY: "eur", s.PARTNER_AMOUNT: "900"}),
            _agreement({s.REGION: "Afrika", s.SIGNED_ON: "2022-03-01"}, id="A2"),
            _agreement({s.MEMBERSHIP: None, s.CURRENCY: None, s.PARTNER_AMOUNT: None}, id="A3"),
            _agreement(id="A1")]
    tables = _tables(rows)
    before = copy.deepcopy(tables)
    validate(tables, today=TODAY)
    assert tables == before
    values = {s.AGREEMENTS: _values(rows), s.RATES: [list(s.RATE_COLUMNS),
                                                     *[list(r) for r in RATES]]}
    values_before = copy.deepcopy(values)
    run_tables(values, Options())
    assert values == values_before


# -- settings and lists tables --------------------------------------------------------------------------

def test_bad_setting_is_a_warning_and_the_default_is_used():
    settings = RawTable.from_values(s.SETTINGS, [["Setting", "Value"], ["Report year", "soon"],
                                                 ["Language", "fr"], ["Colour", "blue"]])
    checked = check([_agreement()], extra={s.SETTINGS: settings})
    assert checked.settings.report_year is None and checked.settings.language == "fr"
    assert {(i.sheet, i.row, i.severity, i.code) for i in checked.issues} == \
        {(s.SETTINGS, 2, s.WARNING, IssueCode.BAD_SETTING),
         (s.SETTINGS, 4, s.WARNING, IssueCode.UNKNOWN_SETTING)}
    assert accepted_ids(checked) == ["A1"]


def test_lists_table_rows_are_merged_into_the_built_in_lists():
    # SPEC §1: a new label goes after the built-in ones; naming a built-in label adds its
    # aliases; nothing of the built-in lists is lost
    lists = RawTable.from_values(s.LISTS, [["List", "Label", "Aliases"],
                                           ["Region", "Oceania", "Pacific; South Seas"],
                                           ["Region", "Africa", "Afr."]])
    rows = [_agreement({s.REGION: "south  seas"}, id="A1"),
            _agreement({s.REGION: "Europe"}, id="A2"),
            _agreement({s.PARTNER_TYPE: "Foundations"}, id="A3"),
            _agreement({s.REGION: "afr."}, id="A4")]
    checked = check(rows, extra={s.LISTS: lists})
    assert checked.lists.labels("Region") == [
        "Africa", "Americas", "Arab States", "Asia-Pacific", "CIS", "Europe", "Multi-regions",
        "Oceania"]
    assert errors(checked) == []
    assert accepted_ids(checked) == ["A1", "A2", "A3", "A4"]
    assert list(checked.agreements["region"]) == ["Oceania", "Europe", "Africa", "Africa"]


# -- property tests ----------------------------------------------------------------------------------
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


def test_valid_agreement_fixture_is_valid():
    assert errors(check([dict(VALID_AGREEMENT)])) == []


# -- action plans as dated data: Kigali ends 2025, Baku from 2026 ------------------------------------

BAKU = "Baku Action Plan"
LISTS_HEADER = ["List", "Label", "French label", "Aliases", "Action plan", "Valid from",
                "Valid to"]


def _lists(*rows):
    return {s.LISTS: RawTable.from_values(s.LISTS, [LISTS_HEADER, *[list(r) for r in rows]])}


def test_kigali_priority_on_its_last_day_is_accepted():
    checked = validate(_tables([_agreement({s.PRIORITY: "Digital transformation",
                                            s.SIGNED_ON: date(2025, 12, 31)})]),
                       today=date(2030, 1, 1))
    assert errors(checked) == []
    assert checked.agreements.iloc[0]["plan"] == "Kigali Action Plan"


def test_2026_agreement_without_baku_priorities_says_how_to_add_them():
    checked = validate(_tables([_agreement({s.PRIORITY: "Digital transformation",
                                            s.SIGNED_ON: date(2026, 3, 1)})]),
                       today=date(2030, 1, 1))
    issue = only_error(checked, 2)
    assert issue.code is IssueCode.PLAN_WITHOUT_PRIORITIES and issue.column == s.PRIORITY
    # the sentence is the point here: it tells which rows to add to the Lists table
    for words in ("Baku Action Plan", "Lists table", "List = Priority",
                  "Action plan = Baku Action Plan", "Valid from = 2026-01-01",
                  "one row per priority"):
        assert words in issue.problem


def test_baku_priorities_from_the_lists_table_and_kigali_refused_in_2026():
    lists = _lists(["Priority", "Baku priority A", "Priorité A de Bakou", "BPA", BAKU,
                    date(2026, 1, 1), date(2029, 12, 31)],
                   ["Priority", "Baku priority B", "", "", BAKU, None, None])
    rows = [_agreement({s.PRIORITY: "bpa", s.SIGNED_ON: date(2026, 1, 1)}, id="A1"),
            _agreement({s.PRIORITY: "Baku priority B", s.SIGNED_ON: date(2029, 12, 31)},
                       id="A2"),
            _agreement({s.PRIORITY: "Digital transformation", s.SIGNED_ON: date(2026, 5, 1)},
                       id="A3"),
            _agreement({s.PRIORITY: "Baku priority A", s.SIGNED_ON: date(2025, 12, 31)},
                       id="A4"),
            _agreement({s.PRIORITY: "Baku priority A", s.SIGNED_ON: date(2030, 1, 1)},
                       id="A5")]
    checked = validate(_tables(rows, extra=lists), today=date(2031, 1, 1))
    assert accepted_ids(checked) == ["A1", "A2"]
    assert list(checked.agreements["priority"]) == ["Baku priority A", "Baku priority B"]
    assert list(checked.agreements["plan"]) == [BAKU, BAKU]
    assert only_error(checked, 4).code is IssueCode.WRONG_PLAN      # Kigali in 2026
    assert only_error(checked, 5).code is IssueCode.WRONG_PLAN      # Baku in 2025
    assert only_error(checked, 6).code is IssueCode.NO_ACTION_PLAN  # after 2029
    assert checked.lists.priorities_of(BAKU) == ["Baku priority A", "Baku priority B"]
    assert checked.lists.french_labels(s.PRIORITY)["Baku priority A"] == "Priorité A de Bakou"


# -- the Lists merge rule (SPEC §1) --------------------------------------------------------------

def test_one_row_adding_an_alias_keeps_every_other_label():
    rows = [_agreement({s.PARTNER_TYPE: "Gov"}, id="A1"),
            _agreement({s.PARTNER_TYPE: "Foundations", s.REGION: "CIS"}, id="A2"),
            _agreement({s.PRIORITY: "Statistics", s.MEMBERSHIP: None}, id="A3")]
    checked = check(rows, extra=_lists(["Partner type", "Governmental entities", "", "Gov",
                                        None, None, None]))
    assert errors(checked) == []
    assert list(checked.agreements["partner_type"]) == [
        "Governmental entities", "Foundations", "Governmental entities"]
    assert checked.lists.labels(s.PARTNER_TYPE) == DEFAULT_LISTS.labels(s.PARTNER_TYPE)


def test_label_listed_twice_is_an_error_on_its_lists_row_and_counts_once():
    lists = _lists(["Region", "Oceania", "Océanie", "", None, None, None],
                   ["Region", " oceania ", "", "Pacific", None, None, None])
    checked = check([_agreement({s.REGION: "Oceania"})], extra=lists)
    [issue] = [i for i in checked.issues if i.sheet == s.LISTS]
    assert (issue.row, issue.code, issue.severity) == (3, IssueCode.DUPLICATE_LABEL, s.ERROR)
    assert checked.lists.labels(s.REGION).count("Oceania") == 1
    assert checked.lists.match(s.REGION, "Pacific") is None  # the second row is not used
    assert accepted_ids(checked) == ["A1"]


def test_alias_claimed_by_two_labels_is_an_error_and_stays_with_the_first():
    lists = _lists(["Region", "Oceania", "", "Pacific", None, None, None],
                   ["Region", "Asia-Pacific", "", "pacific; APAC", None, None, None])
    checked = check([_agreement({s.REGION: "Pacific"}, id="A1"),
                     _agreement({s.REGION: "apac"}, id="A2")], extra=lists)
    [issue] = [i for i in checked.issues if i.sheet == s.LISTS]
    assert (issue.row, issue.code, issue.value) == (3, IssueCode.ALIAS_CLAIMED, "pacific")
    assert list(checked.agreements["region"]) == ["Oceania", "Asia-Pacific"]


def test_non_member_always_exists_with_a_membership_list():
    lists = _lists(["ITU membership", "Sector Member", "", "", None, None, None])
    checked = check([_agreement({s.MEMBERSHIP: None}, id="A1"),
                     _agreement({s.MEMBERSHIP: "sector member"}, id="A2")], extra=lists)
    assert errors(checked) == []
    assert list(checked.agreements["membership"]) == ["Non-member", "Sector Member"]


def test_french_labels_reach_the_report():
    report = run_tables({s.AGREEMENTS: _values([_agreement()]),
                         s.LISTS: [LISTS_HEADER, ["Region", "Oceania", "Océanie", "", None,
                                                  None, None]]})
    assert report.french_label(s.REGION, "Oceania") == "Océanie"
    assert report.french_label(s.REGION, "Africa") == "Afrique"          # built in
    assert report.french_label(s.PARTNER_TYPE, "Governmental entities") == \
        "Entités gouvernementales"
    assert report.french_label(s.REGION, "Nowhere") == "Nowhere"


# -- money columns missing or renamed (issue 8 B1) ---------------------------------------------------

@pytest.mark.parametrize("renamed, header", [
    (s.PARTNER_AMOUNT, "Partner amount (local currency)"),
    (s.ITU_AMOUNT, "ITU amt"),
    (s.CURRENCY, "Currency code"),
])
def test_renamed_money_column_is_an_error_naming_the_closest_header(renamed, header):
    columns = [header if c == renamed else c for c in s.AGREEMENT_COLUMNS]
    row = {header if c == renamed else c: v for c, v in _agreement().items()}
    with pytest.raises(WorkbookError) as caught:
        check([row], columns=columns)
    message = str(caught.value)
    assert f"no '{renamed}' column" in message and f"did you mean '{header}'" in message
    assert "'Agreement ID'" in message  # the headers found are listed


def test_amounts_without_a_currency_column_is_an_error():
    columns = [c for c in s.AGREEMENT_COLUMNS if c != s.CURRENCY]
    with pytest.raises(WorkbookError, match="'Currency'"):
        check([_agreement()], columns=columns)


# -- non-finite numbers and overflowing USD amounts (B6) ---------------------------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_nan_or_infinity_in_an_amount_is_an_error(value):
    issue = only_error(check([_agreement({s.PARTNER_AMOUNT: value})]), 2)
    assert issue.code is IssueCode.BAD_AMOUNT and issue.column == s.PARTNER_AMOUNT


def test_nan_signing_date_is_an_error_not_a_blank():
    issue = only_error(check([_agreement({s.SIGNED_ON: float("nan")})]), 2)
    assert issue.code is IssueCode.BAD_DATE


def test_overflowing_usd_amount_is_an_error_without_runtime_warning():
    import warnings as python_warnings
    rates = [("XAU", date(2018, 1, 1), 1e-300)]
    rows = [_agreement({s.CURRENCY: "XAU", s.PARTNER_AMOUNT: 1e14}, id="A1"),
            _agreement({s.PARTNER_AMOUNT: 5}, id="A2")]
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("error")
        report = run_tables({s.AGREEMENTS: _values(rows),
                             s.RATES: [list(s.RATE_COLUMNS), *[list(r) for r in rates]]},
                            Options(through=date(2022, 12, 31)))
    issues = report.tables[s.ISSUES]
    assert list(issues[s.ISSUE_ROW]) == [2] and list(issues[s.ISSUE_SEVERITY]) == [s.ERROR]
    summary = report.tables[s.SUMMARY].set_index(s.PERIOD).loc["2022"]
    assert (summary[s.AGREEMENTS_N], summary[s.FUNDS_USD]) == (1, 5.0)


def test_overflow_issue_has_its_code():
    rows = [_agreement({s.CURRENCY: "XAU", s.PARTNER_AMOUNT: 1e14})]
    issue = only_error(check(rows, rates=[("XAU", date(2018, 1, 1), 1e-300)]), 2)
    assert issue.code is IssueCode.USD_OVERFLOW


# -- a Rates row with an unusable rate (B7) --------------------------------------------------------

@pytest.mark.parametrize("bad_rate", [None, "n/a", 0, "#N/A"])
def test_unusable_rate_row_makes_the_agreements_it_would_price_errors(bad_rate):
    rates = [("CHF", date(2022, 1, 1), 0.9), ("CHF", date(2022, 6, 1), bad_rate),
             ("CHF", date(2022, 9, 1), 0.8)]
    rows = [_agreement({s.CURRENCY: "CHF", s.PARTNER_AMOUNT: 90,
                        s.SIGNED_ON: date(2022, 5, 31)}, id="A1"),   # 0.9: 100 USD
            _agreement({s.CURRENCY: "CHF", s.SIGNED_ON: date(2022, 6, 1)}, id="A2"),
            _agreement({s.CURRENCY: "CHF", s.SIGNED_ON: date(2022, 8, 31)}, id="A3"),
            _agreement({s.CURRENCY: "CHF", s.PARTNER_AMOUNT: 80,
                        s.SIGNED_ON: date(2022, 9, 1)}, id="A4")]    # 0.8: 100 USD
    checked = check(rows, rates=rates)
    [rate_issue] = [i for i in checked.issues if i.sheet == s.RATES]
    assert rate_issue.row == 3 and rate_issue.severity == s.ERROR
    for row in (3, 4):
        issue = only_error(checked, row)
        assert issue.code is IssueCode.UNUSABLE_RATE and "row 3" in issue.problem
    got = checked.agreements.set_index("id")
    assert list(got.index) == ["A1", "A4"]
    assert list(got["partner_usd"]) == pytest.approx([100, 100])


# -- settings the tool does not understand (B9) ------------------------------------------------------

@pytest.mark.parametrize("name, value, accepted", [
    ("ECB fallback", "maybe", "yes or no"),
    ("Language", "de", "en or fr"),
    ("Top partners", "many", "whole number"),
    ("Report year", "soon", "a year"),
    ("Through", "end of March", "a date"),
])
def test_setting_not_understood_is_a_warning_naming_the_accepted_values(name, value, accepted):
    settings = RawTable.from_values(s.SETTINGS, [["Setting", "Value"], [name, value]])
    checked = check([_agreement()], extra={s.SETTINGS: settings})
    [issue] = checked.issues
    assert (issue.code, issue.severity, issue.sheet, issue.row) == \
        (IssueCode.BAD_SETTING, s.WARNING, s.SETTINGS, 2)
    assert accepted in issue.problem and name in issue.problem
    assert checked.settings == type(checked.settings)()  # every default kept


# -- booleans next to equal numbers (B11) --------------------------------------------------------

@pytest.mark.parametrize("number, boolean", [(1, True), (0, False), (1.0, True)])
def test_boolean_amount_is_an_error_even_after_an_equal_number(number, boolean):
    rows = [_agreement({s.PARTNER_AMOUNT: number}, id="A1"),
            _agreement({s.PARTNER_AMOUNT: boolean}, id="A2")]
    checked = check(rows)
    assert accepted_ids(checked) == ["A1"]
    issue = only_error(checked, 3)
    assert issue.code is IssueCode.BAD_AMOUNT and issue.value == str(boolean)


# -- plain words (B12) ---------------------------------------------------------------------------

def test_date_where_an_amount_is_expected_is_said_in_plain_words():
    issue = only_error(check([_agreement({s.PARTNER_AMOUNT: date(2022, 1, 5)})]), 2)
    assert issue.code is IssueCode.BAD_AMOUNT
    assert "a date (5 jan 2022) where an amount is expected" in issue.problem.casefold()
    assert "datetime" not in issue.problem


def test_control_characters_are_removed_with_a_warning():
    rows = [_agreement({s.PARTNER: "Ac\x01me\x1b[31m", s.REGION: "Afr\x07ica"})]
    checked = check(rows)
    assert errors(checked) == []
    found = warnings(checked, 2)
    assert {(w.code, w.column) for w in found} == {
        (IssueCode.CONTROL_CHARACTERS, s.PARTNER), (IssueCode.CONTROL_CHARACTERS, s.REGION)}
    assert all(ch not in w.value for w in found for ch in "\x01\x1b\x07")
    rec = checked.agreements.iloc[0]
    assert (rec["partner"], rec["region"]) == ("Acme[31m", "Africa")


def test_control_characters_in_an_issue_value_are_never_shown_raw():
    issue = only_error(check([_agreement({s.REGION: "\x1b[2JAtlantis"})]), 2)
    assert "\x1b" not in issue.value and "\x1b" not in issue.problem


# -- notices: a report that says nothing says why -------------------------------------------------------

def test_notice_when_the_agreements_table_is_empty():
    report = run_tables({s.AGREEMENTS: _values([])})
    assert len(report.notices) == 1
    assert report.notices[0].startswith("Warning:") and "Agreements table has no rows" in \
        report.notices[0]


def test_notice_when_every_row_has_an_error():
    report = run_tables({s.AGREEMENTS: _values([_agreement({s.REGION: "Atlantis"})])})
    assert len(report.notices) == 1 and report.notices[0].startswith("Warning:")
    assert "no row of the Agreements table can be counted" in report.notices[0]
    assert "(1 read, each with an error listed in Issues)" in report.notices[0]


def test_notice_when_the_report_year_has_no_agreements():
    report = run_tables({s.AGREEMENTS: _values([_agreement()])}, Options(report_year=1999))
    assert any(n.startswith("Warning:") and "1999" in n for n in report.notices)


def test_notice_when_the_previous_year_window_is_empty():
    report = run_tables({s.AGREEMENTS: _values([_agreement()])})  # only 2022 data
    [notice] = report.notices
    assert notice.startswith("Warning:") and "year-over-year" in notice
    assert "1 Jan–1 Mar 2021" in notice


def test_no_notice_for_a_report_with_figures():
    rows = [_agreement(id="A1"), _agreement({s.SIGNED_ON: date(2021, 2, 1)}, id="A2")]
    assert run_tables({s.AGREEMENTS: _values(rows)}).notices == []


def test_a_plan_named_with_its_dates_in_the_lists_table_is_defined():
    lists = _lists(["Priority", "Pilot priority", "", "", "Pilot Plan", date(2030, 1, 1),
                    date(2030, 12, 31)])
    rows = [_agreement({s.PRIORITY: "Pilot priority", s.SIGNED_ON: date(2030, 6, 1)}, id="A1"),
            _agreement({s.PRIORITY: "Pilot priority", s.SIGNED_ON: date(2031, 1, 1)}, id="A2")]
    checked = validate(_tables(rows, extra=lists), today=date(2032, 1, 1))
    assert accepted_ids(checked) == ["A1"]
    assert checked.agreements.iloc[0]["plan"] == "Pilot Plan"
    assert only_error(checked, 3).code is IssueCode.NO_ACTION_PLAN


def test_a_new_priority_without_its_plan_is_ignored_with_a_warning():
    checked = check([_agreement()], extra=_lists(["Priority", "Orphan", "", "", None, None,
                                                  None]))
    [issue] = [i for i in checked.issues if i.sheet == s.LISTS]
    assert (issue.code, issue.severity, issue.row) == (IssueCode.LIST_ROW_IGNORED, s.WARNING, 2)
    assert "Orphan" not in checked.lists.labels(s.PRIORITY)


def test_control_characters_in_the_lists_table_are_removed_with_a_warning():
    checked = check([_agreement({s.REGION: "Oceania"})],
                    extra=_lists(["Region", "Oce\x01ania", "", "", None, None, None]))
    [issue] = [i for i in checked.issues if i.sheet == s.LISTS]
    assert (issue.code, issue.severity) == (IssueCode.CONTROL_CHARACTERS, s.WARNING)
    assert "Oceania" in checked.lists.labels(s.REGION) and accepted_ids(checked) == ["A1"]


@pytest.mark.parametrize("value, words", [
    (datetime(2022, 1, 5, 9, 30), "a date (5 jan 2022 09:30) where an amount is expected"),
    (timedelta(hours=3), "a time or duration where an amount is expected"),
])
def test_other_values_where_an_amount_is_expected_in_plain_words(value, words):
    issue = only_error(check([_agreement({s.ITU_AMOUNT: value})]), 2)
    assert words in issue.problem.casefold() and "datetime" not in issue.problem


def test_blank_valid_to_of_a_built_in_plan_keeps_its_end():
    # an older workbook lists Kigali priorities with a start date and no end date
    lists = _lists(["Priority", "Digital transformation", "", "", "Kigali Action Plan",
                    date(2023, 1, 1), None])
    checked = validate(_tables([_agreement({s.PRIORITY: "Digital transformation",
                                            s.SIGNED_ON: date(2030, 3, 1)})], extra=lists),
                       today=date(2031, 1, 1))
    assert only_error(checked, 2).code is IssueCode.NO_ACTION_PLAN
    kigali = next(p for p in checked.lists.plans if p.name == "Kigali Action Plan")
    assert (kigali.valid_from, kigali.valid_to) == (date(2023, 1, 1), date(2025, 12, 31))
