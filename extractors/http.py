"""The HTTP client every extractor shares (modelled on the Singer SDK's RESTStream and dlt's
REST client): one session per source, timeouts, retries with backoff that honour the
platform's own wait hints, call accounting for the landing manifest, and per-quota budgets.

A source's `ConnectionSpec` (extractors/spec.py) gives the client what differs by platform:
its `classify` function, which maps an answer to an `ExtractError` (or None when it is a
success), and its auth (extractors/auth.py), which the client applies to every call.

Credentials travel in headers only, never in a URL: urllib3 logs every request's URL at DEBUG,
and URLs end up in proxies' and servers' logs. There is deliberately no way to add a parameter
to every URL. The client still never puts a URL in a message.

Paged listings go through `extractors.paging.paginate`, which asks a `PageGuard` before each
page, so a server that repeats a cursor or never stops paging costs a bounded number of calls.

A `wire` (a function) may answer in place of the network: the history bootstrap's in-process
replays use a requests transport adapter instead, the bench a wire (requests' own machinery is
most of an in-process call's cost); everything else (auth, retries, classification, answer
times, accounting) is the same client's.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests
from requests.structures import CaseInsensitiveDict
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from extractors.auth import Authenticator
from extractors.classify import Classifier, answered_at, default_classify
from extractors.errors import (
    AuthError,
    ExtractError,
    PermanentError,
    QuotaExhausted,
    RetryableError,
)
from extractors.window import AnswerWindow

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_BACKOFF_SECONDS = 60.0
# The quota a call spends when it names none: a source's main allowance (YouTube's units).
MAIN_QUOTA = "units"


class Wire(Protocol):
    """Answers a call in place of the network: (status, headers, parsed JSON body)."""

    def __call__(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> tuple[int, Mapping[str, str], Any]: ...


@dataclass(frozen=True)
class WireAnswer:
    """A wire's answer as `classify` reads an answer (status_code, headers, json())."""

    status_code: int
    headers: CaseInsensitiveDict
    body: Any

    def json(self) -> Any:
        return self.body


@dataclass
class CallStats:
    """What a run spent, for the manifest and the benchmark."""

    calls: int = 0
    retries: int = 0
    quota_units: int = 0  # over every quota
    by_endpoint: dict[str, int] = field(default_factory=dict)
    by_quota: dict[str, int] = field(default_factory=dict)


@dataclass
class ApiResponse:
    status: int
    headers: Mapping[str, str]
    body: Any


class ApiClient:
    """A session bound to one API base URL, with auth, retries and accounting."""

    def __init__(
        self,
        base_url: str,
        *,
        connection_id: str,
        classify: Classifier = default_classify,
        auth: Authenticator | None = None,
        default_headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 8,
        base_backoff: float = 0.5,
        sleep: Callable[[float], None] | None = None,
        quota_budgets: Mapping[str, int] | None = None,
        transport: requests.adapters.BaseAdapter | None = None,
        wire: Wire | None = None,
        answer_window: AnswerWindow | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.connection_id = connection_id
        self.classify = classify
        self.auth = auth  # its headers go with every call (credentials: never in a URL)
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.stats = CallStats()
        self.session = requests.Session()
        self.session.headers.update(default_headers or {})
        if transport is not None:
            # Requests to the base URL go through this adapter instead of the network: the
            # history bootstrap replays past days of the sandbox in-process this way, through
            # the very same parsing, paging and landing code.
            self.session.mount(self.base_url + "/", transport)
        self.wire = wire
        self._sleep = sleep
        # Per quota, what this run may spend: a call that would pass it is not made
        # (QuotaExhausted). A quota without a budget is limited by the platform alone.
        self.quota_budgets = dict(quota_budgets or {})
        # The answer times (the platform's Date) that describe the data interval being
        # extracted (extractors/window.py Window). None: not limited, as the in-process replays
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
        quota: str = MAIN_QUOTA,
        authenticate: bool = True,
    ) -> ApiResponse:
        """One logical call: retried on transient failures, counted once per HTTP attempt,
        each attempt spending `quota_units` of `quota`, so the run's budget is checked before
        every attempt (a retried call never spends past it). `authenticate=False`: without the
        auth's headers (the auth's own token call)."""
        call_headers = dict(self.auth.headers(self)) if self.auth and authenticate else {}
        call_headers.update(headers or {})
        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            before_sleep=self._log_retry,
            reraise=True,
            **({"sleep": self._sleep} if self._sleep else {}),
        )
        call = _Call(method, path, params, json_body, form, call_headers, quota_units, quota)
        for attempt in retrying:
            with attempt:
                return self._attempt(call)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _check_budget(self, quota: str, units: int) -> None:
        budget = self.quota_budgets.get(quota)
        spent = self.stats.by_quota.get(quota, 0)
        if budget is not None and spent + units > budget:
            raise QuotaExhausted(
                f"{self.connection_id}: the next call would pass this run's quota budget of "
                f"{budget} {quota} ({spent} spent)"
            )

    def _attempt(self, call: _Call) -> ApiResponse:
        self._check_budget(call.quota, call.quota_units)
        url, params = self._url(call.path, call.params)
        self.stats.calls += 1
        self.stats.quota_units += call.quota_units
        self.stats.by_quota[call.quota] = self.stats.by_quota.get(call.quota, 0) + call.quota_units
        self.stats.by_endpoint[call.path] = self.stats.by_endpoint.get(call.path, 0) + 1
        if self.wire is not None:
            return self._over_wire(self.wire, call, url, params)
        try:
            response = self.session.request(
                call.method,
                url,
                params=params,
                json=call.json_body,
                data=call.form,
                headers=call.headers,
                timeout=self.timeout,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            # The exception text holds the URL: report its type only.
            raise RetryableError(f"{type(exc).__name__} calling {call.path}") from None
        self._check_answer_time(response.headers)
        self._raise_for(response)
        body = self._json(response, call.path)
        return ApiResponse(response.status_code, response.headers, body)

    def _over_wire(
        self, wire: Wire, call: _Call, url: str, params: dict[str, Any] | None
    ) -> ApiResponse:
        status, headers, body = wire(
            call.method,
            url,
            params=params,
            json_body=call.json_body,
            form=call.form,
            headers={**self.session.headers, **call.headers},
        )
        answer = WireAnswer(status, CaseInsensitiveDict(headers), body)
        self._check_answer_time(answer.headers)
        self._raise_for(answer)
        return ApiResponse(status, answer.headers, body)

    def _raise_for(self, answer: Any) -> None:
        """Raise what the platform's `classify` makes of the answer; a rejected credential
        names the connection (never the secret)."""
        error: ExtractError | None = self.classify(answer)
        if isinstance(error, AuthError):
            raise AuthError(f"Airflow connection {self.connection_id!r}: {error}")
        if error is not None:
            raise error

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

    def _check_answer_time(self, headers: Mapping[str, str]) -> None:
        """Stop at the first answer dated outside the answer window, before anything is
        landed (and before its status is read: a wrong day is not worth a retry)."""
        answered = answered_at(headers)
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


@dataclass(frozen=True)
class _Call:
    """One logical call, as its attempts repeat it."""

    method: str
    path: str
    params: Mapping[str, Any] | None
    json_body: Any
    form: Mapping[str, str] | None
    headers: Mapping[str, str]
    quota_units: int
    quota: str
