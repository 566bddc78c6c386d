"""irm_exports: the weekly export for marketing leads (Monday 07:00 UTC), and on demand.

Reads the published BI copy, never the warehouse, so it cannot block the pipeline. `start`
pins the copy in a staging folder so the CSVs, the workbook and the report, written by separate
tasks, hold the same publication; `finish` moves the folder to `<exports>/<date>/`; `email`
sends the workbook and the report (skipped with a log line without the `irm_smtp` connection).
"""

from __future__ import annotations

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from irm.orchestration import DAG_DEFAULTS, PUBLISHED_ASSET


@dag(
    dag_id="irm_exports",
    schedule=CronTriggerTimetable("0 7 * * 1", timezone="UTC"),
    tags=["irm", "exports"],
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def irm_exports() -> None:
    # Each task imports irm.tasks when it runs, never at parse time: parsing stays cheap.
    @task(inlets=[PUBLISHED_ASSET])
    def start(logical_date=None, dag_run=None) -> dict[str, str]:
        from irm.tasks import export_start

        day = (logical_date or dag_run.run_after).date().isoformat()
        return {"day": day, "staging": export_start(day)}

    @task
    def csv(run: dict[str, str]) -> list[str]:
        from irm.tasks import export_write

        return export_write(run["staging"], "csv")

    @task
    def workbook(run: dict[str, str]) -> list[str]:
        from irm.tasks import export_write

        return export_write(run["staging"], "xlsx")

    @task
    def report(run: dict[str, str]) -> list[str]:
        from irm.tasks import export_write

        return export_write(run["staging"], "html")

    @task
    def finish(run: dict[str, str]) -> str:
        from irm.tasks import export_finish

        return export_finish(run["staging"])

    @task
    def email(run: dict[str, str]) -> dict:
        from irm.tasks import export_email

        return export_email(run["day"])

    run = start()
    done = finish(run)
    [csv(run), workbook(run), report(run)] >> done
    done >> email(run)


irm_exports()
