"""TikTok Research API (client token, user info, video query, video comments) answered from the
world.

Shapes follow reference/platform_api_shapes.md section 3, traps included:

- `POST /v2/oauth/token/` (form: client_key, client_secret, grant_type=client_credentials) gives
  a `clt.` token valid 7,200 s; its errors use the OAuth root-level shape
  `{"error": "invalid_client", "error_description", "log_id"}`;
- every other body is `{"data": {...}, "error": {"code", "message", "log_id"}}`, with code "ok"
  on success; invalid_params 400, access_token_invalid 401, rate_limit_exceeded 429 (served by
  the fault layer, see `rate_limit_response`), daily_quota_limit_exceeded 429 once the client's
  requests of the (UTC, simulated) day pass its quota;
- user info answers `data` directly (not nested under `user`), only the requested fields;
- video query pages with `cursor` (an offset) + `search_id` + `has_more`; end_date may be at
  most 30 days after start_date, max_count at most 100 (default 20); its `query` is the
  documented `and` / `or` / `not` lists of conditions (operation EQ or IN; GT, GTE, LT, LTE on
  create_date) on username, hashtag_name (a tag of the description, without `#`, any case),
  keyword (anywhere in the description, substrings too, any case), region_code and create_date,
  over the roster's videos and the non-roster creators' (sandbox/listening.py), whose authors
  user info also answers for; each call is one research request of the daily quota;
- video ids and music ids are int64 JSON numbers above 2**53, written with their exact digits;
- video comment list (`POST /v2/research/video/comment/list/?fields=id,video_id,text,like_count,
  reply_count,parent_comment_id,create_time`, body `video_id` int64, `max_count` <= 100, default
  10, `cursor` an offset) answers `data.comments`, `data.has_more`, `data.cursor`, newest first;
  comment ids are int64 numbers, `parent_comment_id` of a top-level comment is its video's id,
  `create_time` Unix seconds, no author field (there is none in the API). Each call is one
  research request of the daily quota. Replies (`comment_id` in the body) are counted in
  `reply_count` but not served (sandbox/comments.py); an unknown video id answers
  invalid_params (the reference gives no shape for it).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import parse_qs

import numpy as np

from sandbox import comments, listening
from sandbox.platform_api import ApiRequest, ApiResponse, PlatformApi, accounts_truth, post_uniforms
from sandbox.world import DAY_S, Account, World

API_PREFIX = "/tiktok/"
DEFAULT_CLIENT_KEY = "sandbox-tiktok-key"
DEFAULT_CLIENT_SECRET = "sandbox-tiktok-secret"
DEFAULT_DAILY_REQUEST_QUOTA = 1_000  # research requests per day (research-api-faq)
TOKEN_LIFETIME_S = 7_200
DEFAULT_MAX_COUNT = 20
MAX_COUNT = 100
MAX_WINDOW_DAYS = 30  # end_date at most 30 days after start_date

TOKEN_PATH = "v2/oauth/token/"
USER_INFO_PATH = "v2/research/user/info/"
VIDEO_QUERY_PATH = "v2/research/video/query/"
COMMENT_LIST_PATH = "v2/research/video/comment/list/"
DEFAULT_COMMENT_COUNT = 10
COMMENT_FIELDS = frozenset(
    {"id", "video_id", "text", "like_count", "reply_count", "parent_comment_id", "create_time"}
)

USER_FIELDS = frozenset(
    {
        "display_name",
        "bio_description",
        "bio_url",
        "avatar_url",
        "is_verified",
        "follower_count",
        "following_count",
        "likes_count",
        "video_count",
    }
)
VIDEO_FIELDS = frozenset(
    {
        "id",
        "create_time",
        "username",
        "region_code",
        "video_description",
        "music_id",
        "like_count",
        "comment_count",
        "share_count",
        "view_count",
        "favorites_count",
        "hashtag_names",
        "effect_ids",
        "playlist_id",
        "voice_to_text",
        "video_duration",
    }
)
QUERY_OPERATIONS = ("IN", "EQ")
DATE_OPERATIONS = ("IN", "EQ", "GT", "GTE", "LT", "LTE")
QUERY_FIELDS = ("username", "hashtag_name", "keyword", "region_code", "create_date")
VERIFIED_FROM = 500_000  # followers from which the sandbox's accounts carry the badge
_TRAIT_STREAM = 0x54544150  # "TTAP": this module's random streams, apart from the world's kinds
_HASHTAG = re.compile(r"#(\w+)")
_DATE = re.compile(r"\d{8}")
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


# ---- errors ---------------------------------------------------------------------------------


class TikTokError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class OAuthError(TikTokError):
    """An error of the token endpoint, which answers in the OAuth root-level shape."""


def _invalid_params(message: str) -> TikTokError:
    return TikTokError(400, "invalid_params", message)


_log_counter = itertools.count()


def log_id(day: date | None = None) -> str:
    """`20230113024658F0D7C5D6CA3A9B79C5B9`: a timestamp and 20 hex digits."""
    now = datetime.now(UTC)
    stamp = (day or now.date()).strftime("%Y%m%d") + now.strftime("%H%M%S")
    digest = hashlib.blake2b(f"log:{next(_log_counter)}".encode(), digest_size=10).hexdigest()
    return stamp + digest.upper()


def envelope(
    data: dict[str, Any], code: str = "ok", message: str = "", day: date | None = None
) -> dict[str, Any]:
    return {"data": data, "error": {"code": code, "message": message, "log_id": log_id(day)}}


def error_response(error: TikTokError, day: date | None = None) -> ApiResponse:
    if isinstance(error, OAuthError):
        body = {"error": error.code, "error_description": error.message, "log_id": log_id(day)}
    else:
        body = envelope({}, error.code, error.message, day)
    return ApiResponse(error.status, dict(_JSON), body)


def rate_limit_response(day: date | None = None) -> ApiResponse:
    """What TikTok answers past its per-minute rate limit: 429 rate_limit_exceeded, no
    Retry-After. Worded without "quota" or "daily", which mean the day's budget is spent."""
    message = "The API rate limit was exceeded. Please try again later."
    return error_response(TikTokError(429, "rate_limit_exceeded", message), day)


