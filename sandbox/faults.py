"""Fault injection: the failures real platform APIs serve now and then, in each platform's own
style, decided per request with a seeded RNG. The server applies it around the platform handlers
(never around the /_sandbox/ endpoints) and counts what it did in /_sandbox/faults.

Configuration is a comma-separated list of key=value pairs, e.g.
    rate=0.1,5xx=0.05,timeout=0.01,truncate=0.01,dup=0.05,slow=0.02,extra=0.1

Probabilities per request (0 to 1; absent = 0):
    rate      a rate limit in the platform's style: YouTube 403 rateLimitExceeded or
              userRateLimitExceeded (domain usageLimits, no Retry-After); Instagram HTTP 400 with
              error.code 4, 17, 32, 613 or 80002 and its usage headers (no Retry-After); TikTok 429
              error.code rate_limit_exceeded; Shopify 429 with Retry-After
    5xx       starts a burst: this request and the next 0..burst-1 requests of the same client to
              the same endpoint fail with one of 500, 502, 503 in the platform's error body
    timeout   the request is held `hang` seconds, then the connection closes without an answer
    slow      the answer waits `slow_s` seconds
    truncate  a 200 whose JSON body is cut in half (its Content-Length matches what is sent)
    extra     an unknown field `sandbox_extra_field` in the top-level object, the record object
              (Instagram business_discovery, TikTok data) and each listed item
    dup       a follow-up page (YouTube pageToken, Instagram media.after, TikTok cursor > 0,
              Shopify page_info) starts with the previous page's last item again (YouTube
              commentThreads and TikTok comment lists included)
    loop      a follow-up page that has a next page names, as its next cursor, the cursor it was
              asked with: a server that repeats a cursor (a client that trusts it asks for the
              same page forever, as a real Instagram once made an extractor do 19,169 times)
rate, 5xx and timeout replace the answer, so one draw picks at most one of them (their sum must
not pass 1); slow, truncate, extra, dup and loop are drawn on their own. truncate and extra apply
to 200 answers, dup to 200 follow-up pages whose previous page this server served, loop to 200
follow-up pages with a next cursor (drawn only when configured, so a configuration without it
draws exactly as before).

Tuning: hang=<s> (3.0), slow_s=<s> (0.5), retry_after=<s> (0.5: Shopify's Retry-After, which the
real shop sends as 2.0; Instagram's estimated_time_to_regain_access is this in whole minutes,
rounded, so 0 by default), burst=<n> (3: the longest 5xx burst), seed=<int> (0: the fault RNG).

Every draw is independent, so a retried request fails again only by chance: no request fails
forever (a 5xx burst ends after at most `burst` answers).
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from sandbox import instagram_api, shop_api, tiktok_api
from sandbox.platform_api import ApiResponse
from sandbox.youtube_api import google_error

KINDS = ("rate", "5xx", "timeout", "slow", "truncate", "extra", "dup", "loop")
EXCLUSIVE_KINDS = ("rate", "5xx", "timeout")  # each replaces the answer
SERVER_ERROR_STATUSES = (500, 502, 503)
EXTRA_FIELD = "sandbox_extra_field"
EXTRA_VALUE = "a field the client has never seen"
MAX_REMEMBERED_PAGES = 4096  # listings' last items kept for dup faults (oldest dropped first)
_JSON = {"Content-Type": "application/json; charset=UTF-8"}


class FaultConfigError(ValueError):
    """A fault string that cannot be read; the message names the offending key or value."""


@dataclass(frozen=True)
class FaultConfig:
    rates: Mapping[str, float] = field(default_factory=dict)
    hang: float = 3.0
    slow_s: float = 0.5
    retry_after: float = 0.5
    burst: int = 3
    seed: int = 0

    @classmethod
    def parse(cls, text: str | None) -> FaultConfig:
        """`"rate=0.1,5xx=0.05,..."` (see the module doc); empty or None means no faults."""
        rates: dict[str, float] = {}
        tuning: dict[str, Any] = {}
        for pair in (p.strip() for p in (text or "").split(",")):
            if not pair:
                continue
            key, sep, raw = (s.strip() for s in pair.partition("="))
            if not sep or not key:
                raise FaultConfigError(f"fault setting {pair!r} is not key=value")
            if key in rates or key in tuning:
                raise FaultConfigError(f"fault key {key!r} is given twice")
            if key in KINDS:
                rates[key] = _number(key, raw, float, 0.0, 1.0)
            elif key in _TUNING:
                kind, low = _TUNING[key]
                tuning[key] = _number(key, raw, kind, low, None)
            else:
                known = ", ".join([*KINDS, *_TUNING])
                raise FaultConfigError(f"unknown fault key {key!r} (known keys: {known})")
        replacing = sum(rates.get(kind, 0.0) for kind in EXCLUSIVE_KINDS)
        if replacing > 1.0:
            raise FaultConfigError(
                f"rate + 5xx + timeout = {replacing:g}: one request can fail only one way, "
                "so their sum must not pass 1"
            )
        return cls(rates=rates, **tuning)

    def rate(self, kind: str) -> float:
        return self.rates.get(kind, 0.0)

    @property
    def active(self) -> bool:
        return any(p > 0 for p in self.rates.values())

    def __str__(self) -> str:
        """The canonical fault string (parses back to an equal config)."""
        pairs = [f"{kind}={_short(self.rates[kind])}" for kind in KINDS if self.rates.get(kind)]
        defaults = FaultConfig()
        for key in _TUNING:
            value = getattr(self, key)
            if value != getattr(defaults, key):
                pairs.append(f"{key}={_short(value)}")
        return ",".join(pairs)


_TUNING: dict[str, tuple[type, float | None]] = {  # key: (type, lowest value)
    "hang": (float, 0.0),
    "slow_s": (float, 0.0),
    "retry_after": (float, 0.0),
    "burst": (int, 1),
    "seed": (int, None),
}


def _number(key: str, raw: str, kind: type, low: float | None, high: float | None) -> Any:
    try:
        value = kind(raw)
    except ValueError:
        raise FaultConfigError(f"fault {key}={raw!r}: expected {kind.__name__}") from None
    if (
        not math.isfinite(value)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        if high is not None:
            bounds = f"a number between {low:g} and {high:g}"
        else:
            bounds = "a finite number" if low is None else f"a finite number of at least {low:g}"
        raise FaultConfigError(f"fault {key}={raw!r}: must be {bounds}")
    return value


def _short(value: float) -> str:
    """A number as short as it reads back exactly (0.1, 2, 1e-05)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


