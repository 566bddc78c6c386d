"""Load landing partitions into the warehouse's raw schema (architecture.md, "Raw schema").

Loading a partition again replaces it: its rows are deleted and inserted anew in one
transaction (with the other partitions of its raw table in the same load, up to a month of
days: `load_partitions`), and a ledger (`raw._loaded_partitions`) remembers each partition's
checksum so a re-run skips what is already loaded and reloads what changed. Only this module
and dbt write the warehouse, and both run in the one-slot `irm_warehouse` pool (DuckDB has one
writer).

Each partition is verified as it is loaded: its records file is hashed and counted in the same
pass that hands its bytes to the warehouse, and a file that differs from its manifest (checksum
or record count) is refused before any of its rows is written (`PartitionCorrupt`, naming the
partition and what differs); the other partitions still load, then the load fails naming every
refused one. `partitions_to_load` is what a load would pick up now; the landing validation
(expectations/landing.py) validates exactly that. `partitions_removed` takes partitions out of
`raw` for `irm landing set-aside` (irm/landing_admin.py).

The warehouse is DuckDB by default; with IRM_DBT_TARGET=postgres the same raw schema (payload as
jsonb) and ledger live in Postgres (`core.config.postgres_target`), dbt builds there, and
`mirror_marts_to_duckdb` copies the built marts into the DuckDB file at IRM_WAREHOUSE_PATH, so
the mart checks and the BI copy read them exactly as they read a DuckDB build.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.config import PostgresTarget, Settings, get_settings, postgres_target
from core.db import (
    connect_postgres,
    connect_warehouse,
    insert_rows,
    open_warehouse,
    quote_ident,
)
from core.errors import DataQualityError
from core.landing import (
    MANIFEST_FILE,
    RECORDS_FILE,
    Content,
    ContentDigest,
    Partition,
    copy_records,
    list_partitions,
)
from extractors import registry

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)


def raw_entities() -> tuple[tuple[str, str], ...]:
    """(source, entity) pairs the warehouse loads: every entity of every source in the
    registry (extractors/registry.py) and each source's quarantine. The raw table is
    `raw.<source>_<entity>`."""
    return registry.landing_entities(quarantine=True)


# The pairs when this module was imported, for readers that list them (irm landing set-aside).
RAW_ENTITIES: tuple[tuple[str, str], ...] = raw_entities()

_RAW_COLUMNS = (
    "dt DATE, extracted_at TIMESTAMPTZ, record_key VARCHAR, parent_key VARCHAR, payload JSON"
)
LEDGER = "raw._loaded_partitions"


def raw_table(source: str, entity: str) -> str:
    if (source, entity) not in raw_entities():
        raise ValueError(f"unknown landing entity {source}/{entity}")
    return f"raw.{source}_{entity}"


@dataclass
class LoadResult:
    loaded: list[str] = field(default_factory=list)
    skipped: int = 0
    rows: int = 0


class PartitionCorrupt(DataQualityError):
    """A landing partition whose records file does not match its manifest (or whose manifest
    cannot be read): nothing of it is loaded. A DataQualityError, so the task fails at once
    instead of spending retries (irm.tasks.fail_without_retry): another try reads the same."""


def _refused(part: Partition, problem: str) -> PartitionCorrupt:
    return PartitionCorrupt(
        f"landing partition {part.path}: {problem}; nothing of it was loaded. Restore the "
        "file, or set the partition aside (irm landing set-aside) and land the day again"
    )


def read_manifest(part: Partition) -> dict[str, Any]:
    """The partition's manifest, or PartitionCorrupt naming it when it cannot be read."""
    try:
        manifest = part.manifest()
    except (OSError, ValueError) as exc:
        raise _refused(part, f"{MANIFEST_FILE} cannot be read ({exc})") from exc
    if not isinstance(manifest, dict):
        raise _refused(part, f"{MANIFEST_FILE} is not a JSON object")
    return manifest


