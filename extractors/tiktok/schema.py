"""What a landed TikTok record looks like (the landing suite checks it: expectations/
landing_suites.py): Research API `user/info` `data` objects and `video/query` videos, whose ids
are int64 JSON numbers above 2**53 kept as their exact digits, and `video/comment/list` comments
(ids int64 the same way); each post asked has a `comment_fetches` record (extractors/
comments.py)."""

from __future__ import annotations

from extractors import rules
from extractors.comments import COMMENT_FETCHES
from extractors.rules import WARNING
from extractors.schema import (
    BOOLEAN,
    INT64_ID,
    INTEGER,
    UNIX_SECONDS,
    Field,
    RecordKey,
    RecordSchema,
)
from extractors.spec import EntitySpec

USERS = EntitySpec(
    "users",
    RecordSchema(
        fields=(
            # Research API user/info has no username in `data`: record_key carries it.
            Field("display_name", "display_name"),
            Field("is_verified", "is_verified", BOOLEAN),
            Field("follower_count", "follower_count", INTEGER),
            Field("following_count", "following_count", INTEGER),
            Field("likes_count", "likes_count", INTEGER),
            Field("video_count", "video_count", INTEGER),
        ),
        rules=(
            *rules.non_negative("follower_count", "following_count", "likes_count", "video_count"),
            *rules.present("follower_count", level=WARNING),
        ),
    ),
)

VIDEOS = EntitySpec(
    "videos",
    RecordSchema(
        fields=(
            # An int64 JSON number above 2**53: kept as its exact digits.
            Field("video_id", "id", INT64_ID, required=True),
            Field("published_at", "create_time", UNIX_SECONDS, required=True),
            Field("username", "username"),
            Field("region_code", "region_code"),
            Field("video_description", "video_description"),
            Field("view_count", "view_count", INTEGER),
            Field("like_count", "like_count", INTEGER),
            Field("comment_count", "comment_count", INTEGER),
            Field("share_count", "share_count", INTEGER),
        ),
        rules=(
            rules.same(
                "record_key",
                "video_id",
                notes="exact int64 digits on both sides (a float round-trip changes them)",
            ),
            rules.same("parent_key", "username", notes="the parent is the video's author"),
            *rules.non_negative("view_count", "like_count", "comment_count", "share_count"),
        ),
        has_parent=True,
    ),
    key=RecordKey("id", also=("video_id",), digits=True),
)

COMMENTS = EntitySpec(
    "comments",
    RecordSchema(
        fields=(
            # int64 JSON numbers above 2**53, both: kept as their exact digits.
            Field("comment_id", "id", INT64_ID, required=True),
            Field("video_id", "video_id", INT64_ID, required=True),
            Field("parent_comment_id", "parent_comment_id", INT64_ID),
            Field("text", "text"),
            Field("like_count", "like_count", INTEGER),
            Field("reply_count", "reply_count", INTEGER),
            Field("published_at", "create_time", UNIX_SECONDS, required=True),
        ),
        rules=(
            rules.same("record_key", "comment_id", notes="exact int64 digits on both sides"),
            rules.same("parent_key", "video_id", notes="the parent is the commented video"),
            *rules.non_negative("like_count", "reply_count"),
            *rules.present("text", level=WARNING),
        ),
        has_parent=True,
    ),
    key=RecordKey("id", digits=True),
)

__all__ = ["COMMENTS", "COMMENT_FETCHES", "USERS", "VIDEOS"]
