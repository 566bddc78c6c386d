"""Mart checksums: how the recovery and backfill tests tell "the same marts" exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def mart_checksums(db: Path, schema: str = "marts") -> dict[str, str]:
    """A checksum of each table's sorted contents in `schema` (order-independent, exact)."""
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
            rows = con.execute(f'SELECT * FROM {schema}."{table}" ORDER BY ALL').fetchall()
            sums[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums
