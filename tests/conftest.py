"""Test-wide setup: every test session gets its own data root and Airflow home, so tests never
touch ./data or ~/airflow, and telemetry of every tool is off."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="irm-test-"))
os.environ.setdefault("IRM_DATA_ROOT", str(_SESSION_ROOT / "data"))
os.environ.setdefault("AIRFLOW_HOME", str(_SESSION_ROOT / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# The files that take minutes (measured on the 2-core machine; pytest prints the slowest
# durations on every run), longest first. `make test` runs two workers that take files in
# collection order, each holding its running file and one queued: starting the long files
# first keeps both busy to the end instead of leaving the longest one running alone. The
# third entry is the first worker's queued file, which waits for the longest: a short one.
LONGEST_FIRST = (
    "tests/e2e/test_demo_end_to_end.py",
    "tests/production/test_celery_topology.py",
    "tests/dags/test_dagbag.py",
    "tests/dags/test_quality_gate_in_dag.py",
    "tests/bench/test_bench.py",
    "tests/operations/test_up.py",
    "tests/dbt/test_marts_against_sandbox.py",
    "tests/dbt/test_dbt_build.py",
    "tests/dbt/test_long_texts.py",
    "tests/operations/test_run_day.py",
    "tests/warehouse/test_set_aside.py",
    "tests/serving/test_hostile_corpus.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}

    def position(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::")[0], len(LONGEST_FIRST))

    items.sort(key=position)  # stable: the rest keep their order
