"""YouTube Data API v3 (channels.list, playlistItems.list, videos.list, commentThreads.list,
search.list) answered from the world.

Handlers run in-process, without HTTP, as of a given simulated day, so the server and a history
bootstrap share them. Shapes follow reference/platform_api_shapes.md section 1, traps included:
uint64 counts are JSON strings, `subscriberCount` is absent when hidden, `likeCount` and
`commentCount` may be absent, channels.list without a match has no `items` key, unknown video
ids are silently omitted, a day's quota ends in 403 quotaExceeded without Retry-After. The API
key is accepted as Google accepts it, in the `X-Goog-Api-Key` header (what the pipeline sends,
keeping it out of every URL) or as the `key=` query parameter.

commentThreads.list (part=id,snippet; videoId; maxResults 1-100, default 20; order=time, newest
first, or relevance, most liked first; textFormat=html, the default, escapes textDisplay, or
plainText; pageToken) lists a video's top-level comments (sandbox/comments.py), one unit per
call. Its traps: `likeCount` and `totalReplyCount` are JSON numbers (unlike video statistics),
`pageInfo.totalResults` is the page's count, not the video's, a video with comments disabled
answers 403 commentsDisabled and an unknown or unpublished one 404 videoNotFound (both domain
youtube.commentThread). A page token names the day the first page was listed on, so follow-up
pages list the same comments even if newer ones arrive meanwhile. Replies are counted in
`totalReplyCount` but not served: part=replies and comments.list (which the pipeline does not
call) are beyond the sandbox, and a request for part=replies is refused with 400 unknownPart.

search.list (part=snippet; q: words that must all appear in a video's title or description,
substrings too, any case, `|` between alternatives, `-word` to exclude; type, default all three,
of which only videos are found; publishedAfter / publishedBefore, RFC 3339, both inclusive as
documented; order relevance, the default, most viewed first, or date, newest first; maxResults
0-50, default 5; pageToken; channelId) lists the roster's and the non-roster creators' videos
(sandbox/listening.py), and channels.list, playlistItems.list (uploads) and videos.list
answer for both. Its traps: at most
SEARCH_RESULT_CAP results a query however many match (`pageInfo.totalResults`, an estimate,
counts them all), titles and descriptions HTML-escaped and descriptions cut at 160 characters
(" ..."), no prevPageToken on the first page nor nextPageToken on the last, video filters
without type=video answer 400 invalidSearchFilter. Calls are charged to search.list's own bucket
(DEFAULT_DAILY_SEARCH_CALLS a key and day, since June 2026), not to the units: the next call
answers 403 quotaExceeded. A page token names the day its first page was listed on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sandbox import comments, listening
from sandbox.platform_api import ApiRequest, ApiResponse, PlatformApi
from sandbox.world import DAY_S, ChannelState, VideoState, World

API_PREFIX = "/youtube/v3/"
DEFAULT_API_KEY = "sandbox-youtube-key"
DEFAULT_DAILY_QUOTA = 10_000
DEFAULT_DAILY_SEARCH_CALLS = 100  # search.list's own bucket since June 2026, 1 per call
MAX_IDS = 50
UNITS_PER_CALL = 1  # channels, playlistItems and videos list calls each cost one unit
CHANNEL_PARTS = frozenset({"id", "snippet", "statistics", "contentDetails"})
PLAYLIST_ITEM_PARTS = frozenset({"id", "snippet", "contentDetails", "status"})
VIDEO_PARTS = frozenset({"id", "snippet", "statistics", "contentDetails"})
COMMENT_THREAD_PARTS = frozenset({"id", "snippet"})
MAX_COMMENT_RESULTS, DEFAULT_COMMENT_RESULTS = 100, 20
COMMENT_ORDERS = ("time", "relevance")
TEXT_FORMATS = ("html", "plainText")
SEARCH_PARTS = frozenset({"id", "snippet"})
SEARCH_ORDERS = ("relevance", "date", "rating", "title", "videoCount", "viewCount")
SEARCH_TYPES = frozenset({"video", "channel", "playlist"})
# Filters that need type=video (search/list's invalidSearchFilter); accepted and not applied.
VIDEO_ONLY_FILTERS = (
    "eventType", "videoCaption", "videoCategoryId", "videoDefinition", "videoDimension",
    "videoDuration", "videoEmbeddable", "videoLicense", "videoSyndicated", "videoType",
)  # fmt: skip
SEARCH_DESCRIPTION_CHARS = 160  # search snippets cut longer descriptions, ending " ..."
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


class ApiError(Exception):
    """A Google JSON error; `body` is the full envelope."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["error"]["message"])
        self.status, self.body = status, body


