"""Suites of the marts (SPEC 5.1): the public interface of the warehouse.

Adding a mart is a few lines: declare its columns with their kinds, its key, its checks, the
columns that must exist in another mart (`references`), the column that must be recent
(`freshness`), and add it to `MART_SUITES`. A mart flagged `optional=True` that does not exist
yet in the warehouse is skipped with a warning; fct_post and dim_creator_account are required.
Every mart also gets a row-count check against the previous successful run (marts.py).
"""

from __future__ import annotations

from expectations.contract import (
    WARNING,
    Check,
    Reference,
    TableSuite,
    at_least,
    between,
    in_set,
    matches,
    non_negative,
    not_null,
)

MARTS = "marts"

PLATFORMS = ("youtube", "instagram", "tiktok")
# The tier seed (SPEC 5.2) plus "mega", the documented example of a brand's extension.
# A brand that renames tiers changes this tuple together with the seed.
TIERS = ("nano", "micro", "mid-tier", "macro", "mega")
CREATOR_STATUSES = ("prospect", "active", "paused", "ended")
HEALTH_BANDS = ("healthy", "needs_attention", "at_risk")
FLAG_TYPES = (
    "follower_spike",
    "follower_drop",
    "low_engagement",
    "engagement_anomaly",
    "undisclosed_sponsorship",
    "weak_disclosure",
    "brand_safety",
    "competitor_mention",
    "inactive_partner",
    "late_payment",
)
# SPEC 5.3 names "high" only; the usual three-step scale is assumed, hence a warning.
FLAG_SEVERITIES = ("low", "medium", "high")
# docs/architecture.md: the ground truth's subject kinds, carried by mart_quality_flags.
SUBJECT_KINDS = ("post", "account", "creator", "payment", "order")
# Ids unique across platforms carry the platform as a prefix (docs/architecture.md).
PREFIXED_ID = r"^(?:youtube|instagram|tiktok):.+"
COUNTRY_CODE = r"^[A-Z]{2}$"

# Engagement rates are fractions (0.034). A post of a tiny account can out-perform its follower
# count (a viral reel of a 300-follower account), so a rate above 1 is possible row by row; above
# 5 it is implausible enough to review (warning). Most posts, however, stay below 1: when more than
# half of them do not, the rate is in percent or followers_at_post is wrong (critical). The
# half-of-rows form also passes on an empty mart, where a median check would fail.
ENGAGEMENT_RATE_REVIEW_ABOVE = 5.0
TYPICAL_RATE_MAX = 1.0
TYPICAL_RATE_SHARE = 0.5
# Growth rates: an account cannot lose more than all its followers (below -1 is a bug), and
# doubling within the period is possible (a viral month, bought followers) but worth a look.
GROWTH_REVIEW_ABOVE = 1.0


def rate_checks(column: str) -> list[Check]:
    """A rate is a non-negative fraction, typically below 1 (see the constants above)."""
    return [
        between(column, 0, notes="a negative rate is a computation bug"),
        between(
            column,
            None,
            TYPICAL_RATE_MAX,
            mostly=TYPICAL_RATE_SHARE,
            notes="most rates are fractions below 1; otherwise percent units or wrong followers",
        ),
        between(
            column,
            None,
            ENGAGEMENT_RATE_REVIEW_ABOVE,
            level=WARNING,
            notes="possible for tiny accounts, implausible beyond this: review",
        ),
    ]


def fraction(*columns: str) -> list[Check]:
    """Shares of a whole (response rate, on-time rates, percentiles): within [0, 1]."""
    return [between(c, 0, 1, notes="a fraction, not a percent (SPEC 5.1)") for c in columns]


def growth_checks(column: str) -> list[Check]:
    return [
        between(column, -1, notes="cannot lose more than all followers"),
        between(column, None, GROWTH_REVIEW_ABOVE, level=WARNING, notes="more than doubled"),
    ]


def creator_ref(column: str = "creator_id") -> Reference:
    return Reference(column, "dim_creator", "creator_id")


def account_ref(column: str = "account_id") -> Reference:
    return Reference(column, "dim_creator_account", "account_id")


# --- dimensions and facts -------------------------------------------------------------------

DIM_CREATOR = TableSuite(
    stage=MARTS,
    table="dim_creator",
    columns={
        "creator_id": "string",
        "display_name": "string",
        "tier": "string",
        "primary_platform": "string",
        "status": "string",
        "manager": "string",
        "country": "string",
        "niche": "string",
        "first_partnered_on": "date",
    },
    key=("creator_id",),
    checks=(
        in_set("status", CREATOR_STATUSES),
        in_set("tier", TIERS),
        in_set("primary_platform", PLATFORMS),
        # The CRM is typed by hand: an odd country or a missing name is worth a look only.
        matches("country", COUNTRY_CODE, level=WARNING),
        *not_null("display_name", "status", level=WARNING),
    ),
    optional=True,
)

