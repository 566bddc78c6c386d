"""Reading a platform's answer: what every platform's `classify` shares.

A source's connection names a `classify` function that maps an answer to an `ExtractError` (or
None for a success); the shared client (extractors/http.py) raises what it returns. An answer is
anything with `status_code`, `headers` (case-insensitive) and `json()`: a `requests.Response`
or, from an in-process wire, the client's own `WireAnswer`. This module imports no HTTP
library, so the registry (which every DAG file's parse reads) stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from extractors.errors import ExtractError, PermanentError, RetryableError


class Answer(Protocol):
    status_code: int

    @property
    def headers(self) -> Mapping[str, str]: ...

    def json(self) -> Any: ...


Classifier = Callable[[Any], ExtractError | None]


def retry_after_seconds(response: Answer) -> float | None:
    """The Retry-After header in seconds, when the platform sent one as a number."""
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def answered_at(headers: Mapping[str, str]) -> datetime | None:
    """When the platform answered, by its `Date` header (UTC); None when absent or unreadable."""
    value = headers.get("Date")
    try:
        answered = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if answered is not None and answered.tzinfo is None:
        answered = answered.replace(tzinfo=UTC)  # an HTTP date is GMT by definition
    return answered


def default_classify(response: Answer) -> ExtractError | None:
    """HTTP semantics every platform shares: 429 and 5xx are transient, other 4xx are not."""
    status = response.status_code
    if status == 429 or status >= 500:
        return RetryableError(f"HTTP {status}", retry_after_seconds(response))
    if status >= 400:
        return PermanentError(f"HTTP {status}")
    return None
