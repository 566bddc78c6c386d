"""TikTok as a source: the Research API (`user/info`, `video/query` in 30-day windows with
cursor and search_id, `video/comment/list` on the window's videos) for the roster's usernames,
then `video/query` for the brand's listening terms, `user/info` for the authors found off the
roster and `video/query` for their videos of the last 30 days (api.py; its records:
schema.py), with a client-credentials token the shared client obtains and renews. A username
not of TikTok's format is never sent."""

from __future__ import annotations

import re

from extractors.auth import ClientCredentialsToken
from extractors.handles import HandleFormat
from extractors.paging import ResearchCursorPaginator
from extractors.spec import ConnectionSpec, PoolSpec, Quota, RosterSpec, SourceSpec
from extractors.tiktok.api import TOKEN_PATH, classify, extract
from extractors.tiktok.schema import (
    CANDIDATE_VIDEOS,
    COMMENT_FETCHES,
    COMMENTS,
    DISCOVERED_USERS,
    QUERY_VIDEOS,
    USERS,
    VIDEOS,
)

USERNAME = HandleFormat(
    re.compile(r"[A-Za-z0-9._]{2,24}"),
    "a TikTok username (2 to 24 letters, digits, underscores or periods)",
)

SPEC = SourceSpec(
    name="tiktok",
    entities=(
        USERS,
        VIDEOS,
        COMMENTS,
        COMMENT_FETCHES,
        QUERY_VIDEOS,
        DISCOVERED_USERS,
        CANDIDATE_VIDEOS,
    ),
    extract=extract,
    # login = client key, password = client secret: a client token from /v2/oauth/token/,
    # renewed 5 minutes before it expires.
    connection=ConnectionSpec(
        "irm_tiktok", ClientCredentialsToken(TOKEN_PATH), classify, sandbox_path="tiktok"
    ),
    pool=PoolSpec("irm_tiktok_api", 1, "TikTok Research API (1,000 requests/day)"),
    roster=RosterSpec("tiktok_username", USERNAME, entity="users", field="username"),
    # The platform counts the requests and refuses the one past its allowance (QuotaExhausted):
    # the run stops cleanly and the next one goes on with the usernames left.
    quotas=(Quota("requests", 1_000, "requests"),),
    paginators={
        "video/query": ResearchCursorPaginator(),
        # A comment listing's cursor is an offset within one video's comments.
        "video/comment/list": ResearchCursorPaginator(scope=("video_id",)),
    },
)

__all__ = ["SPEC", "classify"]
