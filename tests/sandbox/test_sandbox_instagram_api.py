"""Instagram business_discovery in-process: real shapes and the traps an extractor must survive."""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta
from typing import Any

import pytest

from sandbox.instagram_api import (
    API_PREFIX,
    BRAND_IG_USER_ID,
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_MEDIA_LIMIT,
    MAX_MEDIA_LIMIT,
    THROTTLE_MESSAGES,
    InstagramApi,
    ground_truth,
    rate_limit_response,
)
from sandbox.world import Account, World
from sandbox.youtube_api import ApiResponse

MEDIA_FIELDS = (
    "id,caption,timestamp,media_type,media_product_type,like_count,comments_count,permalink"
)
ACCOUNT_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count"
GRAPH_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000")


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=42, accounts=40, days=30)


@pytest.fixture
def api(world: World) -> InstagramApi:
    return InstagramApi(world)


@pytest.fixture(scope="module")
def account(world: World) -> Account:
    """The Instagram account with the most media, so it spans several pages."""
    end = world.day_index(world.end_date)
    return max(world.accounts_on("instagram"), key=lambda a: world.visible_count(a.index, end))


def discovery(username: str, media: str | None = None, fields: str = ACCOUNT_FIELDS) -> str:
    inner = fields + (f",{media}{{{MEDIA_FIELDS}}}" if media else "")
    return f"business_discovery.username({username}){{{inner}}}"


def call(
    api: InstagramApi,
    fields: str | None,
    day: date,
    token: str | None = DEFAULT_ACCESS_TOKEN,
    node: str = BRAND_IG_USER_ID,
    method: str = "GET",
) -> ApiResponse:
    query = {} if fields is None else {"fields": fields}
    if token is not None:
        query["access_token"] = token
    return api.handle(method, f"{API_PREFIX}{node}", query, {}, None, day)


