"""A small hand-made raw world for the dbt build tests (docs/architecture.md raw contract).

Every raw table is `raw.<source>_<entity>` with columns dt, extracted_at, record_key,
parent_key, payload; payloads follow the platform API shapes (shared/reference/
platform_api_shapes.md) and the CRM templates (SPEC 3.2). The expected numbers in
test_dbt_build.py are computed by hand from what is written here.

Three pipeline days (2026-03-01..03) and an optional fourth (`extra_day=True`) that the
incremental test appends. `youtube_quarantine` and `shop_quarantine` are deliberately absent:
staging must read a raw table the loader has not created as empty.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

DATES = ("2026-03-01", "2026-03-02", "2026-03-03")
EXTRA_DAY = "2026-03-04"

# Raw tables created by the fixture (the two quarantine tables left out are read as empty).
RAW_TABLES = (
    "youtube_channels",
    "youtube_videos",
    "instagram_accounts",
    "instagram_media",
    "instagram_quarantine",
    "tiktok_users",
    "tiktok_videos",
    "tiktok_quarantine",
    "shop_orders",
    "crm_creators",
    "crm_campaigns",
    "crm_contracts",
    "crm_payments",
    "crm_touchpoints",
    "crm_quarantine",
    "youtube_comments",
    "youtube_comment_fetches",
    "tiktok_comments",
    "tiktok_comment_fetches",
)

IG_ANA_ID = "17841400000000001"
TT_BIG_1 = 7234567890123456789  # above 2**53: a double would merge it with TT_BIG_2
TT_BIG_2 = 7234567890123456790
TT_QUIET_1 = 7000000000000000001
TT_COMMENT_1, TT_COMMENT_2, TT_COMMENT_3 = (
    7300000000000000001,
    7300000000000000002,
    7300000000000000003,
)

# raw.comment_scores as the scoring step (warehouse/comment_scores.py) writes it; compounds set
# by hand (the scorer has its own tests): (comment_key, platform, language, compound, reason).
# TT_COMMENT_3 has no score yet (`not_scored_yet`).
COMMENT_SCORES = (
    ("youtube:ya1", "youtube", "en", 0.5, None),
    ("youtube:ya2", "youtube", "en", -0.5, None),
    ("youtube:ya3", "youtube", "en", 0.0, None),
    ("youtube:ya4", "youtube", "es", None, "not_english"),
    ("youtube:ya5", "youtube", "en", 0.75, None),
    ("youtube:ya6", "youtube", "en", 0.25, None),
    (f"tiktok:{TT_COMMENT_1}", "tiktok", "en", 0.5, None),
    (f"tiktok:{TT_COMMENT_2}", "tiktok", "en", -0.25, None),
)
COMMENT_SCORES_COLUMNS = (
    "comment_key varchar, platform varchar, language varchar, compound double precision,"
    " unscored_reason varchar, scored_at timestamptz, model varchar"
)

Row = tuple[str, str, str, str | None, str]


def _extracted(dt: str, minute: int = 5) -> str:
    return f"{dt}T00:{minute:02d}:00+00:00"


def _unix(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).timestamp())


# --- YouTube (counts are strings; hidden counts are absent keys) -----------------------------
def _channel(channel_id, handle, subscribers, hidden, videos, views) -> dict:
    statistics: dict = {"viewCount": views, "hiddenSubscriberCount": hidden, "videoCount": videos}
    if subscribers is not None:
        statistics["subscriberCount"] = subscribers
    return {
        "kind": "youtube#channel",
        "etag": f"etag-{channel_id}",
        "id": channel_id,
        "snippet": {
            "title": f"{handle[1:].title()} Channel",
            "description": "A channel",
            "customUrl": handle,
            "publishedAt": "2019-05-01T12:00:00Z",
            "thumbnails": {"default": {"url": "https://example.test/t.jpg", "width": 88}},
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
        "statistics": statistics,
    }


def _video(video_id, channel_id, published_at, views, likes, comments, description=None) -> dict:
    statistics = {"favoriteCount": "0"}
    for key, value in (("viewCount", views), ("likeCount", likes), ("commentCount", comments)):
        if value is not None:
            statistics[key] = value
    return {
        "kind": "youtube#video",
        "etag": f"etag-{video_id}",
        "id": video_id,
        "snippet": {
            "publishedAt": published_at,
            "channelId": channel_id,
            "title": f"Video {video_id}",
            "description": description or f"About {video_id} #fun",
            "tags": ["a", "b"],
            "categoryId": "22",
            "liveBroadcastContent": "none",
        },
        "contentDetails": {"duration": "PT4M13S", "caption": "false", "licensedContent": True},
        "statistics": statistics,
        "unknownField": {"added": "later"},
    }


# --- Instagram business_discovery (counts are numbers; a hidden like count is 0) -------------
def _ig_account(followers: int) -> dict:
    return {
        "id": IG_ANA_ID,
        "username": "ig_ana",
        "name": "Ana",
        "biography": "Runner",
        "followers_count": followers,
        "follows_count": 300,
        "media_count": 120,
    }


def _ig_media(media_id, caption, timestamp, media_type, product, likes, comments) -> dict:
    return {
        "id": media_id,
        "caption": caption,
        "timestamp": timestamp,
        "media_type": media_type,
        "media_product_type": product,
        "like_count": likes,
        "comments_count": comments,
        "permalink": f"https://www.instagram.com/p/{media_id}/",
    }


# --- TikTok Research API (ids are int64 numbers, create_time Unix seconds) ------------------
def _tt_user(name, followers, following, videos) -> dict:
    return {
        "display_name": name,
        "bio_description": "hi",
        "is_verified": False,
        "follower_count": followers,
        "following_count": following,
        "likes_count": 12345,
        "video_count": videos,
    }


def _tt_video(video_id, username, description, created, views, likes, comments, shares) -> dict:
    return {
        "id": video_id,
        "username": username,
        "video_description": description,
        "create_time": _unix(created),
        "region_code": "US",
        "view_count": views,
        "like_count": likes,
        "comment_count": comments,
        "share_count": shares,
        "hashtag_names": ["fun"],
    }


# --- Shopify orders ---------------------------------------------------------------------------
def _order(
    order_id,
    created_at,
    total,
    currency,
    status,
    codes=(),
    cancelled_at=None,
    refunds=(),
    customer=None,  # None: a guest checkout
    landing_site=None,
    referring_site=None,
) -> dict:
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "created_at": created_at,
        "total_price": total,
        "currency": currency,
        "financial_status": status,
        "cancelled_at": cancelled_at,
        "discount_codes": [{"code": c, "amount": "5.00", "type": "fixed_amount"} for c in codes],
        "line_items": [{"title": "Gear", "quantity": 1}],
        "customer": None if customer is None else {"id": customer},
        "landing_site": landing_site,
        "referring_site": referring_site,
        "refunds": [
            {
                "id": order_id * 10 + k,
                "order_id": order_id,
                "transactions": [
                    {
                        "id": order_id * 100 + k * 10 + j,
                        "kind": "refund",
                        "status": status,
                        "amount": amount,
                        "currency": currency,
                    }  # fmt: skip
                    for j, (status, amount) in enumerate(transactions)
                ],
            }
            for k, transactions in enumerate(refunds)
        ],
    }


# --- CRM rows (every cell a string; empty = NULL) ---------------------------------------------
def _creator(cid, name, status, channel="", ig="", tt="", partnered_on="") -> dict:
    return {
        "creator_id": cid,
        "display_name": name,
        "email": f"{cid}@example.test",
        "manager": "Maria",
        "status": status,
        "country": "de",
        "niche": "",
        "youtube_channel_id": channel,
        "instagram_username": ig,
        "tiktok_username": tt,
        "partnered_on": partnered_on,
    }


def _yt_comment(comment_id, video_id, text, likes, replies, published_at) -> dict:
    """A commentThreads.list item (part=snippet, textFormat=plainText)."""
    snippet = {"videoId": video_id, "textDisplay": text, "textOriginal": text,
               "authorDisplayName": f"@fan_{comment_id}", "likeCount": likes,
               "publishedAt": published_at, "updatedAt": published_at}  # fmt: skip
    return {"kind": "youtube#commentThread", "id": comment_id,
            "snippet": {"videoId": video_id, "totalReplyCount": replies,
                        "topLevelComment": {"id": comment_id, "snippet": snippet}}}  # fmt: skip


def _tt_comment(comment_id, video_id, text, likes, created) -> dict:
    return {"id": comment_id, "video_id": video_id, "text": text, "like_count": likes,
            "reply_count": 0, "parent_comment_id": video_id,
            "create_time": _unix(created)}  # fmt: skip


def _fetch(video_id, status, listed, complete) -> dict:
    return {"video_id": str(video_id), "status": status, "comments_listed": listed,
            "complete": complete, "cap": 100}  # fmt: skip


def _add_comments(add, d2, d3) -> None:
    """Comments (issue 20): va1 (alpha, tied to k1) listed on days 2 and 3 (ya1's likes grow);
    va2 (tied to k1) capped; vg2 has comments disabled; vg1 and vb1 were never asked. TikTok:
    t1 (tied to k2) and t2 (organic), one of whose comments has no score yet."""
    for dt, cid, text, likes, replies, at in (
        (d2, "ya1", "Love this gear", 1, 0, "2026-03-01T16:00:00Z"),
        (d2, "ya2", "Terrible sound", 0, 0, "2026-03-02T09:00:00Z"),
        (d3, "ya1", "Love this gear", 4, 1, "2026-03-01T16:00:00Z"),
        (d3, "ya2", "Terrible sound", 2, 0, "2026-03-02T09:00:00Z"),
        (d3, "ya3", "Where did you buy it?", 0, 0, "2026-03-03T01:00:00Z"),
        (d3, "ya4", "Me encanta muchísimo este vídeo", 0, 0, "2026-03-03T02:00:00Z"),
        (d3, "ya5", "Great video, thanks!", 7, 0, "2026-03-03T03:00:00Z"),
    ):
        add("youtube_comments", dt, cid, _yt_comment(cid, "va1", text, likes, replies, at), "va1")
    add("youtube_comments", d3, "ya6",
        _yt_comment("ya6", "va2", "Nice code", 0, 0, "2026-03-02T12:00:00Z"), "va2")  # fmt: skip
    add("youtube_comment_fetches", d2, "va1", _fetch("va1", "listed", 2, True))
    add("youtube_comment_fetches", d3, "va1", _fetch("va1", "listed", 5, True))
    add("youtube_comment_fetches", d3, "va2", _fetch("va2", "listed", 1, False))  # the cap
    add("youtube_comment_fetches", d3, "vg2", _fetch("vg2", "comments_disabled", 0, True))
    for cid, vid, text, likes, at in (
        (TT_COMMENT_1, TT_BIG_1, "love it", 3, "2026-03-01T13:00:00Z"),
        (TT_COMMENT_2, TT_BIG_2, "meh, boring", 0, "2026-03-02T19:00:00Z"),
        (TT_COMMENT_3, TT_BIG_2, "first!", 1, "2026-03-02T19:30:00Z"),
    ):
        add("tiktok_comments", d3, str(cid), _tt_comment(cid, vid, text, likes, at), str(vid))
    for vid in (TT_BIG_1, TT_BIG_2):
        listed = 1 if vid == TT_BIG_1 else 2
        add("tiktok_comment_fetches", d3, str(vid), _fetch(vid, "listed", listed, True))


def raw_rows(extra_day: bool = False) -> dict[str, list[Row]]:
    """Rows per raw table as (dt, extracted_at, record_key, parent_key, payload JSON)."""
    d1, d2, d3 = DATES
    d4 = EXTRA_DAY
    alpha, beta, gamma = "UCalpha", "UCbeta", "UCgamma"
    rows: dict[str, list[tuple]] = {table: [] for table in RAW_TABLES}

    def add(table, dt, key, payload, parent=None, minute=5):
        rows[table].append((dt, _extracted(dt, minute), key, parent, payload))

    # YouTube channels: (handle, subscriberCount, hidden, videoCount, viewCount)
    # alpha grows 1000 -> 1200 -> 1500 (day 3 delivered twice: the later record wins); beta
    # hides its count (absent, then the old-style "0"); gamma is first seen on day 2.
    for dt, cid, fields, minute in (
        (d1, alpha, ("@alpha", "1000", False, "10", "9000"), 5),
        (d2, alpha, ("@alpha", "1200", False, "11", "9500"), 5),
        (d3, alpha, ("@alpha", "1499", False, "11", "9900"), 5),
        (d3, alpha, ("@alpha", "1500", False, "12", "9999"), 7),
        (d1, beta, ("@beta", None, True, "40", "70000"), 5),
        (d2, beta, ("@beta", "0", True, "40", "71000"), 5),
        (d3, beta, ("@beta", None, True, "41", "72000"), 5),
        (d2, gamma, ("@gamma", "250000", False, "300", "9000000"), 5),
        (d3, gamma, ("@gamma", "255000", False, "301", "9100000"), 5),
    ):
        add("youtube_channels", dt, cid, _channel(cid, *fields), minute=minute)

    # YouTube videos: (views, likes, comments) per snapshot
    a1, a2 = "2026-03-01T15:00:00Z", "2026-03-02T10:00:00Z"
    b1, g1, g2 = "2026-02-10T09:00:00Z", "2026-02-20T18:00:00Z", "2026-03-03T08:00:00Z"
    va1_text = "Loving the new gear #AcmeSpring #ad"  # tied to k1 (hashtag), disclosed
    va2_text = "Use code ALPHA10 for a discount #sp"  # tied to k1 (promo code), weak disclosure
    for dt, vid, ch, pub, counts, text in (
        (d1, "va1", alpha, a1, ("100", "10", "2"), va1_text),
        (d2, "va1", alpha, a1, ("400", "40", "5"), va1_text),
        (d3, "va1", alpha, a1, ("1000", "100", "20"), va1_text),
        (d2, "va2", alpha, a2, ("50", None, "1"), va2_text),  # likes hidden
        (d3, "va2", alpha, a2, ("300", None, "3"), va2_text),
        (d1, "vb1", beta, b1, ("4000", "150", "20"), None),
        (d3, "vb1", beta, b1, ("5000", "200", "30"), None),
        (d2, "vg1", gamma, g1, ("90000", "4000", "400"), None),
        (d3, "vg1", gamma, g1, ("100000", "5000", "500"), None),
        (d3, "vg2", gamma, g2, ("2000", "100", None), None),  # comments disabled
    ):
        add("youtube_videos", dt, vid, _video(vid, ch, pub, *counts, description=text), ch)

    # Instagram: ig_ana 5000 -> 5100 -> 4700 (a 7.8% one-day drop on day 3)
    for dt, followers in ((d1, 5000), (d2, 5100), (d3, 4700)):
        add("instagram_accounts", dt, "ig_ana", _ig_account(followers))
    m1, m2, m3 = "17900000000000001", "17900000000000002", "17900000000000003"
    media = [
        # brand-safety term; likes hidden (0)
        (d1, m1, ("Weekend at the casino with friends", "2026-01-20T18:00:00+0000", "IMAGE",
                  "FEED", 0, 12)),
        # tied to k1 by the brand handle, no disclosure at all
        (d1, m2, ("Spring vibes with @acme", "2026-03-01T12:00:00+0000", "VIDEO", "REELS",
                  250, 18)),
        (d3, m2, ("Spring vibes with @acme", "2026-03-01T12:00:00+0000", "VIDEO", "REELS",
                  300, 20)),
        # a competitor during cr_001's exclusive contract (k1: 2026-02-10..03-02)
        (d2, m3, ("Morning run with my @globex shoes", "2026-02-20T07:30:00+0000",
                  "CAROUSEL_ALBUM", "FEED", 100, 5)),
    ]  # fmt: skip
    for dt, mid, fields in media:
        add("instagram_media", dt, mid, _ig_media(mid, *fields), "ig_ana")
    add("instagram_quarantine", d2, "media:p9",
        {"entity": "media", "reason": "missing timestamp", "file": None, "line": None,
         "record": {"id": "p9", "caption": "no time"}})  # fmt: skip

    # TikTok: tt_bo (cr_004) and tt_quiet (cr_005, last video 2026-01-10). The extractor keys
    # users and videos by the roster's username as typed in the CRM: "@TT_Quiet" is tt_quiet.
    for dt, bo, quiet in ((d1, 20000, 800), (d2, 20100, 800), (d3, 20300, 801)):
        add("tiktok_users", dt, "tt_bo", _tt_user("Bo", bo, 50, 80))
        add("tiktok_users", dt, "@TT_Quiet", _tt_user("Quiet", quiet, 10, 12))
    t1_text = "Unboxing day with code GAMMA15 #acmepartner"  # tied to k2, clear disclosure
    for dt in DATES:
        add("tiktok_videos", dt, str(TT_BIG_1),
            _tt_video(TT_BIG_1, "tt_bo", t1_text, "2026-02-22T12:00:00Z", 5000, 400, 30, 20),
            "tt_bo")  # fmt: skip
    add("tiktok_videos", d3, str(TT_BIG_2),
        _tt_video(TT_BIG_2, "tt_bo", "just dancing", "2026-03-02T18:00:00Z", 1000, 100, 10, 5),
        "tt_bo")  # fmt: skip
    add("tiktok_videos", d1, str(TT_QUIET_1),
        _tt_video(TT_QUIET_1, "tt_quiet", "old clip", "2026-01-10T10:00:00Z", 300, 30, 1, 0),
        "@TT_Quiet")  # fmt: skip

    # Shop orders (campaign C1 runs 2026-02-15..03-02; attribution until 03-16)
    orders = [
        # customers: 501 orders twice (1001 is its first), 503 ordered before 1007 (1010), 502
        # once; the others are guests
        (d1, _order(1001, "2026-02-20T10:00:00Z", "100.00", "USD", "paid", ["ALPHA10"],
                    customer=501)),
        (d1, _order(1004, "2026-02-25T10:00:00Z", "80.00", "USD", "voided", ["ALPHA10"],
                    cancelled_at="2026-02-26T10:00:00Z")),
        (d1, _order(1005, "2026-02-26T10:00:00Z", "60.00", "USD", "paid", ["ALPHA10"])),
        # 1006 partially refunded: 50.00 EUR returned; a failed transaction returned nothing
        (d1, _order(1006, "2026-02-28T12:00:00+01:00", "200.00", "EUR", "partially_refunded",
                    ["GAMMA15"], refunds=[[("failure", "30.00"), ("success", "50.00")]],
                    customer=502)),
        # 23:59 in New York on the 14th is 04:59 UTC on the 15th: inside the window
        (d1, _order(1007, "2026-02-14T23:59:00-05:00", "10.00", "GBP", "paid", ["ALPHA10"],
                    customer=503)),
        (d1, _order(1008, "2026-02-20T10:00:00Z", "500.00", "USD", "paid")),
        (d1, _order(1009, "2026-02-20T10:00:00Z", "40.00", "USD", "paid", ["OTHER"])),
        # 01:00 in Karachi on the 15th is 20:00 UTC on the 14th: before the window
        (d1, _order(1010, "2026-02-15T01:00:00+05:00", "70.00", "USD", "paid", ["ALPHA10"],
                    customer=503)),
        (d3, _order(1002, "2026-03-02T23:30:00Z", "50.25", "USD", "paid", ["alpha10"],
                    customer=501)),
        (d3, _order(1011, "2026-03-03T08:00:00Z", "20.00", "USD", "paid", ["ALPHA10", "X"])),
        # tracked links (k1: utm_campaign acme-spring, utm_content k1-alpha): 1015 by the link
        # alone, its parameters in another order among others; 1016 by code, the link agreeing
        # from referring_site (landing_site has none); 1017's link names no contract
        (d3, _order(1015, "2026-02-22T10:00:00Z", "40.00", "USD", "paid",
                    landing_site="/products/gsr-04?utm_content=k1-alpha&fbclid=x1&"
                                 "utm_source=creator&utm_campaign=acme-spring")),
        (d3, _order(1016, "2026-02-23T10:00:00Z", "25.00", "USD", "paid", ["ALPHA10"],
                    landing_site="/products/gsr-04",
                    referring_site="https://www.instagram.com/?utm_campaign=acme-spring&"
                                   "utm_content=k1-alpha")),
        (d3, _order(1017, "2026-02-23T11:00:00Z", "30.00", "USD", "paid",
                    landing_site="/?utm_campaign=acme-spring&utm_content=k9-nobody")),
        # 1005 refunded later: its latest record says so
        (d3, _order(1005, "2026-02-26T10:00:00Z", "60.00", "USD", "refunded", ["ALPHA10"])),
    ]  # fmt: skip
    for dt, order in orders:
        add("shop_orders", dt, str(order["id"]), order)

    # CRM exports: creators on day 1 and day 3 (the latest is current); the rest on day 3
    creators = [
        (d1, _creator("cr_001", "Alpha A", "active", alpha, partnered_on="2025-01-15")),
        (d1, _creator("cr_002", "Beta B", "active", beta)),
        (d1, _creator("cr_003", "Cee C", "prospect")),
        (d3, _creator("cr_001", "Alpha A", "active", alpha, ig="@IG_Ana",
                      partnered_on="2025-01-15")),
        (d3, _creator("cr_002", "Beta B", "Paused")),
        (d3, _creator("cr_004", "Gamma G", "active", gamma, tt="tt_bo",
                      partnered_on="2026-02-01")),
        (d3, _creator("cr_005", "Delta D", "active", tt="tt_quiet", partnered_on="2025-06-01")),
    ]  # fmt: skip
    for dt, row in creators:
        add("crm_creators", dt, row["creator_id"], row)
    campaigns = [
        {"campaign_id": "C1", "name": "Spring Launch", "brand": "Acme", "brand_handle": "@acme",
         "starts_on": "2026-02-15", "ends_on": "2026-03-02", "budget": "5000.00",
         "currency": "USD", "objective": "conversion", "tracking_hashtag": "#AcmeSpring"},
        {"campaign_id": "C2", "name": "Summer Teaser", "brand": "Acme", "brand_handle": "acme",
         "starts_on": "2026-04-01", "ends_on": "2026-04-30", "budget": "2000.00",
         "currency": "EUR", "objective": "awareness", "tracking_hashtag": "AcmeSummer"},
    ]  # fmt: skip
    contracts = [
        {"contract_id": "k1", "campaign_id": "C1", "creator_id": "cr_001", "fee": "1000.00",
         "product_cost": "250.00", "currency": "USD", "deliverables": "2 videos + 1 reel",
         "due_on": "2026-03-02", "promo_code": "ALPHA10", "exclusive": "true",
         "signed_on": "2026-02-10", "utm_campaign": "acme-spring", "utm_content": "k1-alpha"},
        # k2 has no utm columns (as an older file's rows) and a commission of 10 %
        {"contract_id": "k2", "campaign_id": "C1", "creator_id": "cr_004", "fee": "800.00",
         "product_cost": "", "currency": "EUR", "deliverables": "1 TikTok",
         "due_on": "2026-02-25", "promo_code": "GAMMA15", "exclusive": "false",
         "signed_on": "2026-02-12", "commission_rate": "0.1"},
    ]  # fmt: skip
    payments = [
        ("p1", "k1", "500.00", "USD", "2026-02-20", "2026-02-19", "paid"),
        ("p2", "k1", "500.00", "USD", "2026-02-28", "2026-03-02", "paid"),  # 2 days late
        (
            "p3",
            "k2",
            "400.00",
            "EUR",
            "2026-03-01",
            "",
            "scheduled",
        ),  # overdue on 03-03 (commission)
        ("p4", "k2", "400.00", "EUR", "2026-03-10", "", "scheduled"),  # not due yet
    ]
    touchpoints = [
        ("tp1", "cr_001", "2026-02-01T10:00:00+00:00", "email", "outbound", "2026-02-02T09:00:00Z"),
        ("tp2", "cr_001", "2026-02-20T09:00:00+01:00", "dm", "outbound", ""),
        ("tp3", "cr_001", "2026-02-25T15:00:00+00:00", "call", "inbound", ""),
        ("tp4", "cr_001", "2026-03-10T10:00:00+00:00", "meeting", "outbound", ""),  # planned
        ("tp5", "cr_004", "2026-01-05T10:00:00+00:00", "email", "outbound", ""),
    ]  # fmt: skip
    for row in campaigns:
        add("crm_campaigns", d3, row["campaign_id"], row)
    for row in contracts:
        add("crm_contracts", d3, row["contract_id"], row)
    for pid, kid, amount, cur, due, paid, status in payments:
        # p2 and p4 as an older file's rows, without the purpose column
        purpose = {"p1": {"purpose": "fee"}, "p3": {"purpose": "commission"}}.get(pid, {})
        add("crm_payments", d3, pid, {"payment_id": pid, "contract_id": kid, "amount": amount,
            "currency": cur, "due_on": due, "paid_on": paid, "status": status,
            **purpose})  # fmt: skip
    for tid, cid, at, channel, direction, responded in touchpoints:
        add("crm_touchpoints", d3, tid, {"touchpoint_id": tid, "creator_id": cid,
            "occurred_at": at, "channel": channel, "direction": direction,
            "responded_at": responded})  # fmt: skip
    add("crm_quarantine", d3, "contracts:4",
        {"entity": "contracts", "reason": "unknown creator cr_999", "file": "contracts.csv",
         "line": 4, "record": {"contract_id": "k9", "creator_id": "cr_999"}})  # fmt: skip

    _add_comments(add, d2, d3)
    if extra_day:
        _add_extra_day(add, d4, alpha, beta, gamma)

    return {
        table: [(dt, at, key, parent, json.dumps(payload)) for dt, at, key, parent, payload in r]
        for table, r in rows.items()
    }


def _add_extra_day(add, d4, alpha, beta, gamma) -> None:
    """A fourth day: new snapshots, a new video, a late-discovered one, comments, a new order."""
    for cid, fields in (
        (alpha, ("@alpha", "1600", False, "13", "10500")),
        (beta, ("@beta", None, True, "42", "73000")),
        (gamma, ("@gamma", "256000", False, "301", "9200000")),
    ):
        add("youtube_channels", d4, cid, _channel(cid, *fields))
    va1_text = "Loving the new gear #AcmeSpring #ad"
    add(
        "youtube_videos",
        d4,
        "va1",
        _video("va1", alpha, "2026-03-01T15:00:00Z", "1100", "110", "21", va1_text),
        alpha,
    )
    add(
        "youtube_videos",
        d4,
        "va3",
        _video("va3", alpha, "2026-03-04T09:00:00Z", "10", "1", "0", "New day"),
        alpha,
    )
    # published on day 2 but first seen on day 4: the lookback re-derives day 2
    add(
        "youtube_videos",
        d4,
        "vb2",
        _video("vb2", beta, "2026-03-02T20:00:00Z", "50", "5", "1"),
        beta,
    )
    add("instagram_accounts", d4, "ig_ana", _ig_account(4800))
    add("instagram_media", d4, "17900000000000002",
        _ig_media("17900000000000002", "Spring vibes with @acme", "2026-03-01T12:00:00+0000",
                  "VIDEO", "REELS", 320, 25), "ig_ana")  # fmt: skip
    add("tiktok_users", d4, "tt_bo", _tt_user("Bo", 20400, 50, 81))
    add("tiktok_users", d4, "@TT_Quiet", _tt_user("Quiet", 801, 10, 12))
    add("tiktok_videos", d4, str(TT_BIG_2),
        _tt_video(TT_BIG_2, "tt_bo", "just dancing", "2026-03-02T18:00:00Z", 2000, 150, 12, 6),
        "tt_bo")  # fmt: skip
    # comments: ya1 listed again (its likes grow: the latest version changes, the first
    # listing stays day 2), ya7 new; TikTok's first comment listed again
    for cid, likes, at in (("ya1", 9, "2026-03-01T16:00:00Z"), ("ya7", 0, "2026-03-04T08:00:00Z")):
        add("youtube_comments", d4, cid,
            _yt_comment(cid, "va1", "Love this gear", likes, 2, at), "va1")  # fmt: skip
    add("youtube_comment_fetches", d4, "va1", _fetch("va1", "listed", 2, False))
    add("tiktok_comments", d4, str(TT_COMMENT_1),
        _tt_comment(TT_COMMENT_1, TT_BIG_1, "love it", 5, "2026-03-01T13:00:00Z"),
        str(TT_BIG_1))  # fmt: skip
    add(
        "shop_orders",
        d4,
        "1012",
        _order(1012, "2026-03-04T10:00:00Z", "30.00", "USD", "paid", ["ALPHA10"]),
    )
    # 1002 partly refunded on day 4: its latest record says so (10.25 back)
    add("shop_orders", d4, "1002",
        _order(1002, "2026-03-02T23:30:00Z", "50.25", "USD", "partially_refunded", ["alpha10"],
               refunds=[[("success", "10.25")]], customer=501))  # fmt: skip
