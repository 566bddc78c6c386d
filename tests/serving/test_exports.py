"""CSV export: one file per mart of the published copy, equal to the mart, replaced per day."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from exports import write_csv_export
from irm.config import Settings
from irm.publish import publish_marts

Warehouse = Callable[..., Path]


@pytest.fixture
def published(settings: Settings, warehouse: Warehouse) -> Path:
    warehouse()
    return publish_marts().path


def assert_csv_equals_mart(con: duckdb.DuckDBPyConnection, csv: Path, mart: str) -> None:
    """Read the CSV with the mart's own column types and compare both ways, duplicates included."""
    types = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE marts.{mart}").fetchall()}
    read = "SELECT * FROM read_csv(?, header = true, columns = ?)"
    for query in (
        f"{read} EXCEPT ALL SELECT * FROM marts.{mart}",
        f"SELECT * FROM marts.{mart} EXCEPT ALL {read}",
    ):
        assert con.execute(query, [str(csv), types]).fetchall() == [], (mart, query)


def test_csv_export_equals_the_marts(settings: Settings, published: Path) -> None:
    folder = write_csv_export(date(2026, 3, 2))

    assert folder == settings.exports_dir / "2026-03-02"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["dim_creator_account.csv", "fct_post.csv", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["day"] == "2026-03-02"
    assert {f["mart"]: f["rows"] for f in manifest["files"]} == {
        "dim_creator_account": 3,
        "fct_post": 5,
    }
    with duckdb.connect(str(published), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        for mart in ("dim_creator_account", "fct_post"):
            assert_csv_equals_mart(con, folder / f"{mart}.csv", mart)


def test_rerun_replaces_the_day(settings: Settings, published: Path) -> None:
    folder = write_csv_export("2026-03-02")
    (folder / "stale.csv").write_text("left over\n", encoding="utf-8")
    first = (folder / "fct_post.csv").read_bytes()

    assert write_csv_export("2026-03-02", source=published) == folder
    assert not (folder / "stale.csv").exists()
    assert (folder / "fct_post.csv").read_bytes() == first  # sorted rows: byte-identical
    assert [p.name for p in settings.exports_dir.iterdir()] == ["2026-03-02"]


def test_bad_day_and_missing_source_are_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_csv_export("../2026-03-02")
    with pytest.raises(FileNotFoundError):
        write_csv_export("2026-03-02", source=tmp_path / "nothing.duckdb")
    assert not settings.exports_dir.exists() or list(settings.exports_dir.iterdir()) == []
