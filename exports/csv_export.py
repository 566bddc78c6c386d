"""CSV export: one file per mart of the published BI copy.

The CSVs are opened by people in spreadsheet programs, which run a cell that starts with `=`,
`+`, `-` or `@` (or a tab or carriage return before one) as a formula: a caption or a name
typed by anyone would then run on the reader's machine. As OWASP's CSV-injection advice says,
such a text cell gets a leading `'`, which makes it text; every cell with a quote, comma or
line break is quoted, its quotes doubled. Which cells are text is decided by the column's type,
not by how a value looks: a negative number (`-0.5`) stays a number. The BI copy and its
Parquet files hold every value exactly as published.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from core.db import list_tables, quote_ident
from exports.folder import MARTS, FileEntry, sha256

log = logging.getLogger(__name__)

# The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_TYPE = "VARCHAR"


def write_csvs(
    con: duckdb.DuckDBPyConnection, folder: Path, marts: list[str] | None = None
) -> list[FileEntry]:
    """One CSV per mart into `folder` (UTF-8, header, comma, NULL as empty, rows sorted)."""
    if marts is None:
        marts = list_tables(con, MARTS)
    if not marts:
        raise RuntimeError(f"the source has no tables in schema {MARTS!r}: nothing to export")
    return [_write_csv(con, folder, mart) for mart in marts]


def _write_csv(con: duckdb.DuckDBPyConnection, folder: Path, mart: str) -> FileEntry:
    relation = f"{quote_ident(MARTS)}.{quote_ident(mart)}"
    path = folder / f"{mart}.csv"
    described = con.execute(f"DESCRIBE {relation}").fetchall()
    columns = [row[0] for row in described]
    select = ", ".join(_cell_sql(name, kind) for name, kind, *_ in described)
    # ORDER BY ALL: the same marts give byte-identical files, so exports diff cleanly.
    con.execute(
        f"COPY (SELECT {select} FROM {relation} ORDER BY ALL) TO ? (FORMAT csv, HEADER)",
        [str(path)],
    )
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]
    return FileEntry(file=path.name, mart=mart, rows=rows, columns=columns, sha256=sha256(path))


def _cell_sql(column: str, kind: str) -> str:
    """The column as its CSV cells: a text cell that would start a formula gets a leading '."""
    name = quote_ident(column)
    if kind != TEXT_TYPE:
        return name
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_STARTS)
    return f"CASE WHEN left({name}, 1) IN ({starts}) THEN '''' || {name} ELSE {name} END AS {name}"
