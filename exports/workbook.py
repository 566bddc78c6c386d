"""The XLSX workbook: an "About" sheet, then one formatted sheet per mart of interest.

Each sheet holds its mart's rows and columns as published, sorted the way a marketing lead
reads it; one keeps only the rows it is about ("Comments of the week": the week's most liked
positive and negative comments, as the report shows them), and "Open flags" counts the open
quality flags by type and severity. Beside each id that refers to
another mart, that mart's name column is looked up (the creator's name beside creator_id, the
handle beside account_id), so a person can read it. The key columns and the row's name (or the
columns a sheet names as `leading`: a candidate's rank and handle) come first and stay in view
while scrolling right.

Headers carry each column's label; its technical name and meaning are in the header's note.
How a column reads comes from what it is, the BI copy's column metadata (exports/columns.py):
a fraction as a percent, money in USD (a unit cost to the hundredth of a cent), a month as
"Jan 2026", a quality flag as its plain label, JSON evidence as words; dates and times in UTC
(Excel has no time zones). Missing marts give a sheet that says so. Native charts stand right of
their sheet's table (exports/workbook_charts.py); the About sheet says where.

Every text value is written as a text cell, whatever its column's number format: openpyxl would
otherwise store a name starting with "=" as a formula for Excel to run, and "#N/A" as an error.
Control characters, which the file format cannot hold, are left out, line breaks are line feeds,
and text longer than a cell's 32,767 characters is cut with a note giving its full length.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.db import quote_ident
from exports import glossary
from exports.columns import Column, described_columns, name_column, shown_value
from exports.folder import MARTS, ExportRun, FileEntry, sha256, stale_data_note
from exports.workbook_charts import PlacedChart, add_charts

log = logging.getLogger(__name__)

WORKBOOK_NAME = "influencer-workbook-{day}.xlsx"
MAX_ROWS = 1_048_575  # Excel's limit, less the header
MAX_TEXT = 32_767  # Excel's limit of characters in a cell
CUT_NOTE = "… [cut at Excel's limit: {length:,} characters in all]"
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")

# How each format of the contract's vocabulary reads in Excel (the others are text).
EXCEL_FORMATS = {
    "integer": "#,##0",
    "number": "#,##0.00",
    "ratio": "0.00",
    "score": "0.0",
    "percent": "0.00%",
    "usd": '"$"#,##0.00',
    "usd_unit": '"$"#,##0.0000',  # the unit costs' 4 decimals: $0.0042 must not read $0.00
    "date": "yyyy-mm-dd",
    "month": "mmm yyyy",
    "timestamp": "yyyy-mm-dd hh:mm",
}
DATE_FORMATS = ("date", "month", "timestamp")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
TITLE_FONT = Font(bold=True, size=14)
WARNING_FONT = Font(bold=True, color="B3261E")
SECTION_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Order:
    column: str
    descending: bool = False
    # SQL ({column} stands for the column) when its own order is not the reading order
    expression: str | None = None


SEVERITY_ORDER = Order(
    "severity", expression="CASE {column} WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"
)


@dataclass(frozen=True)
class SheetSpec:
    title: str
    mart: str
    holds: str  # one line for the About sheet
    order: tuple[Order, ...] = ()
    # SQL keeping some of the mart's rows (m.<column>; $as_of is the newest day of the data):
    # a WHERE condition, then a QUALIFY one. None: every row.
    where: str | None = None
    qualify: str | None = None
    # Columns a person reads a row by, shown after the key columns and kept in view with them
    # (for a mart whose contract names no `name` column, or when more than its name helps).
    leading: tuple[str, ...] = ()


# The week's comments: published in the 7 days up to the data's newest day (as the report).
COMMENT_WEEK_DAYS = 7
# Of each sentiment, the most liked; the rest are in fct_comment.csv.
WEEK_COMMENTS_PER_SENTIMENT = 100
WEEK_COMMENTS = SheetSpec(
    "Comments of the week",
    "fct_comment",
    f"The most liked positive and negative comments published in the {COMMENT_WEEK_DAYS} days "
    f"up to the data's newest day, at most {WEEK_COMMENTS_PER_SENTIMENT} of each, positive "
    "first. Neutral and unscored comments (which the model could not read) are left out; all "
    "comments are in fct_comment.csv.",
    (
        Order("sentiment_label", expression="CASE {column} WHEN 'positive' THEN 0 ELSE 1 END"),
        Order("like_count", descending=True),
        Order("published_at", descending=True),
    ),
    where=(
        "m.sentiment_label IN ('positive', 'negative') AND m.published_date "
        f"BETWEEN $as_of::DATE - {COMMENT_WEEK_DAYS - 1} AND $as_of::DATE"
    ),
    qualify=(
        "row_number() OVER (PARTITION BY m.sentiment_label ORDER BY m.like_count DESC NULLS "
        f"LAST, m.published_at DESC NULLS LAST, m.comment_id) <= {WEEK_COMMENTS_PER_SENTIMENT}"
    ),
)


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        "Scorecard",
        "mart_creator_scorecard",
        "One row per creator: the overall score and its parts, best first.",
        (Order("rank"),),
    ),
    SheetSpec(
        "Creators",
        "dim_creator",
        "One row per creator: who they are, tier, main platform, manager.",
        (Order("display_name"),),
    ),
    SheetSpec(
        "Accounts",
        "dim_creator_account",
        "One row per social account: followers, tier, last check.",
        (Order("followers", descending=True),),
    ),
    SheetSpec(
        "Engagement",
        "mart_creator_engagement",
        "One row per account and month: engagement compared with the tier, newest month first.",
        (Order("month", descending=True), Order("engagement_index", descending=True)),
    ),
    SheetSpec(
        "Growth",
        "mart_creator_growth",
        "One row per account and month: followers gained or lost, newest month first.",
        (Order("month", descending=True), Order("growth_rate", descending=True)),
    ),
    SheetSpec(
        "Campaign ROI",
        "mart_campaign_roi",
        "One row per campaign: spend, results, cost per result and return, best ROI first.",
        (Order("roi", descending=True),),
    ),
    SheetSpec(
        "Campaign x creator",
        "mart_campaign_creator_roi",
        "One row per campaign and creator: the same measures per creator.",
        (Order("campaign_id"), Order("roi", descending=True)),
    ),
    SheetSpec(
        "Quality flags",
        "mart_quality_flags",
        "One row per flag: open ones first, then by severity and date. Review items, not verdicts.",
        (Order("is_open", descending=True), SEVERITY_ORDER, Order("detected_on", descending=True)),
        leading=("flag_type",),
    ),
    SheetSpec(
        "Relationship health",
        "mart_relationship_health",
        "One row per creator: how the relationship is going, weakest first.",
        (Order("health_score"),),
    ),
    SheetSpec(
        "Audience sentiment",
        "mart_creator_sentiment",
        "One row per creator and month: how the comments under their posts read (net "
        "sentiment = positive share - negative share of the comments the model could score), "
        "newest month first, most positive first.",
        (Order("month", descending=True), Order("net_sentiment", descending=True)),
    ),
    WEEK_COMMENTS,
    SheetSpec(
        "Who to sign next",
        "mart_discovery_candidates",
        "One row per account the listening found off the roster (YouTube and TikTok): size, "
        "engagement against its peers, what it posts about, the problems a brand checks before "
        "signing (brand safety, competitor partnerships, audience flags), a fit score 0-100 "
        "and the reasons for it; best fit first.",
        (Order("rank"),),
        leading=("rank", "handle"),
    ),
    SheetSpec(
        "Brand mentions",
        "mart_brand_mentions",
        "One row per day, platform and term the brand listens for (its name, products, "
        "campaigns, niche and competitors): the posts that mention it, their authors and "
        "interactions, and how the comments under them read; newest day first, most mentioned "
        "first.",
        # Its key (date, platform, term) leads: the term is in view without more.
        (Order("date", descending=True), Order("mentions", descending=True)),
    ),
    SheetSpec(
        "Share of voice",
        "mart_share_of_voice",
        "One row per week (starting Monday) and platform: the posts that mention the brand "
        "against those that mention a competitor, and how the comments under the brand's read; "
        "newest week first.",
        (Order("week", descending=True), Order("share_of_voice", descending=True)),
    ),
)


# The open flags counted by type and severity (a sheet after "Quality flags", with its chart).
OPEN_FLAGS = SheetSpec(
    "Open flags",
    "mart_quality_flags",
    "The open quality flags counted by type and severity, most frequent first, with a chart; "
    "each flag is a row of the Quality flags sheet.",
    where="m.is_open",
    leading=("flag_type",),
)
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class SheetData:
    spec: SheetSpec
    columns: list[Column]  # as written, lookups included
    rows: list[tuple[Any, ...]]
    missing: bool  # the mart is not in the publication
    truncated: bool = False
    in_view: int = 1  # the leading columns kept in view while scrolling right


@dataclass(frozen=True)
class Lookup:
    """The name of what an id refers to, shown beside the id."""

    column: Column  # as shown: the parent's name column, named `<parent>.<column>`
    select: str
    join: str


def write_workbook(con: duckdb.DuckDBPyConnection, run: ExportRun) -> list[FileEntry]:
    """Write the workbook into the run's staging folder."""
    path = run.staging / WORKBOOK_NAME.format(day=run.day)
    as_of = date.fromisoformat(run.data_through) if run.data_through else None
    sheets = read_sheets(con, as_of)
    build_workbook(sheets, run).save(path)
    log.info("workbook %s: %s", path.name, {s.spec.title: len(s.rows) for s in sheets})
    return [FileEntry(file=path.name, mart=None, rows=None, sha256=sha256(path))]


