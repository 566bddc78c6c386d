"""The workbook a marketing lead opens: every number equals the BI copy's marts, formatted as
people read it (percents, dollars, dates), with frozen headers, filters and explanations."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.config import Settings
from exports import write_export
from exports.columns import code_words, plain_json
from exports.glossary import FLAGS
from exports.workbook import (
    EXCEL_FORMATS,
    OPEN_FLAGS,
    SHEETS,
    WEEK_COMMENTS,
    WEEK_COMMENTS_PER_SENTIMENT,
    read_sheet,
)
from tests.serving.conftest import FULL_MARTS
from warehouse.publish import publish_marts

DAY = "2026-02-09"


@pytest.fixture
def book(settings: Settings, full_marts: Path):
    folder = write_export(DAY, formats=("xlsx",))
    return load_workbook(folder / f"influencer-workbook-{DAY}.xlsx")


def excel_comparable(value: Any) -> Any:
    """A mart value as Excel gives it back: naive UTC datetimes, dates at midnight, numbers to
    Excel's precision (openpyxl writes 16 significant digits; Excel keeps 15)."""
    if isinstance(value, float):
        return float(f"{value:.14g}")
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return float(value)
    return value


def sheet_table(ws: Worksheet) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Technical column names (first line of each header's note) and the rows."""
    columns = [cell.comment.text.split("\n", 1)[0] for cell in ws[1]]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)]
    return columns, rows


# The rows of the sheets that keep some of their mart's (tests/serving/conftest.py): the week
# up to the data's newest day (2026-02-05) is 2026-01-30 to 2026-02-05; its positive and
# negative comments, not the unscored, neutral or older ones.
WEEK_COMMENT_IDS = (
    "youtube:y1",
    "youtube:y2",
    "youtube:y3",
    "tiktok:71",
    "tiktok:72",
    "tiktok:73",
    "youtube:y4",
    "tiktok:74",
)
SHEET_ROWS = {"Comments of the week": f"comment_id IN {WEEK_COMMENT_IDS}"}


def mart_rows(
    con: duckdb.DuckDBPyConnection, mart: str, where: str = "true"
) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"SELECT * FROM marts.{mart} WHERE {where}")
    return [d[0] for d in cursor.description], cursor.fetchall()


def test_every_cell_equals_the_marts(book, full_marts: Path) -> None:
    with duckdb.connect(str(full_marts), read_only=True) as con:
        described = {
            (t, c): (fmt, parent, key)
            for t, c, fmt, parent, key in con.execute(
                "SELECT table_name, column_name, format, parent_table, parent_column "
                "FROM meta.columns"
            ).fetchall()
        }
        for spec in SHEETS:
            columns, rows = sheet_table(book[spec.title])
            mart_columns, expected = mart_rows(con, spec.mart, SHEET_ROWS.get(spec.title, "true"))
            looked_up = [c for c in columns if c not in mart_columns]
            assert sorted(c for c in columns if c in mart_columns) == sorted(mart_columns)
            positions = [columns.index(c) for c in mart_columns]
            formats = [described[(spec.mart, c)][0] for c in mart_columns]
            got = Counter(tuple(excel_comparable(row[i]) for i in positions) for row in rows)
            want = Counter(
                tuple(excel_comparable(as_shown(v, f)) for v, f in zip(row, formats, strict=True))
                for row in expected
            )
            assert got == want, spec.title
            # Beside an id, the name of what it refers to: the parent mart's name column.
            for name in looked_up:
                parent, parent_name = name.split(".")
                index = columns.index(name)
                _, parent_table, parent_key = described[(spec.mart, columns[index - 1])]
                assert parent_table == parent, (spec.title, name)
                sql = f"SELECT {parent_name} FROM marts.{parent} WHERE {parent_key} = ?"
                for row in rows:
                    found = con.execute(sql, [row[index - 1]]).fetchall()
                    assert row[index] == (found[0][0] if found else None), (spec.title, name)