DIM_CREATOR_ACCOUNT = TableSuite(
    stage=MARTS,
    table="dim_creator_account",
    columns={
        "account_id": "string",
        "creator_id": "string",
        "platform": "string",
        "handle": "string",
        "followers": "integer",
        "following": "integer",
        "posts_count": "integer",
        "tier": "string",
        "last_refreshed_at": "timestamp",
    },
    key=("account_id",),
    checks=(
        *not_null("platform", "last_refreshed_at"),
        in_set("platform", PLATFORMS),
        matches("account_id", PREFIXED_ID),
        *non_negative("followers", "following", "posts_count"),
        in_set("tier", TIERS),
        # A platform may hide a follower count (NULL followers, NULL tier): worth a look only.
        # creator_id is NULL when no creator in the latest CRM export names the account (the
        # dbt contract documents it), so that too is a warning.
        *not_null("creator_id", "handle", "followers", "tier", level=WARNING),
    ),
    references=(creator_ref(),),
    freshness="last_refreshed_at",
)

FCT_POST = TableSuite(
    stage=MARTS,
    table="fct_post",
    columns={
        "post_id": "string",
        "account_id": "string",
        "creator_id": "string",
        "platform": "string",
        "published_at": "timestamp",
        "post_type": "string",
        "likes": "integer",
        "comments": "integer",
        "shares": "integer",
        "saves": "integer",
        "views": "integer",
        "interactions": "integer",
        "followers_at_post": "integer",
        "engagement_rate": "number",
        "engagement_rate_views": "number",
        "campaign_id": "string",
        "is_sponsored": "boolean",
        "disclosure_status": "string",
        "emv_usd": "number",
    },
    key=("post_id",),
    checks=(
        *not_null("account_id", "platform", "published_at"),
        in_set("platform", PLATFORMS),
        matches("post_id", PREFIXED_ID),
        matches("account_id", PREFIXED_ID),
        *non_negative(
            "likes", "comments", "shares", "saves", "views", "interactions", "followers_at_post"
        ),
        *non_negative("emv_usd"),
        *rate_checks("engagement_rate"),
        *rate_checks("engagement_rate_views"),
        # creator_id: NULL when no creator claims the account (see dim_creator_account).
        *not_null("creator_id", "post_type", "is_sponsored", level=WARNING),
    ),
    references=(
        account_ref(),
        creator_ref(),
        # A campaign without a row in the ROI mart is a modelling gap, not wrong data.
        Reference("campaign_id", "mart_campaign_roi", "campaign_id", WARNING),
    ),
    freshness="published_at",
)

FCT_ACCOUNT_DAILY = TableSuite(
    stage=MARTS,
    table="fct_account_daily",
    columns={
        "account_id": "string",
        "date": "date",
        "followers": "integer",
        "following": "integer",
        "followers_delta": "integer",
        "growth_rate_7d": "number",
        "growth_rate_30d": "number",
        "posts_published": "integer",
    },
    key=("account_id", "date"),
    checks=(
        matches("account_id", PREFIXED_ID),
        *non_negative("followers", "following", "posts_published"),
        *growth_checks("growth_rate_7d"),
        *growth_checks("growth_rate_30d"),
    ),
    references=(account_ref(),),
    freshness="date",
    optional=True,
)

# --- account × month ------------------------------------------------------------------------

MART_CREATOR_ENGAGEMENT = TableSuite(
    stage=MARTS,
    table="mart_creator_engagement",
    columns={
        "account_id": "string",
        "month": "date",
        "posts": "integer",
        "avg_engagement_rate": "number",
        "median_engagement_rate": "number",
        "tier_median_engagement_rate": "number",
        "engagement_index": "number",
        "percentile_in_tier": "number",
    },
    key=("account_id", "month"),
    checks=(
        *non_negative("posts", "engagement_index"),
        *rate_checks("avg_engagement_rate"),
        *rate_checks("median_engagement_rate"),
        *rate_checks("tier_median_engagement_rate"),
        *fraction("percentile_in_tier"),
    ),
    references=(account_ref(),),
    optional=True,
)

MART_CREATOR_GROWTH = TableSuite(
    stage=MARTS,
    table="mart_creator_growth",
    columns={
        "account_id": "string",
        "month": "date",
        "followers_start": "integer",
        "followers_end": "integer",
        "net_new_followers": "integer",
        "growth_rate": "number",
    },
    key=("account_id", "month"),
    checks=(
        *non_negative("followers_start", "followers_end"),
        *growth_checks("growth_rate"),
    ),
    references=(account_ref(),),
    optional=True,
)

# --- campaigns ------------------------------------------------------------------------------

ROI_MEASURES: dict[str, str] = {
    "spend_committed_usd": "number",
    "spend_paid_usd": "number",
    "posts_delivered": "integer",
    "views": "integer",
    "interactions": "integer",
    "orders": "integer",
    "revenue_usd": "number",
    "emv_usd": "number",
    "cpm_usd": "number",
    "cpe_usd": "number",
    "cpa_usd": "number",
    "roas": "number",
    "roi": "number",
}


