"""Expectation suites as code: one `TableSuite` per table, grouped by stage.

Plain data, no Great Expectations import (that costs 12-15 s): the runner turns each `Check`
into a GX expectation when it validates. Adding a mart is a few lines: declare its columns with
their kinds, its key, and its checks, and register it in `STAGES`.

Levels (stored in each expectation's `meta["level"]`, mirrored in GX's own `severity`):
- critical: the data is wrong; the task fails and the BI copy is not published.
- warning: implausible but possible; logged and shown in Data Docs, never fatal.

Kinds are logical column types, not physical ones: dbt may choose INTEGER or BIGINT, DECIMAL or
DOUBLE, TIMESTAMP or TIMESTAMPTZ, and the contract should not break on that. The runner maps each
DuckDB type to one canonical pandas dtype per kind (see `KIND_DTYPES`), so a VARCHAR where an
integer belongs still fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["critical", "warning"]
CRITICAL: Level = "critical"
WARNING: Level = "warning"

# Canonical pandas dtype per kind, after the runner's normalization.
# Naive timestamps are read as UTC; dates stay naive (midnight), so the two kinds differ.
KIND_DTYPES: dict[str, str] = {
    "integer": "Int64",
    "number": "Float64",
    "string": "string",
    "boolean": "boolean",
    "timestamp": "datetime64[us, UTC]",
    "date": "datetime64[us]",
}

PLATFORMS = ("youtube", "instagram", "tiktok")
# The tier seed (SPEC 5.2) plus "mega", the documented example of a brand's extension.
# A brand that renames tiers changes this tuple together with the seed.
TIERS = ("nano", "micro", "mid-tier", "macro", "mega")
# Ids unique across platforms carry the platform as a prefix (docs/architecture.md).
PREFIXED_ID = r"^(?:youtube|instagram|tiktok):.+"

# Engagement rates are fractions (0.034). A post of a tiny account can out-perform its follower
# count (a viral reel of a 300-follower account), so a rate above 1 is possible row by row; above
# 5 it is implausible enough to review (warning). Most posts, however, stay below 1: when more than
# half of them do not, the rate is in percent or followers_at_post is wrong (critical). The
# half-of-rows form also passes on an empty mart, where a median check would fail.
ENGAGEMENT_RATE_REVIEW_ABOVE = 5.0
TYPICAL_RATE_MAX = 1.0
TYPICAL_RATE_SHARE = 0.5


@dataclass(frozen=True)
class Check:
    """One expectation: a GX expectation type, its arguments and its level."""

    type: str
    kwargs: Mapping[str, Any]
    level: Level = CRITICAL
    notes: str | None = None

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass(frozen=True)
class TableSuite:
    """What one table promises: columns with kinds, a unique key and further checks."""

    stage: str
    table: str
    columns: Mapping[str, str]
    key: tuple[str, ...]
    checks: tuple[Check, ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = {kind for kind in self.columns.values() if kind not in KIND_DTYPES}
        if unknown:
            raise ValueError(f"{self.name}: unknown column kinds {sorted(unknown)}")
        missing = [c for c in self.key if c not in self.columns]
        if missing:
            raise ValueError(f"{self.name}: key columns {missing} are not declared")

    @property
    def name(self) -> str:
        return f"{self.stage}.{self.table}"

    def all_checks(self) -> list[Check]:
        """Schema first (so a missing column is the first failure named), then keys, then rest."""
        return [*self.schema_checks(), *self.key_checks(), *self.checks]

    def schema_checks(self) -> list[Check]:
        # Extra columns are allowed: the contract lists the columns a mart has at least.
        present = Check(
            "expect_table_columns_to_match_set",
            {"column_set": list(self.columns), "exact_match": False},
            notes="every contracted column is present",
        )
        types = [
            Check("expect_column_type_to_be", {"column": col, "type_": KIND_DTYPES[kind]})
            for col, kind in self.columns.items()
        ]
        return [present, *types]

    def key_checks(self) -> list[Check]:
        checks = not_null(*self.key)
        if len(self.key) == 1:
            checks.append(Check("expect_column_values_to_be_unique", {"column": self.key[0]}))
        elif self.key:
            checks.append(
                Check("expect_compound_columns_to_be_unique", {"column_list": list(self.key)})
            )
        return checks


# --- small builders, so a suite reads like its contract -----------------------------------


def not_null(*columns: str, level: Level = CRITICAL) -> list[Check]:
    return [Check("expect_column_values_to_not_be_null", {"column": c}, level) for c in columns]


def non_negative(*columns: str, level: Level = CRITICAL) -> list[Check]:
    """Counts and money: NULL (not returned by the platform) passes, below zero does not."""
    return [
        Check("expect_column_values_to_be_between", {"column": c, "min_value": 0}, level)
        for c in columns
    ]


def between(
    column: str,
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    mostly: float | None = None,
    level: Level = CRITICAL,
    notes: str | None = None,
) -> Check:
    kwargs: dict[str, Any] = {"column": column, "min_value": min_value, "max_value": max_value}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("expect_column_values_to_be_between", kwargs, level, notes)


def in_set(column: str, values: tuple[str, ...], *, level: Level = CRITICAL) -> Check:
    return Check(
        "expect_column_values_to_be_in_set", {"column": column, "value_set": list(values)}, level
    )


def matches(column: str, regex: str, *, level: Level = CRITICAL) -> Check:
    return Check("expect_column_values_to_match_regex", {"column": column, "regex": regex}, level)


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


# --- the marts (SPEC 5.1) -------------------------------------------------------------------

FCT_POST = TableSuite(
    stage="marts",
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
        *not_null("account_id", "creator_id", "platform", "published_at"),
        in_set("platform", PLATFORMS),
        matches("post_id", PREFIXED_ID),
        matches("account_id", PREFIXED_ID),
        *non_negative(
            "likes", "comments", "shares", "saves", "views", "interactions", "followers_at_post"
        ),
        *non_negative("emv_usd"),
        *rate_checks("engagement_rate"),
        *rate_checks("engagement_rate_views"),
        *not_null("post_type", "is_sponsored", level=WARNING),
    ),
)

DIM_CREATOR_ACCOUNT = TableSuite(
    stage="marts",
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
        *not_null("creator_id", "platform", "last_refreshed_at"),
        in_set("platform", PLATFORMS),
        matches("account_id", PREFIXED_ID),
        *non_negative("followers", "following", "posts_count"),
        in_set("tier", TIERS),
        # A platform may hide a follower count (NULL followers, NULL tier): worth a look only.
        *not_null("handle", "followers", "tier", level=WARNING),
    ),
)

# stage -> table -> suite. Register a new mart here.
STAGES: dict[str, dict[str, TableSuite]] = {
    "marts": {suite.table: suite for suite in (FCT_POST, DIM_CREATOR_ACCOUNT)},
}


def suites_for(stage: str, tables: list[str] | None = None) -> list[TableSuite]:
    """The suites of a stage, all or the named tables (an unknown table is an error)."""
    registry = STAGES[stage]
    if tables is None:
        return list(registry.values())
    unknown = [t for t in tables if t not in registry]
    if unknown:
        raise ValueError(f"no expectation suite for {stage} tables {unknown}")
    return [registry[t] for t in tables]
