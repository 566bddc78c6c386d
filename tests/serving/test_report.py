"""The HTML report as a person sees it: rendered by headless Chromium, charts drawn, nothing
fetched from the network, escaped, and printable."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape

from core.config import Settings
from expectations.mart_suites import FLAG_TYPES
from exports import write_export
from exports.folder import ExportRun, open_source
from exports.glossary import FLAGS
from exports.report import gather
from tests.serving import browser

DAY = "2026-02-09"
WIDTH = 1100
# Charts in the full test marts: engagement by tier, 4 follower lines, campaign ROI, flags,
# relationship health.
EXPECTED_CHARTS = 8


@pytest.fixture
def report(settings: Settings, full_marts: Path) -> Path:
    folder = write_export(DAY, formats=("html",))
    return folder / f"influencer-report-{DAY}.html"


def test_report_is_self_contained_and_escaped(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    # No script, stylesheet, image or font from anywhere: only the SVG namespace URI.
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and "url(" not in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert re.findall(r'(?:src|href)="(?!#)', html) == []
    # Names from the CRM are text, not markup.
    assert "Cleo &lt;Cooks&gt; &amp; Co" in html and "<Cooks>" not in html
    assert "Summer &lt;sale&gt;" in html and "<sale>" not in html
    # Every flag the marts may hold is explained in plain words, and the metrics in a glossary.
    assert set(FLAG_TYPES) <= set(FLAGS)
    for term in FLAGS.values():
        assert escape(term.label) in html and escape(term.meaning) in html
    assert "What the numbers and flags mean" in html
    assert html.count('<figure class="chart">') == EXPECTED_CHARTS


def test_chromium_draws_every_chart(report: Path, tmp_path: Path) -> None:
    layout = browser.layout(report, WIDTH, tmp_path)
    charts = layout["charts"]
    assert len(charts) == EXPECTED_CHARTS
    height = min(layout["height"], 12_000)
    image = browser.screenshot(report, WIDTH, height, tmp_path / "report.png", tmp_path)
    assert image.shape[:2] == (height, WIDTH)
    rgb = image[:, :, :3].astype(int)

    # Not blank: text, tiles and charts cover a fair part of the page in many colours.
    ink = (rgb != 255).any(axis=2)
    assert ink.mean() > 0.05
    packed = (rgb[:, :, 0] << 16) | (rgb[:, :, 1] << 8) | rgb[:, :, 2]
    assert len(np.unique(packed)) > 50

    for chart in charts:
        assert chart["marks"] > 0 and chart["width"] > 200 and chart["height"] > 40, chart
        top, left = int(chart["y"]), int(chart["x"])
        region = rgb[top : top + int(chart["height"]), left : left + int(chart["width"])]
        assert (region != 255).any(axis=2).mean() > 0.02, chart
        # Each colour the chart's bars or lines are painted with is on screen in its box.
        for css in chart["colors"]:
            color = np.array(browser.css_color(css))
            painted = (np.abs(region - color).max(axis=2) <= 8).sum()
            assert painted >= 20, (css, chart)


def test_report_prints_on_several_pages(report: Path, tmp_path: Path) -> None:
    pdf = browser.print_to_pdf(report, tmp_path / "report.pdf", tmp_path)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    # Each section starts a page in print (the @media print rules); the sections fit on few.
    assert 7 <= pages <= 12, pages
    html = report.read_text(encoding="utf-8")
    assert "@media print" in html and "break-inside: avoid" in html


def test_report_tables_read_with_the_columns_labels(full_marts: Path, tmp_path: Path) -> None:
    # Issue 22 item 6: the words and formats come from the marts' column metadata (the BI
    # copy's meta.columns), not from names written again in the report.
    run = ExportRun(DAY, tmp_path, full_marts, None, None, "2026-02-05")
    with open_source(full_marts) as con:
        data = gather(con, run)
        labels = dict(
            con.execute(
                "SELECT column_name, label FROM meta.columns WHERE table_name = 'mart_campaign_roi'"
            ).fetchall()
        )
    campaigns = next(s for s in data.sections if s.key == "campaigns")
    assert campaigns.table is not None
    assert campaigns.table.headers[0] == labels["campaign_name"] == "Campaign"
    assert campaigns.table.headers[1:] == [
        labels[c]
        for c in ("spend_committed_usd", "revenue_usd", "orders", "roas", "roi", "cpm_usd")
        + ("cpa_usd", "emv_usd")
    ]
    spring = next(row for row in campaigns.table.rows if row[0] == "Spring launch")
    assert spring[1:6] == ["$5,000", "$9,000", "120", "1.80", "80.0%"]


def test_a_small_change_gets_axis_labels_that_differ() -> None:
    # Issue 22 item 6: a growth chart read "3.5k" at the top and at the bottom of its axis.
    from exports.charts import line_chart
    from exports.report import compact

    points = [(date(2026, 1, 1), 3512.0), (date(2026, 1, 31), 3548.0)]
    svg = str(line_chart("Followers", points, "#000000", compact))
    labels = re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', svg)
    top, bottom = labels[:2]
    assert top != bottom and (top, bottom) == ("3,548", "3,512")
