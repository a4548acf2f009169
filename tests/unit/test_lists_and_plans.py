"""Action plans as dated data (Kigali ends 2025, Baku from 2026) and the Lists merge rule
(SPEC §1), with the French labels the charts use."""

from __future__ import annotations

from datetime import date

from agreement_checks import accepted_ids, check, errors, only_error
from agreement_checks import agreement as _agreement
from agreement_checks import tables as _tables
from agreement_checks import values as _values

from bdt_xl import schema as s
from bdt_xl.core.lists import DEFAULT_LISTS
from bdt_xl.core.models import IssueCode
from bdt_xl.core.pipeline import run_tables
from bdt_xl.core.table import RawTable
from bdt_xl.core.validation import validate

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
