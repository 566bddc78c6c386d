"""The weekly export folder: every format from one publication, equal to the marts, replaced per
day, and working with whatever marts are published."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from core.config import Settings
from exports import run as export_run
from exports import write_export
from exports.folder import finish_export, start_export
from exports.run import write_format
from tests.mart_fixtures import contract_marts
from warehouse.publish import publish_marts

Warehouse = Callable[..., Path]
DAY = "2026-02-09"
WORKBOOK = f"influencer-workbook-{DAY}.xlsx"
REPORT = f"influencer-report-{DAY}.html"
REPORT_PDF = f"influencer-report-{DAY}.pdf"  # headless Chromium prints it (exports/pdf.py)


def assert_csv_equals_mart(con: duckdb.DuckDBPyConnection, csv: Path, mart: str) -> None:
    """Read the CSV with the mart's own column types and compare both ways, duplicates included.

    A text cell that would start a spreadsheet formula (= + - @ tab CR) is written with a
    leading ' (OWASP's CSV-injection advice), so the mart is compared with that done."""
    types = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE marts.{mart}").fetchall()}
    read = "SELECT * FROM read_csv(?, header = true, columns = ?)"
    cells = ", ".join(
        f"""CASE WHEN regexp_matches("{name}", '^[=+\\-@\\t\\r]') THEN '''' || "{name}" """
        f'ELSE "{name}" END'
        if kind == "VARCHAR"
        else f'"{name}"'
        for name, kind in types.items()
    )
    as_csv = f"SELECT {cells} FROM marts.{mart}"
    for query in (f"{read} EXCEPT ALL {as_csv}", f"{as_csv} EXCEPT ALL {read}"):
        assert con.execute(query, [str(csv), types]).fetchall() == [], (mart, query)


def csv_rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


def test_export_writes_every_format_equal_to_the_marts(
    settings: Settings, full_marts: Path
) -> None:
    folder = write_export(date(2026, 2, 9))

    assert folder == settings.exports_dir / DAY
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [*(f"{m}.csv" for m in contract_marts()), WORKBOOK, REPORT, REPORT_PDF, "manifest.json"]
    )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(full_marts), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        publication = con.execute("SELECT DISTINCT publication_id FROM meta.publication").fetchall()
        assert manifest["publication_id"] == publication[0][0]
        for mart in contract_marts():
            assert_csv_equals_mart(con, folder / f"{mart}.csv", mart)
    assert manifest["day"] == DAY
    assert sorted(f["file"] for f in manifest["files"]) == sorted(set(names) - {"manifest.json"})
    rows = {f["mart"]: f["rows"] for f in manifest["files"] if f["mart"]}
    assert rows["fct_account_daily"] == 144
    # Nothing of the run is left behind: no staging folder, no pinned copy.
    assert [p.name for p in settings.exports_dir.iterdir()] == [DAY]


def test_a_publication_between_the_steps_does_not_mix_data(
    settings: Settings, full_marts: Path
) -> None:
    """The DAG writes each format in its own task; a publication in between must not give the
    CSVs one generation and the workbook another."""
    run = start_export(DAY)
    write_format(run, "csv")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DELETE FROM marts.mart_quality_flags WHERE severity = 'low'")
        con.execute("DELETE FROM marts.dim_creator_account WHERE platform = 'tiktok'")
    republished = publish_marts()
    assert republished.row_counts["mart_quality_flags"] == 4
    write_format(run, "xlsx")
    write_format(run, "html")
    folder = finish_export(run)

    assert csv_rows(folder / "mart_quality_flags.csv") == 6
    book = load_workbook(folder / WORKBOOK, read_only=True)
    assert book["Quality flags"].max_row == 1 + 6
    assert book["Accounts"].max_row == 1 + 4
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["publication_id"] != republished.publication_id


def test_rerun_replaces_the_day(settings: Settings, full_marts: Path) -> None:
    folder = write_export(DAY, formats=("csv",))
    (folder / "stale.csv").write_text("left over\n", encoding="utf-8")
    first = (folder / "fct_post.csv").read_bytes()

    assert write_export(DAY, source=full_marts) == folder
    assert not (folder / "stale.csv").exists()
    assert (folder / "fct_post.csv").read_bytes() == first  # sorted rows: byte-identical
    assert (folder / WORKBOOK).exists()
    assert [p.name for p in settings.exports_dir.iterdir()] == [DAY]


def test_bad_day_and_missing_source_are_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_export("../2026-03-02")
    with pytest.raises(FileNotFoundError):
        write_export("2026-03-02", source=tmp_path / "nothing.duckdb")
    assert not settings.exports_dir.exists() or list(settings.exports_dir.iterdir()) == []


def test_a_failing_format_leaves_the_previous_export(
    settings: Settings, full_marts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_export(DAY)
    before = sorted(p.name for p in folder.iterdir())

    def broken(con, run):
        raise RuntimeError("disk full")

    monkeypatch.setitem(export_run.WRITERS, "html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_export(DAY)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert [p.name for p in settings.exports_dir.iterdir()] == [DAY]


def test_only_some_marts_published_gives_no_data_not_a_failure(
    settings: Settings, warehouse: Warehouse
) -> None:
    """Today's BI copy may hold only fct_post and dim_creator_account: the export still
    works, and every sheet or section without its mart says so."""
    warehouse()
    publish_marts()
    folder = write_export(DAY)

    book = load_workbook(folder / WORKBOOK)
    assert book["Accounts"].max_row == 1 + 3
    titles = ("Scorecard", "Engagement", "Growth", "Campaign ROI", "Quality flags")
    for title in (*titles, "Audience sentiment", "Comments of the week"):
        assert book[title]["A1"].value == "No data", title
        assert "not in this publication" in book[title]["A2"].value
    html = (folder / REPORT).read_text(encoding="utf-8")
    for section in ("scorecard", "engagement", "campaigns", "flags", "health", "sentiment"):
        chunk = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
        assert 'class="no-data"' in chunk and "<svg" not in chunk, section
    # The follower chart falls back to nothing without daily or monthly followers, but the
    # tiles still show what the accounts tell.
    assert "Followers (all accounts)" in html


def test_an_empty_mart_says_no_rows(settings: Settings, full_marts: Path) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DELETE FROM marts.mart_campaign_roi")
        con.execute("UPDATE marts.mart_quality_flags SET is_open = false")
    publish_marts()
    folder = write_export(DAY)

    book = load_workbook(folder / WORKBOOK)
    assert book["Campaign ROI"]["A1"].value == "No data"
    assert "has no rows" in book["Campaign ROI"]["A2"].value
    html = (folder / REPORT).read_text(encoding="utf-8")
    flags = html.split('id="flags"', 1)[1].split("</section>", 1)[0]
    assert "No open flags" in flags
