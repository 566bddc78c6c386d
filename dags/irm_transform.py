"""irm_transform: validate landing → load → score comments → check source freshness → dbt build
(cosmos) → count dbt tests → validate marts → publish.

Scheduled on the landing Assets. Asset-triggered runs have no logical date, so the days to load
come from the triggering events (`extra.dt`); a manual run loads whatever is not loaded yet.
Every task that writes (or reads) the warehouse runs in the one-slot `irm_warehouse` pool.
Every dbt data test of the rendered models runs before the mart checks: each model's task runs
its own, one last `dbt test` task runs those no model task can (tests spanning two models, tests
of ephemeral models), and `count_dbt_tests` logs how many ran (irm.dbt_coverage).
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
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import (
    ExecutionMode,
    InvocationMode,
    LoadMode,
    TestBehavior,
    TestIndirectSelection,
)

from core.config import WAREHOUSE_POOL, get_settings
from irm.dbt_coverage import (
    DBT_BUILD_FLAGS,
    DBT_GLOBAL_FLAGS,
    add_remaining_tests_task,
    collect_node_results,
    record_tests_run,
    report_tests_run,
)
from irm.orchestration import (
    DAG_DEFAULTS,
    LANDING_ASSETS,
    MARTS_ASSET,
    PUBLISHED_ASSET,
    WAREHOUSE_WRITER_ARGS,
    freeze_heap,
)

settings = get_settings()
dbt_dir = settings.dbt_project_dir


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

    project = ProjectConfig(
        dbt_project_path=dbt_dir,
        manifest_path=dbt_dir / "target" / "manifest.json",
        install_dbt_deps=False,
    )
    # Cosmos wraps every manifest path in an ObjectStoragePath, whose first open loads all of
    # Airflow's plugins through the hook-lineage collector (0.4 s of each parse); the manifest
    # is a local file, so it is read as one.
    project.manifest_path = dbt_dir / "target" / "manifest.json"
    dbt_build = DbtTaskGroup(
        group_id="dbt",
        project_config=project,
        profile_config=ProfileConfig(
            profile_name="irm",
            target_name=settings.dbt_target,
            profiles_yml_filepath=dbt_dir / "profiles.yml",
        ),
        # One `dbt build` per model (model + the tests of it alone: cautious selection); the
        # tests spanning two models and those of ephemeral models run in one `dbt test` task
        # after all of them (irm.dbt_coverage). dbt runs in-process
        # (dbtRunner): measured 0.5-1.5 s a model here against 3.5 s as a subprocess.
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            test_indirect_selection=TestIndirectSelection.CAUTIOUS,
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            select=list(settings.dbt_select),
            # Cosmos's per-model assets are invented at run time, which Airflow 3 never
            # registers: each dbt task logged four warnings (URI standard, inactive AssetModel)
            # for events nobody could schedule on. Other DAGs follow MARTS_ASSET and
            # PUBLISHED_ASSET.
            emit_datasets=False,
        ),
        operator_args={
            "pool": WAREHOUSE_POOL,
            "install_deps": False,
            "env": {"IRM_WAREHOUSE_PATH": str(settings.warehouse_path)},
            "append_env": True,
            # No JSON artifacts (irm.dbt_coverage.DBT_GLOBAL_FLAGS: half of each task's time);
            # the tests each dbt command ran are collected from dbt's events and pushed by the
            # callback; a failed test fails without retry.
            "dbt_cmd_global_flags": list(DBT_GLOBAL_FLAGS),
            # dbt's unit tests check the SQL against fixed inputs, not the day's data: they run in
            # development and CI (tests/dbt), not in every transform, as dbt advises (they took
            # 0.1 s each, 53 of them, in every run).
            "dbt_cmd_flags": list(DBT_BUILD_FLAGS),
            "dbt_runner_callbacks": [collect_node_results],
            "callback": record_tests_run,
            "pre_execute": freeze_heap,
        },
    )
    test_plan = add_remaining_tests_task(dbt_build)

    @task
    def count_dbt_tests(ti=None) -> dict:
        return report_tests_run(test_plan, ti)

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
    built = landing_ok >> loaded >> score_comments() >> fresh >> dbt_build >> count_dbt_tests()
    if settings.dbt_target == "postgres":
        # The marts are built in Postgres; the checks and the BI copy read a DuckDB mirror.
        @task(**WAREHOUSE_WRITER_ARGS)
        def mirror_marts() -> dict:
            from irm.tasks import mirror_marts as mirror

            return mirror()

        built = built >> mirror_marts()
    built >> validate_marts(days) >> publish()


irm_transform()
