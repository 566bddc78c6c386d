"""Inline SVG charts for the HTML report, drawn by matplotlib: no JavaScript, no network.

Each function returns one `<svg class="chart">` element (markupsafe.Markup) with a viewBox, so
it scales to the page in a browser and in print. matplotlib draws on its own Figure and SVG
canvas, never pyplot's global figures, and is imported when a chart is drawn: a DAG file that
imports the exports package does not pay for it. Text stays text (`svg.fonttype: none`, DejaVu
Sans, which ships with matplotlib, then the reader's sans-serif), so labels are small,
selectable and searchable; labels are never read as mathtext (`$` is a dollar sign) and are
escaped. The output is the same for the same data (no date, ids salted with the chart's title,
so two charts on one page do not share ids): the report is checksummed.

Colours are the Okabe-Ito palette (readable with colour blindness); every bar also carries its
value as text, and a tooltip. Marks carry classes (`bar`, `line`, `point`) so tests and
stylesheets can find them; tick groups carry `xtick` and `ytick`.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter as TickFormatter

Formatter = Callable[[float], str]

WIDTH = 640
ROW_HEIGHT = 26
BAR_THICKNESS = 16 / ROW_HEIGHT  # of a row: 5 px of air above and below a horizontal bar
LABEL_WIDTH = 250  # room for a 34-character label at 12 px
LABEL_CHARACTERS = 34
AXIS_COLOR = "#555555"
GRID_COLOR = "#dddddd"
TEXT_COLOR = "#222222"
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
# One SVG unit per point at 72 dpi: the viewBox reads in the sizes given here ("px").
DPI = 72
STYLE = {
    "svg.fonttype": "none",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],  # "'DejaVu Sans', sans-serif" in the SVG
    "font.size": 12,
    # A name with "$" is a name, not a formula (mathtext would draw it so, or fail on it).
    "text.parse_math": False,
    "text.usetex": False,
    "text.color": TEXT_COLOR,
    "axes.edgecolor": AXIS_COLOR,
    "axes.linewidth": 1,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.autolimit_mode": "round_numbers",  # an axis ends on a tick, and the tick is labelled
    "axes.xmargin": 0,
    "axes.ymargin": 0,
    "xtick.color": AXIS_COLOR,
    "ytick.color": AXIS_COLOR,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "grid.color": GRID_COLOR,
    "grid.linewidth": 1,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "legend.handlelength": 1,
    "legend.handleheight": 1,
}
# rcParams are matplotlib's process-wide settings: one chart at a time changes them.
_STYLE_LOCK = threading.Lock()
MARK_GROUP = re.compile(
    r'<g id="mark-(\d+)">((?:\s*<defs>.*?</defs>)?\s*(?:<g>)?\s*)<(path|use)\b([^>]*?)\s*/>',
    re.DOTALL,
)
NAMED_GROUP = re.compile(r'<g id="([A-Za-z][\w.]*?)_\d+">')


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: Sequence[float | None]


@dataclass
class Marks:
    """The chart's bars, lines and points: each artist gets a gid, and the SVG element that
    draws it gets the mark's class and a tooltip."""

    kinds: list[tuple[str, str]] = field(default_factory=list)

    def add(self, artist: Any, kind: str, tooltip: str = "") -> None:
        artist.set_gid(f"mark-{len(self.kinds)}")
        artist.set_clip_on(False)  # nothing to clip: the axes fit the data
        self.kinds.append((kind, tooltip))


def grouped_bars(
    title: str, categories: Sequence[str], series: Sequence[Series], fmt: Formatter
) -> Markup:
    """Vertical bars: one group per category, one bar per series, values from zero."""

    def draw(figure: Figure, marks: Marks) -> None:
        ax = _axes(figure, WIDTH, 300, left=60, right=12, top=40, bottom=44)
        _value_axis(ax.yaxis, fmt, bins=4)
        width = 0.8 / max(len(series), 1)
        for si, s in enumerate(series):
            known = [(ci, v) for ci, v in enumerate(s.values) if v is not None]
            positions = [ci - 0.4 + width * (si + 0.5) for ci, _ in known]
            values = [v for _, v in known]
            bars = ax.bar(positions, values, width * 0.92, color=s.color)
            for bar, (ci, value) in zip(bars, known, strict=True):
                marks.add(bar, "bar", f"{s.name}, {categories[ci]}: {fmt(value)}")
            ax.bar_label(bars, [fmt(v) for v in values], padding=3, fontsize=10)
        ax.set_xlim(-0.5, len(categories) - 0.5)
        ax.set_xticks(range(len(categories)), [_shorten(c, 20) for c in categories])
        ax.tick_params(axis="x", length=0, labelsize=12, labelcolor=TEXT_COLOR, pad=8)
        ax.set_ylim(bottom=0)
        _grid(ax)
        _legend(figure, [(s.name, s.color) for s in series], x=60, width=WIDTH, height=300)

    return _render(title, WIDTH, 300, draw)


