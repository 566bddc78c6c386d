"""What a landed TikTok record looks like (the landing suite checks it: expectations/
landing_suites.py): Research API `user/info` `data` objects and `video/query` videos, whose ids
are int64 JSON numbers above 2**53 kept as their exact digits, and `video/comment/list` comments
(ids int64 the same way); each post asked has a `comment_fetches` record (extractors/
comments.py); listening's videos per (term, video) and the authors found off the roster."""

from __future__ import annotations

from dataclasses import replace

from extractors import rules
from extractors.comments import COMMENT_FETCHES
from extractors.listening import found_items
from extractors.rules import WARNING, Rule
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

# The counts of each entity: JSON integers the Research API names as we do, never below zero.
USER_COUNTS = ("follower_count", "following_count", "likes_count", "video_count")
VIDEO_COUNTS = ("view_count", "like_count", "comment_count", "share_count")
COMMENT_COUNTS = ("like_count", "reply_count")


def _count_fields(counts: tuple[str, ...]) -> tuple[Field, ...]:
    return tuple(Field(name, name, INTEGER) for name in counts)


USERS = EntitySpec(
    "users",
    RecordSchema(
        fields=(
            # Research API user/info has no username in `data`: record_key carries it.
            Field("display_name", "display_name"),
            Field("is_verified", "is_verified", BOOLEAN),
            *_count_fields(USER_COUNTS),
        ),
        rules=(
            *rules.non_negative(*USER_COUNTS),
            *rules.present("follower_count", level=WARNING),
        ),
    ),
)


def _listed_item(
    entity: str,
    fields: tuple[Field, ...],
    checks: tuple[Rule, ...],
    *,
    key: tuple[str, str],
    parent: tuple[str, str],
    key_also: tuple[str, ...] = (),
) -> EntitySpec:
    """An item of a Research API listing (video/query's videos, video/comment/list's comments).
    Its `id` leads: the line's key, landed as `key`'s column, an int64 JSON number above 2**53
    kept as its exact digits on both sides (a float round-trip changes them). Its line names its
    parent, in `parent`'s column. Each pair is (column, the rule's note)."""
    key_column, key_notes = key
    parent_column, parent_notes = parent
    return EntitySpec(
        entity,
        RecordSchema(
            fields=(Field(key_column, "id", INT64_ID, required=True), *fields),
            rules=(
                rules.same("record_key", key_column, notes=key_notes),
                rules.same("parent_key", parent_column, notes=parent_notes),
                *checks,
            ),
            has_parent=True,
        ),
        key=RecordKey("id", also=key_also, digits=True),
    )


VIDEOS = _listed_item(
    "videos",
    (
        Field("published_at", "create_time", UNIX_SECONDS, required=True),
        Field("username", "username"),
        Field("region_code", "region_code"),
        Field("video_description", "video_description"),
        *_count_fields(VIDEO_COUNTS),
    ),
    rules.non_negative(*VIDEO_COUNTS),
    key=("video_id", "exact int64 digits on both sides (a float round-trip changes them)"),
    parent=("username", "the parent is the video's author"),
    key_also=("video_id",),
)

COMMENTS = _listed_item(
    "comments",
    (
        # An int64 JSON number above 2**53 like the comment's own id: kept as its exact digits.
        Field("video_id", "video_id", INT64_ID, required=True),
        Field("parent_comment_id", "parent_comment_id", INT64_ID),
        Field("text", "text"),
        *_count_fields(COMMENT_COUNTS),
        Field("published_at", "create_time", UNIX_SECONDS, required=True),
    ),
    (
        *rules.non_negative(*COMMENT_COUNTS),
        *rules.present("text", level=WARNING),
    ),
    key=("comment_id", "exact int64 digits on both sides"),
    parent=("video_id", "the parent is the commented video"),
)

# Listening (extractors/listening.py): each `video/query` video a term found, per (term, video),
# keyed `<term>:<video id>` (exact digits), its line's parent the term; and the `user/info` of
# each author found who is not on the roster, keyed by the username as USERS are.
QUERY_VIDEOS = found_items(
    "query_videos",
    (
        Field("video_id", "id", INT64_ID, required=True),
        Field("published_at", "create_time", UNIX_SECONDS, required=True),
        Field("username", "username", required=True),
        Field("video_description", "video_description"),
        *_count_fields(VIDEO_COUNTS),
    ),
    rules.non_negative(*VIDEO_COUNTS),
    item_id="[0-9]+",
)

DISCOVERED_USERS = replace(USERS, name="discovered_users")

# The videos of the last 30 days before the interval's end of each author discovered that day
# (video/query by username, as the roster's videos): counts that have settled, which a
# candidate's engagement rate is measured on (SPEC 5.5).
CANDIDATE_VIDEOS = replace(VIDEOS, name="candidate_videos")

__all__ = [
    "CANDIDATE_VIDEOS",
    "COMMENTS",
    "COMMENT_FETCHES",
    "DISCOVERED_USERS",
    "QUERY_VIDEOS",
    "USERS",
    "VIDEOS",
]
