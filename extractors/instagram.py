"""Instagram Graph API business_discovery: other professional accounts' profile and media,
asked through the brand's own IG user (`irm_instagram` extra `ig_user_id`).

Media pages through the `media.after(<cursor>)` field modifier, newest first, only as far back
as the refresh window needs. Errors arrive as HTTP 400 with `error.code`: throttles (4, 17, 32,
613, 80002) wait as long as the usage headers' `estimated_time_to_regain_access` says (minutes;
there is no Retry-After), 190 is a bad token, 110 / 2207013 an unknown or non-business username
(quarantined, the run goes on). A username not of Instagram's format is quarantined too, never
put into the `business_discovery.username(...)` field expansion.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import requests

from core.config import Settings
from extractors.base import EntityRecords, Extraction, Window, keep_unique, land_source_day
from extractors.connections import ApiCredentials
from extractors.errors import (
    AuthError,
    ExtractError,
    PagingError,
    RetryableError,
    UnknownAccount,
)
from extractors.handles import sendable_handles
from extractors.http import ApiClient, PageGuard, default_classify

log = logging.getLogger(__name__)

SOURCE = "instagram"
ENTITIES = ("accounts", "media")
PAGE_SIZE = 50
ACCOUNT_FIELDS = "id,username,name,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,caption,timestamp,media_type,media_product_type,like_count,comments_count,permalink"
)
THROTTLE_CODES = {4, 17, 32, 613, 80002}
TRANSIENT_CODES = {1, 2}  # unknown error, service temporarily unavailable
AUTH_CODES = {190, 104, 102, 10, 200}  # 104: no token sent; 190: token invalid or expired
UNKNOWN_USER = (110, 2207013)
USAGE_HEADERS = ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage")


def regain_seconds(response: requests.Response) -> float | None:
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


def classify(response: requests.Response) -> ExtractError | None:
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
    if code in AUTH_CODES or response.status_code == 401:
        return AuthError(
            f"Instagram rejected the access token of Airflow connection 'irm_instagram' "
            f"(code {code}, subcode {subcode})"
        )
    if code == UNKNOWN_USER[0] or subcode == UNKNOWN_USER[1]:
        return UnknownAccount(f"not a business or creator account (code {code}/{subcode})")
    return default_classify(response)


def make_client(credentials: ApiCredentials, **kwargs: Any) -> ApiClient:
    return ApiClient(
        credentials.base_url,
        connection_id=credentials.connection_id,
        classify=classify,
        # The token as a bearer header, which Graph accepts as it does `access_token=`: never in
        # a URL.
        default_headers={"Authorization": f"Bearer {credentials.secret}"},
        **kwargs,
    )


def discovery_fields(username: str, after: str | None) -> str:
    media = f"media.limit({PAGE_SIZE})" + (f".after({after})" if after else "")
    return f"business_discovery.username({username}){{{ACCOUNT_FIELDS},{media}{{{MEDIA_FIELDS}}}}}"


def parse_timestamp(value: str) -> datetime:
    """Instagram writes `2026-03-01T12:00:00+0000` (no colon in the offset)."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


def fetch_account(
    client: ApiClient, ig_user_id: str, username: str, since: datetime | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The account's profile and its media published since `since` (all when None). Media
    that page without end raise PagingError naming the account."""
    profile: dict[str, Any] = {}
    media: list[dict[str, Any]] = []
    after: str | None = None
    guard = PageGuard(client.connection_id, "business_discovery media", username)
    while True:
        guard.next_page(after)
        params = {"fields": discovery_fields(username, after)}
        body = client.request("GET", ig_user_id, params=params).body
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
        # business_discovery sends no `paging.next` URL: the `after` cursor, present while older
        # media remain, is the only way on.
        after = page.get("paging", {}).get("cursors", {}).get("after")
        if reached_older or not after:
            return profile, media


def extract(
    client: ApiClient, ig_user_id: str, usernames: Sequence[str], bookmarks: dict, window: Window
) -> Extraction:
    accounts, media = EntityRecords(), EntityRecords()
    result = Extraction({"accounts": accounts, "media": media})
    for username in sendable_handles(SOURCE, usernames, result, "accounts", "username"):
        bookmark = bookmarks.get(username)
        since = min(parse_timestamp(bookmark), window.refresh_since) if bookmark else None
        try:
            profile, items = fetch_account(client, ig_user_id, username, since)
        except (UnknownAccount, PagingError) as exc:  # that account only
            result.reject("accounts", str(exc), {"username": username}, username)
            continue
        accounts.add(username, profile)
        for media_id, item in keep_unique(items, _id_of, "media", result):
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
    result.stats = {"retries": client.stats.retries}
    return result


def _id_of(item: dict[str, Any]) -> str | None:
    value = item.get("id")
    return str(value) if value not in (None, "") else None


def land_day(
    day: date,
    credentials: ApiCredentials,
    usernames: Sequence[str],
    settings: Settings,
    batch: int | None = None,
    **client_options: Any,
) -> dict[str, Any]:
    ig_user_id = str(credentials.extra.get("ig_user_id") or "")
    if not ig_user_id:
        raise AuthError("Airflow connection 'irm_instagram' needs extra.ig_user_id")

    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        with make_client(
            credentials, answer_window=window.answer_window, **client_options
        ) as client:
            return extract(client, ig_user_id, usernames, bookmarks, window)

    return land_source_day(SOURCE, ENTITIES, day, settings, fetch, batch)