def google_error(
    code: int,
    message: str,
    reason: str,
    domain: str = "global",
    *,
    status: str | None = None,
    location: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> ApiError:
    entry: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location:
        entry.update(locationType="parameter", location=location)
    error: dict[str, Any] = {"code": code, "message": message, "errors": [entry]}
    if status:
        error["status"] = status
    if details:
        error["details"] = details
    return ApiError(code, {"error": error})


def _bad_request(
    message: str, reason: str, location: str, domain: str = "youtube.parameter"
) -> ApiError:
    return google_error(400, message, reason, domain, status="INVALID_ARGUMENT", location=location)


def _key_invalid() -> ApiError:
    message = "API key not valid. Please pass a valid API key."
    return google_error(
        400,
        message,
        "badRequest",
        status="INVALID_ARGUMENT",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "youtube.googleapis.com"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message,
            },
        ],
    )


def _key_missing() -> ApiError:
    # What Google answers a call with no key and no OAuth token (a 403, not a 400).
    message = (
        "Method doesn't allow unregistered callers (callers without established identity)."
        " Please use API Key or other form of API consumer identity to call this API."
    )
    return google_error(403, message, "forbidden", status="PERMISSION_DENIED")


def _quota_exceeded() -> ApiError:
    message = (
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.'
    )
    return google_error(403, message, "quotaExceeded", "youtube.quota")


def _not_found() -> ApiError:
    return google_error(404, "Not Found", "notFound", status="NOT_FOUND")


def _invalid_page_token() -> ApiError:
    return _bad_request(
        "The request specifies an invalid page token.", "invalidPageToken", "pageToken"
    )


def _read_page_token(token: str) -> tuple[str, int]:
    """(owner, offset) of a page token of this sandbox."""
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, offset = decoded.rsplit(":", 1)
        if int(offset) >= 0:
            return owner, int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise _invalid_page_token()


def _comment_thread_error(code: int, reason: str, ending: str) -> ApiError:
    message = (
        'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
        f"videoId</a></code> parameter {ending}"
    )
    return google_error(code, message, reason, "youtube.commentThread", location="videoId")


@lru_cache(1024)  # comments say the sentences of sandbox/vocab.toml, a few dozen
def _html(text: str) -> str:
    """textFormat=html: the text as YouTube escapes it ("I can&#39;t")."""
    return html.escape(text).replace("&#x27;", "&#39;")


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _etag(*parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).digest()
    return base64.urlsafe_b64encode(digest).decode()[:27]


def _iso_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _thumbnails(url: str, sizes: Mapping[str, tuple[str, int, int]]) -> dict[str, Any]:
    return {
        name: {"url": url.format(name=file), "width": w, "height": h}
        for name, (file, w, h) in sizes.items()
    }


_VIDEO_THUMBS = {
    "default": ("default", 120, 90),
    "medium": ("mqdefault", 320, 180),
    "high": ("hqdefault", 480, 360),
}
_CHANNEL_THUMBS = {
    "default": ("s88", 88, 88),
    "medium": ("s240", 240, 240),
    "high": ("s800", 800, 800),
}