def as_shown(value: Any, fmt: str) -> Any:
    """A flag type reads as its plain label, JSON as words (pinned below); the rest as is."""
    if fmt == "flag_type" and value is not None:
        return FLAGS[value].label
    if fmt == "json" and value is not None:
        return plain_json(value)
    if fmt == "code" and value is not None:
        return code_words(value)
    return value


def test_rows_are_in_reading_order(book) -> None:
    columns, rows = sheet_table(book["Scorecard"])
    ranks = [r[columns.index("rank")] for r in rows]
    assert ranks == [1, 2, 3, None]  # best first, unranked last
    columns, rows = sheet_table(book["Quality flags"])
    order = [(r[columns.index("is_open")], r[columns.index("severity")]) for r in rows]
    assert order[0] == (True, "high") and order[-1] == (False, "high")
    assert [s for open_, s in order if open_] == ["high", "medium", "medium", "low", "low"]


def format_of(book, title: str, column: str) -> str:
    columns, _ = sheet_table(book[title])
    return book[title].cell(row=2, column=columns.index(column) + 1).number_format


def test_numbers_read_as_people_expect(book) -> None:
    assert format_of(book, "Engagement", "avg_engagement_rate") == "0.00%"
    assert format_of(book, "Engagement", "month") == "mmm yyyy"
    assert format_of(book, "Engagement", "posts") == "#,##0"
    assert format_of(book, "Campaign ROI", "roi") == "0.00%"
    assert format_of(book, "Campaign ROI", "spend_committed_usd") == '"$"#,##0.00'
    assert format_of(book, "Campaign ROI", "roas") == "0.00"
    assert format_of(book, "Relationship health", "last_touchpoint_at") == "yyyy-mm-dd hh:mm"
    assert format_of(book, "Relationship health", "on_time_payment_rate") == "0.00%"
    assert format_of(book, "Growth", "growth_rate") == "0.00%"


# ---- issue 22 item 6: formats and labels from the marts' column metadata -----------------------


def test_a_count_reads_as_a_count_whatever_its_name(book) -> None:
    # posts_with_rate (16 posts) read "1600.00 %": the format was chosen by the name ("_rate").
    assert format_of(book, "Engagement", "posts_with_rate") == "#,##0"
    columns, rows = sheet_table(book["Engagement"])
    assert {r[columns.index("posts_with_rate")] for r in rows} == {0, 1, 2, 3, 4, 6, 9}


def test_campaign_roi_keeps_the_campaign_name_beside_its_id_in_view(book) -> None:
    # The sheet froze the id column only and put the campaign's name in column O.
    ws = book["Campaign ROI"]
    columns, _ = sheet_table(ws)
    assert columns[:2] == ["campaign_id", "campaign_name"]
    assert [ws["A1"].value, ws["B1"].value] == ["Campaign ID", "Campaign"]
    assert ws.freeze_panes == "C2"


def test_months_read_as_month_and_year(book) -> None:
    # A month read "2026-01-01".
    assert format_of(book, "Engagement", "month") == "mmm yyyy"
    assert format_of(book, "Growth", "month") == "mmm yyyy"


def test_flags_read_as_their_plain_label_and_evidence_as_words(book) -> None:
    # The sheet showed "follower_spike" and the evidence as JSON.
    columns, rows = sheet_table(book["Quality flags"])
    flags = {row[columns.index("flag_id")]: dict(zip(columns, row, strict=True)) for row in rows}
    assert flags["f1"]["flag_type"] == FLAGS["follower_spike"].label == "Sudden follower jump"
    assert flags["f1"]["evidence"] == (
        "followers delta: 2400; median delta: 2; engagement after: 0.004"
    )
    assert flags["f2"]["evidence"] == "campaign id: camp1; signals: #acmespring"
    assert {f["flag_type"] for f in flags.values()} <= {t.label for t in FLAGS.values()}
    # The flag's label stays in view beside its id while the evidence scrolls.
    assert columns[:2] == ["flag_id", "flag_type"] and book["Quality flags"].freeze_panes == "C2"


