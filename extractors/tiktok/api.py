"""TikTok Research API: user info and video query for the roster's usernames; then, once a day,
the listening (extractors/listening.py): a video query per term (its hashtag or its keyword)
over the data interval, 100 videos a request, user/info for each author found who is not on
the roster and a video query by username for that author's videos of the last 30 days (counts
that have settled, for its engagement); then the comments of the roster's videos published
inside the refresh window (video/comment/list, 100 a request, newest first; extractors/
comments.py). Every request is one of the same daily quota: the metrics come first, so the
quota spent on comments never costs a user's videos, and the listening before the comments,
which would otherwise spend the whole quota on a large roster every day (a quota stop resumes
the comments first the next day).

Every body carries `error.code` ("ok" on success, even with HTTP 200). Video ids are int64 JSON
numbers above 2^53: Python's json keeps them exact and they land as numbers with their exact
digits. Video queries page with `cursor` + `search_id` while `has_more`, over windows of at most
30 days. The client token (the connection's client key and secret) is the shared client's auth
(extractors/auth.py ClientCredentialsToken).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from extractors.base import PENDING, Extraction, keep_unique
from extractors.classify import Answer, default_classify, retry_after_seconds
from extractors.comments import (
    NOT_FOUND,
    CommentPages,
    PostUnavailable,
    count_calls,
    land_comments,
)
from extractors.errors import (
    AuthError,
    ExtractError,
    PagingError,
    PermanentError,
    QuotaExhausted,
    RetryableError,
)
from extractors.listening import Term, candidate_since, listen, stop
from extractors.paging import PageGuard, PageRequest, Paginator, paginate
from extractors.tiktok.schema import (
    CANDIDATE_VIDEOS,
    COMMENTS,
    DISCOVERED_USERS,
    QUERY_VIDEOS,
    VIDEOS,
)

if TYPE_CHECKING:
    from extractors.http import ApiClient, ApiResponse
    from extractors.runner import ExtractContext

log = logging.getLogger(__name__)

TOKEN_PATH = "v2/oauth/token/"
USER_INFO = "v2/research/user/info/"
VIDEO_QUERY = "v2/research/video/query/"
COMMENT_LIST = "v2/research/video/comment/list/"
MAX_COUNT = 100
MAX_WINDOW_DAYS = 30
FIRST_RUN_DAYS = 180  # how far back a username without a bookmark is searched
USER_FIELDS = (
    "display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
    "likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,video_description,create_time,region_code,share_count,view_count,like_count,"
    "comment_count,hashtag_names,username"
)
COMMENT_FIELDS = "id,video_id,text,like_count,reply_count,parent_comment_id,create_time"


def classify(response: Answer) -> ExtractError | None:
    try:
        body = response.json()
    except ValueError:
        return default_classify(response) if response.status_code >= 400 else None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else error  # oauth errors: a string
    if response.status_code < 400 and code in (None, "ok"):
        return None
    code = str(code or "")
    if "quota" in code:  # daily_quota_limit_exceeded
        return QuotaExhausted(f"TikTok daily request quota exhausted ({code})")
    if response.status_code == 429 or code == "rate_limit_exceeded":
        return RetryableError("TikTok rate limit (429)", retry_after_seconds(response))
    if response.status_code in (401, 403) or code in (
        "access_token_invalid",
        "scope_not_authorized",
        "invalid_client",
        "invalid_grant",
    ):
        return AuthError(f"TikTok rejected the client credentials ({code})")
    if response.status_code >= 500 or code == "internal_error":
        return RetryableError(f"TikTok {code or response.status_code}")
    return default_classify(response) or RetryableError(f"TikTok error {code}")


def data_of(response: ApiResponse, path: str) -> dict[str, Any]:
    data = response.body.get("data") if isinstance(response.body, dict) else None
    if not isinstance(data, dict):
        raise RetryableError(f"TikTok {path}: no data object in the response")
    return data


def date_windows(since: datetime, until: datetime) -> list[tuple[str, str]]:
    """(start_date, end_date) pairs in YYYYMMDD, newest first, each at most 30 days, both
    inclusive as the API reads them. `until` is exclusive (the interval's end, midnight of the
    next day): counting its date would add a 31st day and a second call per user."""
    windows = []
    end = (until - timedelta(microseconds=1)).date()
    while end >= since.date():
        start = max(since.date(), end - timedelta(days=MAX_WINDOW_DAYS - 1))
        windows.append((start.strftime("%Y%m%d"), end.strftime("%Y%m%d")))
        end = start - timedelta(days=1)
    return windows


def fetch_videos(
    client: ApiClient, paginator: Paginator, username: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The user's videos created in [since, until), over windows of at most 30 days; paging
    without end (over all the windows together) raises PagingError naming the user."""
    videos: list[dict[str, Any]] = []
    guard = PageGuard(client.connection_id, "video/query", username, kind="user")
    query = {"and": [{"operation": "EQ", "field_name": "username", "field_values": [username]}]}
    for start, end in date_windows(since, until):
        body = {"query": query, "start_date": start, "end_date": end, "max_count": MAX_COUNT}
        request = PageRequest("POST", VIDEO_QUERY, {"fields": VIDEO_FIELDS}, json_body=body)
        for response in paginate(client, request, paginator, guard):
            data = data_of(response, VIDEO_QUERY)
            videos.extend(v for v in data.get("videos", []) if _in_range(v, since, until))
    return videos


