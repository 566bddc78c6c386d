"""What every export format shares: the day's folder, the read-only source, the manifest.

An export is built in a hidden staging folder next to `<exports>/<YYYY-MM-DD>/` and renamed into
place when complete, so a reader (or the email task) never picks up half a folder, and running
the same day again replaces it. The staging folder holds a pin of the published BI copy (a hard
link, a copy where links are impossible): the format writers may run as separate Airflow tasks,
and a publication between them must not give the CSVs and the workbook different data.
Each format writer adds its files and records a `FileEntry` per file; `manifest.json` lists them.

An export says plainly when its data is older than its date: the newest day the published marts
describe (`newest_data_day`) is recorded when the export starts, and when it is more than
`EXPECTED_DATA_LAG_DAYS` before the export's day, the start logs a warning and the report and
the workbook open with `stale_data_note`. The published copy also carries the freshness of each
source when its data was built (`meta.source_freshness`, warehouse.freshness), which the report
shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from core.config import get_settings
from core.db import quote_ident
from core.files import replace_dir

log = logging.getLogger(__name__)

MARTS = "marts"
MANIFEST = "manifest.json"
PINNED_SOURCE = ".source.duckdb"
RUN_INFO = ".export.json"
ENTRIES_GLOB = ".entries-*.json"
# A staging folder this old belongs to a run that died; a newer one may be in use.
STALE_STAGING_SECONDS = 12 * 3600
# An export of day D normally holds the data through D - 1 (a day's data is complete once the
# day is over; Monday's export reads through Sunday). Older data gets a warning.
EXPECTED_DATA_LAG_DAYS = 1
# Where the newest day the marts describe is read, first found wins (mart, column).
DATA_DAY_COLUMNS = (
    ("fct_account_daily", "date"),
    ("dim_creator_account", "last_refreshed_at"),
    ("fct_post", "published_at"),
)
# The BI copy's source freshness (warehouse.freshness writes it, warehouse.publish copies it).
SOURCE_FRESHNESS = ("meta", "source_freshness")


@dataclass(frozen=True)
class FileEntry:
    file: str
    mart: str | None
    rows: int | None
    columns: list[str] = field(default_factory=list)
    sha256: str = ""


@dataclass(frozen=True)
class ExportRun:
    """One export in progress: its staging folder and what it reads."""

    day: str
    staging: Path
    source: Path  # the published copy it was started from (for the manifest)
    publication_id: str | None
    published_at: str | None
    data_through: str | None = None  # the newest day the marts describe (newest_data_day)

    @property
    def pinned_source(self) -> Path:
        return self.staging / PINNED_SOURCE


def export_day(day: str | date) -> str:
    """The day as YYYY-MM-DD; anything else is refused (it becomes a folder name)."""
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, date):
        return day.isoformat()
    return date.fromisoformat(day).isoformat()


@contextmanager
def open_source(source: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published BI copy (never the warehouse: no lock taken)."""
    path = source or get_settings().published_path
    if not path.exists():
        raise FileNotFoundError(f"no published copy at {path}: publish the marts first")
    with duckdb.connect(str(path), read_only=True) as con:
        # Timestamps are written in UTC whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        READ_ONLY_COPIES.add(con)
        yield con


# The connections open_source opened: read-only, to a BI copy that cannot change under them,
# so what they say of its tables may be kept while they live (exports.columns).
READ_ONLY_COPIES: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()


def mart_columns(con: duckdb.DuckDBPyConnection, mart: str) -> dict[str, str]:
    """Column name → DuckDB type of a mart, in table order; empty when the mart is absent."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [MARTS, mart],
    ).fetchall()
    return dict(rows)


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def publication_of(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None]:
    """(publication id, published at) of a BI copy; (None, None) for a copy without them."""
    if not has_table(con, "meta", "publication"):
        return None, None
    row = con.execute(
        "SELECT publication_id, strftime(published_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC') "
        "FROM meta.publication LIMIT 1"
    ).fetchall()
    return (row[0][0], row[0][1]) if row else (None, None)


def newest_data_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest day the published marts describe (None without dated data)."""
    for mart, column in DATA_DAY_COLUMNS:
        if column in mart_columns(con, mart):
            sql = f"SELECT max({quote_ident(column)})::DATE FROM {MARTS}.{quote_ident(mart)}"
            newest = con.execute(sql).fetchall()[0][0]
            if newest:
                return newest
    return None