# ---- each platform's style ------------------------------------------------------------------


class PlatformStyle(NamedTuple):
    """How a platform fails, and where its pages keep their items and cursors."""

    rate_limit: Callable[[random.Random, FaultConfig, str], ApiResponse]  # (rng, config, path)
    server_error: Callable[[int, random.Random, str], ApiResponse]  # (status, rng, path)
    # The listing a request asks for (page cursor left out) and the page cursor it sends.
    listing: Callable[[str, Mapping[str, str], bytes | None], tuple[Hashable, str | None]]
    next_cursor: Callable[[dict[str, Any], Mapping[str, str]], str | None]
    items: Callable[[dict[str, Any]], list[Any] | None]
    # Make a page's next cursor the one its request sent: (body, headers, query, request body),
    # body and headers being copies it may change.
    repeat_cursor: Callable[[dict[str, Any], dict[str, str], Mapping[str, str], bytes | None], None]
    record: Callable[[dict[str, Any]], dict[str, Any] | None] = lambda body: None


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def _as_list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


def _as_dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _query_listing(
    cursor_param: str, ignored: tuple[str, ...] = ()
) -> Callable[[str, Mapping[str, str], bytes | None], tuple[Hashable, str | None]]:
    """A listing named by its path and query, paged by one query parameter."""

    def listing(
        path: str, query: Mapping[str, str], body: bytes | None
    ) -> tuple[Hashable, str | None]:
        skip = {cursor_param, *ignored}
        rest = tuple(sorted((k, v) for k, v in query.items() if k not in skip))
        return (path, rest), query.get(cursor_param) or None

    return listing


