"""Listening in the sandbox: the brand's terms, the creators not on the roster, the listening
endpoints (YouTube search.list, Instagram hashtag search, TikTok video query) in their real
shapes and limits, and the ground truth a pipeline's mention counts and discovery candidates
will be measured against (sandbox/listening.py)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox import listening
from sandbox.crm import crm_export
from sandbox.ground_truth import build_ground_truth
from sandbox.instagram_api import API_PREFIX as INSTAGRAM_PREFIX
from sandbox.instagram_api import BRAND_IG_USER_ID, InstagramApi, hashtag_id
from sandbox.instagram_api import DEFAULT_ACCESS_TOKEN as INSTAGRAM_TOKEN
from sandbox.platform_api import ApiResponse
from sandbox.server import make_server, running
from sandbox.tiktok_api import API_PREFIX as TIKTOK_PREFIX
from sandbox.tiktok_api import TikTokApi
from sandbox.world import World
from sandbox.youtube_api import DEFAULT_API_KEY, YouTubeApi
from tests.sandbox.tiktok_calls import tiktok_token

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
KEY = {"X-Goog-Api-Key": DEFAULT_API_KEY}
ALL_TERMS_Q = "|".join(term for term, _ in listening.all_terms())


@pytest.fixture(scope="module")
def truth(world: World) -> dict[str, Any]:
    return listening.ground_truth(world, world.end_date)


def rows_by_key(truth: dict[str, Any], platform: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["date"], r["term"]): r for r in truth["mentions"][platform]["rows"]}


def world_days(world: World) -> list[date]:
    return world.dates()


def rfc3339(day: date, end: bool = False) -> str:
    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    if end:
        moment += timedelta(days=1, seconds=-1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the terms --------------------------------------------------------------------------------


def test_the_seed_holds_the_terms_the_world_uses() -> None:
    with open(SEEDS / "listening_terms.csv", newline="") as handle:
        rows = [(r["term"], r["term_kind"]) for r in csv.DictReader(handle)]
    assert rows == list(listening.LISTENING_TERMS)
    assert {kind for _, kind in rows} == set(listening.TERM_KINDS)
    with open(SEEDS / "competitors.csv", newline="") as handle:
        tokens = [
            (r["token"].lstrip("#@").lower(), r["competitor"]) for r in csv.DictReader(handle)
        ]
    assert dict(tokens) == dict(listening.competitor_terms())


def test_the_mention_rule_is_a_whole_word_with_an_optional_hash_or_at() -> None:
    assert listening.mentions("Loving Lumencoffee today", "lumencoffee")
    assert listening.mentions("with @lumencoffee.", "lumencoffee")
    assert listening.mentions("#LumenCoffee!", "lumencoffee")
    assert not listening.mentions("#lumencoffeefans", "lumencoffee")
    assert not listening.mentions("mylumencoffee", "lumencoffee")
    assert listening.mentioned_terms("#skincare and @globex, not #hikingdaily") == {
        "skincare",
        "globex",
    }


# ---- the crowd ------------------------------------------------------------------------------


def test_the_crowd_has_every_profile_on_every_platform(world: World) -> None:
    crowd = listening.crowd_of(world)
    assert len(crowd.accounts) == listening.MIN_CROWD
    kinds = {(a.platform, crowd.profiles[a.index].kind) for a in crowd.accounts}
    assert kinds == {
        (p, k) for p in ("youtube", "instagram", "tiktok") for k in listening.P_NICHE_TAG
    }
    roster = {(a.platform, a.handle) for a in world.accounts}
    assert not roster & {(a.platform, a.handle) for a in crowd.accounts}
    assert not {a.platform_id for a in world.accounts} & {a.platform_id for a in crowd.accounts}


def test_a_200_account_90_day_world_builds_its_listening_in_seconds() -> None:
    started = datetime.now(UTC)
    big = World(3, 200, 90)
    truth = listening.ground_truth(big, big.end_date)
    assert (datetime.now(UTC) - started).total_seconds() < 10
    crowd = listening.crowd_of(big)
    assert len(crowd.accounts) == 100
    assert len(truth["candidates"]) == len(crowd.accounts) - len(crowd.accounts_on("instagram"))


def test_candidates_have_good_fits_on_every_platform_with_authors(truth: dict[str, Any]) -> None:
    good = [c for c in truth["candidates"] if c["is_good_fit"]]
    assert {c["platform"] for c in good} == {"youtube", "tiktok"}
    assert all(c["mentions"] > 0 and c["reasons"] for c in truth["candidates"])
    assert all(c["engagement_vs_norm"] >= 1.2 for c in good)
    bought = [c for c in truth["candidates"] if c["profile"] == "bought_followers"]
    assert bought and all(c["engagement_vs_norm"] < 0.2 for c in bought)
    assert all("bought followers" in c["reasons"][0] for c in bought)
    assert truth["instagram_accounts"]  # served by business_discovery, never candidates


def test_listening_is_determined_by_the_seed(world: World, truth: dict[str, Any]) -> None:
    again = World(world.seed, world.size, world.days)
    assert listening.ground_truth(again, again.end_date) == truth
    other = World(world.seed + 1, world.size, world.days)
    assert listening.ground_truth(other, other.end_date) != truth


def test_listening_changes_nothing_else_of_the_world() -> None:
    """The crowd draws from streams of its own: a world that served listening first gives the
    same ground truth (every other section), roster texts and CRM export as one that never did."""
    fresh, used = World(7, 60, 40), World(7, 60, 40)
    api = YouTubeApi(used)
    search(api, used.end_date, q=ALL_TERMS_Q)
    listening.ground_truth(used, used.end_date)
    expected = build_ground_truth(fresh, fresh.end_date, 0.05)
    observed = build_ground_truth(used, used.end_date, 0.05)
    assert observed == expected
    for account in fresh.accounts:
        for post in range(len(fresh.posts(account.index).published_s)):
            assert used.post_text(account.index, post) == fresh.post_text(account.index, post)
    rows = {n: f.rows for n, f in crm_export(fresh, fresh.end_date, 0.05).items()}
    assert {n: f.rows for n, f in crm_export(used, used.end_date, 0.05).items()} == rows
    channel = fresh.accounts_on("youtube")[0].platform_id
    assert used.videos_of(channel, used.end_date) == fresh.videos_of(channel, fresh.end_date)


# ---- YouTube search.list --------------------------------------------------------------------


def search(api: YouTubeApi, day: date, **params: Any) -> ApiResponse:
    query = {"part": "snippet", "type": "video", **params}
    return api.handle("GET", "/youtube/v3/search", query, KEY, None, day)


def youtube_get(api: YouTubeApi, day: date, endpoint: str, **params: Any) -> ApiResponse:
    return api.handle("GET", f"/youtube/v3/{endpoint}", params, KEY, None, day)


def all_search_pages(api: YouTubeApi, day: date, **params: Any) -> list[dict[str, Any]]:
    items, token = [], None
    while True:
        answer = search(
            api, day, maxResults=50, **params, **({"pageToken": token} if token else {})
        )
        assert answer.status == 200, answer.body
        items += answer.body["items"]
        token = answer.body.get("nextPageToken")
        if token is None:
            return items


def test_search_answers_in_youtube_s_shape(world: World) -> None:
    answer = search(world_api := YouTubeApi(world), world.end_date, q="skincare", maxResults=3)
    body = answer.body
    assert answer.status == 200
    assert list(body) == ["kind", "etag", "nextPageToken", "regionCode", "pageInfo", "items"]
    assert body["kind"] == "youtube#searchListResponse"
    assert body["pageInfo"]["resultsPerPage"] == 3 and body["pageInfo"]["totalResults"] > 3
    item = body["items"][0]
    assert item["kind"] == "youtube#searchResult" and item["id"]["kind"] == "youtube#video"
    snippet = item["snippet"]
    assert set(snippet) == {
        "publishedAt", "channelId", "title", "description", "thumbnails", "channelTitle",
        "liveBroadcastContent", "publishTime",
    }  # fmt: skip
    assert snippet["publishTime"] == snippet["publishedAt"]
    assert snippet["publishedAt"].endswith("Z") and snippet["liveBroadcastContent"] == "none"
    assert set(snippet["thumbnails"]) == {"default", "medium", "high"}
    second = search(
        world_api, world.end_date, q="skincare", maxResults=3, pageToken=body["nextPageToken"]
    )
    assert "prevPageToken" in second.body
    nothing = search(world_api, world.end_date, q="nosuchwordanywhere")
    assert nothing.body["items"] == [] and "nextPageToken" not in nothing.body


def test_search_pages_list_every_match_once_newest_first(world: World) -> None:
    api = YouTubeApi(world)
    day = world.end_date
    found = all_search_pages(api, day, q="skincare", order="date")
    ids = [i["id"]["videoId"] for i in found]
    assert (
        len(ids) == len(set(ids)) == search(api, day, q="skincare").body["pageInfo"]["totalResults"]
    )
    published = [i["snippet"]["publishedAt"] for i in found]
    assert published == sorted(published, reverse=True)
    bad = search(api, day, q="skincare", pageToken="bm90IGEgdG9rZW46MA")
    assert bad.status == 400 and bad.body["error"]["errors"][0]["reason"] == "invalidPageToken"


def test_search_finds_substrings_that_the_mention_rule_does_not_count(world: World) -> None:
    """A near miss ("#lumencoffeefans") is served for q=lumencoffee; the pipeline counts whole
    words only. Descriptions in snippets may be cut: the full text is videos.list's."""
    big = World(5, 120, 60)
    api = YouTubeApi(big)
    crowd = listening.crowd_of(big)
    misses = [
        (a.index, p)
        for a in crowd.accounts_on("youtube")
        for p in range(len(crowd.posts(a.index).published_s))
        if any(f"#{t}{s}" in crowd.post_text(a.index, p).description
               for t in listening.BRAND_TERMS for s in listening.NEAR_MISS_SUFFIXES)
        and crowd.posts(a.index).published_s[p] >= 0
    ]  # fmt: skip
    assert misses
    account_index, post = misses[0]
    text = crowd.post_text(account_index, post).description
    term = next(t for t in listening.BRAND_TERMS if f"#{t}" in text)
    video_id = crowd.video_id(account_index, post)
    served = {i["id"]["videoId"] for i in all_search_pages(api, big.end_date, q=term)}
    assert video_id in served