def quota_exceeded_response(day: date | None = None) -> ApiResponse:
    """The day's research request quota is spent: 429 daily_quota_limit_exceeded (the code
    researchers' clients match on; the reference names no code for it)."""
    message = "The daily request quota has been exceeded. It resets at 00:00 UTC."
    return error_response(TikTokError(429, "daily_quota_limit_exceeded", message), day)


# ---- what the world's posts look like on TikTok ---------------------------------------------


def post_traits(world: World, account_index: int) -> np.ndarray:
    """Per post uniforms (sandbox.platform_api.post_uniforms): favourites ratio, music."""
    return post_uniforms(world, _TRAIT_STREAM, account_index, 2)


@dataclass(frozen=True)
class VideoCounts:
    views: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    favorites: np.ndarray


def video_counts(
    world: World, account_index: int, day_index: int, traits: np.ndarray, count: int
) -> VideoCounts:
    """Counts of posts 0..count-1 at the end of `day_index`. Favourites are a fixed share of
    likes, so like every count they never go down."""
    posts = slice(0, count)
    views, likes, comments = world.metrics(account_index, day_index, posts)
    favorite_ratio = 0.02 + 0.10 * traits[:count, 0]
    return VideoCounts(
        views=views,
        likes=likes,
        comments=comments,
        shares=world.shares(account_index, day_index, posts),
        favorites=np.floor(likes * favorite_ratio).astype(np.int64),
    )


def music_id(traits: np.ndarray, post_index: int) -> int:
    """An int64 above 2**53, as TikTok's are."""
    return 7 * 10**18 + int(traits[post_index, 1] * 10**17) * 10 + 1


def hashtag_names(description: str) -> list[str]:
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(description)))


def following_count(world: World, account_index: int) -> int:
    return 20 + int(world.rng(_TRAIT_STREAM, account_index, 1).random() * 900)


# ---- query parsing --------------------------------------------------------------------------


def _parse_day(raw: Any, name: str) -> date:
    if not isinstance(raw, str) or not _DATE.fullmatch(raw):
        raise _invalid_params(f"Invalid {name}: expected YYYYMMDD, got {raw!r}")
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise _invalid_params(f"Invalid {name}: {raw} is not a date") from None


