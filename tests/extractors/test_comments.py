"""Comments on the roster's posts (issue 20, SPEC 3.4) through the served sandbox: what lands
for a day is the sandbox's own listing of every post inside the refresh window (newest first,
up to IRM_COMMENTS_PER_POST), comments turned off land as an answer, not an error, the cap
says where it cut a listing, and a quota stop lands what it had and the next day resumes with
the posts it left, under the sandbox's faults. The bench's minimum for these calls is what a
clean run spends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
import requests

from bench.measures import comment_minimum
from core.config import Settings, get_settings
from core.landing import Partition, read_records
from extractors.base import EntityRecords, Extraction
from extractors.comments import BOOKMARK_PREFIX, list_post
from extractors.errors import QuotaExhausted
from extractors.schema import RecordKey
from extractors.state import load_bookmarks
from sandbox import comments as sandbox_comments
from sandbox.server import SandboxServer, make_server, running
from sandbox.world import DEFAULT_START_DATE, World
from tests.extractors.sandbox_wire import land, platform_settings, roster, served_credentials

SEED, ACCOUNTS, DAYS = 17, 40, 60
LAST = DEFAULT_START_DATE + timedelta(days=DAYS - 1)
DAY = LAST - timedelta(days=1)
PLATFORMS = ("youtube", "tiktok")
# Transient faults only: the quota is what stops these runs.
FAULTS = "rate=0.1,5xx=0.05,dup=0.3,extra=0.1,seed=5"
CLIENT = {"base_backoff": 0.01}
CAP = 100  # IRM_COMMENTS_PER_POST's default


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


def serve(world: World, **options: Any) -> Any:
    """A sandbox server of `world` as of DAY; `tiktok_daily_quota` and `faults` if given."""
    quota = options.pop("tiktok_daily_quota", None)
    settings = platform_settings()
    if quota is not None:
        settings = replace(settings, tiktok_daily_quota=quota)
    return running(make_server(world, port=0, day=DAY, settings=settings, **options))


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    with serve(world) as srv:
        yield srv


def truth(world: World, day=DAY) -> dict[str, Any]:
    """The sandbox's posts of the refresh window per platform, keyed by native id."""
    found = sandbox_comments.ground_truth(world, day, get_settings().refresh_window_days)
    return {p: {k.split(":", 1)[1]: v for k, v in found[p]["posts"].items()} for p in PLATFORMS}


def landed(settings: Settings, platform: str, entity: str, day=DAY) -> list[dict[str, Any]]:
    part = Partition(settings.landing_dir, platform, entity, day)
    return list(read_records(part)) if part.exists() else []


def fetches(settings: Settings, platform: str, day=DAY) -> dict[str, dict[str, Any]]:
    records = landed(settings, platform, "comment_fetches", day)
    keys = [r["record_key"] for r in records]
    assert len(keys) == len(set(keys)), "a post was asked twice"
    return {r["record_key"]: r["payload"] for r in records}


def comment_ids(settings: Settings, platform: str, day=DAY) -> list[str]:
    ids = [r["record_key"] for r in landed(settings, platform, "comments", day)]
    assert len(ids) == len(set(ids)), "a comment landed twice"
    return ids


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_day_lands_the_sandbox_listing_of_every_window_post(
    world: World, server: SandboxServer, settings: Settings, platform: str
) -> None:
    manifests = land(platform, DAY, served_credentials(server.base_url)[platform], world, settings)
    posts = truth(world)[platform]
    asked = fetches(settings, platform)
    assert manifests["comment_fetches"]["complete"], manifests["comment_fetches"]["stopped"]
    assert set(asked) == set(posts)  # every window post, none outside the window
    # The newest 100 (the default cap) of each post, as the sandbox lists them.
    expected = {c["id"] for post in posts.values() for c in post["comments"][:CAP]}
    assert sorted(comment_ids(settings, platform)) == sorted(expected)
    assert any(post["listed"] > CAP for post in posts.values()) or platform == "youtube"
    for video_id, post in posts.items():
        fetch = asked[video_id]
        status = "comments_disabled" if post["comments_disabled"] else "listed"
        assert (fetch["status"], fetch["comments_listed"]) == (status, min(post["listed"], CAP))
        assert fetch["complete"] is (post["listed"] <= CAP)
    # Every call is counted, and no more were made than the listings need.
    calls = manifests["comment_fetches"]["api_calls"]
    assert calls == comment_minimum(world, DAY, platform, settings) >= len(posts)
    # In the platform's quota units, as its other entities: YouTube 1 a call, TikTok none.
    assert manifests["comment_fetches"]["quota_units"] == (calls if platform == "youtube" else 0)


def test_comments_disabled_land_a_fetch_record_and_no_error(
    world: World, server: SandboxServer, settings: Settings
) -> None:
    manifests = land(
        "youtube", DAY, served_credentials(server.base_url)["youtube"], world, settings
    )
    disabled = {v for v, p in truth(world)["youtube"].items() if p["comments_disabled"]}
    assert disabled, "no video of this world has comments off: the case is untested"
    asked = fetches(settings, "youtube")
    for video_id in disabled:
        assert asked[video_id] == {
            "video_id": video_id,
            "status": "comments_disabled",
            "comments_listed": 0,
            "complete": True,
            "cap": 100,
        }
    assert manifests["comment_fetches"]["complete"]
    assert not landed(settings, "youtube", "quarantine")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_cap_keeps_the_newest_comments_and_says_the_listing_was_cut(
    world: World,
    server: SandboxServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    platform: str,
) -> None:
    monkeypatch.setenv("IRM_COMMENTS_PER_POST", "5")
    settings = get_settings()
    manifests = land(platform, DAY, served_credentials(server.base_url)[platform], world, settings)
    posts = truth(world)[platform]
    asked = fetches(settings, platform)
    cut = [v for v, p in posts.items() if p["listed"] > 5]
    assert cut and len(cut) < len(posts), "the cap must cut some listings and not others"
    for video_id, post in posts.items():
        assert asked[video_id]["cap"] == 5
        assert asked[video_id]["comments_listed"] == min(post["listed"], 5)
        assert asked[video_id]["complete"] is (post["listed"] <= 5)
    newest = {c["id"] for post in posts.values() for c in post["comments"][:5]}
    assert sorted(comment_ids(settings, platform)) == sorted(newest)
    # One call of 5 per post: a cut listing is not paged further.
    assert manifests["comment_fetches"]["api_calls"] == len(posts)
    assert comment_minimum(world, DAY, platform, settings) == len(posts)


