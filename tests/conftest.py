"""Test-wide setup: every test session gets its own data root and Airflow home, so tests never
touch ./data or ~/airflow, and telemetry of every tool is off."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="irm-test-"))
os.environ.setdefault("IRM_DATA_ROOT", str(_SESSION_ROOT / "data"))
os.environ.setdefault("AIRFLOW_HOME", str(_SESSION_ROOT / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# The files that take minutes (measured on the 2-core machine; pytest prints the slowest
# durations on every run), longest first. `make test` runs two workers; xdist hands a worker
# the next file of this order when its current file has at most two tests left to run (with
# --no-loadscope-reorder, see the Makefile: by default xdist would hand out the files with the
# most tests first). Longest first, the two longest start at once on the two workers and the
# short files fill both to the end, instead of the longest running alone at the end.
# tests/serving/test_hostile_corpus.py is left to the rest: it copies the world that
# test_personal_data.py builds (tests/prepared.py), and would wait for it beside it.
LONGEST_FIRST = (
    "tests/e2e/test_demo_end_to_end.py",
    "tests/production/test_celery_topology.py",
    "tests/dags/test_quality_gate_in_dag.py",
    "tests/bench/test_bench.py",
    "tests/operations/test_up.py",
    "tests/dbt/test_marts_against_sandbox.py",
    "tests/dbt/test_dbt_build.py",
    "tests/dbt/test_long_texts.py",
    "tests/serving/test_personal_data.py",
    "tests/production/test_postgres_warehouse.py",
    "tests/operations/test_run_day.py",
    "tests/warehouse/test_set_aside.py",
    "tests/dags/test_dagbag.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}

    def position(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::")[0], len(LONGEST_FIRST))

    items.sort(key=position)  # stable: the rest keep their order


# ---- measurements a test reports (accuracy, precision, recall against the sandbox's truth) --
MEASURED = "measured"


@pytest.fixture
def measured(record_property: Callable[[str, object], None]) -> Callable[[str], None]:
    """`measured(text)`: a measurement the run must show (issue 20: "printed by a test").
    pytest captures a passing test's prints, so the text is recorded on the test's report
    (pytest-xdist carries it from the worker) and `pytest_terminal_summary` prints it at the
    end of every run, `make test` included."""

    def report(text: str) -> None:
        print(text)
        record_property(MEASURED, text.strip("\n"))

    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])]
    found = [
        (report.nodeid, value)
        for report in reports
        if report.when == "call"
        for name, value in report.user_properties
        if name == MEASURED
    ]
    if found:
        terminalreporter.section("measured against the sandbox's ground truth")
        for nodeid, text in sorted(found):
            terminalreporter.write_line(f"{nodeid}:\n{text}")
