"""Run Airflow's own CLI for the local installation (the demo and the tests go through Airflow,
not around it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from irm.config import PLATFORM_POOLS, WAREHOUSE_POOL, Settings, airflow_environment

AIRFLOW_BIN = Path(sys.executable).with_name("airflow")

POOLS = {
    WAREHOUSE_POOL: (1, "DuckDB has one writer: every task that writes the warehouse"),
    PLATFORM_POOLS["youtube"]: (2, "YouTube Data API calls (quota 10,000 units/day)"),
    PLATFORM_POOLS["instagram"]: (1, "Instagram Graph API (rate limited per app and account)"),
    PLATFORM_POOLS["tiktok"]: (1, "TikTok Research API (1,000 requests/day)"),
    PLATFORM_POOLS["shop"]: (1, "Shop Admin REST API (leaky bucket of 40 calls)"),
}


class AirflowCommandError(RuntimeError):
    pass


def sandbox_connections(base_url: str, keys: Mapping[str, str]) -> dict[str, str]:
    """`AIRFLOW_CONN_*` variables pointing the `irm_*` connections at a sandbox server."""
    youtube = {"conn_type": "http", "host": f"{base_url}/youtube/v3", "password": keys["youtube"]}
    return {"AIRFLOW_CONN_IRM_YOUTUBE": json.dumps(youtube)}


def run_airflow(
    args: Sequence[str],
    settings: Settings,
    extra_env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
) -> None:
    """Run `airflow <args>`; on failure raise with the tail of its output."""
    env = {**os.environ, **airflow_environment(settings), **(extra_env or {})}
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(AIRFLOW_BIN), *args], env=env, capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text(output)
    if proc.returncode != 0 or _dag_run_failed(args, output):
        tail = "\n".join(output.splitlines()[-40:])
        where = f" (full log: {log_file})" if log_file else ""
        raise AirflowCommandError(f"airflow {' '.join(args)} failed{where}:\n{tail}")


def prepare(settings: Settings, log_dir: Path) -> None:
    """Migrate the metadata database and create the pools (both idempotent)."""
    run_airflow(["db", "migrate"], settings, log_file=log_dir / "db_migrate.log")
    for name, (slots, description) in POOLS.items():
        run_airflow(["pools", "set", name, str(slots), description], settings)


def _dag_run_failed(args: Sequence[str], output: str) -> bool:
    """`airflow dags test` can exit 0 after a failed run: read the run's final state."""
    if list(args[:2]) != ["dags", "test"]:
        return False
    finished = [line for line in output.splitlines() if "DagRun Finished" in line]
    return not finished or "state=success" not in finished[-1]
