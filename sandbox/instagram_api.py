"""Instagram Graph API v25.0 business_discovery and hashtag search, answered from the world.

The brand's own IG user (BRAND_IG_USER_ID) asks for other professional accounts' profiles and
media: `GET /{ig-user-id}?fields=business_discovery.username(x){...,media.after(c).limit(n){...}}`.
Shapes follow reference/platform_api_shapes.md section 2, traps included:

- the `fields` expression is parsed for real: only the requested fields come back, every node
  carries its `id` (appended when not asked for), unknown fields and syntax errors are code 100;
- ids are numeric strings, counts numbers, `timestamp` is `2026-03-01T14:05:12+0000`;
- media come newest first; pages carry `paging.cursors` only — business discovery never sends a
  `paging.next` URL, so `cursors.after` (absent on the last page) is the only way on;
- `like_count` is 0 when the creator hides likes (Graph changelog, May 2021), `comments_count`
  0 while commenting is turned off (Instagram hides the comments then);
- the access token is accepted as Graph accepts it, in an `Authorization: Bearer` header (what
  the pipeline sends, keeping it out of every URL) or as the `access_token=` query parameter;
- errors are HTTP 400 (404 for an unknown alias) with the Graph error object: 104 no token, 190
  bad token, 110/2207013 unknown or non-professional username, 100 bad fields or another object;
- every answer to a call made with the app's token carries X-App-Usage and
  X-Business-Use-Case-Usage, whose percentages grow with the calls of the simulated day.

Throttles (codes 4, 17, 32, 613, 80002) are the fault layer's to serve; `rate_limit_response`
builds them in this platform's own shape.

Hashtag search (reference listening_api_shapes.md section 2), over the roster's media and the
non-roster creators' (sandbox/listening.py): `GET /ig_hashtag_search?user_id=<brand>&q=<name>`
answers `{"data": [{"id"}]}` (ids static and global: `hashtag_id`); `GET /{hashtag-id}` the
id and name; `GET /{hashtag-id}/recent_media` the media whose caption carries the hashtag,
published in the 24 hours up to the end of the clock's day, ordered by id (not by time), and
`/top_media` the TOP_MEDIA_MAX most liked and commented of TOP_MEDIA_DAYS days, both with
user_id (required), fields (HASHTAG_MEDIA_FIELDS: asking for `username` is error 100, media
carry no author; `like_count` absent where likes are hidden, no `media_url` on albums) and
limit <= 50. Their pages repeat the same `cursors.after`; the page is in `paging.next`'s
`__paging_token` (a bare `after` reads the second page), so a client follows `next` until it is
absent. The brand user may query MAX_UNIQUE_HASHTAGS hashtags in a rolling 7 days, counted by a
search or a media call of a hashtag not counted in the window; the next one answers HTTP 400
OAuthException code 24 (code, subcode and wording the sandbox's: none is documented);
`GET /{ig-user-id}/recently_searched_hashtags` lists those counted. business_discovery also
answers for the non-roster accounts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple, NoReturn
from urllib.parse import urlencode

import numpy as np

from sandbox import listening, vocab
from sandbox.platform_api import ApiRequest, ApiResponse, PlatformApi, accounts_truth, post_uniforms
from sandbox.world import DAY_S, World

API_PREFIX = "/instagram/v25.0/"
API_VERSION = "v25.0"
DEFAULT_ACCESS_TOKEN = "sandbox-instagram-token"
BRAND_IG_USER_ID = "17841400000000000"
BRAND_USERNAME = "sandbox.brand"
DEFAULT_MEDIA_LIMIT = 25
MAX_MEDIA_LIMIT = 50  # business discovery caps a media page at 50 (reference 2.3)

# Rate-limit budgets the usage headers are percentages of. The platform limit is 200 calls per
# user and hour (one system user: 4,800 a day); the BUC limit of an IG account is 4,800 x its
# daily impressions, for which the sandbox assumes 10.
APP_CALLS_PER_DAY = 200 * 24
BUC_CALLS_PER_DAY = 4_800 * 10
THROTTLED_REGAIN_MINUTES = 60  # what the BUC header says once a budget is spent

THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "Calls to this api have exceeded the rate limit.",
    80002: (
        "There have been too many calls to this Instagram account. Wait a bit and try again. "
        "For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
    ),
}

# Media kinds as (media_type, media_product_type, share of posts); every video is a Reel now.
MEDIA_KINDS = (("IMAGE", "FEED", 0.45), ("CAROUSEL_ALBUM", "FEED", 0.20), ("VIDEO", "REELS", 0.35))
_KIND_EDGES = np.cumsum([share for _, _, share in MEDIA_KINDS])

USER_FIELDS = frozenset(
    {
        "id",
        "ig_id",
        "username",
        "name",
        "biography",
        "website",
        "profile_picture_url",
        "followers_count",
        "follows_count",
        "media_count",
        "media",
    }
)
MEDIA_FIELDS = frozenset(
    {
        "id",
        "caption",
        "comments_count",
        "like_count",
        "media_type",
        "media_product_type",
        "media_url",
        "thumbnail_url",
        "permalink",
        "shortcode",
        "timestamp",
        "username",
        "is_comment_enabled",
    }
)
BRAND_FIELDS = USER_FIELDS | {"business_discovery"}
# Hashtag search (reference listening_api_shapes.md section 2).
HASHTAG_MEDIA_FIELDS = frozenset(
    {"id", "caption", "children", "comments_count", "like_count", "media_type", "media_url",
     "permalink", "timestamp"}
)  # fmt: skip
MAX_UNIQUE_HASHTAGS = 30  # per IG user in a rolling 7 days
HASHTAG_WINDOW_DAYS = 7
RECENT_HASHTAGS_DEFAULT = 25
TOP_MEDIA_DAYS, TOP_MEDIA_MAX = 30, 50
# The 31st unique hashtag's error: no official body is known (reference 2.3), so the code,
# subcode and wording are the sandbox's, in the standard Graph error object.
HASHTAG_LIMIT_CODE, HASHTAG_LIMIT_SUBCODE = 24, 2207034
HASHTAG_LIMIT_MESSAGE = "(#24) You can query a maximum of 30 unique hashtags within a 7 day period."
_HASHTAG_NAME = re.compile(r"\w{1,100}")
_PAGING_PARAMS = frozenset({"after", "__paging_token", "access_token", "limit"})
_USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TRAIT_STREAM = 0x49474150  # "IGAP": this module's random streams, apart from the world's kinds
_JSON = {"Content-Type": "application/json; charset=UTF-8", "facebook-api-version": API_VERSION}


# ---- errors ---------------------------------------------------------------------------------


class GraphError(Exception):
    """A Graph API error; `fields` is the error object without its fbtrace_id."""

    def __init__(self, status: int, fields: dict[str, Any]) -> None:
        super().__init__(fields["message"])
        self.status, self.fields = status, fields


def graph_error(
    code: int,
    message: str,
    *,
    status: int = 400,
    error_type: str = "OAuthException",
    subcode: int | None = None,
    is_transient: bool | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
) -> GraphError:
    fields: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        fields["error_subcode"] = subcode
    if is_transient is not None:
        fields["is_transient"] = is_transient
    if user_title is not None:
        fields["error_user_title"] = user_title
    if user_msg is not None:
        fields["error_user_msg"] = user_msg
    return GraphError(status, fields)


def _bad_field(node_type: str, name: str) -> GraphError:
    return graph_error(
        100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
    )


def _bad_parameter(message: str) -> GraphError:
    return graph_error(100, f"(#100) {message}")


def _unknown_user(username: str) -> GraphError:
    # Code, subcode, message and is_transient as captured; the user_* strings are localised by
    # Meta per request (reference 2.3), English here.
    return graph_error(
        110,
        "Invalid user id",
        subcode=2207013,
        is_transient=False,
        user_title="Cannot find User",
        user_msg=f"The user with username: {username} cannot be found.",
    )


def _unsupported(method: str, object_id: str) -> GraphError:
    return graph_error(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException",
        subcode=33,
    )


def hashtag_id(name: str) -> str:
    """A hashtag's id: static and global (the same for every world and app), as Meta's are."""
    digest = hashlib.blake2b(f"ig-hashtag:{name.lower()}".encode(), digest_size=8).digest()
    return "178" + f"{int.from_bytes(digest) % 10**14:014d}"


def known_hashtags() -> set[str]:
    """Hashtags whose id the API resolves before anyone searched them: the listening terms,
    the niches' hashtags and the competitors' (ids are static, so clients may cache them)."""
    names = {term for term, _ in listening.all_terms()}
    names |= {h.lstrip("#") for niche in vocab.NICHES.values() for h in niche.hashtags}
    names |= {t.lstrip("#").lower() for _, tokens in vocab.COMPETITORS for t in tokens}
    return names


_trace_counter = itertools.count()


def fbtrace_id() -> str:
    """An opaque 23-character trace id, as Meta puts in every error."""
    digest = hashlib.blake2b(f"fbtrace:{next(_trace_counter)}".encode(), digest_size=18).digest()
    return base64.urlsafe_b64encode(digest).decode()[:23]


def error_response(error: GraphError, headers: Mapping[str, str] | None = None) -> ApiResponse:
    body = {"error": {**error.fields, "fbtrace_id": fbtrace_id()}}
    return ApiResponse(error.status, {**_JSON, **(headers or {})}, body)


# ---- usage headers and throttles ------------------------------------------------------------


class Usage(NamedTuple):
    """Integer percentages of a budget, as Meta reports them."""

    call_count: int
    total_cputime: int
    total_time: int

    @property
    def spent(self) -> bool:
        return max(self) >= 100


def _percent(used: float, budget: int) -> int:
    return min(100, int(100 * used / budget))


def usage_headers(
    app: Usage, buc: Usage, ig_user_id: str = BRAND_IG_USER_ID, regain_minutes: int | None = None
) -> dict[str, str]:
    """X-App-Usage and X-Business-Use-Case-Usage (keyed by the IG user the calls count against);
    estimated_time_to_regain_access is in minutes, 0 while the budget lasts."""
    if regain_minutes is None:
        regain_minutes = THROTTLED_REGAIN_MINUTES if buc.spent or app.spent else 0
    buc_entry = {"type": "instagram", **buc._asdict()}
    buc_entry["estimated_time_to_regain_access"] = regain_minutes
    return {
        "X-App-Usage": json.dumps(app._asdict()),
        "X-Business-Use-Case-Usage": json.dumps({ig_user_id: [buc_entry]}),
    }


def rate_limit_response(
    code: int,
    *,
    ig_user_id: str = BRAND_IG_USER_ID,
    regain_minutes: int = 0,
    app: Usage | None = None,
    buc: Usage | None = None,
) -> ApiResponse:
    """The throttle answer for code 4, 17, 32, 613 or 80002: HTTP 400, is_transient, no
    Retry-After; the wait is the BUC header's estimated_time_to_regain_access (minutes). The
    exhausted budget shows 100% (the app's for code 4, the IG account's otherwise)."""
    if code not in THROTTLE_MESSAGES:
        raise ValueError(f"not an Instagram throttle code: {code}")
    app = app or Usage(0, 0, 0)
    buc = buc or Usage(0, 0, 0)
    if code == 4:
        app = app._replace(call_count=100)
    else:
        buc = buc._replace(call_count=100)
    error = graph_error(code, THROTTLE_MESSAGES[code], is_transient=True)
    return error_response(error, usage_headers(app, buc, ig_user_id, regain_minutes))


# ---- the fields expression ------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of a Graph `fields` expression: name, `.modifier(arg)`s, `{sub,fields}`."""

    name: str
    modifiers: tuple[tuple[str, str], ...] = ()
    children: tuple[FieldSpec, ...] | None = None

    def modifier(self, name: str) -> str | None:
        return next((arg for mod, arg in self.modifiers if mod == name), None)


