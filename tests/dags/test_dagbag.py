"""DAG integrity: every DAG file imports cleanly and carries what operators rely on."""

from __future__ import annotations

import pytest

from irm.config import REPO_ROOT

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
    from irm.config import WAREHOUSE_POOL

    dag = dagbag.dags["irm_transform"]
    # Ephemeral dbt models render as EmptyOperators: they run nothing, so they need no slot.
    writers = [
        t
        for t in dag.tasks
        if (t.task_id == "load_raw" or t.task_id.startswith("dbt."))
        and type(t).__name__ != "EmptyOperator"
    ]
    assert writers, "irm_transform has no load or dbt tasks"
    assert {t.pool for t in writers} == {WAREHOUSE_POOL}


def test_extract_uses_a_data_interval_timetable(dagbag) -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable

    assert isinstance(dagbag.dags["irm_extract"].timetable, CronDataIntervalTimetable)