def _requested(query: Mapping[str, str], allowed: frozenset[str]) -> list[str]:
    raw = [f.strip() for f in query.get("fields", "").split(",") if f.strip()]
    if not raw:
        raise _invalid_params("The fields parameter is required")
    unknown = [f for f in raw if f not in allowed]
    if unknown:
        raise _invalid_params(f"Invalid fields: {','.join(unknown)}")
    return list(dict.fromkeys(raw))


def _json_body(body: bytes | None) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise _invalid_params("The request body must be a JSON object")
    return payload


@dataclass(frozen=True)
class _Condition:
    operation: str
    field_name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Query:
    """A video query's `and` / `or` / `not` condition lists."""

    all_of: tuple[_Condition, ...]
    any_of: tuple[_Condition, ...]
    none_of: tuple[_Condition, ...]

    def usernames(self) -> tuple[str, ...] | None:
        """The only usernames a match can have (an `and` condition on username), else None."""
        for condition in self.all_of:
            if condition.field_name == "username":
                return condition.values
        return None


def _condition(raw: Any) -> _Condition:
    if not isinstance(raw, dict):
        raise _invalid_params("Each condition must be an object")
    operation, field_name = raw.get("operation"), raw.get("field_name")
    values = raw.get("field_values")
    if field_name not in QUERY_FIELDS:
        raise _invalid_params(f"Invalid field_name: {field_name!r}")
    allowed = DATE_OPERATIONS if field_name == "create_date" else QUERY_OPERATIONS
    if operation not in allowed:
        raise _invalid_params(f"Invalid operation: {operation!r}")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise _invalid_params("field_values must be a non-empty list of strings")
    if operation != "IN" and len(values) != 1:
        raise _invalid_params(f"{operation} takes exactly one field value")
    if field_name == "create_date" and not all(_DATE.fullmatch(v) for v in values):
        raise _invalid_params("create_date values are YYYYMMDD")
    return _Condition(operation, field_name, tuple(values))


def _parse_query(query: Any) -> _Query:
    """The documented query: `and`, `or` and `not` lists of conditions, at least one of them
    non-empty; fields username, hashtag_name, keyword, region_code, create_date."""
    if not isinstance(query, dict) or set(query) - {"and", "or", "not"}:
        raise _invalid_params('The query is an object of "and", "or" and "not" condition lists')
    lists = {name: query.get(name) or [] for name in ("and", "or", "not")}
    if not all(isinstance(v, list) for v in lists.values()) or not any(lists.values()):
        raise _invalid_params("A valid query must contain at least one non-empty condition list")
    return _Query(
        all_of=tuple(_condition(c) for c in lists["and"]),
        any_of=tuple(_condition(c) for c in lists["or"]),
        none_of=tuple(_condition(c) for c in lists["not"]),
    )


class _VideoFacts(NamedTuple):
    """What a query's conditions look at."""

    username: str
    description: str  # lowercased
    hashtags: frozenset[str]
    region_code: str
    create_date: str  # YYYYMMDD


def _holds(condition: _Condition, video: _VideoFacts) -> bool:
    values = condition.values
    if condition.field_name == "username":
        return video.username in values
    if condition.field_name == "hashtag_name":  # the tag's name without '#', any case
        return any(v.lower().lstrip("#") in video.hashtags for v in values)
    if condition.field_name == "keyword":  # anywhere in the description, substrings too
        return any(v.lower() in video.description for v in values)
    if condition.field_name == "region_code":
        return video.region_code in values
    compare = {
        "EQ": video.create_date == values[0],
        "IN": video.create_date in values,
        "GT": video.create_date > values[0],
        "GTE": video.create_date >= values[0],
        "LT": video.create_date < values[0],
        "LTE": video.create_date <= values[0],
    }
    return compare[condition.operation]


def _query_matches(query: _Query, video: _VideoFacts) -> bool:
    return (
        all(_holds(c, video) for c in query.all_of)
        and (not query.any_of or any(_holds(c, video) for c in query.any_of))
        and not any(_holds(c, video) for c in query.none_of)
    )


