"""A BI-tool stand-in: queries the published copy in a loop and checks every answer is whole.

Run as its own process (`python -m tests.serving.bi_reader MODE BI_COPY STOP_FILE OUT_FILE`)
by test_concurrent_readers.py, the way a BI tool is a process of its own. Modes:
- `duckdb`: a new read-only DuckDB connection per query (the DuckDB CLI, scripts, Evidence);
- `sqlalchemy`: SQLAlchemy + duckdb_engine with NullPool, a connection per query (Superset's
  default for analytics databases);
- `sqlalchemy-pooled`: SQLAlchemy's default QueuePool, recycled every second (Metabase-like
  long-lived pooled connections);
- `held`: one DuckDB connection held for the whole run (it keeps its generation);
- `parquet`: the Parquet files of the publication `parquet/current` names.

Every answer must come from one complete publication of the test's data (see
test_concurrent_readers.publication_sql): the summary row, both marts and meta.publication must
agree. Errors and inconsistent answers are recorded, not raised, so the test sees them all.
Writes a JSON report to OUT_FILE when STOP_FILE appears.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One statement: a reader gets all of it from one snapshot or not at all.
CONSISTENCY_SQL = """
SELECT s.pub, s.rows_a, s.sum_a, s.rows_b,
       (SELECT count(*) FROM marts.big_a), (SELECT sum(amount) FROM marts.big_a),
       (SELECT min(pub) FROM marts.big_a), (SELECT max(pub) FROM marts.big_a),
       (SELECT count(*) FROM marts.big_b), (SELECT min(pub) FROM marts.big_b),
       (SELECT max(pub) FROM marts.big_b),
       (SELECT min(publication_id) FROM meta.publication),
       (SELECT max(publication_id) FROM meta.publication)
FROM marts.summary AS s
"""

PARQUET_SQL = "SELECT count(*), sum(amount), min(pub), max(pub) FROM read_parquet(?)"
SUMMARY_SQL = "SELECT pub, rows_a, sum_a, rows_b FROM read_parquet(?)"
MAX_RECORDED_ERRORS = 20
MAX_RUN_SECONDS = 240  # a safety stop should the test die without writing the stop file


def check_database_answer(rows: list[tuple[Any, ...]]) -> tuple[int, str | None]:
    """(publication, problem or None) for one answer of CONSISTENCY_SQL."""
    if len(rows) != 1:
        return -1, f"summary has {len(rows)} rows"
    pub, rows_a, sum_a, rows_b, n_a, s_a, min_a, max_a, n_b, min_b, max_b, id_lo, id_hi = rows[0]
    if (n_a, s_a, min_a, max_a) != (rows_a, sum_a, pub, pub):
        return pub, f"big_a {n_a, s_a, min_a, max_a} != summary {rows_a, sum_a, pub}"
    if (n_b, min_b, max_b) != (rows_b, pub, pub):
        return pub, f"big_b {n_b, min_b, max_b} != summary {rows_b, pub}"
    if id_lo != id_hi or id_lo is None:
        return pub, f"meta.publication mixes publications {id_lo}..{id_hi}"
    return pub, None


def duckdb_query(path: Path, mode: str) -> Callable[[], list[tuple[Any, ...]]]:
    import duckdb

    if mode == "held":
        con = duckdb.connect(str(path), read_only=True)
        return lambda: con.execute(CONSISTENCY_SQL).fetchall()

    def per_query() -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(CONSISTENCY_SQL).fetchall()

    return per_query


def sqlalchemy_query(path: Path, mode: str) -> Callable[[], list[tuple[Any, ...]]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    if mode == "sqlalchemy":  # the URI as typed into Superset, which uses NullPool
        engine = create_engine(f"duckdb:///{path}?access_mode=READ_ONLY", poolclass=NullPool)
    else:
        engine = create_engine(
            f"duckdb:///{path}", connect_args={"read_only": True}, pool_recycle=1
        )
    statement = text(CONSISTENCY_SQL)

    def query() -> list[tuple[Any, ...]]:
        with engine.connect() as con:
            return [tuple(row) for row in con.execute(statement)]

    return query


def parquet_check(path: Path) -> Callable[[], tuple[int, str | None]]:
    """Resolve `parquet/current` once, then read that publication's files: together they must
    be one whole publication."""
    import duckdb

    current = path.parent / "parquet" / "current"
    con = duckdb.connect()

    def check() -> tuple[int, str | None]:
        folder = current.resolve(strict=True)
        summary = con.execute(SUMMARY_SQL, [str(folder / "summary.parquet")]).fetchall()
        big_a = con.execute(PARQUET_SQL, [str(folder / "big_a.parquet")]).fetchone()
        n_a, s_a, min_a, max_a = big_a
        if len(summary) != 1:
            return -1, f"summary.parquet has {len(summary)} rows"
        pub, rows_a, sum_a, _ = summary[0]
        if (n_a, s_a, min_a, max_a) != (rows_a, sum_a, pub, pub):
            return pub, f"big_a.parquet {n_a, s_a, min_a, max_a} != summary {rows_a, sum_a, pub}"
        return pub, None

    return check


def expected_rows_a(pub: int) -> int:
    """Kept in step with test_concurrent_readers.rows_for."""
    return 150_000 + 10_000 * pub


def make_check(mode: str, path: Path) -> Callable[[], tuple[int, str | None]]:
    if mode == "parquet":
        return parquet_check(path)
    query = sqlalchemy_query(path, mode) if mode.startswith("sqlalchemy") else None
    query = query or duckdb_query(path, mode)
    return lambda: check_database_answer(query())


def run(mode: str, path: Path, stop_file: Path, out_file: Path) -> None:
    started = time.monotonic()
    seen: Counter[int] = Counter()
    problems: list[str] = []
    errors: list[str] = []
    queries = problem_count = 0
    check = make_check(mode, path)
    # The newest publication answered and the answers so far, for the test to wait on.
    progress = out_file.with_suffix(".ready")
    while not stop_file.exists() and time.monotonic() - started < MAX_RUN_SECONDS:
        queries += 1
        try:
            pub, problem = check()
        except Exception:  # a lock error, a missing file, a half-built table: all count
            if len(errors) < MAX_RECORDED_ERRORS:
                errors.append(traceback.format_exc(limit=3))
            continue
        seen[pub] += 1
        if problem:
            problem_count += 1
            if len(problems) < MAX_RECORDED_ERRORS:
                problems.append(problem)
        progress.write_text(f"{pub} {sum(seen.values())}", encoding="utf-8")
    report = {
        "mode": mode,
        "queries": queries,
        "errors": errors,
        "error_count": queries - sum(seen.values()),
        "problem_count": problem_count,
        "problems": problems,
        "publications_seen": {str(k): v for k, v in sorted(seen.items())},
        "seconds": round(time.monotonic() - started, 2),
    }
    out_file.write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    mode_arg, path_arg, stop_arg, out_arg = sys.argv[1:5]
    run(mode_arg, Path(path_arg), Path(stop_arg), Path(out_arg))
