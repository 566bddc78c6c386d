"""Hostile text reaches the people who read the outputs (issue 17, item 10).

One small pipeline run (tests/serving/hostile.py) carries a hostile corpus from the CRM files
and the platform APIs' text fields into every output, then each output is checked for what its
reader relies on:

- BI copy: data, not a rendering: the text exactly as received.
- CSV: a text cell that starts with = + - @ tab or carriage return gets a leading ' (OWASP's
  CSV-injection advice), so a spreadsheet shows it instead of running it; numbers stay numbers.
- XLSX: every text cell is a text cell (never a formula or an error value), without the control
  characters Excel refuses, cut at Excel's 32,767 characters with a note saying so.
- HTML report: names are escaped, carry no bidirectional controls or control characters, and a
  40,000-character name is shortened.
- Data Docs: a failing value is shown escaped and shortened, and no page loads anything from
  the network (they rendered unstyled offline, and a failing value ran as HTML).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from markupsafe import escape
from openpyxl import load_workbook

from exports.report import MAX_COMMENT_CHARACTERS, shown_text
from tests.serving.hostile import (
    BIDI,
    CORPUS,
    CRM_TEXT,
    DOCS_HANDLE,
    ERROR_CODE,
    FORMULA_EQUALS,
    IMG,
    LONG,
    SCRIPT,
    HostileRun,
    hostile_pipeline,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a reader must never get raw: bidirectional embeddings, overrides and isolates
# (they reorder what is shown: "invoice\u202egnp.exe" reads "invoiceexe.png"), C0 controls
# other than tab, line feed and carriage return, and DEL.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCEL_CELL_LIMIT = 32_767
# A page element that fetches what it points at; anchors are links a person may follow.
FETCHING_TAG = re.compile(r"<(?:script|link|img|iframe|embed|object|source|audio|video)\b[^>]*>")
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    with hostile_pipeline(tmp_path_factory) as hostile:
        yield hostile


def published(run: HostileRun, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(run.settings.published_path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def crm_values(entity: str, column: str, rows: int) -> list[str]:
    """What the CRM file gave each of the first `rows` rows (in file order) in `column`."""
    values = CRM_TEXT[entity][column]
    return [values[n % len(values)] for n in range(rows)]


# --- BI copy: the text as received ----------------------------------------------------------


def test_bi_copy_holds_the_text_exactly_as_received(run: HostileRun) -> None:
    creators = published(
        run, "SELECT display_name, manager, niche FROM marts.dim_creator ORDER BY creator_id"
    )
    for index, column in enumerate(("display_name", "manager", "niche")):
        assert [row[index] for row in creators] == crm_values("creators", column, len(creators))
    campaigns = published(
        run, "SELECT campaign_name, brand FROM marts.mart_campaign_roi ORDER BY campaign_id"
    )
    assert [row[0] for row in campaigns] == crm_values("campaigns", "name", len(campaigns))
    assert [row[1] for row in campaigns] == crm_values("campaigns", "brand", len(campaigns))
    posts = published(run, "SELECT platform, title, caption FROM marts.fct_post")
    assert all(caption in CORPUS for _, _, caption in posts)
    assert all(title in CORPUS for platform, title, _ in posts if platform == "youtube")
    # Every entry of the corpus arrived whole (an altered one would not be in the corpus).
    assert {caption for _, _, caption in posts} == set(CORPUS)
    with duckdb.connect(str(run.settings.warehouse_path), read_only=True) as con:
        deliverables = con.execute(
            "SELECT deliverables FROM intermediate.int_contracts ORDER BY contract_id"
        ).fetchall()
    assert [d for (d,) in deliverables] == crm_values("contracts", "deliverables", 9)


# --- CSV: formulas neutralised, numbers numeric ---------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def as_csv_text(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def test_csv_text_cells_cannot_start_a_formula_and_numbers_stay_numbers(run: HostileRun) -> None:
    for path in sorted(run.export.glob("*.csv")):
        mart = path.stem
        types = dict(
            published(
                run,
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_schema = 'marts' AND table_name = '{mart}'",
            )
        )
        rows = read_csv(path)
        for column, kind in types.items():
            cells = [row[column] for row in rows]
            if kind == "VARCHAR":
                values = [v for (v,) in published(run, f'SELECT "{column}" FROM marts.{mart}')]
                assert Counter(cells) == Counter(as_csv_text(v) for v in values), (mart, column)
            assert not any(c.startswith(FORMULA_STARTS) for c in cells if kind == "VARCHAR")
    roi = [row["roi"] for row in read_csv(run.export / "mart_campaign_roi.csv")]
    published_roi = [r for (r,) in published(run, "SELECT roi FROM marts.mart_campaign_roi")]
    assert any(r < 0 for r in published_roi), "the test needs a negative number"
    assert sorted(float(r) for r in roi) == sorted(published_roi)  # "-0.81", not "'-0.81"


# --- XLSX: text cells are text ---------------------------------------------------------------


def column_cells(sheet: Any, name: str) -> list[Any]:
    """The cells of the column whose header note names `name` (the technical column name)."""
    for header in sheet[1]:
        if header.comment and header.comment.text.split("\n", 1)[0] == name:
            return [row[0] for row in sheet.iter_rows(min_row=2, min_col=header.column,
                                                       max_col=header.column)]  # fmt: skip
    raise AssertionError(f"no column {name} in sheet {sheet.title}")


def assert_excel_text(cell: Any, received: str) -> None:
    assert cell.data_type == "s", (cell.coordinate, received[:40])
    # A cell's line breaks are line feeds (an XML reader turns CR LF and CR into LF anyway).
    clean = CONTROL_CHARACTERS.sub("", received.replace("\r\n", "\n").replace("\r", "\n"))
    if len(clean) <= EXCEL_CELL_LIMIT:
        assert cell.value == clean
    else:
        assert len(cell.value) <= EXCEL_CELL_LIMIT and cell.value.startswith(clean[:30_000])
        assert f"{len(received):,} characters" in cell.value[30_000:]


def test_workbook_text_cells_stay_text(run: HostileRun) -> None:
    book = load_workbook(run.export / f"influencer-workbook-{run.day}.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert not [c.coordinate for c in row if c.data_type in ("f", "e")], sheet.title
    creators = book["Creators"]
    by_id = {cell.value: n for n, cell in enumerate(column_cells(creators, "creator_id"))}
    ids = sorted(by_id)
    for column in ("display_name", "manager", "niche"):
        cells = column_cells(creators, column)
        for creator, received in zip(ids, crm_values("creators", column, len(ids)), strict=True):
            assert_excel_text(cells[by_id[creator]], received)
    assert ERROR_CODE in crm_values("creators", "manager", len(ids))
    roi = book["Campaign ROI"]
    by_campaign = {cell.value: n for n, cell in enumerate(column_cells(roi, "campaign_id"))}
    campaigns = sorted(by_campaign)
    for column, received in (
        ("campaign_name", crm_values("campaigns", "name", len(campaigns))),
        ("brand", crm_values("campaigns", "brand", len(campaigns))),
    ):
        cells = column_cells(roi, column)
        for campaign, value in zip(campaigns, received, strict=True):
            assert_excel_text(cells[by_campaign[campaign]], value)
    returns = [c for c in column_cells(roi, "roi") if c.value is not None]
    assert returns and all(c.data_type == "n" and c.number_format == "0.00%" for c in returns)
    assert any(c.value < 0 for c in returns)


# --- the HTML report: escaped, no bidi or control characters, long names shortened ----------


def test_report_shows_hostile_names_as_plain_short_text(run: HostileRun) -> None:
    html = (run.export / f"influencer-report-{run.day}.html").read_text(encoding="utf-8")
    assert not BIDI_CONTROLS.search(html) and not CONTROL_CHARACTERS.search(html)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert escape(SCRIPT) in html and escape(FORMULA_EQUALS) in html
    assert escape(IMG + " launch") in html
    assert escape(CRM_TEXT["campaigns"]["name"][1]) in html  # emoji and quotes kept
    shown = CONTROL_CHARACTERS.sub("", BIDI_CONTROLS.sub("", BIDI + " \x00"))
    assert escape(shown) in html
    # The 40,000-character name is shortened wherever it is shown.
    assert LONG[:40] in html and "x" * 300 not in html


def week_comments(run: HostileRun, label: str) -> list[tuple[str, str]]:
    """(comment_id, text) of the week's most liked comments of one sentiment, as the report
    picks them (the week up to the export's day, the data's newest)."""
    return published(
        run,
        "SELECT comment_id, text FROM marts.fct_comment WHERE sentiment_label = ? "
        "AND published_date BETWEEN ?::DATE - 6 AND ?::DATE "
        "ORDER BY like_count DESC, published_at DESC, comment_id LIMIT 5",
        [label, run.day, run.day],
    )


def test_report_shows_hostile_comments_as_plain_short_text(run: HostileRun) -> None:
    # Issue 20: "What audiences say" quotes the week's most liked comments; every one starts
    # with an entry of the corpus (tests/serving/hostile.py).
    html = (run.export / f"influencer-report-{run.day}.html").read_text(encoding="utf-8")
    section = html.split('id="sentiment"', 1)[1].split("</section>", 1)[0]
    quoted = week_comments(run, "positive") + week_comments(run, "negative")
    assert len(quoted) >= 6, quoted  # the hostile world has liked comments of both kinds
    for _, text in quoted:
        shown = str(escape(shown_text(text, MAX_COMMENT_CHARACTERS)))
        # read_text reads every line break as a line feed
        assert shown.replace("\r\n", "\n").replace("\r", "\n") in section
    markup = [text for _, text in quoted if any(c in text for c in "<>&")]
    assert markup and "<script" not in section and "<img" not in section
    assert not BIDI_CONTROLS.search(section) and not CONTROL_CHARACTERS.search(section)


def test_workbook_comments_stay_text(run: HostileRun) -> None:
    book = load_workbook(run.export / f"influencer-workbook-{run.day}.xlsx")
    sheet = book["Comments of the week"]
    ids = [cell.value for cell in column_cells(sheet, "comment_id")]
    texts = dict(published(run, "SELECT comment_id, text FROM marts.fct_comment"))
    assert len(ids) >= 6
    for comment_id, cell in zip(ids, column_cells(sheet, "text"), strict=True):
        assert_excel_text(cell, texts[comment_id])


# --- Data Docs: failing values escaped and shortened, nothing fetched -----------------------


def page_problems(html: str) -> list[str]:
    """What is wrong with a Data Docs page for its reader (empty when nothing is)."""
    checks = {
        "a failing value runs as HTML": "<img src=x" in html or "<script>alert" in html,
        "bidi control or NUL": bool(BIDI_CONTROLS.search(html)) or "\x00" in html,
        "a 40,000-character value shown whole": "y" * 300 in html,
        "fetches from the network": any(REMOTE.search(t) for t in FETCHING_TAG.findall(html))
        or bool(re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html))
        or "@import" in html,
    }
    return [problem for problem, found in checks.items() if found]


def test_data_docs_show_failing_values_escaped_and_load_nothing(run: HostileRun) -> None:
    docs = run.settings.data_docs_dir
    pages = sorted(docs.rglob("*.html"))
    campaigns = [
        p for p in pages if "validations" in p.parts and p.name.endswith("crm_campaigns.html")
    ]
    assert len(campaigns) == 1, [p.relative_to(docs) for p in pages]
    problems = {
        str(page.relative_to(docs)): page_problems(page.read_text(encoding="utf-8"))
        for page in pages
    }
    assert {page: found for page, found in problems.items() if found} == {}
    failing = campaigns[0].read_text(encoding="utf-8")
    assert str(escape(IMG)) in failing
    assert DOCS_HANDLE.startswith("<script>alert(") and "&lt;script&gt;alert(" in failing
    # The stage's index lists its runs as links a browser shows without running a script.
    index = (docs / "landing" / "index.html").read_text(encoding="utf-8")
    static = re.sub(r"<script\b.*?</script>", "", index, flags=re.DOTALL)
    assert re.search(r'href="validations/landing/crm_campaigns/[^"]+\.html"', static)