def _bounded_int(
    payload: Mapping[str, Any], name: str, default: int, low: int, high: int | None
) -> int:
    """An integer of the body within [low, high]; a bad cursor gets TikTok's own wording."""
    value = payload.get(name, default)
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if name == "cursor" and not (is_int and value >= low):
        raise _invalid_params("Invalid count or cursor")
    if not is_int:
        raise _invalid_params(f"{name} must be an integer")
    if value < low or (high is not None and value > high):
        raise _invalid_params(f"{name} must be between {low} and {high}")
    return int(value)


@dataclass(frozen=True)
class _Search:
    query: _Query
    start: date
    end: date
    max_count: int
    cursor: int
    search_id: str | None
    signature: str  # names the search apart from its page


def _parse_search(payload: Mapping[str, Any]) -> _Search:
    start = _parse_day(payload.get("start_date"), "start_date")
    end = _parse_day(payload.get("end_date"), "end_date")
    if end < start:
        raise _invalid_params("end_date must not be before start_date")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise _invalid_params(f"end_date must be at most {MAX_WINDOW_DAYS} days after start_date")
    max_count = _bounded_int(payload, "max_count", DEFAULT_MAX_COUNT, 1, MAX_COUNT)
    cursor = _bounded_int(payload, "cursor", 0, 0, None)
    search_id = payload.get("search_id")
    if search_id is not None and not isinstance(search_id, str):
        raise _invalid_params("search_id must be a string")
    query = _parse_query(payload.get("query"))
    signature = json.dumps(
        [payload.get("query"), start.isoformat(), end.isoformat(), bool(payload.get("is_random"))],
        sort_keys=True,
    )
    return _Search(query, start, end, max_count, cursor, search_id or None, signature)


def make_search_id(signature: str, day_index: int) -> str:
    """A 19-digit id naming the search and the simulated day its result set was fixed on, so
    follow-up pages see the same videos without the server keeping state."""
    digest = int.from_bytes(hashlib.blake2b(signature.encode(), digest_size=8).digest())
    return f"7{digest % 10**14:014d}{day_index:04d}"


def _search_day(search: _Search, day_index: int) -> int:
    """The day whose videos a page lists: the search's own, for a follow-up page."""
    if search.search_id is None:
        return day_index
    expected = make_search_id(search.signature, 0)[:-4]
    if not re.fullmatch(r"\d{19}", search.search_id) or search.search_id[:-4] != expected:
        raise _invalid_params("Invalid search_id")
    return min(int(search.search_id[-4:]), day_index)


# ---- the API ---------------------------------------------------------------------------------


@dataclass
class _DayUsage:
    requests: int = 0
    calls_user_info: int = 0
    calls_video_query: int = 0
    calls_comment_list: int = 0
    records: int = 0
    tokens_issued: int = 0
    quota_rejected: int = 0


