"""Instagram Graph API business_discovery: other professional accounts' profile and media,
asked through the brand's own IG user (the connection's extra `ig_user_id`).

Media pages through the `media.after(<cursor>)` field modifier, newest first, only as far back
as the refresh window needs. Errors arrive as HTTP 400 with `error.code`: throttles (4, 17, 32,
613, 80002) wait as long as the usage headers' `estimated_time_to_regain_access` says (minutes;
there is no Retry-After), 190 is a bad token, 110 / 2207013 an unknown or non-business username
(quarantined, the run goes on).

Then, once a day, the listening (extractors/listening.py): for each term, `ig_hashtag_search`
(the brand's IG user, q = the term) gives the hashtag's id and `/{hashtag-id}/recent_media` its
media of the last 24 hours (the data interval's, polled just after it ends; the interval's own
media are kept), 50 a page, following `paging.next` (its `after` cursor repeats on every page).
Hashtag media carry no author. At most 30 unique hashtags per rolling 7 days per IG user: the
extractor counts them in its state (`HashtagBudget`, in the bookmarks) and stops before the
31st; the platform's own refusal (code 24) stops the run cleanly too. recent_media cannot look
back, so a term a stop left, searched first on a later day from its bookmark, also asks
`/{hashtag-id}/top_media` (the same hashtag: no other of the 30) and keeps its media published
in the missed days. That recovers only what top_media serves: the 50 most liked and commented
media of the last 30 days, so a missed day's less liked media stay missing. A day without a gap
makes no top_media call: it has nothing before its interval to recover.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from extractors.base import Extraction, keep_unique
from extractors.classify import Answer, default_classify
from extractors.errors import (
    AuthError,
    ExtractError,
    PagingError,
    QuotaExhausted,
    RetryableError,
    UnknownAccount,
)
from extractors.instagram.schema import HASHTAG_MEDIA, MEDIA
from extractors.listening import Term, listen
from extractors.paging import AFTER, PageGuard, PageRequest, Paginator, paginate

if TYPE_CHECKING:
    from extractors.http import ApiClient
    from extractors.runner import ExtractContext

log = logging.getLogger(__name__)

PAGE_SIZE = 50
ACCOUNT_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,caption,timestamp,media_type,media_product_type,like_count,comments_count,permalink"
)
THROTTLE_CODES = {4, 17, 32, 613, 80002}
TRANSIENT_CODES = {1, 2}  # unknown error, service temporarily unavailable
AUTH_CODES = {190, 104, 102, 10, 200}  # 104: no token sent; 190: token invalid or expired
UNKNOWN_USER = (110, 2207013)
HASHTAG_LIMIT_CODE = 24  # the 31st unique hashtag in 7 days (the sandbox's: none is documented)
MAX_UNIQUE_HASHTAGS, HASHTAG_WINDOW_DAYS = 30, 7
# hashtag -> the day it was first queried in its 7-day window (a key no username can be)
HASHTAG_BOOKMARK = "hashtags:week"
HASHTAG_FIELDS = "id,caption,comments_count,like_count,media_type,media_url,permalink,timestamp"
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage")


def regain_seconds(response: Answer) -> float | None:
    """The longest `estimated_time_to_regain_access` (minutes) in the usage headers."""
    minutes: list[float] = []
    for header in USAGE_HEADERS:
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [e for v in usage.values() for e in v] if _by_business(usage) else [usage]
        minutes += [float(e.get("estimated_time_to_regain_access") or 0) for e in entries]
    return max(minutes) * 60 if minutes else None


def _by_business(usage: dict[str, Any]) -> bool:
    return bool(usage) and all(isinstance(v, list) for v in usage.values())


def classify(response: Answer) -> ExtractError | None:
    if response.status_code < 400:
        return None
    try:
        error = response.json().get("error", {})
    except ValueError:
        return default_classify(response)
    code, subcode = error.get("code"), error.get("error_subcode")
    if code in THROTTLE_CODES:
        return RetryableError(f"Instagram throttled (code {code})", regain_seconds(response))
    if error.get("is_transient") or code in TRANSIENT_CODES:  # Graph's "try again later"
        return RetryableError(f"Instagram transient error (code {code})")
    if code == HASHTAG_LIMIT_CODE:
        return QuotaExhausted("Instagram's 30 unique hashtags per 7 days are spent (code 24)")
    if code in AUTH_CODES or response.status_code == 401:
        return AuthError(f"Instagram rejected the access token (code {code}, subcode {subcode})")
    if code == UNKNOWN_USER[0] or subcode == UNKNOWN_USER[1]:
        return UnknownAccount(f"not a business or creator account (code {code}/{subcode})")
    return default_classify(response)


def discovery_fields(username: str) -> str:
    """The field expansion of one account's profile and a page of its media; the paginator
    puts the page's `.after(<cursor>)` where AFTER stands."""
    media = f"media.limit({PAGE_SIZE}){AFTER}"
    return f"business_discovery.username({username}){{{ACCOUNT_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"


