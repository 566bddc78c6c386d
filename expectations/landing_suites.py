"""Suites of the landing zone: one per landing entity, plus one for the partitions' manifests.

A landing line is `{"extracted_at", "record_key", "parent_key", "payload"}` with the payload as
the source sent it (docs/architecture.md). Each entity declares the payload fields that matter
as `Field`s: a name, a path into the payload, and a `Parser` that knows how the source writes
that kind of value (YouTube counts are digit strings, TikTok ids are int64 JSON numbers kept as
exact digit strings, Instagram timestamps end in `+0000`, CRM cells are all text). landing.py
flattens each record into one row of these columns; a value of the wrong shape becomes NULL and
is named in the row's `type_errors` column, which must be empty. Unknown extra fields are fine.

Levels: the platform APIs and the shop are contracts, so a broken record is critical (it would
break staging or silently lose data). CRM files are typed by hand and SPEC 3.2 routes their bad
rows (bad dates, negative amounts, duplicate ids) to a quarantine table while the rest loads,
so there those checks are warnings; a NULL key or a manifest mismatch is critical everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from expectations.contract import (
    CRITICAL,
    WARNING,
    Check,
    Level,
    TableSuite,
    between,
    equal,
    in_set,
    is_null,
    matches,
    non_negative,
    not_null,
)

LANDING = "landing"

# Columns every landing frame has: the partition date and the envelope of each line.
ENVELOPE: dict[str, str] = {
    "dt": "date",
    "extracted_at": "timestamp",
    "record_key": "string",
    "parent_key": "string",
}
TYPE_ERRORS = "type_errors"
# Failing rows are named by these columns in reports (every landing frame has them).
ROW_ID = ("dt", "record_key")

_INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# --- parsers: how a source writes a kind of value -------------------------------------------


@dataclass(frozen=True)
class Parser:
    """Reads one JSON value of a source's representation; raises ValueError on another shape."""

    describe: str  # what was expected, for the type error ("an integer")
    kind: str
    parse: Callable[[Any], Any]


def _fits_int64(value: int) -> int:
    if abs(value) > _INT64_MAX:
        raise ValueError("outside int64")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _digit_string(value: Any) -> int:
    # A minus sign parses, so a negative count is reported by the range check with its value.
    if not (isinstance(value, str) and _INTEGER.fullmatch(value)):
        raise ValueError("not a digit string")
    return _fits_int64(int(value))


def _json_integer(value: Any) -> int:
    # bool is an int in Python; JSON true is not a count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return _fits_int64(value)


def _int64_id(value: Any) -> str:
    """Exact digits: json.loads keeps big integers exact; a float would have lost them."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value
    raise ValueError("not an integer id")


def _json_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _iso_timestamp(value: Any) -> datetime:
    """ISO 8601 with an offset (`Z`, `+00:00` or Instagram's `+0000`); a naive one is ambiguous."""
    parsed = datetime.fromisoformat(_text(value))
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset")
    return parsed.astimezone(UTC)


def _unix_seconds(value: Any) -> datetime:
    return datetime.fromtimestamp(_json_integer(value), UTC)


def _decimal_text(value: Any) -> float:
    if not (isinstance(value, str) and _DECIMAL.fullmatch(value)):
        raise ValueError("not a decimal string")
    return float(value)


def _date_text(value: Any) -> date:
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        raise ValueError("not YYYY-MM-DD")
    return date.fromisoformat(value)


def _bool_text(value: Any) -> bool:
    if value not in ("true", "false"):
        raise ValueError("not true/false")
    return value == "true"


def _discount_codes(value: Any) -> str:
    """Shopify's `[{"code", "amount", "type"}]`, as a comma-separated list of the codes."""
    if not isinstance(value, list):
        raise ValueError("not a list")
    codes = [item.get("code") if isinstance(item, dict) else None for item in value]
    if not all(isinstance(code, str) for code in codes):
        raise ValueError("an item without a code")
    return ",".join(codes)


TEXT = Parser("a string", "string", _text)
DIGIT_STRING = Parser("a count as a digit string", "integer", _digit_string)
INTEGER = Parser("an integer", "integer", _json_integer)
INT64_ID = Parser("an integer id", "string", _int64_id)
BOOLEAN = Parser("a boolean", "boolean", _json_boolean)
ISO_TIMESTAMP = Parser("an ISO 8601 timestamp with offset", "timestamp", _iso_timestamp)
UNIX_SECONDS = Parser("Unix seconds as an integer", "timestamp", _unix_seconds)
DECIMAL_TEXT = Parser("a decimal string", "number", _decimal_text)
DATE_TEXT = Parser("a YYYY-MM-DD date", "date", _date_text)
BOOL_TEXT = Parser("true or false", "boolean", _bool_text)
DISCOUNT_CODES = Parser("a list of discount codes", "string", _discount_codes)


@dataclass(frozen=True)
class Field:
    """A payload value that matters: its column name, dotted path and parser."""

    name: str
    path: str
    parser: Parser = TEXT
    required: bool = False

    @property
    def steps(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))