def test_codes_read_as_words(book) -> None:
    # The health sheet showed "needs_attention", as the report's health chart did.
    columns, rows = sheet_table(book["Relationship health"])
    bands = {row[columns.index("creator_id")]: row[columns.index("health_band")] for row in rows}
    assert bands["cr2"] == "Needs attention"
    assert set(bands.values()) <= {"Healthy", "Needs attention", "At risk", None}
    assert code_words("follower_jump,low_engagement") == "Follower jump, Low engagement"


def test_every_number_format_is_the_one_its_column_metadata_names(book, full_marts: Path) -> None:
    with duckdb.connect(str(full_marts), read_only=True) as con:
        formats = {
            (mart, column): fmt
            for mart, column, fmt in con.execute(
                "SELECT table_name, column_name, format FROM meta.columns"
            ).fetchall()
        }
    checked: Counter[str] = Counter()
    for spec in SHEETS:
        ws = book[spec.title]
        columns, _ = sheet_table(ws)
        for index, column in enumerate(columns, start=1):
            fmt = formats.get((spec.mart, column))
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if fmt in EXCEL_FORMATS and cell.value is not None:
                    assert cell.number_format == EXCEL_FORMATS[fmt], (spec.title, column)
                    checked[fmt] += 1
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s", (spec.title, column)
    assert checked.total() > 250
    # The unit costs (CPM, CPE, CPA and cost per new customer of both campaign sheets) carry
    # their own format.
    assert checked["usd_unit"] == 20 and formats[("mart_campaign_roi", "cpe_usd")] == "usd_unit"


MONEY_FORMAT = re.compile(r'"\$"#,##0(?:\.(0+))?')


def displayed_money(value: float, number_format: str) -> str:
    """The text a spreadsheet shows for `value` in a `"$"#,##0.00`-like number format: a dollar
    sign, thousands separators and as many decimals as the format has zeros after its point."""
    match = MONEY_FORMAT.fullmatch(number_format)
    assert match, f"not a money format: {number_format}"
    decimals = len(match.group(1) or "")
    return f"${value:,.{decimals}f}"


def test_money_shows_every_decimal_the_mart_holds(full_marts: Path) -> None:
    # A cost per interaction of $0.0042 read "$0.00": every money column had 2 decimals,
    # though the unit costs (CPM, CPE, CPA) are numeric(18, 4) in the marts.
    with duckdb.connect(str(full_marts), read_only=True) as con:
        money = con.execute(
            "SELECT m.table_name, m.column_name, m.format, c.numeric_scale FROM meta.columns m "
            "JOIN information_schema.columns c ON c.table_schema = 'marts' "
            "AND c.table_name = m.table_name AND c.column_name = m.column_name "
            "WHERE m.unit = 'USD'"
        ).fetchall()
    scales = Counter(scale for *_, scale in money)
    assert scales[2] >= 8 and scales[4] >= 6, scales
    for mart, column, fmt, scale in money:
        smallest = 10**-scale  # a cent, or a hundredth of a cent
        shown = displayed_money(smallest, EXCEL_FORMATS[fmt])
        assert shown == f"${smallest:.{scale}f}", (mart, column, fmt)


def test_a_cost_under_a_cent_reads_as_such(settings: Settings, warehouse) -> None:
    warehouse(
        FULL_MARTS,
        "UPDATE marts.mart_campaign_roi SET cpe_usd = 0.0042 WHERE campaign_id = 'camp1'",
    )
    publish_marts()
    book = load_workbook(write_export(DAY, formats=("xlsx",)) / f"influencer-workbook-{DAY}.xlsx")
    columns, rows = sheet_table(book["Campaign ROI"])
    row = next(n for n, r in enumerate(rows, start=2) if r[0] == "camp1")
    cell = book["Campaign ROI"].cell(row=row, column=columns.index("cpe_usd") + 1)
    assert cell.value == 0.0042
    assert displayed_money(cell.value, cell.number_format) == "$0.0042"


