"""Comments under the world's posts: YouTube commentThreads.list, TikTok video/comment/list, and
the ground truth the pipeline's sentiment marts will be measured against."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import requests
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sandbox import comments, vocab
from sandbox.crm import crm_export
from sandbox.ground_truth import build_ground_truth
from sandbox.injections import injected_cases
from sandbox.instagram_api import API_PREFIX as INSTAGRAM_PREFIX
from sandbox.instagram_api import DEFAULT_ACCESS_TOKEN as INSTAGRAM_TOKEN
from sandbox.instagram_api import InstagramApi
from sandbox.platform_api import ApiResponse
from sandbox.server import make_server, running
from sandbox.tiktok_api import (
    API_PREFIX as TIKTOK_PREFIX,
)
from sandbox.tiktok_api import (
    DEFAULT_CLIENT_KEY,
    DEFAULT_CLIENT_SECRET,
    TikTokApi,
)
from sandbox.world import DAY_S, World
from sandbox.youtube_api import DEFAULT_API_KEY, YouTubeApi
from tests.sandbox.tiktok_calls import tiktok_token

KEY = {"X-Goog-Api-Key": DEFAULT_API_KEY}
COMMENT_FIELDS = "id,video_id,text,like_count,reply_count,parent_comment_id,create_time"


@pytest.fixture(scope="module")
def truth(world: World) -> dict[str, Any]:
    return comments.ground_truth(world, world.end_date)


def busiest(truth: dict[str, Any], platform: str) -> tuple[str, dict[str, Any]]:
    """(native post id, its ground truth) of the post with the most listed comments."""
    post_id, post = max(truth[platform]["posts"].items(), key=lambda kv: kv[1]["listed"])
    return post_id.split(":", 1)[1], post


def comment_threads(api: YouTubeApi, day: date, **params: Any) -> ApiResponse:
    query = {"part": "snippet", "order": "time", "textFormat": "plainText", **params}
    return api.handle("GET", "/youtube/v3/commentThreads", query, KEY, None, day)


def comment_list(api: TikTokApi, day: date, token: str, payload: dict[str, Any]) -> ApiResponse:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"{TIKTOK_PREFIX}v2/research/video/comment/list/"
    return api.handle(
        "POST", path, {"fields": COMMENT_FIELDS}, headers, json.dumps(payload).encode(), day
    )


def all_youtube_pages(api: YouTubeApi, day: date, video_id: str, per_page: int) -> list[dict]:
    items, token = [], None
    while True:
        params = {"videoId": video_id, "maxResults": per_page}
        answer = comment_threads(api, day, **params, **({"pageToken": token} if token else {}))
        assert answer.status == 200, answer.body
        assert answer.body["pageInfo"]["totalResults"] == len(answer.body["items"])
        items += answer.body["items"]
        token = answer.body.get("nextPageToken")
        if token is None:
            return items


def all_tiktok_pages(api: TikTokApi, day: date, video_id: int, per_page: int) -> list[dict]:
    token, found, cursor = tiktok_token(api, day), [], 0
    while True:
        payload = {"video_id": video_id, "max_count": per_page, "cursor": cursor}
        answer = comment_list(api, day, token, payload)
        assert answer.status == 200 and answer.body["error"]["code"] == "ok", answer.body
        data = answer.body["data"]
        found += data["comments"]
        cursor = data["cursor"]
        if not data["has_more"]:
            return found


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


# ---- YouTube commentThreads.list --------------------------------------------------------------


def test_youtube_pages_list_every_comment_once_newest_first(
    world: World, truth: dict[str, Any]
) -> None:
    video_id, post = busiest(truth, "youtube")
    assert post["listed"] > 40  # several pages
    items = all_youtube_pages(YouTubeApi(world), world.end_date, video_id, per_page=17)
    assert [i["id"] for i in items] == [c["id"] for c in post["comments"]]
    snippets = [i["snippet"]["topLevelComment"]["snippet"] for i in items]
    published = [s["publishedAt"] for s in snippets]
    assert published == sorted(published, reverse=True)
    video_published = post["published_at"]
    assert all(video_published < p <= end_of(world.end_date).isoformat() for p in published)
    first = items[0]
    assert first["kind"] == "youtube#commentThread" and first["snippet"]["videoId"] == video_id
    # Numbers, not the strings of video statistics.
    assert all(type(s["likeCount"]) is int for s in snippets)
    assert all(type(i["snippet"]["totalReplyCount"]) is int for i in items)
    assert sum(i["snippet"]["totalReplyCount"] for i in items) == post["replies"]
    assert all(s["authorDisplayName"].startswith("@") for s in snippets)


def test_youtube_counts_add_up_to_the_reported_comment_count(
    world: World, truth: dict[str, Any]
) -> None:
    api = YouTubeApi(world)
    ids = [pid.split(":", 1)[1] for pid in list(truth["youtube"]["posts"])[:50]]
    query = {"part": "statistics", "id": ",".join(ids)}
    videos = api.handle("GET", "/youtube/v3/videos", query, KEY, None, world.end_date).body
    for video in videos["items"]:
        post = truth["youtube"]["posts"][f"youtube:{video['id']}"]
        reported = video["statistics"].get("commentCount")
        assert post["comment_count"] == (None if reported is None else int(reported))
        if reported is not None:
            assert post["listed"] + post["replies"] + post["withheld"] == int(reported)
            assert post["listed"] >= 0.7 * int(reported) - 2  # the gap stays small


def test_html_text_format_escapes_the_display_text(world: World, truth: dict[str, Any]) -> None:
    video_id, _ = busiest(truth, "youtube")
    answer = comment_threads(YouTubeApi(world), world.end_date, videoId=video_id, maxResults=100)
    html = comment_threads(
        YouTubeApi(world), world.end_date, videoId=video_id, maxResults=100, textFormat="html"
    )
    pairs = [
        (p["snippet"]["topLevelComment"]["snippet"], h["snippet"]["topLevelComment"]["snippet"])
        for p, h in zip(answer.body["items"], html.body["items"], strict=True)
    ]
    quoted = [(p, h) for p, h in pairs if "'" in p["textOriginal"]]
    assert quoted, "no comment with an apostrophe to check"
    assert all(h["textDisplay"] == p["textOriginal"].replace("'", "&#39;") for p, h in quoted)
    assert all(h["textOriginal"] == p["textOriginal"] for p, h in quoted)


def test_disabled_and_unknown_videos_answer_googles_errors_and_cost_a_unit(
    world: World, truth: dict[str, Any]
) -> None:
    disabled = [pid for pid, p in truth["youtube"]["posts"].items() if p["comments_disabled"]]
    assert disabled
    api = YouTubeApi(world)
    answer = comment_threads(api, world.end_date, videoId=disabled[0].split(":", 1)[1])
    assert answer.status == 403
    error = answer.body["error"]["errors"][0]
    assert (error["reason"], error["domain"]) == ("commentsDisabled", "youtube.commentThread")
    assert "has disabled comments" in answer.body["error"]["message"]
    missing = comment_threads(api, world.end_date, videoId="AAAAAAAAAAA")
    assert missing.status == 404
    assert missing.body["error"]["errors"][0]["reason"] == "videoNotFound"
    usage = api.usage()[world.end_date.isoformat()]
    assert usage["units"] == 2 and usage["calls_commentThreads"] == 2


def test_comment_threads_spend_the_daily_units_budget(world: World, truth: dict[str, Any]) -> None:
    video_id, _ = busiest(truth, "youtube")
    api = YouTubeApi(world, daily_quota=3)
    statuses = [comment_threads(api, world.end_date, videoId=video_id).status for _ in range(4)]
    assert statuses == [200, 200, 200, 403]
    exhausted = comment_threads(api, world.end_date, videoId=video_id)
    assert exhausted.body["error"]["errors"][0]["reason"] == "quotaExceeded"


def test_a_page_token_keeps_the_listing_of_its_first_page(
    world: World, truth: dict[str, Any]
) -> None:
    """Comments arriving between two pages do not shift the second page."""
    video_id, _ = busiest(truth, "youtube")
    api = YouTubeApi(world)
    decoded = world.decode_video_id(video_id)
    assert decoded is not None
    early = world.start_date + timedelta(days=world.day_index(world.end_date) // 2)
    while comments.post_comments(world, *decoded, world.day_index(early)).listed < 3:
        early += timedelta(days=1)
    first = comment_threads(api, early, videoId=video_id, maxResults=2).body
    later = comment_threads(
        api, world.end_date, videoId=video_id, maxResults=100, pageToken=first["nextPageToken"]
    ).body
    as_of_early = comments.post_comments(world, *decoded, world.day_index(early))
    listed = [i["id"] for i in first["items"] + later["items"]]
    assert listed == list(as_of_early.ids)[: 2 + 100]


# ---- TikTok video/comment/list ----------------------------------------------------------------


def test_tiktok_pages_list_every_comment_once(world: World, truth: dict[str, Any]) -> None:
    video_id, post = busiest(truth, "tiktok")
    assert post["listed"] > 100
    found = all_tiktok_pages(TikTokApi(world), world.end_date, int(video_id), per_page=100)
    assert [str(c["id"]) for c in found] == [c["id"] for c in post["comments"]]
    assert all(type(c["id"]) is int and c["id"] > 2**53 for c in found)  # int64 numbers
    assert all(c["video_id"] == c["parent_comment_id"] == int(video_id) for c in found)
    created = [c["create_time"] for c in found]
    assert created == sorted(created, reverse=True)
    video_time = datetime.fromisoformat(post["published_at"]).timestamp()
    assert all(video_time < t <= end_of(world.end_date).timestamp() for t in created)
    assert sum(c["reply_count"] for c in found) == post["replies"]


def test_tiktok_comment_calls_spend_research_requests(world: World, truth: dict[str, Any]) -> None:
    video_id, _ = busiest(truth, "tiktok")
    api = TikTokApi(world, daily_request_quota=2)
    token = tiktok_token(api, world.end_date)
    payload = {"video_id": int(video_id), "max_count": 100}
    answers = [comment_list(api, world.end_date, token, payload) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[2].body["error"]["code"] == "daily_quota_limit_exceeded"
    usage = api.usage()[world.end_date.isoformat()]
    assert usage["requests"] == 2 and usage["calls_comment_list"] == 2
    assert usage["records"] == 200


def test_tiktok_rejects_bad_comment_requests(world: World, truth: dict[str, Any]) -> None:
    video_id, _ = busiest(truth, "tiktok")
    api = TikTokApi(world)
    token = tiktok_token(api, world.end_date)
    for payload in (
        {"video_id": int(video_id), "max_count": 101},
        {"video_id": str(video_id)},  # an int64, not a string
        {"video_id": int(video_id) + 1},  # no such video
    ):
        answer = comment_list(api, world.end_date, token, payload)
        assert answer.status == 400 and answer.body["error"]["code"] == "invalid_params", payload


def test_instagram_serves_no_comments_of_other_accounts(world: World) -> None:
    account = world.accounts_on("instagram")[0]
    media_id = world.post_id(account.index, 0)
    answer = InstagramApi(world).handle(
        "GET",
        f"{INSTAGRAM_PREFIX}{media_id}/comments",
        {"access_token": INSTAGRAM_TOKEN},
        {},
        None,
        world.end_date,
    )
    assert answer.status != 200 and answer.body["error"]["code"] == 100


@pytest.mark.parametrize("faults", ["rate=1", "dup=1"])
def test_faults_reach_the_comment_routes(world: World, truth: dict[str, Any], faults: str) -> None:
    youtube_video, _ = busiest(truth, "youtube")
    with running(make_server(world, port=0, faults=faults)) as server:
        url = f"{server.base_url}/youtube/v3/commentThreads"
        params = {"part": "snippet", "videoId": youtube_video, "maxResults": 5}
        first = requests.get(url, params=params, headers=KEY, timeout=5)
        if faults == "rate=1":
            assert first.status_code == 403
            assert first.json()["error"]["errors"][0]["reason"] in (
                "rateLimitExceeded",
                "userRateLimitExceeded",
            )
            return
        page = {**params, "pageToken": first.json()["nextPageToken"]}
        second = requests.get(url, params=page, headers=KEY, timeout=5).json()
        assert second["items"][0]["id"] == first.json()["items"][-1]["id"]
        tiktok_pages = tiktok_over_http(server.base_url, int(busiest(truth, "tiktok")[0]))
        assert tiktok_pages[1][0]["id"] == tiktok_pages[0][-1]["id"]


def tiktok_over_http(base_url: str, video_id: int) -> list[list[dict[str, Any]]]:
    """The first two pages of a video's comments, 5 a page."""
    form = {
        "client_key": DEFAULT_CLIENT_KEY,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "grant_type": "client_credentials",
    }
    token = requests.post(f"{base_url}/tiktok/v2/oauth/token/", data=form, timeout=5).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    url = f"{base_url}/tiktok/v2/research/video/comment/list/"
    pages, cursor = [], 0
    for _ in range(2):
        body = {"video_id": video_id, "max_count": 5, "cursor": cursor}
        answer = requests.post(
            url, params={"fields": "id"}, json=body, headers=headers, timeout=5
        ).json()
        pages.append(answer["data"]["comments"])
        cursor = answer["data"]["cursor"]
    return pages


