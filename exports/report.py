"""The HTML report a marketing lead reads: one self-contained file, charts included.

Inline CSS and inline SVG (exports/charts.py, drawn by matplotlib) only: it opens offline, in an
email client's browser, and prints cleanly (print rules keep each chart on one page). Every
section reads the marts it needs from the published copy and says "no data" when they are not
published yet, so the report works with whatever marts exist. A column's header, how its values
read and what it means come from the BI copy's column metadata (exports/columns.py); the flags'
words from exports/glossary.py.

Text from the data (creator and campaign names, flag evidence, audiences' comments) is shown
as text: escaped by the template, without bidirectional embeddings, overrides and isolates
(U+202A-U+202E, U+2066-U+2069, which reorder what a reader sees: "invoice<U+202E>gnp.exe"
reads "invoiceexe.png") or control characters, and shortened to what fits a table cell or a
chart label. The marks U+200E and U+200F stay: they cannot reorder letters, and right-to-left
names use them. The links made from the data are a discovery candidate's profile and a top
post's permalink: only a whole http(s) URL without spaces, controls or bidirectional characters
(`is_linkable`), escaped; any other URL is not a link and is not shown.

No thumbnails. The platforms give a post's picture (YouTube snippet.thumbnails, Instagram
thumbnail_url/media_url, TikTok cover_image_url), but no mart keeps one, and the report would
not show it anyway: an <img> of a platform's image server is fetched each time the report is
opened, so it would no longer read offline nor stay one file, every opening would tell that
server the reader's IP address and when they read, and TikTok's cover URLs expire after six
hours. The post's link leads to its picture.

The weekly parts read one week: "Top posts of the week" and "Who talks about us" the latest
complete Monday-to-Sunday week (`latest_complete_week`), the headline numbers the 7 days up to
the data's newest day against the 7 before (each tile says what it compares). On a Monday's
export, whose data runs through Sunday, the two are the same week. The PDF beside the report
is exports/pdf.py's.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from core.config import get_settings
from core.db import quote_ident
from exports import charts, glossary
from exports.columns import Column, code_words, described_columns, name_column, plain_json
from exports.folder import (
    MANIFEST,
    ExportRun,
    FileEntry,
    fetch_dicts,
    newest_data_day,
    sha256,
    source_freshness,
    stale_data_note,
)
from exports.pdf import print_pdf

log = logging.getLogger(__name__)

REPORT_NAME = "influencer-report-{day}.html"
PDF_NAME = "influencer-report-{day}.pdf"
TEMPLATES = Path(__file__).parent / "templates"
TIER_ORDER = ("nano", "micro", "mid-tier", "macro", "mega")
PLATFORM_COLORS = {"youtube": "#D55E00", "instagram": "#CC79A7", "tiktok": "#0072B2"}
PLATFORM_NAMES = {"youtube": "YouTube", "instagram": "Instagram", "tiktok": "TikTok"}
SOURCE_NAMES = {**PLATFORM_NAMES, "shop": "Shop", "crm": "CRM"}
STALE_WORDS = {"warn": "late", "error": "very late"}  # warehouse.freshness's stale statuses
SEVERITIES = (("high", "#D55E00"), ("medium", "#E69F00"), ("low", "#56B4E9"))
HEALTH_BANDS = (("healthy", "#009E73"), ("needs_attention", "#E69F00"), ("at_risk", "#D55E00"))
UNKNOWN_BAND = ("unknown", "#999999")
TOP_CREATORS = 6
MAX_CAMPAIGNS = 20
MAX_FLAG_ROWS = 25
GROWTH_WINDOW_DAYS = 90
NO_VALUE = "–"
# The most characters of a name (or other text from the data) a table cell or label shows.
MAX_SHOWN_CHARACTERS = 60
MAX_EVIDENCE_CHARACTERS = 140
MAX_COMMENT_CHARACTERS = 200
SENTIMENT_CREATORS = 20  # the creators with the most scored comments in the month
TOP_COMMENTS = 5  # of each sentiment, the most liked of the week
COMMENT_WEEK_DAYS = 7
WEEK_DAYS = 7
TOP_CANDIDATES = 10  # "Who to sign next": the best ranked; all are in the workbook
MAX_REASON_CHARACTERS = 400  # the problems come last in `reasons`: keep them in view
TOP_BRAND_TERMS = 10
TOP_POSTS = 10  # "Top posts of the week"
POST_TITLE_CHARACTERS = 48  # a caption's opening words: ten posts stay on one printed page
SPEND_CHART_CAMPAIGNS = 8  # the spend chart's bars stay readable; the table has them all
BRAND_TERM_KINDS = ("brand", "product", "campaign")  # mart_brand_mentions.term_kind
# A profile link is made only of an http(s) URL without spaces, controls or bidi marks.
_LINKABLE_URL = re.compile(
    r"https?://[^\s\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]+", re.IGNORECASE
)
MAX_URL_CHARACTERS = 2000
_NOT_SHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` without bidirectional controls and control characters (module doc)."""
    return _NOT_SHOWN.sub("", text)