class _FieldParser:
    """Recursive descent over `a,b.mod(x).mod2(y){c,d{e}}`."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def parse(self) -> tuple[FieldSpec, ...]:
        specs = self._list()
        if self._peek():
            self._fail("end of string")
        return specs

    def _peek(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _fail(self, expected: str) -> NoReturn:
        found = f'"{self.text[self.pos]}"' if self.pos < len(self.text) else "end of string"
        raise _bad_parameter(
            f'Syntax error "Expected {expected} instead of {found}." '
            f"at character {self.pos}: {self.text}"
        )

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            self._fail(f'"{char}"')
        self.pos += 1

    def _name(self) -> str:
        self._peek()
        match = _NAME.match(self.text, self.pos)
        if not match:
            self._fail("a field name")
        self.pos = match.end()
        return match.group()

    def _list(self) -> tuple[FieldSpec, ...]:
        specs = [self._field()]
        while self._peek() == ",":
            self.pos += 1
            specs.append(self._field())
        return tuple(specs)

    def _field(self) -> FieldSpec:
        name = self._name()
        modifiers: list[tuple[str, str]] = []
        while self._peek() == ".":
            self.pos += 1
            modifier = self._name()
            self._expect("(")
            end = self.text.find(")", self.pos)
            if end < 0:
                self.pos = len(self.text)
                self._fail('")"')
            modifiers.append((modifier, self.text[self.pos : end].strip()))
            self.pos = end + 1
        children = None
        if self._peek() == "{":
            self.pos += 1
            children = self._list()
            self._expect("}")
        return FieldSpec(name, tuple(modifiers), children)


def parse_fields(text: str) -> tuple[FieldSpec, ...]:
    """The fields expression as specs; a repeated field is answered once (its first spec)."""
    first: dict[str, FieldSpec] = {}
    for spec in _FieldParser(text).parse():
        first.setdefault(spec.name, spec)
    return tuple(first.values())


def _check_fields(specs: tuple[FieldSpec, ...], allowed: frozenset[str], node_type: str) -> None:
    for spec in specs:
        if spec.name not in allowed:
            raise _bad_field(node_type, spec.name)


def _node(values: Mapping[str, Any], specs: tuple[FieldSpec, ...], node_id: str) -> dict[str, Any]:
    """The requested fields in the order asked, then `id`, which Graph always adds."""
    node = {spec.name: values[spec.name] for spec in specs if values.get(spec.name) is not None}
    node.setdefault("id", node_id)
    return node


# ---- what the world's posts look like on Instagram ------------------------------------------


def post_traits(world: World, account_index: int) -> np.ndarray:
    """Per post uniforms (sandbox.platform_api.post_uniforms); column 0 picks the media kind."""
    return post_uniforms(world, _TRAIT_STREAM, account_index, 1)


def media_kinds(traits: np.ndarray) -> np.ndarray:
    """Index into MEDIA_KINDS for each post."""
    return np.searchsorted(_KIND_EDGES, traits[:, 0], side="right").clip(0, len(MEDIA_KINDS) - 1)


GRAPH_UTC = "+0000"  # how the Graph API's timestamps name UTC: no colon


def shortcode(media_id: str) -> str:
    number, code = int(media_id), ""
    while number:
        number, digit = divmod(number, 64)
        code = _SHORTCODE_ALPHABET[digit] + code
    return code or "A"


@dataclass(frozen=True)
class MediaCounts:
    """Counts as the API shows them on a day (hidden likes as 0), with what is hidden."""

    likes: np.ndarray
    comments: np.ndarray
    likes_hidden: np.ndarray
    comments_disabled: np.ndarray


def media_counts(world: World, account_index: int, day_index: int, count: int) -> MediaCounts:
    """like_count / comments_count of posts 0..count-1 at the end of `day_index`."""
    posts = world.posts(account_index)
    _, likes, comments = world.metrics(account_index, day_index, slice(0, count))
    hidden, disabled = posts.likes_hidden[:count], posts.comments_hidden[:count]
    return MediaCounts(
        likes=np.where(hidden, 0, likes),
        comments=np.where(disabled, 0, comments),
        likes_hidden=hidden,
        comments_disabled=disabled,
    )


def follows_count(world: World, account_index: int) -> int:
    return 40 + int(world.rng(_TRAIT_STREAM, account_index, 1).random() * 1_500)


# ---- cursors ---------------------------------------------------------------------------------


def encode_cursor(ig_user_id: str, post_index: int) -> str:
    # Graph cursors are opaque base64 (often starting "QVFI"); this one names a post, so a page
    # boundary does not move when newer media arrive.
    raw = f"AQH{ig_user_id}:{post_index}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ig_user_id: str, which: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, post_index = raw.removeprefix("AQH").rsplit(":", 1)
        if raw.startswith("AQH") and owner == ig_user_id and int(post_index) >= 0:
            return int(post_index)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise _bad_parameter(f"The {which} cursor is invalid: {cursor}")  # wording ours


class _Page(NamedTuple):
    indexes: list[int]  # post indexes, newest first
    more_after: bool  # older media remain


def _media_page(spec: FieldSpec, ig_user_id: str, visible: int) -> _Page:
    """The page a `media.limit(n)[.after(c)|.before(c)]` edge asks for, newest first."""
    limit = _media_limit(spec.modifier("limit"))
    after, before = spec.modifier("after"), spec.modifier("before")
    floor = 0
    if after is not None:  # the media older than the cursor's
        top = min(decode_cursor(after, ig_user_id, "after") - 1, visible - 1)
    elif before is not None:  # the `limit` media just newer than the cursor's
        floor = decode_cursor(before, ig_user_id, "before") + 1
        top = min(floor + limit - 1, visible - 1)
    else:
        top = visible - 1
    bottom = max(top - limit + 1, floor)
    indexes = list(range(top, bottom - 1, -1))
    return _Page(indexes, more_after=bool(indexes) and bottom > 0)


def _media_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_MEDIA_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise _bad_parameter(f"The limit must be a positive integer, not {raw!r}")  # wording ours
    return min(int(raw), MAX_MEDIA_LIMIT)  # a larger limit is capped, not refused


# ---- the API ---------------------------------------------------------------------------------


@dataclass
class _DayUsage:
    calls: int = 0
    cputime: float = 0.0  # in call equivalents
    time: float = 0.0
    media_items: int = 0
    errors: int = 0


class InstagramApi(PlatformApi):
    """business_discovery on the brand's IG user, with token check and usage headers."""

    api_prefix = API_PREFIX

    def __init__(
        self,
        world: World,
        access_token: str = DEFAULT_ACCESS_TOKEN,
        *,
        app_calls_per_day: int = APP_CALLS_PER_DAY,
        buc_calls_per_day: int = BUC_CALLS_PER_DAY,
    ) -> None:
        super().__init__(world)
        self.access_token = access_token
        self.app_calls_per_day, self.buc_calls_per_day = app_calls_per_day, buc_calls_per_day
        self._usage: dict[date, _DayUsage] = defaultdict(_DayUsage)
        self._traits = lru_cache(4096)(post_traits)  # (source world, account index)
        self._hashtag_media = lru_cache(512)(self._tagged_media)
        # The brand user's hashtags counted against its 30 a week: tag -> the day first queried.
        self._hashtags_queried: dict[str, int] = {}
        self._hashtag_names: dict[str, str] = {hashtag_id(t): t for t in known_hashtags()}

    # ---- entry point ----------------------------------------------------------------------

    def answer(self, request: ApiRequest) -> ApiResponse:
        # business discovery is a GET: the body, if any, is ignored
        try:
            self._check_token(request.query, request.headers)
        except GraphError as error:
            return error_response(error)  # not the app's call: no usage to report
        items = 0
        try:
            payload, items = self._answer(
                request.method, request.endpoint, request.query, request.day
            )
            status = 200
        except GraphError as error:
            payload, status = {"error": {**error.fields, "fbtrace_id": fbtrace_id()}}, error.status
        headers_out = {**_JSON, **self._charge(request.day, items, failed=status != 200)}
        return ApiResponse(status, headers_out, payload)

    def _check_token(self, query: Mapping[str, str], headers: Mapping[str, str]) -> None:
        token = query.get("access_token")
        if token is None:
            auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
            scheme, _, value = auth.partition(" ")
            token = value.strip() if scheme.lower() in ("bearer", "oauth") else None
        if not token:
            raise graph_error(104, "An access token is required to request this resource.")
        if token != self.access_token:
            raise graph_error(190, "Invalid OAuth access token - Cannot parse access token")

    def _answer(
        self, method: str, endpoint: str, query: Mapping[str, str], day: date
    ) -> tuple[dict[str, Any], int]:
        object_id, _, edge = endpoint.partition("/")
        if object_id == "ig_hashtag_search" and not edge:
            return self._hashtag_search(method, query, day), 0
        if object_id in self._hashtag_names:
            return self._hashtag(method, self._hashtag_names[object_id], edge, query, day)
        if object_id == BRAND_IG_USER_ID and edge == "recently_searched_hashtags":
            return self._recently_searched(query, day), 0
        if object_id != BRAND_IG_USER_ID:
            if object_id.isdigit():
                raise _unsupported(method, object_id)
            raise graph_error(
                803,
                f"(#803) Some of the aliases you requested do not exist: {object_id}",
                status=404,
            )
        if method.upper() != "GET":
            raise _unsupported(method, object_id)
        if edge:  # the brand's own edges (media, insights, ...) are not part of the sandbox
            raise graph_error(2500, f"Unknown path components: /{edge}")
        specs = parse_fields(query.get("fields", "id"))
        _check_fields(specs, BRAND_FIELDS, "ShadowIGUser")
        values: dict[str, Any] = {
            "id": BRAND_IG_USER_ID,
            "ig_id": 1_000_000_001,
            "username": BRAND_USERNAME,
            "name": "Sandbox Brand",
            "biography": "The brand this sandbox runs for.",
            "followers_count": 25_000,
            "follows_count": 310,
            "media_count": 0,
            "media": {"data": []},
        }
        items = 0
        discovery = next((s for s in specs if s.name == "business_discovery"), None)
        if discovery is not None:
            values["business_discovery"], items = self._discovery(discovery, day)
        return _node(values, specs, BRAND_IG_USER_ID), items

    def _discovery(self, spec: FieldSpec, day: date) -> tuple[dict[str, Any], int]:
        username = spec.modifier("username")
        if not username:
            raise _bad_parameter("The parameter username is required")
        found = (
            listening.find_handle(self.world, "instagram", username)
            if _USERNAME.fullmatch(username)
            else None
        )
        if found is None:  # neither on the roster nor among the others (sandbox/listening.py)
            raise _unknown_user(username)
        source, account = found
        children = spec.children or (FieldSpec("id"),)
        _check_fields(children, USER_FIELDS, "ShadowIGUser")
        d = source.day_index(day)
        visible = source.visible_count(account.index, d)
        creator = source.creator_of(account)
        values: dict[str, Any] = {
            "id": account.platform_id,
            "ig_id": int(account.platform_id[-10:]),  # the legacy id comes back as a number
            "username": account.handle,
            "name": account.title,
            "biography": f"{creator.niche.capitalize()} by {creator.display_name}.",
            "profile_picture_url": (
                f"https://scontent.cdninstagram.com/v/t51.2885-19/{account.platform_id}_n.jpg"
            ),
            "followers_count": int(source.followers(account.index)[d]),
            "follows_count": follows_count(source, account.index),
            "media_count": visible,
        }
        items = 0
        media = next((c for c in children if c.name == "media"), None)
        if media is not None:
            values["media"] = self._media(source, media, account.index, d, visible)
            items = len(values["media"]["data"])
        return _node(values, children, account.platform_id), items

    def _media(
        self, source: World, spec: FieldSpec, account_index: int, day_index: int, visible: int
    ) -> dict[str, Any]:
        for modifier, _ in spec.modifiers:
            if modifier not in ("limit", "after", "before"):
                raise _bad_parameter(f"Unknown field modifier: {modifier}")  # wording ours
        fields = spec.children or (FieldSpec("id"),)
        _check_fields(fields, MEDIA_FIELDS, "ShadowIGMedia")
        account = source.account(account_index)
        page = _media_page(spec, account.platform_id, visible)
        counts = media_counts(source, account_index, day_index, visible)
        kinds = media_kinds(self._traits(source, account_index))
        data = [
            self._media_item(source, account_index, p, counts, int(kinds[p]), fields)
            for p in page.indexes
        ]
        edge: dict[str, Any] = {"data": data}
        if data:
            # No `next` URL in business discovery: `after` is there only while older media are.
            cursors = {"before": encode_cursor(account.platform_id, page.indexes[0])}
            if page.more_after:
                cursors["after"] = encode_cursor(account.platform_id, page.indexes[-1])
            edge["paging"] = {"cursors": cursors}
        return edge

    def _media_item(
        self,
        source: World,
        account_index: int,
        post_index: int,
        counts: MediaCounts,
        kind: int,
        fields: tuple[FieldSpec, ...],
    ) -> dict[str, Any]:
        media_id = source.post_id(account_index, post_index)
        published_s = source.posts(account_index).published_s[post_index]
        media_type, product_type, _ = MEDIA_KINDS[kind]
        code = shortcode(media_id)
        cdn = f"https://scontent.cdninstagram.com/v/t51.2885-15/{media_id}"
        values = {
            "id": media_id,
            "caption": source.post_text(account_index, post_index).description or None,
            "comments_count": int(counts.comments[post_index]),
            "like_count": int(counts.likes[post_index]),
            "media_type": media_type,
            "media_product_type": product_type,
            "media_url": f"{cdn}_n.{'mp4' if media_type == 'VIDEO' else 'jpg'}",
            "thumbnail_url": f"{cdn}_t.jpg" if media_type == "VIDEO" else None,
            "permalink": (
                f"https://www.instagram.com/{'reel' if product_type == 'REELS' else 'p'}/{code}/"
            ),
            "shortcode": code,
            "timestamp": source.iso_time(published_s, GRAPH_UTC),
            "username": source.account(account_index).handle,
            "is_comment_enabled": not bool(counts.comments_disabled[post_index]),
        }
        return _node(values, fields, media_id)

    # ---- hashtag search (listening) -------------------------------------------------------

    def _hashtag_search(self, method: str, query: Mapping[str, str], day: date) -> dict[str, Any]:
        if method.upper() != "GET":
            raise _unsupported(method, "ig_hashtag_search")
        self._check_user(query)
        name = query.get("q", "")
        if not _HASHTAG_NAME.fullmatch(name):
            raise _bad_parameter(f"The parameter q must be a hashtag name without #: {name!r}")
        self._count_hashtag(name.lower(), day)
        tag_id = hashtag_id(name.lower())
        self._hashtag_names[tag_id] = name.lower()
        return {"data": [{"id": tag_id}]}

    @staticmethod
    def _check_user(query: Mapping[str, str]) -> None:
        """Hashtag calls name the IG professional account they are made for: the brand's."""
        user_id = query.get("user_id")
        if not user_id:
            raise _bad_parameter("The parameter user_id is required")
        if user_id != BRAND_IG_USER_ID:
            raise _bad_parameter(f"Invalid user id: {user_id}")  # wording ours

    def _count_hashtag(self, name: str, day: date) -> None:
        """Count a hashtag against the brand user's 30 unique hashtags in a rolling 7 days: a
        tag already counted in the window is free and keeps its first day."""
        d = self.world.day_index(day)
        with self._lock:
            first = self._hashtags_queried.get(name)
            if first is not None and 0 <= d - first < HASHTAG_WINDOW_DAYS:
                return
            active = sum(
                0 <= d - day_queried < HASHTAG_WINDOW_DAYS
                for day_queried in self._hashtags_queried.values()
            )
            if active >= MAX_UNIQUE_HASHTAGS:
                raise graph_error(
                    HASHTAG_LIMIT_CODE,
                    HASHTAG_LIMIT_MESSAGE,
                    subcode=HASHTAG_LIMIT_SUBCODE,
                    is_transient=False,
                    user_title="Hashtag limit reached",
                    user_msg=HASHTAG_LIMIT_MESSAGE,
                )
            self._hashtags_queried[name] = d

    def _recently_searched(self, query: Mapping[str, str], day: date) -> dict[str, Any]:
        limit = _media_limit(query.get("limit") or str(RECENT_HASHTAGS_DEFAULT))
        d = self.world.day_index(day)
        with self._lock:
            active = [
                name
                for name, first in self._hashtags_queried.items()
                if 0 <= d - first < HASHTAG_WINDOW_DAYS
            ]
        return {"data": [{"id": hashtag_id(name)} for name in active[: min(limit, 30)]]}

    def _hashtag(
        self, method: str, name: str, edge: str, query: Mapping[str, str], day: date
    ) -> tuple[dict[str, Any], int]:
        tag_id = hashtag_id(name)
        if method.upper() != "GET" or edge not in ("", "recent_media", "top_media"):
            raise (
                _unsupported(method, tag_id)
                if not edge
                else graph_error(2500, f"Unknown path components: /{edge}")
            )
        if not edge:
            specs = parse_fields(query.get("fields", "id"))
            _check_fields(specs, frozenset({"id", "name"}), "IGHashtag")
            return _node({"id": tag_id, "name": name}, specs, tag_id), 0
        self._check_user(query)
        fields = parse_fields(query.get("fields", "id"))
        if any(f.name == "username" for f in fields):
            raise _bad_parameter("You cannot request the username field on hashtag media")
        _check_fields(fields, HASHTAG_MEDIA_FIELDS, "ShadowIGHashtagMedia")
        self._count_hashtag(name, day)
        listing = self._hashtag_media(name, edge, self.world.day_index(day))
        limit = _media_limit(query.get("limit"))
        offset = self._hashtag_offset(query, tag_id, edge, limit)
        page = listing[offset : offset + limit]
        d = self.world.day_index(day)
        data = [self._hashtag_media_item(ref, d, fields) for ref in page]
        body: dict[str, Any] = {"data": data}
        if offset + limit < len(listing):
            # The after cursor is the same on every page (reference 2.2): the page is in the
            # `next` URL's __paging_token, and a bare `after` reads the page after the first.
            cursor = encode_cursor(tag_id, d) + edge[:1]
            token = encode_cursor(f"{tag_id}{edge}", offset + limit)
            base = f"https://graph.facebook.com/{API_VERSION}/{tag_id}/{edge}"
            rest = {k: v for k, v in query.items() if k not in _PAGING_PARAMS}
            rest.update(limit=str(limit), after=cursor, __paging_token=token)
            body["paging"] = {"cursors": {"after": cursor}, "next": f"{base}?{urlencode(rest)}"}
        return body, len(data)

    @staticmethod
    def _hashtag_offset(query: Mapping[str, str], tag_id: str, edge: str, limit: int) -> int:
        token = query.get("__paging_token")
        if token:
            return decode_cursor(token, f"{tag_id}{edge}", "paging")
        return limit if query.get("after") else 0

    def _tagged_media(self, name: str, edge: str, day_index: int) -> tuple[listening.PostRef, ...]:
        """recent_media: the media of the last 24 hours before the clock's day ended (that
        day's), in no particular order; top_media: the TOP_MEDIA_MAX most liked and commented
        of the last TOP_MEDIA_DAYS days."""
        days = 1 if edge == "recent_media" else TOP_MEDIA_DAYS
        first_s, end_s = (day_index + 1 - days) * DAY_S, (day_index + 1) * DAY_S
        tagged = [
            ref
            for ref in listening.platform_posts(self.world, "instagram", first_s, end_s)
            if name in listening.hashtags(listening.post_text(ref, "instagram"))
        ]
        if edge == "recent_media":  # "not always in chronological order": by media id here
            return tuple(
                sorted(tagged, key=lambda r: r.source.post_id(r.account_index, r.post_index))
            )

        def popularity(ref: listening.PostRef) -> int:
            at = slice(ref.post_index, ref.post_index + 1)
            _, likes, comments = ref.source.metrics(ref.account_index, day_index, at)
            return int(likes[0] + comments[0])

        tagged.sort(key=lambda r: (-popularity(r), -r.published_s))
        return tuple(tagged[:TOP_MEDIA_MAX])

    def _hashtag_media_item(
        self, ref: listening.PostRef, day_index: int, fields: tuple[FieldSpec, ...]
    ) -> dict[str, Any]:
        """A hashtag medium: no username, no owner; like_count left out where likes are
        hidden; no media_url for albums (their children have them)."""
        source, account_index, post_index = ref.source, ref.account_index, ref.post_index
        counts = media_counts(source, account_index, day_index, post_index + 1)
        kind = int(media_kinds(self._traits(source, account_index))[post_index])
        item = self._media_item(source, account_index, post_index, counts, kind, fields)
        item.pop("username", None)
        if counts.likes_hidden[post_index]:
            item.pop("like_count", None)
        media_type = MEDIA_KINDS[kind][0]
        if media_type == "CAROUSEL_ALBUM":
            item.pop("media_url", None)
            if any(f.name == "children" for f in fields):
                media_id = source.post_id(account_index, post_index)
                item["children"] = {"data": [{"id": f"{media_id}{k}"} for k in range(1, 3)]}
        return item

    # ---- usage ----------------------------------------------------------------------------

    def _charge(self, day: date, media_items: int, failed: bool) -> dict[str, str]:
        """Count the call against the day's budgets; the usage headers after it."""
        with self._lock:
            used = self._usage[day]
            used.calls += 1
            used.errors += failed
            used.media_items += media_items
            # A call costs more CPU and time the more media it serializes.
            used.cputime += 0.5 + media_items / 50
            used.time += 1.0 + media_items / 25
            app, buc = self._percentages(used)
        return usage_headers(app, buc)

    def _percentages(self, used: _DayUsage) -> tuple[Usage, Usage]:
        def of(budget: int) -> Usage:
            return Usage(
                _percent(used.calls, budget),
                _percent(used.cputime, budget),
                _percent(used.time, budget),
            )

        return of(self.app_calls_per_day), of(self.buc_calls_per_day)

    def current_usage(self, day: date) -> tuple[Usage, Usage]:
        """(app, BUC) percentages of the day so far."""
        with self._lock:
            return self._percentages(self._usage.get(day, _DayUsage()))

    def rate_limit_response(self, code: int, day: date, regain_minutes: int = 0) -> ApiResponse:
        """A throttle (code 4, 17, 32, 613, 80002) whose headers carry this API's usage."""
        app, buc = self.current_usage(day)
        return rate_limit_response(code, regain_minutes=regain_minutes, app=app, buc=buc)

    def usage(self) -> dict[str, dict[str, int]]:
        """Calls (and media items served, failed calls) per simulated day."""
        with self._lock:
            return {
                day.isoformat(): {
                    "calls": used.calls,
                    "media_items": used.media_items,
                    "errors": used.errors,
                }
                for day, used in sorted(self._usage.items())
            }