class YouTubeApi(PlatformApi):
    """The three list methods, with API-key check and a per-key daily quota."""

    api_prefix = API_PREFIX

    def __init__(
        self,
        world: World,
        api_key: str = DEFAULT_API_KEY,
        daily_quota: int = DEFAULT_DAILY_QUOTA,
        daily_search_calls: int = DEFAULT_DAILY_SEARCH_CALLS,
    ) -> None:
        super().__init__(world)
        self.api_key, self.daily_quota = api_key, daily_quota
        self.daily_search_calls = daily_search_calls
        self._used: dict[tuple[str, date], int] = defaultdict(int)
        self._searches: dict[tuple[str, date], int] = defaultdict(int)
        self._matches = lru_cache(256)(self._search_matches)
        self._calls: dict[tuple[date, str], int] = defaultdict(int)
        self._comments = lru_cache(1024)(
            lambda account, post, day: comments.post_comments(world, account, post, day)
        )

    # ---- entry point ----------------------------------------------------------------------

    def answer(self, request: ApiRequest) -> ApiResponse:
        handler = {
            "channels": self._channels,
            "playlistItems": self._playlist_items,
            "videos": self._videos,
            "commentThreads": self._comment_threads,
            "search": self._search,
        }.get(request.endpoint)
        try:
            if handler is None or request.method.upper() != "GET":
                raise _not_found()
            key = self._api_key(request.query, request.headers)
            self._charge(key, request.day, request.endpoint)
            return ApiResponse(200, dict(_JSON), handler(request.query, request.day))
        except ApiError as error:
            return ApiResponse(error.status, dict(_JSON), error.body)

    def _api_key(self, query: Mapping[str, str], headers: Mapping[str, str]) -> str:
        lowered = {k.lower(): v for k, v in headers.items()}
        key = query.get("key") or lowered.get("x-goog-api-key")
        if not key:
            raise _key_missing()
        if key != self.api_key:
            raise _key_invalid()
        return key

    def _charge(self, key: str, day: date, endpoint: str) -> None:
        # Quota belongs to the key and the (simulated) day; a request that passed the key check
        # costs its unit even when its parameters turn out to be invalid, as with Google.
        # search.list is charged to its own bucket of calls, not to the units.
        with self._lock:
            if endpoint == "search":
                if self._searches[(key, day)] >= self.daily_search_calls:
                    raise _quota_exceeded()
                self._searches[(key, day)] += 1
                self._calls[(day, endpoint)] += 1
                return
            if self._used[(key, day)] + UNITS_PER_CALL > self.daily_quota:
                raise _quota_exceeded()
            self._used[(key, day)] += UNITS_PER_CALL
            self._calls[(day, endpoint)] += 1

    def usage(self) -> dict[str, dict[str, int]]:
        """Quota units, search calls (their own bucket) and calls per simulated day (keys are
        not echoed back)."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        with self._lock:
            for (_, day), units in self._used.items():
                out[day.isoformat()]["units"] = out[day.isoformat()].get("units", 0) + units
            for (_, day), calls in self._searches.items():
                searched = out[day.isoformat()].get("search_calls", 0) + calls
                out[day.isoformat()]["search_calls"] = searched
            for (day, endpoint), calls in self._calls.items():
                out[day.isoformat()][f"calls_{endpoint}"] = calls
        return dict(out)

    # ---- parameter parsing ----------------------------------------------------------------

    @staticmethod
    def _parts(query: Mapping[str, str], allowed: frozenset[str]) -> set[str]:
        raw = query.get("part", "")
        if not raw:
            raise google_error(
                400,
                "Required parameter: part",
                "required",
                location="part",
                status="INVALID_ARGUMENT",
            )
        parts = {p.strip() for p in raw.split(",") if p.strip()}
        unknown = sorted(parts - allowed)
        if unknown:  # Google names the offending part as the message
            raise _bad_request(unknown[0], "unknownPart", "part", domain="youtube.part")
        return parts

    @staticmethod
    def _ids(query: Mapping[str, str]) -> list[str]:
        raw = [i.strip() for i in query.get("id", "").split(",") if i.strip()]
        if len(raw) > MAX_IDS:
            # Google rejects the whole call rather than truncating the list (wording ours).
            raise _bad_request(
                f"The request specifies {len(raw)} ids; at most {MAX_IDS} are allowed.",
                "invalidParameter",
                "id",
            )
        return list(dict.fromkeys(raw))  # a repeated id is answered once

    @staticmethod
    def _max_results(
        query: Mapping[str, str], default: int = 5, low: int = 0, high: int = MAX_IDS
    ) -> int:
        raw = query.get("maxResults", str(default))
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if not low <= value <= high:
            raise _bad_request(
                f"Invalid value '{raw}'. Values must be within the range: [{low}, {high}]",
                "invalidParameter",
                "maxResults",
                domain="global",
            )
        return value

    @staticmethod
    def _filter(
        query: Mapping[str, str], supported: tuple[str, ...], known: tuple[str, ...]
    ) -> str:
        present = [name for name in known if name in query]
        if not present:
            raise _bad_request(
                f"No filter selected. Expected one of: {', '.join(known)}",
                "missingRequiredParameter",
                known[0],
            )
        if len(present) > 1:
            raise _bad_request(
                f"Incompatible parameters specified: {', '.join(present)}",
                "incompatibleParameters",
                present[1],
            )
        if present[0] not in supported:  # mine, myRating, ...: need an OAuth user
            raise google_error(401, "Login Required.", "required", status="UNAUTHENTICATED")
        return present[0]

    # ---- channels.list --------------------------------------------------------------------

    def _channels(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        parts = self._parts(query, CHANNEL_PARTS)
        per_page = self._max_results(query)
        known = ("id", "forHandle", "forUsername", "mine", "managedByMe", "categoryId")
        chosen = self._filter(query, ("id", "forHandle", "forUsername"), known)
        if chosen == "id":
            ids = self._ids(query)
        elif chosen == "forHandle":
            found = listening.find_handle(self.world, "youtube", query["forHandle"])
            ids = [found[1].platform_id] if found else []
        else:
            ids = []  # legacy usernames: the sandbox's channels have none
        # The roster's channels and the others (sandbox/listening.py) answer alike.
        states = [self._channel_state(cid, day) for cid in ids]
        items = [self._channel_item(*s, parts) for s in states if s is not None]
        response: dict[str, Any] = {
            "kind": "youtube#channelListResponse",
            "etag": _etag("channels", day, [i["id"] for i in items]),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": per_page},
        }
        if items:  # no match: the `items` key is absent altogether (not an empty list)
            response["items"] = items
        return response

    def _channel_state(self, channel_id: str, day: date) -> tuple[World, ChannelState] | None:
        return listening.first_found(self.world, lambda s: s.channel_state(channel_id, day))

    def _channel_item(self, source: World, state: ChannelState, parts: set[str]) -> dict[str, Any]:
        account = source.account(state.account_index)
        creator = source.creator_of(account)
        item: dict[str, Any] = {
            "kind": "youtube#channel",
            "etag": _etag(state.channel_id, state.day, sorted(parts)),
            "id": state.channel_id,
        }
        if "snippet" in parts:
            description = f"{creator.niche.capitalize()} videos by {creator.display_name}."
            item["snippet"] = {
                "title": account.title,
                "description": description,
                "customUrl": "@" + account.handle,
                "publishedAt": f"{account.created_on.isoformat()}T12:00:00Z",
                "thumbnails": _thumbnails(
                    f"https://yt3.ggpht.com/{state.channel_id}={{name}}", _CHANNEL_THUMBS
                ),
                "localized": {"title": account.title, "description": description},
                "country": creator.country,
            }
        if "contentDetails" in parts:
            uploads = "UU" + state.channel_id[2:]
            item["contentDetails"] = {"relatedPlaylists": {"likes": "", "uploads": uploads}}
        if "statistics" in parts:
            stats: dict[str, Any] = {"viewCount": str(state.view_count)}
            if state.subscriber_count is not None:
                stats["subscriberCount"] = str(state.subscriber_count)
            stats["hiddenSubscriberCount"] = state.hidden_subscriber_count
            stats["videoCount"] = str(state.video_count)
            item["statistics"] = stats
        return item

    # ---- playlistItems.list (uploads playlists) -------------------------------------------

    def _playlist_items(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        parts = self._parts(query, PLAYLIST_ITEM_PARTS)
        per_page = self._max_results(query)
        chosen = self._filter(query, ("playlistId",), ("playlistId", "id"))
        playlist_id = query[chosen]
        channel_id = "UC" + playlist_id[2:]
        found = (
            listening.first_found(self.world, lambda s: s.channel(channel_id))
            if playlist_id[:2] == "UU"
            else None
        )  # the roster's uploads and the non-roster channels' (sandbox/listening.py)
        if found is None:
            raise google_error(
                404,
                "The playlist identified with the request's <code>playlistId</code> parameter "
                "cannot be found.",
                "playlistNotFound",
                "youtube.playlistItem",
                location="playlistId",
            )
        source, account = found
        # Newest first: position 0 is the latest post visible at the end of `day`.
        total = source.visible_count(account.index, source.day_index(day))
        offset = self._page_offset(query.get("pageToken"), playlist_id)
        positions = range(offset, min(offset + per_page, total))
        items = [
            self._playlist_item(source, account.index, total - 1 - position, position, parts)
            for position in positions
        ]
        response: dict[str, Any] = {
            "kind": "youtube#playlistItemListResponse",
            "etag": _etag("playlistItems", playlist_id, day, offset, per_page),
        }
        if per_page and offset + per_page < total:
            response["nextPageToken"] = self._page_token(playlist_id, offset + per_page)
        if offset > 0:
            response["prevPageToken"] = self._page_token(playlist_id, max(offset - per_page, 0))
        response["items"] = items
        response["pageInfo"] = {"totalResults": total, "resultsPerPage": per_page}
        return response

    @staticmethod
    def _page_token(playlist_id: str, offset: int) -> str:
        return base64.urlsafe_b64encode(f"{playlist_id}:{offset}".encode()).decode().rstrip("=")

    @staticmethod
    def _page_offset(token: str | None, playlist_id: str) -> int:
        if not token:
            return 0
        owner, offset = _read_page_token(token)
        if owner != playlist_id:
            raise _invalid_page_token()
        return offset

    def _playlist_item(
        self, source: World, account_index: int, post_index: int, position: int, parts: set[str]
    ) -> dict[str, Any]:
        account = source.account(account_index)
        playlist_id = "UU" + account.platform_id[2:]
        video_id = source.video_id(account_index, post_index)
        published = source.iso_time(source.posts(account_index).published_s[post_index])
        item_id = base64.urlsafe_b64encode(f"{playlist_id}.{video_id}".encode()).decode()
        item: dict[str, Any] = {
            "kind": "youtube#playlistItem",
            "etag": _etag(item_id, position),
            "id": item_id.rstrip("="),
        }
        if "snippet" in parts:
            text = source.post_text(account_index, post_index)
            item["snippet"] = {
                "publishedAt": published,  # when it was added to the uploads playlist
                "channelId": account.platform_id,
                "title": text.title,
                "description": text.description,
                "thumbnails": _thumbnails(
                    f"https://i.ytimg.com/vi/{video_id}/{{name}}.jpg", _VIDEO_THUMBS
                ),
                "channelTitle": account.title,
                "playlistId": playlist_id,
                "position": position,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
                "videoOwnerChannelTitle": account.title,
                "videoOwnerChannelId": account.platform_id,
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {"videoId": video_id, "videoPublishedAt": published}
        if "status" in parts:
            item["status"] = {"privacyStatus": "public"}
        return item

    # ---- videos.list ----------------------------------------------------------------------

    def _videos(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        parts = self._parts(query, VIDEO_PARTS)
        self._filter(query, ("id",), ("id", "chart", "myRating"))
        states = [self._video_state(vid, day) for vid in self._ids(query)]
        # Unknown, foreign and not-yet-published ids are silently left out.
        items = [self._video_item(*s, day, parts) for s in states if s is not None]
        return {
            "kind": "youtube#videoListResponse",
            "etag": _etag("videos", day, [i["id"] for i in items]),
            "items": items,  # videos.list keeps the key, possibly empty
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }

    def _video_state(self, video_id: str, day: date) -> tuple[World, VideoState] | None:
        return listening.first_found(self.world, lambda s: s.video_state(video_id, day))

    def _video_item(
        self, source: World, state: VideoState, day: date, parts: set[str]
    ) -> dict[str, Any]:
        account = source.account(state.account_index)
        item: dict[str, Any] = {
            "kind": "youtube#video",
            "etag": _etag(state.video_id, day, sorted(parts)),
            "id": state.video_id,
        }
        if "snippet" in parts:
            text = state.text
            item["snippet"] = {
                "publishedAt": _rfc3339(state.published_at),
                "channelId": state.channel_id,
                "title": text.title,
                "description": text.description,
                "thumbnails": _thumbnails(
                    f"https://i.ytimg.com/vi/{state.video_id}/{{name}}.jpg", _VIDEO_THUMBS
                ),
                "channelTitle": account.title,
                "tags": list(text.tags),
                "categoryId": state.category_id,
                "liveBroadcastContent": "none",
                "localized": {"title": text.title, "description": text.description},
                "defaultAudioLanguage": "en",
            }
        if "contentDetails" in parts:
            item["contentDetails"] = {
                "duration": _iso_duration(state.duration_s),
                "dimension": "2d",
                "definition": "hd",
                "caption": "true" if state.has_captions else "false",  # a string, not a boolean
                "licensedContent": True,
                "contentRating": {},
                "projection": "rectangular",
            }
        if "statistics" in parts:
            stats = {"viewCount": str(state.views)}
            if state.likes is not None:
                stats["likeCount"] = str(state.likes)
            stats["favoriteCount"] = "0"
            if state.comments is not None:
                stats["commentCount"] = str(state.comments)
            item["statistics"] = stats
        return item

    # ---- commentThreads.list --------------------------------------------------------------

    def _comment_threads(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        raw_parts = {p.strip() for p in query.get("part", "").split(",") if p.strip()}
        if "replies" in raw_parts:  # real, but replies are beyond the sandbox (module docstring)
            raise _bad_request("replies", "unknownPart", "part", domain="youtube.part")
        parts = self._parts(query, COMMENT_THREAD_PARTS)
        per_page = self._max_results(query, DEFAULT_COMMENT_RESULTS, 1, MAX_COMMENT_RESULTS)
        order = self._choice(query, "order", COMMENT_ORDERS)
        text_format = self._choice(query, "textFormat", TEXT_FORMATS)
        known = ("videoId", "allThreadsRelatedToChannelId", "id")
        if self._filter(query, known, known) != "videoId":  # real filters the pipeline never uses
            raise _bad_request(
                "The sandbox lists comment threads by videoId only.", "invalidParameter", "videoId"
            )
        video_id = query["videoId"]
        today = self.world.day_index(day)
        listed_day, offset = self._comment_page(query.get("pageToken"), video_id, today)
        post = self._commented_post(video_id, listed_day)
        listing = self._comments(*post, listed_day)
        if listing.disabled:
            raise _comment_thread_error(403, "commentsDisabled", "has disabled comments.")
        ranks = list(range(listing.listed))
        if order == "relevance":  # most liked first; time breaks ties
            ranks.sort(key=lambda i: -int(listing.like_count[i]))
        shown = ranks[offset : offset + per_page]
        items = [self._comment_thread(listing, i, parts, text_format) for i in shown]
        response: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": _etag("commentThreads", video_id, listed_day, order, offset, per_page),
        }
        if offset + per_page < listing.listed:
            owner = f"{video_id}:{listed_day}:{order}"
            response["nextPageToken"] = self._page_token(owner, offset + per_page)
        # totalResults is the page's count, not the video's (as YouTube answers).
        response["pageInfo"] = {"totalResults": len(items), "resultsPerPage": per_page}
        response["items"] = items
        return response

    @staticmethod
    def _choice(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
        value = query.get(name, allowed[0])
        if value not in allowed:
            raise _bad_request(
                f"Invalid value '{value}' for {name}.", "invalidParameter", name, domain="global"
            )
        return value

    @staticmethod
    def _comment_page(token: str | None, video_id: str, today: int) -> tuple[int, int]:
        """(the day the listing was fixed on, offset): today for a first page."""
        if not token:
            return today, 0
        owner, offset = _read_page_token(token)
        token_video, _, rest = owner.partition(":")
        listed_day, _, _ = rest.partition(":")
        if token_video != video_id or not listed_day.lstrip("-").isdigit():
            raise _invalid_page_token()
        return min(int(listed_day), today), offset

    def _commented_post(self, video_id: str, day_index: int) -> tuple[int, int]:
        decoded = self.world.decode_video_id(video_id)
        if decoded is None or decoded[1] >= self.world.visible_count(decoded[0], day_index):
            raise _comment_thread_error(404, "videoNotFound", "could not be found.")
        return decoded

    def _comment_thread(
        self, listing: comments.PostComments, i: int, parts: set[str], text_format: str
    ) -> dict[str, Any]:
        comment_id = listing.ids[i]
        item: dict[str, Any] = {
            "kind": "youtube#commentThread",
            "etag": _etag(comment_id, listing.day_index, sorted(parts), text_format),
            "id": comment_id,
        }
        if "snippet" not in parts:
            return item
        channel_id = self.world.account(listing.account_index).platform_id
        author = int(listing.author[i])
        author_channel = comments.commenter_channel_id(self.world.seed, author)
        text = listing.text(i)
        published = self.world.iso_time(listing.published_s[i])
        top_level = {
            "kind": "youtube#comment",
            "etag": _etag(comment_id, "comment", int(listing.like_count[i])),
            "id": comment_id,
            "snippet": {
                "channelId": channel_id,
                "videoId": listing.post_id,
                "textDisplay": text if text_format == "plainText" else _html(text),
                "textOriginal": text,
                "authorDisplayName": "@" + comments.commenter_handle(author),
                "authorProfileImageUrl": f"https://yt3.ggpht.com/{author_channel}=s48-c-k-c0x00ffffff-no-rj",
                "authorChannelUrl": f"http://www.youtube.com/channel/{author_channel}",
                "authorChannelId": {"value": author_channel},
                "canRate": True,
                "viewerRating": "none",
                "likeCount": int(listing.like_count[i]),  # a number, unlike video statistics
                "publishedAt": published,
                "updatedAt": published,
            },
        }
        item["snippet"] = {
            "channelId": channel_id,
            "videoId": listing.post_id,
            "topLevelComment": top_level,
            "canReply": True,
            "totalReplyCount": int(listing.reply_count[i]),
            "isPublic": True,
        }
        return item

    # ---- search.list (listening) ------------------------------------------------------------

    def _search(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        self._parts(query, SEARCH_PARTS)
        per_page = self._max_results(query)
        order = self._choice(query, "order", SEARCH_ORDERS)
        types = {t.strip() for t in query.get("type", "video,channel,playlist").split(",")}
        if not types or not types <= SEARCH_TYPES:
            raise _bad_request(
                f"Invalid value '{query.get('type')}' for type.", "invalidParameter", "type"
            )
        if types != {"video"} and any(name in query for name in VIDEO_ONLY_FILTERS):
            raise _bad_request(
                _INVALID_SEARCH_FILTER, "invalidSearchFilter", "type", "youtube.search"
            )
        after = self._search_time(query, "publishedAfter")
        before = self._search_time(query, "publishedBefore")
        today = self.world.day_index(day)
        signature = _etag(sorted((k, v) for k, v in query.items() if k not in _PAGE_PARAMS))
        listed_day, offset = self._search_page(query.get("pageToken"), signature, today)
        matches: tuple[listening.PostRef, ...] = ()
        if "video" in types:  # the sandbox's channels and playlists are not searchable
            matches = self._matches(
                query.get("q", ""), query.get("channelId"), after, before, listed_day, order
            )
        served = matches[: listening.SEARCH_RESULT_CAP]
        page = served[offset : offset + per_page]
        response: dict[str, Any] = {
            "kind": "youtube#searchListResponse",
            "etag": _etag("search", signature, listed_day, offset, per_page),
        }
        if per_page and offset + per_page < len(served):
            response["nextPageToken"] = self._page_token(
                f"{signature}:{listed_day}", offset + per_page
            )
        if offset > 0:
            previous = max(offset - per_page, 0)
            response["prevPageToken"] = self._page_token(f"{signature}:{listed_day}", previous)
        response["regionCode"] = query.get("regionCode", "US")
        # An estimate, as YouTube's is: every match, including those past the result cap.
        response["pageInfo"] = {"totalResults": len(matches), "resultsPerPage": per_page}
        response["items"] = [self._search_item(ref) for ref in page]
        return response

    @staticmethod
    def _search_time(query: Mapping[str, str], name: str) -> int | None:
        """An RFC 3339 bound as Unix seconds; None when absent."""
        raw = query.get(name)
        if raw is None:
            return None
        try:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                raise ValueError(raw)
        except ValueError:
            raise _bad_request(
                f"Invalid value '{raw}' for {name}: expected an RFC 3339 date-time.",
                "invalidParameter",
                name,
                domain="global",
            ) from None
        return int(moment.timestamp())

    @classmethod
    def _search_page(cls, token: str | None, signature: str, today: int) -> tuple[int, int]:
        """(the day the results were fixed on, offset): today for a first page."""
        if not token:
            return today, 0
        owner, offset = _read_page_token(token)
        token_signature, _, listed_day = owner.rpartition(":")
        if token_signature != signature or not listed_day.lstrip("-").isdigit():
            raise _invalid_page_token()
        return min(int(listed_day), today), offset

    def _search_matches(
        self,
        q: str,
        channel_id: str | None,
        after: int | None,
        before: int | None,
        day_index: int,
        order: str,
    ) -> tuple[listening.PostRef, ...]:
        """The videos published by the end of `day_index` within [after, before] (both
        inclusive, as documented) whose title or description matches `q`, ordered."""
        start = self.world.published_at(0).timestamp()
        first_s = -(10**12) if after is None else after - int(start)
        end_s = (day_index + 1) * DAY_S
        if before is not None:
            end_s = min(end_s, before - int(start) + 1)
        alternatives = _parse_q(q)
        found = []
        for ref in listening.platform_posts(self.world, "youtube", first_s, end_s):
            account = ref.source.account(ref.account_index)
            if channel_id is not None and account.platform_id != channel_id:
                continue
            if _q_matches(alternatives, listening.post_text(ref, "youtube").lower()):
                found.append(ref)
        if order == "date":
            found.sort(key=lambda r: (-r.published_s, r.on_roster, r.account_index))
        else:  # relevance and the others: the most viewed first, then the newest
            views = {ref: self._views(ref, day_index) for ref in found}
            found.sort(key=lambda r: (-views[r], -r.published_s, r.on_roster, r.account_index))
        return tuple(found)

    @staticmethod
    def _views(ref: listening.PostRef, day_index: int) -> int:
        at = slice(ref.post_index, ref.post_index + 1)
        return int(ref.source.metrics(ref.account_index, day_index, at)[0][0])

    def _search_item(self, ref: listening.PostRef) -> dict[str, Any]:
        source = ref.source
        account = source.account(ref.account_index)
        video_id = source.video_id(ref.account_index, ref.post_index)
        text = source.post_text(ref.account_index, ref.post_index)
        published = source.iso_time(ref.published_s)
        description = text.description
        if len(description) > SEARCH_DESCRIPTION_CHARS:  # the whole text is videos.list's
            description = description[: SEARCH_DESCRIPTION_CHARS - 4].rstrip() + " ..."
        return {
            "kind": "youtube#searchResult",
            "etag": _etag("searchResult", video_id),
            "id": {"kind": "youtube#video", "videoId": video_id},
            "snippet": {
                "publishedAt": published,
                "channelId": account.platform_id,
                "title": _html(text.title),  # search snippets come HTML-escaped
                "description": _html(description),
                "thumbnails": _thumbnails(
                    f"https://i.ytimg.com/vi/{video_id}/{{name}}.jpg", _VIDEO_THUMBS
                ),
                "channelTitle": _html(account.title),
                "liveBroadcastContent": "none",
                "publishTime": published,
            },
        }


_PAGE_PARAMS = frozenset({"pageToken", "key", "maxResults"})
_INVALID_SEARCH_FILTER = (
    "The request contains an invalid combination of search filters and/or restrictions. Note "
    "that you must set the <code>type</code> parameter to <code>video</code> if you set a value "
    "for the <code>eventType</code>, <code>videoCaption</code>, <code>videoCategoryId</code>, "
    "<code>videoDefinition</code>, <code>videoDimension</code>, <code>videoDuration</code>, "
    "<code>videoEmbeddable</code>, <code>videoLicense</code>, <code>videoSyndicated</code>, or "
    "<code>videoType</code> parameters."
)


def _parse_q(q: str) -> list[tuple[list[str], list[str]]]:
    """`q` as OR alternatives (`|`), each (words required, words excluded with `-`)."""
    alternatives = []
    for part in q.lower().split("|"):
        words = part.split()
        alternatives.append(
            (
                [w for w in words if not w.startswith("-")],
                [w[1:] for w in words if w.startswith("-") and len(w) > 1],
            )
        )
    return alternatives


def _q_matches(alternatives: list[tuple[list[str], list[str]]], text: str) -> bool:
    """YouTube's match is looser than a whole word: every required word appears somewhere in
    the text (so `lumencoffee` also finds "#lumencoffeefans"), no excluded one does. An empty
    `q` matches everything."""
    return any(
        all(w in text for w in required) and not any(w in text for w in excluded)
        for required, excluded in alternatives
    )
