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

The day's runs go through one Airflow process (`python -m irm.dag_runs`, each run by the
`dags test` command's own function): Airflow's start-up, about 10 s, is paid once a day, not
once a DAG. It stops at the first run that failed or did nothing; the next run does not start.
Each run's whole output goes to its own log file as it comes; one line per finished task is
reported as it finishes (`TaskProgress`).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TextIO

from core.config import Settings
from irm import dag_runs
from irm.airflow_cli import AirflowCommandError, airflow_process_env, stream_output

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


@dataclass(frozen=True)
class DagTest:
    """One `airflow dags test` run: its DAG, logical date and log file, and the data interval
    it must run (None: not checked)."""

    dag_id: str
    logical_date: date
    log_file: Path
    what: str = ""  # said before the run starts
    interval: DataDay | None = None


class _RunOutput:
    """The output of `python -m irm.dag_runs`, line by line as it comes: each run's lines to its
    own log file and its TaskProgress, and a line said as each run starts and ends."""

    def __init__(self, runs: Sequence[DagTest], progress: Progress) -> None:
        self.runs, self.progress = runs, progress
        self.started: list[TaskProgress] = []
        self._log: TextIO | None = None
        self._since = 0.0
        self._preamble: list[str] = []  # Airflow's lines before the first run's marker

    def __call__(self, line: str) -> None:
        if line.startswith(f"{dag_runs.MARKER} run "):
            self._next_run()
        elif self._log is None:
            self._preamble.append(line)
        else:
            self._log.write(line + "\n")
            self._log.flush()
            self.started[-1](line)

    def _next_run(self) -> None:
        self._end_run()
        run = self.runs[len(self.started)]
        if run.what:
            self.progress(f"{run.dag_id}: {run.what}")
        run.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = run.log_file.open("w")
        self._log.writelines(f"{line}\n" for line in self._preamble)
        self._preamble.clear()
        self.started.append(TaskProgress(run.dag_id, self.progress))
        self._since = time.monotonic()

    def _end_run(self) -> None:
        if self._log is None:
            return
        self._log.close()
        self._log = None
        tasks, run = self.started[-1], self.runs[len(self.started) - 1]
        self.progress(
            f"{run.dag_id}: {len(tasks.finished)} tasks in {time.monotonic() - self._since:.0f} s "
            f"(log: {run.log_file})"
        )

    def close(self) -> None:
        self._end_run()


def dags_test(
    settings: Settings,
    runs: Sequence[DagTest],
    env: Mapping[str, str] | None,
    progress: Progress,
) -> list[TaskProgress]:
    """`airflow dags test` for each of `runs` in turn, in one Airflow process (irm.dag_runs
    says why), reporting each task as it finishes. It stops at the first run that failed
    (AirflowCommandError) or did not do what was asked (DayRunError: no task ran, or another
    data interval); the runs after it do not start."""
    output = _RunOutput(runs, progress)
    command = [sys.executable, "-m", "irm.dag_runs"]
    command += [dag_runs.RunRequest(r.dag_id, r.logical_date.isoformat(),
                                    r.interval.start if r.interval else None).argument()
                for r in runs]  # fmt: skip
    try:
        returncode, text = stream_output(command, airflow_process_env(settings, env), None, output)
    finally:
        output.close()
    # A failed run (exit 1) is reported as failed, whatever it ran; the others are checked.
    checked = output.started if returncode in (0, dag_runs.STOPPED) else output.started[:-1]
    for run, tasks in zip(runs, checked, strict=False):
        _check_done(run, tasks)
    if returncode != 0 or len(output.started) < len(runs):
        last = runs[max(len(output.started) - 1, 0)]
        tail = "\n".join(text.splitlines()[-40:])
        raise AirflowCommandError(
            f"airflow dags test {last.dag_id} {last.logical_date} failed "
            f"(full log: {last.log_file}):\n{tail}"
        )
    return output.started


def _check_done(run: DagTest, tasks: TaskProgress) -> None:
    """A run that ran no task did nothing; a run of a data day must have run its interval."""
    if not tasks.finished:
        raise DayRunError(
            f"{run.dag_id} ran no task for the logical date {run.logical_date} (Airflow runs "
            "nothing for a date outside the DAG's schedule, e.g. before its start_date): "
            f"nothing was done. Log: {run.log_file}"
        )
    if run.interval is not None:
        _check_interval(tasks, run.interval, run.log_file)


def data_day_runs(
    day: date, log_dir: Path, dag_ids: Sequence[str] = DATA_DAY_DAGS
) -> list[DagTest]:
    """Data day `day`'s runs: `irm_extract` for its interval, then `irm_transform` (or only
    those of `dag_ids`)."""
    data_day = DataDay(day)
    runs = []
    for dag_id in DATA_DAY_DAGS:
        if dag_id not in dag_ids:
            continue
        extract = dag_id == "irm_extract"
        what = (
            data_day.describe()
            if extract
            else "loads every landed partition not loaded yet, builds, checks and publishes"
        )
        log_file = log_dir / f"{day.isoformat()}_{dag_id}.log"
        runs.append(
            DagTest(dag_id, data_day.logical_date, log_file, what, data_day if extract else None)
        )
    return runs


def run_data_day(
    settings: Settings,
    env: Mapping[str, str] | None,
    day: date,
    log_dir: Path,
    progress: Progress = print,
    dag_ids: Sequence[str] = DATA_DAY_DAGS,
    then: Sequence[DagTest] = (),
) -> None:
    """Run data day `day` through Airflow: `irm_extract` for its interval, then `irm_transform`
    (or only those of `dag_ids`), then the runs `then` (the demo's weekly export), in one
    Airflow process. `env` holds the connections (`AIRFLOW_CONN_…`), if any."""
    dags_test(settings, [*data_day_runs(day, log_dir, dag_ids), *then], env, progress)


def _check_interval(tasks: TaskProgress, data_day: DataDay, log_file: Path) -> None:
    """The landed day is the interval's start: make sure Airflow ran the interval asked for."""
    ran = tasks.data_interval_start
    if ran is None or datetime.fromisoformat(ran) != data_day.start:
        raise DayRunError(
            f"{tasks.dag_id} was asked for the {data_day.describe()} but Airflow ran the "
            f"interval starting {ran}. Log: {log_file}"
        )
