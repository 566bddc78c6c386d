"""DAG integrity: every DAG file imports cleanly and carries what operators rely on."""

from __future__ import annotations

import pytest

from core.config import REPO_ROOT

EXPECTED_DAGS = {"irm_extract", "irm_transform", "irm_exports"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags"))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}


def test_expected_dags_present(dagbag) -> None:
    assert set(dagbag.dag_ids) >= EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_has_tags_owner_and_retries(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.tags, f"{dag_id} has no tags"
    for task in dag.tasks:
        assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_every_warehouse_writer_is_in_the_one_slot_pool(dagbag) -> None:
    from core.config import WAREHOUSE_POOL

    dag = dagbag.dags["irm_transform"]
    writers = [t for t in dag.tasks if t.task_id in ("load_raw", "score_comments", "dbt_build")]
    assert len(writers) == 3, "irm_transform has no load, scoring or dbt task"
    assert {t.pool for t in writers} == {WAREHOUSE_POOL}


def test_extract_uses_a_data_interval_timetable(dagbag) -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable

    assert isinstance(dagbag.dags["irm_extract"].timetable, CronDataIntervalTimetable)


def test_every_task_reports_failures_through_the_summary_callback(dagbag) -> None:
    from irm.orchestration import on_failure

    for dag_id in EXPECTED_DAGS:
        for task in dagbag.dags[dag_id].tasks:
            callbacks = task.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            assert on_failure in callbacks, f"{dag_id}.{task.task_id} has no failure summary"


def test_extract_maps_each_platform_over_batches_in_its_pool(dagbag) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    from extractors import registry
    from irm.orchestration import source_assets

    dag = dagbag.dags["irm_extract"]
    for source in registry.api_sources():
        platform = source.name
        land = dag.get_task(f"{platform}.land_batch")
        assert isinstance(land, MappedOperator), f"{platform} does not map over batches"
        assert source.pool is not None and land.pool == source.pool.name
        commit = dag.get_task(f"{platform}.commit")
        assert {a.name for a in commit.outlets} == {a.name for a in source_assets(platform)}
        assert "crm.land_files" in dag.get_task(f"{platform}.plan").upstream_task_ids


def test_transform_runs_on_every_landing_asset_in_order(dagbag) -> None:
    from irm.orchestration import LANDING_ASSETS

    dag = dagbag.dags["irm_transform"]
    # All of them: each extract run updates every landing asset once, skipped sources included.
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAll"
    assets = {asset.name for asset in condition.objects}
    assert assets == {a.name for a in LANDING_ASSETS.values()}
    chain = ["validate_landing", "load_raw", "validate_marts", "publish"]
    for before, after in zip(chain, chain[1:], strict=False):
        assert dag.get_task(before) in dag.get_task(after).get_flat_relatives(upstream=True)
    build = dag.get_task("dbt_build")
    assert dag.get_task("load_raw") in build.get_flat_relatives(upstream=True)
    assert dag.get_task("validate_marts") in build.get_flat_relatives(upstream=False)


def test_transform_takes_its_days_from_the_triggering_events(dagbag) -> None:
    """Asset-triggered runs have no logical date: the days come from the events' extra."""

    class Event:
        def __init__(self, extra: dict | None) -> None:
            self.extra = extra

    days_to_load = dagbag.dags["irm_transform"].get_task("days_to_load").python_callable
    events = {
        "landing/youtube/videos": [Event({"dt": "2026-02-03", "landed": True})],
        "landing/crm/creators": [Event({"dt": "2026-02-02"}), Event({"dt": "2026-02-03"})],
        "landing/shop/orders": [Event(None)],
    }
    assert days_to_load(triggering_asset_events=events) == ["2026-02-02", "2026-02-03"]
    assert days_to_load(triggering_asset_events={}) == []  # a manual run: whatever is pending


def test_exports_run_on_mondays_at_seven_utc(dagbag) -> None:
    from airflow.timetables.trigger import CronTriggerTimetable

    timetable = dagbag.dags["irm_exports"].timetable
    assert isinstance(timetable, CronTriggerTimetable)
    assert timetable._expression == "0 7 * * 1" and str(timetable._timezone) == "UTC"


def test_transform_checks_source_freshness_after_the_load_before_dbt(dagbag) -> None:
    """Freshness reads the load ledger (so after the load, in the warehouse's pool) and its
    result is published with the marts (so before dbt, the checks and the publication)."""
    from core.config import WAREHOUSE_POOL

    dag = dagbag.dags["irm_transform"]
    check = dag.get_task("check_freshness")
    assert check.pool == WAREHOUSE_POOL
    assert dag.get_task("load_raw") in check.get_flat_relatives(upstream=True)
    assert dag.get_task("days_to_load") in check.get_flat_relatives(upstream=True)
    downstream = check.get_flat_relatives(upstream=False)
    assert dag.get_task("dbt_build") in downstream
    assert dag.get_task("publish") in downstream


def test_the_dbt_task_emits_no_assets_nobody_can_schedule_on(dagbag) -> None:
    """Cosmos's per-model assets are made up at run time, so Airflow 3 never registers them:
    each dbt task logged two warnings about its URI and two about an inactive AssetModel, and
    the events went nowhere. The transform's own assets (marts, published) are what other
    DAGs can follow."""
    dag = dagbag.dags["irm_transform"]
    dbt_tasks = [t for t in dag.tasks if hasattr(t, "emit_datasets")]
    assert [t.task_id for t in dbt_tasks] == ["dbt_build"]
    assert not dbt_tasks[0].emit_datasets


def test_parsing_the_transform_warns_about_nothing(caplog) -> None:
    """A parse warned about each exposure (cosmos's per-model rendering, replaced by one build
    task) and about the missing OpenLineage provider (irm.orchestration filters it)."""
    from airflow.dag_processing.dagbag import DagBag

    caplog.set_level("WARNING")
    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_transform.py"))
    assert bag.import_errors == {}
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []


def test_the_dbt_task_freezes_the_heap_before_dbt_runs(dagbag) -> None:
    """Cosmos collects garbage after each dbt command; without the freeze that collection walked
    all of Airflow's and dbt's objects (0.4 s; a third of a one-model task's time)."""
    from irm.orchestration import freeze_heap

    assert dagbag.dags["irm_transform"].get_task("dbt_build")._pre_execute_hook is freeze_heap


def test_a_frozen_heap_is_freed_at_exit_without_leak_reports() -> None:
    """DuckDB's bindings count their objects at exit: frozen ones, never freed, were reported
    as leaked ("nanobind: leaked 27 instances!") at the end of every transform's log."""
    import subprocess
    import sys

    script = (
        "import duckdb\n"
        "from irm.orchestration import freeze_heap\n"
        "duckdb.connect().execute('select 1').fetchall()\n"
        "freeze_heap({})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert "leaked" not in done.stderr + done.stdout
