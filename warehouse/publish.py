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

The warehouse is opened the pipeline's one way (`core.db.open_warehouse`, read-write),
so run publication in the warehouse pool, after the transform and its checks.

The mart gate (SPEC 2: the copy is replaced only after dbt tests and the mart expectations
pass). The pipeline publishes with `publish_marts(require_gate=True)` (irm.tasks.publish, which
the irm_transform DAG's `publish` task and `irm publish` both call), and that publishes all the
marts or none: it refuses, raising MartGateError before anything is written (the BI copy keeps
the last good marts), unless
- every mart model of the dbt manifest (`dbt_project/target/manifest.json`) is in the warehouse,
- and the marts are exactly as they were when they last passed the mart checks: the checks
  (irm.tasks.validate_marts, run by the DAG only after a successful dbt build) run inside
  `mart_gate()`, which withdraws the gate record `<data root>/state/mart_gate.json` first and
  writes it only when no critical expectation failed, with the marts' fingerprint (per table:
  columns and types, row count, and the sum of its rows' hashes). Publication recomputes the
  fingerprint in the same connection that copies the marts.
So a build that failed part of the way (some marts rebuilt, some stale, some missing) is never
published, by the DAG or by hand: a new fingerprint has no passed checks. `irm publish` refuses
the same way, saying what differs; to publish, run the transform (its checks record the gate).

What each mart and column is travels with the copy (issue 22 item 1): every table and column
gets its dbt description as a comment (`COMMENT ON`, which BI tools show), and `meta.columns`
holds, per published column, what its readers need from the marts' contract
(warehouse/mart_contract.py): label, format, unit, description, meaning, whether it is part of
the key, its role ("name": the column a person recognises a row by) and the mart and column it
refers to. The export reads it from here (it reads the BI copy only). A column the contract does
not name gets no row; without a manifest the table is empty (and the publication says so).

Personal data (SPEC 9). The dbt project tags every personal column in its YAML
(`config: meta: {personal_data: true}`; dim_creator.email is one). The BI copy, its Parquet
files, and so the exports (which read the BI copy only), leave every tagged column of the
published schema out, unless IRM_PUBLISH_PERSONAL_DATA=true. The tags are read from the dbt
manifest, the one list of what is personal; without a manifest nothing is published. The gate
fingerprints the warehouse's marts, whole: the BI copy is a projection of what passed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from core.config import Settings, get_settings
from core.db import IDENTIFIER, insert_rows, list_tables, open_warehouse, quote_ident
from core.errors import DataQualityError
from warehouse.mart_contract import Mart, manifest_models, manifest_path, read_marts

log = logging.getLogger(__name__)

# Where the BI copy says which publication it is (one row per published table).
META_SCHEMA = "meta"
# MetricFlow's calendar (dbt_project/models/semantic/): copied along, so `mf query` by
# metric_time works on the BI copy as on the warehouse (docs/serving.md "Metrics").
SEMANTIC_SCHEMA = "semantic"
META_TABLE = "publication"
# Where it says what each published column is (the module's doc).
COLUMNS_TABLE = "columns"
COLUMNS_DDL = (
    f"CREATE TABLE {META_SCHEMA}.{COLUMNS_TABLE} (table_name VARCHAR NOT NULL, "
    "column_name VARCHAR NOT NULL, label VARCHAR NOT NULL, format VARCHAR NOT NULL, "
    "unit VARCHAR, description VARCHAR, meaning VARCHAR, is_key BOOLEAN NOT NULL, "
    "role VARCHAR, parent_table VARCHAR, parent_column VARCHAR)"
)
READ_ONLY_MODE = 0o444
# The BI copy is written in DuckDB 1.5's storage format, not the pipeline's own (2.0): BI drivers
# and the DuckDB CLI on PyPI (`duckdb-cli`, 1.5.6 its newest) lag behind DuckDB's releases, and a
# 1.5 reader cannot open a 2.0 file. Everything the copy holds (tables, comments) exists in 1.5.
BI_COPY_STORAGE_VERSION = "v1.5.0"
CURRENT_PARQUET = "current"
KEEP_PARQUET_PUBLICATIONS = 3
# The record of the marts that passed the mart checks, under the data root's state folder.
GATE_FILE = "mart_gate.json"
# The key of a column's dbt `meta` that marks it personal data.
PERSONAL_DATA_META = "personal_data"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    parquet_dir: Path
    schema: str
    tables: list[str]
    row_counts: dict[str, int]
    seconds: float
    publication_id: str = ""
    withheld: tuple[str, ...] = ()  # `table.column` left out as personal data


class PersonalDataError(RuntimeError):
    """What is personal data cannot be told (no dbt manifest): nothing was published."""


class MartGateError(DataQualityError):
    """The marts have not passed the mart gate: nothing was published (the module's doc)."""


def publish_marts(schema: str = "marts", *, require_gate: bool = False) -> PublishResult:
    """Snapshot every table (and view, materialized) of `schema` into the BI copy.

    Raises if the warehouse is missing or the schema holds no table: publishing an empty copy
    would wipe what BI users see. With `require_gate` (every pipeline caller), raises
    MartGateError unless the marts passed the mart gate; without it, copies whatever the
    schema holds (tests and tools on hand-made warehouses).
    """
    settings = get_settings()
    started = time.perf_counter()
    quote_ident(schema)  # validate before anything touches the disk
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}")
    withhold = {} if settings.publish_personal_data else personal_columns(settings, schema)
    marts = _contract(settings, schema)
    target = settings.published_path
    parquet_root = settings.published_parquet_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    publication_id = new_publication_id()
    parquet_dir = parquet_root / publication_id
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp_file = target.with_name(f".{target.name}.tmp-{tag}")
    tmp_parquet = parquet_root / f".tmp-{tag}"
    try:
        row_counts, withheld = _build_snapshot(
            settings.warehouse_path,
            tmp_file,
            tmp_parquet,
            schema,
            publication_id,
            settings if require_gate else None,
            withhold,
            marts,
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
        withheld=withheld,
    )
    log.info(
        "published %s to %s (publication %s) in %.2f s: %s; personal data left out: %s",
        schema,
        target,
        publication_id,
        result.seconds,
        row_counts,
        ", ".join(withheld) or "none (IRM_PUBLISH_PERSONAL_DATA=true, or none tagged)",
    )
    return result


