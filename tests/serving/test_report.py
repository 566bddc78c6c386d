"""The HTML report as a person sees it: rendered by headless Chromium, charts drawn, nothing
fetched from the network, escaped, and printable."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape
from PIL import Image

from core.config import Settings
from expectations.mart_suites import FLAG_TYPES
from exports import write_export
from exports.folder import ExportRun, open_source
from exports.glossary import FLAGS
from exports.report import (
    MAX_COMMENT_CHARACTERS,
    ReportData,
    Section,
    gather,
    shown_text,
    text_of,
)
from tests.mart_fixtures import MartRows
from tests.serving import browser
from tests.serving.chart_markup import axis_labels
from tests.serving.conftest import FULL_MARTS
from tests.serving.hostile import BIDI, IMG, LONG, NUL, QUOTES, SCRIPT
from warehouse.publish import publish_marts

DAY = "2026-02-09"
WIDTH = 1100
# Charts in the full test marts: engagement by tier, 4 follower lines, campaign ROI and spend,
# flags, relationship health, audience sentiment.
EXPECTED_CHARTS = 10
# "Top posts of the week" links the posts whose permalink is a whole http(s) URL
# (tests/serving/conftest.py WEEK_POSTS_ROWS): not t0's `javascript:` one nor p9's bidi one.
POST_LINKS = [
    "https://www.youtube.com/watch?v=v0&amp;t=1",
    "https://www.youtube.com/watch?v=v1",
    "https://www.instagram.com/p/p0/",
]
# The ten best discovery candidates' profiles that are links (tests/serving/conftest.py
# LISTENING_ROWS): not rank 1's `javascript:` URL nor rank 3's URL hiding a bidi override.
CANDIDATE_LINKS = [
    "https://www.tiktok.com/@brewbeth?lang=en&amp;x=1",
    "https://youtube.com/@four_cups",
    "https://youtube.com/@five_beans",
    "https://www.tiktok.com/@six",
    "https://www.tiktok.com/@seven",
    "https://youtube.com/channel/UC8",
    "https://www.tiktok.com/@nine",
    "https://www.tiktok.com/@ten",
]


@pytest.fixture
def report(settings: Settings, full_marts: Path) -> Path:
    folder = write_export(DAY, formats=("html",))
    return folder / f"influencer-report-{DAY}.html"


def test_report_is_self_contained_and_escaped(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    # No script, stylesheet, image or font from anywhere: only the SVG namespace URI.
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and "url(" not in html
    # The only addresses: the SVG namespace, the week's posts and the candidates' profiles, as
    # links to follow (no thumbnail: a remote image would be fetched when the report opens).
    links = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer">', html)
    assert links == POST_LINKS + CANDIDATE_LINKS
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {
        "http://www.w3.org/2000/svg",
        *POST_LINKS,
        *CANDIDATE_LINKS,
    }
    assert len(re.findall(r'(?:src|href)="(?!#)', html)) == len(POST_LINKS + CANDIDATE_LINKS)
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
    assert 8 <= pages <= 14, pages
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
    # the commission earned and outstanding beside the spend; code and link attribution side
    # by side, then new customers (issue 23)
    assert campaigns.table.headers[1:17] == [
        labels[c]
        for c in ("budget_usd", "spend_committed_usd", "spend_paid_usd", "commission_usd")
        + ("commission_outstanding_usd", "revenue_usd", "orders", "orders_by_code")
        + ("orders_by_link", "new_customers", "roas", "roi", "cpm_usd", "cpa_usd")
        + ("cost_per_new_customer_usd", "emv_usd")
    ]
    spring = next(row for row in campaigns.table.rows if row[0] == "Spring launch")
    assert spring[1:13] == [
        "$6,000", "$5,000", "$2,500", "$900", "$300", "$9,000", "120", "90", "30", "50", "1.80",
        "80.0%",
    ]  # fmt: skip


def test_health_bands_read_as_words_in_the_chart_and_the_table(
    full_marts: Path, tmp_path: Path
) -> None:
    # The chart's legend and the table showed "needs_attention".
    run = ExportRun(DAY, tmp_path, full_marts, None, None, "2026-02-05")
    with open_source(full_marts) as con:
        health = next(s for s in gather(con, run).sections if s.key == "health")
    assert health.table is not None and health.figures
    band = health.table.headers.index("Health")
    assert {row[band] for row in health.table.rows} >= {"Needs attention"}
    assert "Needs attention" in health.figures[0].svg and "needs_attention" not in (
        health.figures[0].svg
    )
    # how long the partnership has lasted, beside its health (issue 23's longevity)
    with open_source(full_marts) as con:
        labels = dict(
            con.execute(
                "SELECT column_name, label FROM meta.columns"
                " WHERE table_name = 'mart_relationship_health'"
            ).fetchall()
        )
    assert health.table.headers[-2:] == [
        labels["months_since_first_partnership"],
        labels["campaigns_done"],
    ]
    by_band = {row[band]: row[-2:] for row in health.table.rows}
    assert by_band["At risk"] == ["12", "0"]  # cr4: a year partnered, no campaign done


def test_a_small_change_gets_axis_labels_that_differ() -> None:
    # Issue 22 item 6: a growth chart read "3.5k" at the top and at the bottom of its axis.
    from exports.charts import line_chart
    from exports.report import compact

    points = [(date(2026, 1, 1), 3512.0), (date(2026, 1, 31), 3548.0)]
    svg = str(line_chart("Followers", points, "#000000", compact))
    # The axis runs from the round number under the lowest value to the one over the highest.
    assert axis_labels(svg) == ["3,500", "3,520", "3,540", "3,560"]


def test_without_daily_followers_the_growth_lines_read_in_months(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    # Issue 22 item 6: months read "2026-01-01". Without fct_account_daily the follower lines
    # have a point per month (mart_creator_growth.followers_end); Ada's are Jan and Feb 2026.
    warehouse(FULL_MARTS, "DROP TABLE marts.fct_account_daily")
    data = report_data(publish_marts().path, tmp_path)
    growth = next(s for s in data.sections if s.key == "growth")
    [ada] = [f for f in growth.figures if f.caption.startswith("Ada Lovelace")]
    assert ada.caption == "Ada Lovelace: 5,120 followers, 1.2% since the end of Jan 2026"
    assert axis_labels(ada.svg, "x") == ["Jan 2026", "Feb 2026"]
    assert "2026-01-01" not in str(ada.svg) and "2026-02-01" not in str(ada.svg)


# --- "What audiences say" (issue 20): tests/serving/conftest.py WEEK_COMMENTS_ROWS -------------


def report_data(published: Path, tmp_path: Path) -> ReportData:
    run = ExportRun(DAY, tmp_path, published, None, None, "2026-02-05")
    with open_source(published) as con:
        return gather(con, run)


def sentiment_section(data: ReportData) -> Section:
    return next(s for s in data.sections if s.key == "sentiment")


def column(table, header: str) -> list[str]:
    return [row[table.headers.index(header)] for row in table.rows]


def test_audiences_section_shows_net_sentiment_per_creator(
    full_marts: Path, tmp_path: Path
) -> None:
    section = sentiment_section(report_data(full_marts, tmp_path))
    assert section.no_data is None and len(section.figures) == 1
    table = section.table
    assert table is not None
    # The latest month, most positive first, beside the month before; counts are of scored
    # comments (and fetched ones, so the unscored share shows).
    assert table.headers == [
        "Creator",
        "Net sentiment, Feb 2026",
        "Comments scored",
        "Comments fetched",
        "Net sentiment, sponsored",
        "Net sentiment, organic",
        "Net sentiment, Jan 2026",
    ]
    assert table.rows == [
        ["Ada Lovelace", "25.0%", "4", "5", "-100.0%", "66.7%", "50.0%"],
        ["Cleo <Cooks> & Co", "-33.3%", "3", "3", "-33.3%", "–", "–"],
    ]
    assert section.note == (
        "Comments written in February 2026. February is not over: its comments up to 2026-02-05."
    )


def test_audiences_section_shows_the_weeks_most_liked_comments(
    full_marts: Path, tmp_path: Path
) -> None:
    data = report_data(full_marts, tmp_path)
    positive, negative = sentiment_section(data).more_tables
    assert positive.title == "Most liked positive comments, 2026-01-30 to 2026-02-05"
    # Top 5 by likes: the sixth ("Nice", 1 like) is left out; the older "Best channel ever"
    # (10,000 likes, 2026-01-29) is not of the week.
    assert column(positive, "Comment") == [
        "Love this <b>video</b> & the music!",
        "Great review, thanks",
        "Good one",
        "So happy I found this",
        "Pretty good",
    ]
    assert column(positive, "Likes") == ["40", "30", "20", "10", "5"]
    assert column(positive, "Platform")[3:] == ["TikTok", "TikTok"]
    # The much-liked negative one is under negative, with its creator.
    assert column(negative, "Comment") == ["Terrible ad, unfollowing", "Not for me"]
    assert column(negative, "Creator") == ["Ada Lovelace", "Cleo <Cooks> & Co"]
    assert column(negative, "Likes")[0] == "500"
    # The unscored comment (the most liked of all) and the neutral one are never shown.
    shown = [cell for table in (positive, negative) for row in table.rows for cell in row]
    assert not [c for c in shown if "UNSCORED" in c or "NEUTRAL" in c or "OLDER" in c]
    # The commenter's handle is personal data, withheld from the BI copy by default.
    assert "Commenter" not in positive.headers and "@critic" not in shown
    metrics = {name for _, name, _ in data.metrics}
    assert {"net_sentiment", "comments_scored", "sentiment_label", "like_count"} <= metrics


def test_the_commenter_is_shown_when_the_copy_holds_it(
    settings: Settings, full_marts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRM_PUBLISH_PERSONAL_DATA", "true")
    _, negative = sentiment_section(report_data(publish_marts().path, tmp_path)).more_tables
    assert column(negative, "Commenter") == ["@critic", "–"]  # TikTok gives no author


def hostile_comments(con) -> None:
    """The corpus in the week's most liked comments: markup, bidi controls, a NUL, line
    breaks, 40,000 characters."""
    for comment_id, text in (
        ("youtube:y1", SCRIPT + " " + IMG),
        ("youtube:y2", BIDI + NUL),
        ("youtube:y3", LONG),
        ("tiktok:71", QUOTES),
        ("youtube:y4", "<b>Terrible</b> ad " + SCRIPT),
    ):
        con.execute(
            "UPDATE marts.fct_comment SET text = ? WHERE comment_id = ?", [text, comment_id]
        )


def test_hostile_comments_are_shown_escaped_and_short(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    warehouse(FULL_MARTS, hostile_comments)
    publish_marts()
    html = (write_export(DAY, formats=("html",)) / f"influencer-report-{DAY}.html").read_text(
        encoding="utf-8"
    )
    chunk = html.split('id="sentiment"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in chunk and "<img" not in chunk and "<b>" not in chunk
    assert escape(SCRIPT + " " + IMG) in chunk
    assert escape("<b>Terrible</b> ad " + SCRIPT) in chunk
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00]", chunk)
    assert escape(shown_text(BIDI)) in chunk  # the words stay, without the controls
    assert escape(shown_text(LONG, MAX_COMMENT_CHARACTERS)) in chunk
    assert "x" * MAX_COMMENT_CHARACTERS not in chunk
    assert escape(QUOTES.replace("\r", "")) in chunk.replace("\r", "")


def test_without_the_comment_marts_the_section_says_no_data(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    warehouse()  # fct_post and dim_creator_account only
    section = sentiment_section(report_data(publish_marts().path, tmp_path))
    assert section.no_data == (
        "No data yet: the mart_creator_sentiment table is not published yet."
    )
    assert section.table is None and not section.figures and not section.more_tables


def test_without_fct_comment_the_comment_tables_say_so(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    warehouse(
        MartRows(
            ("mart_creator_sentiment",),
            "INSERT INTO marts.mart_creator_sentiment BY NAME SELECT 'cr1' AS creator_id, "
            "DATE '2026-02-01' AS month, 2 AS comments_scored, 2 AS comments_fetched, "
            "1.0 AS net_sentiment, 0 AS comments_scored_sponsored, "
            "2 AS comments_scored_organic",
        )
    )
    section = sentiment_section(report_data(publish_marts().path, tmp_path))
    assert section.table is not None and column(section.table, "Net sentiment, Feb 2026") == [
        "100.0%"
    ]
    assert [t.empty for t in section.more_tables] == [
        "No data yet: the fct_comment table is not published yet."
    ] * 2


def test_a_week_without_comments_says_so(settings: Settings, warehouse, tmp_path: Path) -> None:
    warehouse(FULL_MARTS, "DELETE FROM marts.fct_comment WHERE sentiment_label = 'negative'")
    publish_marts()
    html = (write_export(DAY, formats=("html",)) / f"influencer-report-{DAY}.html").read_text(
        encoding="utf-8"
    )
    chunk = html.split('id="sentiment"', 1)[1].split("</section>", 1)[0]
    assert "No negative comment was published on these days." in chunk
    assert chunk.count("<table>") == 2  # the creators and the positive comments


# --- "Who to sign next" and "Who talks about us" (issue 20): conftest.py LISTENING_ROWS ---------


def section_of(data: ReportData, key: str) -> Section:
    return next(s for s in data.sections if s.key == key)


def section_html(html: str, key: str) -> str:
    return html.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]


def test_sections_follow_what_audiences_say(full_marts: Path, tmp_path: Path) -> None:
    keys = [s.key for s in report_data(full_marts, tmp_path).sections]
    assert keys[keys.index("sentiment") :] == ["sentiment", "discovery", "voice"]


def test_who_to_sign_next_lists_the_best_candidates_in_rank_order(
    full_marts: Path, tmp_path: Path
) -> None:
    data = report_data(full_marts, tmp_path)
    section = section_of(data, "discovery")
    assert section.title == "Who to sign next" and section.no_data is None
    # What the score weighs and what sinks a candidate, under the title.
    for words in ("niche terms", "engagement against", "brand-safety", "competitor", "follower"):
        assert words in section.intro, words
    table = section.table
    assert table is not None
    assert table.headers == [
        "Rank",
        "Handle",
        "Platform",
        "Followers",
        "Tier",
        "Engagement vs peers",
        "Niche share",
        "Brand mentions",
        "Fit score",
        "Why",
    ]
    assert column(table, "Rank") == [str(n) for n in range(1, 11)]
    assert column(table, "Handle")[1] == (
        '<a href="https://www.tiktok.com/@brewbeth?lang=en&amp;x=1" '
        'rel="noopener noreferrer">@brewbeth</a>'
    )
    # Without a handle, the account id names the candidate.
    assert "youtube:UC8</a>" in column(table, "Handle")[7]
    assert table.rows[1][2:9] == ["TikTok", "12,000", "micro", "1.60", "80.0%", "3", "80"]
    assert column(table, "Why")[1] == (
        "80% of 7 posts found use the brand's niche terms; engagement 1.60x its peers"
    )
    # The two with problems (ranks 11 and 12) are left for the workbook.
    assert section.note == (
        'The 10 best of 12 candidates; all are in the workbook (sheet "Who to sign next").'
    )
    metrics = {name for _, name, _ in data.metrics}
    assert {"fit_score", "engagement_index", "niche_share", "share_of_voice"} <= metrics


def test_candidates_are_shown_escaped_and_only_http_profiles_are_links(report: Path) -> None:
    chunk = section_html(report.read_text(encoding="utf-8"), "discovery")
    assert "<script" not in chunk and "<img" not in chunk
    assert escape("<script>alert(1)</script>") in chunk
    assert escape("<img src=x onerror=alert(1)>") in chunk
    # A javascript: URL and a URL hiding a bidi override are not links: the name is shown.
    assert "javascript:" not in chunk and "gnp.exe" not in chunk
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", chunk)
    assert "<td>Bidi Barista</td>" in chunk
    assert re.findall(r'<a href="([^"]+)"', chunk) == CANDIDATE_LINKS


def test_who_talks_about_us_shows_the_latest_complete_week(
    full_marts: Path, tmp_path: Path
) -> None:
    section = section_of(report_data(full_marts, tmp_path), "voice")
    assert section.title == "Who talks about us" and section.no_data is None
    table = section.table
    assert table is not None
    # The data ends on Thursday 2026-02-05: the week of 2026-02-02 is not over and not shown.
    assert table.title == "Week of Monday 2026-01-26 to Sunday 2026-02-01"
    assert table.headers == [
        "Platform",
        "Brand mentions",
        "Competitor mentions",
        "Share of voice",
        "Brand net sentiment",
        "Share of voice, week of Jan 19",
        "Brand mentions, week of Jan 19",
    ]
    assert table.rows == [
        ["Instagram", "2", "0", "100.0%", "–", "–", "–"],
        ["TikTok", "1", "3", "25.0%", "–", "–", "–"],
        ["YouTube", "6", "2", "75.0%", "40.0%", "50.0%", "3"],
    ]
    # The brand's own terms of that week (not competitors', not niche ones, not other weeks).
    (terms,) = section.more_tables
    assert terms.headers == ["Term", "Platform", "Mentions", "Authors, added up by day"]
    assert terms.rows == [
        ["lumencoffee", "YouTube", "5", "4"],
        ["lumencoffee", "Instagram", "2", "–"],
        ["lumenbrew", "TikTok", "1", "1"],
    ]


def test_a_single_week_has_no_comparison_columns(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    warehouse(FULL_MARTS, "DELETE FROM marts.mart_share_of_voice WHERE week = '2026-01-19'")
    table = section_of(report_data(publish_marts().path, tmp_path), "voice").table
    assert table is not None and table.headers[-1] == "Brand net sentiment"
    assert table.rows[-1] == ["YouTube", "6", "2", "75.0%", "40.0%"]


def test_without_the_listening_marts_the_sections_say_no_data(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    warehouse()  # fct_post and dim_creator_account only
    data = report_data(publish_marts().path, tmp_path)
    discovery, voice = section_of(data, "discovery"), section_of(data, "voice")
    assert discovery.no_data == (
        "No data yet: the mart_discovery_candidates table is not published yet."
    )
    assert voice.no_data == "No data yet: the mart_share_of_voice table is not published yet."
    assert discovery.table is None and voice.table is None and not voice.more_tables


def test_empty_listening_marts_say_so(settings: Settings, warehouse, tmp_path: Path) -> None:
    warehouse(
        FULL_MARTS,
        "DELETE FROM marts.mart_discovery_candidates; DELETE FROM marts.mart_share_of_voice",
    )
    data = report_data(publish_marts().path, tmp_path)
    assert section_of(data, "discovery").no_data == (
        "No data yet: the mart_discovery_candidates table has no rows in this publication."
    )
    assert section_of(data, "voice").no_data == (
        "No data yet: the mart_share_of_voice table has no rows in this publication."
    )


def test_a_week_still_running_is_not_shown(settings: Settings, warehouse, tmp_path: Path) -> None:
    warehouse(FULL_MARTS, "DELETE FROM marts.mart_share_of_voice WHERE week < '2026-02-02'")
    section = section_of(report_data(publish_marts().path, tmp_path), "voice")
    assert section.no_data == "No complete week of mentions yet: the first one is still running."


# --- issue 22 item 7: top posts, week-over-week tiles, disclosure and spend, the PDF ----------
# tests/serving/conftest.py WEEK_POSTS_ROWS; the data's newest day is Thursday 2026-02-05.


def test_top_posts_of_the_week_are_the_complete_weeks_most_engaging(
    full_marts: Path, tmp_path: Path
) -> None:
    data = report_data(full_marts, tmp_path)
    section = section_of(data, "posts")
    assert section.title == "Top posts of the week" and section.no_data is None
    assert "most interactions" in section.intro  # which measure ranks them
    table = section.table
    assert table is not None
    # The week that is over: not the running week's posts (t1: 2,630 interactions), nor the
    # week before's (v9: 99,999).
    assert table.title == "Week of Monday 2026-01-26 to Sunday 2026-02-01"
    assert table.headers == [
        "Title",
        "Creator",
        "Platform",
        "Published on (UTC)",
        "Interactions",
        "Likes",
        "Comments",
        "Views",
        "Engagement rate",
        "Disclosure",
    ]
    assert column(table, "Creator") == [
        "Cleo <Cooks> & Co",
        "Ada Lovelace",
        "Ada Lovelace",
        'Bo "Beats" Chen',
        'Bo "Beats" Chen',
    ]
    assert column(table, "Interactions") == ["5,000", "900", "130", "40", "–"]
    assert table.rows[1][2:] == [
        "YouTube",
        "2026-01-28",
        "900",
        "800",
        "100",
        "20,000",
        "18.0%",
        "Disclosed",
    ]
    assert column(table, "Disclosure") == [
        "Undisclosed",
        "Disclosed",
        "Not sponsored",
        "Weak disclosure",
        "Not sponsored",
    ]
    titles = column(table, "Title")
    # A `javascript:` permalink and one hiding a bidi override are not links, and not shown.
    assert titles[0] == "Latte art <img src=x onerror=alert(1)>"
    assert titles[4] == "Bidi post"
    assert titles[1] == (
        '<a href="https://www.youtube.com/watch?v=v0&amp;t=1" rel="noopener noreferrer">'
        "Unboxing &lt;the&gt; &#34;best&#34; grinder</a>"
    )
    assert {"interactions", "disclosure_status"} <= {name for _, name, _ in data.metrics}


def test_top_posts_are_escaped_and_only_http_permalinks_are_links(report: Path) -> None:
    chunk = section_html(report.read_text(encoding="utf-8"), "posts")
    assert "<img" not in chunk and escape("<img src=x onerror=alert(1)>") in chunk
    assert "javascript:" not in chunk and "gpj.exe" not in chunk
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", chunk)
    assert re.findall(r'<a href="([^"]+)"', chunk) == POST_LINKS


def test_a_week_without_posts_says_so(settings: Settings, warehouse, tmp_path: Path) -> None:
    warehouse(FULL_MARTS, "DELETE FROM marts.fct_post WHERE published_date < '2026-02-02'")
    table = section_of(report_data(publish_marts().path, tmp_path), "posts").table
    assert table is not None and table.rows == []
    assert table.empty == "No post was published that week."


def test_every_headline_number_says_how_it_moved_on_the_week_before(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    # cr4 partnered on 2026-02-01, after the day a week before the data's newest (2026-01-29).
    warehouse(
        FULL_MARTS,
        "UPDATE marts.dim_creator SET first_partnered_on = '2026-02-01' WHERE creator_id = 'cr4'",
    )
    data = report_data(publish_marts().path, tmp_path)
    tiles = {t.label: t for t in data.tiles}
    changes = {label: t.change for label, t in tiles.items()}
    assert changes == {
        "Creators": "up 1",
        "Accounts": "no change",
        # fct_account_daily, 2026-01-29 to 2026-02-05: +7 x (12 + 2 + 30 - 30) followers.
        "Followers (all accounts)": "up 98 (+0.05%)",
        # 2026-01-30..02-05: v1, p0, p1, v2, t1, t2; 2026-01-23..01-29: t0, v0, p9.
        "Posts, last 7 days": "up 3 (+100.0%)",
        "Campaign spend": "–",
        "Attributed revenue": "–",
        # Detected 2026-01-30..02-05: f2, f3, f5; 2026-01-23..01-29: f4.
        "Open flags": "new flags: up 2",
        "Relationships at risk": "–",
    }
    assert tiles["Posts, last 7 days"].value == "6"
    assert tiles["Open flags"].note == "1 high severity; 3 new in the last 7 days"
    # What each compares is said, with its days.
    assert "2026-01-29" in tiles["Creators"].compared
    assert "2026-01-23 to 2026-01-29" in tiles["Posts, last 7 days"].compared
    assert "not last week's" in tiles["Campaign spend"].compared
    html = render_html(publish_marts().path, tmp_path)
    assert "Against the week before: up 3 (+100.0%)" in html
    assert "Headline numbers against the week before" in html
    assert escape(tiles["Followers (all accounts)"].compared) in html


def test_spend_revenue_and_risk_compare_with_the_export_of_the_week_before(
    settings: Settings, full_marts: Path, tmp_path: Path
) -> None:
    # The marts keep only today's figures; the export written a week before kept its own.
    before = settings.export_dir_for("2026-02-02")  # DAY - 7 days
    before.mkdir(parents=True)
    (before / "manifest.json").write_text("{}", encoding="utf-8")
    (before / "mart_campaign_roi.csv").write_text(
        "campaign_id,spend_committed_usd,revenue_usd\ncamp1,4000.00,5000.00\n"
        "camp2,3000.00,100.50\n",
        encoding="utf-8",
    )
    (before / "mart_relationship_health.csv").write_text(
        "creator_id,health_band\ncr2,at_risk\ncr4,at_risk\ncr1,healthy\n", encoding="utf-8"
    )
    tiles = {t.label: t for t in report_data(full_marts, tmp_path).tiles}
    # Now: spend 5,000 + 3,000 + 0; revenue 9,000 + 150 + 0; one relationship at risk (cr4).
    assert tiles["Campaign spend"].change == "up $1,000 (+14.3%)"
    assert tiles["Attributed revenue"].change == "up $4,050 (+79.4%)"
    assert tiles["Relationships at risk"].change == "down 1"
    assert "export of 2026-02-02" in tiles["Campaign spend"].compared
    # Without that export (or without its manifest: not finished), no comparison.
    (before / "manifest.json").unlink()
    tiles = {t.label: t for t in report_data(full_marts, tmp_path).tiles}
    assert tiles["Campaign spend"].change == tiles["Relationships at risk"].change == "–"


def test_a_change_reads_in_words() -> None:
    from exports.report import change_text, count

    assert change_text(90, 100, count, relative=True) == "down 10 (-10.0%)"
    assert change_text(5, 0, count, relative=True) == "up 5"  # no share of nothing
    assert change_text(5, None, count, relative=False) == "–"
    assert change_text(7, 7, count, relative=False) == "no change"


def render_html(published: Path, tmp_path: Path) -> str:
    from exports.report import render_report

    run = ExportRun(DAY, tmp_path, published, None, None, "2026-02-05")
    with open_source(published) as con:
        return render_report(con, run)


def test_campaigns_show_disclosure_compliance_and_paid_spend(
    full_marts: Path, tmp_path: Path
) -> None:
    section = section_of(report_data(full_marts, tmp_path), "campaigns")
    (table,) = section.more_tables
    assert table.title == "Disclosure of the sponsored posts"
    assert table.headers == [
        "Campaign",
        "Sponsored posts",
        "Sponsored posts disclosed",
        "Disclosure compliance",
    ]
    by_name = {row[0]: row for row in table.rows}
    # camp1: v0 and v2 disclosed, t1 weakly, t0 not at all. camp2: p0 weakly. camp3: no post.
    assert by_name["Spring launch"][-3:] == ["4", "2", "50.0%"]
    assert by_name["Summer <sale>"][-3:] == ["1", "0", "0.0%"]
    assert by_name["Gifting only"][-3:] == ["–", "–", "–"]
    assert "clearly" in section.intro and "counts against" in section.intro
    assert section.note is None or "budget" not in section.note
    assert "Budget (USD)" in section.table.headers
    assert by_name["Spring launch"] and section.table.rows[0][1] == "$6,000"
    # Budget, committed and paid spend, side by side, most committed first.
    spend = section.figures[1]
    assert spend.caption == (
        "Budget, committed and paid spend by campaign, the 3 with the most committed spend"
    )
    svg = str(spend.svg)
    assert svg.count('class="bar"') == 9  # 3 campaigns x 3 series, zero bars included
    assert "$6,000" in svg and "$5,000" in svg and "$2,500" in svg
    assert "Summer &lt;sale&gt;" in svg


def test_a_publication_without_budgets_says_spend_is_not_compared_with_them(
    settings: Settings, warehouse, tmp_path: Path
) -> None:
    # A BI copy published before mart_campaign_roi had budget_usd: committed against paid.
    warehouse(FULL_MARTS, "ALTER TABLE marts.mart_campaign_roi DROP COLUMN budget_usd")
    section = section_of(report_data(publish_marts().path, tmp_path), "campaigns")
    assert section.note is not None and "no campaign budgets" in section.note
    assert "Budget (USD)" not in section.table.headers
    spend = section.figures[1]
    assert spend.caption.startswith("Committed and paid spend by campaign")
    assert str(spend.svg).count('class="bar"') == 6


def test_chromium_shows_the_new_sections(report: Path, tmp_path: Path) -> None:
    """The new sections laid out by Chromium: each has a box with room and its words, the
    spend chart is drawn, and the screenshot has ink where they are."""
    selectors = [
        "#posts table",
        "#posts a[href]",
        ".tile .change",
        "#campaigns table:last-of-type",
        "#campaigns figure.chart:nth-of-type(2) svg",
    ]
    found = browser.boxes(report, selectors, WIDTH, tmp_path)
    for selector in selectors:
        box = found[selector]
        assert box and box["width"] > 20 and box["height"] > 10, (selector, box)
    assert "Interactions" in found["#posts table"]["text"]
    assert found["#posts a[href]"]["text"] == 'Unboxing <the> "best" grinder'
    assert found[".tile .change"]["text"].startswith("Against the week before: ")
    assert "Disclosure compliance" in found["#campaigns table:last-of-type"]["text"]
    bottom = max(int(b["y"] + b["height"]) for b in found.values()) + 10
    image = browser.screenshot(report, WIDTH, bottom, tmp_path / "sections.png", tmp_path)
    rgb = image[:, :, :3].astype(int)
    for selector, box in found.items():
        top, left = int(box["y"]), int(box["x"])
        region = rgb[top : top + int(box["height"]), left : left + int(box["width"])]
        assert (region != 255).any(axis=2).mean() > 0.02, selector


def test_the_export_writes_the_report_as_a_pdf(settings: Settings, full_marts: Path) -> None:
    folder = write_export(DAY, formats=("html",))
    pdf_path = folder / f"influencer-report-{DAY}.pdf"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["file"]: e for e in manifest["files"]}
    assert set(entries) == {f"influencer-report-{DAY}.html", pdf_path.name}
    assert entries[pdf_path.name]["sha256"] == hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    # Each section starts an A4 page; the new sections' words are drawn as text.
    pages = browser.pdf_pages(pdf)
    assert len(pages) >= 8
    assert all(abs(w - 595) < 1 and abs(h - 842) < 1 for w, h in (p.size_pt for p in pages))
    text = " ".join(page.text for page in pages)
    for words in (
        "Top posts of the week",
        "Week of Monday 2026-01-26 to Sunday 2026-02-01",
        'Unboxing <the> "best" grinder',
        "Against the week before: up 3 (+100.0%)",
        "Disclosure compliance",
        "Budget, committed and paid spend by campaign",
    ):
        assert words in text, words
    # No header or footer line: it would print the export machine's file path.
    assert "file://" not in text and str(folder) not in text
    # What a reader sees, page by page (PDFium's rendering, kept beside the test's files):
    # the pages of the new sections carry their table or chart, not just a heading.
    for heading in ("Top posts of the week", "Disclosure of the sponsored posts"):
        page = next(p for p in pages if heading in p.text)
        screenshot = folder.parent / f"pdf-page-{pages.index(page) + 1}.png"
        Image.fromarray(page.image).save(screenshot)
        ink = (page.image < 200).any(axis=2)
        assert ink.mean() > 0.01, heading  # a heading alone inks about a thousandth
        assert ink.any(axis=1).mean() > 0.15, heading  # the table reaches down the page


def test_without_chromium_the_export_warns_and_writes_the_rest(
    settings: Settings, full_marts: Path, monkeypatch, caplog, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on it
    with caplog.at_level(logging.WARNING, logger="exports.pdf"):
        folder = write_export(DAY, formats=("html",))
    assert sorted(p.name for p in folder.iterdir()) == [
        f"influencer-report-{DAY}.html",
        "manifest.json",
    ]
    [warning] = [r for r in caplog.records if r.name == "exports.pdf"]
    assert warning.levelno == logging.WARNING
    assert "Chromium is not installed" in warning.message
    assert "apt-get install chromium" in warning.message


def test_a_hung_chromium_is_stopped_and_leaves_no_pdf(tmp_path: Path, monkeypatch, caplog) -> None:
    from exports.pdf import print_pdf

    fake = tmp_path / "bin" / "chromium"
    fake.parent.mkdir()
    sleep = shutil.which("sleep")
    # Writes the start of a PDF, then hangs (with a child process, as Chromium has).
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in --print-to-pdf=*) printf %%PDF- > "${a#*=}";; esac; done\n'
        f"{sleep} 60 & {sleep} 60\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    page.write_text("<p>report</p>", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="exports.pdf"):
        assert print_pdf(page, pdf, timeout_s=1) is False
    assert not pdf.exists()
    assert "did not finish within 1 s" in caplog.text


def test_the_docker_image_installs_chromium_for_the_pdf() -> None:
    dockerfile = (Path(__file__).parents[2] / "Dockerfile").read_text(encoding="utf-8")
    install = re.search(r"apt-get install(?:[^\n\\]|\\\n)*", dockerfile)
    assert install and re.search(r"\bchromium\b", install.group(0)), "no chromium in the image"


def test_a_cost_under_a_cent_keeps_its_decimals() -> None:
    # CPM, CPE and CPA hold four decimals (format usd_unit): a CPE of $0.0042 is not $0.00.
    assert text_of(0.0042, "usd_unit") == "$0.0042"
    assert text_of(0.25, "usd_unit") == "$0.25"
    assert text_of(0.5, "usd_unit") == "$0.50"
    assert text_of(41.6667, "usd_unit") == "$41.67"
    assert text_of(1000.0, "usd_unit") == "$1,000"
