"""YouTube handlers in-process: real shapes and every trap the extractor must survive."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from sandbox.world import World
from sandbox.youtube_api import DEFAULT_API_KEY, ApiResponse, YouTubeApi

KEY = DEFAULT_API_KEY


@pytest.fixture
def api(world: World) -> YouTubeApi:
    return YouTubeApi(world)


def call(
    api: YouTubeApi, endpoint: str, day: date, key: str | None = KEY, **query: Any
) -> ApiResponse:
    params = {k: str(v) for k, v in query.items()}
    if key is not None:
        params["key"] = key
    return api.handle("GET", f"/youtube/v3/{endpoint}", params, {}, None, day)


def test_channels_counts_are_strings_and_hidden_subscribers_are_absent(
    api: YouTubeApi, world: World
) -> None:
    ids = [a.platform_id for a in world.accounts_on("youtube")]
    status, _, body = call(
        api, "channels", world.end_date, part="snippet,statistics,contentDetails", id=",".join(ids)
    )
    assert status == 200
    assert body["kind"] == "youtube#channelListResponse"
    assert {item["id"] for item in body["items"]} == set(ids)
    hidden = 0
    for item in body["items"]:
        stats = item["statistics"]
        assert isinstance(stats["viewCount"], str) and isinstance(stats["videoCount"], str)
        assert isinstance(stats["hiddenSubscriberCount"], bool)
        if stats["hiddenSubscriberCount"]:
            hidden += 1
            assert "subscriberCount" not in stats
        else:
            assert isinstance(stats["subscriberCount"], str) and stats["subscriberCount"].isdigit()
        assert item["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + item["id"][2:]
        assert item["snippet"]["customUrl"].startswith("@")
    assert hidden >= 1
    assert isinstance(body["pageInfo"]["totalResults"], int)


def test_channels_without_match_have_no_items_key(api: YouTubeApi, world: World) -> None:
    status, _, body = call(
        api, "channels", world.end_date, part="statistics", id="UCxxxxxxxxxxxxxxxxxxxxxx"
    )
    assert status == 200
    assert "items" not in body
    assert body["pageInfo"] == {"totalResults": 0, "resultsPerPage": 5}


def test_channels_for_handle(api: YouTubeApi, world: World) -> None:
    channel = world.accounts_on("youtube")[0]
    _, _, body = call(api, "channels", world.end_date, part="id", forHandle="@" + channel.handle)
    assert [item["id"] for item in body["items"]] == [channel.platform_id]


def _all_playlist_ids(api: YouTubeApi, playlist: str, day: date, per_page: int) -> list[str]:
    ids: list[str] = []
    token: str | None = None
    while True:
        query: dict[str, Any] = {
            "part": "snippet,contentDetails",
            "playlistId": playlist,
            "maxResults": per_page,
        }
        if token:
            query["pageToken"] = token
        status, _, body = call(api, "playlistItems", day, **query)
        assert status == 200
        assert len(body["items"]) <= per_page
        ids.extend(item["contentDetails"]["videoId"] for item in body["items"])
        token = body.get("nextPageToken")
        if not token:
            return ids


def test_playlist_items_page_newest_first(api: YouTubeApi, world: World) -> None:
    channel = max(world.accounts_on("youtube"), key=lambda a: world.visible_count(a.index, 29))
    playlist = "UU" + channel.platform_id[2:]
    expected = world.videos_of(channel.platform_id, world.end_date)
    assert len(expected) > 7
    assert _all_playlist_ids(api, playlist, world.end_date, 7) == expected
    _, _, first = call(
        api, "playlistItems", world.end_date, part="snippet,contentDetails", playlistId=playlist
    )
    assert len(first["items"]) == 5  # default maxResults
    assert first["pageInfo"]["totalResults"] == len(expected)
    published = [i["contentDetails"]["videoPublishedAt"] for i in first["items"]]
    assert published == sorted(published, reverse=True)
    assert first["items"][0]["snippet"]["position"] == 0
    assert "prevPageToken" not in first


def test_playlist_errors(api: YouTubeApi, world: World) -> None:
    day = world.end_date
    status, _, body = call(api, "playlistItems", day, part="id", playlistId="UUnope")
    assert status == 404 and body["error"]["errors"][0]["reason"] == "playlistNotFound"
    playlist = "UU" + world.accounts_on("youtube")[0].platform_id[2:]
    status, _, body = call(
        api, "playlistItems", day, part="id", playlistId=playlist, pageToken="garbage"
    )
    assert status == 400 and body["error"]["errors"][0]["reason"] == "invalidPageToken"
    status, _, body = call(api, "playlistItems", day, part="id", playlistId=playlist, maxResults=51)
    assert status == 400
    status, _, body = call(api, "playlistItems", day, playlistId=playlist)
    assert status == 400 and body["error"]["errors"][0]["reason"] == "required"


def test_videos_strings_missing_counts_and_unknown_ids(api: YouTubeApi, world: World) -> None:
    day = world.end_date
    ids = [v for a in world.accounts_on("youtube") for v in world.videos_of(a.platform_id, day)]
    seen_no_likes = seen_no_comments = 0
    for start in range(0, len(ids), 50):
        batch = ids[start : start + 50]
        status, _, body = call(
            api, "videos", day, part="snippet,statistics,contentDetails", id=",".join(batch)
        )
        assert status == 200
        assert [item["id"] for item in body["items"]] == batch
        for item in body["items"]:
            stats = item["statistics"]
            assert isinstance(stats["viewCount"], str)
            seen_no_likes += "likeCount" not in stats
            seen_no_comments += "commentCount" not in stats
            assert all(isinstance(v, str) for v in stats.values())
            assert item["contentDetails"]["caption"] in ("true", "false")
            assert item["contentDetails"]["duration"].startswith("PT")
            assert item["snippet"]["publishedAt"].endswith("Z")
    assert seen_no_likes and seen_no_comments
    status, _, body = call(api, "videos", day, part="statistics", id=f"{ids[0]},AAAAAAAAAAA,zzz")
    assert status == 200 and [item["id"] for item in body["items"]] == [ids[0]]
    status, _, body = call(api, "videos", day, part="statistics", id="AAAAAAAAAAA")
    assert status == 200 and body["items"] == []


def test_more_than_50_ids_is_a_400(api: YouTubeApi, world: World) -> None:
    ids = [f"vid{i:08d}" for i in range(51)]
    for endpoint in ("videos", "channels"):
        status, headers, body = call(api, endpoint, world.end_date, part="id", id=",".join(ids))
        assert status == 400
        assert body["error"]["code"] == 400
        assert body["error"]["errors"][0]["reason"] == "invalidParameter"
        assert headers["Content-Type"].startswith("application/json")
    repeated = ",".join([world.video_ids(world.accounts_on("youtube")[0].index)[0]] * 51)
    assert call(api, "videos", world.end_date, part="id", id=repeated).status == 400


def test_unknown_part_is_rejected(api: YouTubeApi, world: World) -> None:
    status, _, body = call(api, "videos", world.end_date, part="statistics,fileDetails", id="x")
    assert status == 400 and body["error"]["errors"][0]["reason"] == "unknownPart"


def test_bad_or_missing_key(api: YouTubeApi, world: World) -> None:
    status, _, body = call(api, "channels", world.end_date, key="wrong", part="id", id="UCx")
    assert status == 400
    assert body["error"]["errors"][0]["reason"] == "badRequest"
    assert body["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    status, _, body = call(api, "channels", world.end_date, key=None, part="id", id="UCx")
    assert status == 403 and body["error"]["errors"][0]["reason"] == "forbidden"
    assert api.usage() == {}  # rejected keys cost no quota
    # The header form (the pipeline's: no key in any URL) is checked as the query form is.
    for header_key, expected in ((KEY, 200), ("not-the-key", 400)):
        status, _, _ = api.handle(
            "GET",
            "/youtube/v3/channels",
            {"part": "id", "id": "UCx"},
            {"x-goog-api-key": header_key},
            None,
            world.end_date,
        )
        assert status == expected


def test_quota_per_key_per_simulated_day(world: World) -> None:
    api = YouTubeApi(world, daily_quota=3)
    day = world.end_date
    for _ in range(3):
        assert call(api, "channels", day, part="id", id="UCx").status == 200
    status, headers, body = call(api, "channels", day, part="id", id="UCx")
    assert status == 403
    error = body["error"]["errors"][0]
    assert (error["reason"], error["domain"]) == ("quotaExceeded", "youtube.quota")
    assert "Retry-After" not in headers
    assert (
        call(api, "videos", day - timedelta(days=1), part="id", id="x").status == 200
    )  # fresh day
    assert api.usage()[day.isoformat()]["units"] == 3


def test_visibility_follows_the_day(api: YouTubeApi, world: World) -> None:
    channel = world.accounts_on("youtube")[0]
    posts = world.posts(channel.index)
    post = next(i for i, s in enumerate(posts.published_s) if s >= 5 * 86_400)  # day 5 or later
    video_id = world.video_id(channel.index, post)
    published_on = world.post_published_at(channel.index, post).date()
    before = published_on - timedelta(days=1)
    _, _, body = call(api, "videos", before, part="statistics", id=video_id)
    assert body["items"] == []
    _, _, body = call(api, "videos", published_on, part="statistics", id=video_id)
    assert [item["id"] for item in body["items"]] == [video_id]
    views_then = int(body["items"][0]["statistics"]["viewCount"])
    _, _, body = call(api, "videos", world.end_date, part="statistics", id=video_id)
    assert int(body["items"][0]["statistics"]["viewCount"]) >= views_then
    _, _, body = call(api, "channels", before, part="statistics", id=channel.platform_id)
    count_before = int(body["items"][0]["statistics"]["videoCount"])
    _, _, body = call(api, "channels", published_on, part="statistics", id=channel.platform_id)
    assert int(body["items"][0]["statistics"]["videoCount"]) > count_before