class TikTokApi(PlatformApi):
    """The Research API for one client (key and secret), with its daily request quota."""

    api_prefix = API_PREFIX

    def __init__(
        self,
        world: World,
        client_key: str = DEFAULT_CLIENT_KEY,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        daily_request_quota: int = DEFAULT_DAILY_REQUEST_QUOTA,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(world)
        self.client_key, self.client_secret = client_key, client_secret
        self.daily_request_quota = daily_request_quota
        self._clock = clock  # token lifetimes run in real seconds
        self._tokens: dict[str, float] = {}  # token -> expiry on the clock
        self._usage: dict[date, _DayUsage] = defaultdict(_DayUsage)
        self._token_counter = itertools.count()
        self._traits = lru_cache(4096)(post_traits)  # (source world, account index)
        self._comments = lru_cache(1024)(
            lambda account, post, day: comments.post_comments(world, account, post, day)
        )
        self._found = lru_cache(256)(self._matching)
        # A query of a day scans every video of its date range, and the next day's queries the
        # same videos again: their facts (text, hashtags, region) never change.
        self._facts = lru_cache(65_536)(self._video_facts)

    # ---- entry point ----------------------------------------------------------------------

    def answer(self, request: ApiRequest) -> ApiResponse:
        method, endpoint, day = request.method, request.endpoint + "/", request.day
        try:
            if method.upper() != "POST" or endpoint not in (
                TOKEN_PATH,
                USER_INFO_PATH,
                VIDEO_QUERY_PATH,
                COMMENT_LIST_PATH,
            ):
                raise TikTokError(404, "invalid_params", f"No such endpoint: {method} {endpoint}")
            if endpoint == TOKEN_PATH:
                return ApiResponse(200, dict(_JSON), self._issue_token(request.body, day))
            self._check_token(request.headers)
            if not self._spend_request(day):
                return quota_exceeded_response(day)
            handler = {
                USER_INFO_PATH: self._user_info,
                VIDEO_QUERY_PATH: self._video_query,
                COMMENT_LIST_PATH: self._comment_list,
            }[endpoint]
            data = handler(request.query, _json_body(request.body), day)
            return ApiResponse(200, dict(_JSON), envelope(data, day=day))
        except TikTokError as error:
            return error_response(error, day)

    # ---- oauth ----------------------------------------------------------------------------

    def _issue_token(self, body: bytes | None, day: date) -> dict[str, Any]:
        form = {k: v[-1] for k, v in parse_qs((body or b"").decode(errors="replace")).items()}
        missing = [k for k in ("client_key", "client_secret", "grant_type") if not form.get(k)]
        if missing:
            raise OAuthError(400, "invalid_request", f"Missing {', '.join(missing)}.")
        if form["grant_type"] != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "The grant type is not supported.")
        if form["client_key"] != self.client_key or form["client_secret"] != self.client_secret:
            raise OAuthError(401, "invalid_client", "Client key or secret is incorrect.")
        with self._lock:
            now = self._clock()
            # Expired tokens are forgotten, so a long-running server does not hoard them.
            self._tokens = {t: expiry for t, expiry in self._tokens.items() if expiry > now}
            seed = f"{self.client_key}:{next(self._token_counter)}:{now}".encode()
            token = "clt." + hashlib.blake2b(seed, digest_size=24).hexdigest()
            self._tokens[token] = now + TOKEN_LIFETIME_S
            self._usage[day].tokens_issued += 1
        return {"access_token": token, "expires_in": TOKEN_LIFETIME_S, "token_type": "Bearer"}

    def _check_token(self, headers: Mapping[str, str]) -> None:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        with self._lock:
            expiry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None or self._clock() >= expiry:
            raise TikTokError(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )

    def _spend_request(self, day: date) -> bool:
        """Count a research request against the client's day (UTC); False once it is spent."""
        with self._lock:
            used = self._usage[day]
            if used.requests >= self.daily_request_quota:
                used.quota_rejected += 1
                return False
            used.requests += 1
            return True

    # ---- user info ------------------------------------------------------------------------

    def _user_info(
        self, query: Mapping[str, str], payload: Mapping[str, Any], day: date
    ) -> dict[str, Any]:
        fields = _requested(query, USER_FIELDS)
        username = payload.get("username")
        if not isinstance(username, str) or not username:
            raise _invalid_params("The username is required")
        source, account = self._account(username)
        with self._lock:
            self._usage[day].calls_user_info += 1
        d = source.day_index(day)
        visible = source.visible_count(account.index, d)
        _, likes, _ = source.metrics(account.index, d, slice(0, visible))
        creator = source.creator_of(account)
        followers = int(source.followers(account.index)[d])
        values = {
            "display_name": account.title,
            "bio_description": f"{creator.niche.capitalize()} | {creator.country}",
            "bio_url": "",
            "avatar_url": (
                "https://p16-sign.tiktokcdn-us.com/tos-useast5-avt-0068-tx/"
                f"{account.platform_id}~c5_168x168.jpeg"
            ),
            "is_verified": followers >= VERIFIED_FROM,
            "follower_count": followers,
            "following_count": following_count(source, account.index),
            "likes_count": int(likes.sum()),
            "video_count": visible,
        }
        return {name: values[name] for name in fields}

    def _account(self, username: str) -> tuple[World, Account]:
        """(source, account) of a roster or non-roster username (sandbox/listening.py)."""
        found = listening.find_handle(self.world, "tiktok", username)
        if found is None or username.startswith("@"):  # find_handle would drop the "@"
            # The reference gives no shape for an unknown username; invalid_params is ours.
            raise _invalid_params(f"The user {username} does not exist or is not public")
        return found

    # ---- video query ----------------------------------------------------------------------

    def _video_query(
        self, query: Mapping[str, str], payload: Mapping[str, Any], day: date
    ) -> dict[str, Any]:
        fields = _requested(query, VIDEO_FIELDS)
        search = _parse_search(payload)
        d = self.world.day_index(day)
        listed_day = _search_day(search, d)
        found = self._found(search.query, search.start, search.end, listed_day)
        if search.cursor > len(found):
            raise _invalid_params("Invalid count or cursor")
        page = found[search.cursor : search.cursor + search.max_count]
        # A page holds many videos of few accounts: each account's counts are computed once.
        accounts = dict.fromkeys((ref.source, ref.account_index) for ref in page)
        counts = {account: self._counts(*account, d) for account in accounts}
        videos = [self._video(ref, counts[(ref.source, ref.account_index)], fields) for ref in page]
        with self._lock:
            used = self._usage[day]
            used.calls_video_query += 1
            used.records += len(videos)
        cursor = search.cursor + len(videos)
        return {
            "videos": videos,
            "cursor": cursor,
            "search_id": search.search_id or make_search_id(search.signature, listed_day),
            "has_more": cursor < len(found),
        }

    def _counts(self, source: World, account_index: int, day_index: int) -> VideoCounts:
        visible = source.visible_count(account_index, day_index)
        traits = self._traits(source, account_index)
        return video_counts(source, account_index, day_index, traits, visible)

    def _matching(
        self, query: _Query, start: date, end: date, day_index: int
    ) -> tuple[listening.PostRef, ...]:
        """The videos in the date range, published by the end of `day_index`, that the query
        matches (roster and non-roster accounts), newest first."""
        first_s = (start - self.world.start_date).days * DAY_S
        end_s = min((end - self.world.start_date).days + 1, day_index + 1) * DAY_S
        usernames = query.usernames()
        if usernames is None:
            candidates = list(listening.platform_posts(self.world, "tiktok", first_s, end_s))
        else:
            candidates = []
            for username in dict.fromkeys(usernames):
                found = listening.find_handle(self.world, "tiktok", username)
                if found is None or username.startswith("@"):
                    continue  # TikTok finds no videos for a username it does not know
                source, account = found
                published = source.posts(account.index).published_s
                lo, hi = np.searchsorted(published, [first_s, end_s], side="left")
                candidates += [
                    listening.PostRef(source, account.index, p, int(published[p]))
                    for p in range(int(lo), int(hi))
                ]
        found_refs = [ref for ref in candidates if _query_matches(query, self._facts(ref))]
        found_refs.sort(
            key=lambda r: (-r.published_s, not r.on_roster, r.account_index, r.post_index)
        )
        return tuple(found_refs)

    def _video_facts(self, ref: listening.PostRef) -> _VideoFacts:
        account = ref.source.account(ref.account_index)
        description = ref.source.post_text(ref.account_index, ref.post_index).description
        published = ref.source.published_at(ref.published_s)
        return _VideoFacts(
            username=account.handle,
            description=description.lower(),
            hashtags=frozenset(hashtag_names(description)),
            region_code=ref.source.creator_of(account).country,
            create_date=published.strftime("%Y%m%d"),
        )

    def _video(
        self, ref: listening.PostRef, counts: VideoCounts, fields: list[str]
    ) -> dict[str, Any]:
        source, account_index, post_index = ref.source, ref.account_index, ref.post_index
        traits = self._traits(source, account_index)
        account = source.account(account_index)
        posts = source.posts(account_index)
        description = source.post_text(account_index, post_index).description
        values = {
            "id": int(source.post_id(account_index, post_index)),  # int64, above 2**53
            "create_time": source.epoch_s(posts.published_s[post_index]),
            "username": account.handle,
            "region_code": source.creator_of(account).country,
            "video_description": description,
            "music_id": music_id(traits, post_index),
            "like_count": int(counts.likes[post_index]),
            "comment_count": int(counts.comments[post_index]),
            "share_count": int(counts.shares[post_index]),
            "view_count": int(counts.views[post_index]),
            "favorites_count": int(counts.favorites[post_index]),
            "hashtag_names": hashtag_names(description),
            "effect_ids": ["0"],
            "playlist_id": 0,
            "voice_to_text": "",
            "video_duration": int(posts.duration_s[post_index]),
        }
        return {name: values[name] for name in fields}

    # ---- video comment list ---------------------------------------------------------------

    def _comment_list(
        self, query: Mapping[str, str], payload: Mapping[str, Any], day: date
    ) -> dict[str, Any]:
        fields = _requested(query, COMMENT_FIELDS)
        if "comment_id" in payload:
            if "video_id" in payload:
                raise _invalid_params("Only one of video_id and comment_id can be requested")
            raise _invalid_params("The sandbox does not serve replies (comment_id)")
        max_count = _bounded_int(payload, "max_count", DEFAULT_COMMENT_COUNT, 1, MAX_COUNT)
        cursor = _bounded_int(payload, "cursor", 0, 0, None)
        d = self.world.day_index(day)
        listing = self._comments(*self._commented_video(payload.get("video_id"), d), d)
        if cursor > listing.listed:
            raise _invalid_params("Invalid count or cursor")
        shown = range(cursor, min(cursor + max_count, listing.listed))
        video_id = int(listing.post_id)
        values = [self._comment(listing, video_id, i, fields) for i in shown]
        with self._lock:
            used = self._usage[day]
            used.calls_comment_list += 1
            used.records += len(values)
        return {"comments": values, "cursor": shown.stop, "has_more": shown.stop < listing.listed}

    def _commented_video(self, video_id: Any, day_index: int) -> tuple[int, int]:
        if isinstance(video_id, bool) or not isinstance(video_id, int):
            raise _invalid_params("video_id must be an int64")
        found = self.world.decode_post_id("tiktok", str(video_id))
        if found is None or found[1] >= self.world.visible_count(found[0], day_index):
            raise _invalid_params(f"The video {video_id} does not exist or is not public")
        return found

    def _comment(
        self, listing: comments.PostComments, video_id: int, i: int, fields: list[str]
    ) -> dict[str, Any]:
        values = {
            "id": int(listing.ids[i]),  # int64, above 2**53
            "video_id": video_id,
            "text": listing.text(i),
            "like_count": int(listing.like_count[i]),
            "reply_count": int(listing.reply_count[i]),
            "parent_comment_id": video_id,  # a top-level comment's parent is its video
            "create_time": self.world.epoch_s(listing.published_s[i]),
        }
        return {name: values[name] for name in fields}

    # ---- usage ----------------------------------------------------------------------------

    def usage(self) -> dict[str, dict[str, int]]:
        """Research requests (the quota's unit), calls per endpoint, records returned, tokens
        issued and requests refused for the quota, per simulated day."""
        with self._lock:
            return {day.isoformat(): dict(vars(used)) for day, used in sorted(self._usage.items())}


