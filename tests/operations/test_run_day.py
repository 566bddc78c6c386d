"""`irm run --day D` (issue 18 item 4): it takes the *data* day, says which interval it runs and
lands exactly `dt=D` (`airflow dags test irm_extract D` lands D-1), reports each task as it
finishes, and a run that would do nothing (a day before the DAGs' start date: Airflow
"succeeds" with zero tasks) fails, saying so, before the transform runs.

Both run from a fresh shell (no venv on PATH, an empty HOME) and leave HOME empty."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from core.config import REPO_ROOT

pytestmark = pytest.mark.slow

IRM = REPO_ROOT / ".venv" / "bin" / "irm"
SOURCES = ("crm", "youtube", "instagram", "tiktok", "shop")
# A 4-account sandbox world of 6 days (2026-01-01 .. 2026-01-06); the DAGs start 2026-01-01.
WORLD = ("--seed", "7", "--accounts", "4", "--days", "6")


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A fresh shell's environment with its own data root and an empty HOME."""
    root = tmp_path_factory.mktemp("run_day")
    (root / "home").mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root / "home"), "IRM_DATA_ROOT": str(root)}
    return env, root


def irm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(IRM), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def landed_days(root: Path) -> dict[str, set[str]]:
    """The `dt=` partitions of each source in the landing zone."""
    landing = root / "landing"
    return {
        source: {p.name.removeprefix("dt=") for p in landing.glob(f"{source}/*/dt=*")}
        for source in SOURCES
    }


def test_a_data_day_lands_that_day_and_reports_each_task(shell):
    env, root = shell
    done = irm(env, "run", "--day", "2026-01-05", "--sandbox", *WORLD, "--dag", "irm_extract")
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert (
        "irm_extract: data interval 2026-01-05T00:00Z – 2026-01-06T00:00Z "
        "(lands dt=2026-01-05)" in out
    )
    assert landed_days(root) == {source: {"2026-01-05"} for source in SOURCES}
    finished = re.findall(r"^\[irm run\]   irm_extract (\S+): (\w+) \(\d+\.\d s\)$", out, re.M)
    assert ("crm.land_files", "success") in finished
    for platform in SOURCES[1:]:
        for task in ("plan", "land_batch[0]", "commit"):
            assert (f"{platform}.{task}", "success") in finished
    log = root / "logs" / "run" / "2026-01-05_irm_extract.log"
    assert "DagRun Finished" in log.read_text()
    assert list((root / "home").rglob("*")) == []


def test_a_day_before_the_dags_start_date_fails_saying_so_and_lands_nothing(shell):
    env, root = shell
    before = landed_days(root)
    done = irm(env, "run", "--day", "2025-12-20")
    assert done.returncode == 1
    assert "irm_extract ran no task for the logical date 2025-12-21" in done.stderr
    assert "before its start_date" in done.stderr
    assert landed_days(root) == before
    assert not (root / "logs" / "run" / "2025-12-20_irm_transform.log").exists()
    assert list((root / "home").rglob("*")) == []