def shown_text(value: Any, limit: int = MAX_SHOWN_CHARACTERS) -> str:
    """Text from the data as the report shows it: visible characters, at most `limit`."""
    text = visible(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- how numbers read -------------------------------------------------------------------------
def pct(value: float | None) -> str:
    return NO_VALUE if value is None else f"{float(value) * 100:.1f}%"


def pct2(value: float | None) -> str:
    return NO_VALUE if value is None else f"{float(value) * 100:.2f}%"


def money(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    amount = float(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}" if abs(amount) >= 100 else f"{sign}${abs(amount):,.2f}"


def unit_money(value: float | None) -> str:
    """A unit cost (CPM, CPE, CPA: four decimals in the marts): under a dollar with the cents'
    fractions it has ($0.0042, not $0.00), else as money."""
    if value is None or not 0 < abs(float(value)) < 1:
        return money(value)
    digits = f"{abs(float(value)):.4f}"
    while digits.endswith("0") and len(digits.split(".")[1]) > 2:  # $0.50, not $0.5000
        digits = digits[:-1]
    return f"{'-' if float(value) < 0 else ''}${digits}"


def count(value: float | None) -> str:
    return NO_VALUE if value is None else f"{float(value):,.0f}"


def ratio(value: float | None) -> str:
    return NO_VALUE if value is None else f"{float(value):.2f}"


def date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def month_text(value: Any) -> str:
    return f"{value:%b %Y}" if isinstance(value, date) else str(value)


def time_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def yes_no(value: Any) -> str:
    return "yes" if value else "no"


# How each format of the contract's vocabulary reads on the page (exports/columns.py).
TEXT_FORMATS: dict[str, Callable[[Any], str]] = {
    "integer": count,
    "number": lambda v: _short_number(v),
    "ratio": ratio,
    "score": count,
    "percent": pct,
    "usd": money,
    "usd_unit": unit_money,
    "date": date_text,
    "month": month_text,
    "timestamp": time_text,
    "boolean": yes_no,
    "text": lambda v: shown_text(v),
    "flag_type": lambda v: glossary.flag(str(v)).label,
    "code": lambda v: shown_text(code_words(str(v))),
    "json": lambda v: shown_text(plain_json(str(v)), MAX_EVIDENCE_CHARACTERS),
}
# Formats set right-aligned and on one line (numbers, and dates to keep them whole).
ALIGNED_FORMATS = frozenset(TEXT_FORMATS) - {"text", "flag_type", "code", "json", "boolean"}


def text_of(value: Any, fmt: str) -> str:
    """A value as the report shows it, by its column's format."""
    if value is None:
        return NO_VALUE
    return TEXT_FORMATS.get(fmt, TEXT_FORMATS["text"])(value)


def compact(value: float | None) -> str:
    """12.3k, 1.2M: axis labels."""
    if value is None:
        return NO_VALUE
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"{amount / limit:.1f}{suffix}"
    return f"{amount:,.0f}"


# --- what the template gets -------------------------------------------------------------------
@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    title: str | None = None  # a heading above it, when a section has several tables
    empty: str | None = None  # said instead of a table without rows


@dataclass
class Figure:
    svg: Markup
    caption: str


@dataclass
class Section:
    key: str
    title: str
    intro: str
    figures: list[Figure] = field(default_factory=list)
    table: Table | None = None
    more_tables: list[Table] = field(default_factory=list)  # after the note
    no_data: str | None = None
    note: str | None = None
    small_multiples: bool = False
    explanations: list[tuple[str, str]] = field(default_factory=list)  # term, meaning


@dataclass
class Tile:
    label: str
    value: str
    note: str = ""
    change: str = NO_VALUE  # against the week before, in words ("up 3", "down 1.2k (-0.8%)")
    compared: str = ""  # what the week and the week before are, for the glossary


@dataclass
class FreshnessBox:
    """The sources that were stale when the published data was built (warehouse.freshness)."""

    summary: str
    stale: list[str]


@dataclass
class ReportData:
    day: str
    as_of: str
    published_at: str
    publication_id: str
    generated_at: str
    tiles: list[Tile]
    sections: list[Section]
    metrics: list[tuple[str, str, str]]  # label, technical name, meaning
    flags: list[tuple[str, str, str]]
    stale_data: str | None = None  # the export is dated later than its data (a banner)
    freshness: FreshnessBox | None = None


def write_report(con: duckdb.DuckDBPyConnection, run: ExportRun) -> list[FileEntry]:
    """The HTML report, and its PDF beside it when Chromium can print it (exports/pdf.py)."""
    path = run.staging / REPORT_NAME.format(day=run.day)
    path.write_text(render_report(con, run), encoding="utf-8")
    written = [path]
    pdf = run.staging / PDF_NAME.format(day=run.day)
    if print_pdf(path, pdf):
        written.append(pdf)
    return [FileEntry(file=p.name, mart=None, rows=None, sha256=sha256(p)) for p in written]


def render_report(con: duckdb.DuckDBPyConnection, run: ExportRun) -> str:
    data = gather(con, run)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        finalize=_visible_output,
    )
    return environment.get_template("report.html.j2").render(report=data)


def _visible_output(value: Any) -> Any:
    """Every value the template writes, before escaping: no bidirectional or control
    characters, whatever its source (charts are markup whose labels are shortened already)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def gather(con: duckdb.DuckDBPyConnection, run: ExportRun) -> ReportData:
    marts = Marts(con)
    sections = [
        top_creators(marts),
        top_posts(marts),
        engagement_by_tier(marts),
        follower_growth(marts),
        campaign_roi(marts),
        open_flags(marts),
        relationship_health(marts),
        audience_sentiment(marts),
        discovery_candidates(marts),
        share_of_voice(marts),
    ]
    # The glossary explains what the report shows (mart, column), in the marts' own words.
    shown = [
        ("fct_post", "interactions"),
        ("fct_post", "engagement_rate"),
        ("fct_post", "disclosure_status"),
        ("mart_creator_engagement", "avg_engagement_rate"),
        ("mart_creator_engagement", "tier_median_engagement_rate"),
        ("mart_creator_scorecard", "engagement_index"),
        ("mart_creator_scorecard", "growth_rate_30d"),
        ("mart_campaign_roi", "spend_committed_usd"),
        ("mart_campaign_roi", "spend_paid_usd"),
        ("mart_campaign_roi", "revenue_usd"),
        ("mart_campaign_roi", "orders"),
        ("mart_campaign_roi", "roas"),
        ("mart_campaign_roi", "roi"),
        ("mart_campaign_roi", "cpm_usd"),
        ("mart_campaign_roi", "cpa_usd"),
        ("mart_campaign_roi", "emv_usd"),
        ("mart_relationship_health", "health_score"),
        ("mart_relationship_health", "health_band"),
        ("mart_creator_scorecard", "score"),
        ("mart_creator_scorecard", "tier"),
        ("mart_creator_sentiment", "net_sentiment"),
        ("mart_creator_sentiment", "comments_scored"),
        ("mart_creator_sentiment", "comments_fetched"),
        ("mart_creator_sentiment", "net_sentiment_sponsored"),
        ("mart_creator_sentiment", "net_sentiment_organic"),
        ("fct_comment", "sentiment_label"),
        ("fct_comment", "sentiment_score"),
        ("fct_comment", "like_count"),
        ("mart_discovery_candidates", "fit_score"),
        ("mart_discovery_candidates", "engagement_index"),
        ("mart_discovery_candidates", "niche_share"),
        ("mart_share_of_voice", "share_of_voice"),
        ("mart_share_of_voice", "brand_net_sentiment"),
    ]
    terms = [marts.column(mart, c) for mart, c in shown if marts.has(mart, c)]
    return ReportData(
        day=run.day,
        as_of=marts.as_of().isoformat() if marts.as_of() else "unknown",
        published_at=run.published_at or "unknown",
        publication_id=run.publication_id or "unknown",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        tiles=summary_tiles(marts, previous_export(run.day)),
        sections=sections,
        metrics=[(c.label, c.name, c.meaning) for c in terms],
        flags=[(t.label, name, t.meaning) for name, t in glossary.FLAGS.items()],
        stale_data=stale_data_note(run),
        freshness=freshness_box(source_freshness(marts.con)),
    )


def freshness_box(rows: list[dict[str, Any]]) -> FreshnessBox | None:
    """Nothing without a freshness result; one line when every checked source was fresh;
    else the stale sources, one line each. Sources that never delivered (a platform the brand
    does not use) are not named."""
    if not rows:
        return None
    as_of = rows[0]["as_of"]
    stale = [r for r in rows if r["status"] in STALE_WORDS]
    if not stale:
        return FreshnessBox(f"All sources were fresh when this data was built ({as_of}).", [])
    return FreshnessBox(
        f"When this data was built ({as_of}), these sources had not delivered for a while: "
        "their numbers may be incomplete.",
        [_stale_line(r) for r in stale],
    )


def _stale_line(row: dict[str, Any]) -> str:
    source = SOURCE_NAMES.get(row["source"]) or shown_text(row["source"])
    name = f"{source} {shown_text(row['source_table']).replace('_', ' ')}"
    behind = row["days_behind"]
    days = f"{behind} day{'' if behind == 1 else 's'} behind"
    return f"{name}: newest data from {row['newest_day']}, {days} ({STALE_WORDS[row['status']]})"


class Marts:
    """The published marts as the report asks for them: absent or empty ones give nothing."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._columns: dict[str, dict[str, Column]] = {}
        self._as_of: date | None | bool = False

    def columns(self, mart: str) -> dict[str, Column]:
        """Column name -> what it is (exports/columns.py); empty when not published."""
        if mart not in self._columns:
            self._columns[mart] = {c.name: c for c in described_columns(self.con, mart)}
        return self._columns[mart]

    def column(self, mart: str, name: str) -> Column:
        return self.columns(mart)[name]

    def cells(self, mart: str, *names: str) -> list[Cells]:
        """How the named columns the mart has are shown in a table."""
        return [Cells.of(self.columns(mart)[n]) for n in names if n in self.columns(mart)]

    def creator_label(self) -> str:
        """The header of a column of creators' names: dim_creator's name column's label."""
        found = name_column(self.con, "dim_creator")
        return found.label if found else "Creator"

    def has(self, mart: str, *columns: str) -> bool:
        present = self.columns(mart)
        return bool(present) and all(c in present for c in columns)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return fetch_dicts(self.con, sql, params)

    def creator_names(self) -> dict[str, str]:
        """creator_id -> the creator's name as shown (dim_creator's name column)."""
        name = name_column(self.con, "dim_creator")
        if name is None or not self.has("dim_creator", "creator_id"):
            return {}
        rows = self.rows(
            f"SELECT creator_id, {quote_ident(name.name)} AS name FROM marts.dim_creator"
        )
        return {r["creator_id"]: shown_text(r["name"] or r["creator_id"]) for r in rows}

    def as_of(self) -> date | None:
        """The newest day the data describes."""
        if self._as_of is False:
            self._as_of = self._latest_day()
        return self._as_of  # type: ignore[return-value]

    def _latest_day(self) -> date | None:
        return newest_data_day(self.con)


@dataclass(frozen=True)
class Cells:
    """One column of a report table: its header, how its values read, and alignment."""

    column: str
    header: str
    text: Callable[[Any], str]
    numeric: bool

    @classmethod
    def of(cls, column: Column) -> Cells:
        return cls(
            column.name,
            column.label,
            lambda v: text_of(v, column.format),
            column.format in ALIGNED_FORMATS,
        )


# --- sections ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviousExport:
    """The headline figures the export of a week before wrote, from its CSVs: the marts keep
    only today's campaign totals and relationship bands."""

    day: str
    spend: float | None = None
    revenue: float | None = None
    at_risk: int | None = None


def previous_export(day: str) -> PreviousExport | None:
    """The export of `day` - 7 days, when it was written (its folder has a manifest: an
    export still being written or abandoned has none)."""
    previous = (date.fromisoformat(day) - timedelta(days=WEEK_DAYS)).isoformat()
    folder = get_settings().export_dir_for(previous)
    if not (folder / MANIFEST).exists():
        return None
    roi = _csv_rows(folder / "mart_campaign_roi.csv", "spend_committed_usd", "revenue_usd")
    health = _csv_rows(folder / "mart_relationship_health.csv", "health_band")
    return PreviousExport(
        previous,
        spend=None if roi is None else sum(float(r["spend_committed_usd"] or 0) for r in roi),
        revenue=None if roi is None else sum(float(r["revenue_usd"] or 0) for r in roi),
        at_risk=None if health is None else sum(r["health_band"] == "at_risk" for r in health),
    )


def _csv_rows(path: Path, *columns: str) -> list[dict[str, str]] | None:
    """An exported mart's rows; None when the file or one of the columns is not there."""
    if not path.exists():
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not set(columns) <= set(reader.fieldnames or []):
            return None
        return list(reader)


def summary_tiles(marts: Marts, previous: PreviousExport | None = None) -> list[Tile]:
    """The headline numbers, each against the week before (`Tile.compared` says how):
    campaign spend, revenue and relationships at risk against the export of a week before."""
    as_of = marts.as_of()
    week_before = None if as_of is None else as_of - timedelta(days=WEEK_DAYS)
    tiles: list[Tile] = []
    if marts.has("dim_creator", "creator_id"):
        tiles.append(_creators_tile(marts, week_before))
    if marts.has("dim_creator_account", "followers"):
        tiles += _account_tiles(marts, as_of, week_before)
    if as_of and marts.has("fct_post", "published_date"):
        tiles.append(_posts_tile(marts, as_of))
    before = previous or PreviousExport("")
    compared = (
        f"Now, against the figure in the export of {previous.day} (the marts keep only the "
        "current figure)."
        if previous
        else "The marts keep only the current figure, not last week's, and no export was "
        "written a week before: no comparison."
    )
    if marts.has("mart_campaign_roi", "spend_committed_usd", "revenue_usd"):
        row = marts.rows(
            "SELECT count(*) AS n, sum(spend_committed_usd) AS spend, sum(revenue_usd) AS revenue "
            "FROM marts.mart_campaign_roi"
        )[0]
        spend_change = change_text(row["spend"], before.spend, money, relative=True)
        tiles.append(
            Tile(
                "Campaign spend",
                money(row["spend"]),
                f"{count(row['n'])} campaigns",
                change=spend_change,
                compared=compared,
            )
        )
        revenue_change = change_text(row["revenue"], before.revenue, money, relative=True)
        tiles.append(
            Tile(
                "Attributed revenue",
                money(row["revenue"]),
                change=revenue_change,
                compared=compared,
            )
        )
    if marts.has("mart_quality_flags", "severity"):
        tiles.append(_flags_tile(marts, as_of))
    if marts.has("mart_relationship_health", "health_band"):
        n = marts.rows(
            "SELECT count(*) AS n FROM marts.mart_relationship_health WHERE health_band = 'at_risk'"
        )[0]["n"]
        change = change_text(n, before.at_risk, count, relative=False)
        tiles.append(Tile("Relationships at risk", count(n), change=change, compared=compared))
    return tiles


def change_text(
    now: float | None, before: float | None, amount: Callable[[float], str], relative: bool
) -> str:
    """How `now` compares with `before` in words ("up 120 (+2.4%)", "down 3", "no change");
    NO_VALUE without a figure for the week before."""
    if now is None or before is None:
        return NO_VALUE
    difference = float(now) - float(before)
    if difference == 0:
        return "no change"
    direction = "up" if difference > 0 else "down"
    text = f"{direction} {amount(abs(difference))}"
    if relative and before:
        share = abs(difference) / abs(float(before))
        # A follower count moves by hundredths of a percent in a week: show them.
        text += f" ({'+' if difference > 0 else '-'}{pct2(share) if share < 0.01 else pct(share)})"
    return text


def _creators_tile(marts: Marts, week_before: date | None) -> Tile:
    now = marts.rows("SELECT count(*) AS n FROM marts.dim_creator")[0]["n"]
    if week_before is None or not marts.has("dim_creator", "first_partnered_on"):
        return Tile("Creators", count(now), change=NO_VALUE, compared="No dated data to compare.")
    before = marts.rows(
        "SELECT count(*) AS n FROM marts.dim_creator "
        "WHERE first_partnered_on IS NULL OR first_partnered_on <= ?",
        [week_before],
    )[0]["n"]
    return Tile(
        "Creators",
        count(now),
        change=change_text(now, before, count, relative=False),
        compared=f"Creators in the CRM now, against those of them already partnered on "
        f"{week_before.isoformat()} (first partnership on or before that day, or none yet). "
        "A creator removed from the CRM is not in the data, so it is not counted either day.",
    )


def _account_tiles(marts: Marts, as_of: date | None, week_before: date | None) -> list[Tile]:
    row = marts.rows("SELECT count(*) AS n, sum(followers) AS f FROM marts.dim_creator_account")[0]
    accounts = Tile("Accounts", count(row["n"]), change=NO_VALUE, compared="No dated data.")
    followers = Tile(
        "Followers (all accounts)", compact(row["f"]), change=NO_VALUE, compared="No daily counts."
    )
    if week_before is None:
        return [accounts, followers]
    if marts.has("dim_creator_account", "first_snapshot_date"):
        before = marts.rows(
            "SELECT count(*) AS n FROM marts.dim_creator_account WHERE first_snapshot_date <= ?",
            [week_before],
        )[0]["n"]
        accounts = replace(
            accounts,
            change=change_text(row["n"], before, count, relative=False),
            compared="Accounts tracked now, against those tracked (first counted) on or before "
            f"{week_before.isoformat()}.",
        )
    if marts.has("fct_account_daily", "account_id", "date", "followers"):
        both = marts.rows(
            "SELECT sum(now.followers) AS now, sum(before.followers) AS before "
            "FROM marts.fct_account_daily AS now JOIN marts.fct_account_daily AS before "
            "USING (account_id) WHERE now.date = ? AND before.date = ? "
            "AND now.followers IS NOT NULL AND before.followers IS NOT NULL",
            [as_of, week_before],
        )[0]
        followers = replace(
            followers,
            change=change_text(both["now"], both["before"], compact, relative=True),
            compared=f"Followers on {as_of}, against {week_before.isoformat()}, summed over the "
            "accounts with a count on both days (fct_account_daily).",
        )
    return [accounts, followers]


def _posts_tile(marts: Marts, as_of: date) -> Tile:
    start = as_of - timedelta(days=WEEK_DAYS - 1)
    row = marts.rows(
        "SELECT count(*) FILTER (WHERE published_date >= ?) AS now, "
        "count(*) FILTER (WHERE published_date < ?) AS before FROM marts.fct_post "
        "WHERE published_date BETWEEN ? AND ?",
        [start, start, start - timedelta(days=WEEK_DAYS), as_of],
    )[0]
    before_start = start - timedelta(days=WEEK_DAYS)
    return Tile(
        f"Posts, last {WEEK_DAYS} days",
        count(row["now"]),
        change=change_text(row["now"], row["before"], count, relative=True),
        compared=f"Posts published {start.isoformat()} to {as_of.isoformat()}, against "
        f"{before_start.isoformat()} to {(start - timedelta(days=1)).isoformat()}.",
    )


def _flags_tile(marts: Marts, as_of: date | None) -> Tile:
    """Open flags now. Whether a flag was open a week ago is not kept, so the comparison is
    of the flags detected in the last 7 days with the 7 days before."""
    row = marts.rows(
        "SELECT count(*) AS n, count(*) FILTER (WHERE severity = 'high') AS high "
        f"FROM marts.mart_quality_flags WHERE {_open_filter(marts)}"
    )[0]
    tile = Tile("Open flags", count(row["n"]), f"{count(row['high'])} high severity")
    if as_of is None or not marts.has("mart_quality_flags", "detected_on"):
        return replace(tile, change=NO_VALUE, compared="No dated flags.")
    start = as_of - timedelta(days=WEEK_DAYS - 1)
    before_start = start - timedelta(days=WEEK_DAYS)
    new = marts.rows(
        "SELECT count(*) FILTER (WHERE detected_on >= ?) AS now, "
        "count(*) FILTER (WHERE detected_on < ?) AS before FROM marts.mart_quality_flags "
        "WHERE detected_on BETWEEN ? AND ?",
        [start, start, before_start, as_of],
    )[0]
    return replace(
        tile,
        note=f"{tile.note}; {count(new['now'])} new in the last {WEEK_DAYS} days",
        change=f"new flags: {change_text(new['now'], new['before'], count, relative=False)}",
        compared="Whether a flag was open a week ago is not kept: the comparison is of the "
        f"flags detected {start.isoformat()} to {as_of.isoformat()} with those detected "
        f"{before_start.isoformat()} to {(start - timedelta(days=1)).isoformat()}.",
    )


def top_creators(marts: Marts) -> Section:
    section = Section(
        "scorecard",
        "Creator scorecard",
        "The best creators by overall score, which weighs engagement against their tier, "
        "follower growth, campaign ROI, relationship health and open flags. The full list is "
        "in the workbook.",
    )
    mart = "mart_creator_scorecard"
    if not marts.has(mart, "creator_id", "rank", "score"):
        return _no_data(section, mart)
    rank = marts.cells(mart, "rank")
    present = marts.cells(
        mart, "tier", "score", "engagement_index", "growth_rate_30d", "roi", "open_flags"
    ) + marts.cells(mart, "health_score")
    rows = marts.rows(f"SELECT * FROM marts.{mart} ORDER BY rank NULLS LAST, creator_id LIMIT 10")
    if not rows:
        return _no_data(section, mart, empty=True)
    section.table = _table(marts, rows, present, leading=rank)
    return section


def top_posts(marts: Marts) -> Section:
    section = Section(
        "posts",
        "Top posts of the week",
        f"The {TOP_POSTS} posts with the most interactions (likes, comments, shares and saves "
        "where the platform gives them) published in the latest complete week, Monday to "
        "Sunday. Counts are as of each post's latest refresh. Sponsored posts say how they "
        "disclosed it; the post's title opens it on the platform.",
    )
    mart = "fct_post"
    if not marts.has(mart, "post_id", "published_date", "interactions"):
        return _no_data(section, mart)
    week = latest_complete_week(marts.as_of() or datetime.now(UTC).date())
    end = week + timedelta(days=WEEK_DAYS - 1)
    rows = marts.rows(
        f"SELECT * FROM marts.{mart} WHERE published_date BETWEEN ? AND ? "
        "ORDER BY interactions DESC NULLS LAST, views DESC NULLS LAST, post_id "
        f"LIMIT {TOP_POSTS}",
        [week, end],
    )
    linked = [{**row, "post_link": _post_link(row)} for row in rows]
    table = _table(marts, linked, _post_cells(marts), leading=[_post_column(marts)])
    table.title = f"Week of {week:%A %Y-%m-%d} to {end:%A %Y-%m-%d}"
    table.empty = "No post was published that week."
    section.table = table
    return section


def latest_complete_week(as_of: date) -> date:
    """The Monday of the newest Monday-to-Sunday week that is over by `as_of` (a week still
    running would read low)."""
    sunday = as_of - timedelta(days=(as_of.weekday() + 1) % WEEK_DAYS)
    return sunday - timedelta(days=WEEK_DAYS - 1)


def _post_column(marts: Marts) -> Cells:
    """The post's title (else caption, else type), a link to it when its permalink is http(s)."""
    columns = marts.columns("fct_post")
    header = columns["title"].label if "title" in columns else "Post"
    return Cells("post_link", header, lambda link: link, False)


def _post_cells(marts: Marts) -> list[Cells]:
    mart = "fct_post"
    cells: list[Cells] = []
    if "platform" in marts.columns(mart):
        cells.append(Cells("platform", marts.column(mart, "platform").label, _platform, False))
    cells += marts.cells(mart, "published_date", "interactions", "likes", "comments", "views")
    return cells + marts.cells(mart, "engagement_rate", "disclosure_status")


def _post_link(row: dict[str, Any]) -> str:
    """What the post says first, linked to the post by its permalink (_link)."""
    words = row.get("title") or row.get("caption") or row.get("post_type") or row["post_id"]
    return _link(shown_text(words, POST_TITLE_CHARACTERS), row.get("permalink"))


def engagement_by_tier(marts: Marts) -> Section:
    section = Section(
        "engagement",
        "Engagement by tier",
        "How much audiences interact, by creator size: the typical (median) engagement rate of "
        "the accounts in each platform and tier, for the latest month. Smaller accounts "
        "usually engage more; compare a creator with their own tier, not across tiers.",
    )
    mart = "mart_creator_engagement"
    if not marts.has(mart, "account_id", "month", "tier_median_engagement_rate"):
        return _no_data(section, mart)
    own = marts.columns(mart)
    joins_accounts = not ("tier" in own and "platform" in own)
    if joins_accounts and not marts.has("dim_creator_account", "account_id", "tier", "platform"):
        return _no_data(section, "dim_creator_account")
    source = (
        f"marts.{mart} AS e LEFT JOIN marts.dim_creator_account AS a USING (account_id)"
        if joins_accounts
        else f"marts.{mart} AS e"
    )
    prefix = "a" if joins_accounts else "e"
    rows = marts.rows(
        f"WITH e AS (SELECT e.month, {prefix}.platform AS platform, {prefix}.tier AS tier, "
        f"e.tier_median_engagement_rate AS rate FROM {source} "
        "WHERE e.tier_median_engagement_rate IS NOT NULL) "
        "SELECT month, platform, tier, median(rate) AS rate, count(*) AS accounts FROM e "
        "WHERE month = (SELECT max(month) FROM e) GROUP BY ALL"
    )
    if not rows:
        return _no_data(section, mart, empty=True)
    month = rows[0]["month"]
    tiers = sorted({shown_text(r["tier"] or "unknown") for r in rows}, key=_tier_key)
    platforms = sorted({r["platform"] or "unknown" for r in rows})
    by_key = {(r["platform"] or "unknown", shown_text(r["tier"] or "unknown")): r for r in rows}
    series = [
        charts.Series(
            _platform(p),
            PLATFORM_COLORS.get(p, charts.PALETTE[i % len(charts.PALETTE)]),
            [_value(by_key.get((p, t)), "rate") for t in tiers],
        )
        for i, p in enumerate(platforms)
    ]
    title = f"Median engagement rate by tier, {month:%B %Y}"
    rate = marts.column(mart, "tier_median_engagement_rate")
    section.figures.append(
        Figure(charts.grouped_bars(title, tiers, series, Cells.of(rate).text), title)
    )
    section.table = Table(
        ["Tier", "Platform", rate.label, "Accounts"],
        [
            [t, _platform(p), pct2(by_key[(p, t)]["rate"]), count(by_key[(p, t)]["accounts"])]
            for t in tiers
            for p in platforms
            if (p, t) in by_key
        ],
        [False, False, True, True],
    )
    return section


def follower_growth(marts: Marts) -> Section:
    section = Section(
        "growth",
        "Follower growth of the top creators",
        f"Followers over the last {GROWTH_WINDOW_DAYS} days, all of each creator's accounts "
        "together. Each chart has its own scale: look at the shape. A sudden jump followed by "
        "a drop can mean bought followers (see the flags).",
        small_multiples=True,
    )
    if not marts.has("dim_creator_account", "account_id", "creator_id", "followers"):
        return _no_data(section, "dim_creator_account")
    creators = _top_creator_ids(marts)
    series = _daily_followers(marts, creators)
    # Without the daily table, a point per month (its first day stands for the month).
    monthly = not series
    if monthly:
        series = _monthly_followers(marts, creators)
    if not series:
        return _no_data(section, "fct_account_daily")
    names = marts.creator_names()
    day_label = month_text if monthly else date.isoformat
    for i, creator in enumerate(c for c in creators if len(series.get(c, [])) >= 2):
        points = series[creator]
        name = _name(names, creator)
        color = charts.PALETTE[i % len(charts.PALETTE)]
        svg = charts.line_chart(f"Followers of {name}", points, color, compact, day_label)
        section.figures.append(Figure(svg, _growth_caption(name, points, monthly)))
    if not section.figures:
        return _no_data(section, "fct_account_daily", empty=True)
    return section


def _growth_caption(name: str, points: list[tuple[date, float]], monthly: bool) -> str:
    """The caption under a follower line ("Ada: 5,120 followers, 8.9% since 01 Jan"); a
    monthly line counts from the end of its first month ("since the end of Jan 2026")."""
    (first_day, start), end = points[0], points[-1][1]
    change = pct((end - start) / start) if start else NO_VALUE
    since = f"the end of {month_text(first_day)}" if monthly else f"{first_day:%d %b}"
    return f"{name}: {count(end)} followers, {change} since {since}"


def campaign_roi(marts: Marts) -> Section:
    section = Section(
        "campaigns",
        "Campaign ROI",
        "What each campaign returned: (attributed revenue - committed spend) / committed spend. "
        "0% is break-even, -100% means no sales were traced back to it. Revenue counts orders "
        "that used the creators' promo codes or came through their tracked links during the "
        "campaign and 14 days after (a code and a link naming different creators: the code "
        "counts), less what partial refunds returned (gross revenue is in the workbook). A new "
        "customer is one whose order was their first in a year. The "
        "budget is what the CRM plans for the campaign; committed spend, what the contracts "
        "promise (fees and products) plus the commission earned by performance-based "
        "contracts (their rate times the revenue they brought); paid spend, the payments made "
        "so far; commission outstanding, the commission earned and not paid yet. Disclosure "
        "compliance is the share of the campaign's sponsored posts that disclosed the "
        'partnership clearly (#ad, #sponsored, "paid partnership" in the first 125 '
        "characters); a weak or missing disclosure counts against it.",
    )
    mart = "mart_campaign_roi"
    if not marts.has(mart, "campaign_id", "roi", "spend_committed_usd", "revenue_usd"):
        return _no_data(section, mart)
    rows = _campaign_rows(marts)
    if not rows:
        return _no_data(section, mart, empty=True)
    notes = []
    if len(rows) > MAX_CAMPAIGNS:
        notes.append(f"The {MAX_CAMPAIGNS} campaigns with the most spend; all are in the workbook.")
    if "budget_usd" not in marts.columns(mart):  # a publication from before budgets
        notes.append("This publication has no campaign budgets: spend is not compared with them.")
    section.note = " ".join(notes)
    spend = _spend_figure(marts, rows[:SPEND_CHART_CAMPAIGNS])
    rows = sorted(rows[:MAX_CAMPAIGNS], key=lambda r: (r["roi"] is None, -(r["roi"] or 0)))
    title = "Return on investment by campaign"
    items = [(shown_text(r["label"]), _float(r["roi"])) for r in rows]
    roi = Cells.of(marts.column(mart, "roi")).text
    section.figures.append(Figure(charts.diverging_bars(title, items, roi), title))
    if spend:
        section.figures.append(spend)
    named = marts.columns(mart).get("campaign_name") or marts.column(mart, "campaign_id")
    campaign = Cells("label", named.label, shown_text, False)
    cells = marts.cells(mart, "budget_usd", "spend_committed_usd", "spend_paid_usd")
    cells += marts.cells(mart, "commission_usd", "commission_outstanding_usd")
    cells += marts.cells(mart, "revenue_usd", "orders", "orders_by_code", "orders_by_link")
    cells += marts.cells(mart, "new_customers")
    cells += marts.cells(mart, "roas", "roi", "cpm_usd", "cpa_usd", "cost_per_new_customer_usd")
    cells += marts.cells(mart, "emv_usd")
    section.table = _table(marts, rows, cells, leading=[campaign], creators=False)
    section.more_tables = [_disclosure_table(marts, rows, campaign)]
    return section


def _campaign_rows(marts: Marts) -> list[dict[str, Any]]:
    """The campaigns, most committed spend first, each with its sponsored posts, those
    disclosed clearly and their share (the semantic layer's `disclosure_rate`: posts tied to
    a contract with disclosure_status 'disclosed' / posts tied to a contract; NULL without
    sponsored posts, and without fct_post)."""
    mart = "mart_campaign_roi"
    name = (
        "coalesce(campaign_name, campaign_id)"
        if "campaign_name" in marts.columns(mart)
        else "campaign_id"
    )
    posts = (
        "SELECT campaign_id, count(*) FILTER (WHERE is_sponsored) AS sponsored_posts, "
        "count(*) FILTER (WHERE is_sponsored AND disclosure_status = 'disclosed') "
        "AS disclosed_posts FROM marts.fct_post WHERE campaign_id IS NOT NULL GROUP BY ALL"
        if marts.has("fct_post", "campaign_id", "is_sponsored", "disclosure_status")
        else "SELECT NULL::VARCHAR AS campaign_id, NULL::BIGINT AS sponsored_posts, "
        "NULL::BIGINT AS disclosed_posts"
    )
    return marts.rows(
        f"WITH posts AS ({posts}) SELECT roi.*, {name} AS label, posts.sponsored_posts, "
        "posts.disclosed_posts, posts.disclosed_posts / nullif(posts.sponsored_posts, 0) "
        f"AS disclosure_rate FROM marts.{mart} AS roi LEFT JOIN posts USING (campaign_id) "
        "ORDER BY roi.spend_committed_usd DESC NULLS LAST, roi.campaign_id"
    )


def _disclosure_table(marts: Marts, rows: list[dict[str, Any]], campaign: Cells) -> Table:
    """Each campaign's sponsored posts, those disclosed clearly and their share."""
    disclosure = [
        Cells("sponsored_posts", "Sponsored posts", count, True),
        Cells("disclosed_posts", "Sponsored posts disclosed", count, True),
        Cells("disclosure_rate", "Disclosure compliance", pct, True),
    ]
    table = _table(marts, rows, disclosure, leading=[campaign], creators=False)
    table.title = "Disclosure of the sponsored posts"
    return table


def _spend_figure(marts: Marts, rows: list[dict[str, Any]]) -> Figure | None:
    """Budget, committed and paid spend, side by side per campaign (the most committed
    first); without budgets in the publication, committed against paid."""
    mart = "mart_campaign_roi"
    if "spend_paid_usd" not in marts.columns(mart):
        return None
    measures = [m for m in ("budget_usd", "spend_committed_usd", "spend_paid_usd") if m in rows[0]]
    series = [
        charts.Series(marts.column(mart, m).label, charts.PALETTE[i], [_float(r[m]) for r in rows])
        for i, m in enumerate(measures)
    ]
    budget = "Budget, committed" if "budget_usd" in measures else "Committed"
    title = f"{budget} and paid spend by campaign"
    labels = [shown_text(r["label"]) for r in rows]
    figure = charts.grouped_bars(title, labels, series, money)
    return Figure(figure, f"{title}, the {len(rows)} with the most committed spend")


def open_flags(marts: Marts) -> Section:
    section = Section(
        "flags",
        "Open quality flags",
        "Things a person should look at: possible bought followers, engagement that does not "
        "add up, sponsored posts without a clear #ad, late payments. A flag is a question, "
        "not a verdict; what each one means is explained below the table.",
    )
    mart = "mart_quality_flags"
    if not marts.has(mart, "flag_type", "severity"):
        return _no_data(section, mart)
    where = _open_filter(marts)
    counts = marts.rows(
        f"SELECT flag_type, severity, count(*) AS n FROM marts.{mart} WHERE {where} GROUP BY ALL"
    )
    if not counts:
        section.no_data = "No open flags: nothing is waiting for a review."
        return section
    by_type: dict[str, dict[str, float]] = {}
    for row in counts:
        by_type.setdefault(row["flag_type"], {})[row["severity"]] = row["n"]
    ordered = sorted(by_type.items(), key=lambda item: -sum(item[1].values()))
    items = [(glossary.flag(t).label, parts) for t, parts in ordered]
    title = "Open flags by type and severity"
    section.figures.append(Figure(charts.stacked_bars(title, items, SEVERITIES, count), title))
    section.table = _flag_table(marts, where)
    section.explanations = [(glossary.flag(t).label, glossary.flag(t).meaning) for t, _ in ordered]
    return section


def relationship_health(marts: Marts) -> Section:
    section = Section(
        "health",
        "Relationship health",
        "How each partnership is going, 0 to 100, from how recently we were in touch, how "
        "often the creator answers, whether posts arrive on time and whether we pay on time. "
        "Healthy is 70 or more, at risk under 40. Beside it, how long we have worked together "
        "(months since the first partnership, campaigns done; the workbook adds how the first "
        "campaign did against the later ones). The creators who need attention first:",
    )
    mart = "mart_relationship_health"
    if not marts.has(mart, "creator_id", "health_score", "health_band"):
        return _no_data(section, mart)
    bands = marts.rows(f"SELECT health_band, count(*) AS n FROM marts.{mart} GROUP BY ALL")
    if not bands:
        return _no_data(section, mart, empty=True)
    parts = {code_words(r["health_band"] or "unknown"): r["n"] for r in bands}
    title = "Creators by relationship health"
    segments = [(code_words(band), colour) for band, colour in (*HEALTH_BANDS, UNKNOWN_BAND)]
    section.figures.append(
        Figure(charts.stacked_bars(title, [("Creators", parts)], segments, count), title)
    )
    present = marts.cells(
        mart, "health_band", "health_score", "days_since_touchpoint", "response_rate"
    ) + marts.cells(mart, "on_time_delivery_rate", "on_time_payment_rate")
    present += marts.cells(mart, "months_since_first_partnership", "campaigns_done")
    rows = marts.rows(
        f"SELECT * FROM marts.{mart} WHERE health_score IS NOT NULL "
        "ORDER BY health_score, creator_id LIMIT 10"
    )
    section.table = _table(marts, rows, present)
    return section


def audience_sentiment(marts: Marts) -> Section:
    section = Section(
        "sentiment",
        "What audiences say",
        "How the comments under each creator's YouTube and TikTok posts read. Net sentiment is "
        "the share of positive comments minus the share of negative ones, among the comments "
        "the model could score: +100% means every one was positive. A comment it cannot read "
        "(not English, emoji only) is left out, never counted as neutral. Instagram gives no "
        "access to other accounts' comments. Below the table: the week's most liked positive "
        "and negative comments, as written.",
    )
    mart = "mart_creator_sentiment"
    if not marts.has(mart, "creator_id", "month", "net_sentiment", "comments_scored"):
        return _no_data(section, mart)
    month = marts.rows(f"SELECT max(month) AS month FROM marts.{mart}")[0]["month"]
    if month is None:
        return _no_data(section, mart, empty=True)
    rows = _creator_sentiment_rows(marts, month)
    title = f"Net sentiment of the audience, {month:%B %Y}"
    net = Cells.of(marts.column(mart, "net_sentiment"))
    names = marts.creator_names()
    items = [(_name(names, r["creator_id"]), _float(r["net_sentiment"])) for r in rows]
    section.figures.append(Figure(charts.diverging_bars(title, items, net.text), title))
    section.table = _creator_sentiment_table(marts, rows, month)
    section.note = _creator_sentiment_note(marts, month)
    as_of = marts.as_of()
    section.more_tables = [
        _week_comments(marts, label, as_of) for label in ("positive", "negative")
    ]
    return section


def _creator_sentiment_rows(marts: Marts, month: date) -> list[dict[str, Any]]:
    """The month's creators with the most scored comments, highest net sentiment first, each
    with the previous month's net sentiment to compare with."""
    rows = marts.rows(
        "SELECT latest.*, previous.net_sentiment AS previous_net_sentiment "
        "FROM marts.mart_creator_sentiment AS latest "
        "LEFT JOIN marts.mart_creator_sentiment AS previous "
        "ON previous.creator_id = latest.creator_id "
        "AND previous.month = (latest.month - INTERVAL 1 MONTH)::DATE "
        "WHERE latest.month = ? "
        f"ORDER BY latest.comments_scored DESC, latest.creator_id LIMIT {SENTIMENT_CREATORS}",
        [month],
    )
    return sorted(rows, key=lambda r: (r["net_sentiment"] is None, -(r["net_sentiment"] or 0)))


def _creator_sentiment_table(marts: Marts, rows: list[dict[str, Any]], month: date) -> Table:
    mart = "mart_creator_sentiment"
    net = Cells.of(marts.column(mart, "net_sentiment"))
    # Two months side by side: each net sentiment column says which month it is.
    latest = replace(net, header=f"{net.header}, {month:%b %Y}")
    previous_month = (month - timedelta(days=1)).replace(day=1)
    previous = replace(
        net, column="previous_net_sentiment", header=f"{net.header}, {previous_month:%b %Y}"
    )
    counts = marts.cells(mart, "comments_scored", "comments_fetched")
    split = marts.cells(mart, "net_sentiment_sponsored", "net_sentiment_organic")
    return _table(marts, rows, [latest, *counts, *split, previous])


def _creator_sentiment_note(marts: Marts, month: date) -> str:
    """Which comments the table counts, and what it leaves out."""
    as_of = marts.as_of()
    next_month = (month + timedelta(days=31)).replace(day=1)
    so_far = (
        f" {month:%B} is not over: its comments up to {as_of.isoformat()}."
        if as_of is not None and as_of < next_month - timedelta(days=1)
        else ""
    )
    n = marts.rows(
        "SELECT count(*) AS n FROM marts.mart_creator_sentiment WHERE month = ?", [month]
    )[0]["n"]
    more = (
        f" The {SENTIMENT_CREATORS} creators with the most scored comments; all are in the "
        "workbook."
        if n > SENTIMENT_CREATORS
        else ""
    )
    return f"Comments written in {month:%B %Y}.{so_far}{more}"


def _week_comments(marts: Marts, label: str, as_of: date | None) -> Table:
    """The most liked comments of one sentiment published in the week up to `as_of`."""
    mart = "fct_comment"
    needed = ("comment_id", "sentiment_label", "like_count", "published_at", "published_date")
    if not marts.has(mart, *needed):
        return Table([], [], [], f"Most liked {label} comments", _no_data_text(mart))
    if as_of is None:
        return Table([], [], [], f"Most liked {label} comments", "No dated data yet.")
    start = as_of - timedelta(days=COMMENT_WEEK_DAYS - 1)
    title = f"Most liked {label} comments, {start.isoformat()} to {as_of.isoformat()}"
    rows = marts.rows(
        f"SELECT * FROM marts.{mart} WHERE sentiment_label = ? "
        "AND published_date BETWEEN ? AND ? "
        "ORDER BY like_count DESC NULLS LAST, published_at DESC NULLS LAST, comment_id "
        f"LIMIT {TOP_COMMENTS}",
        [label, start, as_of],
    )
    table = _table(marts, rows, _comment_cells(marts))
    table.title = title
    table.empty = f"No {label} comment was published on these days."
    return table


def _comment_cells(marts: Marts) -> list[Cells]:
    """A comment's platform, day, likes and score, its author when the copy holds the handle
    (personal data, withheld unless a setting allows it), and its text, shortened."""
    columns = marts.columns("fct_comment")
    cells: list[Cells] = []
    if "platform" in columns:
        cells.append(Cells("platform", columns["platform"].label, _platform, False))
    cells += marts.cells("fct_comment", "published_date", "like_count", "sentiment_score")
    cells += marts.cells("fct_comment", "author_handle")
    if "text" in columns:
        comment = columns["text"].label
        cells.append(Cells("text", comment, lambda v: shown_text(v, MAX_COMMENT_CHARACTERS), False))
    return cells


def discovery_candidates(marts: Marts) -> Section:
    section = Section(
        "discovery",
        "Who to sign next",
        "Accounts off the roster that the listening found posting about the brand's niche "
        "(YouTube and TikTok; Instagram's hashtag posts name no author), best fit first. The "
        "fit score, 0 to 100, weighs how much of what they post uses the brand's niche terms, "
        "their engagement against accounts of the same platform and size, and how often they "
        "mention the brand, its products or campaigns. Each problem a brand checks before "
        "signing costs points, so candidates with problems sink: brand-safety terms in their "
        "posts, a disclosed partnership with a competitor, a sudden follower jump or "
        "engagement far below their peers. Why each scored so is in its last column.",
    )
    mart = "mart_discovery_candidates"
    if not marts.has(mart, "account_id", "rank", "fit_score"):
        return _no_data(section, mart)
    rows = marts.rows(
        f"SELECT * FROM marts.{mart} ORDER BY rank, account_id LIMIT {TOP_CANDIDATES}"
    )
    if not rows:
        return _no_data(section, mart, empty=True)
    linked = [{**row, "profile_link": _profile_link(row)} for row in rows]
    section.table = _table(marts, linked, _candidate_cells(marts), creators=False)
    total = marts.rows(f"SELECT count(*) AS n FROM marts.{mart}")[0]["n"]
    if total > TOP_CANDIDATES:
        section.note = (
            f"The {TOP_CANDIDATES} best of {total:,} candidates; all are in the workbook "
            '(sheet "Who to sign next").'
        )
    return section


def _candidate_cells(marts: Marts) -> list[Cells]:
    """Rank, the handle linked to the profile, then what the score weighs and why."""
    mart = "mart_discovery_candidates"
    columns = marts.columns(mart)
    cells = marts.cells(mart, "rank")
    handle = columns.get("handle") or columns["account_id"]
    # The link is made per row (_profile_link), from the handle and the profile's URL.
    cells.append(Cells("profile_link", handle.label, lambda link: link, False))
    if "platform" in columns:
        cells.append(Cells("platform", columns["platform"].label, _platform, False))
    cells += marts.cells(mart, "followers", "tier", "engagement_index", "niche_share")
    cells += marts.cells(mart, "brand_mentions", "fit_score")
    if "reasons" in columns:
        why = columns["reasons"].label
        cells.append(Cells("reasons", why, lambda v: shown_text(v, MAX_REASON_CHARACTERS), False))
    return cells


def _profile_link(row: dict[str, Any]) -> str:
    """The handle (else the account id), a link to the profile (_link)."""
    return _link(shown_text(row.get("handle") or row["account_id"]), row.get("profile_url"))


def _link(name: str, url: Any) -> str:
    """`name` as a link to `url` when it is a whole http(s) URL (is_linkable), else `name`
    alone: the URL is not shown. Both escaped here, as the template does not escape Markup."""
    if not isinstance(url, str) or not is_linkable(url):
        return name
    return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(url, name)


def is_linkable(url: str) -> bool:
    """An http(s) URL, whole, with nothing that could hide or reorder what it says."""
    return len(url) <= MAX_URL_CHARACTERS and _LINKABLE_URL.fullmatch(url) is not None


def share_of_voice(marts: Marts) -> Section:
    section = Section(
        "voice",
        "Who talks about us",
        "How many posts named the brand (its name, products or campaigns) against how many "
        "named a competitor, per platform, in the latest complete week (Monday to Sunday). "
        "Share of voice is the brand's part of the two; a post naming both counts on both "
        "sides. Brand net sentiment is the tone of the posts that name the brand: the share "
        "read as positive minus the share read as negative (a post the model cannot read is "
        "left out). Below: the brand's terms mentioned most that week.",
    )
    mart = "mart_share_of_voice"
    if not marts.has(mart, "week", "platform", "brand_mentions", "share_of_voice"):
        return _no_data(section, mart)
    if not marts.rows(f"SELECT 1 AS found FROM marts.{mart} LIMIT 1"):
        return _no_data(section, mart, empty=True)
    week = _latest_complete_week(marts)
    if week is None:
        section.no_data = "No complete week of mentions yet: the first one is still running."
        return section
    rows = marts.rows(
        f"SELECT latest.*, previous.share_of_voice AS previous_share_of_voice, "
        "previous.brand_mentions AS previous_brand_mentions "
        f"FROM marts.{mart} AS latest LEFT JOIN marts.{mart} AS previous "
        "ON previous.platform = latest.platform AND previous.week = latest.week - 7 "
        "WHERE latest.week = ? ORDER BY latest.platform",
        [week],
    )
    section.table = _voice_table(marts, rows, week)
    section.more_tables = [_brand_terms(marts, week)]
    return section


def _latest_complete_week(marts: Marts) -> date | None:
    """The mart's newest week that is over by the data's newest day (today without dated
    data): latest_complete_week or, when it has no rows then, an earlier one."""
    as_of = marts.as_of() or datetime.now(UTC).date()
    return marts.rows(
        "SELECT max(week) AS week FROM marts.mart_share_of_voice WHERE week <= ?",
        [latest_complete_week(as_of)],
    )[0]["week"]


def _voice_table(marts: Marts, rows: list[dict[str, Any]], week: date) -> Table:
    """The week per platform; the week before beside it when the mart has it."""
    mart = "mart_share_of_voice"
    platform = Cells("platform", marts.column(mart, "platform").label, _platform, False)
    cells = marts.cells(mart, "brand_mentions", "competitor_mentions", "share_of_voice")
    cells += marts.cells(mart, "brand_net_sentiment")
    before = week - timedelta(days=7)
    if any(r["previous_share_of_voice"] is not None for r in rows):
        for name in ("share_of_voice", "brand_mentions"):
            shown = Cells.of(marts.column(mart, name))
            header = f"{shown.header}, week of {before:%b} {before.day}"
            cells.append(replace(shown, column=f"previous_{name}", header=header))
    table = _table(marts, rows, cells, leading=[platform], creators=False)
    table.title = f"Week of {week:%A %Y-%m-%d} to {week + timedelta(days=6):%A %Y-%m-%d}"
    return table


def _brand_terms(marts: Marts, week: date) -> Table:
    """The brand's, its products' and campaigns' terms most mentioned in the week."""
    mart = "mart_brand_mentions"
    title = "The brand's most mentioned terms that week"
    if not marts.has(mart, "date", "platform", "term", "term_kind", "mentions", "authors"):
        return Table([], [], [], title, _no_data_text(mart))
    rows = marts.rows(
        "SELECT term, platform, sum(mentions) AS mentions, sum(authors) AS authors "
        f"FROM marts.{mart} WHERE date BETWEEN ? AND ? AND term_kind IN (SELECT unnest(?)) "
        "GROUP BY term, platform ORDER BY mentions DESC, term, platform "
        f"LIMIT {TOP_BRAND_TERMS}",
        [week, week + timedelta(days=6), list(BRAND_TERM_KINDS)],
    )
    term = Cells.of(marts.column(mart, "term"))
    platform = Cells("platform", marts.column(mart, "platform").label, _platform, False)
    mentions = Cells.of(marts.column(mart, "mentions"))
    authors = Cells.of(marts.column(mart, "authors"))
    # The mart counts authors per day: over a week, one posting on two days counts twice.
    authors = replace(authors, header=f"{authors.header}, added up by day")
    table = _table(marts, rows, [term, platform, mentions, authors], creators=False)
    table.title = title
    table.empty = "No post named the brand, its products or campaigns that week."
    return table


# --- helpers ----------------------------------------------------------------------------------
def _no_data(section: Section, mart: str, empty: bool = False) -> Section:
    section.no_data = _no_data_text(mart, empty)
    return section


def _no_data_text(mart: str, empty: bool = False) -> str:
    if empty:
        return f"No data yet: the {mart} table has no rows in this publication."
    return f"No data yet: the {mart} table is not published yet."


def _open_filter(marts: Marts) -> str:
    """Flags still open (the mart's is_open when it has one; else every flag counts)."""
    return "is_open" if "is_open" in marts.columns("mart_quality_flags") else "true"


def _flag_table(marts: Marts, where: str) -> Table:
    mart = "mart_quality_flags"
    first = marts.cells(mart, "severity", "flag_type")
    rest = marts.cells(mart, "detected_on", "metric_value", "threshold", "evidence")
    rows = marts.rows(
        f"SELECT * FROM marts.{mart} "
        f"WHERE {where} ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 "
        f"ELSE 2 END, detected_on DESC NULLS LAST, flag_type LIMIT {MAX_FLAG_ROWS}"
    )
    return _table(marts, rows, rest, leading=first)


def _table(
    marts: Marts,
    rows: list[dict[str, Any]],
    cells: list[Cells],
    leading: list[Cells] | None = None,
    creators: bool = True,
) -> Table:
    """A table of `rows`: the `leading` columns, the creator's name when the rows have a
    creator_id (and `creators`), then `cells`."""
    columns = list(leading or [])
    if creators and rows and "creator_id" in rows[0]:
        names = marts.creator_names()
        columns.append(Cells("creator_id", marts.creator_label(), lambda v: _name(names, v), False))
    return Table(
        [c.header for c in columns + cells],
        [[_cell(r[c.column], c.text) for c in columns + cells] for r in rows],
        [c.numeric for c in columns + cells],
    )


def _top_creator_ids(marts: Marts) -> list[str]:
    """By scorecard rank when there is one, else by followers."""
    if marts.has("mart_creator_scorecard", "creator_id", "rank"):
        rows = marts.rows(
            "SELECT creator_id FROM marts.mart_creator_scorecard "
            f"ORDER BY rank NULLS LAST, creator_id LIMIT {TOP_CREATORS}"
        )
        if rows:
            return [r["creator_id"] for r in rows]
    rows = marts.rows(
        "SELECT creator_id FROM marts.dim_creator_account WHERE creator_id IS NOT NULL "
        f"GROUP BY creator_id ORDER BY sum(followers) DESC NULLS LAST, creator_id "
        f"LIMIT {TOP_CREATORS}"
    )
    return [r["creator_id"] for r in rows]


def _daily_followers(marts: Marts, creators: list[str]) -> dict[str, list[tuple[date, float]]]:
    if not creators or not marts.has("fct_account_daily", "account_id", "date", "followers"):
        return {}
    rows = marts.rows(
        "SELECT a.creator_id, d.date AS day, sum(d.followers) AS followers, "
        "count(d.followers) AS accounts FROM marts.fct_account_daily AS d "
        "JOIN marts.dim_creator_account AS a USING (account_id) "
        "WHERE a.creator_id IN (SELECT unnest(?)) "
        "AND d.date > (SELECT max(date) FROM marts.fct_account_daily) - ?::INTEGER "
        "GROUP BY ALL ORDER BY a.creator_id, day",
        [creators, GROWTH_WINDOW_DAYS],
    )
    return _complete_days(rows)


def _monthly_followers(marts: Marts, creators: list[str]) -> dict[str, list[tuple[date, float]]]:
    """Month ends when the daily table is not published (a coarser line, same meaning)."""
    if not creators or not marts.has("mart_creator_growth", "account_id", "followers_end"):
        return {}
    rows = marts.rows(
        "SELECT a.creator_id, g.month AS day, sum(g.followers_end) AS followers, "
        "count(g.followers_end) AS accounts FROM marts.mart_creator_growth AS g "
        "JOIN marts.dim_creator_account AS a USING (account_id) "
        "WHERE a.creator_id IN (SELECT unnest(?)) GROUP BY ALL ORDER BY a.creator_id, day",
        [creators],
    )
    return _complete_days(rows)


def _complete_days(rows: list[dict[str, Any]]) -> dict[str, list[tuple[date, float]]]:
    """Keep the days on which every one of the creator's accounts has a count: a sum over
    fewer accounts would draw a false drop."""
    most: dict[str, int] = {}
    for row in rows:
        most[row["creator_id"]] = max(most.get(row["creator_id"], 0), row["accounts"])
    series: dict[str, list[tuple[date, float]]] = {}
    for row in rows:
        if row["accounts"] and row["accounts"] == most[row["creator_id"]]:
            series.setdefault(row["creator_id"], []).append((row["day"], float(row["followers"])))
    return series


def _name(names: dict[str, str], creator_id: str | None) -> str:
    """The creator's name as shown, their id when the name is unknown."""
    if creator_id is None:
        return NO_VALUE
    return names.get(creator_id) or shown_text(creator_id)


def _platform(platform: str) -> str:
    return PLATFORM_NAMES.get(platform) or shown_text(platform.capitalize())


def _tier_key(tier: str) -> tuple[int, str]:
    return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), tier)


def _value(row: dict[str, Any] | None, key: str) -> float | None:
    return None if row is None else _float(row[key])


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _cell(value: Any, fmt: Any) -> str:
    if value is None:
        return NO_VALUE
    return fmt(value)


def _short_number(value: Any) -> str:
    if value is None:
        return NO_VALUE
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")
