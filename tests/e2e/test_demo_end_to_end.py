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

from irm.airflow_cli import PlatformSecrets

pytestmark = pytest.mark.slow

SEED, ACCOUNTS, HISTORY_DAYS, LIVE_DAYS = 11, 16, 34, 1
# Known secret values, unlike the sandbox's defaults: the test searches every file for them.
SECRETS = PlatformSecrets(
    youtube_key="yt-key-0a7f3c9e51d2",
    instagram_token="ig-token-6b1e8d4f07a3",
    instagram_user_id="17841400000000000",
    tiktok_client_key="tt-client-key-public",
    tiktok_client_secret="tt-secret-93c5e2a8f146",
    shop_token="shpat-5d8e1f0b2c7a",
)


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
        seed=SEED,
        accounts=ACCOUNTS,
        history_days=HISTORY_DAYS,
        live_days=LIVE_DAYS,
        port=free_port(),
        secrets=SECRETS,
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
        posts = {
            r[0]
            for r in con.execute(
                "SELECT post_id FROM marts.fct_post WHERE platform = 'youtube'"
            ).fetchall()
        }
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


def test_no_secret_in_any_file_or_table(demo_run) -> None:
    """Landing, warehouse, BI copy, exports, Data Docs, state and every log (Airflow's included,
    under the data root): none holds a credential, as bytes or inside a database table."""
    *_, data_root = demo_run
    secrets = [s.encode() for s in SECRETS.values()]
    files = [p for p in data_root.rglob("*") if p.is_file()]
    assert len(files) > 50  # the run wrote what is searched
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, f"a secret in {path}"
    for db in data_root.rglob("*.duckdb"):
        with duckdb.connect(str(db), read_only=True) as con:
            columns = con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type IN ('VARCHAR', 'JSON')"
            ).fetchall()
            for schema, table, column in columns:
                for secret in SECRETS.values():
                    hits = con.execute(
                        f'SELECT count(*) FROM "{schema}"."{table}" '
                        f'WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                        [secret],
                    ).fetchone()[0]
                    assert hits == 0, f"a secret in {db.name} {schema}.{table}.{column}"
