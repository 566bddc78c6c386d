"""The BI copy under load: reader processes query it in a loop while it is published 3 times.

What a BI user relies on (SPEC 8): never a lock error, never a half-built mart. Each
publication writes marts whose row counts and sums agree with a summary row of the same
publication; every reader checks that agreement in every answer (tests/serving/bi_reader.py).
Readers go through DuckDB and through SQLAlchemy + duckdb_engine, as BI drivers do, and
through the Parquet files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from core.config import REPO_ROOT, Settings
from tests.serving import bi_reader
from warehouse.publish import publish_marts

PUBLICATIONS = 3
# Modes that open the copy anew for each query: they must follow every publication.
FOLLOWING_MODES = ("duckdb", "sqlalchemy", "parquet")
MODES = (*FOLLOWING_MODES, "sqlalchemy-pooled", "held")
READY_TIMEOUT_S = 60
FOLLOW_TIMEOUT_S = 30
ANSWERS_BETWEEN = 5


def rows_for(pub: int) -> tuple[int, int]:
    """Row counts of big_a and big_b in publication `pub`: different in every publication."""
    return bi_reader.expected_rows_a(pub), 50_000 + 5_000 * pub


def write_generation(warehouse: Path, pub: int) -> None:
    """A transform-like rebuild of the warehouse marts: complete data of publication `pub`."""
    rows_a, rows_b = rows_for(pub)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(
            "CREATE OR REPLACE TABLE marts.big_a AS SELECT ? AS pub, i AS id, "
            "(i * 7 + ?) % 1000 AS amount, repeat('x', 24) AS pad FROM range(?) AS t(i)",
            [pub, pub, rows_a],
        )
        con.execute(
            "CREATE OR REPLACE TABLE marts.big_b AS SELECT ? AS pub, i AS id FROM range(?) t(i)",
            [pub, rows_b],
        )
        con.execute(
            "CREATE OR REPLACE TABLE marts.summary AS SELECT ? AS pub, "
            "(SELECT count(*) FROM marts.big_a) AS rows_a, "
            "(SELECT sum(amount) FROM marts.big_a) AS sum_a, "
            "(SELECT count(*) FROM marts.big_b) AS rows_b",
            [pub],
        )


def start_reader(mode: str, bi_copy: Path, work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.serving.bi_reader",
            mode,
            str(bi_copy),
            str(work / "stop"),
            str(work / f"{mode}.json"),
        ],
        cwd=REPO_ROOT,
        stderr=(work / f"{mode}.stderr").open("wb"),
    )


def progress(work: Path, mode: str) -> tuple[int | None, int]:
    """(newest publication a reader answered from, its answers so far)."""
    try:
        pub, answers = (work / f"{mode}.ready").read_text(encoding="utf-8").split()
        return int(pub), int(answers)
    except (FileNotFoundError, ValueError):  # not started, or caught mid-write
        return None, 0


def latest_seen(work: Path, mode: str) -> int | None:
    return progress(work, mode)[0]


def answered_since(work: Path, before: dict[str, int], count: int) -> bool:
    return all(progress(work, m)[1] >= before[m] + count for m in before)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.timeout(180)
def test_readers_never_fail_and_always_see_a_complete_publication(
    settings: Settings, tmp_path: Path
) -> None:
    work = tmp_path / "readers"
    work.mkdir()
    write_generation(settings.warehouse_path, 0)
    publication_ids = [publish_marts().publication_id]
    readers = {mode: start_reader(mode, settings.published_path, work) for mode in MODES}
    try:
        wait_until(
            lambda: all(latest_seen(work, m) == 0 for m in MODES), READY_TIMEOUT_S, "readers"
        )
        for pub in range(1, PUBLICATIONS + 1):
            # Let every reader answer a few more times, so each publication starts, and its
            # files are swapped, while all of them are busy reading.
            before = {m: progress(work, m)[1] for m in MODES}
            wait_until(
                lambda b=before: answered_since(work, b, ANSWERS_BETWEEN),
                FOLLOW_TIMEOUT_S,
                "readers to keep answering",
            )
            write_generation(settings.warehouse_path, pub)
            result = publish_marts()
            assert result.row_counts["big_a"] == rows_for(pub)[0]
            publication_ids.append(result.publication_id)
            # Readers query without pause; wait until the ones that reconnect per query have
            # answered from the new copy, so each publication happens under running readers.
            wait_until(
                lambda p=pub: all(latest_seen(work, m) == p for m in FOLLOWING_MODES),
                FOLLOW_TIMEOUT_S,
                f"readers to see publication {pub}",
            )
        wait_until(
            lambda: latest_seen(work, "sqlalchemy-pooled") == PUBLICATIONS,
            FOLLOW_TIMEOUT_S,
            "the recycled pool to see the last publication",
        )
    finally:
        (work / "stop").touch()
        for process in readers.values():
            process.wait(timeout=60)
    reports = {m: json.loads((work / f"{m}.json").read_text(encoding="utf-8")) for m in MODES}

    for mode, report in reports.items():
        assert report["error_count"] == 0, (mode, report["errors"])
        assert report["problem_count"] == 0, (mode, report["problems"])
        assert report["queries"] >= ANSWERS_BETWEEN * PUBLICATIONS, (mode, report)
    everything = {str(p) for p in range(PUBLICATIONS + 1)}
    for mode in FOLLOWING_MODES:
        assert set(reports[mode]["publications_seen"]) == everything, reports[mode]
    # A held connection keeps the copy it opened, unharmed by the replacements.
    assert set(reports["held"]["publications_seen"]) == {"0"}
    assert str(PUBLICATIONS) in reports["sqlalchemy-pooled"]["publications_seen"]
    assert len(set(publication_ids)) == PUBLICATIONS + 1
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        ids = con.execute("SELECT DISTINCT publication_id FROM meta.publication").fetchall()
    assert ids == [(publication_ids[-1],)]
    # Nothing temporary is left beside the copy.
    assert sorted(p.name for p in settings.published_path.parent.iterdir()) == [
        "irm.duckdb",
        "parquet",
    ]
    # Parquet: the newest publications' folders, `current` naming the last.
    parquet = settings.published_parquet_dir
    assert sorted(p.name for p in parquet.iterdir()) == sorted([*publication_ids[-3:], "current"])
    assert (parquet / "current").resolve() == parquet / publication_ids[-1]
    assert sorted(p.name for p in (parquet / "current").iterdir()) == [
        "big_a.parquet",
        "big_b.parquet",
        "summary.parquet",
    ]