def verify_content(part: Partition, manifest: dict[str, Any], content: Content) -> None:
    """Refuse (PartitionCorrupt) records whose line count or sha256 differ from the manifest."""
    expected_lines, expected_checksum = manifest.get("record_count"), manifest.get("checksum")
    differences = []
    if content.lines != expected_lines:
        differences.append(f"{content.lines} lines, the manifest says {expected_lines}")
    if content.checksum != expected_checksum:
        differences.append(f"content {content.checksum}, the manifest says {expected_checksum}")
    if differences:
        raise _refused(
            part, f"{RECORDS_FILE} does not match its manifest ({'; '.join(differences)})"
        )


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for source, entity in raw_entities():
        con.execute(f"CREATE TABLE IF NOT EXISTS {raw_table(source, entity)} ({_RAW_COLUMNS})")
    ensure_ledger(con)


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """The load ledger: one row per loaded partition. dbt reads it too: the daily build's data
    tests read the rows of the partitions loaded since the last passed build
    (dbt_project/macros/data_test_scope.sql)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LEDGER} (source VARCHAR, entity VARCHAR, dt DATE, "
        "checksum VARCHAR, record_count BIGINT, loaded_at TIMESTAMPTZ, "
        "PRIMARY KEY (source, entity, dt))"
    )


def pending_partitions(
    con: duckdb.DuckDBPyConnection, settings: Settings, days: Iterable[date] | None = None
) -> list[Partition]:
    """Landed partitions whose checksum differs from the ledger's (limited to `days` if given)."""
    ledger = con.execute(f"SELECT source, entity, dt, checksum FROM {LEDGER}").fetchall()
    return _not_loaded(ledger, settings, days)


def partitions_to_load(
    days: Iterable[date] | None = None, settings: Settings | None = None
) -> list[Partition]:
    """What `load_landing(days)` would load now, from the ledger of the configured target
    (nothing is created: before the first load, every landed partition)."""
    settings = settings or get_settings()
    return _not_loaded(_ledger_rows(settings), settings, days)


def _not_loaded(
    ledger: Iterable[tuple[str, str, date, str]], settings: Settings, days: Iterable[date] | None
) -> list[Partition]:
    """Landed partitions whose checksum differs from the ledger's rows (source, entity, dt,
    checksum), limited to `days` if given. One whose manifest cannot be read is pending, so
    the load refuses it by name."""
    wanted = set(days) if days is not None else None
    loaded = {(s, e, d): c for s, e, d, c in ledger}
    pending = []
    for source, entity in raw_entities():
        for part in list_partitions(settings.landing_dir, source, entity):
            if wanted is not None and part.dt not in wanted:
                continue
            checksum = _manifest_checksum(part)
            if checksum is None or loaded.get((source, entity, part.dt)) != checksum:
                pending.append(part)
    return pending


def _manifest_checksum(part: Partition) -> str | None:
    try:
        return read_manifest(part).get("checksum")
    except PartitionCorrupt:
        return None


def _ledger_rows(settings: Settings) -> list[tuple[str, str, date, str]]:
    return read_ledger(f"SELECT source, entity, dt, checksum FROM {LEDGER}", settings)


def read_ledger(select: str, settings: Settings) -> list[tuple[Any, ...]]:
    """The rows `select` reads from the load ledger of the configured target (SQL that DuckDB
    and Postgres both speak); none before the first load made the ledger."""
    if settings.dbt_target == "postgres":
        con = connect_postgres()
        try:
            with con, con.cursor() as cur:
                cur.execute("SELECT to_regclass(%s)", [LEDGER])
                if cur.fetchone()[0] is None:
                    return []
                cur.execute(select)
                return cur.fetchall()
        finally:
            con.close()
    if not settings.warehouse_path.is_file():
        return []
    with connect_warehouse(settings) as con:
        return con.execute(select).fetchall() if has_ledger(con) else []


def has_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'raw' AND table_name = '_loaded_partitions'"
        ).fetchone()[0]
    )


# The partitions of one raw table loaded in one transaction, up to a month of days: a commit and
# a read_json call each have a fixed cost, paid per partition before (the first load of a
# 200-account, 90-day world's 2,160 partitions: 36 s one transaction each, 11.5 s so, the same
# rows). A daily load still commits each table on its own (one partition each).
LOAD_BATCH_DAYS = 31


@dataclass(frozen=True)
class VerifiedPartition:
    """A partition whose records file was copied to `records` while it was hashed and counted,
    and matched its manifest: DuckDB reads exactly those bytes."""

    part: Partition
    manifest: dict[str, Any]
    records: Path

    @property
    def record_count(self) -> int:
        return int(self.manifest["record_count"])