def all_media(
    api: InstagramApi, username: str, day: date, limit: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every media item by following `paging.cursors.after`, and each page's paging object."""
    items: list[dict[str, Any]] = []
    pagings: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        media = f"media.limit({limit})" + (f".after({after})" if after else "")
        status, _, body = call(api, discovery(username, media), day)
        assert status == 200, body
        page = body["business_discovery"]["media"]
        items += page["data"]
        pagings.append(page.get("paging", {}))
        after = page.get("paging", {}).get("cursors", {}).get("after")
        if not after:
            return items, pagings


def test_paging_by_after_cursor_lands_every_media_once_newest_first(
    api: InstagramApi, world: World, account: Account
) -> None:
    day = world.end_date
    items, pagings = all_media(api, account.handle, day, limit=7)
    visible = world.visible_count(account.index, world.day_index(day))
    expected = [world.post_id(account.index, p) for p in reversed(range(visible))]
    assert [item["id"] for item in items] == expected  # nothing lost, repeated or reordered
    assert len(pagings) == math.ceil(visible / 7)
    # Business discovery never sends a `next` URL; only the last page lacks `after`.
    assert all("next" not in paging and "previous" not in paging for paging in pagings)
    assert all("after" in paging["cursors"] for paging in pagings[:-1])
    assert "after" not in pagings[-1]["cursors"] and "before" in pagings[-1]["cursors"]
    stamps = [item["timestamp"] for item in items]
    assert stamps == sorted(stamps, reverse=True)


def test_page_size_defaults_to_25_and_is_capped_at_50(
    api: InstagramApi, world: World, account: Account
) -> None:
    assert world.visible_count(account.index, world.day_index(world.end_date)) > MAX_MEDIA_LIMIT
    for media, expected in (("media", DEFAULT_MEDIA_LIMIT), ("media.limit(500)", MAX_MEDIA_LIMIT)):
        _, _, body = call(api, discovery(account.handle, media), world.end_date)
        assert len(body["business_discovery"]["media"]["data"]) == expected


def test_only_requested_fields_come_back_with_the_node_id(
    api: InstagramApi, world: World, account: Account
) -> None:
    wanted = "followers_count,media.limit(2){like_count}"
    fields = f"business_discovery.username({account.handle}){{{wanted}}}"
    status, _, body = call(api, fields, world.end_date)
    assert status == 200
    assert body["id"] == BRAND_IG_USER_ID
    found = body["business_discovery"]
    assert list(found) == ["followers_count", "media", "id"]  # id appended, as Graph does
    assert found["id"] == account.platform_id
    assert [list(item) for item in found["media"]["data"]] == [["like_count", "id"]] * 2


def test_account_and_media_shapes(api: InstagramApi, world: World, account: Account) -> None:
    day = world.end_date
    d = world.day_index(day)
    _, _, body = call(api, discovery(account.handle, "media.limit(50)"), day)
    found = body["business_discovery"]
    assert found["username"] == account.handle and found["name"] == account.title
    assert found["followers_count"] == int(world.followers(account.index)[d])  # exact, a number
    assert found["media_count"] == world.visible_count(account.index, d)
    assert isinstance(found["follows_count"], int)
    for item in found["media"]["data"]:
        assert isinstance(item["id"], str) and item["id"].isdigit()
        assert GRAPH_TIMESTAMP.fullmatch(item["timestamp"])
        assert isinstance(item["like_count"], int) and isinstance(item["comments_count"], int)
        kind = (item["media_type"], item["media_product_type"])
        assert kind in {("IMAGE", "FEED"), ("CAROUSEL_ALBUM", "FEED"), ("VIDEO", "REELS")}
        assert item["permalink"].startswith("https://www.instagram.com/")
    captions = {item["caption"] for item in found["media"]["data"]}
    newest = world.visible_count(account.index, d) - 1
    assert world.post_text(account.index, newest).description in captions


def test_followers_and_media_are_as_of_the_day_asked(
    api: InstagramApi, world: World, account: Account
) -> None:
    for day in (world.start_date, world.start_date + timedelta(days=12), world.end_date):
        d = world.day_index(day)
        _, _, body = call(api, discovery(account.handle, "media.limit(50)"), day)
        found = body["business_discovery"]
        assert found["followers_count"] == int(world.followers(account.index)[d])
        newest = world.visible_count(account.index, d) - 1
        assert found["media"]["data"][0]["id"] == world.post_id(account.index, newest)


def _hidden_likes_post(world: World) -> tuple[Account, int]:
    end = world.day_index(world.end_date)
    for account in world.accounts_on("instagram"):
        visible = world.visible_count(account.index, end)
        _, likes, _ = world.metrics(account.index, end, slice(0, visible))
        hidden = world.posts(account.index).likes_hidden[:visible]
        for post in range(visible):
            if hidden[post] and likes[post] > 0:
                return account, post
    raise AssertionError("the test world has no Instagram post with hidden likes")


def test_hidden_likes_read_as_zero(api: InstagramApi, world: World) -> None:
    account, post = _hidden_likes_post(world)
    items, _ = all_media(api, account.handle, world.end_date, limit=MAX_MEDIA_LIMIT)
    by_id = {item["id"]: item for item in items}
    assert by_id[world.post_id(account.index, post)]["like_count"] == 0  # the world has likes
    shown = [i for i in items if i["like_count"] > 0]
    assert shown, "visible likes must still be shown"


def test_cursor_keeps_its_place_when_newer_media_arrive(
    api: InstagramApi, world: World, account: Account
) -> None:
    early, late = world.start_date + timedelta(days=5), world.end_date
    _, _, body = call(api, discovery(account.handle, "media.limit(10)"), early)
    first_page = body["business_discovery"]["media"]
    after = first_page["paging"]["cursors"]["after"]
    _, _, body = call(api, discovery(account.handle, f"media.limit(10).after({after})"), late)
    second_page = body["business_discovery"]["media"]["data"]
    last_id = int(first_page["data"][-1]["id"])
    # Newer posts published in between do not push items of page one onto page two.
    assert second_page and all(int(item["id"]) < last_id for item in second_page)
    assert not {i["id"] for i in second_page} & {i["id"] for i in first_page["data"]}


def _error(response: ApiResponse) -> dict[str, Any]:
    error = response.body["error"]
    assert isinstance(error["message"], str) and isinstance(error["type"], str)
    assert isinstance(error["fbtrace_id"], str) and error["fbtrace_id"]
    return error


def test_token_errors(api: InstagramApi, world: World, account: Account) -> None:
    missing = call(api, discovery(account.handle), world.end_date, token=None)
    assert missing.status == 400 and _error(missing)["code"] == 104
    wrong = call(api, discovery(account.handle), world.end_date, token="not-the-token")
    error = _error(wrong)
    assert wrong.status == 400 and error["code"] == 190 and error["type"] == "OAuthException"
    assert "X-App-Usage" not in wrong.headers  # a call Meta cannot tie to the app
    # The header form (the pipeline's: no token in any URL) is checked as the query form is.
    for token, code in ((DEFAULT_ACCESS_TOKEN, None), ("not-the-token", 190)):
        bearer = api.handle(
            "GET",
            API_PREFIX + BRAND_IG_USER_ID,
            {"fields": discovery(account.handle)},
            {"Authorization": f"Bearer {token}"},
            None,
            world.end_date,
        )
        assert bearer.body.get("error", {}).get("code") == code
        assert bearer.status == (200 if code is None else 400)


@pytest.mark.parametrize("username", ["nobody.at.all", "@{handle}", "{youtube}"])
def test_unknown_or_foreign_username_is_110_2207013(
    api: InstagramApi, world: World, account: Account, username: str
) -> None:
    youtube = world.accounts_on("youtube")[0].handle
    name = username.format(handle=account.handle, youtube=youtube)
    response = call(api, discovery(name), world.end_date)
    error = _error(response)
    assert response.status == 400
    assert (error["code"], error["error_subcode"], error["is_transient"]) == (110, 2207013, False)
    assert "X-Business-Use-Case-Usage" in response.headers  # the call still counted


@pytest.mark.parametrize(
    "fields",
    [
        "business_discovery.username({h}){{id,followers}}",  # no such field
        "business_discovery.username({h}){{media{{id,impressions}}}}",  # not on media
        "business_discovery.username({h}){{id,media{{id}}",  # unbalanced
        "business_discovery.username({h}){{,id}}",  # empty name
        "business_discovery{{id}}",  # no username
        "business_discovery.username({h}){{media.limit(x){{id}}}}",
        "business_discovery.username({h}){{media.after(garbage){{id}}}}",
        "insights",
    ],
)
def test_bad_fields_are_code_100(
    api: InstagramApi, world: World, account: Account, fields: str
) -> None:
    response = call(api, fields.format(h=account.handle), world.end_date)
    assert response.status == 400 and _error(response)["code"] == 100


def test_only_the_brand_user_may_be_asked(
    api: InstagramApi, world: World, account: Account
) -> None:
    other = call(api, discovery(account.handle), world.end_date, node=account.platform_id)
    error = _error(other)
    assert other.status == 400 and (error["code"], error["error_subcode"]) == (100, 33)
    alias = call(api, discovery(account.handle), world.end_date, node="somebrand")
    assert alias.status == 404 and _error(alias)["code"] == 803
    post = call(api, discovery(account.handle), world.end_date, method="POST")
    assert post.status == 400 and _error(post)["code"] == 100


def _usage(response: ApiResponse) -> tuple[dict[str, int], dict[str, Any]]:
    app = json.loads(response.headers["X-App-Usage"])
    buc = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert list(buc) == [BRAND_IG_USER_ID]
    return app, buc[BRAND_IG_USER_ID][0]


def test_usage_headers_grow_with_the_days_calls(world: World, account: Account) -> None:
    api = InstagramApi(world, app_calls_per_day=10, buc_calls_per_day=20)
    day = world.end_date
    seen = []
    for _ in range(10):
        response = call(api, discovery(account.handle, "media.limit(50)"), day)
        assert "Retry-After" not in response.headers
        app, buc = _usage(response)
        assert set(app) == {"call_count", "total_cputime", "total_time"}
        assert buc["type"] == "instagram"
        seen.append((app["call_count"], buc["call_count"], app["total_time"]))
    assert [s[0] for s in seen] == [10 * n for n in range(1, 11)]
    assert [s[1] for s in seen] == [5 * n for n in range(1, 11)]
    assert [s[2] for s in seen] == sorted(s[2] for s in seen) and seen[-1][2] > seen[0][2]
    app, buc = _usage(call(api, discovery(account.handle), day))
    assert app["call_count"] == 100 and buc["estimated_time_to_regain_access"] > 0
    fresh, _ = _usage(call(api, discovery(account.handle), day + timedelta(days=-1)))
    assert fresh["call_count"] == 10  # another simulated day, another budget
    assert api.usage()[day.isoformat()]["calls"] == 11


@pytest.mark.parametrize("code", sorted(THROTTLE_MESSAGES))
def test_rate_limit_response_in_the_platform_style(code: int) -> None:
    response = rate_limit_response(code, regain_minutes=3)
    error = _error(response)
    assert response.status == 400 and error["code"] == code and error["is_transient"] is True
    assert "Retry-After" not in response.headers
    app, buc = _usage(response)
    assert buc["estimated_time_to_regain_access"] == 3
    assert (app["call_count"] if code == 4 else buc["call_count"]) == 100


def test_api_rate_limit_response_carries_its_usage(world: World, account: Account) -> None:
    api = InstagramApi(world, app_calls_per_day=10)
    for _ in range(3):
        call(api, discovery(account.handle), world.end_date)
    app, _ = _usage(api.rate_limit_response(80002, world.end_date))
    assert app["call_count"] == 30


def test_ground_truth_matches_what_the_api_serves(
    api: InstagramApi, world: World, account: Account
) -> None:
    day = world.start_date + timedelta(days=20)
    truth = ground_truth(world, day)["accounts"]
    assert set(truth) == {a.handle for a in world.accounts_on("instagram")}
    mine = truth[account.handle]
    assert mine["followers_counts"] == world.followers(account.index)[:21].tolist()
    items, _ = all_media(api, account.handle, day, limit=MAX_MEDIA_LIMIT)
    served = {i["id"]: (i["like_count"], i["comments_count"], i["timestamp"]) for i in items}
    expected = {
        m["media_id"]: (m["like_count"], m["comments_count"], m["timestamp"]) for m in mine["media"]
    }
    assert served == expected
    assert [m["timestamp"] for m in mine["media"]] == sorted(m["timestamp"] for m in mine["media"])
    hidden_account, post = _hidden_likes_post(world)
    hidden = ground_truth(world, world.end_date)["accounts"][hidden_account.handle]["media"][post]
    assert hidden["likes_hidden"] is True and hidden["like_count"] == 0
