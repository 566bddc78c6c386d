"""Reading the warehouse the tests loaded: DuckDB's raw tables, and a Postgres warehouse of the
test's own for the tests that load into the production target."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pytest

from core.config import Settings, get_settings


def raw_values(settings: Settings, table: str, json_path: str | None = None) -> list[tuple]:
    """(dt, record_key[, the payload's value at `json_path`]) of a DuckDB raw table, sorted."""
    value = f", payload->>'{json_path}'" if json_path else ""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(f"SELECT dt, record_key{value} FROM raw.{table} ORDER BY ALL").fetchall()


@contextmanager
def postgres_warehouse(monkeypatch: pytest.MonkeyPatch, prefix: str) -> Iterator[Settings]:
    """The settings of a fresh Postgres warehouse database, dropped afterwards; the test is
    skipped where no Postgres answers."""
    from tests.production.topology import (
        PG_HOST,
        PG_PORT,
        create_database,
        drop_database,
        unreachable,
    )

    reason = unreachable(PG_HOST, PG_PORT)
    if reason:
        pytest.skip(f"the Postgres warehouse target needs Postgres: {reason}")
    database = create_database(prefix)
    try:
        monkeypatch.setenv("IRM_DBT_TARGET", "postgres")
        monkeypatch.setenv("IRM_PG_DATABASE", database)
        yield get_settings()
    finally:
        drop_database(database)


def postgres_raw(table: str) -> tuple[list[tuple[date, str]], list[tuple[date]]]:
    """(dt, record_key) of a Postgres raw table and the days its ledger lists as loaded."""
    from core.db import connect_postgres

    con = connect_postgres()
    try:
        with con, con.cursor() as cur:
            cur.execute(f"SELECT dt, record_key FROM raw.{table}")
            rows = cur.fetchall()
            cur.execute("SELECT dt FROM raw._loaded_partitions")
            return rows, cur.fetchall()
    finally:
        con.close()