def diverging_bars(title: str, items: Sequence[tuple[str, float | None]], fmt: Formatter) -> Markup:
    """Horizontal bars around zero: gains to the right in green, losses to the left in red;
    "n/a" where the value is missing."""
    height = 10 + 26 + ROW_HEIGHT * len(items)

    def draw(figure: Figure, marks: Marks) -> None:
        ax = _axes(figure, WIDTH, height, left=LABEL_WIDTH, right=70, top=10, bottom=26)
        _value_axis(ax.xaxis, fmt, bins=4)
        _rows(ax, [label for label, _ in items])
        for row, (label, value) in enumerate(items):
            if value is None:
                _value_text(ax, "n/a", 0, row, color=AXIS_COLOR)
                continue
            color = POSITIVE if value >= 0 else NEGATIVE
            [bar] = ax.barh(row, value, BAR_THICKNESS, color=color)
            marks.add(bar, "bar", f"{label}: {fmt(value)}")
            # A loss's value goes right of the zero line: its bar reaches towards the labels.
            _value_text(ax, fmt(value), max(value, 0), row)
        ax.axvline(0, color=AXIS_COLOR, linewidth=1, clip_on=False)
        ax.spines["left"].set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="x", length=0)

    return _render(title, WIDTH, height, draw)


def stacked_bars(
    title: str,
    items: Sequence[tuple[str, dict[str, float]]],
    segments: Sequence[tuple[str, str]],
    fmt: Formatter,
) -> Markup:
    """Horizontal stacked bars: one row per item, one coloured segment per (name, colour),
    the total after the bar."""
    height = 34 + 8 + ROW_HEIGHT * len(items)

    def draw(figure: Figure, marks: Marks) -> None:
        ax = _axes(figure, WIDTH, height, left=LABEL_WIDTH, right=50, top=34, bottom=8)
        _rows(ax, [label for label, _ in items])
        for row, (label, counts) in enumerate(items):
            start = 0.0
            for name, color in segments:
                value = counts.get(name, 0)
                if not value:
                    continue
                [bar] = ax.barh(row, value, BAR_THICKNESS, left=start, color=color)
                marks.add(bar, "bar", f"{label}, {name}: {fmt(value)}")
                start += value
            _value_text(ax, fmt(start), start, row)
        totals = [sum(counts.values()) for _, counts in items]
        ax.set_xlim(0, max(totals, default=0) or 1)
        ax.xaxis.set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        _legend(figure, segments, x=LABEL_WIDTH, width=WIDTH, height=height)

    return _render(title, WIDTH, height, draw)


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

    def draw(figure: Figure, marks: Marks) -> None:
        ax = _axes(figure, width, height, left=62, right=14, top=12, bottom=28)
        _value_axis(ax.yaxis, fmt, bins=3)
        first, last = points[0][0], points[-1][0]
        days = [(day - first).days for day, _ in points]
        values = [value for _, value in points]
        [line] = ax.plot(days, values, color=color, linewidth=2.5, solid_joinstyle="round")
        marks.add(line, "line")
        for i in (0, -1):
            [point] = ax.plot(days[i], values[i], "o", color=color, markersize=7)
            marks.add(point, "point", f"{day_label(points[i][0])}: {fmt(values[i])}")
        ax.set_xlim(0, max(days[-1], 1))
        ax.set_xticks([0, max(days[-1], 1)], [day_label(first), day_label(last)])
        start, end = ax.get_xticklabels()
        start.set_horizontalalignment("left")
        end.set_horizontalalignment("right")
        _grid(ax)
        ax.tick_params(axis="x", length=0, pad=8)  # the days clear the lowest value's label

    return _render(title, width, height, draw)


def tick_labels(ticks: Sequence[float], fmt: Formatter) -> list[str]:
    """The labels of an axis's ticks: the report's form when it tells them apart ("3.0k",
    "3.5k"); else the full numbers with the decimals the step between ticks needs ("3,510" and
    "3,520", "10.25" and "10.30"), so no two ticks read the same (issue 22 item 6: a growth
    chart read "3.5k" at the top and at the bottom of its axis)."""
    labels = [fmt(tick) for tick in ticks]
    if len(set(labels)) == len(labels):
        return labels
    ordered = sorted(ticks)
    step = min((b - a for a, b in zip(ordered, ordered[1:], strict=False) if b > a), default=1)
    exact = (d for d in range(15) if math.isclose(round(step, d), step, rel_tol=1e-6))
    decimals = next(exact, 15)
    return [f"{tick:,.{decimals}f}" for tick in ticks]


