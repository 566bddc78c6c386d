"""Native charts in the workbook (openpyxl.chart), drawn by the spreadsheet from the sheet's cells.

A chart holds references to cells, not numbers: Excel, LibreOffice and Google Sheets draw it
from the sheet, again when a value is edited, and filtering a sheet's rows filters its charts
(they plot the visible cells). Each chart stands on the sheet of its data, right of the table
with one empty column between, so it never covers a value; a sheet's charts are stacked.

A chart plots the first rows of its sheet as sorted (the best ROI first; for a monthly sheet,
the newest month's rows), at most MOST_ROWS, less the trailing rows with nothing to plot. Its
series are columns, each titled by its header cell; its categories are the row's name column;
its value axis reads as the columns' metadata format says (a percent, dollars). Bars run
across, the sheet's first row on top, so long names stay readable. Without a value to plot
there is no chart: the sheet says "No data", or its rows have none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import takewhile
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.charts import PALETTE
from exports.columns import Column

MOST_ROWS = 20  # bars a chart can show with readable labels
WIDTH_CM = 18.0
MIN_HEIGHT_CM = 7.5
BAR_CM = 0.4  # the height of one bar
CATEGORY_GAP_CM = 0.3
TITLES_CM = 3.0  # the title, the axis and the legend
ROW_CM = 0.53  # a sheet row of the default 15 points: how many rows a chart covers

# A value axis by its columns' metadata format: the cell formats, with fewer decimals (an axis
# reads 5%, $2,000).
AXIS_FORMATS = {
    "integer": "#,##0",
    "number": "#,##0",
    "ratio": "0.0",
    "score": "0",
    "percent": "0%",
    "usd": '"$"#,##0',
    "usd_unit": '"$"#,##0.00',
}


@dataclass(frozen=True)
class ChartSpec:
    sheet: str  # the title of the sheet holding its data, where it stands
    title: str  # "{newest}" stands for the newest month shown
    categories: str  # the column naming each row
    values: tuple[str, ...]  # one series each, of one format
    value_axis: str
    stacked: bool = False
    colours: tuple[str, ...] = PALETTE  # of the series, in order
    # Only the first rows sharing this column's value: the newest month of a monthly sheet.
    newest: str | None = None
    ranked: str = ""  # how the sheet sorts its rows, said in the title when rows are cut


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "Engagement",
        "Engagement rate against the benchmark, {newest}",
        "dim_creator_account.handle",
        ("avg_engagement_rate", "benchmark_engagement_rate"),
        "Engagement rate",
        newest="month",
        ranked="by engagement index",
    ),
    ChartSpec(
        "Scorecard",
        "Follower growth over 30 days, creators by rank",
        "dim_creator.display_name",
        ("growth_rate_30d",),
        "Followers gained, share of 30 days before",
        ranked="by rank",
    ),
    ChartSpec(
        "Campaign ROI",
        "ROI per campaign",
        "campaign_name",
        ("roi",),
        "ROI (revenue - spend) / spend",
        ranked="by ROI",
    ),
    ChartSpec(
        "Campaign ROI",
        "Budget, spend committed, spend paid and revenue per campaign",
        "campaign_name",
        ("budget_usd", "spend_committed_usd", "spend_paid_usd", "revenue_usd"),
        "US dollars",
        ranked="by ROI",
    ),
    ChartSpec(
        "Open flags",
        "Open quality flags by type and severity",
        "flag_type",
        ("high_severity", "medium_severity", "low_severity"),
        "Open flags",
        stacked=True,
        colours=("#D55E00", "#E69F00", "#56B4E9"),  # high, medium, low: vermillion to blue
        ranked="by number of open flags",
    ),
)


@dataclass(frozen=True)
class PlacedChart:
    """A chart as written: where a person finds it."""

    sheet: str
    title: str
    anchor: str  # the cell at its top left corner


def add_charts(
    ws: Worksheet, columns: list[Column], rows: list[tuple[Any, ...]]
) -> list[PlacedChart]:
    """Draw the sheet's charts right of its table (header in row 1, `rows` from row 2), one
    below the other; returns them as placed."""
    placed: list[PlacedChart] = []
    top = 2
    for spec in CHARTS:
        plot = plotted(spec, columns, rows) if spec.sheet == ws.title else None
        if plot is None:
            continue
        chart = _chart(ws, spec, columns, plot)
        anchor = f"{get_column_letter(len(columns) + 2)}{top}"
        ws.add_chart(chart, anchor)
        placed.append(PlacedChart(ws.title, plot.title, anchor))
        top += math.ceil(chart.height / ROW_CM) + 2
    return placed


@dataclass(frozen=True)
class Plot:
    rows: int  # the sheet's first rows the chart plots
    title: str


def plotted(spec: ChartSpec, columns: list[Column], rows: list[tuple[Any, ...]]) -> Plot | None:
    """What the chart plots of the sheet's rows; None: nothing, no chart."""
    names = [c.name for c in columns]
    if not rows or any(n not in names for n in (spec.categories, *spec.values, spec.newest) if n):
        return None  # no rows, or a publication without these columns
    title = spec.title
    block = rows
    if spec.newest:
        newest = names.index(spec.newest)
        block = list(takewhile(lambda row: row[newest] == rows[0][newest], rows))
        title = title.format(newest=_month_text(rows[0][newest]))
    if len(block) > MOST_ROWS:
        title = f"{title}: first {MOST_ROWS} {spec.ranked}"
    shown = block[:MOST_ROWS]
    values = [names.index(v) for v in spec.values]
    while shown and all(shown[-1][i] is None for i in values):
        shown = shown[:-1]
    return Plot(len(shown), title) if shown else None


