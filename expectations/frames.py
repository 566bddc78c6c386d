"""Read warehouse tables into pandas DataFrames with one canonical dtype per column kind.

Why normalize: DuckDB's `.df()` picks dtypes by content (an INTEGER column is `int32` without
NULLs and `Int64` with them; BOOLEAN is `bool` or `boolean`), so a type expectation on the raw
frame would flip with the data. Each column is mapped from its DuckDB type to the dtype of its
kind (`contract.KIND_DTYPES`); a type outside the known kinds keeps whatever DuckDB gives.
An integer column where the contract says "number" is read as a number: integers are numbers,
and a mart should not fail because dbt rounded a score to INTEGER.

`read_warehouse` hands over one table at a time, counted by DuckDB (counts.py): the frame holds
only the rows that can fail a check, so no table travels into Python whole. Referential checks
are answered in DuckDB too, by an anti-join per reference (a derived column of the orphan
values), so a large parent never travels either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from core.db import list_tables, open_warehouse, quote_ident
from expectations.contract import KIND_DTYPES, Check, Reference, TableSuite
from expectations.counts import TableCounts, count_table

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
    rows: Sequence[int] | None = None,
) -> pd.DataFrame:
    """The table with one dtype per kind; `expected` (column -> kind) allows integer -> number.

    `columns`: read only those of them the table has (None: every column). `values`: of those,
    the ones whose values are read (None: all); the others come as NULLs of their own type, for
    the checks of the schema, which look at types only. A column no value check reads can be
    most of a mart's memory (fct_post's captions and permalinks at 10k accounts: half of its
    635 MB frame). `rows`: only these rows (DuckDB rowids; None: all)."""
    relation = _relation(schema, table)
    types = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    if columns is not None:
        keep = set(columns)
        # None of them there: everything is read and the suite's schema check says what lacks.
        types = [t for t in types if t[0] in keep] or types
    select = ", ".join(_select(column, duckdb_type, values) for column, duckdb_type, *_ in types)
    frame = con.execute(f"SELECT {select} FROM {relation} WHERE {_in_rows(rows)}").df()
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
    """One table as read in a visit to the warehouse: the rows GX is shown and the counts."""

    table: str
    frame: pd.DataFrame
    # reference -> the shown rows' values missing from the parent; a reference whose parent
    # table or columns are missing is absent (the parent's own suite reports that).
    orphans: dict[Reference, list[Any]]
    counts: TableCounts


def read_warehouse(
    path: Path,
    schema: str,
    suites: Sequence[TableSuite],
    *,
    take: Callable[[TableRead], None],
    run_checks: Mapping[str, Sequence[Check]] | None = None,
) -> list[str]:
    """Hand each suite's table that exists to `take`, counted by DuckDB with the suite's checks,
    its `run_checks` (by suite name) and its answerable references' (counts.py), in one short
    connection; return every table the schema holds.

    Each frame holds only the rows that can fail a check (counts.py), and nothing here keeps it
    once `take` returns."""
    with open_warehouse(path) as con:
        present = list_tables(con, schema)
        for suite in suites:
            if suite.table in present:
                extra = (run_checks or {}).get(suite.name, ())
                take(_read_counted(con, suite, extra, present))
    return present


def _read_counted(
    con: duckdb.DuckDBPyConnection,
    suite: TableSuite,
    extra: Sequence[Check],
    present: list[str],
) -> TableRead:
    schema, table = suite.stage, suite.table
    refs = [ref for ref in suite.references if _answerable(con, schema, table, ref, present)]
    counts = count_table(
        con,
        _relation(schema, table),
        [*suite.all_checks(), *extra, *(ref.check() for ref in refs)],
        _columns(con, schema, table),
        derived={ref.orphan_column: _orphan_value(schema, ref) for ref in refs},
        newest=suite.freshness,
    )
    checked = _checked_columns(suite.columns, suite.references)
    frame = read_table(
        con, schema, table, suite.columns, checked, suite.value_columns, rows=counts.picked
    )
    orphans = {ref: _orphans(con, schema, table, ref, counts.picked) for ref in refs}
    return TableRead(table, frame, orphans, counts)


def _checked_columns(
    declared: Mapping[str, str], references: tuple[Reference, ...] | None
) -> list[str]:
    """The columns a suite looks at: those it declares and those its references start from."""
    return [*declared, *(ref.column for ref in references or ())]


def _relation(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def _orphan_value(schema: str, ref: Reference) -> str:
    """The child's value where the parent lacks it, else NULL (SQL over the child as `t`)."""
    column, parent_column = f"t.{quote_ident(ref.column)}", quote_ident(ref.parent_column)
    return (
        f"CASE WHEN {column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        f"{_relation(schema, ref.table)} AS p WHERE p.{parent_column} = {column}) "
        f"THEN {column} END"
    )


def _answerable(
    con: duckdb.DuckDBPyConnection, schema: str, child: str, ref: Reference, present: list[str]
) -> bool:
    """The reference can be checked: the parent and both columns exist, and compare."""
    if ref.table not in present:
        log.warning("reference %s.%s -> %s skipped: no such table", child, ref.column, ref.table)
        return False
    has_columns = ref.column in _columns(con, schema, child) and ref.parent_column in _columns(
        con, schema, ref.table
    )
    if not has_columns:
        return False  # the schema check of the table missing the column reports it
    try:  # bound, not run: e.g. the two columns' types cannot be compared
        value, relation = _orphan_value(schema, ref), _relation(schema, child)
        con.execute(f"SELECT {value} FROM {relation} AS t LIMIT 0")
    except duckdb.Error as exc:
        log.warning("reference %s.%s -> %s skipped: %s", child, ref.column, ref.table, exc)
        return False
    return True


def _orphans(
    con: duckdb.DuckDBPyConnection, schema: str, child: str, ref: Reference, rows: Sequence[int]
) -> list[Any]:
    """Distinct non-NULL values of the child's column in `rows` without a parent row."""
    value = _orphan_value(schema, ref)
    found = con.execute(
        f"SELECT DISTINCT {value} AS orphan FROM {_relation(schema, child)} AS t "
        f"WHERE {_in_rows(rows)} AND {value} IS NOT NULL"
    ).fetchall()
    return [r[0] for r in found]


def _in_rows(rows: Sequence[int] | None) -> str:
    """The rows (DuckDB rowids) a read is limited to, as a WHERE condition."""
    if rows is None:
        return "true"
    return f"rowid IN ({', '.join(str(int(r)) for r in rows)})" if rows else "false"


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