# ---- the mart gate ---------------------------------------------------------------------------


def mart_gate_path(settings: Settings) -> Path:
    return settings.state_dir / GATE_FILE


@contextmanager
def mart_gate(schema: str = "marts") -> Iterator[None]:
    """Around the mart checks: the gate record is withdrawn while they run, and written, with
    the marts' fingerprint, only when the block ends without an exception (the checks raise on
    a critical failure). Raises MartGateError, writing nothing, when a mart model of the dbt
    manifest is missing from the warehouse."""
    settings = get_settings()
    path = mart_gate_path(settings)
    path.unlink(missing_ok=True)
    yield
    record_mart_gate(schema, settings)


def record_mart_gate(schema: str = "marts", settings: Settings | None = None) -> Path:
    """Write the gate record for the marts as they are now. Only `mart_gate()` calls this,
    after the mart checks passed."""
    settings = settings or get_settings()
    with open_warehouse(settings.warehouse_path) as con:
        state = mart_fingerprint(con, schema)
    _require_manifest_marts(state, settings, schema)
    record = {"schema": schema, "passed_at": datetime.now(UTC).isoformat(), "tables": state}
    path = mart_gate_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    log.info("mart gate passed: %d marts of %s recorded in %s", len(state), schema, path)
    return path


def check_mart_gate(con: duckdb.DuckDBPyConnection, schema: str, settings: Settings) -> None:
    """Raise MartGateError unless every manifest mart exists and the marts are exactly those
    the mart checks last passed."""
    state = mart_fingerprint(con, schema)
    _require_manifest_marts(state, settings, schema)
    path = mart_gate_path(settings)
    how = (
        "run the transform (the irm_transform DAG, or `irm run --day <day> --dag "
        "irm_transform`): it builds the marts, checks them and publishes them"
    )
    if not path.exists():
        raise MartGateError(
            f"the marts have not passed the mart checks (no {path}; the last checks failed "
            f"or never ran): nothing published, the BI copy is unchanged; {how}"
        )
    record = json.loads(path.read_text(encoding="utf-8"))
    passed = record.get("tables", {}) if record.get("schema") == schema else {}
    changed = sorted(t for t in set(state) | set(passed) if state.get(t) != passed.get(t))
    if changed:
        raise MartGateError(
            f"{len(changed)} of the {len(state)} marts changed since they passed the mart "
            f"checks at {record.get('passed_at')} ({', '.join(changed)}): a build that did "
            f"not finish, or marts changed by hand; nothing published, the BI copy is "
            f"unchanged; {how}"
        )


