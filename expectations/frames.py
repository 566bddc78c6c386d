"""Read warehouse tables into pandas DataFrames with one canonical dtype per column kind.

Why normalize: DuckDB's `.df()` picks dtypes by content (an INTEGER column is `int32` without
NULLs and `Int64` with them; BOOLEAN is `bool` or `boolean`), so a type expectation on the raw
frame would flip with the data. Each column is mapped from its DuckDB type to the dtype of its
kind (`contract.KIND_DTYPES`); a type outside the known kinds keeps whatever DuckDB gives.
An integer column where the contract says "number" is read as a number: integers are numbers,
and a mart should not fail because dbt rounded a score to INTEGER.

Referential checks are answered here too, by one anti-join per reference inside DuckDB (the
orphan values only), so a large parent never travels into Python.

`read_warehouse` hands over one table at a time, for the caller to write away before the next is
read: the marts together are much larger than the largest of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.db import list_tables, open_warehouse, quote_ident
from expectations.contract import KIND_DTYPES, Reference

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

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


def read_table(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    expected: Mapping[str, str] | None = None,
    columns: Collection[str] | None = None,
    values: Collection[str] | None = None,
) -> pd.DataFrame:
    """The table with one dtype per kind; `expected` (column -> kind) allows integer -> number.

    `columns`: read only those of them the table has (None: every column). `values`: of those,
    the ones whose values are read (None: all); the others come as NULLs of their own type, for
    the checks of the schema, which look at types only. A column no value check reads can be
    most of a mart's memory (fct_post's captions and permalinks at 10k accounts: half of its
    635 MB frame)."""
    relation = f"{quote_ident(schema)}.{quote_ident(table)}"
    types = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    if columns is not None:
        keep = set(columns)
        # None of them there: everything is read and the suite's schema check says what lacks.
        types = [t for t in types if t[0] in keep] or types
    select = ", ".join(_select(column, duckdb_type, values) for column, duckdb_type, *_ in types)
    frame = con.execute(f"SELECT {select} FROM {relation}").df()
    for column, duckdb_type, *_ in types:
        kind = kind_of(duckdb_type)
        if kind == "integer" and (expected or {}).get(column) == "number":
            kind = "number"
        if kind is not None:
            frame[column] = _as_kind(frame[column], kind)
    return frame


def _select(column: str, duckdb_type: str, values: Collection[str] | None) -> str:
    name = quote_ident(column)
    return name if values is None or column in values else f"NULL::{duckdb_type} AS {name}"


def read_tables(
    path: Path, schema: str, tables: list[str]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Frames of the named tables that exist, and every table the schema holds.

    The connection is closed at once: a reader blocks every warehouse writer.
    """
    with open_warehouse(path) as con:
        present = list_tables(con, schema)
        frames = {t: read_table(con, schema, t) for t in tables if t in present}
    return frames, present


@dataclass(frozen=True)
class TableRead:
    """One table as read in a visit to the warehouse."""

    table: str
    frame: pd.DataFrame
    # reference -> the table's values missing from the parent; a reference whose parent table or
    # columns are missing is absent (the parent's own suite reports that).
    orphans: dict[Reference, list[Any]]


def read_warehouse(
    path: Path,
    schema: str,
    tables: Mapping[str, Mapping[str, str]],
    references: Mapping[str, tuple[Reference, ...]] | None = None,
    *,
    take: Callable[[TableRead], None],
    values: Mapping[str, Collection[str]] | None = None,
) -> list[str]:
    """Hand each named table that exists (table -> expected column kinds) to `take`, with the
    orphans of its references, in one short connection; return every table the schema holds.
    `values`: per table, the columns whose values are read (read_table; default: all).

    One table at a time, and nothing here keeps it once `take` returns: a caller that writes
    the frame away (runner.FrameSpool) holds one table's frame, never all of them."""
    with open_warehouse(path) as con:
        present = list_tables(con, schema)
        for table, kinds in tables.items():
            if table in present:
                refs = (references or {}).get(table, ())
                read = (values or {}).get(table)
                take(_read_with_orphans(con, schema, table, kinds, refs, present, read))
    return present


def _read_with_orphans(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    kinds: Mapping[str, str],
    references: tuple[Reference, ...],
    present: list[str],
    value_columns: Collection[str] | None,
) -> TableRead:
    checked = _checked_columns(kinds, references)
    frame = read_table(con, schema, table, kinds, checked, value_columns)
    orphans = {
        ref: values
        for ref in references
        if (values := _orphans(con, schema, table, ref, present)) is not None
    }
    return TableRead(table, frame, orphans)


def _checked_columns(
    declared: Mapping[str, str], references: tuple[Reference, ...] | None
) -> list[str]:
    """The columns a suite looks at: those it declares and those its references start from."""
    return [*declared, *(ref.column for ref in references or ())]


def _orphans(
    con: duckdb.DuckDBPyConnection, schema: str, child: str, ref: Reference, present: list[str]
) -> list[Any] | None:
    """Distinct non-NULL values of child.column without a row in table.parent_column."""
    if ref.table not in present:
        log.warning("reference %s.%s -> %s skipped: no such table", child, ref.column, ref.table)
        return None
    has_columns = ref.column in _columns(con, schema, child) and ref.parent_column in _columns(
        con, schema, ref.table
    )
    if not has_columns:
        return None  # the schema check of the table missing the column reports it
    child_rel = f"{quote_ident(schema)}.{quote_ident(child)}"
    parent_rel = f"{quote_ident(schema)}.{quote_ident(ref.table)}"
    column, parent_column = quote_ident(ref.column), quote_ident(ref.parent_column)
    try:
        rows = con.execute(
            f"SELECT DISTINCT c.{column} FROM {child_rel} AS c WHERE c.{column} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {parent_rel} AS p WHERE p.{parent_column} = c.{column})"
        ).fetchall()
    except duckdb.Error as exc:  # e.g. the two columns' types cannot be compared
        log.warning("reference %s.%s -> %s skipped: %s", child, ref.column, ref.table, exc)
        return None
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _as_kind(series: pd.Series, kind: str) -> pd.Series:
    import pandas as pd  # here, not at the top: importing `expectations` stays cheap (0.3 s)

    if kind == "timestamp":
        # utc=True converts aware values and reads naive ones as UTC, the warehouse's convention.
        series = pd.to_datetime(series, utc=True)
    elif kind == "date":
        series = pd.to_datetime(series)
    return series.astype(KIND_DTYPES[kind])