# ---- ground truth -----------------------------------------------------------------------------


def test_ground_truth_shares_and_languages(truth: dict[str, Any]) -> None:
    listed = [
        c for platform in comments.PLATFORMS for p in truth[platform]["posts"].values()
        for c in p["comments"]
    ]  # fmt: skip
    languages = {c["language"] for c in listed}
    assert languages == {"en", "es", "de", "fr", "pt", None}  # None: emoji only
    english = sum(c["language"] == "en" for c in listed) / len(listed)
    assert 0.65 < english < 0.85
    assert all(c["is_scorable"] == (c["language"] == "en") for c in listed)
    for platform in comments.PLATFORMS:
        for post in truth[platform]["posts"].values():
            scored = [c["polarity"] for c in post["comments"] if c["is_scorable"]]
            assert post["scorable"] == len(scored)
            if scored:
                assert post["positive_share"] == round(scored.count("positive") / len(scored), 6)
                assert post["negative_share"] == round(scored.count("negative") / len(scored), 6)
    assert truth["instagram"]["available"] is False


def test_a_listed_comment_stays_listed_on_later_days(world: World, truth: dict[str, Any]) -> None:
    video_id, _ = busiest(truth, "tiktok")
    found = world.decode_post_id("tiktok", video_id)
    assert found is not None
    last = world.day_index(world.end_date)
    before = comments.post_comments(world, *found, last - 5)
    after = comments.post_comments(world, *found, last)
    assert set(before.ids) <= set(after.ids) and before.comment_count <= after.comment_count


