"""An export says plainly when its data is older than its date, and which sources were stale
when its data was built.

Before: a "week of 2026-11-30" export was written over data up to 2026-01-31 without a word,
and nothing said that a source had stopped landing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.config import Settings
from exports import write_export
from tests.serving.conftest import FULL_MARTS
from warehouse.freshness import FRESH, NO_DATA, WARN, FreshnessRule, SourceFreshness, Threshold
from warehouse.publish import publish_marts

DATA_THROUGH = "2026-02-05"  # the newest day of the full test marts
WEEKS_LATER = "2026-03-16"
CURRENT = "2026-02-06"  # Monday's export holds the data through Sunday


def export_texts(day: str) -> tuple[str, str]:
    """The report's HTML and every text of the workbook's first sheet."""
    folder = write_export(day, formats=("html", "xlsx"))
    html = (folder / f"influencer-report-{day}.html").read_text(encoding="utf-8")
    book = load_workbook(folder / f"influencer-workbook-{day}.xlsx")
    assert book.sheetnames[0] == "About"
    about = "\n".join(str(c.value) for row in book["About"].iter_rows() for c in row if c.value)
    return html, about


def test_an_export_dated_weeks_after_its_data_says_so(
    settings: Settings, full_marts: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="exports"):
        html, about = export_texts(WEEKS_LATER)
    said = f"its data ends on {DATA_THROUGH}, 39 days earlier"
    banner = html[html.index('class="stale-data"') :]
    assert said in banner[: banner.index("</")]
    assert html.index('class="stale-data"') < html.index('class="tiles"')  # at the top
    assert said in about
    assert any(said in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_a_current_export_says_nothing_of_the_kind(
    settings: Settings, full_marts: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="exports"):
        html, about = export_texts(CURRENT)
    assert 'class="stale-data"' not in html and "data ends on" not in about
    assert f"Data up to {DATA_THROUGH}" in about
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def checked(source: str, table: str, newest: str | None, status: str) -> SourceFreshness:
    rule = FreshnessRule(
        source, table, f"raw.{source}_{table}", Threshold(36, "hour"), Threshold(3, "day")
    )
    day = date.fromisoformat(newest) if newest else None
    return SourceFreshness(rule, date.fromisoformat(DATA_THROUGH), day, None, status)


@pytest.fixture
def published_with(settings: Settings, warehouse: Callable[..., Path]):
    """The full marts published with a source freshness result (warehouse.freshness's table)."""
    from warehouse.freshness import store_results

    def publish(*results: SourceFreshness) -> Path:
        warehouse(FULL_MARTS)
        store_results(results, settings)
        return publish_marts().path

    return publish


def test_the_report_names_the_sources_that_were_stale(published_with) -> None:
    published_with(
        checked("youtube", "channels", DATA_THROUGH, FRESH),
        checked("youtube", "videos", "2026-02-03", WARN),
        checked("crm", "payments", "2026-01-20", "error"),
        checked("tiktok", "users", None, NO_DATA),
    )
    html, _ = export_texts(CURRENT)
    box = html[html.index('class="freshness"') :]
    box = box[: box.index("</aside>")]
    assert "Data freshness" in box
    assert "YouTube videos" in box and "2026-02-03" in box and "2 days behind" in box
    assert "CRM payments" in box and "2026-01-20" in box
    assert "YouTube channels" not in box and "TikTok" not in box  # fresh, or never used


def test_fresh_sources_take_one_line(published_with) -> None:
    published_with(checked("youtube", "channels", DATA_THROUGH, FRESH))
    html, _ = export_texts(CURRENT)
    box = html[html.index('class="freshness"') :]
    assert "All sources were fresh" in box[: box.index("</aside>")]


def test_no_freshness_result_shows_nothing(settings: Settings, full_marts: Path) -> None:
    html, _ = export_texts(CURRENT)
    assert 'class="freshness"' not in html
