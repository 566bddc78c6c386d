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
from exports.columns import plain_json
from exports.glossary import FLAGS
from exports.workbook import EXCEL_FORMATS, SHEETS

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
        described = {
            (t, c): (fmt, parent, key)
            for t, c, fmt, parent, key in con.execute(
                "SELECT table_name, column_name, format, parent_table, parent_column "
                "FROM meta.columns"
            ).fetchall()
        }
        for spec in SHEETS:
            columns, rows = sheet_table(book[spec.title])
            mart_columns, expected = mart_rows(con, spec.mart)
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


def test_every_number_format_is_the_one_its_column_metadata_names(book, full_marts: Path) -> None:
    with duckdb.connect(str(full_marts), read_only=True) as con:
        formats = {
            (mart, column): fmt
            for mart, column, fmt in con.execute(
                "SELECT table_name, column_name, format FROM meta.columns"
            ).fetchall()
        }
    checked = 0
    for spec in SHEETS:
        ws = book[spec.title]
        columns, _ = sheet_table(ws)
        for index, column in enumerate(columns, start=1):
            fmt = formats.get((spec.mart, column))
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if fmt in EXCEL_FORMATS and cell.value is not None:
                    assert cell.number_format == EXCEL_FORMATS[fmt], (spec.title, column)
                    checked += 1
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s", (spec.title, column)
    assert checked > 250


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
