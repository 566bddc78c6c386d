"""The report's SVG charts (matplotlib, exports/charts.py) as a reader takes them in: an axis
whose two ends read the same number says nothing, whatever the measure and however small its
change; a name is text, never markup or a formula; and the chart is one element that scales
and comes out the same for the same data."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from exports.charts import (
    NEGATIVE,
    POSITIVE,
    Series,
    diverging_bars,
    grouped_bars,
    line_chart,
    stacked_bars,
    tick_labels,
)
from exports.report import compact, pct
from tests.fresh_imports import packages_loaded_by
from tests.serving.chart_markup import axis_labels, color, marks, parse


def line(values: list[float], fmt=compact, title: str = "Followers") -> str:
    days = [date(2026, 1, 1 + 10 * i) for i in range(len(values))]
    return str(line_chart(title, list(zip(days, values, strict=True)), "#000000", fmt))


def whole(value: float) -> str:
    return f"{value:,.0f}"


def number(label: str) -> float:
    return float(label.replace(",", ""))


def test_a_large_change_keeps_the_short_form() -> None:
    labels = axis_labels(line([3_400.0, 5_100.0]))
    assert labels == ["3.0k", "4.0k", "5.0k", "6.0k"]


def test_a_small_change_of_a_large_number_reads_in_full() -> None:
    # "1.2M" at every tick: the full numbers differ, and span the line's values.
    labels = axis_labels(line([1_234_000.0, 1_236_000.0]))
    assert len(set(labels)) == len(labels) >= 2
    assert all(re.fullmatch(r"1,23\d,\d{3}", label) for label in labels), labels
    assert number(labels[0]) <= 1_234_000 and number(labels[-1]) >= 1_236_000


def test_a_change_under_one_gets_the_decimals_it_needs() -> None:
    # A measure shown in whole numbers ("10" at every tick) that moved by 0.2.
    assert axis_labels(line([10.2, 10.3, 10.4], whole)) == ["10.2", "10.3", "10.4"]
    labels = axis_labels(line([0.5012, 0.5014], whole))
    assert len(set(labels)) == len(labels) >= 2 and labels[0].startswith("0.501"), labels


def test_a_flat_line_still_has_axis_labels_that_differ() -> None:
    svg = line([3_500.0, 3_500.0, 3_500.0])
    labels = axis_labels(svg)
    assert len(set(labels)) == len(labels) >= 2, labels
    # A level line between the lowest and the highest tick: not lying on the axis.
    [path] = marks(svg, "line")
    [height] = {float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", path.get("d", ""))}
    ticks = [float(y) for y in re.findall(r'<g class="ytick">.*?<text[^>]* y="([\d.]+)"', svg)]
    assert min(ticks) < height < max(ticks)


def test_tick_labels_read_in_full_only_when_the_short_form_repeats() -> None:
    assert tick_labels([3_000, 4_000, 5_000], compact) == ["3.0k", "4.0k", "5.0k"]
    assert tick_labels([3_510, 3_520, 3_530], compact) == ["3,510", "3,520", "3,530"]
    # The step decides the decimals: 10.25 is not shown as "10.2".
    assert tick_labels([10.0, 10.25, 10.5], whole) == ["10.00", "10.25", "10.50"]


def test_the_growth_line_labels_its_first_and_last_day() -> None:
    points = [(date(2026, 1, 1), 10.0), (date(2026, 2, 1), 12.0)]
    svg = line_chart("Followers", points, "#0072B2", compact, lambda d: f"{d:%b %Y}")
    assert axis_labels(svg, "x") == ["Jan 2026", "Feb 2026"]
    assert [color(p) for p in marks(svg, "point")] == ["#0072b2", "#0072b2"]
    assert color(marks(svg, "line")[0], "stroke") == "#0072b2"


HOSTILE = 'Ca$h $x^2$ <script>"$1"</script> &'


def test_a_name_is_text_not_markup_nor_a_formula() -> None:
    # matplotlib reads "$...$" as mathtext: a name with dollars would lose them and be drawn
    # as a formula. It stays the name, escaped, in the label and in the bar's tooltip.
    svg = str(diverging_bars("ROI of $ campaigns <b>", [(HOSTILE, 0.5)], pct))
    assert "<script" not in svg and "<b>" not in svg
    root = parse(svg)  # well-formed: no label broke the markup
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert HOSTILE in texts
    [bar] = marks(svg, "bar")
    assert "".join(bar.itertext()) == f"{HOSTILE}: 50.0%"
    assert root.get("aria-label") == "ROI of $ campaigns <b>"
    assert svg.count("ROI of $ campaigns &lt;b&gt;") == 2  # the label and the <title>


def test_a_long_name_is_shortened_in_the_chart() -> None:
    name = "A very long campaign name " + "x" * 300
    svg = str(stacked_bars("Flags", [(name, {"high": 2})], [("high", "#D55E00")], whole))
    texts = ["".join(t.itertext()) for t in parse(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert name[:33] + "…" in texts and not any("x" * 40 in text for text in texts)


def test_diverging_bars_are_green_for_gains_red_for_losses_and_say_when_missing() -> None:
    items = [("Spring", 0.8), ("Summer", -0.95), ("Gifting", None)]
    svg = str(diverging_bars("ROI", items, pct))
    assert [color(bar) for bar in marks(svg, "bar")] == [POSITIVE.lower(), NEGATIVE.lower()]
    assert "n/a" in svg and "80.0%" in svg and "-95.0%" in svg
    labels = axis_labels(svg, "x")
    assert "0.0%" in labels and len(set(labels)) == len(labels)


def test_grouped_and_stacked_bars_carry_their_values_and_a_legend() -> None:
    series = [Series("Instagram", "#CC79A7", [0.05, None]), Series("TikTok", "#0072B2", [1, 2])]
    svg = str(grouped_bars("Rate", ["nano", "micro"], series, pct))
    assert [color(bar) for bar in marks(svg, "bar")] == ["#cc79a7", "#0072b2", "#0072b2"]
    assert all(value in svg for value in (">5.0%<", ">100.0%<", ">200.0%<"))
    assert ">Instagram<" in svg and ">TikTok<" in svg  # the legend
    assert axis_labels(svg)[0] == "0.0%"

    segments = [("high", "#D55E00"), ("low", "#56B4E9")]
    svg = str(stacked_bars("Flags", [("Late payment", {"high": 2, "low": 3})], segments, whole))
    assert [color(bar) for bar in marks(svg, "bar")] == ["#d55e00", "#56b4e9"]
    assert ">5<" in svg and ">high<" in svg and ">low<" in svg


def test_a_chart_is_one_scalable_element_the_same_every_time() -> None:
    svg = line([3_400.0, 5_100.0])
    assert svg.startswith('<svg class="chart" ') and svg.endswith("</svg>")
    assert svg.count("<svg") == 1 and "<?xml" not in svg and "DOCTYPE" not in svg
    root = parse(svg)
    assert root.get("viewBox") == "0 0 320 170" and root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Followers"
    # No date, no generator's address, no style sheet that would style the whole page.
    assert "<metadata" not in svg and "<style" not in svg and "http" not in svg.split(">", 1)[1]
    assert line([3_400.0, 5_100.0]) == svg  # the report is checksummed
    # Two charts on one page share no id (a reference would draw the other chart's shape).
    other = line([3_400.0, 5_100.0], title="Followers of Bo")
    ids = set(re.findall(r'id="([^"]+)"', svg))
    assert ids and not ids & set(re.findall(r'id="([^"]+)"', other))


def test_charts_drawn_at_once_in_threads_come_out_as_drawn_one_by_one() -> None:
    # matplotlib's settings are process-wide: a thread that restored them while another drew
    # would give that chart paths instead of text.
    titles = [f"Followers of creator {i}" for i in range(8)]
    alone = [line([3_400.0, 5_100.0, 4_000.0], title=t) for t in titles]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda t: line([3_400.0, 5_100.0, 4_000.0], title=t), titles))
    assert together == alone


def test_importing_the_report_does_not_load_matplotlib() -> None:
    # The tasks the DAG files name import the exports package; matplotlib takes a second or
    # two to import, so it loads when a chart is drawn, not when a DAG file is parsed.
    assert packages_loaded_by("import exports.report, irm.tasks", ["matplotlib"]) == []
