"""Inline SVG charts for the HTML report, drawn in Python: no JavaScript, no network.

Each function returns one `<svg class="chart">` element (markupsafe.Markup) with a viewBox, so
it scales to the page in a browser and in print. Data labels are escaped. Colours are the
Okabe-Ito palette (readable with colour blindness); every bar also carries its value as text.
Marks carry classes (`bar`, `line`, `point`) so tests and stylesheets can find them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

Formatter = Callable[[float], str]

WIDTH = 640
ROW_HEIGHT = 26
LABEL_WIDTH = 250  # room for a 34-character label at 12 px
LABEL_CHARACTERS = 34
AXIS_COLOR = "#555555"
GRID_COLOR = "#dddddd"
TEXT_COLOR = "#222222"
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: Sequence[float | None]


def grouped_bars(
    title: str, categories: Sequence[str], series: Sequence[Series], fmt: Formatter
) -> Markup:
    """Vertical bars: one group per category, one bar per series, values from zero."""
    left, right, top, bottom, height = 60, 12, 40, 44, 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    step = _nice_ceiling(max(values, default=0) / 4)
    ticks = math.ceil(max(values, default=0) / step) or 1
    top_value = step * ticks
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [_legend(series, left, 16)]
    parts += _y_grid(step, ticks, left, top, plot_w, plot_h, fmt)
    for ci, category in enumerate(categories):
        x0 = left + ci * group_w + group_w * 0.1
        for si, s in enumerate(series):
            value = s.values[ci]
            if value is None:
                continue
            bar_h = plot_h * value / top_value if top_value else 0
            x, y = x0 + si * bar_w, top + plot_h - bar_h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.92:.1f}" '
                f'height="{bar_h:.1f}" fill="{s.color}"><title>{escape(s.name)}, '
                f"{escape(category)}: {escape(fmt(value))}</title></rect>"
            )
            parts.append(_text(x + bar_w * 0.46, y - 4, fmt(value), size=10, anchor="middle"))
        parts.append(
            _text(left + (ci + 0.5) * group_w, top + plot_h + 18, category, anchor="middle")
        )
    parts.append(_line(left, top + plot_h, left + plot_w, top + plot_h, AXIS_COLOR))
    return _svg(title, WIDTH, height, parts)


def diverging_bars(title: str, items: Sequence[tuple[str, float | None]], fmt: Formatter) -> Markup:
    """Horizontal bars around zero: gains to the right in green, losses to the left in red."""
    label_w, right, top, bottom = LABEL_WIDTH, 70, 10, 26
    known = [v for _, v in items if v is not None]
    low, high = min(0.0, *known) if known else 0.0, max(0.0, *known) if known else 0.0
    high = _nice_ceiling(high) if high > 0 else 0.0
    low = -_nice_ceiling(-low) if low < 0 else 0.0
    span = (high - low) or 1.0
    plot_w = WIDTH - label_w - right
    height = top + bottom + ROW_HEIGHT * len(items)
    zero_x = label_w + plot_w * (0 - low) / span
    parts = []
    for i, (label, value) in enumerate(items):
        y = top + i * ROW_HEIGHT
        parts.append(_text(label_w - 8, y + 17, _shorten(label, LABEL_CHARACTERS), anchor="end"))
        if value is None:
            parts.append(_text(zero_x + 6, y + 17, "n/a", size=10, color=AXIS_COLOR))
            continue
        x_end = label_w + plot_w * (value - low) / span
        x, w = min(zero_x, x_end), abs(x_end - zero_x)
        color = POSITIVE if value >= 0 else NEGATIVE
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y + 5}" width="{max(w, 1):.1f}" '
            f'height="{ROW_HEIGHT - 10}" fill="{color}"><title>{escape(label)}: '
            f"{escape(fmt(value))}</title></rect>"
        )
        # A loss's value goes right of the zero line: its bar reaches towards the labels.
        tx = x_end + 4 if value >= 0 else zero_x + 4
        parts.append(_text(tx, y + 17, fmt(value), size=10))
    axis_y = top + ROW_HEIGHT * len(items)
    parts.append(_line(zero_x, top, zero_x, axis_y, AXIS_COLOR))
    for tick in (low, 0.0, high):
        tx = label_w + plot_w * (tick - low) / span
        parts.append(_text(tx, axis_y + 16, fmt(tick), size=10, anchor="middle", color=AXIS_COLOR))
    return _svg(title, WIDTH, height, parts)


def stacked_bars(
    title: str,
    items: Sequence[tuple[str, dict[str, float]]],
    segments: Sequence[tuple[str, str]],
    fmt: Formatter,
) -> Markup:
    """Horizontal stacked bars: one row per item, one coloured segment per (name, colour)."""
    label_w, right, top, bottom = LABEL_WIDTH, 50, 34, 8
    totals = [sum(parts.values()) for _, parts in items]
    scale_max = max(totals, default=0) or 1
    plot_w = WIDTH - label_w - right
    height = top + bottom + ROW_HEIGHT * len(items)
    parts = [_legend([Series(name, color, []) for name, color in segments], label_w, 14)]
    for i, (label, counts) in enumerate(items):
        y = top + i * ROW_HEIGHT
        parts.append(_text(label_w - 8, y + 17, _shorten(label, LABEL_CHARACTERS), anchor="end"))
        x = float(label_w)
        for name, color in segments:
            value = counts.get(name, 0)
            if not value:
                continue
            w = plot_w * value / scale_max
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 5}" width="{w:.1f}" '
                f'height="{ROW_HEIGHT - 10}" fill="{color}"><title>{escape(label)}, '
                f"{escape(name)}: {escape(fmt(value))}</title></rect>"
            )
            x += w
        parts.append(_text(x + 4, y + 17, fmt(totals[i]), size=10))
    return _svg(title, WIDTH, height, parts)


def line_chart(
    title: str,
    points: Sequence[tuple[date, float]],
    color: str,
    fmt: Formatter,
    day_label: Callable[[date], str] = date.isoformat,
) -> Markup:
    """A small line chart (one of a grid of small multiples), its own y scale; `day_label`
    writes the first and last day under the x axis (a month's point reads "Jan 2026")."""
    width, height = 320, 170
    left, right, top, bottom = 62, 14, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in points]
    low, high = min(values), max(values)
    if high == low:  # a flat line sits mid-height
        low, high = low - 1, high + 1
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)

    def xy(day: date, value: float) -> tuple[float, float]:
        return (
            left + plot_w * (day - first).days / days,
            top + plot_h * (1 - (value - low) / (high - low)),
        )

    coords = [xy(d, v) for d, v in points]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
    high_label, low_label = _axis_ends(low, high, fmt)
    parts = [
        _line(left, top + plot_h, left + plot_w, top + plot_h, AXIS_COLOR),
        _line(left, top, left + plot_w, top, GRID_COLOR),
        _text(left - 6, top + 4, high_label, size=10, anchor="end", color=AXIS_COLOR),
        _text(left - 6, top + plot_h, low_label, size=10, anchor="end", color=AXIS_COLOR),
        _text(left, height - 8, day_label(first), size=10, color=AXIS_COLOR),
        _text(left + plot_w, height - 8, day_label(last), size=10, anchor="end", color=AXIS_COLOR),
        f'<path class="line" d="{path}" fill="none" stroke="{color}" stroke-width="2.5" '
        'stroke-linejoin="round"/>',
    ]
    for x, y in (coords[0], coords[-1]):
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
    return _svg(title, width, height, parts)


