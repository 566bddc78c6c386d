"""Mart checksums: how the recovery and backfill tests tell "the same marts" exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from warehouse.load import LEDGER, RAW_ENTITIES, raw_table


def mart_checksums(
    db: Path, schema: str = "marts", leave_out: dict[str, list[str]] | None = None
) -> dict[str, str]:
    """A checksum of each table's sorted contents in `schema` (order-independent, exact),
    without the `leave_out` columns of each table (what publication withholds as personal
    data, so a warehouse compares with its BI copy)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                "ORDER BY 1",
                [schema],
            ).fetchall()
        ]
        sums = {}
        for table in tables:
            dropped = ", ".join(f'"{c}"' for c in (leave_out or {}).get(table, []))
            columns = f"* EXCLUDE ({dropped})" if dropped else "*"
            rows = con.execute(f'SELECT {columns} FROM {schema}."{table}" ORDER BY ALL').fetchall()
            sums[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


def raw_checksums(db: Path) -> dict[str, str]:
    """Checksums of what the load writes: each source entity's raw table and the load ledger,
    without the ledger's load times. dbt builds the marts from these tables alone."""
    ledger = LEDGER.split(".")[1]
    written = {raw_table(source, entity).split(".")[1] for source, entity in RAW_ENTITIES}
    sums = mart_checksums(db, "raw", leave_out={ledger: ["loaded_at"]})
    return {table: sum_ for table, sum_ in sums.items() if table in written | {ledger}}