@lru_cache(16_384)  # a run reads each media's timestamp again and again (and days after)
def parse_timestamp(value: str) -> datetime:
    """Instagram writes `2026-03-01T12:00:00+0000` (no colon in the offset)."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def fetch_account(
    client: ApiClient,
    paginator: Paginator,
    ig_user_id: str,
    username: str,
    since: datetime | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The account's profile and its media published since `since` (all when None). Media
    that page without end raise PagingError naming the account."""
    profile: dict[str, Any] = {}
    media: list[dict[str, Any]] = []
    guard = PageGuard(client.connection_id, "business_discovery media", username)
    request = PageRequest("GET", ig_user_id, {"fields": discovery_fields(username)})
    for response in paginate(client, request, paginator, guard):
        body = response.body
        discovery = body.get("business_discovery") if isinstance(body, dict) else None
        if not isinstance(discovery, dict):
            raise RetryableError("business_discovery missing from the response")
        page = discovery.pop("media", None) or {}
        profile = profile or discovery
        reached_older = False
        for item in page.get("data", []):
            stamp = item.get("timestamp") if isinstance(item, dict) else None
            if since is not None and stamp and parse_timestamp(stamp) < since:
                reached_older = True
                continue
            media.append(item)
        if reached_older:
            break
    return profile, media


def extract(ctx: ExtractContext) -> Extraction:
    """Each account's profile and its media since its bookmark (less the refresh window); an
    unknown account, or one whose media page without end, is quarantined and the others land."""
    client, ig_user_id = ctx.client, str(ctx.credentials.extra["ig_user_id"])
    paginator = ctx.source.paginators["business_discovery media"]
    result = Extraction.of(ctx.source)
    accounts, media = result.entities["accounts"], result.entities["media"]
    for username in ctx.accounts:
        bookmark = ctx.bookmarks.get(username)
        refresh_since = ctx.window.refresh_since
        since = min(parse_timestamp(bookmark), refresh_since) if bookmark else None
        try:
            profile, items = fetch_account(client, paginator, ig_user_id, username, since)
        except (UnknownAccount, PagingError) as exc:  # that account only
            result.reject("accounts", str(exc), {"username": username}, username)
            continue
        accounts.add(username, profile)
        for media_id, item in keep_unique(items, MEDIA.key.of, "media", result):
            media.add(media_id, item, username)
        newest = max(
            (i["timestamp"] for i in items if isinstance(i, dict) and i.get("timestamp")),
            key=parse_timestamp,
            default=None,
        )
        if newest:
            later = max([newest, bookmark], key=parse_timestamp) if bookmark else newest
            result.bookmarks[username] = later
    accounts.api_calls = client.stats.calls
    if ctx.listens:  # after every account, as on the other platforms
        land_listening(ctx, result)
    return result


# ---- listening: hashtag search and each hashtag's recent (and top) media ---------------------


@dataclass
class HashtagBudget:
    """The brand user's unique hashtags of the rolling 7 days (hashtag -> the day it was first
    queried in its window): a hashtag counted in the window is free and keeps its first day;
    a new one needs one of the 30."""

    first_queried: dict[str, str]

    @classmethod
    def of(cls, bookmarks: dict[str, Any], today: date) -> HashtagBudget:
        window_start = today - timedelta(days=HASHTAG_WINDOW_DAYS - 1)
        kept = {
            tag: day
            for tag, day in dict(bookmarks.get(HASHTAG_BOOKMARK) or {}).items()
            if date.fromisoformat(day) >= window_start
        }
        return cls(kept)

    def spend(self, tag: str, today: date) -> None:
        """Count `tag` (QuotaExhausted, before any call, when it would be the 31st)."""
        if tag in self.first_queried:
            return
        if len(self.first_queried) >= MAX_UNIQUE_HASHTAGS:
            raise QuotaExhausted(
                f"{len(self.first_queried)} unique hashtags queried in the last "
                f"{HASHTAG_WINDOW_DAYS} days, Instagram's most"
            )
        self.first_queried[tag] = today.isoformat()


