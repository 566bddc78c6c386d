"""One data day through Airflow: `irm run --day D`, and each of the demo's live days.

`irm_extract` runs on a data-interval timetable (daily at 00:00 UTC): the run for data day D
covers the interval [D 00:00Z, D+1 00:00Z) and lands `dt=D`. `airflow dags test <dag> <date>`
takes a *logical date* and, for a manual run, infers the last whole interval ending at it: so
data day D is run as `dags test irm_extract D+1` (`dags test irm_extract 2026-11-02` lands
2026-11-01). This module takes the data day, says which interval it runs, and checks after the
run that Airflow ran that interval. `irm_transform` (scheduled on the landing Assets) then
loads every landed partition not loaded yet, builds, checks and publishes.

Airflow "succeeds" without running a task when the logical date is outside a DAG's schedule
(before its start_date): such a run is an error here, since it did nothing.

Each run's whole output goes to its log file as it comes; one line per finished task is
reported as it finishes (`TaskProgress`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from core.config import Settings
from irm.airflow_cli import run_airflow

DATA_DAY_DAGS = ("irm_extract", "irm_transform")

Progress = Callable[[str], None]


class DayRunError(RuntimeError):
    """A data day's run did not do what was asked (no task ran, or another interval ran)."""


@dataclass(frozen=True)
class DataDay:
    """The data interval [day 00:00Z, day+1 00:00Z) and the logical date that runs it."""

    day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, clock_time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    @property
    def logical_date(self) -> date:
        """What `airflow dags test` is given: the end of the interval (see the module doc)."""
        return self.day + timedelta(days=1)

    def describe(self) -> str:
        return (
            f"data interval {self.start:%Y-%m-%dT%H:%MZ} – {self.end:%Y-%m-%dT%H:%MZ} "
            f"(lands dt={self.day.isoformat()})"
        )


# `airflow dags test` runs one task at a time in its own process and logs, per task:
#   [DAG TEST] starting task_id=crm.land_files map_index=-1
#   Task instance state updated ... new_state=success ... ti_id=...
#   [DAG TEST] end task task_id=crm.land_files map_index=-1
# and, once, the run's outcome:
#   DagRun Finished: dag_id=..., state=success, ..., data_interval_start=2026-01-05 00:00:00+00:00
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<index>-?\d+)")
_TASK_STATE = re.compile(r"Task instance state updated .*\bnew_state=(?P<state>\w+)")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(?P<task>\S+) map_index=(?P<index>-?\d+)")
_RUN_INTERVAL = re.compile(r"DagRun Finished: .*\bdata_interval_start=(?P<start>[^,]+),")


@dataclass
class TaskProgress:
    """Reads `airflow dags test` output line by line as it comes and reports each finished task
    in one line (`<dag> <task>[<map index>]: <state> (<seconds> s)`)."""

    dag_id: str
    report: Progress
    finished: list[tuple[str, str]] = field(default_factory=list)  # (task, final state)
    data_interval_start: str | None = None
    _state: str = "finished"
    _started: float = 0.0

    def __call__(self, line: str) -> None:
        if _TASK_START.search(line):
            self._state, self._started = "finished", time.monotonic()
        elif match := _TASK_STATE.search(line):
            self._state = match["state"]
        elif match := _TASK_END.search(line):
            task = match["task"] + (f"[{match['index']}]" if match["index"] != "-1" else "")
            self.finished.append((task, self._state))
            seconds = time.monotonic() - self._started
            self.report(f"  {self.dag_id} {task}: {self._state} ({seconds:.1f} s)")
        elif match := _RUN_INTERVAL.search(line):
            self.data_interval_start = match["start"].strip()


def dags_test(
    settings: Settings,
    dag_id: str,
    logical_date: date,
    env: Mapping[str, str] | None,
    log_file: Path,
    progress: Progress,
) -> TaskProgress:
    """`airflow dags test <dag_id> <logical_date>`, reporting each task as it finishes. Raises
    AirflowCommandError if the run failed, DayRunError if it ran no task."""
    tasks = TaskProgress(dag_id, progress)
    run_airflow(
        ["dags", "test", dag_id, logical_date.isoformat()],
        settings,
        env,
        log_file=log_file,
        on_line=tasks,
    )
    if not tasks.finished:
        raise DayRunError(
            f"{dag_id} ran no task for the logical date {logical_date} (Airflow runs nothing "
            "for a date outside the DAG's schedule, e.g. before its start_date): nothing was "
            f"done. Log: {log_file}"
        )
    return tasks


def run_data_day(
    settings: Settings,
    env: Mapping[str, str] | None,
    day: date,
    log_dir: Path,
    progress: Progress = print,
    dag_ids: Sequence[str] = DATA_DAY_DAGS,
) -> None:
    """Run data day `day` through Airflow: `irm_extract` for its interval, then `irm_transform`
    (or only those of `dag_ids`). `env` holds the connections (`AIRFLOW_CONN_…`), if any."""
    data_day = DataDay(day)
    for dag_id in DATA_DAY_DAGS:
        if dag_id not in dag_ids:
            continue
        what = (
            data_day.describe()
            if dag_id == "irm_extract"
            else "loads every landed partition not loaded yet, builds, checks and publishes"
        )
        progress(f"{dag_id}: {what}")
        started = time.monotonic()
        log_file = log_dir / f"{day.isoformat()}_{dag_id}.log"
        tasks = dags_test(settings, dag_id, data_day.logical_date, env, log_file, progress)
        if dag_id == "irm_extract":
            _check_interval(tasks, data_day, log_file)
        progress(
            f"{dag_id}: {len(tasks.finished)} tasks in {time.monotonic() - started:.0f} s "
            f"(log: {log_file})"
        )


def _check_interval(tasks: TaskProgress, data_day: DataDay, log_file: Path) -> None:
    """The landed day is the interval's start: make sure Airflow ran the interval asked for."""
    ran = tasks.data_interval_start
    if ran is None or datetime.fromisoformat(ran) != data_day.start:
        raise DayRunError(
            f"{tasks.dag_id} was asked for the {data_day.describe()} but Airflow ran the "
            f"interval starting {ran}. Log: {log_file}"
        )
