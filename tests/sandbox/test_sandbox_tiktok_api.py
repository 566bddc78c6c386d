"""TikTok Research API in-process: token, user info, video query and their traps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from sandbox.tiktok_api import (
    API_PREFIX,
    DEFAULT_CLIENT_KEY,
    DEFAULT_CLIENT_SECRET,
    MAX_COUNT,
    TOKEN_LIFETIME_S,
    TikTokApi,
    ground_truth,
    rate_limit_response,
)
from sandbox.world import Account, World
from sandbox.youtube_api import ApiResponse

USER_FIELDS = (
    "display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
    "likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,create_time,username,region_code,video_description,music_id,like_count,comment_count,"
    "share_count,view_count,hashtag_names"
)


class Clock:
    """A settable stand-in for time.monotonic."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=42, accounts=40, days=60)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(world: World, clock: Clock) -> TikTokApi:
    return TikTokApi(world, clock=clock)


@pytest.fixture(scope="module")
def account(world: World) -> Account:
    """The TikTok account with the most videos."""
    end = world.day_index(world.end_date)
    return max(world.accounts_on("tiktok"), key=lambda a: world.visible_count(a.index, end))


def token_call(api: TikTokApi, day: date, **form: str) -> ApiResponse:
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return api.handle("POST", f"{API_PREFIX}v2/oauth/token/", {}, headers, body, day)


def token(api: TikTokApi, day: date) -> str:
    response = token_call(
        api,
        day,
        client_key=DEFAULT_CLIENT_KEY,
        client_secret=DEFAULT_CLIENT_SECRET,
        grant_type="client_credentials",
    )
    assert response.status == 200, response.body
    return str(response.body["access_token"])


def research(
    api: TikTokApi, endpoint: str, fields: str, payload: Any, day: date, bearer: str | None
) -> ApiResponse:
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    path = f"{API_PREFIX}v2/research/{endpoint}/"
    return api.handle("POST", path, {"fields": fields}, headers, body, day)


def video_query(username: str, start: date, end: date, **extra: Any) -> dict[str, Any]:
    return {
        "query": {
            "and": [{"operation": "EQ", "field_name": "username", "field_values": [username]}]
        },
        "start_date": start.strftime("%Y%m%d"),
        "end_date": end.strftime("%Y%m%d"),
        **extra,
    }


def error_code(response: ApiResponse) -> str:
    error = response.body["error"]
    assert set(error) == {"code", "message", "log_id"} and error["log_id"]
    return str(error["code"])


def test_client_token(api: TikTokApi, world: World) -> None:
    response = token_call(
        api,
        world.end_date,
        client_key=DEFAULT_CLIENT_KEY,
        client_secret=DEFAULT_CLIENT_SECRET,
        grant_type="client_credentials",
    )
    assert response.status == 200
    assert response.body["expires_in"] == TOKEN_LIFETIME_S == 7200
    assert response.body["token_type"] == "Bearer"
    assert response.body["access_token"].startswith("clt.")
    assert token(api, world.end_date) != response.body["access_token"]  # one token per ask


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"client_secret": "wrong", "grant_type": "client_credentials"}, 401, "invalid_client"),
        ({"client_secret": DEFAULT_CLIENT_SECRET, "grant_type": "password"}, 400, None),
        ({"grant_type": "client_credentials"}, 400, None),
    ],
)
def test_token_errors_use_the_oauth_root_level_shape(
    api: TikTokApi, world: World, form: dict[str, str], status: int, code: str | None
) -> None:
    response = token_call(api, world.end_date, client_key=DEFAULT_CLIENT_KEY, **form)
    assert response.status == status
    assert isinstance(response.body["error"], str)  # a bare string, not the v2 envelope
    assert response.body["error_description"] and response.body["log_id"]
    assert "data" not in response.body
    if code:
        assert response.body["error"] == code


def test_research_needs_a_live_token(api: TikTokApi, world: World, clock: Clock) -> None:
    day = world.end_date
    payload = {"username": world.accounts_on("tiktok")[0].handle}
    for bearer in (None, "clt.forged"):
        response = research(api, "user/info", USER_FIELDS, payload, day, bearer)
        assert response.status == 401 and error_code(response) == "access_token_invalid"
    live = token(api, day)
    assert research(api, "user/info", USER_FIELDS, payload, day, live).status == 200
    clock.now += TOKEN_LIFETIME_S
    expired = research(api, "user/info", USER_FIELDS, payload, day, live)
    assert expired.status == 401 and error_code(expired) == "access_token_invalid"