# ---- ground truth -----------------------------------------------------------------------------


def account_truth(world: World, account_index: int, day: date) -> dict[str, Any]:
    """One account as the API shows it: followers per day from the world's start to `day`, and
    every video visible on `day` (oldest first) with that day's counts; ids as strings."""
    account = world.account(account_index)
    d = world.day_index(day)
    visible = world.visible_count(account_index, d)
    counts = video_counts(world, account_index, d, post_traits(world, account_index), visible)
    published = world.posts(account_index).published_s
    videos = [
        {
            "video_id": world.post_id(account_index, p),
            "create_time": world.epoch_s(published[p]),
            "view_count": int(counts.views[p]),
            "like_count": int(counts.likes[p]),
            "comment_count": int(counts.comments[p]),
            "share_count": int(counts.shares[p]),
        }
        for p in range(visible)
    ]
    return {
        "creator_id": world.creator_of(account).creator_id,
        "user_id": account.platform_id,
        "follower_counts": world.followers(account_index)[: d + 1].tolist(),
        "following_count": following_count(world, account_index),
        "likes_count": int(counts.likes.sum()),
        "video_count": visible,
        "videos": videos,
    }


def ground_truth(world: World, day: date) -> dict[str, Any]:
    """What the pipeline should land from TikTok as of `day`, keyed by username."""
    return accounts_truth(world, "tiktok", account_truth, day)
