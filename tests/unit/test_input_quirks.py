"""Input quirks that must never give a silently wrong figure (issue 8 section B): renamed
money columns, non-finite numbers, unusable rates, settings not understood, booleans next to
numbers, plain words and control characters; and the notices of a report that says nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from agreement_checks import accepted_ids, check, errors, only_error, warnings
from agreement_checks import agreement as _agreement
from agreement_checks import values as _values

from bdt_xl import schema as s
from bdt_xl.core.models import IssueCode
from bdt_xl.core.pipeline import Options, run_tables
from bdt_xl.core.table import RawTable
from bdt_xl.errors import WorkbookError

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


@pytest.mark.parametrize("value, words", [
    (datetime(2022, 1, 5, 9, 30), "a date (5 jan 2022 09:30) where an amount is expected"),
    (timedelta(hours=3), "a time or duration where an amount is expected"),
])
def test_other_values_where_an_amount_is_expected_in_plain_words(value, words):
    issue = only_error(check([_agreement({s.ITU_AMOUNT: value})]), 2)
    assert words in issue.problem.casefold() and "datetime" not in issue.problem


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
