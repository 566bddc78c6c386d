"""Hand-built good data for both stages, and one Great Expectations import per session.

- `warehouse(*changes)`: every SPEC 5.1 mart with a few consistent rows (ids join across marts;
  newest dates on AS_OF - 1), then `changes` (SQL) to spoil them.
- `land(entity, day, records)`: one landing partition written as the extractors write it
  (sorted-key JSON lines, manifest with sha256 checksum), with manifest fields overridable.
- `good_records(entity)`: well-formed landing lines of each of the twelve entities.
- `published_rows(*queries)`: the marts published, then each query's rows from the BI copy.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.config import Settings
from tests.data_root import data_root_fixtures
from tests.mart_fixtures import ACCOUNTS_AND_POSTS, MartRows

# The day the good data is current for (its newest rows are from the day before).
AS_OF = date(2026, 2, 6)

# --- marts ---------------------------------------------------------------------------------
# Every mart as its dbt contract makes it (tests/mart_fixtures.py), with a few consistent rows:
# ids join across marts; the newest dates are AS_OF - 1.

OTHER_MARTS_ROWS = """
INSERT INTO marts.dim_creator BY NAME
SELECT *, 1 AS accounts FROM (VALUES
 ('cr1', 'Theo Cohen', 'micro', 'youtube', 'active', 'Chris', 'GB', 'gaming', '2023-11-06',
  'youtube:c1'),
 ('cr2', 'Lena Romero', 'nano', 'instagram', 'paused', 'Priya', 'NL', 'fitness', '2025-04-10',
  'instagram:a2'),
 ('cr3', 'Zara O''Brien', 'macro', 'tiktok', 'active', 'Priya', 'ES', 'beauty', NULL,
  'tiktok:k3')
) AS c(creator_id, display_name, tier, primary_platform, status, manager, country, niche,
       first_partnered_on, primary_account_id);

INSERT INTO marts.fct_account_daily BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform, true AS has_snapshot FROM (VALUES
 ('youtube:c1', '2026-02-04', 5080, 12, 20, 0.01, 0.03, 0),
 ('youtube:c1', '2026-02-05', 5100, 12, 20, 0.012, 0.031, 0),
 ('instagram:a2', '2026-02-05', 800, 300, -2, -0.01, NULL, 0),
 ('tiktok:k3', '2026-02-05', 150100, 5, 100, 0.002, 0.02, 1)
) AS d(account_id, date, followers, following, followers_delta, growth_rate_7d, growth_rate_30d,
       posts_published);

INSERT INTO marts.mart_creator_engagement BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform, posts AS posts_with_rate, 1 AS peer_accounts,
       tier_median_engagement_rate AS benchmark_engagement_rate, 'roster_small' AS benchmark_source
FROM (VALUES
 ('youtube:c1', '2026-02-01', 2, 0.0449, 0.0449, 0.0449, 1.0, 0.5, 'micro'),
 ('instagram:a2', '2026-02-01', 1, 0.005, 0.005, 0.005, 1.0, 0.5, 'nano'),
 ('tiktok:k3', '2026-02-01', 2, 0.0088, 0.0088, 0.0088, 1.0, 0.5, 'macro')
) AS e(account_id, month, posts, avg_engagement_rate, median_engagement_rate,
       tier_median_engagement_rate, engagement_index, percentile_in_tier, tier);

INSERT INTO marts.mart_creator_growth BY NAME
SELECT *, split_part(account_id, ':', 1) AS platform, DATE '2026-02-01' AS first_snapshot_date,
       DATE '2026-02-05' AS last_snapshot_date, 5 AS snapshots FROM (VALUES
 ('youtube:c1', '2026-02-01', 5000, 5100, 100, 0.02),
 ('tiktok:k3', '2026-02-01', 150000, 150100, 100, 0.000667)
) AS g(account_id, month, followers_start, followers_end, net_new_followers, growth_rate);

INSERT INTO marts.mart_campaign_roi BY NAME
SELECT *, 'Campaign ' || campaign_id AS campaign_name, 1 AS contracts, 1 AS creators,
 0 AS commission_usd, 0 AS commission_paid_usd, 0 AS commission_outstanding_usd FROM (VALUES
 ('camp1', 1000, 500, 2, 69000, 2955, 12, 9, 3, 1500, 1530, 5, 600, 477.5, 14.49, 0.338, 83.33, 200,
  1.5, 0.5),
 ('camp2', 400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0, -1)
) AS r(campaign_id, spend_committed_usd, spend_paid_usd, posts_delivered, views, interactions,
       orders, orders_by_code, orders_by_link, revenue_usd, gross_revenue_usd, new_customers,
       new_customer_revenue_usd, emv_usd, cpm_usd, cpe_usd, cpa_usd, cost_per_new_customer_usd,
       roas, roi);

