"""The data interval an extraction describes, and when a platform's answer describes it.

A day is extracted only while the platforms' answers (their HTTP `Date`) fall from the end of
the interval to IRM_EXTRACT_MAX_LAG_HOURS after it: an API answers with the present, so a later
answer would be filed as a past day's snapshot, and an earlier one is part of the day (or an
older world, from a clock far behind). The shared client checks every answer against the
window's `AnswerWindow` (extractors/http.py); the CRM holds its exports' times to the same
window (extractors/crm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from extractors.errors import IntervalNotOver, IntervalPassed

# How far a platform's clock may run behind ours: an answer dated up to this long before the
# data interval's end is still taken as after it. The scheduler starts a run once the interval
# has ended by its own clock, so a platform a few seconds behind (both on NTP) would otherwise
# fail a punctual run; the price is that the day's last minutes may land with the next day.
ANSWER_CLOCK_SKEW = timedelta(minutes=5)


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


@dataclass(frozen=True)
class Window:
    """The data interval [start, end), the start of the metric-refresh window, and when a
    platform's answer describes the interval: from its end (the day is over at the platform) to
    IRM_EXTRACT_MAX_LAG_HOURS later (None: no limit)."""

    start: datetime
    end: datetime
    refresh_since: datetime
    answer_window: AnswerWindow | None = None

    def manifest_fields(self) -> dict[str, str]:
        return {"window_start": self.refresh_since.isoformat(), "window_end": self.end.isoformat()}


def interval_window(
    day: date, refresh_window_days: int, max_lag_hours: float | None = None
) -> Window:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    answers = (
        None if max_lag_hours is None else AnswerWindow(end, end + timedelta(hours=max_lag_hours))
    )
    return Window(start, end, end - timedelta(days=refresh_window_days), answers)