def _axis_ends(low: float, high: float, fmt: Formatter) -> tuple[str, str]:
    """The labels of the top and the bottom of an axis: the short form ("3.5k") when it tells
    them apart; else the full number, with as many decimals as the span between them needs
    ("3,548" and "3,512", "0.52" and "0.48"), so the two ends never read the same."""
    high_label, low_label = fmt(high), fmt(low)
    if high_label != low_label:
        return high_label, low_label
    decimals = max(0, -math.floor(math.log10(high - low))) if high > low else 0
    return f"{high:,.{decimals}f}", f"{low:,.{decimals}f}"


def _svg(title: str, width: int, height: int, parts: list[str]) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}" '
        f'font-family="DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">'
        f"<title>{label}</title>{''.join(parts)}</svg>"
    )


def _y_grid(
    step: float, ticks: int, left: float, top: float, plot_w: float, plot_h: float, fmt: Formatter
) -> list[str]:
    """Grid lines at round values: 0, step, 2 × step, … up to the top of the plot."""
    parts = []
    for tick in range(ticks + 1):
        value = step * tick
        y = top + plot_h * (1 - tick / ticks)
        parts.append(_line(left, y, left + plot_w, y, GRID_COLOR))
        parts.append(_text(left - 6, y + 4, fmt(value), size=10, anchor="end", color=AXIS_COLOR))
    return parts


def _legend(series: Sequence[Series], x: float, y: float) -> str:
    parts = []
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{s.color}"/>')
        parts.append(_text(x + 16, y, s.name))
        x += 28 + 7 * len(s.name)
    return "".join(parts)


def _text(
    x: float,
    y: float,
    content: str,
    size: int = 12,
    anchor: str = "start",
    color: str = TEXT_COLOR,
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{color}">{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, color: str) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
        'stroke-width="1"/>'
    )


def _nice_ceiling(value: float) -> float:
    """The next 1, 2, 2.5 or 5 × 10^n at or above `value` (axis ends on round numbers)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