def test_search_has_its_own_bucket_of_100_calls_a_day(world: World) -> None:
    api = YouTubeApi(world)
    day = world.end_date
    for _ in range(100):
        assert search(api, day, q="hiking").status == 200
    refused = search(api, day, q="hiking")
    assert refused.status == 403
    error = refused.body["error"]["errors"][0]
    assert (error["reason"], error["domain"]) == ("quotaExceeded", "youtube.quota")
    channel = world.accounts_on("youtube")[0].platform_id
    assert youtube_get(api, day, "channels", part="id", id=channel).status == 200
    assert search(api, day - timedelta(days=1), q="hiking").status == 200  # a new day
    usage = api.usage()[day.isoformat()]
    assert usage["search_calls"] == 100 and usage["units"] == 1


def test_search_rejects_what_youtube_rejects(world: World) -> None:
    api = YouTubeApi(world)
    day = world.end_date
    assert search(api, day, q="x", maxResults=51).status == 400
    filtered = search(api, day, q="x", type="channel", videoDuration="short")
    assert filtered.body["error"]["errors"][0]["reason"] == "invalidSearchFilter"
    assert search(api, day, q="x", publishedAfter="yesterday").status == 400
    assert api.handle("GET", "/youtube/v3/search", {"q": "x"}, {}, None, day).status == 403