def stale_data_note(run: ExportRun) -> str | None:
    """What the export says first when its data is older than its date; None when current."""
    day = date.fromisoformat(run.day)
    if run.data_through is None:
        return f"This export is dated {run.day}, but the published marts hold no dated data yet."
    through = date.fromisoformat(run.data_through)
    behind = (day - through).days
    if behind <= EXPECTED_DATA_LAG_DAYS:
        return None
    return (
        f"This export is dated {run.day}, but its data ends on {run.data_through}, {behind} "
        "days earlier: nothing newer has been published, and every number below is as of "
        f"{run.data_through}."
    )


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """The BI copy holds the table (a copy published by an older version may not)."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def source_freshness(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The BI copy's source freshness rows (empty for a copy without them)."""
    schema, table = SOURCE_FRESHNESS
    if not has_table(con, schema, table):
        return []
    return fetch_dicts(con, f"SELECT * FROM {schema}.{table} ORDER BY source, source_table")


def start_export(day: str | date, source: Path | None = None) -> ExportRun:
    """Create the day's staging folder and pin the published copy in it."""
    day_str = export_day(day)
    source_path = source or get_settings().published_path
    if not source_path.exists():
        raise FileNotFoundError(f"no published copy at {source_path}: publish the marts first")
    target = get_settings().export_dir_for(day_str)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(target)
    staging = target.with_name(f".{target.name}.staging-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    _pin(source_path, staging / PINNED_SOURCE)
    with open_source(staging / PINNED_SOURCE) as con:
        publication_id, published_at = publication_of(con)
        newest = newest_data_day(con)
    data_through = newest.isoformat() if newest else None
    run = ExportRun(day_str, staging, source_path, publication_id, published_at, data_through)
    info = {
        "day": day_str,
        "source": str(source_path),
        "publication_id": publication_id,
        "published_at": published_at,
        "data_through": data_through,
    }
    (staging / RUN_INFO).write_text(json.dumps(info), encoding="utf-8")
    log.info("export %s started in %s from publication %s", day_str, staging, publication_id)
    note = stale_data_note(run)
    if note:
        log.warning("%s", note)
    return run


def load_run(staging: Path) -> ExportRun:
    """The run a staging folder belongs to (format tasks get only the folder's path)."""
    info = json.loads((staging / RUN_INFO).read_text(encoding="utf-8"))
    return ExportRun(
        info["day"],
        staging,
        Path(info["source"]),
        info["publication_id"],
        info["published_at"],
        info.get("data_through"),
    )


def record_entries(run: ExportRun, fmt: str, entries: list[FileEntry]) -> None:
    path = run.staging / f".entries-{fmt}.json"
    path.write_text(json.dumps([asdict(e) for e in entries]), encoding="utf-8")


def finish_export(run: ExportRun) -> Path:
    """Write the manifest, drop the pin, and move the folder into `<exports>/<day>/`."""
    entries: list[dict[str, Any]] = []
    for path in sorted(run.staging.glob(ENTRIES_GLOB)):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
        path.unlink()
    if not entries:
        raise RuntimeError(f"export {run.day}: no format wrote any file in {run.staging}")
    write_manifest(run, sorted(entries, key=lambda e: e["file"]))
    run.pinned_source.unlink()
    (run.staging / RUN_INFO).unlink()
    target = get_settings().export_dir_for(run.day)
    replace_dir(run.staging, target)
    log.info("export %s: %s", target, [e["file"] for e in entries])
    return target


def abandon_export(run: ExportRun) -> None:
    shutil.rmtree(run.staging, ignore_errors=True)


def write_manifest(run: ExportRun, entries: list[dict[str, Any]]) -> Path:
    manifest = {
        "day": run.day,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(run.source),
        "publication_id": run.publication_id,
        "published_at": run.published_at,
        "data_through": run.data_through,
        "files": entries,
    }
    path = run.staging / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pin(source: Path, pin: Path) -> None:
    """A hard link keeps this publication's file alive however often it is replaced; a copy
    where the exports live on another file system."""
    try:
        os.link(source, pin)
    except OSError:
        shutil.copyfile(source, pin)


def _remove_stale_staging(target: Path) -> None:
    cutoff = time.time() - STALE_STAGING_SECONDS
    for folder in target.parent.glob(f".{target.name}.staging-*"):
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