def mart_fingerprint(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, dict[str, Any]]:
    """Per table of `schema`: its columns with their types, its rows and the sum of its rows'
    hashes (independent of row order; a changed value changes it)."""
    quoted = quote_ident(schema)
    state: dict[str, dict[str, Any]] = {}
    for table in list_tables(con, schema):
        columns = con.execute(
            "SELECT column_name || ' ' || data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        rows, checksum = con.execute(
            f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) "
            f"FROM {quoted}.{quote_ident(table)} AS t"
        ).fetchone()
        state[table] = {"columns": [c[0] for c in columns], "rows": rows, "checksum": str(checksum)}
    return state


def manifest_marts(settings: Settings, schema: str = "marts") -> list[str]:
    """The tables the dbt project builds in `schema` (its manifest's models there); with
    IRM_DBT_SELECT, those of them the selection renders (a partial transform builds only
    those, so they are "all marts" of such an installation)."""
    models = manifest_models(settings, schema)
    if models is None:
        raise MartGateError(
            f"no dbt manifest at {manifest_path(settings)} to tell which marts a build makes "
            "(run `make manifest`)"
        )
    if settings.dbt_select:
        chosen = _selected_models(manifest_path(settings), settings.dbt_select)
        models = {table: node for table, node in models.items() if node["unique_id"] in chosen}
    return sorted(models)