def test_youtube_mentions_equal_counting_the_served_results(
    world: World, truth: dict[str, Any]
) -> None:
    """One search a day for every term (q=a|b|...), the full texts from videos.list, counted
    by the SPEC's rule: exactly the ground truth's rows, authors and roster authors."""
    api = YouTubeApi(world)
    day = world.end_date
    roster_channels = {a.platform_id for a in world.accounts_on("youtube")}
    counted: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for listed_day in world_days(world):
        found = all_search_pages(
            api, day, q=ALL_TERMS_Q,
            publishedAfter=rfc3339(listed_day), publishedBefore=rfc3339(listed_day, end=True),
        )  # fmt: skip
        ids = [i["id"]["videoId"] for i in found]
        for start in range(0, len(ids), 50):
            batch = ",".join(ids[start : start + 50])
            videos = youtube_get(api, day, "videos", part="snippet", id=batch).body["items"]
            for video in videos:
                snippet = video["snippet"]
                text = f"{snippet['title']}\n{snippet['description']}"
                for term in listening.mentioned_terms(text):
                    counted[(snippet["publishedAt"][:10], term)].add(
                        (video["id"], snippet["channelId"])
                    )
    expected = rows_by_key(truth, "youtube")
    assert set(counted) == set(expected)
    for key, posts in counted.items():
        row = expected[key]
        channels = {channel for _, channel in posts}
        assert row["mentions"] == len(posts)
        assert row["authors"] == len(channels)
        assert row["roster_authors"] == len(channels & roster_channels)
    assert any(r["roster_authors"] for r in expected.values())
    assert any(r["authors"] > r["roster_authors"] for r in expected.values())