def roi_checks() -> tuple[Check, ...]:
    """Money, counts and ratios are >= 0 (NULL when divided by zero, SPEC 5.2); ROI >= -1 since
    revenue cannot be negative; paying more than committed is possible (extras) but odd."""
    return (
        *non_negative(*(m for m in ROI_MEASURES if m != "roi")),
        between("roi", -1, notes="(revenue - spend) / spend with revenue >= 0"),
        at_least(
            "spend_committed_usd",
            "spend_paid_usd",
            level=WARNING,
            notes="paid more than committed: review",
        ),
    )


MART_CAMPAIGN_ROI = TableSuite(
    stage=MARTS,
    table="mart_campaign_roi",
    columns={"campaign_id": "string", **ROI_MEASURES},
    key=("campaign_id",),
    checks=roi_checks(),
    optional=True,
)

MART_CAMPAIGN_CREATOR_ROI = TableSuite(
    stage=MARTS,
    table="mart_campaign_creator_roi",
    columns={"campaign_id": "string", "creator_id": "string", **ROI_MEASURES},
    key=("campaign_id", "creator_id"),
    checks=roi_checks(),
    references=(Reference("campaign_id", "mart_campaign_roi", "campaign_id"), creator_ref()),
    optional=True,
)

# --- flags, health, scorecard ---------------------------------------------------------------

MART_QUALITY_FLAGS = TableSuite(
    stage=MARTS,
    table="mart_quality_flags",
    columns={
        "flag_id": "string",
        "flag_type": "string",
        "severity": "string",
        "creator_id": "string",
        "account_id": "string",
        "post_id": "string",
        "detected_on": "date",
        "metric_value": "number",
        "threshold": "number",
        "evidence": "string",
        "subject_kind": "string",
        "subject_id": "string",
    },
    key=("flag_id",),
    checks=(
        *not_null("flag_type", "detected_on", "subject_kind", "subject_id"),
        in_set("flag_type", FLAG_TYPES),
        in_set("subject_kind", SUBJECT_KINDS),
        in_set("severity", FLAG_SEVERITIES, level=WARNING),
        *not_null("severity", "evidence", level=WARNING),
    ),
    references=(
        creator_ref(),
        account_ref(),
        Reference("post_id", "fct_post", "post_id"),
    ),
    optional=True,
)

MART_RELATIONSHIP_HEALTH = TableSuite(
    stage=MARTS,
    table="mart_relationship_health",
    columns={
        "creator_id": "string",
        "partnership_days": "integer",
        "campaigns": "integer",
        "last_touchpoint_at": "timestamp",
        "days_since_touchpoint": "integer",
        "response_rate": "number",
        "on_time_delivery_rate": "number",
        "on_time_payment_rate": "number",
        "health_score": "number",
        "health_band": "string",
    },
    key=("creator_id",),
    checks=(
        *non_negative("campaigns"),
        # Negative days mean a date typed in the future in the CRM: odd, not wrong data.
        *non_negative("partnership_days", "days_since_touchpoint", level=WARNING),
        *fraction("response_rate", "on_time_delivery_rate", "on_time_payment_rate"),
        between("health_score", 0, 100, notes="SPEC 5.4: a score from 0 to 100"),
        in_set("health_band", HEALTH_BANDS),
        *not_null("health_score", "health_band", level=WARNING),
    ),
    references=(creator_ref(),),
    optional=True,
)

MART_CREATOR_SCORECARD = TableSuite(
    stage=MARTS,
    table="mart_creator_scorecard",
    columns={
        "creator_id": "string",
        "tier": "string",
        "engagement_index": "number",
        "growth_rate_30d": "number",
        "roi": "number",
        "open_flags": "integer",
        "health_score": "number",
        "score": "number",
        "rank": "integer",
    },
    key=("creator_id",),
    checks=(
        in_set("tier", TIERS),
        *non_negative("engagement_index", "open_flags"),
        *growth_checks("growth_rate_30d"),
        between("roi", -1, notes="(revenue - spend) / spend with revenue >= 0"),
        between("health_score", 0, 100),
        between("rank", 1, notes="ranks start at 1"),
        *not_null("score", "rank", level=WARNING),
    ),
    references=(creator_ref(),),
    optional=True,
)

# In validation order: dimensions first, so a broken parent is named before its children.
MART_SUITES: tuple[TableSuite, ...] = (
    DIM_CREATOR,
    DIM_CREATOR_ACCOUNT,
    FCT_POST,
    FCT_ACCOUNT_DAILY,
    MART_CREATOR_ENGAGEMENT,
    MART_CREATOR_GROWTH,
    MART_CAMPAIGN_ROI,
    MART_CAMPAIGN_CREATOR_ROI,
    MART_QUALITY_FLAGS,
    MART_RELATIONSHIP_HEALTH,
    MART_CREATOR_SCORECARD,
)