def _selected_models(manifest: Path, selectors: tuple[str, ...]) -> set[str]:
    """The unique ids of the models IRM_DBT_SELECT names: `name`, `+name` (with its
    ancestors), `name+` (with its descendants). Other dbt selector forms are refused rather
    than guessed: the gate must know exactly which marts a build makes."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    parents = {uid: set(n["depends_on"]["nodes"]) & models.keys() for uid, n in models.items()}
    children: dict[str, set[str]] = {uid: set() for uid in models}
    for uid, ups in parents.items():
        for up in ups:
            children[up].add(uid)
    by_name = {n["name"]: uid for uid, n in models.items()}
    chosen: set[str] = set()
    for token in selectors:
        name = token.strip("+")
        if name not in by_name or not IDENTIFIER.match(name):
            raise MartGateError(
                f"IRM_DBT_SELECT {token!r}: the mart gate understands a model name with an "
                "optional leading or trailing '+' only"
            )
        chosen |= {by_name[name]}
        if token.startswith("+"):
            chosen |= _reachable(by_name[name], parents)
        if token.endswith("+"):
            chosen |= _reachable(by_name[name], children)
    return chosen


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def personal_columns(settings: Settings, schema: str = "marts") -> dict[str, list[str]]:
    """Per table of `schema`, the columns the dbt project tags personal data (module doc)."""
    models = manifest_models(settings, schema)
    if models is None:
        raise PersonalDataError(
            f"no dbt manifest at {manifest_path(settings)} to tell which columns are personal "
            "data: nothing published, the BI copy is unchanged (run `make manifest`)"
        )
    tagged = {
        table: [name for name, column in node["columns"].items() if _is_personal(column)]
        for table, node in models.items()
    }
    return {table: columns for table, columns in tagged.items() if columns}


def _is_personal(column: dict[str, Any]) -> bool:
    # dbt 1.10+ keeps a column's meta under `config` (and copies it to the top-level `meta`).
    meta = column.get("config", {}).get("meta") or column.get("meta") or {}
    return meta.get(PERSONAL_DATA_META) is True


def _require_manifest_marts(
    state: dict[str, dict[str, Any]], settings: Settings, schema: str
) -> None:
    expected = manifest_marts(settings, schema)
    missing = [table for table in expected if table not in state]
    if missing:
        raise MartGateError(
            f"{len(missing)} of the {len(expected)} marts of the dbt manifest"
            f"{' that IRM_DBT_SELECT renders' if settings.dbt_select else ''} are not in the "
            f"warehouse's {schema} schema ({', '.join(missing)}): the build did not finish; "
            "nothing published, the BI copy is unchanged"
        )


# ---- publication ids --------------------------------------------------------------------------


def new_publication_id() -> str:
    """Sortable by time (to the microsecond), unique across processes:
    20260302T070001.123456Z-1a2b3c4d."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:8]}"