def read_sheets(con: duckdb.DuckDBPyConnection, as_of: date | None) -> list[SheetData]:
    """Every sheet in the workbook's order: the marts' sheets, the open flags' counts after the
    flags."""
    sheets = []
    for spec in SHEETS:
        sheets.append(read_sheet(con, spec, as_of))
        if spec.mart == OPEN_FLAGS.mart:
            sheets.append(read_open_flags(con))
    return sheets


def read_sheet(
    con: duckdb.DuckDBPyConnection, spec: SheetSpec, as_of: date | None = None
) -> SheetData:
    """The sheet's rows; `as_of` (the newest day of the data) for a sheet that keeps some rows
    by date: without it such a sheet has none."""
    columns = described_columns(con, spec.mart)
    if not columns:
        return SheetData(spec, [], [], missing=True)
    sql, shown, in_view = sheet_query(con, spec, columns)
    by_day = "$as_of" in sql
    if by_day and as_of is None:
        return SheetData(spec, shown, [], False, False, in_view)
    rows = con.execute(sql, {"as_of": as_of} if by_day else None).fetchmany(MAX_ROWS + 1)
    truncated = len(rows) > MAX_ROWS
    return SheetData(spec, shown, rows[:MAX_ROWS], False, truncated, in_view)


def read_open_flags(con: duckdb.DuckDBPyConnection) -> SheetData:
    """The open flags counted by type (its label, from the column's metadata) and severity,
    most frequent first."""
    described = {c.name: c for c in described_columns(con, OPEN_FLAGS.mart)}
    if not {"flag_type", "severity", "is_open"} <= described.keys():
        return SheetData(OPEN_FLAGS, [], [], missing=True)
    counts = [
        Column(
            f"{s}_severity",
            f"{s.capitalize()} severity",
            "integer",
            f"Open flags of {s} severity.",
            unit="flags",
        )
        for s in SEVERITIES
    ]
    total = Column("open_flags", "Open flags", "integer", "Open flags of every severity.", "flags")
    severities = ", ".join(f"count(*) FILTER (WHERE m.severity = '{s}')" for s in SEVERITIES)
    sql = (
        f"SELECT m.flag_type, {severities}, count(*) "
        f"FROM {quote_ident(MARTS)}.{quote_ident(OPEN_FLAGS.mart)} AS m WHERE {OPEN_FLAGS.where} "
        "GROUP BY m.flag_type ORDER BY count(*) DESC, 2 DESC, 3 DESC, 4 DESC, m.flag_type"
    )
    rows = con.execute(sql).fetchall()
    return SheetData(OPEN_FLAGS, [described["flag_type"], *counts, total], rows, False)


