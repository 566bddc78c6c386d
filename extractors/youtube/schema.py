"""What a landed YouTube record looks like (the landing suite checks it: expectations/
landing_suites.py). Items land as `channels.list` / `videos.list` return them: counts are uint64
digit strings, and a count the owner hides is absent, never 0. Comment threads land as
`commentThreads.list` returns them (counts are numbers there); each post asked has a
`comment_fetches` record (extractors/comments.py). Listening (extractors/listening.py) lands
each `search.list` result per (term, video) as returned, the videos found as `videos.list`
returns them (full text and statistics), and the channels it found that are not on the roster
as `channels.list` returns them."""

from __future__ import annotations

from dataclasses import replace

from extractors import rules
from extractors.comments import COMMENT_FETCHES
from extractors.listening import found_items
from extractors.rules import WARNING, Rule
from extractors.schema import (
    BOOLEAN,
    DIGIT_STRING,
    INTEGER,
    ISO_TIMESTAMP,
    Field,
    RecordKey,
    RecordSchema,
)
from extractors.spec import EntitySpec


def _resource(
    entity: str,
    kind: str,
    fields: tuple[Field, ...],
    checks: tuple[Rule, ...],
    *,
    key: tuple[str, str],
    parent: tuple[str, str] | None = None,
) -> EntitySpec:
    """A YouTube resource as its `*.list` returns it. Every resource leads with its `id` (the
    line's key, landed as `key`'s column) and its `kind` (`youtube#<kind>`), checked alike;
    `parent`, when the line names one, is the column that holds it. Each pair is (column, the
    rule's note)."""
    key_column, key_notes = key
    parent_rules: tuple[Rule, ...] = ()
    if parent is not None:
        parent_column, parent_notes = parent
        parent_rules = (rules.same("parent_key", parent_column, notes=parent_notes),)
    return EntitySpec(
        entity,
        RecordSchema(
            fields=(Field(key_column, "id", required=True), Field("kind", "kind"), *fields),
            rules=(
                rules.same("record_key", key_column, notes=key_notes),
                *parent_rules,
                rules.one_of("kind", (f"youtube#{kind}",)),
                *checks,
            ),
            has_parent=parent is not None,
        ),
        key=RecordKey("id"),
    )


CHANNELS = _resource(
    "channels",
    "channel",
    (
        Field("title", "snippet.title"),
        Field("custom_url", "snippet.customUrl"),
        Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP),
        # subscriberCount is absent when hidden.
        Field("subscriber_count", "statistics.subscriberCount", DIGIT_STRING),
        Field("hidden_subscriber_count", "statistics.hiddenSubscriberCount", BOOLEAN),
        Field("view_count", "statistics.viewCount", DIGIT_STRING),
        Field("video_count", "statistics.videoCount", DIGIT_STRING),
        # The extractor walks this playlist for the channel's videos.
        Field("uploads_playlist_id", "contentDetails.relatedPlaylists.uploads", required=True),
    ),
    (
        *rules.non_negative("subscriber_count", "view_count", "video_count"),
        *rules.present("title", "view_count", level=WARNING),
    ),
    key=("channel_id", "the line is keyed by the channel's id"),
)

VIDEOS = _resource(
    "videos",
    "video",
    (
        Field("channel_id", "snippet.channelId", required=True),
        Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP, required=True),
        Field("title", "snippet.title"),
        # likeCount is absent when likes are hidden, commentCount when comments are off.
        Field("view_count", "statistics.viewCount", DIGIT_STRING),
        Field("like_count", "statistics.likeCount", DIGIT_STRING),
        Field("comment_count", "statistics.commentCount", DIGIT_STRING),
        Field("duration", "contentDetails.duration"),
    ),
    (
        *rules.non_negative("view_count", "like_count", "comment_count"),
        # ISO 8601 durations such as PT13M27S, P0D for live streams; staging parses them.
        rules.matches("duration", r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$", level=WARNING),
        *rules.present("title", level=WARNING),
    ),
    key=("video_id", "the line is keyed by the video's id"),
    parent=("channel_id", "the parent is the video's channel"),
)

COMMENTS = _resource(
    "comments",
    "commentThread",
    (
        Field("video_id", "snippet.videoId", required=True),
        Field("channel_id", "snippet.channelId"),
        Field("author_display_name", "snippet.topLevelComment.snippet.authorDisplayName"),
        # textFormat=plainText: textDisplay is the text without HTML.
        Field("text", "snippet.topLevelComment.snippet.textDisplay"),
        # Numbers here (uint32), unlike video statistics' digit strings.
        Field("like_count", "snippet.topLevelComment.snippet.likeCount", INTEGER),
        Field("reply_count", "snippet.totalReplyCount", INTEGER),
        Field(
            "published_at",
            "snippet.topLevelComment.snippet.publishedAt",
            ISO_TIMESTAMP,
            required=True,
        ),
    ),
    (
        *rules.non_negative("like_count", "reply_count"),
        *rules.present("text", level=WARNING),
    ),
    key=("comment_id", "keyed by the comment thread's id"),
    parent=("video_id", "the parent is the commented video"),
)

# One search.list result per (term, video): a video several terms find lands once per term. The
# snippet is HTML-escaped and its description cut at 160 characters (the full text is
# videos.list's); the line's parent is the term that found it.
SEARCH_RESULTS = found_items(
    "search_results",
    (
        Field("video_id", "id.videoId", required=True),
        Field("kind", "kind"),
        Field("channel_id", "snippet.channelId", required=True),
        Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP, required=True),
        Field("title", "snippet.title"),
        Field("description", "snippet.description"),
    ),
    (rules.one_of("kind", ("youtube#searchResult",)),),
    item_id="[A-Za-z0-9_-]+",
)

# The channels listening found that are not on the roster: the same resource as CHANNELS.
DISCOVERED_CHANNELS = replace(CHANNELS, name="discovered_channels")

# Every video the day's search results found (roster or not), once: the same resource as VIDEOS.
# The mention rule reads its full title and description, which search.list's snippet cuts, and
# a discovery candidate's engagement its statistics.
FOUND_VIDEOS = replace(VIDEOS, name="found_videos")

# The uploads of the last 30 days before the interval's end of each channel discovered that day
# (its uploads playlist, then videos.list), as the roster's videos: counts that have settled,
# which a candidate's engagement rate is measured on (SPEC 5.5).
CANDIDATE_VIDEOS = replace(VIDEOS, name="candidate_videos")

__all__ = [
    "CANDIDATE_VIDEOS",
    "CHANNELS",
    "COMMENTS",
    "COMMENT_FETCHES",
    "DISCOVERED_CHANNELS",
    "FOUND_VIDEOS",
    "SEARCH_RESULTS",
    "VIDEOS",
]
