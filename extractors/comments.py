"""What the YouTube and TikTok comment listings share (issue 20; SPEC 3.4).

After a run has landed its accounts and posts, each post published inside the refresh window
gets its newest top-level comments listed, up to IRM_COMMENTS_PER_POST, and one
`comment_fetches` record saying what the listing was: `listed` (with how many comments and
whether that was all of them), `comments_disabled` or `not_found`. The platform's module only
says how one page is asked for (`CommentPages`); the walk, the cap, the records, the rotation
and the quota stop are here, once.

Comments come after every account's metrics, so a quota spent on comments never costs a
post's metrics. A quota stop ends the listing cleanly: a post not yet asked has no fetch
record, a post cut off has `complete: false`, and the next run starts with the accounts whose
comments were listed longest ago (never listed first): each account's comment bookmark
(`comments:<account>`) moves only when every window post of it was asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extractors import rules
from extractors.errors import PagingError, PermanentError, QuotaExhausted
from extractors.schema import BOOLEAN, INTEGER, Field, RecordKey, RecordSchema
from extractors.spec import EntitySpec

if TYPE_CHECKING:
    from extractors.base import Extraction
    from extractors.runner import ExtractContext

COMMENTS, FETCHES = "comments", "comment_fetches"
BOOKMARK_PREFIX = "comments:"
LISTED, DISABLED, NOT_FOUND = "listed", "comments_disabled", "not_found"
MAX_PAGE = 100  # the most either platform lists in one call


# A `comment_fetches` record: what the extractor learnt of one post's listing (its own record,
# not a platform's item), the same entity on both platforms; its parent is the post's account.
COMMENT_FETCHES = EntitySpec(
    FETCHES,
    RecordSchema(
        fields=(
            Field("video_id", "video_id", required=True),
            Field("status", "status", required=True),
            Field("comments_listed", "comments_listed", INTEGER, required=True),
            Field("complete", "complete", BOOLEAN, required=True),
            Field("cap", "cap", INTEGER, required=True),
        ),
        rules=(
            rules.same("record_key", "video_id", notes="one record per post asked"),
            rules.one_of("status", (LISTED, DISABLED, NOT_FOUND)),
            *rules.non_negative("comments_listed", "cap"),
        ),
        has_parent=True,
    ),
)


class PostUnavailable(PermanentError):
    """The platform's answer for a post whose comments cannot be listed: comments off (YouTube's
    403 commentsDisabled) or no such post. An answer, landed as the fetch's status, not an
    error."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


# (video id, page size) -> each page's items and whether the listing has more after it.
CommentPages = Callable[[str, int], Iterator[tuple[list[Any], bool]]]


@dataclass
class Listing:
    """One post's listing as far as it went: its comments (keyed, newest first, at most the
    cap), whether that was every comment the listing had, and its status."""

    video_id: str
    cap: int
    status: str = LISTED
    comments: dict[str, Any] = field(default_factory=dict)
    complete: bool = False

    def fetch_record(self) -> dict[str, Any]:
        return {
            "video_id": self.video_id,
            "status": self.status,
            "comments_listed": len(self.comments),
            "complete": self.complete,
            "cap": self.cap,
        }


def page_size(cap: int) -> int:
    return min(MAX_PAGE, cap)


def list_post(
    pages: CommentPages, video_id: str, cap: int, key: RecordKey, extraction: Extraction
) -> Listing:
    """The newest `cap` comments of a post. A quota stop before the first page raises
    QuotaExhausted (the post was not asked: no record); after it, the listing as far as it got
    is returned with `complete` false and `extraction.stopped` set, for the caller to land it
    and stop. A comment without a usable id goes to quarantine."""
    listing = Listing(video_id, cap)
    try:
        for items, more in pages(video_id, page_size(cap)):
            for item in items:
                comment_key = key.of(item) if isinstance(item, dict) else None
                if not comment_key:
                    extraction.reject(COMMENTS, "comment has no id", item)
                elif len(listing.comments) < cap:
                    listing.comments.setdefault(comment_key, item)  # a page repeating one
                elif comment_key not in listing.comments:
                    more = True  # one past the cap: the listing had more than was kept
            if len(listing.comments) >= cap or not more:
                listing.complete = not more
                break
    except PostUnavailable as answer:
        listing.comments.clear()  # the platform's word on the post is its last
        listing.status, listing.complete = answer.status, True
    except QuotaExhausted as exc:
        if not listing.comments:
            raise  # not asked at all: no record
        extraction.stopped = _stop_reason(exc)
    return listing


def _stop_reason(exc: QuotaExhausted) -> str:
    return f"{exc}; the next run lists the comments not listed first"


def land_comments(
    ctx: ExtractContext,
    extraction: Extraction,
    posts: Mapping[str, Sequence[str]],
    pages: CommentPages,
    key: RecordKey,
) -> None:
    """List the comments of `posts` (account -> its window posts' ids, newest first), the
    accounts listed longest ago first, into `extraction`'s `comments` and `comment_fetches`.
    Stops at the quota (setting `extraction.stopped`); a post whose listing pages without end is
    quarantined and the others go on."""
    cap = ctx.settings.comments_per_post
    if cap <= 0 or extraction.stopped:
        return
    for account in rotation(posts, ctx.bookmarks):
        for video_id in posts[account]:
            try:
                listing = list_post(pages, video_id, cap, key, extraction)
            except PagingError as exc:  # that post only
                extraction.reject(FETCHES, str(exc), {"video_id": video_id}, video_id)
                continue
            except QuotaExhausted as exc:
                extraction.stopped = _stop_reason(exc)
                return
            _add(extraction, listing, account)
            if extraction.stopped:
                return
        extraction.bookmarks[BOOKMARK_PREFIX + account] = ctx.window.end.isoformat()


def _add(extraction: Extraction, listing: Listing, account: str) -> None:
    comments = extraction.entities[COMMENTS]
    for comment_key, item in listing.comments.items():
        comments.add(comment_key, item, listing.video_id)
    extraction.entities[FETCHES].add(listing.video_id, listing.fetch_record(), account)


def rotation(posts: Mapping[str, Sequence[str]], bookmarks: Mapping[str, Any]) -> list[str]:
    """The accounts with posts, those whose comments were listed longest ago first (never
    listed: first of all), in their given order otherwise: a run the quota stops today starts
    tomorrow where it stopped."""
    return sorted(
        (account for account, ids in posts.items() if ids),
        key=lambda account: str(bookmarks.get(BOOKMARK_PREFIX + account) or ""),
    )


def count_calls(extraction: Extraction, calls: int, units_per_call: int) -> None:
    """The comment calls' cost, on the fetch records' manifest, in the platform's quota units
    as its other entities count them (YouTube: 1 a call; TikTok: requests, counted as calls)."""
    fetches = extraction.entities[FETCHES]
    fetches.api_calls, fetches.quota_units = calls, calls * units_per_call