def _in_range(video: Any, since: datetime, until: datetime) -> bool:
    created = video.get("create_time") if isinstance(video, dict) else None
    if not isinstance(created, int):
        return True  # no usable time: keep it, the id check decides
    return since.timestamp() <= created < until.timestamp()


def user_info(client: ApiClient, username: str) -> dict[str, Any]:
    response = client.request(
        "POST", USER_INFO, params={"fields": USER_FIELDS}, json_body={"username": username}
    )
    return data_of(response, USER_INFO)


def extract(ctx: ExtractContext) -> Extraction:
    """Each username's profile and its videos since its bookmark (less the refresh window; a
    first run looks FIRST_RUN_DAYS back). An unknown or private username, or one whose videos
    page without end, is quarantined; at the daily quota the run stops cleanly and the
    usernames left wait for the next run (they go first then: extractors/runner.py)."""
    client, window, usernames = ctx.client, ctx.window, ctx.accounts
    paginator = ctx.source.paginators["video/query"]
    result = Extraction.of(ctx.source)
    users, videos = result.entities["users"], result.entities["videos"]
    try:
        for username in usernames:
            try:
                info = user_info(client, username)
            except PermanentError as exc:  # unknown or private username: that one only
                reason = f"user/info refused: {exc}"
                result.reject("users", reason, {"username": username}, username)
                continue
            bookmark = ctx.bookmarks.get(username)
            first_run = window.end - timedelta(days=FIRST_RUN_DAYS)
            since = (
                min(datetime.fromisoformat(bookmark), window.refresh_since)
                if bookmark
                else first_run
            )
            try:
                found = fetch_videos(client, paginator, username, since, window.end)
            except PagingError as exc:  # that username lands nothing, as an unknown one
                result.reject("users", str(exc), {"username": username}, username)
                continue
            except QuotaExhausted:
                users.add(username, info)  # its profile lands; its videos wait for the next run
                raise
            users.add(username, info)
            for video_id, video in keep_unique(found, VIDEOS.key.of, "videos", result):
                videos.add(video_id, video, username)
            result.bookmarks[username] = window.end.isoformat()
    except QuotaExhausted as exc:
        result.stopped = f"{exc}; the next run goes on with the remaining usernames"
    users.api_calls = client.stats.calls  # the profiles' and videos' requests (and tokens)
    # Listening before the comments: one daily request budget serves both, and the comments
    # (every window post, up to the cap) would spend it all on a large roster every day, so
    # listening would never run. Listening is bounded (the terms' pages and the new authors);
    # the comments take what is left, and a quota stop resumes them first the next day.
    if ctx.listens and result.stopped is None:
        land_listening(ctx, result)
    if result.stopped is None:
        posts = window_posts(videos.records, window.refresh_since, window.end)
        land_comments(
            ctx, result, posts, comment_pages(client, ctx.source.paginators), COMMENTS.key
        )
    done = {key for key, _, _ in users.records} | {q["key"] for q in result.quarantine}
    result.bookmarks[PENDING] = [u for u in usernames if u not in done]
    # One request budget for every endpoint: the comments' share on their fetch records.
    count_calls(result, client.stats.by_endpoint.get(COMMENT_LIST, 0), units_per_call=0)
    return result


def window_posts(
    videos: list[tuple[str, Any, str | None]], since: datetime, until: datetime
) -> dict[str, list[str]]:
    """Username -> its landed videos created in [since, until), newest first: the posts whose
    comments are listed (no request more to find them)."""
    dated = [
        (video["create_time"], video_id, username)
        for video_id, video, username in videos
        if username and _in_range(video, since, until) and isinstance(video.get("create_time"), int)
    ]
    posts: dict[str, list[str]] = {}
    for _, video_id, username in sorted(dated, reverse=True):
        posts.setdefault(username, []).append(video_id)
    return posts


def comment_pages(client: ApiClient, paginators: Mapping[str, Paginator]) -> CommentPages:
    """video/comment/list of one video, newest first, `size` comments a request. An unknown or
    private video (invalid_params) is an answer about it: not_found."""
    paginator = paginators["video/comment/list"]

    def pages(video_id: str, size: int) -> Iterator[tuple[list[Any], bool]]:
        guard = PageGuard(client.connection_id, "video/comment/list", video_id, kind="video")
        body = {"video_id": int(video_id), "max_count": size}
        request = PageRequest("POST", COMMENT_LIST, {"fields": COMMENT_FIELDS}, json_body=body)
        try:
            for response in paginate(client, request, paginator, guard):
                data = data_of(response, COMMENT_LIST)
                yield data.get("comments", []), bool(data.get("has_more"))
        except PagingError:
            raise
        except PermanentError as exc:
            raise PostUnavailable(NOT_FOUND, f"video/comment/list refused: {exc}") from exc

    return pages


