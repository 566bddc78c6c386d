"""Several `airflow dags test` runs in one Airflow process: `python -m irm.dag_runs`.

Each `airflow dags test` process pays Airflow's start-up before its first task: the CLI and its
configuration, the DAG bag, and the in-process execution API that `dags test` serves its tasks
from (cadwyn builds a router for each of the API's versions: about 4 s), 10-12 s in all on this
machine. A data day runs two DAGs and the demo three, one after the other: this process runs
them in turn, each through the `dags test` command's own function (Airflow's CLI parser and
`args.func`, as `airflow dags test` does: irm.airflow_commands), and pays the start-up once.

It stops after the first run that did not do what was asked, before the next one starts:
- a run that failed;
- a run that ran no task (Airflow "succeeds" without running any when the logical date is
  outside the DAG's schedule, e.g. before its start_date);
- a run whose data interval does not start where the caller said it must (`@<start>`).
Each run's output follows a line `[irm.dag_runs] run <dag_id> <logical date>`; the caller
(irm.run_day) writes each run's output to its own log file and reads it as it reads the
output of `airflow dags test`. The exit code is 0 when every run was done.

    python -m irm.dag_runs irm_extract=2026-01-06@2026-01-05T00:00:00+00:00 \
        irm_transform=2026-01-06
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from irm.airflow_commands import airflow_parser

MARKER = "[irm.dag_runs]"
STOPPED = 3  # the exit code when a run did not do what was asked


@dataclass(frozen=True)
class RunRequest:
    """One `dags test` run: the DAG, its logical date, and the start its data interval must
    have (None: not checked)."""

    dag_id: str
    logical_date: str
    interval_start: datetime | None = None

    def argument(self) -> str:
        start = f"@{self.interval_start.isoformat()}" if self.interval_start else ""
        return f"{self.dag_id}={self.logical_date}{start}"

    @classmethod
    def parse(cls, argument: str) -> RunRequest:
        dag_id, _, rest = argument.partition("=")
        logical_date, _, start = rest.partition("@")
        if not dag_id or not logical_date:
            raise ValueError(f"expected <dag_id>=<logical date>[@<interval start>]: {argument!r}")
        return cls(dag_id, logical_date, datetime.fromisoformat(start) if start else None)


def main(argv: Sequence[str] | None = None) -> int:
    requests = [RunRequest.parse(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not requests:
        print(__doc__, file=sys.stderr)
        return 2
    parser = airflow_parser()
    for request in requests:
        print(f"{MARKER} run {request.dag_id} {request.logical_date}", flush=True)
        args = parser.parse_args(["dags", "test", request.dag_id, request.logical_date])
        try:
            args.func(args)
        except SystemExit as stop:  # `dags test` exits so when the run failed
            if stop.code not in (None, 0):
                print(f"{MARKER} stopped: {request.dag_id} failed ({stop.code})", flush=True)
                return 1
        problem = _not_done(request, _latest_run(request.dag_id))
        if problem:
            print(f"{MARKER} stopped: {request.dag_id} {problem}", flush=True)
            return STOPPED
    return 0


@dataclass(frozen=True)
class RunOutcome:
    state: str | None
    data_interval_start: datetime | None
    ran_tasks: int  # task instances that ran (any state but none)


def _latest_run(dag_id: str) -> RunOutcome | None:
    """The DAG's newest run: the one `dags test` has just made."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).limit(1)
        ).first()
        if run is None:
            return None
        instances = run.get_task_instances(session=session)
        ran = sum(1 for ti in instances if ti.state is not None)
        return RunOutcome(run.state, run.data_interval_start, ran)


def _not_done(request: RunRequest, run: RunOutcome | None) -> str | None:
    """Why the run did not do what was asked, or None."""
    if run is None or not run.ran_tasks:
        return "ran no task"
    if run.state != "success":
        return f"ended {run.state}"
    if request.interval_start is not None and run.data_interval_start != request.interval_start:
        return f"ran the data interval starting {run.data_interval_start}"
    return None


if __name__ == "__main__":
    raise SystemExit(main())