def test_a_name_that_looks_like_a_formula_stays_text(book) -> None:
    columns, rows = sheet_table(book["Creators"])
    row = next(i for i, r in enumerate(rows, start=2) if r[0] == "cr4")
    cell = book["Creators"].cell(row=row, column=columns.index("display_name") + 1)
    assert cell.value == "=SUM(A1)" and cell.data_type == "s"


def test_sheets_are_navigable(book) -> None:
    titles = [spec.title for spec in SHEETS]
    titles.insert(titles.index("Quality flags") + 1, "Open flags")  # their counts, and chart
    assert book.sheetnames == ["About", *titles]
    for spec in (*SHEETS, OPEN_FLAGS):
        ws = book[spec.title]
        header = ws[1]
        assert all(cell.font.bold for cell in header), spec.title
        assert ws.freeze_panes in ("B2", "C2", "D2", "E2"), spec.title
        last = header[-1].column_letter
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", spec.title
        widths = [ws.column_dimensions[c.column_letter].width for c in header]
        assert all(8 <= w <= 60 for w in widths), (spec.title, widths)
    assert book["Scorecard"].freeze_panes == "C2"  # the id and the name stay in view
    columns, _ = sheet_table(book["Scorecard"])
    assert columns[:2] == ["creator_id", "dim_creator.display_name"]
    assert book["Scorecard"]["B1"].value == "Creator"  # a label, not a column name


def test_about_explains_every_column_and_flag(book) -> None:
    about = [str(c.value) for row in book["About"].iter_rows() for c in row if c.value]
    text = "\n".join(about)
    for flag_type in FLAGS:
        assert flag_type in about, flag_type
    shown = {name for spec in SHEETS for name in sheet_table(book[spec.title])[0]}
    assert shown <= set(about)
    assert "percents" in text and "not verdicts" in text
    assert DAY in text


# --- issue 20: what audiences say -----------------------------------------------------------


def test_audience_sentiment_is_newest_month_first(book) -> None:
    columns, rows = sheet_table(book["Audience sentiment"])
    assert columns[:2] == ["creator_id", "dim_creator.display_name"]
    keys = [(r[columns.index("creator_id")], r[columns.index("month")]) for r in rows]
    assert keys == [
        ("cr1", datetime(2026, 2, 1)),
        ("cr3", datetime(2026, 2, 1)),
        ("cr1", datetime(2026, 1, 1)),
    ]
    assert format_of(book, "Audience sentiment", "net_sentiment") == "0.00%"
    assert format_of(book, "Audience sentiment", "month") == "mmm yyyy"


def test_comments_of_the_week_are_the_liked_positive_then_negative_ones(book) -> None:
    columns, rows = sheet_table(book["Comments of the week"])
    shown = [(r[columns.index("sentiment_label")], r[columns.index("like_count")]) for r in rows]
    # Positive first, most liked first; never the unscored (9,000 likes), the neutral (700) or
    # the positive one from before the week (10,000).
    assert shown == [
        ("positive", 40),
        ("positive", 30),
        ("positive", 20),
        ("positive", 10),
        ("positive", 5),
        ("positive", 1),
        ("negative", 500),
        ("negative", 3),
    ]
    assert [r[columns.index("comment_id")] for r in rows] == list(WEEK_COMMENT_IDS)
    # The commenter's handle is personal data: not in the BI copy, not in the sheet.
    assert "author_handle" not in columns
    text = book["Comments of the week"].cell(row=2, column=columns.index("text") + 1)
    assert text.value == "Love this <b>video</b> & the music!" and text.data_type == "s"


