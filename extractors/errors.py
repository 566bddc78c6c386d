"""The ways an API call can end, as the extractors need to tell them apart."""

from __future__ import annotations


class ExtractError(Exception):
    """Base class of every extractor error."""


class RetryableError(ExtractError):
    """A transient failure (429, 5xx, timeout, truncated body): try again after a wait.

    `wait_seconds` is the platform's own hint (Retry-After, a usage header) when it gave one.
    """

    def __init__(self, message: str, wait_seconds: float | None = None) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class AuthError(ExtractError):
    """Credentials rejected: fail at once; the message names the connection, never the secret."""


class QuotaExhausted(ExtractError):
    """The platform's daily quota is spent: stop cleanly with what has landed, resume next run."""


class IntervalPassed(ExtractError):
    """The platform answered too long after the data interval ended: an API answers with the
    present, which must not be landed as a past day's snapshot. Not a PermanentError, which
    some extractors take as one account's problem: this stops the whole extraction."""


class IntervalNotOver(IntervalPassed):
    """The platform answered before the data interval ended by its clock: the day is not over
    there, so the answer is part of the day (or, from a clock far behind, an older world) that
    would be landed as the whole day's snapshot. A subclass of IntervalPassed because it is
    the same kind of stop (an answer outside the times that describe the interval), so
    whatever stops a run for one (irm/tasks.py fail_without_retry) stops it for the other."""


class PermanentError(ExtractError):
    """A request the platform will never answer (bad parameters, unknown path)."""


class PagingError(PermanentError):
    """A paged listing that would not end: the API sent a page cursor it had already sent, or
    more pages than one account's listing may take (`extractors.paging.PageGuard`). Asking again
    loops the same way, so it is not retried. Like an unknown account, it is one account's
    problem: that account goes to quarantine with this message and the others are extracted
    (the shop's orders, one listing for the whole shop, fail the extraction instead)."""


class UnknownAccount(PermanentError):
    """The platform does not know the account (or it is private, or not a business account):
    that one account goes to quarantine, the others are extracted."""


class CredentialsMissing(ExtractError):
    """The Airflow connection the source needs is not configured."""
