"""Read warehouse tables into pandas DataFrames with one canonical dtype per column kind.

Why normalize: DuckDB's `.df()` picks dtypes by content (an INTEGER column is `int32` without
NULLs and `Int64` with them; BOOLEAN is `bool` or `boolean`), so a type expectation on the raw
frame would flip with the data. Each column is mapped from its DuckDB type to the dtype of its
kind (`suites.KIND_DTYPES`); a type outside the known kinds keeps whatever DuckDB gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.suites import KIND_DTYPES

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
_NUMBER_TYPES = {"FLOAT", "REAL", "DOUBLE"}


def kind_of(duckdb_type: str) -> str | None:
    """The logical kind of a DuckDB type name, or None for types outside the contract."""
    name = duckdb_type.upper()
    if name in _INTEGER_TYPES:
        return "integer"
    if name in _NUMBER_TYPES or name.startswith("DECIMAL"):
        return "number"
    if name == "VARCHAR":
        return "string"
    if name == "BOOLEAN":
        return "boolean"
    if name.startswith("TIMESTAMP"):
        return "timestamp"
    if name == "DATE":
        return "date"
    return None


def quote_ident(name: str) -> str:
    """Quote a SQL identifier after checking it is a plain name (names also become file names)."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def list_tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def read_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> pd.DataFrame:
    relation = f"{quote_ident(schema)}.{quote_ident(table)}"
    types = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    frame = con.execute(f"SELECT * FROM {relation}").df()
    for column, duckdb_type, *_ in types:
        kind = kind_of(duckdb_type)
        if kind is not None:
            frame[column] = _as_kind(frame[column], kind)
    return frame


def read_tables(
    path: Path, schema: str, tables: list[str]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Frames of the named tables that exist, and every table the schema holds.

    The connection is read-only and closed at once: a reader blocks every warehouse writer.
    """
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        present = list_tables(con, schema)
        frames = {t: read_table(con, schema, t) for t in tables if t in present}
    return frames, present


def _as_kind(series: pd.Series, kind: str) -> pd.Series:
    import pandas as pd

    if kind == "timestamp":
        # utc=True converts aware values and reads naive ones as UTC, the warehouse's convention.
        series = pd.to_datetime(series, utc=True)
    elif kind == "date":
        series = pd.to_datetime(series)
    return series.astype(KIND_DTYPES[kind])