def more_positive_comments(con: duckdb.DuckDBPyConnection) -> None:
    """A busy week: 120 more positive comments, with 1,000 to 1,119 likes."""
    con.execute(
        "INSERT INTO marts.fct_comment BY NAME SELECT 'youtube:busy' || i AS comment_id, "
        "'youtube:v1' AS post_id, 'youtube:c1' AS account_id, 'cr1' AS creator_id, "
        "'youtube' AS platform, TIMESTAMPTZ '2026-02-05 10:00:00+00' AS published_at, "
        "DATE '2026-02-05' AS published_date, 0.5 AS sentiment_score, "
        "'positive' AS sentiment_label, 1000 + i AS like_count, false AS is_sponsored_post, "
        "'busy ' || i AS text, 'busy' || i AS platform_comment_id, "
        "DATE '2026-02-05' AS first_listed_on, DATE '2026-02-05' AS last_listed_on "
        "FROM range(120) AS r(i)"
    )


def test_a_busy_week_keeps_the_most_liked_of_each_sentiment(settings, warehouse) -> None:
    warehouse(FULL_MARTS, more_positive_comments)
    with duckdb.connect(str(publish_marts().path), read_only=True) as con:
        sheet = read_sheet(con, WEEK_COMMENTS, date(2026, 2, 5))
    labels = [c.name for c in sheet.columns].index("sentiment_label")
    likes = [c.name for c in sheet.columns].index("like_count")
    positive = [row[likes] for row in sheet.rows if row[labels] == "positive"]
    assert positive == list(range(1119, 1119 - WEEK_COMMENTS_PER_SENTIMENT, -1))
    assert [row[likes] for row in sheet.rows if row[labels] == "negative"] == [500, 3]


def test_a_week_without_comments_gives_a_sheet_that_says_so(settings, warehouse) -> None:
    warehouse(FULL_MARTS, "DELETE FROM marts.fct_comment")
    publish_marts()
    folder = write_export(DAY, formats=("xlsx",))
    book = load_workbook(folder / f"influencer-workbook-{DAY}.xlsx")
    ws = book["Comments of the week"]
    assert ws["A1"].value == "No data"
    assert ws["A2"].value == "The mart fct_comment has no rows for this sheet in this publication."
    assert book["Audience sentiment"].max_row == 4  # the months stay


# --- issue 20: listening (tests/serving/conftest.py LISTENING_ROWS) --------------------------


def test_who_to_sign_next_is_in_rank_order_with_the_handle_in_view(book) -> None:
    ws = book["Who to sign next"]
    columns, rows = sheet_table(ws)
    # The id, then what a person reads a candidate by, kept in view while scrolling right.
    assert columns[:3] == ["account_id", "rank", "handle"]
    assert [ws["A1"].value, ws["B1"].value, ws["C1"].value] == ["Account ID", "Rank", "Handle"]
    assert ws.freeze_panes == "D2"
    assert [r[columns.index("rank")] for r in rows] == list(range(1, 13))
    # Text from the data stays text: the hostile handle and URL are shown, never run.
    first = dict(zip(columns, rows[0], strict=True))
    assert first["handle"] == "<script>alert(1)</script>"
    assert first["profile_url"] == "javascript:alert(1)"
    assert format_of(book, "Who to sign next", "fit_score") == "0.0"
    assert format_of(book, "Who to sign next", "niche_share") == "0.00%"


def test_brand_mentions_are_newest_day_first_then_most_mentioned(book) -> None:
    ws = book["Brand mentions"]
    columns, rows = sheet_table(ws)
    assert columns[:3] == ["date", "platform", "term"] and ws.freeze_panes == "D2"
    shown = [(r[0].date().isoformat(), r[2], r[columns.index("mentions")]) for r in rows]
    assert shown == [
        ("2026-02-03", "lumencoffee", 9),
        ("2026-01-31", "pourover", 8),
        ("2026-01-30", "lumencoffee", 2),
        ("2026-01-29", "brewmaster", 7),
        ("2026-01-29", "lumencoffee", 2),
        ("2026-01-28", "lumenbrew", 1),
        ("2026-01-27", "lumencoffee", 3),
        ("2026-01-25", "springbrew", 4),
    ]


