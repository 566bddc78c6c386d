"""`irm up` (issue 18 items 1 and 2): started from a fresh shell (no venv on PATH, an empty
HOME) on a free port, it prints the address it really serves once it answers; the REST API
logs in with the generated admin password and lists the three DAGs, paused, although an older
demo had left them unpaused; with the scheduler running (two heartbeats after the DAGs are
listed), no run is created and nothing lands or is published, although the roster waits in the
inbox and the sandbox answers (an unpaused irm_extract would land today's date from the
sandbox's March); stopping it (SIGTERM) stops every process it started, the sandbox included,
and HOME stays empty."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from core.config import REPO_ROOT, get_settings
from irm.airflow_cli import run_airflow
from tests.production.conftest import dbt_manifest  # noqa: F401 (the DAGs parse from it)
from tests.production.topology import free_port

pytestmark = pytest.mark.slow

IRM = REPO_ROOT / ".venv" / "bin" / "irm"
DAG_IDS = {"irm_extract", "irm_transform", "irm_exports"}
# Scheduler heartbeats to wait for once the DAGs are listed: the scheduler creates the due runs
# of unpaused DAGs in every loop (about a second apart) and beats every 5 s, so two beats after
# the DAGs are known cover several loops: time for an unpaused irm_extract to get its run.
SCHEDULER_BEATS = 2


def api(url: str, token: str | None = None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def files_under(*folders: Path) -> set[Path]:
    return {p for folder in folders for p in folder.rglob("*") if p.is_file()}


class Output:
    """`irm up`'s output, read as it comes."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.lines.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))


def wait_for_dags(base: str, token: str, timeout: float = 120) -> dict[str, dict]:
    """The DAGs the API lists, once the dag-processor has parsed all three."""
    deadline = time.monotonic() + timeout
    while True:
        dags = {d["dag_id"]: d for d in api(f"{base}/api/v2/dags", token)["dags"]}
        if dags.keys() >= DAG_IDS or time.monotonic() > deadline:
            return dags
        time.sleep(2)


def wait_for_scheduler_beats(base: str, beats: int, timeout: float = 90) -> dict:
    """The health answer once the scheduler's heartbeat has moved on `beats` times (each beat
    ends a scheduler loop that ran)."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while True:
        health = api(f"{base}/api/v2/monitor/health")
        seen.add(health["scheduler"]["latest_scheduler_heartbeat"] or "")
        if len(seen) > beats or time.monotonic() > deadline:
            return health
        time.sleep(1)


def older_demos_metadata(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """The metadata an older `irm demo` left: the DAGs known, and unpaused (its Airflow
    created them so). Returns each DAG's is_paused."""
    monkeypatch.setenv("IRM_DATA_ROOT", str(root))
    monkeypatch.delenv("AIRFLOW_HOME", raising=False)
    settings, unpaused = get_settings(), {"AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False"}
    run_airflow(["db", "migrate"], settings, log_file=root / "logs" / "older_demo.log")
    run_airflow(["dags", "reserialize"], settings, unpaused, log_file=root / "logs" / "older.log")
    return paused_in_metadata(root)


def paused_in_metadata(root: Path) -> dict[str, bool]:
    with sqlite3.connect(root / "airflow" / "airflow.db") as db:
        return {
            dag_id: bool(paused)
            for dag_id, paused in db.execute("SELECT dag_id, is_paused FROM dag")
        }


@pytest.mark.usefixtures("dbt_manifest")
def test_up_from_a_fresh_shell_serves_the_dags_paused_and_harms_nothing(tmp_path, monkeypatch):
    home, root = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    assert older_demos_metadata(root, monkeypatch) == dict.fromkeys(DAG_IDS, False)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "IRM_DATA_ROOT": str(root)}
    # What a scheduled irm_extract would land: the roster (the demo world's, as `irm up`'s
    # sandbox serves) waiting in the inbox.
    subprocess.run(
        [str(IRM), "sandbox", "write-crm", "--seed", "7", "--accounts", "40", "--days", "62",
         "--inbox", str(root / "inbox" / "crm")],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    before = files_under(root / "inbox", root / "landing", root / "published")
    ui_port, sandbox_port = free_port(), free_port()
    up = [str(IRM), "up", "--ui-port", str(ui_port), "--sandbox-port", str(sandbox_port)]
    proc = subprocess.Popen(
        up, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    output = Output(proc)
    try:
        base = output.wait_for(r"Airflow UI: (http://127\.0\.0\.1:\d+)$", timeout=240)[1]
        assert base == f"http://127.0.0.1:{ui_port}"
        passwords = root / "airflow" / "simple_auth_manager_passwords.json.generated"
        login = {"username": "admin", "password": json.loads(passwords.read_text())["admin"]}
        token = api(f"{base}/auth/token", body=login)["access_token"]
        dags = wait_for_dags(base, token)
        assert dags.keys() >= DAG_IDS
        health = wait_for_scheduler_beats(base, SCHEDULER_BEATS)
        assert health["scheduler"]["status"] == "healthy", health
        runs = api(f"{base}/api/v2/dags/~/dagRuns", token)
        assert files_under(root / "inbox", root / "landing", root / "published") == before
        assert runs["total_entries"] == 0, runs
        assert {dag_id: dags[dag_id]["is_paused"] for dag_id in DAG_IDS} == dict.fromkeys(
            DAG_IDS, True
        )
        started = psutil.Process(proc.pid).children(recursive=True)
        sandbox_pid = int((root / "sandbox" / f"sandbox-{sandbox_port}.pid").read_text())
        started.append(psutil.Process(sandbox_pid))
        assert len(started) >= 5, "standalone and its four components, and the sandbox"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
    _, alive = psutil.wait_procs(started, timeout=30)
    assert alive == [], f"left running: {[(p.pid, p.name()) for p in alive]}"
    assert list(home.rglob("*")) == []
