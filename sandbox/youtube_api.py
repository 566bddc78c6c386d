"""YouTube Data API v3 (channels.list, playlistItems.list, videos.list, commentThreads.list)
answered from the world.

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

from sandbox import comments
from sandbox.platform_api import ApiRequest, ApiResponse, PlatformApi
from sandbox.world import ChannelState, VideoState, World

API_PREFIX = "/youtube/v3/"
DEFAULT_API_KEY = "sandbox-youtube-key"
DEFAULT_DAILY_QUOTA = 10_000
MAX_IDS = 50
UNITS_PER_CALL = 1  # channels, playlistItems and videos list calls each cost one unit
CHANNEL_PARTS = frozenset({"id", "snippet", "statistics", "contentDetails"})
PLAYLIST_ITEM_PARTS = frozenset({"id", "snippet", "contentDetails", "status"})
VIDEO_PARTS = frozenset({"id", "snippet", "statistics", "contentDetails"})
COMMENT_THREAD_PARTS = frozenset({"id", "snippet"})
MAX_COMMENT_RESULTS, DEFAULT_COMMENT_RESULTS = 100, 20
COMMENT_ORDERS = ("time", "relevance")
TEXT_FORMATS = ("html", "plainText")
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
        self, world: World, api_key: str = DEFAULT_API_KEY, daily_quota: int = DEFAULT_DAILY_QUOTA
    ) -> None:
        super().__init__(world)
        self.api_key, self.daily_quota = api_key, daily_quota
        self._used: dict[tuple[str, date], int] = defaultdict(int)
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
        with self._lock:
            if self._used[(key, day)] + UNITS_PER_CALL > self.daily_quota:
                raise _quota_exceeded()
            self._used[(key, day)] += UNITS_PER_CALL
            self._calls[(day, endpoint)] += 1

    def usage(self) -> dict[str, dict[str, int]]:
        """Quota units and calls per simulated day (keys are not echoed back)."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        with self._lock:
            for (_, day), units in self._used.items():
                out[day.isoformat()]["units"] = out[day.isoformat()].get("units", 0) + units
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
            states = [self.world.channel_state(cid, day) for cid in self._ids(query)]
        elif chosen == "forHandle":
            account = self.world.find_handle("youtube", query["forHandle"])
            states = [self.world.channel_state(account.platform_id, day)] if account else []
        else:
            states = []  # legacy usernames: the sandbox's channels have none
        items = [self._channel_item(s, parts) for s in states if s is not None]
        response: dict[str, Any] = {
            "kind": "youtube#channelListResponse",
            "etag": _etag("channels", day, [i["id"] for i in items]),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": per_page},
        }
        if items:  # no match: the `items` key is absent altogether (not an empty list)
            response["items"] = items
        return response

    def _channel_item(self, state: ChannelState, parts: set[str]) -> dict[str, Any]:
        account = self.world.account(state.account_index)
        creator = self.world.creator_of(account)
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
        account = self.world.channel("UC" + playlist_id[2:]) if playlist_id[:2] == "UU" else None
        if account is None:
            raise google_error(
                404,
                "The playlist identified with the request's <code>playlistId</code> parameter "
                "cannot be found.",
                "playlistNotFound",
                "youtube.playlistItem",
                location="playlistId",
            )
        # Newest first: position 0 is the latest post visible at the end of `day`.
        total = self.world.visible_count(account.index, self.world.day_index(day))
        offset = self._page_offset(query.get("pageToken"), playlist_id)
        positions = range(offset, min(offset + per_page, total))
        items = [
            self._playlist_item(account.index, total - 1 - position, position, parts)
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
        self, account_index: int, post_index: int, position: int, parts: set[str]
    ) -> dict[str, Any]:
        account = self.world.account(account_index)
        playlist_id = "UU" + account.platform_id[2:]
        video_id = self.world.video_id(account_index, post_index)
        published = _rfc3339(self.world.post_published_at(account_index, post_index))
        item_id = base64.urlsafe_b64encode(f"{playlist_id}.{video_id}".encode()).decode()
        item: dict[str, Any] = {
            "kind": "youtube#playlistItem",
            "etag": _etag(item_id, position),
            "id": item_id.rstrip("="),
        }
        if "snippet" in parts:
            text = self.world.post_text(account_index, post_index)
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
        states = [self.world.video_state(vid, day) for vid in self._ids(query)]
        # Unknown, foreign and not-yet-published ids are silently left out.
        items = [self._video_item(s, day, parts) for s in states if s is not None]
        return {
            "kind": "youtube#videoListResponse",
            "etag": _etag("videos", day, [i["id"] for i in items]),
            "items": items,  # videos.list keeps the key, possibly empty
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }

    def _video_item(self, state: VideoState, day: date, parts: set[str]) -> dict[str, Any]:
        account = self.world.account(state.account_index)
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
        published = _rfc3339(self.world.published_at(int(listing.published_s[i])))
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
