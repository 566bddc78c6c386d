"""What a landed YouTube record looks like (the landing suite checks it: expectations/
landing_suites.py). Items land as `channels.list` / `videos.list` return them: counts are uint64
digit strings, and a count the owner hides is absent, never 0. Comment threads land as
`commentThreads.list` returns them (counts are numbers there); each post asked has a
`comment_fetches` record (extractors/comments.py)."""

from __future__ import annotations

from extractors import rules
from extractors.comments import COMMENT_FETCHES
from extractors.rules import WARNING
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

CHANNELS = EntitySpec(
    "channels",
    RecordSchema(
        fields=(
            Field("channel_id", "id", required=True),
            Field("kind", "kind"),
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
        rules=(
            rules.same("record_key", "channel_id", notes="the line is keyed by the channel's id"),
            rules.one_of("kind", ("youtube#channel",)),
            *rules.non_negative("subscriber_count", "view_count", "video_count"),
            *rules.present("title", "view_count", level=WARNING),
        ),
    ),
    key=RecordKey("id"),
)

VIDEOS = EntitySpec(
    "videos",
    RecordSchema(
        fields=(
            Field("video_id", "id", required=True),
            Field("kind", "kind"),
            Field("channel_id", "snippet.channelId", required=True),
            Field("published_at", "snippet.publishedAt", ISO_TIMESTAMP, required=True),
            Field("title", "snippet.title"),
            # likeCount is absent when likes are hidden, commentCount when comments are off.
            Field("view_count", "statistics.viewCount", DIGIT_STRING),
            Field("like_count", "statistics.likeCount", DIGIT_STRING),
            Field("comment_count", "statistics.commentCount", DIGIT_STRING),
            Field("duration", "contentDetails.duration"),
        ),
        rules=(
            rules.same("record_key", "video_id", notes="the line is keyed by the video's id"),
            rules.same("parent_key", "channel_id", notes="the parent is the video's channel"),
            rules.one_of("kind", ("youtube#video",)),
            *rules.non_negative("view_count", "like_count", "comment_count"),
            # ISO 8601 durations such as PT13M27S, P0D for live streams; staging parses them.
            rules.matches(
                "duration", r"^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$", level=WARNING
            ),
            *rules.present("title", level=WARNING),
        ),
        has_parent=True,
    ),
    key=RecordKey("id"),
)

COMMENTS = EntitySpec(
    "comments",
    RecordSchema(
        fields=(
            Field("comment_id", "id", required=True),
            Field("kind", "kind"),
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
        rules=(
            rules.same("record_key", "comment_id", notes="keyed by the comment thread's id"),
            rules.same("parent_key", "video_id", notes="the parent is the commented video"),
            rules.one_of("kind", ("youtube#commentThread",)),
            *rules.non_negative("like_count", "reply_count"),
            *rules.present("text", level=WARNING),
        ),
        has_parent=True,
    ),
    key=RecordKey("id"),
)

__all__ = ["CHANNELS", "COMMENTS", "COMMENT_FETCHES", "VIDEOS"]
