"""Publish the marts to the read-only BI copy: one DuckDB file plus one Parquet file per mart.

DuckDB locks a database file as a whole, so a BI tool reading the warehouse would block the
pipeline (and the other way round). Readers get a separate file instead, built under a temporary
name and moved over the published one with `os.replace`: a reader that opens the published file
read-only sees either the old copy or the new one, never a half-built one. A reader still
holding a connection keeps its old copy (an unlinked inode) until it reconnects.

Parquet cannot be replaced that way: DuckDB (like Spark) opens a Parquet file by its path more
than once in one query (metadata, then data), so a file renamed over in between gives a torn
read ("don't know what type", "Prefetch registered for bytes outside file"; measured: about 1
query in 80 failed while files were swapped every 20 ms). Each publication's Parquet files go
into a folder of their own that never changes, `parquet/<publication_id>/<mart>.parquet`, and
the symlink `parquet/current` is swapped to the newest folder with one atomic rename. Readers
that resolve `current` once per query (or take the id from `meta.publication`) read one whole
publication; the last KEEP_PARQUET_PUBLICATIONS folders are kept for queries still running.
Every copy carries the publication's id (the `meta.publication` table; the `publication_id`
key of each Parquet file's metadata) so a reader can tell which publication it reads.

Published files are made read-only (mode 0444): someone who opens the BI copy read-write by
mistake gets an error instead of a write-ahead log that would belong to a file about to be
replaced. (root ignores file modes, so this guards people, not the pipeline.)

The warehouse is opened the pipeline's one way (`irm.warehouse.open_warehouse`, read-write),
so run publication in the warehouse pool, after the transform and its checks.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from irm.config import get_settings

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Where the BI copy says which publication it is (one row per published table).
META_SCHEMA = "meta"
META_TABLE = "publication"
READ_ONLY_MODE = 0o444
CURRENT_PARQUET = "current"
KEEP_PARQUET_PUBLICATIONS = 3


@dataclass(frozen=True)
class PublishResult:
    path: Path
    parquet_dir: Path
    schema: str
    tables: list[str]
    row_counts: dict[str, int]
    seconds: float
    publication_id: str = ""


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
    parquet_root = settings.published_parquet_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    publication_id = new_publication_id()
    parquet_dir = parquet_root / publication_id
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp_file = target.with_name(f".{target.name}.tmp-{tag}")
    tmp_parquet = parquet_root / f".tmp-{tag}"
    try:
        row_counts = _build_snapshot(
            settings.warehouse_path, tmp_file, tmp_parquet, schema, publication_id
        )
        tmp_parquet.rename(parquet_dir)
        _point_current(parquet_root, publication_id)
        # A WAL beside the published file could only belong to the old copy (someone opened it
        # read-write); DuckDB would replay it onto the new one.
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp_file, target)
    finally:
        _remove_leftovers(tmp_file, tmp_parquet)
    _prune_parquet(parquet_root, publication_id)
    result = PublishResult(
        path=target,
        parquet_dir=parquet_dir,
        schema=schema,
        tables=list(row_counts),
        row_counts=row_counts,
        seconds=time.perf_counter() - started,
        publication_id=publication_id,
    )
    log.info(
        "published %s to %s (publication %s) in %.2f s: %s",
        schema,
        target,
        publication_id,
        result.seconds,
        row_counts,
    )
    return result


def new_publication_id() -> str:
    """Sortable by time (to the microsecond), unique across processes:
    20260302T070001.123456Z-1a2b3c4d."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"


def quote_ident(name: str) -> str:
    """Quote a SQL identifier after checking it is a plain name (table names become file names)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _build_snapshot(
    warehouse: Path, tmp_file: Path, tmp_parquet: Path, schema: str, publication_id: str
) -> dict[str, int]:
    """Copy the schema into a new DuckDB file and Parquet folder; return rows per table."""
    from irm.warehouse import open_warehouse

    quoted = quote_ident(schema)
    with open_warehouse(warehouse) as con:
        tables = _source_tables(con, schema)
        if not tables:
            raise RuntimeError(
                f"the warehouse has no tables in schema {schema!r}: nothing to publish"
            )
        tmp_parquet.mkdir(parents=True)
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
                f"COPY {name} TO ? (FORMAT parquet, COMPRESSION zstd, "
                "KV_METADATA {publication_id: ?})",
                [str(tmp_parquet / f"{table}.parquet"), publication_id],
            )
        _write_publication_table(snap, schema, publication_id, row_counts)
        # Fold the write-ahead log into the file: the file alone must be complete when moved.
        snap.execute("CHECKPOINT")
    for path in [tmp_file, *tmp_parquet.iterdir()]:
        path.chmod(READ_ONLY_MODE)
    return row_counts


def _write_publication_table(
    snap: duckdb.DuckDBPyConnection, schema: str, publication_id: str, row_counts: dict[str, int]
) -> None:
    """`meta.publication`: which publication this file is, when, and what it holds."""
    snap.execute(f"CREATE SCHEMA {META_SCHEMA}")
    snap.execute(
        f"CREATE TABLE {META_SCHEMA}.{META_TABLE} (publication_id VARCHAR NOT NULL, "
        "published_at TIMESTAMPTZ NOT NULL, table_schema VARCHAR NOT NULL, "
        "table_name VARCHAR NOT NULL, row_count BIGINT NOT NULL)"
    )
    published_at = datetime.now(UTC)
    snap.executemany(
        f"INSERT INTO {META_SCHEMA}.{META_TABLE} VALUES (?, ?, ?, ?, ?)",
        [[publication_id, published_at, schema, t, n] for t, n in row_counts.items()],
    )


def _source_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def _point_current(parquet_root: Path, publication_id: str) -> None:
    """Swap `current` to the new folder: a new relative symlink renamed over the old one."""
    link = parquet_root / f".{CURRENT_PARQUET}.tmp-{uuid.uuid4().hex[:8]}"
    link.symlink_to(publication_id, target_is_directory=True)
    os.replace(link, parquet_root / CURRENT_PARQUET)


def _prune_parquet(parquet_root: Path, current_id: str) -> None:
    """Keep the newest publications' folders (ids sort by time), never the current one; drop
    anything else (files of the old flat layout included). Leftovers of a crashed publication
    (`.tmp-*`) are left to their own cleanup."""
    folders = sorted(p.name for p in parquet_root.iterdir() if p.is_dir() and not p.is_symlink())
    publications = [f for f in folders if not f.startswith(".")]
    keep = set(publications[-KEEP_PARQUET_PUBLICATIONS:]) | {current_id}
    for path in parquet_root.iterdir():
        if path.name == CURRENT_PARQUET or path.name.startswith(".") or path.name in keep:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _remove_leftovers(tmp_file: Path, tmp_parquet: Path) -> None:
    """After a failure, nothing half-built stays behind (after success these are gone already)."""
    for path in (tmp_file, tmp_file.with_name(tmp_file.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(tmp_parquet, ignore_errors=True)
