"""Progress and noise (issue 18 item 6): a long Airflow run is followed as it goes (its log grows
while it runs, and each finished task is reported in one line), the bootstrap reports one line
per day, and the `irm` command reads and writes nothing outside the data root (no
~/airflow/airflow.cfg)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import irm.airflow_cli
from core.config import REPO_ROOT, get_settings
from irm.airflow_cli import run_airflow
from irm.run_day import TaskProgress

IRM = REPO_ROOT / ".venv" / "bin" / "irm"

# A stand-in for `airflow`: writes a line, then waits until the test says it has read that
# line in the log file (the marker file), and says whether it was read before it ended.
FAKE_AIRFLOW = """\
import os, sys, time
from pathlib import Path
print("first line", flush=True)
marker = Path(os.environ["FAKE_MARKER"])
deadline = time.monotonic() + 5
while not marker.exists() and time.monotonic() < deadline:
    time.sleep(0.02)
print("read while running" if marker.exists() else "never read while running", flush=True)
"""


def test_airflow_output_reaches_its_log_file_while_it_runs(tmp_path, monkeypatch):
    fake = tmp_path / "airflow"
    fake.write_text(f"#!{sys.executable}\n{FAKE_AIRFLOW}")
    fake.chmod(0o755)
    monkeypatch.setattr(irm.airflow_cli, "AIRFLOW_BIN", fake)
    marker, log = tmp_path / "seen", tmp_path / "logs" / "run.log"

    def watch_log() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if log.is_file() and "first line" in log.read_text():
                marker.touch()
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch_log)
    watcher.start()
    run_airflow(["version"], get_settings(), {"FAKE_MARKER": str(marker)}, log_file=log)
    watcher.join()
    assert log.read_text().splitlines() == ["first line", "read while running"]


# Lines of a real `airflow dags test irm_extract` run (Airflow 3.3), shortened; one task failed.
DAG_TEST_OUTPUT = Path(__file__).with_name("dag_test_output.log")


def test_each_finished_task_is_reported_in_one_line_with_its_state():
    reported: list[str] = []
    tasks = TaskProgress("irm_extract", reported.append)
    for line in DAG_TEST_OUTPUT.read_text().splitlines():
        tasks(line)
    assert [re.sub(r"\(\d+\.\d s\)", "(s)", line) for line in reported] == [
        "  irm_extract crm.land_files: success (s)",
        "  irm_extract youtube.land_batch[0]: failed (s)",
    ]
    assert tasks.data_interval_start == "2026-01-05 00:00:00+00:00"


def test_bootstrap_reports_one_line_per_day_and_writes_nothing_outside_the_data_root(tmp_path):
    """From a fresh shell (no venv on PATH, an empty HOME): one line per day naming every
    source's records, the extractors' own lines in the bootstrap log, and HOME left empty."""
    home, data_root = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "IRM_DATA_ROOT": str(data_root)}
    command = [str(IRM), "bootstrap", "--accounts", "4", "--days", "5", "--history-days", "3"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    output = (done.stdout + done.stderr).splitlines()
    per_day = re.compile(
        r"^bootstrap (2026-01-0[345]): crm \d+, youtube \d+, instagram \d+, tiktok \d+, "
        r"shop \d+ records$"
    )
    assert [m[1] for line in output if (m := per_day.match(line))] == [
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
    ]
    assert not [line for line in output if "youtube:" in line], "a per-source line on screen"
    assert "youtube:" in (data_root / "logs" / "bootstrap.log").read_text()
    assert not [line for line in output if str(home) in line]
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == []


def test_the_runs_of_one_airflow_process_each_get_their_log_and_their_task_lines(tmp_path):
    """`irm run` and the demo run a day's DAGs in one Airflow process (irm.dag_runs): its
    output is split at each run's marker line into that run's log file and task report."""
    from datetime import date

    from irm.dag_runs import MARKER
    from irm.run_day import DagTest, _RunOutput

    day = date(2026, 1, 6)
    runs = [
        DagTest("irm_extract", day, tmp_path / "extract.log", "the interval"),
        DagTest("irm_transform", day, tmp_path / "transform.log"),
    ]
    reported: list[str] = []
    output = _RunOutput(runs, reported.append)
    extract_lines = DAG_TEST_OUTPUT.read_text().splitlines()
    for line in ["an Airflow warning at import", f"{MARKER} run irm_extract 2026-01-06",
                 *extract_lines, f"{MARKER} run irm_transform 2026-01-06",
                 "DagRun Finished: dag_id=irm_transform, state=success"]:  # fmt: skip
        output(line)
    output.close()
    assert (tmp_path / "extract.log").read_text().splitlines() == [
        "an Airflow warning at import",
        *extract_lines,
    ]
    assert (tmp_path / "transform.log").read_text().splitlines() == [
        "DagRun Finished: dag_id=irm_transform, state=success"
    ]
    extract, transform = output.started
    assert [t for t, _ in extract.finished] == ["crm.land_files", "youtube.land_batch[0]"]
    assert transform.finished == []
    assert reported[0] == "irm_extract: the interval"
    assert reported[-1].startswith("irm_transform: 0 tasks in")