def test_comments_are_determined_by_the_seed(truth: dict[str, Any], world: World) -> None:
    again = World(world.seed, world.size, world.days)
    assert comments.ground_truth(again, again.end_date) == truth
    other = World(world.seed + 1, world.size, world.days)
    assert comments.ground_truth(other, other.end_date)["tiktok"] != truth["tiktok"]


def test_asking_for_comments_changes_nothing_else_of_the_world() -> None:
    """Comments draw from streams of their own: a world that served comments first gives the
    same ground truth (every other section) and CRM export as one that never did."""
    fresh, used = World(7, 60, 40), World(7, 60, 40)
    comments.ground_truth(used, used.end_date, window_days=used.days)
    expected = build_ground_truth(fresh, fresh.end_date, 0.05)
    observed = build_ground_truth(used, used.end_date, 0.05)
    expected.pop("comments"), observed.pop("comments")
    assert observed == expected
    rows = {n: f.rows for n, f in crm_export(fresh, fresh.end_date, 0.05).items()}
    assert {n: f.rows for n, f in crm_export(used, used.end_date, 0.05).items()} == rows


def test_comment_texts_carry_their_polarity_for_a_lexicon_model() -> None:
    """Every English sentence gets its ground-truth label from VADER (thresholds +-0.05), and
    every emoji-only comment holds nothing VADER can score."""
    analyzer = SentimentIntensityAnalyzer()
    for polarity, texts in vocab.COMMENT_TEXTS["en"].items():
        for text in texts:
            compound = analyzer.polarity_scores(text)["compound"]
            label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else None
            assert (label or "neutral") == polarity, (text, compound)
    for texts in vocab.EMOJI_ONLY_COMMENTS.values():
        assert all(analyzer.polarity_scores(text)["compound"] == 0.0 for text in texts)