# YouTube: Google's error envelope. Rate limits are 403 in domain usageLimits, without Retry-After.
_YOUTUBE_RATE_LIMITS = (
    ("rateLimitExceeded", "Rate Limit Exceeded"),
    ("userRateLimitExceeded", "User Rate Limit Exceeded"),
)
_YOUTUBE_5XX = {
    500: ("Backend Error", "backendError", "INTERNAL"),
    502: ("Bad Gateway", "backendError", None),
    503: ("The service is currently unavailable.", "backendError", "UNAVAILABLE"),
}


def _youtube_rate_limit(rng: random.Random, config: FaultConfig, path: str) -> ApiResponse:
    reason, message = rng.choice(_YOUTUBE_RATE_LIMITS)
    error = google_error(403, message, reason, "usageLimits")
    return ApiResponse(403, dict(_JSON), error.body)


def _youtube_server_error(status: int, rng: random.Random, path: str) -> ApiResponse:
    message, reason, state = _YOUTUBE_5XX[status]
    return ApiResponse(
        status, dict(_JSON), google_error(status, message, reason, status=state).body
    )


def _youtube_repeat_cursor(
    body: dict[str, Any], headers: dict[str, str], query: Mapping[str, str], sent: bytes | None
) -> None:
    body["nextPageToken"] = query["pageToken"]


YOUTUBE = PlatformStyle(
    rate_limit=_youtube_rate_limit,
    server_error=_youtube_server_error,
    listing=_query_listing("pageToken", ignored=("key",)),
    next_cursor=lambda body, headers: body.get("nextPageToken") or None,
    items=lambda body: _as_list(body.get("items")),
    repeat_cursor=_youtube_repeat_cursor,
)


# Instagram (Graph API): HTTP 400 with error.code; the wait is in the usage headers, in minutes.
# The error objects and headers are the platform module's own (sandbox/instagram_api.py).
_INSTAGRAM_5XX = {
    500: (1, "An unknown error has occurred."),
    502: (2, "An unexpected error has occurred. Please retry your request later."),
    503: (2, "Service temporarily unavailable"),
}
_AFTER_MODIFIER = re.compile(r"\.after\(([^()]*)\)")


def _instagram_rate_limit(rng: random.Random, config: FaultConfig, path: str) -> ApiResponse:
    code = rng.choice(sorted(instagram_api.THROTTLE_MESSAGES))
    return instagram_api.rate_limit_response(
        code,
        ig_user_id=path.rstrip("/").rsplit("/", 1)[-1],  # the brand's IG user in the path
        regain_minutes=round(config.retry_after / 60),
    )


def _instagram_server_error(status: int, rng: random.Random, path: str) -> ApiResponse:
    code, message = _INSTAGRAM_5XX[status]
    error = instagram_api.graph_error(code, message, status=status, is_transient=True)
    return instagram_api.error_response(error)


def _instagram_listing(
    path: str, query: Mapping[str, str], body: bytes | None
) -> tuple[Hashable, str | None]:
    fields = query.get("fields", "")
    after = _AFTER_MODIFIER.search(fields)
    return (path, _AFTER_MODIFIER.sub("", fields)), after.group(1) if after else None


def _instagram_repeat_cursor(
    body: dict[str, Any], headers: dict[str, str], query: Mapping[str, str], sent: bytes | None
) -> None:
    _, after = _instagram_listing("", query, sent)
    body["business_discovery"]["media"]["paging"]["cursors"]["after"] = after