def sheet_query(
    con: duckdb.DuckDBPyConnection, spec: SheetSpec, columns: list[Column]
) -> tuple[str, list[Column], int]:
    """SELECT the mart's columns in reading order: the key columns and the row's name first,
    each id with the name it refers to beside it. Returns the SQL, the columns as shown and
    how many lead (to keep in view)."""
    lookups = {
        c.name: found
        for index, c in enumerate(columns)
        if (found := _lookup(con, spec.mart, c, index)) is not None
    }
    keys = [c for c in columns if c.is_key]
    names = _name_columns(spec, columns)
    rest = [c for c in columns if c not in keys and c not in names]
    leading = [*_with_lookups(keys, lookups), *_with_lookups(names, lookups)]
    shown = [*leading, *_with_lookups(rest, lookups)]
    select = [sql for _, sql in shown]
    present = {c.name for c in columns}
    order = [_order_sql(o) for o in spec.order if o.column in present]
    # Then every column, so the same marts always give the same sheet.
    order += [f"m.{quote_ident(c.name)}" for c in columns]
    joins = " ".join(lookup.join for lookup in lookups.values())
    where = f"WHERE {spec.where} " if spec.where else ""
    qualify = f"QUALIFY {spec.qualify} " if spec.qualify else ""
    sql = (
        f"SELECT {', '.join(select)} FROM {quote_ident(MARTS)}.{quote_ident(spec.mart)} AS m "
        f"{joins} {where}{qualify}ORDER BY {', '.join(order)}"
    )
    return sql, [column for column, _ in shown], len(leading) or 1