def test_user_info_answers_requested_fields_under_data(
    api: TikTokApi, world: World, account: Account
) -> None:
    bearer = token(api, world.end_date)
    for day in (world.start_date, world.end_date):
        d = world.day_index(day)
        response = research(
            api, "user/info", USER_FIELDS, {"username": account.handle}, day, bearer
        )
        assert response.status == 200 and error_code(response) == "ok"
        data = response.body["data"]
        assert set(data) == set(USER_FIELDS.split(","))  # not nested under "user"
        assert data["follower_count"] == int(world.followers(account.index)[d])
        assert data["video_count"] == world.visible_count(account.index, d)
        assert data["display_name"] == account.title
    narrow = research(api, "user/info", "follower_count", {"username": account.handle}, day, bearer)
    assert list(narrow.body["data"]) == ["follower_count"]


@pytest.mark.parametrize(
    ("fields", "payload"),
    [
        ("follower_count,shoe_size", {"username": "x"}),
        ("", {"username": "x"}),
        (USER_FIELDS, {}),
        (USER_FIELDS, {"username": "no_such_user_here"}),
        (USER_FIELDS, b"not json"),
    ],
)
def test_user_info_invalid_params(api: TikTokApi, world: World, fields: str, payload: Any) -> None:
    bearer = token(api, world.end_date)
    response = research(api, "user/info", fields, payload, world.end_date, bearer)
    assert response.status == 400 and error_code(response) == "invalid_params"
    assert response.body["data"] == {}


