"""irm_extract: land each source's data for the day's data interval (orchestration only).

Daily, on a data-interval timetable (a plain cron schedule would give an empty interval in
Airflow 3). The partition date is the interval's start. Each landing entity is an Asset; the
transform DAG is scheduled on them.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task, task_group
from airflow.timetables.interval import CronDataIntervalTimetable

from irm.config import PLATFORM_POOLS
from irm.orchestration import DEFAULT_ARGS, LANDING_ASSETS


@dag(
    dag_id="irm_extract",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["irm", "extract"],
    doc_md=__doc__,
)
def irm_extract() -> None:
    @task_group(group_id="crm")
    def crm_group() -> None:
        @task(outlets=[LANDING_ASSETS["crm/creators"]])
        def land_creators(data_interval_start=None, outlet_events=None) -> dict | None:
            from irm.tasks import land_crm

            day = data_interval_start.date().isoformat()
            outlet_events[LANDING_ASSETS["crm/creators"]].extra = {"dt": day}
            return land_crm(day)

        land_creators()

    @task_group(group_id="youtube")
    def youtube_group() -> None:
        outlets = [LANDING_ASSETS["youtube/channels"], LANDING_ASSETS["youtube/videos"]]

        @task(outlets=outlets, pool=PLATFORM_POOLS["youtube"])
        def land_channels_and_videos(data_interval_start=None, outlet_events=None) -> dict:
            from irm.tasks import land_youtube

            day = data_interval_start.date().isoformat()
            for asset in outlets:
                outlet_events[asset].extra = {"dt": day}
            return land_youtube(day)

        land_channels_and_videos()

    # The CRM roster says which channels to ask the platforms about.
    crm_group() >> youtube_group()


irm_extract()