def _render(title: str, width: int, height: int, draw: Callable[[Figure, Marks], None]) -> Markup:
    """Draws a chart on a figure of `width` × `height` px and returns its inline SVG."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    marks = Marks()
    buffer = io.StringIO()
    style = {**STYLE, "svg.hashsalt": title}
    with _STYLE_LOCK, matplotlib.rc_context(style), warnings.catch_warnings():
        # A glyph DejaVu Sans lacks (an emoji in a name) is drawn by the reader's fonts.
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font")
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasSVG(figure)
        figure.patch.set_visible(False)
        draw(figure, marks)
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline(title, width, height, buffer.getvalue(), marks)


def _inline(title: str, width: int, height: int, svg: str, marks: Marks) -> Markup:
    """matplotlib's SVG document as one element for the page: no XML declaration, DOCTYPE or
    metadata, no style sheet (an inline SVG's applies to the whole page), classes instead of
    matplotlib's group ids (the same in every chart), compact whitespace."""
    body = svg[svg.index(">", svg.index("<svg")) + 1 : svg.rindex("</svg>")]
    body = re.sub(r"<metadata>.*?</metadata>", "", body, flags=re.DOTALL)
    body = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", body, flags=re.DOTALL)

    def mark(match: re.Match[str]) -> str:
        kind, tooltip = marks.kinds[int(match.group(1))]
        tag, attributes = match.group(3), match.group(4)
        tip = f"<title>{escape(tooltip)}</title>" if tooltip else ""
        return f'<g>{match.group(2)}<{tag} class="{kind}"{attributes}>{tip}</{tag}>'

    body = MARK_GROUP.sub(mark, body)
    body = re.sub(r'<g id="[^"]*"/>', "", body)  # a tick without a tick mark
    body = body.replace("xlink:href=", "href=")  # SVG 2: no XLink namespace to declare
    body = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", body)  # upright text: no rotation
    body = NAMED_GROUP.sub(lambda m: f'<g class="{m.group(1).replace(".", "-")}">', body)
    body = re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", body)).strip()
    label = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{body}</svg>"
    )


def _axes(
    figure: Figure, width: int, height: int, left: int, right: int, top: int, bottom: int
) -> Axes:
    """Axes placed by their margins in px, the same for every chart of a kind (labels line
    up from chart to chart)."""
    rect = (left / width, bottom / height, (width - left - right) / width)
    ax = figure.add_axes((*rect, (height - top - bottom) / height))
    ax.patch.set_visible(False)
    return ax


def _value_axis(axis: Any, fmt: Formatter, bins: int) -> None:
    """Ticks at round values (matplotlib's MaxNLocator), read by `tick_labels`. Set before
    anything asks the axes for their limits: they end on this locator's ticks."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(_tick_formatter(fmt))


def _tick_formatter(fmt: Formatter) -> TickFormatter:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, position: int | None) -> str:
        ticks = list(formatter.locs) or [value]
        return tick_labels(ticks, fmt)[position] if position is not None else fmt(value)

    formatter = FuncFormatter(label)
    return formatter


def _grid(ax: Axes) -> None:
    """The value axis up the left as light lines behind the marks, one a tick, without an
    axis line. Nothing is clipped: a clip path would be a `url(#…)` reference, and the lines
    end at the axes anyway."""
    ax.grid(axis="y", clip_on=False)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _rows(ax: Axes, labels: Sequence[str]) -> None:
    """One row per label, the first at the top, each label shortened left of the plot."""
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_yticks(range(len(labels)), [_shorten(label, LABEL_CHARACTERS) for label in labels])
    ax.tick_params(axis="y", length=0, labelsize=12, labelcolor=TEXT_COLOR, pad=8)


def _value_text(ax: Axes, text: str, x: float, row: int, color: str = TEXT_COLOR) -> None:
    """A value written 4 px right of `x`, on the row's middle line."""
    ax.annotate(
        text,
        (x, row),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=10,
        color=color,
        annotation_clip=False,
    )


def _legend(
    figure: Figure, entries: Sequence[tuple[str, str]], x: int, width: int, height: int
) -> None:
    """A row of coloured squares and names along the top, from `x` px."""
    from matplotlib.patches import Patch

    figure.legend(
        handles=[Patch(color=color, label=name) for name, color in entries],
        loc="upper left",
        bbox_to_anchor=(x / width, 1),
        ncols=max(len(entries), 1),
        borderaxespad=0,
        borderpad=0.3,
        columnspacing=1.2,
        handletextpad=0.4,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