def verify_partition(part: Partition, scratch: Path) -> VerifiedPartition:
    """Copy the partition's records into `scratch` while verifying them against its manifest;
    PartitionCorrupt (naming it) when they differ or the manifest cannot be read."""
    manifest = read_manifest(part)
    folder = scratch / part.source / part.entity
    folder.mkdir(parents=True, exist_ok=True)
    records = folder / f"dt={part.dt.isoformat()}.jsonl"
    verify_content(part, manifest, copy_records(part, records))
    return VerifiedPartition(part, manifest, records)


def load_partitions(con: duckdb.DuckDBPyConnection, batch: Sequence[VerifiedPartition]) -> int:
    """Replace the rows of `batch` (verified partitions of one raw table) in one transaction:
    their days' rows deleted, their records inserted, their ledger rows written."""
    table = raw_table(batch[0].part.source, batch[0].part.entity)
    days = [v.part.dt for v in batch]
    files = [str(v.records) for v in batch if v.record_count]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {table} WHERE dt IN ({', '.join('?' * len(days))})", days)
        if files:
            # Each copy is named after its day (verify_partition): the row's dt comes from there.
            con.execute(
                f"INSERT INTO {table} SELECT CAST(regexp_extract(filename, "
                "'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})[.]jsonl$', 1) AS DATE), "
                "extracted_at::TIMESTAMPTZ, record_key, parent_key, payload FROM read_json(?, "
                "format = 'newline_delimited', filename = true, columns = {'extracted_at': "
                "'VARCHAR', 'record_key': 'VARCHAR', 'parent_key': 'VARCHAR', 'payload': 'JSON'})",
                [files],
            )
        loaded_at = datetime.now(UTC)
        ledger_rows = [
            (
                v.part.source,
                v.part.entity,
                v.part.dt,
                v.manifest["checksum"],
                v.record_count,
                loaded_at,
            )
            for v in batch
        ]
        insert_rows(con, LEDGER, ledger_rows, replace=True)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return sum(v.record_count for v in batch)


def _load_verified(con: duckdb.DuckDBPyConnection, batch: Sequence[VerifiedPartition]) -> int:
    """load_partitions, then the verified copies go (a first load copies the whole landing)."""
    try:
        return load_partitions(con, batch)
    finally:
        for verified in batch:
            verified.records.unlink(missing_ok=True)


def _table_batches(pending: Sequence[Partition], days: int) -> Iterator[list[Partition]]:
    """Consecutive partitions of one raw table, at most `days` of them a batch."""
    for _, parts in groupby(pending, key=lambda part: (part.source, part.entity)):
        table_parts = list(parts)
        for start in range(0, len(table_parts), days):
            yield table_parts[start : start + days]


def _load_each(
    pending: Sequence[Partition],
    verify: Callable[[Partition], Any],
    load_batch: Callable[[list[Any]], int],
    settings: Settings,
    batch_days: int,
) -> LoadResult:
    """Verify each partition, then load the verified ones of each raw table `batch_days` at a
    time; a refused partition (PartitionCorrupt, from `verify` or from a batch of one) does
    not stop the others, and the load then fails naming every refused partition."""
    result = LoadResult()
    refused: list[PartitionCorrupt] = []
    for parts in _table_batches(pending, batch_days):
        batch, verified_parts = [], []
        for part in parts:
            try:
                batch.append(verify(part))
            except PartitionCorrupt as exc:
                log.error("%s", exc)
                refused.append(exc)
                continue
            verified_parts.append(part)
        if not batch:
            continue
        try:
            result.rows += load_batch(batch)
        except PartitionCorrupt as exc:  # Postgres verifies while it copies
            log.error("%s", exc)
            refused.append(exc)
            continue
        result.loaded += [
            str(part.path.relative_to(settings.landing_dir)) for part in verified_parts
        ]
    if refused:
        others = f" ({len(result.loaded)} other partitions loaded)" if result.loaded else ""
        raise PartitionCorrupt("; ".join(str(e) for e in refused) + others)
    return result


def load_landing(
    days: Iterable[date] | None = None, settings: Settings | None = None
) -> LoadResult:
    """Load every landed partition not yet in the warehouse (or only those of `days`) into
    the raw schema of the configured target (IRM_DBT_TARGET: duckdb or postgres)."""
    settings = settings or get_settings()
    if settings.dbt_target == "postgres":
        return load_landing_postgres(days, settings)
    with (
        connect_warehouse(settings) as con,
        tempfile.TemporaryDirectory(prefix="irm-load-") as scratch,
    ):
        ensure_raw_schema(con)
        pending = pending_partitions(con, settings, days)
        result = _load_each(
            pending,
            lambda part: verify_partition(part, Path(scratch)),
            lambda batch: _load_verified(con, batch),
            settings,
            LOAD_BATCH_DAYS,
        )
    log.info("loaded %d partitions (%d rows)", len(result.loaded), result.rows)
    return result


