"""The HTTP client every extractor shares (modelled on the Singer SDK's RESTStream and dlt's
REST client): one session per source, timeouts, retries with backoff that honour the
platform's own wait hints, and call accounting for the landing manifest.

Each platform decides what its error responses mean through a `classify` function that maps a
response to an `ExtractError` (or None when the response is a success).

Credentials travel in headers only (`default_headers`: YouTube's `X-Goog-Api-Key`, Instagram's
`Authorization: Bearer`, Shopify's `X-Shopify-Access-Token`), never in a URL: urllib3 logs every
request's URL at DEBUG, and URLs end up in proxies' and servers' logs. There is deliberately no
way to add a parameter to every URL. The client still never puts a URL in a message.

Every paged call asks a `PageGuard` before each page, so a server that repeats a cursor or
never stops paging costs a bounded number of calls (PagingError).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from extractors.errors import (
    ExtractError,
    IntervalNotOver,
    IntervalPassed,
    PagingError,
    PermanentError,
    QuotaExhausted,
    RetryableError,
)

log = logging.getLogger(__name__)

Classifier = Callable[[requests.Response], ExtractError | None]

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_BACKOFF_SECONDS = 60.0
# Pages one account's listing may take in one run (an endpoint's paging for one account, e.g.
# its uploads playlist or its media): 200 pages are 10,000 items at 50 a page, far more than a
# creator publishes within a refresh window and more than the whole past of nearly any creator
# (a first run lists everything). The bench's medium world needs at most a handful. A server
# whose cursors never end costs this many calls, not thousands.
MAX_PAGES_PER_LISTING = 200
# How far a platform's clock may run behind ours: an answer dated up to this long before the
# data interval's end is still taken as after it. The scheduler starts a run once the interval
# has ended by its own clock, so a platform a few seconds behind (both on NTP) would otherwise
# fail a punctual run; the price is that the day's last minutes may land with the next day.
ANSWER_CLOCK_SKEW = timedelta(minutes=5)


def retry_after_seconds(response: requests.Response) -> float | None:
    """The Retry-After header in seconds, when the platform sent one as a number."""
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def answered_at(response: requests.Response) -> datetime | None:
    """When the platform answered, by its `Date` header (UTC); None when absent or unreadable."""
    value = response.headers.get("Date")
    try:
        answered = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if answered is not None and answered.tzinfo is None:
        answered = answered.replace(tzinfo=UTC)  # an HTTP date is GMT by definition
    return answered


def default_classify(response: requests.Response) -> ExtractError | None:
    """HTTP semantics every platform shares: 429 and 5xx are transient, other 4xx are not."""
    status = response.status_code
    if status == 429 or status >= 500:
        return RetryableError(f"HTTP {status}", retry_after_seconds(response))
    if status >= 400:
        return PermanentError(f"HTTP {status}")
    return None


class PageGuard:
    """Stops a paging loop that would not end. Each paged call (YouTube pageToken, Instagram
    after, TikTok cursor + search_id, Shopify Link) asks `next_page(cursor)` before fetching a
    page; a cursor the listing already gave, or a page past the budget, raises PagingError
    naming the connection, the endpoint and the account, so a server that repeats a cursor
    costs one extra call instead of thousands."""

    def __init__(
        self,
        connection_id: str,
        endpoint: str,
        account: str,
        *,
        kind: str = "account",
        max_pages: int | None = None,
        max_pages_setting: str = "extractors.http.MAX_PAGES_PER_LISTING",
    ) -> None:
        self.connection_id = connection_id
        self.endpoint = endpoint
        self.account = account
        self.kind = kind  # what the account is called on this platform (channel, user, shop)
        # Read when the guard is made, so the module constant stays the one setting.
        self.max_pages = max_pages if max_pages is not None else MAX_PAGES_PER_LISTING
        self.max_pages_setting = max_pages_setting
        self.pages = 0
        self._cursors: set[Hashable] = set()

    def next_page(self, cursor: Hashable | None) -> None:
        """Allow fetching the page at `cursor` (None: the listing's first page), or raise."""
        if cursor is not None and cursor in self._cursors:
            self._stop(
                f"sent the page cursor {_short(cursor)} a second time after {self.pages} "
                "pages: the API is looping"
            )
        if self.pages >= self.max_pages:
            self._stop(
                f"still had more pages after {self.max_pages} pages, the most one listing may "
                f"take in a run ({self.max_pages_setting})"
            )
        self._cursors.add(cursor)
        self.pages += 1

    def _stop(self, what: str) -> None:
        raise PagingError(
            f"{self.connection_id}: {self.endpoint} of {self.kind} {self.account!r} {what}; "
            "stopped paging"
        )


def _short(cursor: Hashable) -> str:
    """A cursor for a message: opaque tokens can be long."""
    text = repr(cursor)
    return text if len(text) <= 60 else f"{text[:57]}..."


@dataclass(frozen=True)
class AnswerWindow:
    """When a platform's answer (its `Date`) describes the data interval that ends at
    `interval_end`: not before that end (ANSWER_CLOCK_SKEW allowed), when the day is over at
    the platform, and not after `deadline`, since an API answers with the present."""

    interval_end: datetime
    deadline: datetime

    def check(self, connection_id: str, answered: datetime) -> None:
        """Raise IntervalNotOver or IntervalPassed for an answer outside the window."""
        if answered < self.interval_end - ANSWER_CLOCK_SKEW:
            raise IntervalNotOver(
                f"{connection_id}: the API answered at {answered:%Y-%m-%d %H:%M} UTC (its "
                f"Date header), before {self.interval_end:%Y-%m-%d %H:%M} UTC, the end of this "
                "data interval: the day is not over at the platform, so its answer is part of "
                "the day, or an older day's, and would be landed as the whole day's snapshot; "
                "nothing was landed. Run the interval once it has ended by the platform's clock "
                "(a sandbox's clock must be on the interval's day)."
            )
        if answered > self.deadline:
            raise IntervalPassed(
                f"{connection_id}: the API answered at {answered:%Y-%m-%d %H:%M} UTC (its Date "
                f"header), after {self.deadline:%Y-%m-%d %H:%M} UTC, the latest time this data "
                "interval may be extracted (IRM_EXTRACT_MAX_LAG_HOURS after its end). An API "
                "answers with the present, which would be landed as a past day's snapshot; "
                "nothing was landed. Past days come from `irm bootstrap` or stay a gap."
            )


@dataclass
class CallStats:
    """What a run spent, for the manifest and the benchmark."""

    calls: int = 0
    retries: int = 0
    quota_units: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)