def test_channels_and_videos_list_answer_for_non_roster_channels(world: World) -> None:
    api = YouTubeApi(world)
    day = world.end_date
    crowd = listening.crowd_of(world)
    channels = [a.platform_id for a in crowd.accounts_on("youtube")]
    answer = youtube_get(api, day, "channels", part="snippet,statistics", id=",".join(channels))
    assert [i["id"] for i in answer.body["items"]] == channels
    for item, account in zip(answer.body["items"], crowd.accounts_on("youtube"), strict=True):
        followers = int(crowd.followers(account.index)[-1])
        assert int(item["statistics"]["subscriberCount"]) <= followers
        assert item["snippet"]["customUrl"] == "@" + account.handle
    handle = crowd.accounts_on("youtube")[0].handle
    by_handle = youtube_get(api, day, "channels", part="id", forHandle="@" + handle)
    assert by_handle.body["items"][0]["id"] == channels[0]
    uploads = youtube_get(
        api, day, "playlistItems", part="contentDetails", playlistId="UU" + channels[0][2:],
        maxResults=50,
    ).body  # fmt: skip
    newest = [i["contentDetails"]["videoId"] for i in uploads["items"]]
    assert newest[0] == crowd.videos_of(channels[0], day)[0]
    videos = youtube_get(api, day, "videos", part="statistics", id=",".join(newest)).body
    assert [v["id"] for v in videos["items"]] == newest


def test_faults_reach_the_listening_routes(world: World) -> None:
    """Over HTTP, with every request rate-limited in its platform's own style."""
    tag_id = hashtag_id("hiking")
    with running(make_server(world, port=0, faults="rate=1")) as served:
        youtube = requests.get(
            f"{served.base_url}/youtube/v3/search",
            params={"part": "snippet", "type": "video", "q": "hiking"},
            headers=KEY,
            timeout=10,
        )
        instagram = requests.get(
            f"{served.base_url}{INSTAGRAM_PREFIX}{tag_id}/recent_media",
            params={"user_id": BRAND_IG_USER_ID, "fields": "id"},
            headers=IG_HEADERS,
            timeout=10,
        )
        tiktok = requests.post(
            f"{served.base_url}{TIKTOK_PREFIX}v2/research/video/query/",
            params={"fields": "id"},
            json={
                "query": term_query(["hiking"]),
                "start_date": "20260101",
                "end_date": "20260110",
            },
            timeout=10,
        )
    assert youtube.status_code == 403
    assert json.loads(youtube.text)["error"]["errors"][0]["domain"] == "usageLimits"
    assert instagram.status_code == 400 and instagram.json()["error"]["is_transient"] is True
    assert tiktok.status_code == 429
    assert tiktok.json()["error"]["code"] == "rate_limit_exceeded"


# ---- TikTok Research video query ------------------------------------------------------------