def _build_snapshot(
    warehouse: Path,
    tmp_file: Path,
    tmp_parquet: Path,
    schema: str,
    publication_id: str,
    gate: Settings | None,
    withhold: dict[str, list[str]],
    marts: Mapping[str, Mart],
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Copy the schema into a new DuckDB file and Parquet folder, without the `withhold`
    columns of each table, each table and column described by its mart's contract (`marts`);
    return rows per table and the `table.column`s left out. With `gate` (the settings), the
    marts must pass the mart gate first, in this same connection."""
    quoted = quote_ident(schema)
    with open_warehouse(warehouse) as con:
        if gate is not None:
            check_mart_gate(con, schema, gate)
        tables = list_tables(con, schema)
        if not tables:
            raise RuntimeError(
                f"the warehouse has no tables in schema {schema!r}: nothing to publish"
            )
        withheld = _present_columns(con, schema, withhold)
        tmp_parquet.mkdir(parents=True)
        con.execute(
            f"ATTACH ? AS snap (STORAGE_VERSION '{BI_COPY_STORAGE_VERSION}')", [str(tmp_file)]
        )
        try:
            con.execute(f"CREATE SCHEMA snap.{quoted}")
            for table in tables:
                name = f"{quoted}.{quote_ident(table)}"
                columns = _select_list(withheld.get(table, []))
                con.execute(f"CREATE TABLE snap.{name} AS SELECT {columns} FROM {name}")
            # What the pipeline says about this data (meta.source_freshness, warehouse.freshness)
            # travels with it; meta.publication is added below.
            con.execute(f"CREATE SCHEMA snap.{META_SCHEMA}")
            _copy_tables(con, META_SCHEMA)
            if list_tables(con, SEMANTIC_SCHEMA):
                con.execute(f"CREATE SCHEMA snap.{SEMANTIC_SCHEMA}")
                _copy_tables(con, SEMANTIC_SCHEMA)
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
        described = _describe_columns(snap, schema, marts)
        log.info("described %d published columns (comments and %s)", described, COLUMNS_TABLE)
        # Fold the write-ahead log into the file: the file alone must be complete when moved.
        snap.execute("CHECKPOINT")
    for path in [tmp_file, *tmp_parquet.iterdir()]:
        path.chmod(READ_ONLY_MODE)
    left_out = tuple(f"{table}.{column}" for table, cols in withheld.items() for column in cols)
    return row_counts, left_out


def _copy_tables(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Every table of the warehouse's `schema` into the attached snapshot's, as it is."""
    for table in list_tables(con, schema):
        name = f"{schema}.{quote_ident(table)}"
        con.execute(f"CREATE TABLE snap.{name} AS SELECT * FROM {name}")


def _present_columns(
    con: duckdb.DuckDBPyConnection, schema: str, wanted: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The `wanted` columns each table of `schema` really has (a tagged column a hand-made
    or older mart lacks has nothing to leave out)."""
    present: dict[str, list[str]] = {}
    for table, columns in wanted.items():
        rows = con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        found = [name for (name,) in rows if name in columns]
        if found:
            present[table] = found
    return present


def _select_list(left_out: list[str]) -> str:
    if not left_out:
        return "*"
    return f"* EXCLUDE ({', '.join(quote_ident(c) for c in left_out)})"


def _write_publication_table(
    snap: duckdb.DuckDBPyConnection, schema: str, publication_id: str, row_counts: dict[str, int]
) -> None:
    """`meta.publication`: which publication this file is, when, and what it holds."""
    snap.execute(
        f"CREATE TABLE {META_SCHEMA}.{META_TABLE} (publication_id VARCHAR NOT NULL, "
        "published_at TIMESTAMPTZ NOT NULL, table_schema VARCHAR NOT NULL, "
        "table_name VARCHAR NOT NULL, row_count BIGINT NOT NULL)"
    )
    published_at = datetime.now(UTC)
    insert_rows(
        snap,
        f"{META_SCHEMA}.{META_TABLE}",
        [[publication_id, published_at, schema, t, n] for t, n in row_counts.items()],
    )


def _contract(settings: Settings, schema: str) -> dict[str, Mart]:
    """The marts' contract; without a manifest (possible only with IRM_PUBLISH_PERSONAL_DATA
    =true, which needs no list of personal columns) nothing is described, with a warning."""
    try:
        return read_marts(settings, schema)
    except FileNotFoundError:
        log.warning(
            "no dbt manifest at %s: the marts are published without their descriptions "
            "(no comments, an empty %s.%s)",
            manifest_path(settings),
            META_SCHEMA,
            COLUMNS_TABLE,
        )
        return {}


def _describe_columns(
    snap: duckdb.DuckDBPyConnection, schema: str, marts: Mapping[str, Mart]
) -> int:
    """Comment every published table and column the contract names and write
    `meta.columns` (the module's doc); return how many columns were described. One
    transaction: each statement on its own would commit, 160 commits take half a second."""
    snap.execute("BEGIN TRANSACTION")
    snap.execute(COLUMNS_DDL)
    rows: list[list[Any]] = []
    for table, columns in _published_columns(snap, schema).items():
        mart = marts.get(table)
        if mart is None:
            continue
        relation = f"{quote_ident(schema)}.{quote_ident(table)}"
        snap.execute(f"COMMENT ON TABLE {relation} IS {_sql_text(mart.description)}")
        contract = {column.name: column for column in mart.columns}
        for name in (c for c in columns if c in contract):
            column = contract[name]
            snap.execute(
                f"COMMENT ON COLUMN {relation}.{quote_ident(name)} "
                f"IS {_sql_text(column.description)}"
            )
            parent_table, parent_column = mart.parent_of(name) or (None, None)
            rows.append(
                [table, name, column.label, column.format, column.unit, column.description]
                + [column.meaning, name in mart.key, column.role, parent_table, parent_column]
            )
    insert_rows(snap, f"{META_SCHEMA}.{COLUMNS_TABLE}", rows)
    snap.execute("COMMIT")
    return len(rows)


def _published_columns(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[str]]:
    """Table -> its columns in order, of every table of `schema`."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = ? "
        "ORDER BY table_name, ordinal_position",
        [schema],
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def _sql_text(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


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
