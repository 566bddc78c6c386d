"""irm_exports: the weekly export for marketing leads (Monday 07:00 UTC), and on demand.

Reads the published BI copy, never the warehouse, so it cannot block the pipeline.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from irm.orchestration import DEFAULT_ARGS, PUBLISHED_ASSET


@dag(
    dag_id="irm_exports",
    schedule=CronTriggerTimetable("0 7 * * 1", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["irm", "exports"],
    doc_md=__doc__,
)
def irm_exports() -> None:
    @task(inlets=[PUBLISHED_ASSET])
    def write_export(logical_date=None, dag_run=None) -> str:
        from irm.tasks import export

        when = logical_date or dag_run.run_after
        return export(when.date().isoformat())

    write_export()


irm_exports()