TIKTOK_VIDEO_FIELDS = "id,create_time,username,region_code,video_description,hashtag_names"


def research(
    api: TikTokApi, day: date, token: str, endpoint: str, fields: str, payload: dict[str, Any]
) -> ApiResponse:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"{TIKTOK_PREFIX}v2/research/{endpoint}/"
    body = json.dumps(payload).encode()
    return api.handle("POST", path, {"fields": fields}, headers, body, day)


def term_query(terms: list[str], field_name: str = "keyword") -> dict[str, Any]:
    return {"or": [{"operation": "IN", "field_name": field_name, "field_values": terms}]}


def all_video_pages(
    api: TikTokApi, day: date, query: dict[str, Any], start: date, end: date
) -> list[dict[str, Any]]:
    token, videos = tiktok_token(api, day), []
    payload: dict[str, Any] = {
        "query": query,
        "start_date": start.strftime("%Y%m%d"),
        "end_date": end.strftime("%Y%m%d"),
        "max_count": 100,
    }
    while True:
        answer = research(api, day, token, "video/query", TIKTOK_VIDEO_FIELDS, payload)
        assert answer.status == 200 and answer.body["error"]["code"] == "ok", answer.body
        data = answer.body["data"]
        videos += data["videos"]
        if not data["has_more"]:
            return videos
        payload = {**payload, "cursor": data["cursor"], "search_id": data["search_id"]}


def test_video_query_finds_terms_by_keyword_and_hashtag(world: World) -> None:
    api = TikTokApi(world)
    day = world.end_date
    start = day - timedelta(days=29)
    by_keyword = all_video_pages(api, day, term_query(["skincare"]), start, day)
    by_hashtag = all_video_pages(api, day, term_query(["skincare"], "hashtag_name"), start, day)
    assert by_keyword and by_hashtag
    assert {v["id"] for v in by_hashtag} <= {v["id"] for v in by_keyword}
    assert all("skincare" in v["hashtag_names"] for v in by_hashtag)
    assert all("skincare" in v["video_description"].lower() for v in by_keyword)
    assert all(isinstance(v["id"], int) and v["id"] > 2**53 for v in by_keyword)
    crowd = {a.handle for a in listening.crowd_of(world).accounts_on("tiktok")}
    assert {v["username"] for v in by_keyword} & crowd
    assert {v["username"] for v in by_keyword} - crowd  # roster authors too
    both = {
        "and": [{"operation": "EQ", "field_name": "keyword", "field_values": ["skincare"]}],
        "not": [{"operation": "EQ", "field_name": "hashtag_name", "field_values": ["#SKINCARE"]}],
    }
    assert {v["id"] for v in all_video_pages(api, day, both, start, day)} == {
        v["id"] for v in by_keyword
    } - {v["id"] for v in by_hashtag}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"and": [], "or": []},
        {"or": [{"operation": "EQ", "field_name": "caption", "field_values": ["x"]}]},
        {"or": [{"operation": "GT", "field_name": "keyword", "field_values": ["x"]}]},
        {"or": [{"operation": "EQ", "field_name": "keyword", "field_values": ["x", "y"]}]},
        {"either": [{"operation": "EQ", "field_name": "keyword", "field_values": ["x"]}]},
    ],
)
def test_video_query_rejects_invalid_queries(world: World, query: dict[str, Any]) -> None:
    api = TikTokApi(world)
    day = world.end_date
    payload = {"query": query, "start_date": "20260101", "end_date": "20260110"}
    answer = research(api, day, tiktok_token(api, day), "video/query", "id", payload)
    assert answer.status == 400 and answer.body["error"]["code"] == "invalid_params"


def test_video_queries_spend_the_daily_research_requests(world: World) -> None:
    api = TikTokApi(world, daily_request_quota=3)
    day = world.end_date
    token = tiktok_token(api, day)
    payload = {"query": term_query(["hiking"]), "start_date": "20260101", "end_date": "20260130"}
    for _ in range(3):
        assert research(api, day, token, "video/query", "id", payload).status == 200
    refused = research(api, day, token, "video/query", "id", payload)
    assert refused.status == 429
    assert refused.body["error"]["code"] == "daily_quota_limit_exceeded"
    assert api.usage()[day.isoformat()]["calls_video_query"] == 3


