"""Every platform source against the sandbox with faults on (SPEC 10 "Faults", issue 4): rate
limits in each platform's style, 5xx bursts, timeouts, truncated bodies, records repeated across
pages and unknown fields. What lands must equal the sandbox's ground truth exactly: no record
lost, none twice, counts as the API showed them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from core.config import Settings, get_settings
from core.landing import Partition, read_records
from irm.airflow_cli import PlatformSecrets
from sandbox import instagram_api, shop_api, tiktok_api
from sandbox.ground_truth import build_ground_truth
from sandbox.server import SandboxServer, make_server, start_thread
from sandbox.world import World
from sandbox.youtube_api import DEFAULT_API_KEY
from tests.extractors.sandbox_wire import PLATFORMS, land, roster, served_credentials

SEED, ACCOUNTS, DAYS = 13, 120, 90
DAY = date(2026, 1, 1) + timedelta(days=DAYS - 1)
# The fault mix; follow-up pages are few in a small world, so a third of them repeat a
# record of the page before. A timeout holds the request 1.5 s, longer than the client waits.
FAULTS = "rate=0.1,5xx=0.05,timeout=0.01,truncate=0.01,dup=0.3,extra=0.1,hang=1.5,seed=3"
CLIENT = {"timeout": (2.0, 1.0), "base_backoff": 0.01}
# The credentials a sandbox server accepts by default.
DEFAULT_SECRETS = PlatformSecrets(
    youtube_key=DEFAULT_API_KEY,
    instagram_token=instagram_api.DEFAULT_ACCESS_TOKEN,
    instagram_user_id=instagram_api.BRAND_IG_USER_ID,
    tiktok_client_key=tiktok_api.DEFAULT_CLIENT_KEY,
    tiktok_client_secret=tiktok_api.DEFAULT_CLIENT_SECRET,
    shop_token=shop_api.DEFAULT_ACCESS_TOKEN,
)


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SandboxServer]:
    srv = make_server(world, port=0, day=DAY, faults=FAULTS)
    thread = start_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def truth(world: World) -> dict[str, Any]:
    return build_ground_truth(world, DAY)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Iterator[Settings]:
    patch = pytest.MonkeyPatch()
    patch.setenv("IRM_DATA_ROOT", str(tmp_path_factory.mktemp("faults")))
    yield get_settings()
    patch.undo()


@pytest.fixture(scope="module")
def land_once(server: SandboxServer, world: World, settings: Settings) -> Callable[[str], None]:
    """Extract a platform's day through the faults, once per module and worker: each test
    lands what it checks, so none depends on another having run before it (pytest-xdist may
    hand this module's tests to different workers)."""
    credentials = served_credentials(server.base_url, DEFAULT_SECRETS)
    done: set[str] = set()

    def run(platform: str) -> None:
        if platform not in done:
            land(platform, DAY, credentials[platform], world, settings, **CLIENT)
            done.add(platform)

    return run


def landed(settings: Settings, source: str, entity: str) -> dict[str, Any]:
    """record_key -> payload; fails if a key landed twice."""
    records = list(read_records(Partition(settings.landing_dir, source, entity, DAY)))
    keys = [r["record_key"] for r in records]
    assert len(keys) == len(set(keys)), f"{source}/{entity}: a record landed twice"
    return {r["record_key"]: r["payload"] for r in records}


def test_youtube_lands_the_ground_truth(land_once, truth, settings) -> None:
    land_once("youtube")
    channels = truth["youtube"]["channels"]
    assert set(landed(settings, "youtube", "channels")) == set(channels)
    videos = landed(settings, "youtube", "videos")
    expected = {v["video_id"]: v for c in channels.values() for v in c["videos"]}
    assert set(videos) == set(expected)
    for video_id, video in expected.items():
        stats = videos[video_id]["statistics"]
        assert stats["viewCount"] == str(video["views"])
        assert stats.get("commentCount") == (
            None if video["comments"] is None else str(video["comments"])
        )


def test_instagram_lands_the_ground_truth(land_once, world, settings) -> None:
    land_once("instagram")
    usernames = roster(world, "instagram")
    accounts = instagram_api.ground_truth(world, DAY)["accounts"]
    profiles = landed(settings, "instagram", "accounts")
    assert set(profiles) == set(usernames) == set(accounts)
    for username, account in accounts.items():
        assert profiles[username]["followers_count"] == account["followers_counts"][-1]
    media = landed(settings, "instagram", "media")
    expected = {m["media_id"]: m for a in accounts.values() for m in a["media"]}
    assert set(media) == set(expected)
    for media_id, item in expected.items():
        assert media[media_id]["like_count"] == item["like_count"]
        assert media[media_id]["timestamp"].endswith("+0000")


def test_tiktok_lands_the_ground_truth_with_exact_ids(land_once, world, settings) -> None:
    land_once("tiktok")
    usernames = roster(world, "tiktok")
    accounts = tiktok_api.ground_truth(world, DAY)["accounts"]
    assert set(landed(settings, "tiktok", "users")) == set(usernames) == set(accounts)
    videos = landed(settings, "tiktok", "videos")
    expected = {v["video_id"]: v for a in accounts.values() for v in a["videos"]}
    assert set(videos) == set(expected)
    for video_id, video in expected.items():
        assert str(videos[video_id]["id"]) == video_id  # int64 above 2**53, every digit kept
        assert videos[video_id]["share_count"] == video["share_count"]
    raw = Partition(settings.landing_dir, "tiktok", "videos", DAY).records_path.read_text()
    assert all(video_id in raw for video_id in expected)  # written as exact integers


def test_shop_lands_the_ground_truth(land_once, truth, settings) -> None:
    land_once("shop")
    orders = landed(settings, "shop", "orders")
    expected = {str(o["id"]): o for o in truth["shop"]["orders"]}
    assert set(orders) == set(expected)
    for order_id, order in expected.items():
        assert orders[order_id]["total_price"] == order["total_price"]
        assert orders[order_id]["financial_status"] == order["financial_status"]


def test_crm_lands_good_rows_and_quarantines_exactly_the_bad_ones(world, settings) -> None:
    """The CRM's faults are bad rows of every kind; each lands in quarantine with its file and
    line, every good row loads."""
    from extractors import crm
    from sandbox.crm import write_crm

    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    truth = build_ground_truth(world, DAY, bad_row_share=0.05)["crm"]
    assert truth["rejects"], "the export holds no bad rows: nothing is tested"
    crm.land_day(DAY, settings)
    for name, expected in truth["files"].items():
        assert len(landed(settings, "crm", name.removesuffix(".csv"))) == expected["rows"], name
    quarantined = landed(settings, "crm", "quarantine").values()
    assert {(q["file"], q["line"]) for q in quarantined} == {
        (r["file"], r["line"]) for r in truth["rejects"]
    }
    assert all(q["reason"] for q in quarantined)


# The text the whole-word mention rule reads, per listening entity (SPEC 5.5): a YouTube video's
# title and full description (videos.list of the videos found), a TikTok video's description,
# an Instagram hashtag media's caption; and the entity holding the term -> post finds.
LISTENED = {
    "youtube": (
        "search_results",
        lambda v: f"{v['snippet']['title']}\n{v['snippet']['description']}",
    ),
    "tiktok": ("query_videos", lambda v: v.get("video_description") or ""),
    "instagram": ("hashtag_media", lambda m: m.get("caption") or ""),
}


def landed_mentions(settings: Settings, platform: str) -> dict[str, set[str]]:
    """term -> the posts found by the term's listening whose text mentions it, as landed."""
    from sandbox import listening

    entity, text_of = LISTENED[platform]
    finds = landed(settings, platform, entity)
    full = landed(settings, "youtube", "found_videos") if platform == "youtube" else None
    mentions: dict[str, set[str]] = {}
    for key, item in finds.items():
        term, post_id = key.split(":", 1)
        text = text_of(full[post_id] if full is not None else item)
        if listening.mentions(text, term):
            mentions.setdefault(term, set()).add(f"{platform}:{post_id}")
    return mentions


@pytest.mark.parametrize("platform", ["youtube", "tiktok", "instagram"])
def test_listening_lands_the_day_s_mentions_within_quota(land_once, truth, settings, platform):
    """Issue 20: through the faults, the day's listening lands every mention the ground truth
    lists for the day (each term's posts, exactly), and spends at most YouTube's 100 search
    calls and Instagram's 30 hashtags."""
    land_once(platform)
    day_rows = [
        r for r in truth["listening"]["mentions"][platform]["rows"] if r["date"] == DAY.isoformat()
    ]
    assert day_rows, "no mention on the day: the test would prove nothing"
    expected = {r["term"]: set(r["post_ids"]) for r in day_rows}
    assert landed_mentions(settings, platform) == expected
    entity = LISTENED[platform][0]
    manifest = Partition(settings.landing_dir, platform, entity, DAY).manifest()
    # A run may stop at the quota after listening (TikTok's comments come last), not before.
    assert manifest.get("stopped") is None or "comments" in manifest["stopped"]
    if platform == "youtube":
        assert 0 < manifest["api_calls"] <= 100
    if platform == "instagram":
        assert len({key.split(":", 1)[0] for key in landed(settings, platform, entity)}) <= 30


def test_the_faults_were_actually_served(land_once, server) -> None:
    """The tests above prove something only if faults happened while their days landed."""
    for platform in PLATFORMS:
        land_once(platform)
    platforms = server.faults.stats()["platforms"]
    assert set(platforms) == {"youtube", "instagram", "tiktok", "shop"}
    assert sum(p["requests"] for p in platforms.values()) > 100
    print({name: p for name, p in platforms.items()})  # the tally, for the test log
    for kind in ("rate", "5xx", "timeout", "truncate", "dup", "extra"):
        assert sum(p[kind]["injected"] for p in platforms.values()) > 0, kind
