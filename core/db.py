"""Opening the warehouse, the pipeline's one way, and quoting the names put into its SQL.

The loader, dbt's mirror, the freshness check, the publisher and the mart checks all open the
DuckDB warehouse through `open_warehouse` (the Postgres target through `connect_postgres`), and
every SQL identifier built from a name goes through `quote_ident`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.config import PostgresTarget, Settings, get_settings, postgres_target

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

# A plain SQL identifier: table and column names also become file and sheet names.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_ident(name: str) -> str:
    """Quote a SQL identifier after checking it is a plain name (table names become file names)."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Every pipeline task opens the warehouse this one way: read-write, inside the one-slot
    `irm_warehouse` pool. Read-write even for readers, because DuckDB refuses a read-only open
    in a process that already holds the file read-write (dbt runs in-process in the task
    runner, and `airflow dags test` runs all of a DAG's tasks in one process), and across
    processes a read-only reader would block the writers just the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # A SET, not a connect-time config: dbt-duckdb sets the same limit on its cursors, and
    # DuckDB refuses a second in-process connection to a file opened with another config.
    con.execute("SET memory_limit = ?", [get_settings().duckdb_memory_limit])
    return con


def list_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The tables of `schema` in the connection's own database, by name. Only its own: a
    connection may have other databases attached (publication attaches the BI copy)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


# Rows per INSERT of insert_rows: a statement's parameters stay in the low thousands.
INSERT_BATCH_ROWS = 500


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Sequence[Any]],
    replace: bool = False,
) -> None:
    """INSERT `rows` (each a full row, in the table's column order) into `table`, a few hundred
    rows per statement: DuckDB's executemany runs one statement per row (255 rows of
    meta.columns: 0.13 s against 0.04 s in one statement). `replace`: a row whose primary key
    is taken replaces the one there (INSERT OR REPLACE)."""
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    for start in range(0, len(rows), INSERT_BATCH_ROWS):
        batch = rows[start : start + INSERT_BATCH_ROWS]
        row = f"({', '.join('?' * len(batch[0]))})"
        values = ", ".join([row] * len(batch))
        con.execute(f"{verb} INTO {table} VALUES {values}", [v for r in batch for v in r])


def connect_warehouse(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    return open_warehouse((settings or get_settings()).warehouse_path)


def connect_postgres(
    target: PostgresTarget | None = None, database: str | None = None
) -> PgConnection:
    """A psycopg2 connection to the Postgres warehouse (or another database of its server)."""
    # Imported here: only the Postgres target (IRM_DBT_TARGET=postgres) needs the driver.
    import psycopg2

    return psycopg2.connect(**(target or postgres_target()).connect_kwargs(database))
