"""Load landing partitions into the warehouse's raw schema (architecture.md, "Raw schema").

Loading a partition again replaces it: its rows are deleted and inserted anew in one
transaction, and a ledger (`raw._loaded_partitions`) remembers each partition's checksum so a
re-run skips what is already loaded and reloads what changed. Only this module and dbt write
the warehouse, and both run in the one-slot `irm_warehouse` pool (DuckDB has one writer).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from extractors.landing import Partition, list_partitions
from irm.config import Settings, get_settings

log = logging.getLogger(__name__)

# (source, entity) pairs the warehouse loads; the raw table is `raw.<source>_<entity>`.
RAW_ENTITIES: tuple[tuple[str, str], ...] = (
    ("youtube", "channels"),
    ("youtube", "videos"),
    ("youtube", "quarantine"),
    ("instagram", "accounts"),
    ("instagram", "media"),
    ("instagram", "quarantine"),
    ("tiktok", "users"),
    ("tiktok", "videos"),
    ("tiktok", "quarantine"),
    ("shop", "orders"),
    ("shop", "quarantine"),
    ("crm", "creators"),
    ("crm", "campaigns"),
    ("crm", "contracts"),
    ("crm", "payments"),
    ("crm", "touchpoints"),
    ("crm", "quarantine"),
)

_RAW_COLUMNS = (
    "dt DATE, extracted_at TIMESTAMPTZ, record_key VARCHAR, parent_key VARCHAR, payload JSON"
)
_LEDGER = "raw._loaded_partitions"


def raw_table(source: str, entity: str) -> str:
    if (source, entity) not in RAW_ENTITIES:
        raise ValueError(f"unknown landing entity {source}/{entity}")
    return f"raw.{source}_{entity}"


@dataclass
class LoadResult:
    loaded: list[str] = field(default_factory=list)
    skipped: int = 0
    rows: int = 0


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Every pipeline task opens the warehouse this one way: read-write, inside the one-slot
    `irm_warehouse` pool. Read-write even for readers, because DuckDB refuses a read-only open
    in a process that already holds the file read-write (dbt runs in-process in the task
    runner, and `airflow dags test` runs all of a DAG's tasks in one process), and across
    processes a read-only reader would block the writers just the same."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path))


def connect_warehouse(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    return open_warehouse((settings or get_settings()).warehouse_path)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for source, entity in RAW_ENTITIES:
        con.execute(f"CREATE TABLE IF NOT EXISTS {raw_table(source, entity)} ({_RAW_COLUMNS})")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {_LEDGER} (source VARCHAR, entity VARCHAR, dt DATE, "
        "checksum VARCHAR, record_count BIGINT, loaded_at TIMESTAMPTZ, "
        "PRIMARY KEY (source, entity, dt))"
    )


def pending_partitions(
    con: duckdb.DuckDBPyConnection, settings: Settings, days: Iterable[date] | None = None
) -> list[Partition]:
    """Landed partitions whose checksum differs from the ledger's (limited to `days` if given)."""
    wanted = set(days) if days is not None else None
    ledger = con.execute(f"SELECT source, entity, dt, checksum FROM {_LEDGER}").fetchall()
    loaded = {(s, e, d): c for s, e, d, c in ledger}
    pending = []
    for source, entity in RAW_ENTITIES:
        for part in list_partitions(settings.landing_dir, source, entity):
            if wanted is not None and part.dt not in wanted:
                continue
            if loaded.get((source, entity, part.dt)) != part.manifest()["checksum"]:
                pending.append(part)
    return pending


def load_partition(con: duckdb.DuckDBPyConnection, part: Partition) -> int:
    """Replace one partition's rows in its raw table, in one transaction."""
    table = raw_table(part.source, part.entity)
    manifest = part.manifest()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {table} WHERE dt = ?", [part.dt])
        if manifest["record_count"]:
            con.execute(
                f"INSERT INTO {table} SELECT ?::DATE, extracted_at::TIMESTAMPTZ, record_key, "
                "parent_key, payload FROM read_json(?, format = 'newline_delimited', columns = "
                "{'extracted_at': 'VARCHAR', 'record_key': 'VARCHAR', 'parent_key': 'VARCHAR', "
                "'payload': 'JSON'})",
                [part.dt, str(part.records_path)],
            )
        con.execute(
            f"INSERT OR REPLACE INTO {_LEDGER} VALUES (?, ?, ?, ?, ?, now())",
            [part.source, part.entity, part.dt, manifest["checksum"], manifest["record_count"]],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return int(manifest["record_count"])


def load_landing(
    days: Iterable[date] | None = None, settings: Settings | None = None
) -> LoadResult:
    """Load every landed partition not yet in the warehouse (or only those of `days`)."""
    settings = settings or get_settings()
    result = LoadResult()
    with connect_warehouse(settings) as con:
        ensure_raw_schema(con)
        pending = pending_partitions(con, settings, days)
        for part in pending:
            result.rows += load_partition(con, part)
            result.loaded.append(str(part.path.relative_to(settings.landing_dir)))
    log.info("loaded %d partitions (%d rows)", len(result.loaded), result.rows)
    return result


def latest_loaded_day(settings: Settings | None = None) -> date | None:
    """The newest partition date in the warehouse (None before the first load)."""
    settings = settings or get_settings()
    if not settings.warehouse_path.is_file():
        return None
    with connect_warehouse(settings) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'raw' AND table_name = '_loaded_partitions'"
        ).fetchone()[0]
        return con.execute(f"SELECT max(dt) FROM {_LEDGER}").fetchone()[0] if exists else None
