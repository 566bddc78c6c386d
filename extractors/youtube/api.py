"""YouTube Data API v3: channels.list, playlistItems.list on each uploads playlist, videos.list,
then commentThreads.list on each video published inside the refresh window.

Calls per refresh are the minimum the API allows: channels in batches of 50 ids, the uploads
playlist paged 50 items at a time only as far back as needed (newest first), videos.list in
batches of 50 ids, and one commentThreads.list page (up to 100 threads, newest first) per window
video for the default cap of IRM_COMMENTS_PER_POST (extractors/comments.py: the comments come
after every channel's metrics). Each call costs 1 quota unit. Then, once a day, the listening
(extractors/listening.py): search.list for each term over the data interval, 50 results a page,
from search.list's own bucket of 100 calls a day; videos.list, 50 ids a call, for every video
found (roster or not: search.list's snippet is HTML-escaped, its description cut at 160
characters and without statistics, so the mention rule reads the full text videos.list
returns); channels.list, 50 ids a call, for the channels found that are not on the roster; and
each of those channels' uploads of the last 30 days (playlistItems.list as far back as needed,
then videos.list, 50 ids a call across them: counts that have settled, for its engagement).
The lookups spend the daily units, not search.list's bucket. What the extractor lands is the
item as received: string counts, absent counts and unknown fields stay as they are for staging
to type.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from extractors.base import PENDING, Extraction, keep_unique
from extractors.classify import Answer, default_classify, retry_after_seconds
from extractors.comments import (
    DISABLED,
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
    QuotaExhausted,
    RetryableError,
)
from extractors.listening import Term, candidate_since, last_second, listen, stop
from extractors.paging import PageGuard, PageRequest, Paginator, dig, paginate
from extractors.youtube.schema import (
    CANDIDATE_VIDEOS,
    CHANNELS,
    COMMENTS,
    DISCOVERED_CHANNELS,
    FOUND_VIDEOS,
    SEARCH_RESULTS,
    VIDEOS,
)

if TYPE_CHECKING:
    from extractors.http import ApiClient
    from extractors.runner import ExtractContext
    from extractors.window import Window

log = logging.getLogger(__name__)

MAX_IDS_PER_CALL = 50
PLAYLIST_PAGE_SIZE = 50  # playlistItems.list's maximum
QUOTA_UNITS_PER_CALL = 1
PARTS = "snippet,statistics,contentDetails"  # of channels.list and videos.list alike

_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
_AUTH_REASONS = {"keyInvalid", "API_KEY_INVALID", "keyExpired", "forbidden", "accessNotConfigured"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
COMMENT_THREADS = "commentThreads"
SEARCH = "search"
SEARCH_PAGE_SIZE = 50  # search.list's maximum


def _error_reasons(response: Answer) -> set[str]:
    """Google puts reasons in error.errors[].reason and error.details[].reason."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return set()
    reasons = {e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)}
    reasons |= {d.get("reason", "") for d in error.get("details", []) if isinstance(d, dict)}
    return reasons - {""}


def classify(response: Answer) -> ExtractError | None:
    if response.status_code < 400:
        return None
    reasons = _error_reasons(response)
    # commentThreads.list's answers about the video, not errors (extractors/comments.py).
    if "commentsDisabled" in reasons:
        return PostUnavailable(DISABLED, "the video has disabled comments (403)")
    if "videoNotFound" in reasons:
        return PostUnavailable(NOT_FOUND, "no such video (404 videoNotFound)")
    if reasons & _QUOTA_REASONS:
        return QuotaExhausted("YouTube daily quota exhausted (403 quotaExceeded)")
    if reasons & _RATE_REASONS:
        return RetryableError("YouTube rate limit", retry_after_seconds(response))
    if reasons & _AUTH_REASONS or response.status_code == 401:
        return AuthError(
            f"YouTube rejected the API key (HTTP {response.status_code}, "
            f"{', '.join(sorted(reasons)) or 'no reason'})"
        )
    return default_classify(response)