def test_share_of_voice_is_newest_week_first(book) -> None:
    ws = book["Share of voice"]
    columns, rows = sheet_table(ws)
    assert columns[:2] == ["week", "platform"] and ws.freeze_panes == "C2"
    shown = [(r[0].date().isoformat(), r[1]) for r in rows]
    assert shown == [
        ("2026-02-02", "youtube"),
        ("2026-01-26", "instagram"),
        ("2026-01-26", "youtube"),
        ("2026-01-26", "tiktok"),
        ("2026-01-19", "youtube"),
    ]
    assert format_of(book, "Share of voice", "share_of_voice") == "0.00%"


# --- issue 22 item 7: native charts, and the name column in view ------------------------------

CELL_RANGE = re.compile(
    r"'(?P<sheet>[^']+)'!\$?(?P<col>[A-Z]+)\$?(?P<first>\d+)(?::\$?(?P=col)\$?(?P<last>\d+))?"
)
EMU_PER_CM = 360_000


@dataclass(frozen=True)
class Plotted:
    """A chart's series as the sheet's columns (technical names, from the header notes)."""

    values: tuple[str, ...]
    categories: str
    rows: int  # the sheet's first rows, from row 2


def cells_of(formula: str, ws: Worksheet) -> tuple[str, int, int]:
    """A reference to one column of `ws`: (its column letter, first row, last row)."""
    match = CELL_RANGE.fullmatch(formula)
    assert match and match["sheet"] == ws.title, formula
    first = int(match["first"])
    return match["col"], first, int(match["last"] or first)


def plotted(chart: Any, ws: Worksheet) -> Plotted:
    """What a chart draws of its sheet; each series titled by its column's header cell, over
    the same rows and the same name column."""
    columns, _ = sheet_table(ws)
    name_of = {cell.column_letter: name for cell, name in zip(ws[1], columns, strict=True)}
    values, categories, spans = [], set(), set()
    for series in chart.series:
        title_column, title_row, _ = cells_of(series.tx.strRef.f, ws)
        column, first, last = cells_of(series.val.numRef.f, ws)
        assert (title_column, title_row) == (column, 1)  # the header names the series
        assert series.cat.strRef is not None  # names, read as text
        name_column, name_first, name_last = cells_of(series.cat.strRef.f, ws)
        assert (name_first, name_last) == (first, last) and first == 2
        values.append(name_of[column])
        categories.add(name_of[name_column])
        spans.add(last - 1)
    assert len(categories) == 1 and len(spans) == 1
    return Plotted(tuple(values), categories.pop(), spans.pop())


def text_of(title: Any) -> str:
    return "".join(run.t for paragraph in title.tx.rich.p for run in paragraph.r or ())


# The fixture marts (tests/serving/conftest.py): 4 creators on the scorecard; the newest month
# (Feb 2026) of 4 accounts; 3 campaigns, of which "Gifting only" has no ROI (no spend) and so no
# bar after the others; 5 types of open flags.
EXPECTED_CHARTS = {
    "Scorecard": [Plotted(("growth_rate_30d",), "dim_creator.display_name", 4)],
    "Engagement": [
        Plotted(
            ("avg_engagement_rate", "benchmark_engagement_rate"), "dim_creator_account.handle", 4
        )
    ],
    "Campaign ROI": [
        Plotted(("roi",), "campaign_name", 2),
        Plotted(
            ("budget_usd", "spend_committed_usd", "spend_paid_usd", "revenue_usd"),
            "campaign_name",
            3,
        ),
    ],
    "Open flags": [
        Plotted(("high_severity", "medium_severity", "low_severity"), "flag_type", 5),
    ],
}
AXIS_FORMATS_SHOWN = {  # how a value axis reads, by the format of its columns
    "growth_rate_30d": "0%",
    "avg_engagement_rate": "0%",
    "roi": "0%",
    "budget_usd": '"$"#,##0',
    "high_severity": "#,##0",
}


