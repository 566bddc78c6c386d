"""YouTube as a source: the YouTube Data API v3 (channels.list, playlistItems.list on each
uploads playlist, videos.list, commentThreads.list on the window's videos), for the roster's
channel ids, then search.list for the brand's listening terms, videos.list for the videos found,
channels.list for the channels found off the roster and their uploads of the last 30 days
(playlistItems.list, videos.list) (api.py; its records: schema.py).
"""

from __future__ import annotations

import re

from extractors.auth import HeaderKey
from extractors.handles import HandleFormat
from extractors.paging import PageTokenPaginator
from extractors.spec import ConnectionSpec, PoolSpec, Quota, RosterSpec, SourceSpec
from extractors.youtube.api import classify, extract
from extractors.youtube.schema import (
    CANDIDATE_VIDEOS,
    CHANNELS,
    COMMENT_FETCHES,
    COMMENTS,
    DISCOVERED_CHANNELS,
    FOUND_VIDEOS,
    SEARCH_RESULTS,
    VIDEOS,
)

# A channel id goes into channels.list's `id=` list as it is.
CHANNEL_ID = HandleFormat(
    re.compile(r"UC[A-Za-z0-9_-]{22}"),
    "a YouTube channel id (UC and 22 letters, digits, - or _)",
    username=False,
)

SPEC = SourceSpec(
    name="youtube",
    entities=(
        CHANNELS,
        VIDEOS,
        COMMENTS,
        COMMENT_FETCHES,
        SEARCH_RESULTS,
        FOUND_VIDEOS,
        DISCOVERED_CHANNELS,
        CANDIDATE_VIDEOS,
    ),
    extract=extract,
    # The key in its header, which the API accepts as it does `key=`: never in a URL.
    connection=ConnectionSpec(
        "irm_youtube", HeaderKey("X-Goog-Api-Key"), classify, sandbox_path="youtube/v3"
    ),
    pool=PoolSpec("irm_youtube_api", 2, "YouTube Data API calls (quota 10,000 units/day)"),
    roster=RosterSpec("youtube_channel_id", CHANNEL_ID, entity="channels", field="id"),
    # Every call costs a unit of the 10,000 a day (IRM_YOUTUBE_DAILY_QUOTA), but search.list,
    # which since June 2026 has its own bucket of 100 calls a day (IRM_YOUTUBE_DAILY_SEARCH_CALLS),
    # spent whole by the day's listening batch.
    quotas=(
        Quota("units", 10_000, "units", setting="youtube_daily_quota", enforced=True),
        Quota(
            "search",
            100,
            "calls",
            setting="youtube_daily_search_calls",
            enforced=True,
            split=False,
        ),
    ),
    paginators={
        "playlistItems": PageTokenPaginator("pageToken", "nextPageToken"),
        "commentThreads": PageTokenPaginator("pageToken", "nextPageToken"),
        "search": PageTokenPaginator("pageToken", "nextPageToken"),
    },
)

__all__ = ["SPEC", "classify"]
