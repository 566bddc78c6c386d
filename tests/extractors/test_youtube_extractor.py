"""The YouTube extractor against the sandbox: nothing lost, nothing duplicated, the minimum
number of calls, a clean stop at the quota that the next run resumes from."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import requests

from core.config import get_settings
from core.landing import Partition, read_records
from extractors.base import PENDING, STAGING
from extractors.connections import ApiCredentials
from extractors.errors import AuthError, IntervalPassed
from extractors.runner import commit_source, land_source
from extractors.state import load_bookmarks
from extractors.youtube import SPEC
from sandbox.crm import creator_rows
from sandbox.ground_truth import build_ground_truth
from sandbox.server import make_server, start_thread
from sandbox.world import World

SEED, ACCOUNTS, DAYS = 5, 30, 40
KEY = "test-youtube-key"
LAST = date(2026, 1, 1) + timedelta(days=DAYS - 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture
def server(world) -> Iterator:
    srv = make_server(world, port=0, day=LAST - timedelta(days=1), api_key=KEY)
    start_thread(srv)
    yield srv
    srv.shutdown()


def creds(server, key: str = KEY) -> ApiCredentials:
    return ApiCredentials("irm_youtube", f"{server.base_url}/youtube/v3", key)


def roster(world) -> list[str]:
    return sorted(r["youtube_channel_id"] for r in creator_rows(world) if r["youtube_channel_id"])


def landed(settings, entity: str, day: date) -> list[dict]:
    return list(read_records(Partition(settings.landing_dir, "youtube", entity, day)))


def land_day(day, credentials, channel_ids, settings, **options) -> dict:
    """YouTube's day as the extract task lands it."""
    return land_source(SPEC, day, settings, credentials, channel_ids, **options)


def test_first_run_lands_exactly_the_ground_truth(world, server, settings) -> None:
    day = LAST - timedelta(days=1)
    land_day(day, creds(server), roster(world), settings)
    truth = build_ground_truth(world, day)["youtube"]["channels"]
    channels = landed(settings, "channels", day)
    videos = landed(settings, "videos", day)
    assert sorted(r["record_key"] for r in channels) == sorted(truth)
    expected = sorted(v["video_id"] for t in truth.values() for v in t["videos"])
    assert sorted(r["record_key"] for r in videos) == expected  # none lost, none twice
    by_id = {r["record_key"]: r["payload"] for r in videos}
    for channel in truth.values():
        for video in channel["videos"]:
            stats = by_id[video["video_id"]]["statistics"]
            assert stats.get("likeCount") == (
                None if video["likes"] is None else str(video["likes"])
            )
            assert stats["viewCount"] == str(video["views"])  # counts stay strings, as sent


# A 2-day window leaves channels whose newest video is older than the window: their refresh
# must fetch no video (their bookmark's own video is not new, and not in the window).
@pytest.mark.parametrize("window_days", [30, 2], ids=["30-day window", "2-day window"])
def test_refresh_uses_the_minimum_number_of_calls(
    world, server, settings, monkeypatch, window_days
) -> None:
    monkeypatch.setenv("IRM_REFRESH_WINDOW_DAYS", str(window_days))
    settings = get_settings()
    first = LAST - timedelta(days=1)
    land_day(first, creds(server), roster(world), settings)
    server.set_day(LAST)
    manifests = land_day(LAST, creds(server), roster(world), settings)

    truth = build_ground_truth(world, LAST)["youtube"]["channels"]
    # The refresh window ends with the data interval (naive UTC, like published_at[:19] below).
    window_end = datetime.combine(LAST + timedelta(days=1), datetime.min.time())
    since = window_end - timedelta(days=settings.refresh_window_days)
    playlist_pages, refreshed = 0, 0
    for channel in truth.values():
        published = [datetime.fromisoformat(v["published_at"][:19]) for v in channel["videos"]]
        in_window = sum(p >= since for p in published)
        refreshed += in_window
        # Newest first: the page holding the first older video proves the window is complete.
        needed = in_window + 1 if in_window < len(published) else in_window
        playlist_pages += max(1, math.ceil(needed / 50))
    minimum = math.ceil(len(truth) / 50) + playlist_pages + math.ceil(refreshed / 50)
    calls = manifests["channels"]["api_calls"] + manifests["videos"]["api_calls"]
    if window_days == 2:  # the case this parameter is for must occur
        assert any(
            all(datetime.fromisoformat(v["published_at"][:19]) < since for v in c["videos"])
            for c in truth.values()
            if c["videos"]
        )
    assert calls == minimum
    assert manifests["videos"]["record_count"] == refreshed
    assert manifests["channels"]["quota_units"] + manifests["videos"]["quota_units"] == minimum


def test_quota_stop_lands_what_it_has_and_the_next_run_resumes(world, server, settings) -> None:
    day = LAST - timedelta(days=1)
    channel_ids = roster(world)
    manifests = land_day(day, creds(server), channel_ids, settings, quota_budgets={"units": 4})
    assert manifests["channels"]["complete"] is False
    assert "quota" in manifests["channels"]["stopped"]
    pending = load_bookmarks(settings.state_dir, "youtube_bookmarks")[PENDING]
    landed_channels = {r["record_key"] for r in landed(settings, "channels", day)}
    assert pending and set(pending) == set(channel_ids) - landed_channels

    server.set_day(LAST)
    manifests = land_day(LAST, creds(server), channel_ids, settings)
    assert manifests["channels"]["complete"] is True
    assert {r["record_key"] for r in landed(settings, "channels", LAST)} == set(channel_ids)
    assert load_bookmarks(settings.state_dir, "youtube_bookmarks")[PENDING] == []
    # Every video of a channel the first run did not finish arrives in the second run.
    truth = build_ground_truth(world, LAST)["youtube"]["channels"]
    videos = {r["record_key"] for r in landed(settings, "videos", LAST)}
    assert {v["video_id"] for c in pending for v in truth[c]["videos"]} <= videos