def metric_calls(world: World, platform: str, tmp_settings: Settings) -> int:
    """What a clean day's accounts and posts cost on this platform, comments left out."""
    with serve(world) as server:
        credentials = served_credentials(server.base_url)[platform]
        manifests = land(platform, DAY, credentials, world, tmp_settings)
    return sum(m["api_calls"] for e, m in manifests.items() if not e.startswith("comment"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_quota_stop_lands_what_it_had_and_the_next_day_resumes(
    world: World, settings: Settings, tmp_path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    posts = truth(world)[platform]
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "clean"))
    # Twice the metrics' calls (the faults' retries spend too), then about half the comments.
    allowance = 2 * metric_calls(world, platform, get_settings()) + len(posts) // 2
    monkeypatch.setenv("IRM_DATA_ROOT", str(settings.data_root))
    budget = {"quota_budgets": {"units": allowance}} if platform == "youtube" else {}
    quota = {"tiktok_daily_quota": allowance} if platform == "tiktok" else {}
    with serve(world, faults=FAULTS, **quota) as server:
        credentials = served_credentials(server.base_url)[platform]
        first = land(platform, DAY, credentials, world, settings, **budget, **CLIENT)
        usage = requests.get(f"{server.base_url}/_sandbox/usage", timeout=5).json()[platform]
        done = listed_accounts(settings, platform)
        server.set_day(LAST)
        land(platform, LAST, credentials, world, settings, **budget, **CLIENT)

    assert "quota" in (first["comment_fetches"]["stopped"] or "")
    if platform == "youtube":  # the run's budget, counted by the client, is never passed
        assert sum(m["quota_units"] for m in first.values()) <= allowance
    else:  # the platform refused the one request past its quota, and the run stopped there
        assert usage[DAY.isoformat()]["quota_rejected"] == 1
    # The accounts and their posts came first and are whole.
    account_entity = {"youtube": "channels", "tiktok": "users"}[platform]
    assert len(landed(settings, platform, account_entity)) == len(roster(world, platform))
    # The comments stopped part way and landed exactly what they listed.
    asked = fetches(settings, platform)
    assert asked and set(asked) < set(posts)
    expected = {c["id"] for v in asked for c in posts[v]["comments"][:CAP]}
    assert set(comment_ids(settings, platform)) == expected
    # The next day starts with the accounts whose comments were not all listed, then the rest.
    order = list(
        dict.fromkeys(r["parent_key"] for r in landed(settings, platform, "comment_fetches", LAST))
    )
    waiting = [account for account in order if account not in done]
    assert waiting, "the next day listed none of the accounts the stop left"
    assert order[: len(waiting)] == waiting, "an account listed yesterday went before one left"


def listed_accounts(settings: Settings, platform: str) -> set[str]:
    """The accounts whose every window post had its comments asked (their comment bookmark)."""
    bookmarks = load_bookmarks(settings.state_dir, f"{platform}_bookmarks")
    return {k.removeprefix(BOOKMARK_PREFIX) for k in bookmarks if k.startswith(BOOKMARK_PREFIX)}


def pages_of(*answers: Any) -> Any:
    """A platform's pages for one post: each answer a (items, more) page, or an error."""

    def pages(video_id: str, size: int) -> Iterator[tuple[list[Any], bool]]:
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
            yield answer

    return pages


def empty_extraction() -> Extraction:
    return Extraction({"comments": EntityRecords(), "comment_fetches": EntityRecords()})


def test_a_listing_keeps_each_comment_once_and_quarantines_one_without_an_id() -> None:
    extraction = empty_extraction()
    pages = pages_of(([{"id": "a"}, {"id": "b"}, {"text": "no id"}], True), ([{"id": "b"}], False))
    listing = list_post(pages, "v1", 150, RecordKey("id"), extraction)
    assert list(listing.comments) == ["a", "b"]  # b, repeated on the next page, kept once
    assert listing.fetch_record()["complete"] is True
    assert [q["reason"] for q in extraction.quarantine] == ["comment has no id"]


def test_a_quota_stop_part_way_through_a_listing_lands_it_as_incomplete() -> None:
    extraction = empty_extraction()
    pages = pages_of(([{"id": "a"}, {"id": "b"}], True), QuotaExhausted("daily quota"))
    listing = list_post(pages, "v1", 150, RecordKey("id"), extraction)
    assert listing.fetch_record() == {
        "video_id": "v1",
        "status": "listed",
        "comments_listed": 2,
        "complete": False,
        "cap": 150,
    }
    assert "daily quota" in (extraction.stopped or "")
    # Stopped before its first page, a post was not asked: no record at all.
    with pytest.raises(QuotaExhausted):
        list_post(pages_of(QuotaExhausted("daily quota")), "v2", 150, RecordKey("id"), extraction)
