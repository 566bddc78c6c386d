"""Publication of the BI copy: complete, read-only readable, replaceable under a reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from irm.config import Settings
from irm.publish import publish_marts

Warehouse = Callable[..., Path]


def counts(path: Path, query: str) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(query).fetchall()
        return {
            t: con.execute(f'SELECT count(*) FROM marts."{t}"').fetchall()[0][0] for (t,) in tables
        }


MART_NAMES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"


def test_publish_copies_every_mart(settings: Settings, warehouse: Warehouse) -> None:
    warehouse("CREATE SCHEMA staging", "CREATE TABLE staging.not_published AS SELECT 1 AS x")
    result = publish_marts()

    assert result.path == settings.published_path
    assert result.row_counts == {"dim_creator_account": 3, "fct_post": 5}
    assert result.tables == ["dim_creator_account", "fct_post"]
    assert counts(settings.published_path, MART_NAMES) == result.row_counts
    assert counts(settings.warehouse_path, MART_NAMES) == result.row_counts
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
        assert "staging" not in schemas
        types = con.execute("DESCRIBE marts.fct_post").fetchall()
        assert result.parquet_dir == settings.published_parquet_dir / result.publication_id
        current = settings.published_parquet_dir / "current"
        assert current.resolve() == result.parquet_dir
        for table in result.tables:
            parquet = current / f"{table}.parquet"
            rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchall()
            assert rows[0][0] == result.row_counts[table]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("DESCRIBE marts.fct_post").fetchall() == types
    # Nothing temporary stays behind.
    published = sorted(p.name for p in settings.published_path.parent.iterdir())
    assert published == ["irm.duckdb", "parquet"]


def test_publish_again_under_an_open_reader(settings: Settings, warehouse: Warehouse) -> None:
    warehouse()
    publish_marts()
    reader = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("DELETE FROM marts.fct_post WHERE platform = 'tiktok'")
        result = publish_marts()  # must not fail while the old file is open
        assert result.row_counts["fct_post"] == 3
        # The open reader keeps its generation: no error, no half-built table.
        assert reader.execute("SELECT count(*) FROM marts.fct_post").fetchall() == [(5,)]
    finally:
        reader.close()
    assert counts(settings.published_path, MART_NAMES)["fct_post"] == 3
    parquet = settings.published_parquet_dir / "current" / "fct_post.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchall() == [(3,)]
    # The first publication's Parquet folder stays, unchanged, for queries still reading it.
    first = sorted(p for p in settings.published_parquet_dir.iterdir() if p.name != "current")[0]
    assert duckdb.sql(f"SELECT count(*) FROM '{first}/fct_post.parquet'").fetchall() == [(5,)]


def test_publish_refuses_an_empty_schema(settings: Settings, warehouse: Warehouse) -> None:
    warehouse("DROP TABLE marts.fct_post", "DROP TABLE marts.dim_creator_account")
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_marts()
    assert not settings.published_path.exists()
    assert list(settings.published_path.parent.iterdir()) == []


def test_publish_refuses_an_unsafe_schema_name(warehouse: Warehouse) -> None:
    warehouse()
    with pytest.raises(ValueError, match="identifier"):
        publish_marts(schema='marts"; DROP SCHEMA marts; --')
