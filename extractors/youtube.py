"""YouTube Data API v3: channels.list, playlistItems.list on each uploads playlist, videos.list.

Calls per refresh are the minimum the API allows: channels in batches of 50 ids, the uploads
playlist paged 50 items at a time only as far back as needed (newest first), and videos.list in
batches of 50 ids. Each call costs 1 quota unit. What the extractor lands is the item as
received: string counts, absent counts and unknown fields stay as they are for staging to type.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, datetime
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
    QuotaExhausted,
    RetryableError,
)
from extractors.handles import sendable_handles
from extractors.http import ApiClient, PageGuard, default_classify, retry_after_seconds

log = logging.getLogger(__name__)

SOURCE = "youtube"
ENTITIES = ("channels", "videos")
MAX_IDS_PER_CALL = 50
PLAYLIST_PAGE_SIZE = 50  # playlistItems.list's maximum
QUOTA_UNITS_PER_CALL = 1
CHANNEL_PARTS = "snippet,statistics,contentDetails"
VIDEO_PARTS = "snippet,statistics,contentDetails"

_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
_AUTH_REASONS = {"keyInvalid", "API_KEY_INVALID", "keyExpired", "forbidden", "accessNotConfigured"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


def _error_reasons(response: requests.Response) -> set[str]:
    """Google puts reasons in error.errors[].reason and error.details[].reason."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return set()
    reasons = {e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)}
    reasons |= {d.get("reason", "") for d in error.get("details", []) if isinstance(d, dict)}
    return reasons - {""}


def classify(response: requests.Response) -> ExtractError | None:
    if response.status_code < 400:
        return None
    reasons = _error_reasons(response)
    if reasons & _QUOTA_REASONS:
        return QuotaExhausted("YouTube daily quota exhausted (403 quotaExceeded)")
    if reasons & _RATE_REASONS:
        return RetryableError("YouTube rate limit", retry_after_seconds(response))
    if reasons & _AUTH_REASONS or response.status_code == 401:
        return AuthError(
            f"YouTube rejected the API key of Airflow connection 'irm_youtube' "
            f"(HTTP {response.status_code}, {', '.join(sorted(reasons)) or 'no reason'})"
        )
    return default_classify(response)


