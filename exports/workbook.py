"""The XLSX workbook: an "About" sheet, then one formatted sheet per mart of interest.

Each sheet holds its mart's rows and columns as published (plus the creator's name, or the
account's handle, looked up beside the ids so a person can read it), sorted the way a marketing
lead reads it. Headers carry a plain-language label; the column's technical name and meaning
are in the header's note. Rates are fractions in the marts and shown as percents; money in
USD; dates and times in UTC (Excel has no time zones). Missing marts give a sheet that says so.

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
from dataclasses import dataclass
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
from exports.folder import (
    MARTS,
    ExportRun,
    FileEntry,
    mart_columns,
    sha256,
    stale_data_note,
)

log = logging.getLogger(__name__)

WORKBOOK_NAME = "influencer-workbook-{day}.xlsx"
MAX_ROWS = 1_048_575  # Excel's limit, less the header
MAX_TEXT = 32_767  # Excel's limit of characters in a cell
CUT_NOTE = "… [cut at Excel's limit: {length:,} characters in all]"
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")

PERCENT = "0.00%"
MONEY = '"$"#,##0.00'
INTEGER = "#,##0"
DECIMAL = "#,##0.00"
RATIO = "0.00"
SCORE = "0.0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

PERCENT_COLUMNS = {"roi", "percentile_in_tier"}
RATIO_COLUMNS = {"engagement_index", "roas"}
SCORE_COLUMNS = {"health_score", "score"}
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")
DECIMAL_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")
# Columns kept in view while scrolling right, when they lead a sheet.
KEY_COLUMNS = ("creator_id", "creator_name", "account_id", "handle", "campaign_id")

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
    ),
    SheetSpec(
        "Relationship health",
        "mart_relationship_health",
        "One row per creator: how the relationship is going, weakest first.",
        (Order("health_score"),),
    ),
)


@dataclass(frozen=True)
class SheetData:
    spec: SheetSpec
    columns: list[str]  # as written, lookups included
    types: dict[str, str]
    rows: list[tuple[Any, ...]]
    missing: bool  # the mart is not in the publication
    truncated: bool = False


def write_workbook(con: duckdb.DuckDBPyConnection, run: ExportRun) -> list[FileEntry]:
    """Write the workbook into the run's staging folder."""
    path = run.staging / WORKBOOK_NAME.format(day=run.day)
    sheets = [read_sheet(con, spec) for spec in SHEETS]
    build_workbook(sheets, run).save(path)
    log.info("workbook %s: %s", path.name, {s.spec.title: len(s.rows) for s in sheets})
    return [FileEntry(file=path.name, mart=None, rows=None, sha256=sha256(path))]


def read_sheet(con: duckdb.DuckDBPyConnection, spec: SheetSpec) -> SheetData:
    types = mart_columns(con, spec.mart)
    if not types:
        return SheetData(spec, [], {}, [], missing=True)
    sql, columns, column_types = sheet_query(con, spec, types)
    rows = con.execute(sql).fetchmany(MAX_ROWS + 1)
    truncated = len(rows) > MAX_ROWS
    return SheetData(spec, columns, column_types, rows[:MAX_ROWS], False, truncated)


def sheet_query(
    con: duckdb.DuckDBPyConnection, spec: SheetSpec, types: dict[str, str]
) -> tuple[str, list[str], dict[str, str]]:
    """SELECT the mart's columns with name lookups beside the ids, in reading order."""
    select: list[str] = []
    columns: list[str] = []
    column_types = dict(types)
    joins: list[str] = []
    lookups = _lookups(con, spec.mart, types)
    for name in types:
        select.append(f"m.{quote_ident(name)}")
        columns.append(name)
        if name in lookups:
            alias, expression, join = lookups[name]
            select.append(f"{expression} AS {quote_ident(alias)}")
            columns.append(alias)
            column_types[alias] = "VARCHAR"
            joins.append(join)
    order = [_order_sql(o) for o in spec.order if o.column in types]
    # Then every column, so the same marts always give the same sheet.
    order += [f"m.{quote_ident(name)}" for name in types]
    sql = (
        f"SELECT {', '.join(select)} FROM {quote_ident(MARTS)}.{quote_ident(spec.mart)} AS m "
        f"{' '.join(joins)} ORDER BY {', '.join(order)}"
    )
    return sql, columns, column_types


def _order_sql(order: Order) -> str:
    column = f"m.{quote_ident(order.column)}"
    expression = order.expression.format(column=column) if order.expression else column
    return f"{expression} {'DESC' if order.descending else 'ASC'} NULLS LAST"