# ---- the injected sentiment turn (negative_sentiment_shift) -----------------------------------

# The world tests/dbt/test_marts_against_sandbox.py measures the flag on.
TURN_SEED, TURN_ACCOUNTS, TURN_DAYS = 7, 200, 90
SHIFT_THRESHOLD = 0.3  # dbt var sentiment_shift_threshold
ENGLISH_TEXTS = {text for texts in vocab.COMMENT_TEXTS["en"].values() for text in texts}


@pytest.fixture(scope="module")
def turning_world() -> World:
    return World(TURN_SEED, TURN_ACCOUNTS, TURN_DAYS)


def served_comments(world: World, creator_id: str, since: date) -> list[tuple[date, date, str]]:
    """(post's day, comment's day, text) of every comment the APIs list, as of the world's
    last day, under the creator's YouTube and TikTok posts published since `since`."""
    creator = next(c for c in world.creators if c.creator_id == creator_id)
    youtube, tiktok = (
        YouTubeApi(world, daily_quota=10**6),
        TikTokApi(world, daily_request_quota=10**6),
    )
    since_s = (since - world.start_date).days * DAY_S
    found = []
    for index in creator.account_indexes:
        platform = world.account(index).platform
        posts = world.posts(index)
        visible = world.visible_count(index, world.days - 1)
        for post in range(int(np.searchsorted(posts.published_s, since_s)), visible):
            if posts.comments_hidden[post]:
                continue
            post_day = world.post_published_at(index, post).date()
            if platform == "youtube":
                video_id = world.video_id(index, post)
                items = all_youtube_pages(youtube, world.end_date, video_id, per_page=100)
                listed = [i["snippet"]["topLevelComment"]["snippet"] for i in items]
                found += [
                    (post_day, date.fromisoformat(s["publishedAt"][:10]), s["textOriginal"])
                    for s in listed
                ]
            elif platform == "tiktok":
                video_id = int(world.post_id(index, post))
                for c in all_tiktok_pages(tiktok, world.end_date, video_id, per_page=100):
                    written = datetime.fromtimestamp(c["create_time"], UTC).date()
                    found.append((post_day, written, c["text"]))
    return found


