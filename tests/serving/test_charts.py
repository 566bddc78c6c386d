"""The report's SVG charts as a reader takes them in: an axis whose two ends read the same
number says nothing, whatever the measure and however small its change."""

from __future__ import annotations

import re
from datetime import date

from exports.charts import line_chart
from exports.report import compact


def axis_ends(svg: str) -> tuple[str, str]:
    """The labels at the top and the bottom of a line chart's y axis."""
    top, bottom = re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', svg)[:2]
    return top, bottom


def line(values: list[float], fmt=compact) -> str:
    days = [date(2026, 1, 1 + 10 * i) for i in range(len(values))]
    return str(line_chart("Followers", list(zip(days, values, strict=True)), "#000000", fmt))


def test_a_large_change_keeps_the_short_form() -> None:
    assert axis_ends(line([3_400.0, 5_100.0])) == ("5.1k", "3.4k")


def test_a_small_change_of_a_large_number_reads_in_full() -> None:
    # "1.2M" at both ends: the full numbers differ.
    assert axis_ends(line([1_234_000.0, 1_236_000.0])) == ("1,236,000", "1,234,000")


def whole(value: float) -> str:
    return f"{value:,.0f}"


def test_a_change_under_one_gets_the_decimals_it_needs() -> None:
    # A measure shown in whole numbers ("10" at both ends) that moved by 0.2.
    assert axis_ends(line([10.2, 10.3, 10.4], whole)) == ("10.4", "10.2")
    assert axis_ends(line([0.5012, 0.5014], whole)) == ("0.5014", "0.5012")


def test_a_flat_line_still_has_two_different_ends() -> None:
    top, bottom = axis_ends(line([3_500.0, 3_500.0, 3_500.0]))
    assert top != bottom and (top, bottom) == ("3,501", "3,499")