def test_tiktok_mentions_equal_counting_the_served_results(
    world: World, truth: dict[str, Any]
) -> None:
    """Keyword queries for every term in 30-day windows, counted by the SPEC's rule."""
    api = TikTokApi(world)
    day = world.end_date
    terms = [term for term, _ in listening.all_terms()]
    roster = {a.handle for a in world.accounts_on("tiktok")}
    counted: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    start = world.start_date
    while start <= day:
        end = min(start + timedelta(days=29), day)
        for video in all_video_pages(api, day, term_query(terms), start, end):
            published = datetime.fromtimestamp(video["create_time"], UTC).date().isoformat()
            for term in listening.mentioned_terms(video["video_description"]):
                counted[(published, term)].add((video["id"], video["username"]))
        start = end + timedelta(days=1)
    expected = rows_by_key(truth, "tiktok")
    assert set(counted) == set(expected)
    for key, posts in counted.items():
        authors = {username for _, username in posts}
        row = expected[key]
        assert (row["mentions"], row["authors"], row["roster_authors"]) == (
            len(posts),
            len(authors),
            len(authors & roster),
        )


def test_user_info_answers_for_non_roster_authors(world: World) -> None:
    api = TikTokApi(world)
    day = world.end_date
    token = tiktok_token(api, day)
    crowd = listening.crowd_of(world)
    for account in crowd.accounts_on("tiktok"):
        answer = research(
            api, day, token, "user/info", "follower_count,video_count", {"username": account.handle}
        )
        assert answer.status == 200, answer.body
        data = answer.body["data"]
        assert data["follower_count"] == int(crowd.followers(account.index)[-1])
        assert data["video_count"] == crowd.visible_count(account.index, world.days - 1)


# ---- Instagram hashtag search ---------------------------------------------------------------

IG_HEADERS = {"Authorization": f"Bearer {INSTAGRAM_TOKEN}"}
HASHTAG_FIELDS = "id,caption,comments_count,like_count,media_type,media_url,permalink,timestamp"


def graph(api: InstagramApi, day: date, path: str, **params: Any) -> ApiResponse:
    return api.handle("GET", f"{INSTAGRAM_PREFIX}{path}", params, IG_HEADERS, None, day)


def hashtag_search(api: InstagramApi, day: date, name: str) -> ApiResponse:
    return graph(api, day, "ig_hashtag_search", user_id=BRAND_IG_USER_ID, q=name)


def all_hashtag_pages(
    api: InstagramApi, day: date, tag_id: str, edge: str = "recent_media", limit: int = 50
) -> list[dict[str, Any]]:
    """Every page, following `paging.next` until it is absent (the `after` cursor repeats)."""
    params: dict[str, str] = {
        "user_id": BRAND_IG_USER_ID,
        "fields": HASHTAG_FIELDS,
        "limit": str(limit),
    }
    media, cursors = [], []
    while True:
        answer = graph(api, day, f"{tag_id}/{edge}", **params)
        assert answer.status == 200, answer.body
        media += answer.body["data"]
        paging = answer.body.get("paging")
        if not paging or "next" not in paging:
            assert len(set(cursors)) <= 1
            return media
        cursors.append(paging["cursors"]["after"])
        params = {k: v[-1] for k, v in parse_qs(urlsplit(paging["next"]).query).items()}


def busiest_hashtag_day(truth: dict[str, Any]) -> dict[str, Any]:
    return max(truth["mentions"]["instagram"]["rows"], key=lambda r: r["mentions"])