@contextmanager
def partitions_removed(
    parts: Sequence[Partition], settings: Settings | None = None
) -> Iterator[dict[Partition, int]]:
    """Delete the rows of `parts` (their table's rows of their day) from the configured
    target's raw schema, and their ledger entries, in one committed transaction; yield the rows
    removed per partition. A DuckDB warehouse stays open (its one writer's lock held) until the
    block ends, so no load can put the rows back while the caller moves the partitions away."""
    settings = settings or get_settings()
    if settings.dbt_target == "postgres":
        yield _remove_postgres(parts)
        return
    if not settings.warehouse_path.is_file():  # nothing was ever loaded
        yield dict.fromkeys(parts, 0)
        return
    with connect_warehouse(settings) as con:
        ensure_raw_schema(con)
        removed: dict[Partition, int] = {}
        con.execute("BEGIN TRANSACTION")
        try:
            for part in parts:
                table = raw_table(part.source, part.entity)
                deleted = con.execute(f"DELETE FROM {table} WHERE dt = ?", [part.dt]).fetchone()
                removed[part] = int(deleted[0]) if deleted else 0
                con.execute(
                    f"DELETE FROM {LEDGER} WHERE source = ? AND entity = ? AND dt = ?",
                    [part.source, part.entity, part.dt],
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        yield removed


def latest_loaded_day(settings: Settings | None = None) -> date | None:
    """The newest partition date in the warehouse (None before the first load)."""
    settings = settings or get_settings()
    if settings.dbt_target == "postgres":
        return _latest_loaded_day_postgres()
    if not settings.warehouse_path.is_file():
        return None
    with connect_warehouse(settings) as con:
        if not has_ledger(con):
            return None
        return con.execute(f"SELECT max(dt) FROM {LEDGER}").fetchone()[0]


# --- The Postgres target (IRM_DBT_TARGET=postgres) -------------------------------------------
# psycopg2 is imported inside the functions that use it: a DuckDB installation never loads it.

_PG_RAW_COLUMNS = (
    "dt date, extracted_at timestamptz, record_key text, parent_key text, payload jsonb"
)
# Landing lines are read by Postgres itself, one jsonb value per line: a CSV whose quote and
# delimiter are control characters, which valid JSON never contains unescaped.
_PG_COPY_LINES = (
    "COPY pg_temp._irm_lines (line) FROM STDIN (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
)
# jsonb cannot hold a NUL character; the rare line with an escaped one is rewritten.
_NUL_ESCAPE = b"\\u0000"


def ensure_postgres_database(target: PostgresTarget | None = None) -> bool:
    """Create the warehouse database if the server lacks it; True when it was created."""
    from psycopg2 import sql

    target = target or postgres_target()
    con = connect_postgres(target, database="postgres")
    try:
        con.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.database])
            if cur.fetchone():
                return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
            log.info("created the warehouse database %s", target.database)
            return True
    finally:
        con.close()


def ensure_postgres_raw_schema(con: PgConnection) -> None:
    with con, con.cursor() as cur:
        cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for source, entity in raw_entities():
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {raw_table(source, entity)} ({_PG_RAW_COLUMNS})"
            )
        ensure_postgres_ledger(cur)


def ensure_postgres_ledger(cur: Any) -> None:
    """The load ledger in Postgres (ensure_ledger says who reads it)."""
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {LEDGER} (source text, entity text, dt date, "
        "checksum text, record_count bigint, loaded_at timestamptz, "
        "PRIMARY KEY (source, entity, dt))"
    )


