"""Validation of agreement rows (SPEC §1 and the careful-user rules)."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest
from agreement_checks import (
    RATES,
    TODAY,
    VALID_AGREEMENT,
    accepted_ids,
    check,
    errors,
    only_error,
    warnings,
)
from agreement_checks import agreement as _agreement
from agreement_checks import tables as _tables
from agreement_checks import values as _values

from bdt_xl import schema as s
from bdt_xl.core.models import IssueCode
from bdt_xl.core.pipeline import Options, run_tables
from bdt_xl.core.validation import validate
from bdt_xl.files.reader import RawTable, WorkbookError

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


def test_valid_agreement_fixture_is_valid():
    assert errors(check([dict(VALID_AGREEMENT)])) == []
