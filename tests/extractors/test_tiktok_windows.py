"""TikTok's video/query takes inclusive YYYYMMDD dates, at most 30 days a query: the windows
cover the refresh window exactly, with no 31st day costing a second call per user."""

from __future__ import annotations

from datetime import date, timedelta

from extractors.tiktok.api import date_windows
from extractors.window import interval_window


def covered_days(windows: list[tuple[str, str]]) -> list[date]:
    days = []
    for start, end in windows:
        first, last = (date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (start, end))
        assert (last - first).days < 30, f"window {start}-{end} is longer than 30 days"
        days += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return sorted(days)


def test_a_30_day_refresh_window_is_one_query() -> None:
    window = interval_window(date(2026, 3, 2), refresh_window_days=30)
    windows = date_windows(window.refresh_since, window.end)
    assert windows == [("20260201", "20260302")]  # 30 days, both ends inclusive


def test_longer_windows_cover_every_day_once_and_not_the_next_day() -> None:
    window = interval_window(date(2026, 3, 2), refresh_window_days=75)
    windows = date_windows(window.refresh_since, window.end)
    assert len(windows) == 3
    expected = [date(2026, 3, 2) - timedelta(days=n) for n in reversed(range(75))]
    assert covered_days(windows) == expected