def hashtag_id(client: ApiClient, ig_user_id: str, term: Term) -> str | None:
    """The hashtag's id (None: Instagram knows no such hashtag)."""
    params = {"user_id": ig_user_id, "q": term.term}
    answer = client.request("GET", "ig_hashtag_search", params=params).body
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise RetryableError("ig_hashtag_search: no data in the response")
    found = next((d.get("id") for d in data if isinstance(d, dict) and d.get("id")), None)
    return str(found) if found else None


def hashtag_media(
    client: ApiClient,
    paginator: Paginator,
    ig_user_id: str,
    tag_id: str,
    term: Term,
    edge: str,
) -> list[dict[str, Any]]:
    """Every page of one of the hashtag's media edges (recent_media, top_media), 50 a page,
    following `paging.next`."""
    params = {"user_id": ig_user_id, "fields": HASHTAG_FIELDS, "limit": PAGE_SIZE}
    request = PageRequest("GET", f"{tag_id}/{edge}", params)
    guard = PageGuard(client.connection_id, f"hashtag {edge}", term.term, kind="hashtag")
    media: list[dict[str, Any]] = []
    for response in paginate(client, request, paginator, guard):
        data = response.body.get("data") if isinstance(response.body, dict) else None
        if not isinstance(data, list):
            raise RetryableError(f"{edge}: no data in the response")
        media.extend(data)
    return media


def recent_media(
    client: ApiClient, paginator: Paginator, ig_user_id: str, tag_id: str, term: Term
) -> list[dict[str, Any]]:
    """The hashtag's media of the last 24 hours."""
    return hashtag_media(client, paginator, ig_user_id, tag_id, term, "recent_media")


def top_media(
    client: ApiClient, paginator: Paginator, ig_user_id: str, tag_id: str, term: Term
) -> list[dict[str, Any]]:
    """The hashtag's 50 most liked and commented media of the last 30 days."""
    return hashtag_media(client, paginator, ig_user_id, tag_id, term, "top_media")


def _published_in(item: Any, start: datetime, end: datetime) -> bool:
    stamp = item.get("timestamp") if isinstance(item, dict) else None
    if not isinstance(stamp, str):
        return True  # no usable time: kept, the landing suite reports it
    return start <= parse_timestamp(stamp) < end


def land_listening(ctx: ExtractContext, result: Extraction) -> None:
    """Each term's hashtag media of the interval (extractors/listening.py `listen`), and of the
    days before it that a stop left unsearched (what top_media still serves of them), within
    the 30 unique hashtags a week: the budget is spent before a term's first call, so a stop
    lands the terms searched whole and the 31st is never asked."""
    client, ig_user_id = ctx.client, str(ctx.credentials.extra["ig_user_id"])
    calls_before, today = client.stats.calls, ctx.window.start.date()
    budget = HashtagBudget.of(ctx.bookmarks, today)
    paginator = ctx.source.paginators["hashtag media"]

    def search(term: Term, since: datetime) -> list[Any]:
        budget.spend(term.term, today)
        tag_id = hashtag_id(client, ig_user_id, term)
        if tag_id is None:
            return []
        start, end = ctx.window.start, ctx.window.end
        items = recent_media(client, paginator, ig_user_id, tag_id, term)
        found = [item for item in items if _published_in(item, start, end)]
        if since < start:  # days an earlier stop left, which recent_media no longer serves
            missed = top_media(client, paginator, ig_user_id, tag_id, term)
            found += [item for item in missed if _published_in(item, since, start)]
        return found

    listen(ctx, result, HASHTAG_MEDIA.name, search, MEDIA.key.of)
    result.bookmarks[HASHTAG_BOOKMARK] = budget.first_queried
    result.entities[HASHTAG_MEDIA.name].api_calls = client.stats.calls - calls_before