def make_client(credentials: ApiCredentials, **kwargs: Any) -> ApiClient:
    return ApiClient(
        credentials.base_url,
        connection_id=credentials.connection_id,
        classify=classify,
        # The key in its header, which the API accepts as it does `key=`: never in a URL.
        default_headers={"X-Goog-Api-Key": credentials.secret},
        **kwargs,
    )


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _get(client: ApiClient, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
    body = client.request("GET", endpoint, params=params, quota_units=QUOTA_UNITS_PER_CALL).body
    if not isinstance(body, dict):
        raise RetryableError(f"unexpected body from {endpoint}")
    return body


def _id_of(item: dict[str, Any]) -> str | None:
    item_id = item.get("id")
    return item_id if isinstance(item_id, str) and item_id else None


def fetch_channels(client: ApiClient, channel_ids: Sequence[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for batch in batched(list(channel_ids), MAX_IDS_PER_CALL):
        body = _get(client, "channels", {"part": CHANNEL_PARTS, "id": ",".join(batch)})
        items.extend(body.get("items", []))  # no match: the key is absent altogether
    return items


def fetch_upload_ids(
    client: ApiClient,
    uploads_playlist: str,
    since: datetime | None,
    *,
    after: bool = False,
    channel_id: str | None = None,
) -> tuple[list[str], str | None]:
    """Video ids published at or after `since` (strictly after it with `after`; all when
    None), newest first, and the newest publication time seen. The uploads playlist lists
    newest first, so paging stops at the first page that reaches past `since`. A playlist
    that pages without end raises PagingError naming the channel."""
    ids: list[str] = []
    newest: str | None = None
    page_token: str | None = None
    guard = PageGuard(
        client.connection_id, "playlistItems", channel_id or uploads_playlist, kind="channel"
    )
    while True:
        guard.next_page(page_token)
        params = {
            "part": "contentDetails",
            "playlistId": uploads_playlist,
            "maxResults": PLAYLIST_PAGE_SIZE,
        }
        if page_token:
            params["pageToken"] = page_token
        body = _get(client, "playlistItems", params)
        reached_older = False
        for item in body.get("items", []):
            details = item.get("contentDetails", {})
            video_id, published = details.get("videoId"), details.get("videoPublishedAt")
            if not video_id or not published:
                continue  # deleted or private videos have no publication time
            if newest is None or published > newest:
                newest = published
            if since is not None:
                at = parse_time(published)
                if at < since or (after and at == since):
                    reached_older = True
                    continue
            ids.append(video_id)
        page_token = body.get("nextPageToken")
        if reached_older or not page_token:
            return list(dict.fromkeys(ids)), newest


def fetch_videos(client: ApiClient, video_ids: Sequence[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for batch in batched(list(video_ids), MAX_IDS_PER_CALL):
        body = _get(client, "videos", {"part": VIDEO_PARTS, "id": ",".join(batch)})
        items.extend(body.get("items", []))  # unknown or private ids are silently omitted
    return items


def extract(
    client: ApiClient,
    channel_ids: Sequence[str],
    bookmarks: dict[str, Any],
    window: Window,
) -> Extraction:
    """Channels' statistics, plus new videos since each channel's bookmark and fresh metrics for
    the videos published since the refresh window's start (a channel without a bookmark gets
    all). Channels a previous quota stop left unrefreshed go first. An id not of a channel id's
    format is quarantined, never put into an `id=` list. On quota exhaustion the
    run stops cleanly: what was fetched lands, unfinished channels wait for the next run."""
    pending = [c for c in bookmarks.get(PENDING, []) if c in set(channel_ids)]
    ordered = list(dict.fromkeys([*pending, *channel_ids]))
    channels, videos = EntityRecords(), EntityRecords()
    result = Extraction({"channels": channels, "videos": videos})
    ordered = sendable_handles(SOURCE, ordered, result, "channels", "id")
    video_channel: dict[str, str] = {}
    fetched_channels: list[dict[str, Any]] = []
    stuck: set[str] = set()  # channels whose uploads would not stop paging
    try:
        found = keep_unique(fetch_channels(client, ordered), _id_of, "channels", result)
        fetched_channels = [channel for _, channel in found]
        for channel in fetched_channels:
            try:
                _list_uploads(client, channel, bookmarks, window, video_channel, result)
            except PagingError as exc:  # that channel only, as an unknown account would be
                result.reject("channels", str(exc), channel, channel["id"])
                stuck.add(channel["id"])
        found = keep_unique(fetch_videos(client, list(video_channel)), _id_of, "videos", result)
        for video_id, item in found:
            videos.add(video_id, item, item.get("snippet", {}).get("channelId"))
    except QuotaExhausted as exc:
        result.stopped = f"{exc}; the next run resumes with the channels not refreshed"
    done_videos = {key for key, _, _ in videos.records}
    unfinished = {video_channel[v] for v in video_channel if v not in done_videos}
    fetched_ids = {c["id"] for c in fetched_channels}
    unfinished |= {c for c in ordered if c not in fetched_ids} if result.stopped else set()
    for channel in fetched_channels:
        if channel["id"] in stuck:
            continue  # quarantined with its reason; its bookmark stays where it was
        if channel["id"] not in unfinished:
            channels.add(channel["id"], channel)
        else:
            result.bookmarks.pop(channel["id"], None)  # its bookmark must not move yet
    result.bookmarks[PENDING] = [c for c in ordered if c in unfinished]
    by_endpoint = dict(client.stats.by_endpoint)
    channels.api_calls = channels.quota_units = by_endpoint.get("channels", 0)
    videos.api_calls = videos.quota_units = client.stats.calls - channels.api_calls
    result.stats = {"calls_by_endpoint": by_endpoint, "retries": client.stats.retries}
    log.info(
        "youtube: %d channels, %d videos in %d calls (%d retries)%s",
        len(channels.records),
        len(videos.records),
        client.stats.calls,
        client.stats.retries,
        f"; stopped: {result.stopped}" if result.stopped else "",
    )
    return result


def _list_uploads(
    client: ApiClient,
    channel: dict[str, Any],
    bookmarks: dict[str, Any],
    window: Window,
    video_channel: dict[str, str],
    result: Extraction,
) -> None:
    uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
    if not uploads:
        result.reject("channels", "no uploads playlist in contentDetails", channel, channel["id"])
        return
    bookmark = bookmarks.get(channel["id"])
    if bookmark and parse_time(bookmark) < window.refresh_since:
        # Nothing seen is in the window: only videos newer than the bookmark are wanted, not
        # the bookmark's own video (older than the window; measured by the bench: 184 of
        # 3,818 channels at 10k accounts, 3 videos.list calls a day).
        ids, newest = fetch_upload_ids(
            client, uploads, parse_time(bookmark), after=True, channel_id=channel["id"]
        )
    else:
        since = window.refresh_since if bookmark else None
        ids, newest = fetch_upload_ids(client, uploads, since, channel_id=channel["id"])
    for video_id in ids:
        video_channel.setdefault(video_id, channel["id"])
    if newest:
        result.bookmarks[channel["id"]] = max(newest, bookmark or newest)


def land_day(
    day: date,
    credentials: ApiCredentials,
    channel_ids: Sequence[str],
    settings: Settings,
    batch: int | None = None,
    quota_share: float = 1.0,
    **client_options: Any,
) -> dict[str, Any]:
    """Extract the data interval `day` into the youtube/channels and youtube/videos partitions.

    A batch of the roster spends at most its share of the daily quota (its share of the
    channels), so batches running side by side cannot together pass the quota."""
    client_options.setdefault("quota_budget", int(settings.youtube_daily_quota * quota_share))

    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        with make_client(
            credentials, answer_window=window.answer_window, **client_options
        ) as client:
            return extract(client, channel_ids, bookmarks, window)

    return land_source_day(SOURCE, ENTITIES, day, settings, fetch, batch)