def _lookups(
    con: duckdb.DuckDBPyConnection, mart: str, types: dict[str, str]
) -> dict[str, tuple[str, str, str]]:
    """id column → (new column, its SQL, the join): creator names and account handles."""
    found: dict[str, tuple[str, str, str]] = {}
    creators = mart_columns(con, "dim_creator")
    if "creator_id" in types and mart != "dim_creator" and "display_name" in creators:
        found["creator_id"] = (
            "creator_name",
            "c.display_name",
            "LEFT JOIN (SELECT creator_id, any_value(display_name) AS display_name "
            f"FROM {MARTS}.dim_creator GROUP BY creator_id) AS c ON c.creator_id = m.creator_id",
        )
    accounts = mart_columns(con, "dim_creator_account")
    if (
        "account_id" in types
        and "handle" not in types
        and mart != "dim_creator_account"
        and "handle" in accounts
    ):
        found["account_id"] = (
            "handle",
            "a.handle",
            "LEFT JOIN (SELECT account_id, any_value(handle) AS handle "
            f"FROM {MARTS}.dim_creator_account GROUP BY account_id) AS a "
            "ON a.account_id = m.account_id",
        )
    return found


def number_format(column: str, duckdb_type: str) -> str | None:
    """How a column's numbers read: rates as percents, money in dollars, counts with commas."""
    kind = duckdb_type.upper()
    if column in PERCENT_COLUMNS or column.endswith("_rate") or "_rate_" in column:
        return PERCENT
    if column.endswith("_usd"):
        return MONEY
    if column in RATIO_COLUMNS:
        return RATIO
    if column in SCORE_COLUMNS:
        return SCORE
    if kind.startswith("TIMESTAMP"):
        return DATETIME
    if kind == "DATE":
        return DATE
    if kind.startswith(INTEGER_TYPES):
        return INTEGER
    if kind.startswith(DECIMAL_TYPES):
        return DECIMAL
    return None


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
    _write_about(about, sheets, run)
    for sheet in sheets:
        _write_sheet(book.create_sheet(sheet.spec.title), sheet)
    return book


def _write_sheet(ws: Worksheet, sheet: SheetData) -> None:
    if sheet.missing or not sheet.rows:
        _write_no_data(ws, sheet)
        return
    formats = [number_format(c, sheet.types[c]) for c in sheet.columns]
    _write_header(ws, sheet.columns)
    for row, values in enumerate(sheet.rows, start=2):
        for column, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            _type_cell(ws.cell(row=row, column=column, value=excel_value(value)), fmt)
    last = f"{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    keys = sum(1 for _ in _leading(sheet.columns, KEY_COLUMNS)) or 1
    ws.freeze_panes = ws.cell(row=2, column=keys + 1)
    _fit_widths(ws, sheet, formats)
    if sheet.truncated:
        log.warning("sheet %s cut at %d rows (Excel's limit)", sheet.spec.title, MAX_ROWS)


def _type_cell(cell: Cell, fmt: str | None) -> None:
    """Text stays text (a caption "=1+1" is not a formula to run, "#N/A" is not an error value);
    numbers and dates get their column's format."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif fmt:
        cell.number_format = fmt


def _write_header(ws: Worksheet, columns: list[str]) -> None:
    ws.append([glossary.metric(c).label for c in columns])
    for cell, column in zip(ws[1], columns, strict=True):
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        meaning = glossary.metric(column).meaning
        note = Comment(f"{column}\n{meaning}".strip(), "IRM")
        note.width, note.height = 260, 110
        cell.comment = note
    ws.row_dimensions[1].height = 32


def _write_no_data(ws: Worksheet, sheet: SheetData) -> None:
    ws["A1"] = "No data"
    ws["A1"].font = SECTION_FONT
    reason = (
        f"The mart {sheet.spec.mart} is not in this publication yet."
        if sheet.missing
        else f"The mart {sheet.spec.mart} has no rows in this publication."
    )
    ws["A2"] = reason
    ws["A3"] = sheet.spec.holds
    ws.column_dimensions["A"].width = 90


def _leading(columns: list[str], keys: tuple[str, ...]):
    for column in columns:
        if column not in keys:
            return
        yield column


def _fit_widths(ws: Worksheet, sheet: SheetData, formats: list[str | None]) -> None:
    """Wide enough for the label (wrapped on two lines) and most values, never huge."""
    sample = sheet.rows[:300]
    for index, column in enumerate(sheet.columns):
        label = glossary.metric(column).label
        longest = max((_display_length(row[index], formats[index]) for row in sample), default=0)
        width = max(min(len(label), 16), longest) + 2
        ws.column_dimensions[get_column_letter(index + 1)].width = min(max(width, 8), 60)


def _display_length(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if fmt in (DATETIME, DATE):
        return len(fmt)
    if fmt in (PERCENT, MONEY, INTEGER, DECIMAL, RATIO, SCORE) and isinstance(
        value, int | float | Decimal
    ):
        return len(f"{float(value):,.2f}") + 1
    return len(str(value))


def _write_about(ws: Worksheet, sheets: list[SheetData], run: ExportRun) -> None:
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
    shown = list(dict.fromkeys(c for s in sheets for c in s.columns))
    _about_table(
        ws,
        "Columns",
        ("Column", "Technical name", "Meaning"),
        [(glossary.metric(c).label, c, glossary.metric(c).meaning) for c in shown],
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