@dataclass(frozen=True)
class LandingEntity:
    source: str
    entity: str
    fields: tuple[Field, ...]
    suite: TableSuite

    @property
    def name(self) -> str:
        """`<source>/<entity>`, the landing zone's folder."""
        return f"{self.source}/{self.entity}"


def landing_entity(
    source: str,
    entity: str,
    fields: tuple[Field, ...],
    checks: tuple[Check, ...] = (),
    *,
    has_parent: bool = False,
    level: Level = CRITICAL,
) -> LandingEntity:
    """The entity and its suite: envelope, required fields, field types, then `checks`."""
    columns = {**ENVELOPE, **{f.name: f.parser.kind for f in fields}, TYPE_ERRORS: "string"}
    required = [f.name for f in fields if f.required]
    suite = TableSuite(
        stage=LANDING,
        table=f"{source}_{entity}",
        columns=columns,
        # Unique within a partition: the same record may (and should) land again another day.
        key=ROW_ID,
        checks=(
            *not_null("extracted_at", *required),
            *(not_null("parent_key") if has_parent else []),
            is_null(
                TYPE_ERRORS,
                level=level,
                notes="every field has the type its source documents; lists field=value",
            ),
            *checks,
        ),
        unique_level=level,
    )
    return LandingEntity(source, entity, fields, suite)


# --- platform APIs --------------------------------------------------------------------------

YOUTUBE_COUNTS = ("subscriber_count", "view_count", "video_count")

YOUTUBE_CHANNELS = landing_entity(
    "youtube",
    "channels",
    (
        Field("channel_id", "id", required=True),
        Field("kind", "kind"),
        Field("title", "snippet.title"),
        Field("custom_url", "snippet.customUrl"),
        Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP),
        # Counts are uint64 digit strings; subscriberCount is absent when hidden.
        Field("subscriber_count", "statistics.subscriberCount", DIGIT_STRING),
        Field("hidden_subscriber_count", "statistics.hiddenSubscriberCount", BOOLEAN),
        Field("view_count", "statistics.viewCount", DIGIT_STRING),
        Field("video_count", "statistics.videoCount", DIGIT_STRING),
        # The extractor walks this playlist for the channel's videos.
        Field("uploads_playlist_id", "contentDetails.relatedPlaylists.uploads", required=True),
    ),
    (
        equal("record_key", "channel_id", notes="the line is keyed by the channel's id"),
        in_set("kind", ("youtube#channel",)),
        *non_negative(*YOUTUBE_COUNTS),
        *not_null("title", "view_count", level=WARNING),
    ),
)

YOUTUBE_VIDEOS = landing_entity(
    "youtube",
    "videos",
    (
        Field("video_id", "id", required=True),
        Field("kind", "kind"),
        Field("channel_id", "snippet.channelId", required=True),
        Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP, required=True),
        Field("title", "snippet.title"),
        # likeCount is absent when likes are hidden, commentCount when comments are off.
        Field("view_count", "statistics.viewCount", DIGIT_STRING),
        Field("like_count", "statistics.likeCount", DIGIT_STRING),
        Field("comment_count", "statistics.commentCount", DIGIT_STRING),
        Field("duration", "contentDetails.duration"),
    ),
    (
        equal("record_key", "video_id", notes="the line is keyed by the video's id"),
        equal("parent_key", "channel_id", notes="the parent is the video's channel"),
        in_set("kind", ("youtube#video",)),
        *non_negative("view_count", "like_count", "comment_count"),
        # ISO 8601 durations such as PT13M27S, P0D for live streams; staging parses them.
        matches("duration", r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$", level=WARNING),
        *not_null("title", level=WARNING),
    ),
    has_parent=True,
)

# Media types can grow (Meta adds them); a new one needs a staging mapping, not a stopped run.
INSTAGRAM_MEDIA_TYPES = ("IMAGE", "VIDEO", "CAROUSEL_ALBUM")
INSTAGRAM_PRODUCT_TYPES = ("AD", "FEED", "STORY", "REELS")

INSTAGRAM_ACCOUNTS = landing_entity(
    "instagram",
    "accounts",
    (
        Field("account_id", "id", required=True),
        Field("username", "username", required=True),
        Field("name", "name"),
        Field("followers_count", "followers_count", INTEGER),
        Field("follows_count", "follows_count", INTEGER),
        Field("media_count", "media_count", INTEGER),
    ),
    (
        equal("record_key", "username", notes="accounts are keyed by their username"),
        matches("account_id", r"^[0-9]+$", level=WARNING, notes="IG ids are numeric strings"),
        *non_negative("followers_count", "follows_count", "media_count"),
        *not_null("followers_count", level=WARNING),
    ),
)