def _name_columns(spec: SheetSpec, columns: list[Column]) -> list[Column]:
    """The columns that name a row (meta role "name"), then the sheet's `leading` ones, in
    the sheet's order; key columns lead anyway."""
    names = [c for c in columns if c.role == "name" and not c.is_key]
    by_name = {c.name: c for c in columns}
    for wanted in spec.leading:
        column = by_name.get(wanted)
        if column is not None and not column.is_key and column not in names:
            names.append(column)
    return names


def _with_lookups(columns: list[Column], lookups: dict[str, Lookup]) -> list[tuple[Column, str]]:
    """Each column with its SQL, followed by the name it refers to when there is a lookup."""
    shown: list[tuple[Column, str]] = []
    for column in columns:
        shown.append((column, f"m.{quote_ident(column.name)}"))
        if column.name in lookups:
            shown.append((lookups[column.name].column, lookups[column.name].select))
    return shown


def _order_sql(order: Order) -> str:
    column = f"m.{quote_ident(order.column)}"
    expression = order.expression.format(column=column) if order.expression else column
    return f"{expression} {'DESC' if order.descending else 'ASC'} NULLS LAST"


def _lookup(con: duckdb.DuckDBPyConnection, mart: str, column: Column, index: int) -> Lookup | None:
    """The name column of the mart `column` refers to (its relationship in the contract),
    joined on the referred column; None when there is nothing to look up."""
    parent, key = column.parent_table, column.parent_column
    if not parent or not key or parent == mart:
        return None
    name = name_column(con, parent)
    if name is None:
        return None
    alias = f"lookup_{index}"
    shown = replace(name, name=f"{parent}.{name.name}", is_key=False, role=None)
    join = (
        f"LEFT JOIN (SELECT {quote_ident(key)} AS k, any_value({quote_ident(name.name)}) AS v "
        f"FROM {quote_ident(MARTS)}.{quote_ident(parent)} GROUP BY 1) AS {alias} "
        f"ON {alias}.k = m.{quote_ident(column.name)}"
    )
    return Lookup(shown, f"{alias}.v", join)


def excel_value(value: Any) -> Any:
    """What Excel can hold: naive UTC datetimes, no NaN, no control characters, long ids as
    text (Excel keeps 15 significant digits), nested values as JSON text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if value is None or isinstance(value, bool | date | Decimal):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, time | timedelta):
        return str(value)
    return excel_text(json.dumps(value, default=str))


def excel_text(text: str) -> str:
    """Text a cell can hold: line breaks as line feeds (what an XML reader makes of CR LF and
    CR anyway), no control characters, at most MAX_TEXT characters (with a note saying how
    long it was when cut)."""
    clean = ILLEGAL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(clean) <= MAX_TEXT:
        return clean
    note = CUT_NOTE.format(length=len(text))
    return clean[: MAX_TEXT - len(note)] + note


def build_workbook(sheets: list[SheetData], run: ExportRun) -> Workbook:
    book = Workbook()
    about = book.active
    about.title = "About"
    charts = [
        chart
        for sheet in sheets
        for chart in _write_sheet(book.create_sheet(sheet.spec.title), sheet)
    ]
    _write_about(about, sheets, charts, run)
    return book


def _write_sheet(ws: Worksheet, sheet: SheetData) -> list[PlacedChart]:
    """The sheet's table and, right of it, its charts (returned as placed)."""
    if sheet.missing or not sheet.rows:
        _write_no_data(ws, sheet)
        return []
    _write_header(ws, sheet.columns)
    for row, values in enumerate(sheet.rows, start=2):
        for index, (value, column) in enumerate(zip(values, sheet.columns, strict=True), 1):
            cell = ws.cell(
                row=row, column=index, value=excel_value(shown_value(value, column.format))
            )
            _type_cell(cell, EXCEL_FORMATS.get(column.format))
    last = f"{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    ws.freeze_panes = ws.cell(row=2, column=sheet.in_view + 1)
    _fit_widths(ws, sheet)
    if sheet.truncated:
        log.warning("sheet %s cut at %d rows (Excel's limit)", sheet.spec.title, MAX_ROWS)
    return add_charts(ws, sheet.columns, sheet.rows)