INSTAGRAM = PlatformStyle(
    rate_limit=_instagram_rate_limit,
    server_error=_instagram_server_error,
    listing=_instagram_listing,
    next_cursor=lambda body, headers: _dig(
        body, "business_discovery", "media", "paging", "cursors", "after"
    ),
    items=lambda body: _as_list(_dig(body, "business_discovery", "media", "data")),
    repeat_cursor=_instagram_repeat_cursor,
    record=lambda body: _as_dict(body.get("business_discovery")),
)


# TikTok: every body has error.code; the OAuth endpoint puts a bare string in `error`. The
# bodies are the platform module's own (sandbox/tiktok_api.py).
def _tiktok_error(status: int, code: str, message: str, path: str) -> ApiResponse:
    kind = tiktok_api.OAuthError if "/oauth/" in path else tiktok_api.TikTokError
    return tiktok_api.error_response(kind(status, code, message))


def _tiktok_rate_limit(rng: random.Random, config: FaultConfig, path: str) -> ApiResponse:
    error = tiktok_api.rate_limit_response().body["error"]
    return _tiktok_error(429, error["code"], error["message"], path)


def _tiktok_server_error(status: int, rng: random.Random, path: str) -> ApiResponse:
    message = "Something went wrong. Please try again later."
    return _tiktok_error(status, "internal_error", message, path)


def _tiktok_listing(
    path: str, query: Mapping[str, str], body: bytes | None
) -> tuple[Hashable, str | None]:
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    rest = {k: v for k, v in payload.items() if k not in ("cursor", "search_id")}
    cursor = payload.get("cursor")
    page = f"{payload.get('search_id')}:{cursor}" if cursor else None  # cursor 0: a first page
    return (path, json.dumps(rest, sort_keys=True, default=str)), page


def _tiktok_next_cursor(body: dict[str, Any], headers: Mapping[str, str]) -> str | None:
    data = _as_dict(body.get("data")) or {}
    if not data.get("has_more") or not data.get("cursor"):
        return None
    return f"{data.get('search_id')}:{data['cursor']}"


def _tiktok_repeat_cursor(
    body: dict[str, Any], headers: dict[str, str], query: Mapping[str, str], sent: bytes | None
) -> None:
    payload = json.loads(sent or b"{}")
    body["data"]["cursor"] = payload["cursor"]
    if "search_id" in body["data"]:  # video queries have one, comment lists do not
        body["data"]["search_id"] = payload.get("search_id") or body["data"]["search_id"]


def _tiktok_items(body: dict[str, Any]) -> list[Any] | None:
    """The listed items: a video query's videos or a comment list's comments."""
    data = _as_dict(body.get("data")) or {}
    return _as_list(data.get("videos", data.get("comments")))


TIKTOK = PlatformStyle(
    rate_limit=_tiktok_rate_limit,
    server_error=_tiktok_server_error,
    listing=_tiktok_listing,
    next_cursor=_tiktok_next_cursor,
    items=_tiktok_items,
    repeat_cursor=_tiktok_repeat_cursor,
    record=lambda body: _as_dict(body.get("data")),
)


# Shopify Admin REST: {"errors": ...}; 429 carries Retry-After; pages are `Link: rel="next"`.
_SHOP_5XX = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


