"""CSV export: one file per mart of the published BI copy, plus `manifest.json`."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import duckdb

from exports.folder import (
    MARTS,
    FileEntry,
    export_day,
    list_marts,
    open_source,
    quote_ident,
    sha256,
    staged_folder,
    write_manifest,
)
from irm.config import get_settings

log = logging.getLogger(__name__)


def write_csv_export(day: str | date, source: Path | None = None) -> Path:
    """Write `<exports>/<day>/<mart>.csv` for every mart, replacing that day's folder.

    `source` is the published DuckDB file (default: settings.published_path), opened read-only.
    Returns the day's folder.
    """
    day_str = export_day(day)
    source_path = source or get_settings().published_path
    with open_source(source_path) as con, staged_folder(day_str) as folder:
        entries = write_csvs(con, folder)
        write_manifest(folder, day_str, source_path, entries)
    target = get_settings().export_dir_for(day_str)
    log.info("CSV export %s: %s", target, {e.mart: e.rows for e in entries})
    return target


def write_csvs(
    con: duckdb.DuckDBPyConnection, folder: Path, marts: list[str] | None = None
) -> list[FileEntry]:
    """One CSV per mart into `folder` (UTF-8, header, comma, NULL as empty, rows sorted)."""
    if marts is None:
        marts = list_marts(con)
    if not marts:
        raise RuntimeError(f"the source has no tables in schema {MARTS!r}: nothing to export")
    return [_write_csv(con, folder, mart) for mart in marts]


def _write_csv(con: duckdb.DuckDBPyConnection, folder: Path, mart: str) -> FileEntry:
    relation = f"{quote_ident(MARTS)}.{quote_ident(mart)}"
    path = folder / f"{mart}.csv"
    columns = [r[0] for r in con.execute(f"DESCRIBE {relation}").fetchall()]
    # ORDER BY ALL: the same marts give byte-identical files, so exports diff cleanly.
    con.execute(
        f"COPY (SELECT * FROM {relation} ORDER BY ALL) TO ? (FORMAT csv, HEADER)", [str(path)]
    )
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return FileEntry(file=path.name, mart=mart, rows=rows, columns=columns, sha256=sha256(path))