def _chart(ws: Worksheet, spec: ChartSpec, columns: list[Column], plot: Plot) -> BarChart:
    by_name = {c.name: (index, c) for index, c in enumerate(columns, start=1)}
    category_index, category = by_name[spec.categories]
    series = [by_name[v] for v in spec.values]
    chart = _bar_chart(ws, category_index, [index for index, _ in series], plot.rows, spec)
    chart.title = plot.title
    chart.x_axis.title = category.label
    chart.y_axis.title = spec.value_axis
    axis_format = AXIS_FORMATS.get(series[0][1].format)
    if axis_format:
        chart.y_axis.number_format = NumFmt(formatCode=axis_format, sourceLinked=False)
    return chart


def _bar_chart(
    ws: Worksheet, category: int, values: Sequence[int], rows: int, spec: ChartSpec
) -> BarChart:
    """Bars across, one series per column of `values` (titled by its header cell in row 1),
    over rows 2 to rows + 1, named by the `category` column (text); the first row on top."""
    chart = BarChart()
    chart.type = "bar"
    stacked = spec.stacked
    chart.grouping = "stacked" if stacked else "clustered"
    if stacked:
        chart.overlap = 100
    names = Reference(ws, min_col=category, min_row=2, max_row=rows + 1)
    for number, column in enumerate(values):
        chart.add_data(
            Reference(ws, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True
        )
        series = chart.series[-1]
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))  # names, not numbers
        colour = spec.colours[number % len(spec.colours)].lstrip("#")
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour
        series.invertIfNegative = False  # a negative ROI keeps its colour
    # openpyxl 3.1 hides both axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # The sheet's order, top down; the value axis at the bottom.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.axPos = "b"
    chart.y_axis.crosses = "max"
    chart.x_axis.tickLblPos = "low"  # names left of the bars, a negative ROI's too
    if len(values) == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    bars = 1 if stacked else len(values)
    height = TITLES_CM + rows * (bars * BAR_CM + CATEGORY_GAP_CM)
    chart.width, chart.height = WIDTH_CM, max(MIN_HEIGHT_CM, height)
    return chart


def _month_text(value: Any) -> str:
    return f"{value:%b %Y}" if isinstance(value, date) else str(value)
