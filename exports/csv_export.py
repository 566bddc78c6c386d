"""CSV export: one file per mart of the published BI copy."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from exports.folder import MARTS, FileEntry, list_marts, quote_ident, sha256

log = logging.getLogger(__name__)


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