# ---- listening: video/query for the brand's terms, user/info for the authors found ----------


def term_query(term: Term) -> dict[str, Any]:
    """Videos tagged with the term or holding it in their description (hashtag names go
    without `#`; a keyword matches substrings too: the whole-word rule is the warehouse's)."""
    return {
        "or": [
            {"operation": "IN", "field_name": "hashtag_name", "field_values": [term.term]},
            {"operation": "IN", "field_name": "keyword", "field_values": [term.term]},
        ]
    }


def query_term(
    client: ApiClient, paginator: Paginator, term: Term, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Every video the term finds created in [since, until), over windows of at most 30 days,
    100 a request."""
    guard = PageGuard(client.connection_id, "video/query", term.term, kind="term")
    videos: list[dict[str, Any]] = []
    for start, end in date_windows(since, until):
        body = {
            "query": term_query(term),
            "start_date": start,
            "end_date": end,
            "max_count": MAX_COUNT,
        }
        request = PageRequest("POST", VIDEO_QUERY, {"fields": VIDEO_FIELDS}, json_body=body)
        for response in paginate(client, request, paginator, guard):
            found = data_of(response, VIDEO_QUERY).get("videos", [])
            videos.extend(v for v in found if _in_range(v, since, until))
    return videos


def land_listening(ctx: ExtractContext, result: Extraction) -> None:
    """Each term's videos over the interval (extractors/listening.py `listen`), then the
    profiles of their authors who are not on the roster, then those authors' videos of the
    last 30 days (settled counts); at the daily quota the run stops cleanly."""
    client = ctx.client
    calls_before = client.stats.calls
    queries_before = client.stats.by_endpoint.get(VIDEO_QUERY, 0)
    queries_at_candidates: int | None = None  # the queries made when the candidates' queries began
    paginator = ctx.source.paginators["video/query"]

    def search(term: Term, since: datetime) -> list[Any]:
        return query_term(client, paginator, term, since, ctx.window.end)

    videos = listen(ctx, result, QUERY_VIDEOS.name, search, VIDEOS.key.of)
    if videos is not None:
        authors = dict.fromkeys(str(v.get("username") or "") for v in videos)
        try:
            _land_authors(client, result, [a for a in authors if a and a not in ctx.roster])
            queries_at_candidates = client.stats.by_endpoint.get(VIDEO_QUERY, 0)
            _land_candidate_videos(ctx, result)
        except QuotaExhausted as exc:
            stop(result, exc)
    # Requests of the one daily quota, counted as calls (no units), as the other entities; a
    # token renewed meanwhile goes with the authors' lookups. The terms' and the candidates'
    # video queries are told apart by when they were made.
    queries_now = client.stats.by_endpoint.get(VIDEO_QUERY, 0)
    terms_end = queries_now if queries_at_candidates is None else queries_at_candidates
    found = result.entities[QUERY_VIDEOS.name]
    found.api_calls = terms_end - queries_before
    candidates = result.entities[CANDIDATE_VIDEOS.name]
    candidates.api_calls = queries_now - terms_end
    discovered = result.entities[DISCOVERED_USERS.name]
    discovered.api_calls = (
        client.stats.calls - calls_before - found.api_calls - candidates.api_calls
    )


def _land_authors(client: ApiClient, result: Extraction, usernames: list[str]) -> None:
    """user/info of each author found off the roster (one username a request: the API takes
    one); an unknown or private one is quarantined."""
    discovered = result.entities[DISCOVERED_USERS.name]
    for username in usernames:
        try:
            discovered.add(username, user_info(client, username))
        except PermanentError as exc:
            reason = f"user/info refused: {exc}"
            result.reject(DISCOVERED_USERS.name, reason, {"username": username}, username)


def _land_candidate_videos(ctx: ExtractContext, result: Extraction) -> None:
    """The videos of the last 30 days before the interval's end of each author discovered this
    run, as the roster's are fetched (video/query by username, 100 a request), each author's
    whole or not at all: one whose videos page without end is quarantined and the others go
    on; at the daily quota, QuotaExhausted is raised on with the authors done landed."""
    name, window = CANDIDATE_VIDEOS.name, ctx.window
    paginator = ctx.source.paginators["video/query"]
    landed = result.entities[name]
    for username, _, _ in list(result.entities[DISCOVERED_USERS.name].records):
        try:
            found = fetch_videos(
                ctx.client, paginator, username, candidate_since(window), window.end
            )
        except PagingError as exc:  # that author only, as on the roster
            result.reject(name, str(exc), {"username": username}, username)
            continue
        for video_id, video in keep_unique(found, CANDIDATE_VIDEOS.key.of, name, result):
            landed.add(video_id, video, username)
