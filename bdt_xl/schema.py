"""Names fixed by the product contract (SPEC): input tables, their columns, report tables.

Every module takes table and column names from here, so a name is spelled once.
"""

from __future__ import annotations

# -- input tables ----------------------------------------------------------------------------
AGREEMENTS = "Agreements"
RATES = "Rates"
SETTINGS = "Settings"
LISTS = "Lists"

AGREEMENT_ID = "Agreement ID"
PARTNER = "Partner"
PARTNER_TYPE = "Partner type"
MEMBERSHIP = "ITU membership"
REGION = "Region"
PRIORITY = "Priority"
SIGNED_ON = "Signed on"
CURRENCY = "Currency"
PARTNER_AMOUNT = "Partner amount"
ITU_AMOUNT = "ITU amount"

AGREEMENT_COLUMNS = (
    AGREEMENT_ID, PARTNER, PARTNER_TYPE, MEMBERSHIP, REGION, PRIORITY, SIGNED_ON, CURRENCY,
    PARTNER_AMOUNT, ITU_AMOUNT,
)
#: Columns that may be absent from the Agreements table (blank = default).
OPTIONAL_AGREEMENT_COLUMNS = (MEMBERSHIP, CURRENCY, PARTNER_AMOUNT, ITU_AMOUNT)

EFFECTIVE_FROM = "Effective from"
UNITS_PER_USD = "Units per USD"
RATE_COLUMNS = (CURRENCY, EFFECTIVE_FROM, UNITS_PER_USD)

SETTING = "Setting"
VALUE = "Value"
SETTINGS_COLUMNS = (SETTING, VALUE)
SETTING_REPORT_YEAR = "Report year"
SETTING_THROUGH = "Through"
SETTING_LANGUAGE = "Language"
SETTING_TOP_N = "Top partners"
SETTING_ECB_FALLBACK = "ECB fallback"

# -- report tables ---------------------------------------------------------------------------
PERIOD = "Period"
FROM = "From"
TO = "To"
PERIOD_COLUMNS = (PERIOD, FROM, TO)

AGREEMENTS_N = "Agreements"
FINANCIAL_N = "Financial agreements"
PARTNERS_N = "Partners"
PARTNER_USD = "Partner component (USD)"
ITU_USD = "ITU component (USD)"
FUNDS_USD = "Funds (USD)"
PARTNER_SHARE = "Partner share"
AGREEMENT_SHARE = "Agreement share"
FUNDS_SHARE = "Funds share"
ITU_SHARE = "ITU share"
ACTION_PLAN = "Action plan"
RANK = "Rank"
CONTRIBUTION_USD = "Partner contribution (USD)"
ORIGINAL_AMOUNTS = "Original amounts"

SUMMARY = "Summary"
BY_PARTNER_TYPE = "ByPartnerType"
BY_MEMBERSHIP = "ByMembership"
BY_REGION = "ByRegion"
BY_PRIORITY = "ByPriority"
COFINANCING = "Cofinancing"
TOP_PARTNERS = "TopPartners"
YEAR_OVER_YEAR = "YearOverYear"
ISSUES = "Issues"

_BREAKDOWN_WITH_PARTNERS = (PARTNERS_N, PARTNER_SHARE, AGREEMENTS_N, AGREEMENT_SHARE, FUNDS_USD,
                            FUNDS_SHARE)
_BREAKDOWN = (AGREEMENTS_N, AGREEMENT_SHARE, FUNDS_USD, FUNDS_SHARE)

ISSUE_ROW = "Row"
ISSUE_COLUMN = "Column"
ISSUE_VALUE = "Value"
ISSUE_SEVERITY = "Severity"
ISSUE_PROBLEM = "Problem"
ISSUE_SHEET = "Sheet"
ISSUE_COLUMNS = (ISSUE_ROW, AGREEMENT_ID, ISSUE_COLUMN, ISSUE_VALUE, ISSUE_SEVERITY, ISSUE_PROBLEM,
                 ISSUE_SHEET)
ERROR = "Error"
WARNING = "Warning"

#: Column names of every report table, in order (SPEC §3).
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    SUMMARY: (*PERIOD_COLUMNS, AGREEMENTS_N, FINANCIAL_N, PARTNERS_N, PARTNER_USD, ITU_USD,
              FUNDS_USD),
    BY_PARTNER_TYPE: (*PERIOD_COLUMNS, PARTNER_TYPE, *_BREAKDOWN_WITH_PARTNERS),
    BY_MEMBERSHIP: (*PERIOD_COLUMNS, MEMBERSHIP, *_BREAKDOWN_WITH_PARTNERS),
    BY_REGION: (*PERIOD_COLUMNS, REGION, *_BREAKDOWN),
    BY_PRIORITY: (*PERIOD_COLUMNS, ACTION_PLAN, PRIORITY, *_BREAKDOWN),
    COFINANCING: (*PERIOD_COLUMNS, PARTNER_USD, ITU_USD, FUNDS_USD, PARTNER_SHARE, ITU_SHARE),
    TOP_PARTNERS: (*PERIOD_COLUMNS, RANK, PARTNER, PARTNER_TYPE, CONTRIBUTION_USD,
                   ORIGINAL_AMOUNTS),
    YEAR_OVER_YEAR: (*PERIOD_COLUMNS, AGREEMENTS_N, PARTNERS_N, FINANCIAL_N, PARTNER_USD, ITU_USD,
                     FUNDS_USD),
    ISSUES: ISSUE_COLUMNS,
}
REPORT_TABLES = tuple(REPORT_COLUMNS)

SHARE_COLUMNS = frozenset({PARTNER_SHARE, AGREEMENT_SHARE, FUNDS_SHARE, ITU_SHARE})
USD_COLUMNS = frozenset({PARTNER_USD, ITU_USD, FUNDS_USD, CONTRIBUTION_USD})
COUNT_COLUMNS = frozenset({AGREEMENTS_N, FINANCIAL_N, PARTNERS_N, RANK})
DATE_COLUMNS = frozenset({FROM, TO})