def month_net(
    served: list[tuple[date, date, str]], month: date, window_days: int
) -> tuple[int, float]:
    """(scored, net) of the English comments written in `month` while their post was younger
    than the pipeline's refresh window, labelled by VADER as the pipeline labels them."""
    analyzer = SentimentIntensityAnalyzer()
    labels = []
    for post_day, written, text in served:
        same_month = (written.year, written.month) == (month.year, month.month)
        if same_month and (written - post_day).days < window_days and text in ENGLISH_TEXTS:
            compound = analyzer.polarity_scores(text)["compound"]
            labels.append(1 if compound >= 0.05 else -1 if compound <= -0.05 else 0)
    return len(labels), sum(labels) / len(labels)


def test_injected_sentiment_turns_show_the_fall_in_the_served_comments(
    turning_world: World,
) -> None:
    """Each turn of the ground truth, measured on what the APIs serve (texts and times, labelled
    by VADER): the net falls by more than the flag's 0.3 into the turn's month, both months
    with at least the flag's 50 scored comments, as the ground truth's detail says."""
    world = turning_world
    turns = [
        c
        for c in injected_cases(world, world.end_date)
        if c["flag_type"] == "negative_sentiment_shift"
    ]
    assert len(turns) >= 2, "the world holds too few turns for the dbt test to measure"
    window = comments.DEFAULT_WINDOW_DAYS
    for case in turns:
        detail = case["detail"]
        previous, month = (
            date.fromisoformat(detail["previous_month"]),
            date.fromisoformat(case["day"]),
        )
        assert (month - timedelta(days=1)).replace(day=1) == previous and month.day == 1
        served = served_comments(world, case["creator_id"], previous - timedelta(days=window))
        scored_before, net_before = month_net(served, previous, window)
        scored_after, net_after = month_net(served, month, window)
        assert min(scored_before, scored_after) >= comments.SHIFT_MIN_SCORED, case
        assert net_before - net_after > 2 * SHIFT_THRESHOLD, case  # clearly, not by chance
        assert (scored_before, scored_after) == (
            detail["previous_comments_scored"],
            detail["comments_scored"],
        )
        assert (round(net_before, 4), round(net_after, 4)) == (
            detail["previous_net_sentiment"],
            detail["net_sentiment"],
        )


def test_a_turn_changes_only_the_turned_creators_polarities(
    turning_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same world without turns lists the same comments; only the polarity of comments
    under a turned creator's posts differs."""
    world = turning_world
    turned = {
        c.creator_id for c in world.creators if comments.sentiment_turn(world, c.index) is not None
    }
    assert turned
    with_turns = comments.ground_truth(world, world.end_date)
    monkeypatch.setattr(comments, "P_TURN", 0.0)
    plain = World(TURN_SEED, TURN_ACCOUNTS, TURN_DAYS)
    without = comments.ground_truth(plain, plain.end_date)
    changed = set()
    for platform in comments.PLATFORMS:
        assert with_turns[platform]["posts"].keys() == without[platform]["posts"].keys()
        for key, post in with_turns[platform]["posts"].items():
            other = without[platform]["posts"][key]
            strip = ("polarity",)
            assert [{k: v for k, v in c.items() if k not in strip} for c in post["comments"]] == [
                {k: v for k, v in c.items() if k not in strip} for c in other["comments"]
            ]
            if post["comments"] != other["comments"]:
                changed.add(post["creator_id"])
    assert changed and changed <= turned