INSTAGRAM_MEDIA = landing_entity(
    "instagram",
    "media",
    (
        Field("media_id", "id", required=True),
        Field("published_at", "timestamp", ISO_TIMESTAMP, required=True),
        Field("media_type", "media_type"),
        Field("media_product_type", "media_product_type"),
        # like_count is absent when the owner hides likes.
        Field("like_count", "like_count", INTEGER),
        Field("comments_count", "comments_count", INTEGER),
        Field("caption", "caption"),
        Field("permalink", "permalink"),
    ),
    (
        equal("record_key", "media_id", notes="the line is keyed by the media id"),
        *non_negative("like_count", "comments_count"),
        in_set("media_type", INSTAGRAM_MEDIA_TYPES, level=WARNING),
        in_set("media_product_type", INSTAGRAM_PRODUCT_TYPES, level=WARNING),
        *not_null("media_type", level=WARNING),
    ),
    # The payload does not name its account; parent_key (the username) does.
    has_parent=True,
)

TIKTOK_USERS = landing_entity(
    "tiktok",
    "users",
    (
        # Research API user/info has no username in `data`: record_key carries it.
        Field("display_name", "display_name"),
        Field("is_verified", "is_verified", BOOLEAN),
        Field("follower_count", "follower_count", INTEGER),
        Field("following_count", "following_count", INTEGER),
        Field("likes_count", "likes_count", INTEGER),
        Field("video_count", "video_count", INTEGER),
    ),
    (
        *non_negative("follower_count", "following_count", "likes_count", "video_count"),
        *not_null("follower_count", level=WARNING),
    ),
)

TIKTOK_VIDEOS = landing_entity(
    "tiktok",
    "videos",
    (
        # An int64 JSON number above 2**53: kept as its exact digits.
        Field("video_id", "id", INT64_ID, required=True),
        Field("published_at", "create_time", UNIX_SECONDS, required=True),
        Field("username", "username"),
        Field("region_code", "region_code"),
        Field("video_description", "video_description"),
        Field("view_count", "view_count", INTEGER),
        Field("like_count", "like_count", INTEGER),
        Field("comment_count", "comment_count", INTEGER),
        Field("share_count", "share_count", INTEGER),
    ),
    (
        equal(
            "record_key",
            "video_id",
            notes="exact int64 digits on both sides (a float round-trip changes them)",
        ),
        equal("parent_key", "username", notes="the parent is the video's author"),
        *non_negative("view_count", "like_count", "comment_count", "share_count"),
    ),
    has_parent=True,
)

# --- shop -----------------------------------------------------------------------------------

SHOP_FINANCIAL_STATUSES = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
)
CURRENCY_CODE = r"^[A-Z]{3}$"

SHOP_ORDERS = landing_entity(
    "shop",
    "orders",
    (
        Field("order_id", "id", INT64_ID, required=True),
        Field("name", "name"),
        Field("created_at", "created_at", ISO_TIMESTAMP, required=True),
        # Shopify money is a decimal string ("199.00") with its ISO 4217 currency.
        Field("total_price", "total_price", DECIMAL_TEXT, required=True),
        Field("currency", "currency", required=True),
        Field("financial_status", "financial_status"),
        Field("cancelled_at", "cancelled_at", ISO_TIMESTAMP),
        Field("discount_codes", "discount_codes", DISCOUNT_CODES),
    ),
    (
        equal("record_key", "order_id", notes="the line is keyed by the order id"),
        *non_negative("total_price"),
        matches("currency", CURRENCY_CODE),
        in_set("financial_status", SHOP_FINANCIAL_STATUSES, level=WARNING),
    ),
)

# --- CRM exports (SPEC 3.2: every cell is text; an empty cell is NULL) -----------------------


def crm_entity(
    entity: str, key: str, fields: tuple[Field, ...], checks: tuple[Check, ...] = ()
) -> LandingEntity:
    """A CRM file: its first column keys the line; row-level problems are warnings."""
    return landing_entity(
        "crm",
        entity,
        (Field(key, key, required=True), *fields),
        (equal("record_key", key, notes="the line is keyed by the row's id"), *checks),
        level=WARNING,
    )


def crm_money(*columns: str) -> list[Check]:
    return non_negative(*columns, level=WARNING)


def crm_currency() -> Check:
    return matches("currency", CURRENCY_CODE, level=WARNING)