def test_charts_plot_the_sheets_own_cells(book) -> None:
    found = {ws.title: [plotted(c, ws) for c in ws._charts] for ws in book if ws._charts}
    assert found == EXPECTED_CHARTS
    formats = {excel: name for name, excel in EXCEL_FORMATS.items()}
    for title in EXPECTED_CHARTS:
        ws = book[title]
        columns, _ = sheet_table(ws)
        bottom = 0  # the charts of a sheet stand one below the other
        for chart in ws._charts:
            assert chart.tagname == "barChart" and chart.type == "bar", title
            assert text_of(chart.title) and text_of(chart.y_axis.title), title
            # The names axis is titled by the name column's header.
            category = plotted(chart, ws).categories
            assert text_of(chart.x_axis.title) == ws.cell(1, columns.index(category) + 1).value
            assert not chart.x_axis.delete and not chart.y_axis.delete, title  # axes drawn
            # The sheet's first row on top, the values below, names left of a negative bar.
            assert chart.x_axis.scaling.orientation == "maxMin", title
            assert (chart.y_axis.crosses, chart.x_axis.tickLblPos) == ("max", "low"), title
            # Right of the table, one empty column between: it covers no value.
            assert chart.anchor._from.col == len(columns) + 1, title
            assert chart.anchor._from.row >= bottom, title
            bottom = chart.anchor._from.row + chart.anchor.ext.height / EMU_PER_CM / 0.53
            # The value axis reads as its columns: every series of one format.
            series = [columns.index(v) + 1 for v in plotted(chart, ws).values]
            shown = {formats[ws.cell(2, column).number_format] for column in series}
            assert len(shown) == 1, title
            first = plotted(chart, ws).values[0]
            assert chart.y_axis.numFmt.formatCode == AXIS_FORMATS_SHOWN[first], title
    roi = book["Campaign ROI"]._charts
    assert [text_of(c.title) for c in roi] == [
        "ROI per campaign",
        "Budget, spend committed, spend paid and revenue per campaign",
    ]
    assert text_of(book["Engagement"]._charts[0].title).endswith(", Feb 2026")
    assert book["Open flags"]._charts[0].grouping == "stacked"


def test_the_about_sheet_says_where_each_chart_is(book) -> None:
    rows = [tuple(c.value for c in row) for row in book["About"].iter_rows(max_col=3)]
    start = rows.index(("Chart", "Sheet", "Where"))
    listed = rows[start + 1 : start + 6]
    anchors = {
        (text_of(chart.title), ws.title): f"{get_column_letter(chart.anchor._from.col + 1)}"
        f"{chart.anchor._from.row + 1}"
        for ws in book
        for chart in ws._charts
    }
    assert len(anchors) == 5
    assert {(title, sheet): where.rsplit(" ", 1)[1] for title, sheet, where in listed} == anchors


def test_open_flags_are_counted_by_type_and_severity(book, full_marts: Path) -> None:
    columns, rows = sheet_table(book["Open flags"])
    assert columns == [
        "flag_type",
        "high_severity",
        "medium_severity",
        "low_severity",
        "open_flags",
    ]
    with duckdb.connect(str(full_marts), read_only=True) as con:
        flags = con.execute(
            "SELECT flag_type, severity FROM marts.mart_quality_flags WHERE is_open"
        ).fetchall()
    counts = Counter((FLAGS[kind].label, severity) for kind, severity in flags)
    assert len(rows) == len({label for label, _ in counts}) == 5
    for label, high, medium, low, total in rows:
        assert (high, medium, low) == tuple(counts[(label, s)] for s in ("high", "medium", "low"))
        assert total == high + medium + low
    totals = [row[-1] for row in rows]
    assert totals == sorted(totals, reverse=True)  # most frequent first
    assert book["Open flags"].freeze_panes == "B2"


