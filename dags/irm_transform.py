"""irm_transform: validate landing → load → score comments → check source freshness → dbt build
(one cosmos task) → validate marts → publish.

Scheduled on the landing Assets. Asset-triggered runs have no logical date, so the days to load
come from the triggering events (`extra.dt`); a manual run loads whatever is not loaded yet.
Every task that writes (or reads) the warehouse runs in the one-slot `irm_warehouse` pool.
One `dbt build` builds the selection (IRM_DBT_SELECT; everything when empty) and runs every data
test of it before the mart checks; its log lists each model's result and how many tests ran
(irm.dbt_build).
Source freshness (warehouse.freshness) is judged against the newest day transformed with the
rules of the dbt sources; a stale source is a warning in the log, in Data Docs and in the weekly
export, never a failure.
With IRM_DBT_TARGET=postgres the load and dbt write Postgres, and `mirror_marts` copies the marts
into the DuckDB file that the mart checks and the BI copy read.
"""

from __future__ import annotations

import irm.orchestration  # noqa: F401 (before cosmos: it quiets cosmos's import-time warnings)

# isort: split
from airflow.sdk import dag, task
from cosmos.operators.local import DbtBuildLocalOperator

from core.config import get_settings
from irm.dbt_build import BUILD_TASK_ID, build_operator_args
from irm.orchestration import (
    DAG_DEFAULTS,
    LANDING_ASSETS,
    MARTS_ASSET,
    PUBLISHED_ASSET,
    WAREHOUSE_WRITER_ARGS,
)

settings = get_settings()


@dag(
    dag_id="irm_transform",
    schedule=list(LANDING_ASSETS.values()),
    tags=["irm", "transform"],
    doc_md=__doc__,
    **DAG_DEFAULTS,
)
def irm_transform() -> None:
    @task
    def days_to_load(triggering_asset_events=None) -> list[str]:
        days = {
            event.extra["dt"]
            for events in (triggering_asset_events or {}).values()
            for event in events
            if event.extra and "dt" in event.extra
        }
        return sorted(days)

    # Each task imports irm.tasks when it runs, never at parse time: parsing stays cheap.
    @task
    def validate_landing(days: list[str]) -> dict:
        from irm.tasks import validate_landing as validate

        return validate(days)

    @task(**WAREHOUSE_WRITER_ARGS)
    def load_raw(days: list[str]) -> dict:
        from irm.tasks import load_raw as load

        return load(days or None)

    # Sentiment is scored in Python (SQL cannot run VADER) between the load and dbt, once per
    # comment and once per post listening found: warehouse.comment_scores says why there.
    @task(**WAREHOUSE_WRITER_ARGS)
    def score_comments() -> dict:
        from irm.tasks import score_comments as score

        return score()

    # Reads the load ledger; stale sources are logged and shown, never a failure.
    @task(**WAREHOUSE_WRITER_ARGS)
    def check_freshness(days: list[str]) -> dict:
        from irm.tasks import check_freshness as check

        return check(days)

    # One `dbt build` of the selection (irm.dbt_build says why one task, not one per model):
    # each model's result is in its log and XCom, and it fails when a data test fails.
    dbt_build = DbtBuildLocalOperator(task_id=BUILD_TASK_ID, **build_operator_args(settings))

    # Reading the warehouse blocks DuckDB writers, so readers of it share the writers' pool.
    @task(outlets=[MARTS_ASSET], **WAREHOUSE_WRITER_ARGS)
    def validate_marts(days: list[str]) -> dict:
        from irm.tasks import validate_marts as validate

        return validate(days)

    @task(outlets=[PUBLISHED_ASSET], **WAREHOUSE_WRITER_ARGS)
    def publish() -> dict:
        from irm.tasks import publish as publish_bi_copy

        return publish_bi_copy()

    days = days_to_load()
    landing_ok = validate_landing(days)
    loaded = load_raw(days)
    fresh = check_freshness(days)
    built = landing_ok >> loaded >> score_comments() >> fresh >> dbt_build
    if settings.dbt_target == "postgres":
        # The marts are built in Postgres; the checks and the BI copy read a DuckDB mirror.
        @task(**WAREHOUSE_WRITER_ARGS)
        def mirror_marts() -> dict:
            from irm.tasks import mirror_marts as mirror

            return mirror()

        built = built >> mirror_marts()
    built >> validate_marts(days) >> publish()


irm_transform()