@dataclass
class ApiResponse:
    status: int
    headers: Mapping[str, str]
    body: Any


class ApiClient:
    """A session bound to one API base URL, with retries and accounting."""

    def __init__(
        self,
        base_url: str,
        *,
        connection_id: str,
        classify: Classifier = default_classify,
        default_headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 8,
        base_backoff: float = 0.5,
        sleep: Callable[[float], None] | None = None,
        quota_budget: int | None = None,
        transport: requests.adapters.BaseAdapter | None = None,
        answer_window: AnswerWindow | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.connection_id = connection_id
        self.classify = classify
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.stats = CallStats()
        self.session = requests.Session()
        self.session.headers.update(default_headers or {})  # credentials: never in a URL
        if transport is not None:
            # Requests to the base URL go through this adapter instead of the network: the
            # history bootstrap replays past days of the sandbox in-process this way, through
            # the very same parsing, paging and landing code.
            self.session.mount(self.base_url + "/", transport)
        self._sleep = sleep
        # Units this run may spend: a call that would pass it is not made (QuotaExhausted).
        self.quota_budget = quota_budget
        # The answer times (the platform's Date) that describe the data interval being
        # extracted (extractors/base.py Window). None: not limited, as the in-process replays
        # of past days (irm/bootstrap.py, bench/history.py) want; their answers carry no Date.
        self.answer_window = answer_window

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        quota_units: int = 0,
    ) -> ApiResponse:
        """One logical call: retried on transient failures, counted once per HTTP attempt."""
        budget = self.quota_budget
        if budget is not None and self.stats.quota_units + quota_units > budget:
            raise QuotaExhausted(
                f"{self.connection_id}: the next call would pass this run's quota budget of "
                f"{budget} units ({self.stats.quota_units} spent)"
            )
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            before_sleep=self._log_retry,
            reraise=True,
            **({"sleep": self._sleep} if self._sleep else {}),
        )
        for attempt in retrying:
            with attempt:
                return self._attempt(method, path, params, json_body, form, headers, quota_units)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        quota_units: int,
    ) -> ApiResponse:
        url, params = self._url(path, params)
        self.stats.calls += 1
        self.stats.quota_units += quota_units
        self.stats.by_endpoint[path] = self.stats.by_endpoint.get(path, 0) + 1
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=form,
                headers=headers,
                timeout=self.timeout,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            # The exception text holds the URL: report its type only.
            raise RetryableError(f"{type(exc).__name__} calling {path}") from None
        self._check_answer_time(response)
        error = self.classify(response)
        if error is not None:
            raise error
        return ApiResponse(response.status_code, response.headers, self._json(response, path))

    def _url(
        self, path: str, params: Mapping[str, Any] | None
    ) -> tuple[str, dict[str, Any] | None]:
        """A path below the base URL, or a full URL the API gave us (a `Link: rel=next`), which
        must stay on the same base so credentials are never sent anywhere else."""
        if "://" in path:
            if not path.startswith(self.base_url + "/"):
                raise PermanentError(
                    f"{self.connection_id}: refusing a link off the API's base URL"
                )
            return path, None  # the link already carries every parameter it may
        return f"{self.base_url}/{path.lstrip('/')}", dict(params or {})

    def _check_answer_time(self, response: requests.Response) -> None:
        """Stop at the first answer dated outside the answer window, before anything is
        landed (and before its status is read: a wrong day is not worth a retry)."""
        answered = answered_at(response)
        if self.answer_window is not None and answered is not None:
            self.answer_window.check(self.connection_id, answered)

    @staticmethod
    def _json(response: requests.Response, path: str) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            # A body cut off in transit parses as nothing: ask again.
            raise RetryableError(f"truncated or invalid JSON from {path}") from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = self.base_backoff * 2 ** (state.attempt_number - 1) * (0.5 + random.random() / 2)
        # The platform's hint (Retry-After, a usage header) is a floor, not a replacement: a hint
        # of 0 ("regain access in 0 minutes") must not turn into retrying in a tight loop.
        hint = getattr(exc, "wait_seconds", None) or 0.0
        return min(max(float(hint), backoff), MAX_BACKOFF_SECONDS)

    def _log_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s: attempt %d failed (%s); retrying",
            self.connection_id,
            state.attempt_number,
            exc,
        )