def _shop_rate_limit(rng: random.Random, config: FaultConfig, path: str) -> ApiResponse:
    headers = {
        **_JSON,
        "Retry-After": str(float(config.retry_after)),  # Shopify writes seconds as "2.0"
        "X-Shopify-Shop-Api-Call-Limit": f"{shop_api.BUCKET_SIZE}/{shop_api.BUCKET_SIZE}",
    }
    message = (
        f"Exceeded {shop_api.LEAK_PER_SECOND:g} calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    )
    return ApiResponse(429, headers, {"errors": message})


def _shop_next_cursor(body: dict[str, Any], headers: Mapping[str, str]) -> str | None:
    link = next((v for k, v in headers.items() if k.lower() == "link"), "")
    target = _NEXT_LINK.search(link)
    page_info = parse_qs(urlsplit(target.group(1)).query).get("page_info") if target else None
    return page_info[-1] if page_info else None  # decoded, as the follow-up request's is


def _shop_repeat_cursor(
    body: dict[str, Any], headers: dict[str, str], query: Mapping[str, str], sent: bytes | None
) -> None:
    name = next(k for k in headers if k.lower() == "link")

    def same_page(found: re.Match[str]) -> str:
        url = urlsplit(found.group(1))
        pairs = parse_qsl(url.query)
        params = [(k, query["page_info"] if k == "page_info" else v) for k, v in pairs]
        return f'<{url._replace(query=urlencode(params)).geturl()}>; rel="next"'

    headers[name] = _NEXT_LINK.sub(same_page, headers[name])


SHOP = PlatformStyle(
    rate_limit=_shop_rate_limit,
    server_error=lambda status, rng, path: ApiResponse(
        status, dict(_JSON), {"errors": _SHOP_5XX[status]}
    ),
    # With page_info, Shopify takes no filters: the token alone names the listing and page.
    listing=lambda path, query, body: ((path,), query.get("page_info") or None),
    next_cursor=_shop_next_cursor,
    items=lambda body: _as_list(body.get("orders")),
    repeat_cursor=_shop_repeat_cursor,
)

STYLES: dict[str, PlatformStyle] = {
    "youtube": YOUTUBE,
    "instagram": INSTAGRAM,
    "tiktok": TIKTOK,
    "shop": SHOP,
}


# ---- the injector ---------------------------------------------------------------------------


class FaultRequest(NamedTuple):
    platform: str
    client: str  # the caller's address: 5xx bursts follow a client and an endpoint
    method: str
    path: str
    query: Mapping[str, str]
    body: bytes | None


@dataclass
class Outcome:
    """What the server sends: `response` after `delay` seconds, or nothing at all (None: hold
    `delay` seconds, then close the connection). `truncate`: send half the encoded body."""

    response: ApiResponse | None
    delay: float = 0.0
    truncate: bool = False


def truncate_body(data: bytes) -> bytes:
    """The first half of an encoded body: never valid JSON when the body is an object."""
    return data[: len(data) // 2]


class _Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.burst_continuations = 0  # 5xx answers that continue a burst (no draw made)
        self.kinds = {kind: [0, 0] for kind in KINDS}  # [seen, injected]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "requests": self.requests,
            "burst_continuations": self.burst_continuations,
        }
        out.update({kind: {"seen": s, "injected": i} for kind, (s, i) in self.kinds.items()})
        return out


class FaultInjector:
    """Decides, per request, which fault (if any) a platform request gets; thread-safe."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.reconfigure(config or FaultConfig())

    def reconfigure(self, config: FaultConfig) -> None:
        """A new configuration, with fresh counters, RNG, bursts and page memory."""
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._tallies: dict[str, _Tally] = {}
            self._bursts: dict[tuple[str, str, str], tuple[int, int]] = {}  # left, status
            self._pages: OrderedDict[tuple[str, Hashable, str], Any] = OrderedDict()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "config": str(self.config),
                "platforms": {name: t.as_dict() for name, t in self._tallies.items()},
            }

    def apply(self, request: FaultRequest, handle: Callable[[], ApiResponse]) -> Outcome:
        """Answer `request` through `handle` (the platform handler), with faults as drawn."""
        style = STYLES.get(request.platform)
        if style is None or not self.config.active:
            return Outcome(handle())
        config = self.config
        with self._lock:
            self._tally(request.platform).requests += 1
            failure, status = self._draw_failure(request)
            slow = failure != "timeout" and self._draw(request.platform, "slow")
        if failure == "timeout":
            return Outcome(None, delay=config.hang)
        delay = config.slow_s if slow else 0.0
        if failure == "rate":
            return Outcome(style.rate_limit(self._child_rng(), config, request.path), delay)
        if failure == "5xx":
            return Outcome(style.server_error(status, self._child_rng(), request.path), delay)
        response = handle()
        if response.status != 200 or not isinstance(response.body, dict):
            return Outcome(response, delay)
        return self._tamper(style, request, response, delay)

    # ---- decisions (called with the lock held) --------------------------------------------

    def _tally(self, platform: str) -> _Tally:
        return self._tallies.setdefault(platform, _Tally())

    def _draw(self, platform: str, kind: str) -> bool:
        counts = self._tally(platform).kinds[kind]
        counts[0] += 1
        hit = self._rng.random() < self.config.rate(kind)
        counts[1] += hit
        return hit

    def _draw_if_set(self, platform: str, kind: str) -> bool:
        """A draw only when the kind is configured: a kind added later leaves the draws of
        configurations without it (and so their seeded outcomes) as they were."""
        return self.config.rate(kind) > 0 and self._draw(platform, kind)

    def _draw_failure(self, request: FaultRequest) -> tuple[str | None, int]:
        tally = self._tally(request.platform)
        burst_key = (request.client, request.platform, request.path)
        left, status = self._bursts.pop(burst_key, (0, 0))
        if left > 0:
            tally.burst_continuations += 1
            if left > 1:
                self._bursts[burst_key] = (left - 1, status)
            return "5xx", status
        draw, threshold, chosen = self._rng.random(), 0.0, None
        for kind in EXCLUSIVE_KINDS:
            tally.kinds[kind][0] += 1
            threshold += self.config.rate(kind)
            if chosen is None and draw < threshold:
                chosen = kind
                tally.kinds[kind][1] += 1
        if chosen != "5xx":
            return chosen, 0
        status = self._rng.choice(SERVER_ERROR_STATUSES)
        length = self._rng.randint(1, self.config.burst)
        if length > 1:
            self._bursts[burst_key] = (length - 1, status)
        return "5xx", status

    def _child_rng(self) -> random.Random:
        """An RNG for one fault body (ids, reasons), seeded from the fault RNG."""
        with self._lock:
            return random.Random(self._rng.getrandbits(64))

    # ---- changes to a successful answer ---------------------------------------------------

    def _tamper(
        self, style: PlatformStyle, request: FaultRequest, response: ApiResponse, delay: float
    ) -> Outcome:
        body = response.body
        listing, cursor = style.listing(request.path, request.query, request.body)
        items = style.items(body)
        next_cursor = style.next_cursor(body, response.headers)
        with self._lock:
            if next_cursor and items:
                self._remember((request.platform, listing, next_cursor), items[-1])
            served = self._pages.get((request.platform, listing, cursor)) if cursor else None
            dup = served is not None and items is not None and self._draw(request.platform, "dup")
            extra = self._draw(request.platform, "extra")
            truncate = self._draw(request.platform, "truncate")
            loop = bool(cursor and next_cursor) and self._draw_if_set(request.platform, "loop")
        headers = response.headers
        if dup or extra or loop:
            body = copy.deepcopy(body)  # the handler's objects stay untouched
        if dup:
            (style.items(body) or []).insert(0, copy.deepcopy(served))
        if extra:
            _add_extra_fields(style, body)
        if loop:
            headers = dict(headers)
            style.repeat_cursor(body, headers, request.query, request.body)
        return Outcome(ApiResponse(response.status, headers, body), delay, truncate)

    def _remember(self, key: tuple[str, Hashable, str], last_item: Any) -> None:
        self._pages[key] = copy.deepcopy(last_item)
        self._pages.move_to_end(key)
        while len(self._pages) > MAX_REMEMBERED_PAGES:
            self._pages.popitem(last=False)


def _add_extra_fields(style: PlatformStyle, body: dict[str, Any]) -> None:
    targets = [body, style.record(body), *(style.items(body) or [])]
    for target in targets:
        if isinstance(target, dict):
            target[EXTRA_FIELD] = EXTRA_VALUE
