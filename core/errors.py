"""The error every floor may raise and the tasks recognise: bad data.

It lives on the bottom floor because the floors above raise it independently (a failed
critical expectation, a landing partition that differs from its manifest, marts that have not
passed the mart gate), and the tasks treat them alike.
"""

from __future__ import annotations


class DataQualityError(RuntimeError):
    """Data that must not go further (a critical expectation failed, a partition does not match
    its manifest, the marts did not pass the mart gate): nothing is published, and the task
    fails at once instead of spending retries (irm.tasks.fail_without_retry), because another
    try would read the same data.

    `report` is the validation's `expectations.ValidationReport` when a failed expectation
    raised it (typed loosely: this floor imports nothing above it)."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