def batched(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _body(body: Any, endpoint: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RetryableError(f"unexpected body from {endpoint}")
    return body


def _get(client: ApiClient, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
    body = client.request("GET", endpoint, params=params, quota_units=QUOTA_UNITS_PER_CALL).body
    return _body(body, endpoint)


def fetch_by_ids(client: ApiClient, endpoint: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """channels.list or videos.list, 50 ids a call. No match: the key is absent altogether;
    unknown or private ids are silently omitted."""
    items: list[dict[str, Any]] = []
    for batch in batched(list(ids), MAX_IDS_PER_CALL):
        body = _get(client, endpoint, {"part": PARTS, "id": ",".join(batch)})
        items.extend(body.get("items", []))
    return items


def fetch_upload_ids(
    client: ApiClient,
    paginator: Paginator,
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
    guard = PageGuard(
        client.connection_id, "playlistItems", channel_id or uploads_playlist, kind="channel"
    )
    params = {"part": "contentDetails", "playlistId": uploads_playlist}
    request = PageRequest(
        "GET",
        "playlistItems",
        {**params, "maxResults": PLAYLIST_PAGE_SIZE},
        quota_units=QUOTA_UNITS_PER_CALL,
    )
    for response in paginate(client, request, paginator, guard):
        reached_older = False
        for item in _body(response.body, "playlistItems").get("items", []):
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
        if reached_older:
            break
    return list(dict.fromkeys(ids)), newest


def extract(ctx: ExtractContext) -> Extraction:
    """Channels' statistics, plus new videos since each channel's bookmark and fresh metrics for
    the videos published since the refresh window's start (a channel without a bookmark gets
    all). On quota exhaustion the run stops cleanly: what was fetched lands, unfinished
    channels wait for the next run (they go first then: extractors/runner.py)."""
    client, ordered = ctx.client, ctx.accounts
    result = Extraction.of(ctx.source)
    channels, videos = result.entities["channels"], result.entities["videos"]
    video_channel: dict[str, str] = {}
    fetched_channels: list[dict[str, Any]] = []
    stuck: set[str] = set()  # channels whose uploads would not stop paging
    uploads = ctx.source.paginators["playlistItems"]
    try:
        found = keep_unique(
            fetch_by_ids(client, "channels", ordered), CHANNELS.key.of, "channels", result
        )
        fetched_channels = [channel for _, channel in found]
        for channel in fetched_channels:
            try:
                _list_uploads(client, uploads, channel, ctx, video_channel, result)
            except PagingError as exc:  # that channel only, as an unknown account would be
                result.reject("channels", str(exc), channel, channel["id"])
                stuck.add(channel["id"])
        found = keep_unique(
            fetch_by_ids(client, "videos", list(video_channel)), VIDEOS.key.of, "videos", result
        )
        for video_id, item in found:
            videos.add(video_id, item, item.get("snippet", {}).get("channelId"))
    except QuotaExhausted as exc:
        result.stopped = f"{exc}; the next run resumes with the channels not refreshed"
    metrics_stopped = result.stopped is not None
    if not metrics_stopped:
        posts = window_posts(videos.records, ctx.window)
        land_comments(
            ctx, result, posts, comment_pages(client, ctx.source.paginators), COMMENTS.key
        )
    done_videos = {key for key, _, _ in videos.records}
    unfinished = {video_channel[v] for v in video_channel if v not in done_videos}
    fetched_ids = {c["id"] for c in fetched_channels}
    unfinished |= {c for c in ordered if c not in fetched_ids} if metrics_stopped else set()
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
    comment_calls = by_endpoint.get(COMMENT_THREADS, 0)
    count_calls(result, comment_calls, QUOTA_UNITS_PER_CALL)
    videos.api_calls = videos.quota_units = client.stats.calls - channels.api_calls - comment_calls
    result.stats = {"calls_by_endpoint": by_endpoint}
    if ctx.listens and result.stopped is None:  # after the metrics and comments, as they are
        land_listening(ctx, result)
        result.stats["calls_by_endpoint"] = dict(client.stats.by_endpoint)
    log.info(
        "youtube: %d channels, %d videos, %d comments in %d calls (%d retries)%s",
        len(channels.records),
        len(videos.records),
        len(result.entities["comments"].records),
        client.stats.calls,
        client.stats.retries,
        f"; stopped: {result.stopped}" if result.stopped else "",
    )
    return result


def _list_uploads(
    client: ApiClient,
    paginator: Paginator,
    channel: dict[str, Any],
    ctx: ExtractContext,
    video_channel: dict[str, str],
    result: Extraction,
) -> None:
    uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
    if not uploads:
        result.reject("channels", "no uploads playlist in contentDetails", channel, channel["id"])
        return
    window: Window = ctx.window
    bookmark = ctx.bookmarks.get(channel["id"])
    if bookmark and parse_time(bookmark) < window.refresh_since:
        # Nothing seen is in the window: only videos newer than the bookmark are wanted, not
        # the bookmark's own video (older than the window; measured by the bench: 184 of
        # 3,818 channels at 10k accounts, 3 videos.list calls a day).
        since, after = parse_time(bookmark), True
    else:
        since, after = (window.refresh_since if bookmark else None), False
    ids, newest = fetch_upload_ids(
        client, paginator, uploads, since, after=after, channel_id=channel["id"]
    )
    for video_id in ids:
        video_channel.setdefault(video_id, channel["id"])
    if newest:
        result.bookmarks[channel["id"]] = max(newest, bookmark or newest)


def window_posts(videos: list[tuple[str, Any, str | None]], window: Window) -> dict[str, list[str]]:
    """Channel id -> its landed videos published inside the refresh window, newest first: the
    posts whose comments are listed (no call more to find them)."""
    since, end = window.refresh_since, window.end
    dated = []
    for video_id, item, channel in videos:
        published = item.get("snippet", {}).get("publishedAt")
        if channel and published and since <= parse_time(published) < end:
            dated.append((published, video_id, channel))
    posts: dict[str, list[str]] = {}
    for _, video_id, channel in sorted(dated, reverse=True):
        posts.setdefault(channel, []).append(video_id)
    return posts


def comment_pages(client: ApiClient, paginators: Mapping[str, Paginator]) -> CommentPages:
    """commentThreads.list of one video, newest first, `size` threads a page (1 unit each)."""
    paginator = paginators[COMMENT_THREADS]

    def pages(video_id: str, size: int) -> Iterator[tuple[list[Any], bool]]:
        guard = PageGuard(client.connection_id, COMMENT_THREADS, video_id, kind="video")
        params = {
            "part": "snippet",
            "videoId": video_id,
            "maxResults": size,
            "order": "time",
            "textFormat": "plainText",
        }
        request = PageRequest("GET", COMMENT_THREADS, params, quota_units=QUOTA_UNITS_PER_CALL)
        for response in paginate(client, request, paginator, guard):
            body = _body(response.body, COMMENT_THREADS)
            yield body.get("items", []), bool(body.get("nextPageToken"))

    return pages


# ---- listening: search.list for the brand's terms, then videos.list and channels.list -------


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def search_term(
    client: ApiClient, paginator: Paginator, term: Term, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Every search.list result for `term` published in [since, until] (both inclusive, as the
    API reads them), 50 a page, each call one of search.list's own bucket."""
    params = {
        "part": "snippet",
        "type": "video",
        "q": term.term,
        "publishedAfter": _rfc3339(since),
        "publishedBefore": _rfc3339(until),
        "maxResults": SEARCH_PAGE_SIZE,
    }
    request = PageRequest("GET", SEARCH, params, quota_units=QUOTA_UNITS_PER_CALL, quota=SEARCH)
    guard = PageGuard(client.connection_id, SEARCH, term.term, kind="term")
    items: list[dict[str, Any]] = []
    for response in paginate(client, request, paginator, guard):
        items.extend(_body(response.body, SEARCH).get("items", []))
    return items


def _video_id(item: dict[str, Any]) -> str | None:
    video_id = item.get("id", {}).get("videoId") if isinstance(item.get("id"), dict) else None
    return video_id if isinstance(video_id, str) and video_id else None


def land_listening(ctx: ExtractContext, result: Extraction) -> None:
    """Each term's search results over the interval (extractors/listening.py `listen`), then
    every video they found (videos.list: full text and statistics), the channels they found
    that are not on the roster, and those channels' uploads of the last 30 days (settled
    counts). A quota stop (search.list's bucket, or the units for the lookups) lands the terms
    searched whole, and each candidate's uploads whole or not at all."""
    client = ctx.client
    before = dict(client.stats.by_endpoint)
    at_candidates: dict[str, int] | None = None  # the calls made when the candidates' lookups began
    paginator = ctx.source.paginators[SEARCH]

    def search(term: Term, since: datetime) -> list[Any]:
        return search_term(client, paginator, term, since, last_second(ctx.window))

    items = listen(ctx, result, SEARCH_RESULTS.name, search, _video_id)
    if items is not None:
        videos = dict.fromkeys(video_id for video_id in map(_video_id, items) if video_id)
        channels = dict.fromkeys(str(dig(i, "snippet", "channelId") or "") for i in items)
        try:
            _land_found_videos(ctx, result, list(videos))
            found = [c for c in channels if c and c not in ctx.roster]
            discovered = _land_discovered(ctx, result, found)
            at_candidates = dict(client.stats.by_endpoint)
            _land_candidate_videos(ctx, result, discovered)
        except QuotaExhausted as exc:
            stop(result, exc)
    _count_listening_calls(result, before, at_candidates, dict(client.stats.by_endpoint))


def _count_listening_calls(
    result: Extraction,
    before: Mapping[str, int],
    at_candidates: Mapping[str, int] | None,
    after: Mapping[str, int],
) -> None:
    """Each listening entity's calls, in units (1 a call). Only the calls made here: the
    roster's videos.list and channels.list came before; and the candidates' videos.list calls
    came after the found videos' (measured apart)."""
    lookups_end = at_candidates if at_candidates is not None else after

    def spent(endpoint: str, since: Mapping[str, int], until: Mapping[str, int]) -> int:
        return until.get(endpoint, 0) - since.get(endpoint, 0)

    counts = {
        SEARCH_RESULTS: spent(SEARCH, before, after),
        FOUND_VIDEOS: spent("videos", before, lookups_end),
        DISCOVERED_CHANNELS: spent("channels", before, lookups_end),
        CANDIDATE_VIDEOS: sum(spent(e, lookups_end, after) for e in ("playlistItems", "videos")),
    }
    for entity, calls in counts.items():
        landed = result.entities[entity.name]
        landed.api_calls = landed.quota_units = calls


def _land_found_videos(ctx: ExtractContext, result: Extraction, video_ids: list[str]) -> None:
    """videos.list, 50 ids a call, for every video the terms found, each once (a video several
    terms find is one id), parented by its channel as the roster's videos are."""
    name = FOUND_VIDEOS.name
    items = fetch_by_ids(ctx.client, "videos", video_ids)
    for video_id, item in keep_unique(items, FOUND_VIDEOS.key.of, name, result):
        result.entities[name].add(video_id, item, dig(item, "snippet", "channelId"))


def _land_discovered(
    ctx: ExtractContext, result: Extraction, channel_ids: list[str]
) -> list[dict[str, Any]]:
    """channels.list, 50 ids a call, for the channels found off the roster: those landed."""
    name = DISCOVERED_CHANNELS.name
    items = fetch_by_ids(ctx.client, "channels", channel_ids)
    landed = keep_unique(items, DISCOVERED_CHANNELS.key.of, name, result)
    for channel_id, item in landed:
        result.entities[name].add(channel_id, item)
    return [item for _, item in landed]


def _land_candidate_videos(
    ctx: ExtractContext, result: Extraction, channels: list[dict[str, Any]]
) -> None:
    """Each discovered channel's uploads of the last 30 days before the interval's end, fetched
    as the roster's are: its uploads playlist newest first, only as far back as needed, then
    videos.list, 50 ids a call, for every candidate's ids together. A quota stop lands the
    channels whose ids were all answered, the others nothing, and is raised on."""
    uploads_of = _candidate_uploads(ctx, result, channels)
    owner = {video_id: channel for channel, ids in uploads_of.items() for video_id in ids}
    items: list[dict[str, Any]] = []
    answered: set[str] = set()
    try:
        for batch in batched(list(owner), MAX_IDS_PER_CALL):
            items.extend(fetch_by_ids(ctx.client, "videos", batch))
            answered.update(batch)
    finally:  # a batch mixes candidates: only those whose every id was answered are whole
        whole = {channel for channel, ids in uploads_of.items() if answered.issuperset(ids)}
        landed = result.entities[CANDIDATE_VIDEOS.name]
        for video_id, item in keep_unique(
            items, CANDIDATE_VIDEOS.key.of, CANDIDATE_VIDEOS.name, result
        ):
            channel = owner.get(video_id)
            if channel in whole and _published_before(item, ctx.window.end):
                landed.add(video_id, item, channel)


def _candidate_uploads(
    ctx: ExtractContext, result: Extraction, channels: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Channel id -> its uploads' ids of the last 30 days, newest first. A channel without an
    uploads playlist, or whose playlist pages without end, is quarantined; the others go on."""
    name, since = CANDIDATE_VIDEOS.name, candidate_since(ctx.window)
    paginator = ctx.source.paginators["playlistItems"]
    uploads_of: dict[str, list[str]] = {}
    for channel in channels:
        channel_id = channel["id"]
        uploads = dig(channel, "contentDetails", "relatedPlaylists", "uploads")
        if not uploads:
            reason = "no uploads playlist in contentDetails"
            result.reject(name, reason, {"channel_id": channel_id}, channel_id)
            continue
        try:
            ids, _ = fetch_upload_ids(ctx.client, paginator, uploads, since, channel_id=channel_id)
        except PagingError as exc:  # that channel only, as on the roster
            result.reject(name, str(exc), {"channel_id": channel_id}, channel_id)
            continue
        uploads_of[channel_id] = ids
    return uploads_of


def _published_before(item: dict[str, Any], end: datetime) -> bool:
    """Whether a video came out before `end`: a backfilled day's uploads playlist also lists
    the videos that came after its interval, which are not that day's candidate's posts."""
    published = dig(item, "snippet", "publishedAt")
    return not isinstance(published, str) or parse_time(published) < end
