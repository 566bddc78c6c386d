"""The workbook a marketing lead opens: every number equals the BI copy's marts, formatted as
people read it (percents, dollars, dates), with frozen headers, filters and explanations."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.config import Settings
from exports import write_export
from exports.glossary import FLAGS
from exports.workbook import SHEETS

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


def mart_rows(con: duckdb.DuckDBPyConnection, mart: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"SELECT * FROM marts.{mart}")
    return [d[0] for d in cursor.description], cursor.fetchall()


def test_every_cell_equals_the_marts(book, full_marts: Path) -> None:
    with duckdb.connect(str(full_marts), read_only=True) as con:
        creators = "SELECT creator_id, display_name FROM marts.dim_creator"
        names = dict(con.execute(creators).fetchall())
        handles = dict(
            con.execute("SELECT account_id, handle FROM marts.dim_creator_account").fetchall()
        )
        for spec in SHEETS:
            columns, rows = sheet_table(book[spec.title])
            mart_columns, expected = mart_rows(con, spec.mart)
            assert [c for c in columns if c in mart_columns] == mart_columns, spec.title
            positions = [columns.index(c) for c in mart_columns]
            got = Counter(tuple(excel_comparable(row[i]) for i in positions) for row in rows)
            want = Counter(tuple(excel_comparable(v) for v in row) for row in expected)
            assert got == want, spec.title
            # The names looked up beside the ids are the dimension's.
            for row in rows:
                record = dict(zip(columns, row, strict=True))
                if "creator_name" in record:
                    assert record["creator_name"] == names.get(record["creator_id"])
                if "handle" in record and spec.mart != "dim_creator_account":
                    assert record["handle"] == handles.get(record["account_id"])


def test_rows_are_in_reading_order(book) -> None:
    columns, rows = sheet_table(book["Scorecard"])
    ranks = [r[columns.index("rank")] for r in rows]
    assert ranks == [1, 2, 3, None]  # best first, unranked last
    columns, rows = sheet_table(book["Quality flags"])
    order = [(r[columns.index("is_open")], r[columns.index("severity")]) for r in rows]
    assert order[0] == (True, "high") and order[-1] == (False, "high")
    assert [s for open_, s in order if open_] == ["high", "medium", "medium", "low", "low"]


def test_numbers_read_as_people_expect(book) -> None:
    def format_of(title: str, column: str) -> str:
        columns, _ = sheet_table(book[title])
        return book[title].cell(row=2, column=columns.index(column) + 1).number_format

    assert format_of("Engagement", "avg_engagement_rate") == "0.00%"
    assert format_of("Engagement", "month") == "yyyy-mm-dd"
    assert format_of("Engagement", "posts") == "#,##0"
    assert format_of("Campaign ROI", "roi") == "0.00%"
    assert format_of("Campaign ROI", "spend_committed_usd") == '"$"#,##0.00'
    assert format_of("Campaign ROI", "roas") == "0.00"
    assert format_of("Relationship health", "last_touchpoint_at") == "yyyy-mm-dd hh:mm"
    assert format_of("Relationship health", "on_time_payment_rate") == "0.00%"
    assert format_of("Growth", "growth_rate") == "0.00%"


def test_a_name_that_looks_like_a_formula_stays_text(book) -> None:
    columns, rows = sheet_table(book["Creators"])
    row = next(i for i, r in enumerate(rows, start=2) if r[0] == "cr4")
    cell = book["Creators"].cell(row=row, column=columns.index("display_name") + 1)
    assert cell.value == "=SUM(A1)" and cell.data_type == "s"


def test_sheets_are_navigable(book) -> None:
    assert book.sheetnames == ["About", *(spec.title for spec in SHEETS)]
    for spec in SHEETS:
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
    assert columns[:2] == ["creator_id", "creator_name"]
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