# ---- ground truth -----------------------------------------------------------------------------


def account_truth(world: World, account_index: int, day: date) -> dict[str, Any]:
    """One account as the API shows it: followers per day from the world's start to `day`,
    and every media visible on `day` (oldest first) with that day's counts."""
    account = world.account(account_index)
    d = world.day_index(day)
    visible = world.visible_count(account_index, d)
    counts = media_counts(world, account_index, d, visible)
    kinds = media_kinds(post_traits(world, account_index))
    media = []
    for p in range(visible):
        media_type, product_type, _ = MEDIA_KINDS[int(kinds[p])]
        media.append(
            {
                "media_id": world.post_id(account_index, p),
                "timestamp": world.iso_time(world.posts(account_index).published_s[p], GRAPH_UTC),
                "media_type": media_type,
                "media_product_type": product_type,
                "like_count": int(counts.likes[p]),
                "likes_hidden": bool(counts.likes_hidden[p]),
                "comments_count": int(counts.comments[p]),
                "comments_disabled": bool(counts.comments_disabled[p]),
            }
        )
    return {
        "creator_id": world.creator_of(account).creator_id,
        "ig_user_id": account.platform_id,
        "followers_counts": world.followers(account_index)[: d + 1].tolist(),
        "follows_count": follows_count(world, account_index),
        "media_count": visible,
        "media": media,
    }


def ground_truth(world: World, day: date) -> dict[str, Any]:
    """What the pipeline should land from Instagram as of `day`, keyed by username."""
    return accounts_truth(world, "instagram", account_truth, day)