def test_a_chart_shows_the_first_twenty_rows_and_says_so(settings: Settings, warehouse) -> None:
    many = (
        "INSERT INTO marts.mart_campaign_roi BY NAME SELECT 'more' || i AS campaign_id, "
        "'Campaign ' || i AS campaign_name, 100.00 AS spend_committed_usd, "
        "50.00 AS spend_paid_usd, 200.00 + i AS revenue_usd, 1 + i / 100 AS roi "
        "FROM range(1, 26) AS r(i)"
    )
    warehouse(FULL_MARTS, many)
    publish_marts()
    book = load_workbook(write_export(DAY, formats=("xlsx",)) / f"influencer-workbook-{DAY}.xlsx")
    ws = book["Campaign ROI"]
    roi, spend = ws._charts
    assert plotted(roi, ws).rows == plotted(spend, ws).rows == 20
    assert text_of(roi.title) == "ROI per campaign: first 20 by ROI"
    columns, rows = sheet_table(ws)
    assert [r[columns.index("campaign_name")] for r in rows[:2]] == ["Campaign 25", "Campaign 24"]
    # Twenty campaigns need a taller chart; the second stands below the first.
    assert roi.anchor.ext.height > 7.5 * EMU_PER_CM
    assert spend.anchor._from.row > roi.anchor._from.row + roi.anchor.ext.height / EMU_PER_CM / 0.53


def test_no_data_no_chart(settings: Settings, warehouse) -> None:
    warehouse(
        FULL_MARTS,
        "DELETE FROM marts.mart_campaign_roi; UPDATE marts.mart_quality_flags SET is_open = false; "
        "UPDATE marts.mart_creator_scorecard SET growth_rate_30d = NULL",
    )
    publish_marts()
    book = load_workbook(write_export(DAY, formats=("xlsx",)) / f"influencer-workbook-{DAY}.xlsx")
    assert [ws.title for ws in book if ws._charts] == ["Engagement"]
    for title in ("Campaign ROI", "Open flags"):
        assert book[title]["A1"].value == "No data", title
    assert book["Open flags"]["A2"].value == (
        "The mart mart_quality_flags has no rows for this sheet in this publication."
    )
    assert book["Scorecard"].max_row == 5  # the creators stay, with no growth to draw


def test_without_the_marts_no_chart_and_no_failure(settings: Settings, warehouse) -> None:
    warehouse()  # fct_post and dim_creator_account only
    publish_marts()
    book = load_workbook(write_export(DAY, formats=("xlsx",)) / f"influencer-workbook-{DAY}.xlsx")
    assert not [ws.title for ws in book if ws._charts]
    assert book["Open flags"]["A2"].value == (
        "The mart mart_quality_flags is not in this publication yet."
    )


# Sheets whose row has a name (its own name column, the name of what its key refers to, or
# the columns the sheet names as leading); the others have none (a day, a week, a comment).
SHEETS_WITH_A_NAME = {
    "Scorecard",
    "Creators",
    "Accounts",
    "Engagement",
    "Growth",
    "Campaign ROI",
    "Campaign x creator",
    "Quality flags",
    "Open flags",
    "Relationship health",
    "Audience sentiment",
    "Who to sign next",
}


def test_every_sheet_keeps_its_name_column_in_view(book, full_marts: Path) -> None:
    with duckdb.connect(str(full_marts), read_only=True) as con:
        described = {
            (mart, column): (is_key, role)
            for mart, column, is_key, role in con.execute(
                "SELECT table_name, column_name, is_key, role FROM meta.columns"
            ).fetchall()
        }
    named = set()
    for spec in (*SHEETS, OPEN_FLAGS):
        ws = book[spec.title]
        columns, _ = sheet_table(ws)
        is_key = [described.get((spec.mart, c), (False, None))[0] for c in columns]
        names = [
            c
            for i, c in enumerate(columns)
            if described.get((spec.mart, c), (False, None))[1] == "name"
            or c in spec.leading
            or ("." in c and i > 0 and is_key[i - 1])  # the name of what the key refers to
        ]
        frozen = column_index_from_string(re.match("[A-Z]+", ws.freeze_panes)[0]) - 1
        for name in names:
            assert columns.index(name) < frozen, (spec.title, name, ws.freeze_panes)
        # The key columns stay in view too, the header above them.
        assert all(is_key[:frozen]) or names, spec.title
        assert ws.freeze_panes.endswith("2"), spec.title
        if names:
            named.add(spec.title)
    assert named == SHEETS_WITH_A_NAME
