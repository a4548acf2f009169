"""Column names of the accepted-agreements frame that validation hands to aggregation.

One row per accepted agreement: canonical labels, the signing date, original amounts, the
rate used and the USD amounts. Every consumer (aggregation, worksheet functions, the
document) names the columns through these constants.
"""

from __future__ import annotations

from bdt_xl import schema as s

ROW, ID, PARTNER, KEY, TYPE, MEMBER, REGION, PRIORITY_COL, PLAN, SIGNED, CURRENCY = (
    "row", "id", "partner", "partner_key", "partner_type", "membership", "region", "priority",
    "plan", "signed", "currency")
PARTNER_AMT, ITU_AMT, RATE, PARTNER_USD, ITU_USD, FUNDS, FX_SOURCE = (
    "partner_amount", "itu_amount", "rate", "partner_usd", "itu_usd", "funds", "fx_source")

#: The frame column of each SPEC column of the Agreements table.
FIELD_OF = {s.AGREEMENT_ID: ID, s.PARTNER: PARTNER, s.PARTNER_TYPE: TYPE, s.MEMBERSHIP: MEMBER,
            s.REGION: REGION, s.PRIORITY: PRIORITY_COL, s.SIGNED_ON: SIGNED,
            s.CURRENCY: CURRENCY, s.PARTNER_AMOUNT: PARTNER_AMT, s.ITU_AMOUNT: ITU_AMT}
AGREEMENT_FRAME_COLUMNS = (ROW, ID, PARTNER, KEY, TYPE, MEMBER, REGION, PRIORITY_COL, PLAN, SIGNED,
                           CURRENCY, PARTNER_AMT, ITU_AMT, RATE, PARTNER_USD, ITU_USD, FUNDS,
                           FX_SOURCE)

#: The list columns, each also carried as a categorical column of label codes (built once by
#: validation from the distinct cells it checked, so aggregation need not hash labels again).
LABEL_COLUMNS = (TYPE, MEMBER, REGION, PRIORITY_COL)
CODES_OF = {column: f"{column}_codes" for column in LABEL_COLUMNS}
