"""TikTok Research API: user info and video query for the roster's usernames.

A client-credentials token comes from `/v2/oauth/token/` (client key = connection login, client
secret = password) and is renewed before it expires. Every body carries `error.code` ("ok" on
success, even with HTTP 200). Video ids are int64 JSON numbers above 2^53: Python's json keeps
them exact and they land as numbers with their exact digits. Video queries page with
`cursor` + `search_id` while `has_more`, over windows of at most 30 days. A username not of
TikTok's format is quarantined, never sent to `user/info` or `video/query`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import requests

from core.config import Settings
from extractors.base import (
    PENDING,
    EntityRecords,
    Extraction,
    Window,
    keep_unique,
    land_source_day,
)
from extractors.connections import ApiCredentials
from extractors.errors import (
    AuthError,
    ExtractError,
    PagingError,
    PermanentError,
    QuotaExhausted,
    RetryableError,
)
from extractors.handles import sendable_handles
from extractors.http import ApiClient, PageGuard, default_classify, retry_after_seconds

log = logging.getLogger(__name__)

SOURCE = "tiktok"
ENTITIES = ("users", "videos")
MAX_COUNT = 100
MAX_WINDOW_DAYS = 30
FIRST_RUN_DAYS = 180  # how far back a username without a bookmark is searched
TOKEN_MARGIN_SECONDS = 300  # renew the client token this long before it expires
USER_FIELDS = (
    "display_name,bio_description,avatar_url,is_verified,follower_count,following_count,"
    "likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,video_description,create_time,region_code,share_count,view_count,like_count,"
    "comment_count,hashtag_names,username"
)


def classify(response: requests.Response) -> ExtractError | None:
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
        return AuthError(
            f"TikTok rejected the client credentials of Airflow connection 'irm_tiktok' ({code})"
        )
    if response.status_code >= 500 or code == "internal_error":
        return RetryableError(f"TikTok {code or response.status_code}")
    return default_classify(response) or RetryableError(f"TikTok error {code}")


class TikTokClient:
    """The Research API with its client token, renewed before it runs out."""

    def __init__(self, credentials: ApiCredentials, **client_options: Any) -> None:
        if not credentials.login:
            raise AuthError("Airflow connection 'irm_tiktok' needs a login (the client key)")
        self.credentials = credentials
        self.api = ApiClient(
            credentials.base_url,
            connection_id=credentials.connection_id,
            classify=classify,
            **client_options,
        )
        self._token: str | None = None
        self._expires_at = 0.0

    def close(self) -> None:
        self.api.close()

    def token(self) -> str:
        if self._token is None or time.monotonic() > self._expires_at - TOKEN_MARGIN_SECONDS:
            self._renew()
        assert self._token is not None
        return self._token

    def _renew(self) -> None:
        form = {
            "client_key": self.credentials.login,
            "client_secret": self.credentials.secret,
            "grant_type": "client_credentials",
        }
        response = self.api.request("POST", "v2/oauth/token/", form=form)
        body = response.body
        if not isinstance(body, dict) or not body.get("access_token"):
            raise AuthError("TikTok issued no client token for Airflow connection 'irm_tiktok'")
        self._token = body["access_token"]
        self._expires_at = time.monotonic() + float(body.get("expires_in", 7200))

    def post(self, path: str, fields: str, payload: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token()}"}
        body = self.api.request(
            "POST", path, params={"fields": fields}, json_body=payload, headers=headers
        ).body
        data = body.get("data") if isinstance(body, dict) else None
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


def fetch_videos(client: TikTokClient, username: str, since: datetime, until: datetime) -> list:
    """The user's videos created in [since, until), over windows of at most 30 days; paging
    without end (over all the windows together) raises PagingError naming the user."""
    videos: list[dict[str, Any]] = []
    guard = PageGuard(client.api.connection_id, "video/query", username, kind="user")
    for start, end in date_windows(since, until):
        query = {"and": [{"operation": "EQ", "field_name": "username", "field_values": [username]}]}
        cursor, search_id = 0, None
        while True:
            # A cursor is an offset within one window's search: the window is part of it.
            guard.next_page((start, end, search_id, cursor))
            payload: dict[str, Any] = {
                "query": query, "start_date": start, "end_date": end,
                "max_count": MAX_COUNT, "cursor": cursor,
            }  # fmt: skip
            if search_id:
                payload["search_id"] = search_id
            data = client.post("v2/research/video/query/", VIDEO_FIELDS, payload)
            videos.extend(v for v in data.get("videos", []) if _in_range(v, since, until))
            if not data.get("has_more"):
                break
            cursor, search_id = data.get("cursor", 0), data.get("search_id")
    return videos


def _in_range(video: Any, since: datetime, until: datetime) -> bool:
    created = video.get("create_time") if isinstance(video, dict) else None
    if not isinstance(created, int):
        return True  # no usable time: keep it, the id check decides
    return since.timestamp() <= created < until.timestamp()


def _id_of(video: dict[str, Any]) -> str | None:
    value = video.get("id", video.get("video_id"))
    return str(value) if isinstance(value, int | str) and str(value).isdigit() else None


def extract(
    client: TikTokClient, usernames: Sequence[str], bookmarks: dict[str, Any], window: Window
) -> Extraction:
    users, videos = EntityRecords(), EntityRecords()
    result = Extraction({"users": users, "videos": videos})
    try:
        for username in sendable_handles(SOURCE, usernames, result, "users", "username"):
            try:
                info = client.post("v2/research/user/info/", USER_FIELDS, {"username": username})
            except PermanentError as exc:  # unknown or private username: that one only
                reason = f"user/info refused: {exc}"
                result.reject("users", reason, {"username": username}, username)
                continue
            bookmark = bookmarks.get(username)
            first_run = window.end - timedelta(days=FIRST_RUN_DAYS)
            since = (
                min(datetime.fromisoformat(bookmark), window.refresh_since)
                if bookmark
                else first_run
            )
            try:
                found = fetch_videos(client, username, since, window.end)
            except PagingError as exc:  # that username lands nothing, as an unknown one
                result.reject("users", str(exc), {"username": username}, username)
                continue
            except QuotaExhausted:
                users.add(username, info)  # its profile lands; its videos wait for the next run
                raise
            users.add(username, info)
            for video_id, video in keep_unique(found, _id_of, "videos", result):
                videos.add(video_id, video, username)
            result.bookmarks[username] = window.end.isoformat()
    except QuotaExhausted as exc:
        result.stopped = f"{exc}; the next run goes on with the remaining usernames"
    done = {key for key, _, _ in users.records} | {q["key"] for q in result.quarantine}
    result.bookmarks[PENDING] = [u for u in usernames if u not in done]
    users.api_calls = client.api.stats.calls  # one request budget for both endpoints
    result.stats = {"retries": client.api.stats.retries}
    return result


def land_day(
    day: date,
    credentials: ApiCredentials,
    usernames: Sequence[str],
    settings: Settings,
    batch: int | None = None,
    **client_options: Any,
) -> dict[str, Any]:
    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        pending = [u for u in bookmarks.get(PENDING, []) if u in set(usernames)]
        ordered = list(dict.fromkeys([*pending, *usernames]))
        client = TikTokClient(credentials, answer_window=window.answer_window, **client_options)
        try:
            return extract(client, ordered, bookmarks, window)
        finally:
            client.close()

    return land_source_day(SOURCE, ENTITIES, day, settings, fetch, batch)