def test_bad_key_fails_at_once_naming_the_connection(world, server, settings) -> None:
    day = server.day  # the interval the platform's answers describe: only the key is wrong
    with pytest.raises(AuthError, match="irm_youtube") as caught:
        land_day(day, creds(server, key="wrong-key"), roster(world), settings)
    assert "wrong-key" not in str(caught.value)
    assert not Partition(settings.landing_dir, "youtube", "channels", day).exists()


def test_a_landed_day_is_never_extracted_again(world, server, settings) -> None:
    day = LAST - timedelta(days=1)
    first = land_day(day, creds(server), roster(world), settings)
    server.set_day(LAST)  # the API now answers with newer numbers
    again = land_day(day, creds(server, key="unused-key"), roster(world), settings)
    assert again["channels"]["checksum"] == first["channels"]["checksum"]


def test_batches_staged_apart_land_the_same_records_as_one_run(
    world, server, settings, tmp_path, monkeypatch
) -> None:
    """The DAG maps one task per account batch; committed together they are the same day."""
    from extractors.base import staging_dir

    day = LAST - timedelta(days=1)
    channel_ids = roster(world)
    batches = [channel_ids[i : i + 4] for i in range(0, len(channel_ids), 4)]
    for n, batch in reversed(list(enumerate(batches))):  # order of completion does not matter
        land_day(day, creds(server), batch, settings, batch=n)
    assert not Partition(settings.landing_dir, "youtube", "channels", day).exists()
    commit_source(SPEC, day, settings, batch_count=len(batches))
    assert not staging_dir("youtube", day, settings).exists()

    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "one-run"))
    whole = get_settings()
    land_day(day, creds(server), channel_ids, whole)
    for entity in SPEC.entity_names:
        keys = [r["record_key"] for r in landed(settings, entity, day)]
        assert len(keys) == len(set(keys))
        assert sorted(keys) == sorted(r["record_key"] for r in landed(whole, entity, day))


def test_commit_refuses_a_day_with_a_batch_missing(world, server, settings) -> None:
    day = LAST - timedelta(days=1)
    land_day(day, creds(server), roster(world)[:3], settings, batch=0)
    with pytest.raises(RuntimeError, match="batch-00001"):
        commit_source(SPEC, day, settings, batch_count=2)
    assert not Partition(settings.landing_dir, "youtube", "channels", day).exists()


def test_a_past_day_is_not_filed_with_the_present_answers(world, server, settings, monkeypatch):
    """A backfill of a day never landed: the sandbox answers as of its clock (its Date header),
    four days after that day ended. Nothing lands, no bookmark moves; a longer allowed lag
    (IRM_EXTRACT_MAX_LAG_HOURS) lets it through."""
    past = LAST - timedelta(days=5)
    with pytest.raises(IntervalPassed, match="irm_youtube: the API answered at"):
        land_day(past, creds(server), roster(world), settings)
    for entity in ("channels", "videos"):
        assert not Partition(settings.landing_dir, "youtube", entity, past).exists()
    assert load_bookmarks(settings.state_dir, "youtube_bookmarks") == {}
    assert not any((settings.landing_dir / STAGING).glob("youtube/*/batch-*"))

    monkeypatch.setenv("IRM_EXTRACT_MAX_LAG_HOURS", str(5 * 24))
    land_day(past, creds(server), roster(world), get_settings())
    assert landed(settings, "channels", past)


@pytest.mark.parametrize(
    "days_ahead", [1, 299], ids=["the next day, not over", "months ahead (the incident)"]
)
def test_a_day_not_over_at_the_platform_is_not_filed_with_its_older_answers(
    world, server, settings, days_ahead
) -> None:
    """The scheduler runs an interval by its own clock; a platform (here the sandbox, its clock
    on LAST - 1: its answers are dated just after that day ended) whose clock has not reached
    the interval's end answers with a part of the day, or a world months older (the incident:
    the real-clock interval 2026-12-04 against a sandbox reading 2026-03-03). One call, then
    the task fails without retries: nothing staged or landed, no bookmark moved."""
    from airflow.sdk.exceptions import AirflowFailException

    from irm.tasks import fail_without_retry

    day = server.day + timedelta(days=days_ahead)
    land_task = fail_without_retry(land_day)
    with pytest.raises(AirflowFailException) as caught:
        land_task(day, creds(server), roster(world), settings)
    message = str(caught.value)
    assert message.startswith("IntervalNotOver: irm_youtube: the API answered at ")
    assert f"before {day + timedelta(days=1)} 00:00 UTC" in message
    assert "nothing was landed" in message
    for entity in SPEC.entity_names:
        assert not Partition(settings.landing_dir, "youtube", entity, day).exists()
    assert load_bookmarks(settings.state_dir, "youtube_bookmarks") == {}
    assert not any((settings.landing_dir / STAGING).glob("youtube/*/batch-*"))
    usage = requests.get(f"{server.base_url}/_sandbox/usage", timeout=5).json()["youtube"]
    assert sum(n for d in usage.values() for k, n in d.items() if k.startswith("calls_")) == 1