def test_hashtag_search_answers_in_graph_s_shape(world: World, truth: dict[str, Any]) -> None:
    api = InstagramApi(world)
    row = busiest_hashtag_day(truth)
    day = date.fromisoformat(row["date"])
    found = hashtag_search(api, day, row["term"])
    assert found.status == 200 and list(found.body) == ["data"]
    tag_id = found.body["data"][0]["id"]
    assert (
        tag_id.isdigit() and tag_id == hashtag_search(api, day, row["term"]).body["data"][0]["id"]
    )
    assert graph(api, day, tag_id, fields="id,name").body == {"id": tag_id, "name": row["term"]}
    assert row["mentions"] > 1  # so limit=1 pages
    media = all_hashtag_pages(api, day, tag_id, limit=1)
    assert {f"instagram:{m['id']}" for m in media} == set(row["post_ids"])
    for medium in media:
        assert "username" not in medium and "owner" not in medium
        assert set(medium) <= set(HASHTAG_FIELDS.split(",")) | {"children"}
        assert medium["timestamp"].endswith("+0000")
        assert medium["media_type"] in ("IMAGE", "VIDEO", "CAROUSEL_ALBUM")
        assert f"#{row['term']}" in medium["caption"].lower()
    refused = graph(api, day, f"{tag_id}/recent_media", user_id=BRAND_IG_USER_ID, fields="username")
    assert refused.status == 400 and refused.body["error"]["code"] == 100
    no_user = graph(api, day, f"{tag_id}/recent_media", fields="id")
    assert no_user.status == 400
    top = all_hashtag_pages(api, day, tag_id, edge="top_media")
    assert 0 < len(top) <= 50


def test_thirty_unique_hashtags_a_week(world: World) -> None:
    api = InstagramApi(world)
    day = world.start_date + timedelta(days=10)
    names = [f"tag{i}" for i in range(31)]
    for name in names[:30]:
        assert hashtag_search(api, day, name).status == 200
    assert hashtag_search(api, day, names[0]).status == 200  # counted already: free
    refused = hashtag_search(api, day, names[30])
    error = refused.body["error"]
    assert refused.status == 400 and error["type"] == "OAuthException"
    assert error["code"] == 24 and "30 unique hashtags" in error["message"]
    listed = graph(api, day, f"{BRAND_IG_USER_ID}/recently_searched_hashtags", limit="30")
    assert len(listed.body["data"]) == 30
    # A cached id does not dodge the budget: media of a new hashtag count as a query.
    cached = hashtag_id("skincare")
    media = graph(api, day, f"{cached}/recent_media", user_id=BRAND_IG_USER_ID, fields="id")
    assert media.status == 400 and media.body["error"]["code"] == 24
    assert hashtag_search(api, day + timedelta(days=6), names[30]).status == 400
    assert hashtag_search(api, day + timedelta(days=7), names[30]).status == 200  # 7 days on


def test_instagram_mentions_equal_counting_the_served_results(
    world: World, truth: dict[str, Any]
) -> None:
    """Each term's hashtag id once, then its recent_media at the end of every day, counted by
    the SPEC's rule: exactly the ground truth's rows (no authors on Instagram)."""
    api = InstagramApi(world)
    terms = [term for term, _ in listening.all_terms()]
    assert len(terms) <= 30
    ids = {t: hashtag_search(api, world.start_date, t).body["data"][0]["id"] for t in terms}
    counted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for day in world_days(world):
        for term, tag_id in ids.items():
            for medium in all_hashtag_pages(api, day, tag_id):
                if listening.mentions(medium["caption"], term):
                    counted[(medium["timestamp"][:10], term)].add(medium["id"])
    expected = rows_by_key(truth, "instagram")
    assert set(counted) == set(expected)
    for key, media in counted.items():
        assert expected[key]["mentions"] == len(media)
        assert expected[key]["authors"] is None and expected[key]["roster_authors"] is None


def test_business_discovery_answers_for_non_roster_accounts(world: World) -> None:
    api = InstagramApi(world)
    day = world.end_date
    crowd = listening.crowd_of(world)
    for account in crowd.accounts_on("instagram"):
        fields = f"business_discovery.username({account.handle}){{followers_count,media_count}}"
        answer = graph(api, day, BRAND_IG_USER_ID, fields=fields)
        assert answer.status == 200, answer.body
        found = answer.body["business_discovery"]
        assert found["id"] == account.platform_id
        assert found["followers_count"] == int(crowd.followers(account.index)[-1])
