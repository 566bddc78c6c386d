"""YouTube as a source: the YouTube Data API v3 (channels.list, playlistItems.list on each
uploads playlist, videos.list, commentThreads.list on the window's videos), for the roster's
channel ids (api.py; its records: schema.py).
"""

from __future__ import annotations

import re

from extractors.auth import HeaderKey
from extractors.handles import HandleFormat
from extractors.paging import PageTokenPaginator
from extractors.spec import ConnectionSpec, PoolSpec, Quota, RosterSpec, SourceSpec
from extractors.youtube.api import classify, extract
from extractors.youtube.schema import CHANNELS, COMMENT_FETCHES, COMMENTS, VIDEOS

# A channel id goes into channels.list's `id=` list as it is.
CHANNEL_ID = HandleFormat(
    re.compile(r"UC[A-Za-z0-9_-]{22}"),
    "a YouTube channel id (UC and 22 letters, digits, - or _)",
    username=False,
)

SPEC = SourceSpec(
    name="youtube",
    entities=(CHANNELS, VIDEOS, COMMENTS, COMMENT_FETCHES),
    extract=extract,
    # The key in its header, which the API accepts as it does `key=`: never in a URL.
    connection=ConnectionSpec(
        "irm_youtube", HeaderKey("X-Goog-Api-Key"), classify, sandbox_path="youtube/v3"
    ),
    pool=PoolSpec("irm_youtube_api", 2, "YouTube Data API calls (quota 10,000 units/day)"),
    roster=RosterSpec("youtube_channel_id", CHANNEL_ID, entity="channels", field="id"),
    # Every call costs a unit of the 10,000 a day (IRM_YOUTUBE_DAILY_QUOTA).
    quotas=(Quota("units", 10_000, "units", setting="youtube_daily_quota", enforced=True),),
    paginators={
        "playlistItems": PageTokenPaginator("pageToken", "nextPageToken"),
        "commentThreads": PageTokenPaginator("pageToken", "nextPageToken"),
    },
)

__all__ = ["SPEC", "classify"]
