"""Publish the marts to the read-only BI copy: one DuckDB file plus one Parquet file per mart.

DuckDB locks a database file as a whole, so a BI tool reading the warehouse would block the
pipeline (and the other way round). Readers get a separate file instead, built under a temporary
name and moved over the published one with `os.replace`: a reader that opens the published file
read-only per query sees either the old copy or the new one, never a half-built one. A reader
still holding a connection keeps its old copy (an unlinked inode) until it reconnects.

The Parquet folder is built next to its final place and swapped in with two renames; between
them (microseconds) the folder is briefly absent.

The warehouse is attached READ_ONLY: it coexists with other readers but fails at once if a
writer holds it, so run publication in the warehouse pool, after the transform.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from irm.config import get_settings

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    parquet_dir: Path
    schema: str
    tables: list[str]
    row_counts: dict[str, int]
    seconds: float


def publish_marts(schema: str = "marts") -> PublishResult:
    """Snapshot every table (and view, materialized) of `schema` into the BI copy.

    Raises if the warehouse is missing or the schema holds no table: publishing an empty copy
    would wipe what BI users see.
    """
    settings = get_settings()
    started = time.perf_counter()
    quote_ident(schema)  # validate before anything touches the disk
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}")
    target = settings.published_path
    parquet_dir = settings.published_parquet_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp_file = target.with_name(f".{target.name}.tmp-{tag}")
    tmp_parquet = parquet_dir.with_name(f".{parquet_dir.name}.tmp-{tag}")
    try:
        row_counts = _build_snapshot(settings.warehouse_path, tmp_file, tmp_parquet, schema)
        # A WAL beside the published file could only belong to the old copy (someone opened it
        # read-write); DuckDB would replay it onto the new one.
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp_file, target)
        _replace_dir(tmp_parquet, parquet_dir)
    finally:
        _remove_leftovers(tmp_file, tmp_parquet)
    result = PublishResult(
        path=target,
        parquet_dir=parquet_dir,
        schema=schema,
        tables=list(row_counts),
        row_counts=row_counts,
        seconds=time.perf_counter() - started,
    )
    log.info("published %s to %s in %.2f s: %s", schema, target, result.seconds, row_counts)
    return result


def quote_ident(name: str) -> str:
    """Quote a SQL identifier after checking it is a plain name (table names become file names)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _build_snapshot(
    warehouse: Path, tmp_file: Path, tmp_parquet: Path, schema: str
) -> dict[str, int]:
    """Copy the schema into a new DuckDB file and Parquet folder; return rows per table."""
    from irm.warehouse import open_warehouse

    tmp_parquet.mkdir(parents=True)
    quoted = quote_ident(schema)
    with open_warehouse(warehouse) as con:
        tables = _source_tables(con, schema)
        if not tables:
            raise RuntimeError(
                f"the warehouse has no tables in schema {schema!r}: nothing to publish"
            )
        con.execute("ATTACH ? AS snap", [str(tmp_file)])
        try:
            con.execute(f"CREATE SCHEMA snap.{quoted}")
            for table in tables:
                name = f"{quoted}.{quote_ident(table)}"
                con.execute(f"CREATE TABLE snap.{name} AS SELECT * FROM {name}")
        finally:
            # Detach at once: the file must be closed before it is moved into place.
            con.execute("DETACH snap")
    with duckdb.connect(str(tmp_file)) as snap:
        row_counts = {}
        for table in tables:
            name = f"{quoted}.{quote_ident(table)}"
            row_counts[table] = snap.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            snap.execute(
                f"COPY {name} TO ? (FORMAT parquet, COMPRESSION zstd)",
                [str(tmp_parquet / f"{table}.parquet")],
            )
        # Fold the write-ahead log into the file: the file alone must be complete when moved.
        snap.execute("CHECKPOINT")
    return row_counts


def _source_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def _replace_dir(new: Path, target: Path) -> None:
    """Put a completed folder in place of the old one (two renames; the old one is removed)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(tmp_file: Path, tmp_parquet: Path) -> None:
    """After a failure, nothing half-built stays behind (after success these are gone already)."""
    for path in (tmp_file, tmp_file.with_name(tmp_file.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(tmp_parquet, ignore_errors=True)