INSERT INTO marts.mart_campaign_creator_roi BY NAME
SELECT *, 1 AS contracts,
 0 AS commission_usd, 0 AS commission_paid_usd, 0 AS commission_outstanding_usd FROM (VALUES
 ('camp1', 'cr1', 600, 300, 1, 9000, 325, 8, 6, 2, 1000, 1030, 3, 400, 92.5, 66.67, 1.85, 75, 200,
  1.67, 0.67),
 ('camp1', 'cr3', 400, 200, 1, 60000, 2630, 4, 3, 1, 500, 500, 2, 200, 385, 6.67, 0.15, 100, 200,
  1.25, 0.25)
) AS r(campaign_id, creator_id, spend_committed_usd, spend_paid_usd, posts_delivered, views,
       interactions, orders, orders_by_code, orders_by_link, revenue_usd, gross_revenue_usd,
       new_customers, new_customer_revenue_usd, emv_usd, cpm_usd, cpe_usd, cpa_usd,
       cost_per_new_customer_usd, roas, roi);

INSERT INTO marts.mart_quality_flags BY NAME
SELECT *, true AS is_open FROM (VALUES
 ('f1', 'follower_spike', 'high', 'cr3', 'tiktok:k3', NULL, '2026-02-04', 4.2, 3.5,
  '{"followers_delta": 9000}', 'account', 'tiktok:k3'),
 ('f2', 'weak_disclosure', 'medium', 'cr3', 'tiktok:k3', 'tiktok:t1', '2026-02-04', NULL, NULL,
  '{"tokens": ["#spon"]}', 'post', 'tiktok:t1')
) AS f(flag_id, flag_type, severity, creator_id, account_id, post_id, detected_on, metric_value,
       threshold, evidence, subject_kind, subject_id);

INSERT INTO marts.mart_relationship_health BY NAME
SELECT * FROM (VALUES
 ('cr1', 823, 1, '2026-02-01 09:00:00+00', 5, 0.8, 1.0, 1.0, 86.5, 'healthy', 27, 1, 0.0,
  'camp1', 1000, 0.67, NULL, NULL),
 ('cr2', 302, 0, NULL, NULL, NULL, NULL, NULL, 40, 'at_risk', 9, 0, NULL, NULL, NULL, NULL, NULL,
  NULL),
 ('cr3', NULL, 1, '2026-01-20 09:00:00+00', 17, 0.5, 0.5, 1.0, 61, 'needs_attention', NULL, 1,
  0.0, 'camp1', 500, 0.25, NULL, NULL)
) AS h(creator_id, partnership_days, campaigns, last_touchpoint_at, days_since_touchpoint,
       response_rate, on_time_delivery_rate, on_time_payment_rate, health_score, health_band,
       months_since_first_partnership, campaigns_done, repeat_campaign_rate, first_campaign_id,
       first_campaign_revenue_usd, first_campaign_roi, later_campaigns_revenue_usd,
       later_campaigns_roi);

INSERT INTO marts.mart_creator_scorecard BY NAME
SELECT * FROM (VALUES
 ('cr1', 'micro', 1.0, 0.031, 0.67, 0, 87, 81.2, 1, 0.3, 25, 27, 1, 0.0, 0.67, NULL),
 ('cr2', 'nano', 1.0, NULL, NULL, 0, 40, 35.0, 3, NULL, 0, 9, 0, NULL, NULL, NULL),
 ('cr3', 'macro', 1.0, 0.02, 0.25, 2, 61, 58.4, 2, 0.0, 3, NULL, 1, 0.0, 0.25, NULL)
) AS s(creator_id, tier, engagement_index, growth_rate_30d, roi, open_flags, health_score,
       score, rank, audience_net_sentiment, audience_comments_scored,
       months_since_first_partnership, campaigns_done, repeat_campaign_rate, first_campaign_roi,
       later_campaigns_roi);
