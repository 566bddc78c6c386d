"""The thin slice end to end, through Airflow: sandbox API → landing → raw → dbt → GX → BI copy
→ export; the marts are checked against the sandbox world's ground truth, and a second run
without cleaning gives the same marts."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

SEED, ACCOUNTS, DAYS, LIVE_DAYS = 11, 12, 20, 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mart_checksums(db: Path) -> dict[str, str]:
    """A checksum of each mart's sorted contents (order-independent, exact)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "ORDER BY 1"
            ).fetchall()
        ]
        sums = {}
        for table in tables:
            rows = con.execute(f'SELECT * FROM marts."{table}" ORDER BY ALL').fetchall()
            sums[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from irm.demo import DemoOptions, run_demo

    data_root = tmp_path_factory.mktemp("e2e") / "data"
    patch = pytest.MonkeyPatch()
    patch.setenv("IRM_DATA_ROOT", str(data_root))
    patch.delenv("AIRFLOW_HOME", raising=False)
    options = DemoOptions(
        seed=SEED, accounts=ACCOUNTS, days=DAYS, live_days=LIVE_DAYS, port=free_port()
    )
    first = run_demo(options, progress=print)
    checksums_first = mart_checksums(first.published)
    second = run_demo(options, progress=print)
    yield options, first, second, checksums_first, data_root
    patch.undo()


@pytest.fixture(scope="module")
def ground_truth(demo_run, tmp_path_factory) -> dict:
    options, first, *_ = demo_run
    out = tmp_path_factory.mktemp("truth") / "ground_truth.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "ground-truth",
            "--seed",
            str(options.seed),
            "--accounts",
            str(options.accounts),
            "--days",
            str(options.days),
            "--day",
            first.last_day.isoformat(),
            "--out",
            str(out),
        ],  # fmt: skip
        check=True,
    )
    return json.loads(out.read_text())


def test_printed_paths_exist(demo_run) -> None:
    _, first, *_ = demo_run
    for path in (first.warehouse, first.published, first.export_dir, first.data_docs):
        assert path.exists(), path


def test_second_run_gives_the_same_marts(demo_run) -> None:
    _, _, second, checksums_first, _ = demo_run
    assert checksums_first, "no marts were published"
    assert mart_checksums(second.published) == checksums_first


def test_marts_match_the_world(demo_run, ground_truth) -> None:
    _, first, *_ = demo_run
    channels = ground_truth["youtube"]["channels"]  # channel id -> truth as of the last day
    with duckdb.connect(str(first.published), read_only=True) as con:
        accounts = dict(
            con.execute(
                "SELECT account_id, followers FROM marts.dim_creator_account "
                "WHERE platform = 'youtube'"
            ).fetchall()
        )
        posts = {r[0] for r in con.execute("SELECT post_id FROM marts.fct_post").fetchall()}
    # channel id -> its truth as of the last day; a hidden subscriber count is None there too
    expected_accounts = {
        f"youtube:{channel_id}": truth["subscriber_counts"][-1]
        for channel_id, truth in channels.items()
    }
    assert accounts == expected_accounts
    expected_posts = {
        f"youtube:{video['video_id']}" for truth in channels.values() for video in truth["videos"]
    }
    assert posts == expected_posts


def test_export_holds_the_marts_as_csv(demo_run) -> None:
    _, first, *_ = demo_run
    csvs = {p.stem for p in first.export_dir.glob("*.csv")}
    assert {"fct_post", "dim_creator_account"} <= csvs
