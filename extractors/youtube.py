"""YouTube Data API v3: channels.list, playlistItems.list on each uploads playlist, videos.list.

Calls per refresh are the minimum the API allows: channels in batches of 50 ids, the uploads
playlist paged 50 items at a time only as far back as needed (newest first), and videos.list in
batches of 50 ids. Each call costs 1 quota unit. What the extractor lands is the item as
received: string counts, absent counts and unknown fields stay as they are for staging to type.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import requests

from extractors.connections import ApiCredentials
from extractors.errors import AuthError, ExtractError, QuotaExhausted, RetryableError
from extractors.http import ApiClient, default_classify, retry_after_seconds
from extractors.landing import Partition, envelope, now_utc, write_partition
from extractors.state import load_bookmarks, save_bookmarks
from irm.config import Settings

log = logging.getLogger(__name__)

SOURCE = "youtube"
BOOKMARKS = "youtube_bookmarks"
MAX_IDS_PER_CALL = 50
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
        default_params={"key": credentials.secret},
        **kwargs,
    )


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class YouTubeExtraction:
    channels: list[dict[str, Any]] = field(default_factory=list)
    videos: list[dict[str, Any]] = field(default_factory=list)
    newest_published: dict[str, str] = field(default_factory=dict)  # channel id -> bookmark
    calls: dict[str, int] = field(default_factory=dict)


def _get(client: ApiClient, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
    body = client.request("GET", endpoint, params=params, quota_units=QUOTA_UNITS_PER_CALL).body
    if not isinstance(body, dict):
        raise RetryableError(f"unexpected body from {endpoint}")
    return body


def _unique_by_id(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop records repeated across pages, keeping the first; items without an id are dropped."""
    seen: set[str] = set()
    unique = []
    for item in items:
        item_id = item.get("id")
        if isinstance(item_id, str) and item_id not in seen:
            seen.add(item_id)
            unique.append(item)
    return unique


def fetch_channels(client: ApiClient, channel_ids: Sequence[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for batch in batched(list(channel_ids), MAX_IDS_PER_CALL):
        body = _get(client, "channels", {"part": CHANNEL_PARTS, "id": ",".join(batch)})
        items.extend(body.get("items", []))  # no match: the key is absent altogether
    return _unique_by_id(items)


def fetch_upload_ids(
    client: ApiClient, uploads_playlist: str, since: datetime | None
) -> tuple[list[str], str | None]:
    """Video ids published at or after `since` (all when None), newest first, and the newest
    publication time seen. The uploads playlist lists newest first, so paging stops at the
    first page that reaches past `since`."""
    ids: list[str] = []
    newest: str | None = None
    page_token: str | None = None
    while True:
        params = {"part": "contentDetails", "playlistId": uploads_playlist, "maxResults": 50}
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
            if since is not None and parse_time(published) < since:
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
    return _unique_by_id(items)


def extract(
    client: ApiClient,
    channel_ids: Sequence[str],
    bookmarks: dict[str, str],
    refresh_since: datetime,
) -> YouTubeExtraction:
    """Channels' statistics, plus new videos since each channel's bookmark and fresh metrics for
    the videos published since `refresh_since` (a channel without a bookmark gets all)."""
    result = YouTubeExtraction()
    result.channels = fetch_channels(client, channel_ids)
    video_ids: list[str] = []
    for channel in result.channels:
        uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            continue
        bookmark = bookmarks.get(channel["id"])
        since = min(parse_time(bookmark), refresh_since) if bookmark else None
        ids, newest = fetch_upload_ids(client, uploads, since)
        video_ids.extend(ids)
        if newest:
            result.newest_published[channel["id"]] = newest
    result.videos = fetch_videos(client, list(dict.fromkeys(video_ids)))
    result.calls = dict(client.stats.by_endpoint)
    log.info(
        "youtube: %d channels, %d videos in %d calls (%d retries)",
        len(result.channels),
        len(result.videos),
        client.stats.calls,
        client.stats.retries,
    )
    return result


def land_day(
    day: date,
    credentials: ApiCredentials,
    channel_ids: Sequence[str],
    settings: Settings,
) -> dict[str, Any]:
    """Extract the data interval `day` into the landing zone (channels and videos partitions).

    The interval's partitions are immutable: when they exist, nothing is called and their
    manifests are returned. Bookmarks move only after both partitions have landed.
    """
    channels_part = Partition(settings.landing_dir, SOURCE, "channels", day)
    videos_part = Partition(settings.landing_dir, SOURCE, "videos", day)
    if channels_part.exists() and videos_part.exists():
        log.info("youtube dt=%s already landed; landing partitions are immutable", day)
        return {"channels": channels_part.manifest(), "videos": videos_part.manifest()}

    window_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    refresh_since = window_end - timedelta(days=settings.refresh_window_days)
    bookmarks = load_bookmarks(settings.state_dir, BOOKMARKS)
    with make_client(credentials) as client:
        result = extract(client, channel_ids, bookmarks, refresh_since)
        stats = client.stats
    extracted_at = now_utc()
    window = {"window_start": refresh_since.isoformat(), "window_end": window_end.isoformat()}
    calls = {"channels": result.calls.get("channels", 0)}
    calls["videos"] = stats.calls - calls["channels"]
    manifests = {}
    for part, items in ((channels_part, result.channels), (videos_part, result.videos)):
        if part.exists():  # a crash between the two writes left one behind
            manifests[part.entity] = part.manifest()
            continue
        manifests[part.entity] = write_partition(
            part,
            (envelope(item["id"], item, extracted_at, _parent(item)) for item in items),
            api_calls=calls[part.entity],
            quota_units=calls[part.entity] * QUOTA_UNITS_PER_CALL,
            extra={"calls_by_endpoint": result.calls, "retries": stats.retries},
            **window,
        )
    save_bookmarks(settings.state_dir, BOOKMARKS, {**bookmarks, **result.newest_published})
    return manifests


def _parent(item: dict[str, Any]) -> str | None:
    """A video's channel (channels have no parent)."""
    return item.get("snippet", {}).get("channelId") if item.get("kind") == "youtube#video" else None