def all_videos(
    api: TikTokApi, bearer: str, username: str, start: date, end: date, day: date, max_count: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of one search, following cursor + search_id while has_more."""
    videos: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    extra: dict[str, Any] = {"max_count": max_count, "cursor": 0}
    while True:
        payload = video_query(username, start, end, **extra)
        response = research(api, "video/query", VIDEO_FIELDS, payload, day, bearer)
        assert response.status == 200 and error_code(response) == "ok", response.body
        data = response.body["data"]
        videos += data["videos"]
        pages.append(data)
        if not data["has_more"]:
            return videos, pages
        extra.update(cursor=data["cursor"], search_id=data["search_id"])


def test_video_query_pages_end_exactly_with_nothing_lost_or_repeated(
    api: TikTokApi, world: World, account: Account
) -> None:
    day = world.end_date
    start, end = day - timedelta(days=30), day
    videos, pages = all_videos(api, token(api, day), account.handle, start, end, day, 7)
    published = world.posts(account.index).published_s
    first_s = (start - world.start_date).days * 86_400
    end_s = (world.day_index(day) + 1) * 86_400
    expected = [
        int(world.post_id(account.index, p))
        for p in reversed(range(len(published)))
        if first_s <= published[p] < end_s
    ]
    assert len(expected) > 2 * 7
    assert [v["id"] for v in videos] == expected  # newest first, each once
    assert [p["cursor"] for p in pages] == [
        min(7 * n, len(expected)) for n in range(1, len(pages) + 1)
    ]
    assert len({p["search_id"] for p in pages}) == 1
    assert [p["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]
    for video in videos:
        assert video["username"] == account.handle
        created = datetime.fromtimestamp(video["create_time"], UTC).date()
        assert start <= created <= end


def test_int64_ids_are_exact_numbers_in_the_raw_json(
    api: TikTokApi, world: World, account: Account
) -> None:
    day = world.end_date
    payload = video_query(account.handle, day - timedelta(days=20), day, max_count=MAX_COUNT)
    response = research(api, "video/query", VIDEO_FIELDS, payload, day, token(api, day))
    text = json.dumps(response.body)  # what the server writes
    ids = [v["id"] for v in response.body["data"]["videos"]]
    assert ids and all(isinstance(i, int) and i > 2**53 for i in ids)
    for video_id in ids:
        assert f'"id": {video_id},' in text  # a number with every digit, not a string
    assert any(int(float(i)) != i for i in ids)  # a float parser would corrupt them
    assert all(v["music_id"] > 2**53 for v in response.body["data"]["videos"])
    truth = ground_truth(world, day)["accounts"][account.handle]["videos"]
    assert {str(i) for i in ids} <= {v["video_id"] for v in truth}


@pytest.mark.parametrize(
    "change",
    [
        {"end_date": "20260305", "start_date": "20260201"},  # 32 days apart
        {"end_date": "20260101", "start_date": "20260105"},  # end before start
        {"start_date": "2026-01-01"},
        {"start_date": "20260230"},
        {"max_count": MAX_COUNT + 1},
        {"max_count": 0},
        {"cursor": -1},
        {"cursor": 10_000},
        {"cursor": 5, "search_id": "7000000000000000000"},
        {"query": {"and": []}},
        {"query": {"and": [{"operation": "GT", "field_name": "username", "field_values": ["a"]}]}},
        {
            "query": {
                "and": [{"operation": "EQ", "field_name": "username", "field_values": ["a", "b"]}]
            }
        },
    ],
)
def test_video_query_invalid_params(
    api: TikTokApi, world: World, account: Account, change: dict[str, Any]
) -> None:
    day = world.end_date
    payload = {**video_query(account.handle, day - timedelta(days=10), day), **change}
    response = research(api, "video/query", VIDEO_FIELDS, payload, day, token(api, day))
    assert response.status == 400 and error_code(response) == "invalid_params"


def test_thirty_days_apart_is_the_widest_window(
    api: TikTokApi, world: World, account: Account
) -> None:
    day = world.end_date
    payload = video_query(account.handle, day - timedelta(days=30), day)
    response = research(api, "video/query", VIDEO_FIELDS, payload, day, token(api, day))
    assert response.status == 200 and len(response.body["data"]["videos"]) == 20  # default count


def test_follow_up_pages_keep_the_search_s_result_set(
    api: TikTokApi, world: World, account: Account
) -> None:
    early = world.start_date + timedelta(days=40)
    later = early + timedelta(days=10)
    bearer = token(api, early)
    payload = video_query(account.handle, early - timedelta(days=20), later, max_count=5)
    first = research(api, "video/query", VIDEO_FIELDS, payload, early, bearer).body["data"]
    follow = {**payload, "cursor": first["cursor"], "search_id": first["search_id"]}
    second = research(api, "video/query", VIDEO_FIELDS, follow, later, bearer).body["data"]
    # Videos published after the search began do not shift its pages.
    first_ids = [v["id"] for v in first["videos"]]
    assert second["videos"] and max(v["id"] for v in second["videos"]) not in first_ids
    assert all(v["create_time"] < first["videos"][-1]["create_time"] for v in second["videos"])


def test_daily_request_quota(world: World, account: Account) -> None:
    api = TikTokApi(world, daily_request_quota=3)
    day = world.end_date
    bearer = token(api, day)
    payload = {"username": account.handle}
    statuses = [research(api, "user/info", USER_FIELDS, payload, day, bearer) for _ in range(4)]
    assert [r.status for r in statuses] == [200, 200, 200, 429]
    code = error_code(statuses[-1])
    assert code == "daily_quota_limit_exceeded" and "quota" in code  # what the extractor reads
    token(api, day)  # token requests do not count against the quota
    next_day = research(api, "user/info", USER_FIELDS, payload, day - timedelta(days=1), bearer)
    assert next_day.status == 200  # another day, another quota
    usage = api.usage()[day.isoformat()]
    assert usage["requests"] == 3 and usage["quota_rejected"] == 1
    assert usage["tokens_issued"] == 2 and usage["calls_user_info"] == 3


def test_rate_limit_response_in_the_platform_style() -> None:
    response = rate_limit_response()
    assert response.status == 429 and error_code(response) == "rate_limit_exceeded"
    assert response.body["data"] == {}
    message = response.body["error"]["message"].lower()
    assert "quota" not in message and "daily" not in message  # not the day's quota


def test_ground_truth(world: World, account: Account) -> None:
    early, late = world.start_date + timedelta(days=10), world.end_date
    truth_early = ground_truth(world, early)["accounts"][account.handle]
    truth_late = ground_truth(world, late)["accounts"][account.handle]
    assert truth_late["follower_counts"] == world.followers(account.index).tolist()
    assert len(truth_early["follower_counts"]) == 11
    assert all(isinstance(v["video_id"], str) for v in truth_late["videos"])
    assert truth_late["video_count"] == len(truth_late["videos"])
    later = {v["video_id"]: v for v in truth_late["videos"]}
    for video in truth_early["videos"]:
        for count in ("view_count", "like_count", "comment_count", "share_count"):
            assert later[video["video_id"]][count] >= video[count]  # counts never go down
