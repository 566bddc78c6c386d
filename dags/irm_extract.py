"""irm_extract: land each source's data for the day's data interval (orchestration only).

Daily, on a data-interval timetable (a plain cron schedule would give an empty interval in
Airflow 3); the partition date is the interval's start. One task group per source of the
registry (extractors/registry.py). The file sources land first (the CRM roster says which
accounts to ask the platforms about). Each API source's group plans account batches, maps one
extract task over them (in the source's pool, sized to its rate limits), then commits the
staged batches as the day's landing partitions. Each landing entity is an Asset, updated by
every run (the event's extra carries the day), and the transform DAG is scheduled on them.
"""

from __future__ import annotations

from airflow.sdk import dag, task, task_group
from airflow.timetables.interval import CronDataIntervalTimetable

from irm.orchestration import DAG_DEFAULTS, extract_sources, source_assets


def mark_events(outlet_events, source: str, day: str, result: dict | None) -> None:
    landed = bool(result) and "skipped" not in result
    for asset in source_assets(source):
        outlet_events[asset].extra = {"dt": day, "landed": landed}


def file_group(source: str):
    @task_group(group_id=source)
    def group() -> None:
        @task(outlets=source_assets(source))
        def land_files(data_interval_start=None, outlet_events=None) -> dict:
            from irm.tasks import land_files as land

            day = data_interval_start.date().isoformat()
            result = land(source, day)
            mark_events(outlet_events, source, day, result)
            return result

        land_files()

    return group()


def api_group(source: str, pool: str):
    @task_group(group_id=source)
    def group() -> None:
        @task(task_id="plan")
        def plan(data_interval_start=None) -> list[dict]:
            from irm.tasks import plan_batches

            return plan_batches(source, data_interval_start.date().isoformat())

        @task(
            task_id="land_batch",
            pool=pool,
            map_index_template="{{ task.op_kwargs['batch']['batch'] }}",
        )
        def land_batch(batch: dict, data_interval_start=None) -> dict:
            from irm.tasks import land_batch as land

            return land(source, data_interval_start.date().isoformat(), batch)

        # none_failed: a source without a connection maps over no batches (skipped), and its
        # assets still get an event saying nothing landed.
        @task(task_id="commit", outlets=source_assets(source), trigger_rule="none_failed")
        def commit(batches: list, data_interval_start=None, outlet_events=None) -> dict:
            from irm.tasks import commit_landing

            day = data_interval_start.date().isoformat()
            result = commit_landing(source, day, len(batches))
            mark_events(outlet_events, source, day, result)
            return result

        batches = plan()
        land_batch.expand(batch=batches) >> commit(batches)

    return group()


@dag(
    dag_id="irm_extract",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    tags=["irm", "extract"],
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def irm_extract() -> None:
    # Each task imports irm.tasks when it runs, never at parse time: parsing stays cheap.
    file_sources, api_sources = extract_sources()
    rosters = [file_group(source.name) for source in file_sources]
    for source in api_sources:
        pool = source.pool.name if source.pool else "default_pool"
        rosters >> api_group(source.name, pool)


irm_extract()