-- A rounded score (INTEGER) still satisfies a "number" column.
ALTER TABLE marts.mart_creator_scorecard ALTER health_score TYPE INTEGER;
"""

# fct_post and dim_creator_account, then every other mart of the contract.
GOOD_MARTS = (ACCOUNTS_AND_POSTS, MartRows(None, OTHER_MARTS_ROWS))
settings, warehouse = data_root_fixtures(*GOOD_MARTS)


@pytest.fixture
def published_rows() -> Callable[..., list[list[tuple]]]:
    """Publish the warehouse's marts, then read the BI copy as a BI tool does (read-only):
    the rows each query gives, in order."""
    from warehouse.publish import publish_marts

    def read(*queries: str) -> list[list[tuple]]:
        published = publish_marts().path
        with duckdb.connect(str(published), read_only=True) as con:
            return [con.execute(query).fetchall() for query in queries]

    return read


@pytest.fixture(scope="session")
def gx_imported() -> float:
    """Import Great Expectations once per session (12-15 s cold); returns the seconds it took."""
    from expectations.runner import import_gx

    started = time.perf_counter()
    import_gx()
    return time.perf_counter() - started


# --- landing --------------------------------------------------------------------------------

EXTRACTED_AT = "2026-02-05T00:05:12.123456+00:00"
# Above 2**53: a float round-trip would change the last digits.
TIKTOK_VIDEO_ID = 7301234567890123457


def line(record_key: str, payload: Any, parent_key: str | None = None) -> dict[str, Any]:
    return {
        "extracted_at": EXTRACTED_AT,
        "record_key": record_key,
        "parent_key": parent_key,
        "payload": payload,
    }


def shown(always: dict[str, Any], **hideable: str | None) -> dict[str, Any]:
    """YouTube statistics: a hidden count (None) is left out, as the API leaves it out."""
    return {**always, **{name: value for name, value in hideable.items() if value is not None}}


def _youtube_channel(channel_id: str, subscribers: str | None) -> dict[str, Any]:
    statistics = shown(
        {"hiddenSubscriberCount": subscribers is None, "videoCount": "35", "viewCount": "2276698"},
        subscriberCount=subscribers,
    )
    return {
        "kind": "youtube#channel",
        "id": channel_id,
        "snippet": {
            "title": "Aisha Family",
            "customUrl": "@aisha",
            "publishedAt": "2023-05-28T12:00:00Z",
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
        "statistics": statistics,
        "brandNewField": {"unknown": True},  # unknown extra fields are fine
    }


def _youtube_video(video_id: str, likes: str | None, channel_id: str = "UCaaa") -> dict[str, Any]:
    statistics = shown(
        {"viewCount": "3657", "commentCount": "1", "favoriteCount": "0"}, likeCount=likes
    )
    return {
        "kind": "youtube#video",
        "id": video_id,
        "snippet": {
            "channelId": channel_id,
            "publishedAt": "2026-02-04T09:19:52Z",
            "title": "Crafts: what actually worked",
        },
        "statistics": statistics,
        "contentDetails": {"duration": "PT7M37S"},
    }


def _instagram_media(media_id: str, likes: int | None) -> dict[str, Any]:
    media: dict[str, Any] = {
        "id": media_id,
        "caption": "New routine #ad",
        "timestamp": "2026-02-04T19:20:02+0000",
        "media_type": "VIDEO",
        "media_product_type": "REELS",
        "comments_count": 12,
        "permalink": f"https://www.instagram.com/p/{media_id}/",
    }
    if likes is not None:
        media["like_count"] = likes
    return media


def _tiktok_video(video_id: int, views: int) -> dict[str, Any]:
    return {
        "id": video_id,
        "create_time": 1770200000,
        "username": "theo_cohen",
        "region_code": "GB",
        "video_description": "lol #pov",
        "view_count": views,
        "like_count": 120,
        "comment_count": 3,
        "share_count": 1,
    }


def _shop_order(order_id: int, codes: list[str], cancelled: bool) -> dict[str, Any]:
    return {
        "id": order_id,
        "name": f"#{order_id % 10000}",
        "created_at": "2026-02-04T10:00:00-05:00",
        "total_price": "199.00",
        "currency": "EUR",
        "financial_status": "refunded" if cancelled else "paid",
        "cancelled_at": "2026-02-04T12:00:00-05:00" if cancelled else None,
        "discount_codes": [{"code": c, "amount": "10.00", "type": "percentage"} for c in codes],
    }


TIKTOK_COMMENT_ID = 7_300_000_000_000_000_123  # int64 above 2**53, as the Research API sends


def _youtube_comment(thread_id: str, video_id: str, likes: int) -> dict[str, Any]:
    """A commentThreads.list item (part=snippet): counts are JSON numbers here."""
    return {
        "kind": "youtube#commentThread",
        "id": thread_id,
        "snippet": {
            "channelId": "UCaaa",
            "videoId": video_id,
            "topLevelComment": {
                "kind": "youtube#comment",
                "id": thread_id,
                "snippet": {
                    "videoId": video_id,
                    "textDisplay": "Love this!",
                    "authorDisplayName": "@maya",
                    "likeCount": likes,
                    "publishedAt": "2026-02-04T10:00:00Z",
                },
            },
            "totalReplyCount": 1,
        },
    }


def _tiktok_comment(comment_id: int) -> dict[str, Any]:
    return {
        "id": comment_id,
        "video_id": TIKTOK_VIDEO_ID,
        "text": "so good",
        "like_count": 4,
        "reply_count": 0,
        "parent_comment_id": TIKTOK_VIDEO_ID,
        "create_time": 1770199200,
    }


def _comment_fetch(video_id: str, status: str, listed: int) -> dict[str, Any]:
    return {
        "video_id": video_id,
        "status": status,
        "comments_listed": listed,
        "complete": True,
        "cap": 100,
    }


GOOD_LANDING: dict[str, list[dict[str, Any]]] = {
    "youtube/channels": [
        line("UCaaa", _youtube_channel("UCaaa", "49300")),
        line("UCbbb", _youtube_channel("UCbbb", None)),  # hidden subscriber count
    ],
    "youtube/videos": [
        line("v1", _youtube_video("v1", "32"), "UCaaa"),
        line("v2", _youtube_video("v2", None), "UCaaa"),  # hidden likes: absent
    ],
    "instagram/accounts": [
        line(
            "lena.romero",
            {
                "id": "17841400000000001",
                "username": "lena.romero",
                "name": "Lena",
                "followers_count": 1230,
                "follows_count": 15,
                "media_count": 260,
            },
        )
    ],
    "instagram/media": [
        line("17900000000000001", _instagram_media("17900000000000001", 420), "lena.romero"),
        line("17900000000000002", _instagram_media("17900000000000002", None), "lena.romero"),
    ],
    "tiktok/users": [
        line(
            "theo_cohen",
            {
                "display_name": "Theo",
                "is_verified": False,
                "follower_count": 232,
                "following_count": 45,
                "likes_count": 27155089,
                "video_count": 44,
            },
        )
    ],
    "tiktok/videos": [
        line(str(TIKTOK_VIDEO_ID), _tiktok_video(TIKTOK_VIDEO_ID, 1050), "theo_cohen"),
        line(str(TIKTOK_VIDEO_ID + 2), _tiktok_video(TIKTOK_VIDEO_ID + 2, 0), "theo_cohen"),
    ],
    # Listening (extractors/listening.py): what a term found, keyed `<term>:<id>`, the term its
    # parent; YouTube's found videos as videos.list returns them; the authors found off the
    # roster, as the account calls return them, and their recent posts as the roster's are.
    "youtube/search_results": [
        line(
            "lumencoffee:vid9",
            {
                "kind": "youtube#searchResult",
                "id": {"kind": "youtube#video", "videoId": "vid9"},
                "snippet": {
                    "channelId": "UCbbb",
                    "publishedAt": "2026-02-04T08:00:00Z",
                    "title": "Morning brew with @lumencoffee",
                    "description": "Trying the cold brew kit &amp; more",
                },
            },
            "lumencoffee",
        )
    ],
    "youtube/found_videos": [line("vid9", _youtube_video("vid9", "12", "UCbbb"), "UCbbb")],
    "youtube/discovered_channels": [line("UCbbb", _youtube_channel("UCbbb", "1200"))],
    "youtube/candidate_videos": [line("vid8", _youtube_video("vid8", "40", "UCbbb"), "UCbbb")],
    "instagram/hashtag_media": [
        line(
            "hiking:17900000000000003",
            {
                k: v
                for k, v in _instagram_media("17900000000000003", 87).items()
                if k != "media_product_type"
            },
            "hiking",
        )
    ],
    "tiktok/query_videos": [
        line(f"hiking:{TIKTOK_VIDEO_ID + 5}", _tiktok_video(TIKTOK_VIDEO_ID + 5, 300), "hiking")
    ],
    "tiktok/discovered_users": [
        line(
            "mia_walks",
            {
                "display_name": "Mia",
                "is_verified": False,
                "follower_count": 5400,
                "following_count": 80,
                "likes_count": 91000,
                "video_count": 61,
            },
        )
    ],
    "tiktok/candidate_videos": [
        line(
            str(TIKTOK_VIDEO_ID + 7),
            {**_tiktok_video(TIKTOK_VIDEO_ID + 7, 2100), "username": "mia_walks"},
            "mia_walks",
        )
    ],
    "youtube/comments": [
        line("UgyThread1", _youtube_comment("UgyThread1", "v1", likes=3), "v1"),
        line("UgyThread2", _youtube_comment("UgyThread2", "v1", likes=0), "v1"),
    ],
    "youtube/comment_fetches": [
        line("v1", _comment_fetch("v1", "listed", 2), "UCaaa"),
        line("v2", _comment_fetch("v2", "comments_disabled", 0), "UCaaa"),
    ],
    "tiktok/comments": [
        line(str(TIKTOK_COMMENT_ID), _tiktok_comment(TIKTOK_COMMENT_ID), str(TIKTOK_VIDEO_ID)),
        line(
            str(TIKTOK_COMMENT_ID + 1),
            _tiktok_comment(TIKTOK_COMMENT_ID + 1),
            str(TIKTOK_VIDEO_ID),
        ),
    ],
    "tiktok/comment_fetches": [
        line(
            str(TIKTOK_VIDEO_ID),
            _comment_fetch(str(TIKTOK_VIDEO_ID), "listed", 2),
            "theo_cohen",
        ),
    ],
    "shop/orders": [
        line("5012345678901", _shop_order(5012345678901, ["THEO10"], cancelled=False)),
        line("5012345678902", _shop_order(5012345678902, [], cancelled=True)),
    ],
    "crm/creators": [
        line(
            "cr_00001",
            {
                "creator_id": "cr_00001",
                "display_name": "Theo Cohen",
                "email": "theo@example.com",
                "manager": "Chris Okoye",
                "status": "active",
                "country": "GB",
                "niche": "gaming",
                "youtube_channel_id": "UCaaa",
                "instagram_username": None,
                "tiktok_username": "theo_cohen",
                "partnered_on": "2023-11-06",
            },
        )
    ],
    "crm/campaigns": [
        line(
            "camp1",
            {
                "campaign_id": "camp1",
                "name": "Spring launch",
                "brand": "Acme",
                "brand_handle": "@acme",
                "starts_on": "2026-02-01",
                "ends_on": "2026-02-28",
                "budget": "5000.00",
                "currency": "EUR",
                "objective": "conversion",
                "tracking_hashtag": "#acmespring",
            },
        )
    ],
    "crm/contracts": [
        line(
            "ct1",
            {
                "contract_id": "ct1",
                "campaign_id": "camp1",
                "creator_id": "cr_00001",
                "fee": "800.00",
                "product_cost": "45.50",
                "currency": "EUR",
                "deliverables": "2 videos",
                "due_on": "2026-02-20",
                "promo_code": "THEO10",
                "exclusive": "true",
                "signed_on": "2026-01-25",
            },
        )
    ],
    "crm/payments": [
        line(
            "pay1",
            {
                "payment_id": "pay1",
                "contract_id": "ct1",
                "amount": "400.00",
                "currency": "EUR",
                "due_on": "2026-02-10",
                "paid_on": None,
                "status": "scheduled",
            },
        )
    ],
    "crm/touchpoints": [
        line(
            "tp1",
            {
                "touchpoint_id": "tp1",
                "creator_id": "cr_00001",
                "occurred_at": "2026-02-02T09:00:00+01:00",
                "channel": "email",
                "direction": "outbound",
                "responded_at": "2026-02-02T15:30:00+01:00",
            },
        )
    ],
}


def write_partition(
    root: Path,
    entity: str,
    day: date,
    records: list[dict[str, Any]],
    **manifest_changes: Any,
) -> Path:
    """Write `<root>/<entity>/dt=<day>/` as core.landing does; returns the folder."""
    source, name = entity.split("/")
    folder = root / source / name / f"dt={day.isoformat()}"
    folder.mkdir(parents=True)
    data = b"".join(
        (json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode() for r in records
    )
    (folder / "records.jsonl").write_bytes(data)
    manifest = {
        "source": source,
        "entity": name,
        "dt": day.isoformat(),
        "record_count": len(records),
        "window_start": None,
        "window_end": None,
        "api_calls": 1,
        "quota_units": 1,
        "extractor_version": "0.1.0",
        "checksum": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "written_at": EXTRACTED_AT,
        **manifest_changes,
    }
    (folder / "_manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return folder


@pytest.fixture
def good_records() -> Callable[[str], list[dict[str, Any]]]:
    """A fresh (deep) copy of an entity's good lines, free to spoil."""
    return lambda entity: copy.deepcopy(GOOD_LANDING[entity])


@pytest.fixture
def land(settings: Settings) -> Callable[..., Path]:
    def make(entity: str, day: date, records: list[dict[str, Any]], **manifest: Any) -> Path:
        return write_partition(settings.landing_dir, entity, day, records, **manifest)

    return make