CRM_CREATORS = crm_entity(
    "creators",
    "creator_id",
    (
        Field("display_name", "display_name"),
        Field("email", "email"),
        Field("manager", "manager"),
        Field("status", "status"),
        Field("country", "country"),
        Field("niche", "niche"),
        Field("youtube_channel_id", "youtube_channel_id"),
        Field("instagram_username", "instagram_username"),
        Field("tiktok_username", "tiktok_username"),
        Field("partnered_on", "partnered_on", DATE_TEXT),
    ),
    (
        in_set("status", ("prospect", "active", "paused", "ended"), level=WARNING),
        matches("country", r"^[A-Z]{2}$", level=WARNING),
        *not_null("display_name", "status", level=WARNING),
    ),
)

CRM_CAMPAIGNS = crm_entity(
    "campaigns",
    "campaign_id",
    (
        Field("name", "name"),
        Field("brand", "brand"),
        Field("brand_handle", "brand_handle"),
        Field("starts_on", "starts_on", DATE_TEXT),
        Field("ends_on", "ends_on", DATE_TEXT),
        Field("budget", "budget", DECIMAL_TEXT),
        Field("currency", "currency"),
        Field("objective", "objective"),
        Field("tracking_hashtag", "tracking_hashtag"),
    ),
    (
        *crm_money("budget"),
        crm_currency(),
        in_set("objective", ("awareness", "consideration", "conversion"), level=WARNING),
        matches("brand_handle", r"^@", level=WARNING),
        *not_null("starts_on", "ends_on", level=WARNING),
    ),
)

CRM_CONTRACTS = crm_entity(
    "contracts",
    "contract_id",
    (
        Field("campaign_id", "campaign_id"),
        Field("creator_id", "creator_id"),
        Field("fee", "fee", DECIMAL_TEXT),
        Field("product_cost", "product_cost", DECIMAL_TEXT),
        Field("currency", "currency"),
        Field("deliverables", "deliverables"),
        Field("due_on", "due_on", DATE_TEXT),
        Field("promo_code", "promo_code"),
        Field("exclusive", "exclusive", BOOL_TEXT),
        Field("signed_on", "signed_on", DATE_TEXT),
    ),
    (
        *crm_money("fee", "product_cost"),
        crm_currency(),
        *not_null("campaign_id", "creator_id", level=WARNING),
    ),
)

CRM_PAYMENTS = crm_entity(
    "payments",
    "payment_id",
    (
        Field("contract_id", "contract_id"),
        Field("amount", "amount", DECIMAL_TEXT),
        Field("currency", "currency"),
        Field("due_on", "due_on", DATE_TEXT),
        Field("paid_on", "paid_on", DATE_TEXT),
        Field("status", "status"),
    ),
    (
        *crm_money("amount"),
        crm_currency(),
        in_set("status", ("scheduled", "paid", "failed", "cancelled"), level=WARNING),
        *not_null("contract_id", "amount", level=WARNING),
    ),
)

CRM_TOUCHPOINTS = crm_entity(
    "touchpoints",
    "touchpoint_id",
    (
        Field("creator_id", "creator_id"),
        Field("occurred_at", "occurred_at", ISO_TIMESTAMP),
        Field("channel", "channel"),
        Field("direction", "direction"),
        Field("responded_at", "responded_at", ISO_TIMESTAMP),
    ),
    (
        in_set("channel", ("email", "dm", "call", "meeting"), level=WARNING),
        in_set("direction", ("outbound", "inbound"), level=WARNING),
        *not_null("creator_id", "occurred_at", level=WARNING),
    ),
)

LANDING_ENTITIES: tuple[LandingEntity, ...] = (
    YOUTUBE_CHANNELS,
    YOUTUBE_VIDEOS,
    INSTAGRAM_ACCOUNTS,
    INSTAGRAM_MEDIA,
    TIKTOK_USERS,
    TIKTOK_VIDEOS,
    SHOP_ORDERS,
    CRM_CREATORS,
    CRM_CAMPAIGNS,
    CRM_CONTRACTS,
    CRM_PAYMENTS,
    CRM_TOUCHPOINTS,
)

# --- manifests: one row per validated partition ---------------------------------------------

# In the manifests frame, record_key is the partition's `<source>/<entity>` (with dt, its key),
# so reports name failing partitions with the same two columns as failing records.
MANIFESTS = TableSuite(
    stage=LANDING,
    table="manifests",
    columns={
        "dt": "date",
        "record_key": "string",
        "partition": "string",
        "lines": "integer",
        "record_count": "integer",
        "checksum": "string",
        "content_checksum": "string",
        "manifest_of": "string",
    },
    key=ROW_ID,
    checks=(
        # The manifest is written last: a partition without one is not (completely) landed.
        *not_null("record_count", "checksum", "manifest_of"),
        equal(
            "record_count",
            "lines",
            notes="the manifest's record_count equals the lines of records.jsonl",
        ),
        equal("checksum", "content_checksum", notes="sha256 of records.jsonl as written"),
        equal("manifest_of", "partition", notes="the manifest names its own partition"),
        between("record_count", 0),
    ),
)