def load_partition_postgres(con: PgConnection, part: Partition) -> int:
    """Replace one partition's rows in its raw table, in one transaction. The records file is
    hashed and counted as it streams into a temporary table; a mismatch with the manifest is
    refused before the raw table is touched (and the transaction rolls back)."""
    import psycopg2

    table = raw_table(part.source, part.entity)
    manifest = read_manifest(part)
    with con, con.cursor() as cur:
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS _irm_lines (line jsonb) ON COMMIT DELETE ROWS")
        lines = _LandingLines(part.records_path)
        try:
            cur.copy_expert(_PG_COPY_LINES, lines)
        except psycopg2.Error as exc:  # e.g. a line that is not JSON: an edited file?
            verify_content(part, manifest, lines.drain())
            raise RuntimeError(f"landing partition {part.path}: COPY failed ({exc})") from exc
        verify_content(part, manifest, lines.content())
        cur.execute(f"DELETE FROM {table} WHERE dt = %s", [part.dt])
        cur.execute(
            f"INSERT INTO {table} SELECT %s, (line->>'extracted_at')::timestamptz, "
            "line->>'record_key', line->>'parent_key', line->'payload' "
            "FROM pg_temp._irm_lines",
            [part.dt],
        )
        cur.execute(
            f"INSERT INTO {LEDGER} VALUES (%s, %s, %s, %s, %s, now()) "
            "ON CONFLICT (source, entity, dt) DO UPDATE SET checksum = excluded.checksum, "
            "record_count = excluded.record_count, loaded_at = excluded.loaded_at",
            [part.source, part.entity, part.dt, manifest["checksum"], manifest["record_count"]],
        )
    return int(manifest["record_count"])


class _LandingLines:
    """A records file as `copy_expert` reads it (`read(size)`), NUL escapes replaced; the bytes
    read from the file are hashed and counted on the way (`content`)."""

    def __init__(self, path: Path) -> None:
        self._digest = ContentDigest()
        self._lines = self._clean_lines(path)
        self._buffer = b""

    def content(self) -> Content:
        """What was read from the file (all of it, once COPY has finished)."""
        return self._digest.content()

    def drain(self) -> Content:
        """Read the rest of the file (COPY stopped early) and return what it all holds."""
        for _ in self._lines:
            pass
        return self.content()

    def _clean_lines(self, path: Path) -> Iterator[bytes]:
        with path.open("rb") as lines:
            for line in lines:
                self._digest.update(line)
                if not line.strip():
                    continue
                if _NUL_ESCAPE in line:
                    line = json.dumps(_without_nul(json.loads(line))).encode() + b"\n"
                yield line if line.endswith(b"\n") else line + b"\n"

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer += line
        if size < 0:
            size = len(self._buffer)
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def load_landing_postgres(days: Iterable[date] | None, settings: Settings) -> LoadResult:
    con = connect_postgres()
    try:
        ensure_postgres_raw_schema(con)
        with con, con.cursor() as cur:
            cur.execute(f"SELECT source, entity, dt, checksum FROM {LEDGER}")
            pending = _not_loaded(cur.fetchall(), settings, days)
        result = _load_each(
            pending,
            lambda part: part,  # verified while it is copied in
            lambda batch: load_partition_postgres(con, batch[0]),
            settings,
            batch_days=1,
        )
    finally:
        con.close()
    log.info("loaded %d partitions (%d rows) into Postgres", len(result.loaded), result.rows)
    return result


def _remove_postgres(parts: Sequence[Partition]) -> dict[Partition, int]:
    """`partitions_removed` on the Postgres target: one transaction."""
    con = connect_postgres()
    removed: dict[Partition, int] = {}
    try:
        ensure_postgres_raw_schema(con)
        with con, con.cursor() as cur:
            for part in parts:
                cur.execute(
                    f"DELETE FROM {raw_table(part.source, part.entity)} WHERE dt = %s", [part.dt]
                )
                removed[part] = cur.rowcount
                cur.execute(
                    f"DELETE FROM {LEDGER} WHERE source = %s AND entity = %s AND dt = %s",
                    [part.source, part.entity, part.dt],
                )
    finally:
        con.close()
    return removed


def _latest_loaded_day_postgres() -> date | None:
    con = connect_postgres()
    try:
        with con, con.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", [LEDGER])
            if cur.fetchone()[0] is None:
                return None
            cur.execute(f"SELECT max(dt) FROM {LEDGER}")
            return cur.fetchone()[0]
    finally:
        con.close()


# --- Marts from Postgres into the DuckDB file (checks and the BI copy read DuckDB) -----------

# Postgres type (information_schema.columns.data_type) -> DuckDB type.
_PG_TO_DUCKDB = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "REAL",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
}


