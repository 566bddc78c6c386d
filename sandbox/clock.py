"""When the sandbox says a clock day's answers were given: the one moment its platforms date
their answers for a day (the `Date` header, sandbox/server.py) and its CRM exports of that day
are stamped with (their modification time, sandbox/crm.py).

The clock's day D means the platforms and the brand's CRM are as they were when D had just
ended; a daily run starts just after midnight, so D's answers and export are dated D+1 00:05
UTC, inside the window in which the pipeline takes them as the data interval [D, D+1) (after
its end, within IRM_EXTRACT_MAX_LAG_HOURS; extractors/base.py `interval_window`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

# How long after the end of the clock's day its answers are given.
ANSWERED_AFTER_DAY_END = timedelta(minutes=5)


def answer_time(day: date) -> datetime:
    """The moment (UTC) the platforms answer, and the CRM export is made, for clock day `day`."""
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    return day_end + ANSWERED_AFTER_DAY_END
