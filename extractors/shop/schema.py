"""What a landed shop order looks like (the landing suite checks it: expectations/
landing_suites.py): a Shopify Admin REST order, money as a decimal string with its ISO 4217
currency, discount codes as a list of objects."""

from __future__ import annotations

from extractors import rules
from extractors.rules import WARNING
from extractors.schema import (
    CURRENCY_CODE,
    DECIMAL_TEXT,
    DISCOUNT_CODES,
    INT64_ID,
    ISO_TIMESTAMP,
    REFUNDS,
    Field,
    RecordKey,
    RecordSchema,
)
from extractors.spec import EntitySpec

FINANCIAL_STATUSES = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
)

ORDERS = EntitySpec(
    "orders",
    RecordSchema(
        fields=(
            Field("order_id", "id", INT64_ID, required=True),
            Field("name", "name"),
            Field("created_at", "created_at", ISO_TIMESTAMP, required=True),
            # Shopify money is a decimal string ("199.00") with its ISO 4217 currency.
            Field("total_price", "total_price", DECIMAL_TEXT, required=True),
            Field("currency", "currency", required=True),
            Field("financial_status", "financial_status"),
            Field("cancelled_at", "cancelled_at", ISO_TIMESTAMP),
            Field("discount_codes", "discount_codes", DISCOUNT_CODES),
            # the money successful refund transactions returned (net revenue subtracts it)
            Field("refunded_amount", "refunds", REFUNDS),
            # where the visit came from: a creator's tracked link carries UTM parameters
            Field("landing_site", "landing_site"),
            Field("referring_site", "referring_site"),
        ),
        rules=(
            rules.same("record_key", "order_id", notes="the line is keyed by the order id"),
            *rules.non_negative("total_price", "refunded_amount"),
            rules.matches("currency", CURRENCY_CODE),
            rules.one_of("financial_status", FINANCIAL_STATUSES, level=WARNING),
        ),
    ),
    key=RecordKey("id"),
    # Each day lands the orders updated in the window, not every order: staging keeps each
    # order's latest version.
    snapshot=False,
)