def duckdb_type(data_type: str, precision: int | None, scale: int | None) -> str:
    """The DuckDB type holding a Postgres column's values exactly (numeric without a declared
    precision, which DuckDB's DECIMAL cannot bound, becomes DOUBLE)."""
    if data_type == "numeric":
        if precision is not None and precision <= 38:
            return f"DECIMAL({precision}, {scale or 0})"
        return "DOUBLE"
    if data_type == "ARRAY":
        return "JSON"  # read back from Postgres as a JSON array (see _select_for_copy)
    if data_type not in _PG_TO_DUCKDB:
        raise ValueError(f"no DuckDB type for the Postgres type {data_type!r}")
    return _PG_TO_DUCKDB[data_type]


def _pg_columns(con: PgConnection, schema: str) -> dict[str, list[tuple[str, str, str]]]:
    """table -> [(column, Postgres data_type, DuckDB type)] of every table and view of
    `schema`, in column order."""
    with con, con.cursor() as cur:
        cur.execute(
            "SELECT c.table_name, c.column_name, c.data_type, c.numeric_precision, "
            "c.numeric_scale FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
            "WHERE c.table_schema = %s ORDER BY c.table_name, c.ordinal_position",
            [schema],
        )
        tables: dict[str, list[tuple[str, str, str]]] = {}
        for table, column, data_type, precision, scale in cur.fetchall():
            target_type = duckdb_type(data_type, precision, scale)
            tables.setdefault(table, []).append((column, data_type, target_type))
    return tables


def _select_for_copy(schema: str, table: str, columns: list[tuple[str, str, str]]) -> str:
    exprs = [
        f"to_json({quote_ident(c)})::text" if pg_type == "ARRAY" else quote_ident(c)
        for c, pg_type, _ in columns
    ]
    return f"SELECT {', '.join(exprs)} FROM {quote_ident(schema)}.{quote_ident(table)}"


def mirror_marts_to_duckdb(
    settings: Settings | None = None, schema: str = "marts"
) -> dict[str, int]:
    """Replace `schema` of the DuckDB file at IRM_WAREHOUSE_PATH with a copy of the same schema
    in the Postgres warehouse, in one DuckDB transaction; return rows per table. Values travel
    as CSV with every column's type declared on both sides, so they arrive exactly."""
    settings = settings or get_settings()
    quoted = quote_ident(schema)
    con = connect_postgres()
    row_counts: dict[str, int] = {}
    try:
        tables = _pg_columns(con, schema)
        if not tables:
            raise RuntimeError(f"the Postgres warehouse has no tables in schema {schema!r}")
        with (
            tempfile.TemporaryDirectory(prefix="irm-mirror-") as folder,
            open_warehouse(settings.warehouse_path) as duck,
        ):
            duck.execute("BEGIN TRANSACTION")
            try:
                duck.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
                duck.execute(f"CREATE SCHEMA {quoted}")
                for table, columns in tables.items():
                    csv_path = Path(folder) / f"{table}.csv"
                    _copy_out(con, _select_for_copy(schema, table, columns), csv_path)
                    row_counts[table] = _copy_in(duck, schema, table, columns, csv_path)
                duck.execute("COMMIT")
            except BaseException:
                duck.execute("ROLLBACK")
                raise
    finally:
        con.close()
    log.info("mirrored %s from Postgres into %s: %s", schema, settings.warehouse_path, row_counts)
    return row_counts


def _copy_out(con: PgConnection, select: str, path: Path) -> None:
    with con, con.cursor() as cur, path.open("wb") as out:
        cur.execute("SET LOCAL TIME ZONE 'UTC'")
        cur.copy_expert(f"COPY ({select}) TO STDOUT (FORMAT csv)", out)


def _copy_in(
    duck: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str, str]],
    path: Path,
) -> int:
    name = f"{quote_ident(schema)}.{quote_ident(table)}"
    duck.execute(
        f"CREATE TABLE {name} ("
        + ", ".join(f"{quote_ident(c)} {duck_type}" for c, _, duck_type in columns)
        + ")"
    )
    # Postgres writes NULL unquoted and an empty string as "": keep them apart.
    duck.execute(
        f"INSERT INTO {name} SELECT * FROM read_csv(?, header = false, columns = ?, "
        "quote = '\"', escape = '\"', allow_quoted_nulls = false, auto_detect = false)",
        [str(path), {c: duck_type for c, _, duck_type in columns}],
    )
    return duck.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