def _type_cell(cell: Cell, fmt: str | None) -> None:
    """Text stays text (a caption "=1+1" is not a formula to run, "#N/A" is not an error value);
    numbers and dates get their column's format."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif fmt:
        cell.number_format = fmt


def _write_header(ws: Worksheet, columns: list[Column]) -> None:
    ws.append([c.label for c in columns])
    for cell, column in zip(ws[1], columns, strict=True):
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        note = Comment(f"{column.name}\n{column.meaning}".strip(), "IRM")
        note.width, note.height = 260, 110
        cell.comment = note
    ws.row_dimensions[1].height = 32


def _write_no_data(ws: Worksheet, sheet: SheetData) -> None:
    ws["A1"] = "No data"
    ws["A1"].font = SECTION_FONT
    if sheet.missing:
        reason = f"The mart {sheet.spec.mart} is not in this publication yet."
    elif sheet.spec.where or sheet.spec.qualify:
        reason = f"The mart {sheet.spec.mart} has no rows for this sheet in this publication."
    else:
        reason = f"The mart {sheet.spec.mart} has no rows in this publication."
    ws["A2"] = reason
    ws["A3"] = sheet.spec.holds
    ws.column_dimensions["A"].width = 90


def _fit_widths(ws: Worksheet, sheet: SheetData) -> None:
    """Wide enough for the label (wrapped on two lines) and most values, never huge."""
    sample = sheet.rows[:300]
    for index, column in enumerate(sheet.columns):
        shown = (shown_value(row[index], column.format) for row in sample)
        longest = max((_display_length(v, column.format) for v in shown), default=0)
        width = max(min(len(column.label), 16), longest) + 2
        ws.column_dimensions[get_column_letter(index + 1)].width = min(max(width, 8), 60)


def _display_length(value: Any, fmt: str) -> int:
    if value is None:
        return 0
    if fmt in DATE_FORMATS and fmt in EXCEL_FORMATS:
        return len(EXCEL_FORMATS[fmt])
    if fmt in EXCEL_FORMATS and isinstance(value, int | float | Decimal):
        decimals = re.search(r"\.(0*)", EXCEL_FORMATS[fmt])
        places = len(decimals.group(1)) if decimals else 0
        return len(f"{float(value):,.{places}f}") + 2  # a "$" or "%", and room
    return len(str(value))


def _write_about(
    ws: Worksheet, sheets: list[SheetData], charts: list[PlacedChart], run: ExportRun
) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 100
    ws.append(["Influencer relationship workbook", "", ""])
    ws["A1"].font = TITLE_FONT
    published = run.published_at or "unknown"
    through = run.data_through or "unknown"
    ws.append([f"Weekly export of {run.day}. Data up to {through}, published {published}."])
    stale = stale_data_note(run)
    if stale:  # said before anything else is read
        ws.append([stale])
        _wide_row(ws, ws.max_row).font = WARNING_FONT
    ws.append(
        [
            "Rates are shown as percents, money in US dollars, dates and times in UTC. EMV is an "
            "estimate. Quality flags are items for a person to review, not verdicts. Hover a "
            "column header for its meaning; every sheet can be filtered and sorted."
        ]
    )
    _wide_row(ws, ws.max_row)
    header_rows = ws.max_row
    _about_table(
        ws,
        "Sheets",
        ("Sheet", "Rows", "What it holds"),
        [(s.spec.title, _rows_note(s), s.spec.holds) for s in sheets],
    )
    _about_table(
        ws,
        "Charts",
        ("Chart", "Sheet", "Where"),
        [(c.title, c.sheet, f"right of the table, from cell {c.anchor}") for c in charts],
    )
    shown = {c.name: c for s in sheets for c in s.columns}
    _about_table(
        ws,
        "Columns",
        ("Column", "Technical name", "Meaning"),
        [(c.label, c.name, c.meaning) for c in shown.values()],
    )
    _about_table(
        ws,
        "Quality flags",
        ("Flag", "Technical name", "What it means"),
        [(t.label, name, t.meaning) for name, t in glossary.FLAGS.items()],
    )
    ws.freeze_panes = ws.cell(row=header_rows + 1, column=1)


def _wide_row(ws: Worksheet, row: int) -> Cell:
    """A sentence across the sheet's three columns, wrapped."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    cell = ws.cell(row=row, column=1)
    cell.alignment = WRAP
    ws.row_dimensions[row].height = 32
    return cell


def _rows_note(sheet: SheetData) -> str | int:
    if sheet.missing:
        return "no data (mart not published yet)"
    return f"{len(sheet.rows)} (cut at Excel's limit)" if sheet.truncated else len(sheet.rows)


def _about_table(
    ws: Worksheet, title: str, header: tuple[str, str, str], rows: list[tuple[Any, ...]]
) -> None:
    ws.append([])
    ws.append([title])
    ws.cell(row=ws.max_row, column=1).font = SECTION_FONT
    ws.append(list(header))
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
